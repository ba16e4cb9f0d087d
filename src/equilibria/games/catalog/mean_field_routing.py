"""OpenSpiel's mean-field dynamic routing game (``python_mfg_dynamic_routing``) as a `MeanFieldGame`.

Cabannes, Laurière, Perolat, Marinier, Girgin, Perrin, Pietquin, Bayen, Goubault & Elie, "Solving
N-player dynamic routing games with congestion: a mean field approach", AAMAS 2022.

A vehicle travels a road network from its origin link to its destination link. At each decision
step t = 0..H−1 a vehicle at the end of its link picks the next link (a successor of the link's
end node); when it enters a link its waiting time there is set from the volume of vehicles on that
link, so travel times depend on the mean field. Its payoff is minus its arrival time
``−t_arrival · Δt`` (``−(H + 1) Δt`` when it does not arrive, or ends on a dead end).

The model is OpenSpiel's, step by step:

* a vehicle that entered link ℓ at step t − 1 has waiting time "unassigned" (−1) at t; at t its
  waiting time becomes ``w = max(0, ⌊τ_ℓ(v) / Δt⌋ − 1)`` with the BPR travel time
  ``τ_ℓ(v) = τ⁰_ℓ (1 + a_ℓ (v / c_ℓ)^{b_ℓ})`` and the volume ``v = N · ρ_t(ℓ)``, N the total demand
  and ``ρ_t(ℓ)`` the mass of not-yet-arrived vehicles on ℓ at t (any destination, any waiting time
  −1..H−1, as OpenSpiel's ``distribution_support`` lists them, summed in that order);
* a vehicle with w > 0 waits (w decreases by one per step); with w = 0 it moves; at t = 0 the
  waiting time is ``⌊departure_time / Δt⌋`` and is not reassigned.

Our states are ``(link, waiting time −1..W, destination)`` for links whose end node has successors,
plus one absorbing "arrived" state; the arrival payoff is the reward of the move that arrives, and
the terminal reward is ``−(H + 1) Δt`` on every state but "arrived". A state with waiting time −1
lets the vehicle choose among the successors; when the volume gives it w > 0, every choice waits
(the choice is void there, as OpenSpiel's node then has the single action "no move"). Waiting
times are kept up to ``W = min(max assignable, 2H)``: a vehicle waiting 2H or more steps neither
moves nor is counted again within the horizon. Actions are OpenSpiel's: 0 is "no move" and link
ℓ's action is its 1-based index in the adjacency list sorted by start node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..._checks import check_choice, check_int, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..mean_field import MeanFieldGame
from ._limits import call, check_bytes

#: OpenSpiel's Braess network (``dynamic_routing_data.BRAESS_NETWORK``) with 5 vehicles from O->A to D->E
BRAESS = {
    "adjacency": {"O": ["A"], "A": ["B", "C"], "B": ["C", "D"], "C": ["D"], "D": ["E"], "E": []},
    "free_flow_travel_time": {"O->A": 0.0, "A->B": 1.0, "A->C": 2.0, "B->C": 0.25, "B->D": 2.0,
                              "C->D": 1.0, "D->E": 0.0},
    "bpr_a": {"A->B": 1.0, "C->D": 1.0},
    "capacity": 5.0,
    "od_demand": [("O->A", "D->E", 0.0, 5.0)],
}
#: OpenSpiel's line network (``LINE_NETWORK`` with ``LINE_NETWORK_OD_DEMAND``)
LINE = {
    "adjacency": {"bef_O": ["O"], "O": ["A"], "A": ["D"], "D": ["aft_D"], "aft_D": []},
    "od_demand": [("bef_O->O", "D->aft_D", 0.0, 100.0)],
}
NETWORKS = {"braess": BRAESS, "line": LINE}


@register_game("dynamic_routing", family="mean_field")
def dynamic_routing(max_num_time_step: int = 10, time_step_length: float = 0.5,
                    network: str = "braess") -> MeanFieldGame:
    """OpenSpiel's mean-field dynamic routing (``python_mfg_dynamic_routing``; Cabannes et al.,
    "Solving N-player dynamic routing games with congestion: a mean field approach", AAMAS 2022) on
    its Braess network (``network="braess"``, 5 vehicles O->A to D->E) or its line network."""
    network = check_choice("network", network, tuple(NETWORKS))
    spec = NETWORKS[network]
    return dynamic_routing_from(
        spec["adjacency"], od_demand=spec["od_demand"],
        free_flow_travel_time=spec.get("free_flow_travel_time"), bpr_a=spec.get("bpr_a"),
        capacity=spec.get("capacity", 1.0), max_num_time_step=max_num_time_step,
        time_step_length=time_step_length, title=f"dynamic routing, {network} network (OpenSpiel)",
    )


def _per_link(name: str, value: Any, links: Sequence[str], default: float, minimum: float,
              strict: bool = False) -> np.ndarray:
    """A per-link parameter: one number for every link, or a mapping link -> number (others default)."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        v = default if value is None else value
        return np.full(len(links), check_real(name, v, minimum=minimum, maximum=1e12, strict_minimum=strict))
    if not isinstance(value, Mapping):
        raise InvalidParameterError(f"{name} must be a number or a mapping from links 'X->Y' to numbers")
    unknown = [k for k in value if k not in links]
    if unknown:
        raise InvalidParameterError(f"{name}: the network has no link {unknown[0]!r}")
    return np.array([check_real(f"{name}[{k!r}]", value.get(k, default), minimum=minimum, maximum=1e12,
                                strict_minimum=strict) for k in links])


