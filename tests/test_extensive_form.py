"""The extensive-form game core: compilation, perfect recall, payoffs, NashConv, catalog games.

Known values: Kuhn and Leduc NashConv of the uniform policy (shared/reference/known-values.md,
OpenSpiel's published tests); trees of our native catalog games are checked node for node against
OpenSpiel's through the bridge's parallel walk.
"""

from fractions import Fraction

import numpy as np
import pyspiel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from open_spiel.python.algorithms import exploitability as os_exploitability

import equilibria as eq
from equilibria.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal, mix_policies
from equilibria.io.openspiel import from_pyspiel, from_tabular_policy, to_tabular_policy


def random_policy(game, rng):
    p = rng.random(game.legal_mask.shape) * game.legal_mask
    return p / p.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def leduc():
    return eq.load_game("leduc_poker")


def test_uniform_nash_conv_known_values(leduc):
    # known-values.md: Kuhn 11/12, Leduc 4.7472222
    kuhn = eq.load_game("kuhn_poker")
    assert eq.nash_conv(kuhn, kuhn.uniform_profile(), exact=True) == Fraction(11, 12)
    assert eq.nash_conv(leduc, leduc.uniform_profile()) == pytest.approx(4.7472222, abs=1e-7)
    assert (leduc.num_infosets, leduc.num_terminals, leduc.num_nodes) == (936, 5520, 9457)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("kuhn_poker", "kuhn_poker"),
        ("kuhn_poker(players=3)", "kuhn_poker(players=3)"),
        ("leduc_poker", "leduc_poker"),
        ("liars_dice(faces=3)", "liars_dice(dice_sides=3)"),
        ("goofspiel(num_cards=3)", "goofspiel(num_cards=3,points_order=descending)"),
        ("goofspiel(num_cards=3, order=random)", "goofspiel(num_cards=3)"),
    ],
)
def test_catalog_matches_openspiel(ours, theirs):
    """Same tree (parallel walk) and the same NashConv for random policies as OpenSpiel."""
    game = eq.load_game(ours)
    sg = pyspiel.load_game(theirs)
    if sg.get_type().dynamics == pyspiel.GameType.Dynamics.SIMULTANEOUS:
        sg = pyspiel.convert_to_turn_based(sg)
    rng = np.random.default_rng(1)
    for _ in range(3):
        pol = random_policy(game, rng)
        tab = to_tabular_policy(game, pol, sg)
        assert eq.nash_conv(game, pol) == pytest.approx(os_exploitability.nash_conv(sg, tab), abs=1e-10)
        np.testing.assert_allclose(from_tabular_policy(game, tab, sg), pol)


def test_bridge_refuses_merged_infosets():
    # OpenSpiel's goofspiel information state forgets the order of tied bids; ours keeps it
    game = eq.load_game("goofspiel(num_cards=4, order=ascending)")
    sg = pyspiel.convert_to_turn_based(pyspiel.load_game("goofspiel(num_cards=4,points_order=ascending)"))
    with pytest.raises(eq.InvalidGameError, match="merges information sets"):
        to_tabular_policy(game, game.uniform_profile(), sg)


def test_bridge_converts_any_small_game():
    # a simultaneous-move matrix game goes through OpenSpiel's turn-based conversion
    rps = from_pyspiel("matrix_rps")
    assert rps.num_players == 2 and rps.num_infosets == 2
    assert eq.nash_conv(rps, rps.uniform_profile()) == pytest.approx(0.0, abs=1e-12)
    kuhn4 = from_pyspiel("kuhn_poker(players=4)")
    ours = eq.load_game("kuhn_poker(players=4)")
    assert (kuhn4.num_infosets, kuhn4.num_terminals) == (ours.num_infosets, ours.num_terminals)
    assert eq.nash_conv(kuhn4, kuhn4.uniform_profile()) == pytest.approx(
        eq.nash_conv(ours, ours.uniform_profile()), abs=1e-12
    )
    with pytest.raises(eq.InvalidGameError, match="too large"):
        from_pyspiel("leduc_poker", max_nodes=1000)


