"""Budget by tier: a total budget split over tiers A/B/C, inside each tier over its industries
by score, by quarter and month, by channel; targets by quarter, role and scenario; market
capacity and milestones; check cells proving every split sums to its total (seeds 001, 002).

Every split is the largest-remainder method (:func:`gtm_xl.math.allocation.split_target`): parts are
whole multiples of the budget unit and sum exactly to their total. The total budget must be a
multiple of the unit (validated), so every nested split is exact too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.worksheet.worksheet import Worksheet

from gtm_xl.errors import CellError
from gtm_xl.math import allocation, scoring
from gtm_xl.math.numeric import is_blank
from gtm_xl.templates import example as ex
from gtm_xl.templates.instructions import instructions_sheet
from gtm_xl.templates.layout import (
    FRACTION,
    POSITIVE,
    SCORE,
    SHARE,
    TEXT,
    WHOLE,
    Builder,
    NameInfo,
    area,
    excel_round,
    label_names,
    multiple_of,
    traffic_light,
)
from gtm_xl.templates.native import split_part

TEMPLATE_ID = "budget_by_tier"
VERSION = "1.0"
TITLE = ("Budget by tier", "分层预算分配")

N_IND = len(ex.INDUSTRIES)
IND_FIRST, IND_LAST = 5, 5 + N_IND - 1
UNIT = "Settings!$C$6"
TOTAL = "Settings!$C$5"
# Settings rows
TIER_ROW, QUARTER_ROW, MONTH_ROW, ROLE_ROW, CHANNEL_ROW, SCENARIO_ROW, MILESTONE_ROW = 9, 14, 20, 29, 34, 40, 50

NAMES: dict[str, NameInfo] = {
    "total_budget": NameInfo("input", "total budget, a multiple of the budget unit"),
    "budget_unit": NameInfo("input", "every budget part is a whole multiple of this unit"),
    "tier_labels": NameInfo("input", "tier labels, best first (column of three)"),
    "tier_thresholds": NameInfo("input", "minimum scores of tiers A and B, descending"),
    "tier_shares": NameInfo("input", "share (weight) of the budget per tier"),
    "quarter_weights": NameInfo("input", "phasing weights of Q1–Q4"),
    "month_weights": NameInfo("input", "weights of the three months inside every quarter"),
    "gmv_target": NameInfo("input", "annual GMV target"),
    "enrolment_target": NameInfo("input", "annual enrolment target"),
    "role_weights": NameInfo("input", "split weights of the enrolment target by role"),
    "channel_weights": NameInfo("input", "split weights of the budget by channel"),
    "scenario_factors": NameInfo("input", "GMV factor per scenario (low / base / high)"),
    "potential_firms": NameInfo("input", "potential customers in the market"),
    "served_firms": NameInfo("input", "customers served today"),
    "penetration_goal": NameInfo("input", "target penetration of the market"),
    "milestone_shares": NameInfo("input", "milestones as shares of the accounts to win"),
    "industry_names": NameInfo("input", "industries (column)"),
    "industry_scores": NameInfo("input", "score 0–10 per industry (from the scoring matrix)"),
    "industry_tier": NameInfo("output", "tier of each industry (blank for an empty row, #N/A for a blank score)"),
    "industry_budget": NameInfo(
        "output",
        "budget per industry: its tier's budget split by score over the tier's "
        "scored industries (blank for an empty row)",
    ),
    "industry_share": NameInfo("output", "industry budget as a share of the total"),
    "tier_industry_count": NameInfo("output", "industries per tier"),
    "budget_by_tier": NameInfo("output", "budget per tier"),
    "budget_by_tier_quarter": NameInfo("output", "tiers × quarters budget"),
    "budget_by_quarter": NameInfo("output", "budget per quarter (row of four)"),
    "budget_by_month": NameInfo("output", "budget per month (column of twelve)"),
    "gmv_by_quarter": NameInfo("output", "GMV target per quarter"),
    "enrolments_by_role": NameInfo("output", "enrolment target per role"),
    "budget_by_channel": NameInfo("output", "budget per channel"),
    "gmv_by_scenario": NameInfo("output", "GMV target per scenario"),
    "current_penetration": NameInfo("output", "served / potential firms"),
    "goal_firms": NameInfo("output", "firms served at the penetration goal (rounded)"),
    "accounts_to_win": NameInfo("output", "new accounts needed to reach the goal"),
    "milestone_accounts": NameInfo("output", "accounts reached at each milestone (rounded)"),
    "check_difference": NameInfo("output", "per check: parts − total (0 when the split is exact)"),
    "check_status": NameInfo("output", "per check: OK or CHECK"),
}

# the words of every block, read by the roll-up from the cells these names point at (r rows, c columns,
# t title, p a total the central plan fixes)
NAMES.update(
    label_names(
        {
            "total_budget": "tp",
            "budget_unit": "t",
            "gmv_target": "tp",
            "enrolment_target": "tp",
            "potential_firms": "t",
            "served_firms": "t",
            "penetration_goal": "t",
            "tier_shares": "rt",
            "industry_names": "t",
            "industry_scores": "rt",
            "industry_tier": "rt",
            "industry_budget": "rt",
            "industry_share": "rt",
            "tier_industry_count": "rt",
            "budget_by_tier": "rt",
            "budget_by_tier_quarter": "rct",
            "budget_by_quarter": "ct",
            "budget_by_month": "rt",
            "gmv_by_quarter": "rt",
            "enrolments_by_role": "rt",
            "budget_by_channel": "rt",
            "gmv_by_scenario": "rt",
            "current_penetration": "t",
            "goal_firms": "t",
            "accounts_to_win": "t",
            "milestone_accounts": "rt",
            "check_difference": "rt",
            "check_status": "rt",
        }
    )
)

INSTRUCTIONS = (
    (("What this workbook does", "本工作簿的用途"), None),
    (
        (
            "Splits a total budget over tiers A/B/C (key / general / non-key industries), inside each tier over "
            "its industries in proportion to their scores, over quarters and months and over channels; splits the "
            "GMV target by quarter and scenario and the enrolment target by role; sizes the market and sets "
            "milestones at 30/60/90% of the accounts to win. Every split uses the largest-remainder method, so "
            "the parts are whole budget units and add up exactly to the total (see Checks).",
            "将总预算按A/B/C层级（重点/一般/非重点行业）分配，层级内按行业得分分配，并按季度、月份和渠道分解；"
            "GMV目标按季度和情景分解，报名目标按岗位分解；测算市场容量，并以待获取客户数的30%/60%/90%设置里程碑。"
            "所有拆分均采用最大余数法，各部分为预算单位的整数倍且合计恰好等于总额（见“校验”）。",
        ),
        None,
    ),
    (("What to fill in (blue on yellow cells)", "需要填写的内容（黄底蓝字单元格）"), None),
    (
        (
            "Settings: total budget (a whole multiple of the budget unit), unit, tier labels, thresholds and shares, "
            "quarter and month weights, targets, role/channel weights, scenario factors (the 10–15% elastic band), "
            "market size and milestones. Industries: names and scores (from the scoring matrix); leave unused rows "
            "empty (no name, no score): they get no tier and no budget, and each tier's budget goes to its scored "
            "industries; a named industry without a score shows #N/A until it is scored.",
            "设置：总预算（须为预算单位的整数倍）、预算单位、层级标签/阈值/份额、季度与月份权重、目标、岗位/渠道权重、"
            "情景系数（10–15%弹性区间）、市场规模与里程碑。行业：名称及得分（来自评分矩阵）；多余的行留空（无名称、无得分）："
            "不分层、不分配预算，各层级预算只分给有得分的行业；有名称但无得分的行业显示#N/A，直到填入得分。",
        ),
        None,
    ),
    (("What you get (grey cells, locked)", "输出内容（灰色单元格，已锁定）"), None),
    (
        (
            "Budget by tier and by industry, tier × quarter, by month and by channel; GMV by quarter and scenario; "
            "enrolments by role; penetration, goal firms, accounts to win and milestone accounts; check cells "
            "(OK when parts sum to their total) and a chart of budget by tier and quarter.",
            "按层级和行业的预算、层级×季度、按月和按渠道预算；按季度和情景的GMV；按岗位的报名数；"
            "渗透率、目标客户数、待获取客户数及里程碑；校验单元格（各部分合计等于总额时显示OK）及层级×季度预算图。",
        ),
        None,
    ),
)


def _industry_scores() -> list[float]:
    """The example industries' weighted scores, to one decimal (as a user would copy them)."""
    raw = np.array([s for _, s in ex.INDUSTRIES], dtype=float)
    lower = np.array([c[2] == "lower" for c in ex.CRITERIA])
    scores = scoring.weighted_score(np.where(lower, 10 - raw, raw), [c[1] for c in ex.CRITERIA])
    return [excel_round(float(s), 1) for s in scores]


