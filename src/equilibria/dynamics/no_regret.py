"""No-regret dynamics for normal-form games: regret matching, RM+, Hedge/MWU, optimistic Hedge, OMD.

Every player runs its own online learner on the payoff vector ``d_i(x) = ∇_{x_i} u_i(x)`` it
observes. By the folk theorem of no-regret learning the *average* joint play converges to the set
of coarse correlated equilibria, and in two-player zero-sum games the average profile converges to
a Nash equilibrium (Freund & Schapire 1999). Optimistic variants also converge in the *last*
iterate on zero-sum games (Daskalakis & Panageas 2019; Wei, Lee, Zhang & Luo 2021), which plain
Hedge does not: on rock-paper-scissors its iterates spiral away from the equilibrium (Bailey &
Piliouras 2018).

=================  =======================================================================================
method             update (player i, payoff vector d_t, cumulative regret R, cumulative payoff S)
=================  =======================================================================================
regret-matching    R += d_t - ⟨d_t, x_t⟩;  x ∝ [R]^+  (Hart & Mas-Colell 2000)
rm+                R = [R + d_t - ⟨d_t, x_t⟩]^+;  x ∝ R; alternating, linear averaging (Tammelin 2014)
hedge / mwu        x ∝ exp(η_t S_t), η_t = sqrt(8 ln A / t) (Freund & Schapire 1997)
omwu               x ∝ exp(η (S_t + d_t)) (Rakhlin & Sridharan 2013; Daskalakis & Panageas 2019)
omd                x_{t+1} = prox_{x_t}(η d_t), entropic or Euclidean; optimistic two-sequence form
ogda               omd with Euclidean geometry and optimism (Popov 1980; Daskalakis et al. 2018)
=================  =======================================================================================

All of them run on the payoffs scaled to unit range (`equilibria.dynamics._operators.unit_payoffs`),
so a ``step_size`` means the same on every game and the updates cannot overflow. Those whose
last-iterate guarantee needs a monotone game (``omwu``, ``ogda`` and ``omd`` with optimism) warn
with `NotMonotoneWarning` on games that are not two-player constant-sum.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_bool, check_choice, check_positive
from ..ops import regret_matching, softmax
from ..registry import register_method
from ._operators import (
    NormalFormLearner,
    deviation_payoffs,
    operator_lipschitz,
    prox_for,
    warn_if_not_monotone,
)


class RegretMatching(NormalFormLearner):
    """Regret matching (Hart & Mas-Colell, "A Simple Adaptive Procedure Leading to Correlated
    Equilibrium", Econometrica 2000) and RM+ (Tammelin, "Solving Large Imperfect Information Games
    Using CFR+", arXiv 2014; Tammelin, Burch, Johanson & Bowling, IJCAI 2015).

    Each player plays proportionally to its positive cumulative regret. With ``plus`` the cumulative
    regret is clipped at zero after every update (RM+). ``alternating`` updates players in turn,
    each seeing the already updated strategies of earlier players; ``averaging`` is ``"uniform"``
    or ``"linear"`` (iteration t weighted by t). RM+ defaults to alternation with linear averaging,
    as in CFR+.
    """

    default_output = "average"

    def __init__(self, game: Any, *, plus: bool = False, alternating: bool | None = None,
                 averaging: str | None = None, init: Any = None, seed: int | None = None):
        self.plus = check_bool("plus", plus)
        self.alternating = self.plus if alternating is None else check_bool("alternating", alternating)
        averaging = ("linear" if self.plus else "uniform") if averaging is None else averaging
        self.averaging = check_choice("averaging", averaging, ("uniform", "linear"))
        super().__init__(game, init=init, seed=seed)
        self.regrets = [np.zeros(k) for k in self.num_actions]

    @staticmethod
    def _match(r: np.ndarray) -> np.ndarray:
        return regret_matching(r)

    def _update(self, i: int, d: np.ndarray) -> None:
        inst = d - d @ self.x[i]
        r = self.regrets[i] + inst
        self.regrets[i] = np.maximum(r, 0.0) if self.plus else r

    def _step(self) -> None:
        t = self.iteration + 1
        n = len(self.x)
        if self.alternating:
            for i in range(n):
                d = deviation_payoffs(self.u, self.x)[i]
                self._update(i, d)
                self.x[i] = self._match(self.regrets[i])
        else:
            dev = deviation_payoffs(self.u, self.x)
            for i in range(n):
                self._update(i, dev[i])
            self.x = [self._match(r) for r in self.regrets]
        self._accumulate(self.x, float(t) if self.averaging == "linear" else 1.0)


class Hedge(NormalFormLearner):
    """Hedge / multiplicative weights (Freund & Schapire, "A Decision-Theoretic Generalization of
    On-Line Learning and an Application to Boosting", JCSS 1997; "Adaptive Game Playing Using
    Multiplicative Weights", GEB 1999), in follow-the-regularized-leader form: x ∝ exp(η_t S_t).

    ``step_size`` is in units of 1/payoff range (the payoffs are scaled to unit range); ``None``
    uses the anytime rate η_t = sqrt(8 ln A_i / t), for which the average profile of a zero-sum
    game has NashConv O(sqrt(log A / t)). With ``optimistic`` the last payoff is
    counted twice, x ∝ exp(η (S_t + d_t)): optimistic Hedge / OMWU (Rakhlin & Sridharan, "Optimization,
    Learning, and Games with Predictable Sequences", NeurIPS 2013; Syrgkanis, Agarwal, Luo & Schapire,
    NeurIPS 2015), whose last iterate converges on zero-sum games with a unique equilibrium
    (Daskalakis & Panageas, "Last-Iterate Convergence: Zero-Sum Games and Constrained Min-Max
    Optimization", ITCS 2019). OMWU defaults to a constant η = 0.5, and warns (`NotMonotoneWarning`)
    on games that are not two-player constant-sum, where that guarantee does not hold.
    """

    default_output = "average"

    def __init__(self, game: Any, *, step_size: float | None = None, optimistic: bool = False,
                 init: Any = None, seed: int | None = None):
        self.optimistic = check_bool("optimistic", optimistic)
        if step_size is None and self.optimistic:
            step_size = 0.5
        self.step_size = None if step_size is None else check_positive("step_size", step_size)
        super().__init__(game, init=init, seed=seed)
        if self.optimistic:
            warn_if_not_monotone(game, "optimistic hedge (omwu)")
        with np.errstate(divide="ignore"):
            self.logits0 = [np.log(xi) for xi in self.x]
        self.cum_payoff = [np.zeros(k) for k in self.num_actions]
        self.last_payoff = [np.zeros(k) for k in self.num_actions]
        if self.optimistic:
            self.default_output = "last"  # the optimistic last iterate is what converges

    def _eta(self, i: int, t: int) -> float:
        if self.step_size is not None:
            return self.step_size
        return math.sqrt(8.0 * math.log(max(self.num_actions[i], 2)) / t)

    def _step(self) -> None:
        t = self.iteration + 1
        dev = deviation_payoffs(self.u, self.x)
        for i, d in enumerate(dev):
            self.cum_payoff[i] += d
            self.last_payoff[i] = d
        new = []
        for i in range(len(self.x)):
            signal = self.cum_payoff[i] + (self.last_payoff[i] if self.optimistic else 0.0)
            new.append(softmax(self.logits0[i] + self._eta(i, t + 1) * signal))
        self.x = new
        self._accumulate(self.x)


class OptimisticHedge(Hedge):
    """Optimistic Hedge / OMWU (Daskalakis & Panageas, ITCS 2019): `Hedge` with ``optimistic=True``.

    Its last iterate is what converges, so it is the default output.
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, init: Any = None,
                 seed: int | None = None):
        super().__init__(game, step_size=step_size, optimistic=True, init=init, seed=seed)


class OnlineMirrorDescent(NormalFormLearner):
    """Online mirror descent x_{t+1} = argmin_x -η⟨d_t, x⟩ + D(x, x_t), each player on its simplex.

    ``geometry="entropic"`` (KL divergence: the multiplicative update) or ``"euclidean"`` (projected
    gradient ascent, Zinkevich, ICML 2003). Nemirovski & Yudin (1983); Beck & Teboulle, "Mirror
    Descent and Nonlinear Projected Subgradient Methods for Convex Optimization", Oper. Res. Lett.
    2003. With ``optimistic`` the two-sequence optimistic mirror descent of Rakhlin & Sridharan
    (COLT and NeurIPS 2013) with the last payoff as prediction:

        x_t = prox_{x̂_t}(η d_{t-1}),    x̂_{t+1} = prox_{x̂_t}(η d(x_t)).

    In Euclidean geometry this is optimistic gradient descent-ascent, whose last iterate converges
    linearly on matrix games (Wei, Lee, Zhang & Luo, "Linear Last-Iterate Convergence in
    Constrained Saddle-Point Optimization", ICLR 2021), a guarantee for monotone games only: with
    ``optimistic`` it warns (`NotMonotoneWarning`) on games that are not two-player constant-sum.
    ``step_size`` is in units of the payoffs scaled to unit range; the defaults are 0.1 (entropic)
    and 0.25 / L (Euclidean, L the Lipschitz bound of the scaled game's operator).
    """

    default_output = "average"

    def __init__(self, game: Any, *, geometry: str = "entropic", step_size: float | None = None,
                 optimistic: bool = False, init: Any = None, seed: int | None = None):
        self.prox = prox_for(geometry)
        self.geometry = geometry
        self.optimistic = check_bool("optimistic", optimistic)
        if step_size is not None:
            step_size = check_positive("step_size", step_size)
        super().__init__(game, init=init, seed=seed)
        if step_size is None:
            step_size = 0.1 if geometry == "entropic" else 0.25 / operator_lipschitz(self.u)
        self.step_size = step_size
        if self.optimistic:
            warn_if_not_monotone(game, "optimistic gradient (ogda)" if geometry == "euclidean"
                                 else "optimistic mirror descent")
        self.x_hat = [xi.copy() for xi in self.x]
        self.prediction = [np.zeros(k) for k in self.num_actions]
        if self.optimistic:
            self.default_output = "last"

    def _step(self) -> None:
        eta = self.step_size
        dev = deviation_payoffs(self.u, self.x)
        self.x_hat = [self.prox(xh, -d, eta) for xh, d in zip(self.x_hat, dev, strict=True)]
        if self.optimistic:
            self.prediction = dev
            self.x = [self.prox(xh, -m, eta) for xh, m in zip(self.x_hat, self.prediction, strict=True)]
        else:
            self.x = [xh.copy() for xh in self.x_hat]
        self._accumulate(self.x)


class OptimisticGDA(OnlineMirrorDescent):
    """Optimistic gradient descent-ascent: `OnlineMirrorDescent` in Euclidean geometry with optimism.

    Popov, "A Modification of the Arrow-Hurwicz Method for Search of Saddle Points", Math. Notes
    1980; Daskalakis, Ilyas, Syrgkanis & Zeng, "Training GANs with Optimism", ICLR 2018. The last
    iterate is the output (Wei et al., ICLR 2021).
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, init: Any = None,
                 seed: int | None = None):
        super().__init__(game, geometry="euclidean", step_size=step_size, optimistic=True,
                         init=init, seed=seed)


register_method("regret-matching", families=("normal_form",))(RegretMatching)
register_method("rm+", families=("normal_form",), plus=True,
                description="Regret matching+ (Tammelin 2014): clipped regrets, alternation, "
                            "linear averaging")(RegretMatching)
register_method("hedge", families=("normal_form",))(Hedge)
register_method("mwu", families=("normal_form",),
                description="Multiplicative weights update (alias of hedge)")(Hedge)
register_method("omwu", families=("normal_form",))(OptimisticHedge)
register_method("omd", families=("normal_form",))(OnlineMirrorDescent)
register_method("ogda", families=("normal_form",))(OptimisticGDA)
