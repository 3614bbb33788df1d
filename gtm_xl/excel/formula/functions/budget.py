"""The work budget of one workbook's evaluation: how many cells and array elements it may compute,
so that one hostile file (``=SEQUENCE(1000000000)``, ``=REPT("x",1E9)`` filled down) costs seconds
and megabytes, is reported, and a batch goes on.

The evaluator opens a budget per file (:func:`limited`, a parameter of
:func:`~gtm_xl.excel.formula.evaluate_workbook`); functions that build arrays or long texts
:func:`spend` on it before they allocate. Spending beyond it raises :class:`BudgetExceeded` (an
:class:`~gtm_xl.excel.formula.functions.coercion.Unsupported`): the cell, and every cell after it in
the file, is left to Excel and reported.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from gtm_xl.excel.formula.functions.coercion import Unsupported

__all__ = ["DEFAULT_BUDGET", "BudgetExceeded", "limited", "spend"]

#: cells computed, range cells read and array elements built by one workbook, all formulas
#: together: minutes of work at most (a 10,000-row running total SUM($B$2:B2) reads 50 million
#: cells; the 10,000-row scoring benchmark spends well under 1%)
DEFAULT_BUDGET = 500_000_000

#: elements of one array or one range read: beyond it the cell is left to Excel (~160 MB of
#: pointers alone), whatever the budget left
MAX_ONE_ARRAY = 20_000_000


class BudgetExceeded(Unsupported):
    """The workbook used up its work budget."""


class _Budget:
    __slots__ = ("left", "total")

    def __init__(self, total: int) -> None:
        self.total = total
        self.left = total


_CURRENT: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("gtm_xl_budget", default=None)


@contextmanager
def limited(total: int = DEFAULT_BUDGET) -> Iterator[_Budget]:
    """Evaluate under a budget of ``total`` units (array elements, characters)."""
    budget = _Budget(total)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def spend(units: int) -> None:
    """Count ``units`` about to be allocated; :class:`BudgetExceeded` when the budget is used up
    (also when a single request alone exceeds it)."""
    if units > MAX_ONE_ARRAY:
        raise BudgetExceeded(f"an array of more than {MAX_ONE_ARRAY:,} elements")
    b = _CURRENT.get()
    if b is None:
        return
    b.left -= units
    if b.left < 0:
        raise BudgetExceeded(f"the workbook's work budget ({b.total:,}) is used up")


def spend_reads(units: int) -> bool:
    """Count ``units`` spread over many range reads (each under :data:`MAX_ONE_ARRAY`) at once, as
    those reads made one by one would: False, spending nothing, when they would use the budget up
    (the caller then makes them one by one, so the cell that passes it is the one reported)."""
    b = _CURRENT.get()
    if b is None:
        return True
    if b.left < units:
        return False
    b.left -= units
    return True


def exhausted() -> bool:
    """True once the current budget is used up."""
    b = _CURRENT.get()
    return b is not None and b.left < 0
