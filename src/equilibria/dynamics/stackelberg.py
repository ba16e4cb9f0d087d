"""Online learning in repeated Stackelberg games with bandit feedback: a learning leader, and a follower
who either learns to best-respond myopically or manipulates the leader with side information.

The setting of Yu & Chen, "Decentralized Online Learning in General-Sum Stackelberg Games", UAI
2024 (arXiv:2405.03158): in each round the leader plays a pure action ``a``, the follower sees it
and plays ``b``, and each observes only a noisy reward of its own, with means ``μ_l(a, b)`` and
``μ_f(a, b)``. The benchmark is the pure-strategy Stackelberg equilibrium ``a* = argmax_a μ_l(a,
br(a))`` with ``br(a) = argmax_b μ_f(a, b)``. Their two findings reproduced here:

- with only its own rewards, the follower cannot do better than best-responding, and the leader's
  learning then converges to the Stackelberg equilibrium;
- a follower who knows the leader's means (side information) can commit to a response *function*
  ``F`` that is not its best response, so that the leader, learning its best action against ``F``,
  settles on an outcome better for the follower. The best such manipulation targets the pair
  ``(a†, b†)`` maximising ``μ_f`` among those with ``μ_l(a†, b†) > max_{a ≠ a†} min_b μ_l(a, b)``
  and answers every other leader action with the leader's worst response ``argmin_b μ_l(a, b)``.

The paper's followers, as implemented here:

- ``follower="myopic"`` (limited information: the follower sees only its own rewards): UCB1 per
  leader action, i.e. it learns to best-respond;
- ``follower="manipulative"`` (the paper's FBM, omniscient side information: the follower knows the
  leader's means): the fixed best manipulation above;
- ``follower="noisy-manipulative"`` (the paper's FMUCB, noisy side information: the follower sees
  the leader's realised reward each round, not its means): our reading of the algorithm's name and
  setting is FBM recomputed every round on estimates, a plug-in for the leader's means (its
  empirical means ``m_l``) and optimism for its own (the index ``U_f = m_f + c sqrt(2 log t / n)``,
  ``c = exploration``, 1 being UCB1, 0 the plain plug-in), i.e. `best_manipulation` ``(m_l, U_f)``;
  at a leader action with an unvisited response it plays that response first (lowest index), so
  every pair it may need is estimated. (Exploring a target is costly here: the leader's running
  means move slowly, so a large ``c`` makes the follower chase uncertain targets; the example
  prints both ``c = 1`` and ``c = 0``.)

Simplifications (the paper's own pseudocode was not reachable to us): the leader runs UCB1 (Auer,
Cesa-Bianchi & Fischer, "Finite-time analysis of the multiarmed bandit problem", Mach. Learn. 2002)
over its actions on its observed rewards, whatever the follower; FMUCB's confidence rule is ours
(above). Means are the game's payoffs mapped onto [0, 1] per player (a positive affine map, which
keeps the equilibrium); rewards are Bernoulli draws with those means.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_real
from ..errors import NotApplicableError
from ..games.normal_form import NormalFormGame
from ..registry import register_method
from ..run import Learner

FOLLOWERS = ("myopic", "manipulative", "noisy-manipulative")


def _unit(U: np.ndarray) -> np.ndarray:
    lo, hi = float(U.min()), float(U.max())
    return np.full(U.shape, 0.5) if hi == lo else (U - lo) / (hi - lo)


def leader_view(game: Any, leader: int) -> tuple[np.ndarray, np.ndarray]:
    """Leader's and follower's mean rewards in [0, 1], rows indexed by the leader's actions."""
    if not isinstance(game, NormalFormGame) or game.num_players != 2:
        what = f"{game.num_players}-player game" if isinstance(game, NormalFormGame) else type(game).__name__
        raise NotApplicableError(
            f"repeated Stackelberg learning needs a two-player normal-form game; got a {what}"
        )
    A, B = game.bimatrix()
    L, F = (A, B) if leader == 0 else (B.T, A.T)
    return _unit(np.asarray(L, dtype=float)), _unit(np.asarray(F, dtype=float))


def pure_stackelberg(mu_l: np.ndarray, mu_f: np.ndarray) -> tuple[int, np.ndarray]:
    """``(a*, br)``: the follower's best response to every leader action (ties go to the leader), and
    the leader's best action against it (ties: the lowest index)."""
    best_f = mu_f.max(axis=1, keepdims=True)
    br = np.argmax(np.where(mu_f >= best_f, mu_l, -np.inf), axis=1)
    a_star = int(np.argmax(mu_l[np.arange(len(br)), br]))
    return a_star, br


def best_manipulation(mu_l: np.ndarray, mu_f: np.ndarray) -> tuple[int, np.ndarray]:
    """``(a†, F)``: the response function that maximises the follower's mean reward at the leader
    action a leader learning against ``F`` converges to (see the module docstring).

    Only targets the leader strictly prefers are considered, so the leader's best action against
    ``F`` is unique. If none is strict (a degenerate game) the follower best-responds.
    """
    A = mu_l.shape[0]
    worst = mu_l.min(axis=1)  # the leader's payoff when punished at each action
    others = np.array([np.max(np.delete(worst, a)) if A > 1 else -np.inf for a in range(A)])
    feasible = mu_l > others[:, None]
    if not feasible.any():
        return pure_stackelberg(mu_l, mu_f)
    a, b = np.unravel_index(int(np.argmax(np.where(feasible, mu_f, -np.inf))), mu_f.shape)
    F = np.argmin(mu_l, axis=1)
    F[a] = b
    return int(a), F


