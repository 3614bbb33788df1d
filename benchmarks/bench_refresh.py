"""Benchmark of ``gtm-xl refresh`` against LibreOffice (and the ``formulas`` package), side by side.

    python benchmarks/bench_refresh.py [--files 200] [--rows 10000] [--formulas-rows 1000] [--no-formulas]
                                       [--matrix-runs 3] [--no-libreoffice]

1. a batch: ``--files`` template-sized workbooks refreshed by one ``gtm-xl refresh --jobs 2`` call
   against LibreOffice converting the same files in one ``soffice --convert-to xlsx`` call
   (target: at least 20 times the files per second);
2. one template-sized file, whole process each, Python start included, against one
   ``soffice --headless --convert-to xlsx`` (target: at least 3 times faster);
3. the scoring matrix: ``--rows`` rows of SUMPRODUCT weighted score, IF tier and ROUND, refreshed
   in one process ``--matrix-runs`` times (the median; target: under 1 s wall and 300 MB peak),
   with LibreOffice beside it and the ``formulas`` package (``pip install formulas``; benchmark
   only) at ``--formulas-rows`` rows, because it takes minutes and gigabytes at 10,000.

LibreOffice runs with a private profile that was started once before timing (its first start in
a new profile costs seconds that a server would pay once). Figures go to stdout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CRITERIA = 6


def template_sized(path: Path, industries: int = 40, regions: int = 12, seed: int = 0) -> Path:
    """A workbook the size of a GTM template: a scoring sheet, weights, a regional target split."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Scoring"
    ws.append(["Industry"] + [f"C{j}" for j in range(1, CRITERIA + 1)] + ["Score", "Tier", "Rank"])
    last = industries + 1
    wcol = chr(ord("A") + CRITERIA)
    for i in range(2, last + 1):
        ws.append([f"Industry {i}"] + [((i * 7 + j * 3 + seed) % 11) for j in range(CRITERIA)])
        ws.cell(
            i,
            CRITERIA + 2,
            f"=ROUND(SUMPRODUCT(B{i}:{wcol}{i},Weights!$B$2:${chr(ord('B') + CRITERIA - 1)}$2)"
            f"/SUM(Weights!$B$2:${chr(ord('B') + CRITERIA - 1)}$2),2)",
        )
        ws.cell(
            i,
            CRITERIA + 3,
            f'=IF({chr(ord("A") + CRITERIA + 1)}{i}>=7,"A",IF({chr(ord("A") + CRITERIA + 1)}{i}>=4,"B","C"))',
        )
        sc = chr(ord("A") + CRITERIA + 1)
        ws.cell(i, CRITERIA + 4, f"=RANK({sc}{i},${sc}$2:${sc}${last})")
    w = wb.create_sheet("Weights")
    w.append(["Criterion"] + [f"C{j}" for j in range(1, CRITERIA + 1)])
    w.append(["Weight"] + [1 + (j + seed) % 4 for j in range(CRITERIA)])
    t = wb.create_sheet("Targets")
    t.append(["Region", "Pipeline", "Share", "Target"])
    for r in range(2, regions + 2):  # explicit cells: setting F2 first would move append's cursor
        for col, value in enumerate(
            [
                f"Region {r}",
                10_000 * ((r * 13 + seed) % 17 + 1),
                f"=B{r}/SUM($B$2:$B${regions + 1})",
                f"=ROUND($F$2*C{r},0)",
            ],
            start=1,
        ):
            t.cell(r, col, value)
    t.cell(regions + 2, 4, f"=SUM(D2:D{regions + 1})")
    t["F1"], t["F2"] = "Total", 1_000_000 + seed
    wb.save(path)
    return path


def real_templates(folder: Path, files: int) -> list[Path]:
    """``files`` copies of the real udf templates (``workbooks/*_udf.xlsx``): the budget-by-tier
    one distributed to the example regions with :func:`gtm_xl.workflows.distribute.distribute` (each copy
    prefilled with its region's inputs), and copies of every udf template, round robin."""
    sources: list[Path] = []
    try:
        from gtm_xl.workflows.demo import REGIONS_TABLE, ROWS_TABLE
        from gtm_xl.workflows.distribute import distribute

        sent = distribute(
            ROOT / "workbooks" / "budget_by_tier_udf.xlsx", REGIONS_TABLE, folder / "_regional", rows_path=ROWS_TABLE
        )
        sources += [folder / "_regional" / f.file for f in sent.files]
    except Exception as exc:  # noqa: BLE001 — the benchmark still runs on plain copies
        print(f"   (distribute failed: {exc}; plain copies only)")
    sources += sorted((ROOT / "workbooks").glob("*_udf.xlsx"))
    out = folder / "real"
    out.mkdir()
    for i in range(files):
        shutil.copyfile(sources[i % len(sources)], out / f"{i:03d}-{sources[i % len(sources)].name}")
    return sorted(out.iterdir())


