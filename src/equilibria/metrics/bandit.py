"""NashConv and best responses for the bandit family: per-round pseudo-regret from the known means.

A bandit is a one-player game against nature. For a distribution p over the arms,

- ``deviation_gains(game, p) = [max_a μ_a − ⟨p, μ⟩]``: the per-round pseudo-regret of playing p
  (adversarial tables: μ are the column means, so the benchmark is the best fixed arm in hindsight
  of the table; knapsacks: the Lagrangian gap to the LP benchmark at its optimal prices, see
  `equilibria.games.bandit.KnapsackBandit`);
- ``best_response(game, p, 0)``: the best arm as a one-hot vector (knapsacks: the LP's optimal mix);
- ``best_response_values(game, p) = [max_a μ_a]`` (knapsacks: OPT_LP / T).

So ``nash_conv`` of a learner's empirical play frequency N_a(t)/t is exactly its cumulative
pseudo-regret divided by t, Σ_a Δ_a N_a(t) / t, on a stochastic bandit (Lattimore & Szepesvári,
"Bandit Algorithms", Cambridge University Press 2020, Lemma 4.5).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int
from ..errors import NotApplicableError
from ..games.bandit import BanditGame, KnapsackBandit
from .core import best_response, best_response_values, deviation_gains


def _no_exact(exact: bool) -> None:
    if exact:
        raise NotApplicableError("bandit games are evaluated in floating point; drop --exact")


@deviation_gains.register
def _gains_bandit(game: BanditGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    return np.array([game.pseudo_regret(profile)])


@best_response_values.register
def _br_values_bandit(game: BanditGame, profile: Any, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    p = game.validate_profile(profile)
    if isinstance(game, KnapsackBandit):
        return np.array([game.lp_value])
    if game.adaptive:
        return np.array([float(game.reward_vectors(p[None, :])[0].max())])
    return np.array([game.best_mean])


@best_response.register
def _br_bandit(game: BanditGame, profile: Any, player: int, *, exact: bool = False) -> np.ndarray:
    _no_exact(exact)
    check_int("player", player, minimum=0, maximum=0)
    p = game.validate_profile(profile)
    if isinstance(game, KnapsackBandit):
        return np.array(game.lp_solution)
    out = np.zeros(game.num_arms)
    out[int(np.argmax(game.reward_vectors(p[None, :])[0])) if game.adaptive else game.best_arm] = 1.0
    return out


def pseudo_regret(game: BanditGame, profile: Any) -> float:
    """Per-round pseudo-regret of playing ``profile`` every round (= ``nash_conv``)."""
    return game.pseudo_regret(profile)


def simple_regret(game: BanditGame, recommendation: Any) -> float:
    """``max μ − ⟨q, μ⟩`` for a distribution q of the recommended arm (best-arm identification)."""
    return game.pseudo_regret(recommendation)
