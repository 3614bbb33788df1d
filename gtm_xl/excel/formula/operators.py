"""Excel's operators on values (:func:`binary`), array broadcasting (:func:`broadcast`), a scalar
function lifted over arrays (:func:`elementwise`), and a result in the cell model
(:func:`from_python`, :func:`cell_result`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    ExcelError,
    compare,
    to_number,
    to_text,
)
from gtm_xl.excel.formula.functions.lambdas import Closure
from gtm_xl.excel.values import MAX_TEXT, CellError, text_too_long


def binary(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, CellError):
        return a
    if isinstance(b, CellError):
        return b
    try:
        if op in ("+", "-", "*", "/", "^"):
            x, y = to_number(a), to_number(b)
            if op == "+":
                r = x + y
            elif op == "-":
                r = x - y
            elif op == "*":
                r = x * y
            elif op == "/":
                if y == 0:
                    return CellError("#DIV/0!")
                r = x / y
            else:
                if x == 0 and y < 0:
                    return CellError("#DIV/0!")
                try:
                    r = x**y
                except OverflowError:
                    return CellError("#NUM!")
                if isinstance(r, complex):
                    return CellError("#NUM!")
            if math.isinf(r) or math.isnan(r):
                return CellError("#NUM!")
            return float(r)
        if op == "&":
            ta, tb = to_text(a), to_text(b)
            if len(ta) + len(tb) > MAX_TEXT:
                return text_too_long(len(ta) + len(tb))
            return ta + tb
        c = compare(a, b)
        return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
    except ExcelError as e:
        return e.error


def broadcast(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel's array broadcasting: a 1-row/1-column array stretches; other mismatches are #N/A."""
    rows = max(a.shape[0], b.shape[0])
    cols = max(a.shape[1], b.shape[1])

    def fit(x: np.ndarray) -> np.ndarray:
        out = np.full((rows, cols), CellError("#N/A"), dtype=object)
        xr = x if x.shape[0] != 1 else np.repeat(x, rows, axis=0)
        xr = xr if xr.shape[1] != 1 else np.repeat(xr, cols, axis=1)
        out[: xr.shape[0], : xr.shape[1]] = xr
        return out

    return fit(a), fit(b)


def elementwise(fn: Callable[..., Any], args: list[Any], errors_ok: bool = False) -> Any:
    """Apply a scalar function over the arrays among ``args`` (broadcast: a scalar, an error value
    too, fills the shape), errors per element (passed to ``fn`` when it takes them: ISERROR…)."""
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    if not arrays:
        return fn(*args)
    rows = max(a.shape[0] for a in arrays)
    cols = max(a.shape[1] for a in arrays)
    target = np.empty((rows, cols), dtype=object)
    fitted: list[np.ndarray | None] = []
    for a in args:
        if isinstance(a, np.ndarray):
            fitted.append(broadcast(a, target)[0])
        else:
            fitted.append(None)
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            call = [f[i, j] if f is not None else a for f, a in zip(fitted, args)]
            bad = None if errors_ok else next((v for v in call if isinstance(v, CellError)), None)
            if bad is not None:
                out[i, j] = bad
                continue
            try:
                out[i, j] = fn(*call)
            except ExcelError as e:
                out[i, j] = e.error
    return out


def from_python(v: Any) -> Any:
    """A function's result in the cell model: numpy scalars as float/bool, 1-D arrays as rows."""
    if isinstance(v, np.ndarray):
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.dtype != object:
            v = v.astype(object)
        return np.vectorize(from_python, otypes=[object])(v) if v.size else v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return CellError("#NUM!")
        return f
    return v


def cell_result(v: Any) -> Any:
    """The final value of a formula cell: a blank reference is 0; text beyond Excel's 32,767
    characters is #VALUE!."""
    if v is None:
        return 0.0
    if isinstance(v, Closure):
        return CellError("#CALC!")  # a LAMBDA never called
    if isinstance(v, str) and len(v) > MAX_TEXT:
        return text_too_long(len(v))
    return from_python(v)
