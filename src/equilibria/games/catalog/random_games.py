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
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._checks import check_choice, check_int, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..normal_form import NormalFormGame
from ._limits import FLOAT_ENTRY_BYTES, MAX_PAYOFF, call, check_entries, log_size_ok, payoff

#: integer payoffs stay exactly representable as floats
MAX_INT_PAYOFF = 2**53

def _count(x: Any, name: str) -> int:
    return check_int(name, x, minimum=1)


def game_shape(rows: Any, cols: Any, actions: Any, players: Any, what: str = "random game",
               exact: bool = False) -> tuple[int, ...]:
    """The action counts (A1, ..., An) from either ``rows``/``cols`` or ``actions`` and ``players``.

    The payoff table's memory is checked against the size limit (`SizeLimitError`) from the counts
    alone, before anything is allocated; huge counts are refused without being multiplied out.
    """
    if rows is not None or cols is not None:
        if actions is not None:
            raise InvalidParameterError("give either rows/cols or actions, not both")
        if players is not None and check_int("players", players, minimum=1) != 2:
            raise InvalidParameterError("rows/cols describe a two-player game; use actions=... for n players")
        r = _count(rows if rows is not None else cols, "rows")
        c = _count(cols if cols is not None else rows, "cols")
        shape: tuple[int, ...] = (r, c)
    elif isinstance(actions, list | tuple):
        if not actions:
            raise InvalidParameterError("actions must list at least one player's action count")
        shape = tuple(_count(a, f"actions[{i}]") for i, a in enumerate(actions))
        if players is not None and check_int("players", players, minimum=1) != len(shape):
            raise InvalidParameterError(
                f"actions={actions!r} gives {len(shape)} players but players={players!r}"
            )
    else:
        n = check_int("players", 2 if players is None else players, minimum=1)
        a = _count(3 if actions is None else actions, "actions")
        # n * a**n entries: refuse astronomically large tables before forming the power
        log_size_ok(n * math.log2(max(a, 2)) if a > 1 else 0.0, what, FLOAT_ENTRY_BYTES)
        shape = (a,) * n
    log_size_ok(sum(math.log2(a) for a in shape), what, FLOAT_ENTRY_BYTES)
    check_entries(what, len(shape) * math.prod(shape), exact=exact)
    return shape


def _seed(seed: Any) -> int:
    return check_int("seed", seed, minimum=0, maximum=2**63 - 1)


def _what(name: str, **params: Any) -> str:
    return call(name, **{k: v for k, v in params.items() if v is not None})


def _title(kind: str, shape: tuple[int, ...], seed: int, extra: str = "") -> str:
    return f"Random {kind} game {'x'.join(map(str, shape))}{extra} (seed {seed})"


def _int_bounds(low: Any, high: Any) -> tuple[int, int]:
    """Integer payoff bounds, each exactly representable as a float."""
    return (check_int("low", low, minimum=-MAX_INT_PAYOFF, maximum=MAX_INT_PAYOFF),
            check_int("high", high, minimum=-MAX_INT_PAYOFF, maximum=MAX_INT_PAYOFF))


def _iid_payoffs(name: str, rows: Any, cols: Any, actions: Any, players: Any, seed: int,
                 draw: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray],
                 exact: bool = False) -> tuple[tuple[int, ...], np.ndarray]:
    """The game's shape (size-checked by `game_shape`) and its payoff tables, shape (n, *shape),
    drawn at once as ``draw(rng, size)`` from ``seed``."""
    what = _what(name, rows=rows, cols=cols, actions=actions, players=players)
    shape = game_shape(rows, cols, actions, players, what, exact=exact)
    return shape, draw(np.random.default_rng(seed), (len(shape), *shape))


