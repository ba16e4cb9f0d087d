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

from ..._checks import check_bool, check_int
from ...registry import register_game
from ..extensive_form import CHANCE, ExtensiveFormGame
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
    return ExtensiveFormGame.from_state(
        _LiarsDiceState(faces, wild), 2, title=f"Liar's dice (1 die, {faces} faces)"
    )
