"""The two entry points most users need: `load_game` and `solve`, plus `make_learner` and `verify`.

`solve` validates its own parameters (``iterations``, ``seed``, ``tol``, ``eval_every``,
``output``) with `equilibria._checks`, refuses method options that collide with them, maps
deprecated option names (``lr``, ``eta``, ``learning_rate``, ``dt``) to ``step_size`` with a
`FutureWarning`, and verifies every answer with the metrics core: a certified solver must return
a NashConv of (exactly, in exact mode) zero up to a tolerance relative to the game's payoff range,
and a NashConv that is not a number is an error, never an answer.
"""

from __future__ import annotations

import inspect
import math
import os
import time
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from ._checks import apply_option_aliases, check_bool, check_choice, check_int, check_real, check_seed
from .errors import DivergenceError, InvalidParameterError, NotApplicableError, SolverError
from .games.base import Game
from .registry import GAMES, METHODS, MethodEntry, call_with_params, parse_spec
from .run import Learner, Trace, nash_conv_is_valid, run, set_identity
from .solution import Solution

#: solve's own parameters, which method options may not reuse (and the CLI flag for each)
SOLVE_PARAMETERS: dict[str, str] = {
    "game": "GAME",
    "method": "--method",
    "exact": "--exact",
    "iterations": "--iterations",
    "seed": "--seed",
    "output": "--output",
    "eval_every": "--eval-every",
    "tol": "--tol",
    "checkpoint": "--checkpoint",
    "resume": "",
    "progress": "",
    "callbacks": "",
    "options": "",
}
#: a certified float answer's NashConv may be at most this times the game's payoff range
#: (iterative certified solvers such as Shapley's value iteration stop near 1e-9 of it)
CERTIFY_RTOL = 1e-8

GAME_FILE_SUFFIXES = (".nfg", ".efg", ".json", ".csv", ".jsonl")


def load_game(spec: str | Game | os.PathLike, *, iterations: int | None = None) -> Game:
    """A game from a catalog spec (``"goofspiel(num_cards=4)"``) or a file (``.nfg``, ``.efg``, ``.json``).

    A `Game` passes through unchanged. ``iterations`` is the length of the run the game is loaded for:
    a catalog game whose horizon is the run (``allocation:budgeted_second_price``: one request per
    iteration) gets it as its horizon when the spec does not set one.
    """
    if isinstance(spec, Game):
        return spec
    spec_s = os.fspath(spec)
    # a "/" inside parameters (``weights=('1/2', 1, 1)``) does not make a spec a path
    is_path = os.path.sep in spec_s and "(" not in spec_s
    if spec_s.lower().endswith(GAME_FILE_SUFFIXES) or is_path or os.path.isfile(spec_s):
        from .io import read_game

        return read_game(spec_s)
    name, params = parse_spec(spec_s)
    entry = GAMES.get(name)
    if iterations is not None and entry.horizon_param is not None and entry.horizon_param not in params:
        params = {**params, entry.horizon_param: iterations}
    return call_with_params(entry.factory, params, f"game {entry.name!r}")


def _family(game: Any) -> str:
    return getattr(game, "family", type(game).__name__)


def method_entry(method: str, family: str | None = None) -> MethodEntry:
    return METHODS.get(method, family)


def solve(
    game: str | Game,
    method: str | None = None,
    *,
    exact: bool = False,
    iterations: int | None = None,
    seed: int | None = None,
    output: str | None = None,
    eval_every: int | None = None,
    tol: float | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = True,
    progress: bool | None = None,
    callbacks: tuple = (),
    options: Mapping[str, Any] | None = None,
    **hyper: Any,
) -> list[Solution]:
    """Compute or learn equilibria of ``game`` with ``method`` and verify each one.

    Exact solvers return every equilibrium they find; learners return one profile (the average
    iterate, or the last with ``output="last"``), with the run's `Trace` in ``info["trace"]``.
    ``tol`` stops a learner once the NashConv of the iterate it returns (``output``) is at most
    ``tol``. Method options come as keyword arguments or as the mapping ``options`` (what the
    CLI's ``-o key=value`` gives); an option named like one of solve's own parameters
    (``iterations``, ``seed``, ``tol``, ...) is refused: use the parameter.
    Each returned solution's ``nash_conv`` is computed here by the shared metrics core; a
    certified solver whose answer fails that check raises `SolverError` instead of returning it,
    and a learner whose NashConv is not a number raises `DivergenceError`.
    """
    exact = check_bool("exact", exact)
    if iterations is not None:
        iterations = check_int("iterations", iterations, minimum=0)
    seed = check_seed("seed", seed)
    if tol is not None:
        tol = check_real("tol", tol, minimum=0.0)
    if eval_every is not None:
        eval_every = check_int("eval_every", eval_every, minimum=1)
    if output is not None:
        output = check_choice("output", output, ("average", "last"))
    options = _method_options(options, hyper)
    game = load_game(game, iterations=iterations)
    entry = _applicable_entry(method or game.default_method(), game)
    t0 = time.perf_counter()
    if entry.kind == "learner":
        if exact:
            raise InvalidParameterError(f"{entry.name!r} is a learning method; it has no exact mode")
        loop = {"eval_every": eval_every, "checkpoint": checkpoint, "resume": resume, "progress": progress,
                "callbacks": callbacks}
        sols = _run_learner(game, entry, iterations=1000 if iterations is None else iterations, seed=seed,
                            output=output, tol=tol, options=options, loop=loop)
    else:
        if checkpoint is not None:
            raise InvalidParameterError(
                f"{entry.name!r} is an exact solver; checkpoints are for learning methods (it runs in one go)"
            )
        kwargs = dict(entry.options)
        kwargs.update(_aliased(entry, options))
        for key, val, default in (
            ("exact", exact, False),
            ("seed", seed, None),
            ("iterations", iterations, None),
            ("tol", tol, None),
        ):
            if val is not default:
                kwargs[key] = val
        if "exact" in kwargs and "exact" not in inspect.signature(entry.target).parameters:
            raise InvalidParameterError(f"method {entry.name!r} has no exact mode")
        sols = call_with_params(entry.target, kwargs, f"method {entry.name!r}", game)
        for s in sols:
            s.method = entry.name
    seconds = time.perf_counter() - t0
    for s in sols:
        if not s.seconds:
            s.seconds = seconds
        verify(game, s, certified=entry.certified)
    return sols


