"""Facility location on [0, 1]: mechanisms, and checkers that search for violations of their properties.

``n`` agents report locations ``x ∈ [0, 1]ⁿ``; a mechanism places one facility ``y = f(x)``; agent
``i``'s cost is ``|y − x_i|`` and its utility ``1 − |y − x_i|``. Following Aziz, Lam, Lee & Walsh,
"Strategyproof and Proportionally Fair Facility Location", WINE 2022 (arXiv:2111.01566):

- *Unanimous Fair Share* (UFS): a group S of agents at one location gets utility ≥ |S|/n each,
  i.e. ``|y − x| ≤ 1 − |S|/n``; *Individual Fair Share* (IFS) is the case |S| = 1;
- *Proportionality* (Freeman, Pennock, Peters & Wortman Vaughan, "Truthful aggregation of budget
  proposals", J. Econ. Theory 2021): if every agent is at 0 or 1, ``y`` is the share at 1;
- *Proportional Fairness* (PF): a group S whose locations span a range ``r`` gets utility
  ≥ |S|/n − r each, i.e. ``|y − x_i| ≤ 1 − |S|/n + r`` for i ∈ S;
- the *Uniform Phantom* mechanism: the median of the n reports and the n − 1 phantoms k/n; it is
  the unique strategyproof UFS mechanism, and the outcome of every pure equilibrium of any
  continuous, strictly monotone UFS mechanism (such as the mean).

Every mechanism here is vectorised: ``reports`` of shape ``(..., n)`` give outcomes of shape ``(...)``,
so the checkers evaluate whole grids of profiles and misreports in one call. The checkers search
(they prove nothing): each returns the worst instance it found, a counterexample when one exists
on the searched set.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_int, check_real, check_size
from ..errors import InvalidParameterError

Mechanism = Callable[[np.ndarray], np.ndarray]

#: the largest number of agents a grid search enumerates (grid_size ** n profiles)
MAX_AGENTS = 12
#: memory of the manipulated profiles the strategyproofness search evaluates in one call
CHUNK_BYTES = 32 * 2**20


def _reports(reports: Any, what: str = "reports", allow_empty: bool = False) -> np.ndarray:
    """Reports as a float array ``(..., n)`` in [0, 1], n ≥ 1, or `InvalidParameterError`."""
    try:
        x = np.asarray(reports, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{what} must be an array of numbers in [0, 1]") from None
    if x.ndim == 0 or (x.shape[-1] == 0 and not allow_empty):
        raise InvalidParameterError(
            f"{what} must hold at least one location per profile; got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)) or np.any(x < 0.0) or np.any(x > 1.0):
        bad = x[~(np.isfinite(x) & (x >= 0.0) & (x <= 1.0))].ravel()[0]
        raise InvalidParameterError(f"{what} must lie in the domain [0, 1]; found {bad!r}")
    return x


# ---- mechanisms ------------------------------------------------------------------------------------


def phantom_median(reports: Any, phantoms: Any) -> np.ndarray:
    """The median of the reports and fixed phantom points (a generalized median, Moulin 1980).

    Moulin, "On strategy-proofness and single peakedness", Public Choice 1980: with n reports and
    n − 1 phantoms the median of the 2n − 1 points is strategyproof.
    """
    x = _reports(reports)
    p = _reports(phantoms, "phantoms", allow_empty=True).reshape(-1)
    pts = np.concatenate([x, np.broadcast_to(p, x.shape[:-1] + p.shape)], axis=-1)
    k = pts.shape[-1]
    return np.partition(pts, (k - 1) // 2, axis=-1)[..., (k - 1) // 2]


def uniform_phantom(reports: Any) -> np.ndarray:
    """The Uniform Phantom mechanism: the median of the n reports and the phantoms 1/n, ..., (n−1)/n.

    Freeman et al., J. Econ. Theory 2021; characterised by Aziz, Lam, Lee & Walsh, WINE 2022, as
    the unique strategyproof mechanism satisfying UFS (equivalently PF). A float for one profile.
    """
    x = _reports(reports)
    n = x.shape[-1]
    y = phantom_median(x, np.arange(1, n) / n)
    return float(y) if np.ndim(y) == 0 else y


def median(reports: Any) -> np.ndarray:
    """The (lower) median report: strategyproof (Moulin 1980) but not UFS."""
    x = _reports(reports)
    n = x.shape[-1]
    y = np.partition(x, (n - 1) // 2, axis=-1)[..., (n - 1) // 2]
    return float(y) if np.ndim(y) == 0 else y


def mean(reports: Any) -> np.ndarray:
    """The average report: UFS, continuous and strictly monotone, but not strategyproof."""
    y = _reports(reports).mean(axis=-1)
    return float(y) if np.ndim(y) == 0 else y


def midpoint(reports: Any) -> np.ndarray:
    """The midpoint of the extreme reports (minimises the maximum cost): neither UFS nor strategyproof."""
    x = _reports(reports)
    y = 0.5 * (x.min(axis=-1) + x.max(axis=-1))
    return float(y) if np.ndim(y) == 0 else y


def ufs_mixture(weight: float) -> Mechanism:
    """``weight · uniform_phantom + (1 − weight) · mean``: UFS (each UFS constraint is convex in y),
    continuous and strictly monotone for weight < 1, strategyproof only for weight = 1."""
    w = check_real("weight", weight, minimum=0.0, maximum=1.0)

    def mechanism(reports: Any) -> np.ndarray:
        x = _reports(reports)
        return w * np.asarray(uniform_phantom(x)) + (1.0 - w) * x.mean(axis=-1)

    mechanism.__name__ = f"ufs_mixture({w:g})"
    return mechanism


# ---- grids -----------------------------------------------------------------------------------------


def _grid(grid: Any, what: str) -> np.ndarray:
    """A grid given as an int (that many equally spaced points in [0, 1]) or as points in [0, 1]."""
    if isinstance(grid, (int, np.integer)) and not isinstance(grid, bool):
        k = check_int(what, grid, minimum=2, maximum=100_001)
        return np.linspace(0.0, 1.0, k)
    g = _reports(grid, what).reshape(-1)
    return np.unique(g)


def profile_grid(n: int, grid: Any = 11) -> np.ndarray:
    """Every profile of n agents with locations on ``grid``: an array ``(len(grid)**n, n)``."""
    n = check_int("n", n, minimum=1, maximum=MAX_AGENTS)
    g = _grid(grid, "grid")
    check_size(f"a grid of {len(g)}**{n} profiles", 8.0 * n * float(len(g)) ** n)
    return np.stack(np.meshgrid(*([g] * n), indexing="ij"), axis=-1).reshape(-1, n)


def _evaluate(mechanism: Mechanism, profiles: np.ndarray) -> np.ndarray:
    y = np.asarray(mechanism(profiles), dtype=float)
    if y.shape != profiles.shape[:-1]:
        raise InvalidParameterError(
            f"the mechanism must map reports of shape (..., n) to outcomes of shape (...); "
            f"got {y.shape} for {profiles.shape}"
        )
    return y


# ---- strategyproofness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Manipulation:
    """A profitable misreport: agent ``agent`` at ``profile[agent]`` reports ``misreport`` instead."""

    profile: tuple[float, ...]
    agent: int
    misreport: float
    truthful_outcome: float
    manipulated_outcome: float
    gain: float  # the reduction of the agent's cost


def find_manipulation(
    mechanism: Mechanism,
    n: int,
    *,
    grid: Any = 11,
    misreports: Any = 101,
    profiles: Any = None,
    tol: float = 1e-12,
) -> Manipulation | None:
    """Search for a profitable misreport; the most profitable one found, or None.

    Every profile on ``grid`` (or the given ``profiles``, shape ``(k, n)``), every agent, every
    point of ``misreports`` (a count of equally spaced points in [0, 1], or the points themselves,
    which must lie in [0, 1]): one vectorised call of the mechanism on all ``k·n·m`` manipulated
    profiles. A gain above ``tol`` is a violation of strategyproofness.
    """
    tol = check_real("tol", tol, minimum=0.0)
    X = profile_grid(n, grid) if profiles is None else _reports(profiles, "profiles")
    if X.ndim != 2 or X.shape[1] != check_int("n", n, minimum=1, maximum=MAX_AGENTS):
        raise InvalidParameterError(f"profiles must have shape (k, {n}); got {X.shape}")
    R = _grid(misreports, "misreports")
    k, m = X.shape[0], R.shape[0]
    y = _evaluate(mechanism, X)  # (k,)
    agents = np.arange(n)
    # profiles in chunks of about CHUNK_BYTES of manipulated profiles, each one vectorised call
    step = max(1, int(CHUNK_BYTES // (8 * n * m * n)))
    check_size("the manipulated profiles of one chunk", 8.0 * min(step, k) * n * m * n)
    best: tuple[float, int, int, int, float] | None = None
    for lo in range(0, k, step):
        Xc = X[lo:lo + step]
        Z = np.broadcast_to(Xc[:, None, None, :], (len(Xc), n, m, n)).copy()
        Z[:, agents, :, agents] = R[None, :]  # agent i's coordinate replaced by each misreport
        y_dev = _evaluate(mechanism, Z)  # (chunk, n, m)
        true_loc = Xc[:, :, None]
        gain = np.abs(y[lo:lo + step, None, None] - true_loc) - np.abs(y_dev - true_loc)
        idx = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if best is None or gain[idx] > best[0]:
            best = (float(gain[idx]), lo + int(idx[0]), int(idx[1]), int(idx[2]), float(y_dev[idx]))
    if best is None or best[0] <= tol:
        return None
    g, p, i, r, y_m = best
    return Manipulation(tuple(map(float, X[p])), i, float(R[r]), float(y[p]), y_m, g)


# ---- fairness axioms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AxiomViolation:
    """A profile at which the mechanism's outcome breaks ``axiom``, with the group that is short-changed."""

    axiom: str
    profile: tuple[float, ...]
    outcome: float
    group: tuple[int, ...]
    required_max_distance: float
    distance: float


