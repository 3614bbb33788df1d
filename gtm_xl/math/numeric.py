"""Coercion of cell values into numpy arrays for the GTM math, with Excel's error rules.

Inputs come as Python scalars, nested lists (xlwings hands ranges over as lists of rows),
numpy arrays of floats, or object arrays holding ``None`` for blanks, text and
:class:`~gtm_xl.errors.CellError` values. The rules:

* ``None``, NaN and the empty text ``""`` are blanks (NaN in the returned float array). An
  empty text is what ``IF(x="","",…)`` leaves in a cell; Excel's SUM/AVERAGE skip it in a range,
  so every GTM function treats it as a blank cell — in a range and in a single-cell argument
  alike (a blank then follows the function's own blank rule: 0 in arithmetic, dropped from a
  weighted score, "no score" for a tier, an omitted optional argument);
* text, booleans and other objects where a number is needed raise :class:`ValueTypeError`
  (``#VALUE!``) naming the argument and the position;
* ``±inf`` is never a number: an infinite input raises :class:`NumError` (``#NUM!``) naming the
  argument and the position, and a result that is not finite (an overflow such as
  ``1e308/1e-10``) becomes ``#NUM!`` too (:meth:`Outcome.finish`, :func:`finite_result`), so a
  GTM function never returns ``inf`` or ``nan``;
* a :class:`CellError` in the input is propagated: the function raises that error, as Excel
  propagates ``#N/A`` from a referenced cell.

:class:`Outcome` collects per-element errors while a function computes, and finishes either
by raising (scalar call) or by marking the offending elements (array call).
"""

from __future__ import annotations

import math
from typing import Any, overload

import numpy as np

from gtm_xl.errors import CellError, GTMError, NumError, ShapeError, ValueTypeError, error_from_code

__all__ = [
    "Outcome",
    "as_float",
    "as_scalar",
    "as_text",
    "finite_result",
    "is_blank",
    "is_scalar_input",
    "plain_number",
]

_NUMBER_TYPES = (float, int, np.floating, np.integer)
_PLAIN = {float, int, type(None), np.float64, np.float32, np.int64, np.int32}
_NOT_FINITE = "is not a finite number"


def is_blank(value: Any) -> bool:
    """True for a blank cell value: ``None``, NaN or the empty text ``""``."""
    return value is None or (type(value) is str and value == "") or (type(value) is float and value != value)


def plain_number(value: Any, argument: str) -> float | None:
    """The fast path of a single plain value (``int``/``float``/``None``/``""``): a float, NaN for a
    blank, ``None`` when ``value`` is anything else (the caller takes :func:`as_float`'s path).

    An infinite value raises :class:`NumError` naming ``argument``.
    """
    t = type(value)
    if t is float:
        if value - value != 0.0 and value == value:  # ±inf (inf - inf is nan; nan stays a blank)
            raise NumError(_NOT_FINITE + f", got {value!r}", argument)
        return value
    if t is int:
        return float(value)
    if value is None or (t is str and value == ""):
        return math.nan
    return None


def is_scalar_input(value: Any) -> bool:
    """True when ``value`` is a single value rather than a range or list."""
    return np.ndim(value) == 0


def _describe_position(shape: tuple[int, ...], flat_index: int) -> str:
    if len(shape) <= 1:
        return f"element {flat_index + 1}"
    row, col = np.unravel_index(flat_index, shape)[-2:]
    return f"row {row + 1}, column {col + 1}"


