"""The ``GTM_*`` catalogue in Excel's own formula language: one ``LAMBDA`` per function.

:data:`DEFINITIONS` maps each catalogue name (:mod:`gtm_xl.catalogue`) to its definition as a
person types it in Excel's Name Manager or the Advanced Formula Environment: the same argument
names, optional arguments in brackets (``[unit]``, tested with ISOMITTED), the same error values
as the Python functions for the same bad input, row by row over ranges where the Python function
works row by row. :func:`stored` turns a definition into the text Excel keeps in ``workbook.xml``
(``_xlfn.`` before the functions newer than Excel 2007, ``_xlpm.`` before a bound name,
``_xlop.`` for an optional parameter where it is declared).

Conventions that keep the stored form mechanical: names bound by LET and LAMBDA are lower case,
functions upper case; no bound name looks like a cell (``ab1``) or is ``r``/``c``.

The rules each definition follows, shared by all:

* **the first bad input wins**, in argument order and, inside a range, row by row: an error value
  in an input is that error, a text (other than ``""``) or a TRUE/FALSE where a number is needed is
  ``#VALUE!`` (``err`` below: TOCOL/VSTACK put every input in one column, XMATCH finds the first);
* a blank cell and ``""`` are blanks: 0 in arithmetic, an omitted optional argument when given as
  the argument itself; the blanks of a range are found on the range itself, before an array
  function turns them into 0;
* ``TOCOL(IF({1}, x))``: IF with an array condition makes a single value a 1×1 array, so TOCOL and
  TOROW only ever see arrays (their pages document arrays); ``IFERROR(ROWS(x), 1)`` likewise;
* elementwise functions accept ranges of shapes Python's broadcasting accepts (each dimension 1 or
  the largest), else ``#N/A``; the domain errors (``#NUM!``, ``#DIV/0!``) are then per element.

What the Python side computes with ``expm1``/``log1p`` for precision (LTV over a horizon, churn
conversions) is computed here with a short series near 0 (:data:`_PRECISE`), which keeps the
relative error near 1e-11 at worst where ``1-(1-m)^12`` would lose digits to cancellation. A split
of 2^53 units or more is exact rational arithmetic in Python (#NUM! where a float cannot hold a part);
here, as in every Excel formula, it is floats: beyond Excel's 15 significant digits anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "DEFINITIONS",
    "EXCEL_FUNCTIONS",
    "MARK",
    "VERSION",
    "bound_names",
    "comment",
    "defined_name_xml",
    "functions_used",
    "stored",
]

#: version of the definitions, carried in each name's comment: `gtm-xl functions install`
#: updates a workbook whose names carry an older one
VERSION = "1.0"


# --- shared pieces (inlined, so that every definition stands alone) ---------------------------
def _first_error(*args: str) -> str:
    """``err``: the first error value / non-number among ``args`` (in order, row by row), else 0."""
    stacked = ", ".join(f"TOCOL(IF({{1}}, {a}))" for a in args)
    return (
        f"err, LET(flat, VSTACK({stacked}),\n"
        "      kind, ISERROR(flat) + ISLOGICAL(flat) + ISTEXT(flat) * IFERROR(LEN(flat) > 0, 0),\n"
        "      at, XMATCH(TRUE, kind > 0),\n"
        "      IF(ISNA(at), 0, LET(bad, INDEX(flat, at), IF(ISERROR(bad), bad, #VALUE!)))),\n"
    )


def _fits(*args: str) -> str:
    """``fits``: TRUE when the shapes broadcast (each dimension 1 or the largest); ``pad``: zeros of
    the broadcast shape, added to a result so that it has that shape even where a per-element
    error came from a single-cell argument."""
    hgt = ", ".join(f"IFERROR(ROWS({a}), 1)" for a in args)
    wid = ", ".join(f"IFERROR(COLUMNS({a}), 1)" for a in args)
    return (
        f"hgt, VSTACK({hgt}), wid, VSTACK({wid}),\n"
        "fits, AND((hgt = 1) + (hgt = MAX(hgt)), (wid = 1) + (wid = MAX(wid))),\n"
        "pad, SEQUENCE(MAX(hgt), MAX(wid), 0, 0),\n"
    )


def _omitted(param: str) -> str:
    """TRUE for an optional argument left out, or given as a blank cell or "" (one cell)."""
    return (
        f"IF(ISOMITTED({param}), TRUE, AND(IFERROR(ROWS({param}), 1) = 1, "
        f"IFERROR(COLUMNS({param}), 1) = 1, IFERROR(LEN({param}) = 0, FALSE)))"
    )


def _opt(param: str, default: str) -> str:
    """An optional argument: omitted, a blank cell or "" gives ``default``."""
    return f"IF({_omitted(param)}, {default}, {param})"


def _flag(param: str) -> str:
    """A TRUE/FALSE option: a number (0 is FALSE), TRUE/FALSE or the texts "TRUE"/"FALSE"; an
    error value is itself, anything else (or more than one cell) #VALUE!."""
    return (
        f"IF(ISOMITTED({param}), FALSE, IF(IFERROR(ROWS({param}), 1) * IFERROR(COLUMNS({param}), 1) > 1, #VALUE!, "
        f"LET(x, {param}, IF(ISERROR(x), x, IF(ISLOGICAL(x), x, IF(ISNUMBER(x), x <> 0, "
        'IF(ISTEXT(x), LET(word, UPPER(TRIM(x)), IF(word = "TRUE", TRUE, IF(OR(word = "FALSE", word = ""), FALSE, #VALUE!))), '
        "FALSE)))))))"
    )


