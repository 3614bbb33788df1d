"""The lambda flavour of the templates: the udf flavour's sheets and formulas, with the ``GTM_*``
functions defined inside the workbook as named LAMBDAs (:mod:`gtm_xl.lambdas`).

Microsoft 365 (Windows, Mac, the web) evaluates such a workbook with no add-in, no Python and no
macros. Two things make the file look to Excel like one Excel 365 saved itself:

* each catalogue function is a workbook-level ``<definedName>`` whose text is the stored LAMBDA
  (``_xlfn.LAMBDA(_xlpm.…)``) and whose ``comment`` is the function's description (Name Manager
  and formula autocomplete show it);
* every cell that calls a GTM function is a dynamic-array formula: ``<c … cm="1"><f t="array"
  ref="…">`` pointing at the XLDAPR cell metadata of ``xl/metadata.xml`` (the part, its content
  type and its workbook relationship as Excel writes them). Without it Excel 365 would open the
  call as a legacy formula and show it as ``=@GTM_…(…)`` (implicit intersection); with it a call
  that returns several values spills.

The post-processing works on the bytes openpyxl wrote, so the build stays deterministic.
"""

from __future__ import annotations

import re

from openpyxl.workbook.defined_name import DefinedName

from gtm_xl.catalogue import CATALOGUE
from gtm_xl.lambdas import DEFINITIONS, comment, stored

__all__ = ["METADATA_XML", "add_lambda_names", "dynamic_array_parts"]

#: xl/metadata.xml as Excel 365 writes it for dynamic arrays: one XLDAPR metadata type, one future
#: metadata block (fDynamic), one cell metadata record; cells point at it with cm="1"
METADATA_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    b'<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    b'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    b'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    b'<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    b'<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    b'<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)
_METADATA_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
_METADATA_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"

_CELL = re.compile(rb"<c ([^>]*)>(<f(?: [^>]*)?>)([^<]*)</f>")
_GTM_CALL = re.compile(rb"\bGTM_[A-Z_]+\(")


def add_lambda_names(wb) -> None:
    """Every catalogue function as a workbook-level named LAMBDA with its description."""
    for name in CATALOGUE:
        wb.defined_names[name] = DefinedName(name, attr_text=stored(DEFINITIONS[name]), comment=comment(name))


def _dynamic_cells(sheet_xml: bytes) -> tuple[bytes, int]:
    """The sheet with each GTM-calling formula cell a dynamic-array formula (cm="1", t="array"
    with its ref: the anchor alone for one value, the block a legacy array formula covered)."""
    count = 0

    def sub(m: re.Match) -> bytes:
        nonlocal count
        attrs, f_open, text = m.group(1), m.group(2), m.group(3)
        if not _GTM_CALL.search(text) or b" cm=" in attrs:
            return m.group(0)
        count += 1
        where = re.search(rb'\br="([A-Z]+[0-9]+)"', attrs)
        if where is None:  # a cell without its reference: leave it as written
            return m.group(0)
        ref = where.group(1)
        if b't="array"' not in f_open:
            f_open = b'<f t="array" ref="' + ref + b'">'
        return b"<c " + attrs + b' cm="1">' + f_open + text + b"</f>"

    return _CELL.sub(sub, sheet_xml), count


def dynamic_array_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Package parts (name → bytes, writer's order) with the GTM calls as dynamic-array formulas
    and ``xl/metadata.xml`` added (content type, workbook relationship)."""
    out: dict[str, bytes] = {}
    total = 0
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
            data, n = _dynamic_cells(data)
            total += n
        out[name] = data
    if not total:
        return out
    out["[Content_Types].xml"] = out["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/metadata.xml" ContentType="' + _METADATA_TYPE + b'"/></Types>', 1
    )
    rels = out["xl/_rels/workbook.xml.rels"]
    ids = {int(x) for x in re.findall(rb'Id="rId([0-9]+)"', rels)}
    rid = b"rId" + str(max(ids, default=0) + 1).encode()
    out["xl/_rels/workbook.xml.rels"] = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="' + rid + b'" Type="' + _METADATA_REL + b'" Target="metadata.xml"/></Relationships>',
        1,
    )
    out["xl/metadata.xml"] = METADATA_XML
    return out
