"""Coercion of cell values into numpy arrays for the GTM math, with Excel's error rules.

Inputs come as Python scalars, nested lists (xlwings hands ranges over as lists of rows),
numpy arrays of floats, or object arrays holding ``None`` for blanks, text and
:class:`~gtm_xl.errors.CellError` values. The rules:

* ``None`` and NaN are blanks (NaN in the returned float array);
* text, booleans and other objects where a number is needed raise :class:`ValueTypeError`
  (``#VALUE!``) naming the argument and the position;
* a :class:`CellError` in the input is propagated: the function raises that error, as Excel
  propagates ``#N/A`` from a referenced cell.

:class:`Outcome` collects per-element errors while a function computes, and finishes either
by raising (scalar call) or by marking the offending elements (array call).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gtm_xl.errors import CellError, GTMError, ShapeError, ValueTypeError, error_from_code

__all__ = ["Outcome", "as_float", "as_scalar", "as_text", "is_scalar_input"]

_NUMBER_TYPES = (float, int, np.floating, np.integer)
_PLAIN = {float, int, type(None), np.float64, np.float32, np.int64, np.int32}


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

    Raises :class:`ValueTypeError` for text/booleans and re-raises a :class:`CellError` found
    in the input as its :class:`GTMError`.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return value.astype(np.float64, copy=False)
    if isinstance(value, _NUMBER_TYPES) and not isinstance(value, (bool, np.bool_)):
        return np.asarray(float(value))
    if value is None:
        return np.asarray(np.nan)
    arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    if arr.dtype.kind == "b":
        _reject(arr.reshape(-1)[0] if arr.size else True, argument, arr.shape, 0)
    flat = arr.reshape(-1)
    if arr.dtype == object and not set(map(type, flat.tolist())) <= _PLAIN:
        for i, item in enumerate(flat.tolist()):
            if type(item) not in _PLAIN and not (isinstance(item, _NUMBER_TYPES) and not isinstance(item, (bool, np.bool_))):
                _reject(item, argument, arr.shape, i)
    try:
        return np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueTypeError(f"is not a rectangular range of numbers ({exc})", argument) from None


def _reject(item: Any, argument: str, shape: tuple[int, ...], index: int) -> None:
    where = "" if shape == () else f" at {_describe_position(shape, index)}"
    if isinstance(item, CellError):
        raise error_from_code(item.code, f"holds the error {item.code}{where}", argument)
    raise ValueTypeError(f"needs a number{where}, got {item!r}", argument)


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
        if self.scalar:
            if isinstance(values, float):
                return values
            if self._errors:
                raise self._errors[int(self.codes.reshape(-1)[0]) - 1]
            return float(np.asarray(values).reshape(-1)[0])
        if not self._errors:
            return values
        out = np.asarray(values, dtype=np.float64).astype(object)
        for k, err in enumerate(self._errors, start=1):  # each element keeps its error's message
            out[self.codes == k] = err.cell_error
        return out
