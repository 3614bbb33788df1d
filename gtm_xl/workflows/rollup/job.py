"""``gtm-xl rollup``: check returned regional workbooks and consolidate them (:func:`rollup`).

The steps live in their own modules, imports pointing one way (job → checks, aggregate, output):

* :mod:`gtm_xl.workflows.rollup.checks` — one file: opened safely, checked (stamp, region, locked
  formulas, inputs, control characters), recalculated when stale, its blocks and labels read;
* :mod:`gtm_xl.workflows.rollup.aggregate` — totals (exact sums, weighted ratios, the KPI portfolio from
  summed parts), the consolidated views in the template's shape and words, the reconciliation, the
  changes since the previous roll-up;
* :mod:`gtm_xl.workflows.rollup.output` — the roll-up workbook, the tidy CSV files and database tables.

Files that fail are listed with their reasons and left out; the rest are consolidated.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.excel.atomic import output_problem
from gtm_xl.workflows.distribute import read_manifest
from gtm_xl.workflows.guard import Limits, map_limited
from gtm_xl.workflows.rollup.aggregate import (
    Aggregation,
    CheckRow,
    View,
    aggregation_rules,
    block_totals,
    changes,
    compute_totals,
    language,
    portfolio,
    reconciliation,
    views,
)
from gtm_xl.workflows.rollup.checks import (
    WORKER,
    FileResult,
    inspect_file,
    read_book,
    recalculate_with_libreoffice,
    resolve_template,
)
from gtm_xl.workflows.rollup.output import db_url, read_previous, tidy_rows, write_csv, write_db, write_workbook
from gtm_xl.workflows.template_info import TemplateInfo, read_template

__all__ = [
    "FileResult",
    "RollupReport",
    "Aggregation",
    "rollup",
    "consolidate",
    "inspect_file",
    "read_book",
    "aggregation_rules",
    "block_totals",
    "compute_totals",
    "resolve_template",
    "db_url",
]

#: kept under its old name: callers (and tests) hand a running LibreOffice to it
_recalculate_with_libreoffice = recalculate_with_libreoffice


@dataclass
class RollupReport:
    template: TemplateInfo
    included: list[FileResult] = field(default_factory=list)
    left_out: list[FileResult] = field(default_factory=list)
    missing_regions: list[dict] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Aggregation] = field(default_factory=dict)
    block_totals: dict[str, tuple[str, list[list[Any]]]] = field(default_factory=dict)
    views: list[View] = field(default_factory=list)
    plan_checks: list[CheckRow] = field(default_factory=list)
    total_checks: list[CheckRow] = field(default_factory=list)
    changes: list[tuple] | None = None  # with --previous: (region, block, row, column, old, new)
    lang: str = "en"
    region_names: dict[str, Any] = field(default_factory=dict)  # region id → name, from the manifest
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.left_out and not self.missing_regions

    @property
    def reconciled(self) -> bool:
        """Every consolidated total equals the sum of the regional files (plan differences are
        shown, not failures: a region not returned leaves the plan short)."""
        return all(c.ok for c in self.total_checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": {"id": self.template.template_id, "version": self.template.version},
            "included": [
                {
                    "file": r.path,
                    "region": r.region,
                    "recalculated_by": r.recalculated_by,
                    **({"not_checked": r.not_checked} if r.not_checked else {}),
                }
                for r in self.included
            ],
            "rules": {k: a.text for k, a in self.rules.items()},
            "left_out": [{"file": r.path, "region": r.region, "reasons": r.reasons} for r in self.left_out],
            "missing_regions": self.missing_regions,
            "totals": self.totals,
            "plan": [
                {"input": c.block, "plan": c.expected, "regions": c.actual, "difference": c.difference, "ok": c.ok}
                for c in self.plan_checks
            ],
            "totals_reconciled": self.reconciled,
            **({"changes": len(self.changes)} if self.changes is not None else {}),
            "written": self.written,
            "seconds": round(self.seconds, 3),
        }


def consolidate(report: RollupReport) -> RollupReport:
    """Fill the report's totals, rules, views and checks from its included regions."""
    info = report.template
    report.lang = language(report.included)
    report.rules = aggregation_rules(info, report.included)
    report.totals = compute_totals(report.included, report.rules, info)
    for key, (value, how) in portfolio(info, report.included).items():
        report.totals[key], report.rules[key] = value, Aggregation("portfolio", how)
    report.block_totals = block_totals(info, report.included)
    report.views = views(info, report.included, report.totals, report.rules, report.lang)
    report.plan_checks, report.total_checks = reconciliation(info, report.included, report.views)
    return report


