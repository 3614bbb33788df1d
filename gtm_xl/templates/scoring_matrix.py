"""Scoring matrix: industries × weighted criteria → score, rank, tier A/B/C, and an industry ×
company-size grid of target cells (seeds 001 and 004).

Sheets: Instructions, Settings (criteria, weights, direction, tier thresholds and labels, size
targeting per tier), Matrix (industries and scores → adjusted scores, weighted score, rank,
tier), Grid (industry × company size), Summary (industries per tier, average score, top
industry, a bar chart of scores).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from gtm_xl.errors import CellError
from gtm_xl.math import scoring
from gtm_xl.math.numeric import is_blank
from gtm_xl.templates import example as ex
from gtm_xl.templates.instructions import instructions_sheet
from gtm_xl.templates.layout import (
    DIRECTION,
    SCORE,
    SHARE,
    TEXT,
    YES_NO,
    Builder,
    NameInfo,
    area,
    cell,
    label_names,
    traffic_light,
)

TEMPLATE_ID = "scoring_matrix"
VERSION = "1.0"
TITLE = ("Industry scoring matrix", "行业评分矩阵")

N_CRIT = len(ex.CRITERIA)
N_IND = len(ex.INDUSTRIES)
N_SIZE = len(ex.COMPANY_SIZES)
FIRST = 5  # first data row of Matrix and Grid
#: the weighted score is rounded to this many decimals, so a score that is exactly on a threshold
#: (or tied) in exact arithmetic stays there whatever the floating-point noise of the sum, and ranks
#: and tiers compare exact numbers
DIGITS = 10
LAST = FIRST + N_IND - 1

NAMES: dict[str, NameInfo] = {
    "criteria_names": NameInfo("input", "criterion names (one row, one cell per criterion)"),
    "criteria_weights": NameInfo("input", "criterion weights, ≥ 0 (one row)"),
    "criteria_direction": NameInfo("input", "per criterion: 'higher' or 'lower' is better (lower: scored as 10 − s)"),
    "tier_thresholds": NameInfo("input", "minimum scores of tiers A and B, descending (column)"),
    "tier_labels": NameInfo("input", "tier labels, best first (column of three)"),
    "size_targeting": NameInfo("input", "tiers × company sizes: Y when that size is targeted in that tier"),
    "industry_names": NameInfo("input", "industries (column)"),
    "industry_scores": NameInfo("input", "industries × criteria scores 0–10"),
    "adjusted_scores": NameInfo("output", "scores after direction (10 − s for lower-is-better criteria)"),
    "weighted_score": NameInfo(
        "output",
        "weighted score per industry (10 decimals; blank for an empty row, #N/A for an industry with no score)",
    ),
    "industry_rank": NameInfo(
        "output", "rank of each industry by score (1 = best; ties share a rank; blank rows are not ranked)"
    ),
    "industry_tier": NameInfo("output", "tier label of each industry (blank for an empty row)"),
    "target_grid": NameInfo("output", "industries × company sizes: Y where targeted"),
    "targeted_by_size": NameInfo("output", "number of targeted industries per company size"),
    "tier_count": NameInfo("output", "number of industries per tier"),
    "tier_avg_score": NameInfo("output", "average score per tier (blank when the tier is empty)"),
    "top_industry": NameInfo("output", "the industry ranked first"),
}

# the words of every block, read by the roll-up from the cells these names point at (r rows, c columns, t title)
NAMES.update(
    label_names(
        {
            "criteria_weights": "ct",
            "industry_names": "t",
            "industry_scores": "rct",
            "adjusted_scores": "rct",
            "weighted_score": "rt",
            "industry_rank": "rt",
            "industry_tier": "rt",
            "target_grid": "rct",
            "targeted_by_size": "ct",
            "tier_count": "rt",
            "tier_avg_score": "rt",
            "top_industry": "t",
        }
    )
)

INSTRUCTIONS = (
    (("What this workbook does", "本工作簿的用途"), None),
    (
        (
            "Scores industries (or segments, accounts) on weighted criteria, sorts them into key / general / "
            "non-key tiers (A/B/C) by a traffic-light model, and shows which company sizes to target in each.",
            "按加权标准为行业（或细分市场、客户）评分，用红绿灯模型分为重点/一般/非重点行业（A/B/C），"
            "并显示各层级的目标企业规模。",
        ),
        None,
    ),
    (("What to fill in (blue on yellow cells)", "需要填写的内容（黄底蓝字单元格）"), None),
    (
        (
            "Settings: criterion names, weights (any non-negative numbers; they are normalised), and direction — "
            "'lower' for criteria where less is better, such as competition intensity (scored as 10 − score).",
            "设置：标准名称、权重（任意非负数，自动归一化）和方向——竞争强度等越低越好的标准选 lower（按 10 − 分数计）。",
        ),
        None,
    ),
    (
        (
            "Settings: tier thresholds (A from 7, B from 4 by default), tier labels, and the company sizes "
            "targeted in each tier (Y/N).",
            "设置：层级阈值（默认A≥7、B≥4）、层级标签，以及各层级目标企业规模（Y/N）。",
        ),
        None,
    ),
    (
        (
            "Matrix: industry names and a score from 0 to 10 per criterion. Fewer than 12 industries: leave the "
            "unused rows empty (no name, no score) — they get no score, rank or tier and are not counted; a named "
            "industry without any score shows #N/A until it is scored.",
            "评分矩阵：行业名称及各标准0–10分的评分。不足12个行业时，多余的行留空（无名称、无评分）：不计分、不排名、"
            "不分层、不计数；有名称但没有任何评分的行业显示#N/A，直到填入评分。",
        ),
        None,
    ),
    (("What you get (grey cells, locked)", "输出内容（灰色单元格，已锁定）"), None),
    (
        (
            "Weighted score = Σ weight × score / Σ weight (blank scores drop out with their weight); rank "
            "(1 = best); tier by threshold, lower bound inclusive; the industry × size grid; a summary per tier "
            "and a bar chart of scores.",
            "加权得分 = Σ权重×分数/Σ权重（空白分数及其权重不计）；排名（1为最高）；"
            "按阈值分层（含下限）；行业×规模网格；各层级汇总及得分柱状图。",
        ),
        None,
    ),
)


def build(b: Builder) -> None:
    """Lay out the scoring matrix in ``b`` (flavour and language from the builder)."""
    instructions_sheet(b, TITLE, INSTRUCTIONS)
    _settings_sheet(b)
    m = _matrix_sheet(b)
    _grid_sheet(b)
    _summary_sheet(b, m)


def _settings_sheet(b: Builder) -> None:
    """Criteria (names, weights, directions), tier thresholds and labels, targeted company sizes."""
    s = b.sheet("Settings", {"A": 3, "B": 30, "C": 18, "D": 18, "E": 18, "F": 18}, tab="FFC000")
    b.title(s, (TITLE[0] + " — settings", TITLE[1] + " — 设置"))
    b.headers(s, 4, 2, [("Criteria", "评分标准")] + [(f"Criterion {i + 1}", f"标准{i + 1}") for i in range(N_CRIT)])
    b.labels(
        s,
        5,
        2,
        [("Criterion", "标准名称"), ("Weight", "权重"), ("Direction (higher/lower is better)", "方向（higher/lower）")],
    )
    b.inputs(s, 5, 3, [[b.t(c[0]) for c in ex.CRITERIA]], "criteria_names", TEXT)
    b.inputs(s, 6, 3, [[c[1] for c in ex.CRITERIA]], "criteria_weights", SHARE, "percent")
    b.inputs(s, 7, 3, [[c[2] for c in ex.CRITERIA]], "criteria_direction", DIRECTION)
    b.headers(s, 9, 2, [("Tier", "层级"), ("Minimum score", "最低得分"), ("Label", "标签")])
    b.labels(s, 10, 2, list(ex.TIER_NAMES))
    b.inputs(s, 10, 3, [[t] for t in ex.TIER_THRESHOLDS], "tier_thresholds", SCORE, "score")
    b.put(s, "C12", ("below B", "低于B"), "label")
    b.inputs(s, 10, 4, [[t] for t in ex.TIER_LABELS], "tier_labels", TEXT)
    b.headers(s, 14, 2, [("Targeted company sizes", "目标企业规模")] + list(ex.COMPANY_SIZES))
    b.outputs(s, 15, 2, [[f"D{10 + i}"] for i in range(3)], None)
    b.inputs(s, 15, 3, [list(r) for r in ex.SIZE_TARGETING], "size_targeting", YES_NO)
    s.freeze_panes = "C5"


def _matrix_sheet(b: Builder) -> Worksheet:
    """The industries' scores (inputs), adjusted scores, weighted score, rank and tier."""
    m = b.sheet("Matrix", {"A": 5, "B": 26, **{c: 14 for c in "CDEFGHI"}, **{c: 12 for c in "JKLM"}}, tab="4472C4")
    b.title(
        m,
        (TITLE[0], TITLE[1]),
        ("Scores 0–10 per criterion; grey cells are computed.", "各标准评分0–10；灰色单元格为计算结果。"),
    )
    b.headers(m, 4, 1, ["#", ("Industry", "行业")])
    b.outputs(m, 4, 3, [[f"Settings!{cell(3 + j, 5)}" for j in range(N_CRIT)]], None, style="header")
    b.headers(m, 4, 7, [("Weighted score", "加权得分"), ("Rank", "排名"), ("Tier", "层级")])
    b.outputs(m, 4, 10, [[f'"± "&Settings!{cell(3 + j, 5)}' for j in range(N_CRIT)]], None, style="header")
    b.labels(m, FIRST, 1, list(range(1, N_IND + 1)))
    b.inputs(m, FIRST, 2, [[b.t(name)] for name, _ in ex.INDUSTRIES], "industry_names", TEXT)
    b.inputs(m, FIRST, 3, [list(sc) for _, sc in ex.INDUSTRIES], "industry_scores", SCORE, "0.0")
    adjusted = [
        [
            f'IF({cell(3 + j, r)}="","",IF(Settings!{cell(3 + j, 7, True)}="lower",10-{cell(3 + j, r)},'
            f"{cell(3 + j, r)}))"
            for j in range(N_CRIT)
        ]
        for r in range(FIRST, LAST + 1)
    ]
    b.outputs(m, FIRST, 10, adjusted, "adjusted_scores", "0.0")
    scores_rows, tiers = _score_and_tier_formulas(b)
    b.outputs(m, FIRST, 7, scores_rows, "weighted_score", "score")
    b.outputs(m, FIRST, 9, tiers, "industry_tier")
    # ranks count the scores above (COUNTIF skips blanks and errors); scores are rounded, so ties are exact
    b.outputs(
        m,
        FIRST,
        8,
        [[f'IF(G{r}="","",1+COUNTIF($G${FIRST}:$G${LAST},">"&G{r}))'] for r in range(FIRST, LAST + 1)],
        "industry_rank",
        "0",
    )
    traffic_light(m, f"I{FIRST}:I{LAST}", f"I{FIRST}", ["Settings!$D$10", "Settings!$D$11", "Settings!$D$12"])
    _describe_matrix(b, m.parent["Settings"], m)
    m.freeze_panes = "C5"
    return m


