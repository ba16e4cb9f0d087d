"""Monte Carlo CFR: external and outcome sampling (Lanctot, Waugh, Zinkevich & Bowling,
"Monte Carlo Sampling for Regret Minimization in Extensive Games", NeurIPS 2009).

Both learners share the tabular state of `equilibria.dynamics.cfr.RegretLearner` and draw every
random number from ``self.rng``. One iteration runs one sampled traversal per player, in player
order; each traversal updates the traverser's regrets and its next policy (regret matching)
before the next player's traversal, as in OpenSpiel's implementation.

**External sampling, vectorised.** For traverser p one action is sampled at *every* chance node
and every node of the other players at once (one uniform per node, inverted through the row's
cumulative probabilities). A node is on the sampled subtree when every chance / opponent edge
above it is the sampled one, which is one top-down sweep over the tree's depth levels. The sampled
counterfactual value of a sequence is then the same bottom-up pass as CFR's with terminal weight
``1[z sampled] u_p(z)`` (chance and opponent probabilities cancel against the sampling probability
q(z) = π_{-p}(z)). This equals the recursive traversal of the paper, with one deviation: the
traverser's policy σ^t is held fixed during the traversal, as in the analysis, whereas a recursive
implementation that updates regrets in place lets later visits of the same information set see
the partially updated regrets. The average policy uses the paper's *simple averaging*: at every
sampled node of player (p+1) mod n, ``S(I) += σ(I)`` (``average="full"`` instead accumulates the
exact reach-weighted policy of every player, as CFR does).

**Outcome sampling.** One terminal z is sampled per traversal, the traverser mixing its policy with
ε-uniform exploration (ε = 0.6 by default), others and chance on-policy. The walk down the sampled
path is a loop over its depth (no work elsewhere in the tree). For each traverser infoset I_j on the
path, with sampled action a_j, the sampled regret is ``W_j (e_{a_j} − σ(I_j, a_j))`` with
``W_j = u_p(z) π_p(z[I_j a_j] → z) / q_p(z)``, q_p the traverser's sampling probability of its own
actions (the chance and opponent factors cancel). The average policy uses *stochastically weighted
averaging*: ``S(I_j) += π_p(h_j) σ(I_j) / q(h_j)`` with q(h_j) the probability of sampling h_j.
These are the updates of the paper and of OpenSpiel's ``outcome_sampling_mccfr`` (baseline 0).
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_probability
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
        self.chance_cdf = np.cumsum(probs, axis=1)
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
        # plain Python views for the outcome-sampling walk (one node per step)
        self.player_list = self.player.tolist()
        self.first_child_list = first_child.tolist()
        self.child_count_list = child_count.tolist()
        self.row_list = layout.node_rows(game).tolist()
        self.chance_cdf_of = {int(v): self.chance_cdf[k, : child_count[v]].tolist()
                              for k, v in enumerate(self.chance_nodes)}
        self.chance_prob_of = {int(v): self.chance_probs[k, : child_count[v]].tolist()
                               for k, v in enumerate(self.chance_nodes)}
        self.terminal_index = np.full(num_nodes, -1, dtype=np.int64)
        self.terminal_index[game.terminal_nodes] = np.arange(game.num_terminals)


def _sample_rows(cdf: np.ndarray, u: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Inverse-CDF sampling, one draw per row; clipped so rounding never picks a padded column."""
    return np.minimum((cdf < u[:, None]).sum(axis=1), count - 1)


