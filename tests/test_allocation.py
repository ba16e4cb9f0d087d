"""Online allocation family and dual mirror descent (Balseiro, Lu & Mirrokni, Operations Research 2022).

Known values: the hindsight LP of hand-made instances (fractional knapsack, Dantzig 1957; a two-leg
network), the LP against HiGHS on random instances, the budget-executing semantics by hand, and
properties of the paper's algorithm: no overspend on any path, zero regret when the budget does
not bind (μ stays 0), sublinear regret for i.i.d. input, the 1/α guarantee for adversarial input.
"""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import (
    InvalidGameError,
    InvalidParameterError,
    InvalidStrategyError,
    NotApplicableError,
)
from equilibria.games.allocation import AllocationGame
from equilibria.metrics.allocation import (
    _fractional_knapsack,
    competitive_ratio,
    constraint_violation,
    hindsight_optimum,
    regret,
)
from equilibria.ops import highs_linprog


def _bidder(v, d, budget) -> AllocationGame:
    v, d = np.asarray(v, float), np.asarray(d, float)
    costs = np.zeros((v.size, 2, 1))
    costs[:, 1, 0] = d
    return AllocationGame(np.column_stack([np.zeros(v.size), v - d]), costs, [budget])


def _one_hot(actions, K=2) -> np.ndarray:
    x = np.zeros((len(actions), K))
    x[np.arange(len(actions)), actions] = 1.0
    return x


# ---- the game --------------------------------------------------------------------------------------


def test_hindsight_lp_fractional_knapsack_by_hand() -> None:
    # utilities 0.5, 0.3, 0.4 at prices 0.5, 0.1, 0.4 (ratios 1, 3, 1); budget 0.6:
    # take item 1 (0.1), then 0.5 of the ratio-1 items: value 0.3 + 0.5 = 0.8
    g = _bidder([1.0, 0.4, 0.8], [0.5, 0.1, 0.4], 0.6)
    value, z = hindsight_optimum(g)
    assert value == pytest.approx(0.8, abs=1e-12)
    assert z[1, 1] == 1.0 and z[:, 1] @ g.costs[:, 1, 0] == pytest.approx(0.6)
    np.testing.assert_allclose(z.sum(axis=1), 1.0)
    # a prefix of one request with the whole budget: take it (0.5)
    assert hindsight_optimum(g, 1)[0] == pytest.approx(0.5)


def test_hindsight_lp_two_leg_network_by_hand() -> None:
    # legs A, B with capacity 1 each; requests for products AB (fare 1.5), A (fare 1), B (fare 1).
    # Best: A + B = 2 (AB would use both legs for 1.5). Accepting everything in order serves AB and
    # then cannot serve A or B: 1.5.
    costs = np.zeros((3, 2, 2))
    costs[0, 1] = [1, 1]
    costs[1, 1] = [1, 0]
    costs[2, 1] = [0, 1]
    g = AllocationGame(np.array([[0, 1.5], [0, 1.0], [0, 1.0]]), costs, [1.0, 1.0])
    value, z = hindsight_optimum(g)
    assert value == pytest.approx(2.0, abs=1e-9)
    np.testing.assert_allclose(z[:, 1], [0, 1, 1], atol=1e-9)
    accept_all = _one_hot([1, 1, 1])
    np.testing.assert_array_equal(g.realize(accept_all).argmax(axis=1), [1, 0, 0])
    assert g.reward(accept_all) == pytest.approx(1.5)
    assert eq.nash_conv(g, accept_all) == pytest.approx(0.5)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.integers(0, 2**31 - 1), st.floats(0.01, 3.0))
def test_knapsack_equals_highs(n: int, seed: int, budget: float) -> None:
    rng = np.random.default_rng(seed)
    r = rng.uniform(-0.5, 1.0, n)
    c = rng.uniform(0.0, 1.0, n) * (rng.random(n) < 0.9)
    z = _fractional_knapsack(r, c, budget)
    res = highs_linprog(-r, A_ub=c[None, :], b_ub=[budget], bounds=(0, 1))
    assert r @ z == pytest.approx(-res.fun, abs=1e-9)
    assert c @ z <= budget + 1e-9 and np.all((z >= 0) & (z <= 1))


