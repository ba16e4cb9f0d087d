"""Ridge Rider for differentiable games: diverse solutions by branching on eigenvectors of the game Jacobian.

Ridge Rider (Parker-Holder, Metz, Resnick, Hu, Lerer, Letcher, Peysakhovich, Pacchiano & Foerster,
"Ridge Rider: Finding Diverse Solutions by Following Eigenvectors of the Hessian", NeurIPS 2020)
starts at a saddle of one loss and follows each negative-curvature eigenvector of the Hessian (a
"ridge") in both directions, so that each branch ends in a different minimum. Lorraine, Vicol,
Parker-Holder, Kachman, Metz & Foerster, "Lyapunov Exponents for Diversity in Differentiable
Games" (AAMAS 2022) generalise it to games (Generalized Ridge Rider, GRR): the Hessian becomes the
game Jacobian J = ∂F/∂z of the simultaneous gradient F, which is not symmetric, and since saddles
are no longer the only branch points, the branch point is chosen where the learning dynamics are
most sensitive to their start, i.e. where the maximal Lyapunov exponent of the update map is
largest (`equilibria.diagnostics.max_lyapunov_exponent`, reused here).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_seed
from ..errors import InvalidParameterError, NotApplicableError
from ..games.continuous import DifferentiableGame
from ..registry import register_method
from ..solution import Solution

#: the dynamics a branch may be finished with (continuous learners that take ``step_size`` and ``init``)
FINISHERS = ("gda", "extragradient", "ogda", "consensus", "sga", "cgd")


def _eig(J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of J and unit real directions (columns), one per real eigenvalue and two per
    complex-conjugate pair (the real and imaginary parts of its eigenvector, which span the pair's
    invariant real plane); a symmetric J uses the exact symmetric solver."""
    if np.allclose(J, J.T, rtol=0.0, atol=1e-12 * max(1.0, float(np.abs(J).max()))):
        w, V = np.linalg.eigh(0.5 * (J + J.T))
        return w.astype(complex), V
    w, V = np.linalg.eig(J)
    vals, dirs = [], []
    scale = max(1.0, float(np.abs(w).max()))
    for k in range(len(w)):
        if abs(w[k].imag) <= 1e-12 * scale:
            vals.append(complex(w[k].real))
            dirs.append(V[:, k].real)
        elif w[k].imag > 0:  # one of each conjugate pair
            vals += [w[k], w[k]]
            dirs += [V[:, k].real, V[:, k].imag]
    D = np.stack(dirs, axis=1)
    norms = np.linalg.norm(D, axis=0)
    ok = norms > 1e-12
    return np.array(vals)[ok], D[:, ok] / norms[ok]


def _lyapunov(game: DifferentiableGame, z: np.ndarray, step_size: float, horizon: int, seed: int) -> float:
    """λ_max over ``horizon`` steps of simultaneous gradient descent started at z."""
    from ..api import make_learner
    from ..diagnostics import max_lyapunov_exponent
    from ..errors import DivergenceError

    learner = make_learner(game, "gda", step_size=step_size, init=game.split(z))
    try:
        return float(max_lyapunov_exponent(learner, iterations=horizon, seed=seed))
    except (NotApplicableError, DivergenceError):
        return -np.inf


