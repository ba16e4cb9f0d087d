"""Risk-Averse Equilibrium (Slumbers et al., "A Game-Theoretic Framework for Managing Risk in
Multi-Agent Systems", ICML 2023)."""

from __future__ import annotations

import json

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from equilibria.api import solve
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.catalog.classic import rock_paper_scissors, stag_hunt
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.solvers.rae import (
    payoff_covariances,
    rae_gap,
    rae_meta_solver,
    risk_averse_best_response,
    risk_averse_fictitious_play,
)

STAG, HARE = np.array([1.0, 0.0]), np.array([0.0, 1.0])


def risk_dominant_2x2(A: np.ndarray) -> int:
    """Harsanyi & Selten (1988): in a symmetric 2x2 coordination game the risk-dominant equilibrium
    has the larger product of deviation losses; returns 0 for (1,1), 1 for (2,2)."""
    loss_11 = (A[0, 0] - A[1, 0]) ** 2
    loss_22 = (A[1, 1] - A[0, 1]) ** 2
    return 0 if loss_11 > loss_22 else 1


def test_stag_hunt_rae_is_risk_dominant_while_nash_has_three():
    # Slumbers et al. (ICML 2023), abstract: RAE generalises to the risk-dominant NE in a trust dilemma.
    game = stag_hunt()
    A = game.payoffs[0]
    nash = solve(game, "vertex-enumeration")
    found = sorted(tuple(np.round(np.concatenate(s.strategies).astype(float), 9)) for s in nash)
    # (Stag, Stag), (Hare, Hare) and the mixed one hunting stag w.p. (d - b)/(a - b - c + d) = 3/4
    assert found == sorted([(1, 0, 1, 0), (0, 1, 0, 1), (0.75, 0.25, 0.75, 0.25)])
    assert len(list(nashpy.Game(A, game.payoffs[1]).support_enumeration())) == 3  # peer agrees
    sol = solve(game, "rae")
    assert len(sol) == 1
    expected = np.eye(2)[risk_dominant_2x2(A)]
    for s in sol[0].strategies:
        np.testing.assert_allclose(s, expected, atol=1e-9)
    assert sol[0].nash_conv < 1e-9  # here the RAE is also a Nash equilibrium
    assert sol[0].info["rae_gap"] < 1e-9


def test_rae_is_reached_from_the_payoff_dominant_start():
    profile, _, gap = risk_averse_fictitious_play(stag_hunt(), init=[STAG, STAG], iterations=2000)
    assert profile[0][1] > 0.99 and profile[1][1] > 0.99 and gap < 0.02


def test_stag_stag_threshold():
    # Default stag hunt (4, 0, 3, 3), range 4, γ = r / 4. Σ under uniform opponents: var(Stag) = 4,
    # var(Hare) = 0, cov = 0. Against Stag, U(p) = 3 + p - 4γp², maximised at p = 1/(8γ): (Stag, Stag)
    # is an RAE iff γ ≤ 1/8, i.e. r ≤ 1/2.
    game = stag_hunt()
    assert rae_gap(game, [STAG, STAG], risk_aversion=0.45) == pytest.approx(0.0, abs=1e-12)
    r = 0.6
    gamma = r / 4
    p = 1 / (8 * gamma)
    expected_gap = 2 * ((3 + p - 4 * gamma * p * p) - (3 + 1 - 4 * gamma))
    assert rae_gap(game, [STAG, STAG], risk_aversion=r) == pytest.approx(expected_gap, rel=1e-8)
    assert rae_gap(game, [HARE, HARE], risk_aversion=r) == pytest.approx(0.0, abs=1e-12)


