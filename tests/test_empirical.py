"""Empirical game analysis: simulated payoffs with confidence intervals, α-Rank, Nash averaging, Elo."""

from __future__ import annotations

import numpy as np
import pytest

import equilibria
from equilibria.games.normal_form import NormalFormGame
from equilibria.population.empirical import alpha_rank, elo, estimate_payoffs, nash_averaging, sample_returns
from equilibria.population.oracles import ExactBestResponse, policy_space


def test_estimates_cover_the_exact_payoffs_normal_form():
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]])
    game = NormalFormGame.zero_sum(A)
    pops = [[np.array([0.5, 0.5, 0.0]), 2], [0, np.array([0.2, 0.3, 0.5])]]
    emp = estimate_payoffs(game, pops, num_samples=4000, seed=1)
    space = policy_space(game)
    exact = np.stack([[space.payoffs((a, b)) for b in pops[1]] for a in pops[0]])  # (2, 2, n)
    lo, hi = emp.confidence_interval(0.999)
    assert ((lo <= np.moveaxis(exact, -1, 0) + 1e-12) & (np.moveaxis(exact, -1, 0) <= hi + 1e-12)).all()
    # a pure-vs-pure entry has no variance
    assert emp.sem[0, 1, 0] == 0 and emp.mean[0, 1, 0] == exact[1, 0, 0]


def test_markov_returns_are_unbiased_for_discounted_values():
    game = equilibria.load_game("random_markov_game(num_states=3, num_actions=2, seed=0)")
    prof = game.uniform_profile()
    G = sample_returns(game, prof, 20_000, np.random.default_rng(0))
    V = game.expected_payoffs(prof)
    sem = G.std(axis=0) / np.sqrt(len(G))
    assert np.all(np.abs(G.mean(axis=0) - V) <= 5 * sem)


def test_kuhn_sampled_outcomes_match_expected_payoffs():
    game = equilibria.load_game("kuhn_poker")
    space = policy_space(game)
    br = ExactBestResponse()(space, game.uniform_profile(), 0, np.random.default_rng(0))
    prof = space.joint_profile([br, game.uniform_profile()])
    G = sample_returns(game, prof, 20_000, np.random.default_rng(1))
    exact = game.expected_payoffs(space.joint_profile([br, game.uniform_profile()]))
    assert np.all(np.abs(G.mean(axis=0) - exact) <= 5 * G.std(axis=0) / np.sqrt(len(G)))


def test_same_seed_same_estimates():
    game = equilibria.load_game("kuhn_poker")
    u = game.uniform_profile()
    a = estimate_payoffs(game, [[u], [u, u]], num_samples=50, seed=3)
    b = estimate_payoffs(game, [[u], [u, u]], num_samples=50, seed=3)
    assert np.array_equal(a.mean, b.mean)
    assert not np.array_equal(a.mean[:, 0, 0], a.mean[:, 0, 1])  # entries use independent streams


def test_alpha_rank_of_a_single_population_transposition():
    # With one player the chain only moves to better strategies as alpha grows: all mass on the best.
    res = alpha_rank(np.array([[1.0, 3.0, 2.0]]), alpha=20.0)
    assert res.stationary.argmax() == 1 and res.stationary[1] > 0.999
    assert res.ranking[0] == 1


def test_alpha_rank_at_alpha_zero_is_uniform():
    # alpha = 0 makes every fixation probability 1/m: a symmetric random walk on the profile grid
    rng = np.random.default_rng(0)
    res = alpha_rank(rng.normal(size=(2, 3, 4)), alpha=0.0)
    assert res.stationary == pytest.approx(np.full((3, 4), 1 / 12))


def test_nash_averaging_is_invariant_to_copies():
    # Balduzzi et al. (2018): rock-paper-scissors plus a copy of rock keeps ratings at 0, and the
    # maximum-entropy Nash splits rock's mass evenly between its copies.
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]])
    res = nash_averaging(A)
    assert res.nash == pytest.approx(np.full(3, 1 / 3), abs=1e-6)
    A4 = np.array([[0, -1, 1, 0], [1, 0, -1, 1], [-1, 1, 0, -1], [0, -1, 1, 0.0]])
    res4 = nash_averaging(A4)
    assert res4.nash == pytest.approx([1 / 6, 1 / 3, 1 / 3, 1 / 6], abs=1e-5)
    assert res4.ratings == pytest.approx(np.zeros(4), abs=1e-6)


def test_elo_recovers_ratings_from_exact_win_rates():
    r = np.array([-200.0, 0.0, 350.0])
    W = 1.0 / (1.0 + 10 ** (-(r[:, None] - r[None, :]) / 400))
    np.fill_diagonal(W, 0.5)
    est = elo(W)
    assert est == pytest.approx(r - r.mean(), abs=1e-6)


def test_heat_map(tmp_path):
    from equilibria.plotting import plot_payoff_heatmap

    emp = estimate_payoffs(NormalFormGame.zero_sum(np.eye(3)), [[0, 1, 2], [0, 1, 2]], num_samples=5, seed=0)
    path = plot_payoff_heatmap(emp.mean[0], tmp_path / "h.png", labels=["a", "b", "c"], errors=emp.sem[0])
    assert (tmp_path / "h.png").stat().st_size > 1000 and str(path).endswith("h.png")
