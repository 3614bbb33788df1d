"""THE table of Excel's built-in functions for the headless evaluator (:mod:`gtm_xl.excel.formula`).

Each category module (:mod:`.mathtrig`, :mod:`.statistical`, :mod:`.distributions`, :mod:`.financial`, :mod:`.logical`, :mod:`.information`,
:mod:`.lookup`, :mod:`.text`, :mod:`.number_format`, :mod:`.dates`, :mod:`.dynamic_arrays`) defines its own ``FUNCTIONS``;
:data:`BUILTINS` is their union. Each entry is a :class:`Builtin`: the Python function, whether it
wants its arguments unevaluated (``lazy``: IF, IFERROR, CHOOSE…) and whether it accepts error values.
"""

from __future__ import annotations

from gtm_xl.excel.formula.functions import (
    dates,
    distributions,
    dynamic_arrays,
    financial,
    information,
    logical,
    lookup,
    mathtrig,
    number_format,
    statistical,
    text,
)
from gtm_xl.excel.formula.functions.spec import Builtin

__all__ = ["BUILTINS", "ELEMENTWISE", "VOLATILE", "Builtin"]

_CATEGORIES = (
    mathtrig,
    statistical,
    distributions,
    financial,
    logical,
    information,
    lookup,
    text,
    number_format,
    dates,
    dynamic_arrays,
)


def _union() -> dict[str, Builtin]:
    table: dict[str, Builtin] = {}
    for module in _CATEGORIES:
        clash = table.keys() & module.FUNCTIONS.keys()
        if clash:
            raise RuntimeError(f"{module.__name__} redefines {sorted(clash)}")
        table.update(module.FUNCTIONS)
    return table


#: THE table of built-in functions: upper-case Excel name → :class:`Builtin`.
BUILTINS: dict[str, Builtin] = _union()

#: Functions whose scalar parameters are lifted elementwise over array arguments (array formulas).
ELEMENTWISE = {
    "ROUND",
    "ROUNDUP",
    "ROUNDDOWN",
    "INT",
    "ABS",
    "MOD",
    "POWER",
    "SQRT",
    "CEILING",
    "FLOOR",
    "CEILING.MATH",
    "FLOOR.MATH",
    "NOT",
    "ISNUMBER",
    "ISTEXT",
    "ISBLANK",
    "ISERROR",
    "ISERR",
    "ISNA",
    "ISLOGICAL",
    "LEFT",
    "RIGHT",
    "MID",
    "LEN",
    "UPPER",
    "LOWER",
    "TRIM",
    "EXACT",
    "REPT",
    "VALUE",
    "DATE",
    "EOMONTH",
    "EDATE",
    "YEAR",
    "MONTH",
    "DAY",
    "TEXT",
    "DOLLAR",
    "CONCATENATE",
    "FIND",
    "SEARCH",
    "SUBSTITUTE",
    "REPLACE",
    "SIN",
    "COS",
    "TAN",
    "EXP",
    "LN",
    "LOG10",
    "SIGN",
}

#: Functions of functions B whose every parameter is a scalar: Excel lifts them over arrays too.
ELEMENTWISE |= {
    # dates and times
    "TIME",
    "DATEVALUE",
    "TIMEVALUE",
    "HOUR",
    "MINUTE",
    "SECOND",
    "WEEKDAY",
    "WEEKNUM",
    "ISOWEEKNUM",
    "DAYS",
    "DAYS360",
    "DATEDIF",
    "YEARFRAC",
    # financial (not NPV, XNPV, IRR, XIRR, MIRR: their values are arrays)
    "FV",
    "PV",
    "PMT",
    "IPMT",
    "PPMT",
    "NPER",
    "RATE",
    "CUMIPMT",
    "CUMPRINC",
    "EFFECT",
    "NOMINAL",
    "SLN",
    "SYD",
    "DB",
    "DDB",
    "VDB",
    # statistics with scalar parameters
    "STANDARDIZE",
} | (set(distributions.FUNCTIONS) - {"T.TEST", "TTEST", "Z.TEST", "ZTEST", "CHISQ.TEST", "CHITEST", "F.TEST", "FTEST"})

#: Functions whose value changes with each recalculation: a cell calling one (directly, through a
#: defined name or through other cells) is computed at refresh time and reported as volatile.
VOLATILE = frozenset({"TODAY", "NOW"})