def _describe_matrix(b: Builder, s: Worksheet, m: Worksheet) -> None:
    """The words of the criteria and matrix blocks, for the roll-up."""
    crit = f"$C$5:{cell(2 + N_CRIT, 5, True)}"
    b.describe(s, "criteria_weights", cols=crit, title="$B$6")
    b.describe(m, "industry_names", title="$B$4")
    names = f"$B${FIRST}:$B${LAST}"
    b.describe(m, "industry_scores", rows=names, title="$A$1")
    b.describe(m, "adjusted_scores", rows=names, title="$A$1")
    for block, col in (("weighted_score", "G"), ("industry_rank", "H"), ("industry_tier", "I")):
        b.describe(m, block, rows=names, title=f"${col}$4")
    b.describe(s, "industry_scores", cols=crit)
    b.describe(s, "adjusted_scores", cols=crit)


def _score_and_tier_formulas(b: Builder) -> tuple[list[list[str]], list[list[str]]]:
    """Each industry row's weighted-score and tier formulas, in the builder's flavour."""
    weights = "Settings!$C$6:$F$6"
    last_col = cell(2 + N_CRIT, FIRST)[: -len(str(FIRST))]  # the last criterion's column (F)
    scores_rows, tiers = [], []
    for r in range(FIRST, LAST + 1):
        empty = f"COUNTA(B{r}:{last_col}{r})=0"  # no name and no score: not an industry
        if b.flavour == "udf":
            score = f"GTM_WEIGHTED_SCORE({area(10, r, 9 + N_CRIT, r, False)},{weights})"
            tier = f"GTM_TIER(G{r},Settings!$C$10:$C$11,Settings!$D$10:$D$12)"
        else:
            s_ = f"C{r}:{last_col}{r}"
            score = (
                f'IF(COUNT({s_})=0,NA(),SUMPRODUCT({weights},({s_}<>"")*({s_}+(Settings!$C$7:$F$7="lower")'
                f'*(10-2*{s_})))/SUMPRODUCT({weights},--({s_}<>"")))'
            )
            tier = f"IF(G{r}>=Settings!$C$10,Settings!$D$10,IF(G{r}>=Settings!$C$11,Settings!$D$11,Settings!$D$12))"
        scores_rows.append([f'IF({empty},"",ROUND({score},{DIGITS}))'])
        tiers.append([f'IF(G{r}="","",{tier})'])
    return scores_rows, tiers


