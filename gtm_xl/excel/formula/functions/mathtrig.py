"""Excel's Math & Trig functions: SUM, SUMIF(S), SUMPRODUCT, ROUND and its kin, INT, ABS, MOD,
POWER, SQRT, CEILING/FLOOR (and .MATH, .PRECISE), SIN, COS, TAN, EXP, LN, LOG10, PI, SIGN.

ROUND rounds as Excel: to 15 significant digits first, then half away from zero
(:func:`excel_round`, the one implementation; :func:`round_vector` is the same rule over arrays).
"""

from __future__ import annotations

import math
import random
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    CALC,
    DIV0,
    NA,
    NUM,
    VALUE,
    ExcelError,
    Unsupported,
    as_2d,
    check,
    criteria_mask,
    num,
    scalar,
    to_text,
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
    if shape == (1, 1) and any(isinstance(m[0, 0], str) for m in mats):
        # Excel answers #VALUE! for text in a one-cell argument where its documentation says text counts 0
        raise Unsupported("SUMPRODUCT of one-cell arguments holding text")
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
    """POWER(number, power): number^power; #DIV/0! for 0 to a negative power, #NUM! for POWER(0, 0) and for
    no real result."""
    if num(a) == 0 and num(b) == 0:
        raise ExcelError(NUM)
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
        if up:
            return 0.0  # CEILING(x, 0) is 0
        if x == 0:
            return 0.0  # FLOOR(0, 0) is 0 in Excel (a workbook Excel computed: POI's FormulaEvalTestData)
        raise ExcelError(DIV0)  # FLOOR(x, 0) divides by the significance
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
    a positive number with a negative significance, #DIV/0! for a zero significance (0 for FLOOR(0, 0))."""
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

    call.__doc__ = fn.__doc__
    return call


TRIG_LIMIT = 2.0**27
"""Excel's SIN, COS, TAN (and SEC, CSC, COT) return #NUM! for an angle of 2^27 radians or more in size."""


def _trig(fn):
    def call(x):
        v = num(x)
        if abs(v) >= TRIG_LIMIT:
            raise ExcelError(NUM)
        return check(fn(v))

    return call


def f_sign(x):
    """SIGN(number): 1, 0 or -1."""
    v = num(x)
    return float((v > 0) - (v < 0))


# -- trigonometry, hyperbolics, logarithms ------------------------------------------------------------------


def _in_domain(fn, ok, err=NUM):
    """A one-argument function with Excel's domain check ``ok`` (outside it, the error ``err``)."""

    def call(x):
        v = num(x)
        if not ok(v):
            raise ExcelError(err)
        try:
            return check(fn(v))
        except (ValueError, OverflowError):
            raise ExcelError(NUM) from None

    return call


def f_radians(x):
    """RADIANS(angle): degrees to radians (angle·π/180)."""
    return num(x) * math.pi / 180.0


def f_degrees(x):
    """DEGREES(angle): radians to degrees (angle·180/π)."""
    return check(num(x) * 180.0 / math.pi)


def f_atan2(x, y):
    """ATAN2(x_num, y_num): the angle of the point (x, y) in (-π, π]; #DIV/0! for (0, 0). Note Excel's order:
    x first (Python's atan2 takes y first)."""
    a, b = num(x), num(y)
    if a == 0 and b == 0:
        raise ExcelError(DIV0)
    return math.atan2(b, a)


def _reciprocal_trig(fn):
    """SEC, CSC, COT: 1/fn(x); #NUM! for |x| ≥ 2^27, #DIV/0! where fn(x) is 0."""

    def call(x):
        v = num(x)
        if abs(v) >= TRIG_LIMIT:
            raise ExcelError(NUM)
        d = fn(v)
        if d == 0:
            raise ExcelError(DIV0)
        return check(1.0 / d)

    return call


def _reciprocal_hyp(fn):
    """SECH, CSCH, COTH: 1/fn(x); #DIV/0! where fn(x) is 0, #NUM! beyond Excel's 2^27 limit."""

    def call(x):
        v = num(x)
        if abs(v) >= TRIG_LIMIT:
            raise ExcelError(NUM)
        try:
            d = fn(v)
        except OverflowError:
            return 0.0  # 1/∞
        if d == 0:
            raise ExcelError(DIV0)
        return check(1.0 / d)

    return call


