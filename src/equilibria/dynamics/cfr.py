"""Counterfactual regret minimization (CFR) and its variants, vectorised over the compiled tree.

One iteration for player p, with σ the current behaviour policy and r its realization plan:

1. terminal weights ``w(z) = π_c(z) Π_{q≠p} r[seq_q(z)] u_p(z)`` (one gather per opponent);
2. ``base = scatter_add(seq_p(z), w)``: the counterfactual value of every sequence whose subtree
   holds no further own decision;
3. bottom-up over p's own levels (deepest first): ``cfv(I, a) = base[I a]`` (children already
   added), ``v(I) = Σ_a σ(I, a) cfv(I, a)``, and ``base[parent(I)] += v(I)``;
4. instantaneous regret ``cfv(I, a) − v(I)`` on legal actions, the cumulative-regret update of the
   variant, and regret matching for the next policy.

The average policy accumulates each player's own reach-weighted policy
``S(I, a) += w_t r[parent(I)] σ(I, a)``. Every step is a whole-array operation; the only Python
loops are over players, levels (a player's 4 own levels, or the tree's 11 depth levels, in Leduc
poker), action columns and the up to 5 histories of an infoset.

Two engines compute steps 1–4 (option ``engine``):

* ``"history"`` (default) works per history (tree node): history values bottom-up over the
  tree's depth levels, per-history regrets ``π_{-p}(h) (v(ha) − v(h))``, accumulated into each
  infoset history by history. This is exactly the floating-point arithmetic of a recursive CFR
  (OpenSpiel's C++ and Python solvers), done with whole-array operations per depth level. CFR+
  amplifies rounding differences (1e-16 grows to 1e-4 within 200 Leduc iterations), so only
  this engine stays on OpenSpiel's trajectory for thousands of iterations (checked at 1000).
* ``"sequence"`` works per sequence as above: counterfactual values aggregated over the
  terminals of each sequence, which touches fewer entries (about 2× faster on Leduc) and matches
  OpenSpiel to ~1e-11 at iteration 100, then drifts by rounding. MCCFR and predictive CFR+ use
  this layout.

For speed the learner keeps its own copy of the infoset order in which every (player, level)
group is a contiguous block, sorted by parent sequence. Level slices are then array *views*, and
the scatter into parents is one ``np.add.reduceat`` over contiguous runs. Policies are mapped
back to the game's order only when returned.

=============  ==================================================================  ==============
method         cumulative regret R, policy, average weight w_t                     paper
=============  ==================================================================  ==============
cfr            R += r;  σ ∝ [R]^+;  w_t = 1                                        Zinkevich 2007
cfr+           R = [R + r]^+;  σ ∝ R;  w_t = t                                     Tammelin 2015
linear-cfr     R = (R + r) t/(t+1);  σ ∝ [R]^+;  w_t = t                           Brown 2019
dcfr           R = (R + r) · (t^α/(t^α+1) if ≥ 0 else t^β/(t^β+1));  w_t = t^γ     Brown 2019
pcfr+          R = [R + r]^+;  σ ∝ [R + m − ⟨m, σ⟩]^+, m predicted cfv;  w_t = t^2   Farina 2021
=============  ==================================================================  ==============

Defaults follow OpenSpiel (``open_spiel/python/algorithms/cfr.py`` and ``discounted_cfr.py``):
alternating updates over players 0..n−1, each player's pass using the policy already updated for
the players before it; the average-policy contribution of iteration t uses the policy before that
player's update (weighted as OpenSpiel multiplies: ``r σ``, ``(t r) σ`` or ``(r σ) t^γ``);
discounting is applied after adding iteration t's regret. With these defaults the NashConv
sequences of ``cfr``, ``cfr+``, ``linear-cfr`` and ``dcfr`` equal OpenSpiel's iteration by
iteration (tested to 1e-13 on Kuhn and Leduc poker).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._checks import check_bool, check_choice, check_int, check_real
from ..errors import CheckpointError, InvalidParameterError, NotApplicableError
from ..games.extensive_form import ExtensiveFormGame
from ..ops import regret_matching
from ..registry import register_method
from ..run import Learner

#: largest average-weight exponent γ (weights t^γ stay finite for any feasible number of iterations)
MAX_GAMMA = 20.0


def _discount(t: int, exponent: float) -> float:
    """DCFR's discount ``t^e / (t^e + 1)`` (Brown & Sandholm 2019), in OpenSpiel's arithmetic where
    ``t^e`` is finite and 1.0 (its limit) where ``t^e`` overflows, so no exponent raises."""
    try:
        x = t**exponent
    except OverflowError:
        return 1.0
    return x / (x + 1.0) if math.isfinite(x) else 1.0


@dataclass(frozen=True)
class LevelBlock:
    """One (player, level) group of infosets: rows ``lo:hi`` of the learner's internal order.

    ``parent[k]`` is the internal parent sequence of infoset ``lo + k``; the rows are sorted by it,
    so ``starts`` (offsets of each run of equal parents) and ``unique_parent`` turn the scatter-add
    into parents into one ``np.add.reduceat``.
    """

    lo: int
    hi: int
    parent: np.ndarray
    starts: np.ndarray
    unique_parent: np.ndarray


class TreeLayout:
    """Index arrays derived once from an `ExtensiveFormGame` for the vectorised CFR passes.

    Internal infoset order: by player, then own level, then parent sequence. ``perm[i]`` is the
    game's infoset at internal row ``i``; sequences are renumbered accordingly
    (``1 + i * A + a``).
    """

    def __init__(self, game: ExtensiveFormGame):
        if not isinstance(game, ExtensiveFormGame):
            raise NotApplicableError(
                f"CFR applies to extensive-form games, not {type(game).__name__}"
            )
        n, A, N = game.num_players, game.max_actions, game.num_infosets
        self.num_players, self.max_actions, self.num_infosets = n, A, N
        self.num_sequences = 1 + N * A
        new_of_old = np.full(N, -1, dtype=np.int64)
        seq_map = np.zeros(game.num_sequences, dtype=np.int64)
        arange_a = np.arange(A)
        perm_parts: list[np.ndarray] = []
        blocks: list[list[LevelBlock]] = [[] for _ in range(n)]
        spans: list[tuple[int, int]] = []
        nxt = 0
        for p in range(n):
            start_p = nxt
            for lv in game.player_levels[p]:
                if lv.size == 0:
                    continue
                par = seq_map[game.infoset_parent_seq[lv]]  # parents are at a lower level: mapped
                order = np.argsort(par, kind="stable")
                lv, par = lv[order], par[order]
                lo, hi = nxt, nxt + lv.size
                new_of_old[lv] = np.arange(lo, hi)
                seq_map[(1 + lv[:, None] * A + arange_a).ravel()] = (
                    1 + np.arange(lo, hi)[:, None] * A + arange_a
                ).ravel()
                starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
                blocks[p].append(LevelBlock(lo, hi, par, starts, par[starts]))
                perm_parts.append(lv)
                nxt = hi
            spans.append((start_p, nxt))
        self.perm = np.concatenate(perm_parts) if perm_parts else np.zeros(0, dtype=np.int64)
        self.new_of_old = new_of_old
        self.blocks = tuple(tuple(b) for b in blocks)
        self.spans = tuple(spans)
        self.parent = seq_map[game.infoset_parent_seq[self.perm]]
        self.legal = game.legal_mask[self.perm].astype(float)
        self.uniform = self.legal / self.legal.sum(axis=1, keepdims=True)
        self.terminal_seq = seq_map[game.terminal_seq]
        # chance reach times utility, per player: the terminal weight before opponents' reach
        self.chance_utility = np.ascontiguousarray(
            (game.terminal_chance[:, None] * game.terminal_utility).T
        )
        self.nodes_per_pass = int(game.num_terminals)

    def to_game_order(self, internal: np.ndarray) -> np.ndarray:
        """A policy in internal row order, returned in the game's infoset order."""
        return internal[self.new_of_old]

    def regret_matching(self, regret: np.ndarray, out: np.ndarray, lo: int, hi: int) -> None:
        """``out[lo:hi] ∝ [regret]^+`` row-wise, uniform over legal actions where no regret is positive
        (Hart & Mas-Colell 2000; `equilibria.ops.regret_matching`, summed left to right as OpenSpiel)."""
        regret_matching(regret, fallback=self.uniform[lo:hi], out=out[lo:hi])

    def node_rows(self, game: ExtensiveFormGame) -> np.ndarray:
        """The internal infoset row of every node (-1 at chance and terminal nodes)."""
        rows = np.full(game.num_nodes, -1, dtype=np.int64)
        decision = game.node_player >= 0
        rows[decision] = self.new_of_old[game.node_infoset[decision]]
        return rows

    def realization_plan(self, sigma: np.ndarray, r: np.ndarray, player: int) -> None:
        """Recompute ``player``'s part of the realization plan ``r`` in place, top-down."""
        A = self.max_actions
        for b in self.blocks[player]:
            out = r[1 + b.lo * A:1 + b.hi * A].reshape(-1, A)
            np.multiply(r[b.parent][:, None], sigma[b.lo:b.hi], out=out)

    def counterfactual_values(
        self, sigma: np.ndarray, player: int, terminal_value: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Counterfactual action values ``cfv`` (rows of ``player``'s span) and infoset values ``v``.

        ``terminal_value[z]`` is the (sampled or exact) value of terminal z for ``player`` before
        ``player``'s own reach: ``π_{-p}(z) u_p(z)`` for CFR.
        """
        A = self.max_actions
        base = self.terminal_values(player, terminal_value)
        lo_p, hi_p = self.spans[player]
        v = np.empty(hi_p - lo_p)
        for b in reversed(self.blocks[player]):
            q = base[1 + b.lo * A:1 + b.hi * A].reshape(-1, A)
            vb = v[b.lo - lo_p:b.hi - lo_p]
            np.einsum("ij,ij->i", q, sigma[b.lo:b.hi], out=vb)
            base[b.unique_parent] += np.add.reduceat(vb, b.starts)
        cfv = base[1 + lo_p * A:1 + hi_p * A].reshape(-1, A)
        return cfv, v

    def terminal_values(self, player: int, terminal_value: np.ndarray) -> np.ndarray:
        """``base[s] = Σ_{z : seq_p(z) = s} terminal_value[z]`` over the flat sequence space."""
        return np.bincount(self.terminal_seq[player], weights=terminal_value, minlength=self.num_sequences)

    def predictive_policy(
        self, sigma: np.ndarray, regret: np.ndarray, player: int, base: np.ndarray
    ) -> None:
        """Predictive regret matching+ at every infoset of ``player``, bottom-up (Farina, Kroer &
        Sandholm 2021, with the local predictions of predictive CFR, Farina et al. 2019).

        The prediction of the next utility is the last one (``base``: terminal values of this
        iteration, modified in place). At each level, deepest first, the local prediction
        ``m(I, a)`` is the counterfactual value under the *new* policy of the deeper levels; the
        new policy is ``σ'(I) ∝ [R(I) + m(I) − ⟨m(I), σ(I)⟩]^+`` and its value ``⟨m(I), σ'(I)⟩``
        flows to the parent sequence.
        """
        A = self.max_actions
        for b in reversed(self.blocks[player]):
            m = base[1 + b.lo * A:1 + b.hi * A].reshape(-1, A)
            old = np.einsum("ij,ij->i", m, sigma[b.lo:b.hi])
            predicted = (m - old[:, None]) * self.legal[b.lo:b.hi]
            predicted += regret[b.lo:b.hi]
            self.regret_matching(predicted, sigma, b.lo, b.hi)
            new_value = np.einsum("ij,ij->i", m, sigma[b.lo:b.hi])
            base[b.unique_parent] += np.add.reduceat(new_value, b.starts)

    def opponent_weight(self, r: np.ndarray, player: int) -> np.ndarray:
        """``π_c(z) Π_{q≠p} r[seq_q(z)] u_p(z)`` for every terminal."""
        w = self.chance_utility[player]
        for q in range(self.num_players):
            if q != player:
                w = w * r[self.terminal_seq[q]]
        return w


class HistoryLayout:
    """Per-history index arrays for the ``engine="history"`` counterfactual-regret pass.

    It computes exactly what a recursive CFR computes, in the same floating-point order: the value
    of every history bottom-up over the tree's depth levels (``v(h) = Σ_a σ(h, a) v(ha)`` summed
    left to right, chance likewise), each history's regret ``π_{-p}(h) (v(ha) − v(h))`` and its
    accumulation into the infoset's cumulative regret history by history in depth-first order
    (the k-th histories of all infosets at once, for k up to the largest infoset). OpenSpiel's CFR
    solvers (C++ and Python) do this arithmetic, so trajectories agree bit for bit instead of
    drifting apart by rounding, to which CFR+ is sensitive (differences of 1e-16 grow to 1e-4 in
    200 Leduc iterations).

    Layout: nodes are in breadth-first order, so the children of depth-d nodes are the contiguous
    slice of depth d+1, grouped by parent. Each node's incoming edge weight (σ of its parent's
    infoset, or the chance probability) is one gather per pass; per depth, the products
    ``weight · value`` are a slice operation, and ``pad[d]`` (sibling rank × parent, padded with a
    zero slot) lays them out so the left-to-right sum is a handful of column additions.
    """

    def __init__(self, game: ExtensiveFormGame, layout: TreeLayout):
        n, A = game.num_players, layout.max_actions
        N = game.num_nodes
        parent, player, action = game.node_parent, game.node_player, game.node_action
        self.num_players = n
        NA = layout.num_infosets * A
        child_count = np.bincount(parent[1:], minlength=N)
        first_child = np.zeros(N, dtype=np.int64)
        first_child[parent[1:][::-1]] = np.arange(N - 1, 0, -1)  # children are consecutive
        depth = game.node_depth
        bounds = np.flatnonzero(np.diff(depth)) + 1
        slices = list(zip(np.r_[0, bounds].tolist(), np.r_[bounds, N].tolist(), strict=True))
        row = layout.node_rows(game)
        edge = game.edge_chance_prob
        # where each node's incoming edge weight lives in [σ.ravel(), edge]
        par = parent.copy()
        par[0] = 0
        self.edge_source = np.where(player[par] >= 0, row[par] * A + action, NA + np.arange(N))
        self.edge_source[0] = NA
        self.weights = np.concatenate([np.zeros(NA), edge])
        self.num_policy_entries = NA
        # chance reach and each player's last (internal) sequence at every node, top-down
        chance = np.ones(N)
        seq = np.zeros((n, N), dtype=np.int64)
        for lo, hi in slices[1:]:
            pr = parent[lo:hi]
            chance[lo:hi] = chance[pr] * edge[lo:hi]
            seq[:, lo:hi] = seq[:, pr]
            owner = player[pr]
            for q in range(n):
                mine = owner == q
                seq[q, lo:hi][mine] = 1 + row[pr[mine]] * A + action[lo:hi][mine]
        # bottom-up steps, deepest parents first: (child slice, parents, pad (rank × parent))
        self.steps: list[tuple[int, int, np.ndarray, np.ndarray]] = []
        for (lo, hi) in reversed(slices[1:]):
            parents = np.unique(parent[lo:hi])
            k = int(child_count[parents].max())
            ranks = np.arange(k)[:, None]
            pad = np.where(ranks < child_count[parents], first_child[parents] + ranks, N)
            self.steps.append((lo, hi, parents, pad))
        self.products = np.zeros(N + 1)
        # depth-first (pre-order) index: the order in which a recursive traversal meets histories
        pre = np.empty(N, dtype=np.int64)
        stack, k = [0], 0
        fc, cc = first_child.tolist(), child_count.tolist()
        while stack:
            v = stack.pop()
            pre[v] = k
            k += 1
            if cc[v]:
                stack.extend(range(fc[v] + cc[v] - 1, fc[v] - 1, -1))
        cols = np.arange(A)
        self.values: list[np.ndarray] = []
        self.nodes: list[np.ndarray] = []
        self.children: list[np.ndarray] = []
        self.opponent_seq: list[np.ndarray] = []
        self.chance: list[np.ndarray] = []
        self.legal: list[np.ndarray] = []
        self.spans = layout.spans
        self.slots: list[tuple[np.ndarray, np.ndarray]] = []
        self.buffers: list[np.ndarray] = []
        self.masks: list[list[np.ndarray]] = []
        for p in range(n):
            val = np.zeros(N + 1)
            val[game.terminal_nodes] = game.terminal_utility[:, p]
            self.values.append(val)
            D = np.flatnonzero(player == p)
            D = D[np.lexsort((pre[D], row[D]))]  # by infoset, then depth-first order
            r = row[D]
            start = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
            rank = np.arange(len(D)) - np.repeat(start, np.diff(np.r_[start, len(D)]))
            order = np.lexsort((r, rank))  # k-th histories of every infoset form one contiguous run
            D, r, rank = D[order], r[order], rank[order]
            self.nodes.append(D)
            self.children.append(np.where(cols < child_count[D][:, None], first_child[D][:, None] + cols, N))
            self.opponent_seq.append(seq[:, D])
            self.chance.append(chance[D])
            self.legal.append(layout.legal[r])
            # the k-th history of infoset row r goes to buffer[k, r - lo]; unused slots stay 0
            lo, hi = layout.spans[p]
            depth_k = int(rank.max(initial=-1)) + 1
            self.slots.append((rank, r - lo))
            self.buffers.append(np.zeros((depth_k, hi - lo, A)))
            count = np.bincount(r - lo, minlength=hi - lo)
            self.masks.append([(count > k)[:, None] for k in range(depth_k)])

    def regrets(self, sigma: np.ndarray, reach: np.ndarray, p: int) -> np.ndarray:
        """Each of p's histories' counterfactual regrets ``π_{-p}(h) (v_p(ha) − v_p(h))``."""
        val, prod = self.values[p], self.products
        self.weights[:self.num_policy_entries] = sigma.ravel()
        w = self.weights[self.edge_source]
        for lo, hi, parents, pad in self.steps:
            np.multiply(w[lo:hi], val[lo:hi], out=prod[lo:hi])
            P = prod[pad]
            if len(P) == 1:
                val[parents] = P[0]
                continue
            v = P[0] + P[1]
            for j in range(2, len(P)):
                v += P[j]
            val[parents] = v
        seqs = self.opponent_seq[p]
        # OpenSpiel: prod(reach[:p]) * prod(reach[p+1:] + [chance]), each product left to right
        right = None
        for q in range(p + 1, self.num_players):
            right = reach[seqs[q]] if right is None else right * reach[seqs[q]]
        right = self.chance[p] if right is None else right * self.chance[p]
        left = None
        for q in range(p):
            left = reach[seqs[q]] if left is None else left * reach[seqs[q]]
        cf = right if left is None else left * right
        D = self.nodes[p]
        return cf[:, None] * (val[self.children[p]] - val[D][:, None]) * self.legal[p]

    def accumulate_regret(self, p: int, regret: np.ndarray, per_history: np.ndarray) -> None:
        """``R(I) += r(h)`` for each history h of I in depth-first order (p's rows of ``regret``)."""
        lo, hi = self.spans[p]
        buf = self.buffers[p]
        buf[self.slots[p]] = per_history
        acc = regret[lo:hi]
        for k in range(len(buf)):  # adding the padding's 0.0 leaves a sum unchanged
            np.add(acc, buf[k], out=acc)

    def accumulate_policy(self, p: int, cumulative: np.ndarray, increment: np.ndarray) -> None:
        """``S(I) += x(I)`` once per history of I, as a recursive traversal does."""
        lo, hi = self.spans[p]
        acc, x = cumulative[lo:hi], increment[lo:hi]
        for mask in self.masks[p]:
            np.add(acc, x, out=acc, where=mask)


#: attributes derived from the game alone: rebuilt by ``__init__``, never checkpointed
_DERIVED = ("_layout", "_history", "_nodes", "_jax")


def check_table_shapes(state: dict[str, Any], keys: tuple[str, ...], shape: tuple[int, ...]) -> None:
    """`CheckpointError` unless every ``state[key]`` is an array of ``shape`` (this game's tables)."""
    for key in keys:
        value = state.get(key)
        if not isinstance(value, np.ndarray) or value.shape != shape:
            got = getattr(value, "shape", type(value).__name__)
            raise CheckpointError(
                f"checkpoint's {key} has shape {got}, but this game's tree needs {shape}: "
                "it was written for another game"
            )


def normalised_policy(layout: TreeLayout, sums: np.ndarray) -> np.ndarray:
    """Per-infoset sums (internal order) normalised to a behaviour policy in the game's order,
    uniform over legal actions where an infoset's sum is zero."""
    total = sums.sum(axis=1)
    avg = layout.uniform.copy()
    seen = total > 0
    avg[seen] = sums[seen] / total[seen, None]
    return layout.to_game_order(avg)


class RegretLearner(Learner):
    """State shared by the tabular regret minimizers on a compiled tree (CFR family and MCCFR):
    cumulative regrets, the cumulative (reach-weighted) policy and the current policy, all in the
    `TreeLayout`'s internal infoset order."""

    families = ("extensive_form",)
    default_output = "average"

    #: the method's name in messages (the registered name where there is one)
    method_name: ClassVar[str] = "CFR"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None):
        if isinstance(game, ExtensiveFormGame):  # other families: TreeLayout says NotApplicable
            # counterfactual regrets live on the sequence form, which needs perfect recall
            game.require_perfect_recall(self.method_name)
        super().__init__(game, seed=seed)
        self._layout = TreeLayout(game)
        L = self._layout
        shape = (L.num_infosets, L.max_actions)
        self.cumulative_regret = np.zeros(shape)
        self.cumulative_policy = np.zeros(shape)
        self.sigma = L.uniform.copy()

    def state_dict(self) -> dict[str, Any]:
        """Everything but the game and the index arrays derived from it: NumPy arrays, scalars,
        strings and the random generator. The index arrays (``_layout`` and the engines' own) are
        rebuilt from the game when a learner is constructed, so a checkpoint holds no engine object."""
        state = super().state_dict()
        for key in _DERIVED:
            state.pop(key, None)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a `state_dict`, refusing one whose tables do not fit this game's tree."""
        check_table_shapes(state, ("cumulative_regret", "cumulative_policy", "sigma"),
                           (self._layout.num_infosets, self._layout.max_actions))
        super().load_state_dict({k: v for k, v in state.items() if k not in _DERIVED})

    def current_strategy(self) -> np.ndarray:
        return self._layout.to_game_order(self.sigma.copy())

    def average_strategy(self) -> np.ndarray:
        """The cumulative policy normalised per infoset (uniform where it is still zero)."""
        return normalised_policy(self._layout, self.cumulative_policy)


