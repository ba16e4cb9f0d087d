"""The ``equilibria`` command: a thin layer over the Python API.

User errors print one line to stderr and exit with status 2; there is never a traceback for them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, NoReturn

from ._numbers import format_array, format_number
from .errors import EquilibriaError, InvalidParameterError


def _parse_option(text: str) -> tuple[str, Any]:
    import ast

    if "=" not in text:
        raise InvalidParameterError(f"--option takes KEY=VALUE, got {text!r}")
    key, val = text.split("=", 1)
    key = key.strip().replace("-", "_")
    try:
        return key, ast.literal_eval(val)
    except (ValueError, SyntaxError):
        return key, val


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (with a pointer to --help) and status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="equilibria",
        description="Compute or learn equilibria of games and measure how far a strategy is from one.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("games", help="list the catalog's game names")
    sub.add_parser("methods", help="list the method names and the game families each accepts")

    s = sub.add_parser("solve", help="solve or learn a game")
    s.add_argument("game", help="catalog name, e.g. 'goofspiel(num_cards=4)', or a .nfg/.efg/.json file")
    s.add_argument("--method", "-m", default=None)
    s.add_argument("--iterations", "-n", type=int, default=None)
    s.add_argument("--exact", action="store_true", help="exact rational arithmetic")
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument(
        "--output",
        choices=["average", "last"],
        default=None,
        help="for learners: return the average or the last iterate",
    )
    s.add_argument("--eval-every", type=int, default=None)
    s.add_argument("--tol", type=float, default=None)
    s.add_argument("--plot", default=None, help="write a learning-curve plot to this PNG file")
    s.add_argument("--checkpoint", default=None, help="checkpoint file; an existing one is resumed")
    s.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a method option, e.g. -o alpha=1.5 (repeatable)",
    )
    s.add_argument("--ray", action="store_true", help="distribute over a local Ray instance")
    s.add_argument("--ray-address", default=None, help="address of an existing Ray cluster")

    e = sub.add_parser("eval", help="NashConv and per-player gains of a strategy profile")
    e.add_argument("game")
    e.add_argument("strategy", help="JSON file with the profile (as printed by solve --json)")
    e.add_argument("--exact", action="store_true")
    e.add_argument("--json", action="store_true")

    d = sub.add_parser("demo", help="the showcase: classic games, then CFR+ on Kuhn and Leduc")
    d.add_argument("--plot", default="equilibria-demo.png")
    d.add_argument("--quick", action="store_true", help="a shorter run")
    return p


def _cmd_games() -> int:
    from .registry import GAMES

    for name in GAMES.names():
        print(name)
    return 0


def _cmd_methods() -> int:
    from .registry import METHODS

    for name in METHODS.names():
        print(f"{name}\t{','.join(METHODS.families(name))}")
    return 0


def _finite_json(x: Any) -> Any:
    """Strict JSON has no Infinity or NaN: write them as the strings "inf", "-inf" and "nan",
    as exact numbers are written as strings like "1/3"."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: _finite_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite_json(v) for v in x]
    return x


def _dumps(obj: Any) -> str:
    return json.dumps(_finite_json(obj), allow_nan=False)


def _solution_json(game: Any, sol: Any) -> dict[str, Any]:
    out = {
        "strategies": game.profile_to_json(sol.strategies, sol.exact),
        "payoffs": format_array(sol.payoffs, sol.exact),
    }
    if sol.info.get("joint") is not None:
        # a correlated equilibrium is its joint distribution; the strategies are its marginals
        out["joint"] = format_array(sol.info["joint"], sol.exact)
    return out


def _cmd_solve(args: argparse.Namespace) -> int:
    from .api import load_game, solve

    options = dict(_parse_option(o) for o in args.option)
    if args.ray or args.ray_address:
        options["ray"] = args.ray_address or True
    game = load_game(args.game)
    if args.method and "," in args.method:
        return _cmd_solve_many(args, game, options)
    simplex = _trajectory_recorder(game) if args.plot else None
    sols = solve(
        game,
        args.method,
        exact=args.exact,
        iterations=args.iterations,
        seed=args.seed,
        output=args.output,
        eval_every=_plot_eval_every(args) if simplex else args.eval_every,
        tol=args.tol,
        checkpoint=args.checkpoint,
        callbacks=(simplex,) if simplex else (),
        **options,
    )
    method = sols[0].method if sols else (args.method or game.default_method())
    if args.plot:
        traces = {s.method: s.info["trace"] for s in sols if "trace" in s.info}
        if not traces:
            raise InvalidParameterError("--plot draws learning curves; use it with a learning method")
        from .plotting import plot_nash_conv

        outputs = {s.method: s.info.get("output", "auto") for s in sols if "trace" in s.info}
        plot_nash_conv(traces, args.plot, title=f"{args.game}", which=outputs)
        if simplex is not None and simplex.path:
            simplex.plot({method: simplex.path}, args.plot, args.game)
    if args.json:
        out: dict[str, Any] = {
            "game": args.game,
            "method": method,
            "equilibria": [_solution_json(game, s) for s in sols],
            "nash_conv": format_number(sols[0].nash_conv, sols[0].exact) if sols else None,
            "iterations": sols[0].iterations if sols else None,
            "seconds": round(sum(s.seconds for s in sols[:1]), 6),
        }
        info = {}
        for k, v in sols[0].info.items() if sols else []:
            if isinstance(v, (int, float, str, bool)) or (
                isinstance(v, list) and all(isinstance(x, (int, float, str)) for x in v)
            ):
                info[k] = v
            elif hasattr(v, "numerator"):
                info[k] = format_number(v, True)
        if info:
            out["info"] = info
        print(_dumps(out))
        return 0
    print(f"{game!r}: {len(sols)} equilibri{'um' if len(sols) == 1 else 'a'} by {method}")
    for k, s in enumerate(sols):
        strat = game.profile_to_json(s.strategies, s.exact)
        pay = format_array(s.payoffs, s.exact)
        print(
            f"  #{k + 1}: strategies={json.dumps(strat)} payoffs={json.dumps(pay)} "
            f"nash_conv={format_number(s.nash_conv, s.exact)}"
        )
    return 0


