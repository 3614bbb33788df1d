"""The headless refresh: recalculate every formula of a workbook and store the results in place.

For each file: open the package (:mod:`gtm_xl.excel.ooxml.package`, which refuses encrypted, legacy,
corrupt and oversized files), read its cells, evaluate them (:func:`gtm_xl.excel.formula.
evaluate_workbook` with the ``GTM_*`` table of :mod:`gtm_xl.catalogue`), check the input cells
against the workbook's own data-validation rules, splice the changed cached values into the
worksheet parts, mark the workbook for a full recalculation on load and write it atomically.

One bad file never stops a batch: :func:`refresh_file` turns every failure into a
:class:`FileReport` with ``error`` set (one line naming the file and, where there is one, the
cell). ``check_only`` computes and reports without writing anything.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FileReport", "collect_inputs", "refresh_file", "refresh_files", "validation_failures"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class FileReport:
    """What the refresh did to (or found in) one file. ``error`` set ⇔ the file failed."""

    path: str
    output: str | None = None
    error: str | None = None
    formulas_evaluated: int = 0
    cells_changed: int = 0
    validation_failures: list[dict[str, str]] = field(default_factory=list)
    validation_not_checked: list[dict[str, str]] = field(default_factory=list)
    errors_produced: list[dict[str, str]] = field(default_factory=list)
    unsupported: list[dict[str, str]] = field(default_factory=list)
    circular: list[str] = field(default_factory=list)
    not_computed: list[dict[str, str]] = field(default_factory=list)
    #: cells computed from TODAY/NOW (directly or through other cells): the refresh's instant
    volatile: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def _where(sheet: str, row: int, col: int) -> str:
    from gtm_xl.excel.ooxml.cells import to_a1

    quoted = "'" + sheet.replace("'", "''") + "'" if re.search(r"[^A-Za-z0-9_.]", sheet) else sheet
    return f"{quoted}!{to_a1(row, col)}"


def _plain(value: Any) -> Any:
    """numpy scalars → Python (np.bool_ is not a bool); ints → float as Excel stores them."""
    if type(value).__module__ == "numpy":
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


# --- data validation ----------------------------------------------------------------------------
_OPS: dict[str, Callable[[float, float, float | None], bool]] = {
    "between": lambda v, a, b: a <= v <= b,
    "notBetween": lambda v, a, b: not (a <= v <= b),
    "equal": lambda v, a, b: v == a,
    "notEqual": lambda v, a, b: v != a,
    "greaterThan": lambda v, a, b: v > a,
    "lessThan": lambda v, a, b: v < a,
    "greaterThanOrEqual": lambda v, a, b: v >= a,
    "lessThanOrEqual": lambda v, a, b: v <= a,
}
_OP_TEXT = {
    "between": "between {a} and {b}",
    "notBetween": "not between {a} and {b}",
    "equal": "equal to {a}",
    "notEqual": "not equal to {a}",
    "greaterThan": "greater than {a}",
    "lessThan": "less than {a}",
    "greaterThanOrEqual": "at least {a}",
    "lessThanOrEqual": "at most {a}",
}
_KIND_TEXT = {
    "whole": "a whole number",
    "decimal": "a number",
    "date": "a date",
    "time": "a time",
    "textLength": "text whose length is",
}


def _num_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


class _Resolver:
    """Values of the constants, references and defined names that validation rules use."""

    def __init__(self, book, values: Mapping[tuple[str, int, int], Any]) -> None:
        self.book = book
        self.values = values

    def cell(self, sheet: str, row: int, col: int) -> Any:
        key = (sheet, row, col)
        if key in self.values:
            return self.values[key]
        return self.book.sheet(sheet).value(row, col)

    def resolve(self, text: str | None, sheet: str) -> list[Any] | None:
        """A rule formula → its values (one for a constant or cell, many for a range); None if not simple."""
        from gtm_xl.excel.ooxml.cells import parse_range

        if text is None:
            return None
        t = text.strip()
        if t.startswith("="):
            t = t[1:]
        try:
            return [float(t)]
        except ValueError:
            pass
        if len(t) >= 2 and t[0] == t[-1] == '"':
            return [t[1:-1].replace('""', '"')]
        for _ in range(3):  # a defined name (sheet-scoped first)
            target = self.book.names.get(f"{sheet}!{t}".upper()) or self.book.names.get(t.upper())
            if target is None:
                break
            t = target.strip().lstrip("=")
        ref_sheet = sheet
        if "!" in t:
            ref_sheet, _, t = t.rpartition("!")
            ref_sheet = ref_sheet.strip("'").replace("''", "'")
        try:
            r1, c1, r2, c2 = parse_range(t.replace("$", ""))
            self.book.sheet(ref_sheet)
        except (ValueError, KeyError):
            return None
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
            return None
        return [self.cell(self.book.sheet(ref_sheet).name, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def validation_failures(
    book,
    rules: Iterable,
    values: Mapping[tuple[str, int, int], Any] | None = None,
    not_checked: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Input cells that break their sheet's data-validation rules, as ``{"cell", "message"}``.

    Checked: whole / decimal / date / time ranges with every operator, text length, lists
    (quoted ``"a,b,c"`` or a range / defined name), and custom formulas — evaluated with the
    formula evaluator over ``values`` (the recalculated results) by the shared
    :class:`gtm_xl.workflows.template_info.RuleChecker`, relative references moved from the top-left cell
    of the rule's sqref to each cell; FALSE, 0, text or an error value fails. The message ends
    with the rule's own error text. Blank cells pass (Excel validates entries, and a blank is
    not an entry); formula cells are outputs and are not checked. A custom rule the evaluator
    cannot evaluate (an unsupported function, a structured reference) is not guessed: each cell
    goes into ``not_checked`` (when given) with the reason.
    """
    from gtm_xl.errors import CellError
    from gtm_xl.excel.ooxml.package import cell_refs

    resolver = _Resolver(book, values or {})
    checker = None
    out: list[dict[str, str]] = []
    for rule in rules:
        if rule.type in ("none", "") or not rule.sqref:
            continue
        sheet = book.sheet(rule.sheet)
        if rule.type == "custom":
            from gtm_xl.workflows.template_info import CHECK_FAIL, CHECK_OK, RuleChecker, package_rule

            if checker is None:
                checker = RuleChecker(book, dict(values or {}), evaluated=values is not None)
            custom = package_rule(rule)
            for row, col in cell_refs(rule.sqref):
                cell = sheet.get((row, col))
                if cell is None or cell.formula is not None or cell.value is None:
                    continue
                status, detail = checker.check(rule.sheet, custom, row, col)
                if status == CHECK_FAIL:
                    out.append({"cell": _where(rule.sheet, row, col), "message": detail})
                elif status != CHECK_OK and not_checked is not None:
                    not_checked.append({"cell": _where(rule.sheet, row, col), "message": f"not checked: {detail}"})
            continue
        bound1 = resolver.resolve(rule.formula1, rule.sheet)
        bound2 = resolver.resolve(rule.formula2, rule.sheet)
        for row, col in cell_refs(rule.sqref):
            cell = sheet.get((row, col))
            if cell is None or cell.formula is not None or cell.value is None:
                continue
            msg = _check_one(rule, cell.value, bound1, bound2, CellError)
            if msg:
                if rule.error:
                    msg = f"{msg} ({rule.error})"
                out.append({"cell": _where(rule.sheet, row, col), "message": msg})
    return out


