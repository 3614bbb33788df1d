"""Vectorised batches give what the cell-by-cell path gives."""

from __future__ import annotations

import math

from gtm_xl.errors import CellError
from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.formula.functions.mathtrig import excel_round
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def test_batched_column_equals_cell_by_cell():
    """A column of one R1C1 formula gives the same values vectorised as cell by cell, whatever
    the inputs (blanks, text, zeros, negatives, errors make the batch fall back)."""
    import random

    rnd = random.Random(7)
    pool = [None, 0.0, -3.5, 2.675, 7.0, "x", "4", True, CellError("#N/A"), 10.0, 1e-9]
    formulas = [
        "SUMPRODUCT(A{r}:D{r},$F$1:$I$1)",
        'IF(A{r}>=B{r},"hi","lo")',
        "ROUND(A{r}*B{r},2)",
        "ROUNDUP(A{r}/3,1)",
        "A{r}/B{r}",
        "SUM(A{r}:D{r})/4",
        "MAX(A{r}:D{r})-MIN(A{r}:D{r})",
        "IF(A{r}>0,ROUND(B{r},0),-C{r})",
        "ABS(A{r})+INT(B{r})",
        "A{r}^2>=C{r}",
        "AVERAGE(A{r}:D{r})",
        "RANK(A{r},$A$1:$A$59)",
        "RANK.EQ(B{r},$B$1:$B$59,1)",
        "RANK(A{r},$B$1:$B$59)",
    ]
    for trial in range(6):
        sheet = SheetCells("S")
        for j in range(4):
            sheet.cells[(1, 6 + j)] = Cell(rnd.choice([0.5, 1.0, 2.0]))
        clean = trial % 2 == 0  # half the trials numbers only, so the vectorised path runs
        for r in range(1, 60):
            for j in range(4):
                v = rnd.choice([0.0, -3.5, 2.675, 7.0, 10.0, 1.005, 4.5]) if clean else rnd.choice(pool)
                sheet.cells[(r, 1 + j)] = Cell(v)
            for k, f in enumerate(formulas):
                sheet.cells[(r, 11 + k)] = Cell(None, f.format(r=r))
        wb = WorkbookCells({"S": sheet})
        fast, slow = evaluate_workbook(wb), evaluate_workbook(wb, batching=False)
        assert fast.values.keys() == slow.values.keys()
        for key, v in slow.values.items():
            w = fast.values[key]
            assert type(v) is type(w) and (v == w or math.isclose(v, w, rel_tol=1e-12)), (key, v, w)


def test_vectorised_round_equals_excel_round():
    import random

    import numpy as np

    from gtm_xl.excel.formula.functions.mathtrig import round_vector

    rnd = random.Random(3)
    xs = [
        round(rnd.uniform(-1000, 1000), rnd.randint(0, 4)) + rnd.choice([0, 0.005, 0.0005, 0.05]) for _ in range(5000)
    ]
    xs += [2.675, 1.005, 0.285, -2.5, 1234.5, 0.1 + 0.2, 5e-7, 123456789.125]
    arr = np.array(xs)
    for digits in (0, 1, 2, 3, -1):
        got = round_vector(arr, digits)
        want = [excel_round(x, digits) for x in xs]
        bad = [(x, g, w) for x, g, w in zip(xs, got.tolist(), want) if g != w]
        assert not bad, bad[:5]


def test_batched_gtm_functions_match_cell_by_cell():
    from gtm_xl.catalogue import excel_functions

    sheet = SheetCells("S")
    for j in range(3):
        sheet.cells[(1, 10 + j)] = Cell([0.5, 0.3, 0.2][j])
    for r in range(2, 40):
        for j in range(3):
            sheet.cells[(r, 1 + j)] = Cell(float((r * (j + 3)) % 11) if (r + j) % 7 else None)
        sheet.cells[(r, 5)] = Cell(None, f"GTM_WEIGHTED_SCORE(A{r}:C{r},$J$1:$L$1)")
        sheet.cells[(r, 6)] = Cell(None, f"GTM_TIER(E{r})")
    wb = WorkbookCells({"S": sheet})
    fast = evaluate_workbook(wb, excel_functions())
    slow = evaluate_workbook(wb, excel_functions(), batching=False)
    # the GTM math sums a block row-wise and one row alone: equal to the last bits
    assert fast.values.keys() == slow.values.keys() and len(fast.values) == 2 * 38
    for key, v in slow.values.items():
        w = fast.values[key]
        assert type(v) is type(w) and (v == w or math.isclose(v, w, rel_tol=1e-12)), (key, v, w)
