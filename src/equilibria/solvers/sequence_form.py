"""The sequence-form linear program for two-player zero-sum extensive-form games.

With realization plans x (player 1) and y (player 2) constrained by ``E x = e, x ≥ 0`` and
``F y = f, y ≥ 0``, and A player 1's sequence-form payoff matrix, player 1's maxmin problem
``max_x min_y xᵀ A y`` becomes, by LP duality on the inner minimisation
(Koller, Megiddo & von Stengel 1994; von Stengel 1996),

    max_{x, v}  fᵀ v   s.t.   Fᵀ v − Aᵀ x ≤ 0,   E x = e,   x ≥ 0,   v free,

and symmetrically ``min_{y, u} eᵀ u  s.t.  Eᵀ u − A y ≥ 0,  F y = f,  y ≥ 0`` for player 2. The two
are LP duals of each other, so one HiGHS solve (dual simplex, so each answer is a vertex) gives
both: player 1's plan from the primal, player 2's from the multipliers of the inequality rows; the
primal and dual optimal values agree and are player 1's game value. The payoffs are first divided
by a power of two near their largest magnitude (exactly, so the exact path sees the same numbers):
HiGHS's tolerances are absolute and it refuses coefficients near 1e19, so without this a game scaled
by 1e-13 or by 1e19 would fail.

Exact mode: a vertex is the unique solution of its tight constraints. We read the tight set off
the floating-point vertex (``x_i = 0`` where ``x_i ≈ 0``, the equalities, and the inequality rows
with zero slack), solve that linear system in rationals, and keep the result only if it is
feasible, the two values agree exactly, and `equilibria.nash_conv` in exact arithmetic is 0.
Exactness is relative to the game as stored. Chance probabilities stored as floats (an OpenSpiel
game whose probabilities no simple fraction rounds to, or a tree built with floats) are read as the
rationals their shortest decimal form names (``repr``: 0.1 is 1/10, not the binary float nearest
it) and rescaled at each chance node to sum to exactly 1 (`ExtensiveFormGame.exact_terminal_chance`);
the equilibrium and value are exact for those rational probabilities, and ``info["exactness"]``
says so and how many chance nodes it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_bool
from ..errors import NotApplicableError, SolverError
from ..games.extensive_form import CHANCE, ExtensiveFormGame, SequenceForm
from ..ops.zero_sum import highs_linprog, power_of_two_scale
from ..registry import register_method
from ..solution import Solution

_TIGHT_TOLERANCES = (1e-9, 1e-7, 1e-11, 1e-6)
#: LPs with at most this many matrix entries are handed to HiGHS dense (same numbers, less overhead)
_DENSE_MAX_ENTRIES = 20_000


def _integer(x: float) -> Fraction:
    """The entries of the constraint matrices are integers stored as floats."""
    return Fraction(int(round(float(x))))


def _check_game(game: Any) -> ExtensiveFormGame:
    if not isinstance(game, ExtensiveFormGame):
        raise NotApplicableError(
            f"the sequence-form LP applies to extensive-form games, not {type(game).__name__}"
        )
    if game.num_players != 2 or not game.is_constant_sum:
        raise NotApplicableError(
            "the sequence-form LP solves two-player zero-sum (constant-sum) games; use cfr+ for "
            f"this {game.num_players}-player{'' if game.is_constant_sum else ' general-sum'} game"
        )
    # realization plans describe behaviour strategies only under perfect recall (Kuhn 1953)
    game.require_perfect_recall("sequence-form-lp")
    return game



def _sequence_form_lp(
    E: Any, e: np.ndarray, F: Any, f: np.ndarray, A: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Player 1's LP ``max_{x,v} fᵀv  s.t.  Fᵀv − Aᵀx ≤ 0, Ex = e, x ≥ 0`` and, from its duals,
    player 2's: returns ``x, v, y, -u`` and both optimal values (player 1's value twice, as the
    primal and the dual objective).

    The multipliers of the inequality rows are player 2's realization plan ``y`` (``F y = f, y ≥ 0``,
    ``Eᵀu − A y ≥ 0``, minimising ``eᵀu``), those of the equality rows ``u``: LP duality is the
    minimax theorem here, so one solve gives both players' optimal plans. HiGHS's dual simplex ends
    at a basis, so both are vertices of their polytopes (the exact mode relies on it). The
    constraint matrix is assembled once in COO form (no block stacking).
    """
    from scipy import sparse

    nx, nv = E.shape[1], F.shape[0]
    ny, ne = F.shape[1], E.shape[0]
    Ac, Fc, Ec = A.tocoo(), F.tocoo(), E.tocoo()
    # rows 0..ny-1: Fᵀv − Aᵀx ≤ 0; rows ny..ny+ne-1: E x = e
    rows = np.concatenate([Ac.col, Fc.col, ny + Ec.row])
    cols = np.concatenate([Ac.row, nx + Fc.row, Ec.col])
    vals = np.concatenate([-Ac.data, Fc.data, Ec.data])
    M = sparse.csr_matrix((vals, (rows, cols)), shape=(ny + ne, nx + nv))
    c = np.zeros(nx + nv)
    c[nx:] = -f
    bounds = np.zeros((nx + nv, 2))
    bounds[:nx, 1] = np.inf
    bounds[nx:, 0], bounds[nx:, 1] = -np.inf, np.inf
    if M.shape[0] * M.shape[1] <= _DENSE_MAX_ENTRIES:
        # small trees (Kuhn): scipy's sparse checks and conversions cost more than the solve itself
        M = M.toarray()
    res = highs_linprog(c, A_ub=M[:ny], b_ub=np.zeros(ny), A_eq=M[ny:], b_eq=e, bounds=bounds,
                        what="the sequence-form LP", method="highs-ds")
    y = -np.asarray(res.ineqlin.marginals, dtype=float)
    neg_u = np.asarray(res.eqlin.marginals, dtype=float)
    return res.x[:nx], res.x[nx:], y, neg_u, float(-res.fun), float(-(e @ neg_u))


