"""Excel's number formats, as TEXT and DOLLAR apply them (and FIXED may): :func:`format_value`.

A format has up to four sections ``positive;negative;zero;text``; with conditions (``[>100]``)
the first two sections apply where their condition holds and the next one otherwise. A negative
number shown by a section of its own loses its minus sign (the section writes one if it wants);
with a single section the minus sign is prefixed. Within a section:

* digit placeholders ``0`` (digit or 0), ``#`` (digit or nothing), ``?`` (digit or space), the
  decimal point, ``,`` between placeholders (thousands separator) or after the last one
  (scales by 1000 each), ``%`` (×100 each), ``E+00``/``E-00`` (scientific);
* fractions ``# ?/?``, ``?/8``: the best approximation with at most as many denominator digits,
  or the fixed denominator;
* dates and times: ``y yy yyyy``, ``m mm mmm mmmm mmmmm`` (minutes after ``h`` or before ``s``),
  ``d dd ddd dddd``, ``h hh``, ``s ss``, ``.0``–``.000`` after seconds, ``AM/PM`` ``A/P``, elapsed
  ``[h] [m] [s]``; the value is rounded to the seconds shown;
* literals: ``"text"``, ``\\c``, ``_c`` (a space), ``$ - + / ( ) : ! ^ & ' ~ { } < > =`` and space,
  ``[$€-407]`` (the currency symbol), colours ``[Red]`` ignored; ``@`` the text value.

What this module does not implement with certainty (fill ``*``, locale date codes, Buddhist
years, ``General`` inside a section with other placeholders, unusual fraction shapes) raises
:class:`Unsupported`, so a cell is never formatted by a guess.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from gtm_xl.excel.formula.functions import context
from gtm_xl.excel.formula.functions.coercion import (
    VALUE,
    ExcelError,
    Unsupported,
    num,
    scalar,
    to_text,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError

__all__ = ["format_value", "format_general", "FUNCTIONS"]

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LITERAL_CHARS = set("$-+/():!^&'~{}<>=| ") | set("£¥€¢")
_COLOURS = {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}
#: The placeholders and marks that are a token of one character each: character → token kind.
_ONE_CHAR_TOKENS = {"0": "digit", "#": "digit", "?": "digit", ".": "point", ",": "comma", "%": "pct", "@": "at"}


# --------------------------------------------------------------------------------------- tokens


def _tokenize(section: str) -> list[tuple[str, str]]:
    """A section as (kind, text) tokens: lit, digit (0 # ?), point, comma, pct, exp, slash, date,
    ampm, elapsed, at, general, cond."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(section)
    low = section.lower()
    while i < n:
        c = section[i]
        if c == '"':
            j = section.find('"', i + 1)
            if j < 0:
                raise Unsupported("number format: unclosed quote")
            out.append(("lit", section[i + 1 : j]))
            i = j + 1
        elif c == "\\":
            if i + 1 >= n:
                raise Unsupported("number format: trailing backslash")
            out.append(("lit", section[i + 1]))
            i += 2
        elif c == "_":
            if i + 1 >= n:
                raise Unsupported("number format: trailing _")
            out.append(("lit", " "))
            i += 2
        elif c == "*":
            raise Unsupported("number format: fill character *")
        elif c == "[":
            j = section.find("]", i)
            if j < 0:
                raise Unsupported("number format: unclosed [")
            body = section[i + 1 : j]
            bl = body.lower()
            if bl in _COLOURS or re.fullmatch(r"color\s*\d{1,2}", bl):
                pass
            elif re.fullmatch(r"(<=|>=|<>|<|>|=)\s*-?\d+(\.\d*)?", body):
                out.append(("cond", body))
            elif re.fullmatch(r"h+|m+|s+", bl):
                out.append(("elapsed", bl))
            elif body.startswith("$"):
                sym, _, locale = body[1:].partition("-")
                if locale and not re.fullmatch(r"[0-9A-Fa-f]{1,8}", locale):
                    raise Unsupported(f"number format: locale [{body}]")
                if locale and len(locale) > 4 and locale[:-4].strip("0"):
                    raise Unsupported(f"number format: calendar or digits [{body}]")
                out.append(("lit", sym))
                if locale and int(locale[-4:], 16) & 0x3FF != 0x09:
                    out.append(("locale", locale))  # not English: month and day names would differ
            else:
                raise Unsupported(f"number format: [{body}]")
            i = j + 1
        elif c in _ONE_CHAR_TOKENS:
            out.append((_ONE_CHAR_TOKENS[c], c))
            i += 1
        elif c in "eE" and i + 1 < n and section[i + 1] in "+-":
            out.append(("exp", section[i + 1]))
            i += 2
        elif low.startswith("general", i):
            out.append(("general", "General"))
            i += 7
        elif low.startswith("am/pm", i):
            out.append(("ampm", section[i : i + 5]))
            i += 5
        elif low.startswith("a/p", i):
            out.append(("ampm", section[i : i + 3]))
            i += 3
        elif c.lower() in "ymdhs":
            j = i
            while j < n and section[j].lower() == c.lower():
                j += 1
            out.append(("date", low[i:j]))
            i = j
        elif c == "/":
            out.append(("slash", c))
            i += 1
        elif c in "123456789":
            out.append(("lit_digit", c))
            i += 1
        elif c in _LITERAL_CHARS or (ord(c) > 127 and not c.isalpha()):
            out.append(("lit", c))
            i += 1
        else:
            raise Unsupported(f"number format: character {c!r}")
    return out


def _split_sections(fmt: str) -> list[str]:
    """The format's sections, split at ``;`` outside quotes, brackets and escapes."""
    parts, cur, i = [], [], 0
    while i < len(fmt):
        c = fmt[i]
        if c == '"':
            j = fmt.find('"', i + 1)
            j = len(fmt) - 1 if j < 0 else j
            cur.append(fmt[i : j + 1])
            i = j + 1
            continue
        if c in "\\_*" and i + 1 < len(fmt):
            cur.append(fmt[i : i + 2])
            i += 2
            continue
        if c == "[":
            j = fmt.find("]", i)
            j = len(fmt) - 1 if j < 0 else j
            cur.append(fmt[i : j + 1])
            i = j + 1
            continue
        if c == ";":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


# --------------------------------------------------------------------------------------- general


def format_general(x: float) -> str:
    """A number in the ``General`` format as TEXT writes it: as it is when it has at most 10 significant
    digits, scientific ``1.23457E+12`` from 1E+11 on (and below 1E-9); longer numbers, whose rounding
    to the General width is not certain here, are :class:`Unsupported`."""
    if x == 0:
        return "0"
    a = abs(x)
    sign = "-" if x < 0 else ""
    if a >= 1e11:
        return sign + _sci_general(a)
    if a < 1e-9:
        return sign + _sci_general(a)
    if a < 1e-4:
        raise Unsupported("General format of a very small number")
    digits = f"{a:.15g}"
    if "e" in digits or len(digits.replace(".", "").lstrip("0")) > 10:
        # more than 10 significant digits: whether TEXT keeps 10 or 11 characters is not certain
        raise Unsupported("General format of a number with more than 10 significant digits")
    return sign + digits


def _sci_general(a: float) -> str:
    d = Decimal(repr(a))
    exp = d.adjusted()
    mant = (d.scaleb(-exp)).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
    if mant >= 10:
        mant /= 10
        exp += 1
    m = f"{mant:f}".rstrip("0").rstrip(".")
    return f"{m}E{'+' if exp >= 0 else '-'}{abs(exp):02d}"


# --------------------------------------------------------------------------------------- sections


def _pick_section(sections: list[list[tuple[str, str]]], x: float) -> tuple[list[tuple[str, str]], float, bool]:
    """The section for number ``x``: (tokens, value to show, whether to prefix a minus sign)."""
    conds = [next((t for k, t in s if k == "cond"), None) for s in sections]
    numeric = sections[:3] if len(sections) > 3 else sections
    if any(conds[: len(numeric)]):
        if x < 0:
            raise Unsupported("number format: a negative number with conditional sections")
        for i, s in enumerate(numeric):
            c = conds[i]
            if c is None:
                if i == len(numeric) - 1 or i >= 2:
                    return s, abs(x) if x < 0 and i > 0 else x, x < 0 and i == 0
                continue
            if _holds(c, x):
                return s, abs(x) if x < 0 else x, False if i > 0 else x < 0
        if len(numeric) == 2 and conds[1] is not None:
            raise Unsupported("number format: no condition holds")
        raise Unsupported("number format: conditions")
    if len(numeric) == 1:
        return numeric[0], abs(x), x < 0
    if x > 0:
        return numeric[0], x, False
    if x < 0:
        return numeric[1], -x, False
    return (numeric[2] if len(numeric) > 2 else numeric[0]), x, False


def _holds(cond: str, x: float) -> bool:
    m = re.fullmatch(r"(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d*)?)", cond)
    if m is None:
        raise Unsupported(f"number format: condition [{cond}]")
    op, v = m.group(1), float(m.group(2))
    return {"<": x < v, ">": x > v, "<=": x <= v, ">=": x >= v, "=": x == v, "<>": x != v}[op]


def format_value(value, fmt: str) -> str:
    """``value`` (a number, text or logical) shown in the Excel number format ``fmt``, as TEXT does."""
    raw = _split_sections(fmt)
    if len(raw) > 4:
        raise ExcelError(VALUE)
    sections = [_tokenize(s) for s in raw]
    for i, sec in enumerate(sections):
        kinds = {k for k, _ in sec}
        if "at" in kinds and (
            kinds & {"digit", "date", "elapsed", "ampm", "general"} or (len(sections) == 4 and i < 3)
        ):
            raise ExcelError(VALUE)  # @ mixed with placeholders, or in a number section: not a valid format
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if isinstance(value, str):
        if len(sections) == 4:
            return _text_section(sections[3], value)
        if len(sections) == 1 and any(k == "at" for k, _ in sections[0]):
            return _text_section(sections[0], value)
        if any(k == "at" for s in sections for k, _ in s):
            raise Unsupported("number format: @ outside the text section")
        return value
    x = float(value)
    tokens, shown, minus = _pick_section(sections, x)
    date_like = any(k in ("date", "elapsed", "ampm") for k, _ in tokens)
    tokens = [(k, t) for k, t in tokens if k != "cond" and (k != "locale" or date_like)]
    kinds = {k for k, _ in tokens}
    if "at" in kinds:
        raise Unsupported("number format: a number in a section with @")
    if x < 0 and kinds & {"date", "elapsed", "ampm"}:
        if not minus:
            raise Unsupported("number format: a negative number in a date section of its own")
        if [k for k, _ in tokens if k != "cond"] != ["elapsed"]:
            raise ExcelError(VALUE)  # dates and times before serial 0 do not exist
        return "-" + _format_number_section(tokens, shown, x)
    body = _format_number_section(tokens, shown, x)
    if minus:
        if not re.search(r"[1-9]", body):
            raise Unsupported("number format: a negative number shown as zero")
        return "-" + body
    return body


def _text_section(tokens, text: str) -> str:
    out = []
    for k, t in tokens:
        if k == "at":
            out.append(text)
        elif k in ("lit", "lit_digit"):
            out.append(t)
        elif k in ("cond", "locale"):
            continue
        else:
            raise Unsupported("number format: placeholder in the text section")
    return "".join(out)


def _format_number_section(tokens, x: float, original: float) -> str:
    kinds = {k for k, _ in tokens}
    if "general" in kinds:
        if kinds & {"digit", "date", "elapsed", "exp", "pct", "point", "comma", "slash"}:
            raise Unsupported("number format: General with placeholders")
        return "".join(format_general(x) if k == "general" else t for k, t in tokens if k != "cond")
    if kinds & {"date", "elapsed", "ampm"}:
        return _format_date(tokens, x)
    if "slash" in kinds and "digit" in kinds:
        return _format_fraction(tokens, x)
    if "exp" in kinds:
        return _format_scientific(tokens, x)
    if "digit" not in kinds:
        return "".join(t for k, t in tokens if k in ("lit", "lit_digit", "slash", "point", "comma", "pct"))
    return _format_decimal(tokens, x)


# --------------------------------------------------------------------------------------- numbers


def _round_digits(x: float, decimals: int) -> tuple[str, str]:
    """``x`` (non-negative) rounded half away from zero to ``decimals``: (integer digits, decimal digits)."""
    d = Decimal(f"{x:.15g}") if x else Decimal(0)
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) if decimals >= 0 else d
    s = f"{q:f}"
    whole, _, frac = s.partition(".")
    return whole.lstrip("0"), frac.ljust(decimals, "0")[:decimals]


