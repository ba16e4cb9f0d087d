"""Accelerated optimistic gradient's last iterate: O(1/T), against O(1/sqrt T) for extragradient.

Claims: Cai & Zheng, "Doubly Optimal No-Regret Learning in Monotone Games", ICML 2023: the last
iterate's gap is O(1/T). Golowich, Pattathil, Daskalakis & Ozdaglar, COLT 2020: for extragradient
(and optimistic gradient) the last iterate's gap is Θ(1/sqrt T) in the worst case over games with a
given Lipschitz constant.

Measurement: for each horizon T the worst case is realised, as in the lower-bound argument, by a
game whose curvature depends on T: matching pennies scaled by λ_T = T^{-1/2}, with the same step
0.25 for both methods. The gap at T is the largest NashConv of the last iterate over rounds T/2..T.

    python examples/accelerated_og_rate.py
"""

from __future__ import annotations

import numpy as np

from equilibria.dynamics.accelerated_og import AcceleratedOptimisticGradient
from equilibria.dynamics.extragradient import Extragradient
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv

MP = np.array([[1.0, -1.0], [-1.0, 1.0]])


def envelope(cls, T: int) -> float:
    game = NormalFormGame.zero_sum(MP / np.sqrt(T))
    learner = cls(game, step_size=0.25, init=[[0.9, 0.1], [0.2, 0.8]])
    worst = 0.0
    for t in range(T):
        learner.step()
        if t >= T // 2:
            worst = max(worst, nash_conv(game, learner.current_strategy()))
    return worst


def main() -> None:
    Ts = np.array([100, 200, 400, 800, 1600, 3200])
    rows = {"accelerated OG": [envelope(AcceleratedOptimisticGradient, T) for T in Ts],
            "extragradient": [envelope(Extragradient, T) for T in Ts]}
    print("T      " + "  ".join(f"{name:>15}" for name in rows))
    for k, T in enumerate(Ts):
        print(f"{T:<6d} " + "  ".join(f"{rows[name][k]:15.3e}" for name in rows))
    claims = {"accelerated OG": -1.0, "extragradient": -0.5}
    print()
    for name, gaps in rows.items():
        s = np.polyfit(np.log(Ts), np.log(gaps), 1)[0]
        print(f"{name:15} fitted slope {s:6.3f}   claimed {claims[name]:5.2f}")


if __name__ == "__main__":
    main()
