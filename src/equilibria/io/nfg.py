"""Gambit's strategic-game ``.nfg`` format: reader and writer, both versions.

A file starts with the prologue ``NFG 1 R "title" { "Player 1" "Player 2" }`` followed by the
strategies, either as counts ``{ 3 2 }`` or as labels ``{ { "T" "M" "B" } { "L" "R" } }``, and an
optional comment string. The body is one of

* the payoff version: one payoff per player for every pure profile, the profiles listed with
  player 1's strategy changing fastest::

      1 1 0 2 0 2 1 1 0 3 2 0

* the outcome version: a braced list of outcomes ``{ "name" u_1, u_2 }`` and then, for every pure
  profile in the same order, the 1-based number of its outcome (0 is the null outcome, paying 0)::

      { { "" 1, 1 } { "" 0, 2 } } 1 2 2 1

Whitespace is free, labels are in double quotes and may span lines (``\\"`` is a quote, ``\\\\`` a
backslash; other backslashes are literal, as in Gambit), numbers are integers, decimals or
fractions ``p/q`` and are kept exactly. A malformed file raises `GameFormatError` naming the file
and the line. Format reference: the Gambit manual, "Game representation formats" (McKelvey,
McLennan & Turocy, Gambit: Software Tools for Game Theory).
"""

from __future__ import annotations

import math
import os
from fractions import Fraction

import numpy as np

from .._checks import check_size
from ..errors import GameFormatError, InvalidGameError, SizeLimitError
from ..games.normal_form import NormalFormGame
from ._files import read_text
from ._gambit_text import _Parser, _show, _tokenize, quote


def parse_nfg(text: str, path: str | os.PathLike | None = None) -> NormalFormGame:
    """Parse the text of a ``.nfg`` file (either version) into a `NormalFormGame` with exact payoffs."""
    where = None if path is None else os.fspath(path)
    p = _Parser(_tokenize(text, where), where, max(1, text.count("\n") + (0 if text.endswith("\n") else 1)))
    first = p.peek()
    if first is None or first.text != "NFG":
        raise p.error("missing header: a strategic game file starts with 'NFG 1 R'", first)
    p.take("NFG")
    version = p.integer("the version number after 'NFG'")
    if version != 1:
        raise p.error(f"unsupported .nfg version {version}; only version 1 exists", p.toks[p.i - 1])
    kind = p.expect("word", "'R' after the version")
    if kind.text not in ("R", "D"):
        raise p.error(f"expected 'R' after the version, found {_show(kind)}", kind)
    title = p.expect("str", "the quoted title of the game").text
    players = p.labels("list of player names")
    n = len(players)
    if n == 0:
        raise p.error("the game has no players", p.toks[p.i - 1])

    # strategies: counts { 3 2 } or labels { { "a" "b" } { "c" } }
    opening = p.expect("{", "'{' opening the list of strategies")
    actions: list[list[str]] = []
    while True:
        tok = p.peek()
        if tok is None or tok.kind == "}":
            p.expect("}", f"'}}' closing the strategies opened on line {opening.line}")
            break
        if tok.kind == "{":
            actions.append(p.labels(f"strategies of player {len(actions) + 1}"))
        else:
            count = p.integer(f"the number of strategies of player {len(actions) + 1}")
            if count < 1:
                raise p.error(f"player {len(actions) + 1} needs at least one strategy, found {count}", tok)
            # every strategy appears in some pure profile, which takes at least one number in the
            # file: a count above the numbers left is a wrong declaration, refused before allocating
            if count > len(p.toks) - p.i:
                raise p.error(f"player {len(actions) + 1} is declared to have {count} strategies, but the "
                              f"file holds only {len(p.toks) - p.i} more tokens", tok)
            actions.append([str(k + 1) for k in range(count)])
        if not actions[-1]:
            raise p.error(f"player {len(actions)} has no strategies", tok)
    if len(actions) != n:
        raise p.error(f"the game has {n} players but strategies are listed for {len(actions)}",
                      p.toks[p.i - 1])
    shape = tuple(len(a) for a in actions)
    profiles = math.prod(shape)
    # one payoff per player (payoff version) or one outcome number (outcome version) per profile
    if profiles > len(p.toks) - p.i:
        raise p.error(f"the strategies {list(shape)} give {profiles} pure profiles, but the file holds only "
                      f"{len(p.toks) - p.i} more tokens", opening)
    try:
        # float payoffs, the exact object array and its Fractions
        check_size(f"the game {list(shape)} of {where or 'this file'}", float(n) * float(profiles) * 120.0)
    except SizeLimitError as exc:
        raise p.error(str(exc), opening) from None

    tok = p.peek()
    if tok is not None and tok.kind == "str":  # the optional comment
        p.take("comment")
        tok = p.peek()
    if tok is not None and tok.kind == "{":
        flat = _outcome_body(p, n, profiles)
    else:
        flat = [p.number(f"payoff {k % n + 1} of pure profile {k // n + 1} "
                         f"(expected {n * profiles} payoffs: {n} players x {profiles} profiles)")
                for k in range(n * profiles)]
    extra = p.peek()
    if extra is not None:
        raise p.error(f"unexpected {_show(extra)} after the last payoff of the game", extra)

    # flat is profile-major with player 1's strategy fastest: Fortran order over (A1, ..., An)
    u = np.empty((n, profiles), dtype=object)
    u[:, :] = np.array(flat, dtype=object).reshape(profiles, n).T
    payoffs = np.stack([row.reshape(shape, order="F") for row in u])
    try:
        return NormalFormGame(payoffs, player_labels=players, action_labels=actions, title=title)
    except InvalidGameError as exc:  # the parser checks numbers one by one; this is a safety net
        raise GameFormatError(str(exc), where) from None


