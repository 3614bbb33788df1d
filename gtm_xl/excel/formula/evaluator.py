"""The headless formula evaluator: :func:`evaluate_workbook` recalculates every formula cell of a
:class:`~gtm_xl.excel.ooxml.cells.WorkbookCells`, in dependency order.

1. each formula is parsed into a tree (:mod:`.parser`), once per R1C1 form (:mod:`.references`);
2. the references of every formula (cells, ranges, whole columns, other sheets, defined names)
   give the dependency graph (:mod:`.graph`); the cells are evaluated in topological order, cells
   on a cycle are reported in ``circular`` and keep their old value;
3. a formula naming a function outside the table
   (:data:`gtm_xl.excel.formula.functions.registry.BUILTINS` plus the ``functions`` passed in) is
   reported in ``unsupported`` and keeps its old value;
4. a cell depending on an unsupported or circular cell is not computed from its stale value: it
   is reported in ``blocked`` and keeps its old value too;
5. a run of a column's rows with one R1C1 formula is evaluated in one vectorised pass where it
   can be (:mod:`.batches`), else cell by cell (:class:`.book.Book`); array results spill
   (:mod:`.spills`).

Excel's rules: errors propagate; a blank is 0 or ""; numeric text works in arithmetic; an array
result of a dynamic-array formula spills (``spills`` gives its new range; a spill onto a filled
cell is ``#SPILL!``); a legacy array formula fills its ``array_ref``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gtm_xl.excel.formula.batches import evaluate_batch
from gtm_xl.excel.formula.book import Book, CellUnsupported, lambda_names
from gtm_xl.excel.formula.functions import budget
from gtm_xl.excel.formula.functions.coercion import ExcelError, Unsupported
from gtm_xl.excel.formula.functions.context import set_array_formula
from gtm_xl.excel.formula.functions.dates import date_system
from gtm_xl.excel.formula.functions.registry import BUILTINS
from gtm_xl.excel.formula.graph import DependencyGraph, FormulaCells, Key
from gtm_xl.excel.formula.parser import FormulaSyntaxError
from gtm_xl.excel.formula.spills import store
from gtm_xl.excel.ooxml.cells import WorkbookCells

__all__ = ["Evaluation", "evaluate_workbook"]


@dataclass
class Evaluation:
    """The outcome of :func:`evaluate_workbook` (see the evaluator contract).

    ``blocked`` maps a cell that depends (directly or through other cells) on a cell that could
    not be computed — an unsupported function or a circular reference — to (that cell, the
    function's name or ``"circular"``); such a cell is not computed either and keeps its old
    value, like the cell it depends on."""

    values: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    spills: dict[tuple[str, int, int], str] = field(default_factory=dict)
    unsupported: dict[tuple[str, int, int], str] = field(default_factory=dict)
    circular: list[tuple[str, int, int]] = field(default_factory=list)
    blocked: dict[tuple[str, int, int], tuple[tuple[str, int, int], str]] = field(default_factory=dict)
    formulas_evaluated: int = 0
    #: cells whose value depends on a volatile function (TODAY, NOW): computed at this refresh's
    #: instant, so they differ from the values Excel saved at another one
    volatile: set[tuple[str, int, int]] = field(default_factory=set)


def evaluate_workbook(
    book: WorkbookCells,
    functions: Mapping[str, Callable] | None = None,
    batching: bool = True,
    work_budget: int = budget.DEFAULT_BUDGET,
) -> Evaluation:
    """Recalculate every formula cell of ``book``; see :class:`Evaluation` and the module doc.

    With ``batching`` (the default) a run of rows of one column holding the same formula in
    R1C1 form is evaluated as one vectorised numpy operation where the formula allows it
    (:func:`.batches.evaluate_batch`); otherwise, and whenever a batch meets a case it does not
    vectorise (text, blanks in MIN/MAX, an error value), its cells are evaluated one by one.

    Date functions and formats follow the book's date system (``book.date1904``).

    ``work_budget`` bounds the cells computed plus the array elements and range cells read (see
    :mod:`.functions.budget`): once used up, the remaining cells are reported unsupported
    ("(work budget used up)") and keep their values, so a hostile file costs seconds and megabytes."""
    limit = sys.getrecursionlimit()
    if limit < RECURSION_LIMIT:  # an 8,192-character formula nests ~4,000 operators deep
        sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        with date_system(getattr(book, "date1904", False)), budget.limited(work_budget):
            return _evaluate_workbook(book, functions, batching)
    finally:
        sys.setrecursionlimit(limit)
        set_array_formula(False)


#: Python frames the evaluation of one formula may use (the tree of Excel's longest formula, 8,192
#: characters, is at most a few thousand levels deep); deeper makes the cell unsupported.
RECURSION_LIMIT = 20_000


def _evaluate_workbook(book: WorkbookCells, functions, batching: bool) -> Evaluation:
    own = lambda_names(book)  # the workbook's named LAMBDAs win over functions of the same name
    functions = {k: v for k, v in (functions or {}).items() if k.upper() not in own}
    known = set(BUILTINS) | {k.upper() for k in functions} | own
    wb = Book(book, functions)
    result = Evaluation()
    wb.spills = result.spills
    wb.blocks = {}  # in dependency order a range is read once its formulas are computed

    cells = FormulaCells(wb, book, known, result.unsupported)
    graph = DependencyGraph(cells, batching)
    order, cyclic_nodes = graph.order()
    if batching and any(len(graph.nodes[n]) > 1 for n in cyclic_nodes):
        return _evaluate_workbook(book, functions, batching=False)  # cycles are told cell by cell

    order = graph.late_dynamic(order)
    wb.formula_cells = cells
    wb.pending = set(cells.trees) | set(result.unsupported)  # formula cells not computed yet
    cyclic = {k for n in cyclic_nodes for k in graph.nodes[n]}
    result.circular = sorted(cyclic)
    # cells that could not be computed (→ the cell and its reason): a cell depending on one is not computed either
    bad: dict[Key, tuple] = {k: (k, fn) for k, fn in result.unsupported.items()}
    bad.update((k, (k, "circular")) for k in cyclic)
    wb.bad = bad
    wb.spill_growth = []  # (sheet, new range, saved range) of dynamic arrays that grew
    wb.evaluated_at = {}  # cell → its place in the evaluation
    for n in order:
        members = graph.nodes[n]
        if members[0] in cyclic:
            continue
        if budget.exhausted():  # the file used up its work budget: the rest is left to Excel
            for key in members:
                if key not in bad:
                    result.unsupported[key] = "(work budget used up)"
                    bad[key] = (key, "(work budget used up)")
            continue
        budget.spend(len(members))
        if bad:
            members = _without_blocked(cells, members, bad, result)
        if len(members) > 1 and len(members) == len(graph.nodes[n]):
            if _evaluate_as_batch(wb, cells, members, functions, result):
                continue
        for key in members:
            _evaluate_cell(wb, cells, book, key, bad, result)
            wb.evaluated_at[key] = len(wb.evaluated_at)
    if wb.spill_growth:
        _stale_readers(wb, cells, result)
    result.volatile = _volatile_cells(cells, graph, order, wb.volatile_cells)
    return result


def _stale_readers(wb: Book, cells: FormulaCells, result: Evaluation) -> None:
    """Spills that grew past the range Excel saved: a formula computed before its anchor that reads
    a newly covered cell read that cell's old value; it and every cell depending on it are taken
    back (reported, keeping their values) rather than left wrong."""
    stale: dict[Key, str] = {}
    for sname, new, old in wb.spill_growth:
        anchor = (sname, new[0], new[1])
        at = wb.evaluated_at.get(anchor, -1)
        for key in cells.trees:
            if key in stale or wb.evaluated_at.get(key, 1 << 60) > at or key == anchor:
                continue
            for ref in cells.deps_of(key):
                target = key[0] if ref.sheet is None else wb.sheet_keys.get(ref.sheet.lower())
                if target != sname:
                    continue
                meets_new = ref.r1 <= new[2] and new[0] <= ref.r2 and ref.c1 <= new[3] and new[1] <= ref.c2
                inside_old = old[0] <= ref.r1 and ref.r2 <= old[2] and old[1] <= ref.c1 and ref.c2 <= old[3]
                if meets_new and not inside_old:
                    stale[key] = "(read a cell a dynamic array spilled into later)"
                    break
    changed = True
    while changed:  # and what depends on those
        changed = False
        for key in cells.trees:
            if key in stale:
                continue
            for ref in cells.deps_of(key):
                if any(k in stale for k in cells.cells_in(key[0], ref)):
                    stale[key] = "(depends on a cell read before a spill grew)"
                    changed = True
                    break
    for key, why in stale.items():
        result.values.pop(key, None)
        result.unsupported[key] = why


def _volatile_cells(cells: FormulaCells, graph: DependencyGraph, order: list, found: set[Key]) -> set[Key]:
    """``found`` (the cells that called a volatile function, directly or through a defined name) and
    every cell that reads one of them, in dependency order."""
    if not found:
        return found
    for n in order:
        for key in graph.nodes[n]:
            if key in found:
                continue
            try:
                refs = cells.deps_of(key)
            except KeyError:  # a formula that did not parse: reported unsupported already
                continue
            if any(k in found for ref in refs for k in cells.cells_in(key[0], ref)):
                found.add(key)
    return found


def _without_blocked(cells: FormulaCells, members: list[Key], bad: dict[Key, tuple], result: Evaluation) -> list[Key]:
    """``members`` less those that read a cell in ``bad``; those are reported in ``blocked`` and
    become bad in turn."""

    def cause(key: Key) -> tuple | None:
        for ref in cells.deps_of(key):
            for k in cells.cells_in(key[0], ref):
                if k in bad:
                    return bad[k]
        return None

    blocked = {k: why for k in members if (why := cause(k)) is not None}
    if not blocked:
        return members
    result.blocked.update(blocked)
    bad.update(blocked)
    return [k for k in members if k not in blocked]


def _evaluate_as_batch(
    wb: Book, cells: FormulaCells, members: list[Key], functions: Mapping[str, Callable], result: Evaluation
) -> bool:
    """Evaluate a batch in one vectorised pass and store its values; False when it needs the
    cell-by-cell path."""
    wb.volatile_hit = False
    batch = evaluate_batch(wb, cells.tree_of(members[0]), members, functions)
    if batch is None:
        return False
    if wb.volatile_hit:  # a shared argument called TODAY/NOW: every cell of the batch is volatile
        wb.volatile_cells.update(members)
    # plain values of plain cells (no arrays): stored in bulk
    sname, first_row, col = members[0]
    result.formulas_evaluated += len(members)
    wb.pending.difference_update(members)
    for k in members:
        wb.evaluated_at[k] = len(wb.evaluated_at)
    wb.values[sname].update(zip([k[1:] for k in members], batch))
    wb.written(sname, first_row, col, members[-1][1], col)
    result.values.update(zip(members, batch))
    return True


def _evaluate_cell(
    wb: Book, cells: FormulaCells, book: WorkbookCells, key: Key, bad: dict[Key, tuple], result: Evaluation
) -> None:
    """Evaluate one formula cell and store its value (or its spill); a function meeting a case it
    does not implement makes the cell unsupported (and bad for its dependents)."""
    sname, r, c = key
    cell = book.sheets[sname].get((r, c))
    assert cell is not None, key  # a key of FormulaCells: a cell with a formula
    wb.pending.discard(key)  # from here on, a dynamic reference to it reads what it computes
    wb.current = (r, c)
    wb.array_mode = bool(cell.dynamic or cell.array_ref)
    wb.volatile_hit = False
    try:
        if wb.array_mode:
            v = wb.value(wb.ev(cells.tree_of(key), sname), sname, keep_array=True)
        else:  # an ordinary cell holds one value: a range result is implicitly intersected
            v = wb.operand(wb.ev(cells.tree_of(key), sname), sname)
    except CellUnsupported as exc:
        result.unsupported[key] = exc.function
        bad[key] = (key, exc.function)
        return
    except Unsupported as exc:  # outside a function: a range read past the work budget, an operator's coercion
        reason = "(work budget used up)" if isinstance(exc, budget.BudgetExceeded) else f"({exc or 'unsupported'})"
        result.unsupported[key] = reason
        bad[key] = (key, reason)
        return
    except ExcelError as e:
        v = e.error
    except (RecursionError, FormulaSyntaxError) as exc:  # a formula or a name the engine cannot take
        reason = "(formula nested too deeply)" if isinstance(exc, RecursionError) else "(syntax)"
        result.unsupported[key] = reason
        bad[key] = (key, reason)
        return
    result.formulas_evaluated += 1
    if wb.volatile_hit:
        wb.volatile_cells.add(key)
    store(wb, result, book, key, cell, v)