AXIOMS = ("IFS", "UFS", "PF", "proportionality", "unanimity")


def _bounds(X: np.ndarray, axiom: str) -> tuple[np.ndarray, list[tuple[int, ...]] | None]:
    """Per profile and agent, the largest distance the axiom allows (``inf`` if unconstrained)."""
    k, n = X.shape
    if axiom == "IFS":
        return np.full((k, n), 1.0 - 1.0 / n), None
    if axiom == "UFS":
        same = (X[:, :, None] == X[:, None, :]).sum(axis=2)  # size of each agent's co-located group
        return 1.0 - same / n, None
    if axiom == "PF":
        # the binding groups are the sets of all agents in a range [x_(a), x_(b)] of the sorted
        # locations: adding agents inside a range keeps r and raises |S|
        order = np.argsort(X, axis=1, kind="stable")
        xs = np.take_along_axis(X, order, axis=1)
        lo, hi = np.triu_indices(n)
        r = xs[:, hi] - xs[:, lo]  # (k, windows)
        # |S|: all agents located within [x_(a), x_(b)], ties included
        size = ((xs[:, None, :] >= xs[:, lo][:, :, None]) & (xs[:, None, :] <= xs[:, hi][:, :, None])).sum(2)
        allow = 1.0 - size / n + r  # (k, windows)
        inside = (xs[:, None, :] >= xs[:, lo][:, :, None]) & (xs[:, None, :] <= xs[:, hi][:, :, None])
        bound_sorted = np.where(inside, allow[:, :, None], np.inf).min(axis=1)  # (k, n)
        bound = np.empty_like(bound_sorted)
        np.put_along_axis(bound, order, bound_sorted, axis=1)
        return bound, None
    raise InvalidParameterError(f"unknown axiom {axiom!r}; choose from {', '.join(AXIOMS)}")


