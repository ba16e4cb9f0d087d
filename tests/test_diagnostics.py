"""Jacobian spectra and maximal Lyapunov exponents of learning dynamics, against closed forms.

- The bilinear game's Jacobian [[0, A], [−Aᵀ, 0]] has eigenvalues ±iσ_k(A) (purely imaginary).
- The Dirac-GAN's Jacobian at (0, 0) is [[0, f'(0)], [−f'(0), γ]] with f'(0) = 1/2 (Mescheder et al.,
  ICML 2018, Sec. 2.2 and 4.1), eigenvalues γ/2 ± i√(1/4 − γ²/4) for γ < 1.
- For a method whose update is a linear map Φ of its state (every method on a bilinear game),
  the maximal Lyapunov exponent is log ρ(Φ): on xy, ½log(1 + η²) for GDA (> 0) and
  ½log(1 − η² + η⁴) for extragradient (< 0); 1/√(1 + η²) is CGD's ρ.
- For a nonlinear game near an attracting fixed point the exponent is log ρ(I − ηJ(z*)) for GDA.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.api import load_game, make_learner
from equilibria.diagnostics import jacobian_eigenvalues, max_lyapunov_exponent, spectral_radius_of_linear_step
from equilibria.errors import InvalidParameterError, NotApplicableError


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 4))
def test_bilinear_jacobian_eigenvalues_are_purely_imaginary(seed, m):
    A = np.random.default_rng(seed).normal(size=(m, m))
    game = load_game(f"bilinear(matrix={A.tolist()})")
    ev = jacobian_eigenvalues(game, game.initial_profile())
    assert np.allclose(ev.real, 0, atol=1e-12)
    sigma = np.linalg.svd(A, compute_uv=False)
    np.testing.assert_allclose(np.sort(np.abs(ev.imag)), np.sort(np.repeat(sigma, 2)), rtol=1e-9)


def test_dirac_gan_eigenvalues_at_the_equilibrium():
    ev = jacobian_eigenvalues(load_game("dirac_gan"), [[0.0], [0.0]])
    np.testing.assert_allclose(ev, [-0.5j, 0.5j], rtol=0, atol=1e-12)  # |ev| = 1/2
    gamma = 0.6
    ev = jacobian_eigenvalues(load_game(f"dirac_gan(gamma={gamma})"), [[0.0], [0.0]])
    w = np.sqrt(0.25 - gamma**2 / 4)
    np.testing.assert_allclose(ev, [gamma / 2 - 1j * w, gamma / 2 + 1j * w], rtol=0, atol=1e-12)


@pytest.mark.parametrize("eta", [0.05, 0.2])
def test_lyapunov_exponents_on_xy_match_closed_forms(eta):
    game = load_game("bilinear")
    gda = max_lyapunov_exponent(make_learner(game, "gda", step_size=eta), 300)
    eg = max_lyapunov_exponent(make_learner(game, "extragradient", step_size=eta), 300)
    cgd = max_lyapunov_exponent(make_learner(game, "cgd", step_size=eta), 300)
    assert gda > 0 and eg < 0 and cgd < 0
    assert gda == pytest.approx(0.5 * np.log1p(eta**2), rel=1e-6)
    assert eg == pytest.approx(0.5 * np.log(1 - eta**2 + eta**4), rel=1e-6)
    assert cgd == pytest.approx(-0.5 * np.log1p(eta**2), rel=1e-6)


@pytest.mark.parametrize("method", ["ogda", "complex-momentum", "consensus", "alternating-gda"])
def test_lyapunov_exponent_is_log_spectral_radius_for_linear_dynamics(method):
    game = load_game(f"bilinear(matrix={np.random.default_rng(4).normal(size=(2, 2)).tolist()})")
    step = 0.15
    rho = spectral_radius_of_linear_step(make_learner(game, method, step_size=step))
    lam = max_lyapunov_exponent(make_learner(game, method, step_size=step), 1500, burn_in=200)
    assert lam == pytest.approx(np.log(rho), abs=2e-3)
    if method != "alternating-gda":  # alternating GDA cycles: ρ = 1, λ_max = 0
        assert lam < 0
    else:
        assert abs(lam) < 2e-3


def test_lyapunov_exponent_of_gda_near_an_attracting_nonlinear_equilibrium():
    gamma, eta = 0.5, 0.3  # γ = 1 would make J(0) defective (slow, log t / t, convergence)
    game = load_game(f"dirac_gan(gamma={gamma}, start=(0.3, 0.2))")
    J0 = game.jacobian([[0.0], [0.0]])
    expected = np.log(max(abs(np.linalg.eigvals(np.eye(2) - eta * J0))))
    lam = max_lyapunov_exponent(make_learner(game, "gda", step_size=eta), 400, burn_in=400)
    assert lam < 0
    assert lam == pytest.approx(expected, abs=5e-3)


def test_same_seed_same_estimate_and_history():
    game = load_game("quadratic(mu=0.2, seed=1)")
    a, ha = max_lyapunov_exponent(make_learner(game, "extragradient"), 50, seed=3, return_history=True)
    b, hb = max_lyapunov_exponent(make_learner(game, "extragradient"), 50, seed=3, return_history=True)
    assert a == b and np.array_equal(ha, hb) and ha[-1] == a


def test_bad_parameters_raise():
    learner = make_learner(load_game("bilinear"), "gda")
    with pytest.raises(InvalidParameterError):
        max_lyapunov_exponent(learner, 0)
    with pytest.raises(InvalidParameterError):
        max_lyapunov_exponent(learner, 10, epsilon=-1)
    with pytest.raises(InvalidParameterError):
        max_lyapunov_exponent(learner, 10, burn_in=-2)
    with pytest.raises(NotApplicableError):
        max_lyapunov_exponent(object(), 10)
    with pytest.raises(NotApplicableError):
        jacobian_eigenvalues(load_game("rock_paper_scissors"), None)
