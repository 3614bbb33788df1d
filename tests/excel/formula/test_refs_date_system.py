"""The workbook's date system: ``<workbookPr date1904="1"/>`` is read, the evaluation context tells
the functions (:func:`gtm_xl.excel.formula.functions.context.date1904`), and a date function that
does not read it is unsupported in a 1904 workbook rather than four years off."""

from __future__ import annotations

from refs_xlsx_helpers import read_and_evaluate, write_xlsx

from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.formula.functions import context
from gtm_xl.excel.formula.functions.registry import BUILTINS
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def _sheet(tmp_path, pr: str):
    rows = (
        '<row r="1"><c r="A1"><v>0</v></c><c r="B1"><f>YEAR(A1)</f><v>0</v></c><c r="C1"><f>A1+1</f><v>0</v></c></row>'
    )
    return read_and_evaluate(write_xlsx(tmp_path / "d.xlsx", {"S": rows}, workbook_pr=pr))


def test_the_date_system_is_read(tmp_path):
    book, _ = _sheet(tmp_path, '<workbookPr date1904="1"/>')
    assert book.date1904 is True
    book, _ = _sheet(tmp_path, '<workbookPr date1904="false"/>')
    assert book.date1904 is False
    book, _ = _sheet(tmp_path, "")
    assert book.date1904 is False


def test_date_functions_follow_a_1904_book(tmp_path):
    _, ev = _sheet(tmp_path, '<workbookPr date1904="1"/>')
    assert ev.values[("S", 1, 2)] == 1904.0  # serial 0 is 1904-01-01 there (1900-01-00 in the 1900 system)
    assert ev.values[("S", 1, 3)] == 1.0  # arithmetic on serials does not depend on the system
    _, ev = _sheet(tmp_path, "")
    assert ev.values[("S", 1, 2)] == 1900.0


def test_a_date_function_that_does_not_read_it_is_unsupported_in_a_1904_book():
    """A function of the date-system list that has not declared it reads the system is not run in a
    1904 book (the guard for functions added later)."""
    sheet = SheetCells("S")
    sheet.cells[(1, 1)] = Cell(None, 'NUMBERVALUE("1")')
    assert not getattr(BUILTINS["NUMBERVALUE"].fn, "reads_date_system", False)
    ev = evaluate_workbook(WorkbookCells({"S": sheet}, date1904=True))
    assert ("S", 1, 1) in ev.unsupported
    ev = evaluate_workbook(WorkbookCells({"S": sheet}, date1904=False))
    assert ev.values[("S", 1, 1)] == 1.0


def test_functions_read_the_date_system_of_the_book_being_evaluated():
    seen = []

    @context.reads_date_system
    def probe():
        seen.append(context.date1904())
        return 1.0

    for flag in (True, False):
        sheet = SheetCells("S")
        sheet.cells[(1, 1)] = Cell(None, "PROBE()")
        ev = evaluate_workbook(WorkbookCells({"S": sheet}, date1904=flag), functions={"PROBE": probe})
        assert ev.values[("S", 1, 1)] == 1.0
    assert seen == [True, False]
    assert context.date1904() is False  # outside an evaluation


def test_functions_can_tell_an_array_formula_from_an_ordinary_cell():
    seen = {}

    def probe(tag):
        seen[tag] = context.array_formula()
        return 1.0

    sheet = SheetCells("S")
    sheet.cells[(1, 1)] = Cell(None, 'PROBE("plain")')
    sheet.cells[(2, 1)] = Cell(None, 'PROBE("dynamic")', array_ref="A2", dynamic=True)
    sheet.cells[(3, 1)] = Cell(None, 'SUMPRODUCT(PROBE("array parameter"))')
    evaluate_workbook(WorkbookCells({"S": sheet}), functions={"PROBE": probe})
    assert seen == {"plain": False, "dynamic": True, "array parameter": True}
