"""Threshold bandits under fairness constraints in closed-loop lending (family ``fair_threshold``).

One iteration is one round of the closed loop: the learner picks a threshold, a batch of applicants
arrives from the current population (the learner's ``share`` state, moved by the game's contraction),
and the learner observes only that threshold's reward and constraint residuals. Three rules share the
estimates (per-threshold means of the reward and of each residual, and the counts):

==============================  ====================================================================
``optimistic-feasible-search``  Du (arXiv 2025): among thresholds whose lower confidence bounds on
                                every residual are ≤ 0 (optimistically feasible), the one with the
                                highest upper confidence bound on reward; if none, the threshold
                                whose optimistic violation Σ_j max(0, LCB_j) is smallest
``fair-primal-dual``            baseline: UCB on the Lagrangian R̂ + r − λᵀ(Ĝ − r), with the
                                projected dual step λ ← max(0, λ + η ĝ_t) on the observed residuals
``threshold-ucb``               baseline: UCB1 on the reward alone (constraints ignored)
==============================  ====================================================================

Confidence radii are ``confidence · σ · sqrt(2 log t / N_θ)`` with sub-Gaussian scales from the batch
size (ours): σ = (1 + loss)/(2√batch) for the reward (a batch mean of values in [−loss, 1]),
1/√batch for the DP gap and 1/(2√batch) for the service residual. Every threshold is played once
first (rounds 0..S).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_positive
from ..errors import NotApplicableError
from ..games.fair_lending import FairLendingGame
from ..registry import register_method
from ..run import Learner

RULES = ("ofs", "primal-dual", "unconstrained")


class ThresholdBandit(Learner):
    """Optimistic feasible search for fair thresholds: Du, "Optimistic Feasible Search for Closed-Loop
    Fair Threshold Decision-Making", arXiv:2512.22313 (2025), with its two baselines (a primal–dual
    bandit and unconstrained UCB1, Auer et al. 2002).

    Each round t (θ ranges over the grid 0..S, N_θ its play count, R̂_θ and Ĝ_θ,j the means of the
    observed reward and residuals):

    1. rounds t ≤ S play θ = t; afterwards r_θ = confidence · σ · sqrt(2 log t / N_θ) per signal;
    2. ``rule="ofs"``: F = {θ : Ĝ_θ,j − r_θ,j ≤ 0 for all j}; play argmax_{θ∈F} R̂_θ + r_θ if F is not
       empty, else argmin_θ Σ_j max(0, Ĝ_θ,j − r_θ,j);
       ``rule="primal-dual"``: play argmax_θ R̂_θ + r_θ − λᵀ(Ĝ_θ − r_θ);
       ``rule="unconstrained"``: play argmax_θ R̂_θ + r_θ;
    3. observe the batch's reward and residuals of the played threshold; update its means;
       primal–dual: λ ← max(0, λ + ``step_size`` · ĝ_t);
    4. the population share moves: p ← (1 − mixing) p + mixing p̄(θ_t).

    Output: the empirical distribution of the thresholds played (``average``) or the last one.
    Our reading of the paper (its text was not available to us): the grid, the optimistic
    feasibility test and the fallback are as in its abstract; the radii, the initial sweep and the
    baselines' exact form are ours.
    """

    families = ("fair_threshold",)
    default_output = "average"

    def __init__(self, game: Any, *, rule: str = "ofs", confidence: float = 1.0, step_size: float = 0.05,
                 seed: int | None = None):
        super().__init__(game, seed=seed)
        if not isinstance(game, FairLendingGame):
            raise NotApplicableError(
                f"threshold bandits apply to fair-lending games, not {type(game).__name__}"
            )
        self.rule = check_choice("rule", rule, RULES)
        self.confidence = check_positive("confidence", confidence, allow_zero=True, maximum=1e6)
        self.step_size = check_positive("step_size", step_size, maximum=1e6)
        K, C = game.num_thresholds, game.num_constraints
        self.counts = np.zeros(K)
        self.sum_reward = np.zeros(K)
        self.sum_residual = np.zeros((K, C))
        self.lam = np.zeros(C)
        self.share = np.array([game.base_share])
        self.last = np.zeros(1, dtype=np.int64)
        self.total_reward = np.zeros(1)  # Σ_t expected reward of θ_t at the share of round t
        self.total_violation = np.zeros(1)  # Σ_t max_j max(0, g_j(θ_t)) at the share of round t
        b = np.sqrt(game.batch)
        self._sigma_r = (1 + game.loss) / (2 * b)
        self._sigma_g = np.array([1 / b, 1 / (2 * b)][:C])

    def _choose(self) -> int:
        t = self.iteration
        K = len(self.counts)
        if t < K:
            return t
        n = self.counts
        rad = self.confidence * np.sqrt(2 * np.log(t) / n)
        ucb = self.sum_reward / n + self._sigma_r * rad
        if self.rule == "unconstrained":
            return int(np.argmax(ucb))
        lcb = self.sum_residual / n[:, None] - rad[:, None] * self._sigma_g[None, :]
        if self.rule == "primal-dual":
            return int(np.argmax(ucb - lcb @ self.lam))
        feasible = np.all(lcb <= 0, axis=1)
        if feasible.any():
            return int(np.flatnonzero(feasible)[np.argmax(ucb[feasible])])
        return int(np.argmin(np.maximum(lcb, 0).sum(axis=1)))

    def _step(self) -> None:
        g: FairLendingGame = self.game
        k = self._choose()
        p = float(self.share[0])
        reward, residual = g.sample_round(k, p, self.rng)
        self.counts[k] += 1
        self.sum_reward[k] += reward
        self.sum_residual[k] += residual
        if self.rule == "primal-dual":
            self.lam = np.maximum(self.lam + self.step_size * residual, 0.0)
        self.total_reward += g.rewards(p)[k]
        self.total_violation += max(float(np.max(g.residuals(p)[k])), 0.0)
        self.last[0] = k
        self.share = np.array([g.next_share(p, k)])

    def current_strategy(self) -> np.ndarray:
        out = np.zeros(self.game.num_thresholds)
        out[int(self.last[0])] = 1.0
        return out

    def average_strategy(self) -> np.ndarray:
        total = self.counts.sum()
        if total == 0:
            return self.game.uniform_profile()
        return self.counts / total

    def diagnostics(self) -> dict[str, float]:
        t = max(self.iteration, 1)
        return {"reward_per_round": float(self.total_reward[0] / t),
                "violation_per_round": float(self.total_violation[0] / t),
                "share": float(self.share[0])}

    def solution_info(self, profile: Any) -> dict[str, Any]:
        g: FairLendingGame = self.game
        best, value = g.best_feasible()
        rew, _ = g.steady_values()
        t = max(self.iteration, 1)
        return {
            "reward_per_round": float(self.total_reward[0] / t),
            "violation_per_round": float(self.total_violation[0] / t),
            "steady_reward": float(g.expected_payoffs(profile)[0]),
            "steady_violation": g.violation(profile),
            "best_feasible_threshold": best,
            "best_feasible_reward": value,
            "unconstrained_threshold": int(np.argmax(rew)),
            "most_played_threshold": int(np.argmax(self.counts)),
        }


register_method("optimistic-feasible-search", families=("fair_threshold",), rule="ofs")(ThresholdBandit)
register_method("fair-primal-dual", families=("fair_threshold",), rule="primal-dual",
                description="Primal–dual UCB baseline of Du (2025): UCB on the Lagrangian, projected dual "
                            "steps on the observed residuals")(ThresholdBandit)
register_method("threshold-ucb", families=("fair_threshold",), rule="unconstrained",
                description="Unconstrained UCB1 baseline (Auer et al. 2002) of Du (2025): the constraints "
                            "are ignored")(ThresholdBandit)
