"""Data validation over the package reader's model: every rule of a workbook checked against one state of it.

:func:`validation_failures` checks each input cell with :meth:`Validation.problem` (the one check of a
value, shared with distribute and roll-up), its bounds and lists resolved over that state; custom (formula)
rules are evaluated with the formula engine by :class:`RuleChecker`.

:class:`RuleChecker` evaluates a rule at one cell through the engine's public book model
(:class:`gtm_xl.excel.formula.book.Book`), tree walker and the exception for an unsupported use of a function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gtm_xl.catalogue import excel_functions
from gtm_xl.errors import CellError
from gtm_xl.excel.formula import FormulaSyntaxError, evaluate_workbook, parse, shift, walk
from gtm_xl.excel.formula.book import Book, CellUnsupported
from gtm_xl.excel.formula.functions.coercion import ExcelError
from gtm_xl.excel.formula.functions.registry import BUILTINS
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells, parse_range
from gtm_xl.excel.ooxml.names import area, constant, resolve
from gtm_xl.excel.ooxml.package import DataValidation, cell_refs, translate_formula
from gtm_xl.workflows.template_info.model import Coord, Validation, cell_label, display_value

__all__ = [
    "CHECK_FAIL",
    "CHECK_OK",
    "NOT_CHECKED",
    "RuleChecker",
    "package_rule",
    "package_validation",
    "validation_failures",
]

CHECK_OK, CHECK_FAIL, NOT_CHECKED = "ok", "fail", "not checked"


class RuleChecker:
    """Evaluates data-validation rules of type ``custom`` (a formula) against one state of a
    workbook — the one implementation behind ``gtm-xl distribute`` (a region's table values),
    ``gtm-xl rollup`` (a returned file) and ``gtm-xl refresh``/``check``.

    The state is ``book`` (a :class:`gtm_xl.excel.ooxml.cells.WorkbookCells`) with ``values`` laid
    over it (cell → value: a region's inputs, or the refresh's recalculated results). With
    ``evaluated`` False the formula cells' stored values may be stale: the first time a rule
    refers (directly or through a defined name) to a formula cell, the workbook is recalculated
    once with the formula evaluator (:func:`gtm_xl.excel.formula.evaluate_workbook`) over that
    state. Rule formulas are parsed once per text.

    :meth:`check` gives ``("ok", None)``, ``("fail", message)`` — the rule evaluated to FALSE, 0,
    text or an error value — or ``("not checked", why)`` when the rule uses a function the
    evaluator does not support, a structured reference, or cannot be parsed.
    """

    def __init__(
        self,
        book: WorkbookCells,
        values: dict[Coord, Any] | None = None,
        *,
        evaluated: bool = False,
        functions: dict | None = None,
    ) -> None:
        self.book = book
        self.values = dict(values or {})
        self.evaluated = evaluated
        self._functions = functions
        self._wb: Book | None = None
        self._recalculated = False
        self._parsed: dict[str, Any] = {}

    # the evaluator's view of the state, built on first use
    def _state(self):
        if self._wb is None:
            self._wb = Book(self.book, self._functions_table())
            for (sheet, r, c), v in self.values.items():
                self._wb.values.setdefault(self._sheet_key(sheet), {})[(r, c)] = v
        return self._wb

    def _functions_table(self) -> dict:
        if self._functions is None:
            self._functions = dict(excel_functions())
        return self._functions

    def _sheet_key(self, sheet: str) -> str:
        return self.book.sheet(sheet).name

    def _parse(self, formula: str):
        """(tree, functions used, names used) of a rule formula, or (None, why, None)."""
        if formula not in self._parsed:
            try:
                tree = parse(formula)
            except (FormulaSyntaxError, Exception) as exc:  # noqa: BLE001 - the tokenizer raises its own errors
                self._parsed[formula] = (None, f"the rule cannot be read ({exc})", None)
            else:
                fns: set[str] = set()
                names: set[str] = set()
                walk(tree, lambda _r: None, lambda n, _s: names.add(n), fns.add)
                self._parsed[formula] = (tree, fns, names)
        return self._parsed[formula]

    def _unsupported(self, fns: set[str], names: set[str], sheet: str) -> str | None:
        known = set(BUILTINS) | {k.upper() for k in self._functions_table()}
        if any("[" in n for n in names):
            return "a structured (table) reference"
        missing = sorted(f for f in fns if f.upper() not in known)
        seen: set[str] = set()
        todo = list(names)
        wb = self._state()
        while todo and not missing:  # functions inside the defined names it uses
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            try:
                t = wb.name_tree(n, None, self._sheet_key(sheet))
            except Exception:  # noqa: BLE001 - a name the parser cannot read
                return f"the defined name {n}, which cannot be read"
            if t is None:
                continue

            inner: set[str] = set()
            walk(t, lambda _r: None, lambda m, _s: todo.append(m), inner.add)
            missing = sorted(f for f in inner if f.upper() not in known)
        return f"the function {missing[0]}, which the headless evaluator does not support" if missing else None

    def _refers_to_formulas(self, tree, sheet: str) -> bool:
        refs: list = []
        wb = self._state()
        seen: set[str] = set()

        def on_name(n, sh):
            if n in seen:
                return
            seen.add(n)
            t = wb.name_tree(n, sh, self._sheet_key(sheet))
            if t is not None:
                walk(t, refs.append, on_name, lambda _f: None)

        walk(tree, refs.append, on_name, lambda _f: None)
        for ref, _flags in refs:
            try:
                target = self.book.sheet(ref.sheet or sheet)
            except KeyError:
                continue
            for (r, c), cell in target.cells.items():
                if cell.formula and ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2:
                    return True
        return False

    def _recalculate(self) -> None:
        """Recalculate the workbook over the overridden state, once."""

        self._recalculated = True
        sheets = {name: SheetCells(name, dict(sh.cells)) for name, sh in self.book.sheets.items()}
        for (sheet, r, c), v in self.values.items():
            key = self._sheet_key(sheet)
            old = sheets[key].cells.get((r, c))
            if old is None or not old.formula:
                sheets[key].cells[(r, c)] = Cell(value=v)
        result = evaluate_workbook(WorkbookCells(sheets, self.book.names), self._functions_table())
        wb = self._state()
        for (sheet, r, c), v in result.values.items():
            wb.values[sheet][(r, c)] = v

    def value(self, sheet: str, row: int, col: int) -> Any:
        """The cell's value in the checked state."""
        return self._state().values.get(self._sheet_key(sheet), {}).get((row, col))

    def check(self, sheet: str, rule: Validation, row: int, col: int) -> tuple[str, str | None]:
        """Evaluate ``rule`` (custom) for the cell (sheet, row, col): its relative references are
        moved from ``rule.anchor`` to the cell. Blank cells pass (a rule checks what is entered)."""

        if not rule.formula:
            return CHECK_OK, None
        value = self.value(sheet, row, col)
        if value is None or value == "":
            return CHECK_OK, None
        tree, fns, names = self._parse(rule.formula)
        if tree is None:
            return NOT_CHECKED, fns
        why = self._unsupported(fns, names, sheet)
        if why:
            return NOT_CHECKED, f"the rule ={rule.formula} uses {why}"
        ar, ac = rule.anchor or (row, col)
        dr, dc = row - ar, col - ac
        tree = shift(tree, dr, dc) if (dr or dc) else tree
        if not self.evaluated and not self._recalculated and self._refers_to_formulas(tree, sheet):
            self._recalculate()
        wb = self._state()
        wb.current = (row, col)
        here = self._sheet_key(sheet)
        try:
            result = wb.value(wb.ev(tree, here), here)
        except CellUnsupported as exc:
            return NOT_CHECKED, f"the rule ={rule.formula} uses {exc.function} in a way the evaluator does not support"
        except ExcelError as exc:
            result = exc.error
        except RecursionError:
            return NOT_CHECKED, f"the rule ={rule.formula} is nested too deeply"
        if hasattr(result, "shape"):  # an array: Excel looks at its top-left value
            result = result.flat[0] if result.size else None
        if type(result).__module__ == "numpy":
            result = result.item()
        shown = display_value(value)
        text = _shifted_text(rule.formula, dr, dc)
        detail: str | None
        if isinstance(result, CellError):
            detail = f"{shown!r} fails the rule ={text} (it gives {result.code})"
        elif isinstance(result, bool):
            detail = None if result else f"{shown!r} fails the rule ={text}"
        elif isinstance(result, (int, float)):
            detail = None if result != 0 else f"{shown!r} fails the rule ={text}"
        else:
            detail = f"{shown!r} fails the rule ={text} (it gives {result!r}, not TRUE)"
        if detail is None:
            return CHECK_OK, None
        if rule.error:
            detail += f": {rule.error}"
        return CHECK_FAIL, detail


def _shifted_text(formula: str, dr: int, dc: int) -> str:
    if not (dr or dc):
        return formula
    try:
        return translate_formula(formula, dr, dc)
    except Exception:  # noqa: BLE001 - the text is for the message only
        return formula


def package_rule(dv: DataValidation) -> Validation:
    """A :class:`gtm_xl.excel.ooxml.package.DataValidation` of type custom as a :class:`Validation`
    (anchor: the top-left cell of the first range of its sqref)."""
    anchor = None
    first = (dv.sqref or "").split()
    if first:
        try:
            r1, c1, _, _ = parse_range(first[0].replace("$", ""))
            anchor = (r1, c1)
        except ValueError:
            anchor = None
    f1 = (dv.formula1 or "").strip()
    return Validation(
        "custom",
        allow_blank=dv.allow_blank,
        checkable=False,
        formula=(f1[1:] if f1.startswith("=") else f1) or None,
        anchor=anchor,
        error=dv.error,
    )


# --- every rule of a workbook ----------------------------------------------------------------------
_MAX_LIST_CELLS = 100_000


class _Operands:
    """Values of the constants, references and defined names that validation rules use, over a state
    (``values`` laid over the book's stored values)."""

    def __init__(self, book: WorkbookCells, values: Mapping[Coord, Any]) -> None:
        self.book = book
        self.values = values

    def cell(self, sheet: str, row: int, col: int) -> Any:
        key = (sheet, row, col)
        if key in self.values:
            return self.values[key]
        return self.book.sheet(sheet).value(row, col)

    def resolve(self, text: str | None, sheet: str) -> list[Any] | None:
        """A rule formula → its values (one for a constant or cell, many for a range); None if not simple."""
        if text is None:
            return None
        value = constant(text)
        if value is not None:
            return [value]
        target = resolve(self.book.names, text, sheet)
        value = constant(target)
        if value is not None:
            return [value]
        where = area(target)
        if where is None or where.size > _MAX_LIST_CELLS:
            return None
        try:
            ref_sheet = self.book.sheet(where.sheet or sheet).name
        except KeyError:
            return None
        return [self.cell(ref_sheet, r, c) for r, c in where.cells()]


def package_validation(rule: DataValidation, low: list[Any] | None, high: list[Any] | None) -> Validation:
    """A standard (not custom) package rule as a :class:`Validation`, its operands already resolved to
    values (``low``/``high``: :meth:`_Operands.resolve` of formula1/formula2)."""
    kind, operator = rule.type, rule.operator or "between"
    if kind == "list":
        if low is None:
            return Validation(kind, checkable=False, error=rule.error)
        if len(low) == 1 and isinstance(low[0], str) and (rule.formula1 or "").strip().startswith('"'):
            options = tuple(s.strip() for s in low[0].split(","))
        else:
            options = tuple(str(display_value(v)) for v in low if v is not None)
        return Validation(kind, options=options, error=rule.error)
    a = low[0] if low else None
    b = high[0] if high else None
    usable = isinstance(a, float) and (operator not in ("between", "notBetween") or isinstance(b, float))
    if not usable:
        a = b = None
    return Validation(kind, operator, a, b, error=rule.error)


def validation_failures(
    book: WorkbookCells,
    rules: Iterable[DataValidation],
    values: Mapping[Coord, Any] | None = None,
    not_checked: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Input cells that break their sheet's data-validation rules, as ``{"cell", "message"}``.

    Checked: whole / decimal / date / time ranges with every operator, text length, lists
    (quoted ``"a,b,c"`` or a range / defined name), and custom formulas — evaluated with the
    formula evaluator over ``values`` (the recalculated results) by :class:`RuleChecker`, relative
    references moved from the top-left cell of the rule's sqref to each cell; FALSE, 0, text or an
    error value fails. The message ends with the rule's own error text. Blank cells pass (Excel
    validates entries, and a blank is not an entry); formula cells are outputs and are not checked.
    A custom rule the evaluator cannot evaluate (an unsupported function, a structured reference) is
    not guessed: each cell goes into ``not_checked`` (when given) with the reason.
    """
    operands = _Operands(book, values or {})
    checker = None
    out: list[dict[str, str]] = []
    for rule in rules:
        if rule.type in ("none", "") or not rule.sqref:
            continue
        sheet = book.sheet(rule.sheet)
        cells = [
            (row, col)
            for row, col in cell_refs(rule.sqref)
            if (cell := sheet.get((row, col))) is not None and cell.formula is None and cell.value is not None
        ]
        if rule.type == "custom":
            if checker is None:
                checker = RuleChecker(book, dict(values or {}), evaluated=values is not None)
            custom = package_rule(rule)
            for row, col in cells:
                status, detail = checker.check(rule.sheet, custom, row, col)
                if status == CHECK_FAIL:
                    out.append({"cell": cell_label((rule.sheet, row, col)), "message": detail or ""})
                elif status != CHECK_OK and not_checked is not None:
                    not_checked.append(
                        {"cell": cell_label((rule.sheet, row, col)), "message": f"not checked: {detail}"}
                    )
            continue
        check = package_validation(
            rule, operands.resolve(rule.formula1, rule.sheet), operands.resolve(rule.formula2, rule.sheet)
        )
        for row, col in cells:
            msg = check.problem(sheet.value(row, col))
            if msg:
                if rule.error:
                    msg = f"{msg} ({rule.error})"
                out.append({"cell": cell_label((rule.sheet, row, col)), "message": msg})
    return out
