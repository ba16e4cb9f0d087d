"""Finite-state mean-field games (MFGs): one or several populations of anonymous agents.

A mean-field game (Lasry & Lions, "Mean field games", Japanese Journal of Mathematics 2007; Huang,
Malhamé & Caines 2006) in its discrete form has K populations, finite states ``s ∈ S`` and actions
``a ∈ A``. A representative agent of population k in state s plays a, receives ``r_k(s, a, m_t)``
and moves to s' with probability ``p_k(s' | s, a, m_t)``, where ``m_t`` is the mean field: the
distribution ``μ_t[k, s]`` of every population over the states at step t, or, for games declared
``action_dependent=True`` (MFGLib's games), the state-action distribution
``L_t[k, s, a] = μ_t[k, s] π_t[k, s, a]``.

API (what learners code against; every array carries the population axis K first, also for K = 1)
---------------------------------------------------------------------------------------------------
Finite horizon H (``game.horizon = H``): decisions at steps t = 0..H-1, then a terminal step H.

* policy ``π``: shape ``(K, H, S, A)``; ``game.uniform_policy()``.
* mean field ``μ``: shape ``(K, H+1, S)``; ``μ[:, 0]`` = ``game.initial``; ``μ[:, H]`` is the
  terminal distribution (it only enters the optional terminal reward ``g_k(s, μ_H)``).
  This is OpenSpiel's count: its MFG states carry t = 0..H, decisions at t < H, the game ends at
  t = H with the terminal reward (zero in its games). An MFGLib game with horizon T (decisions at
  t = 0..T) is the game with H = T + 1 whose last transition is never used.
* ``game.forward(π) -> μ``: population propagation ``μ_{t+1}[k, s'] = Σ_{s,a} μ_t π_t p_t``.
* ``game.best_response(μ, population_policy=None, temperature=None) -> (π_BR, V)``: backward
  induction against the fixed flow μ; ``V`` has shape ``(K, H+1, S)``. With a temperature τ > 0
  it is the entropy-regularised (soft) best response ``π ∝ exp(Q/τ)``, ``V = τ logsumexp(Q/τ)``.
* ``game.q_values(μ, population_policy=None, policy=None, temperature=None) -> (Q, V)``: optimal
  (soft-optimal with τ > 0) Q-values ``(K, H, S, A)`` and values, or those of ``policy``.
* ``game.policy_value(π, μ, population_policy=None, temperature=None) -> J``: shape ``(K,)``, the
  expected return of π from ``game.initial`` against μ (minus τ times the expected entropy cost
  ``Σ π log π`` along the way when τ > 0).
* ``game.exploitability_gaps(π) -> (K,)``: ``max_π' J(π', μ^π) − J(π, μ^π)`` per population,
  also available as ``equilibria.nash_conv(game, π)`` (their sum, OpenSpiel's convention).
* ``population_policy``: only for ``action_dependent`` games, whose reward and transition see
  ``L_t = μ_t ⊗ π_t``: the policy the *population* plays (in an exploitability evaluation, π
  itself). Time averages of state-action flows are represented exactly by the averaged μ together
  with the μ-weighted average policy.
* ``game.induced_mdp(μ, population_policy=None) -> MeanFieldMDP``: the rewards ``R (K, H, S, A)``,
  the transition kernels (one per step) and terminal rewards ``(K, S)`` that μ induces; the
  backward passes above take it via ``game.backward(mdp, policy=None, temperature=None)``.

Discounted / stationary (``game.horizon is None``, discount γ < 1): the same methods without the
time axis: policy ``(K, S, A)``, mean field ``(K, S)`` (a stationary distribution of the chain the
population's policy induces, from ``game.initial``), values ``(K, S)``; J is the discounted return
from ``game.initial`` against the stationary μ. The reward and transition callables get t = 0.

Model
-----
``reward(t, m_t)`` returns an array broadcastable to ``(K, S, A)`` and ``transition(t, m_t)``
either a dense ``(K, S, A, S)`` array or a sparse pair ``(targets, probs)``, both ``(K, S, A, B)``
(B successor slots; ``targets`` integers), for grid games whose agents reach few states. Both may
also be fixed arrays. ``m_t`` is ``μ_t`` with shape ``(K, S)``, or ``L_t (K, S, A)`` for action-
dependent games. A finite-horizon game whose reward at step t sees only ``μ_t`` may also give
``reward_flow(μ) -> (K, H, S, A)``, every step's reward from the whole flow ``μ (K, H+1, S)`` in
one call (the same numbers as ``reward``, checked along the uniform policy's flow when the game is
built); the backward passes then build their rewards without a Python call per step. Every kernel
is checked when it is built: a row that is not a probability vector raises `InvalidGameError`
naming population, step, state and action.

All operations are whole-array NumPy over populations, states and actions; the only Python loops
run over the time steps.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_int, check_real, check_size
from .._numbers import format_array, parse_number
from ..errors import (
    EquilibriaError,
    InvalidGameError,
    InvalidParameterError,
    InvalidStrategyError,
    SolverError,
)
from ..ops import logsumexp, softmax
from .base import Game

#: tolerance of the checks that transition rows and the initial distribution sum to one
PROB_ATOL = 1e-9
#: tolerance of a policy row's sum (policies come from learners in floating point)
POLICY_ATOL = 1e-6


#: a sparse kernel with at most this many dense entries (K·S·A·S) is also held as a dense matrix: one
#: matrix product per step then costs less than the gather and reduction of the sparse form
DENSIFY_ENTRIES = 1 << 15


class Kernel:
    """Transition probabilities of one step: dense ``P (K, S, A, S)`` or sparse ``(targets, probs)``.

    ``expect(V)`` gives ``Σ_s' p(s'|s, a) V[k, s']`` with shape ``(K, S, A)`` and ``push(w)`` moves
    the mass ``w (K, S, A)`` to ``(K, S)``; both are single NumPy calls (matrix products for a dense
    kernel and for a small sparse one, held densified as well).
    """

    __slots__ = ("dense", "targets", "probs", "num_states", "_flat", "_dense2")

    def __init__(
        self, dense: np.ndarray | None, targets: np.ndarray | None, probs: np.ndarray | None, S: int
    ):
        self.dense, self.targets, self.probs, self.num_states = dense, targets, probs, S
        if dense is not None:
            K = dense.shape[0]
            self._dense2 = dense.reshape(K, -1, S)  # (K, S·A, S'): matrix products below
            self._flat = None
        else:
            K = targets.shape[0]
            # targets of every population in one index space (k·S + s'), computed once
            self._flat = (targets + (np.arange(K) * S)[:, None, None, None]).reshape(-1)
            self._dense2 = None
            rows = targets.shape[0] * targets.shape[1] * targets.shape[2]
            if rows * S <= DENSIFY_ENTRIES:
                index = (np.arange(rows).reshape(targets.shape[:3])[..., None] * S + targets).reshape(-1)
                mat = np.bincount(index, weights=probs.reshape(-1), minlength=rows * S)
                self._dense2 = mat.reshape(K, -1, S)

    def expect(self, V: np.ndarray) -> np.ndarray:
        """``V (..., K, S) -> (..., K, S, A)``: leading axes are several value arrays at once."""
        lead, (K, S) = V.shape[:-2], V.shape[-2:]
        if self._dense2 is not None:
            return np.matmul(self._dense2, V[..., None]).reshape(lead + (K, S, -1))
        gathered = V.reshape(lead + (K * S,))[..., self._flat].reshape(lead + self.probs.shape)
        return np.sum(self.probs * gathered, axis=-1)

    def push(self, w: np.ndarray) -> np.ndarray:
        K, S = w.shape[0], self.num_states
        if self._dense2 is not None:
            return np.matmul(w.reshape(K, 1, -1), self._dense2).reshape(K, S)
        weights = (w[..., None] * self.probs).reshape(-1)
        return np.bincount(self._flat, weights=weights, minlength=K * S).reshape(K, S)

    def matrix(self, pi: np.ndarray) -> np.ndarray:
        """``P_π[k, s, s'] = Σ_a π(a|s) p(s'|s, a)``."""
        if self.dense is not None:
            return np.einsum("ksa,ksat->kst", pi, self.dense)
        K, S = pi.shape[0], self.num_states
        rows = np.arange(K * S).reshape(K, S)[:, :, None, None]
        flat = (rows * S + self.targets).reshape(-1)
        w = (pi[..., None] * self.probs).reshape(-1)
        return np.bincount(flat, weights=w, minlength=K * S * S).reshape(K, S, S)


@dataclass(frozen=True)
class MeanFieldMDP:
    """The MDP a fixed mean field induces: ``rewards (K, T, S, A)`` (T = H, or 1 when discounted),
    one `Kernel` per step, and ``terminal (K, S)`` (zeros for a discounted game)."""

    rewards: np.ndarray
    kernels: tuple[Kernel, ...]
    terminal: np.ndarray


def _as_callable(value: Any, what: str) -> tuple[Callable[[int, np.ndarray], Any], bool]:
    """``(f, constant)``: a callable of ``(t, m_t)``, and whether it ignores its arguments."""
    if callable(value):
        return value, False
    if isinstance(value, tuple) and len(value) == 2:
        pair = (np.asarray(value[0]), np.asarray(value[1], dtype=float))
        return (lambda t, m: pair), True
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidGameError(f"{what} must be an array or a callable (t, mean_field): {exc}") from None
    arr.setflags(write=False)
    return (lambda t, m: arr), True


class MeanFieldGame(Game):
    """A finite-state mean-field game with K populations (see the module docstring for the API).

    Parameters
    ----------
    num_states, num_actions : int
        S and A (the same for every population).
    reward : callable ``(t, m_t) -> (K, S, A)`` or array
        ``r_k(s, a, m_t)`` at decision step t.
    transition : callable ``(t, m_t) -> (K, S, A, S)`` or ``(targets, probs)``, or such an array
        ``p_k(s' | s, a, m_t)`` from step t to t + 1.
    initial : array (S,) or (K, S)
        μ_0, a probability vector per population.
    horizon : int, optional
        H ≥ 1 decision steps. Omit it for a discounted stationary game (``discount`` < 1 then).
    discount : float, optional
        γ; 1 by default with a horizon.
    terminal_reward : callable ``(μ_H) -> (K, S)`` or array, optional
        ``g_k(s, μ_H)`` at step H (finite horizon only); zero by default.
    reward_flow : callable ``(μ) -> (K, H, S, A)``, optional
        Finite horizon, not action-dependent: ``reward(t, μ[:, t])`` for every step t < H at once,
        from the flow ``μ (K, H+1, S)`` (an array broadcastable to ``(K, H, S, A)``). It must give
        the numbers ``reward`` gives; a game built with ``validate=True`` checks that along the
        uniform policy's flow (to 1e-12 relative) and raises `InvalidGameError` where they differ.
    num_populations : int
        K (1 by default).
    action_dependent : bool
        The reward and transition see the state-action distribution ``L_t (K, S, A)``.
    legal_actions : bool array (S, A), (K, S, A) or (K, H, S, A), optional
        Actions an agent may take; a best response never takes another one (``game.legal`` holds
        them as ``(K, H, S, A)``, or ``(K, 1, S, A)`` for a stationary game).
    temperature : float
        τ ≥ 0: the entropy regularisation of the game (its exploitability is then the regularised one).
    state_shape : tuple, optional
        The grid the states fill (row-major), e.g. ``(10, 10)``: used by plots.
    """

    family = "mean_field"
    #: `metrics.exploitability` is the mean best-response gain over populations (see its docstring)
    exploitability_is_mean_gain = True

    def __init__(
        self,
        num_states: int,
        num_actions: int,
        *,
        reward: Any,
        transition: Any,
        initial: Any = None,
        horizon: int | None = None,
        discount: float | None = None,
        terminal_reward: Any = None,
        reward_flow: Callable[[np.ndarray], Any] | None = None,
        num_populations: int = 1,
        action_dependent: bool = False,
        legal_actions: Any = None,
        temperature: float = 0.0,
        state_labels: Sequence[str] | None = None,
        action_labels: Sequence[str] | None = None,
        population_labels: Sequence[str] | None = None,
        state_shape: Sequence[int] | None = None,
        title: str = "",
        validate: bool = True,
    ):
        S = _game_int("num_states", num_states, 1)
        A = _game_int("num_actions", num_actions, 1)
        K = _game_int("num_populations", num_populations, 1)
        if horizon is not None:
            if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool) and horizon < 1:
                raise InvalidGameError(
                    f"the horizon must be a positive number of decision steps, got {horizon}"
                )
            horizon = _game_int("horizon", horizon, 1)
            gamma = 1.0 if discount is None else _game_real("discount", discount, 0.0, 1.0)
        else:
            if discount is None:
                raise InvalidGameError("a mean-field game needs a finite horizon=H or a discount γ < 1")
            gamma = _game_real("discount", discount, 0.0, 1.0)
            if gamma >= 1.0:
                raise InvalidGameError(f"a stationary mean-field game needs a discount < 1, got {gamma}")
            if terminal_reward is not None:
                raise InvalidGameError("a terminal reward needs a finite horizon")
        try:
            tau = check_real("temperature", temperature, minimum=0.0, maximum=1e6)
        except EquilibriaError as exc:
            raise InvalidGameError(str(exc)) from None
        T = horizon if horizon is not None else 1
        check_size("mean-field game (one dense transition per step)", 8 * K * S * A * S)
        check_size("mean-field policy arrays", 8 * 4 * K * T * S * A)
        self.num_states, self.num_actions, self.num_populations = S, A, K
        self.horizon = horizon
        self.discount = gamma
        self.temperature = tau
        self.action_dependent = bool(action_dependent)
        self.title = title
        self.state_labels = tuple(str(x) for x in (state_labels if state_labels is not None else range(S)))
        if len(self.state_labels) != S or len(set(self.state_labels)) != S:
            raise InvalidGameError(f"need {S} distinct state labels, got {len(self.state_labels)}")
        self.action_labels = tuple(str(x) for x in (action_labels if action_labels is not None else range(A)))
        if len(self.action_labels) != A:
            raise InvalidGameError(f"need {A} action labels, got {len(self.action_labels)}")
        pops = (
            population_labels if population_labels is not None else [f"population {k + 1}" for k in range(K)]
        )
        self.population_labels = tuple(str(x) for x in pops)
        if len(self.population_labels) != K:
            raise InvalidGameError(f"need {K} population labels, got {len(self.population_labels)}")
        if state_shape is not None:
            state_shape = tuple(int(x) for x in state_shape)
            if int(np.prod(state_shape)) != S:
                raise InvalidGameError(f"state_shape {state_shape} does not hold {S} states")
        self.state_shape = state_shape
        mu0 = np.full((K, S), 1.0 / S) if initial is None else _float_array(initial, "initial")
        if mu0.shape == (S,):
            mu0 = np.broadcast_to(mu0, (K, S)).copy()
        if mu0.shape != (K, S):
            raise InvalidGameError(
                f"the initial distribution must have shape ({S},) or ({K}, {S}); got {mu0.shape}"
            )
        for k in range(K):
            bad = np.flatnonzero(~(mu0[k] >= 0))
            if bad.size:
                raise InvalidGameError(
                    f"initial distribution of {self.population_labels[k]}: "
                    f"state {self.state_labels[bad[0]]!r} "
                    f"has probability {mu0[k, bad[0]]}"
                )
            total = float(mu0[k].sum())
            if abs(total - 1.0) > PROB_ATOL:
                where = f" (largest mass at state {self.state_labels[int(np.argmax(mu0[k]))]!r})"
                raise InvalidGameError(
                    f"initial distribution of {self.population_labels[k]} sums to {total!r}, not 1{where}"
                )
        self.initial = mu0
        T = self.num_steps
        if legal_actions is None:
            legal = np.ones((K, T, S, A), dtype=bool)
        else:
            legal = np.array(legal_actions, dtype=bool)
            if legal.ndim == 4 and horizon is not None and legal.shape[:2] == (K, horizon):
                pass
            elif legal.ndim in (2, 3):
                try:
                    legal = np.broadcast_to(legal, (K, S, A))
                except ValueError:
                    legal = None
                if legal is not None:
                    legal = np.repeat(legal[:, None], T, axis=1)
            else:
                legal = None
            if legal is None or legal.shape != (K, T, S, A):
                raise InvalidGameError(
                    f"legal_actions must have shape ({S}, {A}), ({K}, {S}, {A}) or ({K}, H, {S}, {A})"
                )
            legal = legal.copy()
            none = np.argwhere(~legal.any(-1))
            if none.size:
                raise InvalidGameError(
                    f"state {self.state_labels[none[0][2]]!r} has no legal action"
                    + ("" if horizon is None else f" at step {none[0][1]}")
                )
        #: ``legal[k, t, s, a]`` (t over the H steps, or a single slice for a stationary game)
        self.legal = legal
        self.all_legal = bool(legal.all())
        self._reward, self._reward_constant = _as_callable(reward, "reward")
        if reward_flow is not None:
            if not callable(reward_flow):
                raise InvalidGameError("reward_flow must be a callable (μ (K, H+1, S)) -> (K, H, S, A)")
            if horizon is None or self.action_dependent:
                raise InvalidGameError(
                    "reward_flow needs a finite horizon and a reward that sees μ_t only "
                    "(not action-dependent)"
                )
        self._reward_flow = reward_flow
        self._transition, self._transition_constant = _as_callable(transition, "transition")
        self._constant_kernel: list[Kernel] = []
        self._kernel_memo: dict[int, tuple[tuple[Any, ...], Kernel]] = {}
        if terminal_reward is None:
            self._terminal = None
        elif callable(terminal_reward):
            self._terminal = terminal_reward
        else:
            g = np.broadcast_to(_float_array(terminal_reward, "terminal_reward"), (K, S)).copy()
            g.setflags(write=False)
            self._terminal = lambda mu: g
        for arr in (self.initial, self.legal):
            arr.setflags(write=False)
        self._freeze()
        if validate:
            # builds and checks every step's kernel and reward along the uniform policy's flow
            mu = self.forward(self.uniform_policy())
            if reward_flow is not None:
                self._check_reward_flow(mu)

    # ---- structure ----------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return self.num_populations

    @property
    def num_steps(self) -> int:
        """Decision steps of a policy: H, or 1 for a stationary game."""
        return self.horizon if self.horizon is not None else 1

    @property
    def stationary(self) -> bool:
        return self.horizon is None

    @property
    def policy_shape(self) -> tuple[int, ...]:
        K, S, A = self.num_populations, self.num_states, self.num_actions
        return (K, S, A) if self.stationary else (K, self.horizon, S, A)

    @property
    def mean_field_shape(self) -> tuple[int, ...]:
        K, S = self.num_populations, self.num_states
        return (K, S) if self.stationary else (K, self.horizon + 1, S)

    def default_method(self) -> str:
        return "fictitious-play"

    @cached_property
    def payoff_scale(self) -> float:
        """Largest |reward| along the uniform policy's flow, times the (effective) horizon."""
        mdp = self.induced_mdp(self.forward(self.uniform_policy()), self.uniform_policy())
        r = max(float(np.abs(mdp.rewards).max()), float(np.abs(mdp.terminal).max()))
        eff = self.horizon if self.horizon is not None else 1.0 / (1.0 - self.discount)
        return (r * eff) or 1.0

    # ---- policies -----------------------------------------------------------------------------
    def uniform_policy(self) -> np.ndarray:
        """The policy that mixes uniformly over the legal actions everywhere."""
        row = self.legal / self.legal.sum(-1, keepdims=True)
        return row[:, 0].copy() if self.stationary else row

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            raise InvalidParameterError("mean-field games are evaluated in floating point only")
        return self.uniform_policy()

    def validate_policy(self, policy: Any, what: str = "policy") -> np.ndarray:
        """The policy as a float array of `policy_shape` (a K = 1 policy may omit the population axis)."""
        if isinstance(policy, (list, tuple)) and len(policy) == self.num_populations:
            try:
                policy = np.stack([np.asarray(p, dtype=float) for p in policy])
            except (TypeError, ValueError):
                raise InvalidStrategyError(f"{what}: one numeric array per population expected") from None
        try:
            arr = np.asarray(policy, dtype=float)
        except (TypeError, ValueError):
            raise InvalidStrategyError(f"{what} must be an array of numbers") from None
        shape = self.policy_shape
        if self.num_populations == 1 and arr.shape == shape[1:]:
            arr = arr[None]
        if arr.shape != shape:
            raise InvalidStrategyError(
                f"{what} has shape {arr.shape}; expected {shape} (populations, "
                + ("" if self.stationary else "steps, ")
                + "states, actions)"
            )
        if (
            self.all_legal
            and arr.size
            and np.minimum.reduce(arr, axis=None) >= -POLICY_ATOL
            and np.maximum.reduce(np.abs(np.add.reduce(arr, axis=-1) - 1.0), axis=None) <= POLICY_ATOL
        ):
            return arr  # the common case in two reductions (NaN fails both and takes the full check)
        bad = ~(arr >= -POLICY_ATOL) | (np.abs(arr.sum(-1, keepdims=True) - 1.0) > POLICY_ATOL)
        if not self.all_legal:
            legal = self.legal[:, 0] if self.stationary else self.legal
            bad = bad | (~legal & (np.abs(arr) > POLICY_ATOL))
        if bad.any():
            idx = np.argwhere(bad)[0]
            s = self.state_labels[idx[-2]]
            when = "" if self.stationary else f" at step {idx[1]}"
            raise InvalidStrategyError(
                f"{what} of {self.population_labels[idx[0]]}{when} in state {s!r} is not a probability "
                "vector over the legal actions"
            )
        return arr

    # ---- model evaluations --------------------------------------------------------------------
    def _mean_field_arg(self, mu_t: np.ndarray, pi_t: np.ndarray | None) -> np.ndarray:
        if not self.action_dependent:
            return mu_t
        if pi_t is None:
            raise InvalidParameterError(
                "this game's reward and transition depend on the state-action distribution: pass the "
                "population's policy (population_policy=...)"
            )
        return mu_t[..., None] * pi_t

    def _step_label(self, t: int) -> str:
        return "" if self.stationary else f" at step {t}"

    def reward_at(self, t: int, m_t: np.ndarray) -> np.ndarray:
        """``r(t, m_t)`` as a float array ``(K, S, A)`` (checked finite)."""
        K, S, A = self.num_populations, self.num_states, self.num_actions
        try:
            r = np.broadcast_to(np.asarray(self._reward(t, m_t), dtype=float), (K, S, A))
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(
                f"reward{self._step_label(t)} must be an array of shape ({K}, {S}, {A}): {exc}"
            ) from None
        if not np.isfinite(r).all():
            k, s, a = np.argwhere(~np.isfinite(r))[0]
            raise InvalidGameError(
                f"reward of {self.population_labels[k]}{self._step_label(t)} "
                f"in state {self.state_labels[s]!r} "
                f"under action {self.action_labels[a]!r} is {r[k, s, a]}"
            )
        return r

    def _flow_rewards(self, mu: np.ndarray) -> np.ndarray:
        """``reward_flow(μ)`` as a float array ``(K, H, S, A)`` (not yet checked finite)."""
        shape = (self.num_populations, self.horizon, self.num_states, self.num_actions)
        try:
            R = np.asarray(self._reward_flow(mu), dtype=float)
            if R.shape != shape:
                R = np.broadcast_to(R, shape)
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(f"reward_flow must give an array of shape {shape}: {exc}") from None
        return R

    def _check_reward_flow(self, mu: np.ndarray) -> None:
        """``reward_flow(μ)`` equals ``reward(t, μ_t)`` at every step (to 1e-12 relative)."""
        R = self._flow_rewards(mu)
        for t in range(self.horizon):
            r = self.reward_at(t, mu[:, t])
            bad = ~(np.abs(R[:, t] - r) <= 1e-12 * (1.0 + np.abs(r)))
            if bad.any():
                k, s, a = np.argwhere(bad)[0]
                raise InvalidGameError(
                    f"reward_flow disagrees with reward for {self.population_labels[k]} at step {t} in "
                    f"state {self.state_labels[s]!r} under action {self.action_labels[a]!r}: "
                    f"{R[k, t, s, a]!r} against {r[k, s, a]!r}"
                )

    def kernel_at(self, t: int, m_t: np.ndarray) -> Kernel:
        """The checked transition kernel from step t (see `Kernel`); built and checked once when the
        transition is a fixed array."""
        if self._transition_constant:
            if self._constant_kernel:
                return self._constant_kernel[0]
            ker = self._build_kernel(t, self._transition(t, m_t))
            self._constant_kernel.append(ker)
            return ker
        out = self._transition(t, m_t)
        # a callable that hands back the very same arrays as last time at this step (a fixed kernel
        # per step) reuses the checked kernel; the memo keeps those arrays alive, so identity is safe
        parts = out if isinstance(out, tuple) else (out,)
        memo = self._kernel_memo.get(t)
        if memo is not None and len(memo[0]) == len(parts) and all(
            a is b for a, b in zip(memo[0], parts, strict=True)
        ):
            return memo[1]
        ker = self._build_kernel(t, out)
        if all(isinstance(x, np.ndarray) for x in parts):
            self._kernel_memo[t] = (parts, ker)
        return ker

    def _build_kernel(self, t: int, out: Any) -> Kernel:
        K, S, A = self.num_populations, self.num_states, self.num_actions
        if isinstance(out, tuple):
            if len(out) != 2:
                raise InvalidGameError("a sparse transition is a pair (targets, probs)")
            try:
                probs = np.asarray(out[1], dtype=float)
                shp = probs.shape[-1:] if probs.ndim else (1,)
                probs = np.broadcast_to(probs, (K, S, A) + shp)
                targets = np.broadcast_to(np.asarray(out[0]), probs.shape)
            except (TypeError, ValueError) as exc:
                raise InvalidGameError(
                    f"sparse transition must have shape ({K}, {S}, {A}, B): {exc}"
                ) from None
            if not np.issubdtype(targets.dtype, np.integer):
                raise InvalidGameError("sparse transition targets must be integer state indices")
            bad_t = np.argwhere((targets < 0) | (targets >= S))
            if bad_t.size:
                k, s, a, _ = bad_t[0]
                raise InvalidGameError(
                    f"transition of {self.population_labels[k]}{self._step_label(t)} from state "
                    f"{self.state_labels[s]!r} under action {self.action_labels[a]!r} leads to state index "
                    f"{targets[tuple(bad_t[0])]} outside 0..{S - 1}"
                )
            self._check_rows(t, probs)
            return Kernel(None, targets.astype(np.intp, copy=False), probs, S)
        try:
            P = np.broadcast_to(np.asarray(out, dtype=float), (K, S, A, S))
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(f"transition must have shape ({K}, {S}, {A}, {S}): {exc}") from None
        self._check_rows(t, P)
        return Kernel(P, None, None, S)

    def _check_rows(self, t: int, P: np.ndarray) -> None:
        sums = P.sum(-1)
        bad = ~(P >= -1e-12).all(-1) | ~(np.abs(sums - 1.0) <= PROB_ATOL)
        if bad.any():
            k, s, a = np.argwhere(bad)[0]
            raise InvalidGameError(
                f"transition of {self.population_labels[k]}{self._step_label(t)} from state "
                f"{self.state_labels[s]!r} under action {self.action_labels[a]!r} is not a probability "
                f"distribution (sums to {sums[k, s, a]!r}, smallest entry {P[k, s, a].min()!r})"
            )

    def terminal_at(self, mu_H: np.ndarray) -> np.ndarray:
        K, S = self.num_populations, self.num_states
        if self._terminal is None:
            return np.zeros((K, S))
        try:
            g = np.broadcast_to(np.asarray(self._terminal(mu_H), dtype=float), (K, S))
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(f"terminal reward must have shape ({K}, {S}): {exc}") from None
        if not np.isfinite(g).all():
            raise InvalidGameError("terminal reward must be finite")
        return g

    # ---- forward: the population's distribution -------------------------------------------------
    def forward(self, policy: Any) -> np.ndarray:
        """μ^π: shape ``(K, H+1, S)`` (finite horizon) or the stationary ``(K, S)``."""
        return self._forward(self.validate_policy(policy))[0]

    def _forward(self, pi: np.ndarray) -> tuple[np.ndarray, tuple[Kernel, ...]]:
        if self.stationary:
            return self._stationary(pi)
        K, H, S = self.num_populations, self.horizon, self.num_states
        mu = np.empty((K, H + 1, S))
        mu[:, 0] = self.initial
        if self._transition_constant:
            # one kernel for every step: push μ through the policy's chains P_π,t, built all at once
            ker = self.kernel_at(0, self._mean_field_arg(mu[:, 0], pi[:, 0]))
            kernels = (ker,) * H
            chain = _policy_chains(kernels, pi)
            if chain is not None:
                if K == 1:  # a vector-matrix product per step: cheaper per call than a batched one
                    m, c = mu[0], chain[0]
                    for t in range(H):
                        np.dot(m[t], c[t], out=m[t + 1])
                else:
                    for t in range(H):
                        np.matmul(mu[:, t, None], chain[:, t], out=mu[:, t + 1, None])
                return mu, kernels
        kernels = []
        for t in range(H):
            ker = self.kernel_at(t, self._mean_field_arg(mu[:, t], pi[:, t]))
            kernels.append(ker)
            mu[:, t + 1] = ker.push(mu[:, t, :, None] * pi[:, t])
        return mu, tuple(kernels)

    def _stationary(self, pi: np.ndarray, max_iter: int = 1000) -> tuple[np.ndarray, tuple[Kernel, ...]]:
        """The limit distribution from ``initial`` of the (lazy) chain under π, iterated to a fixed point
        when the transition depends on μ."""
        mu = self.initial.copy()
        for _ in range(max_iter):
            ker = self.kernel_at(0, self._mean_field_arg(mu, pi))
            M = 0.5 * (ker.matrix(pi) + np.eye(self.num_states))
            for _ in range(64):  # M^(2^64): the limit of the aperiodic lazy chain
                M2 = M @ M
                # rows of a softmax policy's chain sum to 1 only up to rounding: unnormalised, the
                # row sums grow like (1 + δ)^(2^k) and overflow within 64 squarings
                M2 /= M2.sum(-1, keepdims=True)
                if np.max(np.abs(M2 - M)) <= 1e-15:
                    M = M2
                    break
                M = M2
            new = np.einsum("ks,kst->kt", self.initial, M)
            new /= new.sum(-1, keepdims=True)
            if self._transition_constant or np.max(np.abs(new - mu)) <= 1e-13:
                mu = new
                if not self._transition_constant:
                    ker = self.kernel_at(0, self._mean_field_arg(mu, pi))
                return mu, (ker,)
            mu = new
        raise SolverError(
            f"the stationary mean field did not settle in {max_iter} fixed-point sweeps; "
            "use a finite horizon for this game"
        )

    # ---- backward: values, best responses -------------------------------------------------------
    def _check_mean_field(self, mu: Any) -> np.ndarray:
        try:
            arr = np.asarray(mu, dtype=float)
        except (TypeError, ValueError):
            raise InvalidStrategyError("a mean field must be an array of numbers") from None
        shape = self.mean_field_shape
        if self.num_populations == 1 and arr.shape == shape[1:]:
            arr = arr[None]
        if arr.shape != shape or not np.isfinite(arr).all() or (arr < -PROB_ATOL).any():
            raise InvalidStrategyError(f"a mean field must be a non-negative array of shape {shape}")
        return arr

    def induced_mdp(
        self, mu: Any, population_policy: Any = None, kernels: tuple[Kernel, ...] | None = None
    ) -> MeanFieldMDP:
        """The rewards, kernels and terminal rewards the mean field μ induces (see `MeanFieldMDP`)."""
        mu = self._check_mean_field(mu)
        pop = (
            None
            if population_policy is None
            else self.validate_policy(population_policy, "population policy")
        )
        return self._induced_mdp(mu, pop, kernels)

    def _induced_mdp(
        self, mu: np.ndarray, pop: np.ndarray | None, kernels: tuple[Kernel, ...] | None
    ) -> MeanFieldMDP:
        """`induced_mdp` of a checked mean field and population policy."""
        if self.stationary:
            m = self._mean_field_arg(mu, pop)
            ks = kernels or (self.kernel_at(0, m),)
            return MeanFieldMDP(self.reward_at(0, m)[:, None], ks, np.zeros_like(mu))
        H = self.horizon
        if self._reward_flow is not None:
            # every step's reward in one call; kernels only where the caller has none
            R = self._flow_rewards(mu)
            ks = kernels if kernels is not None else [self.kernel_at(t, mu[:, t]) for t in range(H)]
        else:
            R = np.empty((self.num_populations, H, self.num_states, self.num_actions))
            ks = list(kernels) if kernels is not None else []
            for t in range(H):
                m = self._mean_field_arg(mu[:, t], None if pop is None else pop[:, t])
                r = self._reward(t, m)
                # fast path: a float array that broadcasts to (K, S, A); checked finite once below
                if not (
                    isinstance(r, np.ndarray) and r.dtype == np.float64 and r.ndim <= 3 and _fill(R, t, r)
                ):
                    R[:, t] = self.reward_at(t, m)
                if kernels is None:
                    ks.append(self.kernel_at(t, m))
        if not np.isfinite(R).all():
            t = int(np.argwhere(~np.isfinite(R))[0][1])
            m = self._mean_field_arg(mu[:, t], None if pop is None else pop[:, t])
            self.reward_at(t, m)  # raises, naming population, state and action
            what = "reward" if self._reward_flow is None else "reward_flow's reward"
            raise InvalidGameError(f"{what} at step {t} is not finite")
        return MeanFieldMDP(R, tuple(ks), self.terminal_at(mu[:, H]))

    def backward(
        self, mdp: MeanFieldMDP, policy: Any = None, temperature: float | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(Q, V, π)`` of the MDP: optimal (soft-optimal for τ > 0) when ``policy`` is None, else
        the values of ``policy`` (with its entropy cost for τ > 0; then π is ``policy``).

        Finite horizon: Q ``(K, H, S, A)``, V ``(K, H+1, S)``. Stationary: Q ``(K, S, A)``, V ``(K, S)``.
        """
        tau = self._temperature(temperature)
        pi = None if policy is None else self.validate_policy(policy)
        if self.stationary:
            return self._stationary_backward(mdp, pi, tau)
        K, H, S, A = self.num_populations, self.horizon, self.num_states, self.num_actions
        Q = np.empty((K, H, S, A))
        V = np.empty((K, H + 1, S))
        V[:, H] = mdp.terminal
        out_pi = np.empty((K, H, S, A)) if pi is None else pi
        for t in range(H - 1, -1, -1):
            q = mdp.rewards[:, t] + self.discount * mdp.kernels[t].expect(V[:, t + 1])
            Q[:, t] = q
            if pi is None:
                V[:, t], out_pi[:, t] = self._improve(q, tau, t)
            else:
                V[:, t] = self._evaluate(q, pi[:, t], tau)
        return Q, V, out_pi

    def _best_values(
        self, mdp: MeanFieldMDP, tau: float, policy: bool = True
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """``(V*, π_BR)`` of a finite-horizon MDP: `backward` without a policy, the greedy (soft for
        τ > 0) policy formed for all steps at once after the sweep (None with ``policy=False``)."""
        K, H, S, A = self.num_populations, self.horizon, self.num_states, self.num_actions
        R, gamma, kernels = mdp.rewards, self.discount, mdp.kernels
        legal = None if self.all_legal else self.legal
        maximum = np.maximum.reduce
        Q = None
        SA = S * A
        if K * H * SA * (S + 1) <= CHAIN_ENTRIES and all(k._dense2 is not None for k in kernels):
            # Q_t = [γ P_t | R_t] [V_{t+1}; 1]: one matrix product per step, written into Q
            M = np.empty((K, H, SA, S + 1))
            if all(k is kernels[0] for k in kernels):
                M[:, :, :, :S] = kernels[0]._dense2[:, None]
            else:
                M[:, :, :, :S] = np.stack([k._dense2 for k in kernels], axis=1)
            if gamma != 1.0:
                M[:, :, :, :S] *= gamma
            M[:, :, :, S] = R.reshape(K, H, SA)
            X = np.ones((H + 1, K, S + 1, 1))
            X[H, :, :S, 0] = mdp.terminal
            Qt = np.empty((H, K, SA, 1))
            if K == 1:  # matrix-vector products per step (np.dot), cheaper per call than batched ones
                Ms, Xs, Qs, prod = M[0], X[:, 0, :, 0], Qt[:, 0, :, 0], np.dot
            else:
                Ms, Xs, Qs, prod = M.transpose(1, 0, 2, 3), X, Qt, np.matmul
            for t in range(H - 1, -1, -1):
                prod(Ms[t], Xs[t + 1], out=Qs[t])
                q = Qt[t].reshape(K, S, A)
                if legal is not None:
                    q = np.where(legal[:, t], q, -np.inf)
                    Qt[t] = q.reshape(K, SA, 1)
                if tau > 0:
                    X[t, :, :S, 0] = tau * logsumexp(q / tau, axis=-1)
                else:
                    maximum(q, axis=-1, out=X[t, :, :S, 0])
            V = X[:, :, :S, 0].transpose(1, 0, 2)
            Q = Qt.reshape(H, K, S, A).transpose(1, 0, 2, 3)
        if Q is None:
            V = np.empty((K, H + 1, S))
            V[:, H] = mdp.terminal
            Q = np.empty((K, H, S, A))
            for t in range(H - 1, -1, -1):
                ev = kernels[t].expect(V[:, t + 1])
                q = R[:, t] + (ev if gamma == 1.0 else gamma * ev)
                if legal is not None:
                    q = np.where(legal[:, t], q, -np.inf)
                Q[:, t] = q
                if tau > 0:
                    V[:, t] = tau * logsumexp(q / tau, axis=-1)
                else:
                    maximum(q, axis=-1, out=V[:, t])
        if not policy:
            return V, None
        if tau > 0:
            return V, softmax(Q, temperature=tau)
        return V, (np.arange(A) == np.argmax(Q, axis=-1)[..., None]).astype(float)

    def _flow_value(self, mu: np.ndarray, mdp: MeanFieldMDP, pi: np.ndarray, tau: float) -> np.ndarray:
        """``J_k(π, μ^π)`` along the population's own flow (finite horizon): ``Σ_t γ^t <μ_t, r_π,t> +
        γ^H <μ_H, g>`` with ``r_π,t(s) = Σ_a π_t(a|s) (r_t(s, a) − τ log π_t(a|s))``; equal to
        `backward` with the policy read at ``initial``, without its per-step sweep."""
        H, gamma = self.horizon, self.discount
        r_pi = np.add.reduce(pi * mdp.rewards, axis=-1)  # (K, H, S); the rewards are finite (checked)
        if tau > 0:
            positive = pi > 0
            r_pi -= tau * np.add.reduce(np.where(positive, pi * np.log(np.where(positive, pi, 1.0)), 0.0), -1)
        w = mu[:, :H] * r_pi
        if gamma != 1.0:
            w *= (gamma ** np.arange(H))[:, None]
        return np.add.reduce(w, axis=(1, 2)) + gamma**H * np.add.reduce(mu[:, H] * mdp.terminal, axis=-1)

    def _improve(self, q: np.ndarray, tau: float, t: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Value and (soft) greedy policy of Q-values ``q (K, S, A)`` at step t over the legal actions."""
        if not self.all_legal:
            q = np.where(self.legal[:, t], q, -np.inf)
        if tau > 0:
            return tau * logsumexp(q / tau, axis=-1), softmax(q, temperature=tau)
        best = np.argmax(q, axis=-1)
        pol = (np.arange(q.shape[-1]) == best[..., None]).astype(float)
        return np.max(q, axis=-1), pol

    def _evaluate(self, q: np.ndarray, pi: np.ndarray, tau: float) -> np.ndarray:
        v = np.sum(pi * np.where(pi > 0, q, 0.0), axis=-1)
        if tau > 0:
            v = v - tau * np.sum(np.where(pi > 0, pi * np.log(np.where(pi > 0, pi, 1.0)), 0.0), axis=-1)
        return v

    def _stationary_backward(
        self, mdp: MeanFieldMDP, pi: np.ndarray | None, tau: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ker, R, gamma = mdp.kernels[0], mdp.rewards[:, 0], self.discount
        K, S = self.num_populations, self.num_states
        eye = np.eye(S)

        def evaluate(p: np.ndarray) -> np.ndarray:
            r = self._evaluate(R, p, tau)
            return np.linalg.solve(eye - gamma * ker.matrix(p), r[..., None])[..., 0]

        if pi is not None:
            V = evaluate(pi)
            return R + gamma * ker.expect(V), V, pi
        if tau == 0:  # policy iteration: exact after finitely many improvements
            _, cur = self._improve(R, 0.0)
            for _ in range(10_000):
                V = evaluate(cur)
                Q = R + gamma * ker.expect(V)
                vmax, new = self._improve(Q, 0.0)
                # keep the current action where it is still greedy (no cycling between ties)
                still = np.sum(cur * Q, axis=-1) >= vmax - 1e-12 * (1.0 + np.abs(vmax))
                new = np.where(still[..., None], cur, new)
                if np.array_equal(new, cur):
                    return Q, V, cur
                cur = new
            raise SolverError("policy iteration did not settle")
        V = np.zeros((K, S))
        limit = int(np.ceil(np.log(1e-16) / np.log(max(gamma, 1e-3)))) + 1000
        for _ in range(min(limit, 10_000_000)):
            Q = R + gamma * ker.expect(V)
            newV, _ = self._improve(Q, tau)
            done = np.max(np.abs(newV - V)) <= 1e-14 * (1.0 + np.max(np.abs(newV)))
            V = newV
            if done:
                break
        _, soft = self._improve(R + gamma * ker.expect(V), tau)
        V = evaluate(soft)  # exact value of the returned policy
        return R + gamma * ker.expect(V), V, soft

    def _temperature(self, temperature: float | None) -> float:
        if temperature is None:
            return self.temperature
        return check_real("temperature", temperature, minimum=0.0, maximum=1e6)

    def best_response(
        self, mu: Any, population_policy: Any = None, temperature: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(π_BR, V)``: a (soft, with τ > 0) best response to the mean field μ and its values."""
        _, V, pi = self.backward(self.induced_mdp(mu, population_policy), None, temperature)
        return pi, V

    def q_values(
        self, mu: Any, population_policy: Any = None, policy: Any = None, temperature: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(Q, V)`` against μ: optimal ones, or those of ``policy`` when given."""
        Q, V, _ = self.backward(self.induced_mdp(mu, population_policy), policy, temperature)
        return Q, V

    def policy_value(
        self, policy: Any, mu: Any, population_policy: Any = None, temperature: float | None = None
    ) -> np.ndarray:
        """``J_k(π, μ)``: the expected return of each population's policy from ``initial``, shape (K,)."""
        _, V, _ = self.backward(self.induced_mdp(mu, population_policy), policy, temperature)
        return self._initial_value(V)

    def _initial_value(self, V: np.ndarray) -> np.ndarray:
        V0 = V if self.stationary else V[:, 0]
        return np.einsum("ks,ks->k", self.initial, V0)

    def evaluate(self, policy: Any, temperature: float | None = None) -> dict[str, np.ndarray]:
        """Everything an exploitability needs in one forward and one (finite horizon; two when
        stationary) backward pass, J(π, μ^π) summed along the flow:
        ``mu`` (μ^π), ``value`` (J(π, μ^π), (K,)), ``best_value`` (max_π' J(π', μ^π), (K,)),
        ``best_response`` (a best-response policy) and ``gaps`` (best_value − value)."""
        return self._evaluate_policy(policy, temperature, True)

    def _evaluate_policy(self, policy: Any, temperature: float | None, want_br: bool) -> dict[str, Any]:
        """`evaluate`; without forming the best-response policy of a finite-horizon game (None)
        when ``want_br`` is False."""
        pi = self.validate_policy(policy)
        mu, kernels = self._forward(pi)
        mdp = self._induced_mdp(mu, pi if self.action_dependent else None, kernels)
        if self.stationary:
            _, V_pi, _ = self.backward(mdp, pi, temperature)
            _, V_br, br = self.backward(mdp, None, temperature)
            value, best = self._initial_value(V_pi), self._initial_value(V_br)
        else:
            tau = self._temperature(temperature)
            V_br, br = self._best_values(mdp, tau, want_br)
            value, best = self._flow_value(mu, mdp, pi, tau), self._initial_value(V_br)
        return {"mu": mu, "value": value, "best_value": best, "best_response": br, "gaps": best - value}

    def exploitability_gaps(self, policy: Any, temperature: float | None = None) -> np.ndarray:
        """``max_π' J_k(π', μ^π) − J_k(π, μ^π)`` for each population k, shape (K,)."""
        if self._gap_workspace_ok and (temperature is None or self._temperature(temperature) == 0.0):
            return self._fixed_kernel_gaps(self.validate_policy(policy))
        return self._evaluate_policy(policy, temperature, False)["gaps"]

    @cached_property
    def _gap_workspace_ok(self) -> bool:
        """Whether `_fixed_kernel_gaps` applies: finite horizon, τ = 0, every action legal, rewards
        that see μ_t only, and one fixed kernel with a dense form whose buffers stay small."""
        if self.stationary or self.action_dependent or self.temperature > 0 or not self.all_legal:
            return False
        if not self._transition_constant:
            return False
        K, H, S, A = self.num_populations, self.horizon, self.num_states, self.num_actions
        if K * H * S * S > CHAIN_ENTRIES or K * H * S * A * (S + 1) > CHAIN_ENTRIES:
            return False
        return self.kernel_at(0, self.initial)._dense2 is not None

    def _fixed_kernel_gaps(self, pi: np.ndarray) -> np.ndarray:
        """`_evaluate_policy`'s gaps (τ = 0) for a game with one fixed dense kernel, in buffers and
        per-step views made once per game and thread (`_GapWorkspace`): the same operations on the
        same memory layouts, so the same numbers, without re-allocating and re-slicing per call."""
        cache = getattr(_WORKSPACES, "games", None)
        if cache is None:
            cache = _WORKSPACES.games = weakref.WeakKeyDictionary()
        ws = cache.get(self)
        if ws is None:
            ws = cache[self] = _GapWorkspace(self)
        mu = ws.mu
        chain = np.matmul(pi[:, :, :, None, :], ws.kernel5)[:, :, :, 0]  # P_π,t (K, H, S, S)
        prod = ws.prod
        for (m_t, m_next), c_t in zip(ws.forward_steps, ws.chain_steps(chain), strict=True):
            prod(m_t, c_t, out=m_next)
        if self._reward_flow is not None:  # `_induced_mdp`'s rewards without its per-call extras
            R = self._flow_rewards(mu)
            if not np.isfinite(R).all():
                self._induced_mdp(mu, None, ws.kernels)  # raises, naming the step, state and action
            terminal = None if self._terminal is None else self.terminal_at(mu[:, -1])
        else:
            mdp = self._induced_mdp(mu, None, ws.kernels)
            R, terminal = mdp.rewards, mdp.terminal
        ws.reward_column[...] = R.reshape(ws.reward_column.shape)
        if terminal is not None:
            ws.terminal[...] = terminal
        if ws.columns is None:
            maximum = np.maximum.reduce
            for M_t, X_next, Q_t, q_t, V_t in ws.backward_steps:
                prod(M_t, X_next, out=Q_t)
                maximum(q_t, axis=-1, out=V_t)
        else:  # few actions: the maximum as A − 1 elementwise ones, cheaper per call than a reduction
            maximum = np.maximum
            steps = zip(ws.backward_steps, ws.columns, strict=True)
            for (M_t, X_next, Q_t, _, V_t), (q0, q1, *rest) in steps:
                prod(M_t, X_next, out=Q_t)
                maximum(q0, q1, out=V_t)
                for q_a in rest:
                    maximum(V_t, q_a, out=V_t)
        best = np.einsum("ks,ks->k", self.initial, ws.values0)
        # J(π, μ^π) along the flow, as `_flow_value` (τ = 0); a zero terminal reward adds nothing
        w = ws.mu_head * np.add.reduce(pi * R, axis=-1)
        if ws.discounts is not None:
            w *= ws.discounts
        value = np.add.reduce(w, axis=(1, 2))
        if terminal is not None:
            value = value + self.discount**self.horizon * np.add.reduce(mu[:, -1] * terminal, axis=-1)
        return best - value

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """``J_k(π, μ^π)`` for each population."""
        if exact:
            raise InvalidParameterError("mean-field games are evaluated in floating point only")
        pi = self.validate_policy(profile)
        return self.policy_value(pi, self.forward(pi), pi if self.action_dependent else None)

    # ---- JSON -----------------------------------------------------------------------------------
    def profile_to_json(self, profile: Any, exact: bool = False) -> list:
        """One entry per population: ``{state: probabilities}`` (stationary) or a list of those, one
        per step."""
        pi = self.validate_policy(profile)
        out = []
        for k in range(self.num_populations):
            steps = pi[k][None] if self.stationary else pi[k]
            rows = [
                {lab: format_array(st[s], False) for s, lab in enumerate(self.state_labels)} for st in steps
            ]
            out.append(rows[0] if self.stationary else rows)
        return out

    def profile_from_json(self, data: Any) -> np.ndarray:
        if isinstance(data, dict) and "strategies" in data:
            data = data["strategies"]
        K = self.num_populations
        if not isinstance(data, list) or len(data) != K:
            raise InvalidStrategyError(
                f"a mean-field profile is a list of {K} population polic{'y' if K == 1 else 'ies'}, each "
                + (
                    "an object mapping state labels to probability lists"
                    if self.stationary
                    else f"a list of {self.horizon} objects (one per step) mapping state labels to "
                    "probability lists"
                )
            )
        index = {lab: s for s, lab in enumerate(self.state_labels)}
        arr = np.full(self.policy_shape, np.nan)
        for k, pol in enumerate(data):
            steps = [pol] if self.stationary else pol
            if not isinstance(steps, list) or len(steps) != self.num_steps:
                raise InvalidStrategyError(f"{self.population_labels[k]}: expected {self.num_steps} steps")
            for t, d in enumerate(steps):
                if not isinstance(d, dict):
                    raise InvalidStrategyError("each step maps state labels to probability lists")
                for lab, probs in d.items():
                    if not isinstance(lab, str) or lab not in index:
                        raise InvalidStrategyError(f"the game has no state {lab!r}")
                    if not isinstance(probs, list) or len(probs) != self.num_actions:
                        raise InvalidStrategyError(
                            f"{self.population_labels[k]}, state {lab!r}: expected a list of "
                            f"{self.num_actions} probabilities"
                        )
                    try:
                        row = [float(parse_number(x)) for x in probs]
                    except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
                        raise InvalidStrategyError(
                            f"{self.population_labels[k]}, state {lab!r}: probabilities must be "
                            f"numbers ({exc})"
                        ) from None
                    if self.stationary:
                        arr[k, index[lab]] = row
                    else:
                        arr[k, t, index[lab]] = row
        missing = np.argwhere(np.isnan(arr))
        if missing.size:
            raise InvalidStrategyError(
                f"the profile gives no probabilities for state {self.state_labels[missing[0][-2]]!r}"
            )
        return self.validate_policy(arr)

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        hz = f"horizon={self.horizon}" if self.horizon is not None else f"discount={self.discount}"
        pops = f"populations={self.num_populations}, " if self.num_populations > 1 else ""
        return f"MeanFieldGame{name}({pops}states={self.num_states}, actions={self.num_actions}, {hz})"


#: the policy chains ``P_π,t (K, H, S, S)`` are formed when they hold at most this many entries
CHAIN_ENTRIES = 1 << 20

#: per thread: game -> its `_GapWorkspace` (buffers are reused, so never shared between threads)
_WORKSPACES = threading.local()


class _GapWorkspace:
    """The buffers of `MeanFieldGame._fixed_kernel_gaps` and their per-step views, laid out exactly
    as `MeanFieldGame._forward` and `MeanFieldGame._best_values` lay theirs out: the mean field
    ``mu (K, H+1, S)``, and the backward's ``M (K, H, SA, S+1) = [γ P | R]`` (the kernel part written
    once), ``X (H+1, K, S+1, 1) = [V_t; 1]`` and ``Q (H, K, SA, 1)``."""

    __slots__ = ("mu", "kernel5", "kernels", "prod", "forward_steps", "backward_steps", "reward_column",
                 "terminal", "values0", "columns", "mu_head", "discounts", "_k1")

    def __init__(self, game: MeanFieldGame):
        K, H, S, A = game.num_populations, game.horizon, game.num_states, game.num_actions
        SA = S * A
        ker = game.kernel_at(0, game.initial)
        self.kernel5 = ker._dense2.reshape(K, 1, S, A, S)
        self.kernels = (ker,) * H
        self.mu = np.empty((K, H + 1, S))
        self.mu[:, 0] = game.initial
        M = np.empty((K, H, SA, S + 1))
        M[:, :, :, :S] = ker._dense2[:, None]
        if game.discount != 1.0:
            M[:, :, :, :S] *= game.discount
        self.reward_column = M[:, :, :, S]
        X = np.ones((H + 1, K, S + 1, 1))
        self.terminal = X[H, :, :S, 0]
        self.terminal[...] = 0.0  # the terminal reward when the game has none (else set per call)
        self.mu_head = self.mu[:, :H]
        self.discounts = None if game.discount == 1.0 else (game.discount ** np.arange(H))[:, None]
        Qt = np.empty((H, K, SA, 1))
        self._k1 = K == 1
        if self._k1:  # vector-matrix and matrix-vector products per step, as `_forward` / `_best_values`
            m = self.mu[0]
            self.forward_steps = [(m[t], m[t + 1]) for t in range(H)]
            Ms, Xs, Qs, self.prod = M[0], X[:, 0, :, 0], Qt[:, 0, :, 0], np.dot
        else:
            self.forward_steps = [(self.mu[:, t, None], self.mu[:, t + 1, None]) for t in range(H)]
            Ms, Xs, Qs, self.prod = M.transpose(1, 0, 2, 3), X, Qt, np.matmul
        self.backward_steps = [
            (Ms[t], Xs[t + 1], Qs[t], Qt[t].reshape(K, S, A), X[t, :, :S, 0]) for t in range(H - 1, -1, -1)
        ]
        self.values0 = X[0, :, :S, 0]
        #: per step, the Q-values of each action ``(K, S)`` (views), when there are 2 to 4 actions
        self.columns = None
        if 2 <= A <= 4:
            self.columns = [tuple(q_t[..., a] for a in range(A)) for _, _, _, q_t, _ in self.backward_steps]

    def chain_steps(self, chain: np.ndarray) -> Any:
        """The per-step matrices of the policy chains ``(K, H, S, S)`` as `_forward` indexes them."""
        return chain[0] if self._k1 else chain.transpose(1, 0, 2, 3)


def _policy_chains(kernels: tuple[Kernel, ...], pi: np.ndarray) -> np.ndarray | None:
    """``P_π,t[k, s, s'] = Σ_a π_t(a|s) p_t(s'|s, a)`` for every step at once, shape ``(K, H, S, S)``
    (one product when every step has the same kernel), or None when a kernel has no dense form or
    the chains would be large."""
    K, H, S, A = pi.shape
    if K * H * S * S > CHAIN_ENTRIES or any(k._dense2 is None for k in kernels):
        return None
    if all(k is kernels[0] for k in kernels):
        return np.matmul(pi[:, :, :, None, :], kernels[0]._dense2.reshape(K, 1, S, A, S))[:, :, :, 0]
    dense = np.stack([k._dense2.reshape(K, S, A, S) for k in kernels], axis=1)  # (K, H, S, A, S)
    return np.matmul(pi[:, :, :, None, :], dense)[:, :, :, 0]


def _fill(R: np.ndarray, t: int, r: np.ndarray) -> bool:
    """``R[:, t] = r`` when r broadcasts to that slice (False, R untouched, when it does not)."""
    try:
        R[:, t] = r
    except ValueError:
        return False
    return True


def _float_array(value: Any, what: str) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidGameError(f"{what} must be numbers: {exc}") from None
    return arr


def _game_int(name: str, value: Any, minimum: int) -> int:
    try:
        return check_int(name, value, minimum=minimum)
    except EquilibriaError as exc:
        raise InvalidGameError(str(exc)) from None


def _game_real(name: str, value: Any, lo: float, hi: float) -> float:
    try:
        return check_real(name, value, minimum=lo, maximum=hi)
    except EquilibriaError as exc:
        raise InvalidGameError(str(exc)) from None
