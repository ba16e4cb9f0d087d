"""Extensive-form games with imperfect information, compiled once to flat arrays.

A game is a tree of chance nodes (explicit outcome probabilities), decision nodes (a player and an
information set) and terminal nodes (a payoff per player). It is built either from a nested
description (`Terminal`, `Chance`, `Decision`) or by enumerating any object with OpenSpiel's state
interface (`ExtensiveFormGame.from_state`), which is how both our catalog games and the OpenSpiel
bridge are made.

Compilation turns the tree into arrays that every algorithm works on:

* information sets ``I`` (grouped by player), each with ``infoset_num_actions[I]`` actions;
  a *behaviour policy* is an array ``σ`` of shape ``(num_infosets, max_actions)`` with zeros on
  illegal actions;
* *sequences*: the flat index ``1 + I * max_actions + a`` names the sequence ending with action
  ``a`` at ``I``; index 0 is the empty sequence. ``infoset_parent_seq[I]`` is the owner's sequence
  leading to ``I`` (unique by perfect recall), and ``levels[k]`` lists the infosets whose owner has
  taken ``k`` actions before reaching them;
* terminals ``z``: utilities ``terminal_utility[z, p]``, chance reach ``terminal_chance[z]`` and each
  player's last sequence ``terminal_seq[p, z]``.

With these, a realization plan (Romanovskii 1962; Koller, Megiddo & von Stengel 1994;
von Stengel 1996) ``r[1 + I*A + a] = r[parent_seq(I)] * σ[I, a]`` takes one vectorised step per level,
and the reach of every terminal is a gather. Best responses and counterfactual values are
bottom-up passes over the same levels. No per-iteration work walks the tree node by node.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from numbers import Rational
from typing import Any

import numpy as np

from .._numbers import (
    check_float_range,
    format_array,
    fraction_array,
    parse_number,
    sums_are_constant,
    to_fraction,
)
from ..errors import InvalidGameError, InvalidStrategyError, PerfectRecallError
from .base import Game, SumTests

CHANCE = -1
TERMINAL = -2


# ---- the nested description used by the builder, .efg files and hand-written games ------------
@dataclass(frozen=True)
class Terminal:
    """A leaf with one payoff per player."""

    payoffs: Sequence[Any]
    label: str = ""


@dataclass(frozen=True)
class Chance:
    """A chance node: ``outcomes`` is a sequence of ``(label, probability, child)``."""

    outcomes: Sequence[tuple[str, Any, Any]]
    label: str = ""


@dataclass(frozen=True)
class Decision:
    """A decision node of ``player`` (0-based) in information set ``infoset`` (any hashable key).

    ``actions`` is a sequence of ``(label, child)``; every node of an information set must offer the
    same action labels in the same order.
    """

    player: int
    infoset: Hashable
    actions: Sequence[tuple[str, Any]]
    label: str = ""


@dataclass(frozen=True)
class _Expanded:
    kind: int  # TERMINAL, CHANCE or the player
    infoset: Hashable
    labels: tuple[str, ...]
    probs: tuple[Any, ...]
    children: tuple[Any, ...]
    payoffs: tuple[Any, ...]


def _expand_tree(node: Any) -> _Expanded:
    if isinstance(node, Terminal):
        return _Expanded(TERMINAL, None, (), (), (), tuple(node.payoffs))
    if isinstance(node, Chance):
        labels = tuple(str(o[0]) for o in node.outcomes)
        probs = tuple(o[1] for o in node.outcomes)
        return _Expanded(CHANCE, None, labels, probs, tuple(o[2] for o in node.outcomes), ())
    if isinstance(node, Decision):
        labels = tuple(str(a[0]) for a in node.actions)
        return _Expanded(int(node.player), node.infoset, labels, (), tuple(a[1] for a in node.actions), ())
    raise InvalidGameError(f"tree nodes must be Terminal, Chance or Decision, not {type(node).__name__}")


def _expand_state(state: Any) -> _Expanded:
    """Adapter for objects with OpenSpiel's state interface (pyspiel states included)."""
    if state.is_terminal():
        return _Expanded(TERMINAL, None, (), (), (), tuple(state.returns()))
    if state.is_chance_node():
        outcomes = state.chance_outcomes()
        labels = tuple(state.action_to_string(CHANCE, a) for a, _ in outcomes)
        return _Expanded(
            CHANCE,
            None,
            labels,
            tuple(p for _, p in outcomes),
            tuple(state.child(a) for a, _ in outcomes),
            (),
        )
    player = state.current_player()
    if player < 0:
        raise InvalidGameError(
            f"state reports player {player}; simultaneous-move states must be converted to "
            "sequential form first"
        )
    actions = state.legal_actions()
    labels = tuple(state.action_to_string(player, a) for a in actions)
    return _Expanded(
        player, state.information_state_string(player), labels, (), tuple(state.child(a) for a in actions), ()
    )


