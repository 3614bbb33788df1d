"""Excel's Engineering functions: base conversions (BIN2DEC, DEC2HEX… all twelve), BITAND/BITOR/BITXOR/
BITLSHIFT/BITRSHIFT, DELTA, GESTEP, ERF/ERFC (and .PRECISE), and the complex numbers (COMPLEX, IMREAL,
IMAGINARY, IMABS, IMARGUMENT, IMCONJUGATE, IMSUM, IMSUB, IMPRODUCT, IMDIV, IMPOWER, IMSQRT, IMEXP, IMLN,
IMLOG10, IMLOG2, IMSIN, IMCOS, IMTAN, IMSINH, IMCOSH, IMSEC, IMCSC, IMCOT, IMSECH, IMCSCH).

Base conversions follow Excel's ten-digit two's complement: a number of ten digits whose first digit is the
upper half of the base is negative (``"FFFFFFFFFF"`` is -1); a negative result is written in ten digits and
ignores ``places``. ``places`` is checked first: outside 1…10 it is #NUM!, too few digits #NUM!.
"""

from __future__ import annotations

import cmath
import math
import re

from gtm_xl.excel.formula.functions.coercion import (
    NUM,
    VALUE,
    ExcelError,
    Unsupported,
    as_2d,
    num,
    number_to_text,
    scalar,
    to_number,
)
from gtm_xl.excel.formula.functions.mathtrig import near_integer, truncated
from gtm_xl.excel.formula.functions.spec import Builtin, builtin
from gtm_xl.excel.values import CellError

_NOT_GIVEN = object()

_BASES = {"BIN": 2, "OCT": 8, "DEC": 10, "HEX": 16}

#: The range of a base's ten-digit two's complement: 2 → -512…511, 8 → -2^29…2^29-1, 16 → -2^39…2^39-1.
_LIMIT = {2: 2**9, 8: 2**29, 16: 2**39}


def _places(places) -> int | None:
    """The places argument: None when not given; truncated; #NUM! outside 1…10. A blank cell or a logical as
    places is not documented: unsupported."""
    if places is _NOT_GIVEN:
        return None
    v = scalar(places)
    if v is None or isinstance(v, bool):
        raise Unsupported("places given as a blank or a logical")
    p = truncated(to_number(v))
    if not 1 <= p <= 10:
        raise ExcelError(NUM)
    return p


def _read_digits(number, base: int) -> int:
    """A BIN/OCT/HEX argument as a signed integer: at most ten digits of the base (a number is read by its
    digits, as Excel does: BIN2DEC(1100100) is 100); ten digits starting in the upper half are negative;
    #NUM! for anything else. A blank and empty text read as 0 (as Excel answers BIN2DEC of either)."""
    v = scalar(number)
    if isinstance(v, bool):
        raise Unsupported("a base conversion of a logical")
    if v is None or v == "":
        return 0
    text = number_to_text(float(v)) if isinstance(v, (int, float)) else v
    if len(text) > 10 or not re.fullmatch(r"[0-9A-Za-z]+", text):
        raise ExcelError(NUM)
    try:
        n = int(text, base)
    except ValueError:
        raise ExcelError(NUM) from None
    if len(text) == 10 and n >= base**10 // 2:
        n -= base**10
    return n


def _write_digits(n: int, base: int, places: int | None) -> str:
    """``n`` in ``base`` as Excel writes it: #NUM! outside the base's range; a negative number in ten digits
    of two's complement (places ignored); a positive one padded to places (#NUM! if it needs more)."""
    limit = _LIMIT[base]
    if not -limit <= n < limit:
        raise ExcelError(NUM)
    if n < 0:
        return _digits(n + base**10, base)
    s = _digits(n, base)
    if places is not None:
        if len(s) > places:
            raise ExcelError(NUM)
        s = s.rjust(places, "0")
    return s


def _digits(n: int, base: int) -> str:
    return {2: format(n, "b"), 8: format(n, "o"), 16: format(n, "X")}[base]


