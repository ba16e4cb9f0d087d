"""Preference games for Nash learning from human feedback (NLHF).

A preference game has contexts x (prompts) with weights w(x), a finite set of responses y per
context, and a preference tensor ``P[x, y, y'] = P(y ≻ y' | x)`` with ``P + Pᵀ = 1``. Two policies
π, π' (one distribution over responses per context) meet in the symmetric two-player
constant-sum game

    P(π ≻ π') = Σ_x w(x) Σ_{y, y'} π(y|x) P(y ≻ y'|x) π'(y'|x).

Its symmetric Nash equilibrium is the *minimax (von Neumann) winner* (Kreweras 1965; Fishburn
1984; Dudík et al., "Contextual Dueling Bandits", COLT 2015). Following Munos et al., "Nash
Learning from Human Feedback" (ICML 2024), the game also carries a reference policy π_ref and a
regularisation strength β ≥ 0; the *β-regularised* game has payoff to the first player

    u_β(π, π') = P(π ≻ π') − β KL(π ‖ π_ref) + β KL(π' ‖ π_ref),

whose unique symmetric equilibrium π*_β satisfies π*_β(y|x) ∝ π_ref(y|x) exp(P(y ≻ π*_β | x) / β).
With β = 0 the two games coincide.

Which game this object *is*: the β-regularised one. Its ``expected_payoffs`` are u_β (they equal
P(π₁ ≻ π₂) for β = 0 or a symmetric profile) and the metrics core's NashConv is the duality gap
of that game, zero exactly at π*_β; ``equilibria.exploitability`` is half of it (the library's one
meaning of the word). The unregularised exploitability max_π' P(π' ≻ π) − 1/2 is
`equilibria.metrics.preference.unregularised_exploitability`.

Contexts may have different numbers of responses: arrays are padded to the largest count K and
``mask[x, y]`` marks the real responses (padding has P = 1/2, π_ref = 0 and never gets mass).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_positive
from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game, row_from_json

#: tolerance of the checks P + Pᵀ = 1 and Σ_y π_ref(y|x) = 1
PREFERENCE_ATOL = 1e-12


class PreferenceGame(Game):
    """Contexts × responses with a preference tensor, a reference policy and a KL strength β.

    Parameters
    ----------
    preferences : array (X, K, K)
        ``P[x, y, y'] = P(y ≻ y' | x)``; entries in [0, 1] with ``P + Pᵀ = 1`` within 1e-12
        (so the diagonal is 1/2). A single (K, K) matrix means one context.
    reference : array (X, K), optional
        π_ref; uniform over the real responses when omitted.
    beta : float
        KL-regularisation strength β ≥ 0.
    weights : array (X,), optional
        context distribution ρ(x); uniform when omitted.
    features : array (X, d), optional
        context features for neural policies; one-hot contexts when omitted.
    mask : bool array (X, K), optional
        the real responses of each context (padded arrays); all True when omitted.
    counts : array (X, K, K), optional
        how many comparisons of each pair the tensor was estimated from (data-driven games);
        baselines that fit a reward by maximum likelihood weight pairs by it.
    """

    family = "preference"

    def __init__(
        self,
        preferences: Any,
        reference: Any = None,
        *,
        beta: float = 0.0,
        weights: Any = None,
        features: Any = None,
        mask: Any = None,
        counts: Any = None,
        context_labels: Sequence[str] | None = None,
        response_labels: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ):
        P = _numbers_array(preferences, "preferences", InvalidGameError, promote=2)
        if P.ndim != 3 or P.shape[1] != P.shape[2] or P.shape[0] < 1 or P.shape[1] < 1:
            raise InvalidGameError(
                f"preferences must have shape (contexts, K, K) or (K, K); got {np.shape(preferences)}"
            )
        X, K, _ = P.shape
        if mask is None:
            M = np.ones((X, K), dtype=bool)
        else:
            M = np.array(mask, dtype=bool)
            if M.shape != (X, K):
                raise InvalidGameError(f"mask has shape {M.shape}, expected {(X, K)}")
        empty = ~M.any(axis=1)
        if empty.any():
            raise InvalidGameError(f"context {int(np.argmax(empty))} has no responses")
        pair = M[:, :, None] & M[:, None, :]
        bad = pair & ~np.isfinite(P)
        if bad.any():
            x, i, j = (int(v) for v in np.argwhere(bad)[0])
            raise InvalidGameError(f"P[{x}, {i}, {j}] is {P[x, i, j]}; preferences must be finite")
        bad = pair & ((P < 0) | (P > 1))
        if bad.any():
            x, i, j = (int(v) for v in np.argwhere(bad)[0])
            raise InvalidGameError(
                f"P[{x}, {i}, {j}] = {P[x, i, j]!r} is not a probability; entries must lie in [0, 1]"
            )
        resid = np.where(pair, np.abs(P + P.transpose(0, 2, 1) - 1.0), 0.0)
        if resid.max() > PREFERENCE_ATOL:
            x, i, j = (int(v) for v in np.unravel_index(np.argmax(resid), resid.shape))
            raise InvalidGameError(
                f"P[{x}, {i}, {j}] + P[{x}, {j}, {i}] = {P[x, i, j] + P[x, j, i]!r}, not 1: a preference "
                "tensor must satisfy P(y ≻ y') + P(y' ≻ y) = 1 (within 1e-12)"
            )
        P = complete_preferences(np.where(pair, P, 0.5))

        if reference is None:
            ref = M / M.sum(axis=1, keepdims=True)
        else:
            ref = _numbers_array(reference, "reference policy", InvalidGameError, promote=1)
            if ref.shape != (X, K):
                raise InvalidGameError(f"reference policy has shape {ref.shape}, expected {(X, K)}")
            bad = M & ~(np.isfinite(ref) & (ref > 0))
            if bad.any():
                x, y = (int(v) for v in np.argwhere(bad)[0])
                raise InvalidGameError(
                    f"π_ref[{x}, {y}] = {ref[x, y]!r}; the reference policy must give every response "
                    "positive probability (the KL regulariser is infinite otherwise)"
                )
            ref = np.where(M, ref, 0.0)
            sums = ref.sum(axis=1)
            off = np.abs(sums - 1.0) > 1e-9
            if off.any():
                x = int(np.argmax(off))
                raise InvalidGameError(f"π_ref of context {x} sums to {sums[x]!r}, not 1")
            ref = ref / sums[:, None]
        beta = check_positive("beta", beta, allow_zero=True)

        if weights is None:
            w = np.full(X, 1.0 / X)
        else:
            w = np.array(weights, dtype=float).reshape(-1)
            if w.shape != (X,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
                raise InvalidGameError(f"context weights must be {X} non-negative finite numbers")
            w = w / w.sum()
        if features is None:
            F = np.eye(X)
        else:
            F = np.array(features, dtype=float)
            if F.ndim == 1:
                F = F[:, None]
            if F.ndim != 2 or F.shape[0] != X or not np.all(np.isfinite(F)):
                raise InvalidGameError(f"features must be a finite array of shape ({X}, d)")
        if counts is not None:
            C = np.array(counts, dtype=float)
            if C.shape != (X, K, K) or np.any(C < 0) or not np.all(np.isfinite(C)):
                raise InvalidGameError(f"counts must be a non-negative array of shape {(X, K, K)}")
        else:
            C = None
        if context_labels is None:
            context_labels = [f"x{i}" for i in range(X)] if X > 1 else ["x"]
        context_labels = [str(c) for c in context_labels]
        if len(context_labels) != X or len(set(context_labels)) != X:
            raise InvalidGameError(f"need {X} distinct context labels, got {context_labels!r}")
        if response_labels is None:
            response_labels = [[f"y{j}" for j in range(K)] for _ in range(X)]
        response_labels = [[str(r) for r in labs] for labs in response_labels]
        if len(response_labels) != X or any(len(labs) != K for labs in response_labels):
            raise InvalidGameError(f"response labels must be {X} lists of {K} labels")

        for arr in (P, ref, w, F, M) + ((C,) if C is not None else ()):
            arr.setflags(write=False)
        self.P: np.ndarray = P
        self.reference: np.ndarray = ref
        self.beta: float = beta
        self.weights: np.ndarray = w
        self.features: np.ndarray = F
        self.mask: np.ndarray = M
        self.counts: np.ndarray | None = C
        self.context_labels: list[str] = context_labels
        self.response_labels: list[list[str]] = response_labels
        self.title = title
        self._freeze()

    # -- shape and derived data ---------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return 2

    @property
    def num_contexts(self) -> int:
        return self.P.shape[0]

    @property
    def num_responses(self) -> int:
        """K: responses per context (the padded count when contexts differ)."""
        return self.P.shape[1]

    @property
    def payoff_scale(self) -> float:
        return 1.0

    @property
    def is_constant_sum(self) -> bool:
        return True

    @cached_property
    def antisymmetric(self) -> np.ndarray:
        """A = P − 1/2: the skew-symmetric part, ``P(π ≻ π') − 1/2 = πᵀ A π'`` on the simplex."""
        A = self.P - 0.5
        A.setflags(write=False)
        return A

    @cached_property
    def log_reference(self) -> np.ndarray:
        with np.errstate(divide="ignore"):
            lr = np.where(self.mask, np.log(np.where(self.mask, self.reference, 1.0)), -np.inf)
        lr.setflags(write=False)
        return lr

    @cached_property
    def regularised_equilibrium(self) -> np.ndarray:
        """π*_β (X, K) to machine precision, computed once (`solvers.preference.regularised_nash`).

        For β = 0 this is a minimax winner from the LP (unique only for generic P).
        """
        from ..solvers.preference import regularised_nash

        pi = regularised_nash(self)
        pi.setflags(write=False)
        return pi

    def with_beta(self, beta: float) -> PreferenceGame:
        """The same preferences and reference policy under another regularisation strength."""
        return PreferenceGame(
            self.P, self.reference, beta=beta, weights=self.weights, features=self.features,
            mask=self.mask, counts=self.counts, context_labels=self.context_labels,
            response_labels=self.response_labels, title=self.title,
        )

    def default_method(self) -> str:
        return "preference-nash"

    # -- profiles -----------------------------------------------------------------------------
    def validate_policy(self, policy: Any, atol: float = 1e-9) -> np.ndarray:
        """One policy as an (X, K) float array (a (K,) vector is accepted for one context)."""
        X, K = self.num_contexts, self.num_responses
        pi = _numbers_array(policy, "a policy", InvalidStrategyError, promote=1 if X == 1 else None)
        if pi.shape != (X, K):
            raise InvalidStrategyError(f"a policy must have shape ({X}, {K}), got {pi.shape}")
        if not np.all(np.isfinite(pi)) or np.any(pi < -atol):
            raise InvalidStrategyError("a policy must have finite non-negative probabilities")
        if np.any(np.where(self.mask, 0.0, np.abs(pi)) > atol):
            raise InvalidStrategyError("a policy puts mass on a padded (non-existent) response")
        sums = pi.sum(axis=1)
        off = np.abs(sums - 1.0) > max(atol, 1e-9 * K)
        if off.any():
            x = int(np.argmax(off))
            raise InvalidStrategyError(f"the policy of context {self.context_labels[x]!r} sums to {sums[x]}")
        pi = np.where(self.mask, np.clip(pi, 0.0, None), 0.0)
        return pi / pi.sum(axis=1, keepdims=True)

    def validate_profile(self, profile: Any) -> tuple[np.ndarray, np.ndarray]:
        """(π₁, π₂): a single policy array (X, K) is the symmetric profile (π, π)."""
        X, K = self.num_contexts, self.num_responses
        try:
            shape = np.shape(np.asarray(profile, dtype=float))
        except (TypeError, ValueError):
            shape = None
        if shape == (2, X, K) or (X == 1 and shape == (2, K)):
            return self.validate_policy(profile[0]), self.validate_policy(profile[1])
        pi = self.validate_policy(profile)
        return pi, pi

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("preference games are solved in floating point; drop --exact")
        return self.mask / self.mask.sum(axis=1, keepdims=True)

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        """``{context: {response: prob}}`` for a symmetric profile, a list of two such for a pair."""
        p1, p2 = self.validate_profile(profile)

        def one(pi: np.ndarray) -> dict[str, dict[str, float]]:
            return {
                cx: {lab: float(pi[x, y]) for y, lab in enumerate(self.response_labels[x]) if self.mask[x, y]}
                for x, cx in enumerate(self.context_labels)
            }

        if p1 is p2 or np.array_equal(p1, p2):
            return one(p1)
        return [one(p1), one(p2)]

    def profile_from_json(self, data: Any) -> Any:
        if isinstance(data, list) and len(data) == 2 and all(isinstance(d, dict) for d in data):
            return [self._policy_from_json(d) for d in data]
        return self._policy_from_json(data)

    def _policy_from_json(self, data: Any) -> np.ndarray:
        if not isinstance(data, dict):
            raise InvalidStrategyError("a preference-game policy is a JSON object {context: {response: p}}")
        pi = np.zeros((self.num_contexts, self.num_responses))
        for x, cx in enumerate(self.context_labels):
            if cx not in data or not isinstance(data[cx], dict):
                raise InvalidStrategyError(f"the policy has no distribution for context {cx!r}")
            index = {lab: y for y, lab in enumerate(self.response_labels[x]) if self.mask[x, y]}
            pi[x] = row_from_json(data[cx], index, self.num_responses, where=f"context {cx!r}",
                                  item="response")
        unknown = set(data) - set(self.context_labels)
        if unknown:
            raise InvalidStrategyError(f"unknown context(s) {sorted(unknown)!r}")
        return self.validate_policy(pi)

    # -- payoffs ------------------------------------------------------------------------------
    def win_probabilities(self, policy: Any) -> np.ndarray:
        """``P(y ≻ π | x)`` for every context and response, shape (X, K)."""
        pi = self.validate_policy(policy)
        return np.einsum("xij,xj->xi", self.P, pi)

    def preference(self, pi1: Any, pi2: Any) -> float:
        """P(π₁ ≻ π₂) = E_x E_{y∼π₁, y'∼π₂} P(y ≻ y' | x): the win rate of π₁ against π₂."""
        a, b = self.validate_policy(pi1), self.validate_policy(pi2)
        return float(self.weights @ np.einsum("xi,xij,xj->x", a, self.P, b))

    def kl_to_reference(self, policy: Any) -> float:
        """E_x KL(π(·|x) ‖ π_ref(·|x))."""
        pi = self.validate_policy(policy)
        return float(self.weights @ kl_rows(pi, self.reference))

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """``[u_β(π₁, π₂), u_β(π₂, π₁)]``: P(π₁ ≻ π₂) ∓ β (KL(π₁‖π_ref) − KL(π₂‖π_ref)), summing to 1.

        For β = 0 or a symmetric profile this is ``[P(π₁ ≻ π₂), P(π₂ ≻ π₁)]``.
        """
        if exact:
            raise NotApplicableError("preference games are solved in floating point; drop --exact")
        p1, p2 = self.validate_profile(profile)
        win = self.preference(p1, p2)
        reg = self.beta * (self.kl_to_reference(p1) - self.kl_to_reference(p2)) if self.beta else 0.0
        return np.array([win - reg, 1.0 - win + reg])

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        return (f"<PreferenceGame{name}: {self.num_contexts} context(s), {self.num_responses} responses, "
                f"beta={self.beta:g}>")


def _numbers_array(value: Any, what: str, error: type[Exception], promote: int | None) -> np.ndarray:
    """``value`` as a float array (``error`` naming ``what`` if it is not numbers), with a leading
    context axis added when it has ``promote`` dimensions (the one-context short form)."""
    try:
        a = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise error(f"{what} must be numbers: {exc}") from None
    return a[None] if a.ndim == promote else a


def complete_preferences(P: np.ndarray) -> np.ndarray:
    """Rebuild P from its upper triangle so that P + Pᵀ = 1 holds exactly in floating point.

    For each pair the larger probability h ≥ 1/2 is kept and the other is set to 1 − h, which is
    exact for h ∈ [1/2, 1] (Sterbenz), so h + (1 − h) rounds to exactly 1. The diagonal is 1/2.
    """
    P = np.asarray(P, dtype=float)
    K = P.shape[-1]
    upper = np.triu(np.ones((K, K), dtype=bool), 1)
    u = 0.5 * (P + 1.0 - np.swapaxes(P, -1, -2))  # average the two estimates of P(y ≻ y')
    hi = np.where(u >= 0.5, u, 1.0 - u)
    lo = 1.0 - hi
    first = np.where(u >= 0.5, hi, lo)  # P(y ≻ y') for y < y'
    out = np.where(upper, first, 0.5)
    out = np.where(upper.T, np.swapaxes(1.0 - out, -1, -2), out)
    return out


def kl_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Σ_y p(y) log(p(y)/q(y)) per row (0 log 0 = 0; +inf where p has mass outside q's support)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(q > 0, q, 1.0))), 0.0)
        terms = np.where((p > 0) & (q <= 0), np.inf, terms)
    return terms.sum(axis=-1)
