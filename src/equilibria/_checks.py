"""Validation of numeric hyper-parameters, shared by every method so that messages read alike."""

from __future__ import annotations

import math
from typing import Any

from .errors import InvalidParameterError


def check_real(name: str, value: Any, *, minimum: float | None = None) -> float:
    """A finite float (at least ``minimum`` when given), else `InvalidParameterError` naming it."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or (minimum is not None and v < minimum):
        bound = f" >= {minimum:g}" if minimum is not None else ""
        raise InvalidParameterError(f"{name} must be a finite number{bound}, got {value!r}")
    return v


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """A finite positive (or, with ``allow_zero``, non-negative) float, else `InvalidParameterError`."""
    v = check_real(name, value, minimum=0.0)
    if v == 0 and not allow_zero:
        raise InvalidParameterError(f"{name} must be a finite number > 0, got {value!r}")
    return v
