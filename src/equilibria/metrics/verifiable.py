"""Exact metrics of verifiable-reward (RLVR) policies, computed by enumerating answers.

With q(y|x) the answer distribution of prompt x (`VerifiableRewardGame.answer_probabilities`),
R(x, y) ∈ {0, 1} the verifier and s(x) = Σ_y q(y|x) R(x, y) the pass@1 of prompt x, all means are
over prompts:

- ``pass_at_k``: E_x [1 − (1 − s(x))^k], the probability that one of k independent answers is
  correct (exact), and `pass_at_k_estimate`, the unbiased estimator 1 − C(n−c, k)/C(n, k) of
  Chen et al., "Evaluating Large Language Models Trained on Code", arXiv:2107.03374, 2021, from n
  samples with c correct;
- ``coverage``: E_x [Σ_{y correct} (1 − (1 − q(y|x))^k) / #correct(x)], the expected fraction of
  a prompt's distinct correct answers found by k samples (prompts with a correct answer);
- ``entropy_per_token``: E_x [H(q(·|x)) / E|y|_decisions], with H(q) = Σ_n reach(n) H(π(·|n)) by
  the chain rule and the expected number of decisions Σ_n reach(n) (end token included);
- ``wrong_answer_length``: E[|y| | y wrong], tokens, end token not counted (over all prompts'
  wrong mass);
- the metrics core: ``deviation_gains = [E_x max_y R(x, y) − J(π)]``, the gap to the best policy
  (``nash_conv``); ``best_response`` puts mass 1, at every prefix, on a token that leads to a
  correct answer where one exists (backward induction over depths).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int
from ..errors import InvalidParameterError, NotApplicableError
from ..games.verifiable import VerifiableRewardGame
from .core import best_response, best_response_values, deviation_gains


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("verifiable-reward games are evaluated in floating point; drop --exact")


def pass_at_1(game: VerifiableRewardGame, policy: Any) -> float:
    """Mean pass@1 over prompts, J(π)."""
    return float(game.pass_rates(policy).mean())


def pass_at_k(game: VerifiableRewardGame, policy: Any, k: int) -> float:
    """Exact mean pass@k: E_x [1 − (1 − s(x))^k]."""
    k = check_int("k", k, minimum=1, maximum=10**9)
    s = game.pass_rates(policy)
    return float(np.mean(1.0 - (1.0 - s) ** k))


def pass_at_k_estimate(n: Any, c: Any, k: int) -> np.ndarray:
    """Unbiased pass@k estimate 1 − C(n−c, k)/C(n, k) (Chen et al., arXiv:2107.03374, 2021), vectorised.

    Computed as 1 − Π_{i=n−c+1}^{n} (1 − k/i), the numerically stable product form; needs k <= n.
    """
    n_arr = np.asarray(n)
    c_arr = np.asarray(c)
    k = check_int("k", k, minimum=1)
    if n_arr.dtype.kind not in "iu" or c_arr.dtype.kind not in "iu":
        raise InvalidParameterError("n and c must be integers (sample and correct counts)")
    n_arr, c_arr = np.broadcast_arrays(n_arr.astype(np.int64), c_arr.astype(np.int64))
    if np.any(c_arr < 0) or np.any(c_arr > n_arr):
        raise InvalidParameterError("need 0 <= c <= n for every entry")
    if np.any(n_arr < k):
        raise InvalidParameterError(f"k = {k} exceeds the number of samples n = {int(n_arr.min())}")
    top = int(n_arr.max()) if n_arr.size else 0
    i = np.arange(1, top + 1, dtype=float)
    # log(1 − k/i) for i > k; factors with i <= k would be <= 0 and only occur when n − c < k
    logf = np.full(top, -np.inf)
    logf[i > k] = np.log1p(-k / i[i > k])
    cum = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(logf), logf, 0.0))])
    bad = np.concatenate([[0], np.cumsum(~np.isfinite(logf))])
    lo = n_arr - c_arr  # product over i in (n − c, n]
    log_prod = cum[n_arr] - cum[lo]
    zero = (bad[n_arr] - bad[lo]) > 0
    return np.where(zero | (n_arr - c_arr < k), 1.0, 1.0 - np.exp(log_prod))


def coverage(game: VerifiableRewardGame, policy: Any, k: int) -> float:
    """Expected fraction of each prompt's distinct correct answers found in k samples (exact)."""
    k = check_int("k", k, minimum=1, maximum=10**9)
    q = game.answer_probabilities(policy)
    found = np.where(game.correct, 1.0 - (1.0 - q) ** k, 0.0).sum(axis=1)
    count = game.correct.sum(axis=1)
    has = count > 0
    if not has.any():
        return 0.0
    return float(np.mean(found[has] / count[has]))


