"""Best responses, NashConv and correlated-equilibrium gaps for normal-form games.

Everything is one tensor contraction per player; the exact path runs the same expressions on
object arrays of `Fraction`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_int
from .._numbers import fraction_array
from ..errors import InvalidStrategyError
from ..games.normal_form import NormalFormGame
from .core import best_response, best_response_values, deviation_gains


@best_response_values.register
def _br_values_nf(game: NormalFormGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    dev = game.deviation_payoffs(profile, exact=exact)
    return np.array([d.max() for d in dev], dtype=object if exact else float)


@deviation_gains.register
def _gains_nf(game: NormalFormGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    prof = game.validate_profile(profile, exact=exact)
    dev = game.deviation_payoffs(prof, exact=exact)
    gains = [d.max() - d @ s for d, s in zip(dev, prof, strict=True)]
    if exact:
        return np.array(gains, dtype=object)
    # a tiny negative number is rounding: a best response can never lose
    return np.maximum(np.array(gains, dtype=float), 0.0)


@best_response.register
def _br_nf(game: NormalFormGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """A pure best response of ``player``: a one-hot probability vector of length ``num_actions[player]``."""
    player = check_int("player", player, minimum=0, maximum=game.num_players - 1)
    dev = game.deviation_payoffs(profile, exact=exact)[player]
    a = int(np.argmax(dev))
    out = np.zeros(len(dev), dtype=object if exact else float)
    if exact:
        out[:] = Fraction(0)
        out[a] = Fraction(1)
    else:
        out[a] = 1.0
    return out


def best_response_sets(
    game: NormalFormGame, profile: Any, *, exact: bool = False, tol: float = 1e-9
) -> list[np.ndarray]:
    """For each player, the indices of all pure best responses (ties within ``tol``; none in exact mode)."""
    dev = game.deviation_payoffs(profile, exact=exact)
    if exact:
        return [np.flatnonzero(np.array([x == d.max() for x in d])) for d in dev]
    return [np.flatnonzero(d >= d.max() - tol) for d in dev]


def _validate_joint(game: NormalFormGame, joint: Any, exact: bool) -> np.ndarray:
    mu = fraction_array(joint) if exact else np.asarray(joint, dtype=float)
    if mu.shape != game.num_actions:
        raise InvalidStrategyError(f"a joint distribution has shape {game.num_actions}; got {mu.shape}")
    total = mu.sum()
    if exact:
        ok = total == 1 and all(x >= 0 for x in mu.flat)
    else:
        ok = bool(np.all(np.isfinite(mu))) and abs(total - 1) < 1e-6 and mu.min() > -1e-9
    if not ok:
        raise InvalidStrategyError("a joint distribution must be non-negative and sum to 1")
    return mu


def swap_regrets(game: NormalFormGame, joint: Any, *, exact: bool = False) -> list[np.ndarray]:
    """``R[i][a, b] = Σ_{a_{-i}} μ(a, a_{-i}) (u_i(b, a_{-i}) - u_i(a, a_{-i}))``.

    Player i's expected gain from playing b whenever recommended a. μ is a correlated equilibrium
    iff every entry is ≤ 0.
    """
    mu = _validate_joint(game, joint, exact)
    u = game.exact_payoffs if exact else game.payoffs
    out = []
    for i in range(game.num_players):
        # move player i's axis first, flatten the others
        ui = np.moveaxis(u[i], i, 0).reshape(game.num_actions[i], -1)
        mi = np.moveaxis(mu, i, 0).reshape(game.num_actions[i], -1)
        # gain[a, b] = Σ_c mi[a, c] * (ui[b, c] - ui[a, c])
        cross = mi @ ui.T
        own = (mi * ui).sum(axis=1)
        out.append(cross - own[:, None])
    return out


def ce_gap(game: NormalFormGame, joint: Any, *, exact: bool = False) -> Any:
    """Correlated-equilibrium gap: Σ_i Σ_a max_b R_i[a, b]^+.

    Zero exactly at a correlated equilibrium (Aumann 1974); it is the total a player could gain with
    the best swap function, summed over players, the CE analogue of NashConv.
    """
    total: Any = Fraction(0) if exact else 0.0
    for R in swap_regrets(game, joint, exact=exact):
        best = R.max(axis=1)
        total += sum(max(x, 0) for x in best) if exact else float(np.maximum(best, 0).sum())
    return total


def cce_gap(game: NormalFormGame, joint: Any, *, exact: bool = False) -> Any:
    """Coarse-correlated-equilibrium gap: Σ_i max_b (u_i(b, μ_{-i}) - u_i(μ))^+.

    Zero exactly at a coarse correlated equilibrium (Hannan 1957; Moulin & Vial 1978).
    """
    total: Any = Fraction(0) if exact else 0.0
    for R in swap_regrets(game, joint, exact=exact):
        # unconditional deviation to b: sum the conditional gains over recommendations a
        best = R.sum(axis=0).max()
        total += max(best, 0) if exact else max(float(best), 0.0)
    return total


def product_distribution(profile: Any) -> np.ndarray:
    """The joint distribution of independent mixed strategies (outer product)."""
    out = np.asarray(profile[0])
    for s in profile[1:]:
        out = np.multiply.outer(out, np.asarray(s))
    return out
