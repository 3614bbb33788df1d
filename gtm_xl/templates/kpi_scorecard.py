"""KPI scorecard: the four dimensions of seed 000 with their KPIs (target, actual, attainment, RAG
status), unit economics (LTV, LTV:CAC against 3:1, CAC payback), NRR/GRR, the funnel checked stage
by stage with the losing stage flagged, seed 004's four planning rates, commission with
accelerators, and a monthly trend.
"""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference

from gtm_xl.math import compensation, funnel, metrics, scoring
from gtm_xl.templates import example as ex
from gtm_xl.templates.instructions import instructions_sheet
from gtm_xl.templates.layout import (
    AMOUNT,
    ATTAINMENT,
    BONUS,
    DIRECTION,
    FMT,
    FRACTION,
    NPS,
    POSITIVE,
    TEXT,
    WHOLE,
    Builder,
    NameInfo,
    above,
    below,
    label_names,
    rate_target,
    traffic_light,
)

TEMPLATE_ID = "kpi_scorecard"
VERSION = "1.0"
TITLE = ("GTM KPI scorecard", "GTM关键指标记分卡")

K_FIRST, K_LAST = 5, 5 + len(ex.KPIS) - 1
C_FIRST, C_LAST = K_LAST + 3, K_LAST + 3 + len(ex.COMPUTED_KPIS) - 1
RAG_LABELS = [f"Settings!$C${9 + i}" for i in range(3)]

NAMES: dict[str, NameInfo] = {
    "rag_thresholds": NameInfo("input", "attainment from which a KPI is green, then amber (descending)"),
    "rag_labels": NameInfo("input", "status labels: green, amber, red"),
    "commission_base": NameInfo("input", "base commission paid at 100% of target"),
    "commission_tiers": NameInfo(
        "input",
        "accelerators: attainment threshold and bonus (two columns; validated ascending, computed in any order)",
    ),
    "kpi_direction": NameInfo("input", "per KPI: higher or lower is better"),
    "kpi_target": NameInfo("input", "per KPI: target"),
    "kpi_actual": NameInfo("input", "per KPI: actual"),
    "kpi_attainment": NameInfo("output", "per KPI: actual/target (target/actual when lower is better)"),
    "kpi_status": NameInfo("output", "per KPI: RAG status"),
    "computed_kpi_target": NameInfo("input", "targets of LTV:CAC, CAC payback, NRR, GRR"),
    "ltv_cac_target": NameInfo("input", "LTV:CAC target (3:1)"),
    "computed_kpi_actual": NameInfo("output", "LTV:CAC, CAC payback, NRR, GRR as computed"),
    "computed_kpi_attainment": NameInfo("output", "attainment of the computed KPIs"),
    "computed_kpi_status": NameInfo("output", "RAG status of the computed KPIs"),
    "arpa": NameInfo("input", "average revenue per account, per month"),
    "gross_margin": NameInfo("input", "gross margin"),
    "churn_rate": NameInfo("input", "monthly churn rate"),
    "discount_rate": NameInfo("input", "monthly discount rate for LTV"),
    "cac": NameInfo("input", "customer acquisition cost"),
    "ltv": NameInfo("output", "customer lifetime value (gross profit)"),
    "ltv_cac": NameInfo("output", "LTV:CAC ratio"),
    "cac_payback": NameInfo("output", "months to earn back CAC"),
    "churn_annual": NameInfo("output", "annual churn from the monthly rate"),
    "acquisition_spend": NameInfo("input", "sales and marketing spent on acquiring the period's new customers"),
    "new_customers": NameInfo("input", "new customers acquired in the period (with the spend: CAC = spend / new)"),
    "mrr_start": NameInfo("input", "MRR at the start of the period"),
    "mrr_expansion": NameInfo("input", "expansion MRR"),
    "mrr_contraction": NameInfo("input", "contraction MRR"),
    "mrr_churned": NameInfo("input", "churned MRR"),
    "mrr_reactivation": NameInfo("input", "reactivated MRR"),
    "nrr": NameInfo("output", "net revenue retention"),
    "grr": NameInfo("output", "gross revenue retention"),
    "funnel_counts": NameInfo("input", "Lead, MQL, SQL, Won counts (column)"),
    "funnel_conversion": NameInfo("output", "conversion from the previous stage"),
    "funnel_cumulative": NameInfo("output", "conversion from the first stage"),
    "funnel_losing_stage": NameInfo("output", "transition with the lowest conversion (1 = Lead→MQL)"),
    "funnel_flag": NameInfo("output", "◀ on the losing transition"),
    "planning_inputs": NameInfo(
        "input", "target market accounts, reached, opportunities, won, revenue, repeat revenue"
    ),
    "planning_rates": NameInfo("output", "reach rate, opportunity rate, win rate, repeat contribution"),
    "commission_attainment": NameInfo("input", "current attainment for the commission"),
    "commission_payout": NameInfo("output", "payout at the current attainment"),
    "commission_schedule_attainment": NameInfo("input", "attainments of the payout schedule"),
    "commission_schedule_payout": NameInfo("output", "payouts of the schedule"),
    "mrr_target": NameInfo("input", "monthly MRR target (12 months)"),
    "mrr_actual": NameInfo("input", "monthly MRR actual (12 months)"),
    "mrr_attainment": NameInfo("output", "monthly MRR attainment"),
    "dimension_status_counts": NameInfo("output", "per dimension: KPIs green, amber, red"),
    "dimension_attainment": NameInfo("output", "per dimension: average attainment"),
}

