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
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, NotApplicableError
from ..registry import register_method
from ._operators import (
    NormalFormLearner,
    check_int,
    check_positive,
    game_operator,
    natural_residual,
    operator_lipschitz,
    project_simplex,
)


def _dist(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum((x - y) ** 2)) for x, y in zip(a, b, strict=True)))


class Halpern(NormalFormLearner):
    """Halpern iteration with an inexact resolvent (Halpern 1967; Diakonikolas, COLT 2020).

    The resolvent u = J(x), i.e. u = Π_C(x - η F(u)), is found by the fixed-point iteration
    u ← Π_C(x - ηF(u)), a contraction with factor ηL (default ηL = 1/2), warm-started at the previous
    resolvent and run until its error bound falls below ``1/(k+2)²`` times the initial gap.
    ``residual`` (in `diagnostics`) is ‖x_k - J(x_k)‖/η, which the theory bounds by
    2‖x_0 - x*‖/(η(k+1)); the run stops once it is at most ``residual_tol``.
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, residual_tol: float = 1e-10,
                 init: Any = None, seed: int | None = None):
        super().__init__(game, init=init, seed=seed)
        self.lipschitz = operator_lipschitz(game)
        if step_size is None:
            step_size = 0.5 / self.lipschitz
        self.step_size = check_positive("step_size", step_size)
        if self.step_size * self.lipschitz >= 1.0:
            raise InvalidParameterError(
                f"step_size must be < 1/L = {1 / self.lipschitz:.4g} so that the inner loop contracts"
            )
        self.residual_tol = check_positive("residual_tol", residual_tol, allow_zero=True)
        self.anchor = [xi.copy() for xi in self.x]
        self.resolvent = [xi.copy() for xi in self.x]
        self.residual = float("inf")
        self.operator_evals = 0

    def _resolvent(self, x: list[np.ndarray], k: int) -> list[np.ndarray]:
        eta, q = self.step_size, self.step_size * self.lipschitz
        u = self.resolvent
        inner = max(1, math.ceil(2.0 * math.log(k + 2) / -math.log(q)) + 1)
        for _ in range(inner):
            F = game_operator(self.game, u)
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
        return {"residual": self.residual, "natural_residual": natural_residual(self.game, self.x),
                "operator_evals": float(self.operator_evals)}


class VarianceReducedHalpern(Halpern):
    """Variance-reduced Halpern iteration for finite-sum monotone inclusions
    (Cai, Alacaoglu & Diakonikolas, ICLR 2024), on two-player games.

    Finite sum: with row i ~ p and column j ~ q, F̂(x, y) = (-A[:, j] y_j / q_j, -B[i, :] x_i / p_i)
    is an unbiased estimate of F (importance sampling by row and column norms, as in Alacaoglu &
    Malitsky, "Stochastic Variance Reduction for Variational Inequality Methods", COLT 2022). Each
    resolvent u = J(x) is computed by the loopless variance-reduced forward-backward method on the
    1-strongly monotone map G(u) = u - x + ηF(u):

        u ← Π_C(u - τ(u - x + η[F(w) + F̂(u) - F̂(w)])),   w ← u with probability ``snapshot_prob``,

    which needs a full evaluation of F only when the snapshot w moves. ``batch_size`` pairs are
    sampled per inner step; ``inner_scale`` multiplies the O(log k / τ) inner-step count.
    """

    def __init__(self, game: Any, *, step_size: float | None = None, residual_tol: float = 1e-10,
                 batch_size: int = 1, snapshot_prob: float | None = None, inner_scale: float = 1.0,
                 init: Any = None, seed: int | None = None):
        if getattr(game, "num_players", 2) != 2:
            raise NotApplicableError("vr-halpern samples rows and columns; it needs a two-player game")
        super().__init__(game, step_size=step_size, residual_tol=residual_tol, init=init, seed=seed)
        self.batch_size = check_int("batch_size", batch_size)
        A, B = game.payoffs[0], game.payoffs[1]
        m, n = A.shape
        if snapshot_prob is None:
            snapshot_prob = min(1.0, self.batch_size / max(m, n))
        self.snapshot_prob = check_positive("snapshot_prob", snapshot_prob)
        if self.snapshot_prob > 1:
            raise InvalidParameterError(f"snapshot_prob must be in (0, 1], got {snapshot_prob}")
        self.inner_scale = check_positive("inner_scale", inner_scale)
        colnorm = np.linalg.norm(A, axis=0)
        rownorm = np.linalg.norm(B, axis=1)
        self.q = 0.5 * (colnorm / colnorm.sum() if colnorm.sum() > 0 else 1.0 / n) + 0.5 / n
        self.p = 0.5 * (rownorm / rownorm.sum() if rownorm.sum() > 0 else 1.0 / m) + 0.5 / m
        self.sampled_evals = 0

    def _sampled(self, u: list[np.ndarray], rows: np.ndarray, cols: np.ndarray) -> list[np.ndarray]:
        A, B = self.game.payoffs[0], self.game.payoffs[1]
        fx = -(A[:, cols] * (u[1][cols] / self.q[cols])).mean(axis=1)
        fy = -(B[rows, :] * (u[0][rows] / self.p[rows])[:, None]).mean(axis=0)
        return [fx, fy]

    def _resolvent(self, x: list[np.ndarray], k: int) -> list[np.ndarray]:
        eta = self.step_size
        lg = 1.0 + eta * self.lipschitz
        tau = 0.5 / (lg * lg)
        inner = max(1, math.ceil(self.inner_scale * 2.0 * math.log(k + 2) / tau))
        u = self.resolvent
        w = [ui.copy() for ui in u]
        Fw = game_operator(self.game, w)
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
                Fw = game_operator(self.game, w)
                self.operator_evals += 1
        return u

    def _step(self) -> None:
        k = self.iteration
        J = self._resolvent(self.x, k)
        self.resolvent = J
        # the reported residual uses the exact natural map, not the sampled inner solution
        self.residual = natural_residual(self.game, self.x, self.step_size)
        lam = 1.0 / (k + 2)
        self.x = [lam * a + (1.0 - lam) * j for a, j in zip(self.anchor, J, strict=True)]
        self._accumulate(self.x)

    def diagnostics(self) -> dict[str, float]:
        out = super().diagnostics()
        out["sampled_evals"] = float(self.sampled_evals)
        return out


register_method("halpern", families=("normal_form",))(Halpern)
register_method("vr-halpern", families=("normal_form",))(VarianceReducedHalpern)
