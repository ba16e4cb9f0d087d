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
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._checks import check_choice
from ..errors import DivergenceError, InvalidParameterError, NotApplicableError, NotMonotoneWarning
from ..games.normal_form import NormalFormGame
from ..ops import project_simplex, softmax
from ..run import Learner

Profile = list[np.ndarray]


def _payoff_tensor(game: Any) -> np.ndarray:
    return game.payoffs if isinstance(game, NormalFormGame) else np.asarray(game, dtype=float)


def deviation_payoffs(game: NormalFormGame | np.ndarray, x: Sequence[np.ndarray]) -> Profile:
    """``d_i(x)[a] = u_i(a, x_{-i})`` without input validation (the learners' hot path).

    ``game`` is a game or its payoff tensor of shape (n, A_1, ..., A_n) (the learners pass the
    tensor scaled to unit range, see `unit_payoffs`). Two players: two matrix-vector products;
    n players: one tensor contraction per player.
    """
    u = _payoff_tensor(game)
    return [deviation_payoff(u, x, i) for i in range(u.shape[0])]


def deviation_payoff(u: np.ndarray, x: Sequence[np.ndarray], i: int) -> np.ndarray:
    """Player i's ``d_i(x)`` alone from the payoff tensor ``u`` (one product with two players)."""
    n = u.shape[0]
    if n == 2:
        return u[0] @ x[1] if i == 0 else x[0] @ u[1]
    t = u[i]
    for j in reversed(range(n)):
        if j != i:
            t = np.tensordot(t, x[j], axes=([j], [0]))
    return t


def game_operator(game: NormalFormGame | np.ndarray, x: Sequence[np.ndarray]) -> Profile:
    """The monotone-operator view ``F(x) = -(d_1(x), ..., d_n(x))`` (players minimise losses)."""
    return [-d for d in deviation_payoffs(game, x)]


def unit_payoffs(payoffs: np.ndarray) -> tuple[np.ndarray, float]:
    """The payoff tensor shifted per player and scaled to unit range, and the scale: ``(v, s)``.

    ``v_i = (u_i - c_i) / s`` with ``c_i`` the midpoint of player i's payoffs and ``s`` the largest
    per-player range, so every entry of ``v`` lies in [-1/2, 1/2]. Shifting a player's payoffs by a
    constant and scaling all payoffs by ``s > 0`` change neither the equilibria nor any of the
    dynamics here (the simplex projection, softmax, regret matching and replicator updates are
    invariant to a constant added to a player's payoff vector), so the learners run on ``v``:
    their step sizes then mean the same on every game, and payoffs of 1e-300 or 1e300 neither
    underflow nor overflow. The maximum is divided out first so that ``max - min`` cannot
    overflow. Constant payoffs give ``v = 0``.
    """
    u = np.asarray(payoffs, dtype=float)
    m = float(np.max(np.abs(u))) if u.size else 0.0
    if m == 0.0:
        return np.zeros_like(u), 1.0
    v = u / m
    n = v.shape[0]
    flat = v.reshape(n, -1)
    mid = 0.5 * (flat.max(axis=1) + flat.min(axis=1))
    v = v - mid.reshape((n,) + (1,) * (v.ndim - 1))
    r = float(v.max() - v.min())
    if r == 0.0:
        return np.zeros_like(v), m
    return v / r, m * r


def entropic_prox(x: np.ndarray, g: np.ndarray, eta: float) -> np.ndarray:
    """``argmin_y η⟨g, y⟩ + KL(y ‖ x)`` on the simplex: ``y ∝ x exp(-η g)`` (the Hedge/MWU step)."""
    with np.errstate(divide="ignore"):
        return softmax(np.log(x) - eta * g)


def euclidean_prox(x: np.ndarray, g: np.ndarray, eta: float) -> np.ndarray:
    """``argmin_y η⟨g, y⟩ + ½‖y - x‖²`` on the simplex: ``Π(x - η g)`` (projected gradient)."""
    return project_simplex(x - eta * g)


PROX = {"entropic": entropic_prox, "euclidean": euclidean_prox}


def prox_for(geometry: str) -> Any:
    return PROX[check_choice("geometry", geometry, tuple(PROX))]


