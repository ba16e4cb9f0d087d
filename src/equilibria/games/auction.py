"""Bayesian (independent private values) single-item auctions with bid functions as strategies.

n bidders draw independent private values V_i ~ F_i on [low_i, high_i] (`Uniform`, `Power`,
`TruncatedNormal`, or `Empirical` from a sample array). A strategy is a bid function β_i, held as bids at
``grid`` equally spaced values of [low_i, high_i] and linearly interpolated in between. The highest
bid at or above the reserve price r wins (ties: uniformly at random); bids below r are not accepted
(no allocation, no payment). The winner pays

- ``first_price``: its bid; ``all_pay``: every accepted bidder pays its bid;
- ``second_price``: max(r, highest other bid); ``third_price``: max(r, second-highest other bid).

Ex-ante utilities are computed *exactly in the opponents' values*: for a piecewise-linear bid
function and a continuous value distribution, P(β_j(V_j) < y) is a sum over the grid's segments of
F_j at the value where the segment crosses y. So the opponents' bid CDFs F_j(y), the win probability
W(y) = ∫_0^1 Π_j (F_j(y−) + p_j(y) z) dz (uniform tie-breaking, p_j the tie mass) and the expected
payment are closed forms in the F_j, except for the integrals ∫_r^y Π_j F_j that second- and
third-price payments need (trapezoid rule on a fine bid grid, O(h²)). The integral over a
bidder's own value uses ``quadrature`` midpoint cells. See `AuctionGame.interim_outcome`.

Known Bayes-Nash equilibria (`AuctionGame.equilibrium`), symmetric bidders:

- first price: β(v) = v − ∫_r^v F(t)^{n−1} dt / F(v)^{n−1} for v ≥ r (Riley & Samuelson, "Optimal
  Auctions", AER 1981); (n−1)/n·v for U[0, 1] and no reserve;
- all-pay: β(v) = r F(r)^{n−1} + ∫_r^v t dF^{n−1}(t); (n−1)/n·vⁿ for U[0, 1];
- second price: truthful, for any (also asymmetric) distributions (Vickrey, J. Finance 1961);
- third price, no reserve, uniform or power values: β(v) = v + F(v)/((n−2) f(v)) (Kagel & Levin,
  "Independent private value auctions: bidder behaviour in first-, second- and third-price
  auctions with varying numbers of bidders", Economic Journal 1993); (n−1)/(n−2)·v for U[0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InvalidGameError, InvalidStrategyError
from .base import Game

MECHANISMS = ("first_price", "second_price", "all_pay", "third_price")


# ---- value distributions ---------------------------------------------------------------------------


class ValueDistribution:
    """A continuous value distribution on [low, high]: ``cdf``, ``ppf`` (inverse CDF, for sampling),
    ``pdf`` and ``density_bound`` (sup of the density; used by the smoothing bias bound)."""

    kind = "distribution"
    low: float
    high: float

    def cdf(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def pdf(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def density_bound(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def quadrature(self, points: int) -> tuple[np.ndarray, np.ndarray]:
        """Midpoints of ``points`` equal-width cells of [low, high] and the cells' probabilities."""
        edges = np.linspace(self.low, self.high, points + 1)
        w = np.diff(self.cdf(edges))
        return 0.5 * (edges[:-1] + edges[1:]), w / w.sum()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValueDistribution) and self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash(repr(self.describe()))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if k != "kind")
        return f"{type(self).__name__}({args})"


