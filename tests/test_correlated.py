"""Tests of the correlated / coarse correlated equilibrium LPs."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from equilibria.errors import InvalidParameterError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import cce_gap, ce_gap, product_distribution
from equilibria.solvers.correlated import incentive_constraints

# Chicken as in Aumann (1974) / Wikipedia "Correlated equilibrium": (C,C) = (6,6), (C,D) = (2,7),
# (D,C) = (7,2), (D,D) = (0,0). Action order: Chicken out, Dare.
CHICKEN = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])


def test_aumann_chicken_distribution_is_a_ce():
    # Wikipedia "Correlated equilibrium", example: 1/3 on (C,C), (C,D), (D,C) is a CE with payoff 5 each
    mu = np.array([[Fraction(1, 3), Fraction(1, 3)], [Fraction(1, 3), Fraction(0)]], dtype=object)
    assert ce_gap(CHICKEN, mu, exact=True) == 0


def test_chicken_welfare_maximising_ce():
    # Heilman, UCLA Math 167 homework 6, ex. 1 (hint: z22 = 0, z12 = z21) asks for a CE paying both
    # players more than 5. Writing z11 = p, z12 = z21 = (1 - p)/2: the incentive constraint of a
    # player told "C" is 6p + 2(1-p)/2 >= 7p, i.e. p <= 1/2; welfare 12p + 9(1-p) is largest at p = 1/2.
    # So the welfare-maximising CE is (1/2, 1/4, 1/4, 0) with payoffs 21/4 each, welfare 21/2.
    sol = eq.solve(CHICKEN, "correlated", exact=True)[0]
    mu = sol.info["joint"]
    assert [list(r) for r in mu] == [[Fraction(1, 2), Fraction(1, 4)], [Fraction(1, 4), 0]]
    assert sol.info["objective_value"] == Fraction(21, 2)
    assert list(sol.payoffs) == [Fraction(21, 4)] * 2
    assert sol.info["ce_gap"] == 0 and sol.info["optimal"] is True
    # the float LP agrees
    flt = eq.solve(CHICKEN, "correlated")[0]
    assert flt.info["objective_value"] == pytest.approx(10.5, abs=1e-9)
    np.testing.assert_allclose(flt.strategies[0], [0.75, 0.25], atol=1e-9)


def test_chicken_player_objective_and_cce():
    # Maximising player 1's payoff: the CE polytope's best point for player 1 is the pure equilibrium
    # (Dare, Chicken) with payoff 7, the largest payoff player 1 can get in any outcome.
    sol = eq.solve(CHICKEN, "correlated", objective="player:1", exact=True)[0]
    assert sol.payoffs[0] == 7 and sol.info["ce_gap"] == 0
    # CCE ⊇ CE, so the best CCE welfare is at least the best CE welfare
    cce = eq.solve(CHICKEN, "coarse-correlated", exact=True)[0]
    assert cce.info["cce_gap"] == 0 and cce.info["objective_value"] >= Fraction(21, 2)


def test_objective_array_and_bad_objectives():
    # maximise the probability z22 of the crash. The CE constraints of chicken are 2 z12 >= z11,
    # z21 >= 2 z22 (player 1 told C / D) and 2 z21 >= z11, z12 >= 2 z22 (player 2); with
    # z11 + z12 + z21 + z22 = 1 the maximum is z22 = 1/5, uniquely at z = (0, 2/5, 2/5, 1/5).
    c = np.zeros((2, 2))
    c[1, 1] = 1.0
    sol = eq.solve(CHICKEN, "correlated", objective=c, exact=True)[0]
    assert sol.info["objective_value"] == Fraction(1, 5)
    assert [list(r) for r in sol.info["joint"]] == [[0, Fraction(2, 5)], [Fraction(2, 5), Fraction(1, 5)]]
    with pytest.raises(InvalidParameterError, match="joint-action shape"):
        eq.solve(CHICKEN, "correlated", objective=np.zeros(3))
    with pytest.raises(InvalidParameterError, match="names no player"):
        eq.solve(CHICKEN, "correlated", objective="player:7")
    with pytest.raises(InvalidParameterError, match="unknown objective"):
        eq.solve(CHICKEN, "correlated", objective="utilitarian")


def test_prisoners_dilemma_ce_is_the_dominant_profile():
    # strictly dominant strategies leave only (D, D) in any CE, even when maximising welfare
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    sol = eq.solve(pd, "correlated", exact=True)[0]
    assert sol.info["joint"][1, 1] == 1


def test_incentive_constraints_match_swap_regrets():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(3, 2, 3, 2))
    g = NormalFormGame(u)
    mu = rng.random(g.num_actions)
    mu /= mu.sum()
    rows, cols, vals = incentive_constraints(u)
    m = rows.max() + 1
    G = np.zeros((m, mu.size))
    np.add.at(G, (rows, cols), vals)
    gains = G @ mu.ravel()
    regrets = np.concatenate([R[~np.eye(len(R), dtype=bool)] for R in eq.metrics.swap_regrets(g, mu)])
    np.testing.assert_allclose(np.sort(gains), np.sort(regrets), atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 10**6), st.booleans())
def test_random_n_player_gaps_vanish(sizes, seed, coarse):
    if np.prod(sizes) > 40:
        sizes = sizes[:3]
    shape = tuple(sizes)
    u = np.random.default_rng(seed).normal(size=(len(shape), *shape))
    g = NormalFormGame(u)
    method = "coarse-correlated" if coarse else "correlated"
    sol = eq.solve(g, method)[0]
    mu = sol.info["joint"]
    gap = cce_gap(g, mu) if coarse else ce_gap(g, mu)
    assert gap <= 1e-7
    # the welfare optimum is at least the welfare of any CE; the product of the marginals is one
    # sometimes (e.g. when the optimum is a pure profile), and then it bounds the optimum
    prod = product_distribution(sol.strategies)
    if ce_gap(g, prod) <= 1e-12:
        assert sol.info["objective_value"] >= (u.sum(axis=0) * prod).sum() - 1e-9


@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 2, 2), (2, 2, 2, 2), (3, 3)])
def test_exact_ce_gap_zero_on_integer_games(shape):
    # thirds make every payoff non-dyadic, so nothing is exact in floating point
    u = np.random.default_rng(sum(shape)).integers(-4, 5, size=(len(shape), *shape)) * Fraction(1, 3)
    g = NormalFormGame(u)
    for method, key in (("correlated", "ce_gap"), ("coarse-correlated", "cce_gap")):
        sol = eq.solve(g, method, exact=True)[0]
        assert sol.info[key] == 0
        assert sol.info["optimal"] is True  # exact dual certificate
        assert sum(sol.info["joint"].flat) == 1
        # the exact optimum equals the float optimum
        flt = eq.solve(g, method)[0]
        assert float(sol.info["objective_value"]) == pytest.approx(flt.info["objective_value"], abs=1e-7)


def test_welfare_at_least_best_pure_nash():
    # a pure Nash equilibrium is a CE, so the welfare optimum is at least its welfare
    rng = np.random.default_rng(0)
    for _ in range(5):
        u = rng.integers(0, 6, size=(3, 3, 3, 3))
        g = NormalFormGame(u)
        sol = eq.solve(g, "correlated")[0]
        best = -np.inf
        for a in np.ndindex(*g.num_actions):
            prof = [np.eye(3)[k] for k in a]
            if eq.nash_conv(g, prof) == 0:
                best = max(best, u[(slice(None), *a)].sum())
        assert sol.info["objective_value"] >= best - 1e-9
