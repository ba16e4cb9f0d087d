"""Repeated Stackelberg games with bandit feedback (setting of Yu & Chen, UAI 2024).

Checked: the best manipulation of an omniscient follower against an enumeration of every response
function; it never leaves the follower worse off than the pure Stackelberg equilibrium; a UCB1
leader's last iterate reaches the pure Stackelberg equilibrium against a learning myopic follower
and the manipulated outcome against the manipulative one, whose average reward is then higher.
The noisy-side-information follower (FMUCB, our reading): with exact estimates it plays FBM, and
against the learning leader it reaches the manipulated outcome with a positive gain.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import equilibria as eq
from equilibria.dynamics.stackelberg import best_manipulation, leader_view, pure_stackelberg
from equilibria.errors import InvalidParameterError, NotApplicableError

#: leader payoffs L, follower payoffs F: br(0) = 1, br(1) = 0, so the pure Stackelberg equilibrium
#: is (1, 0) with follower payoff 0.3; committing to F = (0, 1) makes the leader prefer action 0
#: (0.6 > 0.4) and gives the follower 0.5
L = np.array([[0.6, 0.2], [0.8, 0.4]])
F = np.array([[0.5, 0.9], [0.3, 0.1]])


def _enumerated_manipulation(mu_l: np.ndarray, mu_f: np.ndarray) -> float:
    A, B = mu_l.shape
    best = -np.inf
    for resp in itertools.product(range(B), repeat=A):
        lead = mu_l[np.arange(A), resp]
        a = int(np.argmax(lead))
        if np.sum(lead == lead[a]) == 1:  # the leader's learning has a unique target
            best = max(best, mu_f[a, resp[a]])
    return best


@pytest.mark.parametrize("seed", range(8))
def test_best_manipulation_matches_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B = rng.integers(2, 5, size=2)
    mu_l, mu_f = rng.random((2, A, B))
    a, resp = best_manipulation(mu_l, mu_f)
    lead = mu_l[np.arange(A), resp]
    assert int(np.argmax(lead)) == a and np.sum(lead == lead.max()) == 1
    assert mu_f[a, resp[a]] == pytest.approx(_enumerated_manipulation(mu_l, mu_f))
    a_star, br = pure_stackelberg(mu_l, mu_f)
    assert mu_f[a, resp[a]] >= mu_f[a_star, br[a_star]]


def test_pure_stackelberg_matches_the_hand_computation() -> None:
    a_star, br = pure_stackelberg(L, F)
    assert a_star == 1 and list(br) == [1, 0]
    a, resp = best_manipulation(L, F)
    assert a == 0 and list(resp) == [0, 1]


@pytest.mark.parametrize("leader", [0, 1])
def test_learning_reaches_the_equilibria(leader: int) -> None:
    game = eq.NormalFormGame.from_bimatrix(L, F) if leader == 0 else eq.NormalFormGame.from_bimatrix(F.T, L.T)
    lead, fol = (0, 1) if leader == 0 else (1, 0)
    honest = eq.solve(game, "stackelberg-ucb", iterations=3000, seed=0, leader=leader)[0]
    assert np.argmax(honest.strategies[lead]) == 1 and np.argmax(honest.strategies[fol]) == 0
    manip = eq.solve(game, "stackelberg-ucb", iterations=3000, seed=0, leader=leader,
                     follower="manipulative")[0]
    assert np.argmax(manip.strategies[lead]) == 0 and np.argmax(manip.strategies[fol]) == 0
    gain = (manip.info["trace"].extra["follower_mean_reward"][-1]
            - honest.info["trace"].extra["follower_mean_reward"][-1])
    # means on the unit scale: follower 0.5 vs 0.3 -> (0.5 - 0.1)/0.8 - (0.3 - 0.1)/0.8 = 0.25
    assert gain > 0.1


@pytest.mark.parametrize("seed", range(3))
def test_fmucb_with_exact_estimates_is_fbm(seed: int) -> None:
    from equilibria.dynamics.stackelberg import StackelbergUCB

    rng = np.random.default_rng(40 + seed)
    A, B = rng.random((2, 3, 4))
    learner = StackelbergUCB(eq.NormalFormGame.from_bimatrix(A, B), follower="noisy-manipulative")
    big = 1e12  # counts so large that the bonus vanishes and the means are the true ones
    learner.n_f[:] = big
    learner.s_side[:] = learner.mu_l * big
    learner.s_f[:] = learner.mu_f * big
    a, resp = learner._fmucb(1e6)
    a_true, resp_true = best_manipulation(learner.mu_l, learner.mu_f)
    assert a == a_true and list(resp) == list(resp_true)


def test_fmucb_learns_to_manipulate() -> None:
    game = eq.NormalFormGame.from_bimatrix(L, F)
    honest = eq.solve(game, "stackelberg-ucb", iterations=3000, eval_every=3000, seed=1)[0]
    noisy = eq.solve(game, "stackelberg-ucb", iterations=3000, eval_every=3000, seed=1,
                     follower="noisy-manipulative")[0]
    assert [int(np.argmax(x)) for x in noisy.strategies] == [0, 0]  # the FBM target, not (1, 0)
    gain = (noisy.info["trace"].extra["follower_mean_reward"][-1]
            - honest.info["trace"].extra["follower_mean_reward"][-1])
    assert gain > 0.1  # FBM's gain on the unit scale is 0.25 (test above)


def test_bad_input() -> None:
    three = eq.load_game("random_uniform(players=3, actions=2, seed=0)")
    with pytest.raises(NotApplicableError, match="two-player"):
        eq.solve(three, "stackelberg-ucb", iterations=5)
    g = eq.load_game("battle_of_the_sexes")
    with pytest.raises(InvalidParameterError, match="follower"):
        eq.solve(g, "stackelberg-ucb", iterations=5, follower="greedy")
    with pytest.raises(InvalidParameterError, match="leader"):
        eq.solve(g, "stackelberg-ucb", iterations=5, leader=2)
    with pytest.raises(InvalidParameterError, match="exploration"):
        eq.solve(g, "stackelberg-ucb", iterations=5, follower="noisy-manipulative", exploration=float("nan"))
    mu_l, mu_f = leader_view(g, 1)
    assert mu_l.shape == (2, 2) and mu_l.min() == 0 and mu_l.max() == 1