def test_multi_action_lp_equals_dense_highs() -> None:
    # K = 3 actions, m = 2 resources: the sparse LP against a dense formulation written out here
    rng = np.random.default_rng(3)
    T, K, m = 12, 3, 2
    r = np.column_stack([np.zeros(T), rng.uniform(0, 1, (T, K - 1))])
    c = np.concatenate([np.zeros((T, 1, m)), rng.uniform(0, 1, (T, K - 1, m))], axis=1)
    g = AllocationGame(r, c, [2.0, 1.5])
    n = T * (K - 1)
    A = np.zeros((m + T, n))
    for s in range(T):
        for k in range(1, K):
            A[:m, s * (K - 1) + k - 1] = c[s, k]
            A[m + s, s * (K - 1) + k - 1] = 1.0
    res = highs_linprog(-r[:, 1:].reshape(-1), A_ub=A, b_ub=np.r_[2.0, 1.5, np.ones(T)], bounds=(0, 1))
    value, z = hindsight_optimum(g)
    assert value == pytest.approx(-res.fun, abs=1e-8)
    assert np.einsum("tk,tkm->m", z, c) == pytest.approx(np.minimum(np.einsum("tk,tkm->m", z, c), [2.0, 1.5]))


def test_realize_declines_what_the_budget_cannot_pay() -> None:
    g = _bidder([1.0, 1.0, 1.0, 1.0], [0.4, 0.4, 0.1, 0.4], 0.6)
    x = g.realize(_one_hot([1, 1, 1, 1]))
    # 0.4 fits; 0.4 more does not (0.8 > 0.6); 0.1 fits (0.5); 0.4 does not (0.9)
    np.testing.assert_array_equal(x.argmax(axis=1), [1, 0, 1, 0])
    assert g.reward(_one_hot([1, 1, 1, 1])) == pytest.approx(0.6 + 0.9)
    assert constraint_violation(g, _one_hot([1, 1, 1, 1])) == pytest.approx(0.7)
    assert constraint_violation(g, _one_hot([1, 0, 1, 0])) == 0.0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 25), st.integers(0, 2**31 - 1), st.floats(0.0, 1.0))
def test_regret_is_a_best_response_gap(n: int, seed: int, mix: float) -> None:
    """regret ≥ 0 for every profile (the executed allocation is LP-feasible), and the LP's
    allocation has regret 0."""
    rng = np.random.default_rng(seed)
    g = _bidder(rng.uniform(0, 1, n), rng.uniform(0, 1, n), 0.2 * n * rng.uniform(0.05, 1))
    x = rng.dirichlet([1, 1], size=rng.integers(0, n + 1))
    pure = rng.random(x.shape[0]) < mix  # some decisions pure, some randomised
    x[pure] = _one_hot(x[pure].argmax(axis=1))
    opt = hindsight_optimum(g, x.shape[0])[0]
    reg = eq.nash_conv(g, x)
    assert -1e-12 <= reg
    assert reg == pytest.approx(opt - g.reward(x), abs=1e-12)
    assert reg <= opt + np.maximum(-g.rewards, 0).sum() + 1e-9  # a losing auction can cost up to its loss
    br = eq.best_response(g, x, 0)
    assert br.shape == x.shape
    assert eq.nash_conv(g, br) == pytest.approx(0.0, abs=1e-9)


def test_profile_json_round_trip_and_errors() -> None:
    g = eq.load_game("allocation:budgeted_second_price(horizon=5)")
    x = np.array([[1, 0], [0, 1], [0.25, 0.75]], dtype=float)
    data = g.profile_to_json(x)
    assert data[:2] == ["lose", "win"] and data[2] == {"lose": 0.25, "win": 0.75}
    np.testing.assert_array_equal(g.profile_from_json(json.loads(json.dumps(data))), x)
    for bad in ({"a": 1}, ["bid"], [{"win": "x"}], [[0.5, 0.6]], ["win"] * 6):
        with pytest.raises(InvalidStrategyError):
            g.profile_from_json(bad)
    with pytest.raises(InvalidStrategyError):
        eq.nash_conv(g, np.array([[0.5, 0.6]]))


