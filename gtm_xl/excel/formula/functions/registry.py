"""THE table of Excel's built-in functions for the headless evaluator (:mod:`gtm_xl.excel.formula`).

Each category module (:mod:`.mathtrig`, :mod:`.statistical`, :mod:`.distributions`, :mod:`.financial`,
:mod:`.logical`, :mod:`.information`, :mod:`.lookup`, :mod:`.text`, :mod:`.number_format`, :mod:`.dates`,
:mod:`.dynamic_arrays`, :mod:`.arrays` (Excel 365's array shaping, SORTBY, XMATCH), :mod:`.lambdas` (LAMBDA
helpers), :mod:`.engineering`, :mod:`.aggregate`) defines its own ``FUNCTIONS``;
:data:`BUILTINS` is their union. Each entry is a :class:`Builtin`: the Python function, whether it
wants its arguments unevaluated (``lazy``: IF, IFERROR, CHOOSE…) and whether it accepts error values.
"""

from __future__ import annotations

from gtm_xl.excel.formula.functions import (
    aggregate,
    arrays,
    dates,
    distributions,
    dynamic_arrays,
    engineering,
    financial,
    information,
    lambdas,
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
    arrays,
    lambdas,
    engineering,
    aggregate,
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
# a category module may name its own elementwise functions in ``LIFTED``
for _module in _CATEGORIES:
    ELEMENTWISE |= getattr(_module, "LIFTED", set())

#: Functions whose value changes with each recalculation (TODAY, NOW, RAND…; a category module names its
#: own in ``VOLATILE``): a cell calling one (directly, through a defined name or through other cells) is
#: computed at refresh time and reported as volatile; its value never equals the one Excel saved.
VOLATILE: frozenset[str] = frozenset({"TODAY", "NOW"}).union(*(getattr(m, "VOLATILE", set()) for m in _CATEGORIES))

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
