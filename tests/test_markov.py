"""Markov games: the game arrays, Shapley / Nash / correlated value iteration, best responses, learners."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

import equilibria
from equilibria.errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from equilibria.games.catalog.markov_games import _soccer_arrays
from equilibria.games.markov import MarkovGame
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import best_response, nash_conv
from equilibria.metrics.markov import (
    correlated_state_gains,
    correlated_state_values,
    markov_ce_gap,
    state_deviation_gains,
)
from equilibria.metrics.normal_form import ce_gap


def hand_game(gamma: float) -> MarkovGame:
    """One live state s with stage game [[1 + γV, γV], [0, 2]] (rows: a, b; columns: c, d).

    (a, c) pays 1 and stays, (a, d) pays 0 and stays, (b, c) pays 0 and ends, (b, d) pays 2 and
    ends. The stage game has no saddle point, so V = (ad − bc)/(a + d − b − c) = (2 + 2γV)/3, i.e.
    V = 2/(3 − 2γ); the row player plays a with probability 2/3 and the column player c with
    (2 − γV)/3 (2×2 indifference conditions).
    """
    b = MarkovGame.builder([["a", "b"], ["c", "d"]])
    b.transition("s", ("a", "c"), rewards=(1, -1), to={"s": 1})
    b.transition("s", ("a", "d"), rewards=(0, 0), to={"s": 1})
    b.transition("s", ("b", "c"), rewards=(0, 0), to={"end": 1})
    b.transition("s", ("b", "d"), rewards=(2, -2), to={"end": 1})
    b.terminal("end")
    return b.build(discount=gamma, initial="s")


@pytest.mark.parametrize("gamma", [0.5, 0.8])
def test_shapley_reproduces_hand_derived_value(gamma):
    game = hand_game(gamma)
    sol = equilibria.solve(game, "shapley")[0]
    V = 2 / (3 - 2 * gamma)
    assert sol.info["values"][0] == pytest.approx(V, abs=1e-8)
    assert sol.payoffs[0] == pytest.approx(V, abs=1e-8)
    assert sol.strategies[0][0] == pytest.approx([2 / 3, 1 / 3], abs=1e-6)
    assert sol.strategies[1][0] == pytest.approx([(2 - gamma * V) / 3, 1 - (2 - gamma * V) / 3], abs=1e-6)
    assert sol.nash_conv <= 1e-7


def test_one_state_horizon_game_is_repeated_matrix_game():
    # H repetitions of a matrix game, value H * val(A); val(A) cross-checked against the lp solver
    A = np.array([[0.0, -1.0, 2.0], [1.0, 0.0, -1.0], [-1.0, 3.0, 0.0]])
    R = np.stack([A, -A])[None]
    P = np.ones((1, 3, 3, 1))
    game = MarkovGame(R, P, horizon=4)
    val = equilibria.solve(NormalFormGame.zero_sum(A), "lp")[0].info["value"]
    sol = equilibria.solve(game, "shapley")[0]
    assert sol.payoffs[0] == pytest.approx(4 * val, abs=1e-9)
    assert sol.strategies[0].shape == (4, 1, 3)
    nvi = equilibria.solve(game, "nash-value-iteration")[0]
    assert nvi.payoffs[0] == pytest.approx(4 * val, abs=1e-9)


def test_grid_soccer_values_are_antisymmetric_under_the_half_turn():
    # Swapping the roles of A and B and rotating the pitch by 180 degrees maps the game onto itself
    # with payoffs negated, so V(A at x, B at y, ball A) = -V(A at rot y, B at rot x, ball B) and the
    # symmetric start has value 0 (Littman 1994's set-up).
    rows, cols = 2, 3
    game = equilibria.load_game(f"grid_soccer(rows={rows}, cols={cols})")
    sol = equilibria.solve(game, "shapley", tol=1e-10)[0]
    V = sol.info["values"]
    _, _, _, index, _ = _soccer_arrays(rows, cols)

    def rot(c):
        return (rows - 1 - c[0], cols - 1 - c[1])

    for (a, b, ball), s in index.items():
        assert V[s] == pytest.approx(-V[index[(rot(b), rot(a), 1 - ball)]], abs=1e-7)
    assert sol.payoffs[0] == pytest.approx(0.0, abs=1e-9)
    assert np.abs(V).max() > 0.1  # not trivially zero: a player next to the goal with the ball wins
    assert state_deviation_gains(game, sol.strategies).max() <= 1e-7


def test_best_response_matches_brute_force_over_deterministic_policies():
    game = equilibria.load_game("random_markov_game(num_states=3, num_actions=2, seed=3)")
    rng = np.random.default_rng(0)
    other = rng.dirichlet(np.ones(2), size=3)
    best = -np.inf
    for acts in product(range(2), repeat=3):
        pol = np.eye(2)[list(acts)]
        best = max(best, game.expected_payoffs([pol, other])[0])
    br = best_response(game, [other, other], 0)
    assert game.expected_payoffs([br, other])[0] == pytest.approx(best, abs=1e-10)
    gains = equilibria.metrics.deviation_gains(game, [other, other])
    assert gains[0] == pytest.approx(best - game.expected_payoffs([other, other])[0], abs=1e-10)


def test_state_values_solve_the_bellman_equation():
    game = equilibria.load_game("random_markov_game(num_states=4, num_actions=2, players=3, seed=1)")
    prof = game.uniform_profile()
    V = game.state_values(prof)
    r = game.joint_rewards.mean(axis=2)
    P = game.joint_transitions.mean(axis=1)
    assert np.allclose(V, r + game.discount * P @ V)


def test_correlated_policy_values_solve_their_bellman_equation_and_match_product_policies():
    # one policy evaluation (MarkovGame.joint_state_values) serves profiles and correlated policies
    game = equilibria.load_game("random_markov_game(num_states=4, num_actions=2, players=3, seed=1)")
    rng = np.random.default_rng(0)
    prof = [rng.dirichlet(np.ones(2), size=4) for _ in range(3)]
    product_joint = np.einsum("sa,sb,sc->sabc", *prof)
    assert np.allclose(correlated_state_values(game, product_joint), game.state_values(prof), rtol=1e-12)
    mu = rng.dirichlet(np.ones(8), size=4)  # correlated: not a product of marginals
    V = correlated_state_values(game, mu.reshape(4, 2, 2, 2))
    r = np.einsum("sij,sj->si", game.joint_rewards, mu)
    P = np.einsum("sju,sj->su", game.joint_transitions, mu)
    assert np.allclose(V, r + game.discount * P @ V, rtol=1e-12, atol=1e-12 * np.abs(V).max())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_is_an_equilibrium_on_random_zero_sum_games(seed):
    game = equilibria.load_game(
        f"random_markov_game(num_states=6, num_actions=3, zero_sum=True, seed={seed})"
    )
    sol = equilibria.solve(game, "shapley")[0]
    assert nash_conv(game, sol.strategies) <= 1e-7
    assert state_deviation_gains(game, sol.strategies).max() <= 1e-7
    nvi = equilibria.solve(game, "nash-value-iteration", stage_method="lp")[0]
    assert np.allclose(nvi.info["values"][:, 0], sol.info["values"], atol=1e-6)


def test_ce_value_iteration_on_the_trust_gridworld():
    # the utilitarian CE walks both players to the gate: 3 steps costing 0.05 each, then 4 each,
    # discounted by 0.95 per step: -0.05 - 0.05*0.95 + (4 - 0.05)*0.95**2
    game = equilibria.load_game("trust_gridworld(length=3)")
    sol = equilibria.solve(game, "ce-value-iteration")[0]
    expect = -0.05 - 0.05 * 0.95 + (4 - 0.05) * 0.95**2
    assert sol.payoffs == pytest.approx([expect, expect], abs=1e-6)
    # every state's correlated policy is a CE of its stage game given the continuation values
    V = sol.info["values"]
    joint = sol.info["joint_policy"]
    for s in range(game.num_states):
        if not game.terminal[s]:
            assert ce_gap(NormalFormGame(game.stage_game(s, V)), joint[s]) <= 1e-7
    # defecting at once is also an equilibrium (the risk-dominant one): nobody gains by deviating
    defect = np.zeros((game.num_states, 3))
    defect[:, 2] = 1.0
    assert nash_conv(game, [defect, defect]) <= 1e-12


def test_errors():
    b = MarkovGame.builder([["x", "y"], ["x"]])
    b.transition("s", ("x", "x"), rewards=(0, 0), to={"s": 1})
    with pytest.raises(InvalidGameError, match="no transition"):
        b.build(discount=0.9)
    with pytest.raises(InvalidGameError, match="discount"):
        MarkovGame(np.zeros((1, 2, 1, 1)), np.ones((1, 1, 1, 1)))
    game = hand_game(0.5)
    with pytest.raises(InvalidStrategyError):
        game.expected_payoffs([np.ones((2, 2)), np.ones((2, 2)) / 2])
    with pytest.raises(NotApplicableError):
        equilibria.solve(equilibria.load_game("trust_gridworld"), "shapley")


def test_profile_json_round_trip():
    game = hand_game(0.5)
    prof = [np.array([[0.5, 0.5], [0.25, 0.75]]), np.array([[1.0, 0.0], [0.0, 1.0]])]
    back = game.profile_from_json(game.profile_to_json(prof))
    assert all(np.allclose(a, b) for a, b in zip(prof, back, strict=True))


def test_minimax_q_learns_the_hand_derived_value():
    from equilibria.api import make_learner
    from equilibria.run import run

    game = hand_game(0.5)
    learner = make_learner(game, "minimax-q", seed=0)
    run(learner, 150, evaluate="none")
    s = game.state_labels.index("s")
    assert learner.V[s] == pytest.approx(1.0, abs=0.01)  # V = 2/(3 - 2γ) = 1 at γ = 1/2
    assert nash_conv(game, learner.current_strategy()) <= 0.1


def test_independent_learners_on_a_single_agent_mdp_find_the_optimum():
    # with one player a Markov game is an MDP: both learners must reach the optimal value
    from equilibria.api import make_learner
    from equilibria.metrics.markov import best_response_policy
    from equilibria.run import run

    game = equilibria.load_game("random_markov_game(num_states=4, num_actions=3, players=1, seed=2)")
    opt = game.initial @ best_response_policy(game, game.uniform_profile(), 0)[1]
    pg = make_learner(game, "independent-pg", step_size=1.0, epsilon=0.0)
    run(pg, 500, evaluate="none")
    assert game.expected_payoffs(pg.current_strategy())[0] == pytest.approx(opt, abs=1e-9)
    iq = make_learner(game, "independent-q", seed=0, temperature=0.01)
    run(iq, 600, evaluate="none")
    assert game.expected_payoffs(iq.current_strategy())[0] >= opt - 0.05


def test_independent_pg_reaches_nash_in_an_identical_interest_game():
    # an identical-interest game is a Markov potential game: independent PG converges to a Nash
    # equilibrium (Leonardos et al., ICLR 2022)
    from equilibria.api import make_learner
    from equilibria.run import run

    base = equilibria.load_game("random_markov_game(num_states=3, num_actions=2, seed=6)")
    R = base.rewards.copy()
    R[:, 1] = R[:, 0]
    game = MarkovGame(R, base.transitions, discount=base.discount)
    pg = make_learner(game, "independent-pg", step_size=[1.0, 1.0], epsilon=0.0)
    trace = run(pg, 1000, eval_every=250)
    assert trace.nash_conv_last[-1] <= 5e-4


def test_nash_value_iteration_with_a_horizon_is_a_markov_perfect_equilibrium():
    # backward induction with a Nash equilibrium of every stage game is exact for finite horizons
    base = equilibria.load_game("random_markov_game(num_states=3, num_actions=2, seed=9)")
    game = MarkovGame(base.rewards, base.transitions, horizon=3, discount=0.9)
    sol = equilibria.solve(game, "nash-value-iteration")[0]
    assert sol.strategies[0].shape == (3, 3, 2)
    assert sol.nash_conv <= 1e-9
    assert state_deviation_gains(game, sol.strategies).max() <= 1e-9


def test_builder_wildcard_fills_the_remaining_joint_actions():
    b = MarkovGame.builder([["stay", "go"], ["stay", "go"]])
    b.terminal("end")
    b.transition("s", ("go", "go"), rewards=(1, 1), to={"end": 1.0})
    b.transition("s", "*", rewards=(0, 0), to={"s": 1.0}, replace=False)
    game = b.build(discount=0.9, initial="s")
    assert game.state_labels == ("end", "s")  # states are numbered in order of first mention
    go = np.array([[0.5, 0.5], [0.0, 1.0]])
    assert game.expected_payoffs([go, go]) == pytest.approx([1.0, 1.0])
    # staying forever pays nothing, and against "stay" going is no better
    stay = np.array([[0.5, 0.5], [1.0, 0.0]])
    assert game.expected_payoffs([stay, go]) == pytest.approx([0.0, 0.0])
    assert nash_conv(game, [stay, stay]) == pytest.approx(0.0)


def _slow_player_exploitability(step_size, timescale, iterations=3000):
    """Biased matching pennies as a one-state Markov game (value 1/5, x* = (2/5, 3/5)): the mean over
    the second half of the run of v − min_j (xᵀA)_j for the slow player's played policy x."""
    from equilibria.api import make_learner

    A = np.array([[2.0, -1.0], [-1.0, 1.0]])
    game = MarkovGame(np.stack([A, -A])[None], np.ones((1, 2, 2, 1)), discount=0.5)
    pg = make_learner(game, "independent-pg", step_size=step_size, timescale=timescale, epsilon=0.05)
    gaps = []
    for _ in range(iterations):
        pg.step()
        x = pg.current_strategy()[0][0]
        gaps.append(0.2 - (x @ A).min())
    return float(np.mean(gaps[iterations // 2:]))


def test_independent_pg_needs_two_timescales_in_a_zero_sum_game():
    # Daskalakis, Foster & Golowich (NeurIPS 2020): with η_x ≪ η_y the slow player's iterates approach
    # a min-max policy; with equal rates the dynamics cycle and it stays exploitable.
    equal = _slow_player_exploitability(0.5, 1.0)
    two = _slow_player_exploitability(0.5, 0.01)
    assert equal > 0.5
    assert two < 0.1
    assert _slow_player_exploitability(0.5, 0.001) < two


def test_independent_pg_direct_parametrisation_with_epsilon_greedy_exploration():
    # Daskalakis et al. (2020), Alg. 1: policies are points of the simplex (projected steps, not a
    # softmax), and the played policy is (1 − ε) x + ε/A, so every action keeps probability ≥ ε/A.
    from equilibria.api import make_learner
    from equilibria.run import run

    game = equilibria.load_game("random_markov_game(num_states=4, num_actions=3, players=1, seed=2)")
    pg = make_learner(game, "independent-pg", step_size=1.0, epsilon=0.3)
    run(pg, 200, evaluate="none")
    played = pg.current_strategy()[0]
    assert played.min() == pytest.approx(0.1, abs=1e-12)  # the greedy part became pure: x is one-hot
    assert np.all((pg.x[0] == 0) | (pg.x[0] == 1))
    assert played.sum(axis=1) == pytest.approx(np.ones(4))
    for bad in ({"epsilon": 1.0}, {"step_size": 0.0}, {"step_size": [1.0, 2.0]}, {"timescale": 2.0},
                {"lr": 1.0, "step_size": 1.0}):
        with pytest.raises(equilibria.InvalidParameterError):
            make_learner(game, "independent-pg", **bad)


# ---- the CE gap of a correlated Markov policy (issue 10 §3: "ce-value-iteration reports NashConv on
# the product of marginals; it must report the CE gap of the correlated policy it computed") ----------


def _repeated_prisoners_dilemma(**kwargs) -> MarkovGame:
    """One state, stage game the prisoner's dilemma (C, D): (C,C) = 3 each, D against C = 5, (D,D) = 1."""
    R = np.array([[[[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]]]])
    return MarkovGame(R, np.ones((1, 2, 2, 1)), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "gain"), [({"discount": 0.5}, 2.0 / (1 - 0.5)), ({"horizon": 2}, 2 * 2.0)]
)
def test_ce_gap_of_always_cooperating_is_the_gain_of_always_defecting(kwargs, gain):
    # told "C" forever, each player gains 5 − 3 = 2 per step by playing D instead: 2/(1 − γ) discounted,
    # 2·H with a horizon H; the CE gap sums both players
    game = _repeated_prisoners_dilemma(**kwargs)
    always_c = np.zeros((1, 2, 2))
    always_c[0, 0, 0] = 1.0
    assert markov_ce_gap(game, always_c) == pytest.approx(2 * gain, rel=1e-12)
    always_d = np.zeros((1, 2, 2))
    always_d[0, 1, 1] = 1.0
    assert markov_ce_gap(game, always_d) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_ce_gap_of_a_product_policy_is_its_nash_conv(seed):
    # a recommendation drawn independently of the others' actions tells a player nothing it can use
    game = equilibria.load_game(f"random_markov_game(num_states=4, num_actions=3, seed={seed})")
    rng = np.random.default_rng(seed)
    prof = [rng.dirichlet(np.ones(k), size=game.num_states) for k in game.num_actions]
    joint = np.einsum("sa,sb->sab", *prof)
    assert markov_ce_gap(game, joint) == pytest.approx(nash_conv(game, prof), rel=1e-9)


def test_ce_value_iteration_reports_the_ce_gap_of_its_correlated_policy():
    # here the utilitarian correlated policy is not a product: its marginals are no Nash equilibrium
    # (NashConv 0.075) but the policy itself is a correlated equilibrium (CE gap at rounding level)
    game = equilibria.load_game("random_markov_game(num_states=3, num_actions=3, discount=0.5, seed=3)")
    sol = equilibria.solve(game, "ce-value-iteration")[0]
    assert sol.info["metric"] == "ce_gap"
    assert sol.info["ce_gap"] <= 1e-12 * game.payoff_scale
    assert sol.info["ce_gap"] == pytest.approx(markov_ce_gap(game, sol.info["joint_policy"]),
                                               abs=1e-12 * game.payoff_scale)
    assert nash_conv(game, sol.strategies) > 0.05
    assert correlated_state_gains(game, sol.info["joint_policy"]).max() <= 1e-12 * game.payoff_scale
    # the reported payoffs are the exact values of the returned policy
    V = correlated_state_values(game, sol.info["joint_policy"])
    np.testing.assert_allclose(sol.payoffs, game.initial @ V, rtol=0, atol=1e-12 * game.payoff_scale)


def test_ce_value_iteration_gap_on_the_trust_gridworld():
    game = equilibria.load_game("trust_gridworld(length=3)")
    sol = equilibria.solve(game, "ce-value-iteration")[0]
    assert sol.info["ce_gap"] <= 1e-9 * game.payoff_scale


def test_ce_gap_rejects_bad_policies():
    game = _repeated_prisoners_dilemma(discount=0.5)
    with pytest.raises(InvalidStrategyError):
        markov_ce_gap(game, np.ones((1, 2, 2)))
    with pytest.raises(InvalidStrategyError):
        markov_ce_gap(game, np.ones((1, 3, 2)) / 6)


@pytest.mark.parametrize("scale", [1e-13, 1e6, 1e19])
def test_best_responses_and_solvers_are_invariant_to_the_reward_scale(scale):
    # tolerances relative to the rewards: with the absolute stopping rule (tol · max(1, scale)),
    # Shapley stopped after 10 sweeps on rewards of 1e-13 (NashConv 2.6 × the reward scale, refused
    # by certification) and Nash value iteration after 1 sweep (NashConv 2.6 × the scale, returned)
    base = equilibria.load_game("random_markov_game(num_states=4, num_actions=3, discount=0.9, seed=5)")
    scaled = MarkovGame(base.rewards * scale, base.transitions, discount=0.9)
    rng = np.random.default_rng(0)
    prof = [rng.dirichlet(np.ones(3), size=4) for _ in range(2)]
    assert nash_conv(scaled, prof) == pytest.approx(scale * nash_conv(base, prof), rel=1e-9)
    zs = equilibria.load_game(
        "random_markov_game(num_states=3, num_actions=2, zero_sum=True, discount=0.5, seed=2)"
    )
    zs_scaled = MarkovGame(zs.rewards * scale, zs.transitions, discount=zs.discount)
    for method in ("shapley", "nash-value-iteration"):
        ref = equilibria.solve(zs, method)[0]
        sol = equilibria.solve(zs_scaled, method)[0]
        assert sol.nash_conv <= 1e-9 * zs_scaled.payoff_scale
        np.testing.assert_allclose(sol.payoffs, scale * ref.payoffs, rtol=1e-6)
