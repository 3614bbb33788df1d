"""Write a Microsoft Compound File (MS-CFB, version 3): the OLE container of ``vbaProject.bin``.

Only what a writer of a small, fresh file needs: 512-byte sectors, one FAT listed in the header
(no DIFAT sectors, so at most 109 FAT sectors, about 6.8 MB), a mini stream for streams under
4,096 bytes, and a directory whose sibling trees are balanced red-black trees ordered the way
MS-CFB 2.6.4 orders names (shorter UTF-16 name first, then case-insensitive code-unit order).

The output is deterministic: CLSIDs, state bits and timestamps are zero, unused space is
filled as MS-CFB prescribes (free FAT entries 0xFFFFFFFF, empty directory entries with
NOSTREAM links), and directory entries are numbered in a fixed breadth-first order.

Layout of the file written here::

    header | FAT sectors | directory sectors | MiniFAT sectors | mini stream | large streams

Reading is left to olefile (read-only), which the tests use as the independent reader.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["write_compound_file", "CompoundFileError"]

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
MAX_NAME = 31  # UTF-16 code units, without the terminating NUL
HEADER_DIFAT = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


class CompoundFileError(ValueError):
    """The streams cannot be written as a compound file (bad name, too large)."""


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    sid: int = -1
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4: shorter names first, then code units compared after simple upper-casing."""
    units = name.encode("utf-16-le")
    return (len(units) // 2, name.upper())


def _check_name(name: str, path: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > MAX_NAME:
        raise CompoundFileError(f"{path!r}: entry names are 1 to {MAX_NAME} UTF-16 code units")
    if any(ch in name for ch in "/\\:!"):
        raise CompoundFileError(f"{path!r}: entry names may not contain / \\ : or !")


def _tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        for part in parts:
            _check_name(part, path)
        node = root
        for part in parts[:-1]:
            found = next((c for k, c in node.children.items() if k.upper() == part.upper()), None)
            if found is None:
                found = node.children[part] = _Entry(part, _STORAGE)
            elif found.kind != _STORAGE:
                raise CompoundFileError(f"{path!r}: {part!r} is a stream, not a storage")
            node = found
        leaf = parts[-1]
        if any(k.upper() == leaf.upper() for k in node.children):
            raise CompoundFileError(f"{path!r}: two entries with the same name (case-insensitive)")
        node.children[leaf] = _Entry(leaf, _STREAM, data=bytes(data))
    return root


def _number(root: _Entry) -> list[_Entry]:
    """Directory entries in breadth-first order, each storage's children sorted by MS-CFB order."""
    order = [root]
    i = 0
    while i < len(order):
        node = order[i]
        for child in sorted(node.children.values(), key=lambda e: _sort_key(e.name)):
            order.append(child)
        i += 1
    for sid, entry in enumerate(order):
        entry.sid = sid
    for entry in order:
        kids = sorted(entry.children.values(), key=lambda e: _sort_key(e.name))
        if kids:
            entry.child = _link_balanced(kids, 0, len(kids), 0, _depth(len(kids)))
    return order


def _depth(n: int) -> int:
    """Depth of the deepest node of a balanced tree of n nodes built by middle splits (root 0)."""
    return max(n.bit_length() - 1, 0)


def _link_balanced(kids: list[_Entry], lo: int, hi: int, depth: int, deepest: int) -> int:
    """Link kids[lo:hi] as a balanced binary search tree; return the root's stream id.

    Colouring: nodes on the deepest level are red, all others black. Middle splits put every
    missing child on the last two levels, so each root-to-leaf path has the same number of
    black nodes and no red node has a red child: a valid red-black tree.
    """
    if lo >= hi:
        return NOSTREAM
    mid = (lo + hi) // 2
    node = kids[mid]
    node.left = _link_balanced(kids, lo, mid, depth + 1, deepest)
    node.right = _link_balanced(kids, mid + 1, hi, depth + 1, deepest)
    node.color = _RED if depth == deepest and depth > 0 else _BLACK
    return node.sid


def _chain(fat: list[int], first: int, count: int) -> None:
    for k in range(count):
        fat[first + k] = first + k + 1 if k < count - 1 else ENDOFCHAIN


def _sectors(nbytes: int, size: int) -> int:
    return (nbytes + size - 1) // size


def _dir_entry(entry: _Entry | None) -> bytes:
    if entry is None:  # an unused slot: no name, type 0, NOSTREAM links, all else zero
        return (
            b"\x00" * 64
            + struct.pack("<HBB3I", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
            + b"\x00" * 16
            + struct.pack("<IQQIQ", 0, 0, 0, 0, 0)
        )
    name = (entry.name + "\x00").encode("utf-16-le")
    return (
        name.ljust(64, b"\x00")
        + struct.pack("<HBB", len(name), entry.kind, entry.color)
        + struct.pack("<3I", entry.left, entry.right, entry.child)
        + b"\x00" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + struct.pack("<QQ", 0, 0)  # creation and modification FILETIME
        + struct.pack("<IQ", entry.start, entry.size)
    )


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """A compound file holding ``streams``: path (``"VBA/dir"``, storages separated by ``/``) → bytes.

    Storages are created from the paths; names compare case-insensitively, as MS-CFB requires.
    Raises :class:`CompoundFileError` for an invalid name or a file that would need DIFAT sectors.
    """
    root = _tree(streams)
    entries = _number(root)
    streams_ = [e for e in entries if e.kind == _STREAM]
    small = [e for e in streams_ if len(e.data) < MINI_CUTOFF]
    large = [e for e in streams_ if len(e.data) >= MINI_CUTOFF]

    # Mini stream: small streams back to back, each padded to whole 64-byte mini sectors.
    minifat: list[int] = []
    mini = bytearray()
    for e in small:
        e.size = len(e.data)
        if not e.data:
            e.start = ENDOFCHAIN
            continue
        n = _sectors(len(e.data), MINI_SECTOR)
        e.start = len(minifat)
        minifat.extend([0] * n)
        _chain(minifat, e.start, n)
        mini += e.data.ljust(n * MINI_SECTOR, b"\x00")

    n_dir = _sectors(len(entries) * 128, SECTOR)
    n_minifat = _sectors(len(minifat) * 4, SECTOR)
    n_mini = _sectors(len(mini), SECTOR)
    n_large = [_sectors(len(e.data), SECTOR) for e in large]
    payload = n_dir + n_minifat + n_mini + sum(n_large)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + payload:
        n_fat += 1
    if n_fat > HEADER_DIFAT:
        raise CompoundFileError("the compound file would need DIFAT sectors (over ~6.8 MB)")

    total = n_fat + payload
    fat = [FREESECT] * (n_fat * (SECTOR // 4))
    for s in range(n_fat):
        fat[s] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else ENDOFCHAIN
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    root.start = pos if n_mini else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, pos, n_mini)
    pos += n_mini
    for e, n in zip(large, n_large):
        e.start, e.size = pos, len(e.data)
        _chain(fat, pos, n)
        pos += n
    assert pos == total

    header = (
        _SIGNATURE
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, MINI_CUTOFF, minifat_start, n_minifat, ENDOFCHAIN, 0)
        + struct.pack(f"<{HEADER_DIFAT}I", *(list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT - n_fat)))
    )
    assert len(header) == SECTOR

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    directory = b"".join(_dir_entry(e) for e in entries)
    empty = _dir_entry(None)
    directory += empty * ((n_dir * SECTOR - len(directory)) // 128)
    out += directory
    mf = struct.pack(f"<{len(minifat)}I", *minifat)
    out += mf + b"\xff" * (n_minifat * SECTOR - len(mf))
    out += mini.ljust(n_mini * SECTOR, b"\x00")
    for e, n in zip(large, n_large):
        out += e.data.ljust(n * SECTOR, b"\x00")
    assert len(out) == SECTOR * (1 + total)
    return bytes(out)
