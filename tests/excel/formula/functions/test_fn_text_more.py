"""Text functions beyond the basics: CHAR/CODE/UNICHAR/UNICODE, CLEAN, PROPER, T, FIXED, NUMBERVALUE, TEXTJOIN,
TEXTBEFORE/TEXTAFTER/TEXTSPLIT, VALUETOTEXT/ARRAYTOTEXT, the *B variants — Microsoft's examples cited."""

from __future__ import annotations

import pytest
from formula_helpers import E, book, calc

from gtm_xl.excel.formula import evaluate_workbook

RED = '"Red riding hood\'s, red hood"'


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("CHAR(65)", "A"),  # Microsoft example
        ("CHAR(33)", "!"),  # Microsoft example
        ('CODE("A")', 65.0),  # Microsoft example
        ('CODE("!")', 33.0),  # Microsoft example
        ("UNICHAR(66)", "B"),  # Microsoft example
        ("UNICHAR(32)", " "),  # Microsoft example
        ('UNICODE(" ")', 32.0),  # Microsoft example
        ('UNICODE("B")', 66.0),  # Microsoft example
        ("UNICHAR(8364)", "€"),
        ('CLEAN(CHAR(9)&"Monthly report"&CHAR(10))', "Monthly report"),  # Microsoft example
        ('PROPER("this is a TITLE")', "This Is A Title"),  # Microsoft example
        ('PROPER("2-way street")', "2-Way Street"),  # Microsoft example
        ('PROPER("76BudGet")', "76Budget"),  # Microsoft example
        ('T("Rainfall")', "Rainfall"),  # Microsoft example
        ("T(19)", ""),  # Microsoft example
        ("T(TRUE)", ""),  # Microsoft example
        ("FIXED(1234.567,1)", "1,234.6"),  # Microsoft example
        ("FIXED(1234.567,-1)", "1,230"),  # Microsoft example
        ("FIXED(-1234.567,-1,TRUE)", "-1230"),  # Microsoft example
        ("FIXED(44.332)", "44.33"),  # Microsoft example
        ('NUMBERVALUE("2.500,27",",",".")', 2500.27),  # Microsoft example
        ('NUMBERVALUE("3.5%")', 0.035),  # Microsoft example
        ('NUMBERVALUE("")', 0.0),  # Microsoft: empty text is 0
        ('NUMBERVALUE(" 1 000 ")', 1000.0),  # spaces ignored, even inside
        ('NUMBERVALUE("9%%")', 0.0009),  # each % divides by 100
        ('VALUETOTEXT("x")', "x"),
        ('VALUETOTEXT("x",1)', '"x"'),
        ("VALUETOTEXT(TRUE)", "TRUE"),
        ("VALUETOTEXT(1/0)", "#DIV/0!"),
        ('ARRAYTOTEXT({1,"a";TRUE,2})', "1, a, TRUE, 2"),
        ('ARRAYTOTEXT({1,"a";TRUE,2},1)', '{1,"a";TRUE,2}'),
        ('RIGHT("a string",10)', "a string"),  # more characters than the text: all of it
        ('LENB("abc")', 3.0),
        ('LEFTB("abc",2)', "ab"),
        ('RIGHTB("abc",2)', "bc"),
        ('MIDB("abcd",2,2)', "bc"),
    ],
)
def test_text_functions(formula, expected):
    assert calc(formula) == expected


@pytest.mark.parametrize(
    "formula, error",
    [
        ("CHAR(0)", "#VALUE!"),
        ("CHAR(256)", "#VALUE!"),
        ('CODE("")', "#VALUE!"),
        ("UNICHAR(0)", "#VALUE!"),
        ("UNICHAR(55296)", "#N/A"),  # a lone surrogate half
        ('UNICODE("")', "#VALUE!"),
        ("FIXED(1,128)", "#VALUE!"),
        ('NUMBERVALUE("1.2.3")', "#VALUE!"),  # two decimal separators
        ('NUMBERVALUE("1.5,2")', "#VALUE!"),  # a group separator after the decimal one
        ('NUMBERVALUE("abc")', "#VALUE!"),
        ('VALUETOTEXT("x",2)', "#VALUE!"),
    ],
)
def test_text_errors(formula, error):
    assert calc(formula) == E(error)


def test_textjoin():
    cells = {"A1": "Tulsa", "A2": "OK", "A3": None, "A4": 74133.0, "B1": "=1/0"}
    assert calc('TEXTJOIN(", ",TRUE,A1:A4)', cells) == "Tulsa, OK, 74133"
    assert calc('TEXTJOIN(", ",FALSE,A1:A4)', cells) == "Tulsa, OK, , 74133"
    assert calc('TEXTJOIN({"-","+"},TRUE,"a","b","c")', cells) == "a-b+c"  # delimiters used in turn
    assert calc('TEXTJOIN(",",TRUE,A1,B1)', cells) == E("#DIV/0!")


