"""Excel's Math & Trig functions: SUM, SUMIF(S), SUMPRODUCT, ROUND and its kin, INT, ABS, MOD,
POWER, SQRT, CEILING/FLOOR (and .MATH, .PRECISE), SIN, COS, TAN, EXP, LN, LOG10, PI, SIGN.

ROUND rounds as Excel: to 15 significant digits first, then half away from zero
(:func:`excel_round`, the one implementation; :func:`round_vector` is the same rule over arrays).
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    DIV0,
    NUM,
    VALUE,
    ExcelError,
    as_2d,
    check,
    criteria_mask,
    num,
    values_of,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def f_sum(*args):
    """SUM(number1, …): numbers in ranges, typed arguments coerced; an error among them is the result."""
    return check(math.fsum(values_of(args)))


def f_sumproduct(*arrays):
    """SUMPRODUCT(array1, …): the sum of the element-wise products; arrays of one shape, text counts 0."""
    mats = [as_2d(a) for a in arrays]
    shape = mats[0].shape
    if any(m.shape != shape for m in mats):
        raise ExcelError(VALUE)
    total = np.ones(shape, dtype=float)
    for m in mats:
        for v in m.reshape(-1).tolist():
            if isinstance(v, CellError):
                raise ExcelError(v)
        f = np.array(
            [
                float(v) if isinstance(v, (float, int)) and not isinstance(v, bool) else 0.0
                for v in m.reshape(-1).tolist()
            ],
            dtype=float,
        ).reshape(shape)
        total = total * f
    return check(math.fsum(total.reshape(-1).tolist()))


def sum_where(values: np.ndarray, mask: np.ndarray, average: bool = False):
    """The SUMIF/AVERAGEIF sum (or average) of ``values`` where ``mask``; the sum range resized to the mask."""
    vals = as_2d(values)
    if vals.shape != mask.shape:  # Excel resizes the sum range to the criteria range
        vals = vals[: mask.shape[0], : mask.shape[1]]
        if vals.shape != mask.shape:
            raise ExcelError(VALUE)
    picked = []
    for v, m in zip(vals.reshape(-1).tolist(), mask.reshape(-1).tolist()):
        if m:
            if isinstance(v, CellError):
                raise ExcelError(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                picked.append(float(v))
    if average:
        if not picked:
            raise ExcelError(DIV0)
        return math.fsum(picked) / len(picked)
    return math.fsum(picked)


def f_sumif(rng, crit, sum_range=None):
    """SUMIF(range, criterion, [sum_range]): the sum of the cells whose range cell meets the criterion."""
    mask = criteria_mask([(rng, crit)])
    return sum_where(rng if sum_range is None else sum_range, mask)


def f_sumifs(sum_range, *pairs):
    """SUMIFS(sum_range, range1, criterion1, …): the sum where every criterion holds."""
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return sum_where(sum_range, criteria_mask(zip(pairs[::2], pairs[1::2])))


def excel_round(x: float, digits: int = 0, mode=ROUND_HALF_UP) -> float:
    """Excel's ROUND: the number to 15 significant digits, then half away from zero."""
    x = check(float(x))
    if x == 0:
        return 0.0
    d = Decimal(f"{x:.15g}")
    q = Decimal(1).scaleb(-digits)
    try:
        return float(d.quantize(q, rounding=mode))
    except Exception:  # quantize beyond the precision: nothing to round
        return float(d)


_DECIMAL_MODE = {"half": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}


def round_vector(x: np.ndarray, digits: int, mode: str = "half") -> np.ndarray:
    """Excel's ROUND (``mode`` "half"), ROUNDUP ("up") and ROUNDDOWN ("down") over a float array,
    for the evaluator's vectorised batches: exactly :func:`excel_round`, element by element.

    The fast path scales by ``10**digits`` in floats, keeps 15 significant digits and rounds. Its
    float errors are a few units in the 15th digit, so it can differ from the decimal rule only
    where the scaled value lies within that distance of a rounding boundary (a half for ROUND, an
    integer for ROUNDUP/ROUNDDOWN), or where the scaling is inexact (``|digits| > 22``, values of
    2**52 and more, below 1e-290). Those elements, few in practice (1.005, 2.675…), are computed by
    :func:`excel_round` itself; every other one rounds to the same integer ``r``, and ``r / 10**digits``
    is then the correctly rounded float, as ``float(Decimal)`` is. Non-finite inputs stay NaN.
    """
    y = x * 10.0**digits
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mag = np.floor(np.log10(np.abs(y)))
        mag = np.where(np.isfinite(mag), mag, 0.0)
        e = 14.0 - mag
        scale = 10.0 ** np.abs(e)
        y15 = np.where(e >= 0, np.round(y * scale) / scale, np.round(y / scale) * scale)
    a = np.abs(y15)
    if mode == "half":
        r = np.floor(a + 0.5)
        gap = np.abs(a - np.floor(a) - 0.5)
    elif mode == "up":
        r = np.ceil(a)
        gap = np.minimum(a - np.floor(a), np.ceil(a) - a)
    else:
        r = np.floor(a)
        gap = np.minimum(a - np.floor(a), np.ceil(a) - a)
    r = np.sign(y15) * r
    with np.errstate(invalid="ignore", over="ignore"):
        out = r / 10.0**digits if digits >= 0 else r * 10.0 ** (-digits)
        doubtful = ~(gap > 1e-9 * np.maximum(a, 1.0)) | ~(a < 2.0**52) | ~np.isfinite(out)
    doubtful &= np.isfinite(x)
    if abs(digits) > 22:
        doubtful = np.isfinite(x)
    if doubtful.any():
        rounding = _DECIMAL_MODE[mode]
        out = np.array(out, dtype=float)
        out[doubtful] = [excel_round(v, digits, rounding) for v in x[doubtful].tolist()]
    return out


