"""Evaluate a GTM call twice with the headless engine: once through the workbook's named LAMBDA
(gtm_xl.lambdas, stored form), once through the Python catalogue function; same cells, same
formula. Results come back as plain values or lists of rows."""

from __future__ import annotations

import math
from typing import Any

from gtm_xl.catalogue import excel_functions
from gtm_xl.errors import CellError
from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells, column_letter
from gtm_xl.lambdas import DEFINITIONS, stored

STORED = {name: stored(text) for name, text in DEFINITIONS.items()}
FUNCTIONS = excel_functions()
ANCHOR = (60, 30)  # the formula cell; inputs live above and to the left


def _area(r: int, c: int, rows: int, cols: int) -> str:
    a = f"{column_letter(c)}{r}"
    b = f"{column_letter(c + cols - 1)}{r + rows - 1}"
    return a if a == b else f"{a}:{b}"


def build(name: str, args: list[Any]) -> tuple[dict, str]:
    """Cells holding ``args`` (a value: one cell; a list of rows: a block; ``"<omit>"``: left out of
    the call; ``"<empty>"``: an empty argument) and the formula calling ``name`` on them."""
    cells: dict = {}
    parts: list[str] = []
    col = 1
    for arg in args:
        if isinstance(arg, str) and arg == "<omit>":
            break
        if isinstance(arg, str) and arg == "<empty>":
            parts.append("")
            continue
        rows = arg if isinstance(arg, list) else [[arg]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None:
                    cells[(1 + i, col + j)] = Cell(v)
        parts.append(_area(1, col, len(rows), len(rows[0])))
        col += len(rows[0]) + 1
    return cells, f"{name}({','.join(parts)})"


def run(name: str, args: list[Any], via: str) -> Any:
    cells, formula = build(name, args)
    cells[ANCHOR] = Cell(None, formula, None, True)
    names = {name.upper(): STORED[name]} if via == "lambda" else {}
    book = WorkbookCells({"S": SheetCells("S", cells)}, names)
    ev = evaluate_workbook(book, FUNCTIONS if via == "python" else {})
    key = ("S", *ANCHOR)
    assert key not in ev.unsupported, (via, ev.unsupported[key])
    spill = ev.spills.get(key, "")
    if ":" not in spill:
        return ev.values[key]
    r0, c0 = ANCHOR
    cells_out = {(r, c): v for (_, r, c), v in ev.values.items() if r >= r0 and c >= c0}
    rows = max(r for r, _ in cells_out) - r0 + 1
    cols = max(c for _, c in cells_out) - c0 + 1
    return [[cells_out.get((r0 + i, c0 + j)) for j in range(cols)] for i in range(rows)]


def same(a: Any, b: Any, rel: float = 1e-9) -> bool:
    """Equal results: numbers to ``rel``, error values by code, texts and shapes exactly."""
    if isinstance(a, list) and len(a) == 1 and len(a[0]) == 1:
        a = a[0][0]
    if isinstance(b, list) and len(b) == 1 and len(b[0]) == 1:
        b = b[0][0]
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(len(x) == len(y) and all(same(u, v, rel) for u, v in zip(x, y)) for x, y in zip(a, b))
        )
    if isinstance(a, CellError) or isinstance(b, CellError):
        return isinstance(a, CellError) and isinstance(b, CellError) and a.code == b.code
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)


def both(name: str, args: list[Any]) -> tuple[Any, Any]:
    return run(name, args, "lambda"), run(name, args, "python")