def _dec_in(number) -> int:
    """A DEC2* argument: a number truncated (a blank is 0, numeric text its number, other text and "" #VALUE!)."""
    v = scalar(number)
    if isinstance(v, bool):
        raise Unsupported("DEC2* of a logical")
    return truncated(to_number(v))


def _conversion(src: str, dst: str):
    b_in, b_out = _BASES[src], _BASES[dst]

    if dst == "DEC":

        def to_dec(number):
            return float(_read_digits(number, b_in))

        to_dec.__doc__ = f"{src}2DEC(number): the {src.lower()} number's value (ten digits: two's complement)."
        return builtin(to_dec, 1)

    def convert(number, places=_NOT_GIVEN):
        p = _places(places)
        n = _dec_in(number) if src == "DEC" else _read_digits(number, b_in)
        return _write_digits(n, b_out, p)

    convert.__doc__ = (
        f"{src}2{dst}(number, [places]): the number in base {b_out}; a negative one in ten digits of two's "
        "complement; #NUM! outside the range or for too few places."
    )
    return builtin(convert, 1, 2)


# -- bits ----------------------------------------------------------------------------------------------------


def _bit_arg(x) -> int:
    """A BIT* argument: a whole number in 0…2^48−1 (#NUM! otherwise)."""
    v = scalar(x)
    if isinstance(v, bool):
        raise Unsupported("a BIT function of a logical")
    f = num(v)
    if near_integer(f):
        raise Unsupported("a BIT argument within float noise of a whole number")
    if f < 0 or f != math.floor(f) or f >= 2**48:
        raise ExcelError(NUM)
    return int(f)


def f_bitand(a, b):
    """BITAND(number1, number2): the bitwise AND; #NUM! for a number not a whole number in 0…2^48−1."""
    return float(_bit_arg(a) & _bit_arg(b))


def f_bitor(a, b):
    """BITOR(number1, number2): the bitwise OR; #NUM! for a number not a whole number in 0…2^48−1."""
    return float(_bit_arg(a) | _bit_arg(b))


def f_bitxor(a, b):
    """BITXOR(number1, number2): the bitwise exclusive OR; #NUM! for a number not a whole number in 0…2^48−1."""
    return float(_bit_arg(a) ^ _bit_arg(b))


def _shift(a, amount, left: bool):
    n = _bit_arg(a)
    s = math.trunc(num(amount))
    if abs(s) > 53:
        raise ExcelError(NUM)
    if not left:
        s = -s
    out = n << s if s >= 0 else n >> -s
    if out >= 2**48:
        raise ExcelError(NUM)
    return float(out)


def f_bitlshift(a, amount):
    """BITLSHIFT(number, shift_amount): number shifted left (right for a negative amount); #NUM! for a result of
    2^48 or more or |shift_amount| > 53."""
    return _shift(a, amount, True)


def f_bitrshift(a, amount):
    """BITRSHIFT(number, shift_amount): number shifted right (left for a negative amount); #NUM! for a result of
    2^48 or more or |shift_amount| > 53."""
    return _shift(a, amount, False)


# -- steps and error function ----------------------------------------------------------------------------------


def f_delta(a, b=0.0):
    """DELTA(number1, [number2]): 1 when the numbers are equal (number2 is 0 by default), else 0; #VALUE! for
    text."""
    return 1.0 if _strict_num(a) == _strict_num(b) else 0.0


def f_gestep(x, step=0.0):
    """GESTEP(number, [step]): 1 when number ≥ step (0 by default), else 0; #VALUE! for text."""
    return 1.0 if _strict_num(x) >= _strict_num(step) else 0.0


def _strict_num(v) -> float:
    v = scalar(v)
    if isinstance(v, bool):
        raise Unsupported("DELTA/GESTEP of a logical")
    if isinstance(v, str):
        raise ExcelError(VALUE)  # Microsoft: a non-numeric argument is #VALUE!
    return num(v)


