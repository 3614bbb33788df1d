"""The headless formula evaluator: tokenise → tree → evaluate in dependency order.

:func:`evaluate_workbook` recalculates every formula cell of a :class:`WorkbookCells`:

1. each formula is tokenised with openpyxl's tokenizer and parsed into a small tree
   (operators with Excel's precedence: ``:`` ``-``(unary) ``%`` ``^`` ``* /`` ``+ -`` ``&``
   ``= < > <= >= <>``);
2. the references of every formula (cells, ranges, whole columns, other sheets, defined
   names) give the dependency graph; the cells are evaluated in topological order, cells on a
   cycle are reported in ``circular`` and keep their old value;
3. a formula naming a function outside the table (:data:`gtm_xl.excel.formula.functions.registry.BUILTINS` plus
   the ``functions`` passed in) is reported in ``unsupported`` and keeps its old value;
4. a cell depending on an unsupported or circular cell is not computed from its stale value:
   it is reported in ``blocked`` and keeps its old value too.

Excel's rules: errors propagate; a blank is 0 or ""; numeric text works in arithmetic; an
array result of a dynamic-array formula spills (``spills`` gives its new range; a spill onto a
filled cell is ``#SPILL!``); a legacy array formula fills its ``array_ref``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    ExcelError,
    Unsupported,
    compare,
    to_number,
    to_text,
    values_of,
)
from gtm_xl.excel.formula.functions.mathtrig import round_vector
from gtm_xl.excel.formula.functions.registry import BUILTINS, ELEMENTWISE
from gtm_xl.excel.ooxml.cells import WorkbookCells, column_index, parse_range, to_a1
from gtm_xl.excel.values import ERROR_CODES, CellError, CodedError

__all__ = ["Evaluation", "evaluate_workbook", "parse", "FormulaSyntaxError"]


def _load_tokenizer():
    """openpyxl's formula tokenizer without importing openpyxl (~70 ms of process start).

    ``openpyxl/formula/tokenizer.py`` needs only :mod:`re`; it is loaded from its file as a
    standalone module unless openpyxl is already imported."""
    import sys

    if "openpyxl" not in sys.modules:
        import importlib.util
        import os

        spec = importlib.util.find_spec("openpyxl")
        if spec is not None and spec.origin:
            path = os.path.join(os.path.dirname(spec.origin), "formula", "tokenizer.py")
            if os.path.exists(path):
                name = "gtm_xl.excel._openpyxl_tokenizer"
                mod_spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(mod_spec)
                mod_spec.loader.exec_module(module)
                return module.Token, module.Tokenizer
    from openpyxl.formula.tokenizer import Token, Tokenizer

    return Token, Tokenizer


Token, Tokenizer = _load_tokenizer()

MAX_ROWS = 1048576
MAX_COLS = 16384


class _CellUnsupported(Exception):
    """A function met a case it does not implement; the cell is reported, not guessed."""

    def __init__(self, function: str) -> None:
        self.function = function
        super().__init__(function)


class FormulaSyntaxError(ValueError):
    """A formula the parser cannot read."""


@dataclass
class Evaluation:
    """The outcome of :func:`evaluate_workbook` (see the evaluator contract).

    ``blocked`` maps a cell that depends (directly or through other cells) on a cell that could
    not be computed — an unsupported function or a circular reference — to (that cell, the
    function's name or ``"circular"``); such a cell is not computed either and keeps its old
    value, like the cell it depends on."""

    values: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    spills: dict[tuple[str, int, int], str] = field(default_factory=dict)
    unsupported: dict[tuple[str, int, int], str] = field(default_factory=dict)
    circular: list[tuple[str, int, int]] = field(default_factory=list)
    blocked: dict[tuple[str, int, int], tuple[tuple[str, int, int], str]] = field(default_factory=dict)
    formulas_evaluated: int = 0


# --- the tree ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A rectangular reference; ``sheet`` None means the formula's own sheet."""

    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int


# nodes are tuples: ("lit", v) ("ref", Ref) ("name", NAME) ("fn", NAME, [args]) ("op", op, a, b)
# ("neg", a) ("pct", a) ("arr", ndarray) ("err", CellError) ("missing",)

_PREC = {":": 8, "^": 5, "*": 4, "/": 4, "+": 3, "-": 3, "&": 2, "=": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "<>": 1}
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COL = re.compile(r"^\$?([A-Za-z]{1,3})$")
_ROW = re.compile(r"^\$?(\d+)$")


def _strip_fn(name: str) -> str:
    name = name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _split_sheet(text: str) -> tuple[str | None, str]:
    if "!" not in text:
        return None, text
    sheet, _, ref = text.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref


def _parse_ref(text: str) -> Ref | None:
    """``A1``, ``$A$1:B2``, ``A:A``, ``1:3``, ``Sheet!A1`` → :class:`Ref`; None if not a reference."""
    sheet, ref = _split_sheet(text)
    a, _, b = ref.partition(":")
    b = b or a
    ma, mb = _CELL.match(a), _CELL.match(b)
    if ma and mb:
        if ":" not in ref:  # one cell: keep which parts are absolute, for shifting
            r1, c1 = int(ma.group(2)), column_index(ma.group(1))
            return Ref(sheet, r1, c1, r1, c1)
        r1, c1 = int(ma.group(2)), column_index(ma.group(1))
        r2, c2 = int(mb.group(2)), column_index(mb.group(1))
        return Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
    if ":" in ref:
        ca, cb = _COL.match(a), _COL.match(b)
        if ca and cb:
            c1, c2 = column_index(ca.group(1)), column_index(cb.group(1))
            return Ref(sheet, 1, min(c1, c2), MAX_ROWS, max(c1, c2))
        ra, rb = _ROW.match(a), _ROW.match(b)
        if ra and rb:
            r1, r2 = int(ra.group(1)), int(rb.group(1))
            return Ref(sheet, min(r1, r2), 1, max(r1, r2), MAX_COLS)
    return None


def _literal(tok: Token) -> Any:
    if tok.subtype == Token.NUMBER:
        return float(tok.value)
    if tok.subtype == Token.TEXT:
        return tok.value[1:-1].replace('""', '"')
    if tok.subtype == Token.LOGICAL:
        return tok.value.upper() == "TRUE"
    if tok.subtype == Token.ERROR:
        return CellError(tok.value.upper())
    raise FormulaSyntaxError(f"not a constant: {tok.value}")


class _Parser:
    def __init__(self, formula: str) -> None:
        try:
            items = Tokenizer("=" + formula).items
        except Exception as exc:  # openpyxl raises TokenizerError and others
            raise FormulaSyntaxError(f"cannot tokenise {formula!r}: {exc}") from None
        self.toks = [t for t in items if t.type != Token.WSPACE]
        self.i = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FormulaSyntaxError("unexpected end of formula")
        self.i += 1
        return tok

    def expr(self, min_prec: int = 0):
        left = self.unary()
        while True:
            tok = self.peek()
            if tok is None:
                return left
            if tok.type == Token.OP_POST:
                self.i += 1
                left = ("pct", left)
                continue
            if tok.type != Token.OP_IN:
                return left
            op = tok.value
            prec = _PREC.get(op)
            if prec is None:
                raise FormulaSyntaxError(f"unknown operator {op!r}")
            if prec <= min_prec:  # left-associative, as Excel (2^3^2 is 64)
                return left
            self.i += 1
            right = self.expr(prec)
            left = ("op", op, left, right)

    def unary(self):
        tok = self.peek()
        if tok is not None and tok.type == Token.OP_PRE:
            self.i += 1
            operand = self.unary_operand()
            return ("neg", operand) if tok.value == "-" else operand
        return self.primary()

    def unary_operand(self):
        # unary minus binds tighter than ^ in Excel (-2^2 = 4) but looser than %
        node = self.unary()
        while (tok := self.peek()) is not None and tok.type == Token.OP_POST:
            self.i += 1
            node = ("pct", node)
        return node

    def primary(self):
        tok = self.take()
        if tok.type == Token.OPERAND:
            if tok.subtype == Token.RANGE:
                ref = _parse_ref(tok.value)
                if ref is not None:
                    return ("ref", ref, _absolute_parts(tok.value))
                sheet, name = _split_sheet(tok.value)
                if name.upper() == "#REF!":
                    return ("err", CellError("#REF!"))
                return ("name", name.upper(), sheet)
            return ("lit", _literal(tok))
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            name = _strip_fn(tok.value[:-1])
            args = []
            if self.peek() is not None and self.peek().type == Token.FUNC and self.peek().subtype == Token.CLOSE:
                self.i += 1
                return ("fn", name, args)
            while True:
                nxt = self.peek()
                if nxt is not None and (
                    (nxt.type == Token.SEP and nxt.subtype == Token.ARG)
                    or (nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE)
                ):
                    args.append(("missing",))
                else:
                    args.append(self.expr())
                sep = self.take()
                if sep.type == Token.FUNC and sep.subtype == Token.CLOSE:
                    return ("fn", name, args)
                if not (sep.type == Token.SEP and sep.subtype == Token.ARG):
                    raise FormulaSyntaxError(f"expected ',' or ')' after an argument of {name}")
        if tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            node = self.expr()
            close = self.take()
            if close.type != Token.PAREN:
                raise FormulaSyntaxError("expected ')'")
            return node
        if tok.type == Token.ARRAY and tok.subtype == Token.OPEN:
            rows, row = [], []
            while True:
                t = self.take()
                if t.type == Token.OPERAND:
                    row.append(_literal(t))
                elif t.type == Token.OP_PRE and t.value == "-":
                    row.append(-_literal(self.take()))
                elif t.type == Token.SEP and t.subtype == Token.ARG:
                    continue
                elif t.type == Token.SEP and t.subtype == Token.ROW:
                    rows.append(row)
                    row = []
                elif t.type == Token.ARRAY and t.subtype == Token.CLOSE:
                    rows.append(row)
                    break
                elif t.type == Token.ARRAY and t.subtype == Token.OPEN:
                    continue
                else:
                    raise FormulaSyntaxError(f"unexpected {t.value!r} in an array constant")
            width = len(rows[0])
            if any(len(r) != width for r in rows):
                raise FormulaSyntaxError("array constant rows of different lengths")
            arr = np.empty((len(rows), width), dtype=object)
            for i, r in enumerate(rows):
                for j, v in enumerate(r):
                    arr[i, j] = v
            return ("arr", arr)
        raise FormulaSyntaxError(f"unexpected {tok.value!r}")


_PARSED: dict[str, Any] = {}
_PARSED_MAX = 20_000


def parse(formula: str):
    """A formula (without ``=``) → its tree. Raises :class:`FormulaSyntaxError`.

    Trees are immutable and cached per formula text, so the same formulas in the many files
    of a batch are tokenised once per process."""
    tree = _PARSED.get(formula)
    if tree is None:
        tree = _parse(formula)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[formula] = tree
    return tree


_SPILL_REF = re.compile(r"(?<![\w.$!'])((?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?(\$?[A-Za-z]{1,3}\$?\d+)#")


def _spill_refs(formula: str) -> str:
    """``A1#`` (the spill range of a dynamic array anchored at A1) as ``ANCHORARRAY(A1)``, the form
    Excel stores in the file (``_xlfn.ANCHORARRAY``); text inside string literals is left alone."""
    parts = formula.split('"')
    for i in range(0, len(parts), 2):  # outside "…" literals
        parts[i] = _SPILL_REF.sub(lambda m: f"ANCHORARRAY({m.group(1) or ''}{m.group(2)})", parts[i])
    return '"'.join(parts)


def _parse(formula: str):
    if "#" in formula:
        formula = _spill_refs(formula)
    p = _Parser(formula)
    if not p.toks:
        raise FormulaSyntaxError("empty formula")
    node = p.expr()
    if p.peek() is not None:
        raise FormulaSyntaxError(f"unexpected {p.peek().value!r}")
    return node


def _absolute_parts(text: str) -> tuple[bool, bool, bool, bool]:
    """Which of (first row, first column, last row, last column) are absolute (``$``) or whole."""
    _, ref = _split_sheet(text)
    a, _, b = ref.partition(":")
    b = b or a

    def parts(x: str) -> tuple[bool, bool]:
        m = re.match(r"^(\$?)([A-Za-z]{0,3})(\$?)(\d*)$", x)
        if not m:
            return True, True
        col_abs = bool(m.group(1)) or not m.group(2)
        row_abs = bool(m.group(3) if m.group(2) else m.group(1)) or not m.group(4)
        return row_abs, col_abs

    ra, ca = parts(a)
    rb, cb = parts(b)
    return ra, ca, rb, cb


_R1C1_TOKEN = re.compile(
    r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'|(?<![A-Za-z0-9_.])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])'
)


_DIGITS = re.compile(r"\d+")


def _row_mask(formula: str) -> list[bool]:
    """For each run of digits in the formula: is it the row of a relative cell reference? (A
    formula filled down a column differs from its first cell only in those, by the row offset.)"""
    relative = set()
    for m in _R1C1_TOKEN.finditer(formula):
        if m.group(2) is not None and not m.group(3) and _column_number(m.group(2)) is not None:
            relative.add(m.start(4))
    return [m.start() in relative for m in _DIGITS.finditer(formula)]


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int | None:
    try:
        return column_index(letters)
    except ValueError:
        return None


@functools.lru_cache(maxsize=16384)
def r1c1_key(formula: str, row: int, col: int) -> str:
    """The formula with its relative cell references written as offsets from (row, col): cells
    of a column filled with the same formula share this key (Excel's R1C1 form)."""

    def sub(m: re.Match) -> str:
        if m.group(2) is None:
            return m.group(0)
        c = _column_number(m.group(2))
        if c is None:
            return m.group(0)
        r = int(m.group(4))
        rs = f"R{r}" if m.group(3) else f"R[{r - row}]"
        cs = f"C{c}" if m.group(1) else f"C[{c - col}]"
        return rs + cs

    return _R1C1_TOKEN.sub(sub, formula)


def _shift_ref(ref: Ref, flags, dr: int, dc: int) -> Ref:
    ra, ca, rb, cb = flags
    return Ref(
        ref.sheet,
        ref.r1 if ra else ref.r1 + dr,
        ref.c1 if ca else ref.c1 + dc,
        ref.r2 if rb else ref.r2 + dr,
        ref.c2 if cb else ref.c2 + dc,
    )


def _template(wb, sname: str, formula: str, r: int, c: int, known: set) -> tuple:
    """A formula parsed once for all the cells sharing its R1C1 form: (tree, row, col, its
    references with their absolute flags, the first unsupported function or None)."""
    try:
        tree = parse(formula)
    except FormulaSyntaxError:
        return None, r, c, [], "(syntax)"
    ref_nodes: list = []
    fns: set[str] = set()
    seen: set[str] = set()

    def on_name(n, sh):
        if "[" in n:
            fns.add("(structured reference)")
            return
        if n in seen:
            return
        seen.add(n)
        t = wb.name_tree(n, sh, sname)
        if t is not None:
            _walk(t, ref_nodes.append, on_name, fns.add)  # noqa: F821 — recursive closure, deleted below

    _walk(tree, ref_nodes.append, on_name, fns.add)
    del on_name  # it refers to itself: a cycle that would keep the whole book alive until a gc pass
    missing = sorted(f for f in fns if f not in known)
    return tree, r, c, ref_nodes, (missing[0] if missing else None)


def shift(node, dr: int, dc: int):
    """The tree of a formula moved by (dr, dc): relative references move, absolute ones stay."""
    kind = node[0]
    if kind == "ref":
        ref, (ra, ca, rb, cb) = node[1], node[2]
        return (
            "ref",
            Ref(
                ref.sheet,
                ref.r1 if ra else ref.r1 + dr,
                ref.c1 if ca else ref.c1 + dc,
                ref.r2 if rb else ref.r2 + dr,
                ref.c2 if cb else ref.c2 + dc,
            ),
            node[2],
        )
    if kind == "fn":
        return ("fn", node[1], [shift(a, dr, dc) for a in node[2]])
    if kind == "op":
        return ("op", node[1], shift(node[2], dr, dc), shift(node[3], dr, dc))
    if kind in ("neg", "pct"):
        return (kind, shift(node[1], dr, dc))
    return node


def _walk(node, on_ref, on_name, on_fn):
    kind = node[0]
    if kind == "ref":
        on_ref((node[1], node[2]))
    elif kind == "name":
        on_name(node[1], node[2])
    elif kind == "fn":
        on_fn(node[1])
        for a in node[2]:
            _walk(a, on_ref, on_name, on_fn)
    elif kind == "op":
        _walk(node[2], on_ref, on_name, on_fn)
        _walk(node[3], on_ref, on_name, on_fn)
    elif kind in ("neg", "pct"):
        _walk(node[1], on_ref, on_name, on_fn)


# --- element-wise operators -----------------------------------------------------------------------
def _binary(op: str, a: Any, b: Any) -> Any:
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
            return to_text(a) + to_text(b)
        c = compare(a, b)
        return {"=": c == 0, "<>": c != 0, "<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
    except ExcelError as e:
        return e.error


def _broadcast(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _elementwise(fn: Callable[..., Any], args: list[Any], errors_ok: bool = False) -> Any:
    """Apply a scalar function over the arrays among ``args`` (broadcast: a scalar, an error value
    too, fills the shape), errors per element (passed to ``fn`` when it takes them: ISERROR…)."""
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    if not arrays:
        return fn(*args)
    rows = max(a.shape[0] for a in arrays)
    cols = max(a.shape[1] for a in arrays)
    target = np.empty((rows, cols), dtype=object)
    fitted = []
    for a in args:
        if isinstance(a, np.ndarray):
            fitted.append(_broadcast(a, target)[0])
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


# --- the evaluator -----------------------------------------------------------------------------
class _Book:
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
                aa, bb = _broadcast(_as2d(a), _as2d(b))
                out = np.empty(aa.shape, dtype=object)
                for idx in np.ndindex(aa.shape):
                    out[idx] = _binary(op, aa[idx], bb[idx])
                return out
            return _binary(op, a, b)
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
            return _elementwise(lambda x: fn(x), [v])
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
            return _from_python(result)
        if builtin is None:
            return CellError("#NAME?")
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
                    return _elementwise(builtin.fn, args, builtin.errors_ok)  # a scalar error fills the array's shape
                if not builtin.errors_ok:
                    bad = next((a for a in args if isinstance(a, CellError)), None)
                    if bad is not None:
                        return bad
            return builtin.fn(*args)
        except ExcelError as e:
            return e.error
        except Unsupported:
            raise _CellUnsupported(name) from None

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


def _as2d(v: Any) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v
    a = np.empty((1, 1), dtype=object)
    a[0, 0] = v
    return a


def _from_python(v: Any) -> Any:
    """A function's result in the cell model: numpy scalars as float/bool, 1-D arrays as rows."""
    if isinstance(v, np.ndarray):
        if v.ndim == 1:
            v = v.reshape(1, -1)
        if v.dtype != object:
            v = v.astype(object)
        return np.vectorize(_from_python, otypes=[object])(v) if v.size else v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return CellError("#NUM!")
        return f
    return v


def _cell_result(v: Any) -> Any:
    """The final value of a formula cell: a blank reference is 0."""
    if v is None:
        return 0.0
    return _from_python(v)


# --- grouping formulas by R1C1 form ----------------------------------------------------------------
def _row_shifter(formula: str) -> tuple[list[str], list[int]]:
    """The formula split around the row numbers of its relative cell references: the text of
    the same formula filled down by ``d`` rows is ``_shifted(pieces, rows, d)``."""
    pieces, rows, pos = [], [], 0
    for m, relative in zip(_DIGITS.finditer(formula), _row_mask(formula)):
        if relative:
            pieces.append(formula[pos : m.start()])
            rows.append(int(m.group(0)))
            pos = m.end()
    pieces.append(formula[pos:])
    return pieces, rows


def _shifted(pieces: list[str], rows: list[int], d: int) -> str:
    if not rows:
        return pieces[0]
    out = [pieces[0]]
    for n, piece in zip(rows, pieces[1:]):
        out.append(str(n + d))
        out.append(piece)
    return "".join(out)


def _row_format(pieces: list[str], rows: list[int], r: int) -> tuple[str, Any, int]:
    """(a %-format, offsets, count) that rebuild the formula of row ``r`` (split by
    :func:`_row_shifter`) filled down to any row ``x``: ``fmt % ((x + offsets,) * count)`` when its
    relative rows are all ``r + offsets`` (the common case), else ``fmt % tuple(x + k for k in
    offsets)`` (count -1)."""
    fmt = "%d".join(p.replace("%", "%%") for p in pieces)
    offsets = [n - r for n in rows]
    if len(set(offsets)) <= 1:
        return fmt, offsets[0] if offsets else 0, len(offsets)
    return fmt, offsets, -1


class _TemplateMatcher:
    """Finds the parsed template (see :func:`_template`) of each formula cell, parsing each
    R1C1 form once. A cell whose formula is the one above it filled down (the common case) is
    recognised by one string comparison; others by the formula's shape, then by its R1C1 key."""

    def __init__(self, wb: _Book, known: set) -> None:
        self.wb = wb
        self.known = known
        self.templates: dict[tuple[str, str], tuple] = {}  # (sheet, R1C1 form) → template
        self.last: dict[tuple[str, int], tuple] = {}  # (sheet, column) → (template, *_row_format)
        self.by_shape: dict[tuple, list] = {}  # (sheet, column, digits masked) → candidates

    def __call__(self, sname: str, formula: str, r: int, c: int) -> tuple:
        hit = self.last.get((sname, c))
        if hit is not None:
            fmt, offsets, count = hit[1], hit[2], hit[3]
            if (fmt % ((r + offsets,) * count) if count >= 0 else fmt % tuple([r + k for k in offsets])) == formula:
                return hit[0]
        masked, nums, mask, pieces, rows = _formula_info(formula)
        shape = (sname, c, masked)
        template = None
        candidates = self.by_shape.get(shape)
        if candidates:
            for cand, cand_nums, mask, cand_row in candidates:
                d = r - cand_row
                if all(n == t + d if m else n == t for n, t, m in zip(nums, cand_nums, mask)):
                    template = cand
                    break
        if template is None:
            pattern = r1c1_key(formula, r, c)
            template = self.templates.get((sname, pattern))
            if template is None:
                template = self.templates[(sname, pattern)] = _template(self.wb, sname, formula, r, c, self.known)
            self.by_shape.setdefault(shape, []).append((template, nums, mask, r))
        self.last[(sname, c)] = (template, *_row_format(pieces, rows, r))
        return template


_INFO: dict[str, tuple] = {}


def _formula_info(formula: str) -> tuple:
    """(text with digits masked, its numbers, which are relative rows, row-shifter pieces and
    rows) of a formula, cached per text for the process (a batch repeats its templates' texts)."""
    info = _INFO.get(formula)
    if info is None:
        if len(_INFO) >= _PARSED_MAX:
            _INFO.clear()
        info = _INFO[formula] = (
            _DIGITS.sub("#", formula),
            [int(x) for x in _DIGITS.findall(formula)],
            _row_mask(formula),
            *_row_shifter(formula),
        )
    return info


# --- dependency graph --------------------------------------------------------------------------
def evaluate_workbook(
    book: WorkbookCells, functions: Mapping[str, Callable] | None = None, batching: bool = True
) -> Evaluation:
    """Recalculate every formula cell of ``book``; see :class:`Evaluation` and the module doc.

    With ``batching`` (the default) a run of rows of one column holding the same formula in
    R1C1 form is evaluated as one vectorised numpy operation where the formula allows it
    (:func:`_evaluate_batch`); otherwise, and whenever a batch meets a case it does not
    vectorise (text, blanks in MIN/MAX, an error value), its cells are evaluated one by one."""
    functions = dict(functions or {})
    known = set(BUILTINS) | {k.upper() for k in functions}
    wb = _Book(book, functions)
    result = Evaluation()
    wb.spills = result.spills
    wb.blocks = {}  # in dependency order a range is read once its formulas are computed

    trees: dict[tuple[str, int, int], tuple] = {}  # cell → (template, row shift, column shift)
    by_run: dict[tuple[str, int, int], list[int]] = {}  # (sheet, column, template id) → rows
    formula_cols: dict[str, dict[int, list[int]]] = {}
    match = _TemplateMatcher(wb, known)
    for sname, sheet in book.sheets.items():
        cols_of_sheet = formula_cols.setdefault(sname, {})
        for (r, c), cell in sheet.formula_cells().items():
            formula = cell.formula
            if not formula:
                continue
            template = match(sname, formula, r, c)
            if template[4]:
                result.unsupported[(sname, r, c)] = template[4]
                cols_of_sheet.setdefault(c, []).append(r)  # found by its dependents, never evaluated
                continue
            trees[(sname, r, c)] = (template, r - template[1], c - template[2])
            by_run.setdefault((sname, c, id(template)), []).append(r)
            cols_of_sheet.setdefault(c, []).append(r)
    for cols in formula_cols.values():
        for rows in cols.values():
            rows.sort()

    import bisect

    def cells_in(sname, ref):
        target = sname if ref.sheet is None else wb.sheet_keys.get(ref.sheet.lower())
        if target is None or target not in formula_cols:
            return []
        cols = formula_cols[target]
        out = []
        span = range(ref.c1, ref.c2 + 1) if ref.c2 - ref.c1 < len(cols) else [c for c in cols if ref.c1 <= c <= ref.c2]
        for c in span:
            rows = cols.get(c)
            if not rows:
                continue
            lo = bisect.bisect_left(rows, ref.r1)
            hi = bisect.bisect_right(rows, ref.r2)
            out.extend((target, r, c) for r in rows[lo:hi])
        return out

    # nodes of the graph: a batch (a run of rows of one column with the same R1C1 formula) or one cell
    deps: dict[Any, list[Ref]] = {}

    def deps_of(key) -> list[Ref]:
        found = deps.get(key)
        if found is None:
            template, dr, dc = trees[key]
            refs = template[3]
            found = deps[key] = (
                [_shift_ref(ref, flags, dr, dc) for ref, flags in refs] if (dr or dc) else [ref for ref, _ in refs]
            )
        return found

    groups = _batches(by_run) if batching else []
    node_of: dict[tuple[str, int, int], int] = {}
    nodes: list[list[tuple[str, int, int]]] = []
    for members in groups:
        first, last = members[0], members[-1]
        bounding = [
            Ref(a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2))
            for a, b in zip(deps_of(first), deps_of(last))
        ]
        inside = set(members)
        if any(k in inside for ref in bounding for k in cells_in(first[0], ref)):
            continue  # the cells depend on each other: one by one
        for k in members:
            node_of[k] = len(nodes)
        deps[("batch", len(nodes))] = bounding
        nodes.append(members)
    for key in trees:
        if key not in node_of:
            node_of[key] = len(nodes)
            nodes.append([key])

    def tree_of(key):
        template, dr, dc = trees[key]
        return shift(template[0], dr, dc) if (dr or dc) else template[0]

    def precedents(n):
        members = nodes[n]
        refs = deps[("batch", n)] if len(members) > 1 else deps_of(members[0])
        return [node_of[k] for ref in refs for k in cells_in(members[0][0], ref) if k in node_of]

    # iterative DFS topological order; a back edge marks a cycle
    order: list[int] = []
    state: dict[int, int] = {}
    cyclic_nodes: set[int] = set()
    for start in range(len(nodes)):
        if state.get(start):
            continue
        stack = [(start, iter(precedents(start)))]
        state[start] = 1
        path = [start]
        while stack:
            node, it = stack[-1]
            for nxt in it:
                st = state.get(nxt, 0)
                if st == 0:
                    state[nxt] = 1
                    stack.append((nxt, iter(precedents(nxt))))
                    path.append(nxt)
                    break
                if st == 1:
                    cyclic_nodes.update(path[path.index(nxt) :])
            else:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
    if batching and any(len(nodes[n]) > 1 for n in cyclic_nodes):
        return evaluate_workbook(book, functions, batching=False)  # cycles are told cell by cell

    cyclic = {k for n in cyclic_nodes for k in nodes[n]}
    result.circular = sorted(cyclic)
    # cells that could not be computed: a cell depending on one is not computed either
    bad: dict[tuple[str, int, int], tuple] = {k: (k, fn) for k, fn in result.unsupported.items()}
    bad.update((k, (k, "circular")) for k in cyclic)

    def cause(key) -> tuple | None:
        for ref in deps_of(key):
            for k in cells_in(key[0], ref):
                if k in bad:
                    return bad[k]
        return None

    for n in order:
        members = nodes[n]
        if members[0] in cyclic:
            continue
        if bad:
            blocked = {k: why for k in members if (why := cause(k)) is not None}
            if blocked:
                result.blocked.update(blocked)
                bad.update(blocked)
                members = [k for k in members if k not in blocked]
        if len(members) > 1 and len(members) == len(nodes[n]):
            batch = _evaluate_batch(wb, tree_of(members[0]), members, functions)
            if batch is not None:  # plain values of plain cells (no arrays): stored in bulk
                result.formulas_evaluated += len(members)
                wb.values[members[0][0]].update(zip([k[1:] for k in members], batch))
                wb.written(members[0][0], members[0][1], members[0][2], members[-1][1], members[0][2])
                result.values.update(zip(members, batch))
                continue
        for key in members:
            sname, r, c = key
            cell = book.sheets[sname].get((r, c))
            wb.current = (r, c)
            try:
                v = wb.value(wb.ev(tree_of(key), sname), sname, keep_array=bool(cell.dynamic or cell.array_ref))
            except _CellUnsupported as exc:
                result.unsupported[key] = exc.function
                bad[key] = (key, exc.function)
                continue
            except ExcelError as e:
                v = e.error
            except RecursionError:
                v = CellError("#NUM!")
            result.formulas_evaluated += 1
            _store(wb, result, book, key, cell, v)
    return result


def _store(wb: _Book, result: Evaluation, book: WorkbookCells, key, cell, v) -> None:
    sname, r, c = key
    vals = wb.values[sname]
    if isinstance(v, np.ndarray):
        if wb.blocks is not None:
            wb.blocks.pop(sname, None)  # an array or a spill writes many cells: forget the sheet's blocks
        v = _from_python(v)
        is_array_formula = bool(cell.array_ref) or cell.dynamic
        if v.shape == (1, 1) and not cell.dynamic:
            v = v[0, 0]
        elif not is_array_formula:
            v = v[0, 0]  # implicit intersection of a legacy formula: its first element
        elif cell.array_ref and not cell.dynamic:
            r1, c1, r2, c2 = parse_range(cell.array_ref)
            for i in range(r2 - r1 + 1):
                for j in range(c2 - c1 + 1):
                    ev = v[i, j] if i < v.shape[0] and j < v.shape[1] else CellError("#N/A")
                    ev = _cell_result(ev)
                    vals[(r1 + i, c1 + j)] = ev
                    result.values[(sname, r1 + i, c1 + j)] = ev
            return
        else:
            rows, cols = v.shape
            cells = book.sheets[sname]
            blocked = any(
                (rr, cc) != (r, c)
                and (other := cells.get((rr, cc))) is not None
                and (other.formula is not None or (other.value is not None and not _inside(cell.array_ref, rr, cc)))
                for rr in range(r, r + rows)
                for cc in range(c, c + cols)
            )
            if blocked:
                vals[(r, c)] = result.values[key] = CellError("#SPILL!")
                result.spills[key] = to_a1(r, c)
                return
            for i in range(rows):
                for j in range(cols):
                    ev = _cell_result(v[i, j])
                    vals[(r + i, c + j)] = ev
                    result.values[(sname, r + i, c + j)] = ev
            max_r, max_c = wb.bounds[sname]  # a spill may reach beyond the sheet's cells
            wb.bounds[sname] = (max(max_r, r + rows - 1), max(max_c, c + cols - 1))
            result.spills[key] = f"{to_a1(r, c)}:{to_a1(r + rows - 1, c + cols - 1)}" if v.size > 1 else to_a1(r, c)
            return
    v = _cell_result(v)
    vals[(r, c)] = v
    result.values[key] = v
    wb.written(sname, r, c, r, c)
    if cell.dynamic:
        result.spills[key] = to_a1(r, c)


def _inside(ref: str | None, r: int, c: int) -> bool:
    if not ref:
        return False
    r1, c1, r2, c2 = parse_range(ref)
    return r1 <= r <= r2 and c1 <= c <= c2


# --- vectorised batches ------------------------------------------------------------------------
MIN_BATCH = 4


def _batches(by_col: dict[tuple[str, int, int], list[int]]) -> list[list[tuple[str, int, int]]]:
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


def _relative(node) -> bool:
    """True when the tree holds a reference that moves with the cell."""
    kind = node[0]
    if kind == "ref":
        return not all(node[2])
    if kind == "fn":
        return any(_relative(a) for a in node[2])
    if kind == "op":
        return _relative(node[2]) or _relative(node[3])
    if kind in ("neg", "pct"):
        return _relative(node[1])
    return False


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

    def __init__(self, wb: _Book, members: list, functions: Mapping[str, Callable]) -> None:
        self.wb = wb
        self.sheet = members[0][0]
        self.r0, self.c0 = members[0][1], members[0][2]
        self.n = len(members)
        self.functions = {k.upper(): v for k, v in functions.items()}

    def shared(self, node):
        self.wb.current = (self.r0, self.c0)
        v = self.wb.value(self.wb.ev(node, self.sheet), self.sheet)
        if isinstance(v, CellError):
            raise _NoBatch
        return v

    def ev(self, node):
        if not _relative(node):
            return self.shared(node)
        kind = node[0]
        if kind == "ref":
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
        if name in ("ROUND", "ROUNDUP", "ROUNDDOWN") and len(args) == 2 and not _relative(args[1]):
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
            if prod.shape[0] != n:
                raise _NoBatch
            return prod.sum(axis=1)
        if name in ("SUM", "AVERAGE", "MIN", "MAX") and len(args) == 1:
            v = self.ev(args[0])
            if not (isinstance(v, np.ndarray) and v.ndim == 2):
                raise _NoBatch
            f = _floats(v, n, blank_ok=name == "SUM")
            return {"SUM": f.sum, "AVERAGE": f.mean, "MIN": f.min, "MAX": f.max}[name](axis=1)
        if name in ("RANK", "RANK.EQ") and len(args) in (2, 3) and not any(_relative(a) for a in args[1:]):
            return self.rank(args)
        if name in ("ABS", "INT") and len(args) == 1:
            x = np.broadcast_to(_floats(self.ev(args[0]), n), (n,))
            return np.abs(x) if name == "ABS" else np.floor(x)
        raise _NoBatch

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
                if _relative(node):
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
        out = _from_python(out)
        if not isinstance(out, np.ndarray) or out.shape != (self.n, 1):
            raise _NoBatch
        return out.reshape(-1)


def _evaluate_batch(wb: _Book, tree, members: list, functions: Mapping[str, Callable]) -> list | None:
    """The values of ``members`` (a column of one R1C1 formula) in one vectorised pass; None
    when the formula or its data need the cell-by-cell path."""
    get = wb.book.sheets[members[0][0]].get
    if any((cell := get(k[1:])).dynamic or cell.array_ref for k in members):
        return None
    try:
        out = _Batch(wb, members, functions).ev(tree)
    except (_NoBatch, ExcelError, _CellUnsupported):
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
    return [_from_python(v) for v in values]
