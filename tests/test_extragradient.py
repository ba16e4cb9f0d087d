"""Extragradient and mirror prox: last- and average-iterate convergence on zero-sum games.

References: Korpelevich (1976) and Tseng (1995) for the Euclidean method's convergence on monotone
Lipschitz problems (linear on matrix games, which have polyhedral structure); Nemirovski (2004) for
the O(1/T) average of mirror prox.
"""

from __future__ import annotations

import numpy as np
import pytest

from _support import interior_zero_sum  # tests/_support.py
from equilibria.api import make_learner
from equilibria.dynamics.extragradient import Extragradient
from equilibria.errors import InvalidParameterError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.run import run

RPS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


def corner(game):
    return [0.7 * np.eye(k)[0] + 0.3 / k for k in game.num_actions]


def test_extragradient_last_iterate_interior():
    for seed in (0, 2, 3):
        game, eq = interior_zero_sum(seed)
        learner = make_learner(game, "extragradient", init=corner(game))
        run(learner, 2000, evaluate="none")
        assert nash_conv(game, learner.current_strategy()) < 1e-6
        np.testing.assert_allclose(np.concatenate(learner.current_strategy()), np.concatenate(eq), atol=1e-5)


def test_extragradient_boundary_equilibria():
    for seed in range(3):
        game = NormalFormGame.zero_sum(np.random.default_rng(seed).uniform(-1, 1, (4, 5)))
        learner = Extragradient(game, init=corner(game))
        run(learner, 2000, evaluate="none")
        assert nash_conv(game, learner.current_strategy()) < 1e-3


def test_mirror_prox_average_and_last():
    learner = make_learner(RPS, "mirror-prox", init=[[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    run(learner, 2000, evaluate="none")
    assert nash_conv(RPS, learner.current_strategy()) < 1e-6
    # Nemirovski 2004: the average of the half iterates has gap O(1/T)
    assert nash_conv(RPS, learner.average_strategy()) < 0.01


def test_bad_parameters():
    with pytest.raises(InvalidParameterError):
        Extragradient(RPS, step_size=-1)
    with pytest.raises(InvalidParameterError):
        Extragradient(RPS, geometry="spherical")
    with pytest.raises(InvalidParameterError):
        Extragradient(RPS, init=[[1, 0, 0, 0], [1, 0, 0]])


def test_same_seed_same_trace():
    a = run(Extragradient(RPS, init="random", seed=1), 100)
    b = run(Extragradient(RPS, init="random", seed=1), 100)
    assert a.nash_conv_last == b.nash_conv_last