def _finite(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidGameError(f"{name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(v):
        raise InvalidGameError(f"{name} must be a finite number, got {value!r}")
    return v


def _interval(low: Any, high: Any) -> tuple[float, float]:
    lo, hi = _finite("low", low), _finite("high", high)
    if lo < 0 or not hi > lo:
        raise InvalidGameError(f"values must lie in an interval 0 <= low < high, got low={lo}, high={hi}")
    return lo, hi


class Uniform(ValueDistribution):
    """U[low, high]."""

    kind = "uniform"

    def __init__(self, low: float = 0.0, high: float = 1.0):
        self.low, self.high = _interval(low, high)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(x, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.where((x >= self.low) & (x <= self.high), 1.0 / (self.high - self.low), 0.0)

    @property
    def density_bound(self) -> float:
        return 1.0 / (self.high - self.low)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "low": self.low, "high": self.high}


class Power(ValueDistribution):
    """F(v) = ((v − low)/(high − low))^power on [low, high] (power 1 is uniform)."""

    kind = "power"

    def __init__(self, power: float = 2.0, low: float = 0.0, high: float = 1.0):
        self.low, self.high = _interval(low, high)
        self.power = _finite("power", power)
        if not 0.05 <= self.power <= 100:
            raise InvalidGameError(f"power must be in [0.05, 100], got {self.power}")

    def cdf(self, x: np.ndarray) -> np.ndarray:
        t = np.clip((np.asarray(x, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)
        return t**self.power

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float) ** (1.0 / self.power)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        t = np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)
        with np.errstate(divide="ignore"):
            d = self.power * t ** (self.power - 1) / (self.high - self.low)
        return np.where((x >= self.low) & (x <= self.high), d, 0.0)

    @property
    def density_bound(self) -> float:
        return math.inf if self.power < 1 else self.power / (self.high - self.low)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "power": self.power, "low": self.low, "high": self.high}


class TruncatedNormal(ValueDistribution):
    """N(mean, std²) conditioned on [low, high]."""

    kind = "normal"

    def __init__(self, mean: float = 0.5, std: float = 0.15, low: float = 0.0, high: float = 1.0):
        self.low, self.high = _interval(low, high)
        self.mean, self.std = _finite("mean", mean), _finite("std", std)
        if not self.std > 0:
            raise InvalidGameError(f"std must be positive, got {self.std}")
        from scipy import special  # lazy: keeps `import equilibria` free of scipy

        self._a = special.ndtr((self.low - self.mean) / self.std)
        self._z = special.ndtr((self.high - self.mean) / self.std) - self._a
        if not self._z > 1e-12:
            raise InvalidGameError(
                f"N({self.mean}, {self.std}²) has no mass on [{self.low}, {self.high}]; move the mean "
                "or widen the interval"
            )

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.clip(np.asarray(x, dtype=float), self.low, self.high)
        from scipy import special

        return np.clip((special.ndtr((x - self.mean) / self.std) - self._a) / self._z, 0.0, 1.0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        q = self._a + np.asarray(u, dtype=float) * self._z
        from scipy import special

        return np.clip(self.mean + self.std * special.ndtri(q), self.low, self.high)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        d = np.exp(-0.5 * ((x - self.mean) / self.std) ** 2) / (self.std * math.sqrt(2 * math.pi) * self._z)
        return np.where((x >= self.low) & (x <= self.high), d, 0.0)

    @property
    def density_bound(self) -> float:
        peak = min(max(self.mean, self.low), self.high)
        return float(self.pdf(np.array([peak]))[0])

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "mean": self.mean, "std": self.std, "low": self.low, "high": self.high}


class Empirical(ValueDistribution):
    """The distribution of a sample array, made continuous: its CDF interpolates the empirical CDF
    linearly between consecutive distinct sample values (so it has a density, piecewise constant)."""

    kind = "samples"
    MAX_SAMPLES = 1_000_000

    def __init__(self, samples: Any):
        try:
            x = np.asarray(samples, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InvalidGameError("samples must be an array of numbers") from None
        if x.size > self.MAX_SAMPLES:
            raise InvalidGameError(f"at most {self.MAX_SAMPLES} samples, got {x.size}")
        if x.size < 2 or not np.all(np.isfinite(x)) or np.any(x < 0):
            raise InvalidGameError("samples must hold at least 2 finite, non-negative values")
        xs, counts = np.unique(x, return_counts=True)
        if xs.size < 2:
            raise InvalidGameError(
                "samples must hold at least 2 distinct values (a point mass has no density)"
            )
        self.samples = xs
        self.counts = counts
        # knots at the distinct values; level k = (samples below x_(k) + half of those equal) / total,
        # rescaled to run from 0 at the smallest value to 1 at the largest
        c = np.cumsum(counts).astype(float)
        mids = (c - 0.5 * counts) / c[-1]
        self._knots = xs
        self._levels = (mids - mids[0]) / (mids[-1] - mids[0])
        self.low, self.high = float(xs[0]), float(xs[-1])

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(x, dtype=float), self._knots, self._levels)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(u, dtype=float), self._levels, self._knots)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        k = np.clip(np.searchsorted(self._knots, x, side="right") - 1, 0, self._knots.size - 2)
        dens = np.diff(self._levels) / np.diff(self._knots)
        return np.where((x >= self.low) & (x <= self.high), dens[k], 0.0)

    @property
    def density_bound(self) -> float:
        return float(np.max(np.diff(self._levels) / np.diff(self._knots)))

    def describe(self) -> dict[str, Any]:
        import hashlib  # here, not at import: OpenSSL is ~3.5 MB resident

        return {
            "kind": self.kind,
            "samples": len(self.samples),
            "low": self.low,
            "high": self.high,
            "digest": hashlib.sha256(self.samples.tobytes() + self.counts.tobytes()).hexdigest()[:16],
        }


def make_distribution(
    kind: str = "uniform",
    *,
    low: float = 0.0,
    high: float = 1.0,
    power: float = 2.0,
    mean: float | None = None,
    std: float | None = None,
    samples: Any = None,
) -> ValueDistribution:
    """A value distribution by name: ``uniform``, ``power``, ``normal`` (truncated to [low, high]) or
    ``samples`` (an array given as ``samples``). Raises `InvalidGameError` on anything else."""
    if kind == "uniform":
        return Uniform(low, high)
    if kind == "power":
        return Power(power, low, high)
    if kind == "normal":
        m = 0.5 * (_finite("low", low) + _finite("high", high)) if mean is None else mean
        s = 0.25 * (_finite("high", high) - _finite("low", low)) if std is None else std
        return TruncatedNormal(m, s, low, high)
    if kind == "samples":
        if samples is None:
            raise InvalidGameError("values='samples' needs a sample array: samples=[...]")
        return Empirical(samples)
    raise InvalidGameError(f"unknown value distribution {kind!r}; use one of uniform, power, normal, samples")


