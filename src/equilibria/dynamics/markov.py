"""Learning dynamics for Markov games: minimax-Q, independent Q-learning, independent policy gradient.

All three are tabular and *synchronous*: one iteration updates every state (and action) at once
from one sampled transition each (a generative model), so an iteration is a handful of array
operations; the sampled versions are the classic algorithms with uniform exploration, the
setting of Szepesvári & Littman's analysis ("A unified analysis of value-function-based
reinforcement-learning algorithms", Neural Computation 1999). Step sizes
``α_t = lr / (1 + t)^decay`` satisfy the Robbins–Monro conditions for ``1/2 < decay ≤ 1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError, NotApplicableError
from ..games.markov import MarkovGame
from ..registry import register_method
from ..run import Learner


def _sample_next(game: MarkovGame, rng: np.random.Generator) -> np.ndarray:
    """One next state for every (state, joint action): ``s'[s, j]`` (inverse CDF, vectorised)."""
    P = game.joint_transitions
    cdf = np.cumsum(P, axis=-1)
    u = rng.random(P.shape[:2])[..., None] * np.maximum(cdf[..., -1:], 1e-300)
    return np.minimum((u > cdf).sum(axis=-1), game.num_states - 1)


def _check(game: MarkovGame, lr: float, decay: float) -> None:
    if not isinstance(game, MarkovGame):
        raise NotApplicableError("this learner applies to Markov games")
    if game.horizon is not None:
        raise NotApplicableError(
            "this learner handles discounted Markov games; use shapley or "
            "nash-value-iteration for a finite horizon"
        )
    if lr <= 0 or not 0 <= decay <= 1:
        raise InvalidParameterError("lr must be > 0 and decay in [0, 1]")


@register_method("minimax-q", families=("markov",))
class MinimaxQ(Learner):
    """Minimax-Q (Littman, "Markov games as a framework for multi-agent reinforcement learning", ICML 1994).

    ``Q(s, a, o) ← (1 − α) Q(s, a, o) + α (r(s, a, o) + γ V(s'))`` with ``V(s) = val Q(s, ·, ·)``,
    every (s, a, o) updated each iteration from one sampled s'; all the stage values come from one
    batched LP. Two-player zero-sum games; the policies are the stage games' minimax strategies.
    """

    families = ("markov",)
    default_output = "last"

    def __init__(self, game: MarkovGame, *, seed: int | None = None, lr: float = 1.0, decay: float = 0.6):
        super().__init__(game, seed=seed)
        _check(game, lr, decay)
        if game.num_players != 2 or not game.is_zero_sum:
            raise NotApplicableError("minimax-Q is for two-player zero-sum Markov games")
        self.lr, self.decay = lr, decay
        S, (m, n) = game.num_states, game.num_actions
        self.Q = np.zeros((S, m * n))
        self.V = np.zeros(S)
        self.x, self.y = np.full((S, m), 1.0 / m), np.full((S, n), 1.0 / n)

    def _step(self) -> None:
        from ..solvers.markov import zero_sum_values

        g = self.game
        s2 = _sample_next(g, self.rng)
        alpha = self.lr / (1.0 + self.iteration) ** self.decay
        target = g.joint_rewards[:, 0] + g.discount * self.V[s2]
        self.Q += alpha * (target - self.Q)
        m, n = g.num_actions
        self.V, self.x, self.y = zero_sum_values(self.Q.reshape(-1, m, n))

    def current_strategy(self) -> list[np.ndarray]:
        return [self.x, self.y]


