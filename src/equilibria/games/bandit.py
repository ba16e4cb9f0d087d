"""Multi-armed bandits: one player against nature (or against an oblivious adversary).

A bandit game has K arms. Each round the learner pulls one arm and observes only that arm's
reward. The family's "strategy" is a distribution p over the arms (a learner's returned profile is
its empirical play frequency, or for best-arm identification the distribution of the recommended
arm over replications), and its NashConv is the *per-round pseudo-regret* of p,

    max_a μ_a − ⟨p, μ⟩,

computed exactly from the known means μ (Lattimore & Szepesvári, "Bandit Algorithms", Cambridge
University Press 2020, ch. 4; Slivkins, "Introduction to Multi-Armed Bandits", Foundations and
Trends in ML 2019, ch. 1). The games:

- `BernoulliBandit`: rewards Bernoulli(μ_a), μ_a ∈ [0, 1];
- `GaussianBandit`: rewards N(μ_a, σ²);
- `AdversarialBandit`: an oblivious adversary given by a reward table X (T × K, entries in [0, 1]);
  round t (0-based) pays X[t, a]. The benchmark is the best fixed arm in hindsight of the table:
  NashConv of p is ``max_a mean_t X[t, a] − ⟨p, mean_t X[t, ·]⟩`` and the cumulative regret after
  t rounds is ``max_a Σ_{s<t} X[s, a] − Σ_{s<t} X[s, A_s]``. Adaptive adversaries (rewards that
  depend on the learner's past arms) are `AdaptiveAdversarialBandit`.
- `AdaptiveAdversarialBandit`: an adaptive adversary, a deterministic function of the history:
  round t's reward vector X_t ∈ {0, 1}^K is computed from the learner's pull counts before round t
  (rule ``"punish-leader"``: every arm pays 1 except the most-pulled one; ``"reward-laggard"``: only
  the least-pulled arm pays 1; ties go to the lowest index). Regret is measured against the best
  fixed arm in hindsight of the realised vectors, ``max_a Σ_s X_s[a] − Σ_s X_s[A_s]``, per
  replication. NashConv of a distribution p is that of the rule's answer to a learner whose counts
  are proportional to p: ``max_a X(p)_a − ⟨p, X(p)⟩``.
- `LinearBandit`: arms are feature vectors x_a ∈ R^d, rewards x_a·θ + N(0, σ²);
- `KnapsackBandit`: bandits with knapsacks (Badanidiyuru, Kleinberg & Slivkins, "Bandits with
  Knapsacks", FOCS 2013 / JACM 2018): each pull pays a Bernoulli(μ_a) reward and consumes a
  Bernoulli(C[a, j]) unit of each resource j with budget B_j over a horizon of T rounds; a null
  arm (no reward, no consumption) is always added last. The benchmark is the LP relaxation
  ``max ⟨p, μ⟩ s.t. ⟨p, C_j⟩ ≤ B_j / T, p ∈ Δ`` (times T), an upper bound on any policy's
  expected reward (their Lemma 3.1); NashConv of p is its Lagrangian gap at the LP's optimal
  dual prices λ*: ``OPT_LP − ⟨p, μ⟩ + Σ_j λ*_j (⟨p, C_j⟩ − B_j/T)`` (≥ 0, zero at an LP optimum).

Every game offers the vectorised primitives the learners use over many replications at once:
``draw(rng, arms, t)`` (rewards of the pulled arms), ``expected_rewards(arms, t)`` (their exact
means), ``benchmark(t)`` (the best arm's, or the LP's, total expected reward over t rounds) and,
for stochastic games, ``draw_sums(rng, n)`` (the sum of n[s, a] rewards of each arm, for
phase-based best-arm identification).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .._numbers import parse_number
from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game, row_from_json

#: largest number of arms (a strategy is a dense vector over them)
MAX_ARMS = 10**6
#: largest magnitude of a mean, a feature or a noise scale
MAX_VALUE = 1e12


def _vector(name: str, values: Any, *, low: float | None = None, high: float | None = None) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise InvalidGameError(f"{name} must be a list of numbers, got {values!r}")
    try:
        v = np.array(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidGameError(f"{name} must be a list of numbers, got {values!r}") from None
    if v.ndim != 1:
        raise InvalidGameError(f"{name} must be a flat list of numbers, got shape {v.shape}")
    if v.size == 0:
        raise InvalidGameError(f"{name} is empty: a bandit needs at least one arm")
    if v.size > MAX_ARMS:
        raise InvalidGameError(f"{name} has {v.size} arms; at most {MAX_ARMS} are supported")
    bad = ~np.isfinite(v) | (np.abs(v) > MAX_VALUE)
    if low is not None:
        bad |= v < low
    if high is not None:
        bad |= v > high
    if bad.any():
        i = int(np.argmax(bad))
        rng = f" in [{low:g}, {high:g}]" if low is not None and high is not None else ""
        raise InvalidGameError(f"{name}[{i}] = {float(v[i])!r}; each entry must be a finite number{rng}")
    return v


def _table(what: str, dims: str, values: Any) -> np.ndarray:
    """``values`` as a non-empty 2-D float array (``dims`` names its axes in the messages, e.g. "K × d")."""
    try:
        X = np.array(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidGameError(f"{what} must be a {dims} table of numbers") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InvalidGameError(f"{what} must be a non-empty {dims} table, got shape {X.shape}")
    return X


def _positive(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidGameError(f"{name} must be a positive number, got {value!r}") from None
    if isinstance(value, (bool, str)) or not (0 < v <= MAX_VALUE):
        raise InvalidGameError(f"{name} must be a positive finite number, got {value!r}")
    return v


class BanditGame(Game):
    """Base class of the bandit family: K arms with known means (the simulator's, not the learner's).

    Subclasses set ``means`` (K,), ``arm_labels``, ``subgaussian`` (the sub-Gaussian scale of the
    reward noise: 1/2 for rewards in [0, 1], σ for Gaussian noise) and ``bounded`` (rewards in [0, 1]).
    """

    family = "bandit"
    kind = "bandit"
    #: rewards lie in [0, 1] (Bernoulli, adversarial tables, knapsacks)
    bounded = True
    #: a finite horizon the game itself fixes (adversarial tables, knapsacks), else None
    horizon: int | None = None
    #: i.i.d. arms (best-arm identification applies)
    stochastic = True
    #: rewards depend on the learner's history (`AdaptiveAdversarialBandit`)
    adaptive = False
    means: np.ndarray
    arm_labels: list[str]
    subgaussian: float = 0.5

    def _finish(self, means: np.ndarray, labels: Sequence[str] | None, title: str) -> None:
        means = np.array(means, dtype=float)
        means.setflags(write=False)
        K = means.size
        if labels is None:
            labels = [f"arm{i}" for i in range(K)]
        labels = [str(x) for x in labels]
        if len(labels) != K or len(set(labels)) != K:
            raise InvalidGameError(f"need {K} distinct arm labels, got {labels!r}")
        self.means = means
        self.arm_labels = labels
        self.title = title

    # -- shape --------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return 1

    @property
    def num_arms(self) -> int:
        return int(self.means.size)

    @cached_property
    def best_arm(self) -> int:
        return int(np.argmax(self.means))

    @cached_property
    def best_mean(self) -> float:
        return float(np.max(self.means))

    @cached_property
    def gaps(self) -> np.ndarray:
        """Δ_a = max μ − μ_a (≥ 0)."""
        g = self.best_mean - self.means
        g.setflags(write=False)
        return g

    @property
    def payoff_scale(self) -> float:
        spread = float(self.means.max() - self.means.min())
        return 1.0 if self.bounded else max(1.0, spread)

    @property
    def is_constant_sum(self) -> bool:
        return False

    def default_method(self) -> str:
        return "ucb1"

    # -- simulation primitives (vectorised over replications) ---------------------------------
    def draw(self, rng: np.random.Generator, arms: np.ndarray, t: int) -> np.ndarray:
        """Rewards of pulling ``arms`` (one per replication) in round ``t`` (0-based)."""
        raise NotImplementedError

    def expected_rewards(self, arms: np.ndarray, t: int) -> np.ndarray:
        """The exact expected reward of each pulled arm in round ``t``."""
        return self.means[arms]

    def benchmark(self, t: int) -> float:
        """The benchmark's total expected reward over rounds 0..t−1 (best arm: t · max μ)."""
        return t * self.best_mean

    def draw_sums(self, rng: np.random.Generator, n: np.ndarray) -> np.ndarray:
        """Σ of ``n[s, a]`` independent rewards of arm a, for each replication s (shape of ``n``)."""
        raise NotApplicableError(
            f"{type(self).__name__} is not a stochastic bandit: best-arm identification needs i.i.d. arms"
        )

    # -- profiles -----------------------------------------------------------------------------
    def validate_profile(self, profile: Any, atol: float = 1e-9) -> np.ndarray:
        """A distribution over the arms, shape (K,)."""
        if isinstance(profile, (list, tuple)) and len(profile) == 1 and np.ndim(profile[0]) == 1:
            profile = profile[0]  # a one-player profile given as [p]
        try:
            p = np.array(profile, dtype=float)
        except (TypeError, ValueError):
            raise InvalidStrategyError("a bandit strategy is a list of arm probabilities") from None
        K = self.num_arms
        if p.shape != (K,):
            raise InvalidStrategyError(f"a bandit strategy must have {K} probabilities, got shape {p.shape}")
        if not np.all(np.isfinite(p)) or np.any(p < -atol):
            raise InvalidStrategyError("a bandit strategy must have finite non-negative probabilities")
        s = p.sum()
        if abs(s - 1.0) > max(atol, 1e-9 * K):
            raise InvalidStrategyError(f"a bandit strategy must sum to 1, it sums to {s!r}")
        p = np.clip(p, 0.0, None)
        return p / p.sum()

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("bandit games are solved in floating point; drop --exact")
        return np.full(self.num_arms, 1.0 / self.num_arms)

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        p = self.validate_profile(profile)
        return {lab: float(x) for lab, x in zip(self.arm_labels, p, strict=True)}

    def profile_from_json(self, data: Any) -> np.ndarray:
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
            data = data[0]
        if isinstance(data, list):
            try:
                vals = [float(parse_number(x)) for x in data]
            except (TypeError, ValueError, OverflowError, ZeroDivisionError):
                raise InvalidStrategyError("a bandit strategy list must hold numbers") from None
            return self.validate_profile(vals)
        if not isinstance(data, dict):
            raise InvalidStrategyError("a bandit strategy is a JSON object {arm: probability} or a list")
        index = {lab: i for i, lab in enumerate(self.arm_labels)}
        return self.validate_profile(row_from_json(data, index, self.num_arms, where="the bandit strategy",
                                                   item="arm"))

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """``[⟨p, μ⟩]``: the expected reward per round of playing p."""
        if exact:
            raise NotApplicableError("bandit games are solved in floating point; drop --exact")
        p = self.validate_profile(profile)
        return np.array([float(p @ self.means)])

    def pseudo_regret(self, profile: Any) -> float:
        """Per-round pseudo-regret ``max μ − ⟨p, μ⟩`` of playing p every round."""
        p = self.validate_profile(profile)
        return max(float(self.best_mean - p @ self.means), 0.0)

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        return f"<{type(self).__name__}{name}: {self.num_arms} arms>"


