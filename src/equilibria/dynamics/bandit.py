"""Regret-minimising bandit learners, vectorised over replications, and the batch simulator.

Every learner here is a `equilibria.run.Learner`: one ``step()`` is one round. Its state carries a
leading axis of ``replications`` independent runs (1 by default), so the same code is the single
run that ``equilibria solve`` drives and the batch of 1,000 seeds that `simulate` runs as arrays
(one NumPy pass per round over all seeds, no Python loop over seeds).

Regret is exact: the cumulative *pseudo-regret* after t rounds is the benchmark's expected reward
minus the expected rewards of the arms actually pulled, ``t·max μ − Σ_{s<t} μ_{A_s}`` on a
stochastic bandit (Lattimore & Szepesvári, "Bandit Algorithms", Cambridge University Press 2020,
§4.5), ``max_a Σ_{s<t} X[s, a] − Σ_{s<t} X[s, A_s]`` on an adversarial table, and ``t·OPT_LP/T −
Σ μ_{A_s}`` with knapsacks. It never uses the sampled rewards. ``info["cumulative_regret"]``
holds its curve (the mean over replications; at most 1,000 points, at ``info["regret_rounds"]``;
the last entry is the total).

==================  =============================================================================
method              rule (round t, arm counts N_a, empirical means μ̂_a)
==================  =============================================================================
ucb1                argmax μ̂_a + c·sqrt(2 ln t / N_a)  (Auer, Cesa-Bianchi & Fischer 2002)
kl-ucb              argmax max{q : N_a kl(μ̂_a, q) ≤ ln t + c ln ln t}  (Garivier & Cappé 2011)
thompson            argmax of a posterior sample: Beta(1+S_a, 1+F_a) or N(μ̂_a, v²/(N_a+1))
                    (Agrawal & Goyal 2012, 2013)
epsilon-greedy      uniform with probability ε_t = min(1, cK/(d²t)), else argmax μ̂ (Auer et al. 2002)
exp3                p ∝ exp(−η_t L̂), L̂_a += ℓ/p_a (Auer et al. 2002; Bubeck & Cesa-Bianchi 2012)
exp3-ix             p ∝ exp(−η_t L̂), L̂_a += ℓ/(p_a + γ_t)  (Neu 2015)
lin-ucb             argmax x_aᵀθ̂ + α ||x_a||_{A⁻¹}  (Li, Chu, Langford & Schapire 2010)
lin-ts              argmax x_aᵀθ̃, θ̃ ~ N(θ̂, v² A⁻¹)  (Agrawal & Goyal 2013)
bwk-primal-dual     argmax UCB(reward)/⟨LCB(cost), λ⟩, λ by multiplicative weights
                    (Badanidiyuru, Kleinberg & Slivkins 2013)
==================  =============================================================================

Reference for all of them: Slivkins, "Introduction to Multi-Armed Bandits", Foundations and
Trends in Machine Learning 2019. The finite-time bounds the tests check are the functions
`ucb1_regret_bound`, `exp3_regret_bound`, `exp3_ix_regret_bound`, `oful_regret_bound`,
`lai_robbins_constant`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_real, check_size
from ..errors import InvalidParameterError, NotApplicableError
from ..games.bandit import BanditGame, KnapsackBandit, LinearBandit
from ..ops import softmax
from ..registry import register_method
from ..run import Learner

#: most replications one learner runs at once
MAX_REPLICATIONS = 1_000_000
#: points of the regret curve kept in ``Solution.info``
CURVE_POINTS = 1000


# ---- divergences (shared with best-arm identification) -------------------------------------------


def kl_bernoulli(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """kl(p, q) = p ln(p/q) + (1−p) ln((1−p)/(1−q)), with 0 ln 0 = 0 (q clipped into (0, 1))."""
    p = np.minimum(np.maximum(p, 0.0), 1.0)
    q = np.minimum(np.maximum(q, 1e-15), 1.0 - 1e-15)
    r = 1.0 - p
    from scipy.special import xlogy  # lazy: keeps `import equilibria` free of scipy

    return xlogy(p, p) - xlogy(p, q) + xlogy(r, r) - xlogy(r, 1.0 - q)


def kl_gaussian(p: np.ndarray, q: np.ndarray, sigma: float) -> np.ndarray:
    """(p − q)² / (2σ²)."""
    return (np.asarray(p) - np.asarray(q)) ** 2 / (2.0 * sigma * sigma)


def divergence(game: BanditGame) -> Any:
    """The KL divergence between two arms' reward laws, as a function of their means."""
    if game.bounded:
        return kl_bernoulli
    sigma = game.subgaussian
    return lambda p, q: kl_gaussian(p, q, sigma)