def find_axiom_violation(
    mechanism: Mechanism, n: int, axiom: str = "UFS", *, grid: Any = 11, profiles: Any = None,
    tol: float = 1e-12,
) -> AxiomViolation | None:
    """Search the profiles on ``grid`` (or ``profiles``) for a violation of ``axiom``; the worst found.

    ``axiom``: ``"IFS"``, ``"UFS"``, ``"PF"``, ``"proportionality"`` (profiles with every agent at
    0 or 1: all ``2ⁿ`` of them are checked, ``y`` must equal the share at 1) or ``"unanimity"``
    (every agent at one grid point: ``y`` must be that point).
    """
    tol = check_real("tol", tol, minimum=0.0)
    n = check_int("n", n, minimum=1, maximum=MAX_AGENTS)
    if axiom not in AXIOMS:
        raise InvalidParameterError(f"unknown axiom {axiom!r}; choose from {', '.join(AXIOMS)}")
    if axiom in ("proportionality", "unanimity"):
        if axiom == "proportionality":
            X = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
            target = X.mean(axis=1)
        else:
            g = _grid(grid, "grid")
            X = np.repeat(g[:, None], n, axis=1)
            target = g
        y = _evaluate(mechanism, X)
        err = np.abs(y - target)
        p = int(np.argmax(err))
        if err[p] <= tol:
            return None
        return AxiomViolation(axiom, tuple(map(float, X[p])), float(y[p]), tuple(range(n)), 0.0,
                              float(err[p]))
    X = profile_grid(n, grid) if profiles is None else _reports(profiles, "profiles")
    if X.ndim != 2 or X.shape[1] != n:
        raise InvalidParameterError(f"profiles must have shape (k, {n}); got {X.shape}")
    check_size("the fairness check", 8.0 * X.shape[0] * n * n * 4)
    y = _evaluate(mechanism, X)
    dist = np.abs(y[:, None] - X)
    bound = _bounds(X, axiom)[0]
    excess = dist - bound
    idx = np.unravel_index(int(np.argmax(excess)), excess.shape)
    if excess[idx] <= tol:
        return None
    p, i = (int(v) for v in idx)
    if axiom == "UFS":
        group = tuple(int(j) for j in np.flatnonzero(X[p] == X[p, i]))
    else:
        group = (i,)
    return AxiomViolation(axiom, tuple(map(float, X[p])), float(y[p]), group, float(bound[p, i]),
                          float(dist[p, i]))


