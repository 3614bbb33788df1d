"""docs/SPEC.md's worked examples and each function's documented edge cases."""

import math

import numpy as np
import pytest

from gtm_xl.errors import CellError, DivZeroError, GTMError, NumError, ShapeError, ValueTypeError
from gtm_xl.math import allocation, compensation, funnel, metrics, scoring


# --- docs/SPEC.md section 2, "Examples that must hold" -----------------------------------------
def test_split_gmv_by_quarter():
    assert allocation.split_target(12_000_000, [2, 3, 4, 3]).tolist() == [2_000_000, 3_000_000, 4_000_000, 3_000_000]


def test_split_enrolments_by_role():
    assert allocation.split_target(1000, [4, 3, 3]).tolist() == [400, 300, 300]


def test_split_in_units_of_thousand():
    assert allocation.split_target(1_000_000, [1, 1, 1], 1000).tolist() == [334_000, 333_000, 333_000]


def test_cac_payback_bessemer():
    assert metrics.cac_payback(770_000, 100_000, 0.7) == pytest.approx(11)


def test_churn_annual_example():
    assert round(metrics.churn_annual(0.05), 4) == 0.4596


def test_ltv_and_ltv_cac_examples():
    assert metrics.ltv(100, 0.8, 0.02) == pytest.approx(4000)
    assert metrics.ltv_cac(100, 0.8, 0.02, 1000) == pytest.approx(4)


# --- LTV, CAC ----------------------------------------------------------------------------------
def test_ltv_with_horizon_and_discount():
    m, c, d, h = 80.0, 0.02, 0.01, 24
    q = (1 - c) / (1 + d)
    assert metrics.ltv(100, 0.8, c, d, h) == pytest.approx(m * (1 - q**h) / (c + d))
    assert metrics.ltv(100, 0.8, 0, 0, 36) == pytest.approx(80 * 36)


def test_ltv_endless_lifetime_is_div0():
    with pytest.raises(DivZeroError) as info:
        metrics.ltv(100, 0.8, 0)
    assert info.value.code == "#DIV/0!" and info.value.argument == "churn"


@pytest.mark.parametrize(
    "args, argument",
    [
        ((100, 0.8, 1.2), "churn"),
        ((100, 1.5, 0.02), "gross_margin"),
        ((-1, 0.8, 0.02), "arpa"),
        ((100, 0.8, 0.02, -0.1), "discount"),
        ((100, 0.8, 0.02, 0, -3), "horizon"),
    ],
)
def test_ltv_domain_errors_are_num(args, argument):
    with pytest.raises(NumError) as info:
        metrics.ltv(*args)
    assert info.value.argument == argument and info.value.code == "#NUM!"


def test_ltv_arrays_mark_bad_elements_only():
    out = metrics.ltv(np.array([100, 100, 100]), 0.8, np.array([0.02, 0.0, 2.0]))
    assert out[0] == pytest.approx(4000)
    assert out[1] == CellError("#DIV/0!") and out[2] == CellError("#NUM!")


def test_cac_rules():
    assert metrics.cac(500_000, 250) == 2000
    with pytest.raises(DivZeroError):
        metrics.cac(100, 0)
    with pytest.raises(NumError):
        metrics.cac(-5, 3)


def test_ltv_cac_rules():
    with pytest.raises(DivZeroError) as info:
        metrics.ltv_cac(100, 0.8, 0.02, 0)
    assert info.value.argument == "cac"
    with pytest.raises(NumError):
        metrics.ltv_cac(100, 0.8, 0.02, -1)


def test_payback_never_pays_back():
    with pytest.raises(NumError):
        metrics.cac_payback(1000, 0, 0.7)


def test_text_where_a_number_is_needed_is_value_error():
    with pytest.raises(ValueTypeError) as info:
        metrics.cac("lots", 3)
    assert info.value.code == "#VALUE!" and info.value.argument == "spend"


def test_error_values_in_inputs_propagate():
    with pytest.raises(GTMError) as info:
        metrics.cac(CellError("#N/A"), 3)
    assert info.value.code == "#N/A"


def test_mismatched_shapes_are_na():
    with pytest.raises(ShapeError):
        metrics.cac(np.ones(3), np.ones(2))


# --- churn, retention, NPS ---------------------------------------------------------------------
def test_churn_conversions_never_multiply_by_twelve():
    assert metrics.churn_annual(0.05) != pytest.approx(0.6)
    assert metrics.churn_monthly(metrics.churn_annual(0.05)) == pytest.approx(0.05)
    with pytest.raises(NumError):
        metrics.churn_monthly(1.2)


