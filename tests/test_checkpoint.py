"""Checkpoint and resume for the CFR family and MCCFR: a run interrupted at iteration 20 and
resumed to 50 from its checkpoint equals an uninterrupted 50-iteration run exactly, including the
random generator's state for the stochastic learners."""

from functools import cache

import numpy as np
import pyspiel
import pytest

import equilibria as eq
from equilibria.errors import CheckpointError
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.run import run


@cache
def game(name: str = "kuhn_poker") -> ExtensiveFormGame:
    return ExtensiveFormGame.from_state(pyspiel.load_game(name).new_initial_state())


@pytest.mark.parametrize("method, seed", [("cfr", None), ("cfr+", None), ("dcfr", None), ("pcfr+", None),
                                          ("mccfr-outcome", 11), ("mccfr-external", 12)])
def test_resume_equals_uninterrupted_run(tmp_path, method, seed):
    g = game()
    full = eq.make_learner(g, method, seed=seed)
    full_trace = run(full, 50, eval_every=10, checkpoint=tmp_path / "full.ckpt")

    path = tmp_path / "split.ckpt"
    first = eq.make_learner(g, method, seed=seed)
    run(first, 20, eval_every=10, checkpoint=path)
    resumed = eq.make_learner(g, method, seed=seed + 1 if seed is not None else None)  # state comes from disk
    trace = run(resumed, 50, eval_every=10, checkpoint=path)

    assert resumed.iteration == 50
    np.testing.assert_array_equal(resumed.average_strategy(), full.average_strategy())
    np.testing.assert_array_equal(resumed.current_strategy(), full.current_strategy())
    np.testing.assert_array_equal(resumed.cumulative_regret, full.cumulative_regret)
    assert trace.iterations == full_trace.iterations
    assert trace.nash_conv == full_trace.nash_conv
    if seed is not None:  # the generator continues where it stopped
        assert resumed.rng.random() == full.rng.random()


def test_checkpoint_does_not_store_the_derived_layout(tmp_path):
    learner = eq.make_learner(game("leduc_poker"), "cfr+")
    state = learner.state_dict()
    assert "_layout" not in state and "game" not in state
    assert {"cumulative_regret", "cumulative_policy", "sigma", "reach", "iteration"} <= set(state)


def test_resuming_with_another_method_raises(tmp_path):
    path = tmp_path / "run.ckpt"
    run(eq.make_learner(game(), "cfr+"), 5, checkpoint=path)
    with pytest.raises(CheckpointError):
        run(eq.make_learner(game(), "mccfr-outcome", seed=0), 10, checkpoint=path)
