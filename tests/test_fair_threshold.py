"""Fair threshold bandits in closed-loop lending (Du, arXiv:2512.22313, 2025, as we read its description).

Known values: acceptance rates, rewards and the closed loop's fixed point of a hand-made two-bin
game; the sampled batch against its exact expectation; the steady state against iterating the
contraction. Behaviour: optimistic feasible search settles on the best feasible threshold with a
small violation, the unconstrained baseline on an infeasible one, the primal–dual baseline in between.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidGameError, InvalidParameterError, InvalidStrategyError
from equilibria.games.fair_lending import FairLendingGame


def _two_bin() -> FairLendingGame:
    # scores {0, 1}; group A: P(s=1) = 0.8, group B: 0.4; repay 0.25 / 0.75; loss 1
    return FairLendingGame([[0.2, 0.8], [0.6, 0.4]], [0.25, 0.75], loss=1.0, dp_tolerance=0.1,
                           base_share=0.5, feedback=0.5, mixing=0.5)


def test_two_bin_game_by_hand() -> None:
    g = _two_bin()
    # thresholds 0 (accept all), 1 (accept s = 1), 2 (reject all)
    np.testing.assert_allclose(g.acceptance, [[1, 0.8, 0], [1, 0.4, 0]])
    # reward of accepting s: 0.25·1 − 0.75 = −0.5 (s = 0), 0.75 − 0.25 = 0.5 (s = 1)
    np.testing.assert_allclose(g.group_reward, [[0.2 * -0.5 + 0.8 * 0.5, 0.4, 0],
                                                [0.6 * -0.5 + 0.4 * 0.5, 0.2, 0]])
    # threshold 1: DP gap 0.4 > 0.1; its fixed point p̄ = 0.5 + 0.5 (0.4 − 0.8) = 0.3
    assert g.steady_share(np.array([0, 1.0, 0])) == pytest.approx(0.3)
    rew, res = g.steady_values()
    assert rew[1] == pytest.approx(0.7 * 0.4 + 0.3 * 0.2)
    np.testing.assert_allclose(res[:, 0], [-0.1, 0.3, -0.1])
    # feasible: 0 (share 0.5, reward 0.5·0.3 + 0.5·(−0.1) = 0.1) and 2 (0): the best feasible is 0
    assert g.best_feasible() == (0, pytest.approx(0.1))
    assert eq.nash_conv(g, np.array([1.0, 0, 0])) == pytest.approx(0.0, abs=1e-15)
    # threshold 1: reward 0.34 > R* (no reward gap) but violation 0.3
    assert eq.nash_conv(g, np.array([0, 1.0, 0])) == pytest.approx(0.3)
    # reject all: reward gap 0.1, no violation
    assert eq.nash_conv(g, np.array([0, 0, 1.0])) == pytest.approx(0.1)
    np.testing.assert_array_equal(eq.best_response(g, g.uniform_profile(), 0), [1, 0, 0])


def test_contraction_reaches_the_fixed_point() -> None:
    g = eq.load_game("fair:lending(mixing=0.5)")
    p = g.base_share
    for _ in range(40):
        p = g.next_share(p, 3)
    one_hot = np.eye(g.num_thresholds)[3]
    assert p == pytest.approx(g.steady_share(one_hot), abs=1e-8)


def test_sampled_round_is_unbiased_for_reward_and_service() -> None:
    g = eq.load_game("fair:lending(min_service=0.5, batch=200)")
    rng = np.random.default_rng(0)
    obs = [g.sample_round(4, 0.4, rng) for _ in range(1500)]
    reward = np.mean([o[0] for o in obs])
    service = np.mean([o[1][1] for o in obs])
    # standard errors ≈ 0.05/√1500 and 0.035/√1500: 5 standard errors
    assert reward == pytest.approx(g.rewards(0.4)[4], abs=0.007)
    assert service == pytest.approx(g.residuals(0.4)[4, 1], abs=0.005)


def _run(method: str, seed: int, T: int = 1500):
    return eq.solve("fair:lending", method, iterations=T, eval_every=T, seed=seed)[0]


def test_ofs_beats_both_baselines() -> None:
    g = eq.load_game("fair:lending")
    best, value = g.best_feasible()
    rew, res = g.steady_values()
    assert res[best, 0] <= 0 and res[int(np.argmax(rew)), 0] > 0  # the unconstrained optimum is unfair
    viol = {m: [] for m in ("optimistic-feasible-search", "fair-primal-dual", "threshold-ucb")}
    for seed in range(2):
        for m in viol:
            s = _run(m, seed)
            viol[m].append(s.info["violation_per_round"])
            if m == "optimistic-feasible-search":
                assert s.info["most_played_threshold"] == best
                assert s.info["reward_per_round"] > value - 0.02
            if m == "threshold-ucb":
                assert s.info["most_played_threshold"] == int(np.argmax(rew))
    ofs, pd, ucb = (np.mean(viol[m]) for m in viol)
    assert ofs < pd < ucb
    assert ofs < 0.02 and ucb > 0.15


def test_same_seed_same_path_and_options_validated() -> None:
    a, b = _run("optimistic-feasible-search", 3, 200), _run("optimistic-feasible-search", 3, 200)
    np.testing.assert_array_equal(a.strategies, b.strategies)
    g = eq.load_game("fair:lending")
    for opts in ({"confidence": -1}, {"step_size": 0}, {"rule": "greedy"}):
        with pytest.raises(InvalidParameterError):
            eq.make_learner(g, "optimistic-feasible-search", **opts)


def test_bad_games_and_profiles() -> None:
    for spec in ("fair:lending(num_scores=1)", "fair:lending(dp_tolerance=-0.1)", "fair:lending(mixing=0)",
                 "fair:lending(min_service=2)", "fair:lending(batch=0)"):
        with pytest.raises(InvalidParameterError):
            eq.load_game(spec)
    with pytest.raises(InvalidGameError):
        FairLendingGame([[0.5, 0.6], [0.5, 0.5]], [0.2, 0.8])
    g = _two_bin()
    data = json.loads(json.dumps(g.profile_to_json(np.array([0.25, 0.75, 0]))))
    assert g.profile_from_json(data).tolist() == [0.25, 0.75, 0.0]
    for bad in ([0.5, 0.5], {"threshold 7": 1.0}, {"threshold 0": "a"}, {"threshold 0": 0.5}):
        with pytest.raises(InvalidStrategyError):
            g.profile_from_json(bad)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "fair:lending(batch=20)", "--iterations", "60", "--seed", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "optimistic-feasible-search" and out["nash_conv"] >= 0
    assert main(["solve", "fair:lending(dp_tolerance=2)", "--iterations", "5"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
