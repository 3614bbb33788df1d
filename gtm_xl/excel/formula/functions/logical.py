"""Excel's Logical functions: IF, IFS, IFERROR, IFNA, SWITCH, AND, OR, XOR, NOT, TRUE, FALSE.

IF, IFS, IFERROR, IFNA and SWITCH are lazy: they get thunks and evaluate only the branch taken.
"""

from __future__ import annotations

import numpy as np

from gtm_xl.excel.formula.functions.coercion import (
    NA,
    VALUE,
    ExcelError,
    broadcast_shape,
    compare,
    fit,
    flat,
    is_array,
    scalar,
    soft,
    to_bool,
    type_rank,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def f_and(*args):
    """AND(logical1, …): TRUE when every logical argument is TRUE (text in ranges ignored); #VALUE! if none."""
    vals = _logicals(args)
    if not vals:
        raise ExcelError(VALUE)
    return all(vals)


def f_or(*args):
    """OR(logical1, …): TRUE when any logical argument is TRUE."""
    vals = _logicals(args)
    if not vals:
        raise ExcelError(VALUE)
    return any(vals)


def f_xor(*args):
    """XOR(logical1, …): TRUE when an odd number of logical arguments are TRUE."""
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
    """NOT(logical): the opposite truth value."""
    return not to_bool(scalar(x))


# lazy functions get thunks: calling one evaluates that argument (errors raise ExcelError)
def f_if(cond, then=None, otherwise=None):
    """IF(condition, [then], [else]): the branch taken only is evaluated; over an array, element by element."""
    c = cond()
    if is_array(c):
        return _array_if(c, then, otherwise)
    if to_bool(c):
        return then() if then is not None else True
    return otherwise() if otherwise is not None else False


def _array_if(c, then, otherwise):
    t = soft(then, True)
    o = soft(otherwise, False)
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
    """IFS(condition1, value1, …): the value of the first TRUE condition; #N/A when none is."""
    if len(pairs) % 2:
        raise ExcelError(VALUE)
    for cond, val in zip(pairs[::2], pairs[1::2]):
        if to_bool(scalar(cond())):
            return val()
    raise ExcelError(NA)


def f_iferror(value, fallback):
    """IFERROR(value, fallback): the fallback where value is an error (per element over an array)."""
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
    """IFNA(value, fallback): the fallback where value is #N/A (per element over an array)."""
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
    fb = soft(fallback)
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


def f_switch(expr, *rest):
    """SWITCH(expression, value1, result1, …, [default]): the result of the first value equal to expression."""
    value = scalar(expr())
    pairs = len(rest) // 2
    for k in range(pairs):
        case = scalar(rest[2 * k]())
        a = 0.0 if value is None and isinstance(case, float) else value  # a blank is 0 against a number only
        b = 0.0 if case is None and isinstance(value, float) else case
        if (a is None and b is None) or (
            a is not None and b is not None and type_rank(a) == type_rank(b) and compare(a, b) == 0
        ):
            return rest[2 * k + 1]()
    if len(rest) % 2:
        return rest[-1]()
    raise ExcelError(NA)


def f_true():
    """TRUE(): the logical TRUE."""
    return True


def f_false():
    """FALSE(): the logical FALSE."""
    return False


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "IF": builtin(f_if, 1, 3, lazy=True),
    "IFS": builtin(f_ifs, 2, 254, lazy=True),
    "IFERROR": builtin(f_iferror, 2, lazy=True),
    "IFNA": builtin(f_ifna, 2, lazy=True),
    "SWITCH": builtin(f_switch, 3, 255, lazy=True),
    "AND": builtin(f_and, 1, 255),
    "OR": builtin(f_or, 1, 255),
    "XOR": builtin(f_xor, 1, 255),
    "NOT": builtin(f_not, 1),
    "TRUE": builtin(f_true, 0),
    "FALSE": builtin(f_false, 0),
}
