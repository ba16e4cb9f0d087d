"""Logit quantal response equilibria and the logit path to a Nash equilibrium of an n-player game.

A logit quantal response equilibrium at precision λ ≥ 0 (McKelvey & Palfrey, "Quantal response
equilibria for normal form games", Games Econ. Behav. 1995) is a profile σ with

    σ_i(a) ∝ exp(λ · u_i(a, σ_{-i}))     for every player i and action a.

At λ = 0 it is the uniform profile; as λ → ∞ the principal branch of the correspondence converges,
for generic games, to a Nash equilibrium (the "logit solution"). Following that branch is a
homotopy method (Turocy, "A dynamic homotopy interpretation of the logistic quantal response
equilibrium correspondence", Games Econ. Behav. 2005). In log-probabilities z = log σ the branch
is the zero set of

    H_i0 = Σ_a exp(z_i(a)) − 1,
    H_ia = z_i(a) − z_i(0) − λ (d_i(a) − d_i(0)),   a ≥ 1,   d_i(a) = u_i(a, σ_{-i}),

a curve in (z, λ) traced by predictor-corrector continuation (Allgower & Georg, *Introduction to
Numerical Continuation Methods*, SIAM 2003): an Euler step along the tangent (the null vector of
the Jacobian, from a QR factorisation) and Gauss-Newton corrections with the Moore-Penrose inverse,
with arc-length step control by the contraction of the corrector. Log-probabilities keep the
actions that vanish in the limit well scaled (their z falls linearly in λ).

The Jacobian is analytic: ``∂d_i(a)/∂σ_j(b) = u_i(a, b, σ_{-ij})``, the payoff tensor contracted
against every player but i and j.

Certification: along the way the path's profile is refined by Newton's method on the Nash
conditions of its apparent support (equal payoffs on the support, probabilities summing to one;
the support-enumeration equations of e.g. McKelvey & McLennan, "Computation of equilibria in
finite games", Handbook of Comp. Econ. 1996). A refined profile is returned only when its NashConv,
measured by the metrics core, is at most ``tol``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_bool, check_int, check_positive, check_real
from ..errors import InvalidParameterError, SolverError
from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv
from ..registry import register_method
from ..solution import Solution

# ---- tensor helpers on normalised payoffs -----------------------------------------------------


def _contract_except(t: np.ndarray, sigmas: list[np.ndarray], keep: tuple[int, ...]) -> np.ndarray:
    """Contract the player axes of ``t`` (one per player) with σ_k for every k not in ``keep``."""
    for k in reversed(range(len(sigmas))):
        if k not in keep:
            t = np.tensordot(t, sigmas[k], axes=([k], [0]))
    return t


_ONE = np.ones(1)
#: ``(U, pair matrices)`` of the last payoff tensor (the path calls `_pair_tensors` thousands of times
#: on one); one tuple, swapped whole, so concurrent solves never pair one tensor with another's matrices
_PAIR_CACHE: list = [None]


def _pair_matrices(U: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """``M[i, j]``: player i's payoffs with the axes of i and j first, the others flattened in
    player order, as a C-contiguous (A_i·A_j, Π_{k≠i,j} A_k) matrix; built once per tensor."""
    cached = _PAIR_CACHE[0]
    if cached is not None and cached[0] is U:
        return cached[1]
    n = U.shape[0]
    out = {}
    for i in range(n):
        for j in range(n):
            if i != j:
                m = np.moveaxis(U[i], (i, j), (0, 1))
                out[i, j] = np.ascontiguousarray(m.reshape(m.shape[0] * m.shape[1], -1))
    _PAIR_CACHE[0] = (U, out)
    return out


def _pair_tensors(U: np.ndarray, sigmas: list[np.ndarray]) -> dict[tuple[int, int], np.ndarray]:
    """``T[i, j][a, b] = u_i(a, b, σ_{-ij})`` for every ordered pair i ≠ j: one matrix-vector
    product each, against the outer product of the other players' σ (in player order)."""
    n = len(sigmas)
    M = _pair_matrices(U)
    out = {}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            others = [sigmas[k] for k in range(n) if k != i and k != j]
            w = functools.reduce(np.multiply.outer, others).ravel() if others else _ONE
            out[i, j] = (M[i, j] @ w).reshape(sigmas[i].size, sigmas[j].size)
    return out


