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
import io
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.errors import CellError
from gtm_xl.excel.ooxml.cells import column_letter
from gtm_xl.excel.ooxml.package import Package, PackageError
from gtm_xl.workflows.template_info import (
    CHECK_FAIL,
    CHECK_OK,
    Coord,
    NamedBlock,
    RuleChecker,
    TemplateInfo,
    cell_label,
)

__all__ = [
    "RegionPlan",
    "RegionsError",
    "Problem",
    "read_table",
    "decode_csv",
    "plan_regions",
    "parse_text_value",
    "check_custom_rules",
]

_REGION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?%?$")
#: a number as a table may spell it: ASCII digits only (no ``1_000``, full-width or Arabic-Indic
#: digits, which Python's float() would take), optional sign, decimals, exponent and percent sign
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?$")
#: characters no cell text may hold: C0 controls but tab/LF/CR, DEL, the XML non-characters and
#: lone surrogates (they make an invalid workbook.xml or hide text); NUL among them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
#: the largest table read whole (a CSV or an .xlsx file; the .xlsx parts are also bomb-checked)
MAX_TABLE_BYTES = 64 << 20


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


def _check_file(path: Path) -> None:
    """A table must be a regular file of a sane size: a FIFO would block the read forever."""
    try:
        st = path.stat()
    except OSError as exc:
        raise RegionsError([Problem(str(path), None, None, f"cannot read: {exc.strerror or exc}")]) from None
    if not stat.S_ISREG(st.st_mode):
        raise RegionsError([Problem(str(path), None, None, "not a regular file (a folder, FIFO or device): refused")])
    if st.st_size > MAX_TABLE_BYTES:
        raise RegionsError(
            [
                Problem(
                    str(path), None, None, f"{st.st_size:,} bytes, over the {MAX_TABLE_BYTES:,}-byte limit of a table"
                )
            ]
        )


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, list[Any]]], list[Problem]]:
    """(row number, values from column A) of the first sheet through the guarded package reader
    (zip bombs, encrypted and corrupt files refused before openpyxl or anything inflates them);
    a formula cell without a cached value is a problem (its value is unknown until Excel
    calculates it), and an error value is kept as its code."""
    problems: list[Problem] = []
    try:
        with Package(path) as pkg:
            pkg.verify()
            names = list(pkg.sheet_parts)
            if not names:
                raise PackageError(path, "the workbook has no worksheet")
            _, sheet = pkg.read_sheet(names[0], pkg.shared_strings())
    except PackageError as exc:
        raise RegionsError([Problem(str(path), None, None, f"not a readable .xlsx table ({exc.message})")]) from None
    by_row: dict[int, dict[int, Any]] = {}
    for (r, c), value in sheet.values().items():
        by_row.setdefault(r, {})[c] = value
    for (r, c), cell in sheet.formula_cells().items():
        if cell.formula and cell.value is None:
            problems.append(
                Problem(
                    str(path),
                    r,
                    column_letter(c),
                    f"formula ={cell.formula[:60]} has no cached value (the file was never calculated): "
                    "open and save it in Excel, or type the value",
                )
            )
    rows = []
    for r in sorted(by_row):
        cells = by_row[r]
        width = max(cells)
        line = [cells.get(c) for c in range(1, min(width, 16384) + 1)]
        rows.append((r, [v.code if isinstance(v, CellError) else v for v in line]))
    return rows, problems


