"""Invariants of the GTM math, held by hypothesis over generated inputs."""

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gtm_xl.math import allocation, metrics, scoring

weights_st = st.lists(st.integers(0, 1000), min_size=1, max_size=12)
units_st = st.sampled_from([1, 5, 10, 1000])


@given(total=st.integers(-(10**9), 10**9), weights=weights_st, unit=units_st)
def test_split_sums_exactly_to_total_in_units(total, weights, unit):
    parts = allocation.split_target(total, weights, unit)
    assert math.fsum(parts) == total
    residual = abs(total) % unit
    off_unit = [p for p in parts if p % unit != 0]
    # every part is a multiple of unit except the one that took the documented residual
    assert len(off_unit) <= (1 if residual else 0)


@given(total=st.integers(0, 10**8), weights=weights_st)
def test_larger_weight_never_gets_smaller_part(total, weights):
    parts = allocation.split_target(total, weights)
    for i, wi in enumerate(weights):
        for j, wj in enumerate(weights):
            if wi > wj:
                assert parts[i] >= parts[j]


@given(total=st.integers(0, 10**7), weights=st.lists(st.integers(0, 100), min_size=2, max_size=8), data=st.data())
def test_locked_parts_are_kept(total, weights, data):
    n = len(weights)
    lock_mask = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    assume(not all(lock_mask))
    lock_values = data.draw(st.lists(st.integers(0, max(total // n, 0)), min_size=n, max_size=n))
    locked = [v if m else None for v, m in zip(lock_values, lock_mask)]
    parts = allocation.split_target(total, weights, 1, locked)
    for p, lock in zip(parts, locked):
        if lock is not None:
            assert p == lock
    assert math.fsum(parts) == total


@given(rows=st.integers(1, 20), cols=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=60)
def test_weighted_score_stays_inside_scale(rows, cols, seed):
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 10, (rows, cols))
    scores[rng.random((rows, cols)) < 0.2] = np.nan
    weights = rng.uniform(0, 5, cols)
    assume(weights.sum() > 0)
    out = scoring.weighted_score(scores, weights)
    for value in np.asarray(out, dtype=object).tolist():
        if isinstance(value, float):
            assert -1e-9 <= value <= 10 + 1e-9


@given(arpa=st.floats(1, 1e5), gm=st.floats(0.05, 1), churn=st.floats(0.005, 0.5), discount=st.floats(0, 0.05))
def test_ltv_with_horizon_approaches_ltv_without(arpa, gm, churn, discount):
    endless = metrics.ltv(arpa, gm, churn, discount)
    short = metrics.ltv(arpa, gm, churn, discount, 12)
    long = metrics.ltv(arpa, gm, churn, discount, 10_000)
    assert short <= long + 1e-9 * endless
    assert math.isclose(long, endless, rel_tol=1e-9)


@given(monthly=st.floats(0, 0.5), annual=st.floats(0, 0.999))
def test_churn_conversions_invert_each_other(monthly, annual):
    # monthly churn above ~0.5 makes the annual rate so close to 1 that doubles cannot tell
    # which monthly rate it came from; the realistic range inverts to 1e-9
    assert math.isclose(metrics.churn_monthly(metrics.churn_annual(monthly)), monthly, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(metrics.churn_annual(metrics.churn_monthly(annual)), annual, rel_tol=1e-9, abs_tol=1e-12)


@given(scores=st.lists(st.floats(0, 10), min_size=1, max_size=30))
def test_tier_is_monotonic(scores):
    order = "ABC"
    ranked = sorted(scores, reverse=True)
    tiers = [order.index(scoring.tier(s)) for s in ranked]
    assert tiers == sorted(tiers)


num = st.floats(-2, 2, allow_nan=False) | st.just(0.0) | st.just(1.0)


@given(
    arpa=st.floats(-10, 1e4),
    gm=num,
    churn=num,
    discount=num,
    cac=st.floats(-10, 1e4) | st.just(0.0),
    horizon=st.none() | st.floats(-1, 120),
)
def test_scalar_fast_path_agrees_with_the_array_path(arpa, gm, churn, discount, cac, horizon):
    """A single cell (plain floats) and a range (numpy) go different ways; they must agree."""
    from gtm_xl.errors import GTMError

    try:
        scalar = metrics.ltv_cac(arpa, gm, churn, cac, discount, horizon)
    except GTMError as exc:
        scalar = exc.code
    h = None if horizon is None else np.array([horizon])
    element = metrics.ltv_cac(np.array([arpa]), gm, churn, cac, discount, h)[0]
    element = element.code if hasattr(element, "code") else element
    if isinstance(scalar, str):
        assert element == scalar
    else:
        assert math.isclose(scalar, element, rel_tol=1e-12, abs_tol=1e-300)
    for conv in (metrics.churn_annual, metrics.churn_monthly):
        try:
            s = conv(churn)
        except GTMError as exc:
            s = exc.code
        e = conv(np.array([churn]))[0]
        e = e.code if hasattr(e, "code") else e
        assert s == e if isinstance(s, str) else math.isclose(s, e, rel_tol=1e-12, abs_tol=1e-300)


big = st.floats(-1e308, 1.7e308, allow_nan=False, allow_infinity=False)
any_float = st.floats(allow_nan=True, allow_infinity=True) | big | st.none() | st.just("")


@given(args=st.lists(any_float, min_size=5, max_size=5))
@settings(max_examples=300)
def test_no_function_ever_returns_inf_or_nan(args):
    """Whatever the numbers (±inf, nan, 1e308, blanks, ""), a GTM function gives a finite number
    or a GTM error (#NUM! for infinite inputs and overflowing results), on both paths."""
    from gtm_xl.errors import CellError, GTMError
    from gtm_xl.math import compensation, funnel

    calls = [
        lambda a: metrics.ltv(a[0], a[1], a[2], a[3], a[4]),
        lambda a: metrics.ltv(a[0], a[1], a[2]),
        lambda a: metrics.cac(a[0], a[1]),
        lambda a: metrics.ltv_cac(a[0], a[1], a[2], a[3]),
        lambda a: metrics.cac_payback(a[0], a[1], a[2]),
        lambda a: metrics.nrr(a[0], a[1], a[2], a[3], a[4]),
        lambda a: metrics.grr(a[0], a[1], a[2]),
        lambda a: metrics.attainment(a[0], a[1]),
        lambda a: metrics.churn_annual(a[0]),
        lambda a: compensation.commission(a[0], a[1]),
        lambda a: allocation.split_target(a[0], a[1:4]),
        lambda a: scoring.weighted_score(a[:2], a[2:4]),
        lambda a: funnel.reverse_funnel(a[0], a[1], [0.5]),
    ]
    arrays = [np.array([v], dtype=object) for v in args]
    for call in calls:
        for inputs in (args, arrays):
            try:
                out = call(inputs)
            except GTMError:
                continue
            for value in np.asarray(out, dtype=object).reshape(-1).tolist():
                assert isinstance(value, CellError) or math.isfinite(value), (call, inputs, out)
