"""The lambda flavour of the templates: the udf flavour's formulas with the GTM functions defined in
the workbook as named LAMBDAs, GTM calls as dynamic-array formulas (cm="1" + xl/metadata.xml), and
the same values as the udf flavour on every shared defined name through the headless refresh —
with the template's example inputs and with random ones."""

from __future__ import annotations

import io
import math
import random
import re
import zipfile

import openpyxl
import pytest
from lxml import etree

from gtm_xl.catalogue import CATALOGUE
from gtm_xl.errors import CellError
from gtm_xl.excel.ooxml.package import Package
from gtm_xl.lambdas import DEFINITIONS, comment, stored
from gtm_xl.templates import TEMPLATES, file_name, workbook_bytes
from gtm_xl.templates.names import write_block
from gtm_xl.workflows.refresh import refresh_file
from tests.templates_helpers import random_inputs, read_inputs

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _parts(kind: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(kind, "lambda"))) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize("kind", TEMPLATES)
def test_names_are_the_stored_lambdas_with_their_descriptions(kind):
    root = etree.fromstring(_parts(kind)["xl/workbook.xml"])
    names = {dn.get("name"): dn for dn in root.iter(f"{NS}definedName")}
    for name in CATALOGUE:
        dn = names[name]
        assert dn.text == stored(DEFINITIONS[name]) and dn.get("comment") == comment(name)
        assert dn.get("localSheetId") is None  # workbook scope: callable from every sheet


@pytest.mark.parametrize("kind", TEMPLATES)
def test_gtm_calls_are_dynamic_array_formulas(kind):
    parts = _parts(kind)
    assert parts["xl/metadata.xml"].count(b"XLDAPR") == 2 and b'fDynamic="1"' in parts["xl/metadata.xml"]
    assert b'PartName="/xl/metadata.xml"' in parts["[Content_Types].xml"]
    assert b"relationships/sheetMetadata" in parts["xl/_rels/workbook.xml.rels"]
    calls = 0
    for name, data in parts.items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        for c in etree.fromstring(data).iter(f"{NS}c"):
            f = c.find(f"{NS}f")
            if f is None or not re.search(r"\bGTM_[A-Z_]+\(", f.text or ""):
                continue
            calls += 1
            assert c.get("cm") == "1" and f.get("t") == "array" and f.get("ref", "").startswith(c.get("r"))
    assert calls > 0


def test_udf_and_lambda_flavours_differ_only_in_names_and_dynamic_array_marks():
    for kind in TEMPLATES:
        udf, lam = (
            openpyxl.load_workbook(io.BytesIO(workbook_bytes(kind, "udf"))),
            openpyxl.load_workbook(io.BytesIO(workbook_bytes(kind, "lambda"))),
        )
        assert udf.sheetnames == lam.sheetnames
        for a, b in zip(udf.worksheets, lam.worksheets):
            fa = {c.coordinate: getattr(c.value, "text", c.value) for r in a.iter_rows() for c in r}
            fb = {c.coordinate: getattr(c.value, "text", c.value) for r in b.iter_rows() for c in r}
            assert fa.keys() == fb.keys()
            for k in fa:
                if isinstance(fa[k], str) and fa[k].startswith("=") and "flavour" not in fa[k]:
                    assert fa[k].lstrip("=") == str(fb[k]).lstrip("="), (a.title, k)
        assert set(lam.defined_names) - set(udf.defined_names) == set(CATALOGUE)


