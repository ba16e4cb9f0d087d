"""Shared helpers of the two-player solvers: positive payoff matrices and exact integer linear algebra.

The two-player solvers work with the best-response polytopes of von Stengel (2007)

    P = {x ∈ R^m : x ≥ 0, Bᵀx ≤ 1},        Q = {y ∈ R^n : Ay ≤ 1, y ≥ 0},

which are bounded only when A and B are positive. A positive affine map ``a·U + b`` (a > 0) leaves
the Nash equilibria unchanged, so payoffs are first mapped to positive matrices:

- float mode: onto the interval [1, 2], which keeps every coordinate of P and Q in [0, 1], so one
  absolute tolerance fits every game;
- exact mode: onto positive *integers* (scale by the common denominator, shift to a minimum of 1),
  so that Bareiss elimination (Bareiss, "Sylvester's identity and multistep integer-preserving
  Gaussian elimination", Math. Comp. 1968) and the integer pivoting of Edmonds ("Systems of distinct
  representatives and linear algebra", J. Res. NBS 1967) run on Python integers without fractions.

Reference: B. von Stengel, "Equilibrium computation for two-player games in strategic and
extensive form", ch. 3 of Algorithmic Game Theory (Nisan, Roughgarden, Tardos, Vazirani eds.),
Cambridge University Press, 2007.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import NotApplicableError, SolverError
from ..games.normal_form import NormalFormGame

#: ratios within this (relative) of the minimum tie, then broken lexicographically
TIE_TOL = 1e-11


def lexmin_ratio_row(num: np.ndarray, den: np.ndarray, rows: np.ndarray, lex: np.ndarray) -> int:
    """The float lexicographic minimum-ratio test: the row of ``rows`` whose vector
    ``(num, lex[r, 0], lex[r, 1], ...) / den[r]`` is lexicographically smallest (ties within
    `TIE_TOL` relative). `SolverError` when the columns of ``lex`` do not resolve the tie (a
    singular tableau); shared by Lemke-Howson and Lemke's LCP method."""
    vals = num[rows] / den[rows]
    best = vals.min()
    rows = rows[vals <= best + TIE_TOL * max(1.0, abs(best))]
    c = 0
    while len(rows) > 1:
        if c == lex.shape[1]:
            raise SolverError("lexicographic ties did not resolve (a singular tableau)")
        vals = lex[rows, c] / den[rows]
        best = vals.min()
        rows = rows[vals <= best + TIE_TOL * max(1.0, abs(best))]
        c += 1
    return int(rows[0])


def two_player_bimatrix(game: Any, method: str, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(A, B)`` of a two-player `NormalFormGame`, or `NotApplicableError` naming ``method``."""
    if not isinstance(game, NormalFormGame):
        raise NotApplicableError(
            f"{method} solves two-player normal-form games; got a {type(game).__name__}"
        )
    if game.num_players != 2:
        raise NotApplicableError(
            f"{method} solves two-player games; this game has {game.num_players} players "
            "(use an n-player method such as logit-qre-path)"
        )
    return game.bimatrix(exact=exact)


def positive_float(M: np.ndarray) -> np.ndarray:
    """The positive affine image of ``M`` with entries in [1, 2] (all ones for a constant matrix)."""
    M = np.asarray(M, dtype=float)
    lo, hi = M.min(), M.max()
    if hi == lo:
        return np.ones_like(M)
    return (M - lo) / (hi - lo) + 1.0


def positive_integer(M: np.ndarray) -> np.ndarray:
    """The positive affine image ``D·(M − min M) + 1`` of a Fraction matrix, as Python integers.

    ``D`` is the least common denominator of the entries, so the image is integral.
    """
    flat = [Fraction(v) for v in np.asarray(M, dtype=object).reshape(-1)]
    den = 1
    for v in flat:
        den = math.lcm(den, v.denominator)
    lo = min(flat)
    ints = [int((v - lo) * den) + 1 for v in flat]
    out = np.empty(len(ints), dtype=object)
    out[:] = ints
    return out.reshape(np.shape(M))


def bareiss_solve(M: list[list[int]], b: list[int]) -> tuple[list[int], int] | None:
    """Solve the integer system ``M z = b`` exactly: ``z = num / det``, with ``det > 0``.

    Fraction-free Gaussian elimination (Bareiss 1968): every intermediate entry is a minor of the
    augmented matrix, so each division is exact and the numbers stay as short as Cramer's rule
    allows. Returns ``None`` when ``M`` is singular.
    """
    s = len(M)
    T = [list(row) + [bi] for row, bi in zip(M, b, strict=True)]
    prev = 1
    for k in range(s):
        p = k
        while p < s and T[p][k] == 0:
            p += 1
        if p == s:
            return None
        if p != k:  # a row swap flips the sign of det, and num with it: z = num/det is unchanged
            T[k], T[p] = T[p], T[k]
        Tk = T[k]
        pk = Tk[k]
        for i in range(k + 1, s):
            Ti = T[i]
            f = Ti[k]
            T[i] = [(pk * Ti[j] - f * Tk[j]) // prev for j in range(s + 1)]
        prev = pk
    det = T[s - 1][s - 1]
    # back substitution with numerators over the common denominator det
    num = [0] * s
    for i in range(s - 1, -1, -1):
        acc = T[i][s] * det
        for j in range(i + 1, s):
            acc -= T[i][j] * num[j]
        num[i] = acc // T[i][i]
    if det < 0:
        det = -det
        num = [-v for v in num]
    return num, det
