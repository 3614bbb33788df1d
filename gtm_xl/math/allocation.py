"""Splitting a target or a budget by weights: the largest-remainder method with units and locks.

``split_target(12_000_000, [2, 3, 4, 3])`` → 2,000,000 / 3,000,000 / 4,000,000 / 3,000,000.
The parts always sum exactly to the total, so a plan's check cells never show a rounding gap.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor
from typing import Any

import numpy as np

from gtm_xl.errors import NumError, ShapeError
from gtm_xl.math.numeric import as_float, as_scalar, finite_result

__all__ = ["split_target"]

_SNAP = 1e-12  # quotas this close (relative) to a whole number of units count as that number


def _snap(x: np.ndarray) -> np.ndarray:
    nearest = np.round(x)
    return np.where(np.abs(x - nearest) <= _SNAP * np.maximum(1.0, np.abs(x)), nearest, x)


_EXACT = float(2**53)  # from here on not every whole number is a float


def _exact_row(total: float, weights: np.ndarray, lock: np.ndarray, unit: float) -> np.ndarray:
    """One row of :func:`split_target` in exact rational arithmetic (the same rule: floors of the
    quotas in units, the leftover units to the largest fractions, ties to the larger weight, then
    the earlier position; the residual below one unit to the largest part). The parts are
    returned as floats only when each float is exactly its part, so they sum exactly to the
    total; otherwise :class:`NumError`."""
    n = len(weights)
    free = [bool(x != x) for x in lock]
    t = Fraction(total)
    remaining = t - sum((Fraction(float(x)) for x, f in zip(lock, free) if not f), Fraction(0))
    if not any(free):
        if remaining != 0:
            raise NumError("every part is locked but the locked parts do not sum to the total", "locked")
        return np.asarray(lock, dtype=np.float64).copy()
    if remaining * t < 0 or (t == 0 and remaining != 0):
        raise NumError("the locked parts exceed the total", "locked")
    sign = -1 if remaining < 0 else 1
    amount, u = abs(remaining), Fraction(unit)
    units = floor(amount / u)
    eff = [Fraction(float(x)) if f else Fraction(0) for x, f in zip(weights, free)]
    if sum(eff) == 0:
        eff = [Fraction(int(f)) for f in free]
    weight_sum = sum(eff)
    quotas = [e * units / weight_sum for e in eff]
    base = [floor(q) for q in quotas]
    order = sorted(range(n), key=lambda i: (-(quotas[i] - base[i]) if free[i] else 1, -eff[i], i))
    parts = [Fraction(b) * u for b in base]
    for i in order[: units - sum(base)]:
        parts[i] += u
    residual = amount - units * u
    if residual > 0:
        largest = min((i for i in range(n) if free[i]), key=lambda i: (-parts[i], -eff[i], i))
        parts[largest] += residual
    exact = [sign * p if f else Fraction(float(x)) for p, f, x in zip(parts, free, lock)]
    try:
        out = np.array([float(p) for p in exact], dtype=np.float64)
    except OverflowError:
        raise NumError("is not a finite number (overflow)", "result") from None
    if any(Fraction(float(x)) != p for x, p in zip(out, exact)):
        raise NumError(
            f"cannot be split exactly: a part of {float(total):.17g} is not a number a float holds exactly "
            "(beyond 2^53 only some whole numbers are); use a larger unit",
            "total",
        )
    return out


def _first_by(keys: list[np.ndarray], rows: int, cols: int) -> np.ndarray:
    """Per row, the column order given by ``keys`` (most significant first, ascending)."""
    index = np.broadcast_to(np.arange(cols, dtype=np.float64), (rows, cols))
    return np.lexsort([index, *reversed(keys)], axis=-1)


def split_target(total: Any, weights: Any, unit: Any = 1, locked: Any = None) -> Any:
    """Split ``total`` into parts proportional to ``weights``, each a multiple of ``unit``.

    Rule (largest remainder): every part gets the floor of its quota in units; the units left
    over go one each to the largest fractional parts, ties to the larger weight, then to the
    earlier position. So the parts sum exactly to ``total`` and a larger weight never gets a
    smaller part. Edge cases:

    * blank weights count as 0; weights all 0 → an even split; a negative weight → ``#NUM!``;
    * ``unit`` must be positive (``#NUM!``); when ``total`` is not a multiple of ``unit``
      the residual goes to the largest part (ties as above);
    * ``locked`` (same shape as ``weights``): its non-blank cells keep their value and the
      other parts share ``total − Σlocked``; locks exceeding the total, or every part locked
      without summing to the total → ``#NUM!``;
    * a negative total splits like a positive one with the sign restored.

    Shapes: ``weights`` a row, a column or a list gives parts of the same shape. A rows × k
    block splits row by row; ``total`` is then one number for every row or one per row, and
    a single row of weights with several totals splits each total by the same weights.
    """
    u = as_scalar(unit, "unit", 1.0)
    if not u > 0:
        raise NumError(f"must be positive, got {u:g}", "unit")
    w_in = as_float(weights, "weights")
    t_in = as_float(total, "total")
    if w_in.size == 0:
        raise ShapeError("is empty", "weights")
    if np.isnan(t_in).any():
        raise ShapeError("is blank", "total")
    vector, w, totals = _rows_of_weights(w_in, t_in)
    lock = _locks(locked, w_in, w, vector)
    is_locked = ~np.isnan(lock)
    free = ~is_locked
    remaining, no_free = _remaining(totals, lock, is_locked, free)
    sign = np.where(remaining < 0, -1.0, 1.0)
    amount = np.abs(remaining)
    eff, weight_sum = _effective_weights(w, free, no_free)
    units = np.floor(_snap(amount / u))
    parts = _largest_remainder(units, eff, weight_sum, free) * u
    residual = amount - units * u
    rows, cols = w.shape
    if (residual > 0).any():
        largest = _first_by([np.where(free, -parts, np.inf), -eff], rows, cols)[:, 0]
        parts[np.arange(rows), largest] += residual
    parts = np.where(is_locked, lock, parts * sign[:, None])
    # float rounding in fractional units: put any last difference on the largest free part
    gap = totals - parts.sum(axis=1)
    if np.any(gap != 0) and u != np.floor(u):
        largest = _first_by([np.where(free, -np.abs(parts), np.inf), -eff], rows, cols)[:, 0]
        parts[np.arange(rows), largest] += np.where(no_free, 0.0, gap)

    # beyond 2**53 a float no longer holds every whole number: those rows are split again in
    # exact rational arithmetic, and a part no float holds exactly is #NUM!, never a near miss
    big = (np.abs(totals) >= _EXACT) | (amount / u >= _EXACT)
    for row in np.flatnonzero(big):
        parts[row] = _exact_row(float(totals[row]), w[row], lock[row], u)

    finite_result(parts)  # weights of 1e308 and the like: #NUM!, never inf or nan
    if vector:
        if totals.size > 1 and t_in.size > 1:
            return parts
        return parts.reshape(w_in.shape) if w_in.ndim else float(parts[0, 0])
    return parts


def _rows_of_weights(w_in: np.ndarray, t_in: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray]:
    """(weights given as one vector, weights as rows × k, one total per row); blank weights are 0."""
    vector = w_in.ndim <= 1 or 1 in w_in.shape
    w = w_in.reshape(1, -1) if vector else w_in
    totals = t_in.reshape(-1)
    if totals.size > 1 and w.shape[0] == 1:
        w = np.broadcast_to(w, (totals.size, w.shape[1]))
    if totals.size not in (1, w.shape[0]):
        raise ShapeError(f"{totals.size} totals for {w.shape[0]} rows of weights", "total")
    totals = np.broadcast_to(totals, (w.shape[0],))
    w = np.nan_to_num(w, nan=0.0)
    if (w < 0).any():
        raise NumError(f"must not be negative, got {w[w < 0][0]:g}", "weights")
    return vector, w, totals


def _locks(locked: Any, w_in: np.ndarray, w: np.ndarray, vector: bool) -> np.ndarray:
    """The locked value of each part (rows × k), NaN where the part is free."""
    rows, cols = w.shape
    if locked is None:
        return np.full((rows, cols), np.nan)
    l_in = as_float(locked, "locked")
    if l_in.size != w_in.size and not (l_in.size * rows == w.size and vector):
        raise ShapeError(f"has {l_in.size} cells for {w_in.size} weights", "locked")
    return np.broadcast_to(l_in.reshape(1, cols) if vector else l_in.reshape(rows, cols), (rows, cols))


def _remaining(
    totals: np.ndarray, lock: np.ndarray, is_locked: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(what the free parts of each row share, rows with no free part); locks that cannot be met raise."""
    remaining = totals - np.where(is_locked, lock, 0.0).sum(axis=1)
    remaining = np.where(np.abs(remaining) <= _SNAP * np.maximum(1.0, np.abs(totals)), 0.0, remaining)
    no_free = np.asarray(~free.any(axis=1))
    if (no_free & (remaining != 0)).any():
        raise NumError("every part is locked but the locked parts do not sum to the total", "locked")
    if ((remaining * totals < 0) | ((totals == 0) & (remaining != 0))).any():
        raise NumError("the locked parts exceed the total", "locked")
    return remaining, no_free


def _effective_weights(w: np.ndarray, free: np.ndarray, no_free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the free parts' weights, their sum per row); a row whose free weights are all 0 splits evenly."""
    eff = np.where(free, w, 0.0)
    weight_sum = eff.sum(axis=1)
    even = (weight_sum == 0) & ~no_free
    eff = np.where(even[:, None], free.astype(np.float64), eff)
    weight_sum = np.where(even, free.sum(axis=1), weight_sum)
    return eff, weight_sum


def _largest_remainder(units: np.ndarray, eff: np.ndarray, weight_sum: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Each row's ``units`` shared by ``eff``: the floor of each quota, then one more unit each to the
    largest fractions (ties to the larger weight, then the earlier position)."""
    rows, cols = eff.shape
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        quota = _snap(eff * units[:, None] / np.where(weight_sum == 0, 1.0, weight_sum)[:, None])
    base = np.floor(quota)
    fraction = np.where(free, quota - base, -1.0)
    leftover = (units - base.sum(axis=1)).astype(np.int64)
    order = _first_by([-fraction, -eff], rows, cols)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(cols), (rows, cols)), axis=-1)
    return base + (rank < leftover[:, None])