def _integer_layout(tokens):
    """Split number tokens at the decimal point; find grouping and scaling commas."""
    digit_idx = [i for i, (k, _) in enumerate(tokens) if k == "digit"]
    point = next((i for i, (k, _) in enumerate(tokens) if k == "point"), None)
    grouping = False
    scale = 0
    kept = []
    for i, (k, t) in enumerate(tokens):
        if k == "comma":
            before = any(j < i for j in digit_idx)
            after_digits = [j for j in digit_idx if j > i]
            if before and after_digits and (point is None or i < point) and after_digits[0] < (point or 10**9):
                # between integer placeholders (possibly after more commas): thousands separator
                nxt = i + 1
                while nxt < len(tokens) and tokens[nxt][0] == "comma":
                    nxt += 1
                if nxt < len(tokens) and tokens[nxt][0] == "digit":
                    grouping = True
                    continue
            if before:
                # after the last placeholder of the integer or decimal part: scaling
                prev = i - 1
                while prev >= 0 and tokens[prev][0] == "comma":
                    prev -= 1
                nxt = i + 1
                while nxt < len(tokens) and tokens[nxt][0] == "comma":
                    nxt += 1
                if prev >= 0 and tokens[prev][0] == "digit" and (nxt >= len(tokens) or tokens[nxt][0] != "digit"):
                    scale += 1
                    continue
            kept.append(("lit", ","))
            continue
        kept.append((k, t))
    return kept, grouping, scale