def f_acot(x):
    """ACOT(number): the arccotangent in (0, π) (π/2 − ATAN(number))."""
    return math.pi / 2 - math.atan(num(x))


def f_acoth(x):
    """ACOTH(number): the inverse hyperbolic cotangent; #NUM! for |number| ≤ 1."""
    v = num(x)
    if abs(v) <= 1:
        raise ExcelError(NUM)
    return 0.5 * math.log((v + 1) / (v - 1))


def f_log(x, base=None):
    """LOG(number, [base]): the logarithm (base 10 by default); #NUM! for number ≤ 0 or base ≤ 0, #DIV/0! for
    base 1."""
    v = num(x)
    b = 10.0 if base is None else num(base)
    if v <= 0 or b <= 0:
        raise ExcelError(NUM)
    if b == 1:
        raise ExcelError(DIV0)
    if b == 10:
        return math.log10(v)
    return check(math.log10(v) / math.log10(b))


def f_sqrtpi(x):
    """SQRTPI(number): √(number·π); #NUM! for a negative number."""
    v = num(x)
    if v < 0:
        raise ExcelError(NUM)
    return math.sqrt(v * math.pi)


# -- integers and rounding -------------------------------------------------------------------------------------


def near_integer(v: float) -> bool:
    """True for a number that is not whole but within float noise of a whole number (2.9999999999999996, the
    result of 0.3/0.1): whether Excel truncates it or first snaps it to 15 digits is not documented, so the
    functions that truncate or test wholeness report such an argument unsupported rather than guess."""
    r = round(v)
    return v != r and abs(v - r) <= 1e-13 * max(1.0, abs(v))


def truncated(v: float) -> int:
    """A number truncated to an integer (Excel truncates counts and sizes); #NUM! from 2^53 on, unsupported
    within float noise of a whole number (:func:`near_integer`) and between -1 and 0 (whether the sign is
    checked before truncating is not documented)."""
    if abs(v) >= 2.0**53:
        raise ExcelError(NUM)
    if near_integer(v):
        raise Unsupported("an argument within float noise of a whole number")
    if -1 < v < 0:  # truncated it is 0, but is it checked as negative first? Not documented
        raise Unsupported("a negative fraction where a whole number is wanted")
    return int(math.trunc(v))


def _int_arg(x) -> int:
    """A numeric argument truncated to an integer (:func:`truncated`)."""
    return truncated(num(x))


def f_fact(x):
    """FACT(number): number! of the number truncated; #NUM! for a negative number (and above 170!)."""
    n = _int_arg(x)
    if n < 0 or n > 170:
        raise ExcelError(NUM)
    return float(math.factorial(n))


def f_factdouble(x):
    """FACTDOUBLE(number): number·(number−2)·…; 0!! = 1; #NUM! for a negative number (the documented rule;
    FACTDOUBLE(-1), which Excel answers 1 by the recurrence, is left unsupported)."""
    n = _int_arg(x)
    if n == -1:
        raise Unsupported("FACTDOUBLE(-1)")
    if n < 0 or n > 300:
        raise ExcelError(NUM)
    out = 1
    for k in range(n, 1, -2):
        out *= k
    return check(float(out))


def f_combin(n, k):
    """COMBIN(number, number_chosen): the combinations, both truncated; #NUM! for a negative argument or
    number < number_chosen."""
    a, b = _int_arg(n), _int_arg(k)
    if a < 0 or b < 0 or a < b:
        raise ExcelError(NUM)
    return check(float(math.comb(a, b)))


def f_combina(n, k):
    """COMBINA(number, number_chosen): the combinations with repetitions, COMBIN(number+chosen−1, chosen);
    #NUM! for a negative argument or number < number_chosen (Microsoft: number "must be greater than or equal
    to 0, and greater than or equal to Number_chosen")."""
    a, b = _int_arg(n), _int_arg(k)
    if a < 0 or b < 0 or a < b:
        raise ExcelError(NUM)
    if a == 0 and b == 0:
        return 1.0
    if a == 0:
        return 0.0
    return check(float(math.comb(a + b - 1, b)))