def test_bad_games_and_parameters() -> None:
    for spec in (
        "allocation:budgeted_second_price(budget_rate=0)",
        "allocation:budgeted_second_price(budget_rate=-1)",
        "allocation:budgeted_second_price(horizon=0)",
        "allocation:budgeted_second_price(input_model='bursty')",
        "allocation:network_revenue(capacity_rate=0)",
        "allocation:network_revenue(num_resources=0)",
    ):
        with pytest.raises(InvalidParameterError):
            eq.load_game(spec)
    with pytest.raises(InvalidGameError, match="non-negative"):
        _bidder([1.0], [0.5], -1.0)
    with pytest.raises(InvalidGameError, match="null action"):
        AllocationGame(np.ones((2, 2)), np.zeros((2, 2, 1)), [1.0])


# ---- dual mirror descent ---------------------------------------------------------------------------


def _dmd(spec: str, **opts):
    g = eq.load_game(spec)
    return g, eq.solve(g, "dual-mirror-descent", iterations=g.horizon, eval_every=g.horizon, **opts)[0]


@pytest.mark.parametrize("mirror_map", ["subgradient", "multiplicative"])
@pytest.mark.parametrize("input_model", ["iid", "periodic", "adversarial"])
def test_dmd_never_overspends(mirror_map: str, input_model: str) -> None:
    g, s = _dmd(f"allocation:budgeted_second_price(horizon=1500, input_model='{input_model}', seed=4)",
                mirror_map=mirror_map)
    assert s.info["constraint_violation"] == 0.0
    assert s.info["budget_remaining"][0] >= -1e-9
    spend = g.consumption(s.strategies).sum()
    assert spend <= g.budgets[0] + 1e-9
    np.testing.assert_array_equal(g.realize(s.strategies), s.strategies)  # nothing for the game to decline


def test_dmd_network_revenue_never_overspends() -> None:
    g, s = _dmd("allocation:network_revenue(horizon=600, capacity_rate=0.15, seed=2)")
    assert s.info["constraint_violation"] == 0.0
    assert np.all(g.consumption(s.strategies).sum(axis=0) <= g.budgets + 1e-9)
    assert 0.5 < s.info["competitive_ratio"] <= 1.0


def test_dmd_non_binding_budget_is_optimal() -> None:
    """ρ ≥ every price: g_t = ρ − c_t ≥ 0 keeps μ at 0, so every profitable auction is won: regret 0."""
    g, s = _dmd("allocation:budgeted_second_price(horizon=400, budget_rate=1.0, seed=1)")
    assert s.info["dual"] == [0.0]
    assert s.nash_conv == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_array_equal(s.strategies[:, 1], (g.rewards[:, 1] > 0).astype(float))


def test_dmd_primal_step_is_the_paced_bid() -> None:
    """With one resource, arg-max r − μc is winning exactly when v ≥ (1 + μ) d: bidding v / (1 + μ)."""
    g = eq.load_game("allocation:budgeted_second_price(horizon=300, seed=5)")
    learner = eq.make_learner(g, "dual-mirror-descent")
    v, d = g.data["values"], g.data["competing_bids"]
    for t in range(g.horizon):
        mu = learner.mu[0]
        learner.step()
        bid_wins = v[t] / (1 + mu) > d[t]
        assert learner.tentative[t] == int(bid_wins)


def test_dmd_regret_sublinear_iid() -> None:
    """Theorem 1: regret O(√T) for i.i.d. input; the per-round regret falls as T grows 8-fold."""
    per_round = []
    for T in (500, 4000):
        spec = f"allocation:budgeted_second_price(horizon={T}, seed={{}})"
        regs = [_dmd(spec.format(s))[1].nash_conv for s in range(3)]
        per_round.append(np.mean(regs) / T)
    assert per_round[1] < per_round[0] / 2  # √8 ≈ 2.8 expected from √T; linear regret would give 1


