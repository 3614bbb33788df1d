"""The catalogue is the one list of GTM functions: its examples hold and the README shows them."""

import json
import re

import pytest
from project_paths import ROOT

from gtm_xl.catalogue import CATALOGUE, calc_from_strings, excel_functions

README = ROOT / "README.md"


def split_args(text):
    """Excel arguments of an example formula, array constants {1,2} as JSON rows."""
    parts = re.split(r",\s*(?![^{]*})", text)
    return [p.strip().replace("{", "[").replace("}", "]") for p in parts]


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_example_holds(name):
    formula, expected = CATALOGUE[name].example
    inner = formula[len(name) + 2 : -1]
    result = calc_from_strings(name, split_args(inner))
    if expected.startswith("{"):
        assert result == [json.loads(expected.replace("{", "[").replace("}", "]"))]
    elif expected.replace(".", "").isdigit():
        assert result == pytest.approx(float(expected), abs=5e-5)
    else:
        assert result == expected


def test_readme_lists_every_function_with_its_example():
    text = README.read_text(encoding="utf-8")
    for entry in CATALOGUE.values():
        assert f"`{entry.signature}`" in text, entry.name
        assert entry.example[0] in text, entry.name


def test_evaluator_table_declares_batching():
    table = excel_functions()
    assert set(table) == set(CATALOGUE)
    assert table["GTM_WEIGHTED_SCORE"].arg_kinds[:2] == ("row", "range")
    assert table["GTM_SPLIT_TARGET"].batchable is False
    import numpy as np

    column = np.array([[0.02], [0.0], [0.05]], dtype=object)
    out = table["GTM_LTV"](100.0, 0.8, column)
    assert out.shape == (3, 1) and out[1, 0].code == "#DIV/0!"
