"""What each button of the GTM ribbon tab does (``udfs/ribbon/customUI14.xml``).

Each button's VBA callback (``udfs/ribbon/GtmRibbon.bas``) runs one function here through
xlwings' ``RunPython``, with no arguments but the template kind (and, for About, the add-in's
path and its VBA's xlwings version); the function then works on
``xw.Book.caller()`` — the active workbook — through :mod:`gtm_xl.adapters.book`. Tests and scripts pass
a :class:`~gtm_xl.adapters.book.FileBook` instead, so every action runs headlessly on real files.

Rules every action keeps: it reports what it did (status bar for success, a message for
problems); it computes before it writes, and headless jobs write files atomically, so an error
leaves the workbook as it was; a :class:`~gtm_xl.errors.GTMError`/:class:`~gtm_xl.adapters.book.BookError`
becomes a message naming the problem instead of a Python traceback.

Regions convention (the two Regions buttons need no terminal): beside the active, saved GTM
template ``plan.xlsx``

* ``regions.csv`` or ``regions.xlsx`` — the regions table of :mod:`gtm_xl.workflows.regions` (columns
  ``region``, ``name``, then input names); optionally ``regions_rows.csv``/``.xlsx``, the rows
  table for list inputs;
* ``plan_regions/`` — *Make regional copies* writes one copy per region and ``manifest.json``
  here (refusing to overwrite a copy edited since it was made);
* ``plan_returned/`` — where the returned copies go; when that folder does not exist, *Roll up*
  reads the copies in ``plan_regions/`` (edited in place, e.g. on a shared drive);
* ``plan_rollup.xlsx`` — the summary *Roll up regional files* writes.

Each action imports the workflow it runs when it runs (a button press starts a fresh Python through
``RunPython``: loading every workflow for one button would slow every button), and xlwings only where Excel
is there.
"""

from __future__ import annotations

import functools
import inspect
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from gtm_xl import __version__
from gtm_xl.adapters.book import Book, BookError, FileBook, caller, unique_path
from gtm_xl.excel.ooxml.package import PackageError

__all__ = [
    "TEMPLATE_KINDS",
    "refresh_active",
    "check_inputs",
    "insert_template",
    "make_regional_copies",
    "rollup",
    "about",
    "about_text",
    "REGIONS_TABLES",
    "ROWS_TABLES",
    "regions_folder",
    "returned_folder",
    "rollup_path",
]

# Template kind (the ribbon's argument) → its title, as the menu shows it.
TEMPLATE_KINDS = {
    "scoring_matrix": "Scoring matrix",
    "budget_by_tier": "Budget by tier",
    "kpi_scorecard": "KPI scorecard",
}

# The files of the regions convention, looked for beside the active workbook (in this order).
REGIONS_TABLES = ("regions.csv", "regions.xlsx")
ROWS_TABLES = ("regions_rows.csv", "regions_rows.xlsx")
MAX_LISTED = 30  # lines of a message list before "… and N more"

F = TypeVar("F", bound=Callable[..., object])


def _action(func: F) -> F:
    """Run on the caller's book when none is given; turn expected failures into a message."""

    @functools.wraps(func)
    def wrapper(*args, book: Book | None = None, **kwargs):
        book = book if book is not None else caller()
        try:
            return func(*args, book=book, **kwargs)
        except (BookError, ValueError, OSError, PackageError) as exc:
            book.status(f"GTM: {func.__name__.replace('_', ' ')} stopped")
            book.message(f"{exc}", title="GTM")
            return None

    sig = inspect.signature(func)
    wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(default=None) if p.name == "book" else p for p in sig.parameters.values()]
    )
    return wrapper  # type: ignore[return-value]


