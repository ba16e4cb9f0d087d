"""Sparse coarse correlated equilibria of Markov games: independent no-regret learning and the exact
(non-Markov) CCE gap of a mixture of product policies.

Foster, Golowich & Kakade, "Hardness of Independent Learning and Sparse Equilibrium Computation in
Markov Games", ICML 2023, define SparseCCE: find a *T-sparse* CCE, a uniform mixture
``σ̄ = (1/T) Σ_k σ^k`` of T product Markov policies (the index k is drawn once per episode, from
shared randomness, and every player then follows its σ^k_i), such that no player gains more than ε
by deviating to **any** policy, history-dependent ones included. Such a mixture is exactly what
independent no-regret learning produces: the gap of player i is its regret against the best fixed
policy in hindsight, divided by T. The paper proves that no polynomial-time algorithm solves
SparseCCE in general (unless PPAD ⊆ P; and without knowing the game, not without exponentially many
episodes in the number of players), so there is no decentralised algorithm with a guarantee; what
this module offers is the natural decentralised dynamics whose output *is* a sparse CCE candidate,
and the exact measurement of how good a candidate it is.

`sparse_cce_gains` computes each player's best deviation against a mixture exactly. Against a
mixture the deviator faces a partially observed problem (it does not see k, but the others' past
actions reveal it), so its best response is history dependent and is *not* the best Markov
response. We solve it on the tree of histories ``(s_0, a_0, s_1, ..., s_t)`` (finite horizon H),
one vectorised level at a time: forward, the unnormalised posterior weight of every component k at
every history, ``α(h a s', k) = α(h, k) σ^k_{-i}(a_{-i} | s_h) P(s' | s_h, a)``; backward, the
deviator's value ``W(h) = max_{a_i} Σ_{a_{-i}} [Σ_k α(h, k) σ^k_{-i}(a_{-i} | s_h)] γ^t r_i(s_h, a)
+ Σ_{a_{-i}, s'} W(h a s')``. The tree has S (S Π_j A_j)^H leaves, so this is for small games and
short horizons (checked against the size limit); with one component it equals NashConv, and in a
one-step game it equals the normal-form CCE gap of the mixture (both tested).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._checks import check_positive, check_size
from ..errors import InvalidStrategyError, NotApplicableError
from ..games.markov import MarkovGame
from ..registry import register_method
from ..run import Learner

#: the largest (history-tree leaves × components) evaluated automatically in `Solution.info`
INFO_TREE_LIMIT = 5e6


def _components(game: MarkovGame, components: Any, weights: Any) -> tuple[list[np.ndarray], np.ndarray]:
    """Per player an array ``(K, H, S, A_i)`` of its policies in the K components; weights ``(K,)``.

    ``components`` is a list of K profiles, or (`Mixture`) already per player ``(K, H, S, A_i)``.
    """
    H = game.num_steps
    if isinstance(components, Mixture):
        per_player = [np.asarray(p, dtype=float) for p in components.policies]
        shapes = [(H, game.num_states, k) for k in game.num_actions]
        ok = len(per_player) == game.num_players and len({p.shape[0] for p in per_player}) == 1
        if not ok or any(p.shape[1:] != sh for p, sh in zip(per_player, shapes, strict=True)):
            raise InvalidStrategyError(f"a mixture holds one (K, H, S, A_i) array per player: {shapes}")
        for p in per_player:
            if not np.isfinite(p).all() or p.min() < -1e-9 or (np.abs(p.sum(-1) - 1) > 1e-6).any():
                raise InvalidStrategyError("every policy of a mixture must be a distribution at every state")
        if weights is None:
            weights = components.weights
    else:
        if not isinstance(components, (list, tuple)) or not components:
            raise InvalidStrategyError("a mixture needs a non-empty list of profiles (lists of policies)")
        profiles = [game.validate_profile(c) for c in components]
        per_player = []
        for i in range(game.num_players):
            per_player.append(np.stack([np.broadcast_to(p[i], (H, *p[i].shape[1:])) for p in profiles]))
    K = per_player[0].shape[0]
    if weights is None:
        w = np.full(K, 1.0 / K)
    else:
        w = np.asarray(weights, dtype=float).reshape(-1)
        if w.shape != (K,) or not np.isfinite(w).all() or (w < 0).any() or abs(w.sum() - 1) > 1e-9:
            raise InvalidStrategyError(f"mixture weights must be a probability vector of length {K}")
    return per_player, w


class Mixture:
    """A mixture of K product Markov policies held per player: ``policies[i]`` is ``(K, H, S, A_i)``
    (H = 1 for stationary policies), ``weights`` is ``(K,)`` (None: uniform)."""

    def __init__(self, policies: list[np.ndarray], weights: Any = None):
        self.policies = policies
        self.weights = weights


def _joint(game: MarkovGame, pols: list[np.ndarray], skip: int | None = None) -> np.ndarray:
    """``(K, H, S, J)``: probability of each flat joint action, player ``skip``'s factor left out (1)."""
    out = None
    for q, p in enumerate(pols):
        f = np.ones_like(p) if q == skip else p
        out = f if out is None else (out[..., :, None] * f[..., None, :]).reshape(*f.shape[:-1], -1)
    return out


