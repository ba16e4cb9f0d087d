"""NGRPO learns prompts on which GRPO's gradient is exactly zero.

Claim. Nan et al., "NGRPO: Negative-enhanced Group Relative Policy Optimization", arXiv 2025: in
GRPO an all-wrong group has zero advantage for every answer, so prompts the policy never solves
give no gradient at all; adding a virtual maximum-reward answer to the group statistics gives the
wrong answers a negative advantage, which moves probability to the unsampled answers, so hard
prompts start being solved.

Measured exactly on `rlvr:toy` restricted to its hardest quarter (16 prompts with prior pass@1 from
1e-3 to about 5e-3, groups of 8): the share of groups with a non-zero advantage and the exact
pass@1 after training, GRPO against NGRPO at the same step size and seeds.

    python examples/rlvr_ngrpo.py [--fast]
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
    # the hardest quarter of rlvr:toy's log-uniform spread: 1e-3 .. 1e-3 * 900^(15/63)
    game = eq.load_game(f"rlvr:toy(prompts=16, min_pass=0.001, max_pass={1e-3 * 900 ** (15 / 63):.6g})")
    s0 = game.pass_rates(game.prior_policy)
    print(f"16 hard prompts, prior pass@1 {s0.min():.4f}..{s0.max():.4f}; {iterations} iterations, "
          f"seeds {seeds}")
    res = {}
    for method in ("grpo", "ngrpo"):
        rows = [training_curves(game, method, iterations, seed=s, every=1) for s in seeds]
        share = np.nanmean([r["nonzero_share"][1:] for r in rows])
        p1 = np.mean([r["pass@1"][-1] for r in rows])
        res[method] = (share, p1)
        print(f"  {method:6s} groups with a non-zero advantage {share:.3f}; final pass@1 {p1:.4f} "
              f"(prior {s0.mean():.4f})")
    print("claimed: GRPO has no gradient on all-wrong groups; NGRPO learns those prompts", end=" | ")
    g_share, g_p1 = res["grpo"]
    n_share, n_p1 = res["ngrpo"]
    print(f"measured: non-zero-gradient share GRPO {g_share:.3f} vs NGRPO {n_share:.3f}; "
          f"pass@1 gain GRPO {g_p1 - s0.mean():+.4f} vs NGRPO {n_p1 - s0.mean():+.4f}")
    ok = n_share > g_share and n_p1 > g_p1
    print("  -> " + ("reproduces" if ok else "does NOT reproduce at this scale"))


if __name__ == "__main__":
    main()