# the words of every block, read by the roll-up from the cells these names point at (r rows, c columns, t title)
NAMES.update(
    label_names(
        {
            **{k: "rt" for k in ("kpi_direction", "kpi_target", "kpi_actual", "kpi_attainment", "kpi_status")},
            **{k: "rt" for k in ("computed_kpi_target", "computed_kpi_actual")},
            **{k: "rt" for k in ("computed_kpi_attainment", "computed_kpi_status")},
            **{
                k: "t"
                for k in (
                    "arpa",
                    "gross_margin",
                    "churn_rate",
                    "discount_rate",
                    "cac",
                    "ltv",
                    "ltv_cac",
                    "cac_payback",
                    "churn_annual",
                    "acquisition_spend",
                    "new_customers",
                    "mrr_start",
                    "mrr_expansion",
                    "mrr_contraction",
                    "mrr_churned",
                    "mrr_reactivation",
                    "nrr",
                    "grr",
                    "funnel_losing_stage",
                    "commission_base",
                    "commission_attainment",
                    "commission_payout",
                )
            },
            "commission_schedule_attainment": "t",
            "commission_schedule_payout": "rt",
            **{k: "rt" for k in ("funnel_counts", "funnel_conversion", "funnel_cumulative", "funnel_flag")},
            **{k: "rt" for k in ("planning_inputs", "planning_rates")},
            **{k: "rt" for k in ("mrr_target", "mrr_actual", "mrr_attainment")},
            "dimension_status_counts": "rct",
            "dimension_attainment": "rt",
        }
    )
)

INSTRUCTIONS = (
    (("What this workbook does", "本工作簿的用途"), None),
    (
        (
            "Tracks the KPIs of the four GTM dimensions — product-market fit, GTM fit, scalable growth, customer growth "
            "and retention — against their targets with a RAG status, computes the unit economics (customer lifetime "
            "value, LTV:CAC against the 3:1 benchmark, CAC payback), net and gross revenue retention, checks the funnel "
            "Lead → MQL → SQL → Won stage by stage and flags the stage losing most, shows the four planning rates "
            "(reach, opportunity, win, repeat contribution) and the commission with accelerators (100% → base, "
            "120% → +20%, 150% → +50%).",
            "按产品市场匹配、市场进入匹配、规模化增长、客户增长与留存四个维度跟踪关键指标，对比目标并显示红黄绿状态；"
            "计算单位经济模型（客户生命周期价值、LTV:CAC对比3:1基准、获客成本回收期）、净收入留存率和总收入留存率；"
            "逐层检查线索→MQL→SQL→成交漏斗并标出流失最多的环节；显示触达率、商机率、赢单率、复购贡献四个计划比率，"
            "以及含加速器的提成（100%→基础提成，120%→+20%，150%→+50%）。",
        ),
        None,
    ),
    (("What to fill in (blue on yellow cells)", "需要填写的内容（黄底蓝字单元格）"), None),
    (
        (
            "Settings: RAG thresholds (green from 100%, amber from 90% of target), labels, base commission and "
            "accelerators. Scorecard: direction, target and actual per KPI; targets of the computed KPIs. Economics, "
            "Funnel, Commission and Trend: the measured values.",
            "设置：红黄绿阈值（达成100%为绿，90%为黄）、标签、基础提成及加速器。记分卡：各指标方向、目标、实际值；"
            "计算类指标的目标。经济模型、漏斗、提成、趋势：实际测量值。",
        ),
        None,
    ),
    (("What you get (grey cells, locked)", "输出内容（灰色单元格，已锁定）"), None),
    (
        (
            "Attainment = actual/target (target/actual where lower is better); status green/amber/red; LTV = "
            "ARPA × margin / (churn + discount); LTV:CAC; CAC payback = CAC / (ARPA × margin) in months; NRR, GRR; "
            "stage conversion; planning rates; payouts; a summary per dimension; a funnel chart and a trend chart.",
            "达成率 = 实际/目标（越低越好的指标为 目标/实际）；红黄绿状态；LTV = ARPA × 毛利率 /（流失率 + 折现率）；"
            "LTV:CAC；获客成本回收期 = CAC /（ARPA × 毛利率）（月）；NRR、GRR；各阶段转化率；计划比率；提成；"
            "各维度汇总；漏斗图和趋势图。",
        ),
        None,
    ),
)


#: the status compares the attainment rounded to this many decimals: 0.0225/0.025 is 90% exactly,
#: whatever the floating-point noise of the division
DIGITS = 10


