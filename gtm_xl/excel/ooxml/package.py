"""An .xlsx/.xlsm package as parts: read its cells, patch cached values, save atomically.

The package is read, never rebuilt::

    file.xlsx (zip)
    ├── [Content_Types].xml, _rels/.rels, docProps/…   copied raw (same bytes, same compression)
    ├── xl/workbook.xml          sheets, defined names; only <calcPr fullCalcOnLoad="1"> is set
    ├── xl/_rels/workbook.xml.rels   sheet name → part
    ├── xl/sharedStrings.xml     read for values, copied raw
    ├── xl/worksheets/sheetN.xml read; only the changed cells' <v>/t (and a dynamic array's
    │                            spill cells) are spliced into the original bytes
    └── charts, drawings, media, vbaProject.bin, customXml, …   copied raw

Reading scans ``<sheetData>`` with byte-level regular expressions, which gives each cell's byte
span for the later splice and never expands an XML entity; the small parts (workbook,
relationships, shared strings) go through lxml with entity resolution, DTD loading and network
access off. A part that declares a DTD (``<!DOCTYPE``) is refused: OOXML never needs one, and it
is how external-entity and entity-expansion attacks arrive.

Safety limits, checked from the zip directory before anything is inflated: total uncompressed
size (:data:`MAX_TOTAL_BYTES`), size of one part (:data:`MAX_PART_BYTES`) and compression ratio
of a part (:data:`MAX_RATIO`). Encrypted workbooks and legacy .xls files (OLE compound files)
are recognised and reported as such.

Every failure is a :class:`PackageError` whose text is one line naming the file (and the part).
"""

from __future__ import annotations

import math
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from lxml import etree

from gtm_xl.excel.atomic import atomic_writer
from gtm_xl.excel.ooxml.cells import Cell, SheetCells, WorkbookCells, column_index, column_letter, parse_range
from gtm_xl.excel.values import ERROR_CODES, CellError

__all__ = [
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "DataValidation",
    "Package",
    "PackageError",
    "SheetPart",
    "format_number",
    "translate_formula",
]

MAX_TOTAL_BYTES = 1 << 30  # 1 GiB uncompressed in all
MAX_PART_BYTES = 512 << 20  # 512 MiB for one part
MAX_RATIO = 200  # uncompressed/compressed, for parts above 1 MiB

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: SpreadsheetML namespace → its relationships namespace: Transitional (what Excel saves by default)
#: and Strict Open XML (ISO/IEC 29500 Strict, "Strict Open XML Spreadsheet" in Excel's Save As)
_WORKBOOK_NAMESPACES = {
    _NS_MAIN: _NS_REL,
    "http://purl.oclc.org/ooxml/spreadsheetml/main": "http://purl.oclc.org/ooxml/officeDocument/relationships",
    # Excel 2007 beta 2 (2006): same structure as the final format under a pre-release namespace
    "http://schemas.microsoft.com/office/excel/2006/2": _NS_REL,
}
_REL_OFFICE_DOC = _NS_REL + "/officeDocument"
_REL_WORKSHEET = _NS_REL + "/worksheet"
_REL_SHARED_STRINGS = _NS_REL + "/sharedStrings"


class PackageError(Exception):
    """A workbook that cannot be read or written; ``str()`` is one line naming the file."""

    def __init__(self, path: str | os.PathLike, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


# --- small XML helpers ------------------------------------------------------------------------
def _xml_parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
    )


_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """XML text → str for the five predefined entities and character references (no others).

    Literal line ends are normalised first as every XML parser does (XML 1.0 section 2.11: CR LF and
    a lone CR become LF); a CR written as ``&#13;`` survives, as it does in Excel.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    if "&#" not in text:  # only the predefined entities: plain replacements, &amp; last
        return (
            text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", '"')
            .replace("&apos;", "'")
            .replace("&amp;", "&")
        )

    def sub(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        return _NAMED[e]

    return _ENTITY.sub(sub, text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ESCAPED_CTRL = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_text(text: str) -> str:
    """Decode OOXML's ``_xHHHH_`` escapes of control characters in shared/inline strings."""
    if "_x" not in text:
        return text
    return _ESCAPED_CTRL.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- shared formulas ----------------------------------------------------------------------------
# A reference token in A1 style: optional sheet prefix is left alone (it precedes the ref), we
# shift the row/column parts that carry no "$". Strings ("…") and quoted sheet names ('…') are
# skipped whole.
_FORMULA_TOKEN = re.compile(
    r'"(?:[^"]|"")*"'  # string literal
    r"|'(?:[^']|'')*'"  # quoted sheet name
    r"|(?<![A-Za-z0-9_.\\])(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})(?![A-Za-z0-9_(\\])"  # cell
    r"|(?<![A-Za-z0-9_.\\])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![A-Za-z0-9_(\\])"  # columns
    r"|(?<![A-Za-z0-9_.\\:$])(\$?)([0-9]{1,7}):(\$?)([0-9]{1,7})(?![A-Za-z0-9_(\\.])"  # rows
)


def translate_formula(formula: str, d_row: int, d_col: int) -> str:
    """Shift the relative references of ``formula`` by ``d_row`` rows and ``d_col`` columns.

    This is how a shared formula's master text becomes the formula of each cell it covers.
    Absolute parts (``$A``, ``$1``) stay; text in quotes and quoted sheet names are untouched; a
    reference shifted off the sheet becomes ``#REF!`` as in Excel.
    """
    if not d_row and not d_col:
        return formula

    def col(dollar: str, letters: str) -> str:
        if dollar:
            return dollar + letters
        n = column_index(letters) + d_col
        if not 1 <= n <= 16384:
            raise _OffSheet
        return column_letter(n)

    def row(dollar: str, digits: str) -> str:
        if dollar:
            return dollar + digits
        n = int(digits) + d_row
        if not 1 <= n <= 1048576:
            raise _OffSheet
        return str(n)

    def sub(m: re.Match) -> str:
        g = m.groups()
        try:
            if g[1] is not None:
                try:
                    column_index(g[1])
                except ValueError:
                    return m.group(0)
                return f"{col(g[0], g[1])}{g[2]}{row('', g[3]) if not g[2] else g[3]}"
            if g[5] is not None:
                try:
                    column_index(g[5]), column_index(g[7])
                except ValueError:
                    return m.group(0)
                return f"{col(g[4], g[5])}:{col(g[6], g[7])}"
            if g[9] is not None:
                return f"{row(g[8], g[9])}:{row(g[10], g[11])}"
        except _OffSheet:
            return "#REF!"
        return m.group(0)

    return _FORMULA_TOKEN.sub(sub, formula)


