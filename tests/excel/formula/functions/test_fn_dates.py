"""Date and time functions (functions/dates.py): Microsoft's documented examples, serial 0 and 60 of
the 1900 date system, and the 1904 date system."""

from __future__ import annotations

import pytest
from formula_helpers import E, calc

from gtm_xl.excel.formula.functions.dates import date_system, f_date, f_day, f_month, f_year


def test_date_rolls_over_and_rejects_out_of_range():
    assert calc("DATE(2008,1,2)") == 39449
    assert calc("DATE(2008,14,2)") == calc("DATE(2009,2,2)")
    assert calc("DATE(2008,1,-15)") == calc("DATE(2007,12,16)")
    assert calc("DATE(108,1,2)") == calc("DATE(2008,1,2)")  # years below 1900 have 1900 added
    assert calc("DATE(1900,3,0)") == 60  # the fictitious 1900-02-29
    assert calc("DATE(1900,1,0)") == 0
    assert calc("DATE(1900,1,-1)") == E("#NUM!")
    assert calc("DATE(10000,1,1)") == E("#NUM!")
    assert calc("DATE(2008.9,1.9,2.9)") == 39449  # truncated


def test_serial_zero_and_sixty():
    assert (f_year(0.0), f_month(0.0), f_day(0.0)) == (1900, 1, 0)
    assert (f_year(60.0), f_month(60.0), f_day(60.0)) == (1900, 2, 29)
    assert f_day(61.0) == 1 and f_month(61.0) == 3
    assert calc("YEAR(-1)") == E("#NUM!")


def test_1904_date_system():
    with date_system(True):
        assert f_date(1904.0, 1, 1) == 0
        assert (f_year(1.0), f_month(1.0), f_day(1.0)) == (1904, 1, 2)


def test_time_parts():
    assert calc("TIME(12,0,0)") == 0.5
    assert calc("TIME(16,48,10)") == pytest.approx(0.700115741, abs=1e-9)
    assert calc("TIME(-1,0,0)") == E("#NUM!")
    assert calc("HOUR(0.75)") == 18
    assert calc('MINUTE("12:45 PM")') == 45
    assert calc('SECOND("4:48:18 PM")') == 18
    assert calc("HOUR(-1)") == E("#NUM!")


def test_datevalue_timevalue_days():
    assert calc('DATEVALUE("8/22/2011")') == 40777
    assert calc('DATEVALUE("22-MAY-2011")') == 40685
    assert calc('DATEVALUE("2011/02/23")') == 40597
    assert calc('TIMEVALUE("2:24 AM")') == pytest.approx(0.1)
    assert calc('TIMEVALUE("22-Aug-2011 6:35 AM")') == pytest.approx(0.274305556, abs=1e-9)
    assert calc('DAYS("15-MAR-2021","1-FEB-2021")') == 42
    assert calc('DATEVALUE("abc")') == E("#VALUE!")


def test_weekday_weeknum():
    d = "DATE(2008,2,14)"
    assert [calc(f"WEEKDAY({d}{k})") for k in ("", ",2", ",3")] == [5, 4, 3]
    assert calc(f"WEEKDAY({d},4)") == E("#NUM!")
    assert calc("WEEKDAY(0)") == 7 and calc("WEEKDAY(1)") == 1  # serial 1 was a Sunday in Excel
    assert calc("WEEKNUM(DATE(2012,3,9))") == 10
    assert calc("WEEKNUM(DATE(2012,3,9),2)") == 11
    assert calc("ISOWEEKNUM(DATE(2012,3,9))") == 10


def test_edate_eomonth():
    assert calc("EDATE(DATE(2011,1,15),-1)") == calc("DATE(2010,12,15)")
    assert calc("EDATE(DATE(2011,1,31),1)") == calc("DATE(2011,2,28)")
    assert calc("EOMONTH(DATE(2011,1,1),1)") == 40602
    assert calc("EOMONTH(DATE(2011,1,1),-3)") == 40482


def test_datedif_days360_yearfrac():
    assert calc('DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"Y")') == 2
    assert calc('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"D")') == 440
    assert calc('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YD")') == 75
    assert calc('DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"MD")') == 14
    assert calc('DATEDIF(DATE(2003,1,1),DATE(2001,1,1),"Y")') == E("#NUM!")
    assert calc("DAYS360(DATE(2011,1,30),DATE(2011,12,31))") == 330
    assert calc("DAYS360(DATE(2011,1,30),DATE(2011,12,31),TRUE)") == 330
    start, end = "DATE(2012,1,1)", "DATE(2012,7,30)"
    assert calc(f"YEARFRAC({start},{end})") == pytest.approx(0.58055556, abs=1e-8)
    assert calc(f"YEARFRAC({start},{end},1)") == pytest.approx(0.57650273, abs=1e-8)
    assert calc(f"YEARFRAC({start},{end},3)") == pytest.approx(0.57808219, abs=1e-8)
    assert calc(f"YEARFRAC({start},{end},5)") == E("#NUM!")


