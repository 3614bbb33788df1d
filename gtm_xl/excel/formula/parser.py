"""Formula text → tree: openpyxl's tokenizer, then a small parser with Excel's operator precedence.

Precedence: ``:`` before unary minus before ``%`` before ``^``, then ``* /``, ``+ -``, ``&``,
comparisons (``-2^2`` is 4, ``2^3^2`` is 64, as in Excel). :func:`parse` caches trees per formula
text. A tree is nested tuples::

    ("lit", v) ("ref", Ref, absolute flags) ("name", NAME, sheet) ("fn", NAME, [args])
    ("op", op, a, b) ("neg", a) ("pct", a) ("arr", ndarray) ("err", CellError) ("missing",)

:func:`walk` visits a tree's references, names and functions; :func:`is_relative` tells whether
it holds a reference that moves with its cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from gtm_xl.excel.ooxml.cells import column_index
from gtm_xl.excel.values import ERROR_CODES, CellError


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
                if mod_spec is not None and mod_spec.loader is not None:
                    module = importlib.util.module_from_spec(mod_spec)
                    mod_spec.loader.exec_module(module)
                    return module.Token, module.Tokenizer
    from openpyxl.formula.tokenizer import Token, Tokenizer

    return Token, Tokenizer


if TYPE_CHECKING:
    # the classes _load_tokenizer returns, named statically so they can annotate (openpyxl has no
    # type information: to mypy they are Any)
    from openpyxl.formula.tokenizer import Token
    from openpyxl.formula.tokenizer import Tokenizer as _Tokenizer
else:
    Token, _Tokenizer = _load_tokenizer()


class Tokenizer(_Tokenizer):
    """openpyxl's tokenizer knowing every error value Excel stores (``#SPILL!``, ``#CALC!``…), not
    only those of Excel 2007; longest first, so no code is read as the start of another."""

    ERROR_CODES = tuple(sorted(ERROR_CODES, key=len, reverse=True))


MAX_ROWS = 1048576


MAX_COLS = 16384


class FormulaSyntaxError(ValueError):
    """A formula the parser cannot read."""


@dataclass(frozen=True)
class Ref:
    """A rectangular reference; ``sheet`` None means the formula's own sheet."""

    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int


# ":" range, " " intersection, "," union (inside parentheses): the reference operators bind tightest
_PREC = {
    ":": 8,
    " ": 7,
    ",": 6,
    "^": 5,
    "*": 4,
    "/": 4,
    "+": 3,
    "-": 3,
    "&": 2,
    "=": 1,
    "<": 1,
    ">": 1,
    "<=": 1,
    ">=": 1,
    "<>": 1,
}


_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


_COL = re.compile(r"^\$?([A-Za-z]{1,3})$")


_ROW = re.compile(r"^\$?(\d+)$")


def _strip_fn(name: str) -> str:
    name = name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def split_sheet(text: str) -> tuple[str | None, str]:
    if "!" not in text:
        return None, text
    sheet, _, ref = text.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref


class OutsideSheet(ValueError):
    """A reference past the sheet's last row (1,048,576) or column (XFD)."""


def _parse_ref(text: str) -> Ref | None:
    """``A1``, ``$A$1:B2``, ``A:A``, ``1:3``, ``Sheet!A1`` → :class:`Ref`; None if not a reference;
    :class:`OutsideSheet` for one past the sheet (``XFE1``, ``A1048577``)."""
    try:
        ref = _parse_ref_in_sheet(text)
    except ValueError:  # column_index: a column past XFD
        raise OutsideSheet(text) from None
    if ref is not None and not (1 <= ref.r1 <= ref.r2 <= MAX_ROWS and 1 <= ref.c1 <= ref.c2 <= MAX_COLS):
        raise OutsideSheet(text)
    return ref


_SHEET_TWICE = re.compile(r"^((?:'(?:[^']|'')+')|[^'!:]+)!([^!:]+):((?:'(?:[^']|'')+')|[^'!:]+)!([^!:]+)$")


def _parse_ref_in_sheet(text: str) -> Ref | None:
    m = _SHEET_TWICE.match(text)
    if m is not None:  # Sheet1!A1:Sheet1!B2: the sheet named on both ends
        if m.group(1).lower() != m.group(3).lower():
            raise FormulaSyntaxError(f"a range across two sheets: {text!r}")
        text = f"{m.group(1)}!{m.group(2)}:{m.group(4)}"
    sheet, ref = split_sheet(text)
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


def local_name(name: str) -> str:
    """A LET/LAMBDA name as the evaluator keys it: upper case, without the file's ``_xlpm.``
    (bound name) or ``_xlop.`` (optional parameter) prefix."""
    upper = name.upper()
    for prefix in ("_XLPM.", "_XLOP."):
        if upper.startswith(prefix):
            return upper[len(prefix) :]
    return upper


