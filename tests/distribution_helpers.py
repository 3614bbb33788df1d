"""A small GTM-style template built with openpyxl for the distribution and roll-up tests.

It follows the template contract of docs/SPEC.md, section 3 (stamp name, input/output names, unlocked
validated inputs, locked formulas, protected sheets) with native formulas only, so LibreOffice can
recalculate it; the tests also run against the real templates when ``gtm_xl.templates`` is present.
"""

from __future__ import annotations

from pathlib import Path

INDUSTRIES = ["Retail", "Manufacturing", "Healthcare", "Logistics", "Education", "Finance"]
SCORES = [7.5, 6.0, 8.0, 4.5, 3.0, 9.0]
SETTINGS = {  # name: (label, value, validation (type, operator, f1, f2), number format)
    "budget_total": ("Budget", 5_000_000, ("decimal", "greaterThanOrEqual", "0", None), "#,##0"),
    "gmv_target": ("GMV target", 12_000_000, ("decimal", "greaterThanOrEqual", "0", None), "#,##0"),
    "new_customers": ("New customers", 400, ("whole", "greaterThanOrEqual", "0", None), "#,##0"),
    "cac_spend": ("Acquisition spend", 1_000_000, ("decimal", "greaterThanOrEqual", "0", None), "#,##0"),
    "arpa": ("Revenue per account / month", 1_000, ("decimal", "greaterThan", "0", None), "#,##0"),
    "gross_margin": ("Gross margin", 0.7, ("decimal", "between", "0", "1"), "0%"),
    "churn_monthly": ("Monthly churn", 0.02, ("decimal", "between", "0.0001", "1"), "0.0%"),
    "segment": ("Segment", "SMB", ("list", None, '"SMB,Mid,Enterprise"', None), "General"),
}
OUTPUTS = {  # name: (label, formula, number format)
    "out_budget": ("Budget", "=budget_total", "#,##0"),
    "out_gmv_target": ("GMV target", "=gmv_target", "#,##0"),
    "out_cac": ("CAC", "=IF(new_customers=0,0,cac_spend/new_customers)", "#,##0"),
    "out_ltv": ("LTV", "=arpa*gross_margin/churn_monthly", "#,##0"),
    "out_ltv_cac": ("LTV:CAC", "=IF(out_cac=0,0,out_ltv/out_cac)", '0.0"x"'),
    "out_score_total": ("Score total", "=SUM(industry_scores)", "0.0"),
    "out_status": ("Status", '=IF(out_ltv_cac>=3,"Green",IF(out_ltv_cac>=1,"Amber","Red"))', "General"),
}
TEMPLATE_ID = "regional_plan"
TEMPLATE_VERSION = "1.0"


def build_test_template(path: Path, custom_rules: dict[str, tuple[str, str]] | None = None) -> Path:
    """Write the test template to ``path`` and return it. ``custom_rules``: sheet range →
    (formula, error message) of extra data validations of type custom (relative references are
    relative to the range's top-left cell, as Excel stores them)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    settings = wb.active
    settings.title = "Settings"
    plan = wb.create_sheet("Plan")
    unlocked = Protection(locked=False)
    fill = PatternFill("solid", fgColor="FFF2CC")

    def add_name(name: str, ref: str) -> None:
        wb.defined_names[name] = DefinedName(name, attr_text=ref)

    settings["A1"] = "Assumption"
    settings["B1"] = "Value"
    settings["A1"].font = settings["B1"].font = Font(bold=True)
    for i, (name, (label, value, (kind, op, f1, f2), fmt)) in enumerate(SETTINGS.items(), start=2):
        settings.cell(i, 1, label)
        cell = settings.cell(i, 2, value)
        cell.protection = unlocked
        cell.fill = fill
        cell.number_format = fmt
        dv = DataValidation(
            type=kind,
            operator=op,
            formula1=f1,
            formula2=f2,
            allow_blank=True,
            showErrorMessage=True,
            error=f"{label}: value out of range",
        )
        dv.add(cell.coordinate)
        settings.add_data_validation(dv)
        add_name(name, f"Settings!$B${i}")

    plan["A2"], plan["B2"], plan["C2"] = "Industry", "Score", "Budget"
    n = len(INDUSTRIES)
    last = 2 + n
    score_dv = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="10",
        allow_blank=True,
        showErrorMessage=True,
        error="Scores are 0-10",
    )
    plan.add_data_validation(score_dv)
    for i, (industry, score) in enumerate(zip(INDUSTRIES, SCORES), start=3):
        for col, value in ((1, industry), (2, score)):
            cell = plan.cell(i, col, value)
            cell.protection = unlocked
            cell.fill = fill
        score_dv.add(f"B{i}")
        plan.cell(i, 3, f"=IF(SUM($B$3:$B${last})=0,0,budget_total*B{i}/SUM($B$3:$B${last}))")
        plan.cell(i, 3).number_format = "#,##0"
    add_name("industry_names", f"Plan!$A$3:$A${last}")
    add_name("industry_scores", f"Plan!$B$3:$B${last}")
    add_name("out_industry_budget", f"Plan!$C$3:$C${last}")

    row = last + 2
    for name, (label, formula, fmt) in OUTPUTS.items():
        plan.cell(row, 1, label)
        cell = plan.cell(row, 2, formula)
        cell.number_format = fmt
        add_name(name, f"Plan!$B${row}")
        row += 1
    add_name("GTM_TEMPLATE", f'"{TEMPLATE_ID} {TEMPLATE_VERSION}"')
    for ref, (formula, message) in (custom_rules or {}).items():
        sheet_name, _, cells = ref.partition("!")
        dv = DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True, error=message)
        dv.add(cells)
        wb[sheet_name].add_data_validation(dv)
    settings.protection.sheet = True
    plan.protection.sheet = True
    wb.save(path)
    return path


def expected_outputs(settings: dict, scores: list[float]) -> dict[str, float]:
    """The template's scalar outputs computed in Python from its inputs (independently of any file)."""
    cac = 0.0 if settings["new_customers"] == 0 else settings["cac_spend"] / settings["new_customers"]
    ltv = settings["arpa"] * settings["gross_margin"] / settings["churn_monthly"]
    ratio = 0.0 if cac == 0 else ltv / cac
    return {
        "out_budget": float(settings["budget_total"]),
        "out_gmv_target": float(settings["gmv_target"]),
        "out_cac": cac,
        "out_ltv": ltv,
        "out_ltv_cac": ratio,
        "out_score_total": float(sum(scores)),
        "out_status": "Green" if ratio >= 3 else "Amber" if ratio >= 1 else "Red",
    }