def _keyword(param: str, choices: tuple[str, str]) -> tuple[str, str]:
    """(raw check, chosen keyword) of a text option: more than one cell #VALUE!, an error value
    itself (both before anything else, as the Python adapter does); then a blank is the first
    choice and any other text not among ``choices`` #VALUE!."""
    raw = (
        f"IF(ISOMITTED({param}), 0, IF(IFERROR(ROWS({param}), 1) * IFERROR(COLUMNS({param}), 1) > 1, #VALUE!, "
        f"IF(ISERROR({param}), {param}, 0)))"
    )
    a, b = choices
    chosen = (
        f'IF(ISOMITTED({param}), "{a}", LET(word, LOWER(TRIM({param} & "")), '
        f'IF(OR(word = "", word = "{a}"), "{a}", IF(word = "{b}", "{b}", #VALUE!))))'
    )
    return raw, chosen


_NUM = "IF(ISNUMBER({0}), {0}, 0)"  # a checked input with its blanks as 0


def _n(x: str) -> str:
    return _NUM.format(x)


#: expm1 and log1p (what Python uses for precision), with a short series near 0
_PRECISE = (
    "lnp, LAMBDA(y, IF(ABS(y) < 0.0001, y - y ^ 2 / 2 + y ^ 3 / 3 - y ^ 4 / 4, LN(1 + y))),\n"
    "exm, LAMBDA(y, IF(ABS(y) < 0.00001, y + y ^ 2 / 2 + y ^ 3 / 6 + y ^ 4 / 24, EXP(y) - 1)),\n"
)

_LTV_CORE = """\
m, arpa_n * margin_n,
lost, IF(horizon_n = 0, 0, IF(churn_n >= 1, 1, -exm(horizon_n * (lnp(-churn_n) - lnp(discount_n))))),
rate_sum, churn_n + discount_n,
ltv_value, IF(no_horizon, IF(rate_sum = 0, 0, m / IF(rate_sum = 0, 1, rate_sum)), IF(rate_sum = 0, m * horizon_n, m * lost / IF(rate_sum = 0, 1, rate_sum))),
flagged, IF(arpa_n < 0, #NUM!, IF((margin_n < 0) + (margin_n > 1), #NUM!, IF((churn_n < 0) + (churn_n > 1), #NUM!,
  IF(discount_n < 0, #NUM!, IF(no_horizon, IF(rate_sum = 0, #DIV/0!, ltv_value), IF(horizon_n < 0, #NUM!, ltv_value)))))),
"""


def _ltv_inputs(extra: str = "") -> str:
    return (
        f"discount_v, {_opt('discount', '0')},\n"
        f"no_horizon, {_omitted('horizon')},\n"
        "horizon_v, IF(no_horizon, 0, horizon),\n"
    )


DEFINITIONS: dict[str, str] = {}

DEFINITIONS["GTM_LTV"] = f"""\
LAMBDA(arpa, gross_margin, churn, [discount], [horizon], LET(
{_ltv_inputs()}{_first_error("arpa", "gross_margin", "churn", "discount_v", "horizon_v")}\
{_fits("arpa", "gross_margin", "churn", "discount_v", "horizon_v")}\
arpa_n, {_n("arpa")}, margin_n, {_n("gross_margin")}, churn_n, {_n("churn")},
discount_n, {_n("discount_v")}, horizon_n, {_n("horizon_v")},
{_PRECISE}{_LTV_CORE}\
IF(ISERROR(err), err, IF(NOT(fits), #N/A, flagged + pad))))"""

