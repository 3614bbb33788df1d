"""What distribution and roll-up need to know about a template, read from the workbook itself.

Everything comes from the file's **defined names** (never from hard-coded cells):

* the template stamp — a workbook-level name holding the template id and version
  (``GTM_TEMPLATE`` = ``"scoring_matrix 1.0"``, or ``GTM_TEMPLATE_ID`` + ``GTM_TEMPLATE_VERSION``;
  a name may hold a text constant or point at a cell);
* the region stamp written by :mod:`gtm_xl.workflows.distribute` (``GTM_REGION``, ``GTM_REGION_NAME``);
* **inputs**: names whose cells are all unlocked (the template's input blocks);
* **outputs**: names whose cells are locked and hold at least one formula;
* the data validation attached to each input cell, and the formula of every locked cell
  (the integrity baseline for the roll-up).

Names are matched case-insensitively (as Excel does) and keyed in lower case.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.excel.ooxml.cells import column_letter, parse_range

__all__ = [
    "REGION_NAME",
    "REGION_TITLE_NAME",
    "NamedBlock",
    "TemplateError",
    "TemplateInfo",
    "RuleChecker",
    "Validation",
    "load_workbook_bytes",
    "normalise_formula",
    "read_template",
]

REGION_NAME = "GTM_REGION"
REGION_TITLE_NAME = "GTM_REGION_NAME"
_STAMP_NAMES = ("gtm_template", "gtm_template_id", "template_id", "template")
_VERSION_NAMES = ("gtm_template_version", "template_version", "gtm_version")
_RESERVED = {REGION_NAME.lower(), REGION_TITLE_NAME.lower(), *_STAMP_NAMES, *_VERSION_NAMES}


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
    sheet, row, col = coord
    return f"{sheet}!{column_letter(col)}{row}"


_NUM_OPS = {
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
    "notEqual": "not {a}",
    "greaterThan": "greater than {a}",
    "lessThan": "less than {a}",
    "greaterThanOrEqual": "at least {a}",
    "lessThanOrEqual": "at most {a}",
}


@dataclass(frozen=True)
class Validation:
    """One cell's data-validation rule, with its bounds/list already resolved to constants.

    :meth:`problem` checks one value on its own. A ``custom`` rule (a formula) needs the rest of
    the workbook: it keeps ``formula`` and ``anchor`` (the top-left cell of its sqref, which its
    relative references are relative to) and is evaluated by :class:`RuleChecker`; for
    :meth:`problem` it, like a date with formula bounds, has ``checkable`` False and accepts
    every value.
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
        """None when ``value`` passes; otherwise what is wrong, in words."""
        if value is None or value == "":
            return None  # as in Excel: a rule checks what is entered, a cleared cell passes
        if not self.checkable or self.kind == "any":
            return None
        if self.kind == "list":
            if str(_display(value)).strip().casefold() not in {o.strip().casefold() for o in self.options}:
                return f"{value!r} is not one of {', '.join(self.options)}"
            return None
        if self.kind in ("whole", "decimal", "textLength"):
            if self.kind == "textLength":
                v: Any = len(str(value))
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{value!r} is not a number"
            else:
                v = float(value)
                if self.kind == "whole" and v != int(v):
                    return f"{value!r} is not a whole number"
            if self.low is None:
                return None
            ok = _NUM_OPS.get(self.operator, _NUM_OPS["between"])(v, self.low, self.high)
            if not ok:
                what = "length" if self.kind == "textLength" else "value"
                rule = _OP_TEXT.get(self.operator, "between {a} and {b}").format(a=_fmt(self.low), b=_fmt(self.high))
                return f"{what} {_fmt(v)} must be {rule}"
        return None


