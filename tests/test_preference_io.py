"""Pairwise-comparison files (CSV / JSONL) -> PreferenceGame, with line-numbered errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.api import load_game, solve
from equilibria.errors import GameFormatError
from equilibria.io import read_game
from equilibria.io.preference_data import estimate_preferences, read_preference_file


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


CSV = """# beta=0.2
context,chosen,rejected,count
q1,a,b,3
q1,b,a,1
q1,b,c,
q1,c,a,2
q2,u,v,1
"""


def test_csv_is_read_with_smoothed_empirical_preferences(tmp_path):
    g = read_game(write(tmp_path, "prefs.csv", CSV))
    assert g.beta == 0.2 and g.context_labels == ["q1", "q2"]
    assert g.response_labels[0] == ["a", "b", "c"]
    # q1: a beat b 3 of 4 times -> (3 + 1/2) / (4 + 1) with the default add-1/2 smoothing
    assert g.P[0, 0, 1] == pytest.approx(3.5 / 5)
    assert g.P[0, 1, 2] == pytest.approx(1.5 / 2)
    assert g.P[0, 2, 0] == pytest.approx(2.5 / 3)
    # q2 has two responses: the third slot is padding with no mass
    assert g.mask.tolist() == [[True, True, True], [True, True, False]]
    assert g.reference[1].tolist() == [0.5, 0.5, 0.0]
    assert g.weights == pytest.approx([7 / 8, 1 / 8])
    assert g.counts[0, 0, 1] == 4 and g.counts[0, 1, 0] == 4


def test_jsonl_matches_csv_and_prompt_alias(tmp_path):
    lines = [{"beta": 0.2}]
    for row in CSV.strip().splitlines()[2:]:
        ctx, chosen, rejected, *count = row.split(",")
        rec = {"prompt": ctx, "chosen": chosen, "rejected": rejected}
        if count and count[0]:
            rec["count"] = int(count[0])
        lines.append(rec)
    g_json = read_game(write(tmp_path, "prefs.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n\n"))
    g_csv = read_game(write(tmp_path, "prefs.csv", CSV))
    assert np.array_equal(g_json.P, g_csv.P) and g_json.beta == g_csv.beta


def test_loaded_game_solves_and_baselines_use_the_counts(tmp_path):
    g = load_game(str(write(tmp_path, "prefs.csv", CSV)))
    [nash] = solve(g, "preference-nash")
    assert nash.nash_conv < 1e-12
    [rlhf] = solve(g, "bt-rlhf")
    assert rlhf.strategies[1, 2] == 0.0  # padding never gets mass
    assert np.isfinite(rlhf.info["exploitability"])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("context,chosen,rejected\nq,a,b\nq,a\n", 3, "expected 3 fields"),
        ("context,chosen,rejected\nq,a,b\nq,a,a\n", 3, "same response"),
        ("context,chosen,rejected\nq,a,b\n,a,b\n", 3, "missing 'context'"),
        ("context,chosen,rejected,count\nq,a,b,1\nq,b,a,-2\n", 3, "positive"),
        ("context,chosen,rejected,count\nq,a,b,x\n", 2, "not a number"),
        ("context,winner,loser\nq,a,b\n", 1, "missing chosen, rejected"),
        ("# beta=abc\ncontext,chosen,rejected\nq,a,b\n", 1, "beta"),
        ('context,chosen,rejected\nq,"a,b\n', 2, "malformed CSV"),
    ],
)
def test_malformed_csv_rows_name_the_line(tmp_path, text, line, message):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(GameFormatError, match=message) as err:
        read_preference_file(path)
    assert err.value.line == line and err.value.path == str(path)
    assert f"line {line}" in str(err.value)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"context": "q", "chosen": "a", "rejected": "b"}\n{"context": "q"\n', 2, "not valid JSON"),
        ('{"context": "q", "chosen": "a", "rejected": "b"}\n[1, 2]\n', 2, "JSON object"),
        ('{"context": "q", "chosen": "a", "rejected": null}\n', 1, "missing 'rejected'"),
        ('{"context": "q", "chosen": "a", "rejected": "b", "count": 0}\n', 1, "positive"),
        ('{"context": "q", "chosen": ["a"], "rejected": "b"}\n', 1, "must be a string"),
    ],
)
def test_malformed_jsonl_lines_name_the_line(tmp_path, text, line, message):
    with pytest.raises(GameFormatError, match=message) as err:
        read_preference_file(write(tmp_path, "bad.jsonl", text))
    assert err.value.line == line


def test_empty_and_degenerate_files(tmp_path):
    with pytest.raises(GameFormatError, match="no comparisons"):
        read_preference_file(write(tmp_path, "e.csv", "context,chosen,rejected\n"))
    with pytest.raises(GameFormatError, match="empty file"):
        read_preference_file(write(tmp_path, "e2.csv", "\n# only a comment\n"))
    with pytest.raises(GameFormatError, match="no such file"):
        read_game(tmp_path / "missing.jsonl")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 3.0))
def test_estimated_preferences_are_always_valid(seed, prior):
    """Property: for any win counts, P̂ + P̂ᵀ = 1 exactly, P̂ ∈ [0, 1], unseen pairs get 1/2."""
    rng = np.random.default_rng(seed)
    wins = rng.integers(0, 4, size=(2, 5, 5)) * (rng.random((2, 5, 5)) < 0.6)
    wins[:, np.arange(5), np.arange(5)] = 0
    P, n = estimate_preferences(wins, prior)
    assert np.all(P + P.transpose(0, 2, 1) == 1.0)
    assert np.all((P >= 0) & (P <= 1))
    assert np.all(P[n == 0] == 0.5)
    seen = n > 0
    if prior == 0:
        assert np.allclose(P[seen], wins[seen] / n[seen])
