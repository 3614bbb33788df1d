"""gtm-xl distribute: the regions/rows tables, the fast regional copies, the manifest."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from distribution_helpers import INDUSTRIES, TEMPLATE_ID, build_test_template

from gtm_xl.adapters.cli import main
from gtm_xl.workflows.distribute import (
    add_sheet_password,
    content_differences,
    distribute,
    naive_regional_copy,
    protection_hash,
    sha256_file,
    workbook_content,
)
from gtm_xl.workflows.regions import RegionsError, plan_regions
from gtm_xl.workflows.template_info import load_workbook_bytes, read_region, read_template


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_test_template(tmp_path_factory.mktemp("tpl") / "regional_plan.xlsx")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


REGIONS = """region,name,budget_total,gmv_target,gross_margin,segment,new_customers
EMEA,Europe,"6,000,000",15000000,65%,Mid,300
APAC,Asia Pacific,4000000,9000000,0.7,SMB,
NA,North America,8000000,20000000,0.72,enterprise,500
"""


def test_regions_table_problems_are_all_named_and_nothing_is_written(template, tmp_path):
    bad = write(
        tmp_path / "regions.csv",
        "region,name,budget_total,gross_margin,segment,new_customers\n"
        "EMEA,Europe,-5,0.5,SMB,10\n"
        ",Nowhere,1,0.5,SMB,10\n"
        "EMEA,Again,1,0.5,SMB,10\n"
        "APAC,Asia,1,1.5,XL,2.5\n"
        "LATAM,Latin America,lots,0.5,SMB,10\n",
    )
    out = tmp_path / "out"
    with pytest.raises(RegionsError) as exc:
        distribute(template, bad, out)
    text = str(exc.value)
    assert not out.exists()
    assert "row 2, column budget_total: value -5 must be at least 0" in text
    assert "row 3, column region: missing region id" in text
    assert "row 4, column region: duplicate region id 'EMEA' (first on row 2)" in text
    assert "row 5, column gross_margin: value 1.5 must be between 0 and 1" in text
    assert "row 5, column segment: 'XL' is not one of SMB, Mid, Enterprise" in text
    assert "row 5, column new_customers: 2.5 is not a whole number" in text
    assert "row 6, column budget_total: 'lots' is not a number" in text
    assert all(line.startswith(str(bad)) for line in text.splitlines())


def test_unknown_and_output_columns_are_refused(template, tmp_path):
    bad = write(tmp_path / "r.csv", "region,name,budget,out_budget,industry_scores\nEMEA,Europe,1,2,3\n")
    with pytest.raises(RegionsError) as exc:
        distribute(template, bad, tmp_path / "out")
    text = str(exc.value)
    assert "column budget: unknown column: 'budget' is not an input name" in text
    assert "out_budget' is an output of the template" in text
    assert "industry_scores is a list input (6×1 cells); give it in the --rows table" in text
    missing = write(tmp_path / "m.csv", "region,budget_total\nEMEA,1\n")
    with pytest.raises(RegionsError, match="missing required column 'name'"):
        distribute(template, missing, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_copies_match_the_naive_openpyxl_way(template, tmp_path):
    regions = write(tmp_path / "regions.csv", REGIONS)
    rows = write(
        tmp_path / "industries.csv",
        "region,industry_names,industry_scores\nEMEA,Retail,8\nEMEA,Energy,6.5\nAPAC,Gaming,9\n",
    )
    result = distribute(template, regions, tmp_path / "out", rows_path=rows)
    assert [f.file for f in result.files] == [f"{TEMPLATE_ID}_{r}.xlsx" for r in ("EMEA", "APAC", "NA")]
    info = read_template(template)
    plans = {p.region: p for p in plan_regions(info, regions, rows)}
    for f in result.files:
        fast = tmp_path / "out" / f.file
        naive = naive_regional_copy(template, plans[f.region], tmp_path / f"naive_{f.file}")
        assert content_differences(workbook_content(fast), workbook_content(naive)) == []
        wb = load_workbook_bytes(fast.read_bytes())
        assert read_region(wb) == (f.region, plans[f.region].name)
        assert all(ws.protection.sheet for ws in wb.worksheets)
    emea = load_workbook_bytes((tmp_path / "out" / f"{TEMPLATE_ID}_EMEA.xlsx").read_bytes())
    names = [emea["Plan"].cell(r, 1).value for r in range(3, 3 + len(INDUSTRIES))]
    assert names == ["Retail", "Energy", None, None, None, None]
    assert emea["Settings"]["B2"].value == 6_000_000 and emea["Settings"]["B7"].value == 0.65
    na = load_workbook_bytes((tmp_path / "out" / f"{TEMPLATE_ID}_NA.xlsx").read_bytes())
    assert [na["Plan"].cell(r, 1).value for r in range(3, 9)] == INDUSTRIES  # not in rows table: kept


def test_only_the_needed_parts_change(template, tmp_path):
    regions = write(tmp_path / "regions.csv", REGIONS)
    distribute(template, regions, tmp_path / "out")
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(tmp_path / "out" / f"{TEMPLATE_ID}_EMEA.xlsx") as b:
        assert a.namelist() == b.namelist()
        changed = {
            i.filename
            for i in b.infolist()
            if (i.CRC, i.compress_size) != (a.getinfo(i.filename).CRC, a.getinfo(i.filename).compress_size)
        }
        wbxml = b.read("xl/workbook.xml")
    assert changed == {"xl/workbook.xml", "xl/worksheets/sheet1.xml"}  # Settings only: no list inputs
    assert (
        b'fullCalcOnLoad="1"' in wbxml
        and b'name="GTM_REGION">&quot;EMEA&quot;' in wbxml
        or b'name="GTM_REGION">"EMEA"' in wbxml
    )


def test_manifest_and_rerun_into_the_same_folder(template, tmp_path):
    regions = write(tmp_path / "regions.csv", REGIONS)
    out = tmp_path / "out"
    distribute(template, regions, out)
    first = {p.name: p.read_bytes() for p in out.glob("*.xlsx")}
    result = distribute(template, regions, out)
    assert {p.name: p.read_bytes() for p in out.glob("*.xlsx")} == first  # deterministic, replaced
    assert sorted(p.name for p in out.iterdir()) == sorted([*first, "manifest.json"])  # no temp files
    doc = json.loads((out / "manifest.json").read_text())
    assert doc["template"]["id"] == TEMPLATE_ID and doc["template"]["version"] == "1.0"
    assert doc["template"]["sha256"] == sha256_file(template)
    assert [r["region"] for r in doc["regions"]] == ["EMEA", "APAC", "NA"]
    for r in doc["regions"]:
        assert r["sha256"] == sha256_file(out / r["file"])
    assert doc["created"].endswith("+00:00")
    assert result.manifest == out / "manifest.json"


def test_regions_from_xlsx(template, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["region", "name", "budget_total", "churn_monthly"])
    ws.append(["EMEA", "Europe", 1234, 0.03])
    ws.append(["APAC", "Asia", 99, 2])
    wb.save(tmp_path / "regions.xlsx")
    with pytest.raises(RegionsError, match=r"row 3, column churn_monthly: value 2 must be between"):
        distribute(template, tmp_path / "regions.xlsx", tmp_path / "out")
    ws["D3"] = 0.01
    wb.save(tmp_path / "regions.xlsx")
    result = distribute(template, tmp_path / "regions.xlsx", tmp_path / "out")
    assert len(result.files) == 2


def test_rows_table_problems(template, tmp_path):
    regions = write(tmp_path / "regions.csv", REGIONS)
    rows = write(
        tmp_path / "rows.csv",
        "region,industry_scores,industry_names\n"
        + "".join(f"EMEA,5,I{i}\n" for i in range(7))
        + "MARS,1,x\nAPAC,11,y\n",
    )
    with pytest.raises(RegionsError) as exc:
        distribute(template, regions, tmp_path / "out", rows_path=rows)
    text = str(exc.value)
    assert "row 8, column industry_scores: region 'EMEA' has more rows than industry_scores holds (6)" in text
    assert "row 9, column region: region 'MARS' is not in the regions table" in text
    assert "row 10, column industry_scores: value 11 must be between 0 and 10" in text


def test_password_protection(template, tmp_path):
    regions = write(tmp_path / "regions.csv", REGIONS)
    distribute(template, regions, tmp_path / "out", password="s3cret")
    with zipfile.ZipFile(tmp_path / "out" / f"{TEMPLATE_ID}_APAC.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet2.xml")
    assert b'algorithmName="SHA-512"' in sheet and b'spinCount="100000"' in sheet
    wb = load_workbook_bytes((tmp_path / "out" / f"{TEMPLATE_ID}_APAC.xlsx").read_bytes())
    prot = wb["Plan"].protection
    assert prot.sheet and prot.hashValue and prot.saltValue
    import base64

    assert prot.hashValue == protection_hash("s3cret", base64.b64decode(prot.saltValue), 100_000)
    assert (
        add_sheet_password(b"<worksheet><sheetData/></worksheet>", b' x="1"') == b"<worksheet><sheetData/></worksheet>"
    )  # an unprotected sheet stays unprotected


def test_cli_distribute(template, tmp_path, capsys):
    regions = write(tmp_path / "regions.csv", REGIONS)
    assert main(["distribute", str(template), "--regions", str(regions), "--out", str(tmp_path / "o")]) == 0
    assert "Wrote 3 regional copies" in capsys.readouterr().out
    bad = write(tmp_path / "bad.csv", "region,name,nope\nX,Y,1\n")
    assert main(["distribute", str(template), "--regions", str(bad), "--out", str(tmp_path / "p")]) == 2
    assert "column nope: unknown column" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_shipped_example_tables_with_a_built_template(tmp_path):
    """``gtm-xl distribute budget_by_tier`` with the example tables: the kind is built first, every
    copy equals openpyxl's and passes the roll-up checks."""
    from gtm_xl.data import DATA_DIR
    from gtm_xl.workflows.rollup.job import inspect_file

    regions, rows = DATA_DIR / "regions_example.csv", DATA_DIR / "industries_example.csv"
    out = tmp_path / "out"
    assert (
        main(["distribute", "budget_by_tier", "--regions", str(regions), "--rows", str(rows), "--out", str(out)]) == 0
    )
    template = next((out / ".template").glob("*.xlsx"))
    info = read_template(template)
    manifest = {e["region"].lower(): e for e in json.loads((out / "manifest.json").read_text())["regions"]}
    plans = {p.region: p for p in plan_regions(info, regions, rows)}
    assert sorted(plans) == ["APAC", "EMEA", "LATAM", "NA"]
    for region, plan in plans.items():
        copy = out / f"budget_by_tier_{region}.xlsx"
        naive = naive_regional_copy(template, plan, tmp_path / copy.name)
        assert content_differences(workbook_content(copy), workbook_content(naive)) == []
        assert inspect_file(copy, info, manifest, recalculate=False).reasons == []
    latam = load_workbook_bytes((out / "budget_by_tier_LATAM.xlsx").read_bytes(), data_only=True)
    block = info.inputs["industry_names"]
    names = [latam[block.sheet].cell(r, block.min_col).value for _, r, _ in block.coords()]
    assert names[:6] == ["Retail", "Agribusiness", "Logistics", "Mining", "Banking", "Tourism"]
    assert names[6:] == [None] * (len(names) - 6)


