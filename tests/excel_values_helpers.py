"""Shared helper of the tests that hold gtm-xl's values against the ones Excel cached: when a
computed value counts as Excel's."""

from __future__ import annotations

import math


def same_as_excel(old, new) -> bool:
    """Excel's cached ``old`` and gtm-xl's ``new`` agree: floats within 1e-9 relative (1e-12
    absolute), anything else of the same type and equal, and blank and "" alike."""
    return (
        (isinstance(old, float) and isinstance(new, float) and math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12))
        or (type(old) is type(new) and old == new)
        or (old in (None, "") and new in (None, ""))
    )
