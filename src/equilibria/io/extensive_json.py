"""The ``equilibria.extensive_form`` layout of the JSON game format: the tree as nested objects.

::

    {"format": "equilibria.extensive_form", "version": 1, "title": "...", "players": ["1", "2"],
     "root": {"chance": [["deal J", "1/3", NODE], ...]}}

where a NODE is ``{"chance": [[label, probability, NODE], ...]}``, ``{"player": 1, "infoset":
"label", "actions": [[label, NODE], ...]}`` (players count from 1, as in Gambit files) or
``{"payoffs": [u1, ..., un]}``. Numbers are JSON numbers or ``"p/q"`` strings and are kept exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidGameError
from ..games.extensive_form import CHANCE, TERMINAL, Chance, Decision, ExtensiveFormGame, Terminal
from .json_format import _exact_number, _json_number, _SchemaError


def _node(data: Any, n: int, where: str) -> Any:
    if not isinstance(data, dict):
        raise _SchemaError("root", f"{where} must be an object with 'payoffs', 'chance' or 'player'")
    if "payoffs" in data:
        pay = data["payoffs"]
        if not isinstance(pay, list) or len(pay) != n:
            raise _SchemaError("payoffs", f"{where}.payoffs must list {n} numbers")
        return Terminal([_exact_number(x, f"{where}.payoffs") for x in pay])
    if "chance" in data:
        outs = data["chance"]
        if (
            not isinstance(outs, list)
            or not outs
            or not all(isinstance(o, list) and len(o) == 3 for o in outs)
        ):
            raise _SchemaError("chance", f"{where}.chance must be a list of [label, probability, node]")
        return Chance(
            [
                (str(lab), _exact_number(p, f"{where}.chance"), _node(c, n, f"{where}.chance[{k}]"))
                for k, (lab, p, c) in enumerate(outs)
            ]
        )
    if "player" in data:
        pl = data["player"]
        if not isinstance(pl, int) or not 1 <= pl <= n:
            raise _SchemaError("player", f"{where}.player must be a player number 1..{n}, not {pl!r}")
        acts = data.get("actions")
        if (
            not isinstance(acts, list)
            or not acts
            or not all(isinstance(a, list) and len(a) == 2 for a in acts)
        ):
            raise _SchemaError("actions", f"{where}.actions must be a list of [label, node]")
        infoset = data.get("infoset")
        if not isinstance(infoset, str):
            raise _SchemaError("infoset", f"{where}.infoset must be a string label")
        return Decision(
            pl - 1,
            infoset,
            [(str(lab), _node(c, n, f"{where}.actions[{k}]")) for k, (lab, c) in enumerate(acts)],
        )
    raise _SchemaError("root", f"{where} must have 'payoffs', 'chance' or 'player'")


def extensive_form_from_dict(data: dict[str, Any], path: str | None = None) -> ExtensiveFormGame:
    """An `ExtensiveFormGame` from the ``equilibria.extensive_form`` layout."""
    if data.get("version", 1) != 1:
        raise _SchemaError("version", f"is {data.get('version')!r}; this reader knows version 1")
    players = data.get("players")
    if not isinstance(players, list) or not players or not all(isinstance(p, str) for p in players):
        raise _SchemaError("players", "must be a non-empty list of player names")
    root = _node(data.get("root"), len(players), "root")
    try:
        return ExtensiveFormGame.from_tree(
            root, len(players), player_labels=players, title=str(data.get("title", ""))
        )
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
