"""``ipa`` (Govindan & Wilson 2004) and its Lemke LCP helper, against pygambit and the paper's properties.

Every profile ``ipa`` returns must be an equilibrium by our NashConv and by pygambit's ``max_regret``
(within 1e-9 of the payoff range), on random 3- and 4-player games and on Gambit's n-player catalog
files (the corpus of tests/test_nplayer_solvers.py). The paper's own facts checked: the polymatrix
approximation agrees with the game to first order at σ (its error is quadratic in the distance), an
equilibrium of the game is an equilibrium of its own approximation (the LCP holds there), and on a
two-player game the approximation is the game itself, so ipa is Lemke's algorithm on it.
"""

from __future__ import annotations

import json

import numpy as np
import pygambit as gbt
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError, SolverError
from equilibria.games.normal_form import NormalFormGame
from equilibria.solvers.nplayer_common import deviation_batch, pair_batch
from equilibria.solvers.nplayer_ipa import lemke, polymatrix_lcp
from test_nplayer_solvers import NAU, RANDOM, _assert_equilibrium, _gambit_files, _random, _same


def _complementary(M: np.ndarray, q: np.ndarray, z: np.ndarray, atol: float) -> None:
    w = q + M @ z
    assert z.min() >= 0 and w.min() >= -atol, (z.min(), w.min())
    assert abs(float(z @ w)) <= atol * max(1.0, float(np.abs(z).sum()))


# ---- the Lemke helper ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_lemke_solves_bimatrix_lcps(seed):
    """A bimatrix game (A, B) as the LCP in (x, v) of `polymatrix_lcp` (Miller & Zucker 1991:
    M = [[C, −E], [Eᵀ, 0]] with C > 0 is copositive-plus): Lemke's algorithm from a random covering
    vector reaches complementarity, and x is a Nash equilibrium of (A, B)."""
    rng = np.random.default_rng(seed)
    m, n = (int(k) for k in rng.integers(2, 7, size=2))
    U = rng.uniform(0, 1, (2, m, n))
    if seed % 2:  # degenerate: repeated entries make lexicographic tie-breaking necessary
        U = np.round(U * 2) / 2
    sig = [np.full(m, 1 / m), np.full(n, 1 / n)]
    M, q, d = polymatrix_lcp(U, sig, rng.uniform(0, 1, m + n))
    z, pivots = lemke(M, q, d)
    assert pivots >= 1
    _complementary(M, q, z, 1e-9)
    x, y = z[:m], z[m:m + n]
    np.testing.assert_allclose([x.sum(), y.sum()], 1.0, atol=1e-12)
    A, B = U
    assert (A @ y).max() - x @ A @ y <= 1e-9 and (x @ B).max() - x @ B @ y <= 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_lemke_solves_copositive_plus_lcps(seed):
    """Lemke's algorithm solves every feasible LCP with M positive semidefinite (copositive-plus);
    with M = RᵀR + S (S skew) and q of either sign."""
    rng = np.random.default_rng(100 + seed)
    N = int(rng.integers(3, 9))
    R = rng.normal(size=(N, N))
    S = rng.normal(size=(N, N))
    M = R.T @ R + S - S.T + 1e-3 * np.eye(N)
    q = rng.normal(size=N)
    z, _ = lemke(M, q, d=rng.uniform(0.5, 2.0, N))
    _complementary(M, q, z, 1e-8)


def test_lemke_input_checks_and_trivial_case():
    z, pivots = lemke(np.eye(2), np.array([1.0, 0.0]))
    assert pivots == 0 and not z.any()
    with pytest.raises(InvalidParameterError):
        lemke(np.eye(2), np.array([-1.0, 0.0]), d=np.array([0.0, 1.0]))
    with pytest.raises(InvalidParameterError):
        lemke(np.eye(3), np.array([-1.0, 0.0]))
    # w = −1 − z has no solution: the path ends on a ray
    with pytest.raises(SolverError, match="ray"):
        lemke(-np.eye(1), np.array([-1.0]))
    # the homogeneous bimatrix form w = −1 + [[0, A], [Bᵀ, 0]] z is not copositive-plus: from the
    # covering vector 1 the first complement entering (x_1) increases without bound (why Lemke-Howson
    # and the (x, v) form exist)
    A = np.array([[1.0, 2.0], [2.0, 1.0]])
    M = np.block([[np.zeros((2, 2)), A], [A.T, np.zeros((2, 2))]])
    with pytest.raises(SolverError, match="ray"):
        lemke(M, -np.ones(4))


# ---- the polymatrix approximation (the paper's construction) --------------------------------------


def _approx_payoffs(U: np.ndarray, sigma: list[np.ndarray], tau: list[np.ndarray]) -> list[np.ndarray]:
    """V_i(τ) ≈ Σ_{j≠i} T_ij τ_j − (n − 2) V_i(σ), T_ij = u_i(·, ·, σ_{-ij})."""
    n = len(sigma)
    batch = [s[None] for s in sigma]
    V = deviation_batch(U, batch)
    return [sum(pair_batch(U, batch, i, j)[0] @ tau[j] for j in range(n) if j != i) - (n - 2) * V[i][0]
            for i in range(n)]


