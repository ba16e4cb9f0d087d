"""QARL (dynamics/qarl.py): the QRE fixed point, the temperature curriculum, robustness, options."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.dynamics.qarl import qre_residual
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.markov import MarkovGame
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.solvers.qre import logit_qre

SMALL = "random_markov_game(num_states=2, num_actions=2, discount=0.5, zero_sum=True, seed=0)"


def test_fixed_temperature_fixed_point_is_the_normal_form_logit_qre():
    # a one-state game with discount 0 is the matrix game A: at a fixed temperature τ, QARL's update
    # has the logit QRE at precision λ = 1/(τ · scale) as its fixed point (McKelvey & Palfrey 1995);
    # the library's normal-form path follower (Turocy 2005) is the peer
    A = np.array([[3.0, -1.0, 0.5], [-2.0, 1.0, 2.0]])
    markov = MarkovGame(np.stack([A, -A])[None], np.ones((1, 2, 3, 1)), discount=0.0)
    tau = 0.25
    learner = make_learner(markov, "qarl", temperature=tau, decay=1.0, step_size=1.0)
    for _ in range(300):
        learner.step()
    ours = learner.current_strategy()
    peer = logit_qre(NormalFormGame.zero_sum(A), lam=1.0 / (tau * 3.0))
    for p, q in zip(ours, peer, strict=True):
        np.testing.assert_allclose(p[0], q, atol=1e-9)


def test_fixed_temperature_reaches_the_markov_qre():
    game = eq.load_game(
        "random_markov_game(num_states=4, num_actions=3, discount=0.8, zero_sum=True, seed=2)")
    learner = make_learner(game, "qarl", temperature=0.3, decay=1.0, step_size=1.0)
    for _ in range(300):
        learner.step()
    # π_i = softmax(soft Q_i / τ) at every state for both players
    assert qre_residual(game, learner.current_strategy(), 0.3) < 1e-9
    assert qre_residual(game, game.uniform_profile(), 0.3) > 1e-3


def test_curriculum_schedule_is_geometric_towards_the_final_temperature():
    learner = make_learner(SMALL, "qarl", temperature=0.8, final_temperature=0.1, decay=0.9)
    taus = []
    for _ in range(4):
        taus.append(learner.current_temperature())
        learner.step()
    np.testing.assert_allclose(taus, [0.1 + 0.7 * 0.9**t for t in range(4)], rtol=1e-12)


def test_annealing_reaches_nash_and_is_more_robust_than_plain_adversarial_training():
    # Reddi et al. (ICLR 2024): annealing the QRE temperature eases the saddle-point problem; plain
    # simultaneous adversarial updates (temperature 0) cycle and leave an exploitable protagonist
    game = eq.load_game(SMALL)
    value = eq.solve(game, "shapley")[0].payoffs[0]
    qarl = make_learner(game, "qarl", temperature=1.0, decay=0.99, step_size=0.5)
    rarl = make_learner(game, "qarl", temperature=0.0, step_size=0.5)
    for _ in range(500):
        qarl.step()
        rarl.step()
    nc_q = nash_conv(game, qarl.current_strategy())
    nc_r = nash_conv(game, rarl.current_strategy())
    assert nc_q < 0.02
    assert nc_r > 10 * nc_q
    # the worst case of the protagonist: at most the game value, and close to it after annealing
    assert qarl.robust_value() <= value + 1e-9
    assert qarl.robust_value() >= value - 0.02
    assert qarl.robust_value() > rarl.robust_value() + 0.1


def test_options_and_families_are_checked():
    with pytest.raises(InvalidParameterError):
        make_learner(SMALL, "qarl", temperature=2.0, step_size=1.0)  # η τ > 1
    with pytest.raises(InvalidParameterError):
        make_learner(SMALL, "qarl", temperature=0.5, final_temperature=0.6)
    with pytest.raises(InvalidParameterError):
        make_learner(SMALL, "qarl", decay=0.0)
    with pytest.raises(InvalidParameterError):
        make_learner(SMALL, "qarl", protagonist=2)
    with pytest.raises(NotApplicableError):
        make_learner("random_markov_game(num_states=2, num_actions=2, discount=0.5, seed=0)", "qarl")
    finite = MarkovGame(np.zeros((1, 2, 2, 2)), np.ones((1, 2, 2, 1)), horizon=3)
    with pytest.raises(NotApplicableError):
        make_learner(finite, "qarl")


def test_cli_solve_with_qarl(capsys):
    code = main(["solve", SMALL, "--method", "qarl", "--iterations", "50", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and np.isfinite(out["nash_conv"])
    assert main(["solve", SMALL, "--method", "qarl", "-o", "decay=2"]) == 2
