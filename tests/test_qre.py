"""Tests of the logit QRE (at a given λ) and of the logit path to a certified Nash equilibrium."""

from __future__ import annotations

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from equilibria.errors import InvalidParameterError
from equilibria.games.normal_form import NormalFormGame
from equilibria.solvers import qre
from equilibria.solvers.qre import _Layout, _normalised, _system, logit_qre, logit_qre_path


def _gambit(u: np.ndarray) -> gbt.Game:
    return gbt.Game.from_arrays(*[u[i] for i in range(u.shape[0])])


def _gambit_profile(g: gbt.Game, prof) -> list[np.ndarray]:
    return [np.array([float(prof[s]) for s in p.strategies]) for p in g.players]


def _three_player_matching_pennies() -> NormalFormGame:
    # Jordan, "Three problems in learning mixed-strategy Nash equilibria", GEB 1993: player 1 wants
    # to match player 2, player 2 to match player 3, player 3 to mismatch player 1. The unique
    # Nash equilibrium is uniform mixing by everyone.
    a = np.indices((2, 2, 2))
    u = np.stack([np.where(a[0] == a[1], 1, -1), np.where(a[1] == a[2], 1, -1),
                  np.where(a[2] != a[0], 1, -1)])
    return NormalFormGame(u)


def _residual(game: NormalFormGame, prof: list[np.ndarray], lam: float) -> float:
    """max |σ − softmax(λ d)|: zero exactly at a logit QRE (McKelvey & Palfrey 1995, eq. (3))."""
    out = 0.0
    for s, d in zip(prof, game.deviation_payoffs(prof), strict=True):
        e = np.exp(lam * (d - d.max()))
        out = max(out, float(np.abs(s - e / e.sum()).max()))
    return out


def test_lambda_zero_is_uniform():
    g = NormalFormGame(np.random.default_rng(0).normal(size=(3, 2, 3, 4)))
    for s, k in zip(logit_qre(g, 0.0), g.num_actions, strict=True):
        np.testing.assert_allclose(s, np.full(k, 1 / k))


def test_bad_lambda_and_missing_lambda():
    g = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    with pytest.raises(InvalidParameterError, match=">= 0"):
        logit_qre(g, -1.0)
    with pytest.raises(InvalidParameterError, match=">= 0"):
        eq.solve(g, "logit-qre", lam=float("nan"))
    with pytest.raises(InvalidParameterError, match="needs the precision"):
        eq.solve(g, "logit-qre")
    with pytest.raises(InvalidParameterError, match="tol"):
        logit_qre_path(g, tol=-1.0)


@pytest.mark.parametrize("seed", range(4))
def test_qre_at_lambda_matches_gambit_and_fixed_point(seed):
    rng = np.random.default_rng(seed)
    shape = [(3, 3), (2, 2, 2), (3, 2, 2), (2, 2, 2, 2)][seed]
    u = rng.normal(size=(len(shape), *shape))
    g = NormalFormGame(u)
    gg = _gambit(u)
    lams = [0.5, 2.0, 5.0]
    theirs = gbt.qre.logit_solve_lambda(gg, lams)
    assert len(theirs) == len(lams)
    for lam, r in zip(lams, theirs, strict=True):
        ours = logit_qre(g, lam)
        assert _residual(g, ours, lam) <= 1e-10
        for a, b in zip(ours, _gambit_profile(gg, r.profile), strict=True):
            np.testing.assert_allclose(a, b, atol=1e-6)


def test_matching_pennies_qre_is_uniform_at_every_lambda():
    # by symmetry the logit QRE of matching pennies is (1/2, 1/2) for every λ (McKelvey & Palfrey 1995)
    g = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    for lam in (0.3, 3.0, 30.0):
        for s in logit_qre(g, lam):
            np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-10)


def test_three_player_matching_pennies():
    g = _three_player_matching_pennies()
    sol = eq.solve(g, "logit-qre-path")[0]
    for s in sol.strategies:
        np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-12)
    assert sol.nash_conv <= 1e-9


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(1)
    u = rng.normal(size=(3, 2, 3, 2))
    U, _ = _normalised(NormalFormGame(u))
    lay = _Layout((2, 3, 2))
    w = np.concatenate([np.log(rng.dirichlet(np.ones(k))) for k in lay.sizes] + [[1.7]])
    _, J = _system(U, lay, w)
    h = 1e-6
    for k in range(w.size):
        e = np.zeros(w.size)
        e[k] = h
        fd = (_system(U, lay, w + e, jac=False)[0] - _system(U, lay, w - e, jac=False)[0]) / (2 * h)
        np.testing.assert_allclose(J[:, k], fd, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(2, 2), (3, 3), (4, 2), (2, 2, 2), (3, 3, 3), (2, 3, 2), (2, 2, 2, 2)]),
       st.integers(0, 10**6), st.sampled_from([1.0, 100.0]))