def _format_decimal(tokens, x: float) -> str:
    tokens, grouping, scale = _integer_layout(tokens)
    pct = sum(1 for k, _ in tokens if k == "pct")
    x = x * (100**pct) / (1000**scale)
    point = next((i for i, (k, _) in enumerate(tokens) if k == "point"), None)
    int_tokens = tokens if point is None else tokens[:point]
    frac_tokens = [] if point is None else tokens[point + 1 :]
    if any(k == "point" for k, _ in frac_tokens):
        raise Unsupported("number format: two decimal points")
    frac_ph = [t for k, t in frac_tokens if k == "digit"]
    if "#" in frac_ph and any(t != "#" for t in frac_ph[frac_ph.index("#") :]):
        raise Unsupported("number format: 0 or ? after # in the decimals")
    whole, frac = _round_digits(x, len(frac_ph))
    # decimal part: placeholders left to right; trailing zeros dropped for # and blanked for ?
    fd = list(frac)
    keep = len(fd)
    while keep > 0 and fd[keep - 1] == "0" and frac_ph[keep - 1] != "0":
        keep -= 1
    frac_out, di = [], 0
    for k, t in frac_tokens:
        if k == "digit":
            if di < keep:
                frac_out.append(fd[di])
            elif t == "?":
                frac_out.append(" ")
            di += 1
        elif k in ("lit", "lit_digit", "pct", "slash"):
            frac_out.append(t)
        elif k == "comma":
            frac_out.append(",")
    int_out = _fill_integer(int_tokens, whole, grouping)
    if point is None:
        return int_out
    return int_out + "." + "".join(frac_out)


