"""Fictitious play: Robinson (1951) convergence on zero-sum games, Shapley (1964) non-convergence,
alternating updates (Berger 2007), determinism and parameter checks; nashpy as a peer."""

from __future__ import annotations

import nashpy
import numpy as np
import pytest

from equilibria.api import make_learner
from equilibria.dynamics.fictitious_play import FictitiousPlay
from equilibria.errors import InvalidParameterError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.run import run

RPS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


@pytest.mark.parametrize("alternating", [False, True])
def test_robinson_zero_sum_convergence(alternating):
    # Robinson, "An Iterative Method of Solving a Game", Annals of Math. 1951
    for seed in range(3):
        game = NormalFormGame.zero_sum(np.random.default_rng(seed).uniform(-1, 1, (4, 6)))
        learner = FictitiousPlay(game, alternating=alternating, init=[np.eye(4)[0], np.eye(6)[0]])
        run(learner, 3000, evaluate="none")
        assert nash_conv(game, learner.average_strategy()) < 0.05
    learner = make_learner(RPS, "fictitious-play", alternating=alternating, init=[[1, 0, 0], [0, 1, 0]])
    run(learner, 3000, evaluate="none")
    np.testing.assert_allclose(np.concatenate(learner.average_strategy()), np.full(6, 1 / 3), atol=0.02)


def test_shapley_game_does_not_converge():
    # Shapley, "Some Topics in Two-Person Games", 1964: FP cycles with growing periods
    A = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    B = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    game = NormalFormGame.from_bimatrix(A, B)
    learner = FictitiousPlay(game, init=[[1, 0, 0], [0, 1, 0]])
    trace = run(learner, 4000, eval_every=100)
    assert min(trace.nash_conv[len(trace.nash_conv) // 2:]) > 0.05


def test_matches_nashpy_on_a_game_without_ties():
    # a generic game: no ties in best responses, so both implementations play the same sequence
    rng = np.random.default_rng(11)
    A, B = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (3, 4))
    game = NormalFormGame.from_bimatrix(A, B)
    T = 50
    # nashpy starts from counts of play_counts with an initial action each; mirror that start
    peer = list(nashpy.Game(A, B).fictitious_play(iterations=T, play_counts=(np.eye(3)[0], np.eye(4)[0])))
    learner = FictitiousPlay(game, init=[np.eye(3)[0], np.eye(4)[0]])
    for _ in range(T):
        learner.step()
    rows, cols = peer[-1]
    np.testing.assert_allclose(learner.average_strategy()[0], rows / rows.sum())
    np.testing.assert_allclose(learner.average_strategy()[1], cols / cols.sum())


def test_bad_parameters():
    with pytest.raises(InvalidParameterError):
        FictitiousPlay(RPS, init=[[1, 0], [0, 1, 0]])
    with pytest.raises(InvalidParameterError):
        FictitiousPlay(RPS, init="sideways")


def test_deterministic_trace():
    a = run(FictitiousPlay(RPS, init="random", seed=3), 100)
    b = run(FictitiousPlay(RPS, init="random", seed=3), 100)
    assert a.nash_conv == b.nash_conv


# ---- smoothed (logit) best response: stochastic fictitious play -----------------------------------

def test_logit_response_reaches_qre_bound():
    # at a logit QRE with temperature τ each player's gain is at most τ ln A_i (entropy bound)
    from equilibria.dynamics.logit_response import LogitResponse

    for seed in range(3):
        game = NormalFormGame.zero_sum(np.random.default_rng(seed).uniform(-1, 1, (3, 4)))
        for step in (None, 0.05):  # smooth fictitious play (1/t) and the constant-step logit dynamic
            learner = LogitResponse(game, temperature=0.05, step_size=step, init=[np.eye(3)[0], np.eye(4)[0]])
            run(learner, 2000, evaluate="none")
            tau = learner.tau
            assert nash_conv(game, learner.current_strategy()) <= tau * (np.log(3) + np.log(4))


def test_logit_response_fixed_point_is_the_qre_of_the_solver():
    # cross-check against nashpy's stochastic fictitious play direction: the rest point satisfies
    # x = softmax(d(x)/τ) exactly (McKelvey & Palfrey 1995)
    from equilibria.dynamics._operators import deviation_payoffs
    from equilibria.dynamics.logit_response import LogitResponse
    from equilibria.ops import softmax

    game = NormalFormGame.from_bimatrix([[3, 0], [0, 2]], [[2, 0], [0, 3]])  # battle of the sexes
    learner = LogitResponse(game, temperature=0.2, step_size=0.5, init=[[0.9, 0.1], [0.8, 0.2]])
    run(learner, 500, evaluate="none")
    x = learner.current_strategy()
    br = [softmax(d / learner.tau) for d in deviation_payoffs(game, x)]
    np.testing.assert_allclose(np.concatenate(br), np.concatenate(x), atol=1e-9)


def test_logit_bad_parameters():
    from equilibria.dynamics.logit_response import LogitResponse

    with pytest.raises(InvalidParameterError):
        LogitResponse(RPS, temperature=-1)
    with pytest.raises(InvalidParameterError):
        LogitResponse(RPS, step_size=1.5)