def _settings(b: Builder) -> None:
    s = b.sheet("Settings", {"A": 3, "B": 34, "C": 18, "D": 16, "E": 16}, tab="FFC000")
    b.title(s, (TITLE[0] + " — settings", TITLE[1] + " — 设置"))
    b.headers(s, 4, 2, [("Budget", "预算"), ("Value", "数值")])
    b.labels(
        s,
        5,
        2,
        [("Total budget", "总预算"), ("Budget unit (parts are multiples of it)", "预算单位（各部分为其整数倍）")],
    )
    b.inputs(s, 6, 3, [[ex.BUDGET_UNIT]], "budget_unit", POSITIVE, "count")
    b.inputs(s, 5, 3, [[ex.BUDGET]], "total_budget", multiple_of("$C$6", "C5"), "currency")
    b.headers(
        s,
        TIER_ROW - 1,
        2,
        [("Tier", "层级"), ("Label", "标签"), ("Minimum score", "最低得分"), ("Budget share", "预算份额")],
    )
    b.labels(s, TIER_ROW, 2, list(ex.TIER_NAMES))
    b.inputs(s, TIER_ROW, 3, [[x] for x in ex.TIER_LABELS], "tier_labels", TEXT)
    b.inputs(s, TIER_ROW, 4, [[x] for x in ex.TIER_THRESHOLDS], "tier_thresholds", SCORE, "score")
    b.put(s, f"D{TIER_ROW + 2}", ("below B", "低于B"), "label")
    b.inputs(s, TIER_ROW, 5, [[x] for x in ex.TIER_SHARES], "tier_shares", SHARE, "percent")
    for row, head, labels, values, name, v, fmt in (
        (QUARTER_ROW, ("Quarter", "季度"), ex.QUARTERS, ex.QUARTER_WEIGHTS, "quarter_weights", SHARE, "0.##"),
        (
            MONTH_ROW,
            ("Month in quarter", "季度内月份"),
            (("1st month", "第1个月"), ("2nd month", "第2个月"), ("3rd month", "第3个月")),
            ex.MONTH_WEIGHTS,
            "month_weights",
            SHARE,
            "0.##",
        ),
        (ROLE_ROW, ("Role", "岗位"), ex.ROLES, ex.ROLE_WEIGHTS, "role_weights", SHARE, "0.##"),
        (CHANNEL_ROW, ("Channel", "渠道"), ex.CHANNELS, ex.CHANNEL_WEIGHTS, "channel_weights", SHARE, "0.##"),
        (SCENARIO_ROW, ("Scenario", "情景"), ex.SCENARIOS, ex.SCENARIO_FACTORS, "scenario_factors", SHARE, "percent"),
        (
            MILESTONE_ROW,
            ("Milestone", "里程碑"),
            (("Milestone 1", "里程碑1"), ("Milestone 2", "里程碑2"), ("Milestone 3", "里程碑3")),
            ex.MILESTONE_SHARES,
            "milestone_shares",
            FRACTION,
            "percent",
        ),
    ):
        b.headers(
            s,
            row - 1,
            2,
            [
                head,
                ("Share of target accounts", "占待获取客户比例")
                if name == "milestone_shares"
                else ("Factor", "系数")
                if name == "scenario_factors"
                else ("Weight", "权重"),
            ],
        )
        b.labels(s, row, 2, list(labels))
        b.inputs(s, row, 3, [[x] for x in values], name, v, fmt)
    b.headers(s, 24, 2, [("Targets", "目标"), ("Value", "数值")])
    b.labels(s, 25, 2, [("Annual GMV target", "年度GMV目标"), ("Enrolment target", "报名目标")])
    b.inputs(s, 25, 3, [[ex.ANNUAL_GMV]], "gmv_target", WHOLE, "currency")
    b.inputs(s, 26, 3, [[ex.ENROLMENTS]], "enrolment_target", WHOLE, "count")
    b.headers(s, 44, 2, [("Market capacity", "市场容量"), ("Value", "数值")])
    b.labels(
        s,
        45,
        2,
        [
            ("Potential customers (firms)", "潜在客户数（企业）"),
            ("Customers served today", "现有客户数"),
            ("Penetration goal", "目标渗透率"),
        ],
    )
    b.inputs(s, 45, 3, [[ex.POTENTIAL_FIRMS], [ex.SERVED_FIRMS]], None, WHOLE, "count")
    b.name("potential_firms", s, "$C$45")
    b.name("served_firms", s, "$C$46")
    b.inputs(s, 47, 3, [[ex.PENETRATION_GOAL]], "penetration_goal", FRACTION, "percent")
    for name, ref in (
        ("total_budget", "$B$5"),
        ("budget_unit", "$B$6"),
        ("gmv_target", "$B$25"),
        ("enrolment_target", "$B$26"),
        ("potential_firms", "$B$45"),
        ("served_firms", "$B$46"),
        ("penetration_goal", "$B$47"),
    ):
        b.describe(s, name, title=ref)
    for name in ("total_budget", "gmv_target", "enrolment_target"):
        b.plan_total(s, name, f"$C${25 if name == 'gmv_target' else 26 if name == 'enrolment_target' else 5}")
    b.describe(s, "tier_shares", rows=f"$B${TIER_ROW}:$B${TIER_ROW + 2}", title=f"$E${TIER_ROW - 1}")
    for after in (22, 42):  # three printed pages: budget and phasing / targets and splits / market and milestones
        b.page_break(s, after)
    s.freeze_panes = "C5"


