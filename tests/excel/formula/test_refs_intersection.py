"""Implicit intersection: a range where one value is expected, in an ordinary (non-array) cell,
takes the cell in the formula's own row or column, or is #VALUE! when there is none (Microsoft,
"Implicit intersection operator: @": "If the value is a range, then pick the cell on the same row
or column as the formula. If it's an array, pick the top-left value"). Array formulas — dynamic
(spilling) and legacy CSE — do not intersect. The cases mirror Apache POI's Excel-computed
FormulaEvalTestData (``=C7+G7:J7``, ``=K7:L10&D7``, ``=ABS(G7:G12)``…)."""

from __future__ import annotations

from formula_helpers import E, book

from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, parse_a1


def _eval(cells: dict, at: str, formula: str, **kw):
    cells = dict(cells)
    cells[at] = "=" + formula
    ev = evaluate_workbook(book(cells, **kw))
    r, c = parse_a1(at)
    return ev, ev.values.get(("S", r, c))


ROW = {"A1": 1.0, "B1": 2.0, "C1": 3.0, "D1": 4.0}
COLUMN = {"A1": 10.0, "A2": 20.0, "A3": 30.0, "A4": 40.0}


def test_a_row_range_takes_the_cell_in_the_formulas_column():
    assert _eval(ROW, "C5", "A1:D1*10")[1] == 30.0
    assert _eval(ROW, "B9", "+A1:D1")[1] == 2.0
    assert _eval(ROW, "D7", "-A1:D1")[1] == -4.0


def test_a_column_range_takes_the_cell_in_the_formulas_row():
    assert _eval(COLUMN, "C3", "A1:A4+1")[1] == 31.0
    assert _eval(COLUMN, "C2", 'A:A&"/"&A:A')[1] == "20/20"


def test_no_cell_in_the_formulas_row_or_column_is_value_error():
    assert _eval(ROW, "F5", "A1:D1*10")[1] == E("#VALUE!")
    assert _eval(COLUMN, "C9", "A1:A4+1")[1] == E("#VALUE!")


def test_a_block_of_several_rows_and_columns_is_value_error():
    cells = {"A1": 1.0, "B1": 2.0, "A2": 3.0, "B2": 4.0}
    assert _eval(cells, "B5", "A1:B2&1")[1] == E("#VALUE!")  # column B is inside, row 5 is not
    assert _eval(cells, "F1", "-A1:B2")[1] == E("#VALUE!")


def test_a_range_alone_in_an_ordinary_cell_is_intersected():
    assert _eval(COLUMN, "D4", "A1:A4")[1] == 40.0
    assert _eval(COLUMN, "D5", "A1:A4")[1] == E("#VALUE!")


def test_comparisons_intersect_both_sides():
    assert _eval(ROW, "B5", "A1:D1>=A1:D1")[1] is True
    assert _eval(ROW, "B5", "A1:D1<>C1:D1")[1] == E("#VALUE!")


def test_value_parameters_of_elementwise_functions_intersect():
    cells = {"A1": -1.0, "A2": -2.0, "A3": -3.0}
    assert _eval(cells, "C2", "ABS(A1:A3)")[1] == 2.0
    assert _eval(cells, "C7", "ABS(A1:A3)")[1] == E("#VALUE!")
    assert _eval({"A1": "x", "B1": "y"}, "B4", "CONCATENATE(A1:B1,A1)")[1] == "yx"


def test_range_parameters_are_not_intersected():
    assert _eval(COLUMN, "C9", "SUM(A1:A4)")[1] == 100.0


def test_a_defined_name_to_a_range_is_intersected():
    ev, v = _eval(COLUMN, "C2", "Data*2", names={"Data": "S!$A$1:$A$4"})
    assert v == 40.0


def test_dynamic_array_formulas_do_not_intersect():
    cells = dict(COLUMN)
    cells["C9"] = "=A1:A4*2"
    ev = evaluate_workbook(book(cells, dynamic={"C9"}))
    assert [ev.values[("S", r, 3)] for r in range(9, 13)] == [20.0, 40.0, 60.0, 80.0]


def test_legacy_array_formulas_do_not_intersect():
    wb = book(COLUMN)
    wb.sheets["S"].cells[(1, 3)] = Cell(None, "A1:A4*2", array_ref="C1:C4")
    ev = evaluate_workbook(wb)
    assert [ev.values[("S", r, 3)] for r in range(1, 5)] == [20.0, 40.0, 60.0, 80.0]


def test_an_array_in_an_ordinary_cell_is_its_top_left_value():
    assert _eval({}, "C5", "{4,5,6}*2")[1] == 8.0


