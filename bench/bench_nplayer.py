"""Gambit's n-player solvers: our simpdiv, gnm, ipa and enumpoly against pygambit's, on the same games.

Games: Gambit's own three-player file (Nau et al. 2004, section 4, from pygambit's catalog) and random
3- and 4-player games (payoffs N(0, 1) rounded to 3 decimals, seeds 0..). Each solver runs once per
game in this process, ours through `equilibria.solve` (with its verification), pygambit's through
``pygambit.nash.*_solve`` from the same start (first pure strategies for simpdiv, the default
perturbation for gnm and ipa). Printed per game: both wall times, the number of equilibria each returns and
the worst NashConv of ours; per method: the geometric mean of the ratios ours / pygambit (above 1: we
are slower). pygambit's enumpoly is skipped on games where it does not return (continua).

    python bench/bench_nplayer.py [--seeds 2] [--skip gnm]
"""

from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np
import pygambit as gbt

import equilibria as eq
from equilibria.games.normal_form import NormalFormGame

SHAPES = [(2, 2, 2), (3, 3, 3), (2, 2, 2, 2)]


def games(seeds: int) -> list[tuple[str, NormalFormGame, gbt.Game]]:
    out = []
    path = pathlib.Path(gbt.__file__).parent / "catalog_data" / "journals" / "ijgt" / "nau2004" / "sec4.nfg"
    out.append(("nau2004 sec4", eq.load_game(str(path)), gbt.read_nfg(str(path))))
    for shape in SHAPES:
        for seed in range(seeds):
            U = np.round(np.random.default_rng(seed).normal(size=(len(shape), *shape)), 3)
            G = gbt.Game.from_arrays(*[U[i] for i in range(len(shape))])
            out.append((f"random {'x'.join(map(str, shape))} seed {seed}", NormalFormGame(U), G))
    return out


def peer(method: str, G: gbt.Game) -> list:
    if method == "simpdiv":
        start = G.mixed_strategy_profile(data=[[1] + [0] * (len(p.strategies) - 1) for p in G.players],
                                         rational=True)
        return gbt.nash.simpdiv_solve(start).equilibria
    if method == "gnm":
        return gbt.nash.gnm_solve(G).equilibria
    if method == "ipa":
        return gbt.nash.ipa_solve(G).equilibria
    return gbt.nash.enumpoly_solve(G).equilibria


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--skip", nargs="*", default=[], choices=["simpdiv", "gnm", "ipa", "enumpoly"])
    args = parser.parse_args()
    eq.solve(eq.load_game("battle_of_the_sexes"), "simpdiv")  # registry discovery outside the timings
    summary = {}
    for method in ("simpdiv", "gnm", "ipa", "enumpoly"):
        if method in args.skip:
            continue
        print(f"{method}:")
        ratios = []
        for name, game, G in games(args.seeds):
            t_ours, sols = timed(lambda game=game, method=method: eq.solve(game, method))
            t_theirs, eqs = timed(lambda G=G, method=method: peer(method, G))
            worst = max(float(s.nash_conv) for s in sols)
            ratio = t_ours / max(t_theirs, 1e-6)
            ratios.append(ratio)
            print(f"  {name:26s} ours {t_ours:8.3f} s ({len(sols)} eq, NashConv <= {worst:.1e})  "
                  f"pygambit {t_theirs:8.3f} s ({len(eqs)} eq)  ratio {ratio:8.1f}")
        summary[method] = float(np.exp(np.mean(np.log(ratios))))
    print("geometric mean time ratio ours / pygambit (above 1: slower):")
    for method, r in summary.items():
        print(f"  {method:9s} {r:8.1f}")


if __name__ == "__main__":
    main()
