"""Nash-MD, Nash-MP, EGPO, INPO, SPO and online IPO: convergence, rates, sampled mode, budgets, policies."""

from __future__ import annotations

import numpy as np
import pytest

from equilibria.api import load_game, make_learner, solve
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.preference import PreferenceGame
from equilibria.metrics.preference import (
    kl_to,
    kl_to_equilibrium,
    regularised_exploitability,
    unregularised_exploitability,
)
from equilibria.run import run

CYCLIC = "preference:cyclic(k=5,contexts=2,beta=0.1,seed=0)"


@pytest.fixture(scope="module")
def cyclic() -> PreferenceGame:
    return load_game(CYCLIC)


# threshold on the regularised exploitability of the returned iterate (the game's β = 0.1), exact mode
THRESHOLDS = {
    "nash-mp": (300, 1e-12),     # linear, KL ≤ (1 + 2β)^{-k}
    "egpo": (300, 1e-12),        # linear, KL ≤ (1 − ηβ)^k
    "inpo": (400, 1e-10),        # linear for small η
    "online-ipo": (1500, 1e-10),  # gradient descent on the online IPO loss
    "nash-md": (1500, 1e-6),     # O(1/t) with the step sizes of Munos et al.
}


@pytest.mark.parametrize("method", sorted(THRESHOLDS))
def test_regularised_methods_reach_pi_star_beta_on_a_cyclic_game(cyclic, method):
    iters, tol = THRESHOLDS[method]
    learner = make_learner(cyclic, method)
    trace = run(learner, iters, eval_every=iters)
    pi = learner.strategy()
    assert regularised_exploitability(cyclic, pi) < tol
    assert trace.nash_conv_last[-1] < 2 * tol + 1e-15
    assert trace.extra["exploitability"][-1] < tol
    assert kl_to_equilibrium(cyclic, pi) < 10 * tol


def test_spo_average_approaches_the_minimax_winner_while_its_last_iterate_does_not(cyclic):
    """SPO (Hedge self-play) targets the unregularised game: its average's exploitability falls below
    0.02 in 2000 iterations, while the last iterate stays far more exploitable (it cycles)."""
    learner = make_learner(cyclic, "spo")
    run(learner, 2000, eval_every=2000)
    assert unregularised_exploitability(cyclic, learner.average_strategy()) < 0.02
    average = unregularised_exploitability(cyclic, learner.average_strategy())
    assert unregularised_exploitability(cyclic, learner.current_strategy()) > 3 * average


def test_hedge_self_play_moves_away_from_an_interior_equilibrium():
    """Bailey & Piliouras (EC 2018): MWU in a zero-sum game with an interior equilibrium increases
    KL(π*‖π_t) at every step. On rock-paper-scissors SPO's last iterate therefore spirals outwards."""
    P = np.array([[0.5, 0.9, 0.1], [0.1, 0.5, 0.9], [0.9, 0.1, 0.5]])
    g = PreferenceGame(P, [0.5, 0.3, 0.2], beta=0.0)
    learner = make_learner(g, "spo", step_size=0.5)
    star = np.full((1, 3), 1 / 3)
    kls = []
    for _ in range(50):
        learner.step()
        kls.append(kl_to(g, learner.current_strategy(), star))
    assert np.all(np.diff(kls) > 0)


@pytest.mark.parametrize("beta", [0.05, 0.2, 1.0])
def test_nash_mp_kl_contracts_at_least_at_the_theoretical_rate(beta):
    """Tiapkin et al. (2025): with η = 2β, KL(π*_β‖π_k) ≤ (1 + 2β)^{−k} KL(π*_β‖π_0)."""
    g = load_game(f"preference:cyclic(k=5,contexts=3,beta={beta},seed=3,ref=random)")
    learner = make_learner(g, "nash-mp")
    kl0 = kl_to_equilibrium(g, learner.current_strategy())
    for k in range(1, 60):
        learner.step()
        kl = kl_to_equilibrium(g, learner.current_strategy())
        if kl < 1e-12:  # rounding level: the rate is no longer measurable
            break
        assert kl <= (1 + 2 * beta) ** (-k) * kl0 * (1 + 1e-9)


def test_egpo_kl_contracts_at_rate_one_minus_eta_beta():
    """Cen et al. (2021) / Zhou et al. (2025): KL(π*_β‖π_t) ≤ (1 − ηβ)^t KL(π*_β‖π_0) for η ≤ 1/(1 + β)."""
    g = load_game("preference:cyclic(k=4,contexts=2,beta=0.3,seed=1,ref=random)")
    learner = make_learner(g, "egpo")
    eta = learner.step_size
    kl0 = kl_to_equilibrium(g, learner.current_strategy())
    for t in range(1, 40):
        learner.step()
        kl = kl_to_equilibrium(g, learner.current_strategy())
        assert kl <= (1 - eta * 0.3) ** t * kl0 * (1 + 1e-9) + 1e-12


