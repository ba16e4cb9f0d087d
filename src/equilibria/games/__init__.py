"""Game families, one module each: the data and its payoff semantics, nothing about solving."""

from .base import Game
from .normal_form import NormalFormGame

__all__ = ["Game", "NormalFormGame"]