class CFR(RegretLearner):
    """The CFR family on a compiled tree; the registered methods are subclasses with fixed options.

    Zinkevich, Johanson, Bowling & Piccione, "Regret Minimization in Games with Incomplete
    Information", NeurIPS 2007. Options shared by the whole family:

    - ``alternating`` (default True, as OpenSpiel): update players one after another, each pass
      seeing the policies already updated in this iteration; False gives simultaneous updates.
    - ``regret_matching_plus``: clip cumulative regrets at 0 after each update (RM+).
    - ``alpha``, ``beta``: discount positive / negative cumulative regrets by
      ``t^α/(t^α+1)`` / ``t^β/(t^β+1)`` after iteration t (None: no discount).
    - ``gamma``: the average policy weights iteration t by ``t^γ`` (0: uniform, 1: linear).
    - ``engine``: ``"history"`` (OpenSpiel's arithmetic, bit for bit), ``"sequence"`` (faster) or
      ``"jax"``: the history engine's iteration compiled by ``jax.jit`` (`equilibria.dynamics.cfr_jax`;
      the ``jax`` extra; enables JAX's float64 process-wide), equal to ``"history"`` on a CPU.
    - ``predictive``: predictive RM+: play ``σ' ∝ [R + m − ⟨m, σ⟩]^+`` where m is the counterfactual
      value predicted from this iteration's utilities and the new policy below each infoset
      (see `TreeLayout.predictive_policy`).
    """

    def __init__(
        self,
        game: ExtensiveFormGame,
        *,
        seed: int | None = None,
        alternating: bool = True,
        regret_matching_plus: bool = False,
        alpha: float | None = None,
        beta: float | None = None,
        gamma: float = 0.0,
        predictive: bool = False,
        engine: str = "history",
    ):
        # every option is checked before the (possibly large) layouts are built
        engine = check_choice("engine", engine, ("history", "sequence", "jax"))
        alternating = check_bool("alternating", alternating)
        regret_matching_plus = check_bool("regret_matching_plus", regret_matching_plus)
        predictive = check_bool("predictive", predictive)
        if (alpha is None) != (beta is None):
            raise InvalidParameterError("alpha and beta (regret discounting) must be given together")
        # t^α/(t^α+1) and t^β/(t^β+1) are computed overflow-free (`_discount`), so any finite
        # exponent is usable; the average weight t^γ must stay finite over any feasible run:
        # with γ <= MAX_GAMMA it is below 1e9^20 = 1e180 for a billion iterations
        self.alpha = None if alpha is None else check_real("alpha", alpha, minimum=0.0)
        self.beta = None if beta is None else check_real("beta", beta)
        self.gamma = check_real("gamma", gamma, minimum=0.0, maximum=MAX_GAMMA)
        super().__init__(game, seed=seed)
        self.alternating = alternating
        self.regret_matching_plus = regret_matching_plus
        self.predictive = predictive
        # predictions need the sequence-level terminal values, so predictive CFR uses that engine
        if self.predictive and engine == "jax":
            raise InvalidParameterError("engine='jax' does not cover predictive CFR+: use the default engine")
        self.engine = "sequence" if self.predictive else engine
        if self.alpha is not None or self.gamma not in (0.0, 1.0):
            self._average_form = "power"     # OpenSpiel's DCFR: (r σ) t^γ
        else:
            self._average_form = "linear" if self.gamma == 1.0 else "uniform"  # (t r) σ  or  r σ
        L = self._layout
        self._history = HistoryLayout(game, L) if self.engine in ("history", "jax") else None
        self.reach = np.zeros(L.num_sequences)
        self.reach[0] = 1.0
        for p in range(L.num_players):
            L.realization_plan(self.sigma, self.reach, p)
        self._jax = None
        if self.engine == "jax":
            from .cfr_jax import JaxEngine

            self._jax = JaxEngine(self)

    def steps(self, k: int) -> None:
        """Run ``k`` iterations, equal to k calls of `step`; with ``engine="jax"`` in one compiled
        call (`cfr_jax.JaxEngine.run`: one dispatch for k iterations; a new k compiles once)."""
        k = check_int("k", k, minimum=0)
        if self._jax is not None and k > 0:
            self._jax.run(self, k)
            return
        for _ in range(k):
            self.step()

    # ---- one iteration -------------------------------------------------------------------------
    def _average_increment(self, t: int) -> np.ndarray:
        """Iteration t's contribution to the average policy, ``w_t r[parent(I)] σ(I, a)``, in
        OpenSpiel's order of multiplication for each averaging scheme."""
        own = self.reach[self._layout.parent][:, None]
        if self._average_form == "uniform":
            return own * self.sigma
        if self._average_form == "linear":
            return (t * own) * self.sigma
        return (own * self.sigma) * (t ** self.gamma)

    def _step(self) -> None:
        L = self._layout
        t = self.iteration + 1
        if self._jax is not None:
            self._jax.step(self, t)
            return
        # average policy: every player's own reach-weighted policy before its update this iteration
        increment = self._average_increment(t)
        players = range(L.num_players)
        if self._history is None:
            self.cumulative_policy += increment
            if self.alternating:
                for p in players:
                    self._update_player(p, self._instantaneous_regret(p), t)
            else:
                regrets = [self._instantaneous_regret(p) for p in players]
                for p in players:
                    self._update_player(p, regrets[p], t)
            return
        H = self._history
        if self.alternating:
            for p in players:
                H.accumulate_regret(p, self.cumulative_regret, H.regrets(self.sigma, self.reach, p))
                H.accumulate_policy(p, self.cumulative_policy, increment)
                self._finish_update(p, t)
        else:
            regrets = [H.regrets(self.sigma, self.reach, p) for p in players]
            for p in players:
                H.accumulate_regret(p, self.cumulative_regret, regrets[p])
                H.accumulate_policy(p, self.cumulative_policy, increment)
            for p in players:
                self._finish_update(p, t)

    def _instantaneous_regret(self, p: int) -> tuple[np.ndarray, np.ndarray | None]:
        """p's instantaneous counterfactual regrets and, for predictive CFR, this iteration's
        terminal values (the prediction of the next utility)."""
        L = self._layout
        w = L.opponent_weight(self.reach, p)
        cfv, v = L.counterfactual_values(self.sigma, p, w)
        lo, hi = L.spans[p]
        inst = cfv - v[:, None]
        inst *= L.legal[lo:hi]
        return inst, (w if self.predictive else None)

    def _update_player(self, p: int, inst_w: tuple[np.ndarray, np.ndarray | None], t: int) -> None:
        inst, w = inst_w
        lo, hi = self._layout.spans[p]
        self.cumulative_regret[lo:hi] += inst
        self._finish_update(p, t, w)

    def _finish_update(self, p: int, t: int, w: np.ndarray | None = None) -> None:
        """Discount / clip p's cumulative regrets, then the next policy and its realization plan."""
        L = self._layout
        lo, hi = L.spans[p]
        R = self.cumulative_regret[lo:hi]
        if self.alpha is not None:
            pos = _discount(t, self.alpha)
            neg = _discount(t, self.beta)
            R *= np.where(R >= 0, pos, neg)
        if self.regret_matching_plus:
            np.maximum(R, 0.0, out=R)
        if w is not None:
            L.predictive_policy(self.sigma, self.cumulative_regret, p, L.terminal_values(p, w))
        else:
            L.regret_matching(R, self.sigma, lo, hi)
        L.realization_plan(self.sigma, self.reach, p)


