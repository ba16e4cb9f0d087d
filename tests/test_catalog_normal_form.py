"""The normal-form catalog: every game loads, its known equilibria are exact, and the full set of
extreme equilibria agrees with pygambit's exact enumeration (enummixed_solve, rational=True)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F

import numpy as np
import pygambit as gbt
import pytest

import equilibria as eq
from equilibria import GAMES, InvalidParameterError, NormalFormGame, nash_conv

NORMAL_FORM_GAMES = [
    "matching_pennies", "rock_paper_scissors", "weighted_rock_paper_scissors", "prisoners_dilemma",
    "stag_hunt", "chicken", "battle_of_the_sexes", "pure_coordination", "shapley_game",
    "three_player_matching_pennies", "colonel_blotto", "first_price_auction", "random_uniform",
    "random_gaussian", "random_integer", "random_zero_sum", "random_covariant",
]


def profile(*strategies):
    return [np.array([F(x) for x in s], dtype=object) for s in strategies]


def as_key(prof):
    return tuple(tuple(F(x) for x in s) for s in prof)


def gambit_extreme_equilibria(game: NormalFormGame) -> set:
    """pygambit's exact set of extreme equilibria of a two-player game."""
    G = gbt.Game.from_arrays(*game.exact_payoffs)
    result = gbt.nash.enummixed_solve(G, rational=True)
    return {tuple(tuple(F(str(e[s])) for s in p.strategies) for p in G.players) for e in result.equilibria}


def check_known(game: NormalFormGame, expected: list) -> None:
    """Each known equilibrium has exact NashConv 0 and they are exactly pygambit's extreme set."""
    for prof in expected:
        assert nash_conv(game, profile(*prof), exact=True) == 0, prof
    assert gambit_extreme_equilibria(game) == {as_key(profile(*p)) for p in expected}


@pytest.mark.parametrize("name", NORMAL_FORM_GAMES)
def test_every_catalog_game_loads_with_labels_and_title(name):
    game = eq.load_game(name)
    assert isinstance(game, NormalFormGame)
    assert GAMES.get(name).family == "normal_form"
    assert game.title
    assert [len(a) for a in game.action_labels] == list(game.num_actions)
    assert len(game.player_labels) == game.num_players
    # the exact payoffs are the float payoffs
    assert np.array_equal(game.exact_payoffs.astype(float), game.payoffs)


def test_matching_pennies_unique_uniform_equilibrium():
    # known-values.md; von Neumann & Morgenstern (1944)
    game = eq.load_game("matching_pennies")
    assert game.is_zero_sum
    check_known(game, [[(F(1, 2), F(1, 2)), (F(1, 2), F(1, 2))]])


def test_rock_paper_scissors_unique_uniform_equilibrium():
    # known-values.md: unique equilibrium (1/3, 1/3, 1/3) each
    game = eq.load_game("rock_paper_scissors")
    third = (F(1, 3),) * 3
    check_known(game, [[third, third]])
    assert nash_conv(game, profile((1, 0, 0), third), exact=True) == 1


@pytest.mark.parametrize("weights", [(1, 2, 3), (5, 1, 1), ("1/2", 2, "3/4")])
def test_weighted_rps_equilibrium_is_the_kernel_of_the_skew_matrix(weights):
    # A x = 0 for the skew-symmetric A = [[0,-wP,wR],[wP,0,-wS],[-wR,wS,0]] gives x ∝ (wS, wR, wP)
    game = eq.load_game(f"weighted_rock_paper_scissors(weights={tuple(weights)!r})")
    wr, wp, ws = (F(w) for w in weights)
    x = tuple(v / (wr + wp + ws) for v in (ws, wr, wp))
    A = game.bimatrix(exact=True)[0]
    assert np.array_equal(A, -A.T)
    check_known(game, [[x, x]])


def test_prisoners_dilemma_mutual_defection():
    # Axelrod (1984): defection strictly dominates, so (D, D) is the unique equilibrium
    game = eq.load_game("prisoners_dilemma")
    assert game.exact_payoffs[0][0, 0] == 3 and game.exact_payoffs[0][1, 0] == 5
    check_known(game, [[(0, 1), (0, 1)]])
    assert nash_conv(game, profile((1, 0), (1, 0)), exact=True) == 4  # each gains T - R = 2


