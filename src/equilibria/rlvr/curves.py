"""Training curves of RLVR learners with exact metrics, for the examples, plots and benchmarks.

`training_curves` steps a learner (through `equilibria.make_learner`, so every option is validated
as in `solve`) and evaluates, every ``every`` iterations, the exact metrics of its policy: pass@1,
pass@k, entropy per token, wrong-answer length, coverage@k, and the last batch's share of groups
with a non-zero advantage. Nothing here is sampled except the learner's own batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int

METRICS = ("iteration", "pass@1", "pass@k", "entropy", "wrong_length", "coverage", "nonzero_share",
           "nonzero_sample_share")


def policy_metrics(game: Any, policy: np.ndarray, k: int) -> dict[str, float]:
    """The exact metrics of ``policy`` (see `equilibria.metrics.verifiable`)."""
    from ..metrics import verifiable as mv

    s = game.pass_rates(policy)
    return {
        "pass@1": float(s.mean()),
        "pass@k": float(np.mean(1.0 - (1.0 - s) ** k)),
        "entropy": mv.entropy_per_token(game, policy),
        "wrong_length": mv.wrong_answer_length(game, policy),
        "coverage": mv.coverage(game, policy, k),
    }


def training_curves(game: Any, method: str, iterations: int, *, seed: int = 0, every: int = 1, k: int = 8,
                    **options: Any) -> dict[str, np.ndarray]:
    """Run ``method`` for ``iterations`` steps; exact metrics at iteration 0 and every ``every`` steps.

    Returns arrays keyed by `METRICS` (``nonzero_share`` is NaN at iteration 0) and ``"learner"``
    is not included: use `equilibria.make_learner` directly to keep it.
    """
    from ..api import make_learner

    iterations = check_int("iterations", iterations, minimum=0)
    every = check_int("every", every, minimum=1)
    learner = make_learner(game, method, seed=seed, **options)
    rows = [{"iteration": 0, **policy_metrics(game, learner.policy(), k), "nonzero_share": float("nan"),
             "nonzero_sample_share": float("nan")}]
    for t in range(1, iterations + 1):
        learner.step()
        if t % every == 0 or t == iterations:
            rows.append({"iteration": t, **policy_metrics(game, learner.policy(), k),
                         "nonzero_share": learner.last_nonzero_share,
                         "nonzero_sample_share": learner.last_nonzero_sample_share})
    return {m: np.array([r[m] for r in rows], dtype=float) for m in METRICS}
