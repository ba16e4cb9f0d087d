"""`MeanFieldGame.evaluate` (the fast path behind ``nash_conv``) against the generic backward passes.

`evaluate` sums J(π, μ^π) along the flow and sweeps only the best response's values; these tests
check it against `policy_value` and `best_response` (the per-step backward induction) on random
finite-horizon games with every feature the fast path special-cases: several populations, a discount,
a terminal reward, illegal actions, an entropy temperature, μ-dependent and fixed (sparse and dense,
small and large) kernels, and action-dependent rewards; and a game's optional batched
``reward_flow`` against its per-step ``reward`` (same results, checked when the game is built).
"""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import InvalidGameError
from equilibria.games.mean_field import MeanFieldGame


def _random_game(seed: int, *, K: int, S: int, A: int, H: int, kind: str, discount: float,
                 action_dependent: bool = False) -> MeanFieldGame:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(K, H, S, A))
    legal = rng.random((K, S, A)) < 0.7
    legal[..., 0] = True
    if kind == "dense":
        P = rng.random((K, S, A, S)) ** 3
        transition = P / P.sum(-1, keepdims=True)
    elif kind == "sparse":
        targets = rng.integers(0, S, size=(K, S, A, 3))
        probs = rng.random((K, S, A, 3))
        transition = (targets, probs / probs.sum(-1, keepdims=True))
    else:  # μ-dependent dense kernel
        P0 = rng.random((K, S, A, S)) ** 3

        def transition(t: int, m: np.ndarray) -> np.ndarray:
            mass = m.sum(-1) if action_dependent else m
            P = P0 * (1.0 + mass[:, None, None, :])
            return P / P.sum(-1, keepdims=True)

    def reward(t: int, m: np.ndarray) -> np.ndarray:
        if action_dependent:
            return base[:, t] - m
        return base[:, t] - np.log(m + 1e-3)[..., None]

    return MeanFieldGame(
        S, A, reward=reward, transition=transition, horizon=H, discount=discount,
        terminal_reward=rng.normal(size=(K, S)), num_populations=K, legal_actions=legal,
        action_dependent=action_dependent,
    )