def test_online_ipo_gradient_vanishes_exactly_at_pi_star_beta(cyclic):
    """Calandriello et al. (2024): π*_β is a stationary point of online IPO (one step leaves it in place)."""
    learner = make_learner(cyclic, "online-ipo")
    learner.log_pi = np.log(cyclic.regularised_equilibrium)
    learner.step()
    assert np.abs(learner.current_strategy() - cyclic.regularised_equilibrium).max() < 1e-12


def test_nash_md_with_constant_step_has_an_order_eta_bias(cyclic):
    """Munos et al. (2024): with a fixed η Nash-MD converges to a neighbourhood whose size shrinks with η."""
    gaps = []
    for eta in (1.0, 0.25):
        learner = make_learner(cyclic, "nash-md", step_size=eta)
        run(learner, 800, evaluate="none")
        gaps.append(kl_to_equilibrium(cyclic, learner.current_strategy()))
    assert gaps[0] > 1e-8 and gaps[1] < gaps[0] / 4


# -- sampled mode ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["nash-md", "nash-mp", "egpo", "inpo", "spo", "online-ipo"])
def test_sampled_mode_is_reproducible_with_a_seed(cyclic, method):
    def go(seed: int) -> tuple[np.ndarray, int, list[float]]:
        learner = make_learner(cyclic, method, mode="sampled", batch=4, seed=seed)
        trace = run(learner, 30, eval_every=10)
        return learner.current_strategy(), learner.queries, trace.nash_conv_last

    a, b, c = go(11), go(11), go(12)
    assert np.array_equal(a[0], b[0]) and a[1] == b[1] > 0 and a[2] == b[2]
    assert not np.array_equal(a[0], c[0])


def test_sampled_nash_mp_improves_on_the_reference_and_counts_queries():
    """Noisy oracle estimates still drive Nash-MP close to π*_β (down to the sampling-noise floor)."""
    g = load_game("preference:cyclic(k=5,contexts=2,beta=0.1,seed=0,ref=random)")
    learner = make_learner(g, "nash-mp", mode="sampled", batch=256, seed=0)
    run(learner, 60, evaluate="none")
    # two evaluations per iteration, 256 comparisons per real response
    assert learner.queries == 60 * 2 * 256 * 10
    start = regularised_exploitability(g, g.reference)
    assert regularised_exploitability(g, learner.current_strategy()) < start / 10


def test_query_budget_stops_the_run(cyclic):
    learner = make_learner(cyclic, "egpo", mode="sampled", batch=8, max_queries=5000, seed=1)
    trace = run(learner, 1000, eval_every=5)
    assert learner.queries <= 5000 and learner.budget_exhausted
    assert learner.iteration < 1000
    assert trace.extra["queries"][-1] == learner.queries
    [sol] = solve(cyclic, "egpo", iterations=200, mode="sampled", batch=8, max_queries=5000, seed=1)
    assert sol.info["queries"] <= 5000


# -- neural policy -----------------------------------------------------------------------------

def test_neural_policy_nash_mp_reaches_pi_star_beta():
    """The MLP over context features, trained on each proximal objective, follows exact Nash-MP."""
    g = load_game("preference:cyclic(k=4,contexts=3,beta=1.0,seed=1,ref=random)")
    learner = make_learner(g, "nash-mp", policy="neural", seed=0, hidden=16, inner_steps=10)
    run(learner, 12, evaluate="none")
    assert regularised_exploitability(g, learner.current_strategy()) < 1e-7


def test_neural_online_ipo_is_seeded_and_descends_its_loss():
    g = load_game("preference:cyclic(k=4,contexts=3,beta=0.3,seed=1,ref=random)")
    runs = []
    for _ in range(2):
        learner = make_learner(g, "online-ipo", policy="neural", mode="sampled", seed=5, batch=8)
        run(learner, 20, evaluate="none")
        runs.append(learner.current_strategy())
    assert np.array_equal(runs[0], runs[1])
    learner = make_learner(g, "online-ipo", policy="neural", seed=5)
    run(learner, 300, evaluate="none")
    start = regularised_exploitability(g, g.reference)
    assert regularised_exploitability(g, learner.current_strategy()) < start / 20


# -- errors and solve() ------------------------------------------------------------------------

def test_bad_hyper_parameters_and_beta_zero():
    g = load_game("preference:cyclic(k=3,beta=0.0)")
    with pytest.raises(NotApplicableError, match="beta"):
        make_learner(g, "nash-mp")
    g = load_game("preference:cyclic(k=3,beta=0.1)")
    for kw in ({"mode": "bandit"}, {"policy": "tree"}, {"batch": 0}, {"step_size": -1.0}):
        with pytest.raises(InvalidParameterError):
            make_learner(g, "egpo", **kw)


