"""``ipa``: iterated polymatrix approximation (Govindan & Wilson 2004) and a float Lemke LCP solver.

At a profile σ the game's payoff vectors V_i(τ)(a) = u_i(a, τ_{-i}) are multilinear in the opponents'
strategies, so their first-order expansion at σ is a *polymatrix* game: player i's payoff from
opponent j's action is the pair matrix T_ij = u_i(·, ·, σ_{-ij}), and

    V_i(τ) ≈ V_i(σ) + Σ_{j≠i} T_ij (τ_j − σ_j) = Σ_{j≠i} T_ij τ_j − (n − 2) V_i(σ)

(T_ij σ_j = V_i(σ) for every j). The approximation has the game's payoffs and their derivatives at σ;
σ is an equilibrium of the game exactly when it is one of its own approximation. A polymatrix game is
a linear complementarity problem, solved by Lemke's algorithm along the perturbation ray of the global
Newton method (for a polymatrix game that path is piecewise linear: Lemke's path with the perturbation
as covering vector).

`lemke` is a small general helper: LCP(q, M) with covering vector d, float tableau, lexicographic
minimum-ratio test (Lemke, "Bimatrix equilibrium points and mathematical programming", Management
Science 1965).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._checks import check_int, check_positive
from ..errors import InvalidParameterError, SolverError
from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv
from ..registry import register_method
from ..solution import Solution
from ._pivoting import lexmin_ratio_row
from .nplayer_common import as_float_profile, deviation_batch, pair_batch, payoff_range, polish
from .nplayer_gnm import _perturbation

#: a column entry must exceed this to be a pivot candidate
PIVOT_TOL = 1e-12
#: weight of the perturbation b breaking ties in the ray of the previous solution
RAY_TIE = 1e-3


def lemke(M: np.ndarray, q: np.ndarray, d: np.ndarray | None = None, max_pivots: int = 100_000
          ) -> tuple[np.ndarray, int]:
    """A solution z ≥ 0 of ``w = q + M z ≥ 0, zᵀw = 0`` by Lemke's algorithm; returns (z, pivots).

    1. Add the artificial variable z₀ with covering vector d (default all ones; d ≥ 0 and d_k > 0
       wherever q_k < 0): ``w = q + M z + d z₀``. If q ≥ 0, z = 0 solves the LCP.
    2. z₀ enters at the value max_k −q_k/d_k; the w_r of the lexicographically largest ratio leaves.
    3. The complement of the variable that just left enters; the leaving row is the lexicographic
       minimum ratio (ties broken by the rows of the basis inverse, i.e. q perturbed by (ε, ε², …)).
    4. Stop when z₀ leaves (a solution); no positive entry in the entering column is a secondary ray
       (`SolverError`: Lemke's algorithm does not solve this LCP from this covering vector).

    The tableau ``B⁻¹ [I | −M | −d | q]`` is pivoted with one rank-1 NumPy update per pivot.
    """
    M = np.asarray(M, dtype=float)
    q = np.asarray(q, dtype=float)
    N = len(q)
    d = np.ones(N) if d is None else np.asarray(d, dtype=float)
    if M.shape != (N, N) or d.shape != (N,):
        raise InvalidParameterError(f"lemke: M must be {N}x{N} and d of length {N}")
    if np.any(d < 0) or np.any((q < 0) & (d <= 0)):
        raise InvalidParameterError("lemke: the covering vector must be >= 0, and > 0 where q < 0")
    if np.all(q >= 0):
        return np.zeros(N), 0
    # columns: w (0..N-1), z (N..2N-1), z0 (2N), rhs (2N+1)
    T = np.hstack([np.eye(N), -M, -d[:, None], q[:, None]])
    basis = np.arange(N)
    # 2. z0 enters: the row with the lexicographically smallest (q_k, e_k)/d_k among d_k > 0
    rows = np.flatnonzero(d > 0)
    r = lexmin_ratio_row(q, d, rows, np.eye(N))
    c = 2 * N
    for pivots in range(1, max_pivots + 1):
        T[r] /= T[r, c]
        col = T[:, c].copy()
        col[r] = 0.0
        T -= np.outer(col, T[r])
        leaving, basis[r] = basis[r], c
        if leaving == 2 * N:
            z = np.zeros(2 * N + 1)
            z[basis] = T[:, -1]
            return np.clip(z[N:2 * N], 0.0, None), pivots
        c = leaving + N if leaving < N else leaving - N
        col = T[:, c]
        rows = np.flatnonzero(col > PIVOT_TOL)
        if len(rows) == 0:
            raise SolverError("lemke: ray termination (no pivot row); the LCP is not solved from this "
                              "covering vector")
        r = lexmin_ratio_row(T[:, -1], col, rows, T[:, :N])
    raise SolverError(f"lemke: no solution within {max_pivots} pivots")


def polymatrix_lcp(U: np.ndarray, sigma: list[np.ndarray], b: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(M, q, d)`` of the polymatrix approximation at σ (payoffs U of range ≤ 1), perturbation ``b``.

    Costs C_ij = K − (T_ij − (n − 2)/(n − 1) V_i(σ) 1ᵀ) for j ≠ i and C_ii = K 1 1ᵀ with K making C > 0
    (on profiles every player's costs shift by the constant nK: the same equilibria). LCP in (x, v):
    ``w_x = C x − E v ≥ 0``, ``w_v = Eᵀ x − 1 ≥ 0`` (M = [[C, −E], [Eᵀ, 0]] is copositive-plus, so
    Lemke's algorithm solves it; Miller & Zucker, Oper. Res. Letters 1991). Covering vector d = max b_i − b
    on player i's rows, 1 on the v rows: at z₀ the LCP is the game with the bonus λ b, λ = z₀ / (1 − z₀)
    (strategies of mass 1 − z₀), so Lemke's path runs the perturbation ray from λ = ∞ to λ = 0.
    """
    n = len(sigma)
    sizes = [len(s) for s in sigma]
    off = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    K = int(off[-1])
    P = np.zeros((K, K))
    batch = [s[None] for s in sigma]
    if n > 2:
        V = deviation_batch(U, batch)
    for i in range(n):
        for j in range(n):
            if i != j:
                T = pair_batch(U, batch, i, j)[0]
                if n > 2:
                    T = T - (n - 2) / (n - 1) * V[i][0][:, None]
                P[off[i]:off[i + 1], off[j]:off[j + 1]] = T
    Kc = float(P.max()) + 1.0
    C = Kc - P
    E = np.zeros((K, n))
    for i in range(n):
        E[off[i]:off[i + 1], i] = 1.0
    M = np.block([[C, -E], [E.T, np.zeros((n, n))]])
    q = np.concatenate([np.zeros(K), -np.ones(n)])
    dx = np.concatenate([b[off[i]:off[i + 1]].max() - b[off[i]:off[i + 1]] for i in range(n)])
    d = np.concatenate([dx, np.ones(n)])
    return M, q, d


def polymatrix_equilibrium(U: np.ndarray, sigma: list[np.ndarray], b: np.ndarray
                           ) -> tuple[list[np.ndarray], int]:
    """The equilibrium of the polymatrix approximation at σ that Lemke's path from the ray b ends at."""
    M, q, d = polymatrix_lcp(U, sigma, b)
    z, pivots = lemke(M, q, d)
    sizes = [len(s) for s in sigma]
    off = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    out = []
    for i in range(len(sizes)):
        x = z[off[i]:off[i + 1]]
        if x.sum() <= 0:
            raise SolverError("ipa: Lemke's solution gives a player no strategy (a bug)")
        out.append(x / x.sum())
    return out, pivots


@register_method("ipa", families=("normal_form",), certified=False)
def ipa(game: NormalFormGame, *, perturbation: Any = None, start: Any = None, step_size: float = 1.0,
        max_iter: int = 1000, tol: float | None = None) -> list[Solution]:
    """One Nash equilibrium of an n-player game by iterated polymatrix approximation.

    Govindan & Wilson, "Computing Nash equilibria by iterated polymatrix approximation", Journal of
    Economic Dynamics and Control 2004; the perturbation ray as in Gambit's ``ipa``.

    1. Scale the payoffs to range 1. b = ``perturbation`` (default: 1 on each player's first strategy,
       Gambit's default). σ = ``start`` (default: the centroid).
    2. Approximate the game at σ by the polymatrix game V_i(τ) ≈ Σ_{j≠i} T_ij τ_j − (n − 2) V_i(σ),
       T_ij = u_i(·, ·, σ_{-ij}) (payoffs and first derivatives agree at σ).
    3. Solve its LCP with Lemke's algorithm (lexicographic ratio test) along the ray r: the covering
       vector is r (the path of equilibria of the approximation with bonus λ r, λ from ∞ to 0), r = b
       at the first approximation and then the previous approximation's equilibrium (+ 1e-3 b to
       break ties), so that the path starts from the previous solution: its equilibrium σ'.
    4. σ ← σ + α (σ' − σ): α = ``step_size``, halved (down to α / 64) while the step does not reduce
       NashConv; if none does, the smallest step is taken.
    5. When NashConv(σ) ≤ 1e-3 (range 1), polish σ on its support (Newton's method on the
       equal-payoff conditions); stop when NashConv ≤ ``tol`` (default 1e-9 of the payoff range),
       else go to 2. After ``max_iter`` approximations without that, `SolverError`.

    A fixed point of steps 2-4 (σ' = σ) is an equilibrium of the game, and every equilibrium of the
    game is an equilibrium of its own approximation. Simplifications: the paper moves in the
    Kohlberg-Mertens coordinates z = σ + V(σ) with a fixed step (GameTracer: α = 0.02) and starts
    Lemke's algorithm from the previous solution's basis; here the previous solution enters as the
    covering ray instead, the step in σ is damped on NashConv, and the Newton polish is ours. Like the
    paper's method it converges locally, not from every start.
    ``info``: iterations, Lemke pivots in all, whether polished, the final NashConv.
    """
    t0 = time.perf_counter()
    step_size = check_positive("step_size", step_size, maximum=1.0)
    max_iter = check_int("max_iter", max_iter, minimum=1, maximum=10**6)
    rng = payoff_range(game)
    tol_f = 1e-9 * max(rng, 1e-300) if tol is None else check_positive("tol", tol)
    b = _perturbation(game, perturbation)
    sizes = tuple(game.num_actions)
    sigma = ([np.full(k, 1.0 / k) for k in sizes] if start is None
             else as_float_profile(game, start))
    if rng == 0.0:
        return [Solution(sigma, game.expected_payoffs(sigma), "ipa", info={"iterations": 0})]
    U = game.payoffs / rng
    nc = float(nash_conv(game, sigma)) / rng
    pivots = 0
    polished = False
    it = 0
    ray = b
    while nc * rng > tol_f:
        if it >= max_iter:
            raise SolverError(f"ipa: NashConv {nc * rng:.3g} after {max_iter} approximations "
                              f"(tolerance {tol_f:.3g}); raise max_iter or try another start")
        it += 1
        target, p = polymatrix_equilibrium(U, sigma, ray)
        pivots += p
        ray = np.concatenate(target) + RAY_TIE * b
        alpha, best = step_size, None
        while alpha >= step_size / 64:
            cand = [s + alpha * (t - s) for s, t in zip(sigma, target, strict=True)]
            cnc = float(nash_conv(game, cand)) / rng
            best = (cand, cnc)
            if cnc < nc:
                break
            alpha /= 2
        sigma, nc = best
        if nc <= 1e-3:
            cand, ok = polish(game, sigma)
            if ok:
                sigma, nc, polished = cand, float(nash_conv(game, cand)) / rng, True
    final = float(nash_conv(game, sigma))
    if final > tol_f:  # the loop ends only below tol_f; kept as the explicit certification
        raise SolverError(f"ipa: NashConv {final:.3g} exceeds the tolerance {tol_f:.3g}")
    info = {"iterations": it, "pivots": pivots, "polished": polished, "nash_conv": final}
    return [Solution(sigma, game.expected_payoffs(sigma), "ipa", iterations=it,
                     seconds=time.perf_counter() - t0, info=info)]
