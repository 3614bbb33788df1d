"""The VBA-project writer (MS-OVBA) and its compound-file container (MS-CFB), checked against
independent readers: oletools' decompressor and dir-stream parser, olefile, and the VBA project
xlwings ships in its ribbon add-in template (written by Office tooling)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools import olevba

from gtm_xl.excel.vba.compoundfile import CompoundFileError, write_compound_file
from gtm_xl.excel.vba.project import (
    WORKBOOK_BASE,
    Module,
    VBAProjectError,
    build_vba_project,
    class_module_source,
    compress,
    decompress,
    decrypt,
    document_module_source,
    encrypt,
)

PROJECT_ID = "{9E394C0B-697E-4AEE-9FA6-446F51FB30DC}"


@pytest.fixture(scope="module")
def xlwings_template_vba(tmp_path_factory) -> olefile.OleFileIO:
    """The vbaProject.bin of xlwings' quickstart_addin_ribbon.xlam (saved by Office tooling)."""
    import xlwings

    xlam = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    with zipfile.ZipFile(xlam) as z:
        return olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))


def template_offsets(ole) -> dict[str, int]:
    """Stream → where its compressed source starts (Office keeps a compiled cache before it)."""
    project = olevba.VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=True)
    list(project.parse_modules())
    return {"VBA/dir": 0, **{f"VBA/{m.streamname}": m.textoffset for m in project.modules}}


def template_source(ole, module: str) -> str:
    raw = ole.openstream(f"VBA/{module}").read()[template_offsets(ole)[f"VBA/{module}"] :]
    return olevba.decompress_stream(bytearray(raw)).decode("cp1252")


# --- compression --------------------------------------------------------------------------------
text_like = st.text(alphabet=st.sampled_from(list("ab cde\r\n'\"()=_Sub End If x1")), max_size=12000)


@settings(max_examples=60, deadline=None)
@given(st.one_of(text_like.map(lambda s: s.encode()), st.binary(max_size=3000)))
def test_compress_round_trips_and_oletools_agrees(data):
    packed = compress(data)
    assert decompress(packed) == data
    assert olevba.decompress_stream(bytearray(packed)) == data


def test_compression_shrinks_source_code_and_chunks_are_4096():
    import xlwings

    source = (Path(xlwings.__file__).parent / "xlwings.bas").read_bytes()
    packed = compress(source)
    assert len(packed) < len(source) / 2
    assert decompress(packed) == source
    # one chunk per 4096 bytes: walk the chunk headers
    pos, chunks = 1, 0
    while pos < len(packed):
        header = struct.unpack_from("<H", packed, pos)[0]
        assert (header >> 12) & 0x7 == 0b011
        pos += (header & 0xFFF) + 3
        chunks += 1
    assert pos == len(packed) and chunks == -(-len(source) // 4096)


def test_incompressible_chunk_is_stored_raw():
    import random

    data = random.Random(7).randbytes(8192)
    packed = compress(data)
    assert len(packed) == 1 + 2 * 4098  # two raw chunks: header + 4096 bytes each
    assert struct.unpack_from("<H", packed, 1)[0] & 0x8000 == 0
    assert decompress(packed) == data == olevba.decompress_stream(bytearray(packed))


def test_decompress_reads_office_written_streams(xlwings_template_vba):
    for stream, offset in template_offsets(xlwings_template_vba).items():
        raw = xlwings_template_vba.openstream(stream).read()[offset:]
        assert decompress(raw) == olevba.decompress_stream(bytearray(raw))


def test_decompress_rejects_garbage():
    with pytest.raises(VBAProjectError):
        decompress(b"\x02abc")
    with pytest.raises(VBAProjectError):
        decompress(b"\x01\x00\x00")


# --- CMG / DPB / GC obfuscation ----------------------------------------------------------------
def test_decrypt_reads_the_values_office_wrote(xlwings_template_vba):
    text = xlwings_template_vba.openstream("PROJECT").read().decode("cp1252")
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    pid = fields["ID"].strip('"')
    assert decrypt(pid, fields["CMG"].strip('"')) == bytes(4)  # not protected
    assert decrypt(pid, fields["DPB"].strip('"')) == b"\x00"  # no password
    assert decrypt(pid, fields["GC"].strip('"')) == b"\xff"  # visible


@pytest.mark.parametrize("seed", range(0, 256, 17))
def test_encrypt_round_trips(seed):
    for data in (bytes(4), b"\x00", b"\xff", b"password\x00"):
        text = encrypt(PROJECT_ID, data, seed)
        assert text == text.upper() and len(text) == 2 * (3 + (seed & 6) // 2 + 4 + len(data))
        assert decrypt(PROJECT_ID, text) == data
    with pytest.raises(VBAProjectError):
        decrypt("{00000000-0000-0000-0000-000000000001}", encrypt(PROJECT_ID, b"\x00", seed))


# --- compound file ------------------------------------------------------------------------------
def _rb_check(ole: olefile.OleFileIO) -> None:
    """Every sibling tree: a binary search tree in MS-CFB order with the red-black invariants."""

    def key(entry):
        return (len(entry.name), entry.name.upper())

    def walk(sid, lo, hi):
        if sid == olefile.NOSTREAM:
            return 1
        e = ole.direntries[sid]
        assert (lo is None or key(lo) < key(e)) and (hi is None or key(e) < key(hi))
        left = walk(e.sid_left, lo, e)
        right = walk(e.sid_right, e, hi)
        assert left == right, "black heights differ"
        if e.color == 0:  # red: children black
            for c in (e.sid_left, e.sid_right):
                assert c == olefile.NOSTREAM or ole.direntries[c].color == 1
        return left + (e.color == 1)

    for e in ole.direntries:
        if (
            e is not None
            and e.entry_type in (olefile.STGTY_STORAGE, olefile.STGTY_ROOT)
            and e.sid_child != olefile.NOSTREAM
        ):
            assert ole.direntries[e.sid_child].color == 1, "a tree's root is black"
            walk(e.sid_child, None, None)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13, 31, 40])
