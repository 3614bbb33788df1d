"""Excel's Information functions: the IS* tests (ISNONTEXT, ISEVEN, ISODD, ISREF, ISFORMULA among them), NA,
TYPE, ERROR.TYPE, N, SHEET, SHEETS and CELL (the info types it can answer exactly).

ISREF, ISFORMULA, SHEET, SHEETS, TYPE and CELL read their reference itself (``refs``: a
:class:`~.spec.Reference`), not only its value.
"""

from __future__ import annotations

import math

import numpy as np

from gtm_xl.excel.formula.functions.coercion import NA, VALUE, ExcelError, Unsupported, scalar
from gtm_xl.excel.formula.functions.mathtrig import truncated
from gtm_xl.excel.formula.functions.spec import Builtin, Context, Reference, builtin
from gtm_xl.excel.ooxml.cells import to_a1
from gtm_xl.excel.values import CellError


def f_isnumber(v):
    """ISNUMBER(value): TRUE for a number (not for numeric text)."""
    v = scalar(v)
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def f_istext(v):
    """ISTEXT(value): TRUE for text."""
    return isinstance(scalar(v), str)


def f_isblank(v):
    """ISBLANK(value): TRUE for an empty cell only (not for "")."""
    return scalar(v) is None


def f_iserror(v):
    """ISERROR(value): TRUE for any error value."""
    return isinstance(scalar(v), CellError)


def f_iserr(v):
    """ISERR(value): TRUE for any error value but #N/A."""
    v = scalar(v)
    return isinstance(v, CellError) and v.code != "#N/A"


def f_isna(v):
    """ISNA(value): TRUE for #N/A."""
    v = scalar(v)
    return isinstance(v, CellError) and v.code == "#N/A"


def f_islogical(v):
    """ISLOGICAL(value): TRUE for TRUE or FALSE."""
    return isinstance(scalar(v), bool)


def f_na():
    """NA(): the #N/A error value."""
    raise ExcelError(NA)


def f_isnontext(v):
    """ISNONTEXT(value): TRUE for anything but text (a blank and an error value included)."""
    return not isinstance(scalar(v), str)


def _parity(v) -> int:
    """ISEVEN/ISODD's number: truncated; a blank is 0; text is #VALUE! (Microsoft: "If number is nonnumeric,
    ISEVEN returns the #VALUE! error value"; LibreOffice answers text differently, we follow Excel). Numeric
    text and logicals are not documented: unsupported."""
    v = scalar(v)
    if v is None:
        return 0
    if isinstance(v, bool):
        raise Unsupported("ISEVEN/ISODD of a logical")
    if isinstance(v, str):
        try:
            float(v)
        except ValueError:
            raise ExcelError(VALUE) from None
        raise Unsupported("ISEVEN/ISODD of numeric text")
    x = float(v)
    if not math.isfinite(x) or abs(x) >= 2.0**53:
        raise ExcelError(CellError("#NUM!"))
    return truncated(x)


def f_iseven(v):
    """ISEVEN(number): TRUE when the truncated number is even; #VALUE! for text."""
    return _parity(v) % 2 == 0


def f_isodd(v):
    """ISODD(number): TRUE when the truncated number is odd; #VALUE! for text."""
    return _parity(v) % 2 == 1


def f_isref(ctx: Context, v):
    """ISREF(value): TRUE for a reference (a cell, a range, a name that refers to one)."""
    return isinstance(v, Reference)


def f_isformula(ctx: Context, v):
    """ISFORMULA(reference): TRUE when the reference's (first) cell holds a formula; #VALUE! for a value that is
    not a reference."""
    if not isinstance(v, Reference):
        if isinstance(v, CellError):
            raise ExcelError(v)
        raise ExcelError(VALUE)
    cell = ctx.book.sheets[v.sheet].get((v.r1, v.c1))
    return cell is not None and cell.formula is not None


def _sheet_names(ctx: Context) -> list[str]:
    names = ctx.book.sheet_names
    return list(ctx.book.sheets) if names is None else names


def f_sheet(ctx: Context, v=None):
    """SHEET([value]): the number of the sheet (of this formula, of a reference, or named by text) in workbook
    order, every kind of sheet counted; #N/A for a name no sheet has."""
    names = _sheet_names(ctx)
    if v is None:
        return float(names.index(ctx.sheet) + 1)
    if isinstance(v, Reference):
        return float(names.index(v.sheet) + 1)
    t = scalar(v)
    if isinstance(t, CellError):
        raise ExcelError(t)
    if isinstance(t, str):
        for i, name in enumerate(names):
            if name.lower() == t.lower():
                return float(i + 1)
        raise ExcelError(NA)
    raise Unsupported("SHEET of a value that is neither a reference nor text")


def f_sheets(ctx: Context, v=None):
    """SHEETS([reference]): the number of sheets in the workbook (every kind), or in a reference (1; a 3-D
    reference is not implemented)."""
    if v is None:
        return float(len(_sheet_names(ctx)))
    if isinstance(v, Reference):
        return 1.0
    raise ExcelError(VALUE) if not isinstance(v, CellError) else ExcelError(v)


