"""MeanFieldGame: the model's checks, forward/backward passes against brute force, JSON round trips."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import InvalidGameError, InvalidStrategyError
from equilibria.games.mean_field import MeanFieldGame


def _random_game(seed: int = 0, S: int = 3, A: int = 2, H: int = 3, K: int = 1, sparse: bool = False):
    rng = np.random.default_rng(seed)
    base = rng.dirichlet(np.ones(S), size=(K, S, A))
    bonus = rng.normal(size=(K, S, A))

    def reward(t, mu):
        return bonus - np.log(mu + 1e-3)[..., None] + 0.1 * t

    def transition(t, mu):
        # the mean field tilts the moves towards crowded states
        P = base * (1.0 + mu[:, None, None, :])
        return P / P.sum(-1, keepdims=True)

    init = rng.dirichlet(np.ones(S), size=K)
    return MeanFieldGame(S, A, reward=reward, transition=transition, initial=init, horizon=H,
                         num_populations=K)


def _brute_value(game, pi, mu):
    """J(π, μ) by enumerating every state-action path (only for tiny games)."""
    K, H, S, A = pi.shape
    mdp = game.induced_mdp(mu)
    P = np.stack([k.dense for k in mdp.kernels], axis=1)  # (K, H, S, A, S)
    out = np.zeros(K)
    for k in range(K):
        for path in itertools.product(range(S), *[range(A), range(S)] * H):
            s0, rest = path[0], path[1:]
            prob, ret, s = game.initial[k, s0], 0.0, s0
            for t in range(H):
                a, s2 = rest[2 * t], rest[2 * t + 1]
                prob *= pi[k, t, s, a] * P[k, t, s, a, s2]
                ret += mdp.rewards[k, t, s, a]
                s = s2
            out[k] += prob * (ret + mdp.terminal[k, s])
    return out


def test_forward_is_the_law_of_the_population():
    game = _random_game(1)
    rng = np.random.default_rng(2)
    pi = rng.dirichlet(np.ones(2), size=(1, 3, 3))
    mu = game.forward(pi)
    assert mu.shape == (1, 4, 3)
    np.testing.assert_allclose(mu.sum(-1), 1.0, atol=1e-14)
    # one step by hand
    P0 = game.kernel_at(0, mu[:, 0]).dense
    np.testing.assert_allclose(mu[0, 1], np.einsum("s,sa,sat->t", mu[0, 0], pi[0, 0], P0[0]), atol=1e-15)


def test_policy_value_and_best_response_match_enumeration():
    game = _random_game(3, S=2, A=2, H=3)
    rng = np.random.default_rng(4)
    pi = rng.dirichlet(np.ones(2), size=(1, 3, 2))
    mu = game.forward(pi)
    np.testing.assert_allclose(game.policy_value(pi, mu), _brute_value(game, pi, mu), rtol=1e-12)
    # the best response is at least as good as every deterministic policy, and equals the best one
    best = -np.inf
    for choice in itertools.product(range(2), repeat=3 * 2):
        det = np.zeros((1, 3, 2, 2))
        det[0].reshape(6, 2)[np.arange(6), choice] = 1.0
        best = max(best, float(_brute_value(game, det, mu)[0]))
    br, V = game.best_response(mu)
    assert game.policy_value(br, mu)[0] == pytest.approx(best, rel=1e-12)
    assert float(game.initial[0] @ V[0, 0]) == pytest.approx(best, rel=1e-12)
    gaps = game.exploitability_gaps(pi)
    assert gaps[0] == pytest.approx(best - float(game.policy_value(pi, mu)[0]), rel=1e-12)


def test_soft_best_response_is_the_gibbs_policy_and_maximises_the_regularised_value():
    game = _random_game(5, S=3, A=3, H=2)
    mu = game.forward(game.uniform_policy())
    br, V = game.best_response(mu, temperature=0.5)
    Q, _ = game.q_values(mu, temperature=0.5)
    np.testing.assert_allclose(br, np.exp((Q - Q.max(-1, keepdims=True)) / 0.5)
                               / np.exp((Q - Q.max(-1, keepdims=True)) / 0.5).sum(-1, keepdims=True))
    j_star = game.policy_value(br, mu, temperature=0.5)[0]
    assert j_star == pytest.approx(float(game.initial[0] @ V[0, 0]), rel=1e-12)
    rng = np.random.default_rng(0)
    for _ in range(20):
        other = rng.dirichlet(np.ones(3), size=(1, 2, 3))
        assert game.policy_value(other, mu, temperature=0.5)[0] <= j_star + 1e-12


def test_sparse_kernel_equals_dense():
    S, A, H = 5, 3, 4
    moves = np.array([-1, 0, 1])
    s = np.arange(S)
    targets = (s[:, None, None] + moves[None, :, None] + moves[None, None, :]) % S
    probs = np.broadcast_to(np.array([0.2, 0.5, 0.3]), (S, A, 3))
    dense = np.zeros((S, A, S))
    np.add.at(dense, (s[:, None, None], np.arange(A)[None, :, None], targets), probs)

    def reward(t, mu):
        return -np.log(mu[0] + 1e-9)[:, None] - 0.1 * np.abs(moves)[None, :]

    sp = MeanFieldGame(S, A, reward=reward, transition=(targets[None], probs[None]), horizon=H)
    de = MeanFieldGame(S, A, reward=reward, transition=dense, horizon=H)
    pi = np.random.default_rng(0).dirichlet(np.ones(A), size=(1, H, S))
    np.testing.assert_allclose(sp.forward(pi), de.forward(pi), atol=1e-15)
    np.testing.assert_allclose(sp.exploitability_gaps(pi), de.exploitability_gaps(pi), rtol=1e-13)


def test_several_populations_are_independent_blocks():
    game = _random_game(6, K=2)
    pi = np.random.default_rng(1).dirichlet(np.ones(2), size=(2, 3, 3))
    ev = game.evaluate(pi)
    assert ev["gaps"].shape == (2,)
    assert (ev["gaps"] >= -1e-12).all()
    assert ev["mu"].shape == (2, 4, 3)


def test_stationary_game_best_response_has_zero_gap_against_itself():
    S, A = 4, 2
    rng = np.random.default_rng(7)
    P = rng.dirichlet(np.ones(S), size=(S, A))
    R = rng.normal(size=(S, A))
    game = MeanFieldGame(S, A, reward=lambda t, mu: R - mu[0][:, None], transition=P, discount=0.9)
    pi = game.uniform_policy()
    mu = game.forward(pi)
    assert mu.shape == (1, S)
    Ppi = np.einsum("sa,sat->st", pi[0], P)
    np.testing.assert_allclose(mu[0] @ Ppi, mu[0], atol=1e-12)  # stationary
    br, V = game.best_response(mu)
    # Bellman optimality of V
    Q = R - mu[0][:, None] + 0.9 * P @ V[0]
    np.testing.assert_allclose(V[0], Q.max(-1), atol=1e-10)
    assert game.exploitability_gaps(pi)[0] == pytest.approx(
        float(game.initial[0] @ (V[0] - game.q_values(mu, policy=pi)[1][0])), abs=1e-10)


def test_stationary_distribution_of_a_softmax_policy_does_not_overflow():
    # defect (found by the PMA work): repeated squaring of a chain whose rows sum to 1 only up to
    # rounding (a softmax policy, kernel rows 0.25/0.5/0.25) grew the row sums like (1 + δ)^(2^k)
    # and overflowed to NaN ("a mean field must be a non-negative array")
    S, A = 5, 3
    moves = np.arange(S)[:, None, None] + np.array([-1, 0, 1])[None, None, :] + np.arange(A)[None, :, None]
    targets = moves % S
    probs = np.broadcast_to([0.25, 0.5, 0.25], (S, A, 3))
    c = np.linspace(0.0, 1.0, S)
    game = MeanFieldGame(S, A, reward=lambda t, mu: np.broadcast_to((c - mu[0])[:, None], (S, A))[None],
                         transition=(targets, probs), discount=0.8, temperature=0.5)
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(S, A)) * 3
    pi = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    mu = game.forward(pi)
    assert np.isfinite(mu).all() and mu.sum() == pytest.approx(1.0, abs=1e-12)
    step = np.zeros(S)
    np.add.at(step, targets.reshape(-1), (mu[0][:, None, None] * pi[:, :, None] * probs).reshape(-1))
    np.testing.assert_allclose(step, mu[0], atol=1e-12)  # stationary under the chain
    (sol,) = eq.solve(game, "omd", iterations=50, step_size=0.5, seed=0)
    assert np.isfinite(sol.nash_conv)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(horizon=-1), "horizon"),
        (dict(horizon=0), "horizon"),
        (dict(initial=[0.5, 0.4, 0.0]), "sums to"),
        (dict(initial=[1.2, -0.2, 0.0]), "state '1'"),
        (dict(transition=np.full((3, 2, 3), 0.5)), "from state '0' under action '0'"),
    ],
)
def test_bad_games_name_what_is_wrong(kwargs, match):
    base = dict(reward=np.zeros((3, 2)), transition=np.full((3, 2, 3), 1 / 3), horizon=2)
    base.update(kwargs)
    with pytest.raises(InvalidGameError, match=match):
        MeanFieldGame(3, 2, **base)


def test_a_mean_field_dependent_transition_is_checked_where_it_fails():
    def transition(t, mu):
        P = np.full((1, 3, 2, 3), 1 / 3)
        if t == 1:
            P[0, 2, 1] = [0.5, 0.5, 0.5]
        return P

    with pytest.raises(InvalidGameError, match="step 1 from state '2' under action '1'"):
        MeanFieldGame(3, 2, reward=np.zeros((3, 2)), transition=transition, horizon=3)


def test_profile_json_round_trip_and_bad_policies():
    game = _random_game(8)
    pi = np.random.default_rng(0).dirichlet(np.ones(2), size=(1, 3, 3))
    back = game.profile_from_json(game.profile_to_json(pi))
    np.testing.assert_allclose(back, pi, atol=1e-12)
    with pytest.raises(InvalidStrategyError, match="state '1'"):
        bad = pi.copy()
        bad[0, 2, 1] = [0.9, 0.9]
        game.exploitability_gaps(bad)
    with pytest.raises(InvalidStrategyError, match="shape"):
        game.exploitability_gaps(np.ones((2, 2)))
    with pytest.raises(InvalidStrategyError, match="no state"):
        game.profile_from_json([[{"zz": [0.5, 0.5]}] * 3])


def test_game_is_immutable():
    game = _random_game(9)
    with pytest.raises(AttributeError):
        game.horizon = 4
    with pytest.raises(ValueError):
        game.initial[0, 0] = 1.0


def test_flow_heat_map_is_written(tmp_path):
    import equilibria as eq
    from equilibria.plotting_mean_field import plot_mean_field_flow

    game = eq.load_game("predator_prey(size=3, horizon=2)")
    out = plot_mean_field_flow(game, game.uniform_policy(), tmp_path / "mu.png", title="predator-prey")
    assert (tmp_path / "mu.png").stat().st_size > 1000
    assert str(out).endswith("mu.png")


def test_cli_solves_a_mean_field_game_with_json(capsys):
    import json

    import equilibria as eq
    from equilibria.cli import main

    assert main(["solve", "crowd_modelling(size=5, horizon=4)", "--method", "fictitious-play",
                 "--iterations", "10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    game = eq.load_game("crowd_modelling(size=5, horizon=4)")
    pi = game.profile_from_json(out["equilibria"][0]["strategies"])
    assert out["nash_conv"] == pytest.approx(eq.nash_conv(game, pi), rel=1e-9)
    assert main(["solve", "crowd_modelling(horizon=-1)", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "horizon" in err[0]
