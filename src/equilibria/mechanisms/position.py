"""Position auctions with a click-through rate per (ad, position): VCG, GSP, and the multinomial-logit model.

The setting of Balseiro, Bhawalkar, Deng, Feng, Mao, Mehta, Mirrokni, Paes Leme, Wang & Zuo,
"Position auctions in AI-generated content" (arXiv:2506.03309, 2025): n ads with private values
per click ``v_i``, m positions, a click-through rate ``p_ij`` for each (ad, position) pair (no
separability ``p_ij = α_i β_j``), and at most K ads shown. An allocation is a matching ``x`` of ads
to positions with at most K edges, so winner determination is an assignment problem rather than a
sort.

- *Independent positions*: ad i placed at j is clicked with probability ``p_ij``; welfare
  ``Σ v_i p_ij x_ij`` is maximised by `scipy.optimize.linear_sum_assignment` (with the cardinality
  cap K, by the bipartite K-matching linear program, whose vertices are integral: the intersection
  of two matroid polytopes, one of them truncated; Edmonds 1970).
- *Multinomial logit* (MNL): the user looks at all the ads shown and clicks at most one, ad i at j
  with weight ``w_ij = p_ij / (1 − p_ij)`` (so that an ad shown alone has click probability
  ``p_ij``): ``π_i(x) = Σ_j x_ij w_ij / (1 + Σ_kl x_kl w_kl)``. Welfare ``Σ_i v_i π_i`` is a ratio of
  linear functions of ``x``; its maximum ``λ*`` is the root of ``F(λ) = max_x Σ (v_i − λ) w_ij x_ij − λ``,
  found by Dinkelbach's iteration ("On nonlinear fractional programming", Management Sci. 1967),
  one assignment problem per step, so the exact welfare maximiser, and with it VCG, is efficient.
- `vcg`: the welfare-maximising allocation and Clarke-pivot payments (Vickrey 1961; Clarke 1971;
  Groves 1973): truthful for any exact maximiser.
- `gsp`: the generalized second-price auction for separable rates (Edelman, Ostrovsky & Schwarz,
  AER 2007; Varian, IJIO 2007): rank by ``α_i b_i``, pay the next one's score per click; not truthful.
- `find_profitable_misreport`: truthfulness checked by searching a grid of misreports.

Not covered: the paper's cascade (order-sensitive) model and its approximation mechanism.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_choice, check_int
from ..errors import InvalidParameterError, SolverError

MODELS = ("independent", "mnl")
#: largest instance the brute-force welfare search enumerates
BRUTE_FORCE_MAX = 8


def _values(values: Any, n: int | None = None, what: str = "values") -> np.ndarray:
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{what} must be numbers") from None
    if v.ndim != 1 or (n is not None and v.shape[0] != n):
        raise InvalidParameterError(f"{what} must be a vector of length {n}; got shape {v.shape}")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise InvalidParameterError(f"{what} must be finite and non-negative (the domain of bids)")
    return v


def _ctr(ctr: Any) -> np.ndarray:
    try:
        p = np.asarray(ctr, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError("ctr must be an (ads, positions) array of probabilities") from None
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 1:
        raise InvalidParameterError(f"ctr must be an (ads, positions) array; got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p >= 1):
        raise InvalidParameterError("click-through rates must lie in [0, 1)")
    return p


@dataclass(frozen=True)
class Outcome:
    """An allocation (``slot[i]`` the position of ad i, -1 if not shown), click probabilities and payments."""

    slot: np.ndarray
    clicks: np.ndarray
    payments: np.ndarray
    welfare: float


def _matching(weights: np.ndarray, K: int) -> np.ndarray:
    """A maximum-weight matching with at most K edges using only positive weights; ``slot`` per row."""
    from scipy.optimize import linear_sum_assignment

    n, m = weights.shape
    W = np.maximum(weights, 0.0)
    slot = np.full(n, -1)
    if K >= min(n, m):
        rows, cols = linear_sum_assignment(W, maximize=True)
        keep = W[rows, cols] > 0
        slot[rows[keep]] = cols[keep]
        return slot
    # cardinality-capped bipartite matching: an integral LP (see the module docstring)
    from ..ops import highs_linprog

    A = np.zeros((n + m + 1, n * m))
    ii, jj = np.divmod(np.arange(n * m), m)
    A[ii, np.arange(n * m)] = 1.0
    A[n + jj, np.arange(n * m)] = 1.0
    A[-1] = 1.0
    b = np.r_[np.ones(n + m), K]
    res = highs_linprog(-W.ravel(), A_ub=A, b_ub=b, bounds=(0, 1), what="the K-matching LP")
    x = res.x.reshape(n, m)
    if np.abs(x - np.round(x)).max() > 1e-6:
        raise SolverError("the K-matching LP returned a fractional vertex")
    r, c = np.nonzero((np.round(x) > 0) & (W > 0))
    slot[r] = c
    return slot


def click_probabilities(ctr: Any, slot: Any, model: str = "independent") -> np.ndarray:
    """``π_i`` of each ad under an allocation (``slot[i] = -1``: not shown)."""
    p = _ctr(ctr)
    model = check_choice("model", model, MODELS)
    s = np.asarray(slot)
    shown = s >= 0
    base = np.zeros(p.shape[0])
    base[shown] = p[np.flatnonzero(shown), s[shown]]
    if model == "independent":
        return base
    w = base / (1.0 - base)
    return w / (1.0 + w.sum())


def max_welfare(values: Any, ctr: Any, *, model: str = "independent", max_shown: int | None = None,
                exclude: int | None = None) -> tuple[float, np.ndarray]:
    """The welfare-maximising allocation: ``(welfare, slot)``; ``exclude`` drops one ad (for VCG)."""
    p = _ctr(ctr)
    n, m = p.shape
    v = _values(values, n)
    model = check_choice("model", model, MODELS)
    K = min(n, m) if max_shown is None else check_int("max_shown", max_shown, minimum=0, maximum=m)
    if exclude is not None:
        v = v.copy()
        v[exclude] = 0.0
    if K == 0:
        return 0.0, np.full(n, -1)
    if model == "independent":
        slot = _matching(v[:, None] * p, K)
        return float(v @ click_probabilities(p, slot)), slot
    # MNL: Dinkelbach's iteration on the ratio Σ v_i w_ij x_ij / (1 + Σ w_ij x_ij)
    w = p / (1.0 - p)
    lam, slot = 0.0, np.full(n, -1)
    for _ in range(100):
        cand = _matching((v[:, None] - lam) * w, K)
        val = float(v @ click_probabilities(p, cand, "mnl"))
        if val <= lam * (1 + 1e-14) + 1e-300:
            break
        lam, slot = val, cand
    return lam, slot


def brute_force_welfare(values: Any, ctr: Any, *, model: str = "independent",
                        max_shown: int | None = None) -> float:
    """The best welfare over every matching with at most K edges, by enumeration (small instances)."""
    p = _ctr(ctr)
    n, m = p.shape
    if max(n, m) > BRUTE_FORCE_MAX:
        raise InvalidParameterError(f"brute force enumerates up to {BRUTE_FORCE_MAX} ads and positions")
    v = _values(values, n)
    K = min(n, m) if max_shown is None else max_shown
    best = 0.0
    for k in range(1, K + 1):
        for ads in itertools.combinations(range(n), k):
            for pos in itertools.permutations(range(m), k):
                slot = np.full(n, -1)
                slot[list(ads)] = pos
                best = max(best, float(v @ click_probabilities(p, slot, model)))
    return best


def vcg(bids: Any, ctr: Any, *, model: str = "independent", max_shown: int | None = None) -> Outcome:
    """VCG: the welfare-maximising allocation for the bids, each ad paying its externality.

    Clarke 1971: ``t_i = W*_{−i} − (W* − b_i π_i)``, the others' best welfare without i minus their
    welfare with i; truthful because the allocation maximises reported welfare exactly.
    """
    b = _values(bids, what="bids")
    W, slot = max_welfare(b, ctr, model=model, max_shown=max_shown)
    pi = click_probabilities(ctr, slot, model)
    pay = np.zeros_like(b)
    for i in np.flatnonzero(slot >= 0):
        without, _ = max_welfare(b, ctr, model=model, max_shown=max_shown, exclude=int(i))
        pay[i] = max(without - (W - b[i] * pi[i]), 0.0)
    return Outcome(slot, pi, pay, W)


def gsp(bids: Any, ad_quality: Any, position_rates: Any) -> Outcome:
    """Generalized second price with separable rates ``p_ij = α_i β_j`` (β decreasing).

    Edelman, Ostrovsky & Schwarz, AER 2007; Varian, IJIO 2007: the k-th highest score ``α_i b_i``
    gets position k and pays per click the next score divided by its own quality.
    """
    b = _values(bids, what="bids")
    a = _values(ad_quality, b.shape[0], "ad_quality")
    beta = _values(position_rates, what="position_rates")
    if np.any(np.diff(beta) > 0) or np.any(a * beta.max(initial=0) >= 1):
        raise InvalidParameterError("position_rates must be decreasing and every α_i β_j below 1")
    score = a * b
    order = np.lexsort((np.arange(len(b)), -score))  # ties to the lower index
    slot = np.full(len(b), -1)
    pay = np.zeros_like(b)
    k = min(len(b), len(beta))
    slot[order[:k]] = np.arange(k)
    pi = np.where(slot >= 0, a * beta[np.maximum(slot, 0)], 0.0)
    nxt = np.r_[score[order], 0.0]
    for r, i in enumerate(order[:k]):
        pay[i] = pi[i] * (nxt[r + 1] / a[i] if a[i] > 0 else 0.0)
    return Outcome(slot, pi, pay, float(b @ pi))


@dataclass(frozen=True)
class Misreport:
    """Ad ``ad`` gains ``gain`` by bidding ``bid`` instead of its value."""

    ad: int
    bid: float
    gain: float
    truthful_utility: float
    misreport_utility: float


def find_profitable_misreport(mechanism: Callable[[np.ndarray], Outcome], values: Any, misreports: Any,
                              *, tol: float = 1e-9) -> Misreport | None:
    """Search every ad and every bid in ``misreports`` (non-negative) for a profitable deviation.

    Utility is quasi-linear, ``v_i π_i − t_i``. Returns the largest gain found above ``tol`` (times
    the largest value), or None.
    """
    v = _values(values)
    grid = _values(misreports, what="misreports")
    truth = mechanism(v)
    u0 = v * truth.clicks - truth.payments
    best: Misreport | None = None
    for i in range(len(v)):
        for r in grid:
            z = v.copy()
            z[i] = r
            out = mechanism(z)
            u = v[i] * out.clicks[i] - out.payments[i]
            gain = u - u0[i]
            if gain > tol * max(1.0, v.max()) and (best is None or gain > best.gain):
                best = Misreport(i, float(r), float(gain), float(u0[i]), float(u))
    return best
