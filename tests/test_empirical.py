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


# ---- α-Rank at large and infinite α (issue 10 §3) ------------------------------------------------

STAG_HUNT = np.array([[[4.0, 0.0], [3.0, 3.0]], [[4.0, 3.0], [0.0, 3.0]]])


def _tree_theorem_log_stationary(payoffs: np.ndarray, alpha: float, m: int) -> np.ndarray:
    """Reference: the Markov chain tree theorem (Leighton & Rivest 1986), π_s ∝ Σ over spanning
    in-trees rooted at s of the product of their edge probabilities, in log space, by brute force
    over each non-root profile's choice of one unilateral move. Independent of the library's solver."""
    from itertools import product as cartesian

    from scipy.special import logsumexp as lse

    n, shape = payoffs.shape[0], payoffs.shape[1:]
    profiles = list(np.ndindex(*shape))
    index = {p: i for i, p in enumerate(profiles)}
    eta = 1.0 / sum(k - 1 for k in shape)
    logp = {}
    for s in profiles:
        for k in range(n):
            for a in range(shape[k]):
                if a == s[k]:
                    continue
                t = s[:k] + (a,) + s[k + 1:]
                x = alpha * (payoffs[(k, *t)] - payoffs[(k, *s)])
                if abs(x) < 1e-14:
                    lr = -np.log(m)
                elif x > 0:
                    lr = np.log(-np.expm1(-x)) - np.log(-np.expm1(-m * x))
                else:
                    lr = (m - 1) * x + np.log(-np.expm1(x)) - np.log(-np.expm1(m * x))
                logp[index[s], index[t]] = np.log(eta) + lr
    N = len(profiles)
    out = np.full(N, -np.inf)
    for root in range(N):
        others = [i for i in range(N) if i != root]
        choices = [[j for (i2, j) in logp if i2 == i] for i in others]
        terms = []
        for pick in cartesian(*choices):
            nxt = dict(zip(others, pick, strict=True))
            ok = True
            for start in others:  # every walk must reach the root without a cycle
                seen, v = set(), start
                while v != root and v not in seen:
                    seen.add(v)
                    v = nxt[v]
                ok &= v == root
            if ok:
                terms.append(sum(logp[i, nxt[i]] for i in others))
        out[root] = lse(terms)
    return out - lse(out)


@pytest.mark.parametrize("alpha", [1.0, 10.0, 20.0, 100.0, 1000.0])
def test_alpha_rank_stag_hunt_large_alpha_is_finite_and_exact(alpha):
    # Defect (issue 10): the stationary distribution was NaN on the stag hunt for alpha >= 20,
    # because the escape probabilities e^{-α(m−1)Δ} underflow and the linear system is singular.
    res = alpha_rank(STAG_HUNT, alpha=alpha, population_size=50)
    ref = np.exp(_tree_theorem_log_stationary(STAG_HUNT, alpha, 50))
    assert np.all(np.isfinite(res.stationary))
    np.testing.assert_allclose(res.stationary.ravel(), ref, rtol=1e-9, atol=1e-300)
    assert res.ranking[0] == 3  # (hare, hare) is risk dominant: the hardest state to leave


def test_alpha_rank_random_games_at_alpha_100_match_the_tree_theorem():
    # Defect (issue 10): 4 of 50 random 4x4 games gave NaN at alpha = 100. Every one is now finite;
    # a few 2x3 games are checked entry by entry against the tree theorem.
    rng = np.random.default_rng(0)
    for _ in range(50):
        res = alpha_rank(rng.normal(size=(2, 4, 4)), alpha=100.0)
        assert np.all(np.isfinite(res.stationary)) and res.stationary.sum() == pytest.approx(1.0, abs=1e-12)
    for seed in range(3):
        u = np.random.default_rng(seed).normal(size=(2, 2, 3))
        for alpha in (1.0, 10.0, 100.0):
            ref = np.exp(_tree_theorem_log_stationary(u, alpha, 50))
            ours = alpha_rank(u, alpha=alpha).stationary.ravel()
            np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-300)


def test_psro_with_the_alpha_rank_meta_solver_at_large_alpha_runs():
    # Defect (issue 10): PSRO with the alpha-rank meta-solver crashed once α-Rank returned NaN.
    from equilibria.api import make_learner
    from equilibria.run import run

    game = NormalFormGame(np.random.default_rng(3).normal(size=(2, 6, 6)))
    for alpha in (100.0, float("inf")):
        learner = make_learner(game, "psro", seed=0, meta_solver="alpha-rank",
                               meta_solver_options={"alpha": alpha})
        run(learner, 5)
        assert all(np.all(np.isfinite(s)) and s.sum() == pytest.approx(1.0) for s in learner.meta_strategy)


def test_infinite_alpha_follows_the_perturbed_response_graph():
    # Omidshafiei et al. (2019), infinite-α regime as OpenSpiel models it: better moves η(1 − ε),
    # worse ones η ε, ties η/2. On the stag hunt both pure equilibria are sinks of the response
    # graph, so by symmetry they share the mass; the two miscoordinated profiles are transient.
    res = alpha_rank(STAG_HUNT, alpha=float("inf"), inf_alpha_eps=1e-6)
    assert res.stationary[0, 0] == pytest.approx(res.stationary[1, 1], rel=1e-9)
    assert res.stationary[0, 1] < 1e-5 and res.stationary[1, 0] < 1e-5
    assert alpha_rank(STAG_HUNT, alpha="inf").stationary == pytest.approx(res.stationary, abs=1e-2)
    # a single population transposition: all mass flows to the best strategy as ε → 0
    res = alpha_rank(np.array([[1.0, 3.0, 2.0]]), alpha=float("inf"), inf_alpha_eps=1e-9)
    assert res.stationary[1] > 1 - 1e-8