def _softmax(z: np.ndarray, temperature: float) -> np.ndarray:
    e = np.exp((z - z.max(axis=-1, keepdims=True)) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


@register_method("independent-q", families=("markov",))
class IndependentQLearning(Learner):
    """Independent Q-learning (Tan, "Multi-agent reinforcement learning: independent vs. cooperative
    agents", ICML 1993; Claus & Boutilier, AAAI 1998): each player learns ``Q_i(s, a_i)`` treating the
    others as part of the environment.

    Each iteration every player updates all ``(s, a_i)`` from one sampled joint action of the others
    (from their current Boltzmann policies ``π_i ∝ exp(Q_i / temperature)``) and one sampled next
    state. A baseline without equilibrium guarantees in general (the others are non-stationary).
    """

    families = ("markov",)
    default_output = "last"

    def __init__(
        self,
        game: MarkovGame,
        *,
        seed: int | None = None,
        lr: float = 1.0,
        decay: float = 0.6,
        temperature: float = 0.1,
    ):
        super().__init__(game, seed=seed)
        _check(game, lr, decay)
        if temperature <= 0:
            raise InvalidParameterError("temperature must be > 0")
        self.lr, self.decay, self.temperature = lr, decay, temperature
        self.Q = [np.zeros((game.num_states, k)) for k in game.num_actions]
        self.avg = [np.zeros((game.num_states, k)) for k in game.num_actions]

    def current_strategy(self) -> list[np.ndarray]:
        return [_softmax(q, self.temperature) for q in self.Q]

    def average_strategy(self) -> list[np.ndarray]:
        if self.iteration == 0:
            return self.current_strategy()
        return [a / self.iteration for a in self.avg]

    def _step(self) -> None:
        g = self.game
        pols = self.current_strategy()
        S, n = g.num_states, g.num_players
        alpha = self.lr / (1.0 + self.iteration) ** self.decay
        strides = np.cumprod((1,) + g.num_actions[::-1])[:-1][::-1]
        new_Q = []
        for i in range(n):
            k = g.num_actions[i]
            # every (s, a_i) pair, the others' actions sampled from their policies at s
            s_idx = np.repeat(np.arange(S), k)
            a_i = np.tile(np.arange(k), S)
            j = a_i * strides[i]
            for p in range(n):
                if p != i:
                    cdf = np.cumsum(pols[p][s_idx], axis=1)
                    u = self.rng.random(len(s_idx))[:, None]
                    ap = np.minimum((u > cdf).sum(axis=1), g.num_actions[p] - 1)
                    j = j + ap * strides[p]
            P = g.joint_transitions[s_idx, j]
            cdf = np.cumsum(P, axis=1)
            s2 = np.minimum((self.rng.random(len(s_idx))[:, None] * cdf[:, -1:] > cdf).sum(axis=1), S - 1)
            target = g.joint_rewards[s_idx, i, j] + g.discount * self.Q[i][s2].max(axis=1)
            q = self.Q[i].copy().reshape(-1)
            q += alpha * (target - q)
            new_Q.append(q.reshape(S, k))
        self.Q = new_Q
        for i, p in enumerate(self.current_strategy()):
            self.avg[i] += p


@register_method("independent-pg", families=("markov",))
class IndependentPolicyGradient(Learner):
    """Independent softmax policy gradient with exact gradients.

    Each player ascends its own value ``V_i(μ_0)`` in its logits θ_i(s, a) with the softmax policy
    gradient ``∂V_i/∂θ_i(s, a) = d^π(s) π_i(a|s) A_i^π(s, a)`` (Sutton et al., NeurIPS 2000; Agarwal,
    Kakade, Lee & Mahajan, JMLR 2021), ``d^π`` the discounted state occupancy. Independent policy
    gradient converges to Nash equilibria in Markov potential games (Leonardos, Overman, Panageas &
    Piliouras, ICLR 2022) and, with two time-scales, in two-player zero-sum games (Daskalakis,
    Foster & Golowich, NeurIPS 2020); elsewhere it is a baseline. ``lr`` may be a list (one step
    size per player) for the two-time-scale rule.
    """

    families = ("markov",)
    default_output = "last"

    def __init__(self, game: MarkovGame, *, seed: int | None = None, lr: Any = 1.0):
        super().__init__(game, seed=seed)
        lrs = np.broadcast_to(np.asarray(lr, dtype=float), (game.num_players,)).copy()
        _check(game, float(lrs.min()), 0.0)
        self.lr = lrs
        self.theta = [np.zeros((game.num_states, k)) for k in game.num_actions]

    def current_strategy(self) -> list[np.ndarray]:
        return [_softmax(t, 1.0) for t in self.theta]

    def _step(self) -> None:
        g = self.game
        pols = self.current_strategy()
        d = g.occupancy(pols)
        V = g.state_values(pols)
        grads = []
        for i in range(g.num_players):
            r, P = g.induced_mdp(pols, i)
            Qi = r[0] + g.discount * P[0] @ V[:, i]
            A = Qi - V[:, i][:, None]
            grads.append(d[:, None] * pols[i] * A)
        self.theta = [t + lr * gr for t, lr, gr in zip(self.theta, self.lr, grads, strict=True)]
