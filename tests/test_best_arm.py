"""Best-arm identification: known optimal proportions, error bounds, δ-correctness, DP-BAI."""

from __future__ import annotations

import math

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.dynamics.bandit import kl_bernoulli
from equilibria.dynamics.best_arm import (
    characteristic_time,
    optimal_weights,
    run_best_arm,
    sequential_halving_bound,
    successive_rejects_bound,
)
from equilibria.errors import InvalidParameterError, NotApplicableError


@pytest.mark.parametrize(
    ("mu", "w_star"),
    [
        # Garivier & Kaufmann (COLT 2016), Table 1: the optimal proportions of their two experiments
        ([0.5, 0.45, 0.43, 0.4], [0.417, 0.390, 0.136, 0.057]),
        ([0.3, 0.21, 0.2, 0.19, 0.18], [0.336, 0.251, 0.177, 0.132, 0.104]),
    ],
)
def test_optimal_weights_match_garivier_kaufmann_table_1(mu: list[float], w_star: list[float]) -> None:
    w, inv = optimal_weights(np.array([mu]), kl_bernoulli)
    assert np.allclose(w[0], w_star, atol=6e-4)
    assert w[0].sum() == pytest.approx(1.0, abs=1e-12)
    assert inv[0] > 0


def test_fixed_budget_error_below_published_bounds() -> None:
    g = eq.load_game("bandit:bernoulli(means=[0.8, 0.5, 0.4, 0.3])")
    T = 800
    sr = run_best_arm(g, "successive-rejects", replications=2000, seed=0, budget=T)
    sh = run_best_arm(g, "sequential-halving", replications=2000, seed=0, budget=T)
    assert sr["samples_mean"] <= T and sh["samples_mean"] <= T
    # Audibert & Bubeck (2010), Thm 2; Karnin et al. (2013), Thm 4.1 (both bounds are below 1 here)
    assert sr["error_probability"] <= successive_rejects_bound(g, T)
    assert sh["error_probability"] <= sequential_halving_bound(g, T)
    assert successive_rejects_bound(g, T) < 1 and sequential_halving_bound(g, T) < 1


def test_dp_bai_epsilon_inf_is_sequential_halving_and_privacy_costs_accuracy() -> None:
    g = eq.load_game("bandit:bernoulli(means=[0.7, 0.5, 0.45, 0.4])")
    T = 600
    sh = eq.make_learner(g, "sequential-halving", seed=3, replications=500, budget=T)
    dp = eq.make_learner(g, "dp-bai", seed=3, replications=500, budget=T, epsilon=math.inf)
    while not (sh.converged() and dp.converged()):
        sh.step()
        dp.step()
    assert np.array_equal(sh.recommendation, dp.recommendation)
    # stronger privacy, more Laplace noise (scale 1/(ε T_r)): the error grows as ε shrinks
    errs = [run_best_arm(g, "dp-bai", replications=2000, seed=1, budget=T, epsilon=e)["error_probability"]
            for e in (math.inf, 0.3, 0.05)]
    assert errs[0] < errs[1] < errs[2]


def test_dp_bai_laplace_scale() -> None:
    """Two identical arms of mean 1/2 and budget 4 (one phase, 2 pulls each): the private estimates
    differ by the Bernoulli sums' difference plus Laplace(1/(2ε)) noise on each; the variance of the
    difference is 2 · (1/4)/2 + 2 · 2 (1/(2ε))² (Bernoulli part + Laplace part)."""
    g = eq.load_game("bandit:bernoulli(means=[0.5, 0.5])")
    eps = 0.5
    learner = eq.make_learner(g, "dp-bai", seed=0, replications=200_000, budget=4, epsilon=eps)
    draws = learner._noise(2, (200_000, 2))
    diff = draws[:, 0] - draws[:, 1]
    assert diff.var() == pytest.approx(2 * 2 * (1 / (2 * eps)) ** 2, rel=0.03)


@pytest.mark.parametrize("epsilon", [0, -1.0, float("nan"), "abc"])
def test_dp_bai_bad_epsilon(epsilon: object) -> None:
    g = eq.load_game("bandit:bernoulli(means=[0.5, 0.6])")
    with pytest.raises(InvalidParameterError):
        eq.make_learner(g, "dp-bai", epsilon=epsilon)


@pytest.mark.parametrize("method", ["successive-rejects", "sequential-halving", "dp-bai"])
@pytest.mark.parametrize("budget", [0, -5])
def test_non_positive_budget(method: str, budget: int) -> None:
    g = eq.load_game("bandit:bernoulli(means=[0.5, 0.6])")
    with pytest.raises(InvalidParameterError, match="budget"):
        eq.make_learner(g, method, budget=budget)


def test_cli_bad_epsilon_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["solve", "bandit:bernoulli(means=[0.5,0.6])", "--method", "dp-bai", "-o", "epsilon=0"])
    assert code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_fixed_confidence_delta_correct() -> None:
    """LUCB1 (Kalyanakrishnan et al. 2012, Thm 1) and Track-and-Stop (Garivier & Kaufmann 2016,
    Prop. 12) are δ-correct; Track-and-Stop's sample complexity is at least T*(μ) kl(δ, 1 − δ) (their
    Theorem 1, for every δ-correct policy) and close to T*(μ) β(τ, δ) (the threshold it stops at)."""
    g = eq.load_game("bandit:bernoulli(means=[0.8, 0.5, 0.3])")
    delta = 0.1
    lucb = run_best_arm(g, "lucb", replications=100, seed=0, delta=delta)
    assert lucb["stopped"] == 1.0 and lucb["error_probability"] <= delta
    tas = run_best_arm(g, "track-and-stop", replications=100, seed=0, delta=delta)
    assert tas["stopped"] == 1.0 and tas["error_probability"] <= delta
    tstar = characteristic_time(g)
    kl = delta * math.log(delta / (1 - delta)) + (1 - delta) * math.log((1 - delta) / delta)
    tau = tas["samples_mean"]
    assert tau >= tstar * kl
    beta = math.log(2 * tau * 2 / delta)
    assert tau <= 2.0 * tstar * beta
    # the tracking rule needs far fewer samples than LUCB's uniform confidence bounds
    assert tau < lucb["samples_mean"]


def test_info_reports_error_with_interval() -> None:
    sol = eq.solve("bandit:bernoulli(means=[0.3, 0.6])", "sequential-halving", iterations=10, seed=0,
                   budget=40)[0]
    info = sol.info
    lo, hi = info["error_ci95"]
    assert 0 <= lo <= info["error_probability"] <= hi <= 1
    # NashConv of the recommendation distribution is the expected simple regret
    assert sol.nash_conv == pytest.approx(0.3 * info["error_probability"], abs=1e-12)


def test_adversarial_and_gaussian_refusals() -> None:
    with pytest.raises(NotApplicableError):
        eq.make_learner(eq.load_game("bandit:adversarial(horizon=10)"), "lucb")
    with pytest.raises(NotApplicableError):
        eq.make_learner(eq.load_game("bandit:gaussian(means=[0, 1])"), "dp-bai")


def test_cli_dp_bai_epsilon_inf(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["solve", "bandit:bernoulli(means=[0.5,0.7])", "--method", "dp-bai", "-o", "epsilon=inf",
            "-o", "budget=200", "--seed", "0", "--json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert '"error_probability"' in out and '"error_ci95"' in out
