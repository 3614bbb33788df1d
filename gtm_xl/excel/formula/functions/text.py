"""Excel's Text functions (TEXT and DOLLAR are in :mod:`.number_format`): CONCAT, CONCATENATE, LEFT,
RIGHT, MID, LEN, UPPER, LOWER, TRIM, EXACT, REPT, VALUE, FIND, SEARCH, SUBSTITUTE, REPLACE; CHAR, CODE,
UNICHAR, UNICODE, CLEAN, PROPER, T, FIXED, NUMBERVALUE, TEXTJOIN, TEXTBEFORE, TEXTAFTER, TEXTSPLIT,
VALUETOTEXT, ARRAYTOTEXT, and LEFTB, RIGHTB, MIDB, LENB as in a single-byte locale.
"""

from __future__ import annotations

import math
import re

import numpy as np

from gtm_xl.excel.formula.functions import context
from gtm_xl.excel.formula.functions.coercion import (
    VALUE,
    ExcelError,
    Unsupported,
    flat,
    num,
    scalar,
    text_number,
    to_bool,
    to_number,
    to_text,
    wildcard,
)
from gtm_xl.excel.formula.functions.mathtrig import excel_round
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import MAX_TEXT, CellError, text_too_long


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
    return t[max(len(t) - k, 0) :] if k else ""  # more than the text: all of it


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
    """UPPER(text): in upper case (a letter whose upper case is longer, ß → SS in Python, is unsupported)."""
    t = txt(s)
    out = t.upper()
    if len(out) != len(t):
        raise Unsupported("UPPER of a letter whose case changes its length")
    return out


def f_lower(s):
    """LOWER(text): in lower case (a letter whose lower case is longer, İ in Python, is unsupported)."""
    t = txt(s)
    out = t.lower()
    if len(out) != len(t):
        raise Unsupported("LOWER of a letter whose case changes its length")
    return out


def f_trim(s):
    """TRIM(text): no leading or trailing spaces, inner runs of spaces as one."""
    return " ".join(p for p in txt(s).split(" ") if p)


def f_exact(a, b):
    """EXACT(text1, text2): TRUE when equal, case included."""
    return txt(a) == txt(b)


def f_rept(s, n):
    """REPT(text, times): the text repeated; #VALUE! when the result would pass a cell's 32,767
    characters, checked before it is built (REPT("x",1E9) allocates nothing)."""
    k = int(num(n))
    if k < 0:
        raise ExcelError(VALUE)
    t = txt(s)
    if len(t) * k > MAX_TEXT:
        raise ExcelError(text_too_long(len(t) * k))
    return t * k


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
    if not n and k == len(h) + 1:  # Microsoft documents both 'start_num' and #VALUE! for this case
        raise Unsupported("FIND/SEARCH of empty text just past the end")
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
    if any(o[:j] == o[-j:] for j in range(1, len(o))):
        raise Unsupported("SUBSTITUTE instance of text that can overlap itself")
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


# -- characters, cleaning, case ------------------------------------------------------------------------------


def f_char(n):
    """CHAR(number): the character of code 1–255 (truncated); #VALUE! outside. Codes above 127 depend on the
    system's code page (Windows-1252, Mac Roman…), which a file does not tell: unsupported."""
    k = int(num(n))
    if not 1 <= k <= 255:
        raise ExcelError(VALUE)
    if k > 127:
        raise Unsupported("CHAR above 127 (the code page is the system's)")
    return chr(k)


def f_code(s):
    """CODE(text): the code of the first character; #VALUE! for empty text. Characters beyond ASCII depend on
    the system's code page: unsupported."""
    t = txt(s)
    if not t:
        raise ExcelError(VALUE)
    if ord(t[0]) > 127:
        raise Unsupported("CODE beyond ASCII (the code page is the system's)")
    return float(ord(t[0]))


def f_unichar(n):
    """UNICHAR(number): the Unicode character of that code point; #VALUE! for 0 or beyond U+10FFFF, #N/A for a
    lone surrogate half."""
    k = int(num(n))
    if not 1 <= k <= 0x10FFFF:
        raise ExcelError(VALUE)
    if 0xD800 <= k <= 0xDFFF:
        raise ExcelError(CellError("#N/A"))
    return chr(k)


def f_unicode(s):
    """UNICODE(text): the code point of the first character; #VALUE! for empty text. A character beyond the
    Basic Multilingual Plane (a surrogate pair in Excel) is not implemented: unsupported."""
    t = txt(s)
    if not t:
        raise ExcelError(VALUE)
    if ord(t[0]) > 0xFFFF:
        raise Unsupported("UNICODE beyond the BMP")
    return float(ord(t[0]))


