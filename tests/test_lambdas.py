"""The GTM_* catalogue as named LAMBDAs (gtm_xl/lambdas.py): one definition per catalogue
function, its stored form as Excel writes it in workbook.xml, Excel's limits and name rules.

Sources for the stored form: Microsoft's "Issue: An _xlfn. prefix is displayed in front of a
formula" (functions newer than the 2007 file format carry ``_xlfn.``; FILTER and SORT
``_xlfn._xlws.``), files saved by Excel 365 as reported by library authors (LAMBDA parameters
``_xlpm.x``; an optional parameter declared ``[y]`` stored ``_xlop.y`` where it is declared and
``_xlpm.y`` where it is used; a defined name's formula stored without ``=``), and Excel's limits
("Excel specifications and limits": 8,192 characters in a formula, 255 in a name)."""

from __future__ import annotations

import re

import pytest
from lambda_helpers import both, run, same
from lxml import etree
from openpyxl.formula.tokenizer import Tokenizer

from gtm_xl.catalogue import CATALOGUE
from gtm_xl.excel.formula import parse
from gtm_xl.lambdas import (
    DEFINITIONS,
    EXCEL_FUNCTIONS,
    MARK,
    VERSION,
    bound_names,
    comment,
    defined_name_xml,
    functions_used,
    stored,
)

#: functions of the original (2007) file format: they carry no prefix
LEGACY = {n for n, p in EXCEL_FUNCTIONS.items() if p == ""}

#: Excel's functions introduced with Excel 365 / 2021 and later that need ``_xlfn.`` (a sample
#: broad enough to catch a definition that forgets one)
NEWER = {
    "LET", "LAMBDA", "ISOMITTED", "BYROW", "BYCOL", "MAP", "REDUCE", "SCAN", "MAKEARRAY", "SEQUENCE",
    "SORTBY", "XMATCH", "XLOOKUP", "TOCOL", "TOROW", "VSTACK", "HSTACK", "TAKE", "DROP", "CHOOSEROWS",
    "CHOOSECOLS", "WRAPROWS", "WRAPCOLS", "EXPAND", "UNIQUE", "IFS", "SWITCH", "IFNA", "CONCAT", "TEXTJOIN",
    "MAXIFS", "MINIFS", "XOR", "CEILING.MATH", "FLOOR.MATH", "FILTER", "SORT",
}  # fmt: skip

_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_LIKE = re.compile(r"^[RrCc]([0-9]*)$|^[Rr][0-9]*[Cc][0-9]*$")
_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


def test_every_catalogue_function_has_a_definition_with_its_arguments():
    assert set(DEFINITIONS) == set(CATALOGUE)
    for name, entry in CATALOGUE.items():
        assert entry.lambda_formula == DEFINITIONS[name]
        tree = parse(stored(DEFINITIONS[name]))
        assert tree[0] == "lambda", name
        declared = list(zip(tree[1], tree[2]))
        assert declared == [(p.name.upper(), p.optional) for p in entry.params], name


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_stored_form_prefixes_every_newer_function(name):
    text = stored(DEFINITIONS[name])
    used = functions_used(DEFINITIONS[name])
    assert used <= set(EXCEL_FUNCTIONS), used - set(EXCEL_FUNCTIONS)
    for tok in Tokenizer("=" + text).items:
        if tok.type == "FUNC" and tok.subtype == "OPEN":
            fn = tok.value[:-1]
            if fn.startswith("_xlpm."):
                assert fn[6:] in set(bound_names(DEFINITIONS[name])), fn
                continue
            bare = fn.removeprefix("_xlfn.").removeprefix("_xlws.")
            assert fn == EXCEL_FUNCTIONS[bare] + bare, fn
            assert (bare in NEWER) == (EXCEL_FUNCTIONS[bare] != ""), bare
            assert bare in LEGACY or fn.startswith("_xlfn."), fn
        if tok.type == "OPERAND" and tok.subtype == "RANGE":
            # no cell references and no defined names: a definition stands alone
            assert tok.value.startswith(("_xlpm.", "_xlop.")), tok.value
    assert "[" not in text  # optional parameters are _xlop., never [_xlpm.y]
    assert "\n" not in text and not text.startswith("=")


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_within_excel_limits_and_name_rules(name):
    assert len(stored(DEFINITIONS[name])) < 8192
    assert len(name) <= 255 and _NAME.match(name) and not _CELL_LIKE.match(name) and not _R1C1_LIKE.match(name)
    for bound in set(bound_names(DEFINITIONS[name])):
        assert _NAME.match(bound) and not _CELL_LIKE.match(bound) and not _R1C1_LIKE.match(bound), bound
        assert bound.upper() not in EXCEL_FUNCTIONS, f"{bound} is also a function's name"
        assert "." not in bound  # Microsoft's LAMBDA page: no period in a parameter name
    assert len(comment(name)) <= 255 and comment(name).endswith(f"({MARK} {VERSION})")


