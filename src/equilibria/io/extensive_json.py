"""The ``equilibria.extensive_form`` layout of the JSON game format: the tree as nested objects.

::

    {"format": "equilibria.extensive_form", "version": 1, "title": "...", "players": ["1", "2"],
     "root": {"chance": [["deal J", "1/3", NODE], ...]}}

where a NODE is ``{"chance": [[label, probability, NODE], ...]}``, ``{"player": 1, "infoset":
"label", "actions": [[label, NODE], ...]}`` (players count from 1, as in Gambit files) or
``{"payoffs": [u1, ..., un]}``. Numbers are JSON numbers or ``"p/q"`` strings and are kept exact.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidGameError
from ..games.extensive_form import CHANCE, TERMINAL, Chance, Decision, ExtensiveFormGame, Terminal
from ._json_text import JsonPath
from .json_format import _check_version, _exact_number, _first_duplicate, _json_number, _SchemaError


def _entries(value: Any, size: int, key: str, what: str, where: str, path: JsonPath) -> list[list[Any]]:
    """``value`` checked to be a non-empty list of ``size``-element lists (the node's ``key``)."""
    if not isinstance(value, list) or not value or not all(isinstance(v, list) and len(v) == size
                                                          for v in value):
        raise _SchemaError(key, f"{where}.{key} must be a list of {what}", (*path, key))
    return value


def _node(data: Any, n: int, where: str, path: JsonPath) -> Any:
    """One node of the tree, its children read iteratively (trees can be deeper than the stack)."""
    # frames: (kind, fields, built children, pending (label, prob, child data, child where, child path))
    root_holder: list[Any] = []
    stack: list[tuple[str, Any, list[Any], list[tuple[Any, ...]]]] = []
    todo: list[tuple[Any, str, JsonPath]] = [(data, where, path)]

    def place(built: Any) -> None:
        if stack:
            stack[-1][2].append(built)
        else:
            root_holder.append(built)

    while todo or stack:
        if todo:
            d, w, pth = todo.pop()
            kind, fields, kids = _read_node(d, n, w, pth)
            if kind == "terminal":
                place(fields)
            else:
                stack.append((kind, fields, [], kids))
        while stack and not todo:
            kind, fields, built, kids = stack[-1]
            if len(built) == len(kids):
                stack.pop()
                if kind == "chance":
                    place(Chance([(lab, p, c) for (lab, p, *_), c in zip(kids, built, strict=True)]))
                else:
                    pl, infoset = fields
                    place(Decision(pl, infoset, [(lab, c) for (lab, *_), c in zip(kids, built, strict=True)]))
                continue
            _lab, _p, cd, cw, cp = kids[len(built)]
            todo.append((cd, cw, cp))
            break
    return root_holder[0]


def _read_node(data: Any, n: int, where: str, path: JsonPath) -> tuple[str, Any, list[tuple[Any, ...]]]:
    """(kind, fields, children to read) for one node, checking its own fields."""
    if not isinstance(data, dict):
        raise _SchemaError("root", f"{where} must be an object with 'payoffs', 'chance' or 'player'", path)
    present = [k for k in ("payoffs", "chance", "player") if k in data]
    if len(present) > 1:
        raise _SchemaError("root", f"{where} has both {present[0]!r} and {present[1]!r}; a node is one of "
                           "'payoffs', 'chance' or 'player'", path)
    if "payoffs" in data:
        pay = data["payoffs"]
        if not isinstance(pay, list) or len(pay) != n:
            raise _SchemaError("payoffs", f"{where}.payoffs must list {n} numbers", (*path, "payoffs"))
        return "terminal", Terminal([_exact_number(x, f"{where}.payoffs[{k}]", (*path, "payoffs", k))
                                     for k, x in enumerate(pay)]), []
    if "chance" in data:
        outs = _entries(data["chance"], 3, "chance", "[label, probability, node]", where, path)
        kids = []
        for k, (lab, p, c) in enumerate(outs):
            _label(lab, f"{where}.chance[{k}]", (*path, "chance", k, 0))
            prob = _exact_number(p, f"{where}.chance[{k}] probability", (*path, "chance", k, 1), "chance")
            kids.append((lab, prob, c, f"{where}.chance[{k}]", (*path, "chance", k, 2)))
        _unique([o[0] for o in outs], f"{where}.chance", (*path, "chance"))
        return "chance", None, kids
    if "player" in data:
        pl = data["player"]
        if isinstance(pl, bool) or not isinstance(pl, int) or not 1 <= pl <= n:
            shown = json.dumps(pl) if isinstance(pl, bool) or pl is None else repr(pl)
            raise _SchemaError("player", f"{where}.player must be a player number 1..{n}, not {shown}",
                               (*path, "player"))
        acts = _entries(data.get("actions"), 2, "actions", "[label, node]", where, path)
        infoset = data.get("infoset")
        if not isinstance(infoset, str):
            raise _SchemaError("infoset", f"{where}.infoset must be a string label", (*path, "infoset"))
        kids = []
        for k, (lab, c) in enumerate(acts):
            _label(lab, f"{where}.actions[{k}]", (*path, "actions", k, 0))
            kids.append((lab, None, c, f"{where}.actions[{k}]", (*path, "actions", k, 1)))
        _unique([a[0] for a in acts], f"{where}.actions", (*path, "actions"))
        return "decision", (pl - 1, infoset), kids
    raise _SchemaError("root", f"{where} must have 'payoffs', 'chance' or 'player'", path)


def _label(lab: Any, where: str, path: JsonPath) -> None:
    if not isinstance(lab, str):
        shown = json.dumps(lab) if isinstance(lab, (bool, type(None))) else type(lab).__name__
        raise _SchemaError("root", f"{where} label must be a string, not {shown}", path)


def _unique(labels: list[str], where: str, path: JsonPath) -> None:
    k = _first_duplicate(labels)
    if k is not None:
        raise _SchemaError("root", f"{where} lists the label {labels[k]!r} twice; labels must be unique",
                           (*path, k, 0))


def extensive_form_from_dict(data: dict[str, Any], path: str | None = None) -> ExtensiveFormGame:
    """An `ExtensiveFormGame` from the ``equilibria.extensive_form`` layout."""
    _check_version(data)
    players = data.get("players")
    if not isinstance(players, list) or not players or not all(isinstance(p, str) for p in players):
        raise _SchemaError("players", "must be a non-empty list of player names")
    dup = _first_duplicate(players)
    if dup is not None:
        raise _SchemaError("players", f"the name {players[dup]!r} appears twice", ("players", dup))
    title = data.get("title", "")
    if not isinstance(title, str):
        raise _SchemaError("title", "must be a string")
    root = _node(data.get("root"), len(players), "root", ("root",))
    try:
        return ExtensiveFormGame.from_tree(root, len(players), player_labels=players, title=title)
    except InvalidGameError as exc:
        raise _SchemaError("root", str(exc)) from None


def extensive_form_to_dict(game: ExtensiveFormGame) -> dict[str, Any]:
    """The JSON document of ``game`` with exact payoffs and chance probabilities."""
    children: list[list[int]] = [[] for _ in range(game.num_nodes)]
    for v in range(1, game.num_nodes):
        children[int(game.node_parent[v])].append(v)
    term = {int(z): k for k, z in enumerate(game.terminal_nodes)}
    util = game.exact_terminal_utility
    probs = game.exact_edge_chance_prob
    num = np.vectorize(
        lambda x: _json_number(Fraction(x) if not isinstance(x, float) else Fraction(repr(x))),
        otypes=[object],
    )
    docs: dict[int, dict[str, Any]] = {}
    # children have larger indices than parents: build bottom-up without recursion
    for v in range(game.num_nodes - 1, -1, -1):
        pl = int(game.node_player[v])
        if pl == TERMINAL:
            docs[v] = {"payoffs": num(util[term[v]]).tolist()}
        elif pl == CHANCE:
            labels = game._chance_labels[v]
            docs[v] = {
                "chance": [
                    [lab, num(np.array([probs[c]], dtype=object))[0], docs.pop(c)]
                    for lab, c in zip(labels, children[v], strict=True)
                ]
            }
        else:
            I = int(game.node_infoset[v])
            docs[v] = {
                "player": pl + 1,
                "infoset": game.infoset_labels[I],
                "actions": [
                    [lab, docs.pop(c)] for lab, c in zip(game.action_labels[I], children[v], strict=True)
                ],
            }
    return {
        "format": "equilibria.extensive_form",
        "version": 1,
        "title": game.title,
        "players": list(game.player_labels),
        "root": docs[0],
    }
