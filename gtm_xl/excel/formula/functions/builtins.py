"""Excel's built-in functions for the headless evaluator (:mod:`gtm_xl.excel.formula.engine`): THE table.

Values follow :mod:`gtm_xl.excel.ooxml.cells`: ``None`` (blank), ``float``, ``bool``, ``str``,
:class:`CellError`; a range, an array constant or an array result is a 2-D ``numpy`` object
array. Rules kept here once:

* coercion (:func:`to_number`, :func:`to_text`, :func:`to_bool`): a blank is 0 / ``""`` /
  FALSE, text that reads as a number is a number in arithmetic, TRUE is 1;
* aggregates (SUM, COUNT, AVERAGE, MIN, MAX…) count only numbers inside ranges and arrays,
  but coerce values typed directly as arguments (``SUM("2", TRUE)`` is 3), as Excel does;
* an error value among the arguments is the result (except in IFERROR, IFNA, ISERROR…);
* ROUND rounds as Excel: to 15 significant digits first, then half away from zero.

Each entry of :data:`BUILTINS` is a :class:`Builtin`: the Python function, whether it wants
its arguments unevaluated (``lazy``: IF, IFERROR, CHOOSE…) and whether it accepts error values.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import numpy as np

from gtm_xl.errors import CellError

__all__ = ["BUILTINS", "Builtin", "ExcelError", "to_number", "to_text", "to_bool", "compare", "excel_round"]


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


# --- coercion ----------------------------------------------------------------------------------
def to_number(v: Any) -> float:
    """Arithmetic coercion: blank 0, TRUE 1, numeric text its number; other text #VALUE!."""
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
            return _text_number(s)
        except ValueError:
            raise ExcelError(VALUE) from None
    raise ExcelError(VALUE)


def _text_number(s: str) -> float:
    if not s:
        raise ValueError(s)
    pct = s.endswith("%")
    core = s[:-1] if pct else s
    core = core.replace(",", "") if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", core) else core
    if core.lower() in ("inf", "-inf", "+inf", "nan", "infinity", "-infinity") or "_" in core:
        raise ValueError(s)
    x = float(core)
    return x / 100 if pct else x


def number_to_text(x: float) -> str:
    """A number as Excel's General format shows it in text (15 significant digits)."""
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    s = f"{x:.15g}"
    if "e" in s:
        mant, exp = s.split("e")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        sign = exp[0]
        digits = exp[1:].lstrip("0") or "0"
        if len(digits) < 2:
            digits = digits.rjust(2, "0")
        return f"{mant}E{sign}{digits}"
    return s


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


def _rank(v: Any) -> int:
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
    ra, rb = _rank(a), _rank(b)
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


# --- argument helpers --------------------------------------------------------------------------
def is_array(v: Any) -> bool:
    return isinstance(v, np.ndarray)


def scalar(v: Any) -> Any:
    """One value: an array as its first element (a 1×1 range as its value)."""
    if isinstance(v, np.ndarray):
        return v.reshape(-1)[0] if v.size else None
    return v


def num(v: Any) -> float:
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
    return v.reshape(-1).tolist() if isinstance(v, np.ndarray) else [v]


def as_2d(v: Any) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v
    a = np.empty((1, 1), dtype=object)
    a[0, 0] = v
    return a


# --- the functions ----------------------------------------------------------------------------
def f_sum(*args):
    return check(math.fsum(values_of(args)))


def f_average(*args):
    vals = values_of(args)
    if not vals:
        raise ExcelError(DIV0)
    return check(math.fsum(vals) / len(vals))


def f_min(*args):
    vals = values_of(args)
    return min(vals) if vals else 0.0


def f_max(*args):
    vals = values_of(args)
    return max(vals) if vals else 0.0


def f_count(*args):
    n = 0
    for a in args:
        for v in flat(a) if is_array(a) else []:
            if isinstance(v, (float, int)) and not isinstance(v, bool):
                n += 1
        if not is_array(a):
            try:
                if a is not None and not isinstance(a, CellError):
                    to_number(a)
                    n += 1
            except ExcelError:
                pass
    return float(n)


def f_counta(*args):
    n = 0
    for a in args:
        if is_array(a):
            n += sum(1 for v in flat(a) if v is not None)
        else:
            n += 1
    return float(n)


def f_countblank(rng):
    return float(sum(1 for v in flat(rng) if v is None or v == ""))


def f_sumproduct(*arrays):
    mats = [as_2d(a) for a in arrays]
    shape = mats[0].shape
    if any(m.shape != shape for m in mats):
        raise ExcelError(VALUE)
    total = np.ones(shape, dtype=float)
    for m in mats:
        for v in m.reshape(-1).tolist():
            if isinstance(v, CellError):
                raise ExcelError(v)
        f = np.array(
            [
                float(v) if isinstance(v, (float, int)) and not isinstance(v, bool) else 0.0
                for v in m.reshape(-1).tolist()
            ],
            dtype=float,
        ).reshape(shape)
        total = total * f
    return check(math.fsum(total.reshape(-1).tolist()))


