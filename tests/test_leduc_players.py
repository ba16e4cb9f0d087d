"""n-player Leduc hold'em (Southey et al. 2005; OpenSpiel's n-player rules): the catalog's NumPy
generator builds exactly the tree of the state machine `_LeducState`, which is OpenSpiel's
``leduc_poker(players=n)`` node for node; two players keep the tree, labels and value they had."""

import numpy as np
import pyspiel
import pytest

import equilibria as eq
from equilibria.errors import InvalidParameterError, SizeLimitError
from equilibria.games.catalog.poker import (
    MAX_LEDUC_PLAYERS,
    _leduc_arrays,
    _LeducState,
    leduc_histories,
    leduc_poker,
)
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.io.openspiel import from_pyspiel, from_tabular_policy, to_tabular_policy
from equilibria.solvers.sequence_form import sequence_form_lp
from test_compile_scale import assert_same_game


def random_profile(game: ExtensiveFormGame, seed: int = 0) -> np.ndarray:
    pol = np.random.default_rng(seed).random(game.legal_mask.shape) * game.legal_mask
    return pol / pol.sum(axis=1, keepdims=True)


def test_two_players_generator_equals_the_state_walk():
    walk = ExtensiveFormGame.from_state(_LeducState(), 2, title="Leduc poker")
    assert walk.num_nodes == 9457 and walk.num_infosets == 936
    assert walk.infoset_labels[:2] == ("J0|?|", "J1|?|") and "K1|J0|crrc/crr" in walk.infoset_labels
    gen = _leduc_arrays(2, "Leduc poker")
    assert_same_game(gen, walk)
    game = eq.load_game("leduc_poker")
    assert game.title == "Leduc poker" and eq.load_game("leduc_poker(players=2)").num_nodes == 9457
    assert_same_game(game, walk)


def test_two_players_value():
    game = eq.load_game("leduc_poker")
    sol = sequence_form_lp(game)[0]
    assert sol.info["value"] == pytest.approx(-0.0856, abs=1e-4)
    assert eq.nash_conv(game, sol.strategies) < 1e-8


def test_two_players_nash_conv_and_policies_match_openspiel():
    from open_spiel.python import policy as ospol

    game, sg = eq.load_game("leduc_poker"), pyspiel.load_game("leduc_poker")
    pol = random_profile(game)
    tab = to_tabular_policy(game, pol, sg)
    assert np.array_equal(from_tabular_policy(game, tab, sg), pol)
    theirs = pyspiel.nash_conv(sg, ospol.python_policy_to_pyspiel_policy(tab))
    assert eq.nash_conv(game, pol) == pytest.approx(theirs, rel=1e-9)


def test_three_players_is_openspiels_tree():
    """The generator against OpenSpiel's tree walked through the bridge (1.8 million nodes), and
    the expected payoffs of a random profile against OpenSpiel's C++ tree walk."""
    game = eq.load_game("leduc_poker(players=3)")
    bridged = from_pyspiel("leduc_poker(players=3)")
    assert game.num_nodes == bridged.num_nodes == leduc_histories(3) == 1_831_601
    assert game.num_infosets == bridged.num_infosets == 25_800
    for name in ("node_parent", "node_action", "node_player", "node_infoset"):
        assert np.array_equal(getattr(game, name), getattr(bridged, name)), name
    assert np.array_equal(game.terminal_utility, bridged.terminal_utility)
    assert np.array_equal(game.terminal_chance, bridged.terminal_chance)
    assert game._prob_values == bridged._prob_values
    # OpenSpiel's information-state strings, one per information set (equal partitions, same order)
    pol = random_profile(game)
    code = {"fold": 0, "call": 1, "raise": 2}
    table = {key: [(code[a], float(p)) for a, p in zip(acts, row, strict=False)]
             for key, acts, row in zip(bridged.infoset_keys, game.action_labels, pol, strict=True)}
    sg = pyspiel.load_game("leduc_poker(players=3)")
    theirs = pyspiel.expected_returns(sg.new_initial_state(), pyspiel.TabularPolicy(table), -1, True)
    assert game.expected_payoffs(pol) == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert eq.nash_conv(game, pol) == pytest.approx(eq.nash_conv(bridged, pol), rel=1e-12)


def test_three_players_labels_extend_the_two_player_format():
    game = eq.load_game("leduc_poker(players=3)")
    assert game.title == "Leduc poker (3 players)"
    labels = game.infoset_labels
    assert len(set(zip(game.infoset_player.tolist(), labels, strict=True))) == game.num_infosets
    assert labels[:2] == ("J0|?|", "J1|?|")
    assert "J1|J0|ccrcrcc/crcrc" in labels  # own card, public card, round 1 / round 2
    assert set(game.action_labels) == {("call", "raise"), ("fold", "call", "raise"), ("fold", "call")}


@pytest.mark.parametrize("players", [0, 1, MAX_LEDUC_PLAYERS + 1, 2.5, "3", True])
def test_bad_player_counts_are_refused(players):
    with pytest.raises(InvalidParameterError, match="players must be an integer"):
        leduc_poker(players=players)


@pytest.mark.parametrize("players", [4, MAX_LEDUC_PLAYERS])
def test_too_many_players_for_the_size_limit(players):
    assert leduc_histories(2) == 9457 and leduc_histories(4) == 349_388_741
    with pytest.raises(SizeLimitError, match=rf"leduc_poker\(players={players}\)"):
        eq.load_game(f"leduc_poker(players={players})")