def _status(b: Builder, att: str, row: int) -> str:
    a = f"ROUND({att},{DIGITS})"
    if b.flavour == "udf":
        return f"GTM_TIER({a},Settings!$C$5:$C$6,Settings!$C$9:$C$11)"
    return f"IF({a}>=Settings!$C$5,{RAG_LABELS[0]},IF({a}>=Settings!$C$6,{RAG_LABELS[1]},{RAG_LABELS[2]}))"


def _attainment(b: Builder, r: int) -> str:
    if b.flavour == "udf":
        return f'GTM_ATTAINMENT(E{r},D{r},C{r}="lower")'
    return f'IF(C{r}="lower",D{r}/E{r},E{r}/D{r})'


_RAG_MESSAGES = (
    (
        (
            "Attainment from which a KPI is green, e.g. 100% (above 0%, up to 200%).",
            "指标为绿色的达成率下限，例如100%（大于0%，不超过200%）。",
        ),
        ("Enter a percentage above 0% and up to 200%.", "请输入大于0%且不超过200%的百分比。"),
    ),
    (
        (
            "Attainment from which a KPI is amber, e.g. 90%: below the green threshold.",
            "指标为黄色的达成率下限，例如90%：须低于绿色下限。",
        ),
        (
            "Enter a percentage from 0% to 200%, below the green threshold.",
            "请输入0%到200%之间、低于绿色下限的百分比。",
        ),
    ),
)
_TIER_MESSAGES = (
    (
        (
            "Attainment from which accelerator 1 pays, 100% or more (e.g. 120%).",
            "加速器1的起算达成率，不低于100%（如120%）。",
        ),
        ("Enter an attainment from 100% to 1000%.", "请输入100%到1000%之间的达成率。"),
    ),
    (
        (
            "Attainment from which accelerator 2 pays: above accelerator 1 (e.g. 150%).",
            "加速器2的起算达成率：须高于加速器1（如150%）。",
        ),
        ("Enter an attainment up to 1000%, above accelerator 1.", "请输入不超过1000%、高于加速器1的达成率。"),
    ),
)


def _settings(b: Builder) -> None:
    s = b.sheet("Settings", {"A": 3, "B": 34, "C": 16, "D": 16}, tab="FFC000")
    b.title(s, (TITLE[0] + " — settings", TITLE[1] + " — 设置"))
    b.headers(s, 4, 2, [("RAG status", "红黄绿状态"), ("Attainment from", "达成率下限")])
    b.labels(s, 5, 2, [("Green from", "绿色下限"), ("Amber from", "黄色下限")])
    # green from an attainment in (0%, 200%]; amber from a lower one (descending, as GTM_TIER needs)
    b.inputs(s, 5, 3, [[ex.RAG_THRESHOLDS[0]]], None, above("C5", "0", "0", "2", *_RAG_MESSAGES[0]), "0%")
    b.inputs(s, 6, 3, [[ex.RAG_THRESHOLDS[1]]], None, below("C6", "C5", "0", "2", *_RAG_MESSAGES[1]), "0%")
    b.name("rag_thresholds", s, "$C$5:$C$6")
    b.headers(s, 8, 2, [("Status", "状态"), ("Label", "标签")])
    b.labels(s, 9, 2, [("Green: on target", "绿：达成"), ("Amber: close", "黄：接近"), ("Red: behind", "红：落后")])
    b.inputs(s, 9, 3, [[b.t(x)] for x in ex.RAG_LABELS], "rag_labels", TEXT)
    traffic_light(s, "C9:C11", "C9", RAG_LABELS)
    b.headers(s, 13, 2, [("Commission", "提成"), ("Value", "数值")])
    b.labels(s, 14, 2, [("Base commission at 100% of target", "达成100%时的基础提成")])
    b.inputs(s, 14, 3, [[ex.COMMISSION_BASE]], "commission_base", AMOUNT, "currency")
    b.describe(s, "commission_base", title="$B$14")
    b.headers(s, 16, 2, [("Accelerator", "加速器"), ("Attainment from", "达成率"), ("Bonus", "奖励")])
    b.labels(s, 17, 2, [("Accelerator 1", "加速器1"), ("Accelerator 2", "加速器2")])
    # accelerator thresholds from 100% up to 1000%, ascending (the payout formula does not rely on it)
    b.inputs(s, 17, 3, [[ex.COMMISSION_TIERS[0][0]]], None, above("C17", "0", "1", "10", *_TIER_MESSAGES[0]), "0%")
    b.inputs(s, 18, 3, [[ex.COMMISSION_TIERS[1][0]]], None, above("C18", "C17", "1", "10", *_TIER_MESSAGES[1]), "0%")
    b.inputs(s, 17, 4, [[x] for _, x in ex.COMMISSION_TIERS], None, BONUS, "0%")
    b.name("commission_tiers", s, "$C$17:$D$18")


