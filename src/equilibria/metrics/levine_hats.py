"""Best responses and deviation gains for Levine's hat game (`equilibria.games.levine_hats`).

With the others' behaviour strategies fixed, player i's value of naming position k on observation
o is ``v_i(o, k) = 2^−nh Σ_{s_i} [hat k of s_i is black] Π_{j≠i} q_j(s)``, q_j the probability that
player j names a black hat in state s; a best response takes an arg-max position per observation
(the first one on ties). Everything is exact (`Fraction`) in exact mode.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_int
from ..games.levine_hats import LevineHatGame
from .core import best_response, best_response_values, deviation_gains


def position_values(game: LevineHatGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """(O, h) array of ``v_i(o, k)`` (unnormalised: counts over the 2^nh states, weighted by the
    others' black probabilities); divide by ``game.num_states`` for probabilities."""
    q = game.black_probabilities(profile, exact=exact)
    m, h = game.num_stacks, game.hats
    others = None
    for j, qj in enumerate(q):
        if j != player:
            others = qj if others is None else others * qj
    R = np.moveaxis(others, player, -1).reshape(-1, m)  # (O, own stack)
    bits = game.bits.astype(object) if exact else game.bits.astype(float)
    v = (R[:, :, None] * bits[None, :, :]).sum(axis=1)
    return v.reshape(game.num_observations, h)


def _br_value(game: LevineHatGame, profile: Any, player: int, exact: bool) -> Any:
    v = position_values(game, profile, player, exact=exact)
    best = v.max(axis=1).sum()
    return Fraction(best) / game.num_states if exact else float(best) / game.num_states


@best_response_values.register
def _br_values_hats(game: LevineHatGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    vals = [_br_value(game, profile, i, exact) for i in range(game.players)]
    return np.array(vals, dtype=object if exact else float)


@deviation_gains.register
def _gains_hats(game: LevineHatGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    w = game.win_probability(profile, exact=exact)
    if exact:
        return np.array([_br_value(game, profile, i, True) - w for i in range(game.players)], dtype=object)
    return np.maximum(np.array([_br_value(game, profile, i, False) - w for i in range(game.players)]), 0.0)


@best_response.register
def _br_hats(game: LevineHatGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """A pure best response (O, h): one-hot at the first position of largest value per observation."""
    player = check_int("player", player, minimum=0, maximum=game.players - 1)
    v = position_values(game, profile, player, exact=exact)
    best = np.array([int(np.argmax(row)) for row in v]) if exact else np.argmax(v, axis=1)
    return game.pure_profile([best] + [np.zeros(game.num_observations, int)] * (game.players - 1),
                             exact=exact)[0]


__all__ = ["position_values"]
