"""What distribution and roll-up need to know about a template, read from the workbook itself.

* :mod:`.model` — the stamp names, :class:`NamedBlock`, :class:`Validation` (one cell's rule and its check),
  :class:`TemplateInfo`;
* :mod:`.reader` — :func:`read_template`: the model read from a file through openpyxl;
* :mod:`.view` — :class:`CellsView`: the same questions asked of the package reader's cell model;
* :mod:`.validation` — :class:`RuleChecker`: custom (formula) rules evaluated with the formula engine.
"""

from gtm_xl.workflows.template_info.model import (
    REGION_NAME,
    REGION_TITLE_NAME,
    Coord,
    NamedBlock,
    TemplateError,
    TemplateInfo,
    Validation,
    cell_label,
    display_value,
    normalise_formula,
    region_from,
    stamp_from,
    utc_now,
)
from gtm_xl.workflows.template_info.reader import (
    formula_text,
    load_workbook_bytes,
    read_region,
    read_stamp,
    read_template,
    template_from_workbooks,
)
from gtm_xl.workflows.template_info.validation import CHECK_FAIL, CHECK_OK, NOT_CHECKED, RuleChecker, package_rule
from gtm_xl.workflows.template_info.view import CellsView

__all__ = [
    "CHECK_FAIL",
    "CHECK_OK",
    "NOT_CHECKED",
    "REGION_NAME",
    "REGION_TITLE_NAME",
    "CellsView",
    "Coord",
    "NamedBlock",
    "RuleChecker",
    "TemplateError",
    "TemplateInfo",
    "Validation",
    "cell_label",
    "display_value",
    "formula_text",
    "load_workbook_bytes",
    "normalise_formula",
    "package_rule",
    "read_region",
    "read_stamp",
    "read_template",
    "region_from",
    "stamp_from",
    "template_from_workbooks",
    "utc_now",
]
