"""The shared pieces of the normal-form dynamics (`equilibria.dynamics._operators`) and the contract
they give every learner built on them: payoffs scaled to unit range, so that step sizes mean the
same on every game and no scale overflows; a warning where a guarantee needs a monotone game;
degenerate games (one action, constant payoffs) that do not crash.

Regression tests for issue 10: at payoff scales of 1e300 ``halpern`` and ``rae`` raised
IndexError/LinAlgError and ``hedge``/``omwu`` produced NaN; methods needing a monotone game ran
silently on general-sum games.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.api import make_learner, solve
from equilibria.dynamics._operators import (
    natural_residual,
    operator_lipschitz,
    unit_payoffs,
)
from equilibria.errors import NotMonotoneWarning
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.run import run

RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
INIT = [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]

#: every normal-form learner of the dynamics package outside the CFR family
LEARNERS = ["regret-matching", "rm+", "hedge", "mwu", "omwu", "omd", "ogda", "extragradient", "mirror-prox",
            "halpern", "vr-halpern", "accelerated-og", "noisy-og", "nash-loss-sgd", "replicator",
            "replicator-ode", "fictitious-play", "logit-response"]
#: those whose guarantee needs a monotone game (issue 10)
MONOTONE_ONLY = ["halpern", "vr-halpern", "accelerated-og", "extragradient", "mirror-prox", "omwu", "ogda",
                 "noisy-og"]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(-300, 300),
       st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=2))
def test_unit_payoffs_are_invariant_to_scale_and_per_player_shift(seed, log_scale, shifts):
    u = np.random.default_rng(seed).uniform(-1, 1, (2, 3, 4))
    v, s = unit_payoffs(u)
    assert v.max() - v.min() == pytest.approx(1.0) and np.abs(v).max() <= 0.5 + 1e-12
    scale = 10.0**log_scale
    w, t = unit_payoffs(scale * (u + np.asarray(shifts)[:, None, None]))
    np.testing.assert_allclose(w, v, atol=1e-9)
    assert t == pytest.approx(scale * s, rel=1e-9)


def test_unit_payoffs_of_constant_and_extreme_games():
    v, s = unit_payoffs(np.full((2, 2, 2), 7.0))
    assert np.all(v == 0) and s == 7.0
    v, s = unit_payoffs(np.stack([RPS, -RPS]) * 1.7e308)  # max - min overflows: v must not
    np.testing.assert_array_equal(v, unit_payoffs(np.stack([RPS, -RPS]))[0])
    assert s > 1e308


def test_lipschitz_bound_ignores_constant_shifts_and_bounds_the_operator():
    rng = np.random.default_rng(3)
    A = rng.uniform(-1, 1, (4, 5))
    L = operator_lipschitz(np.stack([A, -A]))
    assert operator_lipschitz(np.stack([A + 3.0, -A + 3.0])) == pytest.approx(L)
    game = NormalFormGame.zero_sum(A)
    for _ in range(50):  # ‖ΠF(z) - ΠF(z')‖ ≤ L‖z - z'‖ on tangent directions
        z = [rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(5))]
        w = [rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(5))]
        d = np.concatenate([-(A @ (z[1] - w[1])), A.T @ (z[0] - w[0])])
        d[:4] -= d[:4].mean()
        d[4:] -= d[4:].mean()
        assert np.linalg.norm(d) <= L * np.linalg.norm(np.concatenate(z) - np.concatenate(w)) + 1e-12
    assert natural_residual(game, [np.full(4, 0.25), np.full(5, 0.2)]) >= 0


@pytest.mark.parametrize("method", LEARNERS)
def test_learners_are_scale_invariant_down_to_1e_300_and_up_to_1e300(method):
    # issue 10: at 1e300 hedge/omwu gave NaN ("not a probability vector") and halpern an IndexError
    seed = 0 if method in ("vr-halpern", "noisy-og", "nash-loss-sgd") else None
    base = NormalFormGame.zero_sum(RPS)
    ref = make_learner(base, method, init=INIT, seed=seed)
    run(ref, 30, evaluate="none")
    for scale in (1e-300, 1e-13, 1e6, 1e300):
        game = NormalFormGame.zero_sum(RPS * scale)
        learner = make_learner(game, method, init=INIT, seed=seed)
        run(learner, 30, evaluate="none")
        got = np.concatenate(learner.current_strategy())
        assert np.all(np.isfinite(got)), (method, scale)
        np.testing.assert_allclose(got, np.concatenate(ref.current_strategy()), atol=1e-9, err_msg=method)
        rel = nash_conv(game, learner.current_strategy()) / scale
        assert rel == pytest.approx(nash_conv(base, ref.current_strategy()), abs=1e-9)


@pytest.mark.parametrize("method", LEARNERS)
def test_one_action_and_constant_payoffs_do_not_crash(method):
    for game in (NormalFormGame(np.array([[[3.0]], [[-1.0]]])), NormalFormGame(np.full((2, 2, 3), 5.0))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotMonotoneWarning)
            (sol,) = solve(game, method, iterations=20, seed=0)
        assert sol.nash_conv <= 1e-12 * game.payoff_scale  # rounding in the payoff sums only
        for p in sol.strategies:
            assert np.all(p >= 0) and abs(float(np.sum(p)) - 1) < 1e-12


@pytest.mark.parametrize("method", MONOTONE_ONLY)
def test_methods_needing_a_monotone_game_warn_on_general_sum_games(method):
    # issue 10: these ran silently on general-sum games, where their guarantees do not hold
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with pytest.warns(NotMonotoneWarning, match="monotone"):
        make_learner(pd, method, seed=0)
    if method != "vr-halpern":
        with pytest.warns(NotMonotoneWarning):
            three = NormalFormGame(np.random.default_rng(0).uniform(-1, 1, (3, 2, 2, 2)))
            make_learner(three, method, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotMonotoneWarning)
        make_learner(NormalFormGame.zero_sum(RPS), method, seed=0)
        make_learner(NormalFormGame.from_bimatrix(RPS + 2.0, 1.0 - RPS), method, seed=0)  # constant-sum


def test_no_regret_learners_do_not_warn_on_general_sum_games():
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotMonotoneWarning)
        for method in ("regret-matching", "rm+", "hedge", "omd", "fictitious-play", "replicator"):
            make_learner(pd, method)
