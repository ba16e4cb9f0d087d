"""Mean-field games: equilibria against OpenSpiel's ``mfg`` module and MFGLib, in one process.

1. Exploitability evaluation: our ``nash_conv`` against OpenSpiel's ``NashConv`` (its Python
   evaluators, on its Python and C++ games) and MFGLib's ``exploitability_score`` (float64), on the
   uniform policy; the two values are printed side by side (they agree to ~1e-13).
2. Learner iterations per second: fictitious play and OMD against OpenSpiel's Python
   ``FictitiousPlay`` and ``MirrorDescent`` (learning rate 0.01 on both sides) on ``crowd_modelling``
   and ``predator_prey``, and against MFGLib's ``FictitiousPlay`` / ``OnlineMirrorDescent`` steps.
   Each learner is timed on its own iterations only (no exploitability inside the timed loop).
3. Cost against states × horizon: crowd_modelling(size, horizon) for us and OpenSpiel (C++ game
   with its Python evaluator), beach_bar(n, T) for us and MFGLib.

Exploitability timings (1 and 3) pair ours and the peer's: one untimed warm-up call each, then
``--repeats`` alternations of a block of our calls (≥ 0.1 s, our calls take well under a millisecond)
and a block of the peer's; each pair gives a ratio (peer seconds / our seconds per call) and the
median ratio is printed with the range. Learner timings (2) are medians of ``--repeats`` runs.

    .venv/bin/python bench/bench_mean_field.py [--quick] [--repeats 3] [--sections 1,2,3]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import mfglib.alg  # noqa: F401  (mfglib.scoring imports circularly without it)
import pyspiel
import torch
from mfglib.alg import FictitiousPlay as MfgFP
from mfglib.alg import OnlineMirrorDescent as MfgOMD
from mfglib.env import Environment
from mfglib.scoring import exploitability_score
from open_spiel.python import policy as policy_std
from open_spiel.python.mfg.algorithms import fictitious_play as os_fp
from open_spiel.python.mfg.algorithms import mirror_descent as os_md
from open_spiel.python.mfg.algorithms import nash_conv as os_nash_conv
from open_spiel.python.mfg.games import crowd_avoidance as _ca  # noqa: F401
from open_spiel.python.mfg.games import crowd_modelling as _cm  # noqa: F401  (registers the games)
from open_spiel.python.mfg.games import dynamic_routing as _dr  # noqa: F401
from open_spiel.python.mfg.games import linear_quadratic as _lq  # noqa: F401
from open_spiel.python.mfg.games import periodic_aversion as _pa  # noqa: F401
from open_spiel.python.mfg.games import predator_prey as _pp  # noqa: F401

import equilibria as eq

torch.set_default_dtype(torch.float64)


def median_seconds(fn: Callable[..., Any], repeats: int, *args: Any) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def block_seconds(fn: Callable[..., Any], min_seconds: float = 0.1) -> tuple[float, float]:
    """Wall-clock and process-CPU seconds per call of ``fn()``, from a block of calls lasting at
    least ``min_seconds``."""
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds:
            return elapsed / n, (time.process_time() - c0) / n


def paired(ours: Callable[[], Any], theirs: Callable[[], Any], repeats: int,
           min_seconds: float = 0.1) -> tuple[float, float, list[float], list[float], Any, Any]:
    """Ours and the peer timed in alternation after one untimed warm-up call each (caches, imports,
    the peer's lazily built tables): per repeat, our time per call (a block of calls, our calls
    take well under a millisecond) and the peer's, and their ratio, on the wall clock and on this
    process's CPU clock (which leaves out the time the process waits for a core on a shared
    machine). Returns the medians of our and the peer's wall times, the wall and CPU ratios (the
    load of a shared machine moves both sides of a pair together, so the median ratio is steadier
    than a ratio of medians), and the two warm-up calls' results."""
    v_ours, v_peer = ours(), theirs()
    t_ours, t_peer, wall, cpu = [], [], [], []
    for _ in range(repeats):
        a, a_cpu = block_seconds(ours, min_seconds)
        b, b_cpu = block_seconds(theirs, min_seconds)
        t_ours.append(a)
        t_peer.append(b)
        wall.append(b / a)
        cpu.append(b_cpu / a_cpu if a_cpu > 0 else float("nan"))
    return statistics.median(t_ours), statistics.median(t_peer), wall, cpu, v_ours, v_peer