def mixture_values(game: MarkovGame, components: Any, weights: Any = None) -> np.ndarray:
    """Each player's expected return when everyone follows the mixture: Σ_k w_k V(σ^k) from ``μ_0``."""
    if game.horizon is None:
        raise NotApplicableError("the exact sparse CCE gap needs a finite-horizon Markov game (horizon=H)")
    pols, w = _components(game, components, weights)
    joint = _joint(game, pols)  # (K, H, S, J)
    r = np.einsum("sij,khsj->khsi", game.joint_rewards, joint)
    P = np.einsum("sju,khsj->khsu", game.joint_transitions, joint)
    V = np.zeros((len(w), game.num_states, game.num_players))
    for t in reversed(range(game.horizon)):
        V = r[:, t] + game.discount * np.einsum("ksu,kui->ksi", P[:, t], V)
    return np.einsum("k,s,ksi->i", w, game.initial, V)


def sparse_cce_gains(game: MarkovGame, components: Any, weights: Any = None) -> np.ndarray:
    """``g[i]``: player i's gain from its best (history-dependent) deviation against the mixture.

    ``components`` is a list of K profiles (each a list of per-player Markov policies, ``(S, A_i)``
    or ``(H, S, A_i)``), ``weights`` their probabilities (default uniform). Exact, on the history
    tree (see the module docstring); finite-horizon games only.
    """
    if not isinstance(game, MarkovGame):
        raise NotApplicableError("the sparse CCE gap is defined for Markov games")
    follow = mixture_values(game, components, weights)
    pols, w = _components(game, components, weights)
    S, H, n = game.num_states, game.horizon, game.num_players
    J, K = game.num_joint_actions, len(w)
    leaves = S * float(J * S) ** H
    check_size(f"the history tree of {game!r} (horizon {H}, {K} components)", leaves * K * 8.0 * 3)
    A = game.num_actions
    P = game.joint_transitions  # (S, J, S)
    gains = np.zeros(n)
    for i in range(n):
        opp = _joint(game, pols, skip=i)  # (K, H, S, J)
        R_i = game.joint_rewards[:, i]  # (S, J)
        alpha = game.initial[:, None] * w[None, :]  # (N_0 = S, K)
        state = np.arange(S)
        rewards, states = [], []
        for t in range(H):
            beta = alpha[:, :, None] * np.moveaxis(opp[:, t, state, :], 0, 1)  # (N, K, J)
            rewards.append(beta.sum(axis=1) * R_i[state] * game.discount**t)  # (N, J)
            states.append(state)
            if t + 1 < H:
                child = beta[:, :, :, None] * P[state][:, None, :, :]  # (N, K, J, S')
                alpha = np.moveaxis(child, 1, 3).reshape(-1, K)
                state = np.tile(np.arange(S), len(state) * J)
        W = None
        for t in reversed(range(H)):
            val = rewards[t]
            if W is not None:
                val = val + W.reshape(len(states[t]), J, S).sum(axis=2)
            by_own = np.moveaxis(val.reshape(-1, *A), 1 + i, 1).reshape(len(states[t]), A[i], -1).sum(axis=2)
            W = by_own.max(axis=1)
        gains[i] = max(float(W.sum()) - float(follow[i]), 0.0)
    return gains


def sparse_cce_gap(game: MarkovGame, components: Any, weights: Any = None) -> float:
    """Σ_i of the best deviation gains against the mixture (0 exactly at a CCE of the Markov game)."""
    return float(sparse_cce_gains(game, components, weights).sum())


