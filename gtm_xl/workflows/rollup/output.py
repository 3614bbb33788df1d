"""What ``gtm-xl rollup`` writes: the roll-up workbook, tidy CSV files, database tables.

The workbook, for the central team to put on the screen:

* one sheet per area of the template (the template's own sheet names and titles), each block in the
  template's words — regions as columns and a Total (2-D blocks: a group of rows per region and a
  Total group); text blocks (tiers, RAG status) coloured and counted per label; attainments as a
  heat map; a chart per area;
* **Checks** — the regions against the central plan (company budget, GMV target…: the difference
  shown and coloured) and every consolidated total against the sum of the regional files;
* **Status** — per region: name, file, returned or not, time stamp, checks passed, reasons left out;
* **Changes** (with ``--previous``) — per region the inputs and totals that changed, old and new;
* **Totals** and **Data** — tidy tables for BI tools: ``block, row_label, column_label, total, rule`` and
  ``region, block, row_label, column_label, value`` (labels, not numbers).

Injection safety: every text from a regional file is written as a string cell (never a formula,
whatever its first character); in CSV a text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading ``'`` (OWASP's CSV-injection guidance), so a spreadsheet opening the CSV shows
it as text. Texts with control characters never get here (:mod:`gtm_xl.workflows.rollup.checks`
leaves such a file out).

CSV/database tables: ``data``, ``totals``, ``summary`` (one row per region, the single-cell outputs),
``status``, ``checks``, ``left_out`` and, with ``--previous``, ``changes``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from gtm_xl.excel.atomic import write_atomic
from gtm_xl.excel.ooxml.cells import column_letter
from gtm_xl.workflows.rollup.aggregate import Table, View, format_decimals, words

__all__ = [
    "tables",
    "tidy_rows",
    "write_workbook",
    "write_csv",
    "write_db",
    "read_previous",
    "neutralise_csv",
    "db_url",
    "rag_colours",
]

GREEN, AMBER, RED = "C6EFCE", "FFEB9C", "FFC7CE"
HEADER_FILL, TOTAL_FILL = "1F3864", "D9E1F2"
#: labels coloured in every roll-up: the English and Chinese traffic lights, check cells
_DEFAULT_COLOURS = {
    "green": GREEN,
    "amber": AMBER,
    "yellow": AMBER,
    "red": RED,
    "绿": GREEN,
    "黄": AMBER,
    "红": RED,
    "ok": GREEN,
    "check": RED,
}
_LABEL_INPUTS = re.compile(r"(?:rag|status|traffic).*label|label.*(?:rag|status)|tier_?labels?", re.I)
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def db_url(value: str) -> str:
    """A SQLAlchemy URL as given (``dialect://…``), or a file path → ``sqlite:///path``."""
    if "://" in value:
        return value
    return "sqlite:///" + os.path.abspath(value)


def neutralise_csv(value: Any) -> Any:
    """A text a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) with a
    leading ``'``; numbers and other texts unchanged."""
    if isinstance(value, str) and value.startswith(_CSV_TRIGGERS):
        return "'" + value
    return value


def rag_colours(report) -> dict[str, str]:
    """Label (case-folded) → fill colour: the template's own labels — the cells of ``rag_labels``
    (Green/Amber/Red, 绿/黄/红) or ``tier_labels`` (A/B/C), first green, second amber, third red —
    then the English and Chinese defaults and OK/CHECK. A template label wins over a default."""
    info = report.template
    own: dict[str, str] = {}
    for key, block in sorted(info.inputs.items(), key=lambda kv: "tier" in kv[0]):  # status labels first
        if not _LABEL_INPUTS.search(key) or block.is_scalar:
            continue
        labels = [str(v).strip() for v in (info.values.get(c) for c in block.coords()) if v not in (None, "")]
        if len(labels) == 3:
            for label, colour in zip(labels, (GREEN, AMBER, RED)):
                own.setdefault(label.casefold(), colour)
    return {**_DEFAULT_COLOURS, **own}


# --- tidy tables ------------------------------------------------------------------------------------
def _labels(r, key: str, axis: str, n: int) -> list[str]:
    labels = (r.labels.get(key) or {}).get(axis)
    if not labels or len(labels) != n:
        return [str(i + 1) for i in range(n)] if n > 1 else [""]
    return [x if x else str(i + 1) for i, x in enumerate(labels)]


def _title(r, key: str) -> str:
    return (r.labels.get(key) or {}).get("title") or ""


def tidy_rows(report, with_totals: bool = False) -> list[tuple[str, str, str, str, Any]]:
    """(region, block, row label, column label, value) of every cell of every output and input block
    of every consolidated region (a block's single cell: its title as the row label); with
    ``with_totals`` also the consolidated totals as region "Total"."""
    info = report.template
    rows: list[tuple[str, str, str, str, Any]] = []
    blocks = [(k, b) for k, b in info.outputs.items()] + [(k, b) for k, b in info.inputs.items()]
    for r in report.included:
        for key, block in blocks:
            grid = r.outputs.get(key) if key in info.outputs else r.input_blocks.get(key)
            if grid is None:
                continue
            n_rows, n_cols = block.shape
            if block.is_scalar:
                rows.append((r.region, key, _title(r, key) or key, "", grid[0][0]))
                continue
            rl, cl = _labels(r, key, "rows", n_rows), _labels(r, key, "cols", n_cols)
            if n_cols == 1 and not (r.labels.get(key) or {}).get("cols"):
                cl = [_title(r, key)]
            for i, line in enumerate(grid):
                for j, v in enumerate(line):
                    rows.append((r.region, key, rl[i], cl[j], v))
    if with_totals:
        rows += [("Total", block, row, col, total) for block, row, col, total, _ in total_rows(report)]
    return rows


def total_rows(report) -> list[tuple[str, str, str, Any, str]]:
    """(block, row label, column label, total, rule) of every consolidated total."""
    out: list[tuple[str, str, str, Any, str]] = []
    first = report.included[0] if report.included else None
    for key, rule in report.rules.items():
        if rule.how == "none":
            continue
        out.append((key, (_title(first, key) if first else "") or key, "", report.totals.get(key), rule.code))
    for view in report.views:
        for t in view.tables:
            if "+" in t.block or t.total_rule != "sum":
                continue
            if t.groups is not None:
                for g, label, line in zip(t.groups, t.rows, t.values):
                    if g == t.columns[-1]:
                        for col, v in zip(t.columns, line):
                            out.append((t.block, label, col, v, "sum"))
                continue
            for label, line in zip(t.rows, t.values):
                out.append((t.block, label, t.title, line[t.n_regions], "sum"))
    return out


def tables(report) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """table name → (columns, rows): the tidy form shared by CSV and the database."""
    w = words(report.lang)
    scalars = [k for k, b in report.template.outputs.items() if b.is_scalar]
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out["data"] = (["region", "block", "row_label", "column_label", "value"], [list(r) for r in tidy_rows(report)])
    out["totals"] = (["block", "row_label", "column_label", "total", "rule"], [list(r) for r in total_rows(report)])
    out["summary"] = (
        ["region", "name", "file", *scalars],
        [[r.region, r.name, Path(r.path).name, *(r.outputs[k][0][0] for k in scalars)] for r in report.included],
    )
    out["status"] = (
        ["region", "name", "file", "returned", "time_stamp", "checks_passed", "recalculated_by", "reasons"],
        [list(line) for line in _status_lines(report, w, machine=True)],
    )
    checks = [
        ["plan", c.item, c.row, c.column, c.block, c.expected, c.actual, c.difference, "OK" if c.ok else "CHECK"]
        for c in report.plan_checks
    ]
    checks += [
        ["total", c.item, c.row, c.column, c.block, c.expected, c.actual, c.difference, "OK" if c.ok else "CHECK"]
        for c in report.total_checks
    ]
    out["checks"] = (
        ["kind", "item", "row_label", "column_label", "block", "expected", "actual", "difference", "status"],
        checks,
    )
    left = [[Path(r.path).name, r.region, reason] for r in report.left_out for reason in r.reasons]
    left += [[m.get("file"), m["region"], "not returned"] for m in report.missing_regions]
    out["left_out"] = (["file", "region", "reason"], left)
    if report.changes is not None:
        out["changes"] = (
            ["region", "block", "row_label", "column_label", "old_value", "new_value"],
            [list(c) for c in report.changes],
        )
    return out


def _status_lines(report, w, machine: bool = False) -> list[tuple]:
    yes, no = ("yes", "no") if machine else (w["yes"], w["no"])
    lines = []
    for r in report.included:
        lines.append((r.region, r.name, Path(r.path).name, yes, r.modified, yes, r.recalculated_by or "", ""))
    for r in report.left_out:
        lines.append((r.region or "", r.name or "", Path(r.path).name, yes, r.modified, no, "", "; ".join(r.reasons)))
    for m in report.missing_regions:
        name = getattr(report, "region_names", {}).get(m["region"]) or ""
        lines.append((m["region"], name, m.get("file") or "", no, "", "", "", w["not_returned"]))
    return lines


def write_csv(report, folder: Path) -> list[Path]:
    """One UTF-8 CSV per table into ``folder`` (each written atomically; texts neutralised)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (cols, rows) in tables(report).items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([["" if v is None else neutralise_csv(v) for v in row] for row in rows])
        written.append(write_atomic(folder / f"{name}.csv", buf.getvalue().encode("utf-8")))
    return written


def write_db(report, url: str) -> str:
    """Each table into the database at ``url`` (replacing a table of the same name); returns the
    URL without its password. Values of mixed type go into ``value`` (numbers) and ``text``."""
    # on use: pandas and SQLAlchemy cost a roll-up without --db their import time
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(db_url(url))
    try:
        with engine.begin() as conn:
            for name, (cols, rows) in tables(report).items():
                if name == "data":
                    cols = [*cols, "text"]
                    rows = [
                        [
                            *row[:4],
                            row[4] if _is_number(row[4]) else None,
                            None if row[4] is None or _is_number(row[4]) else str(row[4]),
                        ]
                        for row in rows
                    ]
                elif name == "changes":
                    rows = [[*row[:4], *(None if v is None else str(v) for v in row[4:])] for row in rows]
                frame = pd.DataFrame(rows, columns=cols)
                frame.to_sql(name, conn, if_exists="replace", index=False)
    finally:
        engine.dispose()
    return engine.url.render_as_string(hide_password=True)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def read_previous(path: Path) -> list[tuple[str, str, str, str, Any]]:
    """The tidy rows (region, block, row label, column label, value) of an earlier roll-up workbook:
    its Data sheet and its Totals sheet (as region "Total")."""
    if not path.is_file():
        raise ValueError(f"--previous {path}: no such file")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any reader error: not a roll-up workbook
        raise ValueError(f"--previous {path}: not a readable .xlsx workbook ({exc})") from exc
    try:
        if "Data" not in wb.sheetnames:
            raise ValueError(f"--previous {path}: no Data sheet (not a roll-up written by gtm-xl rollup)")
        rows = []
        for line in wb["Data"].iter_rows(min_row=2, values_only=True):
            if line and line[0] is not None:
                cells = list(line[:5]) + [None] * (5 - len(line[:5]))
                region, block, row_label, col_label, value = cells
                rows.append((str(region), str(block or ""), str(row_label or ""), str(col_label or ""), value))
        if "Totals" in wb.sheetnames:
            for line in wb["Totals"].iter_rows(min_row=2, values_only=True):
                if line and line[0] is not None:
                    rows.append(("Total", line[0], line[1] or "", line[2] or "", line[3]))
        return rows
    finally:
        wb.close()


# --- the workbook -----------------------------------------------------------------------------------
def _width(v: Any, fmt: str = "General") -> float:
    """Display width of a value: East Asian wide characters count two."""
    if v is None:
        return 0
    if _is_number(v):
        decimals = format_decimals(fmt) or 0
        text = f"{v:,.{decimals}f}" if abs(v) < 1e15 else repr(v)
        return len(text) + (2 if "¥" in fmt or "$" in fmt or "%" in fmt else 0)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(v))


class _Sheet:
    """A worksheet with the roll-up's styles; every text goes in as a string cell."""

    def __init__(self, wb, title: str) -> None:
        self.ws = wb.create_sheet(title[:31])
        self.widths: dict[int, float] = {}
        thin = Side(style="thin", color="BFBFBF")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.header_style = dict(
            font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=HEADER_FILL),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
        self.total_style = dict(font=Font(bold=True), fill=PatternFill("solid", fgColor=TOTAL_FILL))
        self.Font, self.PatternFill = Font, PatternFill
        ws = self.ws
        ws.sheet_view.showGridLines = False
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True

    def put(self, row: int, col: int, value: Any, fmt: str | None = None, style: str | None = None, fit=True):
        c = self.ws.cell(row, col)
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"  # a text is a string, even one starting with "=": never a formula
        if fmt and _is_number(value):
            c.number_format = fmt
        if style == "header":
            for k, v in self.header_style.items():
                setattr(c, k, v)
            c.border = self.border
        elif style == "total":
            for k, v in self.total_style.items():
                setattr(c, k, v)
            c.border = self.border
        elif style == "cell":
            c.border = self.border
        elif style == "title":
            c.font = self.Font(bold=True, size=14, color=HEADER_FILL)
        elif style == "subtitle":
            c.font = self.Font(italic=True, color="595959")
        elif style == "section":
            c.font = self.Font(bold=True, size=11, color=HEADER_FILL)
        if fit:
            self.widths[col] = max(self.widths.get(col, 0), _width(value, fmt or "General"))
        return c

    def fill(self, row: int, col: int, colour: str) -> None:
        self.ws.cell(row, col).fill = self.PatternFill("solid", fgColor=colour)

    def finish(self, title_rows: str = "1:2", freeze: str | None = None) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[column_letter(col)].width = min(60, max(9, width + 2))
        self.ws.print_title_rows = title_rows
        if freeze:
            self.ws.freeze_panes = freeze


def _sheet_name(view: View, taken: set[str]) -> str:
    name = view.sheet
    if name in taken:
        name = f"{name} by region"
    taken.add(name)
    return name[:31]


def write_workbook(report, target: Path) -> Path:
    """The roll-up workbook, written atomically."""
    w = words(report.lang)
    wb = Workbook()
    wb.remove(wb.active)
    taken = {"Checks", "Status", "Changes", "Totals", "Data"}
    ordered = sorted(report.views, key=lambda v: v.sheet != "Summary")  # the template's summary first
    colours = rag_colours(report)
    for view in ordered:
        _write_view(wb, view, _sheet_name(view, taken), report, w, colours)
    _write_checks(wb, report, w)
    _write_status(wb, report, w)
    if report.changes is not None:
        _write_changes(wb, report, w)
    _write_long(
        wb, "Totals", ["block", "row_label", "column_label", "total", "rule"], [list(r) for r in total_rows(report)]
    )
    _write_long(wb, "Data", ["region", "block", "row_label", "column_label", "value"], tables(report)["data"][1])
    buf = io.BytesIO()
    wb.save(buf)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, buf.getvalue())


