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
        ops = [f"{axes}"] + [f"z{axes[j]}" for j in range(n) if j != i]
        spec = ",".join(ops) + f"->z{axes[i]}"
        out.append(np.einsum(spec, U[i], *[sigs[j] for j in range(n) if j != i], optimize=True))
    return out


def pair_batch(U: np.ndarray, sigs: list[np.ndarray], i: int, j: int) -> np.ndarray:
    """``T[z, a, b] = u_i(a, b, σ_{-ij}^z)``: player i's payoff tensor contracted with all but i and j."""
    n = len(sigs)
    axes = _LETTERS[:n]
    others = [k for k in range(n) if k not in (i, j)]
    ops = [f"{axes}"] + [f"z{axes[k]}" for k in others]
    spec = ",".join(ops) + f"->z{axes[i]}{axes[j]}"
    return np.einsum(spec, U[i], *[sigs[k] for k in others], optimize=True)


def regrets(game: NormalFormGame, profile: list[np.ndarray]) -> np.ndarray:
    """Each player's regret ``max_a u_i(a, σ_{-i}) − u_i(σ)`` (≥ 0)."""
    dev = game.deviation_payoffs(profile)
    return np.array([max(float(d.max() - d @ s), 0.0) for d, s in zip(dev, profile, strict=True)])


def polish(game: NormalFormGame, profile: list[np.ndarray]) -> tuple[list[np.ndarray], bool]:
    """Newton's method on the equal-payoff conditions of the profile's apparent supports.

    Supports at several relative thresholds are tried; the refined profile with the smallest NashConv
    is returned if it improves on the input (``True``), else the input (``False``).
    """
    from .qre import _normalised, _refine_on_support

    U, rng = _normalised(game)
    best, best_nc, improved = profile, float(nash_conv(game, profile)), False
    if rng == 0.0:
        return best, improved
    tried: set[bytes] = set()
    for threshold in (1e-2, 1e-4, 1e-6, 1e-8):
        support = [np.flatnonzero(s >= threshold * s.max()) for s in profile]
        key = b"|".join(s.tobytes() for s in support)
        if key in tried:
            continue
        tried.add(key)
        cand = _refine_on_support(game, U, support, profile)
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
