"""The Lemke-Howson algorithm for two-player games, with lexicographic pivoting.

Lemke and Howson ("Equilibrium points of bimatrix games", J. SIAM 12, 1964) follow a path of
*almost completely labelled* pairs in the best-response polytopes (payoffs made positive)

    P = {x ≥ 0 : Bᵀx + s = 1, s ≥ 0},        Q = {y ≥ 0 : Ay + r = 1, r ≥ 0},

starting at the artificial equilibrium (0, 0) and dropping one label k: x_k (k < m) or y_{k-m}
enters its tableau; the variable that leaves has a label that is now present twice, so its
complement enters the *other* tableau, and so on until the variable with label k leaves. The
endpoint is completely labelled: a Nash equilibrium.

Each tableau is the system ``[Bᵀ | I | 1]`` (resp. ``[A | I | 1]``) kept in basic form. Ties in the
minimum-ratio test (degenerate games) are broken lexicographically: the right-hand side is
perturbed by (ε, ε², …), whose coefficients are the tableau's slack columns (the basis inverse),
so the path is unique and the algorithm terminates on every game (von Stengel, "Equilibrium
computation for two-player games in strategic and extensive form", Algorithmic Game Theory
ch. 3, §3.5–3.7, Cambridge University Press 2007).

- Float mode pivots a float64 tableau with one rank-1 NumPy update per pivot. The answer is then
  checked (every action in a support must be a best response within 1e-9 on the [1, 2]-scaled
  payoffs); if the check fails or the pivot budget runs out, the game is solved again exactly.
- Exact mode uses *integer pivoting* (Edmonds 1967; von Stengel 2007, §3.5): the tableau holds
  integers ``D·T`` with D the current basis determinant, every update
  ``T_i ← (T_rc·T_i − T_ic·T_r) / D`` divides exactly, and the strategies are Fractions.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_bool, check_int
from ..errors import SolverError
from ..registry import register_method
from ..solution import Solution
from ._pivoting import lexmin_ratio_row, positive_float, positive_integer, two_player_bimatrix

#: float mode: a column entry must exceed this to be a pivot candidate
PIVOT_TOL = 1e-12
#: float mode: equilibrium check tolerance on the [1, 2]-scaled payoffs
CHECK_TOL = 1e-9


class _Numerics(Exception):
    """The float path cannot vouch for its answer; the caller re-solves exactly."""


def _lex_min_ratio_float(T: np.ndarray, c: int, slack0: int) -> int:
    """Row of the lexicographic minimum ratio test for entering column ``c`` (float tableau)."""
    col = T[:, c]
    rows = np.flatnonzero(col > PIVOT_TOL)
    if len(rows) == 0:
        raise _Numerics("no pivot row: the polytope looks unbounded")
    # the right-hand side stays ≥ 0 along the path, so the first ratios are ≥ 0
    try:
        return lexmin_ratio_row(T[:, -1], col, rows, T[:, slack0:-1])
    except SolverError:
        raise _Numerics("lexicographic ties did not resolve") from None


def _lex_min_ratio_exact(T: np.ndarray, c: int, slack0: int) -> int:
    """Row of the lexicographic minimum ratio test in an integer tableau (exact comparisons)."""
    col = T[:, c]
    rows = [i for i in range(T.shape[0]) if col[i] > 0]
    if not rows:
        raise SolverError("Lemke-Howson found no pivot row; the polytope is unbounded (a bug)")
    for j in [T.shape[1] - 1, *range(slack0, T.shape[1] - 1)]:
        ratios = [Fraction(int(T[i, j]), int(col[i])) for i in rows]
        best = min(ratios)
        rows = [i for i, q in zip(rows, ratios, strict=True) if q == best]
        if len(rows) == 1:
            return rows[0]
    raise SolverError("lexicographic ratio test left a tie; the tableau is singular (a bug)")


def _tableaux(Apos: np.ndarray, Bpos: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X = [Bᵀ | I_n | 1]`` (columns x_0..x_{m-1}, s_0..s_{n-1}) and ``Y = [A | I_m | 1]``
    (columns y_0..y_{n-1}, r_0..r_{m-1}).

    In X, column c carries label c; in Y, column j < n (y_j) carries label m + j and column n + i
    (r_i) label i.
    """
    m, n = Apos.shape
    if dtype is object:
        X = np.zeros((n, m + n + 1), dtype=object)
        Y = np.zeros((m, n + m + 1), dtype=object)
        X[:] = 0
        Y[:] = 0
        X[:, :m] = Bpos.T
        Y[:, :n] = Apos
        one = 1
    else:
        X = np.zeros((n, m + n + 1))
        Y = np.zeros((m, n + m + 1))
        X[:, :m] = Bpos.T
        Y[:, :n] = Apos
        one = 1.0
    X[np.arange(n), m + np.arange(n)] = one
    Y[np.arange(m), n + np.arange(m)] = one
    X[:, -1] = one
    Y[:, -1] = one
    return X, Y


