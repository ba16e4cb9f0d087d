"""UCB1 and Thompson sampling over 1,000 seeds × 10⁴ rounds: one vectorised batch against a per-seed loop.

The peer the issue names, SMPyBandits (0.9.7, last released 2019), installs but does not import with
current SciPy (``scipy.special.btdtri`` was removed), so the baseline is the straightforward
implementation: a Python loop over rounds, one seed at a time, with the same update rules and the
same exact pseudo-regret. The loop is timed on ``--loop-seeds`` seeds and scaled linearly to all
seeds (the seeds are independent, so its time is linear in their number); both sides' mean
regrets are printed to show they run the same algorithm.

    python bench/bench_bandit.py [--seeds 1000] [--horizon 10000] [--loop-seeds 20]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import equilibria as eq
from equilibria.dynamics.bandit import simulate

MEANS = (0.5, 0.6, 0.7)


def loop_ucb1(means: np.ndarray, horizon: int, rng: np.random.Generator) -> float:
    K = len(means)
    counts = np.zeros(K)
    sums = np.zeros(K)
    regret = 0.0
    best = means.max()
    for t in range(horizon):
        if t < K:
            a = t
        else:
            a = int(np.argmax(sums / counts + np.sqrt(2.0 * math.log(t) / counts)))
        r = float(rng.random() < means[a])
        counts[a] += 1
        sums[a] += r
        regret += best - means[a]
    return regret


def loop_thompson(means: np.ndarray, horizon: int, rng: np.random.Generator) -> float:
    K = len(means)
    succ = np.zeros(K)
    fail = np.zeros(K)
    regret = 0.0
    best = means.max()
    for _ in range(horizon):
        a = int(np.argmax(rng.beta(succ + 1.0, fail + 1.0)))
        r = float(rng.random() < means[a])
        succ[a] += r
        fail[a] += 1.0 - r
        regret += best - means[a]
    return regret


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--horizon", type=int, default=10_000)
    ap.add_argument("--loop-seeds", type=int, default=20)
    args = ap.parse_args()
    game = eq.load_game(f"bandit:bernoulli(means={list(MEANS)})")
    means = np.asarray(MEANS)
    print(f"{args.seeds} seeds × {args.horizon} rounds, Bernoulli means {list(MEANS)}")
    print(f"{'method':10} {'batch s':>9} {'loop s (scaled)':>16} {'ratio':>7} {'batch regret':>13} "
          f"{'loop regret':>12}")
    for method, loop in (("ucb1", loop_ucb1), ("thompson", loop_thompson)):
        t0 = time.perf_counter()
        run = simulate(game, method, seeds=args.seeds, horizon=args.horizon, seed=0, points=10)
        batch = time.perf_counter() - t0
        rng = np.random.default_rng(0)
        t0 = time.perf_counter()
        regrets = [loop(means, args.horizon, rng) for _ in range(args.loop_seeds)]
        per_seed = (time.perf_counter() - t0) / args.loop_seeds
        scaled = per_seed * args.seeds
        print(f"{method:10} {batch:9.2f} {scaled:16.2f} {scaled / batch:6.1f}x {run.mean[-1]:13.1f} "
              f"{np.mean(regrets):12.1f}")


if __name__ == "__main__":
    main()