def _split(b: Builder, total: str, weights_col: str, first: int, k: int, i: int, unit: str = UNIT) -> str:
    """Native formula of part ``i`` of a split by the Settings weights in rows first..first+k-1."""
    rng = f"Settings!${weights_col}${first}:${weights_col}${first + k - 1}"
    one = f"Settings!${weights_col}${first + i}"
    return split_part(total, unit, rng, one, f"ROW({rng})", f"ROW({one})")


def _vector_split(
    b: Builder,
    ws,
    row: int,
    col: int,
    total: str,
    weights_col: str,
    first: int,
    k: int,
    name: str,
    fmt: str,
    unit: str = UNIT,
) -> None:
    """A column of ``k`` parts splitting ``total`` by Settings weights (udf: GTM_SPLIT_TARGET)."""
    if b.flavour == "udf":
        rng = f"Settings!${weights_col}${first}:${weights_col}${first + k - 1}"
        b.array_output(ws, row, col, k, 1, f"GTM_SPLIT_TARGET({total},{rng},{unit})", name, fmt)
    else:
        b.outputs(ws, row, col, [[_split(b, total, weights_col, first, k, i, unit)] for i in range(k)], name, fmt)


def build(b: Builder) -> None:
    """Lay out the budget-by-tier template in ``b``: instructions, settings, then one sheet per step."""
    instructions_sheet(b, TITLE, INSTRUCTIONS)
    _settings(b)
    labels = [f"Settings!$C${TIER_ROW + i}" for i in range(3)]
    tiers = _industries_sheet(b, labels)
    _summary_sheet(b, labels, tiers)
    _phasing_sheet(b)
    _targets_sheet(b)
    _checks_sheet(b)


