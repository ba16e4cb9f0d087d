"""Regret matching, RM+, Hedge/MWU, OMWU and OMD on normal-form games.

Theory used as the reference: the average of no-regret dynamics converges to equilibrium in
two-player zero-sum games (Freund & Schapire, GEB 1999; Hart & Mas-Colell, Econometrica 2000); the
last iterate of optimistic methods converges (Daskalakis & Panageas, ITCS 2019; Wei et al., ICLR
2021); the last iterate of MWU moves away from the interior equilibrium of rock-paper-scissors, the
KL divergence to it growing every step (Bailey & Piliouras, "Multiplicative Weights Update in
Zero-Sum Games", EC 2018).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _support import interior_zero_sum  # tests/_support.py
from equilibria.api import make_learner, solve
from equilibria.dynamics.no_regret import Hedge, OnlineMirrorDescent, OptimisticHedge, RegretMatching
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.ops import project_simplex
from equilibria.run import run

RPS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
INIT = [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]


def random_zero_sum(seed: int, m: int = 4, n: int = 5) -> NormalFormGame:
    return NormalFormGame.zero_sum(np.random.default_rng(seed).uniform(-1, 1, (m, n)))


def corner_init(game: NormalFormGame) -> list[np.ndarray]:
    return [0.7 * np.eye(k)[0] + 0.3 / k for k in game.num_actions]


@pytest.mark.parametrize("method, options, threshold", [
    ("regret-matching", {}, 0.05),
    ("rm+", {}, 0.005),
    ("hedge", {}, 0.05),
    ("omd", {}, 0.1),
    ("omd", {"geometry": "euclidean"}, 0.05),
])
def test_average_converges_on_zero_sum(method, options, threshold):
    for game in (RPS, random_zero_sum(0), random_zero_sum(1)):
        learner = make_learner(game, method, init=corner_init(game), **options)
        run(learner, 2000, evaluate="none")
        assert nash_conv(game, learner.average_strategy()) < threshold


WRPS = NormalFormGame.zero_sum([[0, -1, 2], [1, 0, -3], [-2, 3, 0]])  # skew-symmetric, x* = (3, 2, 1)/6
WRPS_EQ = [np.array([3, 2, 1]) / 6] * 2


@pytest.mark.parametrize("method, games", [
    ("omwu", [(RPS, [np.full(3, 1 / 3)] * 2), (WRPS, WRPS_EQ)]),
    ("ogda", [(RPS, [np.full(3, 1 / 3)] * 2), (WRPS, WRPS_EQ)] + [interior_zero_sum(s) for s in (0, 2, 3)]),
])
def test_optimistic_last_iterate_converges(method, games):
    for game, eq in games:
        assert nash_conv(game, eq) < 1e-12  # the construction is right
        learner = make_learner(game, method, init=corner_init(game))
        run(learner, 3000, evaluate="none")
        assert learner.default_output == "last"
        last = learner.current_strategy()
        assert nash_conv(game, last) < 1e-3
        np.testing.assert_allclose(np.concatenate(last), np.concatenate(eq), atol=1e-3)


def test_omwu_cli_claim_from_nonuniform_start():
    # the "done when": last-iterate NashConv below 1e-3 after 2000 iterations
    sol = solve(RPS, "omwu", iterations=2000, init=INIT)[0]
    assert sol.info["output"] == "last" and sol.nash_conv < 1e-3


def test_mwu_last_iterate_diverges_on_rps():
    learner = Hedge(RPS, step_size=0.1, init=INIT)
    kl = []
    for _ in range(2000):
        learner.step()
        x = learner.current_strategy()
        kl.append(sum(float(np.sum(np.full(3, 1 / 3) * np.log((1 / 3) / xi))) for xi in x))
    kl = np.array(kl)
    assert np.all(np.diff(kl) > 0)  # Bailey & Piliouras 2018: strictly increasing
    assert nash_conv(RPS, learner.current_strategy()) > 1.0  # the last iterate is far from equilibrium
    assert nash_conv(RPS, learner.average_strategy()) < 0.1  # while the average still converges


def test_omwu_beats_mwu_last_iterate():
    # step sizes are in units of 1/payoff range: 0.5 on RPS (range 2) is 0.25 in its own units
    mwu, omwu = Hedge(RPS, step_size=0.5, init=INIT), OptimisticHedge(RPS, step_size=0.5, init=INIT)
    run(mwu, 1000, evaluate="none")
    run(omwu, 1000, evaluate="none")
    assert nash_conv(RPS, omwu.current_strategy()) < 1e-3 < nash_conv(RPS, mwu.current_strategy())


def test_regret_matching_n_players_vanishing_regret():
    # Hart & Mas-Colell (2000): every player's average external regret goes to zero in any game
    rng = np.random.default_rng(5)
    game = NormalFormGame(rng.uniform(-1, 1, (3, 3, 2, 4)))
    learner = RegretMatching(game)
    T = 3000
    run(learner, T, evaluate="none")
    assert max(float(r.max()) for r in learner.regrets) / T < 0.05


def test_rm_plus_matches_by_hand_first_steps():
    # two RM+ steps on matching pennies computed by hand: R1 = [0, 0] / [0, 0] from uniform
    mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    learner = RegretMatching(mp, plus=True, alternating=False, init=[[0.75, 0.25], [0.5, 0.5]])
    learner.step()
    # row: d = A y = [0, 0] -> no regret; column: d = -Aᵀx = [-0.5, 0.5], ⟨d, y⟩ = 0 -> R = [0, 0.5];
    # the learner keeps regrets in units of the payoff range (2 here): [0, 0.25]
    np.testing.assert_allclose(learner.regrets[0], [0, 0])
    np.testing.assert_allclose(learner.regrets[1], [0, 0.25])
    np.testing.assert_allclose(learner.current_strategy()[1], [0, 1])


def test_same_seed_same_trace():
    game = random_zero_sum(4)
    a = run(make_learner(game, "hedge", init="random", seed=7), 200)
    b = run(make_learner(game, "hedge", init="random", seed=7), 200)
    c = run(make_learner(game, "hedge", init="random", seed=8), 200)
    assert a.nash_conv == b.nash_conv and a.nash_conv_last == b.nash_conv_last
    assert a.nash_conv != c.nash_conv


def test_bad_parameters():
    with pytest.raises(InvalidParameterError):
        Hedge(RPS, step_size=-0.1)
    with pytest.raises(InvalidParameterError):
        OptimisticHedge(RPS, step_size=float("nan"))
    with pytest.raises(InvalidParameterError):
        OnlineMirrorDescent(RPS, geometry="hyperbolic")
    with pytest.raises(InvalidParameterError):
        RegretMatching(RPS, averaging="quadratic")
    with pytest.raises(InvalidParameterError):
        RegretMatching(RPS, init=[[0.5, 0.5], [1, 0, 0]])  # wrong dimension
    with pytest.raises(NotApplicableError):
        Hedge("not a game")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=8), st.integers(0, 2**31 - 1))
def test_projection_is_the_nearest_simplex_point(v, seed):
    v = np.array(v)
    p = project_simplex(v)
    assert p.min() >= 0 and abs(p.sum() - 1) < 1e-9
    z = np.random.default_rng(seed).dirichlet(np.ones(len(v)), size=50)
    assert np.all(np.linalg.norm(v - p) <= np.linalg.norm(v - z, axis=1) + 1e-9)
    np.testing.assert_allclose(project_simplex(v[None, :])[0], p, atol=1e-12)


def test_cli_done_when_omwu(capsys):
    import json

    from equilibria.cli import main

    assert main(["solve", "rock_paper_scissors", "--method", "omwu", "--iterations", "2000", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nash_conv"] < 1e-3 and out["info"]["output"] == "last"
