"""The whole round trip: template → distribute to 20 regions → regional teams edit (openpyxl,
LibreOffice) → one formula tampered, one file corrupted → roll up. The consolidated figures must
equal the ones computed here, in Python, from the inputs each region ended up with."""

from __future__ import annotations

import csv
import json
import math
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from distribution_helpers import SCORES, SETTINGS, TEMPLATE_ID, build_test_template, expected_outputs

from gtm_xl.adapters.cli import main
from gtm_xl.workflows.distribute import distribute
from gtm_xl.workflows.rollup.job import Aggregation, rollup

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

N = 20


def _regions_csv(path: Path) -> dict[str, dict]:
    """20 regions with different budgets, targets and acquisition numbers; returns their settings."""
    settings = {}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "name", "budget_total", "gmv_target", "new_customers", "cac_spend", "arpa"])
        for i in range(N):
            rid = f"R{i:02d}"
            s = {k: v[1] for k, v in SETTINGS.items()}
            s.update(
                budget_total=1_000_000 + 250_000 * i,
                gmv_target=3_000_000 + 500_000 * i,
                new_customers=100 + 10 * i,
                cac_spend=200_000 + 7_500 * i,
                arpa=800 + 25 * i,
            )
            w.writerow(
                [rid, f"Region {i}", s["budget_total"], s["gmv_target"], s["new_customers"], s["cac_spend"], s["arpa"]]
            )
            settings[rid] = {"settings": s, "scores": list(SCORES)}
    return settings


