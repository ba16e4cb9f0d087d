"""Risk-Averse Equilibrium (RAE): Slumbers, Mguni, McAleer, Blumberg, Yang & Wang, "A Game-Theoretic
Framework for Managing Risk in Multi-Agent Systems", ICML 2023 (arXiv:2205.15434; an earlier version was
submitted to ICLR 2023 as "A Risk-Averse Equilibrium for Multi-Agent Systems").

What the paper states (abstracts of both versions): a player should pick "the strategy with minimum
variance, given any level of expected utility" (Markowitz mean-variance, "Portfolio Selection",
J. Finance 1952), the variance being the *potential* variance of its reward, which accounts for the
others' low-probability actions; an RAE always exists; a fictitious-play type learning algorithm for
small (matrix) games converges in zero-sum and potential games; RAE "generalises to risk-dominant NE
in certain cases", in particular in a trust dilemma (stag hunt). Only the abstracts of the paper could
be read when this module was checked (the stored full text stops after the abstract), so the
equation-level choices below are ours and are marked as such.

The model. Player i mixing with π_i over its actions holds a portfolio whose return depends on the
others' actions. Its expected payoff is π_iᵀ d_i(π_{-i}), d_i the vector of action payoffs against
π_{-i}. Its potential variance is π_iᵀ Σ_i π_i, Σ_i the covariance of its action payoffs u_i(a, ·)
over every joint action of the others counted equally (our reading of "potential": actions the
others play rarely, or not at all, still count; were Σ_i taken under π_{-i}, every pure equilibrium
would carry zero variance and RAE could not prefer (Hare, Hare) in the stag hunt, as the paper reports).

Constraint form and penalty form. "Minimum variance given a level of expected utility" is the convex
programme min πᵀΣπ s.t. πᵀd ≥ m over the simplex; its solutions as m varies are the efficient frontier,
which is also traced by the penalty (Lagrangian) form

    U_i(π_i; π_{-i}) = π_iᵀ d_i(π_{-i}) - γ π_iᵀ Σ_i π_i,        γ ≥ 0,

(every maximiser of U_i is a minimum-variance strategy for the utility level it reaches; tests check
this against scipy). A profile is a risk-averse equilibrium when every π_i maximises U_i against
π_{-i}. U_i is concave in π_i, so an RAE exists (Debreu-Glicksberg-Fan), and as the variance term
depends on the player's own strategy only, the risk-adjusted game is a perturbed game in the sense of
Hofbauer & Sandholm ("On the Global Convergence of Stochastic Fictitious Play", Econometrica 2002),
where fictitious play with perturbed (here: risk-averse) best responses converges in zero-sum and
potential games, the two classes the paper names. At γ = 0 an RAE is exactly a Nash equilibrium
(`rae_gap` is then NashConv).

The method is that fictitious play (Brown 1951): each player answers the others' empirical mixture
with its risk-averse best response, a concave quadratic programme over the simplex.

On the stag hunt the payoff-dominant (Stag, Stag) stops being an RAE once γ is large enough, and the
method selects the risk-dominant (Hare, Hare); RAE is not defined as "the risk-dominant equilibrium",
it arrives there.

Units: γ = ``risk_aversion`` / s, s the largest range of one player's payoffs, so that scaling all
payoffs leaves the equilibrium unchanged (the variance scales with the square of the payoffs, the
mean linearly), and so does adding a constant to a player's payoffs (the variance does not move and
every utility moves by the constant). The computation runs on the payoffs shifted and scaled to
unit range (`equilibria.dynamics._operators.unit_payoffs`), so payoffs of 1e-300 or 1e300 neither
underflow nor overflow; `rae_gap` is reported in the game's own units.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_int, check_positive
from ..dynamics._operators import deviation_payoffs, unit_payoffs
from ..errors import InvalidParameterError, NotApplicableError
from ..games.normal_form import NormalFormGame
from ..ops import project_simplex
from ..registry import register_method
from ..solution import Solution

#: the largest risk aversion γ (per unit of payoff range): far beyond it the RAE is the minimum-variance
#: profile to machine precision, and γλ_max(Σ) would overflow the best response's step size
MAX_RISK_AVERSION = 1e6


def payoff_covariances(game: NormalFormGame) -> list[np.ndarray]:
    """Σ_i: covariance of player i's action payoffs u_i(a, ·) over the others' joint actions, uniform.

    Row a of ``M_i`` lists u_i(a, a_{-i}) over all a_{-i}; Σ_i = M̃ M̃ᵀ / K with M̃ the row-centred
    matrix and K the number of joint actions of the others (population covariance).
    """
    out = []
    for i in range(game.num_players):
        M = np.moveaxis(game.payoffs[i], i, 0).reshape(game.num_actions[i], -1)
        Mc = M - M.mean(axis=1, keepdims=True)
        out.append(Mc @ Mc.T / M.shape[1])
    return out


def risk_averse_best_response(mean: np.ndarray, cov: np.ndarray, gamma: float, *,
                              tol: float = 1e-13, max_iter: int = 10_000) -> np.ndarray:
    """argmax over the simplex of πᵀ mean - γ πᵀ Σ π (a concave QP).

    Solved by accelerated projected gradient (Beck & Teboulle, "A Fast Iterative Shrinkage-
    Thresholding Algorithm for Linear Inverse Problems", SIAM J. Imaging Sci. 2009) with step
    1/(2γλ_max(Σ)); with γλ_max = 0 the problem is linear and a pure best response is returned.
    """
    k = len(mean)
    lam = 2.0 * gamma * float(np.linalg.eigvalsh(cov)[-1]) if k > 1 else 0.0
    if lam <= 1e-15 * max(1.0, float(np.abs(mean).max())):
        out = np.zeros(k)
        out[int(np.argmax(mean))] = 1.0
        return out
    step = 1.0 / lam
    x = np.full(k, 1.0 / k)
    y, t = x.copy(), 1.0
    for _ in range(max_iter):
        grad = mean - 2.0 * gamma * (cov @ y)
        x_new = project_simplex(y + step * grad)
        if float((x_new - x) @ (y - x_new)) > 0:  # adaptive restart (O'Donoghue & Candès 2015)
            t = 1.0
        t_new = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        y = x_new + ((t - 1.0) / t_new) * (x_new - x)
        done = float(np.abs(x_new - x).max()) <= tol
        x, t = x_new, t_new
        if done:
            break
    return _polish(x, mean, cov, gamma)


def _polish(x: np.ndarray, mean: np.ndarray, cov: np.ndarray, gamma: float) -> np.ndarray:
    """Solve the KKT system on the support found by the first-order method; keep it if optimal.

    On support S: 2γ Σ_SS p_S + ν 1 = m_S and 1ᵀ p_S = 1; optimal iff p_S ≥ 0 and every action
    outside S has m_a - 2γ(Σp)_a ≤ -ν (no profitable direction out of the face).
    """
    S = np.flatnonzero(x > 1e-9)
    m = len(S)
    K = np.zeros((m + 1, m + 1))
    K[:m, :m] = 2.0 * gamma * cov[np.ix_(S, S)]
    K[:m, m] = 1.0
    K[m, :m] = 1.0
    rhs = np.concatenate([mean[S], [1.0]])
    sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
    p = np.zeros_like(x)
    p[S] = sol[:m]
    if p.min() < -1e-12 or abs(p.sum() - 1) > 1e-9:
        return x
    p = np.maximum(p, 0.0)
    p /= p.sum()
    g = mean - 2.0 * gamma * (cov @ p)
    if g.max() > g[S].min() + 1e-9 or _utility(mean, cov, gamma, p) < _utility(mean, cov, gamma, x) - 1e-12:
        return x
    return p


def _utility(mean: np.ndarray, cov: np.ndarray, gamma: float, p: np.ndarray) -> float:
    return float(p @ mean - gamma * (p @ cov @ p))


def _unit_game(game: NormalFormGame) -> tuple[NormalFormGame, float]:
    """The game with payoffs shifted per player and scaled to unit range, and the scale s."""
    v, scale = unit_payoffs(game.payoffs)
    return NormalFormGame(v), scale


def _unit_gap(unit: NormalFormGame, covs: list[np.ndarray], profile: list[np.ndarray], gamma: float) -> float:
    gap = 0.0
    for d, c, p in zip(deviation_payoffs(unit, profile), covs, profile, strict=True):
        br = risk_averse_best_response(d, c, gamma)
        gap += max(_utility(d, c, gamma, br) - _utility(d, c, gamma, p), 0.0)
    return gap


def rae_gap(game: NormalFormGame, profile: Any, risk_aversion: float = 1.0) -> float:
    """Σ_i [max_π U_i(π; π_{-i}) - U_i(π_i; π_{-i})]: zero exactly at a risk-averse equilibrium.

    In the game's payoff units (computed on the unit-range game and scaled back: the gap is
    invariant to a constant added to a player's payoffs and linear in a common scale).
    """
    risk_aversion = check_positive("risk_aversion", risk_aversion, allow_zero=True, maximum=MAX_RISK_AVERSION)
    prof = [np.asarray(p, dtype=float) for p in game.validate_profile(profile)]
    unit, scale = _unit_game(game)
    return scale * _unit_gap(unit, payoff_covariances(unit), prof, risk_aversion)


def risk_averse_fictitious_play(game: NormalFormGame, *, risk_aversion: float = 1.0,
                                iterations: int = 1000, tol: float = 1e-10,
                                init: Any = None) -> tuple[list[np.ndarray], int, float]:
    """Fictitious play on the risk-adjusted game (Slumbers et al., ICML 2023; Brown 1951).

    Beliefs start at ``init`` with weight one, or (default) at the uniform profile with weight zero,
    so that the first play answers the uniform belief. Returns the empirical mixture, the number of
    iterations run and its RAE gap (in the game's units); stops early once the gap is at most ``tol``
    times the payoff scale s (``tol`` is relative to the unit-range game).
    """
    if not isinstance(game, NormalFormGame):
        raise NotApplicableError(f"rae applies to normal-form games, not {type(game).__name__}")
    risk_aversion = check_positive("risk_aversion", risk_aversion, allow_zero=True, maximum=MAX_RISK_AVERSION)
    iterations = check_int("iterations", iterations, minimum=1)
    tol = check_positive("tol", tol, allow_zero=True)
    gamma = risk_aversion
    unit, scale = _unit_game(game)
    covs = payoff_covariances(unit)
    if init is None:
        beliefs = [np.full(k, 1.0 / k) for k in game.num_actions]
        weight = 0.0
    else:
        try:
            beliefs = [np.asarray(p, dtype=float) for p in game.validate_profile(init)]
        except Exception as exc:
            raise InvalidParameterError(f"init is not a profile of this game: {exc}") from None
        weight = 1.0
    gap = float("inf")
    it = 0
    for it in range(1, iterations + 1):
        dev = deviation_payoffs(unit, beliefs)
        plays = [risk_averse_best_response(d, c, gamma) for d, c in zip(dev, covs, strict=True)]
        beliefs = [(weight * b + p) / (weight + 1.0) for b, p in zip(beliefs, plays, strict=True)]
        weight += 1.0
        if it % 10 == 0 or it == iterations:
            gap = _unit_gap(unit, covs, beliefs, gamma)
            if gap <= tol:
                break
    return beliefs, it, scale * gap


def rae_meta_solver(game: NormalFormGame, risk_aversion: float = 1.0,
                    iterations: int = 1000) -> list[np.ndarray]:
    """The RAE profile of a (meta-)game, for population methods such as PSRO (Slumbers et al., ICML 2023)."""
    profile, _, _ = risk_averse_fictitious_play(game, risk_aversion=risk_aversion, iterations=iterations)
    return profile


@register_method("rae", families=("normal_form",))
def rae(game: NormalFormGame, *, risk_aversion: float = 1.0, iterations: int | None = None,
        tol: float | None = None, init: Any = None, seed: int | None = None) -> list[Solution]:
    """Risk-Averse Equilibrium by risk-averse fictitious play (Slumbers et al., ICML 2023).

    ``risk_aversion`` is γ in units of 1/payoff range (at most 1e6); ``iterations`` (default 1000) and ``tol``
    (default 1e-10, on the RAE gap relative to the payoff range) bound the fictitious play. The
    method is deterministic; ``seed`` is accepted and ignored. ``info`` holds the RAE gap and each
    player's payoff variance πᵀΣπ.
    """
    profile, its, gap = risk_averse_fictitious_play(
        game, risk_aversion=risk_aversion, iterations=1000 if iterations is None else iterations,
        tol=1e-10 if tol is None else tol, init=init,
    )
    unit, scale = _unit_game(game)
    covs = payoff_covariances(unit)
    variances = [float(p @ c @ p) * scale * scale for p, c in zip(profile, covs, strict=True)]
    info = {"rae_gap": gap, "risk_aversion": float(risk_aversion), "variance": variances}
    return [Solution(profile, game.expected_payoffs(profile), "rae", iterations=its, info=info)]
