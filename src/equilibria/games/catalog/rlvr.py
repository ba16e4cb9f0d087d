"""Verifiable-reward (RLVR) tasks small enough to evaluate exactly.

- ``rlvr:toy``: ``prompts`` prompts (64), one correct answer each (a random token sequence of
  length 1..L over ``vocab`` tokens); the prior logits are random (scale ``noise``) and then set
  along the correct answer's path so that the prior pass@1 of prompt i is exactly
  ``min_pass · (max_pass/min_pass)^{i/(X−1)}``: difficulty spread log-uniformly from 1e-3 to 0.9.
  Categories: difficulty quartiles (for curriculum allocation).
- ``rlvr:arith``: prompts "a+b" with 0 <= a, b <= ``max_operand``; tokens are the digits
  0..2·max_operand and "+"; an answer is correct when it reads as an expression equal to a + b:
  the digit "s", the padded "0 s", or any "u + v" with u + v = a + b. Several correct forms per
  prompt, checked by a verifier function.
- ``rlvr:multi``: ``num_correct`` distinct correct answers per prompt under a random prior, the
  task for coverage (how many distinct correct answers a policy keeps finding).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_int, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..verifiable import MAX_ANSWERS, VerifiableRewardGame, tree_sizes
from ._limits import call, check_bytes

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _vocab(name: str, vocab: Any, max_length: Any, prompts: Any) -> tuple[int, int, int]:
    V = check_int("vocab", vocab, minimum=1, maximum=len(_LETTERS))
    L = check_int("max_length", max_length, minimum=1, maximum=12)
    X = check_int("prompts", prompts, minimum=1)
    N, M = tree_sizes(V, L)
    if M > MAX_ANSWERS:
        raise InvalidParameterError(
            f"{name}: vocab={V}, max_length={L} gives {M} answers; at most {MAX_ANSWERS}")
    check_bytes(call(name, prompts=X, vocab=V, max_length=L), 8 * X * (M + 6 * N * (V + 1)))
    return V, L, X


def _set_path(logits: np.ndarray, game_like: VerifiableRewardGame, x: int, answer: int,
              target: float) -> None:
    """Raise the logits on ``answer``'s path so that π(answer | x) = target exactly."""
    steps = int(game_like.answer_steps[answer])
    t = target ** (1.0 / steps)
    for j in range(steps):
        n, a = int(game_like.path_nodes[answer, j]), int(game_like.path_actions[answer, j])
        others = np.delete(logits[x, n], a)
        m = others.max()
        lse = m + np.log(np.exp(others - m).sum())
        logits[x, n, a] = np.log(t / (1.0 - t)) + lse


@register_game("rlvr:toy", family="rlvr")
def rlvr_toy(prompts: int = 64, vocab: int = 4, max_length: int = 3, min_pass: float = 1e-3,
             max_pass: float = 0.9, noise: float = 1.0, seed: int = 0) -> VerifiableRewardGame:
    """One correct answer per prompt; prior pass@1 spread log-uniformly from min_pass to max_pass."""
    V, L, X = _vocab("rlvr:toy", vocab, max_length, prompts)
    lo = check_real("min_pass", min_pass, minimum=1e-12, maximum=1.0 - 1e-9)
    hi = check_real("max_pass", max_pass, minimum=lo, maximum=1.0 - 1e-9)
    noise = check_real("noise", noise, minimum=0.0, maximum=100.0)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    rng = np.random.default_rng(seed)
    vocab_labels = list(_LETTERS[:V])
    shell = VerifiableRewardGame(vocab_labels, L, np.zeros((1, tree_sizes(V, L)[1]), dtype=bool))
    lengths = rng.integers(1, L + 1, size=X)
    answers = []
    for x in range(X):
        toks = rng.integers(0, V, size=int(lengths[x]))
        answers.append(" ".join(vocab_labels[t] for t in toks))
    logits = noise * rng.standard_normal((X, shell.num_nodes, V + 1))
    targets = lo * (hi / lo) ** (np.arange(X) / max(X - 1, 1))
    index = {" ".join(a): j for j, a in enumerate(shell.answer_labels)}
    for x in range(X):
        _set_path(logits, shell, x, index[answers[x]], float(targets[x]))
    order = np.argsort(np.argsort(targets))
    categories = (4 * order) // X
    return VerifiableRewardGame(vocab_labels, L, [[a] for a in answers], prior_logits=logits,
                                prompt_labels=[f"q{x}" for x in range(X)], categories=categories,
                                title=f"rlvr:toy({X} prompts)")


@register_game("rlvr:arith", family="rlvr")
def rlvr_arith(max_operand: int = 3, noise: float = 0.0, seed: int = 0) -> VerifiableRewardGame:
    """Prompts a+b (0 <= a, b <= max_operand); correct: "s", "0 s" or any "u + v" equal to a + b."""
    K = check_int("max_operand", max_operand, minimum=1, maximum=4)
    noise = check_real("noise", noise, minimum=0.0, maximum=100.0)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    digits = [str(d) for d in range(2 * K + 1)]
    vocab = [*digits, "+"]
    pairs = [(a, b) for a in range(K + 1) for b in range(K + 1)]
    X = len(pairs)
    _vocab("rlvr:arith", len(vocab), 3, X)

    def verifier(x: int, answer: tuple[str, ...]) -> bool:
        a, b = pairs[x]
        if not answer or "+" in answer[:1] or answer[-1:] == ("+",):
            return False
        if answer.count("+") == 1 and len(answer) == 3:
            return int(answer[0]) + int(answer[2]) == a + b
        if "+" in answer:
            return False
        return int("".join(answer)) == a + b and len(answer) <= 2 and (len(answer) == 1 or answer[0] == "0")

    rng = np.random.default_rng(seed)
    N, _ = tree_sizes(len(vocab), 3)
    logits = noise * rng.standard_normal((X, N, len(vocab) + 1))
    return VerifiableRewardGame(vocab, 3, verifier, num_prompts=X, prior_logits=logits,
                                prompt_labels=[f"{a}+{b}" for a, b in pairs],
                                categories=[a + b for a, b in pairs], title=f"rlvr:arith({K})")


@register_game("rlvr:multi", family="rlvr")
def rlvr_multi(prompts: int = 16, vocab: int = 3, max_length: int = 3, num_correct: int = 6,
               noise: float = 1.0, seed: int = 0) -> VerifiableRewardGame:
    """``num_correct`` distinct correct answers per prompt under a random prior (coverage task)."""
    V, L, X = _vocab("rlvr:multi", vocab, max_length, prompts)
    _, M = tree_sizes(V, L)
    c = check_int("num_correct", num_correct, minimum=1, maximum=M - 1)
    noise = check_real("noise", noise, minimum=0.0, maximum=100.0)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    rng = np.random.default_rng(seed)
    N, _ = tree_sizes(V, L)
    # correct answers among the non-empty ones (answer 0 is the empty answer)
    keys = rng.random((X, M - 1))
    chosen = np.argsort(keys, axis=1)[:, :c] + 1
    table = np.zeros((X, M), dtype=bool)
    np.put_along_axis(table, chosen, True, axis=1)
    logits = noise * rng.standard_normal((X, N, V + 1))
    return VerifiableRewardGame(list(_LETTERS[:V]), L, table, prior_logits=logits,
                                prompt_labels=[f"q{x}" for x in range(X)], title=f"rlvr:multi({X} prompts)")
