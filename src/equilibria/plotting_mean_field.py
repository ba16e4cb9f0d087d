"""Pictures of a mean-field game's population: the flow μ_t over time and states.

`plot_mean_field_flow` draws, for each population, a heat map of μ_t(s) with time on the horizontal
axis and the states on the vertical one (a grid game's cells in row-major order), and for games on a
2-D grid (``state_shape`` of length 2) a row of snapshots of the grid at a few time steps. A
stationary game has one column: its stationary distribution. Matplotlib is imported lazily with the
Agg backend (`equilibria.plotting`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .plotting import _pyplot, _save


def plot_mean_field_flow(
    game: Any, policy: Any, path: str | os.PathLike, *, title: str = "", snapshots: int = 5
) -> str:
    """Draw μ^π of ``policy`` in ``game`` (a `MeanFieldGame`) to ``path``; returns the path written."""
    mu = np.asarray(game.forward(policy), dtype=float)
    if game.stationary:
        mu = mu[:, None, :]
    K, T1, S = mu.shape
    grid = game.state_shape if game.state_shape is not None and len(game.state_shape) == 2 else None
    shots = sorted(set(np.linspace(0, T1 - 1, min(snapshots, T1)).round().astype(int))) if grid else []
    plt = _pyplot()
    cols = 1 + len(shots)
    fig, axes = plt.subplots(K, cols, figsize=(4.8 + 2.2 * len(shots), 3.4 * K), dpi=110, squeeze=False)
    # the colour scale of the evolving crowd: a concentrated start (all mass in one cell) saturates
    vmax = float(mu[:, 1:].max() if T1 > 1 else mu.max()) or 1.0
    for k in range(K):
        ax = axes[k, 0]
        im = ax.imshow(mu[k].T, aspect="auto", origin="lower", cmap="viridis", vmin=0.0, vmax=vmax,
                       extent=(-0.5, T1 - 0.5, -0.5, S - 0.5), interpolation="nearest")
        ax.set_xlabel("time step t")
        ax.set_ylabel("state")
        label = game.population_labels[k] if K > 1 else ""
        ax.set_title(f"μ_t {label}".strip())
        if S <= 12:
            ax.set_yticks(range(S))
            ax.set_yticklabels(game.state_labels, fontsize=7)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        for j, t in enumerate(shots):
            a2 = axes[k, j + 1]
            a2.imshow(mu[k, t].reshape(grid), cmap="viridis", vmin=0.0, vmax=vmax, interpolation="nearest")
            a2.set_title(f"t = {t}")
            a2.set_xticks([])
            a2.set_yticks([])
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path)
