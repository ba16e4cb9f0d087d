"""The two entry points most users need: `load_game` and `solve`."""

from __future__ import annotations

import inspect
import os
import time
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import InvalidParameterError, NotApplicableError, SolverError
from .games.base import Game
from .registry import GAMES, METHODS, MethodEntry, call_with_params, parse_spec
from .run import Learner, Trace, run
from .solution import Solution

GAME_FILE_SUFFIXES = (".nfg", ".efg", ".json", ".csv", ".jsonl")


def load_game(spec: str | Game | os.PathLike) -> Game:
    """A game from a catalog spec (``"goofspiel(num_cards=4)"``) or a file (``.nfg``, ``.efg``, ``.json``).

    A `Game` passes through unchanged.
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
    **options: Any,
) -> list[Solution]:
    """Compute or learn equilibria of ``game`` with ``method`` and verify each one.

    Exact solvers return every equilibrium they find; learners return one profile (the average
    iterate, or the last with ``output="last"``), with the run's `Trace` in ``info["trace"]``.
    Each returned solution's ``nash_conv`` is computed here by the shared metrics core; a
    certified solver whose answer fails that check raises `SolverError` instead of returning it.
    """
    game = load_game(game)
    name = method or game.default_method()
    family = _family(game)
    entry = method_entry(name, family)
    if family not in entry.families:
        raise NotApplicableError(
            f"method {entry.name!r} applies to {', '.join(METHODS.families(name))} games, "
            f"not to {family} games; run `equilibria methods` to see what applies"
        )
    t0 = time.perf_counter()
    if entry.kind == "learner":
        if exact:
            raise InvalidParameterError(f"{entry.name!r} is a learning method; it has no exact mode")
        sols = _run_learner(
            game,
            entry,
            iterations=1000 if iterations is None else iterations,
            seed=seed,
            output=output,
            eval_every=eval_every,
            tol=tol,
            checkpoint=checkpoint,
            resume=resume,
            progress=progress,
            callbacks=callbacks,
            options=options,
        )
    else:
        kwargs = dict(entry.options)
        kwargs.update(options)
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
    if _family(game) not in entry.families:
        raise NotApplicableError(
            f"method {entry.name!r} applies to {', '.join(METHODS.families(method))} games, "
            f"not {_family(game)}"
        )
    kwargs = dict(entry.options)
    kwargs.update(options)
    if seed is not None:
        kwargs["seed"] = seed
    return call_with_params(entry.target, kwargs, f"method {entry.name!r}", game)


def _run_learner(
    game: Any,
    entry: MethodEntry,
    *,
    iterations: int,
    seed: int | None,
    output: str | None,
    eval_every: int | None,
    tol: float | None,
    checkpoint: Any,
    resume: bool,
    progress: bool | None,
    callbacks: tuple,
    options: dict[str, Any],
) -> list[Solution]:
    learner = make_learner(game, entry.name, seed=seed, **options)
    out = output or learner.default_output
    evaluate = "both"
    trace: Trace = run(
        learner,
        iterations,
        eval_every=eval_every,
        evaluate=evaluate,
        tol=tol,
        checkpoint=checkpoint,
        resume=resume,
        progress=progress,
        callbacks=callbacks,
    )
    profile = learner.strategy(out)
    payoffs = expected_payoffs(game, profile)
    info: dict[str, Any] = {"trace": trace, "output": out, "learner": learner}
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


def verify(game: Any, sol: Solution, *, certified: bool = False) -> Solution:
    """Fill in ``sol.nash_conv`` with the metrics core; for certified solvers, insist it is ~0."""
    from .metrics import nash_conv

    nc = nash_conv(game, sol.strategies, exact=sol.exact)
    sol.nash_conv = nc
    if certified:
        if sol.exact:
            ok = nc == Fraction(0)
        else:
            scale = max(1.0, float(getattr(game, "payoff_scale", 1.0)))
            ok = float(nc) <= 1e-6 * scale
        if not ok:
            raise SolverError(
                f"{sol.method} returned a profile with NashConv {nc}; this is a bug, please report "
                "it with the game"
            )
    return sol
