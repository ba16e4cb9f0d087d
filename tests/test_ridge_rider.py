"""Ridge Rider and Generalized Ridge Rider (dynamics/ridge_rider.py): branches, the Lyapunov criterion."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.dynamics.ridge_rider import newton_stationary_point
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.continuous import DifferentiableGame


def quartic_game(players: int, rho: float = 0.0) -> DifferentiableGame:
    """Each player i minimises L(z) = Σ_j (z_j² − 1)² (a common loss: a potential game whose local
    minima are the 2^n points z ∈ {±1}^n and whose origin is a saddle of index n); with two players,
    ``rho`` adds the rotation ±ρ z_1 z_2 (ℓ_1 = L + ρ z_1 z_2, ℓ_2 = L − ρ z_1 z_2), a
    non-conservative field."""
    def losses(p):
        z = np.concatenate(p)
        L = np.sum((z * z - 1) ** 2)
        out = np.full(players, L)
        if players == 2:
            out += np.array([rho, -rho]) * z[0] * z[1]
        return out

    def grad(p):
        z = np.concatenate(p)
        g = 4 * z * (z * z - 1)
        if players == 2:
            g = g + rho * np.array([z[1], -z[0]])
        return g

    def jac(p):
        z = np.concatenate(p)
        J = np.diag(12 * z * z - 4)
        if players == 2:
            J = J + rho * np.array([[0.0, 1.0], [-1.0, 0.0]])
        return J

    return DifferentiableGame(losses, (1,) * players, gradient=grad, jacobian=jac,
                              initial=[np.zeros(1)] * players)


def _points(sols):
    return np.array([np.concatenate(s.strategies) for s in sols])


def test_ridge_rider_finds_every_minimum_of_a_conservative_game_from_its_saddle():
    # Parker-Holder et al. (NeurIPS 2020): following the negative-curvature eigenvectors from a saddle,
    # and re-branching at the saddles where ridges end, reaches every local minimum; here all 2^3
    game = quartic_game(3)
    sols = eq.solve(game, "ridge-rider", branch_point="saddle", seed=0)
    found = _points(sols)
    corners = np.array(list(itertools.product([-1.0, 1.0], repeat=3)))
    assert len(found) == 8
    for c in corners:
        assert np.min(np.linalg.norm(found - c, axis=1)) <= 1e-6
    assert all(s.info["converged"] for s in sols)
    assert all(s.nash_conv <= 1e-9 for s in sols)
    # the first level branches only along the 3 negative eigenvalues (-4) of the Hessian at 0, both ways
    assert {s.info["branch_eigenvalue"][0] for s in sols if s.info["branch_depth"] == 1} <= {-4.0}


def test_complex_branches_reach_every_stable_point_of_a_rotational_game():
    # with a rotation, J(0) = [[-4, ρ], [-ρ, -4]] has the complex pair -4 ± iρ; its eigenvector's real
    # and imaginary parts span the plane, and the four stable fixed points are all reached.
    game = quartic_game(2, rho=1.0)
    sols = eq.solve(game, "ridge-rider", branch_point="init", seed=0)
    found = _points(sols)
    # the stable fixed points, independently: Newton from a grid, kept where Re eig(J) > 0
    stable = []
    for x, y in itertools.product(np.linspace(-1.5, 1.5, 7), repeat=2):
        z = newton_stationary_point(game, np.array([x, y]))
        if (np.linalg.norm(game._field(z)) <= 1e-10 and np.all(np.linalg.eigvals(game._jac(z)).real > 0)
                and not any(np.linalg.norm(z - q) <= 1e-6 for q in stable)):
            stable.append(z)
    assert len(stable) == 4
    assert len(found) == 4
    for q in stable:
        assert np.min(np.linalg.norm(found - q, axis=1)) <= 1e-5
    assert all(s.info["branch_eigenvalue"][1] == pytest.approx(1.0, abs=1e-12) for s in sols)


def test_lyapunov_criterion_picks_the_most_sensitive_start():
    # Lorraine et al. (AAMAS 2022): branch where the dynamics' maximal Lyapunov exponent is largest. For
    # gradient descent with step η on the quartic game, the exponent is largest at the saddle z = 0,
    # where the linearised map I − ηJ = (1 + 4η) I gives λ_max = log(1 + 4η).
    game = quartic_game(2)
    eta = 0.05
    sols = eq.solve(game, "ridge-rider", branch_point="lyapunov", init=[[0.3], [-0.25]], radius=0.5,
                    candidates=8, refine=8, step_size=eta, seed=1)
    zb = np.array(sols[0].info["branch_point"])
    assert np.linalg.norm(zb) <= 0.1
    assert sols[0].info["lyapunov_exponent"] <= np.log(1 + 4 * eta) + 1e-6
    assert sols[0].info["lyapunov_exponent"] >= np.log(1 + 4 * eta) - 0.02
    corners = np.array(list(itertools.product([-1.0, 1.0], repeat=2)))
    found = _points(sols)
    assert all(np.min(np.linalg.norm(corners - z, axis=1)) <= 1e-6 for z in found)
    # near (not at) the saddle, the branches along ±e_1, ±e_2 reach three of the four minima
    assert len(found) >= 3
    # branching at the start itself, inside one basin (J positive definite), finds one solution only
    near = eq.solve(game, "ridge-rider", branch_point="init", init=[[0.9], [-0.9]], seed=1)
    assert len(near) == 1


def test_options_and_families_are_checked():
    game = quartic_game(2)
    for bad in (dict(branch_point="nowhere"), dict(directions="some"), dict(dynamics="magic"),
                dict(radius=0.0), dict(candidates=-1), dict(ridge_step=float("nan")), dict(max_depth=0),
                dict(init=[[1.0, 2.0], [0.0]])):
        with pytest.raises(InvalidParameterError):
            eq.solve(game, "ridge-rider", **bad)
    with pytest.raises(NotApplicableError):
        eq.solve("kuhn_poker", "ridge-rider")


def test_cli_solve_with_ridge_rider(capsys):
    code = main(["solve", "quadratic(dims=[1, 1])", "--method", "ridge-rider", "-o", "branch_point=saddle",
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert main(["solve", "quadratic(dims=[1, 1])", "--method", "ridge-rider", "-o", "radius=-1"]) == 2
    assert out is not None