def f_clean(s):
    """CLEAN(text): the text less the 7-bit control characters 0–31 (only those, as Microsoft documents)."""
    return "".join(ch for ch in txt(s) if ord(ch) >= 32)


def f_proper(s):
    """PROPER(text): each letter upper case after a character that is not a letter (start, space, digit,
    apostrophe…), lower case otherwise ("76BudGet" → "76Budget")."""
    out = []
    prev_letter = False
    for ch in txt(s):
        if len(ch.upper()) != 1 or len(ch.lower()) != 1:
            raise Unsupported("PROPER of a letter whose case changes its length (ß…)")
        if ch.isalpha():
            out.append(ch.lower() if prev_letter else ch.upper())
            prev_letter = True
        else:
            out.append(ch)
            prev_letter = False
    return "".join(out)


def f_t(v):
    """T(value): text as itself, anything else "" (an error value is the result)."""
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise Unsupported("T of a range or an array")
        v = v.reshape(-1)[0]
    if isinstance(v, CellError):
        raise ExcelError(v)
    return v if isinstance(v, str) else ""


def f_fixed(x, decimals=None, no_commas=None):
    """FIXED(number, [decimals], [no_commas]): the number rounded to decimals (2 by default; negative rounds
    left of the point) in text, with thousands separators unless no_commas; #VALUE! for decimals above 127.
    Separators as Excel's en-US settings: "," and "."."""
    v = num(x)
    d = 2 if decimals is None else int(math.trunc(num(decimals)))
    if d > 127:
        raise ExcelError(VALUE)
    plain = False if no_commas is None else to_bool(scalar(no_commas))
    r = excel_round(v, d)
    places = max(d, 0)
    if abs(r) >= 1e15 or len(str(int(abs(r)))) + places > 15:
        raise Unsupported("FIXED beyond 15 significant digits")
    s = f"{abs(r):.{places}f}" if plain else f"{abs(r):,.{places}f}"
    return ("-" if r < 0 else "") + s


_NUMBERVALUE_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


def f_numbervalue(text, decimal_sep=None, group_sep=None):
    """NUMBERVALUE(text, [decimal_separator], [group_separator]): text to a number with the given separators
    ("." and "," by default; the first character of each used): spaces ignored anywhere, "" is 0, group
    separators before the decimal separator dropped, trailing % each divide by 100; #VALUE! for two decimal
    separators or a group separator after it. Other forms (dates, exponents, currency) are unsupported."""
    v = scalar(text)
    if isinstance(v, bool):
        raise Unsupported("NUMBERVALUE of a logical")
    s = "".join(to_text(v).split())
    dec = "." if decimal_sep is None else txt(decimal_sep)[:1]
    grp = "," if group_sep is None else txt(group_sep)[:1]
    if not dec or not grp or dec == grp:
        raise Unsupported("NUMBERVALUE with empty or equal separators")
    if s == "":
        return 0.0
    percents = len(s) - len(s.rstrip("%"))
    s = s.rstrip("%")
    if s.count(dec) > 1:
        raise ExcelError(VALUE)
    whole, point, frac = s.partition(dec)
    if grp in frac:
        raise ExcelError(VALUE)
    candidate = whole.replace(grp, "") + ("." if point else "") + frac
    if not _NUMBERVALUE_TEXT.match(candidate):
        if re.search(r"[A-DF-Za-df-z]", candidate) is None:
            raise Unsupported("NUMBERVALUE of this form")
        raise ExcelError(VALUE)
    return float(candidate) / 100.0**percents


# -- joining and splitting -------------------------------------------------------------------------------


def _texts(v) -> list:
    """The values of an argument as text (ranges row by row), blanks as None; an error value raises."""
    out = []
    for x in flat(v):
        if isinstance(x, CellError):
            raise ExcelError(x)
        out.append(None if x is None else to_text(x))
    return out


def f_textjoin(delimiter, ignore_empty, *texts):
    """TEXTJOIN(delimiter, ignore_empty, text1, …): the texts (ranges included) joined by the delimiter (an
    array of delimiters is used in turn); with ignore_empty blanks and "" are left out; #VALUE! beyond 32,767
    characters."""
    delims = [d or "" for d in _texts(delimiter)]
    skip = to_bool(scalar(ignore_empty))
    parts = []
    for t in texts:
        for x in _texts(t):
            if skip and not x:
                continue
            parts.append(x or "")
    out = []
    for i, p in enumerate(parts):
        if i:
            out.append(delims[(i - 1) % len(delims)] if delims else "")
        out.append(p)
    s = "".join(out)
    if len(s) > 32767:
        raise ExcelError(VALUE)
    return s


