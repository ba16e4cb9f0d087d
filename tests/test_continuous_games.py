"""Differentiable games: the built-ins' analytic fields and Jacobians, autodiff games, best responses.

Known values come from the definitions: for the bilinear game ℓ_1 = xᵀAy = −ℓ_2 on the box
[−b, b], player 1's best response value is −b‖Ay‖₁, so NashConv = b(‖Ay‖₁ + ‖Aᵀx‖₁); for a
strongly convex own loss the unconstrained gain is the Newton decrement ½ gᵀH⁻¹g.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from equilibria.api import load_game
from equilibria.errors import InvalidGameError, InvalidParameterError, InvalidStrategyError
from equilibria.games.continuous import DifferentiableGame, QuadraticGame
from equilibria.metrics import best_response, deviation_gains, nash_conv
from equilibria.metrics.continuous import distance_to, gradient_norm, projected_gradient_norm
from equilibria.registry import GAMES

FAST = settings(max_examples=25, deadline=None)
coord = st.floats(-2.0, 2.0, allow_nan=False)


def fd_copy(game: DifferentiableGame) -> DifferentiableGame:
    """The same losses without the analytic derivatives: F and J by central differences."""
    return DifferentiableGame(game._losses, game.dims, bounds=None)


def test_builtins_are_registered_as_continuous():
    for name in ("bilinear", "quadratic", "dirac_gan"):
        assert GAMES.get(name).family == "continuous"
        assert load_game(name).family == "continuous"


# (game spec from a seed, finite-difference tolerance of the field, of the Jacobian); both have dims 2, 3
FD_GAMES = {
    "bilinear": (lambda seed: f"bilinear(matrix={np.random.default_rng(seed).normal(size=(2, 3)).tolist()})",
                 1e-7, 1e-5),
    "quadratic": (lambda seed: f"quadratic(dims=[2, 3], mu=0.3, seed={seed})", 1e-6, 1e-4),
}


@pytest.mark.parametrize("name", sorted(FD_GAMES))
@FAST
@given(seed=st.integers(0, 10_000), z=st.lists(coord, min_size=5, max_size=5))
def test_field_and_jacobian_match_finite_differences(name, seed, z):
    spec, field_tol, jacobian_tol = FD_GAMES[name]
    game = load_game(spec(seed))
    prof = [np.array(z[:2]), np.array(z[2:])]
    fd = fd_copy(game)
    np.testing.assert_allclose(game.vector_field(prof), fd.vector_field(prof), atol=field_tol)
    np.testing.assert_allclose(game.jacobian(prof), fd.jacobian(prof), atol=jacobian_tol)


@FAST
@given(th=coord, ps=coord, gamma=st.floats(0, 2), loss=st.sampled_from(["standard", "wasserstein"]))
def test_dirac_gan_field_and_jacobian_match_finite_differences(th, ps, gamma, loss):
    game = load_game(f"dirac_gan(loss={loss}, gamma={gamma})")
    prof = [np.array([th]), np.array([ps])]
    fd = fd_copy(game)
    np.testing.assert_allclose(game.vector_field(prof), fd.vector_field(prof), atol=1e-7)
    np.testing.assert_allclose(game.jacobian(prof), fd.jacobian(prof), atol=1e-5)


def test_dirac_gan_matches_mescheder_2018():
    # Mescheder et al. (ICML 2018), Sec. 2.2: v(θ, ψ) = (−ψf'(θψ), θf'(θψ)) is the *ascent* field of
    # (θ, ψ); ours is the descent field F = −v (plus the R1 term γψ for the discriminator), and the
    # standard GAN's f'(0) = 1/2.
    game = load_game("dirac_gan(gamma=0.5)")
    th, ps = 0.7, -0.4
    fprime = 1 / (1 + np.exp(th * ps))
    np.testing.assert_allclose(game.vector_field([[th], [ps]]), [ps * fprime, -th * fprime + 0.5 * ps])
    np.testing.assert_allclose(game.jacobian([[0.0], [0.0]]), [[0, 0.5], [-0.5, 0.5]])


def test_torch_game_has_the_analytic_field_and_jacobian():
    import torch

    A = np.random.default_rng(3).normal(size=(2, 3))
    At = torch.tensor(A)
    game = load_game(f"bilinear(matrix={A.tolist()})")

    def losses(zs):
        v = zs[0] @ At @ zs[1] + 0.1 * torch.sin(zs[0]).sum()  # a non-quadratic own term
        return [v, -zs[0] @ At @ zs[1]]

    tg = DifferentiableGame.from_torch(losses, (2, 3))
    rng = np.random.default_rng(0)
    for _ in range(5):
        prof = [rng.normal(size=2), rng.normal(size=3)]
        extra = np.concatenate([0.1 * np.cos(prof[0]), np.zeros(3)])
        np.testing.assert_allclose(tg.vector_field(prof), game.vector_field(prof) + extra, atol=1e-12)
        J = game.jacobian(prof)
        J[:2, :2] += np.diag(-0.1 * np.sin(prof[0]))
        np.testing.assert_allclose(tg.jacobian(prof), J, atol=1e-12)
        np.testing.assert_allclose(tg.losses(prof)[1], game.losses(prof)[1], atol=1e-12)


def test_torch_dirac_gan_matches_builtin():
    import torch

    def losses(zs):
        t = zs[0][0] * zs[1][0]
        f = -torch.nn.functional.softplus(-t)
        f0 = -np.log(2.0)
        return [f + f0, -f - f0 + 0.25 * zs[1][0] ** 2]

    tg = DifferentiableGame.from_torch(losses, (1, 1))
    game = load_game("dirac_gan(gamma=0.5)")
    for prof in ([[0.3], [-1.2]], [[2.0], [0.5]], [[0.0], [0.0]]):
        np.testing.assert_allclose(tg.vector_field(prof), game.vector_field(prof), atol=1e-12)
        np.testing.assert_allclose(tg.jacobian(prof), game.jacobian(prof), atol=1e-12)
        np.testing.assert_allclose(tg.losses(prof), game.losses(prof), atol=1e-12)


def test_jax_game_has_the_analytic_field_and_jacobian():
    import jax.numpy as jnp

    game = load_game("quadratic(dims=[1, 2], seed=4)")
    M, b = game.M, game.b

    def losses(zs):
        # player i's loss: ½ z_iᵀM_ii z_i + Σ_j z_iᵀM_ij z_j (j ≠ i) + b_iᵀz_i
        l1 = 0.5 * zs[0] @ M[:1, :1] @ zs[0] + zs[0] @ M[:1, 1:] @ zs[1] + b[:1] @ zs[0]
        l2 = 0.5 * zs[1] @ M[1:, 1:] @ zs[1] + zs[1] @ M[1:, :1] @ zs[0] + b[1:] @ zs[1]
        return jnp.stack([l1, l2])

    jg = DifferentiableGame.from_jax(losses, (1, 2))
    rng = np.random.default_rng(1)
    for _ in range(3):
        prof = [rng.normal(size=1), rng.normal(size=2)]
        np.testing.assert_allclose(jg.vector_field(prof), game.vector_field(prof), atol=1e-12)
        np.testing.assert_allclose(jg.jacobian(prof), M, atol=1e-12)
        np.testing.assert_allclose(jg.losses(prof), game.losses(prof), atol=1e-12)


@FAST
@given(seed=st.integers(0, 10_000), bound=st.floats(0.5, 3),
       z=st.lists(st.floats(-1, 1), min_size=5, max_size=5))
def test_bilinear_box_nash_conv_is_the_l1_duality_gap(seed, bound, z):
    A = np.random.default_rng(seed).normal(size=(2, 3))
    game = load_game(f"bilinear(matrix={A.tolist()}, bound={bound})")
    x, y = bound * np.array(z[:2]), bound * np.array(z[2:])
    expected = bound * (np.abs(A @ y).sum() + np.abs(A.T @ x).sum())
    assert nash_conv(game, [x, y]) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    br = best_response(game, [x, y], 0)
    np.testing.assert_allclose(br[np.abs(A @ y) > 1e-12], -bound * np.sign(A @ y)[np.abs(A @ y) > 1e-12])


def test_unconstrained_bilinear_gains_are_infinite_off_equilibrium():
    game = load_game("bilinear(dim=2, seed=0)")
    assert np.all(np.isinf(deviation_gains(game, [[0.1, 0.0], [0.0, 0.0]])[[1]]))
    assert deviation_gains(game, [[0.1, 0.0], [0.0, 0.0]])[0] == 0.0  # Ay = 0: x cannot gain
    assert nash_conv(game, [[0.0, 0.0], [0.0, 0.0]]) == 0.0


@FAST
@given(seed=st.integers(0, 10_000), z=st.lists(coord, min_size=5, max_size=5))
def test_strongly_monotone_quadratic_gain_is_the_newton_decrement(seed, z):
    game = load_game(f"quadratic(dims=[2, 3], mu=0.2, seed={seed})")
    zz = np.array(z)
    F = game.vector_field(zz)
    gains = deviation_gains(game, game.split(zz))
    for i in range(2):
        s = game.block(i)
        H = game.M[s, s]
        assert gains[i] == pytest.approx(0.5 * F[s] @ np.linalg.solve(H, F[s]), rel=1e-9, abs=1e-12)


@FAST
@given(seed=st.integers(0, 10_000), z=st.lists(st.floats(-1, 1), min_size=5, max_size=5))
def test_box_quadratic_best_response_matches_multistart_lbfgsb(seed, z):
    """Peer cross-check: BVLS on the Cholesky factor against scipy's L-BFGS-B from many starts."""
    game = load_game(f"quadratic(dims=[2, 3], mu=0.1, rotation=2.0, seed={seed}, bound=0.5)")
    zz = 0.5 * np.array(z)
    gains = deviation_gains(game, game.split(zz))
    rng = np.random.default_rng(seed)
    for i in range(2):
        H, c = game.own_quadratic(i, zz)
        s = game.block(i)
        def q(u, H=H, c=c):
            return 0.5 * u @ H @ u + c @ u

        def dq(u, H=H, c=c):
            return H @ u + c

        best = min(
            minimize(q, x0, jac=dq, method="L-BFGS-B", bounds=[(-0.5, 0.5)] * H.shape[0],
                     options={"ftol": 1e-15, "gtol": 1e-12}).fun
            for x0 in rng.uniform(-0.5, 0.5, size=(8, H.shape[0]))
        )
        cur = 0.5 * zz[s] @ H @ zz[s] + c @ zz[s]
        assert gains[i] == pytest.approx(cur - best, abs=1e-9)


