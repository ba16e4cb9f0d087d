"""Plots for auctions: learned bid functions against the analytical Bayes-Nash equilibrium.

Matplotlib is imported lazily with the Agg backend (as in `equilibria.plotting`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np


def plot_bid_functions(
    game: Any, profiles: Mapping[str, Any] | Any, path: str | os.PathLike, title: str | None = None
) -> str:
    """Draw each bidder's bid function of every profile in ``profiles`` (a mapping label -> profile,
    or one profile) against the value, with the game's analytical equilibrium (dashed) where one is
    known, and write the figure to ``path``. Returns the path written.

    For a symmetric game only bidder 1 of each profile is drawn (the others coincide in
    equilibrium); otherwise every bidder gets its own line.
    """
    from .errors import NotApplicableError
    from .games.auction import AuctionGame
    from .plotting import _pyplot, _save, check_plot_path

    if not isinstance(game, AuctionGame):
        raise NotApplicableError("plot_bid_functions draws the bid functions of auction games")
    target = check_plot_path(path)
    if not isinstance(profiles, Mapping):
        profiles = {"learned": profiles}
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 4.5))
    bidders = [0] if game.symmetric else list(range(game.num_players))
    for label, profile in profiles.items():
        prof = game.validate_profile(profile)
        for i in bidders:
            name = label if len(bidders) == 1 else f"{label}, bidder {i + 1}"
            ax.plot(game.grids[i], prof[i], lw=1.8, label=name)
    eq = game.equilibrium()
    if eq is not None:
        for i in bidders:
            name = "equilibrium" if len(bidders) == 1 else f"equilibrium, bidder {i + 1}"
            ax.plot(game.grids[i], eq[i], "k--", lw=1.2, label=name)
    lo = float(np.min(game.grids[:, 0]))
    ax.plot([lo, game.max_value], [lo, game.max_value], color="0.7", lw=0.8, label="truthful")
    ax.set_xlabel("value v")
    ax.set_ylabel("bid β(v)")
    ax.set_title(title or getattr(game, "title", "") or "bid functions")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, target)