DEFINITIONS["GTM_CAC"] = f"""\
LAMBDA(spend, new_customers, LET(
{_first_error("spend", "new_customers")}{_fits("spend", "new_customers")}\
spend_n, {_n("spend")}, new_n, {_n("new_customers")},
IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(spend_n < 0, #NUM!, IF(new_n < 0, #NUM!, IF(new_n = 0, #DIV/0!, spend_n / IF(new_n = 0, 1, new_n))))))))"""

DEFINITIONS["GTM_LTV_CAC"] = f"""\
LAMBDA(arpa, gross_margin, churn, cac, [discount], [horizon], LET(
{_ltv_inputs()}{_first_error("arpa", "gross_margin", "churn", "discount_v", "cac", "horizon_v")}\
{_fits("arpa", "gross_margin", "churn", "discount_v", "cac", "horizon_v")}\
arpa_n, {_n("arpa")}, margin_n, {_n("gross_margin")}, churn_n, {_n("churn")},
discount_n, {_n("discount_v")}, horizon_n, {_n("horizon_v")}, cac_n, {_n("cac")},
{_PRECISE}{_LTV_CORE}\
IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(ISERROR(flagged), flagged, IF(cac_n < 0, #NUM!, IF(cac_n = 0, #DIV/0!, flagged / IF(cac_n = 0, 1, cac_n))))))))"""

DEFINITIONS["GTM_CAC_PAYBACK"] = f"""\
LAMBDA(cac, arpa, gross_margin, LET(
{_first_error("cac", "arpa", "gross_margin")}{_fits("cac", "arpa", "gross_margin")}\
cac_n, {_n("cac")}, margin, {_n("arpa")} * {_n("gross_margin")},
IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(cac_n < 0, #NUM!, IF(margin <= 0, #NUM!, cac_n / IF(margin <= 0, 1, margin)))))))"""


def _churn(param: str, periods: str) -> str:
    return f"""\
LAMBDA({param}, LET(
{_first_error(param)}{_PRECISE}\
rate, {_n(param)},
IF(ISERROR(err), err,
  IF((rate < 0) + (rate > 1), #NUM!, IF(rate >= 1, 1, -exm({periods} * lnp(-rate)))))))"""


DEFINITIONS["GTM_CHURN_ANNUAL"] = _churn("monthly", "12")
DEFINITIONS["GTM_CHURN_MONTHLY"] = _churn("annual", "1 / 12")

DEFINITIONS["GTM_NRR"] = f"""\
LAMBDA(start, expansion, contraction, churned, [reactivation], LET(
reactivation_v, {_opt("reactivation", "0")},
{_first_error("start", "expansion", "contraction", "churned", "reactivation_v")}\
{_fits("start", "expansion", "contraction", "churned", "reactivation_v")}\
start_n, {_n("start")}, expansion_n, {_n("expansion")}, contraction_n, {_n("contraction")},
churned_n, {_n("churned")}, reactivation_n, {_n("reactivation_v")},
kept, start_n + expansion_n + reactivation_n - contraction_n - churned_n,
IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(start_n < 0, #NUM!, IF(expansion_n < 0, #NUM!, IF(contraction_n < 0, #NUM!, IF(churned_n < 0, #NUM!,
  IF(reactivation_n < 0, #NUM!, IF(start_n = 0, #DIV/0!, kept / IF(start_n = 0, 1, start_n)))))))))))"""

DEFINITIONS["GTM_GRR"] = f"""\
LAMBDA(start, contraction, churned, LET(
{_first_error("start", "contraction", "churned")}{_fits("start", "contraction", "churned")}\
start_n, {_n("start")}, contraction_n, {_n("contraction")}, churned_n, {_n("churned")},
kept, (start_n - contraction_n - churned_n) / IF(start_n = 0, 1, start_n),
IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(start_n < 0, #NUM!, IF(contraction_n < 0, #NUM!, IF(churned_n < 0, #NUM!,
  IF(start_n = 0, #DIV/0!, IF(kept < 0, 0, IF(kept > 1, 1, kept))))))))))"""

