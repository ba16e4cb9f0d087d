"""Policy-Space Response Oracles (PSRO) over every game family, with the double oracle as a special case.

PSRO (Lanctot et al., "A unified game-theoretic approach to multiagent reinforcement learning",
NeurIPS 2017) keeps a population of policies per player and the *meta-game* ``M[i, k_1..k_n]``:
player i's expected payoff when each player j plays its k_j-th policy. One iteration

1. takes the current meta-strategy σ (one distribution per population) and the game profile it
   induces (`PolicySpace.meta_profile`),
2. asks an *oracle* for each player's (approximate) best response to that profile; with the
   exact oracle the players' gains sum to the profile's NashConv, which is recorded,
3. adds the new policies and fills the new meta-game entries (in parallel over Ray if asked),
4. re-solves the meta-game with the *meta-solver* (`meta_solvers`).

With the exact oracle and the ``nash`` meta-solver this is the double oracle (McMahan, Gordon &
Blum, ICML 2003), which stops, at an exact equilibrium, once no player's best response is new.
For Markov games a mixture of Markov policies is not itself a Markov policy; the meta-profile is
the occupancy-weighted Markov policy of `oracles.MarkovSpace`, exact for one-state games and for
one mixing player, an approximation otherwise, so PSRO's NashConv on a Markov game can stall above
0 (it then stops: with exact best responses and nothing new to add, later iterations would repeat).

The learner's whole state (populations, meta-game, meta-strategy, generator) lives in attributes,
so the run loop's atomic checkpoints resume a killed run on the same trajectory. Every random task
(an oracle call) draws from a generator seeded by ``(run entropy, iteration, player)``, so results
are identical with or without Ray.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .._checks import check_int, check_positive
from ..errors import InvalidParameterError
from ..games.normal_form import NormalFormGame
from ..registry import register_method
from ..run import Learner, atomic_write_bytes
from .meta_solvers import get_meta_solver, solve_meta_game
from .oracles import make_oracle, policy_space
from .ray_backend import make_backend

#: derived objects and hyper-parameters (given again when a run is resumed): not checkpointed state
_NOT_STATE = ("game", "_space", "_backend", "_cache", "meta_solver", "meta_solver_options", "oracle",
              "results", "meta_tol")


def _results_path(results: Any) -> str:
    """``results`` as a file path: a non-empty string or path-like naming something that is not a folder."""
    if not isinstance(results, (str, os.PathLike)):
        raise InvalidParameterError(f"results must be a file path (a string), got {results!r}")
    path = os.fspath(results)
    if not isinstance(path, str) or not path.strip():
        raise InvalidParameterError(f"results must be a non-empty file path, got {results!r}")
    if os.path.isdir(path):
        raise InvalidParameterError(f"results must name a file, but {path!r} is a folder")
    return path


def _oracle_task(space: Any, oracle: Any, profile: Any, player: int, seed: Any) -> Any:
    return oracle(space, profile, player, np.random.default_rng(seed))


def _payoff_task(space: Any, policies: tuple) -> np.ndarray:
    return space.payoffs(policies)


@register_method("psro", families=("normal_form", "extensive_form", "markov"))
class PSRO(Learner):
    """PSRO with a pluggable oracle and meta-solver (Lanctot et al., NeurIPS 2017).

    Options: ``meta_solver`` (``nash``, ``uniform``, ``alpha-rank``, ``prd``, ``rae`` or a callable
    ``(meta_game, rng) -> [σ_i]``), ``meta_solver_options`` (a dict), ``oracle`` (``exact``,
    ``q-learning``, ``ppo`` or a callable ``(space, profile, player, rng) -> policy``), ``ray``
    (True for a local Ray instance, or a cluster address), ``num_cpus`` (local Ray only),
    ``results`` (a JSON file rewritten atomically after every iteration) and ``meta_tol`` (the
    exact oracle's stopping threshold on the players' summed best-response gains, relative to the
    payoff scale; named apart from the run loop's ``tol``, which stops on the evaluated NashConv).

    Families: normal-form, extensive-form and Markov games. Continuous and preference games are
    refused (`NotApplicableError`): PSRO needs a finite set of policies per player to grow.
    """

    families = ("normal_form", "extensive_form", "markov")
    default_output = "last"
    checkpoint_every = 1
    variable_state = ("population", "meta_payoffs", "meta_strategy", "history")
    _double_oracle = False

    def __init__(
        self,
        game: Any,
        *,
        seed: int | None = None,
        meta_solver: Any = "nash",
        meta_solver_options: dict | None = None,
        oracle: Any = "exact",
        ray: Any = None,
        num_cpus: int | None = None,
        results: str | os.PathLike | None = None,
        meta_tol: float = 1e-10,
    ):
        super().__init__(game, seed=seed)
        meta_tol = check_positive("meta_tol", meta_tol, allow_zero=True)
        if num_cpus is not None:
            num_cpus = check_int("num_cpus", num_cpus, minimum=1)
        if meta_solver_options is not None and not isinstance(meta_solver_options, dict):
            raise InvalidParameterError(f"meta_solver_options must be a dict, got {meta_solver_options!r}")
        if self._double_oracle and not (
            isinstance(meta_solver, str) and meta_solver.strip().lower() == "nash"
            and isinstance(oracle, str) and oracle.strip().lower() == "exact"
        ):
            raise InvalidParameterError(
                "double-oracle is PSRO with the nash meta-solver and the exact oracle (McMahan, Gordon & "
                f"Blum 2003); got meta_solver={meta_solver!r}, oracle={oracle!r}: use method 'psro' for "
                "other meta-solvers or oracles"
            )
        if hasattr(game, "require_perfect_recall"):  # extensive form: the exact oracle and NashConv need it
            game.require_perfect_recall(
                f"{'double-oracle' if self._double_oracle else 'psro'} (its best responses and NashConv)")
        self._space = policy_space(game)
        self._backend = make_backend(ray, num_cpus)
        self._cache: tuple[int, Any] | None = None
        get_meta_solver(meta_solver)  # fail early on an unknown name
        self.meta_solver = meta_solver
        self.meta_solver_options = dict(meta_solver_options or {})
        self.oracle = make_oracle(oracle)
        self.results = None if results is None else _results_path(results)
        self.meta_tol = meta_tol
        self.entropy = int(self.rng.integers(2**62))
        n = game.num_players
        self.population: list[list[Any]] = [[self._space.initial_policy(i, self.rng)] for i in range(n)]
        self.meta_payoffs = self._evaluate(np.zeros((n,) + (0,) * n))
        self.meta_strategy = self._solve_meta()
        self.history: dict[str, list[float]] = {"iteration": [], "nash_conv": [], "population": []}
        self.stalled = False

    # ---- checkpointing: plain data only (arrays, numbers, lists, dicts, the generator) -------------
    def state_dict(self) -> dict[str, Any]:
        """The populations, meta-game, meta-strategy, history, counters and generator.

        The game, the oracle and meta-solver objects, the backend and caches are not state: a
        resumed learner is built with the same options and then loads this.
        """
        import copy

        return {k: copy.deepcopy(v) for k, v in vars(self).items() if k not in _NOT_STATE}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self._cache = None

    # ---- the meta-game ----------------------------------------------------------------------------
    def meta_game(self) -> NormalFormGame:
        return NormalFormGame(self.meta_payoffs)

    def _evaluate(self, old: np.ndarray) -> np.ndarray:
        """The meta-payoff tensor for the current populations, reusing the entries of ``old``."""
        space = self._space
        shape = tuple(len(p) for p in self.population)
        if hasattr(space, "payoff_tensor"):
            return np.array(space.payoff_tensor(self.population), dtype=float)
        n = len(shape)
        M = np.full((n, *shape), np.nan)
        M[(slice(None), *(slice(0, k) for k in old.shape[1:]))] = old
        todo = [tuple(e) for e in np.argwhere(np.isnan(M[0]))]
        args = [(tuple(self.population[i][k] for i, k in enumerate(e)),) for e in todo]
        for e, v in zip(todo, self._backend.map(_payoff_task, space, args), strict=True):
            M[(slice(None), *e)] = v
        return M

    def _solve_meta(self) -> list[np.ndarray]:
        return solve_meta_game(self.meta_solver, self.meta_payoffs, self.rng, self.meta_solver_options)

    # ---- the learner protocol ----------------------------------------------------------------------
    def current_strategy(self) -> Any:
        if self._cache is None or self._cache[0] != self.iteration:
            self._cache = (self.iteration, self._space.meta_profile(self.population, self.meta_strategy))
        return self._cache[1]

    def _step(self) -> None:
        space, n = self._space, self.game.num_players
        profile = self.current_strategy()
        root = np.random.SeedSequence([self.entropy, self.iteration])
        seeds = root.spawn(n)
        args = [(self.oracle, profile, i, seeds[i]) for i in range(n)]
        brs = self._backend.map(_oracle_task, space, args)
        base = np.asarray(self.game.expected_payoffs(profile), dtype=float)
        gains = np.array(
            [
                space.payoffs(space.components(space.replace(profile, i, brs[i])))[i] - base[i]
                for i in range(n)
            ]
        )
        self.history["iteration"].append(self.iteration)
        self.history["nash_conv"].append(float(np.maximum(gains, 0).sum()))
        added = False
        for i, br in enumerate(brs):
            if not any(space.same(br, p) for p in self.population[i]):
                self.population[i].append(br)
                added = True
        self.history["population"].append(float(np.mean([len(p) for p in self.population])))
        scale = max(1.0, float(getattr(self.game, "payoff_scale", 1.0)))
        self.stalled = bool(getattr(self.oracle, "exact", False)) and (
            not added or float(np.maximum(gains, 0).sum()) <= self.meta_tol * scale
        )
        if added:
            self.meta_payoffs = self._evaluate(self.meta_payoffs)
            self.meta_strategy = self._solve_meta()
        self._cache = None
        if self.results is not None:
            self._write_results()

    def converged(self) -> bool:
        """Exact oracle: no player has a new best response (or the gains are below ``meta_tol``)."""
        return self.stalled

    def diagnostics(self) -> dict[str, float]:
        from ..metrics import nash_conv

        return {
            "population": float(np.mean([len(p) for p in self.population])),
            "meta_nash_conv": float(nash_conv(self.meta_game(), self.meta_strategy)),
        }

    def _write_results(self) -> None:
        data = {
            "iteration": self.iteration + 1,
            "population_sizes": [len(p) for p in self.population],
            "meta_strategy": [s.tolist() for s in self.meta_strategy],
            "meta_payoffs": self.meta_payoffs.tolist(),
            "nash_conv_before_step": self.history["nash_conv"],
        }
        atomic_write_bytes(self.results, json.dumps(data).encode())


@register_method(
    "double-oracle",
    families=("normal_form", "extensive_form", "markov"),
    description="Double oracle (McMahan, Gordon & Blum 2003): PSRO with a Nash meta-solver "
    "and exact best responses",
)
class DoubleOracle(PSRO):
    """The double oracle (McMahan, Gordon & Blum, "Planning in the presence of cost functions
    controlled by an adversary", ICML 2003): PSRO with the ``nash`` meta-solver and the ``exact``
    oracle. Any other meta-solver or oracle raises `InvalidParameterError` (it would no longer be
    the double oracle, nor stop at an equilibrium); use ``psro`` for those.
    """

    _double_oracle = True
