"""Built-in-only Excel formulas for the native flavour (Excel 2010 and LibreOffice compatible).

The largest-remainder split as one formula per part, with no helper cells, no LET and no
dynamic arrays: every array expression sits inside SUMPRODUCT, which evaluates arrays in every
Excel version. It follows :func:`gtm_xl.math.allocation.split_target` exactly for non-negative totals
(negative totals are refused by the templates' validation):

* ``eff`` = the weights (times a 0/1 membership mask for a split inside a group); when they sum
  to 0 every member weighs 1 (an even split);
* ``U`` = INT(total/unit) units; quota ``q = eff·U/Σeff``; every part gets INT(q);
* the ``L = U − ΣINT(q)`` leftover units go one each to the largest fractional parts, ties to the
  larger weight, then to the earlier position: a part gets one when fewer than L members rank
  before it;
* a total that is not a whole number of units (a pasted value bypasses the validation): the
  residual ``total − U·unit`` goes to the largest part. Parts grow with the weight, so the
  largest part (ties to the larger weight, then the earlier position) is the first member of
  the largest weight: the part whose weight no member beats, and which no earlier member equals.
"""

from __future__ import annotations

__all__ = ["split_part"]


def split_part(
    total: str, unit: str, weights: str, weight: str, positions: str, position: str, mask: str | None = None
) -> str:
    """Formula (without '=') for one part of a largest-remainder split.

    ``weights``: the weights range (absolute); ``weight``: this part's weight cell; ``positions``
    and ``position``: ROW(...)/COLUMN(...) of the range and of this part's weight, for the tie
    break; ``mask``: an array expression, 1/TRUE for the members of this part's group and 0/FALSE
    for the others, never an error (this part must be a member), or ``None`` when every weight
    takes part.
    """
    m = f"({mask})" if mask else "1"
    zero = f"(SUMPRODUCT(({weights})*{m})=0)" if mask else f"(SUMPRODUCT({weights})=0)"
    eff = f"({m}*({weights}+{zero}))" if mask else f"(({weights})+{zero})"
    eff_i = f"({weight}+{zero})"
    units = f"INT(({total})/({unit}))"
    wsum = f"SUMPRODUCT({eff})"
    q = f"({eff}*{units}/{wsum})"
    q_i = f"({eff_i}*{units}/{wsum})"
    frac = f"({q}-INT({q}))"
    frac_i = f"({q_i}-INT({q_i}))"
    leftover = f"({units}-SUMPRODUCT(INT({q})))"
    before = (
        f"SUMPRODUCT({m}*(({frac}>{frac_i})+({frac}={frac_i})*(({eff}>{eff_i})"
        f"+({eff}={eff_i})*({positions}<{position}))))"
    )
    largest = f"(SUMPRODUCT({m}*(({eff}>{eff_i})+({eff}={eff_i})*({positions}<{position})))=0)"
    residual = f"(({total})-{units}*({unit}))"
    return f"(INT({q_i})+({before}<{leftover}))*{unit}+{largest}*{residual}"
