"""`equilibria.ops.sample_rows`: one inverse-CDF draw from each row of a probability array."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.ops import sample_rows


def test_frequencies_match_the_row_probabilities():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    n = 200_000
    draws = sample_rows(np.broadcast_to(p, (n, 2, 3)), np.random.default_rng(0))
    assert draws.shape == (n, 2)
    for r in range(2):
        freq = np.bincount(draws[:, r], minlength=3) / n
        # 5 standard errors of a binomial proportion
        assert np.all(np.abs(freq - p[r]) <= 5 * np.sqrt(p[r] * (1 - p[r]) / n) + 1e-12)
    assert not np.any(draws[:, 1] == 1)  # probability 0 is never drawn


def test_one_uniform_per_row_in_order():
    # the index is the number of cdf entries below the row's uniform: the same uniforms, by hand
    p = np.array([[0.25, 0.25, 0.5], [0.9, 0.1, 0.0], [0.0, 0.0, 1.0]])
    u = np.random.default_rng(3).random(3)
    expected = [int(np.sum(u[k] * p[k].sum() > np.cumsum(p[k]))) for k in range(3)]
    assert sample_rows(p, np.random.default_rng(3)).tolist() == expected


def test_zero_row_gives_index_zero_and_rounded_rows_stay_in_range():
    rows = np.array([[0.0, 0.0, 0.0], [0.3, 0.3, 0.4 - 1e-16], [1e-3, 0.0, 1.0 - 1e-3]])
    out = sample_rows(np.broadcast_to(rows, (1000, 3, 3)), np.random.default_rng(1))
    assert np.all(out[:, 0] == 0)
    assert out.min() >= 0 and out.max() <= 2
    assert not np.any(out[:, 2] == 1)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6).filter(lambda w: sum(w) > 0),
       st.integers(0, 2**32 - 1))
def test_draws_only_supported_indices(weights, seed):
    p = np.asarray(weights) / np.sum(weights)
    out = sample_rows(np.broadcast_to(p, (64, len(p))), np.random.default_rng(seed))
    assert np.all(p[out] > 0)


def test_several_draws_per_row_are_the_rows_uniforms_in_order():
    p = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
    u = np.random.default_rng(7).random((2, 4, 5))
    cdf = np.cumsum(p, axis=1)
    expected = np.minimum((u[..., None] * cdf[:, -1, None, None, None] > cdf[:, None, None, :]).sum(-1), 2)
    out = sample_rows(p, np.random.default_rng(7), size=(4, 5))
    assert out.shape == (2, 4, 5) and np.array_equal(out, expected)
    assert not np.any(out[1] == 2)