class _OffSheet(Exception):
    pass


# --- numbers as Excel writes them ---------------------------------------------------------------
def format_number(x: float) -> str:
    """A float as the text of ``<v>``: integers without ``.0``, others the shortest round trip."""
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x).replace("e+", "E+").replace("e-", "E-")


# --- the sheet scanner ------------------------------------------------------------------------
_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_SHARED_STRING = re.compile(rb"<" + _P + rb"(si|sstItem)\b[^>]*?(?:/>|>(.*?)</" + _P + rb"\1\s*>)", re.S)
_SHEETDATA_OPEN = re.compile(rb"<" + _P + rb"sheetData\b[^>]*?(/?)>")
_SHEETDATA_CLOSE = re.compile(rb"</" + _P + rb"sheetData\s*>")
_ITEM = re.compile(
    rb"<(" + _P + rb")(?:c(?=[\s/>])(?:\s+r=\"([A-Z]{1,3})([0-9]{1,7})\")?([^>]*?)(?:(/)>|>(.*?)</" + _P + rb"c\s*>)"
    rb"|(row)(?=[\s/>])([^>]*?)/?>)"
    rb"|</" + _P + rb"row\s*>",
    re.S,
)


def _number_cell(group: bytes) -> bytes:
    """The pattern of a plain number cell (``<c r="B3" s="1"><v>42</v></c>``); ``group`` opens its three
    groups (column, row, value): ``b"("`` captures them, ``b"(?:"`` only groups them."""
    return (
        rb'<c r="'
        + group
        + rb"[A-Z]{1,3})"
        + group
        + rb'[0-9]{1,7})"(?: s="[0-9]+")?(?: t="n")?><v>'
        + group
        + rb"[^<]+)</v></c>"
    )


_NUM_CELLS = re.compile(_number_cell(b"("))
_PLAIN_ITEM = re.compile(
    rb"((?:" + _number_cell(b"(?:") + rb"){2,})"  # a run of number cells
    rb'|<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)(?:/>|>(?:'
    rb"<v>([^<]*)</v>"  # a value
    rb"|<f>([^<]*)</f>(?:<v>([^<]*)</v>|(<v/>))?"  # a plain formula and its value
    rb"|<is><t>([^<]*)</t></is>"  # a plain inline string
    rb"|([^<]*(?:<(?!/c>)[^<]*)*)"  # anything else
    rb")</c>)"
    rb"|<row(?=[\s/>])([^>]*?)/?>"
    rb"|</row>"
)
_C_START = re.compile(rb"<c[\s/>]")
_SPACES = (b" ", b"\t", b"\r", b"\n")
_R_VAL = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]+)["']""")
_ROW_R = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
_ROW_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')  # a hidden row: <row r="5" hidden="1">
_T_VAL = re.compile(rb"""\st\s*=\s*["']([A-Za-z]+)["']""")
_CM = re.compile(rb"""\scm\s*=""")
_COLUMN_CACHE: dict[bytes, int] = {}
_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_F = re.compile(rb"<" + _P + rb"f\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"f\s*>)", re.S)
_V = re.compile(rb"<" + _P + rb"v\b[^>]*?(?:/>|>(.*?)</" + _P + rb"v\s*>)", re.S)
_IS = re.compile(rb"<" + _P + rb"is\b[^>]*>(.*?)</" + _P + rb"is\s*>", re.S)
_T_TEXT = re.compile(rb"<" + _P + rb"t\b[^>]*?(?:/>|>(.*?)</" + _P + rb"t\s*>)", re.S)
_RPH = re.compile(rb"<" + _P + rb"(?:rPh|phoneticPr)\b.*?(?:</" + _P + rb"rPh\s*>|/>)", re.S)


def _attrs(raw: bytes) -> dict[str, str]:
    return {
        m.group(1).decode(): _unescape((m.group(2) if m.group(2) is not None else m.group(3)).decode())
        for m in _ATTR.finditer(raw)
    }


@dataclass(slots=True)
class CellSpan:
    """Where one ``<c>`` element sits in the sheet part's bytes, and its parts."""

    start: int
    end: int
    prefix: bytes  # namespace prefix of the element ("" or b"x:")
    attrs: bytes  # the raw attribute text of the start tag
    body: bytes | None  # the raw content (None for <c/>)
    has_formula: bool


@dataclass(slots=True)
class RowSpan:
    """A ``<row>`` element: where its content ends (before ``</row>``) or that it is empty."""

    start: int
    tag_end: int  # end of the start tag
    close: int | None  # offset of "</row>", None for a self-closing <row/>
    prefix: bytes
    attrs: bytes


@dataclass(slots=True)
class DataValidation:
    """One data-validation rule of a worksheet (the parts the refresh checks)."""

    sheet: str
    sqref: str
    type: str  # whole, decimal, list, custom, date, time, textLength, none
    operator: str  # between (default), notBetween, equal, …
    formula1: str | None
    formula2: str | None
    allow_blank: bool
    error: str | None  # the rule's own error message, if it has one


@dataclass
class SheetPart:
    """One worksheet: its name, part name, raw bytes and the spans of its cells and rows."""

    name: str
    part: str
    data: bytes
    formula_cells: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # (start, end) of <c>
    #: plain formula cells without a ``t`` attribute, ``<c r="…" attrs><f>…</f>[<v>…</v>|<v/>]</c>``
    #: (attrs not ending in a space): (start of <c>, end of its attributes, end of ``</f>``, end)
    plain_formulas: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    rows: dict[int, RowSpan] = field(default_factory=dict)
    sheetdata_open: tuple[int, int] = (0, 0)  # span of the <sheetData> start tag
    sheetdata_close: int | None = None  # offset of </sheetData> (None if <sheetData/>)
    validations: list[DataValidation] = field(default_factory=list)
    row_cache: dict[int, list[tuple[int, tuple[int, int]]]] = field(default_factory=dict, repr=False, compare=False)

    def row_cells(self, row: int) -> list[tuple[int, tuple[int, int]]]:
        """(column, (start, end)) of every ``<c>`` of one row, in file order (scanned on demand,
        once per row)."""
        found = self.row_cache.get(row)
        if found is None:
            found = self.row_cache[row] = self._scan_row(row)
        return found

    def _scan_row(self, row: int) -> list[tuple[int, tuple[int, int]]]:
        rs = self.rows.get(row)
        if rs is None or rs.close is None:
            return []
        out, col = [], 0
        for m in _ITEM.finditer(self.data, rs.tag_end, rs.close):
            if m.group(4) is None:
                continue
            if m.group(2) is not None:
                col = column_index(m.group(2).decode())
            else:
                rm = _R_VAL.search(m.group(4))
                col = column_index(rm.group(1).decode()) if rm else col + 1
            out.append((col, m.span()))
        return out

    def span(self, key: tuple[int, int]) -> CellSpan | None:
        """The parts of the ``<c>`` element of cell ``key`` (None when the sheet has no such element)."""
        where = self.formula_cells.get(key)
        if where is None:
            where = next((span for c, span in self.row_cells(key[0]) if c == key[1]), None)
            if where is None:
                return None
        start, end = where
        data = self.data
        tag_end = data.index(b">", start)
        if data[start + 1 : start + 2] == b"c" and data[start + 2 : start + 3] in (
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"/",
            b">",
        ):
            prefix = b""
        else:  # <x:c …>
            prefix = data[start + 1 : data.index(b":", start) + 1]
        selfclose = data[tag_end - 1 : tag_end] == b"/"
        attrs = data[start + 2 + len(prefix) : tag_end - 1 if selfclose else tag_end]
        body = None if selfclose else data[tag_end + 1 : data.rindex(b"<", start, end)]
        return CellSpan(start, end, prefix, attrs, body, body is not None and b"f" in body)


