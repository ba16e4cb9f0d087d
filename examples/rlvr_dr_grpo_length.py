"""Dr. GRPO against GRPO: the length of wrong answers.

Claim. Liu et al., "Understanding R1-Zero-Like Training: A Critical Perspective", arXiv:2503.20783,
2025: GRPO's per-answer normalisation 1/|o_i| penalises a long wrong answer's tokens less than a
short one's, so the length of wrong answers grows during training; Dr. GRPO (token sums over a
constant, no std normalisation) removes the bias and the length of wrong answers stays flat.

Measured exactly on `rlvr:toy` (answers of 0..3 tokens, one correct answer per prompt): the
expected length of a wrong answer, E[|y| | y wrong], at the start and the end of training, for both
learners at the same step size and seeds.

    python examples/rlvr_dr_grpo_length.py [--fast]
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
    iterations, seeds = (60, [0]) if args.fast else (300, [0, 1, 2])
    game = eq.load_game("rlvr:toy")
    print(f"rlvr:toy, {iterations} iterations, seeds {seeds}, step_size 1; E[|y| | y wrong] (tokens)")
    ends = {}
    for method in ("grpo", "dr-grpo"):
        every = max(iterations // 4, 1)
        rows = [training_curves(game, method, iterations, seed=s, every=every) for s in seeds]
        length = np.mean([r["wrong_length"] for r in rows], axis=0)
        p1 = np.mean([r["pass@1"] for r in rows], axis=0)
        ends[method] = length[-1] - length[0]
        curve = " -> ".join(f"{v:.3f}" for v in length)
        print(f"  {method:8s} wrong-answer length {curve}   (pass@1 {p1[0]:.3f} -> {p1[-1]:.3f})")
    print("claimed: GRPO's wrong answers grow longer; Dr. GRPO's stay flat", end=" | ")
    print(f"measured: change GRPO {ends['grpo']:+.3f}, Dr. GRPO {ends['dr-grpo']:+.3f} tokens")
    ok = ends["grpo"] > 0.05 and abs(ends["dr-grpo"]) < abs(ends["grpo"])
    print("  -> " + ("reproduces" if ok else "does NOT reproduce at this scale"))


if __name__ == "__main__":
    main()
