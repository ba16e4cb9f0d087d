"""Gambit .efg reading and writing, checked against pygambit, and malformed files."""

from fractions import Fraction

import numpy as np
import pygambit as gbt
import pytest

import equilibria as eq
import equilibria.io
from equilibria.io.efg import format_efg, parse_efg, read_efg, write_efg

DATA = "tests/data/bayes.efg"


def gambit_uniform_payoffs(gg):
    prof = gg.mixed_behavior_profile(rational=True)
    return [Fraction(str(prof.payoff(p))) for p in gg.players]


@pytest.mark.parametrize(
    "spec", ["kuhn_poker", "kuhn_poker(players=3)", "centipede", "goofspiel(num_cards=3)"]
)
def test_written_files_read_by_pygambit(spec, tmp_path):
    game = eq.load_game(spec)
    path = tmp_path / "g.efg"
    write_efg(game, path)
    gg = gbt.read_efg(str(path))
    assert gg.is_perfect_recall
    assert len(gg.infosets) == game.num_infosets
    assert len(gg.players) == game.num_players
    ours = game.expected_payoffs(game.uniform_profile(exact=True), exact=True)
    assert list(ours) == gambit_uniform_payoffs(gg)


def test_pygambit_files_read_by_us(tmp_path):
    gg = gbt.read_efg(DATA)
    path = tmp_path / "from_gambit.efg"
    path.write_text(gg.to_efg())
    ours = read_efg(path)
    assert list(
        ours.expected_payoffs(ours.uniform_profile(exact=True), exact=True)
    ) == gambit_uniform_payoffs(gg)


def test_inner_outcomes_accumulate_and_round_trip(tmp_path):
    game = read_efg(DATA)
    # the entry fee (-1/2, 1/2) on the Strong/Up node adds to its leaves
    assert game.terminal_utility[0].tolist() == [0.5, 0.5]
    assert set(game.infoset_labels) == {"strong", "weak", "saw Up", "saw Stay"}
    again = parse_efg(format_efg(game))
    np.testing.assert_array_equal(again.terminal_utility, game.terminal_utility)
    np.testing.assert_array_equal(again.terminal_chance, game.terminal_chance)
    assert again.exact_terminal_chance[0] == Fraction(1, 3)
    assert list(
        again.expected_payoffs(again.uniform_profile(exact=True), exact=True)
    ) == gambit_uniform_payoffs(gbt.read_efg(DATA))


GOOD = open(DATA).read().splitlines()


def _with_line(k, text):
    lines = list(GOOD)
    lines[k - 1] = text
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text, line, match",
    [
        ('NFG 1 R "x" { "a" }\n', 1, "starts with 'EFG 2 R'"),
        ("\n".join(GOOD[:8]) + "\n", 8, "incomplete"),
        (_with_line(5, 'p "" 3 1 "strong" { "Up" "Stay" } 0'), 5, "player 3"),
        (_with_line(7, 't "" 2 "a" { 1, zero }'), 7, "a payoff"),
        (_with_line(4, 'c "" 1 "nature" { "Strong" 1/3 "Weak" } 0'), 4, "chance probability"),
        (_with_line(7, 't "" 2 "a { 1, 0 }'), 7, "unterminated"),
        (_with_line(7, 't "" 2 "a" { 1, 0, 5 }'), 7, "3 payoffs"),
        (_with_line(7, 't "" 9'), 7, "outcome 9"),
        # the compiler's error now names the chance node's line
        (_with_line(4, 'c "" 1 "nature" { "Strong" 1/3 "Weak" 1/3 } 0'), 4, "sum to exactly 1"),
        (_with_line(5, 'p "" 1 1 "strong" { "Up" "Stay" } -1'), 5, "at least 0"),
        (_with_line(7, 't "" 2 "a" { 1e999999999, 0 }'), 7, "out of the range"),
        ("\n".join(GOOD) + '\nt "" 2\n', 19, "extra nodes"),
    ],
)
def test_malformed_files_name_file_and_line(text, line, match, tmp_path):
    path = tmp_path / "bad.efg"
    path.write_text(text)
    with pytest.raises(eq.GameFormatError, match=match) as info:
        eq.load_game(str(path))
    assert str(path) in str(info.value)
    if line is not None:
        assert info.value.line == line, str(info.value)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(eq.GameFormatError, match="no such file"):
        eq.load_game(str(tmp_path / "missing.efg"))
    with pytest.raises(eq.GameFormatError, match="unknown game file type"):
        eq.load_game(str(tmp_path / "x.txt"))


@pytest.mark.parametrize("spec", ["kuhn_poker", "goofspiel(num_cards=3, order=random)", "trust_game"])
def test_json_round_trip_extensive_form(spec, tmp_path):
    game = eq.load_game(spec)
    path = tmp_path / "g.json"
    eq.io.write_game(game, path)
    again = eq.load_game(str(path))
    assert again.num_infosets == game.num_infosets
    np.testing.assert_array_equal(again.terminal_utility, game.terminal_utility)
    np.testing.assert_array_equal(again.terminal_chance, game.terminal_chance)
    assert again.infoset_labels == game.infoset_labels


def test_json_extensive_form_schema_errors(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        '{"format": "equilibria.extensive_form", "players": ["a", "b"],\n'
        ' "root": {"player": 3, "infoset": "x", "actions": [["l", {"payoffs": [0, 0]}]]}}\n'
    )
    with pytest.raises(eq.GameFormatError, match="player number 1..2") as info:
        eq.load_game(str(path))
    assert info.value.line == 2
