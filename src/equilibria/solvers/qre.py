"""Logit quantal response equilibria and the logit path to a Nash equilibrium of an n-player game.

A logit quantal response equilibrium at precision λ ≥ 0 (McKelvey & Palfrey, "Quantal response
equilibria for normal form games", Games Econ. Behav. 1995) is a profile σ with

    σ_i(a) ∝ exp(λ · u_i(a, σ_{-i}))     for every player i and action a.

At λ = 0 it is the uniform profile; as λ → ∞ the principal branch of the correspondence converges,
for generic games, to a Nash equilibrium (the "logit solution"). Following that branch is a
homotopy method (Turocy, "A dynamic homotopy interpretation of the logistic quantal response
equilibrium correspondence", Games Econ. Behav. 2005). In log-probabilities z = log σ the branch
is the zero set of

    H_i0 = Σ_a exp(z_i(a)) − 1,
    H_ia = z_i(a) − z_i(0) − λ (d_i(a) − d_i(0)),   a ≥ 1,   d_i(a) = u_i(a, σ_{-i}),

a curve in (z, λ) traced by predictor-corrector continuation (Allgower & Georg, *Introduction to
Numerical Continuation Methods*, SIAM 2003): an Euler step along the tangent and Newton
corrections on the hyperplane orthogonal to it (the augmented square system ``[J; tᵀ]``, whose
one LU factorisation per iterate also gives the next tangent). Log-probabilities keep the actions
that vanish in the limit well scaled (their z falls linearly in λ).

Step control (`_Tracer`): a step is accepted when the first correction is at most 0.05 × the
step (curvature · h / 2 ≤ 0.05), the corrector contracts by 0.3 per iteration to an estimated
1e-9, successive tangents have cosine ≥ 0.995, and the orientation ``sign det [J; tᵀ]`` is
unchanged (A&G §2.1: a flip means the corrector landed on another stretch of the branch, across a
fold; one that persists at steps below `_H_FLIP` is a bifurcation point crossed, A&G §8.1); the
step then grows by 1.5, else it is halved. Gambit's ``logit_solve`` (Turocy 2005; gambit
``src/solvers/logit/path.cc``) uses a chord corrector to 1e-4 with the steps growing by at most
1.1 and runs until the path point's regret is below 1e-8 (λ ≈ 1e6-1e7 for a mixed limit, about 180
steps on random 3- and 4-player games); this path stops at a far smaller λ (about 1e2-1e3, 25-100
steps) because the support refinement below certifies the limit exactly.

The Jacobian is analytic: ``∂d_i(a)/∂σ_j(b) = u_i(a, b, σ_{-ij})``, the payoff tensor contracted
against every player but i and j. All those pair payoffs form one K × K matrix ``P(σ)``
(`_PairPayoffs`), the product of a precomputed matrix with the stacked outer products of the other
players' σ, so an evaluation of H and its Jacobian is a fixed number of NumPy calls whatever the
number of players (`_LogitSystem`), and the deviation payoffs are ``P σ / (n − 1)``.

Certification: along the way the path's profile is refined by Newton's method on the Nash
conditions of its apparent support (equal payoffs on the support, probabilities summing to one;
the support-enumeration equations of e.g. McKelvey & McLennan, "Computation of equilibria in
finite games", Handbook of Comp. Econ. 1996). A refined profile is returned only when its NashConv,
measured by the metrics core, is at most ``tol``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_bool, check_int, check_positive, check_real
from ..errors import InvalidParameterError, SolverError
from ..games.normal_form import NormalFormGame
from ..metrics import nash_conv
from ..registry import register_method
from ..solution import Solution

# ---- the pair-payoff operator on normalised payoffs --------------------------------------------


#: above this many entries the stacked pair matrix is kept sparse (CSR) rather than dense
_DENSE_LIMIT = 200_000


class _PairPayoffs:
    """``P(σ)``: the K × K matrix of pair payoffs ``P[(i,a),(j,b)] = u_i(a, b, σ_{-ij})`` for
    i ≠ j (zero on the diagonal blocks), from one matrix-vector product per evaluation.

    Precomputed once per payoff tensor:

    1. For each unordered pair {j, k} the other players R = (r_1, …, r_{n−2}) (in player order)
       and the length ``Π_{r∈R} A_r`` of their outer product; the products of all pairs are
       stacked into one weight vector ``w``, whose entries are gathered from the concatenated σ
       by n − 2 index arrays (``w = Π_m σ[idx_m]``).
    2. A matrix ``G`` (K² rows, one per entry of ``P``) holding, in the row of
       ``P[(i,a),(j,b)]`` and the columns of the pair {i, j}, player i's payoffs
       ``u_i(a, b, ·)`` over the others' actions: ``vec P = G w``. The matrix ``Gd`` does the
       same for the rows ``P[(i,a),·] − P[(i,0),·]``, a ≥ 1, that the logit Jacobian uses.

    ``G`` is dense while small and CSR otherwise; it is block-diagonal over the pairs, so the
    dense form costs n(n−1)/2 times the multiplications of the sparse one. With two players
    ``w = (1)`` and ``P`` is constant.
    """

    def __init__(self, U: np.ndarray, sizes: tuple[int, ...]):
        self.U = U
        n = self.n = len(sizes)
        self.sizes = sizes
        off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        K = self.K = int(off[-1])
        self.offsets = off
        # the rows (i, a ≥ 1) and, for each, the row (i, 0) of the same player
        self.rows_a = np.concatenate([np.arange(off[i] + 1, off[i + 1]) for i in range(n)]).astype(np.intp)
        self.rows_0 = np.concatenate([np.full(k - 1, off[i]) for i, k in enumerate(sizes)]).astype(np.intp)
        self.player_of = np.repeat(np.arange(n), sizes)
        pairs = [(j, k) for j in range(n) for k in range(j + 1, n)]
        rests = [[r for r in range(n) if r not in pr] for pr in pairs]
        lens = [int(np.prod([sizes[r] for r in rest])) for rest in rests]
        col0 = np.concatenate([[0], np.cumsum(lens)]).astype(np.intp)
        self.wlen = int(col0[-1]) if n > 1 else 0
        idx = np.zeros((max(n - 2, 0), self.wlen), dtype=np.intp)
        for p, rest in enumerate(rests):
            if rest:
                grid = np.unravel_index(np.arange(lens[p]), [sizes[r] for r in rest])
                for m, r in enumerate(rest):
                    idx[m, col0[p]:col0[p + 1]] = off[r] + grid[m]
        self.idx = idx
        # the COO entries of G: P's row-major position, the w column, the payoff
        rows, cols, vals = [], [], []
        pair_no = {pr: p for p, pr in enumerate(pairs)}
        ar = np.arange
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                p = pair_no[min(i, j), max(i, j)]
                m = np.moveaxis(U[i], (i, j), (0, 1)).reshape(sizes[i], sizes[j], lens[p])
                pos = (off[i] + ar(sizes[i]))[:, None, None] * K + (off[j] + ar(sizes[j]))[None, :, None]
                rows.append(np.broadcast_to(pos, m.shape).ravel())
                cols.append(np.broadcast_to(col0[p] + ar(lens[p]), m.shape).ravel())
                vals.append(m.ravel())
        if n > 1:
            rows_c, cols_c, vals_c = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        else:
            rows_c = cols_c = np.zeros(0, dtype=np.intp)
            vals_c = np.zeros(0)
        nd = self.rows_a.size
        cols_k = np.arange(K)
        sel_a = (self.rows_a[:, None] * K + cols_k).ravel()
        sel_0 = (self.rows_0[:, None] * K + cols_k).ravel()
        self._G = self._Gd = self._const_P = self._const_D = None
        if n <= 2:  # w = (1) (or no pairs): P is constant, the operator is the matrix itself
            P = np.zeros(K * K)
            P[rows_c] = vals_c
            self._const_P = P.reshape(K, K)
            self._const_D = (P[sel_a] - P[sel_0]).reshape(nd, K)
            return
        self._G = self._build(rows_c, cols_c, vals_c, K * K)
        # Gd: the rows of G for P[(i,a),·] minus those for P[(i,0),·], a ≥ 1, in the order of rows_a
        self._Gd = self._G[sel_a] - self._G[sel_0]

    def _build(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, nrows: int) -> Any:
        ncols = max(self.wlen, 1)
        if nrows * ncols <= max(_DENSE_LIMIT, 4 * vals.size):
            G = np.zeros((nrows, ncols))
            G[rows, cols] = vals  # each entry of P has one payoff per column of its pair
            return G
        from scipy.sparse import csr_array

        G = csr_array((vals, (rows, cols)), shape=(nrows, ncols))
        G.sum_duplicates()
        return G

    def weights(self, sig: np.ndarray) -> np.ndarray:
        """The stacked outer products ``w`` of the others' σ for every pair (step 1)."""
        if self.n <= 2:
            return _ONE
        if self.n == 3:
            return sig[self.idx[0]]
        return sig[self.idx].prod(axis=0)

    def matrix(self, sig: np.ndarray) -> np.ndarray:
        """``P(σ)`` for the concatenated profile ``sig`` (K × K)."""
        if self._const_P is not None:
            return self._const_P
        return (self._G @ self.weights(sig)).reshape(self.K, self.K)

    def diff_matrix(self, sig: np.ndarray) -> np.ndarray:
        """``P[(i,a),·] − P[(i,0),·]`` for the rows (i, a ≥ 1) in order (``(K − n) × K``)."""
        if self._const_D is not None:
            return self._const_D
        return (self._Gd @ self.weights(sig)).reshape(self.rows_a.size, self.K)

    def deviation(self, sig: np.ndarray, P: np.ndarray | None = None) -> np.ndarray:
        """``d_i(a) = u_i(a, σ_{-i})`` for every (i, a), concatenated: ``P σ / (n − 1)`` (each of the
        n − 1 blocks of a row contracts to the same ``d_i(a)``)."""
        if self.n == 1:
            return self.U[0].copy()
        if P is None:
            P = self.matrix(sig)
        return P @ sig * (1.0 / (self.n - 1))


