"""Excel's Date & Time functions: DATE, EOMONTH, EDATE, YEAR, MONTH, DAY; serial numbers in the
1900 date system (day 1 is 1900-01-01, with Excel's phantom 1900-02-29 before day 61).
"""

from __future__ import annotations

import datetime as _dt
import math

from gtm_xl.excel.formula.functions.coercion import NUM, ExcelError, num
from gtm_xl.excel.formula.functions.spec import Builtin, builtin

_EPOCH = _dt.date(1899, 12, 30)


def serial_to_date(x: float) -> _dt.date:
    """A 1900-system serial number as a date (Excel's phantom 1900-02-29 accounted for)."""
    n = int(math.floor(x))
    if n < 0 or n > 2958465:
        raise ExcelError(NUM)
    if n == 60:
        raise ExcelError(NUM)  # 1900-02-29 does not exist outside Excel's bug
    if n < 60:
        n += 1
    return _EPOCH + _dt.timedelta(days=n)


def date_to_serial(d: _dt.date) -> float:
    """A date as its 1900-system serial number."""
    n = (d - _EPOCH).days
    return float(n - 1 if n <= 60 else n)


def f_date(y, m, d):
    """DATE(year, month, day): the serial of that date; months and days beyond their range roll over."""
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
    """EOMONTH(start, months): the serial of the last day of the month ``months`` after start's."""
    d = serial_to_date(num(start))
    m = d.month - 1 + int(num(months))
    y = d.year + m // 12
    m = m % 12 + 1
    nxt = _dt.date(y + (m == 12), m % 12 + 1, 1)
    return date_to_serial(nxt - _dt.timedelta(days=1))


def f_edate(start, months):
    """EDATE(start, months): the same day ``months`` later, cut to the month's last day."""
    d = serial_to_date(num(start))
    m = d.month - 1 + int(num(months))
    y = d.year + m // 12
    m = m % 12 + 1
    import calendar

    day = min(d.day, calendar.monthrange(y, m)[1])
    return date_to_serial(_dt.date(y, m, day))


def f_year(x):
    """YEAR(serial): the year of a date serial."""
    return float(serial_to_date(num(x)).year)


def f_month(x):
    """MONTH(serial): the month (1–12) of a date serial."""
    return float(serial_to_date(num(x)).month)


def f_day(x):
    """DAY(serial): the day of the month of a date serial."""
    return float(serial_to_date(num(x)).day)


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "DATE": builtin(f_date, 3),
    "EOMONTH": builtin(f_eomonth, 2),
    "EDATE": builtin(f_edate, 2),
    "YEAR": builtin(f_year, 1),
    "MONTH": builtin(f_month, 1),
    "DAY": builtin(f_day, 1),
}
