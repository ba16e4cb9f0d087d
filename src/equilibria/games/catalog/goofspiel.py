"""Goofspiel, the game of pure strategy (Ross 1971, "Goofspiel — the game of pure strategy").

Each player holds cards 1..N; a prize card is revealed each turn and both players bid a card at
the same time (the last turn is forced and played out automatically). The higher bid wins the
prize (a tie discards it). The simultaneous bids are made
sequential with an information set: player 2 bids without seeing player 1's card. Bids are
revealed after each turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..._checks import check_choice, check_int
from ...errors import InvalidParameterError
from ...registry import register_game
from ..extensive_form import CHANCE, TERMINAL, ExtensiveFormGame, index_dtype, small_int_dtype
from ._arrays import discovery_ids, free_children, join_levels
from ._limits import call, check_tree


@dataclass(frozen=True)
class _GoofState:
    num_cards: int
    order: tuple[int, ...] | None  # fixed prize order, or None for a random order drawn by chance
    returns_type: str
    prizes: tuple[int, ...] = ()
    bids: tuple[tuple[int, int], ...] = ()
    pending: int = -1  # player 1's bid in the current turn, hidden from player 2

    def _turn(self) -> int:
        return len(self.bids)

    def is_terminal(self) -> bool:
        return self._turn() == self.num_cards

    def is_chance_node(self) -> bool:
        return not self.is_terminal() and self.order is None and len(self.prizes) == self._turn()

    def chance_outcomes(self) -> list[tuple[int, Fraction]]:
        left = [c for c in range(1, self.num_cards + 1) if c not in self.prizes]
        return [(c, Fraction(1, len(left))) for c in left]

    def current_player(self) -> int:
        if self.is_chance_node():
            return CHANCE
        return 0 if self.pending < 0 else 1

    def _prize(self) -> int:
        return self.order[self._turn()] if self.order is not None else self.prizes[-1]

    def _hand(self, player: int) -> list[int]:
        used = {b[player] for b in self.bids}
        return [c for c in range(1, self.num_cards + 1) if c not in used]

    def legal_actions(self) -> list[int]:
        return self._hand(self.current_player())

    def action_to_string(self, player: int, action: int) -> str:
        return f"prize {action}" if player == CHANCE else f"bid {action}"

    def child(self, action: int) -> _GoofState:
        if self.is_chance_node():
            return replace(self, prizes=(*self.prizes, action))
        if self.pending < 0:
            return replace(self, pending=action)
        state = replace(self, bids=(*self.bids, (self.pending, action)), pending=-1)
        if state._turn() == self.num_cards - 1:
            # the last turn is forced: play it out, as OpenSpiel does
            last = (state._hand(0)[0], state._hand(1)[0])
            prizes = state.prizes
            if self.order is None:
                prizes = (*prizes, next(c for c in range(1, self.num_cards + 1) if c not in prizes))
            state = replace(state, prizes=prizes, bids=(*state.bids, last))
        return state

    def information_state_string(self, player: int) -> str:
        seen = self.order[: self._turn() + 1] if self.order is not None else self.prizes
        hist = " ".join(f"{a}:{b}" for a, b in self.bids)
        return f"p{player + 1} prizes {','.join(map(str, seen))} bids [{hist}]"

    def returns(self) -> list[float]:
        order = self.order if self.order is not None else self.prizes
        points = [0, 0]
        for prize, (a, b) in zip(order, self.bids, strict=True):
            if a != b:
                points[0 if a > b else 1] += prize
        if self.returns_type == "point_difference":
            d = points[0] - points[1]
            return [float(d), float(-d)]
        if self.returns_type == "total_points":
            return [float(points[0]), float(points[1])]
        s = (points[0] > points[1]) - (points[0] < points[1])
        return [float(s), float(-s)]


#: the array generator keeps bid histories in int64 codes (N^(3N-5) < 2^63): up to 8 cards
_MAX_ARRAY_CARDS = 8


def _goofspiel_arrays(num_cards: int, fixed: tuple[int, ...] | None, returns_type: str,
                      title: str) -> ExtensiveFormGame:
    """`_goofspiel_parts` compiled; the generator's temporaries are gone before compilation."""
    return ExtensiveFormGame._from_arrays(2, title=title, **_goofspiel_parts(num_cards, fixed, returns_type))


