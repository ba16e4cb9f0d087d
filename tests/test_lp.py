"""Tests of the zero-sum LP solver `lp` (float and exact), against known values and peers."""

from __future__ import annotations

from fractions import Fraction

import nashpy
import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from equilibria.errors import NotApplicableError
from equilibria.games.normal_form import NormalFormGame
from equilibria.solvers import lp as lp_module
from equilibria.solvers.lp import exact_vertex, solve_exact

RPS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]


def test_rock_paper_scissors_value_zero_uniform():
    # known-values.md: the unique equilibrium of RPS is uniform, value 0
    sol = eq.solve(NormalFormGame.zero_sum(RPS), "lp")[0]
    assert sol.info["value"] == pytest.approx(0.0, abs=1e-12)
    for s in sol.strategies:
        np.testing.assert_allclose(s, [1 / 3] * 3, atol=1e-9)


def test_rock_paper_scissors_exact():
    sol = eq.solve(NormalFormGame.zero_sum(RPS), "lp", exact=True)[0]
    assert sol.exact and sol.nash_conv == 0
    assert sol.info["value"] == 0
    assert [list(s) for s in sol.strategies] == [[Fraction(1, 3)] * 3] * 2


def test_matching_pennies():
    # known-values.md: matching pennies has the unique equilibrium (1/2, 1/2) each
    sol = eq.solve(NormalFormGame.zero_sum([[1, -1], [-1, 1]]), "lp", exact=True)[0]
    assert [list(s) for s in sol.strategies] == [[Fraction(1, 2)] * 2] * 2
    assert sol.info["value"] == 0


def test_textbook_game_value():
    # Ferguson, "Game Theory" (UCLA lecture notes), Part II §3.3 (the 2x2 formula): A = [[-2, 3], [3, -4]]
    # has no saddle point, so p = (d - c)/(a - b + d - c) = 7/12 and value (ad - bc)/(a - b + d - c) = 1/12.
    sol = eq.solve(NormalFormGame.zero_sum([[-2, 3], [3, -4]]), "lp", exact=True)[0]
    assert sol.info["value"] == Fraction(1, 12)
    assert list(sol.strategies[0]) == [Fraction(7, 12), Fraction(5, 12)]
    assert list(sol.strategies[1]) == [Fraction(7, 12), Fraction(5, 12)]


def test_saddle_point_and_constant_sum():
    # A pure saddle point: row 2 / column 1 (min of row maxima = max of column minima = 2)
    A = np.array([[1, 0], [2, 3]])
    sol = eq.solve(NormalFormGame.zero_sum(A), "lp", exact=True)[0]
    assert list(sol.strategies[0]) == [0, 1] and list(sol.strategies[1]) == [1, 0]
    assert sol.info["value"] == 2
    # constant-sum: u2 = 10 - u1 has the same strategies; payoffs are (v, 10 - v)
    g = NormalFormGame.from_bimatrix(A, 10 - A)
    sol = eq.solve(g, "lp", exact=True)[0]
    assert list(sol.payoffs) == [2, 8]
    assert sol.nash_conv == 0


def test_general_sum_and_n_player_rejected():
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with pytest.raises(NotApplicableError, match="general-sum"):
        eq.solve(pd, "lp")
    # sums differing by 1e-13 pass the float constant-sum test (atol 1e-12) but not the exact one
    near = NormalFormGame.from_bimatrix([[1 + 1e-13, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert eq.solve(near, "lp")[0].nash_conv <= 1e-12
    with pytest.raises(NotApplicableError, match="up to rounding"):
        eq.solve(near, "lp", exact=True)
    three = NormalFormGame(np.zeros((3, 2, 2, 2)))
    with pytest.raises(NotApplicableError, match="3 players"):
        eq.solve(three, "lp")


def _gambit_value(A: np.ndarray) -> float:
    g = gbt.Game.from_arrays(A, -A)
    res = gbt.nash.lp_solve(g, rational=False)
    prof = res.equilibria[0]
    return float(prof.payoff(list(g.players)[0]))


@pytest.mark.parametrize("seed", range(10))
def test_agrees_with_nashpy_and_gambit(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 9, size=2)
    A = rng.normal(size=(m, n))
    g = NormalFormGame.zero_sum(A)
    sol = eq.solve(g, "lp")[0]
    x, y = sol.strategies
    assert eq.exploitability(g, sol.strategies) <= 1e-9
    # nashpy's linear program gives both minimax strategies; their guarantees must match our value
    x_np, y_np = nashpy.Game(A).linear_program()
    assert float(np.min(A.T @ x_np)) == pytest.approx(sol.info["value"], abs=1e-7)
    assert float(np.max(A @ y_np)) == pytest.approx(sol.info["value"], abs=1e-7)
    assert _gambit_value(A) == pytest.approx(sol.info["value"], abs=1e-8)
    assert float(x @ A @ y) == pytest.approx(sol.info["value"], abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 10**6))
def test_exact_lp_nash_conv_zero_on_integer_games(m, n, seed):
    # integer payoffs with ties make degenerate games: several optimal strategies, redundant constraints
    A = np.random.default_rng(seed).integers(-3, 4, size=(m, n))
    sol = eq.solve(NormalFormGame.zero_sum(A), "lp", exact=True)[0]
    assert sol.nash_conv == 0
    x, y = sol.strategies
    assert min(A.T.astype(object) @ x) == sol.info["value"] == max(A.astype(object) @ y)


def test_solve_exact_linear_algebra():
    M = np.array([[2, 1], [1, 3], [3, 4]])  # consistent over-determined system
    z = solve_exact(M, np.array([3, 4, 7]))
    assert list(z) == [1, 1]
    assert solve_exact(M, np.array([3, 4, 8])) is None  # inconsistent
    assert solve_exact(np.array([[1, 1]]), np.array([1])) is None  # not unique


def test_exact_vertex_recovers_rational_point():
    # max x1 + x2 s.t. x1 + 2 x2 <= 1, 3 x1 + x2 <= 1: the vertex (1/5, 2/5)
    A = np.array([[1.0, 2.0], [3.0, 1.0]])
    z = exact_vertex(A, np.ones(2), None, None, np.array([0.2 + 1e-12, 0.4 - 1e-12]))
    assert list(z) == [Fraction(1, 5), Fraction(2, 5)]


def test_exact_falls_back_to_vertex_enumeration(monkeypatch):
    # if the active set at the HiGHS point did not determine a vertex, exact vertex enumeration answers
    monkeypatch.setattr(lp_module, "_exact_strategy", lambda *args: None)
    sol = eq.solve(NormalFormGame.zero_sum([[-2, 3], [3, -4]]), "lp", exact=True)[0]
    assert sol.info["fallback"] == "vertex-enumeration"
    assert sol.info["value"] == Fraction(1, 12) and sol.nash_conv == 0
