"""Zero-sum LP and the n-player logit path: equilibria vs pygambit and nashpy, in one process.

- ``lp`` (HiGHS) vs pygambit ``lp_solve`` (float) and nashpy ``Game.linear_program`` on random
  Gaussian zero-sum n×n games; the values must agree.
- ``logit-qre-path`` vs pygambit ``logit_solve`` on random Gaussian 2-, 3- and 4-player games,
  then on every game with 3 or more players among pygambit's own catalog files
  (``pygambit/catalog_data``, .nfg and .efg; an .efg in its reduced strategic form from
  ``Game.to_arrays``) and this repository's ``tests/data/nfg`` files that pygambit reads.
  Ours refines the path's endpoint to NashConv <= 1e-9 · max|u|; gambit stops at its default
  regret 1e-8. Both solve the same strategic game (gambit's from ``Game.from_arrays``); "same
  endpoint" means the two profiles agree to 1e-4. The largest NashConv of each side is printed.
- ``correlated`` (welfare-maximising CE, one sparse LP) on n-player games, no peer (gambit,
  nashpy and OpenSpiel's Python API have none); printed for scale.

Times are medians over the games of each size. Shared machines are noisy; rerun before quoting.

    .venv/bin/python bench/bench_lp_qre.py [--games 5] [--only lp|logit|correlated ...]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import time

import nashpy
import numpy as np
import pygambit as gbt

import equilibria as eq
from equilibria.games.normal_form import NormalFormGame
from equilibria.solvers.qre import logit_qre_path


def timed(fn, repeat: int = 2):
    """The result and the best of ``repeat`` wall times (the first run also warms caches up)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def bench_lp(games: int) -> None:
    print("lp: random Gaussian zero-sum n x n games")
    print(f"{'n':>4} {'ours ms':>9} {'gambit ms':>10} {'nashpy ms':>10} {'gambit/ours':>12} "
          f"{'nashpy/ours':>12}")
    for n in (10, 50, 100, 200):
        t_ours, t_gbt, t_np = [], [], []
        for seed in range(games):
            A = np.random.default_rng(seed).normal(size=(n, n))
            g = NormalFormGame.zero_sum(A)
            sol, t = timed(lambda g=g: eq.solve(g, "lp")[0])
            t_ours.append(t)
            gg = gbt.Game.from_arrays(A, -A)
            res, t = timed(lambda gg=gg: gbt.nash.lp_solve(gg, rational=False))
            t_gbt.append(t)
            v_gbt = float(res.equilibria[0].payoff(list(gg.players)[0]))
            (x_np, _), t = timed(lambda A=A: nashpy.Game(A).linear_program())
            t_np.append(t)
            assert abs(v_gbt - sol.info["value"]) < 1e-6
            assert abs(float(np.min(A.T @ x_np)) - sol.info["value"]) < 1e-6
        mo, mg, mn = (statistics.median(x) * 1e3 for x in (t_ours, t_gbt, t_np))
        print(f"{n:>4} {mo:>9.2f} {mg:>10.2f} {mn:>10.2f} {mg / mo:>12.2f} {mn / mo:>12.2f}")


def bench_logit(games: int) -> None:
    print("\nlogit-qre-path vs gambit logit_solve: random Gaussian games")
    print(f"{'shape':>12} {'ours ms':>9} {'gambit ms':>10} {'gambit/ours':>12} {'max NC ours':>12} "
          f"{'max NC gambit':>14} {'same endpoint':>14}")
    for shape in ((5, 5), (10, 10), (3, 3, 3), (5, 5, 5), (3, 3, 3, 3)):
        t_ours, t_gbt, nc_ours, nc_gbt, same = [], [], [], [], 0
        for seed in range(games):
            u = np.random.default_rng(seed).normal(size=(len(shape), *shape))
            g = NormalFormGame(u)
            res, t = timed(lambda g=g: logit_qre_path(g))
            t_ours.append(t)
            nc_ours.append(res.nash_conv)
            gg = gbt.Game.from_arrays(*u)
            out, t = timed(lambda gg=gg: gbt.nash.logit_solve(gg))
            t_gbt.append(t)
            theirs = _gambit_profile(gg, out.equilibria[0])
            nc_gbt.append(eq.nash_conv(g, theirs))
            # the same limit of the principal branch: within gambit's own endpoint accuracy
            gap = max(float(np.abs(a - b).max()) for a, b in zip(res.profile, theirs, strict=True))
            same += gap < 1e-4
        mo, mg = statistics.median(t_ours) * 1e3, statistics.median(t_gbt) * 1e3
        print(f"{'x'.join(map(str, shape)):>12} {mo:>9.1f} {mg:>10.1f} {mg / mo:>12.2f} "
              f"{max(nc_ours):>12.1e} {max(nc_gbt):>14.1e} {same:>9}/{games}")


