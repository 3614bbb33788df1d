"""The ``gtm-xl`` command line: version, help, calc and demo, run as a user runs them."""

import json
import subprocess
import sys

import pytest

from gtm_xl import __version__
from gtm_xl.adapters.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "gtm_xl.adapters.cli", *args], capture_output=True, text=True)


def test_version_and_help():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"gtm-xl {__version__}"
    out = run("--help")
    assert out.returncode == 0 and "calc" in out.stdout and "demo" in out.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (["GTM_SPLIT_TARGET", "12000000", "[2,3,4,3]"], [[2000000, 3000000, 4000000, 3000000]]),
        (["split_target", "1000000", "[1,1,1]", "1000"], [[334000, 333000, 333000]]),
        (["GTM_LTV_CAC", "100", "0.8", "0.02", "1000"], 4),
        (["GTM_TIER", "7.6"], "A"),
        (["GTM_FUNNEL", "[[1000],[0],[5]]"], [[0], ["#DIV/0!"]]),
        (["GTM_WEIGHTED_SCORE", '[8,"x",9]', "[0.5,0.3,0.2]"], None),
        # an empty text in a range is a blank (gtm_xl.math.numeric): it drops out with its weight
        (["GTM_WEIGHTED_SCORE", '[8,"",9]', "[0.5,0.3,0.2]"], 8.285714285714286),
    ],
)
def test_calc_prints_json(capsys, args, expected):
    if expected is None:  # text inside a range is #VALUE!, exit 2
        assert main(["calc", *args]) == 2
        assert "#VALUE!" in capsys.readouterr().err
        return
    assert main(["calc", *args]) == 0
    assert json.loads(capsys.readouterr().out) == expected


@pytest.mark.parametrize(
    "args, code",
    [
        (["GTM_LTV", "100", "0.8", "0"], "#DIV/0!"),
        (["GTM_CAC", "abc", "3"], "#VALUE!"),
        (["GTM_SPLIT_TARGET", "100", "[1,-1]"], "#NUM!"),
        (["GTM_NOPE"], "#NAME?"),
        (["GTM_CAC", "1"], "#VALUE!"),
        (["GTM_SPLIT_TARGET", "100", "[1,"], "#VALUE!"),
    ],
)
def test_calc_bad_input_is_one_line_and_nonzero(args, code):
    out = run("calc", *args)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and code in lines[0]


def test_demo_runs_the_main_job_and_prints_the_plan_from_the_refreshed_files(capsys, tmp_path):
    """build → fill the regions → refresh headlessly → roll up; the plan printed is read from the files."""
    assert main(["demo", "--out", str(tmp_path), "--jobs", "1"]) == 0
    text = capsys.readouterr().out
    assert "every output equals gtm_xl's math" in text and "DIFFER" not in text
    assert "Tier A:   30,000,000  (60%)" in text and "LTV:CAC 3.3x (meets the 3:1 target)" in text
    assert "GMV by quarter: 2,000,000 / 3,000,000 / 4,000,000 / 3,000,000" in text
    assert "Enrolments by role: 400 / 300 / 300" in text
    # the regional roll-up, read back from rollup.xlsx: 18 + 15 + 12 + 5 million from the example regions
    # table, 60/30/10 by tier, the regions adding up to the central plan
    import re

    assert re.search(r"Total\s+50,000,000\s+30,000,000\s+15,000,000\s+5,000,000\s+3,800\n", text)
    assert re.search(r"EMEA\s+18,000,000\s+10,800,000\s+5,400,000\s+1,800,000\s+1,600\n", text)
    assert "Total budget 50,000,000 of 50,000,000 (OK)" in text
    assert len(list((tmp_path / "templates").glob("*.xlsx"))) == 9  # 3 templates × udf, native, lambda
    assert len(list((tmp_path / "regions").glob("budget_by_tier_*.xlsx"))) == 4
    assert (tmp_path / "rollup.xlsx").is_file() and (tmp_path / "rollup_csv" / "summary.csv").is_file()


def test_check_lists_cells_left_uncomputed_behind_an_unsupported_function(capsys, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = 1, '=WEBSERVICE("http://example.invalid")', "=B1+1", "=A1*2"
    wb.save(tmp_path / "u.xlsx")
    main(["check", str(tmp_path / "u.xlsx")])
    text = capsys.readouterr().out
    assert "Sheet!B1: unsupported function WEBSERVICE" in text
    assert "Sheet!C1: kept its old value, depends on unsupported Sheet!B1 (WEBSERVICE)" in text
    assert "Sheet!D1" not in text  # computed: it does not depend on B1
