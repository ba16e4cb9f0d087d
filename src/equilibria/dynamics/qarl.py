"""Quantal Adversarial RL (QARL): a curriculum over the QRE temperature in zero-sum Markov games.

Reddi, Tölle, Peters, Chalvatzaki & D'Eramo, "Robust Adversarial Reinforcement Learning via
Bounded Rationality Curricula", ICLR 2024. Robust adversarial RL (RARL; Pinto et al., ICML 2017)
trains a protagonist against an adversary in a zero-sum Markov game whose Nash equilibrium is the
robust policy, a hard saddle-point problem. QARL adds entropy regularisation with temperature τ:
the regularised game's equilibrium is a logit quantal response equilibrium (QRE; McKelvey &
Palfrey, GEB 1995), easy at high τ (near-uniform play, a strongly concave-convex problem) and the
Nash equilibrium as τ → 0; QARL lowers τ during training, so the agents track the QRE branch from
the easy end to the hard one (Turocy's logit-QRE path, followed by learning instead of by
continuation; `equilibria.solvers.qre` follows it for normal-form games).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_real
from ..errors import InvalidParameterError, NotApplicableError
from ..games.markov import MarkovGame
from ..ops import log_softmax
from ..registry import register_method
from .markov import _MarkovLearner


def soft_q_values(game: MarkovGame, policies: list[np.ndarray], player: int, tau: float) -> np.ndarray:
    """``Q[s, a]`` of ``player`` in the MDP the other player induces, with the entropy bonus τ H(π(·|s))
    added to the player's own reward (soft policy evaluation: one linear solve)."""
    R, T = game.rewards[:, player], game.transitions  # (S, A, B), (S, A, B, S')
    other = policies[1 - player]
    if player == 0:
        r, P = np.einsum("sab,sb->sa", R, other), np.einsum("sabu,sb->sau", T, other)
    else:
        r, P = np.einsum("sab,sa->sb", R, other), np.einsum("sabu,sa->sbu", T, other)
    pi = policies[player]
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.sum(np.where(pi > 0, pi * np.log(pi), 0.0), axis=1)
    r_pi = np.sum(pi * r, axis=1) + tau * ent
    P_pi = np.einsum("sa,sau->su", pi, P)
    V = np.linalg.solve(np.eye(game.num_states) - game.discount * P_pi, r_pi)
    return r + game.discount * P @ V


