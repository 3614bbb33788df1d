"""Defined names: what a name's text stands for — a constant, or one rectangular area of cells.

The one resolver for every reader outside the formula engine (the template reader over openpyxl, the view
over the package reader, the validation checks, the templates' named blocks, the ribbon's file book). A
name's text is what ``<definedName>`` holds (openpyxl's ``DefinedName.attr_text``): ``"text"`` with inner
quotes doubled, a number, ``Sheet!$A$1:$B$2`` or ``'My sheet'!A1``. Anything else (several areas, a formula,
``#REF!``) is neither a constant nor an area; the formula engine evaluates those.

The package reader keys its names table in upper case, a sheet-scoped name as ``SHEET!NAME``
(:attr:`gtm_xl.excel.ooxml.package.Package.names`); :func:`lookup` follows that rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gtm_xl.excel.ooxml.cells import parse_range

__all__ = ["Area", "area", "constant", "lookup", "resolve", "text_constant"]

_TEXT_CONSTANT = re.compile(r'^"(.*)"$', re.S)
_QUOTED_SHEET = re.compile(r"^'((?:[^']|'')+)'$")
_PLAIN_SHEET = re.compile(r"^[^'!,()\[\]\s:]+$")


@dataclass(frozen=True)
class Area:
    """One rectangle of cells; ``sheet`` is None when the text names no sheet."""

    sheet: str | None
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def is_cell(self) -> bool:
        return (self.min_row, self.min_col) == (self.max_row, self.max_col)

    @property
    def size(self) -> int:
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)

    def cells(self) -> list[tuple[int, int]]:
        """(row, col) of every cell, row by row."""
        return [(r, c) for r in range(self.min_row, self.max_row + 1) for c in range(self.min_col, self.max_col + 1)]


def constant(text: str | None) -> str | float | None:
    """The constant a name's text holds: a text (quotes doubled inside) or a number; None otherwise."""
    if text is None:
        return None
    t = text.strip()
    if t.startswith("="):
        t = t[1:].strip()
    m = _TEXT_CONSTANT.match(t)
    if m:
        return m.group(1).replace('""', '"')
    try:
        return float(t)
    except ValueError:
        return None


def text_constant(text: str) -> str:
    """A text as a name's constant: in double quotes, inner quotes doubled (the inverse of :func:`constant`)."""
    return '"' + text.replace('"', '""') + '"'


def area(text: str | None) -> Area | None:
    """The one area a name's text refers to (``$`` ignored, sheet quotes removed), or None."""
    if text is None:
        return None
    t = text.strip()
    if t.startswith("="):
        t = t[1:].strip()
    sheet: str | None = None
    if "!" in t:
        sheet_text, _, t = t.rpartition("!")
        quoted = _QUOTED_SHEET.match(sheet_text)
        if quoted:
            sheet = quoted.group(1).replace("''", "'")
        elif _PLAIN_SHEET.match(sheet_text):
            sheet = sheet_text
        else:
            return None  # several areas, a function, an external reference…
    try:
        r1, c1, r2, c2 = parse_range(t.replace("$", ""))
    except ValueError:
        return None
    return Area(sheet, r1, c1, r2, c2)


def lookup(names: Mapping[str, str], name: str, sheet: str | None = None) -> str | None:
    """The text of ``name`` in a names table keyed in upper case: the sheet's own (``SHEET!NAME``) first,
    then the workbook's. None when neither is defined."""
    if sheet is not None:
        scoped = names.get(f"{sheet}!{name}".upper())
        if scoped is not None:
            return scoped
    return names.get(name.upper())


def resolve(names: Mapping[str, str], text: str, sheet: str | None = None, hops: int = 3) -> str:
    """``text`` with defined names followed (a name that names a name, up to ``hops`` deep): the text of the
    last one, or ``text`` itself when it is no name."""
    t = text.strip()
    if t.startswith("="):
        t = t[1:].strip()
    for _ in range(hops):
        target = lookup(names, t, sheet)
        if target is None:
            break
        t = target.strip().lstrip("=")
    return t
