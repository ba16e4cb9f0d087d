"""Independent learners cycle on a two-state matching-pennies Markov game; the T-sparse mixture of
independent Hedge iterates is a coarse correlated equilibrium, measured exactly.

Claims:
- Foster, Golowich & Kakade, "Hardness of Independent Learning and Sparse Equilibrium Computation in
  Markov Games" (ICML 2023): a T-sparse CCE (uniform mixture of T product policies, the output of
  independent no-regret learning) has gap Σ_i Reg_i(T) / T against all history-dependent
  deviations; no efficient decentralised algorithm guarantees a small one in general, so on a
  given game it must be measured. With Hedge-like regret O(√T) the gap falls like T^(-1/2).
- Independent learners' last iterates need not converge in zero-sum games: on matching pennies
  they cycle (independent policy gradient with equal step sizes, Daskalakis, Foster & Golowich,
  NeurIPS 2020; independent Q-learning).

The independent learners run on the discounted game (γ = 0.8, the setting they support); the sparse
CCE learner on the same game with horizon H = 3, where the gap against history-dependent
deviations is computed exactly on the tree of histories.

    python examples/sparse_cce_pennies.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.dynamics.sparse_cce import sparse_cce_gap
from equilibria.games.markov import MarkovGame


def pennies(**kw) -> MarkovGame:
    """Matching pennies in two states (the second asymmetric); matching moves to state 0, else 1."""
    R = np.zeros((2, 2, 2, 2))
    R[0, 0] = [[1, -1], [-1, 1]]
    R[1, 0] = [[2, -1], [-1, 0.5]]
    R[:, 1] = -R[:, 0]
    P = np.zeros((2, 2, 2, 2))
    P[:, 0, 0, 0] = P[:, 1, 1, 0] = P[:, 0, 1, 1] = P[:, 1, 0, 1] = 1
    return MarkovGame(R, P, initial=[1, 0], title="two-state matching pennies", **kw)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="fewer iterations (seconds)")
    args = ap.parse_args()
    iters = 300 if args.fast else 2000
    discounted = pennies(discount=0.8)
    print(f"discounted game (γ = 0.8), {iters} iterations: last-iterate NashConv over the last quarter")
    for method, opts in (("independent-pg", {"timescale": 1.0, "step_size": 0.5}), ("independent-q", {})):
        tr = eq.run(eq.make_learner(discounted, method, seed=0, **opts), iters, eval_every=10)
        tail = np.array(tr.nash_conv_last[-max(len(tr.nash_conv_last) // 4, 1):])
        print(f"  claimed: {method} cycles (does not converge); measured: NashConv of the last iterate in "
              f"[{tail.min():.3f}, {tail.max():.3f}] (payoff scale {discounted.payoff_scale:.1f})")

    game = pennies(horizon=3)
    checkpoints = [25, 100, 400] if args.fast else [50, 200, 800, 3200]
    learner = eq.make_learner(game, "sparse-cce", seed=0)
    gaps, last = [], []
    for T in checkpoints:
        while learner.iteration < T:
            learner.step()
        gaps.append(sparse_cce_gap(game, learner.mixture()))
        last.append(eq.nash_conv(game, learner.current_strategy()))
    print(f"\nfinite horizon H = 3 (payoff scale {game.payoff_scale:.1f}): sparse-cce, default step size")
    print(f"  {'T':>6} {'sparse CCE gap':>15} {'gap / scale':>12} {'last-iterate NashConv':>22}")
    for T, gp, nl in zip(checkpoints, gaps, last, strict=True):
        print(f"  {T:6d} {gp:15.4f} {gp / game.payoff_scale:12.5f} {nl:22.4f}")
    slope = float(np.polyfit(np.log(checkpoints), np.log(gaps), 1)[0])
    print(f"  claimed: gap of the T-sparse mixture falls like T^-0.5 (Hedge regret); measured: slope "
          f"{slope:.2f}, gap {gaps[-1]:.4f} at T = {checkpoints[-1]}")
    print("  (Foster et al.: no guarantee in general; this is a 2-state, 2-action game)")


if __name__ == "__main__":
    main()
