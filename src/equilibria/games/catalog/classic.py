"""Named classic matrix games: the small games every textbook and paper uses as test cases.

Payoffs are integers or fractions and are stored exactly (object arrays of `Fraction`), so exact
solvers and the exact NashConv see the textbook values, not their float images.

* matching pennies and rock-paper-scissors (two-player zero-sum, unique uniform equilibrium);
* weighted rock-paper-scissors (unequal gains per winning pair);
* the prisoner's dilemma (Axelrod 1984's payoffs T=5, R=3, P=1, S=0);
* the stag hunt, or trust dilemma (Skyrms 2004), whose payoff-dominant equilibrium is not the
  risk-dominant one (Harsanyi & Selten 1988);
* chicken (hawk-dove), battle of the sexes ("Bach or Stravinsky", Osborne & Rubinstein 1994);
* pure coordination with n actions (2^n - 1 equilibria);
* Shapley's 3x3 game on which fictitious play cycles (Shapley 1964);
* three-player matching pennies (Jordan 1993).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..._checks import check_int
from ..._numbers import to_fraction
from ...errors import InvalidParameterError
from ...registry import register_game
from ..normal_form import NormalFormGame
from ._limits import call, check_entries, exact_number


def _exact(x: Any, name: str) -> Fraction:
    """A game parameter as an exact rational, or `InvalidParameterError` naming it."""
    return exact_number(name, x)


def _matrix(rows: Sequence[Sequence[Any]]) -> np.ndarray:
    return np.array([[to_fraction(x) for x in row] for row in rows], dtype=object)


def _symmetric_2x2(a: Fraction, b: Fraction, c: Fraction, d: Fraction, labels: Sequence[str],
                   title: str) -> NormalFormGame:
    """Symmetric 2x2 game: the row player gets a, b, c, d at (1,1), (1,2), (2,1), (2,2); B = A^T."""
    A = _matrix([[a, b], [c, d]])
    return NormalFormGame.from_bimatrix(A, A.T.copy(), action_labels=[labels, labels],
                                        player_labels=["Row", "Column"], title=title)


@register_game("matching_pennies", family="normal_form")
def matching_pennies() -> NormalFormGame:
    """Matching pennies: the row player wins 1 if the coins match, the column player if they differ.

    Unique equilibrium: both mix (1/2, 1/2); value 0 (von Neumann & Morgenstern 1944).
    """
    return NormalFormGame.zero_sum(
        _matrix([[1, -1], [-1, 1]]), action_labels=[["Heads", "Tails"]] * 2,
        player_labels=["Matcher", "Mismatcher"], title="Matching pennies",
    )


@register_game("rock_paper_scissors", family="normal_form")
def rock_paper_scissors() -> NormalFormGame:
    """Rock-paper-scissors: win 1, lose -1, tie 0. Unique equilibrium (1/3, 1/3, 1/3) for both."""
    return _rock_paper_scissors((1, 1, 1), "Rock-paper-scissors")


@register_game("weighted_rock_paper_scissors", family="normal_form")
def weighted_rock_paper_scissors(weights: Sequence[Any] = (1, 2, 3)) -> NormalFormGame:
    """Rock-paper-scissors where a win with rock, paper, scissors pays ``weights`` = (w_R, w_P, w_S).

    The loser pays the winner, so the game is zero-sum and symmetric (A = -A^T):
    A = [[0, -w_P, w_R], [w_P, 0, -w_S], [-w_R, w_S, 0]]. Its unique equilibrium, the positive
    kernel vector of A, is (w_S, w_R, w_P) / (w_R + w_P + w_S) for both players.
    """
    return _rock_paper_scissors(weights, "")


def _rock_paper_scissors(weights: Any, title: str) -> NormalFormGame:
    if isinstance(weights, (str, bytes, dict)) or not hasattr(weights, "__len__") or len(weights) != 3:
        raise InvalidParameterError(f"weights must be three positive numbers, got {weights!r}")
    w = [_exact(x, f"weights[{i}]") for i, x in enumerate(weights)]
    if min(w) <= 0:
        raise InvalidParameterError(f"weights must be three positive numbers, got {weights!r}")
    wr, wp, ws = w
    A = _matrix([[0, -wp, wr], [wp, 0, -ws], [-wr, ws, 0]])
    title = title or f"Weighted rock-paper-scissors (weights {', '.join(map(str, w))})"
    return NormalFormGame.zero_sum(A, action_labels=[["Rock", "Paper", "Scissors"]] * 2,
                                   player_labels=["1", "2"], title=title)


@register_game("prisoners_dilemma", family="normal_form")
def prisoners_dilemma(temptation: Any = 5, reward: Any = 3, punishment: Any = 1,
                      sucker: Any = 0) -> NormalFormGame:
    """The prisoner's dilemma with Axelrod's payoffs (The Evolution of Cooperation, 1984).

    Requires T > R > P > S, which makes defection strictly dominant: the unique equilibrium is
    (Defect, Defect) although (Cooperate, Cooperate) pays both more.
    """
    T, R, P, S = (_exact(v, k) for v, k in ((temptation, "temptation"), (reward, "reward"),
                                             (punishment, "punishment"), (sucker, "sucker")))
    if not T > R > P > S:
        raise InvalidParameterError(
            f"a prisoner's dilemma needs temptation > reward > punishment > sucker; got {T}, {R}, {P}, {S}"
        )
    return _symmetric_2x2(R, S, T, P, ["Cooperate", "Defect"], "Prisoner's dilemma")


@register_game("stag_hunt", family="normal_form")
def stag_hunt(stag_stag: Any = 4, stag_hare: Any = 0, hare_stag: Any = 3,
              hare_hare: Any = 3) -> NormalFormGame:
    """The stag hunt (trust dilemma); Skyrms, The Stag Hunt and the Evolution of Social Structure (2004).

    ``x_y`` is a hunter's payoff when it hunts x and the other hunts y. The game needs
    stag_stag > hare_stag (stag answers stag), hare_hare > stag_hare (hare answers hare) and
    stag_stag > hare_hare (stag is payoff dominant). Equilibria: (Stag, Stag), (Hare, Hare) and a
    mixed one. With the defaults (4, 0, 3, 3) the payoff-dominant (Stag, Stag) is not risk dominant:
    (Hare, Hare) has the larger product of deviation losses, 3*3 > 1*1 (Harsanyi & Selten, A General
    Theory of Equilibrium Selection in Games, 1988); the mixed equilibrium hunts stag with
    probability (d - b) / (a - b - c + d) = 3/4.
    """
    a, b, c, d = (_exact(v, k) for v, k in ((stag_stag, "stag_stag"), (stag_hare, "stag_hare"),
                                             (hare_stag, "hare_stag"), (hare_hare, "hare_hare")))
    if not (a > c and d > b and a > d):
        raise InvalidParameterError(
            "a stag hunt needs stag_stag > hare_stag, hare_hare > stag_hare and stag_stag > hare_hare; "
            f"got {a}, {b}, {c}, {d}"
        )
    return _symmetric_2x2(a, b, c, d, ["Stag", "Hare"], "Stag hunt")


@register_game("chicken", family="normal_form")
def chicken(win: Any = 1, tie: Any = 0, lose: Any = -1, crash: Any = -10) -> NormalFormGame:
    """Chicken (hawk-dove): swerving loses face, but if neither swerves both crash.

    Requires win > tie > lose > crash. Equilibria: the two pure profiles where exactly one swerves,
    and the mixed one where each goes straight with probability (win - tie) / (win - tie + lose - crash)
    (1/10 with the defaults).
    """
    W, T, L, C = (_exact(v, k) for v, k in ((win, "win"), (tie, "tie"), (lose, "lose"), (crash, "crash")))
    if not W > T > L > C:
        raise InvalidParameterError(f"chicken needs win > tie > lose > crash; got {W}, {T}, {L}, {C}")
    return _symmetric_2x2(T, L, W, C, ["Swerve", "Straight"], "Chicken")


@register_game("battle_of_the_sexes", family="normal_form")
def battle_of_the_sexes(high: Any = 2, low: Any = 1) -> NormalFormGame:
    """Battle of the sexes, "Bach or Stravinsky" (Osborne & Rubinstein, A Course in Game Theory,
    1994, Figure 16.1).

    Both want to go out together; player 1 prefers Bach (``high`` vs ``low``), player 2 Stravinsky.
    Miscoordination pays 0. Equilibria: (Bach, Bach), (Stravinsky, Stravinsky), and the mixed one in
    which player 1 plays Bach with probability high / (high + low) (2/3 with the defaults) and
    player 2 with probability low / (high + low).
    """
    h, lo = _exact(high, "high"), _exact(low, "low")
    if not h > lo > 0:
        raise InvalidParameterError(f"battle_of_the_sexes needs high > low > 0; got {h}, {lo}")
    A = _matrix([[h, 0], [0, lo]])
    B = _matrix([[lo, 0], [0, h]])
    return NormalFormGame.from_bimatrix(A, B, action_labels=[["Bach", "Stravinsky"]] * 2,
                                        player_labels=["1", "2"], title="Battle of the sexes")


@register_game("pure_coordination", family="normal_form")
def pure_coordination(actions: int = 3, payoff: Any = 1) -> NormalFormGame:
    """Pure coordination: both get ``payoff`` if they pick the same of ``actions`` options, else 0.

    Every non-empty set S of actions gives an equilibrium in which both mix uniformly over S, so
    there are 2^n - 1 equilibria, all of them extreme.
    """
    actions = check_int("actions", actions, minimum=1)
    p = _exact(payoff, "payoff")
    check_entries(call("pure_coordination", actions=actions), 2 * actions * actions, exact=True)
    if p <= 0:
        raise InvalidParameterError(f"pure_coordination payoff must be positive, got {p}")
    A = np.full((actions, actions), Fraction(0), dtype=object)
    np.fill_diagonal(A, p)
    labels = [str(k + 1) for k in range(actions)]
    return NormalFormGame.from_bimatrix(A, A.copy(), action_labels=[labels, labels],
                                        title=f"Pure coordination ({actions} actions)")


@register_game("shapley_game", family="normal_form")
def shapley_game() -> NormalFormGame:
    """Shapley's 3x3 game (Shapley, "Some topics in two-person games", Annals of Math. Studies 52, 1964).

    The row player scores 1 when both pick the same action, the column player when it picks the
    action after the row player's (cyclically). Fictitious play cycles around the unique
    equilibrium, in which both mix uniformly.
    """
    A = _matrix(np.eye(3, dtype=int).tolist())
    B = _matrix(np.roll(np.eye(3, dtype=int), 1, axis=1).tolist())
    labels = ["1", "2", "3"]
    return NormalFormGame.from_bimatrix(A, B, action_labels=[labels, labels], title="Shapley's game")


@register_game("three_player_matching_pennies", family="normal_form")
def three_player_matching_pennies() -> NormalFormGame:
    """Jordan's three-player matching pennies (J. S. Jordan, "Three problems in learning
    mixed-strategy Nash equilibria", Games and Economic Behavior 5, 1993).

    Player 1 wins by matching player 2, player 2 by matching player 3, and player 3 by not matching
    player 1; a win pays 1 and a loss -1. The unique equilibrium has every player mix (1/2, 1/2).
    """
    a = np.arange(2)
    a1, a2, a3 = np.meshgrid(a, a, a, indexing="ij")
    sign = lambda win: np.where(win, 1, -1)
    u = np.stack([sign(a1 == a2), sign(a2 == a3), sign(a3 != a1)]).astype(object)
    u = np.vectorize(Fraction, otypes=[object])(u)
    return NormalFormGame(u, action_labels=[["Heads", "Tails"]] * 3, player_labels=["1", "2", "3"],
                          title="Three-player matching pennies (Jordan 1993)")
