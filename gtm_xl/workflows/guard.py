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

The result comes back pickled through a pipe. :func:`run_limited` runs one call;
:func:`map_limited` runs many, ``jobs`` at a time, yielding each result as it ends (a single-threaded
``select`` loop in the parent: no threads, so forking is safe). Where there is no ``fork``
(Windows) the call runs in-process without the caps.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
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


def die_with_parent() -> None:
    """Make this process end when its parent does (Linux: PR_SET_PDEATHSIG; elsewhere a watchdog
    thread polling the parent's pid)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG = 1
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    import threading

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
    if limits.max_memory_mb is None:
        return
    try:
        import resource
    except ImportError:
        return
    cap = _address_space() + (limits.max_memory_mb << 20)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or cap < soft:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _child(fn: Callable[..., Any], args: Sequence[Any], limits: Limits, wfd: int) -> None:
    """In the forked child: cap, run, send ``("ok", result)`` / ``("memory", None)`` / ``("error", text)``."""
    global ACTIVE
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        die_with_parent()
        ACTIVE = limits
        _cap_memory(limits)
        try:
            outcome: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            outcome = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - reported by the parent, never raised there
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        view = memoryview(data)
        while view:
            n = os.write(wfd, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


@dataclass
class _Running:
    key: Any
    pid: int
    fd: int
    deadline: float | None
    chunks: list[bytes]


def _start(key: Any, fn: Callable[..., Any], args: Sequence[Any], limits: Limits) -> _Running:
    rfd, wfd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(rfd)
        _child(fn, args, limits, wfd)
    os.close(wfd)
    deadline = None if limits.max_seconds is None else time.monotonic() + limits.max_seconds
    return _Running(key, pid, rfd, deadline, [])


def _reap(run: _Running, limits: Limits, killed: bool) -> tuple[str, Any]:
    os.close(run.fd)
    _, status = os.waitpid(run.pid, 0)
    if killed:
        return "error", f"stopped: it ran past {limits.seconds_text()}"
    data = b"".join(run.chunks)
    if data:
        try:
            return pickle.loads(data)
        except Exception as exc:  # noqa: BLE001
            return "error", f"the worker's answer was unreadable ({type(exc).__name__})"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return "error", f"the worker process died ({name}; out of memory or killed)"
    return "error", f"the worker process ended without an answer (exit status {os.WEXITSTATUS(status)})"


def map_limited(
    fn: Callable[..., Any], calls: Sequence[tuple[Any, Sequence[Any]]], limits: Limits, jobs: int = 1
) -> Iterator[tuple[Any, str, Any]]:
    """Run ``fn(*args)`` for each ``(key, args)`` of ``calls`` in capped children, ``jobs`` at a time;
    yield ``(key, status, value)`` as each ends: ``("ok", result)``, ``("memory", None)`` (ran out of
    memory) or ``("error", text)`` (exception, timeout, death). Without ``fork``: in-process, uncapped."""
    if not hasattr(os, "fork"):
        for key, args in calls:
            try:
                yield key, "ok", fn(*args)
            except MemoryError:
                yield key, "memory", None
            except Exception as exc:  # noqa: BLE001
                yield key, "error", f"{type(exc).__name__}: {exc}"
        return
    pending = list(calls)[::-1]
    running: dict[int, _Running] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                key, args = pending.pop()
                run = _start(key, fn, args, limits)
                running[run.fd] = run
            now = time.monotonic()
            deadlines = [r.deadline for r in running.values() if r.deadline is not None]
            wait = max(0.0, min(deadlines) - now) if deadlines else None
            ready, _, _ = select.select(list(running), [], [], wait)
            for fd in ready:
                run = running[fd]
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    run.chunks.append(chunk)
                    continue
                del running[fd]
                status, value = _reap(run, limits, killed=False)
                yield run.key, status, value
            now = time.monotonic()
            for fd, run in list(running.items()):
                if run.deadline is not None and now >= run.deadline:
                    del running[fd]
                    try:
                        os.kill(run.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    status, value = _reap(run, limits, killed=True)
                    yield run.key, status, value
    finally:  # the parent interrupted (Ctrl-C, an exception): no child outlives it
        for run in running.values():
            try:
                os.kill(run.pid, signal.SIGKILL)
                os.waitpid(run.pid, 0)
            except OSError:
                pass
            try:
                os.close(run.fd)
            except OSError:
                pass


def run_limited(fn: Callable[..., Any], args: Sequence[Any], limits: Limits) -> Any:
    """``fn(*args)`` in one capped child; its result, or :class:`LimitExceeded` saying what happened."""
    for _, status, value in map_limited(fn, [(None, args)], limits, 1):
        if status == "ok":
            return value
        if status == "memory":
            raise LimitExceeded(f"needed more than {limits.memory_text()}")
        raise LimitExceeded(value)
    raise LimitExceeded("the worker gave no answer")  # pragma: no cover
