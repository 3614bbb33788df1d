"""``gtm-xl``: the command line. Argument parsing, progress and reports only; the work lives in
the modules each subcommand imports inside its handler, on use: so that ``gtm-xl refresh`` starts
fast and never loads what only another command needs (openpyxl, pandas, SQLAlchemy, tqdm)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from gtm_xl import __version__
from gtm_xl.excel.atomic import output_problem
from gtm_xl.workflows.guard import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_SECONDS, Limits

Handler = Callable[[argparse.Namespace], int]


def _positive_int(text: str) -> int:
    """``--jobs``: a whole number of at least 1 (0 and negatives are refused, not read as 1)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"needs a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"needs a number, got {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _limit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-memory",
        type=_positive_int,
        default=DEFAULT_MAX_MEMORY_MB,
        metavar="MIB",
        help=f"memory one file may use while it is evaluated, in MiB (default {DEFAULT_MAX_MEMORY_MB}); "
        "a file needing more fails with the reason and the batch goes on",
    )
    p.add_argument(
        "--max-seconds",
        type=_positive_number,
        default=DEFAULT_MAX_SECONDS,
        metavar="S",
        help=f"time one file may take, in seconds (default {DEFAULT_MAX_SECONDS:g}); a slower file is stopped "
        "and reported",
    )


def _limits(args: argparse.Namespace):
    return Limits(max_memory_mb=args.max_memory, max_seconds=args.max_seconds)


def _error(command: str, message: str, code: int = 1) -> int:
    """``gtm-xl COMMAND: message`` on standard error; returns the exit code (1: the job failed)."""
    print(f"gtm-xl {command}: {message}", file=sys.stderr)
    return code