def _wild(pattern: str) -> re.Pattern:
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
    op, rest = m.group(1) or "", m.group(2)
    try:
        x = _text_number(rest.strip())
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
            rx = _wild(rest)
            return lambda v: isinstance(v, str) and rx.fullmatch(v) is not None
        low = rest.lower()
        return lambda v: isinstance(v, str) and v.lower() == low
    if op == "<>":
        if rest == "":
            return lambda v: v is not None and v != ""
        if any(ch in rest for ch in "*?~"):
            rx = _wild(rest)
            return lambda v: not (isinstance(v, str) and rx.fullmatch(v) is not None)
        low = rest.lower()
        return lambda v: not (isinstance(v, str) and v.lower() == low)
    low = rest.lower()
    ops = {"<": lambda a: a < low, ">": lambda a: a > low, "<=": lambda a: a <= low, ">=": lambda a: a >= low}[op]
    return lambda v: isinstance(v, str) and ops(v.lower())


def _same_num(v: str, x: float) -> bool:
    try:
        return _text_number(v.strip()) == x
    except ValueError:
        return False


def _mask(pairs) -> np.ndarray:
    shape = None
    mask = None
    for rng, crit in pairs:
        r = as_2d(rng)
        if shape is None:
            shape = r.shape
        elif r.shape != shape:
            raise ExcelError(VALUE)
        pred = criterion(scalar(crit))
        m = np.array([pred(v) for v in r.reshape(-1).tolist()], dtype=bool).reshape(shape)
        mask = m if mask is None else mask & m
    return mask


