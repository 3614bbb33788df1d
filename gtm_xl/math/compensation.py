"""Sales compensation: commission with accelerators above target."""

from __future__ import annotations

from typing import Any

import numpy as np

from gtm_xl.errors import NumError, ShapeError
from gtm_xl.math.numeric import Outcome, as_float, as_text

__all__ = ["DEFAULT_TIERS", "commission"]

#: (attainment threshold, bonus): 120% of target → +20%, 150% → +50%.
DEFAULT_TIERS = ((1.2, 0.2), (1.5, 0.5))


def _tiers(tiers: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(DEFAULT_TIERS, dtype=float) if tiers is None else as_float(tiers, "tiers")
    if t.ndim == 1 and t.size == 2:
        t = t.reshape(1, 2)
    if t.ndim != 2 or 2 not in t.shape:
        raise ShapeError("needs (threshold, bonus) pairs: a block of two columns", "tiers")
    if t.shape[1] != 2:
        t = t.T
    t = t[~np.isnan(t).all(axis=1)]
    if np.isnan(t).any():
        raise ShapeError("a tier lacks its threshold or its bonus", "tiers")
    if (t[:, 0] < 1).any():
        raise NumError("tier thresholds start at 100% of target (1.0)", "tiers")
    if (t[:, 1] < 0).any():
        raise NumError("a bonus must not be negative", "tiers")
    order = np.argsort(t[:, 0], kind="stable")
    return t[order, 0], t[order, 1]


def commission(attainment: Any, base: Any, tiers: Any = None, below: str = "prorata") -> Any:
    """Payout at an attainment (1.0 = 100% of target) with accelerators.

    At attainment ≥ 1 the payout is ``base·(1 + bonus)`` with the bonus of the highest tier
    reached (``tiers``: (threshold, bonus) pairs, default (1.2, 0.2) and (1.5, 0.5), so 100%
    pays the base commission, 120% pays +20%, 150% pays +50%). Below 1: ``below="prorata"``
    (default) pays ``base·attainment``, ``"zero"`` pays nothing. A negative attainment or
    base → ``#NUM!``.
    """
    thresholds, bonuses = _tiers(tiers)
    mode = as_text(below, "below", ("prorata", "zero"), "prorata")
    a = np.nan_to_num(as_float(attainment, "attainment"), nan=0.0)
    b = np.nan_to_num(as_float(base, "base"), nan=0.0)
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise ShapeError(f"attainment {a.shape} and base {b.shape} do not fit", "base") from None
    out = Outcome(a.shape, scalar=a.ndim == 0)
    out.flag(a < 0, NumError, "must not be negative", "attainment")
    out.flag(b < 0, NumError, "must not be negative", "base")
    reached = np.searchsorted(thresholds, a, side="right") - 1
    # a tiers range left all blank holds no tier: no accelerator (never an index into nothing)
    bonus = np.where(reached >= 0, bonuses[np.maximum(reached, 0)], 0.0) if bonuses.size else np.zeros(a.shape)
    below_target = b * a if mode == "prorata" else np.zeros_like(b)
    return out.finish(np.where(a >= 1, b * (1.0 + bonus), below_target))
