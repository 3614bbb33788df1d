"""The package layer: reading cells of real files, splicing cached values, atomic save, refusals."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.formula.translate import Translator
from package_helpers import assert_lossless
from project_paths import ROOT

from gtm_xl.errors import CellError
from gtm_xl.excel.ooxml.package import (
    Package,
    PackageError,
    format_number,
    patch_sheet,
    translate_formula,
)
from gtm_xl.excel.ooxml.workbook_xml import mark_full_calc


def _save_patched(src: Path, dst: Path, value_of) -> dict:
    """Patch every formula cell of ``src`` with ``value_of(sheet, key, cell)`` into ``dst``."""
    with Package(src) as pkg:
        book, parts = pkg.read_cells()
        new_parts, written = {}, {}
        for name, sp in parts.items():
            values = {k: value_of(name, k, c) for k, c in book.sheets[name].cells.items() if c.formula}
            written[name] = values
            if values:
                new_parts[sp.part] = patch_sheet(sp, values)
        new_parts[pkg.workbook_part] = mark_full_calc(pkg.part(pkg.workbook_part))
        pkg.save(dst, new_parts)
    return written


def _corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.rglob("*") if p.suffix in (".xlsx", ".xlsm"))


def test_corpus_values_spliced_and_everything_else_identical(corpus_dir, tmp_path):
    """Every corpus file: new cached values land, other parts keep their bytes and compression."""
    files = _corpus_files(corpus_dir)
    assert len(files) >= 40
    cycle = [42.5, "text & <more>", True, CellError("#DIV/0!"), None, 0.1 + 0.2, -1e-300]
    for src in files:
        dst = tmp_path / src.name
        n = iter(range(10**9))
        written = _save_patched(src, dst, lambda s, k, c, n=n: cycle[next(n) % len(cycle)])
        assert_lossless(src, dst)
        with Package(dst) as pkg:
            book, _ = pkg.read_cells()
        for sheet, values in written.items():
            for key, value in values.items():
                got = book.sheets[sheet].cells[key]
                assert got.formula is not None, (src.name, sheet, key)
                if value is None:
                    assert got.value is None
                else:
                    assert type(got.value) is type(value) and got.value == value, (src.name, key, got.value)


def test_corpus_reading_matches_openpyxl(corpus_dir):
    """Values and formulas read by the scanner agree with openpyxl on every corpus cell."""
    from openpyxl import load_workbook

    for src in _corpus_files(corpus_dir):
        try:
            with Package(src) as pkg:
                book, _ = pkg.read_cells()
        except PackageError as exc:  # refused files are checked by test_refuses_foreign_namespace
            assert "namespace" in str(exc), str(exc)
            continue
        wb_f = load_workbook(src, data_only=False)
        wb_v = load_workbook(src, data_only=True)
        for ws in wb_f.worksheets:
            ours = book.sheets[ws.title]
            for row in ws.iter_rows():
                for c in row:
                    cell = ours.cells.get((c.row, c.column))
                    if c.data_type == "f" and isinstance(c.value, str) and c.value != "=":
                        # openpyxl's Translator collapses whitespace in a shared formula's children; we
                        # keep the master's spacing, as Excel shows it
                        assert cell is not None and cell.formula.split() == c.value[1:].split(), (
                            src.name,
                            c.coordinate,
                        )
                    elif hasattr(c.value, "text"):  # ArrayFormula
                        assert cell.formula == c.value.text.lstrip("="), (src.name, c.coordinate)
                        assert cell.array_ref == c.value.ref
                    v = wb_v[ws.title].cell(c.row, c.column).value
                    got = None if cell is None else cell.value
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        assert got == pytest.approx(float(v)), (src.name, c.coordinate)
                    elif isinstance(v, str) and v.startswith("#") and isinstance(got, CellError):
                        assert got.code == v
                    elif v is not None and not hasattr(v, "hour") and not hasattr(v, "year") and not hasattr(v, "days"):
                        assert got == v, (src.name, c.coordinate, got, v)


def test_dynamic_array_marked(corpus_dir):
    with Package(corpus_dir / "excel-authored" / "dynamic_array01.xlsx") as pkg:
        book, _ = pkg.read_cells()
    a1 = book.sheets["Sheet1"].cells[(1, 1)]
    assert a1.formula == "AVERAGE(TIMEVALUE(B1:B2))" and a1.array_ref == "A1" and a1.dynamic


def test_types_shared_formulas_names(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Data Sheet"
    ws["A1"], ws["A2"], ws["A3"] = 1.5, 'x<&>"y', True
    ws["B1"] = "=A1*2"
    other = wb.create_sheet("Other")
    other["A1"] = 7
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Other!$A$1")
    ws.defined_names["Local"] = DefinedName("Local", attr_text="'Data Sheet'!$A$1")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    # a shared formula and an inline string, written by hand into the sheet XML
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    import re

    body = (
        b'<row r="1"><c r="A1"><v>1.5</v></c>'
        b'<c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2+$A$1+SUM(A$1:A1)</f><v>5</v></c>'
        b'<c r="C1" t="inlineStr"><is><t xml:space="preserve"> in </t></is></c>'
        b'<c r="D1" t="e"><v>#N/A</v></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><r><t>x&lt;&amp;&gt;</t></r><r><t>"y</t></r></is></c><c r="B2"><f t="shared" si="0"/><v>3</v></c></row>'
        b'<row r="3"><c r="A3" t="b"><v>1</v></c></row>'
    )
    sheet = re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData>" + body + b"</sheetData>", sheet, flags=re.S)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with Package(path) as pkg:
        book, _ = pkg.read_cells()
    cells = book.sheets["Data Sheet"].cells
    assert cells[(1, 1)].value == 1.5 and cells[(2, 1)].value == 'x<&>"y' and cells[(3, 1)].value is True
    assert cells[(1, 2)].formula == "A1*2+$A$1+SUM(A$1:A1)" and cells[(1, 2)].value == 5.0
    assert cells[(2, 2)].formula == "A2*2+$A$1+SUM(A$1:A2)"
    assert cells[(1, 3)].value == " in "
    assert cells[(1, 4)].value is CellError("#N/A")
    assert book.names["RATE"] == "Other!$A$1"
    assert book.names["DATA SHEET!LOCAL"] == "'Data Sheet'!$A$1"


@pytest.mark.parametrize(
    "formula,origin,dest",
    [
        ("A1+B$2*$C3-$D$4", "B2", "C5"),
        ("SUM(A1:B2)/COUNT($A:$A)+SUM(3:4)", "C3", "E9"),
        ("'My Sheet'!A1&\"A1\"&Other!B2", "A1", "B3"),
        ("IF(A1>0,LOG10(A1),Z99)", "B1", "C1"),
        ("C1+D2", "C3", "A3"),
    ],
)
def test_translate_formula_like_openpyxl(formula, origin, dest):
    from gtm_xl.excel.ooxml.cells import parse_a1

    r0, c0 = parse_a1(origin)
    r1, c1 = parse_a1(dest)
    expected = Translator("=" + formula, origin=origin).translate_formula(dest)[1:]
    assert translate_formula(formula, r1 - r0, c1 - c0) == expected


def test_translate_off_sheet_is_ref_error():
    assert translate_formula("A1+B2", -1, 0) == "#REF!+B1"


def test_format_number():
    assert format_number(3.0) == "3" and format_number(0.1) == "0.1" and format_number(-0.0) == "0"
    assert float(format_number(1 / 3)) == 1 / 3 and format_number(1e20) == "1E+20"


def test_mark_full_calc():
    assert (
        mark_full_calc(b'<workbook><calcPr calcId="1"/></workbook>')
        == b'<workbook><calcPr calcId="1" fullCalcOnLoad="1"/></workbook>'
    )
    assert (
        mark_full_calc(b'<workbook><calcPr fullCalcOnLoad="0" calcId="1"/></workbook>')
        == b'<workbook><calcPr calcId="1" fullCalcOnLoad="1"/></workbook>'
    )
    assert (
        mark_full_calc(b"<workbook><sheets/><extLst/></workbook>")
        == b'<workbook><sheets/><calcPr fullCalcOnLoad="1"/><extLst/></workbook>'
    )


def test_spill_cells_inserted_in_order(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "=1"
    ws["C1"] = 5
    ws["A4"] = 9
    path = tmp_path / "s.xlsx"
    wb.save(path)
    with Package(path) as pkg:
        book, parts = pkg.read_cells()
        sp = parts["Sheet"]
        data = patch_sheet(sp, {(1, 1): 1.0, (1, 2): 2.0, (2, 1): "two", (3, 1): 3.0, (5, 1): 5.0})
        pkg.save(path, {sp.part: data})
    with Package(path) as pkg:
        book, _ = pkg.read_cells()
    cells = book.sheets["Sheet"].cells
    assert [(k, cells[k].value) for k in sorted(cells)] == [
        ((1, 1), 1.0),
        ((1, 2), 2.0),
        ((1, 3), 5.0),
        ((2, 1), "two"),
        ((3, 1), 3.0),
        ((4, 1), 9.0),
        ((5, 1), 5.0),
    ]
    from openpyxl import load_workbook

    assert load_workbook(path)["Sheet"]["A2"].value == "two"


# --- refusals ------------------------------------------------------------------------------------
def _small_xlsx(tmp_path: Path, name: str = "ok.xlsx") -> Path:
    wb = Workbook()
    wb.active["A1"] = 1
    wb.active["A2"] = "=A1+1"
    path = tmp_path / name
    wb.save(path)
    return path


def _one_line_error(path: Path, *needles: str, **limits) -> str:
    with pytest.raises(PackageError) as info:
        Package(path, **limits).read_cells()
    text = str(info.value)
    assert "\n" not in text and text.startswith(str(path)), text
    for needle in needles:
        assert needle in text, text
    return text


def test_refuses_corrupt_and_truncated(tmp_path):
    bad = tmp_path / "corrupt.xlsx"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(300))
    _one_line_error(bad, "corrupt or truncated")
    good = _small_xlsx(tmp_path)
    cut = tmp_path / "truncated.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _one_line_error(cut, "corrupt or truncated")
    text = tmp_path / "notes.xlsx"
    text.write_text("hello")
    _one_line_error(text, "not a zip")


def test_refuses_zip_bomb_before_inflating(tmp_path):
    path = tmp_path / "bomb.xlsx"
    good = _small_xlsx(tmp_path)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("xl/media/zeros.bin", b"\0" * (50 << 20))
    assert path.stat().st_size < 1 << 20
    _one_line_error(path, "zip bomb", "xl/media/zeros.bin", "compression ratio")
    _one_line_error(good, "zip bomb", "over the", max_total_bytes=1000)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_refuses_external_entities(tmp_path, part):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    good = _small_xlsx(tmp_path)
    path = tmp_path / "xxe.xlsx"
    doctype = f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'.encode()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = data.replace(b"?>", b"?>" + doctype, 1) if data.startswith(b"<?xml") else doctype + data
                data = data.replace(b"<v>1</v>", b"<v>&e;</v>")
            out.writestr(info, data)
    text = _one_line_error(path, "DTD", part)
    assert "TOP-SECRET" not in text


@pytest.mark.parametrize(
    "prolog",
    [
        b"<!--" + b"x" * 5000 + b"-->",  # past the first 4 KB
        b"<?pi " + b"y" * 9000 + b"?>\n<!-- a -->\n",
        b"\n" * 8192,
    ],
)
def test_refuses_dtd_anywhere_in_the_prolog(tmp_path, prolog):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    good = _small_xlsx(tmp_path)
    path = tmp_path / "late-dtd.xlsx"
    part = "xl/workbook.xml"
    doctype = f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'.encode()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                head, sep, rest = data.partition(b"?>")
                data = head + sep + prolog + doctype + rest if data.startswith(b"<?xml") else prolog + doctype + data
            out.writestr(info, data)
    text = _one_line_error(path, "DTD", part)
    assert "TOP-SECRET" not in text


def test_dtd_check_stops_at_the_root_element():
    from gtm_xl.excel.ooxml.package import _declares_dtd

    assert not _declares_dtd(b'<?xml version="1.0"?><!-- c --><root><!DOCTYPE-looking text/></root>')
    assert not _declares_dtd(b"<root>" + b"<!DOCTYPE x>" + b"z" * 100)
    assert _declares_dtd(b'<?xml version="1.0"?>\n<!-- <root> -->\n<!DOCTYPE x [<!ENTITY e "1">]><root/>')


def test_refuses_encrypted_workbook(tmp_path):
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    good = _small_xlsx(tmp_path)
    path = tmp_path / "locked.xlsx"
    with open(good, "rb") as fh, open(path, "wb") as out:
        OOXMLFile(fh).encrypt("secret", out)
    _one_line_error(path, "encrypted", "password")


def test_refuses_legacy_xls(tmp_path):
    from gtm_xl.excel.vba.compoundfile import write_compound_file

    path = tmp_path / "old.xls"
    path.write_bytes(write_compound_file({"Workbook": b"\x09\x08" + b"\0" * 5000}))
    _one_line_error(path, "legacy .xls")


def test_sheet_part_missing_is_clear(tmp_path):
    good = _small_xlsx(tmp_path)
    path = tmp_path / "nosheet.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, src.read(info))
    _one_line_error(path, "xl/worksheets/sheet1.xml", "missing")


# --- atomic save ---------------------------------------------------------------------------------
def test_crash_between_write_and_rename_leaves_old_file(tmp_path, monkeypatch):
    path = _small_xlsx(tmp_path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk on fire")

    with Package(path) as pkg:
        monkeypatch.setattr(os, "replace", boom)
        with pytest.raises(OSError):
            pkg.save(path, {"xl/workbook.xml": mark_full_calc(pkg.part("xl/workbook.xml"))})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.xlsx"], "the temporary file was left behind"


def test_rename_is_made_durable_by_fsyncing_the_directory(tmp_path, monkeypatch):
    path = _small_xlsx(tmp_path)
    synced, replaced = [], []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        synced.append((os.path.realpath(f"/proc/self/fd/{fd}"), bool(replaced)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append(b), real_replace(a, b)))
    with Package(path) as pkg:
        pkg.save(path, {"xl/workbook.xml": mark_full_calc(pkg.part("xl/workbook.xml"))})
    assert replaced
    assert (str(tmp_path.resolve()), True) in synced, synced  # the folder, after the rename


def test_orphan_temps_of_killed_saves_are_removed_on_the_next_save(tmp_path):
    import time

    path = _small_xlsx(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f".ok.xlsx.{dead.pid}.abcd_123.tmp"  # its process is gone
    live = tmp_path / f".ok.xlsx.{os.getppid()}.efgh_456.tmp"  # a running process's: kept
    legacy_old = tmp_path / ".ok.xlsx.ijkl_789.tmp"  # no owner, two hours old
    legacy_new = tmp_path / ".ok.xlsx.mnop_012.tmp"  # no owner, just written: kept
    other = tmp_path / f".other.xlsx.{dead.pid}.qrst_345.tmp"  # another file's: kept
    for p in (orphan, live, legacy_old, legacy_new, other):
        p.write_bytes(b"PK partial")
    os.utime(legacy_old, (time.time() - 7200, time.time() - 7200))
    with Package(path) as pkg:
        pkg.save(path, {"xl/workbook.xml": mark_full_calc(pkg.part("xl/workbook.xml"))})
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["ok.xlsx", live.name, legacy_new.name, other.name])


_KILL_SCRIPT = r"""
import sys, zipfile, os
from gtm_xl.excel.ooxml.package import Package
path = sys.argv[1]
with Package(path) as pkg:
    print("start", flush=True)
    pkg.save(path, {"xl/workbook.xml": mark_full_calc(pkg.part("xl/workbook.xml"))})