def test_fast_copy_equals_naive_for_any_text_and_numbers(template, tmp_path_factory):
    """Property: whatever text (XML specials, spaces, CJK, emoji) and numbers a region puts into its
    inputs, the fast copy reads back exactly like openpyxl's own copy."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from gtm_xl.workflows.distribute import RegionalCopier
    from gtm_xl.workflows.regions import RegionPlan

    info = read_template(template)
    names, scores = info.inputs["industry_names"].coords(), info.inputs["industry_scores"].coords()
    budget = info.inputs["budget_total"].coords()[0]
    text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
    work = tmp_path_factory.mktemp("prop")
    copier = RegionalCopier(template)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(st.one_of(st.none(), text), min_size=6, max_size=6),
        st.lists(st.one_of(st.none(), st.floats(0, 10)), min_size=6, max_size=6),
        st.floats(0, 1e15),
        text,
    )
    def check(industry, score, amount, title):
        plan = RegionPlan(
            "R1", title or "x", 2, {budget: amount, **dict(zip(names, industry)), **dict(zip(scores, score))}
        )
        fast = copier.write(plan, work / "fast.xlsx")
        naive = naive_regional_copy(template, plan, work / "naive.xlsx")
        assert content_differences(workbook_content(fast), workbook_content(naive)) == []

    try:
        check()
    finally:
        copier.close()


# --- custom (formula) validation, encodings, all problems at once, stale copies, atomic writes ------
@pytest.fixture(scope="module")
def budget_template(built_templates) -> Path:
    """The real budget-by-tier template: Settings!C5 total_budget has the custom rule
    AND(ISNUMBER(C5),C5>=0,MOD(C5,$C$6)=0) (a non-negative multiple of the budget unit)."""
    return built_templates.path("budget_by_tier", "native", "en")


def test_custom_rule_refuses_values_that_break_it(budget_template, tmp_path):
    info = read_template(budget_template)
    assert info.validations[("Settings", 5, 3)].kind == "custom"
    bad = write(
        tmp_path / "r.csv",
        "region,name,total_budget,budget_unit\nEMEA,Europe,-12345,\n"
        'APAC,Asia,"1,234,567",\nNA,North America,"18,000,000",\n'
        "LATAM,Latin America,,7000\n",
    )  # a new unit the template's 18,000,000 is no multiple of
    with pytest.raises(RegionsError) as exc:
        distribute(budget_template, bad, tmp_path / "out")
    lines = str(exc.value).splitlines()
    rule = "fails the rule =AND(ISNUMBER(C5),C5>=0,MOD(C5,$C$6)=0): Enter a non-negative multiple of the budget unit."
    assert lines[0] == f"{bad}, row 2, column total_budget: -12345 {rule} (validation of Settings!C5, region 'EMEA')"
    assert lines[1] == f"{bad}, row 3, column total_budget: 1234567 {rule} (validation of Settings!C5, region 'APAC')"
    budget = int(info.values[("Settings", 5, 3)])  # the template's total, kept by LATAM, breaks the new unit
    assert lines[2].startswith(f"{bad}, row 5: {budget} fails the rule") and "region 'LATAM'" in lines[2]
    assert len(lines) == 3 and not (tmp_path / "out").exists()
    good = write(
        tmp_path / "g.csv",
        'region,name,total_budget,budget_unit\nEMEA,Europe,"18,000,000",\nLATAM,Latin America,70000,7000\n',
    )
    assert len(distribute(budget_template, good, tmp_path / "out").files) == 2


def test_custom_rule_relative_references_and_not_checked(tmp_path):
    # a rule over B3:B8 written for B3: each score must be at least the one below it minus 5
    template = build_test_template(
        tmp_path / "t.xlsx",
        {
            "Plan!B3:B8": ('OR(B4="",B3>=B4-5)', "A score may not be more than 5 below the next one."),
            "Settings!B3": ("GTM_NOT_A_FUNCTION(B3)>0", "never evaluated"),
        },
    )
    regions = write(tmp_path / "r.csv", "region,name,gmv_target\nEMEA,Europe,100\n")
    rows = write(tmp_path / "rows.csv", "region,industry_scores\nEMEA,8\nEMEA,1\nEMEA,9\n")
    with pytest.raises(RegionsError) as exc:
        distribute(template, regions, tmp_path / "out", rows_path=rows)
    (line,) = str(exc.value).splitlines()  # B4 = 1 < 9 - 5; B3 = 8 >= 1 - 5 passes; B5 = 9 (B6 blank) passes
    assert line.startswith(
        f'{rows}, row 3, column industry_scores: 1 fails the rule =OR(B5="",B4>=B5-5): '
        "A score may not be more than 5 below the next one."
    )
    rows.write_text("region,industry_scores\nEMEA,8\nEMEA,6\n", encoding="utf-8")
    result = distribute(template, regions, tmp_path / "out", rows_path=rows)
    assert len(result.files) == 1
    assert result.notes == [
        "validation of Settings!B3 not checked: the rule =GTM_NOT_A_FUNCTION(B3)>0 uses the "
        "function GTM_NOT_A_FUNCTION, which the headless evaluator does not support"
    ]


def test_header_problems_do_not_hide_row_problems(template, tmp_path):
    bad = write(tmp_path / "r.csv", "region,name,budget_totl,gross_margin\nEMEA,Europe,1,1.5\n,Nowhere,2,0.5\n")
    with pytest.raises(RegionsError) as exc:
        distribute(template, bad, tmp_path / "out")
    text = str(exc.value)
    assert "row 1, column budget_totl: unknown column" in text
    assert "row 2, column gross_margin: value 1.5 must be between 0 and 1" in text
    assert "row 3, column region: missing region id" in text
    rows = write(tmp_path / "rows.csv", "region,industry_scores,nope\nEMEA,11,1\n")
    good = write(tmp_path / "g.csv", "region,name\nEMEA,Europe\n")
    with pytest.raises(RegionsError) as exc:
        distribute(template, good, tmp_path / "out", rows_path=rows)
    text = str(exc.value)
    assert "row 1, column nope: unknown column" in text and "row 2, column industry_scores: value 11" in text
    assert not (tmp_path / "out").exists()


def test_csv_encodings(template, tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("region,name,budget_total\nCN-E,华东大区,100\n".encode("gbk"))
    result = distribute(template, gbk, tmp_path / "a")
    assert read_region(load_workbook_bytes((tmp_path / "a" / f"{TEMPLATE_ID}_CN-E.xlsx").read_bytes())) == (
        "CN-E",
        "华东大区",
    )
    assert result.notes == [f"{gbk}: not UTF-8; read as GB18030 (Excel's CSV on Chinese Windows)"]
    bom = tmp_path / "bom.csv"
    bom.write_bytes("region,name\nCN-N,华北\n".encode("utf-8-sig"))
    assert distribute(template, bom, tmp_path / "b").notes == []
    latin = tmp_path / "latin.csv"  # Windows-1252: GB18030 would read "Réunion" as "R閡nion"
    latin.write_bytes("region,name\nFR,France\nRE,Réunion\n".encode("cp1252"))
    with pytest.raises(RegionsError) as exc:
        distribute(template, latin, tmp_path / "c")
    assert str(exc.value) == (
        f"{latin}: line 3, byte 5: not UTF-8 text (byte 0xE9); save the table as "
        '"CSV UTF-8" (Excel: File › Save As › CSV UTF-8) or as .xlsx'
    )
    assert not (tmp_path / "c").exists()


def test_cli_kind_with_a_bad_table_writes_nothing(tmp_path, capsys):
    bad = write(tmp_path / "bad.csv", "region,name,total_budget\nEMEA,Europe,-12345\n")
    out = tmp_path / "out"
    assert main(["distribute", "budget_by_tier", "--regions", str(bad), "--out", str(out)]) == 2
    assert "nothing written" in capsys.readouterr().err
    assert not out.exists()  # not even out/.template/
    good = write(tmp_path / "good.csv", 'region,name,total_budget\nEMEA,Europe,"9,000,000"\n')
    assert main(["distribute", "budget_by_tier", "--regions", str(good), "--out", str(out)]) == 0
    installed = out / ".template" / "budget_by_tier_native_en.xlsx"
    doc = json.loads((out / "manifest.json").read_text())
    assert doc["template"]["file"] == str(installed.resolve()) and doc["template"]["sha256"] == sha256_file(installed)


def test_rerun_with_fewer_regions_removes_only_its_own_stale_copies(template, tmp_path, capsys):
    from gtm_xl.workflows.rollup.job import rollup

    regions = write(tmp_path / "regions.csv", REGIONS)
    out = tmp_path / "out"
    distribute(template, regions, out)
    user_file = out / f"{TEMPLATE_ID}_MINE.xlsx"  # not in any manifest: never touched
    user_file.write_bytes((out / f"{TEMPLATE_ID}_NA.xlsx").read_bytes())
    fewer = write(tmp_path / "fewer.csv", "".join(REGIONS.splitlines(keepends=True)[:2]))  # EMEA only
    with open(out / f"{TEMPLATE_ID}_APAC.xlsx", "ab") as fh:  # APAC came back changed
        fh.write(b"\0")
    assert main(["distribute", str(template), "--regions", str(fewer), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert (
        f"Removed 1 stale copies of regions no longer in the table (written by the previous run, unchanged): "
        f"{TEMPLATE_ID}_NA.xlsx" in captured.out
    )
    assert "STALE 1 copies" in captured.err and f"{TEMPLATE_ID}_APAC.xlsx" in captured.err
    assert sorted(p.name for p in out.glob("*.xlsx")) == [
        f"{TEMPLATE_ID}_APAC.xlsx",
        f"{TEMPLATE_ID}_EMEA.xlsx",
        f"{TEMPLATE_ID}_MINE.xlsx",
    ]
    (out / f"{TEMPLATE_ID}_APAC.xlsx").unlink()
    user_file.unlink()
    report = rollup(sorted(out.glob("*.xlsx")), tmp_path / "r.xlsx", manifest=out / "manifest.json")
    assert report.complete and [r.region for r in report.included] == ["EMEA"]
    result = distribute(template, regions, out, remove_stale=False)  # more regions again: nothing stale
    assert result.removed == result.stale_kept == []


def test_every_file_is_written_atomically_with_the_same_mode_and_fsync(template, tmp_path, monkeypatch):
    import os
    import stat

    from gtm_xl.workflows.rollup.job import rollup

    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    out = tmp_path / "out"
    distribute(template, write(tmp_path / "regions.csv", REGIONS), out)
    assert len(synced) >= 4  # three copies + the manifest
    before = len(synced)
    rollup(
        sorted(out.glob("*.xlsx")),
        tmp_path / "r" / "rollup.xlsx",
        manifest=out / "manifest.json",
        csv_dir=tmp_path / "csv",
    )
    written = [
        *out.glob("*.xlsx"),
        out / "manifest.json",
        tmp_path / "r" / "rollup.xlsx",
        *(tmp_path / "csv").glob("*.csv"),
    ]
    assert len(synced) - before >= 1 + len(list((tmp_path / "csv").glob("*.csv")))  # rollup.xlsx + the CSVs
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in written}
    assert set(modes.values()) == {0o644}, modes
