"""``gtm-xl``: the command line. Argument parsing, progress and reports only; the work lives in
the modules each subcommand imports (lazily, so that ``gtm-xl refresh`` starts fast)."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from gtm_xl import __version__

Handler = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gtm-xl",
        description="Go-to-market planning workbooks: GTM_* functions, templates, headless refresh, "
        "regional distribution and roll-up.",
    )
    parser.add_argument("--version", action="version", version=f"gtm-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _REGISTRARS:
        register(sub)
    return parser


# --- calc, demo (foundation) ------------------------------------------------------------------
def _register_calc(sub) -> None:
    p = sub.add_parser("calc", help="run one GTM_* function from the shell, JSON out",
                       description="Run one GTM_* function. Arguments are numbers, text, blank (an empty "
                       "string), or JSON arrays for ranges: '[2,3,4,3]' is a row, '[[1],[2]]' a column.")
    p.add_argument("function", help="catalogue name, e.g. GTM_SPLIT_TARGET (the GTM_ prefix is optional)")
    p.add_argument("args", nargs="*", help="the function's arguments, in order")
    p.set_defaults(handler=_run_calc)
    p = sub.add_parser("demo", help="print an example GTM plan computed from the bundled example data")
    p.set_defaults(handler=_run_demo)


def _run_calc(args: argparse.Namespace) -> int:
    from gtm_xl.catalogue import calc_from_strings
    from gtm_xl.errors import GTMError
    import json

    try:
        result = calc_from_strings(args.function, args.args)
    except GTMError as exc:
        print(f"gtm-xl calc: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from gtm_xl.demo import print_demo

    print_demo()
    return 0


# --- build (templates: issue 3, add-in: issue 4) ---------------------------------------------
# --- refresh, check (issue 6) -----------------------------------------------------------------
# --- distribute, rollup (issue 5) -------------------------------------------------------------
# --- addin (issue 4) --------------------------------------------------------------------------
def _register_addin(sub) -> None:
    p = sub.add_parser("addin", help="the Excel add-in: settings to paste, install into XLSTART",
                       description="The GTM add-in (gtm_xl.xlam): a GTM ribbon tab and the GTM_* functions.")
    addin_sub = p.add_subparsers(dest="addin_command", metavar="ACTION", required=True)
    c = addin_sub.add_parser("config", help="print the lines for %%USERPROFILE%%\\.gtm_xl\\gtm_xl.conf",
                             description="Print the settings the add-in reads from the user's gtm_xl.conf "
                             "(the interpreter and the UDF module), ready to paste.")
    c.add_argument("--interpreter", help="python.exe to use (default: this Python on Windows/macOS)")
    c.add_argument("--write", action="store_true",
                   help="merge the lines into the user's gtm_xl.conf instead of printing them")
    c.set_defaults(handler=_run_addin_config)
    i = addin_sub.add_parser("install", help="build the add-in into Excel's XLSTART folder (Windows)",
                             description="Build gtm_xl.xlam into %%APPDATA%%\\Microsoft\\Excel\\XLSTART, "
                             "so Excel opens it at every start. Elsewhere, say what to do instead.")
    i.add_argument("--dir", help="install into this folder instead of XLSTART")
    i.set_defaults(handler=_run_addin_install)
    r = addin_sub.add_parser("picture", help="draw the ribbon tab from the customUI as SVG")
    r.add_argument("path", nargs="?", default="docs/ribbon.svg")
    r.set_defaults(handler=_run_addin_picture)


def _run_addin_config(args: argparse.Namespace) -> int:
    from gtm_xl.addin import user_config_lines, user_config_path, write_user_config

    lines = user_config_lines(args.interpreter)
    if args.write:
        print(f"Wrote {write_user_config(lines)}. Restart Excel to use it.")
        return 0
    for line in lines:
        print(line)
    print(f"Paste these lines into {user_config_path()} (create the folder and file if needed), "
          "then restart Excel.", file=sys.stderr)
    return 0


def _run_addin_install(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from gtm_xl.addin import build_addin

    if args.dir:
        target = Path(args.dir)
    elif sys.platform == "win32" and os.environ.get("APPDATA"):
        target = Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    else:
        print("gtm-xl addin install: Excel's XLSTART folder exists on Windows only "
              "(%APPDATA%\\Microsoft\\Excel\\XLSTART). Here, build the add-in with "
              "'gtm-xl build --addin' or 'gtm-xl addin install --dir FOLDER' and copy gtm_xl.xlam "
              "to that folder on the Windows machine (or open it in Excel: File > Options > Add-ins).",
              file=sys.stderr)
        return 1
    try:
        path = build_addin(target)
    except OSError as exc:
        print(f"gtm-xl addin install: cannot write {target}: {exc.strerror or exc} "
              "(if Excel has the add-in open, close Excel and try again)", file=sys.stderr)
        return 1
    print(f"Installed {path}. Next: 'gtm-xl addin config' for the interpreter setting, then restart Excel.")
    return 0


def _run_addin_picture(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gtm_xl.addin import write_ribbon_svg

    print(write_ribbon_svg(Path(args.path)))
    return 0



_REGISTRARS: list[Callable] = [_register_calc, _register_addin]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
