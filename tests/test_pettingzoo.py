"""PettingZoo: our games as AEC environments (api_test), and RL best responses through them."""

from __future__ import annotations

import numpy as np
from pettingzoo.test import api_test

import equilibria
from equilibria.integrations.pettingzoo import PettingZooOracle, to_pettingzoo
from equilibria.population.oracles import ExactBestResponse, policy_space


def test_api_test_extensive_form():
    api_test(to_pettingzoo(equilibria.load_game("kuhn_poker")), num_cycles=200)
    api_test(to_pettingzoo(equilibria.load_game("leduc_poker")), num_cycles=200)


def test_api_test_markov():
    api_test(to_pettingzoo(equilibria.load_game("trust_gridworld"), max_cycles=50), num_cycles=200)
    api_test(
        to_pettingzoo(equilibria.load_game("random_markov_game(players=3, seed=1)"), max_cycles=30),
        num_cycles=200,
    )


def test_episode_returns_match_expected_payoffs_on_kuhn():
    # uniform play: the mean of many sampled episodes is the exact expected payoff
    game = equilibria.load_game("kuhn_poker")
    env = to_pettingzoo(game)
    rng = np.random.default_rng(0)
    totals = []
    for ep in range(3000):
        env.reset(seed=ep)
        ret = {a: 0.0 for a in env.possible_agents}
        for a in env.agent_iter():
            obs, r, term, trunc, _ = env.last()
            ret[a] += r
            env.step(None if term or trunc else int(rng.choice(np.flatnonzero(obs["action_mask"]))))
        totals.append(ret["player_0"])
    exact = game.expected_payoffs(game.uniform_profile())[0]
    assert abs(np.mean(totals) - exact) <= 5 * np.std(totals) / np.sqrt(len(totals))


def test_rl_oracle_through_pettingzoo_finds_kuhn_best_response():
    game = equilibria.load_game("kuhn_poker")
    space = policy_space(game)
    u = game.uniform_profile()
    exact = ExactBestResponse()(space, u, 0, np.random.default_rng(0))
    learned = PettingZooOracle(episodes=3000, epsilon=0.3)(space, u, 0, np.random.default_rng(0))
    v_exact = game.expected_payoffs(space.joint_profile([exact, u]))[0]
    v_learned = game.expected_payoffs(space.joint_profile([learned, u]))[0]
    v_uniform = game.expected_payoffs(u)[0]
    assert v_learned >= v_exact - 0.15 * (v_exact - v_uniform)


def test_rl_oracle_through_pettingzoo_on_a_markov_game():
    game = equilibria.load_game("random_markov_game(num_states=2, num_actions=2, seed=2, discount=0.5)")
    space = policy_space(game)
    u = game.uniform_profile()
    exact = ExactBestResponse()(space, u, 1, np.random.default_rng(0))
    learned = PettingZooOracle(episodes=3000)(space, u, 1, np.random.default_rng(0))
    assert game.expected_payoffs([u[0], learned])[1] >= game.expected_payoffs([u[0], exact])[1] - 0.05
