"""Position auctions with a click-through rate per (ad, position): VCG, GSP, the MNL and cascade models.

The setting of Balseiro, Bhawalkar, Deng, Feng, Mao, Mehta, Mirrokni, Paes Leme, Wang & Zuo,
"Position auctions in AI-generated content" (arXiv:2506.03309, 2025): n ads with private values
per click ``v_i``, m positions, a click-through rate ``p_ij`` for each (ad, position) pair (no
separability ``p_ij = α_i β_j``), and at most K ads shown. An allocation is a matching ``x`` of ads
to positions with at most K edges, so winner determination is an assignment problem rather than a
sort.

- *Independent positions*: ad i placed at j is clicked with probability ``p_ij``; welfare
  ``Σ v_i p_ij x_ij`` is maximised by `scipy.optimize.linear_sum_assignment` (with the cardinality
  cap K < min(n, m), on the matrix extended by n − K dummy positions whose bonus exceeds any
  matching's weight, so that they are all used and at most K ads take real positions).
- *Multinomial logit* (MNL): the user looks at all the ads shown and clicks at most one, ad i at j
  with weight ``w_ij = p_ij / (1 − p_ij)`` (so that an ad shown alone has click probability
  ``p_ij``): ``π_i(x) = Σ_j x_ij w_ij / (1 + Σ_kl x_kl w_kl)``. Welfare ``Σ_i v_i π_i`` is a ratio of
  linear functions of ``x``; its maximum ``λ*`` is the root of ``F(λ) = max_x Σ (v_i − λ) w_ij x_ij − λ``,
  found by Dinkelbach's iteration ("On nonlinear fractional programming", Management Sci. 1967),
  one assignment problem per step, so the exact welfare maximiser, and with it VCG, is efficient.
- *Cascade* (order-sensitive): the auctioneer also picks the rendering order ``σ`` of the positions;
  the user reads the shown ads in that order and, at ad i in position j, clicks with probability
  ``p_ij`` and then leaves, otherwise reads on (the cascade of Craswell, Zoeter, Taylor & Ramsey,
  WSDM 2008, with the position-specific rates of Kempe & Mahdian, WINE 2008):
  ``π_i = p_{i j(i)} Π_{k read before i} (1 − p_{k j(k)})``. For a fixed matching, welfare is
  maximised by reading the ads in decreasing value (swapping adjacent ads a, b changes welfare by
  ``p_a p_b (v_b − v_a)``), so the optimum is a dynamic program over the ads in decreasing value and
  the sets of positions used: exact, ``O(n m 2^m)`` time, vectorised over the ``2^m`` sets.
  `cascade_approximation` is the polynomial allocation that ignores the cascade (the independent
  assignment on ``v_i p_ij``) and renders it in decreasing value; its worst ratio to the exact
  optimum is measured by `brute_force_welfare` on small instances;
  `cascade_approximation_mechanism` adds Myerson payments (truthful where the allocation is
  monotone, which the misreport search checks).
- `vcg`: the welfare-maximising allocation and Clarke-pivot payments (Vickrey 1961; Clarke 1971;
  Groves 1973): truthful for any exact maximiser, under every model here.
- `gsp`: the generalized second-price auction for separable rates (Edelman, Ostrovsky & Schwarz,
  AER 2007; Varian, IJIO 2007): rank by ``α_i b_i``, pay the next one's score per click; not truthful.
- `find_profitable_misreport`: truthfulness checked by searching a grid of misreports.
- `brute_force_welfare`: every ordered sequence of distinct (ad, position) pairs of length ≤ K,
  evaluated in one vectorised pass (also over a batch of instances).

Our own reading, where the paper's text (arXiv:2506.03309, sections on the cascade model) was not
reachable to us: the cascade's "click then leave" continuation ``1 − p_ij``, and
`cascade_approximation` as the approximate mechanism (the paper's own approximation algorithm and
its constant are not reproduced; we measure our allocation's ratio instead). The MNL weights
``w_ij = p_ij / (1 − p_ij)`` (``exp(ρ_ij)`` in the paper) and the efficiency of the exact MNL
optimum (hence of VCG) are the paper's. Revenue-optimal (Myerson) mechanisms are not covered.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_real, check_size
from ..errors import InvalidParameterError

MODELS = ("independent", "mnl", "cascade")
#: largest number of positions the exact cascade program takes (2^m sets of positions)
CASCADE_MAX_POSITIONS = 16
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
    """An allocation (``slot[i]`` the position of ad i, -1 if not shown), click probabilities and payments.

    ``order`` is the rendering order of the positions (a permutation of ``range(m)``, read first to
    last) under the cascade model, and None under the order-insensitive models.
    """

    slot: np.ndarray
    clicks: np.ndarray
    payments: np.ndarray
    welfare: float
    order: np.ndarray | None = None


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
    # at most K edges: n − K dummy positions worth a bonus larger than any matching must all be
    # used, so exactly the other K ads (at most) take real positions (an exact assignment problem)
    bonus = 1.0 + W.sum()
    rows, cols = linear_sum_assignment(np.hstack([W, np.full((n, n - K), bonus)]), maximize=True)
    real = (cols < m) & (W[rows, np.minimum(cols, m - 1)] > 0)
    slot[rows[real]] = cols[real]
    return slot


def _slots(slot: Any, n: int, m: int) -> np.ndarray:
    try:
        s = np.asarray(slot)
    except (TypeError, ValueError):
        raise InvalidParameterError("slot must be a vector of position indices (-1: not shown)") from None
    if s.shape != (n,) or not np.issubdtype(s.dtype, np.integer) or np.any(s < -1) or np.any(s >= m):
        raise InvalidParameterError(
            f"slot must be {n} integers in [-1, {m - 1}] (-1: not shown); got {slot!r}"
        )
    shown = s[s >= 0]
    if np.unique(shown).size != shown.size:
        raise InvalidParameterError("slot must be a matching: two ads share a position")
    return s


def _order(order: Any, m: int) -> np.ndarray:
    if order is None:
        return np.arange(m)
    try:
        o = np.asarray(order)
    except (TypeError, ValueError):
        o = np.empty(0)
    if o.shape != (m,) or not np.issubdtype(o.dtype, np.integer) or sorted(o.tolist()) != list(range(m)):
        raise InvalidParameterError(f"order must be a permutation of the {m} positions; got {order!r}")
    return o


def render_order(values: Any, slot: Any, m: int) -> np.ndarray:
    """The rendering order of the positions that reads the shown ads in decreasing value (ties: lower
    ad first), then the empty positions: the welfare-optimal order for a cascade (module docstring)."""
    v = _values(values)
    s = _slots(slot, v.shape[0], m)
    shown = np.flatnonzero(s >= 0)
    ads = shown[np.lexsort((shown, -v[shown]))]
    return np.r_[s[ads], np.setdiff1d(np.arange(m), s[shown])].astype(int)


def click_probabilities(ctr: Any, slot: Any, model: str = "independent", order: Any = None) -> np.ndarray:
    """``π_i`` of each ad under an allocation (``slot[i] = -1``: not shown).

    ``order`` (cascade only) is the rendering order of the positions, a permutation of ``range(m)``;
    the default reads the positions by index.
    """
    p = _ctr(ctr)
    model = check_choice("model", model, MODELS)
    s = _slots(slot, *p.shape)
    shown = s >= 0
    base = np.zeros(p.shape[0])
    base[shown] = p[np.flatnonzero(shown), s[shown]]
    if model == "independent":
        return base
    if model == "mnl":
        w = base / (1.0 - base)
        return w / (1.0 + w.sum())
    rank = np.empty(p.shape[1], dtype=int)
    rank[_order(order, p.shape[1])] = np.arange(p.shape[1])
    ads = np.flatnonzero(shown)
    ads = ads[np.argsort(rank[s[ads]])]
    reach = np.cumprod(np.r_[1.0, 1.0 - base[ads][:-1]]) if ads.size else np.empty(0)
    out = np.zeros_like(base)
    out[ads] = base[ads] * reach
    return out


def _cascade_program(v: np.ndarray, p: np.ndarray, K: int) -> tuple[float, np.ndarray]:
    """The exact cascade optimum: ads in decreasing value, a value table over the 2^m sets of used positions.

    ``h_k(S)`` is the best expected welfare of ads k.. (in decreasing value) given that the reader
    reaches them and the positions in S are taken: ``h_k(S) = max(h_{k+1}(S), max_{j ∉ S, |S| < K}
    v_k p_kj + (1 − p_kj) h_{k+1}(S ∪ {j}))``. Each step is vectorised over all sets S.
    """
    n, m = p.shape
    if m > CASCADE_MAX_POSITIONS:
        raise InvalidParameterError(
            f"the exact cascade program takes up to {CASCADE_MAX_POSITIONS} positions (2^m sets); got {m}"
        )
    ads = np.lexsort((np.arange(n), -v))
    sets = np.arange(2**m)
    size = np.array([bin(x).count("1") for x in range(2**m)])
    room = size < K
    H = np.zeros((n + 1, 2**m))
    choice = np.full((n, 2**m), -1)
    for k in range(n - 1, -1, -1):
        i = ads[k]
        best = H[k + 1].copy()
        for j in range(m):
            ok = room & ((sets >> j) & 1 == 0)
            cand = v[i] * p[i, j] + (1.0 - p[i, j]) * H[k + 1, sets | (1 << j)]
            better = ok & (cand > best)
            best = np.where(better, cand, best)
            choice[k] = np.where(better, j, choice[k])
        H[k] = best
    slot, S = np.full(n, -1), 0
    for k in range(n):  # follow the choices forward from the empty set
        j = int(choice[k, S])
        if j >= 0:
            slot[ads[k]], S = j, S | (1 << j)
    return float(H[0, 0]), slot


def _cap(K: int | None, n: int, m: int) -> int:
    return min(n, m) if K is None else check_int("max_shown", K, minimum=0, maximum=m)


def max_welfare(values: Any, ctr: Any, *, model: str = "independent", max_shown: int | None = None,
                exclude: int | None = None) -> tuple[float, np.ndarray]:
    """The welfare-maximising allocation: ``(welfare, slot)``; ``exclude`` drops one ad (for VCG).

    Under the cascade model the welfare is attained with the rendering order `render_order`.
    """
    p = _ctr(ctr)
    n, m = p.shape
    v = _values(values, n)
    model = check_choice("model", model, MODELS)
    K = _cap(max_shown, n, m)
    if exclude is not None:
        v = v.copy()
        v[exclude] = 0.0
    if K == 0:
        return 0.0, np.full(n, -1)
    if model == "independent":
        slot = _matching(v[:, None] * p, K)
        return float(v @ click_probabilities(p, slot)), slot
    if model == "cascade":
        return _cascade_program(v, p, K)
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


def cascade_approximation(values: Any, ctr: Any, *, max_shown: int | None = None) -> tuple[float, np.ndarray]:
    """A polynomial allocation for the cascade: the independent-positions optimum (one assignment
    problem on ``v_i p_ij``, ignoring the cascade), read in decreasing value. ``(cascade welfare, slot)``.

    Our own construction (see the module docstring); its ratio to `max_welfare(model="cascade")`
    is measured, not claimed.
    """
    p = _ctr(ctr)
    v = _values(values, p.shape[0])
    _, slot = max_welfare(v, p, model="independent", max_shown=max_shown)
    pi = click_probabilities(p, slot, "cascade", render_order(v, slot, p.shape[1]))
    return float(v @ pi), slot


def _approximate_clicks(b: np.ndarray, p: np.ndarray, K: int) -> np.ndarray:
    """`cascade_approximation`'s click probabilities, unvalidated (the payment integral's hot path)."""
    slot = _matching(b[:, None] * p, K)
    ads = np.flatnonzero(slot >= 0)
    ads = ads[np.lexsort((ads, -b[ads]))]  # read in decreasing bid (`render_order`)
    base = p[ads, slot[ads]]
    out = np.zeros(len(b))
    out[ads] = base * np.cumprod(np.r_[1.0, 1.0 - base[:-1]])
    return out


def cascade_approximation_mechanism(bids: Any, ctr: Any, *, max_shown: int | None = None,
                                    resolution: float = 1e-12) -> Outcome:
    """`cascade_approximation` with Myerson payments (Myerson, "Optimal auction design", Math. Oper.
    Res. 1981): ``t_i = b_i π_i(b) − ∫_0^{b_i} π_i(z, b_−i) dz``.

    Between breakpoints the allocation and reading order are fixed, so ``π_i(·, b_−i)`` is a step
    function; its steps are located by bisection to ``resolution`` (relative to ``b_i``) and the
    integral is exact up to that. Truthful exactly when ``π_i`` is non-decreasing in ``b_i``, which
    we have not proved for this allocation: `find_profitable_misreport` checks it.
    """
    p = _ctr(ctr)
    b = _values(bids, p.shape[0], "bids")
    resolution = check_real("resolution", resolution, minimum=1e-15, maximum=1e-3)
    K = _cap(max_shown, *p.shape)
    if K == 0:
        return Outcome(np.full(len(b), -1), np.zeros_like(b), np.zeros_like(b), 0.0, np.arange(p.shape[1]))
    pi = _approximate_clicks(b, p, K)
    pay = np.zeros_like(b)
    for i in np.flatnonzero(pi > 0):
        def clicks(z: float, i: int = int(i)) -> float:
            zb = b.copy()
            zb[i] = z
            return float(_approximate_clicks(zb, p, K)[i])

        tol = resolution * b[i]
        # (lo, hi, π(lo), π(hi)) intervals still to resolve; an interval with equal ends is a flat piece
        area, todo = 0.0, [(0.0, float(b[i]), clicks(0.0), float(pi[i]))]
        while todo:
            lo, hi, f_lo, f_hi = todo.pop()
            if f_lo == f_hi:
                area += f_lo * (hi - lo)
            elif hi - lo <= tol:
                area += 0.5 * (f_lo + f_hi) * (hi - lo)
            else:
                mid = 0.5 * (lo + hi)
                f_mid = clicks(mid)
                todo += [(lo, mid, f_lo, f_mid), (mid, hi, f_mid, f_hi)]
        pay[i] = max(b[i] * pi[i] - area, 0.0)
    slot = cascade_approximation(b, p, max_shown=max_shown)[1]
    return Outcome(slot, pi, pay, float(b @ pi), render_order(b, slot, p.shape[1]))


def _sequences(n: int, m: int, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered sequence of ≤ K distinct (ad, position) pairs, padded with -1: ``(ads, positions)``."""
    ads, pos = [np.full(K, -1)], [np.full(K, -1)]
    for k in range(1, K + 1):
        for a in itertools.permutations(range(n), k):
            for q in itertools.permutations(range(m), k):
                ads.append(np.r_[a, np.full(K - k, -1)])
                pos.append(np.r_[q, np.full(K - k, -1)])
    return np.array(ads, dtype=int), np.array(pos, dtype=int)