@register_method("mccfr-external", families=("extensive_form",))
class ExternalSamplingMCCFR(RegretLearner):
    """External-sampling Monte Carlo CFR, vectorised over the whole tree.

    Lanctot, Waugh, Zinkevich & Bowling, "Monte Carlo Sampling for Regret Minimization in
    Extensive Games", NeurIPS 2009.

    ``average``: ``"simple"`` (the paper's, default) or ``"full"`` (exact reach-weighted average).
    """

    method_name = "mccfr-external"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, average: str = "simple"):
        average = check_choice("average", average, ("simple", "full"))
        super().__init__(game, seed=seed)
        self.average = average
        self._nodes = _TreeNodes(game, self._layout)

    def _step(self) -> None:
        L, T = self._layout, self._nodes
        n = L.num_players
        if self.average == "full":
            reach = np.zeros(L.num_sequences)
            reach[0] = 1.0
            for p in range(n):
                L.realization_plan(self.sigma, reach, p)
            self.cumulative_policy += reach[L.parent][:, None] * self.sigma
        for p in range(n):
            choice = np.full(T.num_nodes, -1, dtype=np.int64)
            u = self.rng.random(T.chance_nodes.size + T.decision_nodes.size)
            nc = T.chance_nodes.size
            choice[T.chance_nodes] = _sample_rows(T.chance_cdf, u[:nc], T.child_count[T.chance_nodes])
            others = T.player[T.decision_nodes] != p
            nodes, rows = T.decision_nodes[others], T.decision_row[others]
            cdf = np.cumsum(self.sigma[rows], axis=1)
            choice[nodes] = _sample_rows(cdf, u[nc:][others], T.child_count[nodes])
            on_path = (T.parent_player == p) | (choice[T.parent] == T.action)
            reached = np.ones(T.num_nodes, dtype=bool)
            for lo, hi in T.depth_slices:
                reached[lo:hi] = reached[T.parent[lo:hi]] & on_path[lo:hi]
            value = reached[T.terminal_nodes] * self.game.terminal_utility[:, p]
            cfv, v = L.counterfactual_values(self.sigma, p, value)
            lo, hi = L.spans[p]
            inst = (cfv - v[:, None]) * L.legal[lo:hi]
            if self.average == "simple":
                q = (p + 1) % n
                mask = reached[T.decision_nodes] & (T.player[T.decision_nodes] == q)
                visits = np.bincount(T.decision_row[mask], minlength=L.num_infosets)
                self.cumulative_policy += visits[:, None] * self.sigma
            R = self.cumulative_regret[lo:hi]
            R += inst
            L.regret_matching(R, self.sigma, lo, hi)


@register_method("mccfr-outcome", families=("extensive_form",))
class OutcomeSamplingMCCFR(RegretLearner):
    """Outcome-sampling Monte Carlo CFR with ε-exploration and stochastically weighted averaging.

    Lanctot, Waugh, Zinkevich & Bowling, "Monte Carlo Sampling for Regret Minimization in
    Extensive Games", NeurIPS 2009. ``epsilon`` is the traverser's exploration (default 0.6, as in
    OpenSpiel).
    """

    method_name = "mccfr-outcome"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, epsilon: float = 0.6):
        # ε > 0 so that every terminal can be sampled (the estimates' importance weights stay finite)
        eps = check_probability("epsilon", epsilon, open_low=True)
        super().__init__(game, seed=seed)
        self.epsilon = eps
        self._nodes = _TreeNodes(game, self._layout)
        self._max_depth = int(game.node_depth.max()) + 1

    def _step(self) -> None:
        for p in range(self._layout.num_players):
            self._episode(p)

    def _episode(self, p: int) -> None:
        """Sample one terminal (a walk over the path's depth) and update p's infosets on the path."""
        L, T = self._layout, self._nodes
        eps = self.epsilon
        u = self.rng.random(self._max_depth).tolist()
        rows: list[int] = []
        acts: list[int] = []
        sig_a: list[float] = []       # σ(I_j, a_j)
        explore_a: list[float] = []   # the traverser's sampling probability of a_j
        ratio: list[float] = []       # π_p(h_j) / q(h_j), the stochastically weighted average weight
        own = q = 1.0
        node, k = 0, 0
        player_of, first_child, row_of = T.player_list, T.first_child_list, T.row_list
        while player_of[node] != TERMINAL:
            pl = player_of[node]
            x = u[k]
            k += 1
            if pl == CHANCE:
                probs = T.chance_prob_of[node]
            else:
                row = row_of[node]
                sig = self.sigma[row, : T.child_count_list[node]].tolist()
                probs = [eps / len(sig) + (1.0 - eps) * s for s in sig] if pl == p else sig
            a, acc = len(probs) - 1, 0.0
            for j, pr in enumerate(probs):
                acc += pr
                if x < acc:
                    a = j
                    break
            if pl == p:
                rows.append(row)
                acts.append(a)
                sig_a.append(sig[a])
                explore_a.append(probs[a])
                ratio.append(own / q)
                own *= sig[a]
            q *= probs[a]
            node = first_child[node] + a
        if not rows:
            return
        utility = float(self.game.terminal_utility[T.terminal_index[node], p])
        q_own_z = 1.0
        for e in explore_a:
            q_own_z *= e
        # W_j = u π_p(z[I_j a_j] → z) / q_p(z): the product of σ over the later own actions on the path
        W = [0.0] * len(rows)
        tail = utility / q_own_z
        for j in range(len(rows) - 1, -1, -1):
            W[j] = tail
            tail *= sig_a[j]
        idx = np.asarray(rows)
        Wa = np.asarray(W)
        regret = -(Wa * np.asarray(sig_a))[:, None] * L.legal[idx]
        regret[np.arange(len(rows)), acts] += Wa
        self.cumulative_regret[idx] += regret
        self.cumulative_policy[idx] += np.asarray(ratio)[:, None] * self.sigma[idx]
        self.sigma[idx] = regret_matching(self.cumulative_regret[idx], fallback=L.uniform[idx])
