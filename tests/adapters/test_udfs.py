"""The xlwings UDF layer, proven through xlwings' own decorators and VBA wrapper generator."""

import inspect
import re
import sys
import types

import pytest

from gtm_xl.adapters.udf_wrappers import UDF_MODULE, load_udf_module, vba_wrappers
from gtm_xl.catalogue import CATALOGUE
from gtm_xl.errors import CellError


@pytest.fixture(scope="module")
def udf_module():
    return load_udf_module()


@pytest.fixture(scope="module")
def vba():
    return vba_wrappers()


def udf_functions(module):
    return {name: obj for name, obj in vars(module).items() if hasattr(obj, "__xlfunc__")}


def test_one_udf_per_catalogue_function(udf_module):
    assert sorted(udf_functions(udf_module)) == sorted(CATALOGUE)


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_udf_metadata_matches_catalogue(udf_module, name):
    entry = CATALOGUE[name]
    xlf = getattr(udf_module, name).__xlfunc__
    assert xlf["name"] == name and xlf["category"] == "GTM" and not xlf["sub"]
    assert [a["name"] for a in xlf["args"]] == [p.name for p in entry.params]
    for arg, param in zip(xlf["args"], entry.params):
        assert arg["doc"] == param.doc  # Insert Function help per argument
        assert ("optional" in arg) == param.optional
        assert arg["options"]["ndim"] == 2  # ranges arrive as 2-D lists
    assert xlf["ret"]["options"]["convert"].__name__ == "GTMValue"
    assert xlf["ret"]["doc"].startswith(entry.summary)
    assert entry.example[0] in xlf["ret"]["doc"]


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_vba_wrapper_per_function(vba, name):
    entry = CATALOGUE[name]
    params = ", ".join(("Optional " if p.optional else "") + p.name for p in entry.params)
    assert f"Function {name}({params})\n" in vba
    args = ", ".join(p.name for p in entry.params)
    assert f'{name} = XLPy.CallUDF("{UDF_MODULE}", "{name}", Array({args}), ActiveWorkbook, Application.Caller)' in vba


def test_vba_has_nothing_but_gtm_functions(vba):
    assert sorted(re.findall(r"^Function (\w+)\(", vba, re.M)) == sorted(CATALOGUE)


def test_workbook_wrappers_use_this_workbook():
    assert "ThisWorkbook, Application.Caller" in vba_wrappers(workbook_name="plan.xlsm")


def test_windows_stubs_are_removed_again(udf_module):
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        assert type(sys.modules.get(name)).__name__ != "_Stub"


# --- calls with the shapes xlwings hands over (ndim=2) ----------------------------------------
def excel(udf_module, name, *args):
    """Call a UDF and convert its result as xlwings would, through its ret converter."""
    func = getattr(udf_module, name)
    converter = func.__xlfunc__["ret"]["options"]["convert"]
    return converter.write_value(func(*args), {})


def test_single_cells(udf_module):
    assert excel(udf_module, "GTM_LTV_CAC", [[100]], [[0.8]], [[0.02]], [[1000]]) == pytest.approx(4)
    assert excel(udf_module, "GTM_TIER", [[7.6]]) == "A"
    assert excel(udf_module, "GTM_CAC_PAYBACK", [[770000]], [[100000]], [[0.7]]) == pytest.approx(11)


def test_row_in_row_out_and_column_in_column_out(udf_module):
    assert excel(udf_module, "GTM_SPLIT_TARGET", [[12000000]], [[2, 3, 4, 3]]) == [[2e6, 3e6, 4e6, 3e6]]
    assert excel(udf_module, "GTM_SPLIT_TARGET", [[1000]], [[4], [3], [3]]) == [[400], [300], [300]]
    assert excel(udf_module, "GTM_FUNNEL", [[1000, 200, 50]]) == [[0.2, 0.25]]


def test_block_spills_one_result_per_row(udf_module):
    scores = [[8, 6, 9], [None, None, None], [10, 10, None]]
    out = excel(udf_module, "GTM_WEIGHTED_SCORE", scores, [[0.5, 0.3, 0.2]])
    assert out[0][0] == pytest.approx(7.6) and out[2][0] == pytest.approx(10)
    assert out[1][0].startswith("#N/A")


def test_range_of_scalars_is_elementwise(udf_module):
    out = excel(udf_module, "GTM_TIER", [[8], [5], [1]])
    assert out == [["A"], ["B"], ["C"]]


def test_blanks_and_text(udf_module):
    # a blank optional argument is omitted; text where a number is needed is #VALUE!
    assert excel(udf_module, "GTM_LTV", [[100]], [[0.8]], [[0.02]], None, None) == pytest.approx(4000)
    out = excel(udf_module, "GTM_CAC", [["many"]], [[3]])
    assert out.startswith("#VALUE!") and "spend" in out
    out = excel(udf_module, "GTM_SPLIT_TARGET", [[100]], [[1, -1]])
    assert out.startswith("#NUM!") and "weights" in out


