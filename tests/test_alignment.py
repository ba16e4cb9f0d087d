"""Alignment methods beside Nash learning: robust DPO and best-of-N against the KL-constrained optimum.

Known properties checked:
- Chowdhury, Kini & Natarajan (ICML 2024): the rDPO loss is unbiased for the clean DPO loss, so its
  population optimum on ε-flipped preferences is the clean DPO optimum;
- best-of-N's law F^N − F⁻^N and KL log N − (N − 1)/N for continuous rewards (Beirami et al. 2024);
- the tilted policy is optimal at every KL, so best-of-N's reward gain at equal KL is at most its
  gain and approaches it as N grows (Yang et al., ISIT 2024); r ~ N(0, 1) tilted by exp(r/β) is
  N(1/β, 1) with KL 1/(2β²).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import norm

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.preference import kl_rows
from equilibria.solvers.alignment import (
    alignment_frontier,
    best_of_n_kl_bound,
    best_of_n_law,
    chi2_divergence,
    chi2_occupancy_policy,
    constrained_rlhf,
    correlated_proxy_bound,
    kl_matched_tilt,
    kl_regularised_mdp_policy,
    occupancy_measure,
    robust_dpo_policy,
    tilted_policy,
)
from equilibria.solvers.preference import best_of_n_policy, dpo_policy

NOISY = "preference:noisy(k=5, contexts=3, beta=0.3, flip={flip}, seed=2)"


@pytest.mark.parametrize("flip", [0.1, 0.25, 0.45])
def test_robust_dpo_recovers_clean_dpo(flip: float) -> None:
    clean = dpo_policy(eq.load_game(NOISY.format(flip=0.0)))
    noisy = eq.load_game(NOISY.format(flip=flip))
    robust = robust_dpo_policy(noisy, flip)
    np.testing.assert_allclose(np.log(robust), np.log(clean), rtol=0, atol=1e-9)
    # plain DPO on flipped labels is pulled towards the reference policy
    plain = dpo_policy(noisy)
    assert noisy.kl_to_reference(plain) < noisy.kl_to_reference(clean) - 1e-3


def test_robust_dpo_without_flips_is_dpo() -> None:
    game = eq.load_game(NOISY.format(flip=0.0))
    [sol] = eq.solve(game, "robust-dpo", flip=0.0)
    np.testing.assert_allclose(sol.strategies, dpo_policy(game), rtol=0, atol=1e-12)


def test_robust_dpo_bad_options() -> None:
    game = eq.load_game(NOISY.format(flip=0.1))
    with pytest.raises(InvalidParameterError):
        eq.solve(game, "robust-dpo", flip=0.5)
    with pytest.raises(InvalidParameterError):
        eq.solve(game, "robust-dpo", flip=-0.1)
    with pytest.raises(NotApplicableError):
        eq.solve(eq.load_game("preference:noisy(beta=0)"), "robust-dpo")


def test_robust_dpo_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["solve", "preference:noisy(flip=0.2)", "--method", "robust-dpo", "-o", "flip=0.2", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["method"] == "robust-dpo"
    assert main(["solve", "preference:noisy(flip=0.2)", "--method", "robust-dpo", "-o", "flip=0.7"]) == 2


def test_best_of_n_law_closed_form_and_library_peer() -> None:
    K, n = 7, 5
    rng = np.random.default_rng(0)
    r = rng.permutation(K).astype(float)
    law = best_of_n_law(np.full(K, 1 / K), r, n)[0]
    rank = r.astype(int) + 1  # ascending rank of each response
    np.testing.assert_allclose(law, (rank / K) ** n - ((rank - 1) / K) ** n, rtol=1e-12)
    game = eq.load_game("preference:transitive(k=6, contexts=2, ref=random, seed=3)")
    reward = rng.standard_normal((2, 6))
    np.testing.assert_allclose(best_of_n_law(game.reference, reward, 4), best_of_n_policy(game, 4, reward),
                               rtol=1e-12, atol=1e-15)


def test_best_of_n_kl_formula_and_bound() -> None:
    K = 1 << 14
    r = norm.ppf((np.arange(K) + 0.5) / K)
    ref = np.full(K, 1 / K)
    for n in (2, 8, 32):
        kl = float(kl_rows(best_of_n_law(ref, r, n), ref[None])[0])
        assert kl == pytest.approx(best_of_n_kl_bound(n), abs=1e-4)
    # discrete rewards: at most the bound
    disc = np.repeat(np.arange(4.0), 3)
    ref12 = np.full(12, 1 / 12)
    for n in (2, 8, 32):
        assert float(kl_rows(best_of_n_law(ref12, disc, n), ref12[None])[0]) <= best_of_n_kl_bound(n) + 1e-12


def test_tilted_gaussian_closed_form() -> None:
    K = 1 << 14
    r = norm.ppf((np.arange(K) + 0.5) / K)
    ref = np.full(K, 1 / K)
    beta = 0.8
    pi = tilted_policy(ref, r, beta)[0]
    assert float(pi @ r) == pytest.approx(1 / beta, abs=5e-3)  # a 2^14-point quantile grid
    kl = float(kl_rows(pi[None], ref[None])[0])
    assert kl == pytest.approx(1 / (2 * beta**2), abs=1e-2)
    _, b = kl_matched_tilt(ref, r, kl)
    assert b == pytest.approx(beta, rel=1e-8)


def test_frontier_tilt_dominates_and_gap_closes() -> None:
    K = 4096
    r = norm.ppf((np.arange(K) + 0.5) / K)
    f = alignment_frontier(np.full(K, 1 / K), r, [2, 8, 32, 128])
    assert np.all(f["ratio"] <= 1 + 1e-9)
    assert np.all(np.diff(f["ratio"]) > 0)
    assert f["ratio"][-1] > 0.94


def _composite(seed: int = 0, K: int = 40, X: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref = rng.dirichlet(np.ones(K), size=X)
    R = rng.standard_normal((3, X, K))
    return ref, R


def test_constrained_rlhf_kkt() -> None:
    """Moskovitz et al. (ICLR 2024) as a KKT system: feasibility, μ ≥ 0, complementary slackness."""
    ref, R = _composite()
    free = np.einsum("ixk,xk->i", R, tilted_policy(ref, R.sum(axis=0), 0.5)) / 2
    theta = free - np.array([0.3, -5.0, 0.2])  # components 1 and 3 bind, component 2 is slack
    out = constrained_rlhf(ref, R, theta, beta=0.5)
    assert out["converged"]
    mu, v = out["multipliers"], out["values"]
    assert np.all(mu >= 0) and np.all(v <= theta + 1e-7)
    assert mu[1] == 0.0 and mu[0] > 0 and mu[2] > 0
    np.testing.assert_allclose(v[[0, 2]], theta[[0, 2]], atol=1e-7)
    # the policy is the tilt of the multiplier-weighted composite
    expect = tilted_policy(ref, np.einsum("i,ixk->xk", 1 - mu, R), 0.5)
    np.testing.assert_allclose(out["policy"], expect, rtol=1e-12, atol=1e-15)


def test_constrained_rlhf_slack_thresholds_give_plain_rlhf() -> None:
    ref, R = _composite(1)
    out = constrained_rlhf(ref, R, np.full(3, 1e3), beta=0.3)
    assert np.all(out["multipliers"] == 0)
    np.testing.assert_allclose(out["policy"], tilted_policy(ref, R.sum(axis=0), 0.3), rtol=1e-12)


def test_constrained_rlhf_equality_is_the_i_projection() -> None:
    """min KL(π‖π_ref) s.t. E_π r = θ: Pythagoras KL(q‖π_ref) = KL(q‖π*) + KL(π*‖π_ref) for feasible q."""
    ref, R = _composite(2, K=12, X=1)
    target = tilted_policy(ref, R[0] - R[1] + 0.5 * R[2], 1.0)
    theta = np.einsum("ixk,xk->i", R, target)
    out = constrained_rlhf(ref, R, theta, beta=1.0, equality=True, tol=1e-12)
    pi = out["policy"]
    np.testing.assert_allclose(out["values"], theta, atol=1e-7)
    # another feasible q: move π* along the null space of the constraints (and of the total mass)
    A = np.vstack([np.ones(12), R[:, 0, :]])
    d = np.linalg.svd(A)[2][-1]
    q = pi + 0.2 * np.min(pi) / np.max(np.abs(d)) * d[None]
    lhs = float(kl_rows(q, ref)[0])
    rhs = float(kl_rows(q, pi)[0] + kl_rows(pi, ref)[0])
    assert lhs == pytest.approx(rhs, abs=1e-7)
    assert float(kl_rows(q, ref)[0]) > float(kl_rows(pi, ref)[0])


def test_constrained_rlhf_bad_input() -> None:
    ref, R = _composite()
    with pytest.raises(InvalidParameterError):
        constrained_rlhf(ref, R, [0.0, 1.0], beta=0.5)
    with pytest.raises(InvalidParameterError):
        constrained_rlhf(ref, R[:, :1], [0.0, 0.0, 0.0])
    with pytest.raises(InvalidParameterError):
        constrained_rlhf(ref, R, [0.0, 0.0, 0.0], beta=-1.0)


def _corridor() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The corridor of examples/alignment_correlated_proxies.py: task at state 2, a hack at the far end."""
    S = 8
    T = np.zeros((S, 3, S))
    for s in range(S):
        for a, d in enumerate((-1, 0, 1)):
            T[s, a, min(max(s + d, 0), S - 1)] += 0.9
            T[s, a, s] += 0.1
    R = np.zeros((S, 3))
    R[2], R[3], R[S - 1] = 1.0, 0.5, -0.5
    Rp = R.copy()
    Rp[S - 1] = 2.0
    return T, np.eye(S)[0], R, Rp, np.tile([0.3, 0.4, 0.3], (S, 1))


