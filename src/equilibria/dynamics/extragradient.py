"""Extragradient and mirror prox on the game operator F(x) = -(d_1(x), ..., d_n(x)).

One iteration takes an exploratory step from x_t with the operator at x_t and then the actual step
from x_t with the operator at the explored point:

    x_{t+1/2} = prox_{x_t}(η F(x_t)),    x_{t+1} = prox_{x_t}(η F(x_{t+1/2})).

Euclidean prox: extragradient (Korpelevich, "The Extragradient Method for Finding Saddle Points and
Other Problems", Matecon 1976). Entropic prox: mirror prox (Nemirovski, "Prox-Method with Rate of
Convergence O(1/t) for Variational Inequalities with Lipschitz Continuous Monotone Operators and
Smooth Convex-Concave Saddle Point Problems", SIAM J. Optim. 2004), whose average of the half
iterates has O(1/t) gap. For monotone games the last iterate has gap O(1/sqrt t) (Gorbunov, Loizou
& Gidel, AISTATS 2022; Cai, Oikonomou & Zheng, NeurIPS 2022). These guarantees need a monotone
operator, i.e. a two-player zero-sum (or constant-sum) game: on other games both methods warn with
`NotMonotoneWarning`. Both run on the payoffs scaled to unit range, so ``step_size`` is in units of
1/payoff range.
"""

from __future__ import annotations

from typing import Any

from .._checks import check_positive
from ..registry import register_method
from ._operators import NormalFormLearner, game_operator, operator_lipschitz, prox_for, warn_if_not_monotone


class Extragradient(NormalFormLearner):
    """Extragradient (Korpelevich 1976) or, with ``geometry="entropic"``, mirror prox (Nemirovski 2004).

    Default step sizes (payoffs scaled to unit range): 0.5 / L (Euclidean, L the Lipschitz bound of
    F, within Korpelevich's η < 1/L) and 0.5 (entropic). The average is taken over the half
    iterates x_{t+1/2} as in Nemirovski's analysis; the last iterate is the default output.
    """

    default_output = "last"

    def __init__(self, game: Any, *, geometry: str = "euclidean", step_size: float | None = None,
                 init: Any = None, seed: int | None = None):
        self.prox = prox_for(geometry)
        self.geometry = geometry
        if step_size is not None:
            step_size = check_positive("step_size", step_size)
        super().__init__(game, init=init, seed=seed)
        if step_size is None:
            step_size = 0.5 / operator_lipschitz(self.u) if geometry == "euclidean" else 0.5
        self.step_size = step_size
        warn_if_not_monotone(game, "extragradient" if geometry == "euclidean" else "mirror prox")

    def _step(self) -> None:
        eta = self.step_size
        F = game_operator(self.u, self.x)
        half = [self.prox(x, f, eta) for x, f in zip(self.x, F, strict=True)]
        F_half = game_operator(self.u, half)
        self.x = [self.prox(x, f, eta) for x, f in zip(self.x, F_half, strict=True)]
        self._accumulate(half)


register_method("extragradient", families=("normal_form",))(Extragradient)
register_method("mirror-prox", families=("normal_form",), geometry="entropic",
                description="Mirror prox (Nemirovski 2004): entropic extragradient")(Extragradient)
