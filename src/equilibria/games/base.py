"""The `Game` base class: what every game family offers to the solvers, metrics and the CLI."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np


class Game(ABC):
    """Immutable game data. Subclasses set ``family`` and implement the profile conversions."""

    family: str = "game"
    title: str = ""

    @property
    @abstractmethod
    def num_players(self) -> int: ...

    @abstractmethod
    def default_method(self) -> str:
        """The method `solve` uses when none is named."""

    @abstractmethod
    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        """A profile in JSON form: labels instead of indices, ``"1/3"`` strings in exact mode."""

    @abstractmethod
    def profile_from_json(self, data: Any) -> Any:
        """Inverse of `profile_to_json`; raises `InvalidStrategyError` on a profile that does not fit."""

    @abstractmethod
    def uniform_profile(self, exact: bool = False) -> Any:
        """The profile in which every player mixes uniformly (`Fraction` entries when ``exact``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable; build a new game instead")
        object.__setattr__(self, name, value)

    def _freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)


class SumTests:
    """``is_constant_sum`` and ``is_zero_sum`` for a game class that defines ``_sums_equal(zero)``:
    whether the players' payoff sums are the same (all 0 when ``zero``) at every outcome, as
    `equilibria._numbers.sums_are_constant` decides it. Computed once per (immutable) game."""

    def _sums_equal(self, zero: bool) -> bool:
        raise NotImplementedError

    @cached_property
    def is_constant_sum(self) -> bool:
        return self._sums_equal(zero=False)

    @cached_property
    def is_zero_sum(self) -> bool:
        return self._sums_equal(zero=True)


def row_from_json(data: Any, index: Mapping[str, int], size: int, *, where: str, item: str) -> np.ndarray:
    """A JSON object ``{label: number}`` as a vector of ``size`` floats (0 where a label is absent),
    ``index`` giving each label's position: the innermost table of every labelled profile format
    (a market's shares of a buyer, a preference policy's probabilities in a context, a bandit
    strategy, a verifiable-reward policy at a prefix). `InvalidStrategyError` naming ``where`` for
    anything else: not an object, a label that is not an ``item`` of the game, a value that is not a
    number (numbers may be given as ``"1/3"`` strings)."""
    from .._numbers import parse_number
    from ..errors import InvalidStrategyError

    if not isinstance(data, dict):
        raise InvalidStrategyError(
            f"{where}: expected an object {{{item}: number}}, not {type(data).__name__}")
    row = np.zeros(size)
    for label, value in data.items():
        k = index.get(label) if isinstance(label, str) else None
        if k is None:
            known = ", ".join(map(repr, list(index)[:10])) + (", ..." if len(index) > 10 else "")
            raise InvalidStrategyError(f"{where}: unknown {item} {label!r} (the {item}s are {known})")
        try:
            row[k] = float(parse_number(value))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            raise InvalidStrategyError(f"{where}: the value for {item} {label!r} is not a number") from None
    return row
