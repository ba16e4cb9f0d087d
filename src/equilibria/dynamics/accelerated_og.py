"""Accelerated optimistic gradient (Cai & Zheng, "Doubly Optimal No-Regret Learning in Monotone
Games", ICML 2023).

Optimistic gradient with Halpern-style anchoring towards the starting point x_0. Each player uses
only its own gradient feedback, one gradient per round, so the method is an uncoupled no-regret
learner; for monotone games its *last* iterate has gap and tangent residual O(1/T), which is
optimal among first-order methods, against Θ(1/sqrt T) for the last iterate of extragradient or
optimistic gradient (Golowich, Pattathil, Daskalakis & Ozdaglar, "Last Iterate is Slower than
Averaged Iterate in Smooth Convex-Concave Saddle Point Problems", COLT 2020). With g = F(x) the
game operator, round k = 0, 1, ... is

    x_{k+1/2} = Π_C[x_k - η g_{k-1/2} + (x_0 - x_k)/(k+1)],
    x_{k+1}   = Π_C[x_k - η g_{k+1/2} + (x_0 - x_k)/(k+1)],    g_{k+1/2} = F(x_{k+1/2}),

with g_{-1/2} = F(x_0). The guarantee needs a monotone game (two-player zero-sum or constant-sum);
on other games the learner warns with `NotMonotoneWarning`.
"""

from __future__ import annotations

from typing import Any

from .._checks import check_positive
from ..ops import project_simplex
from ..registry import register_method
from ._operators import NormalFormLearner, game_operator, operator_lipschitz, warn_if_not_monotone


class AcceleratedOptimisticGradient(NormalFormLearner):
    """Accelerated optimistic gradient (Cai & Zheng, ICML 2023), last iterate O(1/T) in monotone games.

    Default step size η = 1/(4L), L the Lipschitz bound of the game operator on the payoffs scaled
    to unit range (the analysis needs ηL below a constant; ``step_size`` is in those units).
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, init: Any = None,
                 seed: int | None = None):
        if step_size is not None:
            step_size = check_positive("step_size", step_size)
        super().__init__(game, init=init, seed=seed)
        self.step_size = 0.25 / operator_lipschitz(self.u) if step_size is None else step_size
        warn_if_not_monotone(game, "accelerated optimistic gradient")
        self.anchor = [xi.copy() for xi in self.x]
        self.g_prev = game_operator(self.u, self.x)

    def _step(self) -> None:
        k, eta = self.iteration, self.step_size
        pull = [(a - x) / (k + 1) for a, x in zip(self.anchor, self.x, strict=True)]
        half = [project_simplex(x - eta * g + p) for x, g, p in zip(self.x, self.g_prev, pull, strict=True)]
        g_half = game_operator(self.u, half)
        self.x = [project_simplex(x - eta * g + p) for x, g, p in zip(self.x, g_half, pull, strict=True)]
        self.g_prev = g_half
        self._accumulate(self.x)


register_method("accelerated-og", families=("normal_form",))(AcceleratedOptimisticGradient)
