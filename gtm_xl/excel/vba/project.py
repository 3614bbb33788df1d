"""Write a VBA project (``vbaProject.bin``) from module source text, as MS-OVBA describes it.

A project written by a tool carries no compiled code: every module stream holds only its
compressed source (MODULEOFFSET 0), the ``_VBA_PROJECT`` stream is the 7-byte header with
version 0xFFFF and no performance cache, so the host (Excel) compiles the source when it opens
the file (MS-OVBA 1.6, 2.3.4.1, 3.1.1). The streams written::

    PROJECT          text: ID, one Document=/Module=/Class= line per module, Name, CMG/DPB/GC
    PROJECTwm        module names, MBCS and UTF-16
    VBA/_VBA_PROJECT CC 61 FF FF 00 01 00
    VBA/dir          compressed records: project information, references, modules
    VBA/<module>     compressed source of each module

Pieces, each following its MS-OVBA section: :func:`compress`/:func:`decompress` (2.4.1),
:func:`encrypt`/:func:`decrypt` (2.4.3, the CMG/DPB/GC obfuscation), the dir stream (2.3.4.2),
the PROJECT stream (2.3.1). The compound-file container is :mod:`gtm_xl.excel.vba.compoundfile`.
Everything is deterministic: the project ID, the encryption seeds and the timestamps are fixed.

This module knows nothing of GTM or xlwings: it turns :class:`Module` objects into bytes.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gtm_xl.excel.vba.compoundfile import write_compound_file

__all__ = [
    "Module",
    "Reference",
    "VBAProjectError",
    "STDOLE",
    "OFFICE",
    "compress",
    "decompress",
    "encrypt",
    "decrypt",
    "class_module_source",
    "document_module_source",
    "build_vba_project",
    "project_stream",
    "dir_stream",
]

CHUNK = 4096
VBA_PROJECT_HEADER = bytes.fromhex("CC61FFFF000100")  # Reserved1, Version 0xFFFF, Reserved2, Reserved3
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"  # VB_Base of every class module
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"  # Excel's Workbook document module
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"  # Excel's Worksheet document module


class VBAProjectError(ValueError):
    """Bad module source or project settings; the message names the module."""


# --- compression (MS-OVBA 2.4.1) --------------------------------------------------------------
def _copy_token_split(position: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) at ``position`` bytes into the chunk (2.4.1.3.19.1)."""
    bit_count = max((position - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    pos, end = 0, len(chunk)
    while pos < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            length, offset = 0, 0
            if pos > 0:
                bit_count, max_len = _copy_token_split(pos)
                limit = min(max_len, end - pos)
                # Longest match (nearest on ties) that starts before pos; it may overlap pos.
                lo, hi = 2, limit + 1  # a match of length lo exists, of length hi does not
                if limit >= 3 and chunk.rfind(chunk[pos : pos + 3], 0, pos + 2) >= 0:
                    lo = 3
                    while lo < hi - 1:
                        mid = (lo + hi) // 2
                        if chunk.rfind(chunk[pos : pos + mid], 0, pos + mid - 1) >= 0:
                            lo = mid
                        else:
                            hi = mid
                    length = lo
                    offset = pos - chunk.rfind(chunk[pos : pos + length], 0, pos + length - 1)
            if length >= 3:
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                pos += length
            else:
                out.append(chunk[pos])
                pos += 1
        out[flag_index] = flags
    if len(out) > CHUNK:  # incompressible: a raw chunk of exactly 4096 bytes (2.4.1.3.10)
        return struct.pack("<H", 0x3000 | (CHUNK - 1)) + chunk.ljust(CHUNK, b"\x00")
    return struct.pack("<H", 0xB000 | (len(out) + 2 - 3)) + bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte 0x01, then one compressed chunk per 4096 bytes.

    Copy tokens take the longest earlier match within the chunk (nearest on ties); a chunk
    that would not shrink below 4096 bytes is stored raw, as the algorithm prescribes.
    """
    return b"\x01" + b"".join(_compress_chunk(data[i : i + CHUNK]) for i in range(0, len(data), CHUNK))


def decompress(container: bytes) -> bytes:
    """Inverse of :func:`compress` for any valid CompressedContainer (2.4.1.3.1)."""
    if not container or container[0] != 0x01:
        raise VBAProjectError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    i = 1
    while i < len(container):
        if i + 2 > len(container):
            raise VBAProjectError("truncated chunk header")
        header = struct.unpack_from("<H", container, i)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise VBAProjectError(f"bad chunk signature at byte {i}")
        chunk_end = min(i + size, len(container))
        i += 2
        start = len(out)
        if not header & 0x8000:
            out += container[i : i + CHUNK]
            i += CHUNK
            continue
        while i < chunk_end:
            flags = container[i]
            i += 1
            for bit in range(8):
                if i >= chunk_end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", container, i)[0]
                    i += 2
                    bit_count, _ = _copy_token_split(len(out) - start)
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    if offset > len(out) - start:
                        raise VBAProjectError(f"copy token reaches before its chunk at byte {i}")
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(container[i])
                    i += 1
    return bytes(out)


# --- data encryption of CMG / DPB / GC (MS-OVBA 2.4.3) -----------------------------------------
def _project_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """The hex text of an Encrypted Data Structure (2.4.3.1) for ``data``.

    ``seed`` (0–255) would be random in Office; it is a parameter here so the output is
    deterministic. The ignored bytes are zeros before obfuscation.
    """
    version = 2
    key = _project_key(project_id)
    out = bytearray([seed & 0xFF, (seed ^ version) & 0xFF, (seed ^ key) & 0xFF])
    unencrypted1, encrypted1, encrypted2 = key, out[2], out[1]

    def put(byte: int) -> None:
        nonlocal unencrypted1, encrypted1, encrypted2
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte

    for _ in range((seed & 6) // 2):
        put(0)
    for byte in struct.pack("<I", len(data)) + bytes(data):
        put(byte)
    return out.hex().upper()


def decrypt(project_id: str, text: str) -> bytes:
    """The data inside an Encrypted Data Structure; checks the version and the project key."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise VBAProjectError(f"encrypted data version is {seed ^ version_enc}, not 2")
    key = seed ^ key_enc
    if key != _project_key(project_id):
        raise VBAProjectError("encrypted data belongs to another project ID")
    unencrypted1, encrypted1, encrypted2 = key, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise VBAProjectError(f"encrypted data holds {len(data)} bytes, its length says {length}")
    return data


# --- module sources ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Module:
    """One VBA module: ``kind`` is "standard" (.bas), "class" (.cls) or "document" (ThisWorkbook,
    a worksheet). ``source`` is the text as the VBA editor stores it, starting with
    ``Attribute VB_Name = "<name>"``; line ends are written as CRLF whatever they are here."""

    name: str
    source: str
    kind: str = "standard"

    def __post_init__(self) -> None:
        if self.kind not in ("standard", "class", "document"):
            raise VBAProjectError(f"module {self.name}: kind must be standard, class or document")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", self.name):
            raise VBAProjectError(f"module {self.name!r}: not a VBA identifier of at most 31 characters")
        first = self.source.lstrip("\ufeff").split("\n", 1)[0].strip()
        if first != f'Attribute VB_Name = "{self.name}"':
            raise VBAProjectError(f'module {self.name}: source must start with Attribute VB_Name = "{self.name}"')

    @property
    def stored_text(self) -> str:
        """The source with CRLF line ends, as the module stream holds it."""
        return crlf(self.source.lstrip("\ufeff"))


def crlf(text: str) -> str:
    """Line ends normalised to CRLF (VBA's)."""
    return re.sub(r"\r?\n", "\r\n", text.replace("\r\n", "\n").replace("\r", "\n"))


_CLASS_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\r?\nBEGIN\r?\n(?:.*\r?\n)*?END\r?\n", re.M)


def class_module_source(exported: str) -> str:
    """A class module as stored, from the text the VBA editor exports (a ``.cls`` file).

    The export's ``VERSION 1.0 CLASS`` / ``BEGIN … END`` header is dropped, and the attributes
    the editor keeps for every class (``VB_Base``, ``VB_TemplateDerived``, ``VB_Customizable``)
    are added where missing, in the editor's order; the rest of the file is kept as it is.
    """
    text = crlf(exported.lstrip("\ufeff"))
    match = _CLASS_HEADER.match(text)
    if match is None:
        raise VBAProjectError("a class module export starts with VERSION 1.0 CLASS / BEGIN … END")
    body = text[match.end() :]
    lines = body.split("\r\n")
    attrs = []
    while lines and lines[0].startswith("Attribute VB_"):
        attrs.append(lines.pop(0))
    found = {a.split("=", 1)[0].strip(): a for a in attrs}
    name_attr = found.get("Attribute VB_Name")
    if name_attr is None:
        raise VBAProjectError("a class module export needs Attribute VB_Name")
    order = [
        ("Attribute VB_Name", name_attr),
        ("Attribute VB_Base", f'Attribute VB_Base = "{CLASS_BASE}"'),
        ("Attribute VB_GlobalNameSpace", "Attribute VB_GlobalNameSpace = False"),
        ("Attribute VB_Creatable", "Attribute VB_Creatable = False"),
        ("Attribute VB_PredeclaredId", "Attribute VB_PredeclaredId = False"),
        ("Attribute VB_Exposed", "Attribute VB_Exposed = False"),
        ("Attribute VB_TemplateDerived", "Attribute VB_TemplateDerived = False"),
        ("Attribute VB_Customizable", "Attribute VB_Customizable = False"),
    ]
    head = [found.pop(key, default) for key, default in order]
    head += list(found.values())  # any further attribute (VB_Description) keeps its place after
    return "\r\n".join(head + lines)


def document_module_source(name: str, base: str, code: str = "") -> str:
    """A document module (``ThisWorkbook``, a sheet) as the editor stores it, with ``code`` after."""
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return "\r\n".join(lines) + "\r\n" + crlf(code)


# --- references -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """A registered type-library reference (REFERENCEREGISTERED): name and libid string."""

    name: str
    libid: str


STDOLE = Reference(
    "stdole",
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
    r"C:\Windows\System32\stdole2.tlb#OLE Automation",
)
# The Office object library (IRibbonControl lives here), as Excel 2016+ records it.
OFFICE = Reference(
    "Office",
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
    r"C:\Program Files (x86)\Common Files\Microsoft Shared\OFFICE16\MSO.DLL#"
    r"Microsoft Office 16.0 Object Library",
)


# --- dir stream (MS-OVBA 2.3.4.2) ---------------------------------------------------------------
def _rec(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_rec(record_id: int, text: str, codepage: str, unicode_id: int | None) -> bytes:
    out = _rec(record_id, text.encode(codepage))
    if unicode_id is not None:
        out += _rec(unicode_id, text.encode("utf-16-le"))
    return out


def dir_stream(
    project_name: str,
    modules: Sequence[Module],
    references: Sequence[Reference],
    codepage: int = 1252,
    lcid: int = 0x0409,
) -> bytes:
    """The uncompressed dir stream: PROJECTINFORMATION, PROJECTREFERENCES, PROJECTMODULES."""
    cp = f"cp{codepage}"
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 1))  # PROJECTSYSKIND: 32-bit Windows
    out += _rec(0x0002, struct.pack("<I", lcid))  # PROJECTLCID
    out += _rec(0x0014, struct.pack("<I", lcid))  # PROJECTLCIDINVOKE
    out += _rec(0x0003, struct.pack("<H", codepage))  # PROJECTCODEPAGE
    out += _rec(0x0004, project_name.encode(cp))  # PROJECTNAME
    out += _text_rec(0x0005, "", cp, 0x0040)  # PROJECTDOCSTRING
    out += _text_rec(0x0006, "", cp, 0x003D)  # PROJECTHELPFILEPATH (twice)
    out += _rec(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _rec(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 0x61EEF783, 3)  # PROJECTVERSION (Reserved=4, major, minor)
    out += _text_rec(0x000C, "", cp, 0x003C)  # PROJECTCONSTANTS
    for ref in references:
        out += _text_rec(0x0016, ref.name, cp, 0x003E)  # REFERENCENAME
        libid = ref.libid.encode(cp)
        out += _rec(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    out += _rec(0x000F, struct.pack("<H", len(modules)))  # PROJECTMODULES
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_rec(0x0019, module.name, cp, None)  # MODULENAME
        out += _rec(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_rec(0x001A, module.name, cp, 0x0032)  # MODULESTREAMNAME
        out += _text_rec(0x001C, "", cp, 0x0048)  # MODULEDOCSTRING
        out += _rec(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source starts the stream
        out += _rec(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += struct.pack("<HI", 0x0021 if module.kind == "standard" else 0x0022, 0)  # MODULETYPE
        out += struct.pack("<HI", 0x002B, 0)  # module terminator
    out += struct.pack("<HI", 0x0010, 0)  # dir terminator
    return bytes(out)


# --- PROJECT and PROJECTwm streams (MS-OVBA 2.3.1, 2.3.3) -------------------------------------
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


def project_stream(project_name: str, project_id: str, modules: Sequence[Module], codepage: int = 1252) -> bytes:
    """The PROJECT stream text: an unprotected, visible project without a password."""
    lines = [f'ID="{project_id}"']
    for module in modules:
        key = {"document": "Document", "standard": "Module", "class": "Class"}[module.kind]
        lines.append(f"{key}={module.name}/&H00000000" if key == "Document" else f"{key}={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project_id, bytes(4), 0x4D)}"',  # protection state: none
        f'DPB="{encrypt(project_id, bytes(1), 0x51)}"',  # password: none
        f'GC="{encrypt(project_id, bytes([0xFF]), 0x55)}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return ("\r\n".join(lines) + "\r\n").encode(f"cp{codepage}")


def projectwm_stream(modules: Iterable[Module], codepage: int = 1252) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode(f"cp{codepage}") + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


# --- the whole project ------------------------------------------------------------------------
def build_vba_project(
    project_name: str,
    modules: Sequence[Module],
    *,
    project_id: str,
    references: Sequence[Reference] = (STDOLE, OFFICE),
    codepage: int = 1252,
    lcid: int = 0x0409,
) -> bytes:
    """``vbaProject.bin`` for ``modules``: source only, compiled by the host on first load.

    ``project_id`` is the project's CLSID string (``{XXXXXXXX-…}``); module names must be
    unique (case-insensitive) and every source encodable in ``codepage``.
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,127}", project_name):
        raise VBAProjectError(f"project name {project_name!r} is not a VBA identifier")
    if not re.fullmatch(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", project_id):
        raise VBAProjectError(f"project ID {project_id!r} is not an upper-case {{GUID}}")
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise VBAProjectError("two modules with the same name (VBA names are case-insensitive)")
    cp = f"cp{codepage}"
    streams: dict[str, bytes] = {}
    for module in modules:
        try:
            source = module.stored_text.encode(cp)
        except UnicodeEncodeError as exc:
            raise VBAProjectError(
                f"module {module.name}: character {exc.object[exc.start]!r} is not in code page {codepage}"
            ) from exc
        streams[f"VBA/{module.name}"] = compress(source)
    streams["VBA/_VBA_PROJECT"] = VBA_PROJECT_HEADER
    streams["VBA/dir"] = compress(dir_stream(project_name, modules, references, codepage, lcid))
    streams["PROJECT"] = project_stream(project_name, project_id, modules, codepage)
    streams["PROJECTwm"] = projectwm_stream(modules, codepage)
    return write_compound_file(streams)