@dataclass(frozen=True, eq=False)
class _GoofLabels:
    """The information-set keys (or, with ``actions``, the action labels) of a generated Goofspiel
    tree, built from integer codes when first asked for: per information set (discovery order) the
    player, the turn, the bid-history code (base N² digits), the revealed-prizes code (base N
    digits) and the player's used-card mask. The strings are `_GoofState`'s, character for
    character."""

    num_cards: int
    fixed: tuple[int, ...] | None
    player: np.ndarray
    turn: np.ndarray
    hist: np.ndarray
    pcode: np.ndarray
    used: np.ndarray
    actions: bool = False

    def __call__(self) -> list[Any]:
        N = self.num_cards
        if self.actions:
            cache: dict[int, tuple[str, ...]] = {}
            for u in set(self.used.tolist()):
                cache[u] = tuple(f"bid {c}" for c in range(1, N + 1) if not u >> (c - 1) & 1)
            return [cache[u] for u in self.used.tolist()]
        bids: dict[tuple[int, int], str] = {(0, 0): ""}

        def bid_text(code: int, t: int) -> str:
            got = bids.get((code, t))
            if got is None:
                head, d = divmod(code, N * N)
                pair = f"{d // N + 1}:{d % N + 1}"
                prev = bid_text(head, t - 1)
                got = bids[(code, t)] = f"{prev} {pair}" if prev else pair
            return got

        prizes: dict[tuple[int, int], str] = {}

        def prize_text(code: int, t: int) -> str:
            got = prizes.get((code, t))
            if got is None:
                if self.fixed is not None:
                    got = ",".join(map(str, self.fixed[: t + 1]))
                else:
                    out, rest = [], code
                    for _ in range(t + 1):
                        rest, r = divmod(rest, N)
                        out.append(str(r + 1))
                    got = ",".join(out[::-1])
                prizes[(code, t)] = got
            return got

        return [f"p{p + 1} prizes {prize_text(c, t)} bids [{bid_text(h, t)}]"
                for p, t, h, c in zip(self.player.tolist(), self.turn.tolist(), self.hist.tolist(),
                                      self.pcode.tolist(), strict=True)]


