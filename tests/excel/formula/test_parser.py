"""Parsing: Excel's operator precedence and the operators."""

from __future__ import annotations

import pytest
from formula_helpers import calc


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("1+2*3", 7.0),
        ("(1+2)*3", 9.0),
        ("-2^2", 4.0),
        ("2^3^2", 64.0),
        ("10-2-3", 5.0),
        ("50%", 0.5),
        ("2*50%", 1.0),
        ('1+2&"x"', "3x"),
        ("1<2", True),
        ('"a"="A"', True),
        ('"b">"a"', True),
        ('1<"a"', True),
        ('"z"<TRUE', True),
        ("8/2/2", 2.0),
        ("-3+5", 2.0),
    ],
)
def test_precedence_and_operators(formula, expected):
    assert calc(formula) == expected