def test_path_nash_conv_below_tol(shape, seed, scale):
    u = scale * np.random.default_rng(seed).normal(size=(len(shape), *shape))
    g = NormalFormGame(u)
    res = logit_qre_path(g)
    tol = 1e-9 * max(1.0, g.payoff_scale)
    assert res.nash_conv <= tol
    assert eq.nash_conv(g, res.profile) <= tol


@pytest.mark.parametrize("shape,seed", [((3, 3), 0), ((4, 4), 1), ((2, 2, 2), 2), ((3, 3, 3), 3),
                                        ((2, 2, 2), 4), ((3, 3, 2), 5)])
def test_path_limit_agrees_with_gambit_logit_solve(shape, seed):
    # Gaussian payoffs make the game generic, so the principal branch has a unique limit
    u = np.random.default_rng(100 + seed).normal(size=(len(shape), *shape))
    g = NormalFormGame(u)
    ours = logit_qre_path(g).profile
    gg = _gambit(u)
    theirs = _gambit_profile(gg, gbt.nash.logit_solve(gg).equilibria[0])
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_solve_entry_points_and_path_record():
    g = NormalFormGame(np.random.default_rng(5).integers(-5, 6, size=(4, 2, 2, 2, 2)).astype(float))
    sol = eq.solve(g, "logit-qre-path")[0]
    assert sol.nash_conv <= 1e-9 * g.payoff_scale
    assert sol.info["lam"] > 0 and sol.iterations > 0
    res = logit_qre_path(g, record=True)
    lams = [lam for lam, _ in res.path]
    assert len(lams) == res.steps and lams[-1] == pytest.approx(res.lam)
    q = eq.solve(g, "logit-qre", lam=0.4)[0]
    assert q.info["lam"] == 0.4 and _residual(g, q.strategies, 0.4) <= 1e-10


def test_constant_game_and_single_action_players():
    g = NormalFormGame(np.ones((2, 3, 2)))
    res = logit_qre_path(g)
    assert res.nash_conv == 0.0
    # a player with one action takes part without any equations of its own
    u = np.random.default_rng(2).normal(size=(3, 1, 3, 2))
    h = NormalFormGame(u)
    assert eq.nash_conv(h, logit_qre_path(h).profile) <= 1e-9 * max(1, h.payoff_scale)


