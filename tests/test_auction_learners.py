"""Auction learners: smoothed-gradient, npga, best-response-iteration and fictitious-play.

Properties tested, each specific to its method:
- smoothed-gradient: the exact (Gumbel-max) and Monte-Carlo smoothed gradients agree; the smoothed
  utilities' bias obeys the linear-in-λ bound and shrinks with λ (Kohring, Pieroth & Bichler, ICML
  2023); learning from truthful bids approaches the first-price equilibrium (n−1)/n·v;
- npga: its evolution-strategies pseudo-gradient points along the true interim utility gradient;
- best-response-iteration: from truthful bids one best-response step lands on the equilibrium
  (the best response to any linear bid function a·v, a ≥ (n−1)/n, is (n−1)/n·v);
- fictitious-play: the first step best-responds to truthful beliefs; beliefs are running averages.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria import cli
from equilibria.dynamics.auction import (
    NPGA,
    AuctionFictitiousPlay,
    SmoothedGradient,
    bid_densities,
    smoothed_utilities,
    smoothing_bias_bound,
)
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.auction import AuctionGame, Uniform, bid_cdf
from equilibria.metrics import nash_conv

SMALL = dict(bid_points=801, value_points=400)


def fp(n: int = 3, **kw) -> AuctionGame:
    return AuctionGame([Uniform()] * n, "first_price", **{**SMALL, **kw})


@pytest.mark.parametrize("mechanism", ["first_price", "all_pay"])
def test_exact_smoothed_gradient_matches_monte_carlo(mechanism):
    g = AuctionGame([Uniform()] * 3, mechanism, grid=17, **SMALL)
    profile = np.stack([0.6 * g.grids[0] + 0.05 * np.sin(7 * g.grids[0])] * 3).clip(0, 1)
    grads = []
    for est in ("exact", "monte-carlo"):
        L = SmoothedGradient(g, temperature=0.03, estimator=est, batch=200_000, seed=3)
        L.bids = profile.copy()
        grads.append(L._exact_gradients() if est == "exact" else L._mc_gradients())
    np.testing.assert_allclose(grads[0], grads[1], atol=0.02)


def test_smoothing_bias_obeys_the_bound_and_shrinks():
    g = fp(3)
    eqm = g.equilibrium()
    u = g.expected_payoffs(eqm)
    dens = bid_densities(g, eqm)
    np.testing.assert_allclose(dens, 1.5, rtol=1e-3)  # bids 2/3·v of U[0, 1] values: density 3/2
    measured = []
    for lam in (0.1, 0.03, 0.01):
        ut = smoothed_utilities(g, eqm, lam, 400_000, np.random.default_rng(0))
        bias = np.abs(ut - u).max()
        assert bias <= smoothing_bias_bound(g, lam, dens).max()
        measured.append(bias)
    assert measured[0] > measured[1] > measured[2] - 5e-4  # 5e-4: Monte-Carlo error of the last


def test_smoothed_gradient_done_when_cli_first_price_three_bidders(capsys):
    """The issue's acceptance command, with the catalog's and the method's defaults (1000 iterations):
    bids within plotting accuracy of the BNE 2/3·v and NashConv <= 1e-3."""
    rc = cli.main(["solve", "auction:first_price(bidders=3)", "--method", "smoothed-gradient", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nash_conv"] <= 1e-3
    for strat in out["equilibria"][0]["strategies"]:
        v, b = np.array(strat["grid"]), np.array(strat["bids"])
        assert np.max(np.abs(b - 2 / 3 * v)) <= 0.02  # plotting accuracy
    assert out["info"]["distance_to_bne"] <= 0.02
    # λ from the bias bound: bias 0.015, opponents' bid densities <= 1/min_slope = 2, two opponents;
    # it is above the grid's floor Δ/3 = 1/384 (129 grid values)
    lam = 0.015 / (2 * np.log(2) * 4)
    assert lam > 1 / 384
    assert out["info"]["temperature"] == pytest.approx(lam)


def test_smoothed_gradient_annealing_schedule_and_step():
    g = fp(3, grid=129)
    L = SmoothedGradient(g, anneal_from=8, anneal_every=10)
    lam = L.temperature
    temps = []
    for _ in range(45):
        temps.append(L.current_temperature())
        assert L._step_size() == pytest.approx(temps[-1] / 2)
        L.iteration += 1
    np.testing.assert_allclose(temps[::10], [8 * lam, 4 * lam, 2 * lam, lam, lam])
    # the grid floor: on a coarse grid λ is raised to Δ/3 whatever the bias bound says
    assert SmoothedGradient(fp(3, grid=9)).temperature == pytest.approx(1 / 8 / 3)
    assert SmoothedGradient(g, temperature=0.01, anneal_from=1).current_temperature() == 0.01


def test_npga_pseudo_gradient_points_along_the_true_gradient():
    g = fp(3, grid=9)
    L = NPGA(g, step_size=1.0, sigma=0.01, population=400, batch=20_000, seed=0)
    before = L.bids.copy()
    L.step()
    es = (L.bids - before)[0]
    # the true ex-ante gradient (per grid value, preconditioned like NPGA) by finite differences
    true = np.zeros(g.grid_points)
    inner = slice(1, g.grid_points - 1)  # bids strictly inside [0, max bid]: both differences exist
    for k in range(1, g.grid_points - 1):  # test-side reference, a few evaluations
        for sgn in (1, -1):
            prof = [b.copy() for b in before]
            prof[0][k] += sgn * 1e-3
            true[k] += sgn * g.expected_payoffs(prof)[0] / 2e-3
    true /= L._weights(0)
    cos = es[inner] @ true[inner] / np.linalg.norm(es[inner]) / np.linalg.norm(true[inner])
    assert cos > 0.9


def test_best_response_iteration_reaches_the_equilibrium_in_one_step():
    g = fp(3)
    sol = eq.solve(g, "best-response-iteration", iterations=2, seed=0)[0]
    assert sol.nash_conv <= 5e-4  # up to the bid grid's resolution, 1/800
    assert sol.info["distance_to_bne"] <= 2e-3
    assert sol.info["revenue"] == pytest.approx(0.5, abs=2e-3)


def test_damped_best_response_iteration_learns_all_pay():
    """All-pay, 3 bidders, U[0, 1]: damped best-response iteration approaches b(v) = (n−1)/n·vⁿ
    (pure best responses cycle there)."""
    g = AuctionGame([Uniform()] * 3, "all_pay", grid=65, bid_points=401, value_points=200)
    v = g.grids[0]
    assert g.default_method() == "best-response-iteration"
    sol = eq.solve(g, "best-response-iteration", iterations=80, seed=0)[0]  # default α = 0.05 for all-pay
    assert sol.nash_conv <= 8e-3
    assert sol.info["distance_to_bne"] <= 0.02
    for b in sol.strategies:
        assert np.max(np.abs(b - 2 / 3 * v**3)) <= 0.05
    pure = eq.solve(g, "best-response-iteration", iterations=5, seed=0, step_size=1.0)[0]
    assert pure.nash_conv > 0.5  # undamped: no progress from truthful bids


def test_fictitious_play_first_step_and_beliefs():
    g = fp(3, grid=17)
    L = AuctionFictitiousPlay(g)
    L.step()
    np.testing.assert_allclose(L.bids[0], 2 / 3 * g.grids[0], atol=2e-3)  # BR to truthful beliefs
    played = [np.stack([bid_cdf(d, gr, b, g.bid_grid, False) for d, gr, b in zip(g.distributions, g.grids,
                                                                                  bids, strict=True)])
              for bids in (np.stack(g.uniform_profile()), L.bids.copy())]
    L.step()
    played.append(np.stack([bid_cdf(d, gr, b, g.bid_grid, False) for d, gr, b in zip(g.distributions, g.grids,
                                                                                       L.bids, strict=True)]))
    np.testing.assert_allclose(L.belief_le, np.mean(played, axis=0), atol=1e-12)
    assert nash_conv(g, L.current_strategy()) < nash_conv(g, g.uniform_profile())


def test_learner_options_are_checked():
    g = fp(2, grid=9)
    with pytest.raises(InvalidParameterError):
        SmoothedGradient(g, temperature=-1.0)
    with pytest.raises(InvalidParameterError):
        SmoothedGradient(AuctionGame([Uniform()] * 3, "second_price", grid=9), estimator="exact")
    with pytest.raises(InvalidParameterError):
        NPGA(g, population=0)
    with pytest.raises(NotApplicableError):
        eq.solve("kuhn_poker", "npga", iterations=1)
