"""Balanced FTRL and Adaptive FTRL: learning from sampled trajectories in extensive-form games.

Fiegel, Ménard, Kozuno, Munos, Perchet & Valko, "Adapting to game trees in zero-sum imperfect
information games", ICML 2023. Each player runs follow-the-regularized-leader over its treeplex
(sequence-form strategies) with a *dilated entropy* regulariser, fed with importance-weighted,
implicit-exploration (IX) loss estimates built from the one terminal that a self-played episode
reveals (trajectory, i.e. bandit, feedback). The paper's bound: ε-optimal average profiles after
Õ(H (A_X + B_Y) / ε²) trajectories for Balanced FTRL (matching its lower bound) and
Õ(H² (A_X + B_Y) / ε²) for Adaptive FTRL, with H the game's length and A_X, B_Y the players'
numbers of information-set–action pairs.

**The balanced transition kernel.** For a player's information set x and action a let
``C(x, a) = 1 + Σ_{x' below (x, a)} C(x')`` and ``C(x) = Σ_a C(x, a)``: the number of the player's
information-set–action pairs in the subtree (its own included). The balanced policy is
``μ*(a | x) = C(x, a) / C(x)`` and the balanced transitions ``p*(x' | x, a) = C(x') / C(x, a)``
(the remaining mass ``1 / C(x, a)`` ends the player's trajectory after (x, a)); the root infosets
are entered with ``p*(x₁) = C(x₁) / A_X``. Under (μ*, p*) every one of the A_X pairs is equally
likely, 1/A_X, to be the player's last action: ``μ*_{1:h}(x, a) p*_{1:h}(x) = C(x, a) / A_X``
(`balanced_kernel`, tested). The regulariser is the dilated entropy weighted by p*, taken relative
to the balanced policy (so that FTRL's first policy, the minimiser of Ψ, is μ*, which explores every
pair alike; the authors' released code starts from μ* too):

    Ψ(μ) = Σ_x (p*_{1:h}(x) / η) Σ_a μ_{1:h}(x, a) log(μ(a | x) / μ*(a | x)),

i.e. information set x has learning rate ``η_x = η / p*_{1:h}(x)``.

**One iteration** (per player p; ``batch`` episodes, 1 = the paper's one trajectory per update):

1. every player samples its action from its current policy μ^t; chance samples its outcome; the
   episode ends in a terminal z with loss ``ℓ_p(z) = (max u_p − u_p(z)) / (max u_p − min u_p)``;
2. IX loss estimate on p's last sequence (x, a) before z: ``ℓ̃(x, a) = ℓ_p(z) / (μ_{1:h}(x, a) + γ_x)``
   (μ_{1:h} the player's own reach of (x, a), γ_x the implicit exploration); all other entries 0,
   so E[ℓ̃] is the sequence-form loss up to the IX bias;
3. cumulative loss ``L += ℓ̃``; the FTRL policy ``argmin_μ <L, μ> + Ψ(μ)`` in closed form, one
   vectorised bottom-up pass over p's information-set levels (deepest first):
   ``L̂(x, a) = L(x, a) + Σ_{x' below (x, a)} V(x')``, ``μ(· | x) ∝ μ*(· | x) exp(−η_x L̂(x, ·))``,
   ``V(x) = −η_x⁻¹ log Σ_a μ*(a | x) exp(−η_x L̂(x, a))``;
4. the output is the paper's average profile: the average of the realization plans μ^t (exact,
   accumulated every iteration), returned as a behaviour policy.

Rates (anytime; n = number of trajectories observed): ``η_x = step_size / (√(H A_X n) p*_{1:h}(x))``
and ``γ_x = implicit_exploration · η_x``, the paper's dependence on H, A_X and T with T → n, and
the same scaling as the authors' released code (which fixes the horizon T in advance; the run
loop here does not know it, hence the anytime n).

**Adaptive FTRL** replaces the balanced transitions, which need the information-set structure in
advance, by estimates of the transitions actually met, and its regulariser is the plain
(uniform-reference) dilated entropy with those weights: on every visit of x with action a,
``P̃(x) += 1 / (|A(x)| (μ_{1:h}(x, a) + γ_{x,a}))`` and ``P̃(x, a) += 1 / (μ_{1:h}(x, a) + γ_{x,a})``
(both start at 1), unbiased for the cumulative counterfactual transition Σ_s p^s_{1:h}(x) when
γ = 0. The rates are ``η_x = step_size √n / (√(H A_X) P̃(x))`` and
``γ_{x,a} = implicit_exploration · step_size √n / (√(H A_X) P̃(x, a))`` (with P̃ ≈ n p*, the
balanced rates). Our reading where the paper's text was not reachable: the increment uses the
own reach μ_{1:h}(x, a) (the released code multiplies it once more by μ(a | x)), and FTRL
recomputes the policy from the cumulative losses with the current rates (the code updates the
logits incrementally along the trajectory, mixing towards uniform when a rate changes).

Vectorised: a batch of episodes is sampled together, one array operation per depth level; the
closed form is per level; nothing walks the tree node by node. The paper updates after every
trajectory (``batch=1``, the default); ``batch > 1`` holds the policy for that many episodes and
adds all their estimates before one FTRL step (a delayed update, outside the paper's analysis; the
rates still count trajectories). H is the depth of the compiled tree (chance levels included).
The paper's guarantee is for two-player zero-sum games; the update runs for any number of players.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._checks import check_int, check_positive
from ..games.extensive_form import CHANCE, TERMINAL, ExtensiveFormGame
from ..registry import register_method
from ..run import Learner
from .cfr import TreeLayout, check_table_shapes, normalised_policy

#: index arrays rebuilt from the game: never checkpointed
_DERIVED = ("_layout", "_reference", "_log_reference", "_node_row", "_chance_row", "_loss", "_sizes",
            "_pstar", "_max_depth", "_scale", "_first_child", "_child_count", "_chance_cdf",
            "_terminal_index")
#: the largest number of episodes sampled per iteration
MAX_BATCH = 1_000_000


def _inverse_cdf(cdf: np.ndarray, u: np.ndarray, count: np.ndarray) -> np.ndarray:
    """One draw per row of ``cdf``; clipped so that rounding never picks a padded column."""
    return np.minimum((cdf < u[:, None]).sum(axis=1), count - 1)


def subtree_action_counts(layout: TreeLayout, player: int) -> np.ndarray:
    """``C`` over the flat (internal) sequence space: ``C[1 + x A + a] = C(x, a)`` for the player's
    information sets, ``C[0] = A_X``; other entries 0. One bottom-up pass over the player's levels."""
    A = layout.max_actions
    C = np.zeros(layout.num_sequences)
    for b in reversed(layout.blocks[player]):
        seg = C[1 + b.lo * A:1 + b.hi * A].reshape(-1, A)
        seg += layout.legal[b.lo:b.hi]  # the pair itself; its children were added from deeper levels
        C[b.unique_parent] += np.add.reduceat(seg.sum(axis=1), b.starts)
    return C