def _binder(name: str, args: list):
    """A function node; LET and LAMBDA become ("let", names, values, body) and ("lambda", params,
    optional flags, body): their names are bindings, not defined names or cells."""
    if name not in ("LET", "LAMBDA"):
        return ("fn", name, args)
    names, optional = [], []
    heads = args[:-1] if name == "LAMBDA" else args[:-1:2]
    for node in heads:
        if node[0] == "sref" and node[1].table is None and not node[1].specials and node[1].first == node[1].last:
            node = ("name", f"[{node[1].first}]".upper(), None)  # LAMBDA(x,[y],…): an optional parameter
        if node[0] != "name" or node[2] is not None:
            raise FormulaSyntaxError(f"{name} needs a name where it has {node[0]}")
        text = node[1]
        opt = text.startswith("[") and text.endswith("]") or text.startswith("_XLOP.")
        names.append(local_name(text.strip("[]")))
        optional.append(bool(opt))
    if not args or (name == "LET" and len(args) % 2 == 0):
        raise FormulaSyntaxError(f"{name} needs its names, values and a calculation")
    if name == "LAMBDA":
        return ("lambda", tuple(names), tuple(optional), args[-1])
    return ("let", tuple(names), tuple(args[1:-1:2]), args[-1])


class _Parser:
    def __init__(self, formula: str) -> None:
        try:
            items = Tokenizer("=" + formula).items
        except Exception as exc:  # openpyxl raises TokenizerError and others
            raise FormulaSyntaxError(f"cannot tokenise {formula!r}: {exc}") from None
        self.toks = _with_intersections(items)
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
            if tok.type != Token.OP_IN or (tok.value == "," and not self.in_parentheses):
                return left  # a separator (of a LAMBDA call's arguments), not the union operator
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

    in_parentheses = False

    def primary(self):
        node = self.atom()
        while (tok := self.peek()) is not None and tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            self.i += 1  # LAMBDA(x,x+1)(2): a call of the value before the parenthesis
            node = ("call", node, self.call_args())
        return node

    def call_args(self) -> list:
        def closing(t) -> bool:
            return t is not None and t.type == Token.PAREN and t.subtype == Token.CLOSE

        def comma(t) -> bool:
            return t is not None and t.type == Token.OP_IN and t.value == ","

        args: list = []
        if closing(self.peek()):
            self.i += 1
            return args
        outer, self.in_parentheses = self.in_parentheses, False  # "," separates the arguments
        try:
            return self._call_args_until_closed(args, closing, comma)
        finally:
            self.in_parentheses = outer

    def _call_args_until_closed(self, args: list, closing, comma) -> list:
        while True:
            nxt = self.peek()
            args.append(("missing",) if comma(nxt) or closing(nxt) else self.expr())
            sep = self.take()
            if closing(sep):
                return args
            if not comma(sep):
                raise FormulaSyntaxError("expected ',' or ')' in the arguments of a LAMBDA call")

    def atom(self):
        """One operand: a reference, name or literal; a function call; a parenthesised expression; an
        array constant."""
        tok = self.take()
        if tok.type == Token.OPERAND:
            return self._operand(tok)
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            return self._function_call(tok)
        if tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            return self._parenthesised()
        if tok.type == Token.ARRAY and tok.subtype == Token.OPEN:
            return self._array_constant()
        raise FormulaSyntaxError(f"unexpected {tok.value!r}")

    def _operand(self, tok):
        if tok.subtype == Token.RANGE:
            if tok.value.upper().endswith("#REF!"):  # #REF!, 'Sheet'!#REF!: a deleted reference
                return ("err", CellError("#REF!"))
            try:
                ref = _parse_ref(tok.value)
            except OutsideSheet:
                return OUTSIDE_SHEET
            if ref is not None:
                return ("ref", ref, _absolute_parts(tok.value))
            if "[" in tok.value:
                from gtm_xl.excel.formula.structured import is_structured, parse_structured

                if is_structured(tok.value):
                    return ("sref", parse_structured(tok.value))
            sheet, name = split_sheet(tok.value)
            return ("name", name.upper(), sheet)
        return ("lit", _literal(tok))

    def _function_call(self, tok):
        name = _strip_fn(tok.value[:-1])
        args: list[Any] = []
        nxt = self.peek()
        if nxt is not None and nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE:
            self.i += 1
            return _binder(name, args)
        while True:
            nxt = self.peek()
            if nxt is not None and (
                (nxt.type == Token.SEP and nxt.subtype == Token.ARG)
                or (nxt.type == Token.FUNC and nxt.subtype == Token.CLOSE)
            ):
                args.append(("missing",))
            else:
                outer, self.in_parentheses = self.in_parentheses, False
                args.append(self.expr())
                self.in_parentheses = outer
            sep = self.take()
            if sep.type == Token.FUNC and sep.subtype == Token.CLOSE:
                return _binder(name, args)
            if not (sep.type == Token.SEP and sep.subtype == Token.ARG):
                raise FormulaSyntaxError(f"expected ',' or ')' after an argument of {name}")

    def _parenthesised(self):
        outer, self.in_parentheses = self.in_parentheses, True
        node = self.expr()
        self.in_parentheses = outer
        close = self.take()
        if close.type != Token.PAREN:
            raise FormulaSyntaxError("expected ')'")
        return node

    def _array_constant(self):
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


