"""Liar's dice with one die per player (the variant studied by Lanctot et al. 2009 and in OpenSpiel).

Each player rolls one die with ``faces`` faces in secret. Players alternately bid (quantity, face),
each bid higher than the last in the order (1,1) < (1,2) < ... < (1,F) < (2,1) < ..., or call
"liar" on the previous bid. Then the dice are shown: if at least `quantity` dice show `face` (the
highest face counts as every face when ``wild`` is set) the bidder wins, else the caller wins.
Payoffs are +1/-1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..._checks import check_bool, check_int
from ...registry import register_game
from ..extensive_form import CHANCE, TERMINAL, ExtensiveFormGame, index_dtype, small_int_dtype
from ._arrays import discovery_ids, join_levels
from ._limits import call, check_tree


@dataclass(frozen=True)
class _LiarsDiceState:
    faces: int
    wild: bool
    dice: tuple[int, ...] = ()
    bids: tuple[int, ...] = ()  # bid index b: quantity b // faces + 1, face b % faces + 1
    called: bool = False

    @property
    def _liar(self) -> int:
        return 2 * self.faces

    def is_chance_node(self) -> bool:
        return len(self.dice) < 2

    def chance_outcomes(self) -> list[tuple[int, Fraction]]:
        return [(f, Fraction(1, self.faces)) for f in range(1, self.faces + 1)]

    def is_terminal(self) -> bool:
        return self.called

    def current_player(self) -> int:
        return CHANCE if self.is_chance_node() else len(self.bids) % 2

    def legal_actions(self) -> list[int]:
        start = self.bids[-1] + 1 if self.bids else 0
        acts = list(range(start, 2 * self.faces))
        if self.bids:
            acts.append(self._liar)
        return acts

    def action_to_string(self, player: int, action: int) -> str:
        if player == CHANCE:
            return f"roll {action}"
        if action == self._liar:
            return "liar"
        return f"{action // self.faces + 1}x{action % self.faces + 1}"

    def child(self, action: int) -> _LiarsDiceState:
        if self.is_chance_node():
            return replace(self, dice=(*self.dice, action))
        if action == self._liar:
            return replace(self, called=True)
        return replace(self, bids=(*self.bids, action))

    def information_state_string(self, player: int) -> str:
        hist = " ".join(self.action_to_string(0, b) for b in self.bids)
        return f"die {self.dice[player]} | {hist}"

    def returns(self) -> list[float]:
        bid = self.bids[-1]
        quantity, face = bid // self.faces + 1, bid % self.faces + 1
        count = sum(1 for d in self.dice if d == face or (self.wild and d == self.faces))
        bidder = (len(self.bids) - 1) % 2
        winner = bidder if count >= quantity else 1 - bidder
        return [1.0 if p == winner else -1.0 for p in range(2)]


#: the array generator keeps bid sets as 63-bit masks (2F bids); beyond, the state machine is used
_MAX_ARRAY_FACES = 31


def _liars_dice_arrays(faces: int, wild: bool, title: str) -> ExtensiveFormGame:
    """`_liars_dice_parts` compiled; the generator's temporaries are gone before compilation."""
    return ExtensiveFormGame._from_arrays(2, title=title, **_liars_dice_parts(faces, wild))


@dataclass(frozen=True, eq=False)
class _DiceLabels:
    """The information-set keys (or, with ``actions``, the action labels) of a generated liar's
    dice tree, built from integer codes when first asked for: per information set (discovery order)
    the own die, the set of bids made (bit mask) and the last bid. The strings are
    `_LiarsDiceState`'s, character for character."""

    faces: int
    wild: bool
    die: np.ndarray
    mask: np.ndarray
    last: np.ndarray
    actions: bool = False

    def __call__(self) -> list[Any]:
        state = _LiarsDiceState(self.faces, self.wild)
        B = 2 * self.faces
        bid_label = [state.action_to_string(0, b) for b in range(B)]
        if self.actions:
            acts = {lb: (*bid_label[lb + 1:], *(("liar",) if lb >= 0 else ())) for lb in range(-1, B)}
            return [acts[lb] for lb in self.last.tolist()]
        hist: dict[int, str] = {}
        for m in set(self.mask.tolist()):
            hist[m] = " ".join(bid_label[b] for b in range(B) if m >> b & 1)
        return [f"die {o} | {hist[m]}" for o, m in zip(self.die.tolist(), self.mask.tolist(), strict=True)]