def f_erf(lower, upper=None):
    """ERF(lower_limit, [upper_limit]): the error function integrated from 0 to lower_limit, or between the
    limits (erf(upper) − erf(lower))."""
    a = num(lower)
    if upper is None:
        return math.erf(a)
    return math.erf(num(upper)) - math.erf(a)


def f_erf_precise(x):
    """ERF.PRECISE(x): the error function from 0 to x."""
    return math.erf(num(x))


def f_erfc(x):
    """ERFC(x) and ERFC.PRECISE(x): the complementary error function, 1 − erf(x)."""
    return math.erfc(num(x))


# -- complex numbers -----------------------------------------------------------------------------------------

_COMPLEX = re.compile(
    r"^(?P<re>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)?"
    r"(?:(?P<im>[+-](?:\d+\.?\d*|\.\d+)?(?:[eE][+-]?\d+)?|(?<![\d.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|)(?P<suffix>[ij]))?$"
)


def parse_complex(v) -> tuple[complex, str | None]:
    """A complex argument (``"3+4i"``, ``"-2j"``, ``"i"``, a number) as (value, suffix or None); #NUM! for text
    that is not a complex number."""
    v = scalar(v)
    if isinstance(v, CellError):
        raise ExcelError(v)
    if isinstance(v, bool):
        raise ExcelError(VALUE)
    if v is None:
        return complex(0, 0), None
    if isinstance(v, (int, float)):
        return complex(float(v), 0), None
    s = v
    if s == "":
        return complex(0, 0), None
    m = _COMPLEX.match(s)
    if not m or (m.group("re") is None and m.group("suffix") is None):
        raise ExcelError(NUM)
    re_part = float(m.group("re")) if m.group("re") else 0.0
    suffix = m.group("suffix")
    im_part = 0.0
    if suffix:
        t = m.group("im")
        if t in ("", "+", None):
            im_part = 1.0
        elif t == "-":
            im_part = -1.0
        else:
            im_part = float(t)
    return complex(re_part, im_part), suffix


#: The error allowed, in units in the last place of a double, for a complex result computed by a different
#: path than Excel's (products, quotients, roots, exponentials, logarithms, trigonometry).
INEXACT = 2


def format_complex(z: complex, suffix: str = "i", error: int = 0) -> str:
    """A complex result as Excel writes it: each part to 15 significant digits, a coefficient of 1 left out
    ("i", "-i"), a zero part left out ("0" for zero).

    The text is compared exactly, so a part computed with an ``error`` of that many units in the last place
    (Excel's own algorithm may round its last bits otherwise) whose 15-digit text could change within that
    error is unsupported rather than guessed (IMPOWER("2+3i",3), Microsoft's "-46+9.00000000000001i", is such a case: its imaginary part is
    9 plus float noise)."""
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        raise ExcelError(NUM)
    if error:
        for x in (z.real, z.imag):
            d = math.ulp(x) * error
            if len({_part(x), _part(x - d), _part(x + d)}) > 1:
                raise Unsupported("a complex result whose 15th digit depends on rounding")
    re_s = _part(z.real)
    im = _part(z.imag)
    if im == "0":
        return re_s
    im_s = {"1": "", "-1": "-"}.get(im, im) + suffix
    if re_s == "0":
        return im_s
    return re_s + ("" if im_s.startswith("-") else "+") + im_s


def _part(x: float) -> str:
    x = float(f"{x:.15g}")
    return number_to_text(x) if x != 0 else "0"


def _suffix(*suffixes) -> str:
    got = {s for s in suffixes if s}
    if len(got) > 1:
        raise ExcelError(VALUE)  # "i" and "j" mixed
    return got.pop() if got else "i"


