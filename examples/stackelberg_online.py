"""Repeated Stackelberg games with bandit feedback: the leader's last iterate and the follower's manipulation.

Claims (Yu & Chen, "Decentralized Online Learning in General-Sum Stackelberg Games", UAI 2024):
against a follower who learns to best-respond myopically, the learning leader's last iterate
converges to the (pure) Stackelberg equilibrium; a follower with side information about the
leader's rewards can manipulate it into an outcome that is better for the follower (a positive
gain), with exact side information (FBM) and with noisy side information (FMUCB). Our leader runs
UCB1, and FMUCB is our reading of it (see `equilibria.dynamics.stackelberg` for these
simplifications). Measured on random games with distinct payoffs: how often the last iterate sits
at the equilibrium (or at the manipulated target) after T rounds, and the follower's
average-reward gain from manipulating, claimed (from the true means) vs measured.

    python examples/stackelberg_online.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.dynamics.stackelberg import best_manipulation, leader_view, pure_stackelberg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="few games and rounds (seconds)")
    args = ap.parse_args()
    games, T = (5, 1500) if args.fast else (20, 10000)
    rng = np.random.default_rng(0)
    hits, claimed, measured, commit = 0, [], [], []
    over_time = np.zeros(4)  # games whose leader's last iterate is a* at T/8, T/4, T/2, T
    noisy = {1.0: ([], []), 0.0: ([], [])}  # exploration -> (gains, target reached)
    for g_i in range(games):
        A, B = rng.random((2, 3, 3))
        game = eq.NormalFormGame.from_bimatrix(A, B)
        mu_l, mu_f = leader_view(game, 0)
        a_star, br = pure_stackelberg(mu_l, mu_f)
        a_m, resp = best_manipulation(mu_l, mu_f)
        honest = eq.solve(game, "stackelberg-ucb", iterations=T, eval_every=T // 8, seed=g_i)[0]
        acts = np.array(honest.info["trace"].extra["leader_action"])
        over_time += acts[[0, 1, 3, -1]] == a_star
        manip = eq.solve(game, "stackelberg-ucb", iterations=T, eval_every=T, seed=g_i,
                         follower="manipulative")[0]
        for c, (gains, reached) in noisy.items():
            run = eq.solve(game, "stackelberg-ucb", iterations=T, eval_every=T, seed=g_i,
                           follower="noisy-manipulative", exploration=c)[0]
            gains.append(run.info["trace"].extra["follower_mean_reward"][-1]
                         - honest.info["trace"].extra["follower_mean_reward"][-1])
            x, y = run.strategies
            reached.append(int(np.argmax(x) == a_m and np.argmax(y) == resp[a_m]))
        x, y = honest.strategies
        hits += int(np.argmax(x) == a_star and np.argmax(y) == br[a_star])
        claimed.append(mu_f[a_m, resp[a_m]] - mu_f[a_star, br[a_star]])
        measured.append(manip.info["trace"].extra["follower_mean_reward"][-1]
                        - honest.info["trace"].extra["follower_mean_reward"][-1])
        # and the mixed-commitment optimum the leader would reach knowing everything (for scale)
        commit.append(eq.solve(game, "stackelberg")[0].payoffs[0] - A[a_star, br[a_star]])
    print(f"claimed: the last iterate reaches the pure Stackelberg equilibrium; measured: {hits}/{games} "
          f"games after {T} rounds")
    print(f"  (leader's last iterate at a* after T/8, T/4, T/2, T rounds: "
          f"{', '.join(f'{int(k)}/{games}' for k in over_time)})")
    pos = [c for c in claimed if c > 1e-12]
    got = [m for m, c in zip(measured, claimed, strict=True) if c > 1e-12]
    print(f"claimed: follower's gain from manipulation > 0 where one exists ({len(pos)}/{games} games); "
          f"measured: mean gain {np.mean(got):.3f} (min {np.min(got):.3f}) "
          f"vs mean claimed (true means) {np.mean(pos):.3f}, on the [0, 1] reward scale")
    for c, (gains, reached) in noisy.items():
        g = [m for m, cl in zip(gains, claimed, strict=True) if cl > 1e-12]
        print(f"claimed: FMUCB (noisy side information, exploration {c:g}) also gains > 0; measured: mean "
              f"gain {np.mean(g):.3f} (min {np.min(g):.3f}) where FBM gains, {np.mean(gains):.3f} over all "
              f"{games} games; last iterate at the FBM target in {sum(reached)}/{games}")
    print(f"(the leader's mixed-commitment SSE exceeds its pure one by {np.mean(commit):.3f} on average)")


if __name__ == "__main__":
    main()