@register_method("qarl", families=("markov",))
class QARL(_MarkovLearner):
    """QARL: entropy-regularised policy updates with an annealed QRE temperature (Reddi et al., ICLR 2024).

    Reddi, Tölle, Peters, Chalvatzaki & D'Eramo, "Robust Adversarial Reinforcement Learning via
    Bounded Rationality Curricula", ICLR 2024. Two-player zero-sum discounted Markov games; the
    protagonist is player ``protagonist`` (its policy is the method's product), the other player
    the adversary. Rewards are read in units of ``scale`` = max |r|, so temperatures and step sizes
    mean the same at every payoff scale. Iteration t:

    1. the curriculum: τ_t = τ_end + (τ_0 − τ_end) · ``decay``^t (τ_0 = ``temperature``, τ_end =
       ``final_temperature``; the easy entropy-regularised game first, the Nash game last);
    2. for each player i, the soft Q-values Q_i(s, a) of its own reward plus the entropy bonus
       τ_t · scale · H(π_i(·|s)), in the MDP the other player's current policy induces
       (`soft_q_values`);
    3. both players at once, the entropy-regularised natural policy gradient (policy mirror descent)
       step π_i(·|s) ∝ π_i(·|s)^{1 − η τ_t} exp(η Q_i(s, ·) / scale), η = ``step_size``.

    At a fixed τ > 0 the fixed point of step 3 is π_i = softmax(Q_i / (τ · scale)) for both players:
    the logit QRE of the Markov game at precision λ = 1/(τ · scale) (for a one-state game with
    discount 0, the normal-form logit QRE of `equilibria.solvers.qre.logit_qre`). With
    ``temperature=0`` the same updates are plain simultaneous adversarial training (RARL's
    alternating best responses taken as simultaneous policy steps), whose last iterate can cycle.

    Simplifications (our own reading; the paper's full text was reachable only in abstract): the
    paper runs soft actor-critic on MuJoCo tasks and chooses the temperature distribution by a
    self-paced curriculum that trades off the protagonist's return against the distance to the
    target (fully rational) distribution; here the policy updates are exact tabular ones and the
    curriculum is the fixed geometric schedule of step 1, with one temperature for both players.
    """

    default_output = "last"

    def __init__(
        self,
        game: MarkovGame,
        *,
        seed: int | None = None,
        temperature: float = 1.0,
        final_temperature: float = 0.0,
        decay: float = 0.99,
        step_size: float = 0.5,
        protagonist: int = 0,
    ):
        super().__init__(game, seed=seed)
        if game.num_players != 2 or not game.is_zero_sum:
            raise NotApplicableError(
                "qarl trains a protagonist against an adversary: it needs a two-player zero-sum Markov game")
        self.temperature = check_real("temperature", temperature, minimum=0.0, maximum=1e6)
        self.final_temperature = check_real("final_temperature", final_temperature, minimum=0.0,
                                            maximum=self.temperature)
        self.decay = check_real("decay", decay, minimum=0.0, maximum=1.0, strict_minimum=True)
        self.step_size = check_positive("step_size", step_size, maximum=1e6)
        if self.step_size * self.temperature > 1.0:
            raise InvalidParameterError(
                f"step_size × temperature must be at most 1 (got {self.step_size:g} × {self.temperature:g}): "
                "the update raises the policy to the power 1 − step_size × temperature")
        self.protagonist = check_int("protagonist", protagonist, minimum=0, maximum=1)
        r = float(np.abs(game.rewards).max()) if game.rewards.size else 0.0
        self.scale = r if r > 0 else 1.0
        self.logits = [np.full((game.num_states, k), -np.log(k)) for k in game.num_actions]

    def current_temperature(self) -> float:
        """τ_t of step 1 (relative to the reward scale)."""
        span = self.temperature - self.final_temperature
        return self.final_temperature + span * self.decay ** self.iteration

    def current_strategy(self) -> list[np.ndarray]:
        return [np.exp(lg) for lg in self.logits]

    def _step(self) -> None:
        tau = self.current_temperature()
        pols = self.current_strategy()
        eta = self.step_size
        q = [soft_q_values(self.game, pols, i, tau * self.scale) for i in range(2)]
        self.logits = [log_softmax((1.0 - eta * tau) * lg + eta * qi / self.scale, axis=1)
                       for lg, qi in zip(self.logits, q, strict=True)]

    def robust_value(self) -> float:
        """The protagonist's worst-case value: its expected return against a best-responding adversary."""
        from ..metrics import best_response_values

        prof = self.current_strategy()
        adv = 1 - self.protagonist
        # zero-sum: the protagonist gets minus what the adversary's best response gets
        return -float(np.asarray(best_response_values(self.game, prof))[adv])

    def diagnostics(self) -> dict[str, float]:
        return {"temperature": float(self.current_temperature()), "robust_value": self.robust_value()}


def qre_residual(game: MarkovGame, policies: Any, temperature: float) -> float:
    """max |π_i − softmax(Q_i / (τ · scale))| over players and states: 0 exactly at the Markov logit QRE
    at temperature τ (relative to the reward scale, as in `QARL`)."""
    tau = check_positive("temperature", temperature)
    pols = [np.asarray(p, dtype=float) for p in game.validate_profile(policies)]
    pols = [p[0] for p in pols]
    r = float(np.abs(game.rewards).max()) if game.rewards.size else 0.0
    scale = r if r > 0 else 1.0
    out = 0.0
    for i in range(2):
        q = soft_q_values(game, pols, i, tau * scale)
        target = np.exp(log_softmax(q / (tau * scale), axis=1))
        out = max(out, float(np.max(np.abs(target - pols[i]))))
    return out
