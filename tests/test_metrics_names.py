"""One meaning per name in the metrics core (issue 10 §1): exploitability and best_response.

- ``equilibria.exploitability`` is NashConv / n, the mean best-response gain (OpenSpiel's
  convention), for two-player constant-sum games in every family, one-player games and mean-field
  games, and every family-specific function of that name agrees with it.
- ``best_response(game, profile, player)`` returns that player's strategy in the family's
  per-player form, never a whole profile.
"""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq
from equilibria.games.markov import MarkovGame
from equilibria.games.normal_form import NormalFormGame
from equilibria.games.preference import PreferenceGame
from equilibria.metrics import best_response, best_response_values, deviation_gains, nash_conv
from equilibria.metrics import preference as pm


def _random_policy(game: PreferenceGame, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pi = rng.random((game.num_contexts, game.num_responses)) * game.mask
    return pi / pi.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("spec", ["preference:cyclic(beta=0.1)",
                                  "preference:cyclic(k=5,contexts=3,beta=0.3,seed=2)",
                                  "preference:cyclic(k=4,beta=0.0)"])
def test_exploitability_is_the_core_definition_for_preference_games(spec):
    # Defect (issue 10): eq.exploitability gave 0.0015 and metrics.preference.exploitability 0.0219 on
    # the uniform policy of preference:cyclic(beta=0.1). The one meaning is the core's, in the game
    # as it defines its payoffs (β-regularised): the family's regularised_exploitability.
    game = eq.load_game(spec)
    for pi in (game.uniform_profile(), _random_policy(game, 0), _random_policy(game, 1)):
        core = eq.exploitability(game, pi)
        assert core == pytest.approx(pm.regularised_exploitability(game, pi), rel=1e-12, abs=1e-12)
        assert core == pytest.approx(nash_conv(game, pi) / 2, rel=1e-12, abs=1e-12)
        assert 2 * core == pytest.approx(pm.duality_gap(game, pi), rel=1e-12, abs=1e-12)
        # the unregularised quantity is the exploitability of the β = 0 game, under its own name
        unreg = pm.unregularised_exploitability(game, pi)
        assert unreg == pytest.approx(eq.exploitability(game.with_beta(0.0), pi), rel=1e-12, abs=1e-12)
        assert pm.summary(game, pi)["exploitability"] == pytest.approx(core, rel=1e-12, abs=1e-12)
        summary_unreg = pm.summary(game, pi)["unregularised_exploitability"]
        assert summary_unreg == pytest.approx(unreg, rel=1e-12, abs=1e-12)
        if game.beta == 0:
            assert unreg == pytest.approx(core, abs=1e-12)


def test_old_preference_exploitability_name_is_a_deprecated_alias():
    game = eq.load_game("preference:cyclic(beta=0.1)")
    pi = game.uniform_profile()
    with pytest.warns(FutureWarning, match="unregularised_exploitability"):
        old = pm.exploitability(game, pi)
    assert old == pm.unregularised_exploitability(game, pi)
    assert old != pytest.approx(eq.exploitability(game, pi))  # a different quantity, hence the rename


def test_exploitability_of_a_zero_sum_matrix_game_by_hand():
    # (max_i (A y)_i − min_j (xᵀA)_j) / 2 = NashConv / 2 (von Neumann; OpenSpiel's exploitability)
    A = np.random.default_rng(0).normal(size=(4, 5))
    game = NormalFormGame.zero_sum(A)
    x, y = np.full(4, 0.25), np.random.default_rng(1).dirichlet(np.ones(5))
    by_hand = ((A @ y).max() - (x @ A).min()) / 2
    assert eq.exploitability(game, [x, y]) == pytest.approx(by_hand, rel=1e-12)


def test_exploitability_refuses_games_outside_its_definition():
    with pytest.raises(eq.NotApplicableError):
        eq.exploitability(NormalFormGame(np.random.default_rng(0).normal(size=(2, 2, 2))),
                          [np.full(2, 0.5)] * 2)


# ---- best_response: one shape, the player's own strategy -----------------------------------------


def test_best_response_shape_normal_form():
    game = NormalFormGame(np.random.default_rng(0).normal(size=(3, 2, 3, 4)))
    prof = game.uniform_profile()
    for p, k in enumerate(game.num_actions):
        br = best_response(game, prof, p)
        assert br.shape == (k,) and br.sum() == 1 and set(np.unique(br)) <= {0.0, 1.0}
        dev = list(prof)
        dev[p] = br
        assert game.expected_payoffs(dev)[p] == pytest.approx(best_response_values(game, prof)[p], abs=1e-12)
    with pytest.raises(eq.InvalidParameterError):
        best_response(game, prof, 3)


@pytest.mark.parametrize("spec", ["kuhn_poker", "leduc_poker"])
def test_best_response_shape_extensive_form_is_the_players_rows(spec):
    # Defect (issue 10): the extensive-form best response was a whole profile.
    game = eq.load_game(spec)
    rng = np.random.default_rng(4)
    sigma = rng.random(game.uniform_profile().shape) * game.legal_mask
    sigma /= sigma.sum(axis=1, keepdims=True)
    gains = deviation_gains(game, sigma)
    for p in range(game.num_players):
        rows = game.player_infosets[p]
        br = best_response(game, sigma, p)
        assert br.shape == (len(rows), game.max_actions)
        assert np.all(br.sum(axis=1) == 1) and set(np.unique(br)) <= {0.0, 1.0}
        assert np.all(br[~game.legal_mask[rows]] == 0)
        played = sigma.copy()
        played[rows] = br
        base = game.expected_payoffs(sigma)[p]
        assert game.expected_payoffs(played)[p] - base == pytest.approx(gains[p], abs=1e-12)
    exact = best_response(game, game.uniform_profile(exact=True), 0, exact=True)
    assert exact.shape == (len(game.player_infosets[0]), game.max_actions) and exact.dtype == object


def test_best_response_shape_markov_preference_continuous():
    mg = eq.load_game("random_markov_game(num_states=3, num_actions=2, seed=0)")
    assert isinstance(mg, MarkovGame)
    prof = mg.uniform_profile()
    for p in range(mg.num_players):
        assert best_response(mg, prof, p).shape == (mg.num_states, mg.num_actions[p])
    pg = eq.load_game("preference:cyclic(k=5,contexts=2,beta=0.1)")
    for p in range(2):
        br = best_response(pg, pg.uniform_profile(), p)
        assert br.shape == (pg.num_contexts, pg.num_responses)
        assert br.sum(axis=1) == pytest.approx(np.ones(pg.num_contexts))
    cg = eq.load_game("quadratic")
    prof = cg.split(np.zeros(cg.dim))
    for p, d in enumerate(cg.dims):
        assert np.shape(best_response(cg, prof, p)) == (d,)


@pytest.mark.parametrize("spec, populations", [("mfglib:left_right", 1), ("predator_prey", 3),
                                                ("bandit:bernoulli(means=[0.2,0.7])", 1),
                                                ("rlvr:toy(prompts=8, vocab=2, max_length=2)", 1)])
def test_exploitability_is_the_mean_gain_in_one_player_and_mean_field_games(spec, populations):
    # one meaning across the new families (issues 11, 13, 14): the mean over players (populations)
    # of the best-response gain; one population or one player: NashConv itself
    game = eq.load_game(spec)
    assert game.num_players == populations
    profile = game.uniform_profile()
    gains = deviation_gains(game, profile)
    assert len(gains) == populations and np.all(np.asarray(gains) >= -1e-12)
    nc = nash_conv(game, profile)
    assert nc > 0
    assert eq.exploitability(game, profile) == pytest.approx(nc / populations, rel=1e-12)


def test_exploitability_refuses_general_sum_games():
    game = eq.load_game("battle_of_the_sexes")
    with pytest.raises(eq.errors.NotApplicableError, match="nash_conv"):
        eq.exploitability(game, game.uniform_profile())