def _liars_dice_parts(faces: int, wild: bool) -> dict[str, Any]:
    """The tree of `_LiarsDiceState`, numbered as `ExtensiveFormGame.from_state` numbers it
    (breadth first, children in action order), generated one level at a time with NumPy.

    Levels 0 and 1 are the two rolls, level 2 the F² first decisions; a decision node whose last
    bid is ``l`` has the children ``l+1 .. 2F-1`` (decisions of the other player) and, once a bid
    was made, "liar" (a terminal). A decision node is (die 1, die 2, last bid, bid set as a bit
    mask); its information set is (own die, bid set), labelled as the state labels it when the
    labels are first asked for (`_DiceLabels`). Every array has the smallest integer type its
    values need.
    """
    F, B = faces, 2 * faces
    state = _LiarsDiceState(faces, wild)
    roll_labels = tuple(state.action_to_string(CHANCE, f) for f in range(1, F + 1))
    idx = index_dtype(num_histories(faces))
    die_t, bid_t = small_int_dtype(0, F), small_int_dtype(-1, B)
    mask_t = small_int_dtype(0, (1 << B) - 1)
    n2 = F * F
    parent = [np.array([-1], idx), np.zeros(F, idx), (1 + np.arange(n2) // F).astype(idx)]
    action = [np.array([-1], bid_t), np.arange(F, dtype=bid_t), (np.arange(n2) % F).astype(bid_t)]
    depth = [np.zeros(1, np.int8), np.ones(F, np.int8), np.full(n2, 2, np.int8)]
    kind = [np.full(1 + F, CHANCE, np.int8), np.zeros(n2, np.int8)]
    pid = [np.zeros(1, np.int8), np.full(F + n2, 2, np.int8)]
    util: list[np.ndarray] = []
    where: list[np.ndarray] = []  # decision nodes and their information sets (discovery index)
    what: list[np.ndarray] = []
    info: dict[str, list[np.ndarray]] = {"player": [], "die": [], "mask": [], "last": []}
    # the decision frontier, in node order: global ids, dice, last bid, bid mask
    ids = (1 + F + np.arange(n2)).astype(idx)
    d0, d1 = (np.arange(n2) // F + 1).astype(die_t), (np.arange(n2) % F + 1).astype(die_t)
    last = np.full(n2, -1, bid_t)
    mask = np.zeros(n2, mask_t)
    next_id, k, num_infosets = 1 + F + n2, 2, 0
    while len(ids):
        player = (k - 2) % 2
        own = d0 if player == 0 else d1
        node_set, fj = discovery_ids(own.astype(np.int64) * (np.int64(1) << B) + mask, num_infosets)
        where.append(ids)
        what.append(node_set)
        info["player"].append(np.full(len(fj), player, np.int8))
        info["die"].append(own[fj])
        info["mask"].append(mask[fj])
        info["last"].append(last[fj])
        num_infosets += len(fj)
        del node_set, fj
        # children: bids last+1 .. B-1, then "liar" once a bid was made
        nb = (B - 1 - last).astype(np.int64)
        m_i = nb + (last >= 0)
        total = int(m_i.sum())
        rep = np.repeat(np.arange(len(ids), dtype=idx), m_i)
        a = (np.arange(total, dtype=idx) - (np.cumsum(m_i) - m_i).astype(idx)[rep]).astype(bid_t)
        is_bid = a < nb[rep]
        parent.append(ids[rep])
        action.append(a)
        depth.append(np.full(total, k + 1, np.int8))
        kind.append(np.where(is_bid, np.int8((k - 1) % 2), np.int8(TERMINAL)))
        pid.append(np.ones(total, np.int8))
        # terminals: the last bid (made by the player before this one) against the dice
        t = rep[~is_bid]
        q, f = last[t] // F + 1, last[t] % F + 1
        count = np.zeros(len(t), np.int8)
        for d in (d0[t], d1[t]):
            count += (d == f) | (wild & (d == F))
        bidder = 1 - player
        winner = np.where(count >= q, bidder, 1 - bidder)
        util.append(np.where(winner[:, None] == np.arange(2)[None, :], 1.0, -1.0))
        del t, q, f, count, winner
        # the next frontier: the bid children, in order
        b_rep = rep[is_bid]
        new_bid = (last[b_rep] + 1 + a[is_bid]).astype(bid_t)
        ids = (next_id + np.flatnonzero(is_bid)).astype(idx)
        next_id += total
        d0, d1, last = d0[b_rep], d1[b_rep], new_bid
        mask = mask[b_rep] | (np.int64(1) << new_bid).astype(mask_t)
        del rep, a, is_bid, b_rep, nb, m_i
        k += 1
    arrays = join_levels(next_id, idx, where, what,
                         {"parent": parent, "action": action, "depth": depth, "kind": kind})
    codes = {k: np.concatenate(v) for k, v in info.items()}
    info.clear()
    keys = _DiceLabels(faces, wild, codes["die"], codes["mask"], codes["last"])
    return dict(
        arrays=arrays, pid=np.concatenate(pid),
        prob_values=[Fraction(1), 1, Fraction(1, F)],
        chance_labels={v: roll_labels for v in range(1 + F)},
        util=np.concatenate(util) if util else np.zeros((0, 2)), raw_rows={},
        infoset_player=codes["player"], infoset_key=keys, infoset_actions=replace(keys, actions=True),
        infoset_num_actions=(B - 1 - codes["last"].astype(np.int64)) + (codes["last"] >= 0),
    )


#: beyond any size limit (2^(2·40) histories); larger values are refused outright
MAX_FACES = 40


def num_histories(faces: int) -> int:
    """Nodes of the tree: after the two rolls (1 + F chance nodes), each of the 2^(2F) increasing
    bid sequences over the 2F bids is a decision node, and each non-empty one ends in a "liar"
    terminal: 1 + F + F^2 (2^(2F+1) - 1) (295,131 for six faces)."""
    return 1 + faces + faces * faces * (2 ** (2 * faces + 1) - 1)


@register_game("liars_dice", family="extensive_form")
def liars_dice(faces: int = 6, wild: bool = True) -> ExtensiveFormGame:
    """Two-player liar's dice with one die each and ``faces`` faces (the highest is wild if ``wild``)."""
    faces = check_int("faces", faces, minimum=2, maximum=MAX_FACES)
    wild = check_bool("wild", wild)
    check_tree(call("liars_dice", faces=faces), num_histories(faces))
    title = f"Liar's dice (1 die, {faces} faces)"
    if faces <= _MAX_ARRAY_FACES:
        return _liars_dice_arrays(faces, wild, title)
    return ExtensiveFormGame.from_state(_LiarsDiceState(faces, wild), 2, title=title)
