"""xlwings' own UDF machinery, run on any platform: metadata and VBA wrappers of the GTM UDFs.

On Windows, ``@xw.func`` records each function's Excel metadata and ``import_udfs`` writes a
VBA wrapper per function into the workbook. Elsewhere ``xw.func`` is a no-op and
``xlwings.udfs`` does not import, because it needs pywin32 (``pythoncom``, ``pywintypes``,
``win32com.client``). This module puts inert stand-ins for those three modules in place just
long enough to import ``xlwings.udfs``, then runs xlwings' *real* decorators and its *real*
VBA generator over ``udfs/gtm_functions.py``: the add-in build embeds that VBA, and the tests
check the metadata that Excel's Insert Function dialog would show.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

UDF_MODULE = "udfs.gtm_functions"
_WINDOWS_ONLY = ("pythoncom", "pywintypes", "win32com", "win32com.client")


class _Stub(types.ModuleType):
    """A module whose every attribute is an inert callable (pythoncom.CoInitialize, …)."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _inert


def _inert(*args, **kwargs):
    return None


class _ComError(Exception):
    pass


@contextmanager
def windows_stubs() -> Iterator[None]:
    """Stand-ins for pywin32's modules while ``xlwings.udfs`` imports; the real ones win if present."""
    added = []
    for name in _WINDOWS_ONLY:
        if name not in sys.modules:
            stub = _Stub(name)
            if name == "pywintypes":
                setattr(stub, "com_error", _ComError)  # noqa: B010 - the stub class declares no attributes
                setattr(stub, "error", _ComError)  # noqa: B010
            sys.modules[name] = stub
            added.append(name)
    if "win32com" in added:
        setattr(sys.modules["win32com"], "client", sys.modules["win32com.client"])  # noqa: B010
    try:
        yield
    finally:
        for name in added:
            sys.modules.pop(name, None)


def xlwings_udfs() -> types.ModuleType:
    """``xlwings.udfs``, imported with the Windows-only modules stubbed where missing."""
    if "xlwings.udfs" in sys.modules:
        return sys.modules["xlwings.udfs"]
    with windows_stubs():
        return importlib.import_module("xlwings.udfs")


def load_udf_module(name: str = UDF_MODULE) -> types.ModuleType:
    """A fresh copy of the UDF module decorated by xlwings' real ``func``/``arg``/``ret``.

    The module is executed under a private name, so the ordinary ``udfs.gtm_functions``
    (imported with the platform's no-op decorators) is left as it was.
    """
    import xlwings as xw  # on use: xlwings' own decorators are swapped in only here

    real = xlwings_udfs()
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"UDF module {name} not found")
    saved = (xw.func, xw.arg, xw.ret)
    xw.func, xw.arg, xw.ret = real.xlfunc, real.xlarg, real.xlret
    try:
        module = importlib.util.module_from_spec(spec)
        module.__name__ = name
        spec.loader.exec_module(module)
    finally:
        xw.func, xw.arg, xw.ret = saved
    return module


class _WorkbookName:
    """What ``generate_vba_wrapper`` asks of a workbook: its name (an add-in uses ActiveWorkbook)."""

    def __init__(self, name: str) -> None:
        self.Name = name


def vba_wrappers(module_name: str = UDF_MODULE, workbook_name: str = "gtm_xl.xlam") -> str:
    """The VBA module text xlwings' ``import_udfs`` would write for the UDF module."""
    module = load_udf_module(module_name)
    out = io.StringIO()
    xlwings_udfs().generate_vba_wrapper(module_name, module, out, _WorkbookName(workbook_name))
    return out.getvalue()
