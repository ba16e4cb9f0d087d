"""Group advantage estimators (`equilibria.rlvr.advantages`): hand computations, brute force, errors."""

from __future__ import annotations

import itertools
from math import comb, sqrt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.errors import InvalidParameterError, UnknownNameError
from equilibria.rlvr import advantages
from equilibria.rlvr.advantages import (
    EmptyGroupError,
    GroupLengthError,
    GroupTooSmallError,
    bnpo_beta_parameters,
    gpg_alpha,
)

# a group of 4 answers, 1 correct: mean 1/4
R = np.array([1.0, 0.0, 0.0, 0.0])


def test_grpo_hand() -> None:
    # unbiased std of (1, 0, 0, 0): sqrt(((3/4)^2 + 3 (1/4)^2) / 3) = sqrt(1/4) = 1/2
    a = advantages("grpo", R)
    assert a == pytest.approx([0.75 / (0.5 + 1e-4)] + [-0.25 / (0.5 + 1e-4)] * 3, rel=1e-12)
    # population std sqrt(3/16), no epsilon
    b = advantages("grpo", R, ddof=0, eps=0.0)
    assert b == pytest.approx([0.75 / sqrt(3 / 16)] + [-0.25 / sqrt(3 / 16)] * 3, rel=1e-12)
    # a group with equal rewards has zero advantage (no division by zero)
    assert np.all(advantages("grpo", np.ones(4)) == 0.0)


def test_dr_grpo_rloo_reinforce_hand() -> None:
    assert advantages("dr-grpo", R) == pytest.approx([0.75, -0.25, -0.25, -0.25], abs=1e-15)
    # leave-one-out: 1 − 0 = 1; 0 − 1/3
    assert advantages("rloo", R) == pytest.approx([1.0, -1 / 3, -1 / 3, -1 / 3], abs=1e-15)
    assert advantages("reinforce", R) == pytest.approx(R)
    assert advantages("reinforce", R, baseline=0.5) == pytest.approx([0.5, -0.5, -0.5, -0.5])


def test_gpg_hand() -> None:
    # two groups: (1, 0) mixed, (1, 1) all equal → B = 4 answers, M = 2 → α = 2
    r = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert gpg_alpha(r) == 2.0
    assert advantages("gpg", r) == pytest.approx(np.array([[1.0, -1.0], [0.0, 0.0]]))
    assert advantages("gpg", r, alpha=1.0) == pytest.approx(np.array([[0.5, -0.5], [0.0, 0.0]]))


def test_bnpo_hand() -> None:
    # uniform Beta(1, 1): density 1, so the advantage is r − p (REINFORCE with the group baseline)
    assert advantages("bnpo", R, beta_params=(1.0, 1.0)) == pytest.approx(advantages("dr-grpo", R))
    # Beta(2, 2) density at p = 1/4 is 6 p (1 − p) = 9/8
    assert advantages("bnpo", R, beta_params=(2.0, 2.0)) == pytest.approx((R - 0.25) / (9 / 8), rel=1e-12)
    # moments of the group means (1/4, 3/4): mean 1/2, unbiased variance 1/8 → c = 1/4/(1/8) − 1 = 1,
    # â = b̂ = 1/2, a = b = 1 + 1/6
    a, b = bnpo_beta_parameters(np.array([0.25, 0.75]))
    assert a == pytest.approx(7 / 6) and b == pytest.approx(7 / 6)
    r = np.array([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]])
    from math import gamma

    dens = gamma(7 / 3) / gamma(7 / 6) ** 2 * (0.25 * 0.75) ** (1 / 6)
    assert advantages("bnpo", r) == pytest.approx((r - np.array([[0.25], [0.75]])) / dens, rel=1e-12)


