"""The lexer and token parser shared by Gambit's ``.nfg`` and ``.efg`` readers.

Both formats are whitespace-free streams of quoted labels, braces and bare words (numbers), so one
tokenizer with line numbers serves both, and every error names the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .._numbers import to_fraction
from ..errors import GameFormatError

# a quoted label (escapes allowed, may not span lines), a brace, a comma, a bare word, whitespace,
# or an opening quote that is never closed on its line
_TOKEN = re.compile(r'"((?:[^"\\\n]|\\.)*)"|([{}])|(,)|([^\s{}",]+)|(\s+)|(")')


@dataclass(frozen=True)
class _Tok:
    kind: str  # "str", "{", "}", "word"
    text: str
    line: int


def _tokenize(text: str, path: str | None) -> list[_Tok]:
    toks: list[_Tok] = []
    line, pos = 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.group(6) is not None:
            raise GameFormatError("unterminated quoted label (a label must end on the line it starts)",
                                  path, line)
        if m.group(1) is not None:
            # as in Gambit, only \" is an escape; other backslashes are literal
            toks.append(_Tok("str", m.group(1).replace('\\"', '"'), line))
        elif m.group(2) is not None:
            toks.append(_Tok(m.group(2), m.group(2), line))
        elif m.group(4) is not None:
            toks.append(_Tok("word", m.group(4), line))
        # commas separate outcome payoffs in Gambit's own output; they carry no meaning
        line += m.group(0).count("\n")
        pos = m.end()
    return toks


class _Parser:
    def __init__(self, toks: list[_Tok], path: str | None, last_line: int):
        self.toks, self.i, self.path, self.last_line = toks, 0, path, last_line

    def error(self, msg: str, tok: _Tok | None = None) -> GameFormatError:
        if tok is None:
            return GameFormatError(f"{msg}, but the file ends", self.path, self.last_line)
        return GameFormatError(msg, self.path, tok.line)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, what: str) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise self.error(f"expected {what}")
        self.i += 1
        return tok

    def expect(self, kind: str, what: str) -> _Tok:
        tok = self.take(what)
        if tok.kind != kind:
            raise self.error(f"expected {what}, found {_show(tok)}", tok)
        return tok

    def integer(self, what: str) -> int:
        tok = self.expect("word", what)
        if not re.fullmatch(r"[+-]?\d+", tok.text):
            raise self.error(f"expected {what} (an integer), found {_show(tok)}", tok)
        return int(tok.text)

    def number(self, what: str) -> Fraction:
        tok = self.take(what)
        if tok.kind == "word":
            try:
                return to_fraction(tok.text)
            except (ValueError, ZeroDivisionError):
                pass
        raise self.error(f"expected {what} (a number such as 3, -0.5 or 1/3), found {_show(tok)}", tok)

    def labels(self, what: str) -> list[str]:
        """``{ "a" "b" ... }``"""
        opening = self.expect("{", f"'{{' opening the {what}")
        out = []
        while True:
            tok = self.take(f"a quoted label or '}}' closing the {what} opened on line {opening.line}")
            if tok.kind == "}":
                return out
            if tok.kind != "str":
                raise self.error(
                    f"expected a quoted label or '}}' closing the {what} opened on line {opening.line}, "
                    f"found {_show(tok)}", tok)
            out.append(tok.text)


def _show(tok: _Tok) -> str:
    return f'"{tok.text}"' if tok.kind == "str" else repr(tok.text)


