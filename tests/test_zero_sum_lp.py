"""The one zero-sum LP (`equilibria.ops.zero_sum`) and the scale defects it fixes.

Known values: rock-paper-scissors and matching pennies have value 0 and uniform optimal
strategies (von Neumann & Morgenstern 1944); the 2×2 game [[-2, 3], [3, -4]] has value 1/12 and
optimal strategies (7/12, 5/12) for both players (Ferguson, "Game Theory", UCLA lecture notes,
Part II §3.3, the 2×2 formula). Random games are checked against pygambit's LP (`lp_solve`).

Defects pinned here (issue 10, §3):
- "Certified solvers return non-equilibria on games with tiny payoffs": a prisoner's dilemma scaled
  by 1e-13 passed the absolute 1e-12 zero-sum test, so `lp` (the default) and `iterated-dominance`
  returned [[0,1],[1,0]] with NashConv 0.2 × the payoff scale.
- "At scale 10⁶, a game that is zero-sum up to rounding is refused."
- "Payoffs of ±1e19 make the LP methods fail ('HiGHS Status 2: Model error'), even with exact=True."
"""

from __future__ import annotations

import pathlib
import re
from fractions import Fraction

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from equilibria.errors import InvalidGameError, NotApplicableError, SolverError
from equilibria.games.normal_form import NormalFormGame
from equilibria.ops import highs_linprog, solve_matrix_game, solve_matrix_games

RPS = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)
FERGUSON = np.array([[-2, 3], [3, -4]], dtype=float)
PD = np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]], dtype=float)  # (C, D) for both; D dominates
SCALES = [1e-13, 1.0, 1e6, 1e19]


def _guarantees(A: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """What x guarantees the row player and what y concedes at most: low ≤ value ≤ high."""
    return float(np.min(A.T @ x)), float(np.max(A @ y))


# ---- known values --------------------------------------------------------------------------------


def test_rock_paper_scissors_value_zero_and_uniform():
    v, x, y = solve_matrix_game(RPS)
    assert v == pytest.approx(0.0, abs=1e-12)  # payoffs of magnitude 1
    np.testing.assert_allclose(x, [1 / 3] * 3, atol=1e-12)
    np.testing.assert_allclose(y, [1 / 3] * 3, atol=1e-12)


def test_matching_pennies():
    v, x, y = solve_matrix_game([[1, -1], [-1, 1]])
    assert v == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(x, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(y, [0.5, 0.5], atol=1e-12)


def test_ferguson_two_by_two():
    v, x, y = solve_matrix_game(FERGUSON)
    assert v == pytest.approx(1 / 12, rel=1e-12)
    np.testing.assert_allclose(x, [7 / 12, 5 / 12], atol=1e-12)
    np.testing.assert_allclose(y, [7 / 12, 5 / 12], atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_random_games_agree_with_gambit(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=tuple(rng.integers(2, 7, size=2)))
    v, x, y = solve_matrix_game(A)
    g = gbt.Game.from_arrays(A, -A)
    prof = gbt.nash.lp_solve(g, rational=False).equilibria[0]
    assert v == pytest.approx(float(prof.payoff(list(g.players)[0])), abs=1e-9)
    low, high = _guarantees(A, x, y)
    assert high - low <= 1e-12 and low - 1e-12 <= v <= high + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_interior_point_path_for_large_games_agrees_with_gambit(seed, monkeypatch):
    """Games of at least IPM_MIN_ENTRIES entries go to HiGHS's IPM: the same value and optimal
    strategies (the threshold lowered so that small games exercise that path)."""
    import equilibria.ops.zero_sum as zs

    calls = []
    real = zs.highs_linprog
    monkeypatch.setattr(zs, "highs_linprog", lambda *a, **k: calls.append(k["method"]) or real(*a, **k))
    monkeypatch.setattr(zs, "IPM_MIN_ENTRIES", 20)
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(5, 6))
    v, x, y = solve_matrix_game(A)
    assert calls == ["highs-ipm"]
    g = gbt.Game.from_arrays(A, -A)
    prof = gbt.nash.lp_solve(g, rational=False).equilibria[0]
    assert v == pytest.approx(float(prof.payoff(list(g.players)[0])), abs=1e-9)
    low, high = _guarantees(A, x, y)
    assert high - low <= 1e-9 and low - 1e-9 <= v <= high + 1e-9
    solve_matrix_game(A[:2, :3])
    assert calls[-1] == "highs"  # 6 entries: below the threshold


def test_one_by_one_constant_and_column_vector_games():
    assert solve_matrix_game([[5.0]])[0] == 5.0
    v, x, y = solve_matrix_game(np.full((2, 3), -2.0))  # every strategy is optimal: a pure one is given
    assert v == -2.0 and list(x) == [1.0, 0.0] and list(y) == [1.0, 0.0, 0.0]
    v, x, y = solve_matrix_game([[1.0], [3.0], [2.0]])  # the row player picks the best row
    assert v == 3.0 and list(x) == [0.0, 1.0, 0.0]


def test_bad_input():
    with pytest.raises(InvalidGameError):
        solve_matrix_game([1.0, 2.0])
    with pytest.raises(InvalidGameError):
        solve_matrix_game([[np.nan, 1.0]])
    with pytest.raises(InvalidGameError):
        solve_matrix_games(np.zeros((2, 0, 3)))


def test_highs_linprog_names_what_failed():
    # x >= 0 with x <= -1 is infeasible
    with pytest.raises(SolverError, match="the test LP"):
        highs_linprog([1.0], A_ub=[[1.0]], b_ub=[-1.0], what="the test LP")
    res = highs_linprog([-1.0, -1.0], A_ub=[[1.0, 2.0], [3.0, 1.0]], b_ub=[1.0, 1.0])
    np.testing.assert_allclose(res.x, [0.2, 0.4], atol=1e-12)


def test_scipy_linprog_is_called_in_one_place_only():
    # issue 10 §2: "seven modules call linprog directly"; now every LP goes through highs_linprog
    src = pathlib.Path(eq.__file__).parent
    direct = re.compile(r"(?<!highs_)linprog\(")
    callers = sorted(str(p.relative_to(src)) for p in src.rglob("*.py") if direct.search(p.read_text()))
    assert callers == ["ops/zero_sum.py"]


# ---- the batch -----------------------------------------------------------------------------------


def test_batch_equals_one_by_one_at_mixed_scales():
    rng = np.random.default_rng(7)
    Q = rng.normal(size=(5, 3, 4)) * np.array([1e-13, 1.0, 1e6, 1e19, 1e-300])[:, None, None]
    values, X, Y = solve_matrix_games(Q)
    for s in range(5):
        v, x, y = solve_matrix_game(Q[s])
        scale = np.abs(Q[s]).max()
        assert values[s] == pytest.approx(v, rel=1e-9, abs=1e-12 * scale)
        low, high = _guarantees(Q[s], X[s], Y[s])
        assert high - low <= 1e-12 * scale


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1),
    st.floats(-12, 12), st.floats(-3, 3),
)
def test_value_is_invariant_to_positive_scaling_and_shifts(m, n, seed, log_scale, shift):
    """val(s·A + c) = s·val(A) + c, and the strategies stay optimal, for s from 1e-12 to 1e12."""
    A = np.random.default_rng(seed).uniform(-1, 1, size=(m, n))
    s = 10.0**log_scale
    c = shift * s
    v0, _, _ = solve_matrix_game(A)
    B = s * A + c
    v, x, y = solve_matrix_game(B)
    span = s * (A.max() - A.min()) + abs(c)
    assert v == pytest.approx(s * v0 + c, abs=1e-9 * max(span, s))
    low, high = _guarantees(B, x, y)
    assert high - low <= 1e-9 * max(span, s)