CASES = [
    dict(K=1, S=6, A=3, H=5, kind="sparse", discount=1.0),
    dict(K=2, S=5, A=4, H=4, kind="dense", discount=0.9),
    dict(K=2, S=4, A=3, H=6, kind="mu", discount=0.8),
    dict(K=1, S=70, A=3, H=3, kind="sparse", discount=1.0),  # too large to densify
    dict(K=2, S=5, A=3, H=4, kind="mu", discount=0.95, action_dependent=True),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("temperature", [None, 0.4])
def test_evaluate_matches_backward_passes(case: dict, temperature: float | None) -> None:
    game = _random_game(3, **case)
    rng = np.random.default_rng(5)
    pi = rng.random(game.policy_shape) ** 2 * game.legal
    pi[rng.random(pi.shape) < 0.2] = 0.0
    pi[..., 0] += 1e-3
    pi /= pi.sum(-1, keepdims=True)
    out = game.evaluate(pi, temperature)
    mu = game.forward(pi)
    pop = pi if game.action_dependent else None
    value = game.policy_value(pi, mu, pop, temperature)
    br, V = game.best_response(mu, pop, temperature)
    best = np.einsum("ks,ks->k", game.initial, V[:, 0])
    np.testing.assert_allclose(out["mu"], mu, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(out["value"], value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["best_value"], best, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["best_response"], br, rtol=0, atol=1e-12)
    # the best response is worth its value, and the gaps are what nash_conv sums
    np.testing.assert_allclose(game.policy_value(br, mu, pop, temperature), best, rtol=1e-12, atol=1e-12)
    if temperature is None:
        assert eq.nash_conv(game, pi) == pytest.approx(float(np.sum(best - value)), rel=1e-12, abs=1e-12)
        assert np.all(out["gaps"] >= -1e-12)


def _flow_pair(flow_shift: float = 0.0, **extra: object) -> tuple[MeanFieldGame, MeanFieldGame]:
    """The same random game (K=2, μ-dependent kernel, discount, terminal reward) without and with a
    batched ``reward_flow`` (shifted by ``flow_shift`` at one entry to make it disagree)."""
    rng = np.random.default_rng(11)
    K, S, A, H = 2, 5, 3, 6
    base = rng.normal(size=(K, H, S, A))
    P0 = rng.random((K, S, A, S)) ** 3

    def transition(t: int, m: np.ndarray) -> np.ndarray:
        P = P0 * (1.0 + m[:, None, None, :])
        return P / P.sum(-1, keepdims=True)

    def reward(t: int, m: np.ndarray) -> np.ndarray:
        return base[:, t] - np.log(m + 1e-3)[..., None]

    def reward_flow(mu: np.ndarray) -> np.ndarray:
        R = base - np.log(mu[:, :H] + 1e-3)[..., None]
        R[1, H - 1, 2, 1] += flow_shift
        return R

    common = dict(reward=reward, transition=transition, horizon=H, discount=0.9, num_populations=K,
                  terminal_reward=rng.normal(size=(K, S)), legal_actions=rng.random((K, S, A)) < 0.8)
    common["legal_actions"][..., 0] = True
    common.update(extra)
    return MeanFieldGame(S, A, **common), MeanFieldGame(S, A, reward_flow=reward_flow, **common)


@pytest.mark.parametrize("temperature", [None, 0.3])
def test_reward_flow_gives_the_per_step_results(temperature: float | None) -> None:
    plain, flow = _flow_pair()
    rng = np.random.default_rng(2)
    pi = rng.random(plain.policy_shape) * plain.legal + 1e-3 * plain.legal
    pi /= pi.sum(-1, keepdims=True)
    a, b = plain.evaluate(pi, temperature), flow.evaluate(pi, temperature)
    for key in ("mu", "value", "best_value", "best_response", "gaps"):
        np.testing.assert_allclose(b[key], a[key], rtol=1e-12, atol=1e-13)
    mu = plain.forward(pi)
    np.testing.assert_allclose(flow.induced_mdp(mu).rewards, plain.induced_mdp(mu).rewards, rtol=1e-13)
    np.testing.assert_allclose(flow.policy_value(pi, mu, None, temperature),
                               plain.policy_value(pi, mu, None, temperature), rtol=1e-12)
    assert eq.nash_conv(flow, pi) == pytest.approx(eq.nash_conv(plain, pi), rel=1e-12)


def test_reward_flow_is_checked_against_reward() -> None:
    with pytest.raises(InvalidGameError, match="reward_flow disagrees with reward.*step 5"):
        _flow_pair(flow_shift=1e-6)
    _flow_pair(flow_shift=1e-14)  # rounding-level differences pass
    with pytest.raises(InvalidGameError, match="reward_flow must give an array of shape"):
        MeanFieldGame(2, 2, reward=np.zeros((2, 2)), reward_flow=lambda mu: np.zeros((3, 3)),
                      transition=np.full((2, 2, 2), 0.5), horizon=3)
    with pytest.raises(InvalidGameError, match="reward_flow must be a callable"):
        MeanFieldGame(2, 2, reward=np.zeros((2, 2)), reward_flow=np.zeros((1, 3, 2, 2)),
                      transition=np.full((2, 2, 2), 0.5), horizon=3)
    for extra in (dict(horizon=None, discount=0.9), dict(horizon=3, action_dependent=True)):
        with pytest.raises(InvalidGameError, match="reward_flow needs a finite horizon"):
            MeanFieldGame(2, 2, reward=np.zeros((2, 2)), reward_flow=lambda mu: np.zeros((1, 3, 2, 2)),
                          transition=np.full((2, 2, 2), 0.5), **extra)


@pytest.mark.parametrize("name", [
    "crowd_modelling(size=6, horizon=4)", "crowd_modelling(size=6, horizon=4, move_cost='exact')",
    "crowd_modelling_2d(size=4, horizon=3)", "crowd_modelling_2d(size=4, horizon=3, move_cost='exact')",
    "crowd_modelling_2d(size=4, horizon=3, with_congestion=True)",
    "crowd_modelling_2d(size=4, horizon=3, only_distribution_reward=True)", "garnet(size=5, horizon=4)",
    "periodic_aversion(size=7, horizon=4, n_actions_per_side=2)",
    "periodic_aversion(size=7, horizon=4, n_actions_per_side=2, move_cost='exact')",
    "linear_quadratic(size=6, horizon=4)", "linear_quadratic(size=6, horizon=3, dt=0.5, cross_q=0.3)",
    "predator_prey(size=3, horizon=3)",
    "crowd_avoidance(size=4, horizon=3, coef_congestion=0.6, init_distrib=["
    + ", ".join(["0.5", "0", "0", "0", "0", "0.5"] + ["0"] * 10 + ["0"] * 10 + ["0.5"] + ["0"] * 4 + ["0.5"])
    + "])",
    "mfglib:rock_paper_scissors(T=3)", "mfglib:susceptible_infected(T=4)", "mfglib:left_right",
    "mfglib:beach_bar(T=4, n=5)", "mfglib:building_evacuation(T=2, n_floor=2, floor_l=3, floor_w=2)",
    "mfglib:linear_quadratic(T=4, el=4)",
])
def test_catalog_reward_flows_match_their_rewards(name: str) -> None:
    """The catalog games' batched rewards (the ones `evaluate` uses) against their per-step rewards
    along a random policy's flow and along random flows: the same numbers, bit for bit."""
    game = eq.load_game(name)
    assert game._reward_flow is not None
    rng = np.random.default_rng(4)
    pi = rng.random(game.policy_shape) * game.legal
    pi /= pi.sum(-1, keepdims=True)
    flows = [game.forward(pi)] + [rng.random(game.mean_field_shape) for _ in range(2)]
    for mu in flows:
        mu = mu / mu.sum(-1, keepdims=True)
        R = game.induced_mdp(mu).rewards
        for t in range(game.horizon):
            np.testing.assert_array_equal(R[:, t], game.reward_at(t, mu[:, t]))


def _fixed_kernel_game(seed: int, *, K: int, S: int, A: int, H: int, kind: str, discount: float,
                       terminal: bool) -> MeanFieldGame:
    """A random game with one fixed kernel and every action legal (the `exploitability_gaps` fast path)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(K, H, S, A))
    if kind == "dense":
        P = rng.random((K, S, A, S)) ** 3
        transition = P / P.sum(-1, keepdims=True)
    else:
        probs = rng.random((K, S, A, 3))
        transition = (rng.integers(0, S, size=(K, S, A, 3)), probs / probs.sum(-1, keepdims=True))
    return MeanFieldGame(
        S, A, reward=lambda t, m: base[:, t] - np.log(m + 1e-3)[..., None], transition=transition,
        horizon=H, discount=discount, num_populations=K,
        terminal_reward=rng.normal(size=(K, S)) if terminal else None,
    )


@pytest.mark.parametrize("case", [
    dict(K=1, S=6, A=3, H=5, kind="sparse", discount=1.0, terminal=False),
    dict(K=1, S=5, A=2, H=4, kind="dense", discount=0.9, terminal=True),
    dict(K=2, S=5, A=4, H=4, kind="dense", discount=0.8, terminal=True),
    dict(K=3, S=4, A=6, H=3, kind="sparse", discount=1.0, terminal=True),  # A > 4: the reduction
    dict(K=1, S=4, A=1, H=3, kind="dense", discount=1.0, terminal=False),
])
def test_fixed_kernel_gaps_are_the_generic_ones(case: dict) -> None:
    """`exploitability_gaps` on a fixed-kernel game (buffers reused across calls) gives the generic
    evaluation's gaps bit for bit, call after call, and the backward passes' values."""
    game = _fixed_kernel_game(7, **case)
    assert game._gap_workspace_ok
    rng = np.random.default_rng(8)
    for _ in range(3):
        pi = rng.random(game.policy_shape) ** 2 + 1e-3
        pi /= pi.sum(-1, keepdims=True)
        gaps = game.exploitability_gaps(pi)
        np.testing.assert_array_equal(gaps, game._evaluate_policy(pi, None, False)["gaps"])
        mu = game.forward(pi)
        _, V = game.best_response(mu)
        best = np.einsum("ks,ks->k", game.initial, V[:, 0])
        np.testing.assert_allclose(gaps, best - game.policy_value(pi, mu), rtol=1e-12, atol=1e-12)
    # an explicit zero temperature takes the same path; a positive one the generic (soft) evaluation
    np.testing.assert_array_equal(game.exploitability_gaps(pi, temperature=0.0), gaps)
    np.testing.assert_allclose(game.exploitability_gaps(pi, temperature=0.5),
                               game.evaluate(pi, temperature=0.5)["gaps"], rtol=0, atol=0)


def test_fixed_kernel_gaps_from_several_threads() -> None:
    """Each thread has its own buffers: concurrent evaluations give the serial numbers."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    game = eq.load_game("crowd_modelling(size=8, horizon=6)")
    rng = np.random.default_rng(9)
    policies = [rng.random(game.policy_shape) + 0.1 for _ in range(16)]
    policies = [p / p.sum(-1, keepdims=True) for p in policies]
    serial = [game.exploitability_gaps(p) for p in policies]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            for got, want in zip(pool.map(game.exploitability_gaps, policies), serial, strict=True):
                np.testing.assert_array_equal(got, want)
