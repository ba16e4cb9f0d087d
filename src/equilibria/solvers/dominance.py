"""Iterated elimination of strictly dominated strategies, by pure or mixed strategies, for n players.

An action a of player i is strictly dominated if some mixed strategy σ_i over i's other actions
earns strictly more against every surviving profile of the others:

    ε* = max_{σ ∈ Δ, ε} ε   s.t.   Σ_b σ_b u_i(b, c) − u_i(a, c) ≥ ε   for every surviving c,

and a is dominated iff ε* > 0 (the LP test; e.g. Myerson, *Game Theory: Analysis of Conflict*,
1991, §2.5; Fudenberg & Tirole, *Game Theory*, 1991, §2.1). Pure dominators are found first, by
one vectorised comparison. Eliminating strictly dominated strategies in any order reaches the same
reduced game (Gilboa, Kalai & Zemel, "On the order of eliminating dominated strategies", Oper.
Res. Letters 1990) and keeps every Nash equilibrium, so equilibria of the reduced game, padded with
zeros, are the equilibria of the original one.

A dominator found by the LP is re-checked directly (in `Fraction` arithmetic in exact mode) so that
no action is removed on the strength of a floating-point tolerance.
"""

from __future__ import annotations

import inspect
from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_bool, check_positive
from .._numbers import fraction_array
from ..errors import InvalidParameterError, NotApplicableError
from ..games.normal_form import NormalFormGame
from ..ops.zero_sum import highs_linprog
from ..registry import METHODS, register_method
from ..solution import Solution


def _others_view(u_i: np.ndarray, i: int, alive: list[np.ndarray]) -> np.ndarray:
    """Player i's payoffs as a matrix ``M[a, c]`` over i's surviving actions a and the others' profiles c."""
    sub = u_i[np.ix_(*alive)]
    return np.moveaxis(sub, i, 0).reshape(len(alive[i]), -1)


def _pure_dominated(M: np.ndarray, tol: float) -> np.ndarray:
    """``dominated[a]``: some other row of M beats row a by more than tol in every column."""
    beats = (M[None, :, :] > M[:, None, :] + tol).all(axis=2)  # beats[a, b]: b dominates a
    return beats.any(axis=1)


def _mixed_dominator(M: np.ndarray, a: int) -> tuple[float, np.ndarray]:
    """Solve the dominance LP for row a against the other rows: ``(ε*, σ)`` (σ indexed like M's rows).

    The LP is solved on ``M`` divided by its largest absolute entry (HiGHS's tolerances are
    absolute, and it refuses coefficients near 1e19), and ε* is scaled back.
    """
    k, m = M.shape
    unit = float(np.abs(M).max(initial=0.0))
    unit = unit if unit > 0 else 1.0
    M = M / unit
    others = np.delete(np.arange(k), a)
    B = M[others]
    # variables (σ over others, ε); maximise ε s.t. ε − σᵀB ≤ −M[a]
    c = np.zeros(len(others) + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-B.T, np.ones((m, 1))])
    A_eq = np.concatenate([np.ones(len(others)), [0.0]])[None, :]
    bounds = [(0, None)] * len(others) + [(None, None)]
    res = highs_linprog(c, A_ub=A_ub, b_ub=-M[a], A_eq=A_eq, b_eq=[1.0], bounds=bounds, what="a dominance LP")
    sigma = np.zeros(k)
    sigma[others] = np.clip(res.x[:-1], 0.0, None)
    sigma /= sigma.sum()
    return float(-res.fun) * unit, sigma


def _strictly_better(M: np.ndarray, sigma: np.ndarray, a: int, exact: bool, tol: float) -> bool:
    """Re-check that σ beats row a in every column (exactly when ``exact``)."""
    if exact:
        s = fraction_array(sigma)
        s = s / sum(s, Fraction(0))
        return all(x > 0 for x in (s @ M - M[a]))
    return bool(np.min(sigma @ M - M[a]) > tol)


