"""Excel's Statistical functions: AVERAGE(IF/IFS), MIN, MAX, COUNT, COUNTA, COUNTBLANK, COUNTIF(S),
RANK(.EQ/.AVG), LARGE, SMALL, the "A" variants, MEDIAN, MODE(.SNGL/.MULT), the VAR and STDEV
families, AVEDEV, DEVSQ, GEOMEAN, HARMEAN, KURT, SKEW, PERCENTILE/QUARTILE/PERCENTRANK
(.INC/.EXC), CORREL/PEARSON, COVAR/COVARIANCE, SLOPE, INTERCEPT, RSQ, STEYX, FORECAST,
STANDARDIZE, FREQUENCY, PROB, LINEST, LOGEST, TREND, GROWTH, MAXIFS, MINIFS, TRIMMEAN (the distributions are in :mod:`.distributions`).

Coercion (:func:`values_of`, :func:`values_a`): inside ranges and arrays only numbers count (the
"A" functions count text as 0 and logicals as 1/0); numbers, logicals and numeric text typed
directly as arguments are coerced, other typed text is #VALUE!; the first error value met wins.
"""

from __future__ import annotations

import math

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    DIV0,
    NA,
    NUM,
    REF,
    VALUE,
    ExcelError,
    Unsupported,
    as_2d,
    check,
    criteria_mask,
    flat,
    is_array,
    num,
    scalar,
    to_bool,
    to_number,
    values_of,
)
from gtm_xl.excel.formula.functions.mathtrig import sum_where
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def plain_sum(vals) -> float:
    """Left-to-right double additions, as Excel sums (no compensation: AVERAGE of a range holding
    9999999999, -9999999999 and small numbers keeps Excel's rounding noise)."""
    total = 0.0
    for v in vals:
        total += v
    return total


def _mean(vals: list[float]) -> float:
    """The mean AVERAGE and AVERAGEA give: the plain sum over the count; none #DIV/0!."""
    if not vals:
        raise ExcelError(DIV0)
    return check(plain_sum(vals) / len(vals))


def _largest(vals: list[float]) -> float:
    """MAX's answer, and MAXA's and MAXIFS's: the largest value, 0 when there is none."""
    return max(vals) if vals else 0.0


def _smallest(vals: list[float]) -> float:
    """MIN's answer, and MINA's and MINIFS's: the smallest value, 0 when there is none."""
    return min(vals) if vals else 0.0


def f_average(*args):
    """AVERAGE(number1, …): the mean of the numbers (as SUM counts them); #DIV/0! when there are none."""
    vals = values_of(args)
    return _mean(vals)


def f_min(*args):
    """MIN(number1, …): the smallest number; 0 when there are none."""
    vals = values_of(args)
    return _smallest(vals)


def f_max(*args):
    """MAX(number1, …): the largest number; 0 when there are none."""
    vals = values_of(args)
    return _largest(vals)


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


def _array_or_typed(arr) -> list[float]:
    """The numbers of LARGE/SMALL's array: a range's numbers, or a typed value coerced (TRUE is 1, "2.3" 2.3)."""
    return values_of((arr,))


def f_large(arr, k):
    """LARGE(array, k): the k-th largest number; #NUM! for k out of range."""
    vals = sorted(_array_or_typed(arr), reverse=True)
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


def f_small(arr, k):
    """SMALL(array, k): the k-th smallest number; #NUM! for k out of range."""
    vals = sorted(_array_or_typed(arr))
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


# ------------------------------------------------------------------------------- descriptive


def values_a(args) -> list[float]:
    """The numbers of the "A" functions (AVERAGEA, MAXA, STDEVA…): in ranges text (and "") counts 0,
    TRUE 1, FALSE 0, blanks are left out; typed arguments are coerced as for AVERAGE. Errors raise."""
    out: list[float] = []
    for a in args:
        if is_array(a):
            for v in flat(a):
                if v is None:
                    continue
                if isinstance(v, CellError):
                    raise ExcelError(v)
                if isinstance(v, bool):
                    out.append(1.0 if v else 0.0)
                elif isinstance(v, str):
                    out.append(0.0)
                else:
                    out.append(float(v))
        else:
            out.extend(values_of((a,)))
    return out


