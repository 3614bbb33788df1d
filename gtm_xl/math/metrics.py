"""Unit economics and retention: LTV, CAC, LTV:CAC, CAC payback, churn conversion, NRR/GRR, NPS.

Every function takes scalars or arrays (broadcast together, element by element) and returns a
float for a scalar call or an array for an array call. Rates are fractions (0.03 is 3%);
periods must agree (a monthly ARPA goes with a monthly churn, and the result is in that
period). Bad input never gives ``inf``/``nan``: a scalar call raises the
:class:`~gtm_xl.errors.GTMError` of the Excel error value; in an array call only the
offending elements become :class:`~gtm_xl.errors.CellError` values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gtm_xl.errors import DivZeroError, NumError, ShapeError
from gtm_xl.math.numeric import Outcome, as_float, plain_number

__all__ = [
    "attainment",
    "cac",
    "cac_payback",
    "churn_annual",
    "churn_monthly",
    "grr",
    "ltv",
    "ltv_cac",
    "nps",
    "nrr",
]

ArrayLike = Any


def _inputs(**named: Any) -> tuple[dict[str, Any], Outcome]:
    """Coerce named inputs, broadcast them, and open an Outcome of the common shape.

    Blanks (``None``, NaN, ``""``: :mod:`gtm_xl.math.numeric`) count as 0, as Excel treats a blank
    cell in arithmetic; ``±inf`` is ``#NUM!``. When every input is a
    plain Python number the values stay Python floats: a single-cell call (a UDF in one cell)
    then costs microseconds instead of dozens of numpy calls on 0-d arrays.
    """
    plain = {n: plain_number(v, n) for n, v in named.items()}
    if None not in plain.values():
        return {n: 0.0 if x != x else x for n, x in plain.items()}, Outcome((), True)
    arrays = {name: as_float(value, name) for name, value in named.items()}
    scalar = all(a.ndim == 0 for a in arrays.values())
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in arrays.items() if a.ndim)
        raise ShapeError(f"ranges of different shapes: {shapes}") from None
    arrays = {n: np.nan_to_num(np.broadcast_to(a, shape), nan=0.0) for n, a in arrays.items()}
    return arrays, Outcome(shape, scalar)


def _safe_divide(num: Any, den: Any) -> Any:
    """``num/den`` where ``den`` is not 0, else 0 (those elements are flagged already)."""
    if isinstance(den, float):
        return num / den if den != 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # an overflow is #NUM! in finish
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), 0.0)


def _ltv_values(a: dict[str, np.ndarray], out: Outcome, horizon: ArrayLike | None) -> np.ndarray:
    m = a["arpa"] * a["gross_margin"]
    c, d = a["churn"], a["discount"]
    out.flag(a["arpa"] < 0, NumError, "must not be negative", "arpa")
    out.flag((a["gross_margin"] < 0) | (a["gross_margin"] > 1), NumError, "must lie in [0, 1]", "gross_margin")
    out.flag((c < 0) | (c > 1), NumError, "must lie in [0, 1]", "churn")
    out.flag(d < 0, NumError, "must not be negative", "discount")
    rate = c + d
    if horizon is None:
        out.flag(rate == 0, DivZeroError, "churn + discount is 0: with no horizon the lifetime is endless", "churn")
        return _safe_divide(m, rate)
    h = a["horizon"]
    out.flag(h < 0, NumError, "must not be negative", "horizon")
    # 1 − q^H with q = (1−c)/(1+d), as −expm1(H·(log1p(−c) − log1p(d))): exact for tiny H and rates
    if isinstance(rate, float):
        if rate == 0:
            return m * h
        if h == 0:
            return 0.0 * m
        lost = 1.0 if c >= 1.0 else -math.expm1(h * (math.log1p(-c) - math.log1p(d)))
        return m * lost / rate
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        hh = np.maximum(h, 0.0)
        lost_share = np.where(hh == 0, 0.0, -np.expm1(hh * (np.log1p(-np.minimum(c, 1.0)) - np.log1p(d))))
        finite = m * lost_share / np.where(rate != 0, rate, 1.0)
    return np.where(rate == 0, m * h, finite)


def ltv(
    arpa: ArrayLike,
    gross_margin: ArrayLike,
    churn: ArrayLike,
    discount: ArrayLike = 0.0,
    horizon: ArrayLike | None = None,
) -> Any:
    """Lifetime gross profit of a customer.

    ``m = arpa·gross_margin``, ``c = churn``, ``d = discount`` per period. With no horizon:
    ``m/(c+d)``; ``c+d = 0`` → ``#DIV/0!``. With a horizon of ``H`` periods:
    ``m·(1−q^H)/(c+d)`` with ``q = (1−c)/(1+d)``, and ``m·H`` when ``c+d = 0``.
    ``#NUM!`` for negative arpa, discount or horizon, and for churn or margin outside [0, 1].

    >>> ltv(100, 0.8, 0.02)
    4000.0
    """
    named = dict(arpa=arpa, gross_margin=gross_margin, churn=churn, discount=discount)
    if horizon is not None:
        named["horizon"] = horizon
    a, out = _inputs(**named)
    return out.finish(_ltv_values(a, out, horizon))


def cac(spend: ArrayLike, new_customers: ArrayLike) -> Any:
    """Customer acquisition cost: ``spend/new_customers``.

    ``new_customers = 0`` → ``#DIV/0!``; a negative spend or count → ``#NUM!``.
    """
    a, out = _inputs(spend=spend, new_customers=new_customers)
    out.flag(a["spend"] < 0, NumError, "must not be negative", "spend")
    out.flag(a["new_customers"] < 0, NumError, "must not be negative", "new_customers")
    out.flag(a["new_customers"] == 0, DivZeroError, "no new customers", "new_customers")
    return out.finish(_safe_divide(a["spend"], a["new_customers"]))


def ltv_cac(
    arpa: ArrayLike,
    gross_margin: ArrayLike,
    churn: ArrayLike,
    cac: ArrayLike,
    discount: ArrayLike = 0.0,
    horizon: ArrayLike | None = None,
) -> Any:
    """LTV:CAC ratio (the usual benchmark is 3): :func:`ltv` divided by ``cac``.

    ``cac = 0`` → ``#DIV/0!``; ``cac < 0`` → ``#NUM!``; LTV's own rules apply.

    >>> ltv_cac(100, 0.8, 0.02, 1000)
    4.0
    """
    named = dict(arpa=arpa, gross_margin=gross_margin, churn=churn, discount=discount, cac=cac)
    if horizon is not None:
        named["horizon"] = horizon
    a, out = _inputs(**named)
    value = _ltv_values(a, out, horizon)
    out.flag(a["cac"] < 0, NumError, "must not be negative", "cac")
    out.flag(a["cac"] == 0, DivZeroError, "is 0", "cac")
    return out.finish(_safe_divide(value, a["cac"]))


def cac_payback(cac: ArrayLike, arpa: ArrayLike, gross_margin: ArrayLike) -> Any:
    """Periods (months for a monthly ARPA) to earn back CAC: ``cac/(arpa·gross_margin)``.

    ``arpa·gross_margin ≤ 0`` → ``#NUM!`` (it never pays back); a negative cac → ``#NUM!``.

    >>> cac_payback(770000, 100000, 0.7)
    11.0
    """
    a, out = _inputs(cac=cac, arpa=arpa, gross_margin=gross_margin)
    monthly_margin = a["arpa"] * a["gross_margin"]
    out.flag(a["cac"] < 0, NumError, "must not be negative", "cac")
    out.flag(monthly_margin <= 0, NumError, "arpa × gross_margin must be positive: it never pays back", "arpa")
    return out.finish(_safe_divide(a["cac"], monthly_margin))


def _compound(rate: Any, periods: float) -> Any:
    """``1 − (1 − rate)^periods``, computed as ``−expm1(periods·log1p(−rate))`` for precision."""
    if isinstance(rate, float):
        return 1.0 if rate >= 1.0 else -math.expm1(periods * math.log1p(-max(rate, 0.0)))
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf gives exactly 1
        return -np.expm1(periods * np.log1p(-np.clip(rate, 0.0, 1.0)))


def churn_annual(monthly: ArrayLike) -> Any:
    """Annual churn from a monthly rate: ``1 − (1 − m)^12`` (never ``m × 12``). ``#NUM!`` outside [0, 1]."""
    a, out = _inputs(monthly=monthly)
    m = a["monthly"]
    out.flag((m < 0) | (m > 1), NumError, "must lie in [0, 1]", "monthly")
    return out.finish(_compound(m, 12.0))


