"""Lemke-Howson with lexicographic pivoting (equilibria.solvers.lemke_howson).

Checks: every label on degenerate games gives an exact equilibrium (NashConv exactly 0), which is
one of the extreme equilibria Gambit's ``enummixed`` lists (lexicographic Lemke-Howson ends at a
completely labelled vertex pair); peer cross-check with pygambit ``lcp_solve``; known games.
"""

from fractions import Fraction

import numpy as np
import pygambit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from _support import bimatrix as game  # tests/_support.py
from _support import integer_bimatrices, profile_set
from equilibria.solvers.lemke_howson import lemke_howson

F = Fraction


def gambit_game(A, B):
    return pygambit.Game.from_arrays(np.asarray(A, dtype=object), np.asarray(B, dtype=object))


def gambit_profiles(g, result):
    return {tuple(tuple(Fraction(p[s]) for s in pl.strategies) for pl in g.players)
            for p in result.equilibria}


def test_every_label_on_degenerate_games_is_an_extreme_equilibrium():
    rng = np.random.default_rng(0)
    for _ in range(60):
        m, n = (int(v) for v in rng.integers(1, 6, size=2))
        A, B = rng.integers(0, 3, size=(m, n)), rng.integers(0, 3, size=(m, n))
        g = game(A, B)
        extreme = gambit_profiles(gg := gambit_game(A, B), pygambit.nash.enummixed_solve(gg, rational=True))
        for k in range(m + n):
            (s,) = lemke_howson(g, exact=True, label=k)
            assert eq.nash_conv(g, s.strategies, exact=True) == 0
            assert profile_set([s]) <= extreme, (A, B, k)
            (f,) = lemke_howson(g, label=k)
            assert eq.nash_conv(g, f.strategies) <= 1e-9
            # float and integer pivoting follow the same lexicographic path
            np.testing.assert_allclose(f.strategies[0], np.array(s.strategies[0], float), atol=1e-9)
            np.testing.assert_allclose(f.strategies[1], np.array(s.strategies[1], float), atol=1e-9)


def test_agrees_with_gambit_lcp_on_games_with_a_unique_equilibrium():
    rng = np.random.default_rng(1)
    checked = 0
    while checked < 12:
        m, n = (int(v) for v in rng.integers(2, 7, size=2))
        A, B = rng.integers(-50, 51, size=(m, n)), rng.integers(-50, 51, size=(m, n))
        gg = gambit_game(A, B)
        if len(pygambit.nash.enummixed_solve(gg, rational=True).equilibria) != 1:
            continue
        lcp = gambit_profiles(gg, pygambit.nash.lcp_solve(gg, rational=True, stop_after=1))
        assert profile_set(lemke_howson(game(A, B), exact=True, all_labels=True)) == lcp
        checked += 1


def test_larger_random_games_float_and_exact():
    rng = np.random.default_rng(2)
    for n in (15, 30):
        A, B = rng.random((n, n)), rng.random((n, n))
        g = game(A, B)
        (s,) = lemke_howson(g)
        assert s.info["arithmetic"] == "float"
        assert eq.nash_conv(g, s.strategies) <= 1e-9
    A, B = rng.integers(0, 10, size=(12, 12)), rng.integers(0, 10, size=(12, 12))
    (s,) = lemke_howson(game(A, B), exact=True, label=5)
    assert eq.nash_conv(game(A, B), s.strategies, exact=True) == 0


