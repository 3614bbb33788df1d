"""Structural tests of the template workbooks (openpyxl): names, protection, validation, formulas,
charts, conditional formats, print setup, determinism, the Chinese build and the committed files."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.formula.tokenizer import Tokenizer
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula
from project_paths import ROOT

from gtm_xl.catalogue import CATALOGUE
from gtm_xl.templates import FLAVOURS, TEMPLATES, file_name, template_module, workbook_bytes
from gtm_xl.templates.layout import TEMPLATE_NAME
from gtm_xl.templates.names import destination, read_block, template_stamp
from tests.templates_helpers import input_names, read_inputs

CASES = [(k, f) for k in TEMPLATES for f in FLAVOURS]


@pytest.fixture(scope="module")
def books(built_templates) -> dict[tuple[str, str, str], bytes]:
    return {
        (k, f, lang): built_templates.bytes(k, f, lang) for k in TEMPLATES for f in FLAVOURS for lang in ("en", "zh")
    }


def _wb(books, kind, flavour, lang="en"):
    return openpyxl.load_workbook(io.BytesIO(books[(kind, flavour, lang)]))


def _cells(wb, name):
    sheet, (c1, r1, c2, r2) = destination(wb, name)
    return [(sheet, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _formula(value) -> str | None:
    if isinstance(value, ArrayFormula):
        return value.text
    return value if isinstance(value, str) and value.startswith("=") else None


def _array_cells(ws) -> set[tuple[int, int]]:
    covered = set()
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, ArrayFormula):
                c1, r1, c2, r2 = range_boundaries(c.value.ref)
                covered |= {(r, col) for r in range(r1, r2 + 1) for col in range(c1, c2 + 1)}
    return covered


@pytest.mark.parametrize("kind,flavour", CASES)
def test_every_declared_name_resolves_to_a_non_empty_range(books, kind, flavour):
    wb = _wb(books, kind, flavour)
    module = template_module(kind)
    defined = set(wb.defined_names.keys()) - (set(CATALOGUE) if flavour == "lambda" else set())
    assert defined == set(module.NAMES) | {TEMPLATE_NAME}
    assert template_stamp(wb) == (kind, module.VERSION)
    for name in module.NAMES:
        sheet, (c1, r1, c2, r2) = destination(wb, name)
        assert sheet in wb.sheetnames
        ws = wb[sheet]
        arrays = _array_cells(ws)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                assert ws.cell(r, c).value is not None or (r, c) in arrays, (
                    f"{name}: {sheet}!{ws.cell(r, c).coordinate} empty"
                )


@pytest.mark.parametrize("kind,flavour", CASES)
def test_inputs_unlocked_validated_and_formulas_locked(books, kind, flavour):
    wb = _wb(books, kind, flavour)
    inputs = {cell for name in input_names(kind) for cell in _cells(wb, name)}
    for sheet, r, c in inputs:
        cell = wb[sheet].cell(r, c)
        assert cell.protection.locked is False, f"{sheet}!{cell.coordinate} locked"
        assert _formula(cell.value) is None, f"input {sheet}!{cell.coordinate} holds a formula"
        rules = [dv for dv in wb[sheet].data_validations.dataValidation if cell.coordinate in dv.sqref]
        assert len(rules) == 1, f"{sheet}!{cell.coordinate} has {len(rules)} validations"
        dv = rules[0]
        assert dv.showInputMessage and dv.showErrorMessage and dv.prompt and dv.error, f"{sheet}!{cell.coordinate}"
    for ws in wb.worksheets:
        assert ws.protection.sheet is True and not ws.protection.password, ws.title
        arrays = _array_cells(ws)
        for row in ws.iter_rows():
            for cell in row:
                if _formula(cell.value) or (cell.row, cell.column) in arrays:
                    assert cell.protection.locked is not False, f"{ws.title}!{cell.coordinate} formula unlocked"
                if cell.protection.locked is False:
                    assert (ws.title, cell.row, cell.column) in inputs, (
                        f"{ws.title}!{cell.coordinate} unlocked, not an input"
                    )


_REF = re.compile(r"^(?:(?P<sheet>'[^']+'|[A-Za-z_][\w.]*)!)?(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


@pytest.mark.parametrize("kind,flavour", CASES)
def test_formulas_reference_only_filled_cells_or_inputs(books, kind, flavour):
    wb = _wb(books, kind, flavour)
    inputs = {cell for name in input_names(kind) for cell in _cells(wb, name)}
    arrays = {ws.title: _array_cells(ws) for ws in wb.worksheets}
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = _formula(cell.value)
                if not text:
                    continue
                for token in Tokenizer(text).items:
                    if token.type != "OPERAND" or token.subtype != "RANGE":
                        continue
                    m = _REF.match(token.value)
                    assert m, f"{ws.title}!{cell.coordinate}: unexpected reference {token.value}"
                    sheet = (m["sheet"] or ws.title).strip("'")
                    assert sheet in wb.sheetnames, f"{ws.title}!{cell.coordinate} refers to sheet {sheet}"
                    c1, r1, c2, r2 = range_boundaries(m["ref"].replace("$", ""))
                    for r in range(r1, r2 + 1):
                        for c in range(c1, c2 + 1):
                            target = wb[sheet].cell(r, c)
                            ok = target.value is not None or (r, c) in arrays[sheet] or (sheet, r, c) in inputs
                            assert ok, f"{ws.title}!{cell.coordinate} refers to empty {sheet}!{target.coordinate}"
                            checked += 1
    assert checked > 100


def test_udf_flavour_calls_catalogue_functions_and_native_uses_none(books):
    known = set(CATALOGUE)
    for kind in TEMPLATES:
        for flavour in FLAVOURS:
            wb = _wb(books, kind, flavour)
            used = set()
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        used |= set(re.findall(r"\b(GTM_[A-Z_]+)\(", _formula(cell.value) or ""))
            if flavour == "native":
                assert not used, f"{kind} native uses {used}"
            else:
                assert used and used <= known, f"{kind} udf: {used - known}"
    assert {
        "GTM_WEIGHTED_SCORE",
        "GTM_TIER",
        "GTM_SPLIT_TARGET",
        "GTM_LTV_CAC",
        "GTM_CAC_PAYBACK",
        "GTM_NRR",
        "GTM_GRR",
        "GTM_FUNNEL",
        "GTM_COMMISSION",
    } <= known


def _chart_refs(chart) -> list[str]:
    refs = []
    for s in chart.series:
        refs.append(s.val.numRef.f)
        if s.cat is not None:
            refs.append((s.cat.numRef or s.cat.strRef).f)
    return refs


def _covers(outer: str, inner_sheet: str, inner: tuple[int, int, int, int]) -> bool:
    sheet, ref = outer.rsplit("!", 1)
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    return sheet.strip("'") == inner_sheet and c1 <= inner[0] and r1 <= inner[1] and c2 >= inner[2] and r2 >= inner[3]


@pytest.mark.parametrize(
    "kind,intended",
    [
        ("scoring_matrix", ["weighted_score", "industry_names"]),
        ("budget_by_tier", ["budget_by_tier_quarter"]),
        ("kpi_scorecard", ["funnel_counts", "mrr_target", "mrr_actual"]),
    ],
)
def test_charts_point_at_the_intended_ranges(books, kind, intended):
    for flavour in FLAVOURS:
        wb = _wb(books, kind, flavour)
        refs = [r for ws in wb.worksheets for ch in ws._charts for r in _chart_refs(ch)]
        assert refs, f"{kind} has no chart"
        for name in intended:
            sheet, box = destination(wb, name)
            parts = [r for r in refs if r.rsplit("!", 1)[0].strip("'") == sheet]
            rows = set()
            for r in parts:
                c1, r1, c2, r2 = range_boundaries(r.rsplit("!", 1)[1].replace("$", ""))
                if c1 <= box[0] and c2 >= box[2]:
                    rows |= set(range(r1, r2 + 1))
            assert set(range(box[1], box[3] + 1)) <= rows, f"{kind}: no chart covers {name}"
        for r in refs:  # every chart reference points at filled cells of its workbook
            sheet, ref = r.rsplit("!", 1)
            assert sheet.strip("'") in wb.sheetnames


@pytest.mark.parametrize(
    "kind,names",
    [
        ("scoring_matrix", ["industry_tier", "target_grid"]),
        ("budget_by_tier", ["industry_tier", "check_status"]),
        ("kpi_scorecard", ["kpi_status", "computed_kpi_status", "funnel_flag"]),
    ],
)
def test_traffic_lights_cover_tier_and_status_columns(books, kind, names):
    wb = _wb(books, kind, "native")
    for name in names:
        sheet, (c1, r1, c2, r2) = destination(wb, name)
        ws = wb[sheet]
        covered = set()
        for rng in ws.conditional_formatting:
            fills = [rule.dxf.fill for rule in rng.rules if rule.dxf is not None and rule.dxf.fill is not None]
            if len(fills) >= 2:
                for cr in rng.sqref.ranges:
                    a, b, c, d = cr.bounds
                    covered |= {(r, c_) for r in range(b, d + 1) for c_ in range(a, c + 1)}
        assert {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} <= covered, name


@pytest.mark.parametrize("kind", TEMPLATES)
def test_print_setup_number_formats_and_frozen_panes(books, kind):
    wb = _wb(books, kind, "native")
    for ws in wb.worksheets:
        # one page wide, as many pages tall as the sheet needs (fitToHeight 0: "automatic")
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
    if kind == "budget_by_tier":  # the 52-row Settings sheet breaks between its blocks, not inside a table
        assert [b.id for b in wb["Settings"].row_breaks.brk] == [22, 42]
    frozen = [ws.title for ws in wb.worksheets if ws.freeze_panes]
    assert len(frozen) >= 2
    if kind == "kpi_scorecard":
        sheet, (c, r, _, _) = destination(wb, "ltv_cac")
        assert wb[sheet].cell(r, c).number_format == '0.0"x"'
        sheet, (c, r, _, _) = destination(wb, "nrr")
        assert wb[sheet].cell(r, c).number_format.endswith("%")
    if kind == "budget_by_tier":
        sheet, (c, r, _, _) = destination(wb, "total_budget")
        assert "#,##0" in wb[sheet].cell(r, c).number_format


def test_builds_are_deterministic_with_fixed_timestamps(books):
    for (kind, flavour, lang), data in books.items():
        assert workbook_bytes(kind, flavour, lang) == data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert {i.date_time for i in z.infolist()} == {(2024, 1, 1, 0, 0, 0)}
            core = z.read("docProps/core.xml").decode()
            assert "2024-01-01T00:00:00Z" in core and core.count("2024-01-01T00:00:00Z") == 2


def _fingerprint(data: bytes) -> tuple:
    """What a workbook holds, independent of the writer's version: names, and per cell its value or
    formula, number format, lock and validation."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for ws in wb.worksheets:
        rules = [
            (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.prompt, dv.error)
            for dv in ws.data_validations.dataValidation
        ]
        cells.append(
            (
                ws.title,
                sorted(rules, key=str),
                [
                    (c.coordinate, _formula(c.value) or c.value, c.number_format, c.protection.locked)
                    for row in ws.iter_rows()
                    for c in row
                    if c.value is not None
                ],
            )
        )
    return tuple(sorted((n, d.attr_text) for n, d in wb.defined_names.items())), tuple(cells)


