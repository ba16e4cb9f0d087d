"""Strong Stackelberg equilibria of two-player normal-form games by the multiple-LPs method.

The leader commits to a mixed strategy ``x``; the follower observes it and best-responds, breaking
ties in the leader's favour (the *strong* Stackelberg equilibrium, SSE). Conitzer & Sandholm,
"Computing the optimal strategy to commit to", EC 2006, show that the optimal commitment is found by
one linear program per follower action ``j``: with ``L`` the leader's and ``F`` the follower's payoff
matrix, rows indexed by the leader's actions,

    LP_j:   max_x  Σ_i x_i L[i, j]
            s.t.   Σ_i x_i (F[i, j] − F[i, k]) ≥ 0     for every follower action k ≠ j,
                   Σ_i x_i = 1,  x ≥ 0,

i.e. the best commitment among those that make ``j`` a follower best response. The SSE takes the
``j`` with the largest optimum (infeasible programs, for actions the follower never plays, are
skipped); ties between follower actions go to the smallest index.

Float mode solves each program with HiGHS (`equilibria.ops.highs_linprog`) on payoffs mapped onto
[1, 2] by positive affine maps (which leave the SSE unchanged). Exact mode runs a two-phase primal
simplex in `Fraction` arithmetic with Bland's rule (Bland, "New finite pivoting rules for the simplex
method", Math. Oper. Res. 1977), which terminates and never touches floating point, so the
commitment, the follower's response and both payoffs are exact rationals.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_bool, check_int
from .._numbers import fraction_array, pivot_exact
from ..errors import DegenerateGameError, SolverError
from ..ops import highs_linprog
from ..registry import register_method
from ..solution import Solution
from ._pivoting import positive_float, two_player_bimatrix

# ---- an exact two-phase simplex (Bland's rule) --------------------------------------------------


def _pivot(T: np.ndarray, basis: list[int], r: int, c: int) -> None:
    """Pivot on (r, c) (`pivot_exact`) and record that column c is now basic in row r."""
    pivot_exact(T, r, c)
    basis[r] = c


def _optimise(T: np.ndarray, basis: list[int], cost: np.ndarray, allowed: int) -> bool:
    """Maximise ``cost · z`` from the feasible tableau ``T`` (last column the right-hand side).

    Only the first ``allowed`` columns may enter. Bland's rule: the entering column is the
    smallest index with a positive reduced cost, the leaving row the smallest basic index among
    the minimum ratios. Returns False if the program is unbounded.
    """
    # the reduced costs, computed once and then updated with each pivot like a tableau row
    reduced = cost[:allowed] - cost[basis] @ T[:, :allowed]
    while True:
        entering = next((k for k in range(allowed) if reduced[k] > 0), None)
        if entering is None:
            return True
        best: tuple[Fraction, int, int] | None = None
        for r in range(T.shape[0]):
            if T[r, entering] > 0:
                key = (T[r, -1] / T[r, entering], basis[r], r)
                if best is None or key[:2] < best[:2]:
                    best = key
        if best is None:
            return False
        _pivot(T, basis, best[2], entering)
        reduced = reduced - reduced[entering] * T[best[2], :allowed]


def exact_simplex(A: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, Fraction] | None:
    """``max c·z  s.t.  A z = b, z ≥ 0`` in `Fraction` arithmetic: ``(z, value)``, or None if infeasible.

    Two-phase primal simplex with Bland's rule; raises `SolverError` if the program is unbounded
    (which the Stackelberg programs, over a simplex, never are).
    """
    A, b, c = fraction_array(A), fraction_array(b), fraction_array(c)
    rows, nvar = A.shape
    sign = np.array([Fraction(-1) if v < 0 else Fraction(1) for v in b], dtype=object)
    A, b = A * sign[:, None], b * sign
    eye = np.array([[Fraction(int(i == k)) for k in range(rows)] for i in range(rows)], dtype=object)
    T = np.concatenate([A, eye.reshape(rows, rows), b.reshape(-1, 1)], axis=1)
    basis = list(range(nvar, nvar + rows))
    phase1 = np.array([Fraction(0)] * nvar + [Fraction(-1)] * rows, dtype=object)
    _optimise(T, basis, phase1, nvar + rows)
    if sum(T[r, -1] for r in range(rows) if basis[r] >= nvar) != 0:
        return None
    # drive the artificial variables (all at level 0) out of the basis; a row with no original
    # column to pivot on is redundant and dropped
    keep = []
    for r in range(rows):
        if basis[r] >= nvar:
            col = next((k for k in range(nvar) if T[r, k] != 0), None)
            if col is None:
                continue
            _pivot(T, basis, r, col)
        keep.append(r)
    T = np.concatenate([T[keep, :nvar], T[keep, -1:]], axis=1)
    basis = [basis[r] for r in keep]
    if not _optimise(T, basis, c, nvar):
        raise SolverError("the exact simplex found an unbounded program")
    z = np.array([Fraction(0)] * nvar, dtype=object)
    for r, k in enumerate(basis):
        z[k] = T[r, -1]
    return z, sum((c * z).tolist(), Fraction(0))


# ---- the multiple-LPs method ----------------------------------------------------------------------


def _leader_view(game: Any, leader: int, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(L, F)``: leader's and follower's payoffs with rows indexed by the leader's actions."""
    A, B = two_player_bimatrix(game, "stackelberg", exact)
    return (A, B) if leader == 0 else (B.T, A.T)


