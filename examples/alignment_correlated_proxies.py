"""Correlated proxies: χ² occupancy regularisation against action KL on a small reward-hacking MDP.

Claims (Laidlaw, Singhal & Dragan, "Correlated Proxies: A New Definition and Improved Mitigation for
Reward Hacking", arXiv:2403.03185, 2024):
1. if the proxy R̃ is r-correlated with the true reward R under the base policy's occupancy, every
   policy's true gain is at least (rσ/σ̃) × its proxy gain − σ √(1 − r²) √χ²(μ_π‖μ_b);
2. so regularising with the χ² divergence of occupancy measures (λ = σ̃ √(1 − r²)/r maximises that
   lower bound) prevents reward hacking better than the usual KL between action distributions.

Our MDP (our construction): a corridor of 8 states, actions left/stay/right (moving w.p. 0.9), start
at the left end, γ = 0.9. State 2 is the task (R = R̃ = 1), state 3 half of it; the far right state is
a hack: R̃ = 2, R = −0.5. The base policy moves at random (0.3/0.4/0.3), so it rarely reaches the hack
and R, R̃ are strongly correlated under it.

    python examples/alignment_correlated_proxies.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq  # noqa: F401  (the public API; these functions live in solvers.alignment)
from equilibria.solvers.alignment import (
    chi2_occupancy_policy,
    correlated_proxy_bound,
    kl_regularised_mdp_policy,
    occupancy_measure,
)


def corridor(S: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    T = np.zeros((S, 3, S))
    for s in range(S):
        for a, d in enumerate((-1, 0, 1)):
            T[s, a, min(max(s + d, 0), S - 1)] += 0.9
            T[s, a, s] += 0.1
    R = np.zeros((S, 3))
    R[2], R[3], R[S - 1] = 1.0, 0.5, -0.5
    Rp = R.copy()
    Rp[S - 1] = 2.0
    return T, np.eye(S)[0], R, Rp, np.tile([0.3, 0.4, 0.3], (S, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="fewer regularisation strengths")
    args = ap.parse_args()
    T, rho, R, Rp, base = corridor()
    gamma = 0.9
    mb = occupancy_measure(T, rho, gamma, base)
    info = correlated_proxy_bound(R, Rp, mb, mb)
    r = info["correlation"]
    sdp = float(np.sqrt(np.sum(mb * (Rp - np.sum(mb * Rp)) ** 2)))
    lam_star = sdp * np.sqrt(1 - r * r) / r
    j_base = float(np.sum(mb * R))
    print(f"base policy: true return {j_base:.3f}, correlation of R and R̃ under μ_b: r = {r:.3f}; "
          f"recommended λ = σ̃√(1−r²)/r = {lam_star:.3f}")
    lams = np.geomspace(0.03, 10.0, 6 if args.fast else 16)
    print(f"{'λ':>7s} {'KL: true':>9s} {'proxy':>7s} {'χ²: true':>9s} {'proxy':>7s} {'χ²(μ‖μ_b)':>10s}")
    best_kl = best_chi = -np.inf
    for lam in lams:
        mk = occupancy_measure(T, rho, gamma, kl_regularised_mdp_policy(T, rho, gamma, Rp, base, lam))
        oc = chi2_occupancy_policy(T, rho, gamma, Rp, base, lam)
        mc = oc["occupancy"]
        tk, tc = float(np.sum(mk * R)), float(np.sum(mc * R))
        best_kl, best_chi = max(best_kl, tk), max(best_chi, tc)
        print(f"{lam:7.3f} {tk:9.3f} {float(np.sum(mk * Rp)):7.3f} {tc:9.3f} {float(np.sum(mc * Rp)):7.3f} "
              f"{oc['chi2']:10.3f}")
    star = chi2_occupancy_policy(T, rho, gamma, Rp, base, lam_star)
    b = correlated_proxy_bound(R, Rp, mb, star["occupancy"])
    print(f"claimed: the true gain at the recommended λ is at least the bound; measured: gain "
          f"{b['true_gain']:.3f} >= bound {b['lower_bound']:.3f}")
    print(f"claimed: χ² occupancy regularisation beats action KL against reward hacking; measured: best "
          f"true return over λ {best_chi:.3f} (χ²) vs {best_kl:.3f} (KL), base {j_base:.3f}")


if __name__ == "__main__":
    main()
