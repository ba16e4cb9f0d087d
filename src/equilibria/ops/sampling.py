"""Sampling one category from each row of a probability array: the one implementation the sampled
learners and the empirical-game simulators share."""

from __future__ import annotations

import numpy as np


def sample_rows(probs: np.ndarray, rng: np.random.Generator, size: tuple[int, ...] = ()) -> np.ndarray:
    """Indices drawn from each row of ``probs`` (shape ``(..., K)``), by inverse CDF, vectorised.

    1. ``cdf`` = the cumulative sums of each row.
    2. ``u`` = uniforms of shape ``probs.shape[:-1] + size`` (``size`` independent draws per row,
       one by default), each scaled by its row's total (so rows that sum to 1 up to rounding are
       sampled as the distributions they stand for).
    3. An index is the number of its row's cdf entries below ``u``, clipped to ``K − 1``.

    Returns an integer array of shape ``probs.shape[:-1] + size``. A row of zeros (no successor,
    e.g. a terminal state) gives index 0.
    """
    cdf = np.cumsum(probs, axis=-1)
    size = tuple(size)
    if not size:
        u = rng.random(probs.shape[:-1])[..., None] * cdf[..., -1:]
        return np.minimum((u > cdf).sum(axis=-1), probs.shape[-1] - 1)
    rows = cdf.reshape(cdf.shape[:-1] + (1,) * len(size) + cdf.shape[-1:])
    u = rng.random(probs.shape[:-1] + size) * rows[..., -1]
    return np.minimum((u[..., None] > rows).sum(axis=-1), probs.shape[-1] - 1)
