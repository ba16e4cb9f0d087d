"""Poker games used throughout the literature on learning in imperfect-information games.

* Kuhn poker (Kuhn 1950, "A simplified two-person poker"); the n-player generalisation with
  n + 1 cards is from Abou Risk & Szafron 2010.
* Leduc hold'em (Southey et al. 2005, "Bayes' Bluff: Opponent Modelling in Poker"), for n
  players with OpenSpiel's n-player rules (2n + 2 cards).

Both are written as small state machines with OpenSpiel's state interface. Kuhn poker is compiled
by `ExtensiveFormGame.from_state`; Leduc hold'em by a NumPy generator that builds the same tree
level by level (`_leduc_parts`), the state machine being its reference. Chance deals the private
cards one player at a time, as OpenSpiel does, so the trees (and every algorithm's iterates)
coincide with OpenSpiel's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..._checks import check_int
from ...registry import register_game
from ..extensive_form import CHANCE, TERMINAL, ExtensiveFormGame, index_dtype
from ._arrays import discovery_ids, free_children
from ._limits import call, check_tree

_RANKS = "JQKA23456789T"


@dataclass(frozen=True)
class _KuhnState:
    num_players: int
    cards: tuple[int, ...] = ()
    history: str = ""  # "p" pass, "b" bet

    def is_chance_node(self) -> bool:
        return len(self.cards) < self.num_players

    def chance_outcomes(self) -> list[tuple[int, Fraction]]:
        left = [c for c in range(self.num_players + 1) if c not in self.cards]
        return [(c, Fraction(1, len(left))) for c in left]

    def _bettor(self) -> int:
        return self.history.find("b")

    def is_terminal(self) -> bool:
        if self.is_chance_node():
            return False
        n, h = self.num_players, self.history
        first_bet = self._bettor()
        if first_bet < 0:
            return len(h) == n
        # after the first bet, every other player answers once
        return len(h) == first_bet + n

    def current_player(self) -> int:
        return CHANCE if self.is_chance_node() else len(self.history) % self.num_players

    def legal_actions(self) -> list[int]:
        return [0, 1]

    def action_to_string(self, player: int, action: int) -> str:
        if player == CHANCE:
            return f"deal {action}"
        return "pb"[action]

    def child(self, action: int) -> _KuhnState:
        if self.is_chance_node():
            return replace(self, cards=(*self.cards, action))
        return replace(self, history=self.history + "pb"[action])

    def information_state_string(self, player: int) -> str:
        return f"{self.cards[player]}{self.history}"

    def returns(self) -> list[float]:
        n, h = self.num_players, self.history
        first_bet = self._bettor()
        contrib = [1] * n
        if first_bet < 0:
            showdown = list(range(n))
        else:
            showdown = []
            for k in range(first_bet, len(h)):
                if h[k] == "b":
                    player = k % n
                    contrib[player] += 1
                    showdown.append(player)
        winner = max(showdown, key=lambda p: self.cards[p])
        pot = sum(contrib)
        return [float(pot - contrib[p]) if p == winner else float(-contrib[p]) for p in range(n)]


#: beyond any size limit (41! deals); larger values are refused outright
MAX_KUHN_PLAYERS = 40


def kuhn_histories(n: int) -> int:
    """Nodes of n-player Kuhn poker: the deal tree (Σ_i (n+1)!/(n+1-i)! chance nodes and deals),
    then per deal n passes in a row (n + 1 nodes) or a first bet by player k followed by a complete
    binary tree of the n - 1 answers (2^n - 1 nodes): at most (n+1)! (n + 1 + n 2^n) + deal nodes."""
    deal_nodes = sum(math.factorial(n + 1) // math.factorial(n + 1 - i) for i in range(n + 1))
    return deal_nodes + math.factorial(n + 1) * (n + 1 + n * 2**n)


@register_game("kuhn_poker", family="extensive_form")
def kuhn_poker(players: int = 2) -> ExtensiveFormGame:
    """Kuhn poker: n players, n + 1 cards, ante 1, one betting round of pass/bet 1.

    Infosets are labelled by the private card (0 = lowest) followed by the betting history.
    The two-player game value for player 1 is -1/18 (Kuhn 1950).
    """
    players = check_int("players", players, minimum=2, maximum=MAX_KUHN_PLAYERS)
    check_tree(call("kuhn_poker", players=players), kuhn_histories(players))
    return ExtensiveFormGame.from_state(_KuhnState(players), players, title=f"Kuhn poker ({players} players)")


@dataclass(frozen=True)
class _LeducState:
    """Leduc hold'em (Southey et al. 2005) for n players, with OpenSpiel's n-player rules: cards
    0..2n+1 (rank = card // 2, two suits), ante 1, raises of 2 then 4, at most two raises a round;
    a player may fold only when facing a bet; folded players are skipped; a round ends once every
    remaining player has acted and matched the stakes; the public card is dealt only when more than
    one player remains; the first remaining player (from player 1) opens both rounds; at a
    showdown a pair with the public card beats a high card and tied winners split the pot."""

    num_players: int = 2
    private: tuple[int, ...] = ()
    public: int = -1
    rounds: tuple[str, ...] = ("",)  # per round: "c" call/check, "r" raise, "f" fold
    contrib: tuple[int, ...] = ()  # chips each player put in (ante included); () = the antes
    folded: int = 0  # bit mask of the players who folded
    player: int = 0  # next to act in the current round
    raises: int = 0  # raises in the current round
    calls: int = 0  # calls (checks) since the last raise in the current round

    # --- betting bookkeeping -------------------------------------------------------------
    def _stakes(self) -> tuple[int, ...]:
        return self.contrib or (1,) * self.num_players

    def _remaining(self) -> int:
        return self.num_players - self.folded.bit_count()

    def _round_done(self) -> bool:
        left = self._remaining()
        return self.calls == (left if self.raises == 0 else left - 1)

    def _next(self, p: int) -> int:
        """The next player after ``p`` who has not folded."""
        n = self.num_players
        p = (p + 1) % n
        while self.folded >> p & 1:
            p = (p + 1) % n
        return p

    def is_chance_node(self) -> bool:
        if len(self.private) < self.num_players:
            return True
        return self.public < 0 and self._remaining() > 1 and self._round_done()

    def chance_outcomes(self) -> list[tuple[int, Fraction]]:
        used = set(self.private)
        left = [c for c in range(2 * self.num_players + 2) if c not in used]
        return [(c, Fraction(1, len(left))) for c in left]

    def is_terminal(self) -> bool:
        if len(self.private) < self.num_players:
            return False
        return self._remaining() == 1 or (len(self.rounds) == 2 and self._round_done())

    def current_player(self) -> int:
        return CHANCE if self.is_chance_node() else self.player

    def legal_actions(self) -> list[int]:
        contrib = self._stakes()
        acts = [0] if max(contrib) > contrib[self.player] else []  # fold only when facing a bet
        acts.append(1)
        if self.raises < 2:
            acts.append(2)
        return acts

    def action_to_string(self, player: int, action: int) -> str:
        if player == CHANCE:
            return f"card {action}"
        return ("fold", "call", "raise")[action]

    def child(self, action: int) -> _LeducState:
        if self.is_chance_node():
            if len(self.private) < self.num_players:
                return replace(self, private=(*self.private, action))
            # the public card opens round 2, for the first player still in
            return replace(self, public=action, rounds=(*self.rounds, ""), raises=0, calls=0,
                           player=self._next(-1))
        p = self.player
        contrib = list(self._stakes())
        folded, raises, calls = self.folded, self.raises, self.calls
        if action == 0:
            folded |= 1 << p
        elif action == 1:
            contrib[p] = max(contrib)
            calls += 1
        else:
            contrib[p] = max(contrib) + (2 if len(self.rounds) == 1 else 4)
            raises, calls = raises + 1, 0
        state = replace(self, rounds=(*self.rounds[:-1], self.rounds[-1] + "fcr"[action]),
                        contrib=tuple(contrib), folded=folded, raises=raises, calls=calls)
        return replace(state, player=state._next(p)) if state._remaining() > 1 else state

    def information_state_string(self, player: int) -> str:
        card = _RANKS[self.private[player] // 2]
        pub = f"{_RANKS[self.public // 2]}{self.public % 2}" if self.public >= 0 else "?"
        return f"{card}{self.private[player] % 2}|{pub}|{'/'.join(self.rounds)}"

    def returns(self) -> list[float]:
        n, contrib = self.num_players, self._stakes()
        live = [p for p in range(n) if not self.folded >> p & 1]
        if len(live) > 1:  # showdown: a pair with the public card, else the higher private card
            pub = self.public // 2
            strength = {p: (self.private[p] // 2 == pub, self.private[p] // 2) for p in live}
            best = max(strength.values())
            live = [p for p in live if strength[p] == best]
        share = sum(contrib) / len(live)
        return [share - contrib[p] if p in live else float(-contrib[p]) for p in range(n)]


#: one-letter rank labels reach 13 ranks; 5 players already need ~2e13 bytes (6.9e10 histories),
#: beyond any size limit, so larger values are refused outright
MAX_LEDUC_PLAYERS = 5


def _deals(n: int) -> tuple[int, int]:
    """Chance nodes of the private deal (one card per player in turn from 2n + 2 cards) and deals."""
    cards = 2 * n + 2
    nodes = sum(math.factorial(cards) // math.factorial(cards - i) for i in range(n))
    return nodes, math.factorial(cards) // math.factorial(cards - n)


def leduc_histories(n: int) -> int:
    """Nodes of n-player Leduc hold'em: the deal's chance nodes, then per deal the betting tree, in
    which everything below the public card's chance node counts once per public card (n + 2 are
    left). The betting tree is counted on the state machine's betting states (memoised, so the
    count is cheap: 9,457 nodes for two players, 1,831,601 for three, 3.5e8 for four)."""
    deal_nodes, deals = _deals(n)
    memo: dict[tuple[Any, ...], int] = {}

    def count(s: _LeducState) -> int:
        key = (len(s.rounds), s.contrib, s.folded, s.player, s.raises, s.calls)
        if key not in memo:
            if s.is_terminal():
                memo[key] = 1
            elif s.is_chance_node():
                memo[key] = 1 + (n + 2) * count(s.child(2 * n + 1))
            else:
                memo[key] = 1 + sum(count(s.child(a)) for a in s.legal_actions())
        return memo[key]

    return deal_nodes + deals * count(_LeducState(n, private=tuple(range(n))))


@dataclass(frozen=True)
class _BettingTree:
    """The betting of Leduc hold'em without the cards (it does not depend on them): one node per
    betting history, the public card's chance node with its one child (the real tree has one per
    public card). ``kind`` is the player to act, CHANCE or TERMINAL; a node's children in the real
    tree are ``num`` (n + 2 public cards at the chance node), its betting children ``first``,
    ``first + step``, ... (``step`` 0 at the chance node: every public card leads to the same
    betting node); ``copies`` counts the node's copies per deal (one per public card in round 2);
    ``contrib`` and ``folded`` (a bit mask) are the players' chips in and who folded."""

    kind: np.ndarray
    num: np.ndarray
    first: np.ndarray
    step: np.ndarray
    copies: np.ndarray
    contrib: np.ndarray
    folded: np.ndarray
    history: list[str]
    actions: list[tuple[str, ...]]


