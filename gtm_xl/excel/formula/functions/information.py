"""Excel's Information functions: the IS* tests and NA."""

from __future__ import annotations

from gtm_xl.excel.formula.functions.coercion import NA, ExcelError, scalar
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
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
}
