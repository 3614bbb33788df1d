"""``gtm-xl rollup``: check returned regional workbooks and consolidate their outputs.

For each file (in worker processes with ``jobs > 1``):

1. open it safely (:class:`gtm_xl.excel.ooxml.package.Package`: corrupt, truncated, encrypted and
   oversized files are refused with a reason);
2. check it (:mod:`gtm_xl.workflows.rollup.integrity`): template id and version, region stamp vs the manifest,
   locked formulas unchanged, inputs valid;
3. when its stored results are missing or stale, recalculate a copy (never the user's file) with
   the headless refresh (:func:`gtm_xl.workflows.refresh.refresh_file`); where the refresh cannot compute
   every output (evaluator missing, unsupported function), LibreOffice recalculates it instead;
4. read the values of the template's output names.

Files that fail are listed with their reasons and left out; the rest are consolidated into a
summary workbook (one row per region, a total row — sums for amounts, weighted averages for
ratios, rates and scores, LTV:CAC is never summed —, a RAG sheet, a bar chart), tidy CSV files and
optionally one database table per output block (any SQLAlchemy URL; a plain path means SQLite).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtm_xl.workflows.template_info import TemplateInfo, read_template

__all__ = [
    "FileResult",
    "RollupReport",
    "Aggregation",
    "rollup",
    "inspect_file",
    "aggregation_rules",
    "resolve_template",
    "db_url",
]

_RATIO_WORDS = re.compile(
    r"ratio|rate|pct|percent|share|ltv_cac|ltv:cac|payback|nrr|grr|attain|conversion|"
    r"churn|margin|avg|average|mean|score|index|nps|roi|months|per_|"
    r"(?:^|_)(?:cac|ltv|arpa|arpu|aov|price|unit)(?:$|_)",
    re.I,
)
_NO_TOTAL = re.compile(r"rank|position|order|stage", re.I)
# summed outputs that make sense as the weight of an average (money or volume, not payouts or counts of tiers)
_WEIGHT_WORDS = re.compile(
    r"budget|spend|revenue|gmv|mrr|arr|sales|bookings|customers|accounts|firms", re.I
)  # numbers that no total or average means anything for


@dataclass
class FileResult:
    """One returned file: included (``ok``) or left out with ``reasons``."""

    path: str
    region: str | None = None
    name: str | None = None
    reasons: list[str] = field(default_factory=list)
    recalculated_by: str | None = None  # "refresh" | "libreoffice" | None (stored values used)
    needs_libreoffice: bool = False
    outputs: dict[str, list[list[Any]]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # single-cell numeric inputs (weights of averages)
    not_checked: list[str] = field(default_factory=list)  # validation rules the evaluator could not evaluate

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Aggregation:
    """How a scalar output is totalled across regions: ``sum``, ``weighted`` (by ``weight``, a
    summed output or a single-cell numeric input; a plain mean when ``weight`` is None) or
    ``none`` (text, ranks, RAG status)."""

    how: str
    weight: str | None = None

    @property
    def text(self) -> str:
        """In words, for the summary: ``sum``, ``weighted by mrr_start``, ``mean``, ``none``."""
        if self.how == "weighted":
            return f"weighted by {self.weight}" if self.weight else "mean"
        return self.how


# A ratio's family → the volumes that weight it, best first (searched among the summed outputs, then
# the numeric single-cell inputs — a volume is often an input). Weighted by them, the average is the
# ratio of the sums: NRR by starting MRR is Σ(end MRR)/Σ(start MRR); LTV:CAC by acquisition spend is
# Σ(LTV × customers)/Σ(spend); penetration by the market size is Σ(served)/Σ(potential).
_SPEND = re.compile(r"cac_?spend|acquisition_?spend|marketing_?spend|(?:^|_)spend(?:$|_)", re.I)
_NEW_CUSTOMERS = re.compile(r"new_?customers|customers_?won|new_?accounts|deals_?won", re.I)
_WEIGHT_FAMILIES: list[tuple[re.Pattern, list[re.Pattern]]] = [
    (
        re.compile(r"nrr|grr|retention|churn|expansion|contraction", re.I),
        [
            re.compile(p, re.I)
            for p in (
                r"mrr_?start|start(?:ing)?_?mrr|mrr_?begin|opening_?mrr",
                r"(?:^|_)mrr(?:$|_)",
                r"(?:^|_)arr(?:$|_)",
                r"revenue",
            )
        ],
    ),
    (re.compile(r"ltv_?cac|ltv:cac|payback", re.I), [_SPEND, _NEW_CUSTOMERS]),
    (re.compile(r"(?:^|_)cac(?:$|_)", re.I), [_NEW_CUSTOMERS, _SPEND]),  # CAC = spend / customers
    (
        re.compile(r"(?:^|_)(?:ltv|arpa|arpu|aov)(?:$|_)", re.I),
        [re.compile(p, re.I) for p in (r"new_?customers|customers|accounts",)],
    ),
    (
        re.compile(r"penetration|coverage|market_?share", re.I),
        [re.compile(p, re.I) for p in (r"potential|market_?size|addressable|(?:^|_)tam(?:$|_)",)],
    ),
]


@dataclass
class RollupReport:
    template: TemplateInfo
    included: list[FileResult] = field(default_factory=list)
    left_out: list[FileResult] = field(default_factory=list)
    missing_regions: list[dict] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Aggregation] = field(default_factory=dict)
    block_totals: dict[str, tuple[str, list[list[Any]]]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.left_out and not self.missing_regions

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": {"id": self.template.template_id, "version": self.template.version},
            "included": [
                {
                    "file": r.path,
                    "region": r.region,
                    "recalculated_by": r.recalculated_by,
                    **({"not_checked": r.not_checked} if r.not_checked else {}),
                }
                for r in self.included
            ],
            "rules": {k: a.text for k, a in self.rules.items()},
            "left_out": [{"file": r.path, "region": r.region, "reasons": r.reasons} for r in self.left_out],
            "missing_regions": self.missing_regions,
            "totals": self.totals,
            "written": self.written,
            "seconds": round(self.seconds, 3),
        }


# --- one file -------------------------------------------------------------------------------------
def _read_outputs(view, template: TemplateInfo) -> dict[str, list[list[Any]]]:
    out = {}
    for key, block in template.outputs.items():
        out[key] = [
            [_plain(view.value(block.sheet, r, c)) for c in range(block.min_col, block.max_col + 1)]
            for r in range(block.min_row, block.max_row + 1)
        ]
    return out


def _read_inputs(view, template: TemplateInfo) -> dict[str, Any]:
    """The numbers in the template's single-cell inputs (a volume such as ``mrr_start`` can weight
    an average); inputs are values, so no recalculation is needed."""
    out = {}
    for key, block in template.inputs.items():
        if block.is_scalar:
            v = _plain(view.value(block.sheet, block.min_row, block.min_col))
            if isinstance(v, float):
                out[key] = v
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return getattr(v, "code", None) or str(v)  # a CellError → "#DIV/0!" …


def read_book(path: str | Path):
    """(CellsView, workbook.xml bytes) of a workbook through the package reader, which refuses
    corrupt, truncated, encrypted and oversized files with a PackageError."""
    from gtm_xl.excel.ooxml.package import Package
    from gtm_xl.workflows.template_info import CellsView

    with Package(path) as pkg:
        workbook_xml = pkg.part(pkg.workbook_part)
        book, _ = pkg.read_cells()
    return CellsView(book), workbook_xml


def inspect_file(
    path: str | Path,
    template: TemplateInfo,
    manifest_regions: dict[str, dict] | None = None,
    *,
    recalculate: bool = True,
) -> FileResult:
    """Check one returned workbook and read its outputs (recalculating a copy when stale)."""
    from gtm_xl.excel.ooxml.package import PackageError
    from gtm_xl.workflows.rollup import integrity

    path = Path(path)
    result = FileResult(str(path))
    try:
        view, workbook_xml = read_book(path)
    except PackageError as exc:
        result.reasons.append(f"unreadable: {exc}")
        return result
    except Exception as exc:  # noqa: BLE001 - whatever a damaged part makes the reader raise
        result.reasons.append(f"unreadable: {path}: {type(exc).__name__}: {exc}")
        return result
    result.reasons += integrity.check_stamp(view, template)
    if result.reasons:
        return result
    result.region, result.name, why = integrity.check_region(view, path.name, manifest_regions)
    result.reasons += why
    result.reasons += integrity.check_formulas(view, template)
    result.reasons += integrity.check_inputs(view, template, result.not_checked)
    if result.reasons:
        return result
    result.inputs = _read_inputs(view, template)
    if recalculate and integrity.needs_recalculation(view, workbook_xml, template):
        values = _recalculate_with_refresh(path, template)
        if isinstance(values, str):
            result.reasons.append(values)
            return result
        if values is None:
            result.needs_libreoffice = True
            return result
        result.outputs, result.recalculated_by = values, "refresh"
    else:
        result.outputs = _read_outputs(view, template)
    return result


def _recalculate_with_refresh(
    path: Path, template: TemplateInfo, limits=None
) -> dict[str, list[list[Any]]] | str | None:
    """Outputs after the headless refresh recalculated a temporary copy; None when it could not
    compute every output (no evaluator, unsupported function, circular reference, error); the
    reason (a str) when the file ran past its budget (``limits``, :mod:`gtm_xl.workflows.guard`):
    such a file is left out, never handed to LibreOffice to try again."""
    try:
        from gtm_xl.workflows.guard import LimitExceeded, Limits, run_limited
        from gtm_xl.workflows.refresh import refresh_file
    except ImportError:
        return None
    with tempfile.TemporaryDirectory(prefix="gtm-rollup-") as tmp:
        out = Path(tmp) / path.name
        from gtm_xl.workflows import guard

        try:  # evaluated under the memory and time budget (already, when in a checking child)
            if guard.ACTIVE is not None:
                report = refresh_file(path, out)
            else:
                report = run_limited(refresh_file, (path, out), limits or _WORKER.get("limits") or Limits())
        except LimitExceeded as exc:
            return f"recalculation stopped: {exc}"
        if report.error and ("--max-memory" in report.error or "--max-seconds" in report.error):
            why = report.error.removeprefix(f"{path}: ").removesuffix(": stopped, nothing written")
            return f"recalculation stopped: it {why}"
        if report.error or report.unsupported or report.circular or not out.exists():
            return None
        return _read_outputs(read_book(out)[0], template)


def _recalculate_with_libreoffice(results: list[FileResult], template: TemplateInfo, lo=None) -> None:
    """Recalculate copies of the given files in one LibreOffice run (``lo``: a running profile to
    reuse, else a fresh one); a failure becomes a reason."""
    import contextlib

    from gtm_xl.excel.libreoffice import LibreOffice, LibreOfficeError, find_soffice

    if not results:
        return
    if lo is None and find_soffice() is None:
        for r in results:
            r.reasons.append(
                "stored results are stale and neither the headless refresh nor LibreOffice could recalculate them"
            )
        return
    with tempfile.TemporaryDirectory(prefix="gtm-rollup-lo-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        copies = []
        for i, r in enumerate(results):  # unique names: two returned files may share a name
            dst = src / f"{i:05d}_{Path(r.path).name}"
            shutil.copyfile(r.path, dst)
            copies.append(dst)
        with contextlib.nullcontext(lo) if lo is not None else LibreOffice() as office:
            try:
                outs = office.convert(copies, "xlsx", Path(tmp) / "out", filter_name="Calc MS Excel 2007 XML")
            except LibreOfficeError as exc:
                for r in results:
                    r.reasons.append(f"recalculation failed: {exc}")
                return
        for r, out in zip(results, outs):
            outputs = _read_outputs(read_book(out)[0], template)
            unknown = sorted({k for k, rows in outputs.items() for line in rows for v in line if v == "#NAME?"})
            r.needs_libreoffice = False
            if unknown:  # GTM_* functions (udf flavour): LibreOffice does not know them
                r.reasons.append(
                    "stale results could not be recalculated: the headless refresh is unavailable "
                    "and LibreOffice gives #NAME? for "
                    + ", ".join(unknown[:5])
                    + " (GTM_* functions need the refresh's evaluator)"
                )
                continue
            r.outputs, r.recalculated_by = outputs, "libreoffice"


# --- worker processes -------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _inspect_all(
    paths: list[str],
    info: TemplateInfo,
    regions: dict | None,
    jobs: int,
    progress: Callable[[Iterable], Iterable] | None,
    limits=None,
) -> list[FileResult]:
    """:func:`inspect_file` for every path, each in a child process under the memory and time budget
    (:func:`gtm_xl.workflows.guard.map_limited`, ``jobs`` at a time): reading a returned copy,
    evaluating its validation rules and recalculating it all run there, so a hostile copy (a
    ``SUM(SEQUENCE(300000000))`` typed into it) is left out with the reason and the roll-up goes on.
    Results in the order of ``paths``."""
    from gtm_xl.workflows.guard import Limits, map_limited

    limits = limits or Limits()
    from gtm_xl.excel.formula import engine  # noqa: F401 - loaded once here, inherited by each child

    found: dict[int, FileResult] = {}
    done = map_limited(inspect_file, [(i, (p, info, regions)) for i, p in enumerate(paths)], limits, jobs)
    for i, status, value in progress(done) if progress else done:
        if status == "ok":
            found[i] = value
        elif status == "memory":
            found[i] = FileResult(paths[i], reasons=[f"checking it needed more than {limits.memory_text()}"])
        else:
            found[i] = FileResult(paths[i], reasons=[f"could not be checked: {value}"])
    return [found[i] for i in range(len(paths))]


def _init_worker(template_path: str, manifest_regions: dict | None, limits=None) -> None:
    from gtm_xl.workflows.guard import die_with_parent

    die_with_parent()  # a killed roll-up leaves no worker behind
    _WORKER["template"] = read_template(template_path)
    _WORKER["manifest"] = manifest_regions
    _WORKER["limits"] = limits


def _work(path: str) -> FileResult:
    return inspect_file(path, _WORKER["template"], _WORKER["manifest"])


# --- which template, which manifest -----------------------------------------------------------------
def resolve_template(template: str | Path | None, manifest: dict | None, manifest_path: Path | None) -> Path:
    """The template file: ``--template``, else the one the manifest names (checked by SHA-256)."""
    if template is not None:
        return Path(template)
    if manifest is None:
        raise ValueError("which template? give --manifest (written by gtm-xl distribute) or --template")
    from gtm_xl.workflows.distribute import sha256_file

    t = manifest["template"]
    candidates = [Path(t.get("file", ""))]
    if manifest_path is not None:
        name = Path(t.get("file", "")).name
        candidates += [manifest_path.parent / name, manifest_path.parent / ".template" / name]
    for c in candidates:
        if c.is_file() and sha256_file(c) == t.get("sha256"):
            return c
    raise ValueError(
        f"the template of the manifest ({t.get('file')}) is missing or changed since the "
        "distribution; give it with --template"
    )


# --- consolidation ----------------------------------------------------------------------------------
def aggregation_rules(template: TemplateInfo, included: list[FileResult]) -> dict[str, Aggregation]:
    """Per scalar output: text/RAG and ranks → none; ratios, rates, scores and per-unit values
    (by name, or a % / "x" number format) → a weighted average; other numbers → sum.

    The weight of a ratio is the volume its family is a ratio of, when the template has one as
    a summed output or a numeric single-cell input (:data:`_WEIGHT_FAMILIES`: NRR/GRR/churn by
    the starting MRR, LTV:CAC and CAC payback by the acquisition spend or else the new
    customers, CAC by the new customers, LTV/ARPA by customers, penetration by the market size); else the first summed
    amount of money or volume (budget, spend, revenue, GMV, MRR, customers, accounts, firms);
    else none: a plain mean. LTV:CAC is never summed."""
    rules: dict[str, Aggregation] = {}
    scalars = [k for k, b in template.outputs.items() if b.is_scalar]
    for key in scalars:
        block = template.outputs[key]
        values = [r.outputs[key][0][0] for r in included]
        fmt = template.number_formats.get(block.coords()[0], "") or ""
        if (
            any(isinstance(v, (str, bool)) for v in values)
            or (not values and isinstance(template.values.get(block.coords()[0]), str))
            or _NO_TOTAL.search(key)
        ):
            rules[key] = Aggregation("none")
        elif _RATIO_WORDS.search(key) or "%" in fmt or re.search(r'"x"|x$', fmt):
            rules[key] = Aggregation("weighted")
        else:
            rules[key] = Aggregation("sum")
    summed = [k for k in scalars if rules[k].how == "sum"]
    volumes = [k for k, b in template.inputs.items() if b.is_scalar and _is_number(template.values.get(b.coords()[0]))]
    generic = next((k for k in summed if _WEIGHT_WORDS.search(k)), None)

    def weight_of(key: str) -> str | None:
        for family, patterns in _WEIGHT_FAMILIES:
            if family.search(key):
                for pattern in patterns:
                    found = next((k for k in [*summed, *volumes] if k != key and pattern.search(k)), None)
                    if found is not None:
                        return found
        return generic

    return {k: (Aggregation("weighted", weight_of(k)) if a.how == "weighted" else a) for k, a in rules.items()}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _weight(r: FileResult, name: str) -> float | None:
    if name in r.outputs:
        return _num(r.outputs[name][0][0])
    return _num(r.inputs.get(name))


def block_totals(template: TemplateInfo, included: list[FileResult]) -> dict[str, tuple[str, list[list[Any]]]]:
    """Per multi-cell output block: (rule, cell-by-cell totals across regions). Amount blocks are
    summed, ratio/rate/score blocks (same name and number-format rule as the scalars) averaged
    without weights, text cells get None."""
    out: dict[str, tuple[str, list[list[Any]]]] = {}
    for key, block in template.outputs.items():
        if block.is_scalar:
            continue
        fmt = template.number_formats.get(block.coords()[0], "") or ""
        if _NO_TOTAL.search(key):
            continue
        how = "mean" if _RATIO_WORDS.search(key) or "%" in fmt or re.search(r'"x"|x$', fmt) else "sum"
        rows, cols = block.shape
        grid: list[list[Any]] = []
        for i in range(rows):
            line = []
            for j in range(cols):
                nums = [v for v in (_num(r.outputs[key][i][j]) for r in included) if v is not None]
                if not nums:
                    line.append(None)
                else:
                    line.append(math.fsum(nums) if how == "sum" else math.fsum(nums) / len(nums))
            grid.append(line)
        out[key] = (how, grid)
    return out


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def compute_totals(included: list[FileResult], rules: dict[str, Aggregation]) -> dict[str, Any]:
    """The total row: sums, weighted averages (plain mean when no weight or all weights are 0)."""
    totals: dict[str, Any] = {}
    for key, rule in rules.items():
        vals = [_num(r.outputs[key][0][0]) for r in included]
        nums = [v for v in vals if v is not None]
        if rule.how == "sum":
            totals[key] = math.fsum(nums) if nums else None
        elif rule.how == "weighted":
            pairs = [
                (v, _weight(r, rule.weight) if rule.weight else 1.0) for v, r in zip(vals, included) if v is not None
            ]
            pairs = [(v, w) for v, w in pairs if w is not None]
            wsum = math.fsum(w for _, w in pairs)
            if pairs and wsum:
                totals[key] = math.fsum(v * w for v, w in pairs) / wsum
            else:
                totals[key] = math.fsum(nums) / len(nums) if nums else None
        else:
            totals[key] = None
    return totals


def rollup(
    files: Sequence[str | Path],
    out: str | Path,
    *,
    template: str | Path | None = None,
    manifest: str | Path | None = None,
    csv_dir: str | Path | None = None,
    db: str | None = None,
    jobs: int = 1,
    progress: Callable[[Iterable], Iterable] | None = None,
    libreoffice=None,
    limits=None,
) -> RollupReport:
    """Check and consolidate ``files``; write ``out`` (+ CSV, + DB). Never raises for a bad file.

    Every output — the workbook, the CSV folder, the database URL and its connection — is checked
    before anything is read or written (:func:`check_outputs`: a ValueError naming the problem).
    ``libreoffice``: a :class:`gtm_xl.excel.libreoffice.LibreOffice` to reuse for files the
    headless refresh cannot recalculate (default: a fresh profile when one is needed).
    ``limits``: the memory and time budget of a file's recalculation (:class:`gtm_xl.workflows.guard.Limits`)."""
    import time

    from gtm_xl.workflows.distribute import read_manifest

    started = time.perf_counter()
    check_outputs(files, out, csv_dir=csv_dir, db=db, others=[p for p in (template, manifest) if p])
    _WORKER["limits"] = limits
    manifest_doc = read_manifest(manifest) if manifest is not None else None
    template_path = resolve_template(template, manifest_doc, Path(manifest) if manifest else None)
    check_outputs([template_path], out, csv_dir=csv_dir, db=None)
    info = read_template(template_path)
    if manifest_doc is not None:
        t = manifest_doc["template"]
        if (t.get("id"), str(t.get("version"))) != (info.template_id, info.version):
            raise ValueError(
                f"the manifest is for {t.get('id')} {t.get('version')}, the template is "
                f"{info.template_id} {info.version}"
            )
    regions = {str(e["region"]).lower(): e for e in manifest_doc["regions"]} if manifest_doc is not None else None
    paths = [str(p) for p in files]
    results = _inspect_all(paths, info, regions, jobs, progress, limits)
    _recalculate_with_libreoffice([r for r in results if r.needs_libreoffice and not r.reasons], info, libreoffice)

    report = RollupReport(info)
    seen: dict[str, str] = {}
    for r in results:
        if r.ok and r.region is not None:
            first = seen.get(r.region.lower())
            if first is not None:
                r.reasons.append(f"region {r.region!r} already consolidated from {first}")
            else:
                seen[r.region.lower()] = r.path
        (report.included if r.ok else report.left_out).append(r)
    if regions is not None:
        returned = {r.region.lower() for r in results if r.region}
        names = {Path(r.path).name for r in results}
        returned |= {k for k, e in regions.items() if e.get("file") in names}
        report.missing_regions = [
            {"region": e["region"], "file": e.get("file")} for k, e in regions.items() if k not in returned
        ]
    report.included.sort(key=lambda r: (r.region or "").lower())
    report.rules = aggregation_rules(info, report.included)
    report.totals = compute_totals(report.included, report.rules)
    report.block_totals = block_totals(info, report.included)
    from gtm_xl.workflows.rollup.output import write_csv, write_db, write_workbook

    report.written.append(str(write_workbook(report, Path(out))))
    if csv_dir is not None:
        report.written += [str(p) for p in write_csv(report, Path(csv_dir))]
    if db is not None:
        try:
            report.written.append(write_db(report, db))
        except Exception as exc:  # noqa: BLE001 - a server that failed after the check: one line, no traceback
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ValueError(f"--db: writing the tables failed ({type(exc).__name__}: {first})") from exc
    report.seconds = time.perf_counter() - started
    return report


