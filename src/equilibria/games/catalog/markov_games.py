"""Markov games: Littman's grid soccer, a pursuit-evasion grid, a trust gridworld, random games.

Grid games enumerate their (small) state spaces once when built; the arrays are then the game.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import product
from typing import Any

import numpy as np

from ..._checks import check_bool, check_int, check_probability, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..markov import MarkovGame
from ._limits import call, check_bytes, log_size_ok, payoff

#: compass moves (row, column) shared by the grid games
MOVES = {"N": (-1, 0), "S": (1, 0), "E": (0, 1), "W": (0, -1), "stand": (0, 0)}


def _discount(discount: Any) -> float:
    # γ = 1 needs a horizon, which `MarkovGame` asks for with its own message
    return check_real("discount", discount, minimum=0.0, maximum=1.0)


def _check_markov(what: str, states: int, joint_actions: int, players: int) -> None:
    """Rewards (S, n, joint) and dense transitions (S, joint, S) in floats, a few copies each
    (the builders' arrays, the game's, value iteration's): 8 bytes x 3."""
    check_bytes(what, 24 * states * joint_actions * (states + players))


def _absorbing_arrays(states: list, actions: int) -> tuple[dict, int, np.ndarray, np.ndarray]:
    """Two-player arrays over ``states`` plus one absorbing end state (the last index): the
    states' index, that end state, zero rewards (S, 2, a, a) and zero transitions (S, a, a, S)."""
    index = {s: k for k, s in enumerate(states)}
    S = len(states) + 1
    return index, S - 1, np.zeros((S, 2, actions, actions)), np.zeros((S, actions, actions, S))


def _episodic_game(
    R: np.ndarray,
    P: np.ndarray,
    *,
    discount: float,
    initial: np.ndarray,
    labels: list[str],
    actions: list[str],
    title: str,
    terminal: tuple[int, ...] = (),
    player_labels: list[str] | None = None,
) -> MarkovGame:
    """The two-player game on (R, P) whose last state (the absorbing end) and ``terminal`` states
    end the episode; both players have ``actions``."""
    term = np.zeros(P.shape[-1], dtype=bool)
    term[-1] = True
    term[list(terminal)] = True
    return MarkovGame(
        R,
        P,
        discount=discount,
        initial=initial,
        terminal=term,
        state_labels=labels,
        action_labels=[actions, actions],
        player_labels=player_labels,
        title=title,
    )


@lru_cache(maxsize=8)
def _soccer_arrays(rows: int, cols: int) -> tuple:
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    states = [(a, b, ball) for a in cells for b in cells if a != b for ball in (0, 1)]
    index, end, R, P = _absorbing_arrays(states, 5)  # end: the absorbing "goal scored" state
    moves = list(MOVES.values())
    goal_rows = {rows // 2 - 1, rows // 2} if rows % 2 == 0 else {rows // 2}

    for (pa, pb, ball), (ia, ib) in product(states, product(range(5), range(5))):
        s = index[(pa, pb, ball)]
        for first in (0, 1):  # moves are executed in a random order (Littman 1994)
            pos, has, scored = [pa, pb], ball, 0.0
            for who in (first, 1 - first):
                if scored:
                    break
                dr, dc = moves[(ia, ib)[who]]
                r, c = pos[who][0] + dr, pos[who][1] + dc
                if has == who and r in goal_rows and (c == -1 or c == cols):
                    # the ball crosses a goal line: the left goal counts for A, the right for B
                    scored = 1.0 if c == -1 else -1.0
                    break
                if not (0 <= r < rows and 0 <= c < cols):
                    continue
                if (r, c) == pos[1 - who]:
                    has = 1 - who  # bumping: the stationary player gets the ball, nobody moves
                    continue
                pos[who] = (r, c)
            if scored:
                R[s, 0, ia, ib] += 0.5 * scored
                R[s, 1, ia, ib] -= 0.5 * scored
                P[s, ia, ib, end] += 0.5
            else:
                P[s, ia, ib, index[(pos[0], pos[1], has)]] += 0.5
    labels = [f"A{a}B{b}{'A' if ball == 0 else 'B'}" for a, b, ball in states] + ["goal"]
    return R, P, labels, index, end


@register_game("grid_soccer", family="markov")
def grid_soccer(rows: int = 4, cols: int = 5, discount: float = 0.9) -> MarkovGame:
    """Littman's grid soccer: two players on a 4×5 pitch, zero-sum, +1 to whoever scores.

    Littman, "Markov games as a framework for multi-agent reinforcement learning", ICML 1994. Each
    player moves N/S/E/W or stands; moves are executed in a random order; a player moving into
    the other's square loses the ball to it and does not move; carrying the ball across the left
    goal line (the middle rows) scores +1 for A, across the right one −1 (for B). A goal ends the
    episode. Play starts with A at (2, 3) and B at (1, 1) (0-based row, column), the ball with
    either player with probability 1/2: a position symmetric under the half-turn that swaps A and
    B, so the game's value there is 0.
    """
    rows = check_int("rows", rows, minimum=2)
    cols = check_int("cols", cols, minimum=2)
    discount = _discount(discount)
    cells = rows * cols
    _check_markov(call("grid_soccer", rows=rows, cols=cols), 2 * cells * (cells - 1) + 1, 25, 2)
    R, P, labels, index, end = _soccer_arrays(rows, cols)
    mu0 = np.zeros(len(labels))
    a0, b0 = (min(2, rows - 1), min(3, cols - 1)), (rows - 1 - min(2, rows - 1), cols - 1 - min(3, cols - 1))
    if a0 == b0:
        b0 = (0, 0) if a0 != (0, 0) else (rows - 1, cols - 1)
    mu0[index[(a0, b0, 0)]] = mu0[index[(a0, b0, 1)]] = 0.5
    return _episodic_game(
        R, P, discount=discount, initial=mu0, labels=labels, actions=list(MOVES), title="grid soccer",
        player_labels=["A", "B"],
    )


@register_game("pursuit_evasion", family="markov")
def pursuit_evasion(
    size: int = 4, discount: float = 0.9, slip: float = 0.0, capture_radius: int = 1
) -> MarkovGame:
    """A pursuer chases an evader on a ``size``×``size`` grid (no wrap-around); zero-sum.

    Both move simultaneously (N/S/E/W/stand); with probability ``slip`` a player's move fails and
    it stands. Capture (Manhattan distance at most ``capture_radius`` after the move, or swapping
    cells; with radius 0 a 4-connected evader can always escape) pays +1 to the pursuer and −1
    to the evader and ends the game; discounting makes the pursuer want to capture early. A classic
    stochastic pursuit-evasion game in the sense of Littman (1994) and Hespanha, Prandini & Sastry
    ("Probabilistic pursuit-evasion games", CDC 2000). Starts in opposite corners.
    """
    size = check_int("size", size, minimum=2)
    capture_radius = check_int("capture_radius", capture_radius, minimum=0)
    slip = check_probability("slip", slip, open_high=True)
    discount = _discount(discount)
    _check_markov(call("pursuit_evasion", size=size), size**4 + 1, 25, 2)
    if capture_radius >= 2 * (size - 1):
        raise InvalidParameterError(
            f"capture_radius {capture_radius} on a {size}x{size} grid captures from the start; "
            f"use a radius below {2 * (size - 1)}"
        )
    cells = [(r, c) for r in range(size) for c in range(size)]

    def dist(p: tuple[int, int], e: tuple[int, int]) -> int:
        return abs(p[0] - e[0]) + abs(p[1] - e[1])

    states = [(p, e) for p in cells for e in cells if dist(p, e) > capture_radius]
    index, end, R, P = _absorbing_arrays(states, 5)
    moves = list(MOVES.values())

    def move(cell: tuple[int, int], k: int) -> tuple[int, int]:
        r, c = cell[0] + moves[k][0], cell[1] + moves[k][1]
        return (r, c) if 0 <= r < size and 0 <= c < size else cell

    for (p, e), (ip, ie) in product(states, product(range(5), range(5))):
        s = index[(p, e)]
        for okp, oke in product((True, False), (True, False)):
            w = (1 - slip if okp else slip) * (1 - slip if oke else slip)
            if w == 0:
                continue
            p2 = move(p, ip) if okp else p
            e2 = move(e, ie) if oke else e
            if dist(p2, e2) <= capture_radius or (p2 == e and e2 == p):
                R[s, 0, ip, ie] += w
                R[s, 1, ip, ie] -= w
                P[s, ip, ie, end] += w
            else:
                P[s, ip, ie, index[(p2, e2)]] += w
    mu0 = np.zeros(end + 1)
    mu0[index[((0, 0), (size - 1, size - 1))]] = 1.0
    labels = [f"P{p}E{e}" for p, e in states] + ["caught"]
    return _episodic_game(
        R, P, discount=discount, initial=mu0, labels=labels, actions=list(MOVES), title="pursuit-evasion",
        player_labels=["pursuer", "evader"],
    )


@register_game("trust_gridworld", family="markov")
def trust_gridworld(
    length: int = 3,
    stag: float = 4.0,
    hare: float = 1.0,
    exposure: float = 2.0,
    step_cost: float = 0.05,
    discount: float = 0.95,
) -> MarkovGame:
    """A general-sum gridworld where cooperation pays but is risky (a Markov stag hunt).

    Each of two players walks its own corridor of ``length`` cells towards a shared gate. Actions:
    ``advance``, ``back`` and ``defect`` (take the safe reward). Reaching the gate together pays
    both ``stag``; defecting ends the game, paying the defector ``hare`` and costing a player who
    did not defect ``exposure × (its position / length)``: the further it trusted, the more it
    loses. Every step costs ``step_cost``. Both "defect at once" (risk dominant) and "both advance"
    (payoff dominant) are equilibria, the situation studied by Skyrms (*The Stag Hunt and the
    Evolution of Social Structure*, 2004) and used for trust in multi-agent learning (e.g.
    Peysakhovich & Lerer, "Prosocial learning agents solve generalized stag hunts better than
    selfish ones", AAMAS 2018).
    """
    length = check_int("length", length, minimum=1)
    stag, hare = payoff("stag", stag), payoff("hare", hare)
    exposure, step_cost = payoff("exposure", exposure), payoff("step_cost", step_cost)
    discount = _discount(discount)
    _check_markov(call("trust_gridworld", length=length), (length + 1) ** 2 + 1, 9, 2)
    L = length
    states = list(product(range(L + 1), range(L + 1)))
    index, end, R, P = _absorbing_arrays(states, 3)
    for (x, y), (a, b) in product(states, product(range(3), range(3))):
        s = index[(x, y)]
        if x == L and y == L:
            continue  # reached together: handled as terminal below
        pos = [x, y]
        acts = (a, b)
        rew = np.full(2, -step_cost)
        if 2 in acts:
            for i in range(2):
                rew[i] += hare if acts[i] == 2 else -exposure * pos[i] / L
            R[s, :, a, b] = rew
            P[s, a, b, end] = 1.0
            continue
        new = [min(L, p + 1) if act == 0 else max(0, p - 1) for p, act in zip(pos, acts, strict=True)]
        if new == [L, L]:
            R[s, :, a, b] = rew + stag
            P[s, a, b, end] = 1.0
        else:
            R[s, :, a, b] = rew
            P[s, a, b, index[tuple(new)]] = 1.0
    mu0 = np.zeros(end + 1)
    mu0[index[(0, 0)]] = 1.0
    labels = [f"{x},{y}" for x, y in states] + ["end"]
    return _episodic_game(
        R, P, discount=discount, initial=mu0, labels=labels, actions=["advance", "back", "defect"],
        title="trust gridworld", terminal=(index[(L, L)],),
    )


@register_game("random_markov_game", family="markov")
def random_markov_game(
    num_states: int = 5,
    num_actions: int = 3,
    players: int = 2,
    discount: float = 0.9,
    zero_sum: bool = False,
    seed: int = 0,
) -> MarkovGame:
    """A random Markov game: uniform rewards in [−1, 1] and Dirichlet(1) transitions, from ``seed``."""
    num_states = check_int("num_states", num_states, minimum=1)
    num_actions = check_int("num_actions", num_actions, minimum=1)
    players = check_int("players", players, minimum=1)
    discount = _discount(discount)
    zero_sum = check_bool("zero_sum", zero_sum)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    if zero_sum and players != 2:
        raise InvalidParameterError("zero_sum random Markov games have 2 players")
    what = call("random_markov_game", num_states=num_states, num_actions=num_actions, players=players)
    log_size_ok(players * math.log2(max(num_actions, 2)) + math.log2(num_states), what, 8)
    _check_markov(what, num_states, num_actions**players, players)
    rng = np.random.default_rng(seed)
    A = (num_actions,) * players
    R = rng.uniform(-1, 1, size=(num_states, players, *A))
    if zero_sum:
        R[:, 1] = -R[:, 0]
    P = rng.dirichlet(np.ones(num_states), size=(num_states, *A))
    return MarkovGame(R, P, discount=discount, title=f"random Markov game (seed {seed})")
