"""What each button of the GTM ribbon tab does (``udfs/ribbon/customUI14.xml``).

Each button's VBA callback (``udfs/ribbon/GtmRibbon.bas``) runs one function here through
xlwings' ``RunPython``, with no arguments but the template kind; the function then works on
``xw.Book.caller()`` — the active workbook — through :mod:`gtm_xl.book`. Tests and scripts pass
a :class:`~gtm_xl.book.FileBook` instead, so every action runs headlessly on real files.

Rules every action keeps: it reports what it did (status bar for success, a message for
problems); it computes before it writes, and headless jobs write files atomically, so an error
leaves the workbook as it was; a :class:`~gtm_xl.errors.GTMError`/:class:`~gtm_xl.book.BookError`
becomes a message naming the problem instead of a Python traceback.
"""

from __future__ import annotations

import functools
import inspect
import sys
from pathlib import Path
from typing import Callable, TypeVar

from gtm_xl import __version__
from gtm_xl.book import Book, BookError, caller

__all__ = [
    "TEMPLATE_KINDS",
    "refresh_active",
    "check_inputs",
    "insert_template",
    "make_regional_copies",
    "rollup",
    "about",
    "about_text",
]

# Template kind (the ribbon's argument) → its title, as the menu shows it.
TEMPLATE_KINDS = {
    "scoring_matrix": "Scoring matrix",
    "budget_by_tier": "Budget by tier",
    "kpi_scorecard": "KPI scorecard",
}

F = TypeVar("F", bound=Callable[..., object])


def _action(func: F) -> F:
    """Run on the caller's book when none is given; turn expected failures into a message."""

    @functools.wraps(func)
    def wrapper(*args, book: Book | None = None, **kwargs):
        book = book if book is not None else caller()
        try:
            return func(*args, book=book, **kwargs)
        except (BookError, ValueError, OSError) as exc:
            book.status(f"GTM: {func.__name__.replace('_', ' ')} stopped")
            book.message(f"{exc}", title="GTM")
            return None

    sig = inspect.signature(func)
    wrapper.__signature__ = sig.replace(parameters=[  # type: ignore[attr-defined]
        p.replace(default=None) if p.name == "book" else p for p in sig.parameters.values()])
    return wrapper  # type: ignore[return-value]


def about_text() -> str:
    """Versions and where help is: gtm-xl, xlwings, Python, the UDF module."""
    import xlwings

    from gtm_xl.udf_wrappers import UDF_MODULE

    return (
        f"gtm-xl {__version__} — GTM planning functions and templates for Excel.\n\n"
        f"xlwings {xlwings.__version__} (the add-in's VBA must come from the same version)\n"
        f"Python {sys.version.split()[0]} at {sys.executable}\n"
        f"UDF module: {UDF_MODULE} (GTM_* functions, category GTM)\n\n"
        "Help: README of gtm-xl, or 'gtm-xl --help' in a terminal. "
        "Settings: 'gtm-xl addin config' prints the lines for %USERPROFILE%\\.gtm_xl\\gtm_xl.conf."
    )


@_action
def about(*, book: Book) -> str:
    """The Help / About button: show :func:`about_text` in a message."""
    text = about_text()
    book.message(text, title="About gtm-xl")
    return text


@_action
def insert_template(kind: str, *, book: Book) -> Path:
    """Insert template ▸ kind: build that template as a new workbook beside the active one
    (never over an existing file: ``Scoring matrix (2).xlsx``…) and open it."""
    if kind not in TEMPLATE_KINDS:
        raise BookError(f"unknown template {kind!r}; choose one of {', '.join(TEMPLATE_KINDS)}")
    from gtm_xl.book import unique_path
    from gtm_xl.templates import build_template

    folder = book.path.parent if book.path is not None else Path.home()
    target = unique_path(folder, TEMPLATE_KINDS[kind], ".xlsx")
    built = build_template(kind, "udf", "en", target)
    book.open_file(built)
    book.status(f"GTM: {TEMPLATE_KINDS[kind]} template created as {built.name}")
    return built


def _report_text(report) -> str:
    lines = [f"{f['where']}: {f['message']}" if isinstance(f, dict) and "where" in f else str(f)
             for f in report.validation_failures]
    return "\n".join(lines[:30]) + (f"\n… and {len(lines) - 30} more" if len(lines) > 30 else "")


def _saved_path(book: Book) -> Path:
    if book.path is None or not book.saved:
        raise BookError(f"{book.name}: save the workbook first; the action works on the saved file")
    return book.path


@_action
def refresh_active(*, book: Book):
    """Refresh & validate: recalculate the workbook (Excel itself when live; the headless
    refresh on the saved file otherwise), then check its inputs."""
    from gtm_xl.book import FileBook
    from gtm_xl.refresh import refresh_file

    path = _saved_path(book)
    if isinstance(book, FileBook):
        report = refresh_file(path, path)  # atomic in place: the old file or the new one
        book.reload()
    else:
        book.calculate()
        report = refresh_file(path, check_only=True)
    if report.error:
        raise BookError(f"{book.name}: {report.error}")
    if report.validation_failures:
        book.status(f"GTM: refreshed; {len(report.validation_failures)} input problem(s)")
        book.message(_report_text(report), title="GTM: inputs to fix")
    else:
        book.status(f"GTM: refreshed {report.formulas_evaluated} formulas; inputs OK")
    return report


@_action
def check_inputs(*, book: Book):
    """Check inputs: validate every input of the workbook; list the problems, change nothing."""
    from gtm_xl.refresh import refresh_file

    report = refresh_file(_saved_path(book), check_only=True)
    if report.error:
        raise BookError(f"{book.name}: {report.error}")
    if report.validation_failures:
        book.message(_report_text(report), title="GTM: inputs to fix")
    else:
        book.status("GTM: all inputs OK")
    return report


@_action
def make_regional_copies(*, book: Book):
    """Make regional copies: one copy per region (``gtm-xl distribute``, issue 5)."""
    path = _saved_path(book)
    book.message(f"Run in a terminal:  gtm-xl distribute \"{path}\" REGIONS.csv  "
                 "(the ribbon does not yet pick the regions table itself).", title="GTM")
    return None


@_action
def rollup(*, book: Book):
    """Roll up regional files (``gtm-xl rollup``, issue 5)."""
    path = _saved_path(book)
    book.message(f"Run in a terminal:  gtm-xl rollup FOLDER  for the regional copies of {path.name} "
                 "(the ribbon does not yet find the folder itself).", title="GTM")
    return None
