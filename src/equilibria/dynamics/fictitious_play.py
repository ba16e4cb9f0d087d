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
from ..run import Learner
from ._operators import NormalFormLearner, deviation_payoff, deviation_payoffs


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
        # the beliefs are the running sums of play (``init`` with weight one, then one count per
        # iteration): ``_avg_sum`` / ``_avg_weight``; ``x`` holds the last pure best responses
        self._accumulate(self.x)
        self.x = [np.eye(k)[0] for k in self.num_actions]

    def _step(self) -> None:
        # Deviation payoffs against the *counts*: every opponent's count vector is its belief
        # times the same positive total, so the argmax (the pure best response, ties to the lowest
        # index) is the one against the beliefs, and an iteration is n contractions, n argmaxes
        # and 2n scalar writes: no per-iteration arrays beyond the contractions themselves.
        counts = self._avg_sum
        n = len(counts)
        if self.alternating:
            for i in range(n):
                self._play(i, int(deviation_payoff(self.u, counts, i).argmax()))
        else:
            best = [int(d.argmax()) for d in deviation_payoffs(self.u, counts)]
            for i, a in enumerate(best):
                self._play(i, a)
        self._avg_weight += 1.0

    def step(self) -> None:
        # the iterate is a pure profile, finite by construction: skip the base class's check
        Learner.step(self)

    def _play(self, i: int, action: int) -> None:
        xi = self.x[i]
        xi.fill(0.0)
        xi[action] = 1.0
        self._avg_sum[i][action] += 1.0


register_method("fictitious-play", families=("normal_form",))(FictitiousPlay)
