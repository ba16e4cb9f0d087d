"""Empirical game-theoretic analysis: payoffs estimated by simulation, and rankings of policies.

* `estimate_payoffs` plays every joint profile of the players' policies ``num_samples`` times
  and returns an `EmpiricalGame` with means, standard errors and normal confidence intervals
  (Wellman, "Methods for empirical game-theoretic analysis", AAAI 2006). Samples are drawn in
  whole arrays (all episodes of a profile at once) and each profile's generator is seeded from
  ``(seed, profile index)``, so results do not depend on how profiles are spread over Ray workers.
* `alpha_rank`: the stationary distribution of α-Rank's evolutionary Markov chain over pure
  profiles (Omidshafiei et al., "α-Rank: multi-agent evaluation by evolution", Sci. Rep. 2019).
* `nash_averaging`: maximum-entropy Nash of the antisymmetric evaluation game and the ratings it
  induces (Balduzzi, Tuyls, Pérolat & Graepel, "Re-evaluating evaluation", NeurIPS 2018).
* `elo`: maximum-likelihood Elo ratings from win rates (Elo, *The Rating of Chessplayers, Past
  and Present*, 1978; Bradley & Terry, Biometrika 1952).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import singledispatch
from itertools import product
from statistics import NormalDist
from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_probability, check_size
from ..errors import DegenerateGameError, InvalidParameterError, InvalidStrategyError, NotApplicableError
from ..games.extensive_form import ExtensiveFormGame
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame
from ..ops import logsumexp, sample_rows

# ---- simulation -------------------------------------------------------------------------------


#: one draw from each row of a probability array (the library's one inverse-CDF sampler)
_sample_categorical = sample_rows


@singledispatch
def sample_returns(game: Any, profile: Any, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``num_samples`` independent plays of ``profile``: an array ``(num_samples, n)`` of returns."""
    raise NotApplicableError(f"simulation is not defined for {type(game).__name__}")