def _fill_integer(int_tokens, whole: str, grouping: bool) -> str:
    """Digits of the integer part into its placeholders, right to left; extra digits go to the
    leftmost placeholder; literals stay in place."""
    ph = [i for i, (k, _) in enumerate(int_tokens) if k == "digit"]
    digits = whole
    if not ph:
        if digits:
            # no integer placeholders: Excel shows the integer digits before the point anyway
            return "".join(t for _, t in int_tokens) + digits
        return "".join(t for _, t in int_tokens)
    slots: dict[int, str] = {}
    di = len(digits)
    for n, i in enumerate(reversed(ph)):
        t = int_tokens[i][1]
        if n == len(ph) - 1:
            rest = digits[:di]
            pad_needed = ""
            if not rest:
                pad_needed = "0" if t == "0" else (" " if t == "?" else "")
            slots[i] = rest or pad_needed
        elif di > 0:
            di -= 1
            slots[i] = digits[di]
        else:
            slots[i] = "0" if t == "0" else (" " if t == "?" else "")
    # thousands separators apply to the whole digit string built from the placeholders
    out = []
    for i, (k, t) in enumerate(int_tokens):
        out.append(slots[i] if k == "digit" else t)
    if grouping:
        lits = [i for i, (k, _) in enumerate(int_tokens) if k != "digit"]
        if any(lits[j] > ph[0] and lits[j] < ph[-1] for j in range(len(lits))):
            raise Unsupported("number format: literal inside a grouped number")
        head = "".join(t for k, t in int_tokens[: ph[0]])
        tail = "".join(t for k, t in int_tokens[ph[-1] + 1 :])
        core = "".join(slots[i] for i in ph)
        lead = len(core) - len(core.lstrip(" "))
        core_digits = core.lstrip(" ")
        grouped = _group(core_digits)
        # spaces from ? count as digits for grouping: a blank group keeps its separator as a space
        if lead:
            total = " " * lead + core_digits
            grouped = _group_spaces(total)
        return head + grouped + tail
    return "".join(out)


