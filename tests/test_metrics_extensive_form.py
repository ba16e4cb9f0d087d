"""NashConv and exploitability of extensive-form policies against OpenSpiel (test-only peer) on
random policies, for 2- and 3-player Kuhn poker and Leduc poker, plus known values."""

from fractions import Fraction
from functools import cache

import numpy as np
import pyspiel
import pytest
from open_spiel.python.policy import python_policy_to_pyspiel_policy

import equilibria as eq
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.io.openspiel import from_tabular_policy, to_tabular_policy
from equilibria.metrics import best_response, deviation_gains, exploitability, nash_conv


@cache
def games(name: str, players: int = 2) -> tuple:
    spiel = pyspiel.load_game(name, {"players": players})
    return spiel, ExtensiveFormGame.from_state(spiel.new_initial_state())


def random_policy(game: ExtensiveFormGame, rng: np.random.Generator, sparsity: float = 0.0) -> np.ndarray:
    """A random behaviour policy; with ``sparsity`` some legal actions get probability zero."""
    raw = rng.exponential(size=game.legal_mask.shape) * game.legal_mask
    if sparsity:
        raw *= rng.random(raw.shape) >= sparsity
        dead = raw.sum(axis=1) == 0
        raw[dead] = game.legal_mask[dead]
    return raw / raw.sum(axis=1, keepdims=True)


def spiel_policy(game: ExtensiveFormGame, sigma: np.ndarray, spiel) -> object:
    """Our policy as a C++ ``pyspiel`` policy (through the TabularPolicy bridge)."""
    return python_policy_to_pyspiel_policy(to_tabular_policy(game, sigma, spiel))


@pytest.mark.parametrize("name, players", [("kuhn_poker", 2), ("kuhn_poker", 3), ("leduc_poker", 2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_nash_conv_of_random_policies_equals_openspiel(name, players, seed):
    spiel, game = games(name, players)
    rng = np.random.default_rng(seed)
    for sparsity in (0.0, 0.4):
        sigma = random_policy(game, rng, sparsity)
        tab = spiel_policy(game, sigma, spiel)
        assert nash_conv(game, sigma) == pytest.approx(pyspiel.nash_conv(spiel, tab), abs=1e-10)
        if players == 2:
            assert exploitability(game, sigma) == pytest.approx(pyspiel.exploitability(spiel, tab), abs=1e-10)


def test_uniform_policy_known_values():
    # known-values.md: uniform NashConv of Kuhn 11/12 (exactly) and Leduc 4.7472222
    kuhn = eq.load_game("kuhn_poker")
    assert nash_conv(kuhn, kuhn.uniform_profile(exact=True), exact=True) == Fraction(11, 12)
    _, leduc = games("leduc_poker")
    assert nash_conv(leduc, leduc.uniform_profile()) == pytest.approx(4.7472222, abs=1e-7)


def test_policy_bridge_round_trip_and_best_response_value():
    spiel, game = games("leduc_poker")
    sigma = random_policy(game, np.random.default_rng(3))
    back = from_tabular_policy(game, to_tabular_policy(game, sigma, spiel), spiel)
    np.testing.assert_allclose(back, sigma, rtol=0, atol=1e-12)  # probabilities
    # the pure best response attains the deviation gain: u_p(br, σ_-p) − u_p(σ) = gain_p
    gains = deviation_gains(game, sigma)
    base = game.expected_payoffs(sigma)
    for p in range(2):
        br = best_response(game, sigma, p)  # the player's rows only (issue 10: one shape per family)
        rows = game.player_infosets[p]
        assert br.shape == (len(rows), game.max_actions)
        played = sigma.copy()
        played[rows] = br
        assert game.expected_payoffs(played)[p] - base[p] == pytest.approx(gains[p], abs=1e-12)


def test_three_player_deviation_gains_are_per_player():
    spiel, game = games("kuhn_poker", 3)
    sigma = random_policy(game, np.random.default_rng(7))
    tab = spiel_policy(game, sigma, spiel)
    gains = deviation_gains(game, sigma)
    assert gains.shape == (3,) and (gains >= 0).all()
    assert gains.sum() == pytest.approx(pyspiel.nash_conv(spiel, tab), abs=1e-10)
    with pytest.raises(eq.NotApplicableError):
        exploitability(game, sigma)
