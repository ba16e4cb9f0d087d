"""Pairwise-comparison files (CSV or JSON Lines) -> `PreferenceGame`, with empirical P estimation.

Each record is one human (or AI) judgement: a context (prompt), the chosen response and the
rejected one, optionally with a positive ``count`` (how many identical judgements it stands for).

CSV: a header naming the columns ``context`` (or ``prompt``), ``chosen``, ``rejected`` and
optionally ``count``; lines starting with ``#`` are comments, and ``# beta=0.05`` sets β.
JSONL: one object per line, ``{"context": ..., "chosen": ..., "rejected": ...[, "count": n]}``;
a line ``{"beta": 0.05}`` sets β. Blank lines are skipped in both.

Estimation: with w(y, y') the number of times y was chosen over y' and n = w(y, y') + w(y', y),
P̂(y ≻ y') = (w(y, y') + α) / (n + 2α) (add-α smoothing, α = ``prior``, 0.5 by default: the
Krichevsky-Trofimov / Jeffreys estimate), which keeps P̂ + P̂ᵀ = 1 exactly and gives 1/2 to pairs
never compared. Context weights are the share of comparisons per context; π_ref is uniform over the
responses seen in a context (``reference="empirical"``: their frequency in the comparisons).
"""

from __future__ import annotations

import csv
import os
import re
from typing import Any

import numpy as np

from .._checks import check_size
from .._numbers import parse_number
from ..errors import GameFormatError, InvalidParameterError, SizeLimitError
from ..games.preference import PreferenceGame, complete_preferences
from ._files import read_text
from ._json_text import load_json_text

DEFAULT_BETA = 0.1


