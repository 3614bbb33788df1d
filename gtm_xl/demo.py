"""``gtm-xl demo``: an example GTM plan computed from the seeds' numbers, printed as text.

Industries are scored on weighted criteria and tiered A/B/C, the 50,000,000 budget is split
by tier, inside each tier by score, and by quarter (2/3/4/3); the KPIs are checked against
LTV:CAC 3:1. Everything is computed by the same functions the Excel UDFs call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gtm_xl import allocation, compensation, funnel, metrics, scoring

#: criterion, weight, higher_is_better (competition intensity counts against an industry)
CRITERIA = (
    ("Market value", 0.30, True),
    ("Investment activity", 0.20, True),
    ("Competition intensity", 0.20, False),
    ("Own fit", 0.30, True),
)

#: industry, scores per criterion (0–10)
INDUSTRIES = (
    ("Manufacturing", (9, 8, 3, 9)),
    ("Retail & e-commerce", (8, 9, 4, 8)),
    ("Financial services", (9, 8, 5, 7)),
    ("Healthcare", (8, 7, 5, 6)),
    ("Logistics", (7, 6, 4, 7)),
    ("Education", (6, 6, 5, 6)),
    ("Energy & utilities", (6, 5, 4, 5)),
    ("Real estate", (5, 4, 6, 5)),
    ("Hospitality", (4, 4, 7, 4)),
    ("Agriculture", (3, 4, 5, 3)),
    ("Media & entertainment", (4, 5, 8, 3)),
    ("Government", (4, 2, 4, 2)),
)

BUDGET = 50_000_000
TIER_SHARES = {"A": 0.6, "B": 0.3, "C": 0.1}
QUARTER_WEIGHTS = (2, 3, 4, 3)
ANNUAL_GMV = 12_000_000
ENROLMENTS = 1000
ROLE_WEIGHTS = {"Sales": 4, "Operations": 3, "Planning": 3}
POTENTIAL_FIRMS, SERVED_FIRMS, PENETRATION_GOAL = 50_000, 2_000, 0.08
FUNNEL = (("Lead", 20_000), ("MQL", 6_000), ("SQL", 1_800), ("Won", 450))
UNIT_ECONOMICS = dict(arpa=2_000.0, gross_margin=0.75, churn=0.025, cac=18_000.0)


@dataclass
class Plan:
    industries: list[str]
    scores: np.ndarray
    tiers: np.ndarray
    budget_by_tier: dict[str, float]
    budget_by_industry: np.ndarray
    budget_by_quarter: np.ndarray


def build_plan() -> Plan:
    """Score, tier and fund the example industries."""
    names = [name for name, _ in INDUSTRIES]
    raw = np.array([s for _, s in INDUSTRIES], dtype=float)
    direction = np.array([up for *_, up in CRITERIA])
    adjusted = np.where(direction, raw, 10 - raw)
    weights = np.array([w for _, w, _ in CRITERIA])
    scores = scoring.weighted_score(adjusted, weights)
    tiers = scoring.tier(scores)
    tier_budget = allocation.split_target(BUDGET, list(TIER_SHARES.values()), 1000)
    by_tier = dict(zip(TIER_SHARES, tier_budget.tolist()))
    by_industry = np.zeros(len(names))
    for label, amount in by_tier.items():
        members = np.flatnonzero(tiers == label)
        if members.size:
            by_industry[members] = allocation.split_target(amount, scores[members], 1000)
    by_quarter = allocation.split_target(by_industry, QUARTER_WEIGHTS, 1000)
    return Plan(names, scores, tiers, by_tier, by_industry, by_quarter)


def _money(x: float) -> str:
    return f"{x:>14,.0f}"


def print_demo() -> None:
    plan = build_plan()
    print("GTM plan — example from the seeds (budget 50,000,000; GMV 12,000,000)\n")
    print("1. Industries scored and tiered (A ≥ 7 key, B ≥ 4 general, C non-key)")
    print(f"   {'Industry':<24}{'Score':>7}  Tier{'Budget':>16}   Q1 / Q2 / Q3 / Q4")
    order = np.argsort(-plan.scores, kind="stable")
    for i in order:
        quarters = " / ".join(f"{q:,.0f}" for q in plan.budget_by_quarter[i])
        print(f"   {plan.industries[i]:<24}{plan.scores[i]:>7.2f}  {plan.tiers[i]:^4}{_money(plan.budget_by_industry[i])}   {quarters}")
    print("\n2. Budget by tier")
    for label, amount in plan.budget_by_tier.items():
        print(f"   Tier {label}: {_money(amount)}  ({amount / BUDGET:.0%})")
    unfunded = [label for label in plan.budget_by_tier if not (plan.tiers == label).any()]
    if unfunded:
        print(f"   Warning: no industry in tier {', '.join(unfunded)}: its budget is not allocated")
    print(f"   Check: industries sum to {plan.budget_by_industry.sum():,.0f}, quarters to {plan.budget_by_quarter.sum():,.0f}")
    print("\n3. Targets split by time and role")
    gmv = allocation.split_target(ANNUAL_GMV, QUARTER_WEIGHTS)
    print("   GMV by quarter: " + " / ".join(f"{x:,.0f}" for x in gmv))
    roles = allocation.split_target(ENROLMENTS, list(ROLE_WEIGHTS.values()))
    print("   Enrolments by role: " + ", ".join(f"{r} {n:,.0f}" for r, n in zip(ROLE_WEIGHTS, roles)))
    print(f"   Market: {POTENTIAL_FIRMS:,} firms, {SERVED_FIRMS:,} served = {SERVED_FIRMS / POTENTIAL_FIRMS:.0%} "
          f"penetration; goal {PENETRATION_GOAL:.0%} = {POTENTIAL_FIRMS * PENETRATION_GOAL:,.0f} firms")
    print("\n4. KPIs")
    ue = UNIT_ECONOMICS
    ratio = metrics.ltv_cac(ue["arpa"], ue["gross_margin"], ue["churn"], ue["cac"])
    payback = metrics.cac_payback(ue["cac"], ue["arpa"], ue["gross_margin"])
    ltv = metrics.ltv(ue["arpa"], ue["gross_margin"], ue["churn"])
    status = "meets" if ratio >= 3 else "is below"
    print(f"   LTV {ltv:,.0f}, CAC {ue['cac']:,.0f}: LTV:CAC {ratio:.1f}x ({status} the 3:1 target)")
    print(f"   CAC payback {payback:.1f} months; annual churn {metrics.churn_annual(ue['churn']):.1%}")
    counts = [n for _, n in FUNNEL]
    rates = funnel.stage_conversion(counts)
    steps = ", ".join(f"{FUNNEL[i][0]}→{FUNNEL[i + 1][0]} {r:.0%}" for i, r in enumerate(rates))
    worst = funnel.losing_stage(counts)
    print(f"   Funnel: {steps}; most lost at {FUNNEL[worst - 1][0]}→{FUNNEL[worst][0]}")
    payouts = compensation.commission(np.array([0.9, 1.0, 1.2, 1.5]), 10_000)
    print("   Commission on 10,000 base at 90/100/120/150% of target: " + " / ".join(f"{p:,.0f}" for p in payouts))
