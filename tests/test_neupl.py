"""NeuPL and Simplex-NeuPL (population/neupl.py): the PSRO-N graph, any-mixture optimality, options."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError, UnknownNameError
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.ops import solve_matrix_game


def _skew_game(n: int, seed: int) -> NormalFormGame:
    """A symmetric zero-sum game with a skew-symmetric payoff matrix (value 0): strongly non-transitive."""
    A = np.random.default_rng(seed).normal(size=(n, n))
    return NormalFormGame.zero_sum(A - A.T)


@pytest.mark.parametrize("spec", ["kuhn_poker", "skew"])
def test_neupl_with_the_psro_n_graph_recovers_psro(spec):
    # Liu et al. (ICLR 2022): with the PSRO-N meta-graph, NeuPL's slot k answers the meta-solution of
    # slots 0..k-1; with exact best responses slot k after k iterations is PSRO's k-th policy
    game = eq.load_game(spec) if spec != "skew" else _skew_game(9, 1)
    neupl = make_learner(game, "neupl", seed=3, population_size=5)
    psro = make_learner(game, "psro", seed=3)
    for t in range(4):
        neupl.step()
        psro.step()
        for i in range(2):
            assert len(psro.population[i]) == t + 2  # a new policy every iteration: no duplicates
            for k in range(t + 2):
                ours = neupl.slots[i][k]
                theirs = psro._space.joint_profile([psro.population[i][k]] * 2)[i] \
                    if spec == "skew" else np.asarray(psro.population[i][k])
                if spec == "skew":
                    np.testing.assert_array_equal(ours, theirs)
                else:
                    rows = game.player_infosets[i]
                    np.testing.assert_array_equal(ours[rows], theirs[rows])
    # the later slots keep training against graph rows over not-yet-final slots
    assert neupl.oracle_calls == 4 * 2 * 4


def test_neupl_reaches_the_value_of_a_zero_sum_game():
    game = _skew_game(7, 1)
    value, _, _ = solve_matrix_game(game.payoffs[0])
    sol = eq.solve(game, "neupl", iterations=10, seed=0, population_size=9)[0]
    # a skew-symmetric game has value 0 (von Neumann); the double oracle needs at most 7 + 1 policies
    assert value == pytest.approx(0.0, abs=1e-12)
    assert sol.nash_conv <= 1e-9
    assert sol.payoffs[0] == pytest.approx(0.0, abs=1e-9)


def test_neupl_partial_updates_are_realization_equivalent_mixtures_on_kuhn():
    learner = make_learner("kuhn_poker", "neupl", seed=0, population_size=3, step_size=0.5)
    game = learner.game
    before = learner.slots[0][1].copy()
    learner.step()
    target = learner._respond(0, learner.interaction_graph()[1])  # the best response slot 1 moved to
    after = learner.slots[0][1]
    rows = game.player_infosets[0]
    # the step mixes the old policy and the best response half and half in realization plans (Kuhn 1953)
    A = game.max_actions
    plans = [game.realization_plan(p)[1:].reshape(game.num_infosets, A)[rows]
             for p in (before, target, after)]
    np.testing.assert_allclose(plans[2], 0.5 * plans[0] + 0.5 * plans[1], atol=1e-12)
    assert not np.array_equal(after[rows], target[rows])  # a partial step, not the best response


def test_simplex_neupl_answers_sampled_mixtures_where_neupl_does_not():
    # Liu et al. (ICML 2022): the conditional policy is a best response to any mixture of the basis
    # policies. Held-out Dirichlet mixtures: Simplex-NeuPL's gap is 0 on almost all of them, while
    # NeuPL's table (the graph rows only) leaves most of them unanswered.
    game = _skew_game(12, 0)
    held_out = np.random.default_rng(5).dirichlet(np.ones(6), size=100)
    frac, mean = {}, {}
    for samples in (0, 8):
        learner = make_learner(game, "simplex-neupl", seed=0, population_size=6, samples=samples)
        for _ in range(8):
            learner.step()
        gaps = learner.mixture_gaps(0, held_out)
        assert np.all(gaps >= 0)
        frac[samples] = float(np.mean(gaps > 1e-9))
        mean[samples] = float(np.mean(gaps))
        # the gap is an independent best response value minus the conditional policy's value
        for s, gap in zip(held_out[:5], gaps[:5], strict=True):
            opp = s @ learner.slots[1]
            best = float(np.max(game.payoffs[0] @ opp))
            ours = float(learner.conditional_policy(0, s) @ game.payoffs[0] @ opp)
            assert gap == pytest.approx(best - ours, abs=1e-12)
    assert frac[0] > 0.5
    assert frac[8] < 0.1
    assert mean[8] < 0.01 * mean[0]


def test_simplex_neupl_conditional_policy_on_kuhn_is_a_best_response_on_the_mixtures_it_stored():
    learner = make_learner("kuhn_poker", "simplex-neupl", seed=1, population_size=4, samples=6)
    for _ in range(6):
        learner.step()
    keys = learner.table_keys[1]
    assert len(keys) >= 1
    # once the basis slots stop moving (exact responses, 4 slots, 6 iterations), every stored
    # mixture is answered optimally (its response entered the table as an exact best response)
    assert np.max(learner.mixture_gaps(1, keys[-3:])) <= 1e-12
    assert nash_conv(learner.game, learner.current_strategy()) < 0.5


def test_options_are_validated():
    with pytest.raises(InvalidParameterError):
        make_learner("kuhn_poker", "neupl", population_size=1)
    with pytest.raises(InvalidParameterError):
        make_learner("kuhn_poker", "neupl", step_size=1.5)
    with pytest.raises(InvalidParameterError):
        make_learner("kuhn_poker", "neupl", step_size=float("nan"))
    with pytest.raises(UnknownNameError):
        make_learner("kuhn_poker", "neupl", meta_solver="no-such-solver")
    with pytest.raises(InvalidParameterError):
        make_learner("kuhn_poker", "simplex-neupl", concentration=0.0)
    with pytest.raises(InvalidParameterError):
        make_learner("kuhn_poker", "simplex-neupl", samples=-1)
    three = NormalFormGame(np.random.default_rng(0).normal(size=(3, 2, 2, 2)))
    with pytest.raises(NotApplicableError):
        make_learner(three, "simplex-neupl")
    learner = make_learner("weighted_rock_paper_scissors", "simplex-neupl", population_size=3)
    with pytest.raises(InvalidParameterError):
        learner.mixture_gaps(0, [[0.5, 0.6, -0.1]])
    with pytest.raises(NotApplicableError):
        make_learner("random_markov_game", "neupl")


def test_neupl_runs_three_player_normal_form_games():
    game = NormalFormGame(np.random.default_rng(2).normal(size=(3, 2, 3, 2)))
    sol = eq.solve(game, "neupl", iterations=3, seed=0, population_size=3)[0]
    assert np.isfinite(sol.nash_conv)


def test_cli_solve_with_neupl(capsys):
    code = main(["solve", "kuhn_poker", "--method", "simplex-neupl", "--iterations", "3", "-o",
                 "population_size=3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and np.isfinite(out["nash_conv"])
    assert main(["solve", "kuhn_poker", "--method", "neupl", "-o", "population_size=0"]) == 2
