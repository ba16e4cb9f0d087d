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


@pytest.mark.parametrize("method, iterations", [("mccfr-external", 4000), ("mccfr-outcome", 20000)])
def test_reaches_low_nash_conv_on_kuhn(method, iterations):
    learner = eq.make_learner(kuhn(), method, seed=1)
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
    runs = 3000
    learner = ExternalSamplingMCCFR(game, seed=0)
    for _ in range(runs):
        learner.cumulative_regret[:] = 0.0
        learner.sigma[:] = layout.uniform
        learner.step()
        total += learner.cumulative_regret[lo:hi]
    # chance and opponent actions are sampled with their own probabilities, q(z) = π_{-p}(z), so the
    # importance weight π_{-p}(z)/q(z) is 1 and the mean of the sampled regrets is the exact regret
    np.testing.assert_allclose(total / runs, exact, atol=0.03)


def test_bad_options_raise():
    for eps in (0.0, -0.1, 1.5, "x", float("nan"), float("inf"), True, None, [0.5]):
        with pytest.raises(eq.InvalidParameterError):
            eq.make_learner(kuhn(), "mccfr-outcome", epsilon=eps)
    for average in ("sometimes", None, 1, ["full"]):
        with pytest.raises(eq.InvalidParameterError):
            eq.make_learner(kuhn(), "mccfr-external", average=average)


def test_full_averaging_option_converges():
    learner = ExternalSamplingMCCFR(kuhn(), seed=3, average="full")
    eq.run(learner, 2000, evaluate="none")
    assert nash_conv(kuhn(), learner.average_strategy()) < 0.05
