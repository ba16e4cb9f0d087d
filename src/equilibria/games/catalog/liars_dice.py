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
from ..extensive_form import CHANCE, TERMINAL, ExtensiveFormGame
from ._arrays import discovery_ids
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


def _liars_dice_parts(faces: int, wild: bool) -> dict[str, Any]:
    """The tree of `_LiarsDiceState`, numbered as `ExtensiveFormGame.from_state` numbers it
    (breadth first, children in action order), generated one level at a time with NumPy.

    Levels 0 and 1 are the two rolls, level 2 the F² first decisions; a decision node whose last
    bid is ``l`` has the children ``l+1 .. 2F-1`` (decisions of the other player) and, once a bid
    was made, "liar" (a terminal). A decision node is (die 1, die 2, last bid, bid set as a bit
    mask); its information set is (own die, bid set), labelled as the state labels it.
    """
    F, B = faces, 2 * faces
    state = _LiarsDiceState(faces, wild)
    bid_label = [state.action_to_string(0, b) for b in range(B)]
    roll_labels = tuple(state.action_to_string(CHANCE, f) for f in range(1, F + 1))
    n2 = F * F
    parent = [np.array([-1]), np.zeros(F, np.int64), 1 + np.arange(n2) // F]
    action = [np.array([-1]), np.arange(F), np.arange(n2) % F]
    depth = [np.zeros(1, np.int64), np.ones(F, np.int64), np.full(n2, 2)]
    kind = [np.full(1 + F, CHANCE, np.int64), np.zeros(n2, np.int64)]
    pid = [np.zeros(1, np.int32), np.full(F + n2, 2, np.int32)]
    util: list[np.ndarray] = []
    where: list[np.ndarray] = []  # decision nodes and their information sets (discovery index)
    what: list[np.ndarray] = []
    infoset_player: list[int] = []
    infoset_key: list[str] = []
    infoset_actions: list[tuple[str, ...]] = []
    infoset_first_node: list[int] = []
    hist_cache: dict[int, str] = {}
    acts_cache: dict[int, tuple[str, ...]] = {}
    # the decision frontier, in node order: global ids, dice, last bid, bid mask
    ids = 1 + F + np.arange(n2)
    d0, d1 = np.arange(n2) // F + 1, np.arange(n2) % F + 1
    last = np.full(n2, -1, np.int64)
    mask = np.zeros(n2, np.int64)
    next_id, k = 1 + F + n2, 2
    while len(ids):
        player = (k - 2) % 2
        own = d0 if player == 0 else d1
        node_set, fj = discovery_ids(own * (np.int64(1) << B) + mask, len(infoset_player))
        where.append(ids)
        what.append(node_set)
        masks, lasts = mask[fj].tolist(), last[fj].tolist()
        for m in set(masks).difference(hist_cache):
            hist_cache[m] = " ".join(bid_label[b] for b in range(B) if m >> b & 1)
        for lb in set(lasts).difference(acts_cache):
            acts_cache[lb] = (*bid_label[lb + 1 :], *(("liar",) if lb >= 0 else ()))
        owns = own[fj].tolist()
        infoset_key.extend([f"die {o} | {hist_cache[m]}" for o, m in zip(owns, masks, strict=True)])
        infoset_actions.extend([acts_cache[lb] for lb in lasts])
        infoset_first_node.extend(ids[fj].tolist())
        infoset_player.extend([player] * len(fj))
        # children: bids last+1 .. B-1, then "liar" once a bid was made
        nb = B - 1 - last
        m_i = nb + (last >= 0)
        total = int(m_i.sum())
        rep = np.repeat(np.arange(len(ids)), m_i)
        a = np.arange(total) - (np.cumsum(m_i) - m_i)[rep]
        is_bid = a < nb[rep]
        parent.append(ids[rep])
        action.append(a)
        depth.append(np.full(total, k + 1))
        kind.append(np.where(is_bid, (k - 1) % 2, TERMINAL))
        pid.append(np.ones(total, np.int32))
        # terminals: the last bid (made by the player before this one) against the dice
        t = rep[~is_bid]
        q, f = last[t] // F + 1, last[t] % F + 1
        count = np.zeros(len(t), np.int64)
        for d in (d0[t], d1[t]):
            count += (d == f) | (wild & (d == F))
        bidder = 1 - player
        winner = np.where(count >= q, bidder, 1 - bidder)
        util.append(np.where(winner[:, None] == np.arange(2)[None, :], 1.0, -1.0))
        # the next frontier: the bid children, in order
        b_rep = rep[is_bid]
        new_bid = last[b_rep] + 1 + a[is_bid]
        ids = next_id + np.flatnonzero(is_bid)
        next_id += total
        d0, d1, last = d0[b_rep], d1[b_rep], new_bid
        mask = mask[b_rep] | (np.int64(1) << new_bid)
        k += 1
    node_infoset = np.full(next_id, -1, np.int64)
    node_infoset[np.concatenate(where)] = np.concatenate(what)
    del where, what
    # one copy of each array alive at a time: the level chunks go as soon as they are joined
    arrays = {"infoset": node_infoset}
    for name, chunks in (("parent", parent), ("action", action), ("depth", depth), ("kind", kind)):
        arrays[name] = np.concatenate(chunks)
        chunks.clear()
    return dict(
        arrays=arrays, pid=np.concatenate(pid),
        prob_values=[Fraction(1), 1, Fraction(1, F)],
        chance_labels={v: roll_labels for v in range(1 + F)},
        util=np.concatenate(util) if util else np.zeros((0, 2)), raw_rows={},
        infoset_player=infoset_player, infoset_key=infoset_key,
        infoset_actions=infoset_actions, infoset_first_node=infoset_first_node,
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