DEFINITIONS["GTM_ATTAINMENT"] = f"""\
LAMBDA(actual, target, [lower_is_better], LET(
inverse, {_flag("lower_is_better")},
{_first_error("actual", "target")}{_fits("actual", "target")}\
actual_n, {_n("actual")}, target_n, {_n("target")},
num, IF(inverse, target_n, actual_n), den, IF(inverse, actual_n, target_n),
IF(ISERROR(inverse), inverse, IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(den < 0, #NUM!, IF(den = 0, #DIV/0!, num / IF(den = 0, 1, den))))))))"""


def _blank(x: str) -> str:
    """TRUE where ``x`` is blank: an empty cell or the text ""."""
    return f"IF(ISTEXT({x}), LEN({x}) = 0, ISBLANK({x}))"


_FUNNEL_CUMULATIVE = _flag("cumulative")
DEFINITIONS["GTM_FUNNEL"] = f"""\
LAMBDA(counts, [cumulative], LET(
cum, {_FUNNEL_CUMULATIVE},
{_first_error("counts")}\
as_column, AND(IFERROR(COLUMNS(counts), 1) = 1, IFERROR(ROWS(counts), 1) > 1),
blanks, {_blank("counts")}, values, {_n("counts")},
vals, IF(as_column, TRANSPOSE(values), values), gaps, IF(as_column, TRANSPOSE(blanks), blanks),
stages, IFERROR(COLUMNS(vals), 1),
IF(ISERROR(cum), cum, IF(ISERROR(err), err, IF(stages < 2, #N/A, IF(OR(vals < 0), #NUM!,
  LET(num, DROP(vals, , 1), den, IF(cum, TAKE(vals, , 1), DROP(vals, , -1)),
      num_gap, DROP(gaps, , 1), den_gap, IF(cum, TAKE(gaps, , 1), DROP(gaps, , -1)),
      rates, IF(num_gap + den_gap, #N/A, IF(den = 0, #DIV/0!, num / IF(den = 0, 1, den))),
      IF(as_column, TRANSPOSE(rates), rates))))))))"""

DEFINITIONS["GTM_REVERSE_FUNNEL"] = f"""\
LAMBDA(target_revenue, avg_deal, rates, LET(
{_first_error("target_revenue", "avg_deal")}\
{_first_error("rates").replace("err, ", "rate_err, ", 1)}\
targets, TOCOL(IF({{1}}, {_n("target_revenue")})), deals, TOCOL(IF({{1}}, {_n("avg_deal")})), rate_list, TOCOL(IF({{1}}, {_n("rates")})),
deal_gap, OR(TOCOL(IF({{1}}, {_blank("avg_deal")}))), rate_gap, OR(TOCOL(IF({{1}}, {_blank("rates")}))),
n_t, ROWS(targets), n_d, ROWS(deals), n_all, MAX(n_t, n_d), k, ROWS(rate_list),
up, LAMBDA(x, LET(near, ROUND(x, 0), IF(ABS(x - near) <= 1E-9 * IF(ABS(x) > 1, ABS(x), 1), near, -INT(-x)))),
won, TOCOL(IF({{1}}, up(IF(n_t = 1, INDEX(targets, 1), targets) / IF(n_d = 1, INDEX(deals, 1), deals)))),
grid, MAKEARRAY(n_all, k + 1, LAMBDA(i, j, LET(w, INDEX(won, IF(ROWS(won) = 1, 1, i)),
  IF(j = k + 1, w, REDUCE(w, INDEX(rate_list, SEQUENCE(k + 1 - j, 1, k, -1)), LAMBDA(acc, rt, up(acc / rt))))))),
IF(ISERROR(err), err, IF(AND(n_t <> 1, n_d <> 1, n_d <> n_t), #N/A, IF(deal_gap, #N/A,
  IF(ISERROR(rate_err), rate_err, IF(OR(targets < 0), #NUM!, IF(OR(deals < 0), #NUM!, IF(OR(deals = 0), #DIV/0!,
  IF(rate_gap, #N/A, IF(OR(rate_list = 0), #DIV/0!, IF(OR(rate_list < 0, rate_list > 1), #NUM!,
  IF(OR(ISERROR(grid)), #NUM!, IF(n_all > 1, grid,
  IF(AND(IFERROR(COLUMNS(rates), 1) = 1, IFERROR(ROWS(rates), 1) > 1), TRANSPOSE(grid), grid)))))))))))))))"""

