"""Exact and float number helpers shared by games, solvers and the JSON/CLI edges.

Exact arithmetic uses NumPy object arrays of `fractions.Fraction`, so the same vectorised
expressions (``@``, ``tensordot``, ``max``) run in both modes.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Rational
from typing import Any

import numpy as np


def to_fraction(x: Any) -> Fraction:
    """Exact rational value of ``x``. Floats go through their shortest repr (0.1 -> 1/10)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer, Rational)):
        return Fraction(int(x)) if isinstance(x, (int, np.integer)) else Fraction(x)
    if isinstance(x, str):
        return Fraction(x.strip())
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


def parse_number(x: Any) -> Fraction | float:
    """Inverse of `format_number`: ``"1/3"`` -> Fraction, numbers -> float."""
    if isinstance(x, str):
        return Fraction(x.strip())
    return float(x)