def _grid_sheet(b: Builder) -> None:
    """Industry × company size: which cells are targeted."""
    g = b.sheet("Grid", {"A": 26, "B": 8, **{c: 20 for c in "CDEF"}}, tab="70AD47")
    b.title(
        g,
        ("Industry × company size: target cells", "行业 × 企业规模：目标客群"),
        (
            "Y = targeted, from the tier of the industry and Settings › Targeted company sizes.",
            "Y = 目标客群，由行业层级及“设置›目标企业规模”决定。",
        ),
    )
    b.headers(g, 4, 1, [("Industry", "行业"), ("Tier", "层级")])
    b.outputs(g, 4, 3, [[f"Settings!{cell(3 + j, 14)}" for j in range(N_SIZE)]], None, style="header")
    b.outputs(
        g, FIRST, 1, [[f'IF(Matrix!B{r}="","",Matrix!B{r})', f"Matrix!I{r}"] for r in range(FIRST, LAST + 1)], None
    )
    grid = [
        [
            f'IF($B{r}="","",INDEX(Settings!$C$15:$F$17,MATCH($B{r},Settings!$D$10:$D$12,0),{j + 1}))'
            for j in range(N_SIZE)
        ]
        for r in range(FIRST, LAST + 1)
    ]
    b.outputs(g, FIRST, 3, grid, "target_grid")
    for j in range(N_SIZE):
        for r in range(FIRST, LAST + 1):
            g[cell(3 + j, r)].alignment = Alignment(horizontal="center")
    traffic_light(g, f"C{FIRST}:F{LAST}", f"C{FIRST}", ['"Y"', '"-"', '"N"'])
    b.put(g, f"A{LAST + 2}", ("Targeted industries", "目标行业数"), "total")
    b.outputs(
        g,
        LAST + 2,
        3,
        [[f'COUNTIF({area(3 + j, FIRST, 3 + j, LAST)},"Y")' for j in range(N_SIZE)]],
        "targeted_by_size",
        "0",
        style="total",
    )
    sizes = f"$C$14:{cell(2 + N_SIZE, 14, True)}"
    s, m = g.parent["Settings"], g.parent["Matrix"]
    b.describe(m, "target_grid", rows=f"$B${FIRST}:$B${LAST}")
    b.describe(s, "target_grid", cols=sizes)
    b.describe(g, "target_grid", title="$A$1")
    b.describe(s, "targeted_by_size", cols=sizes)
    b.describe(g, "targeted_by_size", title=f"$A${LAST + 2}")
    g.freeze_panes = "C5"


