"""Learners for finite-state mean-field games (`equilibria.games.mean_field.MeanFieldGame`).

Every learner here works on the exact (tabular) model: each iteration is one forward pass (the
population's flow μ under a policy) and one backward pass (best response, or the values of a
policy) of the game, whole-array NumPy over populations, states and actions. Policies have the
game's `policy_shape` ``(K, H, S, A)`` (finite horizon) or ``(K, S, A)`` (discounted, stationary).
With several populations every population updates at once against the others' current flow.

Methods (see each class):

- ``fixed-point``: Banach–Picard iteration of the best-response map, with damping of the flow;
- ``fictitious-play``: best responses averaged with the flows' weights (Perrin et al. 2020);
- ``omd``: online mirror descent on accumulated Q-functions (Pérolat et al. 2022);
- ``munchausen-omd``: OMD through the Munchausen trick (Laurière et al. 2022);
- ``boltzmann-policy-iteration``: softmax of the current policy's Q-function;
- ``prior-descent``: softmax of the optimal Q-function around a prior (Cui & Koeppl 2021);
- ``mf-omo``: the MF-OMO optimisation formulation on occupation measures (Guo, Hu & Zhang 2023).

``fictitious-play`` with its default options follows OpenSpiel's
``open_spiel.python.mfg.algorithms`` trajectory iteration by iteration (the tests check the
policies and the exploitability to 1e-9 for 20 iterations on crowd_modelling). ``omd`` follows
OpenSpiel's ``MirrorDescent`` exactly with ``sweep="openspiel"`` (and `openspiel_sweep`); its
default is the paper's rule, which OpenSpiel's sweep departs from on games whose decision nodes
share children (crowd_modelling: 1e-3 in exploitability by iteration 20; see
`OnlineMirrorDescent`), and which equals OpenSpiel's ``MirrorDescent`` with the sweep's value
table frozen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_probability, check_size
from ..errors import InvalidParameterError, NotApplicableError
from ..games.mean_field import MeanFieldGame
from ..ops import project_simplex, softmax
from ..registry import register_method
from ..run import Learner

FAMILY = ("mean_field",)


def _check_game(game: Any) -> MeanFieldGame:
    if not isinstance(game, MeanFieldGame):
        raise NotApplicableError("this learner applies to mean-field games (family 'mean_field')")
    return game


def _legal(game: MeanFieldGame) -> np.ndarray:
    """The legal-action mask in the policy's shape."""
    return game.legal[:, 0] if game.stationary else game.legal


def _decision_flow(game: MeanFieldGame, mu: np.ndarray) -> np.ndarray:
    """μ at the decision steps, shaped like a policy without its action axis."""
    return mu if game.stationary else mu[:, :-1]


def _evaluate(game: MeanFieldGame, pi: np.ndarray) -> tuple[np.ndarray, Any]:
    """``(μ^π, the MDP μ^π induces)``: one forward pass, the kernels reused by the backward pass."""
    mu, kernels = game._forward(pi)
    mdp = game.induced_mdp(mu, pi if game.action_dependent else None, kernels)
    return mu, mdp


def _masked_softmax(game: MeanFieldGame, logits: np.ndarray) -> np.ndarray:
    if not game.all_legal:
        logits = np.where(_legal(game), logits, -np.inf)
    return softmax(logits)


def _log(pi: np.ndarray) -> np.ndarray:
    """``log π`` with ``-inf`` where π is zero (illegal actions), without a warning."""
    with np.errstate(divide="ignore"):
        return np.log(pi)


def _mix_by_flow(
    game: MeanFieldGame, pi: np.ndarray, mu: np.ndarray, br: np.ndarray, mu_br: np.ndarray, w: float
) -> np.ndarray:
    """``((1 − w) μ π + w μ' π') / ((1 − w) μ + w μ')`` per state: the policy whose state-action flow
    is the mixture of the two flows (uniform over the legal actions where neither visits)."""
    a = (1.0 - w) * _decision_flow(game, mu)[..., None]
    b = w * _decision_flow(game, mu_br)[..., None]
    num = a * pi + b * br
    den = a + b
    uniform = game.uniform_policy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), uniform)


