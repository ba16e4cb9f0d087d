"""Small sequential general-sum games with perfect information, built with the tree builder.

* The centipede game (Rosenthal 1981, "Games of perfect information, predatory pricing and the
  chain-store paradox"): backward induction makes the first mover take at once.
* The trust (investment) game (Berg, Dickhaut & McCabe 1995, "Trust, reciprocity, and social
  history"), discretised: the investor sends part of an endowment, it is multiplied, and the
  trustee returns part of it. Subgame-perfect play sends nothing.
"""

from __future__ import annotations

from ...errors import InvalidParameterError
from ...registry import register_game
from ..extensive_form import Decision, ExtensiveFormGame, Terminal


@register_game("centipede", family="extensive_form")
def centipede(
    rounds: int = 6, growth: float = 2.0, small: float = 1.0, large: float = 4.0
) -> ExtensiveFormGame:
    """Rosenthal's centipede: at stage k the mover takes the larger share of a growing pot or passes.

    The pot starts at ``small + large`` and is multiplied by ``growth`` at each pass; taking gives
    the mover ``large`` times the current scale and the other ``small`` times it. If every stage is
    passed, the pot is split the other way round.
    """
    if not isinstance(rounds, int) or rounds < 1:
        raise InvalidParameterError(f"centipede rounds must be a positive integer, got {rounds!r}")
    if growth <= 1 or small < 0 or large <= small:
        raise InvalidParameterError("centipede needs growth > 1 and 0 <= small < large")

    def stage(k: int) -> object:
        scale = growth**k
        if k == rounds:
            # nobody took: the last mover's opponent gets the large share
            mover = (k - 1) % 2
            pay = [small * scale, small * scale]
            pay[1 - mover] = large * scale
            return Terminal(pay)
        mover = k % 2
        take = [small * scale, small * scale]
        take[mover] = large * scale
        return Decision(mover, f"stage {k + 1}", [("take", Terminal(take)), ("pass", stage(k + 1))])

    return ExtensiveFormGame.from_tree(stage(0), 2, title=f"Centipede ({rounds} stages)")


@register_game("trust_game", family="extensive_form")
def trust_game(endowment: int = 4, multiplier: float = 3.0, step: int = 1) -> ExtensiveFormGame:
    """The investment game: the investor sends s in {0, step, ..., endowment}; the trustee receives
    ``multiplier * s`` and returns r in {0, step, ..., multiplier * s}."""
    if not isinstance(endowment, int) or endowment < 1 or not isinstance(step, int) or step < 1:
        raise InvalidParameterError("trust_game needs integer endowment >= 1 and step >= 1")
    if multiplier < 1:
        raise InvalidParameterError(f"trust_game multiplier must be >= 1, got {multiplier!r}")
    sends = range(0, endowment + 1, step)
    branches = []
    for s in sends:
        pot = multiplier * s
        returns = [r for r in range(0, int(pot) + 1, step)]
        replies = [(f"return {r}", Terminal([endowment - s + r, pot - r])) for r in returns]
        branches.append((f"send {s}", Decision(1, f"received {pot:g}", replies)))
    return ExtensiveFormGame.from_tree(Decision(0, "invest", branches), 2, title="Trust game")
