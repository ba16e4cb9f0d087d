"""`MeanFieldGame.evaluate` (the fast path behind ``nash_conv``) against the generic backward passes.

`evaluate` sums J(π, μ^π) along the flow and sweeps only the best response's values; these tests
check it against `policy_value` and `best_response` (the per-step backward induction) on random
finite-horizon games with every feature the fast path special-cases: several populations, a discount,
a terminal reward, illegal actions, an entropy temperature, μ-dependent and fixed (sparse and dense,
small and large) kernels, and action-dependent rewards.
"""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq
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
