"""Build ``gtm_xl.xlam``: the GTM ribbon tab and the ``GTM_*`` functions in one Excel add-in.

Everything comes from text, so the add-in is built on any platform, byte for byte the same
each time (fixed timestamps, IDs and zip entry order)::

    gtm_xl.xlam
    ├── [Content_Types].xml, _rels/.rels      the package; .rels points at the customUI part
    ├── customUI/customUI14.xml               udfs/ribbon/customUI14.xml (tab "GTM")
    ├── docProps/core.xml, docProps/app.xml
    └── xl/
        ├── workbook.xml                      one hidden-by-Excel add-in sheet, codeName ThisWorkbook
        ├── worksheets/sheet1.xml             "_gtm_xl.conf": xlwings' configuration keys, defaults
        ├── sharedStrings.xml
        ├── styles.xml, theme/theme1.xml      from xlwings' quickstart_addin_ribbon.xlam
        └── vbaProject.bin                    modules, source only (Excel compiles on load):
              ThisWorkbook, Sheet1            document modules
              xlwings                         xlwings' custom add-in VBA, PROJECT_NAME "gtm_xl"
              Dictionary                      xlwings' Dictionary class (used on macOS)
              GtmRibbon                       udfs/ribbon/GtmRibbon.bas (ribbon callbacks)
              xlwings_udfs                    xlwings' own wrappers of udfs.gtm_functions
              GtmFunctionHelp                 Insert Function help (MacroOptions), run on open

With PROJECT_NAME "gtm_xl", xlwings' VBA reads its settings from ``gtm_xl.conf``: a sheet of
that name in the active workbook, ``gtm_xl.conf`` beside it, then the user's
``%USERPROFILE%\\.gtm_xl\\gtm_xl.conf`` (see :func:`user_config_lines`). The add-in's own sheet is
``_gtm_xl.conf``: the leading underscore keeps it inactive (xlwings' convention for custom
add-ins), so its empty interpreter keys never override the user's file.
"""

from __future__ import annotations

import io
import os
import re
import sys
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

import olefile
from lxml import etree

from gtm_xl import __version__
from gtm_xl.adapters.udf_wrappers import UDF_MODULE, load_udf_module, vba_wrappers
from gtm_xl.excel.atomic import write_atomic
from gtm_xl.excel.vba.project import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Module,
    build_vba_project,
    class_module_source,
    decompress,
    document_module_source,
)

__all__ = [
    "ADDIN_FILENAME",
    "PROJECT_NAME",
    "RIBBON_DIR",
    "CUSTOMUI_PATH",
    "RIBBON_MODULE_PATH",
    "AddinError",
    "build_addin",
    "addin_bytes",
    "vba_modules",
    "xlwings_vba",
    "udf_module_vba",
    "config_rows",
    "user_config_lines",
    "user_config_path",
    "write_user_config",
    "ribbon_buttons",
    "RibbonButton",
    "AddinBuild",
    "read_build_info",
    "vba_xlwings_version",
]

PROJECT_NAME = "gtm_xl"  # VBA project name and xlwings' PROJECT_NAME: settings come from gtm_xl.conf
ADDIN_FILENAME = f"{PROJECT_NAME}.xlam"
CONFIG_SHEET = f"_{PROJECT_NAME}.conf"
RIBBON_DIR = Path(str(resources.files("udfs.ribbon")))
CUSTOMUI_PATH = RIBBON_DIR / "customUI14.xml"
RIBBON_MODULE_PATH = RIBBON_DIR / "GtmRibbon.bas"
PROJECT_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/gtm-xl/#vbaproject")).upper() + "}"
BUILD_TIME = "2026-01-01T00:00:00Z"  # docProps dates: fixed, so two builds are identical
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"


class AddinError(RuntimeError):
    """The add-in cannot be built (missing xlwings files, unexpected xlwings VBA)."""


# --- VBA modules ------------------------------------------------------------------------------
def xlwings_dir() -> Path:
    import xlwings  # on use: building the add-in is the one job here that reads xlwings' files

    return Path(xlwings.__file__).resolve().parent


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("cp1252")
    except OSError as exc:
        raise AddinError(f"cannot read {path}: {exc.strerror}") from exc