_MISSING_RAW, _MISSING = _keyword("missing", ("reweight", "zero"))
DEFINITIONS["GTM_WEIGHTED_SCORE"] = f"""\
LAMBDA(scores, weights, [missing], [scale_min], [scale_max], LET(
raw, {_MISSING_RAW},
{_first_error("scores", "weights")}\
how, {_MISSING},
lo_v, {_opt("scale_min", "0")}, hi_v, {_opt("scale_max", "10")},
{_first_error("lo_v").replace("err, ", "lo_err, ", 1)}\
{_first_error("hi_v").replace("err, ", "hi_err, ", 1)}\
lo, {_n("lo_v")}, hi, {_n("hi_v")},
wts, TOROW(IF({{1}}, {_n("weights")})),
crit, IFERROR(COLUMNS(scores), 1), pad, SEQUENCE(IFERROR(ROWS(scores), 1), crit, 0, 0),
gaps, ({_blank("scores")}) + pad > 0, vals, {_n("scores")} + pad,
zero, how = "zero",
score_row, LAMBDA(i, LET(s, INDEX(vals, i, 0), g, INDEX(gaps, i, 0), filled, IF(g, 0, s),
  checked, IF(zero, filled, IF(g, lo, s)),
  IF(AND(g), #N/A, IF(OR((checked < lo) + (checked > hi)), #NUM!,
    LET(den, IF(zero, SUM(wts), SUM((1 - g) * wts)), IF(den = 0, #DIV/0!, SUM(filled * wts) / den)))))),
IF(ISERROR(raw), raw, IF(ISERROR(err), err, IF(ISERROR(how), how,
  IF(ISERROR(lo_err), lo_err, IF(IFERROR(ROWS(lo_v), 1) * IFERROR(COLUMNS(lo_v), 1) > 1, #N/A,
  IF(ISERROR(hi_err), hi_err, IF(IFERROR(ROWS(hi_v), 1) * IFERROR(COLUMNS(hi_v), 1) > 1, #N/A,
  IF(lo >= hi, #NUM!, IF(COLUMNS(wts) <> crit, #N/A, IF(OR(wts < 0), #NUM!, IF(SUM(wts) <= 0, #NUM!,
  BYROW(SEQUENCE(IFERROR(ROWS(scores), 1)), score_row))))))))))))))"""

DEFINITIONS["GTM_TIER"] = f"""\
LAMBDA(score, [thresholds], [labels], LET(
limits, {_opt("thresholds", "{7;4}")},
no_labels, {_omitted("labels")},
names, IF(no_labels, 0, labels),
{_first_error("limits").replace("err, ", "limit_err, ", 1)}\
limit_col, TOCOL(IF({{1}}, {_n("limits")})), limit_gap, TOCOL(IF({{1}}, {_blank("limits")})),
kept, IFERROR(SUM(--NOT(limit_gap)), 0),
limit_list, IF(kept = 0, 0, FILTER(limit_col, NOT(limit_gap))),
default_names, IF(kept = 2, {{"A";"B";"C"}}, MID("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SEQUENCE(kept + 1), 1)),
given, TOCOL(IF({{1}}, names)), given_gap, TOCOL(IF({{1}}, {_blank("names")})),
label_list, IF(no_labels, default_names, IF(AND(given_gap), 0, FILTER(given, NOT(given_gap)))),
label_count, IF(no_labels, kept + 1, SUM(--NOT(given_gap))),
label_at, XMATCH(TRUE, ISERROR(label_list)),
label_err, IF(ISNA(label_at), 0, INDEX(label_list, label_at)),
texts, IF(ISNUMBER(label_list), label_list & "", IF(ISLOGICAL(label_list), IF(label_list, "True", "False"), label_list)),
score_bad, OR(IFERROR(ISLOGICAL(score) + ISTEXT(score) * (LEN(score) > 0), FALSE)),
empty, {_blank("score")},
labelled, IF(ISERROR(score), score, IF(empty, #N/A,
  INDEX(texts, IFERROR(XMATCH(IF(ISNUMBER(score), score, 0), limit_list, -1), kept + 1)))),
IF(ISERROR(limit_err), limit_err, IF(kept = 0, #N/A,
  IF(IF(kept > 1, OR(DROP(limit_list, 1) >= DROP(limit_list, -1)), FALSE), #NUM!,
  IF(ISERROR(label_err), label_err, IF(label_count <> kept + 1, #N/A,
  IF(score_bad, #VALUE!, labelled))))))))"""

