"""The description of one built-in function (:class:`Builtin`), shared by the category modules and the registry,
and what a function that reads references themselves gets (:class:`Reference`, :class:`Context`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Builtin:
    """One built-in: ``fn`` gets the evaluated arguments (thunks when ``lazy``); ``errors_ok``
    lets error values through to the function instead of making them the result. With ``refs``
    ``fn`` gets a :class:`Context` first, then each argument that is a reference as a
    :class:`Reference` (not its values) and the others evaluated (ISREF, ISFORMULA, SHEET, CELL,
    SUBTOTAL…)."""

    fn: Callable[..., Any]
    lazy: bool = False
    errors_ok: bool = False
    min_args: int = 0
    max_args: int = 255
    refs: bool = False


def builtin(fn, lo, hi=None, lazy=False, errors_ok=False, refs=False):
    """A :class:`Builtin` taking ``lo`` to ``hi`` arguments (exactly ``lo`` when ``hi`` is None)."""
    return Builtin(fn, lazy, errors_ok, lo, lo if hi is None else hi, refs)


@dataclass(frozen=True)
class Reference:
    """A reference argument as itself: the sheet it is on (its name in the workbook) and its box."""

    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass(frozen=True)
class Context:
    """What a ``refs`` function may ask of the workbook: the cells (a
    :class:`~gtm_xl.excel.ooxml.cells.WorkbookCells`), the sheet and cell of the formula, and the current
    values of a reference (``values(ref)``: a 2-D array, formulas already computed)."""

    book: Any
    sheet: str
    row: int
    col: int
    values: Callable[[Reference], Any]
