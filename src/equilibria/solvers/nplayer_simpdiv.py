"""``simpdiv``: simplicial subdivision on the product of the players' simplices, restarted on finer grids.

The variable-dimension restart algorithm of van der Laan, Talman & van der Heyden (1987) in the form
Gambit's ``simpdiv`` uses: a path of simplices of a triangulation of the strategy space (grid mesh d)
whose vertices carry integer labels, followed from a starting profile v until a completely labelled
simplex is found; its best vertex starts the next run on a grid of mesh d / refine.

Geometry. For player j with actions 0 … m_j − 1 the direction (j, h) is q(j, h) = e(j, h) − e(j, h − 1)
(indices mod m_j). For a set T of directions holding, for every player, a proper subset of that
player's actions, the region A(T) = {v + Σ_{g ∈ T} λ_g q(g) : λ ≥ 0} ∩ S is triangulated by the
simplices σ(a, π) with vertices y¹ = v + d Σ_g a_g q(g), y^{k+1} = y^k + d q(π_k), a ∈ ℕ^T and π an
ordering of T (Freudenthal's K1 triangulation in the λ-coordinates; its faces on λ_g = 0 are the
simplices of A(T \\ {g})).

Labels. A grid point y gets the label (j, h) where j is the player with the largest regret
max_a u_j(a, y_{-j}) − u_j(y) and h that player's best response; if y_j(h − 1) = 0 the label is moved
back to (j, k + 1), k the last action before h (cyclically) with y_j(k) > 0. The shift makes every
label (j, h) carry y_j(h − 1) > 0, so a T-complete facet never lies on the boundary of S and the path
never leaves S; it replaces the dimension-reduction on the boundary of the paper (its set U) by a
boundary condition on the labels (our own reading; see `simpdiv`).
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np

from .._checks import check_bool, check_int, check_positive
from ..errors import InvalidParameterError, SolverError
from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv
from ..registry import register_method
from ..solution import Solution
from .nplayer_common import _LETTERS, payoff_range, polish

#: grids finer than this denominator are refused (int64 grid coordinates stay exact)
MAX_DENOMINATOR = 2**52
#: a grid point whose max regret is below this (times the payoff range) is polished ...
POLISH_FROM = 1e-3
#: ... and the polished profile ends the restarts when its NashConv is below this (times the range)
POLISHED = 1e-12


class _Grid:
    """One run of the labelling path on the grid of mesh 1/D from the grid point ``v`` (integers)."""

    def __init__(self, U: np.ndarray, sizes: tuple[int, ...], D: int, v: np.ndarray, max_pivots: int):
        self.U, self.sizes, self.D, self.max_pivots = U, sizes, D, max_pivots
        self.off = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.player = np.repeat(np.arange(len(sizes)), sizes)
        self.v = v
        axes = _LETTERS[:len(sizes)]
        # u_i(a, y_{-i}): one einsum per player, e.g. "abc,b,c->a"
        self.specs = [",".join([axes] + [axes[k] for k in range(len(sizes)) if k != i]) + "->" + axes[i]
                      for i in range(len(sizes))]
        self.best: tuple[float, np.ndarray] = (np.inf, v)
        self.pivots = 0

    def q(self, g: int) -> np.ndarray:
        """The integer direction q(j, h) = e(j, h) − e(j, h − 1) for the flat index g of (j, h)."""
        j = self.player[g]
        o, m = self.off[j], self.sizes[j]
        out = np.zeros(self.off[-1], dtype=np.int64)
        out[g] += 1
        out[o + (g - o - 1) % m] -= 1
        return out

    def label(self, N: np.ndarray) -> int:
        """Flat index of the label (j, h) of the grid point N / D (see the module docstring)."""
        y = N / self.D
        sig = [y[self.off[i]:self.off[i + 1]] for i in range(len(self.sizes))]
        n = len(sig)
        reg = np.empty(n)
        br = np.empty(n, dtype=int)
        for i in range(n):
            t = np.einsum(self.specs[i], self.U[i], *[sig[k] for k in range(n) if k != i])
            br[i] = int(np.argmax(t))
            reg[i] = t[br[i]] - t @ sig[i]
        j = int(np.argmax(reg))
        if reg[j] < self.best[0]:
            self.best = (float(reg[j]), N.copy())
        o, m = self.off[j], self.sizes[j]
        Nj = N[o:o + m]
        k = (br[j] - 1) % m
        while Nj[k] == 0:
            k = (k - 1) % m
        return int(o + (k + 1) % m)

    def run(self) -> int:
        """Follow the path to a completely labelled simplex; returns the player whose actions it covers."""
        verts = [self.v.copy()]
        labs = [self.label(self.v)]
        T: set[int] = set()
        per_player = np.zeros(len(self.sizes), dtype=int)
        a: dict[int, int] = {}
        pi: list[int] = []
        r = 0  # the vertex whose label is new in the current simplex
        while True:
            g = labs[r]
            if g not in T:
                j = int(self.player[g])
                if per_player[j] + 1 == self.sizes[j]:
                    return j  # the simplex carries every action of player j: completely labelled
                # 1. a label outside T: the simplex is a facet of one in A(T ∪ {g}); step up
                T.add(g)
                per_player[j] += 1
                a[g] = 0
                pi.append(g)
                verts.append(verts[-1] + self.q(g))
                r = len(verts) - 1
                labs.append(self._new_label(verts[r]))
                continue
            # 2. a label already in T: the other vertex with that label leaves (a pivot in A(T))
            i = next(k for k, lab in enumerate(labs) if lab == g and k != r)
            r = self._pivot(i, verts, labs, pi, a, T, per_player)

    def _new_label(self, N: np.ndarray) -> int:
        self.pivots += 1
        if self.pivots > self.max_pivots:
            raise SolverError(f"simpdiv: no completely labelled simplex within max_pivots (the "
                              f"remaining {self.max_pivots}) on the grid of mesh 1/{self.D}; raise "
                              "max_pivots or start elsewhere")
        if N.min() < 0:  # the labels' boundary condition makes this impossible
            raise SolverError("simpdiv left the strategy space (a bug; please report the game)")
        return self.label(N)

    def _pivot(self, i: int, verts: list, labs: list, pi: list, a: dict, T: set,
               per_player: np.ndarray) -> int:
        """Replace vertex i of σ(a, π) by its reflection (K1 pivot); returns the new vertex's index."""
        while True:
            t = len(pi)
            if i == 0:
                g = pi.pop(0)
                a[g] += 1
                pi.append(g)
                verts.pop(0)
                labs.pop(0)
                verts.append(verts[-1] + self.q(g))
                labs.append(self._new_label(verts[-1]))
                return t
            if i < t:
                pi[i - 1], pi[i] = pi[i], pi[i - 1]
                verts[i] = verts[i - 1] + self.q(pi[i - 1])
                labs[i] = self._new_label(verts[i])
                return i
            g = pi[-1]
            if a[g] > 0:
                a[g] -= 1
                pi.pop()
                pi.insert(0, g)
                verts.pop()
                labs.pop()
                verts.insert(0, verts[0] - self.q(g))
                labs.insert(0, self._new_label(verts[0]))
                return 0
            # 3. the facet lies on λ_g = 0: step down to A(T \ {g}); the vertex labelled g leaves next
            T.discard(g)
            per_player[self.player[g]] -= 1
            del a[g]
            pi.pop()
            verts.pop()
            labs.pop()
            if not pi:
                raise SolverError("simpdiv returned to its starting point (a bug; please report the game)")
            i = next(k for k, lab in enumerate(labs) if lab == g)


