"""Reading and writing games: Gambit ``.nfg``/``.efg``, a JSON format, and the OpenSpiel bridge.

`read_game` and `write_game` choose the format by the file's suffix.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from ..errors import GameFormatError

# suffix -> (module, reader, writer); modules are imported on first use
FORMATS: dict[str, tuple[str, str, str]] = {
    ".nfg": ("equilibria.io.nfg", "read_nfg", "write_nfg"),
    ".efg": ("equilibria.io.efg", "read_efg", "write_efg"),
    ".json": ("equilibria.io.json_format", "read_json", "write_json"),
    ".csv": ("equilibria.io.preference_data", "read_preference_file", ""),
    ".jsonl": ("equilibria.io.preference_data", "read_preference_file", ""),
}


def _format(path: str) -> tuple[str, str, str]:
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise GameFormatError(
            f"unknown game file type {suffix or '(none)'!r}; expected one of {', '.join(FORMATS)}",
            path,
        )
    return FORMATS[suffix]


def read_game(path: str | os.PathLike) -> Any:
    """Read a game file; raises `GameFormatError` naming the file and line when it is malformed."""
    path = os.fspath(path)
    module, reader, _ = _format(path)
    if not os.path.exists(path):
        raise GameFormatError("no such file", path)
    return getattr(importlib.import_module(module), reader)(path)


def write_game(game: Any, path: str | os.PathLike) -> None:
    """Write ``game`` in the format given by the suffix of ``path`` (atomically)."""
    path = os.fspath(path)
    module, _, writer = _format(path)
    if not writer:
        raise GameFormatError("this file type can be read but not written", path)
    getattr(importlib.import_module(module), writer)(game, path)