class BernoulliBandit(BanditGame):
    """Arms with Bernoulli(μ_a) rewards, μ_a ∈ [0, 1]."""

    kind = "bernoulli"

    def __init__(self, means: Any, *, labels: Sequence[str] | None = None, title: str = ""):
        mu = _vector("means", means, low=0.0, high=1.0)
        self._finish(mu, labels, title or f"bandit:bernoulli(K={mu.size})")
        self._freeze()

    def draw(self, rng: np.random.Generator, arms: np.ndarray, t: int) -> np.ndarray:
        return (rng.random(np.shape(arms)) < self.means[arms]).astype(float)

    def draw_sums(self, rng: np.random.Generator, n: np.ndarray) -> np.ndarray:
        return rng.binomial(np.asarray(n, dtype=np.int64), self.means).astype(float)


class _GaussianNoiseBandit(BanditGame):
    """Base of the bandits whose arm a pays μ_a + N(0, σ²) (``self.sigma``, set by the subclass)."""

    bounded = False
    sigma: float

    def draw(self, rng: np.random.Generator, arms: np.ndarray, t: int) -> np.ndarray:
        return self.means[arms] + self.sigma * rng.standard_normal(np.shape(arms))

    def draw_sums(self, rng: np.random.Generator, n: np.ndarray) -> np.ndarray:
        n = np.asarray(n, dtype=float)
        return n * self.means + self.sigma * np.sqrt(n) * rng.standard_normal(n.shape)


