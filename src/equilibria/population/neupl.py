"""Neural population learning: one conditional policy represents a whole population (NeuPL, Simplex-NeuPL).

NeuPL (Liu, Marris, Ostrovski, Heess & Graepel, "NeuPL: Neural Population Learning", ICLR 2022)
keeps a fixed number N of policy *slots* per player, all represented by one conditional policy
π(· | σ): slot k is the policy conditioned on row σ_k of an *interaction graph* Σ, the opponent
mixture that slot k is trained to answer. A *meta-graph solver* maps the slots' empirical payoffs
to Σ; with the PSRO-N graph used here, row k is the meta-solver's solution of the meta-game
restricted to slots 0..k−1 (any PSRO meta-solver of `meta_solvers`), so that with exact best
responses slot k after iteration k−1 is PSRO's k-th policy (the paper's remark that NeuPL recovers
PSRO with this graph), while every slot keeps being trained concurrently.

Simplex-NeuPL (Liu, Marris, Heess & Graepel, "Simplex Neural Population Learning: Any-Mixture
Bayes-Optimality in Symmetric Zero-sum Games", ICML 2022) also trains the conditional policy on
mixtures σ sampled from the whole simplex Δ^{N−1} over the opponent's slots, so that π(· | σ) is a
best response (Bayes-optimal, the mixture being the prior over the opponent's identity) to *any*
mixture, not only the graph's rows.

Representation (a simplification of the papers' conditional network, stated in each docstring):
tabular. NeuPL's conditional policy is a table with one entry per graph row. Simplex-NeuPL's is a
table of (mixture σ, response) pairs, the graph rows and every sampled mixture whose response
improved on the table; π(· | σ) for an arbitrary σ is the stored response with the highest
expected payoff under the prior σ. That payoff is linear in σ (Σ_j σ_j u(c, slot_j)), so the lookup
is itself a Bayes decision and is exactly optimal on every region of the simplex whose best
response the table holds; it plays the role of the network's generalisation between mixtures.

Families: normal-form and extensive-form games (a mixture of behaviour policies is the
realization-equivalent behaviour policy, `games.extensive_form.mix_policies`; Kuhn 1953).
The papers treat symmetric zero-sum games with one population; here every player has its own
slots, so non-symmetric and general-sum games run unchanged (Simplex-NeuPL: two players).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._checks import check_int, check_positive, check_size
from ..errors import InvalidParameterError, NotApplicableError
from ..registry import register_method
from ..run import Learner
from .meta_solvers import get_meta_solver, solve_meta_game
from .oracles import make_oracle, policy_space

#: hyper-parameters and derived objects: not checkpointed state
_NOT_STATE = ("game", "_space", "meta_solver", "meta_solver_options", "oracle")


class NeuPL(Learner):
    """NeuPL with the PSRO-N interaction graph and a tabular conditional policy (Liu et al., ICLR 2022).

    Liu, Marris, Ostrovski, Heess & Graepel, "NeuPL: Neural Population Learning", ICLR 2022.

    State: per player i, N = ``population_size`` slots Π_i[0..N−1] (slot k is the conditional
    policy π_i(· | σ_k)); slot 0 is PSRO's initial policy and stays fixed. One iteration:

    1. U ← the empirical meta-game of the slots, ``U[i, k_1..k_n]`` = player i's payoff when each
       player j plays its slot k_j (only entries whose slots changed are re-evaluated);
    2. the meta-graph solver F: for k = 1..N−1, σ_k ← ``meta_solver`` (PSRO's: ``nash``,
       ``uniform``, ``alpha-rank``, ``prd``, ...) on U restricted to slots 0..k−1 (the PSRO-N graph);
    3. for every player i and slot k ≥ 1 (all slots at once, as the shared network is trained on all
       graph rows at once): b ← ``oracle``'s best response of player i to the profile in which each
       opponent j mixes its slots by σ_k[j]; Π_i[k] ← (1 − η) Π_i[k] + η b, η = ``step_size``
       (a realization-equivalent mixture in extensive form);
    4. the output profile: each player mixes its N slots by ``meta_solver`` on the whole U.

    With η = 1 and the exact oracle, slots 0..t after t iterations are PSRO's population after t
    iterations (same seed, same meta-solver). Simplification: the paper trains a neural network
    conditioned on σ by RL with partial updates; here the conditional policy is a table with one
    entry per graph row and a partial update is the mixture step η (η = 1: an exact best response).
    ``diagnostics`` reports ``oracle_calls`` (best responses computed so far), the compute measure
    for comparisons with PSRO.
    """

    families: ClassVar[tuple[str, ...]] = ("normal_form", "extensive_form")
    default_output: ClassVar[str] = "last"
    variable_state: ClassVar[tuple[str, ...]] = ("meta_strategy",)

    def __init__(
        self,
        game: Any,
        *,
        seed: int | None = None,
        population_size: int = 8,
        meta_solver: Any = "nash",
        meta_solver_options: dict | None = None,
        oracle: Any = "exact",
        step_size: float = 1.0,
    ):
        family = getattr(game, "family", "")
        if family not in self.families:
            raise NotApplicableError(
                f"{type(self).__name__.lower()} supports normal-form and extensive-form games, not "
                f"{(family or type(game).__name__).replace('_', '-')} games")
        super().__init__(game, seed=seed)
        if hasattr(game, "require_perfect_recall"):
            game.require_perfect_recall("neupl (its best responses and NashConv)")
        self.population_size = check_int("population_size", population_size, minimum=2, maximum=256)
        self.step_size = check_positive("step_size", step_size, maximum=1.0)
        if meta_solver_options is not None and not isinstance(meta_solver_options, dict):
            raise InvalidParameterError(f"meta_solver_options must be a dict, got {meta_solver_options!r}")
        get_meta_solver(meta_solver)  # fail early on an unknown name
        self.meta_solver = meta_solver
        self.meta_solver_options = dict(meta_solver_options or {})
        self.oracle = make_oracle(oracle)
        self._space = policy_space(game)
        n, N = game.num_players, self.population_size
        per_slot = 8.0 * (game.num_infosets * game.max_actions if family == "extensive_form"
                          else max(game.num_actions))
        check_size("the NeuPL slots and meta-game", n * N * per_slot + 8.0 * n * float(N) ** n)
        # slot 0 is PSRO's initial policy (same draws from the generator), copied into every slot;
        # oracle calls draw from generators seeded by (entropy, iteration, call), as PSRO's do
        self.entropy = int(self.rng.integers(2**62))
        first = [self._as_policy(i, self._space.initial_policy(i, self.rng)) for i in range(n)]
        self.slots = [np.repeat(p[None], N, axis=0) for p in first]
        self.meta_payoffs = np.full((n,) + (N,) * n, np.nan)
        self.evaluated = [np.zeros((N,) + p.shape) for p in first]  # the slots the entries were built on
        self.oracle_calls = 0
        self._refresh_meta_game()
        self.meta_strategy = self._solve(self.meta_payoffs)

    # ---- policies -----------------------------------------------------------------------------------
    def _as_policy(self, player: int, policy: Any) -> np.ndarray:
        """A policy as an array: a probability vector (normal form) or a behaviour array (extensive form)."""
        if self.game.family == "normal_form":
            if np.ndim(policy) == 0:
                v = np.zeros(self.game.num_actions[player])
                v[int(policy)] = 1.0
                return v
            return np.asarray(policy, dtype=float)
        return np.asarray(policy, dtype=float)

    def _mix(self, player: int, policies: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The policy that plays ``policies[k]`` with probability ``weights[k]``."""
        w = np.asarray(weights, dtype=float)
        if self.game.family == "normal_form":
            return w @ policies
        keep = w > 0
        return self._space.mixture(player, list(policies[keep]), w[keep] / w[keep].sum(), None)

    def _payoffs(self, policies: list[np.ndarray]) -> np.ndarray:
        return np.asarray(self.game.expected_payoffs(self._space.joint_profile(policies)), dtype=float)

    # ---- the empirical meta-game --------------------------------------------------------------------
    def _refresh_meta_game(self) -> None:
        """Step 1: U over the current slots, re-evaluating only entries that involve a changed slot."""
        n = self.game.num_players
        if self.game.family == "normal_form" and n == 2:
            P = self.game.payoffs
            S0, S1 = self.slots
            self.meta_payoffs = np.stack([S0 @ P[i] @ S1.T for i in range(2)])
        else:
            changed = [
                np.array([not np.array_equal(a, b) for a, b in zip(s, e, strict=True)])
                for s, e in zip(self.slots, self.evaluated, strict=True)
            ]
            stale = np.isnan(self.meta_payoffs[0])
            for i in range(n):
                shape = [1] * n
                shape[i] = -1
                stale = stale | changed[i].reshape(shape)
            for e in np.argwhere(stale):
                self.meta_payoffs[(slice(None), *e)] = self._payoffs(
                    [self.slots[i][k] for i, k in enumerate(e)])
        self.evaluated = [s.copy() for s in self.slots]

    def _solve(self, payoffs: np.ndarray) -> list[np.ndarray]:
        """A PSRO meta-solver on a (sub-)meta-game: one distribution per player."""
        return solve_meta_game(self.meta_solver, payoffs, self.rng, self.meta_solver_options)

    def interaction_graph(self) -> np.ndarray:
        """Step 2, Σ[k, j] = σ_k[j]: row k (k ≥ 1) is the meta-solution of slots 0..k−1, zero-padded
        to N (shape ``(N, n, N)``; row 0 is zero: slot 0 answers nobody)."""
        n, N = self.game.num_players, self.population_size
        graph = np.zeros((N, n, N))
        for k in range(1, N):
            sub = self.meta_payoffs[(slice(None),) + (slice(0, k),) * n]
            for j, s in enumerate(self._solve(sub)):
                graph[k, j, :k] = s
        return graph

    def _respond(self, player: int, mixture: np.ndarray) -> np.ndarray:
        """The oracle's best response of ``player`` to the opponents mixing their slots by ``mixture``
        (shape ``(n, N)``; the player's own row is unused)."""
        n = self.game.num_players
        parts = [self._mix(j, self.slots[j], mixture[j]) if j != player else self.slots[j][0]
                 for j in range(n)]
        profile = self._space.joint_profile(parts)
        rng = np.random.default_rng(np.random.SeedSequence([self.entropy, self.iteration, self.oracle_calls]))
        self.oracle_calls += 1
        br = self.oracle(self._space, profile, player, rng)
        return self._as_policy(player, br)

    def _update_slot(self, player: int, k: int, target: np.ndarray) -> None:
        eta = self.step_size
        if eta >= 1.0:
            self.slots[player][k] = target
        else:
            pair = np.stack([self.slots[player][k], target])
            self.slots[player][k] = self._mix(player, pair, np.array([1.0 - eta, eta]))

    # ---- the learner protocol ----------------------------------------------------------------------
    def _step(self) -> None:
        graph = self.interaction_graph()
        targets = [[self._respond(i, graph[k]) for k in range(1, self.population_size)]
                   for i in range(self.game.num_players)]
        for i, row in enumerate(targets):
            for k, b in enumerate(row, start=1):
                self._update_slot(i, k, b)
        self._after_slots_update()
        self._refresh_meta_game()
        self.meta_strategy = self._solve(self.meta_payoffs)

    def _after_slots_update(self) -> None:
        """Hook for Simplex-NeuPL's training on sampled mixtures."""

    def current_strategy(self) -> Any:
        pairs = zip(self.slots, self.meta_strategy, strict=True)
        return self._space.joint_profile([self._mix(i, s, w) for i, (s, w) in enumerate(pairs)])

    def diagnostics(self) -> dict[str, float]:
        return {"oracle_calls": float(self.oracle_calls)}

    def state_dict(self) -> dict[str, Any]:
        import copy

        return {k: copy.deepcopy(v) for k, v in vars(self).items() if k not in _NOT_STATE}


