"""The headless formula evaluator (gtm_xl.excel.formula): one test per rule, and Excel's own
results from the excel-computed corpus."""

from __future__ import annotations

import math

import pytest

from gtm_xl.errors import CellError, DivZeroError
from gtm_xl.excel.formula import evaluate_workbook, parse, r1c1_key
from gtm_xl.excel.formula.functions.mathtrig import excel_round
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells


def book(cells: dict, names: dict | None = None, other: dict | None = None, dynamic=()):
    """A workbook: ``cells`` on sheet "S" ({"A1": value or "=formula"}), ``other`` on "My s"."""
    from gtm_xl.excel.ooxml.cells import parse_a1

    sheets = {}
    for name, content in (("S", cells), ("My s", other or {})):
        sheet = SheetCells(name)
        for a1, v in content.items():
            rc = parse_a1(a1)
            if isinstance(v, str) and v.startswith("="):
                sheet.cells[rc] = Cell(None, v[1:], dynamic=a1 in dynamic)
            else:
                sheet.cells[rc] = Cell(v)
        sheets[name] = sheet
    return WorkbookCells(sheets, {k.upper(): v for k, v in (names or {}).items()})


def calc(formula: str, cells: dict | None = None, **kw):
    cells = dict(cells or {})
    cells["Z1"] = "=" + formula
    ev = evaluate_workbook(book(cells, **kw))
    return ev.values.get(("S", 1, 26))


E = CellError


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("1+2*3", 7.0),
        ("(1+2)*3", 9.0),
        ("-2^2", 4.0),
        ("2^3^2", 64.0),
        ("10-2-3", 5.0),
        ("50%", 0.5),
        ("2*50%", 1.0),
        ('1+2&"x"', "3x"),
        ("1<2", True),
        ('"a"="A"', True),
        ('"b">"a"', True),
        ('1<"a"', True),
        ('"z"<TRUE', True),
        ("8/2/2", 2.0),
        ("-3+5", 2.0),
    ],
)
def test_precedence_and_operators(formula, expected):
    assert calc(formula) == expected


def test_coercion_blank_text_numbers_booleans():
    cells = {"A1": None, "A2": "5", "A3": True, "A4": "x"}
    assert calc("A1+1", cells) == 1.0
    assert calc("A2*2", cells) == 10.0
    assert calc("A3+1", cells) == 2.0
    assert calc("A4+1", cells) == E("#VALUE!")
    assert calc('A1&"!"', cells) == "!"
    assert calc("A1", cells) == 0.0  # a formula pointing at a blank shows 0
    assert calc("SUM(A1:A4)", cells) == 0.0  # ranges: text and booleans are not summed
    assert calc('SUM("2",TRUE)') == 3.0  # typed arguments are coerced
    assert calc("COUNT(A1:A4)", cells) == 0.0
    assert calc("COUNTA(A1:A4)", cells) == 3.0
    assert calc("COUNTBLANK(A1:A4)", cells) == 1.0
    assert calc("1&1.5") == "11.5"
    assert calc('0.1+0.2&""') == "0.3"


def test_errors_propagate_and_are_caught():
    cells = {"A1": 0.0, "A2": E("#N/A")}
    assert calc("1/A1", cells) == E("#DIV/0!")
    assert calc("SUM(A1:A2)", cells) == E("#N/A")
    assert calc("A2+1", cells) == E("#N/A")
    assert calc('IFERROR(1/A1,"none")', cells) == "none"
    assert calc("IFNA(A2,7)", cells) == 7.0
    assert calc("IFNA(1/A1,7)", cells) == E("#DIV/0!")
    assert calc("ISERROR(A2)", cells) is True
    assert calc("IF(TRUE,1,1/0)") == 1.0  # the branch not taken is not evaluated
    assert calc("#REF!+1") == E("#REF!")


@pytest.mark.parametrize(
    "x, digits, expected",
    [
        (2.675, 2, 2.68),
        (1.005, 2, 1.01),
        (-2.5, 0, -3.0),
        (0.285, 2, 0.29),
        (1234.5, -1, 1230.0),
        (0.1 + 0.2, 15, 0.3),
        (2.5, 0, 3.0),
        (-0.125, 2, -0.13),
    ],
)
def test_round_as_excel(x, digits, expected):
    assert calc(f"ROUND({x!r},{digits})") == expected


