"""RL with verifiable rewards: group advantage estimators and prompt allocation.

The game family lives in `equilibria.games.verifiable` (family ``"rlvr"``), its exact metrics in
`equilibria.metrics.verifiable` and the learners (``grpo``, ``dr-grpo``, ...) in
`equilibria.dynamics.rlvr`.
"""

from .advantages import advantages

__all__ = ["advantages"]