"""


@pytest.mark.slow
def test_sigkill_during_write_leaves_old_or_new(tmp_path):
    """Kill the writer at many moments: the target always opens, as the old file or the new one."""
    import random
    import signal
    import time

    src = tmp_path / "big.xlsx"
    with zipfile.ZipFile(_small_xlsx(tmp_path), "r") as z, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            out.writestr(info, z.read(info))
        out.writestr("xl/media/big.bin", os.urandom(40 << 20))
    old = src.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    outcomes = set()
    rnd = random.Random(1)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(src)], env=env, stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"start"
        time.sleep(rnd.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = src.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
        outcomes.add("old" if data == old else "new")
        if data != old:
            old = data
    assert outcomes


def test_prefixed_sheet_xml(tmp_path):
    """Some writers prefix the SpreadsheetML namespace (``<x:c>``): read and patch keep the prefix."""
    good = _small_xlsx(tmp_path)
    path = tmp_path / "prefixed.xlsx"
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>4</x:v></x:c>'
        b'<x:c r="B1"><x:f>A1+1</x:f><x:v>0</x:v></x:c></x:row><x:row r="3"/></x:sheetData></x:worksheet>'
    )
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    with Package(path) as pkg:
        book, parts = pkg.read_cells()
        cells = book.sheets["Sheet"].cells
        assert cells[(1, 1)].value == 4.0 and cells[(1, 2)].formula == "A1+1"
        data = patch_sheet(parts["Sheet"], {(1, 2): 5.0, (3, 2): "x", (2, 1): True})
    assert data == sheet.replace(b"<x:v>0</x:v>", b"<x:v>5</x:v>").replace(
        b'<x:row r="3"/>',
        b'<x:row r="2"><x:c r="A2" t="b"><x:v>1</x:v></x:c></x:row>'
        b'<x:row r="3"><x:c r="B3" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>',
    )


def test_reads_strict_and_beta_namespaces(corpus_dir):
    """Strict Open XML and the Excel 2007 beta namespace hold the same structure: their sheets are read."""
    for name in ("SimpleStrict.xlsx", "sample-beta.xlsx"):
        src = corpus_dir / "excel-computed" / "poi" / name
        if not src.exists():
            pytest.skip(f"{src} is absent")
        with Package(src) as pkg:
            book, _ = pkg.read_cells()
        assert book.sheets and any(sheet.values() for sheet in book.sheets.values()), name


def test_refuses_foreign_namespace(tmp_path):
    """A workbook part in an unknown namespace is refused by name, never read as a book with no sheets."""
    src = tmp_path / "foreign.xlsx"
    with zipfile.ZipFile(src, "w") as z:
        z.writestr(
            "[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )
        z.writestr("xl/workbook.xml", '<workbook xmlns="urn:example:not-spreadsheetml"><sheets/></workbook>')
    with pytest.raises(PackageError, match="foreign.xlsx.*not a SpreadsheetML workbook part.*urn:example"):
        Package(src)