def _summary_sheet(b: Builder, m: Worksheet) -> None:
    """Counts and average scores per tier, the top industry, and the chart of the matrix's scores."""
    su = b.sheet("Summary", {"A": 10, "B": 26, "C": 14, "D": 16}, tab="A5A5A5")
    b.title(su, ("Summary by tier", "分层汇总"))
    b.headers(
        su, 4, 1, [("Tier", "层级"), ("Meaning", "含义"), ("Industries", "行业数"), ("Average score", "平均得分")]
    )
    b.outputs(su, 5, 1, [[f"Settings!$D${10 + i}"] for i in range(3)], None)
    b.labels(su, 5, 2, list(ex.TIER_NAMES))
    b.outputs(su, 5, 3, [[f"COUNTIF(Matrix!$I${FIRST}:$I${LAST},A{5 + i})"] for i in range(3)], "tier_count", "0")
    b.outputs(
        su,
        5,
        4,
        [
            [f'IF(C{5 + i}=0,"",AVERAGEIF(Matrix!$I${FIRST}:$I${LAST},A{5 + i},Matrix!$G${FIRST}:$G${LAST}))']
            for i in range(3)
        ],
        "tier_avg_score",
        "score",
    )
    traffic_light(su, "A5:A7", "A5", ["Settings!$D$10", "Settings!$D$11", "Settings!$D$12"])
    b.put(su, "A9", ("Top industry", "排名第一的行业"), "total")
    b.put(su, "B9", None, "total")
    b.outputs(
        su,
        9,
        3,
        [[f'INDEX(Matrix!$B${FIRST}:$B${LAST},MATCH(1,Matrix!$H${FIRST}:$H${LAST},0))&""']],
        "top_industry",
        style="total",
    )
    su.add_chart(_score_chart(b, m), "A11")
    b.describe(su, "tier_count", rows="$B$5:$B$7", title="$C$4")
    b.describe(su, "tier_avg_score", rows="$B$5:$B$7", title="$D$4")
    b.describe(su, "top_industry", title="$A$9")
    su.freeze_panes = "A5"


