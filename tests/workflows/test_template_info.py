"""workflows/template_info: the model, the openpyxl reader, the package-cells view and the rule checks."""

from __future__ import annotations

import openpyxl
import pytest
from distribution_helpers import INDUSTRIES, SETTINGS, TEMPLATE_ID, TEMPLATE_VERSION, build_test_template

from gtm_xl.errors import CellError
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells
from gtm_xl.excel.ooxml.package import DataValidation, Package
from gtm_xl.workflows.template_info import (
    CHECK_FAIL,
    CHECK_OK,
    NOT_CHECKED,
    CellsView,
    NamedBlock,
    RuleChecker,
    TemplateError,
    Validation,
    cell_label,
    normalise_formula,
    read_template,
    region_from,
    stamp_from,
)
from gtm_xl.workflows.template_info.validation import package_validation, validation_failures


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_test_template(
        tmp_path_factory.mktemp("ti") / "plan.xlsx", {"Plan!B3:B8": ("B3<=Settings!$B$2/100000", "too high")}
    )


# --- the model ---------------------------------------------------------------------------------
def test_named_block_shape_and_cells():
    block = NamedBlock("scores", "Plan", 3, 2, 4, 3)
    assert block.shape == (2, 2) and not block.is_scalar
    assert block.coords() == [("Plan", 3, 2), ("Plan", 3, 3), ("Plan", 4, 2), ("Plan", 4, 3)]
    assert block.column(2) == [("Plan", 3, 3), ("Plan", 4, 3)]
    assert NamedBlock("x", "S", 1, 1, 1, 1).is_scalar


def test_cell_labels_quote_sheet_names_as_excel_does():
    assert cell_label(("Plan", 3, 2)) == "Plan!B3"
    assert cell_label(("My plan", 1, 28)) == "'My plan'!AB1"
    assert cell_label(("O'Brien", 1, 1)) == "'O''Brien'!A1"


@pytest.mark.parametrize(
    ("rule", "value", "problem"),
    [
        (Validation("decimal", "between", 0.0, 10.0), 11.0, "value 11 must be between 0 and 10"),
        (Validation("decimal", "between", 0.0, 10.0), 10.0, None),
        (Validation("decimal", "greaterThanOrEqual", 0.0), -1.0, "value -1 must be at least 0"),
        (Validation("decimal", "notEqual", 3.0), 3.0, "value 3 must be other than 3"),
        (Validation("whole", "between", 0.0, 10.0), 6.5, "6.5 is not a whole number"),
        (Validation("whole", "between", 0.0, 10.0), "lots", "'lots' is not a number"),
        (Validation("date", "greaterThan", 45000.0), "soon", "'soon' is not a date"),
        (Validation("textLength", "lessThanOrEqual", 3.0), "abcd", "length 4 must be at most 3"),
        (Validation("textLength", "lessThanOrEqual", 3.0), 100.0, None),  # shown as 100: three characters
        (Validation("list", options=("SMB", "Mid")), "mid", None),
        (Validation("list", options=("SMB", "Mid")), "XL", "'XL' is not one of SMB, Mid"),
        (Validation("list", options=("1", "2")), 2.0, None),
        (Validation("decimal", "between", 0.0, 1.0), CellError("#N/A"), "holds the error #N/A"),
        (Validation("decimal", "between", 0.0, 1.0), None, None),  # a cleared cell passes
        (Validation("decimal", "between", 0.0, 1.0), "", None),
        (Validation("decimal"), "text", "'text' is not a number"),  # unresolved bounds: the kind still checked
        (Validation("date", checkable=False), "x", None),
        (Validation("custom", formula="A1>0", checkable=False), -1.0, None),  # the RuleChecker's job
        (Validation("any"), "x", None),
    ],
)
def test_one_check_of_a_value(rule, value, problem):
    assert rule.problem(value) == problem


def test_normalised_formulas_ignore_spelling_but_not_strings():
    assert normalise_formula("=_xlfn.IFS( $A$1 > 0 , TRUE() )") == "IFS(A1>0,TRUE)"
    assert normalise_formula('=IF(a1="x y $", TRUE(), FALSE())') == 'IF(A1="x y $",TRUE,FALSE)'
    assert normalise_formula("sum(b2:b3)") == normalise_formula("=SUM($B$2:$B$3)")


