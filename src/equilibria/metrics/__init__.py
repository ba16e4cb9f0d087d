"""The one verification core: best responses, NashConv, exploitability, CE and CCE gaps.

Every family registers its implementation of the generic functions in `core`; tests, the CLI,
`solve` and every learner's trace call these and nothing else.
"""

from . import allocation as _allocation  # noqa: F401
from . import auction as _auction  # noqa: F401
from . import bandit as _bandit  # noqa: F401
from . import continuous as _continuous  # noqa: F401  (registers implementations)
from . import extensive_form as _extensive_form  # noqa: F401
from . import fair_lending as _fair_lending  # noqa: F401
from . import levine_hats as _levine_hats  # noqa: F401
from . import market as _market  # noqa: F401
from . import markov as _markov  # noqa: F401
from . import mean_field as _mean_field  # noqa: F401
from . import normal_form as _normal_form  # noqa: F401
from . import preference as _preference  # noqa: F401
from . import verifiable as _verifiable  # noqa: F401
from .core import best_response, best_response_values, deviation_gains, exploitability, nash_conv
from .normal_form import best_response_sets, cce_gap, ce_gap, product_distribution, swap_regrets

__all__ = [
    "best_response",
    "best_response_sets",
    "best_response_values",
    "cce_gap",
    "ce_gap",
    "deviation_gains",
    "exploitability",
    "nash_conv",
    "product_distribution",
    "swap_regrets",
]
