"""The table of Excel functions the headless engine computes, generated from THE registry.

    .venv/bin/python scripts/function_table.py           # print the Markdown table
    .venv/bin/python scripts/function_table.py --write   # refresh it in docs/readme/formula-engine.md

The document holds it between ``<!-- functions:start -->`` and ``<!-- functions:end -->``; a test
fails when the two drift apart (a function added to the registry and not to the document).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from gtm_xl.excel.formula.functions.registry import BUILTINS

DOC = Path(__file__).resolve().parents[1] / "docs" / "readme" / "formula-engine.md"
START, END = "<!-- functions:start -->", "<!-- functions:end -->"


def table() -> str:
    """One row per functions module (the category), its function names in alphabetical order."""
    groups: dict[str, list[str]] = defaultdict(list)
    for name, entry in BUILTINS.items():
        module = entry.fn.__module__.rsplit(".", 1)[-1] if entry.fn is not None else "evaluator (references)"
        groups[module].append(name)
    lines = [f"{len(BUILTINS)} functions.", "", "| module | count | functions |", "|---|---|---|"]
    for module in sorted(groups):
        names = sorted(groups[module])
        lines.append(f"| `{module}` | {len(names)} | {', '.join(names)} |")
    return "\n".join(lines)


def block() -> str:
    return f"{START}\n{table()}\n{END}"


def main(argv: list[str]) -> int:
    if "--write" not in argv:
        print(table())
        return 0
    text = DOC.read_text(encoding="utf-8")
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block() + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## The functions the engine computes\n\n" + block() + "\n"
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
