"""Optimistic gradient with learning-rate separation under noisy feedback.

Hsieh, Antonakopoulos, Cevher & Mertikopoulos, "No-Regret Learning in Games with Noisy Feedback:
Faster Rates and Adaptivity via Learning Rate Separation", NeurIPS 2022. Each player observes only
a noisy estimate ĝ of its gradient, and the optimistic (OG+) step uses a *larger* learning rate
γ_t for the extrapolation than η_t for the update:

    x_{t+1/2} = Π_C(x_t - γ_t ĝ_{t-1/2}),    x_{t+1} = Π_C(x_t - η_t ĝ_{t+1/2}).

Two noise models: *additive* (ĝ = F(x) + σ ξ, bounded variance), where the rates must decay,
γ_t = γ t^{-1/4} and η_t = η t^{-1/2} by default; and *multiplicative* (relative) noise, whose
size vanishes at the solutions, where constant rates with η ≤ γ keep the last iterate converging.
The paper states the multiplicative model for unconstrained problems, ĝ = F(x) + σ‖F(x)‖ξ, where
F(x*) = 0. On the product of simplices F(x*) is not zero (at an interior equilibrium it is the
game's value times the all-ones vector, and adding a constant to the payoffs changes it), so a
noise of size ‖F(x)‖ would not vanish at the equilibrium. The constrained analogue used here is
the natural residual r(x) = ‖x - Π_C(x - F(x))‖, which is zero exactly at the equilibria, equals
the norm of the tangential part of F near an interior point, and is unchanged by adding a
constant to a player's payoffs: ĝ = F(x) + σ r(x) ξ. ξ is standard normal, drawn from the
learner's generator. The learner runs on the payoffs scaled to unit range, so σ and the steps are
in units of the payoff range.

OG+ converges in monotone games (the paper's variationally stable games include every two-player
zero-sum game); on games that are not two-player constant-sum the learner warns with
`NotMonotoneWarning`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_positive
from ..ops import project_simplex
from ..registry import register_method
from ._operators import NormalFormLearner, game_operator, operator_lipschitz, warn_if_not_monotone

NOISE_MODELS = ("additive", "multiplicative", "none")


class NoisyOptimisticGradient(NormalFormLearner):
    """OG+ with learning-rate separation under noisy feedback (Hsieh, Antonakopoulos, Cevher &
    Mertikopoulos, NeurIPS 2022).

    ``noise`` is ``"additive"``, ``"multiplicative"`` or ``"none"``, with scale ``noise_scale`` σ.
    ``step_size`` (the update step η) and ``extrapolation_step`` γ default to 0.125/L and 0.5/L
    (L the Lipschitz bound of the operator of the game scaled to unit payoff range);
    ``extrapolation_decay`` and ``update_decay`` are the exponents q in γ t^{-q} and η t^{-q}
    (defaults 1/4 and 1/2 under additive noise, 0 otherwise). The averages of the update points
    are kept as the average iterate.
    """

    default_output = "last"

    def __init__(self, game: Any, *, noise: str = "additive", noise_scale: float = 0.1,
                 extrapolation_step: float | None = None, step_size: float | None = None,
                 extrapolation_decay: float | None = None, update_decay: float | None = None,
                 init: Any = None, seed: int | None = None):
        self.noise = check_choice("noise", noise, NOISE_MODELS)
        self.noise_scale = check_positive("noise_scale", noise_scale, allow_zero=True)
        if extrapolation_step is not None:
            extrapolation_step = check_positive("extrapolation_step", extrapolation_step)
        if step_size is not None:
            step_size = check_positive("step_size", step_size)
        super().__init__(game, init=init, seed=seed)
        warn_if_not_monotone(game, "noisy optimistic gradient")
        L = operator_lipschitz(self.u)
        self.gamma = 0.5 / L if extrapolation_step is None else extrapolation_step
        self.eta = 0.125 / L if step_size is None else step_size
        self.step_size = self.eta
        additive = noise == "additive"
        self.gamma_decay = check_positive(
            "extrapolation_decay", (0.25 if additive else 0.0) if extrapolation_decay is None
            else extrapolation_decay, allow_zero=True)
        self.eta_decay = check_positive(
            "update_decay", (0.5 if additive else 0.0) if update_decay is None else update_decay,
            allow_zero=True)
        self.g_prev = self._feedback(self.x)

    def _feedback(self, x: list[np.ndarray]) -> list[np.ndarray]:
        F = game_operator(self.u, x)
        if self.noise == "none" or self.noise_scale == 0:
            return F
        if self.noise == "additive":
            scale = self.noise_scale
        else:  # relative noise: vanishes at the equilibria (see the module docstring)
            r2 = sum(float(np.sum((xi - project_simplex(xi - fi)) ** 2)) for xi, fi in zip(x, F, strict=True))
            scale = self.noise_scale * float(np.sqrt(r2))
        return [f + scale * self.rng.standard_normal(len(f)) for f in F]

    def _step(self) -> None:
        t = self.iteration + 1
        gamma = self.gamma * t ** -self.gamma_decay
        eta = self.eta * t ** -self.eta_decay
        half = [project_simplex(x - gamma * g) for x, g in zip(self.x, self.g_prev, strict=True)]
        g_half = self._feedback(half)
        self.x = [project_simplex(x - eta * g) for x, g in zip(self.x, g_half, strict=True)]
        self.g_prev = g_half
        self._accumulate(self.x)


register_method("noisy-og", families=("normal_form",))(NoisyOptimisticGradient)
