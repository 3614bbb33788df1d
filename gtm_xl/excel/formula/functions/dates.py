"""Excel's Date & Time functions: DATE, TODAY, NOW (volatile), TIME, DATEVALUE, TIMEVALUE, YEAR, MONTH, DAY, HOUR, MINUTE,
SECOND, WEEKDAY, WEEKNUM, ISOWEEKNUM, EDATE, EOMONTH, DAYS, DAYS360, DATEDIF, YEARFRAC,
NETWORKDAYS(.INTL), WORKDAY(.INTL).

Serial numbers are in the 1900 date system, as Excel has it: serial 0 is the fictitious
1900-01-00, serial 1 is 1900-01-01 and serial 60 the fictitious 1900-02-29 (Lotus's leap-year bug),
so a serial's weekday is ``(serial - 1) mod 7`` days after a Sunday. The conversions between
serials and calendar dates are ONE function per direction (:func:`serial_to_ymd`,
:func:`ymd_to_serial`): the 1904 date system is a switch there. The largest serial is 2958465
(9999-12-31).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from contextlib import contextmanager
from contextvars import ContextVar

from gtm_xl.excel.formula.functions import context
from gtm_xl.excel.formula.functions.coercion import (
    NUM,
    VALUE,
    ExcelError,
    Unsupported,
    flat,
    is_array,
    scalar,
    text_number,
    to_number,
    to_text,
)
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError

MAX_SERIAL = 2958465
_EPOCH = _dt.date(1899, 12, 30)
_EPOCH_1904 = _dt.date(1904, 1, 1)

#: The book's date system: False for 1900 (Windows), True for 1904 (old Mac books). The evaluator
#: sets it per workbook with :func:`date_system`; every conversion below reads it.


#: The instant TODAY and NOW return: one per evaluation, so every cell sees the same time.
_NOW: ContextVar[_dt.datetime | None] = ContextVar("now", default=None)


@contextmanager
def date_system(date1904: bool, now: _dt.datetime | None = None):
    """Evaluate the enclosed formulas in the 1904 (``True``) or 1900 date system, TODAY and NOW at
    ``now`` (the local time on entering, by default)."""
    token_now = _NOW.set(now or _dt.datetime.now())
    try:
        with context.workbook_context(date1904):
            yield
    finally:
        _NOW.reset(token_now)


def max_serial() -> int:
    """The serial of 9999-12-31 in the book's date system."""
    return 2957003 if context.date1904() else MAX_SERIAL


def serial_to_ymd(n: int) -> tuple[int, int, int]:
    """A whole serial as (year, month, day). 1900 system: 0 → (1900, 1, 0), 60 → (1900, 2, 29);
    1904 system: 0 is 1904-01-01. Negative or beyond 9999-12-31: #NUM!."""
    if n < 0 or n > max_serial():
        raise ExcelError(NUM)
    if context.date1904():
        d = _EPOCH_1904 + _dt.timedelta(days=n)
        return d.year, d.month, d.day
    if n == 0:
        return 1900, 1, 0
    if n == 60:
        return 1900, 2, 29
    d = _EPOCH + _dt.timedelta(days=n + (1 if n < 60 else 0))
    return d.year, d.month, d.day


def ymd_to_serial(y: int, m: int, d: int) -> int:
    """The serial of a calendar date (day ``d`` may run past the month). 1900 system: 1900-03-01 on is
    61, earlier dates one less, for the phantom leap day; 1904 system: days since 1904-01-01."""
    if context.date1904():
        return (_dt.date(y, m, 1) - _EPOCH_1904).days + d - 1
    first = (_dt.date(y, m, 1) - _EPOCH).days
    return (first - 1 if first <= 60 else first) + d - 1


def first_real_serial() -> int:
    """The first serial from which serials and the real calendar agree (61 in 1900, 0 in 1904)."""
    return 0 if context.date1904() else 61