def ratio_row(label: str, ours: float, theirs: float, wall: list[float], cpu: list[float],
              extra: str = "") -> None:
    print(f"  {label:44s} ours {ours * 1e3:9.3f} ms  peer {theirs * 1e3:10.2f} ms  "
          f"ratio wall {statistics.median(wall):7.1f}x ({min(wall):.1f}-{max(wall):.1f}), "
          f"cpu {statistics.median(cpu):7.1f}x ({min(cpu):.1f}-{max(cpu):.1f}), {len(wall)} pairs  {extra}")


def os_value(os_game: Any, os_pi: Any) -> float:
    return os_nash_conv.NashConv(os_game, os_pi).nash_conv()


def row(label: str, ours: float, theirs: float, extra: str = "") -> None:
    print(f"  {label:44s} ours {ours * 1e3:10.2f} ms   peer {theirs * 1e3:11.2f} ms   "
          f"ratio {theirs / ours:8.1f}x  {extra}")


def bench_exploitability(repeats: int, quick: bool) -> None:
    print("1. exploitability of the uniform policy (one evaluation; OpenSpiel: NashConv of its Python\n"
          "   evaluators on the game and policy built once, one warm-up call; ours: equilibria.nash_conv)")
    cases = [("crowd_modelling", "python_mfg_crowd_modelling"), ("crowd_modelling", "mfg_crowd_modelling"),
             ("crowd_modelling_2d", "mfg_crowd_modelling_2d"), ("linear_quadratic", "mean_field_lin_quad"),
             # OpenSpiel's Braess-paradox size (at the default horizon no vehicle arrives: NashConv 0)
             ("dynamic_routing(max_num_time_step=100, time_step_length=0.05)",
              "python_mfg_dynamic_routing(max_num_time_step=100,time_step_length=0.05)")]
    if not quick:
        cases += [("predator_prey", "python_mfg_predator_prey"),
                  ("crowd_avoidance", "python_mfg_crowd_avoidance"),
                  ("periodic_aversion", "python_mfg_periodic_aversion")]
    for ours_name, os_name in cases:
        game = eq.load_game(ours_name)
        os_game = pyspiel.load_game(os_name)  # "name(param=value,...)" strings load with their parameters
        pi = game.uniform_policy()
        os_pi = policy_std.UniformRandomPolicy(os_game)
        slow = ours_name in ("predator_prey", "crowd_avoidance", "periodic_aversion", "linear_quadratic")
        t_ours, t_os, wall, cpu, v_ours, v_os = paired(
            lambda g=game, p=pi: eq.nash_conv(g, p), lambda g=os_game, p=os_pi: os_value(g, p),
            1 if slow else repeats)
        label = f"{ours_name.split('(')[0]} vs OpenSpiel {os_name.split('(')[0]}"
        if "(" in ours_name:
            label += " (" + ours_name.split("(", 1)[1]
        ratio_row(label, t_ours, t_os, wall, cpu,
                  f"{v_ours:.12f} vs {v_os:.12f}")
    for name in ("beach_bar", "building_evacuation", "linear_quadratic", "susceptible_infected"):
        game = eq.load_game("mfglib:" + name)
        env = getattr(Environment, name)()
        pi = game.uniform_policy()
        tp = torch.tensor(pi[0]).reshape(env.T + 1, *env.S, *env.A)
        t_ours, t_m, wall, cpu, v_ours, v_m = paired(
            lambda g=game, p=pi: eq.nash_conv(g, p), lambda e=env, p=tp: exploitability_score(e, p), repeats)
        ratio_row(f"mfglib:{name} vs MFGLib", t_ours, t_m, wall, cpu, f"{v_ours:.12f} vs {float(v_m):.12f}")


def _ours_steps(game: Any, method: str, iterations: int, **options: Any) -> Callable[[], Any]:
    def run() -> Any:
        learner = eq.make_learner(game, method, **options)
        for _ in range(iterations):
            learner.step()
        return learner

    return run


