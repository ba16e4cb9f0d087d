"""Position auctions with per-(ad, position) click-through rates (Balseiro et al., arXiv:2506.03309).

Known facts tested: the exact welfare maximiser under independent positions and under the
multinomial-logit model agrees with brute-force enumeration of every matching (≤ 6 ads, 3
positions, K ≤ 3: the paper's claim that the MNL optimum is computable efficiently); VCG on it has
no profitable misreport on a grid; GSP has one, the Edelman-Ostrovsky-Schwarz example (AER 2007:
rates 200 and 199, values 10, 4, 2: the top bidder gains by dropping to the second position);
with separable rates and truthful bids VCG and GSP give the same allocation (Varian 2007).
Cascade: click probabilities computed by hand; the exact program equals the enumeration of every
allocation AND every reading order (which checks the decreasing-value order argument); VCG on it
has no profitable misreport; the approximation's ratio on a hand-computed instance (0.49995 against
0.6465) and ≤ 1 everywhere; the batched enumeration equals the one-instance one.
"""

from __future__ import annotations

import numpy as np
import pytest

from equilibria.errors import InvalidParameterError
from equilibria.mechanisms import position as P


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("model", P.MODELS)
def test_exact_welfare_matches_enumeration(seed: int, model: str) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    p = rng.uniform(0.01, 0.6, (n, 3))
    v = rng.uniform(0.0, 1.0, n)
    K = int(rng.integers(1, 4))
    w, slot = P.max_welfare(v, p, model=model, max_shown=K)
    assert (slot >= 0).sum() <= K
    assert len(set(slot[slot >= 0])) == (slot >= 0).sum()  # a matching
    assert w == pytest.approx(P.brute_force_welfare(v, p, model=model, max_shown=K), rel=1e-12, abs=1e-15)
    order = P.render_order(v, slot, 3) if model == "cascade" else None
    assert w == pytest.approx(float(v @ P.click_probabilities(p, slot, model, order)), rel=1e-12, abs=1e-15)


def test_mnl_click_probabilities() -> None:
    p = np.array([[0.5, 0.2], [0.25, 0.1]])
    # ad 0 alone at position 0: its standalone rate
    assert P.click_probabilities(p, [0, -1], "mnl")[0] == pytest.approx(0.5)
    # both shown: weights 1 and 1/9 (0.1/0.9), denominator 1 + 1 + 1/9
    np.testing.assert_allclose(P.click_probabilities(p, [0, 1], "mnl"), [1 / (19 / 9), (1 / 9) / (19 / 9)])


@pytest.mark.parametrize("model", P.MODELS)
@pytest.mark.parametrize("seed", range(3))
def test_vcg_has_no_profitable_misreport(model: str, seed: int) -> None:
    rng = np.random.default_rng(10 + seed)
    n = 4
    p = rng.uniform(0.05, 0.5, (n, 3))
    v = rng.uniform(0.2, 1.0, n)
    out = P.vcg(v, p, model=model)
    u = v * out.clicks - out.payments
    assert np.all(u >= -1e-12), "VCG is individually rational"
    assert np.all(out.payments <= v * out.clicks + 1e-12)
    grid = np.linspace(0.0, 1.5, 31)
    assert P.find_profitable_misreport(lambda b: P.vcg(b, p, model=model), v, grid) is None


def test_gsp_edelman_ostrovsky_schwarz_example() -> None:
    a, beta, v = np.ones(3), np.array([0.200, 0.199]), np.array([10.0, 4.0, 2.0])
    truthful = P.gsp(v, a, beta)
    assert list(truthful.slot) == [0, 1, -1]
    assert truthful.payments[0] == pytest.approx(4.0 * 0.200)
    found = P.find_profitable_misreport(lambda b: P.gsp(b, a, beta), v, np.linspace(0.0, 12.0, 121))
    assert found is not None and found.ad == 0
    # in the paper's units (×1000): 1200 truthfully, 1592 at the second position paying 2 per click
    assert found.truthful_utility * 1000 == pytest.approx(1200.0)
    assert found.misreport_utility * 1000 == pytest.approx(1592.0)
    # VCG on the same rates: same allocation, lower payments, truthful
    vcg = P.vcg(v, np.outer(a, beta))
    assert list(vcg.slot) == [0, 1, -1]
    assert np.all(vcg.payments <= truthful.payments + 1e-12)
    grid = np.linspace(0, 12, 121)
    assert P.find_profitable_misreport(lambda b: P.vcg(b, np.outer(a, beta)), v, grid) is None


def test_bad_input() -> None:
    p = np.full((2, 2), 0.1)
    with pytest.raises(InvalidParameterError, match="non-negative"):
        P.find_profitable_misreport(lambda b: P.vcg(b, p), [0.5, 0.5], [-1.0, 0.5])
    with pytest.raises(InvalidParameterError, match=r"\[0, 1\)"):
        P.vcg([1.0, 1.0], [[0.5, 1.2], [0.1, 0.1]])
    with pytest.raises(InvalidParameterError, match="length"):
        P.max_welfare([1.0], p)
    with pytest.raises(InvalidParameterError, match="model"):
        P.vcg([1.0, 1.0], p, model="probit")
    with pytest.raises(InvalidParameterError, match="max_shown"):
        P.vcg([1.0, 1.0], p, max_shown=5)