def monday0(n: int) -> int:
    """Monday 0 … Sunday 6 of a serial, as Excel counts (1900: serial 1 a Sunday; 1904: serial 0 a Friday)."""
    return (n + 4) % 7 if context.date1904() else (n - 2) % 7


def serial_to_date(x: float) -> _dt.date:
    """A serial as a real calendar date, for calendar arithmetic (weekdays, leap years, month
    lengths). Before 1900-03-01 Excel's calendar is not the real one (a 29th of February 1900, every
    weekday one off), so serials before 61 are :class:`Unsupported` here."""
    n = int(math.floor(x))
    y, m, d = serial_to_ymd(n)
    if n < first_real_serial():
        raise Unsupported("calendar arithmetic before 1900-03-01 (Excel's 1900 is a leap year)")
    return _dt.date(y, m, d)


def date_to_serial(d: _dt.date) -> float:
    """A calendar date as its serial number."""
    return float(ymd_to_serial(d.year, d.month, d.day))


# ------------------------------------------------------------------------------- text as dates

_MONTH_NAMES = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTH_NAMES.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})


def _parse_time(s: str) -> float | None:
    m = re.fullmatch(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?\s*([ap]m?)?", s, re.I)
    if not m:
        m2 = re.fullmatch(r"(\d{1,2})\s*([ap]m?)", s, re.I)
        if not m2:
            return None
        h, mi, sec, ap = int(m2.group(1)), 0, 0.0, m2.group(2)
    else:
        h, mi = int(m.group(1)), int(m.group(2))
        sec = float(m.group(3) or 0)
        ap = m.group(4)
    if ap:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ap[0].lower() == "p" else 0)
    if h > 23 or mi > 59 or sec >= 60:
        return None
    return (h * 3600 + mi * 60 + sec) / 86400


def _parse_date(s: str) -> int | None:
    """The date forms an English-language Excel reads the same in every regional setting:
    ``2024-03-15``, ``2024/3/15``, ``3/15/2024`` (only where the day is above 12: ``3/4/2024`` is
    March or April by locale), ``15-Mar-2024``, ``15 March 2024``, ``March 15, 2024``."""
    s = s.strip()
    y = mo = d = None
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", s):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s):
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if mo <= 12 and d <= 12 and mo != d:
            return None  # month/day or day/month: the saving Excel's locale decides, not known here
    elif m := re.fullmatch(r"(\d{1,2})[- ]([A-Za-z]+)[- ](\d{4})", s):
        d, mo, y = int(m.group(1)), _MONTH_NAMES.get(m.group(2).lower()), int(m.group(3))
    elif m := re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})", s):
        mo, d, y = _MONTH_NAMES.get(m.group(1).lower()), int(m.group(2)), int(m.group(3))
    else:
        return None
    if mo is None or not (1904 if context.date1904() else 1900) <= y <= 9999 or not 1 <= mo <= 12:
        return None
    if (y, mo, d) == (1900, 2, 29) and not context.date1904():
        return 60
    if not 1 <= d <= calendar.monthrange(y, mo)[1]:
        return None
    return ymd_to_serial(y, mo, d)


def text_to_serial(s: str) -> float:
    """Text as a date/time serial: a number, a date, a time or a date and a time; text without
    digits is #VALUE!, other forms Excel may read in some locale are :class:`Unsupported`."""
    t = s.strip()
    try:
        return text_number(t)
    except ValueError:
        pass
    t1 = _parse_time(t)
    if t1 is not None:
        return t1
    d = _parse_date(t)
    if d is not None:
        return float(d)
    m = re.fullmatch(r"(.+?)\s+(\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?\s*(?:[ap]m?)?)", t, re.I)
    if m:
        d, t1 = _parse_date(m.group(1)), _parse_time(m.group(2))
        if d is not None and t1 is not None:
            return d + t1
    m = re.fullmatch(r"\d{1,2}[/-]\d{1,2}[/-](\d{4,})|(\d{4,})[/-]\d{1,2}[/-]\d{1,2}", t)
    if m and not (1904 if context.date1904() else 1900) <= int(m.group(1) or m.group(2)) <= 9999:
        raise ExcelError(VALUE)  # a date outside the calendar Excel knows, in any date order
    if looks_like_date(t):
        raise Unsupported(f"date text {s!r}")
    raise ExcelError(VALUE)


