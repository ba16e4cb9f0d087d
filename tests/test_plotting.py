"""Plots: the log-log NashConv figure with several methods, the 2-simplex trajectories, and the
CLI's ``--method a,b --plot`` path."""

from __future__ import annotations

import json

import matplotlib.image as mpimg
import numpy as np
import pytest

from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.errors import InvalidParameterError
from equilibria.games.normal_form import NormalFormGame
from equilibria.plotting import _barycentric, plot_nash_conv, plot_simplex_trajectories
from equilibria.run import run

RPS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
INIT = [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]


def _is_png(path) -> bool:
    img = mpimg.imread(path)
    return img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 200 and float(img.std()) > 0.01


def test_barycentric_corners():
    np.testing.assert_allclose(_barycentric(np.eye(3)), [[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])


def test_simplex_plot(tmp_path):
    paths = {}
    for m in ("hedge", "omwu"):
        learner = make_learner(RPS, m, init=INIT)
        traj = []
        for _ in range(200):
            learner.step()
            traj.append(learner.current_strategy())
        paths[m] = traj
    out = plot_simplex_trajectories(paths, tmp_path / "s.png", action_labels=RPS.action_labels,
                                    equilibrium=[np.full(3, 1 / 3)] * 2, title="RPS")
    assert _is_png(out)


def test_simplex_plot_needs_three_actions(tmp_path):
    with pytest.raises(InvalidParameterError):
        plot_simplex_trajectories({"a": [[np.array([0.5, 0.5]), np.array([1.0, 0.0])]]}, tmp_path / "x.png")


def test_nash_conv_plot_per_method_output(tmp_path):
    traces = {m: run(make_learner(RPS, m, init=INIT), 300) for m in ("regret-matching", "omwu")}
    out = plot_nash_conv(traces, tmp_path / "nc.png", which={"omwu": "last"})
    assert _is_png(out)


def test_cli_several_methods_and_simplex(tmp_path, capsys):
    png = tmp_path / "rps.png"
    rc = main(["solve", "matching_pennies", "--method", "hedge,omwu", "--iterations", "200", "--json",
               "--plot", str(png)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["method"] for r in out["methods"]] == ["hedge", "omwu"]
    assert _is_png(png) and not (tmp_path / "rps_simplex.png").exists()  # 2 actions: no simplex
    rc = main(["solve", "rock_paper_scissors", "--method", "omwu", "--iterations", "300",
               "-o", "init=[[0.6,0.3,0.1],[0.2,0.2,0.6]]", "--plot", str(png)])
    assert rc == 0 and _is_png(tmp_path / "rps_simplex.png")
