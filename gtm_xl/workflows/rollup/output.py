"""What ``gtm-xl rollup`` writes: the summary workbook, tidy CSV files, database tables.

Tables (the same in CSV and in the database):

* ``summary`` — one row per region: ``region``, ``name``, ``file``, then each scalar output;
* ``totals`` — one row per scalar output: ``output``, ``total``, ``rule`` (sum / weighted:<weight> / none);
* ``block_totals`` — each cell of each output block totalled across regions: ``block``, ``row``,
  ``column``, ``total``, ``rule`` (sum, or mean for ratios/rates/scores);
* one table per multi-cell output block (``<block name>``): ``region``, ``row``, ``column``, ``value``;
* ``left_out`` — ``file``, ``region``, ``reason`` (one row per reason; regions of the manifest that
  were not returned appear with the reason "not returned").

The workbook has the sheets Summary (with the total row and a bar chart), RAG (text outputs —
statuses, tiers, flags, also cell by cell from small text blocks — per region with traffic-light
colours, and each file's check result), one sheet per output block (with its totals), and Left out.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from gtm_xl.excel.ooxml.cells import column_letter

__all__ = ["tables", "write_workbook", "write_csv", "write_db"]

GREEN, AMBER, RED = "C6EFCE", "FFEB9C", "FFC7CE"
#: labels coloured in every roll-up: the English and Chinese traffic lights, check cells
_DEFAULT_COLOURS = {
    "green": GREEN,
    "amber": AMBER,
    "yellow": AMBER,
    "red": RED,
    "绿": GREEN,
    "黄": AMBER,
    "红": RED,
    "绿色": GREEN,
    "黄色": AMBER,
    "红色": RED,
    "ok": GREEN,
    "check": RED,
}
# inputs holding a template's own labels, best first: status (RAG) labels, tier labels
_LABEL_INPUTS = re.compile(r"(?:rag|status|traffic).*label|label.*(?:rag|status)|tier_?labels?", re.I)


def _scalars(report) -> list[str]:
    return [k for k, b in report.template.outputs.items() if b.is_scalar]


def _blocks(report) -> list[str]:
    return [k for k, b in report.template.outputs.items() if not b.is_scalar]


def _rule_text(rule) -> str:
    if rule.how == "weighted":
        return f"weighted:{rule.weight}" if rule.weight else "mean"
    return rule.how


def rag_colours(report) -> dict[str, str]:
    """Label (case-folded) → fill colour for the RAG sheet: the template's own labels — the
    cells of an input such as ``rag_labels`` (Green/Amber/Red, or 绿/黄/红 in the Chinese build)
    or ``tier_labels`` (A/B/C), first green, second amber, third red — then the English and
    Chinese defaults and OK/CHECK. A template label wins over a default spelt the same."""
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


def _status_labels(report) -> tuple[str, str, str]:
    """The words of the File-check column: the template's own RAG labels when it has them."""
    info = report.template
    for key, block in info.inputs.items():
        if re.search(r"(?:rag|status).*label", key, re.I) and not block.is_scalar:
            labels = [info.values.get(c) for c in block.coords()]
            if len(labels) == 3 and all(isinstance(v, str) and v.strip() for v in labels):
                return labels[0].strip(), labels[1].strip(), labels[2].strip()
    return "Green", "Amber", "Red"


def tables(report) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """table name → (columns, rows): the tidy form shared by CSV and the database."""
    scalars = _scalars(report)
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out["summary"] = (
        ["region", "name", "file", *scalars],
        [[r.region, r.name, Path(r.path).name, *(r.outputs[k][0][0] for k in scalars)] for r in report.included],
    )
    out["totals"] = (
        ["output", "total", "rule"],
        [[k, report.totals.get(k), _rule_text(report.rules[k])] for k in scalars],
    )
    for key in _blocks(report):
        rows = []
        for r in report.included:
            for i, row in enumerate(r.outputs[key], start=1):
                for j, v in enumerate(row, start=1):
                    rows.append([r.region, i, j, v])
        out[_table_name(key)] = (["region", "row", "column", "value"], rows)
    out["block_totals"] = (
        ["block", "row", "column", "total", "rule"],
        [
            [key, i, j, v, how]
            for key, (how, grid) in report.block_totals.items()
            for i, line in enumerate(grid, start=1)
            for j, v in enumerate(line, start=1)
        ],
    )
    left = [[Path(r.path).name, r.region, reason] for r in report.left_out for reason in r.reasons]
    left += [[m.get("file"), m["region"], "not returned"] for m in report.missing_regions]
    out["left_out"] = (["file", "region", "reason"], left)
    return out


