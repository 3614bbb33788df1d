"""Atomic file writes: the old file or the new one, never a half-written one.

Every file gtm-xl writes goes through :func:`atomic_writer` (or :func:`write_atomic` for bytes
in memory): the data goes to a temporary file beside the target, named
``.NAME.PID.XXXXXXXX.tmp``, is flushed and fsynced, takes the replaced file's permission bits,
owner and group (0644 and the writer's own for a new file), is renamed over the target, and the
folder is fsynced so the rename survives a power cut. On any error the temporary file is removed
and the target is untouched. A process killed mid-write leaves only its temporary file; the next
write of the same target removes such orphans (:func:`remove_orphan_temps`).

Replacing an existing file is refused (:class:`TargetRefused`, one line saying why) when:

* it is read-only (no write bit, or not writable for this user): someone protected it;
* it is open in Excel (an owner file ``~$name.xlsx`` beside it) or LibreOffice (``.~lock.name#``),
  or another process holds an advisory lock on it (``fcntl``/``flock``): their next save would
  silently undo ours;
* its owner or group cannot be kept (another user's file, written by a user who may not chown);
* it has other hard links (they would keep the old content);
* it is not a regular file (a folder, a FIFO, a device).

A symlink is followed: the real file is replaced and the link stays a link. :func:`check_target`
runs the same checks without writing, so a command can test every output before its first write;
:func:`same_file` tells whether an output would overwrite an input.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "atomic_writer",
    "write_atomic",
    "remove_orphan_temps",
    "check_target",
    "check_replaceable",
    "same_file",
    "real_target",
    "TargetRefused",
    "ORPHAN_AGE_SECONDS",
]

#: a temporary file whose writer is unknown counts as an orphan after this long
ORPHAN_AGE_SECONDS = 3600


class TargetRefused(OSError):
    """A file gtm-xl will not write or replace; ``str()`` is one line naming it and saying why."""

    def __init__(self, path: str | os.PathLike, why: str) -> None:
        super().__init__(errno.EPERM, why, str(path))
        self.path = str(path)
        self.why = why

    def __str__(self) -> str:
        return f"{self.path}: {self.why}"


def real_target(target: str | os.PathLike) -> Path:
    """``target`` with symlinks followed (the file a write must replace); unchanged when it is no link."""
    target = Path(target)
    if target.is_symlink():
        return Path(os.path.realpath(target))
    return target


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether paths ``a`` and ``b`` name the same file (symlinks, ``..``, hard links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def output_problem(
    target: str | os.PathLike, inputs: Iterable[str | os.PathLike], *, what: str, make_dirs: bool = False
) -> str | None:
    """Why ``target`` cannot be written — one of the ``inputs`` (it would be overwritten), or refused by
    :func:`check_target` (a folder, read-only, open, locked, an unwritable folder) — in one line that
    starts with ``what`` (the option naming it); None when it can. Run before a command's first write."""
    for item in inputs:
        if Path(target).exists() and Path(item).exists() and same_file(target, item):
            return f"{what} {target} is the input {item}: refused, it would be overwritten"
    try:
        check_target(target, make_dirs=make_dirs)
    except TargetRefused as exc:
        return f"{what} {exc}"
    return None


def _lock_files(target: Path) -> Iterable[tuple[Path, str]]:
    name, stem = target.name, len(target.stem)
    # Excel's owner file: ~$ + the name, its first character dropped for a 7-character stem and
    # its first two for a longer one
    owners = [f"~${name}"] + ([f"~${name[1:]}"] if stem >= 7 else []) + ([f"~${name[2:]}"] if stem >= 8 else [])
    for owner in owners:
        yield target.with_name(owner), "open in Excel"
    yield target.with_name(f".~lock.{name}#"), "open in LibreOffice"


def _advisory_lock(target: Path) -> bool:
    """Whether another process holds an fcntl (POSIX) or flock (BSD) lock on ``target``."""
    try:
        import fcntl
    except ImportError:  # Windows: Excel's sharing mode makes the rename fail instead
        return False
    try:
        fd = os.open(target, os.O_RDWR | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        for lock, unlock in ((fcntl.lockf, fcntl.LOCK_UN), (fcntl.flock, fcntl.LOCK_UN)):
            try:
                lock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK):
                    return True
                continue
            lock(fd, unlock)
        return False
    finally:
        os.close(fd)


