"""The CFR family with the terminal-value pass sharded across Ray workers (issue 16 item 4).

Zinkevich, Johanson, Bowling & Piccione, "Regret Minimization in Games with Incomplete
Information", NeurIPS 2007 (CFR); the workers are Ray tasks (Moritz et al., "Ray: a distributed
framework for emerging AI applications", OSDI 2018).

What is computed where, for one pass of player p (the ``engine="sequence"`` arithmetic of
`equilibria.dynamics.cfr.CFR`, step numbers as in that module):

* **Partition, once.** Every terminal history is assigned to the *deal* it lies under: the outcome
  of the run of chance nodes that starts at the first chance node on its path (in poker, every
  private card; in liar's dice, both dice; terminals with no chance node above them are units of
  their own). Deals are cut into ``num_workers`` contiguous
  groups of about equal terminal counts. Shard k (its terminals' sequence indices and
  chance-weighted utilities: ``n`` int64 + ``n`` float64 per terminal, the only arrays whose size
  grows with the number of histories) is put in Ray's object store once per run; the task that
  evaluates it each pass reads it there (zero-copy on the same node; a node of a cluster fetches
  it once and keeps it while the run references it). Tasks run in Ray's pooled worker processes,
  so a run starts no process of its own.
* **Broadcast (driver → workers).** The realization plan ``r`` over the whole sequence space
  (``1 + |infosets| · max_actions`` floats), put in Ray's object store once per pass.
* **Workers (steps 1–2).** ``w(z) = π_c(z) u_p(z) Π_{q≠p} r[seq_q(z)]`` for their terminals and
  ``base = bincount(seq_p(z), w)``; each returns only the slice of ``base`` on p's sequences
  (``|infosets of p| · max_actions`` floats).
* **Reduction (driver).** The slices are summed in worker order: one reduction per pass.
* **Driver (steps 3–4).** The bottom-up pass over p's own levels, regrets, the variant's
  cumulative-regret update, regret matching and the average policy, on infoset-sized arrays.

With alternating updates (the default, as OpenSpiel) player p+1's pass needs the policy already
updated for p, so an iteration makes one round trip per player; with ``alternating=False`` it is
one round trip per iteration (each worker returns every player's slice). Bytes per iteration are
counted in ``communication`` (broadcast + returned array bytes, Ray's framing excluded).

Equality with the single-process run: a worker's terminal weights are the single-process ones bit
for bit (same products in the same order), and each worker sums its terminals in the global
terminal order; only the association of the per-sequence sums changes (worker 0's partial sum plus
worker 1's, instead of one running sum). The result therefore equals ``engine="sequence"`` to
rounding, and is identical with or without Ray for the same ``num_workers`` (the same shards are
summed in the same order in-process). Measured: NashConv sequences of 30 CFR+ iterations on Kuhn
and Leduc poker equal the single-process ones to 1e-12 relative (tests/test_cfr_ray.py); CFR+
amplifies rounding over long runs (see `equilibria.dynamics.cfr`), so later iterates drift as the
two single-process engines do from each other.

Without ``ray`` the shards are evaluated one after another in this process (the same arithmetic;
useful to check a partition). The driver still compiles and holds the whole tree: this spreads the
per-iteration work, not the memory of compiling the game.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int
from ..errors import InvalidParameterError
from ..games.extensive_form import CHANCE, ExtensiveFormGame
from ..registry import register_method
from .cfr import CFR

#: most shards a run may ask for (each is one Ray task per pass)
MAX_WORKERS = 4096

#: attributes that hold shards, object refs and counters: rebuilt on construction, never checkpointed
_SHARD_STATE = ("_shards", "_refs", "_backend", "_prefetched", "_requested_workers", "communication")


def deal_of_terminals(game: ExtensiveFormGame) -> np.ndarray:
    """For every terminal (in ``game.terminal_nodes`` order), its deal: the node id of the first
    non-chance node below the first chance node on its path, i.e. the outcome of the whole run of
    chance nodes that starts there (in poker, every private card; in liar's dice, both dice), or the
    terminal's own node id where no chance node lies above it."""
    parent, player, depth = game.node_parent, game.node_player, game.node_depth
    N = game.num_nodes
    deal = np.full(N, -1, dtype=np.int64)
    bounds = np.r_[0, np.flatnonzero(np.diff(depth)) + 1, N]  # nodes are in breadth-first order
    for lo, hi in zip(bounds[1:-1].tolist(), bounds[2:].tolist(), strict=True):
        pr = parent[lo:hi]
        inherited = deal[pr]
        fresh = np.where((player[pr] == CHANCE) & (player[lo:hi] != CHANCE), np.arange(lo, hi), -1)
        deal[lo:hi] = np.where(inherited >= 0, inherited, fresh)
    term = np.asarray(game.terminal_nodes, dtype=np.int64)
    out = deal[term]
    return np.where(out >= 0, out, term)


def partition_terminals(game: ExtensiveFormGame, num_workers: int) -> list[np.ndarray]:
    """Terminal indices of each shard, ascending: whole deals, cut into at most ``num_workers``
    contiguous groups (in order of the deals' first terminal) of about equal terminal counts.
    Empty groups are dropped (fewer deals than workers)."""
    deal = deal_of_terminals(game)
    Z = deal.size
    if Z == 0:
        return []
    _, first, inverse, counts = np.unique(deal, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first, kind="stable")        # deals in order of their first terminal
    before = np.cumsum(counts[order]) - counts[order]  # terminals in earlier deals
    group_of_deal = np.empty(order.size, dtype=np.int64)
    group_of_deal[order] = np.minimum(before * num_workers // Z, num_workers - 1)
    group = group_of_deal[inverse.reshape(-1)]
    return [idx for k in range(num_workers) if (idx := np.flatnonzero(group == k)).size]


class TerminalShard:
    """One worker's terminals: for each player p, ``local_seq[p]`` (Z_k,) = 1 + the terminal's
    p-sequence relative to p's slice ``seq_spans[p]`` of the sequence space (0 where p never acted),
    ``terminal_seq`` (n, Z_k) the internal sequence ids (opponents' reach gathers) and
    ``chance_utility`` (n, Z_k) = ``π_c(z) u_p(z)``."""

    def __init__(self, terminal_seq: np.ndarray, chance_utility: np.ndarray,
                 seq_spans: list[tuple[int, int]]):
        self.terminal_seq = terminal_seq
        self.chance_utility = chance_utility
        self.seq_spans = seq_spans
        self.local_seq = [np.where(terminal_seq[p] >= lo, terminal_seq[p] - (lo - 1), 0)
                          for p, (lo, _) in enumerate(seq_spans)]

    def values(self, reach: np.ndarray, players: tuple[int, ...]) -> list[np.ndarray]:
        """For each p in ``players``: ``Σ_{z in shard, seq_p(z) = s} π_c(z) u_p(z) Π_{q≠p} r[seq_q(z)]``
        on p's sequences ``s`` (the slice ``seq_spans[p]``), products in `TreeLayout.opponent_weight`'s
        order and sums in the global terminal order."""
        out = []
        n = self.terminal_seq.shape[0]
        for p in players:
            w = self.chance_utility[p]
            for q in range(n):
                if q != p:
                    w = w * reach[self.terminal_seq[q]]
            lo, hi = self.seq_spans[p]
            out.append(np.bincount(self.local_seq[p], weights=w, minlength=hi - lo + 1)[1:])
        return out


def _shard_values(shard: TerminalShard, reach: np.ndarray, players: tuple[int, ...]) -> list[np.ndarray]:
    return shard.values(reach, players)


#: `_shard_values` as a Ray task (made on first use: Ray is imported only when asked for)
_REMOTE_VALUES: Any = None


class ShardedCFR(CFR):
    """The CFR family (`equilibria.dynamics.cfr.CFR`, sequence engine) whose terminal-value pass runs on
    shards of the terminal histories, grouped by deal, one Ray task per shard and pass (Zinkevich et al. 2007;
    Moritz et al. 2018 for Ray).

    Options, besides the CFR family's (``alternating``, and the variant's fixed ones):

    - ``ray``: True (or ``"local"``) for a local Ray instance, a cluster address ``HOST:PORT``, or
      None/False to evaluate the shards in this process (the same arithmetic, no Ray needed);
    - ``num_workers``: the number of shards, i.e. parallel tasks per pass (default: the cluster's
      CPUs with Ray, 1 without);
    - ``num_cpus``: CPUs of a local Ray instance started by this run (as PSRO).

    Steps per iteration, player by player (see the module docstring for what runs where):

    1. the driver puts the realization plan r in the object store;
    2. each worker computes ``bincount(seq_p(z), π_c(z) u_p(z) Π_{q≠p} r[seq_q(z)])`` over its
       terminals and returns p's slice;
    3. the driver sums the slices, runs the bottom-up counterfactual-value pass, forms the regrets
       ``cfv − v``, updates the cumulative regret as the variant does, and regret-matches.

    Simplification: predictive CFR+ is not offered (its prediction needs the per-terminal weights).
    """

    method_name = "ray-cfr"

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
        ray: Any = None,
        num_workers: int | None = None,
        num_cpus: int | None = None,
    ):
        if num_workers is not None:
            num_workers = check_int("num_workers", num_workers, minimum=1, maximum=MAX_WORKERS)
        if num_cpus is not None:
            num_cpus = check_int("num_cpus", num_cpus, minimum=1, maximum=MAX_WORKERS)
        from ..population.ray_backend import LocalBackend, make_backend

        backend = make_backend(ray, num_cpus)
        if num_cpus is not None and isinstance(backend, LocalBackend):
            raise InvalidParameterError("num_cpus sizes a local Ray instance: give it with ray=True")
        super().__init__(game, seed=seed, alternating=alternating, regret_matching_plus=regret_matching_plus,
                         alpha=alpha, beta=beta, gamma=gamma, engine="sequence")
        self._backend = backend
        self._requested_workers = num_workers
        self._shards: list[TerminalShard | None] | None = None
        self._refs: list[Any] | None = None
        self._prefetched: list[np.ndarray] | None = None
        #: bytes moved so far: ``broadcast`` (r, once per pass), ``returned`` (all workers' slices),
        #: ``passes`` (round trips); per iteration = value / iterations run by this object
        self.communication = {"broadcast": 0, "returned": 0, "passes": 0}

    # ---- shards and workers ----------------------------------------------------------------------
    def _build_shards(self, k: int) -> list[TerminalShard]:
        L = self._layout
        A = L.max_actions
        spans = [(1 + lo * A, 1 + hi * A) for lo, hi in L.spans]
        return [TerminalShard(np.ascontiguousarray(L.terminal_seq[:, idx]),
                              np.ascontiguousarray(L.chance_utility[:, idx]), spans)
                for idx in partition_terminals(self.game, k)]

    def _start(self) -> None:
        if not hasattr(self._backend, "num_workers"):  # in-process shards
            self._shards = self._build_shards(self._requested_workers or 1)
            return
        cpus = self._backend.num_workers  # starts (or joins) Ray the way the backend does: quietly
        import ray

        # each shard goes to the object store once; the driver keeps only the references
        self._refs = [ray.put(s) for s in self._build_shards(self._requested_workers or cpus)]
        self._shards = [None] * len(self._refs)

    @property
    def num_shards(self) -> int:
        """The number of shards (workers) the terminals are cut into."""
        if self._shards is None:
            self._start()
        return len(self._shards)

    def _gather(self, players: tuple[int, ...]) -> list[np.ndarray]:
        """Each player's summed terminal values on its sequences: one broadcast of r, one reply per
        worker, summed in worker order."""
        if self._shards is None:
            self._start()
        if self._refs is not None:
            import ray

            global _REMOTE_VALUES
            if _REMOTE_VALUES is None:
                _REMOTE_VALUES = ray.remote(num_cpus=1)(_shard_values)
            ref = ray.put(self.reach)
            parts = ray.get([_REMOTE_VALUES.remote(s, ref, players) for s in self._refs])
        else:
            parts = [s.values(self.reach, players) for s in self._shards]
        c = self.communication
        c["broadcast"] += self.reach.nbytes
        c["returned"] += sum(x.nbytes for part in parts for x in part)
        c["passes"] += 1
        out = []
        for j in range(len(players)):
            total = parts[0][j].copy() if parts else None
            for part in parts[1:]:
                total += part[j]
            out.append(total)
        return out

    # ---- one iteration ---------------------------------------------------------------------------
    def _step(self) -> None:
        n = self._layout.num_players
        self._prefetched = None if self.alternating else self._gather(tuple(range(n)))
        super()._step()
        self._prefetched = None

    def _instantaneous_regret(self, p: int) -> tuple[np.ndarray, None]:
        L = self._layout
        A = L.max_actions
        lo_p, hi_p = L.spans[p]
        summed = self._prefetched[p] if self._prefetched is not None else self._gather((p,))[0]
        base = np.zeros(L.num_sequences)
        if summed is not None:
            base[1 + lo_p * A:1 + hi_p * A] = summed
        # the bottom-up pass of `TreeLayout.counterfactual_values`, from the reduced terminal values
        v = np.empty(hi_p - lo_p)
        for b in reversed(L.blocks[p]):
            q = base[1 + b.lo * A:1 + b.hi * A].reshape(-1, A)
            vb = v[b.lo - lo_p:b.hi - lo_p]
            np.einsum("ij,ij->i", q, self.sigma[b.lo:b.hi], out=vb)
            base[b.unique_parent] += np.add.reduceat(vb, b.starts)
        inst = base[1 + lo_p * A:1 + hi_p * A].reshape(-1, A) - v[:, None]
        inst *= L.legal[lo_p:hi_p]
        return inst, None

    # ---- checkpoints: the counters, shards and object refs stay out -------------------------------------
    def state_dict(self) -> dict[str, Any]:
        hidden = {k: self.__dict__.pop(k) for k in _SHARD_STATE if k in self.__dict__}
        try:
            return super().state_dict()
        finally:
            self.__dict__.update(hidden)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict({k: v for k, v in state.items() if k not in _SHARD_STATE})


@register_method("ray-cfr", families=("extensive_form",))
class RayVanillaCFR(ShardedCFR):
    """CFR (uniform averaging) with the terminal-value pass sharded by deal over Ray workers.

    Zinkevich, Johanson, Bowling & Piccione, "Regret Minimization in Games with Incomplete
    Information", NeurIPS 2007; see `ShardedCFR` for the distribution and its options.
    """

    method_name = "ray-cfr"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 ray: Any = None, num_workers: int | None = None, num_cpus: int | None = None):
        super().__init__(game, seed=seed, alternating=alternating, ray=ray, num_workers=num_workers,
                         num_cpus=num_cpus)