def test_roundup_rounddown_int_mod_ceiling_floor():
    assert calc("ROUNDUP(3.141,2)") == 3.15
    assert calc("ROUNDDOWN(-3.149,2)") == -3.14
    assert calc("INT(-1.5)") == -2.0
    assert calc("MOD(-3,2)") == 1.0
    assert calc("MOD(3,0)") == E("#DIV/0!")
    assert calc("CEILING(2.5,1)") == 3.0
    assert calc("FLOOR(2.5,1)") == 2.0
    assert calc("CEILING.MATH(-2.5)") == -2.0
    assert calc("FLOOR.MATH(-2.5)") == -3.0
    assert calc("CEILING(0.3,0.1)") == 0.3


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
    ev = evaluate_workbook(
        book({"A1": "=OFFSET(B1,1,1)", "A2": "=1+NOSUCH(2)", "A3": '=TEXT(1,"[h]:mm")', "A4": "=A1+1"})
    )
    assert ev.unsupported == {("S", 1, 1): "OFFSET", ("S", 2, 1): "NOSUCH", ("S", 3, 1): "TEXT"}
    assert ("S", 1, 1) not in ev.values
    # a dependent of an unsupported cell is not computed from its stale value: reported, kept
    assert ("S", 4, 1) not in ev.values
    assert ev.blocked == {("S", 4, 1): (("S", 1, 1), "OFFSET")}


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


def test_conditional_aggregates():
    cells = {
        "A1": 1.0,
        "A2": 5.0,
        "A3": "5",
        "A4": "apple",
        "A5": None,
        "B1": 10.0,
        "B2": 20.0,
        "B3": 30.0,
        "B4": 40.0,
        "B5": 50.0,
    }
    assert calc('COUNTIF(A1:A5,">2")', cells) == 1.0
    assert calc("COUNTIF(A1:A5,5)", cells) == 1.0
    assert calc('COUNTIF(A1:A5,"5")', cells) == 2.0
    assert calc('COUNTIF(A1:A5,"ap*")', cells) == 1.0
    assert calc('SUMIF(A1:A5,">=1",B1:B5)', cells) == 30.0
    assert calc('SUMIFS(B1:B5,A1:A5,"<>apple",B1:B5,">10")', cells) == 100.0
    assert calc('AVERAGEIF(A1:A5,">0",B1:B5)', cells) == 15.0
    assert calc('COUNTIFS(A1:A5,"")', cells) == 1.0
    assert calc("AVERAGE(A1:A5)", cells) == 3.0


def test_lookups():
    cells = {"A1": "a", "A2": "b", "A3": "c", "B1": 1.0, "B2": 2.0, "B3": 3.0}
    assert calc('VLOOKUP("B",A1:B3,2,FALSE)', cells) == 2.0
    assert calc("VLOOKUP(2.5,B1:B3,1)", cells) == 2.0
    assert calc('VLOOKUP("q",A1:B3,2,FALSE)', cells) == E("#N/A")
    assert calc("MATCH(C9,B1:B3,0)", cells) == E("#N/A")  # an exact lookup of a blank finds nothing
    assert calc('HLOOKUP(2,{1,2;"x","y"},2,FALSE)') == "y"
    assert calc("INDEX(A1:B3,2,2)", cells) == 2.0
    assert calc('MATCH("c",A1:A3,0)', cells) == 3.0
    assert calc("INDEX(A1:A3,MATCH(3,B1:B3,0))", cells) == "c"
    # XLOOKUP: not in LibreOffice 7.4, checked against Excel's documented examples
    assert calc('XLOOKUP("b",A1:A3,B1:B3)', cells) == 2.0
    assert calc('XLOOKUP("q",A1:A3,B1:B3,"none")', cells) == "none"
    assert calc("XLOOKUP(2.5,B1:B3,A1:A3,,1)", cells) == "c"  # next larger
    assert calc("XLOOKUP(2.5,B1:B3,A1:A3,,-1)", cells) == "b"  # next smaller
    assert calc("RANK(2,B1:B3)", cells) == 2.0
    assert calc("RANK.EQ(2,B1:B3,1)", cells) == 2.0
    assert calc("LARGE(B1:B3,1)+SMALL(B1:B3,1)", cells) == 4.0