def _betting_tree(n: int) -> _BettingTree:
    """The betting tree of `_LeducState` (breadth first from the end of the deal)."""
    states = [_LeducState(n, private=tuple(range(n)))]
    kind: list[int] = []
    num: list[int] = []
    first: list[int] = []
    copies = [1]
    actions: list[tuple[str, ...]] = []
    for v, s in enumerate(states):  # grows while it is walked
        if s.is_terminal():
            k, kids, acts = TERMINAL, [], ()
        elif s.is_chance_node():
            k, kids, acts = CHANCE, [s.child(2 * n + 1)], ()
        else:
            k, legal = s.player, s.legal_actions()
            kids, acts = [s.child(a) for a in legal], tuple(s.action_to_string(k, a) for a in legal)
        kind.append(k)
        num.append(n + 2 if k == CHANCE else len(kids))
        first.append(len(states))
        copies.extend([copies[v] * (n + 2 if k == CHANCE else 1)] * len(kids))
        actions.append(acts)
        states.extend(kids)
    kinds = np.array(kind, np.int8)
    return _BettingTree(
        kind=kinds, num=np.array(num, np.int32), first=np.array(first, np.int32),
        step=(kinds >= 0).astype(np.int32), copies=np.array(copies, np.int64),
        contrib=np.array([s._stakes() for s in states], np.float64),
        folded=np.array([s.folded for s in states], np.int32),
        history=["/".join(s.rounds) for s in states], actions=actions,
    )