def lyapunov_branch_point(
    game: DifferentiableGame, center: np.ndarray, *, radius: float, candidates: int, horizon: int,
    step_size: float, refine: int, rng: np.random.Generator,
) -> tuple[np.ndarray, float]:
    """GRR's branch point: the start with the largest finite-horizon λ_max of gradient descent.

    ``candidates`` uniform draws from the box ``center ± radius`` (clipped to the game's box), then
    ``refine`` rounds of compass search (each coordinate ± a step that halves when no move helps).
    """
    D = game.dim
    pts = game.project(center + rng.uniform(-radius, radius, size=(candidates, D)))
    pts = np.vstack([game.project(center)[None], pts])
    seed = int(rng.integers(2**31))
    vals = np.array([_lyapunov(game, p, step_size, horizon, seed) for p in pts])
    k = int(np.argmax(vals))
    best, val = pts[k], float(vals[k])
    h = 0.5 * radius
    for _ in range(refine):
        moves = game.project(best[None] + h * np.vstack([np.eye(D), -np.eye(D)]))
        mv = np.array([_lyapunov(game, p, step_size, horizon, seed) for p in moves])
        j = int(np.argmax(mv))
        if mv[j] > val:
            best, val = moves[j], float(mv[j])
        else:
            h *= 0.5
    return best, val


def newton_stationary_point(game: DifferentiableGame, z: np.ndarray, max_iter: int = 100) -> np.ndarray:
    """A nearby stationary point F(z) = 0 by (least-squares) Newton steps: RR's saddle finder."""
    for _ in range(max_iter):
        F = game._field(z)
        if np.linalg.norm(F) <= 1e-12 * max(1.0, float(np.linalg.norm(z))):
            break
        step = np.linalg.lstsq(game._jac(z), F, rcond=None)[0]
        z = game.project(z - step)
    return z


