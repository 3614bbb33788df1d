"""Hostile and careless input never loses a file, never hangs a batch, is never accepted
when it should not be. One test per class; every hostile file is made here, small on disk, and
``refresh``, ``distribute`` and ``rollup`` run as subprocesses under a memory limit
(:func:`hostile_helpers.run_cli`), so a regression fails the test and not the machine.

Each test names the hostile inputs it tries and asserts how each ends: refused (exit 2, a one-line
reason, nothing written), failed in the batch (exit 1, the file named, the batch goes on), or
handled (the right result)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distribution_helpers import TEMPLATE_ID, build_test_template
from hostile_helpers import corrupt_member, minimal_xlsx, run_cli, zip_bomb_xlsx
from openpyxl import Workbook
from project_paths import ROOT

from gtm_xl.errors import ERROR_CODES
from gtm_xl.excel.ooxml.package import Package
from gtm_xl.workflows.distribute import distribute
from gtm_xl.workflows.guard import Limits, map_limited, run_limited
from gtm_xl.workflows.refresh import refresh_files


def _book(path: Path, value: float = 2.0, chart: bool = False) -> Path:
    """A small workbook: A1 a number, B1 =A1*3 with no cached value (so a refresh changes it)."""
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = value, "=A1*3"
    if chart:
        from openpyxl.chart import BarChart, Reference

        chart_ = BarChart()
        chart_.add_data(Reference(ws, min_col=1, min_row=1, max_row=1))
        ws.add_chart(chart_, "D2")
    wb.save(path)
    return path


def _cached(path: Path, ref: tuple[int, int] = (1, 2)):
    with Package(path) as pkg:
        book, _ = pkg.read_cells()
    return next(iter(book.sheets.values())).value(*ref)


def _one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert lines, "no message"
    assert "Traceback" not in text, text
    return lines[-1]


# --- data loss --------------------------------------------------------------------------------------
def test_no_output_path_may_be_an_input(tmp_path):
    """Hostile: check --report onto the workbook; refresh --out . beside the input; refresh --report
    onto an input; rollup --out onto a returned copy. Each ends refused, the input byte-identical."""
    book = _book(tmp_path / "plan.xlsx")
    before = book.read_bytes()

    r = run_cli("check", book, "--report", book)
    assert r.returncode == 2 and "--report" in _one_line(r.stderr) and "is the input" in r.stderr
    assert book.read_bytes() == before

    r = run_cli("refresh", "plan.xlsx", "--out", ".", cwd=tmp_path)
    assert r.returncode == 1 and "is the input" in r.stdout + r.stderr
    assert book.read_bytes() == before

    r = run_cli("refresh", book, "--in-place", "--report", book)
    assert r.returncode == 2 and book.read_bytes() == before

    template = build_test_template(tmp_path / "regional_plan.xlsx")
    (tmp_path / "regions.csv").write_text("region,name,budget_total\nA,Alpha,100\nB,Beta,200\n", encoding="utf-8")
    sent = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", sent)
    copy = sent / f"{TEMPLATE_ID}_A.xlsx"
    copy_before = copy.read_bytes()
    r = run_cli("rollup", sent, "--manifest", sent / "manifest.json", "--out", copy)
    assert r.returncode == 2 and "is the input" in _one_line(r.stderr)
    assert copy.read_bytes() == copy_before


def test_in_place_keeps_owner_group_mode_and_refuses_protected_or_open_files(tmp_path):
    """Hostile: a 0640 file of another owner (as root: uid/gid 4321); a symlink to the workbook; a
    read-only (0444) file; a file open in Excel (``~$`` owner file, short and long names), in
    LibreOffice (``.~lock.…#``), or under an fcntl lock held by another process; a file with a
    second hard link. The first two end refreshed with owner, group, mode and link kept; the other
    six refused, named, untouched."""
    owned = _book(tmp_path / "owned.xlsx")
    os.chmod(owned, 0o640)
    if os.geteuid() == 0:
        os.chown(owned, 4321, 4321)
    st = owned.stat()
    real = _book(tmp_path / "real.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    r = run_cli("refresh", "--in-place", owned, link)
    assert r.returncode == 0, r.stdout + r.stderr
    after = owned.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (st.st_uid, st.st_gid, 0o640)
    assert _cached(owned) == 6.0
    assert link.is_symlink() and _cached(real) == 6.0

    readonly = _book(tmp_path / "readonly.xlsx")
    os.chmod(readonly, 0o444)
    excel = _book(tmp_path / "excel.xlsx")
    (tmp_path / "~$excel.xlsx").write_bytes(b"owner")
    excel_long = _book(tmp_path / "quarterly_plan.xlsx")
    (tmp_path / "~$arterly_plan.xlsx").write_bytes(b"owner")  # Excel drops two characters of a long name
    office = _book(tmp_path / "office.xlsx")
    (tmp_path / ".~lock.office.xlsx#").write_text("user,host", encoding="utf-8")
    linked = _book(tmp_path / "linked.xlsx")
    os.link(linked, tmp_path / "other_name.xlsx")
    locked = _book(tmp_path / "locked.xlsx")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'r+b'); fcntl.lockf(f, fcntl.LOCK_EX); "
            "print('locked', flush=True); time.sleep(60)",
            str(locked),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        victims = {readonly: "read-only", excel: "open in Excel", excel_long: "open in Excel"}
        victims |= {office: "open in LibreOffice", locked: "locked by another process", linked: "hard links"}
        before = {p: p.read_bytes() for p in victims}
        r = run_cli("refresh", "--in-place", *victims)
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 1
    for path, why in victims.items():
        assert path.read_bytes() == before[path], path
        line = next(line for line in r.stderr.splitlines() if str(path) in line)
        assert why in line, line
    assert stat.S_IMODE(readonly.stat().st_mode) == 0o444
    assert list(tmp_path.glob(".*.tmp")) == []


# --- resource exhaustion ----------------------------------------------------------------------------
def test_every_workbook_a_command_reads_is_bomb_checked(tmp_path):
    """Hostile: a zip bomb as distribute's regions.xlsx, as its --rows table, as its template, as a
    returned copy in a roll-up and as a refresh input (each ~10 KB that inflates 1000:1). Each is
    refused from the zip directory, under a 1.5 GiB memory limit."""
    bomb = zip_bomb_xlsx(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 64_000
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    regions = tmp_path / "regions.csv"
    regions.write_text("region,name\nA,Alpha\n", encoding="utf-8")
    out = tmp_path / "out"
    for args in (
        ("--regions", bomb),
        ("--regions", regions, "--rows", bomb),
    ):
        r = run_cli("distribute", template, *args, "--out", out)
        assert r.returncode == 2 and "zip bomb" in r.stderr, r.stderr
        assert not out.exists()
    r = run_cli("distribute", bomb, "--regions", regions, "--out", out)
    assert r.returncode == 2 and "zip bomb" in r.stderr and not out.exists()

    r = run_cli("refresh", "--check-only", bomb)
    assert r.returncode == 1 and "zip bomb" in r.stderr

    sent = tmp_path / "sent"
    distribute(template, regions, sent)
    returned = tmp_path / "returned"
    returned.mkdir()
    shutil.copy(sent / f"{TEMPLATE_ID}_A.xlsx", returned)
    shutil.copy(bomb, returned / f"{TEMPLATE_ID}_B.xlsx")
    r = run_cli("rollup", returned, "--manifest", sent / "manifest.json", "--out", tmp_path / "rollup.xlsx")
    assert r.returncode == 1 and "zip bomb" in r.stderr
    assert (tmp_path / "rollup.xlsx").is_file()  # the good copy is consolidated, the batch went on


def test_a_file_over_its_budget_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch):
    """Hostile: an evaluation that allocates 4 GiB, one that runs forever, one whose worker is
    killed (as by the OOM killer), a file whose evaluation hangs inside a refresh batch,
    =SUM(SEQUENCE(300000000)) in a 5 KB file under --max-memory 200, and the same formula typed
    into a returned copy under rollup --max-memory 300. Each ends as one failed (or left-out) file
    with the reason (memory limit, time limit, worker died — or, once the engine caps SEQUENCE, an
    error value), and the good files of the same batch are refreshed or consolidated."""
    limits = Limits(max_memory_mb=256, max_seconds=2)

    def hog(n):
        return len(bytearray(n << 30))

    def forever():
        while True:
            time.sleep(0.1)

    def crash():
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would

    results = {k: (s, v) for k, s, v in map_limited(lambda f, *a: f(*a), [
        ("hog", (hog, 4)), ("forever", (forever,)), ("crash", (crash,)), ("fine", (hog, 0)),
    ], limits, jobs=2)}  # fmt: skip
    assert results["hog"] == ("memory", None)
    assert results["forever"][0] == "error" and "--max-seconds" in results["forever"][1]
    assert results["crash"][0] == "error" and "died (SIGKILL" in results["crash"][1]
    assert results["fine"] == ("ok", 0)
    assert run_limited(sum, ([1, 2, 3],), limits) == 6

    # the refresh batch: a slow file stopped at its deadline, the others refreshed
    import gtm_xl.workflows.refresh as engine  # the refresh's own reference to the evaluator

    real = engine.evaluate_workbook

    def slow_on_marker(book, functions=None, **kw):
        if any(sheet.value(1, 1) == 999 for sheet in book.sheets.values()):
            time.sleep(60)
        return real(book, functions, **kw)

    monkeypatch.setattr(engine, "evaluate_workbook", slow_on_marker)
    good = _book(tmp_path / "good.xlsx")
    slow = _book(tmp_path / "slow.xlsx", value=999)
    started = time.monotonic()
    reports = refresh_files([good, slow], check_only=True, jobs=2, limits=Limits(max_seconds=2))
    assert time.monotonic() - started < 30
    assert reports[0].ok and "--max-seconds" in reports[1].error and str(slow) in reports[1].error

    hostile = minimal_xlsx(tmp_path / "sequence.xlsx", '<row r="1"><c r="A1"><f>SUM(SEQUENCE(300000000))</f></c></row>')
    assert hostile.stat().st_size < 5_000
    report = tmp_path / "sequence-report.json"
    r = run_cli("refresh", "--out", tmp_path / "out", "--max-memory", "200", hostile, good, "--report", report)
    assert r.returncode in (0, 1)
    assert (tmp_path / "out" / "good.xlsx").is_file()  # the batch went on
    if r.returncode == 1:
        assert "--max-memory" in r.stderr and "sequence.xlsx" in r.stderr
    else:  # the engine refuses the array itself: an error value, or the cell left uncomputed and reported
        first = json.loads(report.read_text(encoding="utf-8"))["files"][0]
        cached = _cached(tmp_path / "out" / "sequence.xlsx", (1, 1))
        assert isinstance(cached, type(_cached_error())) or [u["cell"] for u in first["unsupported"]] == ["Sheet1!A1"]

    # the same formula typed into a returned copy (an unlocked cell without validation): left out
    import openpyxl

    template = build_test_template(tmp_path / "regional_plan.xlsx")
    (tmp_path / "regions.csv").write_text("region,name\nA,Alpha\nB,Beta\n", encoding="utf-8")
    sent = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", sent)
    copy = sent / f"{TEMPLATE_ID}_B.xlsx"
    wb = openpyxl.load_workbook(copy)
    wb["Plan"]["A3"] = "=SUM(SEQUENCE(300000000))"
    wb.save(copy)
    r = run_cli(
        "rollup", sent, "--manifest", sent / "manifest.json", "--out", tmp_path / "r.xlsx", "--max-memory", "300"
    )
    assert (tmp_path / "r.xlsx").is_file()
    if r.returncode == 1:
        assert f"LEFT OUT {copy}" in r.stderr and "--max-memory" in r.stderr, r.stderr
    else:
        assert r.returncode == 0


def _cached_error():
    from gtm_xl.errors import CellError

    return CellError("#NUM!")


# --- crashes and hangs ------------------------------------------------------------------------------
def test_every_output_is_checked_before_the_first_write(tmp_path):
    """Hostile: --report a folder; --report in a folder that does not exist; --report in a read-only
    folder (not as root); rollup --db with a bad URL, an unreachable server, :memory:, an SQLite
    file in a missing folder; rollup --csv naming a file. Each ends refused (exit 2) with the
    in-place inputs untouched and no roll-up written."""
    book = _book(tmp_path / "plan.xlsx")
    before = book.read_bytes()
    folder = tmp_path / "reports"
    folder.mkdir()
    bad_reports = [folder, tmp_path / "missing" / "r.json"]
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        bad_reports.append(locked / "r.json")
    for report in bad_reports:
        r = run_cli("refresh", "--in-place", book, "--report", report)
        assert r.returncode == 2, (report, r.stderr)
        assert "--report" in _one_line(r.stderr)
        assert book.read_bytes() == before

    template = build_test_template(tmp_path / "regional_plan.xlsx")
    (tmp_path / "regions.csv").write_text("region,name\nA,Alpha\n", encoding="utf-8")
    sent = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", sent)
    out = tmp_path / "rollup.xlsx"
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for extra in (
        ("--db", "nosuchdialect://x/y"),
        ("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=3"),
        ("--db", "sqlite:///:memory:"),
        ("--db", "sqlite://"),
        ("--db", str(tmp_path / "missing" / "r.sqlite")),
        ("--csv", str(tmp_path / "afile")),
    ):
        r = run_cli("rollup", sent, "--manifest", sent / "manifest.json", "--out", out, *extra)
        assert r.returncode == 2, (extra, r.stderr)
        line = _one_line(r.stderr)
        assert extra[0] in line, line
        assert not out.exists() and not (tmp_path / "missing").exists()
    assert "in-memory" in run_cli("rollup", sent, "--manifest", sent / "manifest.json", "--out", out, "--db", "sqlite:///:memory:").stderr  # fmt: skip


def test_distribute_refuses_numbers_no_cell_can_hold(tmp_path):
    """Hostile: inf, 1e400, nan, -Infinity in a number column (CSV). Each ends refused with file,
    row and column; nothing written."""
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    regions = tmp_path / "regions.csv"
    bad = ["inf", "1e400", "nan", "-Infinity"]
    rows = "".join(f"R{i},Region {i},{v}\n" for i, v in enumerate(bad))
    regions.write_text("region,name,budget_total\n" + rows, encoding="utf-8")
    r = run_cli("distribute", template, "--regions", regions, "--out", tmp_path / "out")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for i, v in enumerate(bad, start=2):
        assert any(f"row {i}, column budget_total" in line and v in line for line in r.stderr.splitlines()), (
            v,
            r.stderr,
        )
    assert not (tmp_path / "out").exists()


def test_non_regular_files_are_refused_not_waited_on(tmp_path):
    """Hostile: a FIFO named as refresh's input, check's input, distribute's --regions and
    template, a returned copy of a roll-up and its --manifest. Each ends refused at once (a 60 s timeout would
    fail the test), the rest of the batch done."""
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    good = _book(tmp_path / "good.xlsx")
    r = run_cli("refresh", "--check-only", fifo, good, timeout=60)
    assert r.returncode == 1 and "not a regular file" in r.stderr and "1 of 2 files ok" in r.stdout
    r = run_cli("check", fifo, timeout=60)
    assert r.returncode == 1 and "not a regular file" in r.stderr
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    fifo_csv = tmp_path / "regions.csv"
    os.mkfifo(fifo_csv)
    r = run_cli("distribute", template, "--regions", fifo_csv, "--out", tmp_path / "out", timeout=60)
    assert r.returncode == 2 and "not a regular file" in r.stderr
    (tmp_path / "ok.csv").write_text("region,name\nA,Alpha\n", encoding="utf-8")
    r = run_cli("distribute", fifo, "--regions", tmp_path / "ok.csv", "--out", tmp_path / "out", timeout=60)
    assert r.returncode == 2 and not (tmp_path / "out").exists()
    sent = tmp_path / "sent"
    distribute(template, tmp_path / "ok.csv", sent)
    r = run_cli("rollup", sent / f"{TEMPLATE_ID}_A.xlsx", fifo, "--template", template, "--out", tmp_path / "r.xlsx")
    assert r.returncode == 1 and "not a regular file" in r.stderr
    fifo_json = tmp_path / "manifest.json"
    os.mkfifo(fifo_json)
    r = run_cli("rollup", sent, "--manifest", fifo_json, "--out", tmp_path / "r2.xlsx", timeout=60)
    assert r.returncode == 2 and "not a regular file" in _one_line(r.stderr) and not (tmp_path / "r2.xlsx").exists()


_KILLABLE = r"""
import sys, time
import gtm_xl.workflows.refresh as engine
real = engine.evaluate_workbook
def slow(book, functions=None, **kw):
    print("evaluating", flush=True)
    time.sleep(120)
    return real(book, functions, **kw)
engine.evaluate_workbook = slow
from gtm_xl.adapters.cli import main
sys.exit(main(["refresh", "--check-only", "--jobs", "2", *sys.argv[1:]]))
"""


def test_workers_end_with_their_parent(tmp_path):
    """Hostile: kill -9 of ``refresh --jobs 2`` while both workers evaluate. Ends with no worker left."""
    files = [_book(tmp_path / f"f{i}.xlsx") for i in range(2)]
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, *map(str, files)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
    )
    try:
        seen = b""
        while seen.count(b"evaluating") < 2:  # both workers inside the evaluation
            chunk = proc.stdout.read1(100)
            assert chunk, "the refresh ended before its workers evaluated"
            seen += chunk
        children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == proc.pid]
        assert len(children) == 2
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.1)
    assert not any(_running(pid) for pid in children)


def _ppid(proc_dir: Path) -> int | None:
    try:
        for line in (proc_dir / "status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != b"Z"


# --- accepted when it should not be -----------------------------------------------------------------
def test_folders_and_jobs_are_not_accepted_silently(tmp_path, monkeypatch, capsys):
    """Hostile: a folder with an unreadable subfolder; --out inside the input folder, run twice;
    --jobs 0 and -3 for refresh, check and rollup. Ends: the unreadable folder an error (not
    "1 of 1 ok"); the second run reads only the two inputs, never its own output; each --jobs refused."""
    from gtm_xl.adapters.cli import main

    top = tmp_path / "in"
    (top / "secret").mkdir(parents=True)
    _book(top / "a.xlsx")
    _book(top / "secret" / "b.xlsx")
    if os.geteuid() == 0:  # root reads anything: make the folder unreadable the way the kernel would say it
        real_scandir = os.scandir

        def scandir(path="."):
            if Path(path) == top / "secret":
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        os.chmod(top / "secret", 0)
    try:
        assert main(["refresh", "--check-only", str(top)]) == 1
    finally:
        monkeypatch.undo()
        os.chmod(top / "secret", 0o755)
    captured = capsys.readouterr()
    assert "secret: folder not readable" in captured.err and "1 of 2 files ok" in captured.out

    out = top / "refreshed"
    for _ in range(2):
        reports = refresh_files([top], out_dir=out)
        assert sorted(Path(r.path).name for r in reports) == ["a.xlsx", "b.xlsx"]
        assert all(r.ok for r in reports)
    assert not (out / "refreshed").exists()

    for command in (["refresh", "--check-only"], ["check"], ["rollup", "--out", str(tmp_path / "r.xlsx")]):
        for jobs in ("0", "-3"):
            with pytest.raises(SystemExit) as exc:
                main([*command, str(top / "a.xlsx"), "--jobs", jobs])
            assert exc.value.code == 2
            assert "must be at least 1" in capsys.readouterr().err


def test_a_corrupt_part_copied_raw_fails_check_and_refresh(tmp_path):
    """Hostile: a chart part whose recorded CRC-32 is wrong, and one whose compressed bytes are
    damaged. Each ends: check fails naming the part, refresh writes nothing."""
    for how in ("crc", "data"):
        book = _book(tmp_path / f"chart_{how}.xlsx", chart=True)
        corrupt_member(book, "xl/charts/chart1.xml", how)
        r = run_cli("check", book)
        assert r.returncode == 1 and "xl/charts/chart1.xml is corrupt" in r.stderr, r.stderr
        r = run_cli("refresh", book, "--out", tmp_path / "out")
        assert r.returncode == 1 and not (tmp_path / "out" / book.name).exists()


def test_distribute_refuses_what_is_not_a_number_or_not_in_a_column(tmp_path):
    """Hostile: 1_000, full-width １０００, Arabic-Indic ١٠٠٠ and Devanagari १००० in a number column;
    a value beyond the last header; a regions.xlsx formula cell with no cached value. Each ends
    refused with file, row and column; nothing written."""
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    regions = tmp_path / "regions.csv"
    numbers = ["1_000", "１０００", "١٠٠٠", "१०००"]
    body = "".join(f"R{i},Region {i},{v}\n" for i, v in enumerate(numbers)) + "X,Extra,5,surplus\n"
    regions.write_text("region,name,budget_total\n" + body, encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("distribute", template, "--regions", regions, "--out", out)
    assert r.returncode == 2 and not out.exists()
    lines = r.stderr.splitlines()
    for i, v in enumerate(numbers, start=2):
        assert any(f"row {i}, column budget_total" in line and "not a number" in line for line in lines), v
    assert any("row 6, column D" in line and "beyond the last column header" in line for line in lines)

    wb = Workbook()
    ws = wb.active
    ws.append(["region", "name", "budget_total"])
    ws.append(["A", "Alpha", "=100*2"])  # openpyxl stores no cached value: Excel never calculated it
    wb.save(tmp_path / "regions.xlsx")
    r = run_cli("distribute", template, "--regions", tmp_path / "regions.xlsx", "--out", out)
    assert r.returncode == 2 and not out.exists()
    assert "row 2, column C: formula =100*2 has no cached value" in r.stderr


def test_cached_error_values_of_newer_excel_are_kept_and_propagate(tmp_path):
    """Hostile: each error value introduced after Excel 2010, cached in a cell, and a formula using
    it. Each ends read as itself, kept, and propagated to the formula (not #VALUE!)."""
    codes = [
        "#BLOCKED!",
        "#FIELD!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
        "#PYTHON!",
        "#SPILL!",
        "#CALC!",
    ]
    assert set(codes) <= set(ERROR_CODES)
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="e"><v>{code}</v></c><c r="B{i}"><f>A{i}+1</f><v>0</v></c></row>'
        for i, code in enumerate(codes, start=1)
    )
    book = minimal_xlsx(tmp_path / "errors.xlsx", rows)
    r = run_cli("refresh", "--in-place", book)
    assert r.returncode == 0, r.stderr
    for i, code in enumerate(codes, start=1):
        assert str(_cached(book, (i, 1))) == code
        assert str(_cached(book, (i, 2))) == code


def test_rollup_refuses_an_in_memory_database(tmp_path):
    """Hostile: rollup --db sqlite:///:memory: (would report success and store nothing). Ends refused."""
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    (tmp_path / "regions.csv").write_text("region,name\nA,Alpha\n", encoding="utf-8")
    sent = tmp_path / "sent"
    distribute(template, tmp_path / "regions.csv", sent)
    r = run_cli("rollup", sent, "--manifest", sent / "manifest.json", "--out", tmp_path / "r.xlsx", "--db", "sqlite:///:memory:")  # fmt: skip
    assert r.returncode == 2 and "in-memory database" in r.stderr and not (tmp_path / "r.xlsx").exists()


def test_control_characters_in_a_regions_table_are_refused(tmp_path):
    """Hostile: NUL in a region name, ESC (U+001B) and U+0001 in values of a CSV; U+0008 in an .xlsx
    inline string (``_x0008_``), U+FFFF in a name. Each ends refused with file, row and column;
    nothing written (today's failure was an invalid workbook.xml and "success")."""
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "region,name,segment\nA,Al\x00pha,SMB\nB,Beta,S\x1bMB\nC,Gam\x01ma,Mid\nD,De\uffffta,Mid\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    r = run_cli("distribute", template, "--regions", regions, "--out", out)
    assert r.returncode == 2 and not out.exists()
    for where, char in (("row 2, column name", "U+0000"), ("row 3, column segment", "U+001B")):
        assert any(where in line and char in line for line in r.stderr.splitlines()), (where, r.stderr)
    assert "row 4, column name" in r.stderr and "row 5, column name" in r.stderr

    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>region</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2" t="inlineStr"><is><t>Al_x0008_pha</t></is></c></row>'
    )  # fmt: skip
    table = minimal_xlsx(tmp_path / "regions.xlsx", rows)
    r = run_cli("distribute", template, "--regions", table, "--out", out)
    assert r.returncode == 2 and not out.exists()
    assert "regions.xlsx, row 2, column name: text holds the control character U+0008" in r.stderr