def _kl_upper(mu: np.ndarray, level: np.ndarray, start: np.ndarray | None = None,
              iters: int = 60, tol: float = 1e-12) -> np.ndarray:
    """max{q ∈ [μ, 1] : kl(μ, q) ≤ level}, elementwise, by Newton's method.

    q ↦ kl(μ, q) is convex and increasing on [μ, 1]: from a point right of the root, Newton steps
    decrease monotonically to it; from a point left of it, one step lands right of it. The default
    start is Pinsker's bound μ + sqrt(level/2) (right of the root); a learner passes its previous
    index as a warm start.
    """
    from scipy.special import xlogy

    mu = np.clip(mu, 0.0, 1.0)
    # the q-free part of kl(μ, q): μ ln μ + (1−μ) ln(1−μ)
    neg_entropy = xlogy(mu, mu) + xlogy(1.0 - mu, 1.0 - mu)
    q = np.minimum(mu + np.sqrt(level / 2.0), 1.0) if start is None else np.clip(start, mu, 1.0)
    hi = 1.0 - 1e-15
    for _ in range(iters):
        qc = np.clip(q, 1e-15, hi)
        f = neg_entropy - xlogy(mu, qc) - xlogy(1.0 - mu, 1.0 - qc) - level
        slope = (qc - mu) / (qc * (1.0 - qc))
        move = (np.abs(f) > 0) & (slope > 0) & ~((f <= 0) & (qc >= hi))
        new = np.where(move, np.clip(qc - f / np.where(move, slope, 1.0), mu, 1.0), q)
        # at q = μ (slope 0) with level > 0 the root lies to the right: step to Pinsker's bound
        new = np.where((slope <= 0) & (level > 0), np.minimum(mu + np.sqrt(level / 2.0), 1.0), new)
        done = np.max(np.abs(new - q), initial=0.0) <= tol
        q = new
        if done:
            break
    return q


# ---- regret bounds ----------------------------------------------------------------------------------


def ucb1_regret_bound(game: BanditGame, horizon: int) -> float:
    """Auer, Cesa-Bianchi & Fischer (2002), Theorem 1: E[R_n] ≤ Σ_{Δ>0} 8 ln n / Δ + (1 + π²/3) Σ Δ.

    Stated for rewards in [0, 1]; for σ-sub-Gaussian rewards the learner's bonus is scaled by 2σ
    and the first term by (2σ)².
    """
    g = game.gaps[game.gaps > 0]
    c = (2.0 * game.subgaussian) ** 2
    return float(np.sum(8.0 * c * math.log(horizon) / g) + (1 + math.pi**2 / 3) * np.sum(g))


def lai_robbins_constant(game: BanditGame) -> float:
    """Σ_{Δ>0} Δ_a / kl(μ_a, μ*): lim inf R_T / ln T for any consistent policy (Lai & Robbins 1985),
    the constant KL-UCB and Thompson sampling attain."""
    d = divergence(game)
    mask = game.gaps > 0
    return float(np.sum(game.gaps[mask] / d(game.means[mask], np.full(mask.sum(), game.best_mean))))


def exp3_regret_bound(num_arms: int, horizon: int, step_size: float | None = None) -> float:
    """Pseudo-regret bound of loss-based Exp3 (Bubeck & Cesa-Bianchi 2012, Theorems 3.1 and its
    anytime form): 2·sqrt(T K ln K) with η_t = sqrt(ln K/(tK)); ln K/η + ηTK/2 with a fixed η."""
    K, T = num_arms, horizon
    if step_size is None:
        return 2.0 * math.sqrt(T * K * math.log(max(K, 2)))
    return math.log(max(K, 2)) / step_size + step_size * T * K / 2.0


def exp3_ix_regret_bound(num_arms: int, horizon: int, delta: float, anytime: bool = False) -> float:
    """Neu (2015): with probability ≥ 1 − δ, the regret against the best fixed arm is at most
    2 sqrt(2KT ln K) + (sqrt(2KT/ln K) + 1) ln(2/δ) with η = 2γ = sqrt(2 ln K/(KT)) (Theorem 1), and
    4 sqrt(KT ln K) + (2 sqrt(KT/ln K) + 1) ln(2/δ) with η_t = 2γ_t = sqrt(ln K/(Kt)) (Theorem 2)."""
    K, T = num_arms, horizon
    lk = math.log(max(K, 2))
    if anytime:
        return 4 * math.sqrt(K * T * lk) + (2 * math.sqrt(K * T / lk) + 1) * math.log(2 / delta)
    return 2 * math.sqrt(2 * K * T * lk) + (math.sqrt(2 * K * T / lk) + 1) * math.log(2 / delta)


def oful_radius(t: int, dim: int, sigma: float, regularization: float, theta_norm: float,
                feature_norm: float, delta: float) -> float:
    """Abbasi-Yadkori, Pál & Szepesvári (2011), Theorem 2: with probability ≥ 1 − δ, for all t,
    ||θ̂_t − θ||_{A_t} ≤ σ sqrt(d ln((1 + t L²/λ)/δ)) + sqrt(λ) S."""
    return sigma * math.sqrt(dim * math.log((1 + t * feature_norm**2 / regularization) / delta)) + math.sqrt(
        regularization
    ) * theta_norm


