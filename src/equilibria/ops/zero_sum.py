"""The zero-sum matrix-game linear program, and the one call to HiGHS that every LP goes through.

By the minimax theorem (von Neumann, "Zur Theorie der Gesellschaftsspiele", Math. Annalen 1928),
the value and the optimal strategies of a matrix game ``A`` (the row player receives ``A[i, j]``
and maximises, the column player minimises) are the solutions of a pair of dual linear programs
(Dantzig, "A proof of the equivalence of the programming problem and the game problem", in
Koopmans (ed.), *Activity Analysis of Production and Allocation*, 1951):

    max_{x ∈ Δ, v} v   s.t.  Aᵀx ≥ v·1          (the row player's security level)
    min_{y ∈ Δ, w} w   s.t.  A y ≤ w·1          (the column player's: its dual)

so one solve gives both strategies: ``x`` from the primal, ``y`` from the dual multipliers of the
inequality rows. The LPs are solved by HiGHS (Huangfu & Hall, "Parallelizing the dual revised
simplex method", Math. Prog. Comp. 2018) through `scipy.optimize.linprog`.

Scale. HiGHS works to absolute tolerances of about 1e-7 and refuses coefficients above 1e15
("Model error"), so payoffs of 1e-13 are all "zero" to it and payoffs of 1e19 are not accepted at
all. The optimal strategies of ``A`` and of ``(A − lo)/span`` are the same (a positive affine map
of the payoffs), so the matrix is first mapped onto ``[0, 1]`` and the value mapped back.

- `highs_linprog`: `scipy.optimize.linprog` with HiGHS, raising `SolverError` (naming what was
  being solved) instead of returning a failed result. SciPy is imported on first use only.
- `solve_matrix_game`: ``(value, x, y)`` of one matrix game.
- `solve_matrix_games`: the same for a batch ``Q[s]``, as *one* block-diagonal sparse LP (the blocks
  are independent, so each block's optimum is its game's optimum).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import InvalidGameError, SolverError

#: the HiGHS variants `highs_linprog` accepts (``highs`` lets HiGHS choose; ``highs-ds`` is dual simplex)
HIGHS_METHODS = ("highs", "highs-ds", "highs-ipm")
#: games with at least this many entries (m·n) are solved by HiGHS's interior-point method (with
#: crossover, so the answer is still a vertex); below it HiGHS's own choice, the dual simplex, is
#: faster. Measured on random uniform games (2-core machine, same load): 200×200 simplex 0.43 s
#: against IPM 0.90 s; 350×350 4.9 s / 4.4 s; 600×600 33 s / 18 s; 1000×1000 243 s / 53 s.
IPM_MIN_ENTRIES = 120_000


def highs_linprog(
    c: Any,
    A_ub: Any = None,
    b_ub: Any = None,
    A_eq: Any = None,
    b_eq: Any = None,
    bounds: Any = (0, None),
    *,
    what: str = "linear program",
    method: str = "highs",
) -> Any:
    """``min cᵀz  s.t.  A_ub z ≤ b_ub, A_eq z = b_eq, bounds`` by HiGHS; the `OptimizeResult` on success.

    Same arguments as `scipy.optimize.linprog` (dense or sparse matrices; ``bounds`` as a pair for all
    variables, a list of pairs, or an ``(n, 2)`` array). Any status but "optimal" raises
    `SolverError` whose message names ``what`` (e.g. ``"the sequence-form LP"``) and HiGHS's reason.
    """
    check_choice("method", method, HIGHS_METHODS)
    from scipy.optimize import linprog  # lazily: `import equilibria` must not load scipy.optimize

    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method=method)
    if res.status != 0:
        raise SolverError(f"HiGHS failed on {what}: {res.message}")
    return res


def power_of_two_scale(values: Any) -> float:
    """A power of two within a factor 2 of ``max |values|`` (1 if all are zero or there are none).

    Dividing by it is exact in binary floating point (barring underflow), so an LP built on the
    scaled data describes exactly the same polytope as the exact data divided by the same number.
    """
    big = float(np.abs(np.asarray(values, dtype=float)).max(initial=0.0))
    return 1.0 if big == 0 or not np.isfinite(big) else float(np.ldexp(1.0, int(np.frexp(big)[1])))


def _unit_range(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(B, lo, span)`` with ``Q[s] = lo[s] + span[s]·B[s]`` and every ``B[s]`` spanning ``[0, 1]``.

    Each game is first divided by its largest absolute payoff, so no intermediate overflows even for
    payoffs near the float maximum; a constant game gets ``B = 0`` and ``span = 0``.
    """
    if not np.all(np.isfinite(Q)):
        raise InvalidGameError("a matrix game's payoffs must be finite numbers")
    big = np.abs(Q).max(axis=(1, 2))
    unit = np.where(big > 0, big, 1.0)
    Q1 = Q / unit[:, None, None]
    lo1 = Q1.min(axis=(1, 2))
    span1 = Q1.max(axis=(1, 2)) - lo1
    B = (Q1 - lo1[:, None, None]) / np.where(span1 > 0, span1, 1.0)[:, None, None]
    return B, lo1 * unit, span1 * unit


