"""Group advantage estimators of RL with verifiable rewards, as pure functions.

``advantages(name, rewards, **options)``: ``rewards`` has shape ``(..., G)``, the last axis one
group of G answers to the same prompt (leading axes: independent groups, e.g. the prompts of a
batch); the result has the same shape, one advantage per answer. With r the group's rewards,
r̄ their mean and s their standard deviation:

===========  ==========================================================================  ============
name         advantage of answer i                                                       paper
===========  ==========================================================================  ============
grpo         (r_i − r̄) / (s + ε), s with Bessel's correction (ddof 1, TRL's default),   Shao 2024
             ε = 1e-4 (TRL's)
dr-grpo      r_i − r̄                                                                    Liu 2025
rloo         r_i − (Σ_{j≠i} r_j)/(G − 1) = G/(G − 1) (r_i − r̄)                          Ahmadian 2024
reinforce    r_i − b (constant baseline b, default 0: plain REINFORCE)                   Williams 1992
gpg          α (r_i − r̄), α = B/(B − M): B answers in the call, M of them in groups     Chu 2025
             whose rewards are all equal (zero advantage)
bnpo         (r_i − r̄) / f_Beta(r̄; a, b), Beta parameters from the batch's group means   Xiao 2025
             by moments, a = max(1, 1 + â/3), b = max(1, 1 + b̂/3); 1/f capped at 1e6
ngrpo        (r_i − r̄') / (s' + ε), r̄', s' over the group plus one virtual answer of    Nan 2025
             reward ``max_reward`` (1)
pass@k       analytic pass@k advantage: with N = G, n⁻ wrong answers,                   Chen 2025
             R̄ = 1 − C(n⁻, k)/C(N, k), σ = √(R̄(1 − R̄)): correct (1 − R̄)/σ, wrong
             (1 − R̄ − C(n⁻ − 1, k − 1)/C(N − 1, k − 1))/σ; 0 where σ = 0
a-grae       GRPO's Â reweighted by difficulty and batch accuracy μ̄:                   Yu 2026
             Â ← μ̄ Â/(2(√r̄ + ε)) + (1 − μ̄) Â/(2(1 − √r̄ + ε)), then Â ← Â min(1, μ̄/α)
             where Â > 0
===========  ==========================================================================  ============

Papers: Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language
Models", arXiv:2402.03300, 2024; Liu et al., "Understanding R1-Zero-Like Training: A Critical
Perspective", arXiv:2503.20783, 2025; Ahmadian et al., "Back to Basics: Revisiting REINFORCE Style
Optimization for Learning from Human Feedback in LLMs", ACL 2024; Williams, "Simple Statistical
Gradient-Following Algorithms for Connectionist Reinforcement Learning", Machine Learning 1992;
Chu et al., "GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning",
arXiv:2504.02546, 2025; Xiao et al., "BNPO: Beta Normalization Policy Optimization",
arXiv:2506.02864, 2025; Nan et al., "NGRPO: Negative-enhanced Group Relative Policy Optimization",
arXiv 2025; Chen et al., "Pass@k Training for Adaptively Balancing Exploration and Exploitation of
Large Reasoning Models", arXiv:2508.10751, 2025; Yu et al., "Unveiling Implicit Advantage Symmetry:
Why GRPO Struggles with Exploration and Difficulty Adaptation", arXiv:2602.05548, 2026.

Batch-level quantities (gpg's α, bnpo's Beta parameters, a-grae's μ̄) are computed over all groups
in the call unless given as options (``alpha``, ``beta_params``, ``batch_mean``), so that a caller
with groups of unequal sizes can compute them once for the batch.

Bad input raises: `EmptyGroupError` (no answers in a group), `GroupLengthError` (rewards whose
last axis is not ``group_size``), `GroupTooSmallError` (k > G for pass@k, G < 2 for rloo), all
subclasses of `InvalidParameterError`; an unknown name raises `UnknownNameError`.
"""

from __future__ import annotations

import inspect
from math import comb
from typing import Any

import numpy as np