def _usage_error(command: str, message: str) -> int:
    """As :func:`_error`, exit code 2: the command was given something it cannot use."""
    return _error(command, message, 2)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gtm-xl",
        description="Go-to-market planning workbooks: GTM_* functions, templates, headless refresh, "
        "regional distribution and roll-up.",
    )
    parser.add_argument("--version", action="version", version=f"gtm-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _REGISTRARS:
        register(sub)
    return parser


# --- calc, demo (foundation) ------------------------------------------------------------------
def _register_calc(sub) -> None:
    p = sub.add_parser(
        "calc",
        help="run one GTM_* function from the shell, JSON out",
        description="Run one GTM_* function. Arguments are numbers, text, blank (an empty "
        "string), or JSON arrays for ranges: '[2,3,4,3]' is a row, '[[1],[2]]' a column.",
    )
    p.add_argument("function", help="catalogue name, e.g. GTM_SPLIT_TARGET (the GTM_ prefix is optional)")
    p.add_argument("args", nargs="*", help="the function's arguments, in order")
    p.set_defaults(handler=_run_calc)
    p = sub.add_parser(
        "demo",
        help="the main job on the bundled example data: build, fill, refresh, roll up",
        description="Build the templates, fill a budget-by-tier copy per example region, "
        "refresh every udf workbook headlessly (GTM_* computed by gtm_xl), check the results "
        "against gtm_xl's math, roll the regions up, and print the plan from the refreshed files.",
    )
    p.add_argument("--out", default="out/demo", help="folder for everything it writes (default: out/demo)")
    p.add_argument("--jobs", "-j", type=_positive_int, default=2, metavar="N", help="files in parallel (default 2)")
    p.set_defaults(handler=_run_demo)


def _run_calc(args: argparse.Namespace) -> int:
    from gtm_xl.catalogue import calc_from_strings
    from gtm_xl.errors import GTMError

    try:
        result = calc_from_strings(args.function, args.args)
    except GTMError as exc:
        return _usage_error("calc", str(exc))
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from gtm_xl.workflows.demo import plan_lines, run_demo

    started = time.perf_counter()
    try:
        result = run_demo(args.out, jobs=args.jobs)
    except OSError as exc:
        return _error("demo", f"cannot write into {args.out}: {exc.strerror or exc}")
    out = result.out_dir
    print(f"1. Built {len(result.templates)} template workbooks into {out / 'templates'}")
    print(
        f"2. Filled the example: {len(result.regional)} regional budget-by-tier copies in {out / 'regions'} "
        f"(+ {result.manifest.name if result.manifest else 'no manifest'})"
    )
    print(f"3. Refreshed {len(result.refreshed)} udf workbooks headlessly (GTM_* computed by gtm_xl):")
    _print_refresh_summary(result.refreshed, details=False)
    for kind, problems in result.differences.items():
        print(
            f"   {kind}: "
            + (
                "every output equals gtm_xl's math"
                if not problems
                else f"{len(problems)} outputs DIFFER: " + "; ".join(problems)[:500]
            )
        )
    csv_files = [w for w in result.rollup.written if w.endswith(".csv")]
    print(
        f"4. Rolled up {len(result.rollup.included)} regions into {out / 'rollup.xlsx'} and "
        f"{len(csv_files)} CSV tables in {out / 'rollup_csv'}"
    )
    for r in result.rollup.left_out:
        print(f"   LEFT OUT {r.path}: {'; '.join(r.reasons)}")
    print()
    print("\n".join(plan_lines(result)))
    print(f"\nDone in {time.perf_counter() - started:.1f} s" + ("" if result.ok else "; SOME CHECKS FAILED (above)"))
    return 0 if result.ok else 1


# --- build (templates, add-in) --------------------------------------------------------------------
def _register_build(sub) -> None:
    p = sub.add_parser(
        "build",
        help="build the template workbooks (and the add-in with --addin)",
        description="Build the scoring matrix, budget-by-tier and KPI scorecard templates "
        "(deterministic: the same options give byte-identical files).",
    )
    p.add_argument("--out", default="workbooks", help="output folder (default: workbooks)")
    p.add_argument(
        "--flavour",
        choices=("udf", "native", "lambda", "all"),
        default="all",
        help="udf: outputs by GTM_* functions (the add-in); native: built-in functions only; lambda: the udf "
        "formulas with the GTM functions defined in the workbook as named LAMBDAs (Excel 365) (default: all)",
    )
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="label language (default: en)")
    p.add_argument("--addin", action="store_true", help="also build the gtm_xl.xlam add-in into --out")
    p.set_defaults(handler=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from gtm_xl.templates import FLAVOURS, build_all

    flavours = FLAVOURS if args.flavour == "all" else (args.flavour,)
    try:
        paths = build_all(args.out, flavours, args.lang)
        if args.addin:
            from gtm_xl.adapters.addin import build_addin

            paths.append(build_addin(args.out))
    except OSError as exc:
        return _error("build", f"cannot write into {args.out}: {exc.strerror or exc}")
    for path in paths:
        print(path)
    print(f"Built {len(paths)} file(s) into {args.out}.", file=sys.stderr)
    return 0


# --- refresh, check -------------------------------------------------------------------------------
def _register_refresh(sub) -> None:
    p = sub.add_parser(
        "refresh",
        help="recalculate every formula of workbooks and store the results",
        description="Recalculate the formulas (GTM_* and built-ins) of .xlsx/.xlsm files and "
        "write the new cached values into the files without rewriting anything else; "
        "Excel recalculates again on open.",
    )
    _refresh_arguments(p, writes=True)
    p.set_defaults(handler=_run_refresh, check=False)
    c = sub.add_parser(
        "check",
        help="validate inputs and integrity of workbooks without writing",
        description="Read and recalculate each workbook without writing it; report input "
        "cells that break the workbook's validation rules, error values, unsupported "
        "functions and circular references. Exit code 1 when any is found.",
    )
    _refresh_arguments(c, writes=False)
    c.add_argument(
        "--against-excel",
        action="store_true",
        help="recompute workbooks Excel saved (inputs unchanged, nothing written) and list every cell where "
        "gtm-xl would store another value than Excel did, with both values; the engine's coverage on your files",
    )
    c.add_argument(
        "--reasons",
        type=int,
        default=5,
        metavar="N",
        help="with --against-excel: the N most common reasons cells were not computed (default 5)",
    )
    c.set_defaults(handler=_run_refresh, check=True, check_only=True, out=None, in_place=False)


def _refresh_arguments(p: argparse.ArgumentParser, writes: bool) -> None:
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="workbooks, or folders of .xlsx/.xlsm")
    if writes:
        where = p.add_mutually_exclusive_group()
        where.add_argument("--out", metavar="DIR", help="write the refreshed files into DIR (same names)")
        where.add_argument("--in-place", action="store_true", help="replace each input file (atomically)")
        where.add_argument("--check-only", action="store_true", help="compute and report, write nothing")
    p.add_argument("--jobs", "-j", type=_positive_int, default=1, metavar="N", help="files in parallel (processes)")
    p.add_argument("--report", metavar="JSON", help="write the per-file report as JSON")
    _limit_arguments(p)
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or table, errors only")