@pytest.mark.parametrize(
    ("names", "stamp"),
    [
        ({"gtm_template": "scoring_matrix 1.0"}, ("scoring_matrix", "1.0")),
        ({"gtm_template": "scoring_matrix:1.2"}, ("scoring_matrix", "1.2")),
        ({"gtm_template": "scoring_matrix v2"}, ("scoring_matrix", "2")),
        ({"gtm_template_id": "kpi", "gtm_template_version": 3.0}, ("kpi", "3")),
        ({"template": "odd"}, ("odd", "")),
        ({}, None),
    ],
)
def test_stamps(names, stamp):
    assert stamp_from(names.get) == stamp


def test_region_stamp():
    assert region_from({"gtm_region": "EMEA", "gtm_region_name": "Europe"}.get) == ("EMEA", "Europe")
    assert region_from({}.get) == (None, None)


# --- the openpyxl reader -----------------------------------------------------------------------
def test_read_template_finds_inputs_outputs_rules_and_the_baseline(template):
    info = read_template(template)
    assert (info.template_id, info.version) == (TEMPLATE_ID, TEMPLATE_VERSION)
    assert set(SETTINGS) <= set(info.inputs) and "industry_scores" in info.inputs
    assert info.input(" Industry_Scores ") == NamedBlock("industry_scores", "Plan", 3, 2, 2 + len(INDUSTRIES), 2)
    assert "out_ltv" in info.outputs and "out_industry_budget" in info.outputs
    assert "gtm_template" not in info.inputs and "gtm_template" not in info.outputs
    gross_margin = info.inputs["gross_margin"].coords()[0]
    assert info.validations[gross_margin].problem(1.5) == "value 1.5 must be between 0 and 1"
    segment = info.inputs["segment"].coords()[0]
    assert info.validations[segment].options == ("SMB", "Mid", "Enterprise")
    custom = info.custom_rules()
    assert set(custom) == {("Plan", r, 2) for r in range(3, 9)}
    assert {rule.anchor for rule in custom.values()} == {(3, 2)}
    assert info.locked_formulas[("Plan", 3, 3)] == normalise_formula(
        f"=IF(SUM($B$3:$B${2 + len(INDUSTRIES)})=0,0,budget_total*B3/SUM($B$3:$B${2 + len(INDUSTRIES)}))"
    )
    assert info.values[gross_margin] == 0.7 and info.number_formats[gross_margin] == "0%"
    assert info.cells().sheet("Plan").value(3, 2) == 7.5


def test_read_template_from_bytes_reads_the_same(template):
    by_path, by_bytes = read_template(template), read_template(data=template.read_bytes())
    assert by_bytes.inputs == by_path.inputs and by_bytes.locked_formulas == by_path.locked_formulas
    assert by_bytes.cells().sheet("Settings").value(2, 2) == by_path.cells().sheet("Settings").value(2, 2)


def test_read_template_names_the_file_of_a_bad_workbook(tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(TemplateError, match="plain.xlsx: no template stamp"):
        read_template(plain)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match=r"junk.xlsx: not an .xlsx/.xlsm workbook \(not a zip package\)"):
        read_template(junk)


# --- the view over the package reader ----------------------------------------------------------
def test_cells_view_reads_values_formulas_and_name_constants(template):
    with Package(template) as pkg:
        book, _ = pkg.read_cells()
    view = CellsView(book)
    assert view.sheetnames == ["Settings", "Plan"]
    assert view.value("Plan", 3, 2) == 7.5
    assert view.formula("Plan", 3, 3).startswith("=IF(SUM(") and view.formula("Plan", 3, 2) is None
    assert view.constant("gtm_template") == f"{TEMPLATE_ID} {TEMPLATE_VERSION}"
    assert view.constant("gross_margin") == 0.7  # a name of one cell: that cell's value
    assert view.constant("industry_scores") is None  # several cells
    assert view.constant("no_such_name") is None


