"""Render pictures of the template workbooks for the README: build each template (native flavour,
English, the example plan), let LibreOffice recalculate and export it to PDF, turn the pages into
PNG with pdftoppm (poppler-utils), and lay the pages after the Instructions sheet out on one
picture per template: ``docs/<template>.png``; then roll up regional copies of the budget by tier (the
example regions) and of the KPI scorecard and draw the roll-up workbooks the same way:
``docs/rollup_<template>.png`` (the views, the Checks sheet's first page and the Status board).

    python docs/render.py [--out docs] [--lang en] [--dpi 60] [--rollup-only]

Needs LibreOffice (soffice), pdftoppm and Pillow (``pip install -e ".[docs]"``), which trims the
page margins and puts the pages side by side. Without Pillow it says so and keeps each page as
``docs/<template>-<n>.png`` instead of the committed ``docs/<template>.png``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gtm_xl.excel.libreoffice import LibreOffice  # noqa: E402
from gtm_xl.templates import TEMPLATES, build_template, file_name  # noqa: E402


def pdf_pages(pdf: Path, dpi: int, workdir: Path) -> list[Path]:
    """The PDF's pages as PNG files, in page order."""
    prefix = workdir / pdf.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(workdir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def montage(pages: list[Path], target: Path, columns: int = 2) -> Path:
    """Trim each page to its content and lay them out in columns (top to bottom, then across)."""
    from PIL import Image, ImageChops

    images = []
    for page in pages:
        im = Image.open(page).convert("RGB")
        box = ImageChops.difference(im, Image.new("RGB", im.size, "white")).getbbox()
        if box:
            pad = 12
            im = im.crop(
                (max(box[0] - pad, 0), max(box[1] - pad, 0), min(box[2] + pad, im.width), min(box[3] + pad, im.height))
            )
        images.append(im)
    # balance the columns by height, keeping page order
    total = sum(i.height for i in images)
    cols: list[list] = [[]]
    for im in images:
        if sum(i.height for i in cols[-1]) > total / columns and len(cols) < columns:
            cols.append([])
        cols[-1].append(im)
    width = sum(max(i.width for i in col) for col in cols) + 20 * (len(cols) - 1)
    height = max(sum(i.height for i in col) for col in cols)
    sheet = Image.new("RGB", (width, height), "white")
    x = 0
    for col in cols:
        y = 0
        for im in col:
            sheet.paste(im, (x, y))
            y += im.height
        x += max(i.width for i in col) + 20
    sheet.save(target, optimize=True)
    return target


def render(out: Path, lang: str = "en", dpi: int = 60) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="gtm-xl-render-") as tmp, LibreOffice() as lo:
        work = Path(tmp)
        books = [build_template(kind, "native", lang, work / file_name(kind, "native", lang)) for kind in TEMPLATES]
        pdfs = lo.convert(books, "pdf", work / "pdf")
        for kind, pdf in zip(TEMPLATES, pdfs):
            pages = pdf_pages(pdf, dpi, work)[1:]  # page 1 is the Instructions sheet
            suffix = "" if lang == "en" else f"_{lang}"
            try:
                written.append(montage(pages, out / f"{kind}{suffix}.png"))
            except ImportError:
                print(f"Pillow is missing (pip install -e '.[docs]'): {kind} kept as one PNG per page", file=sys.stderr)
                for n, page in enumerate(pages, 1):
                    written.append(Path(shutil.copy(page, out / f"{kind}{suffix}-{n}.png")))
    return written


#: the KPI regions of the roll-up picture: starting MRR, acquisition spend, new customers, ARPA, actuals
KPI_REGIONS = (
    "region,name,mrr_start,acquisition_spend,new_customers,arpa\n"
    "EMEA,Europe Middle East & Africa,1000000,7560000,420,2000\n"
    "APAC,Asia Pacific,400000,2000000,150,1500\n"
    "NA,North America,2500000,12000000,500,3000\n"
)
#: each region's KPI actuals: the example's, scaled (rates stay within 0–100%)
KPI_SCALE = {"EMEA": 1.04, "APAC": 0.9, "NA": 0.97}


def kpi_rows() -> str:
    from gtm_xl.templates import example as ex

    lines = ["region,kpi_actual"]
    for region, f in KPI_SCALE.items():
        for k in ex.KPIS:
            v = k[5] * f
            lines.append(f"{region},{min(v, 1.0) if k[2] == 'percent' else round(v)}")
    return "\n".join(lines) + "\n"


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def render_rollups(out: Path, lang: str = "en", dpi: int = 60) -> list[Path]:
    """Roll up the example regions' budget-by-tier copies and three KPI scorecards; draw the views,
    the first page of Checks and the Status board of each roll-up workbook."""
    from gtm_xl.data import DATA_DIR
    from gtm_xl.workflows.distribute import distribute
    from gtm_xl.workflows.rollup.job import rollup

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="gtm-xl-render-rollup-") as tmp, LibreOffice() as lo:
        work = Path(tmp)
        (work / "kpi_regions.csv").write_text(KPI_REGIONS, encoding="utf-8")
        (work / "kpi_rows.csv").write_text(kpi_rows(), encoding="utf-8")
        books = []
        for kind, regions, rows in (
            ("budget_by_tier", DATA_DIR / "regions_example.csv", DATA_DIR / "industries_example.csv"),
            ("kpi_scorecard", work / "kpi_regions.csv", work / "kpi_rows.csv"),
        ):
            template = build_template(kind, "udf", lang, work / file_name(kind, "udf", lang))
            sent = distribute(template, regions, work / kind, rows_path=rows)
            book = work / f"rollup_{kind}.xlsx"
            rollup([work / kind / f.file for f in sent.files], book, manifest=sent.manifest)
            books.append((kind, book))
        pdfs = lo.convert([b for _, b in books], "pdf", work / "pdf")
        for (kind, _), pdf in zip(books, pdfs):
            texts = page_texts(pdf)
            pages = pdf_pages(pdf, dpi, work)
            keep, seen = [], set()
            for page, text in zip(pages, texts):
                head = text.strip().splitlines()[0].strip() if text.strip() else ""
                if head.startswith(("block", "region")):  # the tidy Totals and Data sheets: for BI tools
                    continue
                if head.startswith(("Checks: totals", "校验：合计")) and head in seen:
                    continue  # the first page of the Checks sheet is enough for a picture
                seen.add(head)
                keep.append(page)
            suffix = "" if lang == "en" else f"_{lang}"
            written.append(montage(keep, out / f"rollup_{kind}{suffix}.png", columns=3))
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--rollup-only", action="store_true", help="draw the roll-up pictures only")
    args = parser.parse_args()
    paths = [] if args.rollup_only else render(Path(args.out), args.lang, args.dpi)
    for path in paths + render_rollups(Path(args.out), args.lang, args.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
