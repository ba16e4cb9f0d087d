"""Best responses, NashConv, gradient norm and distances for differentiable (continuous) games.

Player i's gain at z is ``ℓ_i(z) − inf_{u ∈ Z_i} ℓ_i(u, z_{−i})`` (payoffs are minus losses, so this
is the metrics core's ``max u_i − u_i``). How it is computed:

- `QuadraticGame` (bilinear and quadratic built-ins): player i minimises u ↦ ½uᵀH_i u + c_iᵀu
  over its box, *exactly*:
  - H_i = 0 (bilinear): a linear program over a box, solved coordinate-wise at a vertex
    (u_k = lo_k if c_k > 0, hi_k if c_k < 0); on an unbounded side the infimum is −∞.
  - H_i ≻ 0: unconstrained, u* = −H_i⁻¹c_i and the gain is the Newton decrement ½ gᵀH_i⁻¹g with
    g = ∇_i ℓ_i(z); on a box, a bounded-variable least-squares problem after the Cholesky factor
    H_i = RᵀR (½‖Ru + R⁻ᵀc‖² up to a constant), solved by the finite active-set BVLS method
    (Stark & Parker, "Bounded-variable least-squares", Computational Statistics 1995).
  - otherwise (H_i singular or indefinite): unconstrained, the infimum is −∞ unless H_i ⪰ 0 and
    c_i ∈ range(H_i); on a box we fall back to L-BFGS-B (exact up to tolerance when H_i ⪰ 0).
- A game built with an exact ``best_response`` hook (the Dirac-GAN built-in) uses it.
- Any other `DifferentiableGame`: L-BFGS-B (Byrd, Lu, Nocedal & Zhu, SIAM J. Sci. Comput. 1995)
  on ℓ_i(·, z_{−i}) over the box, started from z_i and from the box centre. This is *approximate*:
  it finds a local minimum, so the reported gain is a lower bound on the true one (exact when ℓ_i
  is convex in z_i). When the search runs off to infinity (|u| > 1e6 (1 + |z_i|)) or the loss goes
  non-finite, the loss is taken to be unbounded below and the gain is +inf.

Unconstrained games therefore have *infinite* gains away from equilibrium whenever a player's loss
is unbounded below in its own strategy (every bilinear game): xᵀAy can be driven to −∞ by x
unless Ay = 0. NashConv is then 0 exactly at a stationary point and +inf elsewhere, which is the
truth but not a useful progress measure; use `gradient_norm` ‖F(z)‖ (zero exactly at stationary
points) or `distance_to` a known equilibrium, or add a box (``bilinear(bound=1)``) to get finite,
informative NashConv values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import NotApplicableError
from ..games.continuous import DifferentiableGame, QuadraticGame
from .core import best_response, best_response_values, deviation_gains


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("continuous games are evaluated in floating point; drop --exact")


def _min_linear_box(c: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, float]:
    """argmin and min of cᵀu over lo ≤ u ≤ hi (−inf when unbounded below)."""
    u = np.where(c > 0, lo, np.where(c < 0, hi, np.clip(0.0, lo, hi)))
    with np.errstate(invalid="ignore"):
        terms = np.where(c == 0, 0.0, c * u)
    val = float(terms.sum())
    u = np.where(np.isfinite(u), u, np.sign(-c) * 1e300)
    return u, val


def _box_centre(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    both = np.isfinite(lo) & np.isfinite(hi)
    return np.clip(np.where(both, 0.5 * (np.where(both, lo, 0.0) + np.where(both, hi, 0.0)), 0.0), lo, hi)


def _lbfgsb(fun: Any, jac: Any, x0s: list[np.ndarray], lo: np.ndarray, hi: np.ndarray,
            scale: float) -> tuple[np.ndarray, float]:
    bnds = list(zip(np.where(np.isfinite(lo), lo, None), np.where(np.isfinite(hi), hi, None), strict=True))
    best_u, best_v = x0s[0], float(fun(x0s[0]))
    for x0 in x0s:
        with np.errstate(all="ignore"):
            from scipy.optimize import minimize

            res = minimize(fun, x0, jac=jac, method="L-BFGS-B", bounds=bnds,
                           options={"maxiter": 500, "ftol": 1e-15, "gtol": 1e-12})
        u, v = np.asarray(res.x, dtype=float), float(res.fun)
        if not np.isfinite(v) or not np.all(np.isfinite(u)) or np.abs(u).max(initial=0.0) > 1e6 * scale:
            return u, -np.inf
        if v < best_v:
            best_u, best_v = u, v
    return best_u, best_v


def _quadratic_br(game: QuadraticGame, z: np.ndarray, i: int) -> tuple[np.ndarray, float, float]:
    """(argmin, min, current value) of player i's own-block quadratic q(u) = ½uᵀHu + cᵀu."""
    H, c = game.own_quadratic(i, z)
    s = game.block(i)
    lo, hi, zi = game.lower[s], game.upper[s], z[s]
    cur = float(0.5 * zi @ H @ zi + c @ zi)
    if not np.any(H):
        u, val = _min_linear_box(c, lo, hi)
        return u, val, cur
    bounded = np.isfinite(lo).any() or np.isfinite(hi).any()
    try:
        R = np.linalg.cholesky(H).T  # H = RᵀR, R upper triangular
    except np.linalg.LinAlgError:
        R = None
    if R is not None:
        if not bounded:
            u = -np.linalg.solve(H, c)
        else:
            d = -np.linalg.solve(R.T, c)
            from scipy.optimize import lsq_linear

            u = lsq_linear(R, d, bounds=(lo, hi), method="bvls", tol=1e-14).x
            u = np.clip(u, lo, hi)
        return u, float(0.5 * u @ H @ u + c @ u), cur
    if not bounded:
        w = np.linalg.eigvalsh(H)
        if w[0] < -1e-12 * max(1.0, abs(w[-1])):
            return np.full_like(zi, np.nan), -np.inf, cur
        u = -np.linalg.lstsq(H, c, rcond=None)[0]
        if np.linalg.norm(H @ u + c) > 1e-9 * max(1.0, np.linalg.norm(c)):
            return u, -np.inf, cur
        return u, float(0.5 * u @ H @ u + c @ u), cur
    fun = lambda u: 0.5 * u @ H @ u + c @ u
    jac = lambda u: H @ u + c
    mid = _box_centre(lo, hi)
    u, val = _lbfgsb(fun, jac, [zi, mid], lo, hi, 1.0 + np.abs(zi).max(initial=0.0))
    return u, val, cur