def _score_chart(b: Builder, m: Worksheet) -> BarChart:
    """Horizontal bars: the weighted score of each industry, on the 0–10 scale."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = b.t(("Weighted score by industry", "各行业加权得分"))
    chart.y_axis.title = b.t(("Score (0–10)", "得分（0–10）"))
    chart.add_data(Reference(m, min_col=7, min_row=4, max_row=LAST), titles_from_data=True)
    chart.set_categories(Reference(m, min_col=2, min_row=FIRST, max_row=LAST))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 10
    chart.y_axis.majorUnit, chart.y_axis.numFmt = 2, "0"
    chart.x_axis.scaling.orientation = "maxMin"
    chart.legend = None
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 9, 16
    return chart


def _empty_rows(names: list[Any], scores: list[list[Any]]) -> list[bool]:
    """Rows with no name and no score are not industries (a regional copy with 6 of 12 filled)."""
    return [is_blank(n) and all(is_blank(v) for v in row) for n, row in zip(names, scores)]


def compute(inputs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The template's outputs from its inputs, by gtm_xl's math (what the formulas must give).

    Rules: a row with no name and no score is empty — no score, rank, tier or grid, not counted;
    a named row with no score has the weighted score ``#N/A`` (GTM_WEIGHTED_SCORE of an all-blank
    row), and so rank, tier and grid ``#N/A``, while the other rows are ranked and counted as
    usual. The weighted score is rounded to ``DIGITS`` decimals; ranks count the scores above.
    """
    names = [r[0] for r in inputs["industry_names"]]
    empty = _empty_rows(names, inputs["industry_scores"])
    raw = np.array([[np.nan if is_blank(v) else float(v) for v in r] for r in inputs["industry_scores"]], dtype=float)
    lower = np.array([d == "lower" for d in inputs["criteria_direction"][0]])
    adjusted = np.where(lower, 10 - raw, raw)
    weights = [float(w) for w in inputs["criteria_weights"][0]]
    filled = [i for i, e in enumerate(empty) if not e]
    scores: list[Any] = [""] * len(names)
    if filled:
        for i, s in zip(filled, np.asarray(scoring.weighted_score(adjusted[filled], weights), dtype=object).tolist()):
            scores[i] = s if isinstance(s, CellError) else round(float(s), DIGITS)
    numbers = [s for s in scores if isinstance(s, float)]
    thresholds = [float(r[0]) for r in inputs["tier_thresholds"]]
    labels = [r[0] for r in inputs["tier_labels"]]

    def each(f: Any) -> list[Any]:  # per row: f(score) for numbers, the error passed on, blank for empty rows
        return [f(s) if isinstance(s, float) else s for s in scores]

    tiers = each(lambda s: str(scoring.tier(s, thresholds, labels)))
    rank = each(lambda s: 1 + sum(x > s for x in numbers))
    targeting = inputs["size_targeting"]
    n_sizes = len(targeting[0])
    grid = [list(targeting[labels.index(t)]) if t in labels else [t] * n_sizes for t in tiers]
    count = [sum(t == lab for t in tiers) for lab in labels]
    avg = [float(np.mean([s for s, t in zip(scores, tiers) if t == lab])) if c else "" for lab, c in zip(labels, count)]
    top = next((names[i] for i, r in enumerate(rank) if r == 1), CellError("#N/A"))
    return {
        "adjusted_scores": [[None if np.isnan(v) else float(v) for v in r] for r in adjusted],
        "weighted_score": [[s] for s in scores],
        "industry_rank": [[r] for r in rank],
        "industry_tier": [[t] for t in tiers],
        "target_grid": grid,
        "targeted_by_size": [[sum(row[j] == "Y" for row in grid) for j in range(n_sizes)]],
        "tier_count": [[c] for c in count],
        "tier_avg_score": [[a] for a in avg],
        "top_industry": [["" if is_blank(top) else top]],
    }