def check_replaceable(target: str | os.PathLike) -> None:
    """Raise :class:`TargetRefused` when an existing ``target`` must not be replaced (see the
    module docstring); nothing when it does not exist."""
    target = real_target(target)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        raise TargetRefused(target, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise TargetRefused(target, "is not a regular file (a FIFO, socket or device): refused")
    if st.st_nlink > 1:
        raise TargetRefused(
            target,
            f"has {st.st_nlink} hard links: replacing it would leave the other names with the old content; refused",
        )
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise TargetRefused(target, "is read-only: not replaced (make it writable to allow it)")
    for lock, why in _lock_files(target):
        if lock.exists():
            raise TargetRefused(
                target, f"is {why} ({lock.name} beside it): close it there first, or its next save undoes this"
            )
    if _advisory_lock(target):
        raise TargetRefused(target, "is locked by another process (advisory lock): not replaced")
    if hasattr(os, "geteuid") and os.geteuid() != 0 and st.st_uid != os.geteuid():
        raise TargetRefused(
            target, f"belongs to another user (uid {st.st_uid}): replacing it would make it ours; refused"
        )


def check_target(target: str | os.PathLike, *, make_dirs: bool = False) -> Path:
    """Check, without writing anything, that ``target`` can be written: not a folder, its folder
    exists (or ``make_dirs``) and is writable, and an existing file may be replaced
    (:func:`check_replaceable`). Returns the real path; raises :class:`TargetRefused`."""
    target = real_target(target)
    if target.is_dir():
        raise TargetRefused(target, "is a folder; give a file name")
    folder = target.parent
    while not folder.exists():
        if not make_dirs:
            raise TargetRefused(target, f"folder {folder} does not exist")
        folder = folder.parent
    if not folder.is_dir():
        raise TargetRefused(target, f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise TargetRefused(target, f"folder {folder} is not writable")
    check_replaceable(target)
    return target


@contextmanager
def atomic_writer(target: str | os.PathLike, *, make_dirs: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write ``target``'s new content into; it replaces ``target`` on success."""
    target = real_target(target)
    if make_dirs:
        target.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(target)
    remove_orphan_temps(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            _keep_identity(fh.fileno(), target)
            os.fsync(fh.fileno())
        check_replaceable(target)  # opened in Excel (or locked) while we were writing
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _keep_identity(fd: int, target: Path) -> None:
    """Give the temporary file the replaced file's mode, owner and group (0644 for a new file)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        os.fchmod(fd, 0o644)
        return
    if hasattr(os, "fchown"):
        mine = os.fstat(fd)
        if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                raise TargetRefused(
                    target,
                    f"its owner/group ({st.st_uid}:{st.st_gid}) cannot be kept by this user: not replaced",
                ) from None
    os.fchmod(fd, stat.S_IMODE(st.st_mode))  # after chown, which clears set-user/group-id bits


def write_atomic(target: str | os.PathLike, data: bytes, *, make_dirs: bool = False) -> Path:
    """Write ``data`` to ``target`` atomically (see the module docstring); returns the path."""
    with atomic_writer(target, make_dirs=make_dirs) as fh:
        fh.write(data)
    return Path(target)


#: the random part tempfile.mkstemp puts in a name
_TEMP_TOKEN = re.compile(r"[a-z0-9_]{8}")


def remove_orphan_temps(target: Path) -> list[Path]:
    """Delete the ``.NAME.PID.*.tmp`` files an earlier write of ``target`` left when it was killed.

    A temp is an orphan when the process named in it is gone (or, for a temp of unknown owner,
    when it is over an hour old); a live process's temp is left alone. Returns what was removed."""
    removed: list[Path] = []
    try:  # one listing of the folder, no pattern compiled per target: a batch writes thousands of files
        names = os.listdir(target.parent)
    except OSError:
        return removed
    prefix = f".{target.name}."
    candidates = [target.parent / n for n in names if n.startswith(prefix) and n.endswith(".tmp")]
    for tmp in candidates:
        pid, _, token = tmp.name[len(prefix) : -len(".tmp")].rpartition(".")
        if not _TEMP_TOKEN.fullmatch(token) or (pid and not pid.isdigit()):
            continue
        try:
            if pid:
                if _alive(int(pid)):
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
    try:  # a zombie (killed, not yet reaped by its parent) writes nothing any more
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
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
