"""Math & Trig functions."""

from __future__ import annotations

import pytest
from formula_helpers import E, calc


@pytest.mark.parametrize(
    "x, digits, expected",
    [
        (2.675, 2, 2.68),
        (1.005, 2, 1.01),
        (-2.5, 0, -3.0),
        (0.285, 2, 0.29),
        (1234.5, -1, 1230.0),
        (0.1 + 0.2, 15, 0.3),
        (2.5, 0, 3.0),
        (-0.125, 2, -0.13),
    ],
)
def test_round_as_excel(x, digits, expected):
    assert calc(f"ROUND({x!r},{digits})") == expected


def test_roundup_rounddown_int_mod_ceiling_floor():
    assert calc("ROUNDUP(3.141,2)") == 3.15
    assert calc("ROUNDDOWN(-3.149,2)") == -3.14
    assert calc("INT(-1.5)") == -2.0
    assert calc("MOD(-3,2)") == 1.0
    assert calc("MOD(3,0)") == E("#DIV/0!")
    assert calc("CEILING(2.5,1)") == 3.0
    assert calc("FLOOR(2.5,1)") == 2.0
    assert calc("CEILING.MATH(-2.5)") == -2.0
    assert calc("FLOOR.MATH(-2.5)") == -3.0
    assert calc("CEILING(0.3,0.1)") == 0.3
