"""Logical functions."""

from __future__ import annotations

from formula_helpers import calc


def test_logical():
    assert calc('IFS(1>2,"a",2>1,"b")') == "b"
    assert calc("AND(TRUE,1)") is True
    assert calc("OR(FALSE,0)") is False
    assert calc("NOT(0)") is True