def test_correlated_proxy_bound_holds_for_every_policy() -> None:
    """Laidlaw et al. (2024): true gain ≥ (rσ/σ̃) proxy gain − σ√(1 − r²)√χ²(μ_π‖μ_b), any π."""
    rng = np.random.default_rng(0)
    S, A = 5, 3
    T = rng.dirichlet(np.ones(S), size=(S, A))
    rho = rng.dirichlet(np.ones(S))
    R = rng.standard_normal((S, A))
    Rp = R + 0.7 * rng.standard_normal((S, A))
    mb = occupancy_measure(T, rho, 0.8, rng.dirichlet(np.ones(A), size=S))
    for _ in range(200):
        mu = occupancy_measure(T, rho, 0.8, rng.dirichlet(np.full(A, 0.3), size=S))
        info = correlated_proxy_bound(R, Rp, mb, mu)
        assert info["true_gain"] >= info["lower_bound"] - 1e-12


def test_chi2_occupancy_policy_is_optimal_and_consistent() -> None:
    T, rho, R, Rp, base = _corridor()
    gamma, lam = 0.9, 0.2
    out = chi2_occupancy_policy(T, rho, gamma, Rp, base, lam)
    mu = out["occupancy"]
    # the occupancy is the one its policy induces (a point of the Bellman-flow polytope)
    np.testing.assert_allclose(occupancy_measure(T, rho, gamma, out["policy"]), mu, atol=1e-10)
    mb = occupancy_measure(T, rho, gamma, base)

    def objective(m: np.ndarray) -> float:
        return float(np.sum(m * Rp)) - lam * np.sqrt(chi2_divergence(m, mb))

    best = objective(mu)
    rng = np.random.default_rng(1)
    others = [mb, occupancy_measure(T, rho, gamma, kl_regularised_mdp_policy(T, rho, gamma, Rp, base, lam))]
    others += [occupancy_measure(T, rho, gamma, rng.dirichlet(np.ones(3), size=8)) for _ in range(30)]
    # and small perturbations of the optimum's policy
    for _ in range(10):
        near = 0.97 * out["policy"] + 0.03 * rng.dirichlet(np.ones(3), size=8)
        others.append(occupancy_measure(T, rho, gamma, near))
    assert all(objective(m) <= best + 1e-9 for m in others)


