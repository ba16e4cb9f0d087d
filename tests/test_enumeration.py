"""Support enumeration and vertex enumeration (equilibria.solvers.enumeration).

Peer cross-check: pygambit's ``enummixed_solve(rational=True)`` lists the extreme equilibria of a
bimatrix game (Avis, Rosenberg, Savani and von Stengel, Economic Theory 2010); our
``vertex-enumeration`` must return exactly that set on every game, degenerate ones included.
"""

from fractions import Fraction

import numpy as np
import pygambit
import pytest
from hypothesis import given, settings

import equilibria as eq
from _support import bimatrix as game  # tests/_support.py
from _support import integer_bimatrices, profile_set
from equilibria._numbers import fraction_array
from equilibria.solvers.enumeration import (
    feasible_bases,
    number_of_bases,
    support_enumeration,
    vertex_enumeration,
)

F = Fraction


def gambit_extreme_equilibria(A, B):
    g = pygambit.Game.from_arrays(np.asarray(A, dtype=object), np.asarray(B, dtype=object))
    out = set()
    for p in pygambit.nash.enummixed_solve(g, rational=True).equilibria:
        out.add(tuple(tuple(Fraction(p[s]) for s in pl.strategies) for pl in g.players))
    return out


def random_games(seed, count, max_size, payoffs):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        m, n = (int(v) for v in rng.integers(1, max_size + 1, size=2))
        yield rng.choice(payoffs, size=(m, n)), rng.choice(payoffs, size=(m, n))


# ---- peer cross-check: the full set of extreme equilibria -----------------------------------------

def test_vertex_enumeration_matches_gambit_on_degenerate_integer_games():
    # payoffs in {0, 1, 2}: many ties, so most of these games are degenerate
    for A, B in random_games(seed=0, count=180, max_size=5, payoffs=[0, 1, 2]):
        sols = vertex_enumeration(game(A, B), exact=True)
        assert profile_set(sols) == gambit_extreme_equilibria(A, B), (A, B)
        assert all(s.exact and isinstance(s.strategies[0][0], Fraction) for s in sols)


def test_vertex_and_support_enumeration_match_gambit_on_generic_games():
    # payoffs drawn from a large range: nondegenerate with probability ~1, so support enumeration
    # applies and must agree with vertex enumeration and with Gambit
    for A, B in random_games(seed=1, count=40, max_size=5, payoffs=np.arange(-10**6, 10**6)):
        expected = gambit_extreme_equilibria(A, B)
        assert profile_set(vertex_enumeration(game(A, B), exact=True)) == expected
        assert profile_set(support_enumeration(game(A, B), exact=True)) == expected
        assert profile_set(support_enumeration(game(A, B), exact=True, search="graph")) == expected
        floats = support_enumeration(game(A, B))
        assert len(floats) == len(expected)
        for s in floats:
            assert any(np.allclose(s.strategies[0], [float(v) for v in x], atol=1e-9)
                       and np.allclose(s.strategies[1], [float(v) for v in y], atol=1e-9)
                       for x, y in expected)


def test_float_vertex_enumeration_agrees_with_exact_on_degenerate_games():
    for A, B in random_games(seed=2, count=40, max_size=4, payoffs=[-1, 0, 1]):
        exact = sorted(profile_set(vertex_enumeration(game(A, B), exact=True)))
        floats = vertex_enumeration(game(A, B))
        assert len(floats) == len(exact)
        got = sorted((tuple(np.round(s.strategies[0], 9)), tuple(np.round(s.strategies[1], 9)))
                     for s in floats)
        want = sorted((tuple(np.round(np.array(x, float), 9)), tuple(np.round(np.array(y, float), 9)))
                      for x, y in exact)
        assert got == want


def test_pivot_graph_search_meets_every_feasible_basis():
    # the float default walks the pivot graph; it must find exactly the bases of the full sweep,
    # on degenerate (ties) and generic polytopes alike
    def bases(fb):
        return {(a.tobytes(), b.tobytes()) for a, b in zip(fb.support, fb.columns, strict=True)}

    rng = np.random.default_rng(4)
    for t in range(60):
        d, e = (int(v) for v in rng.integers(1, 7, size=2))
        C = rng.integers(0, 3, size=(d, e)).astype(float) if t % 2 else rng.random((d, e))
        assert bases(feasible_bases(C)) == bases(feasible_bases(C, search="all")), C
        Cx = fraction_array(rng.integers(0, 3, size=(d, e)) if t % 2 else rng.integers(-99, 99, size=(d, e)))
        walk, sweep = feasible_bases(Cx, exact=True), feasible_bases(Cx, exact=True, search="all")
        assert bases(walk) == bases(sweep), Cx
        assert {lab.tobytes() for lab in walk.labels} == {lab.tobytes() for lab in sweep.labels}


