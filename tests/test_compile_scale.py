"""Tree compilation at scale: the catalog's array generators build exactly the tree of the state
machines they replace, and that tree is OpenSpiel's.

The generators (`_liars_dice_arrays`, `_goofspiel_arrays`) number nodes as the breadth-first walk
of `ExtensiveFormGame.from_state` does; every compiled array, label and exact probability must be
equal, node for node, to the walk of the reference state machine (which the OpenSpiel tests in
test_extensive_form.py pin to OpenSpiel's trees).
"""

from fractions import Fraction

import numpy as np
import pyspiel
import pytest

import equilibria as eq
from equilibria.games.catalog.goofspiel import _goofspiel_arrays, _GoofState
from equilibria.games.catalog.liars_dice import _liars_dice_arrays, _LiarsDiceState
from equilibria.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal
from equilibria.io.openspiel import from_pyspiel, to_tabular_policy

ATTRS = ("infoset_labels", "infoset_keys", "action_labels", "_chance_labels", "exact_edge_chance_prob",
         "_exact_chance", "_prob_values", "_raw_payoffs", "_recall_violation", "max_actions", "num_infosets")


def assert_same_game(a: ExtensiveFormGame, b: ExtensiveFormGame) -> None:
    arrays_a = {k: v for k, v in vars(a).items() if isinstance(v, np.ndarray)}
    arrays_b = {k: v for k, v in vars(b).items() if isinstance(v, np.ndarray)}
    assert arrays_a.keys() == arrays_b.keys()
    for k, v in arrays_b.items():
        w = arrays_a[k]
        assert v.dtype == w.dtype and v.shape == w.shape, k
        assert np.array_equal(v, w), k
        if v.dtype.kind == "f":
            assert (np.signbit(v) == np.signbit(w)).all(), k  # no -0.0 where the walk has 0.0
    for k in ATTRS:
        assert getattr(a, k) == getattr(b, k), k
    for x, y in zip(a.levels, b.levels, strict=True):
        assert np.array_equal(x, y)


@pytest.mark.parametrize("faces", [2, 3, 4])
@pytest.mark.parametrize("wild", [True, False])
def test_liars_dice_arrays_equal_state_walk(faces, wild):
    gen = _liars_dice_arrays(faces, wild, "t")
    walk = ExtensiveFormGame.from_state(_LiarsDiceState(faces, wild), 2, title="t")
    assert_same_game(gen, walk)


GOOF_CASES = [
    (cards, order, rt)
    for cards, order in [(1, None), (1, (1,)), (2, None), (2, (2, 1)), (3, (2, 3, 1)), (3, None),
                         (4, (4, 3, 2, 1)), (5, (1, 2, 3, 4, 5))]
    for rt in ("win_loss", "point_difference", "total_points")
] + [(4, None, "point_difference")]  # the 27k-node random-order walk once


@pytest.mark.parametrize("cards, order, returns_type", GOOF_CASES)
def test_goofspiel_arrays_equal_state_walk(cards, order, returns_type):
    gen = _goofspiel_arrays(cards, order, returns_type, "t")
    walk = ExtensiveFormGame.from_state(_GoofState(cards, order, returns_type), 2, title="t")
    assert_same_game(gen, walk)


def test_catalog_liars_dice_is_openspiels_tree():
    """liars_dice(faces=4) from the generator against OpenSpiel's tree (parallel walk) and values."""
    game = eq.load_game("liars_dice(faces=4)")
    sg = pyspiel.load_game("liars_dice(dice_sides=4)")
    bridged = from_pyspiel(sg)
    assert game.num_nodes == bridged.num_nodes == 8181
    assert np.array_equal(game.node_parent, bridged.node_parent)
    assert np.array_equal(game.node_infoset, bridged.node_infoset)
    assert np.array_equal(game.terminal_utility, bridged.terminal_utility)
    assert np.array_equal(game.terminal_chance, bridged.terminal_chance)
    rng = np.random.default_rng(0)
    pol = rng.random(game.legal_mask.shape) * game.legal_mask
    pol /= pol.sum(axis=1, keepdims=True)
    to_tabular_policy(game, pol, sg)  # raises if the trees or information sets differ
    assert eq.nash_conv(game, pol) == pytest.approx(eq.nash_conv(bridged, pol), abs=1e-12)