def _table_name(key: str) -> str:
    name = re.sub(r"\W+", "_", key.lower()).strip("_") or "block"
    return name if name not in ("summary", "totals", "block_totals", "left_out") else f"block_{name}"


def write_csv(report, folder: Path) -> list[Path]:
    """One UTF-8 CSV per table into ``folder`` (each written atomically)."""
    from gtm_xl.excel.atomic import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (cols, rows) in tables(report).items():
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([["" if v is None else v for v in row] for row in rows])
        written.append(write_atomic(folder / f"{name}.csv", buf.getvalue().encode("utf-8")))
    return written


def write_db(report, url: str) -> str:
    """Each table into the database at ``url`` (replacing a table of the same name); returns the
    URL without its password."""
    import pandas as pd
    from sqlalchemy import create_engine

    from gtm_xl.workflows.rollup.job import db_url

    engine = create_engine(db_url(url))
    try:
        with engine.begin() as conn:
            for name, (cols, rows) in tables(report).items():
                if cols == ["region", "row", "column", "value"]:  # a block: numbers and text apart
                    cols = ["region", "row", "column", "value", "text"]
                    rows = [
                        [
                            a,
                            b,
                            c,
                            v if isinstance(v, float) else None,
                            None if v is None or isinstance(v, float) else str(v),
                        ]
                        for a, b, c, v in rows
                    ]
                frame = pd.DataFrame(rows, columns=cols)
                frame.to_sql(name, conn, if_exists="replace", index=False)
    finally:
        engine.dispose()
    return engine.url.render_as_string(hide_password=True)


def _status_columns(report) -> list[tuple[str, str, int, int]]:
    """(column label, output, row, col) of every text-valued output cell (statuses, tiers, flags):
    single-cell text outputs, and each cell of a text block of at most 48 cells (``name[i]``)."""
    cols: list[tuple[str, str, int, int]] = []
    for key, block in report.template.outputs.items():
        if block.is_scalar:
            if (
                report.rules.get(key) is not None
                and report.rules[key].how == "none"
                and any(isinstance(r.outputs[key][0][0], str) for r in report.included)
            ):
                cols.append((key, key, 0, 0))
            continue
        rows, width = block.shape
        if rows * width > 48 or not report.included:
            continue
        values = [v for r in report.included for line in r.outputs[key] for v in line if v not in (None, "")]
        if values and all(isinstance(v, str) for v in values):
            for i in range(rows):
                for j in range(width):
                    label = f"{key}[{i + 1}]" if width == 1 else f"{key}[{i + 1},{j + 1}]"
                    cols.append((label, key, i, j))
    return cols


def _chart_block(report) -> str | None:
    """The first output block totalled by summing, with 2 to 12 numeric cells, or None."""
    for key, (how, grid) in report.block_totals.items():
        cells = [v for line in grid for v in line]
        if how == "sum" and 2 <= len(cells) <= 12 and all(isinstance(v, float) for v in cells):
            return key
    return None