@register_method("ridge-rider", families=("continuous",))
def ridge_rider(
    game: DifferentiableGame,
    *,
    exact: bool = False,
    seed: int | None = None,
    branch_point: str = "lyapunov",
    init: Any = None,
    radius: float = 1.0,
    candidates: int = 8,
    horizon: int = 20,
    refine: int = 4,
    directions: str = "unstable",
    ridge_step: float = 0.05,
    ridge_steps: int = 40,
    dynamics: str = "gda",
    step_size: float = 0.05,
    max_iter: int = 2000,
    tol: float = 1e-6,
    distinct: float = 1e-3,
    max_depth: int = 3,
    max_branches: int = 64,
) -> list[Solution]:
    """(Generalized) Ridge Rider: one branch per Jacobian eigen-direction and sign, distinct end points
    returned (Parker-Holder et al., NeurIPS 2020; Lorraine et al., AAMAS 2022).

    Parker-Holder, Metz, Resnick, Hu, Lerer, Letcher, Peysakhovich, Pacchiano & Foerster, "Ridge
    Rider: Finding Diverse Solutions by Following Eigenvectors of the Hessian", NeurIPS 2020;
    Lorraine, Vicol, Parker-Holder, Kachman, Metz & Foerster, "Lyapunov Exponents for Diversity in
    Differentiable Games", AAMAS 2022.

    1. The branch point z_b: ``branch_point="lyapunov"`` (GRR) draws ``candidates`` starts in the box
       ``init ± radius`` and keeps the one whose simultaneous-gradient-descent dynamics (step
       ``step_size``) have the largest maximal Lyapunov exponent over ``horizon`` steps (the
       library's Benettin estimator), refined by ``refine`` rounds of compass search;
       ``"saddle"`` (RR) takes the stationary point F(z) = 0 that Newton's method reaches from
       ``init``; ``"init"`` takes ``init`` itself (default start: the game's initial profile).
    2. The branches: the eigen-pairs (λ_k, e_k) of J(z_b) (real unit directions; a complex pair
       contributes the real and the imaginary part of its eigenvector, the plane it rotates in).
       ``directions="unstable"`` keeps the directions with Re λ_k < 0, those along which gradient
       descent leaves z_b (for one loss, the Hessian's negative-curvature ridges of RR); when there
       are none, or with ``"all"``, every direction is kept. Each direction is ridden both ways (± e_k).
    3. Riding a ridge (RR's inner loop): z ← z_b ± ``ridge_step`` · e; then up to ``ridge_steps``
       times: recompute the eigen-directions of J(z), keep the one most aligned with the previous
       e (sign fixed so ⟨e_new, e⟩ > 0), and step z ← Π(z + ``ridge_step`` · e_new) while its
       eigenvalue keeps Re λ < 0 (the ridge ends where the direction stops being unstable).
    4. Each branch is finished by the learner ``dynamics`` (``gda`` by default, any of
       `FINISHERS`) with ``step_size`` for at most ``max_iter`` steps, stopping once ‖F(z)‖ ≤ ``tol``.
    Steps 2–4 form RR's tree search: a branch that ends at a saddle (‖F‖ ≤ ``tol`` with an unstable
    direction) becomes a new branch point, up to ``max_depth`` levels and ``max_branches`` branches.
    5. End points within ``distinct`` (relative to max(1, ‖z‖)) of an earlier one are merged; one
       `Solution` per distinct end point, ``info`` holding the branch's eigenvalue, sign, ‖F‖, whether
       it converged, the branch point and its Lyapunov exponent.

    Simplifications (our reading; the GRR paper's full text was not reachable, only its abstract and
    the RR paper's public description): the branch point is found by random search plus compass search
    on the finite-horizon exponent, not by gradient ascent through the dynamics; branches are ridden
    with a fixed step and re-branch only where a branch ends at a saddle.
    """
    t0 = time.perf_counter()
    if not isinstance(game, DifferentiableGame):
        raise NotApplicableError(f"ridge-rider needs a differentiable (continuous) game, not "
                                 f"{getattr(game, 'family', type(game).__name__)}")
    if exact:
        raise InvalidParameterError("ridge-rider is a floating-point method: exact=True is not available")
    seed = check_seed("seed", seed)
    branch_point = check_choice("branch_point", branch_point, ("lyapunov", "saddle", "init"))
    directions = check_choice("directions", directions, ("unstable", "all"))
    dynamics = check_choice("dynamics", dynamics, FINISHERS)
    radius = check_positive("radius", radius, maximum=1e6)
    candidates = check_int("candidates", candidates, minimum=0, maximum=10_000)
    horizon = check_int("horizon", horizon, minimum=1, maximum=100_000)
    refine = check_int("refine", refine, minimum=0, maximum=1000)
    ridge_step = check_positive("ridge_step", ridge_step, maximum=1e6)
    ridge_steps = check_int("ridge_steps", ridge_steps, minimum=0, maximum=100_000)
    step_size = check_positive("step_size", step_size, maximum=1e6)
    max_iter = check_int("max_iter", max_iter, minimum=0, maximum=10_000_000)
    tol = check_positive("tol", tol, maximum=1e6)
    distinct = check_positive("distinct", distinct, maximum=1e6)
    max_depth = check_int("max_depth", max_depth, minimum=1, maximum=64)
    max_branches = check_int("max_branches", max_branches, minimum=1, maximum=100_000)
    if game.dim > 512:
        raise InvalidParameterError(
            f"ridge-rider decomposes the {game.dim}x{game.dim} game Jacobian at every ridge step; "
            "it supports games of at most 512 coordinates")
    if init is None:
        z0 = game.flatten(game.initial_profile())
    else:
        try:
            z0 = game.project(game.flatten(init if not np.isscalar(init) else [init], check_box=False))
        except Exception as exc:
            raise InvalidParameterError(
                f"init must be a profile with dims {list(game.dims)} (or a flat vector of length "
                f"{game.dim}): {exc}") from None
    rng = np.random.default_rng(seed)

    # step 1: the branch point
    lyap = float("nan")
    if branch_point == "lyapunov":
        zb, lyap = lyapunov_branch_point(game, z0, radius=radius, candidates=candidates, horizon=horizon,
                                         step_size=step_size, refine=refine, rng=rng)
    elif branch_point == "saddle":
        zb = newton_stationary_point(game, z0)
    else:
        zb = z0
    # steps 2-4 as a tree: RR re-branches at the end of a ridge that is itself a saddle
    scale_tol = max(tol, 1e-300)
    queue = [(zb, 1)]
    visited = [zb]
    ends: list[tuple[np.ndarray, complex, float, int]] = []
    branches = 0
    while queue:
        point, level = queue.pop(0)
        w, E = _eig(game._jac(point))
        keep = np.flatnonzero(w.real < 0) if directions == "unstable" else np.arange(len(w))
        if keep.size == 0:
            keep = np.arange(len(w))
        for k in keep:
            for s in (1.0, -1.0):
                if branches >= max_branches:
                    break
                branches += 1
                z = _ride(game, point, s * E[:, k], ridge_step, ridge_steps)
                z = _finish(game, z, dynamics, step_size, max_iter, tol)
                if (level < max_depth and np.all(np.isfinite(z))
                        and np.linalg.norm(game._field(z)) <= scale_tol
                        and np.any(_eig(game._jac(z))[0].real < 0)):
                    # a saddle: branch again from it (once per distinct saddle)
                    if not any(np.linalg.norm(z - q) <= distinct * max(1.0, float(np.linalg.norm(q)))
                               for q in visited):
                        visited.append(z)
                        queue.append((z, level + 1))
                else:
                    ends.append((z, complex(w[k]), s, level))
    # step 5: distinct end points
    out: list[Solution] = []
    kept: list[np.ndarray] = []
    secs = time.perf_counter() - t0
    for z, lam, s, level in ends:
        if not np.all(np.isfinite(z)):
            continue
        if any(np.linalg.norm(z - q) <= distinct * max(1.0, float(np.linalg.norm(q))) for q in kept):
            continue
        kept.append(z)
        prof = game.split(z)
        gnorm = float(np.linalg.norm(game._field(z)))
        out.append(Solution(
            strategies=prof, payoffs=np.asarray(game.expected_payoffs(prof), dtype=float),
            method="ridge-rider", seconds=secs, info={
                "branch_eigenvalue": [lam.real, lam.imag], "branch_sign": s, "branch_depth": level,
                "grad_norm": gnorm,
                "converged": bool(gnorm <= tol), "branch_point": zb.tolist(), "lyapunov_exponent": lyap,
                "branches": branches,
            }))
    if not out:  # every branch diverged: report the branch point itself
        prof = game.split(zb)
        out.append(Solution(strategies=prof, payoffs=np.asarray(game.expected_payoffs(prof), dtype=float),
                            method="ridge-rider", seconds=secs,
                            info={"converged": False, "branch_point": zb.tolist(), "lyapunov_exponent": lyap,
                                  "branches": branches}))
    return out