def _delimiters(d) -> list[str]:
    out = [x or "" for x in _texts(d)]
    if any(x == "" for x in out):
        raise Unsupported("an empty delimiter")
    return out


def _occurrences(t: str, delims: list[str], fold: bool) -> list[tuple[int, int]]:
    """(start, end) of each delimiter found, left to right, not overlapping (at a position the longest of the
    delimiters wins). A delimiter that can overlap itself is not implemented: unsupported."""
    for d in delims:
        for k in range(1, len(d)):
            if d[:k] == d[-k:]:
                raise Unsupported("a delimiter that can overlap itself")
    hay = t.lower() if fold else t
    ds = sorted({(d.lower() if fold else d) for d in delims}, key=len, reverse=True)
    if len(ds) > 1:
        raise Unsupported("several delimiters")  # which one wins where they overlap is not documented
    found = []
    i = 0
    while i <= len(hay):
        for d in ds:
            if hay.startswith(d, i):
                found.append((i, i + len(d)))
                i += len(d)
                break
        else:
            i += 1
    return found


def _before_after(text, delimiter, instance, match_mode, match_end, if_not_found, before: bool):
    t = txt(text)
    n = 1 if instance is None else int(math.trunc(num(instance)))
    fold = False if match_mode is None else bool(num(match_mode))
    end = False if match_end is None else bool(num(match_end))
    if n == 0 or abs(n) > len(t):
        raise ExcelError(VALUE)
    if [x or "" for x in _texts(delimiter)] == [""]:  # an empty delimiter matches at once (Microsoft)
        return ("" if n > 0 else t) if before else (t if n > 0 else "")
    delims = _delimiters(delimiter)
    found = _occurrences(t, delims, fold)
    if end:  # the end of the text (start, searching backwards) counts as a delimiter
        found = found + [(len(t), len(t))] if n > 0 else [(0, 0)] + found
    if abs(n) > len(found):
        if if_not_found is not None:
            return (
                scalar(if_not_found)
                if isinstance(if_not_found, np.ndarray) and if_not_found.size == 1
                else if_not_found
            )
        raise ExcelError(CellError("#N/A"))
    start, stop = found[n - 1] if n > 0 else found[n]
    return t[:start] if before else t[stop:]


def f_textbefore(text, delimiter, instance=None, match_mode=None, match_end=None, if_not_found=None):
    """TEXTBEFORE(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found]): the text before the
    instance-th delimiter (from the end when negative); #VALUE! for instance 0 or beyond the text's length, #N/A
    (or if_not_found) when not found."""
    return _before_after(text, delimiter, instance, match_mode, match_end, if_not_found, True)


def f_textafter(text, delimiter, instance=None, match_mode=None, match_end=None, if_not_found=None):
    """TEXTAFTER(text, delimiter, [instance_num], [match_mode], [match_end], [if_not_found]): the text after the
    instance-th delimiter (from the end when negative); #VALUE! for instance 0 or beyond the text's length, #N/A
    (or if_not_found) when not found."""
    return _before_after(text, delimiter, instance, match_mode, match_end, if_not_found, False)


def _split(t: str, delims: list[str], fold: bool, ignore_empty: bool) -> list[str]:
    pieces, last = [], 0
    for a, b in _occurrences(t, delims, fold):
        pieces.append(t[last:a])
        last = b
    pieces.append(t[last:])
    return [p for p in pieces if p] if ignore_empty else pieces


def f_textsplit(text, col_delimiter=None, row_delimiter=None, ignore_empty=None, match_mode=None, pad_with=None):
    """TEXTSPLIT(text, col_delimiter, [row_delimiter], [ignore_empty], [match_mode], [pad_with]): the text split
    into columns (and rows), short rows padded with pad_with (#N/A by default)."""
    t = txt(text)
    if not t:
        raise Unsupported("TEXTSPLIT of empty text")
    fold = False if match_mode is None else bool(num(match_mode))
    skip = False if ignore_empty is None else to_bool(scalar(ignore_empty))
    if col_delimiter is None and row_delimiter is None:
        raise ExcelError(VALUE)
    rows = [t] if row_delimiter is None else _split(t, _delimiters(row_delimiter), fold, skip)
    cols = [[r] if col_delimiter is None else _split(r, _delimiters(col_delimiter), fold, skip) for r in rows]
    if not cols or not any(cols):
        raise ExcelError(CellError("#CALC!"))
    width = max(len(c) for c in cols)
    pad = CellError("#N/A") if pad_with is None else scalar(pad_with)
    out = np.empty((len(cols), width), dtype=object)
    for i, c in enumerate(cols):
        for j in range(width):
            out[i, j] = c[j] if j < len(c) else pad
    return out


