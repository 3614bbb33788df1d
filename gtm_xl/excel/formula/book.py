"""The book model during evaluation (:class:`Book`): the current values of every sheet, blocks of
ranges read once, defined names, and the evaluation of one tree in one cell, calling the
functions of the registry and the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    ExcelError,
    Unsupported,
    as_2d,
    to_number,
)
from gtm_xl.excel.formula.functions.registry import BUILTINS, ELEMENTWISE, VOLATILE
from gtm_xl.excel.formula.operators import binary, broadcast, elementwise, from_python
from gtm_xl.excel.formula.parser import MAX_COLS, MAX_ROWS, FormulaSyntaxError, Ref, parse
from gtm_xl.excel.ooxml.cells import WorkbookCells, parse_range
from gtm_xl.excel.values import ERROR_CODES, CellError, CodedError


class CellUnsupported(Exception):
    """A function met a case it does not implement; the cell is reported, not guessed."""

    def __init__(self, function: str) -> None:
        self.function = function
        super().__init__(function)


class Book:
    """Current values of a workbook during evaluation, and the evaluation of one tree."""

    def __init__(self, book: WorkbookCells, functions: Mapping[str, Callable]) -> None:
        self.book = book
        self.functions = {k.upper(): v for k, v in functions.items()}
        self.sheet_keys = {name.lower(): name for name in book.sheets}
        self.values: dict[str, dict[tuple[int, int], Any]] = {
            name: sheet.values() for name, sheet in book.sheets.items()
        }
        self.bounds = {}
        for name, vals in self.values.items():  # (last row, last column) with a cell
            self.bounds[name] = (max(vals)[0], max(map(itemgetter(1), vals))) if vals else (0, 0)
        self.name_trees: dict[str, Any] = {}
        self.spills: Mapping[tuple[str, int, int], str] = {}  # dynamic-array anchor → its spill range
        self.volatile_hit = False  # the cell being evaluated called TODAY/NOW (directly or via a name)
        self.volatile_cells: set[tuple[str, int, int]] = set()
        # blocks already read, per sheet (read-only arrays); a write into one drops it (written)
        self.blocks: dict[str, dict[tuple[int, int, int, int], np.ndarray]] | None = None

        self.block_box: dict[str, tuple[int, int, int, int]] = {}  # the area the cached blocks span

    def written(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> None:
        """Cells r1..r2 × c1..c2 of ``sheet`` got new values: forget the blocks that hold them."""
        cache = self.blocks.get(sheet) if self.blocks is not None else None
        if not cache:
            return
        b = self.block_box[sheet]
        if b[0] <= r2 and r1 <= b[2] and b[1] <= c2 and c1 <= b[3]:
            for k in [k for k in cache if k[0] <= r2 and r1 <= k[2] and k[1] <= c2 and c1 <= k[3]]:
                del cache[k]

    def sheet_of(self, ref_sheet: str | None, here: str) -> str:
        if ref_sheet is None:
            return here
        key = self.sheet_keys.get(ref_sheet.lower())
        if key is None:
            raise ExcelError("#REF!")
        return key

    def name_tree(self, name: str, sheet_hint: str | None, here: str):
        """The tree of a defined name: a sheet-scoped one first, then the workbook one."""
        scope = sheet_hint or here
        for key in (f"{scope}!{name}".upper(), name.upper()):
            text = self.book.names.get(key)
            if text is not None:
                if key not in self.name_trees:
                    t = text[1:] if text.startswith("=") else text
                    self.name_trees[key] = parse(t)
                return self.name_trees[key]
        return None

    def block(self, ref: Ref, here: str) -> np.ndarray:
        """The values of a range as a 2-D object array (whole columns/rows cut at the used area)."""
        sheet = self.sheet_of(ref.sheet, here)
        if self.blocks is None:
            return self._block(ref, sheet)
        cache = self.blocks.setdefault(sheet, {})
        key = (ref.r1, ref.c1, ref.r2, ref.c2)
        out = cache.get(key)
        if out is None:
            out = self._block(ref, sheet)
            out.flags.writeable = False
            if len(cache) < 256:
                cache[key] = out
                b = self.block_box.get(sheet, key)
                self.block_box[sheet] = (min(b[0], key[0]), min(b[1], key[1]), max(b[2], key[2]), max(b[3], key[3]))
        return out

    def _block(self, ref: Ref, sheet: str) -> np.ndarray:
        max_r, max_c = self.bounds[sheet]
        r2, c2 = min(ref.r2, max(max_r, ref.r1)), min(ref.c2, max(max_c, ref.c1))
        if ref.r2 == MAX_ROWS:
            r2 = max(min(max_r, MAX_ROWS), ref.r1)
        if ref.c2 == MAX_COLS:
            c2 = max(min(max_c, MAX_COLS), ref.c1)
        vals = self.values[sheet]
        out = np.empty((r2 - ref.r1 + 1, c2 - ref.c1 + 1), dtype=object)
        get = vals.get
        for i, r in enumerate(range(ref.r1, r2 + 1)):
            out[i, :] = [get((r, c)) for c in range(ref.c1, c2 + 1)]
        if r2 < ref.r2 and ref.r2 != MAX_ROWS or c2 < ref.c2 and ref.c2 != MAX_COLS:
            full = np.empty((ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1), dtype=object)
            full[: out.shape[0], : out.shape[1]] = out
            return full
        return out

    # evaluation: returns a scalar, an ndarray, or a (Ref, sheet) pair for a reference
    def ev(self, node, here: str) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "ref":
            return ("REF", node[1], here)
        if kind == "err":
            return node[1]
        if kind == "arr":
            return node[1]
        if kind == "missing":
            return None
        if kind == "name":
            tree = self.name_tree(node[1], node[2], here)
            if tree is None:
                return CellError("#NAME?")
            return self.ev(tree, here)
        if kind == "neg":
            v = self.value(self.ev(node[1], here), here)
            return self._unary(v, lambda x: -to_number(x))
        if kind == "pct":
            v = self.value(self.ev(node[1], here), here)
            return self._unary(v, lambda x: to_number(x) / 100)
        if kind == "op":
            op = node[1]
            if op == ":":
                return self._range_op(node, here)
            a = self.value(self.ev(node[2], here), here)
            b = self.value(self.ev(node[3], here), here)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                aa, bb = broadcast(as_2d(a), as_2d(b))
                out = np.empty(aa.shape, dtype=object)
                for idx in np.ndindex(aa.shape):
                    out[idx] = binary(op, aa[idx], bb[idx])
                return out
            return binary(op, a, b)
        if kind == "fn":
            return self.call(node[1], node[2], here)
        raise FormulaSyntaxError(f"unknown node {kind}")

    def _range_op(self, node, here):
        a, b = self.ev(node[2], here), self.ev(node[3], here)
        if not (isinstance(a, tuple) and isinstance(b, tuple)):
            return CellError("#VALUE!")
        ra, rb = a[1], b[1]
        sheet = ra.sheet or rb.sheet
        return ("REF", Ref(sheet, min(ra.r1, rb.r1), min(ra.c1, rb.c1), max(ra.r2, rb.r2), max(ra.c2, rb.c2)), here)

    @staticmethod
    def _unary(v, fn):
        if isinstance(v, np.ndarray):
            return elementwise(lambda x: fn(x), [v])
        if isinstance(v, CellError):
            return v
        try:
            return fn(v)
        except ExcelError as e:
            return e.error

    def value(self, v: Any, here: str, keep_array: bool = False) -> Any:
        """A reference as its value(s): one cell → its value, a range → a 2-D array."""
        if isinstance(v, tuple) and v and v[0] == "REF":
            ref = v[1]
            try:
                if ref.r1 == ref.r2 and ref.c1 == ref.c2 and not keep_array:
                    return self.values[self.sheet_of(ref.sheet, v[2])].get((ref.r1, ref.c1))
                return self.block(ref, v[2])
            except ExcelError as e:
                return e.error
        return v

    def call(self, name: str, arg_nodes: list, here: str) -> Any:
        builtin = BUILTINS.get(name)
        extra = self.functions.get(name)
        if extra is not None:
            args = [self.value(self.ev(a, here), here) for a in arg_nodes]
            while args and arg_nodes[len(args) - 1][0] == "missing":
                args.pop()
            try:
                result = extra(*args)
            except CodedError as exc:
                return CellError(exc.code) if exc.code in ERROR_CODES else CellError("#VALUE!")
            return from_python(result)
        if builtin is None:
            return CellError("#NAME?")
        if name in VOLATILE:
            self.volatile_hit = True
        if name in ("ROW", "COLUMN"):
            return self._row_column(name, arg_nodes, here)
        if name == "ANCHORARRAY":
            return self._anchor_array(arg_nodes, here)
        if not builtin.min_args <= len(arg_nodes) <= builtin.max_args:
            return CellError("#VALUE!")
        try:
            if builtin.lazy:
                thunks = [self._thunk(a, here) for a in arg_nodes]
                return builtin.fn(*thunks)
            args = []
            lifted = name in ELEMENTWISE
            for a in arg_nodes:
                if a[0] == "missing":
                    args.append(None)
                    continue
                v = self.value(self.ev(a, here), here, keep_array=not lifted)
                if isinstance(v, CellError) and not builtin.errors_ok and not lifted:
                    return v
                args.append(v)
            if lifted:
                if any(isinstance(a, np.ndarray) for a in args):
                    return elementwise(builtin.fn, args, builtin.errors_ok)  # a scalar error fills the array's shape
                if not builtin.errors_ok:
                    bad = next((a for a in args if isinstance(a, CellError)), None)
                    if bad is not None:
                        return bad
            return builtin.fn(*args)
        except ExcelError as e:
            return e.error
        except Unsupported:
            raise CellUnsupported(name) from None

    def _row_column(self, name, arg_nodes, here):
        if not arg_nodes:
            r, c = self.current
            return float(r if name == "ROW" else c)
        v = self.ev(arg_nodes[0], here)
        if not (isinstance(v, tuple) and v and v[0] == "REF"):
            return CellError("#VALUE!")
        ref = v[1]
        if name == "ROW":
            out = np.array([[float(r)] for r in range(ref.r1, ref.r2 + 1)], dtype=object)
        else:
            out = np.array([[float(c) for c in range(ref.c1, ref.c2 + 1)]], dtype=object)
        return out if out.size > 1 else out[0, 0]

    def _anchor_array(self, arg_nodes, here):
        """``A1#``: the range a dynamic array anchored at A1 spills into (computed before this cell:
        the anchor is a precedent); #REF! when A1 holds no dynamic array formula."""
        v = self.ev(arg_nodes[0], here) if len(arg_nodes) == 1 else None
        if not (isinstance(v, tuple) and v and v[0] == "REF"):
            return CellError("#REF!")
        ref = v[1]
        try:
            sheet = self.sheet_of(ref.sheet, here)
        except ExcelError as e:
            return e.error
        spill = self.spills.get((sheet, ref.r1, ref.c1))
        if spill is None:
            return CellError("#REF!")
        r1, c1, r2, c2 = parse_range(spill)
        return ("REF", Ref(sheet, r1, c1, r2, c2), here)

    def _thunk(self, node, here):
        if node[0] == "missing":
            return lambda: None

        def run():
            v = self.value(self.ev(node, here), here)
            if isinstance(v, CellError):
                raise ExcelError(v)
            return v

        return run
