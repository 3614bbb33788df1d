"""Excel's Lookup & Reference functions: MATCH, INDEX, VLOOKUP, HLOOKUP, XLOOKUP, LOOKUP, CHOOSE,
ROWS, COLUMNS, ADDRESS (ROW, COLUMN, AREAS, OFFSET and INDIRECT are evaluated on the reference
itself, by the evaluator).
"""

from __future__ import annotations

import math
import re

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    NA,
    REF,
    VALUE,
    ExcelError,
    Unsupported,
    as_2d,
    compare,
    fit,
    num,
    scalar,
    to_bool,
    type_rank,
    wildcard,
)
from gtm_xl.excel.formula.functions.context import array_formula
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def f_choose(index, *options):
    """CHOOSE(index, value1, …): the index-th value (only that one is evaluated); #VALUE! out of range."""
    i = int(math.trunc(num(index())))
    if not 1 <= i <= len(options):
        raise ExcelError(VALUE)
    return options[i - 1]()


def _same_kind(a, b) -> bool:
    """Both numbers, both text or both logicals (a blank or an error is of no kind: never compared)."""
    if a is None or b is None or isinstance(a, CellError) or isinstance(b, CellError):
        return False
    return type_rank(a) == type_rank(b)


def approximate_position(value, vector: list) -> int:
    """0-based position of the largest value ≤ ``value`` by Excel's binary search (MATCH type 1,
    VLOOKUP/HLOOKUP TRUE, LOOKUP); #N/A if none.

    Excel bisects the whole vector (low −1, high n, middle low + (high − low) // 2) and, on a value
    of another type than the one sought (or a blank, or an error), steps right to the next value of
    its type; a match continues to the last of a run of equal values. On sorted data this is the
    documented "largest value less than or equal"; on unsorted data it is what Excel returns — the
    algorithm Apache POI reproduces (LookupUtils.performBinarySearch) and that its Excel-computed
    tests confirm (HLOOKUP("STRING",…) over unsorted headers)."""
    low, high = -1, len(vector)

    def cmp(i: int) -> int | None:
        v = vector[i]
        return compare(value, v) if _same_kind(value, v) else None

    while True:
        if high - low < 2:
            break
        mid = low + (high - low) // 2
        c = cmp(mid)
        if c is None:  # step over values of another type, towards high
            probe = mid
            while True:
                probe += 1
                if probe == high:
                    high = mid
                    break
                c = cmp(probe)
                if c is not None and c < 0 and probe == high - 1:
                    high = mid
                    c = None
                    break
                if c is not None:
                    mid = probe
                    break
            if c is None:
                continue
        if c == 0:
            while mid + 1 < high and cmp(mid + 1) == 0:
                mid += 1
            return mid
        if c < 0:
            high = mid
        else:
            low = mid
    if low < 0:
        raise ExcelError(NA)
    return low


def match_position(value, vector: list, mode: int) -> int:
    """0-based position of ``value`` in ``vector`` (MATCH's match_type ``mode``); #N/A if none."""
    if isinstance(value, CellError):
        raise ExcelError(value)
    if value is None:
        if mode == 0:
            raise ExcelError(NA)  # an exact lookup of a blank finds nothing
        value = 0.0
    if mode == 0:
        if isinstance(value, str) and any(ch in value for ch in "*?~"):
            rx = wildcard(value)
            for i, v in enumerate(vector):
                if isinstance(v, str) and rx.fullmatch(v):
                    return i
            raise ExcelError(NA)
        for i, v in enumerate(vector):
            if _same_kind(v, value) and compare(v, value) == 0:
                return i
        raise ExcelError(NA)
    if mode < 0:
        # descending data: Excel walks until a value below the one sought
        last = -1
        for i, v in enumerate(vector):
            if not _same_kind(v, value):
                continue
            c = compare(v, value)
            if c == 0:
                return i
            if c < 0:
                if i == 0:
                    raise ExcelError(NA)
                return i - 1
            last = i
        if last < 0:
            raise ExcelError(NA)
        return last
    return approximate_position(value, vector)


def _vector(arr) -> list:
    a = as_2d(arr)
    if a.shape[0] != 1 and a.shape[1] != 1:
        raise ExcelError(NA)
    return a.reshape(-1).tolist()


