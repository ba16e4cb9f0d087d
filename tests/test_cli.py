"""The `equilibria` command, run in-process: the contract in DESIGN.md (games, methods, solve,
eval) and the rule that a user error prints one line to stderr and exits with status 2."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from equilibria import GAMES, METHODS
from equilibria.cli import main

DATA = Path(__file__).parent / "data"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, *words: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("equilibria: error: ")
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0]


def test_games_lists_catalog_names_one_per_line(capsys):
    code, out, err = run(capsys, "games")
    assert code == 0 and err == ""
    names = out.splitlines()
    assert names == sorted(GAMES.names())
    for name in ("matching_pennies", "rock_paper_scissors", "colonel_blotto", "first_price_auction",
                 "random_covariant", "three_player_matching_pennies"):
        assert name in names


def test_methods_lists_names_with_families(capsys):
    code, out, err = run(capsys, "methods")
    assert code == 0 and err == ""
    rows = dict(line.split("\t") for line in out.splitlines())
    assert list(rows) == METHODS.names()
    for entry in METHODS:  # a name served by several implementations lists all their families
        assert set(entry.families) <= set(rows[entry.name].split(","))
    for name in ("lp", "vertex-enumeration", "lemke-howson", "support-enumeration", "correlated"):
        assert "normal_form" in rows[name].split(",")


def test_solve_rock_paper_scissors_json_prints_the_uniform_equilibrium(capsys):
    # the acceptance check: `equilibria solve rock_paper_scissors --json` prints the
    # uniform equilibrium (known-values.md) with nash_conv 0
    code, out, err = run(capsys, "solve", "rock_paper_scissors", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) >= {"game", "method", "equilibria", "nash_conv", "iterations", "seconds"}
    assert doc["game"] == "rock_paper_scissors" and doc["method"] == "lp"
    strategies = doc["equilibria"][0]["strategies"]
    assert len(strategies) == 2
    for s in strategies:
        assert s == pytest.approx([1 / 3] * 3, abs=1e-12)
    assert doc["equilibria"][0]["payoffs"] == pytest.approx([0, 0], abs=1e-12)
    assert doc["nash_conv"] == 0


def test_solve_exact_json_uses_fraction_strings(capsys):
    code, out, err = run(capsys, "solve", "rock_paper_scissors", "--method", "lp", "--exact", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["equilibria"][0]["strategies"] == [["1/3", "1/3", "1/3"]] * 2
    assert doc["nash_conv"] == "0"


def test_solve_human_output_and_game_with_parameters(capsys):
    code, out, err = run(capsys, "solve", "weighted_rock_paper_scissors(weights=(1, 2, 3))", "--exact",
                         "-m", "lp")
    assert code == 0, err
    # the unique equilibrium (w_S, w_R, w_P) / 6 = (1/2, 1/6, 1/3)
    assert '["1/2", "1/6", "1/3"]' in out and "nash_conv=0" in out


def test_solve_reads_nfg_and_json_files(capsys):
    for path in (DATA / "nfg" / "selten_payoff.nfg", DATA / "json" / "matching_pennies.json"):
        code, out, err = run(capsys, "solve", str(path), "--json", "--exact")
        assert code == 0, err
        doc = json.loads(out)
        assert doc["equilibria"] and doc["nash_conv"] == "0"


def test_eval_a_strategy_file(capsys, tmp_path):
    strategy = tmp_path / "rock.json"
    strategy.write_text(json.dumps([[1, 0, 0], ["1/3", "1/3", "1/3"]]))
    code, out, err = run(capsys, "eval", "rock_paper_scissors", str(strategy), "--json", "--exact")
    assert code == 0, err
    doc = json.loads(out)
    # against pure Rock, Paper gains 1 over the uniform mix's 0; the row player is indifferent
    assert doc["gains"] == ["0", "1"] and doc["nash_conv"] == "1"
    code, out, err = run(capsys, "eval", "rock_paper_scissors", str(strategy))
    assert code == 0 and out.splitlines()[0] == "NashConv 1.0"


def test_eval_reads_the_output_of_solve(capsys, tmp_path):
    code, out, err = run(capsys, "solve", "matching_pennies", "--exact", "--json")
    assert code == 0, err
    path = tmp_path / "solution.json"
    path.write_text(out)
    code, out, err = run(capsys, "eval", "matching_pennies", str(path), "--exact", "--json")
    assert code == 0, err
    assert json.loads(out)["nash_conv"] == "0"


def test_eval_of_a_hand_written_three_player_profile(capsys, tmp_path):
    # Jordan (1993): (1/2, 1/2) for all three players is the equilibrium; pure Heads for all is not
    path = tmp_path / "p.json"
    path.write_text(json.dumps([["1/2", "1/2"]] * 3))
    code, out, _ = run(capsys, "eval", "three_player_matching_pennies", str(path), "--exact", "--json")
    assert code == 0 and json.loads(out)["nash_conv"] == "0"
    path.write_text(json.dumps([[1, 0]] * 3))
    code, out, _ = run(capsys, "eval", "three_player_matching_pennies", str(path), "--exact", "--json")
    # players 1 and 2 match and win; player 3 matches player 1 and loses 1, gains 2 by switching
    assert code == 0 and json.loads(out)["gains"] == ["0", "0", "2"]
    assert F(json.loads(out)["nash_conv"]) == 2


def test_unknown_game_is_one_line_exit_2(capsys):
    code, out, err = run(capsys, "solve", "rock_paper_sissors")
    assert_user_error(code, err, "unknown game", "rock_paper_scissors")
    assert out == ""


def test_unknown_method_is_one_line_exit_2(capsys):
    code, _, err = run(capsys, "solve", "matching_pennies", "--method", "no-such-method")
    assert_user_error(code, err, "unknown method")


def test_bad_game_parameter_is_one_line_exit_2(capsys):
    code, _, err = run(capsys, "solve", "colonel_blotto(fields=0)")
    assert_user_error(code, err, "fields")
    code, _, err = run(capsys, "solve", "colonel_blotto(flags=3)")
    assert_user_error(code, err, "flags")


@pytest.mark.parametrize("name, line", [("truncated.nfg", 4), ("text_in_payoffs.nfg", 4),
                                        ("unbalanced_braces.nfg", 3)])
def test_malformed_nfg_is_one_line_naming_file_and_line(capsys, name, line):
    path = DATA / "nfg" / name
    code, out, err = run(capsys, "solve", str(path))
    assert_user_error(code, err, f"{path}, line {line}:")
    code, out, err = run(capsys, "eval", str(path), str(DATA / "json" / "minimal.json"))
    assert_user_error(code, err, f"{path}, line {line}:")


def test_malformed_json_game_is_one_line(capsys):
    path = DATA / "json" / "bad_syntax.json"
    code, _, err = run(capsys, "solve", str(path))
    assert_user_error(code, err, f"{path}, line 5:")


def test_missing_game_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "solve", str(tmp_path / "nothing.nfg"))
    assert_user_error(code, err, "nothing.nfg")


@pytest.mark.parametrize("content, words", [
    ("[[1, 0, 0]]", "1 strategies"),  # wrong number of players
    ("[[1, 0], [1, 0]]", "shape"),
    ("[[0.5, 0.6, 0], [1, 0, 0]]", "probability"),
    ('{"equilibria": []}', "equilibria"),
    ("[[1, 0, 0], ", "line 1"),
    ('[["a", 0, 0], [1, 0, 0]]', "numbers"),
])
def test_bad_strategy_files_are_one_line(capsys, tmp_path, content, words):
    path = tmp_path / "s.json"
    path.write_text(content)
    code, _, err = run(capsys, "eval", "rock_paper_scissors", str(path))
    assert_user_error(code, err, words)


def test_missing_strategy_file_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "eval", "rock_paper_scissors", str(tmp_path / "none.json"))
    assert_user_error(code, err, "none.json")


@pytest.mark.parametrize("argv", [[], ["solve"], ["solve", "matching_pennies", "--iterations", "many"],
                                  ["frobnicate"]])
def test_usage_errors_are_one_line_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    _, err = capsys.readouterr()
    assert info.value.code == 2
    assert len(err.splitlines()) == 1 and "error:" in err and "--help" in err
