"""Lookup semantics over mixed types: Excel's binary search for approximate lookups (MATCH 1,
VLOOKUP/HLOOKUP TRUE, LOOKUP) and XLOOKUP's match and search modes. The unsorted, mixed cases are
Apache POI's Excel-computed FormulaEvalTestData rows (HLOOKUP 'STRING', LOOKUP 534 and 'DOUBLE')
and its xlookup.xlsx (a binary search over numbers and text)."""

from __future__ import annotations

from formula_helpers import E, calc

HEADERS = {
    "B6": "INTEGRAL", "C6": "DOUBLE", "D6": "BLANK", "E6": "STRING", "F6": "REF", "G6": "AREA (rows)",
    "B7": 1.0, "C7": 2.0, "D7": 3.0, "E7": "found", "F7": 5.0, "G7": 6.0,
}  # fmt: skip


def test_hlookup_approximate_bisects_unsorted_headers_as_excel_does():
    assert calc('HLOOKUP("STRING",$B$6:$H$7,2,TRUE)', HEADERS) == "found"


def test_lookup_over_mixed_types_as_excel_does():
    cells = {"B6": "INTEGRAL", "B7": 0.0, "B8": 1.0, "B9": 2.0, "B10": 534.0, "B11": 9999999999.0,
             "B12": -9999999999.0, "B13": -534.0, "B14": -2.0, "B15": -1.0}  # fmt: skip
    cells.update({f"E{r}": f"row{r}" for r in range(6, 16)})
    assert calc("LOOKUP(534,B6:B15,E6:E15)", cells) == "row10"
    assert calc('LOOKUP("DOUBLE",C6:G6,C7:G7)', HEADERS) == 2.0


def test_approximate_match_on_sorted_data_is_the_largest_value_not_above():
    cells = {"A1": 1.0, "A2": 3.0, "A3": 3.0, "A4": 5.0, "A5": 7.0}
    assert calc("MATCH(4,A1:A5,1)", cells) == 3.0  # the last of the run of 3s
    assert calc("MATCH(3,A1:A5)", cells) == 3.0
    assert calc("MATCH(0,A1:A5,1)", cells) == E("#N/A")
    assert calc("MATCH(99,A1:A5,1)", cells) == 5.0
    assert calc("VLOOKUP(6,A1:A5,1,TRUE)", cells) == 5.0


def test_approximate_match_skips_blanks_and_other_types():
    cells = {"A1": 1.0, "A2": "x", "A3": None, "A4": 5.0, "A5": 7.0}
    assert calc("MATCH(6,A1:A5,1)", cells) == 4.0
    assert calc('MATCH("y",A1:A5,1)', cells) == 2.0


def test_exact_match_finds_only_the_same_type():
    cells = {"A1": "1", "A2": 1.0, "A3": True}
    assert calc("MATCH(1,A1:A3,0)", cells) == 2.0
    assert calc('MATCH("1",A1:A3,0)', cells) == 1.0
    assert calc("MATCH(TRUE,A1:A3,0)", cells) == 3.0
    assert calc('MATCH("b*",{"abc","bcd"},0)', cells) == 2.0


def test_xlookup_binary_search_over_numbers_and_text():
    """POI xlookup.xlsx: =XLOOKUP(E2,C2:C7,B2:B7,0,1,2) is 0.22 in Excel."""
    cells = {"C2": 9700.0, "C3": "xyz", "C4": "xyz", "C5": 160726.0, "C6": 204100.0, "C7": 510300.0,
             "B2": 0.1, "B3": 0.22, "B4": 0.24, "B5": 0.32, "B6": 0.35, "B7": 0.37, "E2": 46523.0}  # fmt: skip
    assert calc("XLOOKUP(E2,C2:C7,B2:B7,0,1,2)", cells) == 0.22


def test_xlookup_modes_as_documented():
    """Microsoft's XLOOKUP page: exact or next smaller/larger, last-to-first, binary on sorted data."""
    cells = {"A1": 10.0, "A2": 20.0, "A3": 30.0, "A4": 20.0, "B1": "a", "B2": "b", "B3": "c", "B4": "d"}
    assert calc("XLOOKUP(20,A1:A4,B1:B4)", cells) == "b"
    assert calc("XLOOKUP(20,A1:A4,B1:B4,,0,-1)", cells) == "d"
    assert calc("XLOOKUP(25,A1:A3,B1:B3,,1,2)", cells) == "c"
    assert calc("XLOOKUP(25,A1:A3,B1:B3,,-1,2)", cells) == "b"
    assert calc("XLOOKUP(5,A1:A3,B1:B3,,-1,2)", cells) == E("#N/A")
    assert calc("XLOOKUP(25,{30;20;10},B1:B3,,1,-2)", cells) == "a"
    assert calc("XLOOKUP(20,{30;20;10},B1:B3,,0,-2)", cells) == "b"
    assert calc("XLOOKUP(20,A1:A4,B1:B3)", cells) == E("#VALUE!")  # result not as long as lookup
    assert calc("XLOOKUP(20,A1:A4,B1:B4,,3)", cells) == E("#VALUE!")


def test_index_out_of_range_is_ref_error():
    cells = {"A1": 1.0, "B2": 4.0}
    assert calc("INDEX(A1:B2,3,1)", cells) == E("#REF!")
    assert calc("INDEX(A1:B2,1,3)", cells) == E("#REF!")
    assert calc("INDEX(A1:B2,2,2)", cells) == 4.0


def test_wrapcols_as_documented():
    """Microsoft's WRAPCOLS page: =WRAPCOLS(A2:G2,3) wraps a row into columns of three, #N/A padded."""
    from formula_helpers import spill

    cells = {f"{c}1": float(i) for i, c in enumerate("ABCDEFG", 1)}
    values, where = spill("WRAPCOLS(A1:G1,3)", cells, anchor="A3")
    assert values == [[1.0, 4.0, 7.0], [2.0, 5.0, E("#N/A")], [3.0, 6.0, E("#N/A")]]
    assert where == "A3:C5"
    assert spill('WRAPCOLS(A1:G1,3,"x")', cells, anchor="A3")[0][2] == [3.0, 6.0, "x"]
    assert calc("WRAPCOLS(A1:B2,2)", {"A1": 1.0}) == E("#VALUE!")
    assert calc("WRAPCOLS(A1:G1,0)", cells) == E("#NUM!")


def test_expand_as_documented():
    """Microsoft's EXPAND page: =EXPAND(A2:B3,3,3) pads a 2×2 array to 3×3 with #N/A."""
    from formula_helpers import spill

    cells = {"A1": 1.0, "B1": 2.0, "A2": 3.0, "B2": 4.0}
    na = E("#N/A")
    assert spill("EXPAND(A1:B2,3,3)", cells)[0] == [[1.0, 2.0, na], [3.0, 4.0, na], [na, na, na]]
    assert spill('EXPAND(A1:B2,3,3,"-")', cells)[0] == [[1.0, 2.0, "-"], [3.0, 4.0, "-"], ["-", "-", "-"]]
    assert spill("EXPAND(A1:B2,,3)", cells)[0] == [[1.0, 2.0, na], [3.0, 4.0, na]]
    assert calc("EXPAND(A1:B2,1,2)", cells) == E("#VALUE!")