def oful_regret_bound(game: LinearBandit, horizon: int, regularization: float = 1.0,
                      delta: float = 0.05) -> float:
    """Abbasi-Yadkori et al. (2011), Theorem 3: R_T ≤ 4 sqrt(T d ln(λ + TL/d)) ·
    (sqrt(λ) S + σ sqrt(2 ln(1/δ) + d ln(1 + TL/(λd)))), rewards' means bounded by 1 in magnitude."""
    d, T, lam = game.dimension, horizon, regularization
    L = float(np.linalg.norm(game.features, axis=1).max())
    S = float(np.linalg.norm(game.theta))
    return 4 * math.sqrt(T * d * math.log(lam + T * L / d)) * (
        math.sqrt(lam) * S
        + game.sigma * math.sqrt(2 * math.log(1 / delta) + d * math.log(1 + T * L / (lam * d)))
    )


# ---- the learners -------------------------------------------------------------------------------------


def _require_bandit(game: Any, method: str) -> BanditGame:
    if not isinstance(game, BanditGame):
        raise NotApplicableError(f"{method} plays bandit games, not {type(game).__name__}")
    return game


class BanditLearner(Learner):
    """Common state: pull counts and reward sums per (replication, arm), the exact regret curve.

    Subclasses implement ``_select(t) -> arms (S,)`` and optionally ``_update(arms, rewards, t)``.
    """

    families: ClassVar[tuple[str, ...]] = ("bandit",)
    default_output = "average"
    variable_state: ClassVar[tuple[str, ...]] = ("curve", "curve_std")
    #: the method needs rewards in [0, 1]
    needs_bounded: ClassVar[bool] = False
    #: float arrays of shape (S, K) the subclass keeps (for the size check)
    arrays_per_arm: ClassVar[int] = 2

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1):
        super().__init__(game, seed=seed)
        name = type(self).__name__
        game = _require_bandit(game, name)
        if self.needs_bounded and not game.bounded:
            raise NotApplicableError(
                f"{name} needs rewards in [0, 1]; {type(game).__name__} has unbounded (Gaussian) rewards"
            )
        S = check_int("replications", replications, minimum=1, maximum=MAX_REPLICATIONS)
        K = game.num_arms
        check_size(f"{name} with {S} replications of {K} arms", 8 * S * K * (3 + self.arrays_per_arm))
        self.replications = S
        self.counts = np.zeros((S, K), dtype=np.int64)
        self.sums = np.zeros((S, K))
        self.collected = np.zeros(S)
        # adaptive adversaries: each arm's realised total, the benchmark's (zeros otherwise)
        self.arm_totals = np.zeros((S, K) if game.adaptive else (S, 0))
        self.last_arms = np.full(S, -1, dtype=np.int64)
        self.curve = np.zeros(16)
        self.curve_std = np.zeros(16)
        self.curve_len = 0

    # -- one round --------------------------------------------------------------------------------
    def _select(self, t: int) -> np.ndarray:
        raise NotImplementedError

    def _update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        """Method-specific state (counts and sums are already updated)."""

    def _rewards(self, arms: np.ndarray, t: int) -> np.ndarray:
        return self.game.draw(self.rng, arms, t)

    def _step(self) -> None:
        t = self.iteration
        rows = np.arange(self.replications)
        if self.game.adaptive:
            # the adversary fixes round t's rewards from the history before the learner chooses
            X = self.game.reward_vectors(self.counts)
        arms = np.asarray(self._select(t), dtype=np.int64)
        if self.game.adaptive:
            rewards = X[rows, arms]
            self.arm_totals += X
        else:
            rewards = self._rewards(arms, t)
        self.counts[rows, arms] += 1
        self.sums[rows, arms] += rewards
        self._update(arms, rewards, t)
        self.collected += rewards if self.game.adaptive else self.game.expected_rewards(arms, t)
        self.last_arms = arms
        if self.curve_len == self.curve.size:
            self.curve = np.concatenate([self.curve, np.zeros(self.curve.size)])
            self.curve_std = np.concatenate([self.curve_std, np.zeros(self.curve_std.size)])
        regret = self.regret(t + 1)
        self.curve[self.curve_len] = float(regret.mean())
        if self.replications > 1:
            self.curve_std[self.curve_len] = float(regret.std(ddof=1))
        self.curve_len += 1

    # -- what the run loop and solve read --------------------------------------------------------
    def regret(self, t: int | None = None) -> np.ndarray:
        """Cumulative pseudo-regret of each replication after ``t`` rounds (default: so far), shape (S,)."""
        if self.game.adaptive:
            return self.arm_totals.max(axis=1, initial=0.0) - self.collected
        return self.game.benchmark(self.iteration if t is None else t) - self.collected

    def regret_curve(self) -> np.ndarray:
        """Mean cumulative pseudo-regret after each round 1..t (over replications)."""
        return self.curve[: self.curve_len].copy()

    def regret_curve_std(self) -> np.ndarray:
        """Standard deviation over replications of the cumulative pseudo-regret after each round."""
        return self.curve_std[: self.curve_len].copy()

    def average_strategy(self) -> np.ndarray:
        total = self.counts.sum()
        if total == 0:
            return self.game.uniform_profile()
        return self.counts.sum(axis=0) / total

    def current_strategy(self) -> np.ndarray:
        if self.iteration == 0:
            return self.game.uniform_profile()
        return np.bincount(self.last_arms, minlength=self.game.num_arms) / self.replications

    def diagnostics(self) -> dict[str, float]:
        return {"cumulative_regret": float(self.curve[self.curve_len - 1]) if self.curve_len else 0.0}

    def solution_info(self, profile: Any) -> dict[str, Any]:
        n = self.curve_len
        if n == 0:
            return {"cumulative_regret": [], "regret_rounds": [], "total_regret": 0.0,
                    "replications": self.replications}
        if n <= CURVE_POINTS:
            rounds = np.arange(1, n + 1)
        else:
            rounds = np.unique(np.linspace(1, n, CURVE_POINTS).round().astype(np.int64))
        info: dict[str, Any] = {
            "cumulative_regret": [float(v) for v in self.curve[rounds - 1]],
            "regret_rounds": [int(r) for r in rounds],
            "total_regret": float(self.curve[n - 1]),
            "replications": self.replications,
        }
        if self.replications > 1:
            info["cumulative_regret_std"] = [float(v) for v in self.curve_std[rounds - 1]]
            r = self.regret()
            half = 1.959963984540054 * float(r.std(ddof=1)) / math.sqrt(r.size)
            info["total_regret_std"] = float(r.std(ddof=1))
            info["total_regret_ci95"] = [float(r.mean() - half), float(r.mean() + half)]
        return info

    def _means(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), 0.0)

    def _round_robin(self, t: int) -> np.ndarray | None:
        """Arm t for every replication during the first K rounds (each arm once), else None."""
        if t < self.game.num_arms:
            return np.full(self.replications, t, dtype=np.int64)
        return None