def as_float(value: Any, argument: str) -> np.ndarray:
    """``value`` as a float64 array (0-d for a scalar), blanks as NaN.

    Blanks (``None``, NaN, ``""``) become NaN. Raises :class:`ValueTypeError` for other
    text/booleans, :class:`NumError` for ``±inf``, and re-raises a :class:`CellError` found in
    the input as its :class:`GTMError`.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return _finite(value.astype(np.float64, copy=False), argument)
    if isinstance(value, _NUMBER_TYPES) and not isinstance(value, (bool, np.bool_)):
        return _finite(np.asarray(float(value)), argument)
    if value is None or (type(value) is str and value == ""):
        return np.asarray(np.nan)
    arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    if arr.dtype.kind == "b":
        _reject(arr.reshape(-1)[0] if arr.size else True, argument, arr.shape, 0)
    if arr.dtype.kind == "U":  # all texts: only empty ones are blanks
        arr = arr.astype(object)
    flat = arr.reshape(-1)
    if arr.dtype == object and not set(map(type, flat.tolist())) <= _PLAIN:
        items = flat.tolist()
        for i, item in enumerate(items):
            if type(item) is str and item == "":
                items[i] = None
            elif type(item) not in _PLAIN and not (
                isinstance(item, _NUMBER_TYPES) and not isinstance(item, (bool, np.bool_))
            ):
                _reject(item, argument, arr.shape, i)
        arr = np.array(items, dtype=object).reshape(arr.shape)
    try:
        out = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueTypeError(f"is not a rectangular range of numbers ({exc})", argument) from None
    return _finite(out, argument)


def _finite(arr: np.ndarray, argument: str) -> np.ndarray:
    """``arr`` unchanged, or :class:`NumError` at its first infinite element."""
    if arr.size and np.isinf(arr).any():
        index = int(np.flatnonzero(np.isinf(arr))[0])
        where = "" if arr.shape == () else f" at {_describe_position(arr.shape, index)}"
        raise NumError(f"{_NOT_FINITE}{where}, got {float(arr.reshape(-1)[index])!r}", argument)
    return arr


def finite_result(values: Any, argument: str | None = None) -> Any:
    """``values`` (a float or a float array) unchanged when every number is finite, else
    :class:`NumError` ("the result is not a finite number"): for the results of functions
    that do not mark elements one by one (splits, reverse funnel)."""
    if isinstance(values, float):
        ok = values - values == 0.0
    else:
        arr = np.asarray(values, dtype=np.float64)
        ok = bool(np.isfinite(arr).all())
    if not ok:
        raise NumError("is not a finite number (overflow)", argument or "result")
    return values


def _reject(item: Any, argument: str, shape: tuple[int, ...], index: int) -> None:
    where = "" if shape == () else f" at {_describe_position(shape, index)}"
    if isinstance(item, CellError):
        raise error_from_code(item.code, f"holds the error {item.code}{where}", argument)
    raise ValueTypeError(f"needs a number{where}, got {item!r}", argument)


@overload
def as_scalar(value: Any, argument: str, default: float) -> float: ...
@overload
def as_scalar(value: Any, argument: str, default: None = None) -> float | None: ...
def as_scalar(value: Any, argument: str, default: float | None = None) -> float | None:
    """One number from a scalar or a 1×1 range; a blank gives ``default``."""
    arr = as_float(value, argument)
    if arr.size != 1:
        raise ShapeError(f"needs a single value, got {arr.size} cells", argument)
    x = float(arr.reshape(-1)[0])
    return default if np.isnan(x) else x


def as_text(value: Any, argument: str, choices: tuple[str, ...], default: str) -> str:
    """A keyword option such as ``missing="reweight"``: case-insensitive, blank gives ``default``."""
    if isinstance(value, (list, tuple, np.ndarray)):
        flat = np.asarray(value, dtype=object).reshape(-1)
        if flat.size != 1:
            raise ValueTypeError(f"needs one of {', '.join(choices)}", argument)
        value = flat[0]
    if value is None or value == "":
        return default
    if isinstance(value, CellError):
        raise error_from_code(value.code, f"holds the error {value.code}", argument)
    text = str(value).strip().lower()
    if text not in choices:
        raise ValueTypeError(f"must be one of {', '.join(choices)}, got {value!r}", argument)
    return text


class Outcome:
    """Per-element error flags for a result of a given shape.

    ``flag(mask, ErrorClass, message, argument)`` marks elements; the first flag on an element
    wins. ``finish(values)`` raises the first flagged error when the call was scalar, and
    otherwise returns ``values`` with flagged elements replaced by :class:`CellError`.
    """

    def __init__(self, shape: tuple[int, ...], scalar: bool) -> None:
        self.shape = shape
        self.scalar = scalar
        self.codes = np.zeros(shape, dtype=np.int8)
        self._errors: list[GTMError] = []

    def flag(self, mask: Any, error: type[GTMError], message: str, argument: str | None = None) -> None:
        if self.scalar and isinstance(mask, (bool, np.bool_)):  # scalar fast path: fail at once
            if mask:
                raise error(message, argument)
            return
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), self.shape) & (self.codes == 0)
        if not mask.any():
            return
        self._errors.append(error(message, argument))
        self.codes[mask] = len(self._errors)

    @property
    def any(self) -> bool:
        return bool(self._errors)

    def finish(self, values: Any) -> Any:
        """Raise or mark the flagged errors; an unflagged element that is not finite (an
        overflow) becomes ``#NUM!`` as well, so no ``inf``/``nan`` ever leaves a function."""
        if self.scalar:
            if isinstance(values, float):
                if values - values != 0.0:  # inf or nan
                    raise NumError("is not a finite number (overflow)", "result")
                return values
            if self._errors:
                raise self._errors[int(self.codes.reshape(-1)[0]) - 1]
            return finite_result(float(np.asarray(values).reshape(-1)[0]))
        arr = np.asarray(values, dtype=np.float64)
        if not np.isfinite(arr).all():
            self.flag(~np.isfinite(arr), NumError, "is not a finite number (overflow)", "result")
        if not self._errors:
            return values
        out = np.asarray(values, dtype=np.float64).astype(object)
        for k, err in enumerate(self._errors, start=1):  # each element keeps its error's message
            out[self.codes == k] = err.cell_error
        return out