def _clean_payoffs(row: Sequence[Any], node: int) -> tuple[Any, ...]:
    """A terminal's payoffs: floats as they are; ints, fractions and strings read exactly and checked
    to fit a float without overflow or underflow to 0 (so exact and float solvers see one game)."""
    out = []
    for x in row:
        if isinstance(x, (float, np.floating)):
            out.append(float(x))
            continue
        try:
            numeric = isinstance(x, (str, int, np.integer, Fraction, Rational))
            if isinstance(x, (bool, np.bool_)) or not numeric:
                raise ValueError(f"{x!r} is not a number")
            f = to_fraction(x)
            check_float_range(f)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
            raise InvalidGameError(f"terminal node {node}: payoffs must be numbers ({exc})") from None
        out.append(f if isinstance(x, str) else x)
    return tuple(out)


def _chance_probs(given: Sequence[Any], idx: int) -> list[Any]:
    """A chance node's probabilities, checked: exact values (ints, fractions, strings) must sum to
    exactly 1; floats (e.g. from OpenSpiel) to within 1e-9, and exact arithmetic then uses them
    normalised exactly (`ExtensiveFormGame.exact_terminal_chance`)."""
    try:
        probs = [float(p) if isinstance(p, (float, np.floating)) else to_fraction(p) for p in given]
        fl = [float(p) for p in probs]
    except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
        raise InvalidGameError(f"chance node {idx}: outcome probabilities must be numbers ({exc})") from None
    if any(not np.isfinite(p) or p < 0 for p in fl) or any(p < 0 for p in probs):
        raise InvalidGameError(
            f"chance node {idx} has outcome probabilities {fl}; they must be non-negative and sum to 1"
        )
    if all(isinstance(p, Fraction) for p in probs):
        total = sum(probs, Fraction(0))
        if total != 1:
            raise InvalidGameError(
                f"chance node {idx} has exact outcome probabilities {[str(p) for p in probs]} that sum to "
                f"{total}, not 1; exact probabilities must sum to exactly 1 (write 1/3, not 0.333)"
            )
    elif abs(math.fsum(fl) - 1) > 1e-9:
        raise InvalidGameError(
            f"chance node {idx} has outcome probabilities {fl}; they must be non-negative and sum to 1"
        )
    return probs