def _subtitle(report, w) -> str:
    info = report.template
    return f"{w['rollup_of'].format(n=len(report.included))} · {info.template_id} {info.version}"


def _write_view(wb, view: View, name: str, report, w, colours: dict[str, str]) -> None:
    s = _Sheet(wb, name)
    s.put(1, 1, view.title, style="title", fit=False)
    s.put(2, 1, _subtitle(report, w), style="subtitle", fit=False)
    row = 4
    charts: list[tuple[Table, int]] = []
    for table in view.tables:
        groups = table.groups
        grouped = groups is not None
        first_col = 2 if grouped else 1
        if grouped:
            s.put(row, 1, w["region"], style="header")
        s.put(row, first_col, table.title, style="header")
        for j, col in enumerate(table.columns):
            s.put(row, first_col + 1 + j, col, style="header")
        header_row = row
        row += 1
        top = row
        for i, label in enumerate(table.rows):
            is_total_group = groups is not None and groups[i] == w["total"]
            if groups is not None:
                s.put(row, 1, groups[i], style="total" if is_total_group else "cell")
            s.put(row, first_col, label, style="total" if is_total_group else "cell")
            for j, v in enumerate(table.values[i]):
                total_col = (not grouped and j >= table.n_regions) or (
                    grouped and table.total_rule == "sum" and j == len(table.columns) - 1
                )
                s.put(
                    row,
                    first_col + 1 + j,
                    v,
                    fmt=table.formats[i],
                    style="total" if total_col or is_total_group else "cell",
                )
            row += 1
        bottom = row - 1
        if table.rows:
            last_region_col = first_col + (table.n_regions if not grouped else len(table.columns))
            area = f"{column_letter(first_col + 1)}{top}:{column_letter(last_region_col)}{bottom}"
            if table.kind == "text":
                for word, colour in colours.items():
                    fill = PatternFill("solid", fgColor=colour, bgColor=colour)
                    text = word.replace('"', '""')
                    s.ws.conditional_formatting.add(
                        area, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=fill)
                    )
            elif "attain" in table.block and "+" not in table.block and table.n_regions:
                s.ws.conditional_formatting.add(  # a heat map: red below 90%, amber at 100%, green above
                    area,
                    ColorScaleRule(
                        start_type="num",
                        start_value=0.8,
                        start_color="F8696B",
                        mid_type="num",
                        mid_value=1,
                        mid_color="FFEB84",
                        end_type="num",
                        end_value=1.2,
                        end_color="63BE7B",
                    ),
                )
            elif (
                not grouped
                and table.kind == "number"
                and table.total_rule == "sum"
                and table.n_regions >= 1
                and 2 <= len(table.rows) <= 12
            ):
                charts.append((table, header_row))
        row += 1
    _charts(s, charts, view)
    s.finish(freeze="B4")