def balanced_kernel(game: ExtensiveFormGame, player: int) -> dict[str, np.ndarray]:
    """The balanced policy and transitions of ``player`` (Fiegel et al. 2023), in the game's order.

    Returns ``counts[I, a] = C(I, a)``, ``policy[I, a] = μ*(a | I)``, ``transition[I] = p*(I | parent)``,
    ``reach[I] = p*_{1:h}(I)`` (the product of balanced transitions down to I) for the player's
    information sets (rows of other players are 0), and ``total = A_X``.
    """
    layout = TreeLayout(game)
    return _balanced_internal(layout, player, to_game=True)


def _balanced_internal(layout: TreeLayout, player: int, to_game: bool = False) -> dict[str, Any]:
    A = layout.max_actions
    C = subtree_action_counts(layout, player)
    lo, hi = layout.spans[player]
    counts = np.zeros((layout.num_infosets, A))
    counts[lo:hi] = C[1 + lo * A:1 + hi * A].reshape(-1, A)
    row_total = counts.sum(axis=1)
    policy = layout.uniform.copy()
    policy[lo:hi] = counts[lo:hi] / row_total[lo:hi, None]
    transition = np.zeros(layout.num_infosets)
    transition[lo:hi] = row_total[lo:hi] / C[layout.parent[lo:hi]]
    # μ*_{1:h-1}(parent) p*_{1:h}(x) = C(x) / A_X telescopes, so p*_{1:h}(x) = C(x) / (A_X μ*(parent))
    plan = np.zeros(layout.num_sequences)
    plan[0] = 1.0
    layout.realization_plan(policy, plan, player)
    reach = np.zeros(layout.num_infosets)
    reach[lo:hi] = row_total[lo:hi] / (C[0] * plan[layout.parent[lo:hi]])
    out = {"counts": counts, "policy": policy, "transition": transition, "reach": reach}
    if to_game:
        out = {k: layout.to_game_order(v) for k, v in out.items()}
    out["total"] = np.asarray(C[0])
    return out


