"""The sequence-form LP: game values of Kuhn and Leduc poker, exact mode, and its error paths.

Known values (../shared/reference/known-values.md): Kuhn poker is worth −1/18 to player 1
(Kuhn 1950); Leduc poker ≈ −0.0856 to player 1 (Southey et al. 2005; OpenSpiel's LP solution).
"""

from fractions import Fraction
from functools import cache

import numpy as np
import pyspiel
import pytest

import equilibria as eq
from equilibria.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal
from equilibria.metrics import nash_conv
from equilibria.solvers.sequence_form import sequence_form_lp


@cache
def spiel_game(name: str, players: int = 2) -> ExtensiveFormGame:
    return ExtensiveFormGame.from_state(pyspiel.load_game(name, {"players": players}).new_initial_state())


def test_kuhn_value_is_minus_one_eighteenth_exactly():
    sol = eq.solve("kuhn_poker", "sequence-form-lp", exact=True)[0]
    assert sol.exact and sol.info["value"] == Fraction(-1, 18)
    assert sol.nash_conv == 0
    assert list(sol.payoffs) == [Fraction(-1, 18), Fraction(1, 18)]
    assert all(isinstance(x, Fraction) for x in np.asarray(sol.strategies).flat)


def test_kuhn_from_openspiel_float_mode():
    game = spiel_game("kuhn_poker")
    sol = eq.solve(game, "sequence-form-lp")[0]
    assert sol.info["value"] == pytest.approx(-1 / 18, abs=1e-9)
    assert sol.nash_conv < 1e-9
    assert sol.payoffs[0] == pytest.approx(-1 / 18, abs=1e-9)


def test_leduc_value():
    game = spiel_game("leduc_poker")
    sol = sequence_form_lp(game)[0]
    assert sol.info["value"] == pytest.approx(-0.0856, abs=1e-4)
    assert nash_conv(game, sol.strategies) < 1e-8
    assert sol.payoffs[0] == pytest.approx(sol.info["value"], abs=1e-9)


def test_exact_mode_on_a_game_with_a_unique_mixed_equilibrium():
    # matching pennies with a sequential move hidden from player 2: value 0, both mix 1/2
    # (known-values.md); a chance move in front (prob 1/3, 2/3) scales nothing
    def pennies(label):
        return Decision(0, "p1", [
            ("H", Decision(1, "p2", [("h", Terminal([1, -1])), ("t", Terminal([-1, 1]))])),
            ("T", Decision(1, "p2", [("h", Terminal([-1, 1])), ("t", Terminal([1, -1]))])),
        ], label)
    root = Chance([("a", Fraction(1, 3), pennies("a")), ("b", Fraction(2, 3), pennies("b"))])
    game = ExtensiveFormGame.from_tree(root, 2)
    sol = sequence_form_lp(game, exact=True)[0]
    assert sol.info["value"] == 0
    assert sol.strategies[0, 0] == Fraction(1, 2) and sol.strategies[1, 1] == Fraction(1, 2)


def test_not_applicable_to_three_players_or_general_sum():
    with pytest.raises(eq.NotApplicableError):
        sequence_form_lp(spiel_game("kuhn_poker", 3))
    trust = ExtensiveFormGame.from_tree(
        Decision(0, "a", [
            ("keep", Terminal([1, 1])),
            ("give", Decision(1, "b", [("share", Terminal([2, 2])), ("take", Terminal([0, 4]))])),
        ]),
        2,
    )
    with pytest.raises(eq.NotApplicableError):
        sequence_form_lp(trust)
    with pytest.raises(eq.NotApplicableError):
        sequence_form_lp(eq.NormalFormGame.zero_sum([[1, -1], [-1, 1]]))


def test_is_the_default_method_for_two_player_zero_sum():
    game = spiel_game("kuhn_poker")
    sol = eq.solve(game)[0]
    assert sol.method == "sequence-form-lp"
