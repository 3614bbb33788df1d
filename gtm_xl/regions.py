"""The regions table (and the optional per-region rows table) that drive ``gtm-xl distribute``.

Regions table (``.csv`` or ``.xlsx``, first sheet): one row per region; required columns
``region`` (the id: letters, digits, ``-`` and ``_``, used in file names) and ``name``; every other
column header is the defined name of a **single-cell input** of the template and fills it for that
region. An empty cell keeps the template's value.

Rows table (``--rows``): a ``region`` column plus columns named after **list inputs** (an input
block one column wide; ``NAME:k`` addresses the k-th column of a wider block). A region's rows
fill the block from the top in order; the block's cells below them are cleared. Regions absent
from the rows table keep the template's lists.

Every problem in either table — unknown column, missing or duplicate region id, a value failing
the input's data validation, too many rows for a block — is collected and raised together as a
:class:`RegionsError` naming file, row and column; nothing is written by the caller then.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.template_info import Coord, NamedBlock, TemplateInfo, cell_label

__all__ = ["RegionPlan", "RegionsError", "Problem", "read_table", "plan_regions", "parse_text_value"]

_REGION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class RegionsError(ValueError):
    """One or more problems in the regions/rows tables; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RegionPlan:
    """What one regional copy gets: its id and name and the input cells to set."""

    region: str
    name: str
    row: int  # line of the regions table (header = 1)
    cells: dict[Coord, Any] = field(default_factory=dict)


