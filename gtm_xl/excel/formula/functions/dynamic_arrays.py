"""Excel's dynamic-array functions: SEQUENCE, SORT, UNIQUE, FILTER, WRAPCOLS, EXPAND (and A1#,
ANCHORARRAY, evaluated on the reference itself by the evaluator). An array larger than the sheet is
never built (:func:`check_array_size`), and every array built counts against the file's work budget.
"""

from __future__ import annotations

import math

import numpy as np

from gtm_xl.excel.formula.functions import budget
from gtm_xl.excel.formula.functions.coercion import (
    CALC,
    NA,
    NUM,
    VALUE,
    ExcelError,
    Unsupported,
    as_2d,
    blanks_as_zero,
    num,
    scalar,
    to_bool,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def _count_arg(v, default: float) -> int:
    return int(math.trunc(default if v is None else num(v)))


def f_sequence(rows=None, columns=None, start=None, step=None):
    """SEQUENCE(rows, [columns], [start], [step]): rows × columns numbers, row by row."""
    n, m = _count_arg(rows, 1), _count_arg(columns, 1)
    first = 1.0 if start is None else num(start)
    inc = 1.0 if step is None else num(step)
    if n < 1 or m < 1:
        raise ExcelError(CALC)  # an empty array
    check_array_size(n, m)
    out = np.empty((n, m), dtype=object)
    out[:, :] = (first + inc * np.arange(n * m, dtype=float)).reshape(n, m).tolist()
    return out


def order_key(v):
    """Excel's sort order: numbers, then text (case-insensitive), logicals, errors."""
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, (int, float)):
        return (0, float(v))
    if isinstance(v, str):
        return (1, v.lower())
    if isinstance(v, CellError):
        return (3, 0)
    return (4, 0)


def f_sort(array, sort_index=None, sort_order=None, by_col=None):
    """SORT(array, [sort_index], [sort_order], [by_col]): rows (columns with by_col) ordered by the
    values of one column (row); 1 ascending, -1 descending; stable; blanks last either way."""
    a = as_2d(array)
    index = _count_arg(sort_index, 1)
    order = _count_arg(sort_order, 1)
    cols = False if by_col is None else to_bool(scalar(by_col))
    if order not in (1, -1):
        raise ExcelError(VALUE)
    lines = a.T if cols else a
    if not 1 <= index <= lines.shape[1]:
        raise ExcelError(VALUE)
    keyed = [(order_key(lines[i, index - 1]), i) for i in range(lines.shape[0])]
    filled = [k for k in keyed if k[0][0] != 4]
    blank = [k for k in keyed if k[0][0] == 4]
    filled.sort(key=lambda k: k[0], reverse=order == -1)  # stable both ways
    rows = [k[1] for k in filled] + [k[1] for k in blank]
    out = lines[rows, :]
    return (out.T if cols else out).copy()


def _same_key(v):
    if isinstance(v, str):
        return ("s", v.lower())
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", float(v))
    if isinstance(v, CellError):
        return ("e", v.code)
    return ("0", None)


def f_unique(array, by_col=None, exactly_once=None):
    """UNIQUE(array, [by_col], [exactly_once]): the distinct rows (columns) in order of first
    appearance, compared without case; with exactly_once, those that occur once only."""
    a = as_2d(array)
    cols = False if by_col is None else to_bool(scalar(by_col))
    once = False if exactly_once is None else to_bool(scalar(exactly_once))
    lines = a.T if cols else a
    seen: dict = {}
    for i in range(lines.shape[0]):
        seen.setdefault(tuple(_same_key(v) for v in lines[i].tolist()), []).append(i)
    keep = [rows[0] for rows in seen.values() if not once or len(rows) == 1]
    if not keep:
        raise ExcelError(CALC)
    out = lines[keep, :]
    return (out.T if cols else out).copy()


def f_filter(array, include, if_empty=None):
    """FILTER(array, include, [if_empty]): the rows (or columns) of array where include, a column as
    tall as array (or a row as wide), is TRUE; #CALC! (or if_empty) when none is; #VALUE! when
    include does not fit; an error in include is the result."""
    a = as_2d(array())
    inc = as_2d(include())
    if inc.shape[1] == 1 and inc.shape[0] == a.shape[0]:
        flags, by_rows = inc[:, 0].tolist(), True
    elif inc.shape[0] == 1 and inc.shape[1] == a.shape[1]:
        flags, by_rows = inc[0, :].tolist(), False
    else:
        raise ExcelError(VALUE)
    keep = []
    for i, v in enumerate(flags):
        if isinstance(v, CellError):
            raise ExcelError(v)
        if isinstance(v, str):
            raise ExcelError(VALUE)
        if v is not None and to_bool(v):
            keep.append(i)
    if not keep:
        if if_empty is None:
            raise ExcelError(CALC)
        return if_empty()
    return (a[keep, :] if by_rows else a[:, keep]).copy()


MAX_SHEET_ROWS, MAX_SHEET_COLS = 1_048_576, 16_384


def check_array_size(rows: int, cols: int) -> None:
    """An array larger than the sheet (1,048,576 × 16,384) is not built: whether Excel answers
    #NUM!, #SPILL! or computes it depends on where it goes, so the cell is left to Excel."""
    if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLS:
        raise Unsupported("an array larger than the sheet")
    budget.spend(rows * cols)


def f_wrapcols(vector, wrap_count, pad_with=None):
    """WRAPCOLS(vector, wrap_count, [pad_with]): a row or column of values wrapped into columns of
    wrap_count values; the last column padded with pad_with (#N/A by default). #VALUE! when vector
    is not one row or column, #NUM! when wrap_count is below 1 (Microsoft's WRAPCOLS page)."""
    a = blanks_as_zero(vector)
    if 1 not in a.shape:
        raise ExcelError(VALUE)
    k = int(math.trunc(num(wrap_count)))
    if k < 1:
        raise ExcelError(NUM)
    items = a.reshape(-1).tolist()
    cols = -(-len(items) // k)
    check_array_size(k, cols)
    out = np.full((k, cols), NA if pad_with is None else pad_with, dtype=object)
    for i, x in enumerate(items):
        out[i % k, i // k] = x
    return out


def f_expand(array, rows=None, columns=None, pad_with=None):
    """EXPAND(array, [rows], [columns], [pad_with]): the array grown to rows × columns (an omitted
    or blank size keeps the array's), new cells pad_with (#N/A by default); #VALUE! for a size
    smaller than the array's (Microsoft's EXPAND page)."""
    a = blanks_as_zero(array)
    n = a.shape[0] if rows is None else int(math.trunc(num(rows)))
    m = a.shape[1] if columns is None else int(math.trunc(num(columns)))
    if n < a.shape[0] or m < a.shape[1]:
        raise ExcelError(VALUE)
    check_array_size(n, m)
    out = np.full((n, m), NA if pad_with is None else pad_with, dtype=object)
    out[: a.shape[0], : a.shape[1]] = a
    return out


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "SEQUENCE": builtin(f_sequence, 1, 4),
    "SORT": builtin(f_sort, 1, 4),
    "UNIQUE": builtin(f_unique, 1, 3),
    "FILTER": builtin(f_filter, 2, 3, lazy=True),
    "WRAPCOLS": builtin(f_wrapcols, 2, 3),
    "EXPAND": builtin(f_expand, 1, 4),
    "ANCHORARRAY": builtin(None, 1),  # A1#: evaluated on the reference itself, by the evaluator (book.py)
}
