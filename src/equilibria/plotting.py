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


def check_plot_path(path: str | os.PathLike) -> str:
    """Check, before a long run, that a plot can be written to ``path``: an image format matplotlib
    writes (by the extension; none means PNG), not a folder; a missing folder is created.
    Raises `InvalidParameterError` with one line otherwise."""
    from matplotlib.backend_bases import FigureCanvasBase

    from .errors import InvalidParameterError

    target = os.fspath(path)
    ext = os.path.splitext(target)[1].lower().lstrip(".")
    formats = FigureCanvasBase.get_supported_filetypes()
    if ext and ext not in formats:
        raise InvalidParameterError(
            f"cannot write a plot to {target}: .{ext} is not an image format matplotlib writes "
            f"(use one of {', '.join('.' + f for f in sorted(formats))})"
        )
    if not target or os.path.isdir(target):
        raise InvalidParameterError(f"cannot write a plot to {target!r}: give a file name, not a folder")
    folder = os.path.dirname(os.path.abspath(target))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(f"cannot write a plot to {target}: {exc.strerror or exc}") from None
    return target


def _save(fig: Any, path: str | os.PathLike) -> str:
    """Write ``fig`` to ``path`` (checked by `check_plot_path`) and close it; an unwritable path is
    an `InvalidParameterError`, not a traceback."""
    from .errors import InvalidParameterError

    plt = _pyplot()
    try:
        target = check_plot_path(path)
        try:
            fig.savefig(target)
        except OSError as exc:
            raise InvalidParameterError(f"cannot write a plot to {target}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return target


def _finish_line_plot(
    fig: Any, ax: Any, path: str | os.PathLike, *, xlabel: str, ylabel: str, title: str = "",
    grid: str = "major",
) -> str:
    """The common end of a line plot: axis labels, the title (if any), a faint grid on the ``grid``
    ticks ("major" or "both"), the legend; then lay out and `_save` to ``path``."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which=grid, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return _save(fig, path)


def plot_nash_conv(
    traces: Mapping[str, Any],
    path: str | os.PathLike,
    *,
    title: str = "",
    which: str | Mapping[str, str] = "auto",
    ylabel: str = "NashConv",
) -> str:
    """Log-log plot of NashConv against iteration, one line per named `Trace`.

    ``which`` picks the average iterate, the last iterate, or (``"auto"``) whichever the trace has;
    a mapping gives the choice per label (e.g. each learner's returned iterate).
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    choice = which
    for label, tr in traces.items():
        which = choice.get(label, "auto") if isinstance(choice, Mapping) else choice
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
    return _finish_line_plot(fig, ax, path, xlabel="iteration", ylabel=ylabel, title=title, grid="both")


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
    return _save(fig, path)


def plot_payoff_heatmap(
    payoffs: Any,
    path: str | os.PathLike,
    *,
    labels: Any = None,
    col_labels: Any = None,
    errors: Any = None,
    title: str = "",
    cmap: str = "RdBu",
) -> str:
    """Heat map of an (empirical) payoff matrix: rows are the row player's policies.

    ``errors`` (same shape, e.g. standard errors) are printed under each value; the colour scale
    is symmetric about 0 so wins and losses read alike.
    """
    plt = _pyplot()
    M = np.asarray(payoffs, dtype=float)
    if M.ndim != 2:
        from .errors import InvalidParameterError

        raise InvalidParameterError(f"a payoff heat map needs a matrix; got shape {M.shape}")
    rows = list(labels) if labels is not None else [str(i) for i in range(M.shape[0])]
    if col_labels is not None:
        cols = list(col_labels)
    elif labels is not None and M.shape[0] == M.shape[1]:
        cols = rows
    else:
        cols = [str(j) for j in range(M.shape[1])]
    lim = float(np.abs(M).max()) or 1.0
    fig, ax = plt.subplots(figsize=(1.0 + 0.6 * M.shape[1], 1.0 + 0.5 * M.shape[0]))
    im = ax.imshow(M, cmap=cmap, vmin=-lim, vmax=lim)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_xticks(range(M.shape[1]), cols, rotation=45, ha="right")
    ax.set_yticks(range(M.shape[0]), rows)
    if M.size <= 400:
        err = None if errors is None else np.asarray(errors, dtype=float)
        for (i, j), v in np.ndenumerate(M):
            text = f"{v:.2f}" if err is None else f"{v:.2f}\n±{err[i, j]:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _save(fig, path)


def _barycentric(p: np.ndarray) -> np.ndarray:
    """Points of the 2-simplex (T, 3) in the plane: vertices at (0, 0), (1, 0), (1/2, sqrt 3 / 2)."""
    p = np.asarray(p, dtype=float)
    return np.stack([p[:, 1] + 0.5 * p[:, 2], (np.sqrt(3) / 2) * p[:, 2]], axis=1)


def plot_simplex_trajectories(
    trajectories: Mapping[str, Any],
    path: str | os.PathLike,
    *,
    title: str = "",
    action_labels: Any = None,
    player_labels: Any = None,
    equilibrium: Any = None,
) -> str:
    """Trajectories on the 2-simplex of a game in which some players have 3 actions.

    ``trajectories`` maps a method name to a sequence of profiles (one per recorded iteration);
    one triangle is drawn per player with 3 actions. Each path runs from a circle (start) to a
    square (end); ``equilibrium`` (a profile) is marked with a star. ``action_labels[i]`` name the
    corners of player i's triangle.
    """
    from .errors import InvalidParameterError

    plt = _pyplot()
    series = {name: [np.asarray([np.asarray(s, dtype=float) for s in prof], dtype=object) for prof in traj]
              for name, traj in trajectories.items()}
    first = next(iter(series.values()), None)
    if not first:
        raise InvalidParameterError("plot_simplex_trajectories needs at least one non-empty trajectory")
    players = [i for i, s in enumerate(first[0]) if len(s) == 3]
    if not players:
        raise InvalidParameterError("a simplex plot needs a player with exactly 3 actions")
    fig, axes = plt.subplots(1, len(players), figsize=(5.2 * len(players), 4.9), dpi=120, squeeze=False)
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2], [0.0, 0.0]])
    for ax, i in zip(axes[0], players, strict=True):
        ax.plot(corners[:, 0], corners[:, 1], color="0.3", lw=1.0)
        labels = list(action_labels[i]) if action_labels is not None else ["1", "2", "3"]
        for (cx, cy), lab, (dx, dy, ha) in zip(corners[:3], labels,
                                               [(-0.03, -0.05, "right"), (0.03, -0.05, "left"),
                                                (0.0, 0.04, "center")], strict=True):
            ax.text(cx + dx, cy + dy, lab, ha=ha, va="center", fontsize=10)
        for name, traj in series.items():
            pts = _barycentric(np.array([prof[i] for prof in traj]))
            (line,) = ax.plot(pts[:, 0], pts[:, 1], lw=1.2, alpha=0.9, label=name)
            ax.plot(pts[0, 0], pts[0, 1], "o", color=line.get_color(), ms=5)
            ax.plot(pts[-1, 0], pts[-1, 1], "s", color=line.get_color(), ms=5)
        if equilibrium is not None:
            e = _barycentric(np.asarray(equilibrium[i], dtype=float)[None, :])[0]
            ax.plot(e[0], e[1], "*", color="k", ms=13, label="equilibrium", zorder=5)
        who = player_labels[i] if player_labels is not None else str(i + 1)
        ax.set_title(f"player {who}'s mixed strategy", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.12, 0.98)
        ax.axis("off")
    axes[0][-1].legend(loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path)


