"""Excel's Information functions: the IS* tests and NA."""

from __future__ import annotations

from gtm_xl.excel.formula.functions.coercion import NA, ExcelError, scalar
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def f_isnumber(v):
    v = scalar(v)
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def f_istext(v):
    return isinstance(scalar(v), str)


def f_isblank(v):
    return scalar(v) is None


def f_iserror(v):
    return isinstance(scalar(v), CellError)


def f_iserr(v):
    v = scalar(v)
    return isinstance(v, CellError) and v.code != "#N/A"


def f_isna(v):
    v = scalar(v)
    return isinstance(v, CellError) and v.code == "#N/A"


def f_islogical(v):
    return isinstance(scalar(v), bool)


def f_na():
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