register_method("neupl", families=("normal_form", "extensive_form"))(NeuPL)


@register_method("simplex-neupl", families=("normal_form", "extensive_form"))
class SimplexNeuPL(NeuPL):
    """Simplex-NeuPL: NeuPL plus best responses to mixtures sampled from the simplex (Liu et al., ICML 2022).

    Liu, Marris, Heess & Graepel, "Simplex Neural Population Learning: Any-Mixture Bayes-Optimality
    in Symmetric Zero-sum Games", ICML 2022. Two-player games.

    NeuPL's steps 1–4 (see `NeuPL`), and between steps 3 and 4:

    3b. for each player i, draw ``samples`` mixtures σ ~ Dirichlet(``concentration`` · 1_N) over the
        opponent's N slots; b ← the oracle's best response to the opponent mixing its slots by σ;
        when b's expected payoff against σ beats the conditional policy's, π_i(· | σ) ← b, i.e. the
        pair (σ, b) enters player i's table (at most ``table_size`` entries, the oldest sampled
        entry leaving first);
    3c. the conditional policy on the simplex: π_i(· | σ) = arg max over the table's responses c of
        Σ_j σ_j u_i(c, slot_j) (graph rows: the slots themselves), re-evaluated as the slots change.

    Any-mixture optimality (the paper's property): for any σ, ``mixture_gaps`` measures
    max_π u_i(π, σ) − u_i(π_i(· | σ), σ) ≥ 0 (0: a best response), the exploitability of the
    conditioned policy against that mixture. Simplification: the paper's conditional network and
    its sampling distribution over the simplex are replaced by the table with the Bayes lookup of
    3c and a symmetric Dirichlet (our own reading of "mixtures sampled from the simplex").
    """

    variable_state: ClassVar[tuple[str, ...]] = ("meta_strategy", "table_keys", "table_policies",
                                                 "table_values")

    def __init__(
        self,
        game: Any,
        *,
        seed: int | None = None,
        population_size: int = 8,
        meta_solver: Any = "nash",
        meta_solver_options: dict | None = None,
        oracle: Any = "exact",
        step_size: float = 1.0,
        samples: int = 4,
        concentration: float = 1.0,
        table_size: int = 64,
    ):
        if getattr(game, "num_players", 2) != 2:
            raise NotApplicableError(
                f"simplex-neupl conditions each player on a mixture of its one opponent's slots: it "
                f"needs a two-player game, got {game.num_players} players")
        self.samples = check_int("samples", samples, minimum=0, maximum=10_000)
        self.concentration = check_positive("concentration", concentration, maximum=1e6)
        self.table_size = check_int("table_size", table_size, minimum=1, maximum=100_000)
        super().__init__(game, seed=seed, population_size=population_size, meta_solver=meta_solver,
                         meta_solver_options=meta_solver_options, oracle=oracle, step_size=step_size)
        N = self.population_size
        self.table_keys = [np.zeros((0, N)) for _ in range(2)]
        self.table_policies = [np.zeros((0,) + s.shape[1:]) for s in self.slots]
        self.table_values = [np.zeros((0, N)) for _ in range(2)]

    # ---- values of responses against the opponent's slots -------------------------------------------
    def _values_against_slots(self, player: int, policies: np.ndarray) -> np.ndarray:
        """``V[c, j]`` = player's payoff with ``policies[c]`` against the opponent's slot j."""
        opp = 1 - player
        if self.game.family == "normal_form":
            P = self.game.payoffs[player]
            return policies @ P @ self.slots[opp].T if player == 0 else (self.slots[opp] @ P @ policies.T).T
        V = np.zeros((len(policies), self.population_size))
        for c, pol in enumerate(policies):
            for j, other in enumerate(self.slots[opp]):
                pair = [pol, other] if player == 0 else [other, pol]
                V[c, j] = self._payoffs(pair)[player]
        return V

    def _slot_values(self, player: int) -> np.ndarray:
        """Slot k's payoff against each opponent slot, read off the meta-game."""
        U = self.meta_payoffs[player]
        return U if player == 0 else U.T

    def conditional_policy(self, player: int, mixture: Any) -> np.ndarray:
        """π_player(· | σ): the table's response with the highest expected payoff under the prior σ
        (step 3c); the slots (graph rows) are part of the table."""
        sigma = self._check_mixture(mixture)
        values = np.concatenate([self._slot_values(player)[1:], self.table_values[player]])
        policies = np.concatenate([self.slots[player][1:], self.table_policies[player]])
        return policies[int(np.argmax(values @ sigma))]

    def mixture_gaps(self, player: int, mixtures: Any) -> np.ndarray:
        """For each mixture σ (rows of ``mixtures``, over the opponent's slots): the best-response
        value against σ minus the conditioned policy's value against σ (≥ 0; 0 = any-mixture optimal)."""
        from ..metrics import best_response_values

        player = check_int("player", player, minimum=0, maximum=1)
        sig = np.atleast_2d(np.asarray(mixtures, dtype=float))
        values = np.concatenate([self._slot_values(player)[1:], self.table_values[player]])
        out = np.empty(len(sig))
        opp = 1 - player
        for r, s in enumerate(sig):
            s = self._check_mixture(s)
            parts = [self.slots[player][0], self._mix(opp, self.slots[opp], s)]
            if player == 1:
                parts = parts[::-1]
            profile = self._space.joint_profile(parts)
            best = float(np.asarray(best_response_values(self.game, profile))[player])
            out[r] = max(best - float(np.max(values @ s)), 0.0)
        return out

    def _check_mixture(self, mixture: Any) -> np.ndarray:
        s = np.asarray(mixture, dtype=float).reshape(-1)
        N = self.population_size
        if s.shape != (N,) or not np.all(np.isfinite(s)) or np.any(s < 0) or abs(s.sum() - 1.0) > 1e-9:
            raise InvalidParameterError(
                f"a conditioning mixture must be a probability vector over the opponent's {N} slots")
        return s

    # ---- step 3b ------------------------------------------------------------------------------------
    def _after_slots_update(self) -> None:
        N = self.population_size
        for i in range(2):
            if len(self.table_policies[i]):
                self.table_values[i] = self._values_against_slots(i, self.table_policies[i])
        self._refresh_meta_game()
        for i in range(2):
            opp = 1 - i
            sigmas = self.rng.dirichlet(np.full(N, self.concentration), size=self.samples)
            for s in sigmas:
                mixture = np.zeros((2, N))
                mixture[opp] = s
                b = self._respond(i, mixture)
                vb = self._values_against_slots(i, b[None])
                values = np.concatenate([self._slot_values(i)[1:], self.table_values[i]])
                if float(vb[0] @ s) > float(np.max(values @ s)) + 1e-12 * max(1.0, self._scale()):
                    keys = np.concatenate([self.table_keys[i], s[None]])
                    pols = np.concatenate([self.table_policies[i], b[None]])
                    vals = np.concatenate([self.table_values[i], vb])
                    self.table_keys[i], self.table_policies[i], self.table_values[i] = (
                        keys[-self.table_size:], pols[-self.table_size:], vals[-self.table_size:])

    def _scale(self) -> float:
        return float(getattr(self.game, "payoff_scale", 1.0))

    def diagnostics(self) -> dict[str, float]:
        out = super().diagnostics()
        out["table_size"] = float(np.mean([len(k) for k in self.table_keys]))
        return out