def _sample_from(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One arm per row of the (S, K) distribution p, by inverse CDF."""
    u = rng.random(p.shape[0])
    cdf = np.cumsum(p, axis=1)
    return np.minimum((cdf < u[:, None] * cdf[:, -1:]).sum(axis=1), p.shape[1] - 1)


@register_method("ucb1", families=("bandit",))
class UCB1(BanditLearner):
    """UCB1 (Auer, Cesa-Bianchi & Fischer, "Finite-time Analysis of the Multiarmed Bandit Problem",
    Machine Learning 2002).

    1. Rounds 1..K: pull each arm once.
    2. Round t > K: pull argmax_a μ̂_a + c·sqrt(2 ln t / N_a), with t the number of pulls so far
       (ties to the lowest index).

    c = 1 for rewards in [0, 1], as in the paper; for σ-sub-Gaussian (Gaussian) rewards c = 2σ, the
    paper's bonus after rescaling the rewards to unit range (our generalisation). Theorem 1 bounds
    the expected regret by Σ_{Δ>0} 8 ln n/Δ + (1 + π²/3) Σ Δ (`ucb1_regret_bound`).
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1):
        super().__init__(game, seed=seed, replications=replications)
        self.scale = 2.0 * float(self.game.subgaussian)

    def _select(self, t: int) -> np.ndarray:
        first = self._round_robin(t)
        if first is not None:
            return first
        n = self.counts
        index = self.sums / n + self.scale * np.sqrt(2.0 * math.log(t) / n)
        return np.argmax(index, axis=1)


