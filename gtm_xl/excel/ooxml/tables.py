"""Excel tables (ListObjects, ``xl/tables/tableN.xml``): the name, the range, the header and totals
rows and the column names that structured references (``Table1[Col]``) resolve against."""

from __future__ import annotations

from dataclasses import dataclass

from gtm_xl.excel.ooxml.cells import parse_range

__all__ = ["Table", "read_table"]


@dataclass(frozen=True)
class Table:
    """One table: ``sheet`` and its whole range r1..r2 × c1..c2 (header and totals rows included)."""

    name: str
    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]

    @property
    def data_rows(self) -> tuple[int, int]:
        """(first, last) row of the data body."""
        return self.r1 + self.header_rows, self.r2 - self.totals_rows


def read_table(root, sheet: str) -> Table | None:
    """A table from its parsed part; None when it does not describe one the engine can use."""
    name = root.get("displayName") or root.get("name")
    ref = root.get("ref")
    if not name or not ref:
        return None
    try:
        r1, c1, r2, c2 = parse_range(ref)
        header = int(root.get("headerRowCount", "1"))
        totals = int(root.get("totalsRowCount", "0"))
    except ValueError:
        return None
    columns = tuple(el.get("name", "") for el in root.iter() if el.tag.rpartition("}")[2] == "tableColumn")
    if len(columns) != c2 - c1 + 1 or header not in (0, 1) or totals not in (0, 1):
        return None
    return Table(name, sheet, r1, c1, r2, c2, header, totals, columns)