def _leduc_payoff_tables(n: int, tree: _BettingTree, private: np.ndarray,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables of the terminal payoffs, small next to the tree: ``winners[deal, public + 1,
    folded]``, the bit mask of the players still in with the best hand (a pair with the public
    card, then the higher rank; the only player left after folds), and ``pay[betting node,
    winners]``, the payoff row when those winners split the pot."""
    C = 2 * n + 2
    bits = 1 << np.arange(n)
    rank = (private // 2).astype(np.int16)  # (deals, n)
    pub_rank = np.arange(-1, C) // 2  # no public card (-1): no pair
    strength = (rank[:, None, :] == pub_rank[None, :, None]) * (n + 1) + rank[:, None, :]
    folded = (np.arange(2**n)[:, None] & bits[None, :]) != 0
    strength = np.where(folded[None, None], -1, strength[:, :, None, :])  # (deals, C+1, 2^n, n)
    win = strength == strength.max(axis=3, keepdims=True)
    winners = (win * bits).sum(axis=3).astype(np.int8)  # masks of at most MAX_LEDUC_PLAYERS bits
    del strength, win
    won = (np.arange(2**n)[:, None] & bits[None, :]) != 0  # (2^n, n)
    share = tree.contrib.sum(axis=1)[:, None] / np.maximum(won.sum(axis=1), 1)[None, :]  # (A, 2^n)
    pay = np.where(won[None], share[:, :, None] - tree.contrib[:, None, :], -tree.contrib[:, None, :])
    return winners, pay


@dataclass(frozen=True, eq=False)
class _LeducLabels:
    """The information-set keys (or, with ``actions``, the action labels) of a generated Leduc tree,
    built from integer codes when first asked for: per information set (discovery order) its
    betting node, the owner's card and the public card (-1 before it is dealt). The strings are
    `_LeducState`'s."""

    tree: _BettingTree
    num_cards: int
    own: np.ndarray
    public: np.ndarray
    betting: np.ndarray
    actions: bool = False

    def __call__(self) -> list[Any]:
        if self.actions:
            return [self.tree.actions[v] for v in self.betting.tolist()]
        own_label = [f"{_RANKS[c // 2]}{c % 2}" for c in range(self.num_cards)]
        pub_label = ["?", *own_label]  # by public card + 1
        history = self.tree.history
        return [f"{own_label[o]}|{pub_label[q + 1]}|{history[v]}" for o, q, v in zip(
            self.own.tolist(), self.public.tolist(), self.betting.tolist(), strict=True)]


def _leduc_arrays(players: int, title: str) -> ExtensiveFormGame:
    """`_leduc_parts` compiled; the generator's temporaries are gone before compilation."""
    return ExtensiveFormGame._from_arrays(players, title=title, **_leduc_parts(players))


def _leduc_parts(n: int) -> dict[str, Any]:
    """The tree of `_LeducState` with n players, numbered as `ExtensiveFormGame.from_state` numbers
    it (breadth first, children in action order), generated one level at a time with NumPy.

    The first n levels deal the private cards (each node keeps the dealt cards as a bit mask).
    Below, a node is (betting node of `_betting_tree`, deal, public card or -1): a decision node's
    children are its betting node's children with the same cards, the public card's chance node
    has one child per card left, a terminal none. Information sets are (betting node, own card,
    public card), labelled as the state labels them; payoffs are looked up by betting node and
    winners (`_leduc_payoff_tables`). The sizes are known from the betting tree, so every output
    array is allocated once, compact, and filled level by level.
    """
    C = 2 * n + 2
    tree = _betting_tree(n)
    deal_nodes, deals = _deals(n)
    num_nodes = deal_nodes + deals * int(tree.copies.sum())
    num_terminals = deals * int(tree.copies[tree.kind == TERMINAL].sum())
    card_label = [f"card {c}" for c in range(C)]
    prob_values: list[Any] = [Fraction(1), 1, *(Fraction(1, C - i) for i in range(n)), Fraction(1, n + 2)]
    idx = index_dtype(num_nodes)
    parent = np.empty(num_nodes, idx)
    action = np.empty(num_nodes, np.int8)
    depth = np.empty(num_nodes, np.int8)
    kind = np.empty(num_nodes, np.int8)
    pid = np.empty(num_nodes, np.int8)
    node_infoset = np.full(num_nodes, -1, idx)
    util = np.empty((num_terminals, n))
    parent[0], action[0], depth[0], kind[0], pid[0] = -1, -1, 0, CHANCE, 0
    chance_labels: dict[int, tuple[str, ...]] = {}
    left_labels: dict[int, tuple[str, ...]] = {}  # the labels of the cards not in a dealt mask

    def labels(mask: int) -> tuple[str, ...]:
        if mask not in left_labels:
            left_labels[mask] = tuple(card_label[c] for c in range(C) if not mask >> c & 1)
        return left_labels[mask]

    # the deal: one card per player in turn, among the cards not dealt
    lo, hi = 0, 1  # the current level's nodes
    mask = np.zeros(1, np.int32)
    private = np.zeros((1, 0), np.int8)
    for i in range(n):
        chance_labels.update(zip(range(lo, hi), [labels(m) for m in mask.tolist()], strict=True))
        rows, cards, acts = free_children(mask, C - i, C)
        level = slice(hi, hi + len(rows))
        parent[level] = lo + rows
        action[level] = acts
        depth[level] = i + 1
        kind[level] = CHANCE if i < n - 1 else tree.kind[0]
        pid[level] = 2 + i
        lo, hi = hi, hi + len(rows)
        mask = mask[rows] | (np.int32(1) << cards.astype(np.int32))
        private = np.column_stack([private[rows], cards.astype(np.int8)])
    assert hi - lo == deals
    left = free_children(mask, n + 2, C)[1].reshape(deals, n + 2).astype(np.int8)  # cards not dealt
    deal_labels = [labels(m) for m in mask.tolist()]
    winners, pay = _leduc_payoff_tables(n, tree, private)
    del mask, rows, cards, acts

    # the betting, with the public card between the rounds
    bet = np.zeros(deals, np.int32)  # node of the betting tree
    deal = np.arange(deals, dtype=np.int32)
    pub = np.full(deals, -1, np.int8)
    info: dict[str, list[np.ndarray]] = {"player": [], "own": [], "public": [], "betting": []}
    num_infosets = 0
    num_pay, t = 2**n, 0
    num_keys = len(tree.kind) * C * (C + 1)  # information-set keys (betting node, own card, public)
    d = n
    while lo < hi:
        kinds = tree.kind[bet]
        dec = np.flatnonzero(kinds >= 0)
        if len(dec):
            b, p, pl = bet[dec], pub[dec], kinds[dec]
            own = private[deal[dec], pl]
            key = (b.astype(np.int64) * C + own) * (C + 1) + (p + 1)
            node_set, first = discovery_ids(key, num_infosets, num_keys)
            node_infoset[lo + dec] = node_set
            for name, values in (("player", pl), ("own", own), ("public", p), ("betting", b)):
                info[name].append(values[first])
            num_infosets += len(first)
            del b, p, pl, own, key, node_set, first
        del dec
        chance = kinds == CHANCE
        ch = np.flatnonzero(chance)
        chance_labels.update(zip((lo + ch).tolist(), [deal_labels[j] for j in deal[ch].tolist()],
                                 strict=True))
        te = np.flatnonzero(kinds == TERMINAL)
        if len(te):
            b, j = bet[te], deal[te]
            won = winners[j, pub[te] + 1, tree.folded[b]]
            util[t : t + len(te)] = pay.reshape(-1, n)[b * num_pay + won]
            t += len(te)
            del b, j, won
        del ch, te, kinds
        m = tree.num[bet]
        total = int(m.sum())
        if not total:
            break
        level = slice(hi, hi + total)
        parent[level] = np.repeat(np.arange(lo, hi, dtype=idx), m)
        a = np.arange(total, dtype=idx)
        a -= np.repeat(np.cumsum(m, dtype=idx) - m, m)
        action[level] = a
        depth[level] = d + 1
        from_chance = np.repeat(chance, m)
        bet = np.repeat(tree.first[bet], m) + a * np.repeat(tree.step[bet], m)
        kind[level] = tree.kind[bet]
        pid[level] = np.where(from_chance, np.int8(len(prob_values) - 1), np.int8(1))
        deal, pub = np.repeat(deal, m), np.repeat(pub, m)
        ci = np.flatnonzero(from_chance)
        pub[ci] = left[deal[ci], a[ci]]
        del a, m, from_chance, ci, chance
        lo, hi = hi, hi + total
        d += 1
    assert hi == num_nodes and t == num_terminals
    del bet, deal, pub
    codes = {k: np.concatenate(v) if v else np.zeros(0, np.int32) for k, v in info.items()}
    info.clear()
    keys = _LeducLabels(tree, C, codes["own"], codes["public"], codes["betting"])
    return dict(
        arrays={"parent": parent, "action": action, "depth": depth, "kind": kind, "infoset": node_infoset},
        pid=pid, prob_values=prob_values, chance_labels=chance_labels,
        util=util, raw_rows={}, infoset_player=codes["player"], infoset_key=keys,
        infoset_actions=replace(keys, actions=True),
        infoset_num_actions=tree.num[codes["betting"]].astype(np.int64),
    )


@register_game("leduc_poker", family="extensive_form")
def leduc_poker(players: int = 2) -> ExtensiveFormGame:
    """Leduc hold'em (Southey et al. 2005) with OpenSpiel's n-player rules (see `_LeducState`),
    generated level by level with NumPy (`_leduc_parts`); the tree is OpenSpiel's
    ``leduc_poker(players=n)`` node for node. Information sets are labelled by the private card,
    the public card (``?`` before it is dealt) and each round's actions (``c`` call/check, ``r``
    raise, ``f`` fold), e.g. ``"K1|J0|cr/c"``. Two players: 936 information sets, game value about
    -0.0856 for player 1.
    """
    players = check_int("players", players, minimum=2, maximum=MAX_LEDUC_PLAYERS)
    check_tree(call("leduc_poker", players=players), leduc_histories(players))
    title = "Leduc poker" if players == 2 else f"Leduc poker ({players} players)"
    return _leduc_arrays(players, title)
