"""`Solution`: what every method returns — strategies, payoffs, and how they were obtained."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Solution:
    """One equilibrium (or approximate equilibrium) of a game.

    ``strategies`` is the profile in the game family's native form: for normal-form games a list of
    per-player probability vectors; for extensive-form games a behaviour policy array over
    (infoset, action). In exact mode the entries are `fractions.Fraction` objects.
    ``nash_conv`` is filled in by `equilibria.solve` with the verification core, never by the method.
    """

    strategies: Any
    payoffs: np.ndarray
    method: str
    exact: bool = False
    iterations: int | None = None
    seconds: float = 0.0
    nash_conv: Any = None
    info: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        strat = self.strategies
        if isinstance(strat, (list, tuple)):
            strat_s = (
                "["
                + ", ".join(
                    np.array2string(np.asarray(s, dtype=object if self.exact else float), precision=4)
                    for s in strat
                )
                + "]"
            )
        else:
            strat_s = f"<policy {np.shape(strat)}>"
        return (
            f"Solution(method={self.method!r}, strategies={strat_s}, "
            f"payoffs={np.asarray(self.payoffs).tolist()}, nash_conv={self.nash_conv})"
        )