def test_asymmetric_matching_pennies_own_payoff_effect():
    # Asymmetric matching pennies (row payoffs 9,0 / 0,1; column 0,1 / 1,0), the example McKelvey &
    # Palfrey (1995) use for Ochs' (1995) data. The unique Nash equilibrium follows from indifference:
    # the column player mixes (1/10, 9/10), the row player (1/2, 1/2). The logit QRE shows the
    # "own-payoff effect": for finite λ the row player plays the 9-payoff action more than half the
    # time, and the branch converges to the Nash equilibrium.
    g = NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    for lam in (0.5, 2.0, 10.0):
        assert logit_qre(g, lam)[0][0] > 0.5
    res = logit_qre_path(g)
    np.testing.assert_allclose(res.profile[0], [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(res.profile[1], [0.1, 0.9], atol=1e-12)


@pytest.mark.parametrize("scale", [1e-13, 1e19])
def test_path_default_tolerance_is_relative_to_the_payoffs(scale):
    # the default tol was 1e-9 · max(1, max |u|): at payoffs of 1e-13 any profile passed it
    u = np.random.default_rng(11).normal(size=(2, 3, 3))
    ref = logit_qre_path(NormalFormGame(u))
    g = NormalFormGame(u * scale)
    res = logit_qre_path(g)
    assert eq.nash_conv(g, res.profile) <= 1e-9 * g.payoff_scale
    for a, b in zip(res.profile, ref.profile, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9)


def _pair_payoffs_brute(u: np.ndarray, sigmas: list[np.ndarray]) -> np.ndarray:
    """``P[(i,a),(j,b)] = u_i(a, b, σ_{-ij})`` by contracting one axis at a time."""
    n = len(sigmas)
    blocks = [[np.zeros((sigmas[i].size, sigmas[j].size)) for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            t = u[i]
            for k in reversed(range(n)):
                if k not in (i, j):
                    t = np.tensordot(t, sigmas[k], axes=([k], [0]))
            blocks[i][j] = t if i < j else t.T
    return np.block(blocks)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 2), (3, 2, 2, 2), (2, 1, 3, 2, 2)])
@pytest.mark.parametrize("dense_limit", [None, 0])
def test_pair_payoffs_match_brute_force_dense_and_sparse(shape, dense_limit, monkeypatch):
    # dense_limit=0 forces the CSR form of the stacked pair matrix wherever it is smaller
    if dense_limit is not None:
        monkeypatch.setattr(qre, "_DENSE_LIMIT", dense_limit)
    rng = np.random.default_rng(len(shape))
    u = rng.normal(size=(len(shape), *shape))
    sigmas = [rng.dirichlet(np.ones(k)) for k in shape]
    op = qre._PairPayoffs(u, shape)
    sig = np.concatenate(sigmas)
    P = op.matrix(sig)
    ref = _pair_payoffs_brute(u, sigmas) if len(shape) > 1 else np.zeros((shape[0], shape[0]))
    np.testing.assert_allclose(P, ref, atol=1e-12)
    np.testing.assert_allclose(op.diff_matrix(sig), P[op.rows_a] - P[op.rows_0], atol=1e-12)
    d = NormalFormGame(u).deviation_payoffs(sigmas)
    np.testing.assert_allclose(op.deviation(sig), np.concatenate(d), atol=1e-12)


def test_path_with_sparse_pair_matrix_reaches_the_same_endpoint(monkeypatch):
    u = np.random.default_rng(3).normal(size=(4, 3, 2, 2, 2))
    ref = logit_qre_path(NormalFormGame(u))
    monkeypatch.setattr(qre, "_DENSE_LIMIT", 0)
    qre._OP_CACHE[0] = qre._SYS_CACHE[0] = None
    g = NormalFormGame(u)
    assert not isinstance(qre._PairPayoffs(_normalised(g)[0], (3, 2, 2, 2))._G, np.ndarray)
    res = logit_qre_path(g)
    assert res.nash_conv <= 1e-9 * g.payoff_scale
    for a, b in zip(res.profile, ref.profile, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-10)


@pytest.mark.parametrize("seed", [35, 175])
def test_path_does_not_jump_back_across_a_fold(seed):
    # these branches fold back near λ = 18 (per unit payoff range); large steps let the corrector
    # land on the earlier stretch of the same branch, which was then followed backwards through
    # λ = 0 (SolverError at λ = -6e169) until the orientation of the curve was checked
    u = np.random.default_rng(seed).normal(size=(4, 3, 2, 2, 2))
    g = NormalFormGame(u)
    res = logit_qre_path(g, record=True)
    assert res.nash_conv <= 1e-9 * g.payoff_scale
    assert min(lam for lam, _ in res.path) > 0
    gg = _gambit(u)
    theirs = _gambit_profile(gg, gbt.nash.logit_solve(gg).equilibria[0])
    for a, b in zip(res.profile, theirs, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([(2, 2, 2), (3, 3, 3), (3, 2, 2), (2, 3, 4), (4, 4, 2)]), st.integers(0, 10**6))
def test_path_points_are_qre_and_endpoint_is_certified_on_three_player_games(shape, seed):
    u = np.random.default_rng(seed).normal(size=(3, *shape))
    g = NormalFormGame(u)
    res = logit_qre_path(g, record=True)
    assert res.nash_conv <= 1e-9 * g.payoff_scale
    assert eq.nash_conv(g, res.profile) <= 1e-9 * g.payoff_scale
    # every recorded point is a logit QRE at its λ > 0: the tracer never runs back to λ = 0, where
    # the QRE is unique (the uniform profile)
    assert min(lam for lam, _ in res.path) > 0
    # the corrector stops within ~1e-9 of the branch in the profile; softmax(λ d) moves λ times as
    # fast, so the residual is bounded relative to max(1, λ) (worst seen over 2,000 games: 7.2e-9)
    for lam, prof in res.path[:: max(1, len(res.path) // 8)]:
        assert _residual(g, prof, lam) <= 1e-7 * max(1.0, lam)


def test_uniform_equilibrium_is_the_constant_branch():
    # every player indifferent against the uniform profile: it is a QRE at every λ, so the branch is
    # constant and the path returns it without stepping
    u = np.random.default_rng(4).normal(size=(3, 2, 3, 4))
    for i in range(3):
        others = tuple(k for k in range(3) if k != i)
        u[i] -= np.expand_dims(u[i].mean(axis=others), others)
    g = NormalFormGame(u)
    res = logit_qre_path(g)
    assert res.steps == 0 and res.lam == 0.0 and res.nash_conv <= 1e-15
    for s, k in zip(res.profile, (2, 3, 4), strict=True):
        np.testing.assert_allclose(s, np.full(k, 1 / k), atol=1e-15)
    for s, k in zip(logit_qre(g, 3.0), (2, 3, 4), strict=True):
        np.testing.assert_allclose(s, np.full(k, 1 / k), atol=1e-9)