def about_text(addin: str | None = None, addin_xlwings: str | None = None) -> str:
    """Versions and where help is: gtm-xl, the add-in that called (its file, the gtm-xl that built
    it, the xlwings its VBA comes from), the xlwings and Python in use, the UDF module.

    ``addin`` is the add-in's path and ``addin_xlwings`` its VBA constant ``XLWINGS_VERSION``, as
    the ribbon passes them; without them (called from Python) the add-in lines say so. A VBA
    whose xlwings differs from the installed one is named as a problem: xlwings' VBA loads the
    DLL of its own version."""
    import xlwings

    from gtm_xl.adapters.udf_wrappers import UDF_MODULE

    lines = [f"gtm-xl {__version__} — GTM planning functions and templates for Excel.", ""]
    lines += _addin_lines(addin, addin_xlwings, xlwings.__version__)
    lines += [
        f"xlwings {xlwings.__version__} (Python package in use)",
        f"Python {sys.version.split()[0]} at {sys.executable}",
        f"UDF module: {UDF_MODULE} (GTM_* functions, category GTM)",
        "",
        "Help: README of gtm-xl, or 'gtm-xl --help' in a terminal. "
        "Settings: 'gtm-xl addin config' prints the lines for %USERPROFILE%\\.gtm_xl\\gtm_xl.conf.",
    ]
    return "\n".join(lines)


def _addin_lines(addin: str | None, addin_xlwings: str | None, installed_xlwings: str) -> list[str]:
    """What the add-in file says of its build, and a warning when its xlwings VBA is not the
    installed xlwings. An unreadable file is stated, not an error: About must always answer."""
    if addin is None:
        return ["Add-in: not known (About was not run from the GTM ribbon)"]
    from gtm_xl.adapters.addin import AddinError, read_build_info

    try:
        info = read_build_info(addin)
        built = f"built by gtm-xl {info.gtm_xl}, VBA of xlwings {info.xlwings}"
    except (AddinError, OSError) as exc:
        info, built = None, f"build not readable ({exc})"
    vba = addin_xlwings or (info.xlwings if info is not None else None)
    lines = [f"Add-in: {addin}", f"  {built}"]
    if vba is not None and vba != installed_xlwings:
        lines.append(
            f"  PROBLEM: the add-in's VBA is xlwings {vba}, Python has xlwings {installed_xlwings}: "
            f"pip install xlwings=={vba} (or rebuild the add-in: gtm-xl addin install)"
        )
    return lines


@_action
def about(addin: str | None = None, addin_xlwings: str | None = None, *, book: Book) -> str:
    """The Help / About button: show :func:`about_text` in a message (the ribbon passes the
    add-in's path and its VBA's xlwings version)."""
    text = about_text(addin, addin_xlwings)
    book.message(text, title="About gtm-xl")
    return text


@_action
def insert_template(kind: str, *, book: Book) -> Path:
    """Insert template ▸ kind: build that template as a new workbook beside the active one
    (never over an existing file: ``Scoring matrix (2).xlsx``…) and open it."""
    if kind not in TEMPLATE_KINDS:
        raise BookError(f"unknown template {kind!r}; choose one of {', '.join(TEMPLATE_KINDS)}")
    from gtm_xl.templates import build_template

    folder = book.path.parent if book.path is not None else Path.home()
    target = unique_path(folder, TEMPLATE_KINDS[kind], ".xlsx")
    built = build_template(kind, "udf", "en", target)
    book.open_file(built)
    book.status(f"GTM: {TEMPLATE_KINDS[kind]} template created as {built.name}")
    return built


def _listed(lines: list[str]) -> str:
    """At most :data:`MAX_LISTED` lines, then how many more there are."""
    more = len(lines) - MAX_LISTED
    return "\n".join(lines[:MAX_LISTED]) + (f"\n… and {more} more" if more > 0 else "")


def _report_text(report) -> str:
    """The inputs to fix, one ``Sheet!A1: why`` line each (refresh's ``{"cell", "message"}``)."""
    return _listed([f"{f.get('cell', '?')}: {f.get('message', '')}" for f in report.validation_failures])


def _saved_path(book: Book) -> Path:
    if book.path is None or not book.saved:
        raise BookError(f"{book.name}: save the workbook first; the action works on the saved file")
    return book.path


def _checked(book: Book, path: Path):
    """The inputs check of the saved file (computed, nothing written); a file the refresh cannot
    read is an error."""
    from gtm_xl.workflows.refresh import refresh_file

    report = refresh_file(path, check_only=True)
    if report.error:
        raise BookError(f"{book.name}: {report.error}")
    return report