def _value_text(v, strict: bool) -> str:
    if isinstance(v, CellError):
        return v.code
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"' if strict else v
    return to_text(v)


def f_valuetotext(value, fmt=None):
    """VALUETOTEXT(value, [format]): the value as text; format 0 (concise) text as it is, 1 (strict) text in
    quotes; error values as their code; #VALUE! for another format."""
    f = 0 if fmt is None else int(num(fmt))
    if f not in (0, 1):
        raise ExcelError(VALUE)
    v = value
    if isinstance(v, np.ndarray):
        return np.vectorize(lambda x: _value_text(x, f == 1), otypes=[object])(v)
    return _value_text(v, f == 1)


def f_arraytotext(array, fmt=None):
    """ARRAYTOTEXT(array, [format]): format 0 (concise) the values joined by ", "; 1 (strict) as an array
    constant {1,"a";TRUE,2}; error values as their code; #VALUE! for another format."""
    f = 0 if fmt is None else int(num(fmt))
    if f not in (0, 1):
        raise ExcelError(VALUE)
    m = np.asarray(array, dtype=object)
    if m.ndim < 2:
        m = m.reshape(1, -1)
    if f == 0:
        return ", ".join(_value_text(v, False) for v in m.reshape(-1).tolist())
    rows = [",".join(_value_text(v, True) for v in row) for row in m.tolist()]
    return "{" + ";".join(rows) + "}"


# -- byte-counting variants -----------------------------------------------------------------------------------


def _single_byte(t: str) -> str:
    """LEFTB and kin count bytes, which in a single-byte locale are characters. Text beyond Latin-1 is where a
    double-byte locale (Japanese, Chinese, Korean) counts two: unsupported."""
    if any(ord(ch) > 0xFF for ch in t):
        raise Unsupported("byte counts of text beyond Latin-1 (the locale decides)")
    return t


def f_leftb(s, n=1.0):
    """LEFTB(text, [num_bytes]): as LEFT in a single-byte locale."""
    _single_byte(txt(s))
    return f_left(s, n)


def f_rightb(s, n=1.0):
    """RIGHTB(text, [num_bytes]): as RIGHT in a single-byte locale."""
    _single_byte(txt(s))
    return f_right(s, n)


def f_midb(s, start, n):
    """MIDB(text, start_num, num_bytes): as MID in a single-byte locale."""
    _single_byte(txt(s))
    return f_mid(s, start, n)


def f_lenb(s):
    """LENB(text): as LEN in a single-byte locale."""
    return float(len(_single_byte(txt(s))))


FUNCTIONS.update(
    {
        "CHAR": builtin(f_char, 1),
        "CODE": builtin(f_code, 1),
        "UNICHAR": builtin(f_unichar, 1),
        "UNICODE": builtin(f_unicode, 1),
        "CLEAN": builtin(f_clean, 1),
        "PROPER": builtin(f_proper, 1),
        "T": builtin(f_t, 1),
        "FIXED": builtin(f_fixed, 1, 3),
        "NUMBERVALUE": builtin(f_numbervalue, 1, 3),
        "TEXTJOIN": builtin(f_textjoin, 3, 255),
        "TEXTBEFORE": builtin(f_textbefore, 2, 6),
        "TEXTAFTER": builtin(f_textafter, 2, 6),
        "TEXTSPLIT": builtin(f_textsplit, 2, 6),
        "VALUETOTEXT": builtin(f_valuetotext, 1, 2, errors_ok=True),
        "ARRAYTOTEXT": builtin(f_arraytotext, 1, 2, errors_ok=True),
        "LEFTB": builtin(f_leftb, 1, 2),
        "RIGHTB": builtin(f_rightb, 1, 2),
        "MIDB": builtin(f_midb, 3),
        "LENB": builtin(f_lenb, 1),
    }
)

#: Elementwise functions of this module (lifted over array arguments, see registry.ELEMENTWISE).
LIFTED = {"CHAR", "CODE", "UNICHAR", "UNICODE", "CLEAN", "PROPER", "FIXED", "NUMBERVALUE", "LEFTB", "RIGHTB"}
LIFTED |= {"MIDB", "LENB"}


# date serials read (and written) through the book's date system (context.date1904())
for _name in ("VALUE",):
    context.reads_date_system(FUNCTIONS[_name].fn)
