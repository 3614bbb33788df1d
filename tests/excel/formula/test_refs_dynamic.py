"""OFFSET, INDIRECT (A1 and R1C1 text), ADDRESS, AREAS and ROW/COLUMN over ranges. OFFSET and
INDIRECT compute their reference when they run: their cells are evaluated after every cell the
dependency graph lets them wait for, and a reference into a cell not yet (or never) computed makes
the cell unsupported rather than read a stale value. Cases follow Apache POI's Excel-computed
FormulaEvalTestData (OFFSET rows 1008, INDIRECT 740, ADDRESS 128) and Microsoft's pages."""

from __future__ import annotations

from formula_helpers import E, book, calc, spill

from gtm_xl.excel.formula import evaluate_workbook

GRID = {"A1": 1.0, "A2": 2.0, "A3": 3.0, "B1": 10.0, "B2": 20.0, "B3": 30.0}


def test_offset_moves_and_resizes_a_reference():
    assert calc("OFFSET(A1,2,1)", GRID) == 30.0
    assert calc('OFFSET(A1,"2.1","1.9")', GRID) == 30.0  # numeric text, truncated
    assert calc("SUM(OFFSET(A1:B3,0,0,1,1))", GRID) == 1.0
    assert calc("SUM(OFFSET(A1:B3,0,0,1,))", GRID) == 11.0  # an empty width keeps the reference's
    assert calc("SUM(OFFSET(A1:B3,0,0,,1))", GRID) == 6.0
    assert calc("SUM(OFFSET(A1:B3,1,0))", GRID) == 55.0
    assert calc("SUM(OFFSET(A1:B3,0,0,,))", GRID) == 66.0
    assert calc("OFFSET(A1,-1,0)", GRID) == E("#REF!")
    assert calc("OFFSET(A1,0,0,0,1)", GRID) == E("#REF!")
    assert calc("OFFSET(5,0,0)", GRID) == E("#VALUE!")
    assert calc("ROWS(OFFSET(A1,0,0,3,2))*COLUMNS(OFFSET(A1,0,0,3,2))", GRID) == 6.0


def test_offset_value_arguments_intersect_in_an_ordinary_cell():
    cells = dict(GRID, D1=1.0, E1=0.0, F1=2.0)
    cells["E5"] = "=OFFSET(A1,D1:F1,D1:F1)"  # column E: OFFSET(A1,0,0)
    ev = evaluate_workbook(book(cells))
    assert ev.values[("S", 5, 5)] == 1.0


def test_indirect_a1_and_r1c1_text():
    cells = dict(GRID, D1="B2", D2="'My s'!A1", D3="Rates")
    assert calc('INDIRECT("B3")', cells) == 30.0
    assert calc('INDIRECT("$B$3")', cells) == 30.0
    assert calc("INDIRECT(D1)", cells) == 20.0
    assert calc('SUM(INDIRECT("A1:A3"))', cells) == 6.0
    assert calc("INDIRECT(D2)", cells, other={"A1": "there"}) == "there"
    assert calc('INDIRECT("R2C2",FALSE)', cells) == 20.0
    assert calc('SUM(INDIRECT("R1C1:R3C1",FALSE))', cells) == 6.0
    assert calc('SUM(INDIRECT("Rates"))', cells, names={"Rates": "S!$B$1:$B$3"}) == 60.0
    assert calc('INDIRECT("not a ref")', cells) == E("#REF!")
    assert calc('INDIRECT("XFE1")', cells) == E("#REF!")
    assert calc("INDIRECT(B1)", cells) == E("#REF!")  # a number names no reference


def test_indirect_r1c1_relative_to_the_formulas_cell():
    cells = dict(GRID)
    cells["C2"] = '=INDIRECT("R[1]C[-1]",FALSE)'  # from C2: B3
    cells["C3"] = '=INDIRECT("RC1",FALSE)'  # from C3: A3
    ev = evaluate_workbook(book(cells))
    assert ev.values[("S", 2, 3)] == 30.0 and ev.values[("S", 3, 3)] == 3.0


def test_indirect_reads_formula_cells_computed_before_it():
    cells = dict(GRID)
    cells["C1"] = '=INDIRECT("D1")*2'
    cells["D1"] = "=A3*100"  # not visible to the graph: the INDIRECT cell is ordered after it
    cells["E1"] = "=C1+1"
    ev = evaluate_workbook(book(cells))
    assert ev.values[("S", 1, 3)] == 600.0 and ev.values[("S", 1, 5)] == 601.0


