"""SUBTOTAL and AGGREGATE: function numbers, nested SUBTOTAL/AGGREGATE cells left out, hidden rows (read from
``<row hidden="1">``) and error values left out on request — Microsoft's examples cited where used."""

from __future__ import annotations

import openpyxl
import pytest
from formula_helpers import E, book

from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.package import Package

DATA = {"A1": 120.0, "A2": 10.0, "A3": 150.0, "A4": 23.0}  # Microsoft's SUBTOTAL example data


def run(formula: str, cells: dict | None = None, hidden=()):
    wb = book(dict(cells if cells is not None else DATA, Z1="=" + formula))
    wb.sheets["S"].hidden_rows = frozenset(hidden)
    ev = evaluate_workbook(wb)
    return ev.values.get(("S", 1, 26), ev.unsupported.get(("S", 1, 26), "unsupported"))


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("SUBTOTAL(9,A1:A4)", 303.0),  # Microsoft example
        ("SUBTOTAL(1,A1:A4)", 75.75),  # Microsoft example
        ("SUBTOTAL(2,A1:A4)", 4.0),
        ("SUBTOTAL(3,A1:A5)", 4.0),
        ("SUBTOTAL(4,A1:A4)", 150.0),
        ("SUBTOTAL(5,A1:A4)", 10.0),
        ("SUBTOTAL(6,A1:A2)", 1200.0),
        ("SUBTOTAL(109,A1:A4)", 303.0),
        ("SUBTOTAL(9,A1:A2,A3:A4)", 303.0),
        ("AGGREGATE(9,4,A1:A4)", 303.0),
        ("AGGREGATE(4,6,A1:A4)", 150.0),
        ("AGGREGATE(14,6,A1:A4,2)", 120.0),
        ("AGGREGATE(15,6,A1:A4,1)", 10.0),
    ],
)
def test_function_numbers(formula, expected):
    assert run(formula) == expected


def test_nested_subtotals_are_left_out():
    cells = dict(DATA, A5="=SUBTOTAL(9,A1:A4)", A6="=AGGREGATE(9,0,A1:A4)")
    assert run("SUBTOTAL(9,A1:A5)", cells) == 303.0
    assert run("SUBTOTAL(9,A1:A6)", cells) == "SUBTOTAL"  # does SUBTOTAL skip AGGREGATE cells? Not documented
    assert run("AGGREGATE(9,0,A1:A6)", cells) == 303.0
    assert run("AGGREGATE(9,4,A1:A6)", cells) == 909.0  # option 4 ignores nothing
    assert run("SUM(A1:A6)", cells) == 909.0


def test_hidden_rows():
    assert run("SUBTOTAL(109,A1:A4)", hidden={2}) == 293.0  # 101–111 leave out hidden rows
    assert run("SUBTOTAL(102,A1:A4)", hidden={2, 3}) == 2.0
    assert run("AGGREGATE(9,5,A1:A4)", hidden={1}) == 183.0
    assert run("AGGREGATE(9,5,A1:A4)", hidden={9}) == 303.0  # a hidden row outside the range
    # 1–11 leave out filtered rows but keep rows hidden by hand, and the file does not tell them apart
    assert run("SUBTOTAL(9,A1:A4)", hidden={2}) == "SUBTOTAL"
    assert run("AGGREGATE(9,4,A1:A4)", hidden={2}) == "AGGREGATE"


def test_errors_left_out_on_request():
    cells = dict(DATA, A5="=1/0")
    assert run("AGGREGATE(9,6,A1:A5)", cells) == 303.0  # option 6 ignores error values
    assert run("AGGREGATE(9,4,A1:A5)", cells) == E("#DIV/0!")
    assert run("SUBTOTAL(9,A1:A5)", cells) == E("#DIV/0!")
    assert run("AGGREGATE(14,6,A1:A5/(A1:A5>20),1)", cells) == 150.0  # the array form: errors left out


def test_bad_arguments():
    assert run("SUBTOTAL(12,A1:A4)") == E("#VALUE!")
    assert run("SUBTOTAL(0,A1:A4)") == E("#VALUE!")
    assert run("AGGREGATE(20,0,A1:A4)") == E("#VALUE!")
    assert run("AGGREGATE(9,8,A1:A4)") == E("#VALUE!")


def test_the_reader_keeps_hidden_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r in range(1, 5):
        ws.cell(r, 1, float(r))
    ws.row_dimensions[3].hidden = True
    ws["B1"] = "=SUBTOTAL(109,A1:A4)"
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    with Package(path) as pkg:
        cells, _ = pkg.read_cells()
    assert cells.sheets["S"].hidden_rows == frozenset({3})
    assert cells.sheet_names == ["S"]
    assert evaluate_workbook(cells).values[("S", 1, 2)] == 7.0
