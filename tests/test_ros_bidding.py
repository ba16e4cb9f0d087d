"""Return-on-spend constrained bidding (Feng, Padmanabhan & Wang, WWW 2023) on allocation:ros_second_price.

Known values: the hindsight LP of a hand-made RoS instance; the primal step is the paper's bid
(1 + λ) v / (γλ + μ); per sample path: with ``guard`` the RoS constraint holds after every auction,
unguarded it ends with a deficit of at most O(√T); a budget is never exceeded; the regret per
auction falls as T grows.
"""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.allocation import AllocationGame
from equilibria.metrics.allocation import constraint_violation, hindsight_optimum


def _ros_game(v, d, gamma=1.0) -> AllocationGame:
    v, d = np.asarray(v, float), np.asarray(d, float)
    costs = np.zeros((v.size, 2, 1))
    costs[:, 1, 0] = gamma * d - v
    return AllocationGame(np.column_stack([np.zeros(v.size), v]), costs, [0.0], running=[False],
                          resource_labels=["ros"],
                          data={"values": v, "competing_bids": d, "ros_target": np.array(gamma)})


def test_ros_lp_by_hand() -> None:
    # auction 2 (v 0.2, price 0.1) earns slack 0.1; auction 1 (v 1, price 1.5) costs 0.5 of slack per
    # unit: the LP wins auction 2 and 0.2 of auction 1, value 0.2 + 0.2 = 0.4
    g = _ros_game([1.0, 0.2], [1.5, 0.1])
    value, z = hindsight_optimum(g)
    assert value == pytest.approx(0.4, abs=1e-9)
    np.testing.assert_allclose(z[:, 1], [0.2, 1.0], atol=1e-9)
    # RoS is a constraint on the total: the game does not refuse a win, the violation shows it
    win_all = np.array([[0.0, 1.0], [0.0, 1.0]])
    np.testing.assert_array_equal(g.realize(win_all), win_all)
    assert constraint_violation(g, win_all) == pytest.approx(0.4)
    assert constraint_violation(g, np.array([[1.0, 0.0], [0.0, 1.0]])) == 0.0


@pytest.mark.parametrize("budget", [None, 0.1])
def test_ros_never_violated_on_any_path(budget) -> None:
    extra = "" if budget is None else f", budget_rate={budget}"
    for seed in range(3):
        g = eq.load_game(f"allocation:ros_second_price(horizon=800, seed={seed}{extra})")
        for guard in (False, True):
            s = eq.solve(g, "ros-bidding", iterations=g.horizon, eval_every=g.horizon, guard=guard)[0]
            if guard:  # exactly feasible: the total and every prefix
                assert s.info["constraint_violation"] == 0.0
                assert s.info["ros_slack"] >= 0.0
                assert s.info["ros_min_prefix_slack"] == 0.0
            else:  # unguarded (our reading of the paper): a deficit of order √T at most
                assert s.info["constraint_violation"] <= np.sqrt(g.horizon)
            if budget is not None:
                j = g.resource_labels.index("budget")
                assert g.consumption(s.strategies)[:, j].sum() <= g.budgets[j] + 1e-9


def test_primal_step_is_the_papers_bid() -> None:
    g = eq.load_game("allocation:ros_second_price(horizon=400, budget_rate=0.15, ros_target=1.2, seed=3)")
    learner = eq.make_learner(g, "ros-bidding")
    v, d = g.data["values"], g.data["competing_bids"]
    j = g.resource_labels.index("budget")
    for t in range(g.horizon):
        lam, mu, left = learner.lam[0], learner.mu[0], learner.remaining[j]
        learner.step()
        bid = (1 + lam) * v[t] / (1.2 * lam + mu)
        assert learner.actions[t] == int(bid > d[t] and d[t] <= left + 1e-9)


def test_regret_per_auction_falls() -> None:
    """Regret O(√(T log T)): per-auction regret at T = 3200 well below that at T = 400."""
    per = []
    for T in (400, 3200):
        regs = [eq.solve(f"allocation:ros_second_price(horizon={T}, seed={s})", "ros-bidding", iterations=T,
                         eval_every=T)[0].nash_conv for s in range(3)]
        per.append(np.mean(regs) / T)
    assert per[1] < per[0] / 2
    # the claimed order: regret / √(T log T) stays bounded (here below 1 for values in [0, 1])
    assert per[1] * 3200 < np.sqrt(3200 * np.log(3200))


def test_on_budget_only_games_it_is_dual_mirror_descent() -> None:
    g = eq.load_game("allocation:budgeted_second_price(horizon=300, seed=2)")
    a = eq.solve(g, "ros-bidding", iterations=300)[0]
    b = eq.solve(g, "dual-mirror-descent", iterations=300)[0]
    np.testing.assert_array_equal(a.strategies, b.strategies)


def test_options_and_games_validated() -> None:
    g = eq.load_game("allocation:ros_second_price(horizon=10)")
    for opts in ({"step_size": -1}, {"budget_step_size": 0}, {"initial_dual": 0}, {"guard": "yes"}):
        with pytest.raises(InvalidParameterError):
            eq.make_learner(g, "ros-bidding", **opts)
    for spec in ("allocation:ros_second_price(ros_target=0)", "allocation:ros_second_price(budget_rate=0)",
                 "allocation:ros_second_price(budget_rate=-2)"):
        with pytest.raises(InvalidParameterError):
            eq.load_game(spec)
    with pytest.raises(NotApplicableError):
        eq.make_learner(g, "dual-mirror-descent")  # negative consumption: not the BLM setting
