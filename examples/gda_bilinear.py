"""GDA diverges on the bilinear game min_x max_y xy, while EG, OGDA, CGD and complex momentum converge.

Claims reproduced (step size η, bilinear game ℓ_1 = xy = −ℓ_2, so F(z) = Jz with J = [[0, 1], [−1, 0]]
and every method is a linear map z_{t+1} = Φ z_t of its state; its per-step contraction factor is
the spectral radius ρ(Φ), and log ρ(Φ) is its maximal Lyapunov exponent):

- GDA spirals out: ρ = √(1 + η²) > 1 (Gidel et al., "Negative Momentum for Improved Game
  Dynamics", AISTATS 2019, Thm 1; Goodfellow's NIPS 2016 GAN tutorial).
- Extragradient converges: ρ = √(1 − η² + η⁴) < 1 (Korpelevich 1976).
- Optimistic GDA converges: ρ = the largest root modulus of λ² − (1 − 2iη)λ − iη = 0
  (Daskalakis, Ilyas, Syrgkanis & Zeng, "Training GANs with Optimism", ICLR 2018).
- CGD converges for every η: ρ = 1/√(1 + η²) (Schäfer & Anandkumar, NeurIPS 2019).
- Complex momentum (β = 0.8·e^{3iπ/8}, our default) converges (Lorraine et al., "Complex Momentum for
  Optimization in Games", AISTATS 2022); ρ is that of its 6-dimensional real state (z, Re μ, Im μ).

For each method the script prints the claimed rate beside the measured one, (‖z_T‖/‖z_0‖)^{1/T}
over the run, and the Benettin estimate of the maximal Lyapunov exponent beside log ρ, then writes
a 2-D trajectory plot.

Run:  python examples/gda_bilinear.py [--iterations 300] [--step-size 0.2] [--plot gda_bilinear.png] [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.diagnostics import max_lyapunov_exponent
from equilibria.dynamics.continuous import trajectory


def claimed_rates(eta: float, beta: complex) -> dict[str, float]:
    """ρ(Φ) of each method's linear update on xy, from the closed forms quoted in the module doc."""
    ogda = max(abs(np.roots([1.0, -(1 - 2j * eta), -1j * eta])))
    # complex momentum: μ' = βμ − Jz, z' = z + η Re μ' as a real 6 × 6 matrix on (z, Re μ, Im μ)
    J = np.array([[0.0, 1.0], [-1.0, 0.0]])
    I, Z = np.eye(2), np.zeros((2, 2))
    mu_re = np.hstack([-J, beta.real * I, -beta.imag * I])
    mu_im = np.hstack([Z, beta.imag * I, beta.real * I])
    Phi = np.vstack([np.hstack([I, Z, Z]) + eta * mu_re, mu_re, mu_im])
    cm = max(abs(np.linalg.eigvals(Phi)))
    return {
        "gda": np.sqrt(1 + eta**2),
        "extragradient": np.sqrt(1 - eta**2 + eta**4),
        "ogda": ogda,
        "cgd": 1 / np.sqrt(1 + eta**2),
        "complex-momentum": cm,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--step-size", type=float, default=0.2)
    ap.add_argument("--plot", default="gda_bilinear.png")
    ap.add_argument("--fast", action="store_true", help="100 iterations, no plot (the tests' smoke run)")
    args = ap.parse_args()
    if args.fast:
        args.iterations, args.plot = 100, None
    eta = args.step_size
    game = eq.load_game("bilinear")  # 1 x 1, start (1, 1), equilibrium (0, 0)
    beta = 0.8 * np.exp(3j * np.pi / 8)
    rates = claimed_rates(eta, beta)
    claims = {"gda": "diverges", "extragradient": "converges", "ogda": "converges",
              "cgd": "converges", "complex-momentum": "converges"}
    T = args.iterations
    print(f"bilinear game xy, step size {eta}, {T} iterations, start (1, 1)")
    print(f"{'method':17s} {'claim':10s} {'rate claimed':>12s} {'measured':>9s} "
          f"{'|z_T|':>10s} {'Lyapunov log(rho)':>17s} {'measured':>9s}  verdict")
    trajs, measured_rates = {}, {}
    for method, claim in claims.items():
        opts = {"beta": beta} if method == "complex-momentum" else {}
        tr = trajectory(eq.make_learner(game, method, step_size=eta, **opts), T)
        trajs[method] = tr
        norms = np.linalg.norm(tr, axis=1)
        measured = (norms[-1] / norms[0]) ** (1.0 / T)
        behaves_as = "diverges" if norms[-1] > norms[0] else "converges"
        measured_rates[method] = (behaves_as, measured)
        lyap = max_lyapunov_exponent(eq.make_learner(game, method, step_size=eta, **opts), T)
        verdict = "ok" if behaves_as == claim and abs(measured - rates[method]) < 0.01 else "MISMATCH"
        print(f"{method:17s} {claim:10s} {rates[method]:12.5f} {measured:9.5f} {norms[-1]:10.3e} "
              f"{np.log(rates[method]):17.5f} {lyap:9.5f}  {verdict}")
    print()
    for method, claim in claims.items():
        behaves_as, rate = measured_rates[method]
        print(f"claimed: {method} {claim}, rate {rates[method]:.5f} "
              f"| measured: {behaves_as}, rate {rate:.5f}")
    if not args.plot:
        return
    from equilibria.plotting import plot_trajectories_2d

    path = plot_trajectories_2d(
        {k: v for k, v in trajs.items()}, args.plot,
        title=f"min_x max_y xy: {T} steps of size {eta} from (1, 1)",
        xlabel="x (minimising player)", ylabel="y (maximising player)",
        equilibrium=(0.0, 0.0), field=lambda x, y: (-y, x),
        limits=(-2.5, 2.5, -2.5, 2.5),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