def test_equilibria_have_zero_gain_and_zero_field():
    q = load_game("quadratic(dims=[2, 2, 1], mu=0.5, seed=7)")
    assert np.allclose(q.vector_field(q.equilibrium), 0, atol=1e-12)
    # a float NashConv: the losses are O(1), so rounding leaves up to a few ulps (1e-16), never 1e-20
    assert nash_conv(q, q.equilibrium) == pytest.approx(0, abs=1e-12)
    assert q.monotonicity >= 0.5 - 1e-12
    assert gradient_norm(q, q.equilibrium) < 1e-12
    d = load_game("dirac_gan(bound=1)")
    assert nash_conv(d, [[0.0], [0.0]]) == 0.0


def test_dirac_gan_exact_best_responses_match_lbfgsb():
    specs = ("dirac_gan(bound=2)", "dirac_gan(bound=2, gamma=0.7)", "dirac_gan(loss=wasserstein, bound=1.5)")
    for spec in specs:
        game = load_game(spec)
        generic = DifferentiableGame(game._losses, (1, 1), gradient=game._gradient,
                                     bounds=(game.lower[0], game.upper[0]))  # no exact hook: L-BFGS-B
        for prof in ([[0.5], [0.3]], [[-1.2], [0.8]], [[1.45], [-1.45]], [[0.0], [1.0]]):
            np.testing.assert_allclose(deviation_gains(game, prof), deviation_gains(generic, prof), atol=1e-7)