def _sum_where(values: np.ndarray, mask: np.ndarray, average: bool = False):
    vals = as_2d(values)
    if vals.shape != mask.shape:  # Excel resizes the sum range to the criteria range
        vals = vals[: mask.shape[0], : mask.shape[1]]
        if vals.shape != mask.shape:
            raise ExcelError(VALUE)
    picked = []
    for v, m in zip(vals.reshape(-1).tolist(), mask.reshape(-1).tolist()):
        if m:
            if isinstance(v, CellError):
                raise ExcelError(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                picked.append(float(v))
    if average:
        if not picked:
            raise ExcelError(DIV0)
        return math.fsum(picked) / len(picked)
    return math.fsum(picked)


def f_sumif(rng, crit, sum_range=None):
    mask = _mask([(rng, crit)])
    return _sum_where(rng if sum_range is None else sum_range, mask)


def f_sumifs(sum_range, *pairs):
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return _sum_where(sum_range, _mask(zip(pairs[::2], pairs[1::2])))


def f_averageif(rng, crit, avg_range=None):
    return _sum_where(rng if avg_range is None else avg_range, _mask([(rng, crit)]), True)


def f_averageifs(avg_range, *pairs):
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return _sum_where(avg_range, _mask(zip(pairs[::2], pairs[1::2])), True)


def f_countif(rng, crit):
    return float(_mask([(rng, crit)]).sum())


def f_countifs(*pairs):
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    return float(_mask(zip(pairs[::2], pairs[1::2])).sum())


def excel_round(x: float, digits: int, mode=ROUND_HALF_UP) -> float:
    """Excel's ROUND: the number to 15 significant digits, then half away from zero."""
    x = check(float(x))
    if x == 0:
        return 0.0
    d = Decimal(f"{x:.15g}")
    q = Decimal(1).scaleb(-digits)
    try:
        return float(d.quantize(q, rounding=mode))
    except Exception:  # quantize beyond the precision: nothing to round
        return float(d)


def f_round(x, digits):
    return excel_round(num(x), int(math.trunc(num(digits))))


def f_roundup(x, digits):
    return excel_round(num(x), int(math.trunc(num(digits))), ROUND_UP)


def f_rounddown(x, digits):
    return excel_round(num(x), int(math.trunc(num(digits))), ROUND_DOWN)


def f_int(x):
    return float(math.floor(num(x)))


def f_abs(x):
    return abs(num(x))


def f_mod(a, b):
    a, b = num(a), num(b)
    if b == 0:
        raise ExcelError(DIV0)
    return check(a - b * math.floor(a / b))


def f_power(a, b):
    try:
        return check(float(num(a) ** num(b)))
    except (ZeroDivisionError, OverflowError):
        raise ExcelError(DIV0 if num(a) == 0 else NUM) from None


def f_sqrt(x):
    x = num(x)
    if x < 0:
        raise ExcelError(NUM)
    return math.sqrt(x)


def _ceil_floor(x, sig, up: bool):
    x = num(x)
    sig = num(sig)
    if sig == 0:
        return 0.0
    if x > 0 and sig < 0:
        raise ExcelError(NUM)
    q = x / sig
    q = float(f"{q:.15g}")
    n = math.ceil(q) if up else math.floor(q)
    return check(float(Decimal(f"{n}") * Decimal(f"{sig:.15g}")))


def f_ceiling(x, sig=1.0):
    return _ceil_floor(x, sig, True)


def f_floor(x, sig=1.0):
    return _ceil_floor(x, sig, False)


def _ceil_floor_math(x, sig=None, mode=None, up=True):
    x = num(x)
    s = abs(num(sig)) if sig is not None else 1.0
    if s == 0:
        return 0.0
    q = float(f"{x / s:.15g}")
    away = mode is not None and num(mode) != 0 and x < 0
    if up:
        n = math.floor(q) if away else math.ceil(q)
    else:
        n = math.ceil(q) if away else math.floor(q)
    return float(Decimal(f"{n}") * Decimal(f"{s:.15g}"))


def f_ceiling_math(x, sig=None, mode=None):
    return _ceil_floor_math(x, sig, mode, True)


def f_floor_math(x, sig=None, mode=None):
    return _ceil_floor_math(x, sig, mode, False)


def f_and(*args):
    vals = _logicals(args)
    if not vals:
        raise ExcelError(VALUE)
    return all(vals)


def f_or(*args):
    vals = _logicals(args)
    if not vals:
        raise ExcelError(VALUE)
    return any(vals)


def f_xor(*args):
    vals = _logicals(args)
    if not vals:
        raise ExcelError(VALUE)
    return sum(vals) % 2 == 1


def _logicals(args) -> list[bool]:
    out = []
    for a in args:
        if is_array(a):
            for v in flat(a):
                if isinstance(v, CellError):
                    raise ExcelError(v)
                if isinstance(v, (bool, int, float)):
                    out.append(bool(v))
        else:
            out.append(to_bool(a))
    return out


def f_not(x):
    return not to_bool(scalar(x))


# lazy functions get thunks: calling one evaluates that argument (errors raise ExcelError)
def f_if(cond, then=None, otherwise=None):
    c = cond()
    if is_array(c):
        return _array_if(c, then, otherwise)
    if to_bool(c):
        return then() if then is not None else True
    return otherwise() if otherwise is not None else False


def _soft(thunk, default=None):
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
    arrays = [v for v in values if isinstance(v, np.ndarray)]
    return max(a.shape[0] for a in arrays), max(a.shape[1] for a in arrays)


def _array_if(c, then, otherwise):
    t = _soft(then, True)
    o = _soft(otherwise, False)
    shape = broadcast_shape(c, t, o)
    out = np.empty(shape, dtype=object)
    cb, tb, ob = (fit(x, *shape) for x in (c, t, o))
    for idx in np.ndindex(shape):
        cv = cb[idx]
        if isinstance(cv, CellError):
            out[idx] = cv
            continue
        try:
            out[idx] = tb[idx] if to_bool(cv) else ob[idx]
        except ExcelError as e:
            out[idx] = e.error
    return out


def f_ifs(*pairs):
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    for cond, val in zip(pairs[::2], pairs[1::2]):
        if to_bool(scalar(cond())):
            return val()
    raise ExcelError(NA)


def f_iferror(value, fallback):
    try:
        v = value()
    except ExcelError:
        return fallback()
    if isinstance(v, CellError):
        return fallback()
    if is_array(v):
        return _replace_errors(v, fallback, None)
    return v


def f_ifna(value, fallback):
    try:
        v = value()
    except ExcelError as e:
        if e.error.code == "#N/A":
            return fallback()
        raise
    if isinstance(v, CellError) and v.code == "#N/A":
        return fallback()
    if is_array(v):
        return _replace_errors(v, fallback, "#N/A")
    return v


def _replace_errors(arr, fallback, code):
    """IFERROR/IFNA over an array: each error (of ``code``, or any) replaced by the fallback, an
    array fallback taken element by element (both broadcast as Excel does)."""
    hit = [isinstance(v, CellError) and (code is None or v.code == code) for v in arr.reshape(-1).tolist()]
    if not any(hit):
        return arr
    fb = _soft(fallback)
    if not is_array(fb):
        out = arr.copy()
        for idx, h in zip(np.ndindex(arr.shape), hit):
            if h:
                out[idx] = fb
        return out
    shape = broadcast_shape(arr, fb)
    a, f = fit(arr, *shape), fit(fb, *shape)
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        v = a[idx]
        out[idx] = f[idx] if isinstance(v, CellError) and (code is None or v.code == code) else v
    return out


def f_choose(index, *options):
    i = int(math.trunc(num(index())))
    if not 1 <= i <= len(options):
        raise ExcelError(VALUE)
    return options[i - 1]()


def f_switch(expr, *rest):
    value = scalar(expr())
    pairs = len(rest) // 2
    for k in range(pairs):
        case = scalar(rest[2 * k]())
        a = 0.0 if value is None and isinstance(case, float) else value  # a blank is 0 against a number only
        b = 0.0 if case is None and isinstance(value, float) else case
        if (a is None and b is None) or (
            a is not None and b is not None and _rank(a) == _rank(b) and compare(a, b) == 0
        ):
            return rest[2 * k + 1]()
    if len(rest) % 2:
        return rest[-1]()
    raise ExcelError(NA)


def f_isnumber(v):
    v = scalar(v)
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def f_istext(v):
    return isinstance(scalar(v), str)


def f_isblank(v):
    return scalar(v) is None


def f_iserror(v):
    return isinstance(scalar(v), CellError)


def f_iserr(v):
    v = scalar(v)
    return isinstance(v, CellError) and v.code != "#N/A"


def f_isna(v):
    v = scalar(v)
    return isinstance(v, CellError) and v.code == "#N/A"


def f_islogical(v):
    return isinstance(scalar(v), bool)


def f_na():
    raise ExcelError(NA)


def f_true():
    return True


def f_false():
    return False


# --- lookups -----------------------------------------------------------------------------------
def _match_pos(value, vector: list, mode: int) -> int:
    """0-based position of ``value`` in ``vector`` (MATCH's match_type ``mode``); #N/A if none."""
    if isinstance(value, CellError):
        raise ExcelError(value)
    if value is None:
        if mode == 0:
            raise ExcelError(NA)  # an exact lookup of a blank finds nothing
        value = 0.0
    if mode == 0:
        if isinstance(value, str) and any(ch in value for ch in "*?~"):
            rx = _wild(value)
            for i, v in enumerate(vector):
                if isinstance(v, str) and rx.fullmatch(v):
                    return i
            raise ExcelError(NA)
        for i, v in enumerate(vector):
            if v is None or isinstance(v, CellError) or _rank(v) != _rank(value):
                continue
            if compare(v, value) == 0:
                return i
        raise ExcelError(NA)
    if mode < 0:
        # descending data: Excel walks until a value below the one sought
        last = -1
        for i, v in enumerate(vector):
            if v is None or isinstance(v, CellError) or _rank(v) != _rank(value):
                continue
            c = compare(v, value)
            if c == 0:
                return i
            if c < 0:
                if i == 0:
                    raise ExcelError(NA)
                return i - 1
            last = i
        if last < 0:
            raise ExcelError(NA)
        return last
    # approximate: binary search as Excel does on sorted data, same-type values only
    lo, hi = 0, len(vector) - 1
    best = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        v = vector[mid]
        # skip values of another type (Excel walks past them)
        probe = mid
        while probe <= hi and (
            vector[probe] is None or isinstance(vector[probe], CellError) or _rank(vector[probe]) != _rank(value)
        ):
            probe += 1
        if probe > hi:
            hi = mid - 1
            continue
        v = vector[probe]
        c = compare(v, value)
        if mode > 0:
            if c <= 0:
                best = probe
                lo = probe + 1
            else:
                hi = mid - 1
        else:
            if c >= 0:
                best = probe
                lo = probe + 1
            else:
                hi = mid - 1
    if best < 0:
        raise ExcelError(NA)
    return best


def _vector(arr) -> list:
    a = as_2d(arr)
    if a.shape[0] != 1 and a.shape[1] != 1:
        raise ExcelError(NA)
    return a.reshape(-1).tolist()


def f_match(value, lookup, mode=1.0):
    if isinstance(value, np.ndarray) and value.size > 1:
        # an array of lookup values (ISNUMBER(MATCH(range, x, 0)) in an array context): one position or
        # #N/A per value, in the values' shape, as Excel and LibreOffice give
        vector, m = _vector(lookup), int(num(mode))
        out = np.empty(value.shape, dtype=object)
        for idx, v in np.ndenumerate(value):
            try:
                out[idx] = float(_match_pos(v, vector, m) + 1)
            except ExcelError as e:
                out[idx] = e.error
        return out
    return float(_match_pos(scalar(value), _vector(lookup), int(num(mode))) + 1)


def f_index(array, row=None, col=None):
    a = as_2d(array)
    r = 0 if row is None else int(math.trunc(num(row)))
    c = 0 if col is None else int(math.trunc(num(col)))
    if a.shape[0] == 1 and col is None and row is not None and a.shape[1] > 1:
        r, c = 1, r  # INDEX(row vector, n)
    if r < 0 or c < 0:
        raise ExcelError(VALUE)
    if r > a.shape[0] or c > a.shape[1]:
        raise ExcelError(REF)
    if r == 0 and c == 0:
        return a
    if r == 0:
        return a[:, c - 1 : c]
    if c == 0:
        if a.shape[1] == 1:
            return a[r - 1, 0]
        return a[r - 1 : r, :]
    return a[r - 1, c - 1]


def _lookup(value, table, index, approx, by_rows: bool):
    t = as_2d(table)
    if not by_rows:
        t = t.T
    i = int(math.trunc(num(index)))
    if i < 1:
        raise ExcelError(VALUE)
    if i > t.shape[1]:
        raise ExcelError(REF)
    mode = 1 if (approx is None or to_bool(scalar(approx))) else 0
    pos = _match_pos(scalar(value), t[:, 0].tolist(), mode)
    return t[pos, i - 1]


def f_vlookup(value, table, index, approx=None):
    return _lookup(value, table, index, approx, True)


def f_hlookup(value, table, index, approx=None):
    return _lookup(value, table, index, approx, False)


def f_xlookup(value, lookup, result, if_not_found=None, match_mode=0.0, search_mode=1.0):
    vec = _vector(lookup)
    res = as_2d(result)
    vertical = as_2d(lookup).shape[1] == 1
    mm, sm = int(num(match_mode)), int(num(search_mode))
    value = scalar(value)
    order = list(range(len(vec)))
    if sm < 0:
        order.reverse()
    pos = None
    if mm == 2 and isinstance(value, str):
        rx = _wild(value)
        pos = next((i for i in order if isinstance(vec[i], str) and rx.fullmatch(vec[i])), None)
    else:
        for i in order:
            v = vec[i]
            if v is None or isinstance(v, CellError) or _rank(v) != _rank(value if value is not None else 0.0):
                continue
            if compare(v, value) == 0:
                pos = i
                break
        if pos is None and mm in (-1, 1):
            best = None
            for i in order:
                v = vec[i]
                if v is None or isinstance(v, CellError) or _rank(v) != _rank(value):
                    continue
                c = compare(v, value)
                if (mm == -1 and c < 0) or (mm == 1 and c > 0):
                    if best is None or (compare(v, vec[best]) > 0 if mm == -1 else compare(v, vec[best]) < 0):
                        best = i
            pos = best
    if pos is None:
        if if_not_found is not None:
            return if_not_found
        raise ExcelError(NA)
    return res[pos : pos + 1, :] if vertical else res[:, pos : pos + 1]


def f_rank(value, ref, order=0.0):
    x = num(value)
    vals = values_of((as_2d(ref),))
    if x not in vals:
        raise ExcelError(NA)
    if num(order) == 0:
        return float(1 + sum(1 for v in vals if v > x))
    return float(1 + sum(1 for v in vals if v < x))


def f_large(arr, k):
    vals = sorted(values_of((as_2d(arr),)), reverse=True)
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


def f_small(arr, k):
    vals = sorted(values_of((as_2d(arr),)))
    i = math.ceil(num(k))
    if not 1 <= i <= len(vals):
        raise ExcelError(NUM)
    return vals[i - 1]


def f_rows(arr):
    return float(as_2d(arr).shape[0])


def f_columns(arr):
    return float(as_2d(arr).shape[1])


# --- text --------------------------------------------------------------------------------------
def txt(v) -> str:
    return to_text(scalar(v))


def f_concat(*args):
    out = []
    for a in args:
        for v in flat(a):
            if isinstance(v, CellError):
                raise ExcelError(v)
            out.append(to_text(v))
    return "".join(out)


def f_concatenate(*args):
    return "".join(txt(a) for a in args)


def f_left(s, n=1.0):
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    return txt(s)[:k]


def f_right(s, n=1.0):
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    t = txt(s)
    return t[len(t) - k :] if k else ""


def f_mid(s, start, n):
    a, k = int(num(start)), int(num(n))
    if a < 1 or k < 0:
        raise ExcelError(VALUE)
    return txt(s)[a - 1 : a - 1 + k]


def f_len(s):
    return float(len(txt(s)))


def f_upper(s):
    return txt(s).upper()


def f_lower(s):
    return txt(s).lower()


def f_trim(s):
    return " ".join(p for p in txt(s).split(" ") if p)


def f_exact(a, b):
    return txt(a) == txt(b)


def f_rept(s, n):
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    return txt(s) * k


def f_value(s):
    v = scalar(s)
    if isinstance(v, bool):
        raise ExcelError(VALUE)
    if isinstance(v, str):
        try:
            return _text_number(v.strip())
        except ValueError:
            raise ExcelError(VALUE) from None
    return to_number(v)


# --- dates -------------------------------------------------------------------------------------
_EPOCH = _dt.date(1899, 12, 30)


def serial_to_date(x: float) -> _dt.date:
    n = int(math.floor(x))
    if n < 0 or n > 2958465:
        raise ExcelError(NUM)
    if n == 60:
        raise ExcelError(NUM)  # 1900-02-29 does not exist outside Excel's bug
    if n < 60:
        n += 1
    return _EPOCH + _dt.timedelta(days=n)


def date_to_serial(d: _dt.date) -> float:
    n = (d - _EPOCH).days
    return float(n - 1 if n <= 60 else n)


def f_date(y, m, d):
    y, m, d = int(num(y)), int(num(m)), int(num(d))
    if y < 1900:
        y += 1900
    if not 1900 <= y <= 9999:
        raise ExcelError(NUM)
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    try:
        return date_to_serial(_dt.date(y, m, 1)) + d - 1
    except ValueError:
        raise ExcelError(NUM) from None


def f_eomonth(start, months):
    d = serial_to_date(num(start))
    m = d.month - 1 + int(num(months))
    y = d.year + m // 12
    m = m % 12 + 1
    nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
    return date_to_serial(nxt - _dt.timedelta(days=1))


def f_edate(start, months):
    d = serial_to_date(num(start))
    m = d.month - 1 + int(num(months))
    y = d.year + m // 12
    m = m % 12 + 1
    import calendar

    day = min(d.day, calendar.monthrange(y, m)[1])
    return date_to_serial(_dt.date(y, m, day))


def f_year(x):
    return float(serial_to_date(num(x)).year)


def f_month(x):
    return float(serial_to_date(num(x)).month)


def f_day(x):
    return float(serial_to_date(num(x)).day)


def f_text(value, fmt):
    v = scalar(value)
    f = txt(fmt)
    if isinstance(v, str):
        try:
            v = _text_number(v.strip())
        except ValueError:
            if f.upper() in ("GENERAL", "@") or _NUMBER_FORMAT.match(f) or _DATE_FORMAT.match(f):
                return v  # a format without a text section shows text as it is
            raise Unsupported("TEXT of text") from None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    x = to_number(v)
    try:
        return format_number(x, f)
    except ExcelError as e:
        raise ExcelError(VALUE if e.error.code == "#NUM!" else e.error) from None


_NUMBER_FORMAT = re.compile(r"^([$€£]?)(#,##0|#,###|0+|#)(\.0+)?(%?)$")
_DATE_FORMAT = re.compile(r"^(?:yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|[-/. ,])+$", re.I)


def format_number(x: float, fmt: str) -> str:
    """The common formats: General, 0, 0.00, #,##0, #,##0.00, 0%, 0.0%, $#,##0, dates of
    y/m/d parts (yyyy-mm-dd, dd/mm/yyyy, mmm yyyy…). Others raise :class:`Unsupported`."""
    f = fmt
    if f.upper() in ("GENERAL", "@"):
        return number_to_text(x)
    if _DATE_FORMAT.match(f) and re.search(r"[yd]", f, re.I):
        d = serial_to_date(x)
        out = f
        tokens = [
            ("yyyy", f"{d.year:04d}"),
            ("yy", f"{d.year % 100:02d}"),
            ("mmmm", d.strftime("%B")),
            ("mmm", d.strftime("%b")),
            ("mm", f"{d.month:02d}"),
            ("m", str(d.month)),
            ("dddd", d.strftime("%A")),
            ("ddd", d.strftime("%a")),
            ("dd", f"{d.day:02d}"),
            ("d", str(d.day)),
        ]
        res, i = "", 0
        low = out.lower()
        while i < len(out):
            for tok, rep in tokens:
                if low.startswith(tok, i):
                    res += rep
                    i += len(tok)
                    break
            else:
                res += out[i]
                i += 1
        return res
    m = _NUMBER_FORMAT.match(f)
    if not m:
        raise Unsupported(f"number format {fmt!r}")
    prefix, intpart, dec, pct = m.groups()
    decimals = (dec or ".")[1:]
    suffix = ""
    if pct:
        x *= 100
    nd = len(decimals or "")
    r = excel_round(x, nd)
    s = f"{abs(r):,.{nd}f}" if "," in intpart else f"{abs(r):.{nd}f}"
    zeros = intpart.replace(",", "").count("0")
    whole, _, frac = s.partition(".")
    if whole.replace(",", "") == "0" and zeros == 0:
        whole = ""
    body = whole + ("." + frac if nd else "")
    sign = "-" if r < 0 else ""
    return f"{prefix.strip(chr(34))}{sign}{body}{pct}{suffix.strip(chr(34))}"


def f_lookup(value, lookup, result=None):
    a = as_2d(lookup)
    if result is None:
        if a.shape[0] >= a.shape[1]:
            keys, res = a[:, 0].tolist(), a[:, -1].tolist()
        else:
            keys, res = a[0, :].tolist(), a[-1, :].tolist()
    else:
        keys = a[:, 0].tolist() if a.shape[0] >= a.shape[1] else a[0, :].tolist()
        res = _vector(result)
    pos = _match_pos(scalar(value), keys, 1)
    if pos >= len(res):
        raise ExcelError(NA)
    return res[pos]


def f_find(needle, hay, start=1.0, _fold=False):
    n, h, k = txt(needle), txt(hay), int(num(start))
    if k < 1 or k > len(h) + 1:
        raise ExcelError(VALUE)
    if _fold:
        rx = _wild(n)
        for i in range(k - 1, len(h) + 1):
            if rx.match(h, i):
                return float(i + 1)
        raise ExcelError(VALUE)
    i = h.find(n, k - 1)
    if i < 0:
        raise ExcelError(VALUE)
    return float(i + 1)


def f_search(needle, hay, start=1.0):
    return f_find(needle, hay, start, True)


def f_substitute(text, old, new, instance=None):
    t, o, n = txt(text), txt(old), txt(new)
    if not o:
        return t
    if instance is None:
        return t.replace(o, n)
    k = int(num(instance))
    if k < 1:
        raise ExcelError(VALUE)
    pos = -1
    for _ in range(k):
        pos = t.find(o, pos + 1)
        if pos < 0:
            return t
    return t[:pos] + n + t[pos + len(o) :]


def f_replace(text, start, count, new):
    t, a, k = txt(text), int(num(start)), int(num(count))
    if a < 1 or k < 0:
        raise ExcelError(VALUE)
    return t[: a - 1] + txt(new) + t[a - 1 + k :]


# --- dynamic-array functions (Excel 365; LibreOffice 7.4 has none of them) ---------------------
CALC = CellError("#CALC!")


def _count_arg(v, default: float) -> int:
    return int(math.trunc(default if v is None else num(v)))


def f_sequence(rows=None, columns=None, start=None, step=None):
    """SEQUENCE(rows, [columns], [start], [step]): rows × columns numbers, row by row."""
    n, m = _count_arg(rows, 1), _count_arg(columns, 1)
    first = 1.0 if start is None else num(start)
    inc = 1.0 if step is None else num(step)
    if n < 1 or m < 1:
        raise ExcelError(CALC)  # an empty array
    if n * m > 1_048_576 * 16_384:
        raise ExcelError(VALUE)
    out = np.empty((n, m), dtype=object)
    out[:, :] = (first + inc * np.arange(n * m, dtype=float)).reshape(n, m).tolist()
    return out


def _order_key(v):
    """Excel's sort order: numbers, then text (case-insensitive), logicals, errors."""
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, (int, float)):
        return (0, float(v))
    if isinstance(v, str):
        return (1, v.lower())
    if isinstance(v, CellError):
        return (3, 0)
    return (4, 0)