class StackelbergUCB(Learner):
    """A UCB1 leader against a myopic learning follower or a manipulative one (repeated Stackelberg game).

    Yu & Chen, "Decentralized Online Learning in General-Sum Stackelberg Games", UAI 2024; UCB1 of
    Auer, Cesa-Bianchi & Fischer, Mach. Learn. 2002. Per round t:

    1. The leader plays an untried action if any (lowest index), else
       ``argmax_a  m_l(a) + sqrt(2 log t / n_l(a))`` (empirical mean plus the UCB1 bonus).
    2. The follower answers ``a``: ``follower="myopic"``: UCB1 over its actions on its own rewards
       after ``a``; ``follower="manipulative"`` (FBM): the fixed best manipulation ``F(a)``
       (`best_manipulation`, computed from the true means: exact side information);
       ``follower="noisy-manipulative"`` (FMUCB): an unvisited response to ``a`` if any, else
       `best_manipulation` ``(m_l, U_f)`` from its estimates (noisy side information).
    3. Each draws its reward, Bernoulli with mean ``μ_l(a, b)`` / ``μ_f(a, b)``, and updates its means;
       the FMUCB follower also records the leader's realised reward for ``(a, b)``.

    The returned profile is the last iterate: the leader's empirically best action (one-hot) and the
    follower's response to it (its empirically best action, or ``F``). ``leader`` (0 or 1) picks
    which player leads; ``exploration`` scales the FMUCB follower's bonus (unused by the others). The
    simplifications against the paper are listed in the module docstring.
    """

    families = ("normal_form",)
    default_output = "last"

    def __init__(self, game: Any, *, follower: str = "myopic", leader: int = 0, exploration: float = 1.0,
                 seed: int | None = None):
        follower = check_choice("follower", follower, FOLLOWERS)
        exploration = check_real("exploration", exploration, minimum=0.0, maximum=100.0)
        leader = check_int("leader", leader, minimum=0, maximum=1)
        mu_l, mu_f = leader_view(game, leader)
        super().__init__(game, seed=seed)
        self.follower, self.leader, self.exploration = follower, leader, exploration
        self.mu_l, self.mu_f = mu_l, mu_f
        A, B = mu_l.shape
        self.n_l, self.s_l = np.zeros(A), np.zeros(A)
        self.n_f, self.s_f = np.zeros((A, B)), np.zeros((A, B))
        self.s_side = np.zeros((A, B))  # the leader's rewards as the FMUCB follower sees them
        self.follower_reward = 0.0
        self.leader_reward = 0.0
        manipulative = follower == "manipulative"
        self.manipulation = best_manipulation(mu_l, mu_f)[1] if manipulative else np.zeros(A, dtype=int)

    @staticmethod
    def _ucb(n: np.ndarray, s: np.ndarray, t: float) -> int:
        untried = np.flatnonzero(n == 0)
        if untried.size:
            return int(untried[0])
        return int(np.argmax(s / n + np.sqrt(2.0 * np.log(t) / n)))

    def _step(self) -> None:
        t = float(self.iteration + 1)
        a = self._ucb(self.n_l, self.s_l, t)
        if self.follower == "manipulative":
            b = int(self.manipulation[a])
        elif self.follower == "noisy-manipulative":
            unvisited = np.flatnonzero(self.n_f[a] == 0)
            b = int(unvisited[0]) if unvisited.size else int(self._fmucb(t)[1][a])
        else:
            b = self._ucb(self.n_f[a], self.s_f[a], max(1.0, self.n_f[a].sum()))
        r_l = float(self.rng.random() < self.mu_l[a, b])
        r_f = float(self.rng.random() < self.mu_f[a, b])
        self.n_l[a] += 1
        self.s_l[a] += r_l
        self.n_f[a, b] += 1
        self.s_f[a, b] += r_f
        self.s_side[a, b] += r_l
        self.leader_reward += r_l
        self.follower_reward += r_f

    def _fmucb(self, t: float) -> tuple[int, np.ndarray]:
        n = np.maximum(self.n_f, 1)
        seen = self.n_f > 0
        m_l = np.where(seen, self.s_side / n, 0.5)
        u_f = np.where(seen, self.s_f / n + self.exploration * np.sqrt(2.0 * np.log(max(t, 2.0)) / n), np.inf)
        return best_manipulation(m_l, u_f)

    def _greedy(self) -> tuple[int, int]:
        means = np.where(self.n_l > 0, self.s_l / np.maximum(self.n_l, 1), -np.inf)
        a = int(np.argmax(means))
        if self.follower == "manipulative":
            return a, int(self.manipulation[a])
        if self.follower == "noisy-manipulative":
            return a, int(self._fmucb(float(self.iteration + 1))[1][a])
        m_f = np.where(self.n_f[a] > 0, self.s_f[a] / np.maximum(self.n_f[a], 1), -np.inf)
        return a, int(np.argmax(m_f))

    def current_strategy(self) -> list[np.ndarray]:
        a, b = self._greedy()
        A, B = self.mu_l.shape
        x, y = np.eye(A)[a], np.eye(B)[b]
        return [x, y] if self.leader == 0 else [y, x]

    def diagnostics(self) -> dict[str, float]:
        t = max(1, self.iteration)
        return {"leader_action": float(self._greedy()[0]), "leader_mean_reward": self.leader_reward / t,
                "follower_mean_reward": self.follower_reward / t}


register_method("stackelberg-ucb", families=("normal_form",))(StackelbergUCB)
