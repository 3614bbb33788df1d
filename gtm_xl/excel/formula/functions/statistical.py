"""Excel's Statistical functions: AVERAGE(IF/IFS), MIN, MAX, COUNT, COUNTA, COUNTBLANK, COUNTIF(S),
RANK, LARGE, SMALL.
"""

from __future__ import annotations

import math

from gtm_xl.excel.formula.functions.coercion import (
    DIV0,
    NA,
    NUM,
    VALUE,
    ExcelError,
    as_2d,
    check,
    criteria_mask,
    flat,
    is_array,
    num,
    to_number,
    values_of,
)
from gtm_xl.excel.formula.functions.mathtrig import sum_where
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def f_average(*args):
    vals = values_of(args)
    if not vals:
        raise ExcelError(DIV0)
    return check(math.fsum(vals) / len(vals))


def f_min(*args):
    vals = values_of(args)
    return min(vals) if vals else 0.0


def f_max(*args):
    vals = values_of(args)
    return max(vals) if vals else 0.0


def f_count(*args):
    n = 0
    for a in args:
        for v in flat(a) if is_array(a) else []:
            if isinstance(v, (float, int)) and not isinstance(v, bool):
                n += 1
        if not is_array(a):
            try:
                if a is not None and not isinstance(a, CellError):
                    to_number(a)
                    n += 1
            except ExcelError:
                pass
    return float(n)


def f_counta(*args):
    n = 0
    for a in args:
        if is_array(a):
            n += sum(1 for v in flat(a) if v is not None)
        else:
            n += 1
    return float(n)


def f_countblank(rng):
    return float(sum(1 for v in flat(rng) if v is None or v == ""))


def f_averageif(rng, crit, avg_range=None):
    return sum_where(rng if avg_range is None else avg_range, criteria_mask([(rng, crit)]), True)


def f_averageifs(avg_range, *pairs):
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return sum_where(avg_range, criteria_mask(zip(pairs[::2], pairs[1::2])), True)


def f_countif(rng, crit):
    return float(criteria_mask([(rng, crit)]).sum())


def f_countifs(*pairs):
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return float(criteria_mask(zip(pairs[::2], pairs[1::2])).sum())


def f_rank(value, ref, order=0.0):
    x = num(value)
    vals = values_of((as_2d(ref),))
    if x not in vals:
        raise ExcelError(NA)
    if num(order) == 0:
        return float(1 + sum(1 for v in vals if v > x))
    return float(1 + sum(1 for v in vals if v < x))


def f_large(arr, k):
    vals = sorted(values_of((as_2d(arr),)), reverse=True)
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


def f_small(arr, k):
    vals = sorted(values_of((as_2d(arr),)))
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "AVERAGE": builtin(f_average, 1, 255),
    "MIN": builtin(f_min, 1, 255),
    "MAX": builtin(f_max, 1, 255),
    "COUNT": builtin(f_count, 1, 255, errors_ok=True),
    "COUNTA": builtin(f_counta, 1, 255, errors_ok=True),
    "COUNTBLANK": builtin(f_countblank, 1),
    "COUNTIF": builtin(f_countif, 2),
    "COUNTIFS": builtin(f_countifs, 2, 255),
    "AVERAGEIF": builtin(f_averageif, 2, 3),
    "AVERAGEIFS": builtin(f_averageifs, 3, 255),
    "RANK": builtin(f_rank, 2, 3),
    "RANK.EQ": builtin(f_rank, 2, 3),
    "LARGE": builtin(f_large, 2),
    "SMALL": builtin(f_small, 2),
}
