"""A read-only view over the package reader's cell model, in the terms the roll-up checks need."""

from __future__ import annotations

from typing import Any

from gtm_xl.excel.ooxml import names
from gtm_xl.excel.ooxml.cells import WorkbookCells

__all__ = ["CellsView"]


class CellsView:
    """Read-only access to a :class:`gtm_xl.excel.ooxml.cells.WorkbookCells` (the package reader's
    model) in the terms the roll-up checks need: sheet names, values, formulas, name constants."""

    def __init__(self, book: WorkbookCells) -> None:
        self.book = book
        self.sheetnames = list(book.sheets)

    def value(self, sheet: str, row: int, col: int) -> Any:
        cell = self.book.sheets[sheet].get((row, col))
        return None if cell is None else cell.value

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        """``=…`` of a formula cell, else None."""
        cell = self.book.sheets[sheet].get((row, col))
        return None if cell is None or not cell.formula else "=" + cell.formula

    def constant(self, key: str) -> Any:
        """The value of a workbook-level name: a text/number constant or the cell it points at."""
        text = names.lookup(self.book.names, key)
        if text is None:
            return None
        value = names.constant(text)
        if value is not None:
            return value
        where = names.area(text)
        if where is None or where.sheet is None or where.sheet not in self.book.sheets or not where.is_cell:
            return None
        return self.value(where.sheet, where.min_row, where.min_col)
