"""Statistical functions."""

from __future__ import annotations

from formula_helpers import calc


def test_conditional_aggregates():
    cells = {
        "A1": 1.0,
        "A2": 5.0,
        "A3": "5",
        "A4": "apple",
        "A5": None,
        "B1": 10.0,
        "B2": 20.0,
        "B3": 30.0,
        "B4": 40.0,
        "B5": 50.0,
    }
    assert calc('COUNTIF(A1:A5,">2")', cells) == 1.0
    assert calc("COUNTIF(A1:A5,5)", cells) == 1.0
    assert calc('COUNTIF(A1:A5,"5")', cells) == 2.0
    assert calc('COUNTIF(A1:A5,"ap*")', cells) == 1.0
    assert calc('SUMIF(A1:A5,">=1",B1:B5)', cells) == 30.0
    assert calc('SUMIFS(B1:B5,A1:A5,"<>apple",B1:B5,">10")', cells) == 100.0
    assert calc('AVERAGEIF(A1:A5,">0",B1:B5)', cells) == 15.0
    assert calc('COUNTIFS(A1:A5,"")', cells) == 1.0
    assert calc("AVERAGE(A1:A5)", cells) == 3.0