class _SimplexRecorder:
    """A run-loop callback that records the returned iterate, for the 2-simplex trajectory plot."""

    def __init__(self, game: Any):
        self.game = game
        self.path: list[Any] = []

    @staticmethod
    def applies(game: Any) -> bool:
        return getattr(game, "family", "") == "normal_form" and 3 in tuple(game.num_actions)

    def __call__(self, learner: Any, trace: Any) -> None:
        import numpy as np

        self.path.append([np.array(s, dtype=float) for s in learner.strategy()])

    def plot(self, paths: dict[str, list[Any]], plot_path: str, title: str) -> str:
        import os

        from .plotting import plot_simplex_trajectories

        stem, ext = os.path.splitext(plot_path)
        out = f"{stem}_simplex{ext or '.png'}"
        plot_simplex_trajectories(paths, out, title=title, action_labels=self.game.action_labels,
                                  player_labels=self.game.player_labels)
        print(f"simplex trajectories written to {out}", file=sys.stderr)
        return out


def _trajectory_recorder(game: Any) -> Any:
    """The trajectory recorder for ``--plot``: simplex paths for 3-action normal-form games, 2-D paths
    for continuous games (`equilibria.dynamics.continuous.PlaneRecorder`), else None."""
    if _SimplexRecorder.applies(game):
        return _SimplexRecorder(game)
    from .dynamics.continuous import PlaneRecorder

    return PlaneRecorder(game) if PlaneRecorder.applies(game) else None


def _plot_eval_every(args: argparse.Namespace) -> int | None:
    if args.eval_every is not None:
        return args.eval_every
    return max(1, (args.iterations or 1000) // 300)


def _cmd_solve_many(args: argparse.Namespace, game: Any, options: dict[str, Any]) -> int:
    """``--method a,b,c``: run several learners on one game and plot their curves in one figure."""
    from .api import solve

    methods = [m.strip() for m in args.method.split(",") if m.strip()]
    simplex = _trajectory_recorder(game) if args.plot else None
    results, traces, paths, outputs = [], {}, {}, {}
    for m in methods:
        rec = type(simplex)(game) if simplex else None
        sols = solve(game, m, exact=args.exact, iterations=args.iterations, seed=args.seed,
                     output=args.output, eval_every=_plot_eval_every(args) if rec else args.eval_every,
                     tol=args.tol, callbacks=(rec,) if rec else (), **options)
        s = sols[0]
        results.append({"method": s.method, "strategies": game.profile_to_json(s.strategies, s.exact),
                        "payoffs": format_array(s.payoffs, s.exact),
                        "nash_conv": format_number(s.nash_conv, s.exact), "iterations": s.iterations,
                        "seconds": round(s.seconds, 6)})
        if "trace" in s.info:
            traces[s.method] = s.info["trace"]
            outputs[s.method] = s.info.get("output", "auto")
        if rec is not None and rec.path:
            paths[s.method] = rec.path
    if args.plot:
        if not traces:
            raise InvalidParameterError("--plot draws learning curves; use it with learning methods")
        from .plotting import plot_nash_conv

        plot_nash_conv(traces, args.plot, title=f"{args.game}", which=outputs)
        if simplex is not None and paths:
            simplex.plot(paths, args.plot, args.game)
    if args.json:
        print(_dumps({"game": args.game, "methods": results}))
    else:
        for r in results:
            print(f"{r['method']}: strategies={json.dumps(r['strategies'])} nash_conv={r['nash_conv']}")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    import numpy as np

    from .api import load_game
    from .errors import InvalidStrategyError
    from .metrics import deviation_gains

    game = load_game(args.game)
    try:
        with open(args.strategy) as f:
            data = json.load(f)
    except OSError as exc:
        raise InvalidStrategyError(f"cannot read {args.strategy}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InvalidStrategyError(
            f"{args.strategy}, line {exc.lineno}: not valid JSON ({exc.msg})"
        ) from None
    if isinstance(data, dict) and "equilibria" in data:
        eqs = data["equilibria"]
        if not (isinstance(eqs, list) and eqs and isinstance(eqs[0], dict) and "strategies" in eqs[0]):
            raise InvalidStrategyError(
                f"{args.strategy}: 'equilibria' must be a non-empty list of objects with 'strategies'"
            )
        data = eqs[0]["strategies"]
    profile = game.profile_from_json(data)
    exact = args.exact
    gains = deviation_gains(game, profile, exact=exact)
    nc = sum(gains[1:], gains[0]) if exact else float(np.sum(gains))
    if args.json:
        print(_dumps({"game": args.game, "nash_conv": format_number(nc, exact),
                      "gains": format_array(gains, exact)}))
    else:
        print(f"NashConv {format_number(nc, exact)}")
        for i, g in enumerate(gains):
            print(f"  player {i + 1} best-response gain {format_number(g, exact)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "games":
            return _cmd_games()
        if args.command == "methods":
            return _cmd_methods()
        if args.command == "solve":
            return _cmd_solve(args)
        if args.command == "eval":
            return _cmd_eval(args)
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(plot=args.plot, quick=args.quick)
    except EquilibriaError as exc:
        print(f"equilibria: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("equilibria: interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
