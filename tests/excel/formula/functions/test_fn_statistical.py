"""Descriptive statistics (functions/statistical.py): Microsoft's examples, the coercion of typed
arguments versus range cells, and which error wins (the first in argument order)."""

from __future__ import annotations

import pytest
from formula_helpers import E, calc, spill

DATA = {"A1": 10.0, "A2": 7.0, "A3": 9.0, "A4": 27.0, "A5": 2.0}


def test_average_family_coercion():
    cells = {"A1": 10.0, "A2": "1", "A3": True, "A4": None, "A5": "x"}
    assert calc("AVERAGE(A1:A5)", cells) == 10  # range: only numbers
    assert calc('AVERAGE(10,"1",TRUE)') == 4  # typed: coerced
    assert calc('AVERAGE(10,"x")') == E("#VALUE!")
    assert calc("AVERAGEA(A1:A5)", cells) == pytest.approx((10 + 0 + 1 + 0) / 4)  # text 0, TRUE 1, blank out
    assert calc("MAXA(A1:A5)", {"A1": -5.0, "A2": "x"}) == 0
    assert calc("MINA(A1:A2)", {"A1": 5.0, "A2": True}) == 1
    assert calc('MINA("-23",A1)', {"A1": 5.0}) == -23
    assert calc('AVERAGE("x",1/0)') == E("#VALUE!")  # the first error in argument order wins


def test_average_sums_as_excel_does():
    cells = {"A1": 9999999999.0, "A2": 1e-5, "A3": -9999999999.0, "A4": 0.0}
    assert calc("AVERAGE(A1:A4)", cells) == (9999999999.0 + 1e-5 - 9999999999.0) / 4


def test_median_mode():
    assert calc("MEDIAN(1,2,3,4,5)") == 3  # Microsoft's example
    assert calc("MEDIAN(1,2,3,4,5,6)") == 3.5
    assert calc('MEDIAN("2",2)') == 2 and calc("MEDIAN(TRUE,2)") == 1.5
    assert calc("MEDIAN(A1)", {"A1": "x"}) == E("#NUM!")
    assert calc("MODE.SNGL({5.6,4,4,3,2,4})") == 4  # Microsoft's example
    assert calc("MODE({1,2,2,1})") == 1  # the first to appear among equally frequent
    assert calc("MODE({1,2,3})") == E("#N/A")
    assert calc('MODE(1,"1",1)') == E("#VALUE!")  # typed text is not a number for MODE
    assert calc('MODE("1",1,1/0,2,3)') == E("#VALUE!")
    assert spill("MODE.MULT({1,2,3,4,3,2,1,2,3})", {})[0] == [[2.0], [3.0]]


def test_variance_family():
    cells = {f"A{i + 1}": v for i, v in enumerate([1345.0, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299])}
    # Microsoft's STDEV/VAR examples (breaking strength of ten tools)
    assert calc("STDEV.S(A1:A10)", cells) == pytest.approx(27.46391572, abs=1e-8)
    assert calc("STDEV.P(A1:A10)", cells) == pytest.approx(26.05455814, abs=1e-8)
    assert calc("VAR.S(A1:A10)", cells) == pytest.approx(754.2666667, abs=1e-7)
    assert calc("VAR.P(A1:A10)", cells) == pytest.approx(678.84, abs=1e-9)
    assert calc("STDEV(1)") == E("#DIV/0!")
    assert calc("VARP(A1)", {"A1": "x"}) == E("#DIV/0!")
    assert calc("VAR(TRUE,FALSE,TRUE)") == pytest.approx(1 / 3)
    assert calc("STDEVA(A1:A3)", {"A1": 1.0, "A2": "x", "A3": True}) == pytest.approx(0.5773502691896258)


def test_shape_statistics():
    assert calc("AVEDEV(4,5,6,7,5,4,3)") == pytest.approx(1.020408163)  # Microsoft
    assert calc("DEVSQ(4,5,8,7,11,4,3)") == pytest.approx(48)  # Microsoft
    assert calc("GEOMEAN(4,5,8,7,11,4,3)") == pytest.approx(5.476986969)  # Microsoft
    assert calc("HARMEAN(4,5,8,7,11,4,3)") == pytest.approx(5.028375962)  # Microsoft
    assert calc("KURT(3,4,5,2,3,4,5,6,4,7)") == pytest.approx(-0.151799637)  # Microsoft
    assert calc("SKEW(3,4,5,2,3,4,5,6,4,7)") == pytest.approx(0.359543071)  # Microsoft
    assert calc("SKEW.P(3,4,5,2,3,4,5,6,4,7)") == pytest.approx(0.303193339)  # Microsoft
    assert calc("GEOMEAN(1,0)") == E("#NUM!")
    assert calc("AVEDEV(A1)", {"A1": "x"}) == E("#NUM!")


