"""The cell-value layer of the Excel machinery: what a cell or an array element can hold.

A value is ``None`` (blank), ``float``, ``bool``, ``str`` or a :class:`CellError` (an Excel error
value such as ``#DIV/0!``). :data:`ERROR_CODES` is the set of every error value Excel stores,
with the numbers VBA's ``CVErr`` uses for them. The coercion rules between these kinds live in
:mod:`gtm_xl.excel.formula.functions.coercion`.

This module knows nothing of GTM; the GTM error family builds on :class:`CodedError`.
"""

from __future__ import annotations

__all__ = ["CellError", "CodedError", "ERROR_CODES", "MAX_TEXT", "is_error", "text_too_long"]

#: Every error value Excel stores, with the number VBA's ``CVErr`` uses for it (xlCVError; the
#: values after #N/A follow ERROR.TYPE 8–14). #BUSY!, #PYTHON! and #EXTERNAL! have no documented
#: number: they are read, kept and propagated, but cannot be handed to VBA (:attr:`CellError.number`).
ERROR_CODES: dict[str, int | None] = {
    "#NULL!": 2000,
    "#DIV/0!": 2007,
    "#VALUE!": 2015,
    "#REF!": 2023,
    "#NAME?": 2029,
    "#NUM!": 2036,
    "#N/A": 2042,
    "#GETTING_DATA": 2043,
    "#SPILL!": 2045,
    "#CONNECT!": 2046,
    "#BLOCKED!": 2047,
    "#UNKNOWN!": 2048,
    "#FIELD!": 2049,
    "#CALC!": 2050,
    "#BUSY!": None,
    "#PYTHON!": None,
    "#EXTERNAL!": None,
}


class CellError:
    """An Excel error value such as ``#DIV/0!``, as it sits in a cell or an array element.

    Instances are interned per code (``CellError("#N/A") is CellError("#N/A")``), compare
    equal by code, and print as the code. ``message`` is not part of the identity: it is the
    human explanation shown next to the code where there is room (CLI, reports).
    """

    __slots__ = ("code", "message")
    code: str
    message: str
    _interned: dict[str, CellError] = {}

    def __new__(cls, code: str, message: str = "") -> CellError:
        if code not in ERROR_CODES:
            raise ValueError(f"not an Excel error value: {code!r}")
        if not message:
            cached = cls._interned.get(code)
            if cached is not None:
                return cached
        self = super().__new__(cls)
        self.code = code
        self.message = message
        if not message:
            cls._interned[code] = self
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("CellError", self.code))

    def __repr__(self) -> str:
        return f"CellError({self.code!r})"

    def __str__(self) -> str:
        return self.code

    def __reduce__(self):  # pickling across --jobs processes keeps the code and message
        return (CellError, (self.code, self.message))

    @property
    def number(self) -> int:
        """The xlCVError number (``2007`` for ``#DIV/0!``); ValueError for an error without one."""
        n = ERROR_CODES[self.code]
        if n is None:
            raise ValueError(f"{self.code} has no xlCVError number")
        return n

    @property
    def scode(self) -> int:
        """The COM SCODE of a ``VT_ERROR`` variant carrying this error (``CVErr`` in VBA)."""
        return -2146828288 + self.number


class CodedError(ValueError):
    """An exception that names the Excel error value its cell should show (``code``).

    Functions the caller adds to the evaluator raise it (GTM's ``GTMError`` family derives from
    it), and the evaluator turns it into that :class:`CellError` without knowing who raised it.
    """

    code = "#VALUE!"


def is_error(value: object) -> bool:
    """True for a :class:`CellError`."""
    return isinstance(value, CellError)


#: Excel's longest cell text ("Specifications and limits": 32,767 characters); a longer result is #VALUE!
MAX_TEXT = 32_767


def text_too_long(length: int) -> CellError:
    """The #VALUE! Excel shows for a text of ``length`` characters, over :data:`MAX_TEXT`, with the reason."""
    return CellError("#VALUE!", f"the text would be {length:,} characters; a cell holds {MAX_TEXT:,}")
