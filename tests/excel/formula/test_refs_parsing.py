"""Parsing as Excel stores formulas: line breaks and spaces between tokens, every error value Excel
can store, a defined name the parser cannot read, very long formulas, references past the sheet."""

from __future__ import annotations

import pytest
from formula_helpers import E, book, calc

from gtm_xl.excel.formula import evaluate_workbook, parse
from gtm_xl.excel.values import ERROR_CODES, CellError


def test_line_breaks_and_spaces_between_tokens():
    cells = {"A1": 2.0, "B2": 3.0}
    assert calc("SUM(\r\nA1,\n B2)", cells) == 5.0
    assert calc(" A1 +\n B2 ", cells) == 5.0
    assert calc('"a\r\nb"&1') == "a\r\nb1"  # inside a string literal nothing changes


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_error_value_is_read_kept_and_propagated(code):
    assert parse(code) == ("lit", CellError(code))
    assert calc(code) == E(code)
    assert calc("A1+1", {"A1": CellError(code)}) == E(code)
    assert calc(f"IF(ISERROR({code}),1,2)") == 1.0


def test_a_sheet_prefixed_ref_error():
    assert calc("'My s'!#REF!") == E("#REF!")
    assert calc("SUM(S!#REF!,1)") == E("#REF!")


def test_an_unreadable_defined_name_leaves_only_its_cells_to_excel():
    wb = book({"A1": "=Broken+1", "A2": "=1+1"}, names={"Broken": "S!A1 +* 2"})
    ev = evaluate_workbook(wb)
    assert ("S", 1, 1) in ev.unsupported
    assert ev.values[("S", 2, 1)] == 2.0


def test_a_formula_of_thousands_of_terms_is_computed():
    formula = "+".join(["A1"] * 2000)  # ~6,000 characters, within Excel's 8,192
    assert calc(formula, {"A1": 1.0}) == 2000.0
    assert calc("(" * 2000 + "1" + ")" * 2000) == 1.0


def test_a_reference_past_the_sheet_is_unsupported_never_zero():
    for formula in ("XFE1+1", "A1048577", "SUM(A1:XFE3)"):
        wb = book({"A1": "=" + formula})
        ev = evaluate_workbook(wb)
        assert ("S", 1, 1) in ev.unsupported, formula
        assert ("S", 1, 1) not in ev.values


def test_intersection_operator():
    cells = {"B2": 1.0, "B3": 2.0, "C3": 5.0}
    assert calc("SUM(A1:B5 B2:C3)", cells) == 3.0
    assert calc("A1:C3 C3:D4", cells) == 5.0
    assert calc("A1:A2 C1:C2") == E("#NULL!")


def test_union_operator_in_functions_that_take_unions():
    cells = {"A1": 1.0, "A2": 2.0, "C1": 4.0}
    assert calc("SUM((A1:A2,C1))", cells) == 7.0
    assert calc("COUNT((A1:A2,C1),A1)", cells) == 4.0
    assert calc("AREAS((A1:A2,C1,D5))", cells) == 3.0
    assert calc("AREAS(A1:C3)", cells) == 1.0


def test_a_name_with_relative_references_is_not_guessed():
    """Excel applies a name's relative references from the cell using it: left to Excel."""
    wb = book({"A1": 1.0, "B2": "=Rel*2", "B3": "=Fixed*2"}, names={"Rel": "S!A1", "Fixed": "S!$A$1"})
    ev = evaluate_workbook(wb)
    assert ("S", 2, 2) in ev.unsupported
    assert ev.values[("S", 3, 2)] == 2.0


def test_a_line_break_between_two_references_is_not_guessed():
    """openpyxl's tokenizer glues the operands around a line break ("A1\\nB1" → "A1B1"); the
    engine reads breaks as white space, and where that would make an intersection, declines."""
    wb = book({"A1": 1.0, "B1": 2.0, "C1": "=A1:B1\nA1", "C2": "=A1\n+B1"})
    ev = evaluate_workbook(wb)
    assert ("S", 1, 3) in ev.unsupported
    assert ev.values[("S", 2, 3)] == 3.0


def test_a_range_naming_its_sheet_on_both_ends():
    cells = {"A1": 1.0, "B2": 2.0}
    assert calc("SUM(S!A1:S!B2)", cells) == 3.0
    assert calc("SUM('My s'!$A$1:'My s'!B2)", other={"A1": 5.0, "B1": 1.0}) == 6.0
