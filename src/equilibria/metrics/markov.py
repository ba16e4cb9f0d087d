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
        # tolerances relative to the rewards, so that rewards of 1e-13 are not all "equal"
        scale = float(np.abs(r0).max(initial=0.0)) or 1.0
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


# ---- correlated policies ----------------------------------------------------------------------
#
# A correlated (joint) Markov policy μ[s, a] (or μ[t, s, a] with a horizon) has a mediator draw a
# joint action a ~ μ_s at every state and tell each player its own part. It is a correlated
# equilibrium of the Markov game when no player gains by any deviation plan that maps the states
# and recommendations it sees to actions (Greenwald & Hall, "Correlated-Q learning", ICML 2003;
# Murray & Gordon, "Finding correlated equilibria in general sum stochastic games", CMU-ML-07-113,
# 2007). For player i that best deviation solves an MDP whose value before the recommendation is
#
#     U[s] = Σ_a max_b Σ_c μ_s(a, c) (R_i[s, b, c] + γ Σ_s' P[s, (b, c), s'] U[s'])
#
# (a: i's recommendation, c: the others' actions, b: what i plays). Solved like `solve_mdp`: value
# iteration, then policy iteration over the deviation maps (s, a) → b, exact up to one linear solve.


def _joint_array(game: MarkovGame, joint: Any) -> np.ndarray:
    """The correlated policy as ``μ[t, s, j]`` (j the flat joint action), checked to be a distribution."""
    from ..errors import InvalidStrategyError

    S, A = game.num_states, game.num_actions
    try:
        mu = np.asarray(joint, dtype=float)
    except (TypeError, ValueError):
        raise InvalidStrategyError("a correlated Markov policy must be an array of numbers") from None
    if mu.shape == (S, *A):
        mu = mu[None]
    if mu.ndim != len(A) + 2 or mu.shape[1:] != (S, *A) or mu.shape[0] not in (1, game.num_steps):
        raise InvalidStrategyError(
            f"a correlated Markov policy has shape {(S, *A)}"
            + (f" or {(game.num_steps, S, *A)}" if game.horizon else "") + f"; got {mu.shape}"
        )
    flat = mu.reshape(mu.shape[0], S, -1)
    if not np.isfinite(flat).all() or flat.min() < -1e-9 or (np.abs(flat.sum(-1) - 1) > 1e-6).any():
        raise InvalidStrategyError(
            "a correlated Markov policy must be a probability distribution at every state"
        )
    return flat


def _deviation_tensors(game: MarkovGame, mu: np.ndarray, player: int) -> tuple[np.ndarray, np.ndarray]:
    """``rw[t, s, a, b]`` and ``Pw[t, s, a, b, s']``: reward and transition mass of playing b when told a."""
    S, A = game.num_states, game.num_actions
    k = A[player]
    T = mu.shape[0]
    mu_i = np.moveaxis(mu.reshape(T, S, *A), 2 + player, 2).reshape(T, S, k, -1)
    R_i = np.moveaxis(game.rewards[:, player], 1 + player, 1).reshape(S, k, -1)
    P_i = np.moveaxis(game.transitions, 1 + player, 1).reshape(S, k, -1, S)
    # batched matrix products over the states (BLAS), contracting the others' joint action c
    rw = np.matmul(mu_i, np.swapaxes(R_i, 1, 2)[None])  # (T, S, a, b)
    P_cb = np.swapaxes(P_i, 1, 2).reshape(S, P_i.shape[2], k * S)  # (S, c, b·s')
    Pw = np.matmul(mu_i, P_cb[None]).reshape(T, S, k, k, S)
    return rw, Pw


