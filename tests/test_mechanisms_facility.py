"""Facility location mechanisms and their property checkers (Aziz, Lam, Lee & Walsh, WINE 2022).

Known facts tested: the Uniform Phantom mechanism is strategyproof and satisfies UFS, PF and
proportionality; the median is strategyproof but not UFS; the mean is UFS but manipulable; every
generalized median (Moulin, Public Choice 1980) is strategyproof; on profiles with agents only at 0
and 1 proportionality fixes the outcome, so the welfare ratio has a closed form; pure equilibria of
continuous strictly monotone UFS mechanisms have the Uniform Phantom outcome (the paper's
equilibrium characterisation).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria import mechanisms as M
from equilibria.errors import InvalidParameterError


def test_uniform_phantom_values() -> None:
    # n = 3: phantoms 1/3 and 2/3
    assert M.uniform_phantom([0.0, 0.0, 1.0]) == pytest.approx(1 / 3)
    assert M.uniform_phantom([0.1, 0.2, 0.25]) == pytest.approx(0.25)
    assert M.uniform_phantom([0.9, 0.95, 1.0]) == pytest.approx(0.9)
    assert M.uniform_phantom([0.5]) == 0.5  # one agent: no phantom
    # vectorised over leading axes
    X = np.array([[[0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]])
    np.testing.assert_allclose(M.uniform_phantom(X), [[1 / 3, 1.0]])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_uniform_phantom_is_strategyproof_and_fair(n: int) -> None:
    grid = 9 if n < 4 else 6
    assert M.find_manipulation(M.uniform_phantom, n, grid=grid, misreports=41) is None
    for axiom in M.facility.AXIOMS:
        assert M.find_axiom_violation(M.uniform_phantom, n, axiom, grid=grid) is None, axiom


def test_mean_is_not_strategyproof_and_the_violation_is_real() -> None:
    found = M.find_manipulation(M.mean, 3, grid=11, misreports=101)
    assert found is not None and found.gain > 0.05
    x = np.array(found.profile)
    z = x.copy()
    z[found.agent] = found.misreport
    # recompute independently of the checker
    true_cost = abs(x.mean() - x[found.agent])
    dev_cost = abs(z.mean() - x[found.agent])
    assert dev_cost < true_cost - 0.05
    assert found.gain == pytest.approx(true_cost - dev_cost)
    # the mean is nonetheless UFS and proportional
    for axiom in ("UFS", "proportionality", "unanimity"):
        assert M.find_axiom_violation(M.mean, 3, axiom, grid=11) is None


def test_median_is_strategyproof_but_not_ufs() -> None:
    assert M.find_manipulation(M.median, 4, grid=6, misreports=51) is None
    v = M.find_axiom_violation(M.median, 3, "UFS", grid=3)
    assert v is not None
    # the lone agent at the other end gets utility 0 < 1/3
    assert v.distance == pytest.approx(1.0) and v.required_max_distance == pytest.approx(2 / 3)
    assert M.find_axiom_violation(M.median, 3, "proportionality") is not None


def test_midpoint_fails_ufs_and_strategyproofness() -> None:
    assert M.find_manipulation(M.midpoint, 3, grid=5, misreports=11) is not None
    v = M.find_axiom_violation(M.midpoint, 3, "UFS", grid=3)
    assert v is not None and len(v.group) == 2  # the pair at one end gets only 1/2 < 2/3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2))
def test_generalized_medians_are_strategyproof(phantoms: list[float]) -> None:
    """Moulin (1980): the median of 3 reports and any 2 phantoms is strategyproof."""
    def mech(x: np.ndarray) -> np.ndarray:
        return M.phantom_median(x, phantoms)

    assert M.find_manipulation(mech, 3, grid=6, misreports=26) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.2, 0.5, 0.7, 1.0]), min_size=2, max_size=7))
def test_uniform_phantom_ufs_on_random_profiles(x: list[float]) -> None:
    assert M.find_axiom_violation(M.uniform_phantom, len(x), "UFS", profiles=[x]) is None
    assert M.find_axiom_violation(M.uniform_phantom, len(x), "PF", profiles=[x]) is None


@pytest.mark.parametrize("n", [3, 5, 8])
def test_welfare_ratio_on_two_point_profiles(n: int) -> None:
    """Agents only at 0 and 1 (k at 0): proportionality forces y = (n−k)/n, so the welfare ratio is
    max(k, n−k) / (k²/n + (n−k)²/n), for every proportional mechanism."""
    X = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
    k = np.arange(n + 1)
    closed = (np.maximum(k, n - k) / ((k**2 + (n - k) ** 2) / n)).max()
    assert M.worst_case_ratio(M.uniform_phantom, n, "welfare", profiles=X).ratio == pytest.approx(closed)
    assert M.worst_case_ratio(M.mean, n, "welfare", profiles=X).ratio == pytest.approx(closed)


@pytest.mark.parametrize("n", [3, 4])
def test_uniform_phantom_total_cost_ratio_reaches_n_minus_1(n: int) -> None:
    """n − 1 agents at 0 and one at ε ≤ 1/n: the median with the phantoms is ε, cost (n−1)ε vs ε."""
    w = M.worst_case_ratio(M.uniform_phantom, n, "cost", profiles=[[0.0] * (n - 1) + [0.5 / n]])
    assert w.ratio == pytest.approx(n - 1)
    assert M.worst_case_ratio(M.uniform_phantom, n, "cost", grid=2 * n + 1).ratio >= n - 1 - 1e-9


@pytest.mark.parametrize("n", [3, 4])
def test_grid_search_attains_exactly_the_extremal_profiles(n: int) -> None:
    """On a fine grid nothing is worse than the extremal profiles of the closed forms: welfare
    max_k n k / (k² + (n − k)²) (Uniform Phantom, mean), cost n − 1 (Uniform Phantom), 2(n − 1)/n
    (mean: n − 1 agents at 0, one at 1, outcome 1/n), n/2 (midpoint: one at 0, n − 1 at 1)."""
    two = max(n * k / (k * k + (n - k) ** 2) for k in range(1, n))
    grid = 13 if n == 3 else 9
    for mech in (M.uniform_phantom, M.mean):
        assert M.worst_case_ratio(mech, n, "welfare", grid=grid).ratio == pytest.approx(two, rel=1e-12)
    cost = {M.uniform_phantom: n - 1, M.mean: 2 * (n - 1) / n, M.midpoint: n / 2}
    for mech, want in cost.items():
        assert M.worst_case_ratio(mech, n, "cost", grid=grid).ratio == pytest.approx(want, rel=1e-12)
    assert M.worst_case_ratio(M.median, n, "welfare", grid=grid).ratio == pytest.approx(1.0)


def test_uniform_phantom_welfare_ratio_limit() -> None:
    """k = n/√2 agents at 0, the rest at 1: the welfare ratio tends to (1 + √2)/2 as n grows."""
    n = 1000
    k = round(n / 2**0.5)
    x = np.r_[np.zeros(k), np.ones(n - k)]
    y = float(M.uniform_phantom(x))
    assert y == pytest.approx((n - k) / n)
    ratio = k / np.sum(1 - np.abs(y - x))
    assert ratio == pytest.approx((1 + 2**0.5) / 2, abs=1e-5)


@pytest.mark.parametrize("mech", [M.mean, M.ufs_mixture(0.5)], ids=["mean", "mixture"])
@pytest.mark.parametrize("seed", range(3))
def test_best_response_dynamics_reach_uniform_phantom(mech, seed: int) -> None:
    x = np.random.default_rng(seed).random(5)
    reports, outcome, rounds = M.best_response_dynamics(mech, x, rounds=500)
    assert outcome == pytest.approx(M.uniform_phantom(x), abs=1e-8)
    # the reports are a pure equilibrium: no agent gets closer to its true location by a misreport
    grid = np.linspace(0, 1, 201)
    for i in range(5):
        z = np.repeat(reports[None], len(grid), axis=0)
        z[:, i] = grid
        assert np.abs(np.asarray(mech(z)) - x[i]).min() >= abs(outcome - x[i]) - 1e-8


def test_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"\[0, 1\]"):
        M.find_manipulation(M.mean, 3, misreports=[-0.5, 0.5])
    with pytest.raises(InvalidParameterError, match=r"\[0, 1\]"):
        M.find_manipulation(M.mean, 3, misreports=[0.5, 1.5])
    with pytest.raises(InvalidParameterError, match=r"\[0, 1\]"):
        M.uniform_phantom([0.2, float("nan")])
    with pytest.raises(InvalidParameterError):
        M.uniform_phantom([])
    with pytest.raises(InvalidParameterError, match="axiom"):
        M.find_axiom_violation(M.mean, 3, "envy")
    with pytest.raises(InvalidParameterError, match="n"):
        M.find_manipulation(M.mean, 0)
    with pytest.raises(InvalidParameterError, match="profiles"):
        M.find_manipulation(M.mean, 3, profiles=[[0.1, 0.2]])
    with pytest.raises(InvalidParameterError, match="weight"):
        M.ufs_mixture(1.5)


def test_chunked_search_finds_the_same_manipulation(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = M.find_manipulation(M.mean, 3, grid=6, misreports=21)
    monkeypatch.setattr(M.facility, "CHUNK_BYTES", 8 * 3 * 21 * 3 * 5)  # five profiles per chunk
    assert M.find_manipulation(M.mean, 3, grid=6, misreports=21) == whole
