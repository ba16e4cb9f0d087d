"""Reward gap and constraint violation of threshold policies in closed-loop fair lending.

For a `FairLendingGame` and a randomised threshold policy π (probability vector over thresholds):
``nash_conv(π) = max(0, R* − R(π)) + V(π)``, where R* is the steady-state reward of the best feasible
fixed threshold, R(π) the steady-state reward of π and V(π) its expected steady-state constraint
violation (`FairLendingGame.violation`), all per applicant at the closed loop's fixed point. The
metrics core's ``best_response`` is the one-hot best feasible threshold, ``best_response_values``
``[R*]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import NotApplicableError
from ..games.fair_lending import FairLendingGame
from .core import best_response, best_response_values, deviation_gains

__all__ = ["reward_gap"]


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("fair-lending games are evaluated in floating point; drop --exact")


def reward_gap(game: FairLendingGame, profile: Any) -> float:
    """``max(0, R* − R(π))``: the steady-state reward lost against the best feasible threshold."""
    _, best = game.best_feasible()
    return max(best - float(game.expected_payoffs(profile)[0]), 0.0)


@deviation_gains.register
def _gains_fair(game: FairLendingGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    return np.array([reward_gap(game, profile) + game.violation(profile)])


@best_response.register
def _br_fair(game: FairLendingGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    if player != 0:
        raise NotApplicableError(f"a fair-lending game has one player (0), not player {player}")
    game.validate_profile(profile)
    out = np.zeros(game.num_thresholds)
    out[game.best_feasible()[0]] = 1.0
    return out


@best_response_values.register
def _br_values_fair(game: FairLendingGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    game.validate_profile(profile)
    return np.array([game.best_feasible()[1]])
