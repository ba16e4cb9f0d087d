"""Mean-field learners (`equilibria.dynamics.mean_field`) against OpenSpiel's own implementations.

Peers: ``open_spiel.python.mfg.algorithms`` run on OpenSpiel's games (bridged by
`equilibria.io.openspiel_mfg`, which maps OpenSpiel's states and policies to ours). Each test runs
the peer for a few iterations and compares, iteration by iteration, the policies (to 1e-9) and the
exploitability (to 1e-9; OpenSpiel's ``NashConv`` at a few iterations, ours of the peer's policy at
every one). Kept small: OpenSpiel's Python evaluators take ~0.3 s per iteration on crowd_modelling.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import equilibria as eq
from equilibria.dynamics.mean_field import MFOMO, OnlineMirrorDescent
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.games.mean_field import MeanFieldGame
from equilibria.run import run

pyspiel = pytest.importorskip("pyspiel")
from open_spiel.python.mfg import value as os_value  # noqa: E402
from open_spiel.python.mfg.algorithms import (  # noqa: E402
    boltzmann_policy_iteration,
    fictitious_play,
    fixed_point,
    mirror_descent,
    munchausen_mirror_descent,
    nash_conv,
)

from equilibria.dynamics.mean_field import openspiel_sweep  # noqa: E402
from equilibria.io.openspiel_mfg import from_openspiel_policy, load_openspiel_mfg  # noqa: E402

ITERS = 20


@pytest.fixture(scope="module")
def crowd():
    return load_openspiel_mfg("mfg_crowd_modelling")


@pytest.fixture(scope="module")
def garnet():
    return load_openspiel_mfg("mfg_garnet", {"size": 5, "horizon": 5})


class _SweepFrozenMirrorDescent(mirror_descent.MirrorDescent):
    """OpenSpiel's ``MirrorDescent`` with its policy read from a copy of the cumulated values.

    OpenSpiel's ``ProjectedPolicy`` reads the cumulated value table that the same sweep is
    updating, so a decision node visited after one of its children (reached earlier through a
    neighbour) plays a policy already partly moved to π_{k+1}: the Q-function it sums is not
    exactly π_k's. Freezing the table for the sweep gives the algorithm of the paper; nothing else
    changes.
    """

    def iteration(self, learning_rate=None):
        if self._md_step > 0:
            frozen = os_value.TabularValueFunction(self._game)
            frozen._values = copy.copy(self._cumulative_state_value._values)
            self._policy = mirror_descent.ProjectedPolicy(self._game, [0], frozen)
        super().iteration(learning_rate)


def _follow(bridge, peer, method, iters, options=None, output="last", peer_nash_conv_at=()):
    """Run the peer and our learner side by side; assert equal policies and exploitabilities."""
    game = bridge.game
    learner = eq.make_learner(game, method, **(options or {}))
    # the (population, step, state) triples OpenSpiel has a decision node for (the bridge adds
    # absorbing states OpenSpiel never plays in)
    known = tuple(np.array(sorted(bridge.states)).T)
    for k in range(1, iters + 1):
        peer.iteration()
        learner.step()
        ours = learner.strategy(output)
        theirs = from_openspiel_policy(bridge, peer.get_policy())
        np.testing.assert_allclose(
            ours[known], theirs[known], rtol=0, atol=1e-9, err_msg=f"{method}, iteration {k}"
        )
        ours_nc = eq.nash_conv(game, ours)
        assert ours_nc == pytest.approx(eq.nash_conv(game, theirs), abs=1e-9)
        if k in peer_nash_conv_at:
            peer_nc = nash_conv.NashConv(bridge.openspiel_game, peer.get_policy()).nash_conv()
            assert ours_nc == pytest.approx(peer_nc, abs=1e-9), f"{method}, iteration {k}"


def test_fictitious_play_follows_openspiel_crowd_modelling(crowd):
    peer = fictitious_play.FictitiousPlay(crowd.openspiel_game)
    _follow(crowd, peer, "fictitious-play", ITERS, output="average", peer_nash_conv_at=(1, ITERS))


def test_fictitious_play_follows_openspiel_garnet(garnet):
    peer = fictitious_play.FictitiousPlay(garnet.openspiel_game)
    _follow(garnet, peer, "fictitious-play", 10, output="average", peer_nash_conv_at=(10,))


def test_omd_follows_openspiel_crowd_modelling(crowd):
    # the paper's rule (the default; step_size = OpenSpiel's lr 0.01) against OpenSpiel's
    # MirrorDescent with its sweep's table frozen, an independent implementation of that rule
    peer = _SweepFrozenMirrorDescent(crowd.openspiel_game)
    _follow(crowd, peer, "omd", ITERS, peer_nash_conv_at=(ITERS,))


def test_omd_openspiel_sweep_follows_openspiel_mirror_descent(crowd):
    # OpenSpiel's MirrorDescent itself, unmodified: our sweep="openspiel" replays its shared-table
    # sweep through a static mask, to 1e-9 for 20 iterations; the paper's rule (the default) drifts
    sweep = openspiel_sweep(crowd)
    assert sweep["visited"].any() and not sweep["visited"][:, 0].all()
    peer = mirror_descent.MirrorDescent(crowd.openspiel_game)
    _follow(crowd, peer, "omd", ITERS, options={"sweep": "openspiel", **sweep}, peer_nash_conv_at=(ITERS,))
    paper = eq.make_learner(crowd.game, "omd")
    for _ in range(ITERS):
        paper.step()
    theirs = from_openspiel_policy(crowd, peer.get_policy())
    gap = abs(eq.nash_conv(crowd.game, paper.strategy("last")) - eq.nash_conv(crowd.game, theirs))
    assert gap > 1e-4  # the artifact is real: the two rules are distinct algorithms


def test_omd_openspiel_sweep_several_populations():
    # predator_prey (three populations, 3 x 3 grid, horizon 3): the mask is per population
    from open_spiel.python.mfg.games import predator_prey  # noqa: F401  (registers the game)

    init = [0.0] * 27
    init[0] = init[8] = 0.5
    init[9 + 2] = init[18 + 5] = 1.0
    bridge = load_openspiel_mfg(
        "python_mfg_predator_prey", {"size": 3, "horizon": 3, "init_distrib": " ".join(map(str, init))}
    )
    peer = mirror_descent.MirrorDescent(bridge.openspiel_game)
    _follow(bridge, peer, "omd", 3, options={"sweep": "openspiel", **openspiel_sweep(bridge)})


def test_omd_sweep_options_are_checked(crowd):
    g = crowd.game
    with pytest.raises(InvalidParameterError, match="visited"):
        eq.make_learner(g, "omd", sweep="openspiel")
    with pytest.raises(InvalidParameterError, match="shape"):
        eq.make_learner(g, "omd", sweep="openspiel", visited=np.zeros((2, 2), dtype=bool))
    with pytest.raises(InvalidParameterError, match="sweep='openspiel' only"):
        eq.make_learner(g, "omd", visited=np.zeros(g.policy_shape, dtype=bool))
    with pytest.raises(InvalidParameterError):
        eq.make_learner(g, "omd", sweep="frozen")


def test_omd_follows_openspiel_munchausen_garnet(garnet):
    # OpenSpiel's tabular Munchausen OMD is its exact OMD (no shared table); 8 iterations: its
    # policies are chained, so each iteration costs more than the last
    peer = munchausen_mirror_descent.MunchausenMirrorDescent(garnet.openspiel_game)
    _follow(garnet, peer, "omd", 8, peer_nash_conv_at=(8,))


def test_munchausen_omd_follows_openspiel_garnet(garnet):
    peer = munchausen_mirror_descent.MunchausenMirrorDescent(garnet.openspiel_game, lr=0.05)
    _follow(garnet, peer, "munchausen-omd", 6, options={"temperature": 20.0, "alpha": 1.0})


def test_fixed_point_and_boltzmann_follow_openspiel(garnet):
    _follow(garnet, fixed_point.FixedPoint(garnet.openspiel_game), "fixed-point", 10, peer_nash_conv_at=(10,))
    peer = boltzmann_policy_iteration.BoltzmannPolicyIteration(garnet.openspiel_game, lr=0.5)
    _follow(garnet, peer, "boltzmann-policy-iteration", 10, options={"temperature": 2.0})


# ---- properties on small hand-built games ------------------------------------------------------


def _aversion_game(horizon: int | None = 3, action_free_moves: bool = False) -> MeanFieldGame:
    """3 states on a ring, actions stay/move right; reward c(s, a) − μ(s) − 0.5 μ(s)² and, unless
    ``action_free_moves``, a kernel that also depends on μ (crowded states are harder to leave)."""
    S, A = 3, 2
    c = np.array([[0.0, 0.3], [0.5, 0.1], [0.2, 0.4]])

    def reward(t, mu):
        return c[None] - (mu + 0.5 * mu**2)[..., None]

    def transition(t, mu):
        P = np.zeros((1, S, A, S))
        if action_free_moves:
            P[0, :, :, :] = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5]])[:, None, :]
            return P
        stick = 0.2 + 0.5 * mu[0]  # probability that a move right fails
        for s in range(S):
            P[0, s, 0, s] = 1.0
            P[0, s, 1, (s + 1) % S] = 1.0 - stick[s]
            P[0, s, 1, s] = stick[s]
        return P

    kw = {"horizon": horizon} if horizon is not None else {"discount": 0.8}
    return MeanFieldGame(S, A, reward=reward, transition=transition, initial=[0.5, 0.3, 0.2], **kw)


def test_munchausen_with_alpha_one_is_omd():
    """Laurière et al. (2022): with α = 1 the exact Munchausen iteration is OMD with step 1/τ."""
    g = _aversion_game()
    a = eq.make_learner(g, "munchausen-omd", temperature=4.0, alpha=1.0)
    b = eq.make_learner(g, "omd", step_size=0.25)
    for _ in range(8):
        a.step()
        b.step()
    np.testing.assert_allclose(a.current_strategy(), b.current_strategy(), rtol=0, atol=1e-12)
    c = eq.make_learner(g, "munchausen-omd", temperature=4.0, alpha=0.5)
    for _ in range(8):
        c.step()
    assert np.max(np.abs(c.current_strategy() - a.current_strategy())) > 1e-3


def test_mf_omo_objective_is_zero_exactly_at_a_nash_equilibrium():
    """Guo, Hu & Zhang (2023), Theorem 3: (L, y, z) is a zero of f iff L is an NE flow, y its value
    and z the advantage gap. With action-free moves the NE plays argmax c(s, a) whatever μ is."""
    g = _aversion_game(action_free_moves=True)
    learner = MFOMO(g)
    ne = g.best_response(g.forward(g.uniform_policy()))[0]
    assert eq.nash_conv(g, ne) == pytest.approx(0.0, abs=1e-12)
    mu = g.forward(ne)
    Q, V = g.q_values(mu)
    L = mu[:, :-1, :, None] * ne
    f, _ = learner.objective_and_gradient(L, V[:, :-1], V[:, :-1, :, None] - Q, gradient=False)
    assert f == pytest.approx(0.0, abs=1e-20)
    f0, _ = learner.objective_and_gradient(learner.L, learner.y, learner.z, gradient=False)
    assert f0 > 1e-3


def test_mf_omo_gradient_matches_the_objective():
    """The assembled gradient (adjoint terms plus the flow sensitivities) against central
    differences of f along random directions."""
    g = _aversion_game()
    learner = MFOMO(g)
    rng = np.random.default_rng(0)
    L = rng.dirichlet(np.ones(6), size=(1, 3)).reshape(1, 3, 3, 2)
    y, z = rng.normal(size=(1, 3, 3)), rng.random((1, 3, 3, 2))
    _, (gL, gy, gz) = learner.objective_and_gradient(L, y, z)
    for _ in range(3):
        dL, dy, dz = rng.normal(size=L.shape), rng.normal(size=y.shape), rng.normal(size=z.shape)
        h = 1e-5
        fp, _ = learner.objective_and_gradient(L + h * dL, y + h * dy, z + h * dz, gradient=False)
        fm, _ = learner.objective_and_gradient(L - h * dL, y - h * dy, z - h * dz, gradient=False)
        numeric = (fp - fm) / (2 * h)
        analytic = np.sum(gL * dL) + np.sum(gy * dy) + np.sum(gz * dz)
        assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_mf_omo_descends_and_lowers_exploitability():
    g = _aversion_game()
    learner = MFOMO(g, step_size=0.05)
    f0 = learner.diagnostics()["objective"]
    nc0 = eq.nash_conv(g, learner.current_strategy())
    trace = run(learner, 150, eval_every=150)
    assert learner.diagnostics()["objective"] < 0.1 * f0
    assert trace.nash_conv_last[-1] < 0.5 * nc0


@pytest.mark.parametrize(
    "method", ["fixed-point", "fictitious-play", "omd", "munchausen-omd", "boltzmann-policy-iteration",
               "prior-descent"]
)
def test_learners_run_on_a_discounted_game(method):
    g = _aversion_game(horizon=None, action_free_moves=True)
    trace = run(eq.make_learner(g, method), 30, eval_every=30)
    assert np.isfinite(trace.nash_conv[-1])
    if method in ("fictitious-play", "omd", "munchausen-omd"):
        assert trace.nash_conv[-1] < eq.nash_conv(g, g.uniform_policy())


def test_fictitious_play_rate_and_damped_fixed_point():
    """FP's exploitability falls roughly as 1/k (Perrin et al. 2020) on a crowd-aversion game where
    the undamped greedy fixed point cycles; the damped Boltzmann fixed point settles."""
    g = _aversion_game(horizon=4)
    trace = run(eq.make_learner(g, "fictitious-play"), 200, eval_every=20)
    nc = dict(zip(trace.iterations, trace.nash_conv, strict=True))
    assert nc[200] < nc[20] / 3.0  # ten times more iterations: at least three times smaller
    cycle = eq.make_learner(g, "fixed-point")
    run(cycle, 50, eval_every=50)
    assert cycle.diagnostics()["residual"] > 0.5
    settled = eq.make_learner(g, "fixed-point", damping=0.2, temperature=0.5)
    run(settled, 200, eval_every=200)
    assert settled.diagnostics()["residual"] < 1e-10


def test_bad_options_and_games():
    g = _aversion_game()
    with pytest.raises(InvalidParameterError):
        eq.make_learner(g, "omd", step_size=-1.0)
    with pytest.raises(InvalidParameterError):
        eq.make_learner(g, "fixed-point", damping=0.0)
    with pytest.raises(InvalidParameterError):
        eq.make_learner(g, "prior-descent", prior_every=0)
    with pytest.raises(NotApplicableError):
        eq.make_learner(_aversion_game(horizon=None, action_free_moves=True), "mf-omo")
    with pytest.raises(NotApplicableError):
        OnlineMirrorDescent(eq.load_game("weighted_rock_paper_scissors"))


# ---- MFGLib's algorithms on MFGLib's games ------------------------------------------------------


@pytest.mark.parametrize(
    ("game_name", "method", "options", "peer_name", "peer_options"),
    [
        ("beach_bar", "omd", {"step_size": 1.0}, "OnlineMirrorDescent", {"alpha": 1.0}),
        ("beach_bar", "prior-descent", {"temperature": 2.0}, "PriorDescent", {"eta": 2.0}),
        ("beach_bar", "fictitious-play", {}, "FictitiousPlay", {}),
    ],
)
def test_learners_follow_mfglib(game_name, method, options, peer_name, peer_options, mfglib_float64):
    import mfglib.alg as alg
    from mfglib.env import Environment

    env = getattr(Environment, game_name)()
    game = eq.load_game("mfglib:" + game_name)
    iters = 10
    pis, _, _ = getattr(alg, peer_name)(**peer_options).solve(env, max_iter=iters, atol=None, rtol=None)
    learner = eq.make_learner(game, method, **options)
    for k in range(1, iters + 1):
        learner.step()
        theirs = pis[k].numpy().reshape(game.policy_shape)
        np.testing.assert_allclose(learner.strategy(), theirs, rtol=0, atol=1e-6, err_msg=f"iteration {k}")


def test_mf_omo_follows_mfglib(mfglib_float64):
    """MFGLib's MFOMO (Adam 0.1, l1_l2 objective, hat initialisation) from the same start: the
    same iterates up to the finite differences our gradient takes along the flow."""
    import mfglib.alg as alg
    from mfglib.env import Environment

    env = Environment.beach_bar()
    game = eq.load_game("mfglib:beach_bar")
    pis, _, _ = alg.MFOMO().solve(env, max_iter=10, atol=None, rtol=None)
    learner = eq.make_learner(game, "mf-omo", init="uniform")
    for k in range(1, 11):
        learner.step()
        theirs = pis[k].numpy().reshape(game.policy_shape)
        np.testing.assert_allclose(learner.strategy(), theirs, rtol=0, atol=1e-6, err_msg=f"iteration {k}")
