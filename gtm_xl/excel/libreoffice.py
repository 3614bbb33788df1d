"""LibreOffice, headless, as an independent spreadsheet: open, recalculate, save or render files.

Used by the tests (differential checks of the evaluator and of the native templates), by
``docs/render.py`` and by the benchmarks. Each :class:`LibreOffice` has its own profile
directory, written before the first start, in which

* ``/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` is 0 ("always recalculate"),
  so LibreOffice never trusts the cached values of an .xlsx it opens, and
* ``ODFRecalcMode`` is 0 as well, for .ods files.

One profile is reused for every conversion of a session (LibreOffice's first start in a new
profile costs seconds); conversions are serialised because one profile serves one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["LibreOffice", "LibreOfficeError", "find_soffice"]

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """LibreOffice failed to start or to convert a file."""


def find_soffice() -> str | None:
    """Path of the ``soffice`` binary, or ``None`` when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    for path in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.path.exists(path):
            return path
    return None


class LibreOffice:
    """A headless LibreOffice with a private profile that always recalculates on load."""

    def __init__(
        self, profile_dir: str | os.PathLike | None = None, soffice: str | None = None, timeout: float = 600.0
    ) -> None:
        found = soffice or find_soffice()
        if found is None:
            raise LibreOfficeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
        self.soffice: str = found
        self._own_profile = profile_dir is None
        self.profile_dir = Path(profile_dir or tempfile.mkdtemp(prefix="gtm-xl-lo-profile-"))
        self.timeout = timeout
        self._lock = threading.Lock()
        user = self.profile_dir / "user"
        user.mkdir(parents=True, exist_ok=True)
        reg = user / "registrymodifications.xcu"
        if not reg.exists():
            reg.write_text(_REGISTRY, encoding="utf-8")

    @property
    def profile_url(self) -> str:
        return self.profile_dir.resolve().as_uri()

    def run(self, args: Sequence[str], cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
        """Run ``soffice --headless`` with this profile and the given arguments."""
        cmd = [
            self.soffice,
            f"-env:UserInstallation={self.profile_url}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            *args,
        ]
        env = dict(os.environ)
        env.setdefault("SAL_USE_VCLPLUGIN", "svp")
        with self._lock:
            try:
                proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=self.timeout)
            except subprocess.TimeoutExpired as exc:
                raise LibreOfficeError(f"LibreOffice timed out after {self.timeout:.0f} s: {' '.join(cmd)}") from exc
        if proc.returncode != 0:
            raise LibreOfficeError(f"LibreOffice exited with {proc.returncode}: {proc.stderr.strip()[:500]}")
        return proc

    def convert(
        self, files: Iterable[str | os.PathLike], to: str, outdir: str | os.PathLike, filter_name: str | None = None
    ) -> list[Path]:
        """Open each file, recalculate it, and save it as ``to`` (``"xlsx"``, ``"pdf"``, ``"ods"``…)
        into ``outdir``. Returns the output paths in input order; raises if one is missing."""
        paths = [Path(f).resolve() for f in files]
        out_path = Path(outdir)
        out_path.mkdir(parents=True, exist_ok=True)
        target = f"{to}:{filter_name}" if filter_name else to
        if not paths:
            return []
        self.run(["--convert-to", target, "--outdir", str(out_path.resolve()), *map(str, paths)])
        ext = to.split(":")[0]
        outs = [out_path / f"{f.stem}.{ext}" for f in paths]
        missing = [str(o) for o in outs if not o.exists()]
        if missing:
            raise LibreOfficeError(f"LibreOffice did not write: {', '.join(missing)}")
        return outs

    def recalculate(self, path: str | os.PathLike, outdir: str | os.PathLike) -> Path:
        """Open ``path`` in LibreOffice, recalculate every formula, and save it as .xlsx in ``outdir``."""
        return self.convert([path], "xlsx", outdir, filter_name="Calc MS Excel 2007 XML")[0]

    def close(self) -> None:
        if self._own_profile:
            shutil.rmtree(self.profile_dir, ignore_errors=True)

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
