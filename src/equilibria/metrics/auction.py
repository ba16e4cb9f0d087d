"""The ex-ante ε of an ε-Bayes-Nash equilibrium of an auction, its relative form, and revenue.

For a profile β of bid functions, bidder i's gain is

    ε_i = E_{V_i}[ max_{b ∈ B} u_i(b; V_i, β_{−i}) ] − E_{V_i}[ u_i(β_i(V_i); V_i, β_{−i}) ],

with u_i(b; v, β_{−i}) = v·x_i(b) − p_i(b) the interim utility of bidding b with value v, and B the
game's fine bid grid (``AuctionGame.bid_grid``; the current bid is also allowed, so ε_i ≥ 0 exactly).
``nash_conv`` = Σ_i ε_i; ``utility_loss`` is the relative form 1 − u_i(β)/u_i(BR) of Bichler et al.,
"Learning equilibria in symmetric auction games using artificial neural networks", Nature Machine
Intelligence 2021 (their L).

Cost of one evaluation, n bidders, G grid values per bid function, M bid-grid points, Q own-value
cells (``AuctionGame.bid_points``, ``value_points``), Y = M + Q:

- opponents' bid CDFs on the Y points: O(n² Y log G) for non-decreasing bid functions (one
  ``searchsorted``), O(n² Y G) otherwise (a sum over the grid's segments);
- win probabilities with ties O(n³ Y), payments O(n² Y);
- the best response for every own value: a (Q × M) arg-max per bidder, O(n Q M): this term
  dominates (defaults 500 × 1001: about 1.5 M multiply-adds per bidder). All of it is whole-array
  NumPy; the only Python loops are over the n bidders.

The LLG combinatorial auction (`games.auction.LLGGame`) uses the same ε, with its own interim
outcomes: O((M + Q) · Q · log Q) per local bidder (an interval sum over the global's sorted value
atoms for each atom of the other local's value), O(Q² log Q + M log Q) for the global bidder.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int
from ..errors import NotApplicableError
from ..games.auction import AuctionGame
from .core import best_response, best_response_values, deviation_gains


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("auction utilities are computed in floating point; drop --exact")


@deviation_gains.register
def _gains_auction(game: AuctionGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """ε_i: each bidder's ex-ante gain from a best response on the bid grid (see the module doc)."""
    _no_exact(exact)
    u, ubr, _ = game.utilities(profile)
    return np.maximum(ubr - u, 0.0)


@best_response_values.register
def _br_values_auction(game: AuctionGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """Each bidder's ex-ante utility of a best response (on the bid grid) to the others."""
    _no_exact(exact)
    return game.utilities(profile)[1]


@best_response.register
def _br_auction(game: AuctionGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """A best-response bid function of ``player``: at each of its grid values, the bid of the bid grid
    that maximises its interim utility (shape ``(grid,)``, like the player's strategy)."""
    _no_exact(exact)
    player = check_int("player", player, minimum=0, maximum=game.num_players - 1)
    prof = game.validate_profile(profile)
    g = game.grids[player]
    x, pay = game.interim_outcome(prof, player, game.bid_grid)
    return game.bid_grid[np.argmax(g[:, None] * x[None, :] - pay[None, :], axis=1)]


def epsilon(game: AuctionGame, profile: Any) -> np.ndarray:
    """ε_i of every bidder: the ex-ante ε of the ε-Bayes-Nash equilibrium is max_i ε_i."""
    return _gains_auction(game, profile)


def utility_loss(game: AuctionGame, profile: Any) -> np.ndarray:
    """The relative ε: L_i = 1 − u_i(β)/u_i(BR_i, β_{−i}) (0 where the best response earns nothing)."""
    u, ubr, _ = game.utilities(profile)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ubr > 0, 1.0 - u / np.where(ubr > 0, ubr, 1.0), 0.0)


def expected_revenue(game: AuctionGame, profile: Any) -> float:
    """The seller's expected revenue under ``profile`` (revenue equivalence: (n−1)/(n+1) at the
    equilibrium of every standard auction with n bidders with U[0, 1] values and no reserve)."""
    return game.expected_revenue(profile)


def distance_to_bne(game: AuctionGame, profile: Any) -> float | None:
    """L2 distance sqrt(Σ_i E[(β_i(V_i) − β*_i(V_i))²]) to the analytical equilibrium (None if unknown)."""
    return game.distance_to_equilibrium(profile)