def _scorecard(b: Builder) -> None:
    sc = b.sheet("Scorecard", {"A": 26, "B": 40, "C": 11, "D": 15, "E": 15, "F": 12, "G": 10}, tab="4472C4")
    b.title(
        sc,
        TITLE,
        (
            "Attainment = actual/target; for lower-is-better KPIs target/actual.",
            "达成率 = 实际/目标；越低越好的指标为 目标/实际。",
        ),
    )
    head = [
        ("Dimension", "维度"),
        ("KPI", "指标"),
        ("Direction", "方向"),
        ("Target", "目标"),
        ("Actual", "实际"),
        ("Attainment", "达成率"),
        ("Status", "状态"),
    ]
    b.headers(sc, 4, 1, head)
    b.labels(sc, K_FIRST, 1, [ex.DIMENSIONS[k[0]] for k in ex.KPIS])
    b.labels(sc, K_FIRST, 2, [k[1] for k in ex.KPIS])
    b.inputs(sc, K_FIRST, 3, [[k[3]] for k in ex.KPIS], "kpi_direction", DIRECTION)
    for i, k in enumerate(ex.KPIS):  # rates (retention, referral, conversion, discount, churn) lie in 0–100%
        rate, nps = k[2] == "percent", k[1][0] == "NPS"  # an NPS lies in -100..100, its target above 0
        b.inputs(sc, K_FIRST + i, 4, [[k[4]]], None, rate_target(f"D{K_FIRST + i}") if rate else POSITIVE)
        b.inputs(sc, K_FIRST + i, 5, [[k[5]]], None, FRACTION if rate else NPS if nps else AMOUNT)
    b.name("kpi_target", sc, f"$D${K_FIRST}:$D${K_LAST}")
    b.name("kpi_actual", sc, f"$E${K_FIRST}:$E${K_LAST}")
    for i, k in enumerate(ex.KPIS):
        for col in "DE":
            sc[f"{col}{K_FIRST + i}"].number_format = _fmt(k[2])
    b.outputs(sc, K_FIRST, 6, [[_attainment(b, r)] for r in range(K_FIRST, K_LAST + 1)], "kpi_attainment", "percent")
    b.outputs(sc, K_FIRST, 7, [[_status(b, f"F{r}", r)] for r in range(K_FIRST, K_LAST + 1)], "kpi_status")
    b.put(
        sc,
        f"A{C_FIRST - 1}",
        ("KPIs computed from the unit economics (sheet Economics)", "由单位经济模型计算的指标（经济模型表）"),
        "section",
    )
    b.labels(sc, C_FIRST, 1, [ex.DIMENSIONS[k[0]] for k in ex.COMPUTED_KPIS])
    b.labels(sc, C_FIRST, 2, [k[1] for k in ex.COMPUTED_KPIS])
    b.labels(sc, C_FIRST, 3, [k[3] for k in ex.COMPUTED_KPIS])
    b.inputs(sc, C_FIRST, 4, [[k[4]] for k in ex.COMPUTED_KPIS], "computed_kpi_target", POSITIVE)
    b.name("ltv_cac_target", sc, f"$D${C_FIRST}")
    b.outputs(
        sc,
        C_FIRST,
        5,
        [["Economics!$C$12"], ["Economics!$C$13"], ["Economics!$C$24"], ["Economics!$C$25"]],
        "computed_kpi_actual",
    )
    for i, computed in enumerate(ex.COMPUTED_KPIS):
        for col in "DE":
            sc[f"{col}{C_FIRST + i}"].number_format = _fmt(computed[2])
    b.outputs(
        sc, C_FIRST, 6, [[_attainment(b, r)] for r in range(C_FIRST, C_LAST + 1)], "computed_kpi_attainment", "percent"
    )
    b.outputs(sc, C_FIRST, 7, [[_status(b, f"F{r}", r)] for r in range(C_FIRST, C_LAST + 1)], "computed_kpi_status")
    traffic_light(sc, f"G{K_FIRST}:G{K_LAST}", f"G{K_FIRST}", RAG_LABELS)
    traffic_light(sc, f"G{C_FIRST}:G{C_LAST}", f"G{C_FIRST}", RAG_LABELS)
    for name, col in (
        ("kpi_direction", "C"),
        ("kpi_target", "D"),
        ("kpi_actual", "E"),
        ("kpi_attainment", "F"),
        ("kpi_status", "G"),
    ):
        b.describe(sc, name, rows=f"$B${K_FIRST}:$B${K_LAST}", title=f"${col}$4")
    for name, col in (
        ("computed_kpi_target", "D"),
        ("computed_kpi_actual", "E"),
        ("computed_kpi_attainment", "F"),
        ("computed_kpi_status", "G"),
    ):
        b.describe(sc, name, rows=f"$B${C_FIRST}:$B${C_LAST}", title=f"${col}$4")
    sc.freeze_panes = "C5"


def _fmt(kind: str) -> str:
    return FMT[kind]