_LOCK_ROW = "IF(ROWS({0}) = 1, {0}, CHOOSEROWS({0}, i))"
DEFINITIONS["GTM_SPLIT_TARGET"] = f"""\
LAMBDA(total, weights, [unit], [locked], LET(
unit_v, {_opt("unit", "1")},
has_locks, NOT(ISOMITTED(locked)),
locks, {_opt("locked", "0")},
no_locks, IF(has_locks, AND(IFERROR(ROWS(locked), 1) = 1, IFERROR(COLUMNS(locked), 1) = 1,
  IFERROR(LEN(locked) = 0, FALSE)), TRUE),
{_first_error("unit_v").replace("err, ", "unit_err, ", 1)}\
{_first_error("weights", "total").replace("err, ", "err, ", 1)}\
{_first_error("locks").replace("err, ", "lock_err, ", 1)}\
u, {_n("unit_v")},
w_in, {_n("weights")}, w_rows, IFERROR(ROWS(weights), 1), w_cols, IFERROR(COLUMNS(weights), 1),
vector, OR(w_rows = 1, w_cols = 1),
w_block, IF(vector, TOROW(IF({{1}}, w_in)), w_in), cols, COLUMNS(w_block),
totals, TOCOL(IF({{1}}, {_n("total")})), n_t, ROWS(totals),
total_gap, OR(TOCOL(IF({{1}}, {_blank("total")}))),
lines, IF(AND(n_t > 1, ROWS(w_block) = 1), n_t, ROWS(w_block)),
l_size, IFERROR(ROWS(locks), 1) * IFERROR(COLUMNS(locks), 1),
l_values, IF(no_locks, SEQUENCE(1, cols, 0, 0), WRAPROWS(TOCOL(IF({{1}}, {_n("locks")})), cols)),
l_gaps, IF(no_locks, SEQUENCE(1, cols, 1, 0) = 1, WRAPROWS(TOCOL(IF({{1}}, {_blank("locks")})), cols)),
snap, LAMBDA(x, LET(near, ROUND(x, 0), IF(ABS(x - near) <= 1E-12 * IF(ABS(x) > 1, ABS(x), 1), near, x))),
split, LAMBDA(tot, wrow, lrow, lgap, LET(
  seq, SEQUENCE(1, cols), free, lgap,
  rem_raw, tot - SUM(IF(lgap, 0, lrow)),
  rem, IF(ABS(rem_raw) <= 1E-12 * MAX(1, ABS(tot)), 0, rem_raw),
  no_free, NOT(OR(free)),
  IF(AND(no_free, rem <> 0), #NUM!, IF(OR(rem * tot < 0, AND(tot = 0, rem <> 0)), #NUM!, IF(no_free, lrow,
  LET(sgn, IF(rem < 0, -1, 1), amount, ABS(rem),
    eff_w, IF(free, wrow, 0), w_sum, SUM(eff_w),
    eff, IF(w_sum = 0, --free, eff_w), eff_sum, IF(w_sum = 0, SUM(--free), w_sum),
    units, INT(snap(amount / u)),
    quota, snap(eff * units / eff_sum), floor_q, INT(quota),
    fraction, IF(free, quota - floor_q, -1),
    leftover, units - SUM(floor_q),
    ranking, SORTBY(seq, fraction, -1, eff, -1, seq, 1),
    place, XMATCH(seq, ranking) - 1,
    parts, (floor_q + (place < leftover)) * u,
    residual, amount - units * u,
    largest, INDEX(SORTBY(seq, IF(free, parts, -1), -1, eff, -1, seq, 1), 1),
    with_residual, IF(residual > 0, parts + (seq = largest) * residual, parts),
    signed, IF(lgap, with_residual * sgn, lrow),
    gap, tot - SUM(signed),
    largest_abs, INDEX(SORTBY(seq, IF(free, ABS(signed), -1), -1, eff, -1, seq, 1), 1),
    IF(AND(gap <> 0, u <> INT(u)), signed + (seq = largest_abs) * gap, signed))))))),
line, LAMBDA(i, split(INDEX(totals, IF(n_t = 1, 1, i)), {_LOCK_ROW.format("w_block")},
  {_LOCK_ROW.format("l_values")}, {_LOCK_ROW.format("l_gaps")})),
all_lines, IF(lines = 1, line(1), REDUCE(line(1), SEQUENCE(lines - 1, 1, 2), LAMBDA(acc, i, VSTACK(acc, line(i))))),
IF(ISERROR(unit_err), unit_err, IF(IFERROR(ROWS(unit_v), 1) * IFERROR(COLUMNS(unit_v), 1) > 1, #N/A,
  IF(u <= 0, #NUM!, IF(ISERROR(err), err, IF(total_gap, #N/A, IF(AND(n_t <> 1, n_t <> lines), #N/A,
  IF(OR(w_block < 0), #NUM!, IF(ISERROR(lock_err), lock_err,
  IF(AND(NOT(no_locks), l_size <> w_rows * w_cols, NOT(AND(vector, l_size = cols))), #N/A,
  IF(OR(ISERROR(all_lines)), #NUM!,
  IF(AND(vector, n_t = 1), IF(w_cols = 1, TRANSPOSE(all_lines), all_lines), all_lines)))))))))))))"""

