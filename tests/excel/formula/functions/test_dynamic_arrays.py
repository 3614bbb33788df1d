"""Dynamic-array functions, as Microsoft documents them."""

from __future__ import annotations

from formula_helpers import E, calc, spill


def test_sequence_as_documented():
    """SEQUENCE(rows, [columns], [start], [step]) — Microsoft's SEQUENCE page
    (https://support.microsoft.com/en-us/office/sequence-function-57467a98-57e0-4817-9f14-2eb78519ca90):
    =SEQUENCE(4,5) is a 4-row, 5-column array 1..20 filled row by row; missing arguments are 1.
    LibreOffice 7.4 has no SEQUENCE, so this follows the documentation."""
    values, ref = spill("SEQUENCE(4,5)", {})
    assert ref == "D1:H4" and values == [[float(5 * r + c + 1) for c in range(5)] for r in range(4)]
    assert spill("SEQUENCE(3)", {}) == ([[1.0], [2.0], [3.0]], "D1:D3")
    assert spill("SEQUENCE(2,2,10,-5)", {}) == ([[10.0, 5.0], [0.0, -5.0]], "D1:E2")
    assert spill("_xlfn.SEQUENCE(1,3,,0.5)", {}) == ([[1.0, 1.5, 2.0]], "D1:F1")
    assert calc("SUM(SEQUENCE(10))") == 55.0
    assert calc("SEQUENCE(0)") == E("#CALC!")


def test_sort_as_documented():
    """SORT(array, [sort_index], [sort_order], [by_col]) — Microsoft's SORT page
    (https://support.microsoft.com/en-us/office/sort-function-22f63bd0-ccc8-492f-953d-c20e8e44b86c):
    the result has the array's shape; sort_index defaults to the first column (row), sort_order 1
    ascending, -1 descending; by_col TRUE sorts columns. Excel's order: numbers, text (no case),
    logicals, errors; blanks last."""
    cells = {"A1": "East", "A2": "west", "A3": "North", "B1": 30.0, "B2": 10.0, "B3": 20.0}
    assert spill("SORT(A1:A3)", cells) == ([["East"], ["North"], ["west"]], "D1:D3")
    assert spill("SORT(A1:B3,2,-1)", cells) == ([["East", 30.0], ["North", 20.0], ["west", 10.0]], "D1:E3")
    assert spill("_xlfn._xlws.SORT(A1:B3,2)", cells) == ([["west", 10.0], ["North", 20.0], ["East", 30.0]], "D1:E3")
    assert spill("SORT({3,1,2},1,1,TRUE)", {}) == ([[1.0, 2.0, 3.0]], "D1:F1")
    assert spill('SORT({"b";2;TRUE;"A";1})', {}) == ([[1.0], [2.0], ["A"], ["b"], [True]], "D1:D5")
    assert calc("SORT(A1:B3,3)", cells) == E("#VALUE!")


def test_unique_as_documented():
    """UNIQUE(array, [by_col], [exactly_once]) — Microsoft's UNIQUE page
    (https://support.microsoft.com/en-us/office/unique-function-c5ab87fd-30a3-4ce9-9d1a-40204fb85e1e):
    distinct rows in order of first appearance (text compared without case); exactly_once TRUE
    keeps the values that occur exactly once; by_col compares columns."""
    cells = {"A1": "Fritz", "A2": "Fritz", "A3": "Xavier", "A4": "xavier", "A5": "Hank"}
    assert spill("UNIQUE(A1:A5)", cells) == ([["Fritz"], ["Xavier"], ["Hank"]], "D1:D3")
    assert spill("UNIQUE(A1:A5,FALSE,TRUE)", cells) == ([["Hank"]], "D1")
    assert spill("UNIQUE({1,2,1,3},TRUE)", {}) == ([[1.0, 2.0, 3.0]], "D1:F1")
    assert spill("UNIQUE({1,2;1,2;1,3})", {}) == ([[1.0, 2.0], [1.0, 3.0]], "D1:E2")
    assert calc("ROWS(UNIQUE(A1:A5))", cells) == 3.0
    assert calc("UNIQUE({1;1},FALSE,TRUE)") == E("#CALC!")


def test_filter_as_documented():
    """FILTER(array, include, [if_empty]) — Microsoft's FILTER page
    (https://support.microsoft.com/en-us/office/filter-function-f4f7cb66-82eb-4767-8f7c-4877ad80c759):
    the rows of array where include (as tall as array, or as wide for columns) is TRUE; when none
    is, if_empty or #CALC!; an include that does not fit is #VALUE!, an error in it is the result."""
    cells = {
        "A1": "East",
        "A2": "West",
        "A3": "East",
        "B1": "Apple",
        "B2": "Apple",
        "B3": "Pear",
        "C1": 6380.0,
        "C2": 5194.0,
        "C3": 1000.0,
    }
    assert spill('FILTER(A1:C3,B1:B3="Apple")', cells) == (
        [["East", "Apple", 6380.0], ["West", "Apple", 5194.0]],
        "D1:F2",
    )
    assert spill('FILTER(A1:C3,(A1:A3="East")*(C1:C3>5000))', cells) == ([["East", "Apple", 6380.0]], "D1:F1")
    assert spill('_xlfn._xlws.FILTER(A1:C3,B1:B3="Kiwi","")', cells) == ([[""]], "D1")
    assert calc('FILTER(A1:C3,B1:B3="Kiwi")', cells) == E("#CALC!")
    assert calc("FILTER(A1:C3,{TRUE;FALSE})", cells) == E("#VALUE!")
    assert calc("FILTER(A1:C3,C1:C3/0>1)", cells) == E("#DIV/0!")
    assert spill("FILTER(A1:C3,{TRUE,FALSE,TRUE})", cells) == (
        [["East", 6380.0], ["West", 5194.0], ["East", 1000.0]],
        "D1:E3",
    )
    # sorted and filtered, as on the page: =SORT(FILTER(…),1,-1)
    assert spill("SORT(FILTER(C1:C3,C1:C3>2000),1,-1)", cells) == ([[6380.0], [5194.0]], "D1:D2")