def _follow_path(Apos: np.ndarray, Bpos: np.ndarray, k: int, exact: bool, max_pivots: int
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow the path that drops label ``k`` from (0, 0); return the unnormalised (x, y) and the
    number of pivots. The returned vectors are floats, or Python integers sharing one denominator
    per player in exact mode."""
    m, n = Apos.shape
    X, Y = _tableaux(Apos, Bpos, object if exact else float)
    basis = [np.arange(m, m + n), np.arange(n, n + m)]   # slacks s (X) and r (Y) start basic
    tabs = [X, Y]
    dets = [1, 1]
    slack0 = (m, n)
    # the column of label l in tableau t
    col_of = (lambda l: l, lambda l: l - m if l >= m else l + n)
    label_of = (lambda c: c, lambda c: c + m if c < n else c - n)
    t = 0 if k < m else 1
    label = k
    pivots = 0
    while True:
        T = tabs[t]
        c = col_of[t](label)
        if exact:
            r = _lex_min_ratio_exact(T, c, slack0[t])
            row = T[r].copy()
            colc = T[:, c].copy()
            T = (T * row[c] - np.outer(colc, row)) // dets[t]
            T[r] = row
            dets[t] = row[c]
            tabs[t] = T
        else:
            r = _lex_min_ratio_float(T, c, slack0[t])
            row = T[r] / T[r, c]
            T -= np.outer(T[:, c], row)
            T[r] = row
        pivots += 1
        leaving = int(basis[t][r])
        basis[t][r] = c
        label = label_of[t](leaving)
        if label == k:
            break
        if pivots >= max_pivots:
            raise _Numerics(f"no equilibrium after {max_pivots} pivots")
        t = 1 - t
    X, Y = tabs
    x = np.zeros(m, dtype=object if exact else float)
    y = np.zeros(n, dtype=object if exact else float)
    if exact:
        x[:] = 0
        y[:] = 0
    bx, by = basis
    sel = bx < m
    x[bx[sel]] = X[sel, -1]
    sel = by < n
    y[by[sel]] = Y[sel, -1]
    return x, y, pivots


def _is_equilibrium_float(Apos: np.ndarray, Bpos: np.ndarray, x: np.ndarray, y: np.ndarray) -> bool:
    if not (np.all(x >= -CHECK_TOL) and np.all(y >= -CHECK_TOL)) or x.sum() <= 0 or y.sum() <= 0:
        return False
    x, y = x / x.sum(), y / y.sum()
    Ay, xB = Apos @ y, x @ Bpos
    return bool(Ay.max() - x @ Ay <= CHECK_TOL and xB.max() - xB @ y <= CHECK_TOL)


def _normalise_exact(v: np.ndarray) -> np.ndarray:
    total = sum(int(a) for a in v)
    out = np.empty(len(v), dtype=object)
    out[:] = [Fraction(int(a), total) for a in v]
    return out


def _solve_label(game: Any, A: np.ndarray, B: np.ndarray, k: int, exact: bool, max_pivots: int
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """One Lemke-Howson path; float mode falls back to exact pivoting when numerics look unsafe."""
    if not exact:
        Apos, Bpos = positive_float(A), positive_float(B)
        try:
            x, y, piv = _follow_path(Apos, Bpos, k, False, max_pivots)
            if _is_equilibrium_float(Apos, Bpos, x, y):
                x, y = np.maximum(x, 0.0), np.maximum(y, 0.0)
                return x / x.sum(), y / y.sum(), {"label": k, "pivots": piv, "arithmetic": "float"}
        except _Numerics:
            pass
    Afr, Bfr = game.bimatrix(exact=True)
    xi, yi, piv = _follow_path(positive_integer(Afr), positive_integer(Bfr), k, True, 10**9)
    x, y = _normalise_exact(xi), _normalise_exact(yi)
    info = {"label": k, "pivots": piv, "arithmetic": "integer"}
    if exact:
        return x, y, info
    info["fallback"] = True
    return np.array(x, dtype=float), np.array(y, dtype=float), info


@register_method("lemke-howson", families=("normal_form",), certified=True)
def lemke_howson(game: Any, *, exact: bool = False, label: int = 0, all_labels: bool = False,
                 max_pivots: int = 100_000) -> list[Solution]:
    """One Nash equilibrium of a two-player game by the Lemke-Howson algorithm.

    Lemke and Howson, "Equilibrium points of bimatrix games", J. SIAM 12 (1964); lexicographic
    degeneracy resolution and integer pivoting as in von Stengel, "Equilibrium computation for
    two-player games in strategic and extensive form", Algorithmic Game Theory ch. 3 (2007).

    ``label`` (0 … m+n−1; rows first, then columns) is the label dropped at the artificial
    equilibrium. ``all_labels=True`` follows the path of every label and returns the distinct
    equilibria found (in label order). ``exact=True`` pivots on integers and returns Fractions; in
    float mode an answer that fails its check, or a path longer than ``max_pivots``, is redone
    exactly.
    """
    t0 = time.perf_counter()
    exact = check_bool("exact", exact)
    all_labels = check_bool("all_labels", all_labels)
    max_pivots = check_int("max_pivots", max_pivots, minimum=1)
    A, B = two_player_bimatrix(game, "lemke-howson", False)
    m, n = A.shape
    label = check_int(f"label (rows 0..{m - 1}, then columns {m}..{m + n - 1})", label, minimum=0,
                      maximum=m + n - 1)
    Afr, Bfr = game.bimatrix(exact=True) if exact else (None, None)
    labels = range(m + n) if all_labels else [label]
    sols: list[Solution] = []
    seen: set[tuple] = set()
    for k in labels:
        x, y, info = _solve_label(game, A, B, k, exact, int(max_pivots))
        if exact:
            key = (tuple(x), tuple(y))
            payoffs = np.array([x @ Afr @ y, x @ Bfr @ y], dtype=object)
        else:
            key = (tuple(np.round(x, 9)), tuple(np.round(y, 9)))
            payoffs = np.array([x @ A @ y, x @ B @ y], dtype=float)
        if key in seen:
            continue
        seen.add(key)
        sols.append(Solution([x, y], payoffs, "lemke-howson", exact=exact, iterations=info["pivots"],
                             info=info))
    seconds = time.perf_counter() - t0
    for s in sols:
        s.seconds = seconds
    return sols
