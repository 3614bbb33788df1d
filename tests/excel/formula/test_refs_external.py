"""External references: ``[1]Sheet1!A1`` and ``[1]!Name`` read the values Excel cached of the linked
workbook in ``xl/externalLinks/externalLink1.xml`` (``<sheetDataSet>``), as Excel shows them when it
opens a file without updating its links; a sheet Excel could not refresh, or a name the engine
cannot follow, leaves its cells to Excel (unsupported). The layout is the one of Apache POI's
Excel-saved ``ref-56737.xlsx``."""

from __future__ import annotations

from refs_xlsx_helpers import NS, R, read_and_evaluate, write_xlsx

LINK = (
    f'<?xml version="1.0"?><externalLink xmlns="{NS}"><externalBook xmlns:r="{R}" r:id="rId1">'
    '<sheetNames><sheetName val="Uses"/><sheetName val="Defines"/><sheetName val="Gone"/></sheetNames>'
    '<definedNames><definedName name="NR_Global_B2" refersTo="=\'Defines\'!$B$2"/>'
    '<definedName name="NR_To_A1" refersTo="=\'Defines\'!$A$1" sheetId="1"/>'
    '<definedName name="Odd" refersTo="=OFFSET(Defines!$A$1,1,1)"/></definedNames>'
    '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>Hello!</v></cell></row></sheetData>'
    '<sheetData sheetId="1"><row r="1"><cell r="A1" t="str"><v>Test A1</v></cell></row>'
    '<row r="2"><cell r="B2"><v>142</v></cell><cell r="C2" t="e"><v>#N/A</v></cell></row></sheetData>'
    '<sheetData sheetId="2" refreshError="1"/></sheetDataSet></externalBook></externalLink>'
)


def _f(ref: str, formula: str) -> str:
    return f'<c r="{ref}"><f>{formula}</f><v>0</v></c>'


def test_external_references_read_excels_cached_values(tmp_path):
    rows = (
        '<row r="1">'
        + _f("A1", "[1]Uses!$A$1")
        + _f("B1", "[1]Defines!NR_To_A1")
        + _f("C1", "[1]!NR_Global_B2+1")
        + _f("D1", "SUM([1]Defines!B1:B3)")
        + _f("E1", "ISNA('[1]Defines'!C2)")
        + _f("F1", "[1]Gone!A1")
        + _f("G1", "[1]!Odd")
        + _f("H1", "[1]Uses!Z9")
        + "</row>"
    )
    path = write_xlsx(
        tmp_path / "links.xlsx",
        {"Refs": rows},
        workbook_extra='<externalReferences><externalReference r:id="rId9"/></externalReferences>',
        workbook_rels=[("rId9", "externalLink", "externalLinks/externalLink1.xml")],
        parts={"xl/externalLinks/externalLink1.xml": LINK},
    )
    _, ev = read_and_evaluate(path)
    v = {c: ev.values.get(("Refs", 1, i)) for i, c in enumerate("ABCDEFGH", 1)}
    assert v["A"] == "Hello!"
    assert v["B"] == "Test A1"
    assert v["C"] == 143.0
    assert v["D"] == 142.0
    assert v["E"] is True
    assert v["H"] == 0.0  # a cell of a cached sheet Excel stored no value for is blank
    assert ("Refs", 1, 6) in ev.unsupported  # the link could not be refreshed: no cached values
    assert ("Refs", 1, 7) in ev.unsupported  # a name the engine does not follow


def test_a_workbook_without_links_still_reads(tmp_path):
    path = write_xlsx(tmp_path / "plain.xlsx", {"S": '<row r="1">' + _f("A1", "[2]S!A1") + "</row>"})
    _, ev = read_and_evaluate(path)
    assert ("S", 1, 1) in ev.unsupported


def test_index_zero_is_the_workbook_itself(tmp_path):
    """Excel writes [0]!Name for a workbook-level name of the file itself (POI's 56737.xlsx)."""
    rows = '<row r="1">' + _f("A1", "D1+1") + _f("B1", "[0]!Here+1") + _f("C1", "[0]S!A1*2")
    rows += '<c r="D1"><v>141</v></c></row>'
    path = write_xlsx(
        tmp_path / "self.xlsx",
        {"S": rows},
        workbook_extra='<definedNames><definedName name="Here">S!$A$1</definedName></definedNames>',
    )
    _, ev = read_and_evaluate(path)
    assert ev.values[("S", 1, 2)] == 143.0
    assert ev.values[("S", 1, 3)] == 284.0
