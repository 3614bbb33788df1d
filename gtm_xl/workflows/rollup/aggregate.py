"""Consolidation: totals across regions, the consolidated views in the template's shape, the
reconciliation checks, the KPI portfolio and what changed since the previous roll-up.

Nothing here reads or writes files: :mod:`gtm_xl.workflows.rollup.checks` reads the regional files,
:mod:`gtm_xl.workflows.rollup.output` writes the roll-up.

Sums are exact: each value is taken at its shortest decimal spelling (``repr``), summed as a
:class:`decimal.Decimal` and rounded as the template's number format rounds (``#,##0``: whole
units), so a total never reads ``400199999.9999999``. Words come from the template: each block's
row and column labels and title are the cells its ``gtm_rows_/gtm_cols_/gtm_title_`` names point at,
read from the regional files themselves (industry names differ between regions).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gtm_xl.math import metrics
from gtm_xl.workflows.template_info import NamedBlock, TemplateInfo

__all__ = [
    "Aggregation",
    "Table",
    "View",
    "CheckRow",
    "aggregation_rules",
    "compute_totals",
    "block_totals",
    "exact_sum",
    "views",
    "reconciliation",
    "portfolio",
    "changes",
    "words",
    "language",
]

_RATIO_WORDS = re.compile(
    r"ratio|rate|pct|percent|share|ltv_cac|ltv:cac|payback|nrr|grr|attain|conversion|"
    r"churn|margin|avg|average|mean|score|index|nps|roi|months|per_|"
    r"(?:^|_)(?:cac|ltv|arpa|arpu|aov|price|unit)(?:$|_)",
    re.I,
)
_CURRENCY = re.compile(r"[¥$€£]")
_PER_UNIT = re.compile(r"(?:^|_)(?:cac|ltv|arpa|arpu|aov|price|unit|avg|average|mean|per)(?:$|_)", re.I)
_NO_TOTAL = re.compile(r"rank|position|order|stage", re.I)
# summed outputs that make sense as the weight of an average (money or volume, not payouts or counts of tiers)
_WEIGHT_WORDS = re.compile(
    r"budget|spend|revenue|gmv|mrr|arr|sales|bookings|customers|accounts|firms", re.I
)  # numbers that no total or average means anything for


@dataclass(frozen=True)
class Aggregation:
    """How a scalar output is totalled across regions: ``sum``, ``weighted`` (by ``weight``, a
    summed output or a single-cell numeric input; a plain mean when ``weight`` is None) or
    ``none`` (text, ranks, RAG status)."""

    how: str
    weight: str | None = None

    @property
    def text(self) -> str:
        """In words, for the summary: ``sum``, ``weighted by mrr_start``, ``mean``, ``none``."""
        return self._spelled("weighted by {}", "from summed parts: {}")

    @property
    def code(self) -> str:
        """As the tidy Totals table's ``rule`` column holds it: ``sum``, ``weighted:mrr_start``,
        ``mean``, ``portfolio:…``, ``none``."""
        return self._spelled("weighted:{}", "portfolio:{}")

    def _spelled(self, weighted: str, portfolio: str) -> str:
        if self.how == "weighted":
            return weighted.format(self.weight) if self.weight else "mean"
        if self.how == "portfolio":
            return portfolio.format(self.weight)
        return self.how


# A ratio's family → the volumes that weight it, best first (searched among the summed outputs, then
# the numeric single-cell inputs — a volume is often an input). Weighted by them, the average is the
# ratio of the sums: NRR by starting MRR is Σ(end MRR)/Σ(start MRR); LTV:CAC by acquisition spend is
# Σ(LTV × customers)/Σ(spend); penetration by the market size is Σ(served)/Σ(potential).
_SPEND = re.compile(r"cac_?spend|acquisition_?spend|marketing_?spend|(?:^|_)spend(?:$|_)", re.I)
_NEW_CUSTOMERS = re.compile(r"new_?customers|customers_?won|new_?accounts|deals_?won", re.I)
_WEIGHT_FAMILIES: list[tuple[re.Pattern, list[re.Pattern]]] = [
    (
        re.compile(r"nrr|grr|retention|churn|expansion|contraction", re.I),
        [
            re.compile(p, re.I)
            for p in (
                r"mrr_?start|start(?:ing)?_?mrr|mrr_?begin|opening_?mrr",
                r"(?:^|_)mrr(?:$|_)",
                r"(?:^|_)arr(?:$|_)",
                r"revenue",
            )
        ],
    ),
    (re.compile(r"ltv_?cac|ltv:cac|payback", re.I), [_SPEND, _NEW_CUSTOMERS]),
    (re.compile(r"(?:^|_)cac(?:$|_)", re.I), [_NEW_CUSTOMERS, _SPEND]),  # CAC = spend / customers
    (
        re.compile(r"(?:^|_)(?:ltv|arpa|arpu|aov)(?:$|_)", re.I),
        [re.compile(p, re.I) for p in (r"new_?customers|customers|accounts",)],
    ),
    (
        re.compile(r"penetration|coverage|market_?share", re.I),
        [re.compile(p, re.I) for p in (r"potential|market_?size|addressable|(?:^|_)tam(?:$|_)",)],
    ),
]


# --- consolidation ----------------------------------------------------------------------------------
def aggregation_rules(template: TemplateInfo, included: list) -> dict[str, Aggregation]:
    """Per scalar output: text/RAG and ranks → none; ratios, rates, scores and per-unit values
    (by name, or a % / "x" number format) → a weighted average; other numbers → sum.

    The weight of a ratio is the volume its family is a ratio of, when the template has one as
    a summed output or a numeric single-cell input (:data:`_WEIGHT_FAMILIES`: NRR/GRR/churn by
    the starting MRR, LTV:CAC and CAC payback by the acquisition spend or else the new
    customers, CAC by the new customers, LTV/ARPA by customers, penetration by the market size); else the first summed
    amount of money or volume (budget, spend, revenue, GMV, MRR, customers, accounts, firms);
    else none: a plain mean. LTV:CAC is never summed."""
    rules: dict[str, Aggregation] = {}
    scalars = [k for k, b in template.outputs.items() if b.is_scalar]
    scalars += [k for k, b in template.inputs.items() if b.is_scalar]
    for key in scalars:
        block = template.outputs.get(key) or template.inputs[key]
        values = [_scalar(r, key) for r in included]
        fmt = template.number_formats.get(block.coords()[0], "") or ""
        if (
            any(isinstance(v, (str, bool)) for v in values)
            or (not values and isinstance(template.values.get(block.coords()[0]), str))
            or _NO_TOTAL.search(key)
        ):
            rules[key] = Aggregation("none")
        elif _CURRENCY.search(fmt) and not _PER_UNIT.search(key) and "%" not in fmt:
            rules[key] = Aggregation("sum")  # an amount of money (churned MRR, spend) adds up, whatever its name
        elif _RATIO_WORDS.search(key) or "%" in fmt or re.search(r'"x"|x$', fmt):
            rules[key] = Aggregation("weighted")
        else:
            rules[key] = Aggregation("sum")
    summed = [k for k in scalars if rules[k].how == "sum"]
    volumes = [k for k, b in template.inputs.items() if b.is_scalar and _is_number(template.values.get(b.coords()[0]))]
    generic = next((k for k in summed if _WEIGHT_WORDS.search(k)), None)

    def weight_of(key: str) -> str | None:
        for family, patterns in _WEIGHT_FAMILIES:
            if family.search(key):
                for pattern in patterns:
                    found = next((k for k in [*summed, *volumes] if k != key and pattern.search(k)), None)
                    if found is not None:
                        return found
        return generic

    return {k: (Aggregation("weighted", weight_of(k)) if a.how == "weighted" else a) for k, a in rules.items()}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _scalar(r, name: str) -> Any:
    """A region's value of a single-cell output or input."""
    if name in r.outputs:
        return r.outputs[name][0][0]
    if name in r.input_blocks:
        return r.input_blocks[name][0][0]
    return r.inputs.get(name)


