"""gtm_xl.excel.atomic: the one way every file is written — old file or new file, never half."""

from __future__ import annotations

import os
import stat

import pytest

from gtm_xl.excel.atomic import atomic_writer, remove_orphan_temps, write_atomic


def test_write_replaces_the_target_and_keeps_its_mode(tmp_path):
    target = tmp_path / "plan.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    assert write_atomic(target, b"new") == target
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = write_atomic(tmp_path / "sub" / "new.csv", b"a,b\n", make_dirs=True)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.rglob(".*.tmp")] == []


def test_an_error_while_writing_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "rollup.xlsx"
    target.write_bytes(b"the old roll-up")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as fh:
            fh.write(b"half of the new ")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"the old roll-up"
    assert list(tmp_path.iterdir()) == [target]


def test_orphans_of_dead_writers_are_removed_live_ones_kept(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"x")
    dead = tmp_path / f".book.xlsx.{2**22 + 12345}.abcdefgh.tmp"  # no such process
    live = tmp_path / f".book.xlsx.{os.getpid()}.abcdefgh.tmp"
    other = tmp_path / ".other.xlsx.1.abcdefgh.tmp"
    for p in (dead, live, other):
        p.write_bytes(b"partial")
    assert remove_orphan_temps(target) == [dead]
    assert live.exists() and other.exists()