def _run_refresh(args: argparse.Namespace) -> int:
    from gtm_xl.workflows.refresh import collect_inputs, refresh_files

    if getattr(args, "against_excel", False):
        return _run_against_excel(args)
    name = "check" if args.check else "refresh"
    if not args.check_only and not args.in_place and args.out is None:
        return _usage_error(name, "say where results go: --out DIR, --in-place, or --check-only")
    # every output is checked before the first file is written
    if args.out is not None:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            return _usage_error(name, f"--out {out} is a file, not a folder")
        existing = next((p for p in [out, *out.parents] if p.exists()), Path("."))
        if not os.access(existing, os.W_OK | os.X_OK):
            return _usage_error(name, f"--out {out}: folder {existing} is not writable")
    inputs = collect_inputs(args.paths, exclude=args.out)
    if args.report:
        problem = output_problem(args.report, [*inputs, *args.paths], what="--report")
        if problem:
            return _usage_error(name, problem)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(inputs), unit="file", desc=name, file=sys.stderr, leave=False)

    def progress(report) -> None:
        if bar is not None:
            bar.update(1)
        if report.error:
            (bar.write if bar is not None else lambda s: print(s, file=sys.stderr))(f"error: {report.error}")

    reports = refresh_files(
        args.paths,
        out_dir=args.out,
        in_place=args.in_place,
        check_only=args.check_only,
        jobs=args.jobs,
        progress=progress,
        limits=_limits(args),
    )
    if bar is not None:
        bar.close()
    if args.report:
        from gtm_xl.excel.atomic import write_atomic

        doc = {"files": [r.as_dict() for r in reports]}
        try:
            write_atomic(args.report, json.dumps(doc, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
        except OSError as exc:
            return _error(name, f"--report {args.report}: {exc.strerror or exc}")
    if not args.quiet:
        _print_refresh_summary(reports, details=args.check)
    failed = [r for r in reports if not r.ok]
    if args.check:
        failed += [r for r in reports if r.ok and (r.validation_failures or r.circular)]
    if not reports:
        return _error(name, "no .xlsx/.xlsm files found")
    return 1 if failed else 0


def _run_against_excel(args: argparse.Namespace) -> int:
    """``check --against-excel``: per file, how many formula cells gtm-xl computes and whether each
    equals Excel's stored value; every differing cell with both values; exit 1 on any difference."""
    from collections import Counter

    from gtm_xl.catalogue import excel_functions
    from gtm_xl.excel.atomic import write_atomic
    from gtm_xl.workflows.agreement import compare_many
    from gtm_xl.workflows.refresh import collect_inputs

    inputs = collect_inputs(args.paths)
    if not inputs:
        return _usage_error("check", "no .xlsx/.xlsm files found")
    if args.report:
        problem = output_problem(args.report, [*inputs, *args.paths], what="--report")
        if problem:
            return _usage_error("check", problem)
    results = compare_many(inputs, excel_functions())
    reasons: Counter[str] = Counter()
    cells = computed = differing = 0
    for r in results:
        if r.error:
            print(f"{r.path}: FAILED: {r.error}")
            continue
        share = r.computed / r.formula_cells if r.formula_cells else 1.0
        print(
            f"{r.path}: {r.formula_cells:,} formula cells, {r.computed:,} computed ({share:.1%}), "
            f"{r.agree:,} equal to Excel's values, {len(r.differences):,} different, "
            f"{len(r.not_computed):,} left with Excel's values"
        )
        for d in r.differences:
            print(f"    {d.cell}: ={d.formula}   Excel: {d.excel!r}   gtm-xl: {d.gtm_xl!r}")
        cells, computed, differing = cells + r.formula_cells, computed + r.computed, differing + len(r.differences)
        reasons.update(r.reasons)
    if len(results) > 1:
        share = computed / cells if cells else 1.0
        print(f"total: {len(results)} files, {cells:,} formula cells, {share:.1%} computed, {differing:,} different")
    for why, n in reasons.most_common(args.reasons):
        print(f"    not computed: {n:,} cells: {why}")
    if args.report:
        doc = {
            "files": [
                {
                    "path": str(r.path),
                    "error": r.error,
                    "formula_cells": r.formula_cells,
                    "agree": r.agree,
                    "differences": [
                        {"cell": d.cell, "formula": d.formula, "excel": str(d.excel), "gtm_xl": str(d.gtm_xl)}
                        for d in r.differences
                    ],
                    "not_computed": r.not_computed,
                }
                for r in results
            ]
        }
        write_atomic(args.report, json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"))
    return 1 if differing or any(r.error for r in results) else 0


def _print_refresh_summary(reports, details: bool) -> None:
    rows = [("file", "formulas", "changed", "invalid", "errors", "unsupported", "circular", "status")]

    def row(label, rs, status):
        return (
            label,
            str(sum(r.formulas_evaluated for r in rs)),
            str(sum(r.cells_changed for r in rs)),
            str(sum(len(r.validation_failures) for r in rs)),
            str(sum(len(r.errors_produced) for r in rs)),
            str(sum(len(r.unsupported) for r in rs)),
            str(sum(len(r.circular) for r in rs)),
            status,
        )

    many = len(reports) > 30  # a long batch: the files with findings, then the totals
    for r in reports:
        if not many or not r.ok or r.validation_failures or r.unsupported or r.circular or r.not_computed:
            rows.append(row(r.path, [r], "ok" if r.ok else "FAILED"))
    if len(reports) > 1:
        rows.append(row(f"all {len(reports)} files", reports, f"{sum(not r.ok for r in reports)} failed"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for line in rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))))
    for r in reports:
        problems = [f"  {v['cell']}: {v['message']}" for v in r.validation_failures]
        problems += [f"  {c}: circular reference" for c in r.circular]
        problems += [f"  {n['cell']}: kept its old value, {n['message']}" for n in r.not_computed]
        problems += [f"  {v['cell']}: validation rule {v['message']}" for v in r.validation_not_checked]
        if details or r.validation_failures:
            problems += [f"  {u['cell']}: unsupported function {u['function']}" for u in r.unsupported]
            problems += [f"  {c}: volatile (TODAY/NOW), computed at this refresh's time" for c in r.volatile]
            problems += [
                f"  {e['cell']}: {e['error']}" + (f" ({e['message']})" if e.get("message") else "")
                for e in r.errors_produced
            ]
        if problems:
            print(f"{r.path}:")
            print("\n".join(problems[:50]))
            if len(problems) > 50:
                print(f"  … {len(problems) - 50} more (see --report)")
    ok = sum(r.ok for r in reports)
    print(f"{ok} of {len(reports)} files ok" + (f", {len(reports) - ok} failed" if ok < len(reports) else ""))


# --- distribute, rollup ---------------------------------------------------------------------------
def _register_distribute(sub) -> None:
    p = sub.add_parser(
        "distribute",
        help="one prefilled copy of a template per region, plus manifest.json",
        description="Write <template>_<region>.xlsx for each row of the regions table into "
        "DIR, the region stamped in the defined name GTM_REGION, the inputs named by the "
        "table's columns prefilled, protection kept; and DIR/manifest.json. The tables are "
        "checked first: on any problem nothing is written.",
    )
    p.add_argument(
        "template",
        help="template .xlsx, or a template kind (scoring_matrix, budget_by_tier, kpi_scorecard) to build first",
    )
    p.add_argument("--regions", required=True, help="regions table (.csv or .xlsx): region, name, input names…")
    p.add_argument("--rows", help="rows table (.csv or .xlsx): region + list-input names, one row per item")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language when TEMPLATE is a kind")
    p.add_argument(
        "--flavour",
        choices=("udf", "native"),
        default="native",
        help="flavour when TEMPLATE is a kind (default native)",
    )
    p.add_argument(
        "--password-protect",
        action="store_true",
        help="protect the sheets with a password: $GTM_XL_PASSWORD, or a generated one printed once",
    )
    p.add_argument(
        "--keep-stale",
        action="store_true",
        help="keep the copies an earlier run wrote for regions no longer in the table (default: "
        "delete them when unchanged since that run, per its manifest.json)",
    )
    p.set_defaults(handler=_run_distribute)
    r = sub.add_parser(
        "rollup",
        help="check returned regional copies and consolidate their outputs",
        description="Check each returned file (template id and version, region vs the "
        "manifest, locked formulas unchanged, inputs valid), recalculate stale ones "
        "headlessly, and consolidate the template's outputs. Exit code 0: everything "
        "consolidated; 1: some file was left out or a region was not returned; 2: usage error.",
    )
    r.add_argument("files", nargs="+", help="returned workbooks (folders: every .xlsx inside)")
    r.add_argument("--out", required=True, help="summary workbook to write (.xlsx)")
    r.add_argument("--manifest", help="manifest.json written by distribute (regions and template)")
    r.add_argument("--template", help="the template .xlsx (default: the one the manifest names)")
    r.add_argument("--csv", dest="csv_dir", help="also write tidy CSV tables into this folder")
    r.add_argument("--db", help="also write one table per output block: SQLAlchemy URL or SQLite file path")
    r.add_argument("--previous", help="an earlier roll-up .xlsx: list per region the inputs and totals that changed")
    r.add_argument("--jobs", type=_positive_int, default=1, help="worker processes (default 1)")
    r.add_argument("--report", help="write the machine-readable report (JSON) here")
    _limit_arguments(r)
    r.set_defaults(handler=_run_rollup)


def _progress(total: int | None, unit: str):
    """A tqdm wrapper on a terminal for batches of more than a few items (``total`` None: the
    length of the sequence it wraps), else None."""
    if not sys.stderr.isatty() or (total is not None and total < 5):
        return None

    def wrap(it):
        from tqdm import tqdm

        n = total if total is not None else len(it)
        return tqdm(it, total=n, unit=unit, file=sys.stderr, disable=n < 5)

    return wrap


def _run_distribute(args: argparse.Namespace) -> int:
    from gtm_xl.excel.ooxml.package import PackageError
    from gtm_xl.workflows.distribute import distribute
    from gtm_xl.workflows.regions import RegionsError
    from gtm_xl.workflows.template_info import TemplateError

    template = Path(args.template)
    try:
        with tempfile.TemporaryDirectory(prefix="gtm-template-") as tmp:
            install = None
            if not template.is_file():  # a kind: built aside, installed into OUT/.template/ once the tables pass
                from gtm_xl.templates import build_template

                name = f"{args.template}_{args.flavour}_{args.lang}.xlsx"
                template = Path(build_template(args.template, args.flavour, args.lang, Path(tmp) / name))
                install = Path(args.out) / ".template" / name
            password = None
            if args.password_protect:
                import secrets  # on use: it loads OpenSSL (4 MB), which no other command needs

                password = os.environ.get("GTM_XL_PASSWORD") or secrets.token_urlsafe(9)
            result = distribute(
                template,
                args.regions,
                args.out,
                rows_path=args.rows,
                password=password,
                progress=_progress(None, "file"),
                install_template=install,
                remove_stale=not args.keep_stale,
            )
    except RegionsError as exc:
        return _usage_error("distribute", f"nothing written; fix the table(s):\n{exc}")
    except (TemplateError, PackageError, ValueError, KeyError, OSError, ImportError) as exc:
        return _usage_error("distribute", str(exc))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"Wrote {len(result.files)} regional copies of {result.template.template_id} "
        f"{result.template.version} and {result.manifest}"
    )
    if result.removed:
        print(
            f"Removed {len(result.removed)} stale copies of regions no longer in the table (written by the "
            f"previous run, unchanged): {', '.join(result.removed)}"
        )
    if result.stale_kept:
        print(
            f"STALE {len(result.stale_kept)} copies of regions no longer in the table were kept "
            f"({'--keep-stale' if args.keep_stale else 'changed since the previous run wrote them'}); "
            f"move them out before rolling up {args.out}: {', '.join(result.stale_kept)}",
            file=sys.stderr,
        )
    if password and not os.environ.get("GTM_XL_PASSWORD"):
        print(f"Sheet password (shown once, not stored): {password}", file=sys.stderr)
    return 0


