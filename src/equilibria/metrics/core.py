"""The generic verification interface. Each game family registers its implementation.

These are `functools.singledispatch` functions on the game type, so ``nash_conv(game, profile)``
works for every family and new families plug in without touching callers.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

import numpy as np

from ..errors import NotApplicableError


def _missing(what: str, game: Any) -> NotApplicableError:
    return NotApplicableError(f"{what} is not defined for {type(game).__name__}")


@singledispatch
def deviation_gains(game: Any, profile: Any, *, exact: bool = False) -> np.ndarray:
    """``g[i] = max_{σ'_i} u_i(σ'_i, σ_{-i}) - u_i(σ)``: each player's gain from a best response."""
    raise _missing("deviation_gains", game)


@singledispatch
def best_response(game: Any, profile: Any, player: int, *, exact: bool = False) -> Any:
    """A best response of ``player`` to the others' strategies in ``profile``: that player's strategy
    in the family's per-player form, never a whole profile.

    - normal form: a one-hot probability vector of length ``num_actions[player]``;
    - extensive form: the player's behaviour-policy rows, shape
      ``(len(game.player_infosets[player]), game.max_actions)``, row r one-hot at information set
      ``game.player_infosets[player][r]`` (write it into a profile with
      ``sigma[game.player_infosets[player]] = br``);
    - Markov: a deterministic Markov policy ``(S, A_i)`` (``(H, S, A_i)`` with a finite horizon);
    - continuous: the player's block of the joint vector, a minimiser of its loss;
    - preference: a policy ``(X, K)`` (the Gibbs response, or an arg-max for β = 0).
    """
    raise _missing("best_response", game)


@singledispatch
def best_response_values(game: Any, profile: Any, *, exact: bool = False) -> np.ndarray:
    """``v[i] = max_{σ'_i} u_i(σ'_i, σ_{-i})``: the value of each player's best response."""
    raise _missing("best_response_values", game)


def nash_conv(game: Any, profile: Any, *, exact: bool = False) -> Any:
    """NashConv: the sum over players of the best-response gain. Zero exactly at a Nash equilibrium.

    In exact mode the result is a `fractions.Fraction`.
    """
    gains = deviation_gains(game, profile, exact=exact)
    return sum(gains[1:], gains[0]) if exact else float(np.sum(gains))


def exploitability(game: Any, profile: Any, *, exact: bool = False) -> Any:
    """Exploitability: the mean over players of the best-response gain, NashConv / n.

    This is OpenSpiel's convention, and the one meaning of the name in the library. It is defined
    where that mean is the field's measure of distance to equilibrium:

    - two-player zero-sum (or constant-sum) games: ``(br_1(σ_2) + br_2(σ_1)) / 2``; for a preference
      game (a symmetric constant-sum game) it is NashConv/2 of the game as it defines its payoffs,
      the β-regularised one, i.e. `metrics.preference.regularised_exploitability`;
    - one-player games (a bandit, an allocation problem, a policy against a verifier): the gap to the
      best policy, equal to NashConv;
    - mean-field games (``game.exploitability_is_mean_gain``): ``max_π' J(π', μ^π) − J(π, μ^π)``, the
      mean over populations (with one population, OpenSpiel's and MFGLib's exploitability; with
      several, OpenSpiel's ``NashConv`` is the sum, i.e. `nash_conv`).

    Elsewhere (general-sum games) it raises `NotApplicableError`: use `nash_conv`.
    """
    n = getattr(game, "num_players", 2)
    if n == 1 or getattr(game, "exploitability_is_mean_gain", False):
        return nash_conv(game, profile, exact=exact) / n
    if n != 2 or not getattr(game, "is_constant_sum", True):
        raise NotApplicableError(
            "exploitability is defined for two-player zero-sum, one-player and mean-field games; "
            "use nash_conv for others"
        )
    nc = nash_conv(game, profile, exact=exact)
    return nc / 2
