"""Terminal states end the episode in the sampled Markov learners (minimax-Q, independent Q-learning).

Defect pinned: a terminal state's transition row is zero, and the sampled "next state" drawn from it
(state 0, or the last state) was bootstrapped from, so a terminal state's Q became γ·max Q of an
unrelated live state and leaked into the Q of every action that ends the episode.
"""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq
from equilibria.games.markov import MarkovGame


def _one_shot(rewards: tuple[float, float], discount: float = 0.9) -> MarkovGame:
    """State 0 terminal, state 1 live: one joint action paying ``rewards`` that ends the episode.
    Listing the terminal state first makes a draw from its empty row land on the live state 1."""
    R = np.zeros((2, 2, 1, 1))
    R[1, :, 0, 0] = rewards
    P = np.zeros((2, 1, 1, 2))
    P[1, 0, 0, 0] = 1.0
    return MarkovGame(R, P, discount=discount, terminal=[True, False], initial=[0.0, 1.0])


def test_minimax_q_does_not_bootstrap_from_a_terminal_state():
    # α = 1 (decay 0): Q is its target after each sweep; the known values are Q(1) = r, Q(0) = V(0) = 0
    learner = eq.make_learner(_one_shot((1.0, -1.0)), "minimax-q", seed=0, step_size=1.0, decay=0.0)
    for _ in range(5):
        learner.step()
    assert learner.Q[0, 0] == 0.0 and learner.V[0] == 0.0
    assert learner.Q[1, 0] == 1.0 and learner.V[1] == 1.0


def test_independent_q_does_not_bootstrap_from_a_terminal_state():
    learner = eq.make_learner(_one_shot((2.0, 3.0)), "independent-q", seed=0, step_size=1.0, decay=0.0)
    for _ in range(5):
        learner.step()
    assert learner.Q[0][0, 0] == 0.0 and learner.Q[1][0, 0] == 0.0
    assert learner.Q[0][1, 0] == 2.0 and learner.Q[1][1, 0] == 3.0


@pytest.mark.parametrize("spec", ["grid_soccer(rows=2, cols=3)", "trust_gridworld(length=2)"])
def test_terminal_q_values_stay_zero_on_episodic_catalog_games(spec):
    game = eq.load_game(spec)
    learner = eq.make_learner(game, "independent-q", seed=1)
    for _ in range(50):
        learner.step()
    for q in learner.Q:
        assert np.all(q[game.terminal] == 0.0)
