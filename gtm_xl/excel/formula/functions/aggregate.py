"""Excel's SUBTOTAL and AGGREGATE: a base function over references, leaving out the cells of nested SUBTOTAL
and AGGREGATE formulas and, on request, hidden rows and error values.

* SUBTOTAL(function_num, ref1, …): 1–11 AVERAGE, COUNT, COUNTA, MAX, MIN, PRODUCT, STDEV, STDEVP, SUM,
  VAR, VARP; 101–111 the same leaving out hidden rows. Rows filtered out are left out by 1–11 too, but a
  file does not tell a filtered row from a row hidden by hand (both are ``hidden="1"``): 1–11 over a range
  with hidden rows is unsupported.
* AGGREGATE(function_num, options, ref1, …) and AGGREGATE(function_num, options, array, k): 1–19 (the
  eleven above with STDEV.S…VAR.P, then MEDIAN, MODE.SNGL, LARGE, SMALL, PERCENTILE.INC, QUARTILE.INC,
  PERCENTILE.EXC, QUARTILE.EXC); options 0–7 (0–3 leave out nested SUBTOTAL/AGGREGATE, 1/3/5/7 hidden rows,
  2/3/6/7 error values). An option that keeps hidden rows over a range with hidden rows is unsupported.

The base function is the registry's own (a function number whose base function is not in the registry is
unsupported), so each number follows that function's rules exactly.
"""

from __future__ import annotations

import math
import re

import numpy as np

from gtm_xl.excel.formula.functions.coercion import VALUE, ExcelError, Unsupported, scalar, to_number
from gtm_xl.excel.formula.functions.spec import Builtin, Context, Reference, builtin
from gtm_xl.excel.values import CellError

_BASE = {1: "AVERAGE", 2: "COUNT", 3: "COUNTA", 4: "MAX", 5: "MIN", 6: "PRODUCT", 9: "SUM"}
SUBTOTAL_FUNCTIONS = {**_BASE, 7: "STDEV", 8: "STDEVP", 10: "VAR", 11: "VARP"}
AGGREGATE_FUNCTIONS = {
    **_BASE,
    7: "STDEV.S",
    8: "STDEV.P",
    10: "VAR.S",
    11: "VAR.P",
    12: "MEDIAN",
    13: "MODE.SNGL",
    14: "LARGE",
    15: "SMALL",
    16: "PERCENTILE.INC",
    17: "QUARTILE.INC",
    18: "PERCENTILE.EXC",
    19: "QUARTILE.EXC",
}

_SUBTOTAL = re.compile(r"(?<![A-Za-z0-9_.])SUBTOTAL\s*\(", re.I)
_AGGREGATE = re.compile(r"(?<![A-Za-z0-9_])(?:_xlfn\.)?AGGREGATE\s*\(", re.I)


def _base(name: str):
    from gtm_xl.excel.formula.functions import registry  # the registry imports this module

    found = registry.BUILTINS.get(name)
    if found is None:
        raise Unsupported(f"{name} (not implemented yet) in SUBTOTAL/AGGREGATE")
    return found.fn


def _number(ctx: Context, v) -> float:
    """A function_num/options/k argument: a value, or the value of a one-cell reference."""
    if isinstance(v, Reference):
        if (v.r1, v.c1) != (v.r2, v.c2):
            raise Unsupported("a multi-cell reference as a SUBTOTAL/AGGREGATE number")
        v = ctx.values(v)[0, 0]
    v = scalar(v)
    if isinstance(v, CellError):
        raise ExcelError(v)
    return to_number(v)


def _gather(
    ctx: Context, refs, skip_nested: bool, skip_hidden: bool, skip_errors: bool, subtotal: bool = False
) -> np.ndarray:
    """The values of the references, as one column, less the cells SUBTOTAL/AGGREGATE leave out. SUBTOTAL
    (``subtotal``) leaves out nested SUBTOTAL cells; whether it leaves out AGGREGATE cells is not documented
    (unsupported). AGGREGATE's options 0–3 leave out both."""
    kept: list = []
    for ref in refs:
        if not isinstance(ref, Reference):
            raise Unsupported("SUBTOTAL/AGGREGATE over a value that is not a reference")
        block = ctx.values(ref)
        sheet = ctx.book.sheets[ref.sheet]
        hidden = sheet.hidden_rows
        formulas = sheet.formula_cells()
        for i in range(block.shape[0]):
            r = ref.r1 + i
            if r in hidden:
                if skip_hidden:
                    continue
                raise Unsupported("hidden rows: filtered out or hidden by hand (the file does not tell)")
            for j in range(block.shape[1]):
                v = block[i, j]
                cell = formulas.get((r, ref.c1 + j))
                if cell is not None and cell.formula:
                    nested_subtotal = _SUBTOTAL.search(cell.formula) is not None
                    nested_aggregate = _AGGREGATE.search(cell.formula) is not None
                    if subtotal and nested_aggregate and not nested_subtotal:
                        raise Unsupported("SUBTOTAL over an AGGREGATE cell (not documented)")
                    if skip_nested and (nested_subtotal or nested_aggregate):
                        continue
                if skip_errors and isinstance(v, CellError):
                    continue
                kept.append(v)
    out = np.empty((len(kept), 1), dtype=object)
    out[:, 0] = kept
    return out


def f_subtotal(ctx: Context, function_num, *refs):
    """SUBTOTAL(function_num, ref1, …): 1–11 or 101–111 (leaving out hidden rows) over the references, the cells
    of nested SUBTOTAL/AGGREGATE formulas left out; #VALUE! for another function number."""
    n = math.trunc(_number(ctx, function_num))
    skip_hidden = n > 100
    base = SUBTOTAL_FUNCTIONS.get(n - 100 if skip_hidden else n)
    if base is None:
        raise ExcelError(VALUE)
    fn = _base(base)
    return fn(_gather(ctx, refs, True, skip_hidden, False, subtotal=True))


def f_aggregate(ctx: Context, function_num, options=None, *args):
    """AGGREGATE(function_num, options, ref1, …) or (function_num, options, array, k): functions 1–19 with
    options 0–7 (see the module); #VALUE! for a function number or option outside those."""
    n = math.trunc(_number(ctx, function_num))
    opt = 0 if options is None else math.trunc(_number(ctx, options))
    base = AGGREGATE_FUNCTIONS.get(n)
    if base is None or not 0 <= opt <= 7 or not args:
        raise ExcelError(VALUE)
    skip_nested = opt <= 3
    skip_hidden = opt in (1, 3, 5, 7)
    skip_errors = opt in (2, 3, 6, 7)
    fn = _base(base)
    if n <= 13:
        return fn(_gather(ctx, args, skip_nested, skip_hidden, skip_errors))
    if len(args) != 2:
        raise ExcelError(VALUE)
    data, k = args
    if isinstance(data, Reference):
        values = _gather(ctx, [data], skip_nested, skip_hidden, skip_errors)
    else:
        flat = [v for v in np.asarray(data, dtype=object).reshape(-1).tolist()]
        if skip_errors:
            flat = [v for v in flat if not isinstance(v, CellError)]
        values = np.empty((len(flat), 1), dtype=object)
        values[:, 0] = flat
    return fn(values, _number(ctx, k))


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    "SUBTOTAL": builtin(f_subtotal, 2, 255, refs=True),
    "AGGREGATE": builtin(f_aggregate, 3, 255, refs=True),
}