def _industries_sheet(b: Builder, labels: list[str]) -> str:
    """The industries: names and scores (inputs), tier, budget and share; returns the tiers' range."""
    ind = b.sheet("Industries", {"A": 5, "B": 26, "C": 12, "D": 10, "E": 18, "F": 14}, tab="4472C4")
    b.title(
        ind,
        ("Budget per industry", "各行业预算"),
        (
            "Each tier's budget is split over its industries in proportion to their scores.",
            "各层级预算按行业得分比例分配给该层级内的行业。",
        ),
    )
    b.headers(
        ind,
        4,
        1,
        [
            "#",
            ("Industry", "行业"),
            ("Score", "得分"),
            ("Tier", "层级"),
            ("Budget", "预算"),
            ("Share of total", "占总预算"),
        ],
    )
    b.labels(ind, IND_FIRST, 1, list(range(1, N_IND + 1)))
    b.inputs(ind, IND_FIRST, 2, [[b.t(n)] for n, _ in ex.INDUSTRIES], "industry_names", TEXT)
    b.inputs(ind, IND_FIRST, 3, [[s] for s in _industry_scores()], "industry_scores", SCORE, "0.0")
    scores, tiers = area(3, IND_FIRST, 3, IND_LAST), area(4, IND_FIRST, 4, IND_LAST)
    _industry_tiers_and_budgets(b, ind, labels, scores, tiers)
    b.outputs(
        ind,
        IND_FIRST,
        6,
        [[f'IF(E{r}="","",IF({TOTAL}=0,0,E{r}/{TOTAL}))'] for r in range(IND_FIRST, IND_LAST + 1)],
        "industry_share",
        "percent",
    )
    b.put(ind, f"B{IND_LAST + 1}", ("Total", "合计"), "total")
    for col in "ACD":
        b.put(ind, f"{col}{IND_LAST + 1}", None, "total")
    b.outputs(
        ind,
        IND_LAST + 1,
        5,
        [[f"SUM(E{IND_FIRST}:E{IND_LAST})", f"SUM(F{IND_FIRST}:F{IND_LAST})"]],
        None,
        "currency",
        style="total",
    )
    ind[f"F{IND_LAST + 1}"].number_format = "0.0%"
    traffic_light(ind, f"D{IND_FIRST}:D{IND_LAST}", f"D{IND_FIRST}", labels)
    ind_rows = f"$B${IND_FIRST}:$B${IND_LAST}"
    b.describe(ind, "industry_names", title="$B$4")
    for name, col in (
        ("industry_scores", "C"),
        ("industry_tier", "D"),
        ("industry_budget", "E"),
        ("industry_share", "F"),
    ):
        b.describe(ind, name, rows=ind_rows, title=f"${col}$4")
    ind.freeze_panes = "C5"
    return tiers


