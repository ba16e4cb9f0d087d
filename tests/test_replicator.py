"""Replicator dynamics, discrete and continuous time.

References: Taylor & Jonker (1978) and Hofbauer, Schuster & Sigmund (1979): an ESS is asymptotically
stable under the single-population replicator dynamics; strict equilibria are asymptotically stable
in the multi-population dynamics; in zero-sum games with an interior equilibrium the orbits are
closed and Σ KL(x*‖x) is a constant of motion (Hofbauer & Sigmund 1998, ch. 11), while time averages
converge. nashpy's replicator integrator is the peer for the trajectory.
"""

from __future__ import annotations

import nashpy
import numpy as np
import pytest

from equilibria.api import make_learner
from equilibria.dynamics.replicator import DiscreteReplicator, ReplicatorODE
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.run import run

# Hawk-dove with V = 2, C = 4: the mixed ESS plays hawk with probability V/C = 1/2 (Maynard Smith 1982)
HD = np.array([[-1.0, 2.0], [0.0, 1.0]])
HAWK_DOVE = NormalFormGame.from_bimatrix(HD, HD.T)
RPS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


@pytest.mark.parametrize("method", ["replicator", "replicator-ode"])
def test_ess_is_attracting(method):
    init = [[0.9, 0.1], [0.9, 0.1]]
    # step sizes are in units of 1/payoff range (3 here): 0.3 advances the ODE by 0.1 time units
    opts = {"step_size": 0.3} if method == "replicator-ode" else {}
    learner = make_learner(HAWK_DOVE, method, symmetric=True, init=init, **opts)
    run(learner, 400, evaluate="none")
    np.testing.assert_allclose(learner.current_strategy()[0], [0.5, 0.5], atol=1e-4)
    assert nash_conv(HAWK_DOVE, learner.current_strategy()) < 1e-3


def test_strict_equilibrium_attracts_multi_population():
    coord = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[2, 0], [0, 1]])
    learner = ReplicatorODE(coord, step_size=1.0, init=[[0.6, 0.4], [0.6, 0.4]])
    run(learner, 30, evaluate="none")
    np.testing.assert_allclose(np.concatenate(learner.current_strategy()), [1, 0, 1, 0], atol=1e-6)


def test_rps_kl_is_conserved_and_time_average_converges():
    learner = ReplicatorODE(RPS, step_size=0.5, rtol=1e-10, init=[[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])

    def kl(x):
        return sum(float(np.sum(np.log((1 / 3) / xi)) / 3) for xi in x)

    k0 = kl(learner.current_strategy())
    run(learner, 400, evaluate="none")
    assert abs(kl(learner.current_strategy()) - k0) < 1e-5
    assert nash_conv(RPS, learner.current_strategy()) > 0.1  # the orbit does not converge
    assert nash_conv(RPS, learner.average_strategy()) < 0.1  # its time average does


def test_matches_nashpy_trajectory():
    A = np.array([[3.0, 0.0, 1.0], [1.0, 2.0, 0.0], [0.0, 1.0, 2.0]])
    game = NormalFormGame.from_bimatrix(A, A.T)
    x0 = np.array([0.5, 0.3, 0.2])
    peer = nashpy.Game(A).replicator_dynamics(y0=x0, timepoints=np.linspace(0, 2.0, 201))
    # time is in units of 1/payoff range (3 here): 20 steps of 0.3 reach t = 2
    learner = ReplicatorODE(game, step_size=0.3, rtol=1e-10, symmetric=True, init=[x0, x0])
    run(learner, 20, evaluate="none")
    np.testing.assert_allclose(learner.current_strategy()[0], peer[-1], atol=1e-5)


def test_discrete_map_stays_on_simplex_and_is_euler_step():
    learner = DiscreteReplicator(RPS, step_size=0.1, init=[[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    x = learner.current_strategy()
    learner.step()
    d = [RPS.payoffs[0] @ x[1], x[0] @ RPS.payoffs[1]]
    eta = 0.1 / 2  # the step is in units of 1/payoff range, and RPS has range 2
    expected = [xi + eta * xi * (di - xi @ di) for xi, di in zip(x, d, strict=True)]
    np.testing.assert_allclose(np.concatenate(learner.current_strategy()), np.concatenate(expected))


def test_bad_parameters():
    with pytest.raises(InvalidParameterError):
        DiscreteReplicator(RPS, step_size=2.0)  # step * range >= 1 would make shares negative
    with pytest.raises(InvalidParameterError):
        ReplicatorODE(RPS, step_size=-0.1)
    with pytest.raises(NotApplicableError):
        ReplicatorODE(NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[0, 1], [1, 0]]), symmetric=True)
