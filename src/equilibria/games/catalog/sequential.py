"""Small sequential general-sum games with perfect information, built with the tree builder.

* The centipede game (Rosenthal 1981, "Games of perfect information, predatory pricing and the
  chain-store paradox"): backward induction makes the first mover take at once.
* The trust (investment) game (Berg, Dickhaut & McCabe 1995, "Trust, reciprocity, and social
  history"), discretised: the investor sends part of an endowment, it is multiplied, and the
  trustee returns part of it. Subgame-perfect play sends nothing.
"""

from __future__ import annotations

import math

from ..._checks import check_int, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..extensive_form import Decision, ExtensiveFormGame, Terminal
from ._limits import MAX_PAYOFF, call, check_tree, payoff


@register_game("centipede", family="extensive_form")
def centipede(
    rounds: int = 6, growth: float = 2.0, small: float = 1.0, large: float = 4.0
) -> ExtensiveFormGame:
    """Rosenthal's centipede: at stage k the mover takes the larger share of a growing pot or passes.

    The pot starts at ``small + large`` and is multiplied by ``growth`` at each pass; taking gives
    the mover ``large`` times the current scale and the other ``small`` times it. If every stage is
    passed, the pot is split the other way round.
    """
    rounds = check_int("rounds", rounds, minimum=1)
    growth = check_real("growth", growth, minimum=1.0, strict_minimum=True, maximum=MAX_PAYOFF)
    small = payoff("small", small, minimum=0.0)
    large = payoff("large", large, minimum=small, strict_minimum=True)
    what = call("centipede", rounds=rounds, growth=growth)
    check_tree(what, 2 * rounds + 1)
    # the last stage pays large * growth^rounds: bound it (and growth^rounds) in log space, since
    # the power itself may overflow
    if math.log(max(large, 1.0)) + rounds * math.log(growth) > math.log(MAX_PAYOFF):
        raise InvalidParameterError(
            f"{what}: the payoff large * growth^rounds exceeds {MAX_PAYOFF:g}; use fewer rounds or a "
            "smaller growth"
        )

    def share(k: int, winner: int) -> list[float]:
        scale = growth**k
        pay = [small * scale, small * scale]
        pay[winner] = large * scale
        return pay

    # built bottom-up in a loop (a recursion over the stages would hit Python's recursion limit)
    node: object = Terminal(share(rounds, 1 - (rounds - 1) % 2))  # nobody took: the last mover's opponent
    for k in range(rounds - 1, -1, -1):
        mover = k % 2
        node = Decision(mover, f"stage {k + 1}", [("take", Terminal(share(k, mover))), ("pass", node)])
    return ExtensiveFormGame.from_tree(node, 2, title=f"Centipede ({rounds} stages)")


@register_game("trust_game", family="extensive_form")
def trust_game(endowment: int = 4, multiplier: float = 3.0, step: int = 1) -> ExtensiveFormGame:
    """The investment game: the investor sends s in {0, step, ..., endowment}; the trustee receives
    ``multiplier * s`` and returns r in {0, step, ..., multiplier * s}."""
    endowment = check_int("endowment", endowment, minimum=1)
    step = check_int("step", step, minimum=1)
    multiplier = check_real("multiplier", multiplier, minimum=1.0, maximum=MAX_PAYOFF)
    if multiplier * endowment > MAX_PAYOFF:
        raise InvalidParameterError(f"trust_game payoffs multiplier * endowment exceed {MAX_PAYOFF:g}")
    # S = endowment // step + 1 sends; after sending s = j·step the trustee has multiplier·j + 1 replies
    sends = endowment // step + 1
    check_tree(call("trust_game", endowment=endowment, multiplier=multiplier, step=step),
               1 + 2 * sends + multiplier * sends * (sends - 1) / 2)
    sends = range(0, endowment + 1, step)
    branches = []
    for s in sends:
        pot = multiplier * s
        returns = [r for r in range(0, int(pot) + 1, step)]
        replies = [(f"return {r}", Terminal([endowment - s + r, pot - r])) for r in returns]
        branches.append((f"send {s}", Decision(1, f"received {pot:g}", replies)))
    return ExtensiveFormGame.from_tree(Decision(0, "invest", branches), 2, title="Trust game")
