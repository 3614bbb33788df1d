"""How far gtm-xl agrees with Excel on a workbook Excel computed (SPEC's ``gtm-xl check --against-excel``, not yet a
flag of the command line; the tests use it).

A workbook saved by Excel carries Excel's own result of every formula (the cached ``<v>``).
:func:`compare_with_excel` recomputes the workbook with the headless engine — inputs unchanged,
nothing written — and sorts every formula cell into one of:

* **agree** — gtm-xl computes the value Excel stored (numbers to 1e-9 relative, text, booleans
  and error values exactly);
* **differ** — gtm-xl computes another value: listed with both values. The engine's promise is
  that this list is empty; the tests hold it to that on every Excel-computed file they have;
* **not computed** — the engine is not certain it computes the cell as Excel does (an
  unsupported function or case, a circular reference, or a cell depending on one of those):
  the refresh would keep Excel's value, so this is a gap in coverage, never a wrong number;
  a cell computed from TODAY/NOW (volatile) is listed here too: its value depends on the moment.

A file the reader refuses (corrupt, encrypted, foreign format) is a *failed* file with its
one-line reason.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.excel.formula import evaluate_workbook
from gtm_xl.excel.ooxml.cells import column_letter
from gtm_xl.excel.ooxml.package import Package, PackageError
from gtm_xl.workflows.refresh import stored_value

#: relative tolerance for numbers: Excel stores 15-17 significant digits and the order of
#: floating-point operations may differ in the last bits
REL_TOL = 1e-9
#: absolute tolerance, for results that are zero up to rounding noise (SIN(PI()) is 1.2E-16)
ABS_TOL = 1e-14


@dataclass(frozen=True)
class Difference:
    """One cell where gtm-xl would store another value than Excel did."""

    sheet: str
    row: int
    col: int
    formula: str
    excel: Any
    gtm_xl: Any

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{column_letter(self.col)}{self.row}"


@dataclass
class Agreement:
    """The comparison of one workbook; ``error`` is set when the file could not be read."""

    path: Path
    formula_cells: int = 0
    agree: int = 0
    differences: list[Difference] = field(default_factory=list)
    not_computed: dict[str, str] = field(default_factory=dict)  # cell → reason
    error: str | None = None

    @property
    def computed(self) -> int:
        return self.agree + len(self.differences)

    @property
    def reasons(self) -> Counter[str]:
        """How many cells each reason left uncomputed."""
        return Counter(self.not_computed.values())


def same_value(excel: Any, ours: Any) -> bool:
    """Excel's stored value and ours are the same cell content (see the tolerances above)."""
    if isinstance(excel, bool) or isinstance(ours, bool):
        return type(excel) is type(ours) and excel == ours
    if isinstance(excel, (int, float)) and isinstance(ours, (int, float)):
        return math.isclose(excel, ours, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if excel is None or excel == "":
        # a formula whose result is empty text, or a cached value Excel did not write
        return ours is None or ours == ""
    return type(excel) is type(ours) and excel == ours


def _reason(unsupported: str) -> str:
    """The engine names a function it does not compute exactly in that use, or gives "(a reason)"."""
    return unsupported.strip("()") if unsupported.startswith("(") else f"{unsupported}: a use not computed exactly"


def compare_with_excel(path: str | Path, functions: Mapping[str, Any] | None = None) -> Agreement:
    """Recompute ``path`` (nothing is written) and compare every formula cell with Excel's value."""
    path = Path(path)
    result = Agreement(path)
    try:
        with Package(path) as pkg:
            book, _ = pkg.read_cells()
    except PackageError as exc:
        result.error = str(exc)
        return result
    evaluation = evaluate_workbook(book, functions)
    uncertain: dict[tuple[str, int, int], str] = {
        key: "volatile (TODAY/NOW): Excel's value is of the moment it was saved" for key in evaluation.volatile
    }
    uncertain.update({key: _reason(why) for key, why in evaluation.unsupported.items()})
    uncertain.update({key: "circular reference" for key in evaluation.circular})
    uncertain.update({key: f"depends on a cell not computed ({why})" for key, (_, why) in evaluation.blocked.items()})
    for sheet_name, sheet in book.sheets.items():
        for (row, col), cell in sheet.formula_cells().items():
            if not cell.formula:
                continue  # a cell inside an array's range: compared through its anchor's values
            key = (sheet_name, row, col)
            result.formula_cells += 1
            if key in uncertain:
                result.not_computed[f"{sheet_name}!{column_letter(col)}{row}"] = uncertain[key]
                continue
            if key not in evaluation.values:
                result.not_computed[f"{sheet_name}!{column_letter(col)}{row}"] = "not evaluated"
                continue
            ours = stored_value(evaluation.values[key])
            if same_value(cell.value, ours):
                result.agree += 1
            else:
                result.differences.append(Difference(sheet_name, row, col, cell.formula, cell.value, ours))
    return result


def compare_many(paths: Iterable[str | Path], functions: Mapping[str, Any] | None = None) -> list[Agreement]:
    """:func:`compare_with_excel` for each path; an unexpected failure is that file's error, the rest go on."""
    out = []
    for path in paths:
        try:
            out.append(compare_with_excel(path, functions))
        except Exception as exc:  # noqa: BLE001 — one file's failure is reported, the batch goes on
            out.append(Agreement(Path(path), error=f"{path}: {type(exc).__name__}: {exc}"))
    return out
