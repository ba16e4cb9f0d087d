"""The `equilibria` command, run in-process: the contract in DESIGN.md (games, methods, solve,
eval) and the rule that a user error prints one line to stderr and exits with status 2."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

from equilibria import GAMES, METHODS, load_game
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
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(GAMES.names())
    for name in ("matching_pennies", "rock_paper_scissors", "colonel_blotto", "first_price_auction",
                 "random_covariant", "three_player_matching_pennies"):
        assert name in names


def test_methods_lists_names_with_families(capsys):
    code, out, err = run(capsys, "methods")
    assert code == 0 and err == ""
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
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
    assert "player 1: (1/2, 1/6, 1/3)" in out and "NashConv 0" in out


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


# ---- issue 9: output a person can read ----------------------------------------------------------


def test_games_show_parameters_with_defaults(capsys):
    code, out, err = run(capsys, "games")
    assert code == 0 and err == ""
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert "num_cards=4" in rows["goofspiel"] and "extensive_form" in rows["goofspiel"]
    assert "(no parameters)" in rows["matching_pennies"]
    assert "temptation=5" in rows["prisoners_dilemma"]


def test_games_name_describes_one_game(capsys):
    code, out, err = run(capsys, "games", "goofspiel")
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("goofspiel(num_cards=4")
    assert "family: extensive-form" in out and "num_cards: int = 4" in out
    assert "Goofspiel" in out  # the docstring


def test_methods_list_has_a_description_and_a_paper_for_each_method(capsys):
    code, out, err = run(capsys, "methods")
    assert code == 0 and err == ""
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert "[Tammelin 2014]" in rows["cfr+"] and "learner" in rows["cfr+"]
    assert "[Zinkevich et al. 2007]" in rows["cfr"]
    assert "solver" in rows["lemke-howson"] and "[Lemke & Howson 1964]" in rows["lemke-howson"]
    # CONTRIBUTING: every method's docstring cites its paper, and the registry finds it
    assert [e.name for e in METHODS if not e.citation()] == []


def test_methods_name_shows_options_defaults_types_families_and_citation(capsys):
    code, out, err = run(capsys, "methods", "cfr+")
    assert code == 0 and err == ""
    assert "kind: learner" in out and "families: extensive-form" in out
    assert 'Tammelin, "Solving Large Imperfect Information Games Using CFR+", arXiv 2014' in out
    entry = METHODS.get("cfr+")
    for p in entry.parameters():
        if not p.fixed:
            assert f"    {p.format()}" in out
    assert "seed" not in [p.name for p in entry.parameters()]  # set by --seed, not -o
    code, out, err = run(capsys, "methods", "lemke-howson")
    assert code == 0 and "kind: exact solver" in out and "label" in out and "exact" not in [
        p.name for p in METHODS.get("lemke-howson").parameters()]


def test_method_parameters_come_from_the_signature():
    from equilibria.registry import MethodEntry

    def solver(game, *, exact=False, alpha: float = 1.5, mode: str = "a", seed=None):
        """A solver (Doe & Roe, "A Title of Some Length", Some Venue 2001)."""
        return []

    entry = MethodEntry("x", "solver", solver, ("normal_form",), "", False, {"mode": "b"})
    params = entry.parameters()
    assert [(p.name, p.default, p.annotation, p.fixed) for p in params] == [
        ("alpha", 1.5, "float", False), ("mode", "b", "", True)]
    assert entry.citation() == 'Doe & Roe, "A Title of Some Length", Some Venue 2001'
    assert entry.citation(short=True) == "Doe & Roe 2001"


def test_solve_human_output_of_leduc_is_a_short_summary(capsys):
    # issue 9: `solve leduc_poker --method cfr+` printed all 936 information sets on one line
    code, out, err = run(capsys, "solve", "leduc_poker", "-m", "cfr+", "-n", "10")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) < 25 and max(len(line) for line in lines) < 160
    text = "\n".join(lines)
    for word in ("leduc_poker", "936 information sets", "cfr+", "iterations  10", "NashConv", "value",
                 "time", "more information sets of 468"):
        assert word in text


def test_solve_human_output_truncates_long_vectors(capsys):
    code, out, err = run(capsys, "solve", "random_zero_sum(rows=30, cols=30, seed=1)", "-m", "lp")
    assert code == 0, err
    player_lines = [line for line in out.splitlines() if line.strip().startswith("player")]
    assert len(player_lines) == 2 and all("… 22 more" in line for line in player_lines)


@pytest.mark.parametrize("game, method, exact", [
    ("kuhn_poker", "cfr+", False),
    ("rock_paper_scissors", "hedge", False),
    ("stag_hunt", "vertex-enumeration", True),
    ("random_markov_game(num_states=3, num_actions=2, zero_sum=True)", "minimax-q", False),
])
def test_solve_save_then_eval_gives_the_same_nash_conv(capsys, tmp_path, game, method, exact):
    path = tmp_path / "eq.json"
    argv = ["solve", game, "-m", method, "-n", "50", "--save", str(path), "--json"]
    if exact:
        argv = ["solve", game, "-m", method, "--exact", "--save", str(path), "--json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    saved = json.loads(path.read_text())
    assert saved == json.loads(out)  # --save writes what --json prints, the full profile
    code, out, err = run(capsys, "eval", game, str(path), "--json", *(["--exact"] if exact else []))
    assert code == 0, err
    if exact:
        assert json.loads(out)["nash_conv"] == saved["nash_conv"] == "0"
    else:
        # the profile goes through JSON (shortest repr, exact round trip): 1e-12 of the payoff scale
        scale = load_game(game).payoff_scale
        assert json.loads(out)["nash_conv"] == pytest.approx(saved["nash_conv"], rel=1e-12, abs=1e-12 * scale)


def test_every_option_has_a_help_line():
    from equilibria.cli import _build_parser

    parser = _build_parser()
    subs = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in [("equilibria", parser), *subs.choices.items()]:
        for action in sub._actions:
            if action.option_strings or action.dest not in ("help",):
                assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_max_size_reaches_the_size_limit_and_is_restored(capsys, monkeypatch):
    from equilibria import _checks

    seen = []
    import equilibria.cli as cli

    monkeypatch.setattr(cli, "_cmd_games", lambda args: seen.append(_checks.size_limit()) or 0)
    assert main(["games", "--max-size", "16G"]) == 0
    assert seen == [16 * 2**30] and _checks.size_limit() == _checks.DEFAULT_SIZE_LIMIT


def test_demo_and_discovery_import_no_dev_extra():
    # `make demo` installs only the core: nothing it runs may import a dev extra
    import subprocess
    import sys

    code = (
        "import sys; from equilibria.registry import discover; discover(); import equilibria.cli, "
        "equilibria.demo, equilibria.plotting; "
        "extras = ('torch', 'jax', 'ray', 'pyspiel', 'open_spiel', 'pygambit', 'nashpy', 'pettingzoo', "
        "'gymnasium', 'hypothesis', 'pytest'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in extras))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
