"""Strategyproof and proportionally fair facility location on [0, 1]: checkers and equilibria.

Claims (Aziz, Lam, Lee & Walsh, "Strategyproof and Proportionally Fair Facility Location", WINE
2022): the Uniform Phantom mechanism (median of the reports and the phantoms k/n) is strategyproof
and satisfies UFS and PF; the mean satisfies UFS but is manipulable; the median is strategyproof
but not UFS; and under any continuous, strictly monotone UFS mechanism (the mean, or a mixture of
the mean and the Uniform Phantom) every pure equilibrium of the reporting game has the Uniform
Phantom outcome. The checkers search grids of profiles and misreports; best-response dynamics find
the equilibrium.

Worst-case ratios (welfare: optimal utilitarian welfare Σ (1 − |y − x_i|) over the mechanism's;
cost: total cost Σ |y − x_i| over the minimum, the paper's definitions). The paper's numeric values
were not reachable to us (only its abstract: the Uniform Phantom is the best UFS mechanism for both),
so the "claimed" column holds closed forms derived here from the extremal profiles, each a lower
bound on the supremum: Uniform Phantom and mean, k agents at 0 and n − k at 1 (outcome (n − k)/n):
welfare max_k n k / (k² + (n − k)²) → (1 + √2)/2 ≈ 1.2071 as n → ∞; Uniform Phantom, n − 1 agents at
0 and one at ε ≤ 1/n (outcome ε): cost n − 1; mean: cost 2(n − 1)/n; midpoint, one agent at 0 and
n − 1 at 1: cost n/2; median: 1 (it is optimal).

    python examples/facility_location.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq  # noqa: F401  (the public API; the mechanisms live in a subpackage)
from equilibria import mechanisms as M


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="small grids and few profiles (seconds)")
    args = ap.parse_args()
    n, grid, mis = (3, 9, 41) if args.fast else (4, 11, 101)
    mechs = {"uniform phantom": M.uniform_phantom, "median": M.median, "mean": M.mean,
             "midpoint": M.midpoint, "mixture(0.5)": M.ufs_mixture(0.5)}
    print(f"n = {n} agents, profiles on a {grid}-point grid, {mis} misreports per agent")
    print(f"{'mechanism':16} {'strategyproof':>14} {'UFS':>5} {'PF':>5} {'prop.':>6} "
          f"{'welfare ratio':>14} {'cost ratio':>11}")
    for name, mech in mechs.items():
        sp = M.find_manipulation(mech, n, grid=grid, misreports=mis)
        ax = {a: M.find_axiom_violation(mech, n, a, grid=grid) is None
              for a in ("UFS", "PF", "proportionality")}
        w = M.worst_case_ratio(mech, n, "welfare", grid=grid)
        c = M.worst_case_ratio(mech, n, "cost", grid=grid)
        sp_s = "yes" if sp is None else f"no (+{sp.gain:.3f})"
        print(f"{name:16} {sp_s:>14} {ax['UFS']!s:>5} {ax['PF']!s:>5} {ax['proportionality']!s:>6} "
              f"{w.ratio:14.4f} {c.ratio:11.4f}")
    two = max(n * k / (k * k + (n - k) ** 2) for k in range(1, n))
    closed = {("uniform phantom", "welfare"): two, ("uniform phantom", "cost"): n - 1.0,
              ("mean", "welfare"): two, ("mean", "cost"): 2 * (n - 1) / n,
              ("median", "welfare"): 1.0, ("median", "cost"): 1.0, ("midpoint", "cost"): n / 2}
    for (name, obj), want in closed.items():
        got = M.worst_case_ratio(mechs[name], n, obj, grid=grid).ratio
        print(f"claimed ({name}, {obj} ratio, closed form derived here): {want:.4f}; measured: {got:.4f} "
              f"(grid search, n = {n})")
    big = 200
    k = round(big / 2**0.5)
    prof = np.r_[np.zeros(k), np.ones(big - k)]
    y = float(M.uniform_phantom(prof))  # the mechanism itself, beyond the grid search's n
    got = np.sum(1 - np.abs(np.median(prof) - prof)) / np.sum(1 - np.abs(y - prof))
    print(f"claimed (uniform phantom welfare ratio as n -> inf): (1 + sqrt 2)/2 = {(1 + 2**0.5) / 2:.4f}; "
          f"measured: {got:.4f} at n = {big}, {k} agents at 0")
    found = M.find_manipulation(M.mean, n, grid=grid, misreports=mis)
    print(f"mean: profile {found.profile}, agent {found.agent} reports {found.misreport:.2f} and moves the "
          f"facility from {found.truthful_outcome:.3f} to {found.manipulated_outcome:.3f}")
    print("claimed: uniform phantom strategyproof (no profitable misreport); measured: "
          f"{0 if M.find_manipulation(M.uniform_phantom, n, grid=grid, misreports=mis) is None else 1} "
          "profitable misreports found")
    # equilibria of the reporting game under continuous strictly monotone UFS mechanisms
    rng = np.random.default_rng(0)
    trials = 5 if args.fast else 50
    for name in ("mean", "mixture(0.5)"):
        gaps, rounds = [], []
        for _ in range(trials):
            x = rng.random(rng.integers(2, 8))
            _, y, t = M.best_response_dynamics(mechs[name], x, rounds=1000)
            gaps.append(abs(y - M.uniform_phantom(x)))
            rounds.append(t)
        print(f"claimed: best-response equilibrium outcome under {name} = uniform phantom outcome; "
              f"measured: max |gap| {max(gaps):.2e} over {trials} random profiles "
              f"(rounds to converge: median {int(np.median(rounds))}, max {max(rounds)})")


if __name__ == "__main__":
    main()
