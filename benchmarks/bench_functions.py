"""Speed of the GTM math: time per million rows for each vectorised function, and the
Python-side cost of one scalar UDF adapter call.

Run: ``python benchmarks/bench_functions.py`` (one thread: BLAS is pinned to one core).
Targets: weighted score of 1,000,000 rows × 8 criteria under 100 ms on one core; one scalar
adapter call under 20 µs. Beside each figure: the alternative a user would pick (pandas
arithmetic for the weighted score, a Python loop for the split), measured in the same run.
"""

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gtm_xl.math import allocation, compensation, funnel, metrics, scoring  # noqa: E402

N = 1_000_000


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(7)
    scores = rng.uniform(0, 10, (N, 8))
    weights = rng.uniform(0, 1, 8)
    col = lambda lo, hi: rng.uniform(lo, hi, N)  # noqa: E731
    arpa, gm, churn, cac = col(50, 5000), col(0.3, 0.9), col(0.005, 0.1), col(500, 50000)
    totals = rng.integers(1_000, 10_000_000, N).astype(float)
    spend, new_customers, attain = totals * 50, rng.integers(1, 5_000, N).astype(float), col(0, 2)
    annual = col(0.05, 0.6)

    rows = [
        ("weighted_score 1M×8", lambda: scoring.weighted_score(scores, weights)),
        ("tier", lambda: scoring.tier(col_scores)),
        ("ltv", lambda: metrics.ltv(arpa, gm, churn)),
        ("ltv_cac", lambda: metrics.ltv_cac(arpa, gm, churn, cac)),
        ("ltv (horizon 36)", lambda: metrics.ltv(arpa, gm, churn, 0.01, 36)),
        ("cac", lambda: metrics.cac(spend, new_customers)),
        ("cac_payback", lambda: metrics.cac_payback(cac, arpa, gm)),
        ("churn_annual", lambda: metrics.churn_annual(churn)),
        ("churn_monthly", lambda: metrics.churn_monthly(annual)),
        ("nrr", lambda: metrics.nrr(totals, totals * 0.1, totals * 0.03, totals * 0.05)),
        ("grr", lambda: metrics.grr(totals, totals * 0.03, totals * 0.05)),
        ("attainment", lambda: metrics.attainment(attain, 1.0)),
        ("commission", lambda: compensation.commission(attain, 10_000)),
        ("reverse_funnel 1M targets", lambda: funnel.reverse_funnel(totals, 1_000, [0.3, 0.3, 0.25])),
        ("split_target 1M totals × 4 quarters", lambda: allocation.split_target(totals, [2, 3, 4, 3])),
        (
            "funnel 1M funnels × 4 stages",
            lambda: funnel.stage_conversion(np.column_stack([totals, totals / 2, totals / 4, totals / 8])),
        ),
    ]
    col_scores = scoring.weighted_score(scores, weights)
    print(f"gtm-xl math, {N:,} rows, one thread (numpy {np.__version__})")
    print(f"{'function':<40}{'ms per 1M rows':>16}")
    for name, fn in rows:
        print(f"{name:<40}{best(fn) * 1000:>16.1f}")

    ours = best(lambda: scoring.weighted_score(scores, weights))
    import pandas as pd

    frame = pd.DataFrame(scores)
    theirs = best(lambda: frame.mul(weights, axis=1).sum(axis=1) / weights.sum())
    print(
        f"\nweighted score 1M×8: gtm-xl {ours * 1000:.1f} ms (target < 100 ms) vs pandas mul/sum "
        f"{theirs * 1000:.1f} ms — ratio {theirs / ours:.1f}x (gtm-xl also checks scale, blanks, weights)"
    )

    loop_n = 20_000

    def python_loop():
        out = []
        for t in totals[:loop_n]:
            shares = [t * w / 12 for w in (2, 3, 4, 3)]
            floors = [int(s) for s in shares]
            left = int(t) - sum(floors)
            order = sorted(range(4), key=lambda i: -(shares[i] - floors[i]))
            for i in order[:left]:
                floors[i] += 1
            out.append(floors)
        return out

    loop = best(python_loop, 3) * (N / loop_n)
    split = best(lambda: allocation.split_target(totals, [2, 3, 4, 3]), 3)
    print(
        f"split 1M totals by quarter: gtm-xl {split * 1000:.0f} ms vs a Python largest-remainder loop "
        f"{loop * 1000:.0f} ms (extrapolated from {loop_n:,}) — ratio {loop / split:.0f}x"
    )

    from gtm_xl.adapters.udf_wrappers import load_udf_module

    udfs = load_udf_module()
    convert = udfs.GTM_LTV_CAC.__xlfunc__["ret"]["options"]["convert"]
    args = ([[100.0]], [[0.8]], [[0.02]], [[1000.0]])
    calls = 20_000
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            convert.write_value(udfs.GTM_LTV_CAC(*args), {})
        samples.append((time.perf_counter() - t) / calls)
    print(
        f"\none scalar UDF adapter call (GTM_LTV_CAC, 2-D args in, converted value out): "
        f"{min(samples) * 1e6:.1f} µs (median {statistics.median(samples) * 1e6:.1f} µs; target < 20 µs)"
    )


if __name__ == "__main__":
    main()