_ONE = np.ones(1)
#: ``(U, sizes, operator)`` of the last payoff tensor given to `_pair_payoffs`; one tuple, swapped
#: whole, so concurrent solves never pair one tensor with another's operator
_OP_CACHE: list = [None]


def _pair_payoffs(U: np.ndarray, sizes: tuple[int, ...]) -> _PairPayoffs:
    """The `_PairPayoffs` of ``U`` (built once per tensor)."""
    cached = _OP_CACHE[0]
    if cached is not None and cached[0] is U and cached[1] == sizes:
        return cached[2]
    op = _PairPayoffs(U, sizes)
    _OP_CACHE[0] = (U, sizes, op)
    return op


@dataclass
class _Layout:
    sizes: tuple[int, ...]

    @cached_property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.sizes)])

    @property
    def K(self) -> int:
        return int(sum(self.sizes))

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        o = self.offsets
        return [x[o[i]:o[i + 1]] for i in range(len(self.sizes))]

    @cached_property
    def jacobian_base(self) -> np.ndarray:
        """The λ- and σ-free entries of the Jacobian: ``∂(z_a − z_0)/∂z`` on every player's rows."""
        K, off = self.K, self.offsets
        J = np.zeros((K, K + 1))
        for i, k in enumerate(self.sizes):
            rows = np.arange(off[i] + 1, off[i] + k)
            J[rows, rows] = 1.0
            J[rows, off[i]] = -1.0
        return J