def _group(s: str) -> str:
    if not s:
        return s
    parts: list[str] = []
    while len(s) > 3:
        parts.insert(0, s[-3:])
        s = s[:-3]
    parts.insert(0, s)
    return ",".join(parts)


def _group_spaces(s: str) -> str:
    """Group a digit string padded left with spaces (``?`` placeholders): a separator between two
    blank groups is a blank too."""
    chars = []
    n = len(s)
    for i, ch in enumerate(s):
        chars.append(ch)
        left = n - i - 1
        if left and left % 3 == 0:
            chars.append("," if ch != " " else " ")
    return "".join(chars)


def _format_scientific(tokens, x: float) -> str:
    e = next(i for i, (k, _) in enumerate(tokens) if k == "exp")
    mant_tokens, exp_tokens = tokens[:e], tokens[e + 1 :]
    sign_always = tokens[e][1] == "+"
    if any(k in ("comma", "pct") for k, _ in mant_tokens):
        raise Unsupported("number format: scientific with , or %")
    point = next((i for i, (k, _) in enumerate(mant_tokens) if k == "point"), None)
    int_ph = [t for k, t in (mant_tokens if point is None else mant_tokens[:point]) if k == "digit"]
    frac_ph = [] if point is None else [t for k, t in mant_tokens[point + 1 :] if k == "digit"]
    if len(int_ph) != 1 or any(k not in ("digit", "point") for k, _ in mant_tokens if k != "lit"):
        raise Unsupported("number format: engineering notation")
    exp_ph = [t for k, t in exp_tokens if k == "digit"]
    if not exp_ph or any(k not in ("digit", "lit") for k, _ in exp_tokens):
        raise Unsupported("number format: exponent")
    nd = len(frac_ph)
    if x == 0:
        mant, exp = Decimal(0), 0
    else:
        d = Decimal(f"{x:.15g}")
        exp = d.adjusted()
        mant = d.scaleb(-exp).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP)
        if mant >= 10:
            exp += 1
            mant = (mant / 10).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{mant:f}".partition(".")
    frac = frac.ljust(nd, "0")
    mant_text = _format_decimal(mant_tokens, float(f"{whole}.{frac}" if nd else whole)) if nd else None
    if mant_text is None:
        mant_text = _fill_integer(mant_tokens, whole.lstrip("0") if whole != "0" else "", False)
        if whole == "0" and int_ph[0] == "0":
            mant_text = mant_text or "0"
    exp_digits = str(abs(exp)).rjust(sum(1 for t in exp_ph if t == "0"), "0")
    sign = "-" if exp < 0 else ("+" if sign_always else "")
    lits = "".join(t for k, t in exp_tokens if k == "lit")
    if lits:
        raise Unsupported("number format: literal in exponent")
    return f"{mant_text}E{sign}{exp_digits}"