def xlwings_vba(project_name: str = PROJECT_NAME) -> str:
    """xlwings' VBA for custom add-ins (``xlwings_custom_addin.bas``) with ``PROJECT_NAME`` set.

    This is the file ``xlwings quickstart NAME --addin`` templates use: it works on
    ``ActiveWorkbook`` rather than on the add-in itself. Only the one constant is changed.
    """
    path = xlwings_dir() / "xlwings_custom_addin.bas"
    text = _read(path)
    pattern = re.compile(r'^Public Const PROJECT_NAME As String = "[^"]*"', re.M)
    if len(pattern.findall(text)) != 1:
        raise AddinError(f"{path}: expected exactly one PROJECT_NAME constant")
    return pattern.sub(f'Public Const PROJECT_NAME As String = "{project_name}"', text)


_XLWINGS_VERSION = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.M)


def vba_xlwings_version(source: str) -> str:
    """The ``XLWINGS_VERSION`` constant of xlwings' VBA source (the DLL version it loads)."""
    m = _XLWINGS_VERSION.search(source)
    if m is None:
        raise AddinError("xlwings' VBA has no XLWINGS_VERSION constant")
    return m.group(1)


@dataclass(frozen=True)
class AddinBuild:
    """What a built add-in says of itself: the gtm-xl that built it (``docProps/core.xml``
    ``cp:version``) and the xlwings its VBA comes from (the ``xlwings`` module's constant)."""

    gtm_xl: str
    xlwings: str


def read_build_info(path: str | os.PathLike) -> AddinBuild:
    """Read :class:`AddinBuild` from an ``.xlam`` file: an :class:`AddinError` names what is
    missing (not a zip, no version property, no xlwings module)."""
    try:
        with zipfile.ZipFile(path) as z:
            core, vba = z.read("docProps/core.xml"), z.read("xl/vbaProject.bin")
        m = re.search(rb"<cp:version>([^<]+)</cp:version>", core)
        if m is None:
            raise AddinError(f"{path}: docProps/core.xml has no cp:version (not built by gtm-xl)")
        with olefile.OleFileIO(vba) as ole:
            source = decompress(ole.openstream("VBA/xlwings").read()).decode("cp1252")
    except (KeyError, OSError, zipfile.BadZipFile, ValueError) as exc:
        raise AddinError(f"{path}: not a readable gtm-xl add-in ({exc})") from exc
    return AddinBuild(m.group(1).decode(), vba_xlwings_version(source))


def udf_module_vba() -> str:
    """The ``xlwings_udfs`` module exactly as xlwings' ``import_udfs`` writes it for this add-in:
    its three header lines, then :func:`xlwings.udfs.generate_vba_wrapper` over the UDF module."""
    header = (
        'Attribute VB_Name = "xlwings_udfs"\n'
        "'Autogenerated code by xlwings - changes will be lost with next import!\n"
        """#Const App = "Microsoft Excel" 'Adjust when using outside of Excel\n"""
    )
    return header + vba_wrappers(UDF_MODULE, workbook_name=ADDIN_FILENAME)


def _vba_string(text: str) -> str:
    """A VBA string expression for ``text``: quotes doubled, characters outside cp1252 as ChrW."""
    pieces, plain = [], ""
    for ch in text:
        try:
            ch.encode("cp1252")
            plain += '""' if ch == '"' else ch
        except UnicodeEncodeError:
            if plain:
                pieces.append(f'"{plain}"')
                plain = ""
            pieces.append(f"ChrW(&H{ord(ch):04X})")
    if plain or not pieces:
        pieces.append(f'"{plain}"')
    return " & ".join(pieces)


def function_help() -> list[tuple[str, str, str, list[str]]]:
    """(name, description, category, argument descriptions) per UDF: what xlwings' ``import_udfs``
    hands to ``Application.MacroOptions``, from the same metadata and with its 255-character cuts."""
    module = load_udf_module()
    out = []
    for name in sorted(vars(module)):
        xlfunc = getattr(getattr(module, name), "__xlfunc__", None)
        if xlfunc is None:
            continue
        out.append(
            (
                xlfunc["name"],
                xlfunc["ret"]["doc"][:255],
                xlfunc["category"],
                [arg["doc"][:255] for arg in xlfunc["args"] if not arg["vba"]],
            )
        )
    return out


