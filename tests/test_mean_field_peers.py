"""Mean-field catalog games against their peers: OpenSpiel's ``NashConv`` and MFGLib's exploitability.

Each game is compared at the peer's default parameters on the uniform policy and on one random
full-support policy, to 1e-9.
"""

from __future__ import annotations

import numpy as np
import pyspiel
import pytest

import equilibria as eq


def _openspiel_nash_conv(game, policy):
    from open_spiel.python.mfg.algorithms import nash_conv

    return nash_conv.NashConv(game, policy).nash_conv()


def test_crowd_modelling_matches_openspiel():
    from open_spiel.python import policy as policy_std
    from open_spiel.python.mfg.games import crowd_modelling  # noqa: F401  (registers the game)

    os_game = pyspiel.load_game("python_mfg_crowd_modelling")
    ours = eq.load_game("crowd_modelling")
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = np.random.default_rng(0).dirichlet(np.ones(3), size=(1, 10, 10))

    class Arr(policy_std.Policy):
        def action_probabilities(self, state, player_id=None):
            return {a: float(pi[0, state.t, state.x, a]) for a in range(3)}

    assert eq.nash_conv(ours, pi) == pytest.approx(_openspiel_nash_conv(os_game, Arr(os_game, [0])), abs=1e-9)