def _format_fraction(tokens, x: float) -> str:
    """``# ?/?``, ``?/8``, ``# ??/??``: a mixed (or improper) fraction; see the module docstring."""
    slash = [i for i, (k, _) in enumerate(tokens) if k == "slash"]
    if len(slash) != 1 or any(k in ("point", "pct", "comma", "exp") for k, _ in tokens):
        raise Unsupported("number format: fraction shape")
    if abs(x) >= 1e9:
        raise Unsupported("number format: a fraction of a number this large")
    s = slash[0]
    before, after = tokens[:s], tokens[s + 1 :]
    # denominator: a run of placeholders or of fixed digits, with literals around
    den_idx = [i for i, (k, _) in enumerate(after) if k in ("digit", "lit_digit")]
    if not den_idx or den_idx != list(range(den_idx[0], den_idx[-1] + 1)):
        raise Unsupported("number format: denominator")
    den_toks = [after[i] for i in den_idx]
    if any(k == "lit_digit" for k, _ in den_toks):
        if any(k == "digit" and t != "0" for k, t in den_toks):
            raise Unsupported("number format: denominator")
        fixed = int("".join(t for _, t in den_toks))
    else:
        fixed = None
    mid_lits = "".join(t for k, t in after[: den_idx[0]])
    suffix = "".join(t for k, t in after[den_idx[-1] + 1 :])
    runs: list[list[int]] = []
    for i, (k, _) in enumerate(before):
        if k == "digit":
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        elif k != "lit":
            raise Unsupported("number format: fraction shape")
    if not runs or len(runs) > 2:
        raise Unsupported("number format: fraction shape")
    num_run = runs[-1]
    prefix = "".join(t for k, t in before[: runs[0][0]])
    between_num_slash = "".join(t for k, t in before[num_run[-1] + 1 :])
    num_ph = "".join(before[i][1] for i in num_run)
    den_ph = "".join(t for _, t in den_toks)
    if fixed is not None:
        f = Fraction(round(Decimal(repr(x)) * fixed), fixed) if fixed else None
        if f is None:
            raise Unsupported("number format: denominator 0")
        numerator, denominator = int(round(Decimal(repr(x)) * fixed)), fixed
    else:
        maxden = 10 ** len(den_ph) - 1
        f = Fraction(repr(x)).limit_denominator(maxden)
        numerator, denominator = f.numerator, f.denominator
    if len(runs) == 1:  # improper fraction
        if fixed is None and numerator == 0:
            denominator = 1
        return (
            prefix
            + _fill_integer(before[num_run[0] : num_run[-1] + 1], str(numerator) if numerator else "0", False)
            + between_num_slash
            + "/"
            + mid_lits
            + _pad_den(str(denominator), den_ph)
            + suffix
        )
    int_run = runs[0]
    sep = "".join(t for k, t in before[int_run[-1] + 1 : num_run[0]])
    if any(k != "lit" for k, _ in before[int_run[-1] + 1 : num_run[0]]):
        raise Unsupported("number format: fraction shape")
    whole, rest = divmod(numerator, denominator)
    int_ph = "".join(before[i][1] for i in int_run)
    any_q = "?" in int_ph + num_ph + den_ph
    frac_len = len(sep) + len(num_ph) + len(between_num_slash) + 1 + len(mid_lits) + len(den_ph)
    if rest == 0:
        if "0" in num_ph:
            # the numerator shows a zero: "1 0/1"; a zero integer part shows as its placeholders do
            if whole:
                int_text, sep_text = _fill_integer(before[int_run[0] : int_run[-1] + 1], str(whole), False), sep
            elif set(int_ph) == {"#"}:
                int_text, sep_text = "", ""
            else:
                int_text, sep_text = "0", sep
            frac_text = (
                sep_text
                + _fill_integer(before[num_run[0] : num_run[-1] + 1], "", False)
                + between_num_slash
                + "/"
                + mid_lits
                + _pad_den(str(fixed or 1), den_ph)
            )
            return prefix + int_text + frac_text + suffix
        int_text = str(whole)
        if len(int_text) < len(int_ph) and set(int_ph) != {"#"}:
            raise Unsupported("number format: padded integer part")
        return prefix + int_text + (" " * frac_len if any_q else "") + suffix
    if whole == 0:
        if len(int_ph) != 1:
            raise Unsupported("number format: fraction without integer part")
        if int_ph == "0":
            int_text, sep_text = "0", sep
        elif int_ph == "?":
            int_text, sep_text = " ", " " * len(sep)
        else:
            int_text, sep_text = "", (" " * len(sep) if "?" in num_ph else "")
    else:
        int_text = _fill_integer(before[int_run[0] : int_run[-1] + 1], str(whole), False)
        sep_text = sep
    num_text = _fill_integer(before[num_run[0] : num_run[-1] + 1], str(rest), False)
    return (
        prefix
        + int_text
        + sep_text
        + num_text
        + between_num_slash
        + "/"
        + mid_lits
        + _pad_den(str(denominator), den_ph)
        + suffix
    )


