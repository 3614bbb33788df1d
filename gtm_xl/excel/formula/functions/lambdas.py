"""LAMBDA values and the functions that take them: BYROW, BYCOL, MAP, REDUCE, SCAN, MAKEARRAY.

LET, LAMBDA and ISOMITTED shape the evaluation itself (they bind names), so the evaluator
handles them (``parser.py`` makes ``let``/``lambda``/``call`` nodes, ``book.py`` evaluates them); what it makes of a
``LAMBDA(...)`` is a :class:`Closure`, a value like a number, which these functions call.

Rules, from Microsoft's reference pages ("LAMBDA function", "BYROW function", "MAP function"…):

* a LAMBDA called with more arguments than parameters, or without a required one, is ``#VALUE!``;
  a parameter declared optional (``[y]``, stored ``_xlop.y``) may be left out, and ISOMITTED(y)
  then says TRUE;
* BYROW/BYCOL call the LAMBDA with each row (column) and return a column (row) of results; a
  LAMBDA that returns more than one value for a row gives ``#CALC!`` there;
* MAP calls it with the elements at the same position of each array (a single value stretches);
* REDUCE and SCAN walk the array row by row, the accumulator starting at ``initial_value``
  (blank when omitted); SCAN returns every intermediate accumulator;
* MAKEARRAY(rows, columns, LAMBDA(r, c, …)) builds the array cell by cell;
* a cell whose final value is a LAMBDA that was never called shows ``#CALC!``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gtm_xl.excel.formula.functions.coercion import ExcelError, as_2d, num
from gtm_xl.excel.formula.functions.spec import Builtin
from gtm_xl.excel.values import CellError

__all__ = ["OMITTED", "Closure", "FUNCTIONS"]

VALUE = CellError("#VALUE!")
CALC = CellError("#CALC!")


class _Omitted:
    """The value of an optional parameter a call left out (ISOMITTED is TRUE for it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = _Omitted()


class Closure:
    """A LAMBDA value: its parameters (names, which are optional), its body, the names it saw
    where it was made, and ``invoke(args)`` (the evaluator's, bound when it is made)."""

    __slots__ = ("params", "optional", "body", "scope", "invoke")

    def __init__(
        self,
        params: tuple[str, ...],
        optional: tuple[bool, ...],
        body: Any,
        scope: dict,
        invoke: Callable[[Closure, list], Any],
    ) -> None:
        self.params = params
        self.optional = optional
        self.body = body
        self.scope = scope
        self.invoke = invoke

    def bind(self, args: list) -> dict:
        """Parameter → value for ``args`` (``OMITTED`` for one left out); #VALUE! for too many
        arguments or a required one not given at all."""
        if len(args) > len(self.params):
            raise ExcelError(VALUE)
        bound = dict(self.scope)
        for i, name in enumerate(self.params):
            if i >= len(args) and not self.optional[i]:
                raise ExcelError(VALUE)  # an empty argument, f(1,), leaves even a required one out
            bound[name] = args[i] if i < len(args) else OMITTED
        return bound

    def __call__(self, *args: Any) -> Any:
        return self.invoke(self, list(args))

    def __repr__(self) -> str:
        return f"LAMBDA({', '.join(self.params)})"


def _closure(v: Any) -> Closure:
    if isinstance(v, CellError):
        raise ExcelError(v)
    if not isinstance(v, Closure):
        raise ExcelError(VALUE)
    return v


def _one(v: Any) -> Any:
    """A LAMBDA's result for one cell of BYROW/MAP/MAKEARRAY: a single value (#CALC! for more)."""
    if isinstance(v, np.ndarray):
        if v.size != 1:
            return CALC
        v = v.reshape(-1)[0]
    if isinstance(v, Closure):
        return CALC
    return v


def _call(fn: Closure, *args: Any) -> Any:
    try:
        return fn(*args)
    except ExcelError as e:
        return e.error


def f_byrow(array, function):
    a, fn = as_2d(array), _closure(function)
    out = np.empty((a.shape[0], 1), dtype=object)
    for i in range(a.shape[0]):
        out[i, 0] = _one(_call(fn, a[i : i + 1, :].copy()))
    return out


def f_bycol(array, function):
    a, fn = as_2d(array), _closure(function)
    out = np.empty((1, a.shape[1]), dtype=object)
    for j in range(a.shape[1]):
        out[0, j] = _one(_call(fn, a[:, j : j + 1].copy()))
    return out


def f_map(*args):
    if len(args) < 2:
        raise ExcelError(VALUE)
    fn = _closure(args[-1])
    arrays = [as_2d(a) for a in args[:-1]]
    rows = max(a.shape[0] for a in arrays)
    cols = max(a.shape[1] for a in arrays)
    for a in arrays:
        if a.shape != (rows, cols) and a.shape != (1, 1):
            raise ExcelError(VALUE)
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            items = [a[0, 0] if a.shape == (1, 1) else a[i, j] for a in arrays]
            out[i, j] = _one(_call(fn, *items))
    return out


def _walk(initial, array, function, keep_all: bool):
    fn = _closure(function)
    a = as_2d(array)
    acc = initial
    steps = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        acc = _call(fn, acc, a[idx])
        if isinstance(acc, Closure):
            acc = CALC
        if keep_all:
            steps[idx] = _one(acc)
    return steps if keep_all else acc


def f_reduce(*args):
    initial, array, function = (None, *args) if len(args) == 2 else args
    if len(args) not in (2, 3):
        raise ExcelError(VALUE)
    return _walk(initial, array, function, keep_all=False)


def f_scan(*args):
    initial, array, function = (None, *args) if len(args) == 2 else args
    if len(args) not in (2, 3):
        raise ExcelError(VALUE)
    return _walk(initial, array, function, keep_all=True)


def f_makearray(rows, columns, function):
    n, m = int(math.trunc(num(rows))), int(math.trunc(num(columns)))
    fn = _closure(function)
    if n < 1 or m < 1:
        raise ExcelError(VALUE)
    out = np.empty((n, m), dtype=object)
    for i in range(n):
        for j in range(m):
            out[i, j] = _one(_call(fn, float(i + 1), float(j + 1)))
    return out


def _b(fn, lo, hi=None) -> Builtin:
    return Builtin(fn, False, True, lo, lo if hi is None else hi)


#: Upper-case Excel name → :class:`Builtin`, merged into the evaluator's table (LET, LAMBDA and
#: ISOMITTED are evaluated by the evaluator itself and listed so that formulas using them count
#: as supported).
FUNCTIONS: dict[str, Builtin] = {
    "BYROW": _b(f_byrow, 2),
    "BYCOL": _b(f_bycol, 2),
    "MAP": _b(f_map, 2, 254),
    "REDUCE": _b(f_reduce, 2, 3),
    "SCAN": _b(f_scan, 2, 3),
    "MAKEARRAY": _b(f_makearray, 3),
    "LET": _b(None, 3, 253),
    "LAMBDA": _b(None, 1, 254),
    "ISOMITTED": _b(None, 1),
}
