"""MWU's last iterate cycles outward on rock-paper-scissors; OMWU's converges.

Claims:
* Bailey & Piliouras, "Multiplicative Weights Update in Zero-Sum Games", EC 2018: with any constant
  step, MWU's iterates move away from the interior equilibrium; Σ_i KL(x*‖x_i) increases at every
  step, so the last iterate never converges (while the time average does, Freund & Schapire 1999).
* Daskalakis & Panageas, "Last-Iterate Convergence: Zero-Sum Games and Constrained Min-Max
  Optimization", ITCS 2019: optimistic MWU's last iterate converges to the equilibrium.

    python examples/mwu_vs_omwu_rps.py [--plot rps.png] [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq

EQ = np.full(3, 1 / 3)


def kl_to_eq(profile) -> float:
    return float(sum(np.sum(EQ * np.log(EQ / x)) for x in profile))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--plot", default=None, help="write the simplex trajectories to this PNG")
    ap.add_argument("--fast", action="store_true", help="300 iterations (the test suite's smoke run)")
    args = ap.parse_args()
    if args.fast:
        args.iterations = 300
    game = eq.load_game("rock_paper_scissors")
    init = [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]
    eta = 0.2
    paths = {}
    rows = []
    for name, method in (("MWU", "mwu"), ("OMWU", "omwu")):
        learner = eq.make_learner(game, method, step_size=eta, init=init)
        kl, path = [kl_to_eq(learner.current_strategy())], [learner.current_strategy()]
        for _ in range(args.iterations):
            learner.step()
            kl.append(kl_to_eq(learner.current_strategy()))
            path.append(learner.current_strategy())
        paths[f"{name} last iterate (η = {eta})"] = path
        kl = np.array(kl)
        rows.append((name, kl[0], kl[-1], float(np.mean(np.diff(kl) > 0)),
                     eq.nash_conv(game, learner.current_strategy()),
                     eq.nash_conv(game, learner.average_strategy())))
    print(f"rock-paper-scissors, step size {eta}, {args.iterations} iterations, same start")
    print(f"{'method':6} {'KL start':>9} {'KL end':>10} {'KL steps up':>12} {'NashConv last':>14} "
          f"{'NashConv avg':>13}")
    for r in rows:
        print(f"{r[0]:6} {r[1]:9.4f} {r[2]:10.3e} {r[3]:12.1%} {r[4]:14.3e} {r[5]:13.3e}")
    mwu, omwu = rows
    print()
    print("claimed (Bailey & Piliouras 2018): MWU's KL to x* increases at every step  "
          f"| measured: {mwu[3]:.1%} of steps increase, KL {mwu[1]:.3f} -> {mwu[2]:.3f}")
    print("claimed (Daskalakis & Panageas 2019): OMWU's last iterate converges          "
          f"| measured: last-iterate NashConv {omwu[4]:.2e}, KL {omwu[1]:.3f} -> {omwu[2]:.2e}")
    if args.plot:
        from equilibria.plotting import plot_simplex_trajectories

        plot_simplex_trajectories(paths, args.plot, action_labels=game.action_labels,
                                  equilibrium=[EQ, EQ], title="Rock-paper-scissors: MWU vs OMWU")
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
