"""Validation of parameters, shared by every method, game factory and reader so messages read alike.

This is the one place where hyper-parameters and game parameters are checked. Every check rejects
NaN (a plain ``x < 0`` comparison lets NaN through), booleans where numbers are meant, and values
of the wrong type, with an `InvalidParameterError` that names the parameter and what it accepts.

It also holds the size limit: `check_size` estimates, before anything is allocated, how many bytes a
game or a run would take, and refuses above `size_limit()` (4 GiB by default; the CLI's
``--max-size`` and `set_size_limit` raise it).
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import InvalidParameterError, SizeLimitError

#: the default limit on the estimated memory of one game or run, in bytes
DEFAULT_SIZE_LIMIT = 4 * 2**30
_size_limit = DEFAULT_SIZE_LIMIT


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def check_real(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """A finite float in ``[minimum, maximum]`` (``(minimum, ...`` with ``strict_minimum``)."""
    if _is_bool(value) or isinstance(value, (str, bytes)):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}") from None
    low_ok = minimum is None or (v > minimum if strict_minimum else v >= minimum)
    high_ok = maximum is None or v <= maximum
    if not math.isfinite(v) or not low_ok or not high_ok:
        parts = []
        if minimum is not None:
            parts.append(f"{'>' if strict_minimum else '>='} {minimum:g}")
        if maximum is not None:
            parts.append(f"<= {maximum:g}")
        bound = (" " + " and ".join(parts)) if parts else ""
        raise InvalidParameterError(f"{name} must be a finite number{bound}, got {value!r}")
    return v


def check_positive(name: str, value: Any, *, allow_zero: bool = False, maximum: float | None = None) -> float:
    """A finite positive (or, with ``allow_zero``, non-negative) float, else `InvalidParameterError`."""
    return check_real(name, value, minimum=0.0, maximum=maximum, strict_minimum=not allow_zero)


def check_probability(name: str, value: Any, *, open_low: bool = False, open_high: bool = False) -> float:
    """A float in [0, 1] (ends excluded when asked)."""
    v = check_real(name, value, minimum=0.0, maximum=1.0)
    if (open_low and v == 0.0) or (open_high and v == 1.0):
        lo = "(" if open_low else "["
        hi = ")" if open_high else "]"
        raise InvalidParameterError(f"{name} must lie in {lo}0, 1{hi}, got {value!r}")
    return v


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer in ``[minimum, maximum]``; integral floats such as ``5.0`` are accepted, ``5.5`` not."""
    if _is_bool(value) or isinstance(value, (str, bytes)):
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        v = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        v = int(value)
    else:
        raise InvalidParameterError(f"{name} must be an integer, got {value!r}")
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        parts = []
        if minimum is not None:
            parts.append(f">= {minimum}")
        if maximum is not None:
            parts.append(f"<= {maximum}")
        raise InvalidParameterError(f"{name} must be an integer {' and '.join(parts)}, got {value!r}")
    return v


def check_bool(name: str, value: Any) -> bool:
    """A boolean (``True``/``False``, or 0/1); strings such as ``"abc"`` are refused."""
    if _is_bool(value):
        return bool(value)
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    raise InvalidParameterError(f"{name} must be true or false, got {value!r}")


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """One of ``choices``, else an error listing them."""
    options = list(choices)
    try:
        ok = value in options
    except TypeError:
        ok = False
    if not ok:
        shown = ", ".join(repr(c) for c in options)
        raise InvalidParameterError(f"{name} must be one of {shown}; got {value!r}")
    return value


def check_seed(name: str, value: Any) -> int | None:
    """A seed: None or an integer in ``[0, 2**63)`` (NumPy refuses negative seeds)."""
    if value is None:
        return None
    return check_int(name, value, minimum=0, maximum=2**63 - 1)


# ---- the size limit -------------------------------------------------------------------------------


def size_limit() -> int:
    """The current limit on a game's or a run's estimated memory, in bytes."""
    return _size_limit


def set_size_limit(nbytes: int | float | str | None) -> int:
    """Set the limit (bytes, or a string such as ``"16G"``); None restores the default.

    Returns the previous limit.
    """
    global _size_limit
    old = _size_limit
    _size_limit = DEFAULT_SIZE_LIMIT if nbytes is None else parse_size(nbytes)
    return old


@contextlib.contextmanager
def size_limit_set(nbytes: int | float | str | None) -> Iterator[None]:
    """Within the block, use the limit ``nbytes``."""
    old = set_size_limit(nbytes)
    try:
        yield
    finally:
        set_size_limit(old)


_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: int | float | str) -> int:
    """Bytes from ``12345``, ``"512M"``, ``"16G"``, ``"1.5T"``.

    Units are binary; a trailing ``B`` or ``iB`` is allowed.
    """
    if isinstance(text, str):
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
        if not m:
            raise InvalidParameterError(f"size must look like 4G, 512M or a number of bytes; got {text!r}")
        value = float(m.group(1)) * _UNITS[m.group(2)]
    else:
        value = check_real("size", text, minimum=1.0)
    if not math.isfinite(value) or value < 1:
        raise InvalidParameterError(f"size must be at least 1 byte, got {text!r}")
    return int(value)


