"""workbook.xml: the one writer of the workbook part's edits (each keeps every other byte as it was).

* :func:`mark_full_calc` — ``<calcPr fullCalcOnLoad="1">``, so Excel recalculates when the file opens;
* :func:`set_defined_names` — workbook-level defined names added or replaced (distribute's region stamp);
* :func:`upsert_defined_names` — whole ``<definedName>`` elements (attributes such as ``comment``
  kept) replacing the workbook-level name of the same name where it stands, or added
  (`gtm-xl functions install`); :func:`defined_names` reads them with their byte spans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "DefinedNameSpan",
    "defined_names",
    "element_prefix",
    "mark_full_calc",
    "set_defined_names",
    "upsert_defined_names",
]

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


_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape_xml(text: str) -> str:
    """XML text or attribute → str (the five predefined entities and character references)."""

    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _NAMED_ENTITIES[e]

    return _ENTITY.sub(sub, text.replace("\r\n", "\n"))


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out, pos = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(data[pos:start])
        out.append(new)
        pos = max(pos, end)
    out.append(data[pos:])
    return b"".join(out)


# --- defined names ------------------------------------------------------------------------------
_DEFINED_NAMES = re.compile(rb"<(" + _P + rb")definedNames\b[^>]*?(/?)>")
_DEFINED_NAME = re.compile(rb"<(" + _P + rb")definedName\b([^>]*?)(?:/>|>(.*?)</\1definedName\s*>)", re.S)
_WB_ROOT = re.compile(rb"<(" + _P + rb")workbook\b")
_WB_AFTER_NAMES = re.compile(
    rb"<(" + _P + rb")(calcPr|oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes"
    rb"|webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b"
)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class DefinedNameSpan:
    """One ``<definedName>`` of workbook.xml: its attributes and text (unescaped) and byte span."""

    name: str
    attributes: dict[str, str]
    text: str
    span: tuple[int, int]

    @property
    def sheet_scoped(self) -> bool:
        return "localSheetId" in self.attributes


def defined_names(workbook_xml: bytes) -> list[DefinedNameSpan]:
    """The ``<definedName>`` elements of a workbook part, in document order."""
    out = []
    for m in _DEFINED_NAME.finditer(workbook_xml):
        attrs = {
            k.decode(): _unescape_xml((a if a is not None else b).decode()) for k, a, b in _ATTR.findall(m.group(2))
        }
        out.append(DefinedNameSpan(attrs.get("name", ""), attrs, _unescape_xml((m.group(3) or b"").decode()), m.span()))
    return out


def element_prefix(workbook_xml: bytes) -> str:
    """The namespace prefix of the workbook part's elements (``""`` for the default namespace)."""
    m = _WB_ROOT.search(workbook_xml)
    return m.group(1).decode().rstrip(":") if m else ""


def upsert_defined_names(workbook_xml: bytes, elements: Mapping[str, bytes]) -> bytes:
    """workbook.xml with each workbook-level ``<definedName>`` of ``elements`` (name → the whole
    element) replaced where a workbook-level name of that name exists (case-insensitive, as Excel
    matches names) and added at the end of ``<definedNames>`` otherwise (the container made, in
    schema order, when the workbook has none); every other byte stays as it was."""
    existing = {d.name.upper(): d for d in defined_names(workbook_xml) if not d.sheet_scoped}
    edits: list[tuple[int, int, bytes]] = []
    added: list[bytes] = []
    for name, element in elements.items():
        hit = existing.get(name.upper())
        if hit is not None:
            edits.append((hit.span[0], hit.span[1], element))
        else:
            added.append(element)
    if added:
        block = b"".join(added)
        m = _DEFINED_NAMES.search(workbook_xml)
        close = None
        if m is not None and not m.group(2):
            close = re.compile(rb"</" + re.escape(m.group(1)) + rb"definedNames\s*>").search(workbook_xml, m.end())
        if close is not None:
            edits.append((close.start(), close.start(), block))
        elif m is not None and m.group(2):  # <definedNames/>
            p = m.group(1)
            edits.append((m.start(), m.end(), b"<" + p + b"definedNames>" + block + b"</" + p + b"definedNames>"))
        else:
            root, nxt, end = (
                _WB_ROOT.search(workbook_xml),
                _WB_AFTER_NAMES.search(workbook_xml),
                _WB_CLOSE.search(workbook_xml),
            )
            if root is None or (nxt is None and end is None):
                raise ValueError("workbook.xml has no <workbook> element to hold defined names")
            p = root.group(1)
            at = nxt.start() if nxt is not None else end.start()  # type: ignore[union-attr]
            edits.append((at, at, b"<" + p + b"definedNames>" + block + b"</" + p + b"definedNames>"))
    return _apply(workbook_xml, edits)
