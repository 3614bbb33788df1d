"""TEXT and DOLLAR with Excel number formats (functions/number_format.py).

Expected values are Microsoft's TEXT function examples (support.microsoft.com, "TEXT function")
and the Excel-computed results of Apache POI's NumberFormatTests/TextFormatTests workbooks."""

from __future__ import annotations

import pytest
from formula_helpers import E, calc

from gtm_xl.excel.formula.functions.coercion import ExcelError, Unsupported
from gtm_xl.excel.formula.functions.dates import date_system
from gtm_xl.excel.formula.functions.number_format import f_text, format_general, format_value


@pytest.mark.parametrize(
    "value, fmt, expected",
    [
        # Microsoft's TEXT examples
        (1234.567, "$#,##0.00", "$1,234.57"),
        (0.285, "0.0%", "28.5%"),
        (4.34, "# ?/?", "4 1/3"),
        (12200000, "0.00E+00", "1.22E+07"),
        (1234, "0000000", "0001234"),
        (1234567898, "[<=9999999]###-####;(###) ###-####", "(123) 456-7898"),
        (123456, "##0° 00' 00''", "12° 34' 56''"),
        # POI NumberFormatTests (Excel-computed)
        (12.3, "000.00", "012.30"),
        (12.3, "£000.00", "£012.30"),
        (-12.34, "$#.#", "-$12.3"),
        (12.3, '\\a $#.00" profit"', "a $12.30 profit"),
        (1234567, "#,##", "1,234,567"),
        (1234567, ",#", ",1234567"),
        (1234567, "#,##.#", "1,234,567."),
        (1234567, "0,000000000", "0,001,234,567"),
        (1234567, "?,?????????", "    1,234,567"),
        (1234567, "0,", "1235"),
        (1234567, "#,.#,", "1.2"),
        (123.45, "0,0.00%%", "1,234,500.00%%"),
        (0.00035, "#,##0.00%", "0.04%"),
        (1.1, "|??.??|", "| 1.1 |"),
        (23.75, "|#\\:#/#|", "|23:3/4|"),
        (3.75, "|#_#/#|", "|15 /4|"),
        (0.75, "|?\\:#=/=#|", "|  3=/=4|"),
        (1, "|#\\:#=/=?|", "|1      |"),
        (314159, "$000,000,000", "$000,314,159"),
        # sections and text
        (-1, '##.00;-  ##.0;"ZERO"', "-  1.0"),
        (0, '##.00;-  ##.0;"ZERO"', "ZERO"),
        ("X", '##.00;-  ##.0;"ZERO";->@<-@', "->X<-X"),
        ("jello", ';;;"h""I"', "hI"),
        (True, ";;;-@-", "-TRUE-"),
        ("abc", "0.00", "abc"),
        (5, "[Red]0.0", "5.0"),
        (5, "[$€-407]#,##0.00", "€5.00"),
        # dates and times
        (40982, "MM/DD/YY", "03/14/12"),
        (40982, "dddd", "Wednesday"),
        (40982.5625, "H:MM AM/PM", "1:30 PM"),
        (40982.5625, "yyyy-mm-dd hh:mm:ss", "2012-03-14 13:30:00"),
        (60, "yyyy-mm-dd", "1900-02-29"),
        (0, "yyyy-mm-dd", "1900-01-00"),
        (1.5, "[h]:mm", "36:00"),
        (-1, "[h]", "-24"),
        (0.000004774, "hh:mm:ss.000", "00:00:00.412"),
        (40982, "mmm mmmmm", "Mar M"),
        # ECMA-376 Part 1, TEXT: the time rounds to the second shown (48988.8 s is 13:36:29)
        (1234.567, "YYYY-MM-DD HH:MM:SS", "1903-05-18 13:36:29"),
        (1234.567, "$0.00", "$1234.57"),
        (45292.75, "[>=1000]#,##0;0.00", "45,293"),
        (12.5, "[>=1000]#,##0;0.00", "12.50"),
    ],
)
def test_text_formats(value, fmt, expected):
    assert f_text(value, fmt) == expected


def test_general():
    assert format_general(1234567890123) == "1.23457E+12"
    assert format_general(0.123456789) == "0.123456789"
    assert format_general(123456.789) == "123456.789"
    with pytest.raises(Unsupported):  # 10 or 11 characters: not certain
        format_general(1 / 3)
    assert format_general(-5) == "-5"
    assert f_text(1.5, "General") == "1.5"


def test_errors_and_unsupported():
    with pytest.raises(ExcelError):  # @ mixed with digit placeholders is no valid format
        f_text(1, '#,#"ZZ"#.0"YY"00@')
    with pytest.raises(ExcelError):  # negative times do not exist
        f_text(-1, "[h]:m")
    with pytest.raises(ExcelError):  # beyond 9999-12-31
        f_text(2958466, "yy")
    with pytest.raises(Unsupported):  # fill characters: never guessed
        f_text(1, "*-0")
    with pytest.raises(Unsupported):
        format_value(1.0, "#.###.#")


def test_text_in_formulas():
    assert calc('TEXT(1234.567,"#,##0.00")') == "1,234.57"
    assert calc('TEXT("2007-02-03 19:08:07","[h]")') == "938803"
    assert calc('TEXT(A1,"0.0")', {"A1": E("#N/A")}) == E("#N/A")
    assert calc('TEXT(A1,"0.0")') == "0.0"  # a blank is 0


def test_dollar():
    # Microsoft's DOLLAR examples (en-US)
    assert calc("DOLLAR(1234.567,2)") == "$1,234.57"
    assert calc("DOLLAR(1234.567,-2)") == "$1,200"
    assert calc("DOLLAR(-1234.567,-2)") == "($1,200)"
    assert calc("DOLLAR(-0.123,4)") == "($0.1230)"
    assert calc("DOLLAR(99.888)") == "$99.89"


def test_1904_date_system():
    with date_system(True):
        assert f_text(1, "yyyy-mm-dd") == "1904-01-02"


def test_locale_tags():
    assert f_text(40982, "[$-409]mmmm d, yyyy") == "March 14, 2012"  # English: as written
    assert f_text(40982, "[$-407]dd.mm.yyyy") == "14.03.2012"  # German digits only: the same
    assert f_text(5, "[$€-407] #,##0.00") == "€ 5.00"
    with pytest.raises(Unsupported):  # German month names ("März") are not guessed
        f_text(40982, "[$-407]mmmm")
