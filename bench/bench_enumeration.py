"""All extreme equilibria of random 8×8 games: vertex enumeration vs pygambit ``enummixed_solve``
and nashpy ``vertex_enumeration``.

Run: ``.venv/bin/python bench/bench_enumeration.py [--n 8] [--seeds 5]``

Payoffs are i.i.d. uniform on [0, 1) (float mode) and, for the exact columns, integers in 0..9
(degenerate games with ties, where Gambit's rational enummixed is the reference). Times are medians
over the seeds, every solver in this process; ratio = peer time / our time (> 1: we are faster).
The numbers of equilibria found are checked to agree.
"""

from __future__ import annotations

import argparse
import statistics
import time
from fractions import Fraction

import numpy as np

import equilibria as eq
from equilibria.solvers.enumeration import support_enumeration, vertex_enumeration


def timed(fn, repeat: int = 3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    import nashpy
    import pygambit

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    n = args.n

    rows = {k: [] for k in ("ours", "support", "gambit", "nashpy", "ours_exact", "gambit_exact")}
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        A, B = rng.random((n, n)), rng.random((n, n))
        game = eq.NormalFormGame.from_bimatrix(A, B)
        t, ours = timed(lambda game=game: vertex_enumeration(game))
        rows["ours"].append(t)
        t, sup = timed(lambda game=game: support_enumeration(game))
        rows["support"].append(t)
        gg = pygambit.Game.from_arrays(A, B)
        t, gam = timed(lambda gg=gg: pygambit.nash.enummixed_solve(gg, rational=False).equilibria)
        rows["gambit"].append(t)
        t, npy = timed(lambda A=A, B=B: list(nashpy.Game(A, B).vertex_enumeration()), repeat=1)
        rows["nashpy"].append(t)
        assert len(ours) == len(sup) == len(gam) == len(npy), (len(ours), len(sup), len(gam), len(npy))

        Ai, Bi = rng.integers(0, 10, size=(n, n)), rng.integers(0, 10, size=(n, n))
        gi = eq.NormalFormGame.from_bimatrix(Ai, Bi)
        t, ex = timed(lambda gi=gi: vertex_enumeration(gi, exact=True), repeat=1)
        rows["ours_exact"].append(t)
        ggi = pygambit.Game.from_arrays(Ai.astype(object), Bi.astype(object))
        t, gex = timed(lambda ggi=ggi: pygambit.nash.enummixed_solve(ggi, rational=True).equilibria, repeat=1)
        rows["gambit_exact"].append(t)
        want = {tuple(tuple(Fraction(p[s]) for s in pl.strategies) for pl in ggi.players) for p in gex}
        assert {(tuple(s.strategies[0]), tuple(s.strategies[1])) for s in ex} == want

    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"random {n}x{n} games, {args.seeds} seeds, median seconds")
    print(f"{'solver':<42} {'ms':>9} {'ratio peer/ours':>16}")
    print(f"{'ours vertex-enumeration (float)':<42} {1e3 * med['ours']:9.1f}")
    print(f"{'ours support-enumeration (float)':<42} {1e3 * med['support']:9.1f}")
    print(f"{'pygambit enummixed_solve (float)':<42} {1e3 * med['gambit']:9.1f} "
          f"{med['gambit'] / med['ours']:16.2f}")
    print(f"{'nashpy vertex_enumeration':<42} {1e3 * med['nashpy']:9.1f} {med['nashpy'] / med['ours']:16.1f}")
    print(f"{'ours vertex-enumeration (exact, ints 0..9)':<42} {1e3 * med['ours_exact']:9.1f}")
    print(f"{'pygambit enummixed_solve (rational, 0..9)':<42} {1e3 * med['gambit_exact']:9.1f} "
          f"{med['gambit_exact'] / med['ours_exact']:16.2f}")


if __name__ == "__main__":
    main()
