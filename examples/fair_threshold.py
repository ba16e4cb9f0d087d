"""Optimistic feasible search on closed-loop two-group lending: reward and violation against baselines.

Claim (Du, "Optimistic Feasible Search for Closed-Loop Fair Threshold Decision-Making",
arXiv:2512.22313, 2025, abstract): on a synthetic closed-loop benchmark OFS achieves higher reward with
smaller cumulative constraint violation than unconstrained and primal–dual bandit baselines, and its
steady-state reward gap to the best feasible fixed threshold is below 0.003.

Our benchmark (``fair:lending``, our construction from the paper's description; see
`equilibria.games.fair_lending`): 10 score bins, group B's scores 2 bins lower, demographic parity
tolerance 0.05, optionally a service rate ≥ 0.5, 100 applicants a round, a contraction on the share of
group B. Per-round reward and violation are exact expectations given the round's population; the
steady-state gap is that of the returned policy (the empirical distribution of thresholds played).

    python examples/fair_threshold.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq

METHODS = ("optimistic-feasible-search", "fair-primal-dual", "threshold-ucb")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="600 rounds, 2 seeds (the test suite's smoke run)")
    args = ap.parse_args()
    T = 600 if args.fast else 5000
    seeds = range(2 if args.fast else 10)
    for spec in ("fair:lending", "fair:lending(min_service=0.5)"):
        game = eq.load_game(spec)
        best, value = game.best_feasible()
        rew, _ = game.steady_values()
        print(f"\n{game.title}: best feasible threshold {best} (steady reward {value:.4f}); "
              f"unconstrained best {int(np.argmax(rew))} ({rew.max():.4f}); T = {T}, {len(seeds)} seeds")
        print(f"{'method':28} {'reward/round':>12} {'violation/round':>15} {'cum. violation':>14} "
              f"{'R* - R(pi)':>10} {'NashConv':>9}")
        rows = {}
        for m in METHODS:
            out = [eq.solve(game, m, iterations=T, eval_every=T, seed=s)[0] for s in seeds]
            r = np.mean([o.info["reward_per_round"] for o in out])
            v = np.mean([o.info["violation_per_round"] for o in out])
            # signed: a policy that mixes in infeasible thresholds can earn more than the benchmark
            gap = np.mean([value - o.info["steady_reward"] for o in out])
            nc = np.mean([o.nash_conv for o in out])
            rows[m] = (r, v, gap)
            print(f"{m:28} {r:12.4f} {v:15.4f} {v * T:14.1f} {gap:10.4f} {nc:9.4f}")
        ofs, pd, ucb = (rows[m] for m in METHODS)
        print(f"  OFS violation vs primal-dual and unconstrained: claimed smaller, measured: "
              f"{ofs[1]:.4f} vs {pd[1]:.4f} and {ucb[1]:.4f}")
        print(f"  OFS reward vs primal-dual: claimed higher, measured: {ofs[0]:.4f} vs {pd[0]:.4f} "
              "(the baseline earns more by violating the constraints)" if ofs[0] < pd[0] else
              f"  OFS reward vs primal-dual: claimed higher, measured: {ofs[0]:.4f} vs {pd[0]:.4f}")
        print(f"  OFS steady-state reward gap to the best feasible threshold: claimed < 0.003, "
              f"measured: {ofs[2]:.4f}")


if __name__ == "__main__":
    main()
