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

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import xlwings as xw

from gtm_xl.catalogue import CATALOGUE, excel_call
from gtm_xl.errors import CellError, GTMError

__all__ = [*CATALOGUE, "GTMValue", "gtm_udf"]


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


def gtm_udf(func: Callable) -> Callable:
    """Register ``func`` with xlwings as the catalogue function of the same name.

    Applies, in xlwings' own terms: ``@xw.func(category="GTM")``, one
    ``@xw.arg(name, ndim=2, doc=…)`` per argument (ranges arrive as 2-D lists, help text from
    the catalogue) and ``@xw.ret(GTMValue)``; the description shown by Insert Function is the
    catalogue's summary and example. The Python signature must list the catalogue's
    arguments in order (checked here, at import).
    """
    entry = CATALOGUE[func.__name__]
    names = list(inspect.signature(func).parameters)
    if names != [p.name for p in entry.params]:
        raise TypeError(f"{func.__name__}{tuple(names)} does not match the catalogue's {entry.signature}")
    func.__doc__ = f"{entry.summary} Example: {entry.example[0]} gives {entry.example[1]}."
    func = xw.ret(GTMValue)(func)
    for param in reversed(entry.params):
        func = xw.arg(param.name, ndim=2, doc=param.doc)(func)
    return xw.func(category="GTM")(func)


@gtm_udf
def GTM_LTV(arpa, gross_margin, churn, discount=None, horizon=None):
    return _call("GTM_LTV", arpa, gross_margin, churn, discount, horizon)


@gtm_udf
def GTM_CAC(spend, new_customers):
    return _call("GTM_CAC", spend, new_customers)


@gtm_udf
def GTM_LTV_CAC(arpa, gross_margin, churn, cac, discount=None, horizon=None):
    return _call("GTM_LTV_CAC", arpa, gross_margin, churn, cac, discount, horizon)


@gtm_udf
def GTM_CAC_PAYBACK(cac, arpa, gross_margin):
    return _call("GTM_CAC_PAYBACK", cac, arpa, gross_margin)


@gtm_udf
def GTM_CHURN_ANNUAL(monthly):
    return _call("GTM_CHURN_ANNUAL", monthly)


@gtm_udf
def GTM_CHURN_MONTHLY(annual):
    return _call("GTM_CHURN_MONTHLY", annual)


@gtm_udf
def GTM_NRR(start, expansion, contraction, churned, reactivation=None):
    return _call("GTM_NRR", start, expansion, contraction, churned, reactivation)


@gtm_udf
def GTM_GRR(start, contraction, churned):
    return _call("GTM_GRR", start, contraction, churned)


@gtm_udf
def GTM_ATTAINMENT(actual, target, lower_is_better=None):
    return _call("GTM_ATTAINMENT", actual, target, lower_is_better)


@gtm_udf
def GTM_FUNNEL(counts, cumulative=None):
    return _call("GTM_FUNNEL", counts, cumulative)


@gtm_udf
def GTM_REVERSE_FUNNEL(target_revenue, avg_deal, rates):
    return _call("GTM_REVERSE_FUNNEL", target_revenue, avg_deal, rates)


@gtm_udf
def GTM_WEIGHTED_SCORE(scores, weights, missing=None, scale_min=None, scale_max=None):
    return _call("GTM_WEIGHTED_SCORE", scores, weights, missing, scale_min, scale_max)


@gtm_udf
def GTM_TIER(score, thresholds=None, labels=None):
    return _call("GTM_TIER", score, thresholds, labels)


@gtm_udf
def GTM_SPLIT_TARGET(total, weights, unit=None, locked=None):
    return _call("GTM_SPLIT_TARGET", total, weights, unit, locked)


@gtm_udf
def GTM_COMMISSION(attainment, base, tiers=None, below=None):
    return _call("GTM_COMMISSION", attainment, base, tiers, below)


@gtm_udf
def GTM_NPS(responses):
    return _call("GTM_NPS", responses)
