"""Bayesian auctions: exact bid CDFs, known equilibria (ε = 0), closed-form ε and revenues, JSON, bad input.

Known values (U[0, 1] values, n bidders, no reserve unless said):
- first price: β(v) = (n−1)/n·v, each bidder's utility 1/(n(n+1)) (Krishna, "Auction Theory", 2nd ed.
  2010, §2.3); with reserve r and 2 bidders β(v) = (v² + r²)/(2v) and revenue (1 + 3r² − 4r³)/3 ... = 5/12
  at r = 1/2 (Myerson, "Optimal Auction Design", Math. Oper. Res. 1981: the optimal reserve is 1/2);
- all-pay: (n−1)/n·vⁿ; second price: truthful; third price: (n−1)/(n−2)·v (Kagel & Levin 1993);
- revenue equivalence: (n−1)/(n+1) (Vickrey 1961; Myerson 1981);
- against truthful opponents a first-price bidder's best response earns (n−1)^{n−1}/(nⁿ(n+1)) ex ante.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria import cli
from equilibria.api import load_game
from equilibria.errors import (
    InvalidGameError,
    InvalidParameterError,
    InvalidStrategyError,
    NotApplicableError,
)
from equilibria.games.auction import AuctionGame, Empirical, Power, TruncatedNormal, Uniform, bid_cdf
from equilibria.metrics import best_response, deviation_gains, nash_conv
from equilibria.metrics.auction import expected_revenue, utility_loss

SMALL = dict(bid_points=801, value_points=400)


def game(mechanism: str, n: int, dist=None, **kw) -> AuctionGame:
    opts = {**SMALL, **kw}
    return AuctionGame([dist or Uniform()] * n, mechanism, **opts)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_first_price_equilibrium_and_utilities(n):
    g = game("first_price", n)
    eq = g.equilibrium()
    np.testing.assert_allclose(eq[0], (n - 1) / n * g.grids[0], atol=1e-6)
    assert nash_conv(g, eq) <= 1e-7
    np.testing.assert_allclose(g.expected_payoffs(eq), 1 / (n * (n + 1)), rtol=1e-4)
    # truthful bidding: the best response to truthful opponents earns (n−1)^{n−1}/(nⁿ(n+1))
    gains = deviation_gains(g, g.uniform_profile())
    np.testing.assert_allclose(gains, (n - 1) ** (n - 1) / (n**n * (n + 1)), rtol=1e-3)


@pytest.mark.parametrize(
    "mechanism,n,bne",
    [
        ("first_price", 3, lambda v, n: (n - 1) / n * v),
        ("all_pay", 3, lambda v, n: (n - 1) / n * v**n),
        ("second_price", 3, lambda v, n: v),
        ("third_price", 4, lambda v, n: (n - 1) / (n - 2) * v),
        ("third_price", 3, lambda v, n: (n - 1) / (n - 2) * v),
    ],
)
def test_known_equilibria_have_zero_epsilon_and_revenue_equivalence(mechanism, n, bne):
    g = game(mechanism, n, grid=129)
    eq = g.equilibrium()
    np.testing.assert_allclose(eq[0], bne(g.grids[0], n), atol=2e-6)
    assert nash_conv(g, eq) <= 2e-5 * n  # all-pay: vⁿ is interpolated linearly between grid values
    assert expected_revenue(g, eq) == pytest.approx((n - 1) / (n + 1), abs=2e-4)
    assert np.all(utility_loss(g, eq) <= 1e-3)


def test_second_price_truthful_with_asymmetric_values_and_reserve():
    g = AuctionGame(
        [Uniform(0, 1), Power(3.0, 0, 2), TruncatedNormal(0.5, 0.2)], "second_price", reserve=0.3, **SMALL
    )
    assert np.all(deviation_gains(g, g.uniform_profile()) <= 1e-9)
    # a bidder who shades loses utility
    shaded = [0.5 * b for b in g.uniform_profile()]
    assert deviation_gains(g, shaded).min() > 1e-3


def test_first_price_reserve_closed_form_and_optimal_revenue():
    r = 0.5
    g = game("first_price", 2, reserve=r, grid=129)
    eq = g.equilibrium()
    v = g.grids[0]
    expected = np.where(v >= r, (v**2 + r**2) / (2 * np.maximum(v, 1e-12)), 0.0)
    np.testing.assert_allclose(eq[0], expected, atol=1e-5)
    assert nash_conv(g, eq) <= 1e-5
    assert expected_revenue(g, eq) == pytest.approx(5 / 12, abs=2e-4)
    # the second-price auction with the same reserve raises the same revenue (truthful bidding)
    g2 = game("second_price", 2, reserve=r)
    assert expected_revenue(g2, g2.uniform_profile()) == pytest.approx(5 / 12, abs=2e-4)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_power_values_first_price_closed_form(alpha):
    # F(v) = v^α: β(v) = α(n−1)/(α(n−1)+1)·v
    n = 3
    g = game("first_price", n, Power(alpha))
    eq = g.equilibrium()
    np.testing.assert_allclose(eq[0], alpha * (n - 1) / (alpha * (n - 1) + 1) * g.grids[0], atol=1e-4)
    assert nash_conv(g, eq) <= 1e-5


def test_general_formula_equilibria_are_equilibria():
    dist = TruncatedNormal(0.6, 0.2)
    for mech in ("first_price", "all_pay"):
        g = game(mech, 3, dist, grid=129)
        assert nash_conv(g, g.equilibrium()) <= 2e-4
        assert nash_conv(g, g.uniform_profile()) > 1e-2


def test_sample_values():
    # evenly spread samples define U[0, 1] exactly (the CDF interpolates the empirical one linearly)
    even = Empirical(np.linspace(0.0, 1.0, 101))
    np.testing.assert_allclose(even.cdf(np.array([0.25, 0.5])), [0.25, 0.5])
    g = game("first_price", 3, even)
    np.testing.assert_allclose(g.equilibrium()[0], 2 / 3 * g.grids[0], atol=1e-4)
    assert nash_conv(g, g.equilibrium()) <= 1e-6
    # rough samples: a piecewise-constant density with 300 pieces, resolved by 129 grid values only
    rough = Empirical(np.random.default_rng(0).beta(2, 3, 300))
    np.testing.assert_allclose(rough.cdf(rough.ppf(np.array([0.1, 0.5, 0.9]))), [0.1, 0.5, 0.9])
    g = game("first_price", 3, rough, grid=129)
    assert nash_conv(g, g.equilibrium()) <= 2e-3 < nash_conv(g, g.uniform_profile())


def test_ties_are_broken_uniformly():
    # everyone bids 0.3 whatever the value: a 0.3 bid wins with probability 1/3, 0.31 surely
    g = game("first_price", 3)
    flat = [np.full(g.grid_points, 0.3)] * 3
    x, pay = g.interim_outcome(flat, 0, np.array([0.29, 0.3, 0.31]))
    np.testing.assert_allclose(x, [0.0, 1 / 3, 1.0])
    np.testing.assert_allclose(pay, [0.0, 0.1, 0.31])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5), st.booleans(), st.integers(0, 2))
def test_bid_cdf_matches_dense_quadrature(bids, sort, which):
    """The exact segment formula against a dense midpoint rule over the values."""
    dist = [Uniform(), Power(2.0), TruncatedNormal(0.4, 0.3)][which]
    grid = np.linspace(dist.low, dist.high, 5)
    b = np.sort(bids) if sort else np.asarray(bids)
    y = np.linspace(-0.05, 1.05, 23)
    v, w = dist.quadrature(40_000)
    bv = np.interp(v, grid, b)
    for strict in (True, False):
        got = bid_cdf(dist, grid, b, y, strict)
        dense = ((bv[None, :] < y[:, None]) if strict else (bv[None, :] <= y[:, None])) @ w
        # flat segments put mass exactly at one level: compare away from it
        away = np.min(np.abs(y[:, None] - b[None, :]), axis=1) > 1e-9
        np.testing.assert_allclose(got[away], dense[away], atol=1e-4)


def test_best_response_to_truthful_opponents():
    g = game("first_price", 3)
    br = best_response(g, g.uniform_profile(), 1)
    assert br.shape == (g.grid_points,)
    np.testing.assert_allclose(br, 2 / 3 * g.grids[1], atol=2e-3)


def test_json_roundtrip_and_interpolation():
    g = load_game("auction:first_price(bidders=2, grid=9)")
    eq = g.equilibrium()
    data = json.loads(json.dumps(g.profile_to_json(eq)))
    assert set(data[0]) == {"grid", "bids"}
    back = g.profile_from_json(data)
    np.testing.assert_allclose(back[0], eq[0])
    coarse = [{"grid": [0.0, 1.0], "bids": [0.0, 0.5]}] * 2
    np.testing.assert_allclose(g.profile_from_json(coarse)[1], 0.5 * g.grids[1])
    for bad in (
        [{"grid": [0.0, 0.5], "bids": [0, 0.2]}] * 2,
        [{"grid": [0, 1], "bids": [0, 2.0]}] * 2,
        [{"grid": [1, 0], "bids": [0, 0.1]}] * 2,
        [{"bids": [0, 1]}] * 2,
        {"grid": []},
    ):
        with pytest.raises(InvalidStrategyError):
            g.profile_from_json(bad)
    with pytest.raises(NotApplicableError):
        nash_conv(g, eq, exact=True)


def test_catalog_parameters_and_bad_input():
    g = load_game("auction:all_pay(bidders=4, values=normal, mean=0.5, std=0.2, reserve=0.1)")
    assert g.num_players == 4 and g.mechanism == "all_pay" and g.reserve == 0.1
    assert g.default_method() == "best-response-iteration"  # all-pay: see dynamics.auction
    assert load_game("auction:first_price").default_method() == "smoothed-gradient"
    g = load_game("auction:second_price(values=samples, samples=[0.1, 0.4, 0.5, 0.9])")
    assert isinstance(g.distributions[0], Empirical)
    for spec in (
        "auction:first_price(bidders=1)",
        "auction:first_price(values=cauchy)",
        "auction:third_price(bidders=2)",
        "auction:first_price(low=1, high=0.5)",
        "auction:first_price(values=normal, std=0)",
        "auction:first_price(values=samples)",
        "auction:first_price(values=samples, samples=[0.5, 0.5])",
        "auction:first_price(reserve=-1)",
    ):
        with pytest.raises(InvalidParameterError):
            load_game(spec)
    with pytest.raises(InvalidGameError, match="at least 2 bidders"):
        AuctionGame([Uniform()], "first_price")
    with pytest.raises(InvalidGameError, match="not a value distribution"):
        AuctionGame([Uniform(), 3.0], "first_price")
    with pytest.raises(InvalidGameError, match="unknown value distribution"):
        AuctionGame(["uniform", "cauchy"], "first_price")


@pytest.mark.parametrize("spec", ["auction:first_price(bidders=1)", "auction:first_price(values=cauchy)"])
def test_cli_bad_input_is_one_line_exit_2(spec, capsys):
    assert cli.main(["solve", spec, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err


def test_plot_bid_functions(tmp_path):
    from equilibria.plotting_auction import plot_bid_functions

    g = game("first_price", 2, grid=9)
    path = plot_bid_functions(g, {"truthful": g.uniform_profile()}, tmp_path / "bids.png")
    assert (tmp_path / "bids.png").stat().st_size > 1000 and str(path).endswith("bids.png")
    asym = AuctionGame([Uniform(), Power(2.0)], "second_price", grid=9, **SMALL)
    plot_bid_functions(asym, asym.uniform_profile(), tmp_path / "asym.png")
    with pytest.raises(NotApplicableError):
        plot_bid_functions(load_game("kuhn_poker"), None, tmp_path / "x.png")
    with pytest.raises(InvalidParameterError):
        plot_bid_functions(g, g.uniform_profile(), tmp_path / "bids.notanimage")