class _TrajectoryFTRL(Learner):
    """Shared state of the two methods: cumulative IX losses, the current policy, the cumulative
    realization plan (the average profile), all in the `TreeLayout`'s internal infoset order."""

    families = ("extensive_form",)
    default_output = "average"
    method_name = "trajectory FTRL"
    #: the policy the regulariser is relative to (its minimiser, the first policy played)
    reference: ClassVar[str] = "uniform"

    def __init__(
        self,
        game: ExtensiveFormGame,
        *,
        seed: int | None = None,
        step_size: float = 1.0,
        implicit_exploration: float = 1.0,
        batch: int = 1,
    ):
        step_size = check_positive("step_size", step_size, maximum=1e6)
        implicit_exploration = check_positive("implicit_exploration", implicit_exploration, allow_zero=True,
                                              maximum=1e6)
        batch = check_int("batch", batch, minimum=1, maximum=MAX_BATCH)
        if isinstance(game, ExtensiveFormGame):  # other families: TreeLayout says NotApplicable
            game.require_perfect_recall(self.method_name)
        super().__init__(game, seed=seed)
        self.step_size = step_size
        self.implicit_exploration = implicit_exploration
        self.batch = batch
        self._build()
        L = self._layout
        shape = (L.num_infosets, L.max_actions)
        self.cumulative_loss = np.zeros(shape)
        self.cumulative_plan = np.zeros(shape)
        self.sigma = self._reference.copy()  # the minimiser of the regulariser
        self.trajectories = 0

    def _build(self) -> None:
        """Index arrays derived from the game (rebuilt, never checkpointed)."""
        game = self.game
        self._layout = L = TreeLayout(game)
        N = game.num_nodes
        parent = game.node_parent
        self._child_count = np.bincount(parent[1:], minlength=N)
        self._first_child = np.full(N, -1, dtype=np.int64)
        # children of a node are consecutive in the compiled (breadth-first) order
        self._first_child[parent[1:][::-1]] = np.arange(N - 1, 0, -1)
        self._node_row = L.node_rows(game)
        chance = np.flatnonzero(game.node_player == CHANCE)
        self._chance_row = np.full(N, -1, dtype=np.int64)
        self._chance_row[chance] = np.arange(chance.size)
        kc = int(self._child_count[chance].max()) if chance.size else 1
        cols = np.arange(kc)
        valid = cols[None, :] < self._child_count[chance][:, None]
        kids = np.where(valid, self._first_child[chance][:, None] + cols, 0)
        self._chance_cdf = np.cumsum(np.where(valid, game.edge_chance_prob[kids], 0.0), axis=1)
        self._terminal_index = np.full(N, -1, dtype=np.int64)
        self._terminal_index[game.terminal_nodes] = np.arange(game.num_terminals)
        self._max_depth = int(game.node_depth.max()) + 1
        u = game.terminal_utility
        span = u.max(axis=0) - u.min(axis=0)
        self._loss = np.where(span > 0, (u.max(axis=0) - u) / np.where(span > 0, span, 1.0), 0.0).T
        # H: the longest episode; A_X: each player's number of information-set-action pairs
        H = max(int(game.node_depth.max()), 1)
        self._sizes = np.array([H * max(float(L.legal[lo:hi].sum()), 1.0) for lo, hi in L.spans])
        self._scale = np.ones(L.num_infosets)  # √(H A_X) of each row's owner
        self._pstar = np.ones(L.num_infosets)
        balanced = L.uniform.copy()
        for p in range(L.num_players):
            lo, hi = L.spans[p]
            if hi > lo:
                kernel = _balanced_internal(L, p)
                self._pstar[lo:hi] = kernel["reach"][lo:hi]
                balanced[lo:hi] = kernel["policy"][lo:hi]
                self._scale[lo:hi] = np.sqrt(self._sizes[p])
        # the policy the regulariser is relative to: μ* (Balanced FTRL) or uniform (Adaptive FTRL)
        self._reference = balanced if self.reference == "balanced" else L.uniform.copy()
        self._log_reference = np.log(np.where(L.legal > 0, self._reference, 1.0))

    # ---- checkpoints ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        for key in _DERIVED:
            state.pop(key, None)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        check_table_shapes(state, ("cumulative_loss", "cumulative_plan", "sigma"), self.cumulative_loss.shape)
        super().load_state_dict({k: v for k, v in state.items() if k not in _DERIVED})

    # ---- the learner ---------------------------------------------------------------------------
    def current_strategy(self) -> np.ndarray:
        return self._layout.to_game_order(self.sigma.copy())

    def average_strategy(self) -> np.ndarray:
        """The average realization plan (1/T) Σ_t μ^t as a behaviour policy (uniform where unreached)."""
        return normalised_policy(self._layout, self.cumulative_plan)

    def diagnostics(self) -> dict[str, float]:
        return {"trajectories": float(self.trajectories)}

    def _plans(self) -> np.ndarray:
        """Every player's realization plan of the current policy (flat internal sequences)."""
        L = self._layout
        r = np.zeros(L.num_sequences)
        r[0] = 1.0
        for p in range(L.num_players):
            L.realization_plan(self.sigma, r, p)
        return r

    def _sample(self, count: int) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """``count`` episodes under the current policy, one array step per depth: their terminal
        indices and, per depth, the (trajectory, infoset row, action) of every decision taken."""
        player = self.game.node_player
        node = np.zeros(count, dtype=np.int64)
        visits = []
        for _ in range(self._max_depth):
            who = player[node]
            if (who == TERMINAL).all():
                break
            u = self.rng.random(count)
            act = np.zeros(count, dtype=np.int64)
            ch = np.flatnonzero(who == CHANCE)
            if ch.size:
                cdf = self._chance_cdf[self._chance_row[node[ch]]]
                act[ch] = _inverse_cdf(cdf, u[ch], self._child_count[node[ch]])
            dec = np.flatnonzero(who >= 0)
            if dec.size:
                rows = self._node_row[node[dec]]
                cdf = np.cumsum(self.sigma[rows], axis=1)
                act[dec] = _inverse_cdf(cdf, u[dec], self._child_count[node[dec]])
                visits.append((dec, rows, act[dec]))
            node = np.where(who != TERMINAL, self._first_child[node] + act, node)
        return self._terminal_index[node], visits

    def _eta(self) -> np.ndarray:
        """η_x for every infoset row (internal order), for the trajectories seen so far."""
        raise NotImplementedError

    def _gamma(self) -> np.ndarray:
        """γ_{x,a} flat over (row, action), for the trajectories seen so far."""
        raise NotImplementedError

    def _observe(self, visits: list, plans: np.ndarray, gamma: np.ndarray) -> None:
        """Method-specific statistics of the sampled episodes (Adaptive FTRL's transition estimates)."""

    def _step(self) -> None:
        L = self._layout
        plans = self._plans()
        self.cumulative_plan += plans[L.parent][:, None] * self.sigma
        z, visits = self._sample(self.batch)
        gamma = self._gamma()  # the exploration of the policy that sampled the episodes
        self.trajectories += self.batch
        self._observe(visits, plans, gamma)
        flat = self.cumulative_loss.reshape(-1)
        for p in range(L.num_players):
            s = L.terminal_seq[p, z]
            own = s > 0
            s = s[own]
            if s.size:
                est = self._loss[p, z[own]] / (plans[s] + gamma[s - 1])
                flat += np.bincount(s - 1, weights=est, minlength=flat.size)
        eta = self._eta()
        for p in range(L.num_players):
            self._policy(p, eta)

    def _policy(self, p: int, eta: np.ndarray) -> None:
        """FTRL with the weighted dilated entropy, in closed form: bottom-up over p's levels."""
        L = self._layout
        A = L.max_actions
        base = np.zeros(L.num_sequences)
        base[1:] = self.cumulative_loss.reshape(-1)
        for b in reversed(L.blocks[p]):
            Lhat = base[1 + b.lo * A:1 + b.hi * A].reshape(-1, A)
            e = eta[b.lo:b.hi, None]
            logits = np.where(L.legal[b.lo:b.hi] > 0, self._log_reference[b.lo:b.hi] - e * Lhat, -np.inf)
            m = logits.max(axis=1, keepdims=True)
            w = np.exp(logits - m)
            tot = w.sum(axis=1, keepdims=True)
            self.sigma[b.lo:b.hi] = w / tot
            value = -(m + np.log(tot))[:, 0] / e[:, 0]
            base[b.unique_parent] += np.add.reduceat(value, b.starts)