def test_stag_hunt_two_pure_one_mixed_and_risk_dominance():
    # known-values.md; Skyrms (2004) payoffs: the mixed equilibrium hunts stag w.p. (d-b)/(a-b-c+d) = 3/4
    game = eq.load_game("stag_hunt")
    check_known(game, [[(1, 0), (1, 0)], [(0, 1), (0, 1)], [(F(3, 4), F(1, 4))] * 2])
    A = game.bimatrix(exact=True)[0]
    a, b, c, d = A[0, 0], A[0, 1], A[1, 0], A[1, 1]
    assert a > d  # (Stag, Stag) is payoff dominant ...
    assert (d - b) ** 2 > (a - c) ** 2  # ... but (Hare, Hare) is risk dominant (Harsanyi & Selten 1988)


def test_stag_hunt_parameters():
    game = eq.load_game("stag_hunt(stag_stag=5, stag_hare=0, hare_stag=2, hare_hare=2)")
    p = F(2, 5)  # (d - b) / (a - b - c + d) = 2 / 5
    check_known(game, [[(1, 0), (1, 0)], [(0, 1), (0, 1)], [(p, 1 - p)] * 2])


def test_chicken_equilibria():
    # mixed: indifference tie (1-q) + lose q = win (1-q) + crash q gives
    # q = (win - tie) / (win - tie + lose - crash) = 1 / 10 with the defaults (1, 0, -1, -10)
    game = eq.load_game("chicken")
    q = F(1 - 0, 1 - 0 + (-1) - (-10))
    assert q == F(1, 10)
    check_known(game, [[(1, 0), (0, 1)], [(0, 1), (1, 0)], [(1 - q, q)] * 2])


def test_battle_of_the_sexes_equilibria():
    # Osborne & Rubinstein (1994): mixed equilibrium (2/3, 1/3), (1/3, 2/3)
    game = eq.load_game("battle_of_the_sexes")
    check_known(game, [[(1, 0), (1, 0)], [(0, 1), (0, 1)], [(F(2, 3), F(1, 3)), (F(1, 3), F(2, 3))]])


@pytest.mark.parametrize("n", [1, 2, 4])
def test_pure_coordination_has_one_equilibrium_per_nonempty_support(n):
    game = eq.load_game(f"pure_coordination(actions={n})")
    expected = []
    for k in range(1, n + 1):
        for support in itertools.combinations(range(n), k):
            s = tuple(F(1, k) if a in support else F(0) for a in range(n))
            expected.append([s, s])
    assert len(expected) == 2**n - 1
    check_known(game, expected)


def test_shapley_game_unique_uniform_equilibrium():
    # Shapley (1964): unique equilibrium, uniform for both players; fictitious play cycles around it
    game = eq.load_game("shapley_game")
    third = (F(1, 3),) * 3
    check_known(game, [[third, third]])
    A, B = game.bimatrix(exact=True)
    assert (A.sum(axis=1) == 1).all() and (B.sum(axis=1) == 1).all()  # one win per row for each


def test_three_player_matching_pennies_unique_mixed_equilibrium():
    # Jordan (1993): the unique equilibrium has every player mix (1/2, 1/2); no pure equilibrium
    game = eq.load_game("three_player_matching_pennies")
    assert game.num_players == 3 and game.num_actions == (2, 2, 2)
    half = (F(1, 2), F(1, 2))
    assert nash_conv(game, profile(half, half, half), exact=True) == 0
    for pure in itertools.product(range(2), repeat=3):
        prof = profile(*[tuple(int(a == k) for k in range(2)) for a in pure])
        assert nash_conv(game, prof, exact=True) > 0, pure
    # peer check: Gambit's polynomial enumeration finds the same single equilibrium
    G = gbt.Game.from_arrays(*game.exact_payoffs)
    found = gbt.nash.enumpoly_solve(G).equilibria
    assert len(found) == 1
    assert np.allclose([[float(found[0][s]) for s in p.strategies] for p in G.players], 0.5)


