"""Market-equilibrium violations of Fisher markets, in money, through the shared metrics core.

For a profile of spending shares (see `equilibria.games.market`) the market clears by construction,
so the only way to miss an equilibrium is a buyer whose bundle is not optimal at the induced
prices. By homogeneity of CES utilities, the budget buyer i would need at prices ``p`` to reach
``u_i(x_i)`` is ``B_i · u_i(x_i) / u_i*(p)`` (its *money-metric utility*), so

    deviation_gains[i] = B_i · (1 − u_i(x_i) / u_i*(p))     (the money buyer i wastes)

is 0 exactly at an equilibrium, and `nash_conv` (their sum) is the total money wasted, at most
Σ B_i. A valued good with price 0 makes ``u_i* = ∞`` and the gain ``B_i``.

`market_violation` checks an explicit allocation and price vector (what the Eisenberg-Gale solver
returns) for all equilibrium conditions: clearing, budgets, optimal bundles.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int
from ..errors import InvalidStrategyError, NotApplicableError
from ..games.market import FisherMarket
from .core import best_response, best_response_values, deviation_gains


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("Fisher markets are evaluated in floating point; drop --exact")


def _shortfall(game: FisherMarket, utilities: np.ndarray, prices: np.ndarray) -> np.ndarray:
    best = game.optimal_utilities(prices)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(best), utilities / best, 0.0)
    return np.maximum(game.budgets * (1.0 - ratio), 0.0)


@deviation_gains.register
def _gains_market(game: FisherMarket, profile: Any, *, exact: bool = False) -> np.ndarray:
    """Per buyer, the money wasted: ``B_i (1 − u_i(x_i)/u_i*(p))`` at the induced prices."""
    _no_exact(exact)
    x, p = game.outcome(profile)
    return _shortfall(game, game.utilities(x), p)


@best_response_values.register
def _br_values_market(game: FisherMarket, profile: Any, *, exact: bool = False) -> np.ndarray:
    """In money-metric units the optimal bundle is worth the whole budget ``B_i``."""
    _no_exact(exact)
    game.validate_profile(profile)
    return game.budgets.copy()


@best_response.register
def _br_market(game: FisherMarket, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """Buyer ``player``'s optimal spending shares at the prices the profile induces (a price taker)."""
    _no_exact(exact)
    i = check_int("player", player, minimum=0, maximum=game.num_players - 1)
    _, p = game.outcome(profile)
    free = (p <= 0) & (game.valuations[i] > 0)
    if free.any():
        return free / free.sum()
    return game.demand_shares(p)[i]


def money_metric_payoffs(game: FisherMarket, profile: Any) -> np.ndarray:
    """``B_i u_i(x_i) / u_i*(p)``: the budget each buyer's bundle is worth at the induced prices."""
    return game.budgets - _gains_market(game, profile)


def market_violation(game: FisherMarket, allocation: Any, prices: Any) -> dict[str, Any]:
    """How far ``(allocation, prices)`` is from a market equilibrium, all in money.

    - ``"oversold"``: ``Σ_j p_j · max(0, Σ_i x_ij − s_j)`` (plus ``max(0, ·)`` in goods of price 0);
    - ``"unsold"``: ``Σ_j p_j · max(0, s_j − Σ_i x_ij)``, the value of goods with a price left unsold;
    - ``"overspent"``: ``Σ_i max(0, p·x_i − B_i)``;
    - ``"wasted"``: per buyer, ``B_i (1 − u_i(x_i)/u_i*(p))`` (0 for an optimal bundle);
    - ``"total"``: the sum of the four.
    """
    x = np.asarray(allocation, dtype=float)
    p = np.asarray(prices, dtype=float)
    if x.shape != game.valuations.shape or p.shape != (game.num_goods,):
        raise InvalidStrategyError(
            f"allocation must have shape {game.valuations.shape} and prices {(game.num_goods,)}; "
            f"got {x.shape} and {p.shape}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(p))) or np.any(x < 0) or np.any(p < 0):
        raise InvalidStrategyError("allocation and prices must be finite and non-negative")
    sold = x.sum(axis=0)
    excess = sold - game.supplies
    oversold = float(np.sum(np.where(p > 0, p, 1.0) * np.maximum(excess, 0.0)))
    unsold = float(np.sum(p * np.maximum(-excess, 0.0)))
    overspent = float(np.sum(np.maximum(x @ p - game.budgets, 0.0)))
    wasted = _shortfall(game, game.utilities(x), p)
    return {"oversold": oversold, "unsold": unsold, "overspent": overspent, "wasted": wasted,
            "total": oversold + unsold + overspent + float(wasted.sum())}