def test_cascade_click_probabilities_by_hand() -> None:
    p = np.array([[0.5, 0.2], [0.25, 0.4], [0.3, 0.3]])
    # positions read 0 then 1: ad 0 at 0 clicked w.p. 0.5, ad 1 at 1 reached w.p. 0.5
    np.testing.assert_allclose(P.click_probabilities(p, [0, 1, -1], "cascade"), [0.5, 0.5 * 0.4, 0.0])
    # reading position 1 first
    np.testing.assert_allclose(P.click_probabilities(p, [0, 1, -1], "cascade", order=[1, 0]),
                               [0.6 * 0.5, 0.4, 0.0])
    # the optimal reading order puts the higher value first
    assert list(P.render_order([0.1, 0.9, 0.5], [0, 1, -1], 2)) == [1, 0]


@pytest.mark.parametrize("seed", range(12))
def test_cascade_program_matches_enumeration_over_orders(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n, m = int(rng.integers(1, 7)), int(rng.integers(1, 4))
    K = int(rng.integers(0, m + 1))
    p, v = rng.uniform(0.01, 0.95, (n, m)), rng.uniform(0.0, 1.0, n)
    w, slot = P.max_welfare(v, p, model="cascade", max_shown=K)
    assert (slot >= 0).sum() <= K
    assert w == pytest.approx(P.brute_force_welfare(v, p, model="cascade", max_shown=K), rel=1e-12, abs=1e-15)
    pi = P.click_probabilities(p, slot, "cascade", P.render_order(v, slot, m))
    assert w == pytest.approx(float(v @ pi), rel=1e-12, abs=1e-15)
    a, _ = P.cascade_approximation(v, p, max_shown=K)
    assert a <= w * (1 + 1e-12) + 1e-15


def test_brute_force_batch_equals_single() -> None:
    rng = np.random.default_rng(7)
    V, C = rng.uniform(0, 1, (5, 4)), rng.uniform(0.01, 0.9, (5, 4, 3))
    for model in P.MODELS:
        batch = P.brute_force_welfare(V, C, model=model, max_shown=2)
        assert batch.shape == (5,)
        single = [P.brute_force_welfare(v, c, model=model, max_shown=2) for v, c in zip(V, C, strict=True)]
        np.testing.assert_allclose(batch, single, rtol=1e-14)


def test_cascade_approximation_hand_instance() -> None:
    # one high-value ad with a low rate, two low-value ads with rates near 1, two positions: ignoring
    # the cascade picks the two low-value ads (0.99 > 0.3 + 0.495); reading them gives
    # 0.5·0.99 + 0.01·0.5·0.99 = 0.49995, while the optimum reads the high-value ad first:
    # 0.3 + 0.7·0.5·0.99 = 0.6465
    v = np.array([1.0, 0.5, 0.5])
    p = np.array([[0.3, 0.3], [0.99, 0.99], [0.99, 0.99]])
    a, slot = P.cascade_approximation(v, p)
    assert slot[0] == -1 and a == pytest.approx(0.49995, rel=1e-12)
    w, slot = P.max_welfare(v, p, model="cascade")
    assert slot[0] >= 0 and w == pytest.approx(0.6465, rel=1e-12)


def test_vcg_cascade_reading_order() -> None:
    # (no profitable misreport under the cascade: test_vcg_has_no_profitable_misreport)
    rng = np.random.default_rng(30)
    p, v = rng.uniform(0.05, 0.6, (4, 3)), rng.uniform(0.2, 1.0, 4)
    out = P.vcg(v, p, model="cascade")
    assert out.order is not None and sorted(out.order) == [0, 1, 2]
    shown = np.flatnonzero(out.slot >= 0)
    ranks = [list(out.order).index(out.slot[i]) for i in shown]
    assert list(shown[np.argsort(ranks)]) == list(shown[np.argsort(-v[shown])])  # read by value
    assert out.welfare == pytest.approx(float(v @ out.clicks), rel=1e-12)


def test_cascade_bad_input() -> None:
    p = np.full((2, 2), 0.1)
    with pytest.raises(InvalidParameterError, match="permutation"):
        P.click_probabilities(p, [0, 1], "cascade", order=[0, 0])
    with pytest.raises(InvalidParameterError, match="matching"):
        P.click_probabilities(p, [1, 1], "cascade")
    with pytest.raises(InvalidParameterError, match="16 positions"):
        P.max_welfare(np.ones(2), np.full((2, 17), 0.1), model="cascade")
    with pytest.raises(InvalidParameterError, match="disagree"):
        P.brute_force_welfare(np.ones(3), p)


def test_cascade_approximation_mechanism_payments() -> None:
    """With one slot the approximation is exact, so its Myerson payments are VCG's (payments of a
    truthful mechanism are unique given the allocation and t_i(0) = 0); with more slots it is
    individually rational and has no profitable misreport on a grid."""
    rng = np.random.default_rng(5)
    p, v = rng.uniform(0.05, 0.9, (4, 3)), rng.uniform(0.2, 1.0, 4)
    one = P.cascade_approximation_mechanism(v, p, max_shown=1)
    np.testing.assert_allclose(one.payments, P.vcg(v, p, model="cascade", max_shown=1).payments, atol=1e-11)
    p, v = rng.uniform(0.05, 0.9, (3, 2)), rng.uniform(0.2, 1.0, 3)
    out = P.cascade_approximation_mechanism(v, p, resolution=1e-10)
    assert np.all(v * out.clicks - out.payments >= -1e-12) and (out.slot >= 0).sum() == 2
    mech = lambda b: P.cascade_approximation_mechanism(b, p, resolution=1e-10)  # noqa: E731
    assert P.find_profitable_misreport(mech, v, np.linspace(0.0, 1.2, 7), tol=1e-8) is None
