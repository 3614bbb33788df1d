"""Cell references and the in-memory model of a workbook's cells.

The model is what the package reader (:mod:`gtm_xl.excel.package`) produces and what the
formula evaluator (:mod:`gtm_xl.excel.formula`) consumes:

* a cell value is ``None`` (blank), ``float``, ``bool``, ``str`` or
  :class:`gtm_xl.errors.CellError`; integers are stored as ``float`` as Excel does;
* a :class:`Cell` holds its value and, for a formula cell, the formula text as written in
  the file (without the leading ``=``, A1 style, shared formulas already expanded);
* coordinates are 1-based ``(row, column)`` pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Cell",
    "SheetCells",
    "WorkbookCells",
    "column_index",
    "column_letter",
    "parse_a1",
    "parse_range",
    "to_a1",
]

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_index(letters: str) -> int:
    """``"A"`` → 1, ``"AB"`` → 28. Case-insensitive."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        n = n * 26 + (ord(ch) - 64)
    if not 1 <= n <= 16384:
        raise ValueError(f"column outside the sheet: {letters!r}")
    return n


def column_letter(index: int) -> str:
    """1 → ``"A"``, 28 → ``"AB"``."""
    if not 1 <= index <= 16384:
        raise ValueError(f"column outside the sheet: {index}")
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_a1(ref: str) -> tuple[int, int]:
    """``"B3"`` or ``"$B$3"`` → ``(3, 2)`` (row, column)."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    row = int(m.group(2))
    if not 1 <= row <= 1048576:
        raise ValueError(f"row outside the sheet: {ref!r}")
    return row, column_index(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:C3"`` → ``(1, 1, 3, 3)`` as (min_row, min_col, max_row, max_col); a single cell works too."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_a1(first)
    r2, c2 = parse_a1(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def to_a1(row: int, col: int, absolute: bool = False) -> str:
    """``(3, 2)`` → ``"B3"`` (``"$B$3"`` with ``absolute``)."""
    d = "$" if absolute else ""
    return f"{d}{column_letter(col)}{d}{row}"


@dataclass(slots=True)
class Cell:
    """One cell: its (cached) value and, for a formula cell, its formula.

    ``array_ref`` is set on the anchor of an array or dynamic-array formula (``"A1:A4"``);
    ``dynamic`` tells a dynamic (spilling) array formula from a legacy CSE one.
    """

    value: Any = None
    formula: str | None = None
    array_ref: str | None = None
    dynamic: bool = False


@dataclass(slots=True)
class SheetCells:
    """The cells of one worksheet, keyed by ``(row, col)``."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value


@dataclass(slots=True)
class WorkbookCells:
    """All worksheets (in workbook order) and the defined names.

    ``names`` maps a defined name to its formula text (``"Settings!$B$2:$B$5"``); a name
    scoped to one sheet is keyed ``"Sheet!name"``. Names are matched case-insensitively, so
    keys are stored upper-cased.
    """

    sheets: dict[str, SheetCells] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def sheet(self, name: str) -> SheetCells:
        for key, sheet in self.sheets.items():
            if key.lower() == name.lower():
                return sheet
        raise KeyError(name)