def _economics(b: Builder) -> None:
    e = b.sheet("Economics", {"A": 3, "B": 44, "C": 16}, tab="70AD47")
    b.title(
        e,
        ("Unit economics and revenue retention", "单位经济模型与收入留存"),
        ("Monthly figures: a monthly ARPA goes with a monthly churn.", "按月口径：月ARPA对应月流失率。"),
    )
    b.headers(e, 4, 2, [("Unit economics (monthly)", "单位经济模型（月）"), ("Value", "数值")])
    rows = (
        (("ARPA: average revenue per account", "ARPA：每客户平均收入"), "arpa", POSITIVE, "currency"),
        (("Gross margin", "毛利率"), "gross_margin", FRACTION, "percent"),
        (("Churn rate (monthly)", "月流失率"), "churn_rate", FRACTION, "0.00%"),
        (("Discount rate (monthly)", "月折现率"), "discount_rate", FRACTION, "0.00%"),
        (("CAC: customer acquisition cost", "获客成本（CAC）"), "cac", POSITIVE, "currency"),
    )
    values = [ex.UNIT_ECONOMICS[k] for k in ("arpa", "gross_margin", "churn", "discount", "cac")]
    for i, ((label, name, v, fmt), value) in enumerate(zip(rows, values)):
        b.labels(e, 5 + i, 2, [label])
        b.inputs(e, 5 + i, 3, [[value]], name, v, fmt)
    b.labels(
        e,
        11,
        2,
        [
            ("LTV: customer lifetime value", "客户生命周期价值（LTV）"),
            ("LTV:CAC", "LTV:CAC"),
            ("CAC payback (months)", "获客成本回收期（月）"),
            ("Churn rate (annual)", "年流失率"),
        ],
    )
    if b.flavour == "udf":
        f = [
            "GTM_LTV(C5,C6,C7,C8)",
            "GTM_LTV_CAC(C5,C6,C7,C9,C8)",
            "GTM_CAC_PAYBACK(C9,C5,C6)",
            "GTM_CHURN_ANNUAL(C7)",
            "GTM_NRR(C18,C19,C20,C21,C22)",
            "GTM_GRR(C18,C20,C21)",
        ]
    else:
        f = [
            "C5*C6/(C7+C8)",
            "C11/C9",
            "C9/(C5*C6)",
            "1-(1-C7)^12",
            "(C18+C19+C22-C20-C21)/C18",
            "MIN(MAX((C18-C20-C21)/C18,0),1)",
        ]
    for i, (name, fmt) in enumerate(
        (("ltv", "currency"), ("ltv_cac", "ratio"), ("cac_payback", "months"), ("churn_annual", "0.00%"))
    ):
        b.outputs(e, 11 + i, 3, [[f[i]]], name, fmt)
    b.headers(e, 17, 2, [("Revenue retention (MRR)", "收入留存（MRR）"), ("Value", "数值")])
    labels = [
        ("MRR at start", "期初MRR"),
        ("Expansion", "扩容"),
        ("Contraction", "缩减"),
        ("Churned", "流失"),
        ("Reactivation", "召回"),
    ]
    keys = ("start", "expansion", "contraction", "churned", "reactivation")
    for i, (label, key) in enumerate(zip(labels, keys)):
        b.labels(e, 18 + i, 2, [label])
        b.inputs(e, 18 + i, 3, [[ex.RETENTION[key]]], f"mrr_{key}", POSITIVE if key == "start" else AMOUNT, "currency")
    b.labels(
        e,
        24,
        2,
        [
            ("NRR: net revenue retention", "净收入留存率（NRR）"),
            ("GRR: gross revenue retention", "总收入留存率（GRR）"),
        ],
    )
    b.outputs(e, 24, 3, [[f[4]]], "nrr", "percent")
    b.outputs(e, 25, 3, [[f[5]]], "grr", "percent")
    # the acquisition behind CAC: the roll-up's portfolio CAC, LTV:CAC and payback come from these summed
    # parts (spend / new customers, lifetime gross profit / spend), never from averaged ratios
    b.headers(e, 27, 2, [("Acquisition in the period", "本期获客"), ("Value", "数值")])
    b.labels(e, 28, 2, [("Acquisition spend", "获客投入"), ("New customers acquired", "新增客户数")])
    b.inputs(e, 28, 3, [[ex.ACQUISITION["spend"]]], "acquisition_spend", AMOUNT, "currency")
    b.inputs(e, 29, 3, [[ex.ACQUISITION["new_customers"]]], "new_customers", WHOLE, "count")
    for i, name in enumerate(("arpa", "gross_margin", "churn_rate", "discount_rate", "cac")):
        b.describe(e, name, title=f"$B${5 + i}")
    for i, name in enumerate(("ltv", "ltv_cac", "cac_payback", "churn_annual")):
        b.describe(e, name, title=f"$B${11 + i}")
    for i, key in enumerate(("start", "expansion", "contraction", "churned", "reactivation")):
        b.describe(e, f"mrr_{key}", title=f"$B${18 + i}")
    b.describe(e, "nrr", title="$B$24")
    b.describe(e, "grr", title="$B$25")
    b.describe(e, "acquisition_spend", title="$B$28")
    b.describe(e, "new_customers", title="$B$29")


