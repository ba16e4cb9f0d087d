"""Normal-form (strategic-form) games with n players and general-sum payoffs.

A game with players 1..n and action sets of sizes A1..An is the payoff tensor ``u`` of shape
``(n, A1, ..., An)``: ``u[i, a1, ..., an]`` is player i's payoff at the pure profile (a1, ..., an).
A mixed profile is a list of probability vectors, one per player.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cached_property
from numbers import Rational
from typing import Any

import numpy as np

from .._numbers import (
    check_float_range,
    format_array,
    fraction_array,
    parse_number,
    sums_are_constant,
    to_fraction,
)
from ..errors import InvalidGameError, InvalidStrategyError
from .base import Game, SumTests

Profile = list[np.ndarray]

_PLAIN_NUMBER_TYPES = (float, int, np.float64, np.float32, np.int64, np.int32)


def _clean_numbers(raw: np.ndarray) -> np.ndarray:
    """An object array of payoffs with strings read as exact numbers, checked to fit a float.

    Raises `ValueError` naming the entry when one is not a number (booleans included), is too
    large for a float, or is a nonzero exact value that a float would round to 0 (so exact and
    float solvers would see different games).
    """
    types = set(map(type, raw.flat))
    if types <= {float, np.float64, np.float32}:
        return raw
    if types <= set(_PLAIN_NUMBER_TYPES) and not any(
        isinstance(x, int) and abs(x) > 2**1023 for x in raw.flat
    ):
        return raw
    out = np.empty(raw.shape, dtype=object)
    for idx, x in np.ndenumerate(raw):
        where = f"payoff u[{idx[0]}][{', '.join(map(str, idx[1:]))}]" if len(idx) > 1 else "a payoff"
        if isinstance(x, (bool, np.bool_)):
            raise ValueError(f"{where} is {x!r}, a boolean, not a number")
        if isinstance(x, (float, np.floating)):
            out[idx] = x
            continue
        if not isinstance(x, (str, int, np.integer, Rational)):
            raise ValueError(f"{where} is {x!r}, not a number")
        try:
            f = to_fraction(x)
            check_float_range(f)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        out[idx] = f if isinstance(x, str) else x
    return out


class NormalFormGame(SumTests, Game):
    """An n-player general-sum game in strategic form.

    >>> g = NormalFormGame.zero_sum([[1, -1], [-1, 1]])   # matching pennies
    >>> g.expected_payoffs([np.array([.5, .5]), np.array([.5, .5])])
    array([0., 0.])
    """

    family = "normal_form"

    def __init__(
        self,
        payoffs: Any,
        *,
        player_labels: Sequence[str] | None = None,
        action_labels: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ):
        try:
            raw = np.asarray(payoffs, dtype=object) if not isinstance(payoffs, np.ndarray) else payoffs
            if raw.dtype == object:
                raw = _clean_numbers(raw)
            u = np.asarray(raw, dtype=float)
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            raise InvalidGameError(f"payoffs must be numbers: {exc}") from None
        if u.ndim < 2:
            raise InvalidGameError(
                f"payoffs must have shape (n, A1, ..., An); got an array of shape {u.shape}"
            )
        n = u.shape[0]
        if u.ndim != n + 1:
            raise InvalidGameError(
                f"payoffs of shape {u.shape} describe {n} players but {u.ndim - 1} action "
                f"axes; expected shape (n, A1, ..., An) with n = {u.ndim - 1}"
            )
        if n < 1 or any(a < 1 for a in u.shape[1:]):
            raise InvalidGameError(f"every player needs at least one action; shape {u.shape}")
        bad = ~np.isfinite(u)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise InvalidGameError(
                f"payoff u[{idx[0]}][{', '.join(map(str, idx[1:]))}] is {u[idx]}; "
                "payoffs must be finite numbers"
            )
        u = u.copy()
        u.setflags(write=False)
        self.payoffs: np.ndarray = u
        self._raw = raw if raw.dtype == object else None
        if player_labels is None:
            player_labels = [str(i + 1) for i in range(n)]
        if isinstance(player_labels, str) or not isinstance(player_labels, Sequence):
            raise InvalidGameError("player_labels must be a list of strings, one per player")
        if len(player_labels) != n:
            raise InvalidGameError(f"{len(player_labels)} player labels for {n} players")
        if action_labels is None:
            action_labels = [[str(a + 1) for a in range(k)] for k in u.shape[1:]]
        if isinstance(action_labels, str) or not isinstance(action_labels, Sequence) or any(
            isinstance(labs, str) or not isinstance(labs, Sequence) for labs in action_labels
        ):
            raise InvalidGameError("action_labels must be a list of lists of strings, one list per player")
        action_labels = [list(map(str, labs)) for labs in action_labels]
        if len(action_labels) != n or any(
            len(labs) != k for labs, k in zip(action_labels, u.shape[1:], strict=False)
        ):
            raise InvalidGameError(
                f"action labels have sizes {[len(x) for x in action_labels]}, "
                f"but the game has {list(u.shape[1:])} actions"
            )
        self.player_labels: tuple[str, ...] = tuple(map(str, player_labels))
        self.action_labels: tuple[tuple[str, ...], ...] = tuple(tuple(x) for x in action_labels)
        self.title = title
        self._freeze()

    # ---- constructors -------------------------------------------------------------------
    @classmethod
    def from_bimatrix(cls, A: Any, B: Any, **kwargs: Any) -> NormalFormGame:
        """Two-player game: row player gets ``A[i, j]``, column player ``B[i, j]``."""
        A_arr, B_arr = np.asarray(A, dtype=object), np.asarray(B, dtype=object)
        if A_arr.ndim != 2 or A_arr.shape != B_arr.shape:
            raise InvalidGameError(
                f"A and B must be matrices of the same shape; got {A_arr.shape} and {B_arr.shape}"
            )
        return cls(np.stack([A_arr, B_arr]), **kwargs)

    @classmethod
    def zero_sum(cls, A: Any, **kwargs: Any) -> NormalFormGame:
        """Two-player zero-sum game: the row player gets ``A[i, j]``, the column player ``-A[i, j]``."""
        A_arr = np.asarray(A, dtype=object)
        if A_arr.ndim != 2:
            raise InvalidGameError(f"A must be a matrix; got shape {A_arr.shape}")
        return cls(np.stack([A_arr, -A_arr]), **kwargs)

    # ---- structure ----------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return self.payoffs.shape[0]

    @property
    def num_actions(self) -> tuple[int, ...]:
        return self.payoffs.shape[1:]

    @property
    def shape(self) -> tuple[int, ...]:
        return self.payoffs.shape

    @cached_property
    def exact_payoffs(self) -> np.ndarray:
        """Payoffs as an object array of `Fraction`; integers and fractions given are kept exactly."""
        src = self._raw if self._raw is not None else self.payoffs
        return fraction_array(src)

    @cached_property
    def payoff_scale(self) -> float:
        """Largest absolute payoff; tolerances scale with it."""
        return float(np.abs(self.payoffs).max())

    def _sums_equal(self, zero: bool) -> bool:
        """Whether ``Σ_i u_i`` is the same (zero when ``zero``) at every profile, relative to the
        payoff scale, exactly for exact payoffs (`equilibria._numbers.sums_are_constant`)."""
        exact = self._raw is not None and not any(isinstance(v, (float, np.floating)) for v in self._raw.flat)
        return sums_are_constant(self.payoffs.sum(axis=0), self.payoff_scale, zero=zero,
                                 exact_sums=(lambda: self.exact_payoffs.sum(axis=0)) if exact else None)

    def bimatrix(self, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(A, B)`` for a two-player game."""
        if self.num_players != 2:
            raise InvalidGameError(f"bimatrix() needs 2 players; this game has {self.num_players}")
        u = self.exact_payoffs if exact else self.payoffs
        return u[0], u[1]

    def default_method(self) -> str:
        if self.num_players == 2:
            if self.is_constant_sum:
                return "lp"
            return "vertex-enumeration" if max(self.num_actions) <= 12 else "lemke-howson"
        return "logit-qre-path"

    # ---- payoffs of mixed profiles --------------------------------------------------------
    def validate_profile(self, profile: Any, exact: bool = False, atol: float = 1e-9) -> Profile:
        """Return the profile as a list of arrays, raising `InvalidStrategyError` if it does not fit."""
        if isinstance(profile, np.ndarray) and profile.ndim == 1 and self.num_players == 1:
            profile = [profile]
        try:
            seq = list(profile)
        except TypeError:
            raise InvalidStrategyError("a profile is a sequence of probability vectors") from None
        if len(seq) != self.num_players:
            raise InvalidStrategyError(
                f"profile has {len(seq)} strategies but the game has {self.num_players} players"
            )
        out: Profile = []
        for i, (s, k) in enumerate(zip(seq, self.num_actions, strict=True)):
            if exact:
                arr = fraction_array(s)
            else:
                try:
                    arr = np.asarray(s, dtype=float)
                except (TypeError, ValueError):
                    raise InvalidStrategyError(f"strategy of player {i + 1} must be numbers") from None
            if arr.shape != (k,):
                raise InvalidStrategyError(
                    f"strategy of player {i + 1} has shape {arr.shape}; expected ({k},)"
                )
            if exact:
                if any(x < 0 for x in arr) or sum(arr, Fraction(0)) != 1:
                    raise InvalidStrategyError(
                        f"strategy of player {i + 1} is not a probability vector: {list(map(str, arr))}"
                    )
            else:
                if not np.all(np.isfinite(arr)) or arr.min() < -atol or abs(arr.sum() - 1) > 1e-6:
                    raise InvalidStrategyError(
                        f"strategy of player {i + 1} is not a probability vector: {arr.tolist()}"
                    )
            out.append(arr)
        return out

    def _u(self, exact: bool) -> np.ndarray:
        return self.exact_payoffs if exact else self.payoffs

    def deviation_payoffs(self, profile: Any, exact: bool = False) -> list[np.ndarray]:
        """``d[i][a] = u_i(a, σ_{-i})``: each player's payoff from each pure action against the others' mix.

        One tensor contraction per player; object arrays give exact results.
        """
        prof = self.validate_profile(profile, exact=exact)
        u = self._u(exact)
        n = self.num_players
        out = []
        for i in range(n):
            t = u[i]
            # contract from the last axis down so remaining axis indices stay valid
            for j in reversed(range(n)):
                if j == i:
                    continue
                t = np.tensordot(t, prof[j], axes=([j], [0]))
            out.append(t)
        return out

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Expected payoff of each player under the mixed profile."""
        prof = self.validate_profile(profile, exact=exact)
        dev = self.deviation_payoffs(prof, exact=exact)
        vals = [dev[i] @ prof[i] for i in range(self.num_players)]
        return np.array(vals, dtype=object if exact else float)

    def pure_payoffs(self, actions: Sequence[int]) -> np.ndarray:
        return self.payoffs[(slice(None), *actions)]

    # ---- conversions ----------------------------------------------------------------------
    def uniform_profile(self, exact: bool = False) -> Profile:
        if exact:
            return [np.array([Fraction(1, k)] * k, dtype=object) for k in self.num_actions]
        return [np.full(k, 1.0 / k) for k in self.num_actions]

    def profile_to_json(self, profile: Any, exact: bool = False) -> list:
        return [format_array(s, exact) for s in profile]

    def profile_from_json(self, data: Any) -> Profile:
        """Inverse of `profile_to_json`: one probability list per player (``"1/3"`` strings = exact).

        Any malformed part raises `InvalidStrategyError`; numbers are read with bounded work.
        """
        if isinstance(data, dict) and "strategies" in data:
            data = data["strategies"]
        if not isinstance(data, list) or not all(isinstance(s, list) for s in data):
            raise InvalidStrategyError("a normal-form profile is a list of per-player probability lists")
        exact = any(isinstance(x, str) for s in data for x in s)
        try:
            parsed = [[parse_number(x) for x in s] for s in data]
            if exact:
                parsed = [[to_fraction(x) for x in s] for s in parsed]
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
            raise InvalidStrategyError(f"profile entries must be numbers: {exc}") from None
        return self.validate_profile(parsed, exact=exact)

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        return f"NormalFormGame{name}(players={self.num_players}, actions={list(self.num_actions)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NormalFormGame) and np.array_equal(self.payoffs, other.payoffs)

    def __hash__(self) -> int:
        return hash(self.payoffs.tobytes())