def _free_names(node, bound: frozenset) -> set[str]:
    """Names a tree uses that nothing in it binds."""
    kind = node[0]
    if kind == "name":
        local = node[1].upper().removeprefix("_XLPM.").removeprefix("_XLOP.")
        return set() if local in bound else {node[1]}
    if kind == "lambda":
        return _free_names(node[3], bound | set(node[1]))
    if kind == "let":
        out: set[str] = set()
        scope = set(bound)
        for n, v in zip(node[1], node[2]):
            out |= _free_names(v, frozenset(scope))
            scope.add(n)
        return out | _free_names(node[3], frozenset(scope))
    if kind == "fn":
        local = node[1].removeprefix("_XLPM.")
        own = set() if not node[1].startswith("_XLPM.") or local in bound else {node[1]}
        return own.union(*(_free_names(a, bound) for a in node[2]))
    if kind == "call":
        return _free_names(node[1], bound).union(*(_free_names(a, bound) for a in node[2]))
    if kind == "op":
        return _free_names(node[2], bound) | _free_names(node[3], bound)
    if kind in ("neg", "pct"):
        return _free_names(node[1], bound)
    return set()


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_name_used_is_bound_where_it_is_used(name):
    assert _free_names(parse(stored(DEFINITIONS[name])), frozenset()) == set()


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_defined_name_element(name):
    xml = defined_name_xml(name)
    el = etree.fromstring(xml)
    assert el.tag == "definedName" and el.get("name") == name
    assert el.text == stored(DEFINITIONS[name]) and el.get("comment") == comment(name)
    prefixed = defined_name_xml(name, "x")
    assert prefixed.startswith("<x:definedName ") and prefixed.endswith("</x:definedName>")


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_example_through_the_lambda(name):
    """The catalogue's own example (SPEC section 2), evaluated from the LAMBDA definition."""
    formula, expected = CATALOGUE[name].example
    from gtm_xl.excel.formula import evaluate_workbook
    from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells

    book = WorkbookCells(
        {"S": SheetCells("S", {(1, 1): Cell(None, formula[1:], None, True)})}, {name: stored(DEFINITIONS[name])}
    )
    ev = evaluate_workbook(book)
    got = [v for k, v in sorted(ev.values.items())]
    want = [float(x) if re.match(r"^-?[0-9.]+$", x) else x for x in expected.strip("{}").split(",")]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g == w if isinstance(w, str) else abs(g - w) <= 10**-4 * max(1.0, abs(w)), (g, w)


SPEC_EXAMPLES = [
    ("GTM_SPLIT_TARGET", [12000000, [[2, 3, 4, 3]]], [[2e6, 3e6, 4e6, 3e6]]),
    ("GTM_SPLIT_TARGET", [1000, [[4, 3, 3]]], [[400.0, 300.0, 300.0]]),
    ("GTM_SPLIT_TARGET", [1000000, [[1, 1, 1]], 1000], [[334000.0, 333000.0, 333000.0]]),
    ("GTM_CAC_PAYBACK", [770000, 100000, 0.7], 11.0),
    ("GTM_LTV", [100, 0.8, 0.02], 4000.0),
    ("GTM_LTV_CAC", [100, 0.8, 0.02, 1000], 4.0),
]


@pytest.mark.parametrize("name, args, expected", SPEC_EXAMPLES)
def test_spec_examples(name, args, expected):
    assert same(run(name, args, "lambda"), expected)


@pytest.mark.parametrize(
    "args, expected",
    [
        # leftover unit: fractions tie (0.5, 0.5) between equal weights → the earlier position;
        # the residual 1 goes to the largest part, ties to the larger weight, then earlier
        ([10, [[1, 2, 1, 2]], 3], [[3.0, 4.0, 0.0, 3.0]]),
        ([5, [[1, 1, 1, 1]]], [[2.0, 1.0, 1.0, 1.0]]),
        ([7, [[3, 1, 3, 1]], 2], [[3.0, 2.0, 2.0, 0.0]]),
    ],
)
def test_the_tie_rule_of_the_spec(args, expected):
    """Largest remainder; ties to the larger weight, then the earlier position (SPEC section 2)."""
    lam, py = both("GTM_SPLIT_TARGET", args)
    assert same(lam, expected) and same(py, expected)