def count_formulas(path: Path) -> int:
    from gtm_xl.excel.ooxml.package import Package

    with Package(path) as pkg:
        book, _ = pkg.read_cells()
    return sum(1 for s in book.sheets.values() for c in s.cells.values() if c.formula)


def scoring_matrix(path: Path, rows: int) -> Path:
    """``rows`` rows × (SUMPRODUCT weighted score, IF tier, ROUND)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Matrix")
    ws.append(["w"] + [1, 2, 3, 2, 1] + [None, None, None])
    ws.append(["Row", "C1", "C2", "C3", "C4", "C5", "Score", "Tier", "Rounded"])
    for r in range(3, rows + 3):
        ws.append(
            [f"R{r}"]
            + [((r * (j + 3)) % 11) for j in range(5)]
            + [
                f"=SUMPRODUCT(B{r}:F{r},$B$1:$F$1)/SUM($B$1:$F$1)",
                f'=IF(G{r}>=7,"A",IF(G{r}>=4,"B","C"))',
                f"=ROUND(G{r},1)",
            ]
        )
    wb.save(path)
    return path


def gtm_xl_cmd() -> list[str]:
    exe = shutil.which("gtm-xl")
    return [exe] if exe else [sys.executable, "-m", "gtm_xl.adapters.cli"]


def timed(cmd: list[str], **kw) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB of the children so far) of one command."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def peak_of(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, measured in a fresh child."""
    code = (
        "import resource, subprocess, sys, time, json; s = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(json.dumps([time.perf_counter() - s, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
    )
    import json

    out = subprocess.run([sys.executable, "-c", code, *cmd], check=True, capture_output=True, text=True, env=env).stdout
    wall, peak = json.loads(out.strip().splitlines()[-1])
    return wall, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--formulas-rows", type=int, default=1_000)
    ap.add_argument("--no-formulas", action="store_true", help="skip the formulas package")
    ap.add_argument("--matrix-runs", type=int, default=3, help="whole-process runs of the matrix (median shown)")
    ap.add_argument("--no-libreoffice", action="store_true")
    args = ap.parse_args()
    from gtm_xl.excel.libreoffice import LibreOffice, find_soffice

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    os.environ.update(env)
    lo = None if args.no_libreoffice or not find_soffice() else LibreOffice()
    work = Path(tempfile.mkdtemp(prefix="gtm-xl-bench-"))
    try:
        batch = work / "batch"
        batch.mkdir()
        first = template_sized(batch / "region-000.xlsx")
        for i in range(1, args.files):
            shutil.copyfile(first, batch / f"region-{i:03d}.xlsx")
        print(f"template-sized file: {first.stat().st_size:,} bytes, {count_formulas(first)} formulas")
        if lo is not None:
            lo.convert([first], "xlsx", work / "warm")  # the profile's first start, not timed
        real = real_templates(work, args.files)
        print(f"real templates: {len(real)} copies of {', '.join(sorted({p.name[4:] for p in real}))}")
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "gtm_xl")], env=env, check=False)

        # 1. the batches: synthetic template-sized files, then copies of the real templates
        for label, folder, files in (
            ("template-sized", batch, sorted(batch.glob("*.xlsx"))),
            ("real udf templates", real[0].parent, real),
        ):
            out = work / f"out-gtm-{label[:4]}"
            wall_g, _ = timed(
                gtm_xl_cmd() + ["refresh", str(folder), "--out", str(out), "--jobs", "2", "--quiet"], env=env
            )
            rate_g = len(files) / wall_g
            print(f"\n1. {len(files)} {label} files, one call")
            print(f"   gtm-xl refresh --jobs 2     {wall_g:8.2f} s  {rate_g:8.1f} files/s")
            if lo is not None:
                start = time.perf_counter()
                lo.convert(files, "xlsx", work / f"out-lo-{label[:4]}")
                wall_l = time.perf_counter() - start
                rate_l = len(files) / wall_l
                print(f"   soffice --convert-to xlsx   {wall_l:8.2f} s  {rate_l:8.1f} files/s")
                print(f"   ratio: {rate_g / rate_l:.1f}x the files per second (target >= 20x)")

        # 2. one file, whole process
        one = work / "one"
        one.mkdir()
        single = shutil.copyfile(first, one / "plan.xlsx")
        runs = 5
        g = min(
            timed(gtm_xl_cmd() + ["refresh", str(single), "--out", str(work / "one-out"), "--quiet"], env=env)[0]
            for _ in range(runs)
        )
        print(f"\n2. one file, whole process (best of {runs})")
        print(f"   gtm-xl refresh              {g:8.3f} s")
        if lo is not None:
            lo_cmd = [
                lo.soffice,
                f"-env:UserInstallation={lo.profile_url}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--nodefault",
                "--nologo",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(work / "one-lo"),
                str(single),
            ]
            lw = min(timed(lo_cmd)[0] for _ in range(runs))
            print(f"   soffice --convert-to xlsx   {lw:8.3f} s")
            print(f"   ratio: {lw / g:.1f}x faster (target >= 3x)")
        imp = subprocess.run(
            [
                sys.executable,
                "-X",
                "importtime",
                "-c",
                "import gtm_xl.adapters.cli, gtm_xl.workflows.refresh, "
                "gtm_xl.excel.ooxml.package, gtm_xl.excel.formula, gtm_xl.catalogue",
            ],
            capture_output=True,
            text=True,
            env=env,
        ).stderr.splitlines()
        total_us = sum(
            int(line.split("|")[0].split(":")[1])
            for line in imp
            if line.startswith("import time:") and line.split("|")[0].split(":")[1].strip().isdigit()
        )
        print(f"   import time of the refresh path: {total_us / 1e6:.3f} s (self times summed)")

        # 3. the scoring matrix
        matrix = scoring_matrix(work / "matrix.xlsx", args.rows)
        print(f"\n3. scoring matrix, {args.rows:,} rows ({3 * args.rows:,} formulas), whole process")
        runs = [
            peak_of(gtm_xl_cmd() + ["refresh", str(matrix), "--out", str(work / "matrix-out"), "--quiet"], env=env)
            for _ in range(max(1, args.matrix_runs))
        ]
        walls = sorted(w for w, _ in runs)
        wall, peak = walls[len(walls) // 2], max(p for _, p in runs)
        print(
            f"   gtm-xl refresh              {wall:8.2f} s  peak {peak:7.0f} MB (target < 1 s, < 300 MB)"
            f"  median of {len(runs)}: {', '.join(f'{w:.2f}' for w in walls)}"
        )
        from gtm_xl.workflows.refresh import refresh_file

        start = time.perf_counter()
        rep = refresh_file(matrix, work / "matrix-inproc.xlsx")
        inproc = time.perf_counter() - start
        print(
            f"   in process (read+evaluate+write) {inproc:.2f} s, {rep.formulas_evaluated:,} formulas, "
            f"{rep.cells_changed:,} cells changed{'' if rep.ok else ', ERROR ' + str(rep.error)}"
        )
        if lo is not None:
            start = time.perf_counter()
            lo.convert([matrix], "xlsx", work / "matrix-lo")
            print(f"   soffice --convert-to xlsx   {time.perf_counter() - start:8.2f} s")
        if not args.no_formulas:
            small = scoring_matrix(work / "matrix-small.xlsx", args.formulas_rows)
            code = "import formulas, sys; m = formulas.ExcelModel().loads(sys.argv[1]).finish(); m.calculate()"
            try:
                import formulas  # noqa: F401
            except ImportError:
                print("   formulas package: not installed (pip install formulas) — skipped")
            else:
                fw, fpeak = peak_of([sys.executable, "-c", code, str(small)])
                gw, gpeak = peak_of(gtm_xl_cmd() + ["refresh", str(small), "--out", str(work / "s-out"), "--quiet"])
                print(
                    f"   at {args.formulas_rows:,} rows: formulas {fw:.2f} s / {fpeak:.0f} MB, "
                    f"gtm-xl {gw:.2f} s / {gpeak:.0f} MB ({fw / gw:.0f}x)"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if lo is not None:
            lo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