@register_game("random_uniform", family="normal_form")
def random_uniform(rows: int | None = None, cols: int | None = None, actions: Any = None,
                   players: int | None = None, seed: int = 0, low: float = 0.0,
                   high: float = 1.0) -> NormalFormGame:
    """Payoffs i.i.d. uniform on [low, high)."""
    seed = _seed(seed)
    low, high = payoff("low", low), payoff("high", high)
    if not low < high:
        raise InvalidParameterError(f"random_uniform needs low < high, got {low}, {high}")
    shape, u = _iid_payoffs("random_uniform", rows, cols, actions, players, seed,
                            lambda rng, size: rng.uniform(low, high, size=size))
    return NormalFormGame(u, title=_title("uniform", shape, seed))


@register_game("random_gaussian", family="normal_form")
def random_gaussian(rows: int | None = None, cols: int | None = None, actions: Any = None,
                    players: int | None = None, seed: int = 0, mean: float = 0.0,
                    std: float = 1.0) -> NormalFormGame:
    """Payoffs i.i.d. normal with the given mean and standard deviation."""
    seed = _seed(seed)
    mean = payoff("mean", mean)
    # std <= MAX_PAYOFF / 100: draws beyond 100 standard deviations do not occur
    std = check_real("std", std, minimum=0.0, strict_minimum=True, maximum=MAX_PAYOFF / 100)
    shape, u = _iid_payoffs("random_gaussian", rows, cols, actions, players, seed,
                            lambda rng, size: rng.normal(mean, std, size=size))
    return NormalFormGame(u, title=_title("Gaussian", shape, seed))


@register_game("random_integer", family="normal_form")
def random_integer(rows: int | None = None, cols: int | None = None, actions: Any = None,
                   players: int | None = None, seed: int = 0, low: int = 0, high: int = 9) -> NormalFormGame:
    """Payoffs i.i.d. uniform on the integers low, ..., high (inclusive).

    A narrow range makes ties likely, hence degenerate games: the hard cases for support
    enumeration and pivoting methods.
    """
    seed = _seed(seed)
    low, high = _int_bounds(low, high)
    if low > high:
        raise InvalidParameterError(f"random_integer needs low <= high, got {low}, {high}")
    shape, u = _iid_payoffs("random_integer", rows, cols, actions, players, seed,
                            lambda rng, size: rng.integers(low, high, size=size, endpoint=True), exact=True)
    return NormalFormGame(u.astype(object), title=_title("integer", shape, seed, f" in [{low}, {high}]"))


@register_game("random_zero_sum", family="normal_form")
def random_zero_sum(rows: int | None = None, cols: int | None = None, actions: Any = None,
                    seed: int = 0, distribution: str = "uniform", low: int | float = -1,
                    high: int | float = 1) -> NormalFormGame:
    """Two-player zero-sum game: the row player's matrix A is random, the column player gets -A.

    ``distribution`` is ``"uniform"`` (on [low, high)), ``"gaussian"`` (standard normal) or
    ``"integer"`` (integers low..high inclusive, exact).
    """
    seed = _seed(seed)
    distribution = check_choice("distribution", distribution, ("uniform", "gaussian", "integer"))
    if distribution == "integer":
        low, high = _int_bounds(low, high)
    else:
        low, high = payoff("low", low), payoff("high", high)
    what = _what("random_zero_sum", rows=rows, cols=cols, actions=actions)
    shape = game_shape(rows, cols, actions, 2, what, exact=distribution == "integer")
    rng = np.random.default_rng(seed)
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
    seed = _seed(seed)
    rho = check_real("rho", rho, minimum=-1.0, maximum=1.0)
    shape = game_shape(rows, cols, actions, players,
                       _what("random_covariant", rows=rows, cols=cols, actions=actions, players=players))
    n = len(shape)
    if n < 2:
        raise InvalidParameterError("a covariant game needs at least 2 players")
    lo = -1.0 / (n - 1)
    if not lo <= rho <= 1:
        raise InvalidParameterError(f"rho must be a number in [{lo:g}, 1] for {n} players, got {rho!r}")
    rng = np.random.default_rng(seed)
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
