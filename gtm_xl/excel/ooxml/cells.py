"""Cell references and the in-memory model of a workbook's cells.

The model is what the package reader (:mod:`gtm_xl.excel.ooxml.package`) produces and what the
formula evaluator (:mod:`gtm_xl.excel.formula`) consumes:

* a cell value is ``None`` (blank), ``float``, ``bool``, ``str`` or
  :class:`gtm_xl.excel.values.CellError`; integers are stored as ``float`` as Excel does;
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


class SheetCells:
    """The cells of one worksheet, keyed by ``(row, col)``.

    ``cells`` maps each cell to its :class:`Cell`. The package reader fills a sheet in a lighter
    form (:meth:`from_values`): a plain dict of values plus :class:`Cell` objects for the formula
    and array cells only; ``cells`` is then built on first use, so the refresh path (which reads
    :meth:`values`, :meth:`formula_cells` and :meth:`get`) never creates one object per constant.
    """

    __slots__ = ("name", "_cells", "_values", "_formulas")

    def __init__(self, name: str, cells: dict[tuple[int, int], Cell] | None = None) -> None:
        self.name = name
        self._cells = {} if cells is None else cells
        self._values: dict[tuple[int, int], Any] | None = None
        self._formulas: dict[tuple[int, int], Cell] | None = None

    @classmethod
    def from_values(
        cls, name: str, values: dict[tuple[int, int], Any], formulas: dict[tuple[int, int], Cell]
    ) -> SheetCells:
        """A sheet from every cell's value (document order) and the :class:`Cell` of each cell that
        has a formula or an array range (its value equal to the one in ``values``)."""
        sheet = cls(name)
        sheet.set_values(values, formulas)
        return sheet

    def set_values(self, values: dict[tuple[int, int], Any], formulas: dict[tuple[int, int], Cell]) -> None:
        """Replace the content by the light form (see :meth:`from_values`)."""
        self._cells, self._values, self._formulas = None, values, formulas

    @property
    def cells(self) -> dict[tuple[int, int], Cell]:
        if self._cells is None:
            cells = {k: Cell(v) for k, v in self._values.items()}
            cells.update(self._formulas)  # existing keys: document order kept
            self._cells, self._values, self._formulas = cells, None, None
        return self._cells

    @cells.setter
    def cells(self, cells: dict[tuple[int, int], Cell]) -> None:
        self._cells, self._values, self._formulas = cells, None, None

    def values(self) -> dict[tuple[int, int], Any]:
        """A new dict of every cell's value."""
        if self._cells is None:
            return dict(self._values)
        return {rc: cell.value for rc, cell in self._cells.items()}

    def formula_cells(self) -> dict[tuple[int, int], Cell]:
        """The cells with a formula or an array range, in document order (do not modify)."""
        if self._cells is None:
            return self._formulas
        return {rc: cell for rc, cell in self._cells.items() if cell.formula is not None or cell.array_ref}

    def get(self, key: tuple[int, int]) -> Cell | None:
        """The :class:`Cell` at ``key`` (None for no cell); in the light form a constant's is a new one."""
        if self._cells is not None:
            return self._cells.get(key)
        cell = self._formulas.get(key)
        if cell is None and key in self._values:
            return Cell(self._values[key])
        return cell

    def value(self, row: int, col: int) -> Any:
        if self._cells is None:
            return self._values.get((row, col))
        cell = self._cells.get((row, col))
        return None if cell is None else cell.value

    def __repr__(self) -> str:
        return f"SheetCells({self.name!r}, {len(self.cells)} cells)"


@dataclass(slots=True)
class WorkbookCells:
    """All worksheets (in workbook order) and the defined names.

    ``names`` maps a defined name to its formula text (``"Settings!$B$2:$B$5"``); a name
    scoped to one sheet is keyed ``"Sheet!name"``. Names are matched case-insensitively, so
    keys are stored upper-cased.
    """

    sheets: dict[str, SheetCells] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    #: the 1904 date system (workbookPr/@date1904): date functions and formats read serials from 1904-01-01
    date1904: bool = False

    def sheet(self, name: str) -> SheetCells:
        for key, sheet in self.sheets.items():
            if key.lower() == name.lower():
                return sheet
        raise KeyError(name)
