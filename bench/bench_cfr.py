"""CFR+ iterations per second and setup time: equilibria vs OpenSpiel's C++ ``pyspiel.CFRPlusSolver``
(and, on Kuhn and Leduc, its Python ``open_spiel.python.algorithms.cfr.CFRPlusSolver``), in one
process, on Kuhn and Leduc poker by default and, with ``--games``, on the bigger rungs of the ladder.
With JAX installed, also our ``engine="jax"`` (the history engine's iteration compiled by
``jax.jit``) on Kuhn and Leduc, on the device JAX picks (a GPU when there is one; printed), its
compile time reported apart.

Games (``--games``, comma-separated; default ``kuhn_poker,leduc_poker``). Ours / OpenSpiel:

* ``kuhn_poker``, ``leduc_poker``: ``ExtensiveFormGame.from_state`` on the pyspiel game / the same;
* ``liars_dice`` (294,883 nodes): catalog ``liars_dice(faces=6)`` / ``liars_dice``;
* ``goofspiel5`` (26,931 nodes): catalog ``goofspiel(num_cards=5)`` /
  ``goofspiel(num_cards=5,points_order=descending)`` made turn-based (``convert_to_turn_based``);
* ``goofspiel6`` (969,523 nodes): the same with 6 cards;
* ``leduc3`` (1.8M nodes): catalog ``leduc_poker(players=3)`` / the same.

The ladder's specs are `bench_compile.LADDER`'s, so both benchmarks time the same games.

The four ladder rungs skip OpenSpiel's Python solver and the JAX engine (said so in the output);
liar's dice, goofspiel6 and leduc3 time fewer iterations (``--big-iterations``, ``--big-repeats``,
``--big-warmup``), Goofspiel 5 ``--goofspiel5-iterations``. The whole ladder takes a few minutes::

    .venv/bin/python bench/bench_cfr.py --games kuhn_poker,leduc_poker,liars_dice,goofspiel5,goofspiel6,leduc3

Each rate is the median over repeats (``--repeats``, default 5) of ``interleaved`` runs: the
solvers take turns in every repeat so that load on a shared machine hits them alike; ratios are
medians of the per-repeat ratios. Every solver first runs the same number of warm-up iterations
(ours and C++ alike, so the NashConv after the timed iterations compares equal trajectories); the
JAX engine's first iteration, which traces and compiles, is timed apart and excluded from its rate.

Columns:

* ``ours`` / ``seq`` / ``C++`` / ``Python``: iterations per second of our default engine
  ``"history"`` (OpenSpiel's arithmetic, bit for bit), our ``engine="sequence"``, and OpenSpiel's
  C++ and Python CFR+; ``ours/C++`` etc. their ratios (> 1: we are faster).
* ``NashConv``: after the same number of iterations (``its``). Ours and C++ follow the same
  trajectory with the history engine, so ``|diff|`` is rounding; the sequence engine sums in
  another order and differs by rounding only. Each side uses its own evaluator
  (``equilibria.metrics.nash_conv``, ``pyspiel.nash_conv``): Goofspiel's information-state strings
  differ between the two. ``pyspiel.nash_conv`` runs in a forked child with ``--nashconv-timeout``
  seconds (on the ladder rungs; it takes about a minute on leduc3); past that only ours is printed.
* work per iteration: tree nodes a recursive CFR visits (players x nodes: every history once per
  player), information sets, array entries each of our engines reads or writes, ns per tree node.
  Ours touches, per player pass, every terminal once (a gather and a scatter-add) and that player's
  sequences and infosets once per level operation.
* setup: ``build`` the time to obtain our `ExtensiveFormGame` (catalog generator or
  ``from_state``; how is printed), ``+hist`` / ``+seq`` constructing ``CFRPlus(game, engine=...)``
  on a fresh copy of that game (each engine's own index layouts); ``C++`` ``pyspiel.load_game``
  (+ ``convert_to_turn_based``) + ``CFRPlusSolver(game)``, whose construction walks the whole tree
  to build its information-state tables. ``1st it`` is the first (warm-up) iteration of each side,
  which does some one-off work and is in neither the setup nor the rate. ``break-even``: the
  iteration count k from which ours (setup + k / rate) is no slower than C++ (setup + k / rate):
  ``0`` if ours is ahead from the start, ``never`` if our rate is lower and our setup higher, and
  ``0 to N`` if our setup is lower but our rate too (ahead only up to N iterations). ``peak RSS`` is
  the process's peak so far (cumulative over the games run before).

How the costs grow with the tree: setup on both sides is linear in the number of histories. Our
native catalog generators build each tree level with NumPy (under a second at 10^6 nodes; the
OpenSpiel bridge, not used here, makes several pyspiel calls per history); constructing
``CFRPlus`` builds index arrays over nodes and infosets (the history engine's are the larger:
about a second at 10^6 nodes, the sequence engine's a tenth of that); OpenSpiel walks the tree in
C++ once for its tables (1-2 s at 10^6 nodes), and its first iteration costs about two more. An
iteration is also linear in the histories: OpenSpiel recurses over every history once per player
(0.4-1.4 us per tree node on these rungs, the most where information-state strings are long and
many), ours does a few NumPy operations per tree level whose cost is per array entry, so small
games (Kuhn: 58 nodes) are dominated by the fixed cost per NumPy call and we trail, while from Leduc
up the per-entry cost dominates (5-100 ns per tree node) and the ratio grows with the tree (about
5x C++ on liar's dice, 50x on leduc3 for the history engine; the sequence engine 2-6 times more).
Memory: the process peak stays under 1 GB up to leduc3 (OpenSpiel's NashConv, run in a child, is
not counted; in-process it took the peak to about 3 GB on leduc3).

Goofspiel: OpenSpiel's turn-based Goofspiel information states forget the order of a player's own
past bids (imperfect recall: 3,252 states on goofspiel5 against our 8,052), so its CFR+ runs on a
coarser game and its NashConv does not follow ours; the output says so.

    .venv/bin/python bench/bench_cfr.py [--games ...] [--repeats 5] [--leduc-iterations 300] [--no-jax]
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import resource
import select
import signal
import statistics
import struct
import time
import warnings

import pyspiel
from bench_compile import LADDER as COMPILE_LADDER  # bench/ is on the path of its scripts
from open_spiel.python.algorithms import cfr as os_cfr

import equilibria as eq
from equilibria.dynamics.cfr import CFRPlus
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.metrics import nash_conv

#: name: (our catalog spec, or None for ``from_state`` on the pyspiel game; OpenSpiel spec); the
#: ladder's rungs are bench_compile's
GAMES = {
    "kuhn_poker": (None, "kuhn_poker"),
    "leduc_poker": (None, "leduc_poker"),
    "goofspiel5": ("goofspiel(num_cards=5)", "goofspiel(num_cards=5,points_order=descending)"),
    **COMPILE_LADDER,
}
#: printed under the NashConv table when the game is run
NOTES = {
    "goofspiel": (
        "goofspiel: the C++ NashConv is NOT the same trajectory: OpenSpiel's turn-based\n"
        "    Goofspiel information states (hands, win sequence, points) forget the order of a\n"
        "    player's own past bids, so they merge histories (imperfect recall: 3,252 information\n"
        "    states on goofspiel5 against our 8,052); its CFR+ runs on that coarser game (and\n"
        "    pyspiel.nash_conv best-responds on it), ours on the perfect-recall game, bids revealed"
    ),
}
#: rungs timed with --big-iterations / --big-repeats / --big-warmup
BIG = ("liars_dice", "goofspiel6", "leduc3")
#: rungs on which OpenSpiel's Python solver and the JAX engine are left out
LADDER = ("liars_dice", "goofspiel5", "goofspiel6", "leduc3")


def timed(step, iterations: int) -> float:
    """Iterations/second of ``iterations`` calls to ``step``."""
    t0 = time.perf_counter()
    for _ in range(iterations):
        step()
    return iterations / (time.perf_counter() - t0)


def interleaved(steps: dict, iterations: dict, repeats: int) -> dict:
    """Median rate of each solver, the solvers taking turns in every repeat so that load on a shared
    machine hits them alike; also the median of the per-repeat ratios to ``"ours"``."""
    rates: dict = {k: [] for k in steps}
    for _ in range(repeats):
        for k, step in steps.items():
            rates[k].append(timed(step, iterations[k]))
    out = {k: statistics.median(v) for k, v in rates.items()}
    for k in steps:
        if k != "ours":
            out[f"ours/{k}"] = statistics.median(o / r for o, r in zip(rates["ours"], rates[k], strict=True))
    return out


def jax_device() -> str | None:
    """The device JAX computes on (None without JAX)."""
    try:
        import jax
    except ImportError:
        return None
    return ", ".join(str(d) for d in jax.devices())


def load_spiel(spec: str):
    """The pyspiel game, made turn-based when simultaneous (Goofspiel)."""
    spiel = pyspiel.load_game(spec)
    if spiel.get_type().dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS:
        spiel = pyspiel.convert_to_turn_based(spiel)
    return spiel


def build_ours(name: str) -> tuple[ExtensiveFormGame, str, float]:
    """Our game, how it was obtained, and the seconds that took."""
    ours_spec, os_spec = GAMES[name]
    if ours_spec is None:  # Kuhn and Leduc as before: the generic walk of the pyspiel state
        spiel = pyspiel.load_game(os_spec)
        t0 = time.perf_counter()
        game = ExtensiveFormGame.from_state(spiel.new_initial_state())
        return game, "from_state", time.perf_counter() - t0
    t0 = time.perf_counter()
    game = eq.load_game(ours_spec)
    return game, "catalog", time.perf_counter() - t0


def cpp_nash_conv(spiel, cpp, timeout: float | None) -> tuple[float | None, float]:
    """``pyspiel.nash_conv`` of the C++ average policy and its seconds; None when it ran past
    ``timeout`` (then computed in a forked child, killed at the limit, as the C++ call cannot be
    interrupted)."""
    t0 = time.perf_counter()
    if timeout is None:
        return pyspiel.nash_conv(spiel, cpp.average_policy()), time.perf_counter() - t0
    r, w = os.pipe()
    with warnings.catch_warnings():  # JAX warns of fork in a threaded process: the child runs no JAX
        warnings.simplefilter("ignore")
        pid = os.fork()
    if pid == 0:  # child: compute, write 8 bytes, leave without cleanup
        try:
            os.write(w, struct.pack("d", pyspiel.nash_conv(spiel, cpp.average_policy())))
        finally:
            os._exit(0)
    os.close(w)
    ready, _, _ = select.select([r], [], [], timeout)
    value = None
    if ready:
        data = os.read(r, 8)
        value = struct.unpack("d", data)[0] if len(data) == 8 else None
    else:
        os.kill(pid, signal.SIGKILL)
    os.close(r)
    os.waitpid(pid, 0)
    return value, time.perf_counter() - t0


def break_even(setup_o: float, rate_o: float, setup_c: float, rate_c: float) -> str:
    """The iteration count k from which ours (setup + k / rate) is no slower than C++."""
    d_setup = setup_o - setup_c          # > 0: we start behind
    d_it = 1 / rate_o - 1 / rate_c       # < 0: each iteration gains
    if d_setup <= 0:
        return "0" if d_it <= 0 else f"0 to {math.floor(-d_setup / d_it)}"
    return "never" if d_it >= 0 else str(math.ceil(d_setup / -d_it))


def bench(name: str, iterations: int, py_iterations: int, repeats: int, warmup: int = 20,
          use_jax: bool = True, batch: int = 100, nc_timeout: float | None = None) -> dict:
    ladder = name in LADDER
    use_py = not ladder
    use_jax = use_jax and not ladder
    game, how, t_build = build_ours(name)
    game_seq = copy.deepcopy(game)  # a pristine game for the sequence engine: its own setup cost
    t0 = time.perf_counter()
    ours = CFRPlus(game)  # default engine="history": OpenSpiel's arithmetic, bit for bit
    t_hist = time.perf_counter() - t0
    t0 = time.perf_counter()
    seq = CFRPlus(game_seq, engine="sequence")
    t_seq = time.perf_counter() - t0
    t0 = time.perf_counter()
    spiel = load_spiel(GAMES[name][1])
    cpp = pyspiel.CFRPlusSolver(spiel)
    t_cpp = time.perf_counter() - t0
    steps = {"ours": ours.step, "seq": seq.step, "cpp": cpp.evaluate_and_update_policy}
    counts = {"ours": iterations, "seq": iterations, "cpp": iterations}
    if use_py:
        py = os_cfr.CFRPlusSolver(spiel)
        steps["py"], counts["py"] = py.evaluate_and_update_policy, py_iterations
    jx, compile_s, compile_batch_s = None, float("nan"), float("nan")
    if use_jax:
        t0 = time.perf_counter()
        jx = CFRPlus(game, engine="jax")
        jx.step()  # traces and compiles: timed apart, excluded from the rate
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        jx.step()
        compile_s -= time.perf_counter() - t0  # less one ordinary iteration
        steps["jax"], counts["jax"] = jx.step, iterations
        # the same engine running `batch` iterations per call (`CFR.steps`: one dispatch per batch)
        jb = CFRPlus(game, engine="jax")
        t0 = time.perf_counter()
        jb.steps(batch)  # compiles the batched function
        compile_batch_s = time.perf_counter() - t0
        steps["jaxk"], counts["jaxk"] = (lambda: jb.steps(batch)), max(1, iterations // batch)
    first: dict = {}
    for k, step in steps.items():  # warm up every solver alike (ours and C++ stay on one trajectory)
        for i in range(1 if k == "py" else warmup - (2 if k == "jax" else 0)):
            t0 = time.perf_counter()
            step()
            if i == 0:
                first[k] = time.perf_counter() - t0
    r = interleaved(steps, counts, repeats)
    if use_jax:
        r["jaxk"] *= batch  # calls/second -> iterations/second
    ours_rate, cpp_rate = r["ours"], r["cpp"]
    # same number of iterations for both: the NashConv must agree (identical trajectories)
    nc_ours = nash_conv(game, ours.average_strategy())
    nc_cpp, nc_cpp_s = cpp_nash_conv(spiel, cpp, nc_timeout)
    n = game.num_players
    tree_nodes = n * game.num_nodes
    # array entries one iteration of each engine reads or writes at least once
    layout = ours._layout
    entries_seq = n * game.num_terminals + sum(
        (hi - lo) * (layout.max_actions + 1) for lo, hi in layout.spans
    )
    entries = n * (game.num_nodes + game.num_infosets * layout.max_actions)
    nan = float("nan")
    return {
        "game": name, "ours": ours_rate, "cpp": cpp_rate, "py": r.get("py", nan),
        "ratio_cpp": r["ours/cpp"], "ratio_py": r.get("ours/py", nan), "seq": r["seq"],
        "seq_cpp": r["seq"] / cpp_rate, "use_py": use_py,
        "nc_seq": nash_conv(game_seq, seq.average_strategy()),
        "nc_ours": nc_ours, "nc_cpp": nc_cpp, "nc_cpp_s": nc_cpp_s, "its": ours.iteration,
        "nodes": game.num_nodes, "tree_nodes": tree_nodes, "infosets": game.num_infosets,
        "entries": entries, "entries_seq": entries_seq,
        "ns_node_ours": 1e9 / ours_rate / tree_nodes, "ns_node_cpp": 1e9 / cpp_rate / tree_nodes,
        "how": how, "t_build": t_build, "t_hist": t_hist, "t_seq": t_seq, "t_cpp": t_cpp, "first": first,
        "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "use_jax": use_jax,
        "jax": r.get("jax", nan), "jax_cpp": r.get("jax", nan) / cpp_rate,
        "jax_ours": r.get("jax", nan) / ours_rate, "jax_compile_s": compile_s,
        "jaxk": r.get("jaxk", nan), "jaxk_compile_s": compile_batch_s,
        "nc_jax": nash_conv(game, jx.average_strategy()) if jx is not None else nan,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--games", default="kuhn_poker,leduc_poker",
                    help="comma-separated, of " + ",".join(GAMES))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--kuhn-iterations", type=int, default=2000)
    ap.add_argument("--leduc-iterations", type=int, default=300)
    ap.add_argument("--goofspiel5-iterations", type=int, default=50)
    ap.add_argument("--big-iterations", type=int, default=5, help="on " + ", ".join(BIG))
    ap.add_argument("--big-repeats", type=int, default=3)
    ap.add_argument("--big-warmup", type=int, default=2)
    ap.add_argument("--python-iterations", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--nashconv-timeout", type=float, default=30,
                    help="seconds for pyspiel.nash_conv on the ladder rungs")
    ap.add_argument("--no-jax", action="store_true", help="leave out engine='jax'")
    ap.add_argument("--jax-batch", type=int, default=100, help="iterations per call of CFR.steps")
    args = ap.parse_args()
    names = [g for g in args.games.split(",") if g]
    unknown = [g for g in names if g not in GAMES]
    if unknown or not names:
        ap.error(f"unknown game(s) {unknown}; choose from {','.join(GAMES)}")
    eq.load_game("kuhn_poker")  # the registry imports the catalog on first use: not part of a build
    device = None if args.no_jax or all(g in LADDER for g in names) else jax_device()
    rows = []
    for g in names:
        if g in BIG:
            its, reps, warm, py_its = args.big_iterations, args.big_repeats, args.big_warmup, 0
        else:
            its = {"kuhn_poker": args.kuhn_iterations, "leduc_poker": args.leduc_iterations,
                   "goofspiel5": args.goofspiel5_iterations}[g]
            reps, warm = args.repeats, args.warmup
            py_its = 20 * args.python_iterations if g == "kuhn_poker" else args.python_iterations
        rows.append(bench(g, its, py_its, reps, warm, device is not None, args.jax_batch,
                          args.nashconv_timeout if g in LADDER else None))
    skipped = [r["game"] for r in rows if not r["use_py"]]
    reps = sorted({args.big_repeats if r["game"] in BIG else args.repeats for r in rows})
    print(f"CFR+ iterations/second (median of {'/'.join(map(str, reps))} repeats; ratios: median of "
          "per-repeat ratios)")
    print("ours = engine 'history' (default, OpenSpiel's arithmetic); seq = engine 'sequence'")
    if skipped:
        print(f"OpenSpiel's Python solver and engine='jax' not run on {', '.join(skipped)} (too slow / "
              "compile-bound at this size): '-'")
    print(f"{'game':<12} {'ours':>9} {'seq':>9} {'C++':>9} {'Python':>8} {'ours/C++':>9} {'seq/C++':>8} "
          f"{'ours/Py':>9}")
    for r in rows:
        py = (f"{r['py']:>8.1f}", f"{r['ratio_py']:>8.1f}x") if r["use_py"] else (f"{'-':>8}", f"{'-':>9}")
        print(f"{r['game']:<12} {r['ours']:>9.1f} {r['seq']:>9.1f} {r['cpp']:>9.1f} {py[0]} "
              f"{r['ratio_cpp']:>8.1f}x {r['seq_cpp']:>7.1f}x {py[1]}")
    print()
    print("NashConv after the same iterations, each side's own evaluator")
    print(f"{'game':<12} {'its':>6} {'NashConv ours':>15} {'NashConv C++':>15} {'|diff|':>9} "
          f"{'NashConv seq':>15} {'|diff|':>9}")
    notes = []
    for r in rows:
        if r["nc_cpp"] is None:
            cpp, d1, d2 = f"{'n/a':>15}", f"{'-':>9}", f"{abs(r['nc_seq'] - r['nc_ours']):>9.1e}"
            notes.append(f"{r['game']}: pyspiel.nash_conv not done after {r['nc_cpp_s']:.0f} s "
                         f"(--nashconv-timeout {args.nashconv_timeout:g}): C++ NashConv not shown, "
                         "seq |diff| is against ours")
        else:
            cpp = f"{r['nc_cpp']:>15.12f}"
            d1 = f"{abs(r['nc_ours'] - r['nc_cpp']):>9.1e}"
            d2 = f"{abs(r['nc_seq'] - r['nc_cpp']):>9.1e}"
        print(f"{r['game']:<12} {r['its']:>6} {r['nc_ours']:>15.12f} {cpp} {d1} {r['nc_seq']:>15.12f} {d2}")
    for r in rows:
        if r["nc_cpp"] is not None and r["game"] in LADDER:
            notes.append(f"{r['game']}: pyspiel.nash_conv took {r['nc_cpp_s']:.1f} s")
    if any(r["game"].startswith("goofspiel") for r in rows):
        notes.append(NOTES["goofspiel"])
    for line in notes:
        print("  " + line)
    print()
    print("work per iteration: tree nodes a recursive CFR visits (players x nodes), infosets updated,")
    print("array entries touched by each of our engines, and nanoseconds per tree node")
    print(f"{'game':<12} {'tree nodes':>11} {'infosets':>9} {'entries':>9} {'entries seq':>12} "
          f"{'ns/node ours':>13} {'ns/node seq':>12} {'ns/node C++':>12}")
    for r in rows:
        print(f"{r['game']:<12} {r['tree_nodes']:>11} {r['infosets']:>9} {r['entries']:>9} "
              f"{r['entries_seq']:>12} {r['ns_node_ours']:>13.1f} {1e9 / r['seq'] / r['tree_nodes']:>12.1f} "
              f"{r['ns_node_cpp']:>12.1f}")
    print()
    print("setup seconds: our game build, + CFRPlus construction per engine; C++ load_game + CFRPlusSolver;")
    print("first (warm-up) iteration apart; break-even: iterations from which ours (setup + k / rate) is")
    print("no slower than C++ ('0 to N': ahead only up to N); peak RSS of the process so far")
    print(f"{'game':<12} {'nodes':>9} {'how':>10} {'build':>7} {'+hist':>7} {'+seq':>7} {'C++':>7} "
          f"{'1st it ours/seq/C++':>21} {'break-even ours':>16} {'seq':>10} {'peak RSS':>9}")
    for r in rows:
        s_hist, s_seq = r["t_build"] + r["t_hist"], r["t_build"] + r["t_seq"]
        f = r["first"]
        first = f"{f['ours']:.3f}/{f['seq']:.3f}/{f['cpp']:.3f}"
        print(f"{r['game']:<12} {r['nodes']:>9} {r['how']:>10} {r['t_build']:>7.4f} {r['t_hist']:>7.4f} "
              f"{r['t_seq']:>7.4f} {r['t_cpp']:>7.4f} {first:>21} "
              f"{break_even(s_hist, r['ours'], r['t_cpp'], r['cpp']):>16} "
              f"{break_even(s_seq, r['seq'], r['t_cpp'], r['cpp']):>10} {r['rss_gb']:>7.2f} GB")
    print()
    jrows = [r for r in rows if r["use_jax"]]
    if device is None or not jrows:
        print("engine='jax': not run (JAX not installed, --no-jax, or only ladder rungs)")
        return
    gpu = "gpu" in device.lower() or "cuda" in device.lower()
    print(f"engine='jax' on {device} ({'GPU' if gpu else 'no GPU present: CPU figures'}): "
          "iterations/second excluding the compile, the compile (first iteration) apart")
    print(f"{'game':<12} {'jax':>9} {'ours':>9} {'C++':>9} {'jax/C++':>8} {'jax/ours':>9} {'compile s':>10} "
          f"{'break-even its':>15} {'|NC jax - C++|':>15}")
    for r in jrows:
        # iterations after which the compile has paid for itself against the NumPy engine
        gain = 1 / r["ours"] - 1 / r["jax"]
        even = f"{r['jax_compile_s'] / gain:.0f}" if gain > 0 else "never"
        print(f"{r['game']:<12} {r['jax']:>9.0f} {r['ours']:>9.0f} {r['cpp']:>9.0f} {r['jax_cpp']:>7.2f}x "
              f"{r['jax_ours']:>8.2f}x {r['jax_compile_s']:>10.2f} {even:>15} "
              f"{abs(r['nc_jax'] - r['nc_cpp']):>15.1e}")
    print()
    print(f"engine='jax', {args.jax_batch} iterations per call (CFR.steps; same arithmetic, tested equal to "
          "one call per iteration)")
    print(f"{'game':<12} {'jax batch':>10} {'C++':>9} {'batch/C++':>10} {'batch/ours':>11} {'compile s':>10}")
    for r in jrows:
        print(f"{r['game']:<12} {r['jaxk']:>10.0f} {r['cpp']:>9.0f} {r['jaxk'] / r['cpp']:>9.2f}x "
              f"{r['jaxk'] / r['ours']:>10.2f}x {r['jaxk_compile_s']:>10.2f}")


if __name__ == "__main__":
    main()
