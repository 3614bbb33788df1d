"""`gtm-xl functions`: list, install the named LAMBDAs into any workbook (only workbook.xml's
definedNames change, every other part byte for byte; update by version; refuse a taken name),
export for Excel Labs' Advanced Formula Environment."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from gtm_xl.adapters.cli import main
from gtm_xl.catalogue import CATALOGUE
from gtm_xl.excel.ooxml.package import Package
from gtm_xl.excel.ooxml.workbook_xml import defined_names, upsert_defined_names
from gtm_xl.lambdas import DEFINITIONS, VERSION, comment, stored
from gtm_xl.workflows.functions import NameClash, export_module, install
from gtm_xl.workflows.refresh import refresh_file


def _user_book(path, extra_names=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws["A1"], ws["B1"] = 100, 0.8
    ws["C1"] = "=A1*B1"
    ws["A3"] = "notes: keep me"
    wb.defined_names["margin"] = DefinedName("margin", attr_text="Plan!$B$1")
    for name, text in (extra_names or {}).items():
        wb.defined_names[name] = DefinedName(name, attr_text=text)
    wb.save(path)
    return path


def _members(path) -> dict[str, tuple[int, bytes]]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: (i.CRC, z.read(i.filename)) for i in z.infolist()}


def test_install_adds_every_function_and_changes_nothing_else(tmp_path):
    path = _user_book(tmp_path / "mine.xlsx")
    before = _members(path)
    report = install(path)
    assert sorted(report.added) == sorted(CATALOGUE) and not report.updated
    after = _members(path)
    assert after.keys() == before.keys()
    assert [n for n in after if after[n] != before[n]] == ["xl/workbook.xml"]
    old, new = before["xl/workbook.xml"][1], after["xl/workbook.xml"][1]
    # the old workbook part is the new one without the added elements
    stripped = re.sub(rb'<definedName name="GTM_[A-Z_]+" comment="[^"]*">.*?</definedName>', b"", new)
    assert stripped == old
    names = {d.name: d for d in defined_names(new)}
    for name in CATALOGUE:
        assert names[name].text == stored(DEFINITIONS[name]) and names[name].attributes["comment"] == comment(name)
    assert names["margin"].text == "Plan!$B$1"
    # Excel reads it back with openpyxl too, and the engine computes a GTM call typed into it
    wb = openpyxl.load_workbook(path)
    wb["Plan"]["D1"] = "=GTM_LTV(A1,B1,0.02)"
    wb.save(path)
    assert refresh_file(path).ok
    assert openpyxl.load_workbook(path, data_only=True)["Plan"]["D1"].value == pytest.approx(4000.0)


def test_install_again_is_a_no_op_and_an_older_version_is_updated(tmp_path):
    path = install(_user_book(tmp_path / "mine.xlsx")).path
    data = path.read_bytes()
    report = install(path)
    assert sorted(report.unchanged) == sorted(CATALOGUE) and not report.changed
    assert path.read_bytes() == data  # not even rewritten
    with Package(path) as pkg:
        xml = pkg.part("xl/workbook.xml")
        old = '<definedName name="GTM_CAC" comment="old (gtm-xl lambdas 0.9)">_xlfn.LAMBDA(_xlpm.a,_xlpm.b,1)</definedName>'
        pkg.save(path, {"xl/workbook.xml": upsert_defined_names(xml, {"GTM_CAC": old.encode()})})
    report = install(path)
    assert report.updated == ["GTM_CAC"] and len(report.unchanged) == len(CATALOGUE) - 1
    with Package(path) as pkg:
        cac = [d for d in defined_names(pkg.part("xl/workbook.xml")) if d.name == "GTM_CAC"]
    assert len(cac) == 1 and cac[0].text == stored(DEFINITIONS["GTM_CAC"])
    assert VERSION in cac[0].attributes["comment"]


@pytest.mark.parametrize(
    "names, message",
    [
        ({"GTM_TIER": "Plan!$A$1"}, "GTM_TIER is already defined in this workbook"),
        ({"gtm_cac": "_xlfn.LAMBDA(_xlpm.x,_xlpm.x*2)"}, "GTM_CAC is already defined"),  # names ignore case
    ],
)
def test_install_refuses_a_name_taken_by_something_else(tmp_path, names, message):
    path = _user_book(tmp_path / "mine.xlsx", names)
    data = path.read_bytes()
    with pytest.raises(NameClash, match=message):
        install(path)
    assert path.read_bytes() == data


def test_install_refuses_a_sheet_level_name_and_the_cli_says_so(tmp_path, capsys):
    path = tmp_path / "mine.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Plan"
    wb["Plan"].defined_names["GTM_NPS"] = DefinedName("GTM_NPS", attr_text="Plan!$A$1:$A$9")
    wb.save(path)
    data = path.read_bytes()
    assert main(["functions", "install", str(path)]) == 1
    err = capsys.readouterr().err
    assert "GTM_NPS is a name of sheet 'Plan'" in err and "nothing changed" in err
    assert path.read_bytes() == data


def test_install_into_an_empty_definednames_and_where_there_is_none(tmp_path):
    wb = openpyxl.Workbook()
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        assert b"<definedNames/>" in z.read("xl/workbook.xml")  # what openpyxl writes for no names
    assert main(["functions", "install", str(path), "--only", "GTM_LTV,GTM_CAC"]) == 0
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml")
    assert [d.name for d in defined_names(xml)] == ["GTM_LTV", "GTM_CAC"]
    assert xml.index(b"<definedNames>") > xml.index(b"</sheets>") and xml.index(b"</definedNames>") < xml.index(
        b"<calcPr"
    )
    from gtm_xl.lambdas import defined_name_xml

    none = b'<workbook xmlns="m"><sheets/><calcPr/></workbook>'
    out = upsert_defined_names(none, {"GTM_NPS": defined_name_xml("GTM_NPS").encode()})
    assert out.startswith(b'<workbook xmlns="m"><sheets/><definedNames><definedName name="GTM_NPS"')
    assert out.endswith(b"</definedName></definedNames><calcPr/></workbook>")
    prefixed = b'<x:workbook xmlns:x="m"><x:sheets/></x:workbook>'
    out = upsert_defined_names(prefixed, {"GTM_NPS": defined_name_xml("GTM_NPS", "x").encode()})
    assert out.startswith(b'<x:workbook xmlns:x="m"><x:sheets/><x:definedNames><x:definedName name="GTM_NPS"')
    assert out.endswith(b"</x:definedName></x:definedNames></x:workbook>")


def test_install_refuses_a_file_that_is_not_a_workbook(tmp_path, capsys):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a zip")
    assert main(["functions", "install", str(bad)]) == 1
    assert "not an .xlsx/.xlsm workbook" in capsys.readouterr().err


def test_export_is_an_advanced_formula_environment_module():
    text = export_module()
    for name, entry in CATALOGUE.items():
        assert f"\n{name} = LAMBDA(" in text
        assert entry.summary in text
    assert text.count("/**") == len(CATALOGUE) == text.count(" */\n")
    # each definition ends with ';' and is the readable form (no _xlfn./_xlpm. prefixes)
    assert len(re.findall(r"\)\);\n", text)) + len(re.findall(r"\)\)\);\n", text)) >= 1
    assert "_xlpm." not in text and "_xlfn." not in text


def test_cli_list_and_export(tmp_path, capsys):
    assert main(["functions"]) == 0
    out = capsys.readouterr().out
    assert all(entry.signature in out for entry in CATALOGUE.values())
    assert main(["functions", "list", "--builtins"]) == 0
    assert "LAMBDA" in capsys.readouterr().out
    assert main(["functions", "export", "--out", str(tmp_path / "gtm.txt")]) == 0
    assert (tmp_path / "gtm.txt").read_text(encoding="utf-8") == export_module()
