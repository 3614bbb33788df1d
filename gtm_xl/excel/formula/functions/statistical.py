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
    """AVERAGE(number1, …): the mean of the numbers (as SUM counts them); #DIV/0! when there are none."""
    vals = values_of(args)
    if not vals:
        raise ExcelError(DIV0)
    return check(math.fsum(vals) / len(vals))


def f_min(*args):
    """MIN(number1, …): the smallest number; 0 when there are none."""
    vals = values_of(args)
    return min(vals) if vals else 0.0


def f_max(*args):
    """MAX(number1, …): the largest number; 0 when there are none."""
    vals = values_of(args)
    return max(vals) if vals else 0.0


def f_count(*args):
    """COUNT(value1, …): how many numbers: in ranges only numbers, typed arguments that coerce to one."""
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
    """COUNTA(value1, …): how many range cells are not blank (errors and "" count), plus each typed argument."""
    n = 0
    for a in args:
        if is_array(a):
            n += sum(1 for v in flat(a) if v is not None)
        else:
            n += 1
    return float(n)


def f_countblank(rng):
    """COUNTBLANK(range): how many cells are blank or ""."""
    return float(sum(1 for v in flat(rng) if v is None or v == ""))


def f_averageif(rng, crit, avg_range=None):
    """AVERAGEIF(range, criterion, [average_range]): the mean where the criterion holds; #DIV/0! if none."""
    return sum_where(rng if avg_range is None else avg_range, criteria_mask([(rng, crit)]), True)


def f_averageifs(avg_range, *pairs):
    """AVERAGEIFS(average_range, range1, criterion1, …): the mean where every criterion holds."""
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return sum_where(avg_range, criteria_mask(zip(pairs[::2], pairs[1::2])), True)


def f_countif(rng, crit):
    """COUNTIF(range, criterion): how many cells meet the criterion."""
    return float(criteria_mask([(rng, crit)]).sum())


def f_countifs(*pairs):
    """COUNTIFS(range1, criterion1, …): how many cells meet every criterion."""
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return float(criteria_mask(zip(pairs[::2], pairs[1::2])).sum())


def f_rank(value, ref, order=0.0):
    """RANK(number, ref, [order]) and RANK.EQ: the rank among ref's numbers (descending unless order); ties share."""
    x = num(value)
    vals = values_of((as_2d(ref),))
    if x not in vals:
        raise ExcelError(NA)
    if num(order) == 0:
        return float(1 + sum(1 for v in vals if v > x))
    return float(1 + sum(1 for v in vals if v < x))


def f_large(arr, k):
    """LARGE(array, k): the k-th largest number; #NUM! for k out of range."""
    vals = sorted(values_of((as_2d(arr),)), reverse=True)
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


def f_small(arr, k):
    """SMALL(array, k): the k-th smallest number; #NUM! for k out of range."""
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