def _generic_br(game: DifferentiableGame, z: np.ndarray, i: int) -> tuple[np.ndarray, float, float]:
    s = game.block(i)
    if game._best_response is not None:  # the game knows its players' exact best responses
        u, val = game._best_response(i, game.split(z))
        return np.asarray(u, dtype=float), float(val), float(game._losses_flat(z)[i])
    lo, hi, zi = game.lower[s], game.upper[s], z[s]

    def at(u: np.ndarray) -> np.ndarray:
        w = z.copy()
        w[s] = u
        return w

    def fun(u: np.ndarray) -> float:
        v = game._losses_flat(at(u))[i]
        return float(v) if np.isfinite(v) else np.inf

    def jac(u: np.ndarray) -> np.ndarray:
        return game._field(at(u))[s]

    cur = float(game._losses_flat(z)[i])
    mid = _box_centre(lo, hi)
    u, val = _lbfgsb(fun, jac, [zi, mid], lo, hi, 1.0 + np.abs(zi).max(initial=0.0))
    return u, min(val, cur), cur


def _best_response_all(game: DifferentiableGame, profile: Any) -> list[tuple[np.ndarray, float, float]]:
    z = game.flatten(profile)
    br = _quadratic_br if isinstance(game, QuadraticGame) else _generic_br
    return [br(game, z, i) for i in range(game.num_players)]


@deviation_gains.register
def _gains_continuous(game: DifferentiableGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """g_i = ℓ_i(z) − inf_{u ∈ Z_i} ℓ_i(u, z_{−i}) ≥ 0 (exact for quadratic games; see the module doc)."""
    _no_exact(exact)
    gains = np.array([cur - val for _, val, cur in _best_response_all(game, profile)])
    # a tiny negative number is rounding: a best response never loses
    return np.maximum(gains, 0.0)


@best_response_values.register
def _br_values_continuous(game: DifferentiableGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """v_i = sup_u u_i(u, z_{−i}) = −inf_u ℓ_i(u, z_{−i}) (up to player i's terms that do not involve z_i)."""
    _no_exact(exact)
    z = game.flatten(profile)
    own = game._losses_flat(z)
    brs = _best_response_all(game, profile)
    return np.array([-(own[i] - (cur - val)) for i, (_, val, cur) in enumerate(brs)])


@best_response.register
def _br_continuous(game: DifferentiableGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """A minimiser of ``player``'s loss over its box, the others fixed (±1e300 entries when unbounded):
    the player's block of the joint vector, shape ``(dims[player],)``."""
    _no_exact(exact)
    from .._checks import check_int

    player = check_int("player", player, minimum=0, maximum=game.num_players - 1)
    z = game.flatten(profile)
    br = _quadratic_br if isinstance(game, QuadraticGame) else _generic_br
    u, val, _ = br(game, z, player)
    return u


def gradient_norm(game: DifferentiableGame, profile: Any) -> float:
    """‖F(z)‖₂, the norm of the simultaneous gradient: zero exactly at stationary points."""
    return float(np.linalg.norm(game.vector_field(profile)))


def projected_gradient_norm(game: DifferentiableGame, profile: Any, step: float = 1.0) -> float:
    """‖z − Π(z − sF(z))‖₂ / s: the natural residual of the box-constrained variational inequality.

    Zero exactly at solutions of the VI (Nash equilibria when each loss is convex in its own block);
    equal to ‖F(z)‖ for an unconstrained game.
    """
    z = game.flatten(profile)
    return float(np.linalg.norm(z - game.project(z - step * game.vector_field(z))) / step)


def _flat(profile: Any) -> np.ndarray:
    if isinstance(profile, np.ndarray) and profile.dtype != object:
        return profile.astype(float).ravel()
    return np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in profile])


def distance_to(profile: Any, reference: Any) -> float:
    """Euclidean distance ‖z − z*‖₂ between two profiles (lists of per-player vectors, or flat)."""
    a, b = _flat(profile), _flat(reference)
    if a.shape != b.shape:
        raise NotApplicableError(f"profiles of different sizes ({a.size} and {b.size}) have no distance")
    return float(np.linalg.norm(a - b))