def _run_rollup(args: argparse.Namespace) -> int:
    from gtm_xl.workflows.rollup.job import rollup
    from gtm_xl.workflows.template_info import TemplateError

    files: list[Path] = []
    for item in args.files:
        p = Path(item)
        if p.is_dir():
            try:
                found = sorted(
                    f
                    for f in p.iterdir()
                    if f.suffix.lower() in (".xlsx", ".xlsm")
                    and not f.name.startswith(("~$", ".~lock."))
                    and f.is_file()
                )
            except OSError as exc:
                return _usage_error("rollup", f"{p}: folder not readable ({exc.strerror or exc})")
            files += found
        else:
            files.append(p)
    if args.report:
        problem = output_problem(
            args.report, [*files, *(x for x in (args.manifest, args.template) if x)], what="--report"
        )
        if problem:
            return _usage_error("rollup", problem)
    try:
        report = rollup(
            files,
            args.out,
            template=args.template,
            manifest=args.manifest,
            csv_dir=args.csv_dir,
            db=args.db,
            previous=args.previous,
            jobs=args.jobs,
            progress=_progress(len(files), "file"),
            limits=_limits(args),
        )
    except (TemplateError, ValueError, OSError) as exc:
        return _usage_error("rollup", str(exc))
    for r in report.left_out:
        print(f"LEFT OUT {r.path}" + (f" (region {r.region})" if r.region else ""), file=sys.stderr)
        for reason in r.reasons:
            print(f"    {reason}", file=sys.stderr)
    for m in report.missing_regions:
        print(f"NOT RETURNED region {m['region']} ({m.get('file')})", file=sys.stderr)
    for r in report.included:
        for note in r.not_checked:
            print(f"NOT CHECKED {r.path}: {note}", file=sys.stderr)
    for c in report.plan_checks:
        if not c.ok and c.actual is not None and c.expected is not None:
            print(f"PLAN {c.item}: regions {c.actual:,.0f} vs plan {c.expected:,.0f}", file=sys.stderr)
    if report.changes is not None:
        print(f"{len(report.changes)} value(s) changed since {args.previous} (sheet Changes)")
    if args.report:
        from gtm_xl.excel.atomic import TargetRefused, write_atomic

        try:  # checked before the roll-up; a folder may still vanish or fill up since
            write_atomic(Path(args.report), json.dumps(report.as_dict(), indent=2, default=str).encode())
        except (OSError, TargetRefused) as exc:
            return _error("rollup", f"--report {args.report}: {getattr(exc, 'strerror', None) or exc}")
    print(
        f"Consolidated {len(report.included)} of {len(files)} file(s) into {', '.join(report.written)} "
        f"in {report.seconds:.1f} s; {len(report.left_out)} left out, "
        f"{len(report.missing_regions)} not returned"
    )
    return 0 if report.complete else 1