def f_permut(n, k):
    """PERMUT(number, number_chosen): the permutations, both truncated; #NUM! for number ≤ 0, a negative
    number_chosen or number < number_chosen."""
    a, b = _int_arg(n), _int_arg(k)
    if a <= 0 or b < 0 or a < b:
        raise ExcelError(NUM)
    return check(float(math.perm(a, b)))


def f_permutationa(n, k):
    """PERMUTATIONA(number, number_chosen): permutations with repetitions, number^number_chosen; #NUM! for a
    negative argument."""
    a, b = _int_arg(n), _int_arg(k)
    if a < 0 or b < 0:
        raise ExcelError(NUM)
    return check(float(a) ** b)


def _integers(args, name: str) -> list[int]:
    """GCD/LCM/MULTINOMIAL arguments: numbers (ranges: numbers only; text or a logical in a range is not
    documented, so unsupported), truncated; #NUM! for a negative one or one of 2^53 or more."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            for v in a.reshape(-1).tolist():
                if isinstance(v, CellError):
                    raise ExcelError(v)
                if v is None:
                    continue
                if isinstance(v, (bool, str)):
                    raise Unsupported(f"{name} of a range holding text or a logical")
                out.append(float(v))
        else:
            if isinstance(a, bool):
                raise Unsupported(f"{name} of a logical")
            out.append(num(a))
    ints = []
    for v in out:
        n = truncated(v)  # a negative fraction: unsupported
        if n < 0:
            raise ExcelError(NUM)
        ints.append(n)
    return ints


def f_gcd(*args):
    """GCD(number1, …): the greatest common divisor of the truncated numbers; #NUM! for a negative one."""
    return float(math.gcd(*_integers(args, "GCD")))


def f_lcm(*args):
    """LCM(number1, …): the least common multiple of the truncated numbers (0 if one is 0); #NUM! for a
    negative one."""
    ints = _integers(args, "LCM")
    if any(i == 0 for i in ints):
        return 0.0
    return check(float(math.lcm(*ints)))


def f_multinomial(*args):
    """MULTINOMIAL(number1, …): (Σn)! / Πn!, the numbers truncated; #NUM! for a negative one."""
    ints = _integers(args, "MULTINOMIAL")
    if sum(ints) > 170:
        raise Unsupported("MULTINOMIAL beyond 170! (whether Excel overflows is not documented)")
    out = math.factorial(sum(ints))
    for i in ints:
        out //= math.factorial(i)
    return check(float(out))


def f_even(x):
    """EVEN(number): away from zero to the nearest even integer (EVEN(-1) is -2, EVEN(0) is 0)."""
    v = num(x)
    if near_integer(v):
        raise Unsupported("EVEN within float noise of a whole number")
    n = math.ceil(abs(v) / 2) * 2
    return float(-n if v < 0 else n)


def f_odd(x):
    """ODD(number): away from zero to the nearest odd integer (ODD(0) is 1, ODD(-2) is -3)."""
    v = num(x)
    if near_integer(v):
        raise Unsupported("ODD within float noise of a whole number")
    n = math.ceil(abs(v))
    if n % 2 == 0:
        n += 1
    return float(-n if v < 0 else n)


def f_trunc(x, digits=None):
    """TRUNC(number, [digits]): towards zero to digits decimals (0 by default), as ROUNDDOWN."""
    d = 0 if digits is None else int(math.trunc(num(digits)))
    return excel_round(num(x), d, ROUND_DOWN)


def f_mround(x, multiple):
    """MROUND(number, multiple): to the nearest multiple, halves away from zero; 0 for a zero multiple; #NUM!
    when number and multiple have different signs."""
    v, m = num(x), num(multiple)
    if m == 0 or v == 0:
        return 0.0
    if (v > 0) != (m > 0):
        raise ExcelError(NUM)
    q = Decimal(f"{v / m:.15g}").quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return check(float(q * Decimal(f"{m:.15g}")))


def f_quotient(n, d):
    """QUOTIENT(numerator, denominator): the integer part of the division (towards zero); #DIV/0! for 0."""
    a, b = num(n), num(d)
    if b == 0:
        raise ExcelError(DIV0)
    return float(truncated(check(a / b)))


# -- sums and products over arrays -------------------------------------------------------------------------