# ---- the solvers at every payoff scale (issue 10 §3) ---------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
def test_zero_sum_test_is_relative_to_the_payoff_scale(scale):
    pd = NormalFormGame(PD * scale)
    assert not pd.is_constant_sum and not pd.is_zero_sum
    assert pd.default_method() != "lp"
    assert NormalFormGame.zero_sum(RPS * scale).is_zero_sum
    # zero-sum up to rounding: u_2 = -(0.3·A) against u_1 = (0.1·A)·3, which differ in the last bits
    A = np.random.default_rng(1).uniform(-1, 1, size=(3, 3)) * scale
    near = NormalFormGame(np.stack([A * 0.1 * 3, -(A * 0.3)]))
    assert near.is_zero_sum and eq.solve(near)[0].nash_conv <= 1e-12 * near.payoff_scale


def test_exact_payoffs_must_sum_exactly():
    assert NormalFormGame([[[1, 2]], [[-1, -2]]]).is_zero_sum
    big = 10**13
    assert not NormalFormGame([[[big, 1]], [[-big, 0]]]).is_zero_sum  # 1 in 1e13: not zero-sum
    # float payoffs are tested to the rounding of their sum: 1e-3 at 1e13 is 1e-16 relative
    assert NormalFormGame(np.array([[[1e13, 1.0]], [[-1e13, -1.0 + 1e-3]]])).is_zero_sum


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("method", [None, "iterated-dominance", "vertex-enumeration", "correlated"])
def test_prisoners_dilemma_at_every_scale(scale, method):
    # the only equilibrium (and correlated equilibrium) is (Defect, Defect)
    g = NormalFormGame(PD * scale)
    sol = eq.solve(g, method)[0]
    assert [list(s) for s in sol.strategies] == [[0.0, 1.0], [0.0, 1.0]]
    assert sol.nash_conv == 0.0
    with pytest.raises(NotApplicableError, match="general-sum"):
        eq.solve(g, "lp")


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("method", ["lp", "iterated-dominance", "correlated"])
def test_zero_sum_games_at_every_scale_float(scale, method):
    for A, value in ((RPS, 0.0), (FERGUSON, 1 / 12)):
        g = NormalFormGame.zero_sum(A * scale)
        sol = eq.solve(g, method)[0]
        assert sol.nash_conv <= 1e-12 * g.payoff_scale
        assert float(sol.payoffs[0]) == pytest.approx(value * scale, rel=1e-12, abs=1e-12 * scale)
        if method == "lp":
            assert sol.info["value"] == pytest.approx(value * scale, rel=1e-12, abs=1e-12 * scale)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("method", ["lp", "iterated-dominance", "correlated"])
def test_zero_sum_games_at_every_scale_exact(scale, method):
    # the game is the float game; its exact value is that of the (exactly represented) float payoffs
    for A in (RPS, FERGUSON):
        g = NormalFormGame.zero_sum(A * scale)
        sol = eq.solve(g, method, exact=True)[0]
        assert sol.exact and sol.nash_conv == 0
        x, y = sol.strategies
        M = g.exact_payoffs[0]
        if method != "correlated":  # a Nash equilibrium of a zero-sum game: its payoff is the value
            assert min(M.T @ x) == sol.payoffs[0] == max(M @ y)


def test_ferguson_exact_value_at_scale_1e19():
    # 1e19 · (−2, 3, 3, −4) are exact integers in binary floating point, so the value is 1e19/12
    g = NormalFormGame.zero_sum(FERGUSON * 1e19)
    sol = eq.solve(g, "lp", exact=True)[0]
    assert sol.info["value"] == Fraction(10**19, 12)
    assert list(sol.strategies[0]) == [Fraction(7, 12), Fraction(5, 12)]