#: A reference past the sheet: the cell is reported unsupported (a name no function table holds).
OUTSIDE_SHEET: tuple[str, str, list[Any]] = ("fn", "(reference outside the sheet)", [])


def _ends_operand(tok) -> bool:
    return (tok.type == Token.OPERAND and tok.subtype == Token.RANGE) or (
        tok.type in (Token.PAREN, Token.FUNC) and tok.subtype == Token.CLOSE
    )


def _starts_operand(tok) -> bool:
    return (tok.type == Token.OPERAND and tok.subtype == Token.RANGE) or (
        tok.type in (Token.PAREN, Token.FUNC) and tok.subtype == Token.OPEN
    )


def _with_intersections(items: list) -> list:
    """The tokens without white space, except a space between two references (or parenthesised
    or function results), which is Excel's intersection operator (``A1:C5 B2:B9``)."""
    out: list[Token] = []
    pending_space: str | None = None
    for t in _split_range_functions(items):
        if t.type == Token.WSPACE:
            pending_space = (pending_space or "") + t.value
            continue
        if pending_space is not None and out and _ends_operand(out[-1]) and _starts_operand(t):
            out.append(Token(" ", Token.OP_IN))
        pending_space = None
        out.append(t)
    return out


_RANGE_FUNCTION = re.compile(r"^(.+):((?:_xlfn\.)?[A-Za-z_][\w.]*\()$", re.I)


def _split_range_functions(items: list) -> list:
    """``B2:INDEX(`` — the tokenizer reads a reference followed by ``:`` and a function as one
    function name (and ``:A3``, ``:INDEX(`` after a closing parenthesis as one token): split it
    into the reference, the range operator and the function."""
    out = []
    for t in items:
        if (
            t.value.startswith(":")
            and len(t.value) > 1
            and (
                (t.type == Token.FUNC and t.subtype == Token.OPEN)
                or (t.type == Token.OPERAND and t.subtype == Token.RANGE)
            )
        ):  # INDEX(…):A3, XLOOKUP(…):XLOOKUP(…): the range operator after a function's result
            out.append(Token(":", Token.OP_IN))
            t = Token(t.value[1:], t.type, t.subtype)
        if t.type == Token.FUNC and t.subtype == Token.OPEN and ":" in t.value:
            m = _RANGE_FUNCTION.match(t.value)
            if m is not None:
                out.append(Token(m.group(1), Token.OPERAND, Token.RANGE))
                out.append(Token(":", Token.OP_IN))
                out.append(Token(m.group(2), Token.FUNC, Token.OPEN))
                continue
        out.append(t)
    return out


def _normalise_space(formula: str) -> str:
    """Line breaks (CR, CR LF) and tabs between tokens as the tokenizer's white space; text inside
    string literals is left alone."""
    if "\r" not in formula and "\t" not in formula and "\n" not in formula:
        return formula
    parts = formula.split('"')
    for i in range(0, len(parts), 2):
        # openpyxl's tokenizer glues the operands around a line break ("A1\nB1" → "A1B1"): spaces
        parts[i] = parts[i].replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return '"'.join(parts)


_PARSED: dict[str, Any] = {}


CACHE_MAX = 20_000


def parse(formula: str):
    """A formula (without ``=``) → its tree. Raises :class:`FormulaSyntaxError`.

    Trees are immutable and cached per formula text, so the same formulas in the many files
    of a batch are tokenised once per process."""
    tree = _PARSED.get(formula)
    if tree is None:
        tree = _parse(formula)
        if len(_PARSED) >= CACHE_MAX:
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
    spaced = _normalise_space(formula)
    if spaced != formula:
        formula = spaced
        p = _Parser(formula)
        if any(t.type == Token.OP_IN and t.value == " " for t in p.toks):
            # is a line break between two references an intersection? not guessed
            raise FormulaSyntaxError("a line break or tab where it could be an intersection")
    if "#" in formula:
        formula = _spill_refs(formula)
    p = _Parser(formula)
    if not p.toks:
        raise FormulaSyntaxError("empty formula")
    node = p.expr()
    rest = p.peek()
    if rest is not None:
        raise FormulaSyntaxError(f"unexpected {rest.value!r}")
    return node


