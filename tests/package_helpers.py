"""Helpers for the package and refresh tests: part-by-part comparison of two packages."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree


def is_worksheet(name: str) -> bool:
    return bool(re.match(r"xl/worksheets/[^/]+\.xml$", name))


def sheet_structure(data: bytes) -> bytes:
    """A worksheet's XML with every cached value taken out: no <v>, no <is>, no cell t, no f@ref.

    Two sheets whose structures are equal differ in cached values only.
    """
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = "{" + etree.QName(root).namespace + "}"  # Transitional or Strict SpreadsheetML
    for c in root.iter(f"{ns}c"):
        c.attrib.pop("t", None)
        for child in list(c):
            if child.tag in (f"{ns}v", f"{ns}is"):
                c.remove(child)
            elif child.tag == f"{ns}f":
                child.attrib.pop("ref", None) if child.get("t") == "array" else None
    return etree.tostring(root, method="c14n")


def assert_lossless(before: Path, after: Path, allow_new_cells: bool = False) -> list[str]:
    """Every part byte-identical except worksheets (values only) and workbook.xml; returns changed parts."""
    z1, z2 = zipfile.ZipFile(before), zipfile.ZipFile(after)
    assert z2.testzip() is None
    names1 = [i.filename for i in z1.infolist()]
    assert names1 == [i.filename for i in z2.infolist()], "the parts or their order changed"
    changed = []
    for name in names1:
        i1, i2 = z1.getinfo(name), z2.getinfo(name)
        a, b = z1.read(name), z2.read(name)
        if a == b:
            assert i1.compress_type == i2.compress_type, f"{name}: compression changed"
            if name not in ("xl/workbook.xml",) and not is_worksheet(name):
                assert i1.CRC == i2.CRC and i1.compress_size == i2.compress_size, f"{name}: not copied raw"
            continue
        changed.append(name)
        if name == "xl/workbook.xml":
            assert re.sub(rb'\s*fullCalcOnLoad="1"', b"", b).replace(b"<calcPr/>", b"") == re.sub(
                rb'\s*fullCalcOnLoad="1"', b"", a
            ).replace(b"<calcPr/>", b""), "workbook.xml changed beyond calcPr"
            assert b'fullCalcOnLoad="1"' in b
        else:
            assert is_worksheet(name), f"{name} changed"
            if not allow_new_cells:
                assert sheet_structure(a) == sheet_structure(b), f"{name}: more than cached values changed"
    return changed
