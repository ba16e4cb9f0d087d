"""Shared arithmetic of the n-player solvers (simpdiv, gnm, ipa, enumpoly): batched payoff contractions,
regrets and the polishing of an approximate equilibrium on its support.

Every contraction is one ``np.einsum`` over the payoff tensor with a leading batch axis, so a solver
evaluates many profiles (Newton starts, grid points) in one call instead of looping over pure profiles.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv

_LETTERS = "abcdefghijklmnopqrstuvwxy"


def payoff_range(game: NormalFormGame) -> float:
    """The largest payoff minus the smallest over all players (Gambit's unit for ``maxregret``)."""
    u = game.payoffs
    return float(u.max() - u.min())


def deviation_batch(U: np.ndarray, sigs: list[np.ndarray]) -> list[np.ndarray]:
    """``d[i][z, a] = u_i(a, σ_{-i}^z)`` for a batch of profiles ``sigs[j]`` of shape (B, A_j).

    ``U`` has shape (n, A_1, …, A_n); one einsum per player.
    """
    n = len(sigs)
    if n > len(_LETTERS):
        raise ValueError("too many players for the einsum subscripts")
    axes = _LETTERS[:n]
    out = []
    for i in range(n):
        if n == 1:  # no opponent: the payoffs themselves, for every profile of the batch
            out.append(np.broadcast_to(U[0], (sigs[0].shape[0], *U[0].shape)).copy())
            continue
        ops = [f"{axes}"] + [f"z{axes[j]}" for j in range(n) if j != i]
        spec = ",".join(ops) + f"->z{axes[i]}"
        out.append(np.einsum(spec, U[i], *[sigs[j] for j in range(n) if j != i]))
    return out


def pair_batch(U: np.ndarray, sigs: list[np.ndarray], i: int, j: int) -> np.ndarray:
    """``T[z, a, b] = u_i(a, b, σ_{-ij}^z)``: player i's payoff tensor contracted with all but i and j."""
    n = len(sigs)
    axes = _LETTERS[:n]
    others = [k for k in range(n) if k not in (i, j)]
    if not others:  # two players: u_i itself, oriented (a_i, a_j), for every profile of the batch
        T = np.einsum(f"{axes}->{axes[i]}{axes[j]}", U[i])
        return np.broadcast_to(T, (sigs[0].shape[0], *T.shape)).copy()
    ops = [f"{axes}"] + [f"z{axes[k]}" for k in others]
    spec = ",".join(ops) + f"->z{axes[i]}{axes[j]}"
    return np.einsum(spec, U[i], *[sigs[k] for k in others])


def regrets(game: NormalFormGame, profile: list[np.ndarray]) -> np.ndarray:
    """Each player's regret ``max_a u_i(a, σ_{-i}) − u_i(σ)`` (≥ 0)."""
    dev = game.deviation_payoffs(profile)
    return np.array([max(float(d.max() - d @ s), 0.0) for d, s in zip(dev, profile, strict=True)])


def _refine(U: np.ndarray, support: list[np.ndarray], start: list[np.ndarray]) -> list[np.ndarray] | None:
    """Gauss-Newton on the Nash conditions restricted to ``support`` (payoffs ``U`` of range 1).

    Unknowns σ_i on S_i and v_i; equations ``u_i(a, σ_{-i}) = v_i`` (a ∈ S_i) and ``Σ σ_i = 1``
    (McKelvey & McLennan 1996, §5). Returns the profile, or None when it does not converge to a point
    of the product of simplices.
    """
    n = len(support)
    sizes = [len(S) for S in support]
    off = np.concatenate([[0], np.cumsum([k + 1 for k in sizes])])
    shape = U.shape[1:]

    def unpack(x: np.ndarray) -> list[np.ndarray]:
        out = []
        for i in range(n):
            s = np.zeros(shape[i])
            s[support[i]] = x[off[i]:off[i] + sizes[i]]
            out.append(s)
        return out

    x = np.zeros(off[-1])
    for i in range(n):
        x[off[i]:off[i] + sizes[i]] = start[i][support[i]] / max(start[i][support[i]].sum(), 1e-300)
    sig = unpack(x)
    d = deviation_batch(U, [s[None] for s in sig])
    for i in range(n):
        x[off[i + 1] - 1] = d[i][0] @ sig[i]
    prev = np.inf
    for it in range(30):
        sig = unpack(x)
        batch = [s[None] for s in sig]
        d = deviation_batch(U, batch)
        F = np.empty(off[-1])
        J = np.zeros((off[-1], off[-1]))
        for i in range(n):
            o, k, S = off[i], sizes[i], support[i]
            F[o:o + k] = d[i][0][S] - x[o + k]
            F[o + k] = x[o:o + k].sum() - 1.0
            J[o:o + k, o + k] = -1.0
            J[o + k, o:o + k] = 1.0
            for j in range(n):
                if j != i:
                    T = pair_batch(U, batch, i, j)[0]
                    J[o:o + k, off[j]:off[j] + sizes[j]] = T[np.ix_(S, support[j])]
        res = float(np.abs(F).max())
        if res <= 1e-15:
            break
        if it >= 3 and res > 0.5 * prev:  # not quadratic: the wrong support
            if res > 1e-12:
                return None
            break
        prev = res
        x = x - np.linalg.lstsq(J, F, rcond=None)[0]
        if not np.all(np.isfinite(x)):
            return None
    return support_profile(unpack(x))


def support_profile(sig: list[np.ndarray]) -> list[np.ndarray] | None:
    """A solved support system's probabilities as a profile: ``None`` if any is below −1e-9 or a
    player's sum is not positive; otherwise clipped at 0 and renormalised."""
    if any(s.min() < -1e-9 for s in sig):
        return None
    sig = [np.clip(s, 0.0, None) for s in sig]
    if any(s.sum() <= 0 for s in sig):
        return None
    return [s / s.sum() for s in sig]


def polish(game: NormalFormGame, profile: list[np.ndarray]) -> tuple[list[np.ndarray], bool]:
    """Newton's method on the equal-payoff conditions of the profile's apparent supports.

    Supports at several relative thresholds are tried; the refined profile with the smallest NashConv
    is returned if it improves on the input (``True``), else the input (``False``).
    """
    rng = payoff_range(game)
    best, best_nc, improved = profile, float(nash_conv(game, profile)), False
    if rng == 0.0:
        return best, improved
    U = game.payoffs / rng
    tried: set[bytes] = set()
    for threshold in (1e-2, 1e-4, 1e-6, 1e-8):
        support = [np.flatnonzero(s >= threshold * s.max()) for s in profile]
        key = b"|".join(s.tobytes() for s in support)
        if key in tried:
            continue
        tried.add(key)
        cand = _refine(U, support, profile)
        if cand is None:
            continue
        nc = float(nash_conv(game, cand))
        if nc < best_nc:
            best, best_nc, improved = cand, nc, True
    return best, improved


def as_float_profile(game: NormalFormGame, start: Any, name: str = "start") -> list[np.ndarray]:
    """A user-supplied starting profile, validated (probability vectors of the right lengths)."""
    from ..errors import InvalidParameterError, InvalidStrategyError

    try:
        prof = game.validate_profile(start)
    except InvalidStrategyError as exc:
        raise InvalidParameterError(f"{name}: {exc}") from None
    return [np.clip(np.asarray(s, dtype=float), 0.0, None) / np.clip(s, 0.0, None).sum() for s in prof]
