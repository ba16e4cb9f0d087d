"""Mean-field games from OpenSpiel's ``mfg`` module and from MFGLib, at their default parameters.

OpenSpiel (Lanctot et al., "OpenSpiel: A Framework for Reinforcement Learning in Games", 2019;
games of Perrin et al., NeurIPS 2020; Laurière et al., ICML 2022):

- ``crowd_modelling``: a ring of ``size`` cells, moves left/stay/right plus a uniform random step;
  reward ``1 − |x − size/2|/(size/2) − |move|/size − log μ(x)`` (Perrin et al., "Fictitious Play
  for Mean Field Games: Continuous Time Analysis and Applications", NeurIPS 2020, §4.2).
- ``crowd_modelling_2d``: the same on a torus, with walls, positional rewards and congestion.
- ``predator_prey``: three (or four) populations chasing each other on a grid.
- ``crowd_avoidance``: two populations crossing a walled grid to their targets.
- ``periodic_aversion``: a discretised circle with a periodic potential and Gaussian noise.
- ``linear_quadratic``: OpenSpiel's ``mean_field_lin_quad`` on a ring.
- ``garnet``: a random MFG; our draws come from NumPy (OpenSpiel's from absl), `garnet_from` takes
  given arrays (the test reads OpenSpiel's and matches its exploitabilities).
- ``dynamic_routing``: in `equilibria.games.catalog.mean_field_routing` (travel times depend on μ;
  `equilibria.io.openspiel_mfg` does not model it). The bridge loads any other OpenSpiel MFG with the
  same exploitabilities.

MFGLib (Guo et al., "MFGLib: A Library for Mean-Field Games", 2023): ``mfglib:rock_paper_scissors``,
``mfglib:susceptible_infected``, ``mfglib:left_right``, ``mfglib:beach_bar``,
``mfglib:building_evacuation``, ``mfglib:conservative_treasure_hunting``, ``mfglib:linear_quadratic``,
``mfglib:random_linear``, with MFGLib's default parameters.

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
from typing import Any

import numpy as np

from ..._checks import check_bool, check_choice, check_int, check_probability, check_real
from ...errors import InvalidParameterError
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
    legal: Callable[[int], Sequence[int]] | None = None,
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
        for a in (range(num_actions) if legal is None else legal(x)):
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

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # every step at once: (1, H, S, A)
        return (base - np.log(mu[0, :horizon] + OPENSPIEL_LOG_EPS)[:, :, None])[None]

    return _ring_game(S, ("left", "stay", "right"), targets, probs, horizon, "crowd modelling",
                      reward, reward_flow)


def _openspiel_flow(mu: np.ndarray, horizon: int, uniform: np.ndarray) -> np.ndarray:
    """``μ_t`` of the one population for t < H as OpenSpiel's rewards read it: uniform at t = 0."""
    m = mu[0, :horizon].copy()
    m[0] = uniform
    return m


def _ring_game(size: int, action_labels: Any, targets: np.ndarray, probs: np.ndarray, horizon: int,
               title: str, reward: Callable[[int, np.ndarray], Any],
               reward_flow: Callable[[np.ndarray], Any] | None = None) -> MeanFieldGame:
    """One of OpenSpiel's single-population games on a ring of ``size`` cells: the fixed sparse
    kernel ``(targets, probs)`` of shape ``(S, A, B)``, one action label per move."""
    return MeanFieldGame(
        size, len(action_labels), reward=reward, reward_flow=reward_flow,
        transition=(targets[None], probs[None]), horizon=horizon, action_labels=action_labels,
        state_shape=(size,), title=f"{title} (OpenSpiel)",
    )


# ---- MFGLib's games --------------------------------------------------------------------------------
# MFGLib counts T transitions and decides at t = 0..T: our horizon is T + 1 and the last step's
# transition (never used by MFGLib) keeps every agent in place. Its kernels are p[s', s, a], ours
# p[s, a, s']; its rewards see the state-action mean field L_t, ours too where they use more than μ_t.


def _stay(S: int, A: int) -> tuple[np.ndarray, np.ndarray]:
    targets = np.broadcast_to(np.arange(S)[:, None, None], (S, A, 1)).copy()
    return targets[None], np.ones((1, S, A, 1))


def _mfglib_game(
    S: int, A: int, T: int, reward: Callable, transition: Callable, initial: np.ndarray, title: str,
    action_dependent: bool = False, **kwargs: Any,
) -> MeanFieldGame:
    stay = _stay(S, A)

    def kernel(t: int, m: np.ndarray) -> Any:
        return stay if t >= T else transition(t, m)

    return MeanFieldGame(
        S, A, reward=reward, transition=kernel, initial=initial, horizon=T + 1,
        action_dependent=action_dependent, title=f"{title} (MFGLib)", **kwargs,
    )


def _fixed(kernel: Any) -> Callable[[int, np.ndarray], Any]:
    """A transition callable that hands back the same arrays every time (checked once per step)."""
    return lambda t, m: kernel


def _distribution(name: str, value: Any, size: int) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a list of {size} probabilities") from None
    if arr.shape != (size,):
        raise InvalidParameterError(f"{name} must be a list of {size} probabilities, got {arr.shape[0]}")
    return arr  # MeanFieldGame checks that it is a distribution, naming the state


@register_game("mfglib:rock_paper_scissors", family="mean_field")
def mfglib_rock_paper_scissors(T: int = 1, mu0: Any = (1.0, 0.0, 0.0, 0.0)) -> MeanFieldGame:
    """MFGLib's generalised rock-paper-scissors (Shapley 1964; Cui & Koeppl, AISTATS 2021)."""
    T = check_int("T", T, minimum=1, maximum=10**5)
    P = np.zeros((4, 3, 4))
    P[:, np.arange(3), 1 + np.arange(3)] = 1.0

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        m = mu[0]
        r = np.array([0.0, 2 * m[3] - m[2], 4 * m[1] - 2 * m[3], 6 * m[2] - 3 * m[1]])
        return np.broadcast_to(r[:, None], (4, 3))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, T+1, 4, 3)
        m = mu[0, : T + 1]
        r = np.stack([np.zeros(T + 1), 2 * m[:, 3] - m[:, 2], 4 * m[:, 1] - 2 * m[:, 3],
                      6 * m[:, 2] - 3 * m[:, 1]], axis=-1)
        return np.broadcast_to(r[None, :, :, None], (1, T + 1, 4, 3))

    return _mfglib_game(4, 3, T, reward, lambda t, m: P, _distribution("mu0", mu0, 4), "rock-paper-scissors",
                        state_labels=("start", "rock", "paper", "scissors"),
                        action_labels=("rock", "paper", "scissors"), reward_flow=reward_flow)


