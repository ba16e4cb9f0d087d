"""Fisher market equilibria: the Eisenberg-Gale convex program, proportional response and tâtonnement.

- `eisenberg_gale` (method ``eisenberg-gale``): the equilibrium allocation maximises the
  budget-weighted Nash welfare ``Σ_i B_i log u_i(x_i)`` subject to ``Σ_i x_ij ≤ s_j`` (Eisenberg &
  Gale, "Consensus of subjective probabilities: the pari-mutuel method", Ann. Math. Stat. 1959;
  Eisenberg, "Aggregation of utility functions", Management Sci. 1961, for homogeneous utilities);
  the prices are the multipliers of the supply constraints.
- `ProportionalResponse` (``proportional-response``): each buyer re-splits its budget in proportion
  to the utility each good gave it (Wu & Zhang, STOC 2007; Zhang, "Proportional response dynamics
  in the Fisher market", Theor. Comput. Sci. 2011; Birnbaum, Devanur & Xiao, "Distributed algorithms
  via gradient descent for Fisher markets", EC 2011, for linear utilities).
- `Tatonnement` (``tatonnement``): prices rise with excess demand, multiplicatively (Walras 1874;
  Cole & Fleischer, "Fast-converging tatonnement algorithms for one-time and ongoing market
  problems", STOC 2008; Cheung, Cole & Devanur, "Tatonnement beyond gross substitutes? Gradient
  descent to the rescue", STOC 2013 / GEB 2020).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_positive, check_size
from ..errors import NotApplicableError, SolverError
from ..games.market import FisherMarket
from ..registry import register_method
from ..run import Learner
from ..solution import Solution

#: the largest market the Eisenberg-Gale solver (dense SLSQP) takes, in buyer-good pairs
EG_MAX_PAIRS = 1000


def _market(game: Any, method: str) -> FisherMarket:
    if not isinstance(game, FisherMarket):
        raise NotApplicableError(f"{method} computes Fisher market equilibria; got a {type(game).__name__}")
    return game


def _spending(game: FisherMarket, x: np.ndarray) -> np.ndarray:
    """``b_ij = B_i a_ij x_ij^ρ / Σ_k a_ik x_ik^ρ``: by Euler's identity for the homogeneous u_i, the
    budget split that makes ``x`` optimal at the prices of the KKT conditions."""
    w = game.valuations * np.power(np.maximum(x, 0.0), game.rho)
    tot = w.sum(axis=1, keepdims=True)
    return game.budgets[:, None] * w / np.where(tot > 0, tot, 1.0)


def _shares_from_spending(game: FisherMarket, b: np.ndarray) -> np.ndarray:
    s = b / game.budgets[:, None]
    s = np.maximum(s, 0.0)
    return s / s.sum(axis=1, keepdims=True)


# ---- Eisenberg-Gale ------------------------------------------------------------------------------


@register_method("eisenberg-gale", families=("market",), certified=True)
def eisenberg_gale(game: Any, *, max_iter: int = 10_000) -> list[Solution]:
    """The market equilibrium of a Fisher market by the Eisenberg-Gale convex program, in its dual form.

    Eisenberg & Gale, "Consensus of subjective probabilities: the pari-mutuel method", Ann. Math.
    Stat. 1959; Eisenberg, Management Sci. 1961; the dual in prices as in Cole, Devanur, Gkatzelis,
    Jain, Mai, Vazirani & Yazdanbod, "Convex program duality, Fisher markets, and Nash social
    welfare", EC 2017. The program ``max Σ_i B_i log u_i(x_i)`` s.t.
    ``Σ_i x_ij ≤ s_j`` has the dual ``min_{p ≥ 0} Σ_j s_j p_j − Σ_i B_i log e_i(p)`` with ``e_i`` the
    cost of one unit of utility (``min_j p_j / a_ij`` for linear utilities,
    ``(Σ_j a_ij^σ p_j^{1−σ})^{1/(1−σ)}`` for CES, σ = 1/(1 − ρ)); its gradient is minus the excess
    demand, so its minimiser is the equilibrium price vector.

    1. CES (ρ < 1): minimise the dual over log-prices (smooth and convex there) by L-BFGS-B; the
       spending is the unique demand at the prices.
    2. Linear: minimise ``Σ_j s_j p_j − Σ_i B_i log β_i`` s.t. ``a_ij β_i ≤ p_j`` by SLSQP (``n + m``
       variables); then, on the maximum bang-per-buck edges (the tight constraints), solve the
       equilibrium conditions ``p_j = a_ij γ_i``, ``Σ_i b_ij = s_j p_j``, ``Σ_j b_ij = B_i``, ``b ≥ 0``
       (linear) by `equilibria.ops.highs_linprog`, which removes the iterative solver's error.
    3. Return the spending shares ``b_ij / B_i`` (the family's profile); ``info`` holds the prices,
       the allocation and `equilibria.metrics.market.market_violation` of the pair.

    Certified: `solve` checks that every buyer's bundle is optimal at the prices (the profile clears
    the market by construction) to 1e-7 of the total budget; this solver raises `SolverError` when
    it cannot reach that.
    """
    from ..metrics.market import market_violation

    game = _market(game, "eisenberg-gale")
    max_iter = int(check_positive("max_iter", max_iter, maximum=1e6))
    n, m = game.valuations.shape
    if game.is_linear and n * m > EG_MAX_PAIRS:
        raise NotApplicableError(
            f"eisenberg-gale solves linear markets of up to {EG_MAX_PAIRS} buyer-good pairs (a dense "
            f"SLSQP solve); this one has {n * m}. Use proportional-response"
        )
    check_size("the Eisenberg-Gale program", 8.0 * (n + m) * n * m * 4)
    total = float(game.budgets.sum())
    if game.is_linear:
        profile = _eg_linear(game, max_iter)
    else:
        profile = game.demand_shares(_eg_ces_prices(game, max_iter))
    x, p = game.outcome(profile)
    report = market_violation(game, x, p)
    if report["total"] > 1e-7 * total:
        raise SolverError(
            f"the Eisenberg-Gale solve stopped short of an equilibrium: the bundles waste "
            f"{report['total']:.3g} of a total budget {total:g}. Try proportional-response"
        )
    u = game.utilities(x)
    info = {"prices": p, "allocation": x, "violation": report["total"],
            "nash_welfare": float(game.budgets @ np.log(u))}
    return [Solution(profile, u, "eisenberg-gale", info=info)]


def _eg_ces_prices(game: FisherMarket, max_iter: int) -> np.ndarray:
    """Minimise the convex dual over ``q = log p`` (L-BFGS-B); budgets normalised to total 1."""
    from scipy.optimize import minimize

    from ..ops import logsumexp

    A, s = game.valuations, game.supplies
    Bn = game.budgets / game.budgets.sum()
    sigma = 1.0 / (1.0 - game.rho)
    with np.errstate(divide="ignore"):
        loga = np.where(A > 0, np.log(A), -np.inf)

    def f(q: np.ndarray) -> tuple[float, np.ndarray]:
        p = np.exp(q)
        z = sigma * loga + (1.0 - sigma) * q[None, :]
        lse = logsumexp(z, axis=1)
        val = float(s @ p) - float(Bn @ (lse / (1.0 - sigma)))
        shares = np.exp(z - lse[:, None])  # spending shares of the demand at p
        return val, s * p - Bn @ shares

    q0 = np.log(1.0 / (game.num_goods * s))
    res = minimize(f, q0, jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iter, "gtol": 1e-15, "ftol": 1e-16, "maxcor": 30})
    q = res.x
    # a few Newton steps finish the job: the Hessian in q is
    # diag(s p) + (σ − 1) Σ_i B_i (diag(w_i) − w_i w_iᵀ), w_i the demand spending shares (PSD)
    for _ in range(8):
        _, g = f(q)
        z = sigma * loga + (1.0 - sigma) * q[None, :]
        w = np.exp(z - logsumexp(z, axis=1)[:, None])
        H = np.diag(s * np.exp(q)) + (sigma - 1.0) * (np.diag(Bn @ w) - (w * Bn[:, None]).T @ w)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        q_new = q - step
        if not np.all(np.isfinite(q_new)) or np.abs(f(q_new)[1]).max() >= np.abs(g).max():
            break
        q = q_new
    return np.exp(q) * game.budgets.sum()


def _eg_linear(game: FisherMarket, max_iter: int) -> np.ndarray:
    """The dual by SLSQP, then the exact equilibrium on its maximum bang-per-buck edges."""
    from scipy.optimize import minimize

    A, s = game.valuations, game.supplies
    n, m = A.shape
    Bn = game.budgets / game.budgets.sum()
    # constraint rows p_j − a_ij β_i ≥ 0, variables (p, β)
    G = np.zeros((n * m, m + n))
    ii, jj = np.divmod(np.arange(n * m), m)
    G[np.arange(n * m), jj] = 1.0
    G[np.arange(n * m), m + ii] = -A[ii, jj]

    def f(z: np.ndarray) -> tuple[float, np.ndarray]:
        p, beta = z[:m], z[m:]
        return float(s @ p - Bn @ np.log(beta)), np.concatenate([s, -Bn / beta])

    p0 = 1.0 / (m * s)
    beta0 = np.min(np.where(A > 0, p0[None, :] / np.where(A > 0, A, 1.0), np.inf), axis=1)
    res = minimize(f, np.concatenate([p0, beta0]), jac=True, method="SLSQP",
                   bounds=[(1e-15, None)] * (m + n),
                   constraints=[{"type": "ineq", "fun": lambda z: G @ z, "jac": lambda z: G}],
                   options={"ftol": 1e-16, "maxiter": max_iter})
    p, beta = res.x[:m], res.x[m:]
    slack = (p[None, :] - A * beta[:, None]) / p[None, :]
    best, best_err = None, np.inf
    for rel in (1e-9, 1e-7, 1e-5, 1e-3):
        prof = _equilibrium_on_edges(game, slack <= rel)
        if prof is None:
            continue
        from ..metrics.market import market_violation

        x, pr = game.outcome(prof)
        err = market_violation(game, x, pr)["total"]
        if err < best_err:
            best, best_err = prof, err
    if best is None:
        raise SolverError("could not recover the equilibrium spending from the Eisenberg-Gale dual")
    return best


def _equilibrium_on_edges(game: FisherMarket, E: np.ndarray) -> np.ndarray | None:
    """Spending shares of a linear-market equilibrium using only the edges ``E``, or None.

    The conditions are linear in (p, γ, b_E): ``p_j − a_ij γ_i = 0`` on E (γ_i = 1/bang-per-buck),
    ``Σ_i b_ij − s_j p_j = 0``, ``Σ_j b_ij = B_i``, ``b ≥ 0``: a feasibility LP (HiGHS).
    """
    from ..ops import highs_linprog

    A, B, s = game.valuations, game.budgets, game.supplies
    n, m = A.shape
    if not (E.any(axis=1).all() and E.any(axis=0).all()):
        return None
    ii, jj = np.nonzero(E)
    k = len(ii)
    nv = m + n + k
    rows = np.zeros((k + m + n, nv))
    rhs = np.zeros(k + m + n)
    rows[np.arange(k), jj] = 1.0
    rows[np.arange(k), m + ii] = -A[ii, jj]
    rows[k + jj, m + n + np.arange(k)] = 1.0
    rows[k + np.arange(m), np.arange(m)] = -s
    rows[k + m + ii, m + n + np.arange(k)] = 1.0
    rhs[k + m:] = B
    bounds = [(None, None)] * (m + n) + [(0, None)] * k
    try:
        res = highs_linprog(np.zeros(nv), A_eq=rows, b_eq=rhs, bounds=bounds,
                            what="the linear-market equilibrium conditions")
    except SolverError:
        return None  # these edges admit no equilibrium
    bids = np.zeros((n, m))
    bids[ii, jj] = np.maximum(res.x[m + n:], 0.0)
    if np.any(bids.sum(axis=1) <= 0):
        return None
    return _shares_from_spending(game, bids)


# ---- learners --------------------------------------------------------------------------------------


class _MarketLearner(Learner):
    families = ("market",)
    default_output = "last"

    def __init__(self, game: Any, *, seed: int | None = None):
        super().__init__(_market(game, type(self).__name__), seed=seed)

    def solution_info(self, profile: Any) -> dict[str, Any]:
        x, p = self.game.outcome(profile)
        return {"prices": p.tolist(), "allocation": x.tolist()}


class ProportionalResponse(_MarketLearner):
    """Proportional response dynamics: each buyer bids on each good in proportion to the utility it got.

    Wu & Zhang, "Proportional response dynamics leads to market equilibrium", STOC 2007; Zhang,
    Theor. Comput. Sci. 2011 (CES, 0 < ρ < 1); Birnbaum, Devanur & Xiao, EC 2011 (linear: mirror
    descent on Shmyrev's convex program, prices converge at rate O(1/t)).

    1. Start from the equal split ``b_ij = B_i / m``.
    2. Prices ``p_j = Σ_i b_ij / s_j``; bundles ``x_ij = b_ij / p_j``.
    3. ``b_ij ← B_i · a_ij x_ij^ρ / Σ_k a_ik x_ik^ρ`` (ρ = 1: ``B_i a_ij x_ij / u_i(x_i)``).

    The last iterate converges; it is what `solve` returns. Goods that nobody values get no bid
    and stay unsold at price 0.
    """

    def __init__(self, game: Any, *, seed: int | None = None):
        super().__init__(game, seed=seed)
        g = self.game
        self.bids = g.budgets[:, None] * np.where(g.valuations > 0, 1.0, 0.0)
        self.bids = self.bids / self.bids.sum(axis=1, keepdims=True) * g.budgets[:, None]

    def _step(self) -> None:
        g = self.game
        p = self.bids.sum(axis=0) / g.supplies
        x = np.where(p > 0, self.bids / np.where(p > 0, p, 1.0), 0.0)
        self.bids = _spending(g, x)

    def current_strategy(self) -> np.ndarray:
        return _shares_from_spending(self.game, self.bids)


class Tatonnement(_MarketLearner):
    """Multiplicative tâtonnement: each price moves with its relative excess demand.

    Cole & Fleischer, "Fast-converging tatonnement algorithms for one-time and ongoing market
    problems", STOC 2008; Cheung, Cole & Devanur, STOC 2013 (convergence for CES markets,
    substitutes and complements alike); after Walras (1874).

    1. Start from the prices that spend the total budget evenly, ``p_j = Σ_i B_i / (m s_j)``.
    2. Each buyer demands its unique optimal bundle at ``p`` (CES, ρ < 1): spending on good j in
       proportion to ``a_ij^σ p_j^{1−σ}``, σ = 1/(1 − ρ).
    3. ``z_j = (Σ_i x_ij − s_j)/s_j``; ``p_j ← p_j · exp(step_size · min(z_j, 1))``.

    ``step_size`` defaults to ``1/(2σ)``: the price elasticity of CES demand is at most σ, and a step
    above the inverse elasticity overshoots (our choice of constant; the papers ask for a small
    enough step).
    The profile is the buyers' demanded spending shares at the current prices (so its trading-post
    prices equal ``p`` exactly when the market clears). Linear utilities are refused: the demand is a
    correspondence there, and tâtonnement on it need not converge (use proportional-response).
    Simplification: the excess demand is capped at 1 as in Cole & Fleischer; the step size is fixed.
    """

    def __init__(self, game: Any, *, step_size: float | None = None, seed: int | None = None):
        super().__init__(game, seed=seed)
        if self.game.is_linear:
            raise NotApplicableError(
                "tatonnement needs a unique demand (CES utilities with rho < 1); with linear utilities use "
                "proportional-response or eisenberg-gale"
            )
        if step_size is None:
            step_size = 0.5 * (1.0 - self.game.rho)
        self.step_size = check_positive("step_size", step_size, maximum=10.0)
        g = self.game
        self.prices = g.budgets.sum() / (g.num_goods * g.supplies)

    def _step(self) -> None:
        g = self.game
        spend = g.demand_shares(self.prices) * g.budgets[:, None]
        z = (spend.sum(axis=0) / self.prices - g.supplies) / g.supplies
        self.prices = self.prices * np.exp(self.step_size * np.minimum(z, 1.0))

    def current_strategy(self) -> np.ndarray:
        return self.game.demand_shares(self.prices)

    def diagnostics(self) -> dict[str, float]:
        g = self.game
        spend = g.demand_shares(self.prices) * g.budgets[:, None]
        z = (spend.sum(axis=0) / self.prices - g.supplies) / g.supplies
        return {"max_excess_demand": float(np.abs(z).max())}


register_method("proportional-response", families=("market",))(ProportionalResponse)
register_method("tatonnement", families=("market",))(Tatonnement)
