"""Sales funnels (Lead → MQL → SQL → Won …): stage conversion, checked layer by layer, and the
reverse funnel that says what each stage must deliver for a revenue target."""

from __future__ import annotations

from typing import Any

import numpy as np

from gtm_xl.errors import DivZeroError, NumError, ShapeError
from gtm_xl.math.numeric import Outcome, as_float, finite_result

__all__ = ["losing_stage", "reverse_funnel", "stage_conversion"]


def _stages(counts: Any, argument: str) -> tuple[np.ndarray, bool]:
    """Counts as stages × funnels; ``True`` when the stages run down a column."""
    arr = as_float(counts, argument)
    if arr.ndim == 0:
        raise ShapeError("needs at least two stages", argument)
    if arr.ndim == 1:
        return arr.reshape(1, -1), False
    if arr.shape[1] == 1 and arr.shape[0] > 1:
        return arr.reshape(1, -1), True
    return arr, False


def stage_conversion(counts: Any, cumulative: bool = False) -> Any:
    """Conversion between successive stages: ``n`` counts give ``n − 1`` rates.

    Rate ``i`` is ``counts[i+1]/counts[i]`` (with ``cumulative``, ``counts[i+1]/counts[0]``).
    A zero stage gives ``#DIV/0!`` in the elements that divide by it only; a blank stage
    gives ``#N/A`` there; a negative count → ``#NUM!``. A row or column of counts is one
    funnel and the rates keep its orientation; a block with several rows and columns holds
    one funnel per row.
    """
    block, column = _stages(counts, "counts")
    if block.shape[1] < 2:
        raise ShapeError("needs at least two stages", "counts")
    if (block[~np.isnan(block)] < 0).any():
        raise NumError("a stage count is negative", "counts")
    num = block[:, 1:]
    den = np.broadcast_to(block[:, :1], num.shape) if cumulative else block[:, :-1]
    out = Outcome(num.shape, scalar=False)
    out.flag(np.isnan(num) | np.isnan(den), ShapeError, "a stage is blank", "counts")
    out.flag(den == 0, DivZeroError, "a stage is 0: nothing converts from it", "counts")
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    rates = out.finish(rates)
    if isinstance(counts, (list, tuple)) and np.ndim(counts) == 1:
        return rates.reshape(-1)
    return rates.reshape(-1, 1) if column else rates


def losing_stage(counts: Any) -> int:
    """1-based index of the stage transition with the lowest conversion (where most customers
    are lost); ties go to the earlier stage. Errors as :func:`stage_conversion`."""
    rates = stage_conversion(counts)
    flat = np.asarray(rates, dtype=object).reshape(-1)
    if any(not isinstance(x, float) for x in flat.tolist()):
        raise ShapeError("a stage conversion is an error value", "counts")
    return int(np.argmin(flat.astype(float))) + 1


def _ceil(x: np.ndarray) -> np.ndarray:
    nearest = np.round(x)
    return np.where(np.abs(x - nearest) <= 1e-9 * np.maximum(1.0, np.abs(x)), nearest, np.ceil(x))


def reverse_funnel(target_revenue: Any, avg_deal: Any, rates: Any) -> Any:
    """What each stage must deliver for a revenue target.

    ``won = ⌈target_revenue/avg_deal⌉``, then each earlier stage ``= ⌈next/rate⌉`` going up
    the funnel; returns the counts first stage first (one more than the rates), in the
    orientation of ``rates``. Rates lie in (0, 1] (``0`` → ``#DIV/0!``, outside → ``#NUM!``);
    ``avg_deal = 0`` → ``#DIV/0!``; a negative target or deal size → ``#NUM!``; a blank target
    counts as 0. Several targets (a column, with one deal size or one per target) give one row
    of counts per target, vectorised: the funnels of every region at once.
    """
    targets = as_float(target_revenue, "target_revenue").reshape(-1)
    deals = as_float(avg_deal, "avg_deal").reshape(-1)
    if targets.size != 1 and deals.size not in (1, targets.size):
        raise ShapeError(f"needs one deal size or one per target ({targets.size}), got {deals.size}", "avg_deal")
    if np.isnan(deals).any():
        raise ShapeError("a deal size is blank", "avg_deal")
    targets = np.nan_to_num(targets, nan=0.0)
    r_in = as_float(rates, "rates")
    r = r_in.reshape(-1)
    if (targets < 0).any():
        raise NumError("must not be negative", "target_revenue")
    if (deals < 0).any():
        raise NumError("must not be negative", "avg_deal")
    if (deals == 0).any():
        raise DivZeroError("is 0", "avg_deal")
    if np.isnan(r).any():
        raise ShapeError("a rate is blank", "rates")
    if (r == 0).any():
        raise DivZeroError("a rate is 0: no count upstream can deliver", "rates")
    if ((r < 0) | (r > 1)).any():
        raise NumError("rates must lie in (0, 1]", "rates")
    n = max(targets.size, deals.size)
    counts = np.empty((n, r.size + 1))
    counts[:, -1] = _ceil(np.broadcast_to(targets / deals, (n,)))
    for i in range(r.size - 1, -1, -1):  # one step per stage (a handful), each over every target
        counts[:, i] = _ceil(counts[:, i + 1] / r[i])
    finite_result(counts)  # a target of 1e308 for a deal of 1e-10: #NUM!, never inf
    if n > 1:
        return counts
    counts = counts[0]
    if r_in.ndim == 2 and r_in.shape[1] == 1 and r_in.shape[0] > 1:
        return counts.reshape(-1, 1)
    if r_in.ndim == 2:
        return counts.reshape(1, -1)
    return counts