@register_method("balanced-ftrl", families=("extensive_form",))
class BalancedFTRL(_TrajectoryFTRL):
    """Balanced FTRL: trajectory-feedback FTRL with the dilated entropy weighted by the balanced
    transitions. Per iteration and player (details in the module docstring):

    1. sample ``batch`` episodes with every player on its current policy μ^t;
    2. on the player's last pair (x, a) before the terminal z: ``L(x, a) += ℓ(z) / (μ_{1:h}(x, a) + γ_x)``;
    3. ``μ^{t+1} = argmin_μ <L, μ> + Σ_x η_x⁻¹ Σ_a μ_{1:h}(x, a) log(μ(a|x) / μ*(a|x))`` with
       ``η_x = step_size / (√(H A_X n) p*_{1:h}(x))``, ``γ_x = implicit_exploration · η_x``:
       ``μ(·|x) ∝ μ*(·|x) exp(−η_x L̂(x, ·))`` bottom-up, ``L̂`` adding the children's values;
    4. output: the average realization plan (1/T) Σ_t μ^t.

    Fiegel, Ménard, Kozuno, Munos, Perchet & Valko, "Adapting to game trees in zero-sum imperfect
    information games", ICML 2023.

    Options: ``step_size`` (η's constant), ``implicit_exploration`` (γ / η), ``batch`` (episodes per
    update under one policy; 1 is the paper's). Simplification: anytime rates in the number of
    trajectories n instead of the paper's fixed horizon T.
    """

    method_name = "balanced-ftrl"
    reference = "balanced"

    def _eta(self) -> np.ndarray:
        return self.step_size / (np.sqrt(max(self.trajectories, 1)) * self._scale * self._pstar)

    def _gamma(self) -> np.ndarray:
        return (self.implicit_exploration * self._eta()[:, None] * self._layout.legal).reshape(-1)


