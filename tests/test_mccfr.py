"""Monte Carlo CFR: external and outcome sampling reach low NashConv on Kuhn poker with a fixed seed,
are deterministic given the seed, and agree in expectation with the exact counterfactual regrets."""

from functools import cache

import numpy as np
import pyspiel
import pytest

import equilibria as eq
from equilibria.dynamics.cfr import TreeLayout
from equilibria.dynamics.mccfr import ExternalSamplingMCCFR, OutcomeSamplingMCCFR
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.metrics import nash_conv


@cache
def kuhn() -> ExtensiveFormGame:
    return ExtensiveFormGame.from_state(pyspiel.load_game("kuhn_poker").new_initial_state())


@cache
def leduc() -> ExtensiveFormGame:
    return ExtensiveFormGame.from_state(pyspiel.load_game("leduc_poker").new_initial_state())


@pytest.mark.parametrize("method, iterations, batch",
                         [("mccfr-external", 4000, 1), ("mccfr-outcome", 2000, 16)])
def test_reaches_low_nash_conv_on_kuhn(method, iterations, batch):
    learner = eq.make_learner(kuhn(), method, seed=1, batch=batch)
    trace = eq.run(learner, iterations, eval_every=500, evaluate="average", tol=0.05)
    assert trace.nash_conv[-1] < 0.05  # uniform play has NashConv 11/12


@pytest.mark.parametrize("cls", [ExternalSamplingMCCFR, OutcomeSamplingMCCFR])
def test_same_seed_same_trajectory_other_seed_differs(cls):
    runs = []
    for seed in (5, 5, 6):
        learner = cls(kuhn(), seed=seed)
        for _ in range(50):
            learner.step()
        runs.append(learner.average_strategy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_external_sampling_regret_is_unbiased():
    # E[sampled counterfactual regret] equals CFR's exact regret at the first iteration (uniform σ)
    game = kuhn()
    layout = TreeLayout(game)
    reach = np.zeros(layout.num_sequences)
    reach[0] = 1.0
    sigma = layout.uniform.copy()
    for p in range(2):
        layout.realization_plan(sigma, reach, p)
    cfv, v = layout.counterfactual_values(sigma, 0, layout.opponent_weight(reach, 0))
    lo, hi = layout.spans[0]
    exact = (cfv - v[:, None]) * layout.legal[lo:hi]
    total = np.zeros_like(exact)
    runs = 1500
    learner = ExternalSamplingMCCFR(game, seed=0)
    for _ in range(runs):
        learner.cumulative_regret[:] = 0.0
        learner.sigma[:] = layout.uniform
        learner._traverse(0)
        total += learner.cumulative_regret[lo:hi]
    # chance and opponent actions are sampled with their own probabilities, q(z) = π_{-p}(z), so the
    # importance weight π_{-p}(z)/q(z) is 1 and the mean of the sampled regrets is the exact regret
    np.testing.assert_allclose(total / runs, exact, atol=0.03)


def _exact_first_regret(game, player):
    layout = TreeLayout(game)
    reach = np.zeros(layout.num_sequences)
    reach[0] = 1.0
    sigma = layout.uniform.copy()
    for p in range(game.num_players):
        layout.realization_plan(sigma, reach, p)
    cfv, v = layout.counterfactual_values(sigma, player, layout.opponent_weight(reach, player))
    lo, hi = layout.spans[player]
    return (cfv - v[:, None]) * layout.legal[lo:hi], (lo, hi)


@pytest.mark.parametrize("cls, batch, atol", [(ExternalSamplingMCCFR, 4000, 0.03),
                                               (OutcomeSamplingMCCFR, 200_000, 0.03)])
def test_one_batched_iteration_is_an_unbiased_regret_estimate(cls, batch, atol):
    # one iteration with `batch` traversals under the same σ: the mean of the sampled regrets, so
    # with a large batch it is CFR's exact first-iteration regret (player 0 moves first, at uniform σ)
    game = kuhn()
    exact, (lo, hi) = _exact_first_regret(game, 0)
    learner = cls(game, seed=0, batch=batch)
    learner.step()
    np.testing.assert_allclose(learner.cumulative_regret[lo:hi], exact, atol=atol)
    assert np.abs(exact).max() > 8 * atol  # the check can fail


def test_outcome_sampling_regret_is_unbiased_per_trajectory():
    # batch 1, many iterations from the uniform policy: the paper's estimator, one terminal a time
    game = kuhn()
    exact, (lo, hi) = _exact_first_regret(game, 0)
    learner = OutcomeSamplingMCCFR(game, seed=1)
    runs, total = 2000, np.zeros_like(exact)
    for _ in range(runs):
        learner.cumulative_regret[:] = 0.0
        learner.sigma[:] = learner._layout.uniform
        learner._episodes(0)
        total += learner.cumulative_regret[lo:hi]
    np.testing.assert_allclose(total / runs, exact, atol=0.15)


@pytest.mark.parametrize("cls", [ExternalSamplingMCCFR, OutcomeSamplingMCCFR])
def test_an_iteration_touches_only_the_sampled_part_of_the_tree(cls, monkeypatch):
    # Leduc: the nodes an iteration samples from, summed over its levels, are a small fraction of
    # the tree's (the whole-tree sweep it replaced touched all of them)
    from equilibria.dynamics import mccfr

    game = leduc()
    touched = []
    real = mccfr._TreeNodes.sample_children
    monkeypatch.setattr(mccfr._TreeNodes, "sample_children",
                        lambda self, nodes, *a, **k: touched.append(nodes.size) or real(self, nodes, *a, **k))
    learner = cls(game, seed=0)
    learner.step()
    assert 0 < sum(touched) < game.num_nodes / 20


def test_bad_options_raise():
    for eps in (0.0, -0.1, 1.5, "x", float("nan"), float("inf"), True, None, [0.5]):
        with pytest.raises(eq.InvalidParameterError):
            eq.make_learner(kuhn(), "mccfr-outcome", epsilon=eps)
    for average in ("sometimes", None, 1, ["full"]):
        with pytest.raises(eq.InvalidParameterError):
            eq.make_learner(kuhn(), "mccfr-external", average=average)
    for method in ("mccfr-external", "mccfr-outcome"):
        for batch in (0, -1, 1.5, "8", None, 10**9):
            with pytest.raises(eq.InvalidParameterError):
                eq.make_learner(kuhn(), method, batch=batch)


def test_full_averaging_option_converges():
    learner = ExternalSamplingMCCFR(kuhn(), seed=3, average="full")
    eq.run(learner, 2000, evaluate="none")
    assert nash_conv(kuhn(), learner.average_strategy()) < 0.05
