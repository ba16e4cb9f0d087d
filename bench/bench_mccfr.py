"""Sampled MCCFR against OpenSpiel's C++ solvers, in one process: trajectories per second, and
NashConv at equal wall-clock time.

- ours: ``mccfr-outcome`` / ``mccfr-external`` with ``batch`` traversals per player and iteration
  (the walk covers only the sampled part of the tree, one level of all B traversals per NumPy call);
- the peer: ``pyspiel.OutcomeSamplingMCCFRSolver`` / ``pyspiel.ExternalSamplingMCCFRSolver``
  (one iteration = one traversal per player, as ours with ``batch=1``).

A trajectory is one sampled terminal (outcome sampling) or one traversal of the sampled tree for
one player (external sampling). Each side runs for the same wall-clock budget in chunks; NashConv
is taken between chunks (off the clock) with each library's own evaluator, and the two curves are
printed and, with ``--plot``, drawn against time.

    .venv/bin/python bench/bench_mccfr.py [--seconds 10] [--games leduc_poker,liars_dice] [--plot mccfr.png]
"""

from __future__ import annotations

import argparse
import time

import pyspiel

from equilibria.dynamics.mccfr import ExternalSamplingMCCFR, OutcomeSamplingMCCFR
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.metrics import nash_conv

BATCH = {"outcome": 512, "external": 64}


def run_ours(game: ExtensiveFormGame, kind: str, budget: float, chunks: int) -> tuple[float, list]:
    cls = OutcomeSamplingMCCFR if kind == "outcome" else ExternalSamplingMCCFR
    learner = cls(game, seed=0, batch=BATCH[kind])
    learner.step()  # warm-up (allocations, first-touch)
    clock, trajectories, curve = 0.0, 0, []
    for c in range(1, chunks + 1):
        t0 = time.perf_counter()
        while clock + time.perf_counter() - t0 < budget * c / chunks:
            learner.step()
            trajectories += BATCH[kind] * game.num_players
        clock += time.perf_counter() - t0
        curve.append((clock, nash_conv(game, learner.average_strategy())))
    return trajectories / clock, curve


def run_cpp(spiel, kind: str, budget: float, chunks: int) -> tuple[float, list]:
    cls = pyspiel.OutcomeSamplingMCCFRSolver if kind == "outcome" else pyspiel.ExternalSamplingMCCFRSolver
    solver = cls(spiel, seed=0)
    solver.run_iteration()
    clock, trajectories, curve = 0.0, 0, []
    for c in range(1, chunks + 1):
        t0 = time.perf_counter()
        while clock + time.perf_counter() - t0 < budget * c / chunks:
            for _ in range(100):
                solver.run_iteration()
            trajectories += 100 * spiel.num_players()
        clock += time.perf_counter() - t0
        # two-player zero-sum: NashConv = 2 × exploitability
        curve.append((clock, spiel.num_players() * pyspiel.exploitability(spiel, solver.average_policy())))
    return trajectories / clock, curve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="wall-clock budget per run")
    ap.add_argument("--chunks", type=int, default=5)
    ap.add_argument("--games", default="leduc_poker,liars_dice")
    ap.add_argument("--plot", default=None, help="write NashConv against time to this PNG")
    args = ap.parse_args()
    curves = {}
    for name in args.games.split(","):
        spiel = pyspiel.load_game(name)
        t0 = time.perf_counter()
        game = ExtensiveFormGame.from_state(spiel.new_initial_state())
        print(f"{name}: {game.num_nodes} nodes, {game.num_infosets} infosets (compiled in "
              f"{time.perf_counter() - t0:.1f} s); {args.seconds:.0f} s per run")
        print(f"  {'sampling':<9} {'ours traj/s':>12} {'C++ traj/s':>11} {'ratio':>6} "
              f"{'ours NashConv':>14} {'C++ NashConv':>13}  (batch)")
        for kind in ("outcome", "external"):
            rate, ours = run_ours(game, kind, args.seconds, args.chunks)
            rate_cpp, cpp = run_cpp(spiel, kind, args.seconds, args.chunks)
            curves[name, kind] = (ours, cpp)
            print(f"  {kind:<9} {rate:>12,.0f} {rate_cpp:>11,.0f} {rate / rate_cpp:>5.2f}x "
                  f"{ours[-1][1]:>14.4f} {cpp[-1][1]:>13.4f}  ({BATCH[kind]})")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(curves), figsize=(4 * len(curves), 3.4), squeeze=False)
        for ax, ((name, kind), (ours, cpp)) in zip(axes[0], curves.items(), strict=True):
            ax.loglog(*zip(*ours, strict=True), "o-", label="equilibria")
            ax.loglog(*zip(*cpp, strict=True), "s--", label="OpenSpiel C++")
            ax.set(title=f"{name}, {kind}", xlabel="seconds", ylabel="NashConv")
            ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
