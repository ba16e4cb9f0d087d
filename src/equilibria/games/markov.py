"""Tabular Markov (stochastic) games: n players, general-sum, discounted or finite horizon.

A Markov game (Shapley, "Stochastic games", PNAS 1953; Littman, "Markov games as a framework for
multi-agent reinforcement learning", ICML 1994) has states ``s ∈ S``, per-player action sets
``A_1..A_n`` and, for every state and joint action ``a = (a_1..a_n)``:

* rewards ``R[s, i, a]`` for each player i, and
* transition probabilities ``P[s, a, s']``.

Play starts in ``s_0 ~ μ_0``. With a ``discount`` γ < 1 the payoff is ``E Σ_t γ^t R[s_t, i, a_t]``;
with a ``horizon`` H it is the sum over the first H steps (discounted by γ ≤ 1). States marked
``terminal`` are absorbing with zero reward (value 0).

A *Markov policy* of player i is an array ``π_i[s, a_i]`` (stationary) or ``π_i[t, s, a_i]``
(time-dependent, finite horizon only). A profile is a list of one policy per player. All
evaluations are whole-array operations: the joint policy is an outer product per state, the
induced Markov chain ``P_π[s, s'] = Σ_a π(a|s) P[s, a, s']`` is one ``einsum`` and a stationary
profile's values are one linear solve ``(I − γ P_π) V = r_π`` for all players at once.

`MarkovGameBuilder` builds a game state by state from labels; catalog games fill the arrays
directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import product
from typing import Any

import numpy as np

from .._checks import check_int, check_real
from .._numbers import format_array, parse_number, sums_are_constant
from ..errors import InvalidGameError, InvalidParameterError, InvalidStrategyError
from .base import Game

_LETTERS = "abcdefghijklmnopq"


class MarkovGame(Game):
    """A tabular n-player general-sum Markov game.

    ``rewards`` has shape ``(S, n, A_1, ..., A_n)``, ``transitions`` shape ``(S, A_1, ..., A_n, S)``.
    Exactly one of ``discount < 1`` (infinite horizon) or ``horizon`` (finite; ``discount`` then
    defaults to 1) must be given.
    """

    family = "markov"

    def __init__(
        self,
        rewards: Any,
        transitions: Any,
        *,
        discount: float | None = None,
        horizon: int | None = None,
        initial: Any = None,
        terminal: Any = None,
        state_labels: Sequence[str] | None = None,
        action_labels: Sequence[Sequence[str]] | None = None,
        player_labels: Sequence[str] | None = None,
        title: str = "",
    ):
        try:
            R = np.array(rewards, dtype=float)
            P = np.array(transitions, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(f"rewards and transitions must be numeric arrays: {exc}") from None
        if R.ndim < 3:
            raise InvalidGameError(f"rewards must have shape (S, n, A1, ..., An); got {R.shape}")
        S, n = R.shape[0], R.shape[1]
        if R.ndim != n + 2:
            raise InvalidGameError(
                f"rewards of shape {R.shape} name {n} players but have {R.ndim - 2} action axes"
            )
        A = R.shape[2:]
        if P.shape != (S, *A, S):
            raise InvalidGameError(f"transitions must have shape {(S, *A, S)}; got {P.shape}")
        if not (np.isfinite(R).all() and np.isfinite(P).all()):
            raise InvalidGameError("rewards and transitions must be finite")
        term = np.zeros(S, dtype=bool) if terminal is None else np.array(terminal, dtype=bool).reshape(-1)
        if term.shape != (S,):
            raise InvalidGameError(f"terminal must be a boolean mask of length {S}")
        live = ~term
        if (P < -1e-12).any():
            raise InvalidGameError("transition probabilities must be non-negative")
        sums = P.sum(axis=-1)
        bad = np.argwhere((np.abs(sums - 1) > 1e-9) & live.reshape((S,) + (1,) * n))
        if bad.size:
            s, *a = (int(x) for x in bad[0])
            raise InvalidGameError(
                f"transition probabilities from state {s} under joint action {tuple(a)} sum to "
                f"{sums[(s, *a)]}, not 1"
            )
        if discount is not None:
            discount = _game_number(check_real, "discount", discount, minimum=0.0, maximum=1.0)
        if horizon is not None:
            horizon = _game_number(check_int, "horizon", horizon, minimum=1)
        if horizon is None:
            if discount is None or not 0 <= discount < 1:
                raise InvalidGameError(
                    "an infinite-horizon Markov game needs a discount in [0, 1); give discount=... "
                    "or a finite horizon=..."
                )
        else:
            if int(horizon) != horizon or horizon < 1:
                raise InvalidGameError(f"horizon must be a positive integer, got {horizon}")
            horizon = int(horizon)
            discount = 1.0 if discount is None else discount
            if not 0 <= discount <= 1:
                raise InvalidGameError(f"discount must be in [0, 1], got {discount}")
        # terminal states are absorbing with zero reward: zero their rows so V(terminal) = 0
        R[term] = 0.0
        P[term] = 0.0
        mu0 = np.full(S, 1.0 / S) if initial is None else np.array(initial, dtype=float).reshape(-1)
        if mu0.shape != (S,) or (mu0 < 0).any() or abs(mu0.sum() - 1) > 1e-9:
            raise InvalidGameError(f"initial must be a probability vector over the {S} states")
        self.num_states = S
        self.num_actions: tuple[int, ...] = tuple(int(k) for k in A)
        self._n = n
        self.discount = float(discount)
        self.horizon = horizon
        self.rewards = R
        self.transitions = P
        self.initial = mu0
        self.terminal = term
        self.state_labels = tuple(str(x) for x in (state_labels or range(S)))
        if len(self.state_labels) != S:
            raise InvalidGameError(f"{len(self.state_labels)} state labels for {S} states")
        labs = action_labels or [[str(a) for a in range(k)] for k in A]
        self.action_labels = tuple(tuple(str(x) for x in la) for la in labs)
        if [len(x) for x in self.action_labels] != list(A):
            sizes = [len(x) for x in self.action_labels]
            raise InvalidGameError(f"action labels have sizes {sizes}, not {list(A)}")
        self.player_labels = tuple(player_labels or (str(i + 1) for i in range(n)))
        self.title = title
        J = int(np.prod(A))
        self.num_joint_actions = J
        #: rewards and transitions with the joint action flattened: (S, n, J) and (S, J, S)
        self.joint_rewards = R.reshape(S, n, J)
        self.joint_transitions = P.reshape(S, J, S)
        for arr in (R, P, mu0, term, self.joint_rewards, self.joint_transitions):
            arr.setflags(write=False)
        self._freeze()

    # ---- structure ----------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return self._n

    @property
    def num_steps(self) -> int:
        """Number of decision epochs a time-dependent policy has (1 for discounted games)."""
        return self.horizon or 1

    @cached_property
    def payoff_scale(self) -> float:
        """Largest attainable |return|: max |r| times the effective horizon."""
        r = float(np.abs(self.rewards).max()) if self.rewards.size else 0.0
        eff = self.horizon if self.horizon else 1.0 / (1.0 - self.discount)
        return (r * eff) or 1.0

    @cached_property
    def is_zero_sum(self) -> bool:
        """Rewards sum to zero in every state and joint action, up to 1e-12 of the largest |reward|
        (relative, so a zero-sum game stays zero-sum when its rewards are scaled by any factor)."""
        scale = float(np.abs(self.rewards).max()) if self.rewards.size else 0.0
        return sums_are_constant(self.rewards.sum(axis=1), scale, zero=True)

    @property
    def is_constant_sum(self) -> bool:
        return self.is_zero_sum

    def default_method(self) -> str:
        return "shapley" if self._n == 2 and self.is_zero_sum else "ce-value-iteration"

    def stage_game(self, state: int, continuation: np.ndarray | None = None) -> np.ndarray:
        """``Q[i, a] = R[s, i, a] + γ Σ_s' P[s, a, s'] V[s', i]``: the matrix game played at ``state``."""
        Q = self.rewards[state]
        if continuation is not None:
            cont = np.tensordot(self.transitions[state], continuation, axes=([-1], [0]))  # (*A, n)
            Q = Q + self.discount * np.moveaxis(cont, -1, 0)
        return Q

    def stage_games(self, continuation: np.ndarray) -> np.ndarray:
        """All stage games at once: ``Q[s, i, j] = R[s, i, j] + γ Σ_s' P[s, j, s'] V[s', i]`` (j flat)."""
        return self.joint_rewards + self.discount * np.einsum(
            "sjt,ti->sij", self.joint_transitions, continuation
        )

    # ---- policies -----------------------------------------------------------------------------
    def uniform_profile(self, exact: bool = False) -> list[np.ndarray]:
        if exact:
            raise InvalidParameterError("Markov games are evaluated in floating point only")
        return [np.full((self.num_states, k), 1.0 / k) for k in self.num_actions]

    def validate_profile(self, profile: Any, exact: bool = False, atol: float = 1e-6) -> list[np.ndarray]:
        """Each policy as an array ``(T, S, A_i)`` (T = horizon, or 1 for a stationary policy)."""
        if exact:
            raise InvalidParameterError("Markov games are evaluated in floating point only (exact=False)")
        try:
            seq = list(profile)
        except TypeError:
            raise InvalidStrategyError("a Markov profile is a list of one policy array per player") from None
        if len(seq) != self._n:
            raise InvalidStrategyError(f"profile has {len(seq)} policies; the game has {self._n} players")
        out = []
        for i, (pol, k) in enumerate(zip(seq, self.num_actions, strict=True)):
            try:
                arr = np.asarray(pol, dtype=float)
            except (TypeError, ValueError):
                raise InvalidStrategyError(f"policy of player {i + 1} must be numbers") from None
            if arr.ndim == 2:
                arr = arr[None]
            ok = arr.ndim == 3 and arr.shape[1:] == (self.num_states, k)
            if not ok or arr.shape[0] not in (1, self.num_steps):
                ok = False
            if not ok:
                raise InvalidStrategyError(
                    f"policy of player {i + 1} has shape {np.shape(pol)}; expected ({self.num_states}, {k})"
                    + (f" or ({self.num_steps}, {self.num_states}, {k})" if self.horizon else "")
                )
            if not np.isfinite(arr).all() or arr.min() < -atol or (np.abs(arr.sum(-1) - 1) > atol).any():
                bad = np.argwhere(np.abs(arr.sum(-1) - 1) > atol)
                where = f" at state {self.state_labels[bad[0][1]]!r}" if bad.size else ""
                raise InvalidStrategyError(f"policy of player {i + 1} is not a probability vector{where}")
            out.append(arr)
        return out

    def joint_policy(self, profile: Any) -> np.ndarray:
        """``π[t, s, j]``: probability of joint action j (flat) at state s, step t (product of marginals)."""
        pols = self.validate_profile(profile)
        T = max(p.shape[0] for p in pols)
        joint = np.broadcast_to(pols[0], (T, *pols[0].shape[1:]))
        for p in pols[1:]:
            joint = (joint[..., :, None] * p[..., None, :]).reshape(T, self.num_states, -1)
        return joint

    def state_values(self, profile: Any) -> np.ndarray:
        """``V[s, i]``: each player's value from each state (at step 0) under the profile.

        Discounted: one linear solve ``(I − γ P_π) V = r_π``; finite horizon: backward induction.
        """
        return self.joint_state_values(self.joint_policy(profile))

    def joint_state_values(self, joint: np.ndarray) -> np.ndarray:
        """``V[s, i]`` under a distribution over joint actions ``joint[t, s, j]`` (j the flat joint
        action; ``t`` of length 1 for a stationary policy): the policy evaluation that both a
        profile (`state_values`, the product of its marginals) and a correlated policy use.

        Discounted: one linear solve ``(I − γ P) V = r``; finite horizon: backward induction.
        """
        r = np.einsum("sij,tsj->tsi", self.joint_rewards, joint)
        P = np.einsum("sju,tsj->tsu", self.joint_transitions, joint)
        if self.horizon is None:
            return np.linalg.solve(np.eye(self.num_states) - self.discount * P[0], r[0])
        V = np.zeros((self.num_states, self._n))
        for t in reversed(range(self.horizon)):
            k = min(t, joint.shape[0] - 1)
            V = r[k] + self.discount * P[k] @ V
        return V

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        if exact:
            raise InvalidParameterError("Markov games are evaluated in floating point only")
        return self.initial @ self.state_values(profile)

    def induced_mdp(self, profile: Any, player: int) -> tuple[np.ndarray, np.ndarray]:
        """The MDP ``player`` faces when the others play ``profile``: ``r[t, s, a]``, ``P[t, s, a, s']``."""
        pols = self.validate_profile(profile)
        n = self._n
        acts = _LETTERS[:n]
        others = [j for j in range(n) if j != player]
        ins_r = ["s" + acts] + ["ts" + acts[j] for j in others]
        ins_p = ["s" + acts + "u"] + ["ts" + acts[j] for j in others]
        R_i = self.rewards[:, player]
        T = max([pols[j].shape[0] for j in others], default=1)
        if not others:
            r = np.broadcast_to(R_i, (T, *R_i.shape))
            P = np.broadcast_to(self.transitions, (T, *self.transitions.shape))
            return np.array(r), np.array(P)
        ops = [np.broadcast_to(pols[j], (T, *pols[j].shape[1:])) for j in others]
        r = np.einsum(",".join(ins_r) + "->ts" + acts[player], R_i, *ops)
        P = np.einsum(",".join(ins_p) + "->ts" + acts[player] + "u", self.transitions, *ops)
        return r, P

    def occupancy(self, profile: Any) -> np.ndarray:
        """``d[s]``: expected discounted visits to s from ``μ_0`` (sum over t of γ^t Pr[s_t = s])."""
        pi = self.joint_policy(profile)
        Ppi = np.einsum("sju,tsj->tsu", self.joint_transitions, pi)
        if self.horizon is None:
            return np.linalg.solve((np.eye(self.num_states) - self.discount * Ppi[0]).T, self.initial)
        d, x = np.zeros(self.num_states), self.initial.copy()
        for t in range(self.horizon):
            d += x
            x = self.discount * x @ Ppi[min(t, pi.shape[0] - 1)]
        return d

    # ---- JSON -----------------------------------------------------------------------------------
    def profile_to_json(self, profile: Any, exact: bool = False) -> list:
        out = []
        for pol in self.validate_profile(profile):
            steps = [
                {self.state_labels[s]: format_array(pol[t, s], False) for s in range(self.num_states)}
                for t in range(pol.shape[0])
            ]
            out.append(steps[0] if len(steps) == 1 else steps)
        return out

    def profile_from_json(self, data: Any) -> list[np.ndarray]:
        if isinstance(data, dict) and "strategies" in data:
            data = data["strategies"]
        if not isinstance(data, list) or len(data) != self._n:
            raise InvalidStrategyError(
                f"a Markov profile is a list of {self._n} objects mapping state labels to probability lists"
            )
        index = {lab: s for s, lab in enumerate(self.state_labels)}
        out = []
        for i, pol in enumerate(data):
            steps = pol if isinstance(pol, list) else [pol]
            arr = np.zeros((len(steps), self.num_states, self.num_actions[i]))
            for t, d in enumerate(steps):
                if not isinstance(d, dict):
                    raise InvalidStrategyError("each policy maps state labels to probability lists")
                for lab, probs in d.items():
                    if not isinstance(lab, str) or lab not in index:
                        raise InvalidStrategyError(f"the game has no state {lab!r}")
                    if not isinstance(probs, list) or len(probs) != self.num_actions[i]:
                        raise InvalidStrategyError(
                            f"player {i + 1}, state {lab!r}: expected a list of {self.num_actions[i]} "
                            "probabilities"
                        )
                    try:
                        arr[t, index[lab]] = [float(parse_number(x)) for x in probs]
                    except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
                        raise InvalidStrategyError(
                            f"player {i + 1}, state {lab!r}: probabilities must be numbers ({exc})"
                        ) from None
            out.append(arr[0] if len(steps) == 1 else arr)
        return [p[0] if p.shape[0] == 1 else p for p in self.validate_profile(out)]

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        hz = f"horizon={self.horizon}" if self.horizon else f"discount={self.discount}"
        return (
            f"MarkovGame{name}(players={self._n}, states={self.num_states}, "
            f"actions={list(self.num_actions)}, {hz})"
        )

    @classmethod
    def builder(cls, actions: Sequence[Sequence[str]], **kwargs: Any) -> MarkovGameBuilder:
        return MarkovGameBuilder(actions, **kwargs)


class MarkovGameBuilder:
    """Build a `MarkovGame` from labelled states and joint actions.

    ::

        b = MarkovGame.builder([["stay", "go"], ["stay", "go"]])
        b.terminal("end")
        b.transition("s", ("go", "go"), rewards=(1, 1), to={"end": 1.0})
        b.transition("s", "*", rewards=(0, 0), to={"s": 1.0}, replace=False)   # every other action
        game = b.build(discount=0.9, initial="s")

    A non-terminal state must have a transition for every joint action; ``"*"`` fills every joint
    action not yet given.
    """

    def __init__(self, actions: Sequence[Sequence[str]], player_labels: Sequence[str] | None = None):
        self.actions = [list(map(str, a)) for a in actions]
        if not self.actions or any(not a for a in self.actions):
            raise InvalidGameError("every player needs at least one action")
        self.player_labels = player_labels
        self._states: dict[str, int] = {}
        self._terminal: set[str] = set()
        self._edges: dict[tuple[str, tuple[int, ...]], tuple[tuple[float, ...], dict[str, float]]] = {}

    def state(self, label: str) -> MarkovGameBuilder:
        self._states.setdefault(str(label), len(self._states))
        return self

    def terminal(self, label: str) -> MarkovGameBuilder:
        self.state(label)
        self._terminal.add(str(label))
        return self

    def _joint(self, joint: Any) -> list[tuple[int, ...]]:
        if joint == "*":
            return list(product(*(range(len(a)) for a in self.actions)))
        if len(joint) != len(self.actions):
            raise InvalidGameError(f"joint action {joint!r} must name one action per player")
        idx = []
        for i, a in enumerate(joint):
            lab = str(a)
            if lab not in self.actions[i]:
                raise InvalidGameError(f"player {i + 1} has no action {a!r}; it has {self.actions[i]}")
            idx.append(self.actions[i].index(lab))
        return [tuple(idx)]

    def transition(
        self, state: str, joint: Any, *, rewards: Sequence[float], to: dict[str, float], replace: bool = True
    ) -> MarkovGameBuilder:
        """In ``state`` under ``joint`` (labels, or ``"*"``), pay ``rewards`` and move by ``to``."""
        if len(rewards) != len(self.actions):
            raise InvalidGameError(f"rewards {tuple(rewards)} must give one number per player")
        self.state(state)
        for lab in to:
            self.state(lab)
        for j in self._joint(joint):
            key = (str(state), j)
            if replace or key not in self._edges:
                dest = {str(k): float(v) for k, v in to.items()}
                self._edges[key] = (tuple(float(r) for r in rewards), dest)
        return self

    def build(
        self,
        *,
        discount: float | None = None,
        horizon: int | None = None,
        initial: str | dict[str, float] | None = None,
        title: str = "",
    ) -> MarkovGame:
        labels = sorted(self._states, key=self._states.get)
        S, n = len(labels), len(self.actions)
        A = tuple(len(a) for a in self.actions)
        R = np.zeros((S, n, *A))
        P = np.zeros((S, *A, S))
        for (st, j), (rew, to) in self._edges.items():
            s = self._states[st]
            R[(s, slice(None), *j)] = rew
            for lab, p in to.items():
                P[(s, *j, self._states[lab])] += p
        term = np.array([lab in self._terminal for lab in labels])
        for s, lab in enumerate(labels):
            if term[s]:
                continue
            for j in product(*(range(k) for k in A)):
                if (lab, j) not in self._edges:
                    names = tuple(self.actions[i][a] for i, a in enumerate(j))
                    raise InvalidGameError(f"state {lab!r} has no transition for joint action {names}")
        if initial is None:
            mu0 = np.zeros(S)
            mu0[0] = 1.0
        elif isinstance(initial, str):
            if initial not in self._states:
                raise InvalidGameError(f"initial state {initial!r} is not a state of the game")
            mu0 = np.zeros(S)
            mu0[self._states[initial]] = 1.0
        else:
            mu0 = np.zeros(S)
            for lab, p in initial.items():
                mu0[self._states[lab]] = p
        return MarkovGame(
            R,
            P,
            discount=discount,
            horizon=horizon,
            initial=mu0,
            terminal=term,
            state_labels=labels,
            action_labels=self.actions,
            player_labels=self.player_labels,
            title=title,
        )


def _game_number(check: Any, name: str, value: Any, **bounds: Any) -> Any:
    """A `_checks` validation whose failure is an `InvalidGameError` (the game's data is wrong)."""
    try:
        return check(name, value, **bounds)
    except InvalidParameterError as exc:
        raise InvalidGameError(str(exc)) from None
