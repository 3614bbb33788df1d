"""The ribbon actions, run headlessly through the file implementation of the workbook interface."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from gtm_xl import __version__, ribbon
from gtm_xl.book import BookError, FileBook, unique_path


@pytest.fixture()
def plain_book(tmp_path) -> FileBook:
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    wb.defined_names["Budget_Total"] = openpyxl.workbook.defined_name.DefinedName(
        "Budget_Total", attr_text="Sheet!$A$1")
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    return FileBook(path)


def test_about_reports_versions(plain_book):
    import xlwings

    text = ribbon.about(book=plain_book)
    assert plain_book.messages == [("message", text)]
    assert f"gtm-xl {__version__}" in text and f"xlwings {xlwings.__version__}" in text


def test_file_book_reads_defined_names(plain_book):
    assert plain_book.defined_names() == {"BUDGET_TOTAL": "Sheet!$A$1"}
    assert plain_book.value("budget_total") == 5
    with pytest.raises(BookError, match="no defined name"):
        plain_book.value("Nope")


def test_unknown_template_is_a_message_not_a_file(plain_book, tmp_path):
    before = sorted(tmp_path.iterdir())
    assert ribbon.insert_template("org_chart", book=plain_book) is None
    assert plain_book.messages[-1][0] == "message" and "unknown template" in plain_book.messages[-1][1]
    assert sorted(tmp_path.iterdir()) == before


def test_unique_path_never_reuses_a_name(tmp_path):
    first = unique_path(tmp_path, "Scoring matrix", ".xlsx")
    first.write_bytes(b"x")
    second = unique_path(tmp_path, "Scoring matrix", ".xlsx")
    assert first.name == "Scoring matrix.xlsx" and second.name == "Scoring matrix (2).xlsx"


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(BookError, match="no such workbook"):
        FileBook(tmp_path / "nothing.xlsx")


def test_actions_on_a_real_template(tmp_path):
    """Insert a template, then refresh & check it, all through the file implementation."""
    from gtm_xl.templates import build_template

    start = FileBook(build_template("scoring_matrix", "native", "en", tmp_path / "plan.xlsx"))
    created = ribbon.insert_template("budget_by_tier", book=start)
    assert created == tmp_path / "Budget by tier.xlsx" and start.opened == [created]
    book = FileBook(created)
    report = ribbon.check_inputs(book=book)
    assert report is not None and report.error is None
    report = ribbon.refresh_active(book=book)
    assert report is not None and report.error is None and report.formulas_evaluated > 0
    assert book.messages and book.messages[-1][0] in ("status", "message")
