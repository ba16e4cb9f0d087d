"""The lexer and token parser shared by Gambit's ``.nfg`` and ``.efg`` readers.

Both formats are whitespace-free streams of quoted labels, braces and bare words (numbers), so one
tokenizer with line numbers serves both, and every error names the file and the line.

Quoted strings may span lines (Gambit writes a multi-line comment or description verbatim). Inside
a string ``\\"`` is a quote and ``\\\\`` a backslash (pygambit 16.7 writes both); any other backslash
is literal, as older Gambit versions wrote it. `quote` writes strings so that they read back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .._numbers import parse_integer_text, to_fraction
from ..errors import GameFormatError

# a quoted string (may span lines; \" inside it is a quote), a brace, a comma, a bare word,
# whitespace, or an opening quote that is never closed before the end of the file
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{}])|(,)|([^\s{}",]+)|(\s+)|(")', re.DOTALL)


_ESCAPE = re.compile(r'\\([\\"])')
# a backslash that must be escaped: before another backslash, a quote, or at the end
_NEEDS_ESCAPE = re.compile(r'\\(?=[\\"]|\Z)')


def _unescape(raw: str) -> str:
    return _ESCAPE.sub(r"\1", raw)


def quote(s: str) -> str:
    """``s`` as a Gambit quoted string that `_tokenize` reads back exactly (and Gambit reads too:
    lone backslashes are written as they are, as Gambit itself reads them literally)."""
    return '"' + _NEEDS_ESCAPE.sub(r"\\\\", str(s)).replace('"', '\\"') + '"'


@dataclass(frozen=True)
class _Tok:
    kind: str  # "str", "{", "}", "word"
    text: str
    line: int
    end_line: int = 0  # the line a quoted string ends on, when it spans lines


def _tokenize(text: str, path: str | None) -> list[_Tok]:
    toks: list[_Tok] = []
    line, pos = 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.group(6) is not None:
            msg = f"unterminated quoted label: the '\"' on line {line} is never closed"
            culprit = _likely_unclosed(toks)
            if culprit is not None:
                # quotes pair up wrongly after a missing one: point at the first string that swallowed
                # file syntax across lines
                raise GameFormatError(
                    f"{msg}; the quoted string opened on line {culprit.line} runs to line "
                    f"{culprit.end_line}: is its closing '\"' missing?", path, culprit.line)
            raise GameFormatError(msg, path, line)
        newlines = m.group(0).count("\n")
        if m.group(1) is not None:
            toks.append(_Tok("str", _unescape(m.group(1)), line, line + newlines))
        elif m.group(2) is not None:
            toks.append(_Tok(m.group(2), m.group(2), line))
        elif m.group(4) is not None:
            toks.append(_Tok("word", m.group(4), line))
        # commas separate outcome payoffs in Gambit's own output; they carry no meaning
        line += newlines
        pos = m.end()
    return toks


def _likely_unclosed(toks: list[_Tok]) -> _Tok | None:
    """The first multi-line string holding braces (file syntax), else the first multi-line string."""
    multi = [t for t in toks if t.kind == "str" and t.end_line > t.line]
    for t in multi:
        if "{" in t.text or "}" in t.text:
            return t
    return multi[0] if multi else None


#: most digits in an integer field (player, infoset, outcome numbers, strategy counts)
_MAX_INT_DIGITS = 18


class _Parser:
    def __init__(self, toks: list[_Tok], path: str | None, last_line: int):
        self.toks, self.i, self.path, self.last_line = toks, 0, path, last_line

    def error(self, msg: str, tok: _Tok | None = None) -> GameFormatError:
        hint = self._quote_hint()
        if tok is None:
            return GameFormatError(f"{msg}, but the file ends{hint}", self.path, self.last_line)
        return GameFormatError(msg + hint, self.path, tok.line)

    def _quote_hint(self) -> str:
        """A string that spans lines and holds braces before the error is likely a missing quote."""
        t = _likely_unclosed(self.toks[: self.i + 1])
        if t is not None and ("{" in t.text or "}" in t.text):
            return (f" (the quoted string opened on line {t.line} runs to line {t.end_line}; "
                    "is a closing '\"' missing?)")
        return ""

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

    def integer(self, what: str, minimum: int | None = None) -> int:
        tok = self.expect("word", what)
        try:
            value = parse_integer_text(tok.text, _MAX_INT_DIGITS)
        except ValueError:
            if re.fullmatch(r"[+-]?[0-9]+", tok.text, re.ASCII):
                raise self.error(f"{what} {_show(tok)} is too large", tok) from None
            raise self.error(f"expected {what} (an integer), found {_show(tok)}", tok) from None
        if minimum is not None and value < minimum:
            raise self.error(f"{what} must be at least {minimum}, found {_show(tok)}", tok)
        return value

    def number(self, what: str) -> Fraction:
        tok = self.take(what)
        if tok.kind == "word":
            try:
                return to_fraction(tok.text)
            except ValueError as exc:
                raise self.error(f"{what}: {exc}", tok) from None
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
    text = tok.text if len(tok.text) <= 40 else f"{tok.text[:20]}...{tok.text[-10:]}"
    return f'"{text}"' if tok.kind == "str" else repr(text)