def read_table(
    path: str | Path, problems_out: list[Problem] | None = None
) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(headers, [(row number, values)]) of a CSV or the first sheet of an .xlsx. Row numbers are
    as a spreadsheet shows them (header = 1); blank rows are skipped. CSV text is decoded by
    :func:`decode_csv` (UTF-8, with or without BOM; GB18030 as the fallback).

    Refused, every problem named by file, row and column: a value in a column without a header
    (it would be dropped silently), text holding a control character or NUL, an .xlsx formula
    cell with no cached value; and the whole file when it is not a regular file, is over
    :data:`MAX_TABLE_BYTES`, or (an .xlsx) fails the package reader's checks. The cell problems
    are raised together as a :class:`RegionsError`, or added to ``problems_out`` when given (the
    caller then reports them with its own, and the rows with a problem are left out)."""
    path = Path(path)
    _check_file(path)
    problems: list[Problem] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        numbered, problems = _xlsx_rows(path)
    else:
        text, _ = decode_csv(path)
        numbered = list(enumerate((list(r) for r in csv.reader(io.StringIO(text, newline=""))), start=1))
    if not numbered or numbered[0][0] != 1:
        raise RegionsError([Problem(str(path), None, None, "the table is empty (no header row)"), *problems])
    headers = [("" if h is None else str(h)).strip() for h in numbered[0][1]]
    while headers and headers[-1] == "":
        headers.pop()
    body = []
    for i, values in [(1, numbered[0][1]), *numbered[1:]]:
        for j, v in enumerate(values):
            control = _CONTROL.search(v) if isinstance(v, str) else None
            if control is not None:
                ch = control.group(0)
                problems.append(
                    Problem(str(path), i, _column(headers, j), f"text holds the control character U+{ord(ch):04X}")
                )
        if i == 1:
            continue
        extra = [j for j, v in enumerate(values[len(headers) :], start=len(headers)) if not _blank(v)]
        if extra:
            problems.append(
                Problem(
                    str(path),
                    i,
                    _column(headers, extra[0]),
                    f"{len(extra)} value(s) beyond the last column header ({values[extra[0]]!r}): "
                    "give the column a header or remove the value",
                )
            )
        values = (list(values) + [None] * len(headers))[: len(headers)]
        if all(_blank(v) for v in values):
            continue
        body.append((i, values))
    if problems:
        if problems_out is None:
            raise RegionsError(problems)
        problems_out.extend(problems)
        bad = {p.row for p in problems}
        body = [(i, values) for i, values in body if i not in bad]
    return headers, body


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _column(headers: list[str], j: int) -> str:
    """A column named by its header, or by its letter when it has none."""
    return headers[j] if j < len(headers) and headers[j] else column_letter(j + 1)


#: encodings tried after UTF-8 for a CSV table (Excel on Chinese Windows saves "CSV" as GBK/GB18030)
FALLBACK_ENCODINGS = ("gb18030",)
_CJK = re.compile(
    r"[\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF"
    r"\u00B7\u2010-\u203B\u2160-\u216B\u3000-\u303F]"
)


def _plausible_gbk(ch: str) -> bool:
    if not _CJK.match(ch):
        return False
    raw = ch.encode("gb18030")
    return len(raw) == 2 and raw[0] >= 0x81 and raw[1] >= 0x80


def decode_csv(path: str | Path) -> tuple[str, str]:
    """(text, encoding) of a CSV table.

    UTF-8 (a BOM is dropped) first. A file that is not UTF-8 is read as GB18030 — what Excel on
    Chinese Windows writes (GBK is a subset) — only when every non-ASCII character it gives is a
    CJK character or CJK/full-width punctuation written as two bytes that are both non-ASCII
    (all of GB2312 and most of GBK). Anything else — say Windows-1252 ``Réunion``, which
    GB18030 would silently turn into ``R閡nion`` — is refused with a :class:`RegionsError`
    naming the file, line and byte, and how to re-save it."""
    path = Path(path)
    _check_file(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_error = exc
    for enc in FALLBACK_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if all(ord(ch) < 128 or _plausible_gbk(ch) for ch in text):
            return text, enc
    at = first_error.start
    line = data.count(b"\n", 0, at) + 1
    col = at - (data.rfind(b"\n", 0, at) + 1) + 1
    raise RegionsError(
        [
            Problem(
                str(path),
                None,
                None,
                f"line {line}, byte {col}: not UTF-8 text (byte 0x{data[at]:02X}); save the "
                'table as "CSV UTF-8" (Excel: File › Save As › CSV UTF-8) or as .xlsx',
            )
        ]
    )


def parse_text_value(text: Any) -> Any:
    """A table cell as a cell value: numbers (``1,000``, ``40%`` allowed; ASCII digits only) →
    float, TRUE/FALSE → bool, other text stripped; values already typed (from .xlsx) pass through
    (int → float). A number that is not finite (``1e400``, ``inf``, ``nan`` typed in an .xlsx)
    raises ValueError saying so: Excel has no such number."""
    if text is None:
        return None
    if isinstance(text, bool):
        return text
    if isinstance(text, (int, float)):
        value = float(text)
        if value - value != 0.0:
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if not isinstance(text, str):
        return text
    s = text.strip()
    if s == "":
        return None
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE"
    t = s.replace(",", "") if _THOUSANDS.match(s) else s
    if not _NUMBER.match(t):
        if s.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            raise ValueError(f"{s!r} is not a number Excel can hold")
        return s
    value = float(t[:-1]) / 100.0 if t.endswith("%") else float(t)
    if value - value != 0.0:
        raise ValueError(f"{s!r} is out of range (Excel's numbers end near 1.8e308)")
    return value


def _parse(text: Any) -> tuple[Any, str | None]:
    """:func:`parse_text_value` as (value, None), or (None, the reason it is refused)."""
    try:
        return parse_text_value(text), None
    except ValueError as exc:
        return None, str(exc)


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
        hint = ""
        if any(ch.isdigit() for ch in value) and re.search(r"[^\x00-\x7f]|_", value):
            hint = "; only the digits 0-9 are read as a number (no '_', full-width or other scripts' digits)"
        return f"{value!r} is not a number (the template's {cell_label(coord)} holds a number{hint})"
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


def plan_regions(
    template: TemplateInfo,
    regions_path: str | Path,
    rows_path: str | Path | None = None,
    notes: list[str] | None = None,
) -> list[RegionPlan]:
    """Read and check the regions table (and rows table) against the template's inputs.

    Every problem is collected before raising: a bad header does not hide the rows' problems —
    the columns that are known are still checked row by row (an unknown column's values are
    not). Each value passes the input's own data validation; custom (formula) rules are
    evaluated over the copy the region would get (:func:`check_custom_rules`). Raises
    :class:`RegionsError` with every problem found; returns one plan per region otherwise.
    ``notes`` collects remarks that are not errors (a table read as GB18030).
    """
    file = str(regions_path)
    problems: list[Problem] = []
    headers, body = _read(regions_path, notes, problems)
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
            what = (
                "is an output of the template, not an input"
                if key in template.outputs
                else f"is not an input name of template {template.template_id}"
            )
            problems.append(Problem(file, 1, h or f"#{j + 1}", f"unknown column: {h!r} {what}"))
        elif not block.is_scalar:
            problems.append(
                Problem(
                    file,
                    1,
                    h,
                    f"{h} is a list input ({block.shape[0]}×{block.shape[1]} cells); give it in the --rows table",
                )
            )
        else:
            columns[j] = block.coords()[0]

    ri = lower.index("region") if "region" in lower else None
    ni = lower.index("name") if "name" in lower else None
    plans: list[RegionPlan] = []
    origins: dict[int, dict[Coord, tuple[str, int, str]]] = {}  # id(plan) → cell → (file, row, column)
    seen: dict[str, int] = {}
    for rownum, values in body:
        rid = f"row{rownum}"
        if ri is not None:
            rid = "" if values[ri] is None else str(values[ri]).strip()
            if isinstance(values[ri], float) and values[ri].is_integer():
                rid = str(int(values[ri]))
            if not rid:
                problems.append(Problem(file, rownum, "region", "missing region id"))
            elif not _REGION_ID.match(rid):
                problems.append(
                    Problem(
                        file,
                        rownum,
                        "region",
                        f"region id {rid!r} must be letters, digits, '-' or '_' (it becomes part of a file name)",
                    )
                )
            elif rid.lower() in seen:
                problems.append(
                    Problem(file, rownum, "region", f"duplicate region id {rid!r} (first on row {seen[rid.lower()]})")
                )
                rid = ""
            else:
                seen[rid.lower()] = rownum
        name = "" if ni is None or values[ni] is None else str(values[ni]).strip()
        if ni is not None and not name:
            problems.append(Problem(file, rownum, "name", f"missing name for region {rid!r}"))
        plan = RegionPlan(rid, name, rownum)
        origin = origins.setdefault(id(plan), {})
        for j, coord in columns.items():
            value, why = _parse(values[j])
            if why:
                problems.append(Problem(file, rownum, headers[j], why))
                continue
            if value is None:
                continue
            problem = _check_value(template, coord, value)
            if problem:
                problems.append(Problem(file, rownum, headers[j], problem))
            else:
                plan.cells[coord] = value
                origin[coord] = (file, rownum, headers[j])
        if ri is not None and rid and _REGION_ID.match(rid):
            plans.append(plan)
    if not plans and not problems:
        problems.append(Problem(file, None, None, "no regions in the table"))
    if rows_path is not None:
        problems.extend(_apply_rows(template, rows_path, {p.region.lower(): p for p in plans}, origins, notes))
    problems.extend(check_custom_rules(template, plans, origins, file, notes))
    if problems:  # the regions table first, then the rows table, each top to bottom
        raise RegionsError(sorted(problems, key=lambda p: (p.file != file, p.row or 0)))
    return plans


def _read(
    path: str | Path, notes: list[str] | None, problems: list[Problem] | None = None
) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    if notes is not None and Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        _, encoding = decode_csv(path)
        if encoding != "utf-8":
            notes.append(f"{path}: not UTF-8; read as {encoding.upper()} (Excel's CSV on Chinese Windows)")
    return read_table(path, problems)


def check_custom_rules(
    template: TemplateInfo,
    plans: list[RegionPlan],
    origins: dict[int, dict[Coord, tuple[str, int, str]]] | None = None,
    regions_file: str = "regions table",
    notes: list[str] | None = None,
) -> list[Problem]:
    """The template's custom (formula) validation rules over each region's copy: the rule of
    every input cell the copy fills — or that refers to a cell it fills (a new budget unit can
    make the template's total budget invalid) — is evaluated with the copy's values
    (:class:`gtm_xl.workflows.template_info.RuleChecker`). A failure is named by the table cell that set
    the value, else by the region's row. A rule the evaluator cannot evaluate (an unsupported
    function) is not guessed either way: it goes once into ``notes`` as "not checked" and the
    copies are written — Excel checks it when the region types a value."""
    rules = template.custom_rules()
    if not rules or not plans:
        return []

    book = template.cells()
    problems: list[Problem] = []
    not_checked: set[Coord] = set()
    for plan in plans:
        if not plan.cells:
            continue
        checker = RuleChecker(book, plan.cells)
        origin = (origins or {}).get(id(plan), {})
        for coord, rule in rules.items():
            if coord not in plan.cells and not _rule_touches(rule, coord, plan.cells):
                continue
            status, detail = checker.check(coord[0], rule, coord[1], coord[2])
            if status == CHECK_OK:
                continue
            if status != CHECK_FAIL:
                if coord not in not_checked and notes is not None:
                    notes.append(f"validation of {cell_label(coord)} not checked: {detail}")
                not_checked.add(coord)
                continue
            # a cell the row did not set keeps the template's value: another value of the row broke it
            file, row, column = origin.get(coord, (regions_file, plan.row, None))
            problems.append(
                Problem(file, row, column, f"{detail} (validation of {cell_label(coord)}, region {plan.region!r})")
            )
    return problems


def _rule_touches(rule, coord: Coord, cells: dict[Coord, Any]) -> bool:
    """Whether the rule's references (moved to ``coord``) may include a cell of ``cells``: any
    cell on a sheet the rule names, or on the rule's own sheet."""
    text = rule.formula or ""
    sheets = {coord[0].lower()} | {
        m.group(1).strip("'").replace("''", "'").lower()
        for m in re.finditer(r"('(?:[^']|'')+'|[A-Za-z_][\w.]*)!", text)
    }
    return any(s.lower() in sheets for s, _, _ in cells)