@pytest.mark.parametrize("bad", [{"alpha": -1.0}, {"alpha": float("nan")}, {"population_size": 1},
                                 {"alpha": "inf", "inf_alpha_eps": 0.0},
                                 {"alpha": "inf", "inf_alpha_eps": 1.0}])
def test_alpha_rank_rejects_bad_parameters(bad):
    with pytest.raises(equilibria.InvalidParameterError):
        alpha_rank(STAG_HUNT, **bad)


# ---- Nash averaging: the maximum-entropy equilibrium (issue 10 §3) -------------------------------


def test_nash_averaging_spreads_evenly_over_copies_of_a_condorcet_winner():
    # Defect (issue 10): on three copies of a Condorcet winner nash_averaging returned
    # [0, 0, .485, 0, .515, 0]. The equilibria are all mixtures of the copies; the maximum-entropy
    # one is uniform over them (Balduzzi et al. 2018, the invariance to copies).
    rps = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]])
    A = np.zeros((6, 6))
    order = [0, 3, 1, 4, 2, 5]  # copies of the winner interleaved with the cyclic agents
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if a < 3 and b < 3:
                A[i, j] = rps[a, b]
            elif a >= 3 and b < 3:
                A[i, j] = 1.0
            elif a < 3 and b >= 3:
                A[i, j] = -1.0
    res = nash_averaging(A)
    np.testing.assert_allclose(res.nash, [0, 1 / 3, 0, 1 / 3, 0, 1 / 3], atol=1e-12)
    np.testing.assert_allclose(nash_averaging(rps).nash, np.full(3, 1 / 3), atol=1e-12)


def test_nash_averaging_maximises_entropy_over_a_face_of_equilibria():
    # Agents 0 and 1 tie with each other and both beat agent 2 (by different margins, so they are
    # not copies): the equilibria are every mixture of 0 and 1, and the maximum-entropy one is (½, ½, 0).
    A = np.array([[0, 0, 1.0], [0, 0, 3.0], [-1.0, -3.0, 0]])
    res = nash_averaging(A)
    np.testing.assert_allclose(res.nash, [0.5, 0.5, 0.0], atol=1e-8)
    # random antisymmetric games with a face of equilibria (a duplicated-but-perturbed agent): the
    # result is an equilibrium (A p ≤ 0) whose support is the largest any equilibrium has (the
    # maximum-entropy point lies in the relative interior), checked by one LP per agent
    from scipy.optimize import linprog

    rng = np.random.default_rng(5)
    for _ in range(5):
        M = rng.normal(size=(6, 6))
        M = M - M.T
        row = M[0] * (1.0 + 0.1 * rng.random(6))  # agent 6: agent 0 with other margins, tying with it
        row[0] = 0.0
        M = np.block([[M, -row[:, None]], [row[None, :], np.zeros((1, 1))]])
        p = nash_averaging(M).nash
        assert np.all(M @ p <= 1e-9) and p.sum() == pytest.approx(1.0)
        for i in range(7):
            lp = linprog(-np.eye(7)[i], A_ub=M, b_ub=np.zeros(7), A_eq=np.ones((1, 7)), b_eq=[1],
                         method="highs")
            assert (p[i] > 1e-9) == (-lp.fun > 1e-7)


def _openspiel_alpharank(payoffs: np.ndarray, **kw) -> np.ndarray:
    from open_spiel.python.egt import alpharank as os_alpharank

    _, _, pi, _, _ = os_alpharank.compute([payoffs[k] for k in range(payoffs.shape[0])], m=50, **kw)
    return np.asarray(pi)


def test_alpha_rank_matches_openspiel():
    # OpenSpiel's multi-population α-Rank (open_spiel.python.egt.alpharank, the authors' code) as the
    # peer. Its eigenvector solve needs the chain to be far from reducible in floating point (it
    # raises "Expected 1 stationary distribution, but found 2" already on the stag hunt at α = 1),
    # so each game is scaled so that α Δu (m − 1) ≤ 10 for its largest payoff gap Δu. (α enters only
    # through α·u; larger products are checked against the tree theorem above.) The infinite-α
    # model is compared unscaled.
    rng = np.random.default_rng(11)
    games = [STAG_HUNT, rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 2, 4)), rng.normal(size=(3, 2, 2, 2))]
    for u in games:
        for alpha in (1.0, 10.0, 100.0):
            scaled = u * min(1.0, 10.0 / (alpha * np.ptp(u) * 49))
            ours = alpha_rank(scaled, alpha=alpha, population_size=50).stationary.ravel()
            np.testing.assert_allclose(ours, _openspiel_alpharank(scaled, alpha=alpha), rtol=1e-9, atol=1e-12)
        for eps in (0.01, 0.1):
            ours = alpha_rank(u, alpha=float("inf"), inf_alpha_eps=eps).stationary.ravel()
            ref = _openspiel_alpharank(u, alpha=1.0, use_inf_alpha=True, inf_alpha_eps=eps)
            np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12)


def test_linear_and_log_space_state_reductions_agree():
    # the fast linear-space reduction (used when every transition exceeds e^-600) and the log-space
    # one are the same GTH algorithm; on a random irreducible chain both satisfy π P = π
    from equilibria.population.empirical import _stationary_linear, log_stationary

    P = np.random.default_rng(2).random((30, 30)) ** 4
    P /= P.sum(axis=1, keepdims=True)
    lin = _stationary_linear(P)
    log = np.exp(log_stationary(np.log(P)))
    np.testing.assert_allclose(lin, log, rtol=1e-12)
    np.testing.assert_allclose(lin @ P, lin, rtol=1e-12)
