"""Gambit's ``.efg`` extensive-form format: reader and writer.

The file lists the nodes of the tree in prefix order after a header
``EFG 2 R "title" { "Player 1" "Player 2" } "comment"``::

    c "name" infoset "infoset name" { "action" prob ... } outcome ["outcome name" { payoffs }]
    p "name" player infoset "infoset name" { "action" ... } outcome ["outcome name" { payoffs }]
    t "name" outcome ["outcome name" { payoffs }]

Outcomes may hang on any node; a terminal's payoff is the sum of the outcomes on its path. Outcome
payoffs and probabilities may be integers, decimals or fractions and are kept exact. An information
set's name and actions may be omitted after its first appearance. Errors name the file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .._numbers import format_number, to_fraction
from ..errors import GameFormatError, InvalidGameError
from ..games.extensive_form import CHANCE, TERMINAL, Chance, Decision, ExtensiveFormGame, Terminal
from ._files import read_text
from ._gambit_text import _Parser, _tokenize, quote


@dataclass
class _Record:
    kind: str
    line: int
    player: int = 0
    infoset: int = 0
    infoset_name: str = ""
    actions: list[str] = field(default_factory=list)
    probs: list[Fraction] = field(default_factory=list)
    outcome: int = 0


def parse_efg(text: str, path: str | None = None) -> ExtensiveFormGame:
    """Parse the text of a ``.efg`` file."""
    p = _Parser(_tokenize(text, path), path, text.count("\n") + 1)
    head = p.take("the header 'EFG 2 R'")
    if head.text != "EFG":
        raise p.error(f"an .efg file starts with 'EFG 2 R', not {head.text!r}", head)
    version = p.take("the format version")
    if version.text != "2":
        raise p.error(f"only version 2 of the .efg format is supported, not {version.text!r}", version)
    kind = p.take("'R' (rational) or 'D'")
    if kind.text not in ("R", "D"):
        raise p.error(f"expected 'R' or 'D' after the version, found {kind.text!r}", kind)
    title = p.expect("str", "the game title").text
    players = p.labels("player list")
    n = len(players)
    if n < 1:
        raise p.error("the game needs at least one player")
    if (tok := p.peek()) is not None and tok.kind == "str":
        p.take("comment")

    outcomes: dict[int, list[Fraction]] = {}
    infosets: dict[tuple[int, int], tuple[str, list[str], list[Fraction], int]] = {}
    records: list[_Record] = []
    while (tok := p.peek()) is not None:
        p.take("a node")
        if tok.kind != "word" or tok.text not in ("c", "p", "t"):
            raise p.error(f"expected a node type 'c', 'p' or 't', found {tok.text!r}", tok)
        rec = _Record(tok.text, tok.line)
        p.expect("str", "the node name")
        if rec.kind in ("c", "p"):
            if rec.kind == "p":
                rec.player = p.integer("the player number")
                if not 1 <= rec.player <= n:
                    raise p.error(f"player {rec.player} is not one of the {n} players", tok)
            rec.infoset = p.integer("the information set number", minimum=1)
            key = (rec.player if rec.kind == "p" else 0, rec.infoset)
            nxt = p.peek()
            if nxt is not None and nxt.kind == "str":
                rec.infoset_name = p.take("infoset name").text
                nxt = p.peek()
            if nxt is not None and nxt.kind == "{":
                p.take("action list")
                while (t := p.peek()) is not None and t.kind == "str":
                    rec.actions.append(p.take("action").text)
                    if rec.kind == "c":
                        rec.probs.append(p.number("a chance probability"))
                p.expect("}", "'}' closing the action list")
                if not rec.actions:
                    raise p.error("a node needs at least one action", tok)
                if key in infosets and infosets[key][1] != rec.actions:
                    raise p.error(
                        f"information set {rec.infoset} lists actions {rec.actions}, but it was "
                        f"defined on line {infosets[key][3]} with {infosets[key][1]}",
                        tok,
                    )
                if key not in infosets:
                    infosets[key] = (rec.infoset_name, rec.actions, rec.probs, tok.line)
            elif key in infosets:
                rec.actions = infosets[key][1]
                rec.probs = infosets[key][2]
            else:
                raise p.error(f"information set {rec.infoset} is used before its actions are given", tok)
        rec.outcome = p.integer("the outcome number", minimum=0)
        nxt = p.peek()
        if nxt is not None and nxt.kind == "str":
            p.take("outcome name")
            nxt = p.peek()
        if nxt is not None and nxt.kind == "{":
            p.take("payoffs")
            pay = []
            while (t := p.peek()) is not None and t.kind == "word":
                pay.append(p.number("a payoff"))
            p.expect("}", "'}' closing the payoffs")
            if len(pay) != n:
                raise p.error(f"outcome {rec.outcome} has {len(pay)} payoffs; the game has {n} players", tok)
            if rec.outcome == 0:
                raise p.error("outcome 0 means 'no outcome' and cannot carry payoffs", tok)
            outcomes[rec.outcome] = pay
        records.append(rec)
    if not records:
        raise p.error("the file has no nodes")
    for rec in records:
        if rec.outcome and rec.outcome not in outcomes:
            raise GameFormatError(
                f"outcome {rec.outcome} is used but its payoffs are never given", path, rec.line
            )

    # label infosets by their names where those are unique within the player, else by number
    names: dict[tuple[int, str], int] = {}
    for (pl, _), (nm, _, _, _) in infosets.items():
        names[(pl, nm)] = names.get((pl, nm), 0) + 1

    def label(pl: int, num: int) -> str:
        nm = infosets[(pl, num)][0]
        return nm if nm and names[(pl, nm)] == 1 else f"#{num}"

    # rebuild the tree from prefix order with an explicit stack (files can be deep)
    zero = [Fraction(0)] * n
    pos = 0

    def build() -> Any:
        nonlocal pos
        root_holder: list[Any] = []
        # stack frames: (record, accumulated payoff, children built so far, parent slot)
        stack: list[tuple[_Record, list[Fraction], list[Any]]] = []

        def start(acc: list[Fraction]) -> Any:
            nonlocal pos
            if pos >= len(records):
                last = records[-1].line
                raise GameFormatError("the tree is incomplete: a node is missing its children", path, last)
            rec = records[pos]
            pos += 1
            here = acc
            if rec.outcome:
                here = [a + b for a, b in zip(acc, outcomes[rec.outcome], strict=True)]
            if rec.kind == "t":
                return Terminal(here)
            stack.append((rec, here, []))
            return None

        node = start(zero)
        if node is not None:
            return node
        while stack:
            rec, acc, kids = stack[-1]
            if len(kids) == len(rec.actions):
                stack.pop()
                if rec.kind == "c":
                    built: Any = Chance(
                        [(a, pr, k) for a, pr, k in zip(rec.actions, rec.probs, kids, strict=True)]
                    )
                else:
                    built = Decision(
                        rec.player - 1,
                        label(rec.player, rec.infoset),
                        list(zip(rec.actions, kids, strict=True)),
                    )
                if stack:
                    stack[-1][2].append(built)
                else:
                    root_holder.append(built)
                continue
            child = start(acc)
            if child is not None:
                kids.append(child)
        return root_holder[0]

    root = build()
    if pos != len(records):
        raise GameFormatError("extra nodes after the end of the tree", path, records[pos].line)
    try:
        return ExtensiveFormGame.from_tree(root, n, player_labels=players, title=title)
    except InvalidGameError as exc:
        raise GameFormatError(str(exc), path, _node_line(str(exc), records)) from None


def _node_line(message: str, records: list[_Record]) -> int | None:
    """The file line of the node a compiler error names (``node 7``: breadth-first numbering)."""
    import re

    m = re.search(r"\bnode (\d+)\b", message)
    if m is None or not records:
        return None
    # the compiler numbers nodes breadth first; the file lists them in prefix order
    children: list[list[int]] = [[] for _ in records]
    stack: list[tuple[int, int]] = []  # (record index, children still to come)
    for k, rec in enumerate(records):
        if stack:
            children[stack[-1][0]].append(k)
            stack[-1] = (stack[-1][0], stack[-1][1] - 1)
            while stack and stack[-1][1] == 0:
                stack.pop()
        if rec.kind != "t":
            stack.append((k, len(rec.actions)))
    bfs = [0]
    for k in bfs:
        bfs.extend(children[k])
    target = int(m.group(1))
    return records[bfs[target]].line if target < len(bfs) else None


def read_efg(path: str | os.PathLike) -> ExtensiveFormGame:
    """Read a Gambit ``.efg`` file."""
    path = os.fspath(path)
    text = read_text(path, fallback="latin-1")  # latin-1: files written by older Gambit versions
    return parse_efg(text, path)


def _q(s: str) -> str:
    return quote(s)


def _num(x: Any) -> str:
    return format_number(x, exact=True)


def format_efg(game: ExtensiveFormGame) -> str:
    """The text of ``game`` in Gambit's ``.efg`` format (exact payoffs and probabilities)."""
    lines = [f"EFG 2 R {_q(game.title)} {{ {' '.join(_q(p) for p in game.player_labels)} }}", '""', ""]
    children: list[list[int]] = [[] for _ in range(game.num_nodes)]
    for v in range(1, game.num_nodes):
        children[int(game.node_parent[v])].append(v)
    term_index = {int(z): k for k, z in enumerate(game.terminal_nodes)}
    util = game.exact_terminal_utility
    chance_prob = _exact_edge_probs(game)
    per_player_num: dict[int, dict[int, int]] = {}
    seen: set[int] = set()
    chance_count = 0
    stack = [0]
    while stack:
        v = stack.pop()
        pl = int(game.node_player[v])
        if pl == TERMINAL:
            k = term_index[v]
            pay = ", ".join(_num(x) for x in util[k])
            lines.append(f't "" {k + 1} "" {{ {pay} }}')
        elif pl == CHANCE:
            chance_count += 1
            labels = game._chance_labels[v]
            acts = " ".join(
                f"{_q(lab)} {_num(chance_prob[c])}" for lab, c in zip(labels, children[v], strict=True)
            )
            lines.append(f'c "" {chance_count} "" {{ {acts} }} 0')
        else:
            I = int(game.node_infoset[v])
            nums = per_player_num.setdefault(pl, {})
            num = nums.setdefault(I, len(nums) + 1)
            if I in seen:
                lines.append(f'p "" {pl + 1} {num} 0')
            else:
                seen.add(I)
                acts = " ".join(_q(a) for a in game.action_labels[I])
                lines.append(f'p "" {pl + 1} {num} {_q(game.infoset_labels[I])} {{ {acts} }} 0')
        stack.extend(reversed(children[v]))
    return "\n".join(lines) + "\n"


def _exact_edge_probs(game: ExtensiveFormGame) -> np.ndarray:
    """Exact probability of each chance edge, recovered from the compiled chance reach."""
    probs = np.empty(game.num_nodes, dtype=object)
    probs[:] = Fraction(1)
    src = game.exact_edge_chance_prob
    for v in range(1, game.num_nodes):
        probs[v] = to_fraction(src[v])
    return probs


def write_efg(game: ExtensiveFormGame, path: str | os.PathLike) -> None:
    """Write ``game`` as a Gambit ``.efg`` file, atomically."""
    from ..run import atomic_write_bytes

    atomic_write_bytes(path, format_efg(game).encode("utf-8"))
