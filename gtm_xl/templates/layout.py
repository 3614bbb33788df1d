"""Shared layout machinery for the template workbooks: styles, inputs/outputs with defined names,
data validation, protection, print setup and a deterministic save.

A template module describes its sheets through a :class:`Builder`; every input block and every
output block gets a workbook-level defined name (checked against the module's public ``NAMES``),
so the rest of gtm-xl reads and writes templates through names only, never coordinates.

Conventions: inputs are blue on pale yellow and unlocked; formulas are locked on grey; every
sheet is protected without a password. Sheet names and formulas do not depend on the language:
only labels, messages and example texts do, so an English and a Chinese build have the same
names, formulas and layout.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from gtm_xl.excel.atomic import write_atomic

# Excel's ROUND, the one implementation (15 significant digits, then half away from zero): the
# templates' Python-side figures round as the cells' formulas do.
from gtm_xl.excel.formula.functions.mathtrig import excel_round
from gtm_xl.templates.lambda_flavour import add_lambda_names, dynamic_array_parts

__all__ = [
    "Builder",
    "NameInfo",
    "label_names",
    "Validation",
    "FMT",
    "TEMPLATE_NAME",
    "above",
    "below",
    "excel_round",
    "rate_target",
]

#: the defined name holding "template_id:version"
TEMPLATE_NAME = "gtm_template"

#: fixed package timestamp: same code and options give byte-identical files
_FIXED_TIME = "2024-01-01T00:00:00Z"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)

FMT = {
    "currency": '"¥"#,##0;[Red]-"¥"#,##0',
    "count": "#,##0",
    "percent": "0.0%",
    "ratio": '0.0"x"',
    "score": "0.00",
    "months": "0.0",
    "number": "#,##0.00",
    "text": "@",
}

_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
STYLE = {
    "title": dict(font=Font(bold=True, size=14, color="1F3864")),
    "subtitle": dict(font=Font(italic=True, color="595959")),
    "section": dict(font=Font(bold=True, size=11, color="1F3864")),
    "header": dict(
        font=Font(bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor="1F3864"),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        border=_BORDER,
    ),
    "label": dict(font=Font(color="000000"), border=_BORDER),
    "input": dict(
        font=Font(color="0000FF"),
        fill=PatternFill("solid", fgColor="FFF2CC"),
        border=_BORDER,
        protection=Protection(locked=False),
    ),
    "output": dict(font=Font(color="000000"), fill=PatternFill("solid", fgColor="F2F2F2"), border=_BORDER),
    "total": dict(font=Font(bold=True), fill=PatternFill("solid", fgColor="D9E1F2"), border=_BORDER),
    "note": dict(font=Font(color="404040"), alignment=Alignment(wrap_text=True, vertical="top")),
}

# traffic light fills for conditional formatting
GREEN = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
AMBER = PatternFill("solid", fgColor="FFEB9C", bgColor="FFEB9C")
RED = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
GREEN_FONT, AMBER_FONT, RED_FONT = Font(color="006100"), Font(color="9C5700"), Font(color="9C0006")


@dataclass(frozen=True)
class NameInfo:
    """One defined name of a template: ``kind`` is "input", "output" or "meta"."""

    kind: str
    meaning: str


@dataclass(frozen=True)
class Validation:
    """Data validation for an input block (openpyxl's types: decimal, whole, list, textLength, custom)."""

    type: str
    operator: str | None = None
    formula1: str | None = None
    formula2: str | None = None
    prompt: tuple[str, str] = ("", "")
    error: tuple[str, str] = ("", "")


_AXES = {
    "r": ("gtm_rows_", "the cells naming the rows of"),
    "c": ("gtm_cols_", "the cells naming the columns of"),
    "t": ("gtm_title_", "the cell saying what is in"),
    "p": ("gtm_plan_", "the central plan's total:"),
}


def label_names(spec: dict[str, str]) -> dict[str, NameInfo]:
    """The label metadata names of a template (kind "meta"), for its ``NAMES``: ``spec`` maps a
    block to its axes — ``r`` row labels (``gtm_rows_<block>``), ``c`` column labels
    (``gtm_cols_<block>``), ``t`` title (``gtm_title_<block>``), ``p`` an input the central plan fixes
    (``gtm_plan_<block>``). The roll-up, its tables and the ribbon take their words from these cells,
    so a Chinese build rolls up in Chinese."""
    out = {}
    for block, axes in spec.items():
        for axis in axes:
            prefix, meaning = _AXES[axis]
            out[prefix + block] = NameInfo("meta", f"{meaning} {block}")
    return out


def _v(
    type_: str, op: str | None, f1: str | None, f2: str | None, prompt: tuple[str, str], error: tuple[str, str]
) -> Validation:
    return Validation(type_, op, f1, f2, prompt, error)


#: the validations the templates use (messages: English, Chinese)
SCORE = _v(
    "decimal",
    "between",
    "0",
    "10",
    ("A score from 0 to 10.", "0到10之间的评分。"),
    ("Enter a number from 0 to 10.", "请输入0到10之间的数字。"),
)
FRACTION = _v(
    "decimal",
    "between",
    "0",
    "1",
    ("A rate from 0% to 100%.", "0%到100%之间的比率。"),
    ("Enter a percentage from 0% to 100%.", "请输入0%到100%之间的百分比。"),
)
SHARE = _v(
    "decimal",
    "greaterThanOrEqual",
    "0",
    None,
    ("A share or weight, 0 or more.", "份额或权重，不小于0。"),
    ("Shares and weights must be 0 or more.", "份额和权重不能为负数。"),
)
AMOUNT = _v(
    "decimal",
    "greaterThanOrEqual",
    "0",
    None,
    ("An amount, 0 or more.", "金额或数量，不小于0。"),
    ("Enter a number of 0 or more.", "请输入不小于0的数字。"),
)
NPS = _v(
    "decimal",
    "between",
    "-100",
    "100",
    ("A net promoter score from -100 to 100.", "-100到100之间的净推荐值。"),
    ("Enter an NPS from -100 to 100.", "请输入-100到100之间的净推荐值。"),
)
POSITIVE = _v(
    "decimal",
    "greaterThan",
    "0",
    None,
    ("A number above 0.", "大于0的数字。"),
    ("Enter a number above 0.", "请输入大于0的数字。"),
)
WHOLE = _v(
    "whole",
    "greaterThanOrEqual",
    "0",
    None,
    ("A whole number, 0 or more.", "不小于0的整数。"),
    ("Enter a whole number of 0 or more.", "请输入不小于0的整数。"),
)
ATTAINMENT = _v(
    "decimal",
    "between",
    "0",
    "10",
    ("Attainment: 100% = on target.", "达成率：100%表示达成目标。"),
    ("Enter an attainment from 0% to 1000%.", "请输入0%到1000%之间的达成率。"),
)
BONUS = _v(
    "decimal",
    "between",
    "0",
    "10",
    ("Bonus above base commission, e.g. 20%.", "超额奖励比例，例如20%。"),
    ("Enter a bonus from 0% to 1000%.", "请输入0%到1000%之间的比例。"),
)
TEXT = _v(
    "textLength",
    "between",
    "1",
    "80",
    ("A name (1 to 80 characters).", "名称（1到80个字符）。"),
    ("Enter a name of 1 to 80 characters.", "请输入1到80个字符的名称。"),
)
DIRECTION = _v(
    "list",
    None,
    '"higher,lower"',
    None,
    (
        "higher = higher is better; lower = lower is better (e.g. competition intensity).",
        "higher = 越高越好；lower = 越低越好（如竞争强度）。",
    ),
    ("Choose higher or lower.", "请选择 higher 或 lower。"),
)
YES_NO = _v(
    "list",
    None,
    '"Y,N"',
    None,
    ("Y = target this cell, N = do not.", "Y = 目标客群，N = 非目标。"),
    ("Choose Y or N.", "请选择 Y 或 N。"),
)


def multiple_of(unit_cell: str, first_cell: str) -> Validation:
    """A non-negative amount that is a whole number of ``unit_cell`` units."""
    return _v(
        "custom",
        None,
        f"AND(ISNUMBER({first_cell}),{first_cell}>=0,MOD({first_cell},{unit_cell})=0)",
        None,
        ("An amount, 0 or more, a whole number of budget units.", "不小于0的金额，须为预算单位的整数倍。"),
        ("Enter a non-negative multiple of the budget unit.", "请输入预算单位的非负整数倍。"),
    )


def rate_target(cell_ref: str) -> Validation:
    """A rate target above 0% and at most 100% (a target of 0 would divide by zero)."""
    return _v(
        "custom",
        None,
        f"AND(ISNUMBER({cell_ref}),{cell_ref}>0,{cell_ref}<=1)",
        None,
        ("A rate target above 0% and up to 100%.", "大于0%且不超过100%的比率目标。"),
        ("Enter a percentage above 0% and up to 100%.", "请输入大于0%且不超过100%的百分比。"),
    )


def below(
    cell_ref: str, above_ref: str, low: str, high: str, prompt: tuple[str, str], error: tuple[str, str]
) -> Validation:
    """A number in [low, high] strictly below ``above_ref`` (thresholds in descending order)."""
    return _in_range_and(cell_ref, f"<{above_ref}", low, high, prompt, error)


def above(
    cell_ref: str, below_ref: str, low: str, high: str, prompt: tuple[str, str], error: tuple[str, str]
) -> Validation:
    """A number in [low, high] strictly above ``below_ref`` (thresholds in ascending order)."""
    return _in_range_and(cell_ref, f">{below_ref}", low, high, prompt, error)


def _in_range_and(
    cell_ref: str, comparison: str, low: str, high: str, prompt: tuple[str, str], error: tuple[str, str]
) -> Validation:
    """A number in [low, high] that also meets ``comparison`` (``<C5``: strictly below C5)."""
    formula = f"AND(ISNUMBER({cell_ref}),{cell_ref}>={low},{cell_ref}<={high},{cell_ref}{comparison})"
    return _v("custom", None, formula, None, prompt, error)


def cell(col: int, row: int, absolute: bool = False) -> str:
    c = get_column_letter(col)
    return f"${c}${row}" if absolute else f"{c}{row}"


def area(col1: int, row1: int, col2: int, row2: int, absolute: bool = True) -> str:
    a, b = cell(col1, row1, absolute), cell(col2, row2, absolute)
    return a if a == b else f"{a}:{b}"


class Builder:
    """Builds one template workbook: sheets, labelled blocks, names, validation, protection."""

    def __init__(self, template_id: str, version: str, names: dict[str, NameInfo], flavour: str, lang: str) -> None:
        if flavour not in ("udf", "native", "lambda"):
            raise ValueError(f"flavour must be 'udf', 'native' or 'lambda', got {flavour!r}")
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
        # the lambda flavour writes the udf flavour's formulas (its functions live in the workbook):
        # template modules see "udf"; ``variant`` is the flavour of the file
        self.template_id, self.version, self.lang = template_id, version, lang
        self.flavour, self.variant = ("udf" if flavour == "lambda" else flavour), flavour
        self.declared = names
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.defined: dict[str, str] = {}
        self._validations: dict[tuple[str, Validation], DataValidation] = {}

    # --- text ----------------------------------------------------------------------------------
    def t(self, text: str | tuple[str, str]) -> str:
        """The text in the build's language: a plain string, or an (English, Chinese) pair."""
        if isinstance(text, tuple):
            return text[0] if self.lang == "en" else text[1]
        return text

    # --- sheets --------------------------------------------------------------------------------
    def sheet(self, title: str, widths: dict[str, float] | None = None, tab: str | None = None) -> Worksheet:
        ws = self.wb.create_sheet(title)
        for col, width in (widths or {}).items():
            ws.column_dimensions[col].width = width
        if tab:
            ws.sheet_properties.tabColor = tab
        ws.sheet_view.showGridLines = False
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # one page wide, as many pages tall as needed (0 = automatic)
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.protection.sheet = True  # no password: protection against slips, not a secret
        return ws

    @staticmethod
    def page_break(ws: Worksheet, after_row: int) -> None:
        """A manual page break after ``after_row``: a long sheet printed one page wide breaks
        between its blocks, never inside a table."""
        ws.row_breaks.append(Break(id=after_row))

    def put(self, ws: Worksheet, ref: str, value: Any, style: str | None = None, fmt: str | None = None) -> None:
        c = ws[ref]
        c.value = self.t(value) if isinstance(value, tuple) else value
        for attr, v in STYLE.get(style or "", {}).items():
            setattr(c, attr, v)
        if fmt:
            c.number_format = FMT.get(fmt, fmt)

    def title(self, ws: Worksheet, title: tuple[str, str], subtitle: tuple[str, str] | None = None) -> None:
        self.put(ws, "A1", title, "title")
        if subtitle:
            self.put(ws, "A2", subtitle, "subtitle")

    def headers(self, ws: Worksheet, row: int, col: int, texts: Sequence[str | tuple[str, str]]) -> None:
        for i, text in enumerate(texts):
            self.put(ws, cell(col + i, row), text, "header")
        self.tall_header(ws, row)

    @staticmethod
    def tall_header(ws: Worksheet, row: int) -> None:
        """Room for two lines in a header row (long labels wrap)."""
        ws.row_dimensions[row].height = 30

    def labels(
        self, ws: Worksheet, row: int, col: int, texts: Sequence[Any], down: bool = True, style: str = "label"
    ) -> None:
        for i, text in enumerate(texts):
            self.put(ws, cell(col, row + i) if down else cell(col + i, row), text, style)

    # --- names ---------------------------------------------------------------------------------
    def name(self, name: str, ws: Worksheet, ref: str) -> None:
        if name not in self.declared:
            raise KeyError(f"{self.template_id}: defined name {name!r} is not declared in NAMES")
        if name in self.defined:
            raise KeyError(f"{self.template_id}: defined name {name!r} defined twice")
        target = f"{_quote(ws.title)}!{ref}"
        self.defined[name] = target
        self.wb.defined_names[name] = DefinedName(name, attr_text=target)

    def describe(
        self, ws: Worksheet, block: str, rows: str | None = None, cols: str | None = None, title: str | None = None
    ) -> None:
        """Label metadata of ``block`` (see :func:`label_names`): absolute refs on ``ws`` of the cells
        naming its rows, its columns, and of the cell saying what it is."""
        for prefix, ref in (("gtm_rows_", rows), ("gtm_cols_", cols), ("gtm_title_", title)):
            if ref is not None:
                self.name(prefix + block, ws, ref)

    def plan_total(self, ws: Worksheet, name: str, ref: str) -> None:
        """Mark the input ``name`` at ``ref`` as a total the central plan fixes (``gtm_plan_<name>``)."""
        self.name("gtm_plan_" + name, ws, ref)

    # --- blocks --------------------------------------------------------------------------------
    def inputs(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        values: Sequence[Sequence[Any]],
        name: str | None,
        validation: Validation,
        fmt: str | None = None,
    ) -> str:
        """Write a block of input values (rows of cells) with input style and validation; name it."""
        height, width = len(values), max(len(r) for r in values)
        for i, r in enumerate(values):
            for j, v in enumerate(r):
                self.put(ws, cell(col + j, row + i), v, "input", fmt)
        ref = area(col, row, col + width - 1, row + height - 1)
        self._validate(ws, validation, area(col, row, col + width - 1, row + height - 1, absolute=False))
        if name:
            self.name(name, ws, ref)
        return ref

    def outputs(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        formulas: Sequence[Sequence[str]],
        name: str | None,
        fmt: str | None = None,
        style: str = "output",
    ) -> str:
        """Write a block of formulas (each without '='), locked and styled as outputs; name it."""
        height, width = len(formulas), max(len(r) for r in formulas)
        for i, r in enumerate(formulas):
            for j, f in enumerate(r):
                self.put(ws, cell(col + j, row + i), "=" + f, style, fmt)
        ref = area(col, row, col + width - 1, row + height - 1)
        if name:
            self.name(name, ws, ref)
        return ref

    def array_output(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        height: int,
        width: int,
        formula: str,
        name: str | None,
        fmt: str | None = None,
        style: str = "output",
    ) -> str:
        """A legacy (CSE) array formula over a block: what Excel and LibreOffice both accept for a
        function that returns several values."""
        ref = area(col, row, col + width - 1, row + height - 1, absolute=False)
        for i in range(height):
            for j in range(width):
                self.put(ws, cell(col + j, row + i), None, style, fmt)
        ws[cell(col, row)] = ArrayFormula(ref, "=" + formula)
        if name:
            self.name(name, ws, area(col, row, col + width - 1, row + height - 1))
        return ref

    def _validate(self, ws: Worksheet, v: Validation, ref: str) -> None:
        key = (ws.title, v)
        dv = self._validations.get(key)
        if dv is None:
            dv = DataValidation(
                type=v.type,
                operator=v.operator,
                formula1=v.formula1,
                formula2=v.formula2,
                allow_blank=False,
                showInputMessage=True,
                showErrorMessage=True,
                promptTitle=self.t(("Input", "输入")),
                prompt=self.t(v.prompt),
                errorTitle=self.t(("Invalid input", "输入无效")),
                error=self.t(v.error),
                errorStyle="stop",
            )
            ws.add_data_validation(dv)
            self._validations[key] = dv
        dv.add(ref)

    # --- finish --------------------------------------------------------------------------------
    def finish(self) -> Workbook:
        missing = set(self.declared) - set(self.defined) - {TEMPLATE_NAME}
        if missing:
            raise KeyError(f"{self.template_id}: declared names never defined: {sorted(missing)}")
        self.wb.defined_names[TEMPLATE_NAME] = DefinedName(
            TEMPLATE_NAME, attr_text=f'"{self.template_id}:{self.version}"'
        )
        props = self.wb.properties
        props.creator = "gtm-xl"
        props.title = f"{self.template_id} {self.version} ({self.variant}, {self.lang})"
        if self.variant == "lambda":
            add_lambda_names(self.wb)
        props.lastModifiedBy = "gtm-xl"
        return self.wb


def _quote(sheet: str) -> str:
    return f"'{sheet}'" if re.search(r"[^A-Za-z0-9_]", sheet) else sheet


def deterministic_bytes(wb: Workbook, dynamic_arrays: bool = False) -> bytes:
    """The workbook as .xlsx bytes that depend on its content only: fixed core-property dates and
    zip member timestamps, members in the writer's order. ``dynamic_arrays``: the GTM calls as
    dynamic-array formulas (the lambda flavour, :mod:`gtm_xl.templates.lambda_flavour`)."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = {info.filename: src.read(info.filename) for info in src.infolist()}
        if dynamic_arrays:
            parts = dynamic_array_parts(parts)
        for filename, data in parts.items():
            if filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + _FIXED_TIME.encode() + rb"\g<3>",
                    data,
                )
            zi = zipfile.ZipInfo(filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zi.create_system = 0
            dst.writestr(zi, data)
    return out.getvalue()


def save_atomic(data: bytes, path: str | os.PathLike) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`gtm_xl.excel.atomic.write_atomic`), folders made."""
    return write_atomic(path, data, make_dirs=True)


def traffic_light(ws: Worksheet, ref: str, first_cell: str, values: Iterable[str]) -> None:
    """Green / amber / red fills on ``ref`` for cells equal to the three ``values`` (cell
    references or quoted texts), first value green."""
    for value, fill, font in zip(values, (GREEN, AMBER, RED), (GREEN_FONT, AMBER_FONT, RED_FONT)):
        ws.conditional_formatting.add(
            ref, FormulaRule(formula=[f"{first_cell}={value}"], fill=fill, font=font, stopIfTrue=True)
        )
