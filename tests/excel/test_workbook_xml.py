"""excel/ooxml/workbook_xml.py: the workbook part's edits keep every other byte."""

from __future__ import annotations

import pytest

from gtm_xl.excel.ooxml.workbook_xml import mark_full_calc, set_defined_names

SHEETS = b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'


def test_names_are_added_after_the_sheets_when_the_workbook_has_none():
    xml = b"<workbook>" + SHEETS + b"<calcPr/></workbook>"
    out = set_defined_names(xml, {"GTM_REGION": '"EMEA"', "GTM_REGION_NAME": '"A & B <c>"'})
    assert out == (
        b"<workbook>" + SHEETS + b'<definedNames><definedName name="GTM_REGION">"EMEA"</definedName>'
        b'<definedName name="GTM_REGION_NAME">"A &amp; B &lt;c&gt;"</definedName></definedNames><calcPr/></workbook>'
    )


def test_an_earlier_definition_is_replaced_and_other_names_kept():
    xml = (
        b"<workbook>" + SHEETS + b'<definedNames><definedName name="keep">S!$A$1</definedName>'
        b'<definedName name="gtm_region">"OLD"</definedName><definedName name="GTM_REGION_NAME"/></definedNames>'
        b"</workbook>"
    )
    out = set_defined_names(xml, {"GTM_REGION": '"NEW"', "GTM_REGION_NAME": '"New"'})
    assert b'"OLD"' not in out and out.count(b"GTM_REGION_NAME") == 1
    assert out.index(b'name="keep"') < out.index(b'"NEW"') < out.index(b"</definedNames>")


def test_an_empty_element_and_a_namespace_prefix():
    xml = b'<x:workbook xmlns:x="ns"><x:sheets/><x:definedNames/></x:workbook>'
    out = set_defined_names(xml, {"N": "1"})
    assert (
        out
        == b'<x:workbook xmlns:x="ns"><x:sheets/><x:definedNames><x:definedName name="N">1</x:definedName></x:definedNames></x:workbook>'
    )


def test_a_workbook_without_sheets_is_refused():
    with pytest.raises(ValueError):
        set_defined_names(b"<workbook/>", {"N": "1"})


def test_full_calc_is_set_once():
    xml = b'<workbook><calcPr calcId="1" fullCalcOnLoad="0"/></workbook>'
    once = mark_full_calc(xml)
    assert once == b'<workbook><calcPr calcId="1" fullCalcOnLoad="1"/></workbook>'
    assert mark_full_calc(once) == once
