"""Smoothed (logit) best response dynamics and stochastic fictitious play.

The logit best response at temperature τ is σ_τ(d) = softmax(d / τ). Discretising the logit
dynamic ẋ_i = σ_τ(d_i(x)) - x_i with step α_t,

    x_{i, t+1} = x_{i, t} + α_t (σ_τ(d_i(x_t)) - x_{i, t}),

gives stochastic (smooth) fictitious play for α_t = 1/(t+1) (Fudenberg & Kreps, "Learning Mixed
Equilibria", GEB 1993; Fudenberg & Levine, The Theory of Learning in Games, 1998) and the logit
dynamic of Fudenberg & Levine for constant α. Its rest points are the logit quantal response
equilibria (McKelvey & Palfrey, GEB 1995), and it converges to them in zero-sum and potential
games (Hofbauer & Sandholm, "On the Global Convergence of Stochastic Fictitious Play",
Econometrica 2002). A logit QRE has NashConv at most τ Σ_i ln A_i.
"""

from __future__ import annotations

from typing import Any

from .._checks import check_positive
from ..ops import softmax
from ..registry import register_method
from ._operators import NormalFormLearner, deviation_payoffs


class LogitResponse(NormalFormLearner):
    """Smoothed best response / stochastic fictitious play (Fudenberg & Kreps 1993; Hofbauer & Sandholm 2002).

    ``temperature`` τ is relative to the payoff range (the dynamics run on the payoffs scaled to
    unit range; ``tau`` is τ · range, the temperature in the game's units), default 0.01.
    ``step_size`` α: ``None`` for α_t = 1/(t+1) (smooth fictitious play), a number in (0, 1] for the
    constant-step logit dynamic.
    """

    default_output = "last"

    def __init__(self, game: Any, *, temperature: float = 0.01, step_size: float | None = None,
                 init: Any = None, seed: int | None = None):
        self.temperature = check_positive("temperature", temperature)
        self.step_size = None if step_size is None else check_positive("step_size", step_size, maximum=1.0)
        super().__init__(game, init=init, seed=seed)
        self.tau = self.temperature * self.payoff_range

    def _step(self) -> None:
        t = self.iteration + 1
        alpha = self.step_size if self.step_size is not None else 1.0 / (t + 1)
        dev = deviation_payoffs(self.u, self.x)
        self.x = [x + alpha * (softmax(d, self.temperature) - x) for x, d in zip(self.x, dev, strict=True)]
        self._accumulate(self.x)


register_method("logit-response", families=("normal_form",))(LogitResponse)
