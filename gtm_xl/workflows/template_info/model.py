"""The template model: the stamp names, named blocks, one cell's validation rule and the template as read.

Nothing here reads a file: :mod:`.reader` fills a :class:`TemplateInfo` from an openpyxl workbook and
:mod:`.view` answers the same questions over the package reader's cell model.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.errors import CellError
from gtm_xl.excel.ooxml.cells import WorkbookCells, column_letter
from gtm_xl.excel.ooxml.package import Package

__all__ = [
    "REGION_NAME",
    "REGION_TITLE_NAME",
    "Coord",
    "NamedBlock",
    "TemplateError",
    "TemplateInfo",
    "Validation",
    "cell_label",
    "display_value",
    "normalise_formula",
    "region_from",
    "stamp_from",
    "utc_now",
]

REGION_NAME = "GTM_REGION"
REGION_TITLE_NAME = "GTM_REGION_NAME"
STAMP_NAMES = ("gtm_template", "gtm_template_id", "template_id", "template")
VERSION_NAMES = ("gtm_template_version", "template_version", "gtm_version")
RESERVED_NAMES = {REGION_NAME.lower(), REGION_TITLE_NAME.lower(), *STAMP_NAMES, *VERSION_NAMES}
#: label metadata: ``gtm_rows_<block>`` / ``gtm_cols_<block>`` name the cells labelling a block's rows /
#: columns, ``gtm_title_<block>`` the cell saying what the block is; ``gtm_plan_<input>`` marks an input
#: whose value the central plan fixes (the regions' values should add up to the template's)
LABEL_PREFIXES = ("gtm_rows_", "gtm_cols_", "gtm_title_", "gtm_plan_")


class TemplateError(ValueError):
    """The workbook is not a usable GTM template (no stamp, unreadable, unknown name…)."""


Coord = tuple[str, int, int]  # (sheet, row, col)


@dataclass(frozen=True)
class NamedBlock:
    """A defined name pointing at one rectangular range on one sheet."""

    name: str  # as spelt in the file
    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def shape(self) -> tuple[int, int]:
        return (self.max_row - self.min_row + 1, self.max_col - self.min_col + 1)

    @property
    def is_scalar(self) -> bool:
        return self.shape == (1, 1)

    def coords(self) -> list[Coord]:
        """Row-major cell coordinates."""
        return [
            (self.sheet, r, c)
            for r in range(self.min_row, self.max_row + 1)
            for c in range(self.min_col, self.max_col + 1)
        ]

    def column(self, k: int) -> list[Coord]:
        """The cells of the block's k-th column (1-based), top to bottom."""
        c = self.min_col + k - 1
        return [(self.sheet, r, c) for r in range(self.min_row, self.max_row + 1)]


