"""The reference functions the evaluator computes on references themselves rather than on values:
OFFSET and INDIRECT (references known only when they run, checked against the evaluation order),
INDEX's reference form and AREAS. Each takes the :class:`~.book.Book` being evaluated, the
function's argument trees and the formula's sheet, and answers a reference (``("REF", Ref,
sheet)``) or an error value.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np

from gtm_xl.excel.formula.book import CellUnsupported
from gtm_xl.excel.formula.functions.coercion import ExcelError, to_bool, to_number
from gtm_xl.excel.formula.parser import MAX_COLS, MAX_ROWS, Ref, position_dependent
from gtm_xl.excel.values import CellError

if TYPE_CHECKING:
    from gtm_xl.excel.formula.book import Book


def _one_value(v, function: str):
    """An argument of INDEX, OFFSET or INDIRECT that must be one value: a one-cell array's value;
    a larger array is left to Excel."""
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise CellUnsupported(function)
        v = v.reshape(-1)[0]
    return v


def may_be_reference(node) -> bool:
    """True for a tree that may evaluate to a reference (INDEX's reference form)."""
    kind = node[0]
    if kind in ("ref", "name", "sref"):
        return True
    if kind == "op":
        return node[1] in (":", " ", ",")
    return kind == "fn" and node[1] in ("OFFSET", "INDIRECT", "INDEX")


_R1C1_PART = r"R(?:\[(-?\d+)\]|(\d+))?C(?:\[(-?\d+)\]|(\d+))?"
_R1C1 = re.compile(rf"^{_R1C1_PART}(?::{_R1C1_PART})?$", re.I)


def _r1c1_ref(text: str, row: int, col: int) -> Ref | None:
    """R1C1 text (``R2C3``, ``R[-1]C``, ``RC[2]:R[1]C[3]``, with an optional ``Sheet!``) as a
    :class:`Ref`, relative parts counted from (row, col); None when it is not R1C1 text. (Whole
    rows ``R2``/columns ``C3`` are left out: None.)"""
    from gtm_xl.excel.formula.parser import split_sheet

    sheet, body = split_sheet(text)
    m = _R1C1.match(body)
    if m is None:
        return None
    g = m.groups()

    def corner(rel_r, abs_r, rel_c, abs_c):
        r = int(abs_r) if abs_r else row + int(rel_r or 0)
        c = int(abs_c) if abs_c else col + int(rel_c or 0)
        return r, c

    r1, c1 = corner(*g[:4])
    r2, c2 = corner(*g[4:]) if ":" in body else (r1, c1)
    return Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def dynamic_ref(wb: Book, ref: Ref, here: str, name: str):
    """A reference OFFSET or INDIRECT computed, once the evaluator has computed every formula
    cell in it (else the cell is unsupported: the graph could not order it); #REF! off the sheet."""
    if not (1 <= ref.r1 <= ref.r2 <= MAX_ROWS and 1 <= ref.c1 <= ref.c2 <= MAX_COLS):
        return CellError("#REF!")
    try:
        sheet = wb.sheet_of(ref.sheet, here)
    except ExcelError as e:
        return e.error
    cells = wb.formula_cells
    if cells is not None:
        for k in cells.cells_in(here, Ref(sheet, ref.r1, ref.c1, ref.r2, ref.c2)):
            if k in wb.pending or k in wb.bad:
                raise CellUnsupported(f"{name} (reads a cell computed later or not at all)")
        for k, (r1, c1, r2, c2) in cells.anchors:  # a spill or array range
            if k[0] == sheet and (k in wb.pending or k in wb.bad):
                if r1 <= ref.r2 and ref.r1 <= r2 and c1 <= ref.c2 and ref.c1 <= c2:
                    raise CellUnsupported(f"{name} (reads an array computed later or not at all)")
    return ("REF", Ref(ref.sheet, ref.r1, ref.c1, ref.r2, ref.c2), here)


def index_reference(wb: Book, arg_nodes: list, here: str):
    """INDEX's reference form (INDEX(reference, row, [column], [area])): a reference, so that
    ``A1:INDEX(A1:A9,5)`` is a range and an ordinary cell intersects a whole row or column;
    None when the first argument is not a reference (the array form, :func:`lookup.f_index`).
    Row or column 0 (or omitted) is the whole column or row; #REF! beyond the reference,
    #VALUE! for a negative number."""
    if not 1 <= len(arg_nodes) <= 4:
        return None
    first = wb.ev(arg_nodes[0], here)
    areas = wb._as_areas(first, here)
    if areas is None:
        if not (isinstance(first, tuple) and first and first[0] == "REF"):
            return None
        areas = [first]
    nums: list[int | None] = []  # None: omitted
    for node in arg_nodes[1:]:
        if node[0] == "missing":
            nums.append(None)
            continue
        with wb.argument_scope("IF"):  # value parameters
            v = wb.operand(wb.ev(node, here), here) if not wb.array_mode else wb.value(wb.ev(node, here), here)
        v = _one_value(v, "INDEX")
        if isinstance(v, CellError):
            return v
        try:
            nums.append(None if v is None else int(math.trunc(to_number(v))))
        except ExcelError as e:
            return e.error
    nums += [None] * (3 - len(nums))
    row, col, area = nums
    k = 1 if area is None else area
    if not 1 <= k <= len(areas):
        return CellError("#REF!")
    ref = areas[k - 1][1]
    if wb.sheets_between(ref) is not None:
        raise CellUnsupported("INDEX (3-D reference)")
    height, width = ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1
    r = row or 0
    c = col or 0
    if height == 1 and width > 1 and len(arg_nodes) == 2:
        r, c = 0, r  # INDEX(row reference, n): the n-th cell of the row
    if r < 0 or c < 0:
        return CellError("#VALUE!")
    if r > height or c > width:
        return CellError("#REF!")
    r1, r2 = (ref.r1, ref.r2) if r == 0 else (ref.r1 + r - 1, ref.r1 + r - 1)
    c1, c2 = (ref.c1, ref.c2) if c == 0 else (ref.c1 + c - 1, ref.c1 + c - 1)
    return ("REF", Ref(ref.sheet, r1, c1, r2, c2), here)


def offset(wb: Book, arg_nodes: list, here: str):
    """OFFSET(reference, rows, cols, [height], [width]): the reference moved by rows and cols,
    height × width (the reference's size when omitted or empty); #VALUE! when the first argument
    is not a reference, #REF! off the sheet or for a zero size; the numbers are truncated and
    (in an ordinary cell) implicitly intersected. A negative size is left to Excel."""
    if not 3 <= len(arg_nodes) <= 5:
        return CellError("#VALUE!")
    base = wb.ev(arg_nodes[0], here)
    if isinstance(base, CellError):
        return base
    if not (isinstance(base, tuple) and base and base[0] == "REF") or wb.sheets_between(base[1]) is not None:
        return CellError("#VALUE!")
    ref = base[1]
    nums: list[int | None] = []  # None: omitted
    for i, node in enumerate(arg_nodes[1:], start=1):
        if node[0] == "missing":
            nums.append(None)
            continue
        with wb.argument_scope("OFFSET" if wb.array_mode else "IF"):  # value parameters
            v = wb.operand(wb.ev(node, here), here)
        v = _one_value(v, "OFFSET")
        if isinstance(v, CellError):
            return v
        if v is None and i >= 3:
            nums.append(None)
            continue
        try:
            nums.append(int(math.trunc(to_number(v))))
        except ExcelError as e:
            return e.error
    nums += [None] * (4 - len(nums))
    dr, dc, h, w = nums
    h = ref.r2 - ref.r1 + 1 if h is None else h
    w = ref.c2 - ref.c1 + 1 if w is None else w
    if h == 0 or w == 0:
        return CellError("#REF!")
    if h < 0 or w < 0:
        raise CellUnsupported("OFFSET (negative size)")
    r1, c1 = ref.r1 + (dr or 0), ref.c1 + (dc or 0)
    return dynamic_ref(wb, Ref(ref.sheet, r1, c1, r1 + h - 1, c1 + w - 1), here, "OFFSET")


def indirect(wb: Book, arg_nodes: list, here: str):
    """INDIRECT(ref_text, [a1]): the reference the text names — A1 style (``B9``, ``$B$9``,
    ``'My s'!A1:B2``, a defined name) or, with a1 FALSE, R1C1 style (``R2C3``, ``R[-1]C``,
    relative to the formula's cell); #REF! for text that names none."""
    if not 1 <= len(arg_nodes) <= 2:
        return CellError("#VALUE!")
    with wb.argument_scope("IF"):
        text = wb.operand(wb.ev(arg_nodes[0], here), here) if not wb.array_mode else None
    if wb.array_mode:
        text = wb.value(wb.ev(arg_nodes[0], here), here)
        text = _one_value(text, "INDIRECT")
    a1 = True
    if len(arg_nodes) == 2 and arg_nodes[1][0] != "missing":
        flag = wb.operand(wb.ev(arg_nodes[1], here), here)
        if isinstance(flag, CellError):
            return flag
        try:
            a1 = to_bool(flag)
        except ExcelError as e:
            return e.error
    if isinstance(text, CellError):
        return text
    if not isinstance(text, str):
        return CellError("#REF!")
    from gtm_xl.excel.formula.parser import OutsideSheet, _parse_ref, split_sheet

    text = text.strip()
    if a1:
        try:
            ref = _parse_ref(text)
        except OutsideSheet:
            return CellError("#REF!")
        if ref is None:
            sheet, name = split_sheet(text)
            if re.fullmatch(r"[A-Za-z_\\][\w.]*", name) is None:
                return CellError("#REF!")
            tree = wb.name_tree(name.upper(), sheet, here)
            if tree is None:
                return CellError("#REF!")
            if position_dependent(tree):
                raise CellUnsupported("INDIRECT (a name with relative references)")
            v = wb.ev(tree, here)
            if isinstance(v, tuple) and v and v[0] == "REF":
                return dynamic_ref(wb, v[1], here, "INDIRECT")
            return CellError("#REF!")
    else:
        ref = _r1c1_ref(text, *wb.current)
        if ref is None:
            return CellError("#REF!")
    if ref.sheet is not None and wb.sheets_between(ref) is not None:
        return CellError("#REF!")
    return dynamic_ref(wb, ref, here, "INDIRECT")


def count_areas(wb: Book, arg_nodes: list, here: str):
    """AREAS(reference): how many areas the reference has (a union's, a 3-D reference's sheets);
    #VALUE! for a value that is not a reference."""
    if len(arg_nodes) != 1:
        return CellError("#VALUE!")
    v = wb.ev(arg_nodes[0], here)
    if isinstance(v, CellError):
        return v
    areas = wb._as_areas(v, here)
    if areas is not None:
        return float(len(areas))
    if isinstance(v, tuple) and v and v[0] == "REF":
        return 1.0
    return CellError("#VALUE!")


def xlookup_reference(wb: Book, arg_nodes: list, here: str):
    """XLOOKUP whose result array is a reference answers a reference (its matching row or column),
    as Excel does: ``XLOOKUP(…):XLOOKUP(…)`` is a range, an ordinary cell intersects a returned row;
    None when the result argument is not a reference (the value form, :func:`lookup.f_xlookup`)."""
    from gtm_xl.excel.formula.functions.coercion import Unsupported
    from gtm_xl.excel.formula.functions.lookup import xlookup_position

    if not 3 <= len(arg_nodes) <= 6 or not may_be_reference(arg_nodes[2]):
        return None
    with wb.argument_scope("XLOOKUP"):
        result = wb.ev(arg_nodes[2], here)
        if not (isinstance(result, tuple) and result and result[0] == "REF") or wb.sheets_between(result[1]):
            return None
        args = [None if n[0] == "missing" else wb.value(wb.ev(n, here), here, keep_array=True) for n in arg_nodes]
    value, lookup = args[0], args[1]
    if_not_found = args[3] if len(args) > 3 else None
    modes = [a for a in args[4:6]]
    for v in (value, lookup, *modes):
        if isinstance(v, CellError):
            return v
    ref = result[1]
    shape = (ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1)
    try:
        pos, vertical = xlookup_position(
            value,
            lookup,
            shape,
            0.0 if len(modes) < 1 or modes[0] is None else modes[0],
            1.0 if len(modes) < 2 or modes[1] is None else modes[1],
        )
    except ExcelError as e:
        return e.error
    except Unsupported:
        raise CellUnsupported("XLOOKUP") from None
    if pos is None:
        return if_not_found if if_not_found is not None else CellError("#N/A")
    if vertical:
        return ("REF", Ref(ref.sheet, ref.r1 + pos, ref.c1, ref.r1 + pos, ref.c2), here)
    return ("REF", Ref(ref.sheet, ref.r1, ref.c1 + pos, ref.r2, ref.c1 + pos), here)


#: The functions of this module by Excel name (INDEX only when :func:`may_be_reference`).
COMPUTED_ON_REFERENCES = {"OFFSET": offset, "INDIRECT": indirect, "AREAS": count_areas}