def _outcome_body(p: _Parser, n: int, profiles: int) -> list[Fraction]:
    opening = p.expect("{", "'{' opening the list of outcomes")
    outcomes: list[list[Fraction]] = []
    while True:
        tok = p.take(f"an outcome '{{ \"name\" payoffs }}' or '}}' closing the outcomes opened on "
                     f"line {opening.line}")
        if tok.kind == "}":
            break
        if tok.kind != "{":
            raise p.error(f"expected an outcome '{{ \"name\" payoffs }}' or '}}' closing the outcomes "
                          f"opened on line {opening.line}, found {_show(tok)}", tok)
        k = len(outcomes) + 1
        p.expect("str", f"the quoted name of outcome {k}")
        pay = [p.number(f"payoff {i + 1} of outcome {k} ({n} players)") for i in range(n)]
        close = p.take(f"'}}' closing outcome {k}")
        if close.kind != "}":
            raise p.error(f"outcome {k} has more than {n} payoffs (one per player): found {_show(close)}",
                          close)
        outcomes.append(pay)
    zero = [Fraction(0)] * n
    flat: list[Fraction] = []
    for k in range(profiles):
        tok = p.peek()
        idx = p.integer(f"the outcome number of pure profile {k + 1} (expected {profiles} outcome numbers)")
        if not 0 <= idx <= len(outcomes):
            raise p.error(f"outcome number {idx} of pure profile {k + 1} is out of range: "
                          f"the file defines outcomes 1..{len(outcomes)} (0 means no outcome)", tok)
        flat.extend(outcomes[idx - 1] if idx else zero)
    return flat


def read_nfg(path: str | os.PathLike) -> NormalFormGame:
    """Read a Gambit ``.nfg`` file (payoff or outcome version) with exact payoffs."""
    where = os.fspath(path)
    text = read_text(where, fallback="latin-1")  # latin-1: files written by older Gambit versions
    return parse_nfg(text, where)


def _quote(s: str) -> str:
    """A label in Gambit's quoting (see `_gambit_text.quote`); strings may span lines."""
    return quote(s)


def _number(x: Fraction) -> str:
    """Integers as integers, terminating decimals as decimals, other rationals as ``p/q``."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    digits = max(twos, fives)
    scaled = abs(x.numerator) * (10**digits // x.denominator)
    sign = "-" if x < 0 else ""
    whole, frac = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def format_nfg(game: NormalFormGame, format: str = "outcome") -> str:
    """The ``.nfg`` text of ``game``: ``format="outcome"`` (what Gambit writes) or ``"payoff"``."""
    if not isinstance(game, NormalFormGame):
        raise InvalidGameError(f"the .nfg format holds normal-form games, not {type(game).__name__}")
    if format not in ("outcome", "payoff"):
        raise InvalidGameError(f"format must be 'outcome' or 'payoff', got {format!r}")
    n = game.num_players
    u = game.exact_payoffs
    # one row per pure profile, player 1's strategy changing fastest
    rows = np.stack([u[i].reshape(-1, order="F") for i in range(n)], axis=1)
    lines = [f"NFG 1 R {_quote(game.title)} {{ {' '.join(map(_quote, game.player_labels))} }}", ""]
    lines.append("{ " + "\n".join("{ " + " ".join(map(_quote, acts)) + " }" for acts in game.action_labels))
    lines.append("}")
    lines.append('""')
    lines.append("")
    if format == "payoff":
        lines.append(" ".join(_number(x) for x in rows.reshape(-1)))
    else:
        lines.append("{")
        lines.extend("{ \"\" " + ", ".join(_number(x) for x in row) + " }" for row in rows)
        lines.append("}")
        lines.append(" ".join(str(k + 1) for k in range(len(rows))))
    return "\n".join(lines) + "\n"


def write_nfg(game: NormalFormGame, path: str | os.PathLike, format: str = "outcome") -> None:
    """Write ``game`` as a Gambit ``.nfg`` file, atomically, with exact payoffs."""
    from ..run import atomic_write_bytes

    atomic_write_bytes(path, format_nfg(game, format).encode("utf-8"))