def test_errors_become_vt_error_variants_under_pywin32(udf_module, monkeypatch):
    class VARIANT:  # pywin32's win32com.client.VARIANT(vartype, value)
        def __init__(self, vartype, value):
            self.varianttype, self.value = vartype, value

    client = types.ModuleType("win32com.client")
    client.VARIANT = VARIANT
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.VT_ERROR = 10
    monkeypatch.setitem(sys.modules, "win32com.client", client)
    monkeypatch.setitem(sys.modules, "pythoncom", pythoncom)
    out = excel(udf_module, "GTM_LTV", [[100]], [[0.8]], [[0]])
    assert isinstance(out, VARIANT) and out.varianttype == 10
    assert out.value == CellError("#DIV/0!").scode == -2146826281  # xlwings' cell_errors code for #DIV/0!
    spill = excel(udf_module, "GTM_FUNNEL", [[1000], [0], [5]])
    assert spill[0] == [0.0] and spill[1][0].value == CellError("#DIV/0!").scode


def test_udf_signatures_match_their_vba(udf_module):
    for name in CATALOGUE:
        sig = inspect.signature(getattr(udf_module, name))
        assert list(sig.parameters) == [p.name for p in CATALOGUE[name].params]


# --- the other eight UDFs, each with the shapes xlwings hands over ------------------------------
def test_every_udf_is_called_through_the_adapter_somewhere():
    """Guard: each catalogue function has a call test in this module."""
    source = open(__file__, encoding="utf-8").read()
    missing = [name for name in CATALOGUE if f'excel(udf_module, "{name}"' not in source]
    assert not missing, missing


def test_churn_conversions_cell_row_column_block_blank_text(udf_module):
    assert excel(udf_module, "GTM_CHURN_ANNUAL", [[0.05]]) == pytest.approx(0.4596, abs=5e-5)
    row = excel(udf_module, "GTM_CHURN_ANNUAL", [[0.05, 0.01]])
    assert len(row) == 1 and row[0] == pytest.approx([0.45964, 0.113615], abs=1e-5)
    column = excel(udf_module, "GTM_CHURN_ANNUAL", [[0.05], [None], [""]])  # a blank (None or "") is 0
    assert column == [[pytest.approx(0.45964, abs=1e-5)], [0.0], [0.0]]
    block = excel(udf_module, "GTM_CHURN_MONTHLY", [[0.4596, 2], [0, 1]])
    assert block[0][0] == pytest.approx(0.05, abs=1e-5) and block[0][1].startswith("#NUM!") and "annual" in block[0][1]
    assert block[1] == [0.0, 1.0]
    out = excel(udf_module, "GTM_CHURN_ANNUAL", [[0.05, "x"]])
    assert out.startswith("#VALUE!") and "monthly" in out


def test_nrr_and_grr_cell_column_row_and_blank_optional(udf_module):
    assert excel(udf_module, "GTM_NRR", [[1_000_000]], [[150_000]], [[30_000]], [[70_000]]) == pytest.approx(1.05)
    column = excel(udf_module, "GTM_NRR", [[100], [0]], [[10]], [[0]], [[5]], [[None]])
    assert column[0] == [pytest.approx(1.05)] and column[1][0].startswith("#DIV/0!") and "start" in column[1][0]
    assert excel(udf_module, "GTM_NRR", [[100]], [[10]], [[0]], [[5]], [[20]]) == pytest.approx(1.25)
    assert excel(udf_module, "GTM_GRR", [[1_000_000]], [[30_000]], [[70_000]]) == pytest.approx(0.9)
    assert excel(udf_module, "GTM_GRR", [[100, 100]], [[10, 80]], [[5, 50]]) == [[pytest.approx(0.85), 0.0]]  # clamped
    block = excel(udf_module, "GTM_GRR", [[100, 100], [100, None]], [[0, 10], [1, 0]], [[0, 0], [-1, 0]])
    assert (
        block[0] == [1.0, pytest.approx(0.9)] and block[1][0].startswith("#NUM!") and block[1][1].startswith("#DIV/0!")
    )
    assert excel(udf_module, "GTM_GRR", [["lots"]], [[1]], [[1]]).startswith("#VALUE!")


