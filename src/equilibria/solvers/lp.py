"""Two-player zero-sum (and constant-sum) games by linear programming, with an exact rational path.

The minimax theorem (von Neumann, "Zur Theorie der Gesellschaftsspiele", Math. Annalen 1928) makes
the equilibria of a zero-sum game ``(A, -A)`` the solutions of a pair of dual linear programs
(Dantzig, "A proof of the equivalence of the programming problem and the game problem", in
Koopmans (ed.), *Activity Analysis of Production and Allocation*, 1951):

    max_{x ∈ Δ, v} v   s.t.  Aᵀx ≥ v·1          (the row player's security level)
    min_{y ∈ Δ, w} w   s.t.  A y ≤ w·1          (the column player's, its dual)

Both are solved at once by `equilibria.ops.solve_matrix_game` (HiGHS; Huangfu & Hall, "Parallelizing
the dual revised simplex method", Math. Prog. Comp. 2018), which maps the payoffs onto [0, 1] first,
so payoffs of any magnitude (1e-13 or 1e19) are solved alike. A constant-sum game ``u_1 + u_2 = c``
is the zero-sum game ``A = u_1`` with the column player's payoffs shifted by ``c``.

Exact mode turns the floating-point vertex into a rational one: the constraints that are active at
the HiGHS basic solution define the vertex, so solving that square system in `Fraction` arithmetic
recovers it exactly (on the exactly rescaled matrix ``(A − min A)/(max A − min A)``, the same
game); the answer is then verified exactly (``min Aᵀx = max A y`` certifies both strategies
optimal). `exact_vertex` does this for any LP in the form used here, and `correlated` reuses it.
Should the active set not give a verified vertex (an inaccurate float solve), exact vertex
enumeration, which never touches floating point (every equilibrium of a zero-sum game is a
minimax pair), supplies the answer instead.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_bool
from .._numbers import fraction_array, pivot_exact
from ..errors import NotApplicableError, SolverError
from ..games.normal_form import NormalFormGame
from ..ops.zero_sum import solve_matrix_game
from ..registry import register_method
from ..solution import Solution

# ---- exact rational linear algebra ----------------------------------------------------------


def solve_exact(M: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The unique solution of ``M z = b`` in `Fraction` arithmetic, or None.

    ``M`` may have more rows than columns (a consistent over-determined system, as at a degenerate
    vertex); None means the system is inconsistent or does not determine ``z`` uniquely.
    Gauss-Jordan elimination, one vectorised row update per pivot.
    """
    T = np.concatenate([fraction_array(M), fraction_array(b).reshape(-1, 1)], axis=1)
    rows, cols = T.shape[0], T.shape[1] - 1
    r = 0
    for c in range(cols):
        nz = [k for k in range(r, rows) if T[k, c] != 0]
        if not nz:
            return None  # a free variable: z is not unique
        p = nz[0]
        if p != r:
            T[[r, p]] = T[[p, r]]
        pivot_exact(T, r, c)
        r += 1
    if any(x != 0 for x in T[r:, cols]):
        return None  # inconsistent
    return T[:cols, cols].copy()


