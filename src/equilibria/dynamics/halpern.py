"""Halpern iteration and its variance-reduced version for the monotone inclusion 0 ∈ F(x) + N_C(x).

For a two-player zero-sum game F(x) = -(d_1(x), d_2(x)) is monotone and L-Lipschitz, C is the
product of simplices, and the zeros of F + N_C are the Nash equilibria. The resolvent
J = (I + η(F + N_C))^{-1} is firmly nonexpansive, and Halpern's anchored iteration

    x_{k+1} = λ_{k+1} x_0 + (1 - λ_{k+1}) J(x_k),    λ_k = 1/(k+1),

drives the computable residual ‖x_k - J(x_k)‖/η to zero at the optimal rate
‖x_k - J(x_k)‖ ≤ 2‖x_0 - x*‖/(k+1) (Halpern, "Fixed Points of Nonexpanding Maps", Bull. AMS 1967;
Lieder, "On the Convergence Rate of the Halpern-Iteration", Optim. Lett. 2021). The resolvent is
itself the solution of a strongly monotone problem and is computed inexactly by an inner loop to
accuracy O(1/k²), which keeps the O(1/k) rate at O(k log k) operator evaluations (Diakonikolas,
"Halpern Iteration for Near-Optimal and Parameter-Free Monotone Inclusion and Strong Solutions to
Variational Inequalities", COLT 2020).

The variance-reduced version (Cai, Alacaoglu & Diakonikolas, "Variance Reduced Halpern Iteration
for Finite-Sum Monotone Inclusions", ICLR 2024) treats F as a finite sum and computes each
resolvent with a variance-reduced stochastic inner method, so that most inner steps touch one row
and one column of the payoff matrices instead of all of them. Both learners report the residual
and stop on it through `Learner.converged`.

Both run on the payoffs scaled to unit range (`equilibria.dynamics._operators.unit_payoffs`), so
``step_size`` and the residuals are in units of the payoff range. F is monotone only for
two-player zero-sum (constant-sum) games; on other games both warn with `NotMonotoneWarning`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_probability, check_size
from ..errors import InvalidParameterError, NotApplicableError
from ..ops import project_simplex
from ..registry import register_method
from ._operators import (
    NormalFormLearner,
    game_operator,
    natural_residual,
    operator_lipschitz,
    warn_if_not_monotone,
)

#: vr-halpern's bounds on its options: larger values only multiply the work of every resolvent
MAX_BATCH_SIZE = 10**6
MAX_INNER_SCALE = 100.0
MAX_STEP_RATIO = 100.0


def _dist(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum((x - y) ** 2)) for x, y in zip(a, b, strict=True)))


class Halpern(NormalFormLearner):
    """Halpern iteration with an inexact resolvent (Halpern 1967; Diakonikolas, COLT 2020).

    The resolvent u = J(x), i.e. u = Π_C(x - η F(u)), is found by the fixed-point iteration
    u ← Π_C(x - ηF(u)), a contraction with factor ηL (default ηL = 1/2), warm-started at the previous
    resolvent and run until its error bound falls below ``1/(k+2)²`` times the initial gap.
    ``residual`` (in `diagnostics`) is ‖x_k - J(x_k)‖/η, which the theory bounds by
    2‖x_0 - x*‖/(η(k+1)); the run stops once it is at most ``residual_tol``. ``step_size`` η and
    L are those of the game scaled to unit payoff range.
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, residual_tol: float = 1e-10,
                 init: Any = None, seed: int | None = None):
        if step_size is not None:
            step_size = check_positive("step_size", step_size)
        self.residual_tol = check_positive("residual_tol", residual_tol, allow_zero=True)
        super().__init__(game, init=init, seed=seed)
        warn_if_not_monotone(game, "variance-reduced Halpern" if isinstance(self, VarianceReducedHalpern)
                             else "Halpern iteration")
        self.lipschitz = operator_lipschitz(self.u)
        self.step_size = self._default_step() if step_size is None else step_size
        self._check_step()
        self.anchor = [xi.copy() for xi in self.x]
        self.resolvent = [xi.copy() for xi in self.x]
        self.residual = float("inf")
        self.operator_evals = 0

    def _default_step(self) -> float:
        return 0.5 / self.lipschitz

    def _check_step(self) -> None:
        if self.step_size * self.lipschitz >= 1.0:
            raise InvalidParameterError(
                f"step_size must be < 1/L = {1 / self.lipschitz:.4g} (L of the game scaled to unit payoff "
                "range) so that the inner loop contracts"
            )

    def _resolvent(self, x: list[np.ndarray], k: int) -> list[np.ndarray]:
        eta, q = self.step_size, self.step_size * self.lipschitz
        u = self.resolvent
        inner = max(1, math.ceil(2.0 * math.log(k + 2) / -math.log(q)) + 1) if q > 0 else 1
        for _ in range(inner):
            F = game_operator(self.u, u)
            u = [project_simplex(xi - eta * fi) for xi, fi in zip(x, F, strict=True)]
        self.operator_evals += inner
        return u

    def _step(self) -> None:
        k = self.iteration
        J = self._resolvent(self.x, k)
        self.resolvent = J
        self.residual = _dist(self.x, J) / self.step_size
        lam = 1.0 / (k + 2)
        self.x = [lam * a + (1.0 - lam) * j for a, j in zip(self.anchor, J, strict=True)]
        self._accumulate(self.x)

    def converged(self) -> bool:
        return self.residual <= self.residual_tol

    def diagnostics(self) -> dict[str, float]:
        return {"residual": self.residual, "natural_residual": natural_residual(self.u, self.x),
                "operator_evals": float(self.operator_evals)}


