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

from gtm_xl.excel.values import ERROR_CODES, CellError, CodedError, is_error

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


class GTMError(CodedError):
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