# ---- the QRE system H(z, λ) and its Jacobian ------------------------------------------------


class _LogitSystem:
    """``H(z, λ)`` and its K × (K+1) Jacobian, vectorised over players (a fixed number of NumPy
    calls per evaluation, whatever the number of players).

    1. σ = exp z; ``D = P[(i,a),·] − P[(i,0),·]`` (a ≥ 1) from `_PairPayoffs.diff_matrix`.
    2. ``d_i(a) − d_i(0) = (D σ)_{(i,a)} / (n − 1)``; ``H_ia = z_i(a) − z_i(0) − λ (d_i(a) − d_i(0))``
       and ``H_i0 = Σ_a σ_i(a) − 1``.
    3. Jacobian rows (i, a ≥ 1): ``∂/∂z_j(b) = [a = b, i = j] − [b = 0, i = j] − λ D σ_j(b)``
       (``D`` is zero on i's own block) and ``∂/∂λ = −(d_i(a) − d_i(0))``; rows (i, 0): σ_i on
       i's block.
    """

    def __init__(self, U: np.ndarray, lay: _Layout):
        self.lay = lay
        self.op = op = _pair_payoffs(U, lay.sizes)
        self.K = K = lay.K
        self.ra, self.r0 = op.rows_a, op.rows_0
        self.o0 = op.offsets[:-1]
        self.base_a = lay.jacobian_base[self.ra, :K].copy()
        self.cols = np.arange(K)
        self.own0 = op.offsets[op.player_of]  # the sum row (i, 0) of each column's player
        self.inv = 1.0 / max(op.n - 1, 1)
        # one player: d_0 = u_0 does not depend on σ
        self.dd1 = (U[0][1:] - U[0][0]) if op.n == 1 else None

    def __call__(self, w: np.ndarray, out: np.ndarray | None = None,
                 jac: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """``H(w)`` and the Jacobian, written into ``out[:K]`` (a (≥K) × (K+1) array) if given."""
        K, ra = self.K, self.ra
        z, lam = w[:K], w[K]
        sig = np.exp(z)
        D = self.op.diff_matrix(sig)
        if self.dd1 is None:
            Dd = D @ sig
            Dd *= self.inv
        else:
            Dd = self.dd1
        H = np.empty(K)
        H[ra] = z[ra] - z[self.r0] - lam * Dd
        H[self.o0] = np.add.reduceat(sig, self.o0) - 1.0
        if not jac:
            return H, None
        J = np.zeros((K, K + 1)) if out is None else out
        J[self.o0] = 0.0
        J[self.own0, self.cols] = sig
        J[ra, :K] = self.base_a - lam * D * sig
        J[ra, K] = -Dd
        return H, J[:K]


#: ``(U, layout, system)`` of the last call to `_system`
_SYS_CACHE: list = [None]


def _system(U: np.ndarray, lay: _Layout, w: np.ndarray,
            jac: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """``H(w)`` and its K × (K+1) Jacobian at ``w = (z, λ)``."""
    cached = _SYS_CACHE[0]
    if cached is not None and cached[0] is U and cached[1] == lay:
        sys_ = cached[2]
    else:
        sys_ = _LogitSystem(U, lay)
        _SYS_CACHE[0] = (U, lay, sys_)
    with np.errstate(over="ignore", invalid="ignore"):
        return sys_(w, jac=jac)


def _normalised(game: NormalFormGame) -> tuple[np.ndarray, float]:
    """Payoffs divided by the largest payoff range, and that range (λ scales inversely)."""
    u = game.payoffs
    n = game.num_players
    flat = u.reshape(n, -1)
    rng = float((flat.max(axis=1) - flat.min(axis=1)).max())
    return (u / rng if rng > 0 else u.copy()), rng


# ---- path following ----------------------------------------------------------------------------


@dataclass
class LogitPathResult:
    """The endpoint of `logit_qre_path`: a Nash equilibrium with its certificate and path data."""

    profile: list[np.ndarray]
    lam: float
    nash_conv: float
    steps: int
    support: list[np.ndarray]
    path: list[tuple[float, list[np.ndarray]]] = field(default_factory=list)


#: the arc-length step below which a change of orientation is taken for a bifurcation point
#: crossed (above it, for a jump to another stretch of the branch, and the step is halved)
_H_FLIP = 1e-4


class _Tracer:
    """Predictor-corrector continuation of the principal logit branch (Allgower & Georg 2003, ch. 2-6)."""

    def __init__(self, U: np.ndarray, lay: _Layout, h0: float = 0.03, max_steps: int = 20000):
        self.U, self.lay = U, lay
        z0 = np.concatenate([np.full(k, -np.log(k)) for k in lay.sizes])
        self.w = np.concatenate([z0, [0.0]])
        self.h = h0
        # step control: the first corrector step must be small relative to the predictor step
        # (curvature · h / 2 ≤ max_offset) and successive tangents nearly parallel, so the
        # corrector cannot jump to a neighbouring branch near a fold
        self.max_offset = 0.05
        self.min_cos = 0.995
        self.max_steps = max_steps
        self.steps = 0
        self.sys = _LogitSystem(U, lay)
        self._A = np.empty((lay.K + 1, lay.K + 1))
        self._rhs = np.zeros((lay.K + 1, 2))
        self._rhs[-1, 1] = 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            _, J = self.sys(self.w)
        self.t = self._tangent(J)
        if self.t[-1] < 0:
            self.t = -self.t
        # the orientation sign(det [J; tᵀ]) is constant along a smooth traversal of the curve
        # (Allgower & Georg 2003, §2.1); a corrector that lands on another stretch of the branch
        # traversed the other way (a jump across a fold) flips it
        self.orient = float(np.linalg.det(np.vstack([J, self.t])) > 0)
        self._flipped = False

    @staticmethod
    def _tangent(J: np.ndarray) -> np.ndarray:
        """The unit null vector of the K × (K+1) Jacobian (QR; used once, at λ = 0)."""
        Q, _ = np.linalg.qr(J.T, mode="complete")
        return Q[:, -1]

    def _correct(self, w: np.ndarray) -> tuple[np.ndarray, bool, np.ndarray | None]:
        """Newton's method on the hyperplane orthogonal to the tangent: each step solves the square
        augmented system ``[J; tᵀ] Δ = [H; 0]`` (Keller's pseudo-arclength corrector; Allgower &
        Georg 2003, §2.2-2.3); fails fast on slow contraction. Returns the point, whether it
        converged, and the next tangent: the same factorisation also solves ``[J; tᵀ] x = e_{K+1}``,
        whose normalised solution is the null vector of ``J`` on the side of ``t`` (Allgower &
        Georg 2003, §2.1), taken at the last iterate (one Newton step from the point); ``None``
        where the system is singular. Converged when the next correction, estimated from the last
        one and the observed contraction rate (``‖Δ_k‖² / ‖Δ_{k−1}‖``, an upper bound while
        Newton's method contracts at least linearly at that rate; Allgower & Georg 2003, §6.1),
        is at most 1e-9 · (1 + max |w|), which saves the last, confirming iteration."""
        prev = None
        self._flipped = False
        A = self._A
        A[-1] = self.t
        rhs = self._rhs
        H, _ = self.sys(w, out=A)
        for it in range(8):
            rhs[:-1, 0] = H
            try:
                sol = np.linalg.solve(A, rhs)
            except np.linalg.LinAlgError:
                return w, False, None
            step = sol[:, 0]
            norm = math.sqrt(float(step @ step))
            if not math.isfinite(norm):
                return w, False, None
            if it == 0 and norm > self.max_offset * self.h + 1e-9:
                return w, False, None  # the predictor landed too far from the curve
            if prev is not None and norm > 0.3 * prev and norm > 1e-12:
                return w, False, None
            w = w - step
            # the next correction, estimated at the observed (at least linear) contraction rate
            # norm / prev, is below the tolerance: w is already that close to the curve
            est = norm if prev is None else norm * (norm / prev)
            if est <= 1e-9 * (1.0 + float(np.abs(w).max())):
                return w, True, self._oriented(sol[:, 1], A)
            prev = norm
            H, _ = self.sys(w, out=A)
        if float(np.abs(H).max()) > 1e-9 * (1.0 + float(np.abs(w).max())):
            return w, False, None
        try:
            x = np.linalg.solve(A, rhs[:, 1])
        except np.linalg.LinAlgError:
            return w, True, None
        return w, True, self._oriented(x, A)

    def _oriented(self, x: np.ndarray, A: np.ndarray) -> np.ndarray | None:
        """``x`` normalised: the next tangent, or ``None`` if it is not finite or the orientation
        ``sign det [J; t_oldᵀ]`` (the sign of ``det [J; t_newᵀ]``, since t_new ∝ x and
        ``t_old · x = 1``) differs from the curve's."""
        xn = math.sqrt(float(x @ x))
        if not (math.isfinite(xn) and xn > 0):
            return None
        if float(np.linalg.det(A) > 0) != self.orient:
            if self.h > _H_FLIP:
                return None
            # the flip persists at the smallest steps: a simple bifurcation point crossed along the
            # branch (the orientation changes sign there; Allgower & Georg 2003, §8.1), taken up
            # if the step is accepted
            self._flipped = True
        return x / xn

    def step(self) -> None:
        """One accepted predictor-corrector step (halving the step until the corrector contracts)."""
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                if self.steps >= self.max_steps:
                    raise SolverError(f"logit path: no convergence in {self.max_steps} steps")
                if self.h < 1e-12:
                    raise SolverError(f"logit path: step size underflow at λ = {self.w[-1]:.6g}")
                w, ok, t = self._correct(self.w + self.h * self.t)
                # too sharp a turn (or a singular augmented system): a smaller step follows the curve
                if not ok or t is None or t @ self.t < self.min_cos:
                    self.h *= 0.5
                    continue
                self.w, self.t = w, t
                if self._flipped:
                    self.orient = 1.0 - self.orient
                self.steps += 1
                self.h *= 1.5
                return

    def profile(self, w: np.ndarray | None = None) -> list[np.ndarray]:
        z = (self.w if w is None else w)[:-1]
        return [np.exp(zi) / np.exp(zi).sum() for zi in self.lay.split(z)]


def _fixed_lambda_newton(U: np.ndarray, lay: _Layout, w: np.ndarray, lam: float) -> np.ndarray | None:
    """Newton's method on H(·, λ) = 0 with λ fixed (the square K × K system)."""
    w = w.copy()
    w[-1] = lam
    for _ in range(50):
        H, J = _system(U, lay, w)
        assert J is not None
        try:
            dz = np.linalg.solve(J[:, :-1], H)
        except np.linalg.LinAlgError:
            return None
        w[:-1] -= dz
        if np.abs(dz).max() <= 1e-13 * (1.0 + np.abs(w[:-1]).max()):
            return w
    H, _ = _system(U, lay, w, jac=False)
    return w if np.abs(H).max() <= 1e-10 else None


#: the largest precision λ per unit of payoff range that `logit_qre` follows the branch to
MAX_UNIT_LAMBDA = 1e12


def _check_lam(lam: Any) -> float:
    return check_real("lam (the logit precision λ)", lam, minimum=0.0)


def logit_qre(game: NormalFormGame, lam: float) -> list[np.ndarray]:
    """The logit QRE at precision ``lam`` on the principal branch (McKelvey & Palfrey 1995).

    ``lam`` is in the game's payoff units (σ_i ∝ exp(lam · u_i)). The branch is followed from the
    uniform profile at λ = 0 (Turocy 2005) up to ``lam``, and the point is polished by Newton's
    method at fixed λ. ``lam`` times the payoff range is at most 1e12 (`MAX_UNIT_LAMBDA`).
    """
    lam_f = _check_lam(lam)
    U, rng = _normalised(game)
    lay = _Layout(tuple(game.num_actions))
    target = lam_f * rng
    if target > MAX_UNIT_LAMBDA:
        raise InvalidParameterError(
            f"lam × payoff range must be at most {MAX_UNIT_LAMBDA:g} (got {target:g}): beyond it the QRE "
            "is its λ → ∞ limit to machine precision and the branch cannot be followed; use "
            "logit-qre-path, which stops at that limit, or a Nash solver")
    tracer = _Tracer(U, lay)
    if target == 0.0:
        return tracer.profile()
    while tracer.w[-1] < target:
        prev = tracer.w.copy()
        tracer.step()
    # interpolate linearly to λ = target between the last two points, then polish
    lo, hi = prev[-1], tracer.w[-1]
    frac = (target - lo) / (hi - lo) if hi > lo else 1.0
    w0 = prev + frac * (tracer.w - prev)
    w = _fixed_lambda_newton(U, lay, w0, target)
    if w is None:
        raise SolverError(f"logit QRE: Newton's method did not converge at λ = {lam_f}")
    return tracer.profile(w)


# ---- refinement on a support -------------------------------------------------------------------


def _refine_on_support(
    game: NormalFormGame, U: np.ndarray, support: list[np.ndarray], start: list[np.ndarray]
) -> list[np.ndarray] | None:
    """Newton's method on the Nash conditions restricted to ``support``.

    Unknowns: σ_i on S_i and the payoff v_i; equations ``d_i(a) = v_i`` for a ∈ S_i and
    ``Σ σ_i = 1``. Solved by Gauss-Newton (least squares), so singular systems (degenerate games)
    are handled too. Returns a profile, or None if it fails.

    1. Gather the support into one index ``sel`` of the concatenated profile; the unknowns are
       ``x = (σ[sel], v)``.
    2. Each iteration forms ``P(σ)`` (`_PairPayoffs`), ``d = P σ / (n − 1)``, the residual
       ``F = (d[sel] − v[player], Σ_{S_i} σ − 1)`` and the Jacobian ``[[P[sel, sel], −E], [Eᵀ, 0]]``
       (E: the player indicator of ``sel``), and takes a least-squares step.
    3. Stop on a residual ≤ 1e-15 or a negligible step; slower than quadratic contraction from
       the fourth iteration on marks a wrong support (None unless the residual is already ≤ 1e-12).
    """
    n = len(support)
    sizes = tuple(game.num_actions)
    op = _pair_payoffs(U, sizes)
    sel = np.concatenate([op.offsets[i] + np.asarray(support[i], dtype=np.intp) for i in range(n)])
    owner = op.player_of[sel]
    s = sel.size
    E = np.zeros((s, n))
    E[np.arange(s), owner] = 1.0
    J = np.zeros((s + n, s + n))
    J[:s, s:] = -E
    J[s:, :s] = E.T
    sig = np.zeros(op.K)
    x = np.empty(s + n)
    st = np.concatenate(start)[sel]
    x[:s] = st / np.bincount(owner, weights=st, minlength=n)[owner]
    sig[sel] = x[:s]
    d = op.deviation(sig)
    x[s:] = np.bincount(owner, weights=d[sel] * x[:s], minlength=n)
    F = np.empty(s + n)
    prev_res = np.inf
    for it in range(30):
        sig[sel] = x[:s]
        P = op.matrix(sig)
        d = op.deviation(sig, P)
        F[:s] = d[sel] - x[s:][owner]
        F[s:] = np.bincount(owner, weights=x[:s], minlength=n) - 1.0
        J[:s, :s] = P[np.ix_(sel, sel)]
        res = float(np.abs(F).max())
        if res <= 1e-15:
            break
        # Gauss-Newton converges quadratically on the right support; anything slower is the wrong one
        if it >= 3 and res > 0.5 * prev_res:
            if res > 1e-12:
                return None
            break
        prev_res = res
        step, *_ = np.linalg.lstsq(J, F, rcond=None)
        x = x - step
        if not np.all(np.isfinite(x)):
            return None
        if np.abs(step).max() <= 1e-15 * (1.0 + np.abs(x).max()):
            break
    from .nplayer_common import support_profile

    sig[sel] = x[:s]
    return support_profile([sig[op.offsets[i]:op.offsets[i + 1]].copy() for i in range(n)])


def _same(p: list[np.ndarray], q: list[np.ndarray]) -> bool:
    return all(np.allclose(a, b, rtol=0, atol=1e-8) for a, b in zip(p, q, strict=True))


def _supports(profile: list[np.ndarray], threshold: float) -> list[np.ndarray]:
    return [np.flatnonzero(s >= threshold * s.max()) for s in profile]


#: payoff differences (per unit of payoff range) treated as rounding: the uniform profile starts a
#: constant branch when every player's payoffs against it are this flat
_FLAT = 1e-14


def logit_qre_path(
    game: NormalFormGame,
    *,
    tol: float | None = None,
    lam_max: float = 1e8,
    max_steps: int = 20000,
    record: bool = False,
    near: float = 0.1,
    loose: float = 1e3,
) -> LogitPathResult:
    """A Nash equilibrium with NashConv ≤ ``tol``, the limit of the logit QRE branch (Turocy 2005).

    1. If every player is indifferent among their actions against the uniform profile (to 1e-14
       of the payoff range), that profile is a QRE at every λ: the branch is constant and the
       uniform profile is returned (if its NashConv is at most ``tol``).
    2. Otherwise the principal branch is followed from λ = 0 (`_Tracer`).
    3. Each time λ (per unit of payoff range) doubles past 4, Newton's method is tried on the Nash
       conditions of the path's apparent supports (`_refine_on_support`). A refined profile is
       the branch's limit when it lies within ``near / λ`` of the path point (the branch
       converges at rate O(1/λ)) or the path approaches it over successive checks; past
       ``λ = loose`` any refined profile is taken (degenerate games have continua of equilibria).
    4. The first one whose NashConv is at most ``tol`` (default ``1e-9 · max |u|``) is returned.

    ``record`` keeps the accepted path points ``(λ, profile)`` in game units. Raises
    `SolverError` if λ exceeds ``lam_max`` (per unit of payoff range), or the curve is lost,
    before a profile is certified.
    """
    # the default tolerance is relative to the payoffs, so a game scaled by 1e-13 is held to the
    # same standard as the unscaled one
    tol_f = 1e-9 * game.payoff_scale if tol is None else check_positive("tol", tol)
    lam_max = check_positive("lam_max", lam_max)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    record = check_bool("record", record)
    near = check_positive("near", near)
    loose = check_positive("loose", loose)
    U, rng = _normalised(game)
    if rng == 0.0:
        prof = game.uniform_profile()
        return LogitPathResult(prof, 0.0, 0.0, 0, [np.arange(k) for k in game.num_actions])
    lay = _Layout(tuple(game.num_actions))
    # every player indifferent against the uniform profile: H(z_0, λ) = 0 for every λ, so the
    # branch is the constant uniform profile and that is its limit
    n = game.num_players
    flat = all(float(np.ptp(U[i].mean(axis=tuple(k for k in range(n) if k != i)))) <= _FLAT
               for i in range(n))  # d_i against the uniform profile: the mean over the others
    if flat:
        uniform = game.uniform_profile()
        nc = nash_conv(game, uniform)
        if nc <= tol_f:
            return LogitPathResult(uniform, 0.0, nc, 0, [np.arange(k) for k in game.num_actions])
    tracer = _Tracer(U, lay, max_steps=max_steps)
    path: list[tuple[float, list[np.ndarray]]] = []
    next_check = 4.0
    last: dict[bytes, tuple[list[np.ndarray], float]] = {}
    while True:
        try:
            tracer.step()
            stuck = False
        except SolverError:
            stuck = True  # the curve is lost (far out, in a degenerate game): certify what we have
        lam = float(tracer.w[-1])
        if record and not stuck:
            path.append((lam / rng, tracer.profile()))
        # past λ = loose (per unit payoff range) any certified candidate is accepted: in degenerate
        # games the limit lies in a continuum of equilibria and refinements land anywhere on it
        final = stuck or lam >= lam_max
        if lam >= next_check or final:
            next_check = 2.0 * max(lam, next_check)
            prof = tracer.profile()
            tried: set[bytes] = set()  # distinct supports at this check
            for threshold in (1e-2, 1e-4, 1e-6, 1e-8):
                support = _supports(prof, threshold)
                key = b"".join(s.tobytes() + b"|" for s in support)
                if key in tried:
                    continue
                tried.add(key)
                cand = _refine_on_support(game, U, support, prof)
                if cand is None:
                    continue
                # the branch is within O(1/λ) of its limit; a Nash equilibrium far from the path
                # point is a different one, so wait for the path to come closer
                # (or the path approaches the same candidate at successive checks)
                dist = max(float(np.abs(c - p).max()) for c, p in zip(cand, prof, strict=True))
                approaching = key in last and _same(last[key][0], cand) and dist < 0.6 * last[key][1]
                last[key] = (cand, dist)
                if dist > near / lam and not approaching and lam < loose and not final:
                    continue
                nc = nash_conv(game, cand)
                if nc <= tol_f:
                    return LogitPathResult(cand, lam / rng, nc, tracer.steps, support, path)
        if final:
            raise SolverError(
                f"logit path reached λ = {lam / rng:.3g} without a profile of NashConv <= {tol_f:.3g}; "
                "try a larger lam_max or tol"
            )


@register_method("logit-qre-path", families=("normal_form",), certified=False)
def logit_qre_path_solve(
    game: NormalFormGame, *, tol: float | None = None, lam_max: float = 1e8, max_steps: int = 20000
) -> list[Solution]:
    """A Nash equilibrium of an n-player game by following the logit QRE branch (Turocy 2005).

    McKelvey & Palfrey (1995) define the correspondence; the path's endpoint is refined on its
    support and returned only with NashConv <= ``tol`` (else `SolverError`). ``info`` holds the
    final λ, the support and the number of continuation steps.
    """
    res = logit_qre_path(game, tol=tol, lam_max=lam_max, max_steps=max_steps)
    info = {"lam": res.lam, "support": [s.tolist() for s in res.support], "nash_conv": res.nash_conv}
    return [Solution(res.profile, game.expected_payoffs(res.profile), "logit-qre-path",
                     iterations=res.steps, info=info)]


@register_method("logit-qre", families=("normal_form",), certified=False)
def logit_qre_solve(game: NormalFormGame, *, lam: float | None = None) -> list[Solution]:
    """The logit quantal response equilibrium at precision ``lam`` (McKelvey & Palfrey 1995).

    Not a Nash equilibrium for finite λ; ``info["lam"]`` records λ. Principal branch, followed
    from λ = 0 as in Turocy (2005).
    """
    if lam is None:
        raise InvalidParameterError("logit-qre needs the precision lam, e.g. -o lam=2.0")
    prof = logit_qre(game, lam)
    return [Solution(prof, game.expected_payoffs(prof), "logit-qre", info={"lam": float(lam)})]
