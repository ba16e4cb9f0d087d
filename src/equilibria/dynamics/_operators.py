"""Shared pieces of the normal-form learning dynamics: the game's operator, projections, proxes.

A normal-form game with mixed profile x = (x_1, ..., x_n) defines the *game operator*

    F(x) = (-∇_{x_1} u_1(x), ..., -∇_{x_n} u_n(x)),   ∇_{x_i} u_i(x) = d_i(x),

where ``d_i(x)[a] = u_i(a, x_{-i})`` are the deviation payoffs. A Nash equilibrium is a solution of
the variational inequality ⟨F(x*), x - x*⟩ ≥ 0 for all x in the product of simplices, and for
two-player zero-sum games F is monotone and Lipschitz (Rockafellar 1970; Facchinei & Pang,
Finite-Dimensional Variational Inequalities and Complementarity Problems, 2003).

Profiles are lists of per-player arrays. The per-iteration loops run over players only; every
per-player operation is one NumPy expression.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._checks import check_positive  # noqa: F401  (re-exported)
from ..errors import InvalidParameterError, NotApplicableError
from ..games.normal_form import NormalFormGame
from ..run import Learner

Profile = list[np.ndarray]


def deviation_payoffs(game: NormalFormGame, x: Sequence[np.ndarray]) -> Profile:
    """``d_i(x)[a] = u_i(a, x_{-i})`` without input validation (the learners' hot path).

    Two players: two matrix-vector products; n players: one tensor contraction per player.
    """
    u = game.payoffs
    n = u.shape[0]
    if n == 2:
        return [u[0] @ x[1], x[0] @ u[1]]
    out = []
    for i in range(n):
        t = u[i]
        for j in reversed(range(n)):
            if j != i:
                t = np.tensordot(t, x[j], axes=([j], [0]))
        out.append(t)
    return out


def game_operator(game: NormalFormGame, x: Sequence[np.ndarray]) -> Profile:
    """The monotone-operator view ``F(x) = -(d_1(x), ..., d_n(x))`` (players minimise losses)."""
    return [-d for d in deviation_payoffs(game, x)]


def project_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto the probability simplex along the last axis.

    The sort-based algorithm of Held, Wolfe & Crowder (1974), in the form of Duchi, Shalev-Shwartz,
    Singer & Chandra, "Efficient Projections onto the l1-Ball for Learning in High Dimensions",
    ICML 2008: find the threshold θ with Σ_a max(v_a - θ, 0) = 1. Works on a batch of rows.
    """
    v = np.asarray(v, dtype=float)
    k = v.shape[-1]
    if v.ndim == 1:  # the common case, without the batch bookkeeping
        u = np.sort(v)[::-1]
        css = np.cumsum(u) - 1.0
        rho = np.flatnonzero(u * np.arange(1, k + 1) > css)[-1]
        return np.maximum(v - css[rho] / (rho + 1.0), 0.0)
    u = -np.sort(-v, axis=-1)
    css = np.cumsum(u, axis=-1) - 1.0
    idx = np.arange(1, k + 1)
    cond = u - css / idx > 0
    rho = k - 1 - np.argmax(cond[..., ::-1], axis=-1)
    theta = np.take_along_axis(css, rho[..., None], axis=-1) / (rho[..., None] + 1.0)
    return np.maximum(v - theta, 0.0)


def softmax(z: np.ndarray) -> np.ndarray:
    """``exp(z) / Σ exp(z)`` along the last axis, shifted by the maximum for stability."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def entropic_prox(x: np.ndarray, g: np.ndarray, eta: float) -> np.ndarray:
    """``argmin_y η⟨g, y⟩ + KL(y ‖ x)`` on the simplex: ``y ∝ x exp(-η g)`` (the Hedge/MWU step)."""
    with np.errstate(divide="ignore"):
        return softmax(np.log(x) - eta * g)


def euclidean_prox(x: np.ndarray, g: np.ndarray, eta: float) -> np.ndarray:
    """``argmin_y η⟨g, y⟩ + ½‖y - x‖²`` on the simplex: ``Π(x - η g)`` (projected gradient)."""
    return project_simplex(x - eta * g)


PROX = {"entropic": entropic_prox, "euclidean": euclidean_prox}


def prox_for(geometry: str) -> Any:
    if geometry not in PROX:
        raise InvalidParameterError(f"geometry must be 'entropic' or 'euclidean', not {geometry!r}")
    return PROX[geometry]


def natural_residual(game: NormalFormGame, x: Sequence[np.ndarray], eta: float = 1.0) -> float:
    """The computable fixed-point residual ``‖x - Π(x - ηF(x))‖ / η`` (the natural map's norm).

    Zero exactly at a solution of the variational inequality, i.e. at a Nash equilibrium.
    """
    F = game_operator(game, x)
    sq = sum(float(np.sum((xi - project_simplex(xi - eta * fi)) ** 2)) for xi, fi in zip(x, F, strict=True))
    return math.sqrt(sq) / eta


def operator_lipschitz(game: NormalFormGame) -> float:
    """An upper bound on the Lipschitz constant of F in the Euclidean norm.

    For two players F(x, y) = (-A y, -Bᵀ x), so ‖F(z) - F(z')‖ ≤ max(‖A‖₂, ‖B‖₂) ‖z - z'‖. For n
    players each entry of ∂d_i/∂x_j is a payoff, so the Frobenius norm of the stacked Jacobian
    bound sqrt(Σ_{i≠j} A_i A_j) · max|u| is used.
    """
    u = game.payoffs
    if u.shape[0] == 2:
        return max(float(np.linalg.norm(u[0], 2)), float(np.linalg.norm(u[1], 2)), 1e-12)
    sizes = np.asarray(game.num_actions, dtype=float)
    cross = float(np.sum(np.outer(sizes, sizes)) - np.sum(sizes * sizes))
    return max(math.sqrt(cross) * float(np.abs(u).max()), 1e-12)


def payoff_range(game: NormalFormGame) -> float:
    """``max u - min u`` over all players and entries (at least a tiny positive number)."""
    u = game.payoffs
    return max(float(u.max() - u.min()), 1e-12)


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class NormalFormLearner(Learner):
    """Base of the normal-form dynamics: holds the game, the iterate ``x`` and its running average.

    ``init`` is ``None`` (uniform), ``"random"`` (a Dirichlet(1) draw from ``self.rng``) or a
    profile (validated). Subclasses update ``self.x`` in `_step` and call `_accumulate`.
    """

    families: ClassVar[tuple[str, ...]] = ("normal_form",)

    def __init__(self, game: Any, *, init: Any = None, seed: int | None = None):
        if not isinstance(game, NormalFormGame):
            raise NotApplicableError(
                f"{type(self).__name__} applies to normal-form games, not {type(game).__name__}"
            )
        super().__init__(game, seed=seed)
        self.num_actions = tuple(int(k) for k in game.num_actions)
        self.x: Profile = self._initial_profile(init)
        self._avg_sum: Profile = [np.zeros(k) for k in self.num_actions]
        self._avg_weight = 0.0

    def _initial_profile(self, init: Any) -> Profile:
        if init is None:
            return [np.full(k, 1.0 / k) for k in self.num_actions]
        if isinstance(init, str):
            if init == "uniform":
                return [np.full(k, 1.0 / k) for k in self.num_actions]
            if init == "random":
                return [self.rng.dirichlet(np.ones(k)) for k in self.num_actions]
            raise InvalidParameterError(f"init must be 'uniform', 'random' or a profile, not {init!r}")
        try:
            prof = self.game.validate_profile(init)
        except Exception as exc:  # InvalidStrategyError: restate as a parameter problem
            raise InvalidParameterError(f"init is not a profile of this game: {exc}") from None
        return [np.array(p, dtype=float) for p in prof]

    def _accumulate(self, x: Sequence[np.ndarray], weight: float = 1.0) -> None:
        for s, xi in zip(self._avg_sum, x, strict=True):
            s += weight * xi
        self._avg_weight += weight

    def current_strategy(self) -> Profile:
        return [xi.copy() for xi in self.x]

    def average_strategy(self) -> Profile:
        if self._avg_weight <= 0:
            return self.current_strategy()
        return [s / self._avg_weight for s in self._avg_sum]
