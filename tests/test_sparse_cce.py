"""Sparse CCE in Markov games (Foster, Golowich & Kakade, ICML 2023): the exact gap of a mixture of
product policies against history-dependent deviations, and the independent Hedge learner whose
iterates form the mixture."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.dynamics.sparse_cce import Mixture, mixture_values, sparse_cce_gains, sparse_cce_gap
from equilibria.games.markov import MarkovGame


def random_game(horizon: int, seed: int = 0, initial=None) -> MarkovGame:
    rng = np.random.default_rng(seed)
    R = rng.uniform(-1, 1, (2, 2, 2, 2))
    P = rng.dirichlet(np.ones(2), size=(2, 2, 2))
    return MarkovGame(R, P, horizon=horizon, initial=initial)


def pennies(**kw) -> MarkovGame:
    """Two states of (asymmetric) matching pennies; matching moves to state 0, mismatching to 1."""
    R = np.zeros((2, 2, 2, 2))
    R[0, 0] = [[1, -1], [-1, 1]]
    R[1, 0] = [[2, -1], [-1, 0.5]]
    R[:, 1] = -R[:, 0]
    P = np.zeros((2, 2, 2, 2))
    P[:, 0, 0, 0] = P[:, 1, 1, 0] = P[:, 0, 1, 1] = P[:, 1, 0, 1] = 1
    return MarkovGame(R, P, initial=[1, 0], **kw)


def test_one_component_gap_is_nash_conv():
    """Against a single product Markov policy the best response is Markov: the history-tree value
    equals the MDP best response of the metrics core."""
    g = random_game(horizon=3, seed=1)
    rng = np.random.default_rng(2)
    prof = [rng.dirichlet(np.ones(2), size=(3, 2)) for _ in range(2)]
    np.testing.assert_allclose(sparse_cce_gains(g, [prof]), eq.deviation_gains(g, prof), rtol=1e-12)


def test_one_step_gap_is_the_normal_form_cce_gap():
    """Horizon 1 from one state: the mixture is a correlated distribution of the stage game."""
    g = random_game(horizon=1, seed=3, initial=[1, 0])
    rng = np.random.default_rng(4)
    comps = [[rng.dirichlet(np.ones(2), size=(1, 2)) for _ in range(2)] for _ in range(3)]
    w = np.array([0.2, 0.3, 0.5])
    joint = sum(wk * np.outer(c[0][0, 0], c[1][0, 0]) for wk, c in zip(w, comps, strict=True))
    stage = eq.NormalFormGame(g.rewards[0])
    assert sparse_cce_gap(g, comps, w) == pytest.approx(eq.cce_gap(stage, joint), rel=1e-12)


def test_history_dependent_deviation_beats_every_markov_one():
    """Step 0 pays nothing, step 1 is matching pennies; the opponent plays heads in one component
    and tails in the other. Player 1 (uniform) earns 0; by copying the opponent's step-0 action at
    step 1 it earns 1, which no Markov deviation can (the state carries no information)."""
    R = np.zeros((2, 2, 2, 2))
    R[1, 0] = [[1, -1], [-1, 1]]
    R[1, 1] = -R[1, 0]
    P = np.zeros((2, 2, 2, 2))
    P[:, :, :, 1] = 1
    g = MarkovGame(R, P, horizon=2, initial=[1, 0])
    u = np.full((2, 2, 2), 0.5)
    heads, tails = np.tile([1.0, 0.0], (2, 2, 1)), np.tile([0.0, 1.0], (2, 2, 1))
    comps = [[u, heads], [u, tails]]
    np.testing.assert_allclose(mixture_values(g, comps), [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(sparse_cce_gains(g, comps), [1.0, 0.0], atol=1e-15)
    # the best Markov deviation: against the averaged opponent (uniform at step 1) it gains 0
    avg = [u, np.full((2, 2, 2), 0.5)]
    assert eq.deviation_gains(g, avg)[0] == pytest.approx(0.0, abs=1e-15)


def test_learner_gap_shrinks_like_one_over_root_t():
    """Each player's regret (Hedge per state) grows like √T here, so the T-sparse gap falls ~T^-1/2."""
    g = pennies(horizon=3)
    learner = eq.make_learner(g, "sparse-cce", seed=0, step_size=3.0)
    gaps = []
    for T in (100, 400):
        while learner.iteration < T:
            learner.step()
        gaps.append(sparse_cce_gap(g, learner.mixture()))
    assert gaps[1] / gaps[0] < 0.7, gaps  # 1/√4 = 0.5 claimed
    assert gaps[1] < 0.02 * g.payoff_scale, gaps


def test_solve_reports_the_mixture_gap_and_the_cli_runs(capsys):
    g = pennies(horizon=2)
    sol = eq.solve(g, "sparse-cce", iterations=30, seed=0)[0]
    learner = eq.make_learner(g, "sparse-cce", seed=0)
    for _ in range(30):
        learner.step()
    assert sol.info["sparsity"] == 30
    assert sol.info["sparse_cce_gap"] == pytest.approx(sparse_cce_gap(g, learner.mixture()), rel=1e-12)
    from equilibria.cli import main

    spec = "random_markov_game(num_states=2, num_actions=2, discount=0.5, seed=0)"
    assert main(["solve", spec, "--method", "sparse-cce", "--iterations", "20", "--json"]) == 0
    assert np.isfinite(json.loads(capsys.readouterr().out)["nash_conv"])
    assert main(["solve", spec, "--method", "sparse-cce", "-o", "step_size=-1"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_bad_input():
    g = pennies(horizon=2)
    u = [np.full((2, 2), 0.5), np.full((2, 2), 0.5)]
    with pytest.raises(eq.InvalidStrategyError):
        sparse_cce_gap(g, [u, u], [0.7, 0.7])
    with pytest.raises(eq.InvalidStrategyError):
        sparse_cce_gap(g, [])
    with pytest.raises(eq.InvalidStrategyError):
        sparse_cce_gap(g, Mixture([np.ones((1, 2, 2, 2)), np.ones((1, 2, 2, 2))]))
    with pytest.raises(eq.NotApplicableError):
        sparse_cce_gap(pennies(discount=0.9), [u])
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(g, "sparse-cce", step_size=float("inf"))
    with pytest.raises(eq.NotApplicableError):
        eq.make_learner(eq.load_game("kuhn_poker"), "sparse-cce")
