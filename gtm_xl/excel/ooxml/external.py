"""External workbook links (``xl/externalLinks/externalLinkN.xml``): the values Excel cached of the
other workbooks a formula reads (``[1]Sheet1!A1``, ``[1]!Name``).

Excel keeps, per linked workbook, its sheet names, the defined names the formulas use, and in
``<sheetDataSet>`` the last values it read of every referenced cell. The engine reads those, as
Excel does when it opens a file without updating its links: ``[N]`` is the N-th
``<externalReference>`` of ``workbook.xml``. A sheet Excel could not refresh (``refreshError``)
is left out, so references into it stay unsupported rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gtm_xl.excel.ooxml.cells import parse_a1
from gtm_xl.excel.values import ERROR_CODES, CellError

__all__ = ["ExternalBook", "read_external_link"]


@dataclass
class ExternalBook:
    """One linked workbook as cached: sheet → {(row, col): value}; names → formula text."""

    index: int
    sheets: dict[str, dict[tuple[int, int], Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # "[N]!NAME" / "[N]SHEET!NAME" → "'[N]Sheet'!$A$1"


_QUOTED_SHEET = re.compile(
    r"^=?\s*(?:'((?:[^']|'')+)'|([^'!\s(),]+))!(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$"
)


def _cached_value(cell) -> Any:
    t = cell.get("t", "n")
    v = None
    for child in cell:
        if child.tag.rpartition("}")[2] == "v":
            v = child.text
    if v is None:
        return None
    if t == "n":
        return float(v)
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        code = v.strip()
        return CellError(code) if code in ERROR_CODES else None
    return v


def read_external_link(root, index: int) -> ExternalBook | None:
    """The cached content of one ``externalLink`` part (its parsed root); None for a link that is
    not to a workbook (DDE, OLE)."""
    book = ExternalBook(index)
    ext = next((el for el in root if el.tag.rpartition("}")[2] == "externalBook"), None)
    if ext is None:
        return None
    sheet_names: list[str] = []
    for el in ext.iter():
        local = el.tag.rpartition("}")[2]
        if local == "sheetName":
            sheet_names.append(el.get("val", ""))
    prefix = f"[{index}]"
    for el in ext.iter():
        local = el.tag.rpartition("}")[2]
        if local == "sheetData":
            sid = el.get("sheetId", "")
            if not sid.isdigit() or int(sid) >= len(sheet_names) or el.get("refreshError") in ("1", "true"):
                continue
            values: dict[tuple[int, int], Any] = {}
            for cell in el.iter():
                if cell.tag.rpartition("}")[2] != "cell" or not cell.get("r"):
                    continue
                try:
                    values[parse_a1(cell.get("r"))] = _cached_value(cell)
                except ValueError:
                    continue
            book.sheets[prefix + sheet_names[int(sid)]] = values
        elif local == "definedName":
            name, refers = el.get("name", ""), el.get("refersTo", "")
            m = _QUOTED_SHEET.match(refers)
            if not name or m is None:
                continue  # a name the engine cannot follow: its cells stay unsupported
            sheet = (m.group(1) or m.group(2)).replace("''", "'")
            text = "'" + (prefix + sheet).replace("'", "''") + "'!" + m.group(3)
            sid = el.get("sheetId")
            if sid is not None and sid.isdigit() and int(sid) < len(sheet_names):
                book.names[f"{prefix}{sheet_names[int(sid)]}!{name}".upper()] = text
            else:
                book.names[f"{prefix}!{name}".upper()] = text
    return book
