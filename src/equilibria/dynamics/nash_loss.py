"""The stochastic Nash loss of Gemp, Marris & Piliouras, "Approximating Nash Equilibria in
Normal-Form Games via Stochastic Optimization", ICLR 2024, minimised by projected SGD.

With the entropy-regularised gradient of player k at temperature τ,

    ∇^τ_k(x) = d_k(x) + τ ∇S(x_k),   S Tsallis entropy with exponent p (∇S = -x^p, the default,
                                       bounded gradients) or Shannon entropy (∇S = -log x - 1),

and Π_T(z) = z - mean(z) the projection onto the tangent space of the simplex, the loss is

    L^τ(x) = Σ_k ‖Π_T(∇^τ_k(x))‖².

It is zero exactly at the interior quantal response equilibrium of temperature τ, which approaches a
Nash equilibrium as τ → 0. Because d_k(x) = E_{a_{-k} ~ x_{-k}}[u_k(·, a_{-k})], the loss is a
product of two expectations and has the unbiased estimate Σ_k ⟨Π_T ĝ_k, Π_T ĝ'_k⟩ from two
*independent* samples of the others' play; its gradient Σ_k 2 J_kᵀ Π_T ∇^τ_k has an unbiased estimate
from independent samples for the Jacobian and for the gradient factor. That is what makes ordinary
SGD applicable. With Shannon entropy the iterates are kept in {x ≥ max(exp(-1/τ'), 1e-6)/A} (τ' the
temperature relative to the payoff range), as the authors' OpenSpiel solver keeps x ≥ exp(-1/τ)/A;
the extra 1e-6 bounds the Hessian term τ/x so that sampled gradients stay finite.

Known limitation: the tangent-space loss certifies an equilibrium only at interior points; with
the Tsallis regulariser projected SGD can stall at a boundary point where an unused action keeps
the loss positive (the loss is non-convex). Check NashConv.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_size
from ..ops import project_simplex
from ..registry import register_method
from ._operators import NormalFormLearner, deviation_payoffs

#: the most plays sampled per estimate (beyond it the exact gradient, ``sample_size=None``, is cheaper)
MAX_SAMPLE_SIZE = 10**8


def _tangent(z: np.ndarray) -> np.ndarray:
    return z - z.mean(axis=-1, keepdims=True)


def _entropy_grad(x: np.ndarray, entropy: str, power: float) -> np.ndarray:
    """∇S(x) up to an additive constant (removed by Π_T anyway): -log x (Shannon) or -x^p (Tsallis)."""
    if entropy == "shannon":
        return -np.log(np.maximum(x, 1e-300))
    return -np.power(x, power)


def _entropy_hess_diag(x: np.ndarray, entropy: str, power: float) -> np.ndarray:
    if entropy == "shannon":
        return -1.0 / np.maximum(x, 1e-300)
    return -power * np.power(np.maximum(x, 1e-300), power - 1)


def nash_loss(game: Any, profile: list[np.ndarray], temperature: float = 0.0, power: float = 1.0,
              entropy: str = "tsallis") -> float:
    """The exact loss L^τ(x) = Σ_k ‖Π_T(d_k(x) + τ∇S(x_k))‖² (Gemp, Marris & Piliouras, ICLR 2024).

    ``game`` is a normal-form game or its payoff tensor (n, A_1, ..., A_n).
    """
    dev = deviation_payoffs(game, profile)
    total = 0.0
    for d, x in zip(dev, profile, strict=True):
        reg = temperature * _entropy_grad(np.asarray(x, dtype=float), entropy, power) if temperature else 0.0
        total += float(np.sum(_tangent(d + reg) ** 2))
    return total


def sample_deviation_payoffs(game: Any, profile: list[np.ndarray], rng: np.random.Generator,
                             size: int) -> list[np.ndarray]:
    """``size`` unbiased samples of every d_k: row s of entry k is u_k(·, a^s_{-k}), a^s ~ profile.

    One joint action is drawn per sample and shared by the players, so for a fixed k the samples are
    independent across s (all that the estimators need).
    """
    u = game.payoffs if hasattr(game, "payoffs") else np.asarray(game, dtype=float)
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
                       temperature: float = 0.0, power: float = 1.0, entropy: str = "tsallis") -> float:
    """Unbiased Monte Carlo estimate of `nash_loss` from two independent batches of ``size`` plays."""
    g1 = sample_deviation_payoffs(game, profile, rng, size)
    g2 = sample_deviation_payoffs(game, profile, rng, size)
    total = 0.0
    for a, b, x in zip(g1, g2, profile, strict=True):
        reg = temperature * _entropy_grad(np.asarray(x, dtype=float), entropy, power) if temperature else 0.0
        total += float(_tangent(a.mean(axis=0) + reg) @ _tangent(b.mean(axis=0) + reg))
    return total


class NashLossSGD(NormalFormLearner):
    """Projected SGD on the Nash loss of Gemp, Marris & Piliouras (ICLR 2024).

    ``sample_size`` plays are drawn per estimate (``None``: the exact gradient, i.e. projected
    gradient descent on L^τ). The learner runs on the payoffs scaled to unit range, so
    ``temperature`` τ and ``step_size`` are in those units (the loss is quadratic in the payoffs:
    a step size of 0.1 on the unit-range game is 0.1/range² on the original one), and the reported
    ``nash_loss`` diagnostic is that of the unit-range game. ``entropy`` is ``"tsallis"``
    (default) with exponent ``power`` p ∈ (0, 1] or ``"shannon"``. The gradient of player l is
    2 Σ_k (∂∇^τ_k/∂x_l)ᵀ Π_T ∇^τ_k: for k ≠ l the Jacobian ∂d_k/∂x_l is the payoff tensor u_k with
    the players other than k and l contracted (sampled when there are more than two players), for
    k = l it is τ diag(∇²S(x_l)).
    """

    default_output = "last"

    def __init__(self, game: Any, *, temperature: float = 0.01, entropy: str = "tsallis",
                 power: float = 1.0, step_size: float = 0.1, sample_size: int | None = 16,
                 init: Any = None, seed: int | None = None):
        self.temperature = check_positive("temperature", temperature, allow_zero=True)
        self.power = check_positive("power", power, maximum=1.0)
        self.step_size = check_positive("step_size", step_size)
        self.entropy = check_choice("entropy", entropy, ("shannon", "tsallis"))
        self.sample_size = (None if sample_size is None
                            else check_int("sample_size", sample_size, minimum=1, maximum=MAX_SAMPLE_SIZE))
        super().__init__(game, init=init, seed=seed)
        if self.sample_size is not None:
            # per step: the sampled joint actions and, per player, a (sample_size, A_k) block, twice
            n = len(self.num_actions)
            check_size(f"nash-loss-sgd with sample_size={self.sample_size}",
                       2.0 * self.sample_size * (sum(self.num_actions) + n) * 8)
        self.tau = self.temperature  # on the unit-range payoffs
        # Shannon: stay where the QRE lives, x ≥ exp(-1/τ')/A (OpenSpiel's SGD solver does the same)
        self.floor = ([max(float(np.exp(-1.0 / self.temperature)), 1e-6) / k if self.temperature > 0 else 0.0
                       for k in self.num_actions] if entropy == "shannon" else [0.0] * len(self.num_actions))
        self.x = [self._project(xi, f) for xi, f in zip(self.x, self.floor, strict=True)]
        self.loss = nash_loss(self.u, self.x, self.tau, self.power, self.entropy)

    @staticmethod
    def _project(v: np.ndarray, floor: float) -> np.ndarray:
        """Euclidean projection onto {x ≥ floor, Σx = 1}."""
        return project_simplex(v, floor=floor)

    def _jacobian_t(self, k: int, l: int, x: list[np.ndarray], h: np.ndarray) -> np.ndarray:
        """(∂d_k/∂x_l)ᵀ h, with the other players' strategies contracted or sampled."""
        u = self.u[k]
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
            dev = deviation_payoffs(self.u, x)
        else:
            dev = [g.mean(axis=0) for g in sample_deviation_payoffs(self.u, x, self.rng, self.sample_size)]
        h = [_tangent(d + self.tau * _entropy_grad(xi, self.entropy, self.power)) if self.tau else _tangent(d)
             for d, xi in zip(dev, x, strict=True)]
        grads = []
        for l in range(n):
            g = self.tau * _entropy_hess_diag(x[l], self.entropy, self.power) * h[l]
            for k in range(n):
                if k != l:
                    g = g + self._jacobian_t(k, l, x, h[k])
            grads.append(2.0 * g)
        self.x = [self._project(xi - self.step_size * gi, f)
                  for xi, gi, f in zip(x, grads, self.floor, strict=True)]
        self.loss = nash_loss(self.u, self.x, self.tau, self.power, self.entropy)
        self._accumulate(self.x)

    def diagnostics(self) -> dict[str, float]:
        return {"nash_loss": self.loss}


register_method("nash-loss-sgd", families=("normal_form",))(NashLossSGD)
