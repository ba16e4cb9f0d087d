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

Every timing is the median of ``--repeats`` runs. Ratios are peer seconds / our seconds.

    .venv/bin/python bench/bench_mean_field.py [--quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
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


def os_value(os_game: Any, os_pi: Any) -> float:
    return os_nash_conv.NashConv(os_game, os_pi).nash_conv()


def row(label: str, ours: float, theirs: float, extra: str = "") -> None:
    print(f"  {label:44s} ours {ours * 1e3:10.2f} ms   peer {theirs * 1e3:11.2f} ms   "
          f"ratio {theirs / ours:8.1f}x  {extra}")


def bench_exploitability(repeats: int, quick: bool) -> None:
    print("1. exploitability of the uniform policy (one evaluation)")
    cases = [("crowd_modelling", "python_mfg_crowd_modelling"), ("crowd_modelling", "mfg_crowd_modelling"),
             ("crowd_modelling_2d", "mfg_crowd_modelling_2d"), ("linear_quadratic", "mean_field_lin_quad")]
    if not quick:
        cases += [("predator_prey", "python_mfg_predator_prey"),
                  ("crowd_avoidance", "python_mfg_crowd_avoidance"),
                  ("periodic_aversion", "python_mfg_periodic_aversion")]
    for ours_name, os_name in cases:
        game = eq.load_game(ours_name)
        os_game = pyspiel.load_game(os_name)
        pi = game.uniform_policy()
        t_ours, v_ours = median_seconds(eq.nash_conv, repeats, game, pi)
        os_pi = policy_std.UniformRandomPolicy(os_game)
        slow = ours_name in ("predator_prey", "crowd_avoidance", "periodic_aversion", "linear_quadratic")
        t_os, v_os = median_seconds(os_value, 1 if slow else repeats, os_game, os_pi)
        row(f"{ours_name} vs OpenSpiel {os_name}", t_ours, t_os, f"{v_ours:.12f} vs {v_os:.12f}")
    for name in ("beach_bar", "building_evacuation", "linear_quadratic", "susceptible_infected"):
        game = eq.load_game("mfglib:" + name)
        env = getattr(Environment, name)()
        pi = game.uniform_policy()
        tp = torch.tensor(pi[0]).reshape(env.T + 1, *env.S, *env.A)
        t_ours, v_ours = median_seconds(eq.nash_conv, repeats, game, pi)
        t_m, v_m = median_seconds(exploitability_score, repeats, env, tp)
        row(f"mfglib:{name} vs MFGLib", t_ours, t_m, f"{v_ours:.12f} vs {v_m:.12f}")


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


def bench_scaling(repeats: int, quick: bool) -> None:
    print("3. cost of one exploitability evaluation against states x horizon")
    sizes = [(10, 10), (20, 20), (40, 40)] if not quick else [(10, 10), (20, 20)]
    for size, horizon in sizes:
        game = eq.load_game(f"crowd_modelling(size={size}, horizon={horizon})")
        pi = game.uniform_policy()
        t_ours, _ = median_seconds(eq.nash_conv, repeats, game, pi)
        os_game = pyspiel.load_game("mfg_crowd_modelling", {"size": size, "horizon": horizon})
        os_pi = policy_std.UniformRandomPolicy(os_game)
        # the peer's median over as many repeats as ours: one timing of it swung 13-42 ms under load
        t_os, _ = median_seconds(os_value, repeats, os_game, os_pi)
        row(f"crowd_modelling S={size} H={horizon} (S*H={size * horizon})", t_ours, t_os,
            "OpenSpiel C++ game")
    for n, T in ([(4, 2), (16, 8), (64, 32)] if not quick else [(4, 2), (16, 8)]):
        game = eq.load_game(f"mfglib:beach_bar(n={n}, T={T})")
        env = Environment.beach_bar(n=n, T=T)
        pi = game.uniform_policy()
        tp = torch.tensor(pi[0])
        t_ours, _ = median_seconds(eq.nash_conv, repeats, game, pi)
        t_m, _ = median_seconds(exploitability_score, repeats, env, tp)
        row(f"beach_bar n={n} T={T} (S*H={n * (T + 1)})", t_ours, t_m, "MFGLib")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, no predator_prey (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    bench_exploitability(args.repeats, args.quick)
    bench_learners(args.repeats, args.quick)
    bench_scaling(args.repeats, args.quick)


if __name__ == "__main__":
    main()