from .._checks import check_int, check_real
from ..errors import InvalidParameterError, UnknownNameError

__all__ = [
    "ESTIMATORS",
    "EmptyGroupError",
    "GroupLengthError",
    "GroupTooSmallError",
    "advantages",
    "bnpo_beta_parameters",
    "gpg_alpha",
]


class EmptyGroupError(InvalidParameterError):
    """A group without answers: there is nothing to compute an advantage for."""


class GroupLengthError(InvalidParameterError):
    """Rewards whose group axis does not have the announced group size."""


class GroupTooSmallError(InvalidParameterError):
    """A group too small for the estimator (k > G for pass@k, G < 2 for leave-one-out)."""


GRPO_EPS = 1e-4
BNPO_MAX_WEIGHT = 1e6
AGRAE_EPS = 1e-6


def _rewards(rewards: Any, group_size: Any) -> np.ndarray:
    try:
        r = np.array(rewards, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError("rewards must be an array of numbers, shape (..., group size)") from None
    if r.ndim == 0:
        raise InvalidParameterError("rewards must be an array with the group on its last axis, not a scalar")
    if r.shape[-1] == 0:
        raise EmptyGroupError("a group has no answers: sample at least one answer per prompt")
    if group_size is not None:
        G = check_int("group_size", group_size, minimum=1)
        if r.shape[-1] != G:
            raise GroupLengthError(f"rewards have {r.shape[-1]} answers per group, group_size is {G}")
    if not np.all(np.isfinite(r)):
        raise InvalidParameterError("rewards must be finite")
    return r


def _binary(r: np.ndarray, name: str) -> None:
    if not np.all((r == 0) | (r == 1)):
        raise InvalidParameterError(f"{name} needs binary rewards (0 or 1): a verifier's verdicts")


def _std(r: np.ndarray, ddof: int) -> np.ndarray:
    G = r.shape[-1]
    if G - ddof <= 0:
        return np.zeros(r.shape[:-1] + (1,))
    return np.std(r, axis=-1, ddof=ddof, keepdims=True)


def _grpo(r: np.ndarray, *, ddof: int = 1, eps: float = GRPO_EPS) -> np.ndarray:
    """GRPO (Shao et al., arXiv:2402.03300, 2024): (r_i - mean)/(s + eps), s with ``ddof`` (1: TRL)."""
    ddof = check_int("ddof", ddof, minimum=0, maximum=1)
    eps = check_real("eps", eps, minimum=0.0, maximum=1.0)
    centred = r - r.mean(axis=-1, keepdims=True)
    s = _std(r, ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(s + eps > 0, centred / (s + eps), 0.0)
    return out


def _dr_grpo(r: np.ndarray) -> np.ndarray:
    """Dr. GRPO (Liu et al., arXiv:2503.20783, 2025): r_i - mean."""
    return r - r.mean(axis=-1, keepdims=True)


def _rloo(r: np.ndarray) -> np.ndarray:
    """RLOO (Ahmadian et al., ACL 2024): r_i minus the mean of the others."""
    G = r.shape[-1]
    if G < 2:
        raise GroupTooSmallError("rloo needs at least 2 answers per group (a leave-one-out baseline)")
    others = (r.sum(axis=-1, keepdims=True) - r) / (G - 1)
    return r - others


def _reinforce(r: np.ndarray, *, baseline: float = 0.0) -> np.ndarray:
    """REINFORCE (Williams, Machine Learning 1992): r_i - b."""
    b = check_real("baseline", baseline, minimum=-1e100, maximum=1e100)
    return r - b


def gpg_alpha(groups: list[np.ndarray] | np.ndarray) -> float:
    """GPG's correction α = B/(B − M): B answers in all, M in groups whose rewards are all equal."""
    if isinstance(groups, np.ndarray):
        groups = list(groups.reshape(-1, groups.shape[-1]))
    B = sum(len(g) for g in groups)
    M = sum(len(g) for g in groups if len(g) and np.all(g == g[0]))
    return float(B / (B - M)) if B > M else 1.0


def _gpg(r: np.ndarray, *, alpha: float | None = None) -> np.ndarray:
    """GPG (Chu et al., arXiv:2504.02546, 2025): alpha (r_i - mean), alpha = B/(B - M) (`gpg_alpha`)."""
    a = gpg_alpha(r) if alpha is None else check_real("alpha", alpha, minimum=0.0, maximum=1e12)
    return a * (r - r.mean(axis=-1, keepdims=True))


def bnpo_beta_parameters(group_means: np.ndarray) -> tuple[float, float]:
    """BNPO's Beta parameters from the batch's group means p: moments of p, a = max(1, 1 + â/3),
    b = max(1, 1 + b̂/3), â = (p̄(1 − p̄)/v − 1) p̄, b̂ = (p̄(1 − p̄)/v − 1)(1 − p̄), v the unbiased
    variance; (1, 1), the uniform density, with fewer than two groups or no spread."""
    p = np.asarray(group_means, dtype=float).reshape(-1)
    if p.size < 2:
        return 1.0, 1.0
    m, v = float(p.mean()), float(p.var(ddof=1))
    if v <= 0:
        return 1.0, 1.0
    c = m * (1 - m) / v - 1
    return max(1.0, 1.0 + c * m / 3.0), max(1.0, 1.0 + c * (1 - m) / 3.0)


def _beta_pdf(p: np.ndarray, a: float, b: float) -> np.ndarray:
    from math import lgamma

    logB = lgamma(a) + lgamma(b) - lgamma(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = (a - 1) * np.log(np.where(p > 0, p, 1.0)) + (b - 1) * np.log(np.where(p < 1, 1 - p, 1.0)) - logB
        dens = np.exp(lp)
    dens = np.where((p <= 0) & (a > 1), 0.0, dens)
    dens = np.where((p >= 1) & (b > 1), 0.0, dens)
    return dens


def _bnpo(r: np.ndarray, *, beta_params: tuple[float, float] | None = None) -> np.ndarray:
    """BNPO (Xiao et al., arXiv:2506.02864, 2025): (r_i - p)/f_Beta(p; a, b) (`bnpo_beta_parameters`)."""
    if np.any((r < 0) | (r > 1)):
        raise InvalidParameterError("bnpo needs rewards in [0, 1] (the group mean is a success rate)")
    p = r.mean(axis=-1, keepdims=True)
    if beta_params is None:
        a, b = bnpo_beta_parameters(p)
    else:
        if not isinstance(beta_params, (tuple, list)) or len(beta_params) != 2:
            raise InvalidParameterError("beta_params must be a pair (a, b) of Beta parameters")
        a = check_real("beta_params[0]", beta_params[0], minimum=0.0, strict_minimum=True, maximum=1e6)
        b = check_real("beta_params[1]", beta_params[1], minimum=0.0, strict_minimum=True, maximum=1e6)
    dens = _beta_pdf(p, a, b)
    with np.errstate(divide="ignore"):
        weight = np.minimum(np.where(dens > 0, 1.0 / dens, np.inf), BNPO_MAX_WEIGHT)
    return weight * (r - p)


def _ngrpo(r: np.ndarray, *, max_reward: float = 1.0, ddof: int = 1, eps: float = GRPO_EPS) -> np.ndarray:
    """NGRPO (Nan et al., arXiv 2025): GRPO's statistics over the group plus one virtual answer
    of reward ``max_reward``."""
    top = check_real("max_reward", max_reward, minimum=-1e100, maximum=1e100)
    ddof = check_int("ddof", ddof, minimum=0, maximum=1)
    eps = check_real("eps", eps, minimum=0.0, maximum=1.0)
    virtual = np.concatenate([r, np.full(r.shape[:-1] + (1,), top)], axis=-1)
    mean = virtual.mean(axis=-1, keepdims=True)
    s = np.std(virtual, axis=-1, ddof=ddof, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s + eps > 0, (r - mean) / (s + eps), 0.0)


def _pass_at_k(r: np.ndarray, *, k: int) -> np.ndarray:
    """Pass@k training (Chen et al., arXiv:2508.10751, 2025): the analytic advantage of the module table."""
    _binary(r, "pass@k")
    G = r.shape[-1]
    k = check_int("k", k, minimum=1)
    if k > G:
        raise GroupTooSmallError(f"pass@k with k = {k} needs at least k answers per group; the group has {G}")
    neg = (G - r.sum(axis=-1, keepdims=True)).astype(np.int64)
    total = comb(G, k)
    all_wrong = np.vectorize(lambda n: comb(int(n), k) / total, otypes=[float])(neg)
    mean = 1.0 - all_wrong
    sigma = np.sqrt(np.clip(mean * (1.0 - mean), 0.0, None))
    denom = comb(G - 1, k - 1)
    frac = np.vectorize(lambda n: comb(int(n) - 1, k - 1) / denom if n >= 1 else 0.0, otypes=[float])(neg)
    with np.errstate(invalid="ignore", divide="ignore"):
        pos = np.where(sigma > 0, (1.0 - mean) / sigma, 0.0)
        negv = np.where(sigma > 0, (1.0 - mean - frac) / sigma, 0.0)
    return np.where(r == 1, pos, negv)


def _a_grae(r: np.ndarray, *, batch_mean: float | None = None, suppression: float = 1.0,
            ddof: int = 1, eps: float = GRPO_EPS) -> np.ndarray:
    """A-GRAE (Yu et al., arXiv:2602.05548, 2026), the authors' released rule (module table)."""
    if np.any((r < 0) | (r > 1)):
        raise InvalidParameterError("a-grae needs rewards in [0, 1] (the group mean is a success rate)")
    base = _grpo(r, ddof=ddof, eps=eps)
    p = r.mean(axis=-1, keepdims=True)
    mu = (float(p.mean()) if batch_mean is None
          else check_real("batch_mean", batch_mean, minimum=0.0, maximum=1.0))
    alpha = check_real("suppression", suppression, minimum=0.0, strict_minimum=True, maximum=1e6)
    root = np.sqrt(p)
    hard = 0.5 * base / (root + AGRAE_EPS)
    easy = 0.5 * base / (1.0 - root + AGRAE_EPS)
    out = (1.0 - mu) * easy + mu * hard
    return np.where(out > 0, out * min(1.0, mu / alpha), out)


ESTIMATORS = {
    "grpo": _grpo,
    "dr-grpo": _dr_grpo,
    "rloo": _rloo,
    "reinforce": _reinforce,
    "gpg": _gpg,
    "bnpo": _bnpo,
    "ngrpo": _ngrpo,
    "pass@k": _pass_at_k,
    "a-grae": _a_grae,
}


_OPTIONS = {name: frozenset(p for p in inspect.signature(fn).parameters if p != "r")
            for name, fn in ESTIMATORS.items()}


def advantages(name: str, rewards: Any, *, group_size: int | None = None, **options: Any) -> np.ndarray:
    """One advantage per answer from a group's rewards (see the module table for each ``name``).

    ``rewards``: shape ``(..., G)``, groups on the last axis. ``group_size``: if given, the group
    axis must have this length (`GroupLengthError`). Other ``options`` are the estimator's (an
    unknown one raises `InvalidParameterError`).
    """
    if not isinstance(name, str) or name.lower() not in ESTIMATORS:
        raise UnknownNameError("advantage estimator", str(name), ESTIMATORS)
    fn = ESTIMATORS[name.lower()]
    r = _rewards(rewards, group_size)
    allowed = _OPTIONS[name.lower()]
    unknown = set(options) - allowed
    if unknown:
        raise InvalidParameterError(
            f"{name} takes no option {sorted(unknown)[0]!r}"
            + (f"; its options: {', '.join(sorted(allowed))}" if allowed else "")
        )
    if name.lower() == "pass@k" and "k" not in options:
        raise InvalidParameterError("pass@k needs the option k (answers per pass@k attempt)")
    return fn(r, **options)
