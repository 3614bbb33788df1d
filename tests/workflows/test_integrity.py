"""workflows/rollup/integrity.py: a returned file checked against its template, on in-memory cell models."""

from __future__ import annotations

from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells
from gtm_xl.workflows.rollup.integrity import (
    check_formulas,
    check_inputs,
    check_region,
    check_stamp,
    needs_recalculation,
)
from gtm_xl.workflows.template_info import CellsView, NamedBlock, TemplateInfo, Validation, normalise_formula


def _template() -> TemplateInfo:
    inputs = {"rate": NamedBlock("rate", "In", 1, 2, 1, 2), "units": NamedBlock("units", "In", 2, 2, 3, 2)}
    outputs = {"total": NamedBlock("total", "In", 5, 2, 5, 2)}
    validations = {
        ("In", 1, 2): Validation("decimal", "between", 0.0, 1.0),
        ("In", 2, 2): Validation("whole", "greaterThanOrEqual", 0.0),
        ("In", 3, 2): Validation("custom", checkable=False, formula="B3<=B2", anchor=(3, 2), error="no more"),
    }
    locked = {("In", 5, 2): normalise_formula("=SUM(B2:B3)*B1")}
    return TemplateInfo("plan", "1.0", inputs, outputs, validations, locked, {}, {})


def _view(cells: dict[tuple[int, int], Cell], names: dict[str, str] | None = None) -> CellsView:
    stamp = {"GTM_TEMPLATE": '"plan 1.0"', "GTM_REGION": '"EMEA"', "GTM_REGION_NAME": '"Europe"'}
    return CellsView(WorkbookCells({"In": SheetCells("In", cells)}, stamp if names is None else names))


def _good_cells() -> dict[tuple[int, int], Cell]:
    return {
        (1, 2): Cell(0.5),
        (2, 2): Cell(4.0),
        (3, 2): Cell(3.0),
        (5, 2): Cell(value=3.5, formula="SUM($B$2:$B$3) * B1"),
    }


def test_a_good_copy_passes_every_check():
    view, template = _view(_good_cells()), _template()
    assert check_stamp(view, template) == []
    assert check_region(view, "plan_EMEA.xlsx", {"emea": {"file": "plan_EMEA.xlsx"}}) == ("EMEA", "Europe", [])
    assert check_formulas(view, template) == []  # re-spelt ($, spaces) is the same formula
    assert check_inputs(view, template) == []
    assert not needs_recalculation(view, b"<workbook><calcPr/></workbook>", template)


def test_stamps():
    template = _template()
    assert check_stamp(_view({}, {}), template) == ["no template stamp (not a copy of a gtm-xl template)"]
    assert check_stamp(_view({}, {"GTM_TEMPLATE": '"other 1.0"'}), template) == ["template is 'other', expected 'plan'"]
    assert check_stamp(_view({}, {"GTM_TEMPLATE": '"plan 2.0"'}), template) == [
        "template version is '2.0', expected '1.0'"
    ]


def test_regions_against_the_manifest():
    view = _view({})
    assert check_region(view, "x.xlsx", None) == ("EMEA", "Europe", [])
    assert check_region(view, "x.xlsx", {"apac": {}})[2] == ["region 'EMEA' is not in the manifest"]
    assert check_region(view, "x.xlsx", {"emea": {"file": "plan_EMEA.xlsx"}})[2] == [
        "region 'EMEA' was sent as plan_EMEA.xlsx, this file is x.xlsx"
    ]
    assert check_region(_view({}, {}), "x.xlsx", None)[2][0].startswith("no region stamp")


def test_changed_and_overwritten_formulas_are_named_by_cell():
    template = _template()
    cells = _good_cells()
    cells[(5, 2)] = Cell(value=3.5, formula="SUM(B2:B3)*2")
    assert check_formulas(_view(cells), template) == [
        "formula at In!B5 changed: =SUM(B2:B3)*2 (template: =SUM(B2:B3)*B1)"
    ]
    cells[(5, 2)] = Cell(7.0)
    assert check_formulas(_view(cells), template) == [
        "formula at In!B5 was replaced by the value 7 (template: =SUM(B2:B3)*B1)"
    ]
    assert check_formulas(CellsView(WorkbookCells({}, {})), template) == ["sheet 'In' is missing"]


def test_inputs_fail_their_rules_with_the_shared_messages():
    template = _template()
    cells = _good_cells()
    cells[(1, 2)] = Cell(1.5)
    cells[(2, 2)] = Cell(value=4.0, formula="2*2")
    cells[(3, 2)] = Cell(9.0)
    assert check_inputs(_view(cells), template) == [
        "input rate at In!B1: value 1.5 must be between 0 and 1",
        "input units at In!B2 holds a formula (=2*2), expected a value",
        "input units at In!B3: 9 fails the rule =B3<=B2: no more",
    ]
    assert check_inputs(CellsView(WorkbookCells({}, {})), template) == [
        "input rate: sheet 'In' is missing",
        "input units: sheet 'In' is missing",
    ]


def test_a_custom_rule_the_evaluator_cannot_check_is_reported_not_guessed():
    template = _template()
    template.validations[("In", 3, 2)] = Validation("custom", checkable=False, formula="NOPE(B3)", anchor=(3, 2))
    not_checked: list[str] = []
    assert check_inputs(_view(_good_cells()), template, not_checked) == []
    assert len(not_checked) == 1 and not_checked[0].startswith("input units at In!B3: not checked:")


def test_many_reasons_are_capped():
    template = _template()
    template.locked_formulas.update({("In", 10 + r, 1): "1+1" for r in range(12)})
    reasons = check_formulas(_view(_good_cells()), template)
    assert len(reasons) == 11 and reasons[-1] == "… and 2 more changed formulas"


def test_stale_results_need_a_recalculation():
    template = _template()
    assert needs_recalculation(_view(_good_cells()), b'<workbook><calcPr fullCalcOnLoad="1"/></workbook>', template)
    cells = _good_cells()
    cells[(5, 2)] = Cell(value=None, formula="SUM(B2:B3)*B1")
    assert needs_recalculation(_view(cells), b"<workbook/>", template)
