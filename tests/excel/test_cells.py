"""excel/ooxml/cells.py: A1 references and the cell model (its light and full forms agree)."""

from __future__ import annotations

import pytest

from gtm_xl.excel.ooxml.cells import (
    Cell,
    SheetCells,
    WorkbookCells,
    column_index,
    column_letter,
    parse_a1,
    parse_range,
    to_a1,
)


@pytest.mark.parametrize(("letters", "index"), [("A", 1), ("Z", 26), ("AA", 27), ("AB", 28), ("XFD", 16384)])
def test_column_letters_and_indexes_are_inverse(letters, index):
    assert column_index(letters) == index
    assert column_index(letters.lower()) == index
    assert column_letter(index) == letters


@pytest.mark.parametrize("bad", ["", "A1", "XFE", "1"])
def test_column_index_refuses_what_is_not_a_column_of_the_sheet(bad):
    with pytest.raises(ValueError):
        column_index(bad)


@pytest.mark.parametrize("bad", [0, 16385])
def test_column_letter_refuses_indexes_outside_the_sheet(bad):
    with pytest.raises(ValueError):
        column_letter(bad)


def test_a1_parsing_ignores_dollars_and_checks_bounds():
    assert parse_a1("B3") == (3, 2)
    assert parse_a1(" $B$3 ") == (3, 2)
    assert parse_a1("XFD1048576") == (1048576, 16384)
    for bad in ("B0", "B1048577", "3B", "B", "Sheet!B3"):
        with pytest.raises(ValueError):
            parse_a1(bad)


def test_ranges_are_normalised_to_min_and_max():
    assert parse_range("A1:C3") == (1, 1, 3, 3)
    assert parse_range("C3:A1") == (1, 1, 3, 3)
    assert parse_range("B2") == (2, 2, 2, 2)
    with pytest.raises(ValueError):
        parse_range("A:A")


def test_to_a1_relative_and_absolute():
    assert to_a1(3, 2) == "B3"
    assert to_a1(3, 2, absolute=True) == "$B$3"
    assert parse_a1(to_a1(17, 731)) == (17, 731)


def _light() -> SheetCells:
    formula = Cell(value=4.0, formula="A1*2")
    return SheetCells.from_values("S", {(1, 1): 2.0, (1, 2): 4.0, (2, 1): "x"}, {(1, 2): formula})


def _full() -> SheetCells:
    return SheetCells("S", {(1, 1): Cell(2.0), (1, 2): Cell(value=4.0, formula="A1*2"), (2, 1): Cell("x")})


@pytest.mark.parametrize("make", [_light, _full])
def test_sheet_cells_answer_the_same_in_both_forms(make):
    sheet = make()
    assert sheet.value(1, 1) == 2.0 and sheet.value(2, 1) == "x" and sheet.value(9, 9) is None
    assert sheet.values() == {(1, 1): 2.0, (1, 2): 4.0, (2, 1): "x"}
    assert list(sheet.formula_cells()) == [(1, 2)]
    assert sheet.get((1, 2)).formula == "A1*2"
    assert sheet.get((2, 1)).value == "x" and sheet.get((2, 1)).formula is None
    assert sheet.get((5, 5)) is None


def test_the_light_form_becomes_the_full_form_on_first_use_of_cells():
    sheet = _light()
    cells = sheet.cells
    assert list(cells) == [(1, 1), (1, 2), (2, 1)]  # document order kept
    assert cells[(1, 2)].formula == "A1*2"
    assert sheet.values() == {(1, 1): 2.0, (1, 2): 4.0, (2, 1): "x"}
    sheet.cells = {(3, 3): Cell(1.0)}
    assert sheet.values() == {(3, 3): 1.0} and sheet.formula_cells() == {}


def test_workbook_sheets_are_found_case_insensitively():
    book = WorkbookCells({"Plan": _full()}, {"TOTAL": "Plan!$A$1"})
    assert book.sheet("plan") is book.sheets["Plan"]
    with pytest.raises(KeyError):
        book.sheet("Other")
