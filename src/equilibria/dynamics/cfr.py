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
loops are over players and over a player's handful of levels (4 in Leduc poker).

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
player's update; discounting is applied after adding iteration t's regret. With these defaults the
NashConv sequences of ``cfr``, ``cfr+``, ``linear-cfr`` and ``dcfr`` equal OpenSpiel's iteration by
iteration (tested to 1e-9 on Kuhn and Leduc poker).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, NotApplicableError
from ..games.extensive_form import ExtensiveFormGame
from ..registry import register_method
from ..run import Learner


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
        (Hart & Mas-Colell 2000)."""
        pos = np.maximum(regret, 0.0)
        total = pos.sum(axis=1)
        none = total <= 0.0
        pos += none[:, None] * self.uniform[lo:hi]
        total += none
        np.divide(pos, total[:, None], out=out[lo:hi])

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


def _check_real(name: str, value: Any, *, minimum: float | None = 0.0) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(x) or x == math.inf or (minimum is not None and x < minimum):
        bound = f" >= {minimum}" if minimum is not None else ""
        raise InvalidParameterError(f"{name} must be a finite number{bound}, got {value!r}")
    return x


class RegretLearner(Learner):
    """State shared by the tabular regret minimizers on a compiled tree (CFR family and MCCFR):
    cumulative regrets, the cumulative (reach-weighted) policy and the current policy, all in the
    `TreeLayout`'s internal infoset order."""

    families = ("extensive_form",)
    default_output = "average"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None):
        super().__init__(game, seed=seed)
        self._layout = TreeLayout(game)
        L = self._layout
        shape = (L.num_infosets, L.max_actions)
        self.cumulative_regret = np.zeros(shape)
        self.cumulative_policy = np.zeros(shape)
        self.sigma = L.uniform.copy()

    def state_dict(self) -> dict[str, Any]:
        """Everything but the game and the index arrays derived from it."""
        state = super().state_dict()
        state.pop("_layout", None)
        return state

    def current_strategy(self) -> np.ndarray:
        return self._layout.to_game_order(self.sigma.copy())

    def average_strategy(self) -> np.ndarray:
        """The cumulative policy normalised per infoset (uniform where it is still zero)."""
        L = self._layout
        total = self.cumulative_policy.sum(axis=1)
        avg = L.uniform.copy()
        seen = total > 0
        avg[seen] = self.cumulative_policy[seen] / total[seen, None]
        return L.to_game_order(avg)


class CFR(RegretLearner):
    """Counterfactual regret minimization (Zinkevich, Johanson, Bowling & Piccione, "Regret
    Minimization in Games with Incomplete Information", NeurIPS 2007).

    Options shared by the whole family:

    - ``alternating`` (default True, as OpenSpiel): update players one after another, each pass
      seeing the policies already updated in this iteration; False gives simultaneous updates.
    - ``regret_matching_plus``: clip cumulative regrets at 0 after each update (RM+).
    - ``alpha``, ``beta``: discount positive / negative cumulative regrets by
      ``t^α/(t^α+1)`` / ``t^β/(t^β+1)`` after iteration t (None: no discount).
    - ``gamma``: the average policy weights iteration t by ``t^γ`` (0: uniform, 1: linear).
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
    ):
        super().__init__(game, seed=seed)
        if (alpha is None) != (beta is None):
            raise InvalidParameterError("alpha and beta (regret discounting) must be given together")
        self.alpha = None if alpha is None else _check_real("alpha", alpha)
        self.beta = None if beta is None else _check_real("beta", beta, minimum=None)
        if self.beta == -math.inf:
            raise InvalidParameterError(
                "beta must be finite; use regret_matching_plus=True to drop negative regret"
            )
        self.gamma = _check_real("gamma", gamma)
        self.alternating = bool(alternating)
        self.regret_matching_plus = bool(regret_matching_plus)
        self.predictive = bool(predictive)
        L = self._layout
        self.reach = np.zeros(L.num_sequences)
        self.reach[0] = 1.0
        for p in range(L.num_players):
            L.realization_plan(self.sigma, self.reach, p)

    # ---- one iteration -------------------------------------------------------------------------
    def _step(self) -> None:
        L = self._layout
        t = self.iteration + 1
        weight = float(t) ** self.gamma if self.gamma else 1.0
        # average policy: every player's own reach-weighted policy before its update this iteration
        self.cumulative_policy += (weight * self.reach[L.parent])[:, None] * self.sigma
        if self.alternating:
            for p in range(L.num_players):
                self._update_player(p, self._instantaneous_regret(p), t)
        else:
            regrets = [self._instantaneous_regret(p) for p in range(L.num_players)]
            for p in range(L.num_players):
                self._update_player(p, regrets[p], t)

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
        L = self._layout
        lo, hi = L.spans[p]
        R = self.cumulative_regret[lo:hi]
        R += inst
        if self.alpha is not None:
            pos = t ** self.alpha / (t ** self.alpha + 1.0)
            neg = t ** self.beta / (t ** self.beta + 1.0)
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
    """CFR (Zinkevich, Johanson, Bowling & Piccione, "Regret Minimization in Games with Incomplete
    Information", NeurIPS 2007), with OpenSpiel's alternating updates and uniform averaging."""

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True):
        super().__init__(game, seed=seed, alternating=alternating)


@register_method("cfr+", families=("extensive_form",))
class CFRPlus(CFR):
    """CFR+ (Tammelin, "Solving Large Imperfect Information Games Using CFR+", arXiv 2014; Tammelin,
    Burch, Johanson & Bowling, "Solving Heads-up Limit Texas Hold'em", IJCAI 2015): regret
    matching+, linear averaging (``gamma=1``) and alternating updates."""

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 gamma: float = 1.0):
        super().__init__(game, seed=seed, alternating=alternating, regret_matching_plus=True, gamma=gamma)


@register_method("linear-cfr", families=("extensive_form",))
class LinearCFR(CFR):
    """Linear CFR (Brown & Sandholm, "Solving Imperfect-Information Games via Discounted Regret
    Minimization", AAAI 2019): iteration t's regrets and policy weighted by t, i.e. DCFR(1, 1, 1)."""

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True):
        super().__init__(game, seed=seed, alternating=alternating, alpha=1.0, beta=1.0, gamma=1.0)


@register_method("dcfr", families=("extensive_form",))
class DiscountedCFR(CFR):
    """Discounted CFR (Brown & Sandholm, "Solving Imperfect-Information Games via Discounted Regret
    Minimization", AAAI 2019) with the paper's recommended α=1.5, β=0, γ=2."""

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 alpha: float = 1.5, beta: float = 0.0, gamma: float = 2.0):
        super().__init__(game, seed=seed, alternating=alternating, alpha=alpha, beta=beta, gamma=gamma)


@register_method("pcfr+", families=("extensive_form",))
class PredictiveCFRPlus(CFR):
    """Predictive CFR+ (Farina, Kroer & Sandholm, "Faster Game Solving via Predictive Blackwell
    Approachability: Connecting Regret Matching and Mirror Descent", AAAI 2021): predictive regret
    matching+ at every infoset, the next utility predicted to equal the last one (local predictions
    computed bottom-up with the new policy of the subtree), alternating updates and quadratic
    averaging (``gamma=2``)."""

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 gamma: float = 2.0):
        super().__init__(game, seed=seed, alternating=alternating, regret_matching_plus=True,
                         predictive=True, gamma=gamma)