def test_working_days():
    cells = {"A1": 41235.0, "A2": 41247.0, "A3": 41295.0}  # 2012-11-22, 2012-12-04, 2013-01-21
    assert calc("NETWORKDAYS(DATE(2012,10,1),DATE(2013,3,1))") == 110
    assert calc("NETWORKDAYS(DATE(2012,10,1),DATE(2013,3,1),A1)", cells) == 109
    assert calc("NETWORKDAYS(DATE(2012,10,1),DATE(2013,3,1),A1:A3)", cells) == 107
    assert calc("NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,1,31))") == 22
    assert calc("NETWORKDAYS.INTL(DATE(2006,2,28),DATE(2006,1,31))") == -21
    assert calc('NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),7,{"2006/1/2","2006/1/16"})') == 22
    assert calc('NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"0010001",{"2006/1/2","2006/1/16"})') == 20
    hol = {"A1": 39778.0, "A2": 39786.0, "A3": 39834.0}  # 2008-11-26, 2008-12-04, 2009-01-21
    assert calc("WORKDAY(DATE(2008,10,1),151)") == 39933
    assert calc("WORKDAY(DATE(2008,10,1),151,A1:A3)", hol) == 39938
    assert calc("WORKDAY.INTL(DATE(2012,1,1),30,0)") == E("#NUM!")
    assert calc("WORKDAY.INTL(DATE(2012,1,1),90,11)") == 41013


def test_date_text_in_arithmetic_and_typed_arguments():
    from formula_helpers import book

    from gtm_xl.excel.formula import evaluate_workbook

    assert calc('"2008-01-01"+1') == 39449
    assert calc('"6:00 PM"*24') == pytest.approx(18)
    assert calc('AVERAGE("2008-01-01",39450)') == 39449  # typed date text is a number
    assert calc("AVERAGE(A1,39450)", {"A1": "2008-01-01"}) == 39450  # in a range it is text
    assert calc('COUNT("2008-01-01","x",1)') == 2
    assert calc('"abc"+1') == E("#VALUE!")
    # "1-2" is January 2 of the current year in Excel: not guessed
    ev = evaluate_workbook(book({"A1": '="1-2"+0'}))
    assert ("S", 1, 1) in ev.unsupported


def test_date_text_outside_the_calendar():
    # xlcalculator's YEAR.xlsx, computed by Excel: years before 1900 or after 9999 are no dates
    assert calc("YEAR(A1)", {"A1": "7/5/1800"}) == E("#VALUE!")
    assert calc("YEAR(A1)", {"A1": "7/5/10000"}) == E("#VALUE!")


def test_calendar_arithmetic_before_march_1900_is_not_guessed():
    from formula_helpers import book

    from gtm_xl.excel.formula import evaluate_workbook

    # Excel's February 1900 has 29 days and its weekdays before March 1900 are one off the real ones
    cells = {
        "A1": "=EOMONTH(15,1)",
        "A2": "=ISOWEEKNUM(10)",
        "A3": "=YEARFRAC(1,400,1)",
        "A4": "=EDATE(DATE(1900,3,15),1)",
    }
    ev = evaluate_workbook(book(cells))
    assert set(ev.unsupported) == {("S", 1, 1), ("S", 2, 1), ("S", 3, 1)}
    assert ev.values[("S", 4, 1)] == 106  # 1900-04-15


def test_today_and_now_are_volatile():
    import datetime as dt

    from formula_helpers import book

    from gtm_xl.excel.formula import evaluate_workbook
    from gtm_xl.excel.formula.functions.dates import f_now, f_today

    with date_system(False, now=dt.datetime(2024, 3, 15, 18, 0)):
        assert f_today() == 45366 and f_now() == 45366.75
    cells = {"A1": "=TODAY()", "A2": "=A1+30", "A3": "=NOW()-INT(NOW())", "A4": "=B1*2", "B1": 5.0, "A5": "=Deadline-1"}
    ev = evaluate_workbook(book(cells, names={"Deadline": "TODAY()+7"}))
    assert ev.volatile == {("S", 1, 1), ("S", 2, 1), ("S", 3, 1), ("S", 5, 1)}
    assert ev.values[("S", 2, 1)] - ev.values[("S", 1, 1)] == 30
    assert ev.values[("S", 1, 1)] == float(dt.date.today().toordinal() - dt.date(1899, 12, 30).toordinal())


def test_text_that_is_no_date_stays_value_error():
    assert calc('"Total: 5"+1') == E("#VALUE!")
    assert calc('"abc-1"+1') == E("#VALUE!")