def _bids_figure(game: Any, sols: Mapping[str, Any], path: str, title: str) -> str:
    from .plotting_auction import plot_bid_functions

    return plot_bid_functions(game, {m: s.strategies for m, s in sols.items()}, path, title=title)


def _regret_figure(game: Any, sols: Mapping[str, Any], path: str, title: str) -> str:
    from .plotting_bandit import plot_bandit_solutions

    return plot_bandit_solutions(list(sols.values()), path, title=title)


def _flow_figure(game: Any, sols: Mapping[str, Any], path: str, title: str) -> str:
    from .plotting_mean_field import plot_mean_field_flow

    # the population flow of the first method's policy: one heat map per run would repeat itself
    method, sol = next(iter(sols.items()))
    return plot_mean_field_flow(game, sol.strategies, path, title=f"{title} ({method})" if title else method)


def _rlvr_figure(game: Any, sols: Mapping[str, Any], path: str, title: str) -> str:
    from .plotting_rlvr import plot_rlvr_traces

    traces = {m: s.info["trace"] for m, s in sols.items() if "trace" in s.info}
    return plot_rlvr_traces(traces, path, title=title)


#: the family's own figure, drawn next to the NashConv curves by ``--plot``: (file suffix, painter)
FAMILY_FIGURES: dict[str, tuple[str, Any]] = {
    "auction": ("bids", _bids_figure),
    "bandit": ("regret", _regret_figure),
    "mean_field": ("flow", _flow_figure),
    "rlvr": ("pass", _rlvr_figure),
}


def plot_family_figure(game: Any, solutions: Mapping[str, Any], path: str | os.PathLike, *,
                       title: str = "") -> str | None:
    """Draw the figure a family's users look at (bid functions against the equilibrium, regret curves
    with seed bands, the population flow μ over time and states, pass@k and entropy curves) next to
    ``path``, as ``<stem>_<suffix><ext>``; ``solutions`` maps a method name to its `Solution`.
    Returns the path written, or None for a family without one."""
    family = getattr(game, "family", None)
    if family not in FAMILY_FIGURES or not solutions:
        return None
    suffix, painter = FAMILY_FIGURES[family]
    stem, ext = os.path.splitext(os.fspath(path))
    return painter(game, solutions, f"{stem}_{suffix}{ext or '.png'}", title)