def _absolute_parts(text: str) -> tuple[bool, bool, bool, bool]:
    """Which of (first row, first column, last row, last column) are absolute (``$``) or whole."""
    m = _SHEET_TWICE.match(text)
    if m is not None:
        text = f"{m.group(1)}!{m.group(2)}:{m.group(4)}"
    _, ref = split_sheet(text)
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


def walk(node, on_ref, on_name, on_fn, on_sref=None):
    """Visit the references (``on_ref((Ref, flags))``), defined names, function names and
    structured references (``on_sref(StructuredRef)``; reported to ``on_fn`` when not given) of a tree."""
    kind = node[0]
    if kind == "ref":
        on_ref((node[1], node[2]))
    elif kind == "sref":
        if on_sref is not None:
            on_sref(node[1])
        else:
            on_fn("(structured reference)")
    elif kind == "name":
        on_name(node[1], node[2])
    elif kind == "fn":
        on_fn(node[1])
        for a in node[2]:
            walk(a, on_ref, on_name, on_fn, on_sref)
    elif kind == "op":
        walk(node[2], on_ref, on_name, on_fn, on_sref)
        walk(node[3], on_ref, on_name, on_fn, on_sref)
    elif kind in ("neg", "pct"):
        walk(node[1], on_ref, on_name, on_fn, on_sref)
    elif kind in ("lambda", "let"):  # names bound here are not defined names nor functions
        bound = set(node[1])
        inner_name = lambda n, sh: None if sh is None and local_name(n) in bound else on_name(n, sh)  # noqa: E731
        inner_fn = lambda f: None if local_name(f) in bound else on_fn(f)  # noqa: E731
        on_fn(kind.upper())
        for v in node[2] if kind == "let" else ():
            walk(v, on_ref, inner_name, inner_fn, on_sref)
        walk(node[3], on_ref, inner_name, inner_fn, on_sref)
    elif kind == "call":
        walk(node[1], on_ref, on_name, on_fn, on_sref)
        for a in node[2]:
            walk(a, on_ref, on_name, on_fn, on_sref)


def is_relative(node) -> bool:
    """True when the tree holds a reference that moves with the cell."""
    kind = node[0]
    if kind == "ref":
        return not all(node[2])
    if kind == "sref":
        return True
    if kind == "fn":
        if node[1] in ("ROW", "COLUMN") and not node[2]:
            return True  # ROW() and COLUMN() are the cell's own row and column
        return any(is_relative(a) for a in node[2])
    if kind == "op":
        return is_relative(node[2]) or is_relative(node[3])
    if kind in ("neg", "pct"):
        return is_relative(node[1])
    if kind == "lambda":
        return is_relative(node[3])
    if kind == "let":
        return any(is_relative(v) for v in node[2]) or is_relative(node[3])
    if kind == "call":
        return is_relative(node[1]) or any(is_relative(a) for a in node[2])
    return False


def moves_down(node) -> bool:
    """True when the tree's value changes from one row of a filled column to the next: it holds a
    reference whose row is relative (``A2``, ``$A2``; not ``B$1``, whose column alone is relative
    and is the same for every cell of one column), or ROW()."""
    kind = node[0]
    if kind == "ref":
        return not (node[2][0] and node[2][2])
    if kind == "sref":
        return True  # resolved per cell (#This Row, the table holding the cell)
    if kind == "fn":
        if node[1] == "ROW" and not node[2]:
            return True
        return any(moves_down(a) for a in node[2])
    if kind == "op":
        return moves_down(node[2]) or moves_down(node[3])
    if kind in ("neg", "pct"):
        return moves_down(node[1])
    if kind == "lambda":
        return moves_down(node[3])
    if kind == "let":
        return any(moves_down(v) for v in node[2]) or moves_down(node[3])
    if kind == "call":
        return moves_down(node[1]) or any(moves_down(a) for a in node[2])
    return False


def position_dependent(node) -> bool:
    """True when the tree's meaning depends on the cell it is used from: a relative reference,
    ROW()/COLUMN(), a structured reference to "this row" or to the table holding the cell."""
    kind = node[0]
    if kind == "ref":
        return not all(node[2])
    if kind == "sref":
        return node[1].table is None or "#THIS ROW" in node[1].specials
    if kind == "fn":
        if node[1] in ("ROW", "COLUMN") and not node[2]:
            return True
        return any(position_dependent(a) for a in node[2])
    if kind == "op":
        return position_dependent(node[2]) or position_dependent(node[3])
    if kind in ("neg", "pct"):
        return position_dependent(node[1])
    if kind == "lambda":
        return position_dependent(node[3])
    if kind == "let":
        return any(position_dependent(v) for v in node[2]) or position_dependent(node[3])
    if kind == "call":
        return position_dependent(node[1]) or any(position_dependent(a) for a in node[2])
    return False
