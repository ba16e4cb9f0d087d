"""Alignment methods beside Nash learning, in closed form on preference games (and small reward arrays).

- ``robust-dpo``: the population optimum of the label-flip-robust DPO loss (Chowdhury, Kini &
  Natarajan, "Provably Robust DPO: Aligning Language Models with Noisy Feedback", ICML 2024).
- `best_of_n_law`, `best_of_n_kl`, `tilted_policy`, `kl_matched_tilt`, `alignment_frontier`: best-of-N
  against the KL-constrained optimum π ∝ π_ref exp(r/β) at equal KL (Yang, Salamatian, Sun, Suresh &
  Beirami, "Asymptotics of Language Model Alignment", ISIT 2024), with the best-of-N KL bound
  log N − (N − 1)/N (Beirami et al., "Theoretical guarantees on the best-of-n alignment policy", 2024).
- `constrained_rlhf`: the Lagrangian over composite rewards with thresholds at the proxy points
  (Moskovitz et al., "Confronting Reward Model Overoptimization with Constrained RLHF", ICLR 2024).

Every function works on all contexts at once (arrays (X, K), weights w(x)).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_real
from ..errors import InvalidParameterError, NotApplicableError, SolverError
from ..games.preference import PreferenceGame, kl_rows
from ..ops import log_softmax
from ..registry import register_method
from ..solution import Solution
from .preference import PAIRS, _bt_fit, _solution, pair_weights

# ---------------------------------------------------------------------------------------------
# Provably robust DPO
# ---------------------------------------------------------------------------------------------


def debiased_preferences(game: PreferenceGame, flip: float) -> np.ndarray:
    """``(P − ε)/(1 − 2ε)`` clipped to [0, 1]: the weight rDPO's loss puts on log σ(β(h(y) − h(y')))."""
    flip = check_real("flip", flip, minimum=0.0, maximum=0.5)
    if flip >= 0.5:
        raise InvalidParameterError(
            "flip must be below 1/2: labels flipped with probability 1/2 carry no signal")
    return np.clip((game.P - flip) / (1.0 - 2.0 * flip), 0.0, 1.0)


def robust_dpo_policy(game: PreferenceGame, flip: float, *, pairs: str = "auto",
                      l2: float = 0.0) -> np.ndarray:
    """Minimiser of the population rDPO loss of Chowdhury et al. (ICML 2024):

        ℓ̂(y_w, y_l) = [(1 − ε) ℓ(y_w, y_l) − ε ℓ(y_l, y_w)] / (1 − 2ε),   ℓ(y, y') = −log σ(β h(y) − β h(y')),

    h = log π/π_ref, with labels y_w ≻ y_l observed from the (noisy) preferences P of ``game`` and ε
    = ``flip`` the known flip rate. Averaged over the labels, the coefficient of ℓ(y, y') is
    (P(y ≻ y') − ε)/(1 − 2ε): the clean preference when P = ε + (1 − 2ε) P_clean, so the population
    rDPO optimum is DPO's on the clean preferences (the loss is an unbiased estimate of the clean
    one). Where an estimated P falls below ε (or above 1 − ε) that coefficient leaves [0, 1] and the
    loss has no minimiser in that pair; we clip it to [0, 1] (our simplification, a no-op in the
    population).
    """
    if game.beta <= 0:
        raise NotApplicableError("robust DPO needs beta > 0 (its loss is σ(β · log-ratio differences))")
    l2 = check_positive("l2", l2, allow_zero=True)
    Pc = debiased_preferences(game, flip)
    h = _bt_fit(Pc, pair_weights(game, pairs), game.mask, game.beta, l2)
    return np.exp(log_softmax(game.log_reference + h))


@register_method("robust-dpo", families=("preference",))
def solve_robust_dpo(game: PreferenceGame, *, flip: float = 0.1, pairs: str = "auto",
                     l2: float = 0.0) -> list[Solution]:
    """The population optimum of robust DPO (Chowdhury, Kini & Natarajan, "Provably Robust DPO:
    Aligning Language Models with Noisy Feedback", ICML 2024).

    1. Debias each pair's preference: c(y, y') = (P(y ≻ y') − ε)/(1 − 2ε), ε = ``flip``.
    2. Minimise −Σ W(y, y') c(y, y') log σ(β h(y) − β h(y')) over h (Newton's method, as for ``dpo``).
    3. Return π ∝ π_ref exp(h).

    With ε = 0 it is ``dpo``. The paper trains a network by SGD on sampled pairs; this is its
    population minimiser (clipping c to [0, 1] where an estimated P makes it leave that range).
    """
    check_choice("pairs", pairs, PAIRS)
    l2 = check_positive("l2", l2, allow_zero=True)
    flip = check_real("flip", flip, minimum=0.0, maximum=0.5)
    if flip >= 0.5:
        raise InvalidParameterError("flip must be below 1/2")
    return _solution(game, robust_dpo_policy(game, flip, pairs=pairs, l2=l2), "robust-dpo", flip=flip)


# ---------------------------------------------------------------------------------------------
# Best-of-N against the KL-constrained optimum
# ---------------------------------------------------------------------------------------------


def _arrays(reference: Any, reward: Any) -> tuple[np.ndarray, np.ndarray]:
    ref = np.atleast_2d(np.asarray(reference, dtype=float))
    r = np.atleast_2d(np.asarray(reward, dtype=float))
    if ref.shape != r.shape:
        raise InvalidParameterError(f"reference {ref.shape} and reward {r.shape} must have the same shape")
    if np.any(ref < 0) or not np.allclose(ref.sum(axis=1), 1.0, atol=1e-9):
        raise InvalidParameterError("the reference policy must have rows that are distributions")
    if not np.all(np.isfinite(r[ref > 0])):
        raise InvalidParameterError("rewards must be finite where the reference policy has mass")
    return ref, r


def best_of_n_law(reference: Any, reward: Any, n: int) -> np.ndarray:
    """Law of the highest-reward of n draws from π_ref (ties broken by index): F(y)^n − F(y⁻)^n."""
    ref, r = _arrays(reference, reward)
    n = check_int("n", n, minimum=1, maximum=10**12)
    X, K = r.shape
    order = np.lexsort((np.broadcast_to(np.arange(K), (X, K)), np.where(ref > 0, r, -np.inf)), axis=1)
    cdf = np.minimum(np.cumsum(np.take_along_axis(ref, order, axis=1), axis=1), 1.0)
    prev = np.concatenate([np.zeros((X, 1)), cdf[:, :-1]], axis=1)
    out = np.zeros((X, K))
    np.put_along_axis(out, order, cdf**n - prev**n, axis=1)
    return out


def tilted_policy(reference: Any, reward: Any, beta: float) -> np.ndarray:
    """π_β ∝ π_ref exp(r/β): the optimum of E_π r − β KL(π‖π_ref) (Ziegler et al. 2019)."""
    ref, r = _arrays(reference, reward)
    beta = check_positive("beta", beta)
    with np.errstate(divide="ignore"):
        z = np.where(ref > 0, np.log(np.where(ref > 0, ref, 1.0)) + r / beta, -np.inf)
    return np.exp(log_softmax(z))


def kl_matched_tilt(reference: Any, reward: Any, kl: float, weights: Any = None,
                    tol: float = 1e-12) -> tuple[np.ndarray, float]:
    """The KL-constrained optimum with E_x KL(π‖π_ref) = ``kl``: (π_β, β), β found by bisection on log β.

    KL(π_β‖π_ref) decreases in β (from the KL of the greedy policy at β → 0 to 0 at β → ∞); a target
    at or above the greedy policy's KL gets the smallest β tried (the policy is then greedy).
    """
    ref, r = _arrays(reference, reward)
    kl = check_real("kl", kl, minimum=0.0)
    w = np.full(len(ref), 1.0 / len(ref)) if weights is None else np.asarray(weights, dtype=float)

    def kl_of(log_beta: float) -> float:
        return float(w @ kl_rows(tilted_policy(ref, r, float(np.exp(log_beta))), ref))

    span = float(np.ptp(r[ref > 0])) or 1.0
    lo, hi = np.log(span) - 40.0, np.log(span) + 40.0  # KL(lo) ≈ greedy, KL(hi) ≈ 0
    if kl <= 0:
        return ref.copy(), float("inf")
    if kl >= kl_of(lo):
        return tilted_policy(ref, r, float(np.exp(lo))), float(np.exp(lo))
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if kl_of(mid) > kl:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    beta = float(np.exp(0.5 * (lo + hi)))
    return tilted_policy(ref, r, beta), beta


def best_of_n_kl_bound(n: int) -> float:
    """log N − (N − 1)/N: the KL of best-of-N from π_ref for continuous rewards, and its upper bound
    otherwise (Beirami et al., "Theoretical guarantees on the best-of-n alignment policy", 2024)."""
    n = check_int("n", n, minimum=1)
    return float(np.log(n) - (n - 1) / n)


def alignment_frontier(reference: Any, reward: Any, ns: Any, weights: Any = None) -> dict[str, np.ndarray]:
    """For each N: best-of-N's KL and expected reward, and the KL-constrained optimum's expected reward
    (and β) at the same KL. Yang et al. (ISIT 2024) show the two coincide asymptotically; the
    KL-constrained policy is optimal at every KL, so ``ratio`` = gain(BoN)/gain(tilt) ≤ 1 (gains over
    E_{π_ref} r)."""
    ref, r = _arrays(reference, reward)
    w = np.full(len(ref), 1.0 / len(ref)) if weights is None else np.asarray(weights, dtype=float)
    base = float(w @ np.sum(np.where(ref > 0, ref * r, 0.0), axis=1))
    rows: dict[str, list[float]] = {k: [] for k in ("n", "kl", "kl_bound", "reward_bon", "reward_tilt",
                                                    "beta", "ratio")}
    for n in ns:
        bon = best_of_n_law(ref, r, int(n))
        kl = float(w @ kl_rows(bon, ref))
        tilt, beta = kl_matched_tilt(ref, r, kl, w)
        rb = float(w @ np.sum(np.where(ref > 0, bon * r, 0.0), axis=1))
        rt = float(w @ np.sum(np.where(ref > 0, tilt * r, 0.0), axis=1))
        for key, val in (("n", n), ("kl", kl), ("kl_bound", best_of_n_kl_bound(int(n))), ("reward_bon", rb),
                         ("reward_tilt", rt), ("beta", beta),
                         ("ratio", (rb - base) / (rt - base) if rt > base else 1.0)):
            rows[key].append(float(val))
    return {k: np.array(v) for k, v in rows.items()}


__all__ = [
    "alignment_frontier", "best_of_n_kl_bound", "best_of_n_law", "debiased_preferences", "kl_matched_tilt",
    "robust_dpo_policy", "solve_robust_dpo", "tilted_policy",
]



# ---------------------------------------------------------------------------------------------
# Constrained RLHF over composite rewards
# ---------------------------------------------------------------------------------------------


def constrained_rlhf(reference: Any, rewards: Any, thresholds: Any, *, beta: float = 0.1,
                     equality: bool = False, weights: Any = None, tol: float = 1e-10) -> dict[str, Any]:
    """KL-regularised RLHF over component rewards r_1..r_m, each held at its proxy point θ_i, by the
    Lagrangian (Moskovitz et al., "Confronting Reward Model Overoptimization with Constrained RLHF",
    ICLR 2024). Our reading of the paper from its abstract and public summaries: the full text was
    not reached.

    ``equality=False`` (μ-PPO as we read it): maximise E_π Σ_i r_i − β KL(π‖π_ref) subject to
    E_π r_i ≤ θ_i, the proxy point of component i. The policy for multipliers μ ≥ 0 is
    π_μ ∝ π_ref exp(Σ_i (1 − μ_i) r_i / β), and μ — the dynamic weights of the component rewards —
    minimises the convex dual

        g(μ) = β E_x log Σ_y π_ref(y|x) exp(Σ_i (1 − μ_i) r_i(x, y)/β) + Σ_i μ_i θ_i,  ∇g = θ − E_{π_μ} r.

    ``equality=True`` (ξ-PPO as we read it): minimise β KL(π‖π_ref) subject to E_π r_i = θ_i; then
    π_λ ∝ π_ref exp(Σ_i λ_i r_i / β) with λ free, minimising β E_x log Σ_y π_ref exp(λ·r/β) − λ·θ.

    The paper runs gradient ascent-descent with PPO; we minimise the dual exactly (L-BFGS-B, μ ≥ 0 for
    the inequality form), so complementary slackness holds at the returned point.

    ``rewards`` is (m, X, K) (or (m, K) for one context), ``thresholds`` (m,). Returns a dict with
    ``policy`` (X, K), ``multipliers`` (m,), ``values`` (E_π r_i), ``kl`` and ``converged``.
    """
    from scipy.optimize import minimize

    ref = np.atleast_2d(np.asarray(reference, dtype=float))
    R = np.asarray(rewards, dtype=float)
    if R.ndim == 2:
        R = R[:, None, :]
    if R.ndim != 3 or R.shape[1:] != ref.shape:
        raise InvalidParameterError(f"rewards must have shape (m, {ref.shape[0]}, {ref.shape[1]})")
    _arrays(ref, R[0])
    if not np.all(np.isfinite(R)):
        raise InvalidParameterError("rewards must be finite")
    m = R.shape[0]
    theta = np.asarray(thresholds, dtype=float).reshape(-1)
    if theta.shape != (m,) or not np.all(np.isfinite(theta)):
        raise InvalidParameterError(f"need {m} finite thresholds, one per component reward")
    beta = check_positive("beta", beta)
    w = np.full(len(ref), 1.0 / len(ref)) if weights is None else np.asarray(weights, dtype=float)
    with np.errstate(divide="ignore"):
        log_ref = np.where(ref > 0, np.log(np.where(ref > 0, ref, 1.0)), -np.inf)

    def coef(mu: np.ndarray) -> np.ndarray:
        return mu if equality else 1.0 - mu

    def policy(mu: np.ndarray) -> np.ndarray:
        return np.exp(log_softmax(log_ref + np.einsum("i,ixk->xk", coef(mu), R) / beta))

    def fun(mu: np.ndarray) -> tuple[float, np.ndarray]:
        # inequality: g(μ) = β E log Σ π_ref exp((1−μ)·r/β) + μ·θ, ∇ = θ − E_π r
        # equality (μ = λ/β free): h(λ) = β E log Σ π_ref exp(λ·r/β) − λ·θ, ∇ = E_π r − θ
        z = log_ref + np.einsum("i,ixk->xk", coef(mu), R) / beta
        top = z.max(axis=1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
        pi = np.exp(z - lse[:, None])
        values = np.einsum("x,ixk,xk->i", w, R, pi)
        if equality:
            return float(beta * (w @ lse) - mu @ theta), values - theta
        return float(beta * (w @ lse) + mu @ theta), theta - values

    bounds = None if equality else [(0.0, None)] * m
    res = minimize(fun, np.zeros(m), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 10_000, "gtol": tol, "ftol": 1e-15})
    mu = res.x
    pi = policy(mu)
    values = np.einsum("x,ixk,xk->i", w, R, pi)
    viol = np.abs(values - theta) if equality else np.maximum(values - theta, 0.0)
    kl = float(w @ kl_rows(pi, ref))
    return {"policy": pi, "multipliers": mu, "values": values, "kl": kl,
            "converged": bool(np.max(viol) <= 1e-6 * max(1.0, float(np.max(np.abs(R)))))}


# ---------------------------------------------------------------------------------------------
# Correlated proxies: χ² occupancy regularisation against action KL on a small MDP
# ---------------------------------------------------------------------------------------------


def _mdp(transitions: Any, initial: Any, discount: float) -> tuple[np.ndarray, np.ndarray, float]:
    T = np.asarray(transitions, dtype=float)
    if T.ndim != 3 or T.shape[0] != T.shape[2] or np.any(T < 0) or not np.allclose(T.sum(axis=2), 1.0):
        raise InvalidParameterError(
            "transitions must be an (S, A, S) array of distributions over next states")
    rho = np.asarray(initial, dtype=float).reshape(-1)
    if rho.shape != (T.shape[0],) or np.any(rho < 0) or not np.isclose(rho.sum(), 1.0):
        raise InvalidParameterError(f"the initial distribution must be {T.shape[0]} probabilities")
    gamma = check_real("discount", discount, minimum=0.0, maximum=1.0)
    if gamma >= 1.0:
        raise InvalidParameterError("discount must be below 1 (occupancy measures are normalised by 1 − γ)")
    return T, rho, gamma


def occupancy_measure(transitions: Any, initial: Any, discount: float, policy: Any) -> np.ndarray:
    """μ_π(s, a) = (1 − γ) Σ_t γ^t P(s_t = s, a_t = a): the normalised discounted occupancy (S, A)."""
    T, rho, gamma = _mdp(transitions, initial, discount)
    pi = np.asarray(policy, dtype=float)
    S = T.shape[0]
    P = np.einsum("sa,sat->st", pi, T)
    d = np.linalg.solve(np.eye(S) - gamma * P.T, (1 - gamma) * rho)
    return d[:, None] * pi


def chi2_divergence(mu: Any, base: Any) -> float:
    """χ²(μ‖μ_b) = Σ μ²/μ_b − 1 (infinite where μ has mass outside μ_b's support)."""
    mu, base = np.asarray(mu, dtype=float), np.asarray(base, dtype=float)
    if np.any((mu > 1e-15) & (base <= 0)):
        return float("inf")
    return max(float(np.sum(np.where(base > 0, mu**2 / np.where(base > 0, base, 1.0), 0.0))) - 1.0, 0.0)


def correlated_proxy_bound(true_reward: Any, proxy_reward: Any, base_occupancy: Any,
                           occupancy: Any) -> dict[str, float]:
    """Laidlaw, Singhal & Dragan, "Correlated Proxies: A New Definition and Improved Mitigation for Reward
    Hacking" (arXiv:2403.03185, 2024; ICLR 2025): with r the correlation of R and R̃ under the base
    occupancy μ_b and σ, σ̃ their standard deviations there, every policy satisfies

        J(π, R) − J(π_b, R) ≥ (r σ/σ̃) (J(π, R̃) − J(π_b, R̃)) − σ √(1 − r²) √χ²(μ_π‖μ_b)

    (J = E_μ R with normalised occupancies; by Cauchy-Schwarz on the part of R uncorrelated with R̃).
    Returns the correlation, both sides of the bound and the χ² divergence."""
    R, Rp = np.asarray(true_reward, dtype=float), np.asarray(proxy_reward, dtype=float)
    mb, mu = np.asarray(base_occupancy, dtype=float), np.asarray(occupancy, dtype=float)
    m, mp = float(np.sum(mb * R)), float(np.sum(mb * Rp))
    sd = float(np.sqrt(np.sum(mb * (R - m) ** 2)))
    sdp = float(np.sqrt(np.sum(mb * (Rp - mp) ** 2)))
    if sd == 0 or sdp == 0:
        raise InvalidParameterError("the rewards must vary under the base occupancy")
    r = float(np.sum(mb * (R - m) * (Rp - mp))) / (sd * sdp)
    chi2 = chi2_divergence(mu, mb)
    gain = float(np.sum(mu * R)) - m
    bound = r * sd / sdp * (float(np.sum(mu * Rp)) - mp) - sd * np.sqrt(max(1 - r * r, 0.0)) * np.sqrt(chi2)
    return {"correlation": r, "true_gain": gain, "lower_bound": float(bound), "chi2": chi2}


def _flow_matrix(T: np.ndarray, gamma: float) -> np.ndarray:
    """A with A μ = (1 − γ) ρ: Σ_a μ(s', a) − γ Σ_{s,a} T(s'|s, a) μ(s, a), one row per state s'."""
    S, A_, _ = T.shape
    eye = np.repeat(np.eye(S), A_, axis=1)  # (S, S·A): Σ_a μ(s', a)
    return eye - gamma * T.reshape(S * A_, S).T


def _chi2_qp(Aeq: np.ndarray, b: np.ndarray, mb: np.ndarray, c: np.ndarray, kappa: float) -> np.ndarray:
    """max ⟨μ, c⟩ − (κ/2) Σ (μ − μ_b)²/μ_b s.t. A μ = b, μ ≥ 0, through its dual: for multipliers ν the
    inner maximum is μ_j(ν) = μ_b,j max(0, 1 + (c − Aᵀν)_j/κ) and the dual g(ν) is convex and piecewise
    quadratic with ∇g = b − A μ(ν); regularised semi-smooth Newton with backtracking drives ∇g to zero."""
    pos = mb > 0

    def inner(nu: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        z = c - Aeq.T @ nu
        mu = np.where(pos, mb * np.maximum(0.0, 1.0 + z / kappa), 0.0)
        safe = np.where(pos, mb, 1.0)
        val = float(mu @ z - 0.5 * kappa * np.sum(np.where(pos, (mu - mb) ** 2 / safe, 0.0)) + nu @ b)
        return val, mu, b - Aeq @ mu

    nu = np.zeros(Aeq.shape[0])
    g, mu, grad = inner(nu)
    scale = 1.0 + float(np.max(np.abs(c))) / kappa
    for _ in range(500):
        if np.max(np.abs(grad)) <= 1e-14 * scale:
            return mu
        active = (mu > 0).astype(float)
        H = (Aeq * (mb * active / kappa)) @ Aeq.T
        # regularised (Levenberg) so that a state with no active action still gets a finite step
        H += (float(np.max(np.abs(grad))) + 1e-14 * max(1.0, float(np.trace(H)))) * np.eye(len(nu))
        step = np.linalg.solve(H, -grad)
        t = 1.0
        while True:
            g_new, mu_new, grad_new = inner(nu + t * step)
            if g_new <= g + 1e-4 * t * (grad @ step) or t < 1e-20:
                break
            t *= 0.5
        if g_new > g - 1e-16 * abs(g) and np.max(np.abs(grad_new)) >= np.max(np.abs(grad)):
            break
        nu, g, mu, grad = nu + t * step, g_new, mu_new, grad_new
    if np.max(np.abs(grad)) <= 1e-9 * scale:
        return mu
    raise SolverError(f"the χ² occupancy problem did not converge (flow residual {np.max(np.abs(grad)):.1e})")


def chi2_occupancy_policy(transitions: Any, initial: Any, discount: float, proxy_reward: Any,
                          base_policy: Any, strength: float) -> dict[str, Any]:
    """The occupancy-regularised optimum of Laidlaw et al. (2024):

        max_π J(π, R̃) − λ √χ²(μ_π‖μ_b),   λ = ``strength``,

    a convex problem over occupancy measures (the Bellman-flow polytope). Its solution lies on the path
    of the quadratic problems max ⟨μ, R̃⟩ − (κ/2) χ²(μ‖μ_b) (each solved through its dual by
    semi-smooth Newton); κ is found by golden-section search on log κ in [log λ√(min μ_b) − 1,
    log λ + 25]. (The paper trains a discriminator and PPO on large tasks; this is the exact
    tabular optimum.) Returns ``policy`` (S, A), ``occupancy``,
    ``chi2`` and ``kappa``. With λ = σ̃ √(1 − r²)/r the objective is `correlated_proxy_bound`'s lower
    bound of the true gain, up to the factor rσ/σ̃ (their recommended regularisation)."""
    T, rho, gamma = _mdp(transitions, initial, discount)
    S, A_, _ = T.shape
    Rp = np.asarray(proxy_reward, dtype=float).reshape(S * A_)
    lam = check_positive("strength", strength)
    mb = occupancy_measure(T, rho, gamma, base_policy).reshape(-1)
    Aeq, b = _flow_matrix(T, gamma), (1 - gamma) * rho

    def solve(logk: float) -> tuple[float, np.ndarray]:
        mu = _chi2_qp(Aeq, b, mb, Rp, float(np.exp(logk)))
        return float(Rp @ mu) - lam * np.sqrt(chi2_divergence(mu, mb)), mu

    # at the optimum κ = λ/√χ²(μ_π‖μ_b) (stationarity), and χ² ≤ 1/min μ_b: κ ≥ λ √(min μ_b)
    lo, hi = np.log(lam) + 0.5 * np.log(mb[mb > 0].min()) - 1.0, np.log(lam) + 25.0
    g = (np.sqrt(5) - 1) / 2
    a, bnd = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = solve(a)[0], solve(bnd)[0]
    for _ in range(120):
        if fa > fb:
            hi, bnd, fb = bnd, a, fa
            a = hi - g * (hi - lo)
            fa = solve(a)[0]
        else:
            lo, a, fa = a, bnd, fb
            bnd = lo + g * (hi - lo)
            fb = solve(bnd)[0]
        if hi - lo < 1e-9:
            break
    logk = 0.5 * (lo + hi)
    _, mu = solve(logk)
    occ = mu.reshape(S, A_)
    state = occ.sum(axis=1, keepdims=True)
    base_pi = np.asarray(base_policy, dtype=float)
    policy = np.where(state > 1e-15, occ / np.where(state > 1e-15, state, 1.0), base_pi)
    return {"policy": policy, "occupancy": occ, "chi2": chi2_divergence(mu, mb), "kappa": float(np.exp(logk))}


def kl_regularised_mdp_policy(transitions: Any, initial: Any, discount: float, proxy_reward: Any,
                              base_policy: Any, strength: float, *, tol: float = 1e-12,
                              max_iter: int = 100_000) -> np.ndarray:
    """The action-distribution KL baseline: max_π E Σ_t γ^t [R̃(s_t, a_t) − λ KL(π(·|s_t)‖π_b(·|s_t))],
    by soft value iteration Q = R̃ + γ T V, V(s) = λ log Σ_a π_b(a|s) exp(Q(s, a)/λ), π ∝ π_b exp(Q/λ)."""
    T, rho, gamma = _mdp(transitions, initial, discount)
    lam = check_positive("strength", strength)
    Rp = np.asarray(proxy_reward, dtype=float)
    with np.errstate(divide="ignore"):
        log_b = np.log(np.asarray(base_policy, dtype=float))
    V = np.zeros(T.shape[0])
    for _ in range(check_int("max_iter", max_iter, minimum=1)):
        Q = Rp + gamma * T @ V
        z = log_b + Q / lam
        top = z.max(axis=1)
        V_new = lam * (top + np.log(np.exp(z - top[:, None]).sum(axis=1)))
        # the log-sum-exp carries an absolute error of about eps·λ·|z|: no tolerance below that floor
        zmax = float(np.max(np.abs(np.where(np.isfinite(z), z, 0.0))))
        floor = 64 * np.finfo(float).eps * lam * (1.0 + zmax)
        if np.max(np.abs(V_new - V)) <= max(tol * (1.0 + np.max(np.abs(V_new))), floor):
            V = V_new
            break
        V = V_new
    Q = Rp + gamma * T @ V
    return np.exp(log_softmax(log_b + Q / lam))
