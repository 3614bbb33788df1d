"""workbook.xml: the one writer of the workbook part's edits (each keeps every other byte as it was).

* :func:`mark_full_calc` — ``<calcPr fullCalcOnLoad="1">``, so Excel recalculates when the file opens;
* :func:`set_defined_names` — workbook-level defined names added or replaced (distribute's region stamp).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["mark_full_calc", "set_defined_names"]

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_CALCPR = re.compile(rb"<(" + _P + rb")calcPr\b([^>]*?)(/?)>")
_FULLCALC = re.compile(rb'\sfullCalcOnLoad\s*=\s*(?:"[^"]*"|\'[^\']*\')')
_WB_CLOSE = re.compile(rb"</(" + _P + rb")workbook\s*>")
_WB_AFTER_CALCPR = re.compile(
    rb"<(" + _P + rb")(oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes"
    rb"|webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b"
)


def mark_full_calc(workbook_xml: bytes) -> bytes:
    """workbook.xml with ``<calcPr fullCalcOnLoad="1">`` (added or set); nothing else changes."""
    m = _CALCPR.search(workbook_xml)
    if m is not None:
        attrs = _FULLCALC.sub(b"", m.group(2)).rstrip()
        new = b"<" + m.group(1) + b"calcPr" + attrs + b' fullCalcOnLoad="1"' + (b"/>" if m.group(3) else b">")
        return workbook_xml[: m.start()] + new + workbook_xml[m.end() :]
    # calcPr goes after definedNames and before oleSize/…/extLst (schema order)
    close = _WB_CLOSE.search(workbook_xml)
    if close is None:
        return workbook_xml
    prefix = close.group(1)
    nxt = _WB_AFTER_CALCPR.search(workbook_xml)
    at = nxt.start() if nxt is not None else close.start()
    return workbook_xml[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + workbook_xml[at:]


_SHEETS_OPEN = re.compile(rb"<(" + _P + rb")sheets\b")
_SHEETS_CLOSE = re.compile(rb"</" + _P + rb"sheets\s*>")
_NAMES_CLOSE = re.compile(rb"</" + _P + rb"definedNames\s*>")
_NAMES_EMPTY = re.compile(rb"<" + _P + rb"definedNames\s*/>")


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _defined_name(name: bytes) -> re.Pattern[bytes]:
    """A workbook's ``<definedName name="…">`` element of that name (any prefix, either form)."""
    return re.compile(
        rb"<(" + _P + rb")definedName\b[^>]*\bname=\"" + re.escape(name) + rb"\"[^>]*?(?:/>|>.*?</\1definedName\s*>)",
        re.S | re.I,
    )


def set_defined_names(workbook_xml: bytes, names: Mapping[str, str]) -> bytes:
    """workbook.xml with each name of ``names`` defined as its formula text (a text constant is
    ``"…"`` with inner quotes doubled: :func:`gtm_xl.excel.ooxml.names.text_constant`), in that order,
    replacing an earlier definition of the name; the ``definedNames`` element is created after
    ``</sheets>`` when absent."""
    text = workbook_xml
    for name in names:
        text = _defined_name(name.encode("utf-8")).sub(b"", text)
    m = _SHEETS_OPEN.search(text)
    prefix = m.group(1) if m else b""
    new = b"".join(
        b"<"
        + prefix
        + b'definedName name="'
        + name.encode("utf-8")
        + b'">'
        + _xml_text(value).encode("utf-8")
        + b"</"
        + prefix
        + b"definedName>"
        for name, value in names.items()
    )
    close = _NAMES_CLOSE.search(text)
    if close is not None:
        return text[: close.start()] + new + text[close.start() :]
    block = b"<" + prefix + b"definedNames>" + new + b"</" + prefix + b"definedNames>"
    empty = _NAMES_EMPTY.search(text)
    if empty is not None:
        return text[: empty.start()] + block + text[empty.end() :]
    end = _SHEETS_CLOSE.search(text)
    if end is None:
        raise ValueError("workbook.xml has no <sheets> element")
    return text[: end.end()] + block + text[end.end() :]
