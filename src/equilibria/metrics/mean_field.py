"""Exploitability of mean-field games in the shared verification core.

For a policy π of a `MeanFieldGame` with mean field μ^π (`MeanFieldGame.forward`), population k's
gain from deviating is ``max_π' J_k(π', μ^π) − J_k(π, μ^π)``: a representative agent is too small
to move μ, so the deviation is a best response in the MDP that μ^π induces (backward induction
with a finite horizon, policy iteration when discounted). With the game's entropy temperature
τ > 0 both values are the regularised ones and the best response is the soft one.

``equilibria.nash_conv(game, π)`` is the sum of the gains over populations: for one population it
*is* the MFG exploitability (Perrin et al., "Fictitious Play for Mean Field Games: Continuous Time
Analysis and Applications", NeurIPS 2020), and for several it is OpenSpiel's ``NashConv`` (the sum
over the populations' initial states). ``equilibria.exploitability(game, π)`` is the library's one
meaning of the name, the mean gain NashConv / K: with one population, the MFG exploitability.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError, NotApplicableError
from ..games.mean_field import MeanFieldGame
from .core import best_response, best_response_values, deviation_gains


def _float_only(exact: bool) -> None:
    if exact:
        raise InvalidParameterError("mean-field games are evaluated in floating point only (exact=False)")


@deviation_gains.register
def _(game: MeanFieldGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _float_only(exact)
    return game.exploitability_gaps(profile)


@best_response_values.register
def _(game: MeanFieldGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _float_only(exact)
    return game.evaluate(profile)["best_value"]


@best_response.register
def _(game: MeanFieldGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """Population ``player``'s best-response policy to μ^π: shape ``(H, S, A)`` (``(S, A)`` stationary)."""
    _float_only(exact)
    if not isinstance(player, (int, np.integer)) or not 0 <= player < game.num_populations:
        raise NotApplicableError(f"the game has populations 0..{game.num_populations - 1}, not {player!r}")
    return game.evaluate(profile)["best_response"][int(player)]