def estimate_preferences(wins: np.ndarray, prior: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """``(P̂, counts)`` from a win-count tensor ``wins[x, y, y']`` (times y beat y'); see the module doc."""
    if prior < 0:
        raise InvalidParameterError(f"prior must be >= 0, got {prior}")
    wins = np.asarray(wins, dtype=float)
    n = wins + wins.transpose(0, 2, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        P = np.where(n + 2 * prior > 0, (wins + prior) / (n + 2 * prior), 0.5)
    return complete_preferences(P), n


def read_preference_file(path: str | os.PathLike, *, beta: float | None = None, prior: float = 0.5,
                         reference: str = "uniform") -> PreferenceGame:
    """Read a ``.csv`` or ``.jsonl`` comparison file; raises `GameFormatError` naming the bad line."""
    path = os.fspath(path)
    if reference not in ("uniform", "empirical"):
        raise InvalidParameterError(f"reference must be 'uniform' or 'empirical', not {reference!r}")
    text = read_text(path)
    if path.lower().endswith(".jsonl"):
        records, file_beta = _parse_jsonl(text, path)
    else:
        records, file_beta = _parse_csv(text, path)
    if not records:
        raise GameFormatError("no comparisons found", path)
    b = beta if beta is not None else (file_beta if file_beta is not None else DEFAULT_BETA)

    contexts: dict[str, int] = {}
    responses: list[dict[str, int]] = []
    for ctx, chosen, rejected, _count, _line in records:
        if ctx not in contexts:
            contexts[ctx] = len(contexts)
            responses.append({})
        table = responses[contexts[ctx]]
        for r in (chosen, rejected):
            if r not in table:
                table[r] = len(table)
    X = len(contexts)
    K = max(len(t) for t in responses)
    if K < 2:
        raise GameFormatError("every context has a single response; nothing to compare", path)
    try:
        # the win counts, P, the counts and the game's own copies: a few (X, K, K) float arrays
        check_size(f"the preference game of {path} ({X} contexts x {K} responses)", 6.0 * X * K * K * 8)
    except SizeLimitError as exc:
        raise GameFormatError(str(exc), path) from None
    wins = np.zeros((X, K, K))
    seen = np.zeros((X, K))
    per_context = np.zeros(X)
    for ctx, chosen, rejected, count, _line in records:
        x = contexts[ctx]
        i, j = responses[x][chosen], responses[x][rejected]
        wins[x, i, j] += count
        seen[x, i] += count
        seen[x, j] += count
        per_context[x] += count
    mask = np.zeros((X, K), dtype=bool)
    labels = []
    for x, table in enumerate(responses):
        mask[x, : len(table)] = True
        labels.append(list(table) + [f"<pad{j}>" for j in range(len(table), K)])
    P, n = estimate_preferences(wins, prior)
    ref = mask if reference == "uniform" else seen
    ref = ref / ref.sum(axis=1, keepdims=True)
    return PreferenceGame(
        P, ref, beta=b, weights=per_context, mask=mask, counts=n,
        context_labels=list(contexts), response_labels=labels, title=os.path.basename(path),
    )


def _record(ctx: Any, chosen: Any, rejected: Any, count: Any, path: str, line: int) -> tuple:
    for name, val in (("context", ctx), ("chosen", chosen), ("rejected", rejected)):
        if val is None or (isinstance(val, str) and not val.strip()):
            raise GameFormatError(f"missing {name!r}", path, line)
        if not isinstance(val, (str, int, float)) or isinstance(val, bool):
            raise GameFormatError(f"{name!r} must be a string, got {type(val).__name__}", path, line)
    chosen, rejected = str(chosen).strip(), str(rejected).strip()
    if chosen == rejected:
        raise GameFormatError(f"chosen and rejected are the same response {chosen!r}", path, line)
    if count is None or (isinstance(count, str) and not count.strip()):
        c = 1.0
    else:
        try:
            c = float(parse_number(count))
        except (TypeError, ValueError, OverflowError, ZeroDivisionError):
            raise GameFormatError(f"count {str(count)[:40]!r} is not a number", path, line) from None
        if isinstance(count, bool) or not np.isfinite(c) or c <= 0:
            raise GameFormatError(f"count must be a positive number, got {count!r}", path, line)
    return str(ctx).strip(), chosen, rejected, c, line


def _beta_value(val: Any, path: str, line: int) -> float:
    try:
        b = float(parse_number(val))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        raise GameFormatError(f"beta {str(val)[:40]!r} is not a number", path, line) from None
    if not np.isfinite(b) or b < 0:
        raise GameFormatError(f"beta must be a finite number >= 0, got {val!r}", path, line)
    return b


def _parse_csv(text: str, path: str) -> tuple[list[tuple], float | None]:
    lines = text.splitlines()
    beta = None
    header: list[str] | None = None
    records = []
    for lineno, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped[1:].strip().replace(" ", "")
            if body.lower().startswith("beta="):
                beta = _beta_value(body.split("=", 1)[1], path, lineno)
            continue
        try:
            row = next(csv.reader([raw], strict=True))
        except csv.Error as exc:
            raise GameFormatError(f"malformed CSV ({exc})", path, lineno) from None
        if header is None:
            header = [h.strip().lower() for h in row]
            if "prompt" in header and "context" not in header:
                header[header.index("prompt")] = "context"
            missing = [c for c in ("context", "chosen", "rejected") if c not in header]
            if missing:
                raise GameFormatError(
                    f"the header must name the columns context (or prompt), chosen, rejected; "
                    f"missing {', '.join(missing)}", path, lineno)
            continue
        if len(row) != len(header):
            raise GameFormatError(f"expected {len(header)} fields ({', '.join(header)}), got {len(row)}",
                                  path, lineno)
        rec = dict(zip(header, row, strict=True))
        records.append(
            _record(rec["context"], rec["chosen"], rec["rejected"], rec.get("count"), path, lineno))
    if header is None:
        raise GameFormatError("empty file: expected a header line context,chosen,rejected", path, 1)
    return records, beta


def _parse_jsonl(text: str, path: str) -> tuple[list[tuple], float | None]:
    beta = None
    records = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = load_json_text(raw, None, exact=False)
        except GameFormatError as exc:
            # the line within the file, not within the one-line document
            raise GameFormatError(re.sub(r"^line \d+: ", "", str(exc)), path, lineno) from None
        if not isinstance(obj, dict):
            raise GameFormatError("each line must be a JSON object", path, lineno)
        if set(obj) == {"beta"}:
            beta = _beta_value(obj["beta"], path, lineno)
            continue
        ctx = obj.get("context", obj.get("prompt"))
        records.append(_record(ctx, obj.get("chosen"), obj.get("rejected"), obj.get("count"), path, lineno))
    return records, beta
