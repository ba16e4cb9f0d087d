"""Meta-solvers: how PSRO mixes each player's population, given the empirical meta-game.

A meta-solver maps the meta-game (a `NormalFormGame` whose actions are the population's
policies) to one probability vector per player. PSRO (Lanctot et al., "A unified game-theoretic
approach to multiagent reinforcement learning", NeurIPS 2017) recovers classic algorithms by the
choice of meta-solver:

* ``uniform``: every policy equally likely, i.e. fictitious self-play over policies
  (Brown 1951; Heinrich, Lanctot & Silver, "Fictitious self-play in extensive-form games", ICML 2015);
* ``nash``: a Nash equilibrium of the meta-game, i.e. the double oracle (McMahan, Gordon & Blum,
  "Planning in the presence of cost functions controlled by an adversary", ICML 2003);
* ``alpha-rank``: the per-player marginals of α-Rank's stationary distribution (Omidshafiei et
  al., "α-Rank: multi-agent evaluation by evolution", Sci. Rep. 2019; Muller et al., "A
  generalized training approach for multiagent learning", ICLR 2020);
* ``prd``: projected replicator dynamics (Lanctot et al. 2017, Sec. 3);
* ``rae``: the RAE meta-solver of `equilibria.solvers.rae` when that module is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_probability
from ..errors import NotApplicableError, SolverError, UnknownNameError
from ..games.normal_form import NormalFormGame
from ..ops import project_simplex
from ..ops.zero_sum import solve_matrix_game

MetaSolver = Callable[..., list[np.ndarray]]
META_SOLVERS: dict[str, MetaSolver] = {}


def register_meta_solver(name: str) -> Callable[[MetaSolver], MetaSolver]:
    def deco(fn: MetaSolver) -> MetaSolver:
        META_SOLVERS[name] = fn
        return fn

    return deco


def get_meta_solver(name: str | MetaSolver) -> MetaSolver:
    """The meta-solver called ``name`` (a callable passes through)."""
    if callable(name):
        return name
    key = str(name).strip().lower().replace("_", "-")
    if key not in META_SOLVERS:
        raise UnknownNameError("meta-solver", str(name), META_SOLVERS)
    return META_SOLVERS[key]


def solve_meta_game(name: str | MetaSolver, payoffs: np.ndarray, rng: np.random.Generator,
                    options: dict[str, Any]) -> list[np.ndarray]:
    """The meta-solver ``name`` on the meta-game ``payoffs`` (n, k_1, ..., k_n): one distribution per
    population, checked (finite, non-negative after clipping rounding, positive sum) and normalised;
    `SolverError` when the meta-solver returns anything else."""
    meta = NormalFormGame(payoffs)
    sigma = get_meta_solver(name)(meta, rng, **options)
    try:
        out = [np.clip(np.asarray(s, dtype=float).reshape(-1), 0.0, None) for s in sigma]
    except (TypeError, ValueError):
        out = []
    if len(out) != meta.num_players or any(
        len(s) != k or not np.all(np.isfinite(s)) or not s.sum() > 0
        for s, k in zip(out, meta.num_actions, strict=False)
    ):
        raise SolverError(
            f"the meta-solver {name!r} did not return one distribution per population "
            f"(sizes {list(meta.num_actions)})"
        )
    return [s / s.sum() for s in out]


@register_meta_solver("uniform")
def uniform(meta: NormalFormGame, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Uniform over each population: fictitious self-play (Heinrich, Lanctot & Silver, ICML 2015)."""
    return [np.full(k, 1.0 / k) for k in meta.num_actions]


@register_meta_solver("nash")
def nash(
    meta: NormalFormGame, rng: np.random.Generator | None = None, method: str | None = None
) -> list[np.ndarray]:
    """A Nash equilibrium of the meta-game: the double oracle (McMahan, Gordon & Blum, ICML 2003).

    Two-player constant-sum meta-games are solved by one LP (von Neumann 1928; Dantzig 1951);
    others by ``method`` (default: the meta-game's default solver), taking the first equilibrium.
    """
    if meta.num_players == 2 and meta.is_constant_sum and method in (None, "lp"):
        _, x, y = solve_matrix_game(meta.payoffs[0], what="the PSRO meta-game LP")
        return [x, y]
    from ..api import solve

    sols = solve(meta, method=method)
    return [np.asarray(s, dtype=float) for s in sols[0].strategies]


@register_meta_solver("alpha-rank")
def alpha_rank_meta(
    meta: NormalFormGame,
    rng: np.random.Generator | None = None,
    alpha: float | str = 10.0,
    population_size: int = 50,
    inf_alpha_eps: float = 0.01,
) -> list[np.ndarray]:
    """Per-player marginals of the α-Rank stationary distribution (Omidshafiei et al., Sci. Rep. 2019).

    ``alpha=float("inf")`` (or ``"inf"``) is the infinite-α model (see `empirical.alpha_rank`).
    """
    from .empirical import alpha_rank

    return alpha_rank(meta.payoffs, alpha=alpha, population_size=population_size,
                      inf_alpha_eps=inf_alpha_eps).marginals


@register_meta_solver("prd")
def projected_replicator_dynamics(
    meta: NormalFormGame,
    rng: np.random.Generator | None = None,
    steps: int = 2000,
    step_size: float = 2.5e-2,
    exploration: float = 1e-6,
) -> list[np.ndarray]:
    """Projected replicator dynamics (Lanctot et al., NeurIPS 2017, Sec. 3).

    ``x_i ← P(x_i + η · x_i ⊙ (u_i(·, x_{-i}) − u_i(x)))`` from the uniform profile, η = ``step_size``
    (called ``dt`` before), where P projects onto the simplex with every probability at least
    ``exploration / K_i`` (`equilibria.ops.project_simplex`). Payoffs are scaled to [−1, 1] first so
    ``step_size`` means the same on every meta-game.
    """
    steps = check_int("steps", steps, minimum=1)
    dt = check_positive("step_size", step_size)
    exploration = check_probability("exploration", exploration)
    u = meta.payoffs / max(meta.payoff_scale, 1e-12)
    xs = uniform(meta)
    floors = [exploration / k for k in meta.num_actions]
    two = meta.num_players == 2
    scaled = NormalFormGame(u) if not two else None
    for _ in range(steps):
        if two:
            dev = [u[0] @ xs[1], u[1].T @ xs[0]]
        else:
            dev = scaled.deviation_payoffs(xs)
        xs = [project_simplex(x + dt * x * (d - d @ x), f) for x, d, f in zip(xs, dev, floors, strict=True)]
    return xs


@register_meta_solver("rae")
def rae(meta: NormalFormGame, rng: np.random.Generator | None = None, **options: Any) -> list[np.ndarray]:
    """The RAE meta-solver from `equilibria.solvers.rae` (see that module for the method and paper)."""
    try:
        from ..solvers.rae import rae_meta_solver
    except ImportError:
        raise NotApplicableError(
            "the rae meta-solver needs equilibria.solvers.rae, which this installation lacks"
        ) from None
    return [np.asarray(s, dtype=float) for s in rae_meta_solver(meta, **options)]
