"""Excel error values and the ``GTMError`` family that carries them.

Every GTM function signals bad input by raising a :class:`GTMError` subclass; each subclass
stands for one Excel error value, so adapters (xlwings UDFs, the headless formula evaluator,
the CLI) can turn the exception into the value Excel would show:

=====================  ===========  =============================================
exception              Excel value  raised when
=====================  ===========  =============================================
:class:`DivZeroError`  ``#DIV/0!``  a denominator is zero
:class:`NumError`      ``#NUM!``    a number is outside its domain
:class:`ValueTypeError` ``#VALUE!`` text (or another non-number) where a number is needed
:class:`ShapeError`    ``#N/A``     ranges whose shapes do not fit, or no data at all
:class:`UnknownNameError` ``#NAME?`` an unknown function or defined name
=====================  ===========  =============================================

Inside arrays, one element can be an error while the others are numbers (a funnel stage of
zero, an all-blank row of scores). Such elements are :class:`CellError` values in an object
array, built only when an error is really present, so the common path stays a plain
``float64`` array (see :class:`gtm_xl.math.numeric.Outcome`).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CellError",
    "DivZeroError",
    "ERROR_CODES",
    "GTMError",
    "NumError",
    "RefError",
    "ShapeError",
    "UnknownNameError",
    "ValueTypeError",
    "error_from_code",
    "is_error",
]

#: Excel's error values with the numbers VBA's ``CVErr`` uses for them (xlCVError).
ERROR_CODES: dict[str, int] = {
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
    # no xlCVError constant is documented for these two; the numbers continue the sequence so
    # that every code has one (a cached #BUSY!/#PYTHON! is read, kept and propagated as itself)
    "#BUSY!": 2051,
    "#PYTHON!": 2052,
}


class CellError:
    """An Excel error value such as ``#DIV/0!``, as it sits in a cell or an array element.

    Instances are interned per code (``CellError("#N/A") is CellError("#N/A")``), compare
    equal by code, and print as the code. ``message`` is not part of the identity: it is the
    human explanation shown next to the code where there is room (CLI, reports).
    """

    __slots__ = ("code", "message")
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
        """The xlCVError number (``2007`` for ``#DIV/0!``)."""
        return ERROR_CODES[self.code]

    @property
    def scode(self) -> int:
        """The COM SCODE of a ``VT_ERROR`` variant carrying this error (``CVErr`` in VBA)."""
        return -2146828288 + ERROR_CODES[self.code]


class GTMError(ValueError):
    """Bad input to a GTM function. ``code`` is the Excel error value the cell would show;
    ``argument`` names the offending argument (``None`` when the whole call is at fault)."""

    code = "#VALUE!"

    def __init__(self, message: str, argument: str | None = None) -> None:
        self.argument = argument
        self.message = message
        text = f"{self.code} {argument}: {message}" if argument else f"{self.code} {message}"
        super().__init__(text)

    @property
    def cell_error(self) -> CellError:
        """This error as the value a cell would hold, message (without the code) attached."""
        return CellError(self.code, f"{self.argument}: {self.message}" if self.argument else self.message)


class DivZeroError(GTMError):
    """A zero denominator (``#DIV/0!``)."""

    code = "#DIV/0!"


class NumError(GTMError):
    """A number outside its domain (``#NUM!``): negative weight, churn outside [0, 1]…"""

    code = "#NUM!"


class ValueTypeError(GTMError):
    """Text or another non-number where a number is needed (``#VALUE!``)."""

    code = "#VALUE!"


class ShapeError(GTMError):
    """Ranges whose shapes do not fit, or nothing to work on (``#N/A``)."""

    code = "#N/A"


class UnknownNameError(GTMError):
    """An unknown function or defined name (``#NAME?``)."""

    code = "#NAME?"


class RefError(GTMError):
    """A reference to a sheet or cell that does not exist (``#REF!``)."""

    code = "#REF!"


_BY_CODE: dict[str, type[GTMError]] = {
    cls.code: cls for cls in (DivZeroError, NumError, ValueTypeError, ShapeError, UnknownNameError, RefError)
}


def error_from_code(code: str, message: str, argument: str | None = None) -> GTMError:
    """The :class:`GTMError` subclass for an Excel error value (``GTMError`` for others)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        err = GTMError(message, argument)
        err.code = code
        return err
    return cls(message, argument)


def is_error(value: Any) -> bool:
    """True for a :class:`CellError`."""
    return isinstance(value, CellError)
