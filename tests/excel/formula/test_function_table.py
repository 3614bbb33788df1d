"""The documented list of Excel functions is the registry's: generated, and checked here."""

from __future__ import annotations

import runpy

from project_paths import ROOT


def test_the_documented_function_table_is_the_registry():
    script = runpy.run_path(str(ROOT / "scripts" / "function_table.py"))
    doc = (ROOT / "docs" / "readme" / "formula-engine.md").read_text(encoding="utf-8")
    assert script["block"]() in doc, "run: .venv/bin/python scripts/function_table.py --write"