# --- addin ----------------------------------------------------------------------------------------
def _register_addin(sub) -> None:
    p = sub.add_parser(
        "addin",
        help="the Excel add-in: settings to paste, install into XLSTART",
        description="The GTM add-in (gtm_xl.xlam): a GTM ribbon tab and the GTM_* functions.",
    )
    addin_sub = p.add_subparsers(dest="addin_command", metavar="ACTION", required=True)
    c = addin_sub.add_parser(
        "config",
        help="print the lines for %%USERPROFILE%%\\.gtm_xl\\gtm_xl.conf",
        description="Print the settings the add-in reads from the user's gtm_xl.conf "
        "(the interpreter and the UDF module), ready to paste.",
    )
    c.add_argument("--interpreter", help="python.exe to use (default: this Python on Windows/macOS)")
    c.add_argument(
        "--write", action="store_true", help="merge the lines into the user's gtm_xl.conf instead of printing them"
    )
    c.set_defaults(handler=_run_addin_config)
    i = addin_sub.add_parser(
        "install",
        help="build the add-in into Excel's XLSTART folder (Windows)",
        description="Build gtm_xl.xlam into %%APPDATA%%\\Microsoft\\Excel\\XLSTART, "
        "so Excel opens it at every start. Elsewhere, say what to do instead.",
    )
    i.add_argument("--dir", help="install into this folder instead of XLSTART")
    i.set_defaults(handler=_run_addin_install)
    r = addin_sub.add_parser("picture", help="draw the ribbon tab from the customUI as SVG")
    r.add_argument("path", nargs="?", default="docs/ribbon.svg")
    r.set_defaults(handler=_run_addin_picture)


