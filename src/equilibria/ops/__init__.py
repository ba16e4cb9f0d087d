"""Small numerical building blocks, each with one home: the methods import them, never rewrite them.

- `simplex`: Euclidean projection onto the probability simplex (optionally with a floor).
- `softmax`: ``logsumexp``, ``log_softmax`` and ``softmax``, stable and mask-aware (``-inf`` entries).
- `regret`: regret matching (Hart & Mas-Colell 2000), the map from regrets to a strategy.
- `sampling`: one draw from each row of a probability array (inverse CDF, vectorised).
- `zero_sum`: the zero-sum matrix-game linear program, and the one HiGHS call every LP goes through.
"""

from .regret import regret_matching
from .sampling import sample_rows
from .simplex import project_simplex
from .softmax import log_softmax, logsumexp, softmax
from .zero_sum import highs_linprog, solve_matrix_game, solve_matrix_games

__all__ = [
    "highs_linprog", "log_softmax", "logsumexp", "project_simplex", "regret_matching", "sample_rows",
    "softmax", "solve_matrix_game", "solve_matrix_games",
]