@register_game("mfglib:susceptible_infected", family="mean_field")
def mfglib_susceptible_infected(T: int = 50, mu0: Any = (0.4, 0.6)) -> MeanFieldGame:
    """MFGLib's susceptible-infected epidemic: distance (D) or go out (U) (Cui & Koeppl, AISTATS 2021)."""
    T = check_int("T", T, minimum=1, maximum=10**5)
    R = np.array([[0.0, -0.5], [-1.0, -1.5]])

    def transition(t: int, mu: np.ndarray) -> np.ndarray:
        infect = 0.9**2 * mu[0, 1]
        P = np.zeros((2, 2, 2))
        P[0, 0] = [1.0 - infect, infect]
        P[0, 1] = [1.0, 0.0]
        P[1, :] = [0.3, 0.7]
        return P

    flow = np.broadcast_to(R, (1, T + 1, 2, 2))
    return _mfglib_game(2, 2, T, lambda t, m: R, transition, _distribution("mu0", mu0, 2),
                        "susceptible-infected", state_labels=("susceptible", "infected"),
                        action_labels=("out", "distance"), reward_flow=lambda mu: flow)


@register_game("mfglib:left_right", family="mean_field")
def mfglib_left_right(mu0: Any = (1.0, 0.0, 0.0)) -> MeanFieldGame:
    """MFGLib's left-right crowd choice (Cui & Koeppl, AISTATS 2021)."""
    P = np.zeros((3, 2, 3))
    P[:, np.arange(2), 1 + np.arange(2)] = 1.0

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        r = np.array([0.0, -mu[0, 1], -2 * mu[0, 2]])
        return np.broadcast_to(r[:, None], (3, 2))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, 2, 3, 2)
        m = mu[0, :2]
        r = np.stack([np.zeros(2), -m[:, 1], -2 * m[:, 2]], axis=-1)
        return np.broadcast_to(r[None, :, :, None], (1, 2, 3, 2))

    return _mfglib_game(3, 2, 1, reward, lambda t, m: P, _distribution("mu0", mu0, 3), "left-right",
                        state_labels=("start", "left", "right"), action_labels=("left", "right"),
                        reward_flow=reward_flow)


@register_game("mfglib:beach_bar", family="mean_field")
def mfglib_beach_bar(T: int = 2, n: int = 4, bar_loc: int = 2, log_eps: float = 1e-20,
                     p_still: float = 0.5) -> MeanFieldGame:
    """MFGLib's beach bar on a line (Perrin et al., NeurIPS 2020)."""
    T = check_int("T", T, minimum=1, maximum=10**5)
    n = check_int("n", n, minimum=1, maximum=10**5)
    bar_loc = check_int("bar_loc", bar_loc, minimum=0, maximum=n - 1)
    log_eps = check_real("log_eps", log_eps, minimum=0.0, maximum=1.0)
    p_still = check_probability("p_still", p_still)
    check_bytes(call("mfglib:beach_bar", n=n, T=T), 8 * 16 * n * 3 * (T + 1))
    s = np.arange(n)
    moves = np.array([-1, 0, 1])
    targets = np.clip(s[:, None, None] + moves[None, :, None] + moves[None, None, :], 0, n - 1)
    probs = np.broadcast_to(np.array([(1 - p_still) / 2, p_still, (1 - p_still) / 2]), (n, 3, 3))
    c1 = -np.minimum(np.roll(s, bar_loc), np.roll(s[::-1], bar_loc + 1)).astype(float)
    base = c1[:, None] - np.array([1.0, 0.0, 1.0])[None, :] / n

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        return base - np.log(mu[0] + log_eps)[:, None]

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, T+1, n, 3)
        return (base - np.log(mu[0, : T + 1] + log_eps)[:, :, None])[None]

    return _mfglib_game(n, 3, T, reward, _fixed((targets[None], probs[None])), np.full(n, 1.0 / n),
                        "beach bar", action_labels=("left", "stay", "right"), state_shape=(n,),
                        reward_flow=reward_flow)


@register_game("mfglib:building_evacuation", family="mean_field")
def mfglib_building_evacuation(T: int = 3, n_floor: int = 5, floor_l: int = 10, floor_w: int = 10,
                               log_eps: float = 1e-20, eta: float = 1.0,
                               evac_r: float = 10.0) -> MeanFieldGame:
    """MFGLib's multi-floor building evacuation (Perolat et al., AAMAS 2022)."""
    T = check_int("T", T, minimum=1, maximum=10**5)
    n_floor = check_int("n_floor", n_floor, minimum=1, maximum=10**4)
    floor_l = check_int("floor_l", floor_l, minimum=1, maximum=10**4)
    floor_w = check_int("floor_w", floor_w, minimum=1, maximum=10**4)
    log_eps = check_real("log_eps", log_eps, strict_minimum=True, minimum=0.0, maximum=1.0)
    eta = check_real("eta", eta, minimum=-1e6, maximum=1e6)
    evac_r = check_real("evac_r", evac_r, minimum=-1e12, maximum=1e12)
    S = n_floor * floor_l * floor_w
    check_bytes(call("mfglib:building_evacuation", n_floor=n_floor, floor_l=floor_l, floor_w=floor_w),
                8 * 16 * S * 6 * (T + 1))
    f, l, w = np.unravel_index(np.arange(S), (n_floor, floor_l, floor_w))
    nxt = np.stack([
        np.stack([f, np.minimum(l + 1, floor_l - 1), w]),            # right
        np.stack([f, np.maximum(l - 1, 0), w]),                      # left
        np.stack([f, l, np.maximum(w - 1, 0)]),                      # up
        np.stack([f, l, np.minimum(w + 1, floor_w - 1)]),            # down
        np.stack([np.where((l == 0) & (w == 0), np.maximum(f - 1, 0), f), l, w]),  # downstairs
        np.stack([np.where((l == floor_l - 1) & (w == floor_w - 1), np.minimum(f + 1, n_floor - 1), f),
                  l, w]),                                            # upstairs
    ])  # (6, 3, S)
    targets = np.ravel_multi_index(tuple(nxt.transpose(1, 2, 0)), (n_floor, floor_l, floor_w))[..., None]
    probs = np.ones((S, 6, 1))
    bonus = np.where(f == 0, evac_r, 0.0)

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        return np.broadcast_to((-eta * np.log(np.maximum(mu[0], log_eps)) + bonus)[:, None], (S, 6))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, T+1, S, 6)
        r = -eta * np.log(np.maximum(mu[0, : T + 1], log_eps)) + bonus
        return np.broadcast_to(r[None, :, :, None], (1, T + 1, S, 6))

    return _mfglib_game(S, 6, T, reward, _fixed((targets[None], probs[None])), np.full(S, 1.0 / S),
                        "building evacuation",
                        action_labels=("right", "left", "up", "down", "downstairs", "upstairs"),
                        state_shape=(n_floor, floor_l, floor_w), reward_flow=reward_flow)