def _charts(s: _Sheet, charts: list[tuple[Table, int]], view: View) -> None:
    """Up to two charts beside the tables: each money block by region, its rows stacked (budget by
    region and tier; quarterly phasing by region); without money, the first non-zero summed block."""
    money = [c for c in charts if re.search(r"[¥$€£]", c[0].formats[0])][:2]
    # else the first summed block with something to draw (a row of zero differences is no chart)
    other = [c for c in charts if any(_is_number(v) and v for line in c[0].values for v in line[: c[0].n_regions])]
    chosen = money or other[:1]
    anchor_col = column_letter(max((c for c in s.widths), default=1) + 2)
    for n, (table, header_row) in enumerate(chosen):
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
        chart.title = " · ".join(dict.fromkeys([view.title, table.title]))[:80]
        data = Reference(
            s.ws, min_col=1, max_col=1 + table.n_regions, min_row=header_row + 1, max_row=header_row + len(table.rows)
        )
        chart.add_data(data, from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(s.ws, min_col=2, max_col=1 + table.n_regions, min_row=header_row))
        chart.y_axis.numFmt = "#,##0"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.height, chart.width = 7.5, 14
        s.ws.add_chart(chart, f"{anchor_col}{4 + 16 * n}")


def _status_fill(s: _Sheet, row: int, col: int, ok: bool) -> None:
    s.fill(row, col, GREEN if ok else RED)


