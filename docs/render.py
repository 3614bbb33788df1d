"""Render pictures of the template workbooks for the README: build each template (native flavour,
English, the example plan), let LibreOffice recalculate and export it to PDF, turn the pages into
PNG with pdftoppm (poppler-utils), and lay the pages after the Instructions sheet out on one
picture per template: ``docs/<template>.png``.

    python docs/render.py [--out docs] [--lang en] [--dpi 60]

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    for path in render(Path(args.out), args.lang, args.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
