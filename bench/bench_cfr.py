"""CFR+ iterations per second: equilibria vs OpenSpiel's C++ ``pyspiel.CFRPlusSolver`` and its Python
``open_spiel.python.algorithms.cfr.CFRPlusSolver``, in one process, on Kuhn and Leduc poker. With
JAX installed, also our ``engine="jax"`` (the history engine's iteration compiled by ``jax.jit``) on
the device JAX picks (a GPU when there is one; printed), its compile time reported apart.

Each measurement is repeated (``--repeats``, default 5) and the median reported, since shared
machines are noisy. Also printed: NashConv after the timed iterations for ours and the C++ solver
(the trajectories are the same, so they must agree), the work per iteration and nanoseconds per
tree node. "Tree nodes / it" is what one iteration of a recursive CFR visits (every history once
per player); ours touches, per player pass, every terminal once (a gather and a scatter-add) and
that player's sequences and infosets once per level operation.

Every solver first runs ``--warmup`` iterations (the same number for ours and C++, so the
NashConv after the timed iterations still compares equal trajectories); the JAX engine's first
iteration, which traces and compiles, is timed apart and excluded from its rate.

    .venv/bin/python bench/bench_cfr.py [--repeats 5] [--leduc-iterations 300] [--no-jax]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyspiel
from open_spiel.python.algorithms import cfr as os_cfr

from equilibria.dynamics.cfr import CFRPlus
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.metrics import nash_conv


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


def bench(name: str, iterations: int, py_iterations: int, repeats: int, warmup: int = 20,
          use_jax: bool = True, batch: int = 100) -> dict:
    spiel = pyspiel.load_game(name)
    game = ExtensiveFormGame.from_state(spiel.new_initial_state())
    ours = CFRPlus(game)  # default engine="history": OpenSpiel's arithmetic, bit for bit
    seq = CFRPlus(game, engine="sequence")
    cpp = pyspiel.CFRPlusSolver(spiel)
    py = os_cfr.CFRPlusSolver(spiel)
    steps = {"ours": ours.step, "seq": seq.step, "cpp": cpp.evaluate_and_update_policy,
             "py": py.evaluate_and_update_policy}
    counts = {"ours": iterations, "seq": iterations, "cpp": iterations, "py": py_iterations}
    jx, compile_s = None, float("nan")
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
    for k, step in steps.items():  # warm up every solver alike (ours and C++ stay on one trajectory)
        for _ in range(1 if k == "py" else warmup - (2 if k == "jax" else 0)):
            step()
    r = interleaved(steps, counts, repeats)
    if use_jax:
        r["jaxk"] *= batch  # calls/second -> iterations/second
    ours_rate, cpp_rate = r["ours"], r["cpp"]
    seq_over_cpp = r["seq"] / r["cpp"]
    # same number of iterations for both: the NashConv must agree (identical trajectories)
    nc_ours = nash_conv(game, ours.average_strategy())
    nc_cpp = pyspiel.nash_conv(spiel, cpp.average_policy())
    n = game.num_players
    tree_nodes = n * game.num_nodes
    # array entries one iteration of each engine reads or writes at least once
    layout = ours._layout
    entries_seq = n * game.num_terminals + sum(
        (hi - lo) * (layout.max_actions + 1) for lo, hi in layout.spans
    )
    entries = n * (game.num_nodes + game.num_infosets * layout.max_actions)
    return {
        "game": name, "ours": ours_rate, "cpp": cpp_rate, "py": r["py"],
        "ratio_cpp": r["ours/cpp"], "ratio_py": r["ours/py"], "seq": r["seq"], "seq_cpp": seq_over_cpp,
        "nc_seq": nash_conv(game, seq.average_strategy()),
        "nc_ours": nc_ours, "nc_cpp": nc_cpp, "its": ours.iteration,
        "tree_nodes": tree_nodes, "infosets": game.num_infosets,
        "entries": entries, "entries_seq": entries_seq,
        "ns_node_ours": 1e9 / ours_rate / tree_nodes, "ns_node_cpp": 1e9 / cpp_rate / tree_nodes,
        "jax": r.get("jax", float("nan")), "jax_cpp": r.get("jax", float("nan")) / cpp_rate,
        "jax_ours": r.get("jax", float("nan")) / ours_rate, "jax_compile_s": compile_s,
        "jaxk": r.get("jaxk", float("nan")), "jaxk_compile_s": compile_batch_s if use_jax else float("nan"),
        "nc_jax": nash_conv(game, jx.average_strategy()) if jx is not None else float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--kuhn-iterations", type=int, default=2000)
    ap.add_argument("--leduc-iterations", type=int, default=300)
    ap.add_argument("--python-iterations", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--no-jax", action="store_true", help="leave out engine='jax'")
    ap.add_argument("--jax-batch", type=int, default=100, help="iterations per call of CFR.steps")
    args = ap.parse_args()
    device = None if args.no_jax else jax_device()
    rows = [
        bench("kuhn_poker", args.kuhn_iterations, 20 * args.python_iterations, args.repeats, args.warmup,
              device is not None, args.jax_batch),
        bench("leduc_poker", args.leduc_iterations, args.python_iterations, args.repeats, args.warmup,
              device is not None, args.jax_batch),
    ]
    print(f"CFR+ iterations/second (median of {args.repeats}; ratios: median of per-repeat ratios)")
    print("ours = engine 'history' (default, OpenSpiel's arithmetic); seq = engine 'sequence'")
    print(f"{'game':<12} {'ours':>9} {'seq':>9} {'C++':>9} {'Python':>8} {'ours/C++':>9} {'seq/C++':>8} "
          f"{'ours/Py':>9}")
    for r in rows:
        print(f"{r['game']:<12} {r['ours']:>9.0f} {r['seq']:>9.0f} {r['cpp']:>9.1f} {r['py']:>8.1f} "
              f"{r['ratio_cpp']:>8.1f}x {r['seq_cpp']:>7.1f}x {r['ratio_py']:>8.1f}x")
    print()
    print(f"{'game':<12} {'its':>6} {'NashConv ours':>15} {'NashConv C++':>15} {'|diff|':>9} "
          f"{'NashConv seq':>15} {'|diff|':>9}")
    for r in rows:
        print(f"{r['game']:<12} {r['its']:>6} {r['nc_ours']:>15.12f} {r['nc_cpp']:>15.12f} "
              f"{abs(r['nc_ours'] - r['nc_cpp']):>9.1e} {r['nc_seq']:>15.12f} "
              f"{abs(r['nc_seq'] - r['nc_cpp']):>9.1e}")
    print()
    print("work per iteration: tree nodes a recursive CFR visits (players x nodes), infosets updated,")
    print("array entries touched by each of our engines, and nanoseconds per tree node")
    print(f"{'game':<12} {'tree nodes':>11} {'infosets':>9} {'entries':>8} {'entries seq':>12} "
          f"{'ns/node ours':>13} {'ns/node seq':>12} {'ns/node C++':>12}")
    for r in rows:
        print(f"{r['game']:<12} {r['tree_nodes']:>11} {r['infosets']:>9} {r['entries']:>8} "
              f"{r['entries_seq']:>12} {r['ns_node_ours']:>13.1f} {1e9 / r['seq'] / r['tree_nodes']:>12.1f} "
              f"{r['ns_node_cpp']:>12.1f}")
    print()
    if device is None:
        print("engine='jax': not run (JAX not installed, or --no-jax)")
        return
    gpu = "gpu" in device.lower() or "cuda" in device.lower()
    print(f"engine='jax' on {device} ({'GPU' if gpu else 'no GPU present: CPU figures'}): "
          "iterations/second excluding the compile, the compile (first iteration) apart")
    print(f"{'game':<12} {'jax':>9} {'ours':>9} {'C++':>9} {'jax/C++':>8} {'jax/ours':>9} {'compile s':>10} "
          f"{'break-even its':>15} {'|NC jax - C++|':>15}")
    for r in rows:
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
    for r in rows:
        print(f"{r['game']:<12} {r['jaxk']:>10.0f} {r['cpp']:>9.0f} {r['jaxk'] / r['cpp']:>9.2f}x "
              f"{r['jaxk'] / r['ours']:>10.2f}x {r['jaxk_compile_s']:>10.2f}")


if __name__ == "__main__":
    main()