def f_round(x, digits):
    """ROUND(number, digits): Excel's ROUND (:func:`excel_round`)."""
    return excel_round(num(x), int(math.trunc(num(digits))))


def f_roundup(x, digits):
    """ROUNDUP(number, digits): away from zero, after the 15-significant-digit step."""
    return excel_round(num(x), int(math.trunc(num(digits))), ROUND_UP)


def f_rounddown(x, digits):
    """ROUNDDOWN(number, digits): towards zero, after the 15-significant-digit step."""
    return excel_round(num(x), int(math.trunc(num(digits))), ROUND_DOWN)


def f_int(x):
    """INT(number): rounded down to an integer (INT(-1.5) is -2)."""
    return float(math.floor(num(x)))


def f_abs(x):
    """ABS(number): the absolute value."""
    return abs(num(x))


def f_mod(a, b):
    """MOD(number, divisor): the remainder with the divisor's sign; #DIV/0! for a zero divisor."""
    a, b = num(a), num(b)
    if b == 0:
        raise ExcelError(DIV0)
    return check(a - b * math.floor(a / b))


def f_power(a, b):
    """POWER(number, power): number^power; #DIV/0! for 0 to a negative power, #NUM! for no real result."""
    try:
        return check(float(num(a) ** num(b)))
    except (ZeroDivisionError, OverflowError):
        raise ExcelError(DIV0 if num(a) == 0 else NUM) from None


def f_sqrt(x):
    """SQRT(number): the square root; #NUM! for a negative number."""
    x = num(x)
    if x < 0:
        raise ExcelError(NUM)
    return math.sqrt(x)


def _ceil_floor(x, sig, up: bool):
    x = num(x)
    sig = num(sig)
    if sig == 0:
        return 0.0
    if x > 0 and sig < 0:
        raise ExcelError(NUM)
    q = x / sig
    q = float(f"{q:.15g}")
    n = math.ceil(q) if up else math.floor(q)
    return check(float(Decimal(f"{n}") * Decimal(f"{sig:.15g}")))


def f_ceiling(x, sig=1.0):
    """CEILING(number, [significance]): up to a multiple (ceil(number/significance)·significance); #NUM! for
    a positive number with a negative significance."""
    return _ceil_floor(x, sig, True)


def f_floor(x, sig=1.0):
    """FLOOR(number, [significance]): down to a multiple (floor(number/significance)·significance); #NUM! for
    a positive number with a negative significance."""
    return _ceil_floor(x, sig, False)


def _ceil_floor_math(x, sig=None, mode=None, up=True):
    x = num(x)
    s = abs(num(sig)) if sig is not None else 1.0
    if s == 0:
        return 0.0
    q = float(f"{x / s:.15g}")
    away = mode is not None and num(mode) != 0 and x < 0
    if up:
        n = math.floor(q) if away else math.ceil(q)
    else:
        n = math.ceil(q) if away else math.floor(q)
    return float(Decimal(f"{n}") * Decimal(f"{s:.15g}"))


def f_ceiling_math(x, sig=None, mode=None):
    """CEILING.MATH(number, [significance], [mode]): up to a multiple; negatives towards zero unless mode."""
    return _ceil_floor_math(x, sig, mode, True)


def f_floor_math(x, sig=None, mode=None):
    """FLOOR.MATH(number, [significance], [mode]): down to a multiple; negatives away from zero unless mode."""
    return _ceil_floor_math(x, sig, mode, False)


def _math1(fn):
    def call(x):
        try:
            return check(fn(num(x)))
        except (ValueError, OverflowError):
            raise ExcelError(NUM) from None

    return call


def f_sign(x):
    """SIGN(number): 1, 0 or -1."""
    v = num(x)
    return float((v > 0) - (v < 0))


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "SUM": builtin(f_sum, 1, 255),
    "SUMPRODUCT": builtin(f_sumproduct, 1, 255),
    "SUMIF": builtin(f_sumif, 2, 3),
    "SUMIFS": builtin(f_sumifs, 3, 255),
    "ROUND": builtin(f_round, 2),
    "ROUNDUP": builtin(f_roundup, 2),
    "ROUNDDOWN": builtin(f_rounddown, 2),
    "INT": builtin(f_int, 1),
    "ABS": builtin(f_abs, 1),
    "MOD": builtin(f_mod, 2),
    "POWER": builtin(f_power, 2),
    "SQRT": builtin(f_sqrt, 1),
    "CEILING": builtin(f_ceiling, 1, 2),
    "FLOOR": builtin(f_floor, 1, 2),
    "CEILING.MATH": builtin(f_ceiling_math, 1, 3),
    "FLOOR.MATH": builtin(f_floor_math, 1, 3),
    "CEILING.PRECISE": builtin(lambda x, s=None: f_ceiling_math(x, s), 1, 2),
    "FLOOR.PRECISE": builtin(lambda x, s=None: f_floor_math(x, s), 1, 2),
    "SIN": builtin(_math1(math.sin), 1),
    "COS": builtin(_math1(math.cos), 1),
    "TAN": builtin(_math1(math.tan), 1),
    "EXP": builtin(_math1(math.exp), 1),
    "LN": builtin(_math1(math.log), 1),
    "LOG10": builtin(_math1(math.log10), 1),
    "PI": builtin(lambda: math.pi, 0),
    "SIGN": builtin(f_sign, 1),
}