def test_percentiles_and_ranks():
    assert calc("PERCENTILE.INC({1,3,2,4},0.3)") == pytest.approx(1.9)  # Microsoft
    assert calc("PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0.25)") == pytest.approx(2.5)  # Microsoft
    assert calc("PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0)") == E("#NUM!")
    assert calc("QUARTILE.INC({1,2,4,7,8,9,10,12},1)") == pytest.approx(3.5)  # Microsoft
    assert calc("QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},1)") == 15  # Microsoft
    assert calc("QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},3)") == 43
    arr = "{13,12,11,8,4,3,2,1,1,1}"
    assert calc(f"PERCENTRANK.INC({arr},2)") == 0.333  # Microsoft
    assert calc(f"PERCENTRANK.INC({arr},4)") == 0.555
    assert calc(f"PERCENTRANK.INC({arr},8)") == 0.666
    assert calc(f"PERCENTRANK.INC({arr},5)") == 0.583
    assert calc("PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},7)") == 0.7  # Microsoft
    assert calc("PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},5.43)") == 0.381
    assert calc("PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},5.43,1)") == 0.3
    assert calc(f"PERCENTRANK.INC({arr},20)") == E("#N/A")
    assert calc("RANK.AVG(94,{89,88,92,101,94,97,95})") == 4  # Microsoft
    assert calc("RANK.AVG(2,{1,2,2,3})") == 2.5


def test_regression():
    ys, xs = "{6,5,11,7,5,4,4}", "{20,28,31,38,40}"
    assert calc("CORREL({3,2,4,5,6},{9,7,12,15,17})") == pytest.approx(0.997054486)  # Microsoft
    assert calc("PEARSON({9,7,5,3,1},{10,6,1,5,3})") == pytest.approx(0.699379, abs=1e-6)  # Microsoft
    assert calc("COVARIANCE.P({3,2,4,5,6},{9,7,12,15,17})") == pytest.approx(5.2)  # Microsoft
    assert calc("COVARIANCE.S({2,4,8},{5,11,12})") == pytest.approx(9.666666667)  # Microsoft
    assert calc("SLOPE({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})") == pytest.approx(0.305556, abs=1e-6)  # Microsoft
    assert calc("INTERCEPT({2,3,9,1,8},{6,5,11,7,5})") == pytest.approx(0.0483871, abs=1e-7)  # Microsoft
    assert calc("RSQ({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})") == pytest.approx(0.05795, abs=1e-5)  # Microsoft
    assert calc("STEYX({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})") == pytest.approx(3.305719, abs=1e-6)  # Microsoft
    assert calc("FORECAST.LINEAR(30,{6,7,9,15,21},{20,28,31,38,40})") == pytest.approx(10.607253, abs=1e-6)  # Microsoft
    assert calc(f"SLOPE({ys},{xs})") == E("#N/A")  # sizes differ
    assert calc("SLOPE({1,2},{3,3})") == E("#DIV/0!")
    assert calc("STANDARDIZE(42,40,1.5)") == pytest.approx(1.333333333)  # Microsoft
    assert calc("STANDARDIZE(42,40,0)") == E("#NUM!")


def test_frequency_prob():
    data = "{79,85,78,85,50,81,95,88,97}"
    assert spill(f"FREQUENCY({data},{{70,79,89}})", {})[0] == [[1.0], [2.0], [4.0], [2.0]]  # Microsoft
    assert calc("PROB({0,1,2,3},{0.2,0.3,0.1,0.4},2)") == pytest.approx(0.1)  # Microsoft
    assert calc("PROB({0,1,2,3},{0.2,0.3,0.1,0.4},1,3)") == pytest.approx(0.8)
    assert calc("PROB({0,1},{0.2,0.3},1)") == E("#NUM!")


