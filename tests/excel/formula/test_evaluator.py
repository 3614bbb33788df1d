"""The evaluator: references, names, dependency order, cycles, unsupported and blocked cells,
the caller's functions, spills, and Excel's own results from the excel-computed corpus."""

from __future__ import annotations

import math

from excel_values_helpers import same_as_excel
from formula_helpers import E, book, calc, scoring_matrix, spill

from gtm_xl.errors import DivZeroError
from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.formula.functions.mathtrig import excel_round


def test_references_cross_sheet_absolute_ranges_whole_columns():
    cells = {"A1": 1.0, "A2": 2.0, "A3": 3.0, "B1": "=SUM($A$1:A3)", "B2": "='My s'!A1*2", "B3": "=SUM(A:A)"}
    ev = evaluate_workbook(book(cells, other={"A1": 21.0}))
    assert ev.values[("S", 1, 2)] == 6.0
    assert ev.values[("S", 2, 2)] == 42.0
    assert ev.values[("S", 3, 2)] == 6.0
    assert calc("Missing!A1") == E("#REF!")


def test_defined_names_workbook_and_sheet_scope():
    cells = {"A1": 10.0, "A2": 20.0}
    assert calc("Rate*2", cells, names={"RATE": "S!$A$1"}) == 20.0
    assert calc("Rate*2", cells, names={"RATE": "S!$A$1", "S!RATE": "S!$A$2"}) == 40.0
    assert calc("SUM(Both)", cells, names={"BOTH": "S!$A$1:$A$2"}) == 30.0
    assert calc("Nope+1", cells) == E("#NAME?")


def test_array_constants_and_dynamic_spill():
    assert calc("SUM({1,2;3,4})") == 10.0
    assert calc("SUMPRODUCT({1,2},{3,4})") == 11.0
    ev = evaluate_workbook(book({"A1": "={1,2;3,4}*2"}, dynamic={"A1"}))
    assert ev.spills[("S", 1, 1)] == "A1:B2"
    assert [ev.values[("S", r, c)] for r in (1, 2) for c in (1, 2)] == [2.0, 4.0, 6.0, 8.0]
    blocked = evaluate_workbook(book({"A1": "={1;2}", "A2": "x"}, dynamic={"A1"}))
    assert blocked.values[("S", 1, 1)] == E("#SPILL!")


def test_dependency_order_and_circular_references():
    cells = {"A1": "=A2+1", "A2": "=A3*2", "A3": 5.0, "B1": "=B2", "B2": "=B1", "C1": "=B1+1"}
    ev = evaluate_workbook(book(cells))
    assert ev.values[("S", 1, 1)] == 11.0
    assert sorted(ev.circular) == [("S", 1, 2), ("S", 2, 2)]
    assert ("S", 1, 2) not in ev.values


def test_unsupported_functions_are_reported_not_guessed():
    ev = evaluate_workbook(book({"A1": '=CUBEVALUE("x")', "A2": "=1+NOSUCH(2)", "A3": '=TEXT(1,"*-0")', "A4": "=A1+1"}))
    assert ev.unsupported == {("S", 1, 1): "CUBEVALUE", ("S", 2, 1): "NOSUCH", ("S", 3, 1): "TEXT"}
    assert ("S", 1, 1) not in ev.values
    # a dependent of an unsupported cell is not computed from its stale value: reported, kept
    assert ("S", 4, 1) not in ev.values
    assert ev.blocked == {("S", 4, 1): (("S", 1, 1), "CUBEVALUE")}


def test_dependents_of_uncomputable_cells_keep_their_values_and_are_reported():
    b = book(
        {
            "F1": '=WEBSERVICE("http://x")',
            "G1": "=F1+1",
            "H1": "=G1*2",
            "I1": '=H1&"!"',
            "B1": "=B2",
            "B2": "=B1",
            "C1": "=B1+1",
            "D1": "=SUM(A1:A3)",
            "A1": 1.0,
        }
    )
    b.sheets["S"].cells[(1, 6)].value = 1.0  # stale cached values
    b.sheets["S"].cells[(1, 7)].value = 2.0
    ev = evaluate_workbook(b)
    assert ev.unsupported == {("S", 1, 6): "WEBSERVICE"}
    assert ev.blocked == {
        ("S", 1, 7): (("S", 1, 6), "WEBSERVICE"),
        ("S", 1, 8): (("S", 1, 6), "WEBSERVICE"),
        ("S", 1, 9): (("S", 1, 6), "WEBSERVICE"),
        ("S", 1, 3): (("S", 1, 2), "circular"),
    }
    for col in (6, 7, 8, 9, 2, 3):
        assert ("S", 1, col) not in ev.values
    assert ev.values[("S", 1, 4)] == 1.0  # an independent cell is computed
    # a filled-down column (a vectorised batch) with one member depending on an unsupported cell
    cells = {f"A{r}": float(r) for r in range(1, 11)}
    cells.update({f"B{r}": f"=A{r}*2" for r in range(1, 11)})
    cells["A5"] = "=NOSUCH(1)"
    ev = evaluate_workbook(book(cells))
    assert ev.blocked == {("S", 5, 2): (("S", 5, 1), "NOSUCH")}
    assert [ev.values.get(("S", r, 2)) for r in range(1, 11)] == [
        2.0,
        4.0,
        6.0,
        8.0,
        None,
        12.0,
        14.0,
        16.0,
        18.0,
        20.0,
    ]


