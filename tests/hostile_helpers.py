"""Hostile inputs for the hardening tests, made on the fly and small on disk, and a way to run the
command line under a memory limit (so a regression fails the test, never the machine)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from project_paths import ROOT

#: address space of a CLI run in these tests: the program (~150 MiB) plus room for one file
CLI_MEMORY_LIMIT = 1536 << 20


def _limit_memory() -> None:  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CLI_MEMORY_LIMIT, CLI_MEMORY_LIMIT))


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``gtm-xl ARGS`` in a subprocess capped at :data:`CLI_MEMORY_LIMIT` bytes of address space
    and ``timeout`` seconds (a hang fails the test); output as text."""
    code = "import sys; from gtm_xl.adapters.cli import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def minimal_xlsx(path: Path, sheet_data: str, extra: dict[str, bytes] | None = None) -> Path:
    """A one-sheet workbook whose ``<sheetData>`` is ``sheet_data`` verbatim (cells typed by hand:
    error values Excel 2010 never wrote, inline strings with ``_xHHHH_`` escapes…); ``extra``
    adds members (a bomb part, say)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def zip_bomb_xlsx(path: Path, megabytes: int = 8) -> Path:
    """A valid-looking workbook with one part of ``megabytes`` MiB of zeros (deflated to a few KB:
    a ratio of about 1000:1, what a 4 GB bomb has too), ~10 KB on disk."""
    return minimal_xlsx(path, "", {"xl/media/bomb.bin": bytes(megabytes << 20)})


def corrupt_member(path: Path, member: str, how: str = "crc") -> None:
    """Damage one member in place: ``crc`` changes the CRC-32 recorded for it (the bytes still
    inflate), ``data`` flips a byte of its compressed data (the recorded CRC stays)."""
    import struct

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    local = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[local + 26 : local + 30])
    if how == "crc":
        bad = struct.pack("<I", (info.CRC ^ 0xDEADBEEF) & 0xFFFFFFFF)
        data[local + 14 : local + 18] = bad
        pos = 0
        while True:  # the central directory entry of this member
            central = data.find(b"PK\x01\x02", pos)
            if central < 0:
                break
            n = struct.unpack("<H", data[central + 28 : central + 30])[0]
            if data[central + 46 : central + 46 + n].decode() == member:
                data[central + 16 : central + 20] = bad
                break
            pos = central + 4
    else:
        start = local + 30 + name_len + extra_len
        data[start + info.compress_size // 2] ^= 0x55
    path.write_bytes(bytes(data))