def f_match(value, lookup, mode=1.0):
    """MATCH(value, lookup, [match_type]): the 1-based position; 1 largest ≤, 0 exact (wildcards), -1 smallest ≥.

    An array of lookup values (``ISNUMBER(MATCH(range, x, 0))`` in an array context) gives one
    position or #N/A per value, in the values' shape; in an ordinary cell Excel intersects it (and
    :func:`scalar` refuses several values rather than guess)."""
    vector, match_type = _vector(lookup), int(num(mode))
    if isinstance(value, np.ndarray) and value.size > 1 and array_formula():
        out = np.empty(value.shape, dtype=object)
        for idx, v in np.ndenumerate(value):
            try:
                out[idx] = float(match_position(v, vector, match_type) + 1)
            except ExcelError as e:
                out[idx] = e.error
        return out
    return float(match_position(scalar(value), vector, match_type) + 1)


def f_index(array, row=None, col=None):
    """INDEX(array, [row], [column]): the element, or a whole row or column when the other is 0 or omitted;
    an array of positions gives an array of elements, each its own error (``INDEX({"a";"b";"c"},{1;3})``)."""
    row, col = (x.reshape(-1)[0] if isinstance(x, np.ndarray) and x.size == 1 else x for x in (row, col))
    if isinstance(row, np.ndarray) or isinstance(col, np.ndarray):
        return _index_lifted(array, row, col)
    return _index(array, row, col)


def _index_lifted(array, row, col) -> np.ndarray:
    shapes = [x.shape for x in (row, col) if isinstance(x, np.ndarray)]
    shape = (max(s[0] for s in shapes), max(s[1] for s in shapes))
    rows = fit(row, *shape) if isinstance(row, np.ndarray) else None
    cols = fit(col, *shape) if isinstance(col, np.ndarray) else None
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        r = rows[idx] if rows is not None else row
        c = cols[idx] if cols is not None else col
        bad = next((x for x in (r, c) if isinstance(x, CellError)), None)
        if bad is not None:
            out[idx] = bad
            continue
        try:
            v = _index(array, r, c)
        except ExcelError as e:
            v = e.error
        out[idx] = v.reshape(-1)[0] if isinstance(v, np.ndarray) and v.size == 1 else v
    return out


def _index(array, row, col):
    a = as_2d(array)
    r = 0 if row is None else int(math.trunc(num(row)))
    c = 0 if col is None else int(math.trunc(num(col)))
    if a.shape[0] == 1 and col is None and row is not None and a.shape[1] > 1:
        r, c = 1, r  # INDEX(row vector, n)
    if r < 0 or c < 0:
        raise ExcelError(VALUE)
    if r > a.shape[0] or c > a.shape[1]:
        raise ExcelError(REF)
    if r == 0 and c == 0:
        return a
    if r == 0:
        return a[:, c - 1 : c]
    if c == 0:
        if a.shape[1] == 1:
            return a[r - 1, 0]
        return a[r - 1 : r, :]
    return a[r - 1, c - 1]


def _lookup(value, table, index, approx, by_rows: bool):
    t = as_2d(table)
    if not by_rows:
        t = t.T
    i = int(math.trunc(num(index)))
    if i < 1:
        raise ExcelError(VALUE)
    if i > t.shape[1]:
        raise ExcelError(REF)
    mode = 1 if (approx is None or to_bool(scalar(approx))) else 0
    pos = match_position(scalar(value), t[:, 0].tolist(), mode)
    return t[pos, i - 1]


def f_vlookup(value, table, index, approx=None):
    """VLOOKUP(value, table, column, [approximate]): from the row matched in the table's first column."""
    return _lookup(value, table, index, approx, True)


def f_hlookup(value, table, index, approx=None):
    """HLOOKUP(value, table, row, [approximate]): from the column matched in the table's first row."""
    return _lookup(value, table, index, approx, False)


