"""Plots of RLVR training: exact pass@1, pass@k and entropy-per-token curves, one line per method.

Two entry points, both writing one figure with three panels (matplotlib, Agg backend, imported
lazily through `equilibria.plotting`):

- `plot_rlvr_traces`: from run-loop `Trace` objects (what ``solve`` stores in ``info["trace"]``);
  the RLVR learners' diagnostics put ``pass@1``, ``pass@G`` and ``entropy_per_token`` in
  ``trace.extra`` at every evaluation. This is what ``equilibria solve GAME --plot FILE`` should
  call for a game of family ``"rlvr"``.
- `plot_rlvr_curves`: from `equilibria.rlvr.curves.training_curves` results.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import InvalidParameterError
from .plotting import _pyplot, _save


def _pass_k_key(keys: Any) -> str | None:
    ks = sorted((k for k in keys if k.startswith("pass@") and k != "pass@1"),
                key=lambda k: int(k[5:]) if k[5:].isdigit() else 0)
    return ks[-1] if ks else None


def _figure(series: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray]]], path: str | os.PathLike,
            title: str, k_label: str) -> str:
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    panels = (("pass@1", "pass@1 (exact)"), ("pass@k", f"{k_label} (exact)"),
              ("entropy", "entropy per token (nats)"))
    for ax, (key, label) in zip(axes, panels, strict=True):
        for method, data in series.items():
            if key in data:
                x, y = data[key]
                ax.plot(x, y, label=method)
        ax.set_xlabel("iteration")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path)


def plot_rlvr_traces(traces: Mapping[str, Any], path: str | os.PathLike, *, title: str = "") -> str:
    """pass@1, pass@k and entropy per token against iteration, one line per named `Trace`."""
    if not traces:
        raise InvalidParameterError("nothing to plot: no RLVR traces")
    series: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    k_label = "pass@k"
    for method, trace in traces.items():
        extra = getattr(trace, "extra", None)
        if not isinstance(extra, Mapping) or "pass@1" not in extra:
            raise InvalidParameterError(
                f"the trace of {method!r} has no pass@1 curve: plot_rlvr_traces draws RLVR learners' runs")
        it = np.asarray(trace.iterations, dtype=float)
        data = {"pass@1": (it, np.asarray(extra["pass@1"], dtype=float))}
        key = _pass_k_key(extra)
        if key is not None:
            data["pass@k"] = (it, np.asarray(extra[key], dtype=float))
            k_label = key
        if "entropy_per_token" in extra:
            data["entropy"] = (it, np.asarray(extra["entropy_per_token"], dtype=float))
        series[method] = data
    return _figure(series, path, title, k_label)


def plot_rlvr_curves(curves: Mapping[str, Mapping[str, np.ndarray]], path: str | os.PathLike, *,
                     title: str = "", k: int | None = None) -> str:
    """The same figure from `training_curves` results (keys ``iteration``, ``pass@1``, ``pass@k``,
    ``entropy``), one line per named run."""
    if not curves:
        raise InvalidParameterError("nothing to plot: no RLVR curves")
    series = {}
    for method, c in curves.items():
        missing = {"iteration", "pass@1", "pass@k", "entropy"} - set(c)
        if missing:
            raise InvalidParameterError(f"the curves of {method!r} lack {sorted(missing)}")
        it = np.asarray(c["iteration"], dtype=float)
        series[method] = {key: (it, np.asarray(c[key], dtype=float))
                          for key in ("pass@1", "pass@k", "entropy")}
    return _figure(series, path, title, f"pass@{k}" if k else "pass@k")
