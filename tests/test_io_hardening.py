"""Bad input to the readers and game constructors is refused cleanly, with file and line (issue 9 §4).

Every case here was a traceback, a hang or a silent acceptance before: each test names the defect.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

import equilibria as eq
from equilibria._checks import size_limit_set
from equilibria._numbers import parse_integer_text, parse_number_text, to_fraction
from equilibria.errors import GameFormatError, InvalidGameError, InvalidStrategyError
from equilibria.games.normal_form import NormalFormGame
from equilibria.io.efg import parse_efg
from equilibria.io.json_format import parse_json, read_json, read_profile_json
from equilibria.io.nfg import parse_nfg

NFG = 'NFG 1 R "g" { "1" "2" }\n{ 2 2 }\n""\n1 1 0 2\n0 2 X 1\n'
EFG = ('EFG 2 R "g" { "1" "2" } ""\n'
       'c "" 1 "" { "h" 1/2 "t" 1/2 } 0\n'
       'p "" 1 1 "" { "a" "b" } 0\n'
       't "" 1 "" { X, 0 }\n'
       't "" 2 "" { 0, 1 }\n'
       'p "" 1 2 "" { "a" "b" } 0\n'
       't "" 3 "" { 1, 0 }\n'
       't "" 4 "" { 0, 1 }\n')
JSON = ('{\n  "format": "equilibria.normal_form",\n  "payoffs": [\n    [[1, 0], [0, X]],\n'
        '    [[0, 1], [1, 0]]\n  ]\n}\n')

# (text, what the message must say): numbers that overflowed, hung, or were silently misread
BAD_NUMBERS = [
    ("1e400", "too large"),
    ("-1e400", "too large"),
    ("1e999999999", "out of the range"),
    ("1e-999999999", "out of the range"),
    ("1e-400", "0 in floating point"),
    ("9" * 5000, "digits"),
    ("0." + "0" * 5000 + "1", "digits"),
    ("1_000", "not a number"),
    ("\u0661\u0662", "not a number"),  # Arabic-Indic digits
    ("\uff11\uff12", "not a number"),  # full-width digits
    ("1/0", "divides by zero"),
]


@pytest.mark.parametrize("text, words", BAD_NUMBERS)
def test_numbers_out_of_range_or_not_ascii_are_refused_quickly(text, words):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=words):
        parse_number_text(text)
    assert time.perf_counter() - start < 0.5  # Fraction("1e999999999") expanded the power for minutes


@pytest.mark.parametrize("text, words", BAD_NUMBERS)
@pytest.mark.parametrize("template, suffix, line", [(NFG, "nfg", 5), (EFG, "efg", 4)])
def test_gambit_files_refuse_bad_numbers_with_the_line(text, words, template, suffix, line):
    parse = parse_nfg if suffix == "nfg" else parse_efg
    with pytest.raises(GameFormatError, match=words) as info:
        parse(template.replace("X", text), f"bad.{suffix}")
    assert info.value.line == line and info.value.path == f"bad.{suffix}"


@pytest.mark.parametrize("text, words", [(t, w) for t, w in BAD_NUMBERS if "_" not in t and t.isascii()])
def test_json_refuses_bad_numbers_with_the_line(text, words):
    # as a JSON number where the grammar allows it, else as a string "p/q"
    for literal in ([text] if not text.startswith(("1/", "0.")) or "/" not in text else []) + [f'"{text}"']:
        with pytest.raises(GameFormatError, match=words) as info:
            parse_json(JSON.replace("X", literal), "bad.json")
        assert info.value.line == 4, str(info.value)


def test_good_numbers_still_read_exactly():
    assert parse_number_text("1.5e-3") == Fraction(3, 2000)
    assert parse_number_text("-7/21") == Fraction(-1, 3)
    assert parse_number_text("1e308") == 10**308
    assert parse_number_text("0e999999999") == 0
    g = parse_nfg(NFG.replace("X", "1e-300"))
    assert g.exact_payoffs[0, 1, 1] == Fraction(1, 10**300) and g.payoffs[0, 1, 1] == 1e-300


def test_integers_are_read_by_one_bounded_parser():
    # the Gambit readers' counts and the JSON readers' integers share _numbers.parse_integer_text
    assert parse_integer_text(" -0012 ") == -12 and parse_integer_text("+7") == 7
    assert parse_integer_text("9" * 18, 18) == 10**18 - 1
    with pytest.raises(ValueError, match="more than 18 digits"):
        parse_integer_text("9" * 19, 18)
    for text in ("1_000", "1.0", "\u0661\u0662", "\uff11", ""):  # not ASCII digits only
        with pytest.raises(ValueError, match="not an integer"):
            parse_integer_text(text)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="more than 1000 digits"):
        parse_integer_text("9" * 100_000)
    assert time.perf_counter() - start < 0.5


def test_gambit_files_with_a_byte_order_mark_or_in_latin_1_load(tmp_path):
    text = NFG.replace("X", "1")
    (tmp_path / "bom.nfg").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "latin.nfg").write_bytes(text.replace('"g"', '"caf\u00e9"').encode("latin-1"))
    assert eq.load_game(str(tmp_path / "bom.nfg")).num_actions == (2, 2)
    assert eq.load_game(str(tmp_path / "latin.nfg")).title == "caf\u00e9"
    with size_limit_set(10), pytest.raises(GameFormatError, match="--max-size"):
        eq.load_game(str(tmp_path / "bom.nfg"))


# ---- declared sizes and the size limit ----------------------------------------------------------
def test_declared_strategy_counts_are_checked_before_allocating():
    # issue 9: { 100000000 100000000 } hung building 10^8 labels
    start = time.perf_counter()
    with pytest.raises(GameFormatError, match="declared to have 100000000 strategies") as info:
        parse_nfg('NFG 1 R "g" { "1" "2" }\n{ 100000000 100000000 }\n1 2 3\n', "big.nfg")
    assert info.value.line == 2 and time.perf_counter() - start < 1
    with pytest.raises(GameFormatError, match="too large"):
        parse_nfg('NFG 1 R "g" { "1" }\n{ 99999999999999999999999 }\n1\n', "big.nfg")


def test_size_limit_is_a_format_error_with_the_line():
    text = 'NFG 1 R "g" { "1" "2" }\n{ 30 30 }\n' + " ".join(["1"] * 1800) + "\n"
    assert parse_nfg(text).num_actions == (30, 30)
    with size_limit_set(1000), pytest.raises(GameFormatError, match="--max-size") as info:
        parse_nfg(text, "g.nfg")
    assert info.value.line == 2


# ---- Gambit text ---------------------------------------------------------------------------------
def test_quoted_strings_may_span_lines_and_escape_quotes():
    # issue 9: 42 Gambit files (and pygambit's own output for a description with a newline) failed
    # with "unterminated quoted label"
    text = ('NFG 1 R "two\nline title" { "P \\"one\\"" "2" }\n{ { "a\nb" "c" } { "d" } }\n'
            '"a comment\nover\nthree lines"\n1 2 3 4\n')
    g = parse_nfg(text)
    assert g.title == "two\nline title"
    assert g.player_labels == ('P "one"', "2")
    assert g.action_labels == (("a\nb", "c"), ("d",))
    assert g.exact_payoffs[1, 1, 0] == 4
    e = parse_efg(EFG.replace('""\n', '"multi\nline comment"\n', 1).replace("X", "1"))
    assert e.num_terminals == 4


def test_an_unclosed_quote_names_the_line_it_opens():
    text = NFG.replace("X", "1").replace('"2" }', '"2 }', 1)
    with pytest.raises(GameFormatError, match="unterminated|closing") as info:
        parse_nfg(text, "q.nfg")
    assert info.value.line == 1


def test_negative_outcome_numbers_are_refused():
    with pytest.raises(GameFormatError, match="outcome number must be at least 0") as info:
        parse_efg(EFG.replace("X", "1").replace('t "" 2 ""', 't "" -2 ""'), "neg.efg")
    assert info.value.line == 5


def test_exact_chance_probabilities_must_sum_to_one_in_files():
    # issue 9: probabilities within 1e-9 of 1 were accepted and gave a wrong "exact" reach
    text = EFG.replace("X", "1").replace("1/2 \"t\" 1/2", "0.3333333333 \"t\" 0.6666666666")
    with pytest.raises(GameFormatError, match="exactly 1") as info:
        parse_efg(text, "p.efg")
    assert info.value.line == 2
    assert parse_efg(EFG.replace("X", "1").replace("1/2 \"t\" 1/2", "0.25 \"t\" 0.75")).num_terminals == 4


def test_undecodable_bytes_are_an_error_with_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(JSON.replace("X", "1").encode().replace(b"[[0, 1]", b"[[0, \xff1]"))
    with pytest.raises(GameFormatError, match="UTF-8") as info:
        read_json(path)
    assert info.value.line == 5


# ---- JSON structure -------------------------------------------------------------------------------
def _efg_json(root: str) -> str:
    return '{"format": "equilibria.extensive_form", "players": ["a", "b"],\n "root": ' + root + "}"


@pytest.mark.parametrize("text, words, line", [
    ("[" * 5000 + "]" * 5000, "nested", 1),  # RecursionError before
    ('{"format": "equilibria.normal_form",\n"payoffs": [[[1]]],\n"payoffs": [[[2]]]}', "twice", 3),
    ('{"format": ["equilibria.normal_form"], "payoffs": [[[1]]]}', "format", 1),  # TypeError before
    ('{"format": "equilibria.normal_form", "version": true, "payoffs": [[[1]]]}', "version", 1),
    ('{"format": "equilibria.normal_form",\n"players": ["x", "x"],\n"payoffs": [[[1]], [[1]]]}', "twice", 2),
    ('{"format": "equilibria.normal_form",\n"payoffs": [[[NaN]]]}', "finite", 2),
    (_efg_json('{"player": true, "infoset": "i",\n "actions": [["l", {"payoffs": [1, 0]}]]}'), "player", 2),
    (_efg_json('{"player": 1, "infoset": "i", "actions": [\n["l", {"payoffs": [1, 0]}],\n'
               '["l", {"payoffs": [0, 1]}]]}'), "twice", 4),
    (_efg_json('{"chance": [["x", "1/3", {"payoffs": [1, 0]}],\n["y", "1/3", {"payoffs": [0, 1]}]]}'),
     "exactly 1", 2),
    (_efg_json('{"player": 1, "infoset": "i", "actions": [["l", {"payoffs": [1, 0]}],\n'
               '["r", {"payoffs": [0, {"a": 1}]}]]}'), "payoffs", 3),
])
def test_json_errors_point_at_the_bad_node(text, words, line):
    with pytest.raises(GameFormatError, match=words) as info:
        parse_json(text, "g.json")
    assert info.value.line == line, str(info.value)


def test_deep_extensive_json_trees_load_without_recursion():
    # a chain of 150 decisions: the reader is iterative
    node = '{"payoffs": [1, 0]}'
    for k in range(150):
        node = f'{{"player": 1, "infoset": "i{k}", "actions": [["a", {node}]]}}'
    game = parse_json(_efg_json(node))
    assert game.num_infosets == 150


def test_read_profile_json_is_safe(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[[0.5, 0.5],\n [0.5, 1e999999999]]')
    with pytest.raises(GameFormatError, match="out of the range") as info:
        read_profile_json(path)
    assert info.value.line == 2
    path.write_text('[["1/2", "1/2"], [0.25, 0.75]]')
    assert read_profile_json(path) == [["1/2", "1/2"], [0.25, 0.75]]


# ---- in-memory games and profiles -----------------------------------------------------------------
@pytest.mark.parametrize("bad, words", [
    (10**400, "too large"),            # OverflowError before
    (Fraction(1, 10**400), "0 in floating point"),  # exact and float games disagreed before
    ("1e999999999", "out of the range"),
    ("\u0661", "not a number"),
    (True, "boolean"),
    ([1, 2], "numbers"),
])
def test_normal_form_game_refuses_bad_payoffs(bad, words):
    u = np.zeros((2, 2, 2), dtype=object)
    u[0, 1, 1] = bad
    with pytest.raises(InvalidGameError, match=words):
        NormalFormGame(u)


def test_normal_form_game_reads_exact_strings():
    g = NormalFormGame([[["1/3", "2"]], [["0.5", 0]]])
    assert g.exact_payoffs[0, 0, 0] == Fraction(1, 3) and g.payoffs[1, 0, 0] == 0.5


@pytest.mark.parametrize("data", [
    [["1e999999999", "0"], ["1/2", "1/2"]],
    [[1e308 * 10, 0], [0.5, 0.5]],
    [[True, False], [0.5, 0.5]],
    [[{"a": 1}, 0], [0.5, 0.5]],
    [1, 2],
    [["1/0", 1], [0.5, 0.5]],
    [[10**400, 0], [0.5, 0.5]],
])
def test_normal_form_profile_from_json_refuses_cleanly(data):
    game = eq.load_game("matching_pennies")
    start = time.perf_counter()
    with pytest.raises(InvalidStrategyError):
        game.profile_from_json(data)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("value", ["1e999999999", True, None, [1], {"x": 1}, "1/0"])
def test_extensive_form_profile_from_json_refuses_cleanly(value):
    game = eq.load_game("kuhn_poker")
    data = game.profile_to_json(game.uniform_profile())
    first = next(iter(data[0]))
    data[0][first] = [value, 0.5]
    with pytest.raises(InvalidStrategyError):
        game.profile_from_json(data)
    data[0][first] = 5
    with pytest.raises(InvalidStrategyError):
        game.profile_from_json(data)


def test_to_fraction_refuses_booleans():
    with pytest.raises(ValueError):
        to_fraction(True)


# ---- preference data --------------------------------------------------------------------------------
@pytest.mark.parametrize("line2, words", [
    ('{"context": "x", "chosen": "a", "rejected": "b", "count": ' + "9" * 400 + "}", "count"),
    ('{"context": "x", "chosen": "a", "rejected": "b", "count": 1e999999999}', "out of the range"),
    ('{"context": "x", "chosen": "a", "chosen": "b", "rejected": "c"}', "twice"),
    ("[" * 1000 + "]" * 1000, "nested"),
    ('{"beta": ' + "9" * 400 + "}", "beta"),
])
def test_preference_jsonl_errors_name_the_line(line2, words, tmp_path):
    # OverflowError, RecursionError and silently kept duplicate keys before
    path = tmp_path / "prefs.jsonl"
    path.write_text('{"context": "x", "chosen": "a", "rejected": "b"}\n' + line2 + "\n")
    with pytest.raises(GameFormatError, match=words) as info:
        eq.load_game(str(path))
    assert info.value.line == 2


def test_preference_csv_bad_bytes_name_the_line(tmp_path):
    path = tmp_path / "prefs.csv"
    path.write_bytes(b"context,chosen,rejected\nx,a,b\nx,\xff,b\n")
    with pytest.raises(GameFormatError, match="UTF-8") as info:
        eq.load_game(str(path))
    assert info.value.line == 3


@pytest.mark.parametrize("bad, words", [
    (10**400, "too large"),  # OverflowError in the extensive-form compiler before
    (Fraction(1, 10**400), "0 in floating point"),
    ("\u0661", "not a number"),
    (True, "not a number"),
])
def test_extensive_form_compiler_refuses_bad_payoffs(bad, words):
    from equilibria.games.extensive_form import Decision, ExtensiveFormGame, Terminal

    tree = Decision(0, "i", [("a", Terminal([bad, 0])), ("b", Terminal([0, 1]))])
    with pytest.raises(InvalidGameError, match=words):
        ExtensiveFormGame.from_tree(tree, 2)


def test_normal_form_game_refuses_bad_labels():
    with pytest.raises(InvalidGameError, match="player_labels"):
        NormalFormGame(np.zeros((2, 1, 1)), player_labels="ab")
    with pytest.raises(InvalidGameError, match="action_labels"):
        NormalFormGame(np.zeros((2, 1, 1)), action_labels=[5, ["a"]])


def test_row_from_json_reads_labelled_numbers_and_names_what_is_wrong():
    """The one reader of `{label: number}` tables behind the market, preference, bandit and
    verifiable-reward profile formats."""
    from fractions import Fraction

    import numpy as np
    import pytest

    from equilibria.errors import InvalidStrategyError
    from equilibria.games.base import row_from_json

    index = {f"a{k}": k for k in range(12)}
    row = row_from_json({"a0": "1/3", "a11": 0.5, "a3": Fraction(1, 6)}, index, 12, where="here", item="arm")
    expected = np.zeros(12)
    expected[[0, 3, 11]] = [1 / 3, 1 / 6, 0.5]
    assert np.array_equal(row, expected)
    cases = [
        ([0.5], "here: expected an object {arm: number}, not list"),
        ({"zz": 1}, "here: unknown arm 'zz' (the arms are 'a0', 'a1', "),
        ({3: 1}, "here: unknown arm 3"),
        ({"a1": "x"}, "here: the value for arm 'a1' is not a number"),
        ({"a1": None}, "here: the value for arm 'a1' is not a number"),
    ]
    for data, message in cases:
        with pytest.raises(InvalidStrategyError) as info:
            row_from_json(data, index, 12, where="here", item="arm")
        assert str(info.value).startswith(message), str(info.value)
    with pytest.raises(InvalidStrategyError, match=r"\.\.\.\)$"):  # a long label list is cut
        row_from_json({"zz": 1}, index, 12, where="here", item="arm")