def make_learner(game: Any, method: str, *, seed: int | None = None, **options: Any) -> Learner:
    """Construct the learner registered as ``method`` for ``game`` (options are its hyper-parameters)."""
    game = load_game(game)
    entry = method_entry(method, _family(game))
    if entry.kind != "learner":
        raise InvalidParameterError(f"{entry.name!r} is an exact solver, not a learner")
    entry = _applicable_entry(method, game)
    kwargs = dict(entry.options)
    kwargs.update(_aliased(entry, options))
    seed = check_seed("seed", seed)
    if seed is not None:
        kwargs["seed"] = seed
    learner = call_with_params(entry.target, kwargs, f"method {entry.name!r}", game)
    set_identity(learner, entry.name, _effective_options(entry, kwargs))
    return learner


def _applicable_entry(name: str, game: Any) -> MethodEntry:
    """The registry entry of method ``name`` for ``game``'s family, or `NotApplicableError`."""
    family = _family(game)
    entry = method_entry(name, family)
    if family not in entry.families:
        raise NotApplicableError(
            f"method {entry.name!r} applies to {', '.join(METHODS.families(name))} games, "
            f"not to {family} games; run `equilibria methods` to see what applies"
        )
    return entry


def _method_options(options: Mapping[str, Any] | None, hyper: Mapping[str, Any]) -> dict[str, Any]:
    """The method options of a `solve` call: ``options`` and keyword arguments, none of them
    named like solve's own parameters."""
    if options is not None and not isinstance(options, Mapping):
        raise InvalidParameterError(f"options must be a mapping of option names to values, not {options!r}")
    merged = dict(options or {})
    for key, value in hyper.items():
        if key in merged:
            raise InvalidParameterError(f"option {key!r} is given twice")
        merged[key] = value
    for key in merged:
        if not isinstance(key, str):
            raise InvalidParameterError(f"option names are strings, not {key!r}")
        if key in SOLVE_PARAMETERS:
            flag = SOLVE_PARAMETERS[key]
            cli = f" (on the command line: {flag}, not -o {key}=...)" if flag else ""
            raise InvalidParameterError(
                f"{key!r} is a parameter of solve itself, not a method option; give it as "
                f"solve({key}=...){cli}"
            )
    return merged


def _target_parameters(entry: MethodEntry) -> list[inspect.Parameter]:
    target = entry.target.__init__ if inspect.isclass(entry.target) else entry.target
    try:
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return []
    return params[1:] if inspect.isclass(entry.target) else params