@pytest.mark.parametrize(
    "formula, expected",
    [
        (f'TEXTAFTER({RED},"hood")', "'s, red hood"),  # Microsoft example
        (f'TEXTAFTER({RED},"")', "Red riding hood's, red hood"),  # Microsoft: an empty delimiter matches at once
        (f'TEXTAFTER({RED},"",-1)', ""),  # Microsoft example
        (f'TEXTBEFORE({RED},"hood")', "Red riding "),
        (f'TEXTBEFORE({RED},"hood",-1)', "Red riding hood's, red "),
        (f'TEXTBEFORE({RED},"RED",1,1)', ""),  # case-insensitive
        (f'TEXTAFTER({RED},"red",1,1)', " riding hood's, red hood"),
        (f'TEXTAFTER({RED},"red",2,1)', " hood"),
        ('TEXTAFTER("Marcus Aurelius"," ",,,1)', "Aurelius"),  # Microsoft example
        ('TEXTAFTER("Socrates"," ",,,1)', ""),  # Microsoft example: the end of the text counts
        ('TEXTBEFORE("Socrates"," ",,,1)', "Socrates"),
        (f'TEXTAFTER({RED},"basket",1,0,0,"none")', "none"),
    ],
)
def test_textbefore_textafter(formula, expected):
    assert calc(formula) == expected


def test_textbefore_textafter_errors():
    assert calc(f'TEXTAFTER({RED},"basket")') == E("#N/A")  # Microsoft example
    assert calc('TEXTAFTER("Socrates"," ",,,0)') == E("#N/A")  # Microsoft example
    assert calc(f'TEXTAFTER({RED},"Red",,FALSE)') == " riding hood's, red hood"
    assert calc(f'TEXTAFTER({RED},"red",3)') == E("#N/A")  # Microsoft example
    assert calc(f'TEXTAFTER({RED},"hood",0)') == E("#VALUE!")  # instance 0
    assert calc('TEXTAFTER("ab","a",3)') == E("#VALUE!")  # instance beyond the text's length


def test_textsplit_spills():
    wb = book({"D1": '=TEXTSPLIT("Dakota Texas,Nevada California"," ",",")'}, dynamic={"D1"})
    ev = evaluate_workbook(wb)
    assert ev.spills[("S", 1, 4)] == "D1:E2"
    assert [ev.values[("S", r, c)] for r in (1, 2) for c in (4, 5)] == ["Dakota", "Texas", "Nevada", "California"]
    assert calc('INDEX(TEXTSPLIT("a,b;c",",",";"),2,2)') == E("#N/A")  # padded with #N/A
    assert calc('INDEX(TEXTSPLIT("a,b;c",",",";",FALSE,0,"-"),2,2)') == "-"
    assert calc('INDEX(TEXTSPLIT("a,,b",",",,TRUE),1,2)') == "b"  # empty pieces left out


@pytest.mark.parametrize("formula", ["CHAR(200)", 'CODE("é")', 'LENB("日本")', "ROMAN(5,1)"])
def test_locale_and_unimplemented_cases_are_reported(formula):
    ev = evaluate_workbook(book({"Z1": "=" + formula}))
    assert ("S", 1, 26) in ev.unsupported


def test_find_substitute_edges():
    assert calc('FIND("","abc",2)') == 2.0  # empty text is found at start_num
    assert calc('FIND("b","abc",4)') == E("#VALUE!")  # start beyond the text
    assert calc('SEARCH("1","0.5",3)') == E("#VALUE!")
    assert calc('SUBSTITUTE("Quarter 1, 2011","1","2",3)') == "Quarter 1, 2012"  # Microsoft example
    assert calc('SUBSTITUTE("Sales Data","Sales","Cost")') == "Cost Data"  # Microsoft example
    for formula in ('FIND("","abc",4)', 'SUBSTITUTE("aaa","aa","X",2)'):
        ev = evaluate_workbook(book({"Z1": "=" + formula}))
        assert ("S", 1, 26) in ev.unsupported  # documented two ways / overlapping instances: not guessed


@pytest.mark.parametrize("formula", ['UPPER("straße")', 'LOWER("İ")', 'PROPER("ßa")', 'TEXTSPLIT("",",")'])
def test_case_changes_that_change_length_are_reported(formula):
    ev = evaluate_workbook(book({"Z1": "=" + formula}))
    assert ("S", 1, 26) in ev.unsupported