def _check_one(rule, value: Any, bound1, bound2, CellError) -> str | None:
    shown = value if not isinstance(value, float) else _num_text(value)
    if isinstance(value, CellError):
        return f"holds the error {value.code}"
    if rule.type == "list":
        if bound1 is None:
            return None
        if len(bound1) == 1 and isinstance(bound1[0], str) and rule.formula1.strip().startswith('"'):
            items = [s.strip() for s in bound1[0].split(",")]
        else:
            items = bound1
        for item in items:
            if isinstance(item, str) and isinstance(value, str) and item.lower() == value.lower():
                return None
            if isinstance(item, str) and not isinstance(value, str) and item.strip() == str(shown):
                return None
            if isinstance(item, float) and isinstance(value, float) and item == value:
                return None
        return f"{shown!r} is not in the list"
    if rule.type not in _KIND_TEXT:
        return None
    if rule.type == "textLength":
        number = float(len(value if isinstance(value, str) else str(shown)))
    else:
        if isinstance(value, bool) or not isinstance(value, float):
            return f"{shown!r} is not {_KIND_TEXT[rule.type]}"
        number = value
        if rule.type == "whole" and not number.is_integer():
            return f"{shown} is not a whole number"
    a = bound1[0] if bound1 else None
    b = bound2[0] if bound2 else None
    op = _OPS.get(rule.operator)
    needs_b = rule.operator in ("between", "notBetween")
    if op is None or not isinstance(a, float) or (needs_b and not isinstance(b, float)):
        return None
    if op(number, a, b):
        return None
    rng = _OP_TEXT[rule.operator].format(a=_num_text(a), b=_num_text(b) if b is not None else "")
    what = f"length {int(number)}" if rule.type == "textLength" else str(shown)
    return f"{what} is not {rng}"


