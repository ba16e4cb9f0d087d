"""``pma``: independent policy mirror ascent on one N-agent sample path (Yardim et al., ICML 2023),
and the N-agent simulator it runs on."""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq
from equilibria.dynamics.pma import NAgentSimulator, PolicyMirrorAscent
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.mean_field import MeanFieldGame


def _line_game(horizon: int = 3, temperature: float = 0.0, stochastic: bool = True) -> MeanFieldGame:
    """4 states on a line, actions left/stay/right; reward ``c(s) − μ(s)`` (crowd aversion)."""
    S = 4
    c = np.array([0.0, 0.2, 1.0, 0.4])
    moves = np.array([-1, 0, 1])
    if stochastic:
        noise = np.array([-1, 0, 1])
        targets = np.clip(np.arange(S)[:, None, None] + moves[None, :, None] + noise[None, None, :], 0, S - 1)
        probs = np.broadcast_to(np.array([0.25, 0.5, 0.25]), (S, 3, 3))
    else:
        targets = np.clip(np.arange(S)[:, None] + moves[None, :], 0, S - 1)[..., None]
        probs = np.ones((S, 3, 1))

    def reward(t, mu):
        return np.broadcast_to((c - mu[0])[None, :, None], (1, S, 3))

    return MeanFieldGame(S, 3, reward=reward, transition=(targets[None], probs[None]), horizon=horizon,
                         temperature=temperature, initial=[0.4, 0.3, 0.2, 0.1])