@register_method("adaptive-ftrl", families=("extensive_form",))
class AdaptiveFTRL(_TrajectoryFTRL):
    """Adaptive FTRL: the rates adapt to estimated transitions instead of the balanced ones.

    Fiegel, Ménard, Kozuno, Munos, Perchet & Valko, "Adapting to game trees in zero-sum imperfect
    information games", ICML 2023.

    The update is Balanced FTRL's (module docstring, steps 1–4) with ``η_x`` and ``γ_{x,a}`` from the
    running estimates P̃(x), P̃(x, a) of the cumulative counterfactual transitions; see the module
    docstring for where this is our reading of the paper. Options as `BalancedFTRL`.
    """

    method_name = "adaptive-ftrl"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, step_size: float = 1.0,
                 implicit_exploration: float = 1.0, batch: int = 1):
        super().__init__(game, seed=seed, step_size=step_size, implicit_exploration=implicit_exploration,
                         batch=batch)
        shape = self.cumulative_loss.shape
        self.transition_estimate = np.ones(shape[0])
        self.action_transition_estimate = np.ones(shape)

    def _eta(self) -> np.ndarray:
        c = self.step_size * np.sqrt(max(self.trajectories, 1)) / self._scale
        return c / self.transition_estimate

    def _gamma(self) -> np.ndarray:
        c = self.implicit_exploration * self.step_size * np.sqrt(max(self.trajectories, 1)) / self._scale
        return (c[:, None] / self.action_transition_estimate * self._layout.legal).reshape(-1)

    def _observe(self, visits: list, plans: np.ndarray, gamma: np.ndarray) -> None:
        L = self._layout
        A = L.max_actions
        if not visits:
            return
        rows = np.concatenate([v[1] for v in visits])
        acts = np.concatenate([v[2] for v in visits])
        inc = 1.0 / (plans[1 + rows * A + acts] + gamma[rows * A + acts])
        k = L.legal[rows].sum(axis=1)
        self.transition_estimate += np.bincount(rows, weights=inc / k, minlength=L.num_infosets)
        self.action_transition_estimate.reshape(-1)[:] += np.bincount(
            rows * A + acts, weights=inc, minlength=L.num_infosets * A
        )
