"""Lookup & Reference functions."""

from __future__ import annotations

from formula_helpers import E, calc


def test_lookups():
    cells = {"A1": "a", "A2": "b", "A3": "c", "B1": 1.0, "B2": 2.0, "B3": 3.0}
    assert calc('VLOOKUP("B",A1:B3,2,FALSE)', cells) == 2.0
    assert calc("VLOOKUP(2.5,B1:B3,1)", cells) == 2.0
    assert calc('VLOOKUP("q",A1:B3,2,FALSE)', cells) == E("#N/A")
    assert calc("MATCH(C9,B1:B3,0)", cells) == E("#N/A")  # an exact lookup of a blank finds nothing
    assert calc('HLOOKUP(2,{1,2;"x","y"},2,FALSE)') == "y"
    assert calc("INDEX(A1:B3,2,2)", cells) == 2.0
    assert calc('MATCH("c",A1:A3,0)', cells) == 3.0
    assert calc("INDEX(A1:A3,MATCH(3,B1:B3,0))", cells) == "c"
    # XLOOKUP: not in LibreOffice 7.4, checked against Excel's documented examples
    assert calc('XLOOKUP("b",A1:A3,B1:B3)', cells) == 2.0
    assert calc('XLOOKUP("q",A1:A3,B1:B3,"none")', cells) == "none"
    assert calc("XLOOKUP(2.5,B1:B3,A1:A3,,1)", cells) == "c"  # next larger
    assert calc("XLOOKUP(2.5,B1:B3,A1:A3,,-1)", cells) == "b"  # next smaller
    assert calc("RANK(2,B1:B3)", cells) == 2.0
    assert calc("RANK.EQ(2,B1:B3,1)", cells) == 2.0
    assert calc("LARGE(B1:B3,1)+SMALL(B1:B3,1)", cells) == 4.0


def test_choose():
    assert calc('CHOOSE(2,"x","y")') == "y"
