"""Verifiable-reward games: a policy answers prompts, a verifier says right or wrong (RLVR).

Reinforcement learning with verifiable rewards (RLVR) as a one-player game against a verifier.
Each prompt x is answered by a token sequence y = (y_1, ..., y_m), 0 <= m <= L, over a vocabulary
of V tokens: at each prefix of length < L the policy picks one of the V tokens or the end token
(index V); a prefix of length L ends by itself. The verifier returns 1 for a correct answer and 0
otherwise; the payoff of a policy π is its mean pass@1 over prompts,

    J(π) = (1/X) Σ_x Σ_y π(y|x) R(x, y).

Exact evaluation. The answers are enumerated once: the M = N + V^L answers of a prompt are the
N = Σ_{l<L} V^l prefixes followed by the end token, then the V^L full-length sequences. The
prefixes form a tree stored as arrays (parent, incoming token, depth, child table), so the answer
distribution of every prompt is computed with L vectorised products (`answer_probabilities`),
and the best policy by one backward pass over depths (`metrics.verifiable`).

A policy (the strategy form of this family) is an array ``(X, N, V + 1)``: for each prompt and each
prefix (node) a distribution over the next token, the end token last. A tabular learner holds
logits of the same shape; ``prior_logits`` (the game's reference policy, where learners start)
sets the difficulty of each prompt.

The exploitability of a policy is its gap to the best policy: ``nash_conv = (1/X) Σ_x (max_y R(x,y)
- pass@1(x))``, i.e. the mean pass@1 a best policy (mass 1 on a correct answer where one exists)
gains over π (`equilibria.metrics.verifiable`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_int, check_size
from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game, row_from_json

#: the label of the end token in answers and JSON profiles
END_TOKEN = "<eos>"
#: largest number of enumerated answers per prompt (the game is evaluated exactly)
MAX_ANSWERS = 200_000


class VerifierError(InvalidGameError):
    """A verifier that cannot be used: it returns something other than booleans, or raises."""


def tree_sizes(vocab_size: int, max_length: int) -> tuple[int, int]:
    """(N, M): the number of prefixes of length < L (decision nodes) and of answers."""
    nodes = sum(vocab_size**d for d in range(max_length))
    return nodes, nodes + vocab_size**max_length


class VerifiableRewardGame(Game):
    """Prompts, token-sequence answers up to ``max_length`` and a verifier.

    Parameters
    ----------
    vocab : sequence of str
        the V tokens (distinct, no whitespace, not ``"<eos>"``).
    max_length : int
        L >= 1, the longest answer (in tokens, the end token not counted).
    verifier : callable, sequence of answer sets, or bool array (X, M)
        - a function ``verifier(prompt_index, answer) -> bool`` with ``answer`` a tuple of token
          labels, called once per prompt and answer (it must return ``bool``/``numpy.bool_``;
          anything else raises `VerifierError`);
        - or, per prompt, an iterable of correct answers (each a sequence of token labels or a
          string of space-separated labels);
        - or a boolean array ``(X, M)`` over the enumerated answers (`answer_tokens`).
    num_prompts : int, optional
        X; required with a callable verifier, otherwise implied.
    prior_logits : array (X, N, V + 1) or (N, V + 1), optional
        logits of the reference policy (zeros: uniform next tokens).
    prompt_labels : sequence of str, optional
    categories : sequence of int, optional
        a category per prompt (e.g. a difficulty level), used by curriculum prompt allocation.
    """

    family = "rlvr"

    def __init__(
        self,
        vocab: Sequence[str],
        max_length: int,
        verifier: Any,
        *,
        num_prompts: int | None = None,
        prior_logits: Any = None,
        prompt_labels: Sequence[str] | None = None,
        categories: Sequence[int] | None = None,
        title: str = "",
    ):
        vocab = [str(t) for t in vocab] if not isinstance(vocab, str) else None
        if not vocab:
            raise InvalidGameError("vocab must be a non-empty list of token labels")
        if len(set(vocab)) != len(vocab) or END_TOKEN in vocab or any(
            not t or any(c.isspace() for c in t) for t in vocab
        ):
            raise InvalidGameError(
                f"vocab tokens must be distinct non-empty labels without whitespace, other than "
                f"{END_TOKEN!r}; got {vocab!r}"
            )
        V = len(vocab)
        L = check_int("max_length", max_length, minimum=1, maximum=64)
        N, M = tree_sizes(V, L)
        if M > MAX_ANSWERS:
            raise InvalidGameError(
                f"{M} answers per prompt (vocab {V}, max_length {L}); exact evaluation enumerates "
                f"them, so at most {MAX_ANSWERS} are allowed: use a smaller vocabulary or max_length"
            )
        object.__setattr__(self, "vocab", vocab)
        object.__setattr__(self, "max_length", L)
        self._build_tree(V, L, N, M)
        correct = self._correct_table(verifier, num_prompts, M)
        X = correct.shape[0]
        check_size(f"a verifiable-reward game with {X} prompts and {M} answers",
                   8.0 * X * (M + 4 * N * (V + 1)))
        A = V + 1
        if prior_logits is None:
            prior = np.zeros((X, N, A))
        else:
            try:
                prior = np.array(prior_logits, dtype=float)
            except (TypeError, ValueError) as exc:
                raise InvalidGameError(f"prior_logits must be numbers: {exc}") from None
            if prior.shape == (N, A):
                prior = np.broadcast_to(prior, (X, N, A)).copy()
            if prior.shape != (X, N, A):
                raise InvalidGameError(
                    f"prior_logits has shape {prior.shape}, expected {(X, N, A)} (prompts, prefixes, "
                    "vocab + end) or (prefixes, vocab + end)"
                )
            if not np.all(np.isfinite(prior)):
                raise InvalidGameError("prior_logits must be finite")
        if prompt_labels is None:
            prompt_labels = [f"x{i}" for i in range(X)]
        prompt_labels = [str(p) for p in prompt_labels]
        if len(prompt_labels) != X or len(set(prompt_labels)) != X:
            raise InvalidGameError(f"need {X} distinct prompt labels, got {len(prompt_labels)}")
        if categories is None:
            cats = np.zeros(X, dtype=np.int64)
        else:
            try:
                cats = np.array(categories)
            except (TypeError, ValueError):
                cats = np.array([None])
            if cats.shape != (X,) or cats.dtype.kind not in "iu" or (X and cats.min() < 0):
                raise InvalidGameError(f"categories must be {X} non-negative integers (one per prompt)")
            cats = cats.astype(np.int64)
        for arr in (correct, prior, cats):
            arr.setflags(write=False)
        self.correct: np.ndarray = correct
        self.prior_logits: np.ndarray = prior
        self.categories: np.ndarray = cats
        self.prompt_labels: list[str] = prompt_labels
        self.title = title
        self._freeze()

    # -- the prefix tree --------------------------------------------------------------------------
    def _build_tree(self, V: int, L: int, N: int, M: int) -> None:
        """Nodes in breadth-first order; answers: N "prefix + end", then V^L full-length ones."""
        depth = np.zeros(N, dtype=np.int64)
        parent = np.full(N, -1, dtype=np.int64)
        token = np.full(N, -1, dtype=np.int64)
        child = np.full((N, V + 1), -1, dtype=np.int64)
        start = [sum(V**d for d in range(k)) for k in range(L + 1)]  # first node of each depth
        for d in range(1, L):
            idx = np.arange(start[d], start[d + 1])
            local = idx - start[d]
            parent[idx] = start[d - 1] + local // V
            token[idx] = local % V
            depth[idx] = d
            child[parent[idx], token[idx]] = idx
        # answers: (node, action) pairs that end the answer
        ans_node = np.concatenate([np.arange(N), start[L - 1] + np.repeat(np.arange(V ** (L - 1)), V)])
        ans_action = np.concatenate([np.full(N, V), np.tile(np.arange(V), V ** (L - 1))])
        answer_of = np.full((N, V + 1), -1, dtype=np.int64)
        answer_of[ans_node, ans_action] = np.arange(M)
        # the token sequence and the decision path (node, action) of every answer
        tokens = np.full((M, L), -1, dtype=np.int64)
        path_nodes = np.full((M, L), -1, dtype=np.int64)
        path_actions = np.full((M, L), -1, dtype=np.int64)
        steps = np.where(ans_action == V, depth[ans_node] + 1, L)
        n = ans_node.copy()
        last = steps - 1
        path_nodes[np.arange(M), last] = n
        path_actions[np.arange(M), last] = ans_action
        full = ans_action < V
        tokens[np.arange(M)[full], L - 1] = ans_action[full]
        for back in range(1, L):
            pos = last - back
            ok = pos >= 0
            rows = np.arange(M)[ok]
            tok_pos = pos[ok]
            cur = n[ok]
            path_nodes[rows, tok_pos] = parent[cur]
            path_actions[rows, tok_pos] = token[cur]
            tokens[rows, tok_pos] = token[cur]
            n[ok] = parent[cur]
        lengths = np.where(ans_action == V, depth[ans_node], L)
        for name, arr in (("node_depth", depth), ("node_parent", parent), ("node_token", token),
                          ("child", child), ("answer_node", ans_node), ("answer_action", ans_action),
                          ("answer_of", answer_of), ("answer_tokens", tokens), ("answer_length", lengths),
                          ("answer_steps", steps), ("path_nodes", path_nodes),
                          ("path_actions", path_actions)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "depth_start", tuple(start))

    def _correct_table(self, verifier: Any, num_prompts: Any, M: int) -> np.ndarray:
        answers = self.answer_labels
        if callable(verifier):
            if num_prompts is None:
                raise InvalidGameError("a callable verifier needs num_prompts")
            X = check_int("num_prompts", num_prompts, minimum=1)
            check_size(f"verifying {X} prompts x {M} answers", 64.0 * X * M)
            table = np.zeros((X, M), dtype=bool)
            fn: Callable[[int, tuple[str, ...]], Any] = verifier
            for x in range(X):
                for j, ans in enumerate(answers):
                    try:
                        out = fn(x, ans)
                    except Exception as exc:  # noqa: BLE001 - any failure of user code is the verifier's
                        raise VerifierError(
                            f"the verifier raised {type(exc).__name__}: {exc} on prompt {x}, answer {ans!r}"
                        ) from None
                    if not isinstance(out, (bool, np.bool_)):
                        raise VerifierError(
                            f"the verifier must return True or False; it returned {out!r} "
                            f"({type(out).__name__}) on prompt {x}, answer {ans!r}"
                        )
                    table[x, j] = bool(out)
            return table
        if isinstance(verifier, np.ndarray) and verifier.ndim == 2:
            if verifier.dtype != bool:
                raise VerifierError(
                    f"a verifier table must be a boolean array, got dtype {verifier.dtype}: use a "
                    "bool array (prompts, answers) or answer sets"
                )
            if verifier.shape[1] != M or verifier.shape[0] < 1:
                raise InvalidGameError(f"verifier table has shape {verifier.shape}, expected (prompts, {M})")
            if num_prompts is not None and verifier.shape[0] != num_prompts:
                raise InvalidGameError(
                    f"verifier table has {verifier.shape[0]} rows, num_prompts {num_prompts}")
            return verifier.copy()
        try:
            sets = list(verifier)
        except TypeError:
            raise InvalidGameError(
                "verifier must be a function (prompt, answer) -> bool, a list of answer sets per prompt "
                "or a boolean table"
            ) from None
        if not sets:
            raise InvalidGameError("the game needs at least one prompt")
        if num_prompts is not None and len(sets) != num_prompts:
            raise InvalidGameError(f"{len(sets)} answer sets for num_prompts={num_prompts}")
        index = {a: j for j, a in enumerate(answers)}
        table = np.zeros((len(sets), M), dtype=bool)
        for x, group in enumerate(sets):
            if isinstance(group, str):
                raise InvalidGameError(
                    f"prompt {x}: give a list of correct answers, not the string {group!r}")
            try:
                items = list(group)
            except TypeError:
                raise InvalidGameError(f"prompt {x}: the correct answers must be a list") from None
            for ans in items:
                key = tuple(ans.split()) if isinstance(ans, str) else tuple(str(t) for t in ans)
                if key not in index:
                    raise InvalidGameError(
                        f"prompt {x}: {ans!r} is not an answer of this game (tokens from {self.vocab}, "
                        f"at most {self.max_length} of them)"
                    )
                table[x, index[key]] = True
        return table

    # -- shape --------------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return 1

    @property
    def num_prompts(self) -> int:
        return self.correct.shape[0]

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @property
    def num_actions(self) -> int:
        """V + 1: the tokens and the end token (last)."""
        return len(self.vocab) + 1

    @property
    def num_nodes(self) -> int:
        return self.child.shape[0]

    @property
    def num_answers(self) -> int:
        return self.correct.shape[1]

    @property
    def payoff_scale(self) -> float:
        return 1.0

    @property
    def is_constant_sum(self) -> bool:
        return False

    @cached_property
    def answer_labels(self) -> list[tuple[str, ...]]:
        """Each answer as a tuple of token labels (the end token omitted)."""
        return [tuple(self.vocab[t] for t in row if t >= 0) for row in self.answer_tokens]

    @cached_property
    def node_labels(self) -> list[str]:
        """Each prefix as its space-separated tokens (the root is ``""``)."""
        labels = [""] * self.num_nodes
        for n in range(1, self.num_nodes):
            p = int(self.node_parent[n])
            tok = self.vocab[int(self.node_token[n])]
            labels[n] = tok if not labels[p] else f"{labels[p]} {tok}"
        return labels

    @cached_property
    def action_labels(self) -> list[str]:
        return [*self.vocab, END_TOKEN]

    @cached_property
    def best_values(self) -> np.ndarray:
        """max_y R(x, y) per prompt: 1 where a correct answer exists, else 0."""
        v = self.correct.any(axis=1).astype(float)
        v.setflags(write=False)
        return v

    @cached_property
    def prior_policy(self) -> np.ndarray:
        """The reference policy softmax(prior_logits), shape (X, N, V + 1)."""
        z = self.prior_logits - self.prior_logits.max(axis=-1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=-1, keepdims=True)
        p.setflags(write=False)
        return p

    def default_method(self) -> str:
        return "grpo"

    # -- policies ----------------------------------------------------------------------------------
    def validate_policy(self, policy: Any, atol: float = 1e-9) -> np.ndarray:
        """A policy array (X, N, V + 1) with rows on the simplex (within ``atol``), renormalised."""
        shape = (self.num_prompts, self.num_nodes, self.num_actions)
        if isinstance(policy, (list, tuple)) and len(policy) == 1:
            policy = policy[0]
        try:
            pi = np.array(policy, dtype=float)
        except (TypeError, ValueError):
            raise InvalidStrategyError(f"a policy must be a numeric array of shape {shape}") from None
        if pi.shape != shape:
            raise InvalidStrategyError(
                f"a policy has shape {pi.shape}, expected {shape} (prompts, prefixes, vocab + end)"
            )
        if not np.all(np.isfinite(pi)) or np.any(pi < -atol):
            raise InvalidStrategyError("a policy must have finite non-negative probabilities")
        sums = pi.sum(axis=-1)
        off = np.abs(sums - 1.0) > max(atol, 1e-9 * self.num_actions)
        if off.any():
            x, n = (int(v) for v in np.argwhere(off)[0])
            raise InvalidStrategyError(
                f"the policy of prompt {self.prompt_labels[x]!r} at prefix {self.node_labels[n]!r} "
                f"sums to {sums[x, n]}"
            )
        pi = np.clip(pi, 0.0, None)
        return pi / pi.sum(axis=-1, keepdims=True)

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("verifiable-reward games are evaluated in floating point; drop --exact")
        return np.full((self.num_prompts, self.num_nodes, self.num_actions), 1.0 / self.num_actions)

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        """``{prompt: {prefix: {token: p}}}`` with prefixes as space-separated tokens (root ``""``)."""
        pi = self.validate_policy(profile)
        acts = self.action_labels
        return {
            px: {nl: {a: float(pi[x, n, j]) for j, a in enumerate(acts)}
                 for n, nl in enumerate(self.node_labels)}
            for x, px in enumerate(self.prompt_labels)
        }

    def profile_from_json(self, data: Any) -> np.ndarray:
        if not isinstance(data, dict):
            raise InvalidStrategyError(
                "a verifiable-reward policy is a JSON object {prompt: {prefix: {token: p}}}")
        unknown = set(data) - set(self.prompt_labels)
        if unknown:
            raise InvalidStrategyError(f"unknown prompt(s) {sorted(unknown)!r}")
        pi = np.zeros((self.num_prompts, self.num_nodes, self.num_actions))
        aidx = {a: j for j, a in enumerate(self.action_labels)}
        nidx = {nl: n for n, nl in enumerate(self.node_labels)}
        for x, px in enumerate(self.prompt_labels):
            rows = data.get(px)
            if not isinstance(rows, dict):
                raise InvalidStrategyError(f"the policy has no table for prompt {px!r}")
            missing = set(nidx) - set(rows)
            if missing:
                raise InvalidStrategyError(f"prompt {px!r}: no distribution at prefix {sorted(missing)[0]!r}")
            for nl, dist in rows.items():
                if nl not in nidx:
                    raise InvalidStrategyError(f"prompt {px!r}: {nl!r} is not a prefix of this game")
                pi[x, nidx[nl]] = row_from_json(dist, aidx, self.num_actions,
                                                where=f"prompt {px!r}, prefix {nl!r}", item="token")
        return self.validate_policy(pi)

    # -- exact evaluation --------------------------------------------------------------------------
    def node_reach(self, policy: Any, validate: bool = True) -> np.ndarray:
        """Probability of reaching each prefix, (X, N): L − 1 vectorised products down the tree."""
        pi = self.validate_policy(policy) if validate else policy
        reach = np.empty(pi.shape[:2])
        reach[:, 0] = 1.0
        s = self.depth_start
        for d in range(1, self.max_length):
            idx = np.arange(s[d], s[d + 1])
            par = self.node_parent[idx]
            reach[:, idx] = reach[:, par] * pi[:, par, self.node_token[idx]]
        return reach

    def answer_probabilities(self, policy: Any, validate: bool = True) -> np.ndarray:
        """π(y|x) for every prompt and enumerated answer, (X, M); rows sum to 1."""
        pi = self.validate_policy(policy) if validate else policy
        reach = self.node_reach(pi, validate=False)
        return reach[:, self.answer_node] * pi[:, self.answer_node, self.answer_action]

    def pass_rates(self, policy: Any) -> np.ndarray:
        """pass@1 of each prompt, Σ_y π(y|x) R(x, y), shape (X,)."""
        q = self.answer_probabilities(policy)
        return np.einsum("xm,xm->x", q, self.correct)

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """``[J(π)]``: the mean pass@1 over prompts."""
        if exact:
            raise NotApplicableError("verifiable-reward games are evaluated in floating point; drop --exact")
        return np.array([float(self.pass_rates(profile).mean())])

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        return (f"<VerifiableRewardGame{name}: {self.num_prompts} prompts, vocab {self.vocab_size}, "
                f"max_length {self.max_length}, {self.num_answers} answers>")
