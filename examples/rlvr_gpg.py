"""GPG against GRPO at equal compute.

Claim. Chu et al., "GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning",
arXiv:2504.02546, 2025: the plain group policy gradient (advantage r − mean r rescaled by the share
of groups with a non-zero gradient, no surrogate, no KL) matches or beats GRPO at the same cost.

Measured exactly on `rlvr:toy` and `rlvr:arith`: the same number of sampled answers (all prompts x
8) and gradient steps per iteration, the same step size and seeds; the exact pass@1 and the gap to
the best policy (NashConv) at the end.

    python examples/rlvr_gpg.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.rlvr.curves import training_curves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fast", action="store_true", help="fewer iterations and seeds (seconds)")
    args = parser.parse_args()
    iterations, seeds = (40, [0]) if args.fast else (200, [0, 1, 2])
    wins = []
    for spec in ("rlvr:toy", "rlvr:arith"):
        game = eq.load_game(spec)
        res = {}
        for method in ("grpo", "gpg"):
            rows = [training_curves(game, method, iterations, seed=s, every=iterations) for s in seeds]
            res[method] = float(np.mean([r["pass@1"][-1] for r in rows]))
        gap = {m: float(np.mean(game.best_values)) - v for m, v in res.items()}
        print(f"{spec}: {iterations} iterations, seeds {seeds}: pass@1 GRPO {res['grpo']:.3f}, "
              f"GPG {res['gpg']:.3f}"
              f" (NashConv {gap['grpo']:.3f} vs {gap['gpg']:.3f})")
        wins.append(res["gpg"] >= res["grpo"])
    print("claimed: GPG matches or beats GRPO at equal compute", end=" | ")
    print(f"measured: GPG >= GRPO on {sum(wins)} of {len(wins)} tasks")
    print("  -> " + ("reproduces" if all(wins) else "does NOT reproduce at this scale"))


if __name__ == "__main__":
    main()