class GaussianBandit(_GaussianNoiseBandit):
    """Arms with N(μ_a, σ²) rewards."""

    kind = "gaussian"

    def __init__(self, means: Any, sigma: float = 1.0, *, labels: Sequence[str] | None = None,
                 title: str = ""):
        mu = _vector("means", means)
        sigma = _positive("sigma", sigma)
        self.sigma: float = sigma
        self.subgaussian = sigma
        self._finish(mu, labels, title or f"bandit:gaussian(K={mu.size}, sigma={sigma:g})")
        self._freeze()


class LinearBandit(_GaussianNoiseBandit):
    """Arms are feature vectors x_a ∈ R^d (rows of ``features``); rewards x_a·θ + N(0, σ²)."""

    kind = "linear"

    def __init__(self, features: Any, theta: Any, sigma: float = 0.1, *,
                 labels: Sequence[str] | None = None, title: str = ""):
        X = _table("features", "K × d", features)
        if not np.all(np.isfinite(X)) or np.abs(X).max() > MAX_VALUE:
            raise InvalidGameError("features must be finite numbers")
        th = _vector("theta", theta)
        if th.size != X.shape[1]:
            raise InvalidGameError(f"theta has {th.size} entries; the features have dimension {X.shape[1]}")
        sigma = _positive("sigma", sigma)
        X.setflags(write=False)
        th.setflags(write=False)
        self.features: np.ndarray = X
        self.theta: np.ndarray = th
        self.sigma: float = sigma
        self.subgaussian = sigma
        self._finish(X @ th, labels, title or f"bandit:linear(K={X.shape[0]}, d={X.shape[1]})")
        self._freeze()

    @property
    def dimension(self) -> int:
        return int(self.features.shape[1])


