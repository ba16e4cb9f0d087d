"""Balanced / Adaptive FTRL (Fiegel et al., ICML 2023): the balanced kernel's defining property, the
closed-form FTRL step, unbiased trajectory loss estimates, Adaptive FTRL's transition estimates and
the O(1/√T) decrease of NashConv on Kuhn poker."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest

import equilibria as eq
from equilibria.dynamics.balanced_ftrl import AdaptiveFTRL, BalancedFTRL, balanced_kernel
from equilibria.metrics import nash_conv


@cache
def game(name: str):
    return eq.load_game(name)


def _pairs(g, p):
    """(infoset, action, flat sequence) of every pair of player p, in the game's order."""
    A = g.max_actions
    return [(int(I), a, 1 + int(I) * A + a)
            for I in g.player_infosets[p] for a in range(int(g.infoset_num_actions[I]))]


def _ancestors(g, I):
    """The (infoset, action) pairs of the owner above information set I, root first."""
    A = g.max_actions
    out, s = [], int(g.infoset_parent_seq[I])
    while s:
        J, a = (s - 1) // A, (s - 1) % A
        out.append((J, a))
        s = int(g.infoset_parent_seq[J])
    return out[::-1]


@pytest.mark.parametrize("name", ["kuhn_poker", "leduc_poker"])
@pytest.mark.parametrize("player", [0, 1])
def test_balanced_kernel_makes_every_last_action_equally_likely(name, player):
    """Under the balanced policy μ* and transitions p*, (x, a) is reached with probability
    C(x, a)/A_X and ends the player's trajectory with probability 1/C(x, a): every one of the A_X
    pairs is the last one with probability 1/A_X. Counts are recomputed here by walking each pair's
    ancestors (not by the module's bottom-up pass)."""
    g = game(name)
    k = balanced_kernel(g, player)
    pairs = _pairs(g, player)
    count = {(I, a): 1 for I, a, _ in pairs}
    for I, _a, _ in pairs:
        for anc in _ancestors(g, I):
            count[anc] += 1
    assert float(k["total"]) == len(pairs)
    total = len(pairs)
    last = []
    for I, a, _ in pairs:
        assert k["counts"][I, a] == count[(I, a)]
        reach = k["transition"][I] * k["policy"][I, a]
        for J, b in _ancestors(g, I):
            reach *= k["transition"][J] * k["policy"][J, b]
        assert reach == pytest.approx(count[(I, a)] / total, rel=1e-12)
        last.append(reach / count[(I, a)])
        chain = np.prod([k["transition"][J] for J, _ in _ancestors(g, I)]) * k["transition"][I]
        assert k["reach"][I] == pytest.approx(chain, rel=1e-12)
    np.testing.assert_allclose(last, 1.0 / total, rtol=1e-12)


def test_balanced_kernel_of_kuhn_by_hand():
    """Kuhn poker, player 1 (0-based 0): at its first infoset pass leads to one two-action infoset
    (after pass-bet), bet ends its play: C(pass) = 3, C(bet) = 1, μ*(pass) = 3/4, p*(root) = 4/12;
    player 2's six infosets each have two terminal actions: μ* uniform, p* = 2/12."""
    g = game("kuhn_poker")
    k0, k1 = balanced_kernel(g, 0), balanced_kernel(g, 1)
    roots = [int(I) for I in g.player_infosets[0] if g.infoset_parent_seq[I] == 0]
    assert len(roots) == 3
    for I in roots:
        np.testing.assert_allclose(k0["policy"][I, :2], [3 / 4, 1 / 4], rtol=1e-12)
        assert k0["reach"][I] == pytest.approx(1 / 3, rel=1e-12)
    for I in g.player_infosets[1]:
        np.testing.assert_allclose(k1["policy"][I, :2], [0.5, 0.5], rtol=1e-12)
        assert k1["reach"][I] == pytest.approx(1 / 6, rel=1e-12)


def test_closed_form_minimises_the_weighted_dilated_entropy_objective():
    """The bottom-up pass returns argmin_μ <L, μ> + Σ_x η_x⁻¹ Σ_a μ_{1:h}(x, a) log(μ(a|x)/μ*(a|x))
    over the treeplex: every random perturbation of the policy has a larger objective."""
    g = game("leduc_poker")
    learner = BalancedFTRL(g, seed=0)
    L = learner._layout
    rng = np.random.default_rng(3)
    learner.cumulative_loss[:] = rng.uniform(0, 5, learner.cumulative_loss.shape) * L.legal
    p = 0
    lo, hi = L.spans[p]
    eta = rng.uniform(0.2, 2.0, hi - lo)
    learner._policy(p, eta)
    sigma = learner.sigma.copy()
    ref = learner._reference  # the balanced policy μ*: Ψ is the dilated KL to it

    def objective(pol):
        r = np.zeros(L.num_sequences)
        r[0] = 1.0
        L.realization_plan(pol, r, p)
        seq = r[1:].reshape(L.num_infosets, L.max_actions)[lo:hi]
        ratio = np.where(pol[lo:hi] > 0, pol[lo:hi], 1.0) / np.where(ref[lo:hi] > 0, ref[lo:hi], 1.0)
        ent = np.where(seq > 0, seq * np.log(ratio), 0.0)
        return float((seq * learner.cumulative_loss[lo:hi]).sum() + (ent.sum(axis=1) / eta).sum())

    best = objective(sigma)
    for scale in (1e-3, 1e-2, 1e-1):
        for _ in range(20):
            noise = np.exp(scale * rng.standard_normal(sigma.shape)) * L.legal
            other = sigma * noise
            other /= other.sum(axis=1, keepdims=True)
            assert objective(other) > best - 1e-9 * abs(best)