def _finite_difference_gradient(phi: Callable[[np.ndarray], float], m: np.ndarray) -> np.ndarray:
    """The gradient of the scalar function ``phi`` at the flow ``m``, one coordinate at a time: central
    differences with step h = 1e-6·max(1, |m_j|), one-sided (forward) where m_j < h so that no mass is
    made negative."""
    grad = np.zeros_like(m)
    flat = m.reshape(-1)
    base = None
    for j in range(flat.size):
        h = 1e-6 * max(1.0, abs(flat[j]))
        up = flat.copy()
        up[j] += h
        if flat[j] >= h:
            down = flat.copy()
            down[j] -= h
            grad.reshape(-1)[j] = (phi(up.reshape(m.shape)) - phi(down.reshape(m.shape))) / (2 * h)
        else:
            if base is None:
                base = phi(m)
            grad.reshape(-1)[j] = (phi(up.reshape(m.shape)) - base) / h
    return grad


class _MeanFieldLearner(Learner):
    families = FAMILY
    default_output = "last"

    def __init__(self, game: MeanFieldGame, *, seed: int | None = None):
        super().__init__(_check_game(game), seed=seed)
        self.policy = game.uniform_policy()

    def current_strategy(self) -> np.ndarray:
        return self.policy


@register_method("fixed-point", families=FAMILY)
class FixedPoint(_MeanFieldLearner):
    """Damped fixed-point iteration of the best-response map (Huang, Malhamé & Caines, "Large
    population stochastic dynamic games: closed-loop McKean–Vlasov systems and the Nash certainty
    equivalence principle", Communications in Information and Systems 2006; as OpenSpiel's
    ``fixed_point.FixedPoint``, with the damping of Lasry & Lions' numerical schemes).

    State: the policy π_k and a damped flow m̄_k (starting from the uniform policy's flow).

    1. π_{k+1} = a best response to m̄_k: greedy (ties to the lowest action, as OpenSpiel), or with
       ``temperature`` the softmax ``π ∝ exp(Q*/temperature)`` of the optimal Q-function.
    2. m̄_{k+1} = (1 − damping) m̄_k + damping · μ^{π_{k+1}} (for games whose model sees the
       state-action flow, the state-action flows are mixed).

    ``damping = 1`` (the default) is the undamped Banach–Picard iteration (OpenSpiel's
    ``FixedPoint``), which can cycle; smaller damping smooths it. The last policy is the output.
    """

    def __init__(
        self,
        game: MeanFieldGame,
        *,
        seed: int | None = None,
        damping: float = 1.0,
        temperature: float | None = None,
    ):
        super().__init__(game, seed=seed)
        self.damping = check_probability("damping", damping, open_low=True)
        self.temperature = None if temperature is None else check_positive("temperature", temperature)
        self.mu_bar, _ = _evaluate(game, self.policy)
        self.population_policy = self.policy.copy()
        self.residual = math.inf

    def _step(self) -> None:
        g = self.game
        mdp = g.induced_mdp(self.mu_bar, self.population_policy if g.action_dependent else None)
        Q, _, br = g.backward(mdp)
        if self.temperature is not None:
            br = _masked_softmax(g, Q / self.temperature)
        self.policy = br
        mu_new = g.forward(br)
        self.residual = float(np.max(np.abs(mu_new - self.mu_bar)))
        d = self.damping
        if d == 1.0:
            self.mu_bar, self.population_policy = mu_new, br
            return
        self.population_policy = _mix_by_flow(g, self.population_policy, self.mu_bar, br, mu_new, d)
        self.mu_bar = (1.0 - d) * self.mu_bar + d * mu_new

    def diagnostics(self) -> dict[str, float]:
        """``residual``: max |μ^{π_{k}} − m̄_{k−1}|, zero at a fixed point of the damped map."""
        return {"residual": self.residual}