def read_table(path: str | Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(headers, [(row number, values)]) of a CSV (UTF-8, BOM allowed) or the first sheet of an
    .xlsx. Row numbers are as a spreadsheet shows them (header = 1); blank rows are skipped."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from gtm_xl.template_info import load_workbook_bytes

        wb = load_workbook_bytes(path.read_bytes(), data_only=True)
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    else:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [list(r) for r in csv.reader(fh)]
    if not rows:
        raise RegionsError([Problem(str(path), None, None, "the table is empty (no header row)")])
    headers = [("" if h is None else str(h)).strip() for h in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    body = []
    for i, values in enumerate(rows[1:], start=2):
        values = (values + [None] * len(headers))[: len(headers)]
        if all(v is None or (isinstance(v, str) and v.strip() == "") for v in values):
            continue
        body.append((i, values))
    return headers, body


def parse_text_value(text: Any) -> Any:
    """A table cell as a cell value: numbers (``1,000``, ``40%`` allowed) → float, TRUE/FALSE →
    bool, other text stripped; values already typed (from .xlsx) pass through (int → float)."""
    if text is None:
        return None
    if isinstance(text, bool):
        return text
    if isinstance(text, (int, float)):
        return float(text)
    if not isinstance(text, str):
        return text
    s = text.strip()
    if s == "":
        return None
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE"
    t = s.replace(",", "") if _THOUSANDS.match(s) else s
    try:
        if t.endswith("%"):
            return float(t[:-1]) / 100.0
        return float(t)
    except ValueError:
        return s


def _check_value(template: TemplateInfo, coord: Coord, value: Any) -> str | None:
    """Why ``value`` cannot go into the input cell ``coord``, or None."""
    rule = template.validations.get(coord)
    if rule is not None:
        problem = rule.problem(value)
        if problem:
            return f"{problem} (validation of {cell_label(coord)})"
        if rule.checkable and rule.kind != "any":
            return None
    old = template.values.get(coord)
    if isinstance(old, (int, float)) and not isinstance(old, bool) and isinstance(value, str):
        return f"{value!r} is not a number (the template's {cell_label(coord)} holds a number)"
    return None


def _list_target(template: TemplateInfo, header: str) -> tuple[NamedBlock, int] | str:
    """(block, column k) for a rows-table header, or the reason it is not a list input."""
    name, _, k = header.partition(":")
    block = template.input(name)
    if block is None:
        return f"unknown column: {header!r} is not an input name of template {template.template_id}"
    if k:
        if not k.strip().isdigit() or not 1 <= int(k) <= block.shape[1]:
            return f"{header!r}: {name} has {block.shape[1]} column(s)"
        return block, int(k)
    if block.shape[1] != 1:
        return f"{name} is {block.shape[1]} columns wide; name a column as {name}:1 … {name}:{block.shape[1]}"
    return block, 1


def plan_regions(template: TemplateInfo, regions_path: str | Path,
                 rows_path: str | Path | None = None) -> list[RegionPlan]:
    """Read and check the regions table (and rows table) against the template's inputs.

    Raises :class:`RegionsError` with every problem found; returns one plan per region otherwise.
    """
    file = str(regions_path)
    problems: list[Problem] = []
    headers, body = read_table(regions_path)
    lower = [h.lower() for h in headers]
    for required in ("region", "name"):
        if required not in lower:
            problems.append(Problem(file, 1, required, f"missing required column {required!r}"))
    columns: dict[int, Coord] = {}
    for j, h in enumerate(headers):
        key = h.lower()
        if key in ("region", "name"):
            continue
        if key in lower[:j]:
            problems.append(Problem(file, 1, h, "duplicate column"))
            continue
        block = template.input(h)
        if block is None:
            why = ("is an output of the template, not an input" if key in template.outputs
                   else f"is not an input name of template {template.template_id}")
            problems.append(Problem(file, 1, h or f"#{j + 1}", f"unknown column: {h!r} {why}"))
        elif not block.is_scalar:
            problems.append(Problem(file, 1, h, f"{h} is a list input ({block.shape[0]}×{block.shape[1]} "
                                    "cells); give it in the --rows table"))
        else:
            columns[j] = block.coords()[0]
    if problems:
        raise RegionsError(problems)

    ri, ni = lower.index("region"), lower.index("name")
    plans: list[RegionPlan] = []
    seen: dict[str, int] = {}
    for rownum, values in body:
        rid = "" if values[ri] is None else str(values[ri]).strip()
        if isinstance(values[ri], float) and values[ri].is_integer():
            rid = str(int(values[ri]))
        if not rid:
            problems.append(Problem(file, rownum, "region", "missing region id"))
            continue
        if not _REGION_ID.match(rid):
            problems.append(Problem(file, rownum, "region", f"region id {rid!r} must be letters, digits, "
                                    "'-' or '_' (it becomes part of a file name)"))
            continue
        if rid.lower() in seen:
            problems.append(Problem(file, rownum, "region", f"duplicate region id {rid!r} "
                                    f"(first on row {seen[rid.lower()]})"))
            continue
        seen[rid.lower()] = rownum
        name = "" if values[ni] is None else str(values[ni]).strip()
        if not name:
            problems.append(Problem(file, rownum, "name", f"missing name for region {rid!r}"))
        plan = RegionPlan(rid, name, rownum)
        for j, coord in columns.items():
            value = parse_text_value(values[j])
            if value is None:
                continue
            why = _check_value(template, coord, value)
            if why:
                problems.append(Problem(file, rownum, headers[j], why))
            else:
                plan.cells[coord] = value
        plans.append(plan)
    if not plans and not problems:
        problems.append(Problem(file, None, None, "no regions in the table"))
    if rows_path is not None:
        problems.extend(_apply_rows(template, rows_path, {p.region.lower(): p for p in plans}))
    if problems:
        raise RegionsError(problems)
    return plans


def _apply_rows(template: TemplateInfo, rows_path: str | Path, plans: dict[str, RegionPlan]) -> list[Problem]:
    file = str(rows_path)
    problems: list[Problem] = []
    headers, body = read_table(rows_path)
    lower = [h.lower() for h in headers]
    if "region" not in lower:
        return [Problem(file, 1, "region", "missing required column 'region'")]
    targets: dict[int, tuple[NamedBlock, int]] = {}
    for j, h in enumerate(headers):
        if lower[j] == "region":
            continue
        t = _list_target(template, h)
        if isinstance(t, str):
            problems.append(Problem(file, 1, h or f"#{j + 1}", t))
        else:
            targets[j] = t
    if problems:
        return problems
    ri = lower.index("region")
    filled: dict[str, int] = {}
    for rownum, values in body:
        rid = "" if values[ri] is None else str(values[ri]).strip()
        if not rid:
            problems.append(Problem(file, rownum, "region", "missing region id"))
            continue
        plan = plans.get(rid.lower())
        if plan is None:
            problems.append(Problem(file, rownum, "region", f"region {rid!r} is not in the regions table"))
            continue
        k = filled.get(plan.region, 0)
        if k == 0:  # first row of this region: clear the listed columns, then fill from the top
            for block, col in targets.values():
                for coord in block.column(col):
                    plan.cells[coord] = None
        filled[plan.region] = k + 1
        for j, (block, col) in targets.items():
            cells = block.column(col)
            if k >= len(cells):
                problems.append(Problem(file, rownum, headers[j], f"region {rid!r} has more rows than "
                                        f"{block.name} holds ({len(cells)})"))
                continue
            value = parse_text_value(values[j])
            why = _check_value(template, cells[k], value) if value is not None else None
            if why:
                problems.append(Problem(file, rownum, headers[j], why))
            else:
                plan.cells[cells[k]] = value
    return problems
