"""Hostile input, the command line only: ``gtm-xl calc`` never crashes on empty arrays, refuses NaN,
Infinity and whole numbers no float holds, and splits beyond 2^53 exactly. Run as subprocesses
under the memory limit of :func:`hostile_helpers.run_cli`."""

from __future__ import annotations

import json

from hostile_helpers import run_cli


def _one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert lines and "Traceback" not in text, text
    return lines[-1]


def test_calc_never_crashes_on_empty_or_nan(tmp_path):
    """Hostile: empty arrays for eight functions ([] and [[]]), NaN as text and inside JSON,
    Infinity inside JSON. Each ends #N/A (empty) or #NUM! (NaN, Infinity), exit 2, no traceback."""
    cases = {
        ("GTM_WEIGHTED_SCORE", "[]", "[]"): "#N/A",
        ("GTM_TIER", "[]"): "#N/A",
        ("GTM_LTV", "[]", "0.8", "0.02"): "#N/A",
        ("GTM_REVERSE_FUNNEL", "1000", "10", "[]"): "#N/A",
        ("GTM_NPS", "[[]]"): "#N/A",
        ("GTM_FUNNEL", "[]"): "#N/A",
        ("GTM_SPLIT_TARGET", "100", "[]"): "#N/A",
        ("GTM_ATTAINMENT", "[[]]", "100"): "#N/A",
        ("GTM_LTV", "NaN", "0.8", "0.02"): "#NUM!",
        ("GTM_SPLIT_TARGET", "1000", "[NaN,1]"): "#NUM!",
        ("GTM_SPLIT_TARGET", "1000", "[Infinity,1]"): "#NUM!",
    }
    for args, code in cases.items():
        r = run_cli("calc", *args)
        assert r.returncode == 2 and _one_line(r.stderr).startswith(f"gtm-xl calc: {code}"), (args, r.stderr)


def test_calc_split_is_exact_beyond_float_precision():
    """Hostile: a split of 1e16 in three, of 10000000000000001 (no float holds it), of 1e17 in
    three (parts no float holds), and a split of 1e16 with a lock. Ends: exact parts, #NUM!, #NUM!,
    exact parts."""
    r = run_cli("calc", "GTM_SPLIT_TARGET", "1e16", "[1,1,1]")
    parts = json.loads(r.stdout)[0]
    assert r.returncode == 0 and sum(parts) == 10**16 and max(parts) - min(parts) == 1
    r = run_cli("calc", "GTM_SPLIT_TARGET", "10000000000000001", "[1,2]")
    assert r.returncode == 2 and "#NUM! total" in r.stderr
    r = run_cli("calc", "GTM_SPLIT_TARGET", "1e17", "[1,1,1]")
    assert r.returncode == 2 and "#NUM!" in r.stderr
    r = run_cli("calc", "GTM_SPLIT_TARGET", "1e16", "[1,1,1]", "1", '["",1e15,""]')
    parts = json.loads(r.stdout)[0]
    assert r.returncode == 0 and sum(parts) == 10**16 and parts[1] == 10**15


# --- control characters -----------------------------------------------------------------------------


def test_rollup_report_that_cannot_be_written_is_one_line(built_templates, tmp_path):
    """Hostile: ``rollup --report`` into a place that passes the early check but cannot take a file
    (/proc). Ends with one line naming --report and exit 1, never a traceback."""
    from gtm_xl.workflows.distribute import distribute

    template = built_templates.path("budget_by_tier", "udf", "en")
    sent = tmp_path / "sent"
    (tmp_path / "regions.csv").write_text("region,name\nA,Alpha\nB,Beta\n", encoding="utf-8")
    distribute(template, tmp_path / "regions.csv", sent)
    r = run_cli(
        "rollup", sent, "--manifest", sent / "manifest.json", "--out", tmp_path / "r.xlsx", "--report", "/proc/r.json"
    )
    assert r.returncode in (1, 2), r.stderr
    assert "Traceback" not in r.stderr and "--report /proc/r.json" in _one_line(r.stderr)
