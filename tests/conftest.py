"""Shared fixtures: one LibreOffice profile per test session, the shared corpus, xlwings' UDF layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from project_paths import CORPUS


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """A headless LibreOffice with one fresh profile for the whole session (OOXMLRecalcMode=0).

    Skipped where LibreOffice is missing, except under CI, where its absence is a failure:
    ``.ci/run`` installs ``libreoffice-calc-nogui``.
    """
    from gtm_xl.excel.libreoffice import LibreOffice, find_soffice

    if find_soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing in CI: .ci/run should have installed libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    lo = LibreOffice(profile_dir=tmp_path_factory.mktemp("lo-profile"))
    yield lo
    lo.close()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/corpus`` (real files saved by Excel); skips with a message where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}); CI has it beside the clone")
    return CORPUS


class BuiltTemplates:
    """The template workbooks, each (kind, flavour, lang) built once per session on first use.

    ``path`` is the shared file: read it, never change it; ``copy`` gives a test its own file to change.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, kind: str, flavour: str = "native", lang: str = "en") -> Path:
        from gtm_xl.templates import build_template, file_name

        target = self.folder / file_name(kind, flavour, lang)
        if not target.exists():
            build_template(kind, flavour, lang, target)
        return target

    def bytes(self, kind: str, flavour: str = "native", lang: str = "en") -> bytes:
        return self.path(kind, flavour, lang).read_bytes()

    def copy(self, kind: str, flavour: str, lang: str, target: Path) -> Path:
        target = Path(target)
        target.write_bytes(self.bytes(kind, flavour, lang))
        return target


@pytest.fixture(scope="session")
def built_templates(tmp_path_factory) -> BuiltTemplates:
    """Every template built at most once per test session (per xdist worker), into one folder."""
    return BuiltTemplates(tmp_path_factory.mktemp("built-templates"))