class VarianceReducedHalpern(Halpern):
    """Variance-reduced Halpern iteration for finite-sum monotone inclusions
    (Cai, Alacaoglu & Diakonikolas, ICLR 2024), on two-player games.

    Finite sum: with column j ~ q and row i ~ p, F̂(x, y) = (-A[:, j] y_j / q_j, -B[i, :] x_i / p_i)
    is an unbiased estimate of F (importance sampling by row and column norms, as in Alacaoglu &
    Malitsky, "Stochastic Variance Reduction for Variational Inequality Methods", COLT 2022). Each
    resolvent u = J(x) is computed by the loopless variance-reduced forward-backward method on the
    1-strongly monotone map G(u) = u - x + ηF(u):

        u ← Π_C(u - τ(u - x + η[F(w) + F̂(u) - F̂(w)])),   w ← u with probability ``snapshot_prob``,

    which needs a full evaluation of F only when the snapshot w moves. ``batch_size`` pairs are
    sampled per inner step; ``inner_scale`` multiplies the O(log k / τ) inner-step count. Bounds:
    ``batch_size`` ≤ 10⁶, ``inner_scale`` ≤ 100 and ``step_size`` ≤ 100/L̂ (each multiplies the work of
    every resolvent), and the inner loop's memory is checked against the size limit.

    The sampled matrices are A with centred columns and B with centred rows: that adds to each
    block of F a multiple of the all-ones vector, which the simplex projection ignores, and
    reduces the variance. Step sizes follow the paper's assumption that the components are
    Lipschitz *on average*: L̂ is the mean-square Lipschitz constant of the sampled operator,
    E‖F̂(u) - F̂(w)‖² ≤ L̂²‖u - w‖²,

        L̂² = L² + max(max_j ‖A_j‖²/q_j, max_i ‖B_i‖²/p_i) / batch_size   (A_j columns, B_i rows),

    and the defaults are η = 1/(2L̂) and τ = 1/(2(1 + ηL̂)²) (G is 1-strongly monotone and
    (1 + ηL̂)-Lipschitz in mean square). Using the full operator's L instead, as an earlier version
    did, makes the inner loop diverge on large games, where L̂ ≫ L (on random 200 x 200 games
    L̂ ≈ 7L: the residual grew from 0.71 to 1.11).
    """

    def __init__(self, game: Any, *, step_size: float | None = None, residual_tol: float = 1e-10,
                 batch_size: int = 1, snapshot_prob: float | None = None, inner_scale: float = 1.0,
                 init: Any = None, seed: int | None = None):
        if getattr(game, "num_players", 2) != 2:
            raise NotApplicableError("vr-halpern samples rows and columns; it needs a two-player game")
        self.batch_size = check_int("batch_size", batch_size, minimum=1, maximum=MAX_BATCH_SIZE)
        if snapshot_prob is not None:
            snapshot_prob = check_probability("snapshot_prob", snapshot_prob, open_low=True)
        self.inner_scale = check_positive("inner_scale", inner_scale, maximum=MAX_INNER_SCALE)
        super().__init__(game, step_size=step_size, residual_tol=residual_tol, init=init, seed=seed)
        m, n = self.u.shape[1:]
        self._check_inner_size(0)
        self.snapshot_prob = (min(1.0, self.batch_size / max(m, n)) if snapshot_prob is None
                              else snapshot_prob)
        self.sampled_evals = 0

    def _sampling(self) -> None:
        # Centring A's columns and B's rows adds to each block of F a multiple of the all-ones
        # vector, which no simplex projection sees, and shrinks the sampled estimator's variance.
        A = self.u[0] - self.u[0].mean(axis=0, keepdims=True)
        B = self.u[1] - self.u[1].mean(axis=1, keepdims=True)
        self.A, self.B = A, B
        m, n = A.shape
        colnorm = np.linalg.norm(A, axis=0)
        rownorm = np.linalg.norm(B, axis=1)
        self.q = 0.5 * (colnorm / colnorm.sum() if colnorm.sum() > 0 else np.full(n, 1.0 / n)) + 0.5 / n
        self.p = 0.5 * (rownorm / rownorm.sum() if rownorm.sum() > 0 else np.full(m, 1.0 / m)) + 0.5 / m
        spread = max(float(np.max(colnorm**2 / self.q)), float(np.max(rownorm**2 / self.p)))
        self.mean_square_lipschitz = math.sqrt(self.lipschitz**2 + spread / self.batch_size)

    def _default_step(self) -> float:
        self._sampling()
        return 0.5 / self.mean_square_lipschitz

    def _check_step(self) -> None:
        if not hasattr(self, "mean_square_lipschitz"):
            self._sampling()
        # any η > 0 gives a firmly nonexpansive resolvent, but the inner loop needs O((1 + ηL̂)²) steps
        cap = MAX_STEP_RATIO / self.mean_square_lipschitz
        if self.step_size > cap:
            raise InvalidParameterError(
                f"step_size must be <= {cap:.4g} ({MAX_STEP_RATIO:g}/L̂, L̂ the mean-square Lipschitz constant "
                f"of the sampled operator on the game scaled to unit payoff range; the default is 0.5/L̂): "
                f"each resolvent takes O((1 + step_size·L̂)²) inner steps; got {self.step_size!r}"
            )

    def _inner_steps(self, k: int) -> int:
        lg = 1.0 + self.step_size * self.mean_square_lipschitz
        tau = 0.5 / (lg * lg)
        return max(1, math.ceil(self.inner_scale * 2.0 * math.log(k + 2) / tau))

    def _check_inner_size(self, k: int) -> None:
        # the inner loop's pre-drawn rows and columns, and the sampled blocks of one inner step
        m, n = self.u.shape[1:]
        b = self.batch_size
        check_size(f"vr-halpern with batch_size={b}, inner_scale={self.inner_scale:g}",
                   2.0 * self._inner_steps(k) * b * 8 + 4.0 * b * (m + n) * 8)

    def _full(self, u: list[np.ndarray]) -> list[np.ndarray]:
        return [-(self.A @ u[1]), -(u[0] @ self.B)]

    def _sampled(self, u: list[np.ndarray], rows: np.ndarray, cols: np.ndarray) -> list[np.ndarray]:
        A, B = self.A, self.B
        fx = -(A[:, cols] * (u[1][cols] / self.q[cols])).mean(axis=1)
        fy = -(B[rows, :] * (u[0][rows] / self.p[rows])[:, None]).mean(axis=0)
        return [fx, fy]

    def _resolvent(self, x: list[np.ndarray], k: int) -> list[np.ndarray]:
        eta = self.step_size
        lg = 1.0 + eta * self.mean_square_lipschitz
        tau = 0.5 / (lg * lg)
        inner = self._inner_steps(k)
        self._check_inner_size(k)
        u = self.resolvent
        w = [ui.copy() for ui in u]
        Fw = self._full(w)
        self.operator_evals += 1
        b = self.batch_size
        all_rows = self.rng.choice(len(self.p), size=(inner, b), p=self.p)
        all_cols = self.rng.choice(len(self.q), size=(inner, b), p=self.q)
        moves = self.rng.random(inner) < self.snapshot_prob
        for s in range(inner):
            rows, cols = all_rows[s], all_cols[s]
            Fu_s, Fw_s = self._sampled(u, rows, cols), self._sampled(w, rows, cols)
            self.sampled_evals += 2 * b
            u = [project_simplex(ui - tau * (ui - xi + eta * (fw + fu - fws)))
                 for ui, xi, fw, fu, fws in zip(u, x, Fw, Fu_s, Fw_s, strict=True)]
            if moves[s]:
                w = [ui.copy() for ui in u]
                Fw = self._full(w)
                self.operator_evals += 1
        return u

    def _step(self) -> None:
        k = self.iteration
        J = self._resolvent(self.x, k)
        self.resolvent = J
        # the reported residual uses the exact natural map, not the sampled inner solution
        self.residual = natural_residual(self.u, self.x, self.step_size)
        lam = 1.0 / (k + 2)
        self.x = [lam * a + (1.0 - lam) * j for a, j in zip(self.anchor, J, strict=True)]
        self._accumulate(self.x)

    def diagnostics(self) -> dict[str, float]:
        out = super().diagnostics()
        out["sampled_evals"] = float(self.sampled_evals)
        return out


register_method("halpern", families=("normal_form",))(Halpern)
register_method("vr-halpern", families=("normal_form",))(VarianceReducedHalpern)
