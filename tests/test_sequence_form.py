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
from equilibria._numbers import to_fraction
from equilibria.errors import PerfectRecallError
from equilibria.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal
from equilibria.io.openspiel import from_pyspiel, rational_chance_probabilities
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


# ---- payoff scale and OpenSpiel's rounded chance probabilities (issue 10 §3) -------------------------


class _Scaled:
    """An OpenSpiel state whose returns are multiplied by ``scale`` (children are wrapped alike)."""

    def __init__(self, state, scale):
        self._state, self._scale = state, scale

    def returns(self):
        return [r * self._scale for r in self._state.returns()]

    def chance_outcomes(self):
        outcomes = self._state.chance_outcomes()
        probs = rational_chance_probabilities([p for _, p in outcomes])
        return [(a, p) for (a, _), p in zip(outcomes, probs, strict=True)]

    def child(self, action):
        return _Scaled(self._state.child(action), self._scale)

    def __getattr__(self, name):
        return getattr(self._state, name)


@cache
def scaled_kuhn(scale: float) -> ExtensiveFormGame:
    state = pyspiel.load_game("kuhn_poker").new_initial_state()
    return ExtensiveFormGame.from_state(_Scaled(state, scale), 2)


@pytest.mark.parametrize("scale", [1e-13, 1.0, 1e6, 1e19])
def test_kuhn_value_at_every_payoff_scale(scale):
    # "Payoffs of ±1e19 make the LP methods fail ('HiGHS Status 2: Model error'), even with exact=True"
    game = scaled_kuhn(scale)
    sol = eq.solve(game, "sequence-form-lp")[0]
    assert sol.info["value"] == pytest.approx(-scale / 18, rel=1e-9)
    assert sol.nash_conv <= 1e-9 * game.payoff_scale
    ex = eq.solve(game, "sequence-form-lp", exact=True)[0]
    # Kuhn's payoffs are ±1, ±2; scaled they are ±s, ±2s, read exactly as the library reads floats
    assert ex.nash_conv == 0 and ex.info["value"] == to_fraction(scale) * Fraction(-1, 18)


def test_bridged_kuhn_exact_value_is_minus_one_eighteenth():
    # "bridged Kuhn's exact value is −8333333333333333/150000000000000000 instead of −1/18"
    game = from_pyspiel("kuhn_poker")
    assert all(isinstance(p, (int, Fraction)) for p in game.exact_edge_chance_prob)
    sol = eq.solve(game, "sequence-form-lp", exact=True)[0]
    assert sol.info["value"] == Fraction(-1, 18) and sol.nash_conv == 0
    assert "exactness" not in sol.info


def test_rational_chance_probabilities():
    assert rational_chance_probabilities([1 / 3, 1 / 3, 1 / 3]) == [Fraction(1, 3)] * 3
    assert rational_chance_probabilities([0.3, 0.7]) == [Fraction(3, 10), Fraction(7, 10)]
    # no simple fraction rounds to these: kept as the floats they are
    odd = [0.123456789123, 1 - 0.123456789123]
    assert rational_chance_probabilities(odd) == odd
    # simple fractions that do not sum to 1 are not trusted either
    assert rational_chance_probabilities([0.5, 0.25]) == [0.5, 0.25]


def test_exact_mode_says_when_chance_probabilities_are_rounded_floats():
    odd = 0.123456789123
    root = Chance([("a", odd, Terminal([1, -1])), ("b", 1 - odd, Terminal([-1, 1]))])
    game = ExtensiveFormGame.from_tree(root, 2)
    sol = eq.solve(game, "sequence-form-lp", exact=True)[0]
    chance = game.exact_terminal_chance
    assert sol.info["value"] == chance[0] - chance[1]
    assert sol.info["exactness"].startswith("exact for the rational chance probabilities the game stores")
    assert "at 1 chance node the probabilities are floats" in sol.info["exactness"]
    # the value is exact for the decimals as written, rescaled to sum to 1
    a, b = Fraction(repr(odd)), Fraction(repr(1 - odd))
    assert sol.info["value"] == (a - b) / (a + b)


def test_a_game_without_perfect_recall_is_refused():
    # player 1 moves, then moves again without remembering the first move: realization plans do
    # not describe its behaviour strategies (Kuhn 1953), so the sequence form does not apply
    def second(tag):
        return Decision(0, "forgot", [("l", Terminal([1, -1])), ("r", Terminal([-1, 1]))], tag)

    root = Decision(0, "first", [("L", second("after L")), ("R", second("after R"))])
    game = ExtensiveFormGame.from_tree(root, 2)
    assert not game.has_perfect_recall
    with pytest.raises(PerfectRecallError, match="sequence-form-lp"):
        sequence_form_lp(game)


def test_sparse_rational_solve_agrees_with_dense_elimination():
    # the Markowitz-ordered sparse elimination against plain dense Gauss-Jordan in rationals, on random
    # sparse systems: consistent ones (b = M z for a random rational z) and inconsistent ones
    from equilibria.solvers.sequence_form import _solve_exact

    rng = np.random.default_rng(0)
    for trial in range(40):
        m, n = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        dense = [[Fraction(int(rng.integers(-3, 4))) if rng.random() < 0.4 else Fraction(0) for _ in range(n)]
                 for _ in range(m)]
        z = [Fraction(int(rng.integers(-5, 6)), int(rng.integers(1, 7))) for _ in range(n)]
        b = [sum((a * zj for a, zj in zip(row, z, strict=True)), Fraction(0)) for row in dense]
        if trial % 2:
            b[int(rng.integers(m))] += 1  # consistent only if that row is spanned by the others
        rows = [{j: a for j, a in enumerate(row) if a} for row in dense]
        sol = _solve_exact(rows, b, n)
        # dense reference: is the system consistent?
        aug = [row[:] + [bi] for row, bi in zip(dense, b, strict=True)]
        r = 0
        for c in range(n):
            p = next((i for i in range(r, m) if aug[i][c]), None)
            if p is None:
                continue
            aug[r], aug[p] = aug[p], aug[r]
            aug[r] = [val / aug[r][c] for val in aug[r]]
            for i in range(m):
                if i != r and aug[i][c]:
                    aug[i] = [vi - aug[i][c] * vr for vi, vr in zip(aug[i], aug[r], strict=True)]
            r += 1
        consistent = all(any(row[:n]) or row[n] == 0 for row in aug)
        assert (sol is not None) == consistent
        if sol is not None:
            assert all(sum((a * s for a, s in zip(row, sol, strict=True)), Fraction(0)) == bi
                       for row, bi in zip(dense, b, strict=True))