def _pad_den(d: str, ph: str) -> str:
    """A denominator in its placeholders: ``?`` pads with spaces on the right, ``0`` with zeros on the left."""
    if not ph or ph.isdigit() and not set(ph) <= {"0"}:
        return d
    if len(d) >= len(ph):
        return d
    if set(ph) == {"0"}:
        return d.rjust(len(ph), "0")
    if set(ph) == {"?"}:
        return d.ljust(len(ph), " ")
    if set(ph) == {"#"}:
        return d
    raise Unsupported("number format: mixed denominator placeholders")


# --------------------------------------------------------------------------------------- dates


def _format_date(tokens, x: float) -> str:
    from gtm_xl.excel.formula.functions.dates import max_serial, monday0, serial_to_ymd

    has_elapsed = any(k == "elapsed" for k, _ in tokens)
    if any(k == "locale" for k, _ in tokens) and any(
        (k == "date" and t[0] in "md" and len(t) >= 3) or k == "ampm" for k, t in tokens
    ):
        raise Unsupported("date format: month or day names, or AM/PM, of a non-English locale")
    if any(k in ("pct", "exp") for k, _ in tokens):
        raise Unsupported("date format with % or E")
    if x < 0:
        raise ExcelError(VALUE)
    # fractions of seconds: a point followed by 0s right after a seconds token
    sub = 0
    for i, (k, _t) in enumerate(tokens):
        if k == "point" and i > 0 and tokens[i - 1][0] in ("date", "elapsed") and tokens[i - 1][1][0] == "s":
            j = i + 1
            while j < len(tokens) and tokens[j] == ("digit", "0"):
                j += 1
            sub = max(sub, j - i - 1)
    if sub > 3:
        raise Unsupported("date format: fraction of seconds")
    unit = Decimal(86400 * 10**sub)
    ticks = int((Decimal(repr(x)) * unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    days, t = divmod(ticks, 86400 * 10**sub)
    secs_total, fraction = divmod(t, 10**sub)
    hh, rem = divmod(secs_total, 3600)
    mi, ss = divmod(rem, 60)
    date_used = any(
        k == "date" and (t[0] in "yd" or (t[0] == "m" and not _is_minute(tokens, i))) for i, (k, t) in enumerate(tokens)
    )
    if not has_elapsed or date_used:
        if days > max_serial():
            raise ExcelError(VALUE)
    ymd = serial_to_ymd(days) if date_used else (1900, 1, 0)  # only read when a y, m or d is shown
    ampm = any(k == "ampm" for k, _ in tokens)
    out = []
    # resolve m: minutes if right after an h (ignoring literals) or right before an s
    kinds = [(k, t) for k, t in tokens]
    i = 0
    while i < len(kinds):
        k, t = kinds[i]
        if k == "date":
            c = t[0]
            if c == "y":
                y = ymd[0]
                out.append(f"{y % 100:02d}" if len(t) <= 2 else f"{y:04d}")
            elif c == "d":
                if len(t) == 1:
                    out.append(str(ymd[2]))
                elif len(t) == 2:
                    out.append(f"{ymd[2]:02d}")
                else:
                    wd = monday0(days)
                    out.append(_DAYS[wd] if len(t) >= 4 else _DAYS[wd][:3])
            elif c == "h":
                h = hh
                if ampm:
                    h = hh % 12 or 12
                out.append(f"{h:02d}" if len(t) >= 2 else str(h))
            elif c == "s":
                out.append(f"{ss:02d}" if len(t) >= 2 else str(ss))
            elif c == "m":
                if _is_minute(kinds, i):
                    out.append(f"{mi:02d}" if len(t) >= 2 else str(mi))
                else:
                    mo = ymd[1]
                    if len(t) == 1:
                        out.append(str(mo))
                    elif len(t) == 2:
                        out.append(f"{mo:02d}")
                    elif len(t) == 3:
                        out.append(_MONTHS[mo - 1][:3])
                    elif len(t) == 5:
                        out.append(_MONTHS[mo - 1][0])
                    else:
                        out.append(_MONTHS[mo - 1])
        elif k == "elapsed":
            c = t[0]
            total = {"h": days * 24 + hh, "m": (days * 24 + hh) * 60 + mi, "s": (days * 86400 + secs_total)}[c]
            out.append(str(total).rjust(len(t), "0"))
        elif k == "ampm":
            pm = hh >= 12
            if t.lower() == "am/pm":
                out.append("PM" if pm else "AM")
            else:
                a, p = t.split("/")
                out.append(p if pm else a)
        elif k == "point":
            prev = kinds[i - 1] if i else None
            if prev and prev[0] in ("date", "elapsed") and prev[1][0] == "s":
                j = i + 1
                while j < len(kinds) and kinds[j] == ("digit", "0"):
                    j += 1
                n = j - i - 1
                out.append("." + str(fraction).rjust(sub, "0")[:n] if n else ".")
                i = j
                continue
            out.append(".")
        elif k in ("lit", "lit_digit", "slash", "comma"):
            out.append(t)
        elif k in ("cond", "locale"):
            pass
        else:
            raise Unsupported(f"date format with {t!r}")
        i += 1
    return "".join(out)


def _is_minute(tokens, i: int) -> bool:
    j = i - 1
    while j >= 0 and tokens[j][0] in ("lit", "lit_digit", "slash", "comma"):
        j -= 1
    if j >= 0 and ((tokens[j][0] == "date" and tokens[j][1][0] == "h") or tokens[j][0] == "elapsed"):
        return True
    j = i + 1
    while j < len(tokens) and tokens[j][0] in ("lit", "lit_digit", "slash", "comma"):
        j += 1
    return j < len(tokens) and (
        (tokens[j][0] == "date" and tokens[j][1][0] == "s") or (tokens[j][0] == "elapsed" and tokens[j][1][0] == "s")
    )


# --------------------------------------------------------------------------------------- functions


def f_text(value, fmt):
    """TEXT(value, format_text): the value in an Excel number format (:func:`format_value`); text
    that reads as a number is formatted as that number, other text goes to the text section."""
    v = scalar(value)
    f = to_text(scalar(fmt))
    from gtm_xl.excel.formula.functions.dates import text_to_serial

    if isinstance(v, CellError):
        raise ExcelError(v)
    if v is None:
        v = 0.0
    if isinstance(v, str):
        try:
            v = text_to_serial(v)
        except ExcelError:
            pass  # text that is no number, date or time is formatted as text
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        raise ExcelError(VALUE)
    if not isinstance(v, (str, bool)):
        v = float(v)
    return format_value(v, f)


def f_dollar(value, decimals=2.0):
    """DOLLAR(number, [decimals]): the number rounded to ``decimals`` (left of the point when
    negative) in the en-US currency format ``$#,##0.00;($#,##0.00)``."""
    x = num(value)
    d = int(math.trunc(num(decimals)))
    if d > 127:
        raise ExcelError(VALUE)
    if d < 0:
        q = Decimal(10) ** (-d)
        x = float((Decimal(f"{x:.15g}") / q).quantize(Decimal(1), rounding=ROUND_HALF_UP) * q)
        d = 0
    zeros = "0" * d
    pattern = f"$#,##0{'.' + zeros if d else ''}"
    return format_value(x, f"{pattern};({pattern})")


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "TEXT": builtin(f_text, 2),
    "DOLLAR": builtin(f_dollar, 1, 2),
}


# date serials read (and written) through the book's date system (context.date1904())
for _name in ("TEXT", "DOLLAR"):
    context.reads_date_system(FUNCTIONS[_name].fn)