def f_type(ctx: Context, v):
    """TYPE(value): 1 number (a blank too), 2 text, 4 logical, 16 error value, 64 array. A reference to several
    cells is not implemented: unsupported."""
    if isinstance(v, Reference):
        if (v.r1, v.c1) != (v.r2, v.c2):
            raise Unsupported("TYPE of a multi-cell reference")
        v = ctx.values(v)[0, 0]
    elif isinstance(v, np.ndarray):
        return 64.0
    if isinstance(v, CellError):
        return 16.0
    if isinstance(v, bool):
        return 4.0
    if isinstance(v, str):
        return 2.0
    return 1.0


#: ERROR.TYPE's numbers (Microsoft's table, the newer error values included).
ERROR_TYPES = {
    "#NULL!": 1,
    "#DIV/0!": 2,
    "#VALUE!": 3,
    "#REF!": 4,
    "#NAME?": 5,
    "#NUM!": 6,
    "#N/A": 7,
    "#GETTING_DATA": 8,
    "#SPILL!": 9,
    "#CONNECT!": 10,
    "#BLOCKED!": 11,
    "#UNKNOWN!": 12,
    "#FIELD!": 13,
    "#CALC!": 14,
}


def f_error_type(v):
    """ERROR.TYPE(error_val): the number of an error value (#NULL! 1, #DIV/0! 2, #VALUE! 3, #REF! 4, #NAME? 5,
    #NUM! 6, #N/A 7, …); #N/A for a value that is not an error."""
    v = scalar(v)
    if not isinstance(v, CellError):
        raise ExcelError(NA)
    n = ERROR_TYPES.get(v.code)
    if n is None:
        raise Unsupported(f"ERROR.TYPE of {v.code}")
    return float(n)


def f_n(v):
    """N(value): a number as itself, TRUE 1, FALSE 0, text and a blank 0, an error value itself."""
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise Unsupported("N of a range or an array")
        v = v[0, 0]
    if isinstance(v, CellError):
        raise ExcelError(v)
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    return 0.0


_CELL_INFO = {"address", "col", "row", "contents", "type"}


def f_cell(ctx: Context, info, ref=None):
    """CELL(info_type, [reference]) for "address" (a reference on the formula's own sheet), "col", "row",
    "contents" and "type" ("b" blank, "l" text, "v" other) of the reference's first cell. Without a reference
    (the last cell changed) and for the other info types: unsupported."""
    kind = scalar(info)
    if isinstance(kind, CellError):
        raise ExcelError(kind)
    if not isinstance(kind, str):
        raise ExcelError(VALUE)
    kind = kind.strip().lower()
    if kind not in _CELL_INFO or not isinstance(ref, Reference):
        if ref is not None and not isinstance(ref, Reference):
            raise Unsupported("CELL of a value that is not a reference")
        raise Unsupported(f"CELL({kind!r})")
    if kind == "row":
        return float(ref.r1)
    if kind == "col":
        return float(ref.c1)
    if kind == "address":
        if ref.sheet != ctx.sheet:
            raise Unsupported("CELL address on another sheet (Excel adds the file name)")
        return to_a1(ref.r1, ref.c1, absolute=True)
    value = ctx.values(Reference(ref.sheet, ref.r1, ref.c1, ref.r1, ref.c1))[0, 0]
    if kind == "contents":
        if value is None:
            raise Unsupported('CELL("contents") of a blank cell')
        return value
    if value is None:
        return "b"
    return "l" if isinstance(value, str) else "v"


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "NA": builtin(f_na, 0),
    "ISNUMBER": builtin(f_isnumber, 1, errors_ok=True),
    "ISTEXT": builtin(f_istext, 1, errors_ok=True),
    "ISBLANK": builtin(f_isblank, 1, errors_ok=True),
    "ISERROR": builtin(f_iserror, 1, errors_ok=True),
    "ISERR": builtin(f_iserr, 1, errors_ok=True),
    "ISNA": builtin(f_isna, 1, errors_ok=True),
    "ISLOGICAL": builtin(f_islogical, 1, errors_ok=True),
    "ISNONTEXT": builtin(f_isnontext, 1, errors_ok=True),
    "ISEVEN": builtin(f_iseven, 1),
    "ISODD": builtin(f_isodd, 1),
    "ISREF": builtin(f_isref, 1, refs=True),
    "ISFORMULA": builtin(f_isformula, 1, refs=True),
    "SHEET": builtin(f_sheet, 0, 1, refs=True),
    "SHEETS": builtin(f_sheets, 0, 1, refs=True),
    "TYPE": builtin(f_type, 1, refs=True),
    "ERROR.TYPE": builtin(f_error_type, 1, errors_ok=True),
    "N": builtin(f_n, 1),
    "CELL": builtin(f_cell, 1, 2, refs=True),
}

#: Elementwise functions of this module (lifted over array arguments, see registry.ELEMENTWISE).
LIFTED = {"ISNONTEXT", "ISEVEN", "ISODD", "ERROR.TYPE"}
