"""Safe JSON reading for the game and profile readers: bounded numbers, depth and keys, with lines.

`load_json_text` parses with the standard library's fast decoder, but with hooks that read numbers
through `parse_number_text` (bounded work, float range), refuse duplicate keys, and turn the
decoder's `RecursionError` on deep nesting into an error. The decoder reports no position for those
errors (nor for a schema error found later), so `locate` re-scans the text, only when an error is
being reported, with a small iterative tokenizer that follows the document's structure and stops at
the node concerned: the error then names the line of the bad node itself, not the first occurrence
of its key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .._numbers import parse_integer_text, parse_number_text
from ..errors import GameFormatError

#: deepest nesting of arrays and objects a game or profile file may have
MAX_DEPTH = 600

JsonPath = tuple[Any, ...]  # keys (str) and list indices (int) from the document's root


class _BadDocument(ValueError):
    """Raised inside the decoder's hooks; `load_json_text` locates the node and rewraps it."""

    def __init__(self, message: str, find: Callable[[str, str, JsonPath, int], bool],
                 literal: str | None = None):
        super().__init__(message)
        self.find = find
        self.literal = literal


def _parse_int(s: str) -> int:
    try:
        return parse_integer_text(s)
    except ValueError as exc:
        raise _BadDocument(f"the integer {exc}", lambda kind, tok, path, depth: kind == "num" and tok == s,
                           s) from None


def _number_parser(exact: bool) -> Callable[[str], Any]:
    def parse(s: str) -> Any:
        try:
            f = parse_number_text(s)
        except ValueError as exc:
            raise _BadDocument(str(exc), lambda kind, tok, path, depth: kind == "num" and tok == s,
                               s) from None
        return f if exact else float(f)

    return parse


def _is_duplicate(key: str) -> Callable[[str, str, JsonPath, int], bool]:
    return lambda kind, tok, path, depth: kind == "dup" and tok == key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _BadDocument(f"the key {k!r} appears twice in one object", _is_duplicate(k))
        out[k] = v
    return out


def _constant(name: str) -> Any:
    raise _BadDocument(f"{name} is not a number JSON allows; payoffs and probabilities must be finite",
                       lambda kind, tok, path, depth: kind == "num" and tok == name)


def load_json_text(text: str, where: str | None, *, exact: bool = True) -> Any:
    """Parse JSON text; every problem is a `GameFormatError` naming ``where`` and the line.

    Numbers are `Fraction` (``exact``) or float, read by `parse_number_text`; duplicate keys,
    nesting deeper than `MAX_DEPTH` and numbers out of float range are refused.
    """
    depth, deep_line = _max_depth(text)
    if depth > MAX_DEPTH:
        raise GameFormatError(f"the JSON is nested more than {MAX_DEPTH} levels deep", where, deep_line)
    try:
        return json.loads(text, parse_float=_number_parser(exact), parse_int=_parse_int,
                          parse_constant=_constant, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise GameFormatError(f"not valid JSON: {exc.msg} (column {exc.colno})", where, exc.lineno) from None
    except _BadDocument as exc:
        line = locate(text, exc.find)
        if line is None and exc.literal is not None:
            # the scanner lost its way in a malformed document: find the literal itself
            m = re.search(r"(?<![0-9.eE+\-])" + re.escape(exc.literal) + r"(?![0-9])", text)
            line = text.count("\n", 0, m.start()) + 1 if m else None
        raise GameFormatError(str(exc), where, line) from None
    except RecursionError:
        raise GameFormatError("the JSON is nested too deeply", where) from None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _max_depth(text: str) -> tuple[int, int | None]:
    """Deepest bracket nesting outside strings, and the line where it first passes `MAX_DEPTH`
    (vectorised, so cheap on large files)."""
    # blank out strings, keeping every character's position
    skeleton = _STRING.sub(lambda m: " " * len(m.group(0)), text)
    b = np.frombuffer(skeleton.encode("utf-32-le"), dtype=np.uint32)
    if not b.size:
        return 0, None
    step = (b == ord("[")).astype(np.int64) + (b == ord("{")) - (b == ord("]")) - (b == ord("}"))
    depth = step.cumsum()
    deepest = int(depth.max())
    if deepest <= MAX_DEPTH:
        return deepest, None
    pos = int(np.argmax(depth > MAX_DEPTH))
    return deepest, text.count("\n", 0, pos) + 1


_TOKEN = re.compile(
    r'\s*(?:("(?:[^"\\]|\\.)*")|([-+0-9.eE]+|-?Infinity|NaN)|(true|false|null)|([{}\[\]:,]))', re.DOTALL
)


def locate(text: str, find: Callable[[str, str, JsonPath, int], bool]) -> int | None:
    """The line of the first token where ``find(kind, token, path, depth)`` holds, or None.

    ``kind`` is ``"num"``, ``"str"``, ``"lit"``, ``"open"`` (a ``{`` or ``[``, with the depth it
    opens), ``"value"`` (any value starting at ``path``) or ``"dup"`` (a key already seen in its
    object, ``token`` the decoded key). Iterative, linear in the text, never recursive.
    """
    # stack entries: [container kind, current key or index, keys seen, expecting a key]
    stack: list[list[Any]] = []
    pos, line, n = 0, 1, len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        group = m.lastindex or 0
        tok, start = m.group(group), m.start(group)
        line += text.count("\n", pos, start)
        tok_line = line
        line += text.count("\n", start, m.end())
        pos = m.end()
        top = stack[-1] if stack else None
        if tok in (":",):
            continue
        if tok == ",":
            if top is not None:
                if top[0] == "[":
                    top[1] += 1
                else:
                    top[3] = True
            continue
        if tok in ("}", "]"):
            if stack:
                stack.pop()
            continue
        if top is not None and top[0] == "{" and top[3]:
            # an object key
            try:
                key = json.loads(tok)
            except ValueError:
                return None
            if key in top[2] and find("dup", key, _path(stack), len(stack)):
                return tok_line
            top[2].add(key)
            top[1] = key
            top[3] = False
            continue
        path = _path(stack)
        if find("value", "", path, len(stack)):
            return tok_line
        if tok in ("{", "["):
            depth = len(stack) + 1
            if find("open", tok, path, depth):
                return tok_line
            stack.append([tok, 0 if tok == "[" else None, set(), tok == "{"])
            continue
        kind = "str" if m.group(1) else "num" if m.group(2) else "lit"
        if find(kind, tok, path, len(stack)):
            return tok_line
    return None


def _path(stack: list[list[Any]]) -> JsonPath:
    return tuple(entry[1] for entry in stack)


def line_of(text: str | None, path: JsonPath) -> int | None:
    """The line on which the value at ``path`` starts (None without text or if it is not found)."""
    if text is None:
        return None
    target = tuple(path)
    return locate(text, lambda kind, tok, p, depth: kind == "value" and p == target)
