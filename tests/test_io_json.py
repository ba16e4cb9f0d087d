"""The JSON game format: exact round trips, dispatch on "format", and errors with field and line."""

from __future__ import annotations

import json
import os
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equilibria as eq
from _support import assert_format_error
from equilibria import GameFormatError, NormalFormGame
from equilibria.io import read_game, write_game
from equilibria.io.json_format import (
    FORMATS,
    format_json,
    game_from_dict,
    game_to_dict,
    parse_json,
    read_json,
    write_json,
)
from equilibria.io.nfg import read_nfg

DATA = Path(__file__).parent / "data" / "json"


def test_reads_the_documented_layout_exactly():
    game = read_json(DATA / "matching_pennies.json")
    assert game.title == "Matching pennies, with exact halves"
    assert game.player_labels == ("Matcher", "Mismatcher")
    assert game.action_labels == (("Heads", "Tails"), ("Heads", "Tails"))
    assert game.exact_payoffs[0, 1, 1] == F(1, 2) and game.exact_payoffs[1, 1, 1] == F(-1, 2)
    assert game.exact_payoffs[0, 0, 1] == -1


def test_optional_fields_and_exact_decimals():
    game = read_json(DATA / "minimal.json")
    assert game.num_actions == (1, 2)
    assert game.player_labels == ("1", "2") and game.title == ""
    assert game.exact_payoffs[0, 0, 0] == F(1, 10)  # the JSON number 0.1 is read as 1/10 exactly
    assert game.exact_payoffs[1, 0, 1] == F(1, 4)


@pytest.mark.parametrize("spec", [
    "matching_pennies", "weighted_rock_paper_scissors(weights=('1/3', 2, 5))",
    "three_player_matching_pennies",
    "first_price_auction(values=((1, 2, 3), (1, 2, 3)))", "random_uniform(actions=(2, 3, 2), seed=3)",
    "random_gaussian(rows=4, cols=2, seed=9)", "colonel_blotto(soldiers=3, fields=2)",
])
def test_round_trip_is_exact(tmp_path, spec):
    game = eq.load_game(spec)
    path = tmp_path / "g.json"
    write_json(game, path)
    back = read_json(path)
    assert (back.exact_payoffs == game.exact_payoffs).all()
    assert np.array_equal(back.payoffs, game.payoffs)  # float games survive bit for bit
    assert back.player_labels == game.player_labels and back.action_labels == game.action_labels
    assert back.title == game.title
    doc = json.loads(path.read_text())
    assert doc["format"] == "equilibria.normal_form" and doc["version"] == 1
    assert np.asarray(doc["payoffs"], dtype=object).shape == game.shape
    assert os.listdir(tmp_path) == ["g.json"]  # atomic write leaves no temporary file


def test_thirds_are_written_as_strings_and_integers_as_numbers():
    game = NormalFormGame(np.array([[[F(1, 3), 2]], [[F(-5, 2), 0]]], dtype=object))
    doc = game_to_dict(game)
    assert doc["payoffs"] == [[["1/3", 2]], [[-2.5, 0]]]
    assert (game_from_dict(doc).exact_payoffs == game.exact_payoffs).all()


def test_same_game_as_the_nfg_file():
    nfg = read_nfg(Path(__file__).parent / "data" / "nfg" / "exact_values.nfg")
    back = parse_json(format_json(nfg))
    assert (back.exact_payoffs == nfg.exact_payoffs).all()
    assert back.title == nfg.title


def test_registry_dispatch(tmp_path):
    game = eq.load_game("chicken")
    path = tmp_path / "chicken.json"
    write_game(game, path)
    assert (read_game(path).exact_payoffs == game.exact_payoffs).all()
    assert (eq.load_game(str(path)).exact_payoffs == game.exact_payoffs).all()


def test_format_table_names_family_and_functions():
    family, reader, writer = FORMATS["equilibria.normal_form"]
    assert family == "normal_form" and ":" in reader and ":" in writer


numbers = st.one_of(st.integers(-1000, 1000), st.fractions(max_denominator=30).filter(lambda x: abs(x) < 100),
                    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_round_trip_property(shape, data):
    n = len(shape)
    size = n * int(np.prod(shape))
    u = np.array(data.draw(st.lists(numbers, min_size=size, max_size=size)), dtype=object).reshape(n, *shape)
    game = NormalFormGame(u, title="t")
    back = parse_json(format_json(game))
    assert (back.exact_payoffs == game.exact_payoffs).all()
    assert np.array_equal(back.payoffs, game.payoffs)


# ---- errors -----------------------------------------------------------------------------------
BAD = [
    ("bad_syntax.json", 5, "not valid JSON"),
    # the line of the bad node itself, not of the "payoffs" key (issue 9: errors pointed at the key)
    ("ragged_payoffs.json", 7, "rectangular"),
    ("bad_number.json", 5, "payoffs[0][1][1]"),
    ("wrong_shape.json", 5, "(2, 3, 2)"),
    ("unknown_format.json", 3, "'gambit.nfg'"),
    ("not_an_object.json", 1, "JSON object"),
]


@pytest.mark.parametrize("name, line, words", BAD)
def test_bad_files_give_field_and_line(name, line, words):
    assert_format_error(read_json, DATA / name, line, words)


@pytest.mark.parametrize("doc, field", [
    ({"format": "equilibria.normal_form"}, "payoffs"),
    ({"format": "equilibria.normal_form", "version": 2, "payoffs": [[[1]]]}, "version"),
    ({"format": "equilibria.normal_form", "title": 3, "payoffs": [[[1]]]}, "title"),
    ({"format": "equilibria.normal_form", "players": "ab", "payoffs": [[[1]]]}, "players"),
    ({"format": "equilibria.normal_form", "actions": [["a"], "b"], "payoffs": [[[1]]]}, "actions"),
    ({"format": "equilibria.normal_form", "players": ["a", "b"], "payoffs": [[[1]]]}, "payoffs"),
    ({"format": "equilibria.normal_form", "payoffs": [[1, 2], [3, 4]]}, "payoffs"),
    ({"format": "equilibria.normal_form", "payoffs": [[[True]]]}, "payoffs"),
    ({"format": "equilibria.normal_form", "payoffs": [[["1/0"]]]}, "payoffs"),
    ({"format": "equilibria.normal_form", "payoffs": [[[]]]}, "payoffs"),
    ({"format": "equilibria.normal_form", "payoffs": [[[float("nan")]]]}, "payoffs"),
])
def test_schema_errors_name_the_field(doc, field):
    with pytest.raises(GameFormatError) as info:
        game_from_dict(doc, "mem.json")
    assert f"field {field!r}" in str(info.value)
    assert str(info.value).startswith("mem.json")


def test_no_json_format_for_other_families():
    class Other:
        family = "tabular_markov"

    with pytest.raises(eq.InvalidGameError):
        game_to_dict(Other())
