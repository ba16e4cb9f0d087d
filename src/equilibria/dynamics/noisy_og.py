"""Optimistic gradient with learning-rate separation under noisy feedback.

Hsieh, Antonakopoulos, Cevher & Mertikopoulos, "No-Regret Learning in Games with Noisy Feedback:
Faster Rates and Adaptivity via Learning Rate Separation", NeurIPS 2022. Each player observes only
a noisy estimate ĝ of its gradient, and the optimistic (OG+) step uses a *larger* learning rate
γ_t for the extrapolation than η_t for the update:

    x_{t+1/2} = Π_C(x_t - γ_t ĝ_{t-1/2}),    x_{t+1} = Π_C(x_t - η_t ĝ_{t+1/2}).

Two noise models: *additive* (ĝ = F(x) + σ ξ, bounded variance), where the rates must decay,
γ_t = γ t^{-1/4} and η_t = η t^{-1/2} by default; and *multiplicative* (ĝ = F(x) + σ ‖F(x)‖ ξ,
the noise vanishes at interior solutions where F(x*) = 0), where constant rates with η ≤ γ keep
the last iterate converging. ξ is standard normal, drawn from the learner's generator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..registry import register_method
from ._operators import NormalFormLearner, check_positive, game_operator, operator_lipschitz, project_simplex

NOISE_MODELS = ("additive", "multiplicative", "none")


class NoisyOptimisticGradient(NormalFormLearner):
    """OG+ with learning-rate separation under noisy feedback (Hsieh, Antonakopoulos, Cevher &
    Mertikopoulos, NeurIPS 2022).

    ``noise`` is ``"additive"``, ``"multiplicative"`` or ``"none"``, with scale ``noise_scale`` σ.
    ``extrapolation_step`` γ and ``update_step`` η default to 0.5/L and 0.125/L (L the operator's
    Lipschitz bound); ``extrapolation_decay`` and ``update_decay`` are the exponents q in γ t^{-q}
    and η t^{-q} (defaults 1/4 and 1/2 under additive noise, 0 otherwise). The averages of the
    update points are kept as the average iterate.
    """

    default_output = "last"

    def __init__(self, game: Any, *, noise: str = "additive", noise_scale: float = 0.1,
                 extrapolation_step: float | None = None, update_step: float | None = None,
                 extrapolation_decay: float | None = None, update_decay: float | None = None,
                 init: Any = None, seed: int | None = None):
        super().__init__(game, init=init, seed=seed)
        if noise not in NOISE_MODELS:
            raise InvalidParameterError(f"noise must be one of {', '.join(NOISE_MODELS)}, not {noise!r}")
        self.noise = noise
        self.noise_scale = check_positive("noise_scale", noise_scale, allow_zero=True)
        L = operator_lipschitz(game)
        self.gamma = check_positive("extrapolation_step", 0.5 / L if extrapolation_step is None
                                    else extrapolation_step)
        self.eta = check_positive("update_step", 0.125 / L if update_step is None else update_step)
        additive = noise == "additive"
        self.gamma_decay = check_positive(
            "extrapolation_decay", (0.25 if additive else 0.0) if extrapolation_decay is None
            else extrapolation_decay, allow_zero=True)
        self.eta_decay = check_positive(
            "update_decay", (0.5 if additive else 0.0) if update_decay is None else update_decay,
            allow_zero=True)
        self.g_prev = self._feedback(self.x)

    def _feedback(self, x: list[np.ndarray]) -> list[np.ndarray]:
        F = game_operator(self.game, x)
        if self.noise == "none" or self.noise_scale == 0:
            return F
        if self.noise == "additive":
            scale = self.noise_scale
        else:
            scale = self.noise_scale * float(np.sqrt(sum(float(f @ f) for f in F)))
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