class Package:
    """An opened .xlsx/.xlsm: the zip directory, its parts on demand, the sheets and names.

    ``Package(path)`` checks the file (OLE/encrypted, legacy .xls, not a zip, truncated, zip
    bomb) and reads the workbook structure; :meth:`read_cells` reads every worksheet.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        max_part_bytes: int = MAX_PART_BYTES,
        max_ratio: float = MAX_RATIO,
    ) -> None:
        self.path = Path(path)
        self._max_part = max_part_bytes
        self._check_container()
        try:
            # the package keeps its own handle: save() copies unchanged members' compressed bytes from it
            self._file: BinaryIO = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise PackageError(self.path, f"cannot read: {exc.strerror or exc}") from None
        try:
            self._zip = zipfile.ZipFile(self._file)
        except zipfile.BadZipFile as exc:
            self._file.close()
            raise PackageError(self.path, f"not a valid .xlsx/.xlsm (corrupt or truncated zip: {exc})") from None
        except OSError as exc:
            self._file.close()
            raise PackageError(self.path, f"cannot read: {exc.strerror or exc}") from None
        self.infos = self._zip.infolist()
        self._check_sizes(max_total_bytes, max_part_bytes, max_ratio)
        self._cache: dict[str, bytes] = {}
        self._verified: set[str] = set()
        self.workbook_part = self._office_document()
        self.sheet_parts: dict[str, str] = {}  # sheet name → part name, workbook order
        self.names: dict[str, str] = {}
        self.has_calc_pr = False
        self.date1904 = False  # workbookPr/@date1904: serials count days from 1904-01-01
        self._read_workbook()

    # -- container checks --
    def _check_container(self) -> None:
        try:
            mode = os.stat(self.path).st_mode
        except OSError as exc:
            raise PackageError(self.path, f"cannot read: {exc.strerror or exc}") from None
        if stat.S_ISDIR(mode):
            raise PackageError(self.path, "is a folder, not a workbook")
        if not stat.S_ISREG(mode):  # a FIFO would block the read forever, a device never ends
            raise PackageError(self.path, "not a regular file (a FIFO, socket or device): refused")
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(8)
        except OSError as exc:
            raise PackageError(self.path, f"cannot read: {exc.strerror or exc}") from None
        if head == _OLE_MAGIC:
            raise PackageError(self.path, self._ole_kind())
        if not head.startswith(b"PK"):
            raise PackageError(self.path, "not an .xlsx/.xlsm workbook (not a zip package)")

    def _ole_kind(self) -> str:
        import olefile  # on use: only a file that is not a zip package is looked into

        try:
            with olefile.OleFileIO(str(self.path)) as ole:
                streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
        except Exception:  # noqa: BLE001 — a broken OLE file is still "not a package"
            return "an OLE compound file that is not a workbook package (corrupt or unknown)"
        if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
            return "the workbook is encrypted (password-protected): remove the password in Excel and try again"
        if "Workbook" in streams or "Book" in streams:
            return "a legacy .xls workbook (Excel 97-2003): save it as .xlsx in Excel first"
        return "an OLE compound file, not an .xlsx/.xlsm workbook"

    def _check_sizes(self, max_total: int, max_part: int, max_ratio: float) -> None:
        total = 0
        for info in self.infos:
            total += info.file_size
            if info.file_size > max_part:
                raise PackageError(
                    self.path,
                    f"part {info.filename} inflates to {info.file_size:,} bytes, "
                    f"over the {max_part:,}-byte limit (refused as a possible zip bomb)",
                )
            if info.file_size > (1 << 20) and info.file_size > max_ratio * max(info.compress_size, 1):
                raise PackageError(
                    self.path,
                    f"part {info.filename} has a compression ratio of "
                    f"{info.file_size / max(info.compress_size, 1):,.0f}:1, over the "
                    f"{max_ratio:,.0f}:1 limit (refused as a possible zip bomb)",
                )
        if total > max_total:
            raise PackageError(
                self.path,
                f"the package inflates to {total:,} bytes, over the "
                f"{max_total:,}-byte limit (refused as a possible zip bomb)",
            )

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts --
    def part(self, name: str) -> bytes:
        """The inflated bytes of a part; a part with a DTD is refused."""
        data = self._cache.get(name)
        if data is None:
            try:
                with self._zip.open(name) as fh:
                    data = fh.read(self._max_part + 1)
            except KeyError:
                raise PackageError(self.path, f"part {name} is missing") from None
            except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
                raise PackageError(self.path, f"part {name} is corrupt ({exc})") from None
            if len(data) > self._max_part:
                raise PackageError(self.path, f"part {name} is over the size limit (possible zip bomb)")
            if name.endswith((".xml", ".rels")) and _declares_dtd(data):
                raise PackageError(
                    self.path, f"part {name} declares a DTD (<!DOCTYPE>): refused, entities are never expanded"
                )
            self._cache[name] = data
        return data

    def verify(self, names: Iterable[str] | None = None) -> None:
        """Inflate every member (or ``names``) not read yet, in chunks and discarding the bytes,
        so the zip's CRC-32 of each is checked: a member copied raw into a new file is proven
        intact first (a corrupt chart fails here instead of being passed on). Once per member."""
        wanted = None if names is None else set(names)
        for info in self.infos:
            name = info.filename
            if name in self._cache or name in self._verified or (wanted is not None and name not in wanted):
                continue
            if info.is_dir():
                continue
            try:
                with self._zip.open(info) as fh:
                    left = self._max_part + 1
                    while left > 0:
                        chunk = fh.read(min(1 << 20, left))
                        if not chunk:
                            break
                        left -= len(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error) as exc:
                raise PackageError(self.path, f"part {name} is corrupt ({exc})") from None
            if left <= 0:
                raise PackageError(self.path, f"part {name} is over the size limit (possible zip bomb)")
            self._verified.add(name)

    def has_part(self, name: str) -> bool:
        return any(i.filename == name for i in self.infos)

    def _xml(self, name: str):
        try:
            return etree.fromstring(self.part(name), _xml_parser())
        except etree.XMLSyntaxError as exc:
            raise PackageError(self.path, f"part {name} is not well-formed XML ({exc})") from None

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of ``part``: id → (type, target part name)."""
        p = PurePosixPath(part)
        rels_name = str(p.parent / "_rels" / (p.name + ".rels")) if part else "_rels/.rels"
        rels_name = rels_name.lstrip("/")
        if not self.has_part(rels_name):
            return {}
        out = {}
        for rel in self._xml(rels_name):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = os.path.normpath(str(PurePosixPath(part).parent / target)).replace("\\", "/")
                resolved = resolved.lstrip("./") if resolved.startswith("./") else resolved
            out[rel.get("Id")] = (rel.get("Type", ""), resolved)
        return out

    def _office_document(self) -> str:
        for typ, target in self._rels("").values():
            if typ == _REL_OFFICE_DOC or typ.endswith("/officeDocument"):
                return target
        if self.has_part("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise PackageError(self.path, "no workbook part (not a spreadsheet package)")

    def _read_workbook(self) -> None:
        root = self._xml(self.workbook_part)
        namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
        if local != "workbook" or namespace not in _WORKBOOK_NAMESPACES:
            raise PackageError(
                self.path,
                f"{self.workbook_part} is not a SpreadsheetML workbook part "
                f"(root <{local}> in namespace {namespace or 'none'!r}; a pre-release "
                "Excel 2007 file? save it again as .xlsx in Excel)",
            )
        ns_rel = _WORKBOOK_NAMESPACES[namespace]
        rels = self._rels(self.workbook_part)
        self._rel_map = rels
        sheet_names: list[str] = []
        self.all_sheets = sheet_names  # every sheet in workbook order, chart and macro sheets included
        for sheet in root.iter(f"{{{namespace}}}sheet"):
            name = sheet.get("name")
            rid = sheet.get(f"{{{ns_rel}}}id")
            sheet_names.append(name)
            typ, target = rels.get(rid, ("", ""))
            if typ == _REL_WORKSHEET or typ.endswith("/worksheet"):
                self.sheet_parts[name] = target
        for dn in root.iter(f"{{{namespace}}}definedName"):
            name, text = dn.get("name", ""), (dn.text or "")
            local = dn.get("localSheetId")
            if local is not None and local.isdigit() and int(local) < len(sheet_names):
                key = f"{sheet_names[int(local)]}!{name}".upper()
            else:
                key = name.upper()
            self.names[key] = text
        self.has_calc_pr = root.find(f"{{{namespace}}}calcPr") is not None
        pr = root.find(f"{{{namespace}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "").strip().lower() in ("1", "true")
        self.external_parts: list[str | None] = []  # [N] is the N-th externalReference
        for ext in root.iter(f"{{{namespace}}}externalReference"):
            typ, target = rels.get(ext.get(f"{{{ns_rel}}}id"), ("", ""))
            self.external_parts.append(target if typ.endswith("/externalLink") else None)
        self.shared_strings_part = next(
            (t for typ, t in rels.values() if typ == _REL_SHARED_STRINGS or typ.endswith("/sharedStrings")), None
        )

    # -- cells --
    def shared_strings(self) -> list[str]:
        """The shared-string table (rich runs joined, phonetic runs left out); ``<si>`` items, or
        ``<sstItem>`` as the Excel 2007 beta wrote them."""
        if self.shared_strings_part is None or not self.has_part(self.shared_strings_part):
            return []
        data = self.part(self.shared_strings_part)
        out = []
        for m in _SHARED_STRING.finditer(data):
            out.append(_inline_text(m.group(2) or b""))
        return out

    def read_sheet(self, name: str, strings: list[str]) -> tuple[SheetPart, SheetCells]:
        """Scan one worksheet: the spans for patching and the cells for evaluation."""
        part = self.sheet_parts[name]
        data = self.part(part)
        sp = SheetPart(name=name, part=part, data=data)
        sheet = SheetCells(name=name)
        m = _SHEETDATA_OPEN.search(data)
        if m is None:
            raise PackageError(self.path, f"worksheet {name!r} ({part}) has no <sheetData>")
        sp.sheetdata_open = (m.start(), m.end())
        if m.group(1):
            sp.sheetdata_close = None
            end = m.end()
        else:
            c = _SHEETDATA_CLOSE.search(data, m.end())
            if c is None:
                raise PackageError(self.path, f"worksheet {name!r} ({part}) is truncated (no </sheetData>)")
            sp.sheetdata_close = c.start()
            end = c.start()
        if not _tag_prefix(data[m.start() : m.end()]) and self._scan_plain(sp, sheet, data, m.end(), end, strings):
            sp.validations = _validations(name, data, end)
            return sp, sheet
        sheet.cells.clear()
        sp.formula_cells.clear()
        sp.plain_formulas.clear()
        sp.rows.clear()
        row_no = col_no = 0
        shared: dict[str, tuple[str, int, int]] = {}  # si → (master formula, row, col)
        current_row: RowSpan | None = None
        cells, spans, rows = sheet.cells, sp.formula_cells, sp.rows
        col_of = _COLUMN_CACHE
        for t in _ITEM.finditer(data, m.end(), end):
            prefix, letters, digits, cell_attrs, cell_self, body, row_tag, row_attrs = t.groups()
            if cell_attrs is not None:  # <c …>…</c> or <c …/>
                if letters is not None:
                    col_no = col_of.get(letters) or col_of.setdefault(letters, column_index(letters.decode()))
                    row_no = int(digits)
                else:
                    rm = _R_VAL.search(cell_attrs)
                    if rm is not None:
                        col_no, row_no = column_index(rm.group(1).decode()), int(rm.group(2))
                    else:
                        col_no += 1
                key = (row_no, col_no)
                if cell_self is not None:
                    cells[key] = Cell()
                    continue
                if body[:3] == b"<v>" and body[-4:] == b"</v>" and body.find(b"<", 3, -4) == -1:
                    v = body[3:-4]  # the common cases: a number, a shared string
                    try:
                        if b"t=" not in cell_attrs or b't="n"' in cell_attrs:
                            cells[key] = Cell(float(v) if v else None)
                            continue
                        if b't="s"' in cell_attrs:
                            cells[key] = Cell(strings[int(v)])
                            continue
                    except (ValueError, IndexError):
                        pass
                elif body[:3] == b"<f>":  # a plain formula: <f>…</f> and maybe <v>…</v>
                    fe = body.find(b"</f>")
                    rest = body[fe + 4 :] if fe > 0 else b"<"
                    if (
                        not rest
                        or rest == b"<v/>"
                        or (rest[:3] == b"<v>" and rest[-4:] == b"</v>" and rest.find(b"<", 3, -4) == -1)
                    ):
                        text = body[3:fe].decode("utf-8")
                        tm = _T_VAL.search(cell_attrs) if b"t=" in cell_attrs else None
                        raw_v = None if not rest else (rest[3:-4].decode("utf-8") if len(rest) > 4 else "")
                        value = self._value(name, key, tm.group(1) if tm else b"n", raw_v, strings)
                        cells[key] = Cell(value, _unescape(text) if "&" in text or "\r" in text else text)
                        spans[key] = t.span()
                        continue
                elif body[:7] == b"<is><t>" and body[-9:] == b"</t></is>" and body.find(b"<", 7, -9) == -1:
                    cells[key] = Cell(_ooxml_text(_unescape(body[7:-9].decode("utf-8"))))
                    continue
                cell = cells[key] = self._cell(name, key, cell_attrs, body, strings, shared)
                if cell.formula is not None or cell.array_ref is not None:
                    spans[key] = t.span()
            elif row_tag is not None:  # <row …> or <row …/>
                rm = _ROW_R.search(row_attrs)
                row_no = int(rm.group(1)) if rm else row_no + 1
                col_no = 0
                current_row = RowSpan(start=t.start(), tag_end=t.end(), close=None, prefix=prefix, attrs=row_attrs)
                rows[row_no] = current_row
            elif current_row is not None:  # </row>
                current_row.close = t.start()
        sp.validations = _validations(name, data, end)
        return sp, sheet

    def _scan_plain(
        self, sp: SheetPart, sheet: SheetCells, data: bytes, start: int, end: int, strings: list[str]
    ) -> bool:
        """The fast scanner for a sheet written without namespace prefixes and with ``r`` first on
        every ``<c>`` (Excel, LibreOffice and openpyxl write so): one regular expression that
        also tells the common cell shapes apart. False (nothing kept) when any ``<c>`` of the
        sheet did not match it; :meth:`read_sheet` then runs the general scanner. The cells go
        into ``sheet`` in the light form (:meth:`SheetCells.set_values`): values, and a
        :class:`Cell` for the formula and array cells only."""
        cells: dict[tuple[int, int], Any] = {}  # every cell's value
        formulas: dict[tuple[int, int], Cell] = {}
        spans, rows, plain = sp.formula_cells, sp.rows, sp.plain_formulas
        name = sheet.name
        col_of = _COLUMN_CACHE
        shared: dict[str, tuple[str, int, int]] = {}
        current_row: RowSpan | None = None
        row_no = 0
        matched = 0
        for t in _PLAIN_ITEM.finditer(data, start, end):
            run, letters, digits, attrs, num, ftext, fval, fempty, itext, body, row_attrs = t.groups()
            if run is not None:  # consecutive number cells: in bulk
                found = _NUM_CELLS.findall(run)
                ls, ds, vs = zip(*found)
                try:
                    values = list(map(float, vs))
                except ValueError:
                    return False  # the general scanner says which cell
                try:
                    cols = list(map(col_of.__getitem__, ls))
                except KeyError:
                    cols = [col_of.get(x) or col_of.setdefault(x, column_index(x.decode())) for x in ls]
                cells.update(zip(zip(map(int, ds), cols), values))
                matched += len(found)
                continue
            if letters is None:
                if row_attrs is not None:  # <row …> or <row …/>
                    rm = _ROW_R.search(row_attrs)
                    row_no = int(rm.group(1)) if rm else row_no + 1
                    current_row = RowSpan(start=t.start(), tag_end=t.end(), close=None, prefix=b"", attrs=row_attrs)
                    rows[row_no] = current_row
                elif current_row is not None:  # </row>
                    current_row.close = t.start()
                continue
            matched += 1
            key = (int(digits), col_of.get(letters) or col_of.setdefault(letters, column_index(letters.decode())))
            typed = b"t=" in attrs
            if num is not None:  # <v>…</v>
                if not typed or b't="n"' in attrs:
                    try:
                        cells[key] = float(num) if num else None
                        continue
                    except ValueError:
                        pass
                elif b't="s"' in attrs:
                    try:
                        cells[key] = strings[int(num)]
                        continue
                    except (ValueError, IndexError):
                        pass
                tm = _T_VAL.search(attrs)
                cells[key] = self._value(name, key, tm.group(1) if tm else b"n", num.decode("utf-8"), strings)
            elif ftext is not None:  # <f>…</f> and maybe <v>…</v> / <v/>
                if not typed and not fval:
                    value = None  # no cached value yet
                else:
                    tm = _T_VAL.search(attrs) if typed else None
                    raw_v = fval.decode("utf-8") if fval is not None else ("" if fempty is not None else None)
                    value = self._value(name, key, tm.group(1) if tm else b"n", raw_v, strings)
                text = ftext.decode("utf-8")
                cells[key] = value
                if text:
                    formulas[key] = Cell(value, _unescape(text) if "&" in text or "\r" in text else text)
                    spans[key] = t.span()
                    if not typed and attrs[-1:] not in _SPACES:
                        plain[key] = (t.start(), t.end(4), t.end(6) + 4, t.end())
            elif itext is not None and (not typed or b't="inlineStr"' in attrs):  # <is><t>…</t></is>
                cells[key] = _ooxml_text(_unescape(itext.decode("utf-8")))
            elif body is None and itext is None:  # <c …/>
                cells[key] = None
            else:
                if body is None:
                    body = b"<is><t>" + itext + b"</t></is>"
                cell = self._cell(name, key, attrs, body, strings, shared)
                cells[key] = cell.value
                if cell.formula is not None or cell.array_ref is not None:
                    formulas[key] = cell
                    spans[key] = t.span()
        if matched != len(_C_START.findall(data, start, end)):
            return False
        sheet.set_values(cells, formulas)
        return True

    def _value(self, sheet: str, key: tuple[int, int], t: bytes, raw_v: str | None, strings: list[str]) -> Any:
        """A cached value from its cell type ``t`` and the text of ``<v>`` (None when absent)."""
        try:
            if t == b"n":
                return float(raw_v) if raw_v else None
            if t == b"s":
                return strings[int(raw_v)] if raw_v else None
            if t == b"str":
                return _unescape(raw_v) if raw_v is not None else None
            if not raw_v:
                return None
            if t == b"b":
                return raw_v.strip() in ("1", "true")
            if t == b"e":
                code = _unescape(raw_v).strip()
                return CellError(code) if code in ERROR_CODES else CellError("#VALUE!")
            if t in (b"d", b"inlineStr"):
                return _unescape(raw_v)
            return float(raw_v)
        except (ValueError, IndexError):
            where = f"{sheet}!{column_letter(key[1])}{key[0]}"
            raise PackageError(self.path, f"{where}: unreadable cached value {raw_v!r} (type {t.decode()!r})") from None

    def _cell(
        self,
        sheet: str,
        key: tuple[int, int],
        raw_attrs: bytes,
        body: bytes,
        strings: list[str],
        shared: dict[str, tuple[str, int, int]],
    ) -> Cell:
        cell = Cell()
        tm = _T_VAL.search(raw_attrs)
        t = tm.group(1) if tm is not None else b"n"
        if body.startswith(b"<v>") and body.endswith(b"</v>") and body.find(b"<", 3, -4) == -1:
            raw_v: str | None = body[3:-4].decode("utf-8")  # the common case: a plain value
            has_f = False
        else:
            vm = _V.search(body)
            raw_v = None if vm is None else (vm.group(1) or b"").decode("utf-8")
            has_f = True
        if t == b"inlineStr":
            im = _IS.search(body)
            cell.value = _inline_text(im.group(1)) if im else (_unescape(raw_v) if raw_v is not None else "")
        else:
            cell.value = self._value(sheet, key, t, raw_v, strings)
        if not has_f:
            return cell
        fm = _F.search(body)
        if fm is not None:
            fa = _attrs(fm.group(1))
            text = _unescape(fm.group(2).decode("utf-8")) if fm.group(2) is not None else ""
            ftype = fa.get("t", "normal")
            if ftype == "shared":
                si = fa.get("si", "")
                if text:
                    shared[si] = (text, key[0], key[1])
                elif si in shared:
                    master, r0, c0 = shared[si]
                    text = translate_formula(master, key[0] - r0, key[1] - c0)
            elif ftype == "array":
                cell.array_ref = fa.get("ref") or f"{column_letter(key[1])}{key[0]}"
                cell.dynamic = _CM.search(raw_attrs) is not None
            elif ftype == "dataTable":
                return cell  # a what-if data table: Excel's own machinery, leave as a value
            if text:
                cell.formula = text
        return cell

    def read_cells(self) -> tuple[WorkbookCells, dict[str, SheetPart]]:
        """All worksheets as :class:`WorkbookCells` plus the byte spans for :func:`patched_package`."""
        strings = self.shared_strings()
        book = WorkbookCells(names=dict(self.names), date1904=self.date1904, sheet_names=list(self.all_sheets))
        self._read_external_links(book)
        self._read_tables(book)
        parts: dict[str, SheetPart] = {}
        for name in self.sheet_parts:
            sp, sheet = self.read_sheet(name, strings)
            sheet.hidden_rows = frozenset(r for r, span in sp.rows.items() if _ROW_HIDDEN.search(span.attrs))
            book.sheets[name] = sheet
            parts[name] = sp
        return book, parts

    def _read_external_links(self, book: WorkbookCells) -> None:
        """The values Excel cached of linked workbooks (:mod:`.external`) into ``book``; an
        unreadable link part is left out (the cells that use it stay unsupported)."""
        from gtm_xl.excel.ooxml.external import read_external_link

        for i, part in enumerate(getattr(self, "external_parts", []), start=1):
            if part is None or not self.has_part(part):
                continue
            try:
                linked = read_external_link(self._xml(part), i)
            except (PackageError, ValueError):
                continue
            if linked is not None:
                book.externals.update(linked.sheets)
                for key, text in linked.names.items():
                    book.names.setdefault(key, text)

    def _read_tables(self, book: WorkbookCells) -> None:
        """The tables of every worksheet (:mod:`.tables`), for structured references; an unreadable
        table part is left out (the cells that name it stay unsupported)."""
        from gtm_xl.excel.ooxml.tables import read_table

        for sheet, part in self.sheet_parts.items():
            for typ, target in self._rels(part).values():
                if not typ.endswith("/table") or not self.has_part(target):
                    continue
                try:
                    table = read_table(self._xml(target), sheet)
                except (PackageError, ValueError):
                    continue
                if table is not None:
                    book.tables[table.name.upper()] = table

    # -- writing --
    def save(self, target: str | os.PathLike, new_parts: Mapping[str, bytes]) -> None:
        """Write the package to ``target`` atomically: parts in ``new_parts`` replaced, the rest raw.

        Unchanged members are copied with their compressed bytes (same compression, same CRC);
        the new file is written to a temporary file beside ``target`` and renamed over it, so a
        crash at any point leaves the old file or the new one.
        """
        self.verify(info.filename for info in self.infos if info.filename not in new_parts)
        with atomic_writer(target) as fh, zipfile.ZipFile(fh, "w") as out:
            for info in self.infos:
                if info.filename in new_parts:
                    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = info.external_attr
                    zi.create_system = info.create_system
                    out.writestr(zi, new_parts[info.filename])
                else:
                    _copy_raw(self._file, out, info)


def _declares_dtd(data: bytes) -> bool:
    """True when the prolog (everything before the root element) holds a ``<!DOCTYPE``, however
    long the comments and processing instructions before it; the scan stops at the root element."""
    pos, n = 0, len(data)
    while pos < n:
        i = data.find(b"<", pos)
        if i < 0:
            return False
        if data.startswith(b"<?", i):
            j = data.find(b"?>", i + 2)
            if j < 0:
                return False
            pos = j + 2
        elif data.startswith(b"<!--", i):
            j = data.find(b"-->", i + 4)
            if j < 0:
                return False
            pos = j + 3
        else:
            return data.startswith(b"<!", i)  # <!DOCTYPE (or any other declaration) — else the root
    return False


# A zip member's local header (PKWARE APPNOTE 4.3.7): signature, versions, flags, method, time, date, CRC,
# sizes, then the lengths of the file name and the extra field that come before the data.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"


def _read_raw(src: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """One member's compressed bytes, read from the package file itself (``src``, positioned anywhere)."""
    src.seek(info.header_offset)
    header = src.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    fields = _LOCAL_HEADER.unpack(header)
    src.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])
    raw = src.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"member {info.filename} is truncated")
    return raw


