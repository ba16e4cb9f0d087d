"""Constrained RLHF: hold each component reward at its proxy point instead of maximising their sum.

Claim (Moskovitz et al., "Confronting Reward Model Overoptimization with Constrained RLHF", ICLR
2024): optimising a composite of reward models past each one's *proxy point* (the reward value at
which the true evaluation peaks) lowers the evaluation; constraining every component at its proxy
point, with the Lagrange multipliers as dynamic weights, keeps the evaluation near its peak without
tuning the KL strength; and the correlation between components moves the points (the composite's
optimum sits elsewhere than each component's own proxy point).

Our toy (our construction, not the paper's dialogue task): K responses with two quality aspects
q_1, q_2 ~ N(0, 1) and a shared hackable feature h > 0 on 0.5% of them (think of length); the reward
models are r_i = q_i + h and the evaluation e = q_1 + q_2 − 4h. The proxy point θ = (θ_1, θ_2) is
(E_π r_1, E_π r_2) where E_π e peaks along the composite path π ∝ π_ref exp((r_1 + r_2)/β), β
decreasing; each component's own proxy point (along π ∝ π_ref exp(r_i/β)) is printed beside it.

    python examples/alignment_constrained_rlhf.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq  # noqa: F401  (the public API; the alignment functions live in solvers.alignment)
from equilibria.solvers.alignment import constrained_rlhf, tilted_policy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="fewer responses and β values")
    args = ap.parse_args()
    K, nb = (1000, 40) if args.fast else (20000, 120)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, K))
    h = (rng.random(K) < 0.005) * (1.5 + rng.exponential(0.5, K))
    R = q + h[None]
    e = q.sum(axis=0) - 4.0 * h
    ref = np.full(K, 1.0 / K)
    betas = np.geomspace(20.0, 0.01, nb)

    def path(r: np.ndarray) -> np.ndarray:
        pis = np.stack([tilted_policy(ref, r, b)[0] for b in betas])
        return np.column_stack([betas, pis @ e, pis @ R[0], pis @ R[1]])

    for i in range(2):
        p = path(R[i])
        j = int(np.argmax(p[:, 1]))
        print(f"r_{i + 1} alone: evaluation peaks at {p[j, 1]:.3f} (β = {p[j, 0]:.3f}) with E r_{i + 1} = "
              f"{p[j, 2 + i]:.3f}; at β = {betas[-1]:.2f} it is {p[-1, 1]:.3f}")
    pc = path(R.sum(axis=0))
    jc = int(np.argmax(pc[:, 1]))
    theta = [pc[jc, 2], pc[jc, 3]]
    print(f"r_1 + r_2: evaluation peaks at {pc[jc, 1]:.3f} (β = {pc[jc, 0]:.3f}): proxy point θ = "
          f"({theta[0]:.3f}, {theta[1]:.3f}); at β = {betas[-1]:.2f} it is {pc[-1, 1]:.3f}")
    print()
    print(f"{'beta':>6s} {'eval, sum of RMs':>17s} {'eval, constrained':>18s} {'multipliers μ':>18s} "
          f"{'E r at constrained':>20s}")
    for b in (1.0, 0.1, 0.01):
        un = tilted_policy(ref, R.sum(axis=0), b)[0] @ e
        out = constrained_rlhf(ref, R, theta, beta=b)
        mu = out["multipliers"]
        print(f"{b:6.2f} {un:17.3f} {out['policy'][0] @ e:18.3f}   ({mu[0]:6.3f}, {mu[1]:6.3f})   "
              f"({out['values'][0]:6.3f}, {out['values'][1]:6.3f})")
    out = constrained_rlhf(ref, R, theta, beta=0.01)
    un = tilted_policy(ref, R.sum(axis=0), 0.01)[0] @ e
    print(f"claimed: constrained at the proxy points keeps the evaluation near its peak {pc[jc, 1]:.3f} "
          f"where the unconstrained composite falls ({un:.3f} at β = 0.01); measured: "
          f"{out['policy'][0] @ e:.3f}")
    print("  (with both constraints active and equal multipliers the constrained policy is the composite's"
          " tilt at the effective strength β/(1 − μ): the multipliers do the early stopping)")
    eq_out = constrained_rlhf(ref, R, theta, beta=0.01, equality=True)
    print(f"  equality form (min KL s.t. E r_i = θ_i): evaluation {eq_out['policy'][0] @ e:.3f}, "
          f"KL {eq_out['kl']:.3f} vs {out['kl']:.3f} for the inequality form")


if __name__ == "__main__":
    main()
