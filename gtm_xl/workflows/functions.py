"""`gtm-xl functions`: the GTM functions as named LAMBDAs in any workbook, and as a module for
Excel Labs' Advanced Formula Environment.

:func:`install` adds the catalogue's LAMBDAs (:mod:`gtm_xl.lambdas`) to a user's own .xlsx/.xlsm
as workbook-level defined names, or updates those an older gtm-xl put there (the version is in
each name's comment). It changes ``xl/workbook.xml``'s ``<definedNames>`` and nothing else: every
other part of the package is copied with its compressed bytes, and the new file replaces the old
one atomically. A name already used for something else (a range, a constant, someone's own
LAMBDA, a sheet-level name) is never overwritten: the whole install is refused, naming each clash.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from gtm_xl.catalogue import CATALOGUE
from gtm_xl.excel.ooxml.package import Package
from gtm_xl.excel.ooxml.workbook_xml import defined_names, element_prefix, upsert_defined_names
from gtm_xl.lambdas import DEFINITIONS, MARK, VERSION, comment, defined_name_xml, stored

__all__ = ["InstallReport", "NameClash", "export_module", "install"]

_MARK_VERSION = re.compile(re.escape(MARK) + r"\s+(\d+(?:\.\d+)*)")


class NameClash(Exception):
    """A GTM function name is already taken in the workbook by something gtm-xl did not put there."""


@dataclass
class InstallReport:
    path: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    newer: list[str] = field(default_factory=list)  # a later gtm-xl's definition: left alone

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def _version(text: str) -> tuple[int, ...] | None:
    m = _MARK_VERSION.search(text or "")
    return tuple(int(x) for x in m.group(1).split(".")) if m else None


def install(path: str | os.PathLike, names: list[str] | None = None) -> InstallReport:
    """Add or update the GTM named LAMBDAs in the workbook at ``path`` (all of the catalogue, or
    ``names``). Raises :class:`NameClash` (nothing written) where a name is taken by something
    else, :class:`~gtm_xl.excel.ooxml.package.PackageError` for a file that is not a workbook."""
    path = Path(path)
    wanted = [n.upper() for n in (names or list(CATALOGUE))]
    unknown = [n for n in wanted if n not in CATALOGUE]
    if unknown:
        raise KeyError(f"not GTM functions: {', '.join(unknown)}")
    report = InstallReport(path)
    ours = tuple(int(x) for x in VERSION.split("."))
    with Package(path) as pkg:
        part = pkg.workbook_part
        xml = pkg.part(part)
        sheets = list(pkg.sheet_parts)
        by_name: dict[str, list] = {}
        for d in defined_names(xml):
            by_name.setdefault(d.name.upper(), []).append(d)
        clashes, elements = [], {}
        prefix = element_prefix(xml)
        for name in wanted:
            found = by_name.get(name, [])
            scoped = [d for d in found if d.sheet_scoped]
            book = [d for d in found if not d.sheet_scoped]
            for d in scoped:
                index = int(d.attributes["localSheetId"])
                sheet = sheets[index] if 0 <= index < len(sheets) else f"sheet #{index + 1}"
                clashes.append(f"{name} is a name of sheet '{sheet}' (refers to ={d.text})")
            if not book:
                elements[name] = defined_name_xml(name, prefix).encode()
                report.added.append(name)
                continue
            have = _version(book[0].attributes.get("comment", ""))
            if have is None:
                clashes.append(f"{name} is already defined in this workbook (refers to ={book[0].text})")
            elif have > ours:
                report.newer.append(name)
            elif (
                have == ours
                and book[0].text == stored(DEFINITIONS[name])
                and book[0].attributes.get("comment") == comment(name)
            ):
                report.unchanged.append(name)
            else:
                elements[name] = defined_name_xml(name, prefix).encode()
                report.updated.append(name)
        if clashes:
            raise NameClash(
                f"{path}: not installed, nothing changed — "
                + "; ".join(clashes)
                + ". Rename or delete these names (Formulas › Name Manager) and run again."
            )
        if elements:
            pkg.save(path, {part: upsert_defined_names(xml, elements)})
    return report


def export_module(names: list[str] | None = None) -> str:
    """The definitions as a module of Excel Labs' Advanced Formula Environment: ``Name = LAMBDA(…);``
    each after a ``/** … */`` comment (the description, the arguments, the version)."""
    chunks = [
        f"// GTM functions for Excel (gtm-xl, {MARK} {VERSION}).",
        "// Import into Excel Labs › Advanced Formula Environment › Modules, or paste into a module.",
        "",
    ]
    for name in names or list(CATALOGUE):
        entry = CATALOGUE[name]
        lines = [entry.summary, ""]
        lines += [f"@param {'[' + p.name + ']' if p.optional else p.name} {p.doc}" for p in entry.params]
        lines.append(f"@example {entry.example[0]} → {entry.example[1]}")
        doc = "\n".join(f" * {x}".rstrip() for x in lines)
        chunks.append(f"/**\n{doc}\n */\n{name} = {DEFINITIONS[name]};\n")
    return "\n".join(chunks)