def solve_matrix_games(Q: Any, *, what: str = "the zero-sum matrix-game LP") -> tuple[np.ndarray, ...]:
    """Values and optimal strategies of a batch of matrix games ``Q[s]`` (the row player maximises).

    One block-diagonal LP over variables ``(x_s, v_s)`` for all s: ``max Σ_s v_s`` s.t.
    ``v_s·1 − B_sᵀ x_s ≤ 0``, ``Σ x_s = 1``, ``x_s ≥ 0``, with ``B_s`` the game ``Q_s`` mapped onto
    ``[0, 1]`` (see the module docstring). The dual multipliers of block s are the column player's
    optimal strategy. Returns ``(values (S,), x (S, m), y (S, n))``; the values are in ``Q``'s units.
    """
    import scipy.sparse as sp

    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 3 or 0 in Q.shape[1:]:
        raise InvalidGameError(f"a batch of matrix games must have shape (S, m, n), m, n >= 1; got {Q.shape}")
    S, m, n = Q.shape
    if S == 0:
        return np.zeros(0), np.zeros((0, m)), np.zeros((0, n))
    B, lo, span = _unit_range(Q)
    W = m + 1
    s_idx = np.arange(S)
    # inequality row (s, j): −B[s, i, j] x_{s,i} + v_s ≤ 0
    rows_x = np.broadcast_to(s_idx[:, None, None] * n + np.arange(n)[None, None, :], (S, m, n))
    cols_x = np.broadcast_to(s_idx[:, None, None] * W + np.arange(m)[None, :, None], (S, m, n))
    rows_v = (s_idx[:, None] * n + np.arange(n)[None, :]).ravel()
    cols_v = np.repeat(s_idx * W + m, n)
    A_ub = sp.csr_matrix(
        (
            np.concatenate([-B.ravel(), np.ones(S * n)]),
            (np.concatenate([rows_x.ravel(), rows_v]), np.concatenate([cols_x.ravel(), cols_v])),
        ),
        shape=(S * n, S * W),
    )
    A_eq = sp.csr_matrix(
        (np.ones(S * m), (np.repeat(s_idx, m), (s_idx[:, None] * W + np.arange(m)).ravel())),
        shape=(S, S * W),
    )
    c = np.zeros(S * W)
    c[s_idx * W + m] = -1.0
    bounds = np.zeros((S * W, 2))
    bounds[:, 1] = np.inf
    bounds[s_idx * W + m] = (-np.inf, np.inf)
    res = highs_linprog(c, A_ub=A_ub, b_ub=np.zeros(S * n), A_eq=A_eq, b_eq=np.ones(S), bounds=bounds,
                        what=what, method="highs-ipm" if m * n >= IPM_MIN_ENTRIES else "highs")
    z = res.x.reshape(S, W)
    x = np.clip(z[:, :m], 0.0, None)
    y = np.clip(-np.asarray(res.ineqlin.marginals).reshape(S, n), 0.0, None)
    xsum, ysum = x.sum(axis=1, keepdims=True), y.sum(axis=1, keepdims=True)
    if np.any(xsum <= 0) or np.any(ysum <= 0):
        raise SolverError(f"HiGHS returned a degenerate solution of {what} (an empty support)")
    x /= xsum
    y /= ysum
    # a constant game: every strategy is optimal; report the first pure one (a vertex, as exact
    # recovery expects) rather than whatever the solver left there
    flat = span == 0
    if flat.any():
        x[flat], y[flat] = 0.0, 0.0
        x[flat, 0], y[flat, 0] = 1.0, 1.0
    # the value: the midpoint of the bracket min_j (Bᵀx)_j ≤ val(B) ≤ max_i (By)_i that the two
    # strategies certify (tighter than HiGHS's v, which carries its own rounding), in Q's units
    low = np.einsum("sij,si->sj", B, x).min(axis=1)
    high = np.einsum("sij,sj->si", B, y).max(axis=1)
    values = lo + span * np.clip(0.5 * (low + high), 0.0, 1.0)
    return values + 0.0, x, y


def solve_matrix_game(
    A: Any, *, what: str = "the zero-sum matrix-game LP"
) -> tuple[float, np.ndarray, np.ndarray]:
    """``(value, x, y)`` of the matrix game ``A``: the row player's maxmin value and optimal strategies.

    ``x`` maximises ``min_j (Aᵀx)_j`` and ``y`` minimises ``max_i (Ay)_i`` (from the LP duals); both
    are optimal for payoffs of any magnitude, from 1e-300 to 1e300 (see the module docstring).

    >>> v, x, y = solve_matrix_game([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])   # rock-paper-scissors
    >>> round(v, 12), x.round(6).tolist()
    (0.0, [0.333333, 0.333333, 0.333333])
    """
    M = np.asarray(A, dtype=float)
    if M.ndim != 2:
        raise InvalidGameError(f"a matrix game must be a matrix; got an array of shape {M.shape}")
    values, x, y = solve_matrix_games(M[None], what=what)
    return float(values[0]), x[0], y[0]


__all__ = [
    "HIGHS_METHODS", "IPM_MIN_ENTRIES", "highs_linprog", "power_of_two_scale", "solve_matrix_game",
    "solve_matrix_games",
]
