"""Property tests: each GTM LAMBDA definition, evaluated by the headless engine, gives what the
Python function gives (through the same engine and cells) on random inputs — ranges with blanks,
"" texts, other texts, TRUE/FALSE, error values, zeros and negatives; splits with ties, units and
locks. Numbers equal to 1e-9 relative, error values equal by code, shapes equal.

A keyword or TRUE/FALSE option spread over several cells is #VALUE! in both, except that the
engine's table entry takes N equal copies as one (a batch hands an option over as a column of
N equal texts); the generators give such options distinct values."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lambda_helpers import both, same

from gtm_xl.errors import CellError

#: examples per function (GTM_PROPERTY_EXAMPLES raises it for a longer hunt)
EXAMPLES = int(os.environ.get("GTM_PROPERTY_EXAMPLES", "120"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

ODD = st.sampled_from([None, "", "x", True, False, CellError("#N/A"), CellError("#DIV/0!")])


def cells(good: st.SearchStrategy, odd_weight: int = 1) -> st.SearchStrategy:
    """A cell value: mostly ``good``, sometimes blank / text / logical / error."""
    return st.one_of(*([good] * (8 - odd_weight)), *([ODD] * odd_weight))


def blocks(cell: st.SearchStrategy, rows: st.SearchStrategy, cols: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(rows, cols).flatmap(
        lambda rc: st.lists(st.lists(cell, min_size=rc[1], max_size=rc[1]), min_size=rc[0], max_size=rc[0])
    )


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """An optional argument: left out, an empty argument, a blank cell, or a value."""
    return st.one_of(st.just("<omit>"), st.just("<empty>"), st.just(None), strategy)


def rate(lo=-0.1, hi=1.1):
    return st.one_of(
        st.sampled_from([0.0, 1.0, 0.5, 0.02]), st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 6))
    )


AMOUNT = st.one_of(
    st.sampled_from([0.0, 100.0, 1000.0]), st.floats(-50, 1e6, allow_nan=False).map(lambda x: round(x, 2))
)


def check(name: str, args: list) -> None:
    # a left-out argument ends the call: everything after it is left out too
    if "<omit>" in args:
        args = args[: args.index("<omit>")]
    lam, py = both(name, args)
    assert same(lam, py), f"{name}{args}: LAMBDA {lam!r} != Python {py!r}"


def number_args(*strategies: st.SearchStrategy) -> st.SearchStrategy:
    """Arguments of an elementwise function: all single cells, or columns of one length (some
    arguments single cells), or (rarely) columns of different lengths (#N/A)."""
    n = st.integers(1, 3)

    def shaped(k: int):
        return st.tuples(
            *[
                st.one_of(cells(s), st.lists(st.lists(cells(s), min_size=1, max_size=1), min_size=k, max_size=k))
                for s in strategies
            ]
        )

    return n.flatmap(shaped).map(list)


@SETTINGS
@given(
    number_args(AMOUNT, rate(), rate()),
    optional(cells(rate(-0.05, 0.2))),
    optional(cells(st.integers(-2, 60).map(float))),
)
def test_ltv(args, discount, horizon):
    check("GTM_LTV", [*args, discount, horizon])


@SETTINGS
@given(
    number_args(AMOUNT, rate(), rate(), AMOUNT),
    optional(cells(rate(-0.05, 0.2))),
    optional(cells(st.integers(-2, 60).map(float))),
)
def test_ltv_cac(args, discount, horizon):
    check("GTM_LTV_CAC", [*args, discount, horizon])


@SETTINGS
@given(number_args(AMOUNT, AMOUNT.map(lambda x: round(x / 100)).map(float)))
def test_cac(args):
    check("GTM_CAC", args)


@SETTINGS
@given(number_args(AMOUNT, AMOUNT, rate()))
def test_cac_payback(args):
    check("GTM_CAC_PAYBACK", args)


@SETTINGS
@given(number_args(st.one_of(rate(), st.floats(0, 1e-6).map(lambda x: round(x, 12)))))
def test_churn_annual(args):
    check("GTM_CHURN_ANNUAL", args)


@SETTINGS
@given(number_args(st.one_of(rate(), st.floats(0, 1e-6).map(lambda x: round(x, 12)))))
def test_churn_monthly(args):
    check("GTM_CHURN_MONTHLY", args)


@SETTINGS
@given(number_args(AMOUNT, AMOUNT, AMOUNT, AMOUNT), optional(cells(AMOUNT)))
def test_nrr(args, reactivation):
    check("GTM_NRR", [*args, reactivation])


@SETTINGS
@given(number_args(AMOUNT, AMOUNT, AMOUNT))
def test_grr(args):
    check("GTM_GRR", args)


FLAGS = st.sampled_from([True, False, 1.0, 0.0, "TRUE", "false", " True ", "maybe", CellError("#N/A"), [[True, False]]])


@SETTINGS
@given(number_args(AMOUNT, AMOUNT), optional(FLAGS))
def test_attainment(args, flag):
    check("GTM_ATTAINMENT", [*args, flag])


COUNT = st.one_of(st.integers(0, 1000).map(float), st.sampled_from([0.0, -5.0]))


@SETTINGS
@given(
    st.one_of(
        blocks(cells(COUNT), st.just(1), st.integers(1, 5)),
        blocks(cells(COUNT), st.integers(1, 5), st.just(1)),
        blocks(cells(COUNT), st.integers(2, 3), st.integers(2, 4)),
        cells(COUNT),
    ),
    optional(FLAGS),
)
def test_funnel(counts, cumulative):
    check("GTM_FUNNEL", [counts, cumulative])


STAGE_RATE = st.one_of(
    st.sampled_from([0.2, 0.25, 0.5, 1.0, 0.0, 1.5, -0.1]), st.floats(0.01, 1).map(lambda x: round(x, 4))
)


@SETTINGS
@given(
    st.one_of(cells(AMOUNT), blocks(cells(AMOUNT), st.integers(1, 3), st.just(1))),
    st.one_of(cells(AMOUNT), blocks(cells(AMOUNT), st.integers(1, 3), st.just(1))),
    st.one_of(
        blocks(cells(STAGE_RATE), st.just(1), st.integers(1, 4)),
        blocks(cells(STAGE_RATE), st.integers(1, 4), st.just(1)),
        cells(STAGE_RATE),
    ),
)
def test_reverse_funnel(target, deal, rates):
    check("GTM_REVERSE_FUNNEL", [target, deal, rates])


SCORE = st.one_of(st.integers(0, 10).map(float), st.floats(-1, 11).map(lambda x: round(x, 3)))
WEIGHT = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 0.5]), st.floats(-0.5, 5).map(lambda x: round(x, 3)))
KEYWORD = st.sampled_from(["reweight", "zero", "ZERO ", "other", 3.0, CellError("#N/A"), [["zero", "reweight"]]])