def test_polymatrix_approximation_is_first_order_exact():
    game, _ = _random((3, 2, 4), 5)
    U = game.payoffs
    rng = np.random.default_rng(0)
    sigma = [rng.dirichlet(np.ones(k)) for k in game.num_actions]
    delta = [rng.dirichlet(np.ones(k)) - s for k, s in zip(game.num_actions, sigma, strict=True)]
    errs = []
    for h in (0.2, 0.1, 0.05):
        tau = [s + h * d for s, d in zip(sigma, delta, strict=True)]
        exact = game.deviation_payoffs(tau)
        approx = _approx_payoffs(U, sigma, tau)
        errs.append(max(float(np.abs(a - e).max()) for a, e in zip(approx, exact, strict=True)))
    exact = game.deviation_payoffs(sigma)
    assert all(np.allclose(a, e, atol=1e-12) for a, e in zip(_approx_payoffs(U, sigma, sigma), exact,
                                                             strict=True))
    # second-order error: halving the distance divides it by 4 (three players: exactly quadratic)
    np.testing.assert_allclose(np.array(errs[:-1]) / np.array(errs[1:]), 4.0, rtol=1e-6)


def test_an_equilibrium_solves_its_own_polymatrix_lcp():
    """The fixed-point property IPA rests on: a Nash equilibrium σ* of the game, with v_i its players'
    costs, solves the LCP of the polymatrix approximation at σ*."""
    game, _ = _random((2, 2, 2, 2), 2)
    U = game.payoffs / float(game.payoffs.max() - game.payoffs.min())
    for sol in eq.solve(game, "enumpoly"):
        sig = [np.asarray(s, dtype=float) for s in sol.strategies]
        M, q, _ = polymatrix_lcp(U, sig, np.concatenate([np.eye(k)[0] for k in game.num_actions]))
        x = np.concatenate(sig)
        costs = (M[:len(x), :len(x)] @ x)
        off = np.concatenate([[0], np.cumsum(game.num_actions)])
        v = np.array([costs[off[i]:off[i + 1]][sig[i] > 1e-9].min() for i in range(len(sig))])
        _complementary(M, q, np.concatenate([x, v]), 1e-8)


# ---- ipa against pygambit --------------------------------------------------------------------------


@pytest.mark.parametrize("shape,seed", [*RANDOM, ((3, 3, 3), 0), ((3, 3, 3), 2), ((4, 4, 4), 2),
                                        ((3, 3, 3, 3), 3)])
def test_ipa_returns_an_equilibrium_by_both_regrets(shape, seed):
    game, G = _random(shape, seed)
    (sol,) = eq.solve(game, "ipa")
    _assert_equilibrium(game, G, sol.strategies, 1e-9)
    assert sol.info["iterations"] >= 1 and sol.info["pivots"] >= 1
    # pygambit's ipa on the same game: its answer is approximate (GameTracer's fuzz 1e-6)
    (theirs,) = gbt.nash.ipa_solve(G).equilibria
    assert float(theirs.max_regret()) <= 1e-5 * float(game.payoffs.max() - game.payoffs.min())


def test_ipa_on_gambits_files(tmp_path):
    files = _gambit_files(tmp_path)
    for path in files.values():
        game, G = eq.load_game(str(path)), gbt.read_nfg(str(path))
        first = [[1.0] + [0.0] * (k - 1) for k in game.num_actions]
        for start in (None, first):
            (sol,) = eq.solve(game, "ipa", start=start)
            _assert_equilibrium(game, G, sol.strategies, 1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_two_player_ipa_is_lemke_on_the_game(seed):
    """Two players: the approximation is the game, one LCP solves it; the profile is one of support
    enumeration's equilibria."""
    rng = np.random.default_rng(seed)
    A = np.round(rng.normal(size=(2, 3, 4)), 2)
    game = NormalFormGame(A)
    (sol,) = eq.solve(game, "ipa")
    assert sol.info["iterations"] == 1
    allq = [[np.asarray(s, dtype=float) for s in q.strategies] for q in eq.solve(game, "support-enumeration")]
    assert any(_same(sol.strategies, q, 1e-9) for q in allq)


def test_ipa_options():
    game, G = _random((3, 2, 2), 1)
    (sol,) = eq.solve(game, "ipa", perturbation=[[0, 0.5, 1], [1, 0], [0, 1]], step_size=0.5,
                      start=[[0.2, 0.3, 0.5], [1, 0], [0.5, 0.5]])
    _assert_equilibrium(game, G, sol.strategies, 1e-9)
    for bad in ({"perturbation": [[1, 1, 0], [1, 0], [1, 0]]}, {"step_size": 0.0}, {"step_size": 1.5},
                {"max_iter": 0}, {"tol": -1.0}, {"start": [[1, 0], [1, 0], [1, 0]]},
                {"start": [[0.5, 0.6, 0.0], [1, 0], [1, 0]]}, {"bogus": 1}):
        with pytest.raises(InvalidParameterError):
            eq.solve(game, "ipa", **bad)
    # a game on which ipa cycles from the default start: SolverError within max_iter, never a
    # non-equilibrium
    game, _ = _random((2, 2, 2, 2), 3)
    with pytest.raises(SolverError, match="max_iter"):
        eq.solve(game, "ipa", max_iter=20)


def test_ipa_refuses_other_families_and_runs_from_the_cli(capsys):
    with pytest.raises(NotApplicableError):
        eq.solve(eq.load_game("kuhn_poker"), "ipa")
    path = NAU / "sec4.nfg"
    assert main(["solve", str(path), "--method", "ipa", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["solve", str(path), "--method", "ipa", "-o", "step_size=2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err