@register_method("ray-cfr+", families=("extensive_form",))
class RayCFRPlus(ShardedCFR):
    """CFR+ (regret matching+, linear averaging) with the terminal-value pass sharded over Ray workers.

    Tammelin, Burch, Johanson & Bowling, "Solving Heads-up Limit Texas Hold'em", IJCAI 2015; see
    `ShardedCFR` for the distribution and its options.
    """

    method_name = "ray-cfr+"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 gamma: float = 1.0, ray: Any = None, num_workers: int | None = None,
                 num_cpus: int | None = None):
        super().__init__(game, seed=seed, alternating=alternating, regret_matching_plus=True, gamma=gamma,
                         ray=ray, num_workers=num_workers, num_cpus=num_cpus)


@register_method("ray-linear-cfr", families=("extensive_form",))
class RayLinearCFR(ShardedCFR):
    """Linear CFR, DCFR(1, 1, 1), with the terminal-value pass sharded over Ray workers.

    Brown & Sandholm, "Solving Imperfect-Information Games via Discounted Regret Minimization",
    AAAI 2019; see `ShardedCFR` for the distribution and its options.
    """

    method_name = "ray-linear-cfr"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 ray: Any = None, num_workers: int | None = None, num_cpus: int | None = None):
        super().__init__(game, seed=seed, alternating=alternating, alpha=1.0, beta=1.0, gamma=1.0,
                         ray=ray, num_workers=num_workers, num_cpus=num_cpus)


@register_method("ray-dcfr", families=("extensive_form",))
class RayDiscountedCFR(ShardedCFR):
    """Discounted CFR (α=1.5, β=0, γ=2) with the terminal-value pass sharded over Ray workers.

    Brown & Sandholm, "Solving Imperfect-Information Games via Discounted Regret Minimization",
    AAAI 2019; see `ShardedCFR` for the distribution and its options.
    """

    method_name = "ray-dcfr"

    def __init__(self, game: ExtensiveFormGame, *, seed: int | None = None, alternating: bool = True,
                 alpha: float = 1.5, beta: float = 0.0, gamma: float = 2.0, ray: Any = None,
                 num_workers: int | None = None, num_cpus: int | None = None):
        super().__init__(game, seed=seed, alternating=alternating, alpha=alpha, beta=beta, gamma=gamma,
                         ray=ray, num_workers=num_workers, num_cpus=num_cpus)