@register_method("kl-ucb", families=("bandit",))
class KLUCB(BanditLearner):
    """KL-UCB (Garivier & Cappé, "The KL-UCB Algorithm for Bounded Stochastic Bandits and Beyond",
    COLT 2011).

    1. Rounds 1..K: pull each arm once.
    2. Round t > K: pull argmax_a max{q : N_a · kl(μ̂_a, q) ≤ ln t + c ln ln t}.

    kl is the Bernoulli divergence for rewards in [0, 1] (the paper's bounded case) and the Gaussian
    one (p − q)²/(2σ²) otherwise (then the index is μ̂ + σ sqrt(2(ln t + c ln ln t)/N)). The upper
    confidence bound is found by bisection (32 halvings). ``c`` = 0 as in the paper's experiments
    (its Theorem 2 takes c = 3). KL-UCB attains the Lai-Robbins constant: E[N_a(T)] ≤ (1+ε) ln T /
    kl(μ_a, μ*) + o(ln T) (Theorem 2), see `lai_robbins_constant`.
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1, c: float = 0.0):
        super().__init__(game, seed=seed, replications=replications)
        self.c = check_real("c", c, minimum=0.0, maximum=100.0)
        self.index = np.zeros_like(self.sums)  # the last indices: warm starts of the next solve

    def _select(self, t: int) -> np.ndarray:
        first = self._round_robin(t)
        if first is not None:
            return first
        n = self.counts
        level = math.log(t) + (self.c * math.log(math.log(t)) if t > math.e else 0.0)
        mu = self.sums / n
        if self.game.bounded:
            index = _kl_upper(mu, level / n, start=self.index if t > self.game.num_arms else None)
            self.index = index
        else:
            index = mu + self.game.subgaussian * np.sqrt(2.0 * level / n)
        return np.argmax(index, axis=1)


@register_method("thompson", families=("bandit",))
class ThompsonSampling(BanditLearner):
    """Thompson sampling (Agrawal & Goyal, "Analysis of Thompson Sampling for the Multi-armed Bandit
    Problem", COLT 2012; Agrawal & Goyal, "Further Optimal Regret Bounds for Thompson Sampling",
    AISTATS 2013).

    ``prior="beta"`` (rewards in [0, 1]):
      1. sample θ_a ~ Beta(S_a + 1, F_a + 1) for every arm; pull argmax θ;
      2. observe r ∈ [0, 1], draw r̃ ~ Bernoulli(r) (r̃ = r for Bernoulli rewards); S_a += r̃,
         F_a += 1 − r̃ (the 2012 paper's reduction of bounded rewards to Bernoulli ones).
    ``prior="gaussian"``: sample θ_a ~ N(μ̂_a, v²/(N_a + 1)) with μ̂_a = (Σ rewards)/(N_a + 1)
    (the 2013 paper's Gaussian version, v = 1); for Gaussian rewards we take v = σ (our scaling).
    ``"auto"``: beta for rewards in [0, 1], gaussian otherwise. Both attain the Lai-Robbins
    constant on Bernoulli arms (2013, Theorem 1).
    """

    arrays_per_arm = 4

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1, prior: str = "auto"):
        super().__init__(game, seed=seed, replications=replications)
        prior = check_choice("prior", prior, ("auto", "beta", "gaussian"))
        if prior == "auto":
            prior = "beta" if self.game.bounded else "gaussian"
        if prior == "beta" and not self.game.bounded:
            raise NotApplicableError("the Beta prior needs rewards in [0, 1]; use prior='gaussian'")
        self.prior = prior
        self.successes = np.zeros_like(self.sums)

    def _select(self, t: int) -> np.ndarray:
        if self.prior == "beta":
            theta = self.rng.beta(self.successes + 1.0, self.counts - self.successes + 1.0)
        else:
            v = 1.0 if self.game.bounded else self.game.subgaussian
            n1 = self.counts + 1.0
            theta = self.sums / n1 + v / np.sqrt(n1) * self.rng.standard_normal(self.sums.shape)
        return np.argmax(theta, axis=1)

    def _update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        if self.prior == "beta":
            # always draw, so the random stream does not depend on the rewards' values
            flip = (self.rng.random(arms.shape) < rewards).astype(float)
            self.successes[np.arange(arms.size), arms] += flip


@register_method("epsilon-greedy", families=("bandit",))
class EpsilonGreedy(BanditLearner):
    """ε_n-greedy (Auer, Cesa-Bianchi & Fischer, "Finite-time Analysis of the Multiarmed Bandit
    Problem", Machine Learning 2002, §3).

    1. Round t (1-based): ε_t = min(1, cK/(d² t)).
    2. With probability ε_t pull a uniformly random arm, else argmax μ̂ (untried arms first).

    ``d`` must be a lower bound on the smallest positive gap (Theorem 3, c > 5 gives logarithmic
    regret); by default it is the game's true smallest gap, which the paper's algorithm is given as
    a parameter.
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1, c: float = 5.0,
                 d: float | None = None):
        super().__init__(game, seed=seed, replications=replications)
        self.c = check_positive("c", c, maximum=1e6)
        if d is None:
            g = self.game.gaps[self.game.gaps > 0]
            d = float(g.min()) if g.size else 1.0
        self.d = check_real("d", d, minimum=0.0, strict_minimum=True, maximum=1e12)

    def _select(self, t: int) -> np.ndarray:
        S, K = self.counts.shape
        eps = min(1.0, self.c * K / (self.d**2 * (t + 1)))
        explore = self.rng.random(S) < eps
        uniform = self.rng.integers(K, size=S)
        greedy = np.argmax(np.where(self.counts > 0, self._means(), np.inf), axis=1)
        return np.where(explore, uniform, greedy)


@register_method("exp3", families=("bandit",))
class Exp3(BanditLearner):
    """Exp3 (Auer, Cesa-Bianchi, Freund & Schapire, "The Nonstochastic Multiarmed Bandit Problem",
    SIAM Journal on Computing 2002), in the loss-based form of Bubeck & Cesa-Bianchi, "Regret
    Analysis of Stochastic and Nonstochastic Multi-armed Bandit Problems", Foundations and Trends
    in ML 2012, §3.1.

    1. p_t ∝ exp(−η_t L̂_{t−1}) (L̂ the importance-weighted cumulative losses, loss = 1 − reward).
    2. Pull A_t ~ p_t; L̂_{A_t} += ℓ_t / p_{t, A_t}.

    η_t = sqrt(ln K / (tK)) (anytime; pseudo-regret ≤ 2 sqrt(TK ln K)) unless ``step_size`` fixes η
    (≤ ln K/η + ηTK/2; η = sqrt(2 ln K/(TK)) gives sqrt(2TK ln K)). The 2002 paper's uniform mixing
    γ is not needed in the loss-based form (Bubeck & Cesa-Bianchi, Theorem 3.1).
    """

    needs_bounded = True

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1,
                 step_size: float | None = None):
        super().__init__(game, seed=seed, replications=replications)
        self.step_size = None if step_size is None else check_positive("step_size", step_size, maximum=1e6)
        self.losses = np.zeros_like(self.sums)
        self.probs = np.full_like(self.sums, 1.0 / self.game.num_arms)

    def _eta(self, t: int) -> float:
        K = self.game.num_arms
        if self.step_size is not None:
            return self.step_size
        return math.sqrt(max(math.log(K), 1e-12) / ((t + 1) * K))

    def _gamma(self, eta: float) -> float:
        return 0.0

    def _select(self, t: int) -> np.ndarray:
        eta = self._eta(t)
        self.probs = softmax(-eta * (self.losses - self.losses.min(axis=1, keepdims=True)))
        return _sample_from(self.rng, self.probs)

    def _update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        rows = np.arange(arms.size)
        gamma = self._gamma(self._eta(t))
        self.losses[rows, arms] += (1.0 - rewards) / (self.probs[rows, arms] + gamma)


@register_method("exp3-ix", families=("bandit",))
class Exp3IX(Exp3):
    """Exp3-IX (Neu, "Explore no more: Improved high-probability regret bounds for non-stochastic
    bandits", NeurIPS 2015).

    1. p_t ∝ exp(−η_t L̂_{t−1}).
    2. Pull A_t ~ p_t; L̂_{A_t} += ℓ_t / (p_{t, A_t} + γ_t) (implicit exploration: a biased,
       lower-variance loss estimate).

    Default η_t = 2γ_t = sqrt(ln K/(Kt)) (Theorem 2, anytime); with ``step_size`` η fixed and
    γ = η/2 unless ``gamma`` is given (Theorem 1 takes η = 2γ = sqrt(2 ln K/(KT))). With
    probability ≥ 1 − δ the regret against the best fixed arm is O(sqrt(KT ln K) + sqrt(KT/ln K)
    ln(1/δ)) (`exp3_ix_regret_bound`).
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1,
                 step_size: float | None = None, gamma: float | None = None):
        super().__init__(game, seed=seed, replications=replications, step_size=step_size)
        self.gamma = None if gamma is None else check_positive("gamma", gamma, allow_zero=True, maximum=1e6)

    def _gamma(self, eta: float) -> float:
        return eta / 2.0 if self.gamma is None else self.gamma


def _features(game: BanditGame) -> np.ndarray:
    """Arm feature vectors: the linear bandit's, else the standard basis (a K-armed bandit is a
    linear bandit with one-hot features)."""
    if isinstance(game, LinearBandit):
        return np.asarray(game.features)
    return np.eye(game.num_arms)


class _LinearLearner(BanditLearner):
    """Ridge-regression state A = λI + Σ x xᵀ, b = Σ r x per replication."""

    def __init__(self, game: Any, *, seed: int | None, replications: int, regularization: float):
        super().__init__(game, seed=seed, replications=replications)
        X = _features(self.game)
        d = X.shape[1]
        check_size(f"{type(self).__name__}: {self.replications} replications × {d}² Gram matrices",
                   8 * 4 * self.replications * d * d)
        self.regularization = check_positive("regularization", regularization, maximum=1e12)
        self.X = X
        self.A = np.broadcast_to(self.regularization * np.eye(d), (self.replications, d, d)).copy()
        self.b = np.zeros((self.replications, d))

    def _theta_hat(self) -> np.ndarray:
        return np.linalg.solve(self.A, self.b[..., None])[..., 0]

    def _update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        x = self.X[arms]
        self.A += x[:, :, None] * x[:, None, :]
        self.b += rewards[:, None] * x


@register_method("lin-ucb", families=("bandit",))
class LinUCB(_LinearLearner):
    """LinUCB (Li, Chu, Langford & Schapire, "A Contextual-Bandit Approach to Personalized News
    Article Recommendation", WWW 2010), with one parameter θ shared by all arms.

    1. θ̂ = A⁻¹ b, A = λI + Σ_s x_{A_s} x_{A_s}ᵀ, b = Σ_s r_s x_{A_s}.
    2. Pull argmax_a x_aᵀθ̂ + α c ||x_a||_{A⁻¹}.

    α = 1 + sqrt(ln(2/δ)/2) (the paper's Eq. 4) unless given; c = 2σ scales the bonus to the noise
    (c = 1 for rewards in [0, 1]). Simplification: fixed arm features (no per-round contexts), so
    the paper's per-arm (disjoint) model becomes its shared-parameter form. On a K-armed bandit the
    features are one-hot. `oful_regret_bound` (Abbasi-Yadkori et al. 2011) is the bound the tests use.
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1,
                 alpha: float | None = None, delta: float = 0.05, regularization: float = 1.0):
        super().__init__(game, seed=seed, replications=replications, regularization=regularization)
        delta = check_real("delta", delta, minimum=0.0, strict_minimum=True, maximum=1.0)
        self.delta = delta
        self.alpha = (1.0 + math.sqrt(math.log(2.0 / delta) / 2.0) if alpha is None
                      else check_positive("alpha", alpha, allow_zero=True, maximum=1e6))

    def _select(self, t: int) -> np.ndarray:
        Ainv = np.linalg.inv(self.A)
        theta = np.einsum("sij,sj->si", Ainv, self.b)
        width = np.sqrt(np.maximum(np.einsum("kd,sde,ke->sk", self.X, Ainv, self.X), 0.0))
        index = theta @ self.X.T + self.alpha * 2.0 * self.game.subgaussian * width
        return np.argmax(index, axis=1)


@register_method("lin-ts", families=("bandit",))
class LinTS(_LinearLearner):
    """Linear Thompson sampling (Agrawal & Goyal, "Thompson Sampling for Contextual Bandits with
    Linear Payoffs", ICML 2013).

    1. θ̂ = A⁻¹ b with A = λI + Σ x xᵀ (the paper's B(t), λ = 1).
    2. Sample θ̃ ~ N(θ̂, v² A⁻¹); pull argmax_a x_aᵀθ̃.

    Simplification: v = scale · R with R the noise's sub-Gaussian constant (σ; 1/2 for rewards in
    [0, 1]) and ``scale`` = 1 by default, the practical choice; the paper's analysis takes
    v = R sqrt(24 d ln(1/δ)/ε), recovered with scale = sqrt(24 d ln(1/δ)/ε). Its regret is
    Õ(d^{3/2} √T) (Theorem 1); the tests check √T growth.
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1, scale: float = 1.0,
                 regularization: float = 1.0):
        super().__init__(game, seed=seed, replications=replications, regularization=regularization)
        self.scale = check_positive("scale", scale, allow_zero=True, maximum=1e6)

    def _select(self, t: int) -> np.ndarray:
        L = np.linalg.cholesky(self.A)
        theta = self._theta_hat()
        z = self.rng.standard_normal(self.b.shape)
        # A = L Lᵀ, so L⁻ᵀ z ~ N(0, A⁻¹)
        noise = np.linalg.solve(np.swapaxes(L, 1, 2), z[..., None])[..., 0]
        v = self.scale * self.game.subgaussian
        return np.argmax((theta + v * noise) @ self.X.T, axis=1)


@register_method("bwk-primal-dual", families=("bandit",))
class PrimalDualBwK(BanditLearner):
    """PrimalDualBwK (Badanidiyuru, Kleinberg & Slivkins, "Bandits with Knapsacks", FOCS 2013;
    Journal of the ACM 2018, Algorithm 2).

    Resources j = 1..m with budgets B_j are rescaled to the common budget B = min_j B_j; time is
    the (m+1)-th resource, consuming B/T per round. ε = sqrt(ln(m+1) / B).

    1. Pull each real arm once.
    2. Round t: u_a = min(1, μ̂_a + rad(μ̂_a, N_a)), L_a = max(0, ĉ_a − rad(ĉ_a, N_a)) (per
       resource), rad(ν, N) = sqrt(C ν / N) + C / N with C = ln(d T K).
       Pull argmax_a u_a / ⟨L_a, v⟩ with v the normalised resource weights (the dual prices).
    3. v_j ← v_j (1 + ε)^{consumption_j} (multiplicative weights on the realised consumption).
    4. Stop (pull the null arm from then on) as soon as a resource could be overdrawn by the next
       pull (remaining < 1) or T rounds have passed, so no budget is ever exceeded.

    Requires a `KnapsackBandit`; on any other bandit (no resources, time only) it reduces to
    pulling argmax of the reward UCB. Regret against OPT_LP: O(sqrt(log(dKT)) (sqrt(K·OPT) +
    OPT sqrt(K/B))) (Theorem 4.1).
    """

    needs_bounded = True

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 1):
        super().__init__(game, seed=seed, replications=replications)
        g = self.game
        S, K = self.counts.shape
        if isinstance(g, KnapsackBandit):
            B = float(g.budget.min())
            self.horizon_ = int(g.horizon)
            self.cost_scale = B / g.budget  # (m,)
            self.real_arms = K - 1
        else:
            self.horizon_ = 0
            self.cost_scale = np.zeros(0)
            self.real_arms = K
            B = 1.0
        m = self.cost_scale.size
        self.B = B
        self.eps = math.sqrt(math.log(m + 1) / B) if m else 0.0
        self.weights = np.ones((S, m + 1))
        self.cost_sums = np.zeros((S, K, m))
        self.consumed = np.zeros((S, m))
        self.stopped = np.zeros(S, dtype=bool)

    def _rad(self, nu: np.ndarray, n: np.ndarray, t: int) -> np.ndarray:
        m = self.cost_scale.size
        C = math.log((m + 1) * max(self.horizon_, t + 1) * self.game.num_arms)
        return np.sqrt(C * np.maximum(nu, 0.0) / n) + C / n

    def _select(self, t: int) -> np.ndarray:
        S, K = self.counts.shape
        g = self.game
        if not isinstance(g, KnapsackBandit):
            first = self._round_robin(t)
            if first is not None:
                return first
            n = self.counts
            mu = self.sums / n
            return np.argmax(np.minimum(1.0, mu + self._rad(mu, n, t)), axis=1)
        null = K - 1
        if t < self.real_arms:
            arms = np.full(S, t, dtype=np.int64)
        else:
            n = np.maximum(self.counts[:, :null], 1)
            mu = self.sums[:, :null] / n
            u = np.minimum(1.0, mu + self._rad(mu, n, t))
            chat = self.cost_sums[:, :null, :] / n[..., None]
            lcb = np.maximum(0.0, chat - self._rad(chat, n[..., None], t)) * self.cost_scale
            v = self.weights / self.weights.sum(axis=1, keepdims=True)
            est = np.einsum("skm,sm->sk", lcb, v[:, :-1]) + (self.B / self.horizon_) * v[:, -1:]
            arms = np.argmax(u / est, axis=1)
        # stop once a resource might be overdrawn, or the horizon is reached
        over = (g.budget - self.consumed < 1.0).any(axis=1) | (t >= self.horizon_)
        self.stopped |= over
        return np.where(self.stopped, null, arms)

    def _rewards(self, arms: np.ndarray, t: int) -> np.ndarray:
        return self.game.draw(self.rng, arms, t)

    def _update(self, arms: np.ndarray, rewards: np.ndarray, t: int) -> None:
        g = self.game
        if not isinstance(g, KnapsackBandit):
            return
        rows = np.arange(arms.size)
        c = g.draw_costs(self.rng, arms)  # (S, m); zero for the null arm
        self.cost_sums[rows, arms] += c
        self.consumed += c
        active = ~self.stopped
        usage = np.concatenate([c * self.cost_scale, np.full((arms.size, 1), self.B / self.horizon_)], axis=1)
        self.weights[active] *= (1.0 + self.eps) ** usage[active]
        self.weights /= self.weights.max(axis=1, keepdims=True)

    def solution_info(self, profile: Any) -> dict[str, Any]:
        info = super().solution_info(profile)
        g = self.game
        if isinstance(g, KnapsackBandit):
            info["max_budget_violation"] = float(np.max(self.consumed - g.budget).clip(min=0.0))
            info["budget_used"] = float((self.consumed / g.budget).max(axis=1).mean())
            info["lp_benchmark"] = float(g.lp_value * g.horizon)
        return info


# ---- many seeds as one batch ---------------------------------------------------------------------------


@dataclass
class BanditRun:
    """Cumulative pseudo-regret of ``seeds`` replications at the recorded rounds."""

    method: str
    rounds: np.ndarray
    regret: np.ndarray  # (len(rounds), seeds)
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def mean(self) -> np.ndarray:
        return self.regret.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        return self.regret.std(axis=1, ddof=1) if self.regret.shape[1] > 1 else np.zeros(len(self.rounds))

    def quantile(self, q: float) -> np.ndarray:
        return np.quantile(self.regret, q, axis=1)

    @property
    def total(self) -> np.ndarray:
        """Each replication's cumulative pseudo-regret at the last round."""
        return self.regret[-1]


def simulate(game: Any, method: str, *, seeds: int = 1000, horizon: int = 10_000, seed: int | None = 0,
             points: int = 200, **options: Any) -> BanditRun:
    """Run ``method`` on ``game`` for ``horizon`` rounds over ``seeds`` replications as one batch.

    Returns the cumulative pseudo-regret of every replication at ``points`` rounds (evenly spaced,
    the last one ``horizon``). One NumPy pass per round covers all replications.
    """
    from ..api import load_game, make_learner

    game = load_game(game)
    seeds = check_int("seeds", seeds, minimum=1, maximum=MAX_REPLICATIONS)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**9)
    points = check_int("points", points, minimum=1, maximum=100_000)
    if "replications" in options:
        raise InvalidParameterError("simulate sets replications from seeds; do not pass it")
    check_size(f"simulate: {points} points × {seeds} seeds", 8 * points * seeds)
    learner = make_learner(game, method, seed=seed, replications=seeds, **options)
    if not isinstance(learner, BanditLearner):
        raise NotApplicableError(f"{method!r} is not a regret-minimising bandit learner")
    rounds = np.unique(np.linspace(1, horizon, min(points, horizon)).round().astype(np.int64))
    out = np.empty((rounds.size, seeds))
    j = 0
    t0 = time.perf_counter()
    for t in range(1, horizon + 1):
        learner.step()
        if t == rounds[j]:
            out[j] = learner.regret()
            j += 1
    seconds = time.perf_counter() - t0
    return BanditRun(method, rounds, out, seconds, learner.solution_info(learner.average_strategy()))
