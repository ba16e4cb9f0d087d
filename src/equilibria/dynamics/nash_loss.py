"""The stochastic Nash loss of Gemp, Marris & Piliouras, "Approximating Nash Equilibria in
Normal-Form Games via Stochastic Optimization", ICLR 2024, minimised by projected SGD.

With the Tsallis-entropy-regularised gradient of player k (Tsallis exponent p, temperature τ)

    ∇^τ_k(x) = d_k(x) - τ x_k^p,

and Π_T(z) = z - mean(z) the projection onto the tangent space of the simplex, the loss is

    L^τ(x) = Σ_k ‖Π_T(∇^τ_k(x))‖².

It is zero exactly at the Tsallis quantal response equilibrium of temperature τ (interior points
where every player's regularised gradient is constant), which approaches a Nash equilibrium as
τ → 0. Because d_k(x) = E_{a_{-k} ~ x_{-k}}[u_k(·, a_{-k})], the loss is a product of two
expectations and has the unbiased estimate Σ_k ⟨Π_T ĝ_k, Π_T ĝ'_k⟩ from two *independent* samples
of the others' play; its gradient Σ_k 2 J_kᵀ Π_T ∇^τ_k has an unbiased estimate from independent
samples for the Jacobian and for the gradient factor. That is what makes ordinary SGD applicable.

Known limitation: the tangent-space loss certifies an equilibrium only at interior points; projected
SGD can stall at a boundary point where an unused action keeps the loss positive (the loss is
non-convex). Start from an interior point (the default is uniform) and check NashConv.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..registry import register_method
from ._operators import (
    NormalFormLearner,
    check_int,
    check_positive,
    deviation_payoffs,
    payoff_range,
    project_simplex,
)


def _tangent(z: np.ndarray) -> np.ndarray:
    return z - z.mean(axis=-1, keepdims=True)


def nash_loss(game: Any, profile: list[np.ndarray], temperature: float = 0.0, power: float = 1.0) -> float:
    """The exact loss L^τ(x) = Σ_k ‖Π_T(d_k(x) - τ x_k^p)‖² (Gemp, Marris & Piliouras, ICLR 2024)."""
    dev = deviation_payoffs(game, profile)
    return float(sum(np.sum(_tangent(d - temperature * np.power(x, power)) ** 2)
                     for d, x in zip(dev, profile, strict=True)))


def sample_deviation_payoffs(game: Any, profile: list[np.ndarray], rng: np.random.Generator,
                             size: int) -> list[np.ndarray]:
    """``size`` unbiased samples of every d_k: row s of entry k is u_k(·, a^s_{-k}), a^s ~ profile.

    One joint action is drawn per sample and shared by the players, so for a fixed k the samples are
    independent across s (all that the estimators need).
    """
    u = game.payoffs
    n = u.shape[0]
    acts = [rng.choice(len(x), size=size, p=x) for x in profile]
    out = []
    for k in range(n):
        idx = tuple(slice(None) if j == k else acts[j] for j in range(n))
        # advanced indices are separated by the slice when k > 0, which moves the sample axis first
        t = u[k][idx]
        if t.shape[0] != size:
            t = t.T
        out.append(t)
    return out


def estimate_nash_loss(game: Any, profile: list[np.ndarray], rng: np.random.Generator, size: int,
                       temperature: float = 0.0, power: float = 1.0) -> float:
    """Unbiased Monte Carlo estimate of `nash_loss` from two independent batches of ``size`` plays."""
    g1 = sample_deviation_payoffs(game, profile, rng, size)
    g2 = sample_deviation_payoffs(game, profile, rng, size)
    total = 0.0
    for a, b, x in zip(g1, g2, profile, strict=True):
        reg = temperature * np.power(x, power)
        total += float(_tangent(a.mean(axis=0) - reg) @ _tangent(b.mean(axis=0) - reg))
    return total


class NashLossSGD(NormalFormLearner):
    """Projected SGD on the Nash loss of Gemp, Marris & Piliouras (ICLR 2024).

    ``sample_size`` plays are drawn per estimate (``None``: the exact gradient, i.e. projected
    gradient descent on L^τ). ``temperature`` τ is relative to the payoff range, ``power`` is the
    Tsallis exponent p ∈ (0, 1], ``learning_rate`` is relative to 1/range². The gradient of
    player l is 2 Σ_k (∂∇^τ_k/∂x_l)ᵀ Π_T ∇^τ_k: for k ≠ l the Jacobian ∂d_k/∂x_l is the payoff tensor
    u_k with the players other than k and l contracted (sampled when there are more than two
    players), for k = l it is -τ p diag(x_l^{p-1}).
    """

    default_output = "last"

    def __init__(self, game: Any, *, temperature: float = 0.01, power: float = 1.0,
                 learning_rate: float = 0.1, sample_size: int | None = 16, init: Any = None,
                 seed: int | None = None):
        super().__init__(game, init=init, seed=seed)
        self.scale = payoff_range(game)
        self.temperature = check_positive("temperature", temperature, allow_zero=True)
        self.tau = self.temperature * self.scale
        self.power = check_positive("power", power)
        if self.power > 1:
            raise InvalidParameterError(f"power (the Tsallis exponent) must be in (0, 1], got {power}")
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.lr = self.learning_rate / self.scale ** 2
        self.sample_size = None if sample_size is None else check_int("sample_size", sample_size)
        self.loss = nash_loss(game, self.x, self.tau, self.power)

    def _jacobian_t(self, k: int, l: int, x: list[np.ndarray], h: np.ndarray) -> np.ndarray:
        """(∂d_k/∂x_l)ᵀ h, with the other players' strategies contracted or sampled."""
        u = self.game.payoffs[k]
        n = u.ndim
        t = np.tensordot(h, u, axes=([0], [k]))  # axes: the others in order, k removed
        others = [j for j in range(n) if j != k]
        if n == 2:
            return t
        rest = [j for j in others if j != l]
        if self.sample_size is None:
            for j in reversed(rest):
                t = np.tensordot(t, x[j], axes=([others.index(j)], [0]))
            return t
        acts = [self.rng.choice(len(x[j]), size=self.sample_size, p=x[j]) for j in rest]
        idx = tuple(slice(None) if j == l else acts[rest.index(j)] for j in others)
        vals = t[idx]
        return vals.mean(axis=0) if vals.shape[0] == self.sample_size else vals.mean(axis=1)

    def _step(self) -> None:
        x = self.x
        n = len(x)
        if self.sample_size is None:
            dev = deviation_payoffs(self.game, x)
        else:
            dev = [g.mean(axis=0) for g in sample_deviation_payoffs(self.game, x, self.rng, self.sample_size)]
        h = [_tangent(d - self.tau * np.power(xi, self.power)) for d, xi in zip(dev, x, strict=True)]
        grads = []
        for l in range(n):
            g = -self.tau * self.power * np.power(np.maximum(x[l], 1e-12), self.power - 1) * h[l]
            for k in range(n):
                if k != l:
                    g = g + self._jacobian_t(k, l, x, h[k])
            grads.append(2.0 * g)
        self.x = [project_simplex(xi - self.lr * gi) for xi, gi in zip(x, grads, strict=True)]
        self.loss = nash_loss(self.game, self.x, self.tau, self.power)
        self._accumulate(self.x)

    def diagnostics(self) -> dict[str, float]:
        return {"nash_loss": self.loss}


register_method("nash-loss-sgd", families=("normal_form",))(NashLossSGD)