def _run_addin_config(args: argparse.Namespace) -> int:
    from gtm_xl.adapters.addin import user_config_lines, user_config_path, write_user_config

    lines = user_config_lines(args.interpreter)
    if args.write:
        print(f"Wrote {write_user_config(lines)}. Restart Excel to use it.")
        return 0
    for line in lines:
        print(line)
    print(
        f"Paste these lines into {user_config_path()} (create the folder and file if needed), then restart Excel.",
        file=sys.stderr,
    )
    return 0


def _run_addin_install(args: argparse.Namespace) -> int:
    from gtm_xl.adapters.addin import build_addin

    if args.dir:
        target = Path(args.dir)
    elif sys.platform == "win32" and os.environ.get("APPDATA"):
        target = Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    else:
        print(
            "gtm-xl addin install: Excel's XLSTART folder exists on Windows only "
            "(%APPDATA%\\Microsoft\\Excel\\XLSTART). Here, build the add-in with "
            "'gtm-xl build --addin' or 'gtm-xl addin install --dir FOLDER' and copy gtm_xl.xlam "
            "to that folder on the Windows machine (or open it in Excel: File > Options > Add-ins).",
            file=sys.stderr,
        )
        return 1
    try:
        path = build_addin(target)
    except OSError as exc:
        print(
            f"gtm-xl addin install: cannot write {target}: {exc.strerror or exc} "
            "(if Excel has the add-in open, close Excel and try again)",
            file=sys.stderr,
        )
        return 1
    print(f"Installed {path}. Next: 'gtm-xl addin config' for the interpreter setting, then restart Excel.")
    return 0