def _inputs_to_fix(book: Book, report, done: str) -> None:
    book.status(f"GTM: {len(report.validation_failures)} input(s) to fix; {done}")
    book.message(
        f"{book.name}: {len(report.validation_failures)} input(s) break their rules; {done}.\n\n{_report_text(report)}",
        title="GTM: inputs to fix",
    )


@_action
def refresh_active(*, book: Book):
    """Refresh & validate: check the inputs of the saved workbook first; when one breaks its rule,
    list them and change nothing (the file stays byte-identical, Excel does not recalculate).
    Otherwise recalculate: Excel itself when live (a full calculation), the headless refresh
    rewriting the saved file atomically otherwise."""
    from gtm_xl.workflows.refresh import refresh_file

    path = _saved_path(book)
    check = _checked(book, path)
    if check.validation_failures:
        _inputs_to_fix(book, check, "nothing recalculated or written")
        return check
    if isinstance(book, FileBook):
        report = refresh_file(path, path)  # atomic in place: the old file or the new one
        book.reload()
        if report.error:
            raise BookError(f"{book.name}: {report.error}")
    else:
        book.calculate()
        report = check
    book.status(f"GTM: refreshed {report.formulas_evaluated} formulas; inputs OK")
    return report


@_action
def check_inputs(*, book: Book):
    """Check inputs: validate every input of the saved workbook; list the problems, change nothing."""
    report = _checked(book, _saved_path(book))
    if report.validation_failures:
        _inputs_to_fix(book, report, "nothing changed")
    else:
        book.status("GTM: all inputs OK")
    return report


# --- the Regions buttons ----------------------------------------------------------------------
def regions_folder(workbook: Path) -> Path:
    """``<stem>_regions/`` beside the workbook: the copies made and their ``manifest.json``."""
    return workbook.parent / f"{workbook.stem}_regions"


def returned_folder(workbook: Path) -> Path:
    """``<stem>_returned/`` beside the workbook: where the returned copies are put."""
    return workbook.parent / f"{workbook.stem}_returned"


def rollup_path(workbook: Path) -> Path:
    """``<stem>_rollup.xlsx`` beside the workbook: the summary the roll-up writes."""
    return workbook.parent / f"{workbook.stem}_rollup.xlsx"


def _table_beside(workbook: Path, names: tuple[str, ...]) -> Path | None:
    """The one table of ``names`` beside the workbook, None when there is none; two is an error
    (which one would the user mean?)."""
    found = [workbook.parent / n for n in names if (workbook.parent / n).is_file()]
    if len(found) > 1:
        raise BookError(f"both {' and '.join(f.name for f in found)} are beside {workbook.name}; keep one")
    return found[0] if found else None


def _edited_copies(folder: Path) -> list[str]:
    """Copies in ``folder`` whose SHA-256 differs from the manifest's: edited since they were made
    (returned in place), which a new distribution must not overwrite."""
    from gtm_xl.workflows.distribute import MANIFEST, read_manifest, sha256_file

    if not (folder / MANIFEST).is_file():
        return []
    doc = read_manifest(folder / MANIFEST)
    return [
        e["file"]
        for e in doc["regions"]
        if (folder / e["file"]).is_file() and sha256_file(folder / e["file"]) != e.get("sha256")
    ]