@register_method("fictitious-play", families=FAMILY)
class FictitiousPlay(_MeanFieldLearner):
    """Fictitious play for mean-field games (Perrin, Pérolat, Laurière, Geist, Elie & Pietquin,
    "Fictitious Play for Mean Field Games: Continuous Time Analysis and Applications", NeurIPS 2020),
    in the discrete-time form of OpenSpiel's ``fictitious_play.FictitiousPlay``.

    State: the averaged policy π̄_k (uniform at k = 0) and the iteration count.

    1. μ_k = μ^{π̄_k} (forward pass); β_k = a best response to μ_k (greedy, ties to the lowest
       action; with ``temperature`` the softmax of the optimal Q-function, as OpenSpiel's option).
    2. w_k = ``step_size`` if given, else 1/(k + 2).
    3. π̄_{k+1}(a|s) = ((1 − w) μ_k(s) π̄_k(a|s) + w μ^{β_k}(s) β_k(a|s)) / ((1 − w) μ_k(s) + w μ^{β_k}(s)),
       the policy whose state-action flow averages the two (uniform where neither visits).

    The averaged policy is the output; ``current_strategy`` is the last best response. The
    exploitability of π̄ falls as O(1/k) in monotone games (the paper's continuous-time rate).
    """

    default_output = "average"

    def __init__(
        self,
        game: MeanFieldGame,
        *,
        seed: int | None = None,
        step_size: float | None = None,
        temperature: float | None = None,
    ):
        super().__init__(game, seed=seed)
        self.step_size = (
            None if step_size is None else check_probability("step_size", step_size, open_low=True)
        )
        self.temperature = None if temperature is None else check_positive("temperature", temperature)
        self.last_response = self.policy.copy()

    def _step(self) -> None:
        g = self.game
        mu, mdp = _evaluate(g, self.policy)
        Q, _, br = g.backward(mdp)
        if self.temperature is not None:
            br = _masked_softmax(g, Q / self.temperature)
        w = self.step_size if self.step_size is not None else 1.0 / (self.iteration + 2)
        self.last_response = br
        if w == 1.0:
            self.policy = br
            return
        self.policy = _mix_by_flow(g, self.policy, mu, br, g.forward(br), w)

    def current_strategy(self) -> np.ndarray:
        return self.last_response

    def average_strategy(self) -> np.ndarray:
        return self.policy


@register_method("omd", families=FAMILY)
class OnlineMirrorDescent(_MeanFieldLearner):
    """Online mirror descent for mean-field games (Pérolat, Perrin, Elie, Laurière, Piliouras, Geist,
    Tuyls & Pietquin, "Scaling up Mean Field Games with Online Mirror Descent", AAMAS 2022), as
    OpenSpiel's ``mirror_descent.MirrorDescent``.

    State: the cumulated Q-functions y_k (zero at k = 0) and π_k = softmax(y_k).

    1. μ_k = μ^{π_k}; Q_k = the Q-function of π_k against μ_k (backward pass).
    2. y_{k+1} = y_k + ``step_size`` · Q_k (in an entropy-regularised game with temperature τ, the
       gradient of the regularised return, Q_k − τ log π_k).
    3. π_{k+1} = softmax(y_{k+1}) over the legal actions.

    The default ``step_size`` is OpenSpiel's 0.01. The last iterate converges in monotone games
    (the paper's continuous-time analysis); it is the output.

    ``sweep``: ``"paper"`` (the default) is the rule above. ``"openspiel"`` reproduces OpenSpiel's
    implementation, whose policy in step 1 is not exactly π_k: OpenSpiel evaluates π_k by one
    memoised depth-first sweep whose ``ProjectedPolicy`` reads the cumulated-value table that the
    same sweep is updating, so at a decision node whose child (a post-decision node shared with a
    neighbour, e.g. crowd_modelling's ``(x, t)_a_mu``) was finished earlier in the sweep, the
    child's logit already holds this sweep's ``step_size`` · v_k(child). Here that is a static mask
    ``visited (K, H, S, A)`` (child finished before the node starts, in OpenSpiel's depth-first
    order) and ``child_offset`` (the terminal rewards folded into our reward by the bridge), both
    built once by `openspiel_sweep(bridge)`; the backward pass then plays, at step t,
    softmax(y_k + step_size · visited · (Q_k − R_k + child_offset)) from the second iteration on
    (OpenSpiel's first sweep plays the uniform policy). π_{k+1} = softmax(y_{k+1}) as above.
    """

    def __init__(
        self,
        game: MeanFieldGame,
        *,
        seed: int | None = None,
        step_size: float = 0.01,
        sweep: str = "paper",
        visited: Any = None,
        child_offset: Any = None,
    ):
        super().__init__(game, seed=seed)
        self.step_size = check_positive("step_size", step_size, maximum=1e6)
        self.sweep = check_choice("sweep", sweep, ("paper", "openspiel"))
        self.y = np.zeros(game.policy_shape)
        self.visited = self.child_offset = None
        if self.sweep == "paper":
            if visited is not None or child_offset is not None:
                raise InvalidParameterError("visited and child_offset are options of sweep='openspiel' only")
            return
        if game.stationary or game.temperature > 0 or game.action_dependent:
            raise NotApplicableError(
                "sweep='openspiel' reproduces OpenSpiel's finite-horizon, unregularised MirrorDescent"
            )
        if visited is None:
            raise InvalidParameterError(
                "sweep='openspiel' needs visited (and child_offset) from "
                "equilibria.dynamics.mean_field.openspiel_sweep(bridge)"
            )
        self.visited = _shaped_option("visited", visited, game.policy_shape, bool)
        self.child_offset = (
            np.zeros(game.policy_shape) if child_offset is None
            else _shaped_option("child_offset", child_offset, game.policy_shape, float)
        )

    def _step(self) -> None:
        g = self.game
        mu, mdp = _evaluate(g, self.policy)
        if self.sweep == "openspiel" and self.iteration > 0:
            Q = self._openspiel_q(mdp)
        else:
            Q, _, _ = g.backward(mdp, self.policy)
        grad = Q
        if g.temperature > 0:
            grad = Q - g.temperature * np.where(self.policy > 0, _log(self.policy), 0.0)
        self.y = self.y + self.step_size * np.where(_legal(g), grad, 0.0)
        self.policy = _masked_softmax(g, self.y)

    def _openspiel_q(self, mdp: Any) -> np.ndarray:
        """Q of OpenSpiel's sweep policy: at step t, softmax(y + step_size · visited · v_child)."""
        g = self.game
        K, H, S, A = g.policy_shape
        legal = _legal(g)
        Q = np.empty((K, H, S, A))
        V = mdp.terminal
        for t in range(H - 1, -1, -1):
            child = g.discount * mdp.kernels[t].expect(V)
            q = mdp.rewards[:, t] + child
            Q[:, t] = q
            logits = self.y[:, t] + self.step_size * np.where(
                self.visited[:, t], child + self.child_offset[:, t], 0.0
            )
            if not g.all_legal:
                logits = np.where(legal[:, t], logits, -np.inf)
            pi = softmax(logits)
            V = np.sum(pi * np.where(legal[:, t], q, 0.0), axis=-1)
        return Q