class AdversarialBandit(BanditGame):
    """An oblivious adversary: a reward table X (T × K) in [0, 1]; round t pays X[t, a].

    ``means`` are the column means (the per-round reward of each fixed arm over the table), so
    NashConv of p is the per-round regret of always playing p against the best fixed arm in
    hindsight. Play stops at the table's horizon T.
    """

    kind = "adversarial"
    stochastic = False

    def __init__(self, table: Any, *, labels: Sequence[str] | None = None, title: str = ""):
        X = _table("the reward table", "T × K", table)
        bad = ~np.isfinite(X) | (X < 0) | (X > 1)
        if bad.any():
            t, a = (int(v) for v in np.argwhere(bad)[0])
            raise InvalidGameError(f"table[{t}, {a}] = {X[t, a]!r}; rewards must lie in [0, 1]")
        X.setflags(write=False)
        self.table: np.ndarray = X
        self.horizon = int(X.shape[0])
        cum = np.vstack([np.zeros((1, X.shape[1])), np.cumsum(X, axis=0)])
        best = cum.max(axis=1)
        best.setflags(write=False)
        self._best_cumulative = best
        self._finish(X.mean(axis=0), labels, title or f"bandit:adversarial(T={X.shape[0]}, K={X.shape[1]})")
        self._freeze()

    def _row(self, t: int) -> int:
        if not 0 <= t < self.horizon:
            raise NotApplicableError(f"the reward table has {self.horizon} rounds; round {t} is past its end")
        return t

    def draw(self, rng: np.random.Generator, arms: np.ndarray, t: int) -> np.ndarray:
        return self.table[self._row(t)][arms]

    def expected_rewards(self, arms: np.ndarray, t: int) -> np.ndarray:
        return self.table[self._row(t)][arms]

    def benchmark(self, t: int) -> float:
        """``max_a Σ_{s<t} X[s, a]``: the best fixed arm in hindsight of the first t rounds."""
        return float(self._best_cumulative[min(t, self.horizon)])


