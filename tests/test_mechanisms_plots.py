"""Plots of mechanism outcomes against reports (`equilibria.plotting_mechanisms`)."""

from __future__ import annotations

import numpy as np
import pytest

from equilibria import mechanisms as M
from equilibria.errors import InvalidParameterError
from equilibria.mechanisms import position as P
from equilibria.plotting_mechanisms import plot_bid_response, plot_facility_outcomes


def test_facility_plot(tmp_path) -> None:
    out = plot_facility_outcomes({"uniform phantom": M.uniform_phantom, "mean": M.mean},
                                 [0.1, 0.4, 0.9], 2, tmp_path / "fl.png")
    assert (tmp_path / "fl.png").stat().st_size > 1000 and out.endswith("fl.png")
    with pytest.raises(InvalidParameterError, match=r"\[0, 1\]"):
        plot_facility_outcomes({"mean": M.mean}, [0.1, 0.4], 0, tmp_path / "x.png", reports=[-0.5, 0.5])
    with pytest.raises(InvalidParameterError, match="agent"):
        plot_facility_outcomes({"mean": M.mean}, [0.1, 0.4], 3, tmp_path / "x.png")


def test_bid_plot(tmp_path) -> None:
    a, beta, v = np.ones(3), np.array([0.2, 0.199]), np.array([10.0, 4.0, 2.0])
    plot_bid_response({"VCG": lambda b: P.vcg(b, np.outer(a, beta)), "GSP": lambda b: P.gsp(b, a, beta)},
                      v, 0, tmp_path / "bids.png", bids=np.linspace(0, 12, 25))
    assert (tmp_path / "bids.png").stat().st_size > 1000
    with pytest.raises(InvalidParameterError, match="domain"):
        plot_bid_response({"VCG": lambda b: P.vcg(b, np.outer(a, beta))}, v, 0, tmp_path / "y.png",
                          bids=[-1, 2])