def brute_force_welfare(values: Any, ctr: Any, *, model: str = "independent",
                        max_shown: int | None = None) -> float | np.ndarray:
    """The best welfare over every allocation (and, for the cascade, every reading order), by enumeration.

    ``values`` ``(..., n)`` and ``ctr`` ``(..., n, m)`` may carry a batch of instances; the
    ``Σ_k P(n, k) P(m, k)`` ordered sequences are evaluated in one vectorised pass. A float for one
    instance, else an array of the batch shape.
    """
    try:
        p = np.asarray(ctr, dtype=float)
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError("values and ctr must be arrays of numbers") from None
    if p.ndim < 2 or v.shape != p.shape[:-1]:
        raise InvalidParameterError(f"values (..., n) and ctr (..., n, m) disagree: {v.shape} and {p.shape}")
    _ctr(p.reshape(-1, p.shape[-1]))
    _values(v.reshape(-1))
    n, m = p.shape[-2:]
    if max(n, m) > BRUTE_FORCE_MAX:
        raise InvalidParameterError(f"brute force enumerates up to {BRUTE_FORCE_MAX} ads and positions")
    model = check_choice("model", model, MODELS)
    K = _cap(max_shown, n, m)
    if K == 0:
        return 0.0 if v.ndim == 1 else np.zeros(v.shape[:-1])
    A, Q = _sequences(n, m, K)
    check_size("the enumerated allocations", 8 * A.size * max(1, v.size // n) * 4)
    used = A >= 0
    q = np.where(used, p[..., np.maximum(A, 0), np.maximum(Q, 0)], 0.0)  # (..., S, K)
    val = np.where(used, v[..., np.maximum(A, 0)], 0.0)
    if model == "independent":
        welfare = (val * q).sum(-1)
    elif model == "mnl":
        w = q / (1.0 - q)
        welfare = (val * w).sum(-1) / (1.0 + w.sum(-1))
    else:
        reach = np.cumprod(np.concatenate([np.ones(q.shape[:-1] + (1,)), 1.0 - q[..., :-1]], -1), -1)
        welfare = (val * q * reach).sum(-1)
    best = welfare.max(-1)
    return float(best) if v.ndim == 1 else best


def vcg(bids: Any, ctr: Any, *, model: str = "independent", max_shown: int | None = None) -> Outcome:
    """VCG: the welfare-maximising allocation for the bids, each ad paying its externality.

    Clarke 1971: ``t_i = W*_{−i} − (W* − b_i π_i)``, the others' best welfare without i minus their
    welfare with i; truthful because the allocation maximises reported welfare exactly (Dinkelbach
    under MNL, the dynamic program with the decreasing-bid reading order under the cascade).
    """
    b = _values(bids, what="bids")
    W, slot = max_welfare(b, ctr, model=model, max_shown=max_shown)
    order = render_order(b, slot, _ctr(ctr).shape[1]) if model == "cascade" else None
    pi = click_probabilities(ctr, slot, model, order)
    pay = np.zeros_like(b)
    for i in np.flatnonzero(slot >= 0):
        without, _ = max_welfare(b, ctr, model=model, max_shown=max_shown, exclude=int(i))
        pay[i] = max(without - (W - b[i] * pi[i]), 0.0)
    return Outcome(slot, pi, pay, W, order)


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