def f_product(*args):
    """PRODUCT(number1, …): the product of the numbers (as SUM counts them); 0 when there are none."""
    vals = values_of(args)
    if not vals:
        return 0.0
    out = 1.0
    for v in vals:
        out *= v
    return check(out)


def f_sumsq(*args):
    """SUMSQ(number1, …): the sum of the squares of the numbers (as SUM counts them)."""
    return check(math.fsum(v * v for v in values_of(args)))


def _pairs(a, b):
    """SUMX2MY2 and kin: the pairs of numbers at the same place of two arrays of one size (#N/A otherwise);
    a pair with text, a logical or a blank is skipped; the first error value met is the result; no pair of
    numbers at all is #DIV/0! (as Excel answers)."""
    xa, xb = as_2d(a), as_2d(b)
    if xa.size != xb.size:
        raise ExcelError(NA)
    out = []
    for u, v in zip(xa.reshape(-1).tolist(), xb.reshape(-1).tolist()):
        if isinstance(u, CellError):
            raise ExcelError(u)
        if isinstance(v, CellError):
            raise ExcelError(v)
        if _is_num(u) and _is_num(v):
            out.append((float(u), float(v)))
    if not out:
        raise ExcelError(DIV0)
    return out


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def f_sumx2my2(a, b):
    """SUMX2MY2(array_x, array_y): Σ(x² − y²) over the pairs of numbers; #N/A for arrays of different size."""
    return check(math.fsum(x * x - y * y for x, y in _pairs(a, b)))


def f_sumx2py2(a, b):
    """SUMX2PY2(array_x, array_y): Σ(x² + y²) over the pairs of numbers; #N/A for arrays of different size."""
    return check(math.fsum(x * x + y * y for x, y in _pairs(a, b)))


def f_sumxmy2(a, b):
    """SUMXMY2(array_x, array_y): Σ(x − y)² over the pairs of numbers; #N/A for arrays of different size."""
    return check(math.fsum((x - y) ** 2 for x, y in _pairs(a, b)))


def f_seriessum(x, n, m, coefficients):
    """SERIESSUM(x, n, m, coefficients): Σ aᵢ·x^(n+i·m); #VALUE! for a coefficient that is not a number."""
    xv, nv, mv = num(x), num(n), num(m)
    total = []
    coefficients = as_2d(coefficients)
    if xv == 0 and any(nv + i * mv <= 0 for i in range(coefficients.size)):
        raise Unsupported("SERIESSUM of 0 to a power of 0 or less")
    for i, a in enumerate(as_2d(coefficients).reshape(-1).tolist()):
        if isinstance(a, CellError):
            raise ExcelError(a)
        if not _is_num(a):
            raise ExcelError(VALUE)
        try:
            total.append(a * xv ** (nv + i * mv))
        except ZeroDivisionError:
            raise ExcelError(NUM) from None
    return check(math.fsum(total))


# -- random numbers (volatile: recomputed on every refresh, never equal to Excel's stored draw) ------------


def f_rand():
    """RAND(): a uniform random number in [0, 1); volatile."""
    return random.random()


def f_randbetween(lo, hi):
    """RANDBETWEEN(bottom, top): a random integer between ceil(bottom) and floor(top); #NUM! when bottom >
    top; volatile."""
    a, b = math.ceil(num(lo)), math.floor(num(hi))
    if a > b:
        raise ExcelError(NUM)
    return float(random.randint(a, b))


def f_randarray(rows=None, cols=None, lo=None, hi=None, whole=None):
    """RANDARRAY([rows], [columns], [min], [max], [integer]): an array of random numbers; #VALUE! when min >
    max, #CALC! for an empty array; volatile."""
    n = 1 if rows is None else _int_arg(rows)
    k = 1 if cols is None else _int_arg(cols)
    a = 0.0 if lo is None else num(lo)
    b = 1.0 if hi is None else num(hi)
    integer = False if whole is None else bool(num(whole))
    if n < 1 or k < 1:
        raise ExcelError(CALC if n == 0 or k == 0 else VALUE)
    if a > b:
        raise ExcelError(VALUE)
    out = np.empty((n, k), dtype=object)
    for idx in np.ndindex(n, k):
        if integer:
            if a != math.trunc(a) or b != math.trunc(b):
                raise ExcelError(VALUE)
            out[idx] = float(random.randint(int(a), int(b)))
        else:
            out[idx] = a + (b - a) * random.random()
    return out