def _deviation(U: np.ndarray, sigmas: list[np.ndarray], T: dict | None = None) -> list[np.ndarray]:
    n = len(sigmas)
    if n == 1:
        return [U[0].copy()]
    if T is not None:
        return [T[i, (i + 1) % n] @ sigmas[(i + 1) % n] for i in range(n)]
    return [_contract_except(U[i], sigmas, (i,)) for i in range(n)]


@dataclass
class _Layout:
    sizes: tuple[int, ...]

    @cached_property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.sizes)])

    @property
    def K(self) -> int:
        return int(sum(self.sizes))

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        o = self.offsets
        return [x[o[i]:o[i + 1]] for i in range(len(self.sizes))]

    @cached_property
    def jacobian_base(self) -> np.ndarray:
        """The λ- and σ-free entries of the Jacobian: ``∂(z_a − z_0)/∂z`` on every player's rows."""
        K, off = self.K, self.offsets
        J = np.zeros((K, K + 1))
        for i, k in enumerate(self.sizes):
            rows = np.arange(off[i] + 1, off[i] + k)
            J[rows, rows] = 1.0
            J[rows, off[i]] = -1.0
        return J


# ---- the QRE system H(z, λ) and its Jacobian ------------------------------------------------


def _system(U: np.ndarray, lay: _Layout, w: np.ndarray,
            jac: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """``H(w)`` and its K × (K+1) Jacobian at ``w = (z, λ)``."""
    z, lam = w[:-1], w[-1]
    zs = lay.split(z)
    with np.errstate(over="ignore", invalid="ignore"):
        return _system_at(U, lay, zs, lam, jac)


def _system_at(U: np.ndarray, lay: _Layout, zs: list[np.ndarray], lam: float,
               jac: bool) -> tuple[np.ndarray, np.ndarray | None]:
    sig = [np.exp(zi) for zi in zs]
    n, K, off = len(sig), lay.K, lay.offsets
    T = _pair_tensors(U, sig) if n > 1 else {}
    d = _deviation(U, sig, T if n > 1 else None)
    H = np.empty(K)
    for i in range(n):
        H[off[i]] = sig[i].sum() - 1.0
        H[off[i] + 1:off[i + 1]] = zs[i][1:] - zs[i][0] - lam * (d[i][1:] - d[i][0])
    if not jac:
        return H, None
    J = lay.jacobian_base.copy()
    for i in range(n):
        k, o = lay.sizes[i], off[i]
        J[o, o:o + k] = sig[i]
        if k == 1:
            continue
        J[o + 1:o + k, K] = -(d[i][1:] - d[i][0])
        for j in range(n):
            if j != i:
                Tij = T[i, j]
                J[o + 1:o + k, off[j]:off[j + 1]] = -lam * (Tij[1:] - Tij[0]) * sig[j][None, :]
    return H, J


def _normalised(game: NormalFormGame) -> tuple[np.ndarray, float]:
    """Payoffs divided by the largest payoff range, and that range (λ scales inversely)."""
    u = game.payoffs
    n = game.num_players
    flat = u.reshape(n, -1)
    rng = float((flat.max(axis=1) - flat.min(axis=1)).max())
    return (u / rng if rng > 0 else u.copy()), rng


# ---- path following ----------------------------------------------------------------------------


@dataclass
class LogitPathResult:
    """The endpoint of `logit_qre_path`: a Nash equilibrium with its certificate and path data."""

    profile: list[np.ndarray]
    lam: float
    nash_conv: float
    steps: int
    support: list[np.ndarray]
    path: list[tuple[float, list[np.ndarray]]] = field(default_factory=list)


class _Tracer:
    """Predictor-corrector continuation of the principal logit branch (Allgower & Georg 2003, ch. 2-6)."""

    def __init__(self, U: np.ndarray, lay: _Layout, h0: float = 0.03, max_steps: int = 20000):
        self.U, self.lay = U, lay
        z0 = np.concatenate([np.full(k, -np.log(k)) for k in lay.sizes])
        self.w = np.concatenate([z0, [0.0]])
        self.h = h0
        # step control: the first corrector step must be small relative to the predictor step
        # (curvature · h / 2 ≤ max_offset) and successive tangents nearly parallel, so the
        # corrector cannot jump to a neighbouring branch near a fold
        self.max_offset = 0.05
        self.min_cos = 0.995
        self.max_steps = max_steps
        self.steps = 0
        _, J = _system(U, lay, self.w)
        self.t = self._tangent(J)
        if self.t[-1] < 0:
            self.t = -self.t

    @staticmethod
    def _tangent(J: np.ndarray) -> np.ndarray:
        """The unit null vector of the K × (K+1) Jacobian (QR; used once, at λ = 0)."""
        Q, _ = np.linalg.qr(J.T, mode="complete")
        return Q[:, -1]

    @staticmethod
    def _next_tangent(J: np.ndarray, t: np.ndarray) -> np.ndarray | None:
        """The unit null vector of ``J`` on the side of the previous tangent ``t``: the solution of
        the augmented square system ``[J; tᵀ] x = e_{K+1}``, normalised (Allgower & Georg 2003,
        §2.1); ``None`` where that system is singular."""
        A = np.vstack([J, t])
        rhs = np.zeros(A.shape[0])
        rhs[-1] = 1.0
        try:
            x = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            return None
        norm = float(np.linalg.norm(x))
        return x / norm if np.isfinite(norm) and norm > 0 else None

    def _correct(self, w: np.ndarray) -> tuple[np.ndarray, bool, np.ndarray | None]:
        """Newton's method on the hyperplane orthogonal to the tangent: each step solves the square
        augmented system ``[J; tᵀ] Δ = [H; 0]`` (Keller's pseudo-arclength corrector; Allgower &
        Georg 2003, §2.2-2.3); fails fast on slow contraction. Returns the point, whether it
        converged, and the Jacobian of the last iterate (one Newton step of size ≤ 1e-9 from the
        point: the next tangent is taken from it, which saves one evaluation per step)."""
        prev = None
        A = np.empty((self.lay.K + 1, self.lay.K + 1))
        A[-1] = self.t
        rhs = np.zeros(self.lay.K + 1)
        for it in range(8):
            H, J = _system(self.U, self.lay, w)
            assert J is not None
            A[:-1] = J
            rhs[:-1] = H
            try:
                step = np.linalg.solve(A, rhs)
            except np.linalg.LinAlgError:
                return w, False, None
            norm = float(np.linalg.norm(step))
            if not np.isfinite(norm):
                return w, False, None
            if it == 0 and norm > self.max_offset * self.h + 1e-9:
                return w, False, None  # the predictor landed too far from the curve
            if prev is not None and norm > 0.3 * prev and norm > 1e-12:
                return w, False, None
            w = w - step
            if norm <= 1e-9 * (1.0 + np.abs(w).max()):
                return w, True, J
            prev = norm
        H, J = _system(self.U, self.lay, w)
        return w, bool(np.abs(H).max() <= 1e-9 * (1.0 + np.abs(w).max())), J

    def step(self) -> None:
        """One accepted predictor-corrector step (halving the step until the corrector contracts)."""
        while True:
            if self.steps >= self.max_steps:
                raise SolverError(f"logit path: no convergence in {self.max_steps} steps")
            if self.h < 1e-12:
                raise SolverError(f"logit path: step size underflow at λ = {self.w[-1]:.6g}")
            w, ok, J = self._correct(self.w + self.h * self.t)
            if ok:
                assert J is not None
                t = self._next_tangent(J, self.t)
                # too sharp a turn (or a singular augmented system): a smaller step follows the curve
                if t is None or t @ self.t < self.min_cos:
                    ok = False
            if not ok:
                self.h *= 0.5
                continue
            self.w, self.t = w, t
            self.steps += 1
            self.h *= 1.5
            return

    def profile(self, w: np.ndarray | None = None) -> list[np.ndarray]:
        z = (self.w if w is None else w)[:-1]
        return [np.exp(zi) / np.exp(zi).sum() for zi in self.lay.split(z)]


def _fixed_lambda_newton(U: np.ndarray, lay: _Layout, w: np.ndarray, lam: float) -> np.ndarray | None:
    """Newton's method on H(·, λ) = 0 with λ fixed (the square K × K system)."""
    w = w.copy()
    w[-1] = lam
    for _ in range(50):
        H, J = _system(U, lay, w)
        assert J is not None
        try:
            dz = np.linalg.solve(J[:, :-1], H)
        except np.linalg.LinAlgError:
            return None
        w[:-1] -= dz
        if np.abs(dz).max() <= 1e-13 * (1.0 + np.abs(w[:-1]).max()):
            return w
    H, _ = _system(U, lay, w, jac=False)
    return w if np.abs(H).max() <= 1e-10 else None


#: the largest precision λ per unit of payoff range that `logit_qre` follows the branch to
MAX_UNIT_LAMBDA = 1e12


def _check_lam(lam: Any) -> float:
    return check_real("lam (the logit precision λ)", lam, minimum=0.0)


def logit_qre(game: NormalFormGame, lam: float) -> list[np.ndarray]:
    """The logit QRE at precision ``lam`` on the principal branch (McKelvey & Palfrey 1995).

    ``lam`` is in the game's payoff units (σ_i ∝ exp(lam · u_i)). The branch is followed from the
    uniform profile at λ = 0 (Turocy 2005) up to ``lam``, and the point is polished by Newton's
    method at fixed λ. ``lam`` times the payoff range is at most 1e12 (`MAX_UNIT_LAMBDA`).
    """
    lam_f = _check_lam(lam)
    U, rng = _normalised(game)
    lay = _Layout(tuple(game.num_actions))
    target = lam_f * rng
    if target > MAX_UNIT_LAMBDA:
        raise InvalidParameterError(
            f"lam × payoff range must be at most {MAX_UNIT_LAMBDA:g} (got {target:g}): beyond it the QRE "
            "is its λ → ∞ limit to machine precision and the branch cannot be followed; use "
            "logit-qre-path, which stops at that limit, or a Nash solver")
    tracer = _Tracer(U, lay)
    if target == 0.0:
        return tracer.profile()
    while tracer.w[-1] < target:
        prev = tracer.w.copy()
        tracer.step()
    # interpolate linearly to λ = target between the last two points, then polish
    lo, hi = prev[-1], tracer.w[-1]
    frac = (target - lo) / (hi - lo) if hi > lo else 1.0
    w0 = prev + frac * (tracer.w - prev)
    w = _fixed_lambda_newton(U, lay, w0, target)
    if w is None:
        raise SolverError(f"logit QRE: Newton's method did not converge at λ = {lam_f}")
    return tracer.profile(w)


# ---- refinement on a support -------------------------------------------------------------------


def _refine_on_support(
    game: NormalFormGame, U: np.ndarray, support: list[np.ndarray], start: list[np.ndarray]
) -> list[np.ndarray] | None:
    """Newton's method on the Nash conditions restricted to ``support``.

    Unknowns: σ_i on S_i and the payoff v_i; equations ``d_i(a) = v_i`` for a ∈ S_i and
    ``Σ σ_i = 1``. Solved by Gauss-Newton (least squares), so degenerate supports with more or
    fewer equations than unknowns are handled too. Returns a profile, or None if it fails.
    """
    n = len(support)
    sizes = [len(s) for s in support]
    off = np.concatenate([[0], np.cumsum([k + 1 for k in sizes])])
    x = np.concatenate([np.concatenate([start[i][support[i]] / start[i][support[i]].sum(), [0.0]])
                        for i in range(n)])

    def unpack(x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        sig = []
        for i, k in enumerate(game.num_actions):
            s = np.zeros(k)
            s[support[i]] = x[off[i]:off[i] + sizes[i]]
            sig.append(s)
        return sig, x[off[1:] - 1]

    sig, _ = unpack(x)
    d = _deviation(U, sig)
    for i in range(n):
        x[off[i + 1] - 1] = d[i][support[i]] @ x[off[i]:off[i] + sizes[i]]
    rows_per = [k + 1 for k in sizes]
    R = int(sum(rows_per))
    prev_res = np.inf
    for it in range(30):
        sig, v = unpack(x)
        T = _pair_tensors(U, sig) if n > 1 else {}
        d = _deviation(U, sig, T if n > 1 else None)
        F = np.empty(R)
        J = np.zeros((R, x.size))
        for i in range(n):
            o, k, S = off[i], sizes[i], support[i]
            F[o:o + k] = d[i][S] - v[i]
            F[o + k] = sig[i][S].sum() - 1.0
            J[o:o + k, o + k] = -1.0
            J[o + k, o:o + k] = 1.0
            for j in range(n):
                if j != i:
                    J[o:o + k, off[j]:off[j] + sizes[j]] = T[i, j][np.ix_(S, support[j])]
        res = float(np.abs(F).max())
        if res <= 1e-15:
            break
        # Gauss-Newton converges quadratically on the right support; anything slower is the wrong one
        if it >= 3 and res > 0.5 * prev_res:
            if res > 1e-12:
                return None
            break
        prev_res = res
        step, *_ = np.linalg.lstsq(J, F, rcond=None)
        x = x - step
        if not np.all(np.isfinite(x)):
            return None
        if np.abs(step).max() <= 1e-15 * (1.0 + np.abs(x).max()):
            break
    from .nplayer_common import support_profile

    return support_profile(unpack(x)[0])


def _same(p: list[np.ndarray], q: list[np.ndarray]) -> bool:
    return all(np.allclose(a, b, rtol=0, atol=1e-8) for a, b in zip(p, q, strict=True))


def _supports(profile: list[np.ndarray], threshold: float) -> list[np.ndarray]:
    return [np.flatnonzero(s >= threshold * s.max()) for s in profile]


def logit_qre_path(
    game: NormalFormGame,
    *,
    tol: float | None = None,
    lam_max: float = 1e8,
    max_steps: int = 20000,
    record: bool = False,
    near: float = 0.1,
    loose: float = 1e3,
) -> LogitPathResult:
    """A Nash equilibrium with NashConv ≤ ``tol``, the limit of the logit QRE branch (Turocy 2005).

    Follows the principal branch from λ = 0 and, each time λ (per unit of payoff range) doubles
    past 4, tries Newton's method on the Nash conditions of the path's apparent support. A refined
    profile is the branch's limit when it lies within ``near / λ`` of the path point (the branch
    converges at rate O(1/λ)) or the path approaches it over successive checks; past
    ``λ = loose`` any refined profile is taken (degenerate games have continua of equilibria).
    The first one whose NashConv is at most ``tol`` (default ``1e-9 · max |u|``) is
    returned. ``record`` keeps the accepted path points ``(λ, profile)`` in game units. Raises
    `SolverError` if λ exceeds ``lam_max`` (per unit of payoff range), or the curve is lost,
    before a profile is certified.
    """
    # the default tolerance is relative to the payoffs, so a game scaled by 1e-13 is held to the
    # same standard as the unscaled one
    tol_f = 1e-9 * game.payoff_scale if tol is None else check_positive("tol", tol)
    lam_max = check_positive("lam_max", lam_max)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    record = check_bool("record", record)
    near = check_positive("near", near)
    loose = check_positive("loose", loose)
    U, rng = _normalised(game)
    if rng == 0.0:
        prof = game.uniform_profile()
        return LogitPathResult(prof, 0.0, 0.0, 0, [np.arange(k) for k in game.num_actions])
    lay = _Layout(tuple(game.num_actions))
    tracer = _Tracer(U, lay, max_steps=max_steps)
    path: list[tuple[float, list[np.ndarray]]] = []
    next_check = 4.0
    last: dict[bytes, tuple[list[np.ndarray], float]] = {}
    while True:
        try:
            tracer.step()
            stuck = False
        except SolverError:
            stuck = True  # the curve is lost (far out, in a degenerate game): certify what we have
        lam = float(tracer.w[-1])
        if record and not stuck:
            path.append((lam / rng, tracer.profile()))
        # past λ = loose (per unit payoff range) any certified candidate is accepted: in degenerate
        # games the limit lies in a continuum of equilibria and refinements land anywhere on it
        final = stuck or lam >= lam_max
        if lam >= next_check or final:
            next_check = 2.0 * max(lam, next_check)
            prof = tracer.profile()
            tried: set[bytes] = set()  # distinct supports at this check
            for threshold in (1e-2, 1e-4, 1e-6, 1e-8):
                support = _supports(prof, threshold)
                key = b"".join(s.tobytes() + b"|" for s in support)
                if key in tried:
                    continue
                tried.add(key)
                cand = _refine_on_support(game, U, support, prof)
                if cand is None:
                    continue
                # the branch is within O(1/λ) of its limit; a Nash equilibrium far from the path
                # point is a different one, so wait for the path to come closer
                # (or the path approaches the same candidate at successive checks)
                dist = max(float(np.abs(c - p).max()) for c, p in zip(cand, prof, strict=True))
                approaching = key in last and _same(last[key][0], cand) and dist < 0.6 * last[key][1]
                last[key] = (cand, dist)
                if dist > near / lam and not approaching and lam < loose and not final:
                    continue
                nc = nash_conv(game, cand)
                if nc <= tol_f:
                    return LogitPathResult(cand, lam / rng, nc, tracer.steps, support, path)
        if final:
            raise SolverError(
                f"logit path reached λ = {lam / rng:.3g} without a profile of NashConv <= {tol_f:.3g}; "
                "try a larger lam_max or tol"
            )


@register_method("logit-qre-path", families=("normal_form",), certified=False)
def logit_qre_path_solve(
    game: NormalFormGame, *, tol: float | None = None, lam_max: float = 1e8, max_steps: int = 20000
) -> list[Solution]:
    """A Nash equilibrium of an n-player game by following the logit QRE branch (Turocy 2005).

    McKelvey & Palfrey (1995) define the correspondence; the path's endpoint is refined on its
    support and returned only with NashConv <= ``tol`` (else `SolverError`). ``info`` holds the
    final λ, the support and the number of continuation steps.
    """
    res = logit_qre_path(game, tol=tol, lam_max=lam_max, max_steps=max_steps)
    info = {"lam": res.lam, "support": [s.tolist() for s in res.support], "nash_conv": res.nash_conv}
    return [Solution(res.profile, game.expected_payoffs(res.profile), "logit-qre-path",
                     iterations=res.steps, info=info)]


@register_method("logit-qre", families=("normal_form",), certified=False)
def logit_qre_solve(game: NormalFormGame, *, lam: float | None = None) -> list[Solution]:
    """The logit quantal response equilibrium at precision ``lam`` (McKelvey & Palfrey 1995).

    Not a Nash equilibrium for finite λ; ``info["lam"]`` records λ. Principal branch, followed
    from λ = 0 as in Turocy (2005).
    """
    if lam is None:
        raise InvalidParameterError("logit-qre needs the precision lam, e.g. -o lam=2.0")
    prof = logit_qre(game, lam)
    return [Solution(prof, game.expected_payoffs(prof), "logit-qre", info={"lam": float(lam)})]