_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\b", re.I)


def looks_like_date(t: str) -> bool:
    """Text with digits and a date or time separator (or a month name, or AM/PM) that Excel may read
    as a date in some form this module does not: not to be called #VALUE! with certainty."""
    if not re.search(r"\d", t) or not re.fullmatch(r"[\w\s/:.,'-]+", t):
        return False
    return bool(
        re.search(r"\d\s*[/:.-]\s*\d", t)
        or (_MONTH_WORD.search(t) and re.search(r"\d", t))
        or re.search(r"\d\s*[ap]m?\b", t, re.I)
    )


def dnum(v) -> float:
    """A date/time argument as a serial: numbers as they are, text read as a date or time."""
    v = scalar(v)
    if isinstance(v, str):
        return text_to_serial(v)
    return to_number(v)


def day_serial(v) -> int:
    """A date argument as a whole serial (the time of day dropped); negative is #NUM!."""
    x = dnum(v)
    if x < 0 or x >= max_serial() + 1:
        raise ExcelError(NUM)
    return int(math.floor(x))


def _int_arg(v) -> int:
    x = to_number(scalar(v))
    if x < 0 and x != math.trunc(x):
        raise Unsupported("negative fractional date argument")
    return int(math.trunc(x))


# ------------------------------------------------------------------------------- functions


def f_date(y, m, d):
    """DATE(year, month, day): each argument truncated; a year below 1900 has 1900 added; months and
    days beyond their range roll over; a result before serial 0 or after 9999-12-31 is #NUM!."""
    y, m, d = _int_arg(y), _int_arg(m), _int_arg(d)
    if y < 0 or y > 9999:
        raise ExcelError(NUM)
    if y < 1900:
        y += 1900
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    if not (1904 if context.date1904() else 1900) <= y <= 9999:
        raise ExcelError(NUM)
    n = ymd_to_serial(y, m, 1) + d - 1
    if n < 0 or n > max_serial():
        raise ExcelError(NUM)
    return float(n)


def f_time(h, m, s):
    """TIME(hour, minute, second): the fraction of a day; each argument truncated, above 32767 #NUM!,
    a negative total #NUM!, whole days dropped."""
    h, m, s = _int_arg(h), _int_arg(m), _int_arg(s)
    if max(h, m, s) > 32767:
        raise ExcelError(NUM)
    total = h * 3600 + m * 60 + s
    if total < 0:
        raise ExcelError(NUM)
    return (total % 86400) / 86400


def _date_text(s) -> str:
    """The stripped text DATEVALUE and TIMEVALUE read: a non-text argument, or text that is a plain
    number, is #VALUE!."""
    v = scalar(s)
    if not isinstance(v, str):
        raise ExcelError(VALUE)
    t = v.strip()
    try:
        text_number(t)
        raise ExcelError(VALUE)
    except ValueError:
        pass
    return t


def f_datevalue(s):
    """DATEVALUE(date_text): the serial of a date written as text (the time dropped); a number is #VALUE!."""
    t = _date_text(s)
    x = text_to_serial(t)
    if x < 1:
        if _parse_time(t) is not None:
            return 0.0
        raise ExcelError(VALUE)
    return float(math.floor(x))


def f_timevalue(s):
    """TIMEVALUE(time_text): the fraction of a day of a time (or date and time) written as text."""
    t = _date_text(s)
    x = text_to_serial(t)
    return x - math.floor(x)


def f_year(x):
    """YEAR(serial): the year (1900–9999) of a date; serial 0 is in 1900."""
    return float(serial_to_ymd(day_serial(x))[0])


