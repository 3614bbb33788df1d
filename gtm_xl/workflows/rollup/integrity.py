"""Checks a returned regional workbook against its template (used by ``gtm-xl rollup``).

* the template stamp (id and version) is the template's;
* the region stamp is present and, with a manifest, is one of its regions with that file name;
* every formula in a locked cell of the template is still there, unchanged (compared as
  :func:`gtm_xl.workflows.template_info.normalise_formula` text, so a save by Excel or LibreOffice that only
  re-spells a formula is not tampering); a changed or overwritten formula is reported with its cell;
* every input cell passes the data validation the template gives it.

Each check returns reasons as one-line strings; an empty list means the file is good. The checks
read the file through :class:`gtm_xl.workflows.template_info.CellsView` (the package reader's cell model).
"""

from __future__ import annotations

import re
from typing import Any

from gtm_xl.workflows.template_info import (
    CHECK_FAIL,
    CHECK_OK,
    CellsView,
    RuleChecker,
    TemplateInfo,
    cell_label,
    normalise_formula,
    region_from,
    stamp_from,
)

__all__ = ["check_stamp", "check_region", "check_formulas", "check_inputs", "needs_recalculation"]

_MAX_LISTED = 10


def check_stamp(view: CellsView, template: TemplateInfo) -> list[str]:
    stamp = stamp_from(view.constant)
    if stamp is None:
        return ["no template stamp (not a copy of a gtm-xl template)"]
    tid, version = stamp
    if tid != template.template_id:
        return [f"template is {tid!r}, expected {template.template_id!r}"]
    if version != template.version:
        return [f"template version is {version!r}, expected {template.version!r}"]
    return []


def check_region(
    view: CellsView, file_name: str, manifest_regions: dict[str, dict] | None
) -> tuple[str | None, str | None, list[str]]:
    """(region id, region name, reasons)."""
    region, title = region_from(view.constant)
    if region is None:
        return None, None, ["no region stamp (GTM_REGION): not a regional copy made by gtm-xl distribute"]
    if manifest_regions is None:
        return region, title, []
    entry = manifest_regions.get(region.lower())
    if entry is None:
        return region, title, [f"region {region!r} is not in the manifest"]
    if entry.get("file") and entry["file"] != file_name:
        return region, title, [f"region {region!r} was sent as {entry['file']}, this file is {file_name}"]
    return region, title, []


def check_formulas(view: CellsView, template: TemplateInfo) -> list[str]:
    """One reason per locked template formula that is missing or changed (first few listed)."""
    reasons = []
    for coord, expected in template.locked_formulas.items():
        sheet, row, col = coord
        if sheet not in view.sheetnames:
            reasons.append(f"sheet {sheet!r} is missing")
            break
        f = view.formula(sheet, row, col)
        if f is None:
            value = view.value(sheet, row, col)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            reasons.append(
                f"formula at {cell_label(coord)} was replaced by the value {value!r} (template: ={_short(expected)})"
            )
        elif normalise_formula(f) != expected:
            reasons.append(f"formula at {cell_label(coord)} changed: {_short(f)} (template: ={_short(expected)})")
    return _capped(reasons, "changed formulas")


def _short(formula: str, limit: int = 60) -> str:
    return formula if len(formula) <= limit else formula[: limit - 1] + "…"


def check_inputs(view: CellsView, template: TemplateInfo, not_checked: list[str] | None = None) -> list[str]:
    """One reason per input cell whose value fails the template's validation for it.

    Custom (formula) rules are evaluated over the returned file's own cells
    (:class:`gtm_xl.workflows.template_info.RuleChecker`; its stored values, recalculated first when a
    rule refers to a formula cell). A rule the evaluator cannot evaluate does not leave the file
    out: it is appended to ``not_checked`` (when given) as "input … at …: not checked: why"."""
    reasons = []
    checker: RuleChecker | None = None
    for key, block in template.inputs.items():
        if block.sheet not in view.sheetnames:
            reasons.append(f"input {key}: sheet {block.sheet!r} is missing")
            continue
        for coord in block.coords():
            rule = template.validations.get(coord)
            if rule is None:
                continue
            f = view.formula(*coord)
            if f is not None:
                reasons.append(f"input {key} at {cell_label(coord)} holds a formula ({f}), expected a value")
                continue
            value: Any = view.value(*coord)
            if rule.kind == "custom":
                if value is None or value == "":
                    continue
                if checker is None:
                    checker = RuleChecker(view.book)
                status, detail = checker.check(coord[0], rule, coord[1], coord[2])
                if status == CHECK_FAIL:
                    reasons.append(f"input {key} at {cell_label(coord)}: {detail}")
                elif status != CHECK_OK and not_checked is not None:
                    not_checked.append(f"input {key} at {cell_label(coord)}: not checked: {detail}")
                continue
            problem = rule.problem(value)
            if problem:
                reasons.append(f"input {key} at {cell_label(coord)}: {problem}")
    return _capped(reasons, "invalid inputs")


def _capped(reasons: list[str], what: str) -> list[str]:
    if len(reasons) > _MAX_LISTED:
        return reasons[:_MAX_LISTED] + [f"… and {len(reasons) - _MAX_LISTED} more {what}"]
    return reasons


def needs_recalculation(view: CellsView, workbook_xml: bytes, template: TemplateInfo) -> bool:
    """True when the stored results cannot be trusted: the workbook asks for a full recalculation
    on load (written by gtm-xl distribute, openpyxl…), or an output formula has no stored value."""
    if re.search(rb"""fullCalcOnLoad\s*=\s*["'](?:1|true)["']""", workbook_xml):
        return True
    for block in template.outputs.values():
        for coord in block.coords():
            if view.formula(*coord) is not None and view.value(*coord) is None:
                return True
    return False
