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
