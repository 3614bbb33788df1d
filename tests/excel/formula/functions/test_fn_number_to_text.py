"""Numbers turned into text as Excel does it (``=A1&""``, TEXT-less concatenation, SEARCH of a number):
15 significant digits, fixed notation while it fits, a signed two-digit exponent otherwise; and the
en-US currency text Excel reads back as a number."""

from __future__ import annotations

import pytest
from formula_helpers import calc

from gtm_xl.excel.formula.functions.coercion import Unsupported, number_to_text, text_number


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0001, "1.0001"),
        (756.0, "756"),
        (123.45678901234568, "123.456789012346"),
        (1.2345678901234568e-5, "1.23456789012346E-05"),
        (1.2345678901234567e-4, "0.000123456789012346"),
        (1.23456789e-5, "0.0000123456789"),
        (5.6789012345e-8, "0.000000056789012345"),
        (5.67890123456e-8, "5.67890123456E-08"),
        (2.0e-50, "2E-50"),
        (1.2345678901234568e15, "1234567890123460"),
        (1.2345678901234567e19, "12345678901234600000"),
        (1.2345678901234568e20, "1.23456789012346E+20"),
        (-1.2345678901234568e20, "-1.23456789012346E+20"),
        (2.0e50, "2E+50"),
        (123499.9999999999, "123500"),
        (9.999999999999999e-9, "0.00000001"),
        (9.999999999999999e-20, "1E-19"),
        (0.00001, "0.00001"),
        (1 / 3, "0.333333333333333"),
    ],
)
def test_number_to_text(number, text):
    assert number_to_text(number) == text


@pytest.mark.parametrize("number", [1e99, 1e-99, float("inf")])
def test_number_to_text_not_guessed_beyond_its_rules(number):
    with pytest.raises(Unsupported):
        number_to_text(number)


def test_a_number_searched_as_text():
    assert calc("SEARCH(B1,C1)", {"B1": 0.00001, "C1": "value 0.00001"}) == 7.0
    assert calc('A1&""', {"A1": 1.2345678901234568e-5}) == "1.23456789012346E-05"


def test_currency_text_reads_as_a_number():
    assert text_number("$1,000") == 1000.0 and text_number("-$2.50") == -2.5
    assert calc('VALUE("$1,000")', {}) == 1000.0
    assert calc('DOLLAR("$1.00")', {}) == "$1.00"
    with pytest.raises(ValueError):
        text_number("$")


def test_sumproduct_of_one_cell_text_is_left_to_excel():
    from formula_helpers import book, evaluate_workbook

    ev = evaluate_workbook(book({"A1": "4", "B1": 2.0, "C1": "=SUMPRODUCT(A1:A1,B1:B1)"}))
    assert ("S", 1, 3) in ev.unsupported