# --- one file ------------------------------------------------------------------------------------
_SHEET_PREFIX = re.compile(r"(?:'((?:[^']|'')+)'|([A-Za-z_][\w.]*))!")


def _missing_sheets(formula: str, sheets: set[str]) -> list[str]:
    text = re.sub(r'"(?:[^"]|"")*"', '""', formula)
    out = []
    for m in _SHEET_PREFIX.finditer(text):
        name = (m.group(1) or "").replace("''", "'") or m.group(2)
        if name.lower() not in sheets and not name.startswith("["):
            out.append(name)
    return out


def refresh_file(
    path: str | os.PathLike,
    output: str | os.PathLike | None = None,
    *,
    check_only: bool = False,
    functions: Mapping[str, Callable] | None = None,
) -> FileReport:
    """Refresh one workbook into ``output`` (default: in place, atomically), or only check it.

    Never raises for a bad file: the report's ``error`` says what is wrong, in one line.
    """
    started = time.perf_counter()
    report = FileReport(path=str(path))
    # The cell model of a large sheet is hundreds of thousands of small objects (keys, values,
    # cells) and no reference cycles: the cyclic collector, run every few hundred allocations,
    # would walk them over and over (a third of the 10,000-row matrix's time). It is off for
    # the file and back on afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _refresh(Path(path), Path(path if output is None else output), check_only, functions, report)
    except Exception as exc:  # noqa: BLE001 — one bad file never stops a batch
        from gtm_xl.excel.ooxml.package import PackageError

        if isinstance(exc, PackageError):
            report.error = str(exc)
        elif isinstance(exc, OSError):
            report.error = f"{path}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
        else:
            report.error = f"{path}: {type(exc).__name__}: {exc}"
        report.output = None
    finally:
        if collecting:
            gc.enable()
    report.seconds = round(time.perf_counter() - started, 4)
    return report


_FUNCTIONS: dict[str, Callable] | None = None


def _default_functions() -> Mapping[str, Callable]:
    """The ``GTM_*`` function table, built once per process."""
    global _FUNCTIONS
    if _FUNCTIONS is None:
        from gtm_xl.catalogue import excel_functions

        _FUNCTIONS = excel_functions()
    return _FUNCTIONS