def _display(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fmt(v: Any) -> str:
    return f"{_display(v)}" if v is not None else "?"


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
    data: bytes | None = field(default=None, repr=False)  # the file's bytes, for :meth:`cells`
    _cells: Any = field(default=None, repr=False)

    def input(self, name: str) -> NamedBlock | None:
        return self.inputs.get(name.strip().lower())

    def custom_rules(self) -> dict[Coord, Validation]:
        """The input cells whose validation is a custom formula."""
        return {k: v for k, v in self.validations.items() if v.kind == "custom" and v.formula}

    def cells(self):
        """The template's :class:`gtm_xl.excel.ooxml.cells.WorkbookCells` (read once, through the package
        reader), which custom rules are evaluated against."""
        if self._cells is None:
            import os
            import tempfile

            from gtm_xl.excel.ooxml.package import Package

            if self.data is None and self.path is None:
                raise TemplateError("the template's cells are unavailable (no file, no bytes)")
            if self.data is None:
                with Package(self.path) as pkg:
                    self._cells = pkg.read_cells()[0]
            else:
                fd, tmp = tempfile.mkstemp(suffix=".xlsx")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(self.data)
                    with Package(tmp) as pkg:
                        self._cells = pkg.read_cells()[0]
                finally:
                    os.unlink(tmp)
        return self._cells


def load_workbook_bytes(data: bytes, *, data_only: bool = False):
    """openpyxl workbook from bytes (``keep_links`` off; raises whatever openpyxl raises)."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, keep_links=False)


_CONST_STR = re.compile(r'^"(.*)"$', re.S)
_STAMP_SPLIT = re.compile(r"^\s*([A-Za-z0-9_.\-]+?)(?:\s+v?|\s*[@:]\s*v?|\s*/\s*v?)(\d[\w.\-]*)\s*$")


def workbook_names(wb) -> dict[str, Any]:
    """Workbook-level defined names → openpyxl DefinedName, keyed in lower case."""
    out: dict[str, Any] = {}
    for name, dn in wb.defined_names.items():
        if name.startswith("_xlnm."):
            continue
        out[name.lower()] = dn
    return out


def name_constant(wb, dn) -> Any:
    """The value a defined name stands for: a text/number constant, or the value of the one
    cell it points at; None when it is a range of several cells or unresolvable."""
    text = (dn.attr_text or "").strip()
    m = _CONST_STR.match(text)
    if m:
        return m.group(1).replace('""', '"')
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dests = list(dn.destinations)
    except Exception:  # noqa: BLE001 - openpyxl raises various errors for odd names
        return None
    if len(dests) != 1:
        return None
    sheet, ref = dests[0]
    if sheet not in wb.sheetnames:
        return None
    ref = ref.replace("$", "")
    if ":" in ref:
        r1, c1, r2, c2 = parse_range(ref)
        if (r1, c1) != (r2, c2):
            return None
        ref = f"{column_letter(c1)}{r1}"
    return wb[sheet][ref].value


def name_block(wb, dn) -> NamedBlock | None:
    """The single rectangular range a defined name refers to, or None."""
    try:
        dests = list(dn.destinations)
    except Exception:  # noqa: BLE001
        return None
    if len(dests) != 1:
        return None
    sheet, ref = dests[0]
    if sheet not in wb.sheetnames:
        return None
    try:
        r1, c1, r2, c2 = parse_range(ref.replace("$", ""))
    except ValueError:
        return None
    return NamedBlock(dn.name, sheet, r1, c1, r2, c2)


def read_stamp(wb) -> tuple[str, str] | None:
    """(template id, version) from the stamp name(s) of an openpyxl workbook, or None."""
    names = workbook_names(wb)
    return stamp_from(lambda key: name_constant(wb, names[key]) if key in names else None)


def stamp_from(constant) -> tuple[str, str] | None:
    """(template id, version) given ``constant(lower-case name) → value or None``."""
    stamp = next((v for v in (constant(n) for n in _STAMP_NAMES) if v is not None), None)
    version = next((v for v in (constant(n) for n in _VERSION_NAMES) if v is not None), None)
    if stamp is None:
        return None
    stamp = str(stamp).strip()
    if version is not None:
        return stamp, str(_display(version)).strip()
    m = _STAMP_SPLIT.match(stamp)
    if m:
        return m.group(1), m.group(2)
    return stamp, ""


def region_from(constant) -> tuple[str | None, str | None]:
    """(region id, region name) given ``constant(lower-case name) → value or None``."""
    rid, title = constant(REGION_NAME.lower()), constant(REGION_TITLE_NAME.lower())
    return (None if rid is None else str(rid)), (None if title is None else str(title))


def read_region(wb) -> tuple[str | None, str | None]:
    """The (region id, region name) stamped by distribute in an openpyxl workbook, or (None, None)."""
    names = workbook_names(wb)
    return region_from(lambda key: name_constant(wb, names[key]) if key in names else None)


class CellsView:
    """Read-only access to a :class:`gtm_xl.excel.ooxml.cells.WorkbookCells` (the package reader's
    model) in the terms the roll-up checks need: sheet names, values, formulas, name constants."""

    def __init__(self, book) -> None:
        self.book = book
        self.sheetnames = list(book.sheets)

    def value(self, sheet: str, row: int, col: int) -> Any:
        cell = self.book.sheets[sheet].get((row, col))
        return None if cell is None else cell.value

    def formula(self, sheet: str, row: int, col: int) -> str | None:
        """``=…`` of a formula cell, else None."""
        cell = self.book.sheets[sheet].get((row, col))
        return None if cell is None or not cell.formula else "=" + cell.formula

    def constant(self, key: str) -> Any:
        """The value of a workbook-level name: a text/number constant or the cell it points at."""
        text = self.book.names.get(key.upper())
        if text is None:
            return None
        text = text.strip()
        m = _CONST_STR.match(text)
        if m:
            return m.group(1).replace('""', '"')
        try:
            return float(text)
        except ValueError:
            pass
        if "!" not in text:
            return None
        sheet, ref = text.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
        if sheet not in self.book.sheets:
            return None
        try:
            r1, c1, r2, c2 = parse_range(ref.replace("$", ""))
        except ValueError:
            return None
        return self.value(sheet, r1, c1) if (r1, c1) == (r2, c2) else None


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


def formula_text(value: Any) -> str | None:
    """The formula of an openpyxl cell value (str starting with ``=``, or ArrayFormula), or None."""
    if isinstance(value, str):
        return value if value.startswith("=") and len(value) > 1 else None
    text = getattr(value, "text", None)  # openpyxl ArrayFormula / DataTableFormula
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    return None


def _resolve_operand(wb, text: str | None, sheet: str) -> Any:
    """A validation bound: a number, a quoted string, a cell reference or a defined name."""
    if text is None:
        return None
    t = text.strip()
    if t.startswith("="):
        t = t[1:]
    try:
        return float(t)
    except ValueError:
        pass
    m = _CONST_STR.match(t)
    if m:
        return m.group(1)
    values = _range_values(wb, t, sheet)
    if values is not None and len(values) == 1:
        v = values[0]
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    return None


def _range_values(wb, ref: str, sheet: str) -> list[Any] | None:
    """Values of a reference like ``$A$1:$A$5``, ``Settings!$B$2`` or a defined name; None if unresolvable."""
    names = workbook_names(wb)
    if ref.lower() in names:
        block = name_block(wb, names[ref.lower()])
        if block is None:
            return None
        ws = wb[block.sheet]
        return [ws.cell(r, c).value for _, r, c in block.coords()]
    if "!" in ref:
        sheet, ref = ref.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
    if sheet not in wb.sheetnames:
        return None
    try:
        r1, c1, r2, c2 = parse_range(ref.replace("$", ""))
    except ValueError:
        return None
    ws = wb[sheet]
    return [ws.cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _validation(wb, dv, sheet: str, anchor: tuple[int, int] | None = None) -> Validation:
    kind = dv.type or "any"
    operator = dv.operator or "between"
    allow_blank = bool(dv.allow_blank)
    if kind == "custom":
        f1 = (dv.formula1 or "").strip()
        return Validation(
            kind,
            allow_blank=allow_blank,
            checkable=False,
            formula=(f1[1:] if f1.startswith("=") else f1) or None,
            anchor=anchor,
            error=dv.error or None,
        )
    if kind == "list":
        f1 = (dv.formula1 or "").strip()
        m = _CONST_STR.match(f1)
        if m:
            options = tuple(o.strip() for o in m.group(1).split(","))
        else:
            values = _range_values(wb, f1.lstrip("="), sheet)
            if values is None:
                return Validation(kind, allow_blank=allow_blank, checkable=False)
            options = tuple(str(_display(v)) for v in values if v not in (None, ""))
        return Validation(kind, options=options, allow_blank=allow_blank)
    if kind in ("whole", "decimal", "textLength"):
        low = _resolve_operand(wb, dv.formula1, sheet)
        high = _resolve_operand(wb, dv.formula2, sheet)
        needs_high = operator in ("between", "notBetween")
        if not isinstance(low, float) or (needs_high and not isinstance(high, float)):
            return Validation(kind, operator, allow_blank=allow_blank, checkable=low is None and dv.formula1 is None)
        return Validation(kind, operator, low, high, allow_blank=allow_blank)
    return Validation(kind, operator, allow_blank=allow_blank, checkable=False)


def read_template(path: str | Path | None = None, *, data: bytes | None = None) -> TemplateInfo:
    """Read a template (or any workbook built from one): stamp, inputs, outputs, validations and
    the locked-formula baseline. Raises :class:`TemplateError` naming the file on any problem."""
    label = str(path) if path is not None else "<template>"
    if data is None:
        if path is None:
            raise TypeError("read_template needs a path or data")
        from gtm_xl.excel.ooxml.package import Package, PackageError

        try:  # the guarded reader first: zip bombs, FIFOs, encrypted/legacy files, corrupt parts
            with Package(path) as pkg:
                pkg.verify()
        except PackageError as exc:
            raise TemplateError(str(exc)) from None
        data = Path(path).read_bytes()
    try:
        wb = load_workbook_bytes(data)
        wbv = load_workbook_bytes(data, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse error means "not a readable workbook"
        raise TemplateError(f"{label}: not a readable .xlsx workbook ({exc})") from exc
    info = template_from_workbooks(wb, wbv, path=Path(path) if path is not None else None, label=label)
    info.data = data
    return info


def template_from_workbooks(wb, wbv, *, path: Path | None = None, label: str = "<template>") -> TemplateInfo:
    """:func:`read_template` on already-loaded openpyxl workbooks (formulas ``wb``, values ``wbv``)."""
    stamp = read_stamp(wb)
    if stamp is None:
        raise TemplateError(
            f"{label}: no template stamp (a defined name GTM_TEMPLATE with the template "
            "id and version); is this a gtm-xl template?"
        )
    inputs: dict[str, NamedBlock] = {}
    outputs: dict[str, NamedBlock] = {}
    for key, dn in workbook_names(wb).items():
        if key in _RESERVED:
            continue
        block = name_block(wb, dn)
        if block is None:
            continue
        ws = wb[block.sheet]
        cells = [ws.cell(r, c) for _, r, c in block.coords()]
        if all(not c.protection.locked for c in cells):
            inputs[key] = block
        elif any(formula_text(c.value) for c in cells):
            outputs[key] = block
    validations: dict[Coord, Validation] = {}
    locked: dict[Coord, str] = {}
    formats: dict[Coord, str] = {}
    values: dict[Coord, Any] = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            ranges = list(dv.sqref.ranges)
            anchor = (ranges[0].min_row, ranges[0].min_col) if ranges else None
            rule = _validation(wb, dv, ws.title, anchor)
            for rng in ranges:
                for r, c in rng.cells:
                    validations[(ws.title, r, c)] = rule
        for row in ws.iter_rows():
            for cell in row:
                f = formula_text(cell.value)
                if f and cell.protection.locked:
                    locked[(ws.title, cell.row, cell.column)] = normalise_formula(f)
    for block in [*inputs.values(), *outputs.values()]:
        for coord in block.coords():
            _, r, c = coord
            formats[coord] = wb[block.sheet].cell(r, c).number_format
            values[coord] = wbv[block.sheet].cell(r, c).value
    return TemplateInfo(
        stamp[0], stamp[1], inputs, outputs, validations, locked, formats, values, sheets=list(wb.sheetnames), path=path
    )


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# --- custom (formula) validation rules ---------------------------------------------------------------
CHECK_OK, CHECK_FAIL, NOT_CHECKED = "ok", "fail", "not checked"


class RuleChecker:
    """Evaluates data-validation rules of type ``custom`` (a formula) against one state of a
    workbook — the one implementation behind ``gtm-xl distribute`` (a region's table values),
    ``gtm-xl rollup`` (a returned file) and ``gtm-xl refresh``/``check``.

    The state is ``book`` (a :class:`gtm_xl.excel.ooxml.cells.WorkbookCells`) with ``values`` laid
    over it (cell → value: a region's inputs, or the refresh's recalculated results). With
    ``evaluated`` False the formula cells' stored values may be stale: the first time a rule
    refers (directly or through a defined name) to a formula cell, the workbook is recalculated
    once with the formula evaluator (:func:`gtm_xl.excel.formula.engine.evaluate_workbook`) over that
    state. Rule formulas are parsed once per text.

    :meth:`check` gives ``("ok", None)``, ``("fail", message)`` — the rule evaluated to FALSE, 0,
    text or an error value — or ``("not checked", why)`` when the rule uses a function the
    evaluator does not support, a structured reference, or cannot be parsed.
    """

    def __init__(
        self, book, values: dict[Coord, Any] | None = None, *, evaluated: bool = False, functions: dict | None = None
    ) -> None:
        self.book = book
        self.values = dict(values or {})
        self.evaluated = evaluated
        self._functions = functions
        self._wb = None
        self._recalculated = False
        self._parsed: dict[str, Any] = {}

    # the evaluator's view of the state, built on first use
    def _state(self):
        if self._wb is None:
            from gtm_xl.excel.formula.engine import _Book

            self._wb = _Book(self.book, self._functions_table())
            for (sheet, r, c), v in self.values.items():
                self._wb.values.setdefault(self._sheet_key(sheet), {})[(r, c)] = v
        return self._wb

    def _functions_table(self) -> dict:
        if self._functions is None:
            try:
                from gtm_xl.catalogue import excel_functions

                self._functions = dict(excel_functions())
            except ImportError:  # pragma: no cover - the catalogue is part of the package
                self._functions = {}
        return self._functions

    def _sheet_key(self, sheet: str) -> str:
        return self.book.sheet(sheet).name

    def _parse(self, formula: str):
        """(tree, functions used, names used) of a rule formula, or (None, why, None)."""
        if formula not in self._parsed:
            from gtm_xl.excel.formula.engine import FormulaSyntaxError, _walk, parse

            try:
                tree = parse(formula)
            except (FormulaSyntaxError, Exception) as exc:  # noqa: BLE001 - the tokenizer raises its own errors
                self._parsed[formula] = (None, f"the rule cannot be read ({exc})", None)
            else:
                fns: set[str] = set()
                names: set[str] = set()
                _walk(tree, lambda _r: None, lambda n, _s: names.add(n), fns.add)
                self._parsed[formula] = (tree, fns, names)
        return self._parsed[formula]

    def _unsupported(self, fns: set[str], names: set[str], sheet: str) -> str | None:
        from gtm_xl.excel.formula.functions.builtins import BUILTINS

        known = set(BUILTINS) | {k.upper() for k in self._functions_table()}
        if any("[" in n for n in names):
            return "a structured (table) reference"
        missing = sorted(f for f in fns if f.upper() not in known)
        seen: set[str] = set()
        todo = list(names)
        wb = self._state()
        while todo and not missing:  # functions inside the defined names it uses
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            try:
                t = wb.name_tree(n, None, self._sheet_key(sheet))
            except Exception:  # noqa: BLE001 - a name the parser cannot read
                return f"the defined name {n}, which cannot be read"
            if t is None:
                continue
            from gtm_xl.excel.formula.engine import _walk

            inner: set[str] = set()
            _walk(t, lambda _r: None, lambda m, _s: todo.append(m), inner.add)
            missing = sorted(f for f in inner if f.upper() not in known)
        return f"the function {missing[0]}, which the headless evaluator does not support" if missing else None

    def _refers_to_formulas(self, tree, sheet: str) -> bool:
        from gtm_xl.excel.formula.engine import _walk

        refs: list = []
        wb = self._state()
        seen: set[str] = set()

        def on_name(n, sh):
            if n in seen:
                return
            seen.add(n)
            t = wb.name_tree(n, sh, self._sheet_key(sheet))
            if t is not None:
                _walk(t, refs.append, on_name, lambda _f: None)

        _walk(tree, refs.append, on_name, lambda _f: None)
        for ref, _flags in refs:
            try:
                target = self.book.sheet(ref.sheet or sheet)
            except KeyError:
                continue
            for (r, c), cell in target.cells.items():
                if cell.formula and ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2:
                    return True
        return False

    def _recalculate(self) -> None:
        """Recalculate the workbook over the overridden state, once."""
        from gtm_xl.excel.formula.engine import evaluate_workbook
        from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells

        self._recalculated = True
        sheets = {name: SheetCells(name, dict(sh.cells)) for name, sh in self.book.sheets.items()}
        for (sheet, r, c), v in self.values.items():
            key = self._sheet_key(sheet)
            old = sheets[key].cells.get((r, c))
            if old is None or not old.formula:
                sheets[key].cells[(r, c)] = Cell(value=v)
        result = evaluate_workbook(WorkbookCells(sheets, self.book.names), self._functions_table())
        wb = self._state()
        for (sheet, r, c), v in result.values.items():
            wb.values[sheet][(r, c)] = v

    def value(self, sheet: str, row: int, col: int) -> Any:
        """The cell's value in the checked state."""
        return self._state().values.get(self._sheet_key(sheet), {}).get((row, col))

    def check(self, sheet: str, rule: Validation, row: int, col: int) -> tuple[str, str | None]:
        """Evaluate ``rule`` (custom) for the cell (sheet, row, col): its relative references are
        moved from ``rule.anchor`` to the cell. Blank cells pass (a rule checks what is entered)."""
        from gtm_xl.errors import CellError
        from gtm_xl.excel.formula.engine import _CellUnsupported, shift
        from gtm_xl.excel.formula.functions.builtins import ExcelError

        if not rule.formula:
            return CHECK_OK, None
        value = self.value(sheet, row, col)
        if value is None or value == "":
            return CHECK_OK, None
        tree, fns, names = self._parse(rule.formula)
        if tree is None:
            return NOT_CHECKED, fns
        why = self._unsupported(fns, names, sheet)
        if why:
            return NOT_CHECKED, f"the rule ={rule.formula} uses {why}"
        ar, ac = rule.anchor or (row, col)
        dr, dc = row - ar, col - ac
        tree = shift(tree, dr, dc) if (dr or dc) else tree
        if not self.evaluated and not self._recalculated and self._refers_to_formulas(tree, sheet):
            self._recalculate()
        wb = self._state()
        wb.current = (row, col)
        here = self._sheet_key(sheet)
        try:
            result = wb.value(wb.ev(tree, here), here)
        except _CellUnsupported as exc:
            return NOT_CHECKED, f"the rule ={rule.formula} uses {exc.function} in a way the evaluator does not support"
        except ExcelError as exc:
            result = exc.error
        except RecursionError:
            return NOT_CHECKED, f"the rule ={rule.formula} is nested too deeply"
        if hasattr(result, "shape"):  # an array: Excel looks at its top-left value
            result = result.flat[0] if result.size else None
        if type(result).__module__ == "numpy":
            result = result.item()
        shown = _display(value)
        text = _shifted_text(rule.formula, dr, dc)
        if isinstance(result, CellError):
            detail = f"{shown!r} fails the rule ={text} (it gives {result.code})"
        elif isinstance(result, bool):
            detail = None if result else f"{shown!r} fails the rule ={text}"
        elif isinstance(result, (int, float)):
            detail = None if result != 0 else f"{shown!r} fails the rule ={text}"
        else:
            detail = f"{shown!r} fails the rule ={text} (it gives {result!r}, not TRUE)"
        if detail is None:
            return CHECK_OK, None
        if rule.error:
            detail += f": {rule.error}"
        return CHECK_FAIL, detail


def _shifted_text(formula: str, dr: int, dc: int) -> str:
    if not (dr or dc):
        return formula
    try:
        from gtm_xl.excel.ooxml.package import translate_formula

        return translate_formula(formula, dr, dc)
    except Exception:  # noqa: BLE001 - the text is for the message only
        return formula


def package_rule(dv) -> Validation:
    """A :class:`gtm_xl.excel.ooxml.package.DataValidation` of type custom as a :class:`Validation`
    (anchor: the top-left cell of the first range of its sqref)."""
    anchor = None
    first = (dv.sqref or "").split()
    if first:
        try:
            r1, c1, _, _ = parse_range(first[0].replace("$", ""))
            anchor = (r1, c1)
        except ValueError:
            anchor = None
    f1 = (dv.formula1 or "").strip()
    return Validation(
        "custom",
        allow_blank=dv.allow_blank,
        checkable=False,
        formula=(f1[1:] if f1.startswith("=") else f1) or None,
        anchor=anchor,
        error=dv.error,
    )