def test_solve_returns_last_iterate_with_metrics(cyclic):
    [sol] = solve(cyclic, "nash-mp", iterations=200)
    assert sol.info["output"] == "last" and sol.nash_conv < 1e-12
    assert sol.info["kl_to_regularised_equilibrium"] < 1e-12
    assert 0.0 < sol.info["unregularised_exploitability"] < 0.5
    # one meaning per name: the info's exploitability is the core's, NashConv / 2 of the game as defined
    assert sol.info["exploitability"] == pytest.approx(sol.nash_conv / 2, abs=1e-12)


def test_checkpoint_resume_continues_the_same_sampled_trajectory(tmp_path, cyclic):
    reference = make_learner(cyclic, "nash-mp", mode="sampled", batch=4, seed=3)
    run(reference, 20, evaluate="none")
    path = tmp_path / "ck.pkl"
    run(make_learner(cyclic, "nash-mp", mode="sampled", batch=4, seed=3), 10, checkpoint=path)
    resumed = make_learner(cyclic, "nash-mp", mode="sampled", batch=4, seed=3)
    run(resumed, 20, checkpoint=path)
    assert np.array_equal(resumed.current_strategy(), reference.current_strategy())
    assert resumed.queries == reference.queries


# -- options that a mode would ignore are refused (issue 10 §3) --------------------------------

@pytest.mark.parametrize("method", ["nash-md", "nash-mp", "egpo", "inpo", "spo", "online-ipo"])
def test_options_the_mode_or_policy_would_ignore_are_refused(method, cyclic):
    # Defect (issue 10): max_queries, batch, hidden and inner_steps were accepted and ignored in
    # exact mode with a tabular policy.
    for kw in ({"batch": 8}, {"max_queries": 100}, {"hidden": 8}, {"inner_steps": 5},
               {"mode": "exact", "batch": 16}):
        with pytest.raises(InvalidParameterError, match="ignored"):
            make_learner(cyclic, method, **kw)
    make_learner(cyclic, method, mode="sampled", batch=8, max_queries=100)  # used there
    if method == "online-ipo":  # one gradient step per iteration: no inner L-BFGS run
        with pytest.raises(InvalidParameterError, match="inner_steps"):
            make_learner(cyclic, method, policy="neural", inner_steps=5)


def test_minimax_winner_solves_every_context_with_padding_in_one_batch():
    # issue 10 §2: minimax-winner now uses the library's batched zero-sum LP. Context 0 is a
    # 3-cycle padded to 4 responses, context 1 has a Condorcet winner (response 0 beats both others)
    # and context 2 all 4 responses; each context must be solved as its own real sub-game.
    from equilibria.ops import solve_matrix_game
    from equilibria.solvers.preference import minimax_winner

    rng = np.random.default_rng(3)
    K = 4
    P = np.full((3, K, K), 0.5)
    cyc = np.array([[0.5, 0.9, 0.2], [0.1, 0.5, 0.7], [0.8, 0.3, 0.5]])
    P[0, :3, :3] = cyc
    P[1, :3, :3] = [[0.5, 0.6, 0.8], [0.4, 0.5, 0.3], [0.2, 0.7, 0.5]]
    U = rng.uniform(0, 1, size=(K, K))
    P[2] = np.triu(U, 1) + np.tril(1 - U.T, -1) + 0.5 * np.eye(K)
    mask = np.array([[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 1]], dtype=bool)
    game = PreferenceGame(P, mask=mask)
    pi = minimax_winner(game)
    assert np.all(pi[~mask] == 0.0)
    np.testing.assert_allclose(pi.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(pi[1], [1.0, 0.0, 0.0, 0.0], atol=1e-12)  # the Condorcet winner
    for x in range(3):
        real = np.flatnonzero(mask[x])
        Px = P[x][np.ix_(real, real)]
        value, _, _ = solve_matrix_game(Px)
        assert value == pytest.approx(0.5, abs=1e-12)  # a symmetric game's value is 1/2
        assert np.min(Px.T @ pi[x, real]) >= 0.5 - 1e-12  # π guarantees the value: it is optimal
    sol = solve(game, "minimax-winner")[0]
    np.testing.assert_allclose(sol.strategies, pi, atol=0)


def test_neural_policy_checkpoint_holds_plain_arrays_and_resumes_exactly(tmp_path):
    # H2's checkpoint format stores plain data only: the network's weights go in as NumPy arrays.
    g = load_game("preference:cyclic(k=4,contexts=3,beta=1.0,seed=1,ref=random)")
    opts = dict(policy="neural", seed=0, hidden=8, inner_steps=5)
    reference = make_learner(g, "nash-mp", **opts)
    run(reference, 6, evaluate="none")
    state = reference.state_dict()
    assert "net" not in state and all(isinstance(w, np.ndarray) for w in state["net_params"])
    path = tmp_path / "neural.ck"
    run(make_learner(g, "nash-mp", **opts), 3, evaluate="none", checkpoint=path)
    resumed = make_learner(g, "nash-mp", **opts)
    run(resumed, 6, evaluate="none", checkpoint=path)
    assert np.array_equal(resumed.current_strategy(), reference.current_strategy())
