"""Excel's coercion rules, in one place, and the helpers every function module shares.

Values follow :mod:`gtm_xl.excel.ooxml.cells`: ``None`` (blank), ``float``, ``bool``, ``str``,
:class:`CellError`; a range, an array constant or an array result is a 2-D ``numpy`` object
array. The rules:

* coercion (:func:`to_number`, :func:`to_text`, :func:`to_bool`): a blank is 0 / ``""`` /
  FALSE, text that reads as a number is a number in arithmetic, TRUE is 1;
* ordering (:func:`compare`): numbers < text (case-insensitive) < logicals;
* aggregates count only numbers inside ranges and arrays, but coerce values typed directly as
  arguments (:func:`values_of`);
* COUNTIF/SUMIF criteria (:func:`criterion`, :func:`criteria_mask`);
* array broadcasting of one argument to a shape (:func:`fit`).

A function signals an Excel error value by raising :class:`ExcelError`, a case it does not
implement by raising :class:`Unsupported`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from gtm_xl.excel.values import CellError


class Unsupported(Exception):
    """Raised by a function for a case outside what it implements (an exotic TEXT format): the
    cell is reported unsupported with the function's name, not guessed."""


class ExcelError(Exception):
    """Raised inside the evaluator to make the current value an Excel error value."""

    def __init__(self, code: str | CellError) -> None:
        self.error = code if isinstance(code, CellError) else CellError(code)
        super().__init__(self.error.code)


NA = CellError("#N/A")


VALUE = CellError("#VALUE!")


DIV0 = CellError("#DIV/0!")


NUM = CellError("#NUM!")


REF = CellError("#REF!")


def to_number(v: Any) -> float:
    """Arithmetic coercion: blank 0, TRUE 1, numeric text its number, date or time text its serial
    (:func:`.dates.text_to_serial`); other text #VALUE!."""
    if v is None:
        return 0.0
    t = type(v)
    if t is float:
        return v
    if t is bool or isinstance(v, (bool, np.bool_)):
        return 1.0 if v else 0.0
    if isinstance(v, (int, np.integer, np.floating)):
        return float(v)
    if isinstance(v, CellError):
        raise ExcelError(v)
    if isinstance(v, str):
        s = v.strip()
        try:
            return text_number(s)
        except ValueError:
            pass
        # text that reads as a date or time is its serial ("2008-01-01"+1 is 39449)
        from gtm_xl.excel.formula.functions.dates import text_to_serial

        return text_to_serial(s)
    raise ExcelError(VALUE)


def text_number(s: str) -> float:
    """Text that reads as a number (``"1,234.5"``, ``"1e3"``, ``"50%"``, ``"$1,000"`` in an en-US Excel) as
    that number; ValueError otherwise."""
    if not s:
        raise ValueError(s)
    pct = s.endswith("%")
    core = s[:-1] if pct else s
    currency = re.fullmatch(r"([+-]?)\$(\S+)", core)  # en-US currency text: "$1,000", "-$2.50"
    if currency:
        core = currency.group(1) + currency.group(2)
    core = core.replace(",", "") if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", core) else core
    if core.lower() in ("inf", "-inf", "+inf", "nan", "infinity", "-infinity") or "_" in core:
        raise ValueError(s)
    x = float(core)
    return x / 100 if pct else x


def number_to_text(x: float) -> str:
    """A number as Excel turns it into text (``=A1&""``, an unformatted cell): rounded to 15
    significant digits; fixed notation up to 20 characters below 1 (``0.00001``, ``0.000000056789012345``)
    and for magnitudes below 1E+20 (``12345678901234600000``), scientific otherwise with a signed exponent
    of at least two digits (``1.23456789012346E-05``, ``2E+50``). Magnitudes beyond 1E±98, where Excel
    rounds the last digit differently, and subnormal numbers are not guessed (unsupported)."""
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    if not math.isfinite(x) or abs(x) < 2.2250738585072014e-308:
        raise Unsupported("the text of an infinite, NaN or subnormal number")
    exact = Decimal(abs(x))
    exponent = exact.adjusted()
    digits = exact.scaleb(-exponent).quantize(Decimal("1.00000000000000"), rounding=ROUND_HALF_UP)
    if digits >= 10:
        digits, exponent = digits / 10, exponent + 1
    if abs(exponent) > 98:
        raise Unsupported("the text of a number beyond 1E+98 or below 1E-98")
    significant = str(digits).replace(".", "").rstrip("0")
    sign = "-" if x < 0 else ""
    scientific = (2 + (-exponent - 1) + len(significant) > 20) if exponent < 0 else exponent > 19
    if scientific:
        mantissa = significant[0] + ("." + significant[1:] if len(significant) > 1 else "")
        return f"{sign}{mantissa}E{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{significant}"
    if len(significant) > exponent + 1:
        return f"{sign}{significant[: exponent + 1]}.{significant[exponent + 1 :]}"
    return f"{sign}{significant}{'0' * (exponent + 1 - len(significant))}"


