"""Information functions: ISNONTEXT, ISEVEN/ISODD, ISREF, ISFORMULA, SHEET, SHEETS, TYPE, ERROR.TYPE, N and
CELL, as Microsoft's reference describes them (its examples cited)."""

from __future__ import annotations

import pytest
from formula_helpers import E, book, calc

from gtm_xl.excel.formula import evaluate_workbook

CELLS = {"A1": 1.0, "A2": "=1+1", "A3": "text", "A4": True, "A5": "=1/0"}


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("ISNONTEXT(A3)", False),
        ("ISNONTEXT(A1)", True),
        ("ISNONTEXT(B9)", True),  # a blank is not text
        ("ISNONTEXT(A5)", True),  # nor is an error value
        ("ISEVEN(-1)", False),  # Microsoft example
        ("ISEVEN(2.5)", True),  # Microsoft example: truncated
        ("ISEVEN(5)", False),  # Microsoft example
        ("ISEVEN(0)", True),  # Microsoft example
        ("ISEVEN(B9)", True),  # a blank is 0
        ("ISODD(-1)", True),  # Microsoft example
        ("ISODD(2.5)", False),  # Microsoft example
        ("ISODD(5)", True),  # Microsoft example
        ("ISREF(A1)", True),
        ("ISREF(A1:B2)", True),
        ("ISREF(1)", False),
        ('ISREF("A1")', False),
        ("ISREF(UNDEFINED_NAME)", False),
        ("ISFORMULA(A2)", True),
        ("ISFORMULA(A1)", False),
        ("SHEET()", 1.0),
        ("SHEET('My s'!A1)", 2.0),
        ('SHEET("my s")', 2.0),
        ("SHEETS()", 2.0),
        ("SHEETS(A1)", 1.0),
        ("TYPE(A1)", 1.0),  # Microsoft's table: number 1, text 2, logical 4, error 16, array 64
        ("TYPE(A3)", 2.0),
        ("TYPE(A4)", 4.0),
        ("TYPE(A5)", 16.0),
        ("TYPE({1,2})", 64.0),
        ('TYPE("Smith")', 2.0),  # Microsoft example
        ("TYPE(B9)", 1.0),
        ("ERROR.TYPE(A5)", 2.0),
        ("ERROR.TYPE(NA())", 7.0),
        ("ERROR.TYPE(#NULL!)", 1.0),
        ("N(A1)", 1.0),
        ("N(A4)", 1.0),  # Microsoft: TRUE is 1
        ("N(A3)", 0.0),  # Microsoft: text is 0
        ('N("7")', 0.0),
        ('CELL("address",A3)', "$A$3"),
        ('CELL("row",C7)', 7.0),
        ('CELL("col",C7)', 3.0),
        ('CELL("contents",A2)', 2.0),
        ('CELL("type",A3)', "l"),
        ('CELL("type",B9)', "b"),
        ('CELL("type",A1)', "v"),
    ],
)
def test_information(formula, expected):
    assert calc(formula, CELLS) == expected


@pytest.mark.parametrize(
    "formula, error",
    [
        ('ISEVEN("a")', "#VALUE!"),  # Microsoft: nonnumeric is #VALUE! (LibreOffice answers text otherwise)
        ('ISODD("a")', "#VALUE!"),
        ("ISFORMULA(1)", "#VALUE!"),
        ('SHEET("nope")', "#N/A"),
        ("ERROR.TYPE(1)", "#N/A"),  # not an error value
        ("N(A5)", "#DIV/0!"),
    ],
)
def test_information_errors(formula, error):
    assert calc(formula, CELLS) == E(error)


@pytest.mark.parametrize("formula", ['CELL("width",A1)', 'CELL("row")', "TYPE(A1:A2)", "ISEVEN(TRUE)"])
def test_cases_not_implemented_are_reported(formula):
    cells = dict(CELLS, Z1="=" + formula)
    ev = evaluate_workbook(book(cells))
    assert ("S", 1, 26) in ev.unsupported


def test_sheet_counts_every_kind_of_sheet():
    wb = book({"Z1": "=SHEET()", "Z2": "=SHEETS()"})
    wb.sheet_names = ["Chart1", "S", "My s"]  # a chart sheet first, as workbook.xml lists it
    ev = evaluate_workbook(wb)
    assert ev.values[("S", 1, 26)] == 2.0
    assert ev.values[("S", 2, 26)] == 3.0
