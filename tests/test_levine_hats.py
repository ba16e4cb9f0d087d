"""Levine's hat game: the game, its metrics, the exact team optimum and the literature's strategies.

Known values: V_{2,1} = 1/4 and V_{2,2} = 5/16 (issue 15; Buhler et al., "On Levine's notorious hat
puzzle", Integers 2021); first black hat (1 − 4^−h)/3 → 1/3 (the recursion x = 1/4 + x/4 of the
same paper); the recursive block-3 strategy reaching 7/20 (the strategy S_3 of the literature, whose
value the analytical-framework paper arXiv:2508.01737 restates in its abstract).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, InvalidStrategyError, SizeLimitError, SolverError
from equilibria.games.levine_hats import LevineHatGame, block_positions, first_black_profile
from equilibria.metrics import best_response, deviation_gains, nash_conv
from equilibria.solvers.team_optimum import (
    best_block_strategy,
    block_strategy_value,
    first_black_value,
    simulate_block_strategy,
    team_optimum,
)


@pytest.mark.parametrize(("hats", "value"), [(1, Fraction(1, 4)), (2, Fraction(5, 16))])
def test_team_optimum_known_values(hats: int, value: Fraction) -> None:
    sol = eq.solve(f"levine_hats(hats={hats})", "team-optimum", exact=True)[0]
    assert sol.exact and list(sol.payoffs) == [value, value]
    assert sol.nash_conv == 0


def test_cli_exact_json_gives_5_16(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["solve", "levine_hats(hats=2)", "--method", "team-optimum", "--exact", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["equilibria"][0]["payoffs"] == ["5/16", "5/16"]
    assert data["nash_conv"] == "0"


def test_cli_bad_input_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "levine_hats(hats=0)", "--method", "team-optimum"]) == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err


def _brute_force_two_players(h: int) -> Fraction:
    """Every pure strategy of player 2 (h^(2^h) of them) against player 1's best response."""
    m = 1 << h
    bits = (np.arange(m)[:, None] >> np.arange(h)[None, :]) & 1  # bits[s, k]
    G = np.array(list(itertools.product(range(h), repeat=m)))  # (maps, a): player 2's position on seeing a
    # c[g, a, b] = b[g(a)]: player 2's hat is black; player 1 (sees b) wins with position i iff a_i = 1
    c = bits[np.arange(m)[None, None, :], G[:, :, None]]
    v = np.einsum("ai,gab->gbi", bits, c)  # (maps, b, i)
    return Fraction(int(v.max(axis=2).sum(axis=1).max()), m * m)


def test_branch_and_bound_matches_exhaustive_search_h3() -> None:
    sol = team_optimum(LevineHatGame(2, 3), exact=True)[0]
    assert sol.payoffs[0] == _brute_force_two_players(3)
    assert sol.payoffs[0] == LevineHatGame(2, 3).win_probability(sol.strategies, exact=True)


def test_max_nodes_is_a_hard_limit() -> None:
    with pytest.raises(SolverError, match="max_nodes"):
        team_optimum(LevineHatGame(2, 3), max_nodes=5)


def test_three_players_one_hat_is_one_eighth() -> None:
    sol = eq.solve("levine_hats(players=3, hats=1)", "team-optimum", exact=True)[0]
    assert sol.payoffs[0] == Fraction(1, 8)


@pytest.mark.parametrize("h", [1, 2, 3, 4, 5])
def test_first_black_hat_value(h: int) -> None:
    game = LevineHatGame(2, h)
    value = game.win_probability(first_black_profile(game, exact=True), exact=True)
    assert value == (1 - Fraction(1, 4**h)) / 3


def test_first_black_is_optimal_for_two_hats() -> None:
    game = LevineHatGame(2, 2)
    assert nash_conv(game, first_black_profile(game, exact=True), exact=True) == 0


def test_infinite_stack_values() -> None:
    assert first_black_value() == Fraction(1, 3)
    V, f, g = best_block_strategy(3)
    assert V == Fraction(7, 20)
    assert block_strategy_value(f, g) == Fraction(7, 20)
    rate, se = simulate_block_strategy(f, g, hats=60, samples=60_000, seed=1)
    assert abs(rate - 0.35) < 4 * se
    # the block strategy cut to h = 6 hats is a lower bound of the team optimum V_{2,6} and of 7/20
    game = LevineHatGame(2, 6)
    finite = game.win_probability(game.pure_profile([block_positions(game, f), block_positions(game, g)],
                                                    exact=True), exact=True)
    assert Fraction(1, 3) < finite < Fraction(7, 20)


def test_win_probability_against_direct_enumeration() -> None:
    rng = np.random.default_rng(0)
    game = LevineHatGame(3, 2)
    prof = [rng.dirichlet(np.ones(2), size=game.num_observations) for _ in range(3)]
    total = 0.0
    for s in itertools.product(range(4), repeat=3):
        p = 1.0
        for i in range(3):
            o = [s[j] for j in range(3) if j != i]
            row = prof[i][o[0] * 4 + o[1]]
            p *= sum(row[k] * ((s[i] >> k) & 1) for k in range(2))
        total += p
    assert game.win_probability(prof) == pytest.approx(total / 64, rel=1e-12)


def test_best_response_and_gains() -> None:
    game = LevineHatGame(2, 2)
    uni = game.uniform_profile(exact=True)
    assert game.win_probability(uni, exact=True) == Fraction(1, 4)
    br = best_response(game, uni, 0, exact=True)
    gains = deviation_gains(game, uni, exact=True)
    assert gains[0] == game.win_probability([br, uni[1]], exact=True) - Fraction(1, 4)
    assert gains[0] == 0  # against a uniform partner every position is black w.p. 1/2 jointly


def test_json_round_trip_and_errors() -> None:
    game = LevineHatGame(2, 2)
    prof = first_black_profile(game, exact=True)
    data = game.profile_to_json(prof, exact=True)
    back = game.profile_from_json(data)
    assert all((a == b).all() for a, b in zip(back, prof, strict=True))
    with pytest.raises(InvalidStrategyError, match="observation"):
        game.profile_from_json([{"XX": {"1": 1}}, data[1]])
    with pytest.raises(InvalidStrategyError):
        game.validate_profile([np.ones((4, 2))] * 2)


def test_parameters_are_validated() -> None:
    with pytest.raises(InvalidParameterError):
        eq.load_game("levine_hats(hats=0)")
    with pytest.raises(InvalidParameterError):
        eq.load_game("levine_hats(players=1)")
    with pytest.raises(SizeLimitError):
        eq.load_game("levine_hats(players=4, hats=6)")
