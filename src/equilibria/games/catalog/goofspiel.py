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

from ..._checks import check_choice, check_int
from ...errors import InvalidParameterError
from ...registry import register_game
from ..extensive_form import CHANCE, ExtensiveFormGame
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
    return ExtensiveFormGame.from_state(_GoofState(num_cards, fixed, returns_type), 2, title=title)