def exact_vertex(
    A_ub: np.ndarray | None,
    b_ub: np.ndarray | None,
    A_eq: np.ndarray | None,
    b_eq: np.ndarray | None,
    x: np.ndarray,
    *,
    nonneg: np.ndarray | None = None,
    A_ub_exact: np.ndarray | None = None,
    A_eq_exact: np.ndarray | None = None,
    b_ub_exact: np.ndarray | None = None,
    tols: tuple[float, ...] = (1e-9, 1e-7, 1e-5, 1e-11),
) -> np.ndarray | None:
    """The exact rational vertex near the float basic solution ``x`` of ``{A_ub z ≤ b_ub, A_eq z = b_eq}``.

    The active set (equalities, inequality rows with slack below ``tol``, and sign bounds of
    variables below ``tol``) is solved exactly for each tolerance in turn; the first candidate that
    satisfies every constraint exactly is returned. ``nonneg`` marks the variables with ``z ≥ 0``
    (all by default). ``A_*_exact`` and ``b_ub_exact`` are `Fraction` versions of the data when the
    float ones are rounded. Returns None if no tolerance recovers a feasible vertex.
    """
    nvar = x.shape[0]
    nonneg = np.ones(nvar, dtype=bool) if nonneg is None else nonneg
    Aub = np.zeros((0, nvar)) if A_ub is None else np.asarray(A_ub, dtype=float)
    bub = np.zeros(0) if b_ub is None else np.asarray(b_ub, dtype=float)
    Aeq = np.zeros((0, nvar)) if A_eq is None else np.asarray(A_eq, dtype=float)
    beq = np.zeros(0) if b_eq is None else np.asarray(b_eq, dtype=float)
    Aub_x = fraction_array(Aub) if A_ub_exact is None else A_ub_exact
    Aeq_x = fraction_array(Aeq) if A_eq_exact is None else A_eq_exact
    bub_x = fraction_array(bub) if b_ub_exact is None else b_ub_exact
    beq_x = fraction_array(beq)
    scale = max(1.0, float(np.abs(x).max(initial=0.0)))
    slack = bub - Aub @ x
    row_scale = np.maximum(1.0, np.abs(Aub).max(axis=1, initial=0.0)) * scale
    tried: set[bytes] = set()
    for tol in tols:
        act_rows = slack <= tol * row_scale
        act_vars = nonneg & (x <= tol * scale)
        key = act_rows.tobytes() + act_vars.tobytes()
        if key in tried:
            continue
        tried.add(key)
        # variables at their bound 0 are fixed; the rest solve the active rows
        free = ~act_vars
        M = np.concatenate([Aeq_x, Aub_x[act_rows]], axis=0)[:, free]
        rhs = np.concatenate([beq_x, bub_x[act_rows]])
        if M.shape[0] < int(free.sum()):
            continue
        z_free = solve_exact(M, rhs)
        if z_free is None:
            continue
        z = np.array([Fraction(0)] * nvar, dtype=object)
        z[free] = z_free
        if any(z[k] < 0 for k in np.flatnonzero(nonneg)):
            continue
        if Aub_x.shape[0] and any(v > 0 for v in (Aub_x @ z - bub_x)):
            continue
        if Aeq_x.shape[0] and any(v != 0 for v in (Aeq_x @ z - beq_x)):
            continue
        return z
    return None


# ---- the zero-sum LP (the float solve is `equilibria.ops.solve_matrix_game`) ---------------------


def _zero_sum_matrix(game: NormalFormGame) -> tuple[np.ndarray, Any]:
    """The row player's matrix ``A`` and the constant ``c = u_1 + u_2`` of a constant-sum game."""
    if game.num_players != 2:
        raise NotApplicableError(
            f"lp solves two-player zero-sum games; this game has {game.num_players} players. "
            "Use logit-qre-path for an n-player Nash equilibrium or correlated for a correlated one"
        )
    if not game.is_constant_sum:
        raise NotApplicableError(
            "lp solves two-player zero-sum (or constant-sum) games; this game is general-sum. "
            "Use vertex-enumeration, lemke-howson or support-enumeration instead"
        )
    return game.payoffs[0], float(game.payoffs.sum(axis=0).flat[0])


def _exact_strategy(A_x: np.ndarray, s: np.ndarray) -> np.ndarray | None:
    """Exact optimal strategy of the player maximising ``min_j (A_xᵀ s)_j`` near the float ``s``.

    The matrix is first mapped exactly onto [0, 1] (a positive affine map keeps the optimal
    strategies), so the float tolerances of the active-set test mean the same at any payoff scale.
    """
    m, n = A_x.shape
    lo, hi = min(A_x.flat), max(A_x.flat)
    if lo == hi:  # a constant game: every strategy is optimal; the first pure one is a vertex
        return np.array([Fraction(1)] + [Fraction(0)] * (m - 1), dtype=object)
    A_x = (A_x - lo) / (hi - lo)
    A_ub = np.concatenate([-A_x.T, np.array([[Fraction(1)]] * n, dtype=object)], axis=1)
    A_eq = np.array([[Fraction(1)] * m + [Fraction(0)]], dtype=object)
    v = float(np.min(A_x.astype(float).T @ s))
    z0 = np.concatenate([s, [v]])
    nonneg = np.array([True] * m + [False])
    z = exact_vertex(A_ub.astype(float), np.zeros(n), A_eq.astype(float), np.ones(1), z0,
                     nonneg=nonneg, A_ub_exact=A_ub, A_eq_exact=A_eq)
    return None if z is None else z[:m]