def _values(path) -> dict[str, list]:
    """Every range-defined name (the template's inputs and outputs) → its cell values."""
    with Package(path) as pkg:
        book, _ = pkg.read_cells()
    out = {}
    for key, text in book.names.items():
        m = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", text)
        if not m:
            continue
        from gtm_xl.excel.ooxml.cells import column_index

        sheet = book.sheet(m.group(1))
        c1, r1 = column_index(m.group(2)), int(m.group(3))
        c2, r2 = (column_index(m.group(4)), int(m.group(5))) if m.group(4) else (c1, r1)
        out[key] = [[sheet.value(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
    return out


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, CellError) or isinstance(b, CellError):
        return isinstance(a, CellError) and isinstance(b, CellError) and a.code == b.code
    return a == b


def _compare(udf_path, lam_path) -> list[str]:
    u, v = _values(udf_path), _values(lam_path)
    assert u.keys() == v.keys() and len(u) > 10
    return [
        f"{name}: udf {u[name]} lambda {v[name]}"
        for name in u
        if not all(_same(x, y) for ru, rv in zip(u[name], v[name]) for x, y in zip(ru, rv))
    ]


@pytest.mark.parametrize("kind", TEMPLATES)
def test_lambda_flavour_refreshed_equals_udf_flavour_on_every_name(kind, tmp_path):
    paths = {}
    for flavour in ("udf", "lambda"):
        paths[flavour] = tmp_path / file_name(kind, flavour)
        paths[flavour].write_bytes(workbook_bytes(kind, flavour))
        report = refresh_file(paths[flavour])
        assert report.ok and not report.unsupported, (flavour, report.error, report.unsupported)
    assert _compare(paths["udf"], paths["lambda"]) == []


@pytest.mark.parametrize("kind", TEMPLATES)
@pytest.mark.parametrize("seed", range(3))
def test_lambda_flavour_equals_udf_flavour_on_random_inputs(kind, seed, tmp_path):
    rng = random.Random(seed * 7919 + len(kind))
    inputs = None
    paths = {}
    for flavour in ("udf", "lambda"):
        wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(kind, flavour)))
        if inputs is None:
            inputs = random_inputs(kind, rng, read_inputs(wb, kind))
        for name, values in inputs.items():
            write_block(wb, name, values)
        paths[flavour] = tmp_path / file_name(kind, flavour)
        wb.save(paths[flavour])
        if flavour == "lambda":  # openpyxl drops the cell metadata it does not know: put the build's back
            _restore_dynamic_marks(paths[flavour], kind)
        report = refresh_file(paths[flavour])
        assert report.ok and not report.unsupported, (flavour, report.error, report.unsupported)
    assert _compare(paths["udf"], paths["lambda"]) == []


def _restore_dynamic_marks(path, kind: str) -> None:
    from gtm_xl.templates.lambda_flavour import dynamic_array_parts

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts = dynamic_array_parts({n: d for n, d in parts.items() if n != "xl/metadata.xml"})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)


@pytest.mark.parametrize("kind", TEMPLATES)
def test_lambda_flavour_with_blank_rows_and_a_residual_equals_python_math(kind, tmp_path):
    """The udf flavour's hard cases (a regional copy with 6 of 12 industries, an industry without
    scores, a total that is not a whole number of units), on the lambda flavour: the outputs are
    compute()'s, through the workbook's own LAMBDAs."""
    from tests.templates_helpers import compare_outputs, special_copies

    src = tmp_path / file_name(kind, "lambda")
    src.write_bytes(workbook_bytes(kind, "lambda"))
    copies = special_copies(src, tmp_path, kind)
    assert copies
    for path in copies:
        _restore_dynamic_marks(path, kind)  # the helper writes the copies with openpyxl, which drops them
        report = refresh_file(path)
        assert report.ok and not report.unsupported, (path.name, report.error, report.unsupported)
        assert compare_outputs(path, path, kind) == [], path.name
        with zipfile.ZipFile(path) as z:  # still a lambda workbook: names and dynamic-array cells kept
            assert b'cm="1"' in b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
            assert b"_xlfn.LAMBDA(" in z.read("xl/workbook.xml")


def test_regional_copies_of_a_lambda_template_stay_lambda_workbooks(tmp_path):
    """`gtm-xl distribute` patches cells in place: the copies keep the named LAMBDAs, the
    dynamic-array cells and xl/metadata.xml, and refresh to the numbers of the udf flavour's copies."""
    from gtm_xl.workflows.distribute import distribute

    regions = tmp_path / "regions.csv"
    regions.write_text("region,name,total_budget\nEMEA,Europe,18000000\nAPAC,Asia Pacific,15000000\n")
    outs = {}
    for flavour in ("udf", "lambda"):
        template = tmp_path / file_name("budget_by_tier", flavour)
        template.write_bytes(workbook_bytes("budget_by_tier", flavour))
        distribute(template, regions, tmp_path / flavour)
        outs[flavour] = sorted((tmp_path / flavour).glob("budget_by_tier_*.xlsx"))
        for path in outs[flavour]:
            assert refresh_file(path).ok
    assert len(outs["lambda"]) == 2
    for udf, lam in zip(outs["udf"], outs["lambda"]):
        with zipfile.ZipFile(lam) as z:
            assert b'cm="1"' in b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
            assert "xl/metadata.xml" in z.namelist() and b"_xlfn.LAMBDA(" in z.read("xl/workbook.xml")
        assert _compare(udf, lam) == []


def test_build_command_writes_the_lambda_flavour(tmp_path):
    from gtm_xl.adapters.cli import main

    assert main(["build", "--out", str(tmp_path), "--flavour", "lambda"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(file_name(k, "lambda") for k in TEMPLATES)
    assert (tmp_path / file_name("budget_by_tier", "lambda")).read_bytes() == workbook_bytes("budget_by_tier", "lambda")
