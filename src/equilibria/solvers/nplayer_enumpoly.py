"""``enumpoly``: the Nash equilibria of a small n-player game, support by support, as roots of polynomials.

On a support profile S = (S_1, …, S_n) an equilibrium with that support solves the square polynomial
system (McKelvey & McLennan, "Computation of equilibria in finite games", Handbook of Computational
Economics 1996, §5)

    u_i(a, σ_{-i}) − u_i(a_0^i, σ_{-i}) = 0     a ∈ S_i \\ {a_0^i},
    Σ_{a ∈ S_i} σ_i(a) − 1 = 0,                                      for every player i,

multilinear in the other players' probabilities, with σ ≥ 0 and no profitable deviation outside S.
Gambit's ``enumpoly`` solves these systems with its own polynomial solver; here each system is solved
by Newton's method from many random starts in the product of simplices, all supports of one shape in
one batched computation.
"""

from __future__ import annotations

import time
from itertools import combinations, product
from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_seed, check_size
from ..errors import SizeLimitError
from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv
from ..registry import register_method
from ..solution import Solution
from .nplayer_common import _LETTERS, payoff_range

#: a root is accepted when every equation holds to this (payoffs scaled to range 1)
RESIDUAL_TOL = 1e-11
#: probabilities this far below zero are rounding; further below, the root is outside the simplex
NEG_TOL = 1e-9
#: roots closer than this (max-norm) are the same equilibrium
DEDUP_TOL = 1e-7


def _subsets(k: int) -> list[tuple[int, ...]]:
    return [c for s in range(1, k + 1) for c in combinations(range(k), s)]


