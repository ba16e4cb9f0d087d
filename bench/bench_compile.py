"""Tree compilation: our compile time and peak memory against OpenSpiel C++ on the same game.

Every measurement runs in a fresh subprocess, so that peak RSS (``ru_maxrss`` of that process,
its imports included) never mixes between games or libraries. Per game of the ladder:

* ours: the time of the catalog factory (``eq.load_game``; liar's dice, n-player Leduc and
  Goofspiel have native catalog games) and of the OpenSpiel bridge (``from_pyspiel``), each to a compiled
  `ExtensiveFormGame`, and the peak RSS of the process;
* OpenSpiel: ``pyspiel.load_game`` (which does NOT expand the tree: it parses parameters and
  builds the game object, so it is milliseconds), then ``pyspiel.CFRPlusSolver(game)``, whose
  construction walks the whole tree in C++ to build its information-state tables. "C++ load" below
  is load + that construction: the fair counterpart of our compile (both end with every history
  seen and the tables a CFR iteration needs), and its process's peak RSS is the C++ memory.

Ratios are ours / C++ (time ratio < 1 means we compile faster; the goal is ≤ 1 for time and ≤ 3
for memory). The 10⁷-history rungs (``--big``: liar's dice with 8 faces, 8.4 million nodes;
``--huge``: 9 faces, 42 million nodes) also run a few CFR+ iterations (sequence engine) and report
the peak RSS of compile + solver, which must stay within 16 GB.

    .venv/bin/python bench/bench_compile.py [--games liars_dice,leduc3,goofspiel6] [--big] [--huge]

How the costs grow: both sides are linear in the number of histories. Ours: the native catalog
generators (liar's dice, Goofspiel, n-player Leduc) build each level of the tree with NumPy (a few
array operations per level); the state-machine catalog games and the bridge make one Python call
per history (the bridge several pyspiel calls: child, legal actions, information-state string).
The compiled game keeps about 12 bytes per node (int32 parent and information set, int8 action,
depth, player and edge-probability codes) plus, per terminal, its payoffs, chance reach and each
player's last sequence (about 37 bytes with two players); the generators keep the labels of the
information sets as integer codes and build the strings on first use (printed apart: time and peak
RSS once they are built). OpenSpiel keeps a C++ state per history only while walking, and a table
row (with its information-state string) per information state.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

LADDER = {
    # name: (our catalog spec or None, OpenSpiel spec)
    "liars_dice": ("liars_dice(faces=6)", "liars_dice"),
    "leduc3": ("leduc_poker(players=3)", "leduc_poker(players=3)"),
    "goofspiel6": ("goofspiel(num_cards=6)", "goofspiel(num_cards=6,points_order=descending)"),
}
BIG = ("liars_dice(faces=8)", "liars_dice(dice_sides=8)")
HUGE = ("liars_dice(faces=9)", "liars_dice(dice_sides=9)")

_OURS = r"""
import json, resource, sys, time
import equilibria as eq
eq.set_size_limit("16G")
how, spec, iters = sys.argv[1], sys.argv[2], int(sys.argv[3])
eq.load_game("kuhn_poker")  # the registry imports the catalog on first use: not part of a compile
if how == "bridge":
    import pyspiel  # imported before the clock and the baseline, as the catalog path imports nothing
    from equilibria.io.openspiel import from_pyspiel
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
game = from_pyspiel(spec, max_nodes=10**8) if how == "bridge" else eq.load_game(spec)
t = time.perf_counter() - t0
peak_compile = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"time": t, "nodes": int(game.num_nodes), "base_kb": base, "peak_kb": peak_compile}
t0 = time.perf_counter()
game.infoset_labels, game.action_labels  # built on first use: what asking for them costs
out["labels_time"] = time.perf_counter() - t0
out["labels_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out["infosets"] = int(game.num_infosets)
if iters:
    from equilibria.dynamics.cfr import CFRPlus
    t0 = time.perf_counter()
    solver = CFRPlus(game, engine="sequence")
    for _ in range(iters):
        solver.step()
    out["cfr_time"] = time.perf_counter() - t0
    out["cfr_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(out))
"""

_CPP = r"""
import json, resource, sys, time
import pyspiel
spec = sys.argv[1]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
game = pyspiel.load_game(spec)
if game.get_type().dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS:
    game = pyspiel.convert_to_turn_based(game)
t_load = time.perf_counter() - t0
solver = pyspiel.CFRPlusSolver(game)
t_all = time.perf_counter() - t0
print(json.dumps({"load": t_load, "time": t_all, "base_kb": base,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _run(code: str, *args: str, timeout: float) -> dict | None:
    try:
        res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                             timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if res.returncode != 0:
        print(f"  (failed: {res.stderr.strip().splitlines()[-1] if res.stderr.strip() else res.returncode})")
        return None
    return json.loads(res.stdout.strip().splitlines()[-1])


def _mb(kb: float) -> str:
    return f"{kb / 1024:7.0f} MB"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", default=",".join(LADDER), help="comma-separated subset of " + ",".join(LADDER))
    ap.add_argument("--no-bridge", action="store_true",
                    help="skip the OpenSpiel bridge where a catalog game exists")
    ap.add_argument("--big", action="store_true", help="also the 10^7-history rung (about 1 GB, a minute)")
    ap.add_argument("--huge", action="store_true",
                    help="also liar's dice with 9 faces, 4.2e7 histories (about 5 GB, several minutes)")
    ap.add_argument("--big-iterations", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args(argv)
    rungs = [(g, *LADDER[g], 0) for g in args.games.split(",") if g]
    if args.big:
        rungs.append(("liars_dice_8 (10^7)", *BIG, args.big_iterations))
    if args.huge:
        rungs.append(("liars_dice_9 (4e7)", *HUGE, args.big_iterations))
    print(f"{'game':22s} {'how':8s} {'nodes':>9s} {'time':>8s} {'C++ load+tables':>16s} {'ratio':>6s} "
          f"{'peak RSS':>10s} {'C++ peak':>10s} {'ratio':>6s}")
    for name, ours_spec, os_spec, iters in rungs:
        cpp = _run(_CPP, os_spec, timeout=args.timeout)
        hows = []
        if ours_spec is not None:
            hows.append(("catalog", ours_spec))
        if ours_spec is None or not args.no_bridge:
            hows.append(("bridge", os_spec))
        for how, spec in hows:
            if how == "bridge" and iters:
                continue  # the bridge walks 10^7 histories one pyspiel call at a time: not this rung
            ours = _run(_OURS, how, spec, str(iters), timeout=args.timeout)
            if ours is None:
                print(f"{name:22s} {how:8s} timed out or failed")
                continue
            line = f"{name:22s} {how:8s} {ours['nodes']:9d} {ours['time']:7.2f}s"
            if cpp is not None:
                line += (f" {cpp['time']:15.2f}s {ours['time'] / cpp['time']:6.2f} {_mb(ours['peak_kb'])} "
                         f"{_mb(cpp['peak_kb'])} {ours['peak_kb'] / cpp['peak_kb']:6.2f}"
                         f"   (above imports: {(ours['peak_kb'] - ours['base_kb']) / 1024:.0f} MB vs "
                         f"{(cpp['peak_kb'] - cpp['base_kb']) / 1024:.0f} MB)")
            else:
                line += f" {'n/a':>16s} {'':6s} {_mb(ours['peak_kb'])}"
            print(line)
            print(f"{'':22s} {ours['infosets']} information sets; their labels (built on first use) take "
                  f"{ours['labels_time']:.2f}s more and raise the peak RSS to "
                  f"{_mb(ours['labels_peak_kb']).strip()}")
            if iters:
                print(f"{'':22s} CFR+ (sequence engine): {iters} iterations in {ours['cfr_time']:.1f}s, "
                      f"peak RSS of compile + solver {ours['cfr_peak_kb'] / 2**20:.2f} GB")
        if cpp is not None:
            print(f"{'':22s} OpenSpiel: load_game {cpp['load'] * 1e3:.1f} ms (no tree expansion), "
                  f"+ CFRPlusSolver tables {cpp['time'] - cpp['load']:.2f}s; process baselines "
                  f"(imports) C++ {_mb(cpp['base_kb']).strip()}")


if __name__ == "__main__":
    main()
