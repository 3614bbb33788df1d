"""A budget per file: each workbook is evaluated in a child process with a memory cap and a deadline.

A hostile or careless workbook (``=SEQUENCE(1000000000)``, ``SUM(SEQUENCE(300000000))`` typed into a
returned copy, a formula that runs for hours) must cost seconds and megabytes, be reported, and let
the batch go on. The formula engine has no budget of its own, so the work runs in a forked child:

* its address space is capped (``RLIMIT_AS``) at what the program already uses plus
  :attr:`Limits.max_memory_mb`: an allocation beyond it fails with ``MemoryError`` in the child
  (numpy, lists, strings alike) instead of waking the kernel's out-of-memory killer;
* the parent kills it (``SIGKILL``) when it runs past :attr:`Limits.max_seconds`;
* it dies with its parent (``PR_SET_PDEATHSIG`` on Linux, a watchdog on the parent's pid
  elsewhere), so killing ``gtm-xl refresh --jobs 2`` never leaves workers behind.

:func:`map_limited` forks ``jobs`` workers that take one file after another (their caches stay
warm; the cap is set again before each file), yields each result as it ends (a single-threaded
``select`` loop in the parent: no threads, so forking is safe) and replaces a worker that ran out of
memory, overran its deadline or died. Results come back pickled through a pipe. :func:`run_limited`
runs one call. Where there is no ``fork`` (Windows) the calls run in-process without the caps.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_MAX_MEMORY_MB",
    "DEFAULT_MAX_SECONDS",
    "LimitExceeded",
    "Limits",
    "die_with_parent",
    "map_limited",
    "run_limited",
]

DEFAULT_MAX_MEMORY_MB = 2048  # per file, beyond what the program itself occupies
DEFAULT_MAX_SECONDS = 300.0  # per file


@dataclass(frozen=True)
class Limits:
    """The budget of one file: memory (MiB beyond the program's own) and wall-clock seconds;
    None means no cap."""

    max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB
    max_seconds: float | None = DEFAULT_MAX_SECONDS

    def memory_text(self) -> str:
        return f"the memory limit ({self.max_memory_mb:,} MiB, --max-memory)"

    def seconds_text(self) -> str:
        return f"the time limit ({self.max_seconds:g} s, --max-seconds)"


class LimitExceeded(Exception):
    """The child ran out of its budget or died; ``str()`` says which, in words for a report."""


#: the budget of the running child (None in the parent): lets a MemoryError be reported with the limit
ACTIVE: Limits | None = None
#: set by a call that caught a MemoryError itself (a report, not an exception): the worker is then
#: replaced after this call, as after any memory failure, so no fragments of it stay for the next file
RETIRE = False


def die_with_parent() -> None:
    """Make this process end when its parent does (Linux: PR_SET_PDEATHSIG; elsewhere a watchdog
    thread polling the parent's pid)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG = 1
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="gtm-parent-watchdog").start()


def _address_space() -> int:
    """Bytes of address space this process occupies now (VmSize)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 512 << 20


def _cap_memory(limits: Limits) -> None:
    """Cap the address space at what the process occupies now plus the file's budget (raised or
    lowered before each file: a worker's caches may have grown since the last one)."""
    if limits.max_memory_mb is None:
        return
    try:
        import resource  # here: POSIX only
    except ImportError:  # Windows: no cap
        return
    cap = _address_space() + (limits.max_memory_mb << 20)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _read_exact(fd: int, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = os.read(fd, n - len(out))
        if not chunk:
            return b""
        out += chunk
    return out


def _worker_loop(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, Sequence[Any]]], limits: Limits, rfd: int, wfd: int
):
    """A forked worker: for each call index the parent sends, cap the memory, run the call and send
    back ``(status, value)`` pickled behind its length. The calls themselves came with the fork."""
    global ACTIVE, RETIRE
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        die_with_parent()
        ACTIVE = limits
        while True:
            head = _read_exact(rfd, 4)
            if not head:
                break
            index = int.from_bytes(head, "little")
            RETIRE = False
            _cap_memory(limits)
            try:
                outcome: tuple[str, Any] = ("ok", fn(*calls[index][1]))
            except MemoryError:
                outcome = ("memory", None)
            except BaseException as exc:  # noqa: BLE001 - reported by the parent, never raised there
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            retire = RETIRE or outcome[0] == "memory"
            try:
                data = pickle.dumps((*outcome, retire), protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                data = pickle.dumps(("memory", None, True))
            except Exception as exc:  # noqa: BLE001 - an unpicklable result
                data = pickle.dumps(("error", f"the result could not be sent back ({type(exc).__name__})", retire))
            view = memoryview(len(data).to_bytes(8, "little") + data)
            while view:
                view = view[os.write(wfd, view) :]
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


@dataclass
class _Worker:
    pid: int
    to_child: int
    from_child: int
    buffer: bytearray
    key: Any = None
    deadline: float | None = None
    busy: bool = False


#: the parent's ends of the pipes of live workers: a new worker closes them, or a worker it
#: inherited would never see its pipe close and never end
_PARENT_ENDS: set[int] = set()


def _spawn(fn: Callable[..., Any], calls: Sequence[tuple[Any, Sequence[Any]]], limits: Limits) -> _Worker:
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        for fd in (down_w, up_r, *_PARENT_ENDS):
            try:
                os.close(fd)
            except OSError:
                pass
        _PARENT_ENDS.clear()
        _worker_loop(fn, calls, limits, down_r, up_w)
    os.close(down_r)
    os.close(up_w)
    _PARENT_ENDS.update((down_w, up_r))
    return _Worker(pid, down_w, up_r, bytearray())


def _retire(worker: _Worker, kill: bool = False) -> int:
    """Close a worker's pipes (it ends when it reads their end), or kill it; returns its wait status."""
    if kill:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for fd in (worker.to_child, worker.from_child):
        _PARENT_ENDS.discard(fd)
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        waited = time.monotonic() + 5
        while not kill and time.monotonic() < waited:  # an idle worker ends as its pipe closes
            pid, status = os.waitpid(worker.pid, os.WNOHANG)
            if pid:
                return status
            time.sleep(0.005)
        if not kill:
            os.kill(worker.pid, signal.SIGKILL)
        return os.waitpid(worker.pid, 0)[1]
    except (ChildProcessError, ProcessLookupError):
        return 0


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return f"the worker process died ({name}; out of memory or killed)"
    return f"the worker process ended without an answer (exit status {os.WEXITSTATUS(status)})"


def map_limited(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, Sequence[Any]]], limits: Limits, jobs: int = 1
) -> Iterator[tuple[Any, str, Any]]:
    """Run ``fn(*args)`` for each ``(key, args)`` of ``calls`` in capped worker processes, ``jobs`` at
    a time; yield ``(key, status, value)`` as each ends: ``("ok", result)``, ``("memory", None)``
    (ran out of its memory budget) or ``("error", text)`` (exception, timeout, death).

    Workers are forked once and take one call after another (caches stay warm); one that ran out
    of memory is replaced by a fresh fork, one past its deadline is killed and replaced. Without
    ``fork`` (Windows): in-process, uncapped."""
    calls = list(calls)
    if not hasattr(os, "fork"):
        for key, args in calls:
            try:
                yield key, "ok", fn(*args)
            except MemoryError:
                yield key, "memory", None
            except Exception as exc:  # noqa: BLE001
                yield key, "error", f"{type(exc).__name__}: {exc}"
        return
    pending = list(range(len(calls)))[::-1]
    workers: list[_Worker] = []
    try:
        while pending or any(w.busy for w in workers):
            while pending and len(workers) < max(1, jobs):
                workers.append(_spawn(fn, calls, limits))
            for w in list(workers):  # hand out work
                if w.busy or not pending:
                    continue
                index = pending.pop()
                try:
                    os.write(w.to_child, index.to_bytes(4, "little"))
                except OSError:  # the idle worker is gone: another one takes the call
                    pending.append(index)
                    workers.remove(w)
                    _retire(w)
                    continue
                w.key, w.busy = calls[index][0], True
                w.deadline = None if limits.max_seconds is None else time.monotonic() + limits.max_seconds
            busy = [w for w in workers if w.busy]
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready, _, _ = select.select([w.from_child for w in busy], [], [], wait)
            for w in busy:
                if w.from_child not in ready:
                    continue
                chunk = os.read(w.from_child, 1 << 16)
                if not chunk:  # died mid-call
                    workers.remove(w)
                    yield w.key, "error", _death(_retire(w))
                    continue
                w.buffer += chunk
                if len(w.buffer) < 8 or len(w.buffer) < 8 + int.from_bytes(w.buffer[:8], "little"):
                    continue
                size = int.from_bytes(w.buffer[:8], "little")
                data, w.buffer = bytes(w.buffer[8 : 8 + size]), w.buffer[8 + size :]
                w.busy, w.deadline = False, None
                try:
                    status, value, retire = pickle.loads(data)
                except Exception as exc:  # noqa: BLE001
                    status, value, retire = "error", f"the worker's answer was unreadable ({type(exc).__name__})", True
                if retire:  # out of memory: a fresh worker for the next file, no fragments of this one
                    workers.remove(w)
                    _retire(w)
                yield w.key, status, value
            now = time.monotonic()
            for w in [w for w in workers if w.busy and w.deadline is not None and now >= w.deadline]:
                workers.remove(w)
                _retire(w, kill=True)
                yield w.key, "error", f"stopped: it ran past {limits.seconds_text()}"
    finally:  # done, or the parent interrupted (Ctrl-C, an exception): no worker outlives it
        for w in workers:
            _retire(w, kill=w.busy)


def run_limited(fn: Callable[..., Any], args: Sequence[Any], limits: Limits) -> Any:
    """``fn(*args)`` in one capped child; its result, or :class:`LimitExceeded` saying what happened."""
    for _, status, value in map_limited(fn, [(None, args)], limits, 1):
        if status == "ok":
            return value
        if status == "memory":
            raise LimitExceeded(f"needed more than {limits.memory_text()}")
        raise LimitExceeded(value)
    raise LimitExceeded("the worker gave no answer")  # pragma: no cover