def _apply_rows(
    template: TemplateInfo,
    rows_path: str | Path,
    plans: dict[str, RegionPlan],
    origins: dict[int, dict[Coord, tuple[str, int, str]]] | None = None,
    notes: list[str] | None = None,
) -> list[Problem]:
    file = str(rows_path)
    problems: list[Problem] = []
    headers, body = _read(rows_path, notes, problems)
    lower = [h.lower() for h in headers]
    if "region" not in lower:
        problems.append(Problem(file, 1, "region", "missing required column 'region'"))
    targets: dict[int, tuple[NamedBlock, int]] = {}
    for j, h in enumerate(headers):
        if lower[j] == "region":
            continue
        t = _list_target(template, h)
        if isinstance(t, str):
            problems.append(Problem(file, 1, h or f"#{j + 1}", t))
        else:
            targets[j] = t
    ri = lower.index("region") if "region" in lower else None
    filled: dict[str, int] = {}
    for rownum, values in body:
        plan = None
        if ri is not None:
            rid = "" if values[ri] is None else str(values[ri]).strip()
            if not rid:
                problems.append(Problem(file, rownum, "region", "missing region id"))
            else:
                plan = plans.get(rid.lower())
                if plan is None:
                    problems.append(Problem(file, rownum, "region", f"region {rid!r} is not in the regions table"))
        k = filled.get(plan.region, 0) if plan is not None else 0
        if plan is not None:
            if k == 0:  # first row of this region: clear the listed columns, then fill from the top
                for block, col in targets.values():
                    for coord in block.column(col):
                        plan.cells[coord] = None
            filled[plan.region] = k + 1
        for j, (block, col) in targets.items():
            cells = block.column(col)
            if k >= len(cells):
                problems.append(
                    Problem(
                        file, rownum, headers[j], f"region {rid!r} has more rows than {block.name} holds ({len(cells)})"
                    )
                )
                continue
            value, why = _parse(values[j])
            if why is None and value is not None:
                why = _check_value(template, cells[k], value)
            if why:
                problems.append(Problem(file, rownum, headers[j], why))
            elif plan is not None:
                plan.cells[cells[k]] = value
                if origins is not None and value is not None:
                    origins.setdefault(id(plan), {})[cells[k]] = (file, rownum, headers[j])
    return problems
