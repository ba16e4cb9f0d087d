"""REBEL and contrastive policy gradient on the intransitive preference games.

Properties checked:
- REBEL (Gao et al., NeurIPS 2024): the exact regression step is the mirror-descent / natural policy
  gradient step π_{t+1} ∝ π_t exp(η P(·≻π_t)) (their reduction), checked against a least-squares
  solve over all pairs; with samples the regression estimates it; the average policy approaches a
  minimax winner of a cyclic game.
- CoPG (Flet-Berliac et al., 2024): the optimum for a fixed behaviour policy μ is π ∝ π_ref
  exp(P(·≻μ)/β) whatever μ; with μ = π_ref that is the IPO optimum (CoPG generalises IPO), and with
  μ = π_t (self-play) the learner converges to the regularised Nash equilibrium π*_β.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.dynamics.alignment import REBEL, copg_fixed_point
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.metrics.preference import kl_to_equilibrium, unregularised_exploitability
from equilibria.solvers.preference import ipo_policy

CYCLIC = "preference:cyclic(k=5, contexts=2, beta=0.1, seed=0)"


def test_rebel_exact_step_is_the_regression_minimiser() -> None:
    game = eq.load_game(CYCLIC)
    learner = eq.make_learner(game, "rebel", step_size=0.7)
    learner.step()  # move away from the uniform start
    pi = learner.policy()
    learner.step()
    got = learner.policy()
    eta = 0.7
    for x in range(game.num_contexts):
        K = game.num_responses
        # min Σ_{y,y'} π(y)π(y') ((s_y − s_y')/η − (P(y ≻ y') − 1/2))² by weighted least squares
        rows, target = [], []
        for i in range(K):
            for j in range(K):
                w = np.sqrt(pi[x, i] * pi[x, j])
                r = np.zeros(K)
                r[i] += w / eta
                r[j] -= w / eta
                rows.append(r)
                target.append(w * (game.P[x, i, j] - 0.5))
        s = np.linalg.lstsq(np.array(rows), np.array(target), rcond=None)[0]
        expect = pi[x] * np.exp(s)
        np.testing.assert_allclose(got[x], expect / expect.sum(), rtol=1e-10)


def test_rebel_sampled_regression_estimates_the_exact_step() -> None:
    game = eq.load_game(CYCLIC)
    exact = eq.make_learner(game, "rebel", step_size=0.5)
    sampled = eq.make_learner(game, "rebel", step_size=0.5, mode="sampled", batch=20000, seed=3)
    exact.step()
    sampled.step()
    np.testing.assert_allclose(sampled.policy(), exact.policy(), atol=0.02)
    assert sampled.queries == 20000 * game.num_contexts


def test_rebel_average_approaches_a_minimax_winner() -> None:
    game = eq.load_game(CYCLIC)
    [short] = eq.solve(game, "rebel", iterations=60, step_size=0.1)
    [long] = eq.solve(game, "rebel", iterations=600, step_size=0.1)
    short, long = (unregularised_exploitability(game, s.strategies) for s in (short, long))
    assert long < short / 3 and long < 0.01


@pytest.mark.parametrize("spec", [CYCLIC, "preference:transitive(k=4, contexts=3, beta=0.3, seed=1)"])
def test_copg_reference_behaviour_is_ipo(spec: str) -> None:
    game = eq.load_game(spec)  # uniform π_ref: the IPO pair marginal is π_ref
    [sol] = eq.solve(game, "copg", behaviour="reference", iterations=400)
    np.testing.assert_allclose(sol.strategies, ipo_policy(game, pairs="reference"), atol=1e-10)
    np.testing.assert_allclose(copg_fixed_point(game, game.reference), ipo_policy(game, pairs="reference"),
                               atol=1e-14)


def test_copg_self_play_reaches_the_regularised_equilibrium() -> None:
    game = eq.load_game(CYCLIC)
    [sol] = eq.solve(game, "copg", iterations=400, step_size=5.0)
    np.testing.assert_allclose(sol.strategies, game.regularised_equilibrium, atol=1e-10)
    # the default step is stable for a small β too (where 1/β is not)
    small = eq.load_game("preference:cyclic(k=5, contexts=2, beta=0.05, seed=0)")
    [sol] = eq.solve(small, "copg", iterations=3000, eval_every=3000)
    np.testing.assert_allclose(sol.strategies, small.regularised_equilibrium, atol=1e-8)


def test_copg_sampled_mode_learns() -> None:
    game = eq.load_game("preference:transitive(k=4, contexts=3, beta=0.3, scale=2.0, seed=1)")
    start = kl_to_equilibrium(game, game.reference)
    [sol] = eq.solve(game, "copg", iterations=300, mode="sampled", batch=64, seed=0, step_size=0.3)
    assert kl_to_equilibrium(game, sol.strategies) < start / 30
    assert sol.info["queries"] == 300 * 2 * 64 * game.num_contexts


def test_options_are_checked() -> None:
    game = eq.load_game(CYCLIC)
    with pytest.raises(InvalidParameterError):
        eq.make_learner(game, "copg", behaviour="other")
    with pytest.raises(InvalidParameterError):
        eq.make_learner(game, "copg", policy="neural")
    with pytest.raises(NotApplicableError):
        eq.make_learner(eq.load_game("preference:cyclic(beta=0)"), "copg")
    with pytest.raises(InvalidParameterError):
        eq.make_learner(game, "rebel", step_size=-1.0)
    assert isinstance(eq.make_learner(eq.load_game("preference:cyclic(beta=0)"), "rebel"), REBEL)


def test_cli_rebel(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "preference:cyclic(k=3)", "--method", "rebel", "--iterations", "30", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "rebel"
    assert main(["solve", "preference:cyclic(k=3)", "--method", "copg", "-o", "behaviour=x"]) == 2
