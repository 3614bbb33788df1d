"""A minimal .xlsx written part by part, as Excel lays it out, for the engine's reference tests:
worksheets from raw ``<sheetData>`` rows, and any extra parts (external links, tables) with their
relationships."""

from __future__ import annotations

import zipfile
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsx(
    path: Path,
    sheets: dict[str, str],
    workbook_extra: str = "",
    workbook_pr: str = "",
    workbook_rels: list[tuple[str, str, str]] = (),
    sheet_extra: dict[str, str] | None = None,
    sheet_rels: dict[str, list[tuple[str, str, str]]] | None = None,
    parts: dict[str, str] | None = None,
) -> Path:
    """``sheets``: name → the XML inside ``<sheetData>``; ``workbook_rels``: (id, type suffix,
    target) added to the workbook's; ``sheet_extra``/``sheet_rels``: per sheet, XML after
    ``</sheetData>`` and its relationships; ``parts``: other parts by name."""
    sheet_extra = sheet_extra or {}
    sheet_rels = sheet_rels or {}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{REL}"><Relationship Id="rId1" '
            f'Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        entries = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1))
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{R}">{workbook_pr}<sheets>{entries}</sheets>'
            f"{workbook_extra}</workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{R}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        rels += "".join(f'<Relationship Id="{i}" Type="{R}/{t}" Target="{tg}"/>' for i, t, tg in workbook_rels)
        z.writestr(
            "xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{REL}">{rels}</Relationships>'
        )
        for i, (name, data) in enumerate(sheets.items(), 1):
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0"?><worksheet xmlns="{NS}" xmlns:r="{R}"><sheetData>{data}</sheetData>'
                f"{sheet_extra.get(name, '')}</worksheet>",
            )
            if name in sheet_rels:
                rr = "".join(f'<Relationship Id="{i}" Type="{R}/{t}" Target="{tg}"/>' for i, t, tg in sheet_rels[name])
                z.writestr(
                    f"xl/worksheets/_rels/sheet{i}.xml.rels",
                    f'<?xml version="1.0"?><Relationships xmlns="{REL}">{rr}</Relationships>',
                )
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return path


def read_and_evaluate(path: Path):
    from gtm_xl.excel.formula import evaluate_workbook
    from gtm_xl.excel.ooxml.package import Package

    with Package(path) as pkg:
        book, _ = pkg.read_cells()
    return book, evaluate_workbook(book)
