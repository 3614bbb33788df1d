"""Structured references to Excel tables: ``Table1[Col]``, ``Table1[]``, ``Table1[#All]``,
``[#Data]``, ``[#Headers]``, ``[#Totals]``, ``[#This Row]``, ``Table1[[#Headers],[Col]]``,
``Table1[[Col1]:[Col2]]``, ``[@Col]``, ``Table1[@[Col A]]`` and a reference without the table's name
(``[col3]``) inside a table (Microsoft, "Using structured references with Excel tables").

:func:`parse_structured` reads the text the tokenizer gives into a :class:`StructuredRef`;
:func:`resolve` turns it into a plain rectangle of the table's sheet, for the cell being computed
(``#This Row`` is the cell's row); :func:`extent` is the rectangle every cell could read, for the
dependency graph. Column names are matched without case; ``'`` escapes ``[ ] # '`` in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gtm_xl.excel.formula.functions.coercion import ExcelError, Unsupported
from gtm_xl.excel.formula.parser import FormulaSyntaxError, Ref

_SPECIALS = {"#ALL", "#DATA", "#HEADERS", "#TOTALS", "#THIS ROW"}
_EXTERNAL = re.compile(r"^'?\[\d+\]")


@dataclass(frozen=True)
class StructuredRef:
    table: str | None  # None: the table holding the formula's cell
    specials: frozenset[str]  # upper-case: "#ALL", "#DATA", "#HEADERS", "#TOTALS", "#THIS ROW"
    first: str | None  # the first and last column named (None: every column)
    last: str | None


def is_structured(text: str) -> bool:
    """True for the text of a structured reference (not an external ``[1]Sheet!A1``)."""
    return "[" in text and _EXTERNAL.match(text) is None and "!" not in text.partition("[")[0]


def _column_name(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "'" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _items(inner: str) -> list[str]:
    """``[#Headers],[Col1]:[Col2]`` → ``["#Headers", "Col1", ":", "Col2"]`` (escapes respected)."""
    items, i = [], 0
    while i < len(inner):
        ch = inner[i]
        if ch in ", \t\n":
            i += 1
            continue
        if ch == ":":
            items.append(":")
            i += 1
            continue
        if ch != "[":
            raise FormulaSyntaxError(f"structured reference: unexpected {ch!r}")
        j, buf = i + 1, []
        while j < len(inner) and inner[j] != "]":
            if inner[j] == "'" and j + 1 < len(inner):
                buf.append(inner[j : j + 2])
                j += 2
                continue
            buf.append(inner[j])
            j += 1
        if j >= len(inner):
            raise FormulaSyntaxError("structured reference: unclosed [")
        items.append("".join(buf))
        i = j + 1
    return items


def parse_structured(text: str) -> StructuredRef:
    """The text of a structured reference as a :class:`StructuredRef` (FormulaSyntaxError if malformed)."""
    at = text.find("[")
    table = text[:at] or None
    if not text.endswith("]"):
        raise FormulaSyntaxError(f"not a structured reference: {text!r}")
    inner = text[at + 1 : -1]
    specials: set[str] = set()
    columns: list[str] = []
    if inner.startswith("@"):
        specials.add("#THIS ROW")
        rest = inner[1:]
        if rest.startswith("["):
            items = _items(rest)
        else:
            items = [rest] if rest else []
    elif inner.startswith("["):
        items = _items(inner)
    else:
        items = [inner] if inner else []
    i = 0
    while i < len(items):
        item = items[i]
        if item.upper() in _SPECIALS:
            specials.add(item.upper())
            i += 1
            continue
        if item == ":":
            raise FormulaSyntaxError("structured reference: misplaced ':'")
        name = _column_name(item)
        if i + 2 < len(items) and items[i + 1] == ":":
            if columns:
                raise FormulaSyntaxError("structured reference: two column ranges")
            columns = [name, _column_name(items[i + 2])]
            i += 3
            continue
        if columns:
            raise FormulaSyntaxError("structured reference: two column groups")
        columns = [name, name]
        i += 1
    first, last = (columns[0], columns[1]) if columns else (None, None)
    return StructuredRef(table.upper() if table else None, frozenset(specials), first, last)


def find_table(tables: dict, sref: StructuredRef, sheet: str, row: int, col: int):
    """The table a structured reference names, or the one holding the cell (sheet, row, col)."""
    if sref.table is not None:
        t = tables.get(sref.table)
        if t is None:
            raise Unsupported(f"table {sref.table} not found")
        return t
    for t in tables.values():
        if t.sheet == sheet and t.r1 <= row <= t.r2 and t.c1 <= col <= t.c2:
            return t
    raise Unsupported("a structured reference outside a table")


def _columns(t, sref: StructuredRef) -> tuple[int, int]:
    if sref.first is None or sref.last is None:  # parse_structured names both or neither
        return t.c1, t.c2
    lower = [c.lower() for c in t.columns]
    try:
        a, b = lower.index(sref.first.lower()), lower.index(sref.last.lower())
    except ValueError:
        raise ExcelError("#REF!") from None
    a, b = min(a, b), max(a, b)
    return t.c1 + a, t.c1 + b


def _rows(t, specials: frozenset[str], row: int | None) -> tuple[int, int]:
    d1, d2 = t.data_rows
    if d1 > d2:
        raise Unsupported("a table without data rows")
    s = specials or frozenset({"#DATA"})
    if s == {"#ALL"}:
        return t.r1, t.r2
    if s == {"#DATA"}:
        return d1, d2
    if s == {"#HEADERS"}:
        if not t.header_rows:
            raise ExcelError("#REF!")
        return t.r1, t.r1
    if s == {"#TOTALS"}:
        if not t.totals_rows:
            raise ExcelError("#REF!")
        return t.r2, t.r2
    if s == {"#HEADERS", "#DATA"}:
        return t.r1, d2
    if s == {"#DATA", "#TOTALS"}:
        return d1, t.r2
    if s == {"#THIS ROW"}:
        if row is None:
            return d1, d2  # the extent: any data row
        if not d1 <= row <= d2:
            raise ExcelError("#VALUE!")
        return row, row
    raise Unsupported(f"structured reference specifiers {sorted(s)}")


def resolve(tables: dict, sref: StructuredRef, sheet: str, row: int, col: int) -> Ref:
    """The rectangle ``sref`` names for the cell (sheet, row, col) being computed."""
    t = find_table(tables, sref, sheet, row, col)
    c1, c2 = _columns(t, sref)
    r1, r2 = _rows(t, sref.specials, row)
    return Ref(t.sheet, r1, c1, r2, c2)


def extent(tables: dict, sref: StructuredRef, sheet: str, row: int, col: int) -> Ref:
    """Every cell ``sref`` may name from any row (``#This Row`` spans the data rows): for the
    dependency graph."""
    t = find_table(tables, sref, sheet, row, col)
    c1, c2 = _columns(t, sref)
    r1, r2 = _rows(t, sref.specials, None)
    return Ref(t.sheet, r1, c1, r2, c2)