#: HiGHS drops constraint coefficients below this (its ``small_matrix_value``): follower payoff
#: differences smaller than this, on the [1, 2] scale, are ties to the float programs
FLOAT_RESOLUTION = 1e-9


def _check_float_resolution(F: np.ndarray) -> None:
    """`DegenerateGameError` if two follower payoffs in a row differ by less than the LPs resolve."""
    D = np.abs(F[:, :, None] - F[:, None, :])
    tiny = (D > 0) & (D < FLOAT_RESOLUTION)
    if tiny.any():
        i, j, k = (int(v) for v in np.argwhere(tiny)[0])
        raise DegenerateGameError(
            f"the follower's payoffs for actions {j} and {k} against leader action {i} differ by "
            f"{D[i, j, k]:.1e} of their range, below what the float programs resolve "
            f"({FLOAT_RESOLUTION:g}); solve with exact=True (--exact)"
        )


def _float_lp(L: np.ndarray, F: np.ndarray, j: int) -> tuple[np.ndarray, float] | None:
    """LP_j by HiGHS, or None if ``j`` is never a follower best response."""
    m, n = F.shape
    others = [k for k in range(n) if k != j]
    A_ub = (F[:, others] - F[:, [j]]).T  # Σ_i x_i (F[i,k] − F[i,j]) ≤ 0
    b_ub = np.zeros(len(others))
    A_eq, b_eq = np.ones((1, m)), np.ones(1)
    # Feasibility first, by an always feasible and bounded program: the largest margin t with
    # Σ_i x_i (F[i,j] − F[i,k]) ≥ t for all k (bounded since F lies in [1, 2]). HiGHS's own
    # "infeasible" status is not used, so any other HiGHS failure surfaces as a SolverError.
    if others:
        c_t = np.zeros(m + 1)
        c_t[-1] = -1.0
        res = highs_linprog(
            c_t,
            A_ub=np.hstack([A_ub, np.ones((len(others), 1))]),
            b_ub=b_ub,
            A_eq=np.hstack([A_eq, np.zeros((1, 1))]),
            b_eq=b_eq,
            bounds=[(0, None)] * m + [(None, None)],
            what=f"the Stackelberg feasibility LP of follower action {j}",
        )
        if -res.fun < -1e-9:
            return None
        # a weakly inducible action (margin 0 up to rounding): solve with the rounding absorbed
        b_ub = b_ub + max(0.0, res.fun)
    res = highs_linprog(
        -L[:, j],
        A_ub=A_ub if others else None,
        b_ub=b_ub if others else None,
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=(0, None),
        what=f"the Stackelberg LP of follower action {j}",
    )
    x = np.clip(np.asarray(res.x, dtype=float), 0.0, None)
    x = x / x.sum()
    return x, float(-res.fun)


def _exact_lp(L: np.ndarray, F: np.ndarray, j: int) -> tuple[np.ndarray, Fraction] | None:
    """LP_j in `Fraction` arithmetic, or None if ``j`` is never a follower best response."""
    m, n = F.shape
    others = [k for k in range(n) if k != j]
    # Σ_i x_i (F[i,j] − F[i,k]) − s_k = 0, s ≥ 0;  Σ_i x_i = 1
    D = (F[:, [j]] - F[:, others]).T
    k = len(others)
    neg_eye = np.array([[Fraction(-int(a == c)) for c in range(k)] for a in range(k)], dtype=object)
    top = np.concatenate([D.reshape(k, m), neg_eye.reshape(k, k)], axis=1)
    bottom = np.array([[Fraction(1)] * m + [Fraction(0)] * k], dtype=object)
    A = np.concatenate([top, bottom], axis=0)
    b = np.array([Fraction(0)] * k + [Fraction(1)], dtype=object)
    c = np.concatenate([L[:, j], np.array([Fraction(0)] * k, dtype=object)])
    out = exact_simplex(A, b, c)
    if out is None:
        return None
    z, value = out
    return z[:m], value