def expected_distinct_correct(game: VerifiableRewardGame, policy: Any, k: int) -> np.ndarray:
    """Per prompt, the expected number of distinct correct answers among k samples, (X,)."""
    k = check_int("k", k, minimum=1, maximum=10**9)
    q = game.answer_probabilities(policy)
    return np.where(game.correct, 1.0 - (1.0 - q) ** k, 0.0).sum(axis=1)


def _row_entropy(pi: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(pi > 0, pi * np.log(np.where(pi > 0, pi, 1.0)), 0.0).sum(axis=-1)


def entropy_per_token(game: VerifiableRewardGame, policy: Any) -> float:
    """Mean over prompts of H(answer) / E[number of decisions] (nats per generated token)."""
    pi = game.validate_policy(policy)
    reach = game.node_reach(pi, validate=False)
    h = (reach * _row_entropy(pi)).sum(axis=1)
    return float(np.mean(h / reach.sum(axis=1)))


def answer_entropy(game: VerifiableRewardGame, policy: Any) -> np.ndarray:
    """H(q(·|x)) per prompt (nats), by the chain rule over prefixes."""
    pi = game.validate_policy(policy)
    reach = game.node_reach(pi, validate=False)
    return (reach * _row_entropy(pi)).sum(axis=1)


def wrong_answer_length(game: VerifiableRewardGame, policy: Any) -> float:
    """E[|y| | y wrong] over all prompts (tokens, the end token not counted); NaN with no wrong mass."""
    q = game.answer_probabilities(policy)
    wrong = np.where(game.correct, 0.0, q)
    mass = wrong.sum()
    return float((wrong @ game.answer_length).sum() / mass) if mass > 0 else float("nan")


def mean_length(game: VerifiableRewardGame, policy: Any) -> float:
    """E|y| over prompts and answers (tokens)."""
    q = game.answer_probabilities(policy)
    return float(np.mean(q @ game.answer_length))


def best_policy(game: VerifiableRewardGame) -> np.ndarray:
    """A deterministic best policy: at each prefix a token maximising the best reachable reward."""
    X, N, A = game.num_prompts, game.num_nodes, game.num_actions
    value = np.zeros((X, N))
    choice = np.zeros((X, N), dtype=np.int64)
    s = game.depth_start
    corr = game.correct.astype(float)
    for d in range(game.max_length - 1, -1, -1):
        idx = np.arange(s[d], s[d + 1])
        q = np.zeros((X, len(idx), A))
        ans = game.answer_of[idx]
        term = ans >= 0
        kids = game.child[idx]
        q[:, term] = corr[:, ans[term]]
        q[:, ~term] = value[:, kids[~term]]
        choice[:, idx] = np.argmax(q, axis=2)
        value[:, idx] = q.max(axis=2)
    pi = np.zeros((X, N, A))
    np.put_along_axis(pi, choice[..., None], 1.0, axis=2)
    return pi


@deviation_gains.register
def _gains_rlvr(game: VerifiableRewardGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """The gap to the best policy: mean over prompts of max_y R(x, y) − pass@1(x)."""
    _no_exact(exact)
    gap = float(np.mean(game.best_values - game.pass_rates(profile)))
    return np.array([max(gap, 0.0)])


@best_response_values.register
def _br_values_rlvr(game: VerifiableRewardGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    game.validate_policy(profile)
    return np.array([float(game.best_values.mean())])


@best_response.register
def _br_rlvr(game: VerifiableRewardGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """A best policy (X, N, V + 1), one-hot rows (it does not depend on ``profile``: one player)."""
    _no_exact(exact)
    check_int("player", player, minimum=0, maximum=0)
    game.validate_policy(profile)
    return best_policy(game)


def summary(game: VerifiableRewardGame, policy: Any, k: int = 8) -> dict[str, float]:
    """The exact numbers reported for an RLVR policy (`Solution.info` and learner traces)."""
    pi = game.validate_policy(policy)
    s = game.pass_rates(pi)
    return {
        "pass@1": float(s.mean()),
        f"pass@{k}": float(np.mean(1.0 - (1.0 - s) ** k)),
        f"coverage@{k}": coverage(game, pi, k),
        "entropy_per_token": entropy_per_token(game, pi),
        "wrong_answer_length": wrong_answer_length(game, pi),
        "gap_to_best": float(np.mean(game.best_values - s)),
    }
