"""Poker games used throughout the literature on learning in imperfect-information games.

* Kuhn poker (Kuhn 1950, "A simplified two-person poker"); the n-player generalisation with
  n + 1 cards is from Abou Risk & Szafron 2010.
* Leduc hold'em (Southey et al. 2005, "Bayes' Bluff: Opponent Modelling in Poker").

Both are written as small state machines with OpenSpiel's state interface and compiled by
`ExtensiveFormGame.from_state`. Chance deals the private cards one player at a time, as OpenSpiel
does, so the trees (and every algorithm's iterates) coincide with OpenSpiel's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

from ..._checks import check_int
from ...registry import register_game
from ..extensive_form import CHANCE, ExtensiveFormGame
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


@register_game("leduc_poker", family="extensive_form")
def leduc_poker() -> ExtensiveFormGame:
    """Leduc hold'em (Southey et al. 2005): 936 information sets, game value about -0.0856 for player 1."""
    return ExtensiveFormGame.from_state(_LeducState(), 2, title="Leduc poker")
