"""GRPO-family learners on verifiable-reward games: closed-form gradients against autograd,
allocation rules against brute force and hand computations, paper-specific properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import InvalidParameterError
from equilibria.rlvr import allocation as alloc
from equilibria.rlvr.advantages import GroupTooSmallError


def _learner(method: str, spec: str = "rlvr:toy(prompts=6, vocab=2, max_length=3, seed=2)", **opts):
    return eq.make_learner(eq.load_game(spec), method, seed=0, **opts)


def _torch_objective_grad(learner, batch, logits0, logits, kl_coef: float, clip: bool) -> np.ndarray:
    """∇ of the surrogate (clipped ratio or log-prob, minus β k3) at ``logits``, by autograd."""
    import torch

    flat, _, adv, agg = learner._token_weights(batch)
    X, N, A = logits.shape
    old = torch.log_softmax(torch.tensor(logits0), dim=-1).reshape(-1)[flat]
    th = torch.tensor(logits, requires_grad=True)
    logp = torch.log_softmax(th, dim=-1).reshape(-1)[flat]
    a = torch.tensor(adv)
    w = torch.tensor(agg)
    if clip:
        ratio = torch.exp(logp - old)
        lo, hi = 1 - learner.clip_range, 1 + learner.clip_high
        obj = (w * torch.minimum(ratio * a, torch.clamp(ratio, lo, hi) * a)).sum()
    else:
        obj = (w * a * logp).sum()
    if kl_coef:
        ref = torch.tensor(learner.game.prior_policy).reshape(-1)[flat]
        x = ref / torch.exp(logp)
        obj = obj - kl_coef * (w * (x - torch.log(x) - 1)).sum()
    obj.backward()
    return th.grad.numpy()


@pytest.mark.parametrize("method,opts", [
    ("grpo", {"kl_coef": 0.3}),
    ("dr-grpo", {}),
    ("gpg", {}),
    ("rloo", {}),
    ("bnpo", {"aggregation": "token-mean", "kl_coef": 0.1}),
])
def test_closed_form_gradient_matches_autograd(method: str, opts: dict) -> None:
    lr = _learner(method, step_size=1e-3, **opts)
    for _ in range(3):  # move away from the prior first
        lr.step()
    batch = lr.sample_batch()
    before = lr.logits.copy()
    lr.apply_batch(batch)
    g = (lr.logits - before) / lr.step_size
    ref = _torch_objective_grad(lr, batch, before, before, lr.kl_coef, lr.surrogate == "clip")
    assert np.abs(g).max() > 0
    assert g == pytest.approx(ref, abs=1e-10)


def test_second_epoch_uses_the_clipped_ratio() -> None:
    lr = _learner("grpo", step_size=3.0, epochs=2, clip_range=0.1)
    batch = lr.sample_batch()
    start = lr.logits.copy()
    lr.epochs = 1
    lr.apply_batch(batch)
    mid = lr.logits.copy()
    lr.logits = start.copy()
    lr.epochs = 2
    lr.apply_batch(batch)
    g2 = (lr.logits - mid) / lr.step_size
    ref = _torch_objective_grad(lr, batch, start, mid, 0.0, True)
    assert g2 == pytest.approx(ref, abs=1e-10)
    # some tokens were clipped: the unclipped gradient differs
    flat, _, adv, _ = lr._token_weights(batch)
    ratio = np.exp(np.log(eq.dynamics.rlvr.softmax_logits(mid).reshape(-1)[flat])
                   - np.log(eq.dynamics.rlvr.softmax_logits(start).reshape(-1)[flat]))
    assert np.any((adv > 0) & (ratio > 1.1)) or np.any((adv < 0) & (ratio < 0.9))


def test_aggregation_weights() -> None:
    lr = _learner("dr-grpo")
    batch = lr.sample_batch()
    _, _, _, agg = lr._token_weights(batch)
    S, B, L = len(batch["answers"]), len(batch["prompts"]), lr.game.max_length
    assert agg == pytest.approx(np.full(len(agg), B / (S * L)))
    lr = _learner("grpo")
    batch = lr.sample_batch()
    _, _, _, agg = lr._token_weights(batch)
    # (1/S)(1/|o_i|) per token: each answer's tokens weigh 1/S in all
    steps = lr.game.answer_steps[batch["answers"]]
    assert agg.sum() == pytest.approx(len(batch["prompts"]))
    per_token = np.unique(np.round(agg * len(batch["answers"]) / len(batch["prompts"]), 12))
    assert per_token == pytest.approx(np.unique(np.round(1.0 / steps, 12)))


def test_ngrpo_learns_where_grpo_gradient_is_zero() -> None:
    # one prompt whose correct answer has prior probability 1e-9: every group is all wrong
    spec = "rlvr:toy(prompts=1, vocab=3, max_length=2, min_pass=1e-9, max_pass=1e-9, seed=0)"
    g = _learner("grpo", spec)
    start = g.logits.copy()
    g.step()
    assert np.array_equal(g.logits, start)
    n = _learner("ngrpo", spec)
    n.step()
    assert not np.array_equal(n.logits, start)
    # the sampled (wrong) answers lose probability
    assert n.last_nonzero_share == 1.0 and g.last_nonzero_share == 0.0


def test_knapsack_budgets_are_optimal() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.choice([0.0, 0.1, 0.3, 0.5, 0.8, 1.0], size=3)
        total, lo, hi = int(rng.integers(3, 13)), 1, 6
        got = alloc.knapsack_budgets(p, total, lo, hi)
        assert got.sum() == min(total, 3 * hi) and got.min() >= lo and got.max() <= hi
        best = max(alloc.knapsack_value(np.array(n), p).sum()
                   for n in itertools.product(range(lo, hi + 1), repeat=3) if sum(n) == min(total, 3 * hi))
        assert alloc.knapsack_value(got, p).sum() == pytest.approx(best, abs=1e-12)
    # budget with no value goes to the unsolved prompt first (the paper's fallback)
    assert list(alloc.knapsack_budgets(np.array([0.0, 1.0, 0.5]), 12, 1, 6)) == [5, 1, 6]


def test_mopps_and_sec_updates_by_hand() -> None:
    a, b = alloc.mopps_update(np.array([3.0, 1.0]), np.array([1.0, 5.0]), np.array([1]), np.array([2.0]),
                              np.array([8.0]), decay=0.5)
    # a ← 0.5 a + 0.5, then + successes on prompt 1; b likewise with failures
    assert a == pytest.approx([2.0, 3.0]) and b == pytest.approx([1.0, 9.0])
    q = alloc.sec_update(np.array([0.0, 1.0, 2.0]), np.array([0, 1, 1, 2]), np.array([1, 2, 0]),
                         np.array([0.4, 0.8, 0.2]), rate=0.5)
    # category 1 (prompts 1, 2): mean |A| 0.6 → 0.5·0.6 + 0.5·1; category 0: 0.5·0.2 + 0; 2 unseen
    assert q == pytest.approx([0.1, 0.8, 2.0])
    rng = np.random.default_rng(0)
    picks = alloc.sec_select(rng, np.array([0.0, 10.0]), np.array([0, 0, 1, 1, 1]), 50, temperature=0.2)
    assert set(picks.tolist()) <= {2, 3, 4}


@pytest.mark.parametrize("allocation", ["uniform", "knapsack", "mopps", "sec"])
def test_allocations_spend_the_same_budget_and_resume_exactly(allocation: str, tmp_path) -> None:
    game = eq.load_game("rlvr:toy(prompts=12, vocab=2, max_length=3)")
    opts = dict(allocation=allocation, batch_prompts=6, group_size=4)
    straight = eq.make_learner(game, "grpo", seed=3, **opts)
    for _ in range(8):
        straight.step()
    assert straight.samples_drawn == 8 * 6 * 4
    path = tmp_path / "ck.zip"
    eq.solve(game, "grpo", iterations=4, seed=3, checkpoint=path, **opts)
    resumed = eq.solve(game, "grpo", iterations=8, seed=3, checkpoint=path, **opts)[0]
    got = resumed.strategies[0] if isinstance(resumed.strategies, list) else resumed.strategies
    assert np.array_equal(got, straight.policy())


def test_entropy_control_token_selection() -> None:
    lr = _learner("grpo", entropy_control="clip-cov", cov_ratio=0.1)
    logp = np.log(np.array([0.9, 0.1, 0.5, 0.2, 0.05, 0.6, 0.3, 0.4, 0.7, 0.8]))
    adv = np.array([1.0, -1.0, 1.0, 2.0, -2.0, 0.0, 1.0, -1.0, 0.5, 3.0])
    cov = (logp - logp.mean()) * (adv - adv.mean())
    drop = lr._clip_cov_tokens(logp, adv)
    assert len(drop) == 1 and lr.cov_low <= cov[drop[0]] <= lr.cov_high
    lr = _learner("grpo", entropy_control="kl-cov", cov_ratio=0.2, epochs=2)
    top = lr._kl_cov_tokens(logp, adv)
    assert set(top.tolist()) == set(np.argsort(-cov)[:2].tolist())
    lr.step()  # runs with the penalty from the second epoch


def test_bad_options() -> None:
    with pytest.raises(InvalidParameterError, match="epochs >= 2"):
        _learner("grpo", entropy_control="kl-cov")
    with pytest.raises(GroupTooSmallError):
        _learner("pass@k", k=9, group_size=8)
    with pytest.raises(InvalidParameterError, match="group_size >= 2"):
        _learner("rloo", group_size=1)
    with pytest.raises(InvalidParameterError, match="bogus"):
        _learner("pass@k", bogus=1)
    with pytest.raises(InvalidParameterError):
        _learner("grpo", allocation="greedy")
    with pytest.raises(InvalidParameterError):
        _learner("grpo", step_size=-1.0)


def test_methods_lists_shared_options() -> None:
    entry = eq.registry.METHODS.get("pass@k", "rlvr")
    names = {p.name for p in entry.parameters()}
    assert {"k", "group_size", "allocation", "entropy_control"} <= names


def test_training_curves_and_knapsack_first_step() -> None:
    from equilibria.rlvr.curves import training_curves

    game = eq.load_game("rlvr:toy(prompts=8, vocab=2, max_length=2)")
    c = training_curves(game, "grpo", 6, seed=0, every=3, k=4)
    assert list(c["iteration"]) == [0, 3, 6]
    assert c["pass@1"][0] == pytest.approx(game.pass_rates(game.prior_policy).mean(), rel=1e-14)
    assert np.isnan(c["nonzero_share"][0]) and 0 <= c["nonzero_share"][-1] <= 1
    lr = eq.make_learner(game, "grpo", seed=0, allocation="knapsack", group_size=4)
    prompts, sizes = lr._allocate()
    assert np.all(sizes == 4)  # nothing seen yet: the uniform budget
    lr.step()
    prompts, sizes = lr._allocate()
    assert sizes.sum() == 8 * 4 and sizes.min() >= 2


def test_plots(tmp_path) -> None:
    from equilibria.plotting_rlvr import plot_rlvr_curves, plot_rlvr_traces
    from equilibria.rlvr.curves import training_curves

    game = eq.load_game("rlvr:toy(prompts=8, vocab=2, max_length=2)")
    traces = {m: eq.solve(game, m, iterations=4, seed=0)[0].info["trace"] for m in ("grpo", "dr-grpo")}
    out = plot_rlvr_traces(traces, tmp_path / "t.png", title="toy")
    assert (tmp_path / "t.png").stat().st_size > 1000 and out.endswith("t.png")
    plot_rlvr_curves({"grpo": training_curves(game, "grpo", 3)}, tmp_path / "c.png", k=8)
    assert (tmp_path / "c.png").exists()
    with pytest.raises(InvalidParameterError, match="pass@1"):
        other = eq.solve("matching_pennies", "fictitious-play", iterations=3)[0].info["trace"]
        plot_rlvr_traces({"x": other}, tmp_path / "x.png")


def test_mlp_backprop_matches_autograd_and_learns() -> None:
    import torch

    game = eq.load_game("rlvr:toy(prompts=5, vocab=2, max_length=3, seed=4)")
    lr = eq.make_learner(game, "grpo", seed=0, policy="mlp", hidden=7, step_size=1e-3)
    lr.W2 = np.random.default_rng(1).standard_normal(lr.W2.shape)  # a non-zero output layer
    W1, b1, W2 = (torch.tensor(a, requires_grad=True) for a in (lr.W1, lr.b1, lr.W2))
    X = game.num_prompts
    g = np.random.default_rng(2).standard_normal(lr.logits.shape)
    h = torch.tanh(W1[:X, None, :] + W1[None, X:, :] + b1)
    (torch.tensor(g) * (h @ W2)).sum().backward()
    before = (lr.W1.copy(), lr.b1.copy(), lr.W2.copy())
    lr._mlp_ascend(g)
    for new, old, t in zip((lr.W1, lr.b1, lr.W2), before, (W1, b1, W2), strict=True):
        assert (new - old) / lr.step_size == pytest.approx(t.grad.numpy(), abs=1e-9)
    assert lr.logits == pytest.approx(game.prior_logits + np.tanh(
        lr.W1[:X, None, :] + lr.W1[None, X:, :] + lr.b1) @ lr.W2, abs=1e-12)
    # from the prior, GRPO with the MLP policy improves pass@1
    game = eq.load_game("rlvr:toy(prompts=16, vocab=2, max_length=2)")
    start = eq.nash_conv(game, game.prior_policy)
    sol = eq.solve(game, "grpo", iterations=60, seed=0, policy="mlp", step_size=5.0)[0]
    assert sol.nash_conv < start
    with pytest.raises(InvalidParameterError, match="hidden"):
        eq.make_learner(game, "grpo", hidden=8)
