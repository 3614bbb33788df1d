"""``compare_with_excel``: every formula cell is agree, differ (with both values) or not computed (with why)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from gtm_xl.catalogue import excel_functions
from gtm_xl.workflows.agreement import compare_with_excel, same_value


def _with_cached(path: Path, values: dict[str, bytes]) -> None:
    """Give formula cells of the first sheet a cached value, as Excel would have stored it."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    data = parts["xl/worksheets/sheet1.xml"]
    for ref, v in values.items():
        data = re.sub(rb'(<c r="' + ref.encode() + rb'"[^>]*)(><f>[^<]*</f>)<v\s*/?>(?:</v>)?', rb"\1\2" + v, data)
    parts["xl/worksheets/sheet1.xml"] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)


def test_agree_differ_and_not_computed(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = 2, 3
    ws["B1"] = "=A1*A2"  # Excel stored 6: agree
    ws["B2"] = "=A1+A2"  # a cached 6 where 5 is right: listed with both values
    ws["B3"] = "=B4+1"  # circular with B4: not computed, with the reason
    ws["B4"] = "=B3+1"
    ws["B5"] = '=A1&"x"'
    path = tmp_path / "book.xlsx"
    wb.save(path)
    _with_cached(path, {"B1": b"<v>6</v>", "B2": b"<v>6</v>", "B3": b"<v>0</v>", "B4": b"<v>0</v>"})
    before = path.read_bytes()

    result = compare_with_excel(path, excel_functions())

    assert path.read_bytes() == before  # nothing written
    assert result.formula_cells == 5
    assert result.agree == 1
    assert [(d.cell, d.excel, d.gtm_xl) for d in result.differences] == [
        ("Sheet!B2", 6.0, 5.0),
        ("Sheet!B5", None, "2x"),
    ]
    assert result.not_computed == {"Sheet!B3": "circular reference", "Sheet!B4": "circular reference"}
    assert result.computed == 3 and result.error is None


def test_unreadable_file_is_an_error_not_an_exception(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = compare_with_excel(bad)
    assert result.error and "bad.xlsx" in result.error and result.formula_cells == 0


@pytest.mark.parametrize(
    ("excel", "ours", "same"),
    [
        (1.0, 1.0 + 1e-12, True),
        (1.0, 1.0001, False),
        (1.2246467991473532e-16, 0.0, True),  # SIN(PI()): rounding noise
        (True, 1.0, False),  # a boolean is not the number 1
        ("1", 1.0, False),
        ("", None, True),
        (None, "", True),
        ("a", "A", False),
    ],
)
def test_same_value(excel, ours, same):
    assert same_value(excel, ours) is same


def test_pycel_files_agree_with_excel(corpus_dir):
    """Every computed cell of the Excel-computed pycel workbooks equals Excel's stored value."""
    files = sorted((corpus_dir / "excel-computed").glob("*.xlsx"))
    assert files
    functions = excel_functions()
    computed = cells = 0
    for path in files:
        result = compare_with_excel(path, functions)
        assert result.error is None, result.error
        assert not result.differences, [(d.cell, d.formula, d.excel, d.gtm_xl) for d in result.differences[:20]]
        computed, cells = computed + result.computed, cells + result.formula_cells
    assert computed / cells >= 0.9, f"{computed} of {cells} computed"


def test_check_against_excel_command_lists_differences(tmp_path, capsys):
    """``gtm-xl check --against-excel``: both values of a differing cell, exit 1; a JSON report; nothing written."""
    from gtm_xl.adapters.cli import main

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = 2, 3
    ws["B1"] = "=A1*A2"
    ws["B2"] = "=A1+A2"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    _with_cached(path, {"B1": b"<v>6</v>", "B2": b"<v>6</v>"})
    before = path.read_bytes()
    report = tmp_path / "agreement.json"

    assert main(["check", "--against-excel", str(path), "--report", str(report)]) == 1

    out = capsys.readouterr().out
    assert "2 formula cells, 2 computed (100.0%), 1 equal to Excel's values, 1 different" in out
    assert "Sheet!B2: =A1+A2   Excel: 6.0   gtm-xl: 5.0" in out
    assert path.read_bytes() == before
    doc = json.loads(report.read_text())
    assert doc["files"][0]["differences"] == [{"cell": "Sheet!B2", "formula": "A1+A2", "excel": "6.0", "gtm_xl": "5.0"}]


def test_check_against_excel_agrees_on_an_excel_file(corpus_dir, capsys):
    from gtm_xl.adapters.cli import main

    assert main(["check", "--against-excel", str(corpus_dir / "excel-computed" / "pycel_logical.xlsx")]) == 0
    assert " 0 different" in capsys.readouterr().out