def test_attainment_flag_as_bool_text_or_blank(udf_module):
    assert excel(udf_module, "GTM_ATTAINMENT", [[90]], [[100]]) == pytest.approx(0.9)
    assert excel(udf_module, "GTM_ATTAINMENT", [[90]], [[100]], [[True]]) == pytest.approx(100 / 90)
    assert excel(udf_module, "GTM_ATTAINMENT", [[90]], [[100]], [[None]]) == pytest.approx(0.9)
    row = excel(udf_module, "GTM_ATTAINMENT", [[90, 0]], [[100, 100]], [["TRUE"]])
    assert row[0][0] == pytest.approx(100 / 90) and row[0][1].startswith("#DIV/0!") and "actual" in row[0][1]
    assert excel(udf_module, "GTM_ATTAINMENT", [[90], [120]], [[100]]) == [[pytest.approx(0.9)], [pytest.approx(1.2)]]
    assert excel(udf_module, "GTM_ATTAINMENT", [[90], ["n/a"]], [[100], [100]]).startswith("#VALUE!")
    assert excel(udf_module, "GTM_ATTAINMENT", [[90]], [[100]], [["maybe"]]).startswith("#VALUE!")


def test_reverse_funnel_orientation_follows_the_rates(udf_module):
    row = excel(udf_module, "GTM_REVERSE_FUNNEL", [[1_000_000]], [[10_000]], [[0.2, 0.25, 0.2]])
    assert row == [[10000.0, 2000.0, 500.0, 100.0]]
    column = excel(udf_module, "GTM_REVERSE_FUNNEL", [[1_000_000]], [[10_000]], [[0.2], [0.25], [0.2]])
    assert column == [[10000.0], [2000.0], [500.0], [100.0]]
    assert excel(udf_module, "GTM_REVERSE_FUNNEL", [[1_000_000]], [[10_000]], [[0.2], [None]]).startswith("#N/A")
    assert excel(udf_module, "GTM_REVERSE_FUNNEL", [[1_000_000]], [[0]], [[0.5]]).startswith("#DIV/0!")
    assert excel(udf_module, "GTM_REVERSE_FUNNEL", [["big"]], [[10]], [[0.5]]).startswith("#VALUE!")


def test_commission_tiers_block_options_and_column_of_attainments(udf_module):
    assert excel(udf_module, "GTM_COMMISSION", [[1.3]], [[1000]]) == pytest.approx(1200)
    assert excel(udf_module, "GTM_COMMISSION", [[0.5], [1.6]], [[1000]]) == [[500.0], [1500.0]]
    assert excel(udf_module, "GTM_COMMISSION", [[0.5]], [[1000]], None, [["zero"]]) == 0.0
    # a tiers block in any order, blank rows ignored
    tiers = [[1.5, 0.5], [1.2, 0.2], [None, None]]
    assert excel(udf_module, "GTM_COMMISSION", [[1.6, 1.3]], [[1000]], tiers) == [[1500.0, 1200.0]]
    assert excel(udf_module, "GTM_COMMISSION", [[1.3]], [[1000]], None, [["bogus"]]).startswith("#VALUE!")
    assert excel(udf_module, "GTM_COMMISSION", [[-1]], [[1000]]).startswith("#NUM!")
    assert excel(udf_module, "GTM_COMMISSION", [["high"]], [[1000]]).startswith("#VALUE!")


def test_nps_over_a_row_a_column_a_block_with_blanks(udf_module):
    assert excel(udf_module, "GTM_NPS", [[10, 9, 8, 7, 6]]) == pytest.approx(20)
    assert excel(udf_module, "GTM_NPS", [[10], [None], [""], [0]]) == 0.0  # None and "" are no answers
    assert excel(udf_module, "GTM_NPS", [[10, 9], [3, None]]) == pytest.approx(100 / 3)
    assert excel(udf_module, "GTM_NPS", [[None]]).startswith("#DIV/0!")
    assert excel(udf_module, "GTM_NPS", [[11]]).startswith("#NUM!")
    out = excel(udf_module, "GTM_NPS", [["x"]])
    assert out.startswith("#VALUE!") and "responses" in out


def test_empty_text_and_infinity_through_the_adapter(udf_module):
    """ "" from IF(x="","",…) is a blank cell; an infinite number is #NUM! naming the argument."""
    out = excel(udf_module, "GTM_WEIGHTED_SCORE", [[8, "", 9], ["", "", ""]], [[0.5, 0.3, 0.2]])
    assert out[0][0] == pytest.approx((8 * 0.5 + 9 * 0.2) / 0.7) and out[1][0].startswith("#N/A")
    assert excel(udf_module, "GTM_LTV", [[100]], [[0.8]], [[0.02]], [[""]], [[""]]) == pytest.approx(4000)
    out = excel(udf_module, "GTM_LTV", [[float("inf")]], [[0.8]], [[0.02]])
    assert out.startswith("#NUM!") and "arpa" in out
    assert excel(udf_module, "GTM_CAC", [[1e308]], [[1e-10]]).startswith("#NUM!")
