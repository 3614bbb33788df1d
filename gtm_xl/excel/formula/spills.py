"""Storing a formula's result: a single value, a legacy array formula filling its ``array_ref``, or a
dynamic array spilling from its anchor (``#SPILL!`` onto a filled cell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gtm_xl.excel.formula.book import Book
from gtm_xl.excel.formula.operators import cell_result, from_python
from gtm_xl.excel.ooxml.cells import WorkbookCells, parse_range, to_a1
from gtm_xl.excel.values import CellError

if TYPE_CHECKING:
    from gtm_xl.excel.formula.evaluator import Evaluation


def store(wb: Book, result: Evaluation, book: WorkbookCells, key, cell, v) -> None:
    """Store the value ``v`` of formula cell ``key`` in the book and in ``result``: an array spills from a
    dynamic-array anchor or fills a legacy array formula's range; elsewhere its first element is the value."""
    sname, r, c = key
    vals = wb.values[sname]
    if isinstance(v, np.ndarray):
        if wb.blocks is not None:
            wb.blocks.pop(sname, None)  # an array or a spill writes many cells: forget the sheet's blocks
        v = from_python(v)
        is_array_formula = bool(cell.array_ref) or cell.dynamic
        if v.shape == (1, 1) and not cell.dynamic:
            v = v[0, 0]
        elif not is_array_formula:
            v = v[0, 0]  # implicit intersection of a legacy formula: its first element
        elif cell.array_ref and not cell.dynamic:
            r1, c1, r2, c2 = parse_range(cell.array_ref)
            for i in range(r2 - r1 + 1):
                for j in range(c2 - c1 + 1):
                    ev = v[i, j] if i < v.shape[0] and j < v.shape[1] else CellError("#N/A")
                    ev = cell_result(ev)
                    vals[(r1 + i, c1 + j)] = ev
                    result.values[(sname, r1 + i, c1 + j)] = ev
            return
        else:
            rows, cols = v.shape
            cells = book.sheets[sname]
            blocked = any(
                (rr, cc) != (r, c)
                and (other := cells.get((rr, cc))) is not None
                and (other.formula is not None or (other.value is not None and not _inside(cell.array_ref, rr, cc)))
                for rr in range(r, r + rows)
                for cc in range(c, c + cols)
            )
            if blocked:
                vals[(r, c)] = result.values[key] = CellError("#SPILL!")
                result.spills[key] = to_a1(r, c)
                return
            for i in range(rows):
                for j in range(cols):
                    ev = cell_result(v[i, j])
                    vals[(r + i, c + j)] = ev
                    result.values[(sname, r + i, c + j)] = ev
            max_r, max_c = wb.bounds[sname]  # a spill may reach beyond the sheet's cells
            wb.bounds[sname] = (max(max_r, r + rows - 1), max(max_c, c + cols - 1))
            result.spills[key] = f"{to_a1(r, c)}:{to_a1(r + rows - 1, c + cols - 1)}" if v.size > 1 else to_a1(r, c)
            _spill_moved(wb, sname, cell, (r, c, r + rows - 1, c + cols - 1))
            return
    v = cell_result(v)
    vals[(r, c)] = v
    result.values[key] = v
    wb.written(sname, r, c, r, c)
    if cell.dynamic:
        result.spills[key] = to_a1(r, c)
        _spill_moved(wb, sname, cell, (r, c, r, c))


def _spill_moved(wb: Book, sname: str, cell, new: tuple[int, int, int, int]) -> None:
    """A dynamic array spilled into another range than the one Excel saved: the cells it left are
    blank from now on (later formulas read them so), and the cells it newly covers are recorded in
    ``wb.spill_growth`` — a formula computed before may have read their old values (the evaluator
    then reports it, see :func:`.evaluator._stale_readers`)."""
    if not cell.array_ref:
        old = (new[0], new[1], new[0], new[1])
    else:
        old = parse_range(cell.array_ref)
    if old == new:
        return
    vals = wb.values[sname]
    r1, c1, r2, c2 = old
    for rr in range(r1, r2 + 1):
        for cc in range(c1, c2 + 1):
            if not (new[0] <= rr <= new[2] and new[1] <= cc <= new[3]) and (rr, cc) != (new[0], new[1]):
                vals.pop((rr, cc), None)
    if wb.blocks is not None:
        wb.blocks.pop(sname, None)
    if new[2] > r2 or new[3] > c2:
        growth = getattr(wb, "spill_growth", None)
        if growth is not None:
            growth.append((sname, new, old))


def _inside(ref: str | None, r: int, c: int) -> bool:
    if not ref:
        return False
    r1, c1, r2, c2 = parse_range(ref)
    return r1 <= r <= r2 and c1 <= c <= c2
