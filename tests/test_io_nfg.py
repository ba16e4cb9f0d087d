"""Gambit .nfg reader and writer: both versions, exact numbers, round trips with pygambit, and
malformed files that must raise GameFormatError naming the file and the line."""

from __future__ import annotations

import io
import os
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from _support import assert_format_error
from equilibria import GameFormatError, NormalFormGame
from equilibria.io import read_game, write_game
from equilibria.io.nfg import format_nfg, parse_nfg, read_nfg, write_nfg

DATA = Path(__file__).parent / "data" / "nfg"

# The Gambit manual's sample strategic game (Selten, IJGT 1975, Figure 2), given in both versions:
# profiles in the order (1,1), (2,1), (3,1), (1,2), (2,2), (3,2), payoffs (u1, u2) for each.
SELTEN = {
    (0, 0): (1, 1), (1, 0): (0, 2), (2, 0): (0, 2),
    (0, 1): (1, 1), (1, 1): (0, 3), (2, 1): (2, 0),
}


def gambit_arrays(G) -> list[np.ndarray]:
    """pygambit's payoffs, exact, one array per player (a missing outcome pays 0)."""
    players = list(G.players)
    shape = tuple(len(p.strategies) for p in players)
    out = [np.empty(shape, dtype=object) for _ in players]
    for c in G.contingencies:
        outcome = G[c]
        for i, p in enumerate(players):
            out[i][tuple(c)] = F(0) if outcome is None else F(str(outcome[p]))
    return out


def to_gambit(game: NormalFormGame):
    return gbt.Game.from_arrays(*game.exact_payoffs, title=game.title)


@pytest.mark.parametrize("name", ["selten_payoff.nfg", "selten_outcome.nfg"])
def test_reads_the_gambit_manual_example_in_both_versions(name):
    game = read_nfg(DATA / name)
    assert game.num_actions == (3, 2)
    assert game.title == "Selten (IJGT, 75), Figure 2, normal form"
    assert game.player_labels == ("Player 1", "Player 2")
    for (a, b), (u1, u2) in SELTEN.items():
        assert list(game.exact_payoffs[:, a, b]) == [u1, u2]
    # pygambit reads the same file to the same payoffs
    assert all((ours == theirs).all() for ours, theirs in
               zip(game.exact_payoffs, gambit_arrays(gbt.read_nfg(str(DATA / name))), strict=True))


def test_exact_values_labels_comment_and_null_outcome():
    game = read_nfg(DATA / "exact_values.nfg")
    assert game.title == 'Exact numbers: "thirds" and decimals'
    assert game.action_labels == (("Top", "Bottom"), ("Left", "Right"))
    u = game.exact_payoffs
    assert list(u[:, 0, 0]) == [F(1, 3), F(-1, 3)]
    assert list(u[:, 1, 0]) == [0, 0]  # outcome 0 is the null outcome
    assert list(u[:, 0, 1]) == [F(1, 10), F(-11, 4)]  # decimals are exact, not floats
    assert list(u[:, 1, 1]) == [123456789012345678901234567890, F(-1, 1000)]
    assert all(isinstance(x, F) for x in u.flat)
    theirs = gambit_arrays(gbt.read_nfg(str(DATA / "exact_values.nfg")))
    assert all((a == b).all() for a, b in zip(u, theirs, strict=True))


def test_three_player_payoff_version_order():
    # player 1's strategy changes fastest, then player 2's, then player 3's
    game = read_nfg(DATA / "three_players_payoff.nfg")
    assert game.num_actions == (2, 1, 2)
    assert list(game.exact_payoffs[:, 0, 0, 0]) == [1, 2, 3]
    assert list(game.exact_payoffs[:, 1, 0, 0]) == [4, 5, 6]
    assert list(game.exact_payoffs[:, 0, 0, 1]) == [7, 8, 9]
    assert list(game.exact_payoffs[:, 1, 0, 1]) == [10, 11, 12]
    theirs = gambit_arrays(gbt.read_nfg(str(DATA / "three_players_payoff.nfg")))
    assert all((a == b).all() for a, b in zip(game.exact_payoffs, theirs, strict=True))


CATALOG = ["matching_pennies", "battle_of_the_sexes", "three_player_matching_pennies",
           "first_price_auction(values=((1, 2), (1, 2)))", "random_integer(actions=(2, 3, 2), seed=4)",
           "random_gaussian(rows=3, cols=4, seed=1)"]


@pytest.mark.parametrize("spec", CATALOG)
@pytest.mark.parametrize("fmt", ["outcome", "payoff"])
def test_ours_to_pygambit_and_back(tmp_path, spec, fmt):
    game = eq.load_game(spec)
    path = tmp_path / "game.nfg"
    write_nfg(game, path, format=fmt)
    G = gbt.read_nfg(str(path))
    assert G.title == game.title
    assert [p.label for p in G.players] == list(game.player_labels)
    assert [[s.label for s in p.strategies] for p in G.players] == [list(a) for a in game.action_labels]
    assert all((a == b).all() for a, b in zip(game.exact_payoffs, gambit_arrays(G), strict=True))
    back = read_nfg(path)
    assert (back.exact_payoffs == game.exact_payoffs).all()
    assert np.array_equal(back.payoffs, game.payoffs)  # floats survive bit for bit
    assert back.action_labels == game.action_labels and back.title == game.title


@pytest.mark.parametrize("spec", CATALOG)
def test_pygambit_writes_we_read(spec):
    game = eq.load_game(spec)
    text = to_gambit(game).to_nfg()
    ours = parse_nfg(text)
    assert (ours.exact_payoffs == game.exact_payoffs).all()
    assert ours.title == game.title