def test_logic_text_dates():
    assert calc('IFS(1>2,"a",2>1,"b")') == "b"
    assert calc("AND(TRUE,1)") is True
    assert calc("OR(FALSE,0)") is False
    assert calc("NOT(0)") is True
    assert calc('CHOOSE(2,"x","y")') == "y"
    assert calc('CONCAT("a",{1,2})') == "a12"
    assert calc('CONCATENATE("a",1,TRUE)') == "a1TRUE"
    assert calc('LEFT("hello",2)&MID("hello",2,3)&RIGHT("hello")&LEN("hey")') == "heello3"
    assert calc('TEXT(1234.567,"#,##0.00")') == "1,234.57"
    assert calc('TEXT(0.256,"0.0%")') == "25.6%"
    assert calc('TEXT(DATE(2024,2,29),"yyyy-mm-dd")') == "2024-02-29"
    assert calc("DATE(2024,14,1)") == calc("DATE(2025,2,1)")
    assert calc("EOMONTH(DATE(2024,1,31),1)") == calc("DATE(2024,2,29)")
    assert calc("YEAR(45000)*100+MONTH(45000)") == 202303.0
    assert calc('UPPER(TRIM("  a  b "))') == "A B"


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


def test_r1c1_key_groups_a_filled_column():
    assert r1c1_key("A2*$B$1+C2", 2, 4) == r1c1_key("A3*$B$1+C3", 3, 4)
    assert r1c1_key("A2*$B$1", 2, 4) != r1c1_key("A2*$B$1", 3, 4)
    assert r1c1_key('LOG10(A1)&"A1"', 1, 2) == r1c1_key('LOG10(A2)&"A1"', 2, 2)
    assert parse("SUM(A1:B2)")[0] == "fn"


def scoring_matrix(n: int) -> WorkbookCells:
    import random

    rnd = random.Random(1)
    s, w = SheetCells("Matrix"), SheetCells("Weights")
    for j in range(8):
        w.cells[(1, j + 1)] = Cell(rnd.random())
    for i in range(2, n + 2):
        for j in range(8):
            s.cells[(i, j + 1)] = Cell(float(rnd.randint(0, 10)))
        s.cells[(i, 9)] = Cell(None, f"SUMPRODUCT(A{i}:H{i},Weights!$A$1:$H$1)/SUM(Weights!$A$1:$H$1)")
        s.cells[(i, 10)] = Cell(None, f'IF(I{i}>=7,"A",IF(I{i}>=4,"B","C"))')
        s.cells[(i, 11)] = Cell(None, f"ROUND(I{i},2)")
    return WorkbookCells({"Matrix": s, "Weights": w})


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
    # the time target (< 1 s for the whole refresh) is measured in benchmarks/bench_refresh.py


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
                same = (
                    (
                        isinstance(old, float)
                        and isinstance(new, float)
                        and math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)
                    )
                    or (type(old) is type(new) and old == new)
                    or (old in (None, "") and new in (None, ""))
                )
                if not same:
                    mismatches.append(f"{src.name} {name}!{r},{c} ={cell.formula}: Excel {old!r}, gtm-xl {new!r}")
    print(
        f"\nexcel-computed: {covered} of {total} formula cells covered ({covered / total:.0%}),"
        f" {len(mismatches)} differ"
    )
    assert covered / total > 0.85
    assert not mismatches, "\n".join(mismatches)


def test_batched_column_equals_cell_by_cell():
    """A column of one R1C1 formula gives the same values vectorised as cell by cell, whatever
    the inputs (blanks, text, zeros, negatives, errors make the batch fall back)."""
    import random

    rnd = random.Random(7)
    pool = [None, 0.0, -3.5, 2.675, 7.0, "x", "4", True, CellError("#N/A"), 10.0, 1e-9]
    formulas = [
        "SUMPRODUCT(A{r}:D{r},$F$1:$I$1)",
        'IF(A{r}>=B{r},"hi","lo")',
        "ROUND(A{r}*B{r},2)",
        "ROUNDUP(A{r}/3,1)",
        "A{r}/B{r}",
        "SUM(A{r}:D{r})/4",
        "MAX(A{r}:D{r})-MIN(A{r}:D{r})",
        "IF(A{r}>0,ROUND(B{r},0),-C{r})",
        "ABS(A{r})+INT(B{r})",
        "A{r}^2>=C{r}",
        "AVERAGE(A{r}:D{r})",
        "RANK(A{r},$A$1:$A$59)",
        "RANK.EQ(B{r},$B$1:$B$59,1)",
        "RANK(A{r},$B$1:$B$59)",
    ]
    for trial in range(6):
        sheet = SheetCells("S")
        for j in range(4):
            sheet.cells[(1, 6 + j)] = Cell(rnd.choice([0.5, 1.0, 2.0]))
        clean = trial % 2 == 0  # half the trials numbers only, so the vectorised path runs
        for r in range(1, 60):
            for j in range(4):
                v = rnd.choice([0.0, -3.5, 2.675, 7.0, 10.0, 1.005, 4.5]) if clean else rnd.choice(pool)
                sheet.cells[(r, 1 + j)] = Cell(v)
            for k, f in enumerate(formulas):
                sheet.cells[(r, 11 + k)] = Cell(None, f.format(r=r))
        wb = WorkbookCells({"S": sheet})
        fast, slow = evaluate_workbook(wb), evaluate_workbook(wb, batching=False)
        assert fast.values.keys() == slow.values.keys()
        for key, v in slow.values.items():
            w = fast.values[key]
            assert type(v) is type(w) and (v == w or math.isclose(v, w, rel_tol=1e-12)), (key, v, w)


