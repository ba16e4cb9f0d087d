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


FAMILY_RUNS = [
    ("auction:first_price(bidders=2, bid_points=101, value_points=50)", "best-response-iteration", "bids"),
    ("bandit:bernoulli(means=[0.2,0.5,0.6])", "ucb1", "regret"),
    ("mfglib:left_right", "fictitious-play", "flow"),
    ("rlvr:toy(prompts=8, vocab=2, max_length=2)", "grpo", "pass"),
]


@pytest.mark.parametrize("spec, method, suffix", FAMILY_RUNS, ids=[r[2] for r in FAMILY_RUNS])
def test_plot_draws_the_family_figure(tmp_path, capsys, spec, method, suffix):
    # issues 11-14: --plot draws what a family's users look at (bid functions, regret curves, the
    # population flow, pass@k curves) beside the NashConv curve, through the one generic CLI path
    out = tmp_path / "run.png"
    args = ["solve", spec, "--method", method, "--iterations", "20", "--seed", "0", "--plot", str(out)]
    assert main(args) == 0
    extra = tmp_path / f"run_{suffix}.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert extra.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(extra) in capsys.readouterr().err
