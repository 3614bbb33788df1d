"""Prints, per corpus folder, how the formula engine agrees with the values Excel stored.

    .venv/bin/python scripts/corpus_report.py [FOLDER ...] [--cells N] [--reasons N]

Default folder: ``../shared/corpus/excel-computed`` (each sub-folder reported on its own).
Columns: files, failed files, formula cells, the share computed, cells differing from Excel.
``--cells N`` lists up to N differing cells per folder, ``--reasons N`` the N most common
reasons a cell was not computed. The same comparison is ``gtm-xl check --against-excel``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from gtm_xl.catalogue import excel_functions
from gtm_xl.workflows.agreement import compare_many

ROOT = Path(__file__).resolve().parents[1]


def _folders(paths: list[Path]) -> dict[Path, list[Path]]:
    groups: dict[Path, list[Path]] = {}
    for base in paths:
        for f in sorted(base.rglob("*")):
            if f.suffix.lower() in (".xlsx", ".xlsm") and not f.name.startswith("~$"):
                groups.setdefault(f.parent, []).append(f)
    return groups


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, default=[ROOT.parent / "shared" / "corpus" / "excel-computed"])
    ap.add_argument("--cells", type=int, default=0, help="list up to N differing cells per folder")
    ap.add_argument("--reasons", type=int, default=0, help="list the N most common reasons for uncomputed cells")
    args = ap.parse_args(argv)
    functions = excel_functions()
    header = f"{'folder':<28} {'files':>5} {'failed':>6} {'formulas':>9} {'computed':>9} {'differing':>9}"
    print(header)
    print("-" * len(header))
    totals = Counter()
    for folder, files in _folders(args.folders).items():
        results = compare_many(files, functions)
        failed = [r for r in results if r.error]
        cells = sum(r.formula_cells for r in results)
        computed = sum(r.computed for r in results)
        differing = sum(len(r.differences) for r in results)
        share = computed / cells if cells else 1.0
        print(f"{folder.name:<28} {len(files):>5} {len(failed):>6} {cells:>9} {share:>9.1%} {differing:>9}")
        totals.update(files=len(files), failed=len(failed), cells=cells, computed=computed, differing=differing)
        for r in failed:
            print(f"    failed: {r.error}")
        shown = 0
        for r in results:
            for d in r.differences:
                if shown >= args.cells:
                    break
                print(f"    {r.path.name} {d.cell}: ={d.formula}  Excel {d.excel!r}  gtm-xl {d.gtm_xl!r}")
                shown += 1
        if args.reasons:
            reasons = Counter()
            for r in results:
                reasons.update(r.reasons)
            for why, n in reasons.most_common(args.reasons):
                print(f"    {n:>6}  {why}")
    share = totals["computed"] / totals["cells"] if totals["cells"] else 1.0
    print("-" * len(header))
    print(
        f"{'total':<28} {totals['files']:>5} {totals['failed']:>6} {totals['cells']:>9} {share:>9.1%}"
        f" {totals['differing']:>9}"
    )
    return 1 if totals["failed"] or totals["differing"] else 0


if __name__ == "__main__":
    sys.exit(main())
