"""Fictitious play: every player best-responds to the empirical frequencies of the others' play.

Brown, "Iterative Solution of Games by Fictitious Play", in Activity Analysis of Production and
Allocation, 1951. The empirical frequencies converge to a Nash equilibrium in two-player zero-sum
games (Robinson, "An Iterative Method of Solving a Game", Annals of Mathematics 1951), in 2x2 games
(Miyasawa 1961) and in potential games (Monderer & Shapley 1996), but can cycle in general-sum
games (Shapley 1964). The alternating variant, in which players update in turn and each responds
to the already updated beliefs, is Brown's original formulation; Berger, "Brown's Original
Fictitious Play", JET 2007.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool
from ..registry import register_method
from ._operators import NormalFormLearner, deviation_payoffs


class FictitiousPlay(NormalFormLearner):
    """Fictitious play, simultaneous (default) or ``alternating`` (Brown 1951; Robinson 1951; Berger 2007).

    Beliefs start at ``init`` (uniform by default) with weight one; each iteration every player plays
    a pure best response to the others' current empirical mixture (ties to the lowest index), and
    the beliefs are the running averages of play. ``average_strategy`` is the empirical mixture,
    ``current_strategy`` the last pure best-response profile.
    """

    default_output = "average"

    def __init__(self, game: Any, *, alternating: bool = False, init: Any = None, seed: int | None = None):
        self.alternating = check_bool("alternating", alternating)
        super().__init__(game, init=init, seed=seed)
        self._accumulate(self.x)
        self.beliefs = self.average_strategy()
        self.last_play = [np.eye(k)[0] for k in self.num_actions]

    @staticmethod
    def _pure_br(d: np.ndarray) -> np.ndarray:
        out = np.zeros_like(d)
        out[int(np.argmax(d))] = 1.0
        return out

    def _step(self) -> None:
        w = self._avg_weight
        n = len(self.beliefs)
        if self.alternating:
            for i in range(n):
                d = deviation_payoffs(self.u, self.beliefs)[i]
                self.last_play[i] = self._pure_br(d)
                self.beliefs[i] = (w * self.beliefs[i] + self.last_play[i]) / (w + 1.0)
        else:
            dev = deviation_payoffs(self.u, self.beliefs)
            self.last_play = [self._pure_br(d) for d in dev]
            self.beliefs = [(w * b + p) / (w + 1.0)
                            for b, p in zip(self.beliefs, self.last_play, strict=True)]
        self._accumulate(self.last_play)
        self.x = [p.copy() for p in self.last_play]

    def average_strategy(self) -> list[np.ndarray]:
        return [s / self._avg_weight for s in self._avg_sum]


register_method("fictitious-play", families=("normal_form",))(FictitiousPlay)