def _copy_raw(src: BinaryIO, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member's compressed bytes unchanged (no inflate/deflate round trip)."""
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    for attr in (
        "compress_type",
        "comment",
        "extra",
        "create_system",
        "create_version",
        "extract_version",
        "flag_bits",
        "volume",
        "internal_attr",
        "external_attr",
        "CRC",
        "compress_size",
        "file_size",
    ):
        setattr(zi, attr, getattr(info, attr))
    zi.flag_bits &= ~0x08  # sizes go in the local header, no data descriptor
    _append_compressed(out, zi, _read_raw(src, info))


def _append_compressed(out: zipfile.ZipFile, zi: zipfile.ZipInfo, raw: bytes) -> None:
    """Add a member whose data is already compressed (``zi`` carries its CRC and sizes).

    ``zipfile`` has no public call for this: ``writestr`` and ``open(mode="w")`` always compress what they
    are given. This function is the one place that goes under the public API; it does what ``writestr``
    does after compressing, through ``ZipFile``'s undocumented (not underscore-private) ``fp``, ``filelist``,
    ``NameToInfo``, ``start_dir`` and ``ZipInfo.FileHeader``, unchanged from Python 3.10 to 3.13. A
    ``ZipFile`` opened with mode ``"w"`` already writes its central directory on close.
    """
    if zi.filename in out.NameToInfo:
        raise ValueError(f"duplicate zip member {zi.filename}")
    zi.header_offset = out.fp.tell()  # type: ignore[union-attr]
    out.fp.write(zi.FileHeader(zip64=None))  # type: ignore[union-attr]
    out.fp.write(raw)  # type: ignore[union-attr]
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out.start_dir = out.fp.tell()  # type: ignore[union-attr]


def _inline_text(body: bytes) -> str:
    """The text of an ``<si>``/``<is>`` body: its ``<t>`` runs joined, phonetic runs skipped."""
    body = _RPH.sub(b"", body)
    return _ooxml_text("".join(_unescape((m.group(1) or b"").decode("utf-8")) for m in _T_TEXT.finditer(body)))


_DV = re.compile(rb"<" + _P + rb"dataValidation\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"dataValidation\s*>)", re.S)
_DV_F = re.compile(rb"<" + _P + rb"formula([12])\b[^>]*>(.*?)</" + _P + rb"formula[12]\s*>", re.S)


_XM_F = re.compile(rb"<" + _P + rb"f\b[^>]*>(.*?)</" + _P + rb"f\s*>", re.S)
_XM_SQREF = re.compile(rb"<" + _P + rb"sqref\b[^>]*>(.*?)</" + _P + rb"sqref\s*>", re.S)


def _validations(sheet: str, data: bytes, after: int) -> list[DataValidation]:
    out = []
    for m in _DV.finditer(data, after):
        a = _attrs(m.group(1))
        body = m.group(2) or b""
        f = {fm.group(1): _unescape(_XM_F.sub(rb"\1", fm.group(2)).decode("utf-8")) for fm in _DV_F.finditer(body)}
        sqref = a.get("sqref") or ""
        if not sqref:  # x14 rules (extLst) keep the range in <xm:sqref>
            sm = _XM_SQREF.search(body)
            sqref = _unescape(sm.group(1).decode("utf-8")) if sm else ""
        out.append(
            DataValidation(
                sheet=sheet,
                sqref=sqref,
                type=a.get("type", "none"),
                operator=a.get("operator", "between"),
                formula1=f.get(b"1"),
                formula2=f.get(b"2"),
                allow_blank=a.get("allowBlank") in ("1", "true"),
                error=a.get("error"),
            )
        )
    return out


# --- patching the sheet bytes -------------------------------------------------------------------
def _value_xml(value: Any, prefix: bytes, formula_cell: bool) -> tuple[str | None, bytes]:
    """(cell t attribute or None, the value element bytes) for a new cached value."""
    p = prefix.decode()
    if value is None:
        return None, b""
    if isinstance(value, bool):
        return "b", f"<{p}v>{1 if value else 0}</{p}v>".encode()
    if isinstance(value, CellError):
        return "e", f"<{p}v>{_escape(value.code)}</{p}v>".encode()
    if isinstance(value, (int, float)):
        x = float(value)
        if math.isnan(x) or math.isinf(x):
            return "e", f"<{p}v>#NUM!</{p}v>".encode()
        return None, f"<{p}v>{format_number(x)}</{p}v>".encode()
    text = _escape(str(value))
    if formula_cell:
        return "str", f"<{p}v>{text}</{p}v>".encode()
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return "inlineStr", f"<{p}is><{p}t{space}>{text}</{p}t></{p}is>".encode()


_T_ATTR = re.compile(rb'\s+t\s*=\s*(?:"[^"]*"|\'[^\']*\')')
_REF_ATTR = re.compile(rb'(\sref\s*=\s*)(?:"[^"]*"|\'[^\']*\')')


def _cell_bytes(span: CellSpan | None, ref: str, value: Any, prefix: bytes, new_ref: str | None = None) -> bytes:
    """The new ``<c>`` element for a cell given its old span (or None for a new spill cell)."""
    p = prefix.decode()
    formula = b""
    attrs = f' r="{ref}"'.encode()
    old_t = None
    if span is not None:
        attrs = span.attrs
        old_t = _T_ATTR.search(attrs)
        if span.body is not None:
            fm = _F.search(span.body)
            if fm is not None:
                formula = fm.group(0)
                if new_ref is not None:
                    fattrs = fm.group(1)
                    if _REF_ATTR.search(fattrs):
                        new_fattrs = _REF_ATTR.sub(lambda m: m.group(1) + f'"{new_ref}"'.encode(), fattrs, count=1)
                        formula = formula.replace(fattrs, new_fattrs, 1)
    t, v = _value_xml(value, prefix, bool(formula))
    if old_t is not None:  # keep the attribute where it was, or drop it
        attrs = attrs[: old_t.start()] + (f' t="{t}"'.encode() if t else b"") + attrs[old_t.end() :]
    elif t is not None:
        attrs = attrs.rstrip() + f' t="{t}"'.encode()
    if not formula and not v:
        return b"<" + prefix + b"c" + attrs.rstrip() + b"/>"
    return b"<" + prefix + b"c" + attrs + b">" + formula + v + f"</{p}c>".encode()


def _plain_formula_cell(el: bytes, value: Any) -> bytes | None:
    """The fast path of :func:`patch_sheet`: the new bytes of ``<c …><f>…</f>[<v>…</v>|<v/>]</c>``
    (no prefix, nothing else inside) with ``value``; None for any other shape."""
    if el[:3] != b"<c " or el[-4:] != b"</c>":
        return None
    gt = el.find(b">")
    if el[gt - 1 : gt] == b"/" or el[gt + 1 : gt + 4] != b"<f>":
        return None
    fe = el.find(b"</f>", gt)
    if fe < 0 or el.find(b"<", gt + 4, fe) != -1:
        return None
    rest = el[fe + 4 : -4]
    if rest and rest != b"<v/>" and not (rest[:3] == b"<v>" and rest[-4:] == b"</v>" and rest.find(b"<", 3, -4) == -1):
        return None
    attrs = el[2:gt]
    if type(value) is float and math.isfinite(value):
        t, v = None, b"<v>" + format_number(value).encode() + b"</v>"
    else:
        t, v = _value_xml(value, b"", True)
    if b"t=" in attrs:
        old_t = _T_ATTR.search(attrs)
        if old_t is not None:
            attrs = attrs[: old_t.start()] + (f' t="{t}"'.encode() if t else b"") + attrs[old_t.end() :]
        elif t is not None:
            attrs = attrs.rstrip() + f' t="{t}"'.encode()
    elif t is not None:
        attrs = attrs.rstrip() + f' t="{t}"'.encode()
    return b"<c" + attrs + b">" + el[gt + 1 : fe + 4] + v + b"</c>"


def patch_sheet(
    sp: SheetPart, values: Mapping[tuple[int, int], Any], spill_refs: Mapping[tuple[int, int], str] | None = None
) -> bytes:
    """The sheet part's bytes with the given cells' cached values replaced.

    ``values`` maps (row, col) → new value; a cell that has no ``<c>`` yet (a spill cell) is
    inserted in its row in column order, and a missing row is inserted in row order. Every byte
    outside the changed cells stays as it was. ``spill_refs`` gives a dynamic-array anchor's new
    ``ref``.
    """
    spill_refs = spill_refs or {}
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement)
    inserts_by_row: dict[int, list[tuple[int, bytes]]] = {}
    prefix_default = _tag_prefix(sp.data[sp.sheetdata_open[0] : sp.sheetdata_open[1]])
    data, formula_cells, plain = sp.data, sp.formula_cells, sp.plain_formulas
    for (row, col), value in values.items():
        fast = plain.get((row, col))
        if fast is not None and (row, col) not in spill_refs:
            start, attrs_end, f_end, end = fast
            if type(value) is float and math.isfinite(value):
                edits.append((start, end, data[start:f_end] + b"<v>" + format_number(value).encode() + b"</v></c>"))
                continue
            t, v = _value_xml(value, b"", True)
            new = data[start:attrs_end] + (f' t="{t}"'.encode() if t else b"") + data[attrs_end:f_end] + v + b"</c>"
            edits.append((start, end, new))
            continue
        where = formula_cells.get((row, col))
        if where is not None and (row, col) not in spill_refs:
            replaced = _plain_formula_cell(data[where[0] : where[1]], value)
            if replaced is not None:
                edits.append((where[0], where[1], replaced))
                continue
        ref = f"{column_letter(col)}{row}"
        span = sp.span((row, col))
        if span is not None:
            new = _cell_bytes(span, ref, value, span.prefix, spill_refs.get((row, col)))
            edits.append((span.start, span.end, new))
        elif value is not None:
            inserts_by_row.setdefault(row, []).append((col, _cell_bytes(None, ref, value, prefix_default)))
    # insertions into existing rows or as new rows
    row_numbers = sorted(sp.rows)
    for row, items in inserts_by_row.items():
        items.sort()
        rs = sp.rows.get(row)
        if rs is not None:
            existing = sorted((c, span[0]) for c, span in sp.row_cells(row))
            for col, new in items:
                after = next((start for c, start in existing if c > col), None)
                if after is not None:
                    edits.append((after, after, new))
                elif rs.close is not None:
                    edits.append((rs.close, rs.close, new))
                else:  # <row …/> → <row …>cells</row>
                    tag = b"<" + rs.prefix + b"row" + rs.attrs.rstrip() + b">"
                    edits.append(
                        (rs.start, rs.tag_end, tag + b"".join(n for _, n in items) + b"</" + rs.prefix + b"row>")
                    )
                    break
        else:
            p = prefix_default
            new_row = (
                b"<" + p + b"row" + f' r="{row}"'.encode() + b">" + b"".join(n for _, n in items) + b"</" + p + b"row>"
            )
            nxt = next((sp.rows[r] for r in row_numbers if r > row), None)
            if nxt is not None:
                edits.append((nxt.start, nxt.start, new_row))
            elif sp.sheetdata_close is not None:
                edits.append((sp.sheetdata_close, sp.sheetdata_close, new_row))
            else:  # <sheetData/>
                s, e = sp.sheetdata_open
                tag = sp.data[s : e - 2].rstrip() + b">"
                close = b"</" + _tag_prefix(sp.data[s:e]) + b"sheetData>"
                edits.append((s, e, tag + new_row + close))
    return _apply(sp.data, edits)


def _tag_prefix(tag: bytes) -> bytes:
    m = re.match(rb"<([A-Za-z_][\w.-]*:)?", tag)
    return m.group(1) or b"" if m else b""


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    if not edits:
        return data
    edits.sort(key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for start, end, new in edits:
        out.append(data[pos:start])
        out.append(new)
        pos = max(pos, end)
    out.append(data[pos:])
    return b"".join(out)


def cell_refs(sqref: str) -> Iterable[tuple[int, int]]:
    """Every (row, col) of a space-separated ``sqref`` (bounded to 1,000,000 cells per range)."""
    for part in sqref.split():
        r1, c1, r2, c2 = parse_range(part)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 1_000_000:
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                yield r, c
