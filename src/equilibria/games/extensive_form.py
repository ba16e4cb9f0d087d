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

Storage: node and sequence indices are int32 while they fit (int64 beyond 2³¹), per-node codes
(action, depth, player, edge-probability id) in the smallest integer type that holds them, so a
compiled node costs about 12 bytes; ``edge_chance_prob`` (float per node) and the labels of
information sets are built on first use. Use these arrays as indices, and cast them to int64
before arithmetic that could pass 2³¹ (``1 + I * max_actions + a`` never does: the sequence space
decides the index type).
"""

from __future__ import annotations

import math
from array import array
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


#: nodes of one level handled at a time while compiling (bounds the temporaries of huge levels)
_LEVEL_CHUNK = 1 << 16


def small_int_dtype(lo: int, hi: int) -> np.dtype:
    """The smallest signed integer dtype holding every value in ``[lo - 1, hi + 1]`` (one unit of
    headroom, so that ``x + 1`` or ``x - 1`` on a stored code cannot wrap around)."""
    for t in (np.int8, np.int16, np.int32):
        info = np.iinfo(t)
        if info.min < lo and hi < info.max:
            return np.dtype(t)
    return np.dtype(np.int64)


def index_dtype(size: int) -> np.dtype:
    """int32 for indices into arrays of up to 2³¹ − 1 entries, int64 beyond."""
    return np.dtype(np.int32) if size < 2**31 else np.dtype(np.int64)


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


# An expander maps a tree object to ``(kind, infoset, actions, probs, children, payoffs)``: kind is
# TERMINAL, CHANCE or the player; ``actions`` is a tuple that identifies the actions (labels for
# nested trees, action ids for states), compared across the nodes of an information set; labels are
# asked for separately (`_tree_labels`, `_state_labels`), once per information set and chance node.
Expanded = tuple[int, Any, Any, Any, Any, Any]


def _expand_tree(node: Any) -> Expanded:
    if isinstance(node, Terminal):
        return TERMINAL, None, None, None, None, tuple(node.payoffs)
    if isinstance(node, Chance):
        labels = tuple(str(o[0]) for o in node.outcomes)
        return CHANCE, None, labels, tuple(o[1] for o in node.outcomes), [o[2] for o in node.outcomes], None
    if isinstance(node, Decision):
        labels = tuple(str(a[0]) for a in node.actions)
        return int(node.player), node.infoset, labels, None, [a[1] for a in node.actions], None
    raise InvalidGameError(f"tree nodes must be Terminal, Chance or Decision, not {type(node).__name__}")


def _tree_labels(node: Any, kind: int, actions: tuple[str, ...]) -> tuple[str, ...]:
    return actions


def _expand_state(state: Any) -> Expanded:
    """Adapter for objects with OpenSpiel's state interface (pyspiel states included)."""
    if state.is_terminal():
        return TERMINAL, None, None, None, None, state.returns()
    if state.is_chance_node():
        outcomes = state.chance_outcomes()
        acts = tuple(a for a, _ in outcomes)
        return CHANCE, None, acts, tuple(p for _, p in outcomes), [state.child(a) for a in acts], None
    player = state.current_player()
    if player < 0:
        raise InvalidGameError(
            f"state reports player {player}; simultaneous-move states must be converted to "
            "sequential form first"
        )
    acts = tuple(state.legal_actions())
    return player, state.information_state_string(player), acts, None, [state.child(a) for a in acts], None