def _run_addin_picture(args: argparse.Namespace) -> int:
    from gtm_xl.adapters.addin import write_ribbon_svg

    print(write_ribbon_svg(Path(args.path)))
    return 0


# --- functions: the GTM catalogue as named LAMBDAs ---------------------------------------------------
def _register_functions(sub) -> None:
    p = sub.add_parser(
        "functions",
        help="list the GTM functions; install them as named LAMBDAs into a workbook; export them",
        description="The GTM_* functions. With no action: list them. 'install' adds (or updates) them as "
        "named LAMBDAs in your own workbooks, so Excel 365 computes them with no add-in; 'export' prints "
        "them as a module for Excel Labs' Advanced Formula Environment.",
    )
    p.set_defaults(handler=_run_functions_list, builtins=False)
    actions = p.add_subparsers(dest="functions_command", metavar="ACTION")
    ls = actions.add_parser("list", help="the GTM functions (and with --builtins the Excel functions refresh computes)")
    ls.add_argument("--builtins", action="store_true", help="also list the Excel functions the headless engine knows")
    ls.set_defaults(handler=_run_functions_list)
    ins = actions.add_parser(
        "install",
        help="add or update the GTM named LAMBDAs in workbooks (nothing else in them changes)",
        description="Add the GTM functions to each WORKBOOK (.xlsx/.xlsm) as workbook-level named LAMBDAs, or "
        "update those an older gtm-xl installed. Nothing else in the file changes. A name already used for "
        "something else is never overwritten: that workbook is left as it was and the clash is reported.",
    )
    ins.add_argument("workbooks", nargs="+", metavar="WORKBOOK")
    ins.add_argument("--only", metavar="NAMES", help="comma-separated GTM function names (default: all)")
    ins.set_defaults(handler=_run_functions_install)
    ex = actions.add_parser("export", help="print the definitions as an Advanced Formula Environment module")
    ex.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    ex.set_defaults(handler=_run_functions_export)


