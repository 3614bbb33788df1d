"""The xlwings UDF layer, proven through xlwings' own decorators and VBA wrapper generator."""

import inspect
import re
import sys
import types

import pytest

from gtm_xl.catalogue import CATALOGUE
from gtm_xl.errors import CellError
from gtm_xl.udf_wrappers import UDF_MODULE, load_udf_module, vba_wrappers


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