def _funnel(b: Builder) -> None:
    fu = b.sheet("Funnel", {"A": 30, "B": 14, "C": 16, "D": 16, "E": 8}, tab="ED7D31")
    b.title(
        fu,
        ("Funnel, checked stage by stage; planning rates", "逐层检查的销售漏斗；计划比率"),
        ("◀ marks the transition where most customers are lost.", "◀ 标出客户流失最多的环节。"),
    )
    b.headers(
        fu,
        4,
        1,
        [
            ("Stage", "阶段"),
            ("Count", "数量"),
            ("From previous", "环比转化率"),
            ("From first", "累计转化率"),
            ("Loss", "流失"),
        ],
    )
    b.labels(fu, 5, 1, [s for s, _ in ex.FUNNEL])
    b.inputs(fu, 5, 2, [[n] for _, n in ex.FUNNEL], "funnel_counts", WHOLE, "count")
    if b.flavour == "udf":
        b.array_output(fu, 6, 3, 3, 1, "GTM_FUNNEL(B5:B8)", "funnel_conversion", "percent")
        b.array_output(fu, 6, 4, 3, 1, "GTM_FUNNEL(B5:B8,TRUE)", "funnel_cumulative", "0.00%")
    else:
        b.outputs(fu, 6, 3, [[f"B{r}/B{r - 1}"] for r in range(6, 9)], "funnel_conversion", "percent")
        b.outputs(fu, 6, 4, [[f"B{r}/$B$5"] for r in range(6, 9)], "funnel_cumulative", "0.00%")
    b.labels(fu, 10, 1, [("Losing transition (1 = first)", "流失最多的环节（1 = 第一环）")])
    b.outputs(fu, 10, 2, [["MATCH(MIN(C6:C8),C6:C8,0)"]], "funnel_losing_stage", "0")
    b.outputs(fu, 6, 5, [[f'IF($B$10={i + 1},"◀","")'] for i in range(3)], "funnel_flag")
    traffic_light(fu, "E6:E8", "E6", ['"-"', '"-"', '"◀"'])
    chart = BarChart()
    chart.type = "bar"
    chart.title = b.t(("Funnel: Lead → MQL → SQL → Won", "漏斗：线索 → MQL → SQL → 成交"))
    chart.add_data(Reference(fu, min_col=2, min_row=4, max_row=8), titles_from_data=True)
    chart.set_categories(Reference(fu, min_col=1, min_row=5, max_row=8))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.legend = None
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 7, 14
    fu.add_chart(chart, "D13")
    b.headers(fu, 13, 1, [("Planning inputs (seed 004)", "计划输入"), ("Value", "数值")])
    b.labels(
        fu,
        14,
        1,
        [
            ("Target market accounts", "目标市场客户数"),
            ("Accounts reached", "已触达客户数"),
            ("Opportunities", "商机数"),
            ("Deals won", "赢单数"),
            ("Revenue", "收入"),
            ("Revenue from repeat customers", "复购客户收入"),
        ],
    )
    p = ex.PLANNING
    b.inputs(
        fu,
        14,
        2,
        [[p[k]] for k in ("target_accounts", "reached", "opportunities", "won", "revenue", "repeat_revenue")],
        "planning_inputs",
        WHOLE,
        "count",
    )
    b.headers(fu, 21, 1, [("Planning rates", "计划比率"), ("Rate", "比率")])
    b.labels(
        fu,
        22,
        1,
        [
            ("Reach rate", "目标市场触达率"),
            ("Opportunity rate", "商机率"),
            ("Win rate", "赢单率"),
            ("Repeat contribution", "复购贡献"),
        ],
    )
    b.outputs(fu, 22, 2, [["B15/B14"], ["B16/B15"], ["B17/B16"], ["B19/B18"]], "planning_rates", "percent")
    b.describe(fu, "funnel_counts", rows="$A$5:$A$8", title="$B$4")
    b.describe(fu, "funnel_conversion", rows="$A$6:$A$8", title="$C$4")
    b.describe(fu, "funnel_cumulative", rows="$A$6:$A$8", title="$D$4")
    b.describe(fu, "funnel_flag", rows="$A$6:$A$8", title="$E$4")
    b.describe(fu, "funnel_losing_stage", title="$A$10")
    b.describe(fu, "planning_inputs", rows="$A$14:$A$19", title="$B$13")
    b.describe(fu, "planning_rates", rows="$A$22:$A$25", title="$B$21")


def _commission(b: Builder) -> None:
    c = b.sheet("Commission", {"A": 3, "B": 34, "C": 16}, tab="7030A0")
    b.title(
        c,
        ("Commission with accelerators", "含加速器的提成"),
        (
            "100% of target → base commission; 120% → +20%; 150% → +50%; below 100% pro rata.",
            "达成100% → 基础提成；120% → +20%；150% → +50%；低于100%按比例。",
        ),
    )
    b.headers(c, 4, 2, [("Current", "当前"), ("Value", "数值")])
    b.labels(c, 5, 2, [("Attainment", "达成率"), ("Payout", "提成")])
    b.inputs(c, 5, 3, [[ex.COMMISSION_ATTAINMENT]], "commission_attainment", ATTAINMENT, "0%")
    b.outputs(c, 6, 3, [[_payout(b, "C5")]], "commission_payout", "currency")
    b.headers(c, 8, 2, [("Attainment", "达成率"), ("Payout", "提成")])
    b.inputs(c, 9, 2, [[x] for x in ex.COMMISSION_SCHEDULE], "commission_schedule_attainment", ATTAINMENT, "0%")
    b.outputs(c, 9, 3, [[_payout(b, f"B{r}")] for r in range(9, 13)], "commission_schedule_payout", "currency")
    b.describe(c, "commission_attainment", title="$B$5")
    b.describe(c, "commission_payout", title="$B$6")
    b.describe(c, "commission_schedule_attainment", title="$B$8")
    b.describe(c, "commission_schedule_payout", rows="$B$9:$B$12", title="$C$8")


