"""gtm-xl rollup: the per-file checks, the aggregation rules, the database tables (SQLite and a
real PostgreSQL server started on loopback)."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
from pathlib import Path

import openpyxl
import pytest
from distribution_helpers import TEMPLATE_ID, build_test_template

from gtm_xl.workflows.distribute import distribute, read_manifest
from gtm_xl.workflows.rollup.job import (
    Aggregation,
    FileResult,
    RollupReport,
    aggregation_rules,
    compute_totals,
    consolidate,
    inspect_file,
)
from gtm_xl.workflows.rollup.output import tables, write_db
from gtm_xl.workflows.template_info import normalise_formula, read_template


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    root = tmp_path_factory.mktemp("sent")
    template = build_test_template(root / "regional_plan.xlsx")
    (root / "regions.csv").write_text("region,name,budget_total\nA,Alpha,100\nB,Beta,200\n", encoding="utf-8")
    distribute(template, root / "regions.csv", root / "out")
    doc = read_manifest(root / "out" / "manifest.json")
    return template, root / "out", {e["region"].lower(): e for e in doc["regions"]}


def _copy(sent, tmp_path, region="A", name=None) -> Path:
    _, out, _ = sent
    dst = tmp_path / (name or f"{TEMPLATE_ID}_{region}.xlsx")
    shutil.copyfile(out / f"{TEMPLATE_ID}_{region}.xlsx", dst)
    return dst


def _reasons(sent, path) -> list[str]:
    template, _, regions = sent
    return inspect_file(path, read_template(template), regions, recalculate=False).reasons


def test_a_good_copy_passes(sent, tmp_path):
    assert _reasons(sent, _copy(sent, tmp_path)) == []


def test_tampered_formula_is_reported_with_its_cell(sent, tmp_path):
    f = _copy(sent, tmp_path)
    wb = openpyxl.load_workbook(f)
    wb["Plan"]["C5"] = "=budget_total/6"
    wb["Plan"]["B10"] = 12345
    wb.save(f)
    reasons = _reasons(sent, f)
    assert any(r.startswith("formula at Plan!C5 changed: =budget_total/6 (template: =IF(SUM(B3:B8)") for r in reasons)
    assert any(r.startswith("formula at Plan!B10 was replaced by the value 12345") for r in reasons)


def test_invalid_inputs_are_reported(sent, tmp_path):
    f = _copy(sent, tmp_path)
    wb = openpyxl.load_workbook(f)
    wb["Settings"]["B7"] = 1.5  # gross_margin
    wb["Plan"]["B4"] = "high"  # a score
    wb.save(f)
    reasons = _reasons(sent, f)
    assert "input gross_margin at Settings!B7: value 1.5 must be between 0 and 1" in reasons
    assert "input industry_scores at Plan!B4: 'high' is not a number" in reasons


def test_region_and_template_checks(sent, tmp_path):
    template, _, _ = sent
    assert _reasons(sent, _copy(sent, tmp_path, name="renamed.xlsx")) == [
        f"region 'A' was sent as {TEMPLATE_ID}_A.xlsx, this file is renamed.xlsx"
    ]
    assert _reasons(sent, template) == ["no region stamp (GTM_REGION): not a regional copy made by gtm-xl distribute"]
    other = tmp_path / "other.xlsx"
    wb = openpyxl.load_workbook(template)
    wb.defined_names["GTM_TEMPLATE"].attr_text = '"regional_plan 2.0"'
    wb.save(other)
    assert _reasons(sent, other) == ["template version is '2.0', expected '1.0'"]
    _, _, regions = sent
    info = read_template(template)
    assert inspect_file(_copy(sent, tmp_path, "B"), info, {"a": regions["a"]}, recalculate=False).reasons == [
        "region 'B' is not in the manifest"
    ]


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken", b""])
def test_unreadable_files_are_reported(sent, tmp_path, content):
    f = tmp_path / f"{TEMPLATE_ID}_A.xlsx"
    f.write_bytes(content)
    reasons = _reasons(sent, f)
    assert len(reasons) == 1 and reasons[0].startswith("unreadable:") and str(f) in reasons[0]


def test_normalised_formulas():
    assert normalise_formula("=_xlfn.STDEV.S( $a$1:a3 ) + sum(b1)") == "STDEV.S(A1:A3)+SUM(B1)"
    assert normalise_formula('=IF(A1="Green ok","x ","y")') == 'IF(A1="Green ok","x ","y")'


def _result(region, **outputs) -> FileResult:
    return FileResult(f"/x/{region}.xlsx", region, region.title(), outputs={k: [[v]] for k, v in outputs.items()})


def test_aggregation_rules_do_not_sum_ratios(sent):
    template, _, _ = sent
    info = read_template(template)
    included = [
        _result(
            "a",
            out_budget=100.0,
            out_gmv_target=1.0,
            out_cac=10.0,
            out_ltv=50.0,
            out_ltv_cac=5.0,
            out_score_total=30.0,
            out_status="Green",
            out_industry_budget=0.0,
        ),
        _result(
            "b",
            out_budget=300.0,
            out_gmv_target=2.0,
            out_cac=30.0,
            out_ltv=30.0,
            out_ltv_cac=1.0,
            out_score_total=20.0,
            out_status="Amber",
            out_industry_budget=0.0,
        ),
    ]
    included[0].inputs, included[1].inputs = {"cac_spend": 1000.0}, {"cac_spend": 3000.0}
    rules = aggregation_rules(info, included)
    assert rules["out_budget"] == Aggregation("sum")
    # ratios are weighted by the volume they are a ratio of (an input here)
    assert rules["out_ltv_cac"] == Aggregation("weighted", "cac_spend")
    assert rules["out_cac"] == rules["out_ltv"] == Aggregation("weighted", "new_customers")
    assert rules["out_score_total"] == Aggregation("weighted", "out_budget")  # no family: the first summed amount
    assert rules["out_status"] == Aggregation("none")
    assert "out_industry_budget" not in rules  # a block: its own table, no total
    totals = compute_totals(included, rules)
    assert totals["out_budget"] == 400.0 and totals["out_gmv_target"] == 3.0
    assert math.isclose(totals["out_ltv_cac"], (5 * 1000 + 1 * 3000) / 4000)
    assert totals["out_status"] is None
    zero = [_result("a", out_budget=0.0, out_ltv_cac=2.0), _result("b", out_budget=0.0, out_ltv_cac=4.0)]
    assert (
        compute_totals(zero, {"out_budget": Aggregation("sum"), "out_ltv_cac": Aggregation("weighted", "out_budget")})[
            "out_ltv_cac"
        ]
        == 3.0
    )


def _report(template: Path) -> RollupReport:
    info = read_template(template)
    rows = [[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]
    base = dict(
        out_budget=100.0,
        out_gmv_target=1.0,
        out_cac=10.0,
        out_ltv=50.0,
        out_ltv_cac=5.0,
        out_score_total=30.0,
        out_status="Green",
    )
    included = []
    for region in ("a", "b"):
        r = _result(region, **base)
        r.outputs["out_industry_budget"] = rows
        included.append(r)
    bad = FileResult("/x/c.xlsx", "c", reasons=["formula at Plan!B12 changed"])
    report = RollupReport(info, included=included, left_out=[bad], missing_regions=[{"region": "d", "file": "d.xlsx"}])
    return consolidate(report)


def _check_db(engine_url: str, report: RollupReport) -> None:
    from sqlalchemy import create_engine, text

    write_db(report, engine_url)
    write_db(report, engine_url)  # a second run replaces the tables
    engine = create_engine(engine_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select sum(out_budget) from summary")).scalar() == 200.0
            assert conn.execute(
                text("select count(*), sum(value) from data where block = 'out_industry_budget'")
            ).one() == (12, 42.0)
            assert conn.execute(text("select count(*) from left_out")).scalar() == 2
            assert conn.execute(text("select total from totals where block = 'out_ltv_cac'")).scalar() == 5.0
            assert conn.execute(
                text("select total, rule from totals where block = 'out_industry_budget' and row_label = '6'")
            ).one() == (12.0, "sum")
            assert conn.execute(text("select region, returned, checks_passed from status order by region")).all() == [
                ("a", "yes", "yes"),
                ("b", "yes", "yes"),
                ("c", "yes", "no"),
                ("d", "no", ""),
            ]
    finally:
        engine.dispose()
    assert set(tables(report)) == {"data", "summary", "totals", "status", "checks", "left_out"}


def test_sqlite_tables(sent, tmp_path):
    _check_db(f"sqlite:///{tmp_path / 'r.db'}", _report(sent[0]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server on 127.0.0.1 (Debian package ``postgresql``), trust auth.

    Run as the ``postgres`` user when the tests run as root (initdb refuses root)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if bindir:
            initdb, pg_ctl = str(bindir[-1] / "initdb"), str(bindir[-1] / "pg_ctl")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        psycopg = None
    if not initdb or not Path(initdb).exists() or psycopg is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (postgresql package) and psycopg must be installed in CI")
        pytest.skip("PostgreSQL server binaries (apt-get install postgresql) or psycopg are missing")
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="gtm-pg-"))  # outside pytest's root-only 0700 folder
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("postgres")
        for p in (root, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "gtm", "--auth=trust", "-E", "UTF8"], check=True, capture_output=True
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-w",
            "-l",
            str(root / "log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {sock}",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://gtm@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_postgresql_tables(sent, postgres):
    _check_db(postgres, _report(sent[0]))


# --- full roll-ups of real distributed files -------------------------------------------------------
def test_postgresql_full_rollup_from_distributed_files(sent, postgres, tmp_path):
    """rollup(db=<PostgreSQL URL>) end to end: the distributed copies are checked, recalculated
    headlessly and consolidated into tables of the server the fixture started."""
    from sqlalchemy import create_engine, text

    from gtm_xl.workflows.rollup.job import rollup

    _, out, _ = sent
    report = rollup(sorted(out.glob("*.xlsx")), tmp_path / "r.xlsx", manifest=out / "manifest.json", db=postgres)
    assert report.complete and [r.region for r in report.included] == ["A", "B"]
    assert report.written[-1].startswith("postgresql+psycopg://gtm@127.0.0.1:")
    engine = create_engine(postgres)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select region, out_budget from summary order by region")).all() == [
                ("A", 100.0),
                ("B", 200.0),
            ]
            assert conn.execute(text("select total, rule from totals where block = 'out_budget'")).one() == (
                300.0,
                "sum",
            )
            assert conn.execute(
                text("select sum(value) from data where block = 'out_industry_budget'")
            ).scalar() == pytest.approx(300.0)
            assert conn.execute(text("select count(*) from left_out")).scalar() == 0
    finally:
        engine.dispose()


def test_custom_rule_broken_in_a_returned_file_leaves_it_out(tmp_path, built_templates):
    from gtm_xl.workflows.rollup.job import rollup

    template = built_templates.path("budget_by_tier", "native", "en")
    (tmp_path / "r.csv").write_text(
        'region,name,total_budget\nEMEA,Europe,"9,000,000"\nAPAC,Asia,"6,000,000"\n', encoding="utf-8"
    )
    sent_dir = tmp_path / "sent"
    distribute(template, tmp_path / "r.csv", sent_dir)
    apac = sent_dir / "budget_by_tier_APAC.xlsx"
    wb = openpyxl.load_workbook(apac)
    wb["Settings"]["C5"] = 1_234_567  # not a multiple of the 1,000 unit
    wb.save(apac)
    report = rollup(sorted(sent_dir.glob("*.xlsx")), tmp_path / "rollup.xlsx", manifest=sent_dir / "manifest.json")
    assert [r.region for r in report.included] == ["EMEA"]
    (bad,) = report.left_out
    assert bad.reasons == [
        "input total_budget at Settings!C5: 1234567 fails the rule "
        "=AND(ISNUMBER(C5),C5>=0,MOD(C5,$C$6)=0): Enter a non-negative multiple of the budget unit."
    ]


def test_not_checked_rule_is_reported_not_left_out(tmp_path):
    from gtm_xl.workflows.rollup.job import rollup

    template = build_test_template(tmp_path / "t.xlsx", {"Settings!B3": ("GTM_NOT_A_FUNCTION(B3)>0", "x")})
    (tmp_path / "r.csv").write_text("region,name\nA,Alpha\n", encoding="utf-8")
    distribute(template, tmp_path / "r.csv", tmp_path / "sent")
    report = rollup(
        [tmp_path / "sent" / f"{TEMPLATE_ID}_A.xlsx"], tmp_path / "r.xlsx", manifest=tmp_path / "sent" / "manifest.json"
    )
    (r,) = report.included
    assert r.not_checked == [
        "input gmv_target at Settings!B3: not checked: the rule =GTM_NOT_A_FUNCTION(B3)>0 uses "
        "the function GTM_NOT_A_FUNCTION, which the headless evaluator does not support"
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_kpi_scorecard_ratios_weighted_by_their_volume_and_rag_in_its_language(tmp_path, lang, built_templates):
    """Regions of very different sizes: the consolidated NRR/GRR are the MRR-weighted ones
    (Σ end MRR / Σ start MRR, computed here from the inputs), not the plain mean; LTV:CAC has no
    volume in this template and is a plain mean, said so; the RAG sheet colours the template's
    own status labels (绿/黄/红 in the Chinese build)."""
    from gtm_xl.workflows.rollup.job import rollup

    template = built_templates.path("kpi_scorecard", "native", lang)
    sizes = {
        "S": (1_000.0, 50.0, 10.0, 300.0, 0.0),
        "M": (100_000.0, 8_000.0, 2_000.0, 4_000.0, 500.0),
        "L": (10_000_000.0, 400_000.0, 100_000.0, 900_000.0, 0.0),
    }  # start, expansion, contraction, churned, react.
    lines = ["region,name,mrr_start,mrr_expansion,mrr_contraction,mrr_churned,mrr_reactivation,cac"]
    for i, (rid, v) in enumerate(sizes.items()):
        lines.append(",".join([rid, rid, *(f"{x:.0f}" for x in v), str(500 + 700 * i)]))
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    distribute(template, tmp_path / "r.csv", tmp_path / "sent")
    report = rollup(
        sorted((tmp_path / "sent").glob("*.xlsx")),
        tmp_path / "rollup.xlsx",
        manifest=tmp_path / "sent" / "manifest.json",
        csv_dir=tmp_path / "csv",
    )
    assert report.complete, report.as_dict()
    start = math.fsum(v[0] for v in sizes.values())
    nrr = math.fsum(s + e + r - c - ch for s, e, c, ch, r in sizes.values()) / start
    grr = math.fsum(s - c - ch for s, e, c, ch, r in sizes.values()) / start
    assert report.rules["nrr"].how == report.rules["grr"].how == "portfolio"
    assert math.isclose(report.totals["nrr"], nrr, rel_tol=1e-12)
    assert math.isclose(report.totals["grr"], grr, rel_tol=1e-12)
    plain = math.fsum(r.outputs["nrr"][0][0] for r in report.included) / 3
    assert abs(plain - nrr) > 0.01  # the sizes matter
    # LTV:CAC from summed parts: lifetime gross profit of the new customers over the acquisition spend
    parts = [
        (r.outputs["ltv"][0][0], r.input_blocks["new_customers"][0][0], r.input_blocks["acquisition_spend"][0][0])
        for r in report.included
    ]
    assert math.isclose(
        report.totals["ltv_cac"], math.fsum(a * b for a, b, _ in parts) / math.fsum(c for _, _, c in parts)
    )
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    economics = wb["Economics"]
    nrr_title = "NRR: net revenue retention" if lang == "en" else "净收入留存率（NRR）"
    header = next(row for row in economics.iter_rows(min_row=4) if row[0].value in ("Figures", "指标"))
    total_col = [c.value for c in header].index("Total" if lang == "en" else "合计")
    nrr_row = next(row for row in economics.iter_rows(min_row=4) if row[0].value == nrr_title)
    assert nrr_row[total_col].value == pytest.approx(nrr, rel=1e-12)
    assert [c.value for c in header][1:total_col] == ["L", "M", "S"]
    with open(tmp_path / "csv" / "totals.csv", encoding="utf-8") as fh:
        assert "nrr,{},,{},portfolio:".format(nrr_title, report.totals["nrr"]) in fh.read()
    scorecard = wb["Scorecard"]
    colours = {}
    for rng in scorecard.conditional_formatting:
        for rule in rng.rules:
            if rule.formula:
                colours[rule.formula[0].strip('"')] = rule.dxf.fill.fgColor.rgb[-6:]
    labels = ("Green", "Amber", "Red") if lang == "en" else ("绿", "黄", "红")
    assert [colours[label.casefold()] for label in labels] == ["C6EFCE", "FFEB9C", "FFC7CE"]
    statuses = {c.value for row in scorecard.iter_rows(min_row=4, min_col=2, max_col=4) for c in row}
    assert set(labels) <= statuses


def test_a_libreoffice_save_is_not_tampering():
    """LibreOffice writes the GTM_* it does not know in lower case and FALSE as FALSE(): the same
    formula for the tamper check, while a changed one still differs."""
    from gtm_xl.workflows.template_info import normalise_formula

    ours = "=IFERROR($D$5:$D$16=Settings!$C$9,FALSE)*GTM_SPLIT_TARGET(A1,B1:B3)"
    libreoffice = "=IFERROR($D$5:$D$16=Settings!$C$9,FALSE())*gtm_split_target(A1,B1:B3)"
    assert normalise_formula(libreoffice) == normalise_formula(ours)
    assert normalise_formula('=IF(A1,"FALSE()",1)') != normalise_formula('=IF(A1,"FALSE",1)')
    assert normalise_formula("=IFERROR(A1,TRUE)") != normalise_formula("=IFERROR(A2,TRUE)")