# -- numerals and bases ------------------------------------------------------------------------------------

_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def f_roman(x, form=None):
    """ROMAN(number, [form]): the classic Roman numeral of the truncated number (0 is ""); #VALUE! outside
    0…3999. The concise forms 1–4 (and TRUE/FALSE) are not implemented: unsupported."""
    n = _int_arg(x)
    if form is not None:
        if isinstance(form, bool) or num(form) != 0:
            raise Unsupported("ROMAN with a concise form")
    if n < 0 or n > 3999:
        raise ExcelError(VALUE)
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def f_arabic(text):
    """ARABIC(text): a Roman numeral's value (case-insensitive, a leading minus negates, "" is 0); a smaller
    digit before a larger one subtracts; #VALUE! for any other character or more than 255 characters."""
    v = scalar(text)
    if isinstance(v, (bool, int, float)) or v is None:
        raise Unsupported("ARABIC of a number, a logical or a blank")
    s = v.strip().upper()
    if len(s) > 255:
        raise ExcelError(VALUE)
    sign = 1.0
    if s.startswith("-"):
        sign, s = -1.0, s[1:]
    if any(ch not in _ROMAN_DIGITS for ch in s):
        raise ExcelError(VALUE)
    values = [_ROMAN_DIGITS[ch] for ch in s]
    total = 0
    for i, d in enumerate(values):
        total += -d if i + 1 < len(values) and values[i + 1] > d else d
    return sign * total


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def f_base(x, radix, min_length=None):
    """BASE(number, radix, [min_length]): the truncated number in base radix (2–36), upper-case digits, padded
    with zeros to min_length; #NUM! for a number outside 0…2^53−1, a radix outside 2…36 or a min_length outside
    0…255."""
    n, r = _int_arg(x), _int_arg(radix)
    width = 0 if min_length is None else _int_arg(min_length)
    if n < 0 or not 2 <= r <= 36 or not 0 <= width <= 255:
        raise ExcelError(NUM)
    digits = []
    while n:
        n, d = divmod(n, r)
        digits.append(_DIGITS[d])
    return ("".join(reversed(digits)) or "0").rjust(width, "0")


def f_decimal(text, radix):
    """DECIMAL(text, radix): the value of text read in base radix (2–36, case-insensitive); #NUM! for a radix
    outside 2…36, a digit not of the base, or text of 255 characters or more."""
    v = scalar(text)
    if isinstance(v, bool) or v is None:
        raise Unsupported("DECIMAL of a logical or a blank")
    s = to_text(v).strip().upper()
    r = _int_arg(radix)
    if not 2 <= r <= 36 or len(s) >= 256:
        raise ExcelError(NUM)
    if not s:
        raise Unsupported("DECIMAL of empty text")
    total = 0
    for ch in s:
        d = _DIGITS.find(ch)
        if d < 0 or d >= r:
            raise ExcelError(NUM)
        total = total * r + d
    return check(float(total))


# -- matrices ----------------------------------------------------------------------------------------------


def _matrix(a) -> np.ndarray:
    """A numeric matrix argument; #VALUE! for a blank, text or a logical in it, its first error value."""
    m = as_2d(a)
    out = np.empty(m.shape, dtype=float)
    for idx, v in np.ndenumerate(m):
        if isinstance(v, CellError):
            raise ExcelError(v)
        if not _is_num(v):
            raise ExcelError(VALUE)
        out[idx] = float(v)
    return out


def f_mdeterm(a):
    """MDETERM(array): the determinant of a square matrix of numbers; #VALUE! if not square or not all numbers.
    A (nearly) singular matrix, whose determinant is rounding noise, is unsupported."""
    m = _matrix(a)
    if m.shape[0] != m.shape[1]:
        raise ExcelError(VALUE)
    det = float(np.linalg.det(m))
    if abs(det) <= 1e-12 * _row_scale(m):
        # singular or nearly: the value is rounding noise of the elimination, which Excel's own LU need not share
        raise Unsupported("MDETERM of a (nearly) singular matrix")
    return check(det)


def _row_scale(m: np.ndarray) -> float:
    """The product of each row's largest magnitude: the size a determinant's rounding noise scales with."""
    return float(np.prod(np.max(np.abs(m), axis=1))) if m.size else 0.0


