"""Numerical edge cases for every registered normal-form method (issue 9, item 5).

Each solver and learner that serves normal-form games is run on degenerate sizes (1×1, 1×3),
constant payoffs, payoffs scaled by 1e-13, 1e6 and 1e19 (and 1e300 for learners, whose updates
must not overflow), and a three-player game; solvers with an exact mode also run each of these in
exact mode, and on payoffs that are not binary fractions (0.1, 0.2, 0.3). The contract: a method
either returns profiles that are probability distributions with a finite NashConv (for a
``certified`` method ~0 relative to the payoff scale, exactly 0 in exact mode), or refuses with an
`EquilibriaError` (e.g. `NotApplicableError` for a two-player method on three players,
`DivergenceError`). Any other exception is a defect: an ``OverflowError``, a
``ZeroDivisionError``, a ``LinAlgError`` or a NaN profile is what a user must never see.
"""

from __future__ import annotations

import inspect
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import EquilibriaError
from equilibria.registry import METHODS, MethodEntry

ITERATIONS = 20
#: options a method cannot run without (they have no default)
REQUIRED_OPTIONS: dict[str, dict[str, Any]] = {"logit-qre": {"lam": 2.0}}
#: certified float answers: NashConv at most this times the payoff scale
CERTIFIED_RTOL = 1e-7

# a 3×3 zero-sum game with a unique, fully mixed equilibrium (1/2, 1/6, 1/3): weighted
# rock-paper-scissors, so that every scaled copy is still a game each method applies to
WRPS = np.array([[0.0, -2.0, 1.0], [2.0, 0.0, -3.0], [-1.0, 3.0, 0.0]])


def _zero_sum(A: np.ndarray) -> eq.NormalFormGame:
    return eq.NormalFormGame(np.stack([A, -A]))


def _scaled(scale: float) -> eq.NormalFormGame:
    return _zero_sum(WRPS * scale)


def _games() -> dict[str, Any]:
    return {
        "1x1": lambda: eq.NormalFormGame(np.array([[[2.0]], [[-1.0]]])),
        "1x3": lambda: eq.NormalFormGame(np.array([[[1.0, 0.0, 2.0]], [[3.0, 1.0, 2.0]]])),
        "constant": lambda: eq.NormalFormGame(np.full((2, 3, 3), 5.0)),
        "scale_1e-13": lambda: _scaled(1e-13),
        "scale_1e6": lambda: _scaled(1e6),
        "scale_1e19": lambda: _scaled(1e19),
        "three_players": lambda: eq.load_game("three_player_matching_pennies"),
    }


LEARNER_ONLY = {"scale_1e300": lambda: _scaled(1e300)}
#: exact mode on decimal payoffs: 0.1 is not a binary fraction (a general-sum 2×2 game with a unique
#: mixed equilibrium, and a zero-sum one for the zero-sum solvers)
EXACT_GAMES = {
    "decimal_general_sum": lambda: eq.NormalFormGame(
        np.array([[[0.3, 0.1], [0.1, 0.2]], [[0.1, 0.3], [0.2, 0.1]]])
    ),
    "decimal_zero_sum": lambda: _zero_sum(np.array([[0.3, -0.1], [-0.1, 0.2]])),
}


def _takes(entry: MethodEntry, name: str) -> bool:
    target = entry.target.__init__ if entry.kind == "learner" else entry.target
    return name in inspect.signature(target).parameters


NF = [e for e in METHODS if "normal_form" in e.families]
CASES = [(e, g) for e in NF for g in _games()]
CASES += [(e, g) for e in NF if e.kind == "learner" for g in LEARNER_ONLY]
# solvers with an exact mode: every edge game (their float payoffs read as exact rationals) and the
# decimal ones, in exact arithmetic
CASES += [
    (e, f"exact_{g}")
    for e in NF
    if e.kind == "solver" and _takes(e, "exact")
    for g in [*_games(), *EXACT_GAMES]
]


def _make(game_name: str) -> eq.NormalFormGame:
    return {**_games(), **LEARNER_ONLY, **EXACT_GAMES}[game_name.removeprefix("exact_")]()


def _solve_kwargs(entry: MethodEntry, game_name: str) -> dict[str, Any]:
    """Few iterations and a fixed seed where the method takes them; exact mode for exact_ cases."""
    kwargs: dict[str, Any] = dict(REQUIRED_OPTIONS.get(entry.name, {}))
    if entry.kind == "learner" or _takes(entry, "iterations"):
        kwargs["iterations"] = ITERATIONS
    if entry.kind == "learner" or _takes(entry, "seed"):
        kwargs["seed"] = 0
    if game_name.startswith("exact_"):
        kwargs["exact"] = True
    return kwargs


def _check_profile(game: eq.NormalFormGame, sol: eq.Solution) -> None:
    assert len(sol.strategies) == game.num_players
    for i, (s, k) in enumerate(zip(sol.strategies, game.num_actions, strict=True)):
        if sol.exact:
            assert all(isinstance(v, (Fraction, int)) and v >= 0 for v in s), f"player {i + 1}: {s}"
            assert sum(s) == 1, f"player {i + 1}: sums to {sum(s)}"
            continue
        v = np.asarray(s, dtype=float)
        assert v.shape == (k,), f"player {i + 1}: shape {v.shape}, {k} actions"
        assert np.all(np.isfinite(v)) and np.all(v >= 0), f"player {i + 1}: {v}"
        assert abs(math.fsum(v) - 1.0) <= 1e-9, f"player {i + 1}: sums to {math.fsum(v)!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0].name}-{c[1]}")
def test_edge_case_returns_a_valid_answer_or_refuses(case: tuple[MethodEntry, str]) -> None:
    entry, game_name = case
    game = _make(game_name)
    try:
        sols = eq.solve(game, entry.name, **_solve_kwargs(entry, game_name))
    except EquilibriaError:
        return  # a documented refusal is an acceptable answer
    assert sols, f"{entry.name} returned no solution and raised nothing"
    scale = float(game.payoff_scale)
    for sol in sols:
        _check_profile(game, sol)
        if game_name.startswith("exact_"):
            assert sol.exact, f"{entry.name} ignored exact=True"
            assert isinstance(sol.nash_conv, Fraction) and sol.nash_conv >= 0, sol.nash_conv
            if entry.certified:
                assert sol.nash_conv == 0, f"{entry.name} (certified, exact): NashConv {sol.nash_conv}"
            continue
        nc = float(sol.nash_conv)
        assert math.isfinite(nc), f"{entry.name}: NashConv {sol.nash_conv} at payoff scale {scale:g}"
        assert nc >= -1e-9 * scale, f"{entry.name}: negative NashConv {nc} at payoff scale {scale:g}"
        if entry.certified:
            assert nc <= CERTIFIED_RTOL * scale, (
                f"{entry.name} (certified): NashConv {nc} = {nc / scale if scale else nc:.3g} × payoff scale"
            )
