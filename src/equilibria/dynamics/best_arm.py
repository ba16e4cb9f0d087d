"""Best-arm identification (pure exploration), vectorised over replications.

A best-arm-identification learner samples arms and finally *recommends* one. Each learner runs
``replications`` independent runs at once (200 by default), so its returned strategy is the
distribution of the recommended arm over the replications; its NashConv is the expected simple
regret ``max μ − E[μ_recommended]``, and ``Solution.info`` reports the error probability
P(recommended arm is not a best arm) estimated over the replications, with a 95% Wilson interval.

Fixed budget (``budget`` pulls per replication; one ``step()`` is one phase):

- ``successive-rejects`` (Audibert & Bubeck 2010),
- ``sequential-halving`` (Karnin, Koren & Somekh 2013),
- ``dp-bai``: ε-differentially private best-arm identification (Chen, Karthik, Chee & Tan 2024).

Fixed confidence (confidence ``delta``; one ``step()`` is one sampling round of every replication
that has not stopped; the run ends when all have stopped):

- ``lucb`` (Kalyanakrishnan, Tewari, Auer & Stone 2012),
- ``track-and-stop`` (Garivier & Kaufmann 2016).

Best-arm identification needs i.i.d. arms: adversarial tables are refused (`NotApplicableError`).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._checks import check_int, check_real, check_size
from ..errors import InvalidParameterError, NotApplicableError
from ..games.bandit import BanditGame, wilson_interval
from ..registry import register_method
from ..run import Learner
from .bandit import MAX_REPLICATIONS, divergence

#: largest budget of a fixed-budget method (pulls per replication)
MAX_BUDGET = 10**12


def _require_stochastic(game: Any, method: str) -> BanditGame:
    if not isinstance(game, BanditGame):
        raise NotApplicableError(f"{method} plays bandit games, not {type(game).__name__}")
    if not game.stochastic:
        raise NotApplicableError(
            f"{method} identifies the best arm of i.i.d. arms; an adversarial table has none"
        )
    return game


def _argbest(rng: np.random.Generator, values: np.ndarray, active: np.ndarray,
             lowest: bool = False) -> np.ndarray:
    """Per row, the arg-max (or arg-min) of ``values`` over ``active`` arms, ties broken at random."""
    v = np.where(active, -values if lowest else values, -np.inf)
    top = v == v.max(axis=1, keepdims=True)
    key = np.where(top & active, rng.random(v.shape), np.inf)
    return np.argmin(key, axis=1)


def _check_budget(budget: Any) -> int:
    numeric = isinstance(budget, (int, float, np.integer, np.floating)) and not isinstance(budget, bool)
    if numeric and budget <= 0:
        raise InvalidParameterError(f"budget must be a positive number of pulls, got {budget!r}")
    return check_int("budget", budget, minimum=1, maximum=MAX_BUDGET)


class BestArmLearner(Learner):
    """Common state: per-(replication, arm) counts and sums, the recommendations, who has stopped."""

    families: ClassVar[tuple[str, ...]] = ("bandit",)
    default_output = "last"

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 200):
        super().__init__(game, seed=seed)
        name = type(self).__name__
        game = _require_stochastic(game, name)
        S = check_int("replications", replications, minimum=1, maximum=MAX_REPLICATIONS)
        K = game.num_arms
        check_size(f"{name} with {S} replications of {K} arms", 8 * 8 * S * K)
        self.replications = S
        self.counts = np.zeros((S, K), dtype=np.int64)
        self.sums = np.zeros((S, K))
        self.active = np.ones((S, K), dtype=bool)
        self.recommendation = np.zeros(S, dtype=np.int64)
        self.done = np.zeros(S, dtype=bool)

    def _means(self) -> np.ndarray:
        return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), 0.0)

    def _pull(self, n: np.ndarray) -> np.ndarray:
        """Pull arm a of replication s n[s, a] times; returns the reward sums."""
        sums = self.game.draw_sums(self.rng, n)
        self.counts += n
        self.sums += sums
        return sums

    def current_strategy(self) -> np.ndarray:
        return np.bincount(self.recommendation, minlength=self.game.num_arms) / self.replications

    def converged(self) -> bool:
        return bool(self.done.all())

    def error_probability(self) -> float:
        return float(np.mean(self.game.gaps[self.recommendation] > 0))

    def diagnostics(self) -> dict[str, float]:
        samples = float(self.counts.sum(axis=1).mean())
        return {"error_probability": self.error_probability(), "samples": samples}

    def solution_info(self, profile: Any) -> dict[str, Any]:
        errors = int(np.sum(self.game.gaps[self.recommendation] > 0))
        lo, hi = wilson_interval(errors, self.replications)
        samples = self.counts.sum(axis=1)
        return {
            "error_probability": errors / self.replications,
            "error_ci95": [lo, hi],
            "replications": self.replications,
            "samples_mean": float(samples.mean()),
            "stopped": float(self.done.mean()),
        }


# ---- fixed budget ------------------------------------------------------------------------------------


@register_method("successive-rejects", families=("bandit",))
class SuccessiveRejects(BestArmLearner):
    """Successive Rejects (Audibert & Bubeck, "Best Arm Identification in Multi-Armed Bandits",
    COLT 2010).

    With budget n and loḡ(K) = 1/2 + Σ_{i=2}^K 1/i, n_k = ⌈(n − K) / (loḡ(K)(K + 1 − k))⌉, n_0 = 0:

    1. Phase k = 1..K−1: pull every remaining arm n_k − n_{k−1} times.
    2. Remove the remaining arm with the lowest empirical mean (all its samples so far; ties at
       random).
    3. Recommend the last arm. P(error) ≤ K(K−1)/2 · exp(−(n − K)/(loḡ(K) H₂)), H₂ = max_i i Δ_(i)⁻²
       (Theorem 2; `successive_rejects_bound`).
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 200, budget: int = 1000):
        super().__init__(game, seed=seed, replications=replications)
        self.budget = _check_budget(budget)
        K = self.game.num_arms
        if self.budget < K:
            raise InvalidParameterError(
                f"budget {self.budget} is below the number of arms {K}: each arm needs a pull"
            )
        self.phase = 0
        if K == 1:
            self.done[:] = True

    def _n(self, k: int) -> int:
        K = self.game.num_arms
        if k == 0:
            return 0
        logbar = 0.5 + sum(1.0 / i for i in range(2, K + 1))
        return math.ceil((self.budget - K) / (logbar * (K + 1 - k)))

    def _step(self) -> None:
        K = self.game.num_arms
        if self.done.all():
            return
        k = self.phase + 1
        pulls = self._n(k) - self._n(k - 1)
        self._pull(np.where(self.active, pulls, 0))
        worst = _argbest(self.rng, self._means(), self.active, lowest=True)
        self.active[np.arange(self.replications), worst] = False
        self.phase = k
        self.recommendation = _argbest(self.rng, self._means(), self.active)
        if k == K - 1:
            self.done[:] = True


