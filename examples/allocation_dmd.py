"""Dual mirror descent for online allocation: √T regret (i.i.d. input), a fixed ratio (adversarial input).

Claims (Balseiro, Lu & Mirrokni, "The Best of Many Worlds: Dual Mirror Descent for Online Allocation
Problems", Operations Research 2022):

- Theorem 1 (i.i.d. input), step size η ∝ 1/√T: regret against the hindsight optimum is O(√T). We fit
  the log-log slope of the mean regret (over seeds) against T: the claim is an upper bound of 0.5.
- Adversarial input: reward ≥ OPT/α − O(√T) with α = sup_{t,j} c_j/ρ_j, i.e. the competitive ratio
  reward/OPT tends to at least 1/α (as we read the paper's adversarial theorem).
- The budget is never exceeded on any sample path (the algorithm stops spending when it cannot pay).

Regret is measured exactly against the hindsight LP (an upper bound on the hindsight optimum), on
the budgeted second-price bidder (``allocation:budgeted_second_price``, ρ = 0.1, v, d ~ U[0, 1]) and on
network revenue management (``allocation:network_revenue``).

    python examples/allocation_dmd.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq


def run(spec: str, **opts):
    game = eq.load_game(spec)
    sol = eq.solve(game, "dual-mirror-descent", iterations=game.horizon, eval_every=game.horizon, **opts)[0]
    return game, sol


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true",
                    help="shorter horizons, 3 seeds (the test suite's smoke run)")
    args = ap.parse_args()
    horizons = [200, 400, 800, 1600] if args.fast else [250, 500, 1000, 2000, 4000, 8000]
    seeds = range(3 if args.fast else 10)
    violations = []

    print("i.i.d. input: budgeted second-price bidder, budget rate 0.1, v, d ~ U[0, 1]")
    print(f"{'mirror map':15} " + " ".join(f"{'T=' + str(T):>9}" for T in horizons) + "   slope")
    for mirror in ("subgradient", "multiplicative"):
        means = []
        for T in horizons:
            regs = []
            for s in seeds:
                _, sol = run(f"allocation:budgeted_second_price(horizon={T}, seed={s})", mirror_map=mirror)
                regs.append(sol.nash_conv)
                violations.append(sol.info["constraint_violation"])
            means.append(float(np.mean(regs)))
        slope = float(np.polyfit(np.log(horizons), np.log(means), 1)[0])
        print(f"{mirror:15} " + " ".join(f"{m:9.2f}" for m in means) + f"   {slope:.3f}")
        print(f"  regret ~ T^slope ({mirror}): claimed slope <= 0.5 (O(sqrt T)), measured: {slope:.3f}")

    T = horizons[-1]
    print(f"\nnon-stationary (periodic) and adversarial input, T = {T}")
    print(f"{'input':12} {'mirror map':15} {'regret':>9} {'regret/T':>9} {'ratio':>7} {'1/alpha':>8}")
    for model in ("periodic", "adversarial"):
        for mirror in ("subgradient", "multiplicative"):
            game, sol = run(f"allocation:budgeted_second_price(horizon={T}, input_model='{model}')",
                            mirror_map=mirror)
            violations.append(sol.info["constraint_violation"])
            ratio = sol.info["competitive_ratio"]
            print(f"{model:12} {mirror:15} {sol.nash_conv:9.2f} {sol.nash_conv / T:9.4f} {ratio:7.3f} "
                  f"{1 / game.alpha:8.3f}")
            if model == "adversarial":
                print(f"  adversarial ratio ({mirror}): claimed >= 1/alpha = {1 / game.alpha:.3f} "
                      f"(asymptotically), measured: {ratio:.3f}")

    print("\nnetwork revenue management (3 legs, 6 products, capacity 0.25 T per leg), i.i.d. input")
    nrm = []
    for Tn in horizons[-3:]:
        _, sol = run(f"allocation:network_revenue(horizon={Tn}, seed=0)")
        violations.append(sol.info["constraint_violation"])
        nrm.append(sol.nash_conv)
        print(f"  T={Tn:5d}  regret {sol.nash_conv:8.2f}  regret/T {sol.nash_conv / Tn:.4f}  "
              f"ratio {sol.info['competitive_ratio']:.4f}")
    print(f"\nbudget constraint violation over all {len(violations)} runs: claimed 0, "
          f"measured: {max(violations):g}")


if __name__ == "__main__":
    main()