def test_dmd_adversarial_ratio_at_least_one_over_alpha() -> None:
    g, s = _dmd("allocation:budgeted_second_price(horizon=4000, input_model='adversarial')")
    assert g.alpha == pytest.approx(2.5)
    assert s.info["competitive_ratio"] >= 1 / g.alpha
    assert competitive_ratio(g, s.strategies) == pytest.approx(s.info["competitive_ratio"])
    assert regret(g, s.strategies) == pytest.approx(s.nash_conv)


def test_dmd_stops_at_the_horizon() -> None:
    g = eq.load_game("allocation:budgeted_second_price(horizon=30)")
    s = eq.solve(g, "dual-mirror-descent", iterations=1000, eval_every=7)[0]
    assert s.iterations == 35 and s.strategies.shape == (30, 2)  # the first evaluation past the horizon


def test_dmd_options_validated() -> None:
    g = eq.load_game("allocation:budgeted_second_price(horizon=10)")
    for opts in ({"mirror_map": "adam"}, {"step_size": 0}, {"step_size": float("nan")},
                 {"initial_dual": -1}, {"mirror_map": "multiplicative", "initial_dual": 0}):
        with pytest.raises(InvalidParameterError):
            eq.make_learner(g, "dual-mirror-descent", **opts)
    neg = AllocationGame(np.array([[0, 1.0]]), np.array([[[0.0], [-1.0]]]), [1.0])
    with pytest.raises(NotApplicableError):
        eq.make_learner(neg, "dual-mirror-descent")


def test_cli_solve_and_bad_budget(capsys: pytest.CaptureFixture[str]) -> None:
    spec = "allocation:budgeted_second_price(horizon=60, seed=1)"
    assert main(["solve", spec, "--method", "dual-mirror-descent", "--iterations", "60", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["info"]["constraint_violation"] == 0.0
    assert out["nash_conv"] == pytest.approx(out["info"]["regret"])
    assert len(out["equilibria"][0]["strategies"]) == 60
    assert main(["solve", "allocation:budgeted_second_price(budget_rate=0)", "--iterations", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "budget_rate" in err


def test_checkpoint_resumes_on_a_fresh_game_object(tmp_path) -> None:
    """The game's digest ignores its hindsight-LP cache: a run resumed on a freshly built game (whose
    cache differs) continues the same trajectory."""
    spec = "allocation:budgeted_second_price(horizon=40, seed=2)"
    path = tmp_path / "dmd.ckpt"
    eq.solve(eq.load_game(spec), "dual-mirror-descent", iterations=20, checkpoint=path)
    fresh = eq.load_game(spec)
    assert not fresh._lp_cache
    resumed = eq.solve(fresh, "dual-mirror-descent", iterations=40, checkpoint=path)[0]
    straight = eq.solve(eq.load_game(spec), "dual-mirror-descent", iterations=40)[0]
    np.testing.assert_array_equal(resumed.strategies, straight.strategies)



def test_iterations_set_the_horizon_when_the_spec_leaves_it_out():
    # issue 14: "the horizon set by `--iterations`": the budgeted auction is one request per iteration
    assert eq.load_game("allocation:budgeted_second_price", iterations=250).horizon == 250
    assert eq.load_game("allocation:budgeted_second_price(horizon=40)", iterations=250).horizon == 40
    (sol,) = eq.solve("allocation:budgeted_second_price", "dual-mirror-descent", iterations=300, seed=0)
    assert sol.info["constraint_violation"] == 0
    assert len(sol.strategies) == 300
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["solve", "allocation:budgeted_second_price", "--method", "dual-mirror-descent",
                     "--iterations", "120", "--json"])
    assert code == 0
    doc = json.loads(out.getvalue())
    assert doc["iterations"] == 120 and doc["info"]["constraint_violation"] == 0