def test_linest_family():
    # Microsoft's LINEST example 1: slope and intercept
    cells = {"A1": 1.0, "A2": 9.0, "A3": 5.0, "A4": 7.0, "B1": 0.0, "B2": 4.0, "B3": 2.0, "B4": 3.0}
    values, _ = spill("LINEST(A1:A4,B1:B4)", cells)
    assert values[0] == [pytest.approx(2.0), pytest.approx(1.0)]
    values, _ = spill("LINEST(A1:A4,B1:B4,TRUE,TRUE)", cells)
    assert values[2][0] == pytest.approx(calc("RSQ(A1:A4,B1:B4)", cells))
    assert values[2][1] == pytest.approx(calc("STEYX(A1:A4,B1:B4)", cells))
    assert values[3][1] == 2 and len(values) == 5
    # Microsoft's TREND example: monthly costs for months 1-12 and the forecast of months 13-17
    y = [133890, 135000, 135790, 137300, 138130, 139100, 139900, 141120, 141890, 143230, 144000, 145290]
    cells = {f"A{i + 1}": float(v) for i, v in enumerate(y)}
    cells.update({f"B{i + 1}": float(i + 1) for i in range(12)})
    cells.update({f"C{i + 1}": float(i + 13) for i in range(5)})
    values, _ = spill("TREND(A1:A12,B1:B12,C1:C5)", cells)
    expected = [146171.52, 147189.70, 148207.88, 149226.06, 150244.24]
    assert [round(v[0], 2) for v in values] == expected
    # Microsoft's GROWTH example: units sold in months 11-16, and months 17-18
    units = [33100, 47300, 69000, 102000, 150000, 220000]
    cells = {f"A{i + 1}": float(v) for i, v in enumerate(units)}
    cells.update({f"B{i + 1}": float(i + 11) for i in range(6)})
    values, _ = spill("GROWTH(A1:A6,B1:B6,{17;18})", cells)
    assert [round(v[0], 2) for v in values] == [320196.72, 468536.05]
    values, _ = spill("LOGEST(A1:A6,B1:B6)", cells)
    assert values[0] == [pytest.approx(1.4633, abs=1e-4), pytest.approx(495.3048, abs=1e-4)]
    from formula_helpers import book

    from gtm_xl.excel.formula import evaluate_workbook

    # a constant x is collinear with the intercept: Excel drops a variable; not guessed here
    ev = evaluate_workbook(book({"A1": "=LINEST({1,2,3},{1,1,1})"}))
    assert ev.unsupported == {("S", 1, 1): "LINEST"}


def test_maxifs_minifs_trimmean():
    cells = {f"A{i + 1}": float(v) for i, v in enumerate([89, 93, 96, 85, 91, 88])}
    cells.update({f"B{i + 1}": float(v) for i, v in enumerate([1, 2, 2, 3, 1, 1])})
    assert calc("MAXIFS(A1:A6,B1:B6,1)", cells) == 91  # Microsoft
    assert calc("MINIFS(A1:A6,B1:B6,1)", cells) == 88
    assert calc("MAXIFS(A1:A6,B1:B6,9)", cells) == 0
    assert calc("MAXIFS(A1:A6,B1:B5,1)", cells) == E("#VALUE!")
    assert calc("TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)") == pytest.approx(3.777778, abs=1e-6)  # Microsoft
    assert calc("TRIMMEAN({1,2,3},1)") == E("#NUM!")


def test_large_small_countif_arguments():
    # Apache POI's FormulaEvalTestData, computed by Excel: a typed value is coerced
    assert calc("LARGE(TRUE,1)") == 1
    assert calc('LARGE("2.3",1)') == 2.3
    assert calc('SMALL("2.3",1)') == 2.3
    assert calc("LARGE({1,2},3)") == E("#NUM!")
    # an error value as criterion counts the cells holding it
    cells = {"A1": E("#DIV/0!"), "A2": 1.0, "A3": E("#N/A")}
    assert calc("COUNTIF(A1:A3,1/0)", cells) == 1
    from formula_helpers import book

    from gtm_xl.excel.formula import evaluate_workbook

    # several criteria in one argument: an array of counts, or implicit intersection; never the first one
    ev = evaluate_workbook(book({"A1": 1.0, "A2": 2.0, "B1": "=COUNTIF(A1:A2,{1,2})"}))
    assert ev.unsupported == {("S", 1, 2): "COUNTIF"}