#: games with at most this many payoff entries are polished exactly in float mode
POLISH_MAX_ENTRIES = 2 * 16 * 16


@register_method("lp", families=("normal_form",), certified=True)
def lp(game: NormalFormGame, *, exact: bool = False, polish: bool | None = None) -> list[Solution]:
    """Minimax strategies and the value of a two-player zero-sum or constant-sum game by linear programming.

    von Neumann (1928); Dantzig (1951); HiGHS dual simplex (Huangfu & Hall 2018). The value for the
    row player is in ``info["value"]`` (a `Fraction` in exact mode). Exact mode recovers the
    rational vertex from the active constraints and verifies ``min_j (Aᵀx)_j = max_i (Ay)_i``.

    ``polish`` (float mode; default on for games of at most 512 payoff entries) runs that exact
    recovery and rounds its result, so that e.g. rock-paper-scissors returns the float nearest to 1/3
    rather than HiGHS's 0.33333333333333337 and its NashConv is 0, not 1e-16.
    """
    exact = check_bool("exact", exact)
    if polish is not None:
        polish = check_bool("polish", polish)
    A, const = _zero_sum_matrix(game)
    value, x, y = solve_matrix_game(A, what="the zero-sum LP")
    value += 0.0  # no negative zero in reports
    info: dict[str, Any] = {}
    if not exact:
        if polish is None:
            polish = game.payoffs.size <= POLISH_MAX_ENTRIES
        sums = game.exact_payoffs.sum(axis=0) if polish else None
        if polish and all(c == sums.flat[0] for c in sums.flat):
            x_x, y_x, value_x, info = _exact_solution(game, x, y)
            x, y, value = x_x.astype(float), y_x.astype(float), float(value_x) + 0.0
            info["polished"] = True
        info["value"] = value
        payoffs = np.array([value, const - value])
        return [Solution([x, y], payoffs, "lp", info=info)]

    sums = game.exact_payoffs.sum(axis=0)
    if any(c != sums.flat[0] for c in sums.flat):
        raise NotApplicableError(
            "the payoffs are constant-sum only up to rounding; exact lp needs exactly constant-sum "
            "payoffs (give them as integers or fractions), or run without exact"
        )
    x_x, y_x, value_x, info = _exact_solution(game, x, y)
    info["value"] = value_x
    payoffs = np.array([value_x, sums.flat[0] - value_x], dtype=object)
    return [Solution([x_x, y_x], payoffs, "lp", exact=True, info=info)]


def _exact_solution(
    game: NormalFormGame, x: np.ndarray, y: np.ndarray
) -> tuple[Any, Any, Any, dict[str, Any]]:
    """The exact minimax pair at the float vertex ``(x, y)``, verified; falls back to enumeration."""
    info: dict[str, Any] = {}
    A_x = game.exact_payoffs[0]
    x_x = _exact_strategy(A_x, x)
    y_x = _exact_strategy(-A_x.T, y)
    if x_x is not None and y_x is not None:
        lower, upper = min(A_x.T @ x_x), max(A_x @ y_x)
        if lower == upper:
            return x_x, y_x, lower, info
    # the float vertex did not lead to a verified rational one (an inaccurate float solve): every
    # Nash equilibrium of a zero-sum game is a minimax pair, so exact vertex enumeration, which never
    # touches floating point in exact mode, gives one
    from ..registry import METHODS

    sols = METHODS.get("vertex-enumeration").target(game, exact=True)
    if not sols:
        raise SolverError("could not recover an exact rational solution of the zero-sum game")
    x_x, y_x = sols[0].strategies
    info["fallback"] = "vertex-enumeration"
    lower, upper = min(A_x.T @ x_x), max(A_x @ y_x)
    if lower != upper:
        raise SolverError(f"exact verification failed: the strategies guarantee {lower} and {upper}")
    return x_x, y_x, lower, info
