"""Text functions."""

from __future__ import annotations

from formula_helpers import calc


def test_text():
    assert calc('CONCAT("a",{1,2})') == "a12"
    assert calc('CONCATENATE("a",1,TRUE)') == "a1TRUE"
    assert calc('LEFT("hello",2)&MID("hello",2,3)&RIGHT("hello")&LEN("hey")') == "heello3"
    assert calc('TEXT(1234.567,"#,##0.00")') == "1,234.57"
    assert calc('TEXT(0.256,"0.0%")') == "25.6%"
    assert calc('TEXT(DATE(2024,2,29),"yyyy-mm-dd")') == "2024-02-29"
    assert calc('UPPER(TRIM("  a  b "))') == "A B"
