"""Shared helpers of the formula engine tests: a workbook from a dict of cells, one formula's value,
a scoring matrix, a dynamic array's spill."""

from __future__ import annotations

from gtm_xl.errors import CellError
from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def book(cells: dict, names: dict | None = None, other: dict | None = None, dynamic=()):
    """A workbook: ``cells`` on sheet "S" ({"A1": value or "=formula"}), ``other`` on "My s"."""
    from gtm_xl.excel.ooxml.cells import parse_a1

    sheets = {}
    for name, content in (("S", cells), ("My s", other or {})):
        sheet = SheetCells(name)
        for a1, v in content.items():
            rc = parse_a1(a1)
            if isinstance(v, str) and v.startswith("="):
                sheet.cells[rc] = Cell(None, v[1:], dynamic=a1 in dynamic)
            else:
                sheet.cells[rc] = Cell(v)
        sheets[name] = sheet
    return WorkbookCells(sheets, {k.upper(): v for k, v in (names or {}).items()})


def calc(formula: str, cells: dict | None = None, **kw):
    cells = dict(cells or {})
    cells["Z1"] = "=" + formula
    ev = evaluate_workbook(book(cells, **kw))
    return ev.values.get(("S", 1, 26))


E = CellError


def scoring_matrix(n: int) -> WorkbookCells:
    import random

    rnd = random.Random(1)
    s, w = SheetCells("Matrix"), SheetCells("Weights")
    for j in range(8):
        w.cells[(1, j + 1)] = Cell(rnd.random())
    for i in range(2, n + 2):
        for j in range(8):
            s.cells[(i, j + 1)] = Cell(float(rnd.randint(0, 10)))
        s.cells[(i, 9)] = Cell(None, f"SUMPRODUCT(A{i}:H{i},Weights!$A$1:$H$1)/SUM(Weights!$A$1:$H$1)")
        s.cells[(i, 10)] = Cell(None, f'IF(I{i}>=7,"A",IF(I{i}>=4,"B","C"))')
        s.cells[(i, 11)] = Cell(None, f"ROUND(I{i},2)")
    return WorkbookCells({"Matrix": s, "Weights": w})


def spill(formula: str, cells: dict, anchor: str = "D1"):
    """The values a dynamic-array formula at ``anchor`` spills, row by row, and its spill range."""
    from gtm_xl.excel.ooxml.cells import parse_a1, parse_range

    cells = dict(cells)
    cells[anchor] = "=" + formula
    ev = evaluate_workbook(book(cells, dynamic={anchor}))
    r, c = parse_a1(anchor)
    ref = ev.spills[("S", r, c)]
    r1, c1, r2, c2 = parse_range(ref)
    return [[ev.values[("S", i, j)] for j in range(c1, c2 + 1)] for i in range(r1, r2 + 1)], ref