def _xlookup_binary(value, vec: list, mm: int, descending: bool):
    """XLOOKUP's binary search modes (2 ascending, -2 descending): a bisection of the whole vector
    in Excel's order (numbers < text < logicals; a blank sorts as an empty value of no kind and is
    not supported here); the exact match, else the neighbour match mode asks for (-1 next smaller,
    1 next larger), else None."""
    if any(v is None or isinstance(v, CellError) for v in vec):
        raise Unsupported("XLOOKUP binary search over blanks or errors")
    lo, hi = 0, len(vec) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        c = compare(vec[mid], value)
        if descending:
            c = -c
        if c == 0:
            return mid
        if c < 0:
            lo = mid + 1
        else:
            hi = mid - 1
    # lo: the first position past value in the search order, hi = lo - 1 the last before it
    if mm == 0:
        return None
    bigger, smaller = (lo, hi) if not descending else (hi, lo)
    pos = bigger if mm == 1 else smaller
    return pos if 0 <= pos < len(vec) else None


def f_xlookup(value, lookup, result, if_not_found=None, match_mode=0.0, search_mode=1.0):
    """XLOOKUP(value, lookup, [if_not_found], [match_mode], [search_mode]): match_mode 0 exact,
    -1 exact or next smaller, 1 exact or next larger, 2 wildcards; search_mode 1 first to last,
    -1 last to first, 2/-2 binary search on data sorted ascending/descending; the row (column) of
    ``result`` at the match; #N/A (or if_not_found) when none; #VALUE! for other modes."""
    res = as_2d(result)
    pos, vertical = xlookup_position(value, lookup, res.shape, match_mode, search_mode)
    if pos is None:
        if if_not_found is not None:
            return if_not_found
        raise ExcelError(NA)
    return res[pos : pos + 1, :] if vertical else res[:, pos : pos + 1]


def search_order(n: int, search: int) -> list[int]:
    """The positions XLOOKUP's and XMATCH's linear search visits: first to last, or last to first
    for a negative search mode."""
    order = list(range(n))
    if search < 0:
        order.reverse()
    return order


def wildcard_position(pattern: str, vector: list, order: list[int]) -> int | None:
    """The first position, in ``order``, of a text in ``vector`` that ``pattern`` (``*``, ``?``, ``~``)
    matches whole; None when there is none (the wildcard match mode of XLOOKUP and XMATCH)."""
    rx = wildcard(pattern)
    return next((i for i in order if isinstance(vector[i], str) and rx.fullmatch(vector[i])), None)


def xlookup_position(value, lookup, result_shape, match_mode=0.0, search_mode=1.0):
    """(0-based position of XLOOKUP's match or None, whether lookup is a column): the search of
    :func:`f_xlookup`, shared with its reference form (the evaluator's ``xlookup_reference``)."""
    vec = _vector(lookup)
    vertical = as_2d(lookup).shape[1] == 1
    if (result_shape[0] if vertical else result_shape[1]) != len(vec):
        raise ExcelError(VALUE)
    mm, sm = int(num(match_mode)), int(num(search_mode))
    if mm not in (-1, 0, 1, 2) or sm not in (-2, -1, 1, 2):
        raise ExcelError(VALUE)
    value = scalar(value)
    if isinstance(value, CellError):
        raise ExcelError(value)
    pos = None
    if sm in (2, -2):
        if mm == 2:
            raise Unsupported("XLOOKUP wildcards with a binary search")
        pos = _xlookup_binary(0.0 if value is None else value, vec, mm, sm == -2)
    else:
        order = search_order(len(vec), sm)
        if mm == 2 and isinstance(value, str):
            pos = wildcard_position(value, vec, order)
        else:
            sought = 0.0 if value is None else value
            for i in order:
                if _same_kind(vec[i], sought) and compare(vec[i], sought) == 0:
                    pos = i
                    break
            if pos is None and mm in (-1, 1):
                best = None
                for i in order:
                    v = vec[i]
                    if not _same_kind(v, sought):
                        continue
                    c = compare(v, sought)
                    if (mm == -1 and c < 0) or (mm == 1 and c > 0):
                        if best is None or (compare(v, vec[best]) > 0 if mm == -1 else compare(v, vec[best]) < 0):
                            best = i
                pos = best
    return pos, vertical


def f_rows(arr):
    """ROWS(array): the number of rows."""
    return float(as_2d(arr).shape[0])


