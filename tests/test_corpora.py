"""Files from other tools load, as the same game that pygambit reads (issue 9, section 3).

The corpus is found on this machine at test time, so no third-party file is committed:

* the game catalog that pygambit ships (``pygambit/catalog_data``: the Gambit catalog's files from
  books and journals, with multi-line descriptions and games without perfect recall);
* the same games written back by pygambit's own writer (``to_efg``/``to_nfg``);
* games built with pygambit's API, with titles, descriptions and labels holding newlines and quotes
  (issue 9: a file pygambit writes after ``g.description = "a\\nb"`` did not load);
* the ``.efg`` data that OpenSpiel ships (``pyspiel.get_sample_efg_data`` and friends).

For each file that pygambit reads, ours must give the same players, information sets and actions,
perfect recall, terminal payoffs with their chance probabilities, the exact payoffs of the uniform
behaviour profile, and the same reduced strategic form (strategy counts and the payoff table up
to the order of strategies). Files pygambit refuses (chance probabilities that do not sum to exactly
one, as in OpenSpiel's own export of Kuhn poker) are refused here too.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from fractions import Fraction

import numpy as np
import pygambit as gbt
import pyspiel
import pytest
from open_spiel.python.algorithms.gambit import export_gambit

import equilibria as eq
from equilibria.games.extensive_form import CHANCE, ExtensiveFormGame
from equilibria.games.normal_form import NormalFormGame

CATALOG = pathlib.Path(gbt.__file__).parent / "catalog_data"
CATALOG_FILES = sorted(CATALOG.rglob("*.efg")) + sorted(CATALOG.rglob("*.nfg"))
MIN_CATALOG_FILES = 30  # pygambit 16.7 ships 38; the test must not pass vacuously on none


def _q(x) -> Fraction:
    return Fraction(str(x))


def _built_games() -> dict[str, gbt.Game]:
    """Games made with pygambit's API, with awkward strings (newlines, quotes, backslashes)."""
    games = {}
    t = gbt.Game.new_table([2, 3])
    t.title = 'A "quoted" title'
    t.description = "a\nb"  # issue 9: pygambit's own output of this did not load
    for k, s in enumerate(t.strategies):
        # no backslash: pygambit 16.7 writes one as \\ but reads that back as three
        s.label = f"s{k}'x" if k % 2 else f's"{k}"'
    for k, profile in enumerate(t.contingencies):
        for p, player in enumerate(t.players):
            t[profile][player] = gbt.Rational(k - p, 3) if p else gbt.Decimal("0.25") * k
    games["table"] = t
    three = gbt.Game.from_arrays(*(np.arange(8).reshape(2, 2, 2) * (i + 1) - 3 for i in range(3)),
                                 title="three\nplayers")
    three.description = 'He said "hi"\n\tand left there'
    games["three"] = three
    tree = gbt.Game.new_tree(players=["Alice", 'Bob "B"'], title="tree\nwith two lines")
    tree.description = "line one\nline two\n"
    tree.append_move(tree.root, tree.players.chance, ["H", "T"])
    tree.set_chance_probs(tree.root.infoset, [gbt.Rational(1, 3), gbt.Rational(2, 3)])
    for child in tree.root.children:
        tree.append_move(child, tree.players["Alice"], ["l", "r"])
    tree.set_infoset(list(tree.root.children)[1], list(tree.root.children)[0].infoset)
    for k, leaf in enumerate(n for c in tree.root.children for n in c.children):
        tree.append_move(leaf, tree.players['Bob "B"'], ["x", 'y"'])
        for j, z in enumerate(leaf.children):
            out = tree.add_outcome(f'o"{k}{j}"', [gbt.Rational(k + j, 2), -k])
            tree.set_outcome(z, out)
    games["tree"] = tree
    return games