class AdaptiveAdversarialBandit(BanditGame):
    """An adaptive adversary: round t pays X_t = rule(pull counts before round t) ∈ {0, 1}^K.

    ``"punish-leader"``: 1 on every arm except the most-pulled one (a learner that settles on an arm
    is punished); ``"reward-laggard"``: 1 only on the least-pulled arm. Ties go to the lowest index.
    """

    kind = "adaptive"
    stochastic = False
    adaptive = True
    RULES = ("punish-leader", "reward-laggard")

    def __init__(self, arms: int, rule: str = "punish-leader", *, labels: Sequence[str] | None = None,
                 title: str = ""):
        if isinstance(arms, bool) or not isinstance(arms, (int, np.integer)) or not 1 <= arms <= MAX_ARMS:
            raise InvalidGameError(f"arms must be an integer in [1, {MAX_ARMS}], got {arms!r}")
        if rule not in self.RULES:
            raise InvalidGameError(f"rule must be one of {', '.join(self.RULES)}; got {rule!r}")
        self.rule: str = rule
        K = int(arms)
        # `means` (used for labels and sizes) are the rule's answer to uniform play
        self._finish(self.reward_vectors(np.zeros((1, K)))[0], labels,
                     title or f"bandit:adversarial(adaptive={rule!r}, arms={K})")
        self._freeze()

    def reward_vectors(self, counts: np.ndarray) -> np.ndarray:
        """X_t for each replication (rows of ``counts``, the pulls before round t)."""
        counts = np.asarray(counts, dtype=float)
        S, K = counts.shape
        rows = np.arange(S)
        if self.rule == "punish-leader":
            X = np.ones((S, K))
            if K > 1:
                X[rows, np.argmax(counts, axis=1)] = 0.0
        else:
            X = np.zeros((S, K))
            X[rows, np.argmin(counts, axis=1)] = 1.0
        return X

    def draw(self, rng: np.random.Generator, arms: np.ndarray, t: int) -> np.ndarray:
        raise NotApplicableError("an adaptive adversary's rewards depend on the history: use reward_vectors")

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("bandit games are solved in floating point; drop --exact")
        p = self.validate_profile(profile)
        return np.array([float(p @ self.reward_vectors(p[None, :])[0])])

    def pseudo_regret(self, profile: Any) -> float:
        p = self.validate_profile(profile)
        X = self.reward_vectors(p[None, :])[0]
        return max(float(X.max() - p @ X), 0.0)