def _write_checks(wb, report, w) -> None:
    s = _Sheet(wb, "Checks")
    s.put(1, 1, w["checks_title"], style="title", fit=False)
    s.put(2, 1, _subtitle(report, w), style="subtitle", fit=False)
    row = 4
    if report.plan_checks:
        s.put(row, 1, w["plan_title"], style="section", fit=False)
        row += 1
        for j, h in enumerate([w["item"], w["plan"], w["sum_regions"], w["difference"], w["status"]], start=1):
            s.put(row, j, h, style="header")
        row += 1
        for c in report.plan_checks:
            fmt = _amount_format(report, c.block)
            s.put(row, 1, c.item, style="cell")
            s.put(row, 2, c.expected, fmt, style="cell")
            s.put(row, 3, c.actual, fmt, style="cell")
            s.put(row, 4, c.difference, fmt, style="cell")
            s.put(row, 5, w["OK"] if c.ok else w["CHECK"], style="cell")
            _status_fill(s, row, 4, c.ok)
            _status_fill(s, row, 5, c.ok)
            row += 1
        row += 1
    s.put(row, 1, w["totals_title"], style="section", fit=False)
    row += 1
    head = [w["area"], w["item"], w["row"], w["column"], w["sum_files"], w["consolidated_total"], w["difference"]]
    for j, h in enumerate([*head, w["status"]], start=1):
        s.put(row, j, h, style="header")
    row += 1
    for c in report.total_checks:
        fmt = "#,##0" if c.decimals == 0 else "#,##0.00" if c.decimals else "General"
        for j, v in enumerate([c.area, c.item, c.row, c.column], start=1):
            s.put(row, j, v, style="cell")
        s.put(row, 5, c.expected, fmt, style="cell")
        s.put(row, 6, c.actual, fmt, style="cell")
        s.put(row, 7, c.difference, fmt, style="cell")
        s.put(row, 8, w["OK"] if c.ok else w["CHECK"], style="cell")
        _status_fill(s, row, 7, c.ok)
        _status_fill(s, row, 8, c.ok)
        row += 1
    s.finish(freeze="A4")


