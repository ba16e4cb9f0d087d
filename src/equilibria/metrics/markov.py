"""Best responses and NashConv for Markov games.

When every other player follows a fixed Markov policy, player i faces a Markov decision process
(`MarkovGame.induced_mdp`). Its optimal value is found by value iteration (Bellman, *Dynamic
Programming*, 1957) over all states at once, finished by Howard's policy iteration (Howard,
*Dynamic Programming and Markov Processes*, 1960) so that the best-response value is exact up to
one linear solve; a finite horizon is solved by backward induction. The best response is a
deterministic Markov policy (stationary when discounted, time-dependent with a horizon), which is
optimal among *all* (history-dependent) policies of an MDP (Puterman, *Markov Decision Processes*,
1994, Thm 6.2.10), so the gains below are the true Nash gains from the initial distribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..games.markov import MarkovGame
from .core import best_response, best_response_values, deviation_gains


def solve_mdp(
    r: np.ndarray,
    P: np.ndarray,
    discount: float,
    horizon: int | None,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal values ``V[t, s]`` and greedy actions ``a[t, s]`` of the MDP ``(r[t, s, a], P[t, s, a, s'])``.

    Discounted (``horizon=None``, T = 1): value iteration until the Bellman residual is small,
    then policy iteration from the greedy policy until it is stable. Finite horizon: backward
    induction over ``horizon`` steps (``r[t]`` with ``t`` clipped to the array's length).
    """
    S = r.shape[1]
    if horizon is None:
        r0, P0 = r[0], P[0]
        V = np.zeros(S)
        scale = max(1.0, float(np.abs(r0).max(initial=0.0)))
        for _ in range(20):  # a few sweeps to seed policy iteration close to optimal
            V_new = (r0 + discount * P0 @ V).max(axis=1)
            done = np.abs(V_new - V).max() <= 1e-6 * scale
            V = V_new
            if done:
                break
        a = np.argmax(r0 + discount * P0 @ V, axis=1)
        idx = np.arange(S)
        for _ in range(max_iter):
            V = np.linalg.solve(np.eye(S) - discount * P0[idx, a], r0[idx, a])
            Q = r0 + discount * P0 @ V
            best = np.argmax(Q, axis=1)
            improve = Q[idx, best] > Q[idx, a] + tol * scale
            if not improve.any():
                break
            a = np.where(improve, best, a)
        return V[None], a[None]
    V = np.zeros(S)
    Vs, acts = np.zeros((horizon, S)), np.zeros((horizon, S), dtype=np.int64)
    for t in reversed(range(horizon)):
        k = min(t, r.shape[0] - 1)
        Q = r[k] + discount * P[k] @ V
        acts[t] = np.argmax(Q, axis=1)
        V = Q.max(axis=1)
        Vs[t] = V
    return Vs, acts


def _one_hot(acts: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((*acts.shape, k))
    np.put_along_axis(out, acts[..., None], 1.0, axis=-1)
    return out


def best_response_policy(game: MarkovGame, profile: Any, player: int) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic best-response Markov policy of ``player`` and its values ``V[s]`` (step 0)."""
    r, P = game.induced_mdp(profile, player)
    V, acts = solve_mdp(r, P, game.discount, game.horizon)
    pol = _one_hot(acts, game.num_actions[player])
    return (pol[0] if game.horizon is None else pol), V[0]


@best_response.register
def _br_markov(game: MarkovGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """A pure best response: ``(S, A_i)`` (discounted) or ``(H, S, A_i)`` (finite horizon)."""
    return best_response_policy(game, profile, player)[0]


@best_response_values.register
def _br_values_markov(game: MarkovGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    game.validate_profile(profile, exact=exact)
    return np.array(
        [game.initial @ best_response_policy(game, profile, i)[1] for i in range(game.num_players)]
    )


@deviation_gains.register
def _gains_markov(game: MarkovGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    br = _br_values_markov(game, profile, exact=exact)
    return np.maximum(br - game.expected_payoffs(profile), 0.0)


def state_deviation_gains(game: MarkovGame, profile: Any) -> np.ndarray:
    """``g[s, i]``: player i's best-response gain starting from each state s.

    All zero exactly at a Markov perfect equilibrium (Maskin & Tirole, "Markov perfect
    equilibrium", J. Econ. Theory 2001); `deviation_gains` only looks at the initial distribution.
    """
    V = game.state_values(profile)
    br = np.stack([best_response_policy(game, profile, i)[1] for i in range(game.num_players)], axis=1)
    return np.maximum(br - V, 0.0)