def test_indirect_that_cannot_be_ordered_is_not_guessed():
    cells = {"C1": '=INDIRECT("D1")+1', "D1": "=C1*2"}  # a cycle the graph cannot see
    ev = evaluate_workbook(book(cells))
    assert ("S", 1, 3) in ev.unsupported or ("S", 1, 3) in ev.blocked
    assert ("S", 1, 3) not in ev.values


def test_address_as_documented():
    """Microsoft's ADDRESS examples."""
    assert calc("ADDRESS(2,3)") == "$C$2"
    assert calc("ADDRESS(2,3,2)") == "C$2"
    assert calc("ADDRESS(2,3,2,FALSE)") == "R2C[3]"
    assert calc('ADDRESS(2,3,1,FALSE,"[Book1]Sheet1")') == "[Book1]Sheet1!R2C3"
    assert calc('ADDRESS(2,3,1,FALSE,"EXCEL SHEET")') == "'EXCEL SHEET'!R2C3"
    assert calc('ADDRESS(2,3,3,TRUE,"[Book1]Sheet1")') == "[Book1]Sheet1!$C2"
    assert calc("ADDRESS(2,3,4)") == "C2"
    assert calc("ADDRESS(2,16385)") == E("#VALUE!")
    assert calc("ADDRESS(2,3,5)") == E("#VALUE!")
    assert calc("INDIRECT(ADDRESS(3,2))", GRID) == 30.0


def test_row_and_column_over_ranges():
    assert spill("ROW(OFFSET(A1,2,0,3))", GRID, anchor="D1")[0] == [[3.0], [4.0], [5.0]]
    assert spill("COLUMN(B1:D1)", GRID, anchor="D5")[0] == [[2.0, 3.0, 4.0]]
    assert calc("AREAS(OFFSET(A1,0,0,2,2))", GRID) == 1.0


def test_index_answers_a_reference():
    """Microsoft's INDEX page, reference form: =SUM(B2:INDEX(A2:C6,5,2)) sums B2:B6."""
    cells = {f"{c}{r}": float(10 * r + i) for i, c in enumerate("ABC", 1) for r in range(2, 7)}
    assert calc("SUM(B2:INDEX(A2:C6,5,2))", cells) == sum(10 * r + 2 for r in range(2, 7))
    assert calc("SUM(INDEX(A2:C6,0,3))", cells) == sum(10 * r + 3 for r in range(2, 7))
    assert calc("SUM(INDEX((A2:A3,C2:C6),2,1,2))", cells) == 33.0
    assert calc("ROWS(INDEX(A2:C6,2,0))", cells) == 1.0
    assert calc("INDEX(A2:C6,6,1)", cells) == E("#REF!")
    assert calc("INDEX(A2:C6,-1,1)", cells) == E("#VALUE!")
    assert calc("INDEX(A2:E2,3)", {"C2": 7.0}) == 7.0
    cells["E4"] = "=INDEX(A2:C6,0,2)"  # an ordinary cell in row 4: intersects B2:B6 → B4
    ev = evaluate_workbook(book(cells))
    assert ev.values[("S", 4, 5)] == 42.0


def test_xlookup_answers_a_reference():
    """Microsoft's XLOOKUP page: =SUM(XLOOKUP(B3,B6:B10,E6:E10):XLOOKUP(C3,B6:B10,E6:E10))."""
    cells = {f"B{r}": f"k{r}" for r in range(6, 11)}
    cells.update({f"E{r}": float(r) for r in range(6, 11)})
    cells.update({"B3": "k7", "C3": "k9"})
    assert calc("SUM(XLOOKUP(B3,B6:B10,E6:E10):XLOOKUP(C3,B6:B10,E6:E10))", cells) == 24.0
    assert calc('XLOOKUP("k8",B6:B10,E6:E10)', cells) == 8.0
    assert calc('XLOOKUP("zz",B6:B10,E6:E10,"none")', cells) == "none"
    assert calc('XLOOKUP("zz",B6:B10,E6:E10)', cells) == E("#N/A")
    rows = {"A1": "x", "A2": "y", "B1": 1.0, "C1": 2.0, "B2": 3.0, "C2": 4.0}
    assert calc('SUM(XLOOKUP("y",A1:A2,B1:C2))', rows) == 7.0


def test_a_range_from_a_function_result_to_a_cell():
    assert calc("SUM(INDEX(A1:A3,2):A3)", GRID) == 5.0
    assert calc("SUM(INDEX(A1:B3,1,1):INDEX(A1:B3,2,2))", GRID) == 33.0