def cell_label(coord: Coord) -> str:
    """``Sheet!B3``; a sheet name with other characters than letters, digits, ``_`` and ``.`` is quoted as
    Excel writes it (``'My sheet'!B3``)."""
    sheet, row, col = coord
    if re.search(r"[^A-Za-z0-9_.]", sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{column_letter(col)}{row}"


def display_value(value: Any) -> Any:
    """A value as a message shows it: a whole float without its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Validation:
    """One cell's data-validation rule, with its bounds/list already resolved to constants.

    :meth:`problem` checks one value on its own. A ``custom`` rule (a formula) needs the rest of the workbook: it keeps ``formula`` and ``anchor``
    (the top-left cell of its sqref, which its relative references are relative to) and is evaluated by
    :class:`gtm_xl.workflows.template_info.validation.RuleChecker`; on its own it, like a date with
    formula bounds, has ``checkable`` False and accepts every value.
    """

    kind: str  # whole | decimal | list | textLength | date | time | custom | any
    operator: str = "between"
    low: Any = None
    high: Any = None
    options: tuple[str, ...] = ()
    allow_blank: bool = True
    checkable: bool = True
    formula: str | None = None  # custom: the rule formula, without "="
    anchor: tuple[int, int] | None = None  # custom: (row, col) its relative references are relative to
    error: str | None = None  # the rule's own error message

    def problem(self, value: Any) -> str | None:
        """None when ``value`` passes; otherwise what is wrong, in words — the one data-validation check
        behind distribute (a region's table values), roll-up (a returned file) and refresh/check."""
        if value is None or value == "":
            return None  # as in Excel: a rule checks what is entered, a cleared cell passes
        if not self.checkable or self.kind == "any":
            return None
        if isinstance(value, CellError):
            return f"holds the error {value.code}"
        if self.kind == "list":
            if str(display_value(value)).strip().casefold() not in {o.strip().casefold() for o in self.options}:
                return f"{value!r} is not one of {', '.join(self.options)}"
            return None
        if self.kind not in _NUMERIC_KINDS:
            return None
        if self.kind == "textLength":
            v: Any = len(str(display_value(value)))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not {_NUMERIC_KINDS[self.kind]}"
        else:
            v = float(value)
            if self.kind == "whole" and v != int(v):
                return f"{value!r} is not a whole number"
        if self.low is None:
            return None
        ok = _NUM_OPS.get(self.operator, _NUM_OPS["between"])(v, self.low, self.high)
        if ok:
            return None
        what = "length" if self.kind == "textLength" else "value"
        rule = _OP_TEXT.get(self.operator, "between {a} and {b}").format(a=_fmt(self.low), b=_fmt(self.high))
        return f"{what} {_fmt(v)} must be {rule}"


# the kinds checked as numbers, and what a value of each must be
_NUMERIC_KINDS = {
    "whole": "a number",
    "decimal": "a number",
    "date": "a date",
    "time": "a time",
    "textLength": "text",
}
_NUM_OPS: dict[str, Callable[[Any, Any, Any], bool]] = {
    "between": lambda v, a, b: a <= v <= b,
    "notBetween": lambda v, a, b: not (a <= v <= b),
    "equal": lambda v, a, b: v == a,
    "notEqual": lambda v, a, b: v != a,
    "greaterThan": lambda v, a, b: v > a,
    "lessThan": lambda v, a, b: v < a,
    "greaterThanOrEqual": lambda v, a, b: v >= a,
    "lessThanOrEqual": lambda v, a, b: v <= a,
}
_OP_TEXT = {
    "between": "between {a} and {b}",
    "notBetween": "not between {a} and {b}",
    "equal": "equal to {a}",
    "notEqual": "other than {a}",
    "greaterThan": "greater than {a}",
    "lessThan": "less than {a}",
    "greaterThanOrEqual": "at least {a}",
    "lessThanOrEqual": "at most {a}",
}


def _fmt(v: Any) -> str:
    return f"{display_value(v)}" if v is not None else "?"


@dataclass
class TemplateInfo:
    """The template's stamp, input and output blocks, validations and locked formulas."""

    template_id: str
    version: str
    inputs: dict[str, NamedBlock]
    outputs: dict[str, NamedBlock]
    validations: dict[Coord, Validation]
    locked_formulas: dict[Coord, str]  # normalised formula text of every locked formula cell
    number_formats: dict[Coord, str]
    values: dict[Coord, Any]  # the template's own (cached) values of input and output cells
    sheets: list[str] = field(default_factory=list)
    path: Path | None = None
    #: block name → {"rows"|"cols"|"title": the labelling cells}, from the ``gtm_rows_…`` names
    labels: dict[str, dict[str, NamedBlock]] = field(default_factory=dict)
    #: inputs whose template value is the central plan's total (``gtm_plan_…`` names)
    plan_totals: list[str] = field(default_factory=list)
    data: bytes | None = field(default=None, repr=False)  # the file's bytes, for :meth:`cells`
    _cells: WorkbookCells | None = field(default=None, repr=False)

    def input(self, name: str) -> NamedBlock | None:
        return self.inputs.get(name.strip().lower())

    def custom_rules(self) -> dict[Coord, Validation]:
        """The input cells whose validation is a custom formula."""
        return {k: v for k, v in self.validations.items() if v.kind == "custom" and v.formula}

    def cells(self) -> WorkbookCells:
        """The template's :class:`gtm_xl.excel.ooxml.cells.WorkbookCells` (read once, through the package
        reader), which custom rules are evaluated against."""
        if self._cells is None:
            if self.data is None:
                if self.path is None:
                    raise TemplateError("the template's cells are unavailable (no file, no bytes)")
                with Package(self.path) as pkg:
                    self._cells = pkg.read_cells()[0]
            else:  # the package reader opens files: the bytes go through a temporary one
                fd, tmp = tempfile.mkstemp(suffix=".xlsx")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(self.data)
                    with Package(tmp) as pkg:
                        self._cells = pkg.read_cells()[0]
                finally:
                    os.unlink(tmp)
        return self._cells


_STAMP_SPLIT = re.compile(r"^\s*([A-Za-z0-9_.\-]+?)(?:\s+v?|\s*[@:]\s*v?|\s*/\s*v?)(\d[\w.\-]*)\s*$")


def stamp_from(constant: Callable[[str], Any]) -> tuple[str, str] | None:
    """(template id, version) given ``constant(lower-case name) → value or None``."""
    stamp = next((v for v in (constant(n) for n in STAMP_NAMES) if v is not None), None)
    version = next((v for v in (constant(n) for n in VERSION_NAMES) if v is not None), None)
    if stamp is None:
        return None
    stamp = str(stamp).strip()
    if version is not None:
        return stamp, str(display_value(version)).strip()
    m = _STAMP_SPLIT.match(stamp)
    if m:
        return m.group(1), m.group(2)
    return stamp, ""


def region_from(constant: Callable[[str], Any]) -> tuple[str | None, str | None]:
    """(region id, region name) given ``constant(lower-case name) → value or None``."""
    rid, title = constant(REGION_NAME.lower()), constant(REGION_TITLE_NAME.lower())
    return (None if rid is None else str(rid)), (None if title is None else str(title))


_XLFN = re.compile(r"_xl(?:fn|ws)\.", re.I)
_STRING_OR_REST = re.compile(r'("(?:[^"]|"")*")|([^"]+)')
_LOGICAL_CALL = re.compile(r"(?<![A-Z0-9_.])(TRUE|FALSE)\(\)")


def normalise_formula(formula: str) -> str:
    """A formula's text reduced to what matters for "is it the same formula": no leading ``=``,
    no ``_xlfn.`` prefixes, no ``$``, no whitespace, upper case, ``TRUE()``/``FALSE()`` (how LibreOffice
    saves the constants) as ``TRUE``/``FALSE`` — except inside string literals."""
    text = formula[1:] if formula.startswith("=") else formula
    out = []
    for lit, rest in _STRING_OR_REST.findall(text):
        if lit:
            out.append(lit)
        else:
            plain = re.sub(r"\s+", "", _XLFN.sub("", rest)).replace("$", "").upper()
            out.append(_LOGICAL_CALL.sub(r"\1", plain))
    return "".join(out)


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