# --- rules over the package reader's model -----------------------------------------------------
def _book(values: dict[tuple[int, int], object], names: dict[str, str] | None = None) -> WorkbookCells:
    cells = {rc: Cell(v) for rc, v in values.items()}
    cells[(1, 3)] = Cell(value=None, formula="A1*2")
    return WorkbookCells({"S": SheetCells("S", cells)}, names or {})


def _rule(**kw) -> DataValidation:
    base = dict(sheet="S", sqref="A1:A3", type="decimal", operator="between", formula1="0", formula2="10")
    base.update(allow_blank=True, error=None)
    base.update(kw)
    return DataValidation(**base)


def test_validation_failures_resolve_bounds_through_names_and_cells():
    book = _book({(1, 1): 11.0, (2, 1): 5.0, (3, 1): "x", (1, 2): 4.0}, {"TOP": "S!$B$1", "S!LOW": "1"})
    assert validation_failures(book, [_rule(formula1="LOW", formula2="TOP", error="keep it small")]) == [
        {"cell": "S!A1", "message": "value 11 must be between 1 and 4 (keep it small)"},
        {"cell": "S!A2", "message": "value 5 must be between 1 and 4 (keep it small)"},
        {"cell": "S!A3", "message": "'x' is not a number (keep it small)"},
    ]
    # the state checked is the recalculated one where given
    assert validation_failures(book, [_rule(formula2="TOP")], {("S", 1, 2): 20.0}) == [
        {"cell": "S!A3", "message": "'x' is not a number"}
    ]


def test_validation_failures_lists_and_custom_rules():
    book = _book({(1, 1): "b", (2, 1): "z", (1, 2): "a", (2, 2): "b"})
    listed = _rule(type="list", formula1="$B$1:$B$2", formula2=None, sqref="A1:A2")
    assert validation_failures(book, [listed]) == [{"cell": "S!A2", "message": "'z' is not one of a, b"}]
    quoted = _rule(type="list", formula1='"b,c"', formula2=None, sqref="A1:A2")
    assert [f["cell"] for f in validation_failures(book, [quoted])] == ["S!A2"]
    custom = _rule(type="custom", formula1="LEN(A1)>1", formula2=None, sqref="A1:A2", error="two letters")
    not_checked: list[dict[str, str]] = []
    failures = validation_failures(
        book, [custom, _rule(type="custom", formula1="NOPE(A1)", sqref="A1")], None, not_checked
    )
    assert failures == [
        {"cell": "S!A1", "message": "'b' fails the rule =LEN(A1)>1: two letters"},
        {"cell": "S!A2", "message": "'z' fails the rule =LEN(A2)>1: two letters"},
    ]
    assert not_checked and not_checked[0]["cell"] == "S!A1" and "NOPE" in not_checked[0]["message"]


def test_package_validation_drops_bounds_it_cannot_use():
    rule = package_validation(_rule(), ["x"], [10.0])
    assert rule.low is None and rule.problem(99.0) is None and rule.problem("t") == "'t' is not a number"
    assert package_validation(_rule(type="list"), None, None).problem("anything") is None


def test_rule_checker_results():
    book = _book({(1, 1): 3.0, (2, 1): -1.0})
    checker = RuleChecker(book)
    rule = Validation("custom", checkable=False, formula="A1>0", anchor=(1, 1), error="positive")
    assert checker.check("S", rule, 1, 1) == (CHECK_OK, None)
    assert checker.check("S", rule, 2, 1) == (CHECK_FAIL, "-1 fails the rule =A2>0: positive")
    assert checker.check("S", rule, 3, 1) == (CHECK_OK, None)  # blank
    status, why = checker.check("S", Validation("custom", formula="FOO(A1)", anchor=(1, 1)), 1, 1)
    assert status == NOT_CHECKED and "FOO" in why
    # a rule on a formula cell's value recalculates the state first (C1 = A1*2 has no stored value)
    over = RuleChecker(book, {("S", 1, 1): 6.0})
    assert over.check("S", Validation("custom", formula="C1<10", anchor=(1, 1)), 1, 1)[0] == CHECK_FAIL