def test_vectorised_round_equals_excel_round():
    import random

    import numpy as np

    from gtm_xl.excel.formula.functions.mathtrig import excel_round, round_vector

    rnd = random.Random(3)
    xs = [
        round(rnd.uniform(-1000, 1000), rnd.randint(0, 4)) + rnd.choice([0, 0.005, 0.0005, 0.05]) for _ in range(5000)
    ]
    xs += [2.675, 1.005, 0.285, -2.5, 1234.5, 0.1 + 0.2, 5e-7, 123456789.125]
    arr = np.array(xs)
    for digits in (0, 1, 2, 3, -1):
        got = round_vector(arr, digits)
        want = [excel_round(x, digits) for x in xs]
        bad = [(x, g, w) for x, g, w in zip(xs, got.tolist(), want) if g != w]
        assert not bad, bad[:5]


def test_batched_gtm_functions_match_cell_by_cell():
    from gtm_xl.catalogue import excel_functions

    sheet = SheetCells("S")
    for j in range(3):
        sheet.cells[(1, 10 + j)] = Cell([0.5, 0.3, 0.2][j])
    for r in range(2, 40):
        for j in range(3):
            sheet.cells[(r, 1 + j)] = Cell(float((r * (j + 3)) % 11) if (r + j) % 7 else None)
        sheet.cells[(r, 5)] = Cell(None, f"GTM_WEIGHTED_SCORE(A{r}:C{r},$J$1:$L$1)")
        sheet.cells[(r, 6)] = Cell(None, f"GTM_TIER(E{r})")
    wb = WorkbookCells({"S": sheet})
    fast = evaluate_workbook(wb, excel_functions())
    slow = evaluate_workbook(wb, excel_functions(), batching=False)
    # the GTM math sums a block row-wise and one row alone: equal to the last bits
    assert fast.values.keys() == slow.values.keys() and len(fast.values) == 2 * 38
    for key, v in slow.values.items():
        w = fast.values[key]
        assert type(v) is type(w) and (v == w or math.isclose(v, w, rel_tol=1e-12)), (key, v, w)


def spill(formula: str, cells: dict, anchor: str = "D1"):
    """The values a dynamic-array formula at ``anchor`` spills, row by row, and its spill range."""
    from gtm_xl.excel.ooxml.cells import parse_a1, parse_range

    cells = dict(cells)
    cells[anchor] = "=" + formula
    ev = evaluate_workbook(book(cells, dynamic={anchor}))
    r, c = parse_a1(anchor)
    ref = ev.spills[("S", r, c)]
    r1, c1, r2, c2 = parse_range(ref)
    return [[ev.values[("S", i, j)] for j in range(c1, c2 + 1)] for i in range(r1, r2 + 1)], ref


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
    assert calc("SUM(IFERROR(IF(A1:A3>0,A1:A3,NA()),0))", cells) == 4.0
    assert calc("COUNT(IF(A1:A3>0,A1:A3,NA()))", cells) == 2.0
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
    assert (v("F1"), v("F2"), v("F3"), v("F4"), v("G1"), v("G2")) == (6.0, 3.0, 1.0, E("#REF!"), 2.0, "D1#x")
    assert ev.spills[("S", 1, 8)] == "H1:H3" and [v("H1"), v("H2"), v("H3")] == [10.0, 20.0, 30.0]
    assert not ev.unsupported
    # on another sheet, quoted
    wb = book({"A1": "=SUM('My s'!B1#)", "A2": "=SUM('My s'!C1#)"}, other={"B1": "=SEQUENCE(4)", "C1": "=1+1"})
    wb.sheets["My s"].cells[(1, 2)].dynamic = True
    other = evaluate_workbook(wb)
    assert other.values[("S", 1, 1)] == 10.0
    assert other.values[("S", 2, 1)] == E("#REF!")  # C1 holds no spilling formula
