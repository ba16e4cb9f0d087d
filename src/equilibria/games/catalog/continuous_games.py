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

from ..._checks import check_choice, check_int, check_real, check_seed
from ...errors import InvalidGameError, InvalidParameterError
from ...registry import register_game
from ..continuous import DifferentiableGame, QuadraticGame
from ._limits import check_bytes

#: largest coordinate magnitude (bounds, starting points, matrix entries): products of a few such
#: numbers, as in losses and best-response values, stay finite in floats
MAX_COORD = 1e50


def _box(bound: Any) -> Any:
    if bound is None:
        return None
    b = check_real("bound", bound, minimum=0.0, strict_minimum=True, maximum=MAX_COORD)
    return (-b, b)


def _coord(name: str, value: Any) -> float:
    return check_real(name, value, minimum=-MAX_COORD, maximum=MAX_COORD)


def _seed(seed: Any) -> int | None:
    return check_seed("seed", seed)


def _check_dimension(what: str, D: int) -> None:
    """A quadratic game of total dimension D holds a few (D, D) float matrices per player."""
    check_bytes(what, 8 * 8 * D * D)


@register_game("bilinear", family="continuous")
def bilinear(matrix: Any = None, dim: int = 1, seed: int | None = None, bound: float | None = None,
             start: float = 1.0) -> QuadraticGame:
    """Zero-sum bilinear game ℓ_1 = xᵀAy = −ℓ_2 (x minimises, y maximises); equilibrium x = y = 0.

    ``matrix`` is A (default: the identity of size ``dim``, or a standard Gaussian matrix when
    ``seed`` is given). ``bound`` restricts both players to the box [−bound, bound]^d.
    Learners start from x = y = ``start`` (all ones by default). F(z) = (Ay, −Aᵀx) and
    J = [[0, A], [−Aᵀ, 0]], whose eigenvalues ±iσ_k(A) are purely imaginary.
    """
    seed = _seed(seed)
    start = _coord("start", start)
    box = _box(bound)
    if matrix is not None:
        if isinstance(matrix, str | bytes | dict | bool | np.bool_):
            raise InvalidParameterError(f"matrix must be a finite 2-D array of numbers, got {matrix!r}")
        try:
            A = np.array(matrix, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InvalidParameterError(
                f"matrix must be a finite 2-D array of numbers, got {matrix!r}"
            ) from None
        if A.ndim == 0:
            A = A.reshape(1, 1)
        if A.ndim != 2 or A.size == 0 or not np.all(np.abs(A) <= MAX_COORD):
            raise InvalidGameError(
                f"matrix must be a non-empty 2-D array of finite numbers of magnitude at most {MAX_COORD:g}, "
                f"got {matrix!r}"
            )
        _check_dimension("bilinear(matrix=...)", A.shape[0] + A.shape[1])
    else:
        dim = check_int("dim", dim, minimum=1)
        _check_dimension(f"bilinear(dim={dim})", 2 * dim)
        A = np.eye(dim) if seed is None else np.random.default_rng(seed).standard_normal((dim, dim))
    m, k = A.shape
    D = m + k
    Q1 = np.zeros((D, D))
    Q1[:m, m:] = A
    Q1[m:, :m] = A.T
    init = [np.full(m, start), np.full(k, start)]
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
    mu = check_real("mu", mu, minimum=0.0, maximum=MAX_COORD)
    rotation = check_real("rotation", rotation, minimum=-MAX_COORD, maximum=MAX_COORD)
    seed = _seed(seed)
    if isinstance(dims, list | tuple):
        if not dims:
            raise InvalidParameterError("dims must list at least one player's dimension")
        dims_t = tuple(check_int(f"dims[{i}]", d, minimum=1) for i, d in enumerate(dims))
    else:
        dims_t = (check_int("dims", dims, minimum=1),)
    D = sum(dims_t)
    _check_dimension(f"quadratic(dims={dims!r})", D)
    box = _box(bound)
    rng = np.random.default_rng(seed)
    S = rng.standard_normal((D, D))
    K = rng.standard_normal((D, D))
    M = mu * np.eye(D) + S.T @ S / D + rotation * 0.5 * (K - K.T)
    # Diagonal blocks are Hessians of the players' own losses and must be symmetric: move their
    # skew part (which cancels in zᵢᵀM_iiz_i anyway) out of M by symmetrising them.
    off = np.concatenate([[0], np.cumsum(dims_t)])
    for i in range(len(dims_t)):
        s = slice(off[i], off[i + 1])
        M[s, s] = 0.5 * (M[s, s] + M[s, s].T)
    b = rng.standard_normal(D)
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
    f = fs[check_choice("loss", loss, tuple(fs))]
    g = check_real("gamma", gamma, minimum=0.0, maximum=MAX_COORD)
    if isinstance(start, str | bytes | dict) or not hasattr(start, "__len__") or len(start) != 2:
        raise InvalidParameterError(f"start must be a pair (theta, psi) of numbers, got {start!r}")
    start = (_coord("start[0]", start[0]), _coord("start[1]", start[1]))
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
            from scipy.optimize import brentq  # lazy: scipy.optimize is slow to import

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

    init = [np.array([start[0]]), np.array([start[1]])]
    if box is not None:
        init = [np.clip(v, *box) for v in init]
    return DifferentiableGame(losses, (1, 1), gradient=field, jacobian=jac, bounds=box, initial=init,
                              best_response=best_response,
                              equilibrium=[np.zeros(1), np.zeros(1)],
                              title=f"Dirac-GAN ({loss}, gamma={g:g})")