def dynamic_routing_from(
    adjacency: Mapping[str, Sequence[str]],
    *,
    od_demand: Sequence[tuple[str, str, float, float]],
    free_flow_travel_time: Any = None,
    capacity: Any = 1.0,
    bpr_a: Any = None,
    bpr_b: Any = None,
    max_num_time_step: int = 10,
    time_step_length: float = 0.5,
    title: str = "dynamic routing (OpenSpiel)",
) -> MeanFieldGame:
    """The routing game on a network given as OpenSpiel gives it: ``adjacency`` node -> successor
    nodes, per-link BPR parameters (a number for every link or a mapping ``"X->Y" -> number``;
    OpenSpiel's defaults: free-flow time 1, capacity 1, a = 0, b = 1) and the demand, a list of
    ``(origin link, destination link, departure time, count)``."""
    H = check_int("max_num_time_step", max_num_time_step, minimum=1, maximum=10**4)
    dt = check_real("time_step_length", time_step_length, strict_minimum=True, minimum=0.0, maximum=1e6)
    if not isinstance(adjacency, Mapping) or not adjacency:
        raise InvalidParameterError("adjacency must be a non-empty mapping node -> list of successor nodes")
    links: list[str] = []
    for node, succ in sorted(adjacency.items()):
        if isinstance(succ, str) or not isinstance(succ, Sequence):
            raise InvalidParameterError(f"adjacency[{node!r}] must be a list of nodes")
        for d in succ:
            if d not in adjacency:
                raise InvalidParameterError(f"adjacency[{node!r}] names {d!r}, which is not a node")
            link = f"{node}->{d}"
            if link in links:
                raise InvalidParameterError(f"link {link!r} appears twice (parallel links are not modelled)")
            links.append(link)
    L = len(links)
    action = {lk: i + 1 for i, lk in enumerate(links)}  # OpenSpiel's action ids; 0 is "no move"
    end = [lk.split("->", 1)[1] for lk in links]
    succ_of = [[action[f"{e}->{d}"] - 1 for d in adjacency[e]] for e in end]
    sink = np.array([not s for s in succ_of])
    fftt = _per_link("free_flow_travel_time", free_flow_travel_time, links, 1.0, 0.0)
    cap = _per_link("capacity", capacity, links, 1.0, 0.0, strict=True)
    a = _per_link("bpr_a", bpr_a, links, 0.0, 0.0)
    b = _per_link("bpr_b", bpr_b, links, 1.0, 0.0, strict=True)
    if not isinstance(od_demand, Sequence) or not od_demand:
        raise InvalidParameterError("od_demand must be a non-empty list of (origin, destination, "
                                    "departure time, count)")
    demand = []
    for item in od_demand:
        if not isinstance(item, Sequence) or len(item) != 4:
            raise InvalidParameterError("each od_demand entry is (origin link, destination link, "
                                        "departure time, count)")
        o, d, dep, n = item
        for what, lk in (("origin", o), ("destination", d)):
            if lk not in action:
                raise InvalidParameterError(f"od_demand {what} {lk!r} is not a link of the network")
        if sink[action[o] - 1]:
            raise InvalidParameterError(f"od_demand origin {o!r} ends at a node without successors")
        dep = check_real("departure time", dep, minimum=0.0, maximum=1e12)
        n = check_real("od_demand count", n, strict_minimum=True, minimum=0.0, maximum=1e12)
        demand.append((action[o] - 1, action[d] - 1, dep, n))
    total = sum(n for *_, n in demand)
    dests = sorted({d for _, d, _, _ in demand})
    D = len(dests)
    dest_index = {d: i for i, d in enumerate(dests)}
    # waiting times −1..W: the largest a full network assigns (τ grows with the volume), or 2H
    tt_full = fftt * (1.0 + a * (total / cap) ** b)
    w_cap = 2 * H
    w_max = int(min(np.max(np.floor(tt_full / dt)) - 1, w_cap)) if L else 0
    w_max = max(w_max, 0, *(min(int(dep / dt), w_cap) for _, _, dep, _ in demand))
    W = w_max + 2  # number of waiting-time slots, −1..w_max
    live = np.flatnonzero(~sink)  # links a vehicle can be on without having arrived
    pos = np.full(L, -1)
    pos[live] = np.arange(live.size)
    Lp = live.size
    S = Lp * W * D + 1
    A = L + 1
    DONE = S - 1
    check_bytes(call("dynamic_routing", max_num_time_step=H), 8 * 8 * S * A * (H + 1))

    def state(link: Any, w: Any, d: Any) -> Any:  # link: index into links (non-sink), w ∈ −1..w_max
        return (pos[link] * W + (np.asarray(w) + 1)) * D + d

    ls, ws, ds = np.meshgrid(live, np.arange(-1, w_max + 1), np.arange(D), indexing="ij")
    ls, ws, ds = ls.reshape(-1), ws.reshape(-1), ds.reshape(-1)  # state order: link, waiting, destination
    dest_link = np.array(dests)[ds]
    # the move along each action from a state at the end of its link: target and payoff index
    legal = np.zeros((S, A), dtype=bool)
    move_to = np.full((S - 1, A), DONE)
    arrives = np.zeros((S - 1, A), dtype=bool)  # reaches its destination (payoff −t Δt)
    dead_end = np.zeros((S - 1, A), dtype=bool)  # reaches a sink that is not its destination
    for i in range(Lp):  # one pass per link (a network has few): fills the rows of its states
        lk = live[i]
        rows = np.flatnonzero(ls == lk)
        for m in succ_of[lk]:
            reach = dest_link[rows] == m
            arrives[rows, m + 1] = reach
            dead_end[rows, m + 1] = ~reach & sink[m]
            ok = ~reach & ~sink[m]
            if not sink[m]:
                move_to[rows[ok], m + 1] = state(m, -1, ds[rows[ok]])
        choose = ws[rows] <= 0
        legal[rows[choose][:, None], np.array(succ_of[lk])[None, :] + 1] = True
    legal[:-1, 0] = ws > 0
    legal[DONE, 0] = True
    wait_to = np.where(ws > 0, state(ls, np.maximum(ws - 1, 0), ds), 0)
    unassigned = np.flatnonzero(ws == -1)
    base_targets = np.empty((S, A), dtype=np.intp)
    base_targets[:-1] = np.where((ws > 0)[:, None], wait_to[:, None], move_to)
    base_targets[DONE] = DONE
    # the density of each live link at step t: OpenSpiel's support order, waiting −1..H−1 then
    # destination; a cumulative sum adds them one by one in that order, as its ``sum`` does
    counted = min(w_max, H - 1) + 2
    member = ls[unassigned]

    def waits(mu: np.ndarray) -> np.ndarray:
        """``(..., Lp)``: the waiting time each link assigns to a vehicle entering it, from μ (..., S)."""
        blocks = mu[..., :-1].reshape(mu.shape[:-1] + (Lp, W * D))[..., : counted * D]
        density = np.cumsum(blocks, axis=-1)[..., -1]
        volume = total * density
        tt = fftt[live] * (1.0 + a[live] * (volume / cap[live]) ** b[live])
        return np.minimum(np.maximum(np.floor(tt / dt) - 1, 0), w_max).astype(np.intp)

    def rewards_for(t: np.ndarray, w_new: np.ndarray) -> np.ndarray:
        """``(T, S, A)`` rewards at the steps t (T,), with the assigned waits ``w_new (T, Lp)``."""
        r = np.zeros((t.size, S, A))
        pay = np.where(arrives, -(t[:, None, None] * dt), 0.0) + np.where(dead_end, -(H + 1) * dt, 0.0)
        r[:, :-1] = pay
        void = w_new[:, pos[member]] > 0  # (T, unassigned): the choice is void, no payoff
        r[:, unassigned] = np.where(void[..., None], 0.0, r[:, unassigned])
        return r

    def reward(t: int, mu: np.ndarray) -> np.ndarray:
        return rewards_for(np.array([t]), waits(mu[0])[None])[0][None]

    def reward_flow(mu: np.ndarray) -> np.ndarray:
        return rewards_for(np.arange(H), waits(mu[0, :H]))[None]

    ones = np.ones((1, S, A, 1))
    ones.setflags(write=False)
    kernels: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def transition(t: int, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w_link = waits(mu[0])
        # the same assigned waits give the very same (read-only) arrays, which the game recognises
        # and does not check again (`MeanFieldGame.kernel_at`)
        key = w_link.tobytes()
        hit = kernels.get(key)
        if hit is not None:
            return hit
        w_new = w_link[pos[member]]  # (unassigned,)
        targets = base_targets.copy()
        held = w_new > 0
        rows = unassigned[held]
        targets[rows] = state(ls[rows], w_new[held] - 1, ds[rows])[:, None]
        targets = targets[None, :, :, None]
        targets.setflags(write=False)
        if len(kernels) >= 1024:
            kernels.clear()
        kernels[key] = (targets, ones)
        return targets, ones

    initial = np.zeros(S)
    for o, d, dep, n in demand:
        initial[state(o, min(int(dep / dt), w_cap), dest_index[d])] += n / total
    labels = [f"{links[lk]} w={w} to {links[dests[d]]}" for lk, w, d in zip(ls, ws, ds, strict=True)]
    return MeanFieldGame(
        S, A, reward=reward, reward_flow=reward_flow, transition=transition, initial=initial,
        horizon=H, terminal_reward=np.where(np.arange(S) == DONE, 0.0, -(H + 1) * dt),
        legal_actions=legal, state_labels=labels + ["arrived"], action_labels=["no move"] + links,
        title=title,
    )