def test_simulator_pays_the_empirical_mean_field_and_moves_deterministically():
    g = _line_game(stochastic=False)
    rng = np.random.default_rng(0)
    sim = NAgentSimulator(g, 8, rng)
    sim.states = np.array([0, 0, 1, 1, 1, 2, 3, 3])
    actions = np.array([2, 1, 0, 2, 1, 2, 0, 1])
    mu_hat = np.array([2, 3, 1, 2]) / 8
    rewards, nxt, terminal = sim.step(actions, rng)
    c = np.array([0.0, 0.2, 1.0, 0.4])
    s0 = np.array([0, 0, 1, 1, 1, 2, 3, 3])
    np.testing.assert_allclose(rewards, c[s0] - mu_hat[s0], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(nxt, np.clip(s0 + actions - 1, 0, 3))
    np.testing.assert_array_equal(terminal, 0.0)
    assert sim.clock == 1


def test_simulator_transitions_have_the_kernel_law_and_episodes_restart():
    g = _line_game(horizon=2)
    rng = np.random.default_rng(1)
    n = 40_000
    sim = NAgentSimulator(g, n, rng)
    start = np.bincount(sim.states, minlength=4) / n
    np.testing.assert_allclose(start, g.initial[0], atol=4 * np.sqrt(0.25 / n))
    sim.states = np.full(n, 1)
    sim.step(np.full(n, 2), rng)  # from state 1 aim right: lands on 1, 2, 3 w.p. 1/4, 1/2, 1/4
    freq = np.bincount(sim.states, minlength=4) / n
    np.testing.assert_allclose(freq, [0.0, 0.25, 0.5, 0.25], atol=4 * np.sqrt(0.25 / n))
    sim.step(np.full(n, 1), rng)  # the last step of the horizon: a new episode starts
    assert sim.clock == 0
    restart = np.bincount(sim.states, minlength=4) / n
    np.testing.assert_allclose(restart, g.initial[0], atol=4 * np.sqrt(0.25 / n))


def test_td_estimates_approach_the_policy_q_function():
    """Step 1 of the algorithm alone: with the policy held fixed (step_size → 0 keeps π uniform),
    each agent's TD estimate of Q^π at the empirical mean field approaches the exact Q^π(μ^π)
    (many agents: μ̂ ≈ μ^π; entries the path visits often)."""
    g = _line_game(horizon=2, temperature=0.3)
    pi = g.uniform_policy()
    Q, _ = g.q_values(g.forward(pi), policy=pi)
    for estimator in ("ctd", "td0"):
        learner = PolicyMirrorAscent(g, num_agents=200, td_steps=1500, step_size=1e-9, seed=0,
                                     estimator=estimator)
        learner.step()
        # at t = 0 every state is visited (initial distribution has full support)
        np.testing.assert_allclose(learner.Q_hat.mean(axis=0)[0], Q[0, 0], atol=0.03, err_msg=estimator)
    assert learner.samples == 1500  # td0: no mixing steps by default


def test_ctd_estimate_error_falls_at_the_sample_rate():
    """CTD with the policy held fixed: the mean squared error of an agent's estimate of the exact
    Q^π(μ^π) at the start states (t = 0) falls about as 1/samples (the ε⁻² sample complexity);
    here from 250 to 2000 TD steps (8x), the squared error must fall at least 4x (measured 6x
    from 250 to 1000 with 100 agents)."""
    g = _line_game(horizon=2, temperature=0.3)
    pi = g.uniform_policy()
    Q, _ = g.q_values(g.forward(pi), policy=pi)
    errors = []
    for steps in (250, 2000):
        learner = PolicyMirrorAscent(g, num_agents=100, td_steps=steps, step_size=1e-9, seed=1)
        learner.step()
        errors.append(float(np.mean((learner.Q_hat[:, 0] - Q[0, 0]) ** 2)))
    assert errors[1] < errors[0] / 4


def test_pma_lowers_the_regularised_exploitability_with_samples_and_agents():
    g = _line_game(horizon=3, temperature=0.5)
    uniform = eq.nash_conv(g, g.uniform_policy())
    few = eq.run(eq.make_learner(g, "pma", num_agents=20, td_steps=30, seed=0), 6, eval_every=6)
    many = eq.run(eq.make_learner(g, "pma", num_agents=100, td_steps=300, seed=0), 6, eval_every=6)
    assert many.nash_conv_last[-1] < few.nash_conv_last[-1] < uniform
    assert many.nash_conv_last[-1] < 0.05 * uniform
    assert many.extra["agent_exploitability"][-1] < few.extra["agent_exploitability"][-1]
    assert many.extra["samples"][-1] == 6 * (300 + 300 // 4)  # CTD mixes for td_steps // 4 first


def test_pma_bad_input():
    g = _line_game()
    with pytest.raises(InvalidParameterError):
        PolicyMirrorAscent(g, num_agents=0)
    with pytest.raises(InvalidParameterError):
        PolicyMirrorAscent(g, td_step_size=1.5)
    with pytest.raises(InvalidParameterError):
        PolicyMirrorAscent(g, estimator="mc")
    with pytest.raises(InvalidParameterError):
        PolicyMirrorAscent(g, mix_steps=-1)
    two = MeanFieldGame(2, 2, reward=np.zeros((2, 2, 2)), transition=np.full((2, 2, 2, 2), 0.5), horizon=2,
                        num_populations=2)
    with pytest.raises(NotApplicableError):
        PolicyMirrorAscent(two)
    with pytest.raises(NotApplicableError):
        PolicyMirrorAscent(eq.load_game("weighted_rock_paper_scissors"))


def test_the_regularised_equilibrium_is_a_fixed_point_of_the_mirror_step():
    """Yardim et al. (2023): the regularised MFG-NE π* is the fixed point of the PMA operator
    Γ_η(Q^{π*}, π*) = argmax ⟨u, Q⟩ − τ h(u) − KL(u, π*)/η. With exact Q-estimates (TD frozen by
    a vanishing TD step) one epoch must leave every agent at π*, whatever η."""
    g = _line_game(horizon=3, temperature=0.5)
    ne = eq.make_learner(g, "fixed-point", damping=0.5)
    eq.run(ne, 200, eval_every=200)
    star = ne.current_strategy()
    assert eq.nash_conv(g, star) < 1e-10
    Q, _ = g.q_values(g.forward(star), policy=star)
    for eta in (0.3, 5.0):
        learner = PolicyMirrorAscent(g, num_agents=3, td_steps=5, step_size=eta, td_step_size=1e-300, seed=0)
        learner.policies = np.repeat(star, 3, axis=0)
        learner.Q = np.repeat(Q, 3, axis=0)
        learner.step()
        np.testing.assert_allclose(learner.policies, np.repeat(star, 3, axis=0), rtol=0, atol=1e-10)
    # and a policy that is not the equilibrium moves
    learner.policies = np.repeat(g.uniform_policy(), 3, axis=0)
    learner.step()
    assert np.max(np.abs(learner.policies - g.uniform_policy())) > 1e-2