def _deviation_values(
    game: MarkovGame, rw: np.ndarray, Pw: np.ndarray, follow: bool, tol: float = 1e-12, max_iter: int = 10_000
) -> np.ndarray:
    """``U[s]`` (step 0): the value of the best deviation plan, or of obeying when ``follow``."""
    S, k = rw.shape[1], rw.shape[2]
    g = game.discount
    idx_s = np.arange(S)[:, None]
    idx_a = np.arange(k)[None, :]

    def fixed(t: int, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return rw[t, idx_s, idx_a, d].sum(axis=1), Pw[t, idx_s, idx_a, d].sum(axis=1)

    obey = np.broadcast_to(np.arange(k), (S, k))
    if game.horizon is not None:
        U = np.zeros(S)
        for t in reversed(range(game.horizon)):
            tt = min(t, rw.shape[0] - 1)
            if follow:
                r_d, P_d = fixed(tt, obey)
                U = r_d + g * P_d @ U
            else:
                U = (rw[tt] + g * Pw[tt] @ U).max(axis=2).sum(axis=1)
        return U
    if follow:
        r_d, P_d = fixed(0, obey)
        return np.linalg.solve(np.eye(S) - g * P_d, r_d)
    scale = float(np.abs(rw).max(initial=0.0)) or 1.0
    U = np.zeros(S)
    for _ in range(20):  # seed policy iteration close to the optimum
        U_new = (rw[0] + g * Pw[0] @ U).max(axis=2).sum(axis=1)
        done = np.abs(U_new - U).max() <= 1e-6 * scale
        U = U_new
        if done:
            break
    d = np.argmax(rw[0] + g * Pw[0] @ U, axis=2)
    for _ in range(max_iter):
        r_d, P_d = fixed(0, d)
        U = np.linalg.solve(np.eye(S) - g * P_d, r_d)
        Q = rw[0] + g * Pw[0] @ U  # (S, k, k)
        best = np.argmax(Q, axis=2)
        cur = np.take_along_axis(Q, d[..., None], axis=2)[..., 0]
        improve = np.take_along_axis(Q, best[..., None], axis=2)[..., 0] > cur + tol * scale
        if not improve.any():
            break
        d = np.where(improve, best, d)
    return U


def correlated_state_values(game: MarkovGame, joint: Any) -> np.ndarray:
    """``V[s, i]``: each player's value from each state (step 0) when everyone obeys the correlated policy.

    Discounted: one linear solve ``(I − γ P_μ) V = r_μ``; finite horizon: backward induction
    (`MarkovGame.joint_state_values`).
    """
    return game.joint_state_values(_joint_array(game, joint))


def correlated_state_gains(game: MarkovGame, joint: Any) -> np.ndarray:
    """``g[s, i]``: player i's gain from its best deviation plan against the correlated policy, from state s.

    ``joint`` is ``(S, A_1, ..., A_n)`` (stationary) or ``(H, S, A_1, ..., A_n)`` (finite horizon), as
    ``ce-value-iteration`` returns in ``info["joint_policy"]``. All zero exactly at a correlated
    equilibrium of the Markov game from every state.
    """
    mu = _joint_array(game, joint)
    out = np.zeros((game.num_states, game.num_players))
    for i in range(game.num_players):
        rw, Pw = _deviation_tensors(game, mu, i)
        best = _deviation_values(game, rw, Pw, follow=False)
        obey = _deviation_values(game, rw, Pw, follow=True)
        out[:, i] = np.maximum(best - obey, 0.0)
    return out


def markov_ce_gap(game: MarkovGame, joint: Any) -> float:
    """The CE gap of a correlated Markov policy: Σ_i (best deviation value − obeying value) from ``μ_0``.

    The Markov-game analogue of `equilibria.metrics.ce_gap` (Σ_i of the best swap gain): player i may
    deviate at any state, depending on the state and its recommendation, and the gain counts the
    whole future. Zero exactly at a correlated equilibrium (Greenwald & Hall 2003; Murray & Gordon
    2007). For a product policy it equals the NashConv of the marginals: a recommendation drawn
    independently of the others' actions tells a player nothing it could use.
    """
    return float(np.sum(game.initial @ correlated_state_gains(game, joint)))
