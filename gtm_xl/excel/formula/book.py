"""The book model during evaluation (:class:`Book`): the current values of every sheet, blocks of
ranges read once, defined names, and the evaluation of one tree in one cell, calling the
functions of the registry and the caller's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from gtm_xl.excel.formula.functions import budget, dates
from gtm_xl.excel.formula.functions.coercion import (
    ExcelError,
    Unsupported,
    as_2d,
    to_number,
)
from gtm_xl.excel.formula.functions.context import DATE_SYSTEM_FUNCTIONS, set_array_formula
from gtm_xl.excel.formula.functions.lambdas import OMITTED, Closure
from gtm_xl.excel.formula.functions.registry import BUILTINS, ELEMENTWISE, VOLATILE
from gtm_xl.excel.formula.functions.spec import Context, Reference
from gtm_xl.excel.formula.operators import binary, broadcast, elementwise, from_python
from gtm_xl.excel.formula.parser import (
    MAX_COLS,
    MAX_ROWS,
    FormulaSyntaxError,
    Ref,
    local_name,
    parse,
)
from gtm_xl.excel.ooxml.cells import WorkbookCells, parse_range
from gtm_xl.excel.values import ERROR_CODES, MAX_TEXT, CellError, CodedError, text_too_long

if TYPE_CHECKING:
    from gtm_xl.excel.formula.graph import FormulaCells  # graph imports book

_LAMBDA_TEXT = re.compile(r"^\s*=?\s*(?:_xlfn\.)?LAMBDA\s*\(", re.IGNORECASE)


def lambda_names(book: WorkbookCells) -> frozenset[str]:
    """The workbook-level defined names whose formula is a LAMBDA (the functions the workbook
    defines itself), upper case."""
    return frozenset(k for k, text in book.names.items() if "!" not in k and _LAMBDA_TEXT.match(text or ""))


class CellUnsupported(Exception):
    """A function met a case it does not implement; the cell is reported, not guessed."""

    def __init__(self, function: str) -> None:
        self.function = function
        super().__init__(function)


#: Functions whose result Excel may give as a *reference* (not an array): in an ordinary cell such a
#: result is implicitly intersected like a range, so the engine, which returns their values, cannot
#: tell which cell Excel would take; a multi-cell result of theirs in a scalar place is unsupported.
REFERENCE_RESULTS = frozenset(
    {"INDEX", "OFFSET", "INDIRECT", "CHOOSE", "IF", "IFS", "SWITCH", "IFERROR", "IFNA", "XLOOKUP", "LET"}
)


#: Functions whose parameters Excel evaluates as arrays even in an ordinary cell (array-class
#: parameters: ``=SUMPRODUCT((A1:A9>0)*B1:B9)``, ``=LOOKUP(2,1/(A1:A9<>""),A1:A9)`` need no Ctrl+Shift+Enter),
#: and the dynamic-array functions.
ARRAY_PARAMETERS = frozenset(
    {
        "SUMPRODUCT", "LOOKUP", "INDEX", "MMULT", "MDETERM", "MINVERSE", "TRANSPOSE", "FREQUENCY",
        "SUMX2MY2", "SUMX2PY2", "SUMXMY2", "FILTER", "SORT", "SORTBY", "UNIQUE", "XLOOKUP", "XMATCH",
        "TOCOL", "TOROW", "VSTACK", "HSTACK", "TAKE", "DROP", "CHOOSEROWS", "CHOOSECOLS", "WRAPROWS",
        "WRAPCOLS", "EXPAND", "SEQUENCE", "MAP", "REDUCE", "SCAN", "BYROW", "BYCOL", "MAKEARRAY",
        "AGGREGATE",  # its array form (14-19) takes an array expression without Ctrl+Shift+Enter
    }
)  # fmt: skip

#: Functions whose parameters take one value each (an expression over a range inside them is
#: implicitly intersected in an ordinary cell); IF and CHOOSE pass a reference through.
VALUE_PARAMETERS = frozenset({"IF", "IFS", "SWITCH", "CHOOSE"})


#: Functions whose arguments are each taken on their own, so that a 3-D reference
#: (``Sheet2:Sheet5!A1``) or a union (``(A1:A3,C1)``) is the same as its areas given as separate
#: arguments (Microsoft, "Create a 3-D reference to the same cell range on multiple worksheets").
AREAS_AS_ARGUMENTS = frozenset(
    {
        "SUM", "AVERAGE", "AVERAGEA", "COUNT", "COUNTA", "MAX", "MAXA", "MIN", "MINA", "PRODUCT",
        "STDEV", "STDEVA", "STDEVP", "STDEVPA", "STDEV.S", "STDEV.P", "VAR", "VARA", "VARP", "VARPA",
        "VAR.S", "VAR.P",
    }
)  # fmt: skip

#: Lazy functions Excel lifts over arrays in an array formula, element by element.
LIFTED_IN_ARRAYS = frozenset({"IFS", "SWITCH"})


class ReferenceValues(np.ndarray):
    """The values of a multi-cell result that Excel holds as a reference (see :data:`REFERENCE_RESULTS`)."""


class Book:
    """Current values of a workbook during evaluation, and the evaluation of one tree."""

    def __init__(self, book: WorkbookCells, functions: Mapping[str, Callable]) -> None:
        self.book = book
        self.lambda_names = lambda_names(book)
        # a workbook's own named LAMBDA wins over a function of the same name passed in
        self.functions = {k.upper(): v for k, v in functions.items() if k.upper() not in self.lambda_names}
        self.scope: dict[str, Any] = {}  # names bound by LET and LAMBDA where evaluation is
        self.sheet_keys = {name.lower(): name for name in book.sheets}
        self.values: dict[str, dict[tuple[int, int], Any]] = {
            name: sheet.values() for name, sheet in book.sheets.items()
        }
        for name, cached in getattr(book, "externals", {}).items():  # linked workbooks, read-only
            if name.lower() not in self.sheet_keys:
                self.sheet_keys[name.lower()] = name
                self.values[name] = dict(cached)
        self.date1904 = bool(getattr(book, "date1904", False))
        self.tables = dict(getattr(book, "tables", {}))
        self.date_system_functions = DATE_SYSTEM_FUNCTIONS | dates.FUNCTIONS.keys()
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
        self.current: tuple[int, int] = (1, 1)  # the formula cell being evaluated (row, column)
        # set by the evaluator: the formula cells not computed yet, those that cannot be, and the
        # cells' index (a reference known only when OFFSET/INDIRECT run is checked against them)
        self.pending: set = set()
        self.spill_growth: list = []
        self.evaluated_at: dict = {}
        self.bad: dict = {}
        self.formula_cells: FormulaCells | None = None
        # an array formula (dynamic or legacy CSE) is evaluated without implicit intersection
        self._array_mode = False
        # inside an argument of a function whose parameter classes the engine does not know, an
        # expression over a range (intersected or not?) is not guessed: the cell is unsupported
        self.unsure_scope: str | None = None
        self.intersections = 0  # implicit intersections made so far (a batch must not share one)

    @property
    def array_mode(self) -> bool:
        """True while an array formula or an array parameter is evaluated (no implicit
        intersection); functions read it as :func:`.functions.context.array_formula`."""
        return self._array_mode

    @array_mode.setter
    def array_mode(self, flag: bool) -> None:
        self._array_mode = flag
        set_array_formula(flag)

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
        if ref_sheet.startswith("[0]"):  # [0] is the workbook itself
            ref_sheet = ref_sheet[3:] or here
        key = self.sheet_keys.get(ref_sheet.lower())
        if key is None:
            if ref_sheet.startswith("["):  # a linked workbook's sheet Excel cached no values of
                raise CellUnsupported("(external reference)")
            raise ExcelError("#REF!")
        return key

    def name_tree(self, name: str, sheet_hint: str | None, here: str):
        """The tree of a defined name: a sheet-scoped one first, then the workbook one."""
        if sheet_hint is not None and sheet_hint.startswith("[0]"):  # [0] is the workbook itself
            sheet_hint = sheet_hint[3:] or None
        scope = sheet_hint or here
        keys = [f"{scope}!{name}".upper(), name.upper()]
        if scope.startswith("["):  # a linked workbook's name: "[1]!Name", "[1]Sheet!Name"
            book_prefix = scope[: scope.index("]") + 1] if "]" in scope else scope
            keys = [f"{scope}!{name}".upper(), f"{book_prefix}!{name}".upper()]
        for key in keys:
            text = self.book.names.get(key)
            if text is not None:
                if key not in self.name_trees:
                    t = text[1:] if text.startswith("=") else text
                    try:
                        self.name_trees[key] = parse(t)
                    except RecursionError:
                        raise FormulaSyntaxError(f"defined name {name} nested too deeply") from None
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
        budget.spend((r2 - ref.r1 + 1) * (c2 - ref.c1 + 1))
        out = np.empty((r2 - ref.r1 + 1, c2 - ref.c1 + 1), dtype=object)
        get = vals.get
        for i, r in enumerate(range(ref.r1, r2 + 1)):
            out[i, :] = [get((r, c)) for c in range(ref.c1, c2 + 1)]
        if r2 < ref.r2 and ref.r2 != MAX_ROWS or c2 < ref.c2 and ref.c2 != MAX_COLS:
            budget.spend((ref.r2 - ref.r1 + 1) * (ref.c2 - ref.c1 + 1))
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
        if kind == "sref":
            return self._structured(node[1], here)
        if kind == "arr":
            return node[1]
        if kind == "missing":
            return None
        if kind == "name":
            if self.scope and node[2] is None and (key := local_name(node[1])) in self.scope:
                v = self.scope[key]
                return None if v is OMITTED else v
            tree = self.name_tree(node[1], node[2], here)
            if tree is None:
                if node[2] is not None and node[2].startswith("["):
                    raise CellUnsupported("(name in a linked workbook)")
                return CellError("#NAME?")
            return self.defined(tree, here)
        if kind == "lambda":
            return Closure(node[1], node[2], node[3], self.scope, lambda fn, args: self.invoke(fn, args, here))
        if kind == "let":
            return self._let(node, here)
        if kind == "call":
            fn = self.value(self.ev(node[1], here), here)
            if not isinstance(fn, Closure):
                return fn if isinstance(fn, CellError) else CellError("#VALUE!")
            return self._call_closure(fn, node[2], here)
        if kind == "neg":
            v = self.operand(self.ev(node[1], here), here)
            return self._unary(v, lambda x: -to_number(x))
        if kind == "pct":
            v = self.operand(self.ev(node[1], here), here)
            return self._unary(v, lambda x: to_number(x) / 100)
        if kind == "op":
            op = node[1]
            if op == ":":
                return self._range_op(node, here)
            if op == " ":
                return self._intersection_op(node, here)
            if op == ",":
                return ("UNION", self._areas(node[2], here) + self._areas(node[3], here))
            a = self.operand(self.ev(node[2], here), here)
            b = self.operand(self.ev(node[3], here), here)
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
        for v in (a, b):
            if isinstance(v, CellError):
                return v
            if not (isinstance(v, tuple) and v and v[0] == "REF"):
                raise CellUnsupported("(range operator on a value)")
        ra, rb = a[1], b[1]
        if ra.sheet is not None and rb.sheet is not None and ra.sheet.lower() != rb.sheet.lower():
            return CellError("#VALUE!")
        sheet = ra.sheet or rb.sheet
        return ("REF", Ref(sheet, min(ra.r1, rb.r1), min(ra.c1, rb.c1), max(ra.r2, rb.r2), max(ra.c2, rb.c2)), here)

    def _structured(self, sref, here):
        """A structured reference (``Table1[Col]``, ``[@Col]``…) as the reference it names from the
        cell being computed (:mod:`.structured`)."""
        from gtm_xl.excel.formula import structured

        r, c = self.current
        try:
            ref = structured.resolve(self.tables, sref, here, r, c)
        except Unsupported:
            raise CellUnsupported("(structured reference)") from None
        except ExcelError as e:
            return e.error
        return ("REF", ref, here)

    def _intersection_op(self, node, here):
        """``A1:C5 B2:B9``: the cells both references hold; #NULL! when they do not meet."""
        a, b = self.ev(node[2], here), self.ev(node[3], here)
        for v in (a, b):
            if isinstance(v, CellError):
                return v
            if not (isinstance(v, tuple) and v and v[0] == "REF"):
                return CellError("#VALUE!")
        ra, rb = a[1], b[1]
        try:
            if self.sheet_of(ra.sheet, here) != self.sheet_of(rb.sheet, here):
                return CellError("#VALUE!")
        except ExcelError as e:
            return e.error
        r1, c1, r2, c2 = max(ra.r1, rb.r1), max(ra.c1, rb.c1), min(ra.r2, rb.r2), min(ra.c2, rb.c2)
        if r1 > r2 or c1 > c2:
            return CellError("#NULL!")
        return ("REF", Ref(ra.sheet, r1, c1, r2, c2), here)

    def _areas(self, node, here) -> list:
        """The references of one side of a union (``(A1:A3,C1)``)."""
        v = self.ev(node, here)
        if isinstance(v, tuple) and v and v[0] == "UNION":
            return v[1]
        if isinstance(v, tuple) and v and v[0] == "REF":
            return [v]
        raise CellUnsupported("(union of values that are not references)")

    def sheets_between(self, ref: Ref) -> list[str] | None:
        """The sheets a 3-D reference (``Sheet2:Sheet5!A1``) spans, in workbook order; None when
        ``ref`` is not one."""
        if ref.sheet is None or ":" not in ref.sheet:
            return None
        first, _, last = ref.sheet.partition(":")
        names = list(self.book.sheets)
        lower = [n.lower() for n in names]
        if first.lower() not in lower or last.lower() not in lower:
            return None
        i, j = sorted((lower.index(first.lower()), lower.index(last.lower())))
        return names[i : j + 1]

    def _as_areas(self, v: Any, here: str) -> list | None:
        """A union or a 3-D reference as its areas (REF values); None for anything else."""
        if isinstance(v, tuple) and v and v[0] == "UNION":
            return [a for area in v[1] for a in (self._as_areas(area, here) or [area])]
        if isinstance(v, tuple) and v and v[0] == "REF":
            sheets = self.sheets_between(v[1])
            if sheets is not None:
                r = v[1]
                return [("REF", Ref(name, r.r1, r.c1, r.r2, r.c2), here) for name in sheets]
        return None

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

    # LET and LAMBDA (functions/lambdas.py holds the Closure value and BYROW, MAP…)
    def defined(self, tree, here: str) -> Any:
        """A defined name's value: its formula evaluated outside any LET/LAMBDA scope."""
        if not self.scope:
            return self.ev(tree, here)
        saved, self.scope = self.scope, {}
        try:
            return self.ev(tree, here)
        finally:
            self.scope = saved

    def _let(self, node, here: str) -> Any:
        saved = self.scope
        self.scope = dict(saved)
        try:
            for name, value in zip(node[1], node[2]):
                self.scope[name] = self.ev(value, here)  # a reference stays a reference
            return self.ev(node[3], here)
        finally:
            self.scope = saved

    def _call_closure(self, fn: Closure, arg_nodes: list, here: str) -> Any:
        args = [OMITTED if a[0] == "missing" else self.ev(a, here) for a in arg_nodes]
        try:
            return self.invoke(fn, args, here)
        except ExcelError as e:
            return e.error

    def invoke(self, fn: Closure, args: list, here: str) -> Any:
        """Evaluate ``fn``'s body with its parameters bound to ``args`` (values or references).

        The body is evaluated with array semantics (no implicit intersection): LAMBDA exists only in
        dynamic-array Excel, and a defined name's formula is evaluated as an array formula."""
        bound = fn.bind(args)
        saved = self.scope, self.array_mode, self.unsure_scope
        self.scope, self.array_mode, self.unsure_scope = bound, True, None
        try:
            return self.value(self.ev(fn.body, here), here, keep_array=True)
        finally:
            self.scope, self.array_mode, self.unsure_scope = saved

    def lambda_named(self, name: str, here: str) -> Closure | None:
        """The LAMBDA a function name calls: a LET/LAMBDA name in scope, else a defined name."""
        key = local_name(name)
        if key in self.scope:
            v = self.scope[key]
            return v if isinstance(v, Closure) else None
        if key in self.lambda_names:
            tree = self.name_tree(key, None, here)
            v = self.value(self.defined(tree, here), here) if tree is not None else None
            return v if isinstance(v, Closure) else None
        return None

    def value(self, v: Any, here: str, keep_array: bool = False) -> Any:
        """A reference as its value(s): one cell → its value, a range → a 2-D array."""
        if isinstance(v, tuple) and v and v[0] == "UNION":
            raise CellUnsupported("(union of references)")
        if isinstance(v, tuple) and v and v[0] == "REF" and self.sheets_between(v[1]) is not None:
            raise CellUnsupported("(3-D reference)")
        if isinstance(v, tuple) and v and v[0] == "REF":
            ref = v[1]
            try:
                if ref.r1 == ref.r2 and ref.c1 == ref.c2 and not keep_array:
                    return self.values[self.sheet_of(ref.sheet, v[2])].get((ref.r1, ref.c1))
                return self.block(ref, v[2])
            except ExcelError as e:
                return e.error
        return v

    def operand(self, v: Any, here: str) -> Any:
        """A value where Excel expects one value (an operator's operand, a lifted function's
        argument, a cell's result): in an array formula a range stays an array; in an ordinary
        cell a range is implicitly intersected (:meth:`intersect`)."""
        if self.array_mode:
            return self.value(v, here)
        if isinstance(v, tuple) and v and v[0] == "UNION":
            raise CellUnsupported("(union of references)")
        if isinstance(v, tuple) and v and v[0] == "REF":
            ref = v[1]
            if self.unsure_scope is not None and (ref.r1 != ref.r2 or ref.c1 != ref.c2):
                raise CellUnsupported(f"(range in an expression inside {self.unsure_scope})")
            return self.intersect(ref, v[2])
        if isinstance(v, ReferenceValues) and v.size > 1:
            raise CellUnsupported("(implicit intersection of a function's reference)")
        return v

    def intersect(self, ref: Ref, here: str) -> Any:
        """Excel's implicit intersection of ``ref`` with the formula's cell: one cell is its value; a
        single column gives the cell in the formula's row, a single row the cell in its column;
        #VALUE! when the formula's row (column) is outside it, and for a block of several rows and
        columns (Microsoft: "Implicit intersection operator: @" — "If the value is a range, then pick
        the cell on the same row or column as the formula")."""
        if self.sheets_between(ref) is not None:
            raise CellUnsupported("(3-D reference)")
        try:
            sheet = self.sheet_of(ref.sheet, here)
        except ExcelError as e:
            return e.error
        vals = self.values[sheet]
        if ref.r1 == ref.r2 and ref.c1 == ref.c2:
            return vals.get((ref.r1, ref.c1))
        self.intersections += 1
        r, c = self.current
        if ref.c1 == ref.c2:
            return vals.get((r, ref.c1)) if ref.r1 <= r <= ref.r2 else CellError("#VALUE!")
        if ref.r1 == ref.r2:
            return vals.get((ref.r1, c)) if ref.c1 <= c <= ref.c2 else CellError("#VALUE!")
        if ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2 and sheet != here:
            raise CellUnsupported("(implicit intersection of a block on another sheet)")
        return CellError("#VALUE!")

    def call(self, name: str, arg_nodes: list, here: str) -> Any:
        if self.scope or self.lambda_names:
            closure = self.lambda_named(name, here)
            if closure is not None:
                return self._call_closure(closure, arg_nodes, here)
        if name == "ISOMITTED":
            node = arg_nodes[0] if len(arg_nodes) == 1 else None
            if node is None or node[0] != "name" or node[2] is not None:
                return False if node is not None else CellError("#VALUE!")
            return self.scope.get(local_name(node[1])) is OMITTED
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
        if name in reference_functions.COMPUTED_ON_REFERENCES:  # OFFSET, INDIRECT, AREAS
            return reference_functions.COMPUTED_ON_REFERENCES[name](self, arg_nodes, here)
        if name == "INDEX" and arg_nodes and reference_functions.may_be_reference(arg_nodes[0]):
            found = reference_functions.index_reference(self, arg_nodes, here)
            if found is not None:
                return found
        if name == "XLOOKUP":
            found = reference_functions.xlookup_reference(self, arg_nodes, here)
            if found is not None:
                return found
        if not builtin.min_args <= len(arg_nodes) <= builtin.max_args:
            return CellError("#VALUE!")
        if self.date1904 and name in self.date_system_functions and not getattr(builtin.fn, "reads_date_system", False):
            raise CellUnsupported(f"{name} (1904 date system)")
        try:
            if builtin.refs:
                return self._call_with_refs(name, builtin, arg_nodes, here)
            if builtin.lazy:
                if name in LIFTED_IN_ARRAYS and self.array_mode:
                    lifted_result = self._lift_lazy(builtin.fn, arg_nodes, here)
                    if lifted_result is not None:
                        return lifted_result
                thunks = [self._thunk(a, here, name) for a in arg_nodes]
                return self._reference_result(name, builtin.fn(*thunks))
            args = []
            lifted = name in ELEMENTWISE
            for a in arg_nodes:
                if a[0] == "missing":
                    args.append(None)
                    continue
                if name in AREAS_AS_ARGUMENTS and a[0] in ("op", "ref"):
                    areas = self._as_areas(self.ev(a, here), here)
                    if areas is not None:
                        args.extend(self.value(area, here, keep_array=True) for area in areas)
                        continue
                if lifted:  # a value parameter: a range is intersected in an ordinary cell
                    v = self.operand(self.ev(a, here), here)
                else:
                    with self.argument_scope(name):
                        v = self.value(self.ev(a, here), here, keep_array=True)
                if isinstance(v, CellError) and not builtin.errors_ok and not lifted:
                    return v
                args.append(v)
            fn = builtin.fn
            if lifted:
                if any(isinstance(a, np.ndarray) for a in args):
                    return elementwise(fn, args, builtin.errors_ok)  # a scalar error fills the array's shape
                if not builtin.errors_ok:
                    bad = next((a for a in args if isinstance(a, CellError)), None)
                    if bad is not None:
                        return bad
            result = fn(*args)
            if isinstance(result, str) and len(result) > MAX_TEXT:
                return text_too_long(len(result))
            return self._reference_result(name, result)
        except ExcelError as e:
            return e.error
        except OverflowError:  # a result beyond ±1.8E+308 (SUM(1E308,1E308)): Excel's #NUM!
            return CellError("#NUM!")
        except budget.BudgetExceeded:
            raise CellUnsupported("(work budget used up)") from None
        except Unsupported:
            raise CellUnsupported(name) from None

    @staticmethod
    def _reference_result(name: str, result: Any) -> Any:
        """A multi-cell result of a function Excel may answer with a reference, marked as such."""
        if name in REFERENCE_RESULTS and isinstance(result, np.ndarray) and result.size > 1:
            return result.view(ReferenceValues)
        return result

    def _call_with_refs(self, name: str, builtin, arg_nodes, here):
        """Call a function that reads references themselves (``Builtin.refs``): a reference argument is passed
        as a :class:`Reference`, any other evaluated (a missing one as None) in the function's argument scope."""
        args: list[Any] = []  # Reference, an evaluated value or None
        for a in arg_nodes:
            if a[0] == "missing":
                args.append(None)
                continue
            with self.argument_scope(name):
                v = self.ev(a, here)
            if isinstance(v, tuple) and v and v[0] == "REF":
                ref = v[1]
                args.append(Reference(self.sheet_of(ref.sheet, v[2]), ref.r1, ref.c1, ref.r2, ref.c2))
            else:
                args.append(self.value(v, here, keep_array=True))
        r, c = self.current
        context = Context(self.book, here, r, c, self._reference_values)
        return builtin.fn(context, *args)

    def _reference_values(self, ref: Reference) -> np.ndarray:
        return self.block(Ref(ref.sheet, ref.r1, ref.c1, ref.r2, ref.c2), ref.sheet)

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

    def _lift_lazy(self, fn, arg_nodes, here):
        """IFS and SWITCH over arrays in an array formula: every argument evaluated, the function
        applied element by element (Excel lifts their one-value parameters); None when no argument
        is an array (the lazy path then evaluates only what it needs)."""
        args = [None if a[0] == "missing" else self.value(self.ev(a, here), here) for a in arg_nodes]
        if not any(isinstance(a, np.ndarray) and a.size > 1 for a in args):
            return None

        def one(*vals):
            def thunk(v):
                def run():
                    if isinstance(v, CellError):
                        raise ExcelError(v)
                    return v

                return run

            return fn(*[thunk(v) for v in vals])

        return elementwise(one, args, errors_ok=True)

    @contextmanager
    def argument_scope(self, name: str):
        """Evaluate an argument of function ``name``: in an ordinary cell, the arguments of an
        array-parameter function (:data:`ARRAY_PARAMETERS`) are evaluated as arrays, those of a
        value-parameter function (:data:`VALUE_PARAMETERS`) intersect, any other makes an
        expression over a range unsupported (see :attr:`unsure_scope`)."""
        saved = self.array_mode, self.unsure_scope
        if not self.array_mode:
            if name in ARRAY_PARAMETERS:
                self.array_mode = True
            elif name not in VALUE_PARAMETERS:
                self.unsure_scope = name
        try:
            yield
        finally:
            self.array_mode, self.unsure_scope = saved

    def _thunk(self, node, here, name: str):
        if node[0] == "missing":
            return lambda: None

        scope = self.scope

        def run():
            with self.argument_scope(name):
                legacy = not self.array_mode
                saved, self.scope = self.scope, scope  # run where it was written (inside a LET/LAMBDA)
                try:
                    v = self.value(self.ev(node, here), here)
                finally:
                    self.scope = saved
            if isinstance(v, CellError):
                raise ExcelError(v)
            if legacy and name not in VALUE_PARAMETERS and isinstance(v, np.ndarray) and v.size > 1:
                raise CellUnsupported(f"(several values in {name} in an ordinary cell)")
            return v

        return run


from gtm_xl.excel.formula import reference_functions  # noqa: E402 — it builds on Book and CellUnsupported