def function_help_vba() -> str:
    """The ``GtmFunctionHelp`` module: registers each GTM_* function's description, category and
    argument help with ``Application.MacroOptions`` — what "Import Functions" would do — so the
    Insert Function dialog explains them without that click. ThisWorkbook calls it on open."""
    lines = [
        'Attribute VB_Name = "GtmFunctionHelp"',
        "' Generated by gtm-xl from the UDF metadata of udfs.gtm_functions: the descriptions xlwings'",
        "' Import Functions would register. Called from ThisWorkbook's Workbook_Open.",
        "Option Explicit",
        "",
        "Sub RegisterGtmFunctions()",
        "    Dim args() As String",
    ]
    for name, description, category, arg_docs in function_help():
        if arg_docs:
            lines.append(f"    ReDim args(1 To {len(arg_docs)})")
            lines += [f"    args({i}) = {_vba_string(doc)}" for i, doc in enumerate(arg_docs, start=1)]
        lines.append(f'    Application.MacroOptions Macro:="\'" & ThisWorkbook.Name & "\'!{name}", _')
        lines.append(f"        Description:={_vba_string(description)}, _")
        lines.append(
            f"        Category:={_vba_string(category)}" + (", ArgumentDescriptions:=args" if arg_docs else "")
        )
    lines += ["End Sub", ""]
    return "\r\n".join(lines)


_THIS_WORKBOOK_CODE = """Option Explicit

Private Sub Workbook_Open()
    ' Function help is a convenience: it must never stop the add-in from loading.
    On Error Resume Next
    RegisterGtmFunctions
    ThisWorkbook.Saved = True
End Sub
"""


def vba_modules() -> list[Module]:
    """The add-in's VBA modules, in project order."""
    return [
        Module("ThisWorkbook", document_module_source("ThisWorkbook", WORKBOOK_BASE, _THIS_WORKBOOK_CODE), "document"),
        Module("Sheet1", document_module_source("Sheet1", WORKSHEET_BASE), "document"),
        Module("xlwings", xlwings_vba(), "standard"),
        Module("Dictionary", class_module_source(_read(xlwings_dir() / "addin" / "Dictionary.cls")), "class"),
        Module("GtmRibbon", _read(RIBBON_MODULE_PATH), "standard"),
        Module("xlwings_udfs", udf_module_vba(), "standard"),
        Module("GtmFunctionHelp", function_help_vba(), "standard"),
    ]


# --- the configuration sheet -----------------------------------------------------------------
def config_rows() -> list[tuple[str, object]]:
    """Key/value rows of ``_gtm_xl.conf`` (xlwings' keys; interpreter keys left for the user)."""
    return [
        ("Interpreter_Win", ""),
        ("Interpreter_Mac", ""),
        ("PYTHONPATH", ""),
        ("Conda Path", ""),
        ("Conda Env", ""),
        ("UDF Modules", UDF_MODULE),
        ("Debug UDFs", False),
        ("Use UDF Server", False),
        ("Show Console", False),
    ]


_CONFIG_NOTES = [
    "gtm-xl add-in settings (xlwings keys). This sheet is inactive: its name starts with an underscore.",
    "Set the interpreter in %USERPROFILE%\\.gtm_xl\\gtm_xl.conf: run  gtm-xl addin config  and paste its lines.",
    "To make these values the add-in's defaults instead, rename this sheet to gtm_xl.conf (Excel: Alt+F11).",
    f"Built by gtm-xl {__version__}.",
]


def user_config_path(platform: str = sys.platform) -> str:
    """Where xlwings' VBA looks for the user's settings of this add-in."""
    if platform == "darwin":
        return f"~/Library/Containers/com.microsoft.Excel/Data/{PROJECT_NAME}.conf"
    return f"%USERPROFILE%\\.{PROJECT_NAME}\\{PROJECT_NAME}.conf"


def user_config_lines(interpreter: str | None = None, platform: str = sys.platform) -> list[str]:
    """The lines of the user's ``gtm_xl.conf``, in the ``"KEY","VALUE"`` form VBA's ``Input #`` reads.

    ``interpreter`` defaults to this Python when it runs on Windows or macOS (the one with
    gtm-xl installed); elsewhere a placeholder the user replaces.
    """
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    if interpreter is None:
        if platform == "win32" or platform == "darwin":
            interpreter = sys.executable
        else:
            interpreter = r"C:\path\to\python.exe"
    if '"' in interpreter:
        raise AddinError("the interpreter path may not contain a double quote")
    return [f'"{key}","{interpreter}"', f'"UDF MODULES","{UDF_MODULE}"']


