"""Regret, the hindsight optimum and constraint violation for online allocation problems.

For an `AllocationGame` and a profile x with t rows (the decisions on the first t requests):

- `hindsight_optimum(game, t)`: the value and an optimal solution of the hindsight linear relaxation
  on the first t requests with the whole budgets B (Balseiro, Lu & Mirrokni 2022, the benchmark OPT
  relaxed to randomised decisions):

      OPT_LP(t) = max Σ_{s<t} Σ_{k≥1} r[s,k] z[s,k]   s.t.  Σ_{s<t,k≥1} c[s,k,j] z[s,k] ≤ B_j  (all j),
                  Σ_{k≥1} z[s,k] ≤ 1,  z ≥ 0,

  solved by HiGHS (`equilibria.ops.highs_linprog`); with one resource and one non-null action (the
  budgeted bidder) it is a fractional knapsack, solved exactly by sorting (tested against HiGHS).
  It bounds the integral hindsight optimum from above, so the regret below is never smaller than
  the paper's.
- `regret(game, x) = OPT_LP(t) − reward(realize(x))` (≥ 0 when the realised allocation is feasible
  for the LP, always the case without total-only constraints; a profile that breaks a total-only
  constraint such as return on spend may collect more than OPT_LP: its regret is reported as 0 and
  its breach by `constraint_violation`). This is the family's NashConv: the metrics core's
  ``deviation_gains`` returns ``[regret]`` (one player), ``best_response`` the LP's optimal
  allocation as (t, K) rows, and ``best_response_values`` ``[OPT_LP(t)]``.
- `constraint_violation(game, x) = max_j max(0, Σ_s c_j(x_s) − B_j)`: how far the profile *as
  given* overspends (the game itself never executes an overspend; see `AllocationGame.realize`).
- `competitive_ratio(game, x) = reward / OPT_LP(t)`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import NotApplicableError
from ..games.allocation import AllocationGame
from ..ops import highs_linprog
from .core import best_response, best_response_values, deviation_gains

__all__ = ["competitive_ratio", "constraint_violation", "hindsight_optimum", "regret"]


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("allocation games are evaluated in floating point; drop --exact")


def hindsight_optimum(game: AllocationGame, t: int | None = None) -> tuple[float, np.ndarray]:
    """``(OPT_LP(t), z)`` with z the optimal (t, K) allocation rows (column 0: the null action)."""
    from scipy import sparse

    T, K, m = game.horizon, game.num_actions, game.num_resources
    t = T if t is None else int(t)
    if not 0 <= t <= T:
        raise NotApplicableError(f"the hindsight optimum is over 0..{T} requests, not {t}")
    cached = game._lp_cache.get(t)
    if cached is not None:
        return cached[0], cached[1].copy()
    z_full = np.zeros((t, K))
    z_full[:, 0] = 1.0
    if t == 0:
        game._lp_cache[t] = (0.0, z_full)
        return 0.0, z_full.copy()
    if K == 2 and m == 1 and not np.any(game.costs[:t, 1, 0] < 0):
        z = _fractional_knapsack(game.rewards[:t, 1], game.costs[:t, 1, 0], float(game.budgets[0]))
        z_full[:, 1] = z
        z_full[:, 0] = 1.0 - z
        value = float(game.rewards[:t, 1] @ z)
        game._lp_cache[t] = (value, z_full)
        return value, z_full.copy()
    r = game.rewards[:t, 1:].reshape(-1)  # variable s*(K-1) + (k-1)
    c = game.costs[:t, 1:, :].reshape(-1, m)  # (n, m)
    n = r.size
    # only actions that can help: a non-positive reward is never taken by an optimum (z = 0 is as good)
    rows = [sparse.csr_matrix(c.T)]
    b_ub = [np.asarray(game.budgets, dtype=float)]
    if K > 2:
        per_request = sparse.kron(sparse.identity(t, format="csr"), np.ones((1, K - 1)), format="csr")
        rows.append(per_request)
        b_ub.append(np.ones(t))
    A = sparse.vstack(rows, format="csr")
    upper = np.where(r > 0, 1.0, 0.0)
    res = highs_linprog(-r, A_ub=A, b_ub=np.concatenate(b_ub), bounds=np.column_stack([np.zeros(n), upper]),
                        what="the hindsight allocation LP")
    z = np.clip(res.x.reshape(t, K - 1), 0.0, 1.0)
    over = z.sum(axis=1)
    z = np.where(over[:, None] > 1.0, z / np.maximum(over, 1.0)[:, None], z)
    z_full[:, 1:] = z
    z_full[:, 0] = np.clip(1.0 - z.sum(axis=1), 0.0, 1.0)
    value = float(-res.fun)
    game._lp_cache[t] = (value, z_full)
    return value, z_full.copy()


def _fractional_knapsack(r: np.ndarray, c: np.ndarray, budget: float) -> np.ndarray:
    """The LP ``max rᵀz, cᵀz ≤ budget, 0 ≤ z ≤ 1`` (c ≥ 0) solved exactly by Dantzig's (1957) greedy:
    items by decreasing r/c, taken whole while they fit, the next one fractionally."""
    z = np.zeros(r.size)
    useful = r > 0
    free = useful & (c <= 0)
    z[free] = 1.0
    cand = np.flatnonzero(useful & (c > 0))
    order = cand[np.argsort(-(r[cand] / c[cand]), kind="stable")]
    cum = np.cumsum(c[order])
    whole = cum <= budget
    z[order[whole]] = 1.0
    n_whole = int(whole.sum())
    if n_whole < order.size:
        left = budget - (cum[n_whole - 1] if n_whole > 0 else 0.0)
        z[order[n_whole]] = min(max(left / c[order[n_whole]], 0.0), 1.0)
    return z


def regret(game: AllocationGame, profile: Any) -> float:
    """``OPT_LP(t) − reward`` of the realised profile, clipped at 0 (rounding, or a profile that
    breaks a total-only constraint)."""
    x = game.validate_profile(profile)
    opt, _ = hindsight_optimum(game, x.shape[0])
    return max(opt - game.reward(x), 0.0)


def constraint_violation(game: AllocationGame, profile: Any) -> float:
    """Largest overspend of the profile as given, ``max_j max(0, Σ_s c_j(x_s) − B_j)`` (0 when it fits)."""
    cons = game.consumption(profile).sum(axis=0)
    over = cons - np.asarray(game.budgets)
    over = np.where(over > game.tolerance(), over, 0.0)
    return float(max(over.max(initial=0.0), 0.0))


def competitive_ratio(game: AllocationGame, profile: Any) -> float:
    """``reward / OPT_LP(t)`` (1 when OPT_LP(t) = 0)."""
    x = game.validate_profile(profile)
    opt, _ = hindsight_optimum(game, x.shape[0])
    return game.reward(x) / opt if opt > 0 else 1.0


@deviation_gains.register
def _gains_allocation(game: AllocationGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    """``[OPT_LP(t) − reward]``: the regret against the hindsight LP."""
    _no_exact(exact)
    return np.array([regret(game, profile)])


@best_response.register
def _br_allocation(game: AllocationGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    """The hindsight LP's optimal allocation of the requests the profile has met, (t, K) rows."""
    _no_exact(exact)
    if player != 0:
        raise NotApplicableError(f"an allocation game has one player (0), not player {player}")
    x = game.validate_profile(profile)
    return hindsight_optimum(game, x.shape[0])[1]


@best_response_values.register
def _br_values_allocation(game: AllocationGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    x = game.validate_profile(profile)
    return np.array([hindsight_optimum(game, x.shape[0])[0]])
