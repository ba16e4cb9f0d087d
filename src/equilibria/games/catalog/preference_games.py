"""Preference-game generators for Nash learning from human feedback.

- ``preference:transitive``: Bradley-Terry preferences P(y ≻ y') = σ(r(y) − r(y')) from latent
  scores (Bradley & Terry, Biometrika 1952); every RLHF reward model is exact here.
- ``preference:cyclic``: a rock-paper-scissors-like cyclic tournament of any size k: y_i beats
  y_{i+1}, ..., y_{i+⌊(k−1)/2⌋} (indices mod k) with margins drawn from the seed; no reward model
  can represent it (Munos et al., ICML 2024, §2; Swamy et al., ICML 2024).
- ``preference:mixed``: (1 − mix) · transitive + mix · cyclic (a mixture of valid tensors is valid).
- ``preference:noisy``: labels flipped with probability ``flip``, P ↦ flip + (1 − 2 flip) P, either in
  the population or, with ``comparisons=n``, as n simulated judgements per pair estimated back
  into P̂ (the estimator of `equilibria.io.preference_data`).

All take ``k`` responses, ``contexts`` prompts with Gaussian ``features`` (dimension
``feature_dim``), β = ``beta``, the reference policy ``ref="uniform"`` or ``"random"`` (Dirichlet(2)
per context) and ``seed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_choice, check_int, check_probability, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..preference import PreferenceGame
from ._limits import MAX_PAYOFF, call, check_bytes


def _check(name: str, k: Any, contexts: Any, beta: Any, ref: Any, feature_dim: Any,
           seed: Any) -> tuple[int, int, float, str, int, int]:
    """The parameters every generator shares, validated, and the game's memory checked."""
    k = check_int("k", k, minimum=2)
    contexts = check_int("contexts", contexts, minimum=1)
    feature_dim = check_int("feature_dim", feature_dim, minimum=1)
    beta = check_real("beta", beta, minimum=0.0, maximum=MAX_PAYOFF)
    ref = check_choice("ref", ref, ("uniform", "random"))
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    # the (contexts, k, k) preference tensor and its temporaries (about 8 float copies while it is
    # generated and checked), the features and the score weights
    check_bytes(call(name, k=k, contexts=contexts, feature_dim=feature_dim),
                8 * (8 * contexts * k * k + contexts * feature_dim + feature_dim * k + 4 * contexts * k))
    return k, contexts, beta, ref, feature_dim, seed


def _scale(scale: Any) -> float:
    return check_real("scale", scale, minimum=-MAX_PAYOFF, maximum=MAX_PAYOFF)


def _context_data(rng: np.random.Generator, k: int, contexts: int, ref: str,
                  feature_dim: int) -> tuple[np.ndarray, np.ndarray]:
    features = rng.standard_normal((contexts, feature_dim))
    if ref == "uniform":
        reference = np.full((contexts, k), 1.0 / k)
    else:
        reference = rng.dirichlet(np.full(k, 2.0), size=contexts)
    return features, reference


def _transitive(rng: np.random.Generator, features: np.ndarray, k: int, scale: float) -> np.ndarray:
    d = features.shape[1]
    # scores r(x, y) = scale · (b_y + φ(x)·w_y / √d): contexts share structure a network can learn
    b = rng.standard_normal(k)
    W = rng.standard_normal((d, k))
    r = scale * (b + features @ W / np.sqrt(d))
    with np.errstate(over="ignore"):  # exp overflows to inf where a score gap is large: σ is then 0
        return 1.0 / (1.0 + np.exp(-(r[:, :, None] - r[:, None, :])))


def _cyclic(rng: np.random.Generator, contexts: int, k: int, margin: float, jitter: float) -> np.ndarray:
    ahead = (np.arange(k)[None, :] - np.arange(k)[:, None]) % k
    # +1 where y_i beats y_j (j is 1..⌊(k−1)/2⌋ steps ahead), −1 where it loses, 0 for ties/diagonal
    sign = np.where((ahead >= 1) & (2 * ahead < k), 1.0, np.where(2 * ahead > k, -1.0, 0.0))
    m = margin * (1.0 - jitter * rng.random((contexts, k, k)))
    m = np.triu(m, 1)
    m = m + m.transpose(0, 2, 1)
    return 0.5 + sign * m


def _game(P: np.ndarray, reference: np.ndarray, beta: float, features: np.ndarray, title: str,
          counts: np.ndarray | None = None) -> PreferenceGame:
    return PreferenceGame(P, reference, beta=beta, features=features, counts=counts, title=title)


