"""equilibria's JSON game format.

A file is one JSON object whose ``"format"`` names the kind of game, so that each game family can
add its own layout. The normal-form layout is::

    {
      "format": "equilibria.normal_form",
      "version": 1,
      "title": "Matching pennies",
      "players": ["Matcher", "Mismatcher"],
      "actions": [["Heads", "Tails"], ["Heads", "Tails"]],
      "payoffs": [[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]
    }

``payoffs[i][a1]...[an]`` is player i's payoff at the pure profile (a1, ..., an), i.e. a nested
list of shape (n, A1, ..., An). Numbers are JSON numbers or strings ``"p/q"``; all of them are
read exactly (a JSON ``0.1`` is 1/10), and `write_json` writes short decimals as JSON numbers and
other rationals as ``"p/q"``, so the round trip is exact. ``title``, ``players`` and ``actions``
may be omitted.

Formats are looked up in `FORMATS` (format name -> family and the ``module:function`` of its
reader and writer), imported on first use, so a new family adds one entry there.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from .._numbers import check_float_range, to_fraction
from ..errors import GameFormatError, InvalidGameError, SizeLimitError
from ..games.normal_form import NormalFormGame
from ._files import read_text
from ._json_text import JsonPath, line_of, load_json_text

#: format name -> (game family, "module:reader(data, path)", "module:writer(game)")
FORMATS: dict[str, tuple[str, str, str]] = {
    "equilibria.normal_form": (
        "normal_form",
        "equilibria.io.json_format:normal_form_from_dict",
        "equilibria.io.json_format:normal_form_to_dict",
    ),
    "equilibria.extensive_form": (
        "extensive_form",
        "equilibria.io.extensive_json:extensive_form_from_dict",
        "equilibria.io.extensive_json:extensive_form_to_dict",
    ),
}


def _load(spec: str) -> Callable[..., Any]:
    module, func = spec.split(":")
    return getattr(importlib.import_module(module), func)


class _SchemaError(Exception):
    """A node of a parsed document is wrong; turned into `GameFormatError` with the node's line.

    ``path`` is the node's position from the document's root (keys and list indices); without it,
    the top-level ``field``.
    """

    def __init__(self, field: str, message: str, path: JsonPath | None = None):
        self.field = field
        self.path = (field,) if path is None else tuple(path)
        super().__init__(f"field {field!r}: {message}")


def _field_line(text: str | None, path: JsonPath) -> int | None:
    """Line of the node at ``path`` in the source (or of its nearest ancestor found)."""
    path = tuple(path)
    while True:  # a missing field: the line of the object that lacks it
        line = line_of(text, path)
        if line is not None or not path:
            return line
        path = path[:-1]


# ---- normal form --------------------------------------------------------------------------------
def _exact_number(x: Any, where: str, path: JsonPath | None = None, field: str = "payoffs") -> Fraction | int:
    if isinstance(x, bool) or not isinstance(x, int | float | str | Fraction):
        shown = json.dumps(x) if isinstance(x, (bool, type(None))) else type(x).__name__
        raise _SchemaError(field, f"{where} is {shown}; expected a number or a string like \"1/3\"", path)
    try:
        f = to_fraction(x)
        check_float_range(f)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise _SchemaError(field, f"{where}: {exc}", path) from None
    return x if isinstance(x, int) else f


def _payoff_array(data: Any, shape: tuple[int, ...] | None) -> np.ndarray:
    """Nested lists -> object array, checking that the nesting is rectangular and the leaves numbers."""
    def depth_shape(x: Any, where: str) -> list[int]:
        if isinstance(x, list):
            if not x:
                raise _SchemaError("payoffs", f"{where} is an empty list")
            inner = [depth_shape(y, f"{where}[{k}]") for k, y in enumerate(x)]
            if any(s != inner[0] for s in inner):
                k = next(k for k, s in enumerate(inner) if s != inner[0])
                raise _SchemaError("payoffs", f"{where}[{k}] has shape {tuple(inner[k])} but "
                                   f"{where}[0] has shape {tuple(inner[0])}; the nesting must be rectangular",
                                   ("payoffs", *_indices(where), k))
            return [len(x), *inner[0]]
        return []

    found = tuple(depth_shape(data, "payoffs"))
    if len(found) < 2 or len(found) != found[0] + 1:
        raise _SchemaError("payoffs", f"has shape {found}; expected (n, A1, ..., An) for n players")
    if shape is not None and found != shape:
        raise _SchemaError("payoffs", f"has shape {found}, but players and actions give {shape}")
    out = np.empty(found, dtype=object)
    for idx in np.ndindex(*found):
        x: Any = data
        for k in idx:
            x = x[k]
        out[idx] = _exact_number(x, "payoffs" + "".join(f"[{k}]" for k in idx), ("payoffs", *idx))
    return out


def _indices(where: str) -> list[int]:
    return [int(k) for k in re.findall(r"\[(\d+)\]", where)]


def _labels(data: dict[str, Any], field: str) -> Any:
    val = data.get(field)
    if val is None:
        return None
    strings = lambda xs: isinstance(xs, list) and all(isinstance(x, str) for x in xs)
    ok = strings(val) if field == "players" else isinstance(val, list) and all(strings(a) for a in val)
    if not ok:
        kind = "a list of strings" if field == "players" else "a list of lists of strings, one per player"
        raise _SchemaError(field, f"must be {kind}")
    for i, group in enumerate([val] if field == "players" else val):
        dup = _first_duplicate(group)
        if dup is not None:
            whose = "" if field == "players" else f" of player {i + 1}"
            raise _SchemaError(field, f"the label {group[dup]!r}{whose} appears twice; labels must be unique",
                               (field, dup) if field == "players" else (field, i, dup))
    return val


def _first_duplicate(labels: list[str]) -> int | None:
    """Index of the first label equal to an earlier one."""
    seen: set[str] = set()
    for k, lab in enumerate(labels):
        if lab in seen:
            return k
        seen.add(lab)
    return None


def normal_form_from_dict(data: dict[str, Any], path: str | None = None) -> NormalFormGame:
    """A `NormalFormGame` from the ``equilibria.normal_form`` layout; payoffs are kept exact."""
    _check_version(data)
    title = data.get("title", "")
    if not isinstance(title, str):
        raise _SchemaError("title", "must be a string")
    players = _labels(data, "players")
    actions = _labels(data, "actions")
    if "payoffs" not in data:
        raise _SchemaError("payoffs", "is missing; it holds the payoff tensor of shape (n, A1, ..., An)")
    shape = None
    if actions is not None:
        if players is not None and len(players) != len(actions):
            raise _SchemaError("actions", f"lists {len(actions)} players but 'players' has {len(players)}")
        shape = (len(actions), *map(len, actions))
    elif players is not None:
        found = data["payoffs"]
        if isinstance(found, list) and len(found) != len(players):
            raise _SchemaError("payoffs", f"has {len(found)} entries but there are {len(players)} players")
    u = _payoff_array(data["payoffs"], shape)
    try:
        return NormalFormGame(u, player_labels=players, action_labels=actions, title=title)
    except InvalidGameError as exc:
        raise _SchemaError("payoffs", str(exc)) from None


def _check_version(data: dict[str, Any]) -> None:
    version = data.get("version", 1)
    if isinstance(version, bool) or version != 1:
        shown = json.dumps(version) if isinstance(version, bool) else repr(version)
        raise _SchemaError("version", f"is {shown}; this reader knows version 1")


def _json_number(x: Fraction) -> int | float | str:
    """An integer, a float whose shortest repr is exactly ``x`` (so ``0.25`` stays ``0.25``), or ``"p/q"``."""
    if x.denominator == 1:
        return x.numerator
    f = float(x)
    if Fraction(repr(f)) == x:
        return f
    return f"{x.numerator}/{x.denominator}"


def normal_form_to_dict(game: NormalFormGame) -> dict[str, Any]:
    """The ``equilibria.normal_form`` layout of ``game`` with exact numbers."""
    u = game.exact_payoffs
    payoffs = np.vectorize(_json_number, otypes=[object])(u).tolist()
    return {
        "format": "equilibria.normal_form",
        "version": 1,
        "title": game.title,
        "players": list(game.player_labels),
        "actions": [list(a) for a in game.action_labels],
        "payoffs": payoffs,
    }


# ---- dispatch -----------------------------------------------------------------------------------
def game_from_dict(data: Any, path: str | os.PathLike | None = None) -> Any:
    """A game from a parsed JSON document, dispatching on its ``"format"`` field."""
    return _from_dict(data, None if path is None else os.fspath(path), None)


def _from_dict(data: Any, where: str | None, _text: str | None) -> Any:
    """`game_from_dict`, with the source text (when there is one) to find the line of a bad field."""
    if not isinstance(data, dict):
        raise GameFormatError("a game file holds one JSON object with a \"format\" field", where, 1)
    fmt = data.get("format")
    if not isinstance(fmt, str) or fmt not in FORMATS:
        known = ", ".join(repr(k) for k in FORMATS)
        shown = repr(fmt) if isinstance(fmt, (str, type(None))) else f"a {type(fmt).__name__}"
        raise GameFormatError(f"field 'format' is {shown}; expected one of {known}", where,
                              _field_line(_text, ("format",)))
    try:
        return _load(FORMATS[fmt][1])(data, where)
    except _SchemaError as exc:
        raise GameFormatError(str(exc), where, _field_line(_text, exc.path)) from None
    except RecursionError:
        raise GameFormatError("the document is nested too deeply", where) from None
    except SizeLimitError as exc:
        raise GameFormatError(str(exc), where, _field_line(_text, ("root",))) from None


def game_to_dict(game: Any) -> dict[str, Any]:
    """The JSON document of ``game``, in the format registered for its family."""
    family = getattr(game, "family", None)
    for _name, (fam, _reader, writer) in FORMATS.items():
        if fam == family:
            return _load(writer)(game)
    raise InvalidGameError(f"there is no JSON format for {family or type(game).__name__} games yet")


def parse_json(text: str, path: str | os.PathLike | None = None) -> Any:
    """Parse the text of a JSON game file; bad JSON raises `GameFormatError` with its line."""
    where = None if path is None else os.fspath(path)
    # decimals are read exactly: "0.1" is 1/10, not the double nearest to it
    data = load_json_text(text, where, exact=True)
    return _from_dict(data, where, text)


def read_json(path: str | os.PathLike) -> Any:
    """Read a game from a JSON file written by `write_json` (or by hand)."""
    where = os.fspath(path)
    return parse_json(read_text(where), where)


def read_profile_json(path: str | os.PathLike) -> Any:
    """The JSON document of a strategy profile file (for ``equilibria eval``), read safely.

    Numbers are floats (strings such as ``"1/3"`` stay strings, for ``profile_from_json``); bad
    UTF-8, bad JSON, deep nesting, duplicate keys and numbers out of float range raise
    `GameFormatError` with the file and line.
    """
    where = os.fspath(path)
    return load_json_text(read_text(where), where, exact=False)


def format_json(game: Any) -> str:
    """JSON text of ``game``: one key per line, the innermost payoff lists on one line each."""
    doc = game_to_dict(game)

    def dump(x: Any, indent: int) -> str:
        if isinstance(x, list) and x and any(isinstance(y, list) for y in x):
            pad = " " * (indent + 2)
            return "[\n" + ",\n".join(pad + dump(y, indent + 2) for y in x) + "\n" + " " * indent + "]"
        return json.dumps(x, ensure_ascii=False)

    body = ",\n".join(f"  {json.dumps(k)}: {dump(v, 2)}" for k, v in doc.items())
    return "{\n" + body + "\n}\n"


def write_json(game: Any, path: str | os.PathLike) -> None:
    """Write ``game`` as a JSON game file, atomically, with exact numbers."""
    from ..run import atomic_write_bytes

    atomic_write_bytes(path, format_json(game).encode("utf-8"))