def test_covariance_by_hand():
    covs = payoff_covariances(stag_hunt())
    np.testing.assert_allclose(covs[0], [[4.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(covs[1], [[4.0, 0.0], [0.0, 0.0]])


def test_rps_rae_is_uniform():
    profile, _, gap = risk_averse_fictitious_play(rock_paper_scissors(), init=[[1, 0, 0], [0, 1, 0]],
                                                  iterations=3000)
    np.testing.assert_allclose(np.concatenate(profile), np.full(6, 1 / 3), atol=0.01)


def _mean_and_covariance(seed: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A random mean vector and a random (full-rank) covariance matrix of size k."""
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=k)
    M = rng.normal(size=(k, k + 2))
    return mean, M @ M.T / (k + 2)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 5), st.floats(0.05, 3.0))
def test_best_response_matches_scipy(seed, k, gamma):
    mean, cov = _mean_and_covariance(seed, k)
    ours = risk_averse_best_response(mean, cov, gamma)

    def f(p):
        return -(p @ mean - gamma * p @ cov @ p)

    best = min((minimize(f, x0, method="SLSQP", bounds=[(0, 1)] * k,
                         constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1}], options={"ftol": 1e-14})
                for x0 in (np.full(k, 1 / k), *np.eye(k))), key=lambda r: r.fun)
    assert f(ours) <= best.fun + 1e-8


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4), st.floats(0.05, 3.0))
def test_best_response_is_minimum_variance_for_its_utility(seed, k, gamma):
    # The paper's wording (ICLR 2023 version, abstract): the strategy "with minimum variance, given any
    # level of expected utility". The penalty-form best response must solve that constrained problem
    # at the utility level it reaches (Markowitz efficiency); scipy solves the constrained problem.
    mean, cov = _mean_and_covariance(seed, k)
    ours = risk_averse_best_response(mean, cov, gamma)
    level = float(ours @ mean)
    cons = [{"type": "eq", "fun": lambda p: p.sum() - 1}, {"type": "ineq", "fun": lambda p: p @ mean - level}]
    best = min((minimize(lambda p: p @ cov @ p, x0, method="SLSQP", bounds=[(0, 1)] * k, constraints=cons,
                         options={"ftol": 1e-14, "maxiter": 500})
                for x0 in (ours, np.full(k, 1 / k), *np.eye(k))),
               key=lambda r: r.fun if r.x @ mean >= level - 1e-9 else np.inf)
    assert float(ours @ cov @ ours) <= best.fun + 1e-8


def test_stag_hunt_rae_has_less_potential_variance_than_the_other_equilibria():
    # RAE "minimises the potential variance" (abstract): among the three Nash equilibria of the stag hunt,
    # the one RAE picks carries the least πᵀΣπ.
    game = stag_hunt()
    covs = payoff_covariances(game)

    def variance(profile):
        return sum(float(np.asarray(p, dtype=float) @ c @ np.asarray(p, dtype=float))
                   for p, c in zip(profile, covs, strict=True))

    rae_var = variance(solve(game, "rae")[0].strategies)
    others = [variance(s.strategies) for s in solve(game, "vertex-enumeration")]
    assert rae_var == pytest.approx(min(others), abs=1e-12)
    assert sorted(others)[1] > rae_var + 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_zero_risk_aversion_gap_is_nash_conv(seed):
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.uniform(-1, 1, (2, 3, 4)))
    x = [rng.dirichlet(np.ones(k)) for k in game.num_actions]
    assert rae_gap(game, x, risk_aversion=0.0) == pytest.approx(nash_conv(game, x), abs=1e-9)


def test_payoff_scaling_invariance_and_n_players():
    rng = np.random.default_rng(3)
    u = rng.uniform(-1, 1, (3, 2, 3, 2))
    a = rae_meta_solver(NormalFormGame(u), iterations=300)
    b = rae_meta_solver(NormalFormGame(10 * u + 5), iterations=300)
    np.testing.assert_allclose(np.concatenate(a), np.concatenate(b), atol=1e-9)
    assert all(abs(s.sum() - 1) < 1e-12 for s in a)



@pytest.mark.parametrize("scale", [1e-300, 1e-13, 1e6, 1e300])
def test_extreme_payoff_scales(scale):
    # issue 10: at payoff scales of 1e300 rae raised IndexError/LinAlgError (the covariance
    # overflowed); it now works on the payoffs scaled to unit range
    rng = np.random.default_rng(4)
    u = rng.uniform(-1, 1, (2, 3, 3))
    ref, _, ref_gap = risk_averse_fictitious_play(NormalFormGame(u), iterations=40)
    game = NormalFormGame(u * scale)
    (sol,) = solve(game, "rae", iterations=40)
    np.testing.assert_allclose(np.concatenate(sol.strategies), np.concatenate(ref), atol=1e-9)
    assert sol.info["rae_gap"] == pytest.approx(ref_gap * scale, rel=1e-6, abs=1e-12 * scale)
    assert rae_gap(game, ref) == pytest.approx(rae_gap(NormalFormGame(u), ref) * scale, rel=1e-6,
                                               abs=1e-12 * scale)
    (hunt,) = solve(NormalFormGame(stag_hunt().payoffs * scale), "rae", iterations=50)
    assert np.concatenate(hunt.strategies).tolist() == [0.0, 1.0, 0.0, 1.0]


def test_bad_parameters():
    with pytest.raises(InvalidParameterError):
        solve(stag_hunt(), "rae", risk_aversion=-1)
    with pytest.raises(InvalidParameterError):
        risk_averse_fictitious_play(stag_hunt(), init=[[1, 0, 0], [1, 0]])
    with pytest.raises(InvalidParameterError):
        solve(stag_hunt(), "rae", exact=True)
    with pytest.raises(NotApplicableError):
        risk_averse_fictitious_play("stag hunt")


def test_cli_stag_hunt(capsys):
    assert main(["solve", "stag_hunt", "--method", "rae", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["equilibria"][0]["strategies"] == [[0.0, 1.0], [0.0, 1.0]]
    assert out["nash_conv"] == 0.0
