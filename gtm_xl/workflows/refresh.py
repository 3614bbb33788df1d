"""The headless refresh: recalculate every formula of a workbook and store the results in place.

For each file: open the package (:mod:`gtm_xl.excel.ooxml.package`, which refuses encrypted, legacy,
corrupt and oversized files), read its cells, evaluate them (:func:`gtm_xl.excel.formula.
evaluate_workbook` with the ``GTM_*`` table of :mod:`gtm_xl.catalogue`), check the input cells
against the workbook's own data-validation rules, splice the changed cached values into the
worksheet parts, mark the workbook for a full recalculation on load and write it atomically.

One bad file never stops a batch: :func:`refresh_file` turns every failure into a
:class:`FileReport` with ``error`` set (one line naming the file and, where there is one, the
cell). ``check_only`` computes and reports without writing anything.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.catalogue import excel_functions
from gtm_xl.errors import CellError
from gtm_xl.excel.atomic import TargetRefused, check_replaceable, same_file
from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import to_a1
from gtm_xl.excel.ooxml.package import Package, PackageError, parse_range, patch_sheet
from gtm_xl.excel.ooxml.workbook_xml import mark_full_calc
from gtm_xl.excel.values import MAX_TEXT, text_too_long
from gtm_xl.workflows import guard
from gtm_xl.workflows.guard import Limits, map_limited
from gtm_xl.workflows.template_info.validation import validation_failures

__all__ = [
    "FileReport",
    "stored_value",
    "collect_inputs",
    "scan_inputs",
    "refresh_file",
    "refresh_files",
    "validation_failures",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class FileReport:
    """What the refresh did to (or found in) one file. ``error`` set ⇔ the file failed."""

    path: str
    output: str | None = None
    error: str | None = None
    formulas_evaluated: int = 0
    cells_changed: int = 0
    validation_failures: list[dict[str, str]] = field(default_factory=list)
    validation_not_checked: list[dict[str, str]] = field(default_factory=list)
    errors_produced: list[dict[str, str]] = field(default_factory=list)
    unsupported: list[dict[str, str]] = field(default_factory=list)
    circular: list[str] = field(default_factory=list)
    not_computed: list[dict[str, str]] = field(default_factory=list)
    #: cells computed from TODAY/NOW (directly or through other cells): the refresh's instant
    volatile: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def _where(sheet: str, row: int, col: int) -> str:
    quoted = "'" + sheet.replace("'", "''") + "'" if re.search(r"[^A-Za-z0-9_.]", sheet) else sheet
    return f"{quoted}!{to_a1(row, col)}"


def stored_value(value: Any) -> Any:
    """A computed value as the file stores it: numpy scalars → Python (np.bool_ is not a bool), ints →
    float as Excel stores them; text, booleans, None and error values as they are."""
    if type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


# --- one file ------------------------------------------------------------------------------------
_SHEET_PREFIX = re.compile(r"(?:'((?:[^']|'')+)'|([A-Za-z_][\w.]*))!")


def _missing_sheets(formula: str, sheets: set[str]) -> list[str]:
    text = re.sub(r'"(?:[^"]|"")*"', '""', formula)
    out = []
    for m in _SHEET_PREFIX.finditer(text):
        name = (m.group(1) or "").replace("''", "'") or m.group(2)
        if name.lower() not in sheets and not name.startswith("["):
            out.append(name)
    return out


def refresh_file(
    path: str | os.PathLike,
    output: str | os.PathLike | None = None,
    *,
    check_only: bool = False,
    functions: Mapping[str, Callable] | None = None,
) -> FileReport:
    """Refresh one workbook into ``output`` (default: in place, atomically), or only check it.

    Never raises for a bad file: the report's ``error`` says what is wrong, in one line.
    """
    started = time.perf_counter()
    report = FileReport(path=str(path))
    # The cell model of a large sheet is hundreds of thousands of small objects (keys, values,
    # cells) and no reference cycles: the cyclic collector, run every few hundred allocations,
    # would walk them over and over (a third of the 10,000-row matrix's time). It is off for
    # the file and back on afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _refresh(Path(path), Path(path if output is None else output), check_only, functions, report)
    except Exception as exc:  # noqa: BLE001 — one bad file never stops a batch
        if isinstance(exc, (PackageError, TargetRefused)):
            report.error = str(exc)
        elif isinstance(exc, MemoryError):
            limit = guard.ACTIVE.memory_text() if guard.ACTIVE is not None else "the memory available"
            guard.RETIRE = True
            report.error = f"{path}: needs more than {limit}: stopped, nothing written"
        elif isinstance(exc, RecursionError):
            report.error = f"{path}: a formula is nested too deeply to evaluate: stopped, nothing written"
        elif isinstance(exc, OSError):
            report.error = f"{path}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        else:
            report.error = f"{path}: {type(exc).__name__}: {exc}"
        report.output = None
    finally:
        if collecting:
            gc.enable()
    report.seconds = round(time.perf_counter() - started, 4)
    return report


_FUNCTIONS: dict[str, Callable] | None = None


def _default_functions() -> Mapping[str, Callable]:
    """The ``GTM_*`` function table, built once per process."""
    global _FUNCTIONS
    if _FUNCTIONS is None:
        _FUNCTIONS = excel_functions()
    return _FUNCTIONS


def _refresh(path: Path, output: Path, check_only: bool, functions, report: FileReport) -> None:
    if functions is None:
        functions = _default_functions()
    if path.suffix.lower() not in WORKBOOK_SUFFIXES and path.suffix.lower() != ".xls":
        raise PackageError(path, f"not an .xlsx/.xlsm workbook (suffix {path.suffix or 'none'!r})")
    if not check_only and output.exists() and same_file(output, path):
        check_replaceable(output)  # read-only, open in Excel/LibreOffice, locked: refused before any work
    with Package(path) as pkg:
        book, parts = pkg.read_cells()
        pkg.verify()  # every other member inflated once: a corrupt part (CRC) fails, copied on never
        # the engine has no budget parameter: the batch runs each file in a capped child (workflows/guard.py)
        evaluation = evaluate_workbook(book, functions)
        report.formulas_evaluated = evaluation.formulas_evaluated
        sheet_names = {name.lower() for name in book.sheets}

        # the new values, per sheet, of the cells that changed
        changed: dict[str, dict[tuple[int, int], Any]] = {}
        new_values: dict[tuple[str, int, int], Any] = {}
        plain_types = (float, str, bool)
        cells_of = {name: sheet.formula_cells() for name, sheet in book.sheets.items()}
        values_of = {name: sheet.value for name, sheet in book.sheets.items()}
        for key, value in evaluation.values.items():
            if type(value) not in plain_types:
                value = stored_value(value)
            if type(value) is str and len(value) > MAX_TEXT:  # Excel: #VALUE!, a file that still opens
                value = text_too_long(len(value))
            new_values[key] = value
            sheet, row, col = key
            cell = cells_of[sheet].get((row, col))
            old = values_of[sheet](row, col) if cell is None else cell.value
            if type(old) is not type(value) or old != value:
                changed.setdefault(sheet, {})[(row, col)] = value
            if isinstance(value, CellError):
                entry = {"cell": _where(sheet, row, col), "error": value.code}
                if value.message:
                    entry["message"] = value.message
                if cell is not None and cell.formula and value.code == "#REF!":
                    missing = _missing_sheets(cell.formula, sheet_names)
                    if missing:
                        entry["message"] = f"refers to a missing sheet {missing[0]!r}"
                report.errors_produced.append(entry)
        # dynamic arrays that shrank: the cells they no longer spill into become blank
        spill_refs: dict[str, dict[tuple[int, int], str]] = {}
        for (sheet, row, col), new_ref in evaluation.spills.items():
            cell = book.sheets[sheet].get((row, col))
            old_ref = cell.array_ref if cell is not None else None
            if old_ref == new_ref:
                continue
            spill_refs.setdefault(sheet, {})[(row, col)] = new_ref
            changed.setdefault(sheet, {}).setdefault((row, col), cell.value if cell else None)
            if old_ref:
                r1, c1, r2, c2 = parse_range(old_ref)
                n1, m1, n2, m2 = parse_range(new_ref)
                cells = book.sheets[sheet]
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        inside = n1 <= r <= n2 and m1 <= c <= m2
                        old_cell = cells.get((r, c))
                        if (
                            not inside
                            and old_cell is not None
                            and old_cell.formula is None
                            and old_cell.value is not None
                        ):
                            changed[sheet][(r, c)] = None
        report.cells_changed = sum(len(v) for v in changed.values())
        report.unsupported = [
            {"cell": _where(s, r, c), "function": fn} for (s, r, c), fn in sorted(evaluation.unsupported.items())
        ]
        report.circular = [_where(s, r, c) for s, r, c in evaluation.circular]
        report.volatile = [_where(s, r, c) for s, r, c in sorted(getattr(evaluation, "volatile", ()))]
        report.not_computed = [
            _not_computed(key, root, why) for key, (root, why) in sorted(getattr(evaluation, "blocked", {}).items())
        ]
        rules = [rule for sp in parts.values() for rule in sp.validations]
        report.validation_failures = validation_failures(book, rules, new_values, report.validation_not_checked)

        if check_only:
            return
        new_parts = {}
        for sheet, values in changed.items():
            sp = parts[sheet]
            new_parts[sp.part] = patch_sheet(sp, values, spill_refs.get(sheet))
        wb = pkg.part(pkg.workbook_part)
        new_wb = mark_full_calc(wb)
        if new_wb != wb:
            new_parts[pkg.workbook_part] = new_wb
        if output.resolve() != path.resolve():
            output.parent.mkdir(parents=True, exist_ok=True)
        pkg.save(output, new_parts)
        report.output = str(output)


def _not_computed(key: tuple[str, int, int], root: tuple[str, int, int], why: str) -> dict[str, str]:
    """The report entry of a cell left with its old value because it depends on ``root``."""
    where = _where(*root)
    message = (
        f"depends on circular reference {where}" if why == "circular" else f"depends on unsupported {where} ({why})"
    )
    return {"cell": _where(*key), "depends_on": where, "message": message}


# --- batches ------------------------------------------------------------------------------------
def scan_inputs(
    items: Sequence[str | os.PathLike], exclude: str | os.PathLike | None = None
) -> tuple[list[tuple[Path, Path]], list[FileReport]]:
    """(file, path relative to what was named) for each FILE and each .xlsx/.xlsm under each DIR,
    plus a failed report for each folder that could not be read (an unreadable subfolder is an
    error, never a silently smaller batch) and each name that does not exist.

    Files named explicitly are kept whatever their suffix or kind (a .xls, a FIFO: each gets its
    clear error when opened); in folders, Excel's (``~$…``) and LibreOffice's (``.~lock.…#``) lock
    files and anything that is not a regular file are skipped, and so is the ``exclude`` folder
    (the ``--out`` folder inside an input folder: its own output is never read back in).
    """
    out: list[tuple[Path, Path]] = []
    errors: list[FileReport] = []
    skip = Path(os.path.realpath(exclude)) if exclude is not None else None
    for item in items:
        p = Path(item)
        if p.is_dir():

            def failed(exc: OSError, top: Path = p) -> None:
                where = exc.filename or top
                errors.append(
                    FileReport(path=str(where), error=f"{where}: folder not readable ({exc.strerror or exc})")
                )

            for folder, dirs, files in os.walk(p, onerror=failed):
                here = Path(folder)
                if skip is not None:
                    dirs[:] = [d for d in dirs if Path(os.path.realpath(here / d)) != skip]
                dirs.sort()
                for name in sorted(files):
                    f = here / name
                    if f.suffix.lower() in WORKBOOK_SUFFIXES and not name.startswith(("~$", ".~lock.")) and f.is_file():
                        out.append((f, f.relative_to(p)))
        elif not p.exists() and not p.is_symlink():
            errors.append(FileReport(path=str(p), error=f"{p}: no such file or folder"))
        else:
            out.append((p, Path(p.name)))
    return out, errors


def collect_inputs(items: Sequence[str | os.PathLike], exclude: str | os.PathLike | None = None) -> list[Path]:
    """The workbooks :func:`scan_inputs` finds (without the folders it could not read)."""
    return [f for f, _ in scan_inputs(items, exclude)[0]]


def _worker(args: tuple[str, str | None, bool]) -> FileReport:
    """One file in a worker process (top-level, so it works with spawn as well as fork)."""
    path, output, check_only = args
    return refresh_file(path, output, check_only=check_only)


def refresh_files(
    items: Sequence[str | os.PathLike],
    *,
    out_dir: str | os.PathLike | None = None,
    in_place: bool = False,
    check_only: bool = False,
    jobs: int = 1,
    progress: Callable[[FileReport], None] | None = None,
    limits: Limits | None = None,
) -> list[FileReport]:
    """Refresh every workbook named or found under the named folders; reports in input order.

    With ``out_dir`` the results go to ``out_dir/<path relative to the named folder>`` (never onto
    an input: such a file fails, and ``out_dir`` inside an input folder is not scanned); with
    ``in_place`` over the inputs; with ``check_only`` nowhere. Each file is evaluated in a child
    process under ``limits`` (memory and seconds per file, :mod:`gtm_xl.workflows.guard`; the
    defaults when None), ``jobs`` at a time; a file over its budget fails with the reason and the
    batch goes on. ``progress`` is called once per finished file.
    """
    if not check_only and not in_place and out_dir is None:
        raise ValueError("choose where results go: out_dir or in_place (or check_only)")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    limits = limits or Limits()
    tasks: list[tuple[str, str | None, bool] | None] = []
    seen: dict[Path, str] = {}
    reports: list[FileReport | None] = []
    found, unreadable = scan_inputs(items, exclude=out_dir if not (check_only or in_place) else None)
    for r in unreadable:
        reports.append(r)
        tasks.append(None)
    inputs: dict[tuple[int, int], Path] = {}
    for src, _ in found:
        try:
            st = os.stat(src)
            inputs[(st.st_dev, st.st_ino)] = src
        except OSError:
            pass
    for src, rel in found:
        error = None
        if check_only:
            dst = None
        elif in_place:
            dst = src
        else:
            assert out_dir is not None  # checked on entry: out_dir, in_place or check_only
            dst = Path(out_dir) / rel
            try:
                st = os.stat(dst)
                clash = inputs.get((st.st_dev, st.st_ino))
            except OSError:
                clash = None
            if clash is not None:
                error = f"{src}: output {dst} is the input {clash}: not overwritten (use --in-place to replace inputs)"
        if dst is not None and error is None:
            key = Path(os.path.realpath(dst))
            if key in seen:
                error = f"{src}: output {dst} is also the output of {seen[key]} (same file name): not written"
            else:
                seen[key] = str(src)
        if error is not None:
            reports.append(FileReport(path=str(src), error=error))
            tasks.append(None)
            continue
        tasks.append((str(src), None if dst is None else str(dst), check_only))
        reports.append(None)
    for done in reports:
        if done is not None and progress:
            progress(done)
    todo = [(i, t) for i, t in enumerate(tasks) if t is not None]
    if todo:  # the function table is built once in the parent and inherited by every child (fork)
        _default_functions()
    for i, status, value in map_limited(_worker, [(i, (task,)) for i, task in todo], limits, jobs):
        src = tasks[i][0]
        if status == "ok":
            reports[i] = value
        elif status == "memory":
            reports[i] = FileReport(path=src, error=f"{src}: needs more than {limits.memory_text()}; not written")
        else:
            reports[i] = FileReport(path=src, error=f"{src}: {value}; not written")
        if progress:
            progress(reports[i])
    return reports  # type: ignore[return-value]
