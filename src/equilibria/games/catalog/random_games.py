"""Random normal-form games drawn with a seed: the usual test beds for equilibrium algorithms.

Every generator takes ``seed`` (default 0), so a spec such as ``random_integer(rows=8, cols=8,
seed=3)`` names one fixed game. The shape is given either as ``rows``/``cols`` (two players) or as
``actions``: an integer (the same count for each of ``players``) or one count per player.

* `random_uniform`, `random_gaussian`: i.i.d. payoffs; nondegenerate with probability 1.
* `random_integer`: i.i.d. integers in [low, high]; small ranges give ties, i.e. degenerate games.
* `random_zero_sum`: a random matrix A against -A.
* `random_covariant`: each outcome's payoff vector is multivariate normal with unit variances and
  correlation ``rho`` between every pair of players, GAMUT's CovariantGame (Nudelman, Wortman,
  Shoham & Leyton-Brown, "Run the GAMUT: a comprehensive approach to evaluating game-theoretic
  algorithms", AAMAS 2004). rho = 1 gives common payoffs; rho = -1 with two players gives a
  zero-sum game.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...errors import InvalidParameterError
from ...registry import register_game
from ..normal_form import NormalFormGame

#: largest number of payoff entries (players x profiles) a generator builds
MAX_ENTRIES = 10_000_000


def _int(x: Any, name: str, minimum: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(x)


def game_shape(rows: int | None, cols: int | None, actions: Any, players: int | None) -> tuple[int, ...]:
    """The action counts (A1, ..., An) from either ``rows``/``cols`` or ``actions`` and ``players``."""
    if rows is not None or cols is not None:
        if actions is not None:
            raise InvalidParameterError("give either rows/cols or actions, not both")
        if players not in (None, 2):
            raise InvalidParameterError("rows/cols describe a two-player game; use actions=... for n players")
        r = _int(rows if rows is not None else cols, "rows", 1)
        c = _int(cols if cols is not None else rows, "cols", 1)
        return (r, c)
    if actions is None:
        actions = 3
    if isinstance(actions, list | tuple):
        shape = tuple(_int(a, "actions", 1) for a in actions)
        if len(shape) < 1 or (players is not None and players != len(shape)):
            raise InvalidParameterError(
                f"actions={actions!r} gives {len(shape)} players but players={players!r}"
            )
    else:
        n = _int(2 if players is None else players, "players", 1)
        shape = (_int(actions, "actions", 1),) * n
    entries = len(shape) * math.prod(shape)
    if entries > MAX_ENTRIES:
        raise InvalidParameterError(f"a game of shape {shape} has {entries} payoffs; at most {MAX_ENTRIES}")
    return shape


def _seed(seed: Any) -> int:
    return _int(seed, "seed", 0)


def _title(kind: str, shape: tuple[int, ...], seed: int, extra: str = "") -> str:
    return f"Random {kind} game {'x'.join(map(str, shape))}{extra} (seed {seed})"


@register_game("random_uniform", family="normal_form")
def random_uniform(rows: int | None = None, cols: int | None = None, actions: Any = None,
                   players: int | None = None, seed: int = 0, low: float = 0.0,
                   high: float = 1.0) -> NormalFormGame:
    """Payoffs i.i.d. uniform on [low, high)."""
    shape = game_shape(rows, cols, actions, players)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise InvalidParameterError(f"random_uniform needs finite low < high, got {low}, {high}")
    rng = np.random.default_rng(_seed(seed))
    u = rng.uniform(low, high, size=(len(shape), *shape))
    return NormalFormGame(u, title=_title("uniform", shape, seed))


@register_game("random_gaussian", family="normal_form")
def random_gaussian(rows: int | None = None, cols: int | None = None, actions: Any = None,
                    players: int | None = None, seed: int = 0, mean: float = 0.0,
                    std: float = 1.0) -> NormalFormGame:
    """Payoffs i.i.d. normal with the given mean and standard deviation."""
    shape = game_shape(rows, cols, actions, players)
    if not (np.isfinite(mean) and np.isfinite(std) and std > 0):
        raise InvalidParameterError(f"random_gaussian needs a finite mean and std > 0, got {mean}, {std}")
    rng = np.random.default_rng(_seed(seed))
    u = rng.normal(mean, std, size=(len(shape), *shape))
    return NormalFormGame(u, title=_title("Gaussian", shape, seed))


@register_game("random_integer", family="normal_form")
def random_integer(rows: int | None = None, cols: int | None = None, actions: Any = None,
                   players: int | None = None, seed: int = 0, low: int = 0, high: int = 9) -> NormalFormGame:
    """Payoffs i.i.d. uniform on the integers low, ..., high (inclusive).

    A narrow range makes ties likely, hence degenerate games: the hard cases for support
    enumeration and pivoting methods.
    """
    shape = game_shape(rows, cols, actions, players)
    for v, name in ((low, "low"), (high, "high")):
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise InvalidParameterError(f"random_integer {name} must be an integer, got {v!r}")
    if low > high:
        raise InvalidParameterError(f"random_integer needs low <= high, got {low}, {high}")
    rng = np.random.default_rng(_seed(seed))
    u = rng.integers(low, high, size=(len(shape), *shape), endpoint=True)
    return NormalFormGame(u.astype(object), title=_title("integer", shape, seed, f" in [{low}, {high}]"))


@register_game("random_zero_sum", family="normal_form")
def random_zero_sum(rows: int | None = None, cols: int | None = None, actions: Any = None,
                    seed: int = 0, distribution: str = "uniform", low: int | float = -1,
                    high: int | float = 1) -> NormalFormGame:
    """Two-player zero-sum game: the row player's matrix A is random, the column player gets -A.

    ``distribution`` is ``"uniform"`` (on [low, high)), ``"gaussian"`` (standard normal) or
    ``"integer"`` (integers low..high inclusive, exact).
    """
    shape = game_shape(rows, cols, actions, 2)
    rng = np.random.default_rng(_seed(seed))
    if distribution == "uniform":
        if not low < high:
            raise InvalidParameterError(f"random_zero_sum needs low < high, got {low}, {high}")
        A: np.ndarray = rng.uniform(low, high, size=shape)
    elif distribution == "gaussian":
        A = rng.standard_normal(shape)
    elif distribution == "integer":
        if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in (low, high)) \
                or low > high:
            raise InvalidParameterError(f"integer payoffs need integers low <= high, got {low!r}, {high!r}")
        A = rng.integers(low, high, size=shape, endpoint=True).astype(object)
    else:
        raise InvalidParameterError(
            f"random_zero_sum distribution must be 'uniform', 'gaussian' or 'integer', got {distribution!r}"
        )
    return NormalFormGame.zero_sum(A, title=_title(f"zero-sum {distribution}", shape, seed))


@register_game("random_covariant", family="normal_form")
def random_covariant(rho: float = 0.0, rows: int | None = None, cols: int | None = None,
                     actions: Any = None, players: int | None = None, seed: int = 0) -> NormalFormGame:
    """GAMUT's covariant game (Nudelman et al., AAMAS 2004): correlated normal payoff vectors.

    For each pure profile the payoff vector (u_1, ..., u_n) is normal with mean 0, variance 1 and
    correlation ``rho`` between any two players; a valid covariance needs -1/(n-1) <= rho <= 1.
    It is built from independent standard normals Z_1..Z_n, W as
    u_i = sqrt(1 - rho) (Z_i - Z̄) + sqrt((1 + (n-1) rho) / n) W, which has exactly that covariance
    for every valid rho. At rho = 1 every player gets W (common payoffs); at rho = -1/(n-1) the
    payoffs sum to zero (for n = 2 exactly: the second deviation is the negated first).
    """
    shape = game_shape(rows, cols, actions, players)
    n = len(shape)
    if n < 2:
        raise InvalidParameterError("a covariant game needs at least 2 players")
    lo = -1.0 / (n - 1)
    if isinstance(rho, bool) or not isinstance(rho, int | float) or not lo <= rho <= 1:
        raise InvalidParameterError(f"rho must be a number in [{lo:g}, 1] for {n} players, got {rho!r}")
    rng = np.random.default_rng(_seed(seed))
    Z = rng.standard_normal((n, *shape))
    W = rng.standard_normal(shape)
    if n == 2:
        # Z - Z̄ = ±(Z_1 - Z_2)/2; negate instead of subtracting so zero-sum holds exactly at rho = -1
        half = (Z[0] - Z[1]) / 2
        dev = np.stack([half, -half])
    else:
        dev = Z - Z.mean(axis=0)
    u = math.sqrt(1.0 - rho) * dev + math.sqrt(max(0.0, (1.0 + (n - 1) * rho) / n)) * W
    return NormalFormGame(u, title=_title(f"covariant (rho={rho:g})", shape, seed))