@register_game("preference:transitive", family="preference")
def transitive(k: int = 5, contexts: int = 1, beta: float = 0.1, scale: float = 1.0, ref: str = "uniform",
               feature_dim: int = 4, seed: int = 0) -> PreferenceGame:
    """Bradley-Terry preferences σ(r(y) − r(y')) from Gaussian latent scores (Bradley & Terry 1952)."""
    k, contexts, beta, ref, feature_dim, seed = _check("preference:transitive", k, contexts, beta, ref,
                                                       feature_dim, seed)
    scale = _scale(scale)
    rng = np.random.default_rng(seed)
    features, reference = _context_data(rng, k, contexts, ref, feature_dim)
    return _game(_transitive(rng, features, k, scale), reference, beta, features,
                 f"preference:transitive(k={k})")


@register_game("preference:cyclic", family="preference")
def cyclic(k: int = 3, contexts: int = 1, beta: float = 0.1, margin: float = 0.4, jitter: float = 0.5,
           ref: str = "uniform", feature_dim: int = 4, seed: int = 0) -> PreferenceGame:
    """Cyclic (rock-paper-scissors-like) preferences on k responses; margins ∈ [margin(1−jitter), margin]."""
    k, contexts, beta, ref, feature_dim, seed = _check("preference:cyclic", k, contexts, beta, ref,
                                                       feature_dim, seed)
    margin = check_real("margin", margin, minimum=0.0, strict_minimum=True, maximum=0.5)
    jitter = check_probability("jitter", jitter, open_high=True)
    rng = np.random.default_rng(seed)
    features, reference = _context_data(rng, k, contexts, ref, feature_dim)
    return _game(_cyclic(rng, contexts, k, margin, jitter), reference, beta, features,
                 f"preference:cyclic(k={k})")


@register_game("preference:mixed", family="preference")
def mixed(k: int = 5, contexts: int = 1, beta: float = 0.1, mix: float = 0.5, scale: float = 1.0,
          margin: float = 0.4, ref: str = "uniform", feature_dim: int = 4, seed: int = 0) -> PreferenceGame:
    """(1 − mix) · Bradley-Terry + mix · cyclic preferences."""
    k, contexts, beta, ref, feature_dim, seed = _check("preference:mixed", k, contexts, beta, ref,
                                                       feature_dim, seed)
    mix = check_probability("mix", mix)
    scale = _scale(scale)
    margin = check_real("margin", margin, minimum=0.0, strict_minimum=True, maximum=0.5)
    rng = np.random.default_rng(seed)
    features, reference = _context_data(rng, k, contexts, ref, feature_dim)
    P = (1 - mix) * _transitive(rng, features, k, scale) + mix * _cyclic(rng, contexts, k, margin, 0.5)
    return _game(P, reference, beta, features, f"preference:mixed(k={k}, mix={mix})")


@register_game("preference:noisy", family="preference")
def noisy(k: int = 5, contexts: int = 1, beta: float = 0.1, flip: float = 0.1, base: str = "transitive",
          comparisons: int | None = None, ref: str = "uniform", feature_dim: int = 4,
          seed: int = 0) -> PreferenceGame:
    """Preferences of a ``base`` game (transitive, cyclic or mixed) with labels flipped w.p. ``flip``."""
    k, contexts, beta, ref, feature_dim, seed = _check("preference:noisy", k, contexts, beta, ref,
                                                       feature_dim, seed)
    flip = check_real("flip", flip, minimum=0.0, maximum=0.5)
    base = check_choice("base", base, ("transitive", "cyclic", "mixed"))
    if comparisons is not None:
        # binomial draws take int64 counts
        comparisons = check_int("comparisons", comparisons, minimum=1, maximum=2**62)
    rng = np.random.default_rng(seed)
    features, reference = _context_data(rng, k, contexts, ref, feature_dim)
    if base == "transitive":
        P = _transitive(rng, features, k, 1.0)
    elif base == "cyclic":
        P = _cyclic(rng, contexts, k, 0.4, 0.5)
    elif base == "mixed":
        P = 0.5 * _transitive(rng, features, k, 1.0) + 0.5 * _cyclic(rng, contexts, k, 0.4, 0.5)
    else:
        raise InvalidParameterError(f"base must be transitive, cyclic or mixed, not {base!r}")
    P = flip + (1.0 - 2.0 * flip) * P
    counts = None
    if comparisons is not None:
        from ...io.preference_data import estimate_preferences

        # n judgements per unordered pair: y wins each with the (noisy) probability P(y ≻ y')
        upper = np.triu(np.ones((k, k), dtype=bool), 1)
        wins_upper = rng.binomial(int(comparisons), np.where(upper, P, 0.0))
        losses = np.where(upper, comparisons - wins_upper, 0)
        wins = np.where(upper, wins_upper, 0) + losses.transpose(0, 2, 1)
        P, counts = estimate_preferences(wins)
    return _game(P, reference, beta, features, f"preference:noisy(k={k}, flip={flip})", counts)
