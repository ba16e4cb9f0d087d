"""equilibria: describe strategic interactions as games, compute or learn their equilibria, and
measure how far any strategy is from one.

    >>> import equilibria as eq
    >>> game = eq.load_game("rock_paper_scissors")
    >>> [s.strategies for s in eq.solve(game, method="lp")]      # doctest: +SKIP
    >>> eq.nash_conv(game, game.uniform_profile())
    0.0
"""

from ._checks import set_size_limit, size_limit
from .api import load_game, make_learner, solve, verify
from .errors import (
    CheckpointError,
    DegenerateGameError,
    DivergenceError,
    EquilibriaError,
    GameFormatError,
    InvalidGameError,
    InvalidParameterError,
    InvalidStrategyError,
    NotApplicableError,
    PerfectRecallError,
    SizeLimitError,
    SolverError,
    UnknownNameError,
)
from .games import Game, NormalFormGame
from .metrics import (
    best_response,
    best_response_values,
    cce_gap,
    ce_gap,
    deviation_gains,
    exploitability,
    nash_conv,
)
from .registry import GAMES, METHODS, register_game, register_method
from .run import Learner, Trace, run
from .solution import Solution

__version__ = "0.1.0"

__all__ = [
    "GAMES",
    "METHODS",
    "CheckpointError",
    "DegenerateGameError",
    "DivergenceError",
    "EquilibriaError",
    "Game",
    "GameFormatError",
    "InvalidGameError",
    "InvalidParameterError",
    "InvalidStrategyError",
    "Learner",
    "NormalFormGame",
    "NotApplicableError",
    "PerfectRecallError",
    "SizeLimitError",
    "Solution",
    "SolverError",
    "Trace",
    "UnknownNameError",
    "best_response",
    "best_response_values",
    "cce_gap",
    "ce_gap",
    "deviation_gains",
    "exploitability",
    "load_game",
    "make_learner",
    "nash_conv",
    "register_game",
    "register_method",
    "run",
    "set_size_limit",
    "size_limit",
    "solve",
    "verify",
]
