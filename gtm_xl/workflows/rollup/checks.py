"""Checks on one returned regional workbook, and reading what the roll-up consolidates from it.

For each file (in worker processes with ``jobs > 1``):

1. open it safely (:class:`gtm_xl.excel.ooxml.package.Package`: corrupt, truncated, encrypted and
   oversized files are refused with a reason);
2. check it (:mod:`gtm_xl.workflows.rollup.integrity`): template id and version, region stamp vs the manifest,
   locked formulas unchanged, inputs valid, no control characters in its text;
3. when its stored results are missing or stale, recalculate a copy (never the user's file) with
   the headless refresh (:func:`gtm_xl.workflows.refresh.refresh_file`); where the refresh cannot compute
   every output (evaluator missing, unsupported function), LibreOffice recalculates it instead;
4. read the values of the template's output and input blocks and of the cells labelling them.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.excel.libreoffice import LibreOffice, LibreOfficeError, find_soffice
from gtm_xl.excel.ooxml.package import Package, PackageError
from gtm_xl.workflows import guard
from gtm_xl.workflows.distribute import sha256_file
from gtm_xl.workflows.guard import LimitExceeded, Limits, run_limited
from gtm_xl.workflows.refresh import refresh_file
from gtm_xl.workflows.rollup import integrity
from gtm_xl.workflows.template_info import CellsView, TemplateInfo, cell_label

__all__ = [
    "FileResult",
    "inspect_file",
    "read_book",
    "resolve_template",
    "recalculate_with_libreoffice",
    "CONTROL_CHARACTERS",
]

#: C0 control characters (tab, line feed and carriage return excepted) and DEL: never in a label or a name
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class FileResult:
    """One returned file: included (``ok``) or left out with ``reasons``."""

    path: str
    region: str | None = None
    name: str | None = None
    reasons: list[str] = field(default_factory=list)
    recalculated_by: str | None = None  # "refresh" | "libreoffice" | None (stored values used)
    needs_libreoffice: bool = False
    outputs: dict[str, list[list[Any]]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # single-cell numeric inputs (weights of averages)
    input_blocks: dict[str, list[list[Any]]] = field(default_factory=dict)  # every input block's values
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)  # block → rows/cols (lists), title (text)
    sheet_titles: dict[str, Any] = field(default_factory=dict)  # sheet → its A1 title
    modified: str | None = None  # the file's time stamp (UTC, ISO 8601)
    not_checked: list[str] = field(default_factory=list)  # validation rules the evaluator could not evaluate

    @property
    def ok(self) -> bool:
        return not self.reasons


# --- one file -------------------------------------------------------------------------------------
def _grid(view, block) -> list[list[Any]]:
    return [
        [_plain(view.value(block.sheet, r, c)) for c in range(block.min_col, block.max_col + 1)]
        for r in range(block.min_row, block.max_row + 1)
    ]


def _read_outputs(view, template: TemplateInfo) -> dict[str, list[list[Any]]]:
    return {key: _grid(view, block) for key, block in template.outputs.items()}


def _read_labels(view, template: TemplateInfo) -> dict[str, dict[str, Any]]:
    """block → {"rows": [label…], "cols": [label…], "title": text} from the cells the template's
    ``gtm_rows_/gtm_cols_/gtm_title_`` names point at (read after any recalculation: some labels
    are formulas over the Settings)."""
    out: dict[str, dict[str, Any]] = {}
    for key, axes in template.labels.items():
        entry: dict[str, Any] = {}
        for axis, block in axes.items():
            cells = [v for line in _grid(view, block) for v in line]
            formats = [template.number_formats.get(c) or "" for c in block.coords()]
            labels = [_label(v, f) for v, f in zip(cells, formats)]
            entry[axis] = labels[0] if axis == "title" else labels
        out[key] = entry
    return out


def _label(v: Any, fmt: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, float) and "%" in fmt:  # an attainment labelling a payout schedule: 120%
        return f"{v:.{len(fmt.split('.')[1].rstrip('%')) if '.' in fmt else 0}%}"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _sheet_titles(view, template: TemplateInfo) -> dict[str, Any]:
    return {s: view.value(s, 1, 1) for s in template.sheets if s in view.sheetnames}


def control_characters(view, template: TemplateInfo, path: Path) -> list[str]:
    """One reason per text cell of an input, output or label block (and the region stamp) holding a
    control character or NUL: such text is refused, never written into the roll-up."""
    reasons = []
    blocks = [*template.inputs.values(), *template.outputs.values()]
    blocks += [b for axes in template.labels.values() for b in axes.values()]
    seen = set()
    for block in blocks:
        for coord in block.coords():
            if coord in seen:
                continue
            seen.add(coord)
            v = view.value(*coord)
            if isinstance(v, str):
                m = CONTROL_CHARACTERS.search(v)
                if m:
                    _, row, col = coord
                    reasons.append(
                        f"{path.name}: control character U+{ord(m.group()):04X} in the text at {cell_label(coord)} "
                        f"(row {row}, column {col})"
                    )
    for key in ("gtm_region", "gtm_region_name"):
        v = view.constant(key)
        if isinstance(v, str) and CONTROL_CHARACTERS.search(v):
            reasons.append(f"{path.name}: control character in the region stamp {key.upper()}")
    return reasons[:10] + (
        [f"… and {len(reasons) - 10} more texts with control characters"] if len(reasons) > 10 else []
    )


def _read_input_blocks(view, template: TemplateInfo) -> dict[str, list[list[Any]]]:
    return {key: _grid(view, block) for key, block in template.inputs.items()}


def _read_inputs(view, template: TemplateInfo) -> dict[str, Any]:
    """The numbers in the template's single-cell inputs (a volume such as ``mrr_start`` can weight
    an average); inputs are values, so no recalculation is needed."""
    out = {}
    for key, block in template.inputs.items():
        if block.is_scalar:
            v = _plain(view.value(block.sheet, block.min_row, block.min_col))
            if isinstance(v, float):
                out[key] = v
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return getattr(v, "code", None) or str(v)  # a CellError → "#DIV/0!" …


def read_book(path: str | Path):
    """(CellsView, workbook.xml bytes) of a workbook through the package reader, which refuses
    corrupt, truncated, encrypted and oversized files with a PackageError."""
    with Package(path) as pkg:
        workbook_xml = pkg.part(pkg.workbook_part)
        book, _ = pkg.read_cells()
    return CellsView(book), workbook_xml


def inspect_file(
    path: str | Path,
    template: TemplateInfo,
    manifest_regions: dict[str, dict] | None = None,
    *,
    recalculate: bool = True,
) -> FileResult:
    """Check one returned workbook and read its outputs (recalculating a copy when stale)."""
    path = Path(path)
    result = FileResult(str(path))
    try:
        stamp = path.stat().st_mtime
        result.modified = _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).replace(microsecond=0).isoformat()
    except OSError:
        pass
    try:
        view, workbook_xml = read_book(path)
    except PackageError as exc:
        result.reasons.append(f"unreadable: {exc}")
        return result
    except Exception as exc:  # noqa: BLE001 - whatever a damaged part makes the reader raise
        result.reasons.append(f"unreadable: {path}: {type(exc).__name__}: {exc}")
        return result
    result.reasons += integrity.check_stamp(view, template)
    if result.reasons:
        return result
    result.region, result.name, why = integrity.check_region(view, path.name, manifest_regions)
    result.reasons += why
    result.reasons += integrity.check_formulas(view, template)
    result.reasons += integrity.check_inputs(view, template, result.not_checked)
    result.reasons += control_characters(view, template, path)
    if result.reasons:
        return result
    result.inputs = _read_inputs(view, template)
    result.input_blocks = _read_input_blocks(view, template)
    if recalculate and integrity.needs_recalculation(view, workbook_xml, template):
        values = _recalculate_with_refresh(path, template)
        if isinstance(values, str):
            result.reasons.append(values)
            return result
        if values is None:
            result.needs_libreoffice = True
            return result
        (result.outputs, result.labels, result.sheet_titles), result.recalculated_by = values, "refresh"
    else:
        result.outputs = _read_outputs(view, template)
        result.labels = _read_labels(view, template)
        result.sheet_titles = _sheet_titles(view, template)
    return result


def _read_all(view, template: TemplateInfo) -> tuple[dict, dict, dict]:
    return _read_outputs(view, template), _read_labels(view, template), _sheet_titles(view, template)


def _recalculate_with_refresh(
    path: Path, template: TemplateInfo, limits: Limits | None = None
) -> tuple[dict, dict, dict] | str | None:
    """Outputs after the headless refresh recalculated a temporary copy; None when it could not
    compute every output (unsupported function, circular reference, error); the reason (a str)
    when the file ran past its budget (``limits``, :mod:`gtm_xl.workflows.guard`): such a file is
    left out, never handed to LibreOffice to try again."""
    with tempfile.TemporaryDirectory(prefix="gtm-rollup-") as tmp:
        out = Path(tmp) / path.name
        try:  # evaluated under the memory and time budget (already, when in a checking child)
            if guard.ACTIVE is not None:
                report = refresh_file(path, out)
            else:
                report = run_limited(refresh_file, (path, out), limits or WORKER.get("limits") or Limits())
        except LimitExceeded as exc:
            return f"recalculation stopped: {exc}"
        if report.error and ("--max-memory" in report.error or "--max-seconds" in report.error):
            why = report.error.removeprefix(f"{path}: ").removesuffix(": stopped, nothing written")
            return f"recalculation stopped: it {why}"
        if report.error or report.unsupported or report.circular or not out.exists():
            return None
        return _read_all(read_book(out)[0], template)


def recalculate_with_libreoffice(results: list[FileResult], template: TemplateInfo, lo=None) -> None:
    """Recalculate copies of the given files in one LibreOffice run (``lo``: a running profile to
    reuse, else a fresh one); a failure becomes a reason."""
    if not results:
        return
    if lo is None and find_soffice() is None:
        for r in results:
            r.reasons.append(
                "stored results are stale and neither the headless refresh nor LibreOffice could recalculate them"
            )
        return
    with tempfile.TemporaryDirectory(prefix="gtm-rollup-lo-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        copies = []
        for i, r in enumerate(results):  # unique names: two returned files may share a name
            dst = src / f"{i:05d}_{Path(r.path).name}"
            shutil.copyfile(r.path, dst)
            copies.append(dst)
        with contextlib.nullcontext(lo) if lo is not None else LibreOffice() as office:
            try:
                outs = office.convert(copies, "xlsx", Path(tmp) / "out", filter_name="Calc MS Excel 2007 XML")
            except LibreOfficeError as exc:
                for r in results:
                    r.reasons.append(f"recalculation failed: {exc}")
                return
        for r, out in zip(results, outs):
            view = read_book(out)[0]
            outputs = _read_outputs(view, template)
            unknown = sorted({k for k, rows in outputs.items() for line in rows for v in line if v == "#NAME?"})
            r.needs_libreoffice = False
            if unknown:  # GTM_* functions (udf flavour): LibreOffice does not know them
                r.reasons.append(
                    "stale results could not be recalculated: the headless refresh is unavailable "
                    "and LibreOffice gives #NAME? for "
                    + ", ".join(unknown[:5])
                    + " (GTM_* functions need the refresh's evaluator)"
                )
                continue
            r.outputs, r.recalculated_by = outputs, "libreoffice"
            r.labels, r.sheet_titles = _read_labels(view, template), _sheet_titles(view, template)


# --- worker processes -------------------------------------------------------------------------------
#: per process: the budget of a returned copy's recalculation (set by the roll-up before its children fork)
WORKER: dict[str, Any] = {}


# --- which template, which manifest -----------------------------------------------------------------
def resolve_template(template: str | Path | None, manifest: dict | None, manifest_path: Path | None) -> Path:
    """The template file: ``--template``, else the one the manifest names (checked by SHA-256)."""
    if template is not None:
        return Path(template)
    if manifest is None:
        raise ValueError("which template? give --manifest (written by gtm-xl distribute) or --template")
    t = manifest["template"]
    candidates = [Path(t.get("file", ""))]
    if manifest_path is not None:
        name = Path(t.get("file", "")).name
        candidates += [manifest_path.parent / name, manifest_path.parent / ".template" / name]
    for c in candidates:
        if c.is_file() and sha256_file(c) == t.get("sha256"):
            return c
    raise ValueError(
        f"the template of the manifest ({t.get('file')}) is missing or changed since the "
        "distribution; give it with --template"
    )