def f_minverse(a):
    """MINVERSE(array): the inverse of a square matrix of numbers; #VALUE! if not square or not all numbers,
    #NUM! for a matrix singular whatever the rounding (a zero row, rows equal up to a power of two); another
    (nearly) singular matrix, where Excel's answer depends on its own rounding, is unsupported."""
    m = _matrix(a)
    if m.shape[0] != m.shape[1]:
        raise ExcelError(VALUE)
    det = np.linalg.det(m)
    if _exactly_singular(m):
        raise ExcelError(NUM)
    if abs(det) <= 1e-12 * _row_scale(m) or np.linalg.cond(m) > 1e10:
        raise Unsupported("MINVERSE of a (nearly) singular matrix: Excel's answer depends on its rounding")
    inv = np.linalg.inv(m)
    if _noise(inv, np.abs(np.linalg.inv(m)).max()):
        raise Unsupported("MINVERSE with elements at rounding-noise level")
    return _as_values(inv)


def _exactly_singular(m: np.ndarray) -> bool:
    """A matrix singular whatever the order of the elimination's operations: a zero row or column, or two rows
    (columns) one of which is the other times a power of two (every step of the elimination is then exact)."""
    for t in (m, m.T):
        rows = t.tolist()
        for i, r in enumerate(rows):
            if not any(r):
                return True
            for q in rows[i + 1 :]:
                k = next((j for j, x in enumerate(r) if x != 0), None)
                if k is None or q[k] == 0:
                    continue
                ratio = q[k] / r[k]
                power_of_two = math.frexp(abs(ratio))[0] == 0.5
                if power_of_two and all(b == ratio * a for a, b in zip(r, q)):
                    return True
    return False


def _noise(values: np.ndarray, scale: float) -> bool:
    """True when an element is non-zero but within rounding noise of zero, relative to ``scale``: its exact
    value (0, or not) depends on the order of the operations."""
    small = (values != 0) & (np.abs(values) <= 1e-12 * scale)
    return bool(small.any())


def f_mmult(a, b):
    """MMULT(array1, array2): the matrix product; #VALUE! when array1's columns differ from array2's rows or a
    cell is not a number."""
    x, y = _matrix(a), _matrix(b)
    if x.shape[1] != y.shape[0]:
        raise ExcelError(VALUE)
    out = x @ y
    magnitude = np.abs(x) @ np.abs(y)
    exact = bool((x == np.round(x)).all() and (y == np.round(y)).all() and (magnitude < 2.0**53).all())
    if not exact and ((magnitude > 0) & (np.abs(out) <= 1e-12 * magnitude)).any():
        # a sum of products that cancels to (near) zero: its value is rounding noise and depends on the order
        raise Unsupported("MMULT with products that cancel to rounding noise")
    return _as_values(out)


def f_munit(n):
    """MUNIT(dimension): the identity matrix of that size; #VALUE! for a dimension below 1."""
    k = _int_arg(n)
    if k < 1:
        raise ExcelError(VALUE)
    return _as_values(np.eye(k))


