"""References in R1C1 terms: the key a column of filled-down formulas shares (:func:`r1c1_key`),
moving a tree or a reference by an offset (:func:`shift`, :func:`shift_ref`), and matching each
formula cell to its template, the formula parsed once per R1C1 form with the references it reads
(:class:`TemplateMatcher`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from gtm_xl.excel.formula import structured
from gtm_xl.excel.formula.book import Book
from gtm_xl.excel.formula.functions.coercion import ExcelError, Unsupported
from gtm_xl.excel.formula.parser import CACHE_MAX, FormulaSyntaxError, Ref, parse, position_dependent, walk
from gtm_xl.excel.ooxml.cells import column_index

_R1C1_TOKEN = re.compile(
    r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'|(?<![A-Za-z0-9_.])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(])'
)


DIGITS = re.compile(r"\d+")


def relative_row_mask(formula: str) -> list[bool]:
    """For each run of digits in the formula: is it the row of a relative cell reference? (A
    formula filled down a column differs from its first cell only in those, by the row offset.)"""
    relative = set()
    for m in _R1C1_TOKEN.finditer(formula):
        if m.group(2) is not None and not m.group(3) and _column_number(m.group(2)) is not None:
            relative.add(m.start(4))
    return [m.start() in relative for m in DIGITS.finditer(formula)]


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


def shift_ref(ref: Ref, flags, dr: int, dc: int) -> Ref:
    ra, ca, rb, cb = flags
    return Ref(
        ref.sheet,
        ref.r1 if ra else ref.r1 + dr,
        ref.c1 if ca else ref.c1 + dc,
        ref.r2 if rb else ref.r2 + dr,
        ref.c2 if cb else ref.c2 + dc,
    )


def formula_template(wb, sname: str, formula: str, r: int, c: int, known: set) -> tuple:
    """A formula parsed once for all the cells sharing its R1C1 form: (tree, row, col, its
    references with their absolute flags, the first unsupported function or None, whether it
    holds a reference known only when it runs: OFFSET, INDIRECT)."""
    try:
        tree = parse(formula)
    except FormulaSyntaxError:
        return None, r, c, [], "(syntax)", False
    except RecursionError:
        return None, r, c, [], "(formula nested too deeply)", False
    ref_nodes: list = []
    fns: set[str] = set()
    seen: set[str] = set()

    def on_sref(sref):
        try:  # the dependency graph reads every cell the reference may name from any row
            ref_nodes.append((structured.extent(wb.tables, sref, sname, r, c), (True, True, True, True)))
        except (Unsupported, ExcelError):
            fns.add("(structured reference)")

    def on_name(n, sh):
        if "[" in n:
            fns.add("(structured reference)")
            return
        if n in seen:
            return
        seen.add(n)
        try:
            t = wb.name_tree(n, sh, sname)
        except FormulaSyntaxError:  # only the cells that use the name are left to Excel
            fns.add(f"(defined name {n} unreadable)")
            return
        if t is not None and position_dependent(t):
            # Excel stores a name's relative references as offsets from A1 (wrapping at the sheet's
            # edge) and applies them from the cell that uses it: not implemented, not guessed
            fns.add(f"(defined name {n} with relative references)")
        elif t is not None:
            walk(t, ref_nodes.append, on_name, on_fn, on_sref)  # noqa: F821 — recursive closure, deleted below

    def on_fn(f):
        fns.add(f)
        if f in wb.lambda_names:  # a named LAMBDA: what its definition uses counts too
            on_name(f, None)  # noqa: F821 — defined above, deleted below

    try:
        walk(tree, ref_nodes.append, on_name, on_fn, on_sref)
    except RecursionError:
        fns.add("(formula nested too deeply)")
    del on_name, on_fn, on_sref  # they refer to each other: a cycle that would keep the book alive until a gc pass
    missing = sorted(f for f in fns if f not in known)
    dynamic = bool(fns & DYNAMIC_REFERENCES)
    return tree, r, c, ref_nodes, (missing[0] if missing else None), dynamic


#: Functions whose reference is known only when they run (the dependency graph cannot see what
#: they read): their cells are evaluated after every other cell they could wait for.
DYNAMIC_REFERENCES = frozenset({"OFFSET", "INDIRECT"})


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
    if kind == "lambda":
        return ("lambda", node[1], node[2], shift(node[3], dr, dc))
    if kind == "let":
        return ("let", node[1], tuple(shift(v, dr, dc) for v in node[2]), shift(node[3], dr, dc))
    if kind == "call":
        return ("call", shift(node[1], dr, dc), [shift(a, dr, dc) for a in node[2]])
    return node


def _row_shifter(formula: str) -> tuple[list[str], list[int]]:
    """The formula split around the row numbers of its relative cell references: the text of
    the same formula filled down by ``d`` rows is ``_shifted(pieces, rows, d)``."""
    pieces, rows, pos = [], [], 0
    for m, relative in zip(DIGITS.finditer(formula), relative_row_mask(formula)):
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


class TemplateMatcher:
    """Finds the parsed template (see :func:`formula_template`) of each formula cell, parsing each
    R1C1 form once. A cell whose formula is the one above it filled down (the common case) is
    recognised by one string comparison; others by the formula's shape, then by its R1C1 key."""

    def __init__(self, wb: Book, known: set) -> None:
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
                template = self.templates[(sname, pattern)] = formula_template(
                    self.wb, sname, formula, r, c, self.known
                )
            self.by_shape.setdefault(shape, []).append((template, nums, mask, r))
        self.last[(sname, c)] = (template, *_row_format(pieces, rows, r))
        return template


_INFO: dict[str, tuple] = {}


def _formula_info(formula: str) -> tuple:
    """(text with digits masked, its numbers, which are relative rows, row-shifter pieces and
    rows) of a formula, cached per text for the process (a batch repeats its templates' texts)."""
    info = _INFO.get(formula)
    if info is None:
        if len(_INFO) >= CACHE_MAX:
            _INFO.clear()
        info = _INFO[formula] = (
            DIGITS.sub("#", formula),
            [int(x) for x in DIGITS.findall(formula)],
            relative_row_mask(formula),
            *_row_shifter(formula),
        )
    return info