# ---- the game -----------------------------------------------------------------------------------
class ExtensiveFormGame(SumTests, Game):
    """An n-player general-sum extensive-form game, compiled to arrays.

    Games without perfect recall load; the methods that need it raise `PerfectRecallError`
    (see `has_perfect_recall`, `require_perfect_recall`).
    """

    family = "extensive_form"

    def __init__(
        self,
        root: Any,
        num_players: int,
        *,
        player_labels: Sequence[str] | None = None,
        title: str = "",
        expand: Callable[[Any], _Expanded] = _expand_tree,
        max_nodes: int = 10_000_000,
    ):
        if num_players < 1:
            raise InvalidGameError("an extensive-form game needs at least one player")
        self.title = title
        self.player_labels = tuple(player_labels or (str(i + 1) for i in range(num_players)))
        if len(self.player_labels) != num_players:
            raise InvalidGameError(f"{len(self.player_labels)} player labels for {num_players} players")
        self._n = num_players
        self._compile(root, expand, max_nodes)
        self._freeze()

    @classmethod
    def from_tree(cls, root: Any, num_players: int, **kwargs: Any) -> ExtensiveFormGame:
        """Build from nested `Terminal` / `Chance` / `Decision` nodes."""
        return cls(root, num_players, **kwargs)

    @classmethod
    def from_state(cls, state: Any, num_players: int | None = None, **kwargs: Any) -> ExtensiveFormGame:
        """Enumerate every history reachable from ``state`` (OpenSpiel's state interface).

        The state needs ``is_terminal``, ``returns``, ``is_chance_node``, ``chance_outcomes``,
        ``current_player``, ``legal_actions``, ``child``, ``information_state_string`` and
        ``action_to_string``.
        """
        if num_players is None:
            num_players = state.num_players() if hasattr(state, "num_players") else len(state.returns())
        return cls(state, num_players, expand=_expand_state, **kwargs)

    # ---- compilation ------------------------------------------------------------------------
    def _compile(self, root: Any, expand: Callable[[Any], _Expanded], max_nodes: int) -> None:
        n = self._n
        parent: list[int] = [-1]
        action: list[int] = [-1]
        depth: list[int] = [0]
        kind: list[int] = []
        node_infoset_key: list[Hashable] = []
        chance_prob: list[Any] = [Fraction(1)]
        payoffs: dict[int, tuple] = {}
        infoset_index: dict[Hashable, int] = {}
        infoset_player: list[int] = []
        infoset_actions: list[tuple[str, ...]] = []
        infoset_first_node: list[int] = []
        chance_labels: dict[int, tuple[str, ...]] = {}
        queue: deque[tuple[int, Any]] = deque([(0, root)])
        while queue:
            idx, obj = queue.popleft()
            ex = expand(obj)
            kind.append(ex.kind)
            node_infoset_key.append(None)
            if ex.kind == TERMINAL:
                if len(ex.payoffs) != n:
                    raise InvalidGameError(
                        f"terminal node {idx} has {len(ex.payoffs)} payoffs; the game has {n} players"
                    )
                payoffs[idx] = ex.payoffs
                continue
            if not ex.children:
                raise InvalidGameError(f"node {idx} is not terminal but has no actions")
            if ex.kind == CHANCE:
                probs = _chance_probs(ex.probs, idx)
                chance_labels[idx] = ex.labels
            else:
                if not 0 <= ex.kind < n:
                    raise InvalidGameError(f"node {idx} belongs to player {ex.kind}; players are 0..{n - 1}")
                key = (ex.kind, ex.infoset)
                if key not in infoset_index:
                    infoset_index[key] = len(infoset_player)
                    infoset_player.append(ex.kind)
                    infoset_actions.append(ex.labels)
                    infoset_first_node.append(idx)
                elif infoset_actions[infoset_index[key]] != ex.labels:
                    raise InvalidGameError(
                        f"information set {ex.infoset!r} of player {ex.kind + 1} offers actions "
                        f"{list(infoset_actions[infoset_index[key]])} at one node and {list(ex.labels)} "
                        "at another; all its nodes must offer the same actions"
                    )
                node_infoset_key[idx] = key
            if len(parent) + len(ex.children) > max_nodes:
                raise InvalidGameError(
                    f"the game tree has more than {max_nodes} nodes; it is too large to enumerate "
                    "(raise max_nodes if you have the memory)"
                )
            for a, child in enumerate(ex.children):
                child_idx = len(parent)
                parent.append(idx)
                action.append(a)
                depth.append(depth[idx] + 1)
                chance_prob.append(probs[a] if ex.kind == CHANCE else 1)
                queue.append((child_idx, child))

        num_nodes = len(parent)
        # order information sets by player, keeping discovery order within a player
        order = sorted(range(len(infoset_player)), key=lambda i: (infoset_player[i], i))
        remap = np.empty(len(order), dtype=np.int64)
        remap[order] = np.arange(len(order))
        self.infoset_player = np.array([infoset_player[i] for i in order], dtype=np.int64)
        key_of = {v: k[1] for k, v in infoset_index.items()}
        self.infoset_keys: tuple[Hashable, ...] = tuple(key_of[i] for i in order)
        self.infoset_labels: tuple[str, ...] = tuple(str(k) for k in self.infoset_keys)
        self.action_labels: tuple[tuple[str, ...], ...] = tuple(infoset_actions[i] for i in order)
        self.infoset_num_actions = np.array([len(a) for a in self.action_labels], dtype=np.int64)
        num_infosets = len(order)
        self.num_infosets = num_infosets
        self.max_actions = int(self.infoset_num_actions.max()) if num_infosets else 1
        A = self.max_actions
        self.legal_mask = np.arange(A)[None, :] < self.infoset_num_actions[:, None]

        self.node_parent = np.array(parent, dtype=np.int64)
        self.node_action = np.array(action, dtype=np.int64)
        self.node_depth = np.array(depth, dtype=np.int64)
        self.node_player = np.array(kind, dtype=np.int64)
        self.node_infoset = np.array(
            [remap[infoset_index[k]] if k is not None else -1 for k in node_infoset_key], dtype=np.int64
        )
        self._chance_labels = chance_labels
        #: exact probability of the edge into each node (Fraction where given exactly; 1 below decisions)
        self.exact_edge_chance_prob: tuple[Any, ...] = tuple(chance_prob)
        #: the same as floats
        self.edge_chance_prob = np.array([float(p) for p in chance_prob])

        # each player's last sequence at every node, and chance reach, in one top-down sweep
        node_seq = np.zeros((n, num_nodes), dtype=np.int64)
        exact_chance = all(not isinstance(p, float) for p in chance_prob)
        reach_c = [Fraction(1)] * num_nodes if exact_chance else [1.0] * num_nodes
        for v in range(1, num_nodes):
            u = parent[v]
            node_seq[:, v] = node_seq[:, u]
            pu = kind[u]
            if pu >= 0:
                node_seq[pu, v] = 1 + self.node_infoset[u] * A + action[v]
            reach_c[v] = reach_c[u] * chance_prob[v]

        # perfect recall: all nodes of an infoset share the owner's last sequence
        dec = np.flatnonzero(self.node_player >= 0)
        own_seq = node_seq[self.node_player[dec], dec]
        first = np.full(num_infosets, -1, dtype=np.int64)
        first[self.node_infoset[dec][::-1]] = own_seq[::-1]
        bad = np.flatnonzero(own_seq != first[self.node_infoset[dec]])
        # a game without perfect recall is a valid game (Gambit loads it): only the methods built on
        # sequences refuse it, through `require_perfect_recall`
        self._recall_violation: str | None = None
        if bad.size:
            I = int(self.node_infoset[dec[bad[0]]])
            self._recall_violation = (
                f"information set {self.infoset_labels[I]!r} of player {self.infoset_player[I] + 1} "
                f"violates perfect recall: the player reaches its nodes after different own histories "
                f"({self._describe_seq(int(first[I]))} vs {self._describe_seq(int(own_seq[bad[0]]))})"
            )
            self._recall_infoset = I
        self._infoset_parent_seq = first

        term = np.flatnonzero(self.node_player == TERMINAL)
        self.terminal_nodes = term
        self._terminal_seq = node_seq[:, term]
        self.num_terminals = len(term)
        raw_pay = [_clean_payoffs(payoffs[int(z)], int(z)) for z in term]
        util = np.array([[float(x) for x in row] for row in raw_pay], dtype=float).reshape(len(term), n)
        if not np.isfinite(util).all():
            z = int(term[np.argwhere(~np.isfinite(util))[0][0]])
            raise InvalidGameError(f"terminal node {z} has a non-finite payoff {payoffs[z]}")
        util.setflags(write=False)
        self.terminal_utility = util
        self._raw_payoffs = raw_pay
        self.terminal_chance = np.array([float(reach_c[int(z)]) for z in term])
        self._exact_chance = [reach_c[int(z)] for z in term] if exact_chance else None

        # own-depth levels of the infosets (number of own actions before reaching them)
        seq_depth = np.zeros(1 + num_infosets * A, dtype=np.int64)
        infoset_level = np.zeros(num_infosets, dtype=np.int64)
        # parents come before children in BFS order of first appearance; iterate to a fixed point
        for I in np.argsort([infoset_first_node[i] for i in order], kind="stable"):
            lvl = seq_depth[self._infoset_parent_seq[I]]
            infoset_level[I] = lvl
            seq_depth[1 + I * A : 1 + (I + 1) * A] = lvl + 1
        self._infoset_level = infoset_level
        depth_max = int(infoset_level.max()) + 1 if num_infosets else 0
        self._levels: tuple[np.ndarray, ...] = tuple(
            np.flatnonzero(infoset_level == k) for k in range(depth_max)
        )
        self._player_levels: tuple[tuple[np.ndarray, ...], ...] = tuple(
            tuple(lv[self.infoset_player[lv] == p] for lv in self._levels) for p in range(n)
        )
        self.player_infosets: tuple[np.ndarray, ...] = tuple(
            np.flatnonzero(self.infoset_player == p) for p in range(n)
        )
        for arr in (
            self.infoset_player,
            self.infoset_num_actions,
            self.legal_mask,
            self.node_parent,
            self.node_action,
            self.node_depth,
            self.node_player,
            self.node_infoset,
            self.terminal_nodes,
            self._terminal_seq,
            self.terminal_chance,
            self._infoset_parent_seq,
            self._infoset_level,
        ):
            arr.setflags(write=False)

    # ---- perfect recall -----------------------------------------------------------------------
    @property
    def has_perfect_recall(self) -> bool:
        """Whether every player remembers all their own earlier actions (Kuhn 1953).

        Games without it load and keep their tree, payoffs and behaviour-strategy payoffs; the
        sequence form, realization plans and everything built on them (CFR, the sequence-form LP,
        best responses and NashConv) need it and raise `PerfectRecallError`.
        """
        return self._recall_violation is None

    def require_perfect_recall(self, method: str) -> None:
        """Raise `PerfectRecallError` naming the offending information set unless the game has
        perfect recall; ``method`` names what needs it, for the message."""
        if self._recall_violation is not None:
            raise PerfectRecallError(
                f"{method} needs a game with perfect recall, and this one has none: "
                f"{self._recall_violation}. Methods on the strategic form (to_normal_form()) still apply"
            )

    @property
    def infoset_parent_seq(self) -> np.ndarray:
        """The owner's sequence leading to each information set (unique by perfect recall)."""
        self.require_perfect_recall("the sequence form (infoset_parent_seq)")
        return self._infoset_parent_seq

    @property
    def terminal_seq(self) -> np.ndarray:
        """``terminal_seq[p, z]``: player p's last sequence before terminal z."""
        self.require_perfect_recall("the sequence form (terminal_seq)")
        return self._terminal_seq

    @property
    def infoset_level(self) -> np.ndarray:
        """Number of own actions of its player before each information set."""
        self.require_perfect_recall("the sequence form (infoset_level)")
        return self._infoset_level

    @property
    def levels(self) -> tuple[np.ndarray, ...]:
        """``levels[k]``: the infosets whose owner has taken ``k`` actions before reaching them."""
        self.require_perfect_recall("the sequence form (levels)")
        return self._levels

    @property
    def player_levels(self) -> tuple[tuple[np.ndarray, ...], ...]:
        """``levels`` split by player."""
        self.require_perfect_recall("the sequence form (player_levels)")
        return self._player_levels

    def _describe_seq(self, seq: int) -> str:
        if seq == 0:
            return "no earlier own action"
        I, a = divmod(seq - 1, self.max_actions)
        return f"action {self.action_labels[I][a]!r} at {self.infoset_labels[I]!r}"

    # ---- structure ----------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return self._n

    @property
    def num_nodes(self) -> int:
        return len(self.node_parent)

    @property
    def num_sequences(self) -> int:
        """Size of the flat sequence index space (1 + num_infosets * max_actions)."""
        return 1 + self.num_infosets * self.max_actions

    @cached_property
    def payoff_scale(self) -> float:
        return float(np.abs(self.terminal_utility).max()) if self.num_terminals else 1.0

    def _sums_equal(self, zero: bool) -> bool:
        """Whether ``Σ_i u_i(z)`` is the same (zero when ``zero``) at every terminal z, relative to
        the payoff scale, exactly for exact payoffs (`equilibria._numbers.sums_are_constant`)."""
        exact = not any(isinstance(x, float) for row in self._raw_payoffs for x in row)
        exact_sums = (lambda: self.exact_terminal_utility.sum(axis=1)) if exact else None
        return sums_are_constant(self.terminal_utility.sum(axis=1), self.payoff_scale, zero=zero,
                                 exact_sums=exact_sums)

    @cached_property
    def exact_terminal_utility(self) -> np.ndarray:
        return fraction_array(np.array(self._raw_payoffs, dtype=object).reshape(self.num_terminals, self._n))

    @cached_property
    def exact_terminal_chance(self) -> np.ndarray:
        """Exact chance reach of each terminal.

        Where a chance node's probabilities were given as floats, each is read as its shortest
        decimal and the node's probabilities are divided by their exact sum, so that every chance
        node is an exact probability distribution (floats summing to 1 within rounding would
        otherwise give exact values such as a reach of -1/10**12).
        """
        if self._exact_chance is not None:
            return fraction_array(np.array(self._exact_chance, dtype=object))
        edge = self._exact_edges
        reach = [Fraction(1)] * self.num_nodes
        for v in range(1, self.num_nodes):
            reach[v] = reach[int(self.node_parent[v])] * edge[v]
        return fraction_array(np.array([reach[int(z)] for z in self.terminal_nodes], dtype=object))

    @cached_property
    def _exact_edges(self) -> list[Fraction]:
        """Exact probability of the edge into each node; float chance nodes normalised exactly."""
        edge = [Fraction(1)] * self.num_nodes
        sums: dict[int, Fraction] = {}
        floats: set[int] = set()
        for v in range(1, self.num_nodes):
            p = self.exact_edge_chance_prob[v]
            edge[v] = Fraction(repr(p)) if isinstance(p, float) else to_fraction(p)
            u = int(self.node_parent[v])
            if self.node_player[u] == CHANCE:
                sums[u] = sums.get(u, Fraction(0)) + edge[v]
                if isinstance(p, float):
                    floats.add(u)
        for v in range(1, self.num_nodes):
            u = int(self.node_parent[v])
            if u in floats:
                edge[v] /= sums[u]
        return edge

    def default_method(self) -> str:
        if self._n == 2 and self.is_constant_sum:
            return "sequence-form-lp"
        return "cfr+"

    def infoset_index(self, label: str, player: int | None = None) -> int:
        """The index of the information set labelled ``label``."""
        for I, lab in enumerate(self.infoset_labels):
            if lab == label and (player is None or self.infoset_player[I] == player):
                return I
        raise InvalidStrategyError(f"no information set labelled {label!r}")

    # ---- policies -----------------------------------------------------------------------------
    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            out = np.empty(self.legal_mask.shape, dtype=object)
            for I, k in enumerate(self.infoset_num_actions):
                out[I] = [Fraction(1, int(k)) if a < k else Fraction(0) for a in range(self.max_actions)]
            return out
        return self.legal_mask / self.infoset_num_actions[:, None]

    def validate_profile(self, policy: Any, exact: bool = False, atol: float = 1e-6) -> np.ndarray:
        """The policy as a ``(num_infosets, max_actions)`` array; raises `InvalidStrategyError`."""
        shape = (self.num_infosets, self.max_actions)
        if (
            isinstance(policy, (list, tuple))
            and len(policy) == self._n
            and self._n > 1
            and all(np.shape(p) == shape for p in policy)
        ):
            # one full-size array per player: take each player's own rows
            parts = [np.asarray(p, dtype=object if exact else float) for p in policy]
            merged = parts[0].copy()
            for p in range(1, self._n):
                merged[self.player_infosets[p]] = parts[p][self.player_infosets[p]]
            policy = merged
        if exact:
            sigma = fraction_array(policy)
        else:
            try:
                sigma = np.asarray(policy, dtype=float)
            except (TypeError, ValueError):
                raise InvalidStrategyError("a policy must be an array of numbers") from None
        if sigma.shape != shape:
            raise InvalidStrategyError(
                f"a policy of this game has shape {shape} (infosets, max actions); got {sigma.shape}"
            )
        if exact:
            if any(sigma[~self.legal_mask]) or any(x < 0 for x in sigma.flat):
                raise InvalidStrategyError("a policy must be non-negative and zero on illegal actions")
            sums = sigma.sum(axis=1)
            bad = [I for I in range(self.num_infosets) if sums[I] != 1]
        else:
            if (
                not np.isfinite(sigma).all()
                or (sigma < -1e-12).any()
                or (np.abs(sigma[~self.legal_mask]) > 0).any()
            ):
                raise InvalidStrategyError(
                    "a policy must be finite, non-negative and zero on illegal actions"
                )
            bad = np.flatnonzero(np.abs(sigma.sum(axis=1) - 1) > atol).tolist()
        if bad:
            I = bad[0]
            raise InvalidStrategyError(
                f"the policy at information set {self.infoset_labels[I]!r} sums to {sigma[I].sum()}, not 1"
            )
        return sigma

    def realization_plan(self, policy: np.ndarray) -> np.ndarray:
        """``r[s]``: each player's own probability of playing sequence ``s`` (flat sequence index).

        One vectorised step per level; works on float and on exact (object) arrays.
        """
        A = self.max_actions
        r = np.zeros(self.num_sequences, dtype=policy.dtype)
        r[0] = 1 if policy.dtype != object else Fraction(1)
        if policy.dtype == object:
            r[1:] = Fraction(0)
        view = r[1:].reshape(self.num_infosets, A)
        for lv in self.levels:
            view[lv] = r[self.infoset_parent_seq[lv]][:, None] * policy[lv]
        return r

    def terminal_reach(self, policy: np.ndarray) -> np.ndarray:
        """``R[p, z]``: player p's own contribution to the probability of reaching terminal z."""
        return self.realization_plan(policy)[self.terminal_seq]

    def node_reach(self, policy: np.ndarray, exact: bool = False) -> np.ndarray:
        """Probability of reaching each node (chance included) under a behaviour policy.

        Defined with or without perfect recall: one vectorised step per tree depth.
        """
        A = self.max_actions
        v = np.arange(1, self.num_nodes)
        par = self.node_parent[1:]
        par_player = self.node_player[par]
        flat = np.asarray(policy).reshape(-1)
        dec = par_player >= 0
        if exact:
            w = np.empty(self.num_nodes, dtype=object)
            w[:] = self._exact_edges
        else:
            w = self.edge_chance_prob.copy()
        w[v[dec]] = flat[self.node_infoset[par[dec]] * A + self.node_action[v[dec]]]
        reach = w.copy()
        reach[0] = Fraction(1) if exact else 1.0
        order = np.argsort(self.node_depth, kind="stable")
        cuts = np.searchsorted(self.node_depth[order], np.arange(1, int(self.node_depth.max()) + 2))
        for d in range(len(cuts) - 1):
            at = order[cuts[d] : cuts[d + 1]]
            reach[at] = reach[self.node_parent[at]] * w[at]
        return reach

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        sigma = self.validate_profile(profile, exact=exact)
        if not self.has_perfect_recall:
            r = self.node_reach(sigma, exact=exact)[self.terminal_nodes]
            if exact:
                return (r[:, None] * self.exact_terminal_utility).sum(axis=0)
            return r @ self.terminal_utility
        R = self.terminal_reach(sigma)
        if exact:
            w = self.exact_terminal_chance * np.prod(R, axis=0)
            return (w[:, None] * self.exact_terminal_utility).sum(axis=0)
        w = self.terminal_chance * np.prod(R, axis=0)
        return w @ self.terminal_utility

    def profile_to_json(self, profile: Any, exact: bool = False) -> list[dict[str, list]]:
        sigma = np.asarray(profile, dtype=object if exact else float)
        out: list[dict[str, list]] = [{} for _ in range(self._n)]
        for I in range(self.num_infosets):
            k = int(self.infoset_num_actions[I])
            out[int(self.infoset_player[I])][self.infoset_labels[I]] = format_array(sigma[I, :k], exact)
        return out

    def profile_from_json(self, data: Any) -> np.ndarray:
        """Inverse of `profile_to_json`: a list with one ``{infoset label: [probabilities]}`` per player.

        Any malformed part raises `InvalidStrategyError` naming it; numbers are read with bounded
        work (``"1e999999999"`` is refused, not expanded).
        """
        if isinstance(data, dict) and "strategies" in data:
            data = data["strategies"]
        if not isinstance(data, list) or len(data) != self._n or not all(isinstance(d, dict) for d in data):
            raise InvalidStrategyError(
                f"an extensive-form profile is a list of {self._n} objects mapping information-set "
                "labels to probability lists"
            )
        for p, d in enumerate(data):
            for lab, probs in d.items():
                if not isinstance(probs, list):
                    raise InvalidStrategyError(
                        f"player {p + 1}, information set {lab!r}: expected a list of probabilities, "
                        f"got {type(probs).__name__}"
                    )
        exact = any(isinstance(x, str) for d in data for v in d.values() for x in v)
        sigma = np.zeros((self.num_infosets, self.max_actions), dtype=object if exact else float)
        if exact:
            sigma[:] = Fraction(0)
        labels = {(int(self.infoset_player[I]), self.infoset_labels[I]): I for I in range(self.num_infosets)}
        seen = set()
        for p, d in enumerate(data):
            for lab, probs in d.items():
                if not isinstance(lab, str) or (p, lab) not in labels:
                    raise InvalidStrategyError(f"player {p + 1} has no information set {lab!r}")
                I = labels[(p, lab)]
                k = int(self.infoset_num_actions[I])
                if len(probs) != k:
                    raise InvalidStrategyError(f"information set {lab!r} has {k} actions, got {len(probs)}")
                try:
                    vals = [parse_number(x) for x in probs]
                    sigma[I, :k] = [to_fraction(v) for v in vals] if exact else vals
                except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
                    raise InvalidStrategyError(
                        f"player {p + 1}, information set {lab!r}: probabilities must be numbers ({exc})"
                    ) from None
                seen.add(I)
        missing = [self.infoset_labels[I] for I in range(self.num_infosets) if I not in seen]
        if missing:
            raise InvalidStrategyError(f"the profile gives no strategy at information set {missing[0]!r}")
        return self.validate_profile(sigma, exact=exact)

    def policy_from_function(self, fn: Callable[[int, str], Sequence[float]]) -> np.ndarray:
        """Build a policy from ``fn(infoset_index, label) -> probabilities over its actions``."""
        sigma = np.zeros((self.num_infosets, self.max_actions))
        for I in range(self.num_infosets):
            k = int(self.infoset_num_actions[I])
            sigma[I, :k] = fn(I, self.infoset_labels[I])
        return self.validate_profile(sigma)

    # ---- the strategic form --------------------------------------------------------------------
    def to_normal_form(self, *, reduced: bool = True) -> Any:
        """The game in strategic form: a `NormalFormGame` over pure strategies.

        A pure strategy picks one action at each of the player's information sets. In the reduced
        strategic form (``reduced=True``, the default), strategies that differ only at information
        sets their own actions exclude are one strategy, labelled with ``*`` at those sets
        (von Neumann & Morgenstern 1944; Kuhn 1953; see also Osborne & Rubinstein, "A Course in
        Game Theory", MIT Press 1994, §11.1). Perfect recall is not needed. The number of pure
        strategies grows exponentially with the number of information sets: the size is checked
        against the size limit before anything is built. Payoffs are exact when the tree is.
        """
        from .._checks import check_size
        from .normal_form import NormalFormGame

        n, Z = self._n, self.num_terminals
        counts = [
            math.prod(int(self.infoset_num_actions[I]) for I in self.player_infosets[p]) for p in range(n)
        ]
        for p in range(n):
            check_size(f"the strategic form of {self!r} (player {p + 1} has {counts[p]} pure strategies)",
                       float(counts[p]) * (self.num_nodes + len(self.player_infosets[p])) * 2.0)
        depth_order = np.argsort(self.node_depth, kind="stable")[1:]
        strategies: list[np.ndarray] = []  # per player: (K_p, Z) 0/1 terminal consistency
        labels: list[list[str]] = []
        for p in range(n):
            own = self.player_infosets[p]
            local = np.full(self.num_infosets, -1, dtype=np.int64)
            local[own] = np.arange(len(own))
            sizes = [int(self.infoset_num_actions[I]) for I in own]
            if own.size:
                grid = np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")
                full = np.array(grid).reshape(len(own), -1).T
                full = full[np.lexsort(full.T[::-1])]
            else:
                full = np.zeros((1, 0), dtype=np.int64)
            reach = np.ones((len(full), self.num_nodes), dtype=bool)
            par = self.node_parent
            mine = self.node_player[par] == p
            for v in depth_order:
                u = par[v]
                if mine[v]:
                    reach[:, v] = reach[:, u] & (full[:, local[self.node_infoset[u]]] == self.node_action[v])
                else:
                    reach[:, v] = reach[:, u]
            if reduced and own.size:
                seen_at = np.zeros((len(full), len(own)), dtype=bool)
                dec = np.flatnonzero(self.node_player == p)
                for v in dec:
                    seen_at[:, local[self.node_infoset[v]]] |= reach[:, v]
                keys = np.where(seen_at, full, -1)
                _, first = np.unique(keys, axis=0, return_index=True)
                keep = np.sort(first)
            else:
                keep = np.arange(len(full))
                keys = full
            strategies.append(reach[keep][:, self.terminal_nodes].astype(np.int64))
            labels.append([
                ",".join("*" if keys[k, j] < 0 else self.action_labels[I][keys[k, j]]
                         for j, I in enumerate(own)) or "-"
                for k in keep
            ])
        shape = tuple(len(lab) for lab in labels)
        check_size(f"the strategic form of {self!r} ({list(shape)} strategies)",
                   float(n) * float(math.prod(shape)) * max(Z, 1) * 16.0)
        exact = self._exact_chance is not None and not any(
            isinstance(x, float) for row in self._raw_payoffs for x in row
        )
        if exact:
            W = (self.exact_terminal_chance[:, None] * self.exact_terminal_utility).T  # (n, Z)
        else:
            W = (self.terminal_chance[:, None] * self.terminal_utility).T
        T = W
        for p in range(n):
            # T: (n, K_1, ..., K_{p}, Z) -> (n, K_1, ..., K_{p+1}, Z)
            T = T[..., None, :] * strategies[p].astype(object if exact else float)
        payoffs = T.sum(axis=-1)
        return NormalFormGame(payoffs, player_labels=self.player_labels, action_labels=labels,
                              title=self.title)

    # ---- the sequence form (two players) --------------------------------------------------------
    @cached_property
    def sequence_form(self) -> SequenceForm:
        """Sequence-form matrices (Koller, Megiddo & von Stengel 1994; von Stengel 1996)."""
        self.require_perfect_recall("the sequence form")
        return SequenceForm(self)

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        return (
            f"ExtensiveFormGame{name}(players={self._n}, nodes={self.num_nodes}, "
            f"infosets={self.num_infosets}, terminals={self.num_terminals})"
        )


