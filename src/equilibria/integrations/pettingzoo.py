"""PettingZoo AEC environments for our extensive-form and Markov games, and RL on PettingZoo envs.

PettingZoo's Agent-Environment-Cycle model (Terry et al., "PettingZoo: gym for multi-agent
reinforcement learning", NeurIPS 2021) steps one agent at a time, which is exactly an
extensive-form game; a Markov game's simultaneous move becomes one cycle in which every player
acts without seeing the others' choices, after which the state transitions.

* `ExtensiveFormEnv`: the agent to move observes a one-hot of its own information set and an
  action mask; chance is sampled; utilities are paid at the leaf.
* `MarkovGameEnv`: every agent observes a one-hot of the state (and of the step, with a horizon);
  a discounted game ends with probability 1 − γ per round, so expected undiscounted returns are
  the discounted values; ``max_cycles`` truncates.
* `learn_best_response`: tabular Q-learning (Watkins & Dayan 1992) of one agent of *any* AEC
  environment with discrete actions, the others following given policies: the RL oracle over a
  PettingZoo environment. `PettingZooOracle` plugs it into PSRO for our games.

``pip install equilibria[pettingzoo]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, NotApplicableError

try:
    from gymnasium import spaces
    from pettingzoo import AECEnv
    from pettingzoo.utils import AgentSelector
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise NotApplicableError("the PettingZoo integration needs: pip install equilibria[pettingzoo]") from exc


class _GameEnv(AECEnv):
    metadata = {"render_modes": ["ansi"], "name": "equilibria", "is_parallelizable": False}

    def __init__(self, game: Any, render_mode: str | None = None):
        super().__init__()
        self.game = game
        self.render_mode = render_mode
        self.possible_agents = [f"player_{i}" for i in range(game.num_players)]
        self.agent_index = {a: i for i, a in enumerate(self.possible_agents)}
        self._np_random = np.random.default_rng()

    def observation_space(self, agent: str) -> Any:
        return self._obs_spaces[agent]

    def action_space(self, agent: str) -> Any:
        return self._act_spaces[agent]

    def _start(self) -> None:
        self.agents = self.possible_agents[:]
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos = {a: {} for a in self.agents}

    def _finish(self, payoffs: np.ndarray | None = None, truncated: bool = False) -> None:
        for a in self.agents:
            if payoffs is not None:
                self.rewards[a] = float(payoffs[self.agent_index[a]])
            if truncated:
                self.truncations[a] = True
            else:
                self.terminations[a] = True

    def close(self) -> None:
        pass


class ExtensiveFormEnv(_GameEnv):
    """An `ExtensiveFormGame` as a PettingZoo AEC environment."""

    def __init__(self, game: Any, render_mode: str | None = None):
        super().__init__(game, render_mode)
        g = game
        width = max(int(g.node_action.max()) + 1, g.max_actions)
        self._child = np.full((g.num_nodes, width), -1, dtype=np.int64)
        self._child[g.node_parent[1:], g.node_action[1:]] = np.arange(1, g.num_nodes)
        self._edge_prob = g.edge_chance_prob
        self._terminal_pos = np.full(g.num_nodes, -1, dtype=np.int64)
        self._terminal_pos[g.terminal_nodes] = np.arange(g.num_terminals)
        self._local = np.zeros(g.num_infosets, dtype=np.int64)  # index of an infoset within its player's
        self._obs_spaces, self._act_spaces = {}, {}
        for p, a in enumerate(self.possible_agents):
            rows = g.player_infosets[p]
            self._local[rows] = np.arange(len(rows))
            k = int(g.infoset_num_actions[rows].max()) if len(rows) else 1
            self._obs_spaces[a] = spaces.Dict(
                {
                    "observation": spaces.Box(0.0, 1.0, (len(rows) + 1,), dtype=np.float32),
                    "action_mask": spaces.Box(0, 1, (k,), dtype=np.int8),
                }
            )
            self._act_spaces[a] = spaces.Discrete(k)

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            self._np_random = np.random.default_rng(seed)
        self._start()
        self.node = 0
        self._advance()

    def _advance(self) -> None:
        """Sample through chance nodes; stop at a decision node or pay out at a leaf."""
        g = self.game
        while g.node_player[self.node] < 0:
            z = self._terminal_pos[self.node]
            if z >= 0:
                self._finish(g.terminal_utility[z])
                return
            kids = self._child[self.node]
            kids = kids[kids >= 0]
            p = self._edge_prob[kids]
            self.node = int(kids[self._np_random.choice(len(kids), p=p / p.sum())])
        self.agent_selection = self.possible_agents[int(g.node_player[self.node])]

    def infoset(self, agent: str) -> int | None:
        """The information set ``agent`` is in now (None when it is not to move)."""
        g = self.game
        if g.node_player[self.node] != self.agent_index[agent]:
            return None
        return int(g.node_infoset[self.node])

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        space = self._obs_spaces[agent]["observation"]
        obs = np.zeros(space.shape, dtype=np.float32)
        mask = np.zeros(self._act_spaces[agent].n, dtype=np.int8)
        I = self.infoset(agent) if not (self.terminations.get(agent) or self.truncations.get(agent)) else None
        if I is None:
            obs[-1] = 1.0
        else:
            obs[self._local[I]] = 1.0
            mask[: int(self.game.infoset_num_actions[I])] = 1
        return {"observation": obs, "action_mask": mask}

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        I = self.infoset(agent)
        if action is None or not 0 <= int(action) < int(self.game.infoset_num_actions[I]):
            raise InvalidParameterError(f"action {action!r} is not legal at {self.game.infoset_labels[I]!r}")
        self._cumulative_rewards[agent] = 0.0
        self.node = int(self._child[self.node, int(action)])
        self._advance()
        self._accumulate_rewards()

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            return f"node {self.node}, {self.agent_selection} to move"
        return None


class MarkovGameEnv(_GameEnv):
    """A `MarkovGame` as a PettingZoo AEC environment (one cycle of moves per state)."""

    def __init__(self, game: Any, max_cycles: int = 1000, render_mode: str | None = None):
        super().__init__(game, render_mode)
        if max_cycles < 1:
            raise InvalidParameterError("max_cycles must be >= 1")
        self.max_cycles = max_cycles
        feat = game.num_states + (game.horizon or 0)
        self._obs_spaces = {a: spaces.Box(0.0, 1.0, (feat,), dtype=np.float32) for a in self.possible_agents}
        self._act_spaces = {
            a: spaces.Discrete(k) for a, k in zip(self.possible_agents, game.num_actions, strict=True)
        }
        self._selector = AgentSelector(self.possible_agents)
        self._strides = np.cumprod((1,) + game.num_actions[::-1])[:-1][::-1]

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            self._np_random = np.random.default_rng(seed)
        self._start()
        g = self.game
        self.state_index = int(self._np_random.choice(g.num_states, p=g.initial))
        self.t = 0
        self._pending: dict[str, int] = {}
        self._selector.reinit(self.possible_agents)
        self.agent_selection = self._selector.next()
        if g.terminal[self.state_index]:
            self._finish()

    def observe(self, agent: str) -> np.ndarray:
        obs = np.zeros(self._obs_spaces[agent].shape, dtype=np.float32)
        obs[self.state_index] = 1.0
        if self.game.horizon:
            obs[self.game.num_states + min(self.t, self.game.horizon - 1)] = 1.0
        return obs

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        if action is None or not 0 <= int(action) < self._act_spaces[agent].n:
            raise InvalidParameterError(f"action {action!r} is not one of {agent}'s actions")
        self._cumulative_rewards[agent] = 0.0
        self._pending[agent] = int(action)
        if self._selector.is_last():
            g = self.game
            acts = [self._pending[a] for a in self.possible_agents]
            j = int(sum(a * k for a, k in zip(acts, self._strides, strict=True)))
            r = g.joint_rewards[self.state_index, :, j] * (g.discount**self.t if g.horizon else 1.0)
            for a in self.agents:
                self.rewards[a] = float(r[self.agent_index[a]])
            p = g.joint_transitions[self.state_index, j]
            self.state_index = int(self._np_random.choice(g.num_states, p=p / p.sum()))
            self.t += 1
            self._pending = {}
            if (
                g.terminal[self.state_index]
                or (g.horizon is not None and self.t >= g.horizon)
                or (g.horizon is None and self._np_random.random() > g.discount)
            ):
                self._finish()
            elif self.t >= self.max_cycles:
                self._finish(truncated=True)
        else:
            self._clear_rewards()
        self.agent_selection = self._selector.next()
        self._accumulate_rewards()

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            return f"state {self.game.state_labels[self.state_index]!r}, step {self.t}"
        return None


def to_pettingzoo(game: Any, **kwargs: Any) -> _GameEnv:
    """The AEC environment of an extensive-form or Markov game."""
    family = getattr(game, "family", "")
    if family == "extensive_form":
        return ExtensiveFormEnv(game, **kwargs)
    if family == "markov":
        return MarkovGameEnv(game, **kwargs)
    raise NotApplicableError(f"no PettingZoo environment for {family or type(game).__name__} games")


EnvPolicy = Callable[[Any, np.ndarray | None, np.random.Generator], int]


def _key(obs: Any) -> tuple[bytes, np.ndarray | None]:
    if isinstance(obs, dict):
        return np.asarray(obs["observation"]).tobytes(), np.asarray(obs.get("action_mask"))
    return np.asarray(obs).tobytes(), None


def learn_best_response(
    env: Any,
    agent: str,
    others: dict[str, EnvPolicy],
    *,
    episodes: int = 2000,
    lr: float = 0.1,
    epsilon: float = 0.2,
    seed: int = 0,
) -> dict[bytes, int]:
    """Tabular Q-learning of ``agent`` in any discrete-action AEC env while ``others`` play fixed policies.

    Each of ``others[a](observation, action_mask, rng) -> action``. The learner's Q-table is keyed by
    its observation bytes; its transition is from one of its turns to its next (rewards in between
    summed), with a zero target at the end of its episode. Returns the greedy table ``obs -> action``.
    """
    rng = np.random.default_rng(seed)
    n_act = env.action_space(agent).n
    Q: dict[bytes, np.ndarray] = {}
    for ep in range(episodes):
        env.reset(seed=int(rng.integers(2**31)) if ep == 0 else None)
        prev: tuple[bytes, int] | None = None
        for a in env.agent_iter():
            obs, reward, term, trunc, _ = env.last()
            if a == agent:
                key, mask = _key(obs)
                if prev is not None:
                    pk, pa = prev
                    target = reward + (
                        0.0
                        if term or trunc
                        else float(
                            np.max(np.where(mask > 0, Q.setdefault(key, np.zeros(n_act)), -np.inf))
                            if mask is not None
                            else Q.setdefault(key, np.zeros(n_act)).max()
                        )
                    )
                    Q[pk][pa] += lr * (target - Q[pk][pa])
            if term or trunc:
                env.step(None)
                continue
            if a == agent:
                q = Q.setdefault(key, np.zeros(n_act))
                legal = np.flatnonzero(mask) if mask is not None else np.arange(n_act)
                act = int(rng.choice(legal)) if rng.random() < epsilon else int(legal[np.argmax(q[legal])])
                prev = (key, act)
            else:
                o, m = obs, None
                if isinstance(obs, dict):
                    o, m = obs["observation"], obs.get("action_mask")
                act = int(others[a](o, m, rng))
            env.step(act)
    greedy = {}
    for k, q in Q.items():
        greedy[k] = int(np.argmax(q))
    return greedy


class PettingZooOracle:
    """PSRO's RL oracle over the PettingZoo environment of a Markov or extensive-form game.

    The other players follow the profile PSRO hands over (read off the environment's one-hot
    observations); the learner runs `learn_best_response`; its greedy table becomes a policy of
    the game (uniform where it never went).
    """

    exact = False

    def __init__(self, episodes: int = 2000, lr: float = 0.1, epsilon: float = 0.2, max_cycles: int = 200):
        self.episodes, self.lr, self.epsilon, self.max_cycles = episodes, lr, epsilon, max_cycles

    def __call__(self, space: Any, profile: Any, player: int, rng: np.random.Generator) -> Any:
        game = space.game
        kwargs = {"max_cycles": self.max_cycles} if game.family == "markov" else {}
        env = to_pettingzoo(game, **kwargs)
        comps = space.components(profile)
        agents = env.possible_agents

        def follower(i: int) -> EnvPolicy:
            if game.family == "markov":
                pol = np.asarray(comps[i], dtype=float)

                def act(obs: np.ndarray, mask: Any, r: np.random.Generator) -> int:
                    s = int(np.argmax(obs[: game.num_states]))
                    t = int(np.argmax(obs[game.num_states :])) if game.horizon else 0
                    row = pol[min(t, pol.shape[0] - 1), s] if pol.ndim == 3 else pol[s]
                    return int(r.choice(len(row), p=row / row.sum()))
            else:
                sigma = np.asarray(comps[i], dtype=float)
                rows = game.player_infosets[i]

                def act(obs: np.ndarray, mask: Any, r: np.random.Generator) -> int:
                    row = sigma[rows[int(np.argmax(obs[:-1]))]]
                    k = int(mask.sum())
                    return int(r.choice(k, p=row[:k] / row[:k].sum()))

            return act

        others = {agents[i]: follower(i) for i in range(game.num_players) if i != player}
        table = learn_best_response(
            env,
            agents[player],
            others,
            episodes=self.episodes,
            lr=self.lr,
            epsilon=self.epsilon,
            seed=int(rng.integers(2**31)),
        )
        if game.family == "markov":
            T = game.num_steps
            pol = np.full((T, game.num_states, game.num_actions[player]), 1.0 / game.num_actions[player])
            for t in range(T):
                for s in range(game.num_states):
                    obs = np.zeros(env.observation_space(agents[player]).shape, dtype=np.float32)
                    obs[s] = 1.0
                    if game.horizon:
                        obs[game.num_states + t] = 1.0
                    if obs.tobytes() in table:
                        pol[t, s] = 0.0
                        pol[t, s, table[obs.tobytes()]] = 1.0
            return pol[0] if game.horizon is None else pol
        out = np.array(game.uniform_profile(), dtype=float)
        rows = game.player_infosets[player]
        for local, I in enumerate(rows):
            obs = np.zeros(len(rows) + 1, dtype=np.float32)
            obs[local] = 1.0
            if obs.tobytes() in table:
                out[I] = 0.0
                out[I, table[obs.tobytes()]] = 1.0
        return out