def f_complex(real, imaginary, suffix=None):
    """COMPLEX(real_num, i_num, [suffix]): the complex number as text; #VALUE! for a suffix other than "i" or
    "j" (lower case) or a non-numeric part."""
    a, b = num(real), num(imaginary)
    sx = "i" if suffix is None else scalar(suffix)
    if sx in ("", None):
        sx = "i"
    if sx not in ("i", "j"):
        raise ExcelError(VALUE)
    return format_complex(complex(a, b), sx)


def f_imreal(z):
    """IMREAL(inumber): the real coefficient."""
    return parse_complex(z)[0].real


def f_imaginary(z):
    """IMAGINARY(inumber): the imaginary coefficient."""
    return parse_complex(z)[0].imag


def f_imabs(z):
    """IMABS(inumber): the modulus √(x²+y²)."""
    return abs(parse_complex(z)[0])


def f_imargument(z):
    """IMARGUMENT(inumber): the angle θ in (−π, π]; #DIV/0! for 0."""
    c = parse_complex(z)[0]
    if c == 0:
        raise ExcelError(CellError("#DIV/0!"))
    return math.atan2(c.imag, c.real)


def f_imconjugate(z):
    """IMCONJUGATE(inumber): x − yi."""
    c, s = parse_complex(z)
    return format_complex(c.conjugate(), _suffix(s))


def _im_values(args):
    out = []
    for a in args:
        for v in as_2d(a).reshape(-1).tolist():
            out.append(parse_complex(v))
    return out


def f_imsum(*args):
    """IMSUM(inumber1, …): the sum of the complex numbers (ranges included)."""
    vals = _im_values(args)
    return format_complex(sum((c for c, _ in vals), complex(0, 0)), _suffix(*(s for _, s in vals)))


def f_imsub(a, b):
    """IMSUB(inumber1, inumber2): the difference."""
    (x, s1), (y, s2) = parse_complex(a), parse_complex(b)
    return format_complex(x - y, _suffix(s1, s2))


def f_improduct(*args):
    """IMPRODUCT(inumber1, …): the product of the complex numbers (ranges included)."""
    vals = _im_values(args)
    out = complex(1, 0)
    for c, _ in vals:
        out *= c
    return format_complex(out, _suffix(*(s for _, s in vals)), INEXACT)


def f_imdiv(a, b):
    """IMDIV(inumber1, inumber2): the quotient; #NUM! for a zero divisor."""
    (x, s1), (y, s2) = parse_complex(a), parse_complex(b)
    if y == 0:
        raise ExcelError(NUM)
    return format_complex(x / y, _suffix(s1, s2), INEXACT)


def f_impower(z, n):
    """IMPOWER(inumber, number): in polar form, r^n·(cos nθ + i sin nθ), as Excel computes it; #NUM! for 0 to a
    non-positive power."""
    c, s = parse_complex(z)
    p = num(n)
    r = abs(c)
    if r == 0:
        if p <= 0:
            raise ExcelError(NUM)
        return format_complex(complex(0, 0), _suffix(s))
    t = math.atan2(c.imag, c.real)
    rp = r**p
    return format_complex(complex(rp * math.cos(p * t), rp * math.sin(p * t)), _suffix(s), INEXACT)


def f_imsqrt(z):
    """IMSQRT(inumber): the principal square root, √r·(cos θ/2 + i sin θ/2)."""
    c, s = parse_complex(z)
    r = abs(c)
    t = math.atan2(c.imag, c.real)
    z = complex(math.sqrt(r) * math.cos(t / 2), math.sqrt(r) * math.sin(t / 2))
    return format_complex(z, _suffix(s), INEXACT)


def _im1(fn, doc: str, zero_error: bool = False):
    def call(z):
        c, s = parse_complex(z)
        if zero_error and c == 0:
            raise ExcelError(NUM)
        try:
            return format_complex(fn(c), _suffix(s), INEXACT)
        except (OverflowError, ValueError):
            raise ExcelError(NUM) from None

    call.__doc__ = doc
    return call


def _reciprocal(fn):
    def call(c):
        d = fn(c)
        if d == 0:
            raise ValueError("division by zero")
        return 1 / d

    return call


