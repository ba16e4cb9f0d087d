"""Local diagnostics of differentiable games and of the learning dynamics run on them.

- `jacobian_eigenvalues`: the spectrum of the game Jacobian J(z) = ∂F/∂z. At a fixed point,
  eigenvalues with positive real part attract simultaneous gradient flow, purely imaginary ones
  (bilinear games) make it rotate (Balduzzi et al., "The Mechanics of n-Player Differentiable
  Games", ICML 2018; Mescheder et al., "The Numerics of GANs", NeurIPS 2017).
- `max_lyapunov_exponent`: the maximal Lyapunov exponent λ_max of a method's *discrete* dynamics,
  the average exponential growth rate per iteration of an infinitesimal perturbation of the
  method's full state. λ_max < 0 means nearby trajectories contract (local convergence),
  λ_max > 0 that they separate (divergence or chaos). Lorraine, Vicol, Parker-Holder, Kachman,
  Metz & Foerster, "Lyapunov Exponents for Diversity in Differentiable Games" (AAMAS 2022) use
  it to find branching points of game dynamics. It is estimated by the standard tangent-vector
  renormalisation of Benettin, Galgani, Giorgilli & Strelcyn, "Lyapunov characteristic exponents
  for smooth dynamical systems" (Meccanica 1980): propagate a unit tangent vector v by the
  Jacobian of the one-step map Φ, v ← DΦ(x_t)v / ‖DΦ(x_t)v‖, and average log ‖DΦ(x_t)v‖.
  DΦ(x)v is a central finite difference of the learner's own step, so any method works unchanged
  (for linear dynamics such as every method on a bilinear game, the difference is exact up to
  rounding and λ_max = log ρ(Φ), the spectral radius).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidParameterError, NotApplicableError
from .games.continuous import DifferentiableGame


def jacobian_eigenvalues(game: DifferentiableGame, profile: Any) -> np.ndarray:
    """Eigenvalues of J(z) (complex, sorted by real part then imaginary part)."""
    if not isinstance(game, DifferentiableGame):
        raise NotApplicableError(
            f"jacobian_eigenvalues needs a DifferentiableGame, not {type(game).__name__}")
    ev = np.linalg.eigvals(game.jacobian(profile))
    return ev[np.lexsort((ev.imag, ev.real))]


def _one_step(learner: Any, state: dict[str, Any], x: np.ndarray) -> np.ndarray:
    learner.load_state_dict(state)
    learner.set_phase_state(x)
    learner.step()
    return learner.phase_state()


def max_lyapunov_exponent(
    learner: Any,
    iterations: int = 500,
    *,
    burn_in: int = 0,
    epsilon: float = 1e-6,
    seed: int | None = 0,
    return_history: bool = False,
) -> float | tuple[float, np.ndarray]:
    """Estimate λ_max of ``learner``'s update map along its own trajectory (natural log per iteration).

    The learner must expose ``phase_state()`` / ``set_phase_state(x)`` (every learner in
    `equilibria.dynamics.continuous` does). It is advanced by ``burn_in + iterations`` steps.
    The tangent vector starts as a random unit vector (``seed``); JVPs use central differences
    with relative step ``epsilon``. With ``return_history`` the running estimates are returned too.
    """
    if not (hasattr(learner, "phase_state") and hasattr(learner, "set_phase_state")):
        raise NotApplicableError(f"{type(learner).__name__} does not expose its phase-space state")
    if int(iterations) != iterations or iterations < 1:
        raise InvalidParameterError(f"iterations must be a positive integer, got {iterations!r}")
    if int(burn_in) != burn_in or burn_in < 0:
        raise InvalidParameterError(f"burn_in must be a non-negative integer, got {burn_in!r}")
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise InvalidParameterError(f"epsilon must be > 0, got {epsilon!r}")
    for _ in range(int(burn_in)):
        learner.step()
    x = learner.phase_state()
    v = np.random.default_rng(seed).standard_normal(x.size)
    v /= np.linalg.norm(v)
    total = 0.0
    history = np.empty(int(iterations))
    for t in range(int(iterations)):
        state = learner.state_dict()
        h = epsilon * max(1.0, float(np.linalg.norm(x)))
        w = (_one_step(learner, state, x + h * v) - _one_step(learner, state, x - h * v)) / (2 * h)
        learner.load_state_dict(state)
        learner.step()
        x = learner.phase_state()
        growth = float(np.linalg.norm(w))
        if not np.isfinite(growth) or growth == 0.0:
            raise NotApplicableError(
                f"the tangent vector became {growth} at iteration {t}: the dynamics left the region "
                "where the Lyapunov exponent is defined (overflow, or a map that is not locally invertible)")
        total += np.log(growth)
        v = w / growth
        history[t] = total / (t + 1)
    est = total / int(iterations)
    return (est, history) if return_history else est


def spectral_radius_of_linear_step(learner: Any) -> float:
    """ρ(DΦ) of a learner whose update is linear in its phase state (e.g. any method on a bilinear
    game), by central differences along every coordinate; log of it is the exact λ_max."""
    x = learner.phase_state()
    state = learner.state_dict()
    cols = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = 1e-3 * max(1.0, float(np.linalg.norm(x)))
        cols.append((_one_step(learner, state, x + e) - _one_step(learner, state, x - e)) / (2 * e[k]))
    learner.load_state_dict(state)
    return float(np.max(np.abs(np.linalg.eigvals(np.stack(cols, axis=1)))))
