"""Helpers for the template tests: inputs read/written through defined names, randomised inputs,
and the comparison of a recalculated workbook's outputs with the Python math."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl

from gtm_xl.templates import template_module
from gtm_xl.templates.names import read_block, write_block
from gtm_xl.templates.verify import output_differences


def input_names(kind: str) -> list[str]:
    return [n for n, i in template_module(kind).NAMES.items() if i.kind == "input"]


def output_names(kind: str) -> list[str]:
    return [n for n, i in template_module(kind).NAMES.items() if i.kind == "output"]


def read_inputs(wb, kind: str) -> dict[str, list[list[Any]]]:
    return {n: read_block(wb, n) for n in input_names(kind)}


def _r1(rng: random.Random, lo: float, hi: float, digits: int = 1) -> float:
    return round(rng.uniform(lo, hi), digits)


def random_inputs(kind: str, rng: random.Random, current: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """New values for some input blocks of a template (shapes from ``current``); texts kept."""
    col = lambda n, f: [[f()] for _ in current[n]]  # noqa: E731
    row = lambda n, f: [[f() for _ in current[n][0]]]  # noqa: E731
    hi = _r1(rng, 5.5, 8.5, 2)
    thresholds = [[hi], [_r1(rng, 2.0, hi - 1, 2)]]
    if kind == "scoring_matrix":
        return {
            "criteria_weights": row("criteria_weights", lambda: _r1(rng, 0, 1, 2)),
            "criteria_direction": row("criteria_direction", lambda: rng.choice(["higher", "lower"])),
            "tier_thresholds": thresholds,
            "size_targeting": [[rng.choice("YN") for _ in r] for r in current["size_targeting"]],
            "industry_scores": [[_r1(rng, 0, 10) for _ in r] for r in current["industry_scores"]],
        }
    if kind == "budget_by_tier":
        unit = rng.choice([1, 100, 1000, 5000])
        return {
            "budget_unit": [[unit]],
            "total_budget": [[unit * rng.randint(1, 40_000)]],
            "tier_thresholds": thresholds,
            "tier_shares": col("tier_shares", lambda: _r1(rng, 0, 1, 3)),
            "quarter_weights": col("quarter_weights", lambda: rng.randint(0, 7)),
            "month_weights": col("month_weights", lambda: _r1(rng, 0, 3, 2)),
            "gmv_target": [[rng.randint(0, 50_000_000)]],
            "enrolment_target": [[rng.randint(0, 5_000)]],
            "role_weights": col("role_weights", lambda: rng.randint(1, 9)),
            "channel_weights": col("channel_weights", lambda: _r1(rng, 0, 50, 1)),
            "scenario_factors": col("scenario_factors", lambda: _r1(rng, 0.8, 1.2, 3)),
            "potential_firms": [[rng.randint(1_000, 200_000)]],
            "served_firms": [[rng.randint(0, 5_000)]],
            "penetration_goal": [[_r1(rng, 0, 0.3, 3)]],
            "milestone_shares": col("milestone_shares", lambda: _r1(rng, 0, 1, 2)),
            "industry_scores": col("industry_scores", lambda: _r1(rng, 0, 10)),
        }
    if kind == "kpi_scorecard":
        t1 = _r1(rng, 1.0, 1.4, 2)
        counts = [rng.randint(5_000, 50_000)]
        for _ in range(3):
            counts.append(rng.randint(1, counts[-1]))
        return {
            "rag_thresholds": [[_r1(rng, 0.95, 1.05, 3)], [_r1(rng, 0.8, 0.93, 3)]],
            "commission_base": [[rng.randint(10_000, 200_000)]],
            "commission_tiers": [[t1, _r1(rng, 0, 0.3, 2)], [_r1(rng, t1 + 0.05, 2.0, 2), _r1(rng, 0.3, 1, 2)]],
            "kpi_direction": col("kpi_direction", lambda: rng.choice(["higher", "lower"])),
            "kpi_target": col("kpi_target", lambda: _r1(rng, 1, 1000, 2)),
            "kpi_actual": col("kpi_actual", lambda: _r1(rng, 1, 1000, 2)),
            "computed_kpi_target": col("computed_kpi_target", lambda: _r1(rng, 0.5, 20, 2)),
            "arpa": [[_r1(rng, 100, 10_000, 0)]],
            "gross_margin": [[_r1(rng, 0.3, 0.95, 3)]],
            "churn_rate": [[_r1(rng, 0.005, 0.1, 4)]],
            "discount_rate": [[_r1(rng, 0, 0.02, 4)]],
            "cac": [[_r1(rng, 1_000, 50_000, 0)]],
            "mrr_start": [[rng.randint(100_000, 5_000_000)]],
            "mrr_expansion": [[rng.randint(0, 500_000)]],
            "mrr_contraction": [[rng.randint(0, 100_000)]],
            "mrr_churned": [[rng.randint(0, 200_000)]],
            "mrr_reactivation": [[rng.randint(0, 50_000)]],
            "funnel_counts": [[c] for c in counts],
            "planning_inputs": [
                [rng.randint(1_000, 9_000)],
                [rng.randint(500, 1_000)],
                [rng.randint(50, 500)],
                [rng.randint(1, 50)],
                [rng.randint(1_000_000, 9_000_000)],
                [rng.randint(0, 1_000_000)],
            ],
            "commission_attainment": [[_r1(rng, 0, 2, 3)]],
            "commission_schedule_attainment": col("commission_schedule_attainment", lambda: _r1(rng, 0, 2, 3)),
            "mrr_target": col("mrr_target", lambda: rng.randint(500_000, 1_500_000)),
            "mrr_actual": col("mrr_actual", lambda: rng.randint(400_000, 1_600_000)),
        }
    raise KeyError(kind)


def write_random_copy(src: Path, dst: Path, kind: str, seed: int) -> None:
    wb = openpyxl.load_workbook(src)
    values = random_inputs(kind, random.Random(seed), read_inputs(wb, kind))
    for name, block in values.items():
        write_block(wb, name, block)
    wb.save(dst)


def compare_outputs(source: Path, recalculated: Path, kind: str) -> list[str]:
    """Differences between the recalculated outputs and the Python math from the source's inputs."""
    return output_differences(source, recalculated, kind)