def test_nashpy_issue_83_label_9():
    # drvinceknight/Nashpy issue #83: nashpy's Lemke-Howson dropping label 9 (the second column)
    # fails on this nondegenerate 8x2 game, whose unique equilibrium has supports of size 2
    A = [[9.5, -7.8], [-9.6, 0.3], [-7.1, -1.4], [5.9, 7.6], [9, 0.3], [7.5, 6.9], [-3.1, 3.6], [-8.4, -3.7]]
    B = [[0.2, 0.6], [0.4, 0.1], [0.9, 0], [0.4, 0.1], [0.1, 0.2], [0.2, 0.1], [0.8, 1], [0.2, 0.4]]
    g = game(A, B)
    gg = gambit_game([[F(str(v)) for v in r] for r in A], [[F(str(v)) for v in r] for r in B])
    (unique,) = gambit_profiles(gg, pygambit.nash.enummixed_solve(gg, rational=True))
    assert sum(v > 0 for v in unique[0]) == 2 and sum(v > 0 for v in unique[1]) == 2
    (s,) = lemke_howson(g, exact=True, label=9)
    assert profile_set([s]) == {unique}
    (f,) = lemke_howson(g, label=9)
    np.testing.assert_allclose(f.strategies[0], np.array(unique[0], float), atol=1e-12)
    assert profile_set(lemke_howson(g, exact=True, all_labels=True)) == {unique}


def test_nashpy_issue_231_degenerate_zero_sum():
    # drvinceknight/Nashpy issue #231: degenerate skew-symmetric game; value 0, and every label
    # must end at an equilibrium
    A = np.array([[0, -1, -1, -1, 1, -1], [1, 0, 1, -1, -1, -1], [1, -1, 0, -1, -1, 1],
                  [1, 1, 1, 0, -1, -1], [-1, 1, 1, 1, 0, -1], [1, 1, -1, 1, 1, 0]])
    g = eq.NormalFormGame.zero_sum(A)
    for s in lemke_howson(g, exact=True, all_labels=True):
        assert eq.nash_conv(g, s.strategies, exact=True) == 0
        assert s.payoffs[0] == 0


def test_known_games():
    mp = eq.NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    assert profile_set(lemke_howson(mp, exact=True, all_labels=True)) == {((F(1, 2),) * 2, (F(1, 2),) * 2)}
    rps = eq.NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    (s,) = lemke_howson(rps, exact=True)
    assert profile_set([s]) == {((F(1, 3),) * 3, (F(1, 3),) * 3)}
    assert list(s.payoffs) == [0, 0]
    # battle of the sexes: the paths from the artificial equilibrium end at equilibria of index +1,
    # the two pure ones; the mixed one has index -1 and is not reached (Shapley, "A note on the
    # Lemke-Howson algorithm", Math. Programming Study 1, 1974)
    bos = game([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    assert profile_set(lemke_howson(bos, exact=True, all_labels=True)) == {((1, 0), (1, 0)), ((0, 1), (0, 1))}


def test_float_fallback_to_integer_pivoting():
    # a pivot budget of 1 cannot reach an equilibrium here; the float path must hand over to exact
    rng = np.random.default_rng(3)
    A, B = rng.random((6, 6)), rng.random((6, 6))
    g = game(A, B)
    assert lemke_howson(g)[0].info["pivots"] > 1
    (s,) = lemke_howson(g, max_pivots=1)
    assert s.info.get("fallback") is True and s.info["arithmetic"] == "integer"
    assert eq.nash_conv(g, s.strategies) <= 1e-12


def test_through_solve_and_bad_input():
    bos = game([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    sols = eq.solve(bos, method="lemke-howson", exact=True, label=2)
    assert sols[0].nash_conv == 0
    with pytest.raises(eq.InvalidParameterError, match="label"):
        lemke_howson(bos, label=4)
    with pytest.raises(eq.InvalidParameterError, match="label"):
        lemke_howson(bos, label="first")
    with pytest.raises(eq.NotApplicableError, match="two-player"):
        lemke_howson(eq.NormalFormGame(np.zeros((3, 2, 2, 2))))


int_games = st.tuples(integer_bimatrices(-2, 2, 5, 5), st.integers(0, 100))


@settings(max_examples=80, deadline=None)
@given(int_games)
def test_property_every_label_gives_an_equilibrium(data):
    (A, B), k = data
    g = game(A, B)
    k %= len(A) + len(A[0])
    (s,) = lemke_howson(g, exact=True, label=k)
    assert eq.nash_conv(g, s.strategies, exact=True) == 0
    (f,) = lemke_howson(g, label=k)
    assert eq.nash_conv(g, f.strategies) <= 1e-9