def test_nrr_and_grr():
    assert metrics.nrr(1_000_000, 150_000, 30_000, 70_000) == pytest.approx(1.05)
    assert metrics.nrr(100, 0, 0, 10, 5) == pytest.approx(0.95)
    assert metrics.grr(1_000_000, 30_000, 70_000) == pytest.approx(0.9)
    assert metrics.grr(100, 80, 70) == 0.0  # clamped
    with pytest.raises(DivZeroError):
        metrics.nrr(0, 1, 0, 0)
    with pytest.raises(NumError):
        metrics.grr(100, -1, 0)


def test_nps():
    assert metrics.nps([10, 9, 8, 7, 6]) == pytest.approx(20)
    assert metrics.nps([[10, None], [0, 9]]) == pytest.approx(100 * (2 - 1) / 3)
    with pytest.raises(DivZeroError):
        metrics.nps([None, None])
    with pytest.raises(NumError):
        metrics.nps([11])
    with pytest.raises(NumError):
        metrics.nps([7.5])


def test_attainment():
    assert metrics.attainment(90, 100) == pytest.approx(0.9)
    assert metrics.attainment(1200, 1000, lower_is_better=True) == pytest.approx(1000 / 1200)
    with pytest.raises(DivZeroError):
        metrics.attainment(5, 0)


# --- funnel ------------------------------------------------------------------------------------
def test_stage_conversion():
    assert funnel.stage_conversion([1000, 200, 50, 10]).tolist() == pytest.approx([0.2, 0.25, 0.2])
    assert funnel.stage_conversion([1000, 200, 50], cumulative=True).tolist() == pytest.approx([0.2, 0.05])


def test_zero_stage_errors_only_its_element():
    out = funnel.stage_conversion([[1000], [0], [5]])
    assert out.shape == (2, 1)
    assert out[0, 0] == 0.0 and out[1, 0] == CellError("#DIV/0!")


def test_funnel_block_works_row_by_row():
    out = funnel.stage_conversion(np.array([[100.0, 50, 10], [10, 5, 5]]))
    assert out.tolist() == [[0.5, 0.2], [0.5, 1.0]]


def test_losing_stage():
    assert funnel.losing_stage([1000, 400, 40, 20]) == 2


def test_reverse_funnel():
    assert funnel.reverse_funnel(1_000_000, 10_000, [0.2, 0.25, 0.2]).tolist() == [10000, 2000, 500, 100]
    assert funnel.reverse_funnel(1001, 100, [0.5]).tolist() == [22, 11]  # ceilings all the way up
    with pytest.raises(DivZeroError):
        funnel.reverse_funnel(1000, 0, [0.5])
    with pytest.raises(NumError):
        funnel.reverse_funnel(1000, 10, [1.5])


# --- scoring -----------------------------------------------------------------------------------
def test_weighted_score_row_and_block():
    assert scoring.weighted_score([8, 6, 9], [0.5, 0.3, 0.2]) == pytest.approx(7.6)
    out = scoring.weighted_score([[8, 6, 9], [10, 10, 10]], [5, 3, 2])
    assert out.tolist() == pytest.approx([7.6, 10])


def test_weighted_score_missing_modes():
    assert scoring.weighted_score([8, None, 9], [0.5, 0.3, 0.2]) == pytest.approx((4 + 1.8) / 0.7)
    assert scoring.weighted_score([8, None, 9], [0.5, 0.3, 0.2], "zero") == pytest.approx(5.8)


def test_weighted_score_errors():
    with pytest.raises(NumError):
        scoring.weighted_score([8, 6], [1, -1])
    with pytest.raises(NumError):
        scoring.weighted_score([8, 6], [0, 0])
    with pytest.raises(ShapeError):
        scoring.weighted_score([8, 6], [1, 1, 1])
    with pytest.raises(NumError):
        scoring.weighted_score([11, 6], [1, 1])
    with pytest.raises(ShapeError):
        scoring.weighted_score([None, None], [1, 1])
    out = scoring.weighted_score([[None, None], [5, 5], [5, 12]], [1, 1])
    assert out[0] == CellError("#N/A") and out[1] == 5 and out[2] == CellError("#NUM!")


def test_weighted_score_custom_scale():
    assert scoring.weighted_score([80, 60], [1, 1], scale_min=0, scale_max=100) == pytest.approx(70)


