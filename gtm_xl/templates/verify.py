"""Does a recalculated template hold the numbers of gtm_xl's math?

``output_differences(source, recalculated, kind)`` reads the inputs of ``source`` through the
template's defined names, computes every output with the template module's ``compute`` (the
Python math both flavours must reproduce) and lists each output block whose cached values in
``recalculated`` differ. Used by the demo to prove its refresh, and by the template tests for
LibreOffice's recalculation of the native flavour and the headless refresh of the udf flavour.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import openpyxl

from gtm_xl.errors import CellError
from gtm_xl.templates import template_module
from gtm_xl.templates.names import read_block

__all__ = ["same_value", "output_differences"]


def same_value(a: Any, b: Any) -> bool:
    """Equal cell values: numbers to 1e-9 (relative or absolute), a blank and "" alike, texts exactly,
    an error value (:class:`~gtm_xl.errors.CellError`) and its code as openpyxl reads it alike."""
    a, b = (x.code if isinstance(x, CellError) else x for x in (a, b))
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def output_differences(source: str | os.PathLike, recalculated: str | os.PathLike, kind: str) -> list[str]:
    """One line per output block of ``recalculated`` that differs from the math on ``source``'s inputs."""
    module = template_module(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on extensions it does not read
        src = openpyxl.load_workbook(source)
        got_wb = openpyxl.load_workbook(recalculated, data_only=True)
    inputs = {n: read_block(src, n) for n, i in module.NAMES.items() if i.kind == "input"}
    expected = module.compute(inputs)
    problems = []
    for name, info in module.NAMES.items():
        if info.kind != "output":
            continue
        got, want = read_block(got_wb, name), expected[name]
        if len(got) != len(want) or any(
            len(rg) != len(rw) or not all(map(same_value, rg, rw)) for rg, rw in zip(got, want)
        ):
            problems.append(f"{os.path.basename(recalculated)} {name}: got {got}, expected {want}")
    return problems
