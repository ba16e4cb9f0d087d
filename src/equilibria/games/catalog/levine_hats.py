"""Levine's hat game (Buhler et al., "On Levine's notorious hat puzzle", Integers 2021).

- ``levine_hats(players=2, hats=h)``: n players, h random black/white hats each; every player names
  a position in their own stack, seeing only the others' stacks; the team wins iff every named hat
  is black (`equilibria.games.levine_hats.LevineHatGame`).
"""

from __future__ import annotations

from ..._checks import check_int
from ...registry import register_game
from ..levine_hats import MAX_TOTAL_HATS, LevineHatGame
from ._limits import call, check_bytes


@register_game("levine_hats", family="hats")
def levine_hats(players: int = 2, hats: int = 2) -> LevineHatGame:
    """Levine's hat game: name a black hat in your own stack seeing only the others' (Buhler et al. 2021)."""
    n = check_int("players", players, minimum=2, maximum=MAX_TOTAL_HATS)
    h = check_int("hats", hats, minimum=1, maximum=MAX_TOTAL_HATS)
    # a strategy per player (2^((n-1)h) x h floats) and the state tensor with its temporaries
    nbytes = 8 * (n * h * 2 ** ((n - 1) * h) + 4 * h * 2 ** (n * h))
    check_bytes(call("levine_hats", players=n, hats=h), nbytes)
    return LevineHatGame(players=n, hats=h)