def _payout(b: Builder, att: str) -> str:
    base = "Settings!$C$14"
    if b.flavour == "udf":
        return f"GTM_COMMISSION({att},{base},Settings!$C$17:$D$18)"
    # the bonus of the highest threshold reached, whatever the order of the two accelerators
    # (equal thresholds: the second one, as gtm_xl.math.compensation's stable sort)
    t1, b1, t2, b2 = "Settings!$C$17", "Settings!$D$17", "Settings!$C$18", "Settings!$D$18"
    return (
        f"IF({att}>=1,{base}*(1+IF(AND({att}>={t1},{att}>={t2}),IF({t2}>={t1},{b2},{b1}),"
        f"IF({att}>={t2},{b2},IF({att}>={t1},{b1},0)))),{base}*{att})"
    )


def _trend(b: Builder) -> None:
    t = b.sheet("Trend", {"A": 10, "B": 16, "C": 16, "D": 12}, tab="A5A5A5")
    b.title(t, ("MRR trend: target vs actual", "MRR趋势：目标与实际"))
    b.headers(
        t, 4, 1, [("Month", "月份"), ("MRR target", "MRR目标"), ("MRR actual", "MRR实际"), ("Attainment", "达成率")]
    )
    b.labels(t, 5, 1, list(ex.MONTHS))
    b.inputs(t, 5, 2, [[x] for x in ex.MRR_TARGET], "mrr_target", POSITIVE, "currency")
    b.inputs(t, 5, 3, [[x] for x in ex.MRR_ACTUAL], "mrr_actual", AMOUNT, "currency")
    att = (lambda r: f"GTM_ATTAINMENT(C{r},B{r})") if b.flavour == "udf" else (lambda r: f"C{r}/B{r}")
    b.outputs(t, 5, 4, [[att(r)] for r in range(5, 17)], "mrr_attainment", "percent")
    chart = LineChart()
    chart.title = b.t(("MRR: target vs actual", "MRR：目标与实际"))
    chart.add_data(Reference(t, min_col=2, max_col=3, min_row=4, max_row=16), titles_from_data=True)
    chart.set_categories(Reference(t, min_col=1, min_row=5, max_row=16))
    chart.y_axis.numFmt = "#,##0"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height, chart.width = 8, 16
    t.add_chart(chart, "F4")
    for name, col in (("mrr_target", "B"), ("mrr_actual", "C"), ("mrr_attainment", "D")):
        b.describe(t, name, rows="$A$5:$A$16", title=f"${col}$4")
    t.freeze_panes = "A5"


def _summary(b: Builder) -> None:
    su = b.sheet("Summary", {"A": 30, "B": 10, "C": 10, "D": 10, "E": 14}, tab="1F3864")
    b.title(su, ("Summary by dimension", "按维度汇总"))
    b.headers(su, 4, 1, [("Dimension", "维度")])
    b.outputs(su, 4, 2, [RAG_LABELS], None, style="header")
    b.headers(su, 4, 5, [("Avg. attainment", "平均达成率")])
    b.labels(su, 5, 1, list(ex.DIMENSIONS))
    k = (
        f"Scorecard!$A${K_FIRST}:$A${K_LAST}",
        f"Scorecard!$F${K_FIRST}:$F${K_LAST}",
        f"Scorecard!$G${K_FIRST}:$G${K_LAST}",
    )
    c = (
        f"Scorecard!$A${C_FIRST}:$A${C_LAST}",
        f"Scorecard!$F${C_FIRST}:$F${C_LAST}",
        f"Scorecard!$G${C_FIRST}:$G${C_LAST}",
    )
    counts = [
        [f"COUNTIFS({k[0]},$A{r},{k[2]},{lab})+COUNTIFS({c[0]},$A{r},{c[2]},{lab})" for lab in RAG_LABELS]
        for r in range(5, 9)
    ]
    b.outputs(su, 5, 2, counts, "dimension_status_counts", "0")
    b.outputs(
        su,
        5,
        5,
        [
            [f"(SUMIF({k[0]},$A{r},{k[1]})+SUMIF({c[0]},$A{r},{c[1]}))/(COUNTIF({k[0]},$A{r})+COUNTIF({c[0]},$A{r}))"]
            for r in range(5, 9)
        ],
        "dimension_attainment",
        "percent",
    )
    traffic_light(su, "B4:D4", "B4", RAG_LABELS)
    b.describe(su, "dimension_status_counts", rows="$A$5:$A$8", cols="$B$4:$D$4", title="$A$1")
    b.describe(su, "dimension_attainment", rows="$A$5:$A$8", title="$E$4")
    b.put(su, "A10", ("LTV:CAC (target 3:1)", "LTV:CAC（目标3:1）"), "total")
    b.outputs(su, 10, 2, [["Economics!$C$12"]], None, "ratio", style="total")
    b.put(su, "A11", ("CAC payback (months)", "获客成本回收期（月）"), "total")
    b.outputs(su, 11, 2, [["Economics!$C$13"]], None, "months", style="total")
    b.put(su, "A12", ("NRR / GRR", "NRR / GRR"), "total")
    b.outputs(su, 12, 2, [["Economics!$C$24", "Economics!$C$25"]], None, "percent", style="total")


