"""Monte Carlo CFR: external and outcome sampling (Lanctot, Waugh, Zinkevich & Bowling,
"Monte Carlo Sampling for Regret Minimization in Extensive Games", NeurIPS 2009).

Both learners share the tabular state of `equilibria.dynamics.cfr.RegretLearner` and draw every
random number from ``self.rng``. One iteration runs one sampled traversal per player, in player
order; each traversal updates the traverser's regrets and its next policy (regret matching)
before the next player's traversal, as in OpenSpiel's implementation.

**Cost proportional to the sampled part of the tree.** Neither learner touches a node it did not
sample: both walk the tree level by level over *frontiers*, arrays of (traversal, node) entries,
so an iteration costs O(size of the sampled subtrees) array work plus O(depth) NumPy calls,
whatever the size of the tree. ``batch`` traversals per player and iteration (default 1, the
paper's algorithm) are walked together in the same arrays, so the Python overhead is paid per
batch and per level, never per node or per trajectory; with ``batch = B`` the B estimates are taken
under the same policy σ^t and averaged (an unbiased estimate with 1/B of the variance), which is
the only difference from B consecutive iterations.

**External sampling.** For traverser p one action is sampled at each reached chance node and each
reached node of the other players (inverse CDF of one uniform), every action at p's nodes. The
sampled value of a reached node is the utility at a terminal, the sampled child's value at chance /
opponent nodes and ``Σ_a σ(I, a) v(ha)`` at p's nodes (chance and opponent probabilities cancel
against the sampling probability q(z) = π_{-p}(z)); the regret update at each reached history h of
p's infoset I is ``v(ha) − v(h)``. This equals the recursive traversal of the paper, with one
deviation: the traverser's policy σ^t is held fixed during the traversal, as in the analysis,
whereas a recursive implementation that updates regrets in place lets later visits of the same
information set see the partially updated regrets. The average policy uses the paper's *simple
averaging*: at every sampled node of player (p+1) mod n, ``S(I) += σ(I)`` (``average="full"``
instead accumulates the exact reach-weighted policy of every player, as CFR does: a full-tree pass).

**Outcome sampling.** One terminal z is sampled per traversal, the traverser mixing its policy with
ε-uniform exploration (ε = 0.6 by default), others and chance on-policy; the ``batch`` paths are
walked down together, one depth level per step. For each traverser infoset I_j on the path, with
sampled action a_j, the sampled regret is ``W_j (e_{a_j} − σ(I_j, a_j))`` with
``W_j = u_p(z) π_p(z[I_j a_j] → z) / q_p(z)``, q_p the traverser's sampling probability of its own
actions (the chance and opponent factors cancel). The average policy uses *stochastically weighted
averaging*: ``S(I_j) += π_p(h_j) σ(I_j) / q(h_j)`` with q(h_j) the probability of sampling h_j.
These are the updates of the paper and of OpenSpiel's ``outcome_sampling_mccfr`` (baseline 0).
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_int, check_probability
from ..games.extensive_form import CHANCE, TERMINAL, ExtensiveFormGame
from ..ops import regret_matching
from ..registry import register_method
from .cfr import RegretLearner, TreeLayout


class _TreeNodes:
    """Node-level index arrays for sampling: children, chance probabilities, depth slices."""

    def __init__(self, game: ExtensiveFormGame, layout: TreeLayout):
        parent = game.node_parent
        num_nodes = game.num_nodes
        self.num_nodes = num_nodes
        self.player = game.node_player
        self.action = game.node_action
        self.parent = parent
        child_count = np.bincount(parent[1:], minlength=num_nodes)
        first_child = np.full(num_nodes, -1, dtype=np.int64)
        # children of a node are consecutive in the compiled (breadth-first) order
        first_child[parent[1:][::-1]] = np.arange(num_nodes - 1, 0, -1)
        self.first_child = first_child
        self.child_count = child_count
        edge_prob = game.edge_chance_prob
        self.chance_nodes = np.flatnonzero(self.player == CHANCE)
        kc = int(child_count[self.chance_nodes].max()) if self.chance_nodes.size else 1
        cols = np.arange(kc)
        valid = cols[None, :] < child_count[self.chance_nodes][:, None]
        idx = np.where(valid, first_child[self.chance_nodes][:, None] + cols[None, :], 0)
        probs = np.where(valid, edge_prob[idx], 0.0)
        self.chance_probs = probs
        self.decision_nodes = np.flatnonzero(self.player >= 0)
        self.decision_row = layout.new_of_old[game.node_infoset[self.decision_nodes]]
        depth = game.node_depth
        if np.any(np.diff(depth) < 0):  # pragma: no cover - the compiler emits breadth-first order
            raise AssertionError("nodes must be in breadth-first order")
        bounds = np.flatnonzero(np.diff(depth)) + 1
        self.depth_slices = list(zip(np.r_[1, bounds].tolist(), np.r_[bounds, num_nodes].tolist(),
                                     strict=True))
        self.parent_player = np.r_[TERMINAL, self.player[parent[1:]]]
        self.terminal_nodes = game.terminal_nodes
        self.row = layout.node_rows(game)
        self.terminal_index = np.full(num_nodes, -1, dtype=np.int64)
        self.terminal_index[game.terminal_nodes] = np.arange(game.num_terminals)
        self.max_depth = int(depth.max()) + 1
        # the row of every node's distribution in `probability_table` (0 at terminals: never read)
        self.prob_row = np.zeros(num_nodes, dtype=np.int64)
        self.prob_row[self.chance_nodes] = np.arange(self.chance_nodes.size)
        self.prob_row[self.decision_nodes] = self.chance_nodes.size + self.decision_row
        self.spans = layout.spans
        self.uniform = layout.uniform

    def sample_children(self, nodes: np.ndarray, sigma: np.ndarray, u: np.ndarray,
                        explore: tuple[int, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """One action per chance / decision node of ``nodes`` by inverse CDF of ``u``, and its
        sampling probability: chance nodes by their probabilities, decision nodes by σ's row (player
        p's mixed with ε-uniform exploration when ``explore = (p, ε)``). Only the rows of ``nodes``
        are gathered, so the cost is the batch's, not the tree's."""
        pr = self.prob_row[nodes]
        nc, kc = self.chance_probs.shape
        A = sigma.shape[1]
        table = np.zeros((nodes.size, max(A, kc)))
        at_chance = pr < nc
        if at_chance.any():
            table[at_chance, :kc] = self.chance_probs[pr[at_chance]]
        dec = np.flatnonzero(~at_chance)
        rows = pr[dec] - nc
        mixed = sigma[rows]
        if explore is not None:
            p, eps = explore
            mine = self.player[nodes[dec]] == p
            mixed[mine] = eps * self.uniform[rows[mine]] + (1.0 - eps) * mixed[mine]
        table[dec, :A] = mixed
        cdf = np.cumsum(table, axis=1)
        a = _sample_rows(cdf, u, self.child_count[nodes])
        ar = np.arange(nodes.size)
        prob = cdf[ar, a] - np.where(a > 0, cdf[ar, np.maximum(a - 1, 0)], 0.0)
        return a, prob


def _sample_rows(cdf: np.ndarray, u: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Inverse-CDF sampling, one draw per row; clipped so rounding never picks a padded column."""
    return np.minimum((cdf < u[:, None]).sum(axis=1), count - 1)


