"""The worked example every template opens with: the seeds' numbers and twelve industries.

Texts are (English, Chinese) pairs; numbers are the same in both builds.
"""

from __future__ import annotations

#: criterion, weight, direction ("lower": lower is better, scored as 10 − s before weighting)
CRITERIA = (
    (("Market value", "市场价值"), 0.30, "higher"),
    (("Investment activity", "投资活跃度"), 0.20, "higher"),
    (("Competition intensity", "竞争强度"), 0.20, "lower"),
    (("Own fit", "自身匹配度"), 0.30, "higher"),
)

#: industry, scores per criterion (0–10)
INDUSTRIES = (
    (("Manufacturing", "制造业"), (9, 8, 3, 9)),
    (("Retail & e-commerce", "零售与电商"), (8, 9, 4, 8)),
    (("Financial services", "金融服务"), (9, 8, 5, 7)),
    (("Healthcare", "医疗健康"), (8, 7, 5, 6)),
    (("Logistics", "物流"), (7, 6, 4, 7)),
    (("Education", "教育"), (6, 6, 5, 6)),
    (("Energy & utilities", "能源与公用事业"), (6, 5, 4, 5)),
    (("Real estate", "房地产"), (5, 4, 6, 5)),
    (("Hospitality", "酒店与餐饮"), (4, 4, 7, 4)),
    (("Agriculture", "农业"), (3, 4, 5, 3)),
    (("Media & entertainment", "传媒与娱乐"), (4, 5, 8, 3)),
    (("Government", "政府与公共部门"), (4, 2, 4, 2)),
)

TIER_THRESHOLDS = (7, 4)
TIER_LABELS = ("A", "B", "C")
TIER_NAMES = (("Key industries", "重点行业"), ("General industries", "一般行业"), ("Non-key industries", "非重点行业"))

#: company sizes of the industry × size grid, and which sizes each tier targets
COMPANY_SIZES = (
    ("Small (<50)", "小型（<50人）"),
    ("Mid-size (50–499)", "中型（50–499人）"),
    ("Large (500–4,999)", "大型（500–4,999人）"),
    ("Enterprise (5,000+)", "超大型（5,000人以上）"),
)
SIZE_TARGETING = (("N", "Y", "Y", "Y"), ("N", "Y", "Y", "N"), ("N", "N", "N", "N"))

BUDGET = 50_000_000
BUDGET_UNIT = 1_000
TIER_SHARES = (0.6, 0.3, 0.1)
QUARTERS = (("Q1", "第一季度"), ("Q2", "第二季度"), ("Q3", "第三季度"), ("Q4", "第四季度"))
QUARTER_WEIGHTS = (2, 3, 4, 3)
MONTH_WEIGHTS = (1, 1, 1)
ANNUAL_GMV = 12_000_000
ENROLMENTS = 1_000
ROLES = (("Sales", "销售"), ("Operations", "运营"), ("Planning", "策划"))
ROLE_WEIGHTS = (4, 3, 3)
CHANNELS = (
    ("Direct sales", "直销"),
    ("Partners", "渠道伙伴"),
    ("Digital marketing", "数字营销"),
    ("Events", "会议活动"),
)
CHANNEL_WEIGHTS = (40, 25, 20, 15)
SCENARIOS = (("Low (−15%)", "保守（−15%）"), ("Base", "基准"), ("High (+15%)", "乐观（+15%）"))
SCENARIO_FACTORS = (0.85, 1.0, 1.15)
POTENTIAL_FIRMS, SERVED_FIRMS, PENETRATION_GOAL = 50_000, 2_000, 0.08
MILESTONE_SHARES = (0.3, 0.6, 0.9)

# --- KPI scorecard -------------------------------------------------------------------------------
DIMENSIONS = (
    ("Product-market fit", "产品市场匹配"),
    ("GTM fit", "市场进入匹配"),
    ("Scalable growth", "规模化增长"),
    ("Customer growth & retention", "客户增长与留存"),
)

