"""Stackelberg mean-field games: the taxed wealth economy (`mfg:wealth_economy`) and the bilevel
solver (`equilibria.solvers.stackelberg_mfg`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main as cli_main
from equilibria.errors import InvalidParameterError
from equilibria.games.catalog.mean_field_economy import EFFORTS, wealth_economy
from equilibria.solvers.stackelberg_mfg import LeaderProblem, grid_search, solve_stackelberg_mfg


def test_economy_rewards_and_budget_balance():
    """Reward = log(subsistence + after-tax income + transfer) − cost·e², the transfer equal to the
    revenue: consumption adds up to income (the government's budget balances)."""
    g = wealth_economy(tax_rates=(0.2, 0.4), num_levels=4, horizon=2, interest=0.5)
    rng = np.random.default_rng(0)
    L = rng.dirichlet(np.ones(12)).reshape(1, 4, 3)
    r = g.reward_at(0, L)[0]
    w, e = np.arange(4.0), np.array(EFFORTS)
    tau = np.array([0.2, 0.2, 0.4, 0.4])
    income = e[None] + 0.5 * w[:, None]
    transfer = np.sum(L[0] * tau[:, None] * income)
    consumption = (1 - tau[:, None]) * income + transfer
    np.testing.assert_allclose(r, np.log(0.1 + consumption) - 0.6 * e[None] ** 2, rtol=1e-12)
    assert np.sum(L[0] * consumption) == pytest.approx(np.sum(L[0] * income), rel=1e-12)


def test_without_taxes_the_economy_decouples():
    """No tax, no transfer: the reward ignores the population, so the first best response is the
    equilibrium (the fixed-point iteration is exact after one step)."""
    g = wealth_economy(tax_rates=(0.0, 0.0), num_levels=4, horizon=3, temperature=0.0)
    learner = eq.make_learner(g, "fixed-point")
    learner.step()
    assert eq.nash_conv(g, learner.current_strategy()) == pytest.approx(0.0, abs=1e-12)
    taxed = wealth_economy(tax_rates=(0.5, 0.5), num_levels=4, horizon=3, temperature=0.0)
    assert eq.nash_conv(taxed, learner.current_strategy()) > 1e-3


def _rule(rates, slopes, t, mu, W, H):
    """The dynamic leader's bracket rates, written out from the catalog's docstring."""
    base = np.where(np.arange(W) < W / 2, rates[0], rates[1])
    shift = slopes[0] * (t / (H - 1) - 0.5) + slopes[1] * (mu @ (np.arange(W) / (W - 1)) - 0.5)
    return np.clip(base + shift, 0.0, 1.0)


def test_dynamic_leader_rule_drives_rewards_and_the_flow():
    """With ``tax_slopes`` the rates follow τ_b(t, μ_t) = clip(rate_b + a (t/(H−1) − ½) + b (m̄(μ_t) − ½),
    0, 1): the rewards at a given L_t and the whole flow of a policy match a direct computation."""
    W, H, rates, slopes = 4, 3, (0.2, 0.4), (0.3, -0.8)
    g = wealth_economy(tax_rates=rates, tax_slopes=slopes, num_levels=W, horizon=H, interest=0.5)
    w, e = np.arange(4.0), np.array(EFFORTS)
    income = e[None] + 0.5 * w[:, None]
    rng = np.random.default_rng(3)
    L = rng.dirichlet(np.ones(12)).reshape(1, 4, 3)
    tau = _rule(rates, slopes, 1, L[0].sum(-1), W, H)
    consumption = (1 - tau[:, None]) * income + np.sum(L[0] * tau[:, None] * income)
    expected = np.log(0.1 + consumption) - 0.6 * e[None] ** 2
    np.testing.assert_allclose(g.reward_at(1, L)[0], expected, rtol=1e-12)
    pi = rng.dirichlet(np.ones(3), size=(1, H, W))
    mu = np.full(W, 1.0 / W)
    flow = [mu]
    for t in range(H):
        tau = _rule(rates, slopes, t, mu, W, H)
        up = np.minimum(0.8, 0.6 * (1 - tau[:, None]) * income)  # (W, A)
        nxt = np.zeros(W)
        for s in range(W):
            for a in range(3):
                m = mu[s] * pi[0, t, s, a]
                nxt[max(s - 1, 0)] += m * 0.2
                nxt[s] += m * (0.8 - up[s, a])
                nxt[min(s + 1, W - 1)] += m * up[s, a]
        mu = nxt
        flow.append(mu)
    np.testing.assert_allclose(g.forward(pi)[0], np.array(flow), rtol=0, atol=1e-13)
    # zero slopes: the static schedule (same numbers as the static game)
    static = wealth_economy(tax_rates=rates, num_levels=W, horizon=H)
    zero = wealth_economy(tax_rates=rates, tax_slopes=(0.0, 0.0), num_levels=W, horizon=H)
    assert eq.nash_conv(zero, pi) == eq.nash_conv(static, pi)
    assert abs(eq.nash_conv(g, pi) - eq.nash_conv(static, pi)) > 1e-3


def test_dynamic_leader_bilevel_improves_on_the_static_grid():
    """The bilevel solver over the four-parameter dynamic rule, started at the best point of a
    coarse static grid (no tax here), finds a strictly better leader policy (measured: welfare
    0.9508 -> 0.9546 after two outer steps, with the followers' exploitability 1.4e-2)."""
    def make(theta):
        return wealth_economy(tax_rates=theta[:2], tax_slopes=theta[2:], num_levels=3, horizon=3)

    def problem():
        return LeaderProblem(make, inner_iterations=15, inner_options={"step_size": 1.0})

    static = grid_search(problem(), [[0.0, 0.45, 0.9], [0.0, 0.45, 0.9], [0.0], [0.0]]).best
    bounds = [(0, 0.9), (0, 0.9), (-0.5, 0.5), (-0.5, 0.5)]
    res = solve_stackelberg_mfg(problem(), x0=static.params, bounds=bounds, outer_iterations=2,
                                step_size=0.05)
    assert res.best.value > static.value + 1e-3
    assert np.any(res.best.params != static.params)
    assert res.best.exploitability < 0.05


def test_economy_bad_parameters():
    with pytest.raises(InvalidParameterError):
        wealth_economy(tax_rates=(1.2, 0.0))
    with pytest.raises(InvalidParameterError):
        wealth_economy(tax_rates=(0.1, 0.2, 0.3))
    with pytest.raises(InvalidParameterError):
        wealth_economy(num_levels=1)
    with pytest.raises(InvalidParameterError):
        wealth_economy(tax_slopes=(0.1,))
    with pytest.raises(InvalidParameterError):
        wealth_economy(tax_slopes=(float("nan"), 0.0))


def _quadratic_problem(target):
    """A leader problem whose objective is known in closed form (−‖θ − target‖²), still making
    and solving the followers' game at every θ."""
    target = np.asarray(target, dtype=float)

    def objective(game, policy):
        assert np.isfinite(eq.nash_conv(game, policy))
        theta = np.array([float(x) for x in game.title.split("(tax rates ")[1].rstrip(")").split(",")])
        return -float(np.sum((theta - target) ** 2))

    def make(theta):
        return wealth_economy(tax_rates=theta, num_levels=3, horizon=2)

    return LeaderProblem(make, objective=objective, inner_iterations=2)


def test_bilevel_solver_finds_a_known_optimum_and_beats_the_grid():
    res = solve_stackelberg_mfg(_quadratic_problem([0.2, 0.55]), x0=[0.5, 0.1], bounds=[(0, 0.9), (0, 0.9)],
                                outer_iterations=30, step_size=0.3, difference=1e-3)
    np.testing.assert_allclose(res.best.params, [0.2, 0.55], atol=1e-3)
    grid = grid_search(_quadratic_problem([0.2, 0.55]), [np.linspace(0, 0.9, 4)] * 2)
    assert grid.evaluations == 16
    assert grid.best.value == max(e.value for e in grid.history)
    assert grid.best.value - res.best.value < 0  # the grid misses the optimum, the solver does not


def test_bilevel_solver_respects_the_box_and_rejects_bad_bounds():
    res = solve_stackelberg_mfg(_quadratic_problem([1.5, -1.0]), x0=[0.5, 0.5], bounds=[(0, 0.9), (0, 0.9)],
                                outer_iterations=20, step_size=0.5)
    np.testing.assert_allclose(res.best.params, [0.9, 0.0], atol=1e-12)
    with pytest.raises(InvalidParameterError):
        solve_stackelberg_mfg(_quadratic_problem([0, 0]), x0=[0.5, 0.5], bounds=[(1, 0), (0, 1)])


def test_cli_solves_the_economy(capsys):
    assert cli_main(["solve", "mfg:wealth_economy(num_levels=3, horizon=2)", "--method", "omd",
                     "--iterations", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert np.isfinite(out["nash_conv"])
    assert cli_main(["solve", "mfg:wealth_economy(tax_rates=(2, 0))", "--method", "omd"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "tax_rates" in err[0]
