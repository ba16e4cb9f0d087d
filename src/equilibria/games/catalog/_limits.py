"""Parameter checks and size estimates shared by the catalog's factories (no games registered here).

Every factory validates each parameter with `equilibria._checks` and estimates the memory of the
game from its parameters alone, in Python integers or floats, before building anything, so that
``goofspiel(num_cards=7)`` or ``random_uniform(rows=100000, cols=100000)`` is refused at once with a
`SizeLimitError` (the CLI's ``--max-size`` raises the limit) instead of filling the memory.

The per-entry and per-node costs below were measured (peak RSS of the build plus a NashConv
evaluation, divided by the count) on mid-size instances of our own compiled games:

* extensive-form trees: 111–219 bytes per node above the imports since the builders generate
  levels as arrays (liars_dice(faces=8) 111, 3-player Leduc through the OpenSpiel bridge 143,
  goofspiel(num_cards=6) 219): the walk's few integers per node plus the compiled arrays and
  labels; we count `TREE_NODE_BYTES`;
* normal-form payoffs: a float entry costs its own 8 bytes, a copy and the temporaries of the
  generators and of NashConv, about `FLOAT_ENTRY_BYTES`; an exact entry (a `Fraction` object or a
  Python int in an object array, plus its float image) about `EXACT_ENTRY_BYTES`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..._checks import check_real, check_size
from ..._numbers import to_fraction
from ...errors import InvalidParameterError

#: bytes per node of a compiled extensive-form tree, builder included (measured, see above)
TREE_NODE_BYTES = 300
#: bytes per float payoff entry, temporaries included
FLOAT_ENTRY_BYTES = 32
#: bytes per exact (object) payoff entry: pointer, the number object, its float image
EXACT_ENTRY_BYTES = 160
#: largest magnitude of a payoff-like parameter: far beyond any meaningful game, yet small enough
#: that sums and products of payoffs and probabilities (NashConv, values) stay finite in floats
MAX_PAYOFF = 1e100
#: estimates are clamped here so that they convert to float (and print) without overflow
_HUGE = 10**300


def check_bytes(what: str, nbytes: int | float) -> None:
    """`check_size` on an estimate that may be a huge Python int."""
    if isinstance(nbytes, int):
        nbytes = min(nbytes, _HUGE)
    check_size(what, nbytes)


def call(name: str, **params: Any) -> str:
    """``name(a=1, b=2)``, for messages."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in params.items())})"


def check_tree(what: str, nodes: int | float) -> None:
    """Refuse an extensive-form game of about ``nodes`` nodes above the size limit."""
    check_bytes(what, nodes * TREE_NODE_BYTES if isinstance(nodes, int) else float(nodes) * TREE_NODE_BYTES)


def check_entries(what: str, entries: int, exact: bool) -> None:
    """Refuse a payoff table of ``entries`` numbers above the size limit."""
    check_bytes(what, entries * (EXACT_ENTRY_BYTES if exact else FLOAT_ENTRY_BYTES))


def payoff(name: str, value: Any, *, minimum: float = -MAX_PAYOFF, strict_minimum: bool = False) -> float:
    """A finite payoff-like real of magnitude at most `MAX_PAYOFF`."""
    return check_real(name, value, minimum=minimum, maximum=MAX_PAYOFF, strict_minimum=strict_minimum)


def exact_number(name: str, value: Any) -> Fraction:
    """A payoff parameter as an exact rational (strings such as ``"1/3"`` allowed), bounded by
    `MAX_PAYOFF`, else `InvalidParameterError` naming it."""
    if isinstance(value, str):
        try:
            x = to_fraction(value)
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            raise InvalidParameterError(f"{name} must be a finite number, got {value!r}") from None
        if not abs(x) <= MAX_PAYOFF:
            raise InvalidParameterError(f"{name} must be at most {MAX_PAYOFF:g} in magnitude, got {value!r}")
        return x
    payoff(name, value)  # type, NaN, inf and magnitude
    try:
        return to_fraction(value)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):  # pragma: no cover - checked above
        raise InvalidParameterError(f"{name} must be a finite number, got {value!r}") from None


def log_size_ok(log2_count: float, what: str, per_item: int) -> None:
    """Refuse at once when ``2**log2_count`` items are beyond any limit (the count itself would be
    too large to compute); call before computing an exact count."""
    if log2_count > 900:
        check_bytes(what, math.inf)
    elif log2_count > 200:
        check_bytes(what, 2.0**log2_count * per_item)
