"""Exception types. Every error the library raises on purpose derives from `EquilibriaError`.

The CLI catches `EquilibriaError` and prints its message as one line, so messages must say what
was wrong and what to do about it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class EquilibriaError(Exception):
    """Base class of every error raised on purpose by equilibria."""


class InvalidGameError(EquilibriaError, ValueError):
    """A game's data is inconsistent: wrong shape, NaN or inf payoffs, bad probabilities, ..."""


class InvalidStrategyError(EquilibriaError, ValueError):
    """A strategy or profile does not fit the game (wrong shape, negative, does not sum to 1)."""


class InvalidParameterError(EquilibriaError, ValueError):
    """A method or game was given a parameter it cannot use (negative step size, unknown option)."""


class SizeLimitError(InvalidParameterError):
    """A game or run would need more memory than the size limit allows (see ``--max-size``)."""


class NotApplicableError(EquilibriaError, ValueError):
    """The method does not apply to this game (e.g. an LP for zero-sum games on a general-sum game)."""


class DegenerateGameError(EquilibriaError, ValueError):
    """The game is degenerate and the chosen method cannot guarantee a correct answer on it."""


class SolverError(EquilibriaError, RuntimeError):
    """A solver failed (an LP reported infeasibility where theory says it cannot, ...)."""


class DivergenceError(SolverError):
    """A learner's iterates or NashConv became NaN or infinite: the run diverged (step size too large?)."""


class PerfectRecallError(InvalidGameError):
    """An extensive-form game violates perfect recall."""


class GameFormatError(EquilibriaError, ValueError):
    """A game file is malformed. The message names the file and the line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(where + message)


class UnknownNameError(EquilibriaError, KeyError):
    """An unknown game, method or option name. The message lists the closest known names."""

    def __init__(self, kind: str, name: str, known: Iterable[str]):
        self.kind = kind
        self.name = name
        known = sorted(known)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        msg = f"unknown {kind} {name!r}"
        if close:
            msg += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
        else:
            msg += f"; run `equilibria {kind}s` to list the {len(known)} known names"
        self.message = msg
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class CheckpointError(EquilibriaError):
    """A checkpoint cannot be read or does not match the run it is resumed into."""


class NotMonotoneWarning(UserWarning):
    """A method whose guarantee needs a monotone game (two-player zero-sum, or a monotone vector field)
    is run on a game that is not: it may cycle or diverge, and its answer must be checked (NashConv)."""