def _ride(game: DifferentiableGame, z: np.ndarray, e: np.ndarray, ridge_step: float, ridge_steps: int
          ) -> np.ndarray:
    """Step 3: follow the eigen-direction most aligned with e while it stays unstable (Re λ < 0)."""
    z = game.project(z + ridge_step * e)
    for _ in range(ridge_steps):
        wz, Ez = _eig(game._jac(z))
        j = int(np.argmax(np.abs(Ez.T @ e)))
        if wz[j].real >= 0:
            break
        e = Ez[:, j] * (1.0 if Ez[:, j] @ e >= 0 else -1.0)
        z = game.project(z + ridge_step * e)
    return z


def _finish(game: DifferentiableGame, z: np.ndarray, dynamics: str, step_size: float, max_iter: int,
            tol: float) -> np.ndarray:
    """Run the learner ``dynamics`` from z until ‖F‖ ≤ tol or ``max_iter`` steps; its last iterate."""
    from ..api import make_learner
    from ..errors import DivergenceError

    learner = make_learner(game, dynamics, step_size=step_size, init=game.split(z))
    for _ in range(max_iter):
        if np.linalg.norm(game._field(learner.z)) <= tol:
            break
        try:
            learner.step()
        except DivergenceError:
            return np.full_like(z, np.nan)
    return learner.z.copy()
