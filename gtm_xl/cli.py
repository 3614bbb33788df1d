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

_REGISTRARS: list[Callable] = [_register_calc]


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
