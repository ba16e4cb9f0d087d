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
    """Leduc hold'em for two players: cards 0..5 (rank = card // 2), ante 1, raises of 2 then 4,
    at most two raises a round, player 1 acts first in both rounds."""

    private: tuple[int, ...] = ()
    public: int = -1
    rounds: tuple[str, ...] = ("",)  # per round: "c" call/check, "r" raise, "f" fold
    folded: int = -1

    # --- betting bookkeeping -------------------------------------------------------------
    def _round_done(self, h: str) -> bool:
        if not h:
            return False
        if h[-1] == "f":
            return True
        if h[-1] == "c":
            # a check-check, or a call of a raise
            return len(h) >= 2
        return False

    def _contributions(self) -> list[int]:
        contrib = [1, 1]
        for rnd, h in enumerate(self.rounds):
            size = 2 if rnd == 0 else 4
            for k, a in enumerate(h):
                p = k % 2
                if a == "r":
                    contrib[p] = contrib[1 - p] + size
                elif a == "c":
                    contrib[p] = contrib[1 - p]
        return contrib

    def is_chance_node(self) -> bool:
        if len(self.private) < 2:
            return True
        return (
            self.public < 0 and self.folded < 0 and len(self.rounds) == 1 and self._round_done(self.rounds[0])
        )

    def chance_outcomes(self) -> list[tuple[int, Fraction]]:
        used = set(self.private)
        left = [c for c in range(6) if c not in used]
        return [(c, Fraction(1, len(left))) for c in left]

    def is_terminal(self) -> bool:
        if self.folded >= 0:
            return True
        return len(self.rounds) == 2 and self._round_done(self.rounds[1])

    def current_player(self) -> int:
        if self.is_chance_node():
            return CHANCE
        return len(self.rounds[-1]) % 2

    def legal_actions(self) -> list[int]:
        h = self.rounds[-1]
        facing_raise = bool(h) and h[-1] == "r"
        acts = [0] if facing_raise else []  # fold only when facing a bet
        acts.append(1)
        if h.count("r") < 2:
            acts.append(2)
        return acts

    def action_to_string(self, player: int, action: int) -> str:
        if player == CHANCE:
            return f"card {action}"
        return ("fold", "call", "raise")[action]

    def child(self, action: int) -> _LeducState:
        if self.is_chance_node():
            if len(self.private) < 2:
                return replace(self, private=(*self.private, action))
            return replace(self, public=action, rounds=(*self.rounds, ""))
        p = self.current_player()
        h = self.rounds[-1] + "fcr"[action]
        state = replace(self, rounds=(*self.rounds[:-1], h))
        if action == 0:
            state = replace(state, folded=p)
        return state

    def information_state_string(self, player: int) -> str:
        card = _RANKS[self.private[player] // 2]
        pub = f"{_RANKS[self.public // 2]}{self.public % 2}" if self.public >= 0 else "?"
        return f"{card}{self.private[player] % 2}|{pub}|{'/'.join(self.rounds)}"

    def returns(self) -> list[float]:
        contrib = self._contributions()
        if self.folded >= 0:
            loser = self.folded
            # the folder loses what it put in; the raise it did not call is returned
            lost = contrib[loser]
            return [float(-lost) if p == loser else float(lost) for p in range(2)]
        ranks = [self.private[p] // 2 for p in range(2)]
        pub = self.public // 2
        strength = [(1 if r == pub else 0, r) for r in ranks]
        pot = contrib[0]  # both put in the same amount at a showdown
        if strength[0] == strength[1]:
            return [0.0, 0.0]
        winner = 0 if strength[0] > strength[1] else 1
        return [float(pot) if p == winner else float(-pot) for p in range(2)]


@register_game("leduc_poker", family="extensive_form")
def leduc_poker() -> ExtensiveFormGame:
    """Leduc hold'em (Southey et al. 2005): 936 information sets, game value about -0.0856 for player 1."""
    return ExtensiveFormGame.from_state(_LeducState(), 2, title="Leduc poker")