def test_expected_payoffs_exact_and_zero_sum(leduc):
    kuhn = eq.load_game("kuhn_poker")
    u = kuhn.uniform_profile()
    exact = kuhn.expected_payoffs(u, exact=True)
    assert all(isinstance(x, Fraction) for x in exact)
    assert sum(exact) == 0
    np.testing.assert_allclose(kuhn.expected_payoffs(u), [float(x) for x in exact])
    pol = random_policy(leduc, np.random.default_rng(3))
    assert leduc.expected_payoffs(pol).sum() == pytest.approx(0, abs=1e-12)


def test_best_response_is_pure_and_attains_value(leduc):
    pol = random_policy(leduc, np.random.default_rng(4))
    for p in range(2):
        # best_response returns the player's own strategy: its rows of the policy (issue 10)
        br = eq.best_response(leduc, pol, p)
        rows = leduc.player_infosets[p]
        assert br.shape == (len(rows), leduc.max_actions)
        assert set(np.unique(br[leduc.legal_mask[rows]])) <= {0.0, 1.0}
        profile = pol.copy()
        profile[rows] = br
        value = leduc.expected_payoffs(profile)[p]
        assert value == pytest.approx(eq.best_response_values(leduc, pol)[p], abs=1e-12)


def test_subgame_perfect_profiles_are_equilibria():
    # Rosenthal 1981: in the centipede game the first mover takes at once (backward induction)
    cent = eq.load_game("centipede(rounds=5)")
    take = np.zeros_like(cent.uniform_profile())
    take[:, 0] = 1.0
    assert eq.nash_conv(cent, take, exact=True) == 0
    passing = np.zeros_like(take)
    passing[:, 1] = 1.0
    assert eq.nash_conv(cent, passing) > 0
    # Berg et al. 1995: sending nothing and returning nothing is subgame perfect
    trust = eq.load_game("trust_game")
    zero = np.zeros_like(trust.uniform_profile())
    zero[:, 0] = 1.0
    assert eq.nash_conv(trust, zero, exact=True) == 0


def _forgetful_game():
    # player 1 forgets its own first action: both second-stage nodes share one infoset
    tree = Decision(
        0,
        "first",
        [
            ("L", Decision(0, "forgot", [("l", Terminal([1, -1])), ("r", Terminal([0, 0]))])),
            ("R", Decision(0, "forgot", [("l", Terminal([0, 0])), ("r", Terminal([1, -1]))])),
        ],
    )
    return ExtensiveFormGame.from_tree(tree, 2)


def test_games_without_perfect_recall_load_and_sequence_methods_refuse():
    # issue 9: such games were refused at load time, while Gambit loads them
    g = _forgetful_game()
    assert not g.has_perfect_recall
    # behaviour-strategy payoffs are defined without perfect recall: play L, then l with prob. 1/4
    sigma = np.array([[1.0, 0.0], [0.25, 0.75]])
    assert np.allclose(g.expected_payoffs(sigma), [0.25, -0.25])
    exact = np.array([[Fraction(0), Fraction(1)], [Fraction(1, 3), Fraction(2, 3)]], dtype=object)
    assert list(g.expected_payoffs(exact, exact=True)) == [Fraction(2, 3), Fraction(-2, 3)]
    for call in (
        lambda: eq.nash_conv(g, g.uniform_profile()),
        lambda: g.sequence_form,
        lambda: g.realization_plan(g.uniform_profile()),
        lambda: g.require_perfect_recall("cfr"),
    ):
        with pytest.raises(eq.PerfectRecallError, match="'forgot'.*perfect recall"):
            call()
    assert eq.load_game("kuhn_poker").has_perfect_recall