def _refresh(path: Path, output: Path, check_only: bool, functions, report: FileReport) -> None:
    from gtm_xl.errors import CellError
    from gtm_xl.excel.formula import evaluate_workbook
    from gtm_xl.excel.ooxml.package import Package, PackageError, mark_full_calc, parse_range, patch_sheet

    if functions is None:
        functions = _default_functions()
    if path.suffix.lower() not in WORKBOOK_SUFFIXES and path.suffix.lower() != ".xls":
        raise PackageError(path, f"not an .xlsx/.xlsm workbook (suffix {path.suffix or 'none'!r})")
    with Package(path) as pkg:
        book, parts = pkg.read_cells()
        evaluation = evaluate_workbook(book, functions)
        report.formulas_evaluated = evaluation.formulas_evaluated
        sheet_names = {name.lower() for name in book.sheets}

        # the new values, per sheet, of the cells that changed
        changed: dict[str, dict[tuple[int, int], Any]] = {}
        new_values: dict[tuple[str, int, int], Any] = {}
        plain_types = (float, str, bool)
        cells_of = {name: sheet.formula_cells() for name, sheet in book.sheets.items()}
        values_of = {name: sheet.value for name, sheet in book.sheets.items()}
        for key, value in evaluation.values.items():
            if type(value) not in plain_types:
                value = _plain(value)
            new_values[key] = value
            sheet, row, col = key
            cell = cells_of[sheet].get((row, col))
            old = values_of[sheet](row, col) if cell is None else cell.value
            if type(old) is not type(value) or old != value:
                changed.setdefault(sheet, {})[(row, col)] = value
            if isinstance(value, CellError):
                entry = {"cell": _where(sheet, row, col), "error": value.code}
                if cell is not None and cell.formula and value.code == "#REF!":
                    missing = _missing_sheets(cell.formula, sheet_names)
                    if missing:
                        entry["message"] = f"refers to a missing sheet {missing[0]!r}"
                report.errors_produced.append(entry)
        # dynamic arrays that shrank: the cells they no longer spill into become blank
        spill_refs: dict[str, dict[tuple[int, int], str]] = {}
        for (sheet, row, col), new_ref in evaluation.spills.items():
            cell = book.sheets[sheet].get((row, col))
            old_ref = cell.array_ref if cell is not None else None
            if old_ref == new_ref:
                continue
            spill_refs.setdefault(sheet, {})[(row, col)] = new_ref
            changed.setdefault(sheet, {}).setdefault((row, col), cell.value if cell else None)
            if old_ref:
                r1, c1, r2, c2 = parse_range(old_ref)
                n1, m1, n2, m2 = parse_range(new_ref)
                cells = book.sheets[sheet]
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        inside = n1 <= r <= n2 and m1 <= c <= m2
                        old_cell = cells.get((r, c))
                        if (
                            not inside
                            and old_cell is not None
                            and old_cell.formula is None
                            and old_cell.value is not None
                        ):
                            changed[sheet][(r, c)] = None
        report.cells_changed = sum(len(v) for v in changed.values())
        report.unsupported = [
            {"cell": _where(s, r, c), "function": fn} for (s, r, c), fn in sorted(evaluation.unsupported.items())
        ]
        report.circular = [_where(s, r, c) for s, r, c in evaluation.circular]
        report.volatile = [_where(s, r, c) for s, r, c in sorted(getattr(evaluation, "volatile", ()))]
        report.not_computed = [
            _not_computed(key, root, why) for key, (root, why) in sorted(getattr(evaluation, "blocked", {}).items())
        ]
        rules = [rule for sp in parts.values() for rule in sp.validations]
        report.validation_failures = validation_failures(book, rules, new_values, report.validation_not_checked)

        if check_only:
            return
        new_parts = {}
        for sheet, values in changed.items():
            sp = parts[sheet]
            new_parts[sp.part] = patch_sheet(sp, values, spill_refs.get(sheet))
        wb = pkg.part(pkg.workbook_part)
        new_wb = mark_full_calc(wb)
        if new_wb != wb:
            new_parts[pkg.workbook_part] = new_wb
        if output.resolve() != path.resolve():
            output.parent.mkdir(parents=True, exist_ok=True)
        pkg.save(output, new_parts)
        report.output = str(output)


