"""Helpers shared by several test modules (one home for each): games with known equilibria and
the comparison of solution sets."""

from __future__ import annotations

from typing import Any

import numpy as np

import equilibria as eq
from equilibria.games.normal_form import NormalFormGame


def interior_zero_sum(seed: int, k: int = 4) -> tuple[NormalFormGame, list[np.ndarray]]:
    """A random k x k zero-sum game built to have the interior equilibrium (x*, y*), value 0.

    Double centring A = M - 1 x*ᵀM - M y* 1ᵀ + (x*ᵀM y*) 11ᵀ gives A y* = 0 and x*ᵀA = 0.
    """
    rng = np.random.default_rng(seed)
    M = rng.uniform(-1, 1, (k, k))
    xs, ys = rng.dirichlet(np.full(k, 5.0)), rng.dirichlet(np.full(k, 5.0))
    one = np.ones(k)
    A = M - np.outer(one, xs @ M) - np.outer(M @ ys, one) + (xs @ M @ ys) * np.outer(one, one)
    return NormalFormGame.zero_sum(A), [xs, ys]


def bimatrix(A: Any, B: Any) -> NormalFormGame:
    """The two-player game with payoff matrices A (rows) and B (columns)."""
    return eq.NormalFormGame.from_bimatrix(A, B)


def profile_set(sols: list[Any]) -> set[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """The solutions' two-player profiles as a set of hashable pairs (for comparing solution sets)."""
    return {(tuple(s.strategies[0]), tuple(s.strategies[1])) for s in sols}


def assert_format_error(read: Any, path: Any, line: int, words: str) -> None:
    """``read(path)`` raises one `GameFormatError` line that starts with the file and ``line`` and
    says ``words``."""
    import pytest

    from equilibria.errors import GameFormatError

    with pytest.raises(GameFormatError) as info:
        read(path)
    err, text = info.value, str(info.value)
    assert err.path == str(path) and err.line == line
    assert text.startswith(f"{path}, line {line}: ") and words in text and "\n" not in text


def integer_bimatrices(lo: int, hi: int, max_rows: int, max_cols: int) -> Any:
    """Hypothesis strategy: pairs (A, B) of integer matrices in [lo, hi], of one random shape."""
    from hypothesis import strategies as st

    def matrix(m: int, n: int) -> Any:
        return st.lists(st.lists(st.integers(lo, hi), min_size=n, max_size=n), min_size=m, max_size=m)

    shapes = st.tuples(st.integers(1, max_rows), st.integers(1, max_cols))
    return shapes.flatmap(lambda mn: st.tuples(matrix(*mn), matrix(*mn)))
