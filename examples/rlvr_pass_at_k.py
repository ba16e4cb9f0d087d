"""Pass@k training raises pass@k and entropy without losing pass@1.

Claim. Chen et al., "Pass@k Training for Adaptively Balancing Exploration and Exploitation of
Large Reasoning Models", arXiv:2508.10751, 2025: training with the analytic pass@k advantage keeps
the policy's entropy and improves pass@k over GRPO (pass@1 training), while pass@1 is not lost.

Measured exactly on `rlvr:multi` (16 prompts, 6 correct answers each, where exploration matters)
and on `rlvr:toy`: pass@1, pass@8, coverage@8 and entropy per token after training, GRPO against
pass@k training (k = 4, groups of 8) at the same step size and seeds.

    python examples/rlvr_pass_at_k.py [--fast]
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
    iterations, seeds = (50, [0]) if args.fast else (300, [0, 1, 2])
    for spec in ("rlvr:multi", "rlvr:toy"):
        game = eq.load_game(spec)
        print(f"{spec}: {iterations} iterations, seeds {seeds}, groups of 8, k = 4")
        res = {}
        for method in ("grpo", "pass@k"):
            rows = [training_curves(game, method, iterations, seed=s, every=iterations) for s in seeds]
            m = {key: float(np.mean([r[key][-1] for r in rows])) for key in ("pass@1", "pass@k", "entropy",
                                                                            "coverage")}
            res[method] = m
            print(f"  {method:7s} pass@1 {m['pass@1']:.3f}  pass@8 {m['pass@k']:.3f}  coverage@8 "
                  f"{m['coverage']:.3f}  entropy {m['entropy']:.3f}")
        g, p = res["grpo"], res["pass@k"]
        print("  claimed: pass@k training raises pass@k and entropy without losing pass@1", end=" | ")
        print(f"measured: pass@8 {p['pass@k'] - g['pass@k']:+.3f}, "
              f"entropy {p['entropy'] - g['entropy']:+.3f}, "
              f"pass@1 {p['pass@1'] - g['pass@1']:+.3f} (pass@k minus GRPO)")
        ok = p["pass@k"] > g["pass@k"] and p["entropy"] > g["entropy"] and p["pass@1"] >= g["pass@1"] - 0.01
        print("  -> " + ("reproduces" if ok else "does NOT reproduce at this scale"))


if __name__ == "__main__":
    main()
