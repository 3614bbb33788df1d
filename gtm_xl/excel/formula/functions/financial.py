"""Excel's Financial functions: PV, FV, PMT, IPMT, PPMT, NPER, RATE, NPV, XNPV, IRR, XIRR, MIRR,
CUMIPMT, CUMPRINC, EFFECT, NOMINAL, SLN, SYD, DB, DDB, VDB.

The annuity functions share Excel's time-value equation
``pv·(1+r)^n + pmt·(1+r·type)·((1+r)^n − 1)/r + fv = 0`` (``pv + pmt·n + fv = 0`` when r = 0);
``type`` is 1 for payments at the start of a period, 0 (or omitted) at the end, other values are
not guessed (:class:`Unsupported`). Numbers typed as arguments are coerced like any number (text that reads as
one, logicals); inside the ranges of NPV, IRR, MIRR only numbers count. The iterative functions
(RATE, IRR) use Newton's method from Excel's guess (10%) within Excel's iteration limits
(20); a root found only beyond that limit is not guessed at
(:class:`Unsupported`), a search that does not converge at all is #NUM! as in Excel. XIRR gives its
certain errors and leaves the rate to Excel (see :func:`f_xirr`).
"""

from __future__ import annotations

import math

from gtm_xl.excel.formula.functions import context
from gtm_xl.excel.formula.functions.coercion import (
    DIV0,
    NUM,
    VALUE,
    ExcelError,
    Unsupported,
    as_2d,
    check,
    flat,
    num,
    scalar,
    to_bool,
    values_of,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def _opt(v, default: float = 0.0) -> float:
    """An optional numeric argument: omitted or blank is ``default``."""
    return default if v is None or scalar(v) is None else num(v)


def _type(v) -> float:
    """The payment timing: 0 (end of period, default) or 1 (start); other values are not guessed."""
    t = _opt(v)
    if t not in (0.0, 1.0):
        raise Unsupported("payment type other than 0 or 1")
    return t


def fv_(r: float, n: float, pmt: float, pv: float, t: float) -> float:
    if r == 0:
        return -(pv + pmt * n)
    g = (1 + r) ** n
    return -(pv * g + pmt * (1 + r * t) * (g - 1) / r)


def pmt_(r: float, n: float, pv: float, fv: float, t: float) -> float:
    if r == 0:
        if n == 0:
            raise ExcelError(NUM)
        return -(pv + fv) / n
    g = (1 + r) ** n
    if g == 1:
        raise ExcelError(NUM)
    return -(pv * g + fv) * r / ((1 + r * t) * (g - 1))


def f_fv(rate, nper, pmt, pv=None, typ=None):
    """FV(rate, nper, pmt, [pv], [type]): the future value of an annuity."""
    return check(fv_(num(rate), num(nper), num(pmt), _opt(pv), _type(typ)))


def f_pv(rate, nper, pmt, fv=None, typ=None):
    """PV(rate, nper, pmt, [fv], [type]): the present value of an annuity."""
    r, n, p, f, t = num(rate), num(nper), num(pmt), _opt(fv), _type(typ)
    if r == 0:
        return check(-(f + p * n))
    if r <= -1:
        raise Unsupported("PV at a rate of -100% or less")
    g = (1 + r) ** n
    return check(-(f + p * (1 + r * t) * (g - 1) / r) / g)


def f_pmt(rate, nper, pv, fv=None, typ=None):
    """PMT(rate, nper, pv, [fv], [type]): the payment per period; nper 0 is #NUM!."""
    n = num(nper)
    if n == 0:
        raise ExcelError(NUM)
    return check(pmt_(num(rate), n, num(pv), _opt(fv), _type(typ)))


def _ipmt(r: float, per: float, n: float, pv: float, fv: float, t: float) -> float:
    """The interest part of payment ``per`` (LibreOffice's and Excel's recurrence)."""
    p = pmt_(r, n, pv, fv, t)
    if per == 1:
        i = 0.0 if t else -pv
    elif t:
        i = fv_(r, per - 2, p, pv, 1.0) - p
    else:
        i = fv_(r, per - 1, p, pv, 0.0)
    return i * r


def _payment_period(rate, per, nper, name: str) -> tuple[float, float, float]:
    """IPMT's and PPMT's rate, period and number of periods: a period outside 1…nper is #NUM!,
    a fractional one left to Excel."""
    r, k, n = num(rate), num(per), num(nper)
    if k < 1 or k > n:
        raise ExcelError(NUM)
    if k != math.trunc(k):
        raise Unsupported(f"{name} of a fractional period")
    return r, k, n


def f_ipmt(rate, per, nper, pv, fv=None, typ=None):
    """IPMT(rate, per, nper, pv, [fv], [type]): the interest in payment ``per``; per outside 1…nper #NUM!."""
    r, k, n = _payment_period(rate, per, nper, "IPMT")
    return check(_ipmt(r, k, n, num(pv), _opt(fv), _type(typ)))


def f_ppmt(rate, per, nper, pv, fv=None, typ=None):
    """PPMT(rate, per, nper, pv, [fv], [type]): the principal in payment ``per`` (PMT − IPMT)."""
    r, k, n = _payment_period(rate, per, nper, "PPMT")
    f, t, p = _opt(fv), _type(typ), num(pv)
    return check(pmt_(r, n, p, f, t) - _ipmt(r, k, n, p, f, t))


def f_nper(rate, pmt, pv, fv=None, typ=None):
    """NPER(rate, pmt, pv, [fv], [type]): the number of periods; #NUM! when there is none."""
    r, p, v, f, t = num(rate), num(pmt), num(pv), _opt(fv), _type(typ)
    if r == 0:
        if p == 0:
            raise Unsupported("NPER with rate and payment 0")
        return check(-(v + f) / p)
    a = p * (1 + r * t) - f * r
    b = p * (1 + r * t) + v * r
    if b == 0:
        raise ExcelError(DIV0 if a else NUM)
    if r <= -1:
        raise Unsupported("NPER at a rate of -100% or less")
    if a / b <= 0:
        raise ExcelError(NUM)
    return check(math.log(a / b) / math.log(1 + r))


def _newton(f, df, x0: float, limit: int, tol: float) -> float:
    """Newton's method from ``x0``: the root when it is found within ``limit`` steps (refined to full
    precision), Unsupported when found only later, #NUM! when it is not found."""
    x = x0
    for i in range(200):
        try:
            fx, d = f(x), df(x)
        except (OverflowError, ZeroDivisionError, ValueError):
            raise ExcelError(NUM) from None
        if d == 0 or math.isnan(fx) or math.isnan(d):
            raise ExcelError(NUM)
        step = fx / d
        x -= step
        if not math.isfinite(x) or x <= -1:
            raise ExcelError(NUM)
        if abs(step) < tol:
            if i >= limit:
                raise Unsupported("iteration converges later than Excel's limit")
            for _ in range(5):  # polish: Excel's last iterate and ours agree to the last bits
                fx, d = f(x), df(x)
                if d == 0:
                    break
                s = fx / d
                x -= s
                if abs(s) <= 1e-16 * max(1.0, abs(x)):
                    break
            return x
    raise ExcelError(NUM)


def f_rate(nper, pmt, pv, fv=None, typ=None, guess=None):
    """RATE(nper, pmt, pv, [fv], [type], [guess]): the rate per period, by Newton's method from guess
    (10%); #NUM! when it does not converge within Excel's 20 iterations to 1E-7."""
    n, p, v, f, t = num(nper), num(pmt), num(pv), _opt(fv), _type(typ)
    g0 = _opt(guess, 0.1)
    if n <= 0:
        raise ExcelError(NUM)

    def func(r):
        if abs(r) < 1e-12:
            return v + p * n + f
        g = (1 + r) ** n
        return v * g + p * (1 + r * t) * (g - 1) / r + f

    def deriv(r):
        h = 1e-7 * max(1.0, abs(r))
        return (func(r + h) - func(r - h)) / (2 * h)

    return _newton(func, deriv, g0, 20, 1e-10)


def _numbers_of_range(v) -> list[float]:
    """The numbers of a range or array argument (text, logicals, blanks left out; errors raised)."""
    return values_of((as_2d(v),))


def f_npv(rate, *values):
    """NPV(rate, value1, …): the net present value of values at the end of periods 1, 2, …; in ranges
    only numbers count, typed arguments are coerced; rate −1 is #DIV/0!."""
    r = num(rate)
    if r == -1:
        raise ExcelError(DIV0)
    vals = values_of(values)
    return check(math.fsum(x / (1 + r) ** (i + 1) for i, x in enumerate(vals)))


def _cash_and_dates(values, dates) -> tuple[list[float], list[float]]:
    vs, ds = flat(values), flat(dates)
    if len(vs) != len(ds):
        raise ExcelError(NUM)
    out_v, out_d = [], []
    for v in vs:
        if isinstance(v, CellError):
            raise ExcelError(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ExcelError(VALUE)
        out_v.append(float(v))
    for d in ds:
        if isinstance(d, CellError):
            raise ExcelError(d)
        if isinstance(d, bool) or not isinstance(d, (int, float)):
            raise ExcelError(VALUE)
        if d < 0:
            raise ExcelError(NUM)
        out_d.append(float(math.floor(d)))
    if any(d < out_d[0] for d in out_d[1:]):
        raise ExcelError(NUM)
    return out_v, out_d


def f_xnpv(rate, values, dates):
    """XNPV(rate, values, dates): Σ value/(1+rate)^((date − first date)/365); dates truncated, a date
    before the first or counts that differ #NUM!; a non-number value or date #VALUE!."""
    r = num(rate)
    vs, ds = _cash_and_dates(values, dates)
    if r <= -1:
        raise Unsupported("XNPV at a rate of -100% or less")
    return check(math.fsum(v / (1 + r) ** ((d - ds[0]) / 365) for v, d in zip(vs, ds)))


def f_xirr(values, dates, guess=None):
    """XIRR(values, dates, [guess]): #NUM! where Excel gives it (values need a positive and a negative
    amount), #VALUE!/#NUM! for bad dates. The rate itself is left to Excel: Excel stops its iteration
    within 0.000001% of the rate, short of the exact root (Microsoft's example prints 0.373362535 where
    the root is 0.3733625335), so the exact rate would differ from the value Excel stores in the 9th
    digit — a number we cannot reproduce exactly is not guessed."""
    vs, _ = _cash_and_dates(values, dates)
    if not (any(v > 0 for v in vs) and any(v < 0 for v in vs)):
        raise ExcelError(NUM)
    if guess is not None:
        num(guess)
    raise Unsupported("XIRR's rate: Excel's iteration stops short of the exact root")


def f_irr(values, guess=None):
    """IRR(values, [guess]): the rate where the NPV of the values (periods 0, 1, …) is 0; only numbers
    of the range count; Newton from guess (10%) within Excel's 20 iterations, else #NUM!."""
    vs = _numbers_of_range(values)
    if not (any(v > 0 for v in vs) and any(v < 0 for v in vs)):
        raise ExcelError(NUM)
    g0 = _opt(guess, 0.1)

    def func(r):
        return math.fsum(v / (1 + r) ** i for i, v in enumerate(vs))

    def deriv(r):
        return math.fsum(-i * v / (1 + r) ** (i + 1) for i, v in enumerate(vs))

    return _newton(func, deriv, g0, 20, 1e-10)


def f_mirr(values, finance_rate, reinvest_rate):
    """MIRR(values, finance_rate, reinvest_rate): the modified IRR; negative flows discounted at the
    finance rate, positive compounded at the reinvestment rate; without both signs #DIV/0!."""
    vs = _numbers_of_range(values)
    fr, rr = num(finance_rate), num(reinvest_rate)
    n = len(vs)
    if n < 2 or not (any(v > 0 for v in vs) and any(v < 0 for v in vs)):
        raise ExcelError(DIV0)
    if fr == -1 or rr == -1:
        raise ExcelError(DIV0)
    pos = math.fsum(v * (1 + rr) ** (n - 1 - i) for i, v in enumerate(vs) if v > 0)
    neg = math.fsum(v / (1 + fr) ** i for i, v in enumerate(vs) if v < 0)
    x = -pos / neg
    if x <= 0:
        raise ExcelError(NUM)
    return check(x ** (1 / (n - 1)) - 1)


def _cum_args(rate, nper, pv, start, end, typ):
    r, n, v = num(rate), num(nper), num(pv)
    s, e = num(start), num(end)
    t = num(typ)
    if r <= 0 or n <= 0 or v <= 0 or s < 1 or e < 1 or s > e or t not in (0.0, 1.0):
        raise ExcelError(NUM)
    if s != math.trunc(s) or e != math.trunc(e) or n != math.trunc(n):
        raise Unsupported("CUMIPMT/CUMPRINC of fractional periods")
    if e > n:
        raise ExcelError(NUM)
    return r, n, v, int(s), int(e), t


def f_cumipmt(rate, nper, pv, start, end, typ):
    """CUMIPMT(rate, nper, pv, start_period, end_period, type): the interest paid from start to end
    period; rate, nper, pv ≤ 0, periods outside 1…nper or out of order, type not 0/1: #NUM!."""
    r, n, v, s, e, t = _cum_args(rate, nper, pv, start, end, typ)
    return check(math.fsum(_ipmt(r, k, n, v, 0.0, t) for k in range(s, e + 1)))


def f_cumprinc(rate, nper, pv, start, end, typ):
    """CUMPRINC(rate, nper, pv, start_period, end_period, type): the principal paid from start to end period."""
    r, n, v, s, e, t = _cum_args(rate, nper, pv, start, end, typ)
    p = pmt_(r, n, v, 0.0, t)
    return check(math.fsum(p - _ipmt(r, k, n, v, 0.0, t) for k in range(s, e + 1)))


def f_effect(nominal, npery):
    """EFFECT(nominal_rate, npery): (1 + nominal/npery)^npery − 1, npery truncated; nominal ≤ 0 or npery < 1 #NUM!."""
    r, n = num(nominal), math.trunc(num(npery))
    if r <= 0 or n < 1:
        raise ExcelError(NUM)
    return check((1 + r / n) ** n - 1)


def f_nominal(effect, npery):
    """NOMINAL(effect_rate, npery): npery·((1 + effect)^(1/npery) − 1), npery truncated; #NUM! as EFFECT."""
    r, n = num(effect), math.trunc(num(npery))
    if r <= 0 or n < 1:
        raise ExcelError(NUM)
    return check(n * ((1 + r) ** (1 / n) - 1))


def f_sln(cost, salvage, life):
    """SLN(cost, salvage, life): straight-line depreciation per period; life 0 is #DIV/0!."""
    n = num(life)
    if n == 0:
        raise ExcelError(DIV0)
    return check((num(cost) - num(salvage)) / n)


def f_syd(cost, salvage, life, per):
    """SYD(cost, salvage, life, per): sum-of-years' digits depreciation; life ≤ 0, per ≤ 0 or per > life #NUM!."""
    c, s, n, p = num(cost), num(salvage), num(life), num(per)
    if n <= 0 or p <= 0 or p > n:
        raise ExcelError(NUM)
    return check((c - s) * (n - p + 1) * 2 / (n * (n + 1)))


def f_db(cost, salvage, life, period, month=None):
    """DB(cost, salvage, life, period, [month]): fixed-declining balance with the rate
    1 − (salvage/cost)^(1/life) rounded to three decimals; the first year has ``month`` months
    (12), the year after the life the rest; arguments out of range #NUM!."""
    c, s, n, p = num(cost), num(salvage), num(life), num(period)
    m = _opt(month, 12.0)
    if c < 0 or s < 0 or n <= 0 or p <= 0 or m < 1 or m > 12:
        raise ExcelError(NUM)
    if p != math.trunc(p) or n != math.trunc(n) or m != math.trunc(m):
        raise Unsupported("DB with fractional periods")
    if p > n + (1 if m < 12 else 0):
        raise ExcelError(NUM)
    if c == 0 or s > c:
        raise Unsupported("DB of a zero cost or a salvage above cost")
    rate = round(1 - (s / c) ** (1 / n), 3)
    total = c * rate * m / 12
    if p == 1:
        return check(total)
    dep = total
    for k in range(2, int(p) + 1):
        if k == n + 1:
            dep = (c - total) * rate * (12 - m) / 12
        else:
            dep = (c - total) * rate
        total += dep
    return check(dep)


def _ddb(c: float, s: float, n: float, p: float, factor: float) -> float:
    rate = factor / n
    if rate >= 1:
        rate = 1.0
        old = c if p == 1 else 0.0
    else:
        old = c * (1 - rate) ** (p - 1)
    new = c * (1 - rate) ** p
    d = old - s if new < s else old - new
    return max(d, 0.0)


def f_ddb(cost, salvage, life, period, factor=None):
    """DDB(cost, salvage, life, period, [factor]): double-declining (factor 2) balance depreciation,
    never below salvage; cost < 0, salvage < 0, life ≤ 0, period ≤ 0 or > life, factor ≤ 0 #NUM!."""
    c, s, n, p = num(cost), num(salvage), num(life), num(period)
    fct = _opt(factor, 2.0)
    if c < 0 or s < 0 or n <= 0 or p <= 0 or p > n or fct <= 0:
        raise ExcelError(NUM)
    if p != math.trunc(p):
        raise Unsupported("DDB of a fractional period")
    if s > c:
        raise Unsupported("DDB with salvage above cost")
    return check(_ddb(c, s, n, p, fct))


def _vdb(c: float, s: float, life: float, start: float, end: float, factor: float, no_switch: bool) -> float:
    """Excel's VDB schedule: periods of length 1 on a grid starting at 0 whose first period is as long
    as start's fraction (so a period begins at start); each period's amount is the declining
    balance (value·factor/life, never below salvage) or, when larger and switching is allowed, the
    straight line (value − salvage)/(life − t); a part of a period gets that part of its amount.
    Checked against the 40 Excel-computed VDB cells of the xlcalculator corpus and Microsoft's examples."""
    rate = min(factor / life, 1.0)
    value, t, total = c, 0.0, 0.0
    frac = start - math.floor(start)
    step = frac if frac > 0 else 1.0
    while t < end - 1e-12:
        f = min(step, end - t)
        if t < start - 1e-12:
            f = min(f, start - t)
        ddb = min(value * rate, max(value - s, 0.0))
        full = ddb if no_switch else max(ddb, (value - s) / (life - t))
        if t >= start - 1e-12:
            total += full * f
        value -= full * f
        t += f
        step = 1.0
    return total


def f_vdb(cost, salvage, life, start, end, factor=None, no_switch=None):
    """VDB(cost, salvage, life, start_period, end_period, [factor], [no_switch]): declining-balance
    depreciation between two periods, switching to straight line when that is larger (unless
    no_switch); out-of-range arguments #NUM!. Fractional periods follow :func:`_vdb` where Excel's
    results confirm it (an integer start, start and end with the same fraction, or end at the life's
    end); other fractional combinations are not guessed."""
    c, s, n, a, b = num(cost), num(salvage), num(life), num(start), num(end)
    fct = _opt(factor, 2.0)
    ns = False if no_switch is None or scalar(no_switch) is None else to_bool(scalar(no_switch))
    if a < 0 or b < a or b > n or c < 0 or s < 0 or fct <= 0 or n <= 0:
        raise ExcelError(NUM)
    fa, fb = a - math.floor(a), b - math.floor(b)
    if fa and not (abs(fa - fb) < 1e-12 or b == n):
        raise Unsupported("VDB with a fractional start and an end of another fraction")
    if s > c:
        raise Unsupported("VDB with salvage above cost")
    if n != math.trunc(n):
        raise Unsupported("VDB with a fractional life")
    return check(_vdb(c, s, n, a, b, fct, ns))


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "FV": builtin(f_fv, 3, 5),
    "PV": builtin(f_pv, 3, 5),
    "PMT": builtin(f_pmt, 3, 5),
    "IPMT": builtin(f_ipmt, 4, 6),
    "PPMT": builtin(f_ppmt, 4, 6),
    "NPER": builtin(f_nper, 3, 5),
    "RATE": builtin(f_rate, 3, 6),
    "NPV": builtin(f_npv, 2, 255),
    "XNPV": builtin(f_xnpv, 3),
    "IRR": builtin(f_irr, 1, 2),
    "XIRR": builtin(f_xirr, 2, 3),
    "MIRR": builtin(f_mirr, 3),
    "CUMIPMT": builtin(f_cumipmt, 6),
    "CUMPRINC": builtin(f_cumprinc, 6),
    "EFFECT": builtin(f_effect, 2),
    "NOMINAL": builtin(f_nominal, 2),
    "SLN": builtin(f_sln, 3),
    "SYD": builtin(f_syd, 4),
    "DB": builtin(f_db, 4, 5),
    "DDB": builtin(f_ddb, 4, 5),
    "VDB": builtin(f_vdb, 5, 7),
}


# date serials read (and written) through the book's date system (context.date1904())
for _name in ("XNPV", "XIRR"):
    context.reads_date_system(FUNCTIONS[_name].fn)