def _as_values(m: np.ndarray) -> np.ndarray:
    out = np.empty(m.shape, dtype=object)
    for idx, v in np.ndenumerate(m):
        out[idx] = float(v) if math.isfinite(v) else NUM
    return out


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
    "SIN": builtin(_trig(math.sin), 1),
    "COS": builtin(_trig(math.cos), 1),
    "TAN": builtin(_trig(math.tan), 1),
    "EXP": builtin(_math1(math.exp), 1),
    "LN": builtin(_math1(math.log), 1),
    "LOG10": builtin(_math1(math.log10), 1),
    "PI": builtin(lambda: math.pi, 0),
    "SIGN": builtin(f_sign, 1),
    "ISO.CEILING": builtin(lambda x, s=None: f_ceiling_math(x, s), 1, 2),
    "RADIANS": builtin(f_radians, 1),
    "DEGREES": builtin(f_degrees, 1),
    "ASIN": builtin(_in_domain(math.asin, lambda v: -1 <= v <= 1), 1),
    "ACOS": builtin(_in_domain(math.acos, lambda v: -1 <= v <= 1), 1),
    "ATAN": builtin(_math1(math.atan), 1),
    "ATAN2": builtin(f_atan2, 2),
    "SINH": builtin(_math1(math.sinh), 1),
    "COSH": builtin(_math1(math.cosh), 1),
    "TANH": builtin(_math1(math.tanh), 1),
    "ASINH": builtin(_math1(math.asinh), 1),
    "ACOSH": builtin(_in_domain(math.acosh, lambda v: v >= 1), 1),
    "ATANH": builtin(_in_domain(math.atanh, lambda v: -1 < v < 1), 1),
    "SEC": builtin(_reciprocal_trig(math.cos), 1),
    "CSC": builtin(_reciprocal_trig(math.sin), 1),
    "COT": builtin(_reciprocal_trig(math.tan), 1),
    "SECH": builtin(_reciprocal_hyp(math.cosh), 1),
    "CSCH": builtin(_reciprocal_hyp(math.sinh), 1),
    "COTH": builtin(_reciprocal_hyp(math.tanh), 1),
    "ACOT": builtin(f_acot, 1),
    "ACOTH": builtin(f_acoth, 1),
    "LOG": builtin(f_log, 1, 2),
    "SQRTPI": builtin(f_sqrtpi, 1),
    "FACT": builtin(f_fact, 1),
    "FACTDOUBLE": builtin(f_factdouble, 1),
    "COMBIN": builtin(f_combin, 2),
    "COMBINA": builtin(f_combina, 2),
    "PERMUT": builtin(f_permut, 2),
    "PERMUTATIONA": builtin(f_permutationa, 2),
    "GCD": builtin(f_gcd, 1, 255),
    "LCM": builtin(f_lcm, 1, 255),
    "MULTINOMIAL": builtin(f_multinomial, 1, 255),
    "EVEN": builtin(f_even, 1),
    "ODD": builtin(f_odd, 1),
    "TRUNC": builtin(f_trunc, 1, 2),
    "MROUND": builtin(f_mround, 2),
    "QUOTIENT": builtin(f_quotient, 2),
    "PRODUCT": builtin(f_product, 1, 255),
    "SUMSQ": builtin(f_sumsq, 1, 255),
    "SUMX2MY2": builtin(f_sumx2my2, 2),
    "SUMX2PY2": builtin(f_sumx2py2, 2),
    "SUMXMY2": builtin(f_sumxmy2, 2),
    "SERIESSUM": builtin(f_seriessum, 4),
    "RAND": builtin(f_rand, 0),
    "RANDBETWEEN": builtin(f_randbetween, 2),
    "RANDARRAY": builtin(f_randarray, 0, 5),
    "ROMAN": builtin(f_roman, 1, 2),
    "ARABIC": builtin(f_arabic, 1),
    "BASE": builtin(f_base, 2, 3),
    "DECIMAL": builtin(f_decimal, 2),
    "MDETERM": builtin(f_mdeterm, 1),
    "MINVERSE": builtin(f_minverse, 1),
    "MMULT": builtin(f_mmult, 2),
    "MUNIT": builtin(f_munit, 1),
}

#: Elementwise functions of this module (lifted over array arguments, see registry.ELEMENTWISE).
LIFTED = {
    "RADIANS",
    "DEGREES",
    "ASIN",
    "ACOS",
    "ATAN",
    "ATAN2",
    "SINH",
    "COSH",
    "TANH",
    "ASINH",
    "ACOSH",
    "ATANH",
    "SEC",
    "CSC",
    "COT",
    "SECH",
    "CSCH",
    "COTH",
    "ACOT",
    "ACOTH",
    "LOG",
    "SQRTPI",
    "FACT",
    "FACTDOUBLE",
    "COMBIN",
    "COMBINA",
    "PERMUT",
    "PERMUTATIONA",
    "EVEN",
    "ODD",
    "TRUNC",
    "MROUND",
    "QUOTIENT",
    "RANDBETWEEN",
    "ROMAN",
    "ARABIC",
    "BASE",
    "DECIMAL",
    "ISO.CEILING",
    "CEILING.PRECISE",
    "FLOOR.PRECISE",
}

#: Volatile functions of this module: recomputed on every refresh.
VOLATILE = {"RAND", "RANDBETWEEN", "RANDARRAY"}