class KnapsackBandit(BanditGame):
    """Bandits with knapsacks: Bernoulli rewards ``means`` and Bernoulli consumptions ``costs``
    (K × m) of m resources with budgets ``budget`` over ``horizon`` rounds; a null arm is added."""

    kind = "knapsack"

    def __init__(self, means: Any, costs: Any, budget: Any, horizon: int, *,
                 labels: Sequence[str] | None = None, title: str = ""):
        mu = _vector("means", means, low=0.0, high=1.0)
        try:
            C = np.array(costs, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InvalidGameError("costs must be a K × m table of numbers") from None
        if C.ndim == 1:
            C = C[:, None]
        if C.ndim != 2 or C.shape[0] != mu.size or C.shape[1] == 0:
            raise InvalidGameError(
                f"costs must have shape ({mu.size}, m) with m ≥ 1 resources, got {C.shape}"
            )
        bad = ~np.isfinite(C) | (C < 0) | (C > 1)
        if bad.any():
            a, j = (int(v) for v in np.argwhere(bad)[0])
            raise InvalidGameError(f"costs[{a}, {j}] = {C[a, j]!r}; consumptions are probabilities in [0, 1]")
        if isinstance(budget, (int, float)) and not isinstance(budget, bool):
            budget = [budget] * C.shape[1]
        B = np.array(budget, dtype=float) if not isinstance(budget, (str, bytes)) else np.array([np.nan])
        if B.shape != (C.shape[1],) or not np.all(np.isfinite(B)) or np.any(B <= 0):
            raise InvalidGameError(
                f"budget must be {C.shape[1]} positive finite number(s) (one per resource), got {budget!r}"
            )
        if (isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer))
                or not 1 <= horizon <= 10**9):
            raise InvalidGameError(f"horizon must be an integer in [1, 1e9], got {horizon!r}")
        mu = np.append(mu, 0.0)
        C = np.vstack([C, np.zeros((1, C.shape[1]))])
        if labels is not None:
            labels = [*labels, "null"]
        else:
            labels = [*(f"arm{i}" for i in range(mu.size - 1)), "null"]
        C.setflags(write=False)
        B.setflags(write=False)
        self.costs: np.ndarray = C
        self.budget: np.ndarray = B
        self.horizon = int(horizon)
        self._finish(mu, labels, title or f"bandit:knapsack(K={mu.size - 1}, m={C.shape[1]})")
        self._freeze()

    @property
    def num_resources(self) -> int:
        return int(self.costs.shape[1])

    @cached_property
    def _lp(self) -> tuple[float, np.ndarray, np.ndarray]:
        from ..ops import highs_linprog

        K, m = self.costs.shape
        res = highs_linprog(
            -self.means, A_ub=self.costs.T, b_ub=self.budget / self.horizon,
            A_eq=np.ones((1, K)), b_eq=[1.0], bounds=[(0, None)] * K,
        )
        p = np.clip(np.asarray(res.x, dtype=float), 0.0, None)
        p /= p.sum()
        duals = np.clip(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0, None)
        for arr in (p, duals):
            arr.setflags(write=False)
        return float(-res.fun), p, duals

    @property
    def lp_value(self) -> float:
        """OPT_LP / T: the LP relaxation's best expected reward per round."""
        return self._lp[0]

    @property
    def lp_solution(self) -> np.ndarray:
        return self._lp[1]

    @property
    def lp_duals(self) -> np.ndarray:
        """λ* ≥ 0: the LP's prices of the resource constraints ⟨p, C_j⟩ ≤ B_j / T."""
        return self._lp[2]

    def benchmark(self, t: int) -> float:
        return t * self.lp_value

    def draw(self, rng: np.random.Generator, arms: np.ndarray, t: int) -> np.ndarray:
        return (rng.random(np.shape(arms)) < self.means[arms]).astype(float)

    def draw_costs(self, rng: np.random.Generator, arms: np.ndarray) -> np.ndarray:
        """Consumptions (one row of m per pulled arm)."""
        c = self.costs[arms]
        return (rng.random(c.shape) < c).astype(float)

    def draw_sums(self, rng: np.random.Generator, n: np.ndarray) -> np.ndarray:
        return rng.binomial(np.asarray(n, dtype=np.int64), self.means).astype(float)

    def pseudo_regret(self, profile: Any) -> float:
        p = self.validate_profile(profile)
        slack = self.costs.T @ p - self.budget / self.horizon
        return max(float(self.lp_value - p @ self.means + self.lp_duals @ slack), 0.0)


def is_stochastic(game: BanditGame) -> bool:
    return bool(game.stochastic)


def wilson_interval(successes: np.ndarray | int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95% by default)."""
    if n <= 0:
        return 0.0, 1.0
    p = float(successes) / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)