def _goofspiel_parts(num_cards: int, fixed: tuple[int, ...] | None, returns_type: str) -> dict[str, Any]:
    """The tree of `_GoofState`, numbered as `ExtensiveFormGame.from_state` numbers it (breadth
    first, children in action order), generated one level at a time with NumPy.

    Every level holds one kind of node: per played turn (all but the forced last one) a chance
    level (random order), player 1's bids, player 2's bids; then the terminals. A node is kept as
    the cards each player has used (bit masks), the pending bid, the points so far and two codes:
    the bid history (base N² digits) and the prizes revealed (base N digits), which identify the
    information sets (prizes and all completed bids; player 2 does not see the pending bid). Every
    array has the smallest integer type its values need, and the labels of the information sets
    are kept as these codes (`_GoofLabels`) until they are first asked for.
    """
    N = num_cards
    rand = fixed is None
    idx = index_dtype(num_histories(N, rand))
    mask_t = small_int_dtype(0, (1 << N) - 1)
    pts_t = small_int_dtype(-N * N, N * N)
    hist_t = small_int_dtype(0, (N * N) ** max(N - 1, 1))
    pcode_t = small_int_dtype(0, N ** N)
    bit = (np.int64(1) << np.arange(N, dtype=np.int64)).astype(mask_t)
    prob_values: list[Any] = [Fraction(1), 1]
    parent, action, depth = [np.array([-1], idx)], [np.array([-1], np.int8)], [np.zeros(1, np.int8)]
    kind = [np.array([CHANCE if rand else 0], np.int8)]
    pid = [np.zeros(1, np.int8)]
    where: list[np.ndarray] = []
    what: list[np.ndarray] = []
    info: dict[str, list[np.ndarray]] = {k: [] for k in ("player", "turn", "hist", "pcode", "used")}
    chance_labels: dict[int, tuple[str, ...]] = {}

    ids = np.zeros(1, idx)
    used0, used1, rev = (np.zeros(1, mask_t) for _ in range(3))
    pts0, pts1 = np.zeros(1, pts_t), np.zeros(1, pts_t)
    hist, pcode, prize = np.zeros(1, hist_t), np.zeros(1, pcode_t), np.zeros(1, np.int8)
    next_id, level, num_infosets = 1, 0, 0

    def grow(mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Children of each node over the cards not in ``mask`` (k of them), ascending: the parent
        row, the card (1..N) and the action index of each child."""
        rows, cols, acts = free_children(mask, k, N)
        return rows.astype(idx), (cols + 1).astype(np.int8), acts.astype(np.int8)

    def add_level(rows: np.ndarray, acts: np.ndarray, kinds: int, p_id: int) -> np.ndarray:
        nonlocal next_id, level
        total = len(rows)
        parent.append(ids[rows])
        action.append(acts)
        depth.append(np.full(total, level + 1, np.int8))
        kind.append(np.full(total, kinds, np.int8))
        pid.append(np.full(total, p_id, np.int8))
        new = np.arange(next_id, next_id + total, dtype=idx)
        next_id += total
        level += 1
        return new

    def infosets(player: int, t: int, used: np.ndarray) -> None:
        nonlocal num_infosets
        node_set, fj = discovery_ids(hist.astype(np.int64) * (N ** (t + 1)) + pcode, num_infosets)
        where.append(ids)
        what.append(node_set)
        for name, values in (("hist", hist[fj]), ("pcode", pcode[fj]), ("used", used[fj])):
            info[name].append(values)
        info["player"].append(np.full(len(fj), player, np.int8))
        info["turn"].append(np.full(len(fj), t, np.int8))
        num_infosets += len(fj)

    turns = N - 1 if N >= 2 else 1
    for t in range(turns):
        k = N - t
        if rand:  # chance reveals the prize
            prob_values.append(Fraction(1, k))
            for v, r in zip(ids.tolist(), rev.tolist(), strict=True):
                chance_labels[v] = tuple(f"prize {c}" for c in range(1, N + 1) if not r >> (c - 1) & 1)
            rows, cards, acts = grow(rev, k)
            new = add_level(rows, acts, 0, len(prob_values) - 1)
            used0, used1, pts0, pts1, hist = (a[rows] for a in (used0, used1, pts0, pts1, hist))
            ids, rev = new, rev[rows] | bit[cards - 1]
            pcode, prize = pcode[rows] * N + (cards - 1), cards
        else:
            prize = np.full(len(ids), fixed[t], np.int8)
        # player 1 bids
        infosets(0, t, used0)
        rows, cards, acts = grow(used0, k)
        new = add_level(rows, acts, 1, 1)
        used0, used1, rev, pts0, pts1, hist, pcode, prize = (
            a[rows] for a in (used0, used1, rev, pts0, pts1, hist, pcode, prize))
        ids, pend = new, cards
        # player 2 bids, not seeing player 1's pending bid
        infosets(1, t, used1)
        rows, cards, acts = grow(used1, k)
        last = t + 1 >= N - 1
        after = TERMINAL if last else (CHANCE if rand else 0)
        new = add_level(rows, acts, after, 1)
        used0, rev, pts0, pts1, hist, pcode, prize, pend = (
            a[rows] for a in (used0, rev, pts0, pts1, hist, pcode, prize, pend))
        used0, used1 = used0 | bit[pend - 1], used1[rows] | bit[cards - 1]
        pts0 = pts0 + (prize * (pend > cards)).astype(pts_t)
        pts1 = pts1 + (prize * (cards > pend)).astype(pts_t)
        hist = hist * (N * N) + ((pend - 1).astype(hist_t) * N + (cards - 1))
        ids = new
        del rows, cards, acts, new, pend
    ids, hist, pcode, prize = (a[:0].copy() for a in (ids, hist, pcode, prize))  # the last level's go
    if N >= 2:  # the forced last turn: the remaining cards bid on the remaining prize
        full = (np.int64(1) << N) - 1
        a0 = np.log2((full ^ used0).astype(np.float64)).astype(np.int8) + 1
        a1 = np.log2((full ^ used1).astype(np.float64)).astype(np.int8) + 1
        p_last = (np.log2((full ^ rev).astype(np.float64)).astype(np.int8) + 1) if rand else fixed[N - 1]
        pts0 = pts0 + p_last * (a0 > a1)
        pts1 = pts1 + p_last * (a1 > a0)
        del a0, a1
    del used0, used1, rev
    util = np.empty((len(pts0), 2))
    if returns_type == "point_difference":
        util[:, 0] = pts0 - pts1
        util[:, 1] = -util[:, 0]
    elif returns_type == "total_points":
        util[:, 0], util[:, 1] = pts0, pts1
    else:
        util[:, 0] = np.sign(pts0 - pts1)
        util[:, 1] = -util[:, 0]
    util += 0.0  # no -0.0
    del pts0, pts1
    arrays = join_levels(next_id, idx, where, what,
                         {"parent": parent, "action": action, "depth": depth, "kind": kind})
    codes = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in info.items()}
    info.clear()
    keys = _GoofLabels(N, fixed, codes["player"], codes["turn"], codes["hist"], codes["pcode"], codes["used"])
    num_actions = N - codes["turn"].astype(np.int64)  # at turn t each player has bid t cards
    return dict(
        arrays=arrays, pid=np.concatenate(pid), prob_values=prob_values,
        chance_labels=chance_labels, util=util, raw_rows={}, infoset_player=codes["player"],
        infoset_key=keys, infoset_actions=replace(keys, actions=True),
        infoset_num_actions=num_actions,
    )


#: more cards than any size limit could hold ((13!)^2 ~ 4e19 histories); larger values are refused
MAX_CARDS = 13


def num_histories(num_cards: int, random_order: bool) -> int:
    """The number of nodes of the tree, in closed form (checked against the built trees).

    With k cards left, each history at the start of a turn has (chance: k prizes,) player 1's k bids
    and player 2's k bids below it; the last turn is forced. So with h_k histories at the start of
    the turn with k cards, the turn adds h_k (1 + k) nodes (h_k (1 + k + k^2) with a random order)
    and h_{k-1} = h_k k^2 (h_k k^3): for 7 cards 4.8e7 nodes, for 5 cards in random order 3.3e6.
    """
    turns = range(num_cards, 1, -1) if num_cards >= 2 else range(1, 0, -1)
    h, total = 1, 0
    for k in turns:
        total += h * ((1 + k + k * k) if random_order else (1 + k))
        h *= k**3 if random_order else k * k
    return total + h


@register_game("goofspiel", family="extensive_form")
def goofspiel(
    num_cards: int = 4, order: str | Sequence[int] = "descending", returns_type: str = "win_loss"
) -> ExtensiveFormGame:
    """Two-player Goofspiel with ``num_cards`` cards.

    ``order`` is ``"descending"``, ``"ascending"``, ``"random"`` (chance reveals each prize) or an
    explicit sequence of prize cards. ``returns_type`` is ``"win_loss"`` (+1/-1/0, zero-sum),
    ``"point_difference"`` (zero-sum) or ``"total_points"`` (general-sum).
    """
    num_cards = check_int("num_cards", num_cards, minimum=1, maximum=MAX_CARDS)
    returns_type = check_choice("returns_type", returns_type,
                                ("win_loss", "point_difference", "total_points"))
    fixed: tuple[int, ...] | None
    if isinstance(order, str):
        order = check_choice("order", order, ("descending", "ascending", "random"))
        fixed = {"descending": tuple(range(num_cards, 0, -1)), "ascending": tuple(range(1, num_cards + 1)),
                 "random": None}[order]
    elif isinstance(order, list | tuple) and len(order) == num_cards:
        fixed = tuple(check_int(f"order[{k}]", c, minimum=1, maximum=num_cards) for k, c in enumerate(order))
        if sorted(fixed) != list(range(1, num_cards + 1)):
            raise InvalidParameterError(f"order must be a permutation of 1..{num_cards}, not {order!r}")
    else:
        raise InvalidParameterError(
            f"order must be descending, ascending, random or a permutation of 1..{num_cards}, not {order!r}"
        )
    check_tree(call("goofspiel", num_cards=num_cards, order=order), num_histories(num_cards, fixed is None))
    title = f"Goofspiel ({num_cards} cards, {order if isinstance(order, str) else 'fixed'} order)"
    if num_cards <= _MAX_ARRAY_CARDS:
        return _goofspiel_arrays(num_cards, fixed, returns_type, title)
    return ExtensiveFormGame.from_state(_GoofState(num_cards, fixed, returns_type), 2, title=title)