def test_committed_workbooks_are_the_current_build(books):
    """Byte-identical with this environment's openpyxl; with another openpyxl version, the same content."""
    for kind in TEMPLATES:
        for flavour in FLAVOURS:
            path = ROOT / "workbooks" / file_name(kind, flavour)
            built = books[(kind, flavour, "en")]
            committed = path.read_bytes()
            if committed != built:
                assert _fingerprint(committed) == _fingerprint(built), f"{path.name} is stale: run gtm-xl build"


@pytest.mark.parametrize("kind,flavour", CASES)
def test_chinese_build_has_same_names_formulas_and_layout(books, kind, flavour):
    en, zh = _wb(books, kind, flavour, "en"), _wb(books, kind, flavour, "zh")
    assert en.sheetnames == zh.sheetnames
    assert {n: d.attr_text for n, d in en.defined_names.items()} == {
        n: d.attr_text for n, d in zh.defined_names.items()
    }
    chinese = 0
    for a, b in zip(en.worksheets, zh.worksheets):
        assert a.max_row == b.max_row and a.max_column == b.max_column
        for ra, rb in zip(a.iter_rows(), b.iter_rows()):
            for ca, cb in zip(ra, rb):
                fa, fb = _formula(ca.value), _formula(cb.value)
                assert fa == fb, f"{a.title}!{ca.coordinate}"
                assert (ca.value is None) == (cb.value is None)
                if isinstance(cb.value, str) and re.search(r"[\u4e00-\u9fff]", cb.value):
                    chinese += 1
    assert chinese > 20
    if kind == "budget_by_tier":
        texts = {c.value for ws in zh.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert {"重点行业", "一般行业", "非重点行业"} <= texts


def test_example_inputs_are_the_seeds_numbers(books):
    budget = read_inputs(_wb(books, "budget_by_tier", "native"), "budget_by_tier")
    assert budget["total_budget"] == [[50_000_000]]
    assert [r[0] for r in budget["quarter_weights"]] == [2, 3, 4, 3]
    assert budget["gmv_target"] == [[12_000_000]] and budget["enrolment_target"] == [[1000]]
    assert [r[0] for r in budget["role_weights"]] == [4, 3, 3]
    assert (budget["potential_firms"], budget["served_firms"], budget["penetration_goal"]) == (
        [[50_000]],
        [[2_000]],
        [[0.08]],
    )
    assert [r[0] for r in budget["milestone_shares"]] == [0.3, 0.6, 0.9]
    out = template_module("budget_by_tier").compute(budget)
    assert out["gmv_by_quarter"] == [[2e6], [3e6], [4e6], [3e6]] and out["enrolments_by_role"] == [[400], [300], [300]]
    assert out["current_penetration"] == [[0.04]] and out["goal_firms"] == [[4000]]
    kpi = read_inputs(_wb(books, "kpi_scorecard", "native"), "kpi_scorecard")
    assert kpi["ltv_cac_target"] == [[3.0]]
    assert kpi["commission_tiers"] == [[1.2, 0.2], [1.5, 0.5]]
    scoring = read_inputs(_wb(books, "scoring_matrix", "native"), "scoring_matrix")
    assert len(scoring["industry_names"]) == 12
    assert scoring["criteria_direction"] == [["higher", "higher", "lower", "higher"]]
    tiers = template_module("scoring_matrix").compute(scoring)["industry_tier"]
    assert {t[0] for t in tiers} == {"A", "B", "C"}


def test_build_command_writes_six_files_and_the_chinese_build(tmp_path):
    from gtm_xl.adapters.cli import main

    assert main(["build", "--out", str(tmp_path / "en")]) == 0
    assert sorted(p.name for p in (tmp_path / "en").iterdir()) == sorted(
        file_name(k, f) for k in TEMPLATES for f in FLAVOURS
    )
    assert main(["build", "--out", str(tmp_path / "zh"), "--lang", "zh", "--flavour", "native"]) == 0
    assert sorted(p.name for p in (tmp_path / "zh").iterdir()) == sorted(
        file_name(k, "native", "zh") for k in TEMPLATES
    )
    wb = openpyxl.load_workbook(tmp_path / "zh" / file_name("budget_by_tier", "native", "zh"))
    assert read_block(wb, "tier_labels") == [["A"], ["B"], ["C"]]


def test_unknown_template_and_bad_options_are_clear_errors(tmp_path):
    from gtm_xl.templates import build_template

    with pytest.raises(KeyError, match="known: scoring_matrix"):
        build_template("nope", "udf", "en", tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="flavour"):
        build_template("scoring_matrix", "vba", "en", tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", TEMPLATES)
def test_udf_flavour_refreshed_headlessly_equals_python_math(kind, tmp_path, built_templates):
    """The udf flavour, computed by gtm-xl's own evaluator (GTM_* through the catalogue), gives the
    numbers of the Python math — and so of the native flavour in LibreOffice."""
    from gtm_xl.workflows.refresh import refresh_file
    from tests.templates_helpers import compare_outputs

    path = built_templates.copy(kind, "udf", "en", tmp_path / file_name(kind, "udf"))
    report = refresh_file(path)
    assert report.ok, report.error
    assert not report.unsupported, report.unsupported
    assert compare_outputs(path, path, kind) == []


@pytest.mark.parametrize("kind,flavour", CASES)
def test_formulas_stay_within_excel_limits(books, kind, flavour):
    """Excel's limits: 8,192 characters per formula, 64 nesting levels (native splits are long)."""
    wb = _wb(books, kind, flavour)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = _formula(cell.value)
                if not text:
                    continue
                assert len(text) <= 8192, f"{ws.title}!{cell.coordinate}: {len(text)} characters"
                depth = deepest = 0
                for ch in text:
                    depth += (ch == "(") - (ch == ")")
                    deepest = max(deepest, depth)
                assert deepest <= 64 and depth == 0, f"{ws.title}!{cell.coordinate}"


def test_native_flavour_uses_classic_built_ins_only(books):
    """Every function of the native flavour is one Excel 2007/2010 knows without an _xlfn. prefix
    (openpyxl's FORMULAE list): no dynamic arrays, no LET, no newer functions."""
    from openpyxl.utils import FORMULAE

    for kind in TEMPLATES:
        wb = _wb(books, kind, "native")
        used = set()
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    text = _formula(cell.value)
                    if text:
                        used |= {
                            t.value[:-1].upper()
                            for t in Tokenizer(text).items
                            if t.type == "FUNC" and t.subtype == "OPEN"
                        }
        assert used and used <= FORMULAE, f"{kind}: {used - FORMULAE}"
        assert {"SUMPRODUCT", "INT"} <= used or kind != "budget_by_tier"


@pytest.mark.parametrize("kind", TEMPLATES)
def test_udf_flavour_with_blank_rows_and_a_residual_refreshed_equals_python_math(kind, tmp_path, built_templates):
    """6 of 12 industries (as a regional copy), an industry without scores, and a total that is
    not a whole number of units: refreshed headlessly, the outputs are compute()'s — blank rows
    have no tier and no budget and are not counted, the real industries share the tier budgets."""
    from gtm_xl.workflows.refresh import refresh_file
    from tests.templates_helpers import compare_outputs, special_copies

    src = built_templates.copy(kind, "udf", "en", tmp_path / file_name(kind, "udf"))
    copies = special_copies(src, tmp_path, kind)
    assert len(copies) == {"scoring_matrix": 2, "budget_by_tier": 3, "kpi_scorecard": 1}[kind]
    for path in copies:
        report = refresh_file(path)
        assert report.ok and not report.unsupported, (path.name, report.error, report.unsupported)
        assert compare_outputs(path, path, kind) == [], path.name
        if not path.stem.endswith(("six", "unscored")):
            continue
        wb = openpyxl.load_workbook(path, data_only=True)
        tiers = [r[0] for r in read_block(wb, "industry_tier")]
        assert all(t in (None, "") for t in tiers[6:]), tiers  # empty rows: no tier
        counted = [r[0] for r in read_block(wb, "tier_industry_count" if kind == "budget_by_tier" else "tier_count")]
        unscored = path.stem.endswith("unscored")
        assert sum(counted) == (5 if unscored else 6)
        assert (tiers[3] == "#N/A") is unscored
        if kind == "budget_by_tier":
            budget = [r[0] for r in read_block(wb, "industry_budget")]
            assert all(x in (None, "") for x in budget[6:]) and all(
                isinstance(x, (int, float)) for i, x in enumerate(budget[:6]) if not (unscored and i == 3)
            )
        else:
            ranks = [r[0] for r in read_block(wb, "industry_rank")]
            assert (
                all(x in (None, "") for x in ranks[6:]) and sorted(r for r in ranks[:6] if isinstance(r, int))[0] == 1
            )


def test_compute_follows_the_blank_row_rules(built_templates):
    """compute() itself, on inputs as a user leaves them: None for blank cells, never a TypeError."""
    for kind in ("scoring_matrix", "budget_by_tier"):
        module = template_module(kind)
        current = read_inputs(openpyxl.load_workbook(io.BytesIO(built_templates.bytes(kind, "native"))), kind)
        from tests.templates_helpers import blank_row_inputs

        out = module.compute({**current, **blank_row_inputs(kind, current, "unscored")})
        assert [r[0] for r in out["industry_tier"]][6:] == [""] * 6
        assert str(out["industry_tier"][3][0]) == "#N/A"
        if kind == "scoring_matrix":
            assert str(out["weighted_score"][3][0]) == "#N/A" and out["weighted_score"][6] == [""]
            assert sum(r[0] for r in out["tier_count"]) == 5
        else:
            assert out["industry_budget"][6:] == [[""]] * 6 and str(out["industry_budget"][3][0]) == "#N/A"
            assert str(out["check_status"][1][0]) == "#N/A"


def _rule(ws, coordinate):
    rules = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(rules) == 1, coordinate
    return rules[0]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_kpi_validations_rates_thresholds_and_accelerators(books, flavour):
    """Rates 0–100% (docs/SPEC.md), RAG thresholds sensible and descending, accelerators from 100%, ascending."""
    from gtm_xl.templates import example as ex

    wb = _wb(books, "kpi_scorecard", flavour)
    sheet, (c, r1, _, r2) = destination(wb, "kpi_target")
    ws = wb[sheet]
    rates = 0
    for i, kpi in enumerate(ex.KPIS):
        target, actual = _rule(ws, ws.cell(r1 + i, c).coordinate), _rule(ws, ws.cell(r1 + i, c + 1).coordinate)
        if kpi[2] == "percent":
            rates += 1
            t = ws.cell(r1 + i, c).coordinate
            assert target.type == "custom" and target.formula1 == f"AND(ISNUMBER({t}),{t}>0,{t}<=1)"
            assert (actual.type, actual.operator, actual.formula1, actual.formula2) == ("decimal", "between", "0", "1")
        else:
            assert target.operator == "greaterThan" and target.formula1 == "0"
        if kpi[1][0] == "NPS":  # a net promoter score may be negative: -100..100
            assert (actual.type, actual.operator, actual.formula1, actual.formula2) == (
                "decimal",
                "between",
                "-100",
                "100",
            )
    assert rates == 5
    sheet, (c, r, _, _) = destination(wb, "rag_thresholds")
    green, amber = (_rule(wb[sheet], wb[sheet].cell(r + k, c).coordinate).formula1 for k in (0, 1))
    assert "<=2" in green and "<=2" in amber and "C6<C5" in amber.replace("$", "")
    sheet, (c, r, _, _) = destination(wb, "commission_tiers")
    first, second = (_rule(wb[sheet], wb[sheet].cell(r + k, c).coordinate).formula1 for k in (0, 1))
    assert ">=1" in first and "C18>C17" in second.replace("$", "")


def test_docs_extra_brings_pillow_for_the_pictures():
    """docs/render.py lays the pages out with Pillow: `pip install -e ".[docs]"` must bring it."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(req.lower().startswith("pillow") for req in extras["docs"])
    for kind in TEMPLATES:
        assert (ROOT / "docs" / f"{kind}.png").stat().st_size > 10_000