def build(b: Builder) -> None:
    """Lay out the KPI scorecard in ``b``."""
    instructions_sheet(b, TITLE, INSTRUCTIONS)
    _settings(b)
    _scorecard(b)
    _economics(b)
    _funnel(b)
    _commission(b)
    _trend(b)
    _summary(b)


def _f(block: list[list[Any]]) -> list[float]:
    return [float(x) for r in block for x in r]


def compute(inputs: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The template's outputs from its inputs, by gtm_xl's math."""
    v = inputs
    g = lambda name: float(v[name][0][0])  # noqa: E731
    thresholds, labels = _f(v["rag_thresholds"]), [r[0] for r in v["rag_labels"]]

    def status(att: float) -> str:
        return str(scoring.tier(round(att, DIGITS), thresholds, labels))

    att = [
        float(metrics.attainment(a, t, d == "lower"))
        for d, t, a in zip([r[0] for r in v["kpi_direction"]], _f(v["kpi_target"]), _f(v["kpi_actual"]))
    ]
    arpa, gm, churn, disc, cac = g("arpa"), g("gross_margin"), g("churn_rate"), g("discount_rate"), g("cac")
    ltv = float(metrics.ltv(arpa, gm, churn, disc))
    nrr = float(
        metrics.nrr(g("mrr_start"), g("mrr_expansion"), g("mrr_contraction"), g("mrr_churned"), g("mrr_reactivation"))
    )
    grr = float(metrics.grr(g("mrr_start"), g("mrr_contraction"), g("mrr_churned")))
    computed = [float(metrics.ltv_cac(arpa, gm, churn, cac, disc)), float(metrics.cac_payback(cac, arpa, gm)), nrr, grr]
    directions = [k[3] for k in ex.COMPUTED_KPIS]
    c_att = [
        float(metrics.attainment(a, t, d == "lower"))
        for a, t, d in zip(computed, _f(v["computed_kpi_target"]), directions)
    ]
    counts = _f(v["funnel_counts"])
    conv = [float(x) for x in funnel.stage_conversion(counts)]
    cum = [float(x) for x in funnel.stage_conversion(counts, cumulative=True)]
    losing = funnel.losing_stage(counts)
    pl = _f(v["planning_inputs"])
    tiers = [r for r in v["commission_tiers"]]
    base = g("commission_base")

    def payout(a: float) -> float:
        return float(compensation.commission(a, base, tiers))

    dims = [ex.DIMENSIONS[k[0]] for k in ex.KPIS] + [ex.DIMENSIONS[k[0]] for k in ex.COMPUTED_KPIS]
    all_att, all_status = att + c_att, [status(a) for a in att + c_att]
    counts_by_dim, att_by_dim = [], []
    for d in ex.DIMENSIONS:
        idx = [i for i, x in enumerate(dims) if x == d]
        counts_by_dim.append([sum(all_status[i] == lab for i in idx) for lab in labels])
        att_by_dim.append([sum(all_att[i] for i in idx) / len(idx)])
    mrr_t, mrr_a = _f(v["mrr_target"]), _f(v["mrr_actual"])
    return {
        "kpi_attainment": [[a] for a in att],
        "kpi_status": [[status(a)] for a in att],
        "computed_kpi_actual": [[x] for x in computed],
        "computed_kpi_attainment": [[a] for a in c_att],
        "computed_kpi_status": [[status(a)] for a in c_att],
        "ltv": [[ltv]],
        "ltv_cac": [[computed[0]]],
        "cac_payback": [[computed[1]]],
        "churn_annual": [[float(metrics.churn_annual(churn))]],
        "nrr": [[nrr]],
        "grr": [[grr]],
        "funnel_conversion": [[x] for x in conv],
        "funnel_cumulative": [[x] for x in cum],
        "funnel_losing_stage": [[losing]],
        "funnel_flag": [["◀" if i + 1 == losing else ""] for i in range(len(conv))],
        "planning_rates": [[pl[1] / pl[0]], [pl[2] / pl[1]], [pl[3] / pl[2]], [pl[5] / pl[4]]],
        "commission_payout": [[payout(g("commission_attainment"))]],
        "commission_schedule_payout": [[payout(a)] for a in _f(v["commission_schedule_attainment"])],
        "mrr_attainment": [[a / t] for t, a in zip(mrr_t, mrr_a)],
        "dimension_status_counts": counts_by_dim,
        "dimension_attainment": att_by_dim,
    }
