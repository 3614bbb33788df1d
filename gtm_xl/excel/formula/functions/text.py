"""Excel's Text functions (TEXT and DOLLAR are in :mod:`.number_format`): CONCAT, CONCATENATE, LEFT, RIGHT, MID, LEN, UPPER, LOWER, TRIM,
EXACT, REPT, VALUE, FIND, SEARCH, SUBSTITUTE, REPLACE.
"""

from __future__ import annotations

from gtm_xl.excel.formula.functions.coercion import (
    VALUE,
    ExcelError,
    flat,
    num,
    scalar,
    text_number,
    to_number,
    to_text,
    wildcard,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError


def txt(v) -> str:
    """One argument as text (:func:`to_text` of its first value)."""
    return to_text(scalar(v))


def f_concat(*args):
    """CONCAT(text1, …): every value of every argument joined, ranges included."""
    out = []
    for a in args:
        for v in flat(a):
            if isinstance(v, CellError):
                raise ExcelError(v)
            out.append(to_text(v))
    return "".join(out)


def f_concatenate(*args):
    """CONCATENATE(text1, …): the arguments joined as text."""
    return "".join(txt(a) for a in args)


def f_left(s, n=1.0):
    """LEFT(text, [count]): the first count characters (1 by default)."""
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    return txt(s)[:k]


def f_right(s, n=1.0):
    """RIGHT(text, [count]): the last count characters (1 by default)."""
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    t = txt(s)
    return t[len(t) - k :] if k else ""


def f_mid(s, start, n):
    """MID(text, start, count): count characters from the 1-based start."""
    a, k = int(num(start)), int(num(n))
    if a < 1 or k < 0:
        raise ExcelError(VALUE)
    return txt(s)[a - 1 : a - 1 + k]


def f_len(s):
    """LEN(text): the number of characters."""
    return float(len(txt(s)))


def f_upper(s):
    """UPPER(text): in upper case."""
    return txt(s).upper()


def f_lower(s):
    """LOWER(text): in lower case."""
    return txt(s).lower()


def f_trim(s):
    """TRIM(text): no leading or trailing spaces, inner runs of spaces as one."""
    return " ".join(p for p in txt(s).split(" ") if p)


def f_exact(a, b):
    """EXACT(text1, text2): TRUE when equal, case included."""
    return txt(a) == txt(b)


def f_rept(s, n):
    """REPT(text, times): the text repeated."""
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    return txt(s) * k


def f_value(s):
    """VALUE(text): the number the text reads as; #VALUE! otherwise."""
    v = scalar(s)
    if isinstance(v, bool):
        raise ExcelError(VALUE)
    if isinstance(v, str):
        try:
            return text_number(v.strip())
        except ValueError:
            raise ExcelError(VALUE) from None
    return to_number(v)


def f_find(needle, hay, start=1.0, _fold=False):
    """FIND(find, within, [start]): the 1-based position, case-sensitive, no wildcards; #VALUE! if absent."""
    n, h, k = txt(needle), txt(hay), int(num(start))
    if k < 1 or k > len(h) + 1:
        raise ExcelError(VALUE)
    if _fold:
        rx = wildcard(n)
        for i in range(k - 1, len(h) + 1):
            if rx.match(h, i):
                return float(i + 1)
        raise ExcelError(VALUE)
    i = h.find(n, k - 1)
    if i < 0:
        raise ExcelError(VALUE)
    return float(i + 1)


def f_search(needle, hay, start=1.0):
    """SEARCH(find, within, [start]): as FIND, but case-insensitive and with wildcards (``*`` ``?`` ``~``)."""
    return f_find(needle, hay, start, True)


def f_substitute(text, old, new, instance=None):
    """SUBSTITUTE(text, old, new, [instance]): every (or the instance-th) old replaced by new."""
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
    """REPLACE(text, start, count, new): count characters from start replaced by new."""
    t, a, k = txt(text), int(num(start)), int(num(count))
    if a < 1 or k < 0:
        raise ExcelError(VALUE)
    return t[: a - 1] + txt(new) + t[a - 1 + k :]


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "CONCAT": builtin(f_concat, 1, 255),
    "CONCATENATE": builtin(f_concatenate, 1, 255),
    "LEFT": builtin(f_left, 1, 2),
    "RIGHT": builtin(f_right, 1, 2),
    "MID": builtin(f_mid, 3),
    "LEN": builtin(f_len, 1),
    "UPPER": builtin(f_upper, 1),
    "LOWER": builtin(f_lower, 1),
    "TRIM": builtin(f_trim, 1),
    "EXACT": builtin(f_exact, 2),
    "REPT": builtin(f_rept, 2),
    "VALUE": builtin(f_value, 1),
    "FIND": builtin(f_find, 2, 3),
    "SEARCH": builtin(f_search, 2, 3),
    "SUBSTITUTE": builtin(f_substitute, 3, 4),
    "REPLACE": builtin(f_replace, 4),
}
