"""Structured references to tables read from ``xl/tables/tableN.xml`` (Microsoft, "Using structured
references with Excel tables"). The table is pycel's Excel-computed ``sref`` sheet: Table1 on D1:F4,
columns col1..col3, a header row and a totals row (F4 = SUM of Col 3, named without the table, as inside a table)."""

from __future__ import annotations

from refs_xlsx_helpers import NS, read_and_evaluate, write_xlsx

from gtm_xl.excel.formula.structured import StructuredRef, parse_structured

TABLE = (
    f'<?xml version="1.0"?><table xmlns="{NS}" id="1" name="Table1" displayName="Table1" ref="D1:F4" '
    'totalsRowCount="1"><tableColumns count="3"><tableColumn id="1" name="col1"/><tableColumn id="2" '
    'name="col2"/><tableColumn id="3" name="Col 3"/></tableColumns></table>'
)


def _cells() -> str:
    rows = {
        1: '<c r="D1" t="inlineStr"><is><t>col1</t></is></c><c r="E1" t="inlineStr"><is><t>col2</t></is></c>'
        '<c r="F1" t="inlineStr"><is><t>Col 3</t></is></c>',
        2: '<c r="D2"><v>1</v></c><c r="E2"><v>2</v></c><c r="F2"><v>3</v></c>',
        3: '<c r="D3"><v>4</v></c><c r="E3"><v>5</v></c><c r="F3"><v>6</v></c>',
        4: '<c r="D4" t="inlineStr"><is><t>Total</t></is></c><c r="F4"><f>SUM([Col 3])</f><v>9</v></c>',
    }
    formulas = {
        1: "SUM(Table1[])",
        2: "SUM(Table1[col2])",
        3: "SUM(Table1[#This Row])",
        4: "SUM(Table1[#All])",
        5: "SUM(Table1[#Data])",
        6: "COUNTA(Table1[#Headers])",
        7: "SUM(Table1[[#Headers],[#Data],[col1]])",
        8: "SUM(Table1[[col1]:[col2]])",
        9: "Table1[[#Headers],[Col 3]]",
        10: "SUM(Table1[[#Data],[#Totals],[Col 3]])",
        11: "Table1[[#This Row],[col2]]",
        12: "SUM(Table1[nope])",
    }
    for r, f in formulas.items():
        rows[r] = f'<c r="B{r}"><f>{f}</f><v>0</v></c>' + rows.get(r, "")
    # a calculated column inside the table, written as Excel writes [@col1]*10
    rows[2] += '<c r="G2"><f>Table1[[#This Row],[col1]]*10</f><v>0</v></c>'
    rows[3] += '<c r="G3"><f>Table1[@col1]*10</f><v>0</v></c>'
    return "".join(f'<row r="{r}">{rows[r]}</row>' for r in sorted(rows))


def test_parse_structured_forms():
    assert parse_structured("Table1[]") == StructuredRef("TABLE1", frozenset(), None, None)
    assert parse_structured("Table1[[#This Row],[Col A]]") == StructuredRef(
        "TABLE1", frozenset({"#THIS ROW"}), "Col A", "Col A"
    )
    assert parse_structured("[@[Col A]]") == StructuredRef(None, frozenset({"#THIS ROW"}), "Col A", "Col A")
    assert parse_structured("T[[A]:[B]]").first == "A" and parse_structured("T[[A]:[B]]").last == "B"
    assert parse_structured("\\_Prime.1[calc='#*'#]").first == "calc=#*#"


def test_structured_references_resolve_against_the_table(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        {"sref": _cells()},
        sheet_extra={"sref": '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>'},
        sheet_rels={"sref": [("rId1", "table", "../tables/table1.xml")]},
        parts={"xl/tables/table1.xml": TABLE},
    )
    book, ev = read_and_evaluate(path)
    assert book.tables["TABLE1"].columns == ("col1", "col2", "Col 3")
    v = {r: ev.values.get(("sref", r, 2)) for r in range(1, 13)}
    # pycel's Excel-computed values for the same table
    assert v[1] == 21.0
    assert v[2] == 7.0
    assert v[3] == 15.0  # row 3 of the table, from a cell outside it
    assert v[4] == 30.0  # headers are text, the totals row holds 9
    assert v[5] == 21.0
    assert v[6] == 3.0
    assert v[7] == 5.0
    assert v[8] == 12.0
    assert v[9] == "Col 3"
    assert v[10] == 18.0
    assert str(v[11]) == "#VALUE!"  # row 11 has no row of the table
    assert ev.values[("sref", 4, 6)] == 9.0
    assert ev.values[("sref", 2, 7)] == 10.0
    assert ev.values[("sref", 3, 7)] == 40.0
    assert ("sref", 12, 2) in ev.unsupported  # no such column: Excel would not have stored it