def _check_batch(batch: object) -> int:
    return check_int("batch", batch, minimum=1, maximum=1_000_000)


@register_method("mccfr-external", families=("extensive_form",))
class ExternalSamplingMCCFR(RegretLearner):
    """External-sampling Monte Carlo CFR on the sampled subtree only.

    Lanctot, Waugh, Zinkevich & Bowling, "Monte Carlo Sampling for Regret Minimization in
    Extensive Games", NeurIPS 2009.

    Per iteration and traverser p (the paper's Algorithm for external sampling, level-synchronous):

    1. walk down from the root ``batch`` times at once: at each level, keep every child of p's
       nodes and one sampled child (chance probabilities / the player's σ^t) of the others';
    2. walk back up: terminal values u_p(z); a sampled node takes its child's value; p's node h
       takes ``Σ_a σ(I, a) v(ha)``;
    3. regret: ``R(I, a) += mean over the batch of Σ_{h ∈ I reached} (v(ha) − v(h))``;
    4. simple averaging: ``S(I) += σ(I)`` per reached node of player (p+1) mod n (mean over the
       batch); then regret matching for p.

    ``average``: ``"simple"`` (the paper's, default) or ``"full"`` (exact reach-weighted average,
    a full-tree pass per iteration). ``batch``: traversals per player and iteration (default 1).
    """

    method_name = "mccfr-external"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, average: str = "simple",
                 batch: int = 1):
        average = check_choice("average", average, ("simple", "full"))
        self.batch = _check_batch(batch)
        super().__init__(game, seed=seed)
        self.average = average
        self._nodes = _TreeNodes(game, self._layout)

    def _step(self) -> None:
        L = self._layout
        if self.average == "full":
            reach = np.zeros(L.num_sequences)
            reach[0] = 1.0
            for p in range(L.num_players):
                L.realization_plan(self.sigma, reach, p)
            self.cumulative_policy += reach[L.parent][:, None] * self.sigma
        for p in range(L.num_players):
            self._traverse(p)

    def _traverse(self, p: int) -> None:
        L, T = self._layout, self._nodes
        n, B, A = L.num_players, self.batch, L.max_actions
        q = (p + 1) % n
        utility = self.game.terminal_utility[:, p]
        # 1. down: per level the entries' nodes and, per entry, where its children start one level below
        levels: list[np.ndarray] = []
        starts: list[np.ndarray] = []
        frontier = np.zeros(B, dtype=np.int64)
        visited: list[np.ndarray] = []  # rows of q's nodes reached (simple averaging)
        ar = np.arange(A)
        while frontier.size:
            levels.append(frontier)
            player = T.player[frontier]
            own = player == p
            sampled = (player != p) & (player != TERMINAL)
            if self.average == "simple":
                mask = player == q
                if mask.any():
                    visited.append(T.row[frontier[mask]])
            s_nodes = frontier[sampled]
            s_act, _ = T.sample_children(s_nodes, self.sigma, self.rng.random(s_nodes.size))
            o_nodes = frontier[own]
            o_count = T.child_count[o_nodes]
            o_children = (T.first_child[o_nodes][:, None] + ar)[ar < o_count[:, None]]
            start = np.full(frontier.size, -1, dtype=np.int64)
            start[sampled] = np.arange(s_nodes.size)
            start[own] = s_nodes.size + np.cumsum(o_count) - o_count
            starts.append(start)
            frontier = np.concatenate([T.first_child[s_nodes] + s_act, o_children])
        # 2.-3. up
        value_below = np.zeros(0)
        own_rows: list[np.ndarray] = []  # p's rows reached and their instantaneous regrets
        own_regrets: list[np.ndarray] = []
        for nodes, start in zip(reversed(levels), reversed(starts), strict=True):
            player = T.player[nodes]
            value = np.zeros(nodes.size)
            term = player == TERMINAL
            value[term] = utility[T.terminal_index[nodes[term]]]
            sampled = (player != p) & ~term
            value[sampled] = value_below[start[sampled]]
            own = np.flatnonzero(player == p)
            if own.size:
                rows = T.row[nodes[own]]
                legal = L.legal[rows]
                idx = start[own][:, None] + np.arange(A)[None, :]
                child_value = np.where(legal > 0, value_below[np.minimum(idx, value_below.size - 1)], 0.0)
                v = np.einsum("ij,ij->i", child_value, self.sigma[rows])
                value[own] = v
                own_rows.append(rows)
                own_regrets.append((child_value - v[:, None]) * legal)
            value_below = value
        # only the rows the traversals reached change (regret matching is a function of the row);
        # the average takes σ^t, before its update
        if self.average == "simple" and visited:
            rows, counts = np.unique(np.concatenate(visited), return_counts=True)
            self.cumulative_policy[rows] += (counts / B)[:, None] * self.sigma[rows]
        if own_rows:
            rows = np.concatenate(own_rows)
            touched, where = np.unique(rows, return_inverse=True)
            inst = np.zeros((touched.size, A))
            np.add.at(inst, where.reshape(-1), np.concatenate(own_regrets))
            self.cumulative_regret[touched] += inst / B
            self.sigma[touched] = regret_matching(self.cumulative_regret[touched],
                                                  fallback=L.uniform[touched])


