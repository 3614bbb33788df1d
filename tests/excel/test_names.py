"""excel/ooxml/names.py: the one resolver of a defined name's text."""

from __future__ import annotations

import pytest

from gtm_xl.excel.ooxml.names import Area, area, constant, lookup, resolve, text_constant


@pytest.mark.parametrize(
    ("text", "value"),
    [('"scoring_matrix:1.0"', "scoring_matrix:1.0"), ('"a ""b"""', 'a "b"'), ("=0.25", 0.25), (" 12 ", 12.0)],
)
def test_constants(text, value):
    assert constant(text) == value


@pytest.mark.parametrize("text", [None, "Sheet1!$A$1", "SUM(A1:A3)", "#REF!", '"unclosed'])
def test_what_is_not_a_constant(text):
    assert constant(text) is None


@pytest.mark.parametrize("text", ["plain", 'with "quotes"', "", '""'])
def test_text_constant_is_the_inverse_of_constant(text):
    assert constant(text_constant(text)) == text


def test_areas():
    assert area("Settings!$B$2:$B$5") == Area("Settings", 2, 2, 5, 2)
    assert area("='My ''own'' sheet'!C3") == Area("My 'own' sheet", 3, 3, 3, 3)
    assert area("A1:B2") == Area(None, 1, 1, 2, 2)
    where = area("S!B2:C3")
    assert where is not None and not where.is_cell and where.size == 4
    assert where.cells() == [(2, 2), (2, 3), (3, 2), (3, 3)]
    assert area("S!D4").is_cell


@pytest.mark.parametrize(
    "text", [None, "#REF!", "S!A1,S!B2", "SUM(S!A1:A2)", "S!A:A", "[1]S!A1", '"text"', "S!#REF!", "OFFSET(S!A1,1,1)"]
)
def test_what_is_not_one_area(text):
    assert area(text) is None


def test_lookup_finds_the_sheet_scoped_name_first():
    names = {"RATE": "Global!$A$1", "PLAN!RATE": "Plan!$B$1"}
    assert lookup(names, "rate") == "Global!$A$1"
    assert lookup(names, "Rate", "Plan") == "Plan!$B$1"
    assert lookup(names, "rate", "Other") == "Global!$A$1"
    assert lookup(names, "missing", "Plan") is None


def test_resolve_follows_names_that_name_names():
    names = {"A": "=B", "B": "C", "C": "S!$A$1", "LOOP": "LOOP"}
    assert resolve(names, "a") == "S!$A$1"
    assert resolve(names, "S!B2") == "S!B2"
    assert resolve(names, "loop") == "LOOP"  # bounded: a cycle stops
    assert resolve(names, "a", hops=1) == "B"
