"""``gtm-xl distribute``: one prefilled copy of a template per region, plus ``manifest.json``.

The template is opened once (:class:`gtm_xl.excel.ooxml.package.Package`); each regional copy is the
template's zip with only three kinds of change, every other member copied raw (same compressed
bytes, same CRC):

* the input cells the region fills (``patch_sheet``: the ``<c>`` elements of those cells only);
* ``xl/workbook.xml``: the region stamped as the defined names ``GTM_REGION`` / ``GTM_REGION_NAME``
  and ``fullCalcOnLoad="1"`` so Excel recalculates the new inputs when the file opens;
* with a password, the ``<sheetProtection>`` of each protected sheet gets an SHA-512 password hash.

Sheet protection, styles, validation, charts and everything else stay byte-identical. All rows of
the regions table are checked before anything is written; each file is written atomically and
re-running into the same folder replaces the copies and the manifest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl import __version__
from gtm_xl.excel.atomic import TargetRefused, check_target, same_file, write_atomic
from gtm_xl.excel.ooxml.names import text_constant
from gtm_xl.excel.ooxml.package import Package, patch_sheet
from gtm_xl.excel.ooxml.workbook_xml import mark_full_calc, set_defined_names
from gtm_xl.workflows.regions import RegionPlan, plan_regions
from gtm_xl.workflows.template_info import (
    REGION_NAME,
    REGION_TITLE_NAME,
    TemplateInfo,
    formula_text,
    load_workbook_bytes,
    read_template,
    utc_now,
)

__all__ = [
    "DistributeResult",
    "RegionalCopier",
    "distribute",
    "naive_regional_copy",
    "workbook_content",
    "content_differences",
    "sha256_file",
    "copy_name",
]

MANIFEST = "manifest.json"


@dataclass
class RegionalFile:
    region: str
    name: str
    file: str
    sha256: str


@dataclass
class DistributeResult:
    """What :func:`distribute` wrote. ``removed``: stale copies of an earlier run (regions no
    longer in the table) it deleted; ``stale_kept``: such copies it left because they changed
    since that run wrote them (or ``remove_stale`` was off); ``notes``: remarks on the input."""

    template: TemplateInfo
    out_dir: Path
    files: list[RegionalFile] = field(default_factory=list)
    manifest: Path | None = None
    removed: list[str] = field(default_factory=list)
    stale_kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def copy_name(template_id: str, region: str, suffix: str = ".xlsx") -> str:
    """``<template>_<region>.xlsx`` (``.xlsm`` for a macro-enabled template: the package keeps its
    content type, so the extension must stay)."""
    return f"{template_id}_{region}{suffix}"


# --- workbook.xml: the region stamp -------------------------------------------------------------
_P = r"(?:[A-Za-z_][\w.-]*:)?"


def stamp_region(workbook_xml: bytes, region: str, title: str) -> bytes:
    """workbook.xml with ``GTM_REGION``/``GTM_REGION_NAME`` defined as text constants (replacing
    any earlier stamp)."""
    return set_defined_names(
        workbook_xml, {REGION_NAME: text_constant(region), REGION_TITLE_NAME: text_constant(title)}
    )


# --- sheet protection with a password -----------------------------------------------------------
_SHEET_PROT = re.compile(rb"<(" + _P.encode() + rb")sheetProtection\b([^>]*?)/>")
_PW_ATTRS = re.compile(rb'\s(?:password|algorithmName|hashValue|saltValue|spinCount)\s*=\s*"[^"]*"')


def protection_hash(password: str, salt: bytes, spin_count: int = 100_000) -> str:
    """Excel's SHA-512 sheet-protection hash (ECMA-376 Part 1, 18.3.1.85, ISO/IEC 29500 agile)."""
    h = hashlib.sha512(salt + password.encode("utf-16-le")).digest()
    for i in range(spin_count):
        h = hashlib.sha512(h + i.to_bytes(4, "little")).digest()
    return base64.b64encode(h).decode()


def protect_attrs(password: str, spin_count: int = 100_000) -> bytes:
    salt = secrets.token_bytes(16)
    return (
        f' algorithmName="SHA-512" hashValue="{protection_hash(password, salt, spin_count)}"'
        f' saltValue="{base64.b64encode(salt).decode()}" spinCount="{spin_count}"'
    ).encode()


def add_sheet_password(sheet_xml: bytes, attrs: bytes) -> bytes:
    """A protected sheet's ``<sheetProtection …/>`` with the hash attributes set (an unprotected
    sheet is left alone)."""

    def sub(m: re.Match) -> bytes:
        return b"<" + m.group(1) + b"sheetProtection" + _PW_ATTRS.sub(b"", m.group(2)).rstrip() + attrs + b"/>"

    return _SHEET_PROT.sub(sub, sheet_xml, count=1)