def churn_monthly(annual: ArrayLike) -> Any:
    """Monthly churn from an annual rate: ``1 − (1 − a)^(1/12)``. ``#NUM!`` outside [0, 1]."""
    a, out = _inputs(annual=annual)
    y = a["annual"]
    out.flag((y < 0) | (y > 1), NumError, "must lie in [0, 1]", "annual")
    return out.finish(_compound(y, 1.0 / 12.0))


def nrr(
    start: ArrayLike, expansion: ArrayLike, contraction: ArrayLike, churned: ArrayLike, reactivation: ArrayLike = 0.0
) -> Any:
    """Net revenue retention: ``(start + expansion + reactivation − contraction − churned)/start``.

    ``start = 0`` → ``#DIV/0!``; any negative amount → ``#NUM!`` (contraction and churn are
    given as positive amounts lost).
    """
    a, out = _inputs(
        start=start, expansion=expansion, contraction=contraction, churned=churned, reactivation=reactivation
    )
    for name, arr in a.items():
        out.flag(arr < 0, NumError, "must not be negative", name)
    out.flag(a["start"] == 0, DivZeroError, "starting revenue is 0", "start")
    kept = a["start"] + a["expansion"] + a["reactivation"] - a["contraction"] - a["churned"]
    return out.finish(_safe_divide(kept, a["start"]))


