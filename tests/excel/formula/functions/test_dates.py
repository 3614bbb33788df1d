"""Date & Time functions."""

from __future__ import annotations

from formula_helpers import calc


def test_dates():
    assert calc("DATE(2024,14,1)") == calc("DATE(2025,2,1)")
    assert calc("EOMONTH(DATE(2024,1,31),1)") == calc("DATE(2024,2,29)")
    assert calc("YEAR(45000)*100+MONTH(45000)") == 202303.0