def to_text(v: Any) -> str:
    """Text coercion: blank "", TRUE "TRUE", numbers in General format."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, CellError):
        raise ExcelError(v)
    return number_to_text(float(v))


def to_bool(v: Any) -> bool:
    """Logical coercion: numbers non-zero, "TRUE"/"FALSE" text; other text #VALUE!."""
    if v is None:
        return False
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, CellError):
        raise ExcelError(v)
    if isinstance(v, str):
        u = v.strip().upper()
        if u in ("TRUE", "FALSE"):
            return u == "TRUE"
        raise ExcelError(VALUE)
    return float(v) != 0


def type_rank(v: Any) -> int:
    """The kind of a value in Excel's ordering: 0 number (or blank), 1 text, 2 logical."""
    if isinstance(v, (bool, np.bool_)):
        return 2
    if isinstance(v, str):
        return 1
    return 0


def compare(a: Any, b: Any) -> int:
    """Excel's ordering: numbers < text (case-insensitive) < logicals; a blank is 0, "" or FALSE."""
    if isinstance(a, CellError):
        raise ExcelError(a)
    if isinstance(b, CellError):
        raise ExcelError(b)
    if a is None:
        a = "" if isinstance(b, str) else (False if isinstance(b, (bool, np.bool_)) else 0.0)
    if b is None:
        b = "" if isinstance(a, str) else (False if isinstance(a, (bool, np.bool_)) else 0.0)
    ra, rb = type_rank(a), type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 1:
        a, b = a.lower(), b.lower()
    elif ra == 0:
        a, b = float(a), float(b)
    return (a > b) - (a < b)


def check(x: float) -> float:
    """A computed number, or #NUM! for infinities and NaN."""
    if math.isnan(x) or math.isinf(x):
        raise ExcelError(NUM)
    return x


def is_array(v: Any) -> bool:
    """True for a range or an array (a 2-D numpy array)."""
    return isinstance(v, np.ndarray)


def scalar(v: Any) -> Any:
    """One value: a 1×1 range or array as its value. A larger one where a function wants one value
    is implicitly intersected in an ordinary cell and lifts the function in an array formula; a
    function that has not been told which is :class:`Unsupported` rather than guessing."""
    if isinstance(v, np.ndarray):
        if v.size > 1:
            raise Unsupported("several values where one is expected")
        return v.reshape(-1)[0] if v.size else None
    return v


def num(v: Any) -> float:
    """One argument as a number (:func:`to_number` of its first value)."""
    return to_number(scalar(v))


def values_of(args: tuple, direct_coerce: bool = True):
    """Numbers for an aggregate: inside arrays only numbers; direct scalars coerced. Errors raise."""
    out: list[float] = []
    for a in args:
        if isinstance(a, np.ndarray):
            for v in a.reshape(-1).tolist():
                if isinstance(v, CellError):
                    raise ExcelError(v)
                if type(v) is float or (isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))):
                    out.append(float(v))
        elif direct_coerce:
            if a is None:
                out.append(0.0)
            else:
                out.append(to_number(a))
    return out


def flat(v: Any) -> list:
    """The values of an argument, a range's row by row."""
    return v.reshape(-1).tolist() if isinstance(v, np.ndarray) else [v]


def as_2d(v: Any) -> np.ndarray:
    """An argument as a 2-D array (a scalar as 1×1)."""
    if isinstance(v, np.ndarray):
        return v
    a = np.empty((1, 1), dtype=object)
    a[0, 0] = v
    return a


def blanks_as_zero(v: Any) -> np.ndarray:
    """An argument as a 2-D array with empty cells as 0 (what Excel's array functions return for them)."""
    a = as_2d(v)
    blank = np.array([x is None for x in a.reshape(-1).tolist()], dtype=bool).reshape(a.shape)
    if blank.any():
        a = a.copy()
        a[blank] = 0.0
    return a


