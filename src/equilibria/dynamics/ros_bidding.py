"""Return-on-spend constrained autobidding (family ``allocation``, repeated second-price auctions).

The learner bids in the auctions of an ``allocation:ros_second_price`` game: one iteration of the run
loop is one auction (value v_t, highest competing bid d_t, RoS target γ, optional budget ρT).
After the horizon no auction arrives and `converged` is True.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool, check_positive
from ..errors import NotApplicableError
from ..games.allocation import AllocationGame
from ..registry import register_method
from .allocation import OnlineAllocationLearner, allocation_info


@register_method("ros-bidding", families=("allocation",))
class RoSBidding(OnlineAllocationLearner):
    """Primal–dual bidding under a return-on-spend constraint: Feng, Padmanabhan & Wang, "Online Bidding
    Algorithms for Return-on-Spend Constrained Advertisers", WWW 2023; with a budget, combined with the
    dual mirror descent of Balseiro, Lu & Mirrokni (Operations Research 2022) as that paper does.

    On ``allocation:ros_second_price`` the advertiser maximises total value Σ v_t x_t subject to RoS
    ``Σ (γ d_t − v_t) x_t ≤ 0`` and, with ``budget_rate``, a budget ``Σ d_t x_t ≤ ρT``. In general:
    constraints on the horizon's total (``running`` False in the game, like RoS) get a dual λ_j > 0,
    running budgets a dual μ_j ≥ 0. For each request (auction) t:

    1. tentative action x̃_t = argmax_k r[t, k] − λ_tᵀ c_tot[t, k] − μ_tᵀ c_run[t, k] (null on ties).
       In the auction this is the bid b_t = (1 + λ_t) v_t / (γ λ_t + μ_t), the maximiser of the
       Lagrangian v x + λ (v x − γ p x) − μ p x in a truthful auction: x̃_t wins iff b_t > d_t;
    2. x_t = x̃_t, unless its running consumption exceeds the remaining budget (Balseiro, Lu &
       Mirrokni's stopping rule), or, with ``guard``, its total-only consumption exceeds the slack
       S_j = B_j − Σ_{s<t} c_j(x_s) accumulated so far; then x_t = null;
    3. total-only duals, online mirror descent with the entropic map:
       λ_{t+1} = λ_t ∘ exp(α (c_tot[t, x_t] − ρ_tot)) (for RoS: exp(−α (v_t − γ d_t) x_t), the realised
       slack is the gradient);
    4. running duals: μ_{t+1} = max(μ_t − η (ρ_run − c_run[t, x̃_t]), 0).

    ``step_size`` α and ``budget_step_size`` η default to 1/√T; ``initial_dual`` is λ_1 (μ_1 = 0).
    On a game with running budgets only (``allocation:budgeted_second_price``) the method is dual
    mirror descent with the subgradient map.

    Guarantees (our reading; we could not consult the paper's text when writing this, so its exact
    constants and conditions are not reproduced): for i.i.d. auctions the expected regret against the
    hindsight optimum is O(√(T log T)) and the RoS constraint holds at the end of every sample path,
    the budget never being exceeded when there is one. What we verify: budgets never overspend (by
    construction); the RoS constraint on each path is *measured* (``info["constraint_violation"]``,
    and ``info["ros_min_prefix_slack"]`` for the worst prefix). Unguarded, our implementation does
    not reproduce a path-wise guarantee: over 60 i.i.d. paths with T ≤ 8000 (examples/ros_bidding.py)
    the largest end-of-horizon RoS deficit was about 3 (order √T). ``guard=True`` is our addition, not
    the paper's: it keeps every prefix feasible (S_j ≥ 0 after every request) deterministically; in
    the auction it caps the bid at (v_t + S_{t−1})/γ, since a second-price winner pays d_t < b_t.
    """

    families = ("allocation",)
    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, budget_step_size: float | None = None,
                 initial_dual: float = 1.0, guard: bool = False, seed: int | None = None):
        super().__init__(game, seed=seed)
        if not isinstance(game, AllocationGame):
            raise NotApplicableError(f"ros-bidding applies to allocation games, not {type(game).__name__}")
        run = np.asarray(game.running)
        if np.any(game.costs[:, :, run] < 0):
            raise NotApplicableError("ros-bidding needs non-negative consumption of running budgets")
        if np.any(game.budget_rate[run] <= 0):
            raise NotApplicableError("ros-bidding needs a positive running budget for every running resource")
        root = 1.0 / np.sqrt(game.horizon)
        self.step_size = root if step_size is None else check_positive("step_size", step_size, maximum=1e6)
        self.budget_step_size = (root if budget_step_size is None
                                 else check_positive("budget_step_size", budget_step_size, maximum=1e6))
        self.initial_dual = check_positive("initial_dual", initial_dual, maximum=1e6)
        self.guard = check_bool("guard", guard)
        self.lam = np.full(int((~run).sum()), self.initial_dual)
        self.mu = np.zeros(int(run.sum()))
        self.remaining = np.array(game.budgets, dtype=float)  # running: budget left; total-only: slack
        self.actions = np.zeros(game.horizon, dtype=np.int64)

    def _step(self) -> None:
        g: AllocationGame = self.game
        t = self.iteration
        if t >= g.horizon:
            return
        run = g.running
        c = g.costs[t]  # (K, m)
        duals = np.empty(g.num_resources)
        duals[run] = self.mu
        duals[~run] = self.lam
        k = int(np.argmax(g.rewards[t] - c @ duals))
        take = k
        tol = g.tolerance()
        check = run | self.guard
        if np.any(c[k, check] > self.remaining[check] + tol[check]):
            take = 0
        self.actions[t] = take
        self.remaining = self.remaining - c[take]
        self.lam = self.lam * np.exp(self.step_size * (c[take, ~run] - g.budget_rate[~run]))
        self.mu = np.maximum(self.mu - self.budget_step_size * (g.budget_rate[run] - c[k, run]), 0.0)

    def diagnostics(self) -> dict[str, float]:
        out = {f"total_dual_{j}": float(v) for j, v in enumerate(self.lam)}
        out.update({f"budget_dual_{j}": float(v) for j, v in enumerate(self.mu)})
        return out

    def solution_info(self, profile: Any) -> dict[str, Any]:
        g: AllocationGame = self.game
        x = g.validate_profile(profile)
        cum = np.cumsum(g.consumption(x), axis=0)
        extra: dict[str, Any] = {"total_duals": self.lam.tolist(), "budget_duals": self.mu.tolist()}
        if "ros" in g.resource_labels:
            j = g.resource_labels.index("ros")
            extra["ros_slack"] = float(g.budgets[j] - (cum[-1, j] if len(cum) else 0.0))
            extra["ros_min_prefix_slack"] = float(min((g.budgets[j] - cum[:, j]).min(initial=0.0), 0.0))
        if {"values", "competing_bids"} <= set(g.data):
            won = x[:, 1] if g.num_actions == 2 else 1.0 - x[:, 0]
            extra["value"] = float(g.data["values"][: len(x)] @ won)
            extra["spend"] = float(g.data["competing_bids"][: len(x)] @ won)
        return allocation_info(g, x, extra=extra)