def f_sort(array, sort_index=None, sort_order=None, by_col=None):
    """SORT(array, [sort_index], [sort_order], [by_col]): rows (columns with by_col) ordered by the
    values of one column (row); 1 ascending, -1 descending; stable; blanks last either way."""
    a = as_2d(array)
    index = _count_arg(sort_index, 1)
    order = _count_arg(sort_order, 1)
    cols = False if by_col is None else to_bool(scalar(by_col))
    if order not in (1, -1):
        raise ExcelError(VALUE)
    lines = a.T if cols else a
    if not 1 <= index <= lines.shape[1]:
        raise ExcelError(VALUE)
    keyed = [(_order_key(lines[i, index - 1]), i) for i in range(lines.shape[0])]
    filled = [k for k in keyed if k[0][0] != 4]
    blank = [k for k in keyed if k[0][0] == 4]
    filled.sort(key=lambda k: k[0], reverse=order == -1)  # stable both ways
    rows = [k[1] for k in filled] + [k[1] for k in blank]
    out = lines[rows, :]
    return (out.T if cols else out).copy()


def _same_key(v):
    if isinstance(v, str):
        return ("s", v.lower())
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", float(v))
    if isinstance(v, CellError):
        return ("e", v.code)
    return ("0", None)


def f_unique(array, by_col=None, exactly_once=None):
    """UNIQUE(array, [by_col], [exactly_once]): the distinct rows (columns) in order of first
    appearance, compared without case; with exactly_once, those that occur once only."""
    a = as_2d(array)
    cols = False if by_col is None else to_bool(scalar(by_col))
    once = False if exactly_once is None else to_bool(scalar(exactly_once))
    lines = a.T if cols else a
    seen: dict = {}
    for i in range(lines.shape[0]):
        seen.setdefault(tuple(_same_key(v) for v in lines[i].tolist()), []).append(i)
    keep = [rows[0] for rows in seen.values() if not once or len(rows) == 1]
    if not keep:
        raise ExcelError(CALC)
    out = lines[keep, :]
    return (out.T if cols else out).copy()