def test_compile_keeps_given_numbers():
    """Interned chance probabilities and payoffs keep their types: exact stays exact, floats stay."""
    tree = Chance([
        ("a", "1/3", Decision(0, "x", [("l", Terminal([1, "-1/2"])), ("r", Terminal([Fraction(1, 2), 0]))])),
        ("b", Fraction(2, 3), Decision(0, "x", [("l", Terminal([2, -2])),
                                                ("r", Chance([("c", 0.25, Terminal([0.5, 0.5])),
                                                              ("d", 0.75, Terminal([0.0, 1.0]))]))])),
    ])
    game = ExtensiveFormGame.from_tree(tree, 2)
    probs = game.exact_edge_chance_prob
    assert probs[0] == 1 and isinstance(probs[0], Fraction)
    assert probs[1:3] == (Fraction(1, 3), Fraction(2, 3)) and all(isinstance(p, Fraction) for p in probs[1:3])
    assert [p for p in probs if isinstance(p, float)] == [0.25, 0.75]
    assert game._exact_chance is None  # some probability is a float
    assert game._raw_payoffs[0] == (1, Fraction(-1, 2))
    assert game._raw_payoffs[-1] == (0.0, 1.0) and isinstance(game._raw_payoffs[-1][0], float)
    assert np.allclose(game.terminal_chance, [1 / 3, 1 / 3, 2 / 3, 2 / 3 * 0.25, 2 / 3 * 0.75])
    exact = ExtensiveFormGame.from_tree(
        Chance([("a", "1/3", Terminal([1, -1])), ("b", "2/3", Terminal([0, 0]))]), 2
    )
    assert exact._exact_chance == [Fraction(1, 3), Fraction(2, 3)]
    assert exact.is_zero_sum


def _semantics(game: ExtensiveFormGame) -> dict:
    """What a compiled game means, independent of how exact chance reaches are interned."""
    return {
        "terminal_seq": game._terminal_seq, "parent_seq": game._infoset_parent_seq,
        "terminal_chance": game.terminal_chance, "exact_chance": game._exact_chance,
        "terminal_nodes": game.terminal_nodes, "recall": game._recall_violation,
        "levels": game._levels, "utility": game.terminal_utility,
    }


@pytest.mark.parametrize("build", [
    lambda: eq.load_game("leduc_poker"),
    lambda: eq.load_game("goofspiel(num_cards=4, order=random)"),
    lambda: eq.load_game("liars_dice(faces=3)"),
    lambda: ExtensiveFormGame.from_tree(Chance([
        ("a", 0.25, Decision(0, "x", [("l", Decision(0, "y", [("u", Terminal([1.0, -1.0])),
                                                              ("v", Terminal([0.0, 0.0]))])),
                                      ("r", Terminal([2.0, -2.0]))])),
        ("b", 0.75, Decision(0, "z", [("l", Decision(0, "y", [("u", Terminal([0.5, -0.5])),
                                                              ("v", Terminal([1.0, -1.0]))])),
                                      ("r", Terminal([0.0, 0.0]))])),
    ]), 2),  # float chance, and "y" reached after different own histories: no perfect recall
    lambda: ExtensiveFormGame.from_tree(Terminal([1, -1]), 2),  # a root that is a terminal
])
def test_levels_walked_in_chunks_compile_the_same_game(build, monkeypatch):
    """`_finish` walks big levels in chunks of `_LEVEL_CHUNK` nodes: tiny chunks (levels cut
    anywhere, several per level) give the same sequences, reaches, recall verdict and levels."""
    from equilibria.games import extensive_form

    whole = build()
    monkeypatch.setattr(extensive_form, "_LEVEL_CHUNK", 3)
    chunked = build()
    a, b = _semantics(whole), _semantics(chunked)
    for key in a:
        if isinstance(a[key], tuple) and a[key] and isinstance(a[key][0], np.ndarray):
            assert all(np.array_equal(x, y) for x, y in zip(a[key], b[key], strict=True)), key
        elif isinstance(a[key], np.ndarray):
            assert np.array_equal(a[key], b[key]) and a[key].dtype == b[key].dtype, key
        else:
            assert a[key] == b[key], key
    if not whole.has_perfect_recall:  # only the hand-made game above lacks it
        assert whole.num_nodes == 11 and "'y'" in whole._recall_violation


def test_compact_codes_have_headroom_and_wide_games_compile():
    """Stored codes use the smallest integer type with one unit of headroom: a chance node with 127
    outcomes (the int8 edge) and a decision with 300 actions (int16 actions) compile and solve."""
    from equilibria.games.extensive_form import small_int_dtype

    assert small_int_dtype(-1, 126) == np.int8 and small_int_dtype(-1, 127) == np.int16
    assert small_int_dtype(0, 2**31 - 2) == np.int32 and small_int_dtype(0, 2**31 - 1) == np.int64
    wide = ExtensiveFormGame.from_tree(Chance([
        (f"c{k}", Fraction(1, 127), Decision(0, f"i{k % 2}", [(f"a{a}", Terminal([a / 300, -a / 300]))
                                                          for a in range(300)]))
        for k in range(127)]), 2)
    assert wide.node_action.dtype == np.int16 and int(wide.node_action.max()) == 299
    assert wide.num_nodes == 1 + 127 + 127 * 300
    best = np.zeros(wide.legal_mask.shape)
    best[:, 299] = 1.0
    assert eq.nash_conv(wide, best) == pytest.approx(0.0, abs=1e-12)
    assert wide.expected_payoffs(best)[0] == pytest.approx(299 / 300, rel=1e-12)