def _shaped_option(name: str, value: Any, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    try:
        arr = np.array(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"{name} must be an array of shape {shape}: {exc}") from None
    if arr.shape != shape:
        raise InvalidParameterError(f"{name} must have the policy's shape {shape}, not {arr.shape}")
    if dtype is float and not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} must be finite")
    arr.setflags(write=False)
    return arr


def openspiel_sweep(bridge: Any) -> dict[str, np.ndarray]:
    """``{"visited", "child_offset"}`` for ``omd`` with ``sweep="openspiel"`` on a game bridged by
    `equilibria.io.openspiel_mfg` (needs open_spiel).

    Replays, on the tree's structure only, the memoised depth-first sweep of OpenSpiel's
    ``MirrorDescent.eval_state`` (roots in order, chance outcomes and legal actions in their order,
    nodes cached by observation string; node names do not depend on μ), once:
    ``visited[k, t, s, a]`` is True when the child of decision node (k, t, s) under action a is
    finished before that node's evaluation starts; ``child_offset[k, t, s, a]`` is the expected
    reward of the terminal nodes reached from that child before the next mean-field node (the
    bridge folds it into our reward, OpenSpiel into the child's value).
    """
    import pyspiel  # noqa: PLC0415

    game = bridge.game
    CHANCE, MEAN_FIELD = pyspiel.PlayerId.CHANCE, pyspiel.PlayerId.MEAN_FIELD
    DEFAULT = pyspiel.PlayerId.DEFAULT_PLAYER_ID
    visited = np.zeros(game.policy_shape, dtype=bool)
    offset = np.zeros(game.policy_shape)
    done: set[str] = set()

    def terminal_reward(node: Any, k: int) -> float:
        """Expected reward of the terminal nodes below ``node`` up to the next mean-field node."""
        if node.is_terminal():
            return float(node.rewards()[k])
        if node.current_player() == CHANCE:
            return sum(p * terminal_reward(node.child(c), k) for c, p in node.chance_outcomes())
        return 0.0

    def visit(node: Any, k: int) -> None:
        name = node.observation_string(DEFAULT)
        if name in done:
            return
        if not node.is_terminal():
            player = node.current_player()
            if player == CHANCE:
                for c, _ in node.chance_outcomes():
                    visit(node.child(c), k)
            elif player == MEAN_FIELD:
                child = node.clone()
                support = node.distribution_support()
                child.update_distribution([1.0 / max(len(support), 1)] * len(support))
                visit(child, k)
            else:
                kk, t, s = bridge.index[name]
                for a in node.legal_actions():
                    c = node.child(a)
                    visited[kk, t, s, a] = c.observation_string(DEFAULT) in done
                    offset[kk, t, s, a] = terminal_reward(c, kk)
                for a in node.legal_actions():
                    visit(node.child(a), kk)
        done.add(name)

    for k, root in enumerate(bridge.openspiel_game.new_initial_states()):
        visit(root, k)
    return {"visited": visited, "child_offset": offset}


