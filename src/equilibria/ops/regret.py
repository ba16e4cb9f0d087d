"""Regret matching: the one implementation in the library (normal form, CFR, sampled CFR, PSRO)."""

from __future__ import annotations

import numpy as np


def regret_matching(
    regret: np.ndarray, fallback: np.ndarray | None = None, out: np.ndarray | None = None
) -> np.ndarray:
    """Play each action in proportion to its positive regret (Hart & Mas-Colell, "A simple adaptive
    procedure leading to correlated equilibrium", Econometrica 2000), row-wise over the last axis.

    1. Take the positive part ``[R]^+``.
    2. Sum it left to right over the actions (the order OpenSpiel uses, so CFR matches it bit for bit).
    3. Rows with no positive regret play ``fallback`` (uniform by default; pass the uniform
       distribution over legal actions where rows are padded), the others ``[R]^+ / Σ [R]^+``.

    ``out`` (same shape as ``regret``) receives the result when given.
    """
    regret = np.asarray(regret, dtype=float)
    pos = np.maximum(regret, 0.0)
    total = pos[..., 0].copy()
    for a in range(1, pos.shape[-1]):
        total += pos[..., a]
    none = total <= 0.0
    if fallback is None:
        fallback = np.full(pos.shape[-1], 1.0 / pos.shape[-1])
    pos += none[..., None] * fallback
    total += none
    if out is None:
        return pos / total[..., None]
    np.divide(pos, total[..., None], out=out)
    return out