# ---- bid-function geometry -------------------------------------------------------------------------


def bid_cdf(
    dist: ValueDistribution, grid: np.ndarray, bids: np.ndarray, y: np.ndarray, strict: bool
) -> np.ndarray:
    """P(β(V) < y) (``strict``) or P(β(V) ≤ y) for the piecewise-linear β through (grid, bids), V ~ dist,
    at every point of ``y``: exact, a sum over the grid's segments (cost O(len(y) · len(grid)))."""
    y = np.asarray(y, dtype=float)
    db = np.diff(bids)
    if np.all(db >= 0):  # non-decreasing: F at the last value bidding below (or at) y, O(len(y) log G)
        k = np.searchsorted(bids, y, side="left" if strict else "right")
        inside = (k > 0) & (k < bids.size)
        j = np.clip(k - 1, 0, bids.size - 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(inside, (y - bids[j]) / np.where(db[j] > 0, db[j], 1.0), 0.0)
        v = np.where(
            k == 0,
            grid[0],
            np.where(k >= bids.size, grid[-1], grid[j] + np.clip(frac, 0.0, 1.0) * (grid[j + 1] - grid[j])),
        )
        return np.where(k == 0, 0.0, np.where(k >= bids.size, 1.0, dist.cdf(v)))
    g0, g1 = grid[:-1], grid[1:]
    b0 = bids[:-1]
    F0, F1 = dist.cdf(g0), dist.cdf(g1)
    rising, falling = db > 0, db < 0
    flat = ~(rising | falling)
    Y = np.asarray(y, dtype=float)[:, None]
    t = np.clip((Y - b0) / np.where(flat, 1.0, db), 0.0, 1.0)
    Fv = dist.cdf(g0 + t * (g1 - g0))
    below_flat = (b0 < Y) if strict else (b0 <= Y)
    part = np.where(rising, Fv - F0, np.where(falling, F1 - Fv, np.where(below_flat, F1 - F0, 0.0)))
    return np.clip(part.sum(axis=1), 0.0, 1.0)


def _cumtrapz(f: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∫_{y_0}^{y_k} f along the last axis (trapezoid rule), starting at 0."""
    dy = np.diff(y)
    inc = 0.5 * (f[..., 1:] + f[..., :-1]) * dy
    return np.concatenate([np.zeros(f.shape[:-1] + (1,)), np.cumsum(inc, axis=-1)], axis=-1)


def tie_win_probability(below: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """W = ∫_0^1 Π_j (below_j + ties_j z) dz: the chance of winning with uniform tie-breaking, when
    opponent j bids strictly lower with probability below_j and the same with probability ties_j
    (rows j). Exact: the polynomial's coefficients, O(m²) per point."""
    m = below.shape[0]
    coef = np.zeros((m + 1,) + below.shape[1:])
    coef[0] = 1.0
    for j in range(m):  # over opponents (a handful), never over bids or values
        new = coef * below[j]
        new[1:] += coef[:-1] * ties[j]
        coef = new
    return np.tensordot(1.0 / np.arange(1, m + 2), coef, axes=1)


# ---- the game --------------------------------------------------------------------------------------


def _as_distribution(d: Any) -> ValueDistribution:
    if isinstance(d, ValueDistribution):
        return d
    if isinstance(d, dict):
        spec = dict(d)
        kind = spec.pop("kind", "uniform")
        allowed = {"low", "high", "power", "mean", "std", "samples"}
        if set(spec) - allowed:
            raise InvalidGameError(f"unknown distribution fields {sorted(set(spec) - allowed)}")
        return make_distribution(kind, **spec)
    if isinstance(d, str):
        return make_distribution(d)
    if isinstance(d, (list, tuple, np.ndarray)):
        return Empirical(d)
    raise InvalidGameError(
        f"{d!r} is not a value distribution; give a ValueDistribution, a name (uniform, power, normal), "
        "a dict {'kind': ..., ...} or a sample array"
    )


def _check_grid_sizes(
    grid: Any, bid_points: Any, value_points: Any, *, max_bid_points: int, max_value_points: int
) -> tuple[int, int, int]:
    """The discretisation sizes of an auction game as ints (value-grid points in [2, 10001], bid points
    in [11, max_bid_points], value atoms in [10, max_value_points]); InvalidGameError otherwise."""
    for name, v, lo, hi in (
        ("grid", grid, 2, 10_001),
        ("bid_points", bid_points, 11, max_bid_points),
        ("value_points", value_points, 10, max_value_points),
    ):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
            raise InvalidGameError(f"{name} must be an integer in [{lo}, {hi}], got {v!r}")
    return int(grid), int(bid_points), int(value_points)


def _value_grids(distributions: tuple[ValueDistribution, ...], points: int) -> np.ndarray:
    """The read-only (n, points) array of each bidder's equally spaced value grid over its support."""
    grids = np.stack([np.linspace(d.low, d.high, points) for d in distributions])
    grids.setflags(write=False)
    return grids


class AuctionGame(Game):
    """A single-item Bayesian auction with independent private values (see the module docstring).

    Parameters
    ----------
    distributions : sequence
        One value distribution per bidder (at least 2): `ValueDistribution` objects, names, dicts
        ``{"kind": "power", "power": 2}`` or sample arrays.
    mechanism : str
        ``first_price``, ``second_price``, ``all_pay`` or ``third_price`` (needs 3 or more bidders).
    reserve : float
        The reserve price r ≥ 0.
    grid : int
        Number of grid values per bidder the bid functions are held at (≥ 2).
    bid_points : int
        Points of the bid grid on which best responses are searched (the ε metric's resolution).
    value_points : int
        Quadrature cells for the expectation over a bidder's own value.
    """

    family = "auction"

    def __init__(
        self,
        distributions: Sequence[Any],
        mechanism: str = "first_price",
        *,
        reserve: float = 0.0,
        grid: int = 65,
        bid_points: int = 1001,
        value_points: int = 500,
        title: str = "",
    ):
        if isinstance(distributions, (str, dict, ValueDistribution)) or not isinstance(
            distributions, (list, tuple)
        ):
            raise InvalidGameError("distributions must be a list with one value distribution per bidder")
        if len(distributions) < 2:
            raise InvalidGameError(f"an auction needs at least 2 bidders, got {len(distributions)}")
        if len(distributions) > 64:
            raise InvalidGameError(f"at most 64 bidders, got {len(distributions)}")
        self.distributions: tuple[ValueDistribution, ...] = tuple(_as_distribution(d) for d in distributions)
        if mechanism not in MECHANISMS:
            raise InvalidGameError(f"unknown mechanism {mechanism!r}; use one of {', '.join(MECHANISMS)}")
        n = len(self.distributions)
        if mechanism == "third_price" and n < 3:
            raise InvalidGameError(
                "a third-price auction needs at least 3 bidders (with 2 the winner always pays the reserve)"
            )
        self.mechanism = mechanism
        self.reserve = _finite("reserve", reserve)
        if self.reserve < 0:
            raise InvalidGameError(f"reserve must be >= 0, got {self.reserve}")
        self.grid_points, self.bid_points, self.value_points = _check_grid_sizes(
            grid, bid_points, value_points, max_bid_points=200_001, max_value_points=200_001
        )
        self.max_value = max(d.high for d in self.distributions)
        factor = (n - 1) / (n - 2) if mechanism == "third_price" else 1.0
        #: the highest bid allowed (bid functions live in [0, max_bid])
        self.max_bid = float(max(self.max_value * factor, self.reserve))
        self.grids: np.ndarray = _value_grids(self.distributions, self.grid_points)
        bids = np.union1d(np.linspace(0.0, self.max_bid, self.bid_points), [self.reserve])
        bids.setflags(write=False)
        #: the bids best responses are searched over
        self.bid_grid: np.ndarray = bids
        quad = [d.quadrature(self.value_points) for d in self.distributions]
        self._quad = tuple((p, w) for p, w in quad)
        self.title = title or f"{mechanism.replace('_', '-')} auction, {n} bidders"
        self._freeze()

    # -- Game interface ------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return len(self.distributions)

    @property
    def payoff_scale(self) -> float:
        return float(self.max_value)

    @property
    def symmetric(self) -> bool:
        return all(d == self.distributions[0] for d in self.distributions)

    def default_method(self) -> str:
        # all-pay: the smoothed gradient dynamics escalate at the top values (`dynamics.auction`);
        # damped best-response iteration learns the equilibrium there
        return "best-response-iteration" if self.mechanism == "all_pay" else "smoothed-gradient"

    def validate_profile(self, profile: Any) -> list[np.ndarray]:
        """The profile as a list of float arrays of shape (grid,), bids finite and in [0, max_bid]."""
        n, G = self.num_players, self.grid_points
        if isinstance(profile, np.ndarray) and profile.dtype != object:
            rows = list(profile) if profile.ndim == 2 else None
        elif isinstance(profile, (list, tuple)):
            rows = list(profile)
        else:
            rows = None
        if rows is None or len(rows) != n:
            raise InvalidStrategyError(f"an auction profile is one bid array of length {G} per bidder ({n})")
        out = []
        for i, r in enumerate(rows):
            try:
                a = np.asarray(r, dtype=float)
            except (TypeError, ValueError):
                raise InvalidStrategyError(f"bidder {i + 1}'s bids are not numbers") from None
            if a.shape != (G,):
                raise InvalidStrategyError(f"bidder {i + 1}'s bids have shape {a.shape}, expected ({G},)")
            if not np.all(np.isfinite(a)):
                raise InvalidStrategyError(f"bidder {i + 1}'s bids are not all finite")
            tol = 1e-9 * max(1.0, self.max_bid)
            if a.min() < -tol or a.max() > self.max_bid + tol:
                raise InvalidStrategyError(
                    f"bidder {i + 1}'s bids must lie in [0, {self.max_bid:g}], got [{a.min():g}, {a.max():g}]"
                )
            out.append(np.clip(a, 0.0, self.max_bid))
        return out

    def uniform_profile(self, exact: bool = False) -> list[np.ndarray]:
        """Truthful bidding (bids capped at ``max_bid``): the neutral start of every learner."""
        return [np.minimum(g.copy(), self.max_bid) for g in self.grids]

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        prof = self.validate_profile(profile)
        return [
            {"grid": [float(v) for v in g], "bids": [float(b) for b in p]}
            for g, p in zip(self.grids, prof, strict=True)
        ]

    def profile_from_json(self, data: Any) -> list[np.ndarray]:
        """Bid functions ``[{"grid": [...], "bids": [...]}, ...]``; a grid other than the game's (increasing,
        covering the bidder's value interval) is linearly interpolated onto it."""
        n = self.num_players
        if not isinstance(data, list) or len(data) != n:
            raise InvalidStrategyError(
                f"an auction profile is a list of {n} objects {{'grid': [...], 'bids': [...]}}"
            )
        out = []
        for i, item in enumerate(data):
            if not isinstance(item, dict) or set(item) != {"grid", "bids"}:
                raise InvalidStrategyError(f"bidder {i + 1}: expected an object with keys 'grid' and 'bids'")
            try:
                g = np.asarray(item["grid"], dtype=float)
                b = np.asarray(item["bids"], dtype=float)
            except (TypeError, ValueError):
                raise InvalidStrategyError(
                    f"bidder {i + 1}: 'grid' and 'bids' must be lists of numbers"
                ) from None
            if g.ndim != 1 or g.shape != b.shape or g.size < 2:
                raise InvalidStrategyError(
                    f"bidder {i + 1}: 'grid' and 'bids' must be lists of equal length >= 2"
                )
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(b))):
                raise InvalidStrategyError(f"bidder {i + 1}: 'grid' and 'bids' must be finite")
            if np.any(np.diff(g) <= 0):
                raise InvalidStrategyError(f"bidder {i + 1}: 'grid' must be strictly increasing")
            lo, hi = self.grids[i][0], self.grids[i][-1]
            eps = 1e-9 * max(1.0, hi)
            if g[0] > lo + eps or g[-1] < hi - eps:
                raise InvalidStrategyError(
                    f"bidder {i + 1}: 'grid' must cover the values [{lo:g}, {hi:g}], "
                    f"got [{g[0]:g}, {g[-1]:g}]"
                )
            out.append(np.interp(self.grids[i], g, b))
        return self.validate_profile(out)

    # -- outcomes ------------------------------------------------------------------------------
    def bids_at(self, player: int, bids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """β_player(values) by linear interpolation of the grid bids."""
        return np.interp(values, self.grids[player], bids)

    def opponent_cdfs(
        self, profile: list[np.ndarray], player: int, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(P(β_j(V_j) < y), P(β_j(V_j) ≤ y)) for every opponent j of ``player`` (rows), at the points y."""
        others = [j for j in range(self.num_players) if j != player]
        lt = np.stack([bid_cdf(self.distributions[j], self.grids[j], profile[j], y, True) for j in others])
        le = np.stack([bid_cdf(self.distributions[j], self.grids[j], profile[j], y, False) for j in others])
        return lt, le

    def outcome_from_cdfs(
        self, y: np.ndarray, lt: np.ndarray, le: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Win probability x(y) and expected payment p(y) of a bid y, for every point of the sorted array
        ``y`` (which must contain the reserve), from the opponents' bid CDFs on ``y``."""
        r = self.reserve
        W = tie_win_probability(lt, le - lt)
        accepted = y >= r
        x = np.where(accepted, W, 0.0)
        kr = int(np.searchsorted(y, r))
        if self.mechanism == "first_price":
            pay = y * x
        elif self.mechanism == "all_pay":
            pay = np.where(accepted, y, 0.0)
        elif self.mechanism == "second_price":
            # E[max(r, Y1) 1{win}] = y W(y) − ∫_r^y P(Y1 ≤ t) dt  (integration by parts)
            C = _cumtrapz(np.prod(le, axis=0), y)
            pay = np.where(accepted, y * W - (C - C[kr]), 0.0)
        else:  # third price: E[max(r, Y2) 1{win}] = y W(y) − ∫_r^y P(Y2 ≤ t, Y1 < y) dt, where
            # P(Y2 ≤ t, Y1 < y) = (1 − m) Π_j F_j(t) + Σ_j F_j(y−) Π_{l≠j} F_l(t)
            m = le.shape[0]
            C = _cumtrapz(np.prod(le, axis=0), y)
            pre = np.cumprod(np.vstack([np.ones_like(y), le[:-1]]), axis=0)
            suf = np.cumprod(np.vstack([np.ones_like(y), le[::-1][:-1]]), axis=0)[::-1]
            D = _cumtrapz(pre * suf, y)  # ∫ Π_{l≠j} F_l, row j
            integral = (1 - m) * (C - C[kr]) + np.sum(lt * (D - D[:, kr : kr + 1]), axis=0)
            pay = np.where(accepted, y * W - integral, 0.0)
        return x, pay

    def interim_outcome(self, profile: Any, player: int, bids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Win probability and expected payment of ``player`` bidding each of ``bids`` against ``profile``."""
        prof = self.validate_profile(profile)
        b = np.asarray(bids, dtype=float).ravel()
        y, inv = np.unique(np.concatenate([self.bid_grid, b]), return_inverse=True)
        lt, le = self.opponent_cdfs(prof, player, y)
        x, pay = self.outcome_from_cdfs(y, lt, le)
        k = inv[self.bid_grid.size :]
        return x[k], pay[k]

    def quadrature(self, player: int) -> tuple[np.ndarray, np.ndarray]:
        """Values and probability weights of the expectation over ``player``'s own value."""
        return self._quad[player]

    def utilities(self, profile: Any) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """(ex-ante utility of each player, ex-ante best-response utility on the bid grid, best-response
        bids at each player's grid values). One pass over the players; see `metrics.auction`."""
        prof = self.validate_profile(profile)
        n = self.num_players
        u, ubr, brs = np.zeros(n), np.zeros(n), []
        for i in range(n):  # over bidders (a handful), never over values or bids
            v, w = self._quad[i]
            xb, pb, x_own, pay_own = self._grid_and_own_outcomes(prof, i, self.bids_at(i, prof[i], v))
            cur = v * x_own - pay_own
            best = np.max(v[:, None] * xb[None, :] - pb[None, :], axis=1)
            u[i] = w @ cur
            ubr[i] = w @ np.maximum(best, cur)
            g = self.grids[i]
            brs.append(self.bid_grid[np.argmax(g[:, None] * xb[None, :] - pb[None, :], axis=1)])
        return u, ubr, brs

    def _grid_and_own_outcomes(
        self, prof: list[np.ndarray], player: int, own: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(win probability, expected payment) of ``player`` bidding each point of the bid grid, then
        each of its own bids ``own``: the four arrays `utilities` needs."""
        M = self.bid_grid.size
        y, inv = np.unique(np.concatenate([self.bid_grid, own]), return_inverse=True)
        lt, le = self.opponent_cdfs(prof, player, y)
        x, pay = self.outcome_from_cdfs(y, lt, le)
        kb, ko = inv[:M], inv[M:]
        return x[kb], pay[kb], x[ko], pay[ko]

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        if exact:
            from ..errors import NotApplicableError

            raise NotApplicableError("auction utilities are computed in floating point; drop --exact")
        return self.utilities(profile)[0]

    def expected_revenue(self, profile: Any) -> float:
        """The seller's expected revenue Σ_i E[payment_i]."""
        prof = self.validate_profile(profile)
        total = 0.0
        for i in range(self.num_players):
            v, w = self._quad[i]
            _, pay = self.interim_outcome(prof, i, self.bids_at(i, prof[i], v))
            total += float(w @ pay)
        return total

    # -- known equilibria ----------------------------------------------------------------------
    def equilibrium(self) -> list[np.ndarray] | None:
        """The analytical Bayes-Nash equilibrium at the grid values, when one is known (None otherwise)."""
        n, r = self.num_players, self.reserve
        if self.mechanism == "second_price":
            return [np.minimum(g.copy(), self.max_bid) for g in self.grids]
        if not self.symmetric:
            return None
        d, g = self.distributions[0], self.grids[0]
        if self.mechanism in ("first_price", "all_pay"):
            # F^{n-1} and ∫ on a fine value grid, read off at the grid values
            t = np.union1d(np.linspace(d.low, d.high, 20001), np.clip([r], d.low, d.high))
            Fn = d.cdf(t) ** (n - 1)
            kr = int(np.searchsorted(t, min(max(r, d.low), d.high)))
            if self.mechanism == "first_price":
                I = _cumtrapz(Fn, t)
                I = I - I[kr]
                Fg = np.interp(g, t, Fn)
                with np.errstate(divide="ignore", invalid="ignore"):
                    b = np.where(Fg > 0, g - np.interp(g, t, I) / np.where(Fg > 0, Fg, 1.0), g)
            else:
                tdF = _cumtrapz(t * np.gradient(Fn, t), t)  # ∫ t dF^{n−1}
                b = np.interp(g, t, tdF) - tdF[kr] + max(r, d.low) * Fn[kr]
            b = np.where(g >= r, b, 0.0)
            return [np.clip(b, 0.0, self.max_bid) for _ in range(n)]
        if self.mechanism == "third_price" and r == 0 and isinstance(d, (Uniform, Power)):
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(d.pdf(g) > 0, d.cdf(g) / d.pdf(g), 0.0)
            b = g + ratio / (n - 2)
            if isinstance(d, Power) and d.low == 0:
                b = g * (1 + 1 / (d.power * (n - 2)))
            return [np.clip(b, 0.0, self.max_bid) for _ in range(n)]
        return None

    def distance_to_equilibrium(self, profile: Any) -> float | None:
        """L2 distance to the analytical equilibrium: sqrt(Σ_i E_{V_i}[(β_i(V_i) − β*_i(V_i))²])."""
        eq = self.equilibrium()
        if eq is None:
            return None
        prof = self.validate_profile(profile)
        total = 0.0
        for i in range(self.num_players):
            v, w = self._quad[i]
            diff = self.bids_at(i, prof[i], v) - self.bids_at(i, eq[i], v)
            total += float(w @ diff**2)
        return math.sqrt(total)

    def digest(self) -> str:
        """A SHA-256 digest of everything that defines the game (for checkpoints)."""
        import json

        data = [
            [d.describe() for d in self.distributions],
            self.mechanism,
            self.reserve,
            self.grid_points,
            self.bid_points,
            self.value_points,
        ]
        import hashlib  # here, not at import: OpenSSL is ~3.5 MB resident

        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def __repr__(self) -> str:
        return (
            f"AuctionGame({list(self.distributions)!r}, {self.mechanism!r}, reserve={self.reserve}, "
            f"grid={self.grid_points})"
        )


# ---- the LLG combinatorial auction -----------------------------------------------------------------

LLG_RULES = ("first-price", "vcg", "nearest-vcg", "nearest-zero", "proxy", "nearest-bid")


def llg_local_payment(rule: str, y: np.ndarray, b: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """The payment of a winning local bidder who bids ``y`` when the other local bids ``b`` and the
    global bidder ``bg`` ≤ y + b (arrays broadcast). The core-selecting rules pick the point of the
    minimum-revenue core {p_1 + p_2 = bg, VCG_i ≤ p_i ≤ b_i} nearest (Euclidean) to a reference point r:
    p_1 = clip((bg + r_1 − r_2)/2, max(0, bg − b), min(y, bg)), with r = 0 (``nearest-zero``, the same
    as ``proxy``), r = the VCG payments (``nearest-vcg``) or r = the bids (``nearest-bid``)."""
    if rule == "first-price":
        return np.broadcast_to(y, np.broadcast_shapes(np.shape(y), np.shape(b), np.shape(bg))).astype(float)
    vcg_own = np.maximum(0.0, bg - b)
    if rule == "vcg":
        return vcg_own
    vcg_other = np.maximum(0.0, bg - y)
    if rule in ("nearest-zero", "proxy"):
        ref = 0.0
    elif rule == "nearest-vcg":
        ref = vcg_own - vcg_other
    else:  # nearest-bid
        ref = y - b
    return np.clip(0.5 * (bg + ref), vcg_own, np.minimum(y, bg))


def _sorted_atoms(bids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bid atoms sorted, with the cumulative weight and weighted bid sum (leading 0) for interval sums."""
    order = np.argsort(bids, kind="stable")
    a, w = bids[order], weights[order]
    return a, np.concatenate([[0.0], np.cumsum(w)]), np.concatenate([[0.0], np.cumsum(w * a)])


class LLGGame(AuctionGame):
    """The LLG ("local-local-global") combinatorial auction of two items A and B: local bidder 1 wants
    only A, local bidder 2 only B (values U[0, 1]), the global bidder (player 3) wants both (value
    U[0, 2]); values independent. The global bidder wins both items iff its bid exceeds the sum of
    the locals' bids (ties go to the locals). Payment rules (``rule``): ``first-price`` (pay as bid),
    ``vcg``, and the core-selecting ``nearest-vcg``, ``nearest-zero`` (= ``proxy``) and
    ``nearest-bid`` (`llg_local_payment`); under VCG and the core rules a winning global bidder pays
    b_1 + b_2.

    Known Bayes-Nash equilibria (independent values; Ausubel & Baranov, "Core-selecting auctions
    with incomplete information", Int. J. Game Theory 2020; Goeree & Lien, "On the impossibility of
    core-selecting auctions", Theoretical Economics 2016; as in bnelearn's LLG setting): the global
    bidder bids truthfully under VCG and every core rule (dominant), and the locals bid

    - VCG: truthfully; nearest-VCG: β(v) = max(0, v − (3 − 2√2)) (3 − 2√2 ≈ 0.1716);
    - nearest-zero / proxy: β(v) = max(0, 1 + ln v); nearest-bid: β(v) = ln 2 − ln(2 − v).

    Utilities: interim expectations over the opponents' values use ``value_points`` midpoint atoms
    per opponent. A local's expected payment against the other local's atom b and the global's
    atoms is a sum over the intervals between the payment's kinks (at most 4 of 0, b, y, 2b, 2y,
    |y − b|, y + b, by rule) of a linear function of bg, read off cumulative sums of the global's
    sorted atoms: cost O((M + Q) · Q · log Q) per local (M bid-grid points, Q value atoms),
    whole-array NumPy. The global's outcome uses the sorted Q² atoms of b_1 + b_2. At the known
    equilibria ε shrinks like O(1/Q) (nearest-zero, grid 257, 1601 bid points: ε_i = 1.1e-4,
    4.6e-5, 2.1e-5 at Q = 150, 300, 600); near them it wiggles by about 1e-4 at Q = 300.
    """

    def __init__(
        self,
        rule: str = "nearest-vcg",
        *,
        grid: int = 65,
        bid_points: int = 801,
        value_points: int = 300,
        title: str = "",
    ):
        if rule not in LLG_RULES:
            raise InvalidGameError(f"unknown LLG payment rule {rule!r}; use one of {', '.join(LLG_RULES)}")
        self.grid_points, self.bid_points, self.value_points = _check_grid_sizes(
            grid, bid_points, value_points, max_bid_points=20_001, max_value_points=2_001
        )
        self.rule = rule
        self.distributions = (Uniform(0.0, 1.0), Uniform(0.0, 1.0), Uniform(0.0, 2.0))
        self.mechanism = "llg"
        self.reserve = 0.0
        self.max_value = 2.0
        self.max_bid = 2.0
        self.grids = _value_grids(self.distributions, self.grid_points)
        bids = np.linspace(0.0, self.max_bid, self.bid_points)
        bids.setflags(write=False)
        self.bid_grid = bids
        self._quad = tuple(d.quadrature(self.value_points) for d in self.distributions)
        self.title = title or f"LLG combinatorial auction, {rule} payments"
        self._freeze()

    def default_method(self) -> str:
        return "best-response-iteration"

    def _outcomes(self, prof: list[np.ndarray], player: int, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Win probability and expected payment of ``player`` bidding each of ``y``."""
        if player == 2:  # the global bidder against S = b_1 + b_2 (Q² atoms)
            (v1, w1), (v2, w2) = self._quad[0], self._quad[1]
            s = (self.bids_at(0, prof[0], v1)[:, None] + self.bids_at(1, prof[1], v2)[None, :]).ravel()
            a, cw, cs = _sorted_atoms(s, (w1[:, None] * w2[None, :]).ravel())
            k = np.searchsorted(a, y, side="left")  # atoms strictly below y: the global wins
            x = cw[k]
            pay = y * x if self.rule == "first-price" else cs[k]
            return x, pay
        j = 1 - player
        vj, wj = self._quad[j]
        vg, wg = self._quad[2]
        b = self.bids_at(j, prof[j], vj)[None, :, None]  # (1, Q, 1)
        a, cw, cs = _sorted_atoms(self.bids_at(2, prof[2], vg), wg)
        Y = y[:, None, None]  # (Y, 1, 1)
        top = Y + b
        # the payment is linear in bg between these points (see `llg_local_payment`)
        inner = {
            "first-price": [],
            "vcg": [b],
            "nearest-vcg": [b, Y],
            "nearest-zero": [2 * b, 2 * Y],
            "proxy": [2 * b, 2 * Y],
            "nearest-bid": [np.abs(Y - b)],
        }[self.rule]
        kinks = np.concatenate(np.broadcast_arrays(0.0 * top, *inner, top), axis=2)
        kinks = np.sort(np.minimum(kinks, top), axis=2)  # (Y, Q, 7)
        lo, hi = kinks[..., :-1], kinks[..., 1:]
        plo = llg_local_payment(self.rule, Y, b, lo)
        phi = llg_local_payment(self.rule, Y, b, hi)
        width = hi - lo
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(width > 0, (phi - plo) / np.where(width > 0, width, 1.0), 0.0)
        icept = plo - slope * lo
        # global atoms in (lo, hi]; the first interval also takes atoms at or below 0
        klo = np.searchsorted(a, lo, side="right")
        klo[..., 0] = 0
        khi = np.searchsorted(a, hi, side="right")
        mass = cw[khi] - cw[klo]
        moment = cs[khi] - cs[klo]
        pay_given_b = np.sum(icept * mass + slope * moment, axis=2)  # (Y, Q)
        win_given_b = cw[khi[..., -1]]
        return win_given_b @ wj, pay_given_b @ wj

    def interim_outcome(self, profile: Any, player: int, bids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prof = self.validate_profile(profile)
        return self._outcomes(prof, player, np.asarray(bids, dtype=float).ravel())

    def _grid_and_own_outcomes(
        self, prof: list[np.ndarray], player: int, own: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        M = self.bid_grid.size
        x, pay = self._outcomes(prof, player, np.concatenate([self.bid_grid, own]))
        return x[:M], pay[:M], x[M:], pay[M:]

    def expected_revenue(self, profile: Any) -> float:
        prof = self.validate_profile(profile)
        total = 0.0
        for i in range(3):
            v, w = self._quad[i]
            _, pay = self._outcomes(prof, i, self.bids_at(i, prof[i], v))
            total += float(w @ pay)
        return total

    def equilibrium(self) -> list[np.ndarray] | None:
        """The known BNE at the grid values (see the class docstring); None for first price."""
        v, g = self.grids[0], self.grids[2].copy()
        if self.rule == "first-price":
            return None
        if self.rule == "vcg":
            local = v.copy()
        elif self.rule == "nearest-vcg":
            local = np.maximum(0.0, v - (3 - 2 * math.sqrt(2)))
        elif self.rule in ("nearest-zero", "proxy"):
            with np.errstate(divide="ignore"):
                local = np.maximum(0.0, 1 + np.log(v))
        else:  # nearest-bid
            local = math.log(2) - np.log(2 - v)
        return [local, local.copy(), g]

    def digest(self) -> str:
        import json

        data = ["llg", self.rule, self.grid_points, self.bid_points, self.value_points]
        import hashlib  # here, not at import: OpenSSL is ~3.5 MB resident

        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    def __repr__(self) -> str:
        return f"LLGGame({self.rule!r}, grid={self.grid_points})"