def test_first_policies_are_the_regularisers_minimisers():
    """With no loss seen, Balanced FTRL plays the balanced policy μ*, Adaptive FTRL the uniform one."""
    g = game("kuhn_poker")
    sigma = eq.make_learner(g, "balanced-ftrl").current_strategy()
    for p in range(2):
        rows = g.player_infosets[p]
        np.testing.assert_allclose(sigma[rows], balanced_kernel(g, p)["policy"][rows], rtol=1e-15)
    np.testing.assert_allclose(eq.make_learner(g, "adaptive-ftrl").current_strategy(), g.uniform_profile())


def test_trajectory_loss_estimate_is_unbiased_without_implicit_exploration():
    """E[ℓ̃] = the sequence-form loss ℓ(s) = Σ_{z: seq_p(z)=s} π_c π_{-p}(z) ℓ_p(z) (γ = 0)."""
    g = game("kuhn_poker")
    n = 200_000
    learner = BalancedFTRL(g, seed=1, implicit_exploration=0.0, batch=n)
    first = learner.sigma.copy()  # the balanced policy: the episodes are sampled from it
    learner.step()
    L = learner._layout
    est = learner.cumulative_loss / n
    r = np.zeros(L.num_sequences)
    r[0] = 1.0
    for q in range(2):
        L.realization_plan(first, r, q)
    u = g.terminal_utility
    for p in range(2):
        loss = (u[:, p].max() - u[:, p]) / (u[:, p].max() - u[:, p].min())
        w = g.terminal_chance * r[L.terminal_seq[1 - p]] * loss
        exact = np.bincount(L.terminal_seq[p], weights=w, minlength=L.num_sequences)[1:]
        lo, hi = L.spans[p]
        got = est.reshape(-1)[lo * L.max_actions:hi * L.max_actions]
        np.testing.assert_allclose(got, exact[lo * L.max_actions:hi * L.max_actions], atol=0.02)


def test_adaptive_transition_estimates_track_the_counterfactual_transitions():
    """With (almost) no learning the policy stays uniform; P̃(x) − 1 over n estimates the chance ×
    opponent reach of x: 1/3 at Kuhn player 1's roots (a card), 1/6 at player 2's (a card, then
    the opponent's uniform action)."""
    g = game("kuhn_poker")
    n = 100_000
    learner = AdaptiveFTRL(g, seed=2, step_size=1e-12, implicit_exploration=0.0, batch=n)
    learner.step()
    L = learner._layout
    est = (learner.transition_estimate - 1.0) / n
    rows0 = L.new_of_old[[I for I in g.player_infosets[0] if g.infoset_parent_seq[I] == 0]]
    np.testing.assert_allclose(est[rows0], 1 / 3, atol=0.01)
    np.testing.assert_allclose(est[L.new_of_old[g.player_infosets[1]]], 1 / 6, atol=0.01)


@pytest.mark.parametrize("method", ["balanced-ftrl", "adaptive-ftrl"])
def test_nash_conv_within_the_claimed_rate_on_kuhn(method):
    """The paper's bound: NashConv of the average profile, in loss units (payoffs / range 4), at
    most of order √(H (A_X + B_Y) / T) after T trajectories (H = 5 levels, A_X = B_Y = 12 in Kuhn).
    Checked with constant 1 and no log factor, seed averaged, and decreasing as a power of T.
    Episodes come 8 per update (``batch=8``: the policy held for 8 trajectories) to keep the test
    short; the rates are in trajectories, as the bound."""
    g = game("kuhn_poker")
    checkpoints = np.array([500, 1000, 2000, 4000])
    curves = []
    for seed in (0, 1):
        learner = eq.make_learner(g, method, seed=seed, batch=8)
        vals, done = [], 0
        for t in checkpoints // 8:
            for _ in range(t - done):
                learner.step()
            done = t
            vals.append(nash_conv(g, learner.average_strategy()))
        curves.append(vals)
    mean = np.mean(curves, axis=0) / 4.0
    assert np.all(np.diff(mean) < 0), mean
    assert np.all(mean <= np.sqrt(int(g.node_depth.max()) * 24 / checkpoints)), mean
    slope = np.polyfit(np.log(checkpoints), np.log(mean), 1)[0]
    assert -1.0 < slope < -0.15, (slope, mean)


def test_batch_counts_trajectories_and_checkpoint_state():
    g = game("kuhn_poker")
    learner = AdaptiveFTRL(g, seed=0, batch=7)
    for _ in range(3):
        learner.step()
    assert learner.diagnostics()["trajectories"] == 21
    state = learner.state_dict()
    assert "_layout" not in state and "_pstar" not in state
    for key in ("cumulative_loss", "cumulative_plan", "sigma", "transition_estimate"):
        assert isinstance(state[key], np.ndarray)


@pytest.mark.parametrize("options", [{"step_size": 0.0}, {"step_size": float("nan")}, {"batch": 0},
                                     {"batch": 10**9}, {"implicit_exploration": -1.0}, {"batch": 1.5}])
def test_bad_options_raise(options):
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(game("kuhn_poker"), "balanced-ftrl", **options)


def test_cli_solve_and_bad_option(capsys):
    from equilibria.cli import main

    assert main(["solve", "kuhn_poker", "--method", "adaptive-ftrl", "--iterations", "30", "--seed", "0",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert np.isfinite(out["nash_conv"])
    assert main(["solve", "kuhn_poker", "--method", "balanced-ftrl", "-o", "batch=0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "batch" in err[0]
