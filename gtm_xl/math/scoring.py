"""Industry scoring: weighted scores and traffic-light tiers (key / general / non-key).

A scores block is rows × criteria (one row per industry, segment or account); weights are one
per criterion. Blanks are ``None`` or NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from gtm_xl.errors import CellError, DivZeroError, NumError, ShapeError, error_from_code
from gtm_xl.math.numeric import Outcome, as_float, as_scalar, as_text

__all__ = ["DEFAULT_THRESHOLDS", "DEFAULT_LABELS", "tier", "weighted_score"]

DEFAULT_THRESHOLDS = (7.0, 4.0)
DEFAULT_LABELS = ("A", "B", "C")


def weighted_score(
    scores: Any, weights: Any, missing: str = "reweight", scale_min: Any = 0.0, scale_max: Any = 10.0
) -> Any:
    """Weighted score per row: ``Σ w·s / Σ w``.

    ``scores``: one row of criteria (gives a float) or a rows × criteria block (gives one score
    per row). ``weights``: one per criterion (a row or a column), blanks count as 0; a negative
    weight, or weights summing to 0, → ``#NUM!``; a count that does not match the criteria →
    ``#N/A``. ``missing="reweight"`` (default) drops blank scores and their weights;
    ``missing="zero"`` counts a blank as 0. Per row: a score outside ``[scale_min, scale_max]``
    (default 0–10) → ``#NUM!``; an all-blank row → ``#N/A``; a row whose answered criteria
    all weigh 0 → ``#DIV/0!``. Under "reweight" the result stays inside the scale.
    """
    s = as_float(scores, "scores")
    w = as_float(weights, "weights").reshape(-1)
    mode = as_text(missing, "missing", ("reweight", "zero"), "reweight")
    lo = as_scalar(scale_min, "scale_min", 0.0)
    hi = as_scalar(scale_max, "scale_max", 10.0)
    if lo >= hi:
        raise NumError(f"scale_min {lo:g} must be below scale_max {hi:g}", "scale_min")
    single = s.ndim <= 1
    block = s.reshape(1, -1) if single else s.reshape(s.shape[0], -1) if s.ndim == 2 else None
    if block is None:
        raise ShapeError("must be a row or a rows × criteria block", "scores")
    if block.shape[1] != w.size:
        raise ShapeError(f"{w.size} weights for {block.shape[1]} criteria", "weights")
    w = np.nan_to_num(w, nan=0.0)
    if (w < 0).any():
        raise NumError(f"must not be negative, got {w[w < 0][0]:g}", "weights")
    if not w.sum() > 0:
        raise NumError("must sum to more than 0", "weights")

    blank = np.isnan(block)
    any_blank = bool(blank.any())
    filled = np.where(blank, 0.0, block) if any_blank else block
    rows = block.shape[0]
    out = Outcome((rows,), scalar=single)
    if any_blank:
        blank_f = blank.astype(np.float64)  # BLAS row sums: much faster than .all(axis=1) on narrow rows
        empty = blank_f @ np.ones(block.shape[1]) == block.shape[1]
        out.flag(empty, ShapeError, "the row has no scores", "scores")
        # under "zero" a blank counts as 0, which must itself lie inside the scale
        checked = filled if mode == "zero" else np.where(blank, lo, block)
    else:
        checked = block
    if checked.min(initial=lo) < lo or checked.max(initial=hi) > hi:  # whole-block test first: cheap
        outside = ((checked < lo) | (checked > hi)).any(axis=1)
        out.flag(outside, NumError, f"a score lies outside [{lo:g}, {hi:g}]", "scores")
    num = filled @ w
    if mode == "reweight" and any_blank:
        den = (1.0 - blank_f) @ w
        out.flag(den == 0, DivZeroError, "only criteria of weight 0 are scored", "scores")
        with np.errstate(divide="ignore", invalid="ignore"):
            values = num / np.where(den == 0, 1.0, den)
    else:
        values = num / w.sum()
    return out.finish(values)


def _thresholds(thresholds: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(DEFAULT_THRESHOLDS if thresholds is None else as_float(thresholds, "thresholds"), float).reshape(-1)
    t = t[~np.isnan(t)]
    if t.size == 0:
        raise ShapeError("needs at least one threshold", "thresholds")
    if (np.diff(t) >= 0).any():
        raise NumError("must be in descending order", "thresholds")
    if labels is None:
        lab = list(DEFAULT_LABELS) if t.size == 2 else [chr(65 + i) for i in range(t.size + 1)]
    else:
        lab = [x for x in np.asarray(labels, dtype=object).reshape(-1).tolist() if x is not None and x != ""]
        for x in lab:
            if isinstance(x, CellError):
                raise error_from_code(x.code, f"holds the error {x.code}", "labels")
    if len(lab) != t.size + 1:
        raise ShapeError(f"{len(lab)} labels for {t.size} thresholds (needs one more label than thresholds)", "labels")
    return t, np.array(
        [x if isinstance(x, str) else f"{x:g}" if isinstance(x, float) else str(x) for x in lab], dtype=object
    )


def tier(score: Any, thresholds: Sequence[float] | Any = None, labels: Sequence[str] | Any = None) -> Any:
    """Traffic-light tier of a score: the first label whose threshold the score reaches.

    ``thresholds`` descending, lower bound inclusive (default 7 and 4 → labels A, B, C: A ≥ 7,
    B ≥ 4, C below); there is one more label than thresholds. A blank score → ``#N/A``; an
    error value in the score is passed through. Returns a label (scalar call) or an object
    array of labels shaped like ``score``.
    """
    t, lab = _thresholds(thresholds, labels)
    if isinstance(score, CellError):
        raise error_from_code(score.code, f"holds the error {score.code}", "score")
    arr = np.asarray(score, dtype=object) if not isinstance(score, np.ndarray) else score
    errors = None
    if arr.dtype == object and arr.size and any(isinstance(v, CellError) for v in arr.reshape(-1).tolist()):
        errors = np.array(
            [v if isinstance(v, CellError) else None for v in arr.reshape(-1).tolist()], dtype=object
        ).reshape(arr.shape)
        arr = np.where(errors == None, arr, np.nan)  # noqa: E711 - elementwise comparison
    s = as_float(arr, "score")
    # position = how many thresholds lie above the score (lower bound inclusive)
    idx = np.searchsorted(-t, -s, side="left")
    out = Outcome(s.shape, scalar=s.ndim == 0)
    out.flag(np.isnan(s), ShapeError, "no score", "score")
    if out.scalar:
        out.finish(np.zeros(()))  # raises for a blank score
        return str(lab[int(idx)])
    labels_out = lab[np.minimum(idx, t.size)]
    if out.any:
        labels_out = np.where(out.codes > 0, out.finish(np.zeros(s.shape)), labels_out)
    if errors is not None:
        labels_out = np.where(errors == None, labels_out, errors)  # noqa: E711
    return labels_out