# ---- approximation ratios --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorstCase:
    """The largest ratio found and the profile attaining it."""

    ratio: float
    profile: tuple[float, ...]
    outcome: float
    optimum: float


def worst_case_ratio(mechanism: Mechanism, n: int, objective: str = "welfare", *, grid: Any = 11,
                     profiles: Any = None) -> WorstCase:
    """The worst ratio to the optimum over the profiles on ``grid`` (or ``profiles``).

    ``objective="welfare"``: optimal utilitarian welfare ``Σ (1 − |y − x_i|)`` (attained at a
    median) over the mechanism's; ``"cost"``: the mechanism's total cost ``Σ |y − x_i|`` over the
    minimum (profiles where both are 0 count as ratio 1; a positive cost over a zero optimum is
    ``inf``). A search: the supremum over all profiles is at least the value returned. These are
    the definitions of Aziz, Lam, Lee & Walsh (utility ``1 − |y − x_i|``, ratios ≥ 1); the extremal
    profiles and closed forms the search recovers are listed in ``examples/facility_location.py``.
    """
    n = check_int("n", n, minimum=1, maximum=MAX_AGENTS)
    if objective not in ("welfare", "cost"):
        raise InvalidParameterError(f"objective must be 'welfare' or 'cost', got {objective!r}")
    X = profile_grid(n, grid) if profiles is None else _reports(profiles, "profiles")
    if X.ndim != 2 or X.shape[1] != n:
        raise InvalidParameterError(f"profiles must have shape (k, {n}); got {X.shape}")
    y = _evaluate(mechanism, X)
    cost = np.abs(y[:, None] - X).sum(axis=1)
    med = np.partition(X, (n - 1) // 2, axis=1)[:, (n - 1) // 2]
    opt_cost = np.abs(med[:, None] - X).sum(axis=1)
    if objective == "welfare":
        ratio = (n - opt_cost) / (n - cost)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(opt_cost > 1e-15, cost / np.where(opt_cost > 1e-15, opt_cost, 1.0),
                             np.where(cost > 1e-15, np.inf, 1.0))
    p = int(np.argmax(ratio))
    opt = n - opt_cost[p] if objective == "welfare" else opt_cost[p]
    return WorstCase(float(ratio[p]), tuple(map(float, X[p])), float(y[p]), float(opt))


# ---- best-response dynamics ------------------------------------------------------------------------


def best_response_dynamics(
    mechanism: Mechanism, locations: Any, *, rounds: int = 200, tol: float = 1e-10,
    max_iter: int = 60,
) -> tuple[np.ndarray, float, int]:
    """Round-robin best responses of the agents' reports under a continuous, increasing mechanism.

    Aziz, Lam, Lee & Walsh (WINE 2022, Theorem on equilibria): for a continuous, strictly monotone
    UFS mechanism every pure Nash equilibrium of the reporting game has the Uniform Phantom outcome.

    1. Start from truthful reports ``r = x``.
    2. For agents i = 1..n in turn: the best response makes the outcome as close to ``x_i`` as
       possible; the outcome is continuous and increasing in ``r_i``, so it is ``r_i = 0`` if
       ``f(0, r_−i) ≥ x_i``, ``1`` if ``f(1, r_−i) ≤ x_i``, else the root of ``f(r_i, r_−i) = x_i`` by
       ``max_iter`` bisection steps.
    3. Stop when a full round moves no report by more than ``tol``, or after ``rounds`` rounds.

    Returns ``(reports, outcome, rounds_used)``. (The paper proves the equilibrium outcome; the
    round-robin dynamics are how this library reaches it.)
    """
    x = _reports(locations).reshape(-1)
    rounds = check_int("rounds", rounds, minimum=1, maximum=10**6)
    max_iter = check_int("max_iter", max_iter, minimum=1, maximum=200)
    tol = check_real("tol", tol, minimum=0.0)
    n = x.shape[0]
    r = x.copy()
    for t in range(1, rounds + 1):
        moved = 0.0
        for i in range(n):
            def f(v: float, i: int = i) -> float:
                z = r.copy()
                z[i] = v
                return float(mechanism(z))

            if f(0.0) >= x[i]:
                new = 0.0
            elif f(1.0) <= x[i]:
                new = 1.0
            else:
                lo, hi = 0.0, 1.0
                for _ in range(max_iter):
                    mid = 0.5 * (lo + hi)
                    if f(mid) < x[i]:
                        lo = mid
                    else:
                        hi = mid
                new = 0.5 * (lo + hi)
            moved = max(moved, abs(new - r[i]))
            r[i] = new
        if moved <= tol:
            return r, float(mechanism(r)), t
    return r, float(mechanism(r)), rounds