def f_month(x):
    """MONTH(serial): the month (1–12) of a date; serial 0 is January 1900."""
    return float(serial_to_ymd(day_serial(x))[1])


def f_day(x):
    """DAY(serial): the day of the month; serial 0 is day 0, serial 60 is 1900-02-29."""
    return float(serial_to_ymd(day_serial(x))[2])


def _seconds(x) -> int:
    """The time of day of a serial in whole seconds, rounded to the nearest second."""
    v = dnum(x)
    if v < 0:
        raise ExcelError(NUM)
    if v > max_serial() + 1:
        raise ExcelError(NUM)
    from decimal import ROUND_HALF_UP, Decimal

    frac = Decimal(repr(v)) - int(v)
    return int((frac * 86400).quantize(Decimal(1), rounding=ROUND_HALF_UP)) % 86400


def f_hour(x):
    """HOUR(serial): the hour (0–23) of the time of day, rounded to the second."""
    return float(_seconds(x) // 3600)


def f_minute(x):
    """MINUTE(serial): the minute (0–59) of the time of day, rounded to the second."""
    return float(_seconds(x) // 60 % 60)


def f_second(x):
    """SECOND(serial): the second (0–59) of the time of day, rounded to the second."""
    return float(_seconds(x) % 60)


_WEEKDAY_START = {1: 6, 2: 0, 3: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}


def f_weekday(x, kind=1.0):
    """WEEKDAY(serial, [return_type]): 1 Sunday…7 Saturday (type 1), 1 Monday…7 Sunday (2),
    0 Monday…6 Sunday (3), 11–17 weeks starting Monday…Sunday; other types #NUM!."""
    n = day_serial(x)
    k = int(math.trunc(to_number(scalar(kind)))) if scalar(kind) is not None else 1
    if k not in _WEEKDAY_START:
        raise ExcelError(NUM)
    start = _WEEKDAY_START[k]
    pos = (monday0(n) - start) % 7
    return float(pos if k == 3 else pos + 1)


_WEEKNUM_START = {1: 6, 2: 0, 11: 0, 12: 1, 13: 2, 14: 3, 15: 4, 16: 5, 17: 6}


def f_weeknum(x, kind=1.0):
    """WEEKNUM(serial, [return_type]): the week of the year, week 1 holding January 1 and weeks starting
    on Sunday (1, 17), Monday (2, 11) … Saturday (16); 21 is the ISO week; other types #NUM!."""
    n = day_serial(x)
    k = int(math.trunc(to_number(scalar(kind)))) if scalar(kind) is not None else 1
    if k == 21:
        return f_isoweeknum(float(n))
    if k not in _WEEKNUM_START:
        raise ExcelError(NUM)
    y = serial_to_ymd(n)[0]
    jan1 = ymd_to_serial(y, 1, 1)
    if jan1 < first_real_serial():
        raise Unsupported("WEEKNUM in early 1900")
    offset = (monday0(jan1) - _WEEKNUM_START[k]) % 7
    return float((n - jan1 + offset) // 7 + 1)


def f_isoweeknum(x):
    """ISOWEEKNUM(date): the ISO 8601 week number (weeks start Monday; week 1 holds the first Thursday)."""
    return float(serial_to_date(day_serial(x)).isocalendar()[1])


def _add_months(n: int, months: int) -> tuple[int, int, int]:
    y, m, d = serial_to_ymd(n)
    k = m - 1 + months
    y, m = y + k // 12, k % 12 + 1
    if not (1904 if context.date1904() else 1900) <= y <= 9999:
        raise ExcelError(NUM)
    if not context.date1904() and (n < 61 or (y, m) <= (1900, 2)):
        raise Unsupported("EDATE/EOMONTH before 1900-03-01 (Excel's February 1900 has 29 days)")
    return y, m, d


def f_edate(start, months):
    """EDATE(start_date, months): the same day ``months`` later (months truncated), cut to the month's last day."""
    y, m, d = _add_months(day_serial(start), int(math.trunc(to_number(scalar(months)))))
    return float(ymd_to_serial(y, m, min(d, calendar.monthrange(y, m)[1])))


def f_eomonth(start, months):
    """EOMONTH(start_date, months): the last day of the month ``months`` (truncated) after start's."""
    y, m, _ = _add_months(day_serial(start), int(math.trunc(to_number(scalar(months)))))
    return float(ymd_to_serial(y, m, calendar.monthrange(y, m)[1]))


def f_days(end, start):
    """DAYS(end_date, start_date): the days between two dates (each truncated to whole days)."""
    return float(day_serial(end) - day_serial(start))


def _feb_last(d: _dt.date) -> bool:
    return d.month == 2 and d.day == calendar.monthrange(d.year, 2)[1]


def f_days360(start, end, method=False):
    """DAYS360(start, end, [method]): days on a 360-day year. US (NASD, default): a start on the 31st
    or on February's last day is the 30th; an end on the 31st is the 30th when the start is the
    30th or 31st, else the 1st of the next month. European (method TRUE): 31sts are 30ths."""
    from gtm_xl.excel.formula.functions.coercion import to_bool

    d1, d2 = serial_to_date(day_serial(start)), serial_to_date(day_serial(end))
    eu = to_bool(scalar(method))
    a, b = d1.day, d2.day
    y2, m2 = d2.year, d2.month
    if eu:
        a, b = min(a, 30), min(b, 30)
    else:
        if a == 31 or _feb_last(d1):
            a = 30
        if b == 31:
            if a < 30:
                b = 1
                m2 += 1
                if m2 > 12:
                    m2, y2 = 1, y2 + 1
            else:
                b = 30
    return float((y2 - d1.year) * 360 + (m2 - d1.month) * 30 + b - a)


def f_datedif(start, end, unit):
    """DATEDIF(start, end, unit): complete years "Y", months "M", days "D", days ignoring months and
    years "MD", months ignoring years "YM", days ignoring years "YD"; start after end #NUM!."""
    a, b = day_serial(start), day_serial(end)
    u = to_text(scalar(unit)).upper()
    if a > b:
        raise ExcelError(NUM)
    if u == "D":
        return float(b - a)
    d1, d2 = serial_to_date(a), serial_to_date(b)
    months = (d2.year - d1.year) * 12 + d2.month - d1.month - (1 if d2.day < d1.day else 0)
    if u == "M":
        return float(months)
    if u == "Y":
        return float(months // 12)
    if u == "YM":
        return float(months % 12)
    if u == "MD":
        if d2.day >= d1.day:
            return float(d2.day - d1.day)
        raise Unsupported("DATEDIF MD across a month end (Microsoft documents its results as inaccurate)")
    if u == "YD":
        try:
            shifted = d1.replace(year=d2.year)
        except ValueError:
            raise Unsupported("DATEDIF YD from February 29") from None
        if shifted > d2:
            try:
                shifted = d1.replace(year=d2.year - 1)
            except ValueError:
                raise Unsupported("DATEDIF YD from February 29") from None
        if any(calendar.isleap(y) for y in {shifted.year, d2.year}):
            raise Unsupported("DATEDIF YD over a leap year")
        return float((d2 - shifted).days)
    raise ExcelError(NUM)


def _basis(v) -> int:
    b = int(math.trunc(to_number(scalar(v)))) if scalar(v) is not None else 0
    if not 0 <= b <= 4:
        raise ExcelError(NUM)
    return b


def yearfrac(a: int, b: int, basis: int) -> float:
    """YEARFRAC's arithmetic on two whole serials (a <= b), as Excel computes each basis."""
    d1, d2 = serial_to_date(a), serial_to_date(b)
    if basis == 0:
        x, y = d1.day, d2.day
        if x == 31 and y == 31:
            x = y = 30
        elif x == 31:
            x = 30
        elif x == 30 and y == 31:
            y = 30
        elif _feb_last(d1) and _feb_last(d2):
            x = y = 30
        elif _feb_last(d1):
            x = 30
        return ((d2.year - d1.year) * 360 + (d2.month - d1.month) * 30 + y - x) / 360
    if basis == 1:
        if a == b:
            return 0.0
        within = d1.year == d2.year or (
            d2.year == d1.year + 1 and (d1.month > d2.month or (d1.month == d2.month and d1.day >= d2.day))
        )
        if within:
            if d1.year == d2.year and calendar.isleap(d1.year):
                length = 366
            elif _feb29_between(d1, d2) or (d2.month == 2 and d2.day == 29):
                length = 366
            else:
                length = 365
            return (b - a) / length
        years = d2.year - d1.year + 1
        days = (_dt.date(d2.year + 1, 1, 1) - _dt.date(d1.year, 1, 1)).days
        return (b - a) / (days / years)
    if basis == 2:
        return (b - a) / 360
    if basis == 3:
        return (b - a) / 365
    x, y = min(d1.day, 30), min(d2.day, 30)
    return ((d2.year - d1.year) * 360 + (d2.month - d1.month) * 30 + y - x) / 360


def _feb29_between(d1: _dt.date, d2: _dt.date) -> bool:
    if calendar.isleap(d1.year) and d1 < _dt.date(d1.year, 3, 1):
        return True
    return calendar.isleap(d2.year) and d2 >= _dt.date(d2.year, 3, 1)


def f_yearfrac(start, end, basis=0.0):
    """YEARFRAC(start, end, [basis]): the fraction of a year between two dates (truncated to days,
    in either order): 0 US 30/360, 1 actual/actual, 2 actual/360, 3 actual/365, 4 European 30/360."""
    a, b = day_serial(start), day_serial(end)
    k = _basis(basis)
    if a > b:
        a, b = b, a
    return yearfrac(a, b, k)


# ------------------------------------------------------------------------------- working days

_WEEKEND_CODES = {1: "0000011", 2: "1000001", 3: "1100000", 4: "0110000", 5: "0011000", 6: "0001100", 7: "0000110"}
# 11 Sunday only, 12 Monday only … 17 Saturday only (the mask starts on Monday)
_WEEKEND_CODES.update({10 + i: "".join("1" if j == (i - 2) % 7 else "0" for j in range(7)) for i in range(1, 8)})


def _weekend_mask(weekend) -> list[bool]:
    """Which of Monday … Sunday are weekend days: a code 1–7, 11–17 or a 7-character "0000011" text."""
    w = scalar(weekend)
    if w is None:
        w = 1.0
    if isinstance(w, str):
        if not re.fullmatch(r"[01]{7}", w):
            raise ExcelError(VALUE)
        mask = w
        if mask == "1111111":
            raise ExcelError(VALUE)
    else:
        code = int(math.trunc(to_number(w)))
        if code not in _WEEKEND_CODES:
            raise ExcelError(NUM)
        mask = _WEEKEND_CODES[code]
    return [c == "1" for c in mask]


def _holidays(h) -> set[int]:
    out: set[int] = set()
    if h is None:
        return out
    for v in flat(h) if is_array(h) else [h]:
        if v is None:
            continue
        if isinstance(v, CellError):
            raise ExcelError(v)
        if isinstance(v, bool):
            raise ExcelError(VALUE)
        x = dnum(v)
        if x < 0:
            raise ExcelError(NUM)
        out.add(int(math.floor(x)))
    return out


def _networkdays(start, end, mask, holidays) -> float:
    a, b = day_serial(start), day_serial(end)
    sign = 1
    if a > b:
        a, b, sign = b, a, -1
    if a < first_real_serial():
        raise Unsupported("NETWORKDAYS in early 1900")
    count = 0
    days = b - a + 1
    full, rest = divmod(days, 7)
    count = full * (7 - sum(mask))
    for i in range(rest):
        if not mask[monday0(a + full * 7 + i)]:
            count += 1
    for h in holidays:
        if a <= h <= b and not mask[monday0(h)]:
            count -= 1
    return float(sign * count)


def f_networkdays(start, end, holidays=None):
    """NETWORKDAYS(start, end, [holidays]): the working days (Monday–Friday, not a holiday) from
    start to end inclusive; negative when end is before start."""
    return _networkdays(start, end, _weekend_mask(1.0), _holidays(holidays))


def f_networkdays_intl(start, end, weekend=1.0, holidays=None):
    """NETWORKDAYS.INTL(start, end, [weekend], [holidays]): as NETWORKDAYS with the weekend a code
    (1 Sat–Sun … 7 Fri–Sat, 11 Sun … 17 Sat) or a "0000011" mask from Monday."""
    return _networkdays(start, end, _weekend_mask(weekend), _holidays(holidays))


def _workday(start, days, mask, holidays) -> float:
    n = day_serial(start)
    k = int(math.trunc(to_number(scalar(days))))
    if n < first_real_serial():
        raise Unsupported("WORKDAY in early 1900")
    step = 1 if k >= 0 else -1
    left = abs(k)
    while left:
        n += step
        if not mask[monday0(n)] and n not in holidays:
            left -= 1
    if n < 0 or n > max_serial():
        raise ExcelError(NUM)
    return float(n)


def f_workday(start, days, holidays=None):
    """WORKDAY(start, days, [holidays]): the date ``days`` working days (truncated) before or after start."""
    return _workday(start, days, _weekend_mask(1.0), _holidays(holidays))


def f_workday_intl(start, days, weekend=1.0, holidays=None):
    """WORKDAY.INTL(start, days, [weekend], [holidays]): as WORKDAY with NETWORKDAYS.INTL's weekends."""
    return _workday(start, days, _weekend_mask(weekend), _holidays(holidays))


def _now() -> _dt.datetime:
    return _NOW.get() or _dt.datetime.now()


def f_today():
    """TODAY(): the serial of the current date (volatile: the refresh's date, flagged in its report)."""
    t = _now()
    return float(ymd_to_serial(t.year, t.month, t.day))


def f_now():
    """NOW(): the serial of the current date and time (volatile: the refresh's instant, flagged)."""
    t = _now()
    seconds = t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
    return ymd_to_serial(t.year, t.month, t.day) + seconds / 86400


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "DATE": builtin(f_date, 3),
    "TODAY": builtin(f_today, 0),
    "NOW": builtin(f_now, 0),
    "TIME": builtin(f_time, 3),
    "DATEVALUE": builtin(f_datevalue, 1),
    "TIMEVALUE": builtin(f_timevalue, 1),
    "EOMONTH": builtin(f_eomonth, 2),
    "EDATE": builtin(f_edate, 2),
    "YEAR": builtin(f_year, 1),
    "MONTH": builtin(f_month, 1),
    "DAY": builtin(f_day, 1),
    "HOUR": builtin(f_hour, 1),
    "MINUTE": builtin(f_minute, 1),
    "SECOND": builtin(f_second, 1),
    "WEEKDAY": builtin(f_weekday, 1, 2),
    "WEEKNUM": builtin(f_weeknum, 1, 2),
    "ISOWEEKNUM": builtin(f_isoweeknum, 1),
    "DAYS": builtin(f_days, 2),
    "DAYS360": builtin(f_days360, 2, 3),
    "DATEDIF": builtin(f_datedif, 3),
    "YEARFRAC": builtin(f_yearfrac, 2, 3),
    "NETWORKDAYS": builtin(f_networkdays, 2, 3),
    "NETWORKDAYS.INTL": builtin(f_networkdays_intl, 2, 4),
    "WORKDAY": builtin(f_workday, 2, 3),
    "WORKDAY.INTL": builtin(f_workday_intl, 2, 4),
}


# every function here converts serials through the book's date system (context.date1904())
for _entry in FUNCTIONS.values():
    context.reads_date_system(_entry.fn)
