"""The built add-in, ``gtm_xl.xlam``, read back by independent tools: oletools (the VBA project),
lxml (the package and the customUI against the schema subset), LibreOffice (a second VBA
reader), and xlwings' own ``import_udfs`` (what "Import Functions" would write)."""

from __future__ import annotations

import importlib
import inspect
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from oletools.olevba import VBA_Parser
from project_paths import ROOT

from gtm_xl.adapters import addin
from gtm_xl.excel.vba.project import class_module_source, crlf

CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def package(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="module")
def vba_code(package) -> dict[str, str]:
    """Module name → source, as oletools' olevba reads it from the built vbaProject.bin."""
    parser = VBA_Parser("vbaProject.bin", data=package["xl/vbaProject.bin"])
    return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}


def test_build_is_deterministic(built, tmp_path):
    again = addin.build_addin(tmp_path)
    assert again.name == "gtm_xl.xlam" and again.read_bytes() == built.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name != "gtm_xl.xlam"]  # no temp file left


def test_build_info_reads_the_versions_it_was_built_with(built, tmp_path):
    import xlwings

    from gtm_xl import __version__

    assert addin.read_build_info(built) == addin.AddinBuild(__version__, xlwings.__version__)
    plain = tmp_path / "plain.xlam"
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(plain, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(
                name, re.sub(rb"<cp:version>[^<]*</cp:version>", b"", data) if name == "docProps/core.xml" else data
            )
    with pytest.raises(addin.AddinError, match="no cp:version"):
        addin.read_build_info(plain)


def test_every_module_holds_exactly_the_repos_source(vba_code):
    import xlwings

    xw_dir = Path(xlwings.__file__).parent
    ribbon = (ROOT / "udfs" / "ribbon" / "GtmRibbon.bas").read_bytes().decode("cp1252")
    assert set(vba_code) == {
        "ThisWorkbook",
        "Sheet1",
        "xlwings",
        "Dictionary",
        "GtmRibbon",
        "xlwings_udfs",
        "GtmFunctionHelp",
    }
    assert vba_code["GtmFunctionHelp"] == crlf(addin.function_help_vba())
    assert "Private Sub Workbook_Open()" in vba_code["ThisWorkbook"]
    assert vba_code["GtmRibbon"] == crlf(ribbon)
    assert vba_code["xlwings_udfs"] == crlf(addin.udf_module_vba())
    assert vba_code["Dictionary"] == class_module_source(
        (xw_dir / "addin" / "Dictionary.cls").read_bytes().decode("cp1252")
    )
    custom = crlf((xw_dir / "xlwings_custom_addin.bas").read_bytes().decode("cp1252"))
    expected = custom.replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "gtm_xl"')
    assert expected != custom and vba_code["xlwings"] == expected  # xlwings' VBA, one constant changed


def test_ribbon_callbacks_match_the_customui(vba_code):
    subs = dict(re.findall(r"^Sub (\w+)\(([^)]*)\)", vba_code["GtmRibbon"], re.M))
    actions = [b.on_action for b in addin.ribbon_buttons() if b.on_action]
    assert len(actions) == 8 and len(set(actions)) == 8
    for action in actions:
        module, sub = action.split(".")
        assert module == "GtmRibbon" and subs[sub] == "control As IRibbonControl", action
    assert sorted(subs) == sorted(a.split(".")[1] for a in actions)  # no orphan callback


SAMPLE_VBA_VALUES = {"ThisWorkbook.FullName": r"C:\Users\O'Brien\XLSTART\gtm_xl.xlam", "XLWINGS_VERSION": "0.37.8"}


def _vba_py_str(text: str) -> str:
    """What GtmRibbon's PyStr makes of ``text``: a Python literal, backslashes and quotes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _vba_command(expression: str) -> str:
    """The Python command a VBA string expression makes: "literal" & PyStr(expr) & …, with the
    expressions given the sample values of SAMPLE_VBA_VALUES."""
    out = ""
    for piece in re.split(r"\s*&\s*(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", expression.strip()):
        if piece.startswith('"'):
            assert piece.endswith('"') and '"' not in piece[1:-1], piece
            out += piece[1:-1]
        else:
            m = re.fullmatch(r"PyStr\(([\w.]+)\)", piece)
            assert m and m.group(1) in SAMPLE_VBA_VALUES, piece
            out += _vba_py_str(SAMPLE_VBA_VALUES[m.group(1)])
    return out


def _runpython_calls(vba: str) -> list[tuple[str, str, tuple]]:
    calls = []
    for expression in re.findall(r'^\s*(?:If \w+\(\) Then )?(?:RunPython|RunWithoutWorkbook) (".*)$', vba, re.M):
        command = _vba_command(expression)
        m = re.fullmatch(r"import ([\w.]+); ([\w.]+)\.(\w+)\((.*)\)", command)
        assert m and m.group(1) == m.group(2), command
        args = eval(f"({m.group(4)},)") if m.group(4) else ()  # literals only: 'scoring_matrix'
        calls.append((m.group(1), m.group(3), args))
    return calls


def test_every_runpython_names_a_python_function_that_imports(vba_code):
    calls = _runpython_calls(vba_code["GtmRibbon"])
    assert len(calls) == 8
    for module_name, function, args in calls:
        module = importlib.import_module(module_name)
        func = getattr(module, function)
        inspect.signature(func).bind(*args)  # callable with exactly these arguments
    from gtm_xl.adapters.ribbon import TEMPLATE_KINDS

    kinds = {args[0] for _, f, args in calls if f == "insert_template"}
    assert kinds == set(TEMPLATE_KINDS)
    # About gets the add-in's path and its VBA's xlwings version, intact through PyStr's escaping
    assert [args for _, f, args in calls if f == "about"] == [
        (SAMPLE_VBA_VALUES["ThisWorkbook.FullName"], SAMPLE_VBA_VALUES["XLWINGS_VERSION"])
    ]
    assert r'''PyStr = "'" & Replace(Replace(text, "\", "\\"), "'", "\'") & "'"''' in vba_code["GtmRibbon"]


def test_about_and_insert_template_run_without_a_workbook(vba_code):
    """xlwings' RunPython reads ActiveWorkbook: the buttons that need none go through
    RunWithoutWorkbook (a scratch workbook when none is open), the others ask for one."""
    subs = dict(
        re.findall(r"^Sub (\w+)\(control As IRibbonControl\)\r\n(.*?)^End Sub", vba_code["GtmRibbon"], re.M | re.S)
    )
    anyway = {"GtmAbout", "GtmInsertScoringMatrix", "GtmInsertBudgetByTier", "GtmInsertKpiScorecard"}
    assert len(subs) == 8
    for name, body in subs.items():
        assert ("RunWithoutWorkbook " in body) == (name in anyway), name
        assert ("If HasWorkbook() Then RunPython " in body) == (name not in anyway), name
    helper = re.search(
        r"^Private Sub RunWithoutWorkbook\(pythonCommand As String\)\r\n(.*?)^End Sub",
        vba_code["GtmRibbon"],
        re.M | re.S,
    ).group(1)
    assert helper.split("\r\n")[:4] == [
        "    Dim scratch As Workbook",
        "    If ActiveWorkbook Is Nothing Then Set scratch = Workbooks.Add",
        "    RunPython pythonCommand",
        "    If Not scratch Is Nothing Then scratch.Close SaveChanges:=False",
    ]


def test_udf_wrappers_match_udfs_exactly(vba_code):
    from gtm_xl.adapters.udf_wrappers import UDF_MODULE, load_udf_module
    from gtm_xl.catalogue import CATALOGUE

    module = load_udf_module()
    udfs = sorted(name for name, obj in vars(module).items() if hasattr(obj, "__xlfunc__"))
    wrapped = sorted(re.findall(r"^Function (\w+)\(", vba_code["xlwings_udfs"], re.M))
    assert wrapped == udfs == sorted(CATALOGUE)
    assert not re.findall(r"^Sub ", vba_code["xlwings_udfs"], re.M)
    called = set(re.findall(r'XLPy\.CallUDF\("([\w.]+)", "(\w+)"', vba_code["xlwings_udfs"]))
    assert called == {(UDF_MODULE, name) for name in udfs}


def test_udf_module_is_what_xlwings_import_udfs_writes(monkeypatch):
    """Run xlwings' own import_udfs against a recording stand-in workbook: the module it imports
    is the one the add-in carries, line for line."""
    from gtm_xl.adapters.udf_wrappers import UDF_MODULE, load_udf_module, windows_stubs, xlwings_udfs

    xu = xlwings_udfs()
    imported = {}
    registered = []

    class Components:
        def Remove(self, component):
            pass

        def __call__(self, name):
            return name

        def Import(self, path):
            imported["text"] = Path(path).read_text()

    class Workbook:
        Name = addin.ADDIN_FILENAME

        class VBProject:
            VBComponents = Components()

        class Application:
            Version = "16.0"

            @staticmethod
            def MacroOptions(macro, **kwargs):
                registered.append(
                    (
                        macro.split("!")[1],
                        kwargs["Description"],
                        kwargs["Category"],
                        list(kwargs["ArgumentDescriptions"] or []),
                    )
                )

    module = load_udf_module()
    monkeypatch.setattr(xu, "get_udf_module", lambda name, wb: module)
    with windows_stubs():
        xu.import_udfs(UDF_MODULE, Workbook())
    assert crlf(imported["text"]) == crlf(addin.udf_module_vba())
    assert sorted(registered) == sorted(addin.function_help())  # the help Import Functions registers


def test_function_help_module_registers_what_xlwings_would(vba_code):
    """Read the generated VBA back: one MacroOptions call per UDF with its description,
    category GTM and one description per argument."""
    code = vba_code["GtmFunctionHelp"]
    assert "ChrW" not in code  # every text is plain cp1252 today, so the simple reader below suffices

    def unquote(s):
        return s[1:-1].replace('""', '"')

    found = []
    calls = re.findall(
        r'((?:    args\(\d+\) = "(?:[^"]|"")*"\r\n)*)    Application\.MacroOptions Macro:="\'" & '
        r'ThisWorkbook\.Name & "\'!(\w+)", _\r\n        Description:=("(?:[^"]|"")*"), _\r\n'
        r'        Category:=("(?:[^"]|"")*")',
        code,
    )
    for arg_lines, name, description, category in calls:
        args = [unquote(a) for a in re.findall(r'= ("(?:[^"]|"")*")', arg_lines)]
        found.append((name, unquote(description), unquote(category), args))
    assert sorted(found) == sorted(addin.function_help())
    assert {c for _, _, c, _ in found} == {"GTM"}


# --- customUI -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ROOT / "udfs" / "ribbon" / "customUI14-subset.xsd")))


def test_customui_is_valid_against_the_schema_subset(schema, package):
    doc = etree.fromstring(package["customUI/customUI14.xml"])
    assert schema.validate(etree.ElementTree(doc)), schema.error_log
    assert doc.tag == f"{CUI}customUI"


@pytest.mark.parametrize(
    "bad",
    [
        ('keytip="R"', 'keytip="RRRR"'),  # a keytip has 1 to 3 characters
        ('imageMso="ChartTypeBarInsertGallery"', 'imageMso="ChartTypeBarInsertGallery" size="large"'),  # not in a menu
        ('supertip="Shows the version of', 'supertip="" x="'),  # empty strings and unknown attributes
        ('id="gtmRollUp"', 'id="gtmRefresh"'),  # ids are unique
    ],
)
def test_schema_subset_rejects_what_office_rejects(schema, bad):
    text = (ROOT / "udfs" / "ribbon" / "customUI14.xml").read_text(encoding="utf-8")
    assert bad[0] in text
    doc = etree.fromstring(text.replace(bad[0], bad[1], 1).encode())
    assert not schema.validate(etree.ElementTree(doc))


def test_every_button_is_described():
    buttons = addin.ribbon_buttons()
    labels = [b.label for b in buttons]
    for wanted in (
        "Refresh & validate",
        "Insert template",
        "Scoring matrix",
        "Budget by tier",
        "KPI scorecard",
        "Make regional copies",
        "Roll up regional files",
        "Check inputs",
        "Help / About",
    ):
        assert wanted in labels
    for b in buttons:
        assert b.image and b.keytip and b.screentip and b.supertip, b.id
    for scope in {b.menu for b in buttons}:  # keytips unique where they are pressed
        tips = [b.keytip for b in buttons if b.menu == scope]
        assert len(tips) == len(set(tips)), scope


# --- the package ------------------------------------------------------------------------------
def test_package_parts_are_typed_and_linked(package):
    types = etree.fromstring(package["[Content_Types].xml"])
    overrides = {e.get("PartName").lstrip("/") for e in types if e.get("PartName")}
    defaults = {e.get("Extension") for e in types if e.get("Extension")}
    for name in package:
        assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
    wb_type = [e.get("ContentType") for e in types if e.get("PartName") == "/xl/workbook.xml"]
    assert wb_type == ["application/vnd.ms-excel.addin.macroEnabled.main+xml"]
    for rels_name, base in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl/")):
        for rel in etree.fromstring(package[rels_name]):
            assert base + rel.get("Target") in package, rel.get("Target")
    ui = [r for r in etree.fromstring(package["_rels/.rels"]) if r.get("Type").endswith("/ui/extensibility")]
    assert [r.get("Target") for r in ui] == ["customUI/customUI14.xml"]
    for name, data in package.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data)  # well-formed


def test_code_names_match_the_document_modules(package, vba_code):
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    wb = etree.fromstring(package["xl/workbook.xml"])
    assert wb.find("m:workbookPr", ns).get("codeName") == "ThisWorkbook"
    sheet = etree.fromstring(package["xl/worksheets/sheet1.xml"])
    assert sheet.find("m:sheetPr", ns).get("codeName") == "Sheet1"
    assert [s.get("name") for s in wb.find("m:sheets", ns)] == ["_gtm_xl.conf"]
    assert {"ThisWorkbook", "Sheet1"} <= set(vba_code)


def test_config_sheet_holds_xlwings_keys_and_defaults(built, tmp_path):
    from python_calamine import CalamineWorkbook

    copy = tmp_path / "addin.xlsx"  # calamine picks its reader by extension; the cells are the same
    copy.write_bytes(built.read_bytes())
    rows = CalamineWorkbook.from_path(str(copy)).get_sheet_by_name("_gtm_xl.conf").to_python()
    table = {r[0]: r[1] for r in rows if r[0]}
    assert table["UDF Modules"] == "udfs.gtm_functions"
    assert table["Interpreter_Win"] == "" and table["Interpreter_Mac"] == ""
    assert table["Use UDF Server"] is False and table["Debug UDFs"] is False


# --- config and install commands ------------------------------------------------------------
def test_user_config_lines():
    lines = addin.user_config_lines(r"C:\Python311\python.exe", platform="win32")
    assert lines == [r'"INTERPRETER_WIN","C:\Python311\python.exe"', '"UDF MODULES","udfs.gtm_functions"']
    assert addin.user_config_lines(platform="linux")[0].startswith('"INTERPRETER_WIN","C:\\')
    assert addin.user_config_lines("/usr/bin/python3", platform="darwin")[0] == '"INTERPRETER_MAC","/usr/bin/python3"'


def test_cli_addin_config_and_install(tmp_path, capsys, monkeypatch):
    from gtm_xl.adapters.cli import main

    assert main(["addin", "config", "--interpreter", r"C:\Py\python.exe"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [r'"INTERPRETER_WIN","C:\Py\python.exe"', '"UDF MODULES","udfs.gtm_functions"']
    assert "gtm_xl.conf" in out.err

    assert main(["addin", "install", "--dir", str(tmp_path / "XLSTART")]) == 0
    assert (tmp_path / "XLSTART" / "gtm_xl.xlam").read_bytes() == addin.addin_bytes()

    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("APPDATA", raising=False)
    assert main(["addin", "install"]) == 1
    assert "XLSTART" in capsys.readouterr().err


# --- LibreOffice: a second, independent reader of the VBA project ----------------------------
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_basic_sees_every_module_with_its_source(libreoffice, built, vba_code, tmp_path):
    """LibreOffice refuses the .xlam by extension, but opens it with its VBA-aware OOXML import
    filter; saved as .ods, its Basic library ``gtm_xl`` holds one module per VBA module."""
    libreoffice.run(
        ["--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir", str(tmp_path), str(built)]
    )
    with zipfile.ZipFile(tmp_path / "gtm_xl.ods") as z:
        library = etree.fromstring(z.read("Basic/gtm_xl/script-lb.xml"))
        names = {e.get("{http://openoffice.org/2000/library}name") for e in library}
        assert names == set(vba_code)
        for name, source in vba_code.items():
            module = etree.fromstring(z.read(f"Basic/gtm_xl/{name}.xml"))
            lines = (module.text or "").split("\n")
            # LibreOffice marks the module type and VBA mode, and drops Attribute lines.
            assert lines[0].startswith("Rem Attribute VBA_ModuleType=VBA")
            assert lines[1] == "Option VBASupport 1"
            body = lines[3:] if lines[2] == "Option ClassModule" else lines[2:]
            expected = [l for l in source.split("\r\n") if not l.startswith("Attribute ")]
            assert body[:-1] == expected, name  # LibreOffice adds one final line end


# --- the committed artefacts are what the build makes ----------------------------------------
def test_committed_addin_is_current(package):
    """workbooks/gtm_xl.xlam holds what a fresh build holds (compared part by part, so a
    different zlib cannot matter); rebuild with ``gtm-xl build --addin`` when this fails.
    The add-in embeds the installed xlwings' VBA, so it is compared only under the xlwings
    version the committed file was built with."""
    import xlwings

    embedded = addin.read_build_info(ROOT / "workbooks" / "gtm_xl.xlam").xlwings
    if embedded != xlwings.__version__:
        pytest.skip(
            f"workbooks/gtm_xl.xlam embeds xlwings {embedded}'s VBA, xlwings {xlwings.__version__} "
            "is installed: install that version to compare, or rebuild with gtm-xl build --addin"
        )
    with zipfile.ZipFile(ROOT / "workbooks" / "gtm_xl.xlam") as z:
        assert z.namelist() == list(package)
        for name in package:
            assert z.read(name) == package[name], f"{name} is stale: rebuild the add-in"


def test_ribbon_picture_is_current():
    svg = (ROOT / "docs" / "ribbon.svg").read_text(encoding="utf-8")
    assert svg == addin.ribbon_svg(), "docs/ribbon.svg is stale: gtm-xl addin picture docs/ribbon.svg"
    doc = etree.fromstring(svg.encode())
    texts = "".join(doc.itertext())
    for b in addin.ribbon_buttons():
        assert b.label.split(" ")[0] in texts


def test_write_user_config_merges(tmp_path):
    conf = tmp_path / ".gtm_xl" / "gtm_xl.conf"
    conf.parent.mkdir()
    conf.write_bytes(b'"INTERPRETER_WIN","C:\\old\\python.exe"\r\n"CONDA ENV","base"\r\n')
    addin.write_user_config(addin.user_config_lines(r"C:\new\python.exe", platform="win32"), conf)
    assert conf.read_bytes().decode("cp1252").split("\r\n") == [
        r'"INTERPRETER_WIN","C:\new\python.exe"',
        '"CONDA ENV","base"',
        '"UDF MODULES","udfs.gtm_functions"',
        "",
    ]


def test_cli_config_write(tmp_path, monkeypatch, capsys):
    from gtm_xl.adapters.cli import main

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["addin", "config", "--write", "--interpreter", "/usr/bin/python3"]) == 0
    written = tmp_path / ".gtm_xl" / "gtm_xl.conf"
    assert written.read_text(encoding="cp1252").splitlines()[0] == '"INTERPRETER_WIN","/usr/bin/python3"'