def _exact_matrix(game: ExtensiveFormGame, sf: SequenceForm, unit: float) -> dict[tuple[int, int], Fraction]:
    """Player 1's sequence-form payoff matrix over ``unit``, in rationals, as ``{(row, col): value}``."""
    w = game.exact_terminal_chance * game.exact_terminal_utility[:, 0] / Fraction(unit)
    out: dict[tuple[int, int], Fraction] = {}
    for i, j, val in zip(sf.terminal_compact[0].tolist(), sf.terminal_compact[1].tolist(), w, strict=True):
        out[(i, j)] = out.get((i, j), Fraction(0)) + val
    return out


def _solve_exact(rows: list[dict[int, Fraction]], rhs: list[Fraction], n: int) -> list[Fraction] | None:
    """A solution of a consistent sparse rational system (free unknowns 0), or None if inconsistent.

    Sparse Gaussian elimination with a Markowitz-style pivot order (Markowitz, "The elimination form
    of the inverse and its application to linear programming", Management Science 1957): the
    shortest remaining row is eliminated next, on its column that the fewest other rows hold, so
    fill-in (and with it the number of `Fraction` operations) stays small; on the tight system of a
    Leduc poker vertex this is a few thousand operations instead of millions. Back substitution
    then reads the unknowns off the pivot rows.
    """
    import heapq

    active: dict[int, tuple[dict[int, Fraction], Fraction]] = {}
    col_rows: dict[int, set[int]] = {}
    for k, (row, b) in enumerate(zip(rows, rhs, strict=True)):
        clean = {c: val for c, val in row.items() if val}
        active[k] = (clean, b)
        for c in clean:
            col_rows.setdefault(c, set()).add(k)
    heap = [(len(row), k) for k, (row, _) in active.items()]
    heapq.heapify(heap)
    pivots: list[tuple[int, dict[int, Fraction], Fraction]] = []
    while heap:
        length, k = heapq.heappop(heap)
        if k not in active:
            continue
        row, b = active[k]
        if len(row) != length:  # shortened or lengthened since queued: queue it again
            heapq.heappush(heap, (len(row), k))
            continue
        del active[k]
        if not row:
            if b != 0:
                return None
            continue
        for c in row:
            col_rows[c].discard(k)
        col = min(row, key=lambda c: (len(col_rows[c]), c))
        inv = 1 / row[col]
        prow = {c: val * inv for c, val in row.items()}
        pb = b * inv
        pivots.append((col, prow, pb))
        for k2 in list(col_rows[col]):
            row2, b2 = active[k2]
            coef = row2.pop(col)
            col_rows[col].discard(k2)
            for c, val in prow.items():
                if c == col:
                    continue
                new = row2.get(c, 0) - coef * val
                if new:
                    if c not in row2:
                        col_rows[c].add(k2)
                    row2[c] = new
                elif c in row2:
                    del row2[c]
                    col_rows[c].discard(k2)
            active[k2] = (row2, b2 - coef * pb)
            heapq.heappush(heap, (len(row2), k2))
    sol = [Fraction(0)] * n
    for col, prow, b in reversed(pivots):
        sol[col] = b - sum((v2 * sol[c2] for c2, v2 in prow.items() if c2 != col and sol[c2]), Fraction(0))
    return sol