_BELOW_RAW, _BELOW = _keyword("below", ("prorata", "zero"))
DEFINITIONS["GTM_COMMISSION"] = f"""\
LAMBDA(attainment, base, [tiers], [below], LET(
raw, {_BELOW_RAW},
tier_v, {_opt("tiers", "{1.2,0.2;1.5,0.5}")},
{_first_error("tier_v").replace("err, ", "tier_err, ", 1)}\
tier_h, IFERROR(ROWS(tier_v), 1), tier_w, IFERROR(COLUMNS(tier_v), 1),
tier_gap, {_blank("tier_v")},
pairs, IF(tier_w = 2, {_n("tier_v")}, TRANSPOSE({_n("tier_v")})),
pair_gap, IF(tier_w = 2, tier_gap, TRANSPOSE(tier_gap)),
both_gap, BYROW(pair_gap, LAMBDA(g, AND(g))),
any_gap, BYROW(pair_gap, LAMBDA(g, OR(g))),
kept_pairs, SUM(--NOT(both_gap)),
tier_list, IF(kept_pairs = 0, 0, FILTER(pairs, NOT(both_gap))),
sorted, IF(kept_pairs = 0, 0, SORTBY(tier_list, TAKE(tier_list, , 1), 1, SEQUENCE(ROWS(tier_list)), 1)),
how, {_BELOW},
{_first_error("attainment", "base")}{_fits("attainment", "base")}\
att, {_n("attainment")}, base_n, {_n("base")},
bonus, IF(kept_pairs = 0, 0, IFERROR(INDEX(TAKE(sorted, , -1), XMATCH(att, TAKE(sorted, , 1), -1, -1)), 0)),
paid, IF(att >= 1, base_n * (1 + bonus), IF(how = "prorata", base_n * att, 0)),
IF(ISERROR(raw), raw, IF(ISERROR(tier_err), tier_err,
  IF(AND(tier_h <> 2, tier_w <> 2), #N/A, IF(OR(any_gap * NOT(both_gap)), #N/A,
  IF(IF(kept_pairs = 0, FALSE, OR(TAKE(tier_list, , 1) < 1)), #NUM!, IF(IF(kept_pairs = 0, FALSE, OR(TAKE(tier_list, , -1) < 0)), #NUM!,
  IF(ISERROR(how), how, IF(ISERROR(err), err, IF(NOT(fits), #N/A,
  pad + IF(att < 0, #NUM!, IF(base_n < 0, #NUM!, paid)))))))))))))"""

DEFINITIONS["GTM_NPS"] = f"""\
LAMBDA(responses, LET(
{_first_error("responses")}\
answered, NOT({_blank("responses")}), values, {_n("responses")},
answers_n, SUM(--answered),
IF(ISERROR(err), err, IF(answers_n = 0, #DIV/0!,
  IF(OR(answered * ((values < 0) + (values > 10) + (values <> INT(values)))), #NUM!,
  100 * (SUM(answered * (values >= 9)) - SUM(answered * (values <= 6))) / answers_n)))))"""


