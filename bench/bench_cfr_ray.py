"""CFR+ with the terminal-value pass sharded over Ray workers (``ray-cfr+``) against the
single-process run (``cfr+``, both engines), in one process: seconds per iteration, the speed-up,
the bytes communicated per iteration, and the NashConv of both after the timed iterations (equal to
rounding: tests/test_cfr_ray.py checks 1e-12 relative over 30 iterations).

What is measured:

* single process: ``cfr+`` with ``engine="sequence"`` (the arithmetic ``ray-cfr+`` distributes) and
  the default ``engine="history"``;
* ``ray-cfr+`` with its shards evaluated in this process (``ray=None``): the cost of the split alone;
* ``ray-cfr+`` on a local Ray instance with ``--workers`` CPUs, one shard per CPU;
* the share of the single-process iteration spent in the terminal-value pass (the part that is
  distributed; the rest runs on the driver), which bounds the speed-up (Amdahl);
* the latency of one empty Ray pass (put, one no-op task per worker, get), against the terminal
  work per player pass and worker: the split pays off only where the latter is larger;
* bytes per iteration: the realization plan broadcast once per player pass, plus every worker's
  returned slice of the updated player's sequences (array bytes; Ray's framing excluded).

Timings are the median of ``--repeats`` runs of ``--iterations`` iterations, the runs taking turns,
after one warm-up iteration each (which also puts the shards in Ray's object store).

    .venv/bin/python bench/bench_cfr_ray.py [--games "liars_dice(faces=6);kuhn_poker(players=5)"]
        [--workers 2] [--iterations 10] [--repeats 3]

How the costs grow: the terminal pass is linear in the number of terminal histories Z (n gathers
and one scatter-add per terminal and player pass) and is split Z/k per worker; the driver's part is
linear in the number of sequences S (bottom-up pass, regret matching, averaging) and is not split.
Communication per iteration is n · 8 S bytes broadcast plus n · k · 8 S_p bytes returned, independent
of Z: it pays off when Z / S is large (many histories per sequence, e.g. many chance outcomes per
information set) and the per-pass latency of Ray (about a millisecond locally, more across
machines) is small against Z / k terminal operations.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import equilibria as eq
from equilibria.api import make_learner
from equilibria.metrics import nash_conv


def time_steps(learner, iterations: int) -> float:
    t0 = time.perf_counter()
    for _ in range(iterations):
        learner._step()
        learner.iteration += 1
    return (time.perf_counter() - t0) / iterations


def terminal_pass_seconds(learner, iterations: int) -> float:
    """Seconds per iteration of the terminal-value pass alone (every player, in this process)."""
    L = learner._layout
    t0 = time.perf_counter()
    for _ in range(iterations):
        for p in range(L.num_players):
            L.terminal_values(p, L.opponent_weight(learner.reach, p))
    return (time.perf_counter() - t0) / iterations


def bench(spec: str, workers: int, iterations: int, repeats: int) -> None:
    t0 = time.perf_counter()
    game = eq.load_game(spec)
    compile_s = time.perf_counter() - t0
    runs = {
        "cfr+ sequence engine": make_learner(game, "cfr+", seed=0, engine="sequence"),
        "cfr+ history engine": make_learner(game, "cfr+", seed=0),
        f"ray-cfr+ {workers} shards in-process": make_learner(game, "ray-cfr+", seed=0, num_workers=workers),
        f"ray-cfr+ {workers} Ray workers": make_learner(game, "ray-cfr+", seed=0, ray=True),
    }
    for learner in runs.values():
        time_steps(learner, 1)  # warm-up (and the shards' put into the object store)
    per_it: dict[str, list[float]] = {k: [] for k in runs}
    term: list[float] = []
    for _ in range(repeats):
        for k, learner in runs.items():
            per_it[k].append(time_steps(learner, iterations))
        term.append(terminal_pass_seconds(runs["cfr+ sequence engine"], iterations))
    med = {k: statistics.median(v) for k, v in per_it.items()}
    base = med["cfr+ sequence engine"]
    ray_learner = runs[f"ray-cfr+ {workers} Ray workers"]
    done = 1 + repeats * iterations
    c = ray_learner.communication
    S = ray_learner._layout.num_sequences
    print(f"\n{spec}: {game.num_nodes:,} nodes, {game.num_terminals:,} terminals, {S:,} sequences, "
          f"{game.num_players} players; compile {compile_s:.1f} s; {ray_learner.num_shards} shards")
    print(f"{'run':<34}{'s/iteration':>12}{'speed-up vs sequence':>22}")
    for k, v in med.items():
        print(f"{k:<34}{v:>12.4f}{base / v:>21.2f}x")
    t = statistics.median(term)
    # the share from the same repeat's two timings (adjacent in time, so load hits them alike)
    pairs = zip(term, per_it["cfr+ sequence engine"], strict=True)
    share = min(statistics.median(a / b for a, b in pairs), 1.0)
    print(f"terminal-value pass: {t:.4f} s/iteration = {share:.0%} of the single-process iteration; "
          f"Amdahl bound with {workers} workers: {1 / (1 - share + share / workers):.2f}x")
    sent, back = c["broadcast"] / done, c["returned"] / done
    print(f"communication per iteration: broadcast {sent:,.0f} B + returned {back:,.0f} B "
          f"= {sent + back:,.0f} B in {c['passes'] / done:.0f} round trips")
    trip = round_trip_seconds(workers, 8 * S)
    print(f"one empty Ray pass (put r, {workers} no-op tasks, get): {trip * 1e3:.2f} ms; terminal work per "
          f"player pass and worker: {t / game.num_players / workers * 1e3:.2f} ms (it pays off when this "
          "exceeds the empty pass)")
    ncs = {k: nash_conv(game, learner.average_strategy()) for k, learner in runs.items()}
    ref = ncs["cfr+ sequence engine"]
    for k, v in ncs.items():
        print(f"NashConv after {done} iterations, {k}: {v:.15g} (relative difference "
              f"{abs(v - ref) / ref:.1e})")
    # the shards must agree with each other exactly (same split, same arithmetic); against the single
    # process they agree to rounding, except that regret matching is discontinuous where a row's
    # positive regrets are a rounding error away from all zero (exact ties, as in the symmetric
    # 3-player Leduc): CFR+ then follows another, equally valid trajectory from that iteration on
    assert ncs[f"ray-cfr+ {workers} Ray workers"] == ncs[f"ray-cfr+ {workers} shards in-process"]
    if not np.isclose(ncs[f"ray-cfr+ {workers} Ray workers"], ref, rtol=1e-9, atol=0.0):
        print("  the sharded run left the single-process trajectory: a regret-matching tie broken by a "
              "rounding difference of the sharded sum (see tests/test_cfr_ray.py for the 1e-12 check)")


def _noop(x: np.ndarray) -> int:
    return x.size


def round_trip_seconds(workers: int, nbytes: int, repeats: int = 20) -> float:
    """Median seconds of one Ray pass with no work: put ``nbytes``, ``workers`` tasks, get."""
    import ray

    remote = ray.remote(num_cpus=1)(_noop)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ref = ray.put(np.zeros(max(1, nbytes // 8)))
        ray.get([remote.remote(ref) for _ in range(workers)])
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--games", default="liars_dice(faces=6);kuhn_poker(players=5)",
                    help="game specs separated by ';'")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    print(f"ray.init (local, {args.workers} CPUs): {time.perf_counter() - t0:.1f} s")
    try:
        for spec in args.games.split(";"):
            bench(spec.strip(), args.workers, args.iterations, args.repeats)
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
