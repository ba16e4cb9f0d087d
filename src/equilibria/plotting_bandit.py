"""Bandit plots: cumulative pseudo-regret curves with seed bands, error probability against budget.

Matplotlib is imported lazily with the Agg backend (as in `equilibria.plotting`).

- `plot_regret_curves`: mean cumulative pseudo-regret against rounds, one line per method, with a
  band over seeds: the 10%-90% quantiles of a `equilibria.dynamics.bandit.BanditRun` (from
  `simulate`), or mean ± one standard deviation over replications of a solution's
  ``info["cumulative_regret_std"]`` (a learner run with ``replications > 1``).
- `plot_error_probability`: P(error) of best-arm identification against the budget T, log scale,
  with optional 95% intervals.
- `plot_bandit_solutions`: what ``equilibria solve ... --plot`` draws for the bandit family: regret
  curves for regret learners, the error probability per phase/round for best-arm methods.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .plotting import _finish_line_plot, _pyplot


def _regret_series(run: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(rounds, mean, low, high) of a BanditRun, a Solution or a solution's info mapping."""
    if hasattr(run, "regret") and hasattr(run, "rounds") and not isinstance(run, Mapping):
        reg = np.asarray(run.regret, dtype=float)
        lo = np.quantile(reg, 0.1, axis=1) if reg.shape[1] > 1 else None
        hi = np.quantile(reg, 0.9, axis=1) if reg.shape[1] > 1 else None
        return np.asarray(run.rounds, dtype=float), reg.mean(axis=1), lo, hi
    info = run.info if hasattr(run, "info") else run
    rounds = np.asarray(info["regret_rounds"], dtype=float)
    mean = np.asarray(info["cumulative_regret"], dtype=float)
    std = info.get("cumulative_regret_std")
    if std is None:
        return rounds, mean, None, None
    std = np.asarray(std, dtype=float)
    return rounds, mean, mean - std, mean + std


def plot_regret_curves(runs: Mapping[str, Any], path: str | os.PathLike, *, title: str = "",
                       band: bool = True) -> str:
    """Cumulative pseudo-regret against rounds, one line (and seed band) per labelled run."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    for label, run in runs.items():
        rounds, mean, lo, hi = _regret_series(run)
        (line,) = ax.plot(rounds, mean, label=label, lw=1.6)
        if band and lo is not None and hi is not None:
            ax.fill_between(rounds, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    return _finish_line_plot(fig, ax, path, xlabel="round t", ylabel="cumulative pseudo-regret", title=title)


def plot_error_probability(budgets: Sequence[float], curves: Mapping[str, Sequence[float]],
                           path: str | os.PathLike, *, title: str = "",
                           intervals: Mapping[str, Sequence[Sequence[float]]] | None = None) -> str:
    """P(error) against the budget T (log scale), one line per labelled method."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    T = np.asarray(budgets, dtype=float)
    for label, errs in curves.items():
        e = np.asarray(errs, dtype=float)
        ok = e > 0
        (line,) = ax.semilogy(T[ok], e[ok], marker="o", label=label, lw=1.4)
        if intervals and label in intervals:
            ci = np.asarray(intervals[label], dtype=float)
            low = np.maximum(ci[:, 0], 1e-12)
            ax.fill_between(T, low, ci[:, 1], color=line.get_color(), alpha=0.15, lw=0)
    return _finish_line_plot(fig, ax, path, xlabel="budget T", ylabel="P(error)", title=title, grid="both")


def plot_bandit_solutions(sols: Sequence[Any], path: str | os.PathLike, *, title: str = "") -> str:
    """The ``--plot`` figure of bandit solutions: regret curves, or best-arm error per iteration."""
    regret = {s.method: s for s in sols if "cumulative_regret" in s.info}
    if regret:
        return plot_regret_curves(regret, path, title=title)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    for s in sols:
        tr = s.info.get("trace")
        if tr is None or "error_probability" not in tr.extra:
            continue
        ax.plot(tr.iterations, tr.extra["error_probability"], marker="o", label=s.method)
    return _finish_line_plot(fig, ax, path, xlabel="iteration (phase or round)",
                             ylabel="P(recommended arm is not best)", title=title)