#: dimension index, KPI, number format, direction, target, actual
KPIS = (
    (0, ("Customer retention rate", "客户留存率"), "percent", "higher", 0.90, 0.88),
    (0, ("NPS", "净推荐值"), "count", "higher", 40, 46),
    (0, ("Referral rate", "转介绍率"), "percent", "higher", 0.15, 0.12),
    (1, ("Lead → Won conversion", "线索到成交转化率"), "percent", "higher", 0.025, 0.0225),
    (1, ("Average contract value", "平均合同金额"), "currency", "higher", 24_000, 26_500),
    (1, ("Discount rate", "折扣率"), "percent", "lower", 0.10, 0.12),
    (1, ("Sales cycle (days)", "销售周期（天）"), "count", "lower", 60, 72),
    (2, ("Customer acquisition cost (CAC)", "获客成本（CAC）"), "currency", "lower", 20_000, 18_000),
    (2, ("ARR", "年度经常性收入（ARR）"), "currency", "higher", 12_000_000, 10_800_000),
    (2, ("GMV attainment", "GMV达成"), "currency", "higher", 12_000_000, 11_400_000),
    (3, ("New customers", "新增客户数"), "count", "higher", 450, 420),
    (3, ("Monthly churn", "月流失率"), "percent", "lower", 0.025, 0.028),
)

#: computed KPIs: dimension index, KPI, format, direction, target
COMPUTED_KPIS = (
    (2, ("LTV:CAC (customer lifetime value : CAC)", "客户生命周期价值:获客成本（LTV:CAC）"), "ratio", "higher", 3.0),
    (2, ("CAC payback (months)", "获客成本回收期（月）"), "months", "lower", 12.0),
    (3, ("Net revenue retention (NRR)", "净收入留存率（NRR）"), "percent", "higher", 1.10),
    (3, ("Gross revenue retention (GRR)", "总收入留存率（GRR）"), "percent", "higher", 0.90),
)

RAG_THRESHOLDS = (1.0, 0.9)
RAG_LABELS = (("Green", "绿"), ("Amber", "黄"), ("Red", "红"))

UNIT_ECONOMICS = dict(arpa=2_000.0, gross_margin=0.75, churn=0.025, discount=0.0, cac=18_000.0)
#: the acquisition behind CAC: 420 new customers (the scorecard's actual) for 420 × 18,000
ACQUISITION = dict(spend=7_560_000.0, new_customers=420)
RETENTION = dict(start=1_000_000.0, expansion=150_000.0, contraction=30_000.0, churned=70_000.0, reactivation=10_000.0)
FUNNEL = (
    (("Lead", "线索"), 20_000),
    (("MQL", "市场认可线索（MQL）"), 6_000),
    (("SQL", "销售认可线索（SQL）"), 1_800),
    (("Won", "成交"), 450),
)
#: seed 004's four rates: target market accounts, reached, opportunities, won, revenue, repeat revenue
PLANNING = dict(
    target_accounts=4_000, reached=2_400, opportunities=720, won=180, revenue=12_000_000, repeat_revenue=3_600_000
)
COMMISSION_BASE = 100_000
COMMISSION_TIERS = ((1.2, 0.2), (1.5, 0.5))
COMMISSION_ATTAINMENT = 1.25
COMMISSION_SCHEDULE = (0.8, 1.0, 1.2, 1.5)
MONTHS = (
    ("Jan", "1月"),
    ("Feb", "2月"),
    ("Mar", "3月"),
    ("Apr", "4月"),
    ("May", "5月"),
    ("Jun", "6月"),
    ("Jul", "7月"),
    ("Aug", "8月"),
    ("Sep", "9月"),
    ("Oct", "10月"),
    ("Nov", "11月"),
    ("Dec", "12月"),
)
MRR_TARGET = tuple(800_000 + 40_000 * i for i in range(12))
MRR_ACTUAL = (
    790_000,
    835_000,
    860_000,
    905_000,
    930_000,
    990_000,
    1_010_000,
    1_060_000,
    1_090_000,
    1_150_000,
    1_180_000,
    1_230_000,
)
