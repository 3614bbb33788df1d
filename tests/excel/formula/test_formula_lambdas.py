"""LET, LAMBDA (inline, called, named in the workbook), ISOMITTED and the LAMBDA helpers
(BYROW, BYCOL, MAP, REDUCE, SCAN, MAKEARRAY), with the Excel 365 array functions the GTM
definitions use (TOCOL, VSTACK, DROP, SORTBY, XMATCH…). Expected values follow Microsoft's
function reference pages (support.microsoft.com, "<NAME> function")."""

from __future__ import annotations

import numpy as np
import pytest

from gtm_xl.errors import CellError
from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def evaluate(formula: str, names: dict[str, str] | None = None, cells: dict | None = None):
    """The value of one dynamic-array formula (an array as a list of rows)."""
    sheet = {key: Cell(v) for key, v in (cells or {}).items()}
    sheet[(50, 50)] = Cell(None, formula, None, True)
    book = WorkbookCells({"S": SheetCells("S", sheet)}, {k.upper(): v for k, v in (names or {}).items()})
    ev = evaluate_workbook(book)
    assert ("S", 50, 50) not in ev.unsupported, ev.unsupported
    spill = ev.spills[("S", 50, 50)]
    if ":" not in spill:
        return ev.values[("S", 50, 50)]
    rows = sorted({r for (_, r, _) in ev.values})
    cols = sorted({c for (_, _, c) in ev.values})
    return [[ev.values[("S", r, c)] for c in cols] for r in rows]


NA, VALUE, CALC = CellError("#N/A"), CellError("#VALUE!"), CellError("#CALC!")


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("LAMBDA(x,x+1)(2)", 3.0),
        ("LET(a,2,b,a*3,a+b)", 8.0),
        ("LET(x,2,LET(x,3,x)+x)", 5.0),  # an inner LET shadows, the outer name comes back
        ("LET(f,LAMBDA(v,v*2),f(3))", 6.0),
        ("_xlfn.LET(_xlpm.f,_xlfn.LAMBDA(_xlpm.v,_xlpm.v*2),_xlpm.f(3))", 6.0),  # the stored form
        ("LAMBDA(x,y,IF(ISOMITTED(y),x*10,x+y))(1,)", 10.0),  # Microsoft's ISOMITTED example form
        ("_xlfn.LAMBDA(_xlpm.x,_xlop.y,IF(_xlfn.ISOMITTED(_xlpm.y),_xlpm.x*10,_xlpm.x+_xlpm.y))(1)", 10.0),
        ("LAMBDA(x,[y],IF(ISOMITTED(y),x*10,x+y))(1,2)", 3.0),
        ("LAMBDA(x,x)(1,2)", VALUE),  # too many arguments
        ("LAMBDA(x,y,x+y)(1)", VALUE),  # a required one missing
        ("LAMBDA(x,x)", CALC),  # a LAMBDA never called
        ("LET(k,10,LAMBDA(x,x+k))(1)", 11.0),  # a closure keeps the names it saw
        ("REDUCE(0,{1,2,3},LAMBDA(a,v,a+v))", 6.0),
        ("TAKE({1,2,3},,-1)", 3.0),
        ("LET(x,A1:B2,ROWS(x)*10+SUM(x))", 27.0),  # a LET name keeps its reference
        ("LAMBDA(r,ISBLANK(r))(A2)", True),
        ("ISOMITTED(A1)", False),
    ],
)
def test_let_and_lambda(formula, expected):
    assert evaluate(formula, cells={(1, 1): 1.0, (1, 2): 2.0, (2, 2): 4.0}) == expected


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("BYROW({1,2;3,4},LAMBDA(r,SUM(r)))", [[3.0], [7.0]]),
        ("BYCOL({1,2;3,4},LAMBDA(c,SUM(c)))", [[4.0, 6.0]]),
        ("BYROW({1,2;3,4},LAMBDA(r,r*2))", [[CALC], [CALC]]),  # one value per row or #CALC!
        ("MAP({1,2},{3,4},LAMBDA(a,b,a*b))", [[3.0, 8.0]]),
        ("SCAN(0,{1,2,3},LAMBDA(a,v,a+v))", [[1.0, 3.0, 6.0]]),
        ("MAKEARRAY(2,2,LAMBDA(r,c,r*10+c))", [[11.0, 12.0], [21.0, 22.0]]),
        ("SORTBY({1;2;3},{3;1;2},1)", [[2.0], [3.0], [1.0]]),
        ("SORTBY({10,20,30,40},{1,2,1,2},-1,{4,3,2,1},1)", [[40.0, 20.0, 30.0, 10.0]]),
        ("XMATCH({2,5},{1,2,3})", [[2.0, NA]]),
        ("XMATCH(5,{7,4,2},-1)", 2.0),  # exact or next smaller, in descending data
        ("XMATCH(2,{1,2,2,3},0,-1)", 3.0),  # last to first
        ("TOCOL(A1:B2)", [[1.0], [2.0], [0.0], [4.0]]),  # an empty cell is 0
        ("VSTACK(1,{2,3})", [[1.0, NA], [2.0, 3.0]]),
        ("DROP({1,2,3},,1)", [[2.0, 3.0]]),
        ("CHOOSEROWS({1;2;3},-1,1)", [[3.0], [1.0]]),
        ("WRAPROWS({1,2,3},2)", [[1.0, 2.0], [3.0, NA]]),
        ('INDEX({"a";"b";"c"},{1;3})', [["a"], ["c"]]),
    ],
)
def test_helpers_and_arrays(formula, expected):
    assert evaluate(formula, cells={(1, 1): 1.0, (1, 2): 2.0, (2, 2): 4.0}) == expected


def test_named_lambda_wins_over_a_function_passed_in_and_counts_as_supported():
    names = {"MYADD": "_xlfn.LAMBDA(_xlpm.a,_xlpm.b,_xlpm.a+_xlpm.b)"}
    sheet = {(1, 1): Cell(None, "MYADD(2,3)"), (1, 2): Cell(None, "MISSING_FN(1)")}
    book = WorkbookCells({"S": SheetCells("S", sheet)}, names)
    ev = evaluate_workbook(book, {"MYADD": lambda a, b: np.float64(-1)})
    assert ev.values[("S", 1, 1)] == 5.0
    assert ev.unsupported == {("S", 1, 2): "MISSING_FN"}


def test_a_named_lambda_using_an_unknown_function_is_reported():
    names = {"BROKEN": "_xlfn.LAMBDA(_xlpm.a,NO_SUCH_FUNCTION(_xlpm.a))"}
    book = WorkbookCells({"S": SheetCells("S", {(1, 1): Cell(None, "BROKEN(1)")})}, names)
    assert evaluate_workbook(book).unsupported == {("S", 1, 1): "NO_SUCH_FUNCTION"}


def test_relative_references_inside_a_lambda_move_with_the_formula():
    sheet = {(r, 1): Cell(float(r)) for r in range(1, 7)}
    for r in range(1, 7):
        sheet[(r, 2)] = Cell(None, f"LAMBDA(x,x*A{r})(2)")
    ev = evaluate_workbook(WorkbookCells({"S": SheetCells("S", sheet)}, {}))
    assert [ev.values[("S", r, 2)] for r in range(1, 7)] == [2.0 * r for r in range(1, 7)]