def _aliased(entry: MethodEntry, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` with deprecated names mapped to the method's parameter (see `OPTION_ALIASES`)."""
    names = [p.name for p in _target_parameters(entry)]
    return apply_option_aliases(dict(options), names, f"method {entry.name!r}")


def _effective_options(entry: MethodEntry, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Every option of the learner with the value it was built with (defaults included), so a
    checkpoint can tell an explicit default from a changed value."""
    out: dict[str, Any] = {}
    for i, p in enumerate(_target_parameters(entry)):
        if i == 0 or p.name == "seed" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue  # the game, the seed (recorded apart), **kwargs
        if p.name in kwargs:
            out[p.name] = kwargs[p.name]
        elif p.default is not p.empty:
            out[p.name] = p.default
    for k, v in kwargs.items():
        if k != "seed":
            out.setdefault(k, v)
    return out


def _run_learner(
    game: Any,
    entry: MethodEntry,
    *,
    iterations: int,
    seed: int | None,
    output: str | None,
    tol: float | None,
    options: dict[str, Any],
    loop: dict[str, Any],
) -> list[Solution]:
    """Build the learner and drive it with `run` (``loop``: run's eval_every, checkpoint, resume,
    progress and callbacks, as solve got them)."""
    learner = make_learner(game, entry.name, seed=seed, **options)
    out = output or learner.default_output
    trace: Trace = run(learner, iterations, evaluate="both", output=out, tol=tol, **loop)
    profile = learner.strategy(out)
    payoffs = expected_payoffs(game, profile)
    info: dict[str, Any] = {"trace": trace, "output": out, "learner": learner}
    if tol is not None:  # whether the run met tol on the returned iterate (else: no claim)
        last = trace.nash_conv[-1] if out == "average" else trace.nash_conv_last[-1]
        info["converged"] = bool(trace.iterations) and bool(last <= tol)
    info.update(learner.solution_info(profile))
    return [
        Solution(
            profile,
            payoffs,
            entry.name,
            iterations=learner.iteration,
            seconds=trace.seconds[-1] if trace.seconds else 0.0,
            info=info,
        )
    ]


def expected_payoffs(game: Any, profile: Any, exact: bool = False) -> np.ndarray:
    return game.expected_payoffs(profile, exact=exact)


def certification_scale(game: Any) -> tuple[float, float]:
    """(payoff range, payoff magnitude) of ``game``: max − min of the payoffs (normal form) or
    terminal utilities (extensive form), else the family's ``payoff_scale``, else 1; and the
    largest absolute payoff, which bounds the rounding error of a computed NashConv."""
    for attr in ("payoffs", "terminal_utility"):
        u = getattr(game, attr, None)
        if isinstance(u, np.ndarray) and u.size and u.dtype.kind in "iuf":
            lo, hi = float(u.min()), float(u.max())
            return hi - lo, max(abs(lo), abs(hi))
    try:
        scale = float(getattr(game, "payoff_scale", 1.0))
    except (TypeError, ValueError):
        scale = 1.0
    if not math.isfinite(scale) or scale < 0:
        scale = 1.0
    return scale, scale


def verify(game: Any, sol: Solution, *, certified: bool = False) -> Solution:
    """Fill in ``sol.nash_conv`` with the metrics core; for certified solvers, insist it is ~0.

    In exact mode a certified answer must have NashConv exactly 0. In float mode it may be at most
    ``CERTIFY_RTOL`` times the game's payoff range plus the rounding of the NashConv computation
    (64 ulp of the largest payoff): relative, so a game scaled by 1e-13 is held to the same
    standard as the unscaled one. A NashConv that is NaN (or infinite, where the game does not
    allow an infinite gain) is an error, never an answer.
    """
    from .metrics import nash_conv

    nc = nash_conv(game, sol.strategies, exact=sol.exact)
    sol.nash_conv = nc
    if not nash_conv_is_valid(game, nc):
        err = SolverError if certified else DivergenceError
        raise err(
            f"{sol.method} returned a profile whose NashConv is {nc}: the computation diverged or "
            "overflowed (for a learning method: reduce step_size, or rescale the payoffs)"
        )
    metric = sol.info.get("metric")
    if metric is not None:
        # a correlated solution is measured by its own gap, recomputed here by the metrics core
        gap = correlated_gap(game, sol, metric)
        if not nash_conv_is_valid(game, gap):
            raise SolverError(f"{sol.method} returned a correlated profile whose {metric} is {gap}")
        sol.info[metric] = gap
    if certified:
        if sol.exact:
            ok = nc == Fraction(0)
        else:
            spread, magnitude = certification_scale(game)
            tol = CERTIFY_RTOL * spread + 64 * np.finfo(float).eps * magnitude
            ok = float(nc) <= tol
        if not ok:
            raise SolverError(
                f"{sol.method} returned a profile with NashConv {nc}; this is a bug, please report "
                "it with the game"
            )
    return sol


def correlated_gap(game: Any, sol: Solution, metric: str) -> Any:
    """The CE or CCE gap of the joint distribution (or correlated Markov policy) a solution carries."""
    from .metrics import cce_gap, ce_gap
    from .metrics.markov import markov_ce_gap

    if getattr(game, "family", None) == "markov":
        if metric != "ce_gap":
            raise SolverError(f"{sol.method}: no {metric} is defined for Markov games")
        return markov_ce_gap(game, sol.info["joint_policy"])
    fns = {"ce_gap": ce_gap, "cce_gap": cce_gap}
    if metric not in fns or sol.info.get("joint") is None:
        raise SolverError(f"{sol.method} names the metric {metric!r} but carries no joint distribution")
    return fns[metric](game, sol.info["joint"], exact=sol.exact)