def test_colonel_blotto_shape_and_symmetry():
    game = eq.load_game("colonel_blotto(soldiers=5, fields=3)")
    assert game.num_actions == (math.comb(7, 2), math.comb(7, 2))  # stars and bars
    A = game.bimatrix(exact=True)[0]
    # equal armies: A = -A^T (skew-symmetric), so the value is 0 (Borel 1921)
    assert np.array_equal(A, -A.T) and game.is_zero_sum
    assert set(game.action_labels[0]) == {f"{a}-{b}-{5 - a - b}" for a in range(6) for b in range(6 - a)}
    assert "5-0-0" in game.action_labels[0]
    i = game.action_labels[0].index("3-2-0")
    j = game.action_labels[1].index("2-2-1")
    assert A[i, j] == 1 + 0 - 1  # 3-2-0 against 2-2-1: field 1 won, field 2 drawn, field 3 lost
    k = game.action_labels[1].index("1-1-3")
    assert A[i, k] == 1 + 1 - 1


def test_colonel_blotto_small_instance_value_zero():
    # 2 soldiers on 3 fields: two allocations with single soldiers tie against each other and never
    # lose against 2-0-0, so the optimal pure strategies are exactly 1-1-0, 1-0-1, 0-1-1 and the value 0
    game = eq.load_game("colonel_blotto(soldiers=2, fields=3)")
    singles = [tuple(int(k == a) for k in range(6)) for a in
               (game.action_labels[0].index(x) for x in ("1-1-0", "1-0-1", "0-1-1"))]
    expected = [[r, c] for r in singles for c in singles]
    check_known(game, expected)
    for prof in expected:
        assert list(game.expected_payoffs(profile(*prof), exact=True)) == [0, 0]


def test_colonel_blotto_asymmetric_dominance():
    # with 6 against 1 soldier on 3 fields, 2-2-2 wins every field whatever B does: value 3
    game = eq.load_game("colonel_blotto(soldiers=6, fields=3, soldiers_b=1)")
    A = game.bimatrix(exact=True)[0]
    r = game.action_labels[0].index("2-2-2")
    assert (A[r] == 3).all() and A.max() == 3
    b = game.uniform_profile(exact=True)[1]
    a = np.array([F(int(k == r)) for k in range(game.num_actions[0])], dtype=object)
    assert nash_conv(game, [a, b], exact=True) == 0


def test_colonel_blotto_majority_payoff_is_sign_of_fields_payoff():
    fields = eq.load_game("colonel_blotto(soldiers=4, fields=3)").bimatrix(exact=True)[0]
    majority = eq.load_game("colonel_blotto(soldiers=4, fields=3, payoff='majority')").bimatrix(exact=True)[0]
    assert np.array_equal(majority, np.sign(fields.astype(int)))


def test_first_price_auction_complete_information_pure_equilibria():
    # known values v = 3, bids 0..3: (b, b) is an equilibrium iff (v - b)/2 >= v - b - 1, i.e. b >= 1
    game = eq.load_game("first_price_auction(values=(3, 3))")
    assert game.action_labels[0] == ("0", "1", "2", "3")
    pure = []
    for a in itertools.product(range(4), repeat=2):
        prof = profile(*[tuple(int(k == x) for k in range(4)) for x in a])
        if nash_conv(game, prof, exact=True) == 0:
            pure.append(a)
    assert pure == [(1, 1), (2, 2), (3, 3)]
    check_known(game, [[tuple(int(k == b) for k in range(4))] * 2 for b in (1, 2, 3)])
    # a tie at bid 1 splits the surplus 3 - 1
    assert list(game.pure_payoffs((1, 1))) == [1, 1]


def _brute_force_auction(values, prior, bids, strategies):
    """Expected payoffs by summing over value draws one by one (an independent implementation)."""
    n = len(values)
    out = [F(0)] * n
    for draw in itertools.product(*[range(len(v)) for v in values]):
        prob = math.prod((prior[i][k] for i, k in enumerate(draw)), start=F(1))
        bid = [bids[strategies[i][k]] for i, k in enumerate(draw)]
        top = max(bid)
        winners = [i for i in range(n) if bid[i] == top]
        for i in winners:
            out[i] += prob * (values[i][draw[i]] - bid[i]) / len(winners)
    return out