def test_distribute_checks_every_copy_before_writing(tmp_path):
    """Hostile: a re-run of distribute while one earlier copy is open in Excel, and an --out folder
    holding the regions table under a copy's name. Each ends refused before the first write: every
    earlier copy and the manifest byte-identical."""
    template = build_test_template(tmp_path / "regional_plan.xlsx")
    regions = tmp_path / "regions.csv"
    regions.write_text("region,name,budget_total\nA,Alpha,100\nB,Beta,200\n", encoding="utf-8")
    out = tmp_path / "out"
    distribute(template, regions, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / f"~${TEMPLATE_ID}_B.xlsx").write_bytes(b"owner")
    regions.write_text("region,name,budget_total\nA,Alpha,300\nB,Beta,400\n", encoding="utf-8")
    r = run_cli("distribute", template, "--regions", regions, "--out", out)
    assert r.returncode == 2 and "open in Excel" in _one_line(r.stderr)
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith("~$")} == before

    other = tmp_path / "other"
    other.mkdir()
    table = other / f"{TEMPLATE_ID}_A.xlsx"  # the regions table, named as region A's copy will be
    wb = Workbook()
    wb.active.append(["region", "name"])
    wb.active.append(["A", "Alpha"])
    wb.save(table)
    table_before = table.read_bytes()
    r = run_cli("distribute", template, "--regions", table, "--out", other)
    assert r.returncode == 2 and "is the input" in _one_line(r.stderr)
    assert table.read_bytes() == table_before and not (other / "manifest.json").exists()


def test_a_text_longer_than_a_cell_holds_is_stored_as_value_error(tmp_path):
    """Hostile: =REPT("x",40000) and =REPT("ab",20000) (Excel caps a cell at 32,767 characters; the
    file would no longer open). Each ends stored as #VALUE!, reported with the reason; a text of
    exactly 32,767 characters is kept."""
    rows = (
        '<row r="1"><c r="A1"><f>REPT("x",40000)</f></c><c r="B1"><f>REPT("ab",20000)</f></c>'
        '<c r="C1"><f>REPT("y",32767)</f></c></row>'
    )
    book = minimal_xlsx(tmp_path / "long.xlsx", rows)
    r = run_cli("refresh", "--in-place", book, "--report", tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    assert str(_cached(book, (1, 1))) == "#VALUE!" and str(_cached(book, (1, 2))) == "#VALUE!"
    assert _cached(book, (1, 3)) == "y" * 32767
    errors = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"][0]["errors_produced"]
    assert {e["cell"] for e in errors} == {"Sheet1!A1", "Sheet1!B1"}
    assert all("32,767" in e["message"] for e in errors)
    assert book.stat().st_size < 50_000