def f_filter(array, include, if_empty=None):
    """FILTER(array, include, [if_empty]): the rows (or columns) of array where include, a column as
    tall as array (or a row as wide), is TRUE; #CALC! (or if_empty) when none is; #VALUE! when
    include does not fit; an error in include is the result."""
    a = as_2d(array())
    inc = as_2d(include())
    if inc.shape[1] == 1 and inc.shape[0] == a.shape[0]:
        flags, by_rows = inc[:, 0].tolist(), True
    elif inc.shape[0] == 1 and inc.shape[1] == a.shape[1]:
        flags, by_rows = inc[0, :].tolist(), False
    else:
        raise ExcelError(VALUE)
    keep = []
    for i, v in enumerate(flags):
        if isinstance(v, CellError):
            raise ExcelError(v)
        if isinstance(v, str):
            raise ExcelError(VALUE)
        if v is not None and to_bool(v):
            keep.append(i)
    if not keep:
        if if_empty is None:
            raise ExcelError(CALC)
        return if_empty()
    return (a[keep, :] if by_rows else a[:, keep]).copy()


def _math1(fn):
    def call(x):
        try:
            return check(fn(num(x)))
        except (ValueError, OverflowError):
            raise ExcelError(NUM) from None

    return call


def f_sign(x):
    v = num(x)
    return float((v > 0) - (v < 0))


