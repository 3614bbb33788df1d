"""The description of one built-in function (:class:`Builtin`), shared by the category modules and the registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Builtin:
    """One built-in: ``fn`` gets the evaluated arguments (thunks when ``lazy``); ``errors_ok``
    lets error values through to the function instead of making them the result."""

    fn: Callable[..., Any]
    lazy: bool = False
    errors_ok: bool = False
    min_args: int = 0
    max_args: int = 255


def builtin(fn, lo, hi=None, lazy=False, errors_ok=False):
    """A :class:`Builtin` taking ``lo`` to ``hi`` arguments (exactly ``lo`` when ``hi`` is None)."""
    return Builtin(fn, lazy, errors_ok, lo, lo if hi is None else hi)