@pytest.mark.parametrize("spec, values, prior, bids", [
    ("first_price_auction(values=((1, 2, 3), (1, 2, 3)))", [[1, 2, 3]] * 2, [[F(1, 3)] * 3] * 2,
     [0, 1, 2, 3]),
    ("first_price_auction(values=((0, 2), (1, 3), 2), prior=(('1/4', '3/4'), (0.5, 0.5), (1,)), "
     "bids=(0, 1, 2))", [[0, 2], [1, 3], [2]], [[F(1, 4), F(3, 4)], [F(1, 2), F(1, 2)], [F(1)]], [0, 1, 2]),
])
def test_first_price_auction_bayesian_payoffs_match_brute_force(spec, values, prior, bids):
    game = eq.load_game(spec)
    rng = np.random.default_rng(0)
    parse = [[[bids.index(F(b.split(":")[1])) for b in label.split()] if ":" in label
              else [bids.index(F(label))] for label in labels] for labels in game.action_labels]
    for _ in range(40):
        a = tuple(int(rng.integers(k)) for k in game.num_actions)
        strategies = [parse[i][a[i]] for i in range(game.num_players)]
        for vals, s in zip(values, strategies, strict=True):
            assert all(bids[b] <= v for b, v in zip(s, vals, strict=True)), "no overbidding by default"
        expected = _brute_force_auction(values, prior, bids, strategies)
        assert list(game.exact_payoffs[(slice(None), *a)]) == expected


def test_first_price_auction_overbid_and_strategy_counts():
    game = eq.load_game("first_price_auction(values=((1, 2, 3), (1, 2, 3)))")
    assert game.num_actions == (2 * 3 * 4, 2 * 3 * 4)  # bids <= value at values 1, 2, 3
    game = eq.load_game("first_price_auction(values=((1, 2), (1, 2)), bids=(0, 1, 2), overbid=True)")
    assert game.num_actions == (9, 9)


def test_first_price_auction_small_bayesian_instance_against_gambit():
    game = eq.load_game("first_price_auction(values=((0, 1, 2), (0, 1, 2)))")
    found = gambit_extreme_equilibria(game)
    assert found
    for prof in found:
        assert nash_conv(game, profile(*prof), exact=True) == 0


@pytest.mark.parametrize("ours, theirs", [
    ("matching_pennies", "matrix_mp"),
    ("rock_paper_scissors", "matrix_rps"),
    ("shapley_game", "matrix_shapleys_game"),
    ("stag_hunt(stag_stag=2, stag_hare=0, hare_stag=1, hare_hare=1)", "matrix_sh"),
    ("battle_of_the_sexes(high=3, low=2)", "matrix_bos"),
    ("prisoners_dilemma(temptation=10, reward=5, punishment=1, sucker=0)", "matrix_pd"),
    ("chicken(win=4, tie=3, lose=1, crash=0)", "matrix_cd"),
])
def test_same_games_as_open_spiel_up_to_relabelling_actions(ours, theirs):
    # peer check: OpenSpiel's matrix games, with our parameters set to its payoffs, are the same
    # games once each player's actions are permuted (OpenSpiel lists chicken's actions as Dare,
    # Chicken; its Shapley game is ours with actions reflected)
    import pyspiel  # a test-only dependency (dev extra)
    from open_spiel.python.egt.utils import game_payoffs_array

    target = game_payoffs_array(pyspiel.load_game(theirs))
    game = eq.load_game(ours)
    u = game.payoffs
    assert u.shape == target.shape
    k1, k2 = game.num_actions
    assert any(np.array_equal(u[:, list(p)][:, :, list(q)], target)
               for p in itertools.permutations(range(k1)) for q in itertools.permutations(range(k2)))


# ---- random games -----------------------------------------------------------------------------
RANDOM = ["random_uniform", "random_gaussian", "random_integer", "random_zero_sum", "random_covariant"]


@pytest.mark.parametrize("name", RANDOM)
def test_random_games_are_reproducible_by_seed(name):
    a = eq.load_game(f"{name}(rows=4, cols=3, seed=7)")
    b = eq.load_game(f"{name}(rows=4, cols=3, seed=7)")
    c = eq.load_game(f"{name}(rows=4, cols=3, seed=8)")
    assert a.num_actions == (4, 3)
    assert np.array_equal(a.payoffs, b.payoffs)
    assert not np.array_equal(a.payoffs, c.payoffs)
    assert np.array_equal(eq.load_game(f"{name}(actions=(2, 5))").payoffs,
                          eq.load_game(f"{name}(actions=(2, 5), seed=0)").payoffs)


@pytest.mark.parametrize("name", ["random_uniform", "random_gaussian", "random_integer", "random_covariant"])
def test_random_games_n_players(name):
    game = eq.load_game(f"{name}(actions=(2, 3, 4), seed=1)")
    assert game.num_players == 3 and game.num_actions == (2, 3, 4)
    game = eq.load_game(f"{name}(actions=2, players=4)")
    assert game.num_actions == (2, 2, 2, 2)