def _weight(r, name: str) -> float | None:
    return _num(_scalar(r, name))


def block_totals(template: TemplateInfo, included: list) -> dict[str, tuple[str, list[list[Any]]]]:
    """Per multi-cell output block: (rule, cell-by-cell totals across regions). Amount blocks are
    summed, ratio/rate/score blocks (same name and number-format rule as the scalars) averaged
    without weights, text cells get None."""
    out: dict[str, tuple[str, list[list[Any]]]] = {}
    for key, block in template.outputs.items():
        if block.is_scalar:
            continue
        fmt = template.number_formats.get(block.coords()[0], "") or ""
        if _NO_TOTAL.search(key):
            continue
        how = "mean" if _RATIO_WORDS.search(key) or "%" in fmt or re.search(r'"x"|x$', fmt) else "sum"
        rows, cols = block.shape
        grid: list[list[Any]] = []
        for i in range(rows):
            line: list[Any] = []
            for j in range(cols):
                nums = [v for v in (_num(r.outputs[key][i][j]) for r in included) if v is not None]
                if not nums:
                    line.append(None)
                else:
                    line.append(
                        exact_sum(nums, _decimals(template, block.coords()[i * cols + j]))
                        if how == "sum"
                        else math.fsum(nums) / len(nums)
                    )
            grid.append(line)
        out[key] = (how, grid)
    return out


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def compute_totals(
    included: list, rules: dict[str, Aggregation], template: TemplateInfo | None = None
) -> dict[str, Any]:
    """The total row: exact sums (rounded as the template's number format rounds), weighted
    averages (plain mean when no weight or all weights are 0)."""
    totals: dict[str, Any] = {}
    for key, rule in rules.items():
        vals = [_num(_scalar(r, key)) for r in included]
        nums = [v for v in vals if v is not None]
        if rule.how == "sum":
            block = None if template is None else (template.outputs.get(key) or template.inputs.get(key))
            totals[key] = exact_sum(
                nums, None if template is None or block is None else _decimals(template, block.coords()[0])
            )
        elif rule.how == "weighted":
            weighted = [
                (v, _weight(r, rule.weight) if rule.weight else 1.0) for v, r in zip(vals, included) if v is not None
            ]
            pairs = [(v, w) for v, w in weighted if w is not None]
            wsum = math.fsum(w for _, w in pairs)
            if pairs and wsum:
                totals[key] = math.fsum(v * w for v, w in pairs) / wsum
            else:
                totals[key] = math.fsum(nums) / len(nums) if nums else None
        else:
            totals[key] = None
    return totals


