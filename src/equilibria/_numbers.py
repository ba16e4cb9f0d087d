"""Exact and float number helpers shared by games, solvers and the JSON/CLI edges.

Exact arithmetic uses NumPy object arrays of `fractions.Fraction`, so the same vectorised
expressions (``@``, ``tensordot``, ``max``) run in both modes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np

#: most digits accepted in one integer, mantissa or denominator of a number written as text
MAX_DIGITS = 1000
#: exponents beyond this are out of range whatever the mantissa (``MAX_DIGITS`` digits at most)
_MAX_EXPONENT = 2 * MAX_DIGITS
_FLOAT_MAX = Fraction(np.finfo(float).max.item())

# ASCII digits only: Python's own parsers also take "1_000", Arabic-Indic and full-width digits
_NUMBER = re.compile(
    r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?(?:/([0-9]+))?", re.ASCII
)


def parse_number_text(text: str) -> Fraction:
    """The exact value of a number written as text: ``3``, ``-0.5``, ``1.5e-3``, ``1/3``.

    Only ASCII digits count (no ``1_000``, no Arabic-Indic or full-width digits). The work is
    bounded before a `Fraction` is built: at most `MAX_DIGITS` digits per part and exponents whose
    result could be a float at all, so ``1e999999999`` is refused at once rather than expanded.
    The value must be representable as a finite float that does not underflow to zero, so exact
    and float solvers see the same game: ``1e400`` and ``1e-400`` are refused (`ValueError`).
    """
    s = text.strip()
    m = _NUMBER.fullmatch(s)
    if m is None or not (m.group(2) or m.group(3)) or (m.group(5) is not None and (m.group(3) is not None
                                                                                     or m.group(4))):
        raise ValueError(f"{text!r} is not a number (expected e.g. 3, -0.5, 1.5e-3 or 1/3)")
    sign, whole, frac, exp, den = m.groups()
    frac = frac or ""
    if max(len(whole), len(frac), len(den or "")) > MAX_DIGITS:
        raise ValueError(f"{_short(s)} has more than {MAX_DIGITS} digits")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return Fraction(0)
    e = 0
    if exp:
        if len(exp.lstrip("+-").lstrip("0")) > len(str(_MAX_EXPONENT)) or abs(int(exp)) > _MAX_EXPONENT:
            raise ValueError(f"{_short(s)} is out of the range of floating-point numbers "
                             "(about 1e-308 to 1e308 in magnitude)")
        e = int(exp)
    value = Fraction(int(digits), 1) * (Fraction(10) ** (e - len(frac)))
    if den is not None:
        if int(den) == 0:
            raise ValueError(f"{_short(s)} divides by zero")
        value /= int(den)
    if sign == "-":
        value = -value
    check_float_range(value, s)
    return value


_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def parse_integer_text(text: str, max_digits: int = MAX_DIGITS) -> int:
    """An integer written as text: an optional sign and ASCII digits (no ``1_000``, no other
    scripts' digits), at most ``max_digits`` significant digits so that the work is bounded.

    Raises `ValueError` otherwise. Readers that count things (players, outcome numbers) pass a
    smaller ``max_digits``.
    """
    s = text.strip()
    if _INTEGER.fullmatch(s) is None:
        raise ValueError(f"{_short(s)!r} is not an integer")
    if len(s.lstrip("+-").lstrip("0")) > max_digits:
        raise ValueError(f"{_short(s)} has more than {max_digits} digits")
    return int(s)


def check_float_range(value: Fraction, shown: Any = None) -> None:
    """`ValueError` unless ``value`` is 0 or a finite float that does not underflow to 0."""
    if value == 0:
        return
    shown = _short(str(value if shown is None else shown))
    if abs(value) > _FLOAT_MAX:
        raise ValueError(f"{shown} is too large for a floating-point number (at most about 1.8e308)")
    if float(value) == 0.0:
        raise ValueError(f"{shown} is so small that it is 0 in floating point, while exact arithmetic "
                         "would keep it; write 0 or rescale, so that exact and float solvers see one game")


def _short(s: str) -> str:
    return s if len(s) <= 40 else f"{s[:20]}...{s[-10:]} ({len(s)} characters)"


def to_fraction(x: Any) -> Fraction:
    """Exact rational value of ``x``. Floats go through their shortest repr (0.1 -> 1/10).

    Strings are read by `parse_number_text` (bounded work, ASCII digits, float range).
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{x!r} is a boolean, not a number")
    if isinstance(x, (int, np.integer, Rational)):
        return Fraction(int(x)) if isinstance(x, (int, np.integer)) else Fraction(x)
    if isinstance(x, str):
        return parse_number_text(x)
    xf = float(x)
    if not np.isfinite(xf):
        raise ValueError(f"{x!r} is not a finite number")
    return Fraction(repr(xf))


def fraction_array(a: Any) -> np.ndarray:
    """Object array of Fractions with the shape of ``a``."""
    arr = np.asarray(a, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in = arr.reshape(-1)
    flat_out = out.reshape(-1)
    for k in range(flat_in.size):
        flat_out[k] = to_fraction(flat_in[k])
    return out


def pivot_exact(T: np.ndarray, r: int, c: int) -> None:
    """Gauss-Jordan pivot of the `Fraction` tableau ``T`` on entry (r, c), in place: row r is divided
    by ``T[r, c]`` and column c cleared in every other row, one vectorised update of the rows that
    need it (the exact linear solves and the exact simplex method share it)."""
    T[r] = T[r] / T[r, c]
    col = T[:, c].copy()
    col[r] = Fraction(0)
    mask = np.array([x != 0 for x in col])
    if mask.any():
        T[mask] = T[mask] - np.outer(col[mask], T[r])


def is_exact_array(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype == object


def format_number(x: Any, exact: bool = False) -> Any:
    """JSON form of a number: a string like ``"1/3"`` in exact mode, else a float."""
    if exact or isinstance(x, Fraction):
        f = to_fraction(x)
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    return float(x)


def format_array(a: Any, exact: bool = False) -> list:
    arr = np.asarray(a, dtype=object if exact else float)
    if arr.ndim == 0:
        return format_number(arr.item(), exact)
    return [format_array(row, exact) if np.ndim(row) else format_number(row, exact) for row in arr]


def sums_are_constant(sums: Any, scale: float, *, zero: bool,
                      exact_sums: Callable[[], Any] | None = None) -> bool:
    """Whether the payoff sums ``sums`` (one per outcome) are all equal (all 0 when ``zero``): the
    zero-sum and constant-sum tests of every game family.

    Float payoffs: equal up to ``1e-12 · scale`` (``scale`` the largest absolute payoff), the rounding
    of a sum, so the answer is the same at every payoff scale: a game scaled by 1e-13 is not taken for
    zero-sum because its payoffs are small, nor one scaled by 1e9 refused for its rounding. When the
    payoffs are exact (integers, fractions), ``exact_sums()`` gives their exact sums, which must be
    equal exactly.
    """
    s = np.asarray(sums, dtype=float).reshape(-1)
    if not s.size:
        return True
    ref = 0.0 if zero else s[0]
    if not np.allclose(s, ref, rtol=0, atol=1e-12 * scale):
        return False
    if exact_sums is not None:
        t = np.asarray(exact_sums(), dtype=object).reshape(-1)
        ref_x = 0 if zero else t[0]
        return all(v == ref_x for v in t)
    return True


def parse_number(x: Any) -> Fraction | float:
    """Inverse of `format_number`: ``"1/3"`` -> Fraction, numbers -> float.

    Raises `ValueError` (or `TypeError` for a non-number) on anything else, booleans included, and
    on numbers out of float range (see `parse_number_text`).
    """
    if isinstance(x, str):
        return parse_number_text(x)
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, Rational, np.number)):
        raise TypeError(f"{x!r} is not a number")
    if isinstance(x, (int, Rational)) and not isinstance(x, float):
        f = Fraction(int(x)) if isinstance(x, int) else Fraction(x)
        check_float_range(f)
        return float(f)
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"{x!r} is not a finite number")
    return v
