"""Statistical distributions (functions/distributions.py), on the examples of Microsoft's function
reference pages (compared to the digits those pages print) and their documented #NUM! cases."""

from __future__ import annotations

import pytest
from formula_helpers import E, calc


@pytest.mark.parametrize(
    "formula, expected, tol",
    [
        ("NORM.DIST(42,40,1.5,TRUE)", 0.9087888, 1e-7),
        ("NORMDIST(42,40,1.5,FALSE)", 0.10934, 1e-5),
        ("NORM.INV(0.908789,40,1.5)", 42.000002, 1e-6),
        ("NORM.S.DIST(1.333333,TRUE)", 0.908788726, 1e-9),
        ("NORM.S.DIST(1.333333,FALSE)", 0.164010148, 1e-9),
        ("NORMSINV(0.908789)", 1.3333347, 1e-7),
        ("LOGNORM.DIST(4,3.5,1.2,TRUE)", 0.0390836, 1e-7),
        ("LOGNORM.DIST(4,3.5,1.2,FALSE)", 0.0176176, 1e-7),
        ("LOGNORM.INV(0.039084,3.5,1.2)", 4.0000252, 1e-7),
        ("T.DIST(60,1,TRUE)", 0.99469533, 1e-8),
        ("T.DIST(8,3,FALSE)", 0.00073691, 1e-8),
        ("T.DIST.2T(1.959999998,60)", 0.054645, 1e-6),
        ("T.DIST.RT(1.959999998,60)", 0.027322, 1e-6),
        ("TDIST(1.959999998,60,2)", 0.054644930, 1e-9),
        ("TDIST(1.959999998,60,1)", 0.027322465, 1e-9),
        ("T.INV(0.75,2)", 0.8164966, 1e-7),
        ("T.INV.2T(0.546449,60)", 0.606533, 1e-6),
        ("TINV(0.054644930,60)", 1.96, 1e-6),
        ("CHISQ.DIST(0.5,1,TRUE)", 0.52049988, 1e-8),
        ("CHISQ.DIST(2,3,FALSE)", 0.20755375, 1e-8),
        ("CHISQ.DIST.RT(18.307,10)", 0.0500006, 1e-7),
        ("CHISQ.INV(0.93,1)", 3.283020286, 2e-9),  # the page cuts 3.2830202868 short
        ("CHISQ.INV(0.6,2)", 1.832581464, 1e-9),
        ("CHISQ.INV.RT(0.050001,10)", 18.30697, 1e-5),
        ("F.DIST(15.2069,6,4,TRUE)", 0.99, 1e-6),
        ("F.DIST(15.2069,6,4,FALSE)", 0.0012238, 1e-7),
        ("F.DIST.RT(15.2069,6,4)", 0.01, 1e-6),
        ("F.INV(0.01,6,4)", 0.10930991, 1e-8),
        ("F.INV.RT(0.01,6,4)", 15.20686, 1e-5),
        ("BINOM.DIST(6,10,0.5,FALSE)", 0.2050781, 1e-7),
        ("BINOM.INV(6,0.5,0.75)", 4, 0),
        ("CRITBINOM(6,0.5,0.75)", 4, 0),
        ("POISSON.DIST(2,5,TRUE)", 0.124652, 1e-6),
        ("POISSON(2,5,FALSE)", 0.084224, 1e-6),
        ("EXPON.DIST(0.2,10,TRUE)", 0.86466472, 1e-8),
        ("EXPONDIST(0.2,10,FALSE)", 1.35335283, 1e-8),
        ("GAMMA.DIST(10.00001131,9,2,FALSE)", 0.032639, 1e-6),
        ("GAMMA.DIST(10.00001131,9,2,TRUE)", 0.068094, 1e-6),
        ("GAMMA.INV(0.068094,9,2)", 10.0000112, 1e-5),
        ("GAMMALN(4)", 1.791759469, 1e-9),
        ("GAMMA(2.5)", 1.329, 1e-3),
        ("GAMMA(-3.75)", 0.268, 1e-3),
        ("BETA.DIST(2,8,10,TRUE,1,3)", 0.6854706, 1e-7),
        ("BETA.DIST(2,8,10,FALSE,1,3)", 1.4837646, 1e-7),
        ("BETA.INV(0.685470581,8,10,1,3)", 2, 1e-7),
        ("WEIBULL.DIST(105,20,100,TRUE)", 0.929581, 1e-6),
        ("WEIBULL.DIST(105,20,100,FALSE)", 0.035589, 1e-6),
        ("HYPGEOM.DIST(1,4,8,20,TRUE)", 0.4654, 1e-4),
        ("HYPGEOM.DIST(1,4,8,20,FALSE)", 0.3633, 1e-4),
        ("NEGBINOM.DIST(10,5,0.25,TRUE)", 0.3135141, 1e-7),
        ("NEGBINOM.DIST(10,5,0.25,FALSE)", 0.0550487, 1e-7),
    ],
)
def test_microsoft_examples(formula, expected, tol):
    assert calc(formula) == pytest.approx(expected, abs=tol / 2 + 1e-15)