# --- exact sums -------------------------------------------------------------------------------------
def exact_sum(values: list[float], decimals: int | None = None) -> float | None:
    """Σ values in decimal arithmetic (each value at its shortest decimal spelling), rounded half away
    from zero to ``decimals`` places when given (as Excel's ROUND and a ``#,##0`` format); None for
    no values."""
    nums = [Decimal(repr(float(v))) for v in values]
    if not nums:
        return None
    total = sum(nums, Decimal(0))
    if decimals is not None:
        total = total.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return float(total)


_SECTION = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def format_decimals(fmt: str | None) -> int | None:
    """Decimal places an amount format shows (``#,##0`` → 0, ``#,##0.00`` → 2); None for General,
    percentages and ratios (no rounding: a ratio is not an amount)."""
    if not fmt or fmt == "General":
        return None
    first = _SECTION.sub("", fmt.split(";")[0])
    if "%" in first or "x" in fmt.split(";")[0].lower().replace("0x", ""):
        return None
    if "0" not in first and "#" not in first:
        return None
    _, _, frac = first.partition(".")
    return len(re.findall(r"[0#]", frac))


def _decimals(template: TemplateInfo, coord) -> int | None:
    return format_decimals(template.number_formats.get(coord))


# --- words ------------------------------------------------------------------------------------------
_WORDS = {
    "en": {
        "total": "Total",
        "region": "Region",
        "regions": "regions",
        "name": "Name",
        "file": "File",
        "returned": "Returned",
        "time": "Time stamp (UTC)",
        "checks": "Checks passed",
        "reasons": "Reasons left out",
        "recalc": "Recalculated by",
        "yes": "yes",
        "no": "no",
        "not_returned": "not returned",
        "left_out": "left out",
        "consolidated": "consolidated",
        "status_title": "Status board",
        "checks_title": "Checks: totals against the regional files and the plan",
        "area": "Area",
        "item": "Item",
        "row": "Row",
        "column": "Column",
        "sum_files": "Sum of the regional files",
        "consolidated_total": "Consolidated total",
        "plan": "Central plan",
        "sum_regions": "Sum of regions",
        "difference": "Difference",
        "status": "Status",
        "plan_title": "The regions against the central plan",
        "totals_title": "Every consolidated total against the sum of the regional files",
        "changes_title": "What changed since the previous roll-up",
        "old": "Old value",
        "new": "New value",
        "block": "Block",
        "value": "Value",
        "rollup_of": "Roll-up of {n} region(s)",
        "portfolio": "Portfolio (from summed parts)",
        "count_of": "Regions: {label}",
        "no_changes": "No input or total changed.",
        "inputs": "Inputs",
        "figures": "Figures",
        "added": "(new)",
        "removed": "(gone)",
        "OK": "OK",
        "CHECK": "CHECK",
    },
    "zh": {
        "total": "合计",
        "region": "区域",
        "regions": "个区域",
        "name": "名称",
        "file": "文件",
        "returned": "已交回",
        "time": "时间（UTC）",
        "checks": "校验通过",
        "reasons": "未纳入原因",
        "recalc": "重算方式",
        "yes": "是",
        "no": "否",
        "not_returned": "未交回",
        "left_out": "未纳入",
        "consolidated": "已汇总",
        "status_title": "状态看板",
        "checks_title": "校验：合计与各区域文件及总体计划核对",
        "area": "区块",
        "item": "项目",
        "row": "行",
        "column": "列",
        "sum_files": "各区域文件之和",
        "consolidated_total": "汇总合计",
        "plan": "总体计划",
        "sum_regions": "各区域之和",
        "difference": "差额",
        "status": "状态",
        "plan_title": "各区域与总体计划核对",
        "totals_title": "每个汇总合计与各区域文件之和核对",
        "changes_title": "与上次汇总相比的变化",
        "old": "原值",
        "new": "新值",
        "block": "数据块",
        "value": "数值",
        "rollup_of": "{n}个区域汇总",
        "portfolio": "整体（由各部分之和计算）",
        "count_of": "区域数：{label}",
        "no_changes": "没有输入或合计发生变化。",
        "inputs": "输入",
        "figures": "指标",
        "added": "（新增）",
        "removed": "（删除）",
        "OK": "OK",
        "CHECK": "CHECK",
    },
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def language(included: list) -> str:
    """ "zh" when the template's own labels (read from the files) are Chinese, else "en"."""
    for r in included:
        for entry in r.labels.values():
            texts = [entry.get("title") or "", *(entry.get("rows") or []), *(entry.get("cols") or [])]
            if any(_CJK.search(t) for t in texts if isinstance(t, str)):
                return "zh"
        return "en"
    return "en"


def words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


# --- consolidated views -----------------------------------------------------------------------------
@dataclass
class Table:
    """One consolidated block: ``rows`` labels (with ``groups``, a region per row, for 2-D blocks),
    ``columns`` headers, ``values`` rows × columns. The first ``n_regions`` columns are regions."""

    block: str
    title: str
    header: str  # over the label column
    rows: list[str]
    columns: list[str]
    values: list[list[Any]]
    formats: list[str]  # per row
    n_regions: int
    total_rule: str = ""  # sum / weighted:x / counts / none
    kind: str = "number"  # number | text
    groups: list[str] | None = None
    is_input: bool = False
    categories: list[str] = field(default_factory=list)  # text tables: the labels counted per row


@dataclass
class View:
    """One sheet of the roll-up: the consolidated blocks of one template sheet."""

    sheet: str
    title: str
    tables: list[Table] = field(default_factory=list)


def _label_list(r, key: str, axis: str, n: int) -> list[str]:
    labels = (r.labels.get(key) or {}).get(axis) if r is not None else None
    if not labels or len(labels) != n:
        return [str(i + 1) for i in range(n)]
    return [x if x else str(i + 1) for i, x in enumerate(labels)]


def _title(r, key: str) -> str:
    t = (r.labels.get(key) or {}).get("title") if r is not None else None
    return t or key


def _keyed(template: TemplateInfo, key: str, axis: str) -> bool:
    """Whether a block's labels are an input (a region's own list, e.g. its industries)."""
    block = (template.labels.get(key) or {}).get(axis)
    if block is None:
        return False
    cells = set(block.coords())
    return any(cells & set(b.coords()) for b in template.inputs.values())


def _categories(template: TemplateInfo, values: list[Any]) -> list[str]:
    """The template's own label set the text values belong to (tier labels, RAG labels, OK/CHECK)."""
    present = {v for v in values if isinstance(v, str) and v != ""}
    if not present:
        return []
    for key, block in template.inputs.items():
        if re.search(r"tier_?labels|rag_?labels|status_?labels", key) and not block.is_scalar:
            labels = [x for x in (template.values.get(c) for c in block.coords()) if isinstance(x, str) and x]
            if present <= set(labels):
                return labels
    if present <= {"OK", "CHECK"}:
        return ["OK", "CHECK"]
    return []


def _block_rule(template: TemplateInfo, key: str, block: NamedBlock) -> str:
    fmt = template.number_formats.get(block.coords()[0], "") or ""
    if _NO_TOTAL.search(key):
        return "none"
    if _RATIO_WORDS.search(key) or "%" in fmt or re.search(r'"x"|x$', fmt):
        return "none"
    return "sum"


def _values_of(r, key: str) -> list[list[Any]] | None:
    if key in r.outputs:
        return r.outputs[key]
    return r.input_blocks.get(key)


def _blank(v: Any) -> bool:
    return v is None or v == ""


def views(
    template: TemplateInfo, included: list, totals: dict[str, Any], rules: dict[str, Aggregation], lang: str
) -> list[View]:
    """One :class:`View` per template sheet that holds outputs (and labelled inputs), blocks in
    the order they stand on the sheet: regions as columns and a Total (sums exact; ratios by their
    weights for single cells; text blocks count the regions per tier or status label)."""
    w = words(lang)
    first = included[0] if included else None
    [r.region or "?" for r in included]
    blocks: list[tuple[str, NamedBlock, bool]] = [(k, b, False) for k, b in template.outputs.items()]
    blocks += [  # labelled inputs: single cells with a title, blocks with row or column labels
        (k, b, True)
        for k, b in template.inputs.items()
        if k in template.labels and (b.is_scalar or {"rows", "cols"} & set(template.labels[k]))
    ]
    by_sheet: dict[str, list[tuple[str, NamedBlock, bool]]] = {}
    for k, b, is_input in blocks:
        by_sheet.setdefault(b.sheet, []).append((k, b, is_input))
    out: list[View] = []
    for sheet in template.sheets:
        items = sorted(by_sheet.get(sheet, []), key=lambda x: (x[1].min_row, x[1].min_col))
        # a 2-D input (scores per industry and criterion) stays in the Data sheet: the views show results
        items = [(k, b, inp) for k, b, inp in items if not (inp and min(b.shape) > 1)]
        if not items or not any(not inp for _, _, inp in items) and sheet.lower() != "settings":
            continue
        title = (first.sheet_titles.get(sheet) if first else None) or sheet
        view = View(sheet, str(title))
        scalars = [(k, b, inp) for k, b, inp in items if b.is_scalar]
        if scalars:
            view.tables.append(_scalar_table(template, scalars, included, totals, rules, w, sheet))
        for k, b, inp in items:
            if b.is_scalar:
                continue
            view.tables.append(_block_table(template, k, b, inp, included, w))
        out.append(view)
    return out


def _scalar_table(template, scalars, included, totals, rules, w, sheet) -> Table:
    first = included[0] if included else None
    rows, values, formats, kinds = [], [], [], []
    for k, b, _inp in scalars:
        rows.append(_title(first, k))
        vals = [_scalar(r, k) for r in included]
        rule = rules.get(k)
        total = totals.get(k) if rule is not None and rule.how != "none" else None
        values.append([*vals, total])
        formats.append(template.number_formats.get(b.coords()[0], "General") or "General")
        kinds.append(rule.text if rule is not None else "none")
    inputs_only = all(inp for _, _, inp in scalars)
    return Table(
        block="+".join(k for k, _, _ in scalars),
        title=w["inputs"] if inputs_only else w["figures"],
        header=w["inputs"] if inputs_only else w["figures"],
        rows=rows,
        columns=[*(r.region or "?" for r in included), w["total"]],
        values=values,
        formats=formats,
        n_regions=len(included),
        total_rule="; ".join(kinds),
        is_input=inputs_only,
    )


def _block_table(template: TemplateInfo, key: str, block: NamedBlock, is_input: bool, included: list, w) -> Table:
    first = included[0] if included else None
    n_rows, n_cols = block.shape
    rule = "none" if is_input else _block_rule(template, key, block)
    regions = [r.region or "?" for r in included]
    fmts = [template.number_formats.get(c, "General") or "General" for c in block.coords()]
    grids = [_values_of(r, key) or [[None] * n_cols for _ in range(n_rows)] for r in included]
    flat = [v for g in grids for line in g for v in line]
    is_text = any(isinstance(v, str) and v not in ("",) and not v.startswith("#") for v in flat)
    title = _title(first, key)
    if n_rows > 1 and n_cols > 1:  # a 2-D block: one group of rows per region, then the Total group
        cols = _label_list(first, key, "cols", n_cols)
        keyed = _keyed(template, key, "rows")
        rows, groups, values, formats = [], [], [], []
        sums: dict[str, list[list[float]]] = {}
        order: list[str] = []
        for r, g in zip(included, grids):
            labels = _label_list(r, key, "rows", n_rows)
            for i, line in enumerate(g):
                if keyed and all(_blank(v) for v in line) and _blank((r.labels.get(key) or {}).get("rows", [""])[i]):
                    continue
                rows.append(labels[i])
                groups.append(r.region or "?")
                row_total = (
                    exact_sum([v for v in line if _num(v) is not None], format_decimals(fmts[i * n_cols]))
                    if rule == "sum" and not is_text
                    else None
                )
                values.append([*line, row_total] if rule == "sum" and not is_text else list(line))
                formats.append(fmts[i * n_cols])
                if labels[i] not in sums:
                    sums[labels[i]] = [[] for _ in range(n_cols)]
                    order.append(labels[i])
                for j, v in enumerate(line):
                    number = _num(v)
                    if number is not None:
                        sums[labels[i]][j].append(number)
        if rule == "sum" and not is_text:
            decimals = format_decimals(fmts[0])
            for label in order:
                line = [exact_sum(parts, decimals) for parts in sums[label]]
                rows.append(label)
                groups.append(w["total"])
                values.append([*line, exact_sum([v for v in line if v is not None], decimals)])
                formats.append(fmts[0])
            cols = [*cols, w["total"]]
        return Table(
            key,
            title,
            w["region"],
            rows,
            cols,
            values,
            formats,
            0,
            rule if not is_text else "none",
            "text" if is_text else "number",
            groups=groups,
            is_input=is_input,
        )
    # a row or a column of cells: labels down, regions across
    axis = "rows" if n_cols == 1 else "cols"
    n = max(n_rows, n_cols)
    cells = [[v for line in g for v in line] for g in grids]
    keyed = _keyed(template, key, axis)
    if keyed:  # each region its own list (industries): the union of the labels, blanks where a region has none
        order, maps = [], []
        for r, vals in zip(included, cells):
            raw = (r.labels.get(key) or {}).get(axis) or [""] * n
            m: dict[Any, Any] = {}
            for label, v in zip(raw, vals):
                if _blank(label):
                    continue
                m.setdefault(label, v)
                if label not in order:
                    order.append(label)
            maps.append(m)
        labels = order
        matrix = [[m.get(label) for m in maps] for label in labels]
        row_formats = [fmts[0]] * len(labels)
    else:
        labels = _label_list(first, key, axis, n)
        matrix = [[vals[i] for vals in cells] for i in range(n)]
        row_formats = fmts
    columns = list(regions)
    categories: list[str] = []
    if is_text:
        categories = _categories(template, flat)
        columns += [w["count_of"].format(label=c) for c in categories]
        matrix = [[*line, *(sum(1 for v in line if v == c) for c in categories)] for line in matrix]
        total_rule = "counts" if categories else "none"
    elif rule == "sum":
        columns.append(w["total"])
        matrix = [
            [*line, exact_sum([n for n in map(_num, line) if n is not None], format_decimals(f))]
            for line, f in zip(matrix, row_formats)
        ]
        total_rule = "sum"
    else:
        total_rule = "none"
    return Table(
        key,
        title,
        title,
        labels,
        columns,
        matrix,
        row_formats,
        len(included),
        total_rule,
        "text" if is_text else "number",
        is_input=is_input,
        categories=categories,
    )


# --- reconciliation ---------------------------------------------------------------------------------
@dataclass
class CheckRow:
    """One line of the Checks sheet."""

    area: str
    item: str
    row: str
    column: str
    expected: float | None  # the sum of the regional files / the central plan
    actual: float | None  # the consolidated total / the sum of the regions
    decimals: int | None
    block: str = ""

    @property
    def difference(self) -> float | None:
        if self.expected is None or self.actual is None:
            return None
        return float(Decimal(repr(self.actual)) - Decimal(repr(self.expected)))

    @property
    def ok(self) -> bool:
        d = self.difference
        if d is None:
            return self.expected is None and self.actual is None
        tolerance = 0.5 * 10.0 ** -(self.decimals if self.decimals is not None else 9)
        return abs(d) < tolerance


def reconciliation(
    template: TemplateInfo, included: list, view_list: list[View]
) -> tuple[list[CheckRow], list[CheckRow]]:
    """(plan checks, total checks). Plan: each input the template marks ``gtm_plan_`` (company budget,
    GMV target, enrolments): the template's value against the sum of the regions'. Totals: every
    consolidated Total of the views against the sum of the regional files' values, recomputed from
    the files' numbers with :func:`math.fsum` (an independent path from the decimal sums)."""
    plan: list[CheckRow] = []
    first = included[0] if included else None
    for key in template.plan_totals:
        block = template.inputs[key]
        coord = block.coords()[0]
        planned = _num(template.values.get(coord))
        parts = [_num(_scalar(r, key)) for r in included]
        decimals = _decimals(template, coord)
        plan.append(
            CheckRow(
                _title(first, key),
                _title(first, key),
                "",
                "",
                planned,
                exact_sum([p for p in parts if p is not None], decimals),
                decimals if decimals is not None else 0,
                key,
            )
        )
    totals: list[CheckRow] = []
    for view in view_list:
        for table in view.tables:
            if table.is_input and table.block not in template.plan_totals and "+" not in table.block:
                continue
            if table.groups is not None:  # 2-D: the Total group against every region's rows
                if table.total_rule != "sum":
                    continue
                grid = _values_by_label(table)
                for label, line in grid["Total"].items():
                    for j, col in enumerate(table.columns[:-1]):
                        parts = [g[label][j] for name, g in grid.items() if name != "Total" and label in g]
                        nums = [x for x in (_num(p) for p in parts) if x is not None]
                        decimals = format_decimals(table.formats[0])
                        totals.append(
                            CheckRow(
                                view.title,
                                table.title,
                                label,
                                col,
                                _rounded(math.fsum(nums), decimals) if nums else None,
                                line[j],
                                decimals,
                                table.block,
                            )
                        )
                continue
            if table.kind != "number" or table.n_regions == 0 or len(table.columns) <= table.n_regions:
                continue
            for i, label in enumerate(table.rows):
                line = table.values[i]
                total = line[table.n_regions]
                block_key = table.block.split("+")[i] if "+" in table.block else table.block
                rule = table.total_rule.split("; ")[i] if "+" in table.block else table.total_rule
                if rule != "sum" or total is None:
                    continue
                nums = [x for x in (_num(v) for v in line[: table.n_regions]) if x is not None]
                decimals = format_decimals(table.formats[i])
                totals.append(
                    CheckRow(
                        view.title,
                        table.title,
                        label,
                        table.columns[table.n_regions],
                        _rounded(math.fsum(nums), decimals),
                        total,
                        decimals,
                        block_key,
                    )
                )
    return plan, totals


def _rounded(x: float, decimals: int | None) -> float:
    if decimals is None:
        return x
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _values_by_label(table: Table) -> dict[str, dict[str, list[Any]]]:
    out: dict[str, dict[str, list[Any]]] = {}
    for group, label, line in zip(table.groups or [], table.rows, table.values):
        key = "Total" if group == table.columns[-1] else group
        out.setdefault(key, {})[label] = line
    out.setdefault("Total", {})
    return out


# --- the KPI portfolio ----------------------------------------------------------------------------------
def portfolio(template: TemplateInfo, included: list) -> dict[str, tuple[float, str]]:
    """Portfolio figures of a KPI scorecard from the regions' summed parts, never averaged ratios:
    NRR and GRR from the summed MRR movements (weighted by starting MRR), CAC = Σ spend / Σ new
    customers, LTV:CAC = Σ(LTV × new customers) / Σ spend (lifetime gross profit over acquisition
    spend), CAC payback = Σ spend / Σ(new customers × ARPA × gross margin) (months of the new
    customers' gross profit), LTV = Σ(LTV × new customers) / Σ new customers. Only the figures whose
    parts the template has; name → (value, rule in words)."""
    names = set(template.inputs) | set(template.outputs)
    out: dict[str, tuple[float, str]] = {}
    if not included:
        return out

    def total(name: str) -> float:
        return math.fsum(_num(_scalar(r, name)) or 0.0 for r in included)

    mrr = ("mrr_start", "mrr_expansion", "mrr_contraction", "mrr_churned")
    if all(n in names for n in mrr):
        start, exp, contr, churned = (total(n) for n in mrr)
        react = total("mrr_reactivation") if "mrr_reactivation" in names else 0.0
        if start:
            if "nrr" in names:
                out["nrr"] = (float(metrics.nrr(start, exp, contr, churned, react)), "Σ end MRR / Σ start MRR")
            if "grr" in names:
                out["grr"] = (float(metrics.grr(start, contr, churned)), "Σ retained MRR / Σ start MRR")
    if {"acquisition_spend", "new_customers"} <= names:
        spend, new = total("acquisition_spend"), total("new_customers")
        if new:
            out["cac"] = (float(metrics.cac(spend, new)), "Σ spend / Σ new customers")
        lifetime = [(_num(_scalar(r, "ltv")), _num(_scalar(r, "new_customers"))) for r in included]
        known = [(a, b) for a, b in lifetime if a is not None and b is not None]
        if "ltv" in names and len(known) == len(lifetime):
            gp = math.fsum(a * b for a, b in known)
            if spend:
                out["ltv_cac"] = (gp / spend, "Σ(LTV × new customers) / Σ spend")
            if new:
                out["ltv"] = (gp / new, "Σ(LTV × new customers) / Σ new customers")
        monthly = [
            (_num(_scalar(r, "new_customers")), _num(_scalar(r, "arpa")), _num(_scalar(r, "gross_margin")))
            for r in included
        ]
        complete = [(a, b, c) for a, b, c in monthly if a is not None and b is not None and c is not None]
        if {"arpa", "gross_margin", "cac_payback"} <= names and len(complete) == len(monthly):
            gp_month = math.fsum(a * b * c for a, b, c in complete)
            if gp_month:
                out["cac_payback"] = (spend / gp_month, "Σ spend / Σ(new customers × ARPA × margin)")
    return out


# --- what changed -----------------------------------------------------------------------------------
def changes(previous: list[tuple[str, str, str, str, Any]], current: list[tuple[str, str, str, str, Any]]):
    """Rows (region, block, row, column, old, new) whose value differs between two tidy tables keyed
    by (region, block, row label, column label); a row only in one of them appears with None on the
    other side."""
    old = {tuple(r[:4]): r[4] for r in previous}
    new = {tuple(r[:4]): r[4] for r in current}
    out = []
    for key in [*new, *(k for k in old if k not in new)]:
        a, b = old.get(key), new.get(key)
        if _same(a, b):
            continue
        out.append((*key, a, b))
    return out


def _same(a: Any, b: Any) -> bool:
    if _blank(a) and _blank(b):
        return True
    na, nb = _num(a), _num(b)
    if na is not None and nb is not None:
        return na == nb or math.isclose(na, nb, rel_tol=1e-12, abs_tol=1e-9)
    return a == b