def _exact_vertex(
    x: np.ndarray, v: np.ndarray, E: Any, e: np.ndarray, F: Any, f: np.ndarray,
    M: dict[tuple[int, int], Fraction], M_float: Any, sign: int, tol: float,
) -> tuple[list[Fraction], list[Fraction]] | None:
    """Rational (x, v) with the same tight constraints as the float vertex of
    ``max fᵀv s.t. Fᵀv − sign·Mᵀx ≤ 0, Ex = e, x ≥ 0`` (``sign = -1`` flips to the min problem)."""
    nx, nv = len(x), len(v)
    # sequences at 0 in the vertex are 0 in the exact solution too: substitute them out
    zero = x <= tol
    rows: list[dict[int, Fraction]] = []
    rhs: list[Fraction] = []
    Ec = E.tocsr()
    for i in range(Ec.shape[0]):
        lo, hi = Ec.indptr[i], Ec.indptr[i + 1]
        rows.append({int(j): _integer(val) for j, val in zip(Ec.indices[lo:hi], Ec.data[lo:hi], strict=True)
                     if not zero[j]})
        rhs.append(_integer(e[i]))
    by_col: dict[int, list[tuple[int, Fraction]]] = {}
    for (i, j), val in M.items():
        if not zero[i]:
            by_col.setdefault(j, []).append((i, val))
    Ft = F.T.tocsr()
    slack = Ft @ v - sign * (M_float.T @ x)
    scale = max(1.0, float(np.abs(v).max(initial=0.0)))
    tight = np.flatnonzero(np.abs(slack) <= tol * scale)
    for j in tight:
        row: dict[int, Fraction] = {}
        lo, hi = Ft.indptr[j], Ft.indptr[j + 1]
        for k, val in zip(Ft.indices[lo:hi], Ft.data[lo:hi], strict=True):
            row[nx + int(k)] = row.get(nx + int(k), Fraction(0)) + _integer(val)
        for i, val in by_col.get(int(j), ()):
            row[i] = row.get(i, Fraction(0)) - sign * val
        rows.append(row)
        rhs.append(Fraction(0))
    sol = _solve_exact(rows, rhs, nx + nv)
    if sol is None:
        return None
    xs, vs = sol[:nx], sol[nx:]
    if any(val < 0 for val in xs):
        return None
    # feasibility of every inequality, exactly
    Mx: dict[int, Fraction] = {}
    for (i, j), val in M.items():
        if xs[i]:
            Mx[j] = Mx.get(j, Fraction(0)) + val * xs[i]
    for j in range(Ft.shape[0]):
        lo, hi = Ft.indptr[j], Ft.indptr[j + 1]
        lhs = sum((_integer(val) * vs[int(k)] for k, val in zip(Ft.indices[lo:hi], Ft.data[lo:hi],
                                                                           strict=True)), Fraction(0))
        if lhs - sign * Mx.get(j, Fraction(0)) > 0:
            return None
    return xs, vs