class _Halving(BestArmLearner):
    """Sequential halving's phases: ⌈log2 K⌉ phases, each arm of S_r pulled ⌊T/(|S_r| ⌈log2 K⌉)⌋ times
    with fresh samples, the better half (by those samples only) kept."""

    def __init__(self, game: Any, *, seed: int | None, replications: int, budget: int):
        super().__init__(game, seed=seed, replications=replications)
        self.budget = _check_budget(budget)
        K = self.game.num_arms
        R = max(1, math.ceil(math.log2(K))) if K > 1 else 0
        if K > 1 and self.budget < K * R:
            raise InvalidParameterError(
                f"budget {self.budget} is too small for {K} arms: sequential halving needs at least "
                f"K·⌈log2 K⌉ = {K * R} pulls"
            )
        self.rounds = R
        self.phase = 0
        if K == 1:
            self.done[:] = True

    def _noise(self, pulls: int, shape: tuple[int, ...]) -> np.ndarray:
        return np.zeros(shape)

    def _step(self) -> None:
        if self.done.all():
            return
        size = int(self.active[0].sum())
        pulls = self.budget // (size * self.rounds)
        fresh = self._pull(np.where(self.active, pulls, 0))
        est = fresh / pulls + self._noise(pulls, fresh.shape)
        keep = math.ceil(size / 2)
        # rank the active arms by their estimate (ties at random) and keep the top ⌈|S_r|/2⌉
        key = np.where(self.active, est, -np.inf)
        order = np.lexsort((self.rng.random(key.shape), -key), axis=1)
        new = np.zeros_like(self.active)
        np.put_along_axis(new, order[:, :keep], True, axis=1)
        self.active = new & self.active
        self.phase += 1
        best = order[:, 0]
        self.recommendation = best
        if self.phase == self.rounds or keep == 1:
            self.done[:] = True