def rollup(
    files: Sequence[str | Path],
    out: str | Path,
    *,
    template: str | Path | None = None,
    manifest: str | Path | None = None,
    csv_dir: str | Path | None = None,
    db: str | None = None,
    previous: str | Path | None = None,
    jobs: int = 1,
    progress: Callable[[Iterable], Iterable] | None = None,
    libreoffice=None,
    limits: Limits | None = None,
) -> RollupReport:
    """Check and consolidate ``files``; write ``out`` (+ CSV, + DB). Never raises for a bad file.

    Every output — the workbook, the CSV folder, the database URL and its connection — is checked
    before anything is read or written (:func:`check_outputs`: a ValueError naming the problem).
    ``limits``: the memory and time budget of each returned copy's check and recalculation
    (:class:`gtm_xl.workflows.guard.Limits`).

    ``previous``: an earlier roll-up workbook; its Data and Checks sheets are compared with this one
    (a Changes sheet). ``libreoffice``: a :class:`gtm_xl.excel.libreoffice.LibreOffice` to reuse for
    files the headless refresh cannot recalculate (default: a fresh profile when one is needed)."""
    started = time.perf_counter()
    check_outputs(files, out, csv_dir=csv_dir, db=db, others=[p for p in (template, manifest, previous) if p])
    WORKER["limits"] = limits
    manifest_doc = read_manifest(manifest) if manifest is not None else None
    template_path = resolve_template(template, manifest_doc, Path(manifest) if manifest else None)
    check_outputs([template_path], out, csv_dir=csv_dir, db=None)
    info = read_template(template_path)
    if manifest_doc is not None:
        t = manifest_doc["template"]
        if (t.get("id"), str(t.get("version"))) != (info.template_id, info.version):
            raise ValueError(
                f"the manifest is for {t.get('id')} {t.get('version')}, the template is "
                f"{info.template_id} {info.version}"
            )
    previous_rows = None
    if previous is not None:
        previous_rows = read_previous(Path(previous))  # read first: a bad file stops before any work
    regions = {str(e["region"]).lower(): e for e in manifest_doc["regions"]} if manifest_doc is not None else None
    paths = [str(p) for p in files]
    results = _inspect_all(paths, info, regions, jobs, progress, limits)
    _recalculate_with_libreoffice([r for r in results if r.needs_libreoffice and not r.reasons], info, libreoffice)

    report = RollupReport(info)
    seen: dict[str, str] = {}
    for r in results:
        if r.ok and r.region is not None:
            first = seen.get(r.region.lower())
            if first is not None:
                r.reasons.append(f"region {r.region!r} already consolidated from {first}")
            else:
                seen[r.region.lower()] = r.path
        (report.included if r.ok else report.left_out).append(r)
    if regions is not None:
        returned = {r.region.lower() for r in results if r.region}
        names = {Path(r.path).name for r in results}
        returned |= {k for k, e in regions.items() if e.get("file") in names}
        report.missing_regions = [
            {"region": e["region"], "file": e.get("file")} for k, e in regions.items() if k not in returned
        ]
        report.region_names = {str(e["region"]): e.get("name") for e in regions.values()}
    report.included.sort(key=lambda r: (r.region or "").lower())
    consolidate(report)
    if previous_rows is not None:
        report.changes = changes(previous_rows, tidy_rows(report, with_totals=True))

    report.written.append(str(write_workbook(report, Path(out))))
    if csv_dir is not None:
        report.written += [str(p) for p in write_csv(report, Path(csv_dir))]
    if db is not None:
        try:
            report.written.append(write_db(report, db))
        except Exception as exc:  # noqa: BLE001 - a server that failed after the check: one line, no traceback
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ValueError(f"--db: writing the tables failed ({type(exc).__name__}: {first})") from exc
    report.seconds = time.perf_counter() - started
    return report