@pytest.mark.parametrize(
    "formula",
    [
        "NORM.DIST(1,0,0,TRUE)",
        "NORM.INV(0,0,1)",
        "NORM.S.INV(1)",
        "LOGNORM.DIST(0,1,1,TRUE)",
        "T.DIST(1,0,TRUE)",
        "T.DIST.2T(-1,2)",
        "TDIST(1,2,3)",
        "CHISQ.DIST(-1,2,TRUE)",
        "F.DIST(1,0,2,TRUE)",
        "BINOM.DIST(11,10,0.5,FALSE)",
        "POISSON.DIST(-1,5,TRUE)",
        "EXPON.DIST(1,0,TRUE)",
        "GAMMA(0)",
        "GAMMA(-2)",
        "GAMMALN(0)",
        "BETA.DIST(4,8,10,TRUE,1,3)",
        "HYPGEOM.DIST(5,4,8,20,TRUE)",
        "NEGBINOM.DIST(1,0,0.5,TRUE)",
    ],
)
def test_documented_num_errors(formula):
    assert calc(formula) == E("#NUM!")


def test_truncated_counts():
    assert calc("BINOM.DIST(6.9,10.2,0.5,FALSE)") == calc("BINOM.DIST(6,10,0.5,FALSE)")
    assert calc("T.DIST(8,3.7,FALSE)") == calc("T.DIST(8,3,FALSE)")


def test_tests_and_intervals():
    # Microsoft's examples
    assert calc("CONFIDENCE.NORM(0.05,2.5,50)") == pytest.approx(0.692952, abs=1e-6)
    assert calc("CONFIDENCE(0.05,2.5,50)") == pytest.approx(0.692952, abs=1e-6)
    assert calc("CONFIDENCE.T(0.05,1,50)") == pytest.approx(0.284196855, abs=1e-9)
    assert calc("CONFIDENCE.T(0.05,1,1)") == E("#DIV/0!")
    assert calc("FISHER(0.75)") == pytest.approx(0.9729551, abs=1e-7)
    assert calc("FISHERINV(0.972955)") == pytest.approx(0.75, abs=1e-6)
    assert calc("FISHER(1)") == E("#NUM!")
    assert calc("PHI(0.75)") == pytest.approx(0.301137432, abs=1e-9)
    assert calc("GAUSS(2)") == pytest.approx(0.47724987, abs=1e-8)
    a, b = "{3,4,5,8,9,1,2,4,5}", "{6,19,3,2,14,4,5,17,1}"
    assert calc(f"T.TEST({a},{b},2,1)") == pytest.approx(0.196016, abs=1e-6)
    assert calc(f"T.TEST({a},{b},2,4)") == E("#NUM!")
    assert calc("Z.TEST({3,6,7,8,6,5,4,2,1,9},4)") == pytest.approx(0.090574, abs=1e-6)
    assert calc("Z.TEST({3,6,7,8,6,5,4,2,1,9},6)") == pytest.approx(0.863043, abs=1e-6)
    actual, expected = "{58,35;11,25;10,23}", "{45.35,47.65;17.56,18.44;16.09,16.91}"
    assert calc(f"CHISQ.TEST({actual},{expected})") == pytest.approx(0.0003082, abs=1e-7)
    assert calc("F.TEST({6,7,9,15,21},{20,28,31,38,40})") == pytest.approx(0.64831785, abs=1e-8)