def test_unconstrained_dirac_gan_gains():
    game = load_game("dirac_gan")
    g = deviation_gains(game, [[0.5], [0.3]])
    # the generator's f(ψθ) → −∞ as θ → −∞ (ψ > 0); the discriminator's −f(ψθ) = softplus(−ψθ) → 0
    assert np.isinf(g[0])
    assert g[1] == pytest.approx(np.logaddexp(0, -0.15), rel=1e-12)


def test_payoffs_are_minus_losses_and_profiles_round_trip():
    game = load_game("bilinear(dim=2, seed=1, bound=1)")
    prof = [np.array([0.2, -0.3]), np.array([0.5, 0.1])]
    np.testing.assert_allclose(game.expected_payoffs(prof), -game.losses(prof))
    assert game.expected_payoffs(prof).sum() == pytest.approx(0)
    data = json.loads(json.dumps(game.profile_to_json(prof)))
    back = game.profile_from_json(data)
    assert all(np.array_equal(a, b) for a, b in zip(back, prof, strict=True))
    np.testing.assert_allclose(game.uniform_profile()[0], 0)  # box centre
    assert distance_to(prof, [[0.2, -0.3], [0.5, 0.1]]) == 0.0
    assert projected_gradient_norm(game, game.uniform_profile()) == 0.0


def test_bad_input_raises_typed_errors():
    game = load_game("bilinear(dim=2, bound=1)")
    with pytest.raises(InvalidStrategyError):
        game.flatten([[0.0], [0.0, 0.0]])
    with pytest.raises(InvalidStrategyError):
        game.flatten([[2.0, 0.0], [0.0, 0.0]])  # outside the box
    with pytest.raises(InvalidStrategyError):
        game.profile_from_json({"x": 1})
    with pytest.raises(InvalidStrategyError):
        game.flatten([[np.nan, 0.0], [0.0, 0.0]])
    with pytest.raises(InvalidGameError):
        DifferentiableGame(lambda zs: [0, 0], (1, 1), bounds=[(1.0, 0.0), None])
    with pytest.raises(InvalidGameError):
        DifferentiableGame(lambda zs: [0, 0], (1, 0))
    with pytest.raises(InvalidGameError):
        QuadraticGame(np.array([[[0, 1], [0, 0]], [[0, 0], [0, 0]]]), dims=(1, 1))  # Q_1 not symmetric
    with pytest.raises(InvalidGameError):
        QuadraticGame.from_field([[0, 1], [1, 0], [0, 0]], dims=(1, 1))
    with pytest.raises(InvalidParameterError):
        load_game("quadratic(mu=-1)")
    with pytest.raises(InvalidParameterError):
        load_game("dirac_gan(loss=hinge)")
    with pytest.raises(InvalidParameterError):
        load_game("bilinear(bound=-1)")
