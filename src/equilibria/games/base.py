"""The `Game` base class: what every game family offers to the solvers, metrics and the CLI."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from typing import Any


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
