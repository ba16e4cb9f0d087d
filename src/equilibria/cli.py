"""The ``equilibria`` command: a thin layer over the Python API.

A user error (bad input, a method that does not apply, a value out of range) prints one line to
stderr and exits with status 2; there is never a traceback for it. Anything else is a defect of
equilibria: it prints one line asking for a report and exits with status 1 (``--debug`` shows the
traceback instead).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, NoReturn

from ._numbers import format_array, format_number
from .errors import EquilibriaError, InvalidParameterError, InvalidStrategyError

#: how many information sets / states / long-vector entries the human summary shows
_SHOW_ITEMS = 4
_SHOW_ENTRIES = 8
_SHOW_SOLUTIONS = 5


# ---- argument types: each rejects a bad value with one line, before anything runs ----------------


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)  # may raise ValueError: argparse turns it into a one-line usage error


def _checked(convert: Callable[[str], Any], what: str) -> Callable[[str], Any]:
    def conv(text: str) -> Any:
        try:
            return convert(text)
        except (ValueError, OverflowError) as exc:  # InvalidParameterError is a ValueError
            msg = str(exc) if isinstance(exc, EquilibriaError) else f"must be {what}, got {text!r}"
            raise argparse.ArgumentTypeError(msg) from None

    conv.__name__ = what  # argparse names the type in some messages
    return conv


def _positive_int(name: str) -> Callable[[str], int]:
    from ._checks import check_int

    return _checked(lambda t: check_int(name, _number(t), minimum=1), "a positive integer")


def _seed_type() -> Callable[[str], int | None]:
    from ._checks import check_seed

    return _checked(lambda t: check_seed("--seed", _number(t)), "an integer in [0, 2**63)")


def _tolerance_type() -> Callable[[str], float]:
    from ._checks import check_real

    return _checked(lambda t: check_real("--tol", float(t), minimum=0.0), "a finite number >= 0")


def _size_type() -> Callable[[str], int]:
    from ._checks import parse_size

    return _checked(parse_size, "a size such as 16G, 512M or a number of bytes")


def _parse_option(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` from ``-o``: the value is a Python literal, or else the text itself."""
    import ast

    if "=" not in text:
        raise InvalidParameterError(f"-o takes KEY=VALUE, got {text!r}")
    key, val = text.split("=", 1)
    key = key.strip().replace("-", "_")
    if not key.isidentifier():
        raise InvalidParameterError(f"-o takes KEY=VALUE with KEY a name such as step_size, got {text!r}")
    from .api import SOLVE_PARAMETERS  # solve's own parameters, each with its flag

    if key in SOLVE_PARAMETERS:
        flag = SOLVE_PARAMETERS[key]
        hint = f"; use {flag}" if flag.startswith("--") else (f"; it is the {flag} argument" if flag else "")
        raise InvalidParameterError(f"-o {key}=... is not a method option{hint}")
    try:
        return key, ast.literal_eval(val.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        # not a literal (or an unhashable dict key, or nested past Python's limit): the text itself
        return key, val


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (with a pointer to --help) and status 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _add_common(parser: argparse.ArgumentParser, *, top: bool = False, max_size: bool = False) -> None:
    # on a sub-command the defaults are SUPPRESS, so ``equilibria --debug solve ...`` is not undone
    default: Any = False if top else argparse.SUPPRESS
    parser.add_argument("--verbose", "-v", action="store_true", default=default,
                        help="show warnings in Python's full form and Ray's start-up logs")
    parser.add_argument("--debug", action="store_true", default=default,
                        help="show the Python traceback of an internal error instead of one line")
    if max_size:
        parser.add_argument("--max-size", type=_size_type(), default=None, metavar="SIZE",
                            help="refuse games or runs estimated above SIZE of memory "
                                 "(e.g. 16G; default 4G)")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="equilibria",
        description="Compute or learn equilibria of games and measure how far a strategy is from one.",
    )
    _add_common(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           help="games, methods, solve, eval or demo (COMMAND --help for its options)")

    g = sub.add_parser("games", help="list the catalog's games with their parameters; or describe one",
                       description="Without NAME: one game a line (name, family, parameters with their "
                                   "defaults). With NAME: the game's description, family and parameters.")
    g.add_argument("name", nargs="?", default=None, help="a catalog game to describe, e.g. goofspiel")
    _add_common(g, max_size=True)

    m = sub.add_parser("methods", help="list the methods with a description and paper; or describe one",
                       description="Without NAME: one method a line (name, families, description, "
                                   "paper). With NAME: its kind, families, options with defaults and "
                                   "types, and citation.")
    m.add_argument("name", nargs="?", default=None, help="a method to describe, e.g. cfr+")
    _add_common(m)

    s = sub.add_parser("solve", help="solve or learn a game")
    s.add_argument("game", help="catalog name, e.g. 'goofspiel(num_cards=4)', or a .nfg/.efg/.json file")
    s.add_argument("--method", "-m", default=None, metavar="NAME",
                   help="method name (see `equilibria methods`); several, comma-separated, compare "
                        "learners; default: the game's default method")
    s.add_argument("--iterations", "-n", type=_positive_int("--iterations"), default=None, metavar="N",
                   help="iterations of a learner (default 1000)")
    s.add_argument("--exact", action="store_true", help="exact rational arithmetic (exact solvers only)")
    s.add_argument("--seed", type=_seed_type(), default=None, metavar="S",
                   help="random seed (an integer >= 0); the same seed gives the same result")
    s.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    s.add_argument("--save", default=None, metavar="FILE.json",
                   help="write the full result, as --json prints it, to this file (`eval` reads it)")
    s.add_argument(
        "--output",
        choices=["average", "last"],
        default=None,
        help="for learners: return the average or the last iterate",
    )
    s.add_argument("--eval-every", type=_positive_int("--eval-every"), default=None, metavar="K",
                   help="for learners: evaluate NashConv every K iterations")
    s.add_argument("--tol", type=_tolerance_type(), default=None, metavar="EPS",
                   help="for learners: stop once NashConv <= EPS; for exact solvers: their tolerance")
    s.add_argument("--plot", default=None, metavar="FILE.png",
                   help="write a learning-curve plot to this image file (folders are created)")
    s.add_argument("--checkpoint", default=None, metavar="FILE",
                   help="checkpoint file; an existing one is resumed")
    s.add_argument(
        "--option",
        "-o",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a method option, e.g. -o step_size=0.1 (repeatable; `equilibria methods NAME` lists them)",
    )
    s.add_argument("--ray", action="store_true",
                   help="distribute over a local Ray instance (PSRO; cfr, cfr+, linear-cfr and dcfr run as "
                        "their ray-* twins)")
    s.add_argument("--ray-address", default=None, metavar="HOST:PORT",
                   help="address of an existing Ray cluster; fails within seconds if nothing listens")
    _add_common(s, max_size=True)

    e = sub.add_parser("eval", help="NashConv and per-player gains of a strategy profile")
    e.add_argument("game", help="catalog name or game file, as for solve")
    e.add_argument("strategy", help="JSON file with the profile (as written by solve --save or --json)")
    e.add_argument("--exact", action="store_true", help="exact rational arithmetic")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    _add_common(e, max_size=True)

    d = sub.add_parser("demo", help="the showcase: classic games, then CFR+ on Kuhn and Leduc")
    d.add_argument("--plot", default="equilibria-demo.png", metavar="FILE.png",
                   help="where to write the Leduc learning curves (default equilibria-demo.png)")
    d.add_argument("--quick", action="store_true", help="a shorter run")
    _add_common(d)
    return p


