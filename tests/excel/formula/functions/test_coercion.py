"""Coercion and error propagation (functions/coercion.py)."""

from __future__ import annotations

from formula_helpers import E, calc


def test_coercion_blank_text_numbers_booleans():
    cells = {"A1": None, "A2": "5", "A3": True, "A4": "x"}
    assert calc("A1+1", cells) == 1.0
    assert calc("A2*2", cells) == 10.0
    assert calc("A3+1", cells) == 2.0
    assert calc("A4+1", cells) == E("#VALUE!")
    assert calc('A1&"!"', cells) == "!"
    assert calc("A1", cells) == 0.0  # a formula pointing at a blank shows 0
    assert calc("SUM(A1:A4)", cells) == 0.0  # ranges: text and booleans are not summed
    assert calc('SUM("2",TRUE)') == 3.0  # typed arguments are coerced
    assert calc("COUNT(A1:A4)", cells) == 0.0
    assert calc("COUNTA(A1:A4)", cells) == 3.0
    assert calc("COUNTBLANK(A1:A4)", cells) == 1.0
    assert calc("1&1.5") == "11.5"
    assert calc('0.1+0.2&""') == "0.3"


def test_errors_propagate_and_are_caught():
    cells = {"A1": 0.0, "A2": E("#N/A")}
    assert calc("1/A1", cells) == E("#DIV/0!")
    assert calc("SUM(A1:A2)", cells) == E("#N/A")
    assert calc("A2+1", cells) == E("#N/A")
    assert calc('IFERROR(1/A1,"none")', cells) == "none"
    assert calc("IFNA(A2,7)", cells) == 7.0
    assert calc("IFNA(1/A1,7)", cells) == E("#DIV/0!")
    assert calc("ISERROR(A2)", cells) is True
    assert calc("IF(TRUE,1,1/0)") == 1.0  # the branch not taken is not evaluated
    assert calc("#REF!+1") == E("#REF!")
