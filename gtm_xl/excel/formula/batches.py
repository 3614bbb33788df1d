"""Vectorised batches: a run of a column's rows holding one formula in R1C1 form is evaluated in
one numpy pass (:func:`evaluate_batch`); any case it does not take (text, an error value, blanks
in MIN/MAX, a moving block of rows) falls back to the cell-by-cell path. A running total
(``SUM($B$2:B2)`` filled down) is added up once down the column (:meth:`_Batch.running_sum`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from gtm_xl.excel.formula.book import Book, CellUnsupported
from gtm_xl.excel.formula.functions import budget
from gtm_xl.excel.formula.functions.coercion import (
    ExcelError,
    Unsupported,
    to_number,
    values_of,
)
from gtm_xl.excel.formula.functions.mathtrig import round_vector
from gtm_xl.excel.formula.operators import from_python
from gtm_xl.excel.formula.parser import MAX_ROWS, Ref, moves_down
from gtm_xl.excel.values import CellError, CodedError

MIN_BATCH = 4

_TINY_EXP = 1074  # 2**-1074: the smallest double, every double is a whole number of it
_TINY_DEN = 1 << _TINY_EXP
_HUGE = 2.0**1000  # numbers below it: no sum of a sheet's column overflows a double


def column_runs(by_col: dict[tuple[str, int, int], list[int]]) -> list[list[tuple[str, int, int]]]:
    """Runs of consecutive rows of one column whose formulas share an R1C1 form (``by_col``:
    (sheet, column, template id) → rows)."""
    runs = []
    for (sname, c, _), rows in by_col.items():
        if len(rows) < MIN_BATCH:
            continue
        rows.sort()
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i] != rows[i - 1] + 1:
                if i - start >= MIN_BATCH:
                    runs.append([(sname, r, c) for r in rows[start:i]])
                start = i
    return runs


class _NoBatch(Exception):
    """The batch meets a case the vectorised path does not take: evaluate cell by cell."""


def _floats(v: Any, n: int, blank_ok: bool = True) -> np.ndarray:
    """Per-cell (N,) or (N,k) values, or a shared scalar, as float64; text, errors → _NoBatch."""
    if isinstance(v, np.ndarray):
        if v.dtype == np.float64 or v.dtype == bool:
            return v.astype(float)
        flat = v.reshape(-1).tolist()
        if not blank_ok and any(x is None for x in flat):
            raise _NoBatch
        try:
            out = np.array([0.0 if x is None else x for x in flat], dtype=float)
        except (TypeError, ValueError):
            raise _NoBatch from None
        if any(isinstance(x, str) for x in flat):
            raise _NoBatch
        return out.reshape(v.shape)
    if v is None:
        return np.float64(0.0)
    if isinstance(v, (bool, float, int)):
        return np.float64(float(v))
    raise _NoBatch


class _Batch:
    """Evaluates one tree for N cells of a column at once. Per-cell values are numpy arrays
    with N rows ((N,) for a value, (N,k) for a row range); shared values are plain."""

    def __init__(self, wb: Book, members: list, functions: Mapping[str, Callable]) -> None:
        self.wb = wb
        self.sheet = members[0][0]
        self.r0, self.c0 = members[0][1], members[0][2]
        self.n = len(members)
        self.functions = {k.upper(): v for k, v in functions.items()}

    def shared(self, node):
        wb = self.wb
        wb.current = (self.r0, self.c0)
        wb.array_mode = False
        before = wb.intersections
        v = wb.value(wb.ev(node, self.sheet), self.sheet)
        if isinstance(v, CellError) or wb.intersections != before:
            raise _NoBatch  # an implicit intersection depends on each cell's row: cell by cell
        return v

    def ev(self, node):
        if not moves_down(node):
            return self.shared(node)
        kind = node[0]
        if kind == "ref":
            if node[2][0] != node[2][2]:
                raise _NoBatch  # one row end fixed, the other moving: a range that grows, not one row per cell
            return self.gather(node[1])
        if kind == "neg":
            return -_floats(self.ev(node[1]), self.n)
        if kind == "pct":
            return _floats(self.ev(node[1]), self.n) / 100.0
        if kind == "op":
            return self.op(node[1], self.ev(node[2]), self.ev(node[3]))
        if kind == "fn":
            return self.call(node[1], node[2])
        raise _NoBatch

    def gather(self, ref: Ref):
        sheet = self.wb.sheet_of(ref.sheet, self.sheet)
        get = self.wb.values[sheet].get
        if ref.r1 != ref.r2 or ref.c2 - ref.c1 > 64:
            raise _NoBatch  # a moving block of several rows: cell by cell
        rows = range(ref.r1, ref.r1 + self.n)
        if ref.c1 == ref.c2:
            out = np.empty(self.n, dtype=object)
            out[:] = [get((r, ref.c1)) for r in rows]
            return out
        out = np.empty((self.n, ref.c2 - ref.c1 + 1), dtype=object)
        cols = range(ref.c1, ref.c2 + 1)
        out[:, :] = [[get((r, c)) for c in cols] for r in rows]
        return out

    def op(self, op, a, b):
        if isinstance(a, np.ndarray) and a.ndim == 2 or isinstance(b, np.ndarray) and b.ndim == 2:
            raise _NoBatch
        if op in ("+", "-", "*", "/", "^"):
            x, y = _floats(a, self.n), _floats(b, self.n)
            with np.errstate(all="ignore"):
                r = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}[op](x, y)
            r = np.broadcast_to(r, (self.n,))
            if not np.all(np.isfinite(r)):
                raise _NoBatch  # #DIV/0!, #NUM!: the cells tell their own errors
            return r.astype(float)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            x, y = _floats(a, self.n), _floats(b, self.n)
            f = {
                "=": np.equal,
                "<>": np.not_equal,
                "<": np.less,
                ">": np.greater,
                "<=": np.less_equal,
                ">=": np.greater_equal,
            }[op]
            return np.broadcast_to(f(x, y), (self.n,))
        raise _NoBatch

    def call(self, name, args):
        n = self.n
        if name in self.functions:
            return self.extra(self.functions[name], args)
        if name == "IF" and 2 <= len(args) <= 3:
            cond = _floats(self.ev(args[0]), n) != 0
            then = self.ev(args[1])
            other = self.ev(args[2]) if len(args) == 3 else False
            for v in (then, other):
                if isinstance(v, np.ndarray) and v.ndim != 1 or isinstance(v, CellError) or v is None:
                    raise _NoBatch
            if all(
                isinstance(v, (float, np.ndarray)) and (not isinstance(v, np.ndarray) or v.dtype == float)
                for v in (then, other)
            ):
                return np.where(cond, then, other).astype(float)
            t = then if isinstance(then, np.ndarray) else np.full(n, then, dtype=object)
            o = other if isinstance(other, np.ndarray) else np.full(n, other, dtype=object)
            if t.dtype == object and any(isinstance(v, CellError) or v is None for v in t.tolist()):
                raise _NoBatch
            if o.dtype == object and any(isinstance(v, CellError) or v is None for v in o.tolist()):
                raise _NoBatch
            out = np.where(cond, t.astype(object), o.astype(object))
            return out
        if name in ("ROUND", "ROUNDUP", "ROUNDDOWN") and len(args) == 2 and not moves_down(args[1]):
            digits = int(math.trunc(to_number(self.shared(args[1]))))
            x = np.broadcast_to(_floats(self.ev(args[0]), n), (n,))
            return round_vector(x, digits, {"ROUND": "half", "ROUNDUP": "up", "ROUNDDOWN": "down"}[name])
        if name == "SUMPRODUCT" and len(args) >= 1:
            vals = [self.ev(a) for a in args]
            width = None
            prod = None
            for v in vals:
                if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == n:
                    f = _floats(v, n)
                elif isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == 1:
                    f = _floats(v, n)
                else:
                    raise _NoBatch
                if width is not None and f.shape[1] != width:
                    raise _NoBatch
                width = f.shape[1]
                prod = f if prod is None else prod * f
            if prod is None or prod.shape[0] != n:  # None: no argument (ruled out above)
                raise _NoBatch
            return prod.sum(axis=1)
        if name == "SUM" and len(args) == 1 and args[0][0] == "ref" and args[0][2][0] and not args[0][2][2]:
            return self.running_sum(args[0][1])
        if name in ("SUM", "AVERAGE", "MIN", "MAX") and len(args) == 1:
            v = self.ev(args[0])
            if not (isinstance(v, np.ndarray) and v.ndim == 2):
                raise _NoBatch
            f = _floats(v, n, blank_ok=name == "SUM")
            reduce: dict[str, Callable[..., np.ndarray]] = {"SUM": f.sum, "AVERAGE": f.mean, "MIN": f.min, "MAX": f.max}
            return reduce[name](axis=1)
        if name in ("RANK", "RANK.EQ") and len(args) in (2, 3) and not any(moves_down(a) for a in args[1:]):
            return self.rank(args)
        if name in ("ABS", "INT") and len(args) == 1:
            x = np.broadcast_to(_floats(self.ev(args[0]), n), (n,))
            return np.abs(x) if name == "ABS" else np.floor(x)
        raise _NoBatch

    def running_sum(self, ref: Ref) -> np.ndarray:
        """SUM($B$2:B2) filled down (a running total): the range's start row fixed, its end row
        moving with the cell, one column. Cell i is SUM over rows ref.r1 .. ref.r2 + i, computed
        from one running sum instead of N ranges read and added again (quadratic).

        Every cell is what the cell-by-cell SUM gives: the numbers are added exactly (as integers
        in units of 2**-1074, the smallest double, so every double is a whole number of them) and
        each cell's total is rounded once to the nearest double, ties to even (Python's int / int
        is correctly rounded), which is what ``math.fsum`` returns; text, booleans and blanks are
        skipped, the first error in the range is the result of every cell from its row on, and the
        cells each read count against the work budget as the reads one by one would."""
        wb, n = self.wb, self.n
        if ref.c1 != ref.c2 or ref.r1 > ref.r2 or wb.sheets_between(ref) is not None:
            raise _NoBatch
        sheet = wb.sheet_of(ref.sheet, self.sheet)  # ExcelError (#REF!): cell by cell
        last = ref.r2 + n - 1
        col = ref.c1
        if last > wb.bounds[sheet][0] or last >= MAX_ROWS or (sheet == self.sheet and col == self.c0):
            raise _NoBatch  # a range past the used area, or over the batch's own column
        height = ref.r2 - ref.r1 + 1
        units = n * height + n * (n - 1) // 2  # the cells read by the N ranges
        if wb.blocks is not None:  # a range already read is not read (nor counted) again
            for k in wb.blocks.get(sheet, {}):
                if k[0] == ref.r1 and k[1] == k[3] == col and ref.r2 <= k[2] <= last:
                    units -= k[2] - k[0] + 1
        get = wb.values[sheet].get
        out = np.empty(n, dtype=object)
        total = 0  # the exact sum so far, in units of 2**-1074
        error = None
        for r in range(ref.r1, last + 1):
            v = get((r, col))
            if error is None:
                if isinstance(v, CellError):
                    error = v
                elif type(v) is float or (
                    isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
                ):
                    try:
                        x = float(v)
                    except OverflowError:
                        raise _NoBatch from None
                    if not abs(x) < _HUGE:  # also inf, nan: fsum's overflow and #NUM! are told cell by cell
                        raise _NoBatch
                    num, den = x.as_integer_ratio()
                    total += num << (_TINY_EXP + 1 - den.bit_length())
            if r >= ref.r2:
                out[r - ref.r2] = error if error is not None else total / _TINY_DEN
        if not budget.spend_reads(units):
            raise _NoBatch  # the budget runs out within the column: cell by cell says where
        return out

    def rank(self, args):
        """RANK(x, fixed range[, order]) for N cells: the range's numbers sorted once."""
        ref = self.shared(args[1])
        if not isinstance(ref, np.ndarray):
            raise _NoBatch
        numbers = np.sort(np.array(values_of((ref,)), dtype=float))  # an error in the range: ExcelError
        order = to_number(self.shared(args[2])) if len(args) == 3 and args[2][0] != "missing" else 0.0
        x = np.broadcast_to(_floats(self.ev(args[0]), self.n, blank_ok=False), (self.n,))
        if not np.isin(x, numbers).all():
            raise _NoBatch  # the cells that are not in the range tell their own #N/A
        if order == 0:
            return (1 + len(numbers) - np.searchsorted(numbers, x, side="right")).astype(float)
        return (1 + np.searchsorted(numbers, x, side="left")).astype(float)

    def extra(self, fn, args):
        kinds = getattr(fn, "arg_kinds", None)
        if not getattr(fn, "batchable", False) or kinds is None or len(args) > len(kinds):
            raise _NoBatch
        call = []
        for node, kind in zip(args, kinds):
            if node[0] == "missing":
                raise _NoBatch
            v = self.ev(node)
            if kind == "range":
                if moves_down(node):
                    raise _NoBatch
                call.append(v)
            elif kind == "row":
                if not (isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == self.n):
                    raise _NoBatch
                call.append(v.astype(object))
            else:
                if isinstance(v, np.ndarray):
                    if v.ndim != 1:
                        raise _NoBatch
                    call.append(v.astype(object).reshape(-1, 1))
                else:
                    call.append(v)  # shared scalar option: passed as-is
        try:
            out = fn(*call)
        except CodedError:
            raise _NoBatch from None
        out = from_python(out)
        if not isinstance(out, np.ndarray) or out.shape != (self.n, 1):
            raise _NoBatch
        return out.reshape(-1)


def evaluate_batch(wb: Book, tree, members: list, functions: Mapping[str, Callable]) -> list | None:
    """The values of ``members`` (a column of one R1C1 formula) in one vectorised pass; None
    when the formula or its data need the cell-by-cell path."""
    get = wb.book.sheets[members[0][0]].get
    if any((cell := get(k[1:])) is None or cell.dynamic or cell.array_ref for k in members):  # no cell: not batched
        return None
    try:
        out = _Batch(wb, members, functions).ev(tree)
    except (
        _NoBatch,
        ExcelError,
        CellUnsupported,
        Unsupported,
        ValueError,
    ):  # ValueError: shapes numpy cannot broadcast
        return None
    if not isinstance(out, np.ndarray) or out.shape != (len(members),):
        return None
    if out.dtype == bool:
        return out.tolist()
    if out.dtype != object:
        if not np.all(np.isfinite(out)):
            return None
        return out.tolist()
    values = out.tolist()
    if any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in values):
        return None
    return [from_python(v) for v in values]