def test_both_searches_match_gambit_on_a_degenerate_game():
    A = [[3, 3, 1], [2, 5, 5], [0, 6, 6]]
    B = [[3, 2, 2], [2, 6, 6], [3, 1, 1]]
    expected = gambit_extreme_equilibria(A, B)
    for search in ("graph", "all"):
        assert profile_set(vertex_enumeration(game(A, B), exact=True, search=search)) == expected
    with pytest.raises(eq.InvalidParameterError, match="search"):
        vertex_enumeration(game(A, B), search="bfs")


# ---- the degenerate games of the nashpy issues ------------------------------------------------------

# drvinceknight/Nashpy issue #82: costs (players minimise); the reporter lists 8 equilibria, confirmed
# by an independent support enumeration and by Savani's online solver
COST_A = [[0, 0, 6, 0, 0], [0, 0, 3, 2, 1], [4, 3, 0, 0, 1]]
COST_B = [[3, 0, 2, 1, 0], [0, 2, 0, 0, 4], [4, 0, 2, 4, 4]]
ISSUE_82 = {
    ((1, 0, 0), (0, 1, 0, 0, 0)),
    ((1, 0, 0), (0, 0, 0, 0, 1)),
    ((F(2, 3), F(1, 3), 0), (0, 1, 0, 0, 0)),
    ((F(1, 3), F(1, 2), F(1, 6)), (0, F(4, 9), F(2, 9), F(1, 3), 0)),
    ((0, F(1, 2), F(1, 2)), (0, F(1, 2), F(1, 2), 0, 0)),
    ((0, 1, 0), (F(3, 7), 0, F(4, 7), 0, 0)),
    ((0, 1, 0), (1, 0, 0, 0, 0)),
    ((0, 1, 0), (F(3, 8), 0, F(1, 4), F(3, 8), 0)),
}

# drvinceknight/Nashpy issue #231: a skew-symmetric zero-sum game, degenerate (4 best responses
# to the first column), with the symmetric equilibrium (0, 0, 1/3, 0, 1/3, 1/3)
ISSUE_231 = [[0, -1, -1, -1, 1, -1],
             [1, 0, 1, -1, -1, -1],
             [1, -1, 0, -1, -1, 1],
             [1, 1, 1, 0, -1, -1],
             [-1, 1, 1, 1, 0, -1],
             [1, 1, -1, 1, 1, 0]]


def test_nashpy_issue_82_all_eight_equilibria():
    g = game(-np.array(COST_A), -np.array(COST_B))
    sols = vertex_enumeration(g, exact=True)
    assert profile_set(sols) == {(tuple(map(F, x)), tuple(map(F, y))) for x, y in ISSUE_82}
    # the listed costs J1, J2 of the reporter, e.g. 4/3 and 1 at the fully mixed one
    by_profile = {(tuple(s.strategies[0]), tuple(s.strategies[1])): s.payoffs for s in sols}
    pay = by_profile[((F(1, 3), F(1, 2), F(1, 6)), (0, F(4, 9), F(2, 9), F(1, 3), 0))]
    assert list(pay) == [F(-4, 3), F(-1)]
    with pytest.raises(eq.DegenerateGameError, match="vertex-enumeration"):
        support_enumeration(g)
    with pytest.raises(eq.DegenerateGameError):
        support_enumeration(g, exact=True)


def test_nashpy_issue_231_symmetric_equilibrium_found():
    A = np.array(ISSUE_231)
    g = eq.NormalFormGame.zero_sum(A)
    sols = vertex_enumeration(g, exact=True)
    third = (0, 0, F(1, 3), 0, F(1, 3), F(1, 3))
    assert (third, third) in profile_set(sols)
    assert profile_set(sols) == gambit_extreme_equilibria(A, -A)
    assert all(s.payoffs[0] == 0 for s in sols)  # value of a symmetric zero-sum game
    with pytest.raises(eq.DegenerateGameError):
        support_enumeration(g, exact=True)


def test_quantecon_degenerate_example_three_extreme_equilibria():
    # QuantEcon.py PR #326: the 3x2 game [[(3,3),(3,3)],[(2,2),(5,6)],[(0,3),(6,1)]] has the
    # extreme equilibria (e1, e1), (e1, (2/3, 1/3)) and ((0, 1/3, 2/3), (1/3, 2/3))
    A = [[3, 3], [2, 5], [0, 6]]
    B = [[3, 3], [2, 6], [3, 1]]
    assert profile_set(vertex_enumeration(game(A, B), exact=True)) == {
        ((1, 0, 0), (1, 0)), ((1, 0, 0), (F(2, 3), F(1, 3))), ((0, F(1, 3), F(2, 3)), (F(1, 3), F(2, 3)))
    }