@register_method("munchausen-omd", families=FAMILY)
class MunchausenOMD(_MeanFieldLearner):
    """Munchausen online mirror descent (Laurière, Perrin, Girgin, Muller, Jain, Cabannes,
    Piliouras, Pérolat, Elie, Pietquin & Geist, "Scalable Deep Reinforcement Learning Algorithms
    for Mean Field Games", ICML 2022), in its exact tabular form.

    The paper replaces OMD's sum of Q-functions by one Q-function learnt with the Munchausen
    target ``r + α τ log π_k(a|s) + γ E[Σ_b π_k(b|s') (q(s', b) − τ log π_k(b|s'))]`` and plays
    π_{k+1} = softmax(q/τ). Solved exactly, this target is ``q = α τ log π_k + Q̃_k`` with Q̃_k the
    Q-function of π_k with an entropy bonus of weight (1 − α) τ, so each iteration is:

    1. μ_k = μ^{π_k}; Q̃_k = the Q-function of π_k against μ_k with entropy temperature
       (1 − ``alpha``) · ``temperature`` (plus the game's own, if any).
    2. π_{k+1} ∝ π_k^alpha · exp(Q̃_k / temperature).

    With ``alpha = 1`` this is exactly OMD with step size 1/temperature (the paper's equivalence;
    OpenSpiel's tabular ``MunchausenMirrorDescent``); ``alpha < 1`` adds the entropy regularisation
    that damps it. Defaults: ``temperature = 100`` and ``alpha = 1``, OpenSpiel's tabular values
    (its step 0.01); the paper's deep-RL values (τ = 0.05, α = 0.9, in OpenSpiel's
    ``munchausen_deep_mirror_descent``) are tuned for networks trained on samples.
    """

    def __init__(
        self,
        game: MeanFieldGame,
        *,
        seed: int | None = None,
        temperature: float = 100.0,
        alpha: float = 1.0,
    ):
        super().__init__(game, seed=seed)
        self.temperature = check_positive("temperature", temperature, maximum=1e6)
        self.alpha = check_probability("alpha", alpha)

    def _step(self) -> None:
        g = self.game
        _, mdp = _evaluate(g, self.policy)
        tau_eval = g.temperature + (1.0 - self.alpha) * self.temperature
        Q, _, _ = g.backward(mdp, self.policy, tau_eval)
        logits = Q / self.temperature
        if self.alpha > 0:
            # log 0 = −inf keeps an action that has vanished at zero (π_k^α multiplies)
            logits = logits + self.alpha * _log(self.policy)
        self.policy = _masked_softmax(g, logits)


