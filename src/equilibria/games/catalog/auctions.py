"""Bayesian auctions with independent private values (family ``auction``).

``auction:first_price``, ``auction:second_price``, ``auction:all_pay``, ``auction:third_price``: n
symmetric bidders (``bidders``) whose values follow ``values`` = ``uniform`` (on [low, high]),
``power`` (F(v) = ((v − low)/(high − low))^power), ``normal`` (N(mean, std²) truncated to [low, high])
or ``samples`` (the sample array ``samples``); ``reserve`` is the reserve price and ``grid`` the
number of grid values of each bid function (default 129: fine enough that smoothed-gradient's
temperature from its bias bound also smooths the grid's kinks, see `dynamics.auction`).
``bid_points`` and ``value_points`` set the resolution of the ε metric (best responses on that
many bids, that many own-value cells).

``auction:llg``: the LLG combinatorial auction (two local bidders with U[0, 1] values, one global
bidder with U[0, 2]) under the payment rule ``rule`` (`games.auction.LLGGame`); ``value_points``
is also the number of atoms of each opponent's value in the interim expectations.
"""

from __future__ import annotations

from typing import Any

from ..._checks import check_choice, check_int, check_real
from ...errors import InvalidGameError, InvalidParameterError
from ...registry import register_game
from ..auction import LLG_RULES, AuctionGame, LLGGame, make_distribution
from ._limits import call, check_bytes

MAX_VALUE = 1e6


def _build(
    name: str,
    mechanism: str,
    bidders: Any,
    values: Any,
    low: Any,
    high: Any,
    power: Any,
    mean: Any,
    std: Any,
    samples: Any,
    reserve: Any,
    grid: Any,
    bid_points: Any,
    value_points: Any,
) -> AuctionGame:
    bidders = check_int("bidders", bidders, minimum=3 if mechanism == "third_price" else 2, maximum=64)
    values = check_choice("values", values, ("uniform", "power", "normal", "samples"))
    low = check_real("low", low, minimum=0.0, maximum=MAX_VALUE)
    high = check_real("high", high, minimum=0.0, maximum=MAX_VALUE)
    if not high > low:
        raise InvalidParameterError(f"high must be greater than low, got low={low}, high={high}")
    power = check_real("power", power, minimum=0.05, maximum=100.0)
    if mean is not None:
        mean = check_real("mean", mean, minimum=-MAX_VALUE, maximum=MAX_VALUE)
    if std is not None:
        std = check_real("std", std, minimum=0.0, maximum=MAX_VALUE, strict_minimum=True)
    if values == "samples":
        if not isinstance(samples, (list, tuple)) or not samples:
            raise InvalidParameterError(
                "values=samples needs samples=[v1, v2, ...] (a non-empty list of numbers)"
            )
        if len(samples) > 1_000_000:
            raise InvalidParameterError(f"at most 1000000 samples, got {len(samples)}")
    elif samples is not None:
        raise InvalidParameterError(f"samples is only for values=samples, not values={values}")
    reserve = check_real("reserve", reserve, minimum=0.0, maximum=MAX_VALUE)
    grid = check_int("grid", grid, minimum=2, maximum=10_001)
    bid_points = check_int("bid_points", bid_points, minimum=11, maximum=200_001)
    value_points = check_int("value_points", value_points, minimum=10, maximum=200_001)
    # the metric's largest temporaries: bidders × (value_points × bid_points) utility matrices, and
    # the opponents' CDFs on (bid_points + value_points) points per segment of non-monotone bids
    check_bytes(
        call(name, bidders=bidders, grid=grid, bid_points=bid_points, value_points=value_points),
        8 * (3 * value_points * bid_points + 4 * bidders * (bid_points + value_points) * grid),
    )
    try:
        dist = make_distribution(values, low=low, high=high, power=power, mean=mean, std=std, samples=samples)
    except InvalidGameError as exc:
        raise InvalidParameterError(str(exc)) from None
    return AuctionGame(
        [dist] * bidders,
        mechanism,
        reserve=reserve,
        grid=grid,
        bid_points=bid_points,
        value_points=value_points,
        title=call(name, bidders=bidders, values=values),
    )


def _factory(mechanism: str, doc: str) -> Any:
    name = f"auction:{mechanism}"

    def factory(
        bidders: int = 3,
        values: str = "uniform",
        low: float = 0.0,
        high: float = 1.0,
        power: float = 2.0,
        mean: float | None = None,
        std: float | None = None,
        samples: list | None = None,
        reserve: float = 0.0,
        grid: int = 129,
        bid_points: int = 1001,
        value_points: int = 500,
    ) -> AuctionGame:
        return _build(
            name,
            mechanism,
            bidders,
            values,
            low,
            high,
            power,
            mean,
            std,
            samples,
            reserve,
            grid,
            bid_points,
            value_points,
        )

    factory.__doc__ = doc
    factory.__name__ = mechanism
    factory.__qualname__ = mechanism
    return register_game(name, family="auction")(factory)


first_price = _factory(
    "first_price",
    "First-price sealed-bid auction, symmetric private values; "
    "BNE (n−1)/n·v for U[0, 1] (Vickrey, J. Finance 1961).",
)
second_price = _factory(
    "second_price",
    "Second-price (Vickrey) auction; truthful bidding is an equilibrium (Vickrey, J. Finance 1961).",
)
all_pay = _factory("all_pay", "All-pay auction, symmetric private values; BNE (n−1)/n·vⁿ for U[0, 1].")
third_price = _factory(
    "third_price",
    "Third-price auction (n ≥ 3); BNE (n−1)/(n−2)·v for U[0, 1] (Kagel & Levin, Economic Journal 1993).",
)


@register_game("auction:llg", family="auction")
def llg(rule: str = "nearest-vcg", grid: int = 65, bid_points: int = 801, value_points: int = 300) -> LLGGame:
    """LLG combinatorial auction (two local bidders, one global) with payment rule first-price, vcg,
    nearest-vcg, nearest-zero (= proxy) or nearest-bid; known BNE under VCG and the core rules
    (Ausubel & Baranov, Int. J. Game Theory 2020; Goeree & Lien, Theoretical Economics 2016)."""
    rule = check_choice("rule", rule, LLG_RULES)
    grid = check_int("grid", grid, minimum=2, maximum=10_001)
    bid_points = check_int("bid_points", bid_points, minimum=11, maximum=20_001)
    value_points = check_int("value_points", value_points, minimum=10, maximum=2_001)
    # the largest temporaries: about 12 arrays of (bid_points + value_points) × value_points × 4 kinks
    # per local bidder, the global's value_points² atoms, and the (value_points × bid_points) utilities
    check_bytes(
        call("auction:llg", rule=rule, grid=grid, bid_points=bid_points, value_points=value_points),
        8 * (48 * (bid_points + value_points) * value_points + 4 * value_points**2)
        + 24 * value_points * bid_points,
    )
    return LLGGame(rule, grid=grid, bid_points=bid_points, value_points=value_points)
