"""REBEL and contrastive policy gradient on preference games (the Nash-learning learners' machinery).

==========  ======================================================================  ===============
method      one iteration (tabular, all contexts at once; l = log π, η = step_size)  paper
==========  ======================================================================  ===============
rebel       s = argmin_s E_{y,y'∼π_t} [((s(y) − s(y'))/η − (o(y ≻ y') − 1/2))²];       Gao 2024
            l ← log softmax(l + s)  (exact mode: s = η P(· ≻ π_t))
copg        θ ← θ + η μ(y) (R_β(y) − E_μ R_β),  R_β = P(· ≻ μ) − β (l − l_ref),       Flet-Berliac
            μ = π_t (``behaviour="current"``) or π_ref (``"reference"``)            2024
==========  ======================================================================  ===============

Both use `equilibria.dynamics.preference.PreferenceLearner` (modes ``exact``/``sampled``, query
budget, metrics, checkpoints).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._checks import check_choice, check_positive
from ..errors import InvalidParameterError
from ..games.preference import PreferenceGame
from ..ops import log_softmax
from ..registry import register_method
from .preference import PreferenceLearner


def _sample(rng: np.random.Generator, pi: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Indices drawn from each context's row of ``pi``: an array (X, *shape), by the inverse CDF."""
    X, K = pi.shape
    cdf = np.cumsum(pi, axis=1)
    u = rng.random((X,) + shape) * cdf[:, -1].reshape((X,) + (1,) * len(shape))
    flat = u.reshape(X, -1)
    idx = np.minimum(np.einsum("xnk->xn", (flat[:, :, None] >= cdf[:, None, :]).astype(np.int64)), K - 1)
    return idx.reshape((X,) + shape)


@register_method("rebel", families=("preference",))
class REBEL(PreferenceLearner):
    """REBEL with general preferences (Gao et al., "REBEL: Reinforcement Learning via Regressing Relative
    Rewards", NeurIPS 2024): each iteration regresses the difference of log-ratios onto the difference of
    rewards, for pairs drawn from the current policy; with a preference oracle the relative reward of
    (y, y') is the preference o(y ≻ y') − 1/2.

    1. Draw ``batch`` pairs y, y' ∼ π_t per context and an oracle outcome o ∼ Bernoulli(P(y ≻ y')).
    2. s = argmin Σ ((s(y) − s(y'))/η − (o − 1/2))² (a graph-Laplacian least-squares problem per
       context, with a ridge of 1e-9 per pair so that responses never drawn keep s = 0).
    3. π_{t+1} ∝ π_t exp(s).

    In exact mode the regression is solved in expectation: s = η (P(y ≻ π_t) − 1/2) + const, i.e. the
    mirror-descent (natural policy gradient) step the paper proves REBEL reduces to, so the average
    policy approaches a minimax winner at the no-regret rate O(1/√T) for η ∝ 1/√T (here a constant η,
    default 1: the average then reaches an O(η) neighbourhood). β is not used (the unregularised game).
    """

    default_output: ClassVar[str] = "average"
    uses_inner_steps: ClassVar[bool] = True

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float:
        return 1.0 if step_size is None else check_positive("step_size", step_size, maximum=1e6)

    def _queries_per_step(self) -> int:
        return 0 if self.mode == "exact" else self.batch * self.game.num_contexts

    def _regression(self) -> np.ndarray:
        game, eta = self.game, self.step_size
        pi = self.policy()
        X, K = pi.shape
        pairs = _sample(self.rng, pi, (2, self.batch))
        y, y2 = pairs[:, 0], pairs[:, 1]
        rows = np.arange(X)[:, None]
        o = (self.rng.random((X, self.batch)) < game.P[rows, y, y2]).astype(float)
        self.queries += X * self.batch
        d = np.zeros((X, self.batch, K))
        np.put_along_axis(d, y[..., None], 1.0, axis=2)
        d2 = np.zeros((X, self.batch, K))
        np.put_along_axis(d2, y2[..., None], 1.0, axis=2)
        diff = d - d2  # e_y − e_y' per pair (zero for y = y')
        L = np.einsum("xbi,xbj->xij", diff, diff) + 1e-9 * self.batch * np.eye(K)
        c = np.einsum("xb,xbi->xi", o - 0.5, diff)
        return eta * np.linalg.solve(L, c[..., None])[..., 0]

    def _step(self) -> None:
        if self.mode == "exact":
            s = self.step_size * self._wins(self.log_pi)
        else:
            s = self._regression()
        self._set(np.where(self.game.mask, self.log_pi + s, -np.inf))