def _gambit_profile(gg: gbt.Game, prof) -> list[np.ndarray]:
    theirs = [np.array([float(prof[s]) for s in p.strategies]) for p in gg.players]
    return [s / s.sum() for s in theirs]


def catalog_games(min_players: int = 3) -> list[tuple[str, np.ndarray]]:
    """``(name, payoffs)`` of the games with ``min_players`` or more players in pygambit's catalog
    files and in ``tests/data/nfg`` (the files pygambit reads)."""
    cat = pathlib.Path(gbt.__file__).parent / "catalog_data"
    ours = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "nfg"
    out = []
    for root, label in ((cat, "gambit/"), (ours, "tests/data/nfg/")):
        for f in sorted([*root.rglob("*.nfg"), *root.rglob("*.efg")]):
            try:
                g = gbt.read_nfg(str(f)) if f.suffix == ".nfg" else gbt.read_efg(str(f))
            except Exception:  # the deliberately malformed test files
                continue
            if len(g.players) >= min_players:
                out.append((label + str(f.relative_to(root)), np.stack(g.to_arrays(dtype=float))))
    return out


def bench_logit_catalog(games: int) -> None:
    del games  # every catalog game once
    print("\nlogit-qre-path vs gambit logit_solve: pygambit catalog and tests/data/nfg, 3+ players")
    print(f"{'game':<44} {'shape':>9} {'ours ms':>8} {'gambit ms':>10} {'gambit/ours':>12} "
          f"{'NC ours':>8} {'NC gambit':>10} {'same':>5}")
    ratios = []
    for name, u in catalog_games():
        g = NormalFormGame(u)
        gg = gbt.Game.from_arrays(*u)
        res, t_o = timed(lambda g=g: logit_qre_path(g), repeat=3)
        out, t_g = timed(lambda gg=gg: gbt.nash.logit_solve(gg), repeat=3)
        theirs = _gambit_profile(gg, out.equilibria[0])
        gap = max(float(np.abs(a - b).max()) for a, b in zip(res.profile, theirs, strict=True))
        ratios.append(t_g / t_o)
        print(f"{name:<44} {'x'.join(map(str, u.shape[1:])):>9} {t_o * 1e3:>8.2f} {t_g * 1e3:>10.2f} "
              f"{t_g / t_o:>12.2f} {res.nash_conv:>8.1e} {eq.nash_conv(g, theirs):>10.1e} "
              f"{'yes' if gap < 1e-4 else 'NO':>5}")
    print(f"{'median gambit/ours':<44} {statistics.median(ratios):>43.2f}")


def bench_correlated(games: int) -> None:
    print("\ncorrelated (welfare-maximising CE LP), no peer")
    print(f"{'shape':>12} {'variables':>10} {'ms':>9} {'max CE gap':>11}")
    for shape in ((10, 10), (5, 5, 5), (4, 4, 4, 4), (3, 3, 3, 3, 3)):
        ts, gaps = [], []
        for seed in range(games):
            g = NormalFormGame(np.random.default_rng(seed).normal(size=(len(shape), *shape)))
            sol, t = timed(lambda g=g: eq.solve(g, "correlated")[0])
            ts.append(t)
            gaps.append(sol.info["ce_gap"])
        print(f"{'x'.join(map(str, shape)):>12} {int(np.prod(shape)):>10} "
              f"{statistics.median(ts) * 1e3:>9.1f} {max(gaps):>11.1e}")


def bench_logit_all(games: int) -> None:
    bench_logit(games)
    bench_logit_catalog(games)


SECTIONS = {"lp": bench_lp, "logit": bench_logit_all, "correlated": bench_correlated}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--games", type=int, default=5, help="games per size")
    ap.add_argument("--only", choices=tuple(SECTIONS), action="append",
                    help="run only this section (repeatable); default: all")
    args = ap.parse_args()
    for name in args.only or SECTIONS:
        SECTIONS[name](args.games)


if __name__ == "__main__":
    main()