def test_extra_functions_from_the_contract():
    def double(x):
        if x is None:
            raise DivZeroError("no value")
        return x * 2

    ev = evaluate_workbook(book({"A1": 4.0, "B1": "=GTM_DOUBLE(A1)", "B2": "=GTM_DOUBLE(A2)"}), {"GTM_DOUBLE": double})
    assert ev.values[("S", 1, 2)] == 8.0
    assert ev.values[("S", 2, 2)] == E("#DIV/0!")


def test_gtm_catalogue_functions():
    from gtm_xl.catalogue import excel_functions

    cells = {
        "A1": 8.0,
        "B1": 6.0,
        "C1": 9.0,
        "A2": 0.5,
        "B2": 0.3,
        "C2": 0.2,
        "D1": "=GTM_WEIGHTED_SCORE(A1:C1,$A$2:$C$2)",
        "E1": "=GTM_TIER(D1)",
    }
    ev = evaluate_workbook(book(cells), excel_functions())
    assert math.isclose(ev.values[("S", 1, 4)], 7.6)
    assert ev.values[("S", 1, 5)] == "A"


def test_scoring_matrix_values():
    import numpy as np

    n = 10000
    wb = scoring_matrix(n)
    ev = evaluate_workbook(wb)
    weights = np.array([wb.sheets["Weights"].cells[(1, j)].value for j in range(1, 9)])
    for i in range(2, n + 2):
        scores = np.array([wb.sheets["Matrix"].cells[(i, j)].value for j in range(1, 9)])
        score = float(scores @ weights / weights.sum())
        assert math.isclose(ev.values[("Matrix", i, 9)], score, rel_tol=1e-12)
        assert ev.values[("Matrix", i, 10)] == ("A" if score >= 7 else "B" if score >= 4 else "C")
        assert ev.values[("Matrix", i, 11)] == excel_round(ev.values[("Matrix", i, 9)], 2)
    assert ev.formulas_evaluated == 3 * n
    assert not ev.unsupported and not ev.circular


def test_excel_computed_corpus(corpus_dir):
    """Every supported formula cell of the excel-computed corpus equals Excel's cached value."""
    from gtm_xl.catalogue import excel_functions
    from gtm_xl.excel.ooxml.package import Package

    total = covered = 0
    mismatches = []
    for src in sorted((corpus_dir / "excel-computed").glob("*.xlsx")):
        with Package(src) as pkg:
            wb, _ = pkg.read_cells()
        ev = evaluate_workbook(wb, excel_functions())
        for name, sheet in wb.sheets.items():
            for (r, c), cell in sheet.cells.items():
                if cell.formula is None:
                    continue
                total += 1
                key = (name, r, c)
                if key in ev.unsupported or key in ev.circular or key in ev.blocked:
                    continue
                covered += 1
                old, new = cell.value, ev.values.get(key)
                if not same_as_excel(old, new):
                    mismatches.append(f"{src.name} {name}!{r},{c} ={cell.formula}: Excel {old!r}, gtm-xl {new!r}")
    print(
        f"\nexcel-computed: {covered} of {total} formula cells covered ({covered / total:.0%}),"
        f" {len(mismatches)} differ"
    )
    assert covered / total > 0.85
    assert not mismatches, "\n".join(mismatches)


