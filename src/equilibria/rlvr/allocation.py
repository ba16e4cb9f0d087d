"""Prompt allocation: how an RLVR learner spends a fixed rollout budget across prompts.

Pure functions on plain arrays (the learner keeps their state, so checkpoints stay plain data);
all randomness from the generator passed in. A batch is a list of prompt indices (repeats allowed)
and a number of answers (a group size) for each.

- ``uniform``: ``batch_prompts`` distinct prompts drawn uniformly (all prompts when the batch is
  the whole set), ``group_size`` answers each.
- ``knapsack`` (Li et al., "Knapsack RL: Unlocking Exploration of LLMs via Optimizing Budget
  Allocation", arXiv:2509.25849, 2025): every prompt of the batch gets n_i answers, n_min <= n_i <=
  n_max, Σ n_i = batch_prompts · group_size, maximising Σ_i Value(n_i, p̂_i) with
  Value(n, p) = (1 − p^n − (1 − p)^n) · p (1 − p)², the probability of a non-zero gradient times the
  paper's information gain; p̂_i is the prompt's last observed success rate (the learner uses the
  uniform allocation while a prompt of the batch has never been seen, like the paper's first epoch).
  Value is concave in n, so taking the largest marginal gains greedily is an exact knapsack
  solution (`knapsack_budgets`; the paper solves the same problem by dynamic programming); budget
  no prompt gains from goes first to unsolved prompts (the paper's fallback).
- ``mopps`` (Qu et al., "Can Prompt Difficulty be Online Predicted for Accelerating RL Finetuning
  of Reasoning Models?", arXiv 2025; Model-Predictive Prompt Selection): a Beta(a, b)
  posterior on each prompt's success rate, discounted towards the Beta(1, 1) prior by λ at each
  step and updated with the observed successes and failures; Thompson sampling draws θ_i from the
  posteriors and the batch is the ``batch_prompts`` prompts with θ_i closest to the target 1/2.
- ``sec`` (Chen et al., "Self-Evolving Curriculum for LLM Reasoning", arXiv 2025): a
  non-stationary bandit over the game's prompt categories; a batch slot picks a category c with
  probability ∝ exp(Q_c/τ) and then a prompt of c uniformly; after the step Q_c ← η r_c + (1 − η) Q_c
  with r_c the mean absolute advantage of the batch's answers to prompts of category c.
"""

from __future__ import annotations

import numpy as np

ALLOCATIONS = ("uniform", "knapsack", "mopps", "sec")


def uniform(rng: np.random.Generator, num_prompts: int, batch_prompts: int, group_size: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """``batch_prompts`` distinct prompts uniformly at random (in index order when all are taken)."""
    if batch_prompts >= num_prompts:
        prompts = np.arange(num_prompts)
    else:
        prompts = np.sort(rng.choice(num_prompts, size=batch_prompts, replace=False))
    return prompts, np.full(len(prompts), group_size, dtype=np.int64)


def knapsack_value(n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Value(n, p) = (1 − p^n − (1 − p)^n) · p (1 − p)² (Knapsack RL), elementwise."""
    n = np.asarray(n, dtype=float)
    p = np.asarray(p, dtype=float)
    return (1.0 - p**n - (1.0 - p) ** n) * p * (1.0 - p) ** 2


def knapsack_budgets(p_hat: np.ndarray, total: int, n_min: int, n_max: int) -> np.ndarray:
    """Answers per prompt maximising Σ Value(n_i, p̂_i) subject to Σ n_i = total, n_min <= n_i <= n_max.

    Everyone starts at n_min; the remaining budget goes to the largest positive marginal gains
    Value(n + 1) − Value(n) (decreasing in n for each prompt, so the greedy choice is an optimal
    knapsack solution). Budget left once no gain is positive follows the paper's fallback: it goes
    to the unsolved prompts (p̂ = 0) in turn, then to all prompts in turn, up to n_max each.
    """
    p = np.asarray(p_hat, dtype=float)
    P = len(p)
    budget = np.full(P, n_min, dtype=np.int64)
    extra = min(int(total), P * n_max) - P * n_min
    if extra <= 0 or n_max <= n_min:
        return budget
    n = np.arange(n_min, n_max)  # from n to n + 1
    gains = knapsack_value(n[None, :] + 1, p[:, None]) - knapsack_value(n[None, :], p[:, None])
    positive = np.flatnonzero(gains.ravel() > 0)
    order = positive[np.argsort(-gains.ravel()[positive], kind="stable")]
    take = order[:extra]
    np.add.at(budget, take // gains.shape[1], 1)
    extra -= len(take)
    for group in (np.flatnonzero(p == 0), np.arange(P)):  # the fallback, one round per answer
        while extra > 0:
            room = group[budget[group] < n_max]
            if len(room) == 0:
                break
            give = room[:extra]
            budget[give] += 1
            extra -= len(give)
    return budget


def mopps_select(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, batch_prompts: int,
                 target: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Thompson sampling: θ_i ~ Beta(a_i, b_i); the ``batch_prompts`` prompts with θ_i nearest ``target``."""
    theta = rng.beta(a, b)
    order = np.argsort(np.abs(theta - target), kind="stable")
    return np.sort(order[:batch_prompts]), theta


def mopps_update(a: np.ndarray, b: np.ndarray, prompts: np.ndarray, successes: np.ndarray,
                 trials: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """Discount every posterior towards Beta(1, 1) by ``decay`` (λ), then add the batch's counts."""
    a = decay * a + (1.0 - decay) * 1.0
    b = decay * b + (1.0 - decay) * 1.0
    np.add.at(a, prompts, successes)
    np.add.at(b, prompts, trials - successes)
    return a, b


def sec_select(rng: np.random.Generator, q: np.ndarray, categories: np.ndarray, batch_prompts: int,
               temperature: float) -> np.ndarray:
    """Boltzmann draws of a category per slot (over the categories that have prompts), then a
    prompt of that category uniformly."""
    present = np.bincount(categories, minlength=len(q)) > 0
    z = np.where(present, q / temperature, -np.inf)
    z = z - z.max()
    probs = np.exp(z)
    probs /= probs.sum()
    draws = rng.random(batch_prompts) * probs.sum()
    cats = np.minimum(np.searchsorted(np.cumsum(probs), draws, side="right"), len(q) - 1)
    members = np.argsort(categories, kind="stable")
    counts = np.bincount(categories, minlength=len(q))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pick = starts[cats] + np.minimum((rng.random(batch_prompts) * counts[cats]).astype(np.int64),
                                     counts[cats] - 1)
    return members[pick]


def sec_update(q: np.ndarray, categories: np.ndarray, prompts: np.ndarray, mean_abs_adv: np.ndarray,
               rate: float) -> np.ndarray:
    """Q_c ← rate · r_c + (1 − rate) Q_c for the categories in the batch (r_c: mean |advantage|)."""
    cats = categories[prompts]
    total = np.bincount(cats, weights=mean_abs_adv, minlength=len(q))
    count = np.bincount(cats, minlength=len(q))
    seen = count > 0
    q = q.copy()
    q[seen] = rate * total[seen] / count[seen] + (1.0 - rate) * q[seen]
    return q
