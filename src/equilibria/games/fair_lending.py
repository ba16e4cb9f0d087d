"""Closed-loop fair lending with a threshold policy (family ``fair_threshold``): a constrained bandit.

The setting of Du, "Optimistic Feasible Search for Closed-Loop Fair Threshold Decision-Making",
arXiv:2512.22313 (2025), as we read its public description (we could not consult its text; every
modelling choice below is ours and documented as such):

- applicants belong to group A or B; a score s ∈ {0, …, S−1} is drawn from the group's score
  distribution ``score_dist[g]``; an applicant with score s repays with probability ``repay[s]``;
- the lender picks a threshold θ from the grid {0, …, S} and accepts every score s ≥ θ (θ = S: reject
  all); an accepted applicant earns 1 when repaying and costs ``loss`` otherwise;
- constraints: demographic parity ``|a_A(θ) − a_B(θ)| ≤ dp_tolerance`` (a_g = acceptance rate of group g)
  and, optionally, a service rate ``a(θ) ≥ min_service`` (the overall acceptance rate);
- closed loop: the share p of group B among applicants moves towards
  ``p̄(θ) = clip(base_share + feedback (a_B(θ) − a_A(θ)), share_bounds)`` with
  ``p_{t+1} = (1 − mixing) p_t + mixing p̄(θ_t)``, a contraction (factor 1 − mixing) whose fixed point
  under a fixed threshold is p̄(θ): acceptance attracts applicants, rejection drives them away;
- bandit feedback: each round a batch of ``batch`` applicants arrives (their number in group B is
  Binomial(batch, p_t)); the learner sees only the chosen threshold's realised reward per applicant
  and its constraint residuals (estimated DP gap − tolerance, min_service − acceptance rate).

Profiles are probability vectors over the S + 1 thresholds (a randomised threshold policy; a pure
threshold is one-hot). The family's NashConv is ``max(0, R* − R(π)) + V(π)``: the steady-state
reward gap to the best feasible fixed threshold plus the expected steady-state constraint
violation, both per applicant, at the closed loop's fixed point under π. It is 0 exactly for a
policy supported on best feasible thresholds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game


def _ro(a: Any) -> np.ndarray:
    a = np.array(a, dtype=float, order="C")
    a.setflags(write=False)
    return a


class FairLendingGame(Game):
    """A closed-loop two-group lending environment with a threshold policy (see the module docstring)."""

    family = "fair_threshold"

    def __init__(self, score_dist: Any, repay: Any, *, loss: float = 1.0, dp_tolerance: float = 0.05,
                 min_service: float | None = None, base_share: float = 0.5, feedback: float = 0.5,
                 mixing: float = 0.05, share_bounds: tuple[float, float] = (0.1, 0.9), batch: int = 100,
                 title: str = ""):
        try:
            pi = np.array(score_dist, dtype=float)
            r = np.array(repay, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(
                f"score distributions and repay probabilities must be numeric: {exc}"
            ) from None
        if pi.ndim != 2 or pi.shape[0] != 2 or pi.shape[1] < 2:
            raise InvalidGameError(
                f"score_dist must have shape (2, S) with S >= 2 score bins, got {pi.shape}"
            )
        S = pi.shape[1]
        if not np.all(np.isfinite(pi)) or np.any(pi < 0) or np.any(np.abs(pi.sum(axis=1) - 1) > 1e-9):
            raise InvalidGameError("each group's score distribution must be a probability vector")
        if r.shape != (S,) or not np.all((r >= 0) & (r <= 1)):
            raise InvalidGameError(f"repay must hold {S} probabilities in [0, 1]")
        lo, hi = share_bounds
        if not 0 <= lo <= base_share <= hi <= 1:
            raise InvalidGameError("need 0 <= share_bounds[0] <= base_share <= share_bounds[1] <= 1")
        self.score_dist = _ro(pi / pi.sum(axis=1, keepdims=True))
        self.repay = _ro(r)
        self.loss = float(loss)
        self.dp_tolerance = float(dp_tolerance)
        self.min_service = None if min_service is None else float(min_service)
        self.base_share = float(base_share)
        self.feedback = float(feedback)
        self.mixing = float(mixing)
        self.share_bounds = (float(lo), float(hi))
        self.batch = int(batch)
        self.title = title or f"fair_lending(S={S})"
        # per threshold θ = 0..S (accept s >= θ): acceptance rate and reward per applicant of each group
        tail = np.concatenate([np.cumsum(pi[:, ::-1], axis=1)[:, ::-1], np.zeros((2, 1))], axis=1)
        gain = pi * (r * (1 + self.loss) - self.loss)
        rtail = np.concatenate([np.cumsum(gain[:, ::-1], axis=1)[:, ::-1], np.zeros((2, 1))], axis=1)
        self.acceptance = _ro(np.clip(tail, 0.0, 1.0))  # (2, S+1)
        self.group_reward = _ro(rtail)  # (2, S+1)
        self.thresholds = tuple(range(S + 1))
        self._cdf = _ro(np.cumsum(self.score_dist, axis=1))
        self._freeze()

    # -- shape ----------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return 1

    @property
    def num_thresholds(self) -> int:
        return len(self.thresholds)

    @property
    def num_constraints(self) -> int:
        return 1 if self.min_service is None else 2

    @property
    def payoff_scale(self) -> float:
        return max(1.0, self.loss)

    def default_method(self) -> str:
        return "optimistic-feasible-search"

    def __repr__(self) -> str:
        return f"FairLendingGame({self.title!r})"

    # -- the closed loop ------------------------------------------------------------------------
    def target_share(self, gap_ba: Any) -> Any:
        """p̄ = clip(base_share + feedback · (a_B − a_A))."""
        return np.clip(self.base_share + self.feedback * np.asarray(gap_ba), *self.share_bounds)

    def next_share(self, share: float, threshold: int) -> float:
        gap = self.acceptance[1, threshold] - self.acceptance[0, threshold]
        return float((1 - self.mixing) * share + self.mixing * self.target_share(gap))

    def steady_share(self, policy: Any) -> float:
        """The fixed point of the share under the (randomised) policy: the contraction's limit."""
        pi = self.validate_profile(policy)
        return float(self.target_share(pi @ (self.acceptance[1] - self.acceptance[0])))

    def residuals(self, share: Any) -> np.ndarray:
        """Constraint residuals (≤ 0 is feasible) of every threshold at group-B share ``share``:
        shape (S+1, C); column 0 the DP gap minus its tolerance, column 1 min_service − acceptance."""
        a = self.acceptance
        cols = [np.abs(a[0] - a[1]) - self.dp_tolerance]
        if self.min_service is not None:
            cols.append(self.min_service - ((1 - share) * a[0] + share * a[1]))
        return np.column_stack(cols)

    def rewards(self, share: Any) -> np.ndarray:
        """Expected reward per applicant of every threshold at share ``share``."""
        return (1 - share) * self.group_reward[0] + share * self.group_reward[1]

    def sample_round(self, threshold: int, share: float,
                     rng: np.random.Generator) -> tuple[float, np.ndarray]:
        """One batch under ``threshold``: (realised reward per applicant, observed residuals (C,)).

        Draws: the group-B count ~ Binomial(batch, share), then per applicant one uniform for the
        score (inverse CDF of its group's distribution) and one for repayment."""
        n = self.batch
        nb = int(rng.binomial(n, share))
        u = rng.random((2, n))
        group = np.arange(n) >= n - nb  # the last nb applicants are in group B
        scores = np.where(group, np.searchsorted(self._cdf[1], u[0], side="right"),
                          np.searchsorted(self._cdf[0], u[0], side="right"))
        scores = np.minimum(scores, self.score_dist.shape[1] - 1)
        ok = scores >= threshold
        repaid = u[1] < self.repay[scores]
        reward = float(np.sum(ok & repaid) - self.loss * np.sum(ok & ~repaid)) / n
        counts = np.array([n - nb, nb])
        acc = np.array([np.sum(ok & ~group), np.sum(ok & group)]) / np.maximum(counts, 1)
        # a group absent from the batch gives no evidence on the DP gap: its rate is taken as the other's
        rates = np.where(counts > 0, acc, acc[::-1])
        obs = [abs(rates[0] - rates[1]) - self.dp_tolerance]
        if self.min_service is not None:
            obs.append(self.min_service - float(np.sum(ok)) / n)
        return reward, np.array(obs)

    # -- the benchmark --------------------------------------------------------------------------
    def steady_values(self) -> tuple[np.ndarray, np.ndarray]:
        """Steady-state reward (S+1,) and residuals (S+1, C) of each fixed threshold."""
        shares = self.target_share(self.acceptance[1] - self.acceptance[0])
        a = self.acceptance
        rew = (1 - shares) * self.group_reward[0] + shares * self.group_reward[1]
        cols = [np.abs(a[0] - a[1]) - self.dp_tolerance]
        if self.min_service is not None:
            cols.append(self.min_service - ((1 - shares) * a[0] + shares * a[1]))
        return rew, np.column_stack(cols)

    def best_feasible(self) -> tuple[int, float]:
        """(θ*, R*): the best fixed threshold whose steady state is feasible (θ = S, reject all, has
        DP gap 0; if min_service makes no threshold feasible, the least violating one)."""
        rew, res = self.steady_values()
        viol = np.maximum(res, 0.0).max(axis=1)
        feasible = viol <= 1e-12
        if feasible.any():
            k = int(np.flatnonzero(feasible)[np.argmax(rew[feasible])])
        else:
            k = int(np.argmin(viol))
        return k, float(rew[k])

    # -- profiles -------------------------------------------------------------------------------
    def validate_profile(self, profile: Any) -> np.ndarray:
        if isinstance(profile, (list, tuple)) and len(profile) == 1 and np.ndim(profile[0]) == 1:
            profile = profile[0]
        try:
            x = np.asarray(profile, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InvalidStrategyError(
                "a threshold policy is a probability vector over the thresholds"
            ) from None
        K = self.num_thresholds
        if x.shape != (K,):
            raise InvalidStrategyError(
                f"a threshold policy has {K} probabilities (thresholds 0..{K - 1}), got shape {x.shape}"
            )
        if not np.all(np.isfinite(x)) or np.any(x < -1e-12) or abs(x.sum() - 1) > 1e-9:
            raise InvalidStrategyError(f"the threshold policy is not a probability vector: {x}")
        return np.clip(x, 0.0, None)

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("fair-lending games are evaluated in floating point; drop --exact")
        return np.full(self.num_thresholds, 1.0 / self.num_thresholds)

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        if exact:
            raise NotApplicableError("fair-lending games are evaluated in floating point; drop --exact")
        x = self.validate_profile(profile)
        return {f"threshold {k}": float(p) for k, p in enumerate(x) if p > 0}

    def profile_from_json(self, data: Any) -> np.ndarray:
        if not isinstance(data, dict):
            raise InvalidStrategyError('a threshold policy is a JSON object {"threshold k": probability}')
        x = np.zeros(self.num_thresholds)
        for key, p in data.items():
            name = str(key).removeprefix("threshold ").strip()
            if not name.isdigit() or int(name) >= self.num_thresholds:
                raise InvalidStrategyError(f"unknown threshold {key!r}; use 'threshold 0' .. "
                                           f"'threshold {self.num_thresholds - 1}'")
            if isinstance(p, bool) or not isinstance(p, (int, float)):
                raise InvalidStrategyError(f"probability of {key!r} is not a number: {p!r}")
            x[int(name)] = float(p)
        return self.validate_profile(x)

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Steady-state expected reward per applicant of the policy."""
        if exact:
            raise NotApplicableError("fair-lending games are evaluated in floating point; drop --exact")
        pi = self.validate_profile(profile)
        return np.array([float(pi @ self.rewards(self.steady_share(pi)))])

    def violation(self, profile: Any) -> float:
        """Expected steady-state constraint violation per applicant, Σ_θ π_θ max_j max(0, g_j(θ))."""
        pi = self.validate_profile(profile)
        res = self.residuals(self.steady_share(pi))
        return float(pi @ np.maximum(res, 0.0).max(axis=1))
