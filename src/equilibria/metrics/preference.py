"""Exploitability, duality gaps, KL and win rates for preference games (Nash learning from human feedback).

Notation: A = P − 1/2 is skew-symmetric, so ``P(π' ≻ π) − 1/2 = π'ᵀ A π`` per context, and
``g(y|x) = P(y ≻ π | x)``. All quantities are context-weighted averages, E_x = Σ_x w(x) (·).

One meaning per name. *Exploitability* is the metrics core's, `equilibria.exploitability`:
NashConv / 2 of the two-player constant-sum game, OpenSpiel's convention. A `PreferenceGame` is the
β-regularised symmetric constant-sum game of Munos et al. (its payoffs are u_β), so its
exploitability is measured in that game:

- `regularised_exploitability` (= ``equilibria.exploitability(game, π)`` for β = the game's β):
  ``max_π' [P(π' ≻ π) − β KL(π'‖π_ref)] − 1/2 + β KL(π‖π_ref)``; the inner maximum is the Gibbs
  policy π' ∝ π_ref exp(g/β) with value ``β E_x log Σ_y π_ref(y|x) exp(g(y|x)/β)``. Zero exactly at
  π*_β. `duality_gap` is twice this: ``max_π' u_β(π', π) − min_π'' u_β(π, π'')`` (= NashConv).
- `unregularised_exploitability`: ``max_π' P(π' ≻ π) − 1/2 = E_x max_y g(y|x) − 1/2``, the
  exploitability of the β = 0 game (``game.with_beta(0)``); zero exactly at a minimax winner
  (Dudík et al., COLT 2015; Munos et al., ICML 2024). It was called ``exploitability`` here
  before; that name remains as a deprecated alias (FutureWarning) of this function.
- The metrics core's `deviation_gains` for `PreferenceGame` returns each side's gain in the game
  the object defines (the β-regularised one), so ``nash_conv = duality_gap`` for a symmetric profile
  and, with β = 0, each gain is exactly ``max_π' P(π' ≻ π) − 1/2``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._checks import check_int
from ..errors import NotApplicableError
from ..games.preference import PreferenceGame, kl_rows
from ..ops import logsumexp
from .core import best_response, best_response_values, deviation_gains
from .core import exploitability as core_exploitability


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("preference games are evaluated in floating point; drop --exact")


def _br_value(game: PreferenceGame, opponent: np.ndarray, beta: float) -> float:
    """``max_π [P(π ≻ opponent) − β KL(π‖π_ref)]`` (β = 0: the best pure response)."""
    g = np.einsum("xij,xj->xi", game.P, opponent)
    if beta > 0:
        per_x = beta * logsumexp(game.log_reference + g / beta)
    else:
        per_x = np.max(np.where(game.mask, g, -np.inf), axis=1)
    return float(game.weights @ per_x)


def _side_gains(game: PreferenceGame, p1: np.ndarray, p2: np.ndarray, beta: float) -> np.ndarray:
    win = game.preference(p1, p2)
    kl1 = game.kl_to_reference(p1) if beta else 0.0
    kl2 = game.kl_to_reference(p2) if beta else 0.0
    g1 = _br_value(game, p2, beta) - (win - beta * kl1)
    g2 = _br_value(game, p1, beta) - ((1.0 - win) - beta * kl2)
    # a tiny negative number is rounding: a best response never loses
    return np.maximum(np.array([g1, g2]), 0.0)


@deviation_gains.register
def _gains_pref(game: PreferenceGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """Both sides' gains in the β-regularised game.

    For β = 0 side i's gain is max_π' P(π' ≻ π_other) − P(π_i ≻ π_other).
    """
    _no_exact(exact)
    p1, p2 = game.validate_profile(profile)
    return _side_gains(game, p1, p2, game.beta)


@best_response_values.register
def _br_values_pref(game: PreferenceGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    p1, p2 = game.validate_profile(profile)
    b = game.beta
    v1 = _br_value(game, p2, b) + b * game.kl_to_reference(p2)
    v2 = _br_value(game, p1, b) + b * game.kl_to_reference(p1)
    return np.array([v1, v2])


@best_response.register
def _br_pref(game: PreferenceGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """The regularised best response π ∝ π_ref exp(P(· ≻ π_other)/β); for β = 0 a pure argmax policy.

    Shape (X, K): one policy, the player's component of a profile (like every family's best response).
    """
    _no_exact(exact)
    player = check_int("player", player, minimum=0, maximum=1)
    p1, p2 = game.validate_profile(profile)
    return gibbs_response(game, p2 if player == 0 else p1, game.beta)


def gibbs_response(game: PreferenceGame, opponent: Any, beta: float) -> np.ndarray:
    """``argmax_π P(π ≻ opponent) − β KL(π‖π_ref)``: π ∝ π_ref exp(P(· ≻ opponent)/β); argmax for β = 0."""
    opp = game.validate_policy(opponent)
    g = np.einsum("xij,xj->xi", game.P, opp)
    if beta > 0:
        z = game.log_reference + g / beta
        return np.exp(z - logsumexp(z)[:, None])
    z = np.where(game.mask, g, -np.inf)
    out = np.zeros_like(z)
    out[np.arange(len(z)), np.argmax(z, axis=1)] = 1.0
    return out


def unregularised_exploitability(game: PreferenceGame, policy: Any) -> float:
    """``max_π' P(π' ≻ π) − 1/2``: by how much a best response beats π in the β = 0 game (Munos et al.,
    ICML 2024); the exploitability of ``game.with_beta(0)``, whatever the game's own β."""
    pi = game.validate_policy(policy)
    return max(_br_value(game, pi, 0.0) - 0.5, 0.0)


