"""The ``GTM_*`` Excel functions, exposed through xlwings.

Each UDF is a thin adapter: xlwings hands every argument over as a 2-D list (``ndim=2``: a
single cell is ``[[x]]``, blanks are ``None``), :func:`gtm_xl.catalogue.excel_call` converts
and calls the math, and the :class:`GTMValue` converter hands the result back: a value, or a
list of rows that Excel spills as a dynamic array. Help texts come from the catalogue, so the
Insert Function dialog, ``gtm-xl calc --help`` and the README say the same thing.

Errors: xlwings' own conversion layer has no error type for values written back (its
``cell_errors`` table is used only when *reading*), but its Windows engine passes unknown
objects through to pywin32 untouched. So :class:`GTMValue` turns a
:class:`~gtm_xl.errors.CellError` into ``win32com.client.VARIANT(VT_ERROR, scode)`` — the
variant VBA's ``CVErr`` makes — and the cell shows a real ``#DIV/0!``/``#NUM!``/… that
``ISERROR`` and ``IFERROR`` see. Where pywin32 is absent (tests, other platforms) it writes
the error code followed by the message as text.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import xlwings as xw

from gtm_xl.catalogue import CATALOGUE, excel_call
from gtm_xl.errors import CellError, GTMError

__all__ = [name for name in CATALOGUE]


def excel_error(error: CellError) -> Any:
    """A cell error as Excel receives it: a ``VT_ERROR`` variant on Windows, else its text."""
    try:
        import pythoncom
        from win32com.client import VARIANT
    except ImportError:
        return f"{error.code} {error.message}".strip() if error.message else error.code
    return VARIANT(pythoncom.VT_ERROR, error.scode)


def _cell(value: Any) -> Any:
    if isinstance(value, CellError):
        return excel_error(value)
    if isinstance(value, (np.floating, np.integer)):
        return float(value)
    return value


class GTMValue(xw.conversion.Converter):
    """Return converter: values, 2-D arrays and error values as Excel expects them."""

    @staticmethod
    def write_value(value: Any, options: dict) -> Any:
        if isinstance(value, np.ndarray):
            return [[_cell(v) for v in row] for row in value.reshape(value.shape[0], -1).tolist()]
        return _cell(value)


def _call(name: str, *args: Any) -> Any:
    try:
        return excel_call(name, *args)
    except GTMError as exc:
        return exc.cell_error


def _from_catalogue(func: Callable) -> Callable:
    """Give a UDF the catalogue's description (Excel's Insert Function dialog shows it)."""
    entry = CATALOGUE[func.__name__]
    func.__doc__ = f"{entry.summary} Example: {entry.example[0]} gives {entry.example[1]}."
    return func


def _arg(function: str, name: str) -> Callable:
    return xw.arg(name, ndim=2, doc=CATALOGUE[function].doc(name))


@xw.func(category="GTM")
@_arg("GTM_LTV", "arpa")
@_arg("GTM_LTV", "gross_margin")
@_arg("GTM_LTV", "churn")
@_arg("GTM_LTV", "discount")
@_arg("GTM_LTV", "horizon")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_LTV(arpa, gross_margin, churn, discount=None, horizon=None):
    return _call("GTM_LTV", arpa, gross_margin, churn, discount, horizon)


@xw.func(category="GTM")
@_arg("GTM_CAC", "spend")
@_arg("GTM_CAC", "new_customers")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_CAC(spend, new_customers):
    return _call("GTM_CAC", spend, new_customers)


@xw.func(category="GTM")
@_arg("GTM_LTV_CAC", "arpa")
@_arg("GTM_LTV_CAC", "gross_margin")
@_arg("GTM_LTV_CAC", "churn")
@_arg("GTM_LTV_CAC", "cac")
@_arg("GTM_LTV_CAC", "discount")
@_arg("GTM_LTV_CAC", "horizon")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_LTV_CAC(arpa, gross_margin, churn, cac, discount=None, horizon=None):
    return _call("GTM_LTV_CAC", arpa, gross_margin, churn, cac, discount, horizon)


@xw.func(category="GTM")
@_arg("GTM_CAC_PAYBACK", "cac")
@_arg("GTM_CAC_PAYBACK", "arpa")
@_arg("GTM_CAC_PAYBACK", "gross_margin")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_CAC_PAYBACK(cac, arpa, gross_margin):
    return _call("GTM_CAC_PAYBACK", cac, arpa, gross_margin)


@xw.func(category="GTM")
@_arg("GTM_CHURN_ANNUAL", "monthly")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_CHURN_ANNUAL(monthly):
    return _call("GTM_CHURN_ANNUAL", monthly)


@xw.func(category="GTM")
@_arg("GTM_CHURN_MONTHLY", "annual")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_CHURN_MONTHLY(annual):
    return _call("GTM_CHURN_MONTHLY", annual)


@xw.func(category="GTM")
@_arg("GTM_NRR", "start")
@_arg("GTM_NRR", "expansion")
@_arg("GTM_NRR", "contraction")
@_arg("GTM_NRR", "churned")
@_arg("GTM_NRR", "reactivation")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_NRR(start, expansion, contraction, churned, reactivation=None):
    return _call("GTM_NRR", start, expansion, contraction, churned, reactivation)


@xw.func(category="GTM")
@_arg("GTM_GRR", "start")
@_arg("GTM_GRR", "contraction")
@_arg("GTM_GRR", "churned")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_GRR(start, contraction, churned):
    return _call("GTM_GRR", start, contraction, churned)


@xw.func(category="GTM")
@_arg("GTM_ATTAINMENT", "actual")
@_arg("GTM_ATTAINMENT", "target")
@_arg("GTM_ATTAINMENT", "lower_is_better")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_ATTAINMENT(actual, target, lower_is_better=None):
    return _call("GTM_ATTAINMENT", actual, target, lower_is_better)


@xw.func(category="GTM")
@_arg("GTM_FUNNEL", "counts")
@_arg("GTM_FUNNEL", "cumulative")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_FUNNEL(counts, cumulative=None):
    return _call("GTM_FUNNEL", counts, cumulative)


@xw.func(category="GTM")
@_arg("GTM_REVERSE_FUNNEL", "target_revenue")
@_arg("GTM_REVERSE_FUNNEL", "avg_deal")
@_arg("GTM_REVERSE_FUNNEL", "rates")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_REVERSE_FUNNEL(target_revenue, avg_deal, rates):
    return _call("GTM_REVERSE_FUNNEL", target_revenue, avg_deal, rates)


@xw.func(category="GTM")
@_arg("GTM_WEIGHTED_SCORE", "scores")
@_arg("GTM_WEIGHTED_SCORE", "weights")
@_arg("GTM_WEIGHTED_SCORE", "missing")
@_arg("GTM_WEIGHTED_SCORE", "scale_min")
@_arg("GTM_WEIGHTED_SCORE", "scale_max")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_WEIGHTED_SCORE(scores, weights, missing=None, scale_min=None, scale_max=None):
    return _call("GTM_WEIGHTED_SCORE", scores, weights, missing, scale_min, scale_max)


@xw.func(category="GTM")
@_arg("GTM_TIER", "score")
@_arg("GTM_TIER", "thresholds")
@_arg("GTM_TIER", "labels")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_TIER(score, thresholds=None, labels=None):
    return _call("GTM_TIER", score, thresholds, labels)


@xw.func(category="GTM")
@_arg("GTM_SPLIT_TARGET", "total")
@_arg("GTM_SPLIT_TARGET", "weights")
@_arg("GTM_SPLIT_TARGET", "unit")
@_arg("GTM_SPLIT_TARGET", "locked")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_SPLIT_TARGET(total, weights, unit=None, locked=None):
    return _call("GTM_SPLIT_TARGET", total, weights, unit, locked)


@xw.func(category="GTM")
@_arg("GTM_COMMISSION", "attainment")
@_arg("GTM_COMMISSION", "base")
@_arg("GTM_COMMISSION", "tiers")
@_arg("GTM_COMMISSION", "below")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_COMMISSION(attainment, base, tiers=None, below=None):
    return _call("GTM_COMMISSION", attainment, base, tiers, below)


@xw.func(category="GTM")
@_arg("GTM_NPS", "responses")
@xw.ret(GTMValue)
@_from_catalogue
def GTM_NPS(responses):
    return _call("GTM_NPS", responses)