def edge_inputs(kind: str, current: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """Inputs at the edges of the rules: ties, zero weights (even split), empty tiers, thresholds hit exactly."""
    if kind == "scoring_matrix":
        scores = [[5, 5, 5, 5] for _ in current["industry_scores"]]
        scores[0], scores[1], scores[2] = [10, 10, 0, 10], [7, 7, 3, 7], [4, 4, 6, 4]
        return {
            "criteria_weights": [[1, 1, 1, 1]],
            "criteria_direction": [["higher", "higher", "lower", "higher"]],
            "industry_scores": scores,
        }
    if kind == "budget_by_tier":
        n = len(current["industry_scores"])
        return {
            "tier_thresholds": [[9.5], [9.0]],
            "industry_scores": [[5.0]] * n,
            "quarter_weights": [[0]] * 4,
            "month_weights": [[0], [0], [1]],
            "budget_unit": [[1000]],
            "total_budget": [[7000]],
            "channel_weights": [[1]] * 4,
            "tier_shares": [[1], [1], [1]],
            "role_weights": [[0], [0], [0]],
            "enrolment_target": [[10]],
        }
    if kind == "kpi_scorecard":
        return {
            "funnel_counts": [[1000], [500], [250], [125]],
            "commission_attainment": [[1.2]],
            "commission_schedule_attainment": [[0], [1], [1.5], [2]],
            "mrr_contraction": [[2_000_000]],
        }
    raise KeyError(kind)


def write_edge_copy(src: Path, dst: Path, kind: str) -> None:
    wb = openpyxl.load_workbook(src)
    for name, block in edge_inputs(kind, read_inputs(wb, kind)).items():
        write_block(wb, name, block)
    wb.save(dst)


#: copies whose industry table is partly blank, as `gtm-xl distribute` leaves a region with 6 of 12
#: industries: "six" (rows 7–12 empty), "unscored" (also a named industry whose scores are blank)
BLANK_ROW_VARIANTS = ("six", "unscored")


def blank_row_inputs(kind: str, current: dict[str, list[list[Any]]], variant: str) -> dict[str, list[list[Any]]]:
    """The industry names and scores of ``current`` with rows 7–12 cleared (and, for "unscored",
    the scores of industry 4 blank while its name stays)."""
    names = [list(r) for r in current["industry_names"]]
    scores = [list(r) for r in current["industry_scores"]]
    for i in range(6, len(names)):
        names[i] = [None]
        scores[i] = [None] * len(scores[i])
    if variant == "unscored":
        scores[3] = [None] * len(scores[3])
    return {"industry_names": names, "industry_scores": scores}


def residual_inputs(kind: str, current: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """A total budget that is not a whole number of budget units (a pasted value bypasses the
    validation): the residual goes to the largest part of every split (docs/SPEC.md)."""
    assert kind == "budget_by_tier"
    return {"total_budget": [[50_000_123]], "budget_unit": [[1000]], "gmv_target": [[12_000_000]]}


REVERSED_TIERS = {
    "commission_tiers": [[1.5, 0.5], [1.2, 0.2]],
    "commission_attainment": [[1.3]],
    "commission_schedule_attainment": [[0.8], [1.2], [1.5], [1.6]],
}


def write_copy(src: Path, dst: Path, values: dict[str, list[list[Any]]]) -> None:
    """``src`` with the given input blocks written through their defined names, saved as ``dst``."""
    wb = openpyxl.load_workbook(src)
    for name, block in values.items():
        write_block(wb, name, block)
    wb.save(dst)


def special_copies(src: Path, out_dir: Path, kind: str) -> list[Path]:
    """The blank-row and residual copies of one template file (those that apply to ``kind``)."""
    current = read_inputs(openpyxl.load_workbook(src), kind)
    copies = []
    if kind in ("scoring_matrix", "budget_by_tier"):
        for variant in BLANK_ROW_VARIANTS:
            copies.append((out_dir / f"{src.stem}_{variant}.xlsx", blank_row_inputs(kind, current, variant)))
    if kind == "budget_by_tier":
        copies.append((out_dir / f"{src.stem}_residual.xlsx", residual_inputs(kind, current)))
    if kind == "kpi_scorecard":  # accelerators entered in descending order (a pasted block bypasses validation)
        copies.append((out_dir / f"{src.stem}_tiers_reversed.xlsx", REVERSED_TIERS))
    for dst, values in copies:
        write_copy(src, dst, values)
    return [dst for dst, _ in copies]
