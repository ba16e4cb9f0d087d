"""Fisher markets: the Eisenberg-Gale solver, proportional response, tâtonnement and the market metric.

Known values: hand-derived equilibria of small linear markets; the closed form of a market of
identical CES buyers (a representative buyer takes the whole supply: ``p_j = W a_j s_j^{ρ−1} /
Σ_k a_k s_k^ρ``); an independent solve of the Eisenberg-Gale *primal* (scipy SLSQP on the
allocation, where our solver uses the dual in prices); proportional response's fixed point is the
equilibrium (Wu & Zhang 2007).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import minimize

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import (
    InvalidGameError,
    InvalidParameterError,
    InvalidStrategyError,
    NotApplicableError,
)
from equilibria.games.market import FisherMarket
from equilibria.metrics.market import market_violation


def _eg_primal_utilities(g: FisherMarket) -> np.ndarray:
    """Equilibrium utilities by the Eisenberg-Gale primal over allocations (unique for EG)."""
    n, m = g.valuations.shape
    A, B, s, rho = g.valuations, g.budgets, g.supplies, g.rho

    def f(z):
        x = np.maximum(z.reshape(n, m), 1e-12)
        u = (A * x**rho).sum(axis=1) ** (1 / rho)
        return -float(B @ np.log(u))

    cons = {"type": "ineq", "fun": lambda z: s - z.reshape(n, m).sum(axis=0)}
    res = minimize(f, np.tile(s / n, n), method="SLSQP", bounds=[(0, None)] * (n * m), constraints=[cons],
                   options={"ftol": 1e-14, "maxiter": 2000})
    x = res.x.reshape(n, m)
    return (A * np.maximum(x, 0) ** rho).sum(axis=1) ** (1 / rho)


def test_hand_derived_linear_market() -> None:
    # buyer 2 only values good 1 and has budget 2: it spends 2 there, so p_1 = 2 and buyer 1, whose
    # bang-per-buck is 1/2 on good 1 and 1/p_2 on good 2, buys good 2 at p_2 = 1
    g = FisherMarket([[1.0, 1.0], [1.0, 0.0]], [1.0, 2.0])
    for method, kw in (("eisenberg-gale", {}), ("proportional-response", {"iterations": 3000})):
        sol = eq.solve(g, method, **kw)[0]
        x, p = g.outcome(sol.strategies)
        np.testing.assert_allclose(p, [2.0, 1.0], atol=1e-6)
        np.testing.assert_allclose(x, [[0.0, 1.0], [1.0, 0.0]], atol=1e-6)
        assert sol.nash_conv <= 1e-9


@pytest.mark.parametrize("rho", [0.3, 0.5, 0.8])
def test_identical_ces_buyers_closed_form(rho: float) -> None:
    a = np.array([0.2, 0.5, 0.9, 0.4])
    s = np.array([1.0, 2.0, 0.5, 1.5])
    B = np.array([1.0, 2.5, 0.5])
    g = FisherMarket(np.tile(a, (3, 1)), B, s, rho=rho)
    W = B.sum()
    p_star = W * a * s ** (rho - 1) / (a @ s**rho)
    x_star = np.outer(B / W, s)
    for method in ("eisenberg-gale", "proportional-response", "tatonnement"):
        sol = eq.solve(g, method, **({} if method == "eisenberg-gale" else {"iterations": 2000}))[0]
        x, p = g.outcome(sol.strategies)
        np.testing.assert_allclose(p, p_star, rtol=1e-8, err_msg=method)
        np.testing.assert_allclose(x, x_star, rtol=1e-8, atol=1e-10, err_msg=method)


@pytest.mark.parametrize("spec", [
    "market:linear(buyers=4, goods=3, budgets='random', seed=1)",
    "market:linear(buyers=3, goods=5, seed=2)",
    "market:ces(buyers=4, goods=3, rho=0.5, budgets='random', seed=3)",
    "market:ces(buyers=3, goods=4, rho=0.2, seed=4)",
])
def test_eisenberg_gale_matches_primal_and_learners(spec: str) -> None:
    g = eq.load_game(spec)
    sol = eq.solve(g, "eisenberg-gale")[0]
    x, p = g.outcome(sol.strategies)
    rep = market_violation(g, x, p)
    assert rep["total"] <= 1e-9 * g.budgets.sum()
    np.testing.assert_allclose(g.utilities(x), _eg_primal_utilities(g), rtol=1e-5)
    np.testing.assert_allclose(sol.info["prices"], p)
    # every buyer spends only on maximum bang-per-buck goods (linear) / its demand (CES)
    if g.is_linear:
        bpb = g.valuations / p
        bought = x > 1e-12
        best = np.broadcast_to(bpb.max(axis=1, keepdims=True), bpb.shape)
        assert np.all(bpb[bought] >= best[bought] * (1 - 1e-9))
    pr = eq.solve(g, "proportional-response", iterations=3000)[0]
    np.testing.assert_allclose(g.outcome(pr.strategies)[1], p, rtol=1e-6)
    if not g.is_linear:
        ta = eq.solve(g, "tatonnement", iterations=3000)[0]
        np.testing.assert_allclose(g.outcome(ta.strategies)[1], p, rtol=1e-8)


def test_proportional_response_fixed_point_is_the_equilibrium() -> None:
    g = eq.load_game("market:ces(buyers=3, goods=3, rho=0.6, seed=5)")
    sol = eq.solve(g, "eisenberg-gale")[0]
    learner = eq.make_learner(g, "proportional-response")
    learner.bids = g.bids(sol.strategies)
    learner.step()
    np.testing.assert_allclose(learner.bids, g.bids(sol.strategies), rtol=1e-9)
    # and away from it the metric is positive and falls along the run
    assert eq.nash_conv(g, g.uniform_profile()) > 1e-3
    trace = eq.solve(g, "proportional-response", iterations=200, eval_every=1)[0].info["trace"]
    assert trace.nash_conv_last[-1] < 1e-6 * eq.nash_conv(g, g.uniform_profile())


def test_metric_and_best_response() -> None:
    g = FisherMarket([[2.0, 1.0], [1.0, 3.0]], [1.0, 1.0])
    uniform = g.uniform_profile()
    x, p = g.outcome(uniform)  # p = (1, 1), each buyer gets half of each good
    np.testing.assert_allclose(p, [1.0, 1.0])
    # buyer 1: u = 1.5, best is 2 (all on good 1): wastes 1·(1 − 1.5/2); buyer 2: 2 vs 3
    np.testing.assert_allclose(eq.metrics.deviation_gains(g, uniform), [0.25, 1 / 3])
    assert eq.nash_conv(g, uniform) == pytest.approx(0.25 + 1 / 3)
    np.testing.assert_allclose(eq.metrics.best_response(g, uniform, 0), [1.0, 0.0])
    np.testing.assert_allclose(eq.metrics.best_response(g, uniform, 1), [0.0, 1.0])
    # nobody bids on a valued good: its price is 0 and whoever values it wastes its whole budget
    gains = eq.metrics.deviation_gains(g, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(gains, [1.0, 1.0])


def test_market_violation_of_explicit_pairs() -> None:
    g = FisherMarket([[1.0, 1.0], [1.0, 0.0]], [1.0, 2.0])
    ok = market_violation(g, [[0, 1], [1, 0]], [2, 1])
    assert ok["total"] == pytest.approx(0.0, abs=1e-15)
    bad = market_violation(g, [[0.5, 1], [1, 0]], [2, 1])  # good 1 over-sold by 1/2, buyer 1 overspends
    assert bad["oversold"] == pytest.approx(1.0) and bad["overspent"] == pytest.approx(1.0)
    unsold = market_violation(g, [[0, 0.5], [1, 0]], [2, 1])
    assert unsold["unsold"] == pytest.approx(0.5) and unsold["wasted"][0] == pytest.approx(0.5)


def test_json_round_trip_and_bad_input() -> None:
    g = eq.load_game("market:linear(buyers=2, goods=3)")
    prof = eq.solve(g, "eisenberg-gale")[0].strategies
    np.testing.assert_allclose(g.profile_from_json(json.loads(json.dumps(g.profile_to_json(prof)))), prof)
    with pytest.raises(InvalidStrategyError, match="sum"):
        g.profile_from_json({"buyer 1": {"good 1": 0.5}, "buyer 2": {"good 1": 1}})
    with pytest.raises(InvalidStrategyError, match="unknown good"):
        g.profile_from_json({"buyer 1": {"good 9": 1}, "buyer 2": {"good 1": 1}})
    with pytest.raises(InvalidStrategyError):
        g.validate_profile(np.ones((3, 3)))
    with pytest.raises(InvalidGameError, match="values no good"):
        FisherMarket([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(InvalidGameError, match="budgets"):
        FisherMarket([[1.0]], [-1.0])
    with pytest.raises(InvalidGameError, match="rho"):
        FisherMarket([[1.0]], rho=1.5)
    with pytest.raises(NotApplicableError, match="linear"):
        eq.solve(g, "tatonnement")
    with pytest.raises(InvalidParameterError, match="exact"):
        eq.solve(g, "eisenberg-gale", exact=True)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "market:ces(buyers=2, goods=2)", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out
    assert main(["solve", "market:ces(buyers=2, goods=2, rho=2)", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "rho" in err
