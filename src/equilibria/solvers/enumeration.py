"""All equilibria of two-player games: support enumeration and vertex enumeration.

Both methods rest on the best-response polytopes of a bimatrix game (A, B) with positive payoffs
(von Stengel 2007, §3.2)

    P = {x ∈ R^m : x ≥ 0, Bᵀx ≤ 1},        Q = {y ∈ R^n : Ay ≤ 1, y ≥ 0}.

A point of P has label i ∈ M = {0..m-1} when x_i = 0 and label m + j when (Bᵀx)_j = 1 (column j is a
best response to x); a point of Q has label m + j when y_j = 0 and label i when (Ay)_i = 1. A pair
(x, y) ≠ (0, 0) is *completely labelled* (every label in M ∪ N present) exactly when
(x / 1ᵀx, y / 1ᵀy) is a Nash equilibrium, and the *extreme* equilibria — the vertices of the
maximal Nash subsets, which is what Gambit's ``enummixed`` lists — are the completely labelled
pairs of vertices of P × Q (Mangasarian, "Equilibrium points of bimatrix games", J. SIAM 1964;
Avis, Rosenberg, Savani and von Stengel, "Enumeration of Nash equilibria for two-player games",
Economic Theory 2010).

A vertex of P with support F is the solution of ``B[F, J]ᵀ x_F = 1`` for some set J of |F| columns,
a *basis* (F, J); every vertex is defined by at least one nonsingular basis, and a basis is
feasible when x_F ≥ 0 and Bᵀx ≤ 1. Degenerate vertices (more than m labels) have several bases
and are merged by their label sets, since a vertex is determined by its label set. The feasible
bases are found in one of two ways:

- ``search="graph"`` (default): walk the graph whose edges are simplex pivots, starting at the
  origin. This graph is connected (Avis and Fukuda, Discrete Comput. Geom. 1992), so the walk
  meets every feasible basis and touches no infeasible one. Float mode refactorises the tableaux
  of one breadth-first level with one batched solve; exact mode pivots on integers (Edmonds 1967)
  and decides every ratio-test tie exactly.
- ``search="all"``: sweep all Σ_s C(m, s)·C(n, s) = C(m + n, m) − 1 bases, one batched LU solve per
  support size. In exact mode a float pass shortlists the bases feasible within a wide tolerance
  or numerically ill-conditioned, and each is then decided by fraction-free Bareiss elimination.
  This independent route is kept as a cross-check of the walk (see the tests).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import comb
from typing import Any

import numpy as np

from .._checks import check_bool, check_choice
from ..errors import DegenerateGameError
from ..registry import register_method
from ..solution import Solution
from ._pivoting import bareiss_solve, positive_float, positive_integer, two_player_bimatrix

#: float-mode tolerance for "z_i = 0" and "(Cᵀz)_j = 1" on the [1, 2]-scaled polytope
FLOAT_TOL = 1e-9
#: exact mode: bases feasible within this tolerance are verified exactly
SHORTLIST_TOL = 1e-5
#: |det| / Hadamard bound below which a basis is treated as singular (float) or checked exactly
SINGULAR_FLOAT = 1e-12
ILL_CONDITIONED = 1e-6
#: float graph search: tableau entries above this are pivot candidates
PIVOT_TOL = 1e-9
#: number of bases solved per batched LU call (bounds memory)
BATCH = 65536


@dataclass
class FeasibleBases:
    """The feasible bases of ``{z ≥ 0, Cᵀz ≤ 1}`` (C of shape d × e), one row per basis.

    ``support[k]`` (d,) and ``columns[k]`` (e,) are the basis (F, J) as masks, ``z[k]`` the vertex it
    defines (floats, or Fractions in exact mode) and ``labels[k]`` (d + e,) its labels: ``z_i = 0``
    for i < d, ``(Cᵀz)_j = 1`` for d + j.
    """

    support: np.ndarray
    columns: np.ndarray
    z: np.ndarray
    labels: np.ndarray


def _combos(k: int, s: int) -> np.ndarray:
    return np.array(list(combinations(range(k), s)), dtype=np.intp).reshape(-1, s)


def _conditioning(Mt: np.ndarray) -> np.ndarray:
    """|det| / Hadamard bound of each matrix: 0 when singular, 1 for orthogonal rows.

    Its inverse bounds the condition number up to a factor depending only on the size and the row
    norms (Hadamard's inequality on the adjugate), which lie in [1, 2]·√s on scaled payoffs.
    """
    det = np.abs(np.linalg.det(Mt))
    hadamard = np.prod(np.sqrt(np.einsum("kab,kab->ka", Mt, Mt)), axis=1)
    return det / hadamard


def _float_bases(C: np.ndarray, s: int, F: np.ndarray, J: np.ndarray, conditioning: bool
                 ) -> tuple[np.ndarray, ...]:
    """Solve ``C[F, J]ᵀ z_F = 1`` for every F in ``F`` and J in ``J`` (batched LU).

    Returns the flat pair indices (f, j), z (N, d), Cᵀz (N, e), the system matrices and, when
    ``conditioning`` is set or a system is singular, the ratio of `_conditioning` (0 for singular
    bases; otherwise None, and the caller rates only the bases it keeps).
    """
    d = C.shape[0]
    nF, nJ = len(F), len(J)
    # Mt[f, j, b, a] = C[F[f, a], J[j, b]]: row b of the system is column J_b of C restricted to F
    Mt = C[F[:, None, None, :], J[None, :, :, None]].reshape(nF * nJ, s, s)
    rhs = np.ones((nF * nJ, s, 1))
    ratio = None
    zF = None
    if not conditioning:
        try:
            zF = np.linalg.solve(Mt, rhs)[..., 0]
        except np.linalg.LinAlgError:  # an exactly singular basis: rate them all, solve the rest
            zF = None
    if zF is None:
        ratio = _conditioning(Mt)
        singular = ratio < SINGULAR_FLOAT
        Ms = Mt.copy()
        Ms[singular] = np.eye(s)
        zF = np.linalg.solve(Ms, rhs)[..., 0]
        ratio[singular] = 0.0
    z = np.zeros((nF * nJ, d))
    fi = np.repeat(np.arange(nF), nJ)
    ji = np.tile(np.arange(nJ), nF)
    z[np.arange(nF * nJ)[:, None], F[fi]] = zF
    return fi, ji, z, z @ C, Mt, ratio


def feasible_bases(C: np.ndarray, exact: bool = False, search: str = "graph") -> FeasibleBases:
    """All feasible bases of ``{z ≥ 0, Cᵀz ≤ 1}`` for a positive matrix C (d × e), origin excluded.

    By default the bases are found by walking the pivot graph (`_graph_search`, or
    `_graph_search_exact` with integer pivoting); ``search="all"`` sweeps all C(d + e, d) − 1 bases
    instead. Float mode works on the [1, 2]-scaled image of C with tolerance `FLOAT_TOL`; exact mode
    takes a Fraction matrix and decides feasibility and labels in integer arithmetic.
    """
    if search == "graph":
        if exact:
            return _graph_search_exact(positive_integer(C))
        return _graph_search(positive_float(np.asarray(C, dtype=float)))
    d, e = C.shape
    Cf = positive_float(np.asarray(C, dtype=float))
    Ci = positive_integer(C) if exact else None
    sup, cols, zs, labs = [], [], [], []
    for s in range(1, min(d, e) + 1):
        F_all, J = _combos(d, s), _combos(e, s)
        step = max(1, BATCH // len(J))
        for start in range(0, len(F_all), step):
            F = F_all[start:start + step]
            fi, ji, z, slack, Mt, ratio = _float_bases(Cf, s, F, J, conditioning=exact)
            if not exact:
                k = np.flatnonzero((z >= -FLOAT_TOL).all(1) & (slack <= 1 + FLOAT_TOL).all(1))
                # rate only the feasible few; a numerically singular basis defines no vertex
                r = ratio[k] if ratio is not None else _conditioning(Mt[k])
                k = k[r >= SINGULAR_FLOAT]
                Fm = np.zeros((len(k), d), dtype=bool)
                Fm[np.arange(len(k))[:, None], F[fi[k]]] = True
                Jm = np.zeros((len(k), e), dtype=bool)
                Jm[np.arange(len(k))[:, None], J[ji[k]]] = True
                sup.append(Fm)
                cols.append(Jm)
                zs.append(z[k])
                labs.append(np.hstack([np.abs(z[k]) <= FLOAT_TOL, slack[k] >= 1 - FLOAT_TOL]))
                continue
            loose = (z >= -SHORTLIST_TOL).all(1) & (slack <= 1 + SHORTLIST_TOL).all(1)
            shortlist = np.flatnonzero((ratio < ILL_CONDITIONED) | loose)
            for k in shortlist:
                rec = _exact_basis(Ci, F[fi[k]], J[ji[k]])
                if rec is not None:
                    sup.append(rec[0][None])
                    cols.append(rec[1][None])
                    zs.append(rec[2][None])
                    labs.append(rec[3][None])
    if not sup:
        return FeasibleBases(np.zeros((0, d), bool), np.zeros((0, e), bool),
                             np.zeros((0, d), dtype=object if exact else float), np.zeros((0, d + e), bool))
    return FeasibleBases(np.vstack(sup), np.vstack(cols), np.vstack(zs), np.vstack(labs))


def _graph_search(C: np.ndarray) -> FeasibleBases:
    """Feasible bases of ``{z ≥ 0, Cᵀz ≤ 1}`` found by walking the graph of simplex pivots.

    Two feasible bases are adjacent when one pivot of the tableau ``[Cᵀ | I | 1]`` leads from one
    to the other; this graph is connected (Avis and Fukuda, "A pivoting algorithm for convex hulls
    and vertex enumeration of arrangements and polyhedra", Discrete Comput. Geom. 8, 1992), so a
    search from the origin's basis meets every feasible basis while touching only feasible ones —
    a few hundred instead of the C(d + e, d) of the full sweep for 8 × 8 games. At a degenerate
    vertex the ratio test ties and every tied row is followed. Each tableau is refactorised from
    the original system, so rounding does not accumulate along the search; the search runs level by
    level (breadth first) with one batched solve and one batched ratio test per level.
    """
    d, e = C.shape
    T0 = np.hstack([C.T, np.eye(e), np.ones((e, 1))])
    frontier = np.arange(d, d + e)[None, :]          # the origin: all slacks basic
    origin = np.zeros(d + e, dtype=bool)
    origin[d:] = True
    seen = {bytes(np.packbits(origin))}
    sup, cols, zs, labs = [], [], [], []
    while len(frontier):
        K = len(frontier)
        rows = np.arange(K)[:, None]
        # refactorise every tableau of this level in one batched solve: T = B⁻¹ [Cᵀ | I | 1]
        T = np.linalg.solve(T0.T[frontier].transpose(0, 2, 1), np.broadcast_to(T0, (K, *T0.shape)))
        rhs = T[:, :, -1]
        inb = np.zeros((K, d + e), dtype=bool)
        inb[rows, frontier] = True
        nonbasic = np.flatnonzero(~inb).reshape(K, d) % (d + e)
        # the vertices (every basis but the origin's)
        kk, rr = np.nonzero(frontier < d)
        z = np.zeros((K, d))
        z[kk, frontier[kk, rr]] = rhs[kk, rr]
        Fm = np.zeros((K, d), dtype=bool)
        Fm[kk, frontier[kk, rr]] = True
        lab = ~inb
        k0, r0 = np.nonzero(rhs <= FLOAT_TOL)
        lab[k0, frontier[k0, r0]] = True
        vertex = Fm.any(1)
        sup.append(Fm[vertex])
        cols.append(~inb[vertex][:, d:])
        zs.append(z[vertex])
        labs.append(lab[vertex])
        # ratio test for every basis and entering column at once; every tied row is a pivot
        N = np.take_along_axis(T, nonbasic[:, None, :], axis=2)
        pos = N > PIVOT_TOL
        ratio = np.where(pos, rhs[:, :, None] / np.where(pos, N, 1.0), np.inf)
        ties = pos & (ratio <= ratio.min(axis=1, keepdims=True) + FLOAT_TOL)
        kk, rr, cc = np.nonzero(ties)
        enter = nonbasic[kk, cc]
        member = inb[kk]
        member[np.arange(len(kk)), frontier[kk, rr]] = False
        member[np.arange(len(kk)), enter] = True
        fresh = []
        for i, key in enumerate(map(bytes, np.packbits(member, axis=1))):
            if key not in seen:
                seen.add(key)
                fresh.append(i)
        frontier = frontier[kk[fresh]].copy()
        frontier[np.arange(len(fresh)), rr[fresh]] = enter[fresh]
    return FeasibleBases(np.vstack(sup), np.vstack(cols), np.vstack(zs), np.vstack(labs))


def _graph_search_exact(Ci: np.ndarray) -> FeasibleBases:
    """`_graph_search` in exact arithmetic, on a positive integer matrix ``Ci``.

    Integer pivoting (Edmonds 1967; von Stengel 2007, §3.5): a tableau is stored as integers
    ``D·T`` with D > 0 the determinant of its basis; the pivot on a positive entry T_rc is
    ``T_i ← (T_rc·T_i − T_ic·T_r) / D`` for i ≠ r, each division exact, and D ← T_rc. Ratio tests
    compare rationals exactly, so ties (degenerate vertices) are recognised exactly.
    """
    d, e = Ci.shape
    # the tableau as lists of Python integers: row j is [Ci[:, j] | unit vector | 1]
    T0 = [[int(v) for v in Ci[:, j]] + [int(j == k) for k in range(e)] + [1] for j in range(e)]
    basis0 = list(range(d, d + e))
    key0 = sum(1 << v for v in basis0)
    seen = {key0}
    stack = [(basis0, T0, 1, key0)]
    sup, cols, zs, labs = [], [], [], []
    while stack:
        basis, T, D, key = stack.pop()
        rhs = [row[-1] for row in T]
        nonbasic = [v for v in range(d + e) if not key >> v & 1]
        if any(v < d for v in basis):
            z = np.empty(d, dtype=object)
            z[:] = Fraction(0)
            Fm = np.zeros(d, dtype=bool)
            lab = np.zeros(d + e, dtype=bool)
            lab[nonbasic] = True
            for r, v in enumerate(basis):
                if v < d:
                    z[v] = Fraction(rhs[r], D)
                    Fm[v] = True
                if rhs[r] == 0:
                    lab[v] = True
            Jm = np.zeros(e, dtype=bool)
            Jm[[v - d for v in nonbasic if v >= d]] = True
            sup.append(Fm)
            cols.append(Jm)
            zs.append(z)
            labs.append(lab)
        for c in nonbasic:
            cand = [r for r in range(e) if T[r][c] > 0]
            # minimum ratio rhs_r / T_rc by cross-multiplication (all denominators positive)
            b = cand[0]
            for r in cand[1:]:
                if rhs[r] * T[b][c] < rhs[b] * T[r][c]:
                    b = r
            for r in cand:
                if rhs[r] * T[b][c] != rhs[b] * T[r][c]:
                    continue
                nkey = key ^ (1 << basis[r]) ^ (1 << c)
                if nkey in seen:
                    continue
                seen.add(nkey)
                pr = T[r]
                p = pr[c]
                Tn = [pr if i == r else [(p * a - t[c] * q) // D for a, q in zip(t, pr, strict=True)]
                      for i, t in enumerate(T)]
                nb = list(basis)
                nb[r] = c
                stack.append((nb, Tn, p, nkey))
    if not sup:
        return FeasibleBases(np.zeros((0, d), bool), np.zeros((0, e), bool), np.zeros((0, d), dtype=object),
                             np.zeros((0, d + e), bool))
    return FeasibleBases(np.array(sup), np.array(cols), np.array(zs, dtype=object), np.array(labs))


def _exact_basis(Ci: np.ndarray, F: np.ndarray, J: np.ndarray) -> tuple[np.ndarray, ...] | None:
    """The basis (F, J) of the integer polytope ``{z ≥ 0, Ciᵀz ≤ 1}`` decided exactly, or None."""
    d, e = Ci.shape
    sub = Ci[np.ix_(F, J)]
    sol = bareiss_solve(sub.T.tolist(), [1] * len(F))
    if sol is None:
        return None
    num, det = sol
    if any(v < 0 for v in num):
        return None
    # (Ciᵀz)_j · det for every column j; feasible iff each is ≤ det
    slack_num = [sum(int(Ci[f, j]) * v for f, v in zip(F, num, strict=True)) for j in range(e)]
    if any(v > det for v in slack_num):
        return None
    z = np.empty(d, dtype=object)
    z[:] = Fraction(0)
    zero = np.ones(d, dtype=bool)
    for f, v in zip(F, num, strict=True):
        z[f] = Fraction(v, det)
        zero[f] = v == 0
    Fm = np.zeros(d, dtype=bool)
    Fm[F] = True
    Jm = np.zeros(e, dtype=bool)
    Jm[J] = True
    tight = np.array([v == det for v in slack_num], dtype=bool)
    return Fm, Jm, z, np.concatenate([zero, tight])


def _unique_vertices(fb: FeasibleBases) -> tuple[np.ndarray, np.ndarray]:
    """Distinct vertices among the feasible bases: a vertex is determined by its label set."""
    if len(fb.labels) == 0:
        return fb.z, fb.labels
    _, first = np.unique(np.packbits(fb.labels, axis=1), axis=0, return_index=True)
    first.sort()
    return fb.z[first], fb.labels[first]


def _profile(zx: np.ndarray, zy: np.ndarray, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    if exact:
        sx, sy = sum(zx, Fraction(0)), sum(zy, Fraction(0))
        return np.array([v / sx for v in zx], dtype=object), np.array([v / sy for v in zy], dtype=object)
    return zx / zx.sum(), zy / zy.sum()


def _solution(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray, method: str, exact: bool,
              info: dict[str, Any]) -> Solution:
    if exact:
        payoffs = np.array([x @ A @ y, x @ B @ y], dtype=object)
    else:
        payoffs = np.array([x @ A @ y, x @ B @ y], dtype=float)
    return Solution([x, y], payoffs, method, exact=exact, info=info)


def _check_search(search: str) -> str:
    return check_choice("search", search, ("graph", "all"))


def _polytopes(A: np.ndarray, B: np.ndarray, exact: bool, search: str = "graph"
               ) -> tuple[FeasibleBases, FeasibleBases]:
    """Feasible bases of P (C = B) and of Q (C = Aᵀ), Q's labels renumbered to the game's labels."""
    m, n = A.shape
    fp = feasible_bases(B, exact, search)
    fq = feasible_bases(A.T, exact, search)
    # in Q, y_j = 0 is label m + j and (Ay)_i = 1 is label i
    fq.labels = np.hstack([fq.labels[:, n:], fq.labels[:, :n]])
    return fp, fq


def _bimatrix_polytopes(game: Any, method: str, exact: bool, search: Any) -> tuple[Any, Any, Any, Any]:
    """``(A, B)`` and the two best-response polytopes, ``search`` checked first."""
    search = _check_search(search)
    A, B = two_player_bimatrix(game, method, exact)
    return (A, B, *_polytopes(A, B, exact, search))


@register_method("vertex-enumeration", families=("normal_form",), certified=True)
def vertex_enumeration(game: Any, *, exact: bool = False, search: str = "graph") -> list[Solution]:
    """All extreme Nash equilibria of a two-player game, degenerate games included.

    Enumerates the vertices of both best-response polytopes P and Q and returns every completely
    labelled vertex pair (Mangasarian, J. SIAM 1964; Avis, Rosenberg, Savani and von Stengel,
    "Enumeration of Nash equilibria for two-player games", Economic Theory 42, 2010; von Stengel,
    Algorithmic Game Theory ch. 3, 2007). The result is the set Gambit's ``enummixed`` reports:
    the vertices of the maximal Nash subsets. With ``exact=True`` every vertex is computed and
    checked in rational arithmetic and the strategies and payoffs are Fractions. ``search`` picks
    how the vertices are found: ``"graph"`` (pivoting walk) or ``"all"`` (sweep of every basis).
    """
    t0 = time.perf_counter()
    exact = check_bool("exact", exact)
    A, B, fp, fq = _bimatrix_polytopes(game, "vertex-enumeration", exact, search)
    m, n = A.shape
    zx, lx = _unique_vertices(fp)
    zy, ly = _unique_vertices(fq)
    sols: list[Solution] = []
    if len(zx) and len(zy):
        full = np.packbits(np.ones(m + n, dtype=bool))
        kx, ky = np.packbits(lx, axis=1), np.packbits(ly, axis=1)
        complete = ((kx[:, None, :] | ky[None, :, :]) == full).all(-1)
        info = {"vertices": (len(zx), len(zy))}
        for a, b in zip(*np.nonzero(complete), strict=True):
            x, y = _profile(zx[a], zy[b], exact)
            sols.append(_solution(A, B, x, y, "vertex-enumeration", exact, dict(info)))
    seconds = time.perf_counter() - t0
    for s in sols:
        s.seconds = seconds
    return sols


@register_method("support-enumeration", families=("normal_form",), certified=True)
def support_enumeration(game: Any, *, exact: bool = False, search: str = "all") -> list[Solution]:
    """All Nash equilibria of a nondegenerate two-player game by enumerating supports of equal size.

    For every pair of supports I ⊆ rows, J ⊆ columns with |I| = |J| it solves the indifference
    equations ``B[I, J]ᵀx_I = 1`` and ``A[I, J] y_J = 1`` (after a positive shift of the payoffs) and
    keeps the pairs where x_I > 0, y_J > 0 and no action outside the supports earns more
    (Dickhaut and Kaplan, "A program for finding Nash equilibria", Mathematica J. 1991;
    Porter, Nudelman and Shoham, GEB 2008; von Stengel 2007, §3.3). All supports of one size are
    solved in one batched LU call.

    In a nondegenerate game every equilibrium has supports of equal size, so this finds all of
    them. The method also checks the game: if any vertex of a best-response polytope has more
    labels than its dimension — a mixed strategy with k actions in its support has more than k pure
    best responses — the game is degenerate, equilibria may have unequal supports or come in
    continua, and it raises `DegenerateGameError` pointing to ``vertex-enumeration``. The check is
    exact with ``exact=True`` and uses a 1e-9 tolerance (on payoffs scaled to [1, 2]) otherwise.
    ``search="all"`` (default) solves every support pair, as the method is defined;
    ``search="graph"`` visits only the feasible ones by pivoting (same answer, faster).
    """
    t0 = time.perf_counter()
    exact = check_bool("exact", exact)
    A, B, fp, fq = _bimatrix_polytopes(game, "support-enumeration", exact, search)
    m, n = A.shape
    for fb, dim, who in ((fp, m, "the row player"), (fq, n, "the column player")):
        over = np.flatnonzero(fb.labels.sum(1) > dim)
        if len(over):
            k = over[0]
            z = fb.z[k]
            supp = [i for i in range(len(z)) if z[i] != 0]
            raise DegenerateGameError(
                "the game is degenerate: a strategy of "
                f"{who} with support {supp} (size {len(supp)}) has more best responses than that, "
                "so equilibria may have supports of unequal size or form continua; use "
                "method='vertex-enumeration' (all extreme equilibria, exact with exact=True)"
            )
    # equilibria: a basis (I, J) of P with x_I > 0 matched with the basis (J, I) of Q with y_J > 0
    px = ~(fp.labels[:, :m] & fp.support).any(1)
    qy = ~(fq.labels[:, m:] & fq.support).any(1)
    index = {}
    for k in np.flatnonzero(qy):
        index[(fq.columns[k].tobytes(), fq.support[k].tobytes())] = k
    sols: list[Solution] = []
    for k in np.flatnonzero(px):
        q = index.get((fp.support[k].tobytes(), fp.columns[k].tobytes()))
        if q is None:
            continue
        x, y = _profile(fp.z[k], fq.z[q], exact)
        sols.append(_solution(A, B, x, y, "support-enumeration", exact,
                              {"support_size": int(fp.support[k].sum())}))
    seconds = time.perf_counter() - t0
    for s in sols:
        s.seconds = seconds
    return sols


def number_of_bases(m: int, n: int) -> int:
    """Σ_s C(m, s)·C(n, s) = C(m + n, m) − 1: the bases visited per polytope (Vandermonde)."""
    return comb(m + n, m) - 1
