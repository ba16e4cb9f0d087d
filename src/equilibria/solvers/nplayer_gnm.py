"""``gnm``: the global Newton method of Govindan & Wilson for n-player games.

Perturb the game by a bonus λ·b_i(a) to each player's pure strategies. Through the Kohlberg-Mertens
homeomorphism z ↦ σ = r(z) (r_i the Euclidean projection of z_i onto player i's simplex), the
equilibria of the perturbed games form the zero set of

    H(z, λ) = z − r(z) − V(r(z)) − λ b,        V_i(σ)(a) = u_i(a, σ_{-i}),

a piecewise-smooth curve in (z, λ) (Govindan & Wilson 2003, from Kohlberg & Mertens' structure
theorem). For λ large the perturbed game has a unique equilibrium (every player plays the maximiser of
b_i); the method follows the curve from there, and every time λ crosses 0 the point is an equilibrium
of the game itself. The curve is followed by predictor-corrector continuation with its orientation
fixed by the sign of the determinant of the Jacobian bordered by the tangent (the "global Newton"
orientation of Smale, "A convergent process of price adjustment and global Newton methods",
J. Math. Econ. 1976), which keeps the direction through the kinks where a support changes.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_real
from ..errors import InvalidParameterError, SolverError
from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv
from ..ops import project_simplex
from ..registry import register_method
from ..solution import Solution
from .nplayer_common import deviation_batch, pair_batch, payoff_range, polish


class _Curve:
    """H(z, λ) and its Jacobian for payoffs ``U`` (range 1) and perturbation ``b`` (a flat vector)."""

    def __init__(self, U: np.ndarray, sizes: tuple[int, ...], b: np.ndarray):
        self.U, self.sizes, self.b = U, sizes, b
        self.off = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.K = int(self.off[-1])

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        return [x[self.off[i]:self.off[i + 1]] for i in range(len(self.sizes))]

    def sigma(self, z: np.ndarray) -> list[np.ndarray]:
        return [project_simplex(zi) for zi in self.split(z)]

    def H(self, w: np.ndarray) -> np.ndarray:
        z, lam = w[:-1], w[-1]
        sig = self.sigma(z)
        V = np.concatenate([d[0] for d in deviation_batch(self.U, [s[None] for s in sig])])
        return z - np.concatenate(sig) - V - lam * self.b

    def J(self, w: np.ndarray) -> np.ndarray:
        """``[I − (I + DV(σ)) Dr(z) | −b]``, Dr the (block-diagonal) Jacobian of the projection."""
        z = w[:-1]
        sig = self.sigma(z)
        n, K, off = len(sig), self.K, self.off
        Dr = np.zeros((K, K))
        for i, s in enumerate(sig):
            S = np.flatnonzero(s > 0) + off[i]
            Dr[np.ix_(S, S)] = np.eye(len(S)) - 1.0 / len(S)
        DV = np.zeros((K, K))
        batch = [s[None] for s in sig]
        for i in range(n):
            for j in range(n):
                if i != j:
                    DV[off[i]:off[i + 1], off[j]:off[j + 1]] = pair_batch(self.U, batch, i, j)[0]
        out = np.empty((K, K + 1))
        out[:, :K] = np.eye(K) - (np.eye(K) + DV) @ Dr
        out[:, K] = -self.b
        return out


def _tangent(J: np.ndarray, sign: float | None) -> tuple[np.ndarray, float]:
    """The unit null vector t of J, oriented so that det [J; tᵀ] has the sign ``sign`` (set if None)."""
    Q, _ = np.linalg.qr(J.T, mode="complete")
    t = Q[:, -1]
    d = np.sign(np.linalg.det(np.vstack([J, t])))
    if sign is None:
        return t, d
    return (t if d == sign else -t), sign


def _newton(curve: _Curve, w: np.ndarray, fixed_lam: bool, tol: float = 1e-12, iters: int = 30
            ) -> np.ndarray | None:
    """Gauss-Newton (Moore-Penrose) onto the curve, or Newton in z at fixed λ."""
    w = w.copy()
    for _ in range(iters):
        H = curve.H(w)
        if np.abs(H).max() <= tol:
            return w
        J = curve.J(w)
        try:
            if fixed_lam:
                w[:-1] -= np.linalg.solve(J[:, :-1], H)
            else:
                w -= np.linalg.lstsq(J, H, rcond=None)[0]
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(w)):
            return None
    return w if np.abs(curve.H(w)).max() <= 1e3 * tol else None


def _perturbation(game: NormalFormGame, perturbation: Any) -> np.ndarray:
    if perturbation is None:
        return np.concatenate([np.eye(k)[0] for k in game.num_actions])
    try:
        parts = [np.asarray(p, dtype=float) for p in perturbation]
    except (TypeError, ValueError):
        raise InvalidParameterError("perturbation must be one list of numbers per player") from None
    if len(parts) != game.num_players or any(p.shape != (k,) for p, k in zip(parts, game.num_actions,
                                                                            strict=False)):
        raise InvalidParameterError(f"perturbation must hold one vector per player of lengths "
                                    f"{list(game.num_actions)}")
    for i, p in enumerate(parts):
        if not np.all(np.isfinite(p)) or np.sum(p == p.max()) != 1:
            raise InvalidParameterError(f"perturbation of player {i + 1} must be finite with a unique "
                                        "largest entry (it selects the starting pure strategy)")
    b = np.concatenate(parts)
    return b / np.abs(b).max()


@register_method("gnm", families=("normal_form",), certified=False)
def gnm(game: NormalFormGame, *, perturbation: Any = None, end_lambda: float = -1.0,
        max_steps: int = 1000, step_size: float = 0.5, tol: float | None = None) -> list[Solution]:
    """The equilibria that the global Newton method meets on the path from one perturbation ray.

    Govindan & Wilson, "A global Newton method to compute Nash equilibria", Journal of Economic
    Theory 2003; the perturbation and ``end_lambda`` as in Gambit's ``gnm``.

    1. Scale the payoffs to range 1. b = ``perturbation`` (default: 1 on each player's first
       strategy, 0 elsewhere, Gambit's default), scaled to max |b| = 1.
    2. Start at λ₀ = 2 / (the smallest gap between a player's largest and second-largest b) (past
       1 / gap the maximisers a* of b are a strict equilibrium of the perturbed game) with σ = a*,
       z = σ + V(σ) + λ₀ b.
    3. Predictor: w ← w + h t, t the unit tangent (null vector of DH) with the orientation of the start
       (sign of det [DH; tᵀ] kept constant); corrector: Gauss-Newton with the Moore-Penrose inverse.
       A step whose corrector does not contract, or that turns by more than ~18°, is halved; an
       accepted one doubles h (up to ``step_size``).
    4. When λ changes sign between two points, solve H(z, 0) = 0 in z by Newton's method from the
       interpolated point; σ = r(z) is polished on its support and kept if its NashConv is at most
       ``tol`` (default 1e-9 times the payoff range).
    5. Stop when λ < ``end_lambda`` (in units of the payoff range; Gambit's default -10 is in its own
       units) or after ``max_steps`` accepted steps; ``info["final_lambda"]`` tells how far it got.
       Equilibria beyond that point of the path are not found (the path may wander far below 0).

    Simplifications: Govindan & Wilson step exactly from support cell to support cell (H is linear in
    z inside a cell up to the multilinear V); here a generic predictor-corrector with step halving
    crosses the kinks, which is slower but follows the same curve. Each equilibrium found is one
    Solution with ``info["crossing"]`` (the index of its crossing of λ = 0 along the path) and
    ``info["crossings"]``, the number of crossings in all: odd when the path ends below λ = 0, as it
    starts above it (the structure theorem's path is a single arc).
    """
    t0 = time.perf_counter()
    end_lambda = check_real("end_lambda", end_lambda, minimum=-1e6, maximum=-1e-9)
    max_steps = check_int("max_steps", max_steps, minimum=1, maximum=10**8)
    step_size = check_positive("step_size", step_size, maximum=1.0)
    rng = payoff_range(game)
    tol_f = 1e-9 * max(rng, 1e-300) if tol is None else check_positive("tol", tol)
    b = _perturbation(game, perturbation)
    sizes = tuple(game.num_actions)
    if rng == 0.0:
        prof = [np.eye(k)[0] for k in sizes]
        return [Solution(prof, game.expected_payoffs(prof), "gnm", info={"steps": 0})]
    curve = _Curve(game.payoffs / rng, sizes, b)
    gaps = [np.diff(np.sort(bi))[-1] for bi in curve.split(b) if len(bi) > 1]
    lam0 = 2.0 / min(gaps) if gaps else 2.0
    sig0 = [np.eye(k)[int(np.argmax(bi))] for k, bi in zip(sizes, curve.split(b), strict=True)]
    V0 = np.concatenate([d[0] for d in deviation_batch(curve.U, [s[None] for s in sig0])])
    w = np.concatenate([np.concatenate(sig0) + V0 + lam0 * b, [lam0]])
    t, sign = _tangent(curve.J(w), None)
    if t[-1] > 0:  # start with λ decreasing
        sign, t = -sign, -t
    h = step_size
    found: list[tuple[list[np.ndarray], dict[str, Any]]] = []
    steps = crossings = 0
    while w[-1] > end_lambda:
        if steps >= max_steps:
            break
        if h < 1e-13:
            raise SolverError(f"gnm: lost the path at λ = {w[-1]:.4g} after {steps} steps")
        cand = _newton(curve, w + h * t, fixed_lam=False, iters=6)
        if cand is None or np.abs(cand - w - h * t).max() > 0.5 * h:
            h *= 0.5
            continue
        t_new, _ = _tangent(curve.J(cand), sign)
        if t_new @ t < 0.95:
            h *= 0.5
            # a kink (a support changes) turns the tangent however small the step: once the step is
            # tiny the turn is the kink's, not a jump to another branch
            if h > 1e-6 * step_size:
                continue
        steps += 1
        if (w[-1] > 0) != (cand[-1] > 0):
            crossings += 1
            frac = w[-1] / (w[-1] - cand[-1])
            wz = _newton(curve, w + frac * (cand - w), fixed_lam=True)
            if wz is not None:
                prof, _ = polish(game, curve.sigma(wz[:-1]))
                if float(nash_conv(game, prof)) <= tol_f and not any(
                        max(float(np.abs(p - q).max()) for p, q in zip(prof, f, strict=True)) <= 1e-7
                        for f, _ in found):
                    found.append((prof, {"crossing": crossings, "step": steps}))
        w, t = cand, t_new
        h = min(2.0 * h, step_size)
    if not found:
        raise SolverError(f"gnm: the path reached λ = {w[-1]:.4g} after {steps} steps without crossing "
                          "λ = 0 at a certified equilibrium; try another perturbation")
    seconds = time.perf_counter() - t0
    return [Solution(p, game.expected_payoffs(p), "gnm", iterations=steps, seconds=seconds,
                     info={**info, "steps": steps, "crossings": crossings, "final_lambda": float(w[-1])})
            for p, info in found]
