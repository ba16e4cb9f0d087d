"""Plots of mechanism outcomes against reports: facility location and position auctions.

- `plot_facility_outcomes`: where each mechanism puts the facility as one agent's report sweeps
  [0, 1] with the others fixed, and that agent's cost (so a manipulation shows as a dip below the
  cost at its true location);
- `plot_bid_response`: an ad's click probability, payment and utility against its bid under
  each auction (VCG is maximised at the true value; GSP need not be).

Matplotlib is imported lazily with the Agg backend (through `equilibria.plotting`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._checks import check_int
from .errors import InvalidParameterError
from .plotting import _pyplot, _save


def _sweep(points: Any, what: str, low: float, high: float | None) -> np.ndarray:
    try:
        g = np.asarray(points, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{what} must be numbers") from None
    dom = f"[{low:g}, {high:g}]" if high is not None else f"[{low:g}, inf)"
    if g.size < 2 or not np.all(np.isfinite(g)) or np.any(g < low) or (high is not None and np.any(g > high)):
        raise InvalidParameterError(f"{what} must hold at least 2 points in the domain {dom}")
    return np.sort(g)


def plot_facility_outcomes(
    mechanisms: Mapping[str, Callable[[np.ndarray], Any]],
    locations: Any,
    agent: int,
    path: str | os.PathLike,
    *,
    reports: Any = None,
) -> str:
    """Facility location and the agent's cost as its report sweeps ``reports`` (default 201 points of [0, 1]).

    ``mechanisms`` maps names to vectorised mechanisms (`equilibria.mechanisms`); ``locations`` are
    the true locations, the others' reports held at theirs.
    """
    from .mechanisms.facility import _reports

    x = _reports(locations, "locations").reshape(-1)
    i = check_int("agent", agent, minimum=0, maximum=x.size - 1)
    r = np.linspace(0.0, 1.0, 201) if reports is None else _sweep(reports, "reports", 0.0, 1.0)
    if not mechanisms:
        raise InvalidParameterError("give at least one mechanism to plot")
    Z = np.repeat(x[None], r.size, axis=0)
    Z[:, i] = r
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for name, mech in mechanisms.items():
        y = np.asarray(mech(Z), dtype=float)
        ax1.plot(r, y, label=name)
        ax2.plot(r, np.abs(y - x[i]), label=name)
    for ax in (ax1, ax2):
        ax.axvline(x[i], color="grey", ls=":", lw=1)
        ax.set_xlabel(f"report of agent {i + 1} (true location {x[i]:.3g})")
    ax1.set_ylabel("facility location")
    ax2.set_ylabel(f"cost of agent {i + 1}")
    ax1.legend()
    fig.tight_layout()
    return _save(fig, path)


def plot_bid_response(
    mechanisms: Mapping[str, Callable[[np.ndarray], Any]],
    values: Any,
    ad: int,
    path: str | os.PathLike,
    *,
    bids: Any = None,
) -> str:
    """Click probability, payment and utility of ``ad`` against its bid (the others bid their values).

    ``mechanisms`` maps names to callables ``bids -> Outcome`` (`equilibria.mechanisms.position`);
    ``bids`` defaults to 121 points of [0, 1.5 max value].
    """
    from .mechanisms.position import _values

    v = _values(values)
    k = check_int("ad", ad, minimum=0, maximum=v.size - 1)
    if bids is None:
        grid = np.linspace(0.0, 1.5 * max(v.max(), 1e-12), 121)
    else:
        grid = _sweep(bids, "bids", 0.0, None)
    if not mechanisms:
        raise InvalidParameterError("give at least one mechanism to plot")
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for name, mech in mechanisms.items():
        rows = []
        for b in grid:
            z = v.copy()
            z[k] = b
            out = mech(z)
            rows.append((out.clicks[k], out.payments[k], v[k] * out.clicks[k] - out.payments[k]))
        arr = np.array(rows)
        for ax, col in zip(axes, arr.T, strict=True):
            ax.plot(grid, col, label=name)
    for ax, lab in zip(axes, ("click probability", "expected payment", "utility"), strict=True):
        ax.axvline(v[k], color="grey", ls=":", lw=1)
        ax.set_xlabel(f"bid of ad {k + 1} (value {v[k]:.3g})")
        ax.set_ylabel(lab)
    axes[0].legend()
    fig.tight_layout()
    return _save(fig, path)
