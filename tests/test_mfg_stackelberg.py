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


def test_economy_bad_parameters():
    with pytest.raises(InvalidParameterError):
        wealth_economy(tax_rates=(1.2, 0.0))
    with pytest.raises(InvalidParameterError):
        wealth_economy(tax_rates=(0.1, 0.2, 0.3))
    with pytest.raises(InvalidParameterError):
        wealth_economy(num_levels=1)


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
