"""Excel's Text functions: TEXT, CONCAT, CONCATENATE, LEFT, RIGHT, MID, LEN, UPPER, LOWER, TRIM,
EXACT, REPT, VALUE, FIND, SEARCH, SUBSTITUTE, REPLACE.
"""

from __future__ import annotations

import re

from gtm_xl.excel.formula.functions.coercion import (
    VALUE,
    ExcelError,
    Unsupported,
    flat,
    num,
    number_to_text,
    scalar,
    text_number,
    to_number,
    to_text,
    wildcard,
)
from gtm_xl.excel.formula.functions.dates import serial_to_date
from gtm_xl.excel.formula.functions.mathtrig import excel_round
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


def f_text(value, fmt):
    """TEXT(value, format): the value in a number or date format (the formats of :func:`format_number`)."""
    v = scalar(value)
    f = txt(fmt)
    if isinstance(v, str):
        try:
            v = text_number(v.strip())
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
    "TEXT": builtin(f_text, 2),
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