def _state_labels(state: Any, kind: int, actions: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(state.action_to_string(kind, a) for a in actions)


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
        expand: Callable[[Any], Expanded] = _expand_tree,
        labels: Callable[[Any, int, Any], tuple[str, ...]] = _tree_labels,
        max_nodes: int = 10_000_000,
    ):
        if num_players < 1:
            raise InvalidGameError("an extensive-form game needs at least one player")
        self.title = title
        self.player_labels = tuple(player_labels or (str(i + 1) for i in range(num_players)))
        if len(self.player_labels) != num_players:
            raise InvalidGameError(f"{len(self.player_labels)} player labels for {num_players} players")
        self._n = num_players
        self._compile(root, expand, labels, max_nodes)
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
        kwargs.setdefault("expand", _expand_state)
        kwargs.setdefault("labels", _state_labels)
        return cls(state, num_players, **kwargs)

    @classmethod
    def _from_arrays(cls, num_players: int, *, title: str = "", **parts: Any) -> ExtensiveFormGame:
        """A game from node arrays generated directly (catalog generators that build each level of
        the tree with NumPy); ``parts`` are the arguments of `_finish`. The arrays must describe
        the tree exactly as the breadth-first walk of `from_state` would number it."""
        game = cls.__new__(cls)
        game.title = title
        game.player_labels = tuple(str(i + 1) for i in range(num_players))
        game._n = num_players
        game._finish(**parts)
        game._freeze()
        return game

    # ---- compilation ------------------------------------------------------------------------
    def _compile(
        self,
        root: Any,
        expand: Callable[[Any], Expanded],
        labels: Callable[[Any, int, Any], tuple[str, ...]],
        max_nodes: int,
    ) -> None:
        """Enumerate the tree breadth first (node ids in BFS order, children in action order) into
        compact typed buffers, then build every array level by level with NumPy.

        Per node only a few machine integers are kept: parent, action, depth, kind, information
        set and an index into the interned edge probabilities. Labels are asked for once per
        information set and chance node, chance distributions are checked once per distinct
        distribution, and exact chance reaches are interned per distinct value.
        """
        n = self._n
        parent = array("q", [-1])
        action = array("i", [-1])
        depth = array("i", [0])
        kind = array("b" if n < 127 else "i")
        node_infoset = array("i")  # discovery index of the information set, -1 elsewhere
        prob_id = array("i", [0])  # index into prob_values of the edge into each node
        prob_values: list[Any] = [Fraction(1), 1]  # the root's edge, a decision edge
        prob_index: dict[tuple[type, Any], int] = {}
        chance_cache: dict[Any, list[int]] = {}
        label_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        chance_labels: dict[int, tuple[str, ...]] = {}
        util_flat = array("d")
        raw_rows: dict[int, tuple[Any, ...]] = {}  # terminal index -> payoffs that are not all floats
        infoset_index: dict[tuple[int, Hashable], int] = {}
        infoset_player: list[int] = []
        infoset_key: list[Hashable] = []
        infoset_acts: list[Any] = []
        infoset_actions: list[tuple[str, ...]] = []
        # depth first, so that only one path's siblings are alive (a breadth-first queue holds a
        # whole level of states); nodes are numbered when pushed and renumbered breadth first below
        stack: list[tuple[int, Any]] = [(0, root)]
        pop, push = stack.pop, stack.extend
        popped = array("q")
        num_nodes = 1
        while stack:
            idx, obj = pop()
            popped.append(idx)
            k, key, acts, probs, children, pay = expand(obj)
            kind.append(k)
            if k == TERMINAL:
                node_infoset.append(-1)
                if len(pay) != n:
                    raise InvalidGameError(
                        f"terminal node {idx} has {len(pay)} payoffs; the game has {n} players"
                    )
                if all(type(x) is float for x in pay):
                    util_flat.extend(pay)
                else:
                    row = _clean_payoffs(pay, idx)
                    raw_rows[len(util_flat) // n] = row
                    util_flat.extend([float(x) for x in row])
                continue
            if not children:
                raise InvalidGameError(f"node {idx} is not terminal but has no actions")
            m = len(children)
            if k == CHANCE:
                node_infoset.append(-1)
                try:
                    ckey: Any = (tuple(map(type, probs)), tuple(probs))
                    ids = chance_cache.get(ckey)
                except TypeError:  # unhashable probabilities: checked below, not cached
                    ckey, ids = None, None
                if ids is None:
                    ids = []
                    for p in _chance_probs(probs, idx):
                        pk = (type(p), p)
                        if pk not in prob_index:
                            prob_index[pk] = len(prob_values)
                            prob_values.append(p)
                        ids.append(prob_index[pk])
                    if ckey is not None:
                        chance_cache[ckey] = ids
                if len(ids) != m:
                    raise InvalidGameError(f"chance node {idx} has {len(ids)} probabilities for {m} outcomes")
                lab = labels(obj, CHANCE, acts)
                chance_labels[idx] = label_cache.setdefault(lab, lab)
                prob_id.extend(ids)
            else:
                if not 0 <= k < n:
                    raise InvalidGameError(f"node {idx} belongs to player {k}; players are 0..{n - 1}")
                ikey = (k, key)
                I = infoset_index.get(ikey)
                if I is None:
                    I = infoset_index[ikey] = len(infoset_player)
                    infoset_player.append(k)
                    infoset_key.append(key)
                    infoset_acts.append(acts)
                    infoset_actions.append(tuple(labels(obj, k, acts)))
                elif infoset_acts[I] != acts:
                    raise InvalidGameError(
                        f"information set {key!r} of player {k + 1} offers actions "
                        f"{list(infoset_actions[I])} at one node and {list(labels(obj, k, acts))} "
                        "at another; all its nodes must offer the same actions"
                    )
                node_infoset.append(I)
                prob_id.extend([1] * m)
            c0 = num_nodes
            num_nodes += m
            if num_nodes > max_nodes:
                raise InvalidGameError(
                    f"the game tree has more than {max_nodes} nodes; it is too large to enumerate "
                    "(raise max_nodes if you have the memory)"
                )
            parent.extend([idx] * m)
            action.extend(range(m))
            depth.extend([depth[idx] + 1] * m)
            push(zip(range(c0 + m - 1, c0 - 1, -1), reversed(children), strict=True))
        del stack, chance_cache, prob_index, infoset_acts, label_cache

        def to_numpy(buf: array, dtype: Any = np.int64) -> np.ndarray:
            return np.frombuffer(buf, dtype=buf.typecode).astype(dtype) if len(buf) else np.zeros(0, dtype)

        par, act, dep = to_numpy(parent), to_numpy(action), to_numpy(depth)
        del parent, action, depth
        # breadth-first numbering: by depth, then the parent's number, then the action
        bfs = np.zeros(num_nodes, dtype=np.int64)
        by_depth = np.argsort(dep, kind="stable")
        cuts = np.searchsorted(dep[by_depth], np.arange(int(dep.max()) + 2))
        for d in range(1, len(cuts) - 1):
            nodes = by_depth[cuts[d] : cuts[d + 1]]
            nodes = nodes[np.lexsort((act[nodes], bfs[par[nodes]]))]
            bfs[nodes] = cuts[d] + np.arange(len(nodes))
        del by_depth
        old = np.empty(num_nodes, dtype=np.int64)
        old[bfs] = np.arange(num_nodes)
        pushed = to_numpy(popped)
        del popped
        kind_pop = to_numpy(kind)
        del kind
        node_kind = np.empty(num_nodes, dtype=np.int64)
        node_kind[pushed] = kind_pop
        inf = np.empty(num_nodes, dtype=np.int64)
        inf[pushed] = to_numpy(node_infoset)
        del node_infoset
        up = par[old]
        arrays = {
            "parent": np.where(up >= 0, bfs[np.maximum(up, 0)], -1),
            "action": act[old], "depth": dep[old], "kind": node_kind[old], "infoset": inf[old],
        }
        del up, act, dep, node_kind, inf, par
        pid = np.frombuffer(prob_id, dtype=np.int32)[old]
        del prob_id
        # information sets in order of their first node in breadth-first order
        disc = arrays["infoset"]
        at = np.flatnonzero(disc >= 0)
        _, first_at = np.unique(disc[at], return_index=True)
        rank = np.argsort(at[first_at], kind="stable")
        renum = np.empty(len(rank), dtype=np.int64)
        renum[rank] = np.arange(len(rank))
        disc[at] = renum[disc[at]]
        rank_list = rank.tolist()
        infoset_player = [infoset_player[i] for i in rank_list]
        infoset_key = [infoset_key[i] for i in rank_list]
        infoset_actions = [infoset_actions[i] for i in rank_list]
        # terminals' payoffs in breadth-first order
        term_bfs = bfs[pushed[kind_pop == TERMINAL]]
        row_order = np.argsort(term_bfs, kind="stable")
        util = np.frombuffer(util_flat, dtype=np.float64).reshape(-1, n)[row_order]
        del util_flat
        if raw_rows:
            new_row = np.empty(len(row_order), dtype=np.int64)
            new_row[row_order] = np.arange(len(row_order))
            raw_rows = {int(new_row[r]): row for r, row in raw_rows.items()}
        chance_labels = dict(sorted((int(bfs[v]), lab) for v, lab in chance_labels.items()))
        del bfs, old, pushed, kind_pop
        self._finish(
            arrays, pid, prob_values, chance_labels, util, raw_rows,
            infoset_player, infoset_key, infoset_actions,
        )

    def _finish(
        self,
        arrays: dict[str, np.ndarray],
        pid: np.ndarray,
        prob_values: list[Any],
        chance_labels: dict[int, tuple[str, ...]],
        util: np.ndarray,
        raw_rows: dict[int, tuple[Any, ...]],
        infoset_player: Sequence[int],
        infoset_key: Sequence[Hashable] | Callable[[], Sequence[Hashable]],
        infoset_actions: Sequence[tuple[str, ...]] | Callable[[], Sequence[tuple[str, ...]]],
        infoset_num_actions: np.ndarray | None = None,
    ) -> None:
        """Every compiled array from the node arrays of a tree numbered breadth first.

        ``arrays`` holds integer ``parent``, ``action``, ``depth``, ``kind`` (player, CHANCE or
        TERMINAL) and ``infoset`` (discovery index of the node's information set, -1 elsewhere), of
        any integer dtype; they are taken over (popped) to keep one copy alive. ``pid[v]`` indexes
        ``prob_values``, the exact probability of the edge into v (``prob_values[0]`` is the root's
        Fraction(1), ``prob_values[1]`` the 1 of decision edges); ``util`` holds the terminals'
        payoffs in node order (``raw_rows`` those not given as floats). Information sets are given
        in discovery order (the order of their first nodes). ``infoset_key`` and
        ``infoset_actions`` may be functions that build the labels when they are first asked for
        (generators of large trees keep integer codes instead of a string per information set);
        ``infoset_num_actions`` (discovery order) is then required.
        """
        n = self._n
        num_nodes = len(arrays["parent"])

        # order information sets by player, keeping discovery order within a player
        num_infosets = len(infoset_player)
        disc_player = np.asarray(infoset_player).astype(small_int_dtype(0, max(n - 1, 0)))
        inf_idx = index_dtype(num_infosets)
        order = np.argsort(disc_player, kind="stable").astype(inf_idx)
        remap = np.empty(num_infosets, dtype=inf_idx)
        remap[order] = np.arange(num_infosets, dtype=inf_idx)
        self.infoset_player = disc_player[order]
        if infoset_num_actions is None:
            if callable(infoset_actions):
                raise TypeError("infoset_num_actions is required when infoset_actions is a function")
            infoset_num_actions = np.fromiter(map(len, infoset_actions), dtype=np.int64, count=num_infosets)
        self.infoset_num_actions = np.asarray(infoset_num_actions, dtype=np.int64)[order]
        # the labels are materialised in this order on first use (`infoset_keys`, `action_labels`)
        self._label_source = (order, infoset_key, infoset_actions)
        self.num_infosets = num_infosets
        self.max_actions = int(self.infoset_num_actions.max()) if num_infosets else 1
        A = self.max_actions
        self.legal_mask = np.arange(A)[None, :] < self.infoset_num_actions[:, None]

        # compact storage: indices int32 while the node and sequence spaces fit, codes smaller
        idx = index_dtype(max(num_nodes, 1 + num_infosets * A))
        self.node_parent = arrays.pop("parent").astype(idx, copy=False)
        act = arrays.pop("action")
        self.node_action = act.astype(small_int_dtype(-1, int(act.max(initial=0))), copy=False)
        del act
        dep = arrays.pop("depth")
        self.node_depth = dep.astype(small_int_dtype(0, int(dep[-1]) if num_nodes else 0), copy=False)
        del dep
        self.node_player = arrays.pop("kind").astype(small_int_dtype(TERMINAL, max(n - 1, 0)), copy=False)
        disc = arrays.pop("infoset")
        disc = disc if disc.dtype == idx and disc.flags.writeable else disc.astype(idx)
        if num_infosets:
            at = disc >= 0
            disc[at] = remap[disc[at]]
            del at
        self.node_infoset = disc
        del disc
        self._chance_labels = chance_labels
        self._prob_values = prob_values
        self._edge_prob_id = pid.astype(small_int_dtype(0, len(prob_values)), copy=False)

        # one pass over the levels of the tree (breadth-first order puts each depth in one contiguous
        # block, whose parents are all in the block above), keeping only the level above alive: each
        # player's last sequence at every node (kept at terminals; checked for perfect recall at
        # decisions) and the chance reach (exact, interned per distinct value, when every
        # probability is exact; kept at terminals)
        cuts = np.searchsorted(self.node_depth, np.arange(int(self.node_depth[-1]) + 2))
        par, pl, act, node_inf = self.node_parent, self.node_player, self.node_action, self.node_infoset
        exact_chance = not any(isinstance(p, float) for p in prob_values)
        float_prob = np.array([float(p) for p in prob_values])
        P = len(prob_values)
        num_term = int(np.count_nonzero(pl == TERMINAL))
        term_seq = np.empty((n, num_term), dtype=idx)
        reach_values: list[Any] = [Fraction(1)]
        # exact: an index into reach_values, in the smallest type that holds it (widened as they come)
        term_reach = np.empty(num_term, dtype=np.int8 if exact_chance else np.float64)
        first = np.full(num_infosets, -1, dtype=np.int64)  # each infoset's own sequence at its first node
        bad_at: tuple[int, int] | None = None  # (infoset, own sequence) of the first node breaking recall
        # the level above: its non-terminal nodes' sequences and reaches (terminals have no children),
        # and where each of its nodes sits among them; a level is walked in chunks of _LEVEL_CHUNK
        # nodes, so that the temporaries stay small whatever its size
        seq = np.zeros((n, 1), dtype=idx)
        reach = np.zeros(1, dtype=np.int32) if exact_chance else np.ones(1)
        pos = np.zeros(1, dtype=idx)
        k = 0
        for d in range(len(cuts) - 1):
            lo, hi = int(cuts[d]), int(cuts[d + 1])
            inner = pl[lo:hi] != TERMINAL
            num_inner = int(np.count_nonzero(inner))
            next_seq = np.empty((n, num_inner), dtype=idx)
            next_reach = np.empty(num_inner, dtype=reach.dtype)
            j = 0
            for c0 in range(lo, hi, _LEVEL_CHUNK):
                c1 = min(c0 + _LEVEL_CHUNK, hi)
                kinds = pl[c0:c1]
                if d:
                    u = par[c0:c1]
                    up = pos[u - int(cuts[d - 1])]
                    cseq = seq[:, up]
                    owner = pl[u]
                    mine = np.flatnonzero(owner >= 0)
                    cseq[owner[mine], mine] = 1 + node_inf[u[mine]] * A + act[c0 + mine]
                    del owner, mine
                    creach = reach[up]
                    p_id = pid[c0:c1]
                    if exact_chance:
                        ch = np.flatnonzero(p_id != 1)  # decision edges (probability 1) keep the reach
                        if ch.size:
                            pair = creach[ch].astype(np.int64) * P + p_id[ch]
                            uniq, inv = np.unique(pair, return_inverse=True)
                            base = len(reach_values)
                            reach_values.extend([reach_values[q // P] * prob_values[q % P]
                                                 for q in uniq.tolist()])
                            if len(reach_values) > np.iinfo(creach.dtype).max:
                                creach = creach.astype(np.int64)
                            creach[ch] = base + inv.reshape(-1)
                            del pair, uniq, inv
                        del ch
                    else:
                        creach = creach * float_prob[p_id]
                    del u, up, p_id
                else:
                    cseq, creach = seq, reach
                dl = np.flatnonzero(kinds >= 0)
                if dl.size:  # perfect recall: all nodes of an infoset share the owner's last sequence
                    I = node_inf[c0 + dl]
                    own = cseq[kinds[dl], dl]
                    fresh = np.flatnonzero(first[I] < 0)
                    first[I[fresh[::-1]]] = own[fresh[::-1]]
                    if bad_at is None:
                        bad = np.flatnonzero(own != first[I])
                        if bad.size:
                            bad_at = (int(I[bad[0]]), int(own[bad[0]]))
                    del I, own, fresh
                keep = inner[c0 - lo:c1 - lo]
                tl = np.flatnonzero(~keep)
                if tl.size:
                    if exact_chance and len(reach_values) > np.iinfo(term_reach.dtype).max:
                        term_reach = term_reach.astype(small_int_dtype(0, 2 * len(reach_values)))
                    term_seq[:, k:k + tl.size] = cseq[:, tl]
                    term_reach[k:k + tl.size] = creach[tl]
                    k += tl.size
                m = int(np.count_nonzero(keep))
                if m:
                    if creach.dtype != next_reach.dtype:
                        next_reach = next_reach.astype(creach.dtype)
                    next_seq[:, j:j + m] = cseq[:, keep] if tl.size else cseq
                    next_reach[j:j + m] = creach[keep] if tl.size else creach
                    j += m
                del kinds, dl, tl, keep, cseq, creach
            seq, reach = next_seq, next_reach
            pos = (np.cumsum(inner, dtype=idx) - 1).astype(idx, copy=False)
            del next_seq, next_reach, inner
        del seq, reach, pos
        if exact_chance:
            self._reach_values: list[Any] | None = reach_values
            self._terminal_reach_id = term_reach
        else:
            self._float_terminal_chance = term_reach
            self._reach_values = None
        del term_reach
        # a game without perfect recall is a valid game (Gambit loads it): only the methods built on
        # sequences refuse it, through `require_perfect_recall`
        self._recall_violation: str | None = None
        if bad_at is not None:
            I, own_bad = bad_at
            self._recall_violation = (
                f"information set {self.infoset_labels[I]!r} of player {self.infoset_player[I] + 1} "
                f"violates perfect recall: the player reaches its nodes after different own histories "
                f"({self._describe_seq(int(first[I]))} vs {self._describe_seq(own_bad)})"
            )
            self._recall_infoset = I
        self._infoset_parent_seq = first.astype(idx)
        self._terminal_seq = term_seq
        del term_seq
        self.num_terminals = num_term
        if util.shape != (num_term, n):
            raise InvalidGameError(f"{util.shape[0]} payoff rows for {num_term} terminals")
        if not np.isfinite(util).all():
            k = int(np.argwhere(~np.isfinite(util))[0][0])
            z = int(self.terminal_nodes[k])
            shown = raw_rows.get(k, tuple(util[k].tolist()))
            raise InvalidGameError(f"terminal node {z} has a non-finite payoff {shown}")
        util.setflags(write=False)
        self.terminal_utility = util
        self._raw_rows = raw_rows
        #: whether every payoff was given exactly (no floats): exact solvers then use them as given
        self._exact_payoffs = len(raw_rows) == num_term and not any(
            isinstance(x, float) for row in raw_rows.values() for x in row
        )

        # own-depth levels of the infosets (number of own actions before reaching them)
        # = depth in the forest of infosets linked by their parent sequence's infoset; the parent's
        # first node is an ancestor of the child's, so the links have no cycle
        up = np.where(first > 0, (first - 1) // A, -1)
        infoset_level = np.zeros(num_infosets, dtype=np.int64)
        linked = np.flatnonzero(up >= 0)
        while linked.size:
            nxt = infoset_level[up[linked]] + 1
            changed = nxt != infoset_level[linked]
            infoset_level[linked] = nxt
            linked = linked[changed]
        self._infoset_level = infoset_level.astype(small_int_dtype(0, int(infoset_level.max(initial=0))))
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
            self._terminal_seq,
            self._infoset_parent_seq,
            self._infoset_level,
            self._edge_prob_id,
        ):
            arr.setflags(write=False)

    # ---- labels and per-node floats, built on first use ---------------------------------------
    def _labels_in_order(self, k: int) -> list[Any]:
        order, *sources = self._label_source
        src = sources[k]
        if callable(src):
            src = src()
        if len(src) != self.num_infosets:
            raise InvalidGameError(f"{len(src)} labels for {self.num_infosets} information sets")
        return [src[i] for i in order.tolist()]

    @cached_property
    def infoset_keys(self) -> tuple[Hashable, ...]:
        """The key of each information set as the game gave it (OpenSpiel: the information-state
        string)."""
        return tuple(self._labels_in_order(0))

    @cached_property
    def infoset_labels(self) -> tuple[str, ...]:
        """The label of each information set: its key as text."""
        return tuple([k if type(k) is str else str(k) for k in self.infoset_keys])

    @cached_property
    def action_labels(self) -> tuple[tuple[str, ...], ...]:
        """The labels of each information set's actions."""
        labels = tuple(self._labels_in_order(1))
        if any(len(a) != k for a, k in zip(labels, self.infoset_num_actions.tolist(), strict=True)):
            raise InvalidGameError("the action labels do not match the information sets' action counts")
        return labels

    @cached_property
    def terminal_nodes(self) -> np.ndarray:
        """The terminal nodes, ascending (the order of ``terminal_utility``'s rows)."""
        out = np.flatnonzero(self.node_player == TERMINAL).astype(self.node_parent.dtype)
        out.setflags(write=False)
        return out

    @cached_property
    def terminal_chance(self) -> np.ndarray:
        """The chance reach of each terminal as a float (kept as interned exact values and an index
        per terminal when every probability is exact, expanded on first use)."""
        if self._reach_values is None:
            out = self._float_terminal_chance
        else:
            out = np.array([float(r) for r in self._reach_values])[self._terminal_reach_id]
        out.setflags(write=False)
        return out

    @cached_property
    def edge_chance_prob(self) -> np.ndarray:
        """The probability of the edge into each node as a float (1 below decisions)."""
        out = np.array([float(p) for p in self._prob_values])[self._edge_prob_id]
        out.setflags(write=False)
        return out

    @cached_property
    def exact_edge_chance_prob(self) -> tuple[Any, ...]:
        """Exact probability of the edge into each node as given (Fraction or int where given
        exactly, float where given as a float; 1 below decisions)."""
        values = self._prob_values
        return tuple(values[i] for i in self._edge_prob_id.tolist())

    @property
    def _exact_chance(self) -> list[Any] | None:
        """Exact chance reach of each terminal, or None where some probability is a float."""
        if self._reach_values is None:
            return None
        values = self._reach_values
        return [values[i] for i in self._terminal_reach_id.tolist()]

    @property
    def _raw_payoffs(self) -> list[tuple[Any, ...]]:
        """Each terminal's payoffs as given (floats, ints, fractions)."""
        raw = self._raw_rows
        return [raw[k] if k in raw else tuple(row) for k, row in enumerate(self.terminal_utility.tolist())]

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
        exact = self._exact_payoffs
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
        exact = self._exact_chance is not None and self._exact_payoffs
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
