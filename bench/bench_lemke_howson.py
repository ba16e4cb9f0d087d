"""Lemke-Howson on random n×n games: equilibria vs pygambit ``lcp_solve`` and nashpy ``lemke_howson``.

Run: ``.venv/bin/python bench/bench_lemke_howson.py [--seeds 5] [--nashpy-limit 10]``

Payoffs are i.i.d. uniform on [0, 1). Each solver runs in this process except nashpy, which runs in
a child process per game with a wall-clock limit (it often does not finish); "DNF" counts those.
Times are medians over the seeds (nashpy's over the games it finished); the ratio is peer time /
our time (> 1: we are faster). Every answer of ours is checked with ``nash_conv``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time

import numpy as np

import equilibria as eq
from equilibria.solvers.lemke_howson import lemke_howson


def random_game(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, n)), rng.random((n, n))


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _nashpy_child(A, B, queue) -> None:
    import warnings

    import nashpy

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    nashpy.Game(A, B).lemke_howson(initial_dropped_label=0)
    queue.put(time.perf_counter() - t0)


def nashpy_time(A: np.ndarray, B: np.ndarray, limit: float) -> float | None:
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_nashpy_child, args=(A, B, queue))
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    import pygambit

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 40])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--nashpy-limit", type=float, default=10.0)
    args = ap.parse_args()

    print(f"{'n':>4} {'ours ms':>9} {'exact ms':>9} {'gambit ms':>10} {'gambit/ours':>12} "
          f"{'nashpy ms':>10} {'nashpy/ours':>12} {'nashpy DNF':>11}")
    for n in args.sizes:
        ours, exact, gambit, nashpy_t, dnf = [], [], [], [], 0
        for seed in range(args.seeds):
            A, B = random_game(n, seed)
            game = eq.NormalFormGame.from_bimatrix(A, B)
            (sol,) = lemke_howson(game)
            assert eq.nash_conv(game, sol.strategies) <= 1e-9
            ours.append(timed(lambda game=game: lemke_howson(game)))
            exact.append(timed(lambda game=game: lemke_howson(game, exact=True), repeat=1))
            gg = pygambit.Game.from_arrays(A, B)
            gambit.append(timed(lambda gg=gg: pygambit.nash.lcp_solve(gg, rational=False, stop_after=1)))
            t = nashpy_time(A, B, args.nashpy_limit)
            if t is None:
                dnf += 1
            else:
                nashpy_t.append(t)
        o, g = statistics.median(ours), statistics.median(gambit)
        npy = f"{1e3 * statistics.median(nashpy_t):10.1f}" if nashpy_t else f"{'-':>10}"
        npr = f"{statistics.median(nashpy_t) / o:12.0f}" if nashpy_t else f"{'-':>12}"
        print(f"{n:>4} {1e3 * o:9.2f} {1e3 * statistics.median(exact):9.1f} {1e3 * g:10.2f} {g / o:12.1f} "
              f"{npy} {npr} {dnf:>5}/{args.seeds}")


if __name__ == "__main__":
    main()