def test_random_integer_range_ties_and_exactness():
    game = eq.load_game("random_integer(rows=10, cols=10, low=-2, high=2, seed=3)")
    assert set(np.unique(game.payoffs)) == {-2, -1, 0, 1, 2}  # inclusive range
    assert all(isinstance(x, F) and x.denominator == 1 for x in game.exact_payoffs.flat)
    A = game.payoffs[0]
    assert any(len(set(col)) < len(col) for col in A.T)  # ties in a column: a degenerate game


def test_random_uniform_bounds():
    game = eq.load_game("random_uniform(actions=5, low=-3, high=-1, seed=2)")
    assert game.payoffs.min() >= -3 and game.payoffs.max() < -1


@pytest.mark.parametrize("dist", ["uniform", "gaussian", "integer"])
def test_random_zero_sum(dist):
    game = eq.load_game(f"random_zero_sum(rows=3, cols=5, distribution={dist}, seed=4)")
    assert game.is_zero_sum
    assert (game.exact_payoffs.sum(axis=0) == 0).all()


def test_covariant_extremes_are_zero_sum_and_common_payoff():
    # GAMUT CovariantGame (Nudelman et al. 2004): rho = -1 (2 players) is zero-sum, rho = 1 common payoff
    zs = eq.load_game("random_covariant(rho=-1, rows=6, cols=6, seed=5)")
    assert (zs.payoffs[0] == -zs.payoffs[1]).all()
    common = eq.load_game("random_covariant(rho=1, actions=(3, 3, 3), seed=5)")
    assert (common.payoffs == common.payoffs[0]).all()
    lowest = eq.load_game("random_covariant(rho=-0.5, actions=(4, 4, 4), seed=5)")
    assert np.allclose(lowest.payoffs.sum(axis=0), 0, atol=1e-12)  # rho = -1/(n-1): sums to zero


@pytest.mark.parametrize("rho", [-0.6, 0.0, 0.7])
def test_covariant_empirical_correlation(rho):
    game = eq.load_game(f"random_covariant(rho={rho}, rows=100, cols=100, seed=11)")
    x, y = game.payoffs.reshape(2, -1)
    # 10 000 draws: the sample correlation's standard error is below 0.01
    assert abs(np.corrcoef(x, y)[0, 1] - rho) < 0.04
    assert abs(x.std() - 1) < 0.04 and abs(y.std() - 1) < 0.04


# ---- bad parameters ---------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [
    "weighted_rock_paper_scissors(weights=(1, 0, 2))",
    "weighted_rock_paper_scissors(weights=(1, 2))",
    "weighted_rock_paper_scissors(weights='abc')",
    "prisoners_dilemma(temptation=2)",
    "stag_hunt(hare_stag=5)",
    "stag_hunt(hare_hare=5)",
    "chicken(crash=0)",
    "battle_of_the_sexes(high=1, low=2)",
    "pure_coordination(actions=0)",
    "pure_coordination(actions=2.5)",
    "colonel_blotto(soldiers=-1)",
    "colonel_blotto(fields=0)",
    "colonel_blotto(payoff='points')",
    "colonel_blotto(soldiers=60, fields=6)",
    "first_price_auction(values=(3,))",
    "first_price_auction(values=(1, 1), bids=(2, 3))",
    "first_price_auction(values=((1, 2), 2), prior=((1, 1), (1,)))",
    "first_price_auction(values=(3, 3), bids=(-1, 0, 1))",
    "random_uniform(rows=0)",
    "random_uniform(rows=2, actions=3)",
    "random_uniform(rows=2, players=3)",
    "random_uniform(actions=(2, 2), players=3)",
    "random_uniform(low=1, high=0)",
    "random_uniform(seed=-1)",
    "random_gaussian(std=0)",
    "random_integer(low=3, high=1)",
    "random_integer(low=0.5)",
    "random_zero_sum(distribution='cauchy')",
    "random_covariant(rho=-1, actions=(2, 2, 2))",
    "random_covariant(rho=1.5)",
    "matching_pennies(size=3)",
])
def test_bad_parameters_raise_invalid_parameter_error(spec):
    with pytest.raises(InvalidParameterError):
        eq.load_game(spec)
