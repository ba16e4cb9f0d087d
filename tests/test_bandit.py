"""Bandit family: games, exact pseudo-regret, the regret learners against their published bounds.

Every regret below is the exact pseudo-regret (from the known means), averaged over a seeded batch
of replications run as one vectorised learner (`equilibria.dynamics.bandit.simulate`).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.dynamics.bandit import (
    exp3_ix_regret_bound,
    exp3_regret_bound,
    lai_robbins_constant,
    oful_regret_bound,
    simulate,
    ucb1_regret_bound,
)
from equilibria.errors import InvalidGameError, InvalidParameterError, NotApplicableError
from equilibria.games.bandit import AdversarialBandit, BernoulliBandit, KnapsackBandit
from equilibria.metrics import best_response, nash_conv

GAME = "bandit:bernoulli(means=[0.3, 0.5, 0.7])"


# ---- games and the metric -----------------------------------------------------------------------


def test_nash_conv_is_per_round_pseudo_regret() -> None:
    g = eq.load_game("bandit:bernoulli(means=[0.5, 0.6, 0.7])")
    assert nash_conv(g, [1 / 3, 1 / 3, 1 / 3]) == pytest.approx(0.1, abs=1e-15)
    assert nash_conv(g, [0.0, 0.0, 1.0]) == 0.0
    assert nash_conv(g, [1.0, 0.0, 0.0]) == pytest.approx(0.2, abs=1e-15)
    assert best_response(g, [1, 0, 0], 0).tolist() == [0.0, 0.0, 1.0]


def test_adversarial_benchmark_is_best_fixed_arm_in_hindsight() -> None:
    # arm 0 pays in rounds 0-1, arm 1 in rounds 2-4: the best fixed arm is arm 1 (3 of 5)
    table = [[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]]
    g = AdversarialBandit(table)
    assert g.benchmark(2) == 2.0 and g.benchmark(5) == 3.0
    assert nash_conv(g, [1.0, 0.0]) == pytest.approx(0.2, abs=1e-15)  # (3 − 2) / 5


def test_knapsack_lp_benchmark_closed_form() -> None:
    # one resource, budget 250 over 1000 rounds (0.25 a round): arm 1 has the better reward per
    # unit of resource (0.5/0.4 > 0.8/0.9), so the LP plays it 0.25/0.4 = 62.5% of rounds:
    # OPT_LP/T = 0.3125 with price λ* = 0.5/0.4 (Badanidiyuru et al. 2013, the LP relaxation)
    g = KnapsackBandit([0.8, 0.5], [[0.9], [0.4]], 250, 1000)
    assert g.lp_value == pytest.approx(0.3125, abs=1e-9)
    assert g.lp_duals[0] == pytest.approx(1.25, abs=1e-9)
    assert nash_conv(g, g.lp_solution) == pytest.approx(0.0, abs=1e-9)
    # the null arm forgoes all reward and leaves the budget slack: gap = 0.3125 − 1.25 · 0.25
    assert nash_conv(g, [0, 0, 1]) == pytest.approx(0.3125 - 1.25 * 0.25, abs=1e-9)


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("bandit:bernoulli(means=[0.5, 1.5])", InvalidGameError),
        ("bandit:bernoulli(means=[-0.1])", InvalidGameError),
        ("bandit:bernoulli(means=[])", InvalidGameError),
        ("bandit:gaussian(means=[0, 1], sigma=0)", InvalidParameterError),
        ("bandit:knapsack(budget=0)", InvalidParameterError),
        ("bandit:knapsack(budget=-3)", InvalidParameterError),
        ("bandit:adversarial(table=[[0.5, 2.0]])", InvalidGameError),
    ],
)
def test_bad_games_are_refused(spec: str, error: type) -> None:
    with pytest.raises(error):
        eq.load_game(spec)


def test_cli_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for spec in ("bandit:bernoulli(means=[0.5, 1.5])", "bandit:bernoulli(means=[])"):
        assert main(["solve", spec, "--method", "ucb1", "--iterations", "10"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "mean" in err


def test_cli_ucb1_regret_within_finite_time_bound(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's acceptance command: UCB1's cumulative pseudo-regret at T = 10⁴ within
    Auer et al. (2002), Theorem 1."""
    spec = "bandit:bernoulli(means=[0.5,0.6,0.7])"
    code = main(["solve", spec, "--method", "ucb1", "--iterations", "10000", "--seed", "0", "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    curve = doc["info"]["cumulative_regret"]
    total = curve[-1]
    assert doc["info"]["regret_rounds"][-1] == 10000
    bound = ucb1_regret_bound(BernoulliBandit([0.5, 0.6, 0.7]), 10000)
    assert 0 < total <= bound
    # NashConv of the returned play frequency is the regret per round
    assert doc["nash_conv"] == pytest.approx(total / 10000, rel=1e-9)
    assert all(b >= a - 1e-9 for a, b in zip(curve, curve[1:], strict=False))  # stochastic: Δ ≥ 0


# ---- regret against the published bounds ---------------------------------------------------------


def test_ucb1_below_auer_bound() -> None:
    g = eq.load_game(GAME)
    run = simulate(g, "ucb1", seeds=200, horizon=2000, seed=0, points=4)
    assert run.mean[-1] <= ucb1_regret_bound(g, 2000)


def test_kl_ucb_and_thompson_near_lai_robbins() -> None:
    """KL-UCB (Garivier & Cappé 2011, Thm 2) and Thompson sampling (Agrawal & Goyal 2013, Thm 1):
    E[R_T] ≤ (1 + ε) Σ Δ/kl(μ_a, μ*) ln T + o(ln T); both beat UCB1's regret (the paper's point)."""
    g = eq.load_game(GAME)
    T = 1500
    lr = lai_robbins_constant(g) * math.log(T)
    ucb = simulate(g, "ucb1", seeds=60, horizon=T, seed=1, points=2).mean[-1]
    for method in ("kl-ucb", "thompson"):
        r = simulate(g, method, seeds=60, horizon=T, seed=1, points=2).mean[-1]
        assert r <= 1.5 * lr, (method, r, lr)
        assert r < ucb


def test_epsilon_greedy_logarithmic_regret() -> None:
    """Auer et al. (2002), Theorem 3: with ε_t = min(1, cK/(d²t)), P(pull j at t) ≤ c/(d²t) + o(1/t),
    so E[N_j(T)] ≤ (c/d²)(1 + ln(T/t₀)) (1 + o(1)), t₀ = cK/d² the end of pure exploration."""
    g = eq.load_game(GAME)
    T, c, d = 2000, 5.0, 0.2
    t0 = c * 3 / d**2
    per_arm = (c / d**2) * (1 + math.log(T / t0))
    bound = 1.25 * per_arm * float(g.gaps.sum())
    r = simulate(g, "epsilon-greedy", seeds=100, horizon=T, seed=2, points=2).mean[-1]
    assert r <= bound


def test_exp3_and_exp3_ix_on_adversarial_table() -> None:
    g = eq.load_game("bandit:adversarial(arms=3, horizon=1000, period=125)")
    T, K = 1000, 3
    run = simulate(g, "exp3", seeds=100, horizon=T, seed=3, points=2)
    assert run.mean[-1] <= exp3_regret_bound(K, T)
    # Neu (2015), Theorem 2: per seed, regret ≤ the bound with probability ≥ 1 − δ
    ix = simulate(g, "exp3-ix", seeds=100, horizon=T, seed=3, points=2)
    assert np.mean(ix.total > exp3_ix_regret_bound(K, T, 0.05, anytime=True)) <= 0.05
    # fixed horizon (Theorem 1): η = 2γ = sqrt(2 ln K/(KT))
    eta = math.sqrt(2 * math.log(K) / (K * T))
    fixed = simulate(g, "exp3-ix", seeds=100, horizon=T, seed=3, points=2, step_size=eta)
    assert np.mean(fixed.total > exp3_ix_regret_bound(K, T, 0.05)) <= 0.05


def test_linear_bandits_below_oful_bound_and_sublinear() -> None:
    """LinUCB and LinTS on a 5-dimensional linear bandit: below the explicit bound of
    Abbasi-Yadkori et al. (2011, Thm 3), and the regret per round falls (sublinear regret)."""
    g = eq.load_game("bandit:linear(arms=20, dim=5, sigma=0.1, seed=0)")
    T = 1000
    for method in ("lin-ucb", "lin-ts"):
        run = simulate(g, method, seeds=30, horizon=T, seed=4, points=4)
        assert run.mean[-1] <= oful_regret_bound(g, T)
        per_round = run.mean / run.rounds
        assert per_round[-1] < 0.9 * per_round[1], (method, per_round)


def test_lin_ucb_one_hot_features_on_k_armed_bandit() -> None:
    g = eq.load_game(GAME)
    r = simulate(g, "lin-ucb", seeds=50, horizon=1000, seed=5, points=2).mean[-1]
    assert r <= ucb1_regret_bound(g, 1000)


def test_bwk_never_overdraws_and_regret_below_bound() -> None:
    """PrimalDualBwK (Badanidiyuru, Kleinberg & Slivkins 2013): no budget is ever exceeded on any
    sample path, and OPT_LP − REW ≤ sqrt(ln(dKT)) (sqrt(K·OPT) + OPT sqrt(K/B)) (Thm 4.1, constant 1)."""
    T, B = 2000, 500.0
    g = eq.load_game(f"bandit:knapsack(horizon={T}, budget={B})")
    learner = eq.make_learner(g, "bwk-primal-dual", seed=0, replications=100)
    for _ in range(T):
        learner.step()
    assert np.all(learner.consumed <= g.budget)
    opt = g.lp_value * T
    regret = float(learner.regret().mean())
    K, d = g.num_arms, g.num_resources + 1
    assert regret <= math.sqrt(math.log(d * K * T)) * (math.sqrt(K * opt) + opt * math.sqrt(K / B))
    info = learner.solution_info(learner.average_strategy())
    assert info["max_budget_violation"] == 0.0


def test_batch_of_one_equals_the_single_run() -> None:
    g = eq.load_game(GAME)
    sols = eq.solve(g, "thompson", iterations=300, seed=7)
    run = simulate(g, "thompson", seeds=1, horizon=300, seed=7, points=300)
    assert np.allclose(run.mean, sols[0].info["cumulative_regret"], atol=1e-12)


def test_wrong_inputs() -> None:
    g = eq.load_game("bandit:gaussian(means=[0, 1], sigma=1)")
    with pytest.raises(NotApplicableError):
        eq.make_learner(g, "exp3")  # needs rewards in [0, 1]
    with pytest.raises(InvalidParameterError):
        eq.make_learner(eq.load_game(GAME), "ucb1", replications=0)
    with pytest.raises(InvalidParameterError):
        simulate(GAME, "ucb1", seeds=0, horizon=10)


def test_plots_regret_bands_and_error_probability(tmp_path) -> None:  # noqa: ANN001
    from equilibria.plotting_bandit import plot_bandit_solutions, plot_error_probability, plot_regret_curves

    g = eq.load_game(GAME)
    run = simulate(g, "ucb1", seeds=20, horizon=200, seed=0, points=20)
    sol = eq.solve(g, "thompson", iterations=200, seed=0, replications=20)[0]
    assert len(sol.info["cumulative_regret_std"]) == len(sol.info["cumulative_regret"])
    out = plot_regret_curves({"ucb1": run, "thompson": sol}, tmp_path / "regret.png")
    assert (tmp_path / "regret.png").stat().st_size > 0 and out.endswith("regret.png")
    plot_error_probability([100, 200], {"sh": [0.2, 0.05]}, tmp_path / "err.png",
                           intervals={"sh": [[0.1, 0.3], [0.02, 0.1]]})
    assert (tmp_path / "err.png").stat().st_size > 0
    bai = eq.solve("bandit:bernoulli(means=[0.3, 0.6])", "sequential-halving", iterations=5, seed=0)
    plot_bandit_solutions(bai, tmp_path / "bai.png")
    assert (tmp_path / "bai.png").stat().st_size > 0


def test_gaussian_arms_below_scaled_ucb1_bound() -> None:
    """σ-sub-Gaussian rewards: UCB1's bonus and bound scale by 2σ (rewards rescaled to unit range);
    KL-UCB with the Gaussian divergence and Gaussian Thompson sampling stay below it too."""
    g = eq.load_game("bandit:gaussian(means=[0, 0.5, 1], sigma=0.5)")
    bound = ucb1_regret_bound(g, 1000)
    for method in ("ucb1", "kl-ucb", "thompson"):
        r = simulate(g, method, seeds=50, horizon=1000, seed=6, points=2).mean[-1]
        assert 0 < r <= bound, (method, r, bound)


def test_adaptive_adversary() -> None:
    """An adaptive adversary (a deterministic function of the history): regret is measured against
    the best fixed arm in hindsight of the realised reward vectors. Exp3-IX's high-probability bound
    holds against adaptive adversaries (Neu 2015, Theorem 2)."""
    g = eq.load_game("bandit:adversarial(adaptive='punish-leader', arms=3)")
    # playing in proportions p: the most-played arm pays 0, the others 1 -> gain max p
    assert nash_conv(g, [0.5, 0.3, 0.2]) == pytest.approx(0.5, abs=1e-15)
    assert best_response(g, [0.5, 0.3, 0.2], 0).tolist() == [0.0, 1.0, 0.0]
    T, K = 600, 3
    run = simulate(g, "exp3-ix", seeds=50, horizon=T, seed=8, points=3)
    assert np.mean(run.total > exp3_ix_regret_bound(K, T, 0.05, anytime=True)) <= 0.05
    # hand-checkable: UCB1 on reward-laggard. Rounds 1-3 pull arms 0, 1, 2 and each pays 1 (it is the
    # least pulled when pulled), so after 3 rounds every arm totals 1 and UCB1 collected 3: 1 − 3 = −2
    lag = eq.load_game("bandit:adversarial(adaptive='reward-laggard', arms=3)")
    learner = eq.make_learner(lag, "ucb1", seed=0)
    for _ in range(3):
        learner.step()
    assert learner.arm_totals.tolist() == [[1.0, 1.0, 1.0]]
    assert learner.regret().tolist() == [-2.0]
    with pytest.raises(NotApplicableError):
        eq.make_learner(g, "lucb")