# ---- games and methods ---------------------------------------------------------------------------


def _columns(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned text; the last column is not padded."""
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([c.ljust(w) for c, w in zip(r, widths, strict=False)] + [r[-1]]).rstrip() for r in rows]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _cmd_games(args: argparse.Namespace) -> int:
    from .registry import GAMES, parse_spec

    if args.name is not None:
        name, _ = parse_spec(args.name)
        print(GAMES.get(name).describe())
        return 0
    # the catalog's index holds the rows (tests/test_startup.py keeps it in step): no game module
    # is imported to list them
    from .games.catalog._index import GAME_ROWS

    rows = [list(row) for row in GAME_ROWS]
    for line in _columns(rows):
        print(line)
    return 0


def _cmd_methods(args: argparse.Namespace) -> int:
    from .registry import METHODS

    if args.name is not None:
        entries = METHODS.entries(args.name)
        print("\n\n".join(e.describe() for e in entries))
        return 0
    rows = []
    for name in METHODS.names():
        entries = METHODS.entries(name)
        families = ",".join(f for e in entries for f in e.families)
        cite = next((c for c in (e.citation(short=True) for e in entries) if c), "")
        desc = _clip(entries[0].description, 64)
        rows.append([name, families, entries[0].kind, desc + (f" [{cite}]" if cite else "")])
    for line in _columns(rows):
        print(line)
    return 0


# ---- solve ---------------------------------------------------------------------------------------


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


def _prepare_output(path: str, flag: str) -> str:
    """Check an output path before a long run: not a folder; its folder is created if missing."""
    if os.path.isdir(path):
        raise InvalidParameterError(f"{flag} {path}: is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(f"{flag} {path}: cannot create the folder {folder}: "
                                    f"{exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise InvalidParameterError(f"{flag} {path}: the folder {folder} is not writable")
    return path


def _check_game_path(spec: str) -> None:
    if os.path.isdir(spec):
        raise InvalidParameterError(f"{spec} is a folder, not a game file or a catalog name")


def _ray_twin(name: str, family: str | None) -> str | None:
    """``ray-<name>``, the method that distributes ``name`` over Ray workers, where one is registered
    for ``family`` (None otherwise)."""
    from .api import method_entry
    from .errors import EquilibriaError

    try:
        return method_entry(f"ray-{name}", family).name
    except EquilibriaError:
        return None


def _cmd_solve(args: argparse.Namespace) -> int:
    from .api import load_game, method_entry, solve

    options = dict(_parse_option(o) for o in args.option)
    for flag in ("plot", "save", "checkpoint"):
        if getattr(args, flag) is not None:
            _prepare_output(getattr(args, flag), f"--{flag}")
    if args.plot is not None:
        from .plotting import check_plot_path

        check_plot_path(args.plot)
    if args.ray or args.ray_address:
        from .population.ray_backend import check_reachable, set_verbose

        set_verbose(args.verbose)
        if args.ray_address:
            check_reachable(args.ray_address)
        options["ray"] = args.ray_address or True
    _check_game_path(args.game)
    game = load_game(args.game, iterations=args.iterations)
    if args.method is not None and "," in args.method:
        return _cmd_solve_many(args, game, options)
    if args.method is not None and not args.method.strip():
        raise InvalidParameterError("--method needs a method name; run `equilibria methods` for the list")
    name = args.method or game.default_method()
    entry = method_entry(name, getattr(game, "family", None))
    if "ray" in options and all(p.name != "ray" for p in entry.parameters()):
        # --ray on a method that has a distributed twin (cfr+ -> ray-cfr+) runs the twin
        twin = _ray_twin(name, getattr(game, "family", None))
        if twin is not None:
            name, entry = twin, method_entry(twin, getattr(game, "family", None))
    if args.plot and entry.kind != "learner":
        raise InvalidParameterError(f"--plot draws learning curves; {entry.name!r} is an exact solver, "
                                    "use it with a learning method")
    simplex = _trajectory_recorder(game) if args.plot else None
    sols = solve(
        game,
        name,
        exact=args.exact,
        iterations=args.iterations,
        seed=args.seed,
        output=args.output,
        eval_every=_plot_eval_every(args) if simplex else args.eval_every,
        tol=args.tol,
        checkpoint=args.checkpoint,
        callbacks=(simplex,) if simplex else (),
        options=options,
    )
    method = sols[0].method if sols else entry.name
    if args.plot:
        traces = {s.method: s.info["trace"] for s in sols if "trace" in s.info}
        if not traces:
            raise InvalidParameterError("--plot draws learning curves; use it with a learning method")
        from .plotting import plot_nash_conv

        outputs = {s.method: s.info.get("output", "auto") for s in sols if "trace" in s.info}
        plot_nash_conv(traces, args.plot, title=f"{args.game}", which=outputs)
        if simplex is not None and simplex.path:
            simplex.plot({method: simplex.path}, args.plot, args.game)
        _plot_family_figure(game, {s.method: s for s in sols[:1]}, args.plot, args.game)
    doc: dict[str, Any] = {
        "game": args.game,
        "method": method,
        "equilibria": [_solution_json(game, s) for s in sols],
        "nash_conv": format_number(sols[0].nash_conv, sols[0].exact) if sols else None,
        "iterations": sols[0].iterations if sols else None,
        "seconds": round(sum(s.seconds for s in sols[:1]), 6),
    }
    info = _json_info(sols[0].info) if sols else {}
    if info:
        doc["info"] = info
    if args.save:
        _write_text(args.save, _dumps(doc) + "\n", "--save")
    if args.json:
        print(_dumps(doc))
        return 0
    _print_summary(args, game, entry, method, sols, doc)
    if args.save:
        print(f"saved the full result to {args.save} (read it back with `equilibria eval`)")
    return 0


def _json_info(info: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in info.items():
        if isinstance(v, (int, float, str, bool)) or (
            isinstance(v, list) and all(isinstance(x, (int, float, str)) for x in v)
        ):
            out[k] = v
        elif hasattr(v, "numerator"):
            out[k] = format_number(v, True)
    return out


def _write_text(path: str, text: str, flag: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise InvalidParameterError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None


# ---- the human summary ---------------------------------------------------------------------------


def _num(x: Any) -> str:
    """A number from a JSON profile for a person: exact strings as they are, floats to 4 digits."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.4g}"


def _is_numbers(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(x, (int, float, str)) and not isinstance(x, bool) for x in v
    )


def _vector(v: list) -> str:
    shown = ", ".join(_num(x) for x in v[:_SHOW_ENTRIES])
    more = f", … {len(v) - _SHOW_ENTRIES} more" if len(v) > _SHOW_ENTRIES else ""
    return f"({shown}{more})"


def _inline(v: Any) -> str:
    if _is_numbers(v):
        return _vector(v)
    if isinstance(v, dict):
        items = list(v.items())
        shown = ", ".join(f"{k}: {_inline(x)}" for k, x in items[:_SHOW_ENTRIES])
        more = f", … {len(items) - _SHOW_ENTRIES} more" if len(items) > _SHOW_ENTRIES else ""
        return "{" + shown + more + "}"
    if isinstance(v, list):
        shown = ", ".join(_inline(x) for x in v[:_SHOW_ENTRIES])
        more = f", … {len(v) - _SHOW_ENTRIES} more" if len(v) > _SHOW_ENTRIES else ""
        return "[" + shown + more + "]"
    return _num(v)


def _policy_lines(policy: Any, what: str) -> list[str]:
    """A player's policy in a few lines: a vector in full (long ones cut), or the first few
    information sets / states of a mapping, with a count of the rest."""
    if _is_numbers(policy):
        return [_vector(policy)]
    if isinstance(policy, list) and policy and all(isinstance(d, dict) for d in policy):
        # a time-indexed policy (finite-horizon Markov game): the first step
        return [f"step 1 of {len(policy)}:", *("  " + x for x in _policy_lines(policy[0], what))]
    if isinstance(policy, dict):
        items = list(policy.items())
        lines = [f"{_clip(str(k), 40)}: {_clip(_inline(v), 90)}" for k, v in items[:_SHOW_ITEMS]]
        if len(items) > _SHOW_ITEMS:
            lines.append(f"… {len(items) - _SHOW_ITEMS} more {what} of {len(items)}")
        return lines
    return [_clip(_inline(policy), 120)]


def _game_line(game: Any) -> str:
    family = getattr(game, "family", type(game).__name__)
    parts = [family.replace("_", " ")]
    n = getattr(game, "num_players", None)
    if n:
        parts.append(f"{n} players")
    if family == "normal_form" and getattr(game, "num_actions", None) is not None:
        parts.append("×".join(str(a) for a in game.num_actions) + " actions")
    elif family == "extensive_form" and getattr(game, "num_infosets", None) is not None:
        parts.append(f"{game.num_infosets} information sets")
    elif family == "markov" and getattr(game, "num_states", None) is not None:
        parts.append(f"{game.num_states} states")
    return ", ".join(parts)


def _what_items(game: Any) -> str:
    return {"extensive_form": "information sets", "markov": "states", "preference": "contexts"}.get(
        getattr(game, "family", ""), "entries")


def _zero_sum(game: Any) -> bool:
    try:
        return bool(getattr(game, "is_zero_sum", False)) and getattr(game, "num_players", 0) == 2
    except Exception:  # noqa: BLE001 - only the label "value" depends on it
        return False


def _print_summary(args: argparse.Namespace, game: Any, entry: Any, method: str, sols: list,
                   doc: dict[str, Any]) -> None:
    rows = [["game", f"{args.game} ({_game_line(game)})"]]
    if entry.kind == "learner":
        out = sols[0].info.get("output", "") if sols else ""
        rows.append(["method", f"{method} (learner, {out} iterate)" if out else f"{method} (learner)"])
        rows.append(["iterations", str(doc["iterations"])])
    else:
        rows.append(["method", f"{method} (exact solver{', rational arithmetic' if args.exact else ''})"])
        rows.append(["equilibria", str(len(sols))])
    rows.append(["time", f"{doc['seconds']:.3g} s"])
    for line in _columns(rows):
        print(line)
    what = _what_items(game)
    zero_sum = _zero_sum(game)
    for k, (sol, js) in enumerate(zip(sols[:_SHOW_SOLUTIONS], doc["equilibria"], strict=False)):
        nc = _num(format_number(sol.nash_conv, sol.exact))
        pay = js["payoffs"]
        if zero_sum and _is_numbers(pay):
            money = f"value {_num(pay[0])} (player 1)"
        else:
            money = f"payoffs {_inline(pay)}"
        print(f"#{k + 1}  NashConv {nc}  {money}" if len(sols) > 1 else f"NashConv {nc}  {money}")
        strategies = js["strategies"]
        players = strategies if isinstance(strategies, list) else [strategies]
        label = "player" if isinstance(strategies, list) else "policy"
        for i, pol in enumerate(players):
            lines = _policy_lines(pol, what)
            head = f"  {label} {i + 1}:" if isinstance(strategies, list) else f"  {label}:"
            if len(lines) == 1:
                print(f"{head} {lines[0]}")
            else:
                print(head)
                for line in lines:
                    print(f"    {line}")
    if len(sols) > _SHOW_SOLUTIONS:
        print(f"… {len(sols) - _SHOW_SOLUTIONS} more equilibria (all of them: --json, or --save FILE.json)")
    elif any(_truncated(js["strategies"]) for js in doc["equilibria"]):
        print("(the full profile: --json, or --save FILE.json)")


def _truncated(strategies: Any) -> bool:
    players = strategies if isinstance(strategies, list) else [strategies]
    for pol in players:
        if isinstance(pol, dict) and len(pol) > _SHOW_ITEMS:
            return True
        if isinstance(pol, list) and (len(pol) > _SHOW_ENTRIES or any(isinstance(d, dict) for d in pol)):
            return True
    return False


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
        from .plotting import plot_simplex_trajectories

        stem, ext = os.path.splitext(plot_path)
        out = f"{stem}_simplex{ext or '.png'}"
        plot_simplex_trajectories(paths, out, title=title, action_labels=self.game.action_labels,
                                  player_labels=self.game.player_labels)
        print(f"simplex trajectories written to {out}", file=sys.stderr)
        return out


def _plot_family_figure(game: Any, solutions: dict[str, Any], plot_path: str, title: str) -> None:
    """The family's own figure beside the learning curves (`plotting.plot_family_figure`)."""
    from .plotting import plot_family_figure

    out = plot_family_figure(game, solutions, plot_path, title=title)
    if out is not None:
        print(f"{game.family.replace('_', '-')} figure written to {out}", file=sys.stderr)


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
    if not methods:
        raise InvalidParameterError("--method needs at least one method name")
    if args.save:
        raise InvalidParameterError("--save writes one method's result; run the methods one at a time")
    simplex = _trajectory_recorder(game) if args.plot else None
    results, traces, paths, outputs = [], {}, {}, {}
    solved: dict[str, Any] = {}
    for m in methods:
        rec = type(simplex)(game) if simplex else None
        sols = solve(game, m, exact=args.exact, iterations=args.iterations, seed=args.seed,
                     output=args.output, eval_every=_plot_eval_every(args) if rec else args.eval_every,
                     tol=args.tol, callbacks=(rec,) if rec else (), options=options)
        s = sols[0]
        solved[s.method] = s
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
        _plot_family_figure(game, solved, args.plot, args.game)
    if args.json:
        print(_dumps({"game": args.game, "methods": results}))
    else:
        print(f"game  {args.game} ({_game_line(game)})")
        rows = [["method", "iterations", "NashConv", "time"]]
        rows += [[r["method"], str(r["iterations"]), _num(r["nash_conv"]), f"{r['seconds']:.3g} s"]
                 for r in results]
        for line in _columns(rows):
            print(line)
    return 0


# ---- eval ----------------------------------------------------------------------------------------


def _cmd_eval(args: argparse.Namespace) -> int:
    import numpy as np

    from .api import load_game
    from .io.json_format import read_profile_json
    from .metrics import deviation_gains

    _check_game_path(args.game)
    game = load_game(args.game)
    data = read_profile_json(args.strategy)
    if isinstance(data, dict) and "equilibria" in data:
        eqs = data["equilibria"]
        if not (isinstance(eqs, list) and eqs and isinstance(eqs[0], dict) and "strategies" in eqs[0]):
            raise InvalidStrategyError(
                f"{args.strategy}: 'equilibria' must be a non-empty list of objects with 'strategies'"
            )
        data = eqs[0]["strategies"]
    if not isinstance(data, (list, dict)):
        raise InvalidStrategyError(
            f"{args.strategy}: a profile is a JSON list with one strategy per player (or the output of "
            f"solve --save), not a {type(data).__name__}"
        )
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


# ---- main ----------------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "games":
        return _cmd_games(args)
    if args.command == "methods":
        return _cmd_methods(args)
    if args.command == "solve":
        return _cmd_solve(args)
    if args.command == "eval":
        return _cmd_eval(args)
    if args.command == "demo":
        from .demo import run_demo

        if args.plot:
            from .plotting import check_plot_path

            check_plot_path(args.plot)
        return run_demo(plot=args.plot, quick=args.quick)
    raise InvalidParameterError(f"unknown command {args.command}")


def _show_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = f"equilibria: warning: {_one_line(w.message)}"
        if text not in seen:
            seen.add(text)
            print(text, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv``; returns the exit status (0 ok, 1 internal error, 2 user error)."""
    from ._checks import set_size_limit, size_limit

    parser = _build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    verbose = bool(getattr(args, "verbose", False))
    old_limit = size_limit()
    status: int
    with warnings.catch_warnings(record=not verbose) as caught:
        if not verbose:
            warnings.simplefilter("default")
        try:
            if getattr(args, "max_size", None) is not None:
                set_size_limit(args.max_size)
            status = _dispatch(args)
        except EquilibriaError as exc:
            if debug:
                raise
            print(f"equilibria: error: {_one_line(exc)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("equilibria: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # the reader went away (``equilibria games | head``): not an error of ours
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            return 141
        except Exception as exc:  # noqa: BLE001 - the last resort: a defect, reported in one line
            if debug:
                raise
            print(
                f"equilibria: internal error: {type(exc).__name__}: {_clip(_one_line(exc), 300)} "
                "(please report; run with --debug for the traceback)",
                file=sys.stderr,
            )
            return 1
        finally:
            set_size_limit(old_limit)
    if caught:
        _show_warnings(caught)
    return status


if __name__ == "__main__":
    sys.exit(main())