def _batched_system(Us: np.ndarray, x: np.ndarray, sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """F (B, K) and its Jacobian (B, K, K) for restricted payoff tensors ``Us`` (B, n, s_1…s_n)."""
    n = len(sizes)
    off = np.concatenate([[0], np.cumsum(sizes)])
    sig = [x[:, off[i]:off[i + 1]] for i in range(n)]
    B, K = x.shape
    F = np.empty((B, K))
    J = np.zeros((B, K, K))
    axes = _LETTERS[:n]
    for i in range(n):
        o, s = off[i], sizes[i]
        F[:, o + s - 1] = sig[i].sum(axis=1) - 1.0
        J[:, o + s - 1, o:o + s] = 1.0
        if s == 1:
            continue
        if n == 1:
            F[:, o:o + s - 1] = Us[:, 0, 1:] - Us[:, 0, :1]
        for j in range(n):
            if j == i:
                continue
            others = [k for k in range(n) if k not in (i, j)]
            spec = ",".join([f"z{axes}"] + [f"z{axes[k]}" for k in others]) + f"->z{axes[i]}{axes[j]}"
            T = np.einsum(spec, Us[:, i], *[sig[k] for k in others])  # (B, s_i, s_j)
            J[:, o:o + s - 1, off[j]:off[j + 1]] = T[:, 1:] - T[:, :1]
            if j == (i + 1) % n:
                d = np.einsum("zab,zb->za", T, sig[j])  # u_i(a, σ_{-i})
                F[:, o:o + s - 1] = d[:, 1:] - d[:, :1]
    return F, J


def _newton(Us: np.ndarray, x: np.ndarray, sizes: tuple[int, ...], max_iter: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched Newton iterations; returns the iterates, their residuals and Jacobian conditioning."""
    for _ in range(max_iter):
        F, J = _batched_system(Us, x, sizes)
        res = np.abs(F).max(axis=1)
        active = np.isfinite(res) & (res > RESIDUAL_TOL * 1e-2) & (np.abs(x).max(axis=1) < 1e6)
        if not active.any():
            break
        Ja, Fa = J[active], F[active]
        try:
            step = np.linalg.solve(Ja, Fa[..., None])[..., 0]
        except np.linalg.LinAlgError:
            # some system of the batch is singular (a support with no isolated root): a
            # Levenberg-Marquardt step with a tiny damping is Newton's step wherever J is regular
            JtJ = np.einsum("zki,zkj->zij", Ja, Ja) + 1e-13 * np.eye(Ja.shape[1])
            step = np.linalg.solve(JtJ, np.einsum("zki,zk->zi", Ja, Fa)[..., None])[..., 0]
        x = x.copy()
        x[active] -= step
    F, J = _batched_system(Us, x, sizes)
    res = np.abs(F).max(axis=1)
    with np.errstate(all="ignore"):
        sv = np.linalg.svd(J, compute_uv=False)
        cond = np.where(sv[:, 0] > 0, sv[:, -1] / np.maximum(sv[:, 0], 1e-300), 0.0)
    return x, res, cond


@register_method("enumpoly", families=("normal_form",), certified=True)
def enumpoly(game: NormalFormGame, *, starts: int = 16, max_iter: int = 60, seed: int | None = 0,
             max_supports: int = 200_000, tol: float | None = None) -> list[Solution]:
    """All Nash equilibria of a small n-player game that Newton's method finds on each support system.

    The idea of Gambit's ``enumpoly`` (McKelvey & McLennan, "Computation of equilibria in finite
    games", Handbook of Computational Economics 1996; Turocy, "Towards a black-box solver for finite
    games", 2008): enumerate every support profile and solve its polynomial system.

    1. Pure profiles (all supports of size one) are checked in one vectorised pass: a is an
       equilibrium iff ``u_i(a) = max_b u_i(b, a_{-i})`` for every i.
    2. The other support profiles are grouped by their sizes (s_1, …, s_n); for each group the
       restricted payoff tensors are stacked and the system above is solved by Newton's method from
       ``starts`` random points of the product of simplices per support, all at once
       (one batched ``einsum`` per player pair and iteration, one batched linear solve).
    3. A root is kept when its residual is below 1e-11 (payoffs scaled to range 1), its probabilities are
       non-negative, and its NashConv over the whole game (every deviation, also outside the support)
       is at most ``tol`` (default 1e-9 times the payoff range).
    4. Roots within 1e-7 of each other are one equilibrium; a root where the system's Jacobian is
       singular lies on a continuum of equilibria, and only the first such root of a support is kept
       (``info["isolated"]`` is False for it).

    Completeness: every profile returned is a verified equilibrium (soundness is guaranteed), but the
    list is complete only with high probability. Newton's method from random starts can miss a root
    whose basin is small; the number of isolated equilibria of a support is bounded by the system's
    multihomogeneous Bézout number (McKelvey & McLennan 1997), so a larger ``starts`` than that bound
    makes a miss unlikely, not impossible. This is where it simplifies Gambit, whose solver subdivides
    the simplex and certifies the roots it finds. The work is the product over players of
    (2^{A_i} − 1) supports; more than ``max_supports`` raises `SizeLimitError`.
    """
    t0 = time.perf_counter()
    starts = check_int("starts", starts, minimum=1, maximum=10_000)
    max_iter = check_int("max_iter", max_iter, minimum=1, maximum=10_000)
    seed = check_seed("seed", seed)
    max_supports = check_int("max_supports", max_supports, minimum=1, maximum=10**8)
    rng_payoff = payoff_range(game)
    tol_f = (1e-9 * max(rng_payoff, 1e-300)) if tol is None else check_positive("tol", tol)
    n, shape = game.num_players, game.num_actions
    count = int(np.prod([2 ** k - 1 for k in shape], dtype=object))
    if count > max_supports:
        raise SizeLimitError(
            f"enumpoly would examine {count} support profiles (the product of 2^A_i - 1), above "
            f"max_supports={max_supports}; raise max_supports or use simpdiv / gnm for one equilibrium")
    U = game.payoffs / rng_payoff if rng_payoff > 0 else np.zeros_like(game.payoffs)
    rng = np.random.default_rng(seed)
    found: list[tuple[list[np.ndarray], dict[str, Any]]] = []

    def add(prof: list[np.ndarray], info: dict[str, Any]) -> None:
        for q, _ in found:
            if max(float(np.abs(a - b).max()) for a, b in zip(prof, q, strict=True)) <= DEDUP_TOL:
                return
        found.append((prof, info))

    # 1. pure equilibria: best-response maxima along each player's own axis
    gains = np.zeros(shape)
    for i in range(n):
        gains = np.maximum(gains, U[i].max(axis=i, keepdims=True) - U[i])
    for a in np.argwhere(gains <= 0.0):
        prof = [np.eye(k)[ai] for k, ai in zip(shape, a, strict=True)]
        add(prof, {"support": [[int(ai)] for ai in a], "isolated": True})

    # 2. mixed supports, grouped by their sizes
    subsets = [_subsets(k) for k in shape]
    groups: dict[tuple[int, ...], list[tuple[tuple[int, ...], ...]]] = {}
    for sup in product(*subsets):
        sizes = tuple(len(s) for s in sup)
        if max(sizes) > 1:
            groups.setdefault(sizes, []).append(sup)
    for sizes, sups in groups.items():
        K = sum(sizes)
        G = len(sups)
        check_size(f"enumpoly batch of {G} supports x {starts} starts",
                   8.0 * G * starts * (n * float(np.prod(sizes)) + K * K * 3))
        Us = np.stack([U[(slice(None), *np.ix_(*sup))] for sup in sups])  # (G, n, s_1..s_n)
        Us = np.repeat(Us, starts, axis=0)
        x0 = np.concatenate([rng.dirichlet(np.ones(s), size=G * starts) for s in sizes], axis=1)
        x, res, cond = _newton(Us, x0, sizes, max_iter)
        off = np.concatenate([[0], np.cumsum(sizes)])
        ok = (res <= RESIDUAL_TOL) & (x.min(axis=1) >= -NEG_TOL)
        continuum: set[int] = set()
        for r in np.flatnonzero(ok):
            g = r // starts
            sup = sups[g]
            isolated = bool(cond[r] > 1e-8)
            if not isolated and g in continuum:
                continue
            prof = []
            for i in range(n):
                s = np.zeros(shape[i])
                s[list(sup[i])] = np.clip(x[r, off[i]:off[i + 1]], 0.0, None)
                prof.append(s / s.sum())
            if float(nash_conv(game, prof)) > tol_f:
                continue
            if not isolated:
                continuum.add(g)
            add(prof, {"support": [list(s) for s in sup], "isolated": isolated})
    seconds = time.perf_counter() - t0
    return [Solution(p, game.expected_payoffs(p), "enumpoly", seconds=seconds,
                     info={**info, "supports_examined": count}) for p, info in found]