@register_method("copg", families=("preference",))
class ContrastivePolicyGradient(PreferenceLearner):
    """Contrastive policy gradient, CoPG (Flet-Berliac et al., "Contrastive Policy Gradient: Aligning
    LLMs on sequence-level scores in a supervised-friendly fashion", arXiv:2406.19185 2024), with the
    preference against the behaviour policy as the sequence-level reward, R(y) = P(y ≻ μ).

    For pairs y, y' from a behaviour policy μ, the update follows
    E_{y,y'∼μ}[(R_β(y) − R_β(y')) ∇(log π(y) − log π(y'))]/2 with R_β = R − β log(π/π_ref): the
    other response of the pair is the baseline, and no importance weight is needed. Our reading
    (the full text was not reached): in the softmax logits θ of a tabular policy this is

    1. R_β(y) = P(y ≻ μ) − β (log π_t(y) − log π_ref(y));
    2. θ(y) ← θ(y) + η μ(y) (R_β(y) − E_μ R_β)   (exact mode; in sampled mode the pair average with
       R(y) estimated by one oracle comparison against a fresh y'' ∼ μ);
    3. π_{t+1} = softmax(θ).

    Its fixed points are π ∝ π_ref exp(R/β) for any μ with full support (the paper's off-policy
    optimality): with μ = π_ref (``behaviour="reference"``) that is the IPO optimum (CoPG generalises
    IPO); with μ = π_t (``"current"``, default) it is the regularised Nash equilibrium π*_β.
    For a fixed μ the step is gradient ascent on the concave quadratic −E_μμ[(R_β(y) − R_β(y'))²]/(4β),
    whose curvature is at most β: the default η = 1/β (``behaviour="reference"``) is stable. With
    self-play the preference term adds a rotation (eigenvalues −βa ± ib, |b| ≤ 1/2 per unit of
    probability) and the default is min(1/β, 4β/(β² + 1/4)), our stability estimate for explicit
    steps linearised around π*_β. Tabular policies only.
    """

    default_output: ClassVar[str] = "last"

    def __init__(self, game: PreferenceGame, *, step_size: float | None = None, seed: int | None = None,
                 behaviour: str = "current", mode: str = "exact", policy: str = "tabular",
                 batch: int | None = None, max_queries: int | None = None):
        behaviour = check_choice("behaviour", behaviour, ("current", "reference"))
        if policy != "tabular":
            raise InvalidParameterError("copg supports policy='tabular' only (its step is in the logits)")
        super().__init__(game, step_size=step_size, seed=seed, mode=mode, policy=policy, batch=batch,
                         max_queries=max_queries)
        self.behaviour = behaviour
        if self.step_size is None:
            b = game.beta
            self.step_size = 1.0 / b if behaviour == "reference" else min(1.0 / b, 4.0 * b / (b * b + 0.25))

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float | None:
        self._require_beta(game)
        # None: the default, which depends on the behaviour policy (set in __init__)
        return None if step_size is None else check_positive("step_size", step_size, maximum=1e6)

    def _queries_per_step(self) -> int:
        return 0 if self.mode == "exact" else 2 * self.batch * self.game.num_contexts

    def _behaviour(self) -> np.ndarray:
        return self.policy() if self.behaviour == "current" else np.asarray(self.game.reference)

    def _step(self) -> None:
        game, b, eta = self.game, self.game.beta, self.step_size
        mu = self._behaviour()
        adv = np.where(game.mask, self.log_pi - game.log_reference, 0.0)
        if self.mode == "exact":
            R = np.einsum("xij,xj->xi", game.P, mu)
            Rb = R - b * adv
            grad = mu * (Rb - np.sum(mu * Rb, axis=1, keepdims=True))
        else:
            X, K = mu.shape
            rows = np.arange(X)[:, None]
            draws = _sample(self.rng, mu, (3, self.batch))
            y, y2, z = draws[:, 0], draws[:, 1], draws[:, 2]
            z2 = _sample(self.rng, mu, (self.batch,))
            o1 = (self.rng.random((X, self.batch)) < game.P[rows, y, z]).astype(float)
            o2 = (self.rng.random((X, self.batch)) < game.P[rows, y2, z2]).astype(float)
            self.queries += 2 * X * self.batch
            delta = (o1 - b * adv[rows, y]) - (o2 - b * adv[rows, y2])
            grad = np.zeros((X, K))
            np.add.at(grad, (np.broadcast_to(rows, y.shape), y), 0.5 * delta / self.batch)
            np.add.at(grad, (np.broadcast_to(rows, y2.shape), y2), -0.5 * delta / self.batch)
        self.log_pi = log_softmax(np.where(game.mask, self.log_pi + eta * grad, -np.inf))


def copg_fixed_point(game: PreferenceGame, behaviour: Any) -> np.ndarray:
    """π ∝ π_ref exp(P(· ≻ μ)/β): CoPG's optimum for a fixed behaviour policy μ (Flet-Berliac et al. 2024)."""
    mu = game.validate_policy(behaviour)
    return np.exp(log_softmax(game.log_reference + np.einsum("xij,xj->xi", game.P, mu) / game.beta))


__all__ = ["REBEL", "ContrastivePolicyGradient", "copg_fixed_point"]