def f_averagea(*args):
    """AVERAGEA(value1, …): the mean, text in ranges counting 0 and logicals 1/0; none #DIV/0!."""
    vals = values_a(args)
    return _mean(vals)


def f_maxa(*args):
    """MAXA(value1, …): the largest value, text in ranges counting 0 and logicals 1/0; none 0."""
    vals = values_a(args)
    return _largest(vals)


def f_mina(*args):
    """MINA(value1, …): the smallest value, text in ranges counting 0 and logicals 1/0; none 0."""
    vals = values_a(args)
    return _smallest(vals)


def f_median(*args):
    """MEDIAN(number1, …): the middle number (the mean of the two middle ones); none #NUM!."""
    vals = sorted(values_of(args))
    if not vals:
        raise ExcelError(NUM)
    n = len(vals)
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


def _mode_values(args) -> list[float]:
    """MODE's numbers: ranges give their numbers; a typed number counts; typed text (even "1") is #VALUE!."""
    out: list[float] = []
    for a in args:
        if is_array(a):
            if a.size == 1 and not _is_num(a.reshape(-1)[0]) and not isinstance(a.reshape(-1)[0], CellError):
                raise Unsupported("MODE of a one-cell reference that holds no number")
            out.extend(values_of((a,)))
        elif isinstance(a, CellError):
            raise ExcelError(a)
        elif isinstance(a, str):
            raise ExcelError(VALUE)
        elif isinstance(a, bool) or a is None:
            raise Unsupported("MODE of a typed logical or blank")
        else:
            out.append(float(a))
    return out


def _modes(vals: list[float]) -> list[float]:
    counts: dict[float, int] = {}
    for v in vals:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values(), default=0)
    if best < 2:
        raise ExcelError(NA)
    return [v for v in counts if counts[v] == best]  # in order of first appearance


def f_mode(*args):
    """MODE(number1, …) and MODE.SNGL: the most frequent number, the first to appear among equally
    frequent ones; no number repeated #N/A."""
    return _modes(_mode_values(args))[0]


def f_mode_mult(*args):
    """MODE.MULT(number1, …): every most frequent number, in order of appearance, as a column."""
    modes = _modes(_mode_values(args))
    out = np.empty((len(modes), 1), dtype=object)
    out[:, 0] = modes
    return out


def _var(vals: list[float], sample: bool) -> float:
    n = len(vals)
    if n < (2 if sample else 1):
        raise ExcelError(DIV0)
    m = plain_sum(vals) / n
    return plain_sum((v - m) ** 2 for v in vals) / (n - 1 if sample else n)


def f_var(*args):
    """VAR(number1, …) and VAR.S: the sample variance; fewer than two numbers #DIV/0!."""
    return check(_var(values_of(args), True))


def f_varp(*args):
    """VARP(number1, …) and VAR.P: the population variance; no numbers #DIV/0!."""
    return check(_var(values_of(args), False))


def f_vara(*args):
    """VARA(value1, …): the sample variance, text in ranges 0 and logicals 1/0."""
    return check(_var(values_a(args), True))


def f_varpa(*args):
    """VARPA(value1, …): the population variance, text in ranges 0 and logicals 1/0."""
    return check(_var(values_a(args), False))


def f_stdev(*args):
    """STDEV(number1, …) and STDEV.S: the sample standard deviation; fewer than two numbers #DIV/0!."""
    return check(math.sqrt(_var(values_of(args), True)))


def f_stdevp(*args):
    """STDEVP(number1, …) and STDEV.P: the population standard deviation; no numbers #DIV/0!."""
    return check(math.sqrt(_var(values_of(args), False)))


def f_stdeva(*args):
    """STDEVA(value1, …): the sample standard deviation, text in ranges 0 and logicals 1/0."""
    return check(math.sqrt(_var(values_a(args), True)))


def f_stdevpa(*args):
    """STDEVPA(value1, …): the population standard deviation, text in ranges 0 and logicals 1/0."""
    return check(math.sqrt(_var(values_a(args), False)))


def f_avedev(*args):
    """AVEDEV(number1, …): the mean absolute deviation from the mean; no numbers #NUM!."""
    vals = values_of(args)
    if not vals:
        raise ExcelError(NUM)
    m = plain_sum(vals) / len(vals)
    return check(plain_sum(abs(v - m) for v in vals) / len(vals))