def test_compound_file_round_trips_through_olefile(count):
    sizes = [0, 1, 63, 64, 65, 4095, 4096, 4097, 70000]
    streams = {f"S/s{i}": bytes([i % 251]) * sizes[i % len(sizes)] for i in range(count)}
    streams["TOP"] = b"top"
    streams["S/Deeper/x"] = b"x" * 5000
    data = write_compound_file(streams)
    assert data == write_compound_file(streams)  # deterministic
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    _rb_check(ole)


def test_compound_file_rejects_bad_names():
    with pytest.raises(CompoundFileError):
        write_compound_file({"x" * 32: b""})
    with pytest.raises(CompoundFileError):
        write_compound_file({"a": b"1", "A": b"2"})
    with pytest.raises(CompoundFileError):
        write_compound_file({"a": b"1", "a/b": b"2"})


# --- the project -------------------------------------------------------------------------------
def _project() -> tuple[bytes, list[Module]]:
    modules = [
        Module("ThisWorkbook", document_module_source("ThisWorkbook", WORKBOOK_BASE), "document"),
        Module("Main", 'Attribute VB_Name = "Main"\nSub Hello()\n    MsgBox "Hi, é"\nEnd Sub\n'),
        Module(
            "Thing",
            class_module_source(
                "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
                'Attribute VB_Name = "Thing"\r\nPublic X As Long\r\n'
            ),
            "class",
        ),
    ]
    return build_vba_project("Demo", modules, project_id=PROJECT_ID), modules


def test_project_streams_follow_ms_ovba_for_tool_written_projects():
    data, modules = _project()
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir", "VBA/ThisWorkbook", "VBA/Main", "VBA/Thing"]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")  # no cache
    project = olevba.VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    list(project.parse_modules())
    assert (project.projectname, project.codepage, project.syskind) == ("Demo", 1252, 1)
    assert [m.name for m in project.modules] == [m.name for m in modules]
    for parsed, module in zip(project.modules, modules):
        assert parsed.textoffset == 0 and parsed.streamname == module.name
        assert parsed.code_str == module.stored_text
    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Document=ThisWorkbook/&H00000000\r\nModule=Main\r\nClass=Thing\r\nName="Demo"' in text
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert decrypt(PROJECT_ID, fields["GC"].strip('"')) == b"\xff"


def test_project_is_deterministic():
    assert _project()[0] == _project()[0]


def test_class_module_source_matches_what_office_stores(xlwings_template_vba):
    import xlwings

    exported = (Path(xlwings.__file__).parent / "addin" / "Dictionary.cls").read_bytes().decode("cp1252")
    office_head = template_source(xlwings_template_vba, "Dictionary").split("\r\n")[:9]
    assert class_module_source(exported).split("\r\n")[:9] == office_head


def test_document_module_source_matches_what_office_stores(xlwings_template_vba):
    stored = template_source(xlwings_template_vba, "ThisWorkbook")
    assert document_module_source("ThisWorkbook", WORKBOOK_BASE) == stored


def test_bad_modules_are_refused():
    with pytest.raises(VBAProjectError, match="VB_Name"):
        Module("A", "Sub X()\nEnd Sub\n")
    with pytest.raises(VBAProjectError, match="identifier"):
        Module("1A", 'Attribute VB_Name = "1A"\n')
    with pytest.raises(VBAProjectError, match="same name"):
        build_vba_project(
            "P",
            [Module("A", 'Attribute VB_Name = "A"\n'), Module("a", 'Attribute VB_Name = "a"\n')],
            project_id=PROJECT_ID,
        )
    with pytest.raises(VBAProjectError, match="code page"):
        build_vba_project("P", [Module("A", 'Attribute VB_Name = "A"\n\' 中文\n')], project_id=PROJECT_ID)