@register_method("boltzmann-policy-iteration", families=FAMILY)
class BoltzmannPolicyIteration(_MeanFieldLearner):
    """Boltzmann policy iteration (Laurière, Perrin, Pérolat, Girgin, Muller, Elie, Geist &
    Pietquin, "Learning in Mean Field Games: A Survey", arXiv 2205.12944 2022; OpenSpiel's
    ``boltzmann_policy_iteration``): OMD that keeps only the latest Q-function.

    1. μ_k = μ^{π_k}; Q_k = the Q-function of π_k against μ_k.
    2. π_{k+1} = softmax(Q_k / temperature) over the legal actions.

    OpenSpiel's ``BoltzmannPolicyIteration(lr=0.01)`` is ``temperature = 100``. Small temperatures
    approach policy iteration (greedy), which can cycle; the last policy is the output.
    """

    def __init__(self, game: MeanFieldGame, *, seed: int | None = None, temperature: float = 1.0):
        super().__init__(game, seed=seed)
        self.temperature = check_positive("temperature", temperature, maximum=1e6)

    def _step(self) -> None:
        g = self.game
        _, mdp = _evaluate(g, self.policy)
        Q, _, _ = g.backward(mdp, self.policy)
        self.policy = _masked_softmax(g, Q / self.temperature)


@register_method("prior-descent", families=FAMILY)
class PriorDescent(_MeanFieldLearner):
    """Prior descent (Cui & Koeppl, "Approximately Solving Mean Field Games via Entropy-Regularized
    Deep Reinforcement Learning", AISTATS 2021), as MFGLib's ``PriorDescent``.

    State: the policy π_k and a prior q (the uniform policy at first).

    1. μ_k = μ^{π_k}; Q*_k = the optimal Q-function against μ_k.
    2. π_{k+1} ∝ q · exp(Q*_k / temperature) (the relative-entropy regularised best response).
    3. Every ``prior_every`` iterations the prior moves: q ← π_{k+1}. Without ``prior_every`` the
       prior stays uniform: Boltzmann iteration, the softmax fixed point of the paper (also
       Guo, Hu, Xu & Zhang's GMF-V, "Learning Mean-Field Games", NeurIPS 2019).

    The prior is moved after iterations prior_every, 2·prior_every, ... (MFGLib counts from the
    second iteration instead). The last policy is the output.
    """

    def __init__(
        self,
        game: MeanFieldGame,
        *,
        seed: int | None = None,
        temperature: float = 1.0,
        prior_every: int | None = None,
    ):
        super().__init__(game, seed=seed)
        self.temperature = check_positive("temperature", temperature, maximum=1e6)
        self.prior_every = None if prior_every is None else check_int("prior_every", prior_every, minimum=1,
                                                                       maximum=10**9)
        self.prior = self.policy.copy()

    def _step(self) -> None:
        g = self.game
        _, mdp = _evaluate(g, self.policy)
        Q, _, _ = g.backward(mdp)
        self.policy = _masked_softmax(g, Q / self.temperature + _log(self.prior))
        if self.prior_every is not None and (self.iteration + 1) % self.prior_every == 0:
            self.prior = self.policy.copy()


class _FlowModel:
    """Rewards, kernels and their sensitivities to the flow, for MF-OMO's gradients."""

    def __init__(self, game: MeanFieldGame):
        self.game = game
        self.reward_constant = bool(getattr(game, "_reward_constant", False))
        self.transition_constant = bool(getattr(game, "_transition_constant", False))

    def flow_arg(self, L_t: np.ndarray) -> np.ndarray:
        return L_t if self.game.action_dependent else L_t.sum(-1)

    def vjp(self, t: int, m: np.ndarray, d_t: np.ndarray, e_next: np.ndarray | None, L_t: np.ndarray,
            y_next: np.ndarray) -> np.ndarray:
        """∂/∂m of ``Σ d_t·(r_t(m) + γ P_t(m) y_{t+1}) + Σ e_{t+1}·push_{P_t(m)}(L_t)`` by central
        differences (one-sided at zero mass), one coordinate of the flow at a time."""
        g = self.game
        if self.reward_constant and self.transition_constant:
            return np.zeros_like(m)

        def phi(mm: np.ndarray) -> float:
            total = 0.0
            if not self.reward_constant:
                total += float(np.sum(d_t * g.reward_at(t, mm)))
            if not self.transition_constant:
                ker = g.kernel_at(t, mm)
                total += g.discount * float(np.sum(d_t * ker.expect(y_next)))
                if e_next is not None:
                    total += float(np.sum(e_next * ker.push(L_t)))
            return total

        return _finite_difference_gradient(phi, m)


