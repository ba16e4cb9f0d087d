"""The entropy law R = −a·e^H + b and the covariance identity for the entropy change, exactly.

Claims. Cui et al., "The Entropy Mechanism of Reinforcement Learning for Reasoning Language
Models", arXiv:2505.22617, 2025:

1. Across the checkpoints of an RL run without entropy intervention, performance R and policy
   entropy H follow R = −a·exp(H) + b; a fit on the early checkpoints predicts the final
   performance, and R = b − a is the ceiling once the entropy is exhausted.
2. For a softmax policy, the entropy change of a state under a logit update Δz is, to first
   order, ΔH ≈ −Cov_{a∼π}(log π(a), Δz(a)) (for policy gradient Δz = η π A: −η Cov(log π, π A)):
   the entropy falls when high-probability actions get high advantage.

On `rlvr:toy` with GRPO (tabular logits, exact metrics): R is the exact mean pass@1, H the exact
entropy per token; claim 1 is checked by the R² of the fit over all checkpoints and by predicting
the final R from a fit on the first third; claim 2 by comparing, at every step, the actual change
Σ reach·ΔH_n of the prefix entropies with the covariance prediction from the step's actual Δz.

    python examples/rlvr_entropy_law.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.dynamics.rlvr import softmax_logits


def _row_entropy(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(p)).sum(axis=-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fast", action="store_true", help="fewer iterations (seconds)")
    args = parser.parse_args()
    iterations = 60 if args.fast else 400
    game = eq.load_game("rlvr:toy")
    learner = eq.make_learner(game, "grpo", seed=0, step_size=0.5)
    R, H, actual, predicted = [], [], [], []
    from equilibria.metrics.verifiable import entropy_per_token

    for _ in range(iterations):
        pi = learner.policy()
        R.append(float(game.pass_rates(pi).mean()))
        H.append(entropy_per_token(game, pi))
        z0 = learner.logits.copy()
        learner.step()
        dz = learner.logits - z0
        new = softmax_logits(learner.logits)
        reach = game.node_reach(pi, validate=False)
        logp = np.log(pi)
        cov = (pi * logp * dz).sum(-1) - (pi * logp).sum(-1) * (pi * dz).sum(-1)
        actual.append(float((reach * (_row_entropy(new) - _row_entropy(pi))).sum()))
        predicted.append(float((reach * -cov).sum()))
    R, H = np.array(R), np.array(H)
    A = np.column_stack([-np.exp(H), np.ones_like(H)])
    (a, b), *_ = np.linalg.lstsq(A, R, rcond=None)
    r2 = 1 - np.sum((A @ [a, b] - R) ** 2) / np.sum((R - R.mean()) ** 2)
    third = max(len(R) // 3, 3)
    (a3, b3), *_ = np.linalg.lstsq(A[:third], R[:third], rcond=None)
    pred_final = -a3 * np.exp(H[-1]) + b3
    actual, predicted = np.array(actual), np.array(predicted)
    rel = np.abs(actual - predicted).sum() / np.abs(actual).sum()
    sign = np.mean(np.sign(actual) == np.sign(predicted))
    corr = np.corrcoef(actual, predicted)[0, 1]
    print(f"GRPO on rlvr:toy, {iterations} iterations, seed 0 (exact pass@1 and entropy per token)")
    print(f"entropy {H[0]:.3f} -> {H[-1]:.3f} nats/token, pass@1 {R[0]:.3f} -> {R[-1]:.3f}")
    print("claimed 1: R = -a exp(H) + b fits the checkpoints (tight fits across model families)", end=" | ")
    print(f"measured: a = {a:.4f}, b = {b:.4f}, R^2 over {len(R)} checkpoints = {r2:.4f}")
    print(f"  fit on the first {third} checkpoints predicts final R = {pred_final:.3f}; measured {R[-1]:.3f} "
          f"(error {abs(pred_final - R[-1]):.3f})")
    print(f"  ceiling at H = 0: b - a = {b - a:.3f}")
    verdict = "reproduces" if r2 > 0.9 else "does NOT reproduce at this scale"
    print(f"  -> the fit {verdict} (R^2 = {r2:.3f})")
    err = abs(pred_final - R[-1])
    verdict = "reproduces" if err < 0.05 else "does NOT reproduce at this scale"
    print(f"  -> the prediction of the final R from the first third {verdict} (error {err:.3f})")
    print("claimed 2: dH ~ -Cov(log pi, dz) per prefix (first order)", end=" | ")
    print(f"measured: over {len(actual)} steps, relative error {rel:.3f}, correlation {corr:.4f}, "
          f"sign agreement {sign:.3f}")
    print(f"  entropy fell on {np.mean(actual < 0):.2f} of steps; the covariance was positive on "
          f"{np.mean(predicted < 0):.2f} of steps")
    verdict = "reproduces" if corr > 0.9 and sign > 0.9 else "does NOT reproduce at this scale"
    print(f"  -> claim 2 {verdict}")


if __name__ == "__main__":
    main()