def _inspect_all(
    paths: list[str],
    info: TemplateInfo,
    regions: dict | None,
    jobs: int,
    progress: Callable[[Iterable], Iterable] | None,
    limits: Limits | None = None,
) -> list[FileResult]:
    """:func:`inspect_file` for every path, each in a child process under the memory and time budget
    (:func:`gtm_xl.workflows.guard.map_limited`, ``jobs`` at a time): reading a returned copy,
    evaluating its validation rules and recalculating it all run there, so a hostile copy (a
    ``SUM(SEQUENCE(300000000))`` typed into it) is left out with the reason and the roll-up goes on.
    Results in the order of ``paths``."""
    limits = limits or Limits()
    found: dict[int, FileResult] = {}
    done = map_limited(inspect_file, [(i, (p, info, regions)) for i, p in enumerate(paths)], limits, jobs)
    for i, status, value in progress(done) if progress else done:
        if status == "ok":
            found[i] = value
        elif status == "memory":
            found[i] = FileResult(paths[i], reasons=[f"checking it needed more than {limits.memory_text()}"])
        else:
            found[i] = FileResult(paths[i], reasons=[f"could not be checked: {value}"])
    return [found[i] for i in range(len(paths))]


def check_outputs(
    files: Sequence[str | Path],
    out: str | Path,
    *,
    csv_dir: str | Path | None = None,
    db: str | None = None,
    others: Sequence[str | Path] = (),
) -> None:
    """Raise ValueError (one line) when an output cannot be written or would overwrite an input:
    ``out`` a returned file, the template, the manifest or the previous roll-up, a folder, read-only,
    open in Excel or in a folder that is not writable; ``csv_dir`` a file or not writable; ``db`` not
    a usable database (:func:`check_db`). Run before the first write, so a bad path never leaves a
    half-done roll-up behind."""
    inputs = [*files, *others]
    problem = output_problem(out, inputs, what="--out", make_dirs=True)
    if problem:
        raise ValueError(problem)
    if csv_dir is not None:
        folder = Path(csv_dir)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"--csv {folder} is a file, not a folder")
        existing = next((p for p in [folder, *folder.parents] if p.exists()), Path("."))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ValueError(f"--csv {folder}: folder {existing} is not writable")
    if db is not None:
        check_db(db, inputs)


def check_db(value: str, inputs: Sequence[str | Path] = ()) -> None:
    """Raise ValueError when ``value`` is not a database the roll-up can write to and keep: not a
    SQLAlchemy URL, an in-memory SQLite database (it would vanish with the process: "success",
    nothing stored), an SQLite file that is a folder, an input or not writable, or a server that
    does not answer (connected once, before anything is written)."""
    # on use: SQLAlchemy costs a roll-up without --db its import time
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    url_text = db_url(value)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise ValueError(f"--db {value!r} is not a database URL ({exc})") from None
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:") or "mode=memory" in str(url):
            raise ValueError(f"--db {shown} is an in-memory database: nothing would be kept; give a file")
        path = Path(database)
        problem = output_problem(path, inputs, what="--db")
        if problem:
            raise ValueError(problem)
        if path.is_file() and path.stat().st_size and not _head(path).startswith(b"SQLite format 3"):
            raise ValueError(f"--db {path} exists and is not an SQLite database: refused, it would be overwritten")
        return
    try:
        engine = create_engine(url_text)
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise ValueError(f"--db {shown}: cannot use this database ({type(exc).__name__}: {exc})") from None
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"--db {shown}: cannot connect ({first})") from None
    finally:
        engine.dispose()


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(16)