def test_round_trip(tmp_path, libreoffice):
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    regions = _regions_csv(tmp_path / "regions.csv")
    out = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", out)
    files = {rid: out / f"{TEMPLATE_ID}_{rid}.xlsx" for rid in regions}

    # regional teams change their inputs: openpyxl users …
    for i, rid in enumerate(["R01", "R04", "R09", "R15"]):
        wb = openpyxl.load_workbook(files[rid])
        wb["Settings"]["B2"] = 2_222_222 + i  # budget_total
        wb["Settings"]["B5"] = 123_456 * (i + 1)  # cac_spend
        wb["Plan"]["B4"] = 9.5  # a score
        wb.save(files[rid])
        regions[rid]["settings"].update(budget_total=2_222_222 + i, cac_spend=123_456 * (i + 1))
        regions[rid]["scores"][1] = 9.5
    # … and a LibreOffice user (edited, then opened and saved by LibreOffice, which rewrites the file)
    wb = openpyxl.load_workbook(files["R07"])
    wb["Settings"]["B3"] = 7_777_777
    wb.save(files["R07"])
    regions["R07"]["settings"]["gmv_target"] = 7_777_777
    saved = libreoffice.convert([files["R07"]], "xlsx", tmp_path / "lo", filter_name="Calc MS Excel 2007 XML")[0]
    shutil.copyfile(saved, files["R07"])
    # one tampered formula, one corrupt file
    wb = openpyxl.load_workbook(files["R12"])
    wb["Plan"]["B12"] = "=cac_spend/new_customers/2"
    wb.save(files["R12"])
    data = files["R18"].read_bytes()
    files["R18"].write_bytes(data[: len(data) // 2])

    report = rollup(
        sorted(files.values()),
        tmp_path / "rollup.xlsx",
        manifest=out / "manifest.json",
        csv_dir=tmp_path / "csv",
        db=str(tmp_path / "rollup.db"),
        libreoffice=libreoffice,
    )

    left = {Path(r.path).name: r.reasons for r in report.left_out}
    assert set(left) == {files["R12"].name, files["R18"].name}
    assert any("Plan!B12" in reason and "changed" in reason for reason in left[files["R12"].name])
    assert any("unreadable" in reason for reason in left[files["R18"].name])
    assert report.missing_regions == []
    assert not report.complete

    good = {rid: v for rid, v in regions.items() if rid not in ("R12", "R18")}
    assert [r.region for r in report.included] == sorted(good)
    expected = {rid: expected_outputs(v["settings"], v["scores"]) for rid, v in good.items()}
    for r in report.included:
        for key, value in expected[r.region].items():
            got = r.outputs[key][0][0]
            assert got == value if isinstance(value, str) else math.isclose(got, value, rel_tol=1e-9), (r.region, key)
        industry = [row[0] for row in r.outputs["out_industry_budget"]]
        assert math.isclose(sum(industry), expected[r.region]["out_budget"], rel_tol=1e-9)

    budget = math.fsum(e["out_budget"] for e in expected.values())
    assert math.isclose(report.totals["out_budget"], budget, rel_tol=1e-12)
    assert math.isclose(
        report.totals["out_gmv_target"], math.fsum(e["out_gmv_target"] for e in expected.values()), rel_tol=1e-12
    )
    # LTV:CAC is not summed: weighted by the acquisition spend it is a ratio of, the average is the
    # consolidated ratio — the lifetime value of all new customers over all acquisition spend
    spend = math.fsum(v["settings"]["cac_spend"] for v in good.values())
    consolidated = (
        math.fsum(e["out_ltv"] * good[rid]["settings"]["new_customers"] for rid, e in expected.items()) / spend
    )
    assert report.rules["out_ltv_cac"] == Aggregation("weighted", "cac_spend")
    assert math.isclose(report.totals["out_ltv_cac"], consolidated, rel_tol=1e-9)
    # CAC by the new customers: all spend over all new customers
    customers = math.fsum(v["settings"]["new_customers"] for v in good.values())
    assert report.rules["out_cac"] == Aggregation("weighted", "new_customers")
    assert math.isclose(report.totals["out_cac"], spend / customers, rel_tol=1e-9)
    assert report.totals["out_ltv_cac"] < max(e["out_ltv_cac"] for e in expected.values())

    # the roll-up workbook, the CSV tables and the database say the same
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    totals = {(r[0], r[1], r[2] or ""): r[3] for r in wb["Totals"].iter_rows(min_row=2, values_only=True)}
    assert math.isclose(totals[("out_budget", "out_budget", "")], budget, rel_tol=1e-12)
    assert {"Checks", "Status", "Totals", "Data"} <= set(wb.sheetnames)
    statuses = [row[-1] for row in wb["Checks"].iter_rows(min_row=5, values_only=True) if row[-1] in ("OK", "CHECK")]
    assert statuses and set(statuses) == {"OK"}
    assert any(ws._charts for ws in wb.worksheets)
    with open(tmp_path / "csv" / "summary.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(good)
    assert math.isclose(sum(float(r["out_budget"]) for r in rows), budget, rel_tol=1e-12)
    con = sqlite3.connect(tmp_path / "rollup.db")
    try:
        (db_budget,) = con.execute("select sum(out_budget) from summary").fetchone()
        (block_sum,) = con.execute("select sum(value) from data where block = 'out_industry_budget'").fetchone()
        (n_left,) = con.execute("select count(distinct file) from left_out").fetchone()
    finally:
        con.close()
    assert math.isclose(db_budget, budget, rel_tol=1e-12)
    assert math.isclose(block_sum, budget, rel_tol=1e-9)
    assert n_left == 2
    # the summary workbook opens in an independent spreadsheet (LibreOffice renders it to PDF)
    pdf = libreoffice.convert([tmp_path / "rollup.xlsx"], "pdf", tmp_path / "pdf")[0]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def test_rollup_cli_exit_codes(tmp_path, libreoffice, capsys, monkeypatch):
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    (tmp_path / "regions.csv").write_text("region,name\nA,Alpha\nB,Beta\nC,Gamma\n", encoding="utf-8")
    out = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", out)
    monkeypatch.setattr("gtm_xl.workflows.rollup.job._recalculate_with_libreoffice.__defaults__", (libreoffice,))
    options = [
        "--out",
        str(tmp_path / "r.xlsx"),
        "--manifest",
        str(out / "manifest.json"),
        "--report",
        str(tmp_path / "r.json"),
    ]
    args = ["rollup", str(out / f"{TEMPLATE_ID}_A.xlsx"), str(out / f"{TEMPLATE_ID}_B.xlsx")]
    assert main([*args, *options]) == 1  # C was not returned
    err = capsys.readouterr().err
    assert f"NOT RETURNED region C ({TEMPLATE_ID}_C.xlsx)" in err
    assert json.loads((tmp_path / "r.json").read_text())["missing_regions"] == [
        {"region": "C", "file": f"{TEMPLATE_ID}_C.xlsx"}
    ]
    assert main([*args, str(out / f"{TEMPLATE_ID}_C.xlsx"), *options, "--jobs", "2"]) == 0
    assert "Consolidated 3 of 3" in capsys.readouterr().out


def test_round_trip_with_the_budget_template(tmp_path, libreoffice, built_templates):
    """The real budget-by-tier template: each region's tier budgets add up to its total budget, and
    the consolidated tier budgets to the sum of the regions' budgets."""
    from gtm_xl.data import DATA_DIR
    from gtm_xl.workflows.regions import read_table

    template = built_templates.path("budget_by_tier", "native", "en")
    regions = DATA_DIR / "regions_example.csv"
    distribute(template, regions, tmp_path / "sent", rows_path=DATA_DIR / "industries_example.csv")
    emea = tmp_path / "sent" / "budget_by_tier_EMEA.xlsx"
    wb = openpyxl.load_workbook(emea)  # EMEA raises its budget in Excel-like fashion
    from gtm_xl.workflows.template_info import read_template

    info = read_template(template)
    block = info.inputs["total_budget"]
    wb[block.sheet].cell(block.min_row, block.min_col).value = 21_000_000
    wb.save(emea)
    report = rollup(
        sorted((tmp_path / "sent").glob("*.xlsx")),
        tmp_path / "rollup.xlsx",
        manifest=tmp_path / "sent" / "manifest.json",
        csv_dir=tmp_path / "csv",
        libreoffice=libreoffice,
    )
    assert report.complete, report.as_dict()
    headers, rows = read_table(regions)
    budgets = {row[0]: float(str(row[2]).replace(",", "")) for _, row in rows}
    budgets["EMEA"] = 21_000_000.0
    for r in report.included:
        tiers = [row[0] for row in r.outputs["budget_by_tier"]]
        assert math.isclose(sum(tiers), budgets[r.region], rel_tol=1e-12), r.region
    with open(tmp_path / "csv" / "data.csv", encoding="utf-8") as fh:
        total = math.fsum(float(row["value"]) for row in csv.DictReader(fh) if row["block"] == "budget_by_tier")
    assert math.isclose(total, math.fsum(budgets.values()), rel_tol=1e-12)
    how, grid = report.block_totals["budget_by_tier"]
    assert how == "sum" and math.isclose(math.fsum(row[0] for row in grid), total, rel_tol=1e-12)


def test_udf_flavour_is_recalculated_by_the_refresh_or_reported(tmp_path, libreoffice, built_templates):
    """A udf-flavour copy (GTM_* formulas): consolidated when the headless refresh computes it;
    otherwise left out with a reason that says why — never consolidated from #NAME? values."""
    template = built_templates.path("budget_by_tier", "udf", "en")
    (tmp_path / "regions.csv").write_text("region,name,total_budget\nEMEA,Europe,9000000\n", encoding="utf-8")
    distribute(template, tmp_path / "regions.csv", tmp_path / "sent")
    report = rollup(
        [tmp_path / "sent" / "budget_by_tier_EMEA.xlsx"],
        tmp_path / "r.xlsx",
        manifest=tmp_path / "sent" / "manifest.json",
        libreoffice=libreoffice,
    )
    if report.included:
        (r,) = report.included
        assert r.recalculated_by == "refresh"
        assert math.isclose(sum(row[0] for row in r.outputs["budget_by_tier"]), 9_000_000, rel_tol=1e-12)
    else:
        (r,) = report.left_out
        assert "GTM_* functions need the refresh's evaluator" in r.reasons[0]


def test_rollup_without_manifest_takes_each_region_once(tmp_path, libreoffice):
    """With --template instead of a manifest: no region list to compare with, but a region
    returned twice (a copy under another name) is consolidated once and the second is reported."""
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    (tmp_path / "regions.csv").write_text("region,name,budget_total\nA,Alpha,100\nB,Beta,200\n", encoding="utf-8")
    out = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", out)
    shutil.copyfile(out / f"{TEMPLATE_ID}_A.xlsx", out / "copy of A.xlsx")
    report = rollup(
        [out / f"{TEMPLATE_ID}_A.xlsx", out / f"{TEMPLATE_ID}_B.xlsx", out / "copy of A.xlsx"],
        tmp_path / "r.xlsx",
        template=template,
        libreoffice=libreoffice,
    )
    assert [r.region for r in report.included] == ["A", "B"]
    (dup,) = report.left_out
    assert dup.reasons == [f"region 'A' already consolidated from {out / f'{TEMPLATE_ID}_A.xlsx'}"]
    assert report.totals["out_budget"] == 300.0