def _industry_tiers_and_budgets(b: Builder, ind: Worksheet, labels: list[str], scores: str, tiers: str) -> None:
    """Each industry's tier (from its score and the thresholds) and its share of its tier's budget."""
    thresholds = f"Settings!$D${TIER_ROW}:$D${TIER_ROW + 1}"
    t_a, t_b = f"Settings!$D${TIER_ROW}", f"Settings!$D${TIER_ROW + 1}"
    rows = range(IND_FIRST, IND_LAST + 1)
    empty = lambda r: f"COUNTA(B{r}:C{r})=0"  # noqa: E731 - no name and no score: not an industry
    if b.flavour == "udf":
        tier = [
            [f'IF({empty(r)},"",GTM_TIER(C{r},{thresholds},Settings!$C${TIER_ROW}:$C${TIER_ROW + 2}))'] for r in rows
        ]
        b.outputs(ind, IND_FIRST, 4, tier, "industry_tier")
        parts = []
        for i, lab in enumerate(labels):
            member = f"IFERROR({tiers}={lab},FALSE)"  # an unscored industry (#N/A tier) is no member
            weights = f"({scores}+(SUMPRODUCT({scores}*{member})=0))*{member}"
            parts.append(f"IF(COUNTIF({tiers},{lab})=0,0,GTM_SPLIT_TARGET(Summary!$E${5 + i},{weights},{UNIT}))")
        # a row without a score shows its tier instead: blank for an empty row, #N/A for an unscored industry
        b.array_output(
            ind,
            IND_FIRST,
            5,
            N_IND,
            1,
            f"IF(ISNUMBER({scores}),{'+'.join(parts)},{tiers})",
            "industry_budget",
            "currency",
        )
    else:
        b.outputs(
            ind,
            IND_FIRST,
            4,
            [
                [
                    f'IF({empty(r)},"",IF(ISNUMBER(C{r}),IF(C{r}>={t_a},{labels[0]},IF(C{r}>={t_b},'
                    f"{labels[1]},{labels[2]})),NA()))"
                ]
                for r in rows
            ],
            "industry_tier",
        )
        # members of row r's tier: rows with the same tier label (MATCH turns a blank or #N/A tier into FALSE)
        budget = lambda r: split_part(  # noqa: E731
            f"INDEX(Summary!$E$5:$E$7,MATCH(D{r},Settings!$C${TIER_ROW}:$C${TIER_ROW + 2},0))",
            UNIT,
            scores,
            f"C{r}",
            f"ROW({scores})",
            f"ROW(C{r})",
            mask=f"ISNUMBER(MATCH({tiers},D{r},0))",
        )
        b.outputs(
            ind, IND_FIRST, 5, [[f"IF(ISNUMBER(C{r}),{budget(r)},D{r})"] for r in rows], "industry_budget", "currency"
        )


def _summary_sheet(b: Builder, labels: list[str], tiers: str) -> None:
    """Budget by tier (shares of the total) and by tier and quarter, with its chart."""
    su = b.sheet("Summary", {"A": 22, "B": 8, "C": 10, "D": 11, **{c: 15 for c in "EFGHI"}}, tab="A5A5A5")
    b.title(su, ("Budget by tier and quarter", "按层级和季度的预算"))
    b.headers(
        su,
        4,
        1,
        [("Tier", "层级"), ("Label", "标签"), ("Share", "份额"), ("Industries", "行业数"), ("Budget", "预算")]
        + list(ex.QUARTERS),
    )
    b.labels(su, 5, 1, list(ex.TIER_NAMES))
    b.outputs(
        su,
        5,
        2,
        [[lab, f"Settings!$E${TIER_ROW + i}", f"COUNTIF(Industries!{tiers},B{5 + i})"] for i, lab in enumerate(labels)],
        None,
    )
    for r in range(5, 8):
        su[f"C{r}"].number_format = "0.0%"
    b.name("tier_industry_count", su, "$D$5:$D$7")
    _vector_split(b, su, 5, 5, TOTAL, "E", TIER_ROW, 3, "budget_by_tier", "currency")
    if b.flavour == "udf":
        b.array_output(
            su,
            5,
            6,
            3,
            4,
            f"GTM_SPLIT_TARGET(E5:E7,Settings!$C${QUARTER_ROW}:$C${QUARTER_ROW + 3},{UNIT})",
            "budget_by_tier_quarter",
            "currency",
        )
    else:
        b.outputs(
            su,
            5,
            6,
            [[_split(b, f"$E{r}", "C", QUARTER_ROW, 4, q) for q in range(4)] for r in range(5, 8)],
            "budget_by_tier_quarter",
            "currency",
        )
    b.put(su, "A8", ("Total", "合计"), "total")
    for col in "BCD":
        b.put(su, f"{col}8", None, "total")
    b.outputs(su, 8, 5, [["SUM(E5:E7)"]], None, "currency", style="total")
    b.outputs(su, 8, 6, [[f"SUM({c}5:{c}7)" for c in "FGHI"]], "budget_by_quarter", "currency", style="total")
    traffic_light(su, "B5:B7", "B5", labels)
    su.add_chart(_tier_quarter_chart(b, su), "A11")
    b.describe(su, "tier_industry_count", rows="$A$5:$A$7", title="$D$4")
    b.describe(su, "budget_by_tier", rows="$A$5:$A$7", title="$E$4")
    b.describe(su, "budget_by_tier_quarter", rows="$A$5:$A$7", cols="$F$4:$I$4", title="$A$1")
    b.describe(su, "budget_by_quarter", cols="$F$4:$I$4", title="$E$4")
    su.freeze_panes = "B5"