@pytest.mark.parametrize("method", ["psro", "double-oracle"])
def test_metrics_and_psro_without_perfect_recall_name_the_infoset(method, tmp_path, capsys):
    # each refusal says what needs perfect recall ("NashConv", "psro"), not which internal array
    # ("the sequence form (terminal_seq)"), and names the information set where the player forgets
    g = _forgetful_game()
    for call, what in (
        (lambda: eq.nash_conv(g, g.uniform_profile()), "NashConv"),
        (lambda: eq.exploitability(g, g.uniform_profile(exact=True), exact=True), "NashConv"),
        (lambda: eq.metrics.core.best_response_values(g, g.uniform_profile()), "NashConv"),
        (lambda: eq.best_response(g, g.uniform_profile(), 0), "a best response"),
        (lambda: eq.solve(g, method, iterations=2), method),
    ):
        with pytest.raises(eq.PerfectRecallError) as info:
            call()
        assert str(info.value).startswith(f"{what} ") and "'forgot'" in str(info.value)
    # the strategic form still has a NashConv: player 1's first pure strategy (L, l) earns the top payoff 1
    nf = g.to_normal_form()
    k1, k2 = nf.num_actions
    assert eq.nash_conv(nf, [np.eye(k1)[0], np.ones(k2) / k2]) == 0
    # and the command line shows the same message on one line
    from equilibria.cli import main
    from equilibria.io.efg import write_efg

    path = tmp_path / "forgetful.efg"
    write_efg(g, path)
    assert main(["solve", str(path), "-m", method, "-n", "2"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert f"{method} (its best responses and NashConv) needs a game with perfect recall" in err[0]


def _matrix_tree(u1, u2):
    # player 1 picks a row, player 2 a column without seeing it: the bimatrix game (u1, u2) as a tree
    rows = [(f"r{i}", Decision(1, "cols", [(f"c{j}", Terminal([u1[i][j], u2[i][j]]))
                                            for j in range(len(u1[i]))])) for i in range(len(u1))]
    return ExtensiveFormGame.from_tree(Decision(0, "rows", rows), 2)


@pytest.mark.parametrize("scale", [1e-13, 1e-9, 1.0, 1e9, 1e13])
def test_zero_sum_test_is_relative_to_the_payoff_scale(scale):
    # the test used an absolute 1e-12: at 1e-13 a prisoner's dilemma passed for zero-sum, at 1e9 a
    # game that is zero-sum up to the rounding of its payoffs was refused (as NormalFormGame's was)
    pd = np.array([[3.0, 0.0], [5.0, 1.0]]) * scale
    g = _matrix_tree(pd, pd.T)
    assert not g.is_zero_sum and not g.is_constant_sum
    A = np.random.default_rng(1).uniform(-1, 1, size=(3, 3)) * scale
    near = _matrix_tree(A * 0.1 * 3, -(A * 0.3))  # differ from zero-sum in the last bits
    assert np.any(near.terminal_utility.sum(axis=1) != 0)
    assert near.is_zero_sum and near.is_constant_sum
    shifted = _matrix_tree(A * 0.1 * 3, 2 * scale - A * 0.3)
    assert shifted.is_constant_sum and not shifted.is_zero_sum
    # a sum off by 1e-9 of the scale is not rounding
    off = _matrix_tree(A, -A + np.eye(3) * 1e-9 * scale)
    assert not off.is_zero_sum and not off.is_constant_sum


def test_exact_extensive_form_payoffs_must_sum_exactly():
    big = 10**13
    assert _matrix_tree([[1, 2]], [[-1, -2]]).is_zero_sum
    assert not _matrix_tree([[big, 1]], [[-big, 0]]).is_zero_sum  # 1 in 1e13: not zero-sum
    assert _matrix_tree([[big, 1]], [[-big + 5, 4]]).is_constant_sum
    assert not _matrix_tree([[big, 1]], [[-big + 5, 3]]).is_constant_sum  # sums 5 and 4
    assert _matrix_tree([[Fraction(1, 3), 1]], [[Fraction(2, 3), 0]]).is_constant_sum


def test_exact_chance_probabilities_must_sum_to_exactly_one():
    # issue 9: probabilities within 1e-9 of 1 were accepted in exact mode, giving an "exact"
    # chance reach off by 1e-12; exact inputs must now sum to exactly 1
    near = [("a", Fraction(1, 3), Terminal([1, 0])),
            ("b", Fraction(2, 3) - Fraction(1, 10**12), Terminal([0, 1]))]
    with pytest.raises(eq.InvalidGameError, match="exactly 1"):
        ExtensiveFormGame.from_tree(Chance(near), 2)
    # floats within rounding are accepted, and exact arithmetic normalises them exactly
    g = ExtensiveFormGame.from_tree(Chance([(str(k), 0.1, Terminal([k, 0])) for k in range(10)]), 2)
    assert sum(g.exact_terminal_chance) == 1
    assert all(p == Fraction(1, 10) for p in g.exact_terminal_chance)
    # the same normalisation in games without perfect recall (payoffs from node reach)
    T = Terminal
    forgetful = Decision(0, "first", [
        ("L", Decision(0, "forgot", [("l", T([1, -1])), ("r", T([0, 0]))])),
        ("R", Decision(0, "forgot", [("l", T([0, 0])), ("r", T([1, -1]))])),
    ])
    g = ExtensiveFormGame.from_tree(Chance([(c, 1 / 3, forgetful) for c in "xyz"]), 2)
    assert not g.has_perfect_recall
    exact = g.expected_payoffs(g.uniform_profile(exact=True), exact=True)
    assert list(exact) == [Fraction(1, 2), Fraction(-1, 2)]


@pytest.mark.parametrize(
    "tree, match",
    [
        (Chance([("a", 0.5, Terminal([1, 0])), ("b", 0.6, Terminal([0, 1]))]), "sum to 1"),
        (Decision(2, "x", [("a", Terminal([1, 0]))]), "player 2"),
        (Decision(0, "x", [("a", Terminal([1, 0, 3]))]), "3 payoffs"),
        (Decision(0, "x", [("a", Terminal([np.nan, 0]))]), "non-finite"),
        (
            Decision(
                0,
                "x",
                [
                    ("a", Decision(1, "y", [("u", Terminal([0, 0]))])),
                    ("b", Decision(1, "y", [("v", Terminal([0, 0]))])),
                ],
            ),
            "same actions",
        ),
    ],
)
def test_invalid_trees(tree, match):
    with pytest.raises(eq.InvalidGameError, match=match):
        ExtensiveFormGame.from_tree(tree, 2)


def test_invalid_policies(leduc):
    with pytest.raises(eq.InvalidStrategyError, match="shape"):
        eq.nash_conv(leduc, np.ones((3, 3)))
    bad = leduc.uniform_profile().copy()
    bad[5, 0] += 0.5
    with pytest.raises(eq.InvalidStrategyError, match="sums to"):
        eq.nash_conv(leduc, bad)


def test_profile_json_round_trip():
    kuhn = eq.load_game("kuhn_poker")
    pol = random_policy(kuhn, np.random.default_rng(5))
    data = kuhn.profile_to_json(pol)
    assert set(data[0]) == {kuhn.infoset_labels[I] for I in kuhn.player_infosets[0]}
    np.testing.assert_allclose(kuhn.profile_from_json(data), pol)
    exact = kuhn.profile_to_json(kuhn.uniform_profile(), exact=True)
    assert exact[0]["0"] == ["1/2", "1/2"]
    with pytest.raises(eq.InvalidStrategyError, match="no information set"):
        kuhn.profile_from_json([{"nope": [1, 0]}, {}])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3), st.integers(0, 2**31 - 1))