def natural_residual(game: NormalFormGame | np.ndarray, x: Sequence[np.ndarray], eta: float = 1.0) -> float:
    """The computable fixed-point residual ``‖x - Π(x - ηF(x))‖ / η`` (the natural map's norm).

    Zero exactly at a solution of the variational inequality, i.e. at a Nash equilibrium, and
    unchanged when a constant is added to a player's payoffs.
    """
    F = game_operator(game, x)
    sq = sum(float(np.sum((xi - project_simplex(xi - eta * fi)) ** 2)) for xi, fi in zip(x, F, strict=True))
    return math.sqrt(sq) / eta


def _double_centred(M: np.ndarray) -> np.ndarray:
    """``P_m M P_n`` with ``P = I - 11ᵀ/k``: M restricted to the tangent spaces of the two simplices."""
    return M - M.mean(axis=0, keepdims=True) - M.mean(axis=1, keepdims=True) + M.mean()


def operator_lipschitz(game: NormalFormGame | np.ndarray) -> float:
    """An upper bound on the Lipschitz constant of F on the product of simplices (1 for constant payoffs).

    Differences of profiles lie in the tangent space {Σ v = 0}, and adding a constant vector to F
    changes no projection onto the simplex, so only the tangent part of F matters. For two players
    F(x, y) = (-A y, -Bᵀ x), and the constant is max(‖P A P‖₂, ‖P B P‖₂) with P = I - 11ᵀ/k the
    tangent projector (it does not change when a constant is added to a player's payoffs). For n
    players each entry of ∂d_i/∂x_j is a payoff, so the Frobenius norm of the stacked Jacobian
    bound sqrt(Σ_{i≠j} A_i A_j) · max|u| is used.
    """
    u = _payoff_tensor(game)
    if u.shape[0] == 2:
        L = max(float(np.linalg.norm(_double_centred(u[i]), 2)) for i in (0, 1))
    else:
        sizes = np.asarray(u.shape[1:], dtype=float)
        cross = float(np.sum(np.outer(sizes, sizes)) - np.sum(sizes * sizes))
        L = math.sqrt(cross) * float(np.abs(u).max())
    return L if L > 1e-12 * float(np.abs(u).max(initial=0.0)) and L > 0 else 1.0


def is_monotone_game(game: NormalFormGame) -> bool:
    """True when the game operator is monotone: one player, or two players with constant sum."""
    return game.num_players == 1 or (game.num_players == 2 and bool(game.is_constant_sum))


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside the package."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def warn_if_not_monotone(game: NormalFormGame, method: str) -> None:
    """Warn (`NotMonotoneWarning`) when ``method``'s guarantee, which needs a monotone game, fails."""
    if not is_monotone_game(game):
        warnings.warn(
            NotMonotoneWarning(
                f"{method}'s convergence guarantee needs a monotone game (two-player zero-sum or "
                f"constant-sum); this {game.num_players}-player game is general-sum, so the iterates may "
                "cycle or diverge: check the NashConv of the result"
            ),
            stacklevel=user_stacklevel(),
        )


class NormalFormLearner(Learner):
    """Base of the normal-form dynamics: holds the game, the iterate ``x`` and its running average.

    ``init`` is ``None`` (uniform), ``"random"`` (a Dirichlet(1) draw from ``self.rng``) or a
    profile (validated). The dynamics run on ``self.u``, the payoffs scaled to unit range
    (`unit_payoffs`; ``self.payoff_range`` is the scale), so step sizes and temperatures are in
    units of the payoff range. Subclasses update ``self.x`` in `_step` and call `_accumulate`;
    a non-finite iterate raises `DivergenceError`.
    """

    families: ClassVar[tuple[str, ...]] = ("normal_form",)

    def __init__(self, game: Any, *, init: Any = None, seed: int | None = None):
        if not isinstance(game, NormalFormGame):
            raise NotApplicableError(
                f"{type(self).__name__} applies to normal-form games, not {type(game).__name__}"
            )
        super().__init__(game, seed=seed)
        self.num_actions = tuple(int(k) for k in game.num_actions)
        self.u, self.payoff_range = unit_payoffs(game.payoffs)
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

    def step(self) -> None:
        super().step()
        if not all(np.isfinite(xi).all() for xi in self.x):
            raise DivergenceError(
                f"{type(self).__name__}: the iterate became non-finite at iteration {self.iteration}; "
                "try a smaller step_size"
            )

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


__all__ = [
    "NormalFormLearner", "deviation_payoff", "deviation_payoffs", "entropic_prox", "euclidean_prox",
    "game_operator", "is_monotone_game", "natural_residual", "operator_lipschitz", "prox_for", "unit_payoffs",
    "user_stacklevel", "warn_if_not_monotone",
]
