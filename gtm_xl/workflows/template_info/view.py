"""A read-only view over the package reader's cell model, in the terms the roll-up checks need."""

from __future__ import annotations

import re
from typing import Any

from gtm_xl.excel.ooxml.cells import WorkbookCells, parse_range

__all__ = ["CellsView"]

_CONST_STR = re.compile(r'^"(.*)"$', re.S)


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
        text = self.book.names.get(key.upper())
        if text is None:
            return None
        text = text.strip()
        m = _CONST_STR.match(text)
        if m:
            return m.group(1).replace('""', '"')
        try:
            return float(text)
        except ValueError:
            pass
        if "!" not in text:
            return None
        sheet, ref = text.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        if sheet not in self.book.sheets:
            return None
        try:
            r1, c1, r2, c2 = parse_range(ref.replace("$", ""))
        except ValueError:
            return None
        return self.value(sheet, r1, c1) if (r1, c1) == (r2, c2) else None