def exploitability(game: PreferenceGame, policy: Any) -> float:
    """Deprecated alias of `unregularised_exploitability` (FutureWarning).

    The library's ``exploitability`` is the metrics core's (`equilibria.exploitability`: NashConv/2
    of the game as it defines its payoffs, the β-regularised one here, = `regularised_exploitability`).
    """
    warnings.warn(
        "equilibria.metrics.preference.exploitability is deprecated: it is the unregularised quantity, "
        "now called unregularised_exploitability; equilibria.exploitability is NashConv/2 of the "
        "(regularised) game",
        FutureWarning,
        stacklevel=2,
    )
    return unregularised_exploitability(game, policy)


def regularised_exploitability(game: PreferenceGame, policy: Any, beta: float | None = None) -> float:
    """``max_π' [P(π' ≻ π) − β KL(π'‖π_ref)] − 1/2 + β KL(π‖π_ref)``: zero exactly at π*_β.

    ``beta`` defaults to the game's β (Munos et al., "Nash Learning from Human Feedback", ICML 2024);
    then this equals the core's ``equilibria.exploitability(game, policy)`` (NashConv / 2).
    """
    pi = game.validate_policy(policy)
    b = game.beta if beta is None else float(beta)
    kl = game.kl_to_reference(pi) if b else 0.0
    return max(_br_value(game, pi, b) - 0.5 + b * kl, 0.0)


def duality_gap(game: PreferenceGame, policy: Any, beta: float | None = None) -> float:
    """``max_π' u_β(π', π) − min_π'' u_β(π, π'')`` = 2 × `regularised_exploitability` (symmetric game)."""
    return 2.0 * regularised_exploitability(game, policy, beta)


def kl_to(game: PreferenceGame, policy: Any, target: Any) -> float:
    """``E_x KL(target(·|x) ‖ π(·|x))``, the Lyapunov function of Nash-MD / Nash-MP analyses."""
    pi, tgt = game.validate_policy(policy), game.validate_policy(target)
    # KL ≥ 0; a tiny negative value is rounding
    return max(float(game.weights @ kl_rows(tgt, pi)), 0.0)


def kl_to_equilibrium(game: PreferenceGame, policy: Any) -> float:
    """``E_x KL(π*_β ‖ π)``; requires β > 0 (π*_β is unique only then)."""
    if game.beta <= 0:
        raise NotApplicableError("KL to π*_β needs beta > 0: the minimax winner need not be unique")
    return kl_to(game, policy, game.regularised_equilibrium)


def win_rate(game: PreferenceGame, policy: Any, other: Any) -> float:
    """``P(π ≻ π')``: the probability that a response of π beats one of π' (same context)."""
    return game.preference(policy, other)


def query_count(learner: Any) -> int:
    """Preference-oracle queries a learner has used (0 in exact mode)."""
    return int(getattr(learner, "queries", 0))


def summary(game: PreferenceGame, policy: Any) -> dict[str, float]:
    """The numbers reported for a preference-game policy (in `Solution.info` and learner traces)."""
    pi = game.validate_policy(policy)
    out = {
        "exploitability": float(core_exploitability(game, pi)),
        "unregularised_exploitability": unregularised_exploitability(game, pi),
        "win_rate_vs_reference": win_rate(game, pi, game.reference),
    }
    if game.beta > 0:
        out["kl_to_regularised_equilibrium"] = kl_to_equilibrium(game, pi)
        out["win_rate_vs_regularised_equilibrium"] = win_rate(game, pi, game.regularised_equilibrium)
    return out