def f_devsq(*args):
    """DEVSQ(number1, …): the sum of squared deviations from the mean; no numbers #NUM!."""
    vals = values_of(args)
    if not vals:
        raise ExcelError(NUM)
    m = plain_sum(vals) / len(vals)
    return check(plain_sum((v - m) ** 2 for v in vals))


def f_geomean(*args):
    """GEOMEAN(number1, …): the geometric mean; a number ≤ 0 or none #NUM!."""
    vals = values_of(args)
    if not vals or any(v <= 0 for v in vals):
        raise ExcelError(NUM)
    return check(math.exp(plain_sum(math.log(v) for v in vals) / len(vals)))


def f_harmean(*args):
    """HARMEAN(number1, …): the harmonic mean; a number ≤ 0 or none #NUM!."""
    vals = values_of(args)
    if not vals or any(v <= 0 for v in vals):
        raise ExcelError(NUM)
    return check(len(vals) / plain_sum(1 / v for v in vals))


def f_kurt(*args):
    """KURT(number1, …): the sample excess kurtosis; fewer than four numbers or no spread #DIV/0!."""
    vals = values_of(args)
    n = len(vals)
    if n < 4:
        raise ExcelError(DIV0)
    m = plain_sum(vals) / n
    s2 = plain_sum((v - m) ** 2 for v in vals) / (n - 1)
    if s2 == 0:
        raise ExcelError(DIV0)
    s4 = plain_sum(((v - m) ** 2 / s2) ** 2 for v in vals)
    return check(n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * s4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def f_skew(*args):
    """SKEW(number1, …): the sample skewness; fewer than three numbers or no spread #DIV/0!."""
    vals = values_of(args)
    n = len(vals)
    if n < 3:
        raise ExcelError(DIV0)
    m = plain_sum(vals) / n
    s = math.sqrt(plain_sum((v - m) ** 2 for v in vals) / (n - 1))
    if s == 0:
        raise ExcelError(DIV0)
    return check(n / ((n - 1) * (n - 2)) * plain_sum(((v - m) / s) ** 3 for v in vals))


def f_skew_p(*args):
    """SKEW.P(number1, …): the population skewness; fewer than one number or no spread #DIV/0!."""
    vals = values_of(args)
    n = len(vals)
    if n < 1:
        raise ExcelError(DIV0)
    m = plain_sum(vals) / n
    s = math.sqrt(plain_sum((v - m) ** 2 for v in vals) / n)
    if s == 0:
        raise ExcelError(DIV0)
    return check(plain_sum(((v - m) / s) ** 3 for v in vals) / n)


def _sorted_numbers(arr) -> list[float]:
    vals = sorted(values_of((as_2d(arr),)))
    if not vals:
        raise ExcelError(NUM)
    return vals


def _percentile_inc(vals: list[float], k: float) -> float:
    if not 0 <= k <= 1:
        raise ExcelError(NUM)
    r = k * (len(vals) - 1)
    i = int(math.floor(r))
    if i + 1 >= len(vals):
        return vals[-1]
    return vals[i] + (r - i) * (vals[i + 1] - vals[i])


def _percentile_exc(vals: list[float], k: float) -> float:
    n = len(vals)
    r = k * (n + 1)
    if not 0 < k < 1 or r < 1 or r > n:
        raise ExcelError(NUM)
    i = int(math.floor(r))
    if i >= n:
        return vals[-1]
    return vals[i - 1] + (r - i) * (vals[i] - vals[i - 1])


def f_percentile(arr, k):
    """PERCENTILE(array, k) and PERCENTILE.INC: the k-th percentile, interpolated at k·(n−1); k outside 0…1 #NUM!."""
    return _percentile_inc(_sorted_numbers(arr), num(k))


def f_percentile_exc(arr, k):
    """PERCENTILE.EXC(array, k): the k-th percentile, interpolated at k·(n+1); outside 1…n #NUM!."""
    return _percentile_exc(_sorted_numbers(arr), num(k))


def f_quartile(arr, quart):
    """QUARTILE(array, quart) and QUARTILE.INC: PERCENTILE.INC at quart/4, quart truncated to 0…4 (#NUM!)."""
    q = math.trunc(num(quart))
    if not 0 <= q <= 4:
        raise ExcelError(NUM)
    return _percentile_inc(_sorted_numbers(arr), q / 4)


def f_quartile_exc(arr, quart):
    """QUARTILE.EXC(array, quart): PERCENTILE.EXC at quart/4, quart truncated to 1…3 (#NUM!)."""
    q = math.trunc(num(quart))
    if not 1 <= q <= 3:
        raise ExcelError(NUM)
    return _percentile_exc(_sorted_numbers(arr), q / 4)


def _truncate(x: float, digits: int) -> float:
    f = 10**digits
    return math.floor(x * f + 1e-9) / f if x >= 0 else -math.floor(-x * f + 1e-9) / f


def _percentrank(arr, x, significance, exclusive: bool) -> float:
    vals = _sorted_numbers(arr)
    v = num(x)
    d = 3 if significance is None or scalar(significance) is None else math.trunc(num(significance))
    if d < 1:
        raise ExcelError(NUM)
    n = len(vals)
    if v < vals[0] or v > vals[-1]:
        raise ExcelError(NA)
    if n == 1 and not exclusive:
        return 1.0

    def rank_of(y: float) -> float:
        less = sum(1 for t in vals if t < y)
        return (less + 1) / (n + 1) if exclusive else less / (n - 1)

    if v in vals:
        r = rank_of(v)
    else:
        lo = max(t for t in vals if t < v)
        hi = min(t for t in vals if t > v)
        r = rank_of(lo) + (v - lo) / (hi - lo) * (rank_of(hi) - rank_of(lo))
    return _truncate(r, d)


def f_percentrank(arr, x, significance=None):
    """PERCENTRANK(array, x, [significance]) and PERCENTRANK.INC: the rank of x as a share of n−1,
    interpolated between neighbours, truncated to significance (3) digits; x outside the data #N/A."""
    return _percentrank(arr, x, significance, False)


def f_percentrank_exc(arr, x, significance=None):
    """PERCENTRANK.EXC(array, x, [significance]): the rank of x as (less+1)/(n+1), interpolated, truncated."""
    return _percentrank(arr, x, significance, True)


def f_rank_avg(value, ref, order=0.0):
    """RANK.AVG(number, ref, [order]): the rank among ref's numbers, ties sharing their mean rank; absent #N/A."""
    x = num(value)
    vals = values_of((as_2d(ref),))
    if x not in vals:
        raise ExcelError(NA)
    ties = sum(1 for v in vals if v == x)
    if num(order) == 0:
        first = 1 + sum(1 for v in vals if v > x)
    else:
        first = 1 + sum(1 for v in vals if v < x)
    return first + (ties - 1) / 2


def _pairs(ys, xs) -> tuple[list[float], list[float]]:
    """Paired numbers of two ranges of one size (#N/A otherwise): a pair counts when both are numbers."""
    a, b = flat(as_2d(ys)), flat(as_2d(xs))
    if len(a) != len(b):
        raise ExcelError(NA)
    out_y, out_x = [], []
    for u, v in zip(a, b):
        if isinstance(u, CellError):
            raise ExcelError(u)
        if isinstance(v, CellError):
            raise ExcelError(v)
        if _is_num(u) and _is_num(v):
            out_y.append(float(u))
            out_x.append(float(v))
    return out_y, out_x


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _moments(ys, xs):
    y, x = _pairs(ys, xs)
    n = len(y)
    if n == 0:
        raise ExcelError(DIV0)
    my, mx = plain_sum(y) / n, plain_sum(x) / n
    sxy = plain_sum((a - my) * (b - mx) for a, b in zip(y, x))
    sxx = plain_sum((b - mx) ** 2 for b in x)
    syy = plain_sum((a - my) ** 2 for a in y)
    return n, my, mx, sxy, sxx, syy


def f_correl(a, b):
    """CORREL(array1, array2) and PEARSON: the correlation coefficient; sizes differ #N/A; no spread #DIV/0!."""
    n, _, _, sxy, sxx, syy = _moments(a, b)
    if sxx == 0 or syy == 0:
        raise ExcelError(DIV0)
    return check(sxy / math.sqrt(sxx * syy))


def f_covariance_p(a, b):
    """COVAR(array1, array2) and COVARIANCE.P: the population covariance; no pairs #DIV/0!."""
    n, _, _, sxy, _, _ = _moments(a, b)
    return check(sxy / n)


def f_covariance_s(a, b):
    """COVARIANCE.S(array1, array2): the sample covariance; fewer than two pairs #DIV/0!."""
    n, _, _, sxy, _, _ = _moments(a, b)
    if n < 2:
        raise ExcelError(DIV0)
    return check(sxy / (n - 1))


def f_slope(ys, xs):
    """SLOPE(known_y's, known_x's): the least-squares slope; sizes differ #N/A; no x spread #DIV/0!."""
    n, _, _, sxy, sxx, _ = _moments(ys, xs)
    if sxx == 0:
        raise ExcelError(DIV0)
    return check(sxy / sxx)


def f_intercept(ys, xs):
    """INTERCEPT(known_y's, known_x's): where the least-squares line crosses x = 0."""
    n, my, mx, sxy, sxx, _ = _moments(ys, xs)
    if sxx == 0:
        raise ExcelError(DIV0)
    return check(my - sxy / sxx * mx)


def f_rsq(ys, xs):
    """RSQ(known_y's, known_x's): the square of the correlation coefficient."""
    r = f_correl(ys, xs)
    return check(r * r)


def f_steyx(ys, xs):
    """STEYX(known_y's, known_x's): the standard error of the predicted y; fewer than three pairs #DIV/0!."""
    n, _, _, sxy, sxx, syy = _moments(ys, xs)
    if n < 3 or sxx == 0:
        raise ExcelError(DIV0)
    return check(math.sqrt(max(0.0, (syy - sxy * sxy / sxx) / (n - 2))))


def f_forecast(x, ys, xs):
    """FORECAST(x, known_y's, known_x's) and FORECAST.LINEAR: the least-squares line at x."""
    v = num(x)
    n, my, mx, sxy, sxx, _ = _moments(ys, xs)
    if sxx == 0:
        raise ExcelError(DIV0)
    b = sxy / sxx
    return check(my - b * mx + b * v)


def f_standardize(x, mean, sd):
    """STANDARDIZE(x, mean, standard_dev): (x − mean)/sd; sd ≤ 0 #NUM!."""
    s = num(sd)
    if s <= 0:
        raise ExcelError(NUM)
    return check((num(x) - num(mean)) / s)


def f_frequency(data, bins):
    """FREQUENCY(data_array, bins_array): how many numbers fall in each bin (above the previous bin, up
    to this one) and above the last, as a column one longer than the bins."""
    vals = values_of((as_2d(data),))
    edges = values_of((as_2d(bins),))
    order = sorted(range(len(edges)), key=lambda i: edges[i])
    counts = [0] * (len(edges) + 1)
    for v in vals:
        for i in order:
            if v <= edges[i]:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
    out = np.empty((len(counts), 1), dtype=object)
    out[:, 0] = [float(c) for c in counts]
    return out


def f_prob(xs, ps, lower, upper=None):
    """PROB(x_range, prob_range, lower_limit, [upper_limit]): the probability of x between the limits (or
    equal to lower); probabilities outside 0…1 or not summing to 1 #NUM!; sizes differ #N/A."""
    x, p = _pairs(xs, ps)
    if any(q < 0 or q > 1 for q in p):
        raise ExcelError(NUM)
    total = plain_sum(p)
    if abs(total - 1) > 1e-12:
        if abs(total - 1) < 1e-6:
            raise Unsupported("PROB: probabilities summing to 1 within rounding")
        raise ExcelError(NUM)
    lo = num(lower)
    hi = lo if upper is None or scalar(upper) is None else num(upper)
    return check(plain_sum(q for v, q in zip(x, p) if lo <= v <= hi))


# ------------------------------------------------------------------------------- regression arrays


def _numeric_matrix(v) -> np.ndarray:
    """A range of numbers as a float matrix; a non-number is #VALUE! (an error value its own)."""
    a = as_2d(v)
    out = np.empty(a.shape, dtype=float)
    for (r, c), x in np.ndenumerate(a):
        if isinstance(x, CellError):
            raise ExcelError(x)
        if not _is_num(x):
            raise ExcelError(VALUE)
        out[r, c] = float(x)
    return out


def _design(known_y, known_x):
    """The observations y (a vector) and the variables X (n × k) as LINEST reads them: a column of
    y takes x's columns as variables, a row of y x's rows; x omitted is 1, 2, 3…"""
    y2 = _numeric_matrix(known_y)
    if y2.shape[0] != 1 and y2.shape[1] != 1:
        raise Unsupported("LINEST of a two-dimensional known_y's")
    by_rows = y2.shape[0] == 1 and y2.shape[1] > 1
    y = y2.reshape(-1)
    n = y.size
    if known_x is None or (not is_array(known_x) and scalar(known_x) is None):
        return y, np.arange(1, n + 1, dtype=float).reshape(n, 1), by_rows
    x2 = _numeric_matrix(known_x)
    if x2.shape == y2.shape:
        return y, x2.reshape(n, 1), by_rows
    if not by_rows and x2.shape[0] == n:
        return y, x2, by_rows
    if by_rows and x2.shape[1] == n:
        return y, x2.T, by_rows
    raise ExcelError(REF)


def _fit(y: np.ndarray, x: np.ndarray, const: bool):
    n, k = x.shape
    design = np.hstack([x, np.ones((n, 1))]) if const else x
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise Unsupported("LINEST with collinear variables (Excel drops some, not guessed here)")
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design, coef


def _linest(known_y, known_x, const, stats, log: bool):
    y, x, _ = _design(known_y, known_x)
    if log:
        if np.any(y <= 0):
            raise ExcelError(NUM)
        y = np.log(y)
    c = True if const is None or scalar(const) is None else to_bool(scalar(const))
    st = False if stats is None or scalar(stats) is None else to_bool(scalar(stats))
    design, coef = _fit(y, x, c)
    n, k = x.shape
    m = coef[:k][::-1]
    b = coef[k] if c else 0.0
    first = [*(np.exp(m) if log else m), (math.exp(b) if log else b)]
    if not st:
        out = np.empty((1, k + 1), dtype=object)
        out[0, :] = [float(v) for v in first]
        return out
    df = n - k - (1 if c else 0)
    if df <= 0:
        raise Unsupported("LINEST statistics without degrees of freedom")
    resid = y - design @ coef
    ssresid = float(np.sum(resid**2))
    sstotal = float(np.sum((y - y.mean()) ** 2)) if c else float(np.sum(y**2))
    ssreg = sstotal - ssresid
    sey = math.sqrt(ssresid / df)
    cov = np.linalg.inv(design.T @ design) * sey**2
    se = np.sqrt(np.diag(cov))
    out = np.full((5, k + 1), NA, dtype=object)
    out[0, :] = [float(v) for v in first]
    out[1, :k] = [float(v) for v in se[:k][::-1]]
    out[1, k] = float(se[k]) if c else NA
    out[2, 0] = ssreg / sstotal if sstotal else 1.0
    out[2, 1] = sey
    out[3, 0] = (ssreg / k) / (ssresid / df) if ssresid else NUM
    out[3, 1] = float(df)
    out[4, 0] = ssreg
    out[4, 1] = ssresid
    return out


def f_linest(known_y, known_x=None, const=None, stats=None):
    """LINEST(known_y's, [known_x's], [const], [stats]): least-squares coefficients m_k … m_1, b (and with
    stats their standard errors, r², the standard error of y, F, the degrees of freedom, the
    regression and residual sums of squares); non-numbers #VALUE!, collinear variables not guessed."""
    return _linest(known_y, known_x, const, stats, False)


def f_logest(known_y, known_x=None, const=None, stats=None):
    """LOGEST(known_y's, [known_x's], [const], [stats]): y = b·m1^x1…: LINEST of ln y, coefficients
    exponentiated (the statistics stay those of the fit of ln y); a y ≤ 0 #NUM!."""
    return _linest(known_y, known_x, const, stats, True)


def _trend(known_y, known_x, new_x, const, log: bool):
    y, x, by_rows = _design(known_y, known_x)
    if log:
        if np.any(y <= 0):
            raise ExcelError(NUM)
        y = np.log(y)
    c = True if const is None or scalar(const) is None else to_bool(scalar(const))
    _, coef = _fit(y, x, c)
    k = x.shape[1]
    if new_x is None or (not is_array(new_x) and scalar(new_x) is None):
        pts = x  # the known x's: the fit at each observation, in known_y's shape
        shape = as_2d(known_y).shape
    else:
        nx = _numeric_matrix(new_x)
        if k == 1:
            pts, shape = nx.reshape(-1, 1), nx.shape
        elif not by_rows and nx.shape[1] == k:
            pts, shape = nx, (nx.shape[0], 1)
        elif by_rows and nx.shape[0] == k:
            pts, shape = nx.T, (1, nx.shape[1])
        else:
            raise ExcelError(REF)
    fitted = pts @ coef[:k] + (coef[k] if c else 0.0)
    if log:
        fitted = np.exp(fitted)
    out = np.empty(shape, dtype=object)
    out[:, :] = np.asarray(fitted, dtype=float).reshape(shape).tolist()
    return out


def f_trend(known_y, known_x=None, new_x=None, const=None):
    """TREND(known_y's, [known_x's], [new_x's], [const]): the least-squares fit (LINEST) at new_x's
    (known_x's when omitted), in new_x's shape."""
    return _trend(known_y, known_x, new_x, const, False)


def f_growth(known_y, known_x=None, new_x=None, const=None):
    """GROWTH(known_y's, [known_x's], [new_x's], [const]): the exponential fit (LOGEST) at new_x's; a y ≤ 0 #NUM!."""
    return _trend(known_y, known_x, new_x, const, True)


def _ifs_numbers(target, pairs) -> list[float]:
    if len(pairs) % 2 or not pairs:
        raise ExcelError(VALUE)
    t = as_2d(target)
    mask = criteria_mask(zip(pairs[::2], pairs[1::2]))
    if mask.shape != t.shape:
        raise ExcelError(VALUE)
    out = []
    for v, keep in zip(t.reshape(-1).tolist(), mask.reshape(-1).tolist()):
        if not keep:
            continue
        if isinstance(v, CellError):
            raise ExcelError(v)
        if _is_num(v):
            out.append(float(v))
    return out


def f_maxifs(target, *pairs):
    """MAXIFS(max_range, criteria_range1, criteria1, …): the largest number where every criterion holds;
    none 0; ranges of different shapes #VALUE!."""
    vals = _ifs_numbers(target, pairs)
    return _largest(vals)


def f_minifs(target, *pairs):
    """MINIFS(min_range, criteria_range1, criteria1, …): the smallest number where every criterion holds; none 0."""
    vals = _ifs_numbers(target, pairs)
    return _smallest(vals)


def f_trimmean(arr, percent):
    """TRIMMEAN(array, percent): the mean without the lowest and highest share of the numbers, the count
    left out rounded down to an even number; percent outside 0…1 (1 excluded) or no numbers #NUM!."""
    vals = sorted(values_of((as_2d(arr),)))
    p = num(percent)
    if not vals or p < 0 or p >= 1:
        raise ExcelError(NUM)
    cut = int(math.floor(len(vals) * p / 2))
    kept = vals[cut : len(vals) - cut]
    return check(plain_sum(kept) / len(kept))


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "AVERAGE": builtin(f_average, 1, 255, errors_ok=True),
    "MIN": builtin(f_min, 1, 255, errors_ok=True),
    "MAX": builtin(f_max, 1, 255, errors_ok=True),
    "COUNT": builtin(f_count, 1, 255, errors_ok=True),
    "COUNTA": builtin(f_counta, 1, 255, errors_ok=True),
    "COUNTBLANK": builtin(f_countblank, 1),
    "COUNTIF": builtin(f_countif, 2, errors_ok=True),  # an error value as criterion counts that error
    "COUNTIFS": builtin(f_countifs, 2, 255, errors_ok=True),
    "AVERAGEIF": builtin(f_averageif, 2, 3),
    "AVERAGEIFS": builtin(f_averageifs, 3, 255),
    "RANK": builtin(f_rank, 2, 3),
    "RANK.EQ": builtin(f_rank, 2, 3),
    "LARGE": builtin(f_large, 2),
    "SMALL": builtin(f_small, 2),
    "AVERAGEA": builtin(f_averagea, 1, 255, errors_ok=True),
    "MAXA": builtin(f_maxa, 1, 255, errors_ok=True),
    "MINA": builtin(f_mina, 1, 255, errors_ok=True),
    "MEDIAN": builtin(f_median, 1, 255, errors_ok=True),
    "MODE": builtin(f_mode, 1, 255, errors_ok=True),
    "MODE.SNGL": builtin(f_mode, 1, 255, errors_ok=True),
    "MODE.MULT": builtin(f_mode_mult, 1, 255, errors_ok=True),
    "VAR": builtin(f_var, 1, 255, errors_ok=True),
    "VAR.S": builtin(f_var, 1, 255, errors_ok=True),
    "VARP": builtin(f_varp, 1, 255, errors_ok=True),
    "VAR.P": builtin(f_varp, 1, 255, errors_ok=True),
    "VARA": builtin(f_vara, 1, 255, errors_ok=True),
    "VARPA": builtin(f_varpa, 1, 255, errors_ok=True),
    "STDEV": builtin(f_stdev, 1, 255, errors_ok=True),
    "STDEV.S": builtin(f_stdev, 1, 255, errors_ok=True),
    "STDEVP": builtin(f_stdevp, 1, 255, errors_ok=True),
    "STDEV.P": builtin(f_stdevp, 1, 255, errors_ok=True),
    "STDEVA": builtin(f_stdeva, 1, 255, errors_ok=True),
    "STDEVPA": builtin(f_stdevpa, 1, 255, errors_ok=True),
    "AVEDEV": builtin(f_avedev, 1, 255, errors_ok=True),
    "DEVSQ": builtin(f_devsq, 1, 255, errors_ok=True),
    "GEOMEAN": builtin(f_geomean, 1, 255, errors_ok=True),
    "HARMEAN": builtin(f_harmean, 1, 255, errors_ok=True),
    "KURT": builtin(f_kurt, 1, 255, errors_ok=True),
    "SKEW": builtin(f_skew, 1, 255, errors_ok=True),
    "SKEW.P": builtin(f_skew_p, 1, 255, errors_ok=True),
    "PERCENTILE": builtin(f_percentile, 2),
    "PERCENTILE.INC": builtin(f_percentile, 2),
    "PERCENTILE.EXC": builtin(f_percentile_exc, 2),
    "QUARTILE": builtin(f_quartile, 2),
    "QUARTILE.INC": builtin(f_quartile, 2),
    "QUARTILE.EXC": builtin(f_quartile_exc, 2),
    "PERCENTRANK": builtin(f_percentrank, 2, 3),
    "PERCENTRANK.INC": builtin(f_percentrank, 2, 3),
    "PERCENTRANK.EXC": builtin(f_percentrank_exc, 2, 3),
    "RANK.AVG": builtin(f_rank_avg, 2, 3),
    "CORREL": builtin(f_correl, 2),
    "PEARSON": builtin(f_correl, 2),
    "COVAR": builtin(f_covariance_p, 2),
    "COVARIANCE.P": builtin(f_covariance_p, 2),
    "COVARIANCE.S": builtin(f_covariance_s, 2),
    "SLOPE": builtin(f_slope, 2),
    "INTERCEPT": builtin(f_intercept, 2),
    "RSQ": builtin(f_rsq, 2),
    "STEYX": builtin(f_steyx, 2),
    "FORECAST": builtin(f_forecast, 3),
    "FORECAST.LINEAR": builtin(f_forecast, 3),
    "STANDARDIZE": builtin(f_standardize, 3),
    "FREQUENCY": builtin(f_frequency, 2),
    "PROB": builtin(f_prob, 3, 4),
    "LINEST": builtin(f_linest, 1, 4),
    "LOGEST": builtin(f_logest, 1, 4),
    "TREND": builtin(f_trend, 1, 4),
    "GROWTH": builtin(f_growth, 1, 4),
    "MAXIFS": builtin(f_maxifs, 3, 255),
    "MINIFS": builtin(f_minifs, 3, 255),
    "TRIMMEAN": builtin(f_trimmean, 2),
}
