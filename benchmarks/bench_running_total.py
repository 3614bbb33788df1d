"""Benchmark of a running total filled down a column: ``=SUM($B$2:B2)``, ``=SUM($B$2:B3)``, …

    python benchmarks/bench_running_total.py [--rows 10000] [--runs 3] [--cell-by-cell]

Prints the median time to evaluate ``--rows`` rows (target: well under 2 s at 10,000; read one
range per cell, it is quadratic: about 40 s). ``--cell-by-cell`` also times the unbatched path
and checks both give the same values, bit for bit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def running_total(rows: int, seed: int = 0):
    from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells

    rnd = random.Random(seed)
    sheet = SheetCells("Plan")
    for r in range(2, rows + 2):
        sheet.cells[(r, 2)] = Cell(round(rnd.uniform(-500, 5000), 2) if r % 50 else "n/a")
        sheet.cells[(r, 3)] = Cell(None, f"SUM($B$2:B{r})")
    return WorkbookCells({"Plan": sheet})


def main() -> None:
    from gtm_xl.excel.formula import evaluate_workbook

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cell-by-cell", action="store_true")
    a = ap.parse_args()
    wb = running_total(a.rows)
    times = []
    for _ in range(a.runs):
        t = time.perf_counter()
        fast = evaluate_workbook(wb)
        times.append(time.perf_counter() - t)
    print(f"running total SUM($B$2:Bn), {a.rows:,} rows: {statistics.median(times):.3f} s (median of {a.runs})")
    if a.cell_by_cell:
        t = time.perf_counter()
        slow = evaluate_workbook(wb, batching=False)
        same = slow.values.keys() == fast.values.keys() and all(
            type(v) is type(fast.values[k]) and repr(v) == repr(fast.values[k]) for k, v in slow.values.items()
        )
        print(f"  cell by cell: {time.perf_counter() - t:.3f} s; same values: {same}")


if __name__ == "__main__":
    main()