def _log_base(base: float):
    return lambda c: cmath.log(c) / math.log(base)


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    f"{a}2{b}": _conversion(a, b) for a in ("BIN", "OCT", "DEC", "HEX") for b in ("BIN", "OCT", "DEC", "HEX") if a != b
}
FUNCTIONS.update(
    {
        "BITAND": builtin(f_bitand, 2),
        "BITOR": builtin(f_bitor, 2),
        "BITXOR": builtin(f_bitxor, 2),
        "BITLSHIFT": builtin(f_bitlshift, 2),
        "BITRSHIFT": builtin(f_bitrshift, 2),
        "DELTA": builtin(f_delta, 1, 2),
        "GESTEP": builtin(f_gestep, 1, 2),
        "ERF": builtin(f_erf, 1, 2),
        "ERF.PRECISE": builtin(f_erf_precise, 1),
        "ERFC": builtin(f_erfc, 1),
        "ERFC.PRECISE": builtin(f_erfc, 1),
        "COMPLEX": builtin(f_complex, 2, 3),
        "IMREAL": builtin(f_imreal, 1),
        "IMAGINARY": builtin(f_imaginary, 1),
        "IMABS": builtin(f_imabs, 1),
        "IMARGUMENT": builtin(f_imargument, 1),
        "IMCONJUGATE": builtin(f_imconjugate, 1),
        "IMSUM": builtin(f_imsum, 1, 255),
        "IMSUB": builtin(f_imsub, 2),
        "IMPRODUCT": builtin(f_improduct, 1, 255),
        "IMDIV": builtin(f_imdiv, 2),
        "IMPOWER": builtin(f_impower, 2),
        "IMSQRT": builtin(f_imsqrt, 1),
        "IMEXP": builtin(_im1(cmath.exp, "IMEXP(inumber): e to the complex number."), 1),
        "IMLN": builtin(_im1(cmath.log, "IMLN(inumber): the natural logarithm; #NUM! for 0.", True), 1),
        "IMLOG10": builtin(_im1(_log_base(10), "IMLOG10(inumber): the base-10 logarithm; #NUM! for 0.", True), 1),
        "IMLOG2": builtin(_im1(_log_base(2), "IMLOG2(inumber): the base-2 logarithm; #NUM! for 0.", True), 1),
        "IMSIN": builtin(_im1(cmath.sin, "IMSIN(inumber): the sine of the complex number."), 1),
        "IMCOS": builtin(_im1(cmath.cos, "IMCOS(inumber): the cosine of the complex number."), 1),
        "IMTAN": builtin(_im1(cmath.tan, "IMTAN(inumber): the tangent of the complex number."), 1),
        "IMSINH": builtin(_im1(cmath.sinh, "IMSINH(inumber): the hyperbolic sine."), 1),
        "IMCOSH": builtin(_im1(cmath.cosh, "IMCOSH(inumber): the hyperbolic cosine."), 1),
        "IMSEC": builtin(_im1(_reciprocal(cmath.cos), "IMSEC(inumber): the secant, 1/cos."), 1),
        "IMCSC": builtin(_im1(_reciprocal(cmath.sin), "IMCSC(inumber): the cosecant, 1/sin; #NUM! for 0."), 1),
        "IMCOT": builtin(_im1(_reciprocal(cmath.tan), "IMCOT(inumber): the cotangent, 1/tan; #NUM! for 0."), 1),
        "IMSECH": builtin(_im1(_reciprocal(cmath.cosh), "IMSECH(inumber): the hyperbolic secant."), 1),
        "IMCSCH": builtin(_im1(_reciprocal(cmath.sinh), "IMCSCH(inumber): the hyperbolic cosecant; #NUM! for 0."), 1),
    }
)

#: Elementwise functions of this module (lifted over array arguments, see registry.ELEMENTWISE).
LIFTED = {name for name in FUNCTIONS if name not in ("IMSUM", "IMPRODUCT")}
