"""workflows/regions.py: the regions and rows tables read, decoded and checked against a template."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from distribution_helpers import INDUSTRIES, build_test_template

from gtm_xl.workflows.regions import (
    Problem,
    RegionsError,
    check_custom_rules,
    decode_csv,
    parse_text_value,
    plan_regions,
    read_table,
)
from gtm_xl.workflows.template_info import read_template


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = build_test_template(
        tmp_path_factory.mktemp("regions") / "plan.xlsx", {"Settings!B3": ("MOD(B3,1000)=0", "whole thousands")}
    )
    return read_template(path)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,000", 1000.0),
        (" 40% ", 0.4),
        ("true", True),
        ("FALSE", False),
        ("  Europe ", "Europe"),
        ("", None),
        (None, None),
        (3, 3.0),
        ("1,00", "1,00"),
    ],
)
def test_parse_text_value(text, value):
    assert parse_text_value(text) == value


def test_read_table_csv_and_xlsx_agree(tmp_path):
    csv_path = _write(tmp_path / "r.csv", "\ufeffregion, name ,budget_total,,\nEMEA,Europe,5\n,,\nAPAC,Asia,\n")
    headers, body = read_table(csv_path)
    assert headers == ["region", "name", "budget_total"]
    assert body == [(2, ["EMEA", "Europe", "5"]), (4, ["APAC", "Asia", ""])]
    wb = openpyxl.Workbook()
    for row in (["region", "name", "budget_total"], ["EMEA", "Europe", 5], [None, None, None], ["APAC", "Asia", None]):
        wb.active.append(row)
    wb.save(tmp_path / "r.xlsx")
    assert read_table(tmp_path / "r.xlsx") == (headers, [(2, ["EMEA", "Europe", 5]), (4, ["APAC", "Asia", None])])


def test_empty_and_unreadable_tables_are_refused(tmp_path):
    with pytest.raises(RegionsError, match="the table is empty"):
        read_table(_write(tmp_path / "e.csv", ""))
    with pytest.raises(RegionsError, match="not a readable .xlsx table"):
        read_table(_write(tmp_path / "bad.xlsx", "no zip"))


def test_decode_csv_utf8_gb18030_and_refused_bytes(tmp_path):
    assert decode_csv(_write(tmp_path / "u.csv", "region,name\nCN,华东\n")) == ("region,name\nCN,华东\n", "utf-8")
    assert decode_csv(_write(tmp_path / "g.csv", "region,name\nCN,华东\n", "gb18030"))[1] == "gb18030"
    with pytest.raises(RegionsError, match=r"line 2, byte 5: not UTF-8 text \(byte 0xE9\)"):
        decode_csv(_write(tmp_path / "w.csv", "region,name\nRE,Réunion\n", "cp1252"))


def test_plan_regions_fills_single_cell_inputs(template, tmp_path):
    table = _write(tmp_path / "r.csv", 'region,name,budget_total,segment\nEMEA,Europe,"6,000",Mid\nNA,America,,\n')
    emea, na = plan_regions(template, table)
    budget = template.inputs["budget_total"].coords()[0]
    segment = template.inputs["segment"].coords()[0]
    assert (emea.region, emea.name, emea.row) == ("EMEA", "Europe", 2)
    assert emea.cells == {budget: 6000.0, segment: "Mid"}
    assert na.cells == {}  # an empty cell keeps the template's value


def test_every_problem_is_collected_with_file_row_and_column(template, tmp_path):
    table = _write(
        tmp_path / "r.csv",
        "region,budget_total,out_ltv,nonsense,gross_margin\n,5,1,1,0.5\nEMEA,-1,1,1,1.5\nEMEA,1000,,,\n",
    )
    with pytest.raises(RegionsError) as caught:
        plan_regions(template, table)
    text = str(caught.value)
    file = str(table)
    assert f"{file}, row 1, column name: missing required column 'name'" in text
    assert "column out_ltv: unknown column: 'out_ltv' is an output of the template, not an input" in text
    assert "column nonsense: unknown column: 'nonsense' is not an input name of template regional_plan" in text
    assert f"{file}, row 2, column region: missing region id" in text
    assert "row 3, column budget_total: value -1 must be at least 0 (validation of Settings!B2)" in text
    assert "row 3, column gross_margin: value 1.5 must be between 0 and 1 (validation of Settings!B7)" in text
    assert all(isinstance(p, Problem) for p in caught.value.problems)


def test_rows_table_fills_list_inputs_from_the_top(template, tmp_path):
    regions = _write(tmp_path / "r.csv", "region,name\nEMEA,Europe\nNA,America\n")
    rows = _write(tmp_path / "rows.csv", "region,industry_names,industry_scores\nEMEA,Retail,9\nemea,Energy,8\n")
    emea, na = plan_regions(template, regions, rows)
    names, scores = template.inputs["industry_names"].coords(), template.inputs["industry_scores"].coords()
    assert [emea.cells[c] for c in names] == ["Retail", "Energy"] + [None] * (len(INDUSTRIES) - 2)
    assert [emea.cells[c] for c in scores[:2]] == [9.0, 8.0]
    assert na.cells == {}  # absent from the rows table: keeps the template's lists


def test_rows_table_problems(template, tmp_path):
    regions = _write(tmp_path / "r.csv", "region,name\nEMEA,Europe\n")
    too_many = "".join(f"EMEA,{i}\n" for i in range(len(INDUSTRIES) + 1))
    rows = _write(tmp_path / "rows.csv", "region,industry_scores,budget_total\n" + too_many + "XX,1,\n")
    with pytest.raises(RegionsError) as caught:
        plan_regions(template, regions, rows)
    text = str(caught.value)
    assert f"has more rows than industry_scores holds ({len(INDUSTRIES)})" in text
    assert "region 'XX' is not in the regions table" in text


def test_custom_rules_are_checked_over_each_copy(template, tmp_path):
    table = _write(tmp_path / "r.csv", "region,name,gmv_target\nEMEA,Europe,6000\nNA,America,6500\n")
    with pytest.raises(RegionsError) as caught:
        plan_regions(template, table)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "gmv_target")
    assert problem.message == (
        "6500 fails the rule =MOD(B3,1000)=0: whole thousands (validation of Settings!B3, region 'NA')"
    )
    assert check_custom_rules(template, []) == []