def check_outputs(
    files: Sequence[str | Path],
    out: str | Path,
    *,
    csv_dir: str | Path | None = None,
    db: str | None = None,
    others: Sequence[str | Path] = (),
) -> None:
    """Raise ValueError (one line) when an output cannot be written or would overwrite an input:
    ``out`` a returned file, the template or the manifest, a folder, read-only, open in Excel or
    in a folder that is not writable; ``csv_dir`` a file or not writable; ``db`` not a usable
    database (:func:`check_db`). Run before the first write, so a bad path never leaves a
    half-done roll-up behind."""
    from gtm_xl.excel.atomic import TargetRefused, check_target, same_file

    inputs = [*files, *others]
    for path, what in ((out, "--out"),):
        for item in inputs:
            if Path(path).exists() and Path(item).exists() and same_file(path, item):
                raise ValueError(f"{what} {path} is the input {item}: refused, it would be overwritten")
        try:
            check_target(path, make_dirs=True)
        except TargetRefused as exc:
            raise ValueError(f"{what} {exc}") from None
    if csv_dir is not None:
        folder = Path(csv_dir)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"--csv {folder} is a file, not a folder")
        existing = next((p for p in [folder, *folder.parents] if p.exists()), Path("."))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ValueError(f"--csv {folder}: folder {existing} is not writable")
    if db is not None:
        check_db(db, inputs)