@register_game("mfglib:conservative_treasure_hunting", family="mean_field")
def mfglib_conservative_treasure_hunting(T: int = 5, n: int = 3, r: Any = (1.0, 1.0, 1.0),
                                         c: Any = (1.0, 1.0, 1.0, 1.0, 1.0)) -> MeanFieldGame:
    """MFGLib's conservative treasure hunting (Guo et al., "MF-OMO", NeurIPS 2022)."""
    T = check_int("T", T, minimum=1, maximum=10**5)
    n = check_int("n", n, minimum=1, maximum=10**3)
    r_arr = _distribution_free("r", r, n)
    c_arr = _distribution_free("c", c, T)
    eye = np.eye(n)

    def diffs(L: np.ndarray) -> np.ndarray:
        # ||L − e_s e_sᵀ||² for every s at once
        return np.sum(L * L) - 2.0 * np.diagonal(L) + 1.0

    def reward(t: int, L: np.ndarray) -> np.ndarray:
        if t == 0:
            return np.zeros((n, n))
        return np.diag(r_arr * (1.0 - diffs(L[0]) / 2.0))

    def transition(t: int, L: np.ndarray) -> np.ndarray:
        if t == 0:
            return np.broadcast_to(eye[None], (n, n, n))
        ct = c_arr[t - 1] * diffs(L[0])  # (n,)
        stay = (ct / (1.0 + n * ct))[:, None, None]
        return stay + eye[None] / (1.0 + n * ct)[:, None, None]

    return _mfglib_game(n, n, T, reward, transition, np.full(n, 1.0 / n), "conservative treasure hunting",
                        action_dependent=True)


@register_game("mfglib:linear_quadratic", family="mean_field")
def mfglib_linear_quadratic(T: int = 3, el: int = 5, m: int = 2, sigma: float = 3.0, delta: float = 0.1,
                            k: float = 1.0, q: float = 0.01, kappa: float = 0.5,
                            c_term: float = 1.0) -> MeanFieldGame:
    """MFGLib's discretised linear-quadratic game (Perrin et al., NeurIPS 2020; Carmona & Delarue 2018)."""
    T = check_int("T", T, minimum=1, maximum=10**5)
    el = check_int("el", el, minimum=0, maximum=10**5)
    m = check_int("m", m, minimum=0, maximum=10**5)
    sigma = check_real("sigma", sigma, minimum=0.0, maximum=1e6)
    delta = check_real("delta", delta, minimum=0.0, maximum=1e6)
    k = check_real("k", k, minimum=-1e6, maximum=1e6)
    q = check_real("q", q, minimum=-1e6, maximum=1e6)
    kappa = check_real("kappa", kappa, minimum=-1e6, maximum=1e6)
    c_term = check_real("c_term", c_term, minimum=-1e6, maximum=1e6)
    S, A = 2 * el + 1, 2 * m + 1
    check_bytes(call("mfglib:linear_quadratic", el=el, m=m, T=T), 8 * 24 * S * A * 7 * (T + 1))
    x = np.arange(-el, el + 1).astype(float)
    u = np.arange(-m, m + 1).astype(float)
    eps = np.arange(-3, 4) * sigma
    eps_pr = np.exp(-0.5 * eps**2) / np.sqrt(2 * np.pi)
    eps_pr = eps_pr / eps_pr.sum()
    probs = np.broadcast_to(eps_pr, (S, A, 7))

    def mean(mu: np.ndarray) -> float:
        return float(x @ mu[0])

    def transition(t: int, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        drift = x[:, None] + (k * (mean(mu) - x[:, None]) + u[None, :]) * delta  # (S, A)
        nxt = np.rint(drift[..., None] + sigma * eps[None, None, :] * np.sqrt(delta))
        targets = np.clip(nxt, -el, el).astype(np.intp) + el
        return targets[None], probs[None]

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        gap = mean(mu) - x[:, None]  # (S, 1)
        if t == T:
            return np.broadcast_to(-0.5 * c_term * gap**2, (S, A))
        return (-0.5 * u[None, :] ** 2 + q * u[None, :] * gap - 0.5 * kappa * gap**2) * delta

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, T+1, S, A)
        # Σ_x x μ_t(x) one step at a time, as `mean` (one matrix-vector product rounds differently)
        means = np.array([mean(mu[:, t]) for t in range(T + 1)])
        gap = means[:, None, None] - x[None, :, None]  # (T+1, S, 1)
        r = np.empty((T + 1, S, A))
        g = gap[:T]
        r[:T] = (-0.5 * u[None, None, :] ** 2 + q * u[None, None, :] * g - 0.5 * kappa * g**2) * delta
        r[T] = -0.5 * c_term * gap[T] ** 2
        return r[None]

    return _mfglib_game(S, A, T, reward, transition, np.full(S, 1.0 / S), "linear-quadratic",
                        state_labels=[str(int(v)) for v in x], action_labels=[str(int(v)) for v in u],
                        state_shape=(S,), reward_flow=reward_flow)


@register_game("mfglib:random_linear", family="mean_field")
def mfglib_random_linear(T: int = 3, n: int = 5, m: float = 10.0, seed: int = 0) -> MeanFieldGame:
    """MFGLib's random linear game: rewards and transition logits affine in L_t (Guo et al., MFGLib 2023).

    The coefficients are drawn uniformly from [−m, m] by NumPy's generator seeded with ``seed`` (MFGLib
    draws them with PyTorch's, so equal seeds give different coefficients; the model is the same).
    """
    T = check_int("T", T, minimum=1, maximum=10**5)
    n = check_int("n", n, minimum=1, maximum=300)
    m = check_real("m", m, minimum=0.0, maximum=1e6)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    rng = np.random.default_rng(seed)
    p1, p2 = (2 * m * rng.random((n, n, n)) - m for _ in range(2))  # MFGLib's layout [s', s, ·]
    r1, r2 = (2 * m * rng.random((n, n)) - m for _ in range(2))
    return mfglib_random_linear_from(T, p1, p2, r1, r2)