class SequenceForm:
    """The sequence form of a game: per player, the compact sequences, constraints ``E x = e``
    (``x[∅] = 1``, ``Σ_a x[I a] = x[parent(I)]``) and payoff matrices over sequence pairs.

    For two players, ``payoff[p]`` is the sparse matrix ``A_p`` with ``x^T A_p y`` player p's
    expected payoff under realization plans x and y.
    """

    def __init__(self, game: ExtensiveFormGame):
        from scipy import sparse

        n, A = game.num_players, game.max_actions
        self.game = game
        # compact index per player: 0 = empty sequence, then (I, a) for the player's infosets
        self.flat_to_compact = np.full((n, game.num_sequences), -1, dtype=np.int64)
        self.compact_to_flat: list[np.ndarray] = []
        for p in range(n):
            flats = [0]
            for I in game.player_infosets[p]:
                flats.extend(1 + I * A + a for a in range(int(game.infoset_num_actions[I])))
            flats_arr = np.array(flats, dtype=np.int64)
            self.flat_to_compact[p, flats_arr] = np.arange(len(flats_arr))
            self.compact_to_flat.append(flats_arr)
        self.num_sequences = [len(c) for c in self.compact_to_flat]
        self.constraints: list[Any] = []
        self.rhs: list[np.ndarray] = []
        for p in range(n):
            infosets = game.player_infosets[p]
            rows, cols, vals = [0], [0], [1.0]
            for r, I in enumerate(infosets, start=1):
                rows.append(r)
                cols.append(int(self.flat_to_compact[p, game.infoset_parent_seq[I]]))
                vals.append(-1.0)
                for a in range(int(game.infoset_num_actions[I])):
                    rows.append(r)
                    cols.append(int(self.flat_to_compact[p, 1 + I * A + a]))
                    vals.append(1.0)
            E = sparse.csr_matrix((vals, (rows, cols)), shape=(1 + len(infosets), self.num_sequences[p]))
            e = np.zeros(1 + len(infosets))
            e[0] = 1.0
            self.constraints.append(E)
            self.rhs.append(e)
        self.terminal_compact = np.stack([self.flat_to_compact[p, game.terminal_seq[p]] for p in range(n)])
        self.payoff: list[Any] = []
        if n == 2:
            w = game.terminal_chance[:, None] * game.terminal_utility
            for p in range(2):
                M = sparse.coo_matrix(
                    (w[:, p], (self.terminal_compact[0], self.terminal_compact[1])),
                    shape=(self.num_sequences[0], self.num_sequences[1]),
                ).tocsr()
                M.sum_duplicates()
                self.payoff.append(M)

    def to_policy(self, plans: Sequence[np.ndarray], exact: bool = False) -> np.ndarray:
        """Behaviour policy from one realization plan per player (uniform where unreachable)."""
        game = self.game
        A = game.max_actions
        sigma = np.zeros((game.num_infosets, A), dtype=object if exact else float)
        if exact:
            sigma[:] = Fraction(0)
        for p, x in enumerate(plans):
            full = np.zeros(game.num_sequences, dtype=object if exact else float)
            if exact:
                full[:] = Fraction(0)
            full[self.compact_to_flat[p]] = x
            for I in game.player_infosets[p]:
                k = int(game.infoset_num_actions[I])
                par = full[game.infoset_parent_seq[I]]
                child = full[1 + I * A : 1 + I * A + k]
                if (par > 0) if exact else (par > 1e-15):
                    sigma[I, :k] = child / par
                    if not exact:
                        sigma[I, :k] = np.maximum(sigma[I, :k], 0)
                        sigma[I, :k] /= sigma[I, :k].sum()
                else:
                    sigma[I, :k] = Fraction(1, k) if exact else 1.0 / k
        return sigma


def mix_policies(
    game: ExtensiveFormGame, policies: Sequence[np.ndarray], weights: Sequence[float]
) -> np.ndarray:
    """The behaviour policy equivalent to playing ``policies[k]`` with probability ``weights[k]``.

    By Kuhn's theorem the mixture's realization plan is the weighted sum of the plans; the
    behaviour policy is its ratio of child to parent sequence probabilities (uniform where the
    mixture never reaches an information set).
    """
    w = np.asarray(weights, dtype=float)
    if len(policies) != len(w) or (w < 0).any() or abs(w.sum() - 1) > 1e-9:
        raise InvalidStrategyError("weights must be a probability vector, one per policy")
    plan = sum(
        wk * game.realization_plan(np.asarray(pk, dtype=float)) for wk, pk in zip(w, policies, strict=True)
    )
    A = game.max_actions
    child = plan[1:].reshape(game.num_infosets, A)
    parent = plan[game.infoset_parent_seq]
    out = game.uniform_profile().astype(float)
    ok = parent > 1e-300
    out[ok] = child[ok] / parent[ok, None]
    return out