def _amount_format(report, key: str) -> str:
    block = report.template.inputs.get(key) or report.template.outputs.get(key)
    if block is None:
        return "General"
    return report.template.number_formats.get(block.coords()[0], "General") or "General"


def _write_status(wb, report, w) -> None:
    s = _Sheet(wb, "Status")
    s.put(1, 1, w["status_title"], style="title", fit=False)
    s.put(2, 1, _subtitle(report, w), style="subtitle", fit=False)
    head = [w["region"], w["name"], w["file"], w["returned"], w["time"], w["checks"], w["recalc"], w["reasons"]]
    for j, h in enumerate(head, start=1):
        s.put(4, j, h, style="header")
    row = 5
    for line in _status_lines(report, w):
        for j, v in enumerate(line, start=1):
            s.put(row, j, v, style="cell", fit=j != 8)
        s.fill(row, 4, GREEN if line[3] == w["yes"] else AMBER)
        if line[5]:
            s.fill(row, 6, GREEN if line[5] == w["yes"] else RED)
        else:
            s.fill(row, 6, AMBER)
        row += 1
    s.ws.column_dimensions["H"].width = 80
    s.finish(freeze="A5")
    for r in range(5, row):
        s.ws.cell(r, 8).alignment = Alignment(wrap_text=True, vertical="top")


def _write_changes(wb, report, w) -> None:
    s = _Sheet(wb, "Changes")
    s.put(1, 1, w["changes_title"], style="title", fit=False)
    s.put(2, 1, _subtitle(report, w), style="subtitle", fit=False)
    head = [w["region"], w["block"], w["row"], w["column"], w["old"], w["new"]]
    for j, h in enumerate(head, start=1):
        s.put(4, j, h, style="header")
    row = 5
    if not report.changes:
        s.put(row, 1, w["no_changes"], fit=False)
    for c in report.changes:
        for j, v in enumerate(c, start=1):
            s.put(row, j, v, fmt="#,##0.##########" if _is_number(v) else None, style="cell")
        row += 1
    s.finish(freeze="A5")


def _write_long(wb, name: str, columns: list[str], rows: list[list[Any]]) -> None:
    s = _Sheet(wb, name)
    for j, h in enumerate(columns, start=1):
        s.put(1, j, h, style="header")
    for i, line in enumerate(rows, start=2):
        for j, v in enumerate(line, start=1):
            s.put(i, j, v)
    s.ws.auto_filter.ref = f"A1:{column_letter(len(columns))}{max(1, len(rows) + 1)}"
    s.finish(title_rows="1:1", freeze="A2")
