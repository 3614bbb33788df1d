"""THE list of ``GTM_*`` Excel functions: Excel name → Python function, arguments, help text.

Blanks: ``None`` (an empty cell) and ``""`` (what ``IF(x="","",…)`` leaves) are the same blank in
every argument (the rule lives in :mod:`gtm_xl.math.numeric`); a blank optional argument is omitted.

Read by ``udfs/gtm_functions.py`` (the xlwings UDFs and their Insert Function help), by the
headless formula evaluator (:func:`excel_functions`), by the add-in build and the CLI
(``gtm-xl calc``). The conversion between what Excel hands over (single values, 2-D ranges
with blanks as ``None``) and the math's numpy inputs lives here once, in :func:`excel_call`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gtm_xl.errors import CellError, NumError, ShapeError, UnknownNameError, ValueTypeError, error_from_code
from gtm_xl.lambdas import DEFINITIONS
from gtm_xl.math import allocation, compensation, funnel, metrics, scoring
from gtm_xl.math.numeric import is_blank

__all__ = [
    "CATALOGUE",
    "GTMFunction",
    "Param",
    "calc_from_strings",
    "excel_call",
    "excel_functions",
    "to_json",
]

#: Parameter kinds. "number": one value per cell (a range gives one result per cell);
#: "row": a row of values per result (the criteria of one industry); "range": a range used as
#: a whole (weights, thresholds); "text": a keyword option; "flag": TRUE/FALSE.
KINDS = ("number", "row", "range", "text", "flag")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    doc: str
    optional: bool = False


@dataclass(frozen=True)
class GTMFunction:
    """One catalogue entry. ``example`` is an Excel formula with its expected result."""

    name: str
    func: Callable[..., Any]
    summary: str
    params: tuple[Param, ...]
    example: tuple[str, str]
    batchable: bool = True
    spills: bool = False
    _by_name: dict[str, Param] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for p in self.params:
            assert p.kind in KINDS, p
            self._by_name[p.name] = p

    @property
    def required(self) -> int:
        return sum(not p.optional for p in self.params)

    def doc(self, param: str) -> str:
        return self._by_name[param].doc

    @property
    def lambda_formula(self) -> str:
        """This function in Excel's formula language, a ``LAMBDA`` with the same arguments
        (:data:`gtm_xl.lambdas.DEFINITIONS`): what the lambda flavour of the templates and
        `gtm-xl functions install` put into a workbook."""
        return DEFINITIONS[self.name]

    @property
    def signature(self) -> str:
        parts = [f"[{p.name}]" if p.optional else p.name for p in self.params]
        return f"{self.name}({', '.join(parts)})"


def _p(name: str, kind: str, doc: str, optional: bool = False) -> Param:
    return Param(name, kind, doc, optional)


# Arguments several functions take, described once.
_CHURN = _p("churn", "number", "Churn per period as a fraction, same period as arpa")
_GROSS_MARGIN = _p("gross_margin", "number", "Gross margin as a fraction")
_CAC = _p("cac", "number", "Customer acquisition cost")
_DISCOUNT = _p("discount", "number", "Discount rate per period (default 0)", True)
_HORIZON = _p("horizon", "number", "Number of periods to count (default: no limit)", True)
_START = _p("start", "number", "Recurring revenue at the start of the period")
_CONTRACTION = _p("contraction", "number", "Revenue lost to downgrades (positive amount)")
_CHURNED = _p("churned", "number", "Revenue lost to cancelled customers (positive amount)")

_ENTRIES = [
    GTMFunction(
        "GTM_LTV",
        metrics.ltv,
        "Lifetime gross profit of a customer: arpa·margin/(churn+discount), or over a horizon.",
        (
            _p("arpa", "number", "Average revenue per account per period (e.g. monthly)"),
            _p("gross_margin", "number", "Gross margin as a fraction, 0.8 for 80%"),
            _CHURN,
            _DISCOUNT,
            _HORIZON,
        ),
        ("=GTM_LTV(100, 0.8, 0.02)", "4000"),
    ),
    GTMFunction(
        "GTM_CAC",
        metrics.cac,
        "Customer acquisition cost: spend / new customers.",
        (
            _p("spend", "number", "Sales and marketing spend of the period"),
            _p("new_customers", "number", "New customers won in the period"),
        ),
        ("=GTM_CAC(500000, 250)", "2000"),
    ),
    GTMFunction(
        "GTM_LTV_CAC",
        metrics.ltv_cac,
        "LTV:CAC ratio (benchmark 3): lifetime gross profit over acquisition cost.",
        (
            _p("arpa", "number", "Average revenue per account per period"),
            _GROSS_MARGIN,
            _CHURN,
            _CAC,
            _DISCOUNT,
            _HORIZON,
        ),
        ("=GTM_LTV_CAC(100, 0.8, 0.02, 1000)", "4"),
    ),
    GTMFunction(
        "GTM_CAC_PAYBACK",
        metrics.cac_payback,
        "Months (periods) to earn back CAC: cac / (arpa·margin).",
        (
            _CAC,
            _p("arpa", "number", "Average revenue per account per month"),
            _GROSS_MARGIN,
        ),
        ("=GTM_CAC_PAYBACK(770000, 100000, 0.7)", "11"),
    ),
    GTMFunction(
        "GTM_CHURN_ANNUAL",
        metrics.churn_annual,
        "Annual churn from monthly churn: 1-(1-m)^12.",
        (_p("monthly", "number", "Monthly churn as a fraction"),),
        ("=GTM_CHURN_ANNUAL(0.05)", "0.4596"),
    ),
    GTMFunction(
        "GTM_CHURN_MONTHLY",
        metrics.churn_monthly,
        "Monthly churn from annual churn: 1-(1-a)^(1/12).",
        (_p("annual", "number", "Annual churn as a fraction"),),
        ("=GTM_CHURN_MONTHLY(0.4596)", "0.05"),
    ),
    GTMFunction(
        "GTM_NRR",
        metrics.nrr,
        "Net revenue retention: (start+expansion+reactivation-contraction-churned)/start.",
        (
            _START,
            _p("expansion", "number", "Upsell and cross-sell revenue added"),
            _CONTRACTION,
            _CHURNED,
            _p("reactivation", "number", "Revenue from returning customers (default 0)", True),
        ),
        ("=GTM_NRR(1000000, 150000, 30000, 70000)", "1.05"),
    ),
    GTMFunction(
        "GTM_GRR",
        metrics.grr,
        "Gross revenue retention: (start-contraction-churned)/start, within 0..1.",
        (
            _START,
            _CONTRACTION,
            _CHURNED,
        ),
        ("=GTM_GRR(1000000, 30000, 70000)", "0.9"),
    ),
    GTMFunction(
        "GTM_ATTAINMENT",
        metrics.attainment,
        "Share of target reached: actual/target (target/actual when lower is better).",
        (
            _p("actual", "number", "The actual value of the KPI"),
            _p("target", "number", "The target of the KPI"),
            _p("lower_is_better", "flag", "TRUE for KPIs such as CAC or payback where less is better", True),
        ),
        ("=GTM_ATTAINMENT(90, 100)", "0.9"),
    ),
    GTMFunction(
        "GTM_FUNNEL",
        funnel.stage_conversion,
        "Stage conversion rates of a funnel (Lead > MQL > SQL > Won).",
        (
            _p("counts", "range", "Counts per stage, first stage first (a row or a column)"),
            _p("cumulative", "flag", "TRUE to divide every stage by the first stage", True),
        ),
        ("=GTM_FUNNEL({1000,200,50,10})", "{0.2,0.25,0.2}"),
        batchable=False,
        spills=True,
    ),
    GTMFunction(
        "GTM_REVERSE_FUNNEL",
        funnel.reverse_funnel,
        "What each funnel stage must deliver to reach a revenue target.",
        (
            _p("target_revenue", "range", "Revenue to win; a column of targets gives one funnel per row"),
            _p("avg_deal", "range", "Average deal size: one, or one per target"),
            _p("rates", "range", "Stage conversion rates, first stage first"),
        ),
        ("=GTM_REVERSE_FUNNEL(1000000, 10000, {0.2,0.25,0.2})", "{10000,2000,500,100}"),
        batchable=False,
        spills=True,
    ),
    GTMFunction(
        "GTM_WEIGHTED_SCORE",
        scoring.weighted_score,
        "Weighted score per row: sum(w*s)/sum(w), blanks reweighted.",
        (
            _p("scores", "row", "Scores: one row per industry, one column per criterion"),
            _p("weights", "range", "One weight per criterion (not negative)"),
            _p("missing", "text", '"reweight" (default: blanks drop out) or "zero"', True),
            _p("scale_min", "number", "Lowest allowed score (default 0)", True),
            _p("scale_max", "number", "Highest allowed score (default 10)", True),
        ),
        ("=GTM_WEIGHTED_SCORE({8,6,9}, {0.5,0.3,0.2})", "7.6"),
    ),
    GTMFunction(
        "GTM_TIER",
        scoring.tier,
        "Traffic-light tier: A (key) >= 7, B (general) >= 4, C (non-key) below.",
        (
            _p("score", "number", "The score to classify"),
            _p("thresholds", "range", "Thresholds in descending order (default 7, 4)", True),
            _p("labels", "range", "One more label than thresholds (default A, B, C)", True),
        ),
        ("=GTM_TIER(7.6)", "A"),
    ),
    GTMFunction(
        "GTM_SPLIT_TARGET",
        allocation.split_target,
        "Split a target or budget by weights; parts sum exactly to the total.",
        (
            _p("total", "range", "The total to split (one per row of weights, or one for all)"),
            _p("weights", "range", "Weights (not negative); all zero gives an even split"),
            _p("unit", "number", "Every part is a multiple of this (default 1)", True),
            _p("locked", "range", "Same shape as weights: filled cells keep their value", True),
        ),
        ("=GTM_SPLIT_TARGET(12000000, {2,3,4,3})", "{2000000,3000000,4000000,3000000}"),
        batchable=False,
        spills=True,
    ),
    GTMFunction(
        "GTM_COMMISSION",
        compensation.commission,
        "Commission with accelerators: base*(1+bonus of the highest tier reached).",
        (
            _p("attainment", "number", "Attainment as a fraction of target, 1 for 100%"),
            _p("base", "number", "Base commission at 100% of target"),
            _p("tiers", "range", "Two columns: threshold, bonus (default 1.2, 0.2 and 1.5, 0.5)", True),
            _p("below", "text", '"prorata" (default) or "zero" below 100%', True),
        ),
        ("=GTM_COMMISSION(1.3, 1000)", "1200"),
    ),
    GTMFunction(
        "GTM_NPS",
        metrics.nps,
        "Net promoter score: %promoters (9-10) - %detractors (0-6), -100..100.",
        (_p("responses", "range", "Answers 0-10; blanks are ignored"),),
        ("=GTM_NPS({10,9,8,7,6})", "20"),
        batchable=False,
    ),
]

#: Excel name → entry, in catalogue order.
CATALOGUE: dict[str, GTMFunction] = {f.name: f for f in _ENTRIES}


# --- conversion: Excel values ⇄ the math's inputs and outputs ---------------------------------
def _as_block(value: Any) -> Any:
    """A range as a 2-D object array; scalars stay scalars."""
    if isinstance(value, np.ndarray):
        return value if value.ndim != 1 else value.reshape(1, -1)
    if isinstance(value, (list, tuple)):
        arr = np.empty((0, 0), dtype=object)
        rows = (
            [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
            if value and isinstance(value[0], (list, tuple))
            else [list(value)]
        )
        if not rows or not rows[0]:
            return arr
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise ShapeError("a range must be rectangular")
        arr = np.empty((len(rows), width), dtype=object)
        arr[:, :] = rows
        return arr
    return value


def _single(value: Any, param: Param) -> Any:
    """A 1×1 range as its value; anything larger stays a block (an elementwise call)."""
    if type(value) is list and len(value) == 1 and type(value[0]) is list and len(value[0]) == 1:
        return value[0][0]  # the common case, a single cell from xlwings: no array needed
    block = _as_block(value)
    if isinstance(block, np.ndarray):
        if block.size == 1:
            return block.reshape(-1)[0]
        if param.kind in ("text", "flag"):
            raise ValueTypeError("needs a single value", param.name)
    return block


def _flag(value: Any, name: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.number)):
        return value != 0
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE"
    raise ValueTypeError(f"needs TRUE or FALSE, got {value!r}", name)


def _to_excel(result: Any, entry: GTMFunction, first_block: Any) -> Any:
    """The math's result as a cell value or a 2-D array, orientation following the input;
    a single-cell result is a plain value."""
    if isinstance(result, np.ndarray):
        if result.size == 1:
            item = result.reshape(-1)[0]
            return float(item) if isinstance(item, (np.floating, np.integer)) else item
        if result.ndim == 1:
            # one result per row of a block spills as a column; a list in gives a row out
            by_rows = entry.params[0].kind == "row" or (
                isinstance(first_block, np.ndarray) and first_block.ndim == 2 and first_block.shape[1] == 1
            )
            return result.reshape(-1, 1) if by_rows else result.reshape(1, -1)
        return result
    if isinstance(result, (np.floating, np.integer)):
        return float(result)
    return result


def excel_call(name: str, *args: Any) -> Any:
    """Call catalogue function ``name`` with Excel-side arguments.

    Arguments are cell values (``None`` for a blank) or ranges (lists of rows or 2-D arrays);
    omitted optional arguments are simply not passed. Returns a value or a 2-D ``ndarray``
    whose elements may be :class:`CellError`. Raises :class:`GTMError` for a bad call.
    """
    entry = CATALOGUE.get(name.upper())
    if entry is None:
        raise UnknownNameError(f"no such GTM function: {name}")
    if not entry.required <= len(args) <= len(entry.params):
        count = entry.required if entry.required == len(entry.params) else f"{entry.required} to {len(entry.params)}"
        raise ValueTypeError(f"{entry.signature} takes {count} arguments, got {len(args)}")
    values: list[Any] = []
    for param, value in zip(entry.params, args):
        if param.kind in ("number", "text", "flag"):
            value = _single(value, param)
            if isinstance(value, CellError) and param.kind != "number":
                raise error_from_code(value.code, f"holds the error {value.code}", param.name)
            if param.kind == "flag":
                value = _flag(value, param.name)
        else:
            value = _as_block(value)
        if isinstance(value, np.ndarray) and value.size == 0:  # Excel has no empty range: no data
            raise ShapeError("is empty: no data", param.name)
        if param.optional and is_blank(value):  # a blank or "" optional argument is omitted
            value = _OMITTED
        values.append(value)
    while values and values[-1] is _OMITTED:
        values.pop()
    kwargs = {p.name: v for p, v in zip(entry.params, values) if v is not _OMITTED}
    result = entry.func(**kwargs)
    first = values[0] if values else None
    return _to_excel(result, entry, first)


_OMITTED = object()


# --- the evaluator's function table ----------------------------------------------------------
def _batch_kind(param: Param) -> str:
    return {"number": "scalar", "text": "scalar", "flag": "scalar", "row": "row", "range": "range"}[param.kind]


def _make_table_entry(entry: GTMFunction) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        fixed = list(args)
        for i, (param, value) in enumerate(zip(entry.params, args)):
            # in a batch, a keyword option arrives as a column of N equal texts: use it once
            if param.kind in ("text", "flag") and isinstance(value, np.ndarray) and value.size > 1:
                distinct = {repr(v) for v in value.reshape(-1).tolist()}
                if len(distinct) != 1:
                    raise ValueTypeError("differs between the cells of a batch", param.name)
                fixed[i] = value.reshape(-1)[0]
        return excel_call(entry.name, *fixed)

    call.__name__ = entry.name
    call.__doc__ = entry.summary
    call.batchable = entry.batchable  # type: ignore[attr-defined]
    call.arg_kinds = tuple(_batch_kind(p) for p in entry.params)  # type: ignore[attr-defined]
    return call


def excel_functions() -> dict[str, Callable[..., Any]]:
    """The ``GTM_*`` functions for the formula evaluator (see ``gtm_xl.excel.formula``)."""
    return {name: _make_table_entry(entry) for name, entry in CATALOGUE.items()}


# --- the command line's face -----------------------------------------------------------------
def _not_a_number(text: str) -> Any:
    raise NumError(f"{text} is not a number a cell can hold")


def _whole(text: str) -> float:
    """A whole number as a float, refused (``#NUM!``) when no float holds it exactly
    (``10000000000000001`` would silently become ``1e16``)."""
    value = float(text)
    if value - value == 0.0 and int(value) != int(text):
        raise NumError(f"{text} has more digits than a cell's number holds (it would be {int(value)})")
    return value


def _parse_cli_value(text: str) -> Any:
    """A shell argument as a cell value. ``NaN``/``Infinity`` (as text or inside a JSON array) are
    refused (``#NUM!``): no cell holds them, and NaN would otherwise pass for a blank."""
    if text == "":
        return None
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped, parse_constant=_not_a_number, parse_int=_whole)
        except json.JSONDecodeError as exc:
            raise ValueTypeError(f"not a JSON array: {text!r} ({exc.msg})") from None
        return value
    upper = stripped.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE"
    if re.fullmatch(r"[+-]?[0-9]+", stripped):
        return _whole(stripped)
    try:
        value = float(stripped)
    except ValueError:
        return text
    if value != value:
        _not_a_number(stripped)
    return value


def to_json(value: Any) -> Any:
    """A result as JSON-ready data: error values as their codes, arrays as lists of rows."""
    if isinstance(value, np.ndarray):
        return (
            [[to_json(v) for v in row] for row in value.tolist()]
            if value.ndim == 2
            else [to_json(v) for v in value.tolist()]
        )
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    if isinstance(value, np.generic):
        return value.item()
    return value


def calc_from_strings(function: str, args: Sequence[str]) -> Any:
    """``gtm-xl calc``: parse shell arguments (numbers, text, ``""`` for blank, JSON arrays for
    ranges) and call the function; the result is JSON-ready."""
    name = function.upper()
    if not name.startswith("GTM_"):
        name = "GTM_" + name
    entry = CATALOGUE.get(name)
    values = []
    for i, text in enumerate(args):
        try:
            values.append(_parse_cli_value(text))
        except NumError as exc:
            argument = entry.params[i].name if entry is not None and i < len(entry.params) else f"argument {i + 1}"
            raise NumError(exc.message, argument) from None
    return to_json(excel_call(name, *values))