def format_size(nbytes: float) -> str:
    """``1536`` → ``"1.5 KiB"``; beyond the float range, ``"inf B"`` is written as "more than 1e308 B"."""
    if not math.isfinite(nbytes):
        return "more than 1e308 B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(nbytes) < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} PiB"  # pragma: no cover


def check_size(what: str, nbytes: float) -> None:
    """Refuse, before allocating, a game or run whose estimated memory ``nbytes`` exceeds the limit.

    ``what`` names the object (``"random_uniform(rows=100000, cols=100000)"``). Estimates should be
    cheap, from the parameters alone (use Python ints or floats so they cannot overflow).
    """
    try:
        estimate = float(nbytes)
    except OverflowError:  # an exact integer estimate beyond the float range
        estimate = math.inf
    if not (estimate <= _size_limit):  # also catches NaN and inf
        raise SizeLimitError(
            f"{what} would need about {format_size(estimate)} of memory, above the limit of "
            f"{format_size(_size_limit)}; raise it with --max-size (e.g. --max-size "
            f"{_suggest(estimate)}) or equilibria.set_size_limit() if the machine has room"
        )


def _suggest(nbytes: float) -> str:
    if not math.isfinite(nbytes):
        return "64G"
    gib = max(1, math.ceil(nbytes * 1.25 / 2**30))
    return f"{gib}G"


# ---- deprecated option names ----------------------------------------------------------------------

#: deprecated option names and the one name that replaces them (issue 10: one name per concept).
#: `equilibria.api` maps an alias to its replacement, with a FutureWarning, when the method's
#: signature has the replacement and not the alias.
OPTION_ALIASES: dict[str, str] = {
    "lr": "step_size",
    "eta": "step_size",
    "learning_rate": "step_size",
    "dt": "step_size",
    "update_step": "step_size",  # noisy-og's update step η, renamed with the others
}


def apply_option_aliases(options: dict[str, Any], parameters: Iterable[str], what: str) -> dict[str, Any]:
    """``options`` with deprecated names (`OPTION_ALIASES`) renamed for a target whose parameters are
    ``parameters``; each renaming warns with a `FutureWarning`. Giving both names is an error."""
    import warnings

    params = set(parameters)
    out = dict(options)
    for alias, name in OPTION_ALIASES.items():
        if alias in out and alias not in params and name in params:
            if name in out:
                raise InvalidParameterError(
                    f"{what}: give {name} only ({alias!r} is its deprecated name), not both"
                )
            warnings.warn(f"{alias!r} is deprecated; use {name}", FutureWarning, stacklevel=4)
            out[name] = out.pop(alias)
    return out