def _distribute_all_or_nothing(template: Path, regions: Path, rows: Path | None, out: Path):
    """:func:`gtm_xl.workflows.distribute.distribute` into a hidden folder beside ``out``, then each copy
    moved into ``out`` and the manifest last: an error on the way leaves ``out`` as it was."""
    from gtm_xl.workflows.distribute import MANIFEST, distribute

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        result = distribute(template, regions, staging, rows_path=rows)
        out.mkdir(exist_ok=True)
        for f in result.files:
            (staging / f.file).replace(out / f.file)
        (staging / MANIFEST).replace(out / MANIFEST)
        result.out_dir, result.manifest = out, out / MANIFEST
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@_action
def make_regional_copies(*, book: Book):
    """Make regional copies: the saved workbook is the template; ``regions.csv``/``.xlsx`` beside
    it (and ``regions_rows.csv``/``.xlsx`` when there) say the regions; one copy per region and
    ``manifest.json`` go to ``<stem>_regions/``. Every table problem is listed by file, row and
    column and nothing is written; copies in that folder edited since they were made are never
    overwritten."""
    from gtm_xl.workflows.regions import RegionsError

    path = _saved_path(book)
    regions = _table_beside(path, REGIONS_TABLES)
    if regions is None:
        raise BookError(
            f"no regions table: put {' or '.join(REGIONS_TABLES)} beside {path.name} "
            f"(in {path.parent}), one row per region with the columns region, name and "
            "the names of the inputs to prefill"
        )
    rows = _table_beside(path, ROWS_TABLES)
    out = regions_folder(path)
    edited = _edited_copies(out)
    if edited:
        raise BookError(
            f"nothing written: {out.name} holds copies edited since they were made "
            f"({', '.join(edited)}); move them to {returned_folder(path).name} or delete them"
        )
    try:
        result = _distribute_all_or_nothing(path, regions, rows, out)
    except RegionsError as exc:
        raise BookError(f"nothing written; fix the table(s):\n{_listed([str(p) for p in exc.problems])}") from exc
    tables = regions.name + (f" and {rows.name}" if rows is not None else "")
    book.status(f"GTM: {len(result.files)} regional copies written to {out.name}")
    book.message(
        f"Wrote {len(result.files)} regional copies of {result.template.template_id} "
        f"{result.template.version} from {tables}, and manifest.json, to {out}:\n"
        + _listed([f"{f.file} ({f.name})" for f in result.files])
        + f"\n\nPut the returned copies in {returned_folder(path)}, then Roll up regional files.",
        title="GTM: regional copies",
    )
    return result


def _workbooks_in(folder: Path) -> list[Path]:
    """The workbooks of a folder, sorted; Excel's lock files (``~$…``) and hidden files left out."""
    return sorted(
        f
        for f in folder.iterdir()
        if f.is_file() and f.suffix.lower() in (".xlsx", ".xlsm") and not f.name.startswith(("~$", "."))
    )


def _rollup_text(report, folder: Path, out: Path, count: int) -> str:
    """What was consolidated, written, left out (with every reason) and not returned."""
    lines = [f"Consolidated {len(report.included)} of {count} file(s) from {folder} into {out}."]
    for r in report.left_out:
        lines.append(f"LEFT OUT {Path(r.path).name}" + (f" (region {r.region})" if r.region else "") + ":")
        lines += [f"    {reason}" for reason in r.reasons]
    for m in report.missing_regions:
        lines.append(f"NOT RETURNED: region {m['region']} ({m.get('file')})")
    return _listed(lines)


@_action
def rollup(*, book: Book):
    """Roll up regional files: the saved workbook is the template; the copies are read from
    ``<stem>_returned/`` (else ``<stem>_regions/``), checked against ``<stem>_regions/manifest.json``
    and the template, and consolidated into ``<stem>_rollup.xlsx`` beside it (written atomically,
    then opened). Files that fail a check are left out with their reasons."""
    from gtm_xl.workflows.distribute import MANIFEST
    from gtm_xl.workflows.rollup.job import rollup as consolidate

    path = _saved_path(book)
    manifest = regions_folder(path) / MANIFEST
    if not manifest.is_file():
        raise BookError(
            f"no {regions_folder(path).name}/{MANIFEST} beside {path.name}: "
            "make the regional copies first (Make regional copies)"
        )
    folder = returned_folder(path) if returned_folder(path).is_dir() else regions_folder(path)
    files = _workbooks_in(folder)
    if not files:
        raise BookError(f"no returned workbooks in {folder}")
    out = rollup_path(path)
    report = consolidate(files, out, template=path, manifest=manifest)
    book.status(
        f"GTM: rolled up {len(report.included)} of {len(files)} file(s) into {out.name}"
        + ("" if report.complete else f"; {len(report.left_out)} left out, {len(report.missing_regions)} not returned")
    )
    book.message(_rollup_text(report, folder, out, len(files)), title="GTM: roll-up")
    book.open_file(out)
    return report
