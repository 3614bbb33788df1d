"""Excel 365's array-shaping and lookup functions: TOCOL, TOROW, VSTACK, HSTACK, TAKE, DROP,
CHOOSEROWS, CHOOSECOLS, WRAPROWS, TRANSPOSE, SORTBY, XMATCH.

Each follows Microsoft's function reference (support.microsoft.com, "<NAME> function"):

* an empty cell of a referenced range becomes 0 in the array these functions return, as in Excel;
* a single value is a 1×1 array;
* VSTACK/HSTACK pad a narrower (shorter) array with ``#N/A``; WRAPROWS pads the last row with
  ``#N/A`` (or ``pad_with``);
* TAKE/DROP/CHOOSEROWS/CHOOSECOLS count from the end for negative numbers; an empty result is
  ``#CALC!``, a row or column number out of range ``#VALUE!``;
* SORTBY sorts by one or more ``by`` arrays (one row or one column as long as the array), 1
  ascending and -1 descending, stable (equal keys keep their order);
* XMATCH's ``match_mode`` 0 exact, -1 exact or next smaller, 1 exact or next larger, 2 wildcard;
  ``search_mode`` 1 first to last, -1 last to first (2/-2, binary, are searched linearly with the
  same result on sorted data); an array of lookup values gives an array of positions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    ExcelError,
    as_2d,
    blanks_as_zero,
    compare,
    num,
    scalar,
    type_rank,
)
from gtm_xl.excel.formula.functions.dynamic_arrays import order_key
from gtm_xl.excel.formula.functions.lookup import search_order, wildcard_position
from gtm_xl.excel.formula.functions.spec import Builtin
from gtm_xl.excel.values import CellError

__all__ = ["FUNCTIONS"]

NA = CellError("#N/A")
VALUE = CellError("#VALUE!")
CALC = CellError("#CALC!")


def _count(v: Any, default: int | None = None) -> int | None:
    if v is None:
        return default
    return int(math.trunc(num(v)))


def f_tocol(array, ignore=None, scan_by_column=None):
    return _to_line(array, ignore, scan_by_column).reshape(-1, 1)


def f_torow(array, ignore=None, scan_by_column=None):
    return _to_line(array, ignore, scan_by_column).reshape(1, -1)


def _to_line(array, ignore, scan_by_column) -> np.ndarray:
    a = as_2d(array)
    mode = _count(ignore, 0)
    if mode not in (0, 1, 2, 3):
        raise ExcelError(VALUE)
    by_col = bool(scalar(scan_by_column)) if scan_by_column is not None else False
    items = (a.T if by_col else a).reshape(-1).tolist()
    keep = [x for x in items if not ((mode in (1, 3) and x is None) or (mode in (2, 3) and isinstance(x, CellError)))]
    if not keep:
        raise ExcelError(CALC)
    out = np.empty(len(keep), dtype=object)
    out[:] = [0.0 if x is None else x for x in keep]
    return out


def _stack(arrays, vertical: bool) -> np.ndarray:
    grids = [blanks_as_zero(a) for a in arrays]
    if vertical:
        width = max(g.shape[1] for g in grids)
        out = np.full((sum(g.shape[0] for g in grids), width), NA, dtype=object)
        r = 0
        for g in grids:
            out[r : r + g.shape[0], : g.shape[1]] = g
            r += g.shape[0]
        return out
    height = max(g.shape[0] for g in grids)
    out = np.full((height, sum(g.shape[1] for g in grids)), NA, dtype=object)
    c = 0
    for g in grids:
        out[: g.shape[0], c : c + g.shape[1]] = g
        c += g.shape[1]
    return out


def f_vstack(*arrays):
    return _stack(arrays, True)


def f_hstack(*arrays):
    return _stack(arrays, False)


def _span(n: int, k: int | None, take: bool) -> slice:
    if k is None:
        return slice(0, n)
    if take:
        return slice(0, min(k, n)) if k >= 0 else slice(max(n + k, 0), n)
    return slice(min(k, n), n) if k >= 0 else slice(0, max(n + k, 0))


def _take_drop(array, rows, columns, take: bool) -> np.ndarray:
    a = blanks_as_zero(array)
    r, c = _count(rows), _count(columns)
    if take and (r == 0 or c == 0):
        raise ExcelError(CALC)
    out = a[_span(a.shape[0], r, take), _span(a.shape[1], c, take)]
    if out.size == 0:
        raise ExcelError(CALC)
    return out.copy()


def f_take(array, rows=None, columns=None):
    return _take_drop(array, rows, columns, True)


def f_drop(array, rows=None, columns=None):
    return _take_drop(array, rows, columns, False)


def _choose(array, picks, rows: bool) -> np.ndarray:
    a = blanks_as_zero(array)
    n = a.shape[0] if rows else a.shape[1]
    index = []
    for p in picks:
        for x in as_2d(p).reshape(-1).tolist():
            if isinstance(x, CellError):
                raise ExcelError(x)
            k = int(math.trunc(num(x)))
            if k == 0 or abs(k) > n:
                raise ExcelError(VALUE)
            index.append(k - 1 if k > 0 else n + k)
    return (a[index, :] if rows else a[:, index]).copy()


def f_chooserows(array, *rows):
    return _choose(array, rows, True)


def f_choosecols(array, *columns):
    return _choose(array, columns, False)


def f_wraprows(vector, wrap_count, pad_with=None):
    a = blanks_as_zero(vector)
    if 1 not in a.shape:
        raise ExcelError(VALUE)
    k = _count(wrap_count)
    if k is None or k < 1:
        raise ExcelError(CALC if k == 0 else VALUE)
    items = a.reshape(-1).tolist()
    rows = -(-len(items) // k)
    out = np.full((rows, k), NA if pad_with is None else pad_with, dtype=object)
    for i, x in enumerate(items):
        out[i // k, i % k] = x
    return out


def f_transpose(array):
    return blanks_as_zero(array).T.copy()


def f_sortby(array, *pairs):
    """SORTBY(array, by_array1, [sort_order1], ...): rows (or columns, for row-shaped keys) ordered by
    the keys, the first key most significant; stable."""
    a = blanks_as_zero(array)
    if not pairs:
        raise ExcelError(VALUE)
    keys: list[tuple[list, int]] = []
    by_rows: bool | None = None
    for i in range(0, len(pairs), 2):
        by = blanks_as_zero(pairs[i])
        order = _count(pairs[i + 1], 1) if i + 1 < len(pairs) else 1
        if order not in (1, -1):
            raise ExcelError(VALUE)
        if by.shape[1] == 1 and by.shape[0] == a.shape[0]:
            rows = True
        elif by.shape[0] == 1 and by.shape[1] == a.shape[1]:
            rows = False
        else:
            raise ExcelError(VALUE)
        if by_rows is not None and rows != by_rows:
            raise ExcelError(VALUE)
        by_rows = rows
        keys.append((by.reshape(-1).tolist(), order))
    n = a.shape[0] if by_rows else a.shape[1]
    index = list(range(n))
    for values, order in reversed(keys):  # least significant first: stable sorts compose
        index.sort(key=lambda j: order_key(values[j]), reverse=order == -1)
    return (a[index, :] if by_rows else a[:, index]).copy()


def _xmatch_one(value, vector: list, mode: int, search: int) -> float | CellError:
    if isinstance(value, CellError):
        return value
    if value is None:
        value = 0.0
    order = search_order(len(vector), search)
    if mode == 2 and isinstance(value, str):
        hit = wildcard_position(value, vector, order)
        return NA if hit is None else float(hit + 1)
    same = [i for i in order if vector[i] is not None and not isinstance(vector[i], CellError)]
    same = [i for i in same if type_rank(vector[i]) == type_rank(value)]
    for i in same:
        if compare(vector[i], value) == 0:
            return float(i + 1)
    if mode in (-1, 1):
        best = None
        for i in same:
            c = compare(vector[i], value)
            if (mode == -1 and c < 0) or (mode == 1 and c > 0):
                if best is None or (
                    compare(vector[i], vector[best]) > 0 if mode == -1 else compare(vector[i], vector[best]) < 0
                ):
                    best = i
        if best is not None:
            return float(best + 1)
    return NA


def f_xmatch(value, lookup, match_mode=None, search_mode=None):
    arr = as_2d(lookup)
    if 1 not in arr.shape:
        raise ExcelError(VALUE)
    vector = arr.reshape(-1).tolist()
    mode, search = _count(match_mode, 0), _count(search_mode, 1)
    if mode not in (-1, 0, 1, 2) or search not in (1, -1, 2, -2):
        raise ExcelError(VALUE)
    if isinstance(value, np.ndarray):
        out = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(value.shape):
            out[idx] = _xmatch_one(value[idx], vector, mode, search)
        return out
    r = _xmatch_one(value, vector, mode, search)
    if isinstance(r, CellError):
        raise ExcelError(r)
    return r


def _b(fn, lo, hi=None, errors_ok=False) -> Builtin:
    return Builtin(fn, False, errors_ok, lo, lo if hi is None else hi)


#: Upper-case Excel name → :class:`Builtin`, merged into the evaluator's table.
FUNCTIONS: dict[str, Builtin] = {
    "TOCOL": _b(f_tocol, 1, 3, errors_ok=True),
    "TOROW": _b(f_torow, 1, 3, errors_ok=True),
    "VSTACK": _b(f_vstack, 1, 254, errors_ok=True),
    "HSTACK": _b(f_hstack, 1, 254, errors_ok=True),
    "TAKE": _b(f_take, 2, 3, errors_ok=True),
    "DROP": _b(f_drop, 2, 3, errors_ok=True),
    "CHOOSEROWS": _b(f_chooserows, 2, 254, errors_ok=True),
    "CHOOSECOLS": _b(f_choosecols, 2, 254, errors_ok=True),
    "WRAPROWS": _b(f_wraprows, 2, 3, errors_ok=True),
    "TRANSPOSE": _b(f_transpose, 1, errors_ok=True),
    "SORTBY": _b(f_sortby, 2, 254),
    "XMATCH": _b(f_xmatch, 2, 4, errors_ok=True),
}