@register_method("mf-omo", families=FAMILY)
class MFOMO(_MeanFieldLearner):
    """MF-OMO, mean-field occupation-measure optimisation (Guo, Hu & Zhang, "MF-OMO: An Optimization
    Formulation of Mean-Field Games", SIAM Journal on Control and Optimization 2023), as MFGLib's
    ``MFOMO`` with its default ``l1_l2`` objective and Adam.

    Unknowns: the state-action flows L_t (one distribution over (s, a) per step), values y_t(s) and
    slacks z_t(s, a) ≥ 0. A finite-horizon MFG's Nash equilibria are exactly the zeros of

        f = Σ_t ‖Σ_a L_t − P_{t−1}(L_{t−1}) L_{t−1}‖² + Σ_t ‖y_t − r_t(L_t) − γ P_t(L_t) y_{t+1} − z_t‖²
            + Σ_t ⟨z_t, L_t⟩

    (the first term with μ_0 in place of the push at t = 0, and y_H the terminal reward): the flow
    is consistent, y is the optimal value and z the advantage gap, and the policy L_t(s, a)/μ_t(s)
    plays only actions with no gap. One iteration:

    1. Residuals and the gradient of f (the reward and kernel's dependence on the flow by central
       differences along each coordinate of the flow; the paper uses automatic differentiation).
    2. An Adam step (``step_size``, MFGLib's 0.1) on (L, y, z).
    3. Projections: each L_t onto the simplex (zero on illegal actions), z onto
       {z ≥ 0, Σ z ≤ S A (H² + H + 2) r_max}, y onto the ball of radius S (H + 1)(H + 2) r_max / 2.

    Start (``init``): L the uniform policy's flow (``"flow"``), or MFGLib's L_t = uniform over
    state-action pairs (``"uniform"``); y = V* and z = V* − Q* against it (MFGLib's "hat"
    initialisation). The policy read from L is the output.
    Simplification: the terminal reward's dependence on μ_H enters through the direct push of
    L_{H−1} only (not through the kernel's own dependence on the flow). Finite-horizon games only.
    """

    def __init__(
        self, game: MeanFieldGame, *, seed: int | None = None, step_size: float = 0.1, init: str = "flow"
    ):
        super().__init__(game, seed=seed)
        if game.stationary:
            raise NotApplicableError(
                "mf-omo here solves finite-horizon mean-field games; this one is discounted"
            )
        self.step_size = check_positive("step_size", step_size, maximum=1e3)
        self.init = check_choice("init", init, ("flow", "uniform"))
        check_size("mf-omo's variables and Adam moments", 8 * 9 * int(np.prod(game.policy_shape)))
        K, H, S, A = game.policy_shape
        if self.init == "flow":
            mu, mdp = _evaluate(game, self.policy)
            self.L = _decision_flow(game, mu)[..., None] * self.policy
        else:  # MFGLib's: every step's state-action distribution uniform over states, π uniform
            self.L = self.policy / S
            mu = np.concatenate([self.L.sum(-1), np.full((K, 1, S), 1.0 / S)], axis=1)
            mdp = game.induced_mdp(mu, self.policy if game.action_dependent else None)
        Q, V, _ = game.backward(mdp)
        self.y = V[:, :-1].copy()
        self.z = np.where(_legal(game), np.maximum(V[:, :-1, :, None] - Q, 0.0), 0.0)
        # the paper's bounds, with its T = H − 1 (steps 0..T)
        T = H - 1
        r_max = game.payoff_scale / H
        self.z_bound = S * A * (T * T + T + 2) * r_max
        self.y_bound = S * (T + 1) * (T + 2) * r_max / 2.0
        self.moments = np.zeros((2,) + (self.L.size + self.y.size + self.z.size,))
        self.policy = self._policy_of(self.L)

    def _policy_of(self, L: np.ndarray) -> np.ndarray:
        mass = L.sum(-1, keepdims=True)
        uniform = self.game.uniform_policy()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(mass > 0, L / np.where(mass > 0, mass, 1.0), uniform)

    def objective_and_gradient(
        self, L: np.ndarray, y: np.ndarray, z: np.ndarray, gradient: bool = True
    ) -> tuple[float, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
        """``f(L, y, z)`` and its gradient (see the class docstring)."""
        g = self.game
        model = _FlowModel(g)
        K, H, S, A = g.policy_shape
        gamma = g.discount
        m = [model.flow_arg(L[:, t]) for t in range(H)]
        rewards = [g.reward_at(t, m[t]) for t in range(H)]
        kernels = [g.kernel_at(t, m[t]) for t in range(H)]
        mu_H = kernels[-1].push(L[:, H - 1])
        y_H = g.terminal_at(mu_H)
        e = np.empty((K, H, S))
        e[:, 0] = L[:, 0].sum(-1) - g.initial
        for t in range(H - 1):
            e[:, t + 1] = L[:, t + 1].sum(-1) - kernels[t].push(L[:, t])
        y_next = [y[:, t + 1] if t + 1 < H else y_H for t in range(H)]
        d = np.empty((K, H, S, A))
        for t in range(H):
            d[:, t] = y[:, t, :, None] - rewards[t] - gamma * kernels[t].expect(y_next[t]) - z[:, t]
        d = np.where(_legal(g), d, 0.0)
        f = float(np.sum(e * e) + np.sum(d * d) + np.sum(z * L))
        if not gradient:
            return f, None
        gL = 2.0 * e[..., None] + z
        for t in range(H - 1):
            gL[:, t] -= 2.0 * kernels[t].expect(e[:, t + 1])
        gy = 2.0 * d.sum(-1)
        for t in range(1, H):
            gy[:, t] -= 2.0 * gamma * kernels[t - 1].push(d[:, t - 1])
        gz = -2.0 * d + L
        for t in range(H):
            e_next = e[:, t + 1] if t + 1 < H else None
            # f depends on the flow m_t through d_t and e_{t+1}, both with a minus sign
            gm = -2.0 * model.vjp(t, m[t], d[:, t], e_next, L[:, t], y_next[t])
            gL[:, t] += gm if g.action_dependent else gm[..., None]
        if g._terminal is not None:
            # y_H = g(μ_H), μ_H = push_{H−1}(L_{H−1}): d_{H−1} holds −γ P y_H
            def psi(mu_h: np.ndarray) -> float:
                return float(np.sum(d[:, H - 1] * kernels[-1].expect(g.terminal_at(mu_h))))

            grad_mu = _finite_difference_gradient(psi, mu_H)
            gL[:, H - 1] += -2.0 * gamma * kernels[-1].expect(grad_mu)
        legal = _legal(g)
        return f, (np.where(legal, gL, 0.0), gy, np.where(legal, gz, 0.0))

    def _step(self) -> None:
        g = self.game
        _, (gL, gy, gz) = self.objective_and_gradient(self.L, self.y, self.z)
        grad = np.concatenate([gL.ravel(), gy.ravel(), gz.ravel()])
        b1, b2, eps = 0.9, 0.999, 1e-8
        k = self.iteration + 1
        self.moments[0] = b1 * self.moments[0] + (1 - b1) * grad
        self.moments[1] = b2 * self.moments[1] + (1 - b2) * grad * grad
        m_hat, v_hat = self.moments[0] / (1 - b1**k), self.moments[1] / (1 - b2**k)
        step = self.step_size * m_hat / (np.sqrt(v_hat) + eps)
        nL, ny = self.L.size, self.y.size
        L = self.L - step[:nL].reshape(self.L.shape)
        y = self.y - step[nL:nL + ny].reshape(self.y.shape)
        z = self.z - step[nL + ny:].reshape(self.z.shape)
        # projections onto the feasible set
        legal = _legal(g)
        flat = L.reshape(L.shape[:2] + (-1,))
        if not g.all_legal:
            lf = legal.reshape(flat.shape)
            top = np.max(np.where(lf, flat, -np.inf), axis=-1, keepdims=True)
            flat = np.where(lf, flat, top - 2.0)
        self.L = project_simplex(flat).reshape(L.shape)
        z = np.where(legal, np.maximum(z, 0.0), 0.0)
        total = z.sum()
        if total > self.z_bound:
            z = project_simplex(z.reshape(1, -1) / self.z_bound).reshape(z.shape) * self.z_bound
        self.z = z
        norm = float(np.sqrt(np.sum(y * y)))
        self.y = y * (self.y_bound / norm) if norm > self.y_bound else y
        self.policy = self._policy_of(self.L)

    def diagnostics(self) -> dict[str, float]:
        f, _ = self.objective_and_gradient(self.L, self.y, self.z, gradient=False)
        return {"objective": f}
