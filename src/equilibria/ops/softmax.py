"""Softmax and log-sum-exp: the one implementation in the library.

Each is shifted by the row maximum for stability, and rows that are all ``-inf`` (every response
masked) give ``-inf`` for ``logsumexp`` without a warning.
"""

from __future__ import annotations

import numpy as np


def logsumexp(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log Σ exp z`` along ``axis``."""
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(z - m), axis=axis)) + np.squeeze(m, axis=axis)


def log_softmax(z: np.ndarray, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """``z/τ − logsumexp(z/τ)`` along ``axis`` (``-inf`` entries stay ``-inf``: masked actions)."""
    z = np.asarray(z, dtype=float)
    if temperature != 1.0:
        z = z / temperature
    return z - np.expand_dims(logsumexp(z, axis=axis), axis)


def softmax(z: np.ndarray, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """``exp(z/τ) / Σ exp(z/τ)`` along ``axis``."""
    z = np.asarray(z, dtype=float)
    if temperature != 1.0:
        z = z / temperature
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(z - m)
    return e / np.sum(e, axis=axis, keepdims=True)