def test_tier_defaults_and_bounds():
    assert [scoring.tier(x) for x in (10, 7, 6.99, 4, 3.99, 0)] == ["A", "A", "B", "B", "C", "C"]
    assert scoring.tier(0.95, [1, 0.9], ["Green", "Amber", "Red"]) == "Amber"
    out = scoring.tier(np.array([[7.5], [None], [CellError("#NUM!")]], dtype=object))
    assert out[0, 0] == "A" and out[1, 0] == CellError("#N/A") and out[2, 0] == CellError("#NUM!")
    with pytest.raises(NumError):
        scoring.tier(5, [4, 7])
    with pytest.raises(ShapeError):
        scoring.tier(5, [7, 4], ["A", "B"])


# --- allocation --------------------------------------------------------------------------------
def test_split_ties_go_to_larger_weight_then_earlier_position():
    assert allocation.split_target(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert allocation.split_target(2, [1, 1, 1]).tolist() == [1, 1, 0]


def test_split_even_when_all_weights_zero_and_blank_weights_are_zero():
    assert allocation.split_target(100, [0, 0, 0, 0]).tolist() == [25, 25, 25, 25]
    assert allocation.split_target(100, [None, 1, 1]).tolist() == [0, 50, 50]


def test_split_locked_parts_are_kept():
    assert allocation.split_target(100, [1, 1, 1], 1, [None, 50, None]).tolist() == [25, 50, 25]
    with pytest.raises(NumError):
        allocation.split_target(100, [1, 1], 1, [150, None])
    with pytest.raises(NumError):
        allocation.split_target(100, [1, 1], 1, [30, 30])


def test_split_residual_goes_to_largest_part():
    assert allocation.split_target(1_000_001, [1, 1, 1], 1000).tolist() == [334_001, 333_000, 333_000]
    assert allocation.split_target(1_000_500, [1, 2, 1], 1000).tolist() == [250_000, 500_500, 250_000]


def test_split_negative_total_and_errors():
    assert allocation.split_target(-100, [1, 1, 1]).tolist() == [-34, -33, -33]
    with pytest.raises(NumError):
        allocation.split_target(100, [1, -1])
    with pytest.raises(NumError):
        allocation.split_target(100, [1, 1], 0)


def test_split_keeps_orientation_and_splits_rows():
    col = allocation.split_target(100, np.array([[1.0], [3.0]]))
    assert col.shape == (2, 1) and col.ravel().tolist() == [25, 75]
    rows = allocation.split_target(np.array([100.0, 10.0]), [1, 1, 1])
    assert rows.tolist() == [[34, 33, 33], [4, 3, 3]]


def test_split_fractional_unit_sums_exactly():
    parts = allocation.split_target(10, [1, 1, 1], 0.01)
    assert math.fsum(parts) == 10 and parts.tolist() == pytest.approx([3.34, 3.33, 3.33])


# --- compensation ------------------------------------------------------------------------------
def test_commission_accelerators_from_the_seed():
    assert compensation.commission(1.0, 1000) == 1000
    assert compensation.commission(1.2, 1000) == pytest.approx(1200)
    assert compensation.commission(1.49, 1000) == pytest.approx(1200)
    assert compensation.commission(1.5, 1000) == pytest.approx(1500)
    assert compensation.commission(0.8, 1000) == pytest.approx(800)
    assert compensation.commission(0.8, 1000, below="zero") == 0


def test_commission_custom_tiers_and_errors():
    assert compensation.commission(1.1, 100, [[1.1, 0.1]]) == pytest.approx(110)
    with pytest.raises(NumError):
        compensation.commission(-0.1, 100)
    with pytest.raises(ValueTypeError):
        compensation.commission(1, 100, None, "double")


# --- blanks and non-finite numbers: one rule in gtm_xl.math.numeric -------------------------------
def test_empty_text_is_a_blank_in_every_function():
    """``""`` (what IF(x="","",…) leaves in a cell) behaves exactly as an empty cell."""
    assert scoring.weighted_score([8, "", 9], [0.5, 0.3, 0.2]) == scoring.weighted_score([8, None, 9], [0.5, 0.3, 0.2])
    out = scoring.weighted_score([["", "", ""], [1, 2, ""]], [1, 1, 1])
    assert out[0] == CellError("#N/A") and out[1] == 1.5
    assert list(allocation.split_target(100, ["", 1])) == [0, 100]
    assert list(allocation.split_target(100, [1, 1], 1, ["", 30])) == [70, 30]
    assert metrics.ltv("", 0.8, 0.02) == metrics.ltv(None, 0.8, 0.02) == 0.0
    assert metrics.ltv(np.array([[100, ""]], dtype=object), 0.8, 0.02).tolist() == [[4000.0, 0.0]]
    assert metrics.nps([10, "", 6, None]) == 0.0
    with pytest.raises(ShapeError, match="score"):
        scoring.tier("")
    assert list(scoring.tier(np.array([8, "", 1], dtype=object))) == ["A", CellError("#N/A"), "C"]
    assert funnel.stage_conversion([100, "", 5])[0] == CellError("#N/A")
    assert compensation.commission(1.3, 1000, [[1.2, 0.2], ["", ""]]) == 1200
    with pytest.raises(ValueTypeError, match="scores"):  # other text is still #VALUE!
        scoring.weighted_score([8, "x", 9], [1, 1, 1])


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: metrics.ltv(math.inf, 0.8, 0.02), "arpa"),
        (lambda: metrics.ltv(100, 0.8, 0.02, 0, math.inf), "horizon"),
        (lambda: metrics.cac(-math.inf, 3), "spend"),
        (lambda: metrics.ltv_cac(100, 0.8, 0.02, math.inf), "cac"),
        (lambda: metrics.nrr([1, math.inf], 0, 0, 0), "start"),
        (lambda: metrics.churn_annual(np.array([0.1, np.inf])), "monthly"),
        (lambda: allocation.split_target(math.inf, [1, 1]), "total"),
        (lambda: allocation.split_target(100, [1, math.inf]), "weights"),
        (lambda: scoring.weighted_score([5, 5], [1, math.inf]), "weights"),
        (lambda: scoring.tier(math.inf), "score"),
        (lambda: funnel.reverse_funnel(math.inf, 10, [0.5]), "target_revenue"),
        (lambda: compensation.commission(math.inf, 100), "attainment"),
        (lambda: metrics.nps([10, math.inf]), "responses"),
    ],
)
def test_infinite_inputs_are_num_naming_the_argument(call, argument):
    with pytest.raises(NumError, match="not a finite number") as info:
        call()
    assert info.value.argument == argument and info.value.code == "#NUM!"