@register_method("cfr", families=("extensive_form",))
class VanillaCFR(CFR):
    """CFR with OpenSpiel's alternating updates and uniform averaging.

    Zinkevich, Johanson, Bowling & Piccione, "Regret Minimization in Games with Incomplete
    Information", NeurIPS 2007.
    """

    method_name = "cfr"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 engine: str = "history"):
        super().__init__(game, seed=seed, alternating=alternating, engine=engine)


@register_method("cfr+", families=("extensive_form",))
class CFRPlus(CFR):
    """CFR+: regret matching+, linear averaging (``gamma=1``) and alternating updates.

    Tammelin, "Solving Large Imperfect Information Games Using CFR+", arXiv 2014; Tammelin, Burch,
    Johanson & Bowling, "Solving Heads-up Limit Texas Hold'em", IJCAI 2015.
    """

    method_name = "cfr+"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 gamma: float = 1.0, engine: str = "history"):
        super().__init__(game, seed=seed, alternating=alternating, regret_matching_plus=True, gamma=gamma,
                         engine=engine)


@register_method("linear-cfr", families=("extensive_form",))
class LinearCFR(CFR):
    """Linear CFR: iteration t's regrets and policy weighted by t, i.e. DCFR(1, 1, 1).

    Brown & Sandholm, "Solving Imperfect-Information Games via Discounted Regret Minimization",
    AAAI 2019.
    """

    method_name = "linear-cfr"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 engine: str = "history"):
        super().__init__(game, seed=seed, alternating=alternating, alpha=1.0, beta=1.0, gamma=1.0,
                         engine=engine)