def mfglib_random_linear_from(T: int, p1: np.ndarray, p2: np.ndarray, r1: np.ndarray,
                              r2: np.ndarray) -> MeanFieldGame:
    """The random linear game with given coefficients (MFGLib's ``p1, p2`` [s', s, ·], ``r1, r2``)."""
    n = r1.shape[0]

    def reward(t: int, L: np.ndarray) -> np.ndarray:
        return r1 @ L[0] + r2

    def transition(t: int, L: np.ndarray) -> np.ndarray:
        logits = np.einsum("usj,ja->sau", p1, L[0]) + p2.transpose(1, 2, 0)  # (s, a, s')
        logits -= logits.max(-1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(-1, keepdims=True)

    return _mfglib_game(n, n, T, reward, transition, np.full(n, 1.0 / n), "random linear",
                        action_dependent=True)


def _distribution_free(name: str, value: Any, size: int) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a list of {size} numbers") from None
    if arr.shape != (size,) or not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be a list of {size} finite numbers")
    return arr


# ---- OpenSpiel: predator-prey ------------------------------------------------------------------------

#: OpenSpiel's predator-prey moves (on [x, y]): stay, +x, +y, −y, −x
_PP_MOVES = np.array([[0, 0], [1, 0], [0, 1], [0, -1], [-1, 0]])


def _grid_targets(size: int, moves: np.ndarray, torus: bool) -> np.ndarray:
    """``nxt[s, m]``: the cell (s = x·size + y) after move m, clipped to the square or wrapped."""
    x, y = np.divmod(np.arange(size * size), size)
    nx, ny = x[:, None] + moves[None, :, 0], y[:, None] + moves[None, :, 1]
    if torus:
        nx, ny = nx % size, ny % size
    else:
        nx, ny = np.clip(nx, 0, size - 1), np.clip(ny, 0, size - 1)
    return nx * size + ny


def _float_list(name: str, value: Any, size: int) -> np.ndarray:
    if isinstance(value, str):
        value = value.split()
    return _distribution_free(name, value, size)


@register_game("predator_prey", family="mean_field")
def predator_prey(
    size: int = 5,
    horizon: int = 10,
    players: int = 3,
    reward_matrix: Any = None,
    init_distrib: Any = None,
    noise_probability: float = 0.8,
    congestion_coeff: float = 1.0,
    geometry: str = "square",
) -> MeanFieldGame:
    """OpenSpiel's multi-population predator-prey on a grid (Perolat et al., "Scaling up Mean Field
    Games with Online Mirror Descent", AAMAS 2022, §5.4).

    Population k at cell x earns ``−c log ρ_k(x) + Σ_j M[k, j] ρ_j(x)``. At t = 0 OpenSpiel's
    decision nodes read the initial distribution in the layout of the distribution support (cell
    ``(x, y)`` of population j at ``j + P (y + size·x)``) although it is given population-major
    (``j·size² + x + y·size``); we reproduce that, as OpenSpiel's evaluators see it.
    """
    size = check_int("size", size, minimum=1, maximum=2000)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    players = check_int("players", players, minimum=1, maximum=64)
    noise = check_probability("noise_probability", noise_probability)
    coeff = check_real("congestion_coeff", congestion_coeff, minimum=-1e6, maximum=1e6)
    geometry = check_choice("geometry", geometry, ("square", "torus"))
    N = size * size
    what = call("predator_prey", size=size, horizon=horizon, players=players)
    _check_grid(what, players * N, 5, horizon, 5)
    if reward_matrix is None:
        defaults = {3: [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
                    4: [[0, 1, 0, -1], [-1, 0, 1, 0], [0, -1, 0, 1], [1, 0, -1, 0]]}
        if players not in defaults:
            raise InvalidParameterError(f"give reward_matrix ({players}x{players}) for {players} populations")
        reward_matrix = defaults[players]
    M = _float_list("reward_matrix", np.ravel(np.array(reward_matrix, dtype=object)).tolist()
                    if not isinstance(reward_matrix, str) else reward_matrix, players * players)
    M = M.reshape(players, players)
    if init_distrib is None:
        if size == 5 and players in (3, 4):
            flat = _predator_prey_default_init(players)
        else:
            flat = np.full(players * N, 1.0 / N)
    else:
        flat = _float_list("init_distrib", init_distrib, players * N)
    # population-major, cell index merged = x + y·size
    merged = np.arange(N)
    x, y = merged % size, merged // size
    ours = x * size + y
    initial = np.zeros((players, N))
    initial[:, ours] = flat.reshape(players, N)
    # what decision nodes at t = 0 read: flat[j + P·(y + size·x)] for our cell s = x·size + y
    xs, ys = np.divmod(np.arange(N), size)
    t0_density = flat[np.arange(players)[:, None] + players * (ys + size * xs)[None, :]]
    nxt = _grid_targets(size, _PP_MOVES, geometry == "torus")  # (N, 5)
    targets = nxt[nxt]  # after the move a, then the noise move c: (N, A, C)
    probs = np.broadcast_to(np.array([1.0 - noise] + [noise / 4.0] * 4), (N, 5, 5))
    eps = 1e-25

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        dens = t0_density if t == 0 else mu
        r = -coeff * np.log(dens + eps) + M @ dens  # (K, N)
        return np.broadcast_to(r[:, :, None], (players, N, 5))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (K, H, N, 5)
        dens = mu[:, :horizon].copy()
        dens[:, 0] = t0_density
        r = -coeff * np.log(dens + eps) + np.matmul(M, dens.transpose(1, 0, 2)).transpose(1, 0, 2)
        return np.broadcast_to(r[:, :, :, None], (players, horizon, N, 5))

    return MeanFieldGame(
        N, 5, reward=reward, reward_flow=reward_flow,
        transition=(np.broadcast_to(targets, (players, N, 5, 5)), np.broadcast_to(probs, (players, N, 5, 5))),
        initial=initial, horizon=horizon, num_populations=players,
        action_labels=("stay", "+x", "+y", "-y", "-x"),
        state_labels=[f"({a}, {b})" for a, b in zip(xs, ys, strict=True)],
        state_shape=(size, size), title="predator-prey (OpenSpiel)",
    )


def _predator_prey_default_init(players: int) -> np.ndarray:
    """OpenSpiel's default initial distributions (size 5): each population in one corner."""
    rows = np.zeros((players, 5, 5))
    corners = {3: [(0, 0, 0), (1, 0, 4), (2, 4, 0)], 4: [(0, 0, 0), (1, 4, 0), (2, 4, 4), (3, 0, 4)]}
    for j, r, c in corners[players]:
        rows[j, r, c] = 1.0
    return rows.reshape(-1)


# ---- OpenSpiel: crowd modelling 2-D ------------------------------------------------------------------

#: OpenSpiel's 2-D moves (x, y) for actions 0..4 (the neutral action is 2)
_CM2D_MOVES = np.array([[0, -1], [-1, 0], [0, 0], [1, 0], [0, 1]])


def _pairs(name: str, value: Any, size: int) -> list[tuple[int, int]]:
    """OpenSpiel's ``"[x|y;x|y]"`` strings, or a list of pairs."""
    if isinstance(value, str):
        body = value.strip()
        if not (body.startswith("[") and body.endswith("]")):
            raise InvalidParameterError(f"{name} must look like '[0|0;0|1]', got {value!r}")
        body = body[1:-1].strip()
        items = [tuple(p.split("|")) for p in body.split(";")] if body else []
    elif value is None:
        items = []
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InvalidParameterError(
            f"{name} must be a list of (x, y) pairs or a '[x|y;x|y]' string, got {value!r}"
        )
    out = []
    for item in items:
        if isinstance(item, (str, bytes)) or not isinstance(item, (list, tuple)) or len(item) != 2:
            raise InvalidParameterError(f"{name}: {item!r} is not an x|y pair")
        x, y = (check_int(name, int(v) if isinstance(v, str) and v.strip().lstrip("-").isdigit() else v,
                          minimum=0, maximum=size - 1) for v in item)
        out.append((x, y))
    return out


def _floats(name: str, value: Any) -> np.ndarray:
    """OpenSpiel's ``"[0.5;0.5]"`` strings, or a list; read as C floats (float32), as OpenSpiel does."""
    if isinstance(value, str):
        body = value.strip()
        if not (body.startswith("[") and body.endswith("]")):
            raise InvalidParameterError(f"{name} must look like '[0.5;0.5]', got {value!r}")
        body = body[1:-1].strip()
        value = body.split(";") if body else []
    try:
        arr = np.array([float(v) for v in value], dtype=np.float32).astype(float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a list of numbers") from None
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be finite")
    return arr


@register_game("crowd_modelling_2d", family="mean_field")
def crowd_modelling_2d(
    size: int = 10,
    horizon: int = 10,
    only_distribution_reward: bool = False,
    forbidden_states: Any = "[]",
    initial_distribution: Any = "[]",
    initial_distribution_value: Any = "[]",
    positional_reward: Any = "[]",
    positional_reward_value: Any = "[]",
    with_congestion: bool = False,
    noise_intensity: float = 1.0,
    crowd_aversion_coef: float = 1.0,
    move_cost: str = "openspiel",
) -> MeanFieldGame:
    """OpenSpiel's 2-D crowd modelling on a torus with optional walls (Laurière et al., "Scalable Deep
    Reinforcement Learning Algorithms for Mean Field Games", ICML 2022).

    Reward at (x, y): ``−c log μ(x, y) + r_x + r_y − (|Δx| + |Δy|)/size`` (the move cost times μ with
    congestion), ``r_x = 1 − Σ 2 v_i |x − x_i| / size`` over the positional rewards (the centre by
    default). Parameters take OpenSpiel's string forms (``"[0|0;0|1]"``, ``"[0.5;0.5]"``) or lists,
    and, as OpenSpiel, the t = 0 rewards read the uniform distribution whatever μ_0 is. The move cost
    is OpenSpiel's evaluators' (``move_cost="openspiel"``, see the module docstring) or ``"exact"``.
    """
    size = check_int("size", size, minimum=1, maximum=2000)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    only_r = check_bool("only_distribution_reward", only_distribution_reward)
    congestion = check_bool("with_congestion", with_congestion)
    noise = check_real("noise_intensity", noise_intensity, minimum=0.0, maximum=1.0)
    coef = check_real("crowd_aversion_coef", crowd_aversion_coef, minimum=-1e6, maximum=1e6)
    move_cost = check_choice("move_cost", move_cost, ("openspiel", "exact"))
    if congestion and move_cost == "exact":
        raise InvalidParameterError(
            "with_congestion scales the move cost by the density of the next step's cell: "
            "only move_cost='openspiel' models it"
        )
    N = size * size
    _check_grid(call("crowd_modelling_2d", size=size, horizon=horizon), N, 5, horizon, 5)
    forbidden = _pairs("forbidden_states", forbidden_states, size)
    init_xy = _pairs("initial_distribution", initial_distribution, size)
    init_v = _floats("initial_distribution_value", initial_distribution_value)
    pos_xy = _pairs("positional_reward", positional_reward, size)
    pos_v = _floats("positional_reward_value", positional_reward_value)
    if len(init_xy) != len(init_v) or len(pos_xy) != len(pos_v):
        raise InvalidParameterError("each initial / positional cell needs one value")
    if not pos_xy:
        pos_xy, pos_v = [(size // 2, size // 2)], np.ones(1)
    if set(forbidden) & set(init_xy):  # OpenSpiel's check, on the untransposed pairs
        raise InvalidParameterError("the initial distribution may not put mass on a forbidden state")
    # our state s = x·size + y: OpenSpiel's distribution-support order
    xs, ys = np.divmod(np.arange(N), size)
    blocked = np.zeros(N, dtype=bool)
    for x, y in forbidden:
        blocked[x * size + y] = True
    nx = (xs[:, None] + _CM2D_MOVES[None, :, 0]) % size
    ny = (ys[:, None] + _CM2D_MOVES[None, :, 1]) % size
    nxt = nx * size + ny  # (N, 5)
    legal = ~blocked[nxt]  # moves into a wall are illegal (and never drawn as noise)
    # the noise is drawn at the cell reached, over the moves legal there
    n_legal = legal.sum(1)
    prob = np.where(n_legal > 0, noise / np.maximum(n_legal, 1), 0.0)
    noise_p = np.where(legal, prob[:, None], 0.0)
    noise_p[:, 2] += 1.0 - noise
    after = nxt  # a legal move always lands on an open cell
    targets = np.where(legal[after], nxt[after], after[..., None])  # (N, A, C)
    probs = noise_p[after]
    # walls have no legal move in OpenSpiel when boxed in; let them keep every move (they carry no mass)
    legal_actions = np.where(legal.any(1)[:, None], legal, True)
    if init_xy:
        # OpenSpiel numbers the pair (a, b) k = b + a·size and starts the agent at (x, y) =
        # (k % size, k / size) = (b, a): the initial cells are transposed; outcomes sorted by k
        initial = np.zeros(N)
        for (a, b), v in zip(init_xy, init_v, strict=True):
            initial[b * size + a] += v
        order = [(k % size) * size + k // size for k in sorted({b + a * size for a, b in init_xy})]
    else:
        initial = np.full(N, 1.0 / N)
        # outcome i is the cell (x, y) = (i % size, i / size)
        order = [(i % size) * size + i // size for i in range(N)]
    r_pos = np.ones(N) * 2.0
    for (px, py), v in zip(pos_xy, pos_v, strict=True):
        r_pos -= 2.0 * v / size * (np.abs(xs - px) + np.abs(ys - py))
    step = np.abs(_CM2D_MOVES).sum(1) / size  # |Δx| + |Δy| over size, per action
    if move_cost == "openspiel":
        abar = first_visit_moves(
            order, horizon, 5, lambda s, a: int(nxt[s, a]),
            lambda y: [int(nxt[y, c]) for c in range(5) if legal[y, c]], 2, N,
            legal=lambda s: [a for a in range(5) if legal_actions[s, a]],
        )
        state_cost = -step[abar]  # (H+1, N): the first visitor's move
    else:
        state_cost = np.zeros((horizon + 1, N))
    uniform = np.full(N, 1.0 / N)
    eps = float(np.float32(1e-25))

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        m = uniform if t == 0 else mu[0]
        r_mu = -coef * np.log(m + eps)
        if only_r:
            return np.broadcast_to(r_mu[:, None], (N, 5))
        if move_cost == "openspiel":
            cost = np.broadcast_to(state_cost[t][:, None], (N, 5))
        else:
            cost = np.broadcast_to(-step[None, :], (N, 5)) * (t < horizon - 1)
        if congestion:  # OpenSpiel scales the cost by the density of the cell where it is paid
            cost = cost * m[:, None]
        return (r_pos + r_mu)[:, None] + cost

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, H, N, 5)
        m = _openspiel_flow(mu, horizon, uniform)
        r_mu = -coef * np.log(m + eps)
        if only_r:
            return np.broadcast_to(r_mu[None, :, :, None], (1, horizon, N, 5))
        if move_cost == "openspiel":
            cost = np.broadcast_to(state_cost[:horizon, :, None], (horizon, N, 5))
        else:
            paid_now = (np.arange(horizon) < horizon - 1)[:, None, None]  # the last move is free
            cost = np.broadcast_to(-step[None, None, :], (horizon, N, 5)) * paid_now
        if congestion:
            cost = cost * m[:, :, None]
        return ((r_pos + r_mu)[:, :, None] + cost)[None]

    return MeanFieldGame(
        N, 5, reward=reward, reward_flow=reward_flow, transition=(targets[None], probs[None]),
        initial=initial, horizon=horizon,
        legal_actions=legal_actions, action_labels=("down", "left", "stay", "right", "up"),
        state_labels=[f"({a}, {b})" for a, b in zip(xs, ys, strict=True)], state_shape=(size, size),
        title="crowd modelling 2-D (OpenSpiel)",
    )


# ---- OpenSpiel: crowd avoidance ----------------------------------------------------------------------

_CA_WALLS = ["#######", "#  #  #", "#     #", "#  #  #", "#     #", "#  #  #", "#######"]
_CA_INIT = np.zeros((2, 7, 7))
_CA_INIT[0, 2, 1] = _CA_INIT[0, 2, 2] = 0.4
_CA_INIT[0, 4, 1] = 0.2
_CA_INIT[1, 2, 5] = 0.2
_CA_INIT[1, 4, 4] = _CA_INIT[1, 4, 5] = 0.4


@register_game("crowd_avoidance", family="mean_field")
def crowd_avoidance(
    size: int = 7,
    horizon: int = 10,
    players: int = 2,
    congestion_matrix: Any = "0 1 1 0",
    init_distrib: Any = None,
    proba_noise: float = 0.5,
    coef_congestion: float = 0.0,
    forbidden_states: Any = None,
    coef_target: float = 1.0,
    geometry: str = "square",
) -> MeanFieldGame:
    """OpenSpiel's two-population crowd avoidance in a walled grid (Laurière et al., ICML 2022).

    Population k at cell p earns ``−c Σ_j C[k, j] ρ_j(p)`` plus ``coef_target`` on its target cell
    ((5, 3) and (1, 3)). Moves into a wall leave the agent in place. As OpenSpiel, the t = 0 rewards
    read the initial distribution in the distribution-support layout (see `predator_prey`).
    """
    size = check_int("size", size, minimum=1, maximum=2000)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    players = check_int("players", players, minimum=2, maximum=64)
    noise = check_probability("proba_noise", proba_noise)
    coeff = check_real("coef_congestion", coef_congestion, minimum=-1e6, maximum=1e6)
    target_coef = check_real("coef_target", coef_target, minimum=-1e6, maximum=1e6)
    geometry = check_choice("geometry", geometry, ("square", "torus"))
    N = size * size
    what = call("crowd_avoidance", size=size, horizon=horizon, players=players)
    _check_grid(what, players * N, 5, horizon, 5)
    C = _float_list("congestion_matrix", congestion_matrix, players * players).reshape(players, players)
    if init_distrib is None:
        if size != 7 or players != 2:
            raise InvalidParameterError("give init_distrib for a size or population count other than 7 and 2")
        flat = _CA_INIT.reshape(-1)
    else:
        flat = _float_list("init_distrib", init_distrib, players * N)
    if forbidden_states is None:
        walls = [(x, y) for y, row in enumerate(_CA_WALLS) for x, c in enumerate(row) if c == "#"] \
            if size == 7 else []
    else:
        walls = _pairs("forbidden_states", forbidden_states, size)
    xs, ys = np.divmod(np.arange(N), size)
    blocked = np.zeros(N, dtype=bool)
    for x, y in walls:
        blocked[x * size + y] = True
    nx, ny = xs[:, None] + _PP_MOVES[None, :, 0], ys[:, None] + _PP_MOVES[None, :, 1]
    inside = (nx >= 0) & (nx < size) & (ny >= 0) & (ny < size)
    wall_hit = inside & blocked[np.clip(nx, 0, size - 1) * size + np.clip(ny, 0, size - 1)]
    if geometry == "torus":
        cand = (nx % size) * size + (ny % size)
    else:
        cand = np.clip(nx, 0, size - 1) * size + np.clip(ny, 0, size - 1)
    # OpenSpiel tests the wall before wrapping or clipping: a wall only blocks the cell it is on
    nxt = np.where(wall_hit, np.arange(N)[:, None], cand)
    targets = nxt[nxt]
    probs = np.broadcast_to(np.array([1.0 - noise] + [noise / 4.0] * 4), (N, 5, 5))
    # initial cells: population k % 2's grid, entry i = row·size + column is the cell (x, y) = (column, row)
    initial = np.zeros((players, N))
    grids = flat.reshape(players, N)
    for k in range(players):
        g = grids[k % 2]
        i = np.flatnonzero(g)
        initial[k, (i % size) * size + i // size] = g[i]
    t0_density = flat[np.arange(players)[:, None] + players * np.arange(N)[None, :]]
    bonus = np.zeros((players, N))
    for k, (tx, ty) in enumerate([(5, 3), (1, 3)][:players]):
        if tx < size and ty < size:
            bonus[k, tx * size + ty] = target_coef

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        dens = t0_density if t == 0 else mu
        r = -coeff * (C @ dens) + bonus
        return np.broadcast_to(r[:, :, None], (players, N, 5))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (K, H, N, 5)
        dens = mu[:, :horizon].copy()
        dens[:, 0] = t0_density
        r = -coeff * np.matmul(C, dens.transpose(1, 0, 2)).transpose(1, 0, 2) + bonus[:, None]
        return np.broadcast_to(r[:, :, :, None], (players, horizon, N, 5))

    return MeanFieldGame(
        N, 5, reward=reward, reward_flow=reward_flow,
        transition=(np.broadcast_to(targets, (players, N, 5, 5)), np.broadcast_to(probs, (players, N, 5, 5))),
        initial=initial, horizon=horizon, num_populations=players,
        action_labels=("stay", "+x", "+y", "-y", "-x"),
        state_labels=[f"({a}, {b})" for a, b in zip(xs, ys, strict=True)],
        state_shape=(size, size), title="crowd avoidance (OpenSpiel)",
    )


# ---- OpenSpiel: periodic aversion --------------------------------------------------------------------


@register_game("periodic_aversion", family="mean_field")
def periodic_aversion(
    size: int = 21,
    horizon: int = 20,
    dt: float = 0.01,
    xmin: float = 0.0,
    xmax: float = 1.0,
    n_actions_per_side: int = 10,
    volatility: float = 1.0,
    coef_aversion: float = 1.0,
    move_cost: str = "openspiel",
) -> MeanFieldGame:
    """OpenSpiel's periodic-aversion game on a discretised circle (Almulla, Ferreira & Gomes, "Two
    Numerical Approaches to Stationary Mean-Field Games", Dynamic Games and Applications 2017).

    Reward ``dt · (−v²/2 − c log(μ(x)/dx) + g(x))`` with the velocity v of the last move and the
    periodic potential ``g(x) = σ 2π² sin 2πx − 2π² cos² 2πx + (2/σ²) sin 2πx``; Gaussian noise on the
    same move grid. The move cost is OpenSpiel's evaluators' (``move_cost="openspiel"``) or exact.
    """
    size = check_int("size", size, minimum=2, maximum=10**6)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    dt = check_real("dt", dt, strict_minimum=True, minimum=0.0, maximum=1e6)
    xmin = check_real("xmin", xmin, minimum=-1e12, maximum=1e12)
    xmax = check_real("xmax", xmax, minimum=-1e12, maximum=1e12)
    if xmax <= xmin:
        raise InvalidParameterError(f"xmax must exceed xmin, got {xmin} and {xmax}")
    n = check_int("n_actions_per_side", n_actions_per_side, minimum=0, maximum=10**4)
    sigma = check_real("volatility", volatility, strict_minimum=True, minimum=0.0, maximum=1e6)
    coef = check_real("coef_aversion", coef_aversion, minimum=-1e6, maximum=1e6)
    move_cost = check_choice("move_cost", move_cost, ("openspiel", "exact"))
    A = 2 * n + 1
    what = call("periodic_aversion", size=size, horizon=horizon, n_actions_per_side=n)
    _check_grid(what, size, A, horizon, A)
    dx = (xmax - xmin) / (size - 1)
    shifts = np.arange(A) - n
    moves = shifts * dx
    std = sigma * np.sqrt(dt)
    pdf = np.exp(-0.5 * (moves / std) ** 2) / (std * np.sqrt(2 * np.pi))
    noise = pdf / pdf.sum()
    x = np.arange(size)
    targets = (x[:, None, None] + shifts[None, :, None] + shifts[None, None, :]) % size
    probs = np.broadcast_to(noise, (size, A, A))
    pos = x * dx + xmin
    pix2 = 2 * np.pi * pos
    geom = (sigma * 2 * np.pi**2 * np.sin(pix2) - 2 * np.pi**2 * np.cos(pix2) ** 2
            + (2 / sigma**2) * np.sin(pix2))
    move_r = -0.5 * (moves / dt) ** 2  # per action
    if move_cost == "openspiel":
        abar = first_visit_moves(
            range(size), horizon, A, lambda s, a: int((s + shifts[a]) % size),
            lambda y: [int((y + c) % size) for c in shifts], n, size,
        )
        state_r = move_r[abar]  # (H+1, S)
    uniform = np.full(size, 1.0 / size)

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        m = uniform if t == 0 else mu[0]
        base = coef * -np.log(m / dx + 1e-15) + geom
        if move_cost == "openspiel":
            return np.broadcast_to(((state_r[t] + base) * dt)[:, None], (size, A))
        cost = move_r[None, :] * (t < horizon - 1)
        return (base[:, None] + cost) * dt

    paid_now = (np.arange(horizon) < horizon - 1)[:, None, None]  # the last move is free

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, H, S, A)
        base = coef * -np.log(_openspiel_flow(mu, horizon, uniform) / dx + 1e-15) + geom  # (H, S)
        if move_cost == "openspiel":
            return np.broadcast_to(((state_r[:horizon] + base) * dt)[None, :, :, None], (1, horizon, size, A))
        return ((base[:, :, None] + move_r[None, None, :] * paid_now) * dt)[None]

    labels = [str(int(v)) for v in shifts]
    return _ring_game(size, labels, targets, probs, horizon, "periodic aversion", reward, reward_flow)


# ---- OpenSpiel: linear-quadratic ---------------------------------------------------------------------


@register_game("linear_quadratic", family="mean_field")
def linear_quadratic(
    size: int = 10,
    horizon: int = 10,
    dt: float = 1.0,
    n_actions_per_side: int = 3,
    volatility: float = 1.0,
    mean_revert: float = 0.0,
    cross_q: float = 0.01,
    kappa: float = 0.5,
    terminal_cost: float = 1.0,
) -> MeanFieldGame:
    """OpenSpiel's discretised linear-quadratic game (``mean_field_lin_quad``; Carmona & Delarue,
    "Probabilistic Theory of Mean Field Games", 2018; Laurière et al., ICML 2022).

    On a ring of ``size`` cells an agent moves by ``a ∈ {−n..n}`` (times dt, rounded), then by a
    discretised Gaussian step; with ``m = Σ_x x μ(x) − x`` its reward is
    ``dt/2 · (−a² + 2 q a m − κ m²)`` for its last move a. OpenSpiel's terminal cost never counts (its
    terminal nodes are not decision nodes), so it has none here either; ``terminal_cost`` is kept for
    the parameter list. The last move a is the one OpenSpiel's evaluators see (the first visitor's,
    see the module docstring). ``mean_revert`` must stay 0 (OpenSpiel's default): with it the moves
    depend on μ, and OpenSpiel's cached evaluators follow them along their first path only.
    """
    from scipy.special import ndtr  # noqa: PLC0415  (scipy is a core dependency; import kept local)

    size = check_int("size", size, minimum=1, maximum=10**6)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    dt = check_real("dt", dt, strict_minimum=True, minimum=0.0, maximum=1e6)
    n = check_int("n_actions_per_side", n_actions_per_side, minimum=0, maximum=10**4)
    sigma = check_real("volatility", volatility, strict_minimum=True, minimum=0.0, maximum=1e6)
    revert = check_real("mean_revert", mean_revert, minimum=-1e6, maximum=1e6)
    q = check_real("cross_q", cross_q, minimum=-1e6, maximum=1e6)
    kap = check_real("kappa", kappa, minimum=-1e6, maximum=1e6)
    check_real("terminal_cost", terminal_cost, minimum=-1e6, maximum=1e6)
    if revert != 0.0:
        raise InvalidParameterError(
            "mean_revert makes the moves depend on μ, which OpenSpiel's cached evaluators follow along "
            "their first path only; only mean_revert=0 (OpenSpiel's default) is modelled"
        )
    steps = 0
    while not steps * dt >= horizon:  # OpenSpiel ends when tick · dt >= horizon
        steps += 1
    check_int("horizon / dt", steps, minimum=1, maximum=10**5)
    A = 2 * n + 1
    _check_grid(call("linear_quadratic", size=size, horizon=horizon, dt=dt), size, A, steps, A)
    a = np.arange(A) - n
    cdf_hi, cdf_lo = ndtr((a + 0.5) / sigma), ndtr((a - 0.5) / sigma)
    noise = cdf_hi - cdf_lo
    noise[0] += ndtr((a[0] - 0.5) / sigma)
    noise[-1] += 1.0 - ndtr((a[-1] + 0.5) / sigma)
    x = np.arange(size)
    noise_to = np.array([round(v) for v in (x[:, None] + a[None, :] * np.sqrt(dt) * sigma).ravel()])
    noise_to = noise_to.reshape(size, A) % size  # cell after the noise step c from cell y

    moved = np.array([round(v) for v in a * dt])  # Python's round, half to even, as OpenSpiel
    after = (x[:, None] + moved[None, :]) % size  # (S, A)
    targets = noise_to[after]  # (S, A, C)
    probs = np.broadcast_to(noise, (size, A, A))
    abar = first_visit_moves(range(size), steps, A, lambda s, b: int(after[s, b]),
                             lambda y: [int(v) for v in noise_to[y]], n, size)
    last_move = a[abar]  # (H+1, S)
    uniform = np.full(size, 1.0 / size)

    def gap(t: int, mu: np.ndarray) -> np.ndarray:
        m = uniform if t == 0 else mu[0]
        return float(np.sum(x * m)) - x

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        g = gap(t, mu)
        u = last_move[t]
        return np.broadcast_to((dt / 2 * (-(u**2) + 2 * q * u * g - kap * g**2))[:, None], (size, A))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, H, S, A)
        means = np.sum(x * _openspiel_flow(mu, steps, uniform), axis=-1)  # (H,): Σ_x x μ_t(x)
        g = means[:, None] - x
        u = last_move[:steps]
        r = dt / 2 * (-(u**2) + 2 * q * u * g - kap * g**2)
        return np.broadcast_to(r[None, :, :, None], (1, steps, size, A))

    return _ring_game(size, [str(int(v)) for v in a], targets, probs, steps, "linear-quadratic", reward,
                      reward_flow)


# ---- OpenSpiel: garnet -------------------------------------------------------------------------------


@register_game("garnet", family="mean_field")
def garnet(
    size: int = 10,
    horizon: int = 10,
    seed: int = 0,
    num_action: int = 3,
    num_chance_action: int = 3,
    sparsity_factor: float = 1.0,
    eta: float = 1.0,
) -> MeanFieldGame:
    """OpenSpiel's random "garnet" mean-field game (Archibald, McKinnon & Thomas, "On the Generation
    of Markov Decision Processes", JORS 1995; the MFG form of OpenSpiel's ``mfg_garnet``).

    Each (state, action) has a reward drawn uniformly from [0, 1) (zero with probability
    1 − ``sparsity_factor``) and ``num_chance_action`` random successors with weights from sorted
    uniform cuts; the agent earns ``R[x, last action] − η log μ(x)``. The draws come from NumPy's
    generator seeded with ``seed``: the model is OpenSpiel's, the numbers are not (OpenSpiel draws
    them with absl's generator); `garnet_from` builds the game from given arrays.
    """
    size = check_int("size", size, minimum=1, maximum=10**5)
    horizon = check_int("horizon", horizon, minimum=1, maximum=10**5)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    A = check_int("num_action", num_action, minimum=1, maximum=10**4)
    C = check_int("num_chance_action", num_chance_action, minimum=1, maximum=10**4)
    sparsity = check_probability("sparsity_factor", sparsity_factor)
    eta = check_real("eta", eta, minimum=-1e6, maximum=1e6)
    _check_grid(call("garnet", size=size, horizon=horizon, num_action=A, num_chance_action=C), size, A,
                horizon, C)
    rng = np.random.default_rng(seed)
    R = np.where(rng.random((size, A)) < sparsity, rng.random((size, A)), 0.0)
    cuts = np.sort(np.concatenate([np.zeros((size, A, 1)), np.ones((size, A, 1)),
                                   rng.random((size, A, C - 1))], axis=-1), axis=-1)
    P = np.diff(cuts, axis=-1)
    T = rng.integers(0, size, size=(size, A, C))
    return garnet_from(R, T, P, horizon=horizon, eta=eta)


def garnet_from(
    rewards: Any, targets: Any, probs: Any, *, horizon: int = 10, eta: float = 1.0
) -> MeanFieldGame:
    """The garnet game of given ``rewards[x, a]``, successors ``targets[x, a, k]`` and their weights
    ``probs[x, a, k]`` (normalised here), with OpenSpiel's conventions: the reward is paid at the next
    decision node for the last action (action 0 before the first move), and as OpenSpiel's evaluators
    cache values by ``(x, t)`` the last action that counts is the one of the first path reaching it;
    at t = 0 the crowd term reads the uniform distribution."""
    R = np.asarray(rewards, dtype=float)
    T = np.asarray(targets)
    P = np.asarray(probs, dtype=float)
    size, A = R.shape
    C = T.shape[-1]
    if T.shape != (size, A, C) or P.shape != (size, A, C) or not np.issubdtype(T.dtype, np.integer):
        raise InvalidParameterError("garnet_from needs rewards (S, A), integer targets and probs (S, A, C)")
    P = P / P.sum(-1, keepdims=True)
    abar = first_visit_moves(range(size), horizon, A, lambda x, a: x * A + a,
                             lambda y: [int(v) for v in T[y // A, y % A]], 0, size)
    paid = R[np.arange(size)[None, :], abar]  # (H+1, S): R[x, ā(x, t)]
    uniform = np.full(size, 1.0 / size)
    eps = float(np.float32(1e-25))  # OpenSpiel's kEpsilon is a float

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        m = uniform if t == 0 else mu[0]
        return np.broadcast_to((paid[t] - eta * np.log(m + eps))[:, None], (size, A))

    def reward_flow(mu: np.ndarray) -> np.ndarray:  # `reward` for every step at once: (1, H, S, A)
        m = _openspiel_flow(mu, horizon, uniform)
        r = paid[:horizon] - eta * np.log(m + eps)
        return np.broadcast_to(r[None, :, :, None], (1, horizon, size, A))

    return MeanFieldGame(
        size, A, reward=reward, reward_flow=reward_flow, transition=(T[None].astype(np.intp), P[None]),
        horizon=horizon,
        state_shape=(size,), title="garnet (OpenSpiel)",
    )