@sample_returns.register
def _sample_nf(game: NormalFormGame, profile: Any, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    prof = game.validate_profile(profile)
    acts = [_sample_categorical(np.broadcast_to(p, (num_samples, len(p))), rng) for p in prof]
    return game.payoffs[(slice(None), *acts)].T


@sample_returns.register
def _sample_markov(game: MarkovGame, profile: Any, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    """Episodes in parallel. Discounted games stop each step with probability 1 − γ, so the
    undiscounted return is an unbiased estimate of the discounted value; finite horizons weigh
    step t by γ^t."""
    pols = game.validate_profile(profile)
    s = _sample_categorical(np.broadcast_to(game.initial, (num_samples, game.num_states)), rng)
    alive = ~game.terminal[s]
    G = np.zeros((num_samples, game.num_players))
    t, weight = 0, 1.0
    strides = np.cumprod((1,) + game.num_actions[::-1])[:-1][::-1]
    while alive.any():
        idx = np.flatnonzero(alive)
        st = s[idx]
        acts = [_sample_categorical(p[min(t, p.shape[0] - 1), st], rng) for p in pols]
        j = sum(a * k for a, k in zip(acts, strides, strict=True))
        G[idx] += weight * game.joint_rewards[st, :, j]
        s[idx] = _sample_categorical(game.joint_transitions[st, j], rng)
        t += 1
        if game.horizon is not None:
            weight *= game.discount
            alive[idx] = (t < game.horizon) & ~game.terminal[s[idx]]
        else:
            alive[idx] = (rng.random(len(idx)) < game.discount) & ~game.terminal[s[idx]]
    return G


@sample_returns.register
def _sample_efg(
    game: ExtensiveFormGame, profile: Any, num_samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Terminals sampled from their exact reach probabilities: chance times every player's."""
    sigma = game.validate_profile(profile)
    w = game.terminal_chance * np.prod(game.terminal_reach(sigma), axis=0)
    z = rng.choice(len(w), size=num_samples, p=w / w.sum())
    return game.terminal_utility[z]


@dataclass
class EmpiricalGame:
    """Estimated payoffs between populations: ``mean[i, k_1..k_n]`` with standard errors."""

    mean: np.ndarray
    sem: np.ndarray
    count: np.ndarray
    populations: list[list[Any]] = field(default_factory=list)

    def confidence_interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Normal-approximation interval ``mean ± z_{(1+level)/2} · sem`` for every entry."""
        level = check_probability("level", level, open_low=True, open_high=True)
        z = NormalDist().inv_cdf(0.5 + level / 2)
        return self.mean - z * self.sem, self.mean + z * self.sem

    def meta_game(self) -> NormalFormGame:
        return NormalFormGame(self.mean)


def _estimate_entry(
    space: Any, policies: tuple, num_samples: int, seed: Any
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    G = sample_returns(space.game, space.joint_profile(policies), num_samples, rng)
    sem = G.std(axis=0, ddof=1) / np.sqrt(num_samples) if num_samples > 1 else np.full(G.shape[1], np.inf)
    return G.mean(axis=0), sem


def estimate_payoffs(
    game: Any, populations: list[list[Any]], *, num_samples: int = 100, seed: int = 0, backend: Any = None
) -> EmpiricalGame:
    """Estimate every entry of the empirical game between ``populations`` by simulation.

    ``populations[i]`` lists player i's policies in the family's policy form (see
    `equilibria.population.oracles.policy_space`). ``backend`` is an optional
    `~equilibria.population.ray_backend.RayBackend`; the result is the same with or without it.
    """
    from .oracles import policy_space

    num_samples = check_int("num_samples", num_samples, minimum=1)
    space = policy_space(game)
    if len(populations) != space.game.num_players or any(len(p) == 0 for p in populations):
        raise InvalidStrategyError("give one non-empty population per player")
    shape = tuple(len(p) for p in populations)
    entries = list(product(*(range(k) for k in shape)))
    root = np.random.SeedSequence(seed)
    seeds = root.spawn(len(entries))
    args = [
        (tuple(populations[i][k] for i, k in enumerate(e)), num_samples, s)
        for e, s in zip(entries, seeds, strict=True)
    ]
    if backend is None:
        out = [_estimate_entry(space, *a) for a in args]
    else:
        out = backend.map(_estimate_entry, space, args)
    n = space.game.num_players
    mean = np.zeros((n, *shape))
    sem = np.zeros((n, *shape))
    for e, (m, s) in zip(entries, out, strict=True):
        mean[(slice(None), *e)] = m
        sem[(slice(None), *e)] = s
    return EmpiricalGame(mean, sem, np.full(shape, num_samples), [list(p) for p in populations])


# ---- α-Rank ------------------------------------------------------------------------------------


@dataclass
class AlphaRankResult:
    """α-Rank's stationary distribution over pure profiles, its per-player marginals and ranking."""

    stationary: np.ndarray
    marginals: list[np.ndarray]
    ranking: np.ndarray  # flat profile indices, most to least mass


def log_fixation(x: np.ndarray, m: int) -> np.ndarray:
    """``log ρ(x)`` with ``ρ(x) = (1 − e^{−x}) / (1 − e^{−m x})``, ``x = α Δf`` (``1/m`` at 0).

    ρ is the probability that one mutant with fitness advantage Δf takes over a population of m
    (Fermi / Moran process, Traulsen, Nowak & Pacheco, Phys. Rev. E 2006). For x < 0 it is
    ``e^{(m−1)x} · expm1(x)/expm1(m x)``, which underflows for large α; the log never does.
    """
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, -np.log(m))
    # |x| ≤ 1e-14 counts as neutral (OpenSpiel's threshold): ρ = 1/m to first order
    pos, neg = x > 1e-14, x < -1e-14
    xp, xn = x[pos], x[neg]
    out[pos] = np.log(-np.expm1(-xp)) - np.log(-np.expm1(-m * xp))
    out[neg] = (m - 1) * xn + np.log(-np.expm1(xn)) - np.log(-np.expm1(m * xn))
    return out


def log_stationary(L: np.ndarray) -> np.ndarray:
    """Log stationary distribution of an irreducible chain from its log transition probabilities.

    ``L[i, j] = log P(i → j)`` off the diagonal (the diagonal is ignored). The state reduction of
    Grassmann, Taksar & Heyman ("Regenerative analysis and steady state distributions for Markov
    chains", Oper. Res. 1985) uses only sums, products and quotients of non-negative numbers, so it
    runs in log space (sums become log-sum-exp) and stays accurate when transition probabilities
    are far below the smallest float, as α-Rank's are for large α.

    1. For k = N−1, …, 1: censor the chain on states ``0..k−1``: with ``s = Σ_{j<k} P[k, j]``,
       ``P[i, j] += P[i, k] P[k, j] / s`` for i, j < k.
    2. ``π_0 = 1`` and ``π_k = Σ_{i<k} π_i P[i, k] / s_k`` for k = 1, …, N−1; normalise.
    """
    L = np.array(L, dtype=float)
    N = L.shape[0]
    np.fill_diagonal(L, -np.inf)
    logs = np.zeros(N)
    for k in range(N - 1, 0, -1):
        s = logsumexp(L[k, :k])
        if not np.isfinite(s):
            raise DegenerateGameError(
                "the α-Rank Markov chain is reducible: no unique stationary distribution"
            )
        logs[k] = s
        col = L[:k, k] - s
        L[:k, k] = col
        with np.errstate(invalid="ignore"):
            L[:k, :k] = np.logaddexp(L[:k, :k], col[:, None] + L[k, :k][None, :])
    logpi = np.zeros(N)
    for k in range(1, N):
        logpi[k] = logsumexp(logpi[:k] + L[:k, k])
    return logpi - logsumexp(logpi)


def _stationary_linear(P: np.ndarray) -> np.ndarray:
    """`log_stationary`'s state reduction in linear space, for chains whose every transition is far
    above the float range's floor (then no product underflows to a lost connection, and GTH keeps
    its componentwise relative accuracy); ~20 times faster than the log-space version."""
    P = np.array(P, dtype=float)
    N = P.shape[0]
    np.fill_diagonal(P, 0.0)
    for k in range(N - 1, 0, -1):
        s = P[k, :k].sum()
        P[:k, k] /= s
        P[:k, :k] += np.outer(P[:k, k], P[k, :k])
    pi = np.ones(N)
    for k in range(1, N):
        pi[k] = pi[:k] @ P[:k, k]
    return pi / pi.sum()


def alpha_rank(
    payoffs: np.ndarray,
    *,
    alpha: float | str = 10.0,
    population_size: int = 50,
    inf_alpha_eps: float = 0.01,
) -> AlphaRankResult:
    """α-Rank (Omidshafiei et al., "α-Rank: multi-agent evaluation by evolution", Sci. Rep. 2019),
    multi-population version.

    The chain moves from pure profile s to the profile where one player k switches from s_k to τ
    with probability ``η ρ(α (u_k(τ, s_{-k}) − u_k(s)))``, ``η = 1/Σ_k (K_k − 1)``, ρ the fixation
    probability of a mutant in a population of ``population_size`` (`log_fixation`). The
    stationary distribution is the α-Rank score of each profile. It is computed in log space
    (`log_stationary`), so it stays finite and accurate for any α (the plain linear solve is
    singular in floating point once ``e^{−α (m−1) Δf}`` underflows, e.g. on the stag hunt for α ≥ 20).

    ``alpha=float("inf")`` (or ``"inf"``) is the infinite-α model of Omidshafiei et al. (Sec.
    "α-Rank in the infinite-α regime") as OpenSpiel implements it (``use_inf_alpha``): a move to a
    strictly better profile has probability ``η (1 − ε)``, to a strictly worse one ``η ε``, and a
    tie ``η / 2``, with ``ε = inf_alpha_eps`` keeping the chain irreducible.
    """
    u = np.asarray(payoffs, dtype=float)
    infinite = isinstance(alpha, str) and alpha.strip().lower() in ("inf", "infinity")
    if not infinite:
        if isinstance(alpha, (int, float, np.floating, np.integer)) and not isinstance(alpha, bool) \
                and float(alpha) == float("inf"):
            infinite = True
        else:
            alpha = check_positive("alpha", alpha, allow_zero=True)
    population_size = check_int("population_size", population_size, minimum=2)
    if infinite:
        inf_alpha_eps = check_probability("inf_alpha_eps", inf_alpha_eps, open_low=True, open_high=True)
    if u.ndim < 2 or u.shape[0] != u.ndim - 1 or not np.all(np.isfinite(u)):
        raise InvalidParameterError("payoffs must be a finite array of shape (n, K_1, ..., K_n)")
    n = u.shape[0]
    shape = u.shape[1:]
    N = int(np.prod(shape))
    check_size("the α-Rank transition matrix", 8.0 * float(N) * float(N))
    log_eta = -np.log(max(1, sum(k - 1 for k in shape)))
    flat = np.arange(N).reshape(shape)
    L = np.full((N, N), -np.inf)
    for k in range(n):
        K = shape[k]
        if K < 2:
            continue
        U = np.moveaxis(u[k], k, -1)  # (rest..., K): u_k with player k's choice last
        F = np.moveaxis(flat, k, -1)  # flat index of each profile, same layout
        diff = U[..., None, :] - U[..., :, None]  # [rest, σ, τ] = u_k(τ) − u_k(σ)
        if infinite:
            tie = np.isclose(diff, 0.0, rtol=0.0, atol=1e-14)
            moved = np.where(diff > 0, np.log1p(-inf_alpha_eps), np.log(inf_alpha_eps))
            logrho = np.where(tie, np.log(0.5), moved)
        else:
            with np.errstate(invalid="ignore"):
                x = np.where(diff == 0, 0.0, alpha * diff)  # 0·inf is not an issue: α is finite here
            logrho = log_fixation(x, population_size)
        src = np.broadcast_to(F[..., :, None], logrho.shape)
        dst = np.broadcast_to(F[..., None, :], logrho.shape)
        off = src != dst
        L[src[off], dst[off]] = log_eta + logrho[off]
    if N == 1:
        pi = np.ones(1)
    elif L[np.isfinite(L)].min() > -600.0:  # every move has probability > e^-600: linear space suffices
        pi = _stationary_linear(np.exp(L))
    else:
        pi = np.exp(log_stationary(L))
    pi /= pi.sum()
    st = pi.reshape(shape)
    marg = [st.sum(axis=tuple(j for j in range(n) if j != i)) for i in range(n)]
    return AlphaRankResult(st, marg, np.argsort(-pi, kind="stable"))


# ---- Nash averaging and Elo -------------------------------------------------------------------


@dataclass
class NashAveraging:
    nash: np.ndarray  # the maximum-entropy Nash equilibrium p*
    ratings: np.ndarray  # n_A = A p*: each agent's payoff against the Nash mixture


def _maximal_support(B: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """The largest support of an optimal mixture of the symmetric zero-sum game B, and a point of
    ``{q ∈ Δ : B q ≤ 0}`` with exactly that support (the average of the LP solutions found).

    The optimal mixtures form a polytope, so the union of their supports is itself a support: one
    LP at a time maximises the mass on agents not yet covered, until that maximum is 0.
    """
    from ..ops.zero_sum import highs_linprog

    K = B.shape[0]
    covered = np.zeros(K, dtype=bool)
    points = []
    while True:
        c = np.where(covered, 0.0, -1.0)
        res = highs_linprog(c, A_ub=B, b_ub=np.zeros(K), A_eq=np.ones((1, K)), b_eq=[1.0], bounds=(0, None),
                            what="the Nash-averaging support LP")
        q = np.clip(res.x, 0.0, None)
        q /= q.sum()
        new = (q > tol) & ~covered
        if points and not new.any():
            break
        points.append(q)
        covered |= q > tol
        if covered.all():
            break
    return covered, np.mean(points, axis=0)


def nash_averaging(A: np.ndarray, tol: float = 1e-9) -> NashAveraging:
    """Nash averaging of an antisymmetric evaluation matrix (Balduzzi, Tuyls, Pérolat & Graepel,
    "Re-evaluating evaluation", NeurIPS 2018).

    ``A[i, j]`` is agent i's advantage over j (``A = −Aᵀ``, e.g. ``logit`` of win rates or
    ``2·win − 1``). The symmetric zero-sum game has value 0; its optimal mixtures are the polytope
    ``Q = {p ∈ Δ : A p ≤ 0}`` and Nash averaging picks the maximum-entropy point of Q (unique: the
    entropy is strictly concave). Ratings ``A p*`` are ≤ 0, zero on the support, and invariant to
    adding copies of an agent, the property that motivates the method. The steps:

    1. Merge copies (identical rows of A) into one agent of multiplicity n_c: given a class's total
       mass q_c, the entropy is largest when the copies share it equally, and it then adds
       ``q_c log n_c``, so the problem becomes ``max Σ_c q_c log(n_c / q_c)`` over the merged Q.
    2. The maximiser lies in the relative interior of Q (the entropy's slope is infinite at 0), so
       its support is the largest support in Q: found by LPs (`_maximal_support`), which also give
       a strictly positive starting point on it.
    3. Maximise the (smooth, strictly concave) objective on that support by SLSQP from that
       interior point; then split each class's mass equally among its copies.
    """
    from scipy.optimize import minimize

    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0 or not np.all(np.isfinite(A)):
        raise InvalidParameterError("nash_averaging needs a finite square matrix A = -A^T")
    tol = check_positive("tol", tol)
    scale = float(np.abs(A).max())
    if not np.allclose(A, -A.T, rtol=0.0, atol=1e-9 * max(scale, 1.0)):
        raise InvalidParameterError("nash_averaging needs an antisymmetric square matrix A = -A^T")
    K = A.shape[0]
    if scale == 0.0:
        return NashAveraging(np.full(K, 1.0 / K), np.zeros(K))
    As = 0.5 * (A - A.T) / scale
    _, first, cls = np.unique(As, axis=0, return_index=True, return_inverse=True)
    cls = np.asarray(cls).reshape(-1)
    counts = np.bincount(cls).astype(float)
    B = As[np.ix_(first, first)]
    support, q0 = _maximal_support(B, tol)
    S = np.flatnonzero(support)
    q = np.zeros(len(first))
    if len(S) == 1:
        q[S] = 1.0
    else:
        BS, nS, x0 = B[:, S], counts[S], q0[S] / q0[S].sum()

        def negobj(x: np.ndarray) -> float:
            y = np.clip(x, 1e-300, None)
            return float(np.sum(y * (np.log(y) - np.log(nS))))

        def grad(x: np.ndarray) -> np.ndarray:
            return np.log(np.clip(x, 1e-300, None)) - np.log(nS) + 1.0

        res = minimize(
            negobj, x0, jac=grad, method="SLSQP", bounds=[(0.0, 1.0)] * len(S),
            constraints=[
                {"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones(len(x))},
                {"type": "ineq", "fun": lambda x: -(BS @ x), "jac": lambda x: -BS},
            ],
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        x = np.clip(res.x, 0.0, None)
        x /= x.sum()
        feasible = bool((BS @ x <= tol).all())
        q[S] = x if feasible and negobj(x) <= negobj(x0) else x0
    p = q[cls] / counts[cls]
    return NashAveraging(p, A @ p)


def elo(wins: np.ndarray, games: np.ndarray | None = None, *, scale: float = 400.0) -> np.ndarray:
    """Maximum-likelihood Elo ratings (mean 0) from ``wins[i, j]``: the rate at which i beats j.

    Model: ``Pr[i beats j] = 1 / (1 + 10^{−(r_i − r_j)/scale})`` (Elo 1978; the Bradley–Terry model).
    ``games[i, j]`` weights each pair (default 1 off the diagonal). Solved by Newton's method on the
    concave log-likelihood, with the mean fixed at 0.
    """
    scale = check_positive("scale", scale)
    W = np.asarray(wins, dtype=float)
    K = W.shape[0]
    if W.shape != (K, K) or not np.all((W >= 0) & (W <= 1)):  # NaN fails too
        raise InvalidParameterError("wins must be a square matrix of rates in [0, 1]")
    N = np.ones((K, K)) - np.eye(K) if games is None else np.asarray(games, dtype=float)
    c = np.log(10.0) / scale
    r = np.zeros(K)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-c * (r[:, None] - r[None, :])))
        # each ordered pair (i, j) is N[i, j] games that i wins at rate W[i, j]
        E = N * (W - p)
        g = c * (E.sum(axis=1) - E.sum(axis=0))
        h = c * c * N * p * (1 - p)
        h = h + h.T
        H = -np.diag(h.sum(axis=1)) + h
        # fix the gauge (mean 0) by a ridge along the all-ones direction
        step = np.linalg.solve(H - np.ones((K, K)) / K, -g)
        r = r + step
        r -= r.mean()
        if np.abs(step).max() < 1e-10:
            break
    return r
