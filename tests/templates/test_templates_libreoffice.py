"""The templates in LibreOffice, an independent spreadsheet: the native flavour recalculates to the
numbers gtm_xl's math gives (example data and randomised inputs written through the defined names),
the udf flavour loads, every template exports to PDF with pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from gtm_xl.templates import FLAVOURS, TEMPLATES, file_name
from tests.templates_helpers import compare_outputs, special_copies, write_edge_copy, write_random_copy

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

RANDOM_COPIES = 4


@pytest.fixture(scope="module")
def built(built_templates) -> Path:
    """The folder of the session's built templates, every kind in both flavours (English) in it."""
    for kind in TEMPLATES:
        for flavour in FLAVOURS:
            built_templates.path(kind, flavour)
    return built_templates.folder


@pytest.fixture(scope="module")
def native_recalculated(built, built_templates, libreoffice, tmp_path_factory):
    """Every native template — as built (English and Chinese), with randomised inputs and with edge-case inputs (ties, zero
    weights, empty tiers, thresholds hit exactly) — recalculated in one LibreOffice call."""
    src = tmp_path_factory.mktemp("native-src")
    files: list[tuple[str, Path]] = []
    for kind in TEMPLATES:
        example = src / file_name(kind, "native")
        example.write_bytes((built / file_name(kind, "native")).read_bytes())
        files.append((kind, example))
        for seed in range(RANDOM_COPIES):
            copy = src / f"{kind}_random{seed}.xlsx"
            write_random_copy(example, copy, kind, seed)
            files.append((kind, copy))
        chinese = src / file_name(kind, "native", "zh")
        chinese.write_bytes(built_templates.bytes(kind, "native", "zh"))
        files.append((kind, chinese))
        edge = src / f"{kind}_edge.xlsx"
        write_edge_copy(example, edge, kind)
        files.append((kind, edge))
        files.extend((kind, copy) for copy in special_copies(example, src, kind))
    out = tmp_path_factory.mktemp("native-out")
    results = libreoffice.convert([f for _, f in files], "xlsx", out, filter_name="Calc MS Excel 2007 XML")
    return [(kind, source, result) for (kind, source), result in zip(files, results)]


def test_native_flavour_equals_python_math(native_recalculated):
    problems = [p for kind, source, result in native_recalculated for p in compare_outputs(source, result, kind)]
    assert not problems, "\n".join(problems)
    assert (
        len(native_recalculated) == len(TEMPLATES) * (3 + RANDOM_COPIES) + 2 + 3 + 1
    )  # + blank-row, residual, reversed-tier copies


def test_native_flavour_with_blank_rows_counts_only_real_industries(native_recalculated):
    """A regional copy with 6 of 12 industries: no tier, budget or rank on the empty rows, no
    #N/A anywhere; the tier budgets are split over the six industries (checks OK but for an empty tier)."""
    from gtm_xl.templates.names import read_block

    results = {r.name: r for _, _, r in native_recalculated}
    wb = openpyxl.load_workbook(results["budget_by_tier_native_six.xlsx"], data_only=True)
    assert [r[0] for r in read_block(wb, "industry_tier")][6:] == [None] * 6
    budget = [r[0] for r in read_block(wb, "industry_budget")]
    assert budget[6:] == [None] * 6 and all(isinstance(x, (int, float)) for x in budget[:6])
    assert sum(r[0] for r in read_block(wb, "tier_industry_count")) == 6
    wb = openpyxl.load_workbook(results["scoring_matrix_native_unscored.xlsx"], data_only=True)
    assert read_block(wb, "weighted_score")[3] == [["#N/A"]][0] and read_block(wb, "industry_rank")[6:] == [[None]] * 6
    assert sum(r[0] for r in read_block(wb, "tier_count")) == 5
    wb = openpyxl.load_workbook(results["budget_by_tier_native_residual.xlsx"], data_only=True)
    assert sum(r[0] for r in read_block(wb, "budget_by_tier")) == 50_000_123
    assert sum(read_block(wb, "budget_by_quarter")[0]) == 50_000_123
    wb = openpyxl.load_workbook(results["kpi_scorecard_native_tiers_reversed.xlsx"], data_only=True)
    base = read_block(wb, "commission_base")[0][0]
    assert read_block(wb, "commission_payout") == [[base * 1.2]]  # 130%: the 120% accelerator, not 150%'s
    assert [r[0] for r in read_block(wb, "commission_schedule_payout")] == [
        base * 0.8,
        base * 1.2,
        base * 1.5,
        base * 1.5,
    ]


def test_native_example_shows_the_seeds_plan(native_recalculated):
    from gtm_xl.templates.names import read_block

    results = {r.name: r for _, _, r in native_recalculated}
    wb = openpyxl.load_workbook(results["budget_by_tier_native.xlsx"], data_only=True)
    assert read_block(wb, "gmv_by_quarter") == [[2_000_000], [3_000_000], [4_000_000], [3_000_000]]
    assert read_block(wb, "enrolments_by_role") == [[400], [300], [300]]
    assert sum(r[0] for r in read_block(wb, "budget_by_tier")) == 50_000_000
    assert read_block(wb, "check_status") == [["OK"]] * 7
    assert read_block(wb, "goal_firms") == [[4000]]


def _formulas(wb) -> dict[tuple[str, str], str]:
    """(sheet, cell) → formula text of every formula cell (array formulas by their text)."""
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                text = getattr(c.value, "text", c.value)
                if isinstance(text, str) and text.startswith("="):
                    out[(ws.title, c.coordinate)] = text
    return out


def test_udf_flavour_loads_in_libreoffice(built, libreoffice, tmp_path):
    """LibreOffice, an independent reader, loads each udf file and saves back everything it holds:
    the sheets, every defined name, every formula (it spells the GTM_* it does not know in lower
    case and writes FALSE as FALSE(): the same formula, as the roll-up's tamper check sees it), every
    data validation and the protection — nothing was dropped as unreadable."""
    import warnings

    from gtm_xl.workflows.template_info import normalise_formula

    files = [built / file_name(kind, "udf") for kind in TEMPLATES]
    results = libreoffice.convert(files, "xlsx", tmp_path, filter_name="Calc MS Excel 2007 XML")
    for source, result in zip(files, results):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            original, loaded = openpyxl.load_workbook(source), openpyxl.load_workbook(result)
        assert loaded.sheetnames == original.sheetnames
        assert set(loaded.defined_names) >= set(original.defined_names), source.name
        before, after = _formulas(original), _formulas(loaded)
        assert set(after) == set(before), source.name
        assert all(normalise_formula(after[k]) == normalise_formula(before[k]) for k in before), source.name
        assert any("GTM_" in f for f in before.values())
        for ws in original.worksheets:
            assert len(loaded[ws.title].data_validations.dataValidation) == len(ws.data_validations.dataValidation)
            assert loaded[ws.title].protection.sheet == ws.protection.sheet


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_every_template_exports_to_pdf_with_pages(built, libreoffice, tmp_path):
    files = [built / file_name(kind, flavour) for kind in TEMPLATES for flavour in ("native", "udf")]
    pdfs = libreoffice.convert(files, "pdf", tmp_path)
    for pdf in pdfs:
        assert _pages(pdf) >= 3, pdf.name