def test_a_filled_column_intersects_each_cell_with_its_own_row():
    cells = dict(COLUMN)
    for r in range(1, 5):
        cells[f"C{r}"] = "=$A$1:$A$4*2"
    ev = evaluate_workbook(book(cells))
    assert [ev.values[("S", r, 3)] for r in range(1, 5)] == [20.0, 40.0, 60.0, 80.0]


def test_row_without_argument_in_a_filled_column_is_each_cells_row():
    cells = {f"B{r}": "=ROW()*2" for r in range(1, 7)}
    ev = evaluate_workbook(book(cells))
    assert [ev.values[("S", r, 2)] for r in range(1, 7)] == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]


def test_a_function_that_may_answer_a_reference_is_not_guessed():
    ev, _ = _eval(COLUMN, "C2", "IF(TRUE,A1:A4)+1")
    assert ("S", 2, 3) in ev.unsupported


def test_array_parameters_evaluate_arrays_in_an_ordinary_cell():
    """SUMPRODUCT and LOOKUP take arrays: no Ctrl+Shift+Enter needed in Excel."""
    cells = {"A1": 1.0, "A2": -2.0, "A3": 3.0, "B1": 10.0, "B2": 20.0, "B3": 30.0}
    assert _eval(cells, "D9", "SUMPRODUCT((A1:A3>0)*B1:B3)")[1] == 40.0
    assert _eval(cells, "D9", 'LOOKUP(2,1/(A1:A3<>""),B1:B3)')[1] == 30.0


def test_an_expression_over_a_range_inside_other_functions_is_not_guessed():
    cells = {"A1": 1.0, "A2": -2.0, "A3": 3.0}
    ev, _ = _eval(cells, "D2", "SUM(A1:A3*2)")
    assert ("S", 2, 4) in ev.unsupported
    assert _eval(cells, "D2", "IF(A1:A3>0,1,2)")[1] == 2.0  # IF's condition is one value


def test_ifs_and_switch_lift_over_arrays_in_a_dynamic_array_formula():
    cells = {"A1": 1.0, "B1": 0.0, "C1": 5.0}
    ev = evaluate_workbook(book({**cells, "A3": '=IFS(A1:C1>2,"big",TRUE,"small")'}, dynamic={"A3"}))
    assert [ev.values[("S", 3, c)] for c in (1, 2, 3)] == ["small", "small", "big"]
    ev = evaluate_workbook(book({**cells, "A3": '=SWITCH(A1:C1,1,"one",5,"five","other")'}, dynamic={"A3"}))
    assert [ev.values[("S", 3, c)] for c in (1, 2, 3)] == ["one", "other", "five"]


def test_a_cell_inside_another_formulas_spill_waits_for_its_anchor():
    """A1 spills A1:A3 (as Excel last saved it); C1 reads A3, a plain cell of the file: it must be
    computed after A1's new result, not from the value A3 had when the file was saved."""
    wb = book({"B1": 5.0, "C1": "=A3*2"})
    wb.sheets["S"].cells[(1, 1)] = Cell(None, "SEQUENCE(3,1,B1)", array_ref="A1:A3", dynamic=True)
    wb.sheets["S"].cells[(3, 1)] = Cell(99.0)  # the stale spilled value in the file
    ev = evaluate_workbook(wb)
    assert ev.values[("S", 3, 1)] == 7.0
    assert ev.values[("S", 1, 3)] == 14.0


def test_a_spill_that_shrank_leaves_blank_cells_for_later_formulas():
    wb = book({"B1": 2.0, "C5": "=A3+1"})
    wb.sheets["S"].cells[(1, 1)] = Cell(None, "SEQUENCE(B1)", array_ref="A1:A3", dynamic=True)
    wb.sheets["S"].cells[(3, 1)] = Cell(3.0)  # spilled when the file was saved, not any more
    ev = evaluate_workbook(wb)
    assert ev.spills[("S", 1, 1)] == "A1:A2"
    assert ev.values[("S", 5, 3)] == 1.0  # A3 is blank now


def test_a_formula_that_read_a_cell_before_a_spill_grew_into_it_is_taken_back():
    wb = book({"B1": 4.0, "C5": "=A4+1", "C6": "=C5*2", "C7": "=B1"})
    wb.sheets["S"].cells[(1, 1)] = Cell(None, "SEQUENCE(B1)", array_ref="A1:A3", dynamic=True)
    ev = evaluate_workbook(wb)
    assert ev.spills[("S", 1, 1)] == "A1:A4"
    if ("S", 5, 3) in ev.values:  # computed after the anchor: read the new A4
        assert ev.values[("S", 5, 3)] == 5.0 and ev.values[("S", 6, 3)] == 10.0
    else:
        assert ("S", 5, 3) in ev.unsupported and ("S", 6, 3) in ev.unsupported
    assert ev.values[("S", 7, 3)] == 4.0
