"""Stackelberg mean-field games: a leader picks policy parameters, the population answers with its
mean-field Nash equilibrium.

After "Learning Macroeconomic Policies through Dynamic Stackelberg Mean-Field Games" (a government
leader, households as mean-field followers): the leader's parameters θ (a tax schedule) define a
`MeanFieldGame`; the followers' response is the game's equilibrium policy π*(θ), found by an inner
run of a mean-field learner; the leader maximises ``F(θ) = objective(game(θ), π*(θ))`` (by default
the followers' own equilibrium value, a utilitarian welfare). `solve_stackelberg_mfg` is the bilevel
solver (zeroth-order: projected finite-difference gradient ascent over the inner solve);
`grid_search` evaluates F on a grid, the reference for the Stackelberg gap
``max_grid F − F(θ_solver)``.

The leader's policy may be dynamic: θ parametrises a feedback rule that maps the clock and the
population's state to the policy (in `mfg:wealth_economy`, ``tax_slopes``: bracket rates that move
with t and with the mean wealth of μ_t), so the followers' game sees the leader through μ_t and the
inner equilibrium accounts for the leader's reaction to the population it creates.

Simplifications against the paper: the leader's policy is a low-dimensional parametric rule found
by zeroth-order search over exact inner solves (the paper learns the leader's policy on the
aggregate state, and the followers' response, by reinforcement learning from samples).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import check_int, check_positive
from ..api import make_learner
from ..errors import InvalidParameterError, NotApplicableError
from ..games.mean_field import MeanFieldGame
from ..metrics import nash_conv
from ..run import run


@dataclass
class LeaderEvaluation:
    """F(θ) with the followers' equilibrium policy and its exploitability (the inner solve's error)."""

    params: np.ndarray
    value: float
    policy: np.ndarray
    exploitability: float


@dataclass
class StackelbergResult:
    """The leader's parameters found, their evaluation, and every evaluation made on the way."""

    best: LeaderEvaluation
    history: list[LeaderEvaluation] = field(default_factory=list)

    @property
    def evaluations(self) -> int:
        return len(self.history)


def welfare(game: MeanFieldGame, policy: np.ndarray) -> float:
    """The followers' equilibrium value J(π, μ^π), summed over populations (utilitarian welfare)."""
    return float(np.sum(game.expected_payoffs(policy)))


class LeaderProblem:
    """``F(θ)``: build the followers' game for θ, solve it with an inner mean-field learner, score it.

    ``method`` and ``inner_options`` choose the inner learner (``omd`` by default: on an entropy-
    regularised game its last iterate converges to the unique equilibrium, so F is smooth in θ),
    run for ``inner_iterations`` iterations from the uniform policy.
    """

    def __init__(
        self,
        make_game: Callable[[np.ndarray], MeanFieldGame],
        *,
        objective: Callable[[MeanFieldGame, np.ndarray], float] = welfare,
        method: str = "omd",
        inner_iterations: int = 60,
        inner_options: dict[str, Any] | None = None,
    ):
        if not callable(make_game) or not callable(objective):
            raise InvalidParameterError("make_game and objective must be callables")
        self.make_game = make_game
        self.objective = objective
        self.method = method
        self.inner_iterations = check_int("inner_iterations", inner_iterations, minimum=1, maximum=10**7)
        self.inner_options = dict(inner_options or {})
        self.history: list[LeaderEvaluation] = []

    def __call__(self, params: Any) -> LeaderEvaluation:
        theta = np.asarray(params, dtype=float)
        game = self.make_game(theta)
        if not isinstance(game, MeanFieldGame):
            raise NotApplicableError("make_game must return a MeanFieldGame")
        learner = make_learner(game, self.method, **self.inner_options)
        run(learner, self.inner_iterations, eval_every=self.inner_iterations)
        policy = learner.strategy()
        ev = LeaderEvaluation(theta.copy(), float(self.objective(game, policy)), policy,
                              float(nash_conv(game, policy)))
        self.history.append(ev)
        return ev


def _bounds(bounds: Sequence[Sequence[float]], dim: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        b = np.array(bounds, dtype=float).reshape(dim, 2)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"bounds must be {dim} pairs (low, high)") from None
    if not np.all(np.isfinite(b)) or np.any(b[:, 0] > b[:, 1]):
        raise InvalidParameterError("each bound must be a finite pair with low <= high")
    return b[:, 0], b[:, 1]


def solve_stackelberg_mfg(
    problem: LeaderProblem,
    x0: Sequence[float],
    bounds: Sequence[Sequence[float]],
    *,
    outer_iterations: int = 20,
    step_size: float = 0.05,
    difference: float = 0.01,
) -> StackelbergResult:
    """Bilevel solve: projected finite-difference gradient ascent on F(θ) over the inner MFG solve.

    1. Evaluate F at θ_k and at θ_k ± ``difference``·e_j (central differences, clipped to the
       box): a zeroth-order gradient estimate ĝ_k from 2d + 1 inner equilibrium solves.
    2. Try θ' = Π_box(θ_k + η ĝ_k), η starting at ``step_size``; halve η until F(θ') > F(θ_k)
       (at most 6 halvings), else stop: θ_k is a stationary point at this resolution.
    3. Repeat ``outer_iterations`` times. The best evaluation seen is returned.
    """
    lo, hi = _bounds(bounds, len(x0))
    T = check_int("outer_iterations", outer_iterations, minimum=0, maximum=10**6)
    eta0 = check_positive("step_size", step_size, maximum=1e6)
    h = check_positive("difference", difference, maximum=1e3)
    theta = np.clip(np.asarray(x0, dtype=float), lo, hi)
    current = problem(theta)
    for _ in range(T):
        grad = np.zeros_like(theta)
        for j in range(theta.size):
            up, down = theta.copy(), theta.copy()
            up[j], down[j] = min(theta[j] + h, hi[j]), max(theta[j] - h, lo[j])
            if up[j] == down[j]:
                continue
            grad[j] = (problem(up).value - problem(down).value) / (up[j] - down[j])
        eta, moved = eta0, False
        for _ in range(7):
            cand = np.clip(theta + eta * grad, lo, hi)
            if np.allclose(cand, theta):
                break
            ev = problem(cand)
            if ev.value > current.value:
                theta, current, moved = cand, ev, True
                break
            eta /= 2.0
        if not moved:
            break
    best = max(problem.history, key=lambda e: e.value)
    return StackelbergResult(best, list(problem.history))


def grid_search(problem: LeaderProblem, grids: Sequence[Sequence[float]]) -> StackelbergResult:
    """F on every point of the product of ``grids`` (one list of values per parameter)."""
    points = list(itertools.product(*[list(map(float, g)) for g in grids]))
    if not points:
        raise InvalidParameterError("grid_search needs a non-empty grid for every parameter")
    evals = [problem(np.array(p)) for p in points]
    return StackelbergResult(max(evals, key=lambda e: e.value), evals)
