"""Plots: learning curves of NashConv against iterations, simplex and 2-D trajectories.

Matplotlib is imported lazily with the Agg backend, so plotting works without a display.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_nash_conv(
    traces: Mapping[str, Any],
    path: str | os.PathLike,
    *,
    title: str = "",
    which: str = "auto",
    ylabel: str = "NashConv",
) -> str:
    """Log-log plot of NashConv against iteration, one line per named `Trace`.

    ``which`` picks the average iterate, the last iterate, or (``"auto"``) whichever the trace has.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    for label, tr in traces.items():
        it = np.asarray(tr.iterations, dtype=float)
        avg = np.asarray(tr.nash_conv, dtype=float)
        last = np.asarray(tr.nash_conv_last, dtype=float)
        series = []
        if which in ("average", "both") or (which == "auto" and np.isfinite(avg).any()):
            series.append(("", avg))
        if which in ("last", "both") or (which == "auto" and not np.isfinite(avg).any()):
            series.append((" (last iterate)", last))
        for suffix, y in series:
            ok = (it > 0) & np.isfinite(y) & (y > 0)
            ax.loglog(it[ok], y[ok], label=f"{label}{suffix}", lw=1.6)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return os.fspath(path)


def plot_trajectories_2d(
    trajectories: Mapping[str, Any],
    path: str | os.PathLike,
    *,
    title: str = "",
    xlabel: str = "x (player 1)",
    ylabel: str = "y (player 2)",
    equilibrium: Any = None,
    field: Any = None,
    limits: tuple[float, float, float, float] | None = None,
) -> str:
    """Iterates of continuous-game learners in a plane, one line per named (T, 2) array.

    Each trajectory is drawn from its start (circle) to its end (square). ``equilibrium`` (a point)
    is marked with a star; ``field`` (a callable (x, y) -> (u, v), e.g. minus the vector field of a
    2-D game) adds a faint quiver of the continuous-time dynamics. ``limits`` is
    (xmin, xmax, ymin, ymax); by default the view fits every trajectory, clipped to 1e3 so that a
    diverging method does not squash the others.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 5.6), dpi=120)
    pts = []
    for label, tr in trajectories.items():
        xy = np.asarray(tr, dtype=float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            from .errors import InvalidParameterError

            raise InvalidParameterError(f"trajectory {label!r} must have shape (T, 2), got {xy.shape}")
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        (line,) = ax.plot(xy[:, 0], xy[:, 1], lw=1.3, label=label, alpha=0.9)
        ax.plot(xy[0, 0], xy[0, 1], "o", color=line.get_color(), ms=5)
        ax.plot(xy[-1, 0], xy[-1, 1], "s", color=line.get_color(), ms=5)
        pts.append(np.clip(xy, -1e3, 1e3))
    if limits is None and pts:
        allp = np.vstack(pts)
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        pad = 0.08 * np.maximum(hi - lo, 1e-9)
        limits = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    if limits is not None:
        ax.set_xlim(limits[0], limits[1])
        ax.set_ylim(limits[2], limits[3])
    if field is not None and limits is not None:
        gx, gy = np.meshgrid(np.linspace(limits[0], limits[1], 17), np.linspace(limits[2], limits[3], 17))
        u, v = field(gx, gy)
        ax.quiver(gx, gy, u, v, color="0.75", angles="xy", width=0.003, zorder=0)
    if equilibrium is not None:
        e = np.asarray(equilibrium, dtype=float).ravel()
        ax.plot(e[0], e[1], "*", color="k", ms=13, label="equilibrium", zorder=5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return os.fspath(path)
