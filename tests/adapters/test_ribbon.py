"""The ribbon actions, run headlessly through the file implementation of the workbook interface."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from project_paths import ROOT

from gtm_xl import __version__
from gtm_xl.adapters import ribbon
from gtm_xl.adapters.book import BookError, FileBook, unique_path


@pytest.fixture()
def plain_book(tmp_path) -> FileBook:
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    wb.defined_names["Budget_Total"] = openpyxl.workbook.defined_name.DefinedName(
        "Budget_Total", attr_text="Sheet!$A$1"
    )
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


def test_actions_on_a_real_template(tmp_path, built_templates):
    """Insert a template, then refresh & check it, all through the file implementation."""
    start = FileBook(built_templates.copy("scoring_matrix", "native", "en", tmp_path / "plan.xlsx"))
    created = ribbon.insert_template("budget_by_tier", book=start)
    assert created == tmp_path / "Budget by tier.xlsx" and start.opened == [created]
    book = FileBook(created)
    report = ribbon.check_inputs(book=book)
    assert report is not None and report.error is None
    report = ribbon.refresh_active(book=book)
    assert report is not None and report.error is None and report.formulas_evaluated > 0
    assert book.messages and book.messages[-1][0] in ("status", "message")


# --- helpers --------------------------------------------------------------------------------------
def _with_score(template: Path, target: Path, score: float) -> tuple[Path, str]:
    """A copy of a scoring-matrix template whose first industry score is ``score`` (patched in
    the package, every other byte kept); returns (copy, the score's cell)."""
    from gtm_xl.excel.ooxml.cells import parse_a1
    from gtm_xl.excel.ooxml.package import Package, patch_sheet

    with Package(template) as pkg:
        book, parts = pkg.read_cells()
        ref = book.names["INDUSTRY_SCORES"].split("!")[1].replace("$", "").split(":")[0]
        pkg.save(target, {parts["Matrix"].part: patch_sheet(parts["Matrix"], {parse_a1(ref): score})})
    return target, f"Matrix!{ref}"


def _listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def scoring_template(tmp_path_factory, built_templates) -> Path:
    return built_templates.copy("scoring_matrix", "native", "en", tmp_path_factory.mktemp("sm") / "matrix.xlsx")


# --- Refresh & validate, Check inputs ---------------------------------------------------------------
def test_report_text_names_cell_and_reason():
    from types import SimpleNamespace

    report = SimpleNamespace(
        validation_failures=[
            {"cell": "Matrix!C5", "message": "value 12 must be between 0 and 10"},
            {"cell": "Settings!B2", "message": "value -1 must be at least 0"},
        ]
    )
    assert (
        ribbon._report_text(report)
        == "Matrix!C5: value 12 must be between 0 and 10\nSettings!B2: value -1 must be at least 0"
    )
    many = SimpleNamespace(validation_failures=[{"cell": f"A{i}", "message": "bad"} for i in range(1, 33)])
    lines = ribbon._report_text(many).split("\n")
    assert len(lines) == 31 and lines[0] == "A1: bad" and lines[-1] == "… and 2 more"


def test_failing_check_leaves_the_file_byte_identical(scoring_template, tmp_path):
    """Refresh & validate with a score of 12: the inputs are listed, nothing is recalculated or written."""
    bad, cell = _with_score(scoring_template, tmp_path / "bad.xlsx", 12.0)
    before = bad.read_bytes()
    book = FileBook(bad)
    report = ribbon.refresh_active(book=book)
    assert report.validation_failures and bad.read_bytes() == before
    assert book.messages == [
        ("status", "GTM: 1 input(s) to fix; nothing recalculated or written"),
        (
            "message",
            f"bad.xlsx: 1 input(s) break their rules; nothing recalculated or written.\n\n"
            f"{cell}: value 12 must be between 0 and 10 (Enter a number from 0 to 10.)",
        ),
    ]


def test_check_inputs_never_changes_the_file(scoring_template, tmp_path):
    bad, cell = _with_score(scoring_template, tmp_path / "bad.xlsx", 12.0)
    good, _ = _with_score(scoring_template, tmp_path / "good.xlsx", 7.0)
    before = {p: p.read_bytes() for p in (bad, good)}
    bad_book, good_book = FileBook(bad), FileBook(good)
    assert ribbon.check_inputs(book=bad_book).validation_failures
    assert ribbon.check_inputs(book=good_book).validation_failures == []
    assert {p: p.read_bytes() for p in (bad, good)} == before
    assert bad_book.messages[-1] == (
        "message",
        f"bad.xlsx: 1 input(s) break their rules; nothing changed.\n\n"
        f"{cell}: value 12 must be between 0 and 10 (Enter a number from 0 to 10.)",
    )
    assert good_book.messages == [("status", "GTM: all inputs OK")]


def test_passing_check_refreshes_the_file(scoring_template, tmp_path):
    """Valid inputs: the headless refresh rewrites the stale cached results, and says how many formulas."""
    good, _ = _with_score(scoring_template, tmp_path / "good.xlsx", 1.0)
    before = good.read_bytes()
    book = FileBook(good)
    report = ribbon.refresh_active(book=book)
    assert report.error is None and report.cells_changed > 0 and good.read_bytes() != before
    assert book.messages == [("status", f"GTM: refreshed {report.formulas_evaluated} formulas; inputs OK")]
    assert ribbon.refresh_active(book=FileBook(good)).cells_changed == 0  # now current


def test_a_workbook_that_is_no_workbook_is_a_message(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    book = FileBook(junk)
    assert ribbon.refresh_active(book=book) is None and junk.read_bytes() == b"not a zip"
    assert book.messages[0] == ("status", "GTM: refresh active stopped")
    assert book.messages[1][0] == "message" and "junk.xlsx" in book.messages[1][1]


# --- Make regional copies, Roll up regional files ----------------------------------------------------
REGIONS_CSV = "region,name,total_budget\nEMEA,Europe,1000000\nAPAC,Asia Pacific,2000000\nLATAM,Latin America,500000\n"


@pytest.fixture()
def budget_plan(tmp_path, built_templates) -> Path:
    """A budget-by-tier template ``plan.xlsx`` with ``regions.csv`` beside it."""
    plan = built_templates.copy("budget_by_tier", "native", "en", tmp_path / "plan.xlsx")
    (tmp_path / "regions.csv").write_text(REGIONS_CSV, encoding="utf-8")
    return plan


def test_make_regional_copies_writes_one_copy_per_region(budget_plan):
    from gtm_xl.workflows.distribute import read_manifest
    from gtm_xl.workflows.template_info import read_template

    book = FileBook(budget_plan)
    result = ribbon.make_regional_copies(book=book)
    out = budget_plan.parent / "plan_regions"
    assert result.out_dir == out and result.manifest == out / "manifest.json"
    names = ["budget_by_tier_EMEA.xlsx", "budget_by_tier_APAC.xlsx", "budget_by_tier_LATAM.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names + ["manifest.json"])
    assert [e["file"] for e in read_manifest(out / "manifest.json")["regions"]] == names
    assert not [p for p in budget_plan.parent.iterdir() if p.name.startswith(".")]  # no staging left
    info = read_template(out / "budget_by_tier_APAC.xlsx")
    assert info.template_id == "budget_by_tier"
    assert book.messages == [
        ("status", "GTM: 3 regional copies written to plan_regions"),
        (
            "message",
            f"Wrote 3 regional copies of budget_by_tier {info.version} from regions.csv, and "
            f"manifest.json, to {out}:\n"
            "budget_by_tier_EMEA.xlsx (Europe)\nbudget_by_tier_APAC.xlsx (Asia Pacific)\n"
            "budget_by_tier_LATAM.xlsx (Latin America)\n\n"
            f"Put the returned copies in {budget_plan.parent / 'plan_returned'}, then Roll up regional files.",
        ),
    ]


def test_bad_regions_table_writes_nothing_and_names_row_and_column(budget_plan):
    folder = budget_plan.parent
    (folder / "regions.csv").write_text(
        "region,name,total_budget,bogus\nEMEA,Europe,-5,1\nAPAC,,abc,2\n", encoding="utf-8"
    )
    before = _listing(folder)
    book = FileBook(budget_plan)
    assert ribbon.make_regional_copies(book=book) is None
    assert _listing(folder) == before  # no plan_regions/, no staging folder, the plan untouched
    status, (kind, text) = book.messages
    assert status == ("status", "GTM: make regional copies stopped") and kind == "message"
    table = folder / "regions.csv"
    assert text.startswith("nothing written; fix the table(s):\n")
    assert f"{table}, row 1, column bogus: unknown column: 'bogus' is not an input name" in text
    assert f"{table}, row 3, column name: missing name for region 'APAC'" in text
    assert f"{table}, row 3, column total_budget: 'abc' is not a number" in text
    assert f"{table}, row 2, column total_budget: -5 fails the rule" in text


def test_no_regions_table_or_two_of_them(budget_plan):
    folder = budget_plan.parent
    (folder / "regions.csv").unlink()
    book = FileBook(budget_plan)
    assert ribbon.make_regional_copies(book=book) is None
    assert book.messages[-1][1].startswith("no regions table: put regions.csv or regions.xlsx beside plan.xlsx")
    (folder / "regions.csv").write_text(REGIONS_CSV, encoding="utf-8")
    (folder / "regions.xlsx").write_bytes(b"")
    assert ribbon.make_regional_copies(book=book) is None
    assert book.messages[-1][1] == "both regions.csv and regions.xlsx are beside plan.xlsx; keep one"
    assert not (folder / "plan_regions").exists()


def test_a_failure_while_writing_leaves_the_previous_copies(budget_plan, monkeypatch):
    """All or nothing: a disk error at the second copy leaves plan_regions/ as the last run made it."""
    from gtm_xl.workflows.distribute import RegionalCopier

    assert ribbon.make_regional_copies(book=FileBook(budget_plan)) is not None
    out = budget_plan.parent / "plan_regions"
    before = _listing(out)
    (budget_plan.parent / "regions.csv").write_text(REGIONS_CSV.replace("1000000", "3000000"), encoding="utf-8")
    real_write, calls = RegionalCopier.write, []

    def failing_write(self, plan, target):
        calls.append(plan.region)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(self, plan, target)

    monkeypatch.setattr(RegionalCopier, "write", failing_write)
    book = FileBook(budget_plan)
    assert ribbon.make_regional_copies(book=book) is None
    assert _listing(out) == before and calls == ["EMEA", "APAC"]
    assert not [p for p in budget_plan.parent.iterdir() if p.name.startswith(".")]
    assert "No space left on device" in book.messages[-1][1]


def test_copies_edited_in_place_are_never_overwritten(budget_plan):
    assert ribbon.make_regional_copies(book=FileBook(budget_plan)) is not None
    edited = budget_plan.parent / "plan_regions" / "budget_by_tier_APAC.xlsx"
    wb = openpyxl.load_workbook(edited)
    wb.active["A1"] = "APAC's numbers"
    wb.save(edited)
    before = _listing(budget_plan.parent)
    book = FileBook(budget_plan)
    assert ribbon.make_regional_copies(book=book) is None
    assert _listing(budget_plan.parent) == before
    assert book.messages[-1][1] == (
        "nothing written: plan_regions holds copies edited since they were made "
        "(budget_by_tier_APAC.xlsx); move them to plan_returned or delete them"
    )


def _first_formula_cell(path: Path) -> tuple[str, str]:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    return ws.title, c.coordinate
    raise AssertionError("no formula")


def test_rollup_consolidates_returned_copies_and_reports_the_rest(budget_plan):
    """EMEA returned intact, APAC with a formula overwritten, LATAM not returned."""
    import shutil

    assert ribbon.make_regional_copies(book=FileBook(budget_plan)) is not None
    sent, returned = budget_plan.parent / "plan_regions", budget_plan.parent / "plan_returned"
    returned.mkdir()
    for region in ("EMEA", "APAC"):
        shutil.copyfile(sent / f"budget_by_tier_{region}.xlsx", returned / f"budget_by_tier_{region}.xlsx")
    tampered = returned / "budget_by_tier_APAC.xlsx"
    sheet, cell = _first_formula_cell(tampered)
    wb = openpyxl.load_workbook(tampered)
    wb[sheet][cell] = 12345
    wb.save(tampered)
    (returned / "~$budget_by_tier_EMEA.xlsx").write_bytes(b"lock")  # Excel's lock file: not a workbook

    book = FileBook(budget_plan)
    report = ribbon.rollup(book=book)
    out = budget_plan.parent / "plan_rollup.xlsx"
    assert [r.region for r in report.included] == ["EMEA"]
    assert [Path(r.path).name for r in report.left_out] == ["budget_by_tier_APAC.xlsx"]
    assert report.missing_regions == [{"region": "LATAM", "file": "budget_by_tier_LATAM.xlsx"}]
    assert report.written == [str(out)] and out.is_file() and book.opened == [out]
    reason = next(r for r in report.left_out[0].reasons if f"{sheet}!{cell}" in r)
    assert reason.startswith(f"formula at {sheet}!{cell} was replaced by the value 12345")
    status, message = book.messages[0], book.messages[1]
    assert status == ("status", "GTM: rolled up 1 of 2 file(s) into plan_rollup.xlsx; 1 left out, 1 not returned")
    assert message[0] == "message"
    lines = message[1].split("\n")
    assert lines[0] == f"Consolidated 1 of 2 file(s) from {returned} into {out}."
    assert lines[1] == "LEFT OUT budget_by_tier_APAC.xlsx (region APAC):" and f"    {reason}" in lines
    assert lines[-1] == "NOT RETURNED: region LATAM (budget_by_tier_LATAM.xlsx)"
    summary = openpyxl.load_workbook(out, read_only=True)
    assert summary.sheetnames  # a real workbook


def test_rollup_reads_the_copies_folder_when_nothing_is_returned_elsewhere(budget_plan):
    assert ribbon.make_regional_copies(book=FileBook(budget_plan)) is not None
    book = FileBook(budget_plan)
    report = ribbon.rollup(book=book)
    assert report.complete and [r.region for r in report.included] == ["APAC", "EMEA", "LATAM"]
    assert book.messages[0] == ("status", "GTM: rolled up 3 of 3 file(s) into plan_rollup.xlsx")
    assert book.messages[1] == (
        "message",
        f"Consolidated 3 of 3 file(s) from {budget_plan.parent / 'plan_regions'} "
        f"into {budget_plan.parent / 'plan_rollup.xlsx'}.",
    )


def test_rollup_without_copies_or_for_another_template_writes_nothing(budget_plan, tmp_path, built_templates):
    book = FileBook(budget_plan)
    assert ribbon.rollup(book=book) is None
    assert book.messages[-1][1] == (
        "no plan_regions/manifest.json beside plan.xlsx: make the regional copies first (Make regional copies)"
    )
    assert ribbon.make_regional_copies(book=FileBook(budget_plan)) is not None
    # the copies were made from plan.xlsx; a KPI scorecard saved under that name is another template
    built_templates.copy("kpi_scorecard", "native", "en", budget_plan)
    book = FileBook(budget_plan)
    assert ribbon.rollup(book=book) is None
    assert not (tmp_path / "plan_rollup.xlsx").exists()
    assert "the manifest is for budget_by_tier" in book.messages[-1][1]


# --- live Excel: LiveBook against a stand-in for xlwings' Book and App --------------------------------
class FakeRange:
    def __init__(self, value, count: int = 1) -> None:
        self.value, self.count = value, count

    def options(self, ndim: int):
        assert ndim == 2
        return self


class FakeName:
    def __init__(self, name: str, refers_to: str, value) -> None:
        self.name, self.refers_to, self.refers_to_range = name, refers_to, FakeRange(value)


class FakeNames(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(n for n in self if n.name.lower() == key.lower())  # StopIteration: no such name
        return super().__getitem__(key)


class FakeApp:
    """What LiveBook touches of ``xw.App``: ``status_bar``, ``alert``, ``api.CalculateFull``, ``books.open``."""

    def __init__(self) -> None:
        self.status_bar: str | None = None
        self.alerts: list[tuple[str, str]] = []
        self.full_calculations = 0
        self.opened: list[str] = []
        app = self

        class Api:
            def CalculateFull(self) -> None:  # noqa: N802 - Excel's name
                app.full_calculations += 1

        class Books:
            def open(self, fullname: str):
                app.opened.append(fullname)
                return FakeXwBook(app, fullname)

        self.api, self.books = Api(), Books()

    def alert(self, prompt: str, title: str | None = None, **kwargs) -> None:
        self.alerts.append((title, prompt))


class FakeXwBook:
    """What LiveBook touches of ``xw.Book``: ``name``, ``fullname``, ``api.Saved``, ``names``, ``app``, ``close``."""

    def __init__(self, app: FakeApp, fullname: str, saved: bool = True) -> None:
        self.app, self.fullname, self.name = app, fullname, Path(fullname).name
        self.api = type("WorkbookApi", (), {"Saved": saved})()
        self.names = FakeNames()
        self.closed = False

    def close(self) -> None:
        self.closed = True


def _live(path: Path | str, saved: bool = True):
    from gtm_xl.adapters.book import LiveBook

    app = FakeApp()
    return LiveBook(FakeXwBook(app, str(path), saved)), app


def test_live_book_reports_through_excel(tmp_path):
    book, app = _live(tmp_path / "plan.xlsx")
    book.status("GTM: done")
    book.message("Fix C5", title="GTM: inputs to fix")
    book.calculate()
    book.open_file(tmp_path / "other.xlsx")
    assert app.status_bar == "GTM: done" and app.alerts == [("GTM: inputs to fix", "Fix C5")]
    assert app.full_calculations == 1 and app.opened == [str(tmp_path / "other.xlsx")]


def test_live_book_path_and_saved_state(tmp_path):
    (tmp_path / "plan.xlsx").write_bytes(b"x")
    assert _live(tmp_path / "plan.xlsx")[0].path == tmp_path / "plan.xlsx"
    assert _live(tmp_path / "plan.xlsx")[0].saved
    assert not _live(tmp_path / "plan.xlsx", saved=False)[0].saved  # unsaved changes in Excel
    never_saved = _live("Book1")[0]
    assert never_saved.path is None and not never_saved.saved


def test_live_book_names_and_values(tmp_path):
    book, _ = _live(tmp_path / "plan.xlsx")
    book.book.names += [FakeName("Budget_Total", "=Settings!$C$5", 1000)]
    assert book.defined_names() == {"BUDGET_TOTAL": "Settings!$C$5"} and book.value("budget_total") == 1000
    with pytest.raises(BookError, match="no defined name Nope"):
        book.value("Nope")


def test_live_book_reload_reopens_the_saved_file(tmp_path):
    (tmp_path / "plan.xlsx").write_bytes(b"x")
    book, app = _live(tmp_path / "plan.xlsx")
    first = book.book
    book.reload()
    assert first.closed and app.opened == [str(tmp_path / "plan.xlsx")] and book.book is not first


def test_live_refresh_asks_excel_for_a_full_calculation(scoring_template, tmp_path):
    """Live: the saved file is checked, Excel recalculates; the file itself is not rewritten."""
    good, _ = _with_score(scoring_template, tmp_path / "good.xlsx", 7.0)
    before = good.read_bytes()
    book, app = _live(good)
    report = ribbon.refresh_active(book=book)
    assert app.full_calculations == 1 and good.read_bytes() == before
    assert app.status_bar == f"GTM: refreshed {report.formulas_evaluated} formulas; inputs OK" and not app.alerts


def test_live_refresh_with_bad_inputs_does_not_calculate(scoring_template, tmp_path):
    bad, cell = _with_score(scoring_template, tmp_path / "bad.xlsx", 12.0)
    book, app = _live(bad)
    ribbon.refresh_active(book=book)
    assert app.full_calculations == 0
    assert app.status_bar == "GTM: 1 input(s) to fix; nothing recalculated or written"
    assert app.alerts == [
        (
            "GTM: inputs to fix",
            "bad.xlsx: 1 input(s) break their rules; nothing recalculated "
            f"or written.\n\n{cell}: value 12 must be between 0 and 10 (Enter a number from 0 to 10.)",
        )
    ]


def test_live_actions_need_the_saved_workbook(scoring_template, tmp_path):
    good, _ = _with_score(scoring_template, tmp_path / "good.xlsx", 7.0)
    for action in (ribbon.refresh_active, ribbon.check_inputs, ribbon.make_regional_copies, ribbon.rollup):
        book, app = _live(good, saved=False)
        assert action(book=book) is None and app.full_calculations == 0
        assert app.alerts == [("GTM", "good.xlsx: save the workbook first; the action works on the saved file")]
        assert app.status_bar == f"GTM: {action.__name__.replace('_', ' ')} stopped"


def test_live_insert_template_opens_it_in_excel(tmp_path):
    (tmp_path / "plan.xlsx").write_bytes(b"x")
    book, app = _live(tmp_path / "plan.xlsx")
    created = ribbon.insert_template("kpi_scorecard", book=book)
    assert created == tmp_path / "KPI scorecard.xlsx" and created.is_file()
    assert (
        app.opened == [str(created)] and app.status_bar == "GTM: KPI scorecard template created as KPI scorecard.xlsx"
    )


def test_live_insert_template_with_a_scratch_workbook_goes_home(tmp_path, monkeypatch):
    """No workbook open: the ribbon runs on a new unsaved one ("Book1"), so the template goes home."""
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    book, app = _live("Book1", saved=False)
    created = ribbon.insert_template("scoring_matrix", book=book)
    assert created == tmp_path / "Scoring matrix.xlsx" and app.opened == [str(created)]


def test_actions_run_on_xlwings_caller_by_default(monkeypatch, tmp_path):
    """Called by RunPython with no book, an action works on ``xw.Book.caller()``."""
    import xlwings as xw

    app = FakeApp()
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: FakeXwBook(app, "Book1", saved=False)))
    addin = ROOT / "workbooks" / "gtm_xl.xlam"
    text = ribbon.about(str(addin), xw.__version__)
    assert app.alerts == [("About gtm-xl", text)]
    assert f"Add-in: {addin}\n  built by gtm-xl {__version__}, VBA of xlwings {xw.__version__}\n" in text
    assert "PROBLEM" not in text


def test_about_names_a_vba_of_another_xlwings_and_an_unreadable_addin(tmp_path):
    import xlwings

    addin = ROOT / "workbooks" / "gtm_xl.xlam"
    text = ribbon.about_text(str(addin), "0.36.0")
    assert (
        f"  PROBLEM: the add-in's VBA is xlwings 0.36.0, Python has xlwings {xlwings.__version__}: "
        "pip install xlwings==0.36.0"
    ) in text
    junk = tmp_path / "gtm_xl.xlam"
    junk.write_bytes(b"not a zip")
    text = ribbon.about_text(str(junk), None)
    assert f"Add-in: {junk}\n  build not readable ({junk}: not a readable gtm-xl add-in" in text