def _tier_quarter_chart(b: Builder, su: Worksheet) -> BarChart:
    """Stacked columns: one series per tier over the four quarters."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = b.t(("Budget by tier and quarter", "按层级和季度的预算"))
    for r in range(5, 8):
        series = Series(Reference(su, min_col=6, max_col=9, min_row=r), title=None)
        series.tx = SeriesLabel(strRef=StrRef(f"Summary!$B${r}"))
        chart.series.append(series)
    chart.set_categories(Reference(su, min_col=6, max_col=9, min_row=4))
    chart.y_axis.numFmt = "#,##0"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 8, 16
    return chart


def _phasing_sheet(b: Builder) -> None:
    """Each quarter's budget split over its months."""
    ph = b.sheet("Phasing", {"A": 12, "B": 12, "C": 18}, tab="70AD47")
    b.title(
        ph,
        ("Monthly phasing", "按月预算分解"),
        (
            "Each quarter's budget split over its months by Settings › Month in quarter.",
            "各季度预算按“设置›季度内月份”权重分配到各月。",
        ),
    )
    b.headers(ph, 4, 1, [("Month", "月份"), ("Quarter", "季度"), ("Budget", "预算")])
    b.labels(ph, 5, 1, list(ex.MONTHS))
    b.labels(ph, 5, 2, [ex.QUARTERS[m // 3] for m in range(12)])
    qcols = "FGHI"
    if b.flavour == "udf":
        for q in range(4):
            b.array_output(
                ph,
                5 + 3 * q,
                3,
                3,
                1,
                f"GTM_SPLIT_TARGET(Summary!${qcols[q]}$8,Settings!$C${MONTH_ROW}:$C${MONTH_ROW + 2},{UNIT})",
                None,
                "currency",
            )
    else:
        b.outputs(
            ph,
            5,
            3,
            [[_split(b, f"Summary!${qcols[m // 3]}$8", "C", MONTH_ROW, 3, m % 3)] for m in range(12)],
            None,
            "currency",
        )
    b.name("budget_by_month", ph, "$C$5:$C$16")
    b.put(ph, "A17", ("Total", "合计"), "total")
    b.put(ph, "B17", None, "total")
    b.outputs(ph, 17, 3, [["SUM(C5:C16)"]], None, "currency", style="total")
    b.describe(ph, "budget_by_month", rows="$A$5:$A$16", title="$C$4")
    ph.freeze_panes = "A5"


def _targets_sheet(b: Builder) -> None:
    """GMV by quarter, enrolments by role, budget by channel, scenarios, market capacity and milestones."""
    tg = b.sheet("Targets", {"A": 30, "B": 18, "C": 18}, tab="ED7D31")
    b.title(
        tg, ("Targets by time, role and scenario; market and milestones", "按时间、岗位、情景分解目标；市场与里程碑")
    )
    blocks = (
        (
            4,
            ("Quarter", "季度"),
            ("GMV target", "GMV目标"),
            ex.QUARTERS,
            "Settings!$C$25",
            "C",
            QUARTER_ROW,
            "gmv_by_quarter",
            "currency",
            "1",
        ),
        (
            11,
            ("Role", "岗位"),
            ("Enrolments", "报名数"),
            ex.ROLES,
            "Settings!$C$26",
            "C",
            ROLE_ROW,
            "enrolments_by_role",
            "count",
            "1",
        ),
        (
            17,
            ("Channel", "渠道"),
            ("Budget", "预算"),
            ex.CHANNELS,
            TOTAL,
            "C",
            CHANNEL_ROW,
            "budget_by_channel",
            "currency",
            UNIT,
        ),
    )
    for row, h1, h2, labs, total, col, first, name, fmt, unit in blocks:
        b.headers(tg, row, 1, [h1, h2])
        b.labels(tg, row + 1, 1, list(labs))
        _vector_split(b, tg, row + 1, 2, total, col, first, len(labs), name, fmt, unit)
        end = row + len(labs)
        b.put(tg, f"A{end + 1}", ("Total", "合计"), "total")
        b.outputs(tg, end + 1, 2, [[f"SUM(B{row + 1}:B{end})"]], None, fmt, style="total")
    b.headers(tg, 24, 1, [("Scenario", "情景"), ("GMV target", "GMV目标")])
    b.labels(tg, 25, 1, list(ex.SCENARIOS))
    b.outputs(
        tg, 25, 2, [[f"Settings!$C$25*Settings!$C${SCENARIO_ROW + i}"] for i in range(3)], "gmv_by_scenario", "currency"
    )
    b.headers(tg, 29, 1, [("Market capacity", "市场容量"), ("Value", "数值")])
    b.labels(
        tg,
        30,
        1,
        [
            ("Current penetration", "当前渗透率"),
            ("Firms served at the goal", "目标客户数"),
            ("Accounts to win", "待获取客户数"),
        ],
    )
    b.outputs(tg, 30, 2, [["IF(Settings!$C$45=0,0,Settings!$C$46/Settings!$C$45)"]], "current_penetration", "percent")
    b.outputs(tg, 31, 2, [["ROUND(Settings!$C$45*Settings!$C$47,0)"]], "goal_firms", "count")
    b.outputs(tg, 32, 2, [["MAX(0,B31-Settings!$C$46)"]], "accounts_to_win", "count")
    b.headers(tg, 34, 1, [("Milestone", "里程碑"), ("Share", "比例"), ("Accounts reached", "累计客户数")])
    b.labels(tg, 35, 1, [("Milestone 1", "里程碑1"), ("Milestone 2", "里程碑2"), ("Milestone 3", "里程碑3")])
    b.outputs(tg, 35, 2, [[f"Settings!$C${MILESTONE_ROW + i}"] for i in range(3)], None, "percent")
    b.outputs(tg, 35, 3, [[f"ROUND($B$32*B{35 + i},0)"] for i in range(3)], "milestone_accounts", "count")
    for name, rows, title in (
        ("gmv_by_quarter", "$A$5:$A$8", "$B$4"),
        ("enrolments_by_role", "$A$12:$A$14", "$B$11"),
        ("budget_by_channel", "$A$18:$A$21", "$B$17"),
        ("gmv_by_scenario", "$A$25:$A$27", "$B$24"),
        ("current_penetration", None, "$A$30"),
        ("goal_firms", None, "$A$31"),
        ("accounts_to_win", None, "$A$32"),
        ("milestone_accounts", "$A$35:$A$37", "$C$34"),
    ):
        b.describe(tg, name, rows=rows, title=title)
    b.page_break(tg, 23)  # the scenarios, market and milestones on a page of their own
    tg.freeze_panes = "A4"


def _checks_sheet(b: Builder) -> None:
    """Every split checked against its total."""
    ck = b.sheet("Checks", {"A": 40, "B": 18, "C": 18, "D": 14, "E": 10}, tab="C00000")
    b.title(ck, ("Checks: every split sums to its total", "校验：各项拆分合计等于总额"))
    b.headers(
        ck,
        4,
        1,
        [
            ("Check", "校验项"),
            ("Sum of parts", "各部分合计"),
            ("Total", "总额"),
            ("Difference", "差额"),
            ("Status", "状态"),
        ],
    )
    checks = (
        (("Tiers = total budget", "各层级 = 总预算"), "SUM(Summary!$E$5:$E$7)", TOTAL),
        (("Industries = total budget", "各行业 = 总预算"), f"SUM(Industries!$E${IND_FIRST}:$E${IND_LAST})", TOTAL),
        (("Tiers × quarters = total budget", "层级×季度 = 总预算"), "SUM(Summary!$F$5:$I$7)", TOTAL),
        (("Months = total budget", "各月 = 总预算"), "SUM(Phasing!$C$5:$C$16)", TOTAL),
        (("Channels = total budget", "各渠道 = 总预算"), "SUM(Targets!$B$18:$B$21)", TOTAL),
        (("Quarters = GMV target", "各季度 = GMV目标"), "SUM(Targets!$B$5:$B$8)", "Settings!$C$25"),
        (("Roles = enrolment target", "各岗位 = 报名目标"), "SUM(Targets!$B$12:$B$14)", "Settings!$C$26"),
    )
    b.labels(ck, 5, 1, [c[0] for c in checks])
    b.outputs(ck, 5, 2, [[c[1], c[2]] for c in checks], None, "#,##0")
    b.outputs(ck, 5, 4, [[f"B{r}-C{r}"] for r in range(5, 5 + len(checks))], "check_difference", "#,##0")
    b.outputs(ck, 5, 5, [[f'IF(ABS(D{r})<0.5,"OK","CHECK")'] for r in range(5, 5 + len(checks))], "check_status")
    traffic_light(ck, f"E5:E{4 + len(checks)}", "E5", ['"OK"', '"-"', '"CHECK"'])
    b.describe(ck, "check_difference", rows=f"$A$5:$A${4 + len(checks)}", title="$D$4")
    b.describe(ck, "check_status", rows=f"$A$5:$A${4 + len(checks)}", title="$E$4")


def _col(block: list[list[Any]]) -> list[float]:
    return [float(r[0]) for r in block]


def compute(inputs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The template's outputs from its inputs, by gtm_xl's math.

    Industry rows: a row with no name and no score is empty — no tier, no budget, not counted;
    a row with a blank score has the tier ``#N/A`` (GTM_TIER of a blank) and the budget ``#N/A``
    (so the industries check shows it); each tier's budget is split over its scored industries
    only.
    """
    v = {k: x for k, x in inputs.items()}
    total, unit = float(v["total_budget"][0][0]), float(v["budget_unit"][0][0])
    labels = [r[0] for r in v["tier_labels"]]
    names, raw = [r[0] for r in v["industry_names"]], [r[0] for r in v["industry_scores"]]
    scored = [not is_blank(x) for x in raw]
    na = CellError("#N/A")
    blank_or_na = ["" if is_blank(n) and is_blank(x) else na for n, x in zip(names, raw)]
    scores = np.array([float(x) if ok else np.nan for x, ok in zip(raw, scored)])
    thresholds = _col(v["tier_thresholds"])
    tiers: list[Any] = [
        str(scoring.tier(x, thresholds, labels)) if ok else e for x, ok, e in zip(scores, scored, blank_or_na)
    ]
    by_tier = np.asarray(allocation.split_target(total, _col(v["tier_shares"]), unit), float)
    by_industry = np.zeros(scores.size)
    for lab, amount in zip(labels, by_tier):
        members = np.array([t == lab for t in tiers])
        if members.any():
            by_industry[members] = allocation.split_target(float(amount), scores[members], unit)
    industry_budget: list[Any] = [float(x) if ok else e for x, ok, e in zip(by_industry, scored, blank_or_na)]
    industry_share = [(b / total if total else 0.0) if isinstance(b, float) else b for b in industry_budget]
    industries_check: Any = na if na in industry_budget else by_industry.sum() - total  # SUM passes #N/A on
    qw = _col(v["quarter_weights"])
    tier_quarter = np.asarray(allocation.split_target(by_tier, qw, unit), float).reshape(3, 4)
    by_quarter = tier_quarter.sum(axis=0)
    months = [float(x) for q in by_quarter for x in allocation.split_target(float(q), _col(v["month_weights"]), unit)]
    gmv, enrol = float(v["gmv_target"][0][0]), float(v["enrolment_target"][0][0])
    gmv_q = [float(x) for x in allocation.split_target(gmv, qw, 1)]
    roles = [float(x) for x in allocation.split_target(enrol, _col(v["role_weights"]), 1)]
    channels = [float(x) for x in allocation.split_target(total, _col(v["channel_weights"]), unit)]
    potential, served = float(v["potential_firms"][0][0]), float(v["served_firms"][0][0])
    goal = excel_round(potential * float(v["penetration_goal"][0][0]))
    to_win = max(0.0, goal - served)
    checks = [
        by_tier.sum() - total,
        industries_check,
        tier_quarter.sum() - total,
        sum(months) - total,
        sum(channels) - total,
        sum(gmv_q) - gmv,
        sum(roles) - enrol,
    ]
    return {
        "industry_tier": [[t] for t in tiers],
        "industry_budget": [[x] for x in industry_budget],
        "industry_share": [[x] for x in industry_share],
        "tier_industry_count": [[sum(t == lab for t in tiers)] for lab in labels],
        "budget_by_tier": [[float(x)] for x in by_tier],
        "budget_by_tier_quarter": tier_quarter.tolist(),
        "budget_by_quarter": [by_quarter.tolist()],
        "budget_by_month": [[x] for x in months],
        "gmv_by_quarter": [[x] for x in gmv_q],
        "enrolments_by_role": [[x] for x in roles],
        "budget_by_channel": [[x] for x in channels],
        "gmv_by_scenario": [[gmv * f] for f in _col(v["scenario_factors"])],
        "current_penetration": [[served / potential if potential else 0.0]],
        "goal_firms": [[goal]],
        "accounts_to_win": [[to_win]],
        "milestone_accounts": [[excel_round(to_win * s)] for s in _col(v["milestone_shares"])],
        "check_difference": [[c if isinstance(c, CellError) else float(c)] for c in checks],
        "check_status": [[c if isinstance(c, CellError) else "OK" if abs(c) < 0.5 else "CHECK"] for c in checks],
    }
