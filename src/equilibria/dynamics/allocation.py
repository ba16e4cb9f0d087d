"""Dual mirror descent for online allocation problems (family ``allocation``).

One iteration of the run loop is one request: the learner sees request t's rewards and consumptions,
decides, and updates its dual multipliers. After the horizon T no request arrives, the iteration
changes nothing and `converged` is True (the run loop stops at its next evaluation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_positive, check_real
from ..errors import InvalidParameterError, NotApplicableError
from ..games.allocation import AllocationGame
from ..registry import register_method
from ..run import Learner

MIRROR_MAPS = ("subgradient", "multiplicative")


def _allocation_game(game: Any, method: str) -> AllocationGame:
    if not isinstance(game, AllocationGame):
        raise NotApplicableError(f"{method} applies to allocation games, not {type(game).__name__}")
    return game


class OnlineAllocationLearner(Learner):
    """Base of the allocation learners: one iteration is one request, the decision of request t is
    ``self.actions[t]`` (an int array of length T), and the strategy is the one-hot rows of the first
    ``min(iteration, T)`` decisions."""

    def current_strategy(self) -> np.ndarray:
        g: AllocationGame = self.game
        t = min(self.iteration, g.horizon)
        x = np.zeros((t, g.num_actions))
        x[np.arange(t), self.actions[:t]] = 1.0
        return x

    def converged(self) -> bool:
        return self.iteration >= self.game.horizon


@register_method("dual-mirror-descent", families=("allocation",))
class DualMirrorDescent(OnlineAllocationLearner):
    """Dual mirror descent: Balseiro, Lu & Mirrokni, "The Best of Many Worlds: Dual Mirror Descent for
    Online Allocation Problems", Operations Research 2022 (ICML 2020), Algorithm 1.

    State: dual multipliers μ ∈ R^m_+ (one per resource), remaining budgets B_t (B_1 = ρT).
    For each request t = 1..T:

    1. tentative action x̃_t = argmax_k r[t, k] − μ_tᵀ c[t, k] (ties: the lowest index, so the null
       action 0 wins a tie);
    2. take x_t = x̃_t if c[t, x̃_t] ≤ B_t (every resource), else the null action (stop spending once
       the budget cannot pay);  B_{t+1} = B_t − c[t, x_t];
    3. dual subgradient g_t = ρ − c[t, x̃_t] (of the tentative action, as in the paper);
    4. mirror step μ_{t+1} = argmin_{μ ≥ 0} ⟨g_t, μ⟩ + V_h(μ, μ_t)/η:
       ``mirror_map="subgradient"`` (h = ½‖μ‖²): μ_{t+1} = max(μ_t − η g_t, 0);
       ``mirror_map="multiplicative"`` (h = Σ μ_j log μ_j): μ_{t+1} = μ_t ∘ exp(−η g_t).

    ``step_size`` η defaults to 1/√T, the paper's order η ∝ T^{-1/2} (the constant 1 is ours; it is in
    the units of 1/consumption). ``initial_dual`` μ_1 (every resource) defaults to 0 for the
    subgradient map and 1 for the multiplicative one (which needs μ_1 > 0).

    The paper proves regret O(√T) against the hindsight optimum for i.i.d. input (Theorem 1),
    sublinear regret for slowly varying non-stationary input, and, for adversarial input, a reward of
    at least OPT/α − O(√T), α = sup c_j/ρ_j (as we read its Theorem 3). Simplification: actions are
    a finite set per request, so step 1 is an exact arg-max.
    """

    families = ("allocation",)
    default_output = "last"

    def __init__(self, game: Any, *, mirror_map: str = "subgradient", step_size: float | None = None,
                 initial_dual: float | None = None, seed: int | None = None):
        super().__init__(game, seed=seed)
        g = _allocation_game(game, "dual-mirror-descent")
        self.mirror_map = check_choice("mirror_map", mirror_map, MIRROR_MAPS)
        if step_size is None:
            self.step_size = 1.0 / np.sqrt(g.horizon)
        else:
            self.step_size = check_positive("step_size", step_size, maximum=1e6)
        if initial_dual is None:
            initial_dual = 0.0 if self.mirror_map == "subgradient" else 1.0
        initial_dual = check_real("initial_dual", initial_dual, minimum=0.0, maximum=1e6)
        if self.mirror_map == "multiplicative" and initial_dual <= 0:
            raise InvalidParameterError(
                "initial_dual must be > 0 with mirror_map='multiplicative' (a zero multiplier never moves)"
            )
        if np.any(g.costs < 0):
            raise NotApplicableError(
                "dual-mirror-descent needs non-negative consumptions (the paper's b_t ≥ 0)"
            )
        if np.any(g.budget_rate <= 0):
            raise NotApplicableError("dual-mirror-descent needs a positive budget for every resource")
        self.initial_dual = float(initial_dual)
        self.mu = np.full(g.num_resources, self.initial_dual)
        self.remaining = np.array(g.budgets, dtype=float)
        self.actions = np.zeros(g.horizon, dtype=np.int64)
        self.tentative = np.zeros(g.horizon, dtype=np.int64)
        self.declined_for_budget = 0
        self.budget_exhausted_at = -1

    def _step(self) -> None:
        g: AllocationGame = self.game
        t = self.iteration
        if t >= g.horizon:
            return
        c = g.costs[t]  # (K, m)
        score = g.rewards[t] - c @ self.mu
        k = int(np.argmax(score))
        self.tentative[t] = k
        take = k
        if not np.all(c[k] <= self.remaining + g.tolerance()):
            take = 0
            self.declined_for_budget += 1
            if self.budget_exhausted_at < 0:
                self.budget_exhausted_at = t
        self.actions[t] = take
        self.remaining = self.remaining - c[take]
        grad = g.budget_rate - c[k]
        if self.mirror_map == "subgradient":
            self.mu = np.maximum(self.mu - self.step_size * grad, 0.0)
        else:
            self.mu = self.mu * np.exp(-self.step_size * grad)

    def diagnostics(self) -> dict[str, float]:
        out = {f"dual_{j}": float(v) for j, v in enumerate(self.mu)}
        out["budget_left_min"] = float(np.min(self.remaining / np.maximum(self.game.budgets, 1e-300)))
        return out

    def solution_info(self, profile: Any) -> dict[str, Any]:
        return allocation_info(self.game, profile, extra={
            "dual": self.mu.tolist(),
            "budget_remaining": self.remaining.tolist(),
            "budget_exhausted_at": None if self.budget_exhausted_at < 0 else int(self.budget_exhausted_at),
            "step_size": float(self.step_size),
        })


def allocation_info(game: AllocationGame, profile: Any,
                    extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The family's `Solution.info`: regret, constraint violation, reward, OPT_LP, competitive ratio."""
    from ..metrics.allocation import constraint_violation, hindsight_optimum

    x = game.validate_profile(profile)
    opt, _ = hindsight_optimum(game, x.shape[0])
    reward = game.reward(x)
    info: dict[str, Any] = {
        "rounds": int(x.shape[0]),
        "horizon": game.horizon,
        "reward": reward,
        "hindsight_opt": opt,
        "regret": max(opt - reward, 0.0),
        "constraint_violation": constraint_violation(game, x),
        "competitive_ratio": reward / opt if opt > 0 else 1.0,
        "alpha": game.alpha,
    }
    info.update(extra or {})
    return info
