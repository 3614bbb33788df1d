"""R1C1 keys: the cells of a filled column share one."""

from __future__ import annotations

from gtm_xl.excel.formula import parse, r1c1_key


def test_r1c1_key_groups_a_filled_column():
    assert r1c1_key("A2*$B$1+C2", 2, 4) == r1c1_key("A3*$B$1+C3", 3, 4)
    assert r1c1_key("A2*$B$1", 2, 4) != r1c1_key("A2*$B$1", 3, 4)
    assert r1c1_key('LOG10(A1)&"A1"', 1, 2) == r1c1_key('LOG10(A2)&"A1"', 2, 2)
    assert parse("SUM(A1:B2)")[0] == "fn"