@register_method("mccfr-outcome", families=("extensive_form",))
class OutcomeSamplingMCCFR(RegretLearner):
    """Outcome-sampling Monte Carlo CFR with ε-exploration and stochastically weighted averaging.

    Lanctot, Waugh, Zinkevich & Bowling, "Monte Carlo Sampling for Regret Minimization in
    Extensive Games", NeurIPS 2009. ``epsilon`` is the traverser's exploration (default 0.6, as in
    OpenSpiel).

    Per iteration and traverser p:

    1. sample ``batch`` terminals at once, one depth level per step: chance and the others on
       policy, p with ``ε/|A(I)| + (1 − ε) σ(I)``; record p's infosets I_j, actions a_j, σ(I_j, a_j),
       the sampling probabilities and ``π_p(h_j) / q(h_j)``;
    2. ``W_j = u_p(z) π_p(z[I_j a_j] → z) / q_p(z)`` by a reversed cumulative product along the path;
    3. ``R(I_j, ·) += W_j (e_{a_j} − σ(I_j, a_j))`` and ``S(I_j) += π_p(h_j) σ(I_j) / q(h_j)``, both
       averaged over the batch; regret matching at the infosets touched.
    """

    method_name = "mccfr-outcome"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, epsilon: float = 0.6,
                 batch: int = 1):
        # ε > 0 so that every terminal can be sampled (the estimates' importance weights stay finite)
        eps = check_probability("epsilon", epsilon, open_low=True)
        self.batch = _check_batch(batch)
        super().__init__(game, seed=seed)
        self.epsilon = eps
        self._nodes = _TreeNodes(game, self._layout)

    def _step(self) -> None:
        for p in range(self._layout.num_players):
            self._episodes(p)

    def _episodes(self, p: int) -> None:
        """Sample ``batch`` terminals (a walk over depth) and update p's infosets on the paths."""
        L, T = self._layout, self._nodes
        B, D = self.batch, T.max_depth
        node = np.zeros(B, dtype=np.int64)
        # per depth step: p's row there (-1 where the path is elsewhere), action, σ(I, a), q_p(a)
        rows = np.full((D, B), -1, dtype=np.int64)
        acts = np.zeros((D, B), dtype=np.int64)
        sig_a = np.ones((D, B))
        explore_a = np.ones((D, B))
        ratio = np.zeros((D, B))
        own_reach = np.ones(B)
        q = np.ones(B)
        u = self.rng.random((D, B))
        active = np.flatnonzero(T.player[node] != TERMINAL)
        k = 0
        while active.size:
            nodes = node[active]
            a, prob = T.sample_children(nodes, self.sigma, u[k, active], explore=(p, self.epsilon))
            mine = T.player[nodes] == p
            if mine.any():
                at = active[mine]
                r = T.row[nodes[mine]]
                sa = self.sigma[r, a[mine]]
                rows[k, at] = r
                acts[k, at] = a[mine]
                sig_a[k, at] = sa
                explore_a[k, at] = prob[mine]
                ratio[k, at] = own_reach[at] / q[at]
                own_reach[at] *= sa
            q[active] *= prob
            node[active] = T.first_child[nodes] + a
            active = active[T.player[node[active]] != TERMINAL]
            k += 1
        utility = self.game.terminal_utility[T.terminal_index[node], p]
        # W_j = u / q_p(z) · Π_{later own steps} σ: a reversed exclusive cumulative product over depth
        later = np.cumprod(sig_a[::-1], axis=0)[::-1]
        after = np.vstack([later[1:], np.ones((1, B))])
        W = (utility / np.prod(explore_a, axis=0))[None, :] * after
        hit = rows >= 0
        if not hit.any():
            return
        r, a, w = rows[hit], acts[hit], W[hit]
        regret = -(w * sig_a[hit])[:, None] * L.legal[r]
        regret[np.arange(r.size), a] += w
        np.add.at(self.cumulative_regret, r, regret / B)
        np.add.at(self.cumulative_policy, r, (ratio[hit] / B)[:, None] * self.sigma[r])
        touched = np.unique(r)
        self.sigma[touched] = regret_matching(self.cumulative_regret[touched], fallback=L.uniform[touched])