@register_method("stackelberg", families=("normal_form",), certified=False)
def stackelberg(game: Any, *, leader: int = 0, exact: bool = False) -> list[Solution]:
    """The strong Stackelberg equilibrium (optimal commitment) of a two-player game, by multiple LPs.

    Conitzer & Sandholm, "Computing the optimal strategy to commit to", EC 2006. The leader
    (player ``leader``, 0 or 1) commits to a mixed strategy; the follower best-responds with a pure
    action, breaking ties in the leader's favour.

    1. For each follower action ``j``, solve LP_j: maximise the leader's payoff against ``j`` over the
       leader's mixed strategies under which ``j`` is a follower best response.
    2. Skip the infeasible programs (actions never a best response).
    3. Return the commitment of the program with the largest optimum (ties: smallest ``j``), and
       the follower's pure response ``j``.

    This is a commitment, not a Nash equilibrium (the returned profile's NashConv is in general not
    0; the leader's SSE payoff is at least any Nash payoff of the leader). ``payoffs`` are the
    players' payoffs under the commitment, in player order (leader's and follower's with the
    default ``leader=0``); ``info`` holds ``leader``, ``commitment`` (the leader's strategy),
    ``follower_response`` (the action index), ``leader_payoff``, ``follower_payoff`` and
    ``values`` (each LP_j's optimum, None where infeasible). Exact mode: everything is a
    `Fraction`, by an exact simplex with Bland's rule. A bimatrix degenerate for the float programs
    (two follower payoffs in a row closer than 1e-9 of the payoff range, which HiGHS treats as
    equal) raises `DegenerateGameError` in float mode; exact mode solves it.
    """
    exact = check_bool("exact", exact)
    leader = check_int("leader", leader, minimum=0, maximum=1)
    L, F = _leader_view(game, leader, exact)
    m, n = F.shape
    if exact:
        results = [_exact_lp(L, F, j) for j in range(n)]
    else:
        Lf, Ff = positive_float(L), positive_float(F)
        _check_float_resolution(Ff - 1.0)
        results = [_float_lp(Lf, Ff, j) for j in range(n)]
    feasible = [j for j in range(n) if results[j] is not None]
    if not feasible:  # impossible: the follower has a best response to any commitment
        raise SolverError("no follower action is a best response to any leader strategy")
    if exact:
        best = max(results[j][1] for j in feasible)
        j_star = next(j for j in feasible if results[j][1] == best)
        x = results[j_star][0]
        y = np.array([Fraction(int(k == j_star)) for k in range(n)], dtype=object)
    else:
        best = max(results[j][1] for j in feasible)
        j_star = next(j for j in feasible if results[j][1] >= best - 1e-9)
        x = results[j_star][0]
        y = np.zeros(n)
        y[j_star] = 1.0
    u_leader = (x @ L[:, j_star]) if exact else float(x @ np.asarray(L, dtype=float)[:, j_star])
    u_follower = (x @ F[:, j_star]) if exact else float(x @ np.asarray(F, dtype=float)[:, j_star])
    if exact:
        values = [None if r is None else r[1] for r in results]
    else:
        # the LP optima on the original payoff scale
        Lo = np.asarray(L, dtype=float)
        values = [None if r is None else float(r[0] @ Lo[:, j]) for j, r in enumerate(results)]
    strategies = [x, y] if leader == 0 else [y, x]
    payoffs_list = [u_leader, u_follower] if leader == 0 else [u_follower, u_leader]
    payoffs = np.array(payoffs_list, dtype=object if exact else float)
    info: dict[str, Any] = {
        "leader": leader,
        "commitment": x.tolist(),
        "follower_response": j_star,
        "leader_payoff": u_leader,
        "follower_payoff": u_follower,
        "values": values,
    }
    return [Solution(strategies, payoffs, "stackelberg", exact=exact, info=info)]