def _corpus(tmp: pathlib.Path) -> list[pathlib.Path]:
    files = list(CATALOG_FILES)
    out = tmp / "written"
    out.mkdir(exist_ok=True)
    for k, path in enumerate(CATALOG_FILES):  # pygambit's writer on the catalog
        g = gbt.read_efg(str(path)) if path.suffix == ".efg" else gbt.read_nfg(str(path))
        again = out / f"{k}_{path.stem}{path.suffix}"
        again.write_text(g.to_efg() if path.suffix == ".efg" else g.to_nfg())
        files.append(again)
    for name, g in _built_games().items():
        for suffix in ([".nfg"] if not g.is_tree else [".efg", ".nfg"]):
            path = out / f"built_{name}{suffix}"
            path.write_text(g.to_efg() if suffix == ".efg" else g.to_nfg())
            files.append(path)
    for name in ("sample", "kuhn_poker"):
        path = out / f"openspiel_{name}.efg"
        path.write_text(getattr(pyspiel, f"get_{name}_efg_data")())
        files.append(path)
    return files


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[pathlib.Path]:
    return _corpus(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_is_not_empty(corpus):
    assert len(CATALOG_FILES) >= MIN_CATALOG_FILES
    assert len(corpus) >= 2 * MIN_CATALOG_FILES + 6
    # the corpus holds what broke before: multi-line quoted strings and imperfect recall
    assert sum("\n" in gbt.read_efg(str(p)).description for p in CATALOG_FILES if p.suffix == ".efg") >= 10
    assert sum(not gbt.read_efg(str(p)).is_perfect_recall for p in CATALOG_FILES if p.suffix == ".efg") >= 3


def _terminal_table(gg: gbt.Game) -> Counter:
    """Multiset of (chance reach, payoffs) over the terminals of a pygambit tree."""
    players = list(gg.players)
    table: Counter = Counter()
    stack = [(gg.root, Fraction(1), [Fraction(0)] * len(players))]
    while stack:
        node, reach, acc = stack.pop()
        try:
            acc = [a + _q(node.outcome[p]) for a, p in zip(acc, players, strict=True)]
        except KeyError:  # pygambit 16.7: an empty outcome proxy raises on lookup
            pass
        if node.is_terminal:
            table[(reach, tuple(acc))] += 1
            continue
        probs = ([_q(a.prob) for a in node.infoset.actions] if node.player.is_chance
                 else [Fraction(1)] * len(list(node.children)))
        for child, p in zip(node.children, probs, strict=True):
            stack.append((child, reach * p, acc))
    return table


def _our_terminal_table(game: ExtensiveFormGame) -> Counter:
    return Counter(
        (c, tuple(u)) for c, u in zip(game.exact_terminal_chance, game.exact_terminal_utility, strict=True)
    )


def _payoff_table(arrays) -> Counter:
    """Multiset of payoff vectors over pure profiles, invariant to the order of strategies."""
    stacked = np.stack([np.asarray(a, dtype=object) for a in arrays])
    return Counter(
        tuple(_q(x) for x in stacked[(slice(None), *idx)]) for idx in np.ndindex(*stacked.shape[1:])
    )


def _check_efg(path: pathlib.Path) -> None:
    gg = gbt.read_efg(str(path))
    game = eq.load_game(str(path))
    assert isinstance(game, ExtensiveFormGame)
    players = list(gg.players)
    assert game.title == gg.title
    assert list(game.player_labels) == [p.label for p in players]
    # information sets: per player, the multiset of action-label lists
    for k, p in enumerate(players):
        theirs = sorted(tuple(a.label for a in I.actions) for I in p.infosets)
        ours = sorted(game.action_labels[I] for I in game.player_infosets[k])
        assert ours == theirs, (path.name, p.label)
    nodes = list(gg.nodes)
    assert game.num_nodes == len(nodes)
    assert game.num_terminals == sum(n.is_terminal for n in nodes)
    assert int((np.asarray(game.node_player) == CHANCE).sum()) == sum(
        (not n.is_terminal) and n.player.is_chance for n in nodes)
    assert game.has_perfect_recall == gg.is_perfect_recall
    assert _our_terminal_table(game) == _terminal_table(gg)
    prof = gg.mixed_behavior_profile(rational=True)
    ours = game.expected_payoffs(game.uniform_profile(exact=True), exact=True)
    assert list(ours) == [_q(prof.payoff(p)) for p in players]
    if not game.has_perfect_recall:
        with pytest.raises(eq.PerfectRecallError):
            eq.nash_conv(game, game.uniform_profile())
    # Gambit's strategic form of a tree is the reduced one
    nf = game.to_normal_form()
    assert list(nf.num_actions) == [len(p.strategies) for p in players], path.name
    assert _payoff_table(list(nf.exact_payoffs)) == _payoff_table(gg.to_arrays()), path.name


def _check_nfg(path: pathlib.Path) -> None:
    gg = gbt.read_nfg(str(path))
    game = eq.load_game(str(path))
    assert isinstance(game, NormalFormGame)
    players = list(gg.players)
    assert game.title == gg.title
    assert list(game.player_labels) == [p.label for p in players]
    assert [list(a) for a in game.action_labels] == [[s.label for s in p.strategies] for p in players]
    theirs = gg.to_arrays()
    for i in range(len(players)):
        assert [_q(x) for x in np.asarray(theirs[i], dtype=object).flat] == list(game.exact_payoffs[i].flat)


def test_every_corpus_file_loads_as_pygambit_reads_it(corpus):
    loaded = {".efg": 0, ".nfg": 0}
    for path in corpus:
        (_check_efg if path.suffix == ".efg" else _check_nfg)(path)
        loaded[path.suffix] += 1
    assert loaded[".efg"] >= 2 * 30 and loaded[".nfg"] >= 2 * 6, loaded


@pytest.mark.parametrize("spec, line", [("kuhn_poker", 2), ("kuhn_poker(players=3)", 3)])
def test_openspiel_exports_pygambit_refuses_are_refused_too(spec, line, tmp_path):
    # OpenSpiel writes 1/3 as 0.3333333333333333: the three do not sum to exactly one, which
    # Gambit refuses ("Probabilities must sum to exactly one"), and so do we, naming the line
    # of the chance node (with 3 players the root deals 4 cards, 1/4 each, exactly)
    game = pyspiel.load_game(spec)
    path = tmp_path / "export.efg"
    path.write_text(export_gambit(game))
    with pytest.raises(ValueError, match="exactly one"):
        gbt.read_efg(str(path))
    with pytest.raises(eq.GameFormatError, match="exactly 1") as info:
        eq.load_game(str(path))
    assert info.value.line == line


def test_openspiel_export_with_exact_decimals_loads_as_pygambit_reads_it(tmp_path):
    # tiny Hanabi's chance probabilities are short decimals (0.5): its export loads in both
    path = tmp_path / "tiny_hanabi.efg"
    path.write_text(export_gambit(pyspiel.load_game("tiny_hanabi")))
    _check_efg(path)