def grr(start: ArrayLike, contraction: ArrayLike, churned: ArrayLike) -> Any:
    """Gross revenue retention: ``(start − contraction − churned)/start`` clamped to [0, 1].

    ``start = 0`` → ``#DIV/0!``; any negative amount → ``#NUM!``.
    """
    a, out = _inputs(start=start, contraction=contraction, churned=churned)
    for name, arr in a.items():
        out.flag(arr < 0, NumError, "must not be negative", name)
    out.flag(a["start"] == 0, DivZeroError, "starting revenue is 0", "start")
    kept = _safe_divide(a["start"] - a["contraction"] - a["churned"], a["start"])
    return out.finish(min(max(kept, 0.0), 1.0) if isinstance(kept, float) else np.clip(kept, 0.0, 1.0))


def attainment(actual: ArrayLike, target: ArrayLike, lower_is_better: bool = False) -> Any:
    """Share of target reached: ``actual/target``, or ``target/actual`` for a KPI where lower is
    better (CAC, payback, churn). A zero denominator → ``#DIV/0!``; a negative one → ``#NUM!``."""
    a, out = _inputs(actual=actual, target=target)
    num, den, den_name = (
        (a["target"], a["actual"], "actual") if lower_is_better else (a["actual"], a["target"], "target")
    )
    out.flag(den < 0, NumError, "must not be negative", den_name)
    out.flag(den == 0, DivZeroError, "is 0", den_name)
    return out.finish(_safe_divide(num, den))


def nps(responses: ArrayLike) -> float:
    """Net promoter score over all non-blank answers of the range: ``%(9–10) − %(0–6)``, −100..100.

    Answers must be whole numbers 0–10 (``#NUM!`` otherwise); no answers → ``#DIV/0!``.
    """
    values = as_float(responses, "responses").reshape(-1)
    answers = values[~np.isnan(values)]
    if answers.size == 0:
        raise DivZeroError("no answers", "responses")
    bad = (answers < 0) | (answers > 10) | (answers != np.floor(answers))
    if bad.any():
        raise NumError(f"answers must be whole numbers 0–10, got {answers[bad][0]:g}", "responses")
    promoters = np.count_nonzero(answers >= 9)
    detractors = np.count_nonzero(answers <= 6)
    return float(100.0 * (promoters - detractors) / answers.size)