@register_method("dcfr", families=("extensive_form",))
class DiscountedCFR(CFR):
    """Discounted CFR with the paper's recommended α=1.5, β=0, γ=2.

    Brown & Sandholm, "Solving Imperfect-Information Games via Discounted Regret Minimization",
    AAAI 2019.
    """

    method_name = "dcfr"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 alpha: float = 1.5, beta: float = 0.0, gamma: float = 2.0, engine: str = "history"):
        super().__init__(game, seed=seed, alternating=alternating, alpha=alpha, beta=beta, gamma=gamma,
                         engine=engine)


@register_method("pcfr+", families=("extensive_form",))
class PredictiveCFRPlus(CFR):
    """Predictive CFR+: predictive regret matching+ at every infoset, quadratic averaging.

    Farina, Kroer & Sandholm, "Faster Game Solving via Predictive Blackwell Approachability:
    Connecting Regret Matching and Mirror Descent", AAAI 2021. The next utility is predicted to
    equal the last one; the local predictions are computed bottom-up with the new policy of the
    subtree (Farina, Kroer, Brown & Sandholm, "Stable-Predictive Optimistic Counterfactual Regret
    Minimization", ICML 2019); alternating updates and quadratic averaging (``gamma=2``).
    """

    method_name = "pcfr+"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 gamma: float = 2.0):
        super().__init__(game, seed=seed, alternating=alternating, regret_matching_plus=True,
                         predictive=True, gamma=gamma)
