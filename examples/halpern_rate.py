"""Halpern iteration's operator residual decays as O(1/k): fitted log-log slope against the claimed -1.

Claims: ‖x_k - J(x_k)‖ ≤ 2‖x_0 - x*‖/(k+1) for Halpern's iteration with λ_k = 1/(k+1) (Lieder,
Optim. Lett. 2021), the rate used by Diakonikolas (COLT 2020) with an inexact resolvent, and kept by
the variance-reduced version of Cai, Alacaoglu & Diakonikolas (ICLR 2024), which touches one row and
one column of the payoff matrices per inner step.

    python examples/halpern_rate.py
"""

from __future__ import annotations

import numpy as np

from equilibria.api import make_learner
from equilibria.games.normal_form import NormalFormGame
from equilibria.run import run


def slope(trace, key: str, start: int = 20) -> float:
    it = np.asarray(trace.iterations, dtype=float)
    r = np.asarray(trace.extra[key])
    m = it >= start
    return float(np.polyfit(np.log(it[m]), np.log(r[m]), 1)[0])


def main() -> None:
    games = {
        "rock-paper-scissors": NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]),
        "random 8x8 zero-sum": NormalFormGame.zero_sum(np.random.default_rng(0).uniform(-1, 1, (8, 8))),
    }
    print(f"{'game':22} {'method':11} {'iters':>6} {'residual':>10} {'slope (claim -1)':>17} "
          f"{'NashConv':>10} {'full F evals':>12} {'sampled':>9}")
    for gname, game in games.items():
        init = [0.7 * np.eye(k)[0] + 0.3 / k for k in game.num_actions]
        for method, iters in (("halpern", 1000), ("vr-halpern", 300)):
            learner = make_learner(game, method, init=init, seed=0)
            tr = run(learner, iters, eval_every=5)
            sampled = tr.extra.get("sampled_evals", [0])[-1]
            print(f"{gname:22} {method:11} {iters:6d} {tr.extra['residual'][-1]:10.2e} "
                  f"{slope(tr, 'residual'):17.3f} {tr.nash_conv_last[-1]:10.2e} "
                  f"{int(tr.extra['operator_evals'][-1]):12d} {int(sampled):9d}")


if __name__ == "__main__":
    main()
