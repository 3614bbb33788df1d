"""The dependency graph of a workbook's formulas: the cells each formula reads, and the order to
evaluate them in.

:class:`FormulaCells` collects the formula cells of a book, each with its template (a formula
parsed once per R1C1 form, see :mod:`.references`) and the references it reads. In
:class:`DependencyGraph` a node is one cell, or a batch: a run of rows of one column holding the
same R1C1 formula (:func:`.batches.column_runs`), evaluated in one vectorised pass. Its
:meth:`~DependencyGraph.order` is topological; the nodes on a cycle are returned apart, not looped.
"""

from __future__ import annotations

import bisect
from typing import Any

from gtm_xl.excel.formula.batches import column_runs
from gtm_xl.excel.formula.book import Book
from gtm_xl.excel.formula.parser import Ref
from gtm_xl.excel.formula.references import TemplateMatcher, shift, shift_ref
from gtm_xl.excel.ooxml.cells import WorkbookCells, parse_range

Key = tuple[str, int, int]  # (sheet, row, column)


class FormulaCells:
    """The formula cells of a book: their templates, the rows of each formula column, their references.

    A cell whose formula names a function outside ``known`` is put in ``unsupported`` (cell →
    the function's name) and has no tree; it is still a formula cell, found by its dependents."""

    def __init__(self, wb: Book, book: WorkbookCells, known: set, unsupported: dict[Key, str]) -> None:
        self.wb = wb
        self.trees: dict[Key, tuple] = {}  # cell → (template, row shift, column shift)
        self.by_run: dict[tuple[str, int, int], list[int]] = {}  # (sheet, column, template id) → rows
        self.columns: dict[str, dict[int, list[int]]] = {}  # sheet → column → sorted rows of formula cells
        self._deps: dict[Key, list[Ref]] = {}
        self.dynamic: set[Key] = set()  # cells whose formula holds OFFSET or INDIRECT
        self.anchors: list[tuple[Key, tuple[int, int, int, int]]] = []  # array formulas and their ranges
        # per sheet, the array formulas filling more than their own cell (a legacy array's range, a
        # spill as Excel last saved it): reading a cell of one reads its anchor's result
        self.array_ranges: dict[str, list[tuple[Key, tuple[int, int, int, int]]]] = {}
        match = TemplateMatcher(wb, known)
        for sname, sheet in book.sheets.items():
            cols_of_sheet = self.columns.setdefault(sname, {})
            for (r, c), cell in sheet.formula_cells().items():
                formula = cell.formula
                if not formula:
                    continue
                if cell.array_ref:
                    try:
                        box = parse_range(cell.array_ref)
                    except ValueError:
                        box = (r, c, r, c)
                    self.anchors.append(((sname, r, c), box))
                    if box != (r, c, r, c):
                        self.array_ranges.setdefault(sname, []).append(((sname, r, c), box))
                template = match(sname, formula, r, c)
                if template[4]:
                    unsupported[(sname, r, c)] = template[4]
                    cols_of_sheet.setdefault(c, []).append(r)  # found by its dependents, never evaluated
                    continue
                self.trees[(sname, r, c)] = (template, r - template[1], c - template[2])
                if template[5]:
                    self.dynamic.add((sname, r, c))
                self.by_run.setdefault((sname, c, id(template)), []).append(r)
                cols_of_sheet.setdefault(c, []).append(r)
        for cols in self.columns.values():
            for rows in cols.values():
                rows.sort()

    def cells_in(self, sname: str, ref: Ref) -> list[Key]:
        """The formula cells inside ``ref`` (read from a formula on sheet ``sname``)."""
        sheet = ref.sheet[3:] or None if ref.sheet is not None and ref.sheet.startswith("[0]") else ref.sheet
        target = sname if sheet is None else self.wb.sheet_keys.get(sheet.lower())
        if target is None:
            sheets = self.wb.sheets_between(ref)  # a 3-D reference: the cells of every sheet it spans
            if sheets is not None:
                return [k for name in sheets for k in self.cells_in(name, Ref(None, ref.r1, ref.c1, ref.r2, ref.c2))]
        if target is None or target not in self.columns:
            return []
        cols = self.columns[target]
        out: list[Key] = []
        span = range(ref.c1, ref.c2 + 1) if ref.c2 - ref.c1 < len(cols) else [c for c in cols if ref.c1 <= c <= ref.c2]
        for c in span:
            rows = cols.get(c)
            if not rows:
                continue
            lo = bisect.bisect_left(rows, ref.r1)
            hi = bisect.bisect_right(rows, ref.r2)
            out.extend((target, r, c) for r in rows[lo:hi])
        for key, (r1, c1, r2, c2) in self.array_ranges.get(target, ()):
            if (
                r1 <= ref.r2
                and ref.r1 <= r2
                and c1 <= ref.c2
                and ref.c1 <= c2
                and not (ref.r1 <= key[1] <= ref.r2 and ref.c1 <= key[2] <= ref.c2)
            ):
                out.append(key)  # a cell of an array range outside its anchor: the anchor computes it
        return out

    def deps_of(self, key: Key) -> list[Ref]:
        """The references the formula of ``key`` reads (its template's, moved to the cell)."""
        found = self._deps.get(key)
        if found is None:
            template, dr, dc = self.trees[key]
            refs = template[3]
            found = self._deps[key] = (
                [shift_ref(ref, flags, dr, dc) for ref, flags in refs] if (dr or dc) else [ref for ref, _ in refs]
            )
        return found

    def tree_of(self, key: Key) -> Any:
        """The parsed formula of ``key``: its template's tree, moved to the cell."""
        template, dr, dc = self.trees[key]
        return shift(template[0], dr, dc) if (dr or dc) else template[0]