# --- the fast copier ------------------------------------------------------------------------------
class RegionalCopier:
    """The template read once; :meth:`write` produces one regional copy."""

    def __init__(self, template_path: str | Path, password: str | None = None) -> None:
        self.path = Path(template_path)
        self.package = Package(self.path)
        strings = self.package.shared_strings()
        self._sheets: dict[str, Any] = {}
        for name in self.package.sheet_parts:
            sp, _ = self.package.read_sheet(name, strings)
            self._sheets[name] = sp
        self._password_attrs = protect_attrs(password) if password else None
        self._protected_parts: dict[str, bytes] = {}
        if self._password_attrs is not None:
            for sp in self._sheets.values():
                new = add_sheet_password(sp.data, self._password_attrs)
                if new != sp.data:
                    sp.data = new  # <sheetProtection> follows <sheetData>: the cell spans stay valid
                    self._protected_parts[sp.part] = new

        self._workbook_xml = mark_full_calc(self.package.part(self.package.workbook_part))

    def close(self) -> None:
        self.package.close()

    def __enter__(self) -> RegionalCopier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parts_for(self, plan: RegionPlan) -> dict[str, bytes]:
        """The replaced parts of one regional copy."""
        by_sheet: dict[str, dict[tuple[int, int], Any]] = {}
        for (sheet, row, col), value in plan.cells.items():
            if isinstance(value, str) and value == "":
                value = None  # an empty text is a blank cell (as openpyxl and Excel store it)
            by_sheet.setdefault(sheet, {})[(row, col)] = value
        parts = dict(self._protected_parts)
        for sheet, values in by_sheet.items():
            sp = self._sheets[sheet]
            parts[sp.part] = patch_sheet(sp, values)
        parts[self.package.workbook_part] = stamp_region(self._workbook_xml, plan.region, plan.name)
        return parts

    def write(self, plan: RegionPlan, target: str | Path) -> Path:
        """Write the copy for ``plan`` to ``target`` (atomically: temp file beside it, rename)."""
        target = Path(target)
        self.package.save(target, self.parts_for(plan))
        return target


def distribute(
    template_path: str | Path,
    regions_path: str | Path,
    out_dir: str | Path,
    *,
    rows_path: str | Path | None = None,
    password: str | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
    install_template: str | Path | None = None,
    remove_stale: bool = True,
) -> DistributeResult:
    """Check the regions (and rows) table against the template, then write one copy per region
    and ``manifest.json`` into ``out_dir``.

    Nothing at all is written before the tables pass — not ``out_dir``, not the template:
    :class:`gtm_xl.workflows.regions.RegionsError` (every problem) or
    :class:`gtm_xl.workflows.template_info.TemplateError` (a bad template) is raised first.
    ``install_template``: copy the template there once the tables pass and record that copy in
    the manifest (``gtm-xl distribute KIND`` builds the template into a temporary folder and
    installs it as ``DIR/.template/…``). Re-running into the same folder replaces the copies; a
    copy the previous ``manifest.json`` lists for a region no longer in the table is deleted when
    it is byte-for-byte what that run wrote (its SHA-256 in that manifest) and ``remove_stale``
    is on, and otherwise kept and reported — files the manifest does not list are never touched.
    """
    template_path = Path(template_path)
    template = read_template(template_path)
    notes: list[str] = []
    plans = plan_regions(template, regions_path, rows_path, notes)
    out = Path(out_dir)
    suffix = ".xlsm" if template_path.suffix.lower() == ".xlsm" else ".xlsx"
    check_targets(
        [out / copy_name(template.template_id, p.region, suffix) for p in plans]
        + [out / MANIFEST]
        + ([Path(install_template)] if install_template is not None else []),
        [template_path, Path(regions_path), *([Path(rows_path)] if rows_path is not None else [])],
    )
    out.mkdir(parents=True, exist_ok=True)
    if install_template is not None:
        target = Path(install_template)
        target.parent.mkdir(parents=True, exist_ok=True)
        template_path = write_atomic(target, template_path.read_bytes())
    result = DistributeResult(template, out, notes=notes)
    previous = _previous_regions(out)
    items: Iterable[RegionPlan] = plans if progress is None else progress(plans)
    with RegionalCopier(template_path, password=password) as copier:
        for plan in items:
            target = copier.write(plan, out / copy_name(template.template_id, plan.region, suffix))
            result.files.append(RegionalFile(plan.region, plan.name, target.name, sha256_file(target)))
    written = {f.file for f in result.files}
    for entry in previous:
        name = entry["file"]
        if name in written or not (out / name).is_file():
            continue
        if remove_stale and entry.get("sha256") and sha256_file(out / name) == entry["sha256"]:
            (out / name).unlink()
            result.removed.append(name)
        else:
            result.stale_kept.append(name)
    result.manifest = write_manifest(result, template_path)
    return result


def check_targets(targets: list[Path], inputs: list[Path]) -> None:
    """Before the first copy is written: every target writable, none an input (the template, a
    table), none read-only or open in Excel/LibreOffice — else :class:`TargetRefused` naming it,
    so a re-run never stops half-way with some regions rewritten and the manifest stale."""
    for target in targets:
        for item in inputs:
            if target.exists() and item.exists() and same_file(target, item):
                raise TargetRefused(target, f"is the input {item}: refused, it would be overwritten")
        check_target(target, make_dirs=True)


