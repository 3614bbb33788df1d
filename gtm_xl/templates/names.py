"""Reading and writing a template's blocks through its defined names (openpyxl workbooks).

This is how the rest of gtm-xl addresses template cells: ``read_block(wb, "tier_shares")`` gives
the values as rows of cells, ``write_block`` puts values back; no coordinates outside the
templates' own layout modules.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from gtm_xl.excel.ooxml import names
from gtm_xl.templates.layout import TEMPLATE_NAME

__all__ = ["destination", "read_block", "write_block", "template_stamp"]


def destination(wb: Workbook, name: str) -> tuple[str, tuple[int, int, int, int]]:
    """(sheet title, (min_col, min_row, max_col, max_row)) of a workbook-level defined name."""
    dn = wb.defined_names.get(name)
    if dn is None:
        raise KeyError(f"the workbook has no defined name {name!r}")
    where = names.area(dn.attr_text)
    if where is None or where.sheet is None:
        raise ValueError(f"defined name {name!r} must refer to one range, refers to {dn.attr_text!r}")
    return where.sheet, (where.min_col, where.min_row, where.max_col, where.max_row)


def read_block(wb: Workbook, name: str) -> list[list[Any]]:
    """The values of a named block as rows of cells."""
    sheet, (c1, r1, c2, r2) = destination(wb, name)
    ws = wb[sheet]
    return [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def write_block(wb: Workbook, name: str, values: list[list[Any]]) -> None:
    """Write rows of values into a named block; the shape must match the block's."""
    sheet, (c1, r1, c2, r2) = destination(wb, name)
    if len(values) != r2 - r1 + 1 or any(len(r) != c2 - c1 + 1 for r in values):
        raise ValueError(
            f"{name!r} is {r2 - r1 + 1}×{c2 - c1 + 1} cells, got "
            f"{len(values)}×{max((len(r) for r in values), default=0)} values"
        )
    ws = wb[sheet]
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ws.cell(r1 + i, c1 + j).value = v


def template_stamp(wb: Workbook) -> tuple[str, str] | None:
    """(template id, version) from the ``gtm_template`` name, or None for another workbook."""
    dn = wb.defined_names.get(TEMPLATE_NAME)
    if dn is None:
        return None
    text = dn.attr_text.strip().strip('"')
    kind, _, version = text.partition(":")
    return kind, version
