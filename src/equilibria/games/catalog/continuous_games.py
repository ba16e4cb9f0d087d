"""Built-in differentiable games with analytic vector fields and Jacobians.

- ``bilinear``: min_x max_y xᵀAy, the canonical game on which simultaneous gradient descent-ascent
  spirals outwards (Goodfellow, "NIPS 2016 Tutorial: Generative Adversarial Networks", 2016;
  Gidel et al., "Negative Momentum for Improved Game Dynamics", AISTATS 2019).
- ``quadratic``: a random (strongly) monotone n-player quadratic game F(z) = Mz + b.
- ``dirac_gan``: the Dirac-GAN of Mescheder, Geiger & Nowozin, "Which Training Methods for GANs do
  actually Converge?" (ICML 2018): generator p_θ = δ_θ, discriminator D_ψ(x) = ψx, data δ_0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import brentq

from ...errors import InvalidGameError, InvalidParameterError
from ...registry import register_game
from ..continuous import DifferentiableGame, QuadraticGame


def _box(bound: Any) -> Any:
    if bound is None:
        return None
    try:
        b = float(bound)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"bound must be a positive number, got {bound!r}") from None
    if not b > 0:
        raise InvalidParameterError(f"bound must be a positive number, got {bound!r}")
    return (-b, b)


@register_game("bilinear", family="continuous")
def bilinear(matrix: Any = None, dim: int = 1, seed: int | None = None, bound: float | None = None,
             start: float = 1.0) -> QuadraticGame:
    """Zero-sum bilinear game ℓ_1 = xᵀAy = −ℓ_2 (x minimises, y maximises); equilibrium x = y = 0.

    ``matrix`` is A (default: the identity of size ``dim``, or a standard Gaussian matrix when
    ``seed`` is given). ``bound`` restricts both players to the box [−bound, bound]^d.
    Learners start from x = y = ``start`` (all ones by default). F(z) = (Ay, −Aᵀx) and
    J = [[0, A], [−Aᵀ, 0]], whose eigenvalues ±iσ_k(A) are purely imaginary.
    """
    if matrix is not None:
        A = np.array(matrix, dtype=float)
        if A.ndim == 0:
            A = A.reshape(1, 1)
        if A.ndim != 2 or A.size == 0 or not np.all(np.isfinite(A)):
            raise InvalidGameError(f"matrix must be a finite 2-D array, got {matrix!r}")
    else:
        if int(dim) != dim or dim < 1:
            raise InvalidParameterError(f"dim must be a positive integer, got {dim!r}")
        dim = int(dim)
        A = np.eye(dim) if seed is None else np.random.default_rng(seed).standard_normal((dim, dim))
    m, k = A.shape
    D = m + k
    Q1 = np.zeros((D, D))
    Q1[:m, m:] = A
    Q1[m:, :m] = A.T
    init = [np.full(m, float(start)), np.full(k, float(start))]
    box = _box(bound)
    if box is not None:
        init = [np.clip(v, *box) for v in init]
    return QuadraticGame(np.stack([Q1, -Q1]), dims=(m, k), bounds=box, initial=init,
                         equilibrium=[np.zeros(m), np.zeros(k)],
                         title=f"bilinear {m}x{k}" + (f" on [-{bound}, {bound}]" if box else ""))


@register_game("quadratic", family="continuous")
def quadratic(dims: Any = (2, 2), mu: float = 0.5, rotation: float = 1.0, seed: int = 0,
              bound: float | None = None) -> QuadraticGame:
    """A random monotone quadratic game with field F(z) = Mz + b, sym(M) ⪰ μI (strongly monotone for μ > 0).

    M = μI + SᵀS/D + rotation · (K − Kᵀ)/2 with S, K standard Gaussian (seeded), so the skew part
    (the "rotational" interaction that defeats simultaneous gradient descent) is scaled by
    ``rotation``; b is Gaussian. Unconstrained, the unique Nash equilibrium is z* = −M⁻¹b (Rosen
    1965); ``bound`` adds the box [−bound, bound] for every player. Learners start at z = 0.
    """
    mu = float(mu)
    if not np.isfinite(mu) or mu < 0:
        raise InvalidParameterError(f"mu must be >= 0, got {mu!r}")
    dims_t = tuple(int(d) for d in np.atleast_1d(dims))
    if any(d < 1 for d in dims_t):
        raise InvalidParameterError(f"dims must be positive integers, got {dims!r}")
    D = sum(dims_t)
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((D, D))
    K = rng.standard_normal((D, D))
    M = mu * np.eye(D) + S.T @ S / D + float(rotation) * 0.5 * (K - K.T)
    # Diagonal blocks are Hessians of the players' own losses and must be symmetric: move their
    # skew part (which cancels in zᵢᵀM_iiz_i anyway) out of M by symmetrising them.
    off = np.concatenate([[0], np.cumsum(dims_t)])
    for i in range(len(dims_t)):
        s = slice(off[i], off[i + 1])
        M[s, s] = 0.5 * (M[s, s] + M[s, s].T)
    b = rng.standard_normal(D)
    box = _box(bound)
    eq = None if box is not None else np.linalg.solve(M, -b)
    return QuadraticGame.from_field(M, b, dims=dims_t, bounds=box, initial=np.zeros(D),
                                    equilibrium=eq, title=f"monotone quadratic (mu={mu:g})")


def _f_standard(t: np.ndarray) -> tuple[Any, Any, Any]:
    """f(t) = −log(1 + e^{−t}) and its first two derivatives (the GAN objective's f)."""
    f = -np.logaddexp(0.0, -t)
    s = 0.5 * (1.0 + np.tanh(-0.5 * t))  # σ(−t), computed without overflow
    return f, s, -s * (1.0 - s)


def _f_wasserstein(t: np.ndarray) -> tuple[Any, Any, Any]:
    return t, np.ones_like(t), np.zeros_like(t)


@register_game("dirac_gan", family="continuous")
def dirac_gan(loss: str = "standard", gamma: float = 0.0, bound: float | None = None,
              start: tuple[float, float] = (1.0, 1.0)) -> DifferentiableGame:
    """Dirac-GAN (Mescheder et al., ICML 2018): L(θ, ψ) = f(ψθ) + f(0); θ minimises, ψ maximises.

    ``loss="standard"`` uses f(t) = −log(1 + e^{−t}) (the original GAN), ``"wasserstein"`` f(t) = t.
    ``gamma`` > 0 adds the discriminator's R1 gradient penalty (γ/2)ψ² (the paper's Sec. 4.1), which
    makes (0, 0) locally attracting for gradient descent: the losses are ℓ_θ = f(ψθ) and
    ℓ_ψ = −f(ψθ) − f(0) + (γ/2)ψ². F = (ψf'(ψθ), −θf'(ψθ) + γψ); at the equilibrium (0, 0) the
    Jacobian is [[0, f'(0)], [−f'(0), γ]], purely imaginary eigenvalues ±i f'(0) when γ = 0.
    """
    fs = {"standard": _f_standard, "wasserstein": _f_wasserstein}
    if loss not in fs:
        raise InvalidParameterError(f"loss must be 'standard' or 'wasserstein', not {loss!r}")
    f = fs[loss]
    g = float(gamma)
    if not np.isfinite(g) or g < 0:
        raise InvalidParameterError(f"gamma must be >= 0, got {gamma!r}")
    f0 = float(f(np.array(0.0))[0])

    def losses(zs: list[np.ndarray]) -> np.ndarray:
        th, ps = zs[0][0], zs[1][0]
        v = float(f(np.array(ps * th))[0])
        return np.array([v + f0, -v - f0 + 0.5 * g * ps * ps])

    def field(zs: list[np.ndarray]) -> np.ndarray:
        th, ps = zs[0][0], zs[1][0]
        _, d1, _ = f(np.array(ps * th))
        return np.array([ps * d1, -th * d1 + g * ps])

    def jac(zs: list[np.ndarray]) -> np.ndarray:
        th, ps = zs[0][0], zs[1][0]
        _, d1, d2 = f(np.array(ps * th))
        return np.array([[ps * ps * d2, d1 + ps * th * d2],
                         [-d1 - th * ps * d2, -th * th * d2 + g]])

    box = _box(bound)
    lo, hi = box if box is not None else (-np.inf, np.inf)

    def best_response(i: int, zs: list[np.ndarray]) -> tuple[np.ndarray, float]:
        """Exact: f is increasing and concave, so the generator's loss f(ψθ) is monotone in θ and the
        discriminator's −f(ψθ) + (γ/2)ψ² is convex in ψ (strictly when γ > 0)."""
        th, ps = zs[0][0], zs[1][0]
        other = ps if i == 0 else th
        sign = 1.0 if i == 0 else -1.0  # the generator minimises f(ψθ), the discriminator −f(ψθ)
        if i == 1 and g > 0:
            # h'(ψ) = −θf'(ψθ) + γψ is increasing; its root, clipped to the box, is the minimiser
            dh = lambda p: -th * float(f(np.array(p * th))[1]) + g * p
            r = abs(th) / g + 1.0  # |θ f'| ≤ |θ| for both losses, so the root lies in [−r, r]
            u = brentq(dh, -r, r, xtol=1e-15) if dh(-r) < 0 < dh(r) else 0.0
            u = float(np.clip(u, lo, hi))
            return np.array([u]), float(losses([np.array([th]), np.array([u])])[1])
        if other == 0.0:
            u = float(np.clip(0.0, lo, hi))
        else:  # minimise sign·f(other·u): push other·u to the end of its range that sign favours
            u = lo if sign * other > 0 else hi
        if not np.isfinite(u):
            t = np.copysign(np.inf, other * u)  # other·u at the chosen end of the range
            val = sign * (float(f(np.array(t))[0]) + f0)
            return np.array([u]), val if np.isfinite(val) else -np.inf
        zz = [np.array([u]), np.array([ps])] if i == 0 else [np.array([th]), np.array([u])]
        return np.array([u]), float(losses(zz)[i])

    init = [np.array([float(start[0])]), np.array([float(start[1])])]
    if box is not None:
        init = [np.clip(v, *box) for v in init]
    return DifferentiableGame(losses, (1, 1), gradient=field, jacobian=jac, bounds=box, initial=init,
                              best_response=best_response,
                              equilibrium=[np.zeros(1), np.zeros(1)],
                              title=f"Dirac-GAN ({loss}, gamma={g:g})")