@register_method("sequential-halving", families=("bandit",))
class SequentialHalving(_Halving):
    """Sequential Halving (Karnin, Koren & Somekh, "Almost Optimal Exploration in Multi-Armed
    Bandits", ICML 2013).

    1. S_0 = all arms; for r = 0..⌈log2 K⌉−1: pull each arm of S_r t_r = ⌊T/(|S_r|⌈log2 K⌉)⌋ times.
    2. S_{r+1} = the ⌈|S_r|/2⌉ arms of S_r with the best empirical means of this phase's samples.
    3. Recommend the arm left. P(error) ≤ 3 log2 K · exp(−T/(8 H₂ log2 K)) (Theorem 4.1;
       `sequential_halving_bound`).
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 200, budget: int = 1000):
        super().__init__(game, seed=seed, replications=replications, budget=budget)


@register_method("dp-bai", families=("bandit",))
class DPBAI(_Halving):
    """DP-BAI (Chen, Karthik, Chee & Tan, "Fixed-Budget Differentially Private Best Arm
    Identification", ICLR 2024): ε-differentially private fixed-budget best-arm identification.

    1. Phases r = 0..⌈log2 K⌉−1 over the active set S_r (S_0 = all arms); each active arm is pulled
       T_r = ⌊T/(|S_r|⌈log2 K⌉)⌋ times with fresh samples (every reward is used in exactly one
       estimate).
    2. Private estimate (the paper's Laplace mechanism): μ̃_a = (1/T_r) Σ rewards + Lap(1/(ε T_r)).
       One reward in [0, 1] moves a phase mean by at most 1/T_r, so each release is ε-DP; the
       releases use disjoint rewards and every decision is a function of them (post-processing),
       so the whole policy is ε-DP.
    3. S_{r+1} = the ⌈|S_r|/2⌉ arms with the largest μ̃; recommend the last one.

    ``epsilon = inf`` adds no noise (sequential halving). Rewards must lie in [0, 1].
    Simplification: we implement the paper's algorithm for unstructured (K-armed) bandits, i.e.
    arm vectors forming the standard basis (d = K). There the maximum-absolute-determinant set of
    each phase is the whole active set and the linear estimate is the per-arm mean, so the policy is
    the one above; the budget is split equally over the ⌈log2 K⌉ phases (the paper's phase lengths
    differ from this split by lower-order terms). The paper's error exponent is of order
    T / (H_BAI + H_pri) with H_pri ∝ Σ 1/(ε Δ): the exponent shrinks as ε shrinks.
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 200, budget: int = 1000,
                 epsilon: float = 1.0):
        super().__init__(game, seed=seed, replications=replications, budget=budget)
        if not self.game.bounded:
            raise NotApplicableError(
                "dp-bai needs rewards in [0, 1] (the Laplace mechanism's sensitivity 1/T_r)"
            )
        if isinstance(epsilon, str) and epsilon.strip().lower() in ("inf", "infinity"):
            epsilon = math.inf  # the command line's ``-o epsilon=inf``
        try:
            eps = float(epsilon)
        except (TypeError, ValueError, OverflowError):
            raise InvalidParameterError(
                f"epsilon must be a positive number or inf, got {epsilon!r}"
            ) from None
        if isinstance(epsilon, (bool, str)) or math.isnan(eps) or eps <= 0:
            raise InvalidParameterError(
                f"epsilon must be > 0 (the privacy level; inf for no privacy), got {epsilon!r}"
            )
        self.epsilon = eps

    def _noise(self, pulls: int, shape: tuple[int, ...]) -> np.ndarray:
        if math.isinf(self.epsilon):
            return np.zeros(shape)
        return self.rng.laplace(0.0, 1.0 / (self.epsilon * pulls), size=shape)


def _hardness(game: BanditGame) -> tuple[float, float]:
    """(H₁, H₂) of Audibert & Bubeck (2010): Σ_{i≥2} Δ_(i)⁻² and max_{i≥2} i Δ_(i)⁻² (gaps sorted)."""
    g = np.sort(game.gaps)[1:]
    if g.size == 0 or np.any(g <= 0):
        return math.inf, math.inf
    i = np.arange(2, g.size + 2)
    return float(np.sum(g**-2.0)), float(np.max(i * g**-2.0))


def successive_rejects_bound(game: BanditGame, budget: int) -> float:
    """Audibert & Bubeck (2010), Theorem 2: P(error) ≤ K(K−1)/2 · exp(−(n − K)/(loḡ(K) H₂))."""
    K = game.num_arms
    _, H2 = _hardness(game)
    logbar = 0.5 + sum(1.0 / i for i in range(2, K + 1))
    return min(1.0, K * (K - 1) / 2 * math.exp(-(budget - K) / (logbar * H2)))


def sequential_halving_bound(game: BanditGame, budget: int) -> float:
    """Karnin, Koren & Somekh (2013), Theorem 4.1: P(error) ≤ 3 log2 K · exp(−T/(8 H₂ log2 K))."""
    K = game.num_arms
    _, H2 = _hardness(game)
    lk = math.log2(K)
    return min(1.0, 3 * lk * math.exp(-budget / (8 * H2 * lk)))


# ---- fixed confidence -----------------------------------------------------------------------------


def _check_delta(delta: Any) -> float:
    return check_real("delta", delta, minimum=0.0, strict_minimum=True, maximum=0.5)


@register_method("lucb", families=("bandit",))
class LUCB(BestArmLearner):
    """LUCB1 (Kalyanakrishnan, Tewari, Auer & Stone, "PAC Subset Selection in Stochastic
    Multi-armed Bandits", ICML 2012), for the single best arm (m = 1) and ε = ``tolerance``.

    1. Pull every arm once (the first step).
    2. Round t: h = argmax μ̂, l = argmax_{a≠h} μ̂_a + β(N_a, t), β(u, t) = c sqrt(ln(k₁ K t⁴/δ)/(2u)),
       k₁ = 5/4 (c = 1 for rewards in [0, 1], 2σ for Gaussian rewards: our scaling).
    3. Stop when μ̂_l + β(N_l, t) − (μ̂_h − β(N_h, t)) < ε and recommend h; else pull h and l.

    δ-PAC (Theorem 1): P(μ_h < μ* − ε) ≤ δ; expected sample complexity O(H₁ ln(H₁/δ)) (Theorem 2).
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 200, delta: float = 0.05,
                 tolerance: float = 0.0):
        super().__init__(game, seed=seed, replications=replications)
        self.delta = _check_delta(delta)
        self.tolerance = check_real("tolerance", tolerance, minimum=0.0, maximum=1e12)
        self.rounds = 0
        if self.game.num_arms == 1:
            self.done[:] = True

    def _beta(self, n: np.ndarray, t: int) -> np.ndarray:
        K = self.game.num_arms
        c = 2.0 * self.game.subgaussian
        return c * np.sqrt(math.log(1.25 * K * float(t) ** 4 / self.delta) / (2.0 * n))

    def _step(self) -> None:
        S, K = self.counts.shape
        live = ~self.done
        if not live.any():
            return
        rows = np.arange(S)
        if self.rounds == 0:
            self._pull(np.ones((S, K), dtype=np.int64))
        else:
            mu = self._means()
            h = _argbest(self.rng, mu, np.ones((S, K), dtype=bool))
            b = self._beta(self.counts, self.rounds)
            ucb = mu + b
            others = np.ones((S, K), dtype=bool)
            others[rows, h] = False
            l_arm = _argbest(self.rng, ucb, others)
            stop = ucb[rows, l_arm] - (mu[rows, h] - b[rows, h]) < self.tolerance
            self.recommendation = np.where(live, h, self.recommendation)
            newly = live & stop
            self.done |= newly
            go = live & ~stop
            n = np.zeros((S, K), dtype=np.int64)
            n[rows[go], h[go]] += 1
            n[rows[go], l_arm[go]] += 1
            self._pull(n)
        self.rounds += 1
        if self.rounds == 1:
            self.recommendation = _argbest(self.rng, self._means(), np.ones((S, K), dtype=bool))


def optimal_weights(mu: np.ndarray, div: Any, iters: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Garivier & Kaufmann (2016), Theorem 5: the optimal sampling proportions w*(μ) and 1/T*(μ).

    For each row of ``mu`` (shape (S, K)) with best arm 1: x_a(y) solves
    g_a(x) = d(μ₁, m) + x d(μ_a, m) = y, m = (μ₁ + x μ_a)/(1 + x); y* solves
    F(y) = Σ_{a≠1} d(μ₁, m_a(y)) / d(μ_a, m_a(y)) = 1 on (0, d(μ₁, μ₂)); then
    w*₁ = 1/(1 + Σ x_a(y*)), w*_a = x_a(y*) w*₁ and T*(μ)⁻¹ = w*₁ y*. Both equations are solved by
    bisection (x through z = x/(1+x) ∈ [0, 1)), vectorised over rows. Rows whose best arm is not
    unique get uniform weights and T*⁻¹ = 0.
    """
    mu = np.asarray(mu, dtype=float)
    S, K = mu.shape
    best = np.argmax(mu, axis=1)
    rows = np.arange(S)
    mu1 = mu[rows, best][:, None]
    other = np.ones((S, K), dtype=bool)
    other[rows, best] = False
    gap_ok = np.where(other, mu < mu1, True).all(axis=1)
    mua = np.where(other, mu, mu1 - 1.0)  # placeholder for the best arm (masked out below)
    mua = np.where(gap_ok[:, None], mua, mu1 - 1.0)

    def x_of(y: np.ndarray) -> np.ndarray:
        # g_a(x) = min_m d(μ₁, m) + x d(μ_a, m) is concave and increasing with g_a'(x) = d(μ_a, m(x)):
        # Newton steps from x = 0 stay left of the root and increase monotonically to it
        x = np.zeros((S, K))
        target = y[:, None]
        for _ in range(4 * iters):
            m = (mu1 + x * mua) / (1.0 + x)
            da = div(mua, m)
            gap = target - (div(mu1, m) + x * da)
            step = np.where(other & (da > 0) & (gap > 0), gap / np.where(da > 0, da, 1.0), 0.0)
            x = x + step
            if np.max(step / (1.0 + x), initial=0.0) < 1e-10:
                break
        return x

    def F(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = x_of(y)
        m = (mu1 + x * mua) / (1.0 + x)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = div(mu1, m) / div(mua, m)
        return np.where(other, np.nan_to_num(ratio, nan=0.0, posinf=1e300), 0.0).sum(axis=1), x

    ymax = np.where(other, div(mu1, mua), np.inf).min(axis=1)
    ymax = np.where(gap_ok, ymax, 1.0)
    lo = np.zeros(S)
    hi = ymax.copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        f, _ = F(mid)
        below = f < 1.0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    y = 0.5 * (lo + hi)
    _, x = F(y)
    x = np.where(other, x, 0.0)
    w1 = 1.0 / (1.0 + x.sum(axis=1))
    w = np.where(other, x * w1[:, None], w1[:, None])
    inv_tstar = w1 * y
    w = np.where(gap_ok[:, None], w, 1.0 / K)
    inv_tstar = np.where(gap_ok, inv_tstar, 0.0)
    return w, inv_tstar


def characteristic_time(game: BanditGame) -> float:
    """T*(μ) of Garivier & Kaufmann (2016): E[τ_δ] ≥ T*(μ) kl(δ, 1 − δ) for every δ-correct policy."""
    _, inv = optimal_weights(game.means[None, :], divergence(game))
    return float(1.0 / inv[0]) if inv[0] > 0 else math.inf


@register_method("track-and-stop", families=("bandit",))
class TrackAndStop(BestArmLearner):
    """Track-and-Stop (Garivier & Kaufmann, "Optimal Best Arm Identification with Fixed
    Confidence", COLT 2016), with D-tracking and the Chernoff stopping rule.

    1. Pull every arm once (the first K rounds).
    2. Round t: if some arm has N_a < sqrt(t) − K/2, pull the least-pulled one (forced
       exploration); else pull argmax_a t·w*_a(μ̂) − N_a (D-tracking), w* by `optimal_weights`.
    3. Stop when Z(t) = min_{b≠â} [N_â d(μ̂_â, m) + N_b d(μ̂_b, m)] > β(t, δ) = ln(2t(K−1)/δ), m the
       pooled mean of â and b (the generalised likelihood ratio; δ-PAC by Proposition 12), and
       recommend â = argmax μ̂.

    d is the Bernoulli divergence for rewards in [0, 1], the Gaussian one otherwise. Asymptotically
    E[τ_δ]/ln(1/δ) → T*(μ) (Theorem 14). Simplification: w*(μ̂) is recomputed when t has grown by
    ``refresh`` (10% by default) since the last computation, not every round (and only for the
    replications still running).
    """

    def __init__(self, game: Any, *, seed: int | None = None, replications: int = 200, delta: float = 0.05,
                 refresh: float = 0.1):
        super().__init__(game, seed=seed, replications=replications)
        self.delta = _check_delta(delta)
        self.refresh = check_real("refresh", refresh, minimum=0.0, maximum=10.0)
        self.weights = np.full(self.counts.shape, 1.0 / self.game.num_arms)
        self.next_refresh = 0
        self.stop_time = np.zeros(self.replications, dtype=np.int64)
        if self.game.num_arms == 1:
            self.done[:] = True

    def _glr(self, mu: np.ndarray, n: np.ndarray, top: np.ndarray) -> np.ndarray:
        div = divergence(self.game)
        rows = np.arange(mu.shape[0])
        m1 = mu[rows, top][:, None]
        n1 = n[rows, top][:, None].astype(float)
        nb = n.astype(float)
        pooled = (n1 * m1 + nb * mu) / np.maximum(n1 + nb, 1.0)
        z = n1 * div(m1, pooled) + nb * div(mu, pooled)
        z = np.where(mu < m1, z, 0.0)  # an arm tied with â gives no evidence
        z[rows, top] = np.inf
        return z.min(axis=1)

    def _step(self) -> None:
        S, K = self.counts.shape
        live = ~self.done
        if not live.any():
            return
        t = int(self.iteration)
        rows = np.arange(S)
        if t < K:
            arms = np.full(S, t, dtype=np.int64)
        else:
            mu = self._means()
            if t >= self.next_refresh:
                w, _ = optimal_weights(mu[live], divergence(self.game))
                self.weights[live] = w
                self.next_refresh = max(t + 1, math.ceil(t * (1.0 + self.refresh)))
            starved = self.counts < math.sqrt(t) - K / 2.0
            forced = np.argmin(np.where(starved, self.counts, np.iinfo(np.int64).max), axis=1)
            tracked = np.argmax(t * self.weights - self.counts, axis=1)
            arms = np.where(starved.any(axis=1), forced, tracked)
        n = np.zeros((S, K), dtype=np.int64)
        n[rows[live], arms[live]] = 1
        self._pull(n)
        if t + 1 >= K:
            mu = self._means()
            top = _argbest(self.rng, mu, np.ones((S, K), dtype=bool))
            total = self.counts.sum(axis=1)
            z = self._glr(mu, self.counts, top)
            beta = np.log(2.0 * total * max(K - 1, 1) / self.delta)
            stop = live & (z > beta)
            self.recommendation = np.where(live, top, self.recommendation)
            self.stop_time = np.where(stop, total, self.stop_time)
            self.done |= stop

    def solution_info(self, profile: Any) -> dict[str, Any]:
        info = super().solution_info(profile)
        info["characteristic_time"] = characteristic_time(self.game)
        return info


def run_best_arm(game: Any, method: str, *, replications: int = 1000, seed: int | None = 0,
                 max_rounds: int = 10**6, **options: Any) -> dict[str, Any]:
    """Run a best-arm method to its end over ``replications`` at once; the ``solution_info`` numbers."""
    from ..api import load_game, make_learner

    learner = make_learner(load_game(game), method, seed=seed, replications=replications, **options)
    if not isinstance(learner, BestArmLearner):
        raise NotApplicableError(f"{method!r} is not a best-arm identification method")
    max_rounds = check_int("max_rounds", max_rounds, minimum=1, maximum=10**9)
    while not learner.converged() and learner.iteration < max_rounds:
        learner.step()
    return learner.solution_info(learner.current_strategy())


__all__ = [
    "DPBAI",
    "LUCB",
    "BestArmLearner",
    "SequentialHalving",
    "SuccessiveRejects",
    "TrackAndStop",
    "characteristic_time",
    "optimal_weights",
    "run_best_arm",
    "sequential_halving_bound",
    "successive_rejects_bound",
]