def _previous_regions(out: Path) -> list[dict]:
    """The regional files the folder's existing manifest.json lists (plain file names of
    workbooks only: an entry with a path in it is ignored); [] when there is none or it is not ours."""
    path = out / MANIFEST
    if not path.is_file():
        return []
    try:
        doc = read_manifest(path)
    except ValueError:
        return []
    out_list = []
    for entry in doc.get("regions") or []:
        name = entry.get("file") if isinstance(entry, dict) else None
        if (
            isinstance(name, str)
            and name == Path(name).name
            and name not in ("", ".", "..")
            and Path(name).suffix.lower() in (".xlsx", ".xlsm")
        ):
            out_list.append(entry)
    return out_list


def write_manifest(result: DistributeResult, template_path: Path) -> Path:
    """``manifest.json``: template id/version/path/SHA-256, time, and per region file + SHA-256."""
    doc = {
        "tool": f"gtm-xl {__version__}",
        "created": utc_now(),
        "template": {
            "id": result.template.template_id,
            "version": result.template.version,
            "file": str(template_path.resolve()),
            "sha256": sha256_file(template_path),
        },
        "regions": [f.__dict__ for f in result.files],
    }
    return write_text_atomic(result.out_dir / MANIFEST, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(target: Path, text: str) -> Path:
    return write_atomic(target, text.encode("utf-8"))


def read_manifest(path: str | Path) -> dict:
    """The manifest as a dict; a clear ValueError when it is not one of ours."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise ValueError(f"{path}: not a readable manifest.json ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read forever
        raise ValueError(f"{path}: not a regular file (a folder, FIFO or device): refused")
    if st.st_size > 64 << 20:
        raise ValueError(f"{path}: {st.st_size:,} bytes is not a manifest.json (over 64 MiB): refused")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable manifest.json ({exc})") from exc
    if not isinstance(doc, dict) or "template" not in doc or "regions" not in doc:
        raise ValueError(f"{path}: not a gtm-xl manifest (needs 'template' and 'regions')")
    return doc


# --- the naive way, kept as the reference the fast path is checked against -----------------------
def naive_regional_copy(
    template_path: str | Path, plan: RegionPlan, target: str | Path, password: str | None = None
) -> Path:
    """The obvious implementation: openpyxl loads the template, sets the cells, adds the stamp
    names, saves. Slow (a full parse and re-serialisation per region); used by the benchmark and
    the tests to prove the fast copies hold the same content."""
    # on use: the fast copies never load openpyxl; only this reference implementation does
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.load_workbook(template_path)
    for (sheet, row, col), value in plan.cells.items():
        wb[sheet].cell(row, col).value = value
    for nm, v in ((REGION_NAME, plan.region), (REGION_TITLE_NAME, plan.name)):
        wb.defined_names[nm] = DefinedName(nm, attr_text=text_constant(v))
    if password:
        for ws in wb.worksheets:
            if ws.protection.sheet:
                ws.protection.password = password
    wb.save(target)
    return Path(target)


def workbook_content(path: str | Path) -> dict[str, Any]:
    """Every sheet's cell values/formulas (as openpyxl reads them), the defined names, the
    protection flags and the unlocked cells: what "identical in content" means for the benchmark
    and tests (compare two with :func:`content_differences`)."""
    wb = load_workbook_bytes(Path(path).read_bytes())
    sheets: dict[str, dict[tuple[int, int], Any]] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                f = formula_text(v)
                if f is not None:
                    v = f
                if isinstance(v, int) and not isinstance(v, bool):
                    v = float(v)
                if v is not None:
                    cells[(c.row, c.column)] = v
        sheets[ws.title] = cells
    names = {k: dn.attr_text for k, dn in wb.defined_names.items()}
    protection = {ws.title: bool(ws.protection.sheet) for ws in wb.worksheets}
    locked = {
        ws.title: {(c.row, c.column) for row in ws.iter_rows() for c in row if not c.protection.locked}
        for ws in wb.worksheets
    }
    return {"sheets": sheets, "names": names, "protection": protection, "unlocked": locked}


def content_differences(a: dict[str, Any], b: dict[str, Any], rel_tol: float = 1e-14) -> list[str]:
    """Where two :func:`workbook_content` results differ; numbers are equal within ``rel_tol``
    (openpyxl writes about 15 significant digits, the fast copies the exact double)."""
    diffs = [f"{key} differ" for key in ("names", "protection", "unlocked") if a[key] != b[key]]
    for sheet in sorted(set(a["sheets"]) | set(b["sheets"])):
        ca, cb = a["sheets"].get(sheet, {}), b["sheets"].get(sheet, {})
        for coord in sorted(set(ca) | set(cb)):
            va, vb = ca.get(coord), cb.get(coord)
            if isinstance(va, float) and isinstance(vb, float) and math.isclose(va, vb, rel_tol=rel_tol):
                continue
            if va != vb:
                diffs.append(f"{sheet}!{coord}: {va!r} != {vb!r}")
    return diffs
