"""Exact team optimum of Levine's hat game, and the strategies of the literature on long stacks.

- ``team-optimum``: the best joint pure strategy of `LevineHatGame` (an identical-interest game, so
  the optimum is also a Nash equilibrium), by depth-first branch and bound over the pure strategies
  of players 2..n with player 1's best response at the leaves, in integer (exact) arithmetic.
- `first_black_value`, `block_strategy_value`: the infinite-stack values of the first-black-hat and
  recursive block strategies (Buhler et al. 2021), exactly as `Fraction`s, and `simulate_block_strategy`
  (Monte Carlo on long stacks, vectorised over samples), `best_block_strategy` (the best recursive
  block strategy with blocks of k hats, by Dinkelbach's method over one player's block maps).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_int, check_size
from ..errors import InvalidParameterError, NotApplicableError, SolverError
from ..games.levine_hats import LevineHatGame, first_black_positions
from ..registry import register_method
from ..solution import Solution


class _Search:
    """State of the branch and bound; counts are integers (win counts over the 2^nh states)."""

    def __init__(self, game: LevineHatGame, max_nodes: int):
        n, m, O = game.players, game.num_stacks, game.num_observations
        self.game, self.max_nodes, self.nodes = game, max_nodes, 0
        self.bits = game.bits.astype(np.int64)
        states = np.arange(game.num_states)
        digits = np.stack(np.unravel_index(states, (m,) * n))  # (n, S): stack of each player
        self.stack = digits
        self.obs = []
        for j in range(n):
            others = [digits[k] for k in range(n) if k != j]
            self.obs.append(np.ravel_multi_index(tuple(others), (m,) * (n - 1)) if others else states * 0)
        self.g = [np.full(O, -1, dtype=np.int64) for _ in range(n)]
        self.optimistic = (digits != 0).astype(np.int64)  # q_j ≤ 1 where j's stack has a black hat
        self.q = [self.optimistic[j].copy() for j in range(n)]
        self.best_count = -1
        self.best_g: list[np.ndarray] | None = None

    def _update_q(self, j: int, o: int) -> None:
        sel = self.obs[j] == o
        k = self.g[j][o]
        self.q[j][sel] = self.bits[self.stack[j][sel], k] if k >= 0 else self.optimistic[j][sel]

    def bound(self) -> tuple[int, np.ndarray]:
        """Player 1's best-response win count against the others' (partly optimistic) q: exact at a leaf."""
        game = self.game
        R = self.q[1].copy()
        for j in range(2, game.players):
            R = R * self.q[j]
        v = self.bits.T @ R.reshape(game.num_stacks, game.num_observations)  # (h, O of player 1)
        return int(v.max(axis=0).sum()), np.argmax(v, axis=0)

    def set_incumbent(self, g: list[np.ndarray]) -> None:
        saved = [x.copy() for x in self.g]
        for j in range(1, self.game.players):
            self.g[j][:] = g[j]
            for o in range(self.game.num_observations):
                self._update_q(j, o)
        count, _ = self.bound()
        if count > self.best_count:
            self.best_count, self.best_g = count, [x.copy() for x in self.g]
        for j in range(1, self.game.players):
            self.g[j][:] = saved[j]
            for o in range(self.game.num_observations):
                self._update_q(j, o)

    def run(self) -> None:
        game = self.game
        O, h = game.num_observations, game.hats
        decisions = [(j, o) for j in range(1, game.players) for o in range(O)]

        def dfs(d: int, used: int) -> None:
            self.nodes += 1
            if self.nodes > self.max_nodes:
                raise SolverError(
                    f"team-optimum searched {self.max_nodes} nodes of {game.title} without finishing; "
                    "raise max_nodes (the search is exponential in the number of observations)")
            count, _ = self.bound()
            if count <= self.best_count:
                return
            if d == len(decisions):
                self.best_count, self.best_g = count, [x.copy() for x in self.g]
                return
            j, o = decisions[d]
            # player 2's positions may be relabelled: its choices form a restricted growth string
            top = min(h, used + 1) if j == 1 else h
            for k in range(top):
                self.g[j][o] = k
                self._update_q(j, o)
                dfs(d + 1, max(used, k + 1) if j == 1 else used)
            self.g[j][o] = -1
            self._update_q(j, o)

        dfs(0, 0)


def _coordinate_ascent(game: LevineHatGame, start: list[np.ndarray], rounds: int = 20) -> list[np.ndarray]:
    """Iterated pure best responses from ``start`` (positions per observation): a good incumbent."""
    from ..metrics.levine_hats import position_values

    pos = [p.copy() for p in start]
    for _ in range(rounds):
        changed = False
        for i in range(game.players):
            v = position_values(game, game.pure_profile(pos), i)
            cur = v[np.arange(len(pos[i])), pos[i]]
            better = v.max(axis=1) > cur + 1e-12
            if better.any():
                pos[i] = np.where(better, np.argmax(v, axis=1), pos[i])
                changed = True
        if not changed:
            break
    return pos


@register_method("team-optimum", families=("hats",), certified=True)
def team_optimum(game: LevineHatGame, *, exact: bool = False, max_nodes: int = 1_000_000) -> list[Solution]:
    """The exact team optimum V_{n,h} of Levine's hat game (Buhler et al., "On Levine's notorious hat
    puzzle", Integers 2021; the finite-stack values they tabulate).

    1. Incumbent: iterated pure best responses from "name the first black hat you see" (two players)
       or from "everyone names position 1".
    2. Depth-first search over the pure strategies of players 2..n, one observation at a time; the
       positions of player 2 are assigned as a restricted growth string (relabelling one player's
       positions maps optimal profiles to optimal profiles).
    3. At every node the bound is player 1's best-response win count when every unassigned choice of
       the others is taken to be black whenever the stack has a black hat; a node whose bound does not
       beat the incumbent is pruned. At a leaf the bound is exact: player 1's best response.
    4. Counts are integers over the 2^(nh) hat configurations, so V = count / 2^(nh) is exact.

    Exact for every size; the search is exponential, so it stops with `SolverError` after
    ``max_nodes`` nodes (h ≤ 3 with two players takes well under a second).
    """
    if not isinstance(game, LevineHatGame):
        raise NotApplicableError(f"team-optimum needs a LevineHatGame, not {type(game).__name__}")
    max_nodes = check_int("max_nodes", max_nodes, minimum=1, maximum=10**9)
    check_size(f"team-optimum on {game.title}", 8 * 8 * game.players * game.num_states)
    search = _Search(game, max_nodes)
    O = game.num_observations
    if game.players == 2:
        fb = first_black_positions(game)
        starts = [[fb, fb], [np.zeros(O, dtype=np.int64)] * 2]
    else:
        starts = [[np.zeros(O, dtype=np.int64)] * game.players]
    for s in starts:
        search.set_incumbent(_coordinate_ascent(game, s))
    search.best_count -= 1  # let the search itself reach (and record) the incumbent's value
    search.run()
    assert search.best_g is not None
    # player 1's best response to the optimum of the others
    for j in range(1, game.players):
        search.g[j][:] = search.best_g[j]
        for o in range(O):
            search._update_q(j, o)
    count, br = search.bound()
    positions = [br] + [search.best_g[j] for j in range(1, game.players)]
    profile = game.pure_profile(positions, exact=exact)
    value = Fraction(count, game.num_states)
    payoffs = game.expected_payoffs(profile, exact=exact)
    info = {"value": value if exact else float(value), "value_fraction": str(value), "nodes": search.nodes}
    return [Solution(profile, payoffs, "team-optimum", exact=exact, info=info)]


# ---------------------------------------------------------------------------------------------
# The literature's strategies on infinite stacks (two players)
# ---------------------------------------------------------------------------------------------

def _block_map(block_map: Any) -> tuple[np.ndarray, int]:
    f = np.asarray(block_map, dtype=int)
    if f.ndim != 1 or len(f) < 2:
        raise InvalidParameterError("a block map has 2^k entries (k ≥ 1)")
    k = int(len(f)).bit_length() - 1
    if len(f) != 1 << k or np.any(f < -1) or np.any(f >= k):
        raise InvalidParameterError("a block map has 2^k entries, each a position 0..k-1 or -1 (defer)")
    return f, k


def _block_terms(f: np.ndarray, g: np.ndarray, k: int) -> tuple[Fraction, Fraction, Fraction]:
    """(W, M, D) of one block: both name and win, exactly one defers (the other names a black hat:
    then the deferrer's later hat is black w.p. 1/2), both defer. a = player 1's block (seen by 2)."""
    bits = (np.arange(1 << k)[:, None] >> np.arange(k)[None, :]) & 1
    W = M = D = 0
    for a in range(1 << k):
        for b in range(1 << k):
            fa, gb = f[b], g[a]  # player 1 sees b (partner's block), player 2 sees a
            if fa >= 0 and gb >= 0:
                W += bits[a, fa] * bits[b, gb]
            elif fa >= 0:
                M += bits[a, fa]
            elif gb >= 0:
                M += bits[b, gb]
            else:
                D += 1
    z = 1 << (2 * k)
    return Fraction(int(W), z), Fraction(int(M), z), Fraction(int(D), z)


def block_strategy_value(block_map: Any, other: Any = None) -> Fraction:
    """Infinite-stack win probability of the recursive block strategy (Buhler et al. 2021, §3): each
    player reads the partner's stack k hats at a time and either names a position in the same block
    of their own stack or defers to the next block. V = W + M/2 + D V, so V = (W + M/2)/(1 − D)."""
    f, k = _block_map(block_map)
    g, k2 = _block_map(f if other is None else other)
    if k2 != k:
        raise InvalidParameterError("the two block maps must have the same block size")
    W, M, D = _block_terms(f, g, k)
    if D == 1:
        return Fraction(0)
    return (W + M / 2) / (1 - D)


def first_black_value() -> Fraction:
    """1/3: the first-black-hat strategy is the block strategy with k = 1 (name if black, else defer)."""
    return block_strategy_value([-1, 0])


def simulate_block_strategy(block_map: Any, other: Any = None, *, hats: int = 60, samples: int = 100_000,
                            seed: int | None = 0) -> tuple[float, float]:
    """Monte Carlo win rate (and its standard error) of a block strategy on ``hats``-long stacks,
    vectorised over samples: player 1 uses ``block_map``, player 2 ``other`` (default: the same);
    a player whose every block was deferred names position 1."""
    f, k = _block_map(block_map)
    g, k2 = _block_map(f if other is None else other)
    if k2 != k:
        raise InvalidParameterError("the two block maps must have the same block size")
    hats = check_int("hats", hats, minimum=k, maximum=10_000)
    samples = check_int("samples", samples, minimum=1, maximum=10**8)
    check_size("simulate_block_strategy", 2 * samples * hats + 8 * 8 * samples)
    rng = np.random.default_rng(seed)
    A = rng.random((samples, hats)) < 0.5
    B = rng.random((samples, hats)) < 0.5
    weights = 1 << np.arange(k)

    def positions(rule: np.ndarray, seen: np.ndarray) -> np.ndarray:
        pos = np.full(samples, -1)
        for start in range(0, hats - k + 1, k):
            choice = rule[seen[:, start:start + k].astype(int) @ weights]
            pos = np.where((pos < 0) & (choice >= 0), start + choice, pos)
        return np.where(pos < 0, 0, pos)

    pa, pb = positions(f, B), positions(g, A)  # each player reads the partner's stack
    rows = np.arange(samples)
    win = A[rows, pa] & B[rows, pb]
    rate = float(win.mean())
    return rate, float(np.sqrt(max(rate * (1 - rate), 1e-300) / samples))


def best_block_strategy(k: int, *, rounds: int = 30) -> tuple[Fraction, np.ndarray, np.ndarray]:
    """The best recursive block strategy with blocks of ``k`` hats: (value, f, g).

    Dinkelbach's method on V = (W + M/2)/(1 − D): for the current λ, every block map g of player 2
    is scored with player 1's best reply to the objective W + M/2 + λD − λ (all (k+1)^(2^k) maps
    at once, vectorised), the best pair gives the next λ = V(f, g); stop when λ repeats.
    """
    k = check_int("k", k, minimum=1, maximum=3)
    nb = 1 << k
    opts = k + 1  # positions 0..k-1 and "defer" (index k)
    bits = ((np.arange(nb)[:, None] >> np.arange(k)[None, :]) & 1).astype(float)
    G = np.array(np.unravel_index(np.arange(opts**nb), (opts,) * nb)).T  # (maps, a): g(a)
    lam = 0.0
    best: tuple[Fraction, np.ndarray, np.ndarray] | None = None
    named = G < k
    # pb[g, a, b]: player 2 (seeing a, following g) names a black hat of its own block b
    pb = np.zeros((len(G), nb, nb))
    for pos in range(k):
        pb += (G == pos)[:, :, None] * bits[None, None, :, pos]
    # vals[g, b, option]: player 1's value (summed over its own block a) of each option on seeing b;
    # naming pos wins when a_pos is black and player 2 names black (or defers: 1/2)
    vals = np.empty((len(G), nb, opts))
    w = np.where(named[:, :, None], pb, 0.5)
    for pos in range(k):
        vals[:, :, pos] = np.einsum("a,mab->mb", bits[:, pos], w)
    defer_named = np.einsum("mab->mb", np.where(named[:, :, None], 0.5 * pb, 0.0))
    defer_both = (~named).sum(axis=1)[:, None]  # both defer: worth λ each
    del pb, w
    for _ in range(rounds):
        vals[:, :, k] = defer_named + lam * defer_both
        score = vals.max(axis=2).sum(axis=1)
        m = int(np.argmax(score))
        f = np.argmax(vals[m], axis=1)
        f = np.where(f == k, -1, f)
        g = np.where(G[m] == k, -1, G[m])
        V = block_strategy_value(f, g)
        if best is None or V > best[0]:
            best = (V, f, g)
        if float(V) <= lam + 1e-15:
            break
        lam = float(V)
    assert best is not None
    return best


__all__ = ["best_block_strategy", "block_strategy_value", "first_black_value", "simulate_block_strategy",
           "team_optimum"]