@register_method("sparse-cce", families=("markov",))
class IndependentHedgeSparseCCE(Learner):
    """Independent no-regret (Hedge) learning whose T iterates form a T-sparse CCE candidate.

    Foster, Golowich & Kakade, "Hardness of Independent Learning and Sparse Equilibrium
    Computation in Markov Games", ICML 2023 (the SparseCCE problem; its hardness). Decentralised:
    each player sees only its own Q-values under the current joint policy (full-information
    feedback) and never the others' policies. Iteration t:

    1. every player i evaluates its policy in the MDP induced by the others' current policies:
       ``Q_i^t[h, s, a] = r_i^t[h, s, a] + γ P^t[h, s, a] · V_i^t[h + 1]`` (backward induction;
       one linear solve for a discounted game, where h has length 1);
    2. the played profile σ^t is appended to the mixture (the T-sparse output);
    3. FTRL with entropy (Hedge) at every (step, state): ``G_i += Q_i^t`` and
       ``σ_i^{t+1}[h, s] = softmax(η_t G_i[h, s])``, ``η_t = step_size √(log A_i / t) / R``
       (R the game's reward scale: the largest |return|).

    The output is the uniform mixture of σ^1..σ^T (`mixture`). Its exact CCE gap, against all
    history-dependent deviations, is `sparse_cce_gap` (finite horizon: reported in
    ``Solution.info["sparse_cce_gap"]``); it equals Σ_i of each player's regret against the best
    fixed policy, over T. Per-state Hedge bounds the regret against Markov deviations at a fixed
    state distribution, not this regret: the paper shows no efficient decentralised method can
    guarantee it in general, so the gap is measured, not promised. The returned profile is the
    last iterate (``output="last"``) or each player's time-averaged Markov policy (``"average"``,
    the default: a product policy, which is *not* the mixture).
    """

    families: ClassVar[tuple[str, ...]] = ("markov",)
    default_output = "average"
    variable_state: ClassVar[tuple[str, ...]] = ("history",)

    def __init__(self, game: MarkovGame, *, seed: int | None = None, step_size: float = 1.0):
        step_size = check_positive("step_size", step_size, maximum=1e6)
        if not isinstance(game, MarkovGame):
            raise NotApplicableError("sparse-cce applies to Markov games")
        super().__init__(game, seed=seed)
        self.step_size = step_size
        H, S = game.num_steps, game.num_states
        self.cumulative_q = [np.zeros((H, S, k)) for k in game.num_actions]
        self.policy = [np.full((H, S, k), 1.0 / k) for k in game.num_actions]
        self.policy_sum = [np.zeros((H, S, k)) for k in game.num_actions]
        self.history = [np.zeros((0, H, S, k)) for k in game.num_actions]
        self.scale = float(game.payoff_scale)

    def _profile(self, pols: list[np.ndarray]) -> list[np.ndarray]:
        return [p[0].copy() if self.game.horizon is None else p.copy() for p in pols]

    def _q_values(self, i: int) -> np.ndarray:
        g = self.game
        r, P = g.induced_mdp(self._profile(self.policy), i)  # (T, S, A), (T, S, A, S)
        pi = self.policy[i]
        if g.horizon is None:
            r_pi = np.einsum("sa,sa->s", pi[0], r[0])
            P_pi = np.einsum("sa,sau->su", pi[0], P[0])
            V = np.linalg.solve(np.eye(g.num_states) - g.discount * P_pi, r_pi)
            return (r[0] + g.discount * P[0] @ V)[None]
        Q = np.zeros_like(pi)
        V = np.zeros(g.num_states)
        for t in reversed(range(g.horizon)):
            k = min(t, r.shape[0] - 1)
            Q[t] = r[k] + g.discount * P[k] @ V
            V = np.einsum("sa,sa->s", pi[t], Q[t])
        return Q

    def _step(self) -> None:
        t = self.iteration + 1
        qs = [self._q_values(i) for i in range(self.game.num_players)]
        if t > self.history[0].shape[0]:  # grow the stored iterates geometrically (amortised O(1))
            cap = max(2 * self.history[0].shape[0], 16)
            check_size(f"the {cap} stored iterates of sparse-cce on {self.game!r}",
                       8.0 * cap * sum(p.size for p in self.policy))
            self.history = [np.concatenate([h, np.zeros((cap - h.shape[0], *h.shape[1:]))])
                            for h in self.history]
        for i, Q in enumerate(qs):
            self.history[i][t - 1] = self.policy[i]
            self.policy_sum[i] += self.policy[i]
            self.cumulative_q[i] += Q
            k = Q.shape[-1]
            eta = self.step_size * math.sqrt(math.log(max(k, 2)) / t) / self.scale
            z = eta * self.cumulative_q[i]
            z -= z.max(axis=-1, keepdims=True)
            e = np.exp(z)
            self.policy[i] = e / e.sum(axis=-1, keepdims=True)

    def mixture(self) -> Mixture:
        """The T-sparse output: the T played profiles, uniformly weighted (pass it to `sparse_cce_gap`)."""
        T = self.iteration
        return Mixture([h[:T].copy() for h in self.history], np.full(T, 1.0 / max(T, 1)))

    def current_strategy(self) -> list[np.ndarray]:
        return self._profile(self.policy)

    def average_strategy(self) -> list[np.ndarray]:
        if self.iteration == 0:
            return self.current_strategy()
        return self._profile([s / self.iteration for s in self.policy_sum])

    def solution_info(self, profile: Any) -> dict[str, Any]:
        """The mixture's size and, for a finite horizon whose history tree is small (at most
        `INFO_TREE_LIMIT` leaves times components), its exact CCE gap."""
        g = self.game
        info: dict[str, Any] = {"sparsity": int(self.iteration)}
        if g.horizon is None or self.iteration == 0:
            return info
        leaves = g.num_states * float(g.num_joint_actions * g.num_states) ** g.horizon
        if leaves * self.iteration > INFO_TREE_LIMIT:
            info["sparse_cce_gap"] = None
            info["note"] = "history tree too large here: call sparse_cce_gap(game, learner.mixture())"
            return info
        info["sparse_cce_gap"] = sparse_cce_gap(g, self.mixture())
        return info