def bench_learners(repeats: int, quick: bool) -> None:
    print("2. learner seconds per iteration (ours: the registered learners; peers: their Python classes)")
    plans = [("crowd_modelling", "python_mfg_crowd_modelling", 20 if not quick else 5)]
    if not quick:
        plans.append(("predator_prey", "python_mfg_predator_prey", 2))
    for ours_name, os_name, os_iters in plans:
        game = eq.load_game(ours_name)
        os_game = pyspiel.load_game(os_name)
        ours_iters = max(os_iters, 20)
        for method, make_os, options in (
            ("fictitious-play", lambda g: os_fp.FictitiousPlay(g), {}),
            ("omd", lambda g: os_md.MirrorDescent(g, lr=0.01), {"step_size": 0.01}),
        ):
            t_ours, _ = median_seconds(_ours_steps(game, method, ours_iters, **options), repeats)

            def os_run(make_os: Callable = make_os, os_iters: int = os_iters, os_game: Any = os_game) -> None:
                algo = make_os(os_game)
                for _ in range(os_iters):
                    algo.iteration()

            t_os, _ = median_seconds(os_run, 1 if "predator" in ours_name else repeats)
            row(f"{method} on {ours_name} vs OpenSpiel", t_ours / ours_iters, t_os / os_iters,
                f"({ours_iters} / {os_iters} iterations)")
    for name in ("beach_bar", "linear_quadratic", "building_evacuation"):
        game = eq.load_game("mfglib:" + name)
        env = getattr(Environment, name)()
        iters = 20
        pairs = (("fictitious-play", MfgFP(), {}), ("omd", MfgOMD(alpha=1.0), {"step_size": 1.0}))
        for method, alg, options in pairs:
            t_ours, _ = median_seconds(_ours_steps(game, method, iters, **options), repeats)

            def m_run(alg: Any = alg, env: Any = env, iters: int = iters) -> None:
                pi0 = torch.ones((env.T + 1, *env.S, *env.A)) / env.n_actions
                state = alg.init_state(env, pi0)
                for _ in range(iters):
                    state = alg.step_next_state(state, None, None)

            t_m, _ = median_seconds(m_run, repeats)
            row(f"{method} on mfglib:{name} vs MFGLib", t_ours / iters, t_m / iters, f"({iters} iterations)")


def growth(points: list[tuple[int, float]]) -> str:
    """The exponent k of cost ∝ (S·H)^k (log-log slope) from the first to the last size, and
    between the two largest sizes (where fixed per-call costs weigh least)."""
    def slope(a: tuple[int, float], b: tuple[int, float]) -> float:
        return math.log(b[1] / a[1]) / math.log(b[0] / a[0])

    overall, largest = slope(points[0], points[-1]), slope(points[-2], points[-1])
    return f"{overall:.2f} overall, {largest:.2f} at the largest sizes"


def bench_scaling(repeats: int, quick: bool) -> None:
    print("3. cost of one exploitability evaluation against states x horizon (S*H)")
    sizes = [(10, 10), (20, 20), (40, 40), (80, 80)] if not quick else [(10, 10), (20, 20)]
    ours_pts, os_pts = [], []
    for size, horizon in sizes:
        game = eq.load_game(f"crowd_modelling(size={size}, horizon={horizon})")
        pi = game.uniform_policy()
        os_game = pyspiel.load_game("mfg_crowd_modelling", {"size": size, "horizon": horizon})
        os_pi = policy_std.UniformRandomPolicy(os_game)
        t_ours, t_os, wall, cpu, _, _ = paired(lambda g=game, p=pi: eq.nash_conv(g, p),
                                            lambda g=os_game, p=os_pi: os_value(g, p), repeats)
        ours_pts.append((size * horizon, t_ours))
        os_pts.append((size * horizon, t_os))
        ratio_row(f"crowd_modelling S={size} H={horizon} (S*H={size * horizon})", t_ours, t_os, wall, cpu,
                  "OpenSpiel C++ game")
    print(f"  growth, cost ~ (S*H)^k: ours k = {growth(ours_pts)}, OpenSpiel k = {growth(os_pts)}")
    ours_pts, m_pts = [], []
    for n, T in ([(4, 2), (16, 8), (64, 32), (128, 64)] if not quick else [(4, 2), (16, 8)]):
        game = eq.load_game(f"mfglib:beach_bar(n={n}, T={T})")
        env = Environment.beach_bar(n=n, T=T)
        pi = game.uniform_policy()
        tp = torch.tensor(pi[0])
        t_ours, t_m, wall, cpu, _, _ = paired(lambda g=game, p=pi: eq.nash_conv(g, p),
                                           lambda e=env, p=tp: exploitability_score(e, p), repeats)
        ours_pts.append((n * (T + 1), t_ours))
        m_pts.append((n * (T + 1), t_m))
        ratio_row(f"beach_bar n={n} T={T} (S*H={n * (T + 1)})", t_ours, t_m, wall, cpu, "MFGLib")
    print(f"  growth, cost ~ (S*H)^k: ours k = {growth(ours_pts)}, MFGLib k = {growth(m_pts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, no predator_prey (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sections", default="1,2,3", help="which parts to run, e.g. 1,3")
    args = parser.parse_args()
    parts = {"1": bench_exploitability, "2": bench_learners, "3": bench_scaling}
    for key in args.sections.split(","):
        parts[key.strip()](args.repeats, args.quick)


if __name__ == "__main__":
    main()
