"""The exact solvers on the smallest and flattest games, and their option checks (issue 10 §3/§4).

Defects pinned here:
- "`logit-qre-path -o max_steps=0` raises ZeroDivisionError", "`lam_max=nan` is accepted",
  "`l2=-1` is accepted" (bt-rlhf, dpo): every option is validated before the run and a wrong
  type or range raises `InvalidParameterError`, as does an unknown option.
- 1×1 games, constant payoffs, and exact mode on float payoffs must not crash any solver: every
  solver either answers with an equilibrium (NashConv 0, exactly in exact mode) or refuses with one
  of the library's errors that says why.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import (
    DegenerateGameError,
    InvalidParameterError,
    NotApplicableError,
)
from equilibria.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal
from equilibria.games.markov import MarkovGame
from equilibria.games.normal_form import NormalFormGame

NF_SOLVERS = [
    "lp", "iterated-dominance", "vertex-enumeration", "support-enumeration", "lemke-howson",
    "correlated", "coarse-correlated", "logit-qre-path",
]
EXACT_NF = {"lp", "iterated-dominance", "vertex-enumeration", "support-enumeration", "lemke-howson",
            "correlated", "coarse-correlated"}

TINY_GAMES = {
    "1x1": NormalFormGame(np.array([[[3.0]], [[-3.0]]])),
    "1x3": NormalFormGame.zero_sum([[1, 0, 2]]),
    "constant 2x3": NormalFormGame(np.full((2, 2, 3), 0.0)),
    "constant-sum 3x2": NormalFormGame(np.stack([np.full((3, 2), 2.5), np.full((3, 2), 1.5)])),
    "float 2x2": NormalFormGame.zero_sum([[0.1, -0.3], [-0.2, 0.7]]),
    "general-sum 2x1": NormalFormGame.from_bimatrix([[0.1], [0.2]], [[0.3], [-0.4]]),
}

#: errors a solver may give on purpose when a game is outside what it handles
REFUSALS = (NotApplicableError, DegenerateGameError)


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("game_name", list(TINY_GAMES))
@pytest.mark.parametrize("method", NF_SOLVERS)
def test_tiny_and_flat_games_do_not_crash(method, game_name, exact):
    game = TINY_GAMES[game_name]
    if exact and method not in EXACT_NF:
        with pytest.raises(InvalidParameterError, match="exact"):
            eq.solve(game, method, exact=True)
        return
    try:
        sols = eq.solve(game, method, exact=exact)
    except REFUSALS as err:
        # a deliberate refusal names the reason: lp on general-sum games, support enumeration on
        # degenerate ones (every constant game is degenerate)
        assert method in ("lp", "support-enumeration"), err
        return
    assert sols
    for s in sols:
        for p in s.strategies:
            assert sum(p) == 1 if exact else abs(sum(p) - 1) <= 1e-12
        if method in ("correlated", "coarse-correlated"):
            key = "ce_gap" if method == "correlated" else "cce_gap"
            assert s.info["metric"] == key
            assert (s.info[key] == 0) if exact else s.info[key] <= 1e-12
        else:
            assert (s.nash_conv == 0) if exact else s.nash_conv <= 1e-12


def test_exact_lp_on_float_payoffs_is_exact_for_the_float_game():
    # 0.1 is not 1/10; the exact game is the binary fractions the floats are, and lp solves that one
    g = TINY_GAMES["float 2x2"]
    sol = eq.solve(g, "lp", exact=True)[0]
    A = g.exact_payoffs[0]
    x, y = sol.strategies
    assert min(A.T @ x) == sol.info["value"] == max(A @ y)
    assert sol.info["value"] != Fraction(1, 100) and abs(float(sol.info["value"])) < 1


def _one_move_tree(payoffs: list[int]) -> ExtensiveFormGame:
    return ExtensiveFormGame.from_tree(
        Decision(0, "only", [(f"a{k}", Terminal([p, -p])) for k, p in enumerate(payoffs)]), 2
    )


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize(
    ("game", "value"),
    [
        (_one_move_tree([4]), 4),  # one decision with one action
        (_one_move_tree([0, 0, 0]), 0),  # constant payoffs
        # no decision at all: 1/3 · 1 + 2/3 · (−2) = −1
        (ExtensiveFormGame.from_tree(Chance([("l", Fraction(1, 3), Terminal([1, -1])),
                                             ("r", Fraction(2, 3), Terminal([-2, 2]))]), 2), -1),
    ],
    ids=["one-action", "constant", "chance-only"],
)
def test_sequence_form_lp_on_tiny_trees(game, value, exact):
    sol = eq.solve(game, "sequence-form-lp", exact=exact)[0]
    if exact:
        assert sol.nash_conv == 0 and sol.info["value"] == value
    else:
        assert sol.nash_conv <= 1e-12 and abs(sol.info["value"] - value) <= 1e-12


@pytest.mark.parametrize("method", ["shapley", "nash-value-iteration", "ce-value-iteration"])
def test_markov_solvers_on_a_one_state_one_action_game(method):
    # a single absorbing-in-itself state with one joint action: the value is r / (1 − γ) = 1 / 0.5
    g = MarkovGame(np.array([[[[1.0]], [[-1.0]]]]), np.ones((1, 1, 1, 1)), discount=0.5)
    sol = eq.solve(g, method)[0]
    assert sol.payoffs[0] == pytest.approx(2.0, abs=1e-12)
    assert sol.nash_conv <= 1e-12


# ---- option checks ------------------------------------------------------------------------------

BAD_OPTIONS = [
    ("logit-qre-path", "normal_form", {"max_steps": 0}),
    ("logit-qre-path", "normal_form", {"lam_max": float("nan")}),
    ("logit-qre-path", "normal_form", {"lam_max": -1.0}),
    ("logit-qre-path", "normal_form", {"tol": float("nan")}),
    ("logit-qre", "normal_form", {"lam": float("nan")}),
    ("logit-qre", "normal_form", {"lam": "big"}),
    ("lp", "normal_form", {"polish": "yes"}),
    ("iterated-dominance", "normal_form", {"tol": float("nan")}),
    ("iterated-dominance", "normal_form", {"mixed": "no"}),
    ("iterated-dominance", "normal_form", {"inner": 3}),
    ("vertex-enumeration", "normal_form", {"search": "dfs"}),
    ("support-enumeration", "normal_form", {"search": None}),
    ("lemke-howson", "normal_form", {"label": 2.5}),
    ("lemke-howson", "normal_form", {"label": 99}),
    ("lemke-howson", "normal_form", {"max_pivots": 0}),
    ("lemke-howson", "normal_form", {"all_labels": "maybe"}),
    ("correlated", "normal_form", {"objective": "fairness"}),
    ("shapley", "markov", {"tol": -1.0}),
    ("shapley", "markov", {"max_iter": 0}),
    ("shapley", "markov", {"check_every": float("nan")}),
    ("nash-value-iteration", "markov", {"tol": float("nan")}),
    ("nash-value-iteration", "markov", {"stage_method": 5}),
    ("ce-value-iteration", "markov", {"max_iter": 1.5}),
    ("bt-rlhf", "preference", {"l2": -1.0}),
    ("bt-rlhf", "preference", {"l2": float("nan")}),
    ("dpo", "preference", {"pairs": "random"}),
    ("ipo", "preference", {"pairs": 1}),
    ("best-of-n", "preference", {"n": 0}),
    ("best-of-n", "preference", {"n": 2.5}),
    ("preference-nash", "preference", {"tol": 0.0}),
]

GAMES = {
    "normal_form": lambda: NormalFormGame.zero_sum([[1, -1], [-1, 1]]),
    "markov": lambda: eq.load_game("random_markov_game(num_states=2, num_actions=2, zero_sum=True)"),
    "preference": lambda: eq.load_game("preference:cyclic(beta=0.1)"),
}


@pytest.mark.parametrize(("method", "family", "options"), BAD_OPTIONS,
                         ids=[f"{m}-{next(iter(o))}={next(iter(o.values()))!r}" for m, _, o in BAD_OPTIONS])
def test_bad_option_values_are_refused(method, family, options):
    with pytest.raises(InvalidParameterError):
        eq.solve(GAMES[family](), method, **options)


@pytest.mark.parametrize(
    ("method", "family"),
    [("lp", "normal_form"), ("sequence-form-lp", None), ("shapley", "markov"),
     ("ce-value-iteration", "markov"), ("minimax-winner", "preference"), ("logit-qre-path", "normal_form")],
)
def test_unknown_options_are_refused(method, family):
    game = eq.load_game("kuhn_poker") if family is None else GAMES[family]()
    with pytest.raises(InvalidParameterError):
        eq.solve(game, method, no_such_option=1)