def test_pygambit_game_with_rationals_and_decimals():
    G = gbt.Game.new_table([2, 3], title="built in pygambit")
    players = list(G.players)
    for k, outcome in enumerate(G.outcomes):
        outcome[players[0]] = gbt.Rational(k, 7)
        outcome[players[1]] = gbt.Decimal(f"{k}.125")
    game = parse_nfg(G.to_nfg())
    assert all((a == b).all() for a, b in zip(game.exact_payoffs, gambit_arrays(G), strict=True))
    assert game.exact_payoffs[0, 1, 0] == F(1, 7)  # outcome 2 is the profile (2, 1)
    assert game.exact_payoffs[1, 1, 0] == F(9, 8)


exact_numbers = st.one_of(
    st.integers(-10**6, 10**6).map(F),
    st.fractions(min_value=-100, max_value=100, max_denominator=50),
    st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False).map(F),
)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data(),
       fmt=st.sampled_from(["outcome", "payoff"]))
def test_round_trip_property(shape, data, fmt):
    n = len(shape)
    size = n * int(np.prod(shape))
    flat = data.draw(st.lists(exact_numbers, min_size=size, max_size=size))
    u = np.array(flat, dtype=object).reshape(n, *shape)
    labels = [[f"s{i}{k} \"q\"" for k in range(a)] for i, a in enumerate(shape)]
    game = NormalFormGame(u, action_labels=labels, title='title with "quotes" and a \\ backslash')
    text = format_nfg(game, fmt)
    back = parse_nfg(text)
    assert (back.exact_payoffs == game.exact_payoffs).all()
    assert back.action_labels == game.action_labels and back.title == game.title
    # and pygambit reads our text to the same exact payoffs and labels
    G = gbt.read_nfg(io.StringIO(text))
    assert all((a == b).all() for a, b in zip(game.exact_payoffs, gambit_arrays(G), strict=True))
    assert [[x.label for x in p.strategies] for p in G.players] == [list(a) for a in labels]
    assert G.title == game.title


def test_registry_dispatch_and_load_game(tmp_path):
    game = eq.load_game("stag_hunt")
    path = tmp_path / "stag.nfg"
    write_game(game, path)
    assert (read_game(path).exact_payoffs == game.exact_payoffs).all()
    assert (eq.load_game(str(path)).exact_payoffs == game.exact_payoffs).all()
    # the write is atomic: no temporary files are left behind
    assert os.listdir(tmp_path) == ["stag.nfg"]


def test_write_rejects_unknown_format_and_unwritable_labels(tmp_path):
    with pytest.raises(eq.InvalidGameError):
        write_nfg(eq.load_game("matching_pennies"), tmp_path / "x.nfg", format="xml")
    assert not (tmp_path / "x.nfg").exists()


@pytest.mark.parametrize("title", ["ends in \\", 'a \\" quote', "two \\\\ in a row", "multi\nline \"q\""])
def test_labels_with_backslashes_quotes_and_newlines_round_trip(title):
    # pygambit 16.7 writes a backslash as \\ and a quote as \"; a newline stays in the string
    game = NormalFormGame([[1]], title=title, action_labels=[[title]])
    back = parse_nfg(format_nfg(game))
    assert back.title == title and back.action_labels == ((title,),)


def test_backslashes_as_pygambit_writes_them(tmp_path):
    G = gbt.Game.new_table([2, 1])
    s = list(list(G.players)[0].strategies)
    s[0].label, s[1].label = "a\\x", 'b"q"'
    path = tmp_path / "bs.nfg"
    path.write_text(G.to_nfg())
    assert read_nfg(path).action_labels[0] == ("a\\x", 'b"q"')


# ---- malformed files ------------------------------------------------------------------------
MALFORMED = [
    ("truncated.nfg", 4, "ends"),
    ("text_in_payoffs.nfg", 4, "'two'"),
    ("missing_header.nfg", 1, "NFG"),
    ("wrong_version.nfg", 1, "version"),
    ("unbalanced_braces.nfg", 3, "opened on line 2"),
    ("unbalanced_quote.nfg", 2, "unterminated"),
    ("outcome_too_many_payoffs.nfg", 7, "more than 2 payoffs"),
    ("outcome_out_of_range.nfg", 9, "out of range"),
    ("too_many_payoffs.nfg", 4, "after the last payoff"),
    ("wrong_strategy_count.nfg", 2, "2 players"),
    ("unclosed_outcomes.nfg", 6, "ends"),
]


@pytest.mark.parametrize("name, line, words", MALFORMED)
def test_malformed_files_name_the_file_and_line(name, line, words):
    path = DATA / name
    assert_format_error(read_nfg, path, line, words)
    # pygambit rejects these files too
    with pytest.raises((ValueError, OSError, RuntimeError)):
        gbt.read_nfg(str(path))


def test_parse_errors_without_a_path_still_give_the_line():
    with pytest.raises(GameFormatError) as info:
        parse_nfg('NFG 1 R "t" { "a" "b" } { 1 1 }\n\n1 x\n')
    assert info.value.path is None and info.value.line == 3
    assert str(info.value).startswith("line 3: ")


@pytest.mark.parametrize("text", ["", "   \n", "NFG", "NFG 1", 'NFG 1 R "t"', 'NFG 1 R "t" { }'])
def test_short_inputs(text):
    with pytest.raises(GameFormatError):
        parse_nfg(text)


def test_missing_file():
    with pytest.raises(GameFormatError) as info:
        read_game("does/not/exist.nfg")
    assert "exist.nfg" in str(info.value)
