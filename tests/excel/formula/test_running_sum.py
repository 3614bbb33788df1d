"""A running total filled down (SUM($B$2:B2), SUM($B$2:B3), …) is computed from one running sum
and gives, bit for bit, what the cell-by-cell SUM gives."""

from __future__ import annotations

import random

import pytest

from gtm_xl.errors import CellError
from gtm_xl.excel.formula import batches, evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def _running_total(column: list, formula: str = "SUM($B$2:B{r})", start: int = 2) -> WorkbookCells:
    sheet = SheetCells("S")
    for i, v in enumerate(column):
        r = start + i
        if v is not None:
            sheet.cells[(r, 2)] = Cell(v)
        sheet.cells[(r, 3)] = Cell(None, formula.format(r=r))
    return WorkbookCells({"S": sheet})


def _same(wb: WorkbookCells, **kw) -> dict:
    fast, slow = evaluate_workbook(wb, **kw), evaluate_workbook(wb, batching=False, **kw)
    assert fast.unsupported == slow.unsupported
    assert fast.values.keys() == slow.values.keys()
    for key, v in slow.values.items():
        w = fast.values[key]
        assert type(v) is type(w) and (v == w if not isinstance(v, float) else v.hex() == w.hex()), (key, v, w)
    return fast.values


@pytest.fixture
def spy(monkeypatch):
    calls = []
    original = batches._Batch.running_sum

    def running_sum(self, ref):
        out = original(self, ref)
        calls.append(len(out))
        return out

    monkeypatch.setattr(batches._Batch, "running_sum", running_sum)
    return calls


def test_running_total_over_mixed_cells_is_bit_identical(spy):
    rnd = random.Random(11)
    pool = [0.1, 0.2, 0.3, 1e16, -1e16, 1.0, 2.5, -0.1, 1e-300, 3.0, "7", "text", True, False, None, 0.0, 7]
    column = [rnd.choice(pool) for _ in range(400)]
    values = _same(_running_total(column))
    assert spy == [400]  # the running-sum path ran, for the whole column
    naive = [float(sum(x for x in column[: i + 1] if type(x) in (float, int))) for i in range(400)]
    assert any(values[("S", 2 + i, 3)] != naive[i] for i in range(400))  # rounding matters in this column


def test_an_error_is_every_later_cell_value(spy):
    column = [0.1, "x", 0.2, None, CellError("#N/A"), 0.3, CellError("#DIV/0!"), 1e16, 1.0] * 3
    values = _same(_running_total(column))
    assert spy == [len(column)]
    assert values[("S", 3, 3)] == 0.1
    assert values[("S", 5, 3)] == 0.30000000000000004
    assert all(values[("S", r, 3)] == CellError("#N/A") for r in range(6, 2 + len(column)))


def test_fsum_rounding_not_a_cumulative_sum(spy):
    column = [1e16, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, -1e16, 0.1] * 20
    values = _same(_running_total(column))
    assert values[("S", 4, 3)] == 1e16 + 2.0  # exactly rounded: 1e16 + 1 + 1, not (1e16 + 1) + 1
    assert values[("S", 9, 3)] == 0.30000000000000004 + 3.0


def test_start_below_the_first_cell_and_other_sheet_and_mixed_forms():
    column = [0.1 * i if i % 5 else "t" for i in range(60)]
    _same(_running_total(column, "SUM($B$5:B{r})", start=5))  # starts on the batch's first row
    _same(_running_total(column, "SUM($B$1:B{r})"))  # the start above the first formula row
    _same(_running_total(column, "SUM(B$2:$B{r})"))  # column flags do not matter within a column
    _same(_running_total(column, "SUM($B$2:$C{r})"))  # a growing block over two columns: cell by cell
    _same(_running_total(column, "SUM($A$2:$B{r})"))  # a growing block: cell by cell, not one row per cell
    _same(_running_total(column, "SUM($B$2:B{r})/2"))
    _same(_running_total(column, "SUM($B$2:B{r})+SUM($B$2:B{r})"))


def test_range_past_the_used_area_falls_back():
    column = [1.0] * 30
    _same(_running_total(column, "SUM($B$2:B{r})+SUM($B$2:B" + "{r}" + ")"))
    wb = _running_total(column, "SUM($B$2:B{r}) + 0")
    sheet = wb.sheets["S"]
    for r in range(2, 32):  # reads 40 rows below each formula: past the sheet's last row for the last ones
        sheet.cells[(r, 3)] = Cell(None, f"SUM($B$2:B{r + 40})")
    _same(wb)


def test_work_budget_tells_the_same_cells(monkeypatch):
    """Under a work budget the same cells are computed and reported as without the running sum
    (the batched path spends a column's cells up front, so it is the reference here)."""
    wb = _running_total([1.5] * 200)
    for budget in (1_000, 5_000, 20_000, 20_299, 20_300, 20_500, 100_000):
        fast = evaluate_workbook(wb, work_budget=budget)
        with monkeypatch.context() as m:
            m.setattr(batches._Batch, "running_sum", lambda self, ref: (_ for _ in ()).throw(batches._NoBatch()))
            slow = evaluate_workbook(wb, work_budget=budget)
        assert fast.unsupported == slow.unsupported
        assert fast.values == slow.values


def test_large_numbers_fall_back(spy):
    column = [1.0, 1e305, 1e305, -1e305, 2.0, 0.1] * 4  # beyond 2**1000: cell by cell
    _same(_running_total(column))
    assert spy == []


def test_a_sum_that_overflows_is_num_not_a_crash():
    """SUM(1E308,1E308) overflows a double: Excel shows #NUM!, and the file is evaluated on."""
    from formula_helpers import E, calc

    assert calc("SUM(A1:A2)", {"A1": 1e308, "A2": 1e308}) == E("#NUM!")
    assert calc("SUM(1E308,1E308)+1", {}) == E("#NUM!")
