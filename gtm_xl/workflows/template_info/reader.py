"""The openpyxl reader: a template (or any workbook built from one) read into a :class:`TemplateInfo`.

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

import io
import re
import warnings
from pathlib import Path
from typing import Any

from gtm_xl.excel.ooxml import names
from gtm_xl.excel.ooxml.package import Package, PackageError
from gtm_xl.workflows.template_info.model import (
    LABEL_PREFIXES,
    RESERVED_NAMES,
    Coord,
    NamedBlock,
    TemplateError,
    TemplateInfo,
    Validation,
    display_value,
    normalise_formula,
    region_from,
    stamp_from,
)

__all__ = [
    "formula_text",
    "load_workbook_bytes",
    "name_block",
    "name_constant",
    "read_region",
    "read_stamp",
    "read_template",
    "template_from_workbooks",
    "workbook_names",
]

_CONST_STR = re.compile(r'^"(.*)"$', re.S)


def load_workbook_bytes(data: bytes, *, data_only: bool = False):
    """openpyxl workbook from bytes (``keep_links`` off; raises whatever openpyxl raises)."""
    import openpyxl  # imported on use: the refresh and roll-up paths import this package and never need openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, keep_links=False)


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
    value = names.constant(dn.attr_text)
    if value is not None:
        return value
    where = names.area(dn.attr_text)
    if where is None or not where.is_cell or where.sheet not in wb.sheetnames:
        return None
    return wb[where.sheet].cell(where.min_row, where.min_col).value


def name_block(wb, dn) -> NamedBlock | None:
    """The single rectangular range a defined name refers to, or None."""
    where = names.area(dn.attr_text)
    if where is None or where.sheet is None or where.sheet not in wb.sheetnames:
        return None
    return NamedBlock(dn.name, where.sheet, where.min_row, where.min_col, where.max_row, where.max_col)


def read_stamp(wb) -> tuple[str, str] | None:
    """(template id, version) from the stamp name(s) of an openpyxl workbook, or None."""
    defined = workbook_names(wb)
    return stamp_from(lambda key: name_constant(wb, defined[key]) if key in defined else None)


def read_region(wb) -> tuple[str | None, str | None]:
    """The (region id, region name) stamped by distribute in an openpyxl workbook, or (None, None)."""
    defined = workbook_names(wb)
    return region_from(lambda key: name_constant(wb, defined[key]) if key in defined else None)


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
    value = names.constant(text)
    if value is not None:
        return value
    values = _range_values(wb, text.strip().lstrip("="), sheet)
    if values is not None and len(values) == 1:
        v = values[0]
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    return None


def _range_values(wb, ref: str, sheet: str) -> list[Any] | None:
    """Values of a reference like ``$A$1:$A$5``, ``Settings!$B$2`` or a defined name; None if unresolvable."""
    defined = workbook_names(wb)
    if ref.lower() in defined:
        block = name_block(wb, defined[ref.lower()])
        if block is None:
            return None
        ws = wb[block.sheet]
        return [ws.cell(r, c).value for _, r, c in block.coords()]
    where = names.area(ref)
    if where is None:
        return None
    sheet = where.sheet or sheet
    if sheet not in wb.sheetnames:
        return None
    ws = wb[sheet]
    return [ws.cell(r, c).value for r, c in where.cells()]


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
            options = tuple(str(display_value(v)) for v in values if v not in (None, ""))
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
    labels: dict[str, dict[str, NamedBlock]] = {}
    plan: list[str] = []
    for key, dn in workbook_names(wb).items():
        if key in RESERVED_NAMES:
            continue
        block = name_block(wb, dn)
        if block is None:
            continue
        prefix = next((p for p in LABEL_PREFIXES if key.startswith(p)), None)
        if prefix is not None:
            target = key[len(prefix) :]
            if prefix == "gtm_plan_":
                plan.append(target)
            else:
                labels.setdefault(target, {})[prefix[4:-1]] = block
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
        stamp[0],
        stamp[1],
        inputs,
        outputs,
        validations,
        locked,
        formats,
        values,
        sheets=list(wb.sheetnames),
        path=path,
        labels=labels,
        plan_totals=sorted(p for p in plan if p in inputs),
    )