def write_user_config(lines: Sequence[str], path: Path | None = None) -> Path:
    """Merge ``lines`` (``"KEY","VALUE"``) into the user's ``gtm_xl.conf``: keys already there are
    replaced in place, other lines kept, new keys appended; written atomically."""
    if path is None:
        path = Path(
            os.path.expandvars(user_config_path())
            if sys.platform == "win32"
            else os.path.expanduser(
                user_config_path() if sys.platform == "darwin" else f"~/.{PROJECT_NAME}/{PROJECT_NAME}.conf"
            )
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def key(line: str) -> str:
        return line.split(",", 1)[0].strip().strip('"').upper()

    new = {key(line): line for line in lines}
    old = path.read_text(encoding="cp1252").splitlines() if path.exists() else []
    merged = [new.pop(key(line)) if key(line) in new else line for line in old]
    merged += list(new.values())
    text = "\r\n".join(merged) + "\r\n"
    return write_atomic(path, text.encode("cp1252"))


# --- the ribbon as data (for tests, docs and the picture) -------------------------------------
@dataclass(frozen=True)
class RibbonButton:
    group: str
    id: str
    label: str
    image: str
    on_action: str | None
    keytip: str
    screentip: str
    supertip: str
    menu: str | None = None  # label of the menu holding the button


def ribbon_buttons(customui: bytes | None = None) -> list[RibbonButton]:
    """Every button and menu of the customUI, in ribbon order (menus before their items)."""
    root = etree.fromstring(customui if customui is not None else CUSTOMUI_PATH.read_bytes())
    ns = {"c": CUSTOMUI_NS}
    out = []
    for group in root.iterfind(".//c:group", ns):
        for ctl in group.iter(f"{{{CUSTOMUI_NS}}}button", f"{{{CUSTOMUI_NS}}}menu"):
            parent = ctl.getparent()
            menu = parent.get("label") if parent.tag == f"{{{CUSTOMUI_NS}}}menu" else None
            out.append(
                RibbonButton(
                    group.get("label"),
                    ctl.get("id"),
                    ctl.get("label"),
                    ctl.get("imageMso"),
                    ctl.get("onAction"),
                    ctl.get("keytip"),
                    ctl.get("screentip"),
                    ctl.get("supertip"),
                    menu,
                )
            )
    return out


# --- package parts ----------------------------------------------------------------------------
_CT = "application/vnd.openxmlformats-officedocument"


def _content_types() -> str:
    overrides = [
        ("/xl/workbook.xml", "application/vnd.ms-excel.addin.macroEnabled.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{_CT}.spreadsheetml.worksheet+xml"),
        ("/xl/sharedStrings.xml", f"{_CT}.spreadsheetml.sharedStrings+xml"),
        ("/xl/styles.xml", f"{_CT}.spreadsheetml.styles+xml"),
        ("/xl/theme/theme1.xml", f"{_CT}.theme+xml"),
        ("/xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{_CT}.extended-properties+xml"),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def _rels(rels: Sequence[tuple[str, str, str]]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
        + "</Relationships>"
    )


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _root_rels() -> str:
    return _rels(
        [
            ("rId1", f"{_R}/officeDocument", "xl/workbook.xml"),
            (
                "rId2",
                "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                "docProps/core.xml",
            ),
            ("rId3", f"{_R}/extended-properties", "docProps/app.xml"),
            (
                "rId4",
                "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
                "customUI/customUI14.xml",
            ),
        ]
    )


def _workbook_rels() -> str:
    return _rels(
        [
            ("rId1", f"{_R}/worksheet", "worksheets/sheet1.xml"),
            ("rId2", f"{_R}/theme", "theme/theme1.xml"),
            ("rId3", f"{_R}/styles", "styles.xml"),
            ("rId4", f"{_R}/sharedStrings", "sharedStrings.xml"),
            ("rId5", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin"),
        ]
    )


def _workbook() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_R}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView visibility="hidden" activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{escape(CONFIG_SHEET)}" sheetId="1" r:id="rId1"/></sheets>'
        '<calcPr calcId="191029"/>'
        "</workbook>"
    )


def _sheet_and_strings() -> tuple[str, str]:
    strings: list[str] = []

    def sst(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    rows = []
    notes = dict(enumerate(_CONFIG_NOTES, start=1))
    for r, (key, value) in enumerate(config_rows(), start=1):
        cells = [f'<c r="A{r}" t="s"><v>{sst(key)}</v></c>']
        if isinstance(value, bool):
            cells.append(f'<c r="B{r}" t="b"><v>{int(value)}</v></c>')
        elif value != "":
            cells.append(f'<c r="B{r}" t="s"><v>{sst(str(value))}</v></c>')
        if r in notes:
            cells.append(f'<c r="D{r}" t="s"><v>{sst(notes[r])}</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_R}">'
        '<sheetPr codeName="Sheet1"/>'
        f'<dimension ref="A1:D{len(rows)}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="1" width="18" customWidth="1"/>'
        '<col min="2" max="2" width="22" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    return sheet, shared


def _core() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>GTM add-in</dc:title>"
        "<dc:description>GTM ribbon tab and GTM_* functions (xlwings), built by gtm-xl</dc:description>"
        "<dc:creator>gtm-xl</dc:creator>"
        f"<cp:version>{escape(__version__)}</cp:version>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{BUILD_TIME}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{BUILD_TIME}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application><AppVersion>16.0300</AppVersion>"
        "</Properties>"
    )


def _template_part(name: str) -> bytes:
    """A part of xlwings' ribbon add-in template (styles, theme)."""
    path = xlwings_dir() / "quickstart_addin_ribbon.xlam"
    try:
        with zipfile.ZipFile(path) as z:
            return z.read(name)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise AddinError(f"{path}: cannot read {name}: {exc}") from exc


def addin_parts() -> list[tuple[str, bytes]]:
    """The package parts of the add-in, in the order they are zipped."""
    sheet, shared = _sheet_and_strings()
    vba = build_vba_project(PROJECT_NAME, vba_modules(), project_id=PROJECT_ID)
    return [
        ("[Content_Types].xml", _content_types().encode()),
        ("_rels/.rels", _root_rels().encode()),
        ("docProps/app.xml", _app().encode()),
        ("docProps/core.xml", _core().encode()),
        ("customUI/customUI14.xml", CUSTOMUI_PATH.read_bytes()),
        ("xl/workbook.xml", _workbook().encode()),
        ("xl/_rels/workbook.xml.rels", _workbook_rels().encode()),
        ("xl/worksheets/sheet1.xml", sheet.encode()),
        ("xl/sharedStrings.xml", shared.encode()),
        ("xl/styles.xml", _template_part("xl/styles.xml")),
        ("xl/theme/theme1.xml", _template_part("xl/theme/theme1.xml")),
        ("xl/vbaProject.bin", vba),
    ]


def addin_bytes() -> bytes:
    """The add-in file's bytes: a zip with fixed entry order, timestamps and attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in addin_parts():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def build_addin(out_dir: Path) -> Path:
    """Write ``out_dir/gtm_xl.xlam`` (through a temp file beside it, then a rename); return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / ADDIN_FILENAME
    return write_atomic(target, addin_bytes())


# --- a picture of the ribbon, drawn from the customUI -----------------------------------------
_GLYPHS = {  # imageMso → a symbol standing in for Office's icon in the picture
    "RefreshAll": "\u21bb",
    "DataValidation": "\u2713",
    "TableInsert": "\u25a6",
    "ChartTypeBarInsertGallery": "\u2261",
    "PercentStyle": "%",
    "ChartTypeLineInsertGallery": "\u223f",
    "Copy": "\u29c9",
    "AutoSum": "\u03a3",
    "Info": "i",
}


def ribbon_svg(customui: bytes | None = None) -> str:
    """An SVG picture of the GTM tab: groups, large buttons with keytips, the open template menu.

    Office draws the real icons (``imageMso``); the picture stands a symbol in for each.
    """
    buttons = ribbon_buttons(customui)
    groups: list[tuple[str, list[RibbonButton]]] = []
    for b in buttons:
        if b.menu is not None:
            continue
        if not groups or groups[-1][0] != b.group:
            groups.append((b.group, []))
        groups[-1][1].append(b)
    items = [b for b in buttons if b.menu is not None]
    w_btn, x = 96, 12
    parts = []
    menu_x = None
    for label, members in groups:
        width = w_btn * len(members) + 8
        parts.append(f'<rect x="{x}" y="44" width="{width}" height="112" fill="#fff" stroke="#d0d0d0"/>')
        parts.append(f'<text x="{x + width / 2}" y="150" class="group">{escape(label)}</text>')
        for i, b in enumerate(members):
            bx = x + 4 + i * w_btn
            cx = bx + w_btn / 2
            parts.append(f'<rect x="{cx - 18}" y="54" width="36" height="36" rx="6" fill="#217346"/>')
            parts.append(f'<text x="{cx}" y="80" class="glyph">{escape(_GLYPHS.get(b.image, "?"))}</text>')
            label_text = b.label + (" \u25be" if b.on_action is None else "")
            words = label_text.split(" ")
            mid = (len(words) + 1) // 2
            for k, line in enumerate([" ".join(words[:mid]), " ".join(words[mid:])]):
                if line:
                    parts.append(f'<text x="{cx}" y="{106 + 13 * k}" class="label">{escape(line)}</text>')
            parts.append(
                f'<rect x="{cx + 10}" y="84" width="{8 + 7 * len(b.keytip)}" height="14" rx="2" '
                f'fill="#444"/><text x="{cx + 14 + 3.5 * len(b.keytip)}" y="95" class="keytip">'
                f"{escape(b.keytip)}</text>"
            )
            if b.on_action is None:
                menu_x = bx
        x += width + 6
    height = 170
    if items and menu_x is not None:
        top = 156
        parts.append(
            f'<rect x="{menu_x}" y="{top}" width="210" height="{8 + 26 * len(items)}" fill="#fff" stroke="#a0a0a0"/>'
        )
        for k, b in enumerate(items):
            y = top + 6 + 26 * k
            parts.append(f'<rect x="{menu_x + 8}" y="{y + 2}" width="18" height="18" rx="3" fill="#217346"/>')
            parts.append(
                f'<text x="{menu_x + 17}" y="{y + 16}" class="small-glyph">{escape(_GLYPHS.get(b.image, "?"))}</text>'
            )
            parts.append(f'<text x="{menu_x + 34}" y="{y + 16}" class="item">{escape(b.label)}</text>')
            parts.append(f'<text x="{menu_x + 196}" y="{y + 16}" class="item-key">{escape(b.keytip)}</text>')
        height = top + 8 + 26 * len(items) + 10
    width = x + 6
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Segoe UI, Arial, sans-serif">\n'
        "<style>.group{font-size:11px;fill:#666;text-anchor:middle}"
        ".label{font-size:11px;fill:#222;text-anchor:middle}"
        ".glyph{font-size:20px;fill:#fff;text-anchor:middle;font-weight:bold}"
        ".small-glyph{font-size:12px;fill:#fff;text-anchor:middle}"
        ".keytip{font-size:9px;fill:#fff;text-anchor:middle}"
        ".item{font-size:12px;fill:#222}.item-key{font-size:10px;fill:#888;text-anchor:end}"
        ".tab{font-size:12px;fill:#444}.tab-on{font-size:12px;fill:#217346;font-weight:bold}</style>\n"
        f'<rect width="{width}" height="{height}" fill="#f3f3f3"/>\n'
    )
    tabs = ["File", "Home", "Insert", "Formulas", "Data", "Review", "View"]
    tab_parts: list[str] = []
    tx: float = 12  # an int until the first label: the first x prints as "12"
    for t in tabs:
        tab_parts.append(f'<text x="{tx}" y="26" class="tab">{t}</text>')
        tx += 22 + 7.5 * len(t)
    tab_label = next(iter(etree_tab_labels(customui)), "GTM")
    tab_parts.append(
        f'<rect x="{tx - 6}" y="10" width="{14 + 8 * len(tab_label)}" height="26" fill="#fff" '
        f'stroke="#d0d0d0"/><text x="{tx + 1}" y="27" class="tab-on">{escape(tab_label)}</text>'
        f'<rect x="{tx + 1}" y="31" width="{8 * len(tab_label)}" height="2" fill="#217346"/>'
    )
    return head + "\n".join(tab_parts + parts) + "\n</svg>\n"


def etree_tab_labels(customui: bytes | None = None) -> list[str]:
    root = etree.fromstring(customui if customui is not None else CUSTOMUI_PATH.read_bytes())
    return [t.get("label") for t in root.iter(f"{{{CUSTOMUI_NS}}}tab")]


def write_ribbon_svg(path: Path) -> Path:
    """Write :func:`ribbon_svg` to ``path`` (temp file beside it, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(ribbon_svg(), encoding="utf-8")
    os.replace(tmp, path)
    return path