def test_mixture_of_policies_is_realization_weighted(weights, seed):
    """Kuhn's theorem: the mixed policy's payoff against any fixed opponent is the weighted sum."""
    kuhn = eq.load_game("kuhn_poker")
    rng = np.random.default_rng(seed)
    w = np.array(weights) / sum(weights)
    pols = [random_policy(kuhn, rng) for _ in range(3)]
    opp = random_policy(kuhn, rng)
    mixed = mix_policies(kuhn, pols, w)
    mixed[kuhn.player_infosets[1]] = opp[kuhn.player_infosets[1]]
    expected = 0.0
    for wk, pk in zip(w, pols, strict=True):
        prof = pk.copy()
        prof[kuhn.player_infosets[1]] = opp[kuhn.player_infosets[1]]
        expected += wk * kuhn.expected_payoffs(prof)[0]
    assert kuhn.expected_payoffs(mixed)[0] == pytest.approx(expected, abs=1e-12)


def test_sequence_form_payoff_matches_expected_payoff():
    kuhn = eq.load_game("kuhn_poker")
    sf = kuhn.sequence_form
    pol = random_policy(kuhn, np.random.default_rng(6))
    r = kuhn.realization_plan(pol)
    x, y = (r[sf.compact_to_flat[p]] for p in range(2))
    for p in range(2):
        assert x @ (sf.payoff[p] @ y) == pytest.approx(kuhn.expected_payoffs(pol)[p], abs=1e-12)
        plan = (x, y)[p]
        np.testing.assert_allclose(sf.constraints[p] @ plan, sf.rhs[p], atol=1e-12)
    np.testing.assert_allclose(sf.to_policy([x, y]), pol, atol=1e-12)
