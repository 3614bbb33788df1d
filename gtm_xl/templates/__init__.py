"""The template workbooks (docs/SPEC.md, section 3), built by code in three flavours and two languages.

``build_template("budget_by_tier", "native", "en", path)`` writes one file;
``build_all(out_dir)`` writes every template × flavour. Each template module exposes
``TEMPLATE_ID``, ``VERSION``, ``NAMES`` (defined name → :class:`NameInfo`: kind "input" or
"output" and meaning — the interface the refresh, distribution and roll-up use), ``build`` and
``compute`` (the outputs from the inputs by gtm_xl's math, which both flavours must reproduce).
Builds are deterministic: the same code and options give byte-identical files.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from gtm_xl.templates.layout import TEMPLATE_NAME, Builder, NameInfo, deterministic_bytes, save_atomic

__all__ = [
    "TEMPLATES",
    "FLAVOURS",
    "LANGS",
    "TEMPLATE_NAME",
    "NameInfo",
    "build_template",
    "build_all",
    "file_name",
    "template_module",
]

#: template ids, each the name of its module in this package
TEMPLATES: tuple[str, ...] = ("scoring_matrix", "budget_by_tier", "kpi_scorecard")
FLAVOURS = ("udf", "native", "lambda")
LANGS = ("en", "zh")


def template_module(kind: str) -> ModuleType:
    """The module of a template id; unknown ids raise KeyError listing the known ones."""
    if kind not in TEMPLATES:
        raise KeyError(f"unknown template {kind!r}; known: {', '.join(TEMPLATES)}")
    return importlib.import_module(f"gtm_xl.templates.{kind}")


def file_name(kind: str, flavour: str, lang: str = "en") -> str:
    """``scoring_matrix_native.xlsx``; the Chinese build adds ``_zh``."""
    return f"{kind}_{flavour}{'' if lang == 'en' else '_' + lang}.xlsx"


def workbook_bytes(kind: str, flavour: str, lang: str = "en") -> bytes:
    """The template as deterministic .xlsx bytes."""
    module = template_module(kind)
    builder = Builder(module.TEMPLATE_ID, module.VERSION, module.NAMES, flavour, lang)
    module.build(builder)
    return deterministic_bytes(builder.finish(), dynamic_arrays=flavour == "lambda")


def build_template(kind: str, flavour: str, lang: str, path: str | os.PathLike) -> Path:
    """Build one template into ``path`` (written beside and renamed into place)."""
    return save_atomic(workbook_bytes(kind, flavour, lang), path)


def build_all(out_dir: str | os.PathLike, flavours: Iterable[str] = FLAVOURS, lang: str = "en") -> list[Path]:
    """Build every template in each flavour into ``out_dir``; returns the paths written."""
    out = Path(out_dir)
    return [
        build_template(kind, flavour, lang, out / file_name(kind, flavour, lang))
        for kind in TEMPLATES
        for flavour in flavours
    ]