def iterated_dominance(
    game: NormalFormGame, mixed: bool = True, *, exact: bool = False, tol: float | None = None
) -> tuple[NormalFormGame, list[np.ndarray]]:
    """Remove strictly dominated actions until none is left.

    Returns the reduced game (exact payoffs preserved, labels kept) and, for each player, the
    original indices of the surviving actions. ``mixed=False`` only removes actions dominated by a
    pure action. ``tol`` is the margin a dominator must clear in float mode (default
    ``1e-9 · max |u|``, relative to the payoffs so that a game scaled by 1e-13 or by 1e19 is reduced
    alike); in exact mode dominance is decided exactly.
    """
    mixed = check_bool("mixed", mixed)
    exact = check_bool("exact", exact)
    n = game.num_players
    u = game.exact_payoffs if exact else game.payoffs
    tol = 1e-9 * game.payoff_scale if tol is None else check_positive("tol", tol, allow_zero=True)
    alive = [np.arange(k) for k in game.num_actions]
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if len(alive[i]) == 1:
                continue
            M = _others_view(u[i], i, alive)
            Mf = M.astype(float)
            if exact:
                beats = np.array([[all(M[b] > M[a]) for b in range(len(M))] for a in range(len(M))])
                dead = beats.any(axis=1)
            else:
                dead = _pure_dominated(Mf, tol)
            if mixed:
                # one action at a time: the LP for a must not use a row removed in the same pass
                for a in range(len(M)):
                    if dead[a] or (~dead).sum() <= 1:
                        continue
                    rows = np.flatnonzero(~dead)
                    pos = int(np.flatnonzero(rows == a)[0])
                    eps, sigma = _mixed_dominator(Mf[rows], pos)
                    # in exact mode the exact re-check decides, not the float margin
                    if eps > (0.0 if exact else tol) and _strictly_better(M[rows], sigma, pos, exact, tol):
                        dead[a] = True
            if dead.any():
                alive[i] = alive[i][~dead]
                changed = True
    return _subgame(game, alive), alive


def _subgame(game: NormalFormGame, alive: list[np.ndarray]) -> NormalFormGame:
    src = game.exact_payoffs if game._raw is not None else game.payoffs
    sub = src[(slice(None), *np.ix_(*alive))]
    labels = [[game.action_labels[i][a] for a in alive[i]] for i in range(game.num_players)]
    return NormalFormGame(sub, player_labels=game.player_labels, action_labels=labels,
                          title=game.title)


def _embed(strategy: Any, support: np.ndarray, k: int, exact: bool) -> np.ndarray:
    out = np.zeros(k, dtype=object if exact else float)
    if exact:
        out[:] = Fraction(0)
    out[support] = strategy
    return out


@register_method("iterated-dominance", families=("normal_form",), certified=True)
def iterated_dominance_solve(
    game: NormalFormGame, *, mixed: bool = True, inner: str | None = None, exact: bool = False,
    tol: float | None = None,
) -> list[Solution]:
    """Eliminate strictly dominated strategies, solve what is left, and map the equilibria back.

    Elimination as in `iterated_dominance` (mixed dominators checked by LP; the order does not
    matter: Gilboa, Kalai & Zemel, Oper. Res. Letters 1990; Myerson 1991, §2.5); the reduced game is
    solved by the method ``inner`` (default: the reduced game's default method) and its equilibria are padded
    with zeros. Strict dominance keeps every Nash equilibrium and, because every removed action
    is strictly worse than a survivor against any surviving profile, the NashConv of a padded
    profile equals its NashConv in the reduced game. ``info["surviving"]`` lists the surviving
    original action indices per player.
    """
    from ..api import solve

    if inner is not None and not isinstance(inner, str):
        raise InvalidParameterError(f"inner must be a method name, got {inner!r}")
    reduced, alive = iterated_dominance(game, mixed=mixed, exact=exact, tol=tol)
    info: dict[str, Any] = {"surviving": [a.tolist() for a in alive], "reduced_game": reduced}
    n = game.num_players
    if all(len(a) == 1 for a in alive):
        profile = [_embed(Fraction(1) if exact else 1.0, a, k, exact)
                   for a, k in zip(alive, game.num_actions, strict=True)]
        return [Solution(profile, game.expected_payoffs(profile, exact=exact), "iterated-dominance",
                         exact=exact, info=info)]
    inner = inner or reduced.default_method()
    if METHODS.get(inner).kind != "solver":
        raise InvalidParameterError(
            f"iterated-dominance solves the reduced game with an exact solver; {inner!r} is a learner"
        )
    if exact and "exact" not in inspect.signature(METHODS.get(inner).target).parameters:
        raise NotApplicableError(
            f"the reduced game has actions {list(reduced.num_actions)} and its solver {inner!r} has no "
            "exact mode; run without exact or choose another solver with inner=NAME"
        )
    kwargs: dict[str, Any] = {"exact": True} if exact else {}
    out = []
    for s in solve(reduced, inner, **kwargs):
        profile = [_embed(s.strategies[i], alive[i], game.num_actions[i], exact) for i in range(n)]
        sol_info = dict(info, inner_method=inner, **{k: v for k, v in s.info.items() if k not in info})
        out.append(Solution(profile, game.expected_payoffs(profile, exact=exact), "iterated-dominance",
                            exact=exact, iterations=s.iterations, info=sol_info))
    return out