# --- the stored form -----------------------------------------------------------------------------
#: Every function the definitions use, with the prefix Excel writes before it in a file: "" for the
#: functions of the original file format (Excel 2007), "_xlfn." for later ones, "_xlfn._xlws." for
#: FILTER and SORT. Sources: Microsoft's "Issue: An _xlfn. prefix is displayed in front of a
#: formula" and each function's reference page (the "Applies to" line: Excel for Microsoft 365);
#: the same prefixes as XlsxWriter's and PhpSpreadsheet's writers (Writer/Xlsx/FunctionPrefix.php).
EXCEL_FUNCTIONS: dict[str, str] = {
    **{
        name: ""
        for name in (
            "ABS AND COLUMNS EXP IF IFERROR INDEX INT ISBLANK ISERROR ISLOGICAL ISNA ISNUMBER ISTEXT "
            "LEN LN LOWER MAX MID NOT OR ROUND ROWS SUM TRANSPOSE TRIM UPPER"
        ).split()
    },
    **{
        name: "_xlfn."
        for name in (
            "BYROW CHOOSEROWS DROP ISOMITTED LAMBDA LET MAKEARRAY REDUCE SEQUENCE SORTBY TAKE TOCOL TOROW "
            "VSTACK WRAPROWS XMATCH"
        ).split()
    },
    "FILTER": "_xlfn._xlws.",
    "SORT": "_xlfn._xlws.",
}


def _tokens(text: str):
    # on use: gtm_xl.catalogue imports this module on the refresh path, which never loads openpyxl
    from openpyxl.formula.tokenizer import Tokenizer

    return Tokenizer("=" + text).items


_BOUND = re.compile(r"^\[?[a-z_][a-z0-9_]*\]?$")


def stored(text: str) -> str:
    """A definition as Excel stores it in ``workbook.xml``: no layout, ``_xlfn.`` (or
    ``_xlfn._xlws.``) before newer functions, ``_xlpm.`` before bound names, ``_xlop.`` for an
    optional parameter where the LAMBDA declares it."""
    out = []
    for tok in _tokens(text):
        if tok.type == "WHITE-SPACE":
            continue
        value = tok.value
        if tok.type == "FUNC" and tok.subtype == "OPEN":
            name = value[:-1]
            if _BOUND.match(name):
                value = f"_xlpm.{name}("
            else:
                prefix = EXCEL_FUNCTIONS.get(name.upper())
                if prefix is None:
                    raise KeyError(f"function {name} is not in EXCEL_FUNCTIONS (add it with its file prefix)")
                value = f"{prefix}{name.upper()}("
        elif tok.type == "OPERAND" and tok.subtype == "RANGE" and _BOUND.match(value):
            value = f"_xlop.{value[1:-1]}" if value.startswith("[") else f"_xlpm.{value}"
        out.append(value)
    return "".join(out)


def functions_used(text: str) -> set[str]:
    """The Excel functions a definition calls (bound names left out), upper case."""
    return {
        t.value[:-1].upper()
        for t in _tokens(text)
        if t.type == "FUNC" and t.subtype == "OPEN" and not _BOUND.match(t.value[:-1])
    }


def bound_names(text: str) -> Iterable[str]:
    """Every name a definition binds or uses as a bound name (lower case by convention)."""
    for t in _tokens(text):
        if t.type == "OPERAND" and t.subtype == "RANGE" and _BOUND.match(t.value):
            yield t.value.strip("[]")
        elif t.type == "FUNC" and t.subtype == "OPEN" and _BOUND.match(t.value[:-1]):
            yield t.value[:-1]


# --- the workbook.xml element ------------------------------------------------------------------
#: what a name's comment ends with: which definitions (and which version) put it there
MARK = "gtm-xl lambdas"


def comment(name: str) -> str:
    """The name's description as Excel's Name Manager and formula autocomplete show it: the catalogue
    summary, then the version mark `gtm-xl functions install` reads back (Excel keeps at most 255
    characters)."""
    from gtm_xl.catalogue import CATALOGUE  # here: gtm_xl.catalogue imports this module

    return f"{CATALOGUE[name].summary} ({MARK} {VERSION})"


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def defined_name_xml(name: str, prefix: str = "") -> str:
    """The ``<definedName>`` element of one GTM function as Excel writes it in ``xl/workbook.xml``:
    the stored LAMBDA as the text (no leading ``=``), the description in ``comment``. ``prefix`` is
    the namespace prefix of the workbook part's elements (``""`` for the default namespace)."""
    tag = f"{prefix}:definedName" if prefix else "definedName"
    body = stored(DEFINITIONS[name]).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<{tag} name="{name}" comment="{_xml_attr(comment(name))}">{body}</{tag}>'