class DependencyGraph:
    """Nodes (lists of cells: a batch, or one cell) and the edges from each to its precedents."""

    def __init__(self, cells: FormulaCells, batching: bool) -> None:
        self.cells = cells
        self.nodes: list[list[Key]] = []
        self.node_of: dict[Key, int] = {}
        self._batch_deps: dict[int, list[Ref]] = {}  # node of a batch → the references of all its cells
        if batching:
            self._add_batches()
        for key in cells.trees:
            if key not in self.node_of:
                self.node_of[key] = len(self.nodes)
                self.nodes.append([key])

    def _add_batches(self) -> None:
        """A node per run of a column's rows with one R1C1 formula, unless its cells read each other."""
        cells = self.cells
        for members in column_runs(cells.by_run):
            first, last = members[0], members[-1]
            bounding = [
                Ref(a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2))
                for a, b in zip(cells.deps_of(first), cells.deps_of(last))
            ]
            inside = set(members)
            if any(k in inside for ref in bounding for k in cells.cells_in(first[0], ref)):
                continue  # the cells depend on each other: one by one
            for k in members:
                self.node_of[k] = len(self.nodes)
            self._batch_deps[len(self.nodes)] = bounding
            self.nodes.append(members)

    def precedents(self, n: int) -> list[int]:
        members = self.nodes[n]
        refs = self._batch_deps[n] if len(members) > 1 else self.cells.deps_of(members[0])
        node_of = self.node_of
        return [node_of[k] for ref in refs for k in self.cells.cells_in(members[0][0], ref) if k in node_of]

    def late_dynamic(self, order: list[int]) -> list[int]:
        """``order`` with the nodes holding OFFSET/INDIRECT, and every node depending on them, moved
        to the end (their relative order kept): still topological, since nothing outside the moved
        set depends on a node inside it; what a dynamic reference reads is then computed first
        wherever the static graph allows (the evaluator checks it when the reference resolves)."""
        dynamic = self.cells.dynamic
        if not dynamic:
            return order
        late: set[int] = {self.node_of[k] for k in dynamic if k in self.node_of}
        moved = []
        for n in order:  # precedents come first in ``order``: one pass finds every dependent
            if n in late or any(p in late for p in self.precedents(n)):
                late.add(n)
                moved.append(n)
        return [n for n in order if n not in late] + moved

    def order(self) -> tuple[list[int], set[int]]:
        """(the nodes in topological order, the nodes on a cycle): an iterative depth-first search,
        a back edge marks a cycle."""
        order: list[int] = []
        state: dict[int, int] = {}
        cyclic_nodes: set[int] = set()
        for start in range(len(self.nodes)):
            if state.get(start):
                continue
            stack = [(start, iter(self.precedents(start)))]
            state[start] = 1
            path = [start]
            while stack:
                node, it = stack[-1]
                for nxt in it:
                    st = state.get(nxt, 0)
                    if st == 0:
                        state[nxt] = 1
                        stack.append((nxt, iter(self.precedents(nxt))))
                        path.append(nxt)
                        break
                    if st == 1:
                        cyclic_nodes.update(path[path.index(nxt) :])
                else:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    order.append(node)
        return order, cyclic_nodes