def _exact_solution(
    game: ExtensiveFormGame, sf: SequenceForm, plans: Sequence[np.ndarray], duals: Sequence[np.ndarray],
    A: Any, unit: float,
) -> tuple[np.ndarray, Fraction, np.ndarray] | None:
    """The exact equilibrium, value and expected payoffs near the float vertices of the LPs on
    ``A = payoff / unit``. NashConv is checked as best-response values minus expected payoffs, the
    same sum `equilibria.nash_conv` forms, keeping the payoffs so they are computed once."""
    from ..metrics import best_response_values

    M = _exact_matrix(game, sf, unit)
    Mt = {(j, i): val for (i, j), val in M.items()}
    E, F = sf.constraints
    e, f = sf.rhs
    for tol in _TIGHT_TOLERANCES:
        first = _exact_vertex(plans[0], duals[0], E, e, F, f, M, A, 1, tol)
        second = _exact_vertex(plans[1], duals[1], F, f, E, e, Mt, A.T, -1, tol)
        if first is None or second is None:
            continue
        (x, v), (y, u) = first, second
        value = sum((_integer(fk) * vk for fk, vk in zip(f, v, strict=True) if fk), Fraction(0))
        value_2 = -sum((_integer(ek) * uk for ek, uk in zip(e, u, strict=True) if ek), Fraction(0))
        if value != value_2:
            continue
        policy = sf.to_policy([np.array(x, dtype=object), np.array(y, dtype=object)], exact=True)
        payoffs = game.expected_payoffs(policy, exact=True)
        gains = best_response_values(game, policy, exact=True) - payoffs
        if sum(gains[1:], gains[0]) == 0:
            return policy, value * Fraction(unit), payoffs
    return None


def _float_chance_nodes(game: ExtensiveFormGame) -> int:
    """How many chance nodes have probabilities stored as floats (read as decimals, see above)."""
    probs = game.exact_edge_chance_prob
    parents = {int(game.node_parent[v]) for v in range(1, game.num_nodes)
               if isinstance(probs[v], float) and game.node_player[game.node_parent[v]] == CHANCE}
    return len(parents)


@register_method("sequence-form-lp", families=("extensive_form",), certified=True)
def sequence_form_lp(game: ExtensiveFormGame, *, exact: bool = False) -> list[Solution]:
    """Nash equilibrium and value of a two-player zero-sum game by the sequence-form LP.

    Koller, Megiddo & von Stengel, "Fast Algorithms for Finding Randomized Strategies in Game
    Trees", STOC 1994; von Stengel, "Efficient Computation of Behavior Strategies", Games and
    Economic Behavior 1996. Solved with HiGHS (Huangfu & Hall 2018) through SciPy.

    Returns one `Solution` whose strategies are a behaviour policy ``(num_infosets, max_actions)``
    and whose ``info["value"]`` is player 1's game value. With ``exact=True`` the equilibrium and
    the value are rational and verified to have NashConv exactly 0.
    """
    exact = check_bool("exact", exact)
    game = _check_game(game)
    sf = game.sequence_form
    E, F = sf.constraints
    e, f = sf.rhs
    unit = power_of_two_scale(np.asarray(game.terminal_utility, dtype=float))
    A = sf.payoff[0] / unit  # exact: a power of two (see the module docstring)
    # player 2's LP is the dual: max_{y,u} -eᵀu  s.t.  Eᵀu − A y ≥ 0 ⇔ Eᵀ(-u) + A y ≤ 0, F y = f
    x, v, y, neg_u, value, dual_value = _sequence_form_lp(E, e, F, f, A)
    if abs(value - dual_value) > 1e-6:
        raise SolverError(
            f"the sequence-form LP's primal and dual disagree on the game value ({value * unit} vs "
            f"{dual_value * unit}); HiGHS returned an inaccurate solution"
        )
    value *= unit
    if exact:
        found = _exact_solution(game, sf, [x, y], [v, neg_u], A, unit)
        if found is None:
            raise SolverError(
                "could not recover an exact equilibrium from the floating-point LP vertex; "
                "solve without exact=True"
            )
        policy, exact_value, payoffs = found
        info: dict[str, Any] = {"value": exact_value}
        rounded = _float_chance_nodes(game)
        if rounded:
            info["exactness"] = (
                f"exact for the rational chance probabilities the game stores, not for fractions they may "
                f"be roundings of: at {rounded} chance node{'s' if rounded > 1 else ''} the probabilities "
                "are floats, read as their shortest decimal form (0.1 as 1/10) and rescaled to sum to "
                "exactly 1"
            )
        return [Solution(policy, payoffs, "sequence-form-lp", exact=True, info=info)]
    policy = sf.to_policy([np.maximum(x, 0.0), np.maximum(y, 0.0)])
    payoffs = game.expected_payoffs(policy)
    return [Solution(policy, payoffs, "sequence-form-lp", info={"value": value})]