def test_ngrpo_hand() -> None:
    # all wrong, G = 3, virtual reward 1: values (0, 0, 0, 1), mean 1/4, unbiased std 1/2
    a = advantages("ngrpo", np.zeros(3))
    assert a == pytest.approx([-0.25 / (0.5 + 1e-4)] * 3, rel=1e-12)
    assert np.all(a < 0)  # an all-wrong group still has a gradient (GRPO's would be zero)
    assert np.all(advantages("grpo", np.zeros(3)) == 0)


def test_a_grae_hand() -> None:
    # one group (1, 0, 0, 0): p = 1/4, √p = 1/2, batch mean μ̄ = 1/4; GRPO Â = (r − 1/4)/(1/2 + 1e-4)
    base = (R - 0.25) / (0.5 + 1e-4)
    hard = 0.5 * base / (0.5 + 1e-6)
    easy = 0.5 * base / (0.5 + 1e-6)
    mixed = 0.75 * easy + 0.25 * hard
    expect = np.where(mixed > 0, mixed * 0.25, mixed)
    assert advantages("a-grae", R) == pytest.approx(expect, rel=1e-12)


def _pass_at_k_brute(r: np.ndarray, k: int) -> np.ndarray:
    """Chen et al. 2025's definition: each k-subset's reward is its max, normalised over subsets;
    an answer's advantage is the mean over the subsets that contain it."""
    G = len(r)
    subsets = list(itertools.combinations(range(G), k))
    rs = np.array([max(r[list(s)]) for s in subsets])
    mean, std = rs.mean(), rs.std()
    adv_s = (rs - mean) / std if std > 0 else np.zeros_like(rs)
    out = np.zeros(G)
    for s, a in zip(subsets, adv_s, strict=True):
        out[list(s)] += a
    return out / comb(G - 1, k - 1)


@pytest.mark.parametrize("G", [1, 2, 5, 7])
def test_pass_at_k_matches_subset_enumeration(G: int) -> None:
    for k in range(1, G + 1):
        for pos in range(G + 1):
            r = np.array([1.0] * pos + [0.0] * (G - pos))
            assert advantages("pass@k", r, k=k) == pytest.approx(_pass_at_k_brute(r, k), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=9))
def test_pass_at_1_is_grpo_with_population_std(bits: list[int]) -> None:
    r = np.array(bits, dtype=float)
    assert advantages("pass@k", r, k=1) == pytest.approx(advantages("grpo", r, ddof=0, eps=0.0), abs=1e-12)


def test_batched_groups_equal_per_group() -> None:
    rng = np.random.default_rng(0)
    r = (rng.random((5, 6)) < 0.4).astype(float)
    for name in ("grpo", "dr-grpo", "rloo", "ngrpo"):
        whole = advantages(name, r)
        for i in range(5):
            assert whole[i] == pytest.approx(advantages(name, r[i]), abs=1e-15)


def test_bad_input() -> None:
    with pytest.raises(EmptyGroupError):
        advantages("grpo", np.zeros((3, 0)))
    with pytest.raises(EmptyGroupError):
        advantages("grpo", [])
    with pytest.raises(GroupLengthError):
        advantages("grpo", np.zeros(5), group_size=8)
    with pytest.raises(GroupTooSmallError):
        advantages("pass@k", np.zeros(3), k=4)
    with pytest.raises(GroupTooSmallError):
        advantages("rloo", np.zeros(1))
    with pytest.raises(InvalidParameterError, match="binary"):
        advantages("pass@k", np.array([0.5, 1.0]), k=1)
    with pytest.raises(InvalidParameterError, match="needs the option k"):
        advantages("pass@k", np.zeros(3))
    with pytest.raises(InvalidParameterError, match="no option"):
        advantages("grpo", np.zeros(3), bogus=1)
    with pytest.raises(InvalidParameterError, match="finite"):
        advantages("grpo", [0.0, np.nan])
    with pytest.raises(UnknownNameError):
        advantages("grpoo", np.zeros(3))
    assert issubclass(EmptyGroupError, InvalidParameterError)