def test_nan_is_a_blank_on_the_scalar_and_the_array_path():
    assert metrics.ltv(math.nan, 0.8, 0.02) == metrics.ltv(np.array([math.nan]), 0.8, 0.02)[0] == 0.0
    with pytest.raises(DivZeroError):  # a blank count of new customers is 0: #DIV/0!, never nan
        metrics.cac(100, math.nan)


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.cac(1e308, 1e-10),
        lambda: metrics.ltv(1e308, 1, 1e-300),
        lambda: metrics.ltv_cac(1e308, 1, 0.5, 1e-300),
        lambda: metrics.cac_payback(1e308, 1e-300, 1),
        lambda: metrics.nrr(1e-300, 1e308, 0, 0),
        lambda: metrics.attainment(1e308, 1e-10),
        lambda: compensation.commission(1.5, 1.7e308),
        lambda: allocation.split_target(1.7e308, [1, 1], 1, [-1.7e308, None]),  # the free part: 3.4e308
        lambda: funnel.reverse_funnel(1e308, 1e-10, [0.5]),
        lambda: scoring.weighted_score([5, 5], [1e308, 1e308]),
    ],
)
def test_overflowing_results_are_num_not_inf(call):
    with pytest.raises(NumError, match="not a finite number"):
        call()


def test_overflow_in_an_array_marks_that_element_only():
    out = metrics.cac([1e308, 100], [1e-10, 4])
    assert out[0] == CellError("#NUM!") and out[1] == 25.0


def test_reverse_funnel_for_a_column_of_targets_gives_one_funnel_per_row():
    """One row per target, each equal to the single-target funnel (vectorised, not a loop)."""
    rates = [0.3, 0.3, 0.25]
    targets = [[1_000_000.0], [2_000_000.0], [None]]  # a blank target needs nothing
    got = funnel.reverse_funnel(targets, 1_000, rates)
    assert got.shape == (3, 4)
    for row, t in zip(got.tolist(), (1_000_000, 2_000_000, 0)):
        assert row == funnel.reverse_funnel(t, 1_000, rates).tolist()
    per_deal = funnel.reverse_funnel([[1_000_000.0], [1_000_000.0]], [[1_000.0], [10_000.0]], rates)
    assert per_deal[:, -1].tolist() == [1000, 100]
    with pytest.raises(ShapeError):
        funnel.reverse_funnel([[1.0], [2.0], [3.0]], [[1.0], [2.0]], rates)


def test_commission_with_a_tiers_range_left_blank_pays_no_accelerator():
    """Found by the LAMBDA property tests: an all-blank tiers range indexed an empty array."""
    from gtm_xl.math.compensation import commission

    assert commission(1.3, 100.0, [[None, None]]) == 100.0
    assert commission(0.5, 100.0, [[None, None], [None, None]]) == 50.0
