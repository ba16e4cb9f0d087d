"""Learning dynamics for Markov games: minimax-Q, independent Q-learning, independent policy gradient.

Minimax-Q and independent Q-learning are tabular and *synchronous*: one iteration updates every
state (and action) at once from one sampled transition each (a generative model), so an iteration
is a handful of array operations; the sampled versions are the classic algorithms with uniform
exploration, the setting of Szepesvári & Littman's analysis ("A unified analysis of
value-function-based reinforcement-learning algorithms", Neural Computation 1999). Step sizes
``α_t = step_size / (1 + t)^decay`` satisfy the Robbins–Monro conditions for ``1/2 < decay ≤ 1``.
A terminal state ends the episode: the Q-learners bootstrap nothing from it, so its Q stays 0.
Independent policy gradient uses exact gradients (see its docstring).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_positive, check_probability, check_real
from ..errors import InvalidParameterError, NotApplicableError
from ..games.markov import MarkovGame
from ..ops import project_simplex, sample_rows, softmax
from ..ops.zero_sum import solve_matrix_games
from ..registry import register_method
from ..run import Learner


class _MarkovLearner(Learner):
    """What the discounted Markov-game learners share: the family check, and the decaying step
    size ``α_t = step_size / (1 + t)^decay`` of the tabular Q-learners."""

    families = ("markov",)
    default_output = "last"

    def __init__(self, game: MarkovGame, *, seed: int | None = None):
        super().__init__(game, seed=seed)
        if not isinstance(game, MarkovGame):
            raise NotApplicableError("this learner applies to Markov games")
        if game.horizon is not None:
            raise NotApplicableError(
                "this learner handles discounted Markov games; use shapley or "
                "nash-value-iteration for a finite horizon"
            )

    def _set_rate(self, step_size: float, decay: float) -> None:
        self.step_size = check_positive("step_size", step_size)
        self.decay = check_real("decay", decay, minimum=0.0, maximum=1.0)

    def _rate(self) -> float:
        """α_t for this iteration."""
        return self.step_size / (1.0 + self.iteration) ** self.decay


@register_method("minimax-q", families=("markov",))
class MinimaxQ(_MarkovLearner):
    """Minimax-Q (Littman, "Markov games as a framework for multi-agent reinforcement learning", ICML 1994).

    ``Q(s, a, o) ← (1 − α) Q(s, a, o) + α (r(s, a, o) + γ V(s'))`` with ``V(s) = val Q(s, ·, ·)``,
    every (s, a, o) updated each iteration from one sampled s'; all the stage values come from one
    batched LP. Two-player zero-sum games; the policies are the stage games' minimax strategies.
    """

    def __init__(self, game: MarkovGame, *, seed: int | None = None, step_size: float = 1.0,
                 decay: float = 0.6):
        super().__init__(game, seed=seed)
        if game.num_players != 2 or not game.is_zero_sum:
            raise NotApplicableError("minimax-Q is for two-player zero-sum Markov games")
        self._set_rate(step_size, decay)
        S, (m, n) = game.num_states, game.num_actions
        self.Q = np.zeros((S, m * n))
        self.V = np.zeros(S)
        self.x, self.y = np.full((S, m), 1.0 / m), np.full((S, n), 1.0 / n)

    def _step(self) -> None:
        g = self.game
        s2 = sample_rows(g.joint_transitions, self.rng)  # s'[s, j] for every state and joint action
        alpha = self._rate()
        # a terminal state ends the episode: nothing to bootstrap from (its row has no successor)
        target = g.joint_rewards[:, 0] + g.discount * np.where(g.terminal[:, None], 0.0, self.V[s2])
        self.Q += alpha * (target - self.Q)
        m, n = g.num_actions
        self.V, self.x, self.y = solve_matrix_games(self.Q.reshape(-1, m, n), what="minimax-Q's stage games")

    def current_strategy(self) -> list[np.ndarray]:
        return [self.x, self.y]


@register_method("independent-q", families=("markov",))
class IndependentQLearning(_MarkovLearner):
    """Independent Q-learning (Tan, "Multi-agent reinforcement learning: independent vs. cooperative
    agents", ICML 1993; Claus & Boutilier, AAAI 1998): each player learns ``Q_i(s, a_i)`` treating the
    others as part of the environment.

    Each iteration every player updates all ``(s, a_i)`` from one sampled joint action of the others
    (from their current Boltzmann policies ``π_i ∝ exp(Q_i / temperature)``) and one sampled next
    state. A baseline without equilibrium guarantees in general (the others are non-stationary).
    """

    def __init__(
        self,
        game: MarkovGame,
        *,
        seed: int | None = None,
        step_size: float = 1.0,
        decay: float = 0.6,
        temperature: float = 0.1,
    ):
        super().__init__(game, seed=seed)
        self._set_rate(step_size, decay)
        self.temperature = check_positive("temperature", temperature)
        self.Q = [np.zeros((game.num_states, k)) for k in game.num_actions]
        self.avg = [np.zeros((game.num_states, k)) for k in game.num_actions]

    def current_strategy(self) -> list[np.ndarray]:
        return [softmax(q, self.temperature) for q in self.Q]

    def average_strategy(self) -> list[np.ndarray]:
        if self.iteration == 0:
            return self.current_strategy()
        return [a / self.iteration for a in self.avg]

    def _step(self) -> None:
        g = self.game
        pols = self.current_strategy()
        S, n = g.num_states, g.num_players
        alpha = self._rate()
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
                    j = j + sample_rows(pols[p][s_idx], self.rng) * strides[p]
            s2 = sample_rows(g.joint_transitions[s_idx, j], self.rng)
            future = np.where(g.terminal[s_idx], 0.0, self.Q[i][s2].max(axis=1))  # none after a terminal
            target = g.joint_rewards[s_idx, i, j] + g.discount * future
            q = self.Q[i].copy().reshape(-1)
            q += alpha * (target - q)
            new_Q.append(q.reshape(S, k))
        self.Q = new_Q
        for i, p in enumerate(self.current_strategy()):
            self.avg[i] += p


@register_method("independent-pg", families=("markov",))
class IndependentPolicyGradient(_MarkovLearner):
    """Independent policy gradient with direct parametrisation, ε-greedy exploration and two
    time-scales (Daskalakis, Foster & Golowich, "Independent policy gradient methods for competitive
    reinforcement learning", NeurIPS 2020, Algorithm 1), here with exact gradients.

    Each player i holds a policy ``x_i(·|s) ∈ Δ(A_i)`` directly (no softmax) and plays its ε-greedy
    version ``π_i = (1 − ε) x_i + ε / A_i``, so every action keeps probability at least ε/A_i. One
    iteration is a simultaneous projected gradient ascent step on each player's own value,

        x_i ← Π_Δ(x_i + η_i ∇_{x_i} V_i(μ_0)),   ∇_{x_i(a|s)} V_i = (1 − ε) d^π(s) Q_i^π(s, a),

    with ``d^π`` the discounted state occupancy and Π_Δ the Euclidean projection onto each state's
    simplex (the policy-gradient theorem for the direct parametrisation, Agarwal, Kakade, Lee &
    Mahajan, JMLR 2021). Gradients are divided by the game's largest |reward|, so ``step_size``
    means the same at every payoff scale. Two time-scales: player 0 (the paper's slow, min player
    x) uses ``timescale × step_size`` and player 1 (the fast player y) ``step_size``; the paper
    shows that with ``η_x ≪ η_y`` the slow player's iterates reach an approximate min-max policy
    in two-player zero-sum games, and that equal rates need not converge. ``step_size`` may instead
    be a list of per-player rates (then ``timescale`` must not be given). The same update is
    independent projected gradient ascent in Markov potential games (Leonardos, Overman, Panageas &
    Piliouras, ICLR 2022); elsewhere it is a baseline. The strategies reported are the played
    (ε-greedy) policies.
    """

    def __init__(
        self,
        game: MarkovGame,
        *,
        seed: int | None = None,
        step_size: Any = 0.1,
        timescale: float | None = None,
        epsilon: float = 0.05,
    ):
        super().__init__(game, seed=seed)
        n = game.num_players
        if np.ndim(step_size) == 0:
            fast = check_positive("step_size", step_size)
            ratio = 0.01 if timescale is None else check_positive("timescale", timescale, maximum=1.0)
            rates = [fast] * n
            if n >= 2:
                rates[0] = ratio * fast
        else:
            if timescale is not None:
                raise InvalidParameterError("give either per-player step sizes or a timescale, not both")
            given = np.asarray(step_size).ravel()
            rates = [check_positive(f"step_size[{i}]", v) for i, v in enumerate(given)]
            if len(rates) != n:
                raise InvalidParameterError(f"step_size needs one rate per player ({n}), got {len(rates)}")
        self.step_size = np.array(rates, dtype=float)
        self.epsilon = check_probability("epsilon", epsilon, open_high=True)
        self.x = [np.full((game.num_states, k), 1.0 / k) for k in game.num_actions]
        r = float(np.abs(game.rewards).max()) if game.rewards.size else 0.0
        self.scale = r if r > 0 else 1.0

    def current_strategy(self) -> list[np.ndarray]:
        eps = self.epsilon
        return [(1.0 - eps) * x + eps / x.shape[1] for x in self.x]

    def _step(self) -> None:
        g = self.game
        pols = self.current_strategy()
        d = g.occupancy(pols)
        V = g.state_values(pols)
        new = []
        for i in range(g.num_players):
            r, P = g.induced_mdp(pols, i)
            Qi = r[0] + g.discount * P[0] @ V[:, i]
            grad = (1.0 - self.epsilon) * d[:, None] * Qi / self.scale
            new.append(project_simplex(self.x[i] + self.step_size[i] * grad))
        self.x = new
