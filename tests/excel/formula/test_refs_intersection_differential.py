"""Implicit intersection against LibreOffice, which implements it as Excel does in ordinary
(non-array) cells: ranges as operands and as value arguments, placed where the formula's row or
column meets the range and where it does not, over numbers, text, numeric text and blanks."""

from __future__ import annotations

import math
import random

import pytest

from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells, to_a1
from gtm_xl.excel.values import CellError

TEMPLATES = [
    "{col}*2",
    "{row}+1",
    "-{col}",
    '{col}&"x"',
    "{row}>=1",
    "ABS({col})",
    "LEN({row})",
    "ROUND({col}/3,2)",
    "{block}+1",
    "{col}+{row}",
    "UPPER({row})",
    "IF({col}>2,1,0)",
]


def _inputs(rnd: random.Random) -> dict:
    out = {}
    for r in range(1, 13):
        for c in range(1, 7):
            k = rnd.random()
            if k < 0.7:
                out[(r, c)] = float(rnd.choice([0, 1, 2, 3, -4, 2.5, 10]))
            elif k < 0.8:
                out[(r, c)] = rnd.choice(["a", "Bc"])
            elif k < 0.85:
                out[(r, c)] = "3"
    return out


def _formulas(rnd: random.Random, n: int) -> dict:
    """Formulas to the right of the inputs (G:L, rows 1–12: a column range may meet the row) and
    below them (A:F, rows 14–20: a row range may meet the column), and some that meet nothing."""
    out = {}
    right = [(r, c) for r in range(1, 13) for c in range(7, 13)]
    below = [(r, c) for r in range(14, 21) for c in range(1, 7)]
    rnd.shuffle(right)
    rnd.shuffle(below)
    for i in range(n):
        t = TEMPLATES[i % len(TEMPLATES)]
        mostly = right if "{col}" in t else below if "{row}" in t else (right if i % 2 else below)
        other = below if mostly is right else right
        r, c = (mostly if (rnd.random() < 0.85 and mostly) or not other else other).pop()
        r1, c1 = rnd.randint(1, 8), rnd.randint(1, 4)
        col_c = rnd.randint(1, 6)
        col = f"{to_a1(r1, col_c)}:{to_a1(min(r1 + rnd.randint(2, 8), 12), col_c)}"
        row_r = rnd.randint(1, 12)
        row = f"{to_a1(row_r, c1)}:{to_a1(row_r, min(c1 + rnd.randint(1, 4), 6))}"
        block = f"{to_a1(r1, c1)}:{to_a1(r1 + 2, c1 + 1)}"
        out[(r, c)] = t.format(col=col, row=row, block=block)
    return out


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_implicit_intersection_equals_libreoffice(libreoffice, tmp_path, seed):
    from openpyxl import Workbook, load_workbook

    rnd = random.Random(seed)
    inputs, formulas = _inputs(rnd), _formulas(rnd, 84)
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    for (r, c), v in inputs.items():
        ws.cell(r, c).value = v
    for (r, c), f in formulas.items():
        ws.cell(r, c).value = "=" + f
    src = tmp_path / "ii.xlsx"
    wb.save(src)
    lo = load_workbook(libreoffice.recalculate(src, tmp_path / "lo"), data_only=True)["S"]

    sheet = SheetCells("S")
    for rc, v in inputs.items():
        sheet.cells[rc] = Cell(v)
    for rc, f in formulas.items():
        sheet.cells[rc] = Cell(None, f)
    ev = evaluate_workbook(WorkbookCells({"S": sheet}))
    mismatches = []
    for (r, c), f in formulas.items():
        key = ("S", r, c)
        if key in ev.unsupported:
            continue
        theirs, ours = lo.cell(r, c).value, ev.values[key]
        if isinstance(ours, CellError):
            same = theirs == ours.code
        elif isinstance(ours, bool) or isinstance(theirs, bool):
            same = theirs == ours  # LibreOffice has no logical type: TRUE is 1
        elif isinstance(ours, float):
            same = isinstance(theirs, (int, float)) and math.isclose(theirs, ours, rel_tol=1e-9, abs_tol=1e-12)
        else:
            same = theirs == ours or (ours == "" and theirs is None)
        if not same:
            mismatches.append(f"{to_a1(r, c)} ={f}: LibreOffice {theirs!r}, gtm-xl {ours!r}")
    values = sum(1 for rc in formulas if not isinstance(ev.values.get(("S", *rc)), CellError))
    print(
        f"\nseed {seed}: {len(formulas)} formulas, {values} values (the rest #VALUE!), {len(ev.unsupported)} unsupported"
    )
    assert not ev.unsupported and values > len(formulas) // 5  # the cases do meet their ranges
    assert not mismatches, "\n".join(mismatches)
