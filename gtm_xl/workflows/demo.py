"""``gtm-xl demo``: the main job, end to end, on the bundled example data.

1. **build** the three templates in every flavour (:func:`gtm_xl.templates.build_all`);
2. **fill** the example: one budget-by-tier copy per example region, prefilled from
   ``gtm_xl/data/regions_example.csv`` and ``industries_example.csv`` (:func:`gtm_xl.workflows.distribute.distribute`);
3. **refresh** every udf-flavour workbook headlessly, templates first, then the regional copies (:func:`gtm_xl.workflows.refresh.refresh_files`): the
   ``GTM_*`` formulas are computed by gtm_xl, no Excel or LibreOffice, and each refreshed
   workbook is checked against gtm_xl's math on its own inputs (:func:`gtm_xl.templates.verify.output_differences`);
4. **roll up** the regional copies (:func:`gtm_xl.workflows.rollup.job.rollup`): one summary workbook and CSV files.

:func:`plan_lines` then reads the plan back from the refreshed files' cached values, through the
templates' defined names, the way any reader of the files (pandas, a viewer, Excel's first paint)
sees it. Nothing here computes a number of its own.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from gtm_xl.data import DATA_DIR
from gtm_xl.templates import TEMPLATES, build_all, file_name
from gtm_xl.templates.names import read_block
from gtm_xl.templates.verify import output_differences
from gtm_xl.workflows.distribute import distribute
from gtm_xl.workflows.refresh import refresh_files
from gtm_xl.workflows.rollup.job import rollup

__all__ = ["DemoResult", "run_demo", "plan_lines"]

REGIONS_TABLE = DATA_DIR / "regions_example.csv"
ROWS_TABLE = DATA_DIR / "industries_example.csv"


@dataclass
class DemoResult:
    out_dir: Path
    templates: list[Path]
    regional: list[Path]
    manifest: Path | None
    refreshed: list[Any]  # gtm_xl.workflows.refresh.FileReport, one per refreshed file
    differences: dict[str, list[str]]  # template kind or regional file → outputs unlike the math
    rollup: Any  # gtm_xl.workflows.rollup.job.RollupReport
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.refreshed) and not any(self.differences.values()) and self.rollup.complete


def run_demo(out_dir: str | os.PathLike, jobs: int = 2) -> DemoResult:
    """Build, fill, refresh and roll up into ``out_dir`` (templates/, regions/, rollup.xlsx, rollup_csv/)."""
    out = Path(out_dir)
    templates_dir, regions_dir = out / "templates", out / "regions"
    templates = build_all(templates_dir)
    udf_templates = [templates_dir / file_name(kind, "udf") for kind in TEMPLATES]
    refreshed = refresh_files(udf_templates, in_place=True, jobs=jobs)
    # each built file is its own source of inputs: the refresh changed cached values only
    differences = {kind: output_differences(path, path, kind) for kind, path in zip(TEMPLATES, udf_templates)}
    # the refreshed template goes out; the copies' new inputs make their cached values stale until refreshed
    sent = distribute(
        templates_dir / file_name("budget_by_tier", "udf"), REGIONS_TABLE, regions_dir, rows_path=ROWS_TABLE
    )
    regional = [regions_dir / f.file for f in sent.files]
    refreshed += refresh_files(regional, in_place=True, jobs=jobs)
    differences.update({path.name: output_differences(path, path, "budget_by_tier") for path in regional})
    report = rollup(regional, out / "rollup.xlsx", manifest=sent.manifest, csv_dir=out / "rollup_csv", jobs=jobs)
    return DemoResult(out, templates, regional, sent.manifest, refreshed, differences, report)


# --- the plan, as the refreshed files show it ------------------------------------------------------
def _blocks(path: Path, names: tuple[str, ...]) -> dict[str, list[list[Any]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    return {n: read_block(wb, n) for n in names}


def _column(block: list[list[Any]]) -> list[Any]:
    return [row[0] for row in block]


def _money(x: Any) -> str:
    return f"{x:,.0f}" if isinstance(x, (int, float)) else str(x)


def plan_lines(result: DemoResult) -> list[str]:
    """The example plan and the regional roll-up, read from the refreshed workbooks."""
    tdir = result.out_dir / "templates"
    sm = _blocks(
        tdir / file_name("scoring_matrix", "udf"),
        ("industry_names", "weighted_score", "industry_rank", "industry_tier", "top_industry"),
    )
    bt = _blocks(
        tdir / file_name("budget_by_tier", "udf"),
        (
            "total_budget",
            "tier_labels",
            "tier_shares",
            "industry_names",
            "industry_budget",
            "budget_by_tier",
            "budget_by_quarter",
            "gmv_by_quarter",
            "enrolments_by_role",
            "potential_firms",
            "served_firms",
            "current_penetration",
            "penetration_goal",
            "goal_firms",
            "check_status",
        ),
    )
    kp = _blocks(
        tdir / file_name("kpi_scorecard", "udf"),
        (
            "ltv",
            "cac",
            "ltv_cac",
            "ltv_cac_target",
            "cac_payback",
            "churn_annual",
            "nrr",
            "grr",
            "funnel_conversion",
            "funnel_losing_stage",
            "commission_attainment",
            "commission_payout",
            "kpi_status",
        ),
    )
    one = lambda block: block[0][0]  # noqa: E731 - a single-cell name
    lines = ["GTM plan — the example workbooks after the headless refresh", ""]
    lines.append("1. Industries scored and tiered (scoring matrix; A ≥ 7 key, B ≥ 4 general, C non-key)")
    budget_of = dict(zip(_column(bt["industry_names"]), _column(bt["industry_budget"])))
    lines.append(f"   {'Rank':>4}  {'Industry':<24}{'Score':>7}  Tier{'Budget':>14}")
    rows = sorted(
        zip(
            _column(sm["industry_rank"]),
            _column(sm["industry_names"]),
            _column(sm["weighted_score"]),
            _column(sm["industry_tier"]),
        ),
        key=lambda r: r[0],
    )
    for rank, name, score, tier in rows:
        lines.append(f"   {rank:>4.0f}  {name:<24}{score:>7.2f}  {tier:^4}{_money(budget_of.get(name, '')):>14}")
    lines += ["", f"2. Budget by tier (total {_money(one(bt['total_budget']))})"]
    for label, share, amount in zip(
        _column(bt["tier_labels"]), _column(bt["tier_shares"]), _column(bt["budget_by_tier"])
    ):
        lines.append(f"   Tier {label}: {_money(amount):>12}  ({share:.0%})")
    lines.append(
        "   By quarter: " + " / ".join(map(_money, bt["budget_by_quarter"][0])) + f"; checks: {one(bt['check_status'])}"
    )
    lines += ["", "3. Targets split by time and role"]
    lines.append("   GMV by quarter: " + " / ".join(map(_money, _column(bt["gmv_by_quarter"]))))
    lines.append("   Enrolments by role: " + " / ".join(map(_money, _column(bt["enrolments_by_role"]))))
    lines.append(
        f"   Market: {_money(one(bt['potential_firms']))} firms, {_money(one(bt['served_firms']))} served = "
        f"{one(bt['current_penetration']):.0%} penetration; goal {one(bt['penetration_goal']):.0%} = "
        f"{_money(one(bt['goal_firms']))} firms"
    )
    ratio, target = one(kp["ltv_cac"]), one(kp["ltv_cac_target"])
    lines += ["", "4. KPIs (KPI scorecard)"]
    lines.append(
        f"   LTV {_money(one(kp['ltv']))}, CAC {_money(one(kp['cac']))}: LTV:CAC {ratio:.1f}x "
        f"({'meets' if ratio >= target else 'is below'} the {target:g}:1 target)"
    )
    lines.append(
        f"   CAC payback {one(kp['cac_payback']):.1f} months; annual churn {one(kp['churn_annual']):.1%}; "
        f"NRR {one(kp['nrr']):.0%}, GRR {one(kp['grr']):.0%}"
    )
    rates = _column(kp["funnel_conversion"])
    lines.append(
        "   Funnel conversion "
        + " / ".join(f"{r:.0%}" for r in rates)
        + f"; most lost at stage {one(kp['funnel_losing_stage']):.0f}"
    )
    statuses = [s for s in _column(kp["kpi_status"]) if s]
    lines.append(
        f"   Commission at {one(kp['commission_attainment']):.0%} of target: "
        f"{_money(one(kp['commission_payout']))}; KPI status: "
        + ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses))
    )
    lines += ["", f"5. Regions (read back from {result.out_dir / 'rollup.xlsx'})"]
    lines += rollup_lines(result.out_dir / "rollup.xlsx")
    return lines


def rollup_lines(path: Path) -> list[str]:
    """The regions' budgets by tier, goal firms and the plan check, as the roll-up workbook holds them:
    its Data sheet (one row per region, block, row label, column label), Totals sheet and Checks sheet."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        data = [r for r in wb["Data"].iter_rows(min_row=2, values_only=True) if r and r[0]]
        totals = [r for r in wb["Totals"].iter_rows(min_row=2, values_only=True) if r and r[0]]
        checks = [r for r in wb["Checks"].iter_rows(min_row=4, values_only=True) if r and r[0]]
    finally:
        wb.close()
    regions = list(dict.fromkeys(r[0] for r in data))
    tiers = list(dict.fromkeys(r[2] for r in data if r[1] == "budget_by_tier"))
    value = {(r[0], r[1], r[2]): r[4] for r in data}
    total = {(r[0], r[1]): r[3] for r in totals}
    width = max([8, *(len(t) for t in tiers)]) + 2
    lines = [f"   {'Region':<8}{'Budget':>14}" + "".join(f"{t:>{width}}" for t in tiers) + f"{'Goal firms':>12}"]
    for region in regions:
        lines.append(
            f"   {region:<8}{_money(value.get((region, 'total_budget', _label(data, 'total_budget')))):>14}"
            + "".join(f"{_money(value.get((region, 'budget_by_tier', t))):>{width}}" for t in tiers)
            + f"{_money(value.get((region, 'goal_firms', _label(data, 'goal_firms')))):>12}"
        )
    lines.append(
        f"   {'Total':<8}{_money(total.get(('total_budget', _label(data, 'total_budget')))):>14}"
        + "".join(f"{_money(total.get(('budget_by_tier', t))):>{width}}" for t in tiers)
        + f"{_money(total.get(('goal_firms', _label(data, 'goal_firms')))):>12}"
    )
    plan = [r for r in checks if len(r) >= 5 and r[4] in ("OK", "CHECK") and isinstance(r[1], (int, float))]
    if plan:
        lines.append("   Plan: " + "; ".join(f"{r[0]} {_money(r[2])} of {_money(r[1])} ({r[4]})" for r in plan))
    return lines


def _label(data: list, block: str) -> str:
    return next((r[2] for r in data if r[1] == block), "")