@SETTINGS
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            blocks(cells(SCORE, 2), st.integers(1, 4), st.just(k)),
            st.one_of(
                blocks(cells(WEIGHT), st.just(1), st.just(k)), blocks(cells(WEIGHT), st.just(1), st.integers(1, 4))
            ),
        )
    ),
    optional(KEYWORD),
    optional(cells(st.sampled_from([0.0, 1.0, -5.0, 10.0]))),
    optional(cells(st.sampled_from([10.0, 5.0, 100.0, 0.0]))),
)
def test_weighted_score(scores_weights, missing, lo, hi):
    scores, weights = scores_weights
    check("GTM_WEIGHTED_SCORE", [scores, weights, missing, lo, hi])


THRESHOLDS = st.one_of(
    st.lists(st.integers(0, 10), min_size=1, max_size=4, unique=True).map(
        lambda xs: [[float(x)] for x in sorted(xs, reverse=True)]
    ),
    blocks(cells(st.integers(0, 10).map(float)), st.integers(1, 3), st.just(1)),
)
LABELS = st.integers(1, 5).flatmap(
    lambda k: blocks(cells(st.sampled_from(["A", "B", "C", "D", "E", "key", 1.0])), st.just(k), st.just(1))
)


@SETTINGS
@given(
    st.one_of(cells(SCORE, 2), blocks(cells(SCORE, 2), st.integers(1, 4), st.just(1))),
    optional(THRESHOLDS),
    optional(LABELS),
)
def test_tier(score, thresholds, labels):
    check("GTM_TIER", [score, thresholds, labels])


TOTAL = st.one_of(st.sampled_from([0.0, 1000.0, 12000000.0, -1000.0, 10.0, 7.0]), st.integers(-100, 100000).map(float))
SPLIT_WEIGHT = st.one_of(st.integers(0, 3).map(float), st.sampled_from([0.5, 2.5, -1.0]))
LOCK = st.one_of(st.just(None), st.just(None), st.integers(0, 500).map(float))


@st.composite
def splits(draw):
    shape = draw(st.sampled_from(["row", "column", "block"]))
    k = draw(st.integers(1, 5))
    rows = draw(st.integers(2, 3)) if shape == "block" else (k if shape == "column" else 1)
    cols = draw(st.integers(2, 4)) if shape == "block" else (1 if shape == "column" else k)
    weights = draw(blocks(cells(SPLIT_WEIGHT, 1), st.just(rows), st.just(cols)))
    total = draw(
        st.one_of(
            cells(TOTAL, 1),
            blocks(cells(TOTAL, 1), st.just(rows if shape == "block" else draw(st.integers(1, 3))), st.just(1)),
        )
    )
    unit = draw(optional(cells(st.sampled_from([1.0, 1000.0, 0.5, 3.0, 0.0, -1.0, 0.25]), 1)))
    locked = draw(optional(blocks(cells(LOCK, 1), st.just(rows), st.just(cols))))
    return [total, weights, unit, locked]


@settings(max_examples=3 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(splits())
def test_split_target(args):
    check("GTM_SPLIT_TARGET", args)


ATTAIN = st.one_of(st.sampled_from([1.0, 1.2, 1.5, 0.0, 0.99, 2.0, -0.1]), st.floats(0, 2).map(lambda x: round(x, 3)))
TIER_TABLE = st.one_of(
    blocks(cells(st.sampled_from([1.0, 1.1, 1.2, 1.5, 2.0, 0.9, 0.2, 0.5, -0.1]), 1), st.integers(1, 3), st.just(2)),
    blocks(cells(st.sampled_from([1.0, 1.2, 1.5, 0.2, 0.5]), 1), st.just(2), st.integers(1, 3)),
    cells(st.just(1.2)),
)


@SETTINGS
@given(
    number_args(ATTAIN, AMOUNT),
    optional(TIER_TABLE),
    optional(st.sampled_from(["prorata", "zero", "Zero", "x", CellError("#N/A")])),
)
def test_commission(args, tiers, below):
    check("GTM_COMMISSION", [*args, tiers, below])


ANSWER = st.one_of(st.integers(0, 10).map(float), st.sampled_from([11.0, -1.0, 5.5]))


@SETTINGS
@given(blocks(cells(ANSWER, 1), st.integers(1, 4), st.integers(1, 4)))
def test_nps(responses):
    check("GTM_NPS", [responses])