def test_chi2_beats_kl_against_hacking_on_the_corridor() -> None:
    """At the bound-maximising λ = σ̃√(1−r²)/r the true gain is positive and at least the bound."""
    T, rho, R, Rp, base = _corridor()
    mb = occupancy_measure(T, rho, 0.9, base)
    r = correlated_proxy_bound(R, Rp, mb, mb)["correlation"]
    sdp = float(np.sqrt(np.sum(mb * (Rp - np.sum(mb * Rp)) ** 2)))
    out = chi2_occupancy_policy(T, rho, 0.9, Rp, base, sdp * np.sqrt(1 - r * r) / r)
    info = correlated_proxy_bound(R, Rp, mb, out["occupancy"])
    assert info["lower_bound"] > 0 and info["true_gain"] >= info["lower_bound"] - 1e-9


def test_kl_regularised_mdp_policy_limits() -> None:
    T, rho, R, Rp, base = _corridor()
    np.testing.assert_allclose(kl_regularised_mdp_policy(T, rho, 0.9, Rp, base, 1e6), base, atol=1e-5)
    # small λ: greedy for the proxy's optimal Q (value iteration), mass split over tied actions
    V = np.zeros(8)
    for _ in range(1000):
        V = (Rp + 0.9 * T @ V).max(axis=1)
    Q = Rp + 0.9 * T @ V
    pi = kl_regularised_mdp_policy(T, rho, 0.9, Rp, base, 2e-3)
    best = Q >= Q.max(axis=1, keepdims=True) - 1e-9
    assert np.all(np.where(best, pi, 0.0).sum(axis=1) > 0.99)
