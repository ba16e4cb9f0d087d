"""Mean-field games from OpenSpiel's ``mfg`` module and from MFGLib, at their default parameters.

OpenSpiel (Lanctot et al., "OpenSpiel: A Framework for Reinforcement Learning in Games", 2019;
games of Perrin et al., NeurIPS 2020; Laurière et al., ICML 2022):

- ``crowd_modelling``: a ring of ``size`` cells, moves left/stay/right plus a uniform random step;
  reward ``1 − |x − size/2|/(size/2) − |move|/size − log μ(x)`` (Perrin et al., "Fictitious Play
  for Mean Field Games: Continuous Time Analysis and Applications", NeurIPS 2020, §4.2).

MFGLib (Guo et al., "MFGLib: A Library for Mean-Field Games", 2023): ``mfglib:...`` (below).

Conventions (`equilibria.games.mean_field`): OpenSpiel's games have H = ``horizon`` decisions at
t = 0..H−1 and end at t = H with no reward.

OpenSpiel's movement cost. OpenSpiel pays the cost of a move at the *next* decision node (the state
remembers its last action) but its evaluators (``PolicyValue``, ``BestResponse``, ``NashConv``) cache
values by the observation string ``(x, t)``, which omits that last action: the value of a node is
the one computed at its first visit in their depth-first search, so the move cost that counts at
(x, t) is the cost of the action along the first path that reached it, whatever the agent did. With
``move_cost="openspiel"`` (default) our game reproduces that, so exploitabilities and learner
trajectories equal OpenSpiel's; ``move_cost="exact"`` charges every move its own cost (paid at the
next step, so the last move is free, as in OpenSpiel's game).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np

from ..._checks import check_choice, check_int
from ...registry import register_game
from ..mean_field import MeanFieldGame
from ._limits import call, check_bytes

#: OpenSpiel's floor inside log μ (crowd modelling)
OPENSPIEL_LOG_EPS = 1e-25


def _check_grid(name: str, states: int, actions: int, horizon: int, branches: int) -> None:
    # sparse kernels (targets, probs) and the policy-sized arrays of one evaluation, per step
    check_bytes(name, 8 * horizon * states * actions * (2 * branches + 8))


def first_visit_moves(
    initial_order: Sequence[int],
    horizon: int,
    num_actions: int,
    after_action: Callable[[int, int], int],
    after_chance: Callable[[int], Sequence[int]],
    neutral: int,
    num_states: int,
) -> np.ndarray:
    """``ā[t, x]``: the last action on the first path OpenSpiel's depth-first evaluators take to the
    decision node (x, t), their caches being keyed by the decision, chance and mean-field node strings,
    which omit the last action (``neutral`` at t = 0 and at nodes never reached)."""
    abar = np.full((horizon + 1, num_states), neutral, dtype=np.intp)
    seen: set[tuple[str, int, int]] = set()

    def decision(x: int, t: int, last: int) -> None:
        if ("d", x, t) in seen:
            return
        seen.add(("d", x, t))
        abar[t, x] = last
        if t >= horizon:
            return
        for a in range(num_actions):
            y = after_action(x, a)
            if ("c", y, t) in seen:
                continue
            seen.add(("c", y, t))
            for z in after_chance(y):
                if ("m", z, t + 1) in seen:
                    continue
                seen.add(("m", z, t + 1))
                decision(z, t + 1, a)

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 4 * horizon + 1000))
    try:
        for x0 in initial_order:
            decision(x0, 0, neutral)
    finally:
        sys.setrecursionlimit(old)
    return abar


# ---- OpenSpiel: crowd modelling ------------------------------------------------------------------


@register_game("crowd_modelling", family="mean_field")
def crowd_modelling(size: int = 10, horizon: int = 10, move_cost: str = "openspiel") -> MeanFieldGame:
    """OpenSpiel's 1-D crowd modelling on a ring (Perrin et al., NeurIPS 2020, §4.2)."""
    size = check_int("size", size, minimum=2, maximum=10**6)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    move_cost = check_choice("move_cost", move_cost, ("openspiel", "exact"))
    _check_grid(call("crowd_modelling", size=size, horizon=horizon), size, 3, horizon, 3)
    S, A = size, 3
    moves = np.array([-1, 0, 1])
    x = np.arange(S)
    targets = (x[:, None, None] + moves[None, :, None] + moves[None, None, :]) % S
    probs = np.full((S, A, 3), 1.0 / 3.0)
    half = size // 2
    r_x = 1.0 - np.abs(x - half) / half
    if move_cost == "openspiel":
        abar = first_visit_moves(
            range(S), horizon, A, lambda s, a: int((s + moves[a]) % S),
            lambda y: [int((y + m) % S) for m in moves], 1, S,
        )
        # the cost charged at (x, t) is that of the first visitor's last action, whatever a is
        state_cost = -np.abs(moves[abar]) / size  # (H+1, S)
        step_cost = np.zeros((horizon, S, A))
    else:
        state_cost = np.zeros((horizon + 1, S))
        step_cost = np.zeros((horizon, S, A))
        step_cost[: horizon - 1] = -np.abs(moves) / size  # paid at t + 1 < H: the last move is free
    base = r_x[None, :, None] + state_cost[:horizon, :, None] + step_cost  # (H, S, A)

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        return base[t] - np.log(mu[0] + OPENSPIEL_LOG_EPS)[:, None]

    return MeanFieldGame(
        S, A, reward=reward, transition=(targets[None], probs[None]), horizon=horizon,
        action_labels=("left", "stay", "right"), title="crowd modelling (OpenSpiel)", state_shape=(S,),
    )