def write_workbook(report, target: Path) -> Path:
    """The summary workbook, written atomically."""
    import io

    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill

    from gtm_xl.excel.atomic import write_atomic

    info = report.template
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    bold = Font(bold=True)
    scalars = _scalars(report)
    ws.append(
        [
            f"Roll-up of {info.template_id} {info.version}: {len(report.included)} region(s) consolidated, "
            f"{len(report.left_out)} file(s) left out, {len(report.missing_regions)} not returned"
        ]
    )
    ws.append([])
    header = ["Region", "Name", "File", *scalars]
    ws.append(header)
    for c in range(1, len(header) + 1):
        ws.cell(3, c).font = bold
    first = 4
    for r in report.included:
        ws.append([r.region, r.name, Path(r.path).name, *(r.outputs[k][0][0] for k in scalars)])
    last = first + len(report.included) - 1
    total_row = last + 1
    ws.cell(total_row, 1, "Total").font = bold
    ws.cell(total_row + 1, 1, "Rule")
    for j, key in enumerate(scalars, start=4):
        fmt = info.number_formats.get(info.outputs[key].coords()[0], "General")
        for row in range(first, total_row + 1):
            ws.cell(row, j).number_format = fmt
        cell = ws.cell(total_row, j, report.totals.get(key))
        cell.font = bold
        ws.cell(total_row + 1, j, report.rules[key].text)
    for j in range(1, len(header) + 1):
        ws.column_dimensions[column_letter(j)].width = 16
    ws.freeze_panes = "B4"
    summed = [k for k in scalars if report.rules[k].how == "sum"]
    chart_block = _chart_block(report) if not summed else None
    if summed and report.included:
        col = 4 + scalars.index(summed[0])
        chart = BarChart()
        chart.title = f"{summed[0]} by region"
        chart.y_axis.title = summed[0]
        chart.add_data(Reference(ws, min_col=col, min_row=3, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.width, chart.height = 18, 9
        ws.add_chart(chart, f"{column_letter(len(header) + 2)}3")
    elif chart_block is not None and report.included:
        # no summed single-cell output: a small summed block (e.g. counts per tier), one bar per cell
        key = chart_block
        top = total_row + 4
        ws.cell(top - 1, 1, f"{key} by region").font = bold
        cells = [(i, j) for i, line in enumerate(report.included[0].outputs[key]) for j in range(len(line))]
        ws.cell(top, 1, "Region").font = bold
        for n, (i, j) in enumerate(cells, start=2):
            ws.cell(
                top, n, f"{key}[{i + 1}]" if len(report.included[0].outputs[key][0]) == 1 else f"{key}[{i + 1},{j + 1}]"
            ).font = bold
        for m, r in enumerate(report.included, start=1):
            ws.cell(top + m, 1, r.region)
            for n, (i, j) in enumerate(cells, start=2):
                ws.cell(top + m, n, r.outputs[key][i][j])
        chart = BarChart()
        chart.title = f"{key} by region"
        chart.add_data(
            Reference(ws, min_col=2, max_col=len(cells) + 1, min_row=top, max_row=top + len(report.included)),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(report.included)))
        chart.width, chart.height = 18, 9
        ws.add_chart(chart, f"{column_letter(max(len(header), len(cells) + 1) + 2)}3")

    rag = wb.create_sheet("RAG")
    columns = _status_columns(report)
    rag.append(["Region", "Name", *(label for label, _, _, _ in columns), "File check"])
    for c in range(1, len(columns) + 4):
        rag.cell(1, c).font = bold
    ok, missing, bad = _status_labels(report)
    for r in report.included:
        rag.append([r.region, r.name, *(r.outputs[k][i][j] for _, k, i, j in columns), ok])
    for r in report.left_out:
        rag.append([r.region or Path(r.path).name, r.name, *([None] * len(columns)), bad])
    for m in report.missing_regions:
        rag.append([m["region"], None, *([None] * len(columns)), missing])
    if rag.max_row > 1:
        area = f"C2:{column_letter(len(columns) + 3)}{rag.max_row}"
        for word, color in rag_colours(report).items():
            fill = PatternFill("solid", fgColor=color, bgColor=color)
            text = word.replace('"', '""')  # Excel compares text case-insensitively
            rag.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=fill))

    for key in _blocks(report):
        bs = wb.create_sheet(_table_name(key)[:31])
        bs.append(["region", "row", "column", "value"])
        for r in report.included:
            for i, row in enumerate(r.outputs[key], start=1):
                for j, v in enumerate(row, start=1):
                    bs.append([r.region, i, j, v])
        how, grid = report.block_totals.get(key, ("sum", []))
        bs.cell(1, 6, f"Total across regions ({how})").font = bold
        bs.cell(2, 6, "row").font = bs.cell(2, 7, "column").font = bs.cell(2, 8, "total").font = bold
        n = 3
        for i, line in enumerate(grid, start=1):
            for j, v in enumerate(line, start=1):
                bs.cell(n, 6, i), bs.cell(n, 7, j), bs.cell(n, 8, v)
                n += 1

    lo = wb.create_sheet("Left out")
    lo.append(["File", "Region", "Reason"])
    for c in range(1, 4):
        lo.cell(1, c).font = bold
    for row in tables(report)["left_out"][1]:
        lo.append(row)
    lo.column_dimensions["A"].width = 30
    lo.column_dimensions["C"].width = 100

    buf = io.BytesIO()
    wb.save(buf)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, buf.getvalue())