def _not_computed(key: tuple[str, int, int], root: tuple[str, int, int], why: str) -> dict[str, str]:
    """The report entry of a cell left with its old value because it depends on ``root``."""
    where = _where(*root)
    message = (
        f"depends on circular reference {where}" if why == "circular" else f"depends on unsupported {where} ({why})"
    )
    return {"cell": _where(*key), "depends_on": where, "message": message}


# --- batches ------------------------------------------------------------------------------------
def collect_inputs(items: Sequence[str | os.PathLike]) -> list[tuple[Path, Path]]:
    """(file, path relative to what was named) for each FILE, and each .xlsx/.xlsm under each DIR.

    Files named explicitly are kept whatever their suffix (a .xls gets its clear error); Excel's
    lock files (``~$…``) in folders are skipped.
    """
    out: list[tuple[Path, Path]] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in WORKBOOK_SUFFIXES and not f.name.startswith("~$"):
                    out.append((f, f.relative_to(p)))
        else:
            out.append((p, Path(p.name)))
    return out


def _worker(args: tuple[str, str | None, bool]) -> FileReport:
    """One file in a worker process (top-level, so it works with spawn as well as fork)."""
    path, output, check_only = args
    return refresh_file(path, output, check_only=check_only)


def refresh_files(
    items: Sequence[str | os.PathLike],
    *,
    out_dir: str | os.PathLike | None = None,
    in_place: bool = False,
    check_only: bool = False,
    jobs: int = 1,
    progress: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Refresh every workbook named or found under the named folders; reports in input order.

    With ``out_dir`` the results go to ``out_dir/<path relative to the named folder>``; with
    ``in_place`` over the inputs; with ``check_only`` nowhere. ``jobs > 1`` uses that many
    worker processes. ``progress`` is called once per finished file.
    """
    if not check_only and not in_place and out_dir is None:
        raise ValueError("choose where results go: out_dir or in_place (or check_only)")
    tasks: list[tuple[str, str | None, bool]] = []
    seen: dict[Path, str] = {}
    reports: list[FileReport | None] = []
    for src, rel in collect_inputs(items):
        if check_only:
            dst = None
        elif in_place:
            dst = src
        else:
            dst = Path(out_dir) / rel
        if dst is not None:
            key = dst.resolve()
            if key in seen:
                reports.append(
                    FileReport(
                        path=str(src),
                        error=f"{src}: output {dst} is also the output of {seen[key]} (same file name): not written",
                    )
                )
                tasks.append(None)  # type: ignore[arg-type]
                continue
            seen[key] = str(src)
        tasks.append((str(src), None if dst is None else str(dst), check_only))
        reports.append(None)
    todo = [(i, t) for i, t in enumerate(tasks) if t is not None]
    for r in reports:
        if r is not None and progress:
            progress(r)
    if jobs <= 1 or len(todo) <= 1:
        for i, task in todo:
            reports[i] = refresh_file(task[0], task[1], check_only=task[2])
            if progress:
                progress(reports[i])
        return reports  # type: ignore[return-value]
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_worker, task): i for i, task in todo}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                reports[i] = fut.result()
            except BrokenProcessPool:
                reports[i] = FileReport(
                    path=tasks[i][0],
                    error=f"{tasks[i][0]}: the worker process died (out of memory or killed); the file was not written",
                )
            except Exception as exc:  # noqa: BLE001
                reports[i] = FileReport(path=tasks[i][0], error=f"{tasks[i][0]}: {type(exc).__name__}: {exc}")
            if progress:
                progress(reports[i])  # type: ignore[arg-type]
    return reports  # type: ignore[return-value]
