"""equilibria: describe strategic interactions as games, compute or learn their equilibria, and
measure how far any strategy is from one.

    >>> import equilibria as eq
    >>> game = eq.load_game("rock_paper_scissors")
    >>> [s.strategies for s in eq.solve(game, method="lp")]      # doctest: +SKIP
    >>> eq.nash_conv(game, game.uniform_profile())
    0.0
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING

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

# eager: ``equilibria.run`` is both a submodule and its run-loop function, and a lazy import of the
# submodule would rebind the package attribute to the module
from .run import Learner, Trace, run

#: the public names loaded on first use (PEP 562), so that ``equilibria --help`` and
#: ``equilibria games`` do not pay for numpy-heavy modules, scipy or the metrics of every family
_LAZY: dict[str, str] = {
    "set_size_limit": "._checks",
    "size_limit": "._checks",
    "load_game": ".api",
    "make_learner": ".api",
    "solve": ".api",
    "verify": ".api",
    "Game": ".games",
    "NormalFormGame": ".games",
    "best_response": ".metrics",
    "best_response_values": ".metrics",
    "cce_gap": ".metrics",
    "ce_gap": ".metrics",
    "deviation_gains": ".metrics",
    "exploitability": ".metrics",
    "nash_conv": ".metrics",
    "GAMES": ".registry",
    "METHODS": ".registry",
    "register_game": ".registry",
    "register_method": ".registry",
    "Solution": ".solution",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._checks import set_size_limit, size_limit
    from .api import load_game, make_learner, solve, verify
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
    from .solution import Solution


def __getattr__(name: str) -> object:
    """Load a public name (or a subpackage such as ``equilibria.metrics``) on first use."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(_import_module(module, __name__), name)
    else:
        try:
            value = _import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
