"""3-D references: ``SUM(Sheet2:Sheet4!A1)`` is the SUM of A1 on every sheet from Sheet2 to Sheet4
in workbook order (Microsoft, "Create a 3-D reference to the same cell range on multiple
worksheets": SUM, AVERAGE, COUNT, MAX, MIN, PRODUCT, STDEV, VAR… accept them)."""

from __future__ import annotations

from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def _book(formula: str) -> WorkbookCells:
    sheets = {}
    for i, name in enumerate(["Summary", "Jan", "Feb", "Mar", "Apr"]):
        sheets[name] = SheetCells(name)
        if i:
            sheets[name].cells[(1, 1)] = Cell(float(i))
            sheets[name].cells[(2, 1)] = Cell(None, "A1*10")
    sheets["Summary"].cells[(1, 1)] = Cell(None, formula)
    return WorkbookCells(sheets)


def _value(formula: str):
    ev = evaluate_workbook(_book(formula))
    return ev.values.get(("Summary", 1, 1)), ev


def test_sum_over_the_sheets_between_in_workbook_order():
    assert _value("SUM(Jan:Mar!A1)")[0] == 6.0
    assert _value("SUM(Mar:Jan!A1)")[0] == 6.0
    assert _value("AVERAGE(Feb:Apr!A1)")[0] == 3.0
    assert _value("COUNT(Jan:Apr!A1:A2)")[0] == 8.0
    assert _value("MAX('Jan:Apr'!A1)")[0] == 4.0


def test_formula_cells_on_the_sheets_are_computed_first():
    assert _value("SUM(Jan:Apr!A2)")[0] == 100.0


def test_a_3d_reference_outside_the_functions_that_take_it_is_not_guessed():
    v, ev = _value("Jan:Mar!A1+1")
    assert ("Summary", 1, 1) in ev.unsupported
