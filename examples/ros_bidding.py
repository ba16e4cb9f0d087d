"""Return-on-spend autobidding: regret near √(T log T) and the RoS constraint respected on every path.

Claims (Feng, Padmanabhan & Wang, "Online Bidding Algorithms for Return-on-Spend Constrained
Advertisers", WWW 2023, as we read it): for i.i.d. auctions the primal–dual algorithm (dual on the RoS
constraint updated by entropic mirror descent) has expected regret O(√(T log T)) against the hindsight
optimum and never violates the RoS constraint ``total value ≥ γ · total spend``; combined with
Balseiro, Lu & Mirrokni's budget dual it also never exceeds a budget ρT.

Setting: ``allocation:ros_second_price``, v ~ U[0, 1], competing bid d ~ U[0, 1.5], γ = 1 (winning
every auction would break the RoS constraint), alone and with a budget of 0.1 per auction. Regret
against the hindsight LP (an upper bound on the hindsight optimum). ``guard`` is our addition (not
the paper's): it keeps every prefix of the path feasible too.

    python examples/ros_bidding.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true",
                    help="shorter horizons, 2 seeds (the test suite's smoke run)")
    args = ap.parse_args()
    horizons = [200, 400, 800] if args.fast else [250, 500, 1000, 2000, 4000, 8000]
    seeds = range(2 if args.fast else 10)
    for label, extra in (("RoS only", ""), ("RoS + budget 0.1 T", ", budget_rate=0.1")):
        print(f"\n{label}")
        print(f"{'guard':6} " + " ".join(f"{'T=' + str(T):>8}" for T in horizons)
              + "  slope  max regret/sqrt(T log T)")
        for guard in (False, True):
            means, viol, prefix, worst = [], [], [], 0.0
            for T in horizons:
                regs = []
                for s in seeds:
                    game = eq.load_game(f"allocation:ros_second_price(horizon={T}, seed={s}{extra})")
                    sol = eq.solve(game, "ros-bidding", iterations=T, eval_every=T, guard=guard)[0]
                    regs.append(sol.nash_conv)
                    viol.append(sol.info["constraint_violation"])
                    prefix.append(sol.info["ros_min_prefix_slack"])
                means.append(float(np.mean(regs)))
                worst = max(worst, means[-1] / np.sqrt(T * np.log(T)))
            slope = float(np.polyfit(np.log(horizons), np.log(means), 1)[0])
            print(f"{guard!s:6} " + " ".join(f"{m:8.2f}" for m in means) + f"  {slope:5.3f}  {worst:.3f}")
            runs = len(viol)
            print(f"  regret slope (guard={guard}): claimed ~0.5 (O(sqrt(T log T))), measured: {slope:.3f}")
            print(f"  RoS/budget violation at the end of each of {runs} paths (guard={guard}): claimed 0, "
                  f"measured: {max(viol):g}")
            print(f"  worst prefix RoS deficit (guard={guard}): claimed {'0 (guard)' if guard else 'none'}, "
                  f"measured: {abs(min(prefix)):.4f}")


if __name__ == "__main__":
    main()
