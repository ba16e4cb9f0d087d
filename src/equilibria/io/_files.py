"""Reading a game or profile file as text: one place for the checks every reader makes first."""

from __future__ import annotations

import os

from ..errors import GameFormatError


def read_text(path: str, *, fallback: str | None = None) -> str:
    """The UTF-8 text of a file (a leading byte-order mark dropped).

    A folder, or a file above the size limit (`--max-size`), is refused before it is read. Text
    that is not UTF-8 is decoded with ``fallback`` if given (``"latin-1"`` for files written by
    older Gambit versions), else a `GameFormatError` names the line of the first bad byte.
    """
    from .._checks import format_size, size_limit

    if os.path.isdir(path):
        raise GameFormatError("is a folder, not a file", path)
    try:
        size = os.path.getsize(path)
        if size > size_limit():
            raise GameFormatError(f"the file ({format_size(size)}) is above the size limit of "
                                  f"{format_size(size_limit())}; raise it with --max-size", path)
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise GameFormatError(f"cannot read the file: {exc.strerror or exc}", path) from None
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as some editors write
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if fallback is not None:
            return data.decode(fallback)
        line = data.count(b"\n", 0, exc.start) + 1
        raise GameFormatError(f"not UTF-8 text: byte {data[exc.start]:#04x} at offset {exc.start} "
                              f"({exc.reason})", path, line) from None