@dataclass(frozen=True)
class Builtin:
    """One built-in: ``fn`` gets the evaluated arguments (thunks when ``lazy``); ``errors_ok``
    lets error values through to the function instead of making them the result."""

    fn: Callable[..., Any]
    lazy: bool = False
    errors_ok: bool = False
    min_args: int = 0
    max_args: int = 255


def _b(fn, lo, hi=None, lazy=False, errors_ok=False):
    return Builtin(fn, lazy, errors_ok, lo, lo if hi is None else hi)


#: THE table of built-in functions: upper-case Excel name → :class:`Builtin`.
BUILTINS: dict[str, Builtin] = {
    "SUM": _b(f_sum, 1, 255),
    "AVERAGE": _b(f_average, 1, 255),
    "MIN": _b(f_min, 1, 255),
    "MAX": _b(f_max, 1, 255),
    "COUNT": _b(f_count, 1, 255, errors_ok=True),
    "COUNTA": _b(f_counta, 1, 255, errors_ok=True),
    "COUNTBLANK": _b(f_countblank, 1),
    "SUMPRODUCT": _b(f_sumproduct, 1, 255),
    "SUMIF": _b(f_sumif, 2, 3),
    "SUMIFS": _b(f_sumifs, 3, 255),
    "COUNTIF": _b(f_countif, 2),
    "COUNTIFS": _b(f_countifs, 2, 255),
    "AVERAGEIF": _b(f_averageif, 2, 3),
    "AVERAGEIFS": _b(f_averageifs, 3, 255),
    "ROUND": _b(f_round, 2),
    "ROUNDUP": _b(f_roundup, 2),
    "ROUNDDOWN": _b(f_rounddown, 2),
    "INT": _b(f_int, 1),
    "ABS": _b(f_abs, 1),
    "MOD": _b(f_mod, 2),
    "POWER": _b(f_power, 2),
    "SQRT": _b(f_sqrt, 1),
    "CEILING": _b(f_ceiling, 1, 2),
    "FLOOR": _b(f_floor, 1, 2),
    "CEILING.MATH": _b(f_ceiling_math, 1, 3),
    "FLOOR.MATH": _b(f_floor_math, 1, 3),
    "CEILING.PRECISE": _b(lambda x, s=None: f_ceiling_math(x, s), 1, 2),
    "FLOOR.PRECISE": _b(lambda x, s=None: f_floor_math(x, s), 1, 2),
    "IF": _b(f_if, 1, 3, lazy=True),
    "IFS": _b(f_ifs, 2, 254, lazy=True),
    "IFERROR": _b(f_iferror, 2, lazy=True),
    "IFNA": _b(f_ifna, 2, lazy=True),
    "CHOOSE": _b(f_choose, 2, 255, lazy=True),
    "SWITCH": _b(f_switch, 3, 255, lazy=True),
    "AND": _b(f_and, 1, 255),
    "OR": _b(f_or, 1, 255),
    "XOR": _b(f_xor, 1, 255),
    "NOT": _b(f_not, 1),
    "TRUE": _b(f_true, 0),
    "FALSE": _b(f_false, 0),
    "NA": _b(f_na, 0),
    "ISNUMBER": _b(f_isnumber, 1, errors_ok=True),
    "ISTEXT": _b(f_istext, 1, errors_ok=True),
    "ISBLANK": _b(f_isblank, 1, errors_ok=True),
    "ISERROR": _b(f_iserror, 1, errors_ok=True),
    "ISERR": _b(f_iserr, 1, errors_ok=True),
    "ISNA": _b(f_isna, 1, errors_ok=True),
    "ISLOGICAL": _b(f_islogical, 1, errors_ok=True),
    "INDEX": _b(f_index, 1, 3),
    "MATCH": _b(f_match, 2, 3),
    "VLOOKUP": _b(f_vlookup, 3, 4),
    "HLOOKUP": _b(f_hlookup, 3, 4),
    "XLOOKUP": _b(f_xlookup, 3, 6),
    "RANK": _b(f_rank, 2, 3),
    "RANK.EQ": _b(f_rank, 2, 3),
    "LARGE": _b(f_large, 2),
    "SMALL": _b(f_small, 2),
    "ROW": _b(None, 0, 1),
    "COLUMN": _b(None, 0, 1),  # evaluated on the reference itself, in formula.py
    "ROWS": _b(f_rows, 1),
    "COLUMNS": _b(f_columns, 1),
    "TEXT": _b(f_text, 2),
    "CONCAT": _b(f_concat, 1, 255),
    "CONCATENATE": _b(f_concatenate, 1, 255),
    "LEFT": _b(f_left, 1, 2),
    "RIGHT": _b(f_right, 1, 2),
    "MID": _b(f_mid, 3),
    "LEN": _b(f_len, 1),
    "UPPER": _b(f_upper, 1),
    "LOWER": _b(f_lower, 1),
    "TRIM": _b(f_trim, 1),
    "EXACT": _b(f_exact, 2),
    "REPT": _b(f_rept, 2),
    "VALUE": _b(f_value, 1),
    "DATE": _b(f_date, 3),
    "EOMONTH": _b(f_eomonth, 2),
    "EDATE": _b(f_edate, 2),
    "LOOKUP": _b(f_lookup, 2, 3),
    "FIND": _b(f_find, 2, 3),
    "SEARCH": _b(f_search, 2, 3),
    "SUBSTITUTE": _b(f_substitute, 3, 4),
    "REPLACE": _b(f_replace, 4),
    "SIN": _b(_math1(math.sin), 1),
    "COS": _b(_math1(math.cos), 1),
    "TAN": _b(_math1(math.tan), 1),
    "EXP": _b(_math1(math.exp), 1),
    "LN": _b(_math1(math.log), 1),
    "LOG10": _b(_math1(math.log10), 1),
    "PI": _b(lambda: math.pi, 0),
    "SIGN": _b(f_sign, 1),
    "YEAR": _b(f_year, 1),
    "MONTH": _b(f_month, 1),
    "DAY": _b(f_day, 1),
    "SEQUENCE": _b(f_sequence, 1, 4),
    "SORT": _b(f_sort, 1, 4),
    "UNIQUE": _b(f_unique, 1, 3),
    "FILTER": _b(f_filter, 2, 3, lazy=True),
    "ANCHORARRAY": _b(None, 1),  # A1#: evaluated on the reference itself, in formula.py
}

#: Functions whose scalar parameters are lifted elementwise over array arguments (array formulas).
ELEMENTWISE = {
    "ROUND",
    "ROUNDUP",
    "ROUNDDOWN",
    "INT",
    "ABS",
    "MOD",
    "POWER",
    "SQRT",
    "CEILING",
    "FLOOR",
    "CEILING.MATH",
    "FLOOR.MATH",
    "NOT",
    "ISNUMBER",
    "ISTEXT",
    "ISBLANK",
    "ISERROR",
    "ISERR",
    "ISNA",
    "ISLOGICAL",
    "LEFT",
    "RIGHT",
    "MID",
    "LEN",
    "UPPER",
    "LOWER",
    "TRIM",
    "EXACT",
    "REPT",
    "VALUE",
    "DATE",
    "EOMONTH",
    "EDATE",
    "YEAR",
    "MONTH",
    "DAY",
    "TEXT",
    "CONCATENATE",
    "FIND",
    "SEARCH",
    "SUBSTITUTE",
    "REPLACE",
    "SIN",
    "COS",
    "TAN",
    "EXP",
    "LN",
    "LOG10",
    "SIGN",
}