def f_columns(arr):
    """COLUMNS(array): the number of columns."""
    return float(as_2d(arr).shape[1])


def f_lookup(value, lookup, result=None):
    """LOOKUP(value, lookup, [result]): approximate match in a sorted vector (or a table's first row/column)."""
    a = as_2d(lookup)
    if result is None:
        if a.shape[0] >= a.shape[1]:
            keys, res = a[:, 0].tolist(), a[:, -1].tolist()
        else:
            keys, res = a[0, :].tolist(), a[-1, :].tolist()
    else:
        keys = a[:, 0].tolist() if a.shape[0] >= a.shape[1] else a[0, :].tolist()
        res = _vector(result)
    pos = match_position(scalar(value), keys, 1)
    if pos >= len(res):
        raise ExcelError(NA)
    return res[pos]


_PLAIN_SHEET = re.compile(r"(\[[^\]]*\])?[A-Za-z0-9_.]+")
_SPACED_SHEET = re.compile(r"(\[[^\]]*\])?[A-Za-z0-9_. ]+")


def f_address(row, column, abs_num=None, a1=None, sheet_text=None):
    """ADDRESS(row, column, [abs_num], [a1], [sheet_text]): a cell's address as text — abs_num 1
    ``$C$2`` (default), 2 ``C$2``, 3 ``$C2``, 4 ``C2``; with a1 FALSE in R1C1 style (``R2C3``,
    ``R2C[3]``…); sheet_text prefixed (``Sheet1!$C$2``, quoted when it holds spaces: ``'EXCEL
    SHEET'!R2C3``, Microsoft's examples). #VALUE! for a row or column off the sheet or abs_num
    outside 1–4; a sheet name of other characters is left to Excel."""
    r = int(math.trunc(num(row)))
    c = int(math.trunc(num(column)))
    k = 1 if abs_num is None else int(math.trunc(num(abs_num)))
    style_a1 = True if a1 is None else to_bool(scalar(a1))
    if not (1 <= r <= 1_048_576 and 1 <= c <= 16_384) or k not in (1, 2, 3, 4):
        raise ExcelError(VALUE)
    row_abs, col_abs = k in (1, 2), k in (1, 3)
    if style_a1:
        letters, n = "", c
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        text = f"{'$' if col_abs else ''}{letters}{'$' if row_abs else ''}{r}"
    else:
        text = (f"R{r}" if row_abs else f"R[{r}]") + (f"C{c}" if col_abs else f"C[{c}]")
    if sheet_text is not None:
        sheet = scalar(sheet_text)
        sheet = "" if sheet is None else (sheet if isinstance(sheet, str) else _text_of(sheet))
        if sheet == "":
            return "!" + text
        if _PLAIN_SHEET.fullmatch(sheet):
            return f"{sheet}!{text}"
        if _SPACED_SHEET.fullmatch(sheet):
            return f"'{sheet}'!{text}"
        raise Unsupported("ADDRESS with a sheet name Excel may quote")
    return text


def _text_of(v) -> str:
    from gtm_xl.excel.formula.functions.coercion import to_text

    return to_text(v)


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "CHOOSE": builtin(f_choose, 2, 255, lazy=True),
    "INDEX": builtin(f_index, 1, 3),
    "MATCH": builtin(f_match, 2, 3),
    "VLOOKUP": builtin(f_vlookup, 3, 4),
    "HLOOKUP": builtin(f_hlookup, 3, 4),
    "XLOOKUP": builtin(f_xlookup, 3, 6),
    "ROW": builtin(None, 0, 1),
    "COLUMN": builtin(None, 0, 1),  # evaluated on the reference itself, by the evaluator (book.py)
    "AREAS": builtin(None, 1),  # counted on the reference itself, by the evaluator (book.py)
    "OFFSET": builtin(None, 3, 5),  # references computed by the evaluator (book.py), checked
    "INDIRECT": builtin(None, 1, 2),  # against the dependency order when they resolve
    "ADDRESS": builtin(f_address, 2, 5),
    "ROWS": builtin(f_rows, 1),
    "COLUMNS": builtin(f_columns, 1),
    "LOOKUP": builtin(f_lookup, 2, 3),
}
