"""Tests of iterated elimination of strictly dominated strategies (pure and mixed dominators)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pygambit as gbt
import pytest

import equilibria as eq
from equilibria.games.normal_form import NormalFormGame
from equilibria.solvers.dominance import iterated_dominance

PD = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])  # actions: cooperate, defect

# The standard example of a strategy dominated only by a mixed strategy (e.g. Fudenberg & Tirole,
# *Game Theory*, 1991, §2.1; also lecture notes at sosyalfobi.co "pure dominate", Figure (c)):
#          L      R
#   U    4,1    0,2
#   M    0,0    4,0
#   D    1,3    1,2
# No pure strategy dominates D, but (1/2, 1/2, 0) earns 2 > 1 against both columns.
MIXED = NormalFormGame.from_bimatrix([[4, 0], [0, 4], [1, 1]], [[1, 2], [0, 0], [3, 2]])


def test_prisoners_dilemma_reduces_to_defect():
    reduced, alive = iterated_dominance(PD)
    assert [a.tolist() for a in alive] == [[1], [1]]
    assert reduced.num_actions == (1, 1)
    sol = eq.solve(PD, "iterated-dominance", exact=True)[0]
    assert [list(s) for s in sol.strategies] == [[0, 1], [0, 1]]
    assert list(sol.payoffs) == [1, 1] and sol.nash_conv == 0


def test_only_a_mixed_strategy_dominates():
    _, pure_only = iterated_dominance(MIXED, mixed=False)
    assert [a.tolist() for a in pure_only] == [[0, 1, 2], [0, 1]]
    for exact in (False, True):
        reduced, alive = iterated_dominance(MIXED, exact=exact)
        assert [a.tolist() for a in alive] == [[0, 1], [0, 1]]
        assert reduced.action_labels[0] == ("1", "2")
    # once D is gone, L is only weakly dominated by R (0 = 0 against M), so it stays


def test_equilibria_map_back_and_match_gambit():
    sols = eq.solve(MIXED, "iterated-dominance", exact=True)
    ours = {tuple(map(tuple, s.strategies)) for s in sols}
    g = gbt.Game.from_arrays(*[np.asarray(MIXED.payoffs[i], dtype=int) for i in range(2)])
    theirs = set()
    for p in gbt.nash.enummixed_solve(g, rational=True).equilibria:
        theirs.add(tuple(tuple(Fraction(str(p[s])) for s in pl.strategies) for pl in g.players))
    assert ours == theirs
    assert all(s.nash_conv == 0 and s.info["surviving"] == [[0, 1], [0, 1]] for s in sols)


def test_three_player_iterated_elimination():
    # player 3's action 1 is strictly dominated by action 0; then player 1's action 1 is dominated
    # (it is only better when player 3 plays 1); then player 2 best-responds to player 1's action 0.
    u = np.zeros((3, 2, 2, 2))
    u[2, :, :, 0], u[2, :, :, 1] = 1.0, 0.0
    u[0, 0, :, 0], u[0, 1, :, 0] = 1.0, 0.0
    u[0, 0, :, 1], u[0, 1, :, 1] = 0.0, 1.0
    u[1, 0, 0, :], u[1, 0, 1, :] = 0.0, 1.0
    u[1, 1, 0, :], u[1, 1, 1, :] = 1.0, 0.0
    g = NormalFormGame(u)
    _, alive = iterated_dominance(g)
    assert [a.tolist() for a in alive] == [[0], [1], [0]]
    sol = eq.solve(g, "iterated-dominance")[0]
    assert [s.tolist() for s in sol.strategies] == [[1, 0], [0, 1], [1, 0]]


def test_weak_dominance_is_not_elimination():
    g = NormalFormGame.from_bimatrix([[1, 1], [1, 0]], [[1, 1], [1, 1]])
    _, alive = iterated_dominance(g)
    assert [a.tolist() for a in alive] == [[0, 1], [0, 1]]


@pytest.mark.parametrize("seed", range(12))
def test_every_equilibrium_survives_and_the_set_is_kept(seed):
    # strict dominance keeps every Nash equilibrium: each extreme equilibrium found by gambit
    # lives on the surviving actions, and the reduced game's equilibria, padded, are exactly them
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 6, size=2)
    A = rng.integers(0, 10, size=(m, n))
    B = rng.integers(0, 10, size=(m, n))
    A[-1] = A[:-1].mean(axis=0).astype(int) - 1  # make the last row dominated by a mixture (or pure)
    game = NormalFormGame.from_bimatrix(A, B)
    _, alive = iterated_dominance(game, exact=True)
    assert len(alive[0]) < m
    g = gbt.Game.from_arrays(A, B)
    theirs = {tuple(tuple(Fraction(str(p[s])) for s in pl.strategies) for pl in g.players)
              for p in gbt.nash.enummixed_solve(g, rational=True).equilibria}
    for prof in theirs:
        for i in range(2):
            assert set(np.flatnonzero([x != 0 for x in prof[i]])) <= set(alive[i].tolist())
    ours = {tuple(map(tuple, s.strategies))
            for s in eq.solve(game, "iterated-dominance", inner="vertex-enumeration", exact=True)}
    assert ours == theirs


def test_float_and_exact_agree_on_random_games():
    rng = np.random.default_rng(7)
    for _ in range(10):
        u = rng.integers(-5, 6, size=(3, 3, 3, 2))
        g = NormalFormGame(u)
        _, a_float = iterated_dominance(g)
        _, a_exact = iterated_dominance(g, exact=True)
        assert [a.tolist() for a in a_float] == [a.tolist() for a in a_exact]


def test_inner_solver_errors():
    # the 3-player matching pennies of Jordan (1993) has no dominated action, so nothing is reduced
    a = np.indices((2, 2, 2))
    u = np.stack([np.where(a[0] == a[1], 1, -1), np.where(a[1] == a[2], 1, -1),
                  np.where(a[2] != a[0], 1, -1)])
    g = NormalFormGame(u)
    with pytest.raises(eq.NotApplicableError, match="no exact mode"):
        eq.solve(g, "iterated-dominance", exact=True)
    with pytest.raises(eq.InvalidParameterError, match="learner"):
        eq.solve(MIXED, "iterated-dominance", inner="cfr")
    # in float mode the reduced game goes to the n-player default, the logit path
    sol = eq.solve(g, "iterated-dominance")[0]
    assert sol.info["inner_method"] == "logit-qre-path" and sol.nash_conv <= 1e-9


@pytest.mark.parametrize("scale", [1e-13, 1e6, 1e19])
def test_elimination_is_the_same_at_every_payoff_scale(scale):
    # issue 10 §3: the margins were 1e-9 · max(1, max |u|), so at payoffs of 1e-13 nothing was
    # dominated; at 1e19 the dominance LP failed ("HiGHS Status 2: Model error")
    for game in (PD, MIXED):
        scaled = NormalFormGame(game.payoffs * scale)
        for exact in (False, True):
            _, alive = iterated_dominance(scaled, exact=exact)
            _, ref = iterated_dominance(game, exact=exact)
            assert [a.tolist() for a in alive] == [a.tolist() for a in ref]
