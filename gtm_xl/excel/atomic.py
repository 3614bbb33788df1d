"""Atomic file writes: the old file or the new one, never a half-written one.

Every file gtm-xl writes goes through :func:`atomic_writer` (or :func:`write_atomic` for bytes
in memory): the data goes to a temporary file beside the target, named
``.NAME.PID.XXXXXXXX.tmp``, is flushed and fsynced, takes the replaced file's permission bits
(0644 for a new file), is renamed over the target, and the folder is fsynced so the rename
survives a power cut. On any error the temporary file is removed and the target is untouched.
A process killed mid-write leaves only its temporary file; the next write of the same target
removes such orphans (:func:`remove_orphan_temps`).
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_writer", "write_atomic", "remove_orphan_temps", "ORPHAN_AGE_SECONDS"]

#: a temporary file whose writer is unknown counts as an orphan after this long
ORPHAN_AGE_SECONDS = 3600


@contextmanager
def atomic_writer(target: str | os.PathLike, *, make_dirs: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write ``target``'s new content into; it replaces ``target`` on success."""
    target = Path(target)
    if make_dirs:
        target.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_temps(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, os.stat(target).st_mode & 0o7777 if target.exists() else 0o644)
        except OSError:
            pass
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic(target: str | os.PathLike, data: bytes, *, make_dirs: bool = False) -> Path:
    """Write ``data`` to ``target`` atomically (see the module docstring); returns the path."""
    with atomic_writer(target, make_dirs=make_dirs) as fh:
        fh.write(data)
    return Path(target)


def remove_orphan_temps(target: Path) -> list[Path]:
    """Delete the ``.NAME.PID.*.tmp`` files an earlier write of ``target`` left when it was killed.

    A temp is an orphan when the process named in it is gone (or, for a temp of unknown owner,
    when it is over an hour old); a live process's temp is left alone. Returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = list(target.parent.glob(f".{glob.escape(target.name)}.*.tmp"))
    except OSError:
        return removed
    own = re.compile(rf"\.{re.escape(target.name)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}\.tmp")
    for tmp in candidates:
        m = own.fullmatch(tmp.name)
        if m is None:
            continue
        try:
            if m.group(1) is not None:
                if _alive(int(m.group(1))):
                    continue
            elif time.time() - tmp.stat().st_mtime < ORPHAN_AGE_SECONDS:
                continue
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (ours always does; one we may not signal counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