def _start_point(game: NormalFormGame, start: Any) -> tuple[np.ndarray, int]:
    """The starting profile as integers over a common denominator (default: every player's first action)."""
    if start is None:
        parts = [[Fraction(1)] + [Fraction(0)] * (k - 1) for k in game.num_actions]
    else:
        try:
            parts = [[Fraction(x).limit_denominator(10**6) if isinstance(x, float) else Fraction(x)
                      for x in s] for s in start]
        except (TypeError, ValueError, ZeroDivisionError):
            raise InvalidParameterError(
                "start must be one list of rational probabilities per player") from None
        if (len(parts) != game.num_players
                or any(len(p) != k for p, k in zip(parts, game.num_actions, strict=False))
                or any(min(p) < 0 or sum(p) != 1 for p in parts)):
            raise InvalidParameterError(
                f"start must hold one probability vector per player of lengths {list(game.num_actions)}, "
                "each summing to exactly 1 (use fractions such as '1/3')")
    den = 1
    for p in parts:
        for x in p:
            den = den * x.denominator // np.gcd(den, x.denominator)
    if den > 10**6:
        raise InvalidParameterError("start: the common denominator of the probabilities exceeds 10^6")
    return np.array([int(x * den) for p in parts for x in p], dtype=np.int64), den


@register_method("simpdiv", families=("normal_form",), certified=False)
def simpdiv(game: NormalFormGame, *, start: Any = None, refine: int = 2, maxregret: float = 1e-8,
            max_pivots: int = 1_000_000, polish_result: bool = True) -> list[Solution]:
    """One approximate Nash equilibrium of an n-player game by simplicial subdivision with restarts.

    van der Laan, Talman & van der Heyden, "Simplicial variable dimension algorithms for solving the
    nonlinear complementarity problem on a product of unit simplices using a general labelling",
    Mathematics of Operations Research 1987; the restart scheme of Gambit's ``simpdiv``.

    1. Put v = ``start`` (default: every player's first action), D = the common denominator of v.
    2. D ← D · ``refine``; on the grid of mesh 1/D, start the path at the 0-simplex {v} with T = ∅.
    3. Look at the label g of the vertex that just entered the simplex:
       a. g ∉ T and T already holds all but one action of g's player: the simplex is completely
          labelled (it carries every action of that player, the player with the largest regret at
          each of those vertices); stop this grid;
       b. g ∉ T otherwise: step up into A(T ∪ {g}) (append g to π, a new vertex y^{t+1} + d q(g));
       c. g ∈ T: the other vertex labelled g leaves by a K1 pivot; if that pivot would cross the face
          λ_h = 0 of A(T), step down to A(T \\ {h}) and the vertex labelled h leaves instead.
    4. v ← the visited grid point with the smallest maximum regret. If that regret exceeds
       ``maxregret`` times the game's payoff range, go to 2.
    5. With ``polish_result``, Newton's method on the equal-payoff conditions of v's support
       (McKelvey & McLennan 1996) refines v at the end; the refinement is kept if its NashConv is
       smaller. It is also tried after each grid whose best regret is below 1e-3 of the payoff range,
       and a refinement with NashConv below 1e-12 of the range ends the restarts early (not in the
       paper: the path from a point near an equilibrium on a fine grid can be long, see below).

    Simplification: the paper (and Gambit) handle a path that reaches the boundary of the strategy
    space by fixing the probabilities that hit zero (its set U); here the labels carry the boundary
    condition instead (see the module docstring), which keeps the path inside S on every grid.
    The path on one grid, even from a point near an equilibrium, may wander far (the paper's
    convergence is in the number of restarts, not in path length); ``max_pivots`` bounds the pivots of
    all grids together, beyond which `SolverError` is raised (Gambit's ``leash`` plays that role).
    ``info`` holds each grid's mesh and best regret, and the total number of pivots.
    """
    t0 = time.perf_counter()
    refine = check_int("refine", refine, minimum=2, maximum=1024)
    maxregret = check_positive("maxregret", maxregret, maximum=1.0)
    max_pivots = check_int("max_pivots", max_pivots, minimum=1, maximum=10**9)
    polish_result = check_bool("polish_result", polish_result)
    v, D = _start_point(game, start)
    rng = payoff_range(game)
    U = game.payoffs
    sizes = tuple(game.num_actions)
    grids: list[tuple[float, float]] = []
    off = np.concatenate([[0], np.cumsum(sizes)])
    pivots = 0
    polished = False
    while True:
        if D * refine > MAX_DENOMINATOR:
            raise SolverError(f"simpdiv: the grid reached mesh 1/{D} without max regret <= "
                              f"{maxregret:g} x payoff range; raise maxregret")
        v, D = v * refine, D * refine
        grid = _Grid(U, sizes, D, v, max_pivots - pivots)
        grid.run()
        pivots += grid.pivots
        best_regret, v = grid.best
        grids.append((1.0 / D, best_regret))
        prof = [v[off[i]:off[i + 1]] / D for i in range(len(sizes))]
        if best_regret <= maxregret * rng:
            if polish_result:
                prof, polished = polish(game, prof)
            break
        if polish_result and best_regret <= POLISH_FROM * rng:
            cand, ok = polish(game, prof)
            if ok and float(nash_conv(game, cand)) <= POLISHED * rng:
                prof, polished = cand, True
                break
    info = {"grids": grids, "pivots": pivots, "polished": polished,
            "nash_conv": float(nash_conv(game, prof))}
    return [Solution(prof, game.expected_payoffs(prof), "simpdiv", iterations=len(grids),
                     seconds=time.perf_counter() - t0, info=info)]
