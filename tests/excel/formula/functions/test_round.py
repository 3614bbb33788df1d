"""Excel's ROUND, one rule in one place: the scalar :func:`excel_round`, the vectorised
:func:`round_vector` the evaluator's batches use, and the templates' Python-side figures."""

from __future__ import annotations

import random

import numpy as np
import pytest

from gtm_xl.excel.formula.functions.mathtrig import excel_round, round_vector

# values where half away from zero, binary floating point and the 15-significant-digit step disagree
AWKWARD = [1.005, 2.675, 0.285, 1.015, -1.005, -2.675, -0.5, 0.5, 1.5, 2.5, -2.5, 0.125, 1e15 + 0.5, -(1e15 + 0.5)]
AWKWARD += [1234.5, 0.1 + 0.2, 5e-7, 123456789.125, 4.35, 8.345, 1.45, 0.0, -0.0, 1e-300, 9.995, 99.995, 1e20]
AWKWARD += [48936813233802.45, 73207640089911.34, -5489289352086.795, 2.0**53 + 1, 4503599627370495.5]


@pytest.mark.parametrize(
    "x, digits, expected",
    [(1.005, 2, 1.01), (2.675, 2, 2.68), (-0.5, 0, -1.0), (0.5, 0, 1.0), (1e15 + 0.5, 0, 1e15), (-2.675, 2, -2.68)],
)
def test_excel_round_takes_15_significant_digits_then_half_away_from_zero(x, digits, expected):
    assert excel_round(x, digits) == expected


@pytest.mark.parametrize("mode, name", [("half", "ROUND"), ("up", "ROUNDUP"), ("down", "ROUNDDOWN")])
def test_round_vector_is_the_scalar_rule(mode, name):
    from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP

    rounding = {"half": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}[mode]
    rnd = random.Random(11)
    xs = [round(rnd.uniform(-1e6, 1e6), rnd.randint(0, 5)) + rnd.choice([0, 0.5, 0.005, 0.0005]) for _ in range(5000)]
    xs += [rnd.uniform(-1, 1) * 10.0 ** rnd.randint(-8, 14) for _ in range(2000)]
    xs += AWKWARD
    arr = np.array(xs)
    for digits in (-2, -1, 0, 1, 2, 3, 4, 15, 25):
        got = round_vector(arr, digits, mode).tolist()
        want = [excel_round(x, digits, rounding) for x in xs]
        bad = [(x, g, w) for x, g, w in zip(xs, got, want) if g != w]
        assert not bad, (name, digits, bad[:5])


def test_templates_round_as_the_evaluator():
    from gtm_xl.templates import layout

    assert layout.excel_round is excel_round
    assert layout.excel_round(1.005, 2) == 1.01  # the templates' old copy gave 1.0