def _run_functions_list(args: argparse.Namespace) -> int:
    from gtm_xl.catalogue import CATALOGUE

    for entry in CATALOGUE.values():
        print(f"{entry.signature}\n    {entry.summary}\n    e.g. {entry.example[0]} → {entry.example[1]}")
    if getattr(args, "builtins", False):
        from gtm_xl.excel.formula.functions.registry import BUILTINS

        names = sorted(BUILTINS)
        print(f"\nExcel functions the headless engine computes ({len(names)}):")
        print(", ".join(names))
    return 0


def _run_functions_install(args: argparse.Namespace) -> int:
    from gtm_xl.excel.ooxml.package import PackageError
    from gtm_xl.workflows.functions import NameClash, install

    only = [n.strip() for n in args.only.split(",")] if args.only else None
    failed = 0
    for path in args.workbooks:
        try:
            report = install(path, only)
        except (NameClash, PackageError, KeyError) as exc:
            print(f"gtm-xl functions install: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"gtm-xl functions install: {path}: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        parts = [f"{len(report.added)} added", f"{len(report.updated)} updated", f"{len(report.unchanged)} unchanged"]
        if report.newer:
            parts.append(f"{len(report.newer)} kept (a newer gtm-xl's): {', '.join(report.newer)}")
        print(f"{path}: {', '.join(parts)}")
    if not failed:
        print("Excel for Microsoft 365 (Windows, Mac, web) computes them with no add-in: type =GTM_ in a cell.")
    return 1 if failed else 0


def _run_functions_export(args: argparse.Namespace) -> int:
    from gtm_xl.workflows.functions import export_module

    text = export_module()
    if args.out:
        from gtm_xl.excel.atomic import write_atomic

        try:
            write_atomic(args.out, text.encode("utf-8"))
        except OSError as exc:
            return _error("functions export", f"cannot write {args.out}: {exc.strerror or exc}")
        print(f"Wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


_REGISTRARS: list[Callable] = [
    _register_calc,
    _register_build,
    _register_refresh,
    _register_distribute,
    _register_addin,
    _register_functions,
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
