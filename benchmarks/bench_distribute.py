"""Benchmark: regional copies the fast way (template read once, only input cells patched, other zip
members copied raw) against the naive way (openpyxl load + save per region), and roll-up throughput.

    python benchmarks/bench_distribute.py [--regions 1000] [--naive N] [--verify N] [--rollup N] [--jobs 2]

Prints the distribute ratio (naive / fast, per copy), checks that copies are identical in content
(cell values and formulas, defined names, protection, via openpyxl) and the roll-up rate in files/s.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from pathlib import Path

from gtm_xl.workflows.distribute import (
    content_differences,
    copy_name,
    distribute,
    naive_regional_copy,
    workbook_content,
)
from gtm_xl.workflows.regions import plan_regions
from gtm_xl.workflows.template_info import read_template

# budget_by_tier inputs each region fills (all single-cell, validated in the template)
COLUMNS = ("total_budget", "gmv_target", "enrolment_target", "potential_firms", "penetration_goal")


def regions_table(path: Path, n: int, seed: int = 5) -> None:
    rnd = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "name", *COLUMNS])
        for i in range(n):
            w.writerow(
                [
                    f"R{i:04d}",
                    f"Region {i}",
                    rnd.randrange(1, 500) * 100_000,
                    rnd.randrange(10, 900) * 100_000,
                    rnd.randrange(100, 5000),
                    rnd.randrange(1000, 90000),
                    round(rnd.uniform(0.05, 0.2), 3),
                ]
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=1000)
    ap.add_argument("--naive", type=int, default=None, help="naive copies to time (default: all)")
    ap.add_argument(
        "--verify", type=int, default=None, help="copies to compare with the naive ones (default: every naive copy)"
    )
    ap.add_argument("--rollup", type=int, default=100, help="files to roll up for the throughput figure")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--template", default="budget_by_tier")
    args = ap.parse_args()

    from gtm_xl.templates import build_template

    work = Path(tempfile.mkdtemp(prefix="gtm-bench-dist-"))
    try:
        template = build_template(args.template, "native", "en", work / f"{args.template}.xlsx")
        regions_table(work / "regions.csv", args.regions)
        out = work / "fast"
        t0 = time.perf_counter()
        result = distribute(template, work / "regions.csv", out)
        fast = time.perf_counter() - t0
        n = len(result.files)
        print(f"template {result.template.template_id} {result.template.version}: {template.stat().st_size:,} bytes")
        print(
            f"fast : {n} copies in {fast:.2f} s  ({fast / n * 1000:.1f} ms/copy, incl. reading the "
            "template and checking the table)"
        )

        info = read_template(template)
        plans = plan_regions(info, work / "regions.csv")
        k = min(args.naive or n, n)
        naive_dir = work / "naive"
        naive_dir.mkdir()
        t0 = time.perf_counter()
        for plan in plans[:k]:
            naive_regional_copy(template, plan, naive_dir / copy_name(info.template_id, plan.region))
        naive = time.perf_counter() - t0
        print(f"naive: {k} copies in {naive:.2f} s  ({naive / k * 1000:.1f} ms/copy, openpyxl load + save)")
        print(f"distribute ratio (naive / fast per copy): {(naive / k) / (fast / n):.1f}x")

        v = min(args.verify if args.verify is not None else k, k)
        t0 = time.perf_counter()
        for plan in plans[:v]:
            name = copy_name(info.template_id, plan.region)
            diffs = content_differences(workbook_content(out / name), workbook_content(naive_dir / name))
            if diffs:
                raise SystemExit(f"DIFFERENT CONTENT: {name}: {diffs[:5]}")
        print(
            f"identical content (values, formulas, names, protection) for {v} of {v} compared copies "
            f"({time.perf_counter() - t0:.1f} s)"
        )

        if args.rollup:
            from gtm_xl.workflows.rollup.job import rollup

            files = sorted(out.glob("*.xlsx"))[: args.rollup]
            t0 = time.perf_counter()
            report = rollup(files, work / "rollup.xlsx", manifest=out / "manifest.json", jobs=args.jobs)
            dt = time.perf_counter() - t0
            how = sorted({r.recalculated_by or "stored values" for r in report.included})
            print(
                f"rollup: {len(files)} files in {dt:.2f} s = {len(files) / dt:.1f} files/s with --jobs "
                f"{args.jobs} (recalculated by: {', '.join(how)}; {len(report.left_out)} left out)"
            )
            from gtm_xl.workflows.rollup.job import inspect_file

            t0 = time.perf_counter()
            for f in files:
                inspect_file(f, info, None, recalculate=False)
            dt = time.perf_counter() - t0
            print(f"rollup checks + reading without recalculation: {len(files) / dt:.1f} files/s (one process)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