def wildcard(pattern: str) -> re.Pattern:
    """A criterion's text with ``*``, ``?`` and ``~`` escapes as a case-insensitive regular expression."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.I | re.S)


def criterion(c: Any) -> Callable[[Any], bool]:
    """A COUNTIF/SUMIF criterion (5, ">=5", "<>x", "a*", "") as a predicate on cell values."""
    if isinstance(c, CellError):
        return lambda v: isinstance(v, CellError) and v == c
    if isinstance(c, (bool, np.bool_)):
        return lambda v: isinstance(v, (bool, np.bool_)) and bool(v) == bool(c)
    if c is None:
        c = 0.0
    if isinstance(c, (int, float)):
        x = float(c)
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and float(v) == x
    s = str(c)
    m = re.match(r"^(<=|>=|<>|<|>|=)?(.*)$", s, re.S)
    assert m is not None  # an optional operator and (.*) under re.S: every text matches
    op, rest = m.group(1) or "", m.group(2)
    try:
        x = text_number(rest.strip())
        isnum = True
    except ValueError:
        isnum = False
    up = rest.upper()
    if up in ("TRUE", "FALSE"):
        b = up == "TRUE"
        if op in ("", "="):
            return lambda v: isinstance(v, bool) and v == b
        if op == "<>":
            return lambda v: not (isinstance(v, bool) and v == b)
    if isnum:

        def numeric(v):
            return isinstance(v, (int, float)) and not isinstance(v, bool)

        if op in ("", "="):
            return lambda v: (
                (numeric(v) and float(v) == x) or (isinstance(v, str) and v.strip() != "" and _same_num(v, x))
            )
        if op == "<>":
            return lambda v: not (numeric(v) and float(v) == x)
        ops = {"<": lambda a: a < x, ">": lambda a: a > x, "<=": lambda a: a <= x, ">=": lambda a: a >= x}[op]
        return lambda v: numeric(v) and ops(float(v))
    if op in ("", "="):
        if rest == "":
            return (lambda v: v is None) if op == "=" else (lambda v: v is None or v == "")
        if any(ch in rest for ch in "*?~"):
            rx = wildcard(rest)
            return lambda v: isinstance(v, str) and rx.fullmatch(v) is not None
        low = rest.lower()
        return lambda v: isinstance(v, str) and v.lower() == low
    if op == "<>":
        if rest == "":
            return lambda v: v is not None and v != ""
        if any(ch in rest for ch in "*?~"):
            rx = wildcard(rest)
            return lambda v: not (isinstance(v, str) and rx.fullmatch(v) is not None)
        low = rest.lower()
        return lambda v: not (isinstance(v, str) and v.lower() == low)
    low = rest.lower()
    ops = {"<": lambda a: a < low, ">": lambda a: a > low, "<=": lambda a: a <= low, ">=": lambda a: a >= low}[op]
    return lambda v: isinstance(v, str) and ops(v.lower())


def _same_num(v: str, x: float) -> bool:
    try:
        return text_number(v.strip()) == x
    except ValueError:
        return False


def criteria_mask(pairs) -> np.ndarray:
    """The cells where every (range, criterion) pair holds, the ranges of one shape (#VALUE! otherwise)."""
    shape = None
    mask = None
    for rng, crit in pairs:
        r = as_2d(rng)
        if shape is None:
            shape = r.shape
        elif r.shape != shape:
            raise ExcelError(VALUE)
        if isinstance(rng, CellError):
            raise ExcelError(rng)
        if isinstance(crit, np.ndarray) and crit.size > 1:
            # a range of criteria: one result per criterion in an array formula, the criterion in the
            # formula's row or column otherwise (implicit intersection): not the first one
            raise Unsupported("several criteria in one criteria argument")
        pred = criterion(scalar(crit))
        m = np.array([pred(v) for v in r.reshape(-1).tolist()], dtype=bool).reshape(shape)
        mask = m if mask is None else mask & m
    if mask is None:  # no pair: the callers' arity (two arguments at least) rules it out
        raise ExcelError(VALUE)
    return mask


def soft(thunk, default=None):
    """A lazy argument's value, an error value returned rather than raised (to broadcast it)."""
    if thunk is None:
        return default
    try:
        return thunk()
    except ExcelError as e:
        return e.error


def fit(x: Any, rows: int, cols: int) -> np.ndarray:
    """Excel's array broadcasting of one argument to ``rows`` × ``cols``: a scalar (an error value
    too) fills the shape, a single row or column stretches, cells beyond a smaller array are #N/A."""
    if not isinstance(x, np.ndarray):
        out = np.empty((rows, cols), dtype=object)
        out.fill(x)
        return out
    if x.shape == (rows, cols):
        return x
    out = np.full((rows, cols), NA, dtype=object)
    xr = x if x.shape[0] != 1 else np.repeat(x, rows, axis=0)
    xr = xr if xr.shape[1] != 1 else np.repeat(xr, cols, axis=1)
    out[: min(rows, xr.shape[0]), : min(cols, xr.shape[1])] = xr[:rows, :cols]
    return out


def broadcast_shape(*values: Any) -> tuple[int, int]:
    """The shape the array arguments broadcast to (the largest rows and columns)."""
    arrays = [v for v in values if isinstance(v, np.ndarray)]
    return max(a.shape[0] for a in arrays), max(a.shape[1] for a in arrays)


CALC = CellError("#CALC!")
