"""What a function may need to know of the workbook and the cell it is evaluated in, in one place:
the workbook's date system (:func:`date1904`) and whether the cell is an array formula
(:func:`array_formula`).

Excel counts dates from 1900-01-00 (serial 0; serial 60 is the fictitious 1900-02-29) or, in a
workbook saved with ``<workbookPr date1904="1"/>`` (Mac Excel's default before 2011), from
1904-01-01 (serial 0). The evaluator sets the workbook's system for the time of its evaluation
(:func:`workbook_context`); a function that turns serial numbers into dates or back reads it with
:func:`date1904` and declares so with :func:`reads_date_system`. In a 1904 workbook the evaluator
refuses (reports unsupported) every function of :data:`DATE_SYSTEM_FUNCTIONS` that has not
declared it, rather than compute a date four years off.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DATE_SYSTEM_FUNCTIONS", "array_formula", "date1904", "reads_date_system", "workbook_context"]

_DATE1904: contextvars.ContextVar[bool] = contextvars.ContextVar("gtm_xl_date1904", default=False)


def date1904() -> bool:
    """True while a workbook in the 1904 date system is evaluated."""
    return _DATE1904.get()


@contextmanager
def workbook_context(date1904: bool = False) -> Iterator[None]:
    """Evaluate in a workbook of this date system (set by the evaluator)."""
    token = _DATE1904.set(bool(date1904))
    try:
        yield
    finally:
        _DATE1904.reset(token)


def reads_date_system(fn):
    """Mark a function as reading :func:`date1904` (so it may run in a 1904 workbook)."""
    fn.reads_date_system = True
    return fn


#: Functions whose result depends on the date system (serial ↔ calendar date), besides every
#: function of the Date & Time category: in a 1904 workbook they run only when they read it.
DATE_SYSTEM_FUNCTIONS = frozenset(
    {"TEXT", "VALUE", "DATEVALUE", "NUMBERVALUE", "DOLLAR", "YEARFRAC", "COUPDAYBS", "COUPDAYS",
     "COUPDAYSNC", "COUPNCD", "COUPNUM", "COUPPCD", "ACCRINT", "ACCRINTM", "PRICE", "YIELD",
     "DISC", "INTRATE", "RECEIVED", "PRICEDISC", "PRICEMAT", "YIELDDISC", "YIELDMAT", "TBILLPRICE",
     "TBILLYIELD", "TBILLEQ", "DURATION", "MDURATION", "ODDFPRICE", "ODDFYIELD", "ODDLPRICE",
     "ODDLYIELD", "AMORDEGRC", "AMORLINC", "XNPV", "XIRR"}
)  # fmt: skip


class _Cell:
    __slots__ = ("array",)

    def __init__(self) -> None:
        self.array = False


_CELL = _Cell()


def array_formula() -> bool:
    """True while an array formula (dynamic or CSE) or an array parameter is evaluated: a function
    may then lift a one-value parameter over an array argument; in an ordinary cell it must not
    (Excel intersects a range there, and :func:`.coercion.scalar` refuses several values)."""
    return _CELL.array


def set_array_formula(flag: bool) -> None:
    """Set by the evaluator (``Book.array_mode``)."""
    _CELL.array = flag
