"""Engine-side hardening: a formula never allocates without bound, never fails the file.
Text beyond Excel's 32,767 characters is #VALUE! (checked before it is built); an array larger than
the sheet is not built (the cell is left to Excel); a work budget per file bounds cells computed and
array elements, and a file that uses it up is reported, not hung."""

from __future__ import annotations

import time
import tracemalloc

from formula_helpers import E, book, calc

from gtm_xl.excel.formula import evaluate_workbook


def _cheap(fn):
    tracemalloc.start()
    t = time.perf_counter()
    try:
        out = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t < 5
    assert peak < 50_000_000, peak
    return out


def test_rept_beyond_the_cell_limit_is_value_error_without_building_it():
    assert _cheap(lambda: calc('REPT("x",1E9)')) == E("#VALUE!")
    assert calc('LEN(REPT("ab",16383))') == 32766.0
    assert calc('REPT("ab",16384)') == E("#VALUE!")


def test_concatenation_beyond_the_cell_limit_is_value_error():
    assert calc('REPT("x",32767)&"y"') == E("#VALUE!")
    assert calc('LEN(REPT("x",32766)&"y")') == 32767.0


def test_an_array_larger_than_the_sheet_is_left_to_excel():
    for formula in ("SEQUENCE(1000000000)", "SUM(SEQUENCE(300000000))", "SEQUENCE(1,20000)"):
        wb = book({"A1": "=" + formula}, dynamic={"A1"})
        ev = _cheap(lambda wb=wb: evaluate_workbook(wb))
        assert ("S", 1, 1) in ev.unsupported, formula


def test_a_file_that_uses_up_its_work_budget_is_reported_not_hung():
    cells = {f"A{r}": f"=SUM(SEQUENCE(1000))+{r}" for r in range(1, 101)}
    ev = evaluate_workbook(book(cells, dynamic=set(cells)), work_budget=20_000)
    reasons = set(ev.unsupported.values())
    assert reasons == {"(work budget used up)"}
    assert 5 <= len(ev.values) < 100
    assert ev.values[("S", 1, 1)] == 500501.0
    full = evaluate_workbook(book(cells, dynamic=set(cells)))
    assert not full.unsupported and full.values[("S", 100, 1)] == 500600.0