def test_scalar_error_broadcasts_over_array_shape():
    """Excel lifts a scalar over the shape of the array it is combined with, error values too:
    =IF(A1:A3>0,A1:A3,NA()) spills three cells, #N/A where the condition is false."""
    cells = {"A1": 1.0, "A2": -2.0, "A3": 3.0, "B1": 1.0, "B2": 2.0, "B3": 3.0}
    na = E("#N/A")
    assert spill("IF(A1:A3>0,A1:A3,NA())", cells) == ([[1.0], [na], [3.0]], "D1:D3")
    assert spill("IF(A1:A3>0,NA(),A1:A3)", cells) == ([[na], [-2.0], [na]], "D1:D3")
    assert spill("IF(A1:A3>0,1/0,NA())", cells) == ([[E("#DIV/0!")], [na], [E("#DIV/0!")]], "D1:D3")
    # inside a larger array expression
    assert spill("IF(A1:A3>0,A1:A3,NA())*2", cells) == ([[2.0], [na], [6.0]], "D1:D3")
    assert spill("IFERROR(IF(A1:A3>0,A1:A3,NA()),0)", cells) == ([[1.0], [0.0], [3.0]], "D1:D3")
    assert spill('IFNA(IF(A1:A3>0,A1:A3,NA()),"none")', cells) == ([[1.0], ["none"], [3.0]], "D1:D3")
    # in an ordinary cell Excel evaluates IF's condition by implicit intersection and whether
    # IFERROR passes a range through is not known to the engine: not guessed (stays uncomputed)
    assert calc("SUM(IFERROR(IF(A1:A3>0,A1:A3,NA()),0))", cells) is None
    assert calc("COUNT(IF(A1:A3>0,A1:A3,NA()))", cells) is None  # the same: not guessed
    assert spill("A1:A3+NA()", cells) == ([[na], [na], [na]], "D1:D3")
    assert spill("ROUND(A1:A3,NA())", cells) == ([[na], [na], [na]], "D1:D3")
    # a scalar error as the condition is the result, not spilled
    assert spill("IF(NA(),A1:A3,0)", cells) == ([[na]], "D1")
    # an array condition holding errors: the error in its place
    assert spill("IF(A1:A3/(A1:A3-1)>0,B1:B3,0)", cells) == ([[E("#DIV/0!")], [2.0], [3.0]], "D1:D3")
    # IFERROR over arrays: per element, with an array fallback taken element by element
    assert spill("IFERROR(B1:B3/(A1:A3-1),B1:B3*10)", cells) == ([[10.0], [2.0 / -3.0], [1.5]], "D1:D3")
    assert spill("IFERROR(1/0,B1:B3)", cells) == ([[1.0], [2.0], [3.0]], "D1:D3")
    # the IS functions see each element's error
    assert spill("ISERROR(B1:B3/(A1:A3-1))", cells) == ([[True], [False], [False]], "D1:D3")
    assert spill("ISNA(IF(A1:A3>0,1,NA()))", cells) == ([[False], [True], [False]], "D1:D3")
    assert calc("SUMPRODUCT(--ISNA(IF(A1:A3>0,1,NA())))", cells) == 1.0


def test_spill_range_operator():
    """``A1#`` — Microsoft's spilled range operator page
    (https://support.microsoft.com/en-us/office/spilled-range-operator-3dd5899f-bca2-4b9d-a172-3eae9ac22efd):
    the whole spill range of the dynamic array anchored at A1 (=SUM(D2#)); Excel stores it as
    ``_xlfn.ANCHORARRAY(A1)`` in the file. A cell that holds no spilling formula gives #REF!."""
    cells = {
        "A1": 3.0,
        "A2": 1.0,
        "A3": 2.0,
        "D1": "=SORT(A1:A3)",
        "F1": "=SUM(D1#)",
        "F2": "=ROWS(D1#)",
        "F3": "=_xlfn.ANCHORARRAY(D1)*1",
        "F4": "=A1#",
        "G1": '=COUNTIF(D1#,">1")',
        "G2": '="D1#"&"x"',
        "H1": "=D1#*10",
    }
    ev = evaluate_workbook(book(cells, dynamic={"D1", "H1"}))
    v = lambda a1: ev.values[("S", *__import__("gtm_xl.excel.ooxml.cells", fromlist=["parse_a1"]).parse_a1(a1))]
    assert ev.spills[("S", 1, 4)] == "D1:D3"
    # F3 is an ordinary cell: the spill range D1:D3 in an expression is implicitly intersected (row 3)
    assert (v("F1"), v("F2"), v("F3"), v("F4"), v("G1"), v("G2")) == (6.0, 3.0, 3.0, E("#REF!"), 2.0, "D1#x")
    assert ev.spills[("S", 1, 8)] == "H1:H3" and [v("H1"), v("H2"), v("H3")] == [10.0, 20.0, 30.0]
    assert not ev.unsupported
    # on another sheet, quoted
    wb = book({"A1": "=SUM('My s'!B1#)", "A2": "=SUM('My s'!C1#)"}, other={"B1": "=SEQUENCE(4)", "C1": "=1+1"})
    wb.sheets["My s"].cells[(1, 2)].dynamic = True
    other = evaluate_workbook(wb)
    assert other.values[("S", 1, 1)] == 10.0
    assert other.values[("S", 2, 1)] == E("#REF!")  # C1 holds no spilling formula