def check_db(value: str, inputs: Sequence[str | Path] = ()) -> None:
    """Raise ValueError when ``value`` is not a database the roll-up can write to and keep: not a
    SQLAlchemy URL, an in-memory SQLite database (it would vanish with the process: "success",
    nothing stored), an SQLite file that is a folder, an input or not writable, or a server that
    does not answer (connected once, before anything is written)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from gtm_xl.excel.atomic import TargetRefused, check_target, same_file

    url_text = db_url(value)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise ValueError(f"--db {value!r} is not a database URL ({exc})") from None
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:") or "mode=memory" in str(url):
            raise ValueError(f"--db {shown} is an in-memory database: nothing would be kept; give a file")
        path = Path(database)
        for item in inputs:
            if path.exists() and Path(item).exists() and same_file(path, item):
                raise ValueError(f"--db {path} is the input {item}: refused, it would be overwritten")
        try:
            check_target(path)
        except TargetRefused as exc:
            raise ValueError(f"--db {exc}") from None
        if path.is_file() and path.stat().st_size and not _head(path).startswith(b"SQLite format 3"):
            raise ValueError(f"--db {path} exists and is not an SQLite database: refused, it would be overwritten")
        return
    try:
        engine = create_engine(url_text)
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise ValueError(f"--db {shown}: cannot use this database ({type(exc).__name__}: {exc})") from None
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"--db {shown}: cannot connect ({first})") from None
    finally:
        engine.dispose()


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(16)


def db_url(value: str) -> str:
    """A SQLAlchemy URL as given (``dialect://…``), or a file path → ``sqlite:///path``."""
    if "://" in value:
        return value
    return "sqlite:///" + os.path.abspath(value)
