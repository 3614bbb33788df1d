"""Excel's Engineering functions: base conversions (BIN2DEC, DEC2HEX… all twelve), CONVERT, BITAND/BITOR/BITXOR/
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
from gtm_xl.excel.formula.functions.mathtrig import truncated
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
    """A BIT* argument: a number in 0…2^48−1 (#NUM! otherwise); a fraction is unsupported."""
    v = scalar(x)
    if isinstance(v, bool):
        raise Unsupported("a BIT function of a logical")
    f = num(v)
    if f < 0 or f >= 2**48:
        raise ExcelError(NUM)  # Microsoft: "greater than or equal to 0", at most 2^48-1
    if f != math.floor(f):
        raise Unsupported("a BIT function of a fraction (Microsoft says 'in decimal form' only)")
    return int(f)


def f_bitand(a, b):
    """BITAND(number1, number2): the bitwise AND; #NUM! for a number outside 0…2^48−1."""
    return float(_bit_arg(a) & _bit_arg(b))


def f_bitor(a, b):
    """BITOR(number1, number2): the bitwise OR; #NUM! for a number outside 0…2^48−1."""
    return float(_bit_arg(a) | _bit_arg(b))


def f_bitxor(a, b):
    """BITXOR(number1, number2): the bitwise exclusive OR; #NUM! for a number outside 0…2^48−1."""
    return float(_bit_arg(a) ^ _bit_arg(b))


def _shift(a, amount, left: bool):
    n = _bit_arg(a)
    t = num(amount)
    if t != math.trunc(t):
        raise Unsupported("a fractional shift amount (the reference does not say)")
    s = int(t)
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

_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _coefficient(t: str) -> float:
    """One coefficient of a complex number's text ("3", "-2.5", "1e3"); "", "+" and "-" before the suffix
    are 1, 1 and -1; #NUM! otherwise."""
    if t in ("", "+"):
        return 1.0
    if t == "-":
        return -1.0
    if not _NUMBER.match(t):
        raise ExcelError(NUM)
    return float(t)


def parse_complex(v) -> tuple[complex, str | None]:
    """A complex argument (``"3+4i"``, ``"-2j"``, ``"i"``, ``"10i"``, a number) as (value, suffix or None);
    #NUM! for text that is not a complex number."""
    v = scalar(v)
    if isinstance(v, CellError):
        raise ExcelError(v)
    if isinstance(v, bool):
        raise ExcelError(VALUE)
    if v is None or v == "":
        return complex(0, 0), None
    if isinstance(v, (int, float)):
        return complex(float(v), 0), None
    s = v
    if s[-1] not in "ij":
        if not _NUMBER.match(s):
            raise ExcelError(NUM)
        return complex(float(s), 0), None
    suffix, body = s[-1], s[:-1]
    # the sign that starts the imaginary part: the last + or - not at the start and not in an exponent
    split = None
    for k in range(len(body) - 1, 0, -1):
        if body[k] in "+-" and body[k - 1] not in "eE":
            split = k
            break
    if split is None:
        return complex(0.0, _coefficient(body)), suffix
    re_text, im_text = body[:split], body[split:]
    if not _NUMBER.match(re_text):
        raise ExcelError(NUM)
    return complex(float(re_text), _coefficient(im_text)), suffix


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


# -- CONVERT ---------------------------------------------------------------------------------------------------

_LBM = 0.45359237  # kg, exact by definition
_LBF = _LBM * 9.80665  # N
_IN = 0.0254  # m
_FT = 0.3048
_GAL = 231 * _IN**3  # m³ (the US gallon)
_UK_GAL = 4.54609e-3  # m³

#: CONVERT's units whose factors follow exactly from their definitions, by quantity: unit → its size in the
#: quantity's base unit (m, g, s, Pa, N, J, W, T, m³, m², bit, m/s). Units whose Excel factor is a measured
#: constant of some CODATA edition (u, eV, mmHg, ly³…) are left out: unsupported.
_UNITS: dict[str, dict[str, float]] = {
    "distance": {
        "m": 1.0,
        "mi": 1609.344,
        "Nmi": 1852.0,
        "in": _IN,
        "ft": _FT,
        "yd": 0.9144,
        "ang": 1e-10,
        "ell": 45 * _IN,
        "Picapt": _IN / 72,
        "Pica": _IN / 72,
        "pica": _IN / 6,
        "survey_mi": 6336000 / 3937,
        "ly": 299792458.0 * 365.25 * 86400,
    },
    "mass": {
        "g": 1.0,
        "lbm": _LBM * 1000,
        "ozm": _LBM * 1000 / 16,
        "grain": 0.06479891,
        "stone": _LBM * 1000 * 14,
        "ton": _LBM * 1000 * 2000,
        "cwt": _LBM * 1000 * 100,
        "shweight": _LBM * 1000 * 100,
        "uk_cwt": _LBM * 1000 * 112,
        "lcwt": _LBM * 1000 * 112,
        "hweight": _LBM * 1000 * 112,
        "uk_ton": _LBM * 1000 * 2240,
        "LTON": _LBM * 1000 * 2240,
        "brton": _LBM * 1000 * 2240,
        "sg": _LBF / _FT * 1000,
    },
    "time": {
        "sec": 1.0,
        "s": 1.0,
        "mn": 60.0,
        "min": 60.0,
        "hr": 3600.0,
        "day": 86400.0,
        "d": 86400.0,
        "yr": 365.25 * 86400,
    },
    "pressure": {"Pa": 1.0, "p": 1.0, "atm": 101325.0, "at": 101325.0, "Torr": 101325.0 / 760, "psi": _LBF / _IN**2},
    "force": {"N": 1.0, "dyn": 1e-5, "dy": 1e-5, "lbf": _LBF, "pond": 9.80665e-3},
    "energy": {
        "J": 1.0,
        "e": 1e-7,
        "c": 4.184,
        "cal": 4.1868,
        "Wh": 3600.0,
        "wh": 3600.0,
        "flb": _FT * _LBF,
        "BTU": 1055.05585262,
        "btu": 1055.05585262,
        "HPh": 550 * _FT * _LBF * 3600,
        "hh": 550 * _FT * _LBF * 3600,
    },
    "power": {"W": 1.0, "w": 1.0, "HP": 550 * _FT * _LBF, "h": 550 * _FT * _LBF, "PS": 735.49875},
    "magnetism": {"T": 1.0, "ga": 1e-4},
    "volume": {
        "m3": 1.0,
        "l": 1e-3,
        "L": 1e-3,
        "lt": 1e-3,
        "tsp": _GAL / 768,
        "tspm": 5e-6,
        "tbs": _GAL / 256,
        "oz": _GAL / 128,
        "cup": _GAL / 16,
        "pt": _GAL / 8,
        "us_pt": _GAL / 8,
        "qt": _GAL / 4,
        "gal": _GAL,
        "uk_pt": _UK_GAL / 8,
        "uk_qt": _UK_GAL / 4,
        "uk_gal": _UK_GAL,
        "in3": _IN**3,
        "ft3": _FT**3,
        "yd3": 0.9144**3,
        "mi3": 1609.344**3,
        "Nmi3": 1852.0**3,
        "ang3": 1e-30,
        "barrel": 42 * _GAL,
        "bushel": 2150.42 * _IN**3,
        "GRT": 100 * _FT**3,
        "regton": 100 * _FT**3,
        "MTON": 40 * _FT**3,
    },
    "area": {
        "m2": 1.0,
        "in2": _IN**2,
        "ft2": _FT**2,
        "yd2": 0.9144**2,
        "mi2": 1609.344**2,
        "Nmi2": 1852.0**2,
        "ang2": 1e-20,
        "ar": 100.0,
        "ha": 1e4,
        "uk_acre": 4046.8564224,
        "Morgen": 2500.0,
    },
    "information": {"bit": 1.0, "byte": 8.0},
    "speed": {
        "m/s": 1.0,
        "m/sec": 1.0,
        "m/h": 1 / 3600,
        "m/hr": 1 / 3600,
        "mph": 0.44704,
        "kn": 1852 / 3600,
        "admkn": 6080 * _FT / 3600,
    },
}

_PREFIXES = {
    "Y": 1e24,
    "Z": 1e21,
    "E": 1e18,
    "P": 1e15,
    "T": 1e12,
    "G": 1e9,
    "M": 1e6,
    "k": 1e3,
    "h": 1e2,
    "da": 1e1,
    "d": 1e-1,
    "c": 1e-2,
    "m": 1e-3,
    "u": 1e-6,
    "n": 1e-9,
    "p": 1e-12,
    "f": 1e-15,
    "a": 1e-18,
    "z": 1e-21,
    "y": 1e-24,
}
_BINARY_PREFIXES = {
    "ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
    "Zi": 2.0**70,
    "Yi": 2.0**80,
}
#: The units a metric prefix may be put before (only those Microsoft's table marks metric and whose prefixed
#: forms are unambiguous); bit and byte take the binary prefixes as well.
_PREFIXABLE = {"m", "g", "sec", "l", "J", "W", "N", "Pa", "bit", "byte"}

_TEMPERATURE = {"C", "cel", "F", "fah", "K", "kel", "Rank", "Reau"}


def _unit(name: str) -> tuple[str, float]:
    """(quantity, size in its base unit) of a CONVERT unit, with a metric or binary prefix; #N/A if unknown."""
    for quantity, units in _UNITS.items():
        if name in units:
            return quantity, units[name]
    for table in (_PREFIXES, _BINARY_PREFIXES):
        for prefix, factor in table.items():
            rest = name[len(prefix) :]
            if name.startswith(prefix) and rest in _PREFIXABLE:
                if table is _BINARY_PREFIXES and rest not in ("bit", "byte"):
                    continue
                for quantity, units in _UNITS.items():
                    if rest in units:
                        return quantity, units[rest] * factor
    raise ExcelError(CellError("#N/A"))


def _to_kelvin(x: float, unit: str) -> float:
    if unit in ("C", "cel"):
        return x + 273.15
    if unit in ("F", "fah"):
        return (x - 32) * 5 / 9 + 273.15
    if unit == "Rank":
        return x * 5 / 9
    if unit == "Reau":
        return x * 1.25 + 273.15
    return x


def _from_kelvin(k: float, unit: str) -> float:
    if unit in ("C", "cel"):
        return k - 273.15
    if unit in ("F", "fah"):
        return (k - 273.15) * 9 / 5 + 32
    if unit == "Rank":
        return k * 9 / 5
    if unit == "Reau":
        return (k - 273.15) * 0.8
    return k


def f_convert(number, from_unit, to_unit):
    """CONVERT(number, from_unit, to_unit): the number in another unit of the same quantity (units are
    case-sensitive; metric prefixes on the metric units, binary prefixes on bit/byte); #N/A for an unknown unit
    or units of different quantities, #VALUE! for a number that is not one. Units of measured constants (u,
    eV, mmHg…) are not implemented: #N/A would be a guess, so they are unsupported."""
    v = scalar(number)
    if isinstance(v, bool):
        raise Unsupported("CONVERT of a logical")
    x = to_number(v)
    a, b = scalar(from_unit), scalar(to_unit)
    if not isinstance(a, str) or not isinstance(b, str):
        raise Unsupported("CONVERT units that are not text")
    if a in _TEMPERATURE or b in _TEMPERATURE:
        if a in _TEMPERATURE and b in _TEMPERATURE:
            return _from_kelvin(_to_kelvin(x, a), b)
        try:
            _unit(a if b in _TEMPERATURE else b)
        except ExcelError:
            raise Unsupported("CONVERT unit not in the implemented table") from None
        raise ExcelError(CellError("#N/A"))  # a temperature and a known unit of another quantity
    try:
        qa, fa = _unit(a)
        qb, fb = _unit(b)
    except ExcelError:
        raise Unsupported(f"CONVERT unit {a!r} or {b!r} (not in the implemented table)") from None
    if qa != qb:
        raise ExcelError(CellError("#N/A"))
    return x * fa / fb


#: This category's functions: upper-case Excel name → :class:`Builtin`.
FUNCTIONS: dict[str, Builtin] = {
    f"{a}2{b}": _conversion(a, b) for a in ("BIN", "OCT", "DEC", "HEX") for b in ("BIN", "OCT", "DEC", "HEX") if a != b
}
FUNCTIONS.update(
    {
        "CONVERT": builtin(f_convert, 3),
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