# ---- known equilibria of classic games (textbook values) -------------------------------------------

@pytest.mark.parametrize("method", [vertex_enumeration, support_enumeration])
def test_matching_pennies_and_rps(method):
    # unique equilibria: (1/2, 1/2) each, and (1/3, 1/3, 1/3) each (von Neumann & Morgenstern 1944)
    mp = eq.NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    (s,) = method(mp, exact=True)
    assert profile_set([s]) == {((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)))}
    assert list(s.payoffs) == [0, 0]
    rps = eq.NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    (s,) = method(rps, exact=True)
    assert profile_set([s]) == {((F(1, 3),) * 3, (F(1, 3),) * 3)}
    (s,) = method(rps)
    np.testing.assert_allclose(s.strategies[0], [1 / 3] * 3, atol=1e-12)


@pytest.mark.parametrize("method", [vertex_enumeration, support_enumeration])
def test_battle_of_the_sexes(method):
    # two pure equilibria and the mixed one ((2/3, 1/3), (1/3, 2/3)) with payoffs (2/3, 2/3)
    # (Luce & Raiffa, Games and Decisions, 1957)
    sols = method(game([[2, 0], [0, 1]], [[1, 0], [0, 2]]), exact=True)
    assert profile_set(sols) == {((1, 0), (1, 0)), ((0, 1), (0, 1)),
                                 ((F(2, 3), F(1, 3)), (F(1, 3), F(2, 3)))}
    mixed = next(s for s in sols if s.strategies[0][0] == F(2, 3))
    assert list(mixed.payoffs) == [F(2, 3), F(2, 3)]


def test_continuum_of_equilibria_reports_its_extreme_points():
    # all payoffs equal: every profile is an equilibrium; the extreme ones are the pure profiles
    sols = vertex_enumeration(game(np.zeros((2, 3)), np.zeros((2, 3))), exact=True)
    assert len(sols) == 6
    assert all(max(s.strategies[0]) == 1 and max(s.strategies[1]) == 1 for s in sols)


# ---- through the registry and solve(), bad input ---------------------------------------------------

def test_registered_and_verified_by_solve():
    bos = game([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    for method in ("vertex-enumeration", "support-enumeration"):
        sols = eq.solve(bos, method=method, exact=True)
        assert len(sols) == 3
        assert all(s.nash_conv == 0 and s.method == method for s in sols)


def test_three_player_game_not_applicable():
    g3 = eq.NormalFormGame(np.zeros((3, 2, 2, 2)))
    for method in (vertex_enumeration, support_enumeration):
        with pytest.raises(eq.NotApplicableError, match="two-player"):
            method(g3)
    with pytest.raises(eq.NotApplicableError):
        eq.solve(g3, method="vertex-enumeration")


def test_support_enumeration_on_degenerate_game_raises_with_pointer():
    # the row player's first action has two best responses (columns 1 and 2 tie)
    g = game([[1, 1], [0, 2]], [[1, 1], [2, 0]])
    with pytest.raises(eq.DegenerateGameError, match="vertex-enumeration"):
        support_enumeration(g, exact=True)
    with pytest.raises(eq.DegenerateGameError, match="vertex-enumeration"):
        eq.solve(g, method="support-enumeration")


def test_number_of_bases_is_vandermonde():
    assert number_of_bases(8, 8) == 12869
    assert number_of_bases(2, 3) == 2 * 3 + 3 * 1


# ---- property: every returned profile is an equilibrium --------------------------------------------

small_games = integer_bimatrices(-3, 3, 4, 4)


@settings(max_examples=60, deadline=None)
@given(small_games)
def test_property_every_profile_is_an_equilibrium(AB):
    g = game(*AB)
    exact = vertex_enumeration(g, exact=True)
    assert exact  # every finite game has an equilibrium (Nash 1951)
    for s in exact:
        assert eq.nash_conv(g, s.strategies, exact=True) == 0
    for s in vertex_enumeration(g):
        assert eq.nash_conv(g, s.strategies) <= 1e-9
    try:
        sup = support_enumeration(g, exact=True)
    except eq.DegenerateGameError:
        return
    # nondegenerate: support enumeration finds every equilibrium, an odd number (Shapley 1974)
    assert profile_set(sup) == profile_set(exact)
    assert len(sup) % 2 == 1
    for s in support_enumeration(g):
        assert eq.nash_conv(g, s.strategies) <= 1e-9
