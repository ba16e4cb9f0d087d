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
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import InvalidParameterError, InvalidStrategyError, NotApplicableError
from ..games.extensive_form import ExtensiveFormGame
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame

# ---- simulation -------------------------------------------------------------------------------


def _sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw from each row of ``probs`` (inverse CDF, vectorised)."""
    cdf = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[:-1])[..., None] * cdf[..., -1:]
    return np.minimum((u > cdf).sum(axis=-1), probs.shape[-1] - 1)


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
        if not 0 < level < 1:
            raise InvalidParameterError("level must be in (0, 1)")
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

    if num_samples < 1:
        raise InvalidParameterError("num_samples must be >= 1")
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


def _fixation(x: np.ndarray, m: int) -> np.ndarray:
    """``ρ(x) = (1 − e^{−x}) / (1 − e^{−m x})`` with ``x = α Δf``, ``1/m`` at 0, without overflow."""
    out = np.full(x.shape, 1.0 / m)
    pos, neg = x > 1e-12, x < -1e-12
    out[pos] = np.expm1(-x[pos]) / np.expm1(-m * x[pos])
    xn = x[neg]
    out[neg] = np.exp((m - 1) * xn) * np.expm1(xn) / np.expm1(m * xn)
    return out


def alpha_rank(payoffs: np.ndarray, *, alpha: float = 10.0, population_size: int = 50) -> AlphaRankResult:
    """α-Rank (Omidshafiei et al., Sci. Rep. 2019), multi-population version.

    The chain moves from pure profile s to the profile where one player k switches from s_k to τ
    with probability ``η ρ(α (u_k(τ, s_{-k}) − u_k(s)))``, ``η = 1/Σ_k (K_k − 1)``, ρ the fixation
    probability of a mutant in a population of ``population_size`` (Fermi / Moran process).
    The stationary distribution is the α-Rank score of each profile.
    """
    u = np.asarray(payoffs, dtype=float)
    if alpha < 0 or population_size < 2:
        raise InvalidParameterError("alpha must be >= 0 and population_size >= 2")
    n = u.shape[0]
    shape = u.shape[1:]
    N = int(np.prod(shape))
    eta = 1.0 / max(1, sum(k - 1 for k in shape))
    flat = np.arange(N).reshape(shape)
    rows, cols, vals = [], [], []
    for k in range(n):
        K = shape[k]
        if K < 2:
            continue
        U = np.moveaxis(u[k], k, -1)  # (rest..., K): u_k with player k's choice last
        F = np.moveaxis(flat, k, -1)  # flat index of each profile, same layout
        diff = U[..., None, :] - U[..., :, None]  # [rest, σ, τ] = u_k(τ) − u_k(σ)
        rho = _fixation(alpha * diff, population_size)
        src = np.broadcast_to(F[..., :, None], rho.shape)
        dst = np.broadcast_to(F[..., None, :], rho.shape)
        off = src != dst
        rows.append(src[off])
        cols.append(dst[off])
        vals.append(eta * rho[off])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=int)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=int)
    v = np.concatenate(vals) if vals else np.zeros(0)
    C = sp.csr_matrix((v, (r, c)), shape=(N, N))
    stay = 1.0 - np.asarray(C.sum(axis=1)).ravel()
    # stationary π: π (C − I) = 0 with Σ π = 1, the last balance equation replaced by normalisation
    G = (C.T + sp.diags(stay) - sp.eye(N)).tolil()
    G[N - 1, :] = np.ones(N)
    b = np.zeros(N)
    b[-1] = 1.0
    pi = spla.spsolve(G.tocsc(), b) if N > 1 else np.ones(1)
    pi = np.atleast_1d(pi)
    pi = np.clip(pi, 0.0, None)
    pi /= pi.sum()
    st = pi.reshape(shape)
    marg = [st.sum(axis=tuple(j for j in range(n) if j != i)) for i in range(n)]
    return AlphaRankResult(st, marg, np.argsort(-pi, kind="stable"))


# ---- Nash averaging and Elo -------------------------------------------------------------------


@dataclass
class NashAveraging:
    nash: np.ndarray  # the maximum-entropy Nash equilibrium p*
    ratings: np.ndarray  # n_A = A p*: each agent's payoff against the Nash mixture


def nash_averaging(A: np.ndarray, tol: float = 1e-9) -> NashAveraging:
    """Nash averaging of an antisymmetric evaluation matrix (Balduzzi et al., NeurIPS 2018).

    ``A[i, j]`` is agent i's advantage over j (``A = −Aᵀ``, e.g. ``logit`` of win rates or
    ``2·win − 1``). The symmetric zero-sum game has value 0; its optimal mixtures are
    ``{p ∈ Δ : A p ≤ 0}``, and the maximum-entropy one (unique: a strictly concave objective on a
    polytope) is found by SLSQP from an LP solution. Ratings ``A p*`` are ≤ 0, zero on the support;
    they are invariant to adding copies of an agent, the property that motivates the method.
    """
    from scipy.optimize import minimize

    from ..solvers.markov import zero_sum_values

    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, -A.T, atol=1e-9):
        raise InvalidParameterError("nash_averaging needs an antisymmetric square matrix A = -A^T")
    K = A.shape[0]
    _, x, _ = zero_sum_values(A[None])
    p0 = 0.5 * x[0] + 0.5 / K
    # mix towards uniform only if that stays optimal; otherwise start at the LP vertex
    p0 = p0 if (A @ p0 <= tol).all() else x[0]

    def negent(p: np.ndarray) -> float:
        q = np.clip(p, 1e-300, None)
        return float(np.sum(q * np.log(q)))

    def grad(p: np.ndarray) -> np.ndarray:
        return np.log(np.clip(p, 1e-300, None)) + 1.0

    cons = [
        {"type": "eq", "fun": lambda p: p.sum() - 1.0, "jac": lambda p: np.ones(K)},
        {"type": "ineq", "fun": lambda p: -(A @ p), "jac": lambda p: -A},
    ]
    res = minimize(
        negent,
        p0,
        jac=grad,
        bounds=[(0, 1)] * K,
        constraints=cons,
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    p = np.clip(res.x if res.success else p0, 0, None)
    p /= p.sum()
    return NashAveraging(p, A @ p)


def elo(wins: np.ndarray, games: np.ndarray | None = None, *, scale: float = 400.0) -> np.ndarray:
    """Maximum-likelihood Elo ratings (mean 0) from ``wins[i, j]``: the rate at which i beats j.

    Model: ``Pr[i beats j] = 1 / (1 + 10^{−(r_i − r_j)/scale})`` (Elo 1978; the Bradley–Terry model).
    ``games[i, j]`` weights each pair (default 1 off the diagonal). Solved by Newton's method on the
    concave log-likelihood, with the mean fixed at 0.
    """
    W = np.asarray(wins, dtype=float)
    K = W.shape[0]
    if W.shape != (K, K) or (W < 0).any() or (W > 1).any():
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
