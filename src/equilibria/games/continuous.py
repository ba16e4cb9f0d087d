"""Differentiable (continuous) games: players' losses over real vectors, the vector field and its Jacobian.

Player i chooses z_i ∈ Z_i ⊆ R^{d_i} (all of R^{d_i}, or a box [lo_i, hi_i]) and minimises its loss
ℓ_i(z_1, ..., z_n). Following Balduzzi et al., "The Mechanics of n-Player Differentiable Games"
(ICML 2018), the *simultaneous gradient* (vector field) is

    F(z) = ξ(z) = (∇_{z_1} ℓ_1(z), ..., ∇_{z_n} ℓ_n(z)) ∈ R^D,   D = Σ_i d_i,

and its Jacobian J(z) = ∂F/∂z (D × D; ``J[a, b] = ∂F_a/∂z_b``) is the "game Hessian". A Nash
equilibrium of an unconstrained game is a stationary point F(z*) = 0 at which every player's loss is
(locally) minimal in its own block; on a box it solves the variational inequality
⟨F(z*), z − z*⟩ ≥ 0 for all z in the box when each loss is convex in the player's own block.

Payoffs are minus losses (``expected_payoffs`` returns −ℓ), so the metrics core's NashConv is the
sum of the players' loss decreases from a best response, as for every other family.

A profile is a list of per-player float vectors (``[z_1, ..., z_n]``); methods work on the flat
vector z ∈ R^D (`flatten` / `split` convert). Gradients and Jacobians are analytic for the
built-ins, come from PyTorch or JAX autodiff for games built with `from_torch` / `from_jax`, and
fall back to central finite differences otherwise.

`QuadraticGame` is the structured subclass ℓ_i(z) = ½ zᵀQ_i z + q_iᵀz + c_i: its field is affine,
F(z) = Mz + b, so it covers bilinear games xᵀAy and (strongly) monotone quadratic games, and its
best responses over a box are exact convex quadratic / linear programs (see `metrics.continuous`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._numbers import parse_number
from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game

#: a profile may leave its box by this much (relative to the box's scale) and still be accepted
BOX_ATOL = 1e-9

ProfileLike = Sequence[Any] | np.ndarray


def _as_dims(dims: Any) -> tuple[int, ...]:
    try:
        d = tuple(int(v) for v in np.atleast_1d(np.asarray(dims)))
    except (TypeError, ValueError):
        raise InvalidGameError(f"dims must be a list of positive integers, got {dims!r}") from None
    if len(d) < 1 or any(v < 1 for v in d) or not np.array_equal(np.asarray(d), np.atleast_1d(dims)):
        raise InvalidGameError(f"dims must be a list of positive integers, got {dims!r}")
    return d


def _as_bounds(bounds: Any, dims: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per-coordinate lower and upper bounds (±inf where unbounded) from a per-player spec.

    ``bounds`` is None (unconstrained), one ``(lo, hi)`` pair for every player, or a list with one
    entry per player, each None or ``(lo, hi)`` with scalars or vectors of length d_i.
    """
    D = sum(dims)
    lo, hi = np.full(D, -np.inf), np.full(D, np.inf)
    if bounds is None:
        return lo, hi
    if (isinstance(bounds, (tuple, list)) and len(bounds) == 2
            and all(b is not None and np.ndim(b) == 0 for b in bounds)):
        bounds = [tuple(bounds)] * len(dims)  # one scalar (lo, hi) pair: the same box for everyone
    if not isinstance(bounds, (tuple, list)) or len(bounds) != len(dims):
        raise InvalidGameError(
            f"bounds must be None, one (lo, hi) pair, or one entry per player ({len(dims)}); got {bounds!r}"
        )
    start = 0
    for i, (d, b) in enumerate(zip(dims, bounds, strict=True)):
        if b is not None:
            if not isinstance(b, (tuple, list)) or len(b) != 2:
                raise InvalidGameError(f"bounds of player {i + 1} must be a (lo, hi) pair, got {b!r}")
            try:
                blo = np.broadcast_to(np.asarray(b[0], dtype=float), (d,))
                bhi = np.broadcast_to(np.asarray(b[1], dtype=float), (d,))
            except (TypeError, ValueError):
                raise InvalidGameError(
                    f"bounds of player {i + 1} must be numbers or vectors of length {d}, got {b!r}"
                ) from None
            if np.any(np.isnan(blo)) or np.any(np.isnan(bhi)) or np.any(blo > bhi):
                raise InvalidGameError(f"bounds of player {i + 1} need lo <= hi, got {b!r}")
            lo[start:start + d], hi[start:start + d] = blo, bhi
        start += d
    return lo, hi


def _central_difference(fun: Callable[[np.ndarray], np.ndarray], z: np.ndarray) -> np.ndarray:
    """∂fun/∂z (rows: outputs, columns: coordinates) by central differences, step ∝ ε^{1/3}."""
    h = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(z))
    cols = []
    for k in range(z.size):
        e = np.zeros_like(z)
        e[k] = h[k]
        cols.append((np.asarray(fun(z + e), dtype=float) - np.asarray(fun(z - e), dtype=float)) / (2 * h[k]))
    return np.stack(cols, axis=-1)


class DifferentiableGame(Game):
    """An n-player game of losses ℓ_i(z) over real vectors z_i ∈ R^{d_i}, optionally box-constrained.

    Parameters
    ----------
    losses : callable
        ``losses(profile) -> (n,)``: every player's loss at a profile (a list of per-player vectors).
    dims : sequence of int
        d_i, the dimension of each player's strategy.
    gradient : callable, optional
        ``gradient(profile) -> (D,)``: the vector field F(z). Central finite differences of
        ``losses`` (each player's loss in its own block) when omitted.
    jacobian : callable, optional
        ``jacobian(profile) -> (D, D)``: J(z) = ∂F/∂z. When omitted: central differences of
        ``gradient`` if given, else mixed second differences of ``losses``.
    bounds : optional
        None (unconstrained), one ``(lo, hi)`` for every player, or one entry per player
        (None or ``(lo, hi)``; scalars or vectors of length d_i; ±inf allowed).
    initial : profile, optional
        The default starting point of the learners (see `initial_profile`).
    equilibrium : profile, optional
        A known Nash equilibrium (used for distances in diagnostics and tests).
    lipschitz : float, optional
        A Lipschitz constant L of F (used by methods whose step size theory needs it).
    best_response : callable, optional
        ``best_response(i, profile) -> (u, value)``: an exact minimiser u of ℓ_i(·, z_{−i}) over
        player i's box and the minimal loss (−inf when unbounded below). The metrics fall back to
        L-BFGS-B without it.
    """

    family = "continuous"

    def __init__(
        self,
        losses: Callable[[list[np.ndarray]], Any],
        dims: Sequence[int],
        *,
        gradient: Callable[[list[np.ndarray]], Any] | None = None,
        jacobian: Callable[[list[np.ndarray]], Any] | None = None,
        bounds: Any = None,
        initial: ProfileLike | None = None,
        equilibrium: ProfileLike | None = None,
        lipschitz: float | None = None,
        best_response: Callable[[int, list[np.ndarray]], tuple[Any, float]] | None = None,
        title: str = "",
    ):
        if not callable(losses):
            raise InvalidGameError("losses must be a callable profile -> (n,) losses")
        for name, fn in (("gradient", gradient), ("jacobian", jacobian)):
            if fn is not None and not callable(fn):
                raise InvalidGameError(f"{name} must be callable or None")
        self.dims: tuple[int, ...] = _as_dims(dims)
        self.dim: int = int(sum(self.dims))
        self.offsets: np.ndarray = np.concatenate([[0], np.cumsum(self.dims)])
        lo, hi = _as_bounds(bounds, self.dims)
        lo.setflags(write=False)
        hi.setflags(write=False)
        self.lower: np.ndarray = lo
        self.upper: np.ndarray = hi
        self._losses = losses
        self._gradient = gradient
        self._jacobian = jacobian
        self._best_response = best_response
        if lipschitz is not None and (not np.isfinite(lipschitz) or lipschitz <= 0):
            raise InvalidGameError(f"lipschitz must be a positive number, got {lipschitz}")
        self.lipschitz: float | None = None if lipschitz is None else float(lipschitz)
        self.title = title
        self._initial = None if initial is None else self.flatten(initial, check_box=True)
        self.equilibrium: list[np.ndarray] | None = (
            None if equilibrium is None else self.split(self.flatten(equilibrium, check_box=True)))
        self._freeze()

    # -- autodiff constructors ----------------------------------------------------------------
    @classmethod
    def from_torch(cls, losses: Callable[[list[Any]], Sequence[Any]], dims: Sequence[int],
                   **kwargs: Any) -> DifferentiableGame:
        """A game whose losses are written in PyTorch; F and J come from ``torch.autograd`` (float64).

        ``losses(zs)`` takes a list of 1-D float64 tensors (one per player) and returns the n scalar
        losses. Needs the ``torch`` extra (PyTorch is imported here, never at module import).
        """
        try:
            import torch
        except ImportError:
            raise NotApplicableError(
                "from_torch needs PyTorch; install it with `pip install equilibria[torch]`") from None
        dims_t = _as_dims(dims)
        offsets = np.concatenate([[0], np.cumsum(dims_t)])

        def blocks(z: Any) -> list[Any]:
            return [z[offsets[i]:offsets[i + 1]] for i in range(len(dims_t))]

        def field_t(z: Any, create_graph: bool) -> Any:
            zs = [b for b in blocks(z)]
            out = losses(zs)
            # the players share one graph: keep it until every player's gradient is taken
            grads = [torch.autograd.grad(out[i], z, create_graph=create_graph, retain_graph=True,
                                         allow_unused=True)[0]
                     for i in range(len(dims_t))]
            pieces = []
            for i, g in enumerate(grads):
                g = torch.zeros_like(z) if g is None else g
                pieces.append(g[offsets[i]:offsets[i + 1]])
            return torch.cat(pieces)

        def to_t(profile: list[np.ndarray]) -> Any:
            return torch.tensor(np.concatenate(profile), dtype=torch.float64)

        def loss_np(profile: list[np.ndarray]) -> np.ndarray:
            with torch.no_grad():
                z = to_t(profile)
                return np.array([float(v) for v in losses(blocks(z))])

        def grad_np(profile: list[np.ndarray]) -> np.ndarray:
            z = to_t(profile).requires_grad_(True)
            return field_t(z, False).detach().numpy()

        def jac_np(profile: list[np.ndarray]) -> np.ndarray:
            z = to_t(profile)
            J = torch.autograd.functional.jacobian(lambda v: field_t(v, True), z)
            return J.detach().numpy()

        return cls(loss_np, dims_t, gradient=grad_np, jacobian=jac_np, **kwargs)

    @classmethod
    def from_jax(cls, losses: Callable[[list[Any]], Any], dims: Sequence[int],
                 **kwargs: Any) -> DifferentiableGame:
        """A game whose losses are written in JAX; F by ``jax.grad`` per player, J by ``jax.jacfwd``.

        ``losses(zs)`` takes a list of 1-D float64 arrays and returns the n losses (a sequence or an
        array). Needs the ``jax`` extra; 64-bit mode is switched on so results match NumPy.
        """
        try:
            import jax
            import jax.numpy as jnp
        except ImportError:
            raise NotApplicableError(
                "from_jax needs JAX; install it with `pip install equilibria[jax]`") from None
        jax.config.update("jax_enable_x64", True)
        dims_t = _as_dims(dims)
        offsets = [int(v) for v in np.concatenate([[0], np.cumsum(dims_t)])]
        n = len(dims_t)

        def blocks(z: Any) -> list[Any]:
            return [z[offsets[i]:offsets[i + 1]] for i in range(n)]

        def field(z: Any) -> Any:
            pieces = []
            for i in range(n):
                g = jax.grad(lambda v, i=i: jnp.asarray(losses(blocks(v))[i]))(z)
                pieces.append(g[offsets[i]:offsets[i + 1]])
            return jnp.concatenate(pieces)

        field_jit = jax.jit(field)
        jac_jit = jax.jit(jax.jacfwd(field))

        def loss_np(profile: list[np.ndarray]) -> np.ndarray:
            out = losses(blocks(jnp.asarray(np.concatenate(profile))))
            return np.array([float(v) for v in out])

        return cls(loss_np, dims_t,
                   gradient=lambda p: np.asarray(field_jit(jnp.asarray(np.concatenate(p)))),
                   jacobian=lambda p: np.asarray(jac_jit(jnp.asarray(np.concatenate(p)))),
                   **kwargs)

    # -- shape ---------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return len(self.dims)

    @property
    def is_bounded(self) -> bool:
        """True when every coordinate lies in a finite interval (a compact strategy set)."""
        return bool(np.all(np.isfinite(self.lower)) and np.all(np.isfinite(self.upper)))

    @property
    def is_constrained(self) -> bool:
        return bool(np.any(np.isfinite(self.lower)) or np.any(np.isfinite(self.upper)))

    def block(self, player: int) -> slice:
        return slice(int(self.offsets[player]), int(self.offsets[player + 1]))

    def default_method(self) -> str:
        return "extragradient"

    # -- profiles ------------------------------------------------------------------------------
    def flatten(self, profile: ProfileLike, *, check_box: bool = True) -> np.ndarray:
        """The flat vector z ∈ R^D of a profile (a list of per-player vectors, or already flat)."""
        try:
            if isinstance(profile, np.ndarray) and profile.dtype != object and profile.ndim == 1:
                z = profile.astype(float)
            else:
                parts = list(profile)
                flat = len(parts) == self.dim and all(np.ndim(p) == 0 for p in parts)
                if flat and self.num_players != self.dim:
                    z = np.asarray(parts, dtype=float)
                else:
                    if len(parts) != self.num_players:
                        raise InvalidStrategyError(
                            f"a profile has one vector per player ({self.num_players}), got {len(parts)}")
                    vecs = [np.atleast_1d(np.asarray(p, dtype=float)) for p in parts]
                    for i, v in enumerate(vecs):
                        if v.shape != (self.dims[i],):
                            raise InvalidStrategyError(f"player {i + 1}'s strategy must have "
                                                       f"{self.dims[i]} entries, got shape {v.shape}")
                    z = np.concatenate(vecs)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InvalidStrategyError):
                raise
            raise InvalidStrategyError(f"a profile must be numbers: {exc}") from None
        if z.shape != (self.dim,):
            raise InvalidStrategyError(f"a flat profile must have {self.dim} entries, got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise InvalidStrategyError("a profile must be finite")
        if check_box and self.is_constrained:
            scale = BOX_ATOL * (1.0 + np.abs(z))
            out = (z < self.lower - scale) | (z > self.upper + scale)
            if out.any():
                k = int(np.argmax(out))
                raise InvalidStrategyError(f"coordinate {k} of the profile is {float(z[k])!r}, outside "
                                           f"its box [{self.lower[k]}, {self.upper[k]}]")
            z = np.clip(z, self.lower, self.upper)
        return z

    def split(self, z: np.ndarray) -> list[np.ndarray]:
        """Per-player vectors of a flat z (views are copied so callers may keep them)."""
        z = np.asarray(z, dtype=float)
        return [z[self.block(i)].copy() for i in range(self.num_players)]

    def validate_profile(self, profile: ProfileLike) -> list[np.ndarray]:
        return self.split(self.flatten(profile))

    def project(self, z: np.ndarray) -> np.ndarray:
        """Euclidean projection onto the box (the identity for an unconstrained game)."""
        return np.clip(z, self.lower, self.upper) if self.is_constrained else z

    def uniform_profile(self, exact: bool = False) -> list[np.ndarray]:
        """The neutral profile: the centre of each box, and the projection of 0 where unbounded.

        (A continuous game has no uniform mixture; this is the point the CLI's ``eval`` and the
        generic tools treat as "no information". Learners start from `initial_profile` instead.)
        """
        if exact:
            raise NotApplicableError("continuous games are solved in floating point; drop --exact")
        both = np.isfinite(self.lower) & np.isfinite(self.upper)
        mid = np.where(both, 0.5 * (np.where(both, self.lower, 0) + np.where(both, self.upper, 0)), 0.0)
        return self.split(np.clip(mid, self.lower, self.upper))

    def initial_profile(self) -> list[np.ndarray]:
        """The learners' default start: the game's ``initial`` point, else `uniform_profile`."""
        return self.split(self._initial) if self._initial is not None else self.uniform_profile()

    def profile_to_json(self, profile: ProfileLike, exact: bool = False) -> list[list[float]]:
        return [[float(v) for v in zi] for zi in self.validate_profile(profile)]

    def profile_from_json(self, data: Any) -> list[np.ndarray]:
        if not isinstance(data, list):
            raise InvalidStrategyError("a continuous-game profile is a JSON list of per-player number lists")
        try:
            parsed = [
                [parse_number(x) for x in zi] if isinstance(zi, list) else parse_number(zi) for zi in data
            ]
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
            raise InvalidStrategyError(f"profile entries must be numbers: {exc}") from None
        return self.validate_profile(parsed)

    # -- losses, field, Jacobian ---------------------------------------------------------------
    def losses(self, profile: ProfileLike) -> np.ndarray:
        """(ℓ_1(z), ..., ℓ_n(z))."""
        zs = self.validate_profile(profile)
        out = np.asarray(self._losses(zs), dtype=float).reshape(-1)
        if out.shape != (self.num_players,):
            raise InvalidGameError(f"losses returned {out.size} values for {self.num_players} players")
        return out

    def expected_payoffs(self, profile: ProfileLike, exact: bool = False) -> np.ndarray:
        """Payoffs are minus losses: ``u_i(z) = −ℓ_i(z)``."""
        if exact:
            raise NotApplicableError("continuous games are solved in floating point; drop --exact")
        return -self.losses(profile)

    def _losses_flat(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(self._losses(self.split(z)), dtype=float).reshape(-1)

    def vector_field(self, profile: ProfileLike) -> np.ndarray:
        """F(z) = (∇_{z_i} ℓ_i(z))_i as a flat vector of length D."""
        z = self.flatten(profile, check_box=False)
        return self._field(z)

    def _field(self, z: np.ndarray) -> np.ndarray:
        if self._gradient is not None:
            F = np.asarray(self._gradient(self.split(z)), dtype=float).reshape(-1)
            if F.shape != (self.dim,):
                raise InvalidGameError(f"gradient returned {F.size} values, expected {self.dim}")
            return F
        dL = _central_difference(self._losses_flat, z)  # (n, D): ∂ℓ_i/∂z_b
        return np.concatenate([dL[i, self.block(i)] for i in range(self.num_players)])

    def jacobian(self, profile: ProfileLike) -> np.ndarray:
        """J(z) = ∂F/∂z, a D × D matrix with ``J[a, b] = ∂F_a/∂z_b``."""
        z = self.flatten(profile, check_box=False)
        return self._jac(z)

    def _jac(self, z: np.ndarray) -> np.ndarray:
        if self._jacobian is not None:
            J = np.asarray(self._jacobian(self.split(z)), dtype=float)
            if J.shape != (self.dim, self.dim):
                raise InvalidGameError(f"jacobian returned shape {J.shape}, expected {(self.dim, self.dim)}")
            return J
        if self._gradient is not None:
            return _central_difference(self._field, z)
        return self._second_difference(z)

    def _second_difference(self, z: np.ndarray) -> np.ndarray:
        """J[a, b] = ∂²ℓ_{owner(a)}/∂z_a∂z_b by the four-point mixed central difference, step ∝ ε^{1/4}.

        Differencing the finite-difference field again would lose twice the digits.
        """
        h = np.sqrt(np.sqrt(np.finfo(float).eps)) * np.maximum(1.0, np.abs(z))
        owner = np.repeat(np.arange(self.num_players), self.dims)
        J = np.empty((self.dim, self.dim))
        E = np.diag(h)
        for a in range(self.dim):
            for b in range(self.dim):
                vals = [self._losses_flat(z + sa * E[a] + sb * E[b])[owner[a]]
                        for sa, sb in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
                J[a, b] = (vals[0] - vals[1] - vals[2] + vals[3]) / (4 * h[a] * h[b])
        return J

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        box = ", box-constrained" if self.is_constrained else ""
        return f"<{type(self).__name__}{name}: {self.num_players} players, dims {list(self.dims)}{box}>"


class QuadraticGame(DifferentiableGame):
    """ℓ_i(z) = ½ zᵀ Q_i z + q_iᵀ z + c_i with symmetric Q_i: an affine field F(z) = M z + b.

    Row block i of M is row block i of Q_i and b_i is block i of q_i, so J(z) = M everywhere.
    Bilinear zero-sum games xᵀAy are Q_1 = [[0, A], [Aᵀ, 0]] = −Q_2. The game is *monotone* when
    sym(M) = (M + Mᵀ)/2 is positive semi-definite and μ-*strongly monotone* when λ_min(sym M) = μ > 0
    (Rosen, "Existence and uniqueness of equilibrium points for concave n-person games",
    Econometrica 1965: diagonal strict concavity gives a unique equilibrium).

    Player i's loss in its own block is the quadratic ½ z_iᵀ H_i z_i + z_iᵀ c_i(z_{−i}) + const with
    H_i = M_ii, which is what makes its best response an exact linear / quadratic program.
    """

    def __init__(self, Q: Any, q: Any = None, c: Any = None, *, dims: Sequence[int],
                 bounds: Any = None, initial: ProfileLike | None = None,
                 equilibrium: ProfileLike | None = None, title: str = ""):
        dims_t = _as_dims(dims)
        n, D = len(dims_t), int(sum(dims_t))
        try:
            Qa = np.array(Q, dtype=float)
            qa = np.zeros((n, D)) if q is None else np.array(q, dtype=float)
            ca = np.zeros(n) if c is None else np.array(c, dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(f"Q, q and c must be numbers: {exc}") from None
        if Qa.shape != (n, D, D) or qa.shape != (n, D) or ca.shape != (n,):
            raise InvalidGameError(
                f"need Q of shape {(n, D, D)}, q of shape {(n, D)}, c of shape {(n,)}; "
                f"got {Qa.shape}, {qa.shape}, {ca.shape}")
        if not (np.all(np.isfinite(Qa)) and np.all(np.isfinite(qa)) and np.all(np.isfinite(ca))):
            raise InvalidGameError("Q, q and c must be finite")
        if np.abs(Qa - Qa.transpose(0, 2, 1)).max(initial=0.0) > 1e-12 * max(1.0, np.abs(Qa).max()):
            raise InvalidGameError("each Q_i must be symmetric (ℓ_i = ½ zᵀQ_i z + q_iᵀz + c_i)")
        owner = np.repeat(np.arange(n), dims_t)  # which player owns each coordinate
        M = Qa[owner, np.arange(D), :]
        b = qa[owner, np.arange(D)]
        for arr in (Qa, qa, ca, M, b):
            arr.setflags(write=False)
        self.Q, self.q, self.c, self.M, self.b = Qa, qa, ca, M, b

        def losses(zs: list[np.ndarray]) -> np.ndarray:
            z = np.concatenate(zs)
            return 0.5 * np.einsum("a,iab,b->i", z, Qa, z) + qa @ z + ca

        super().__init__(
            losses, dims_t,
            gradient=lambda zs: M @ np.concatenate(zs) + b,
            jacobian=lambda zs: M.copy(),
            bounds=bounds, initial=initial, equilibrium=equilibrium,
            lipschitz=float(np.linalg.norm(M, 2)) or None, title=title,
        )

    @classmethod
    def from_field(cls, M: Any, b: Any = None, *, dims: Sequence[int], **kwargs: Any) -> QuadraticGame:
        """The quadratic game whose field is F(z) = Mz + b (player i's loss has no terms in z_{−i} alone).

        ℓ_i(z) = ½ z_iᵀ M_ii z_i + Σ_{j≠i} z_iᵀ M_ij z_j + b_iᵀ z_i; needs symmetric diagonal blocks M_ii.
        """
        dims_t = _as_dims(dims)
        n, D = len(dims_t), int(sum(dims_t))
        try:
            Ma = np.array(M, dtype=float)
            ba = np.zeros(D) if b is None else np.array(b, dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InvalidGameError(f"M and b must be numbers: {exc}") from None
        if Ma.shape != (D, D) or ba.shape != (D,):
            raise InvalidGameError(
                f"need M of shape {(D, D)} and b of length {D}, got {Ma.shape}, {ba.shape}")
        off = np.concatenate([[0], np.cumsum(dims_t)])
        Q = np.zeros((n, D, D))
        q = np.zeros((n, D))
        for i in range(n):
            s = slice(off[i], off[i + 1])
            if np.abs(Ma[s, s] - Ma[s, s].T).max(initial=0.0) > 1e-12 * max(1.0, np.abs(Ma).max()):
                raise InvalidGameError(
                    f"diagonal block M_{i + 1}{i + 1} must be symmetric: it is the Hessian of player "
                    f"{i + 1}'s loss in its own strategy")
            Q[i, s, :] = Ma[s, :]
            Q[i, :, s] = Ma[s, :].T
            Q[i, s, s] = Ma[s, s]
            q[i, s] = ba[s]
        return cls(Q, q, dims=dims_t, **kwargs)

    @property
    def monotonicity(self) -> float:
        """λ_min(sym M): ≥ 0 for a monotone game, the strong-monotonicity modulus μ when > 0."""
        return float(np.linalg.eigvalsh(0.5 * (self.M + self.M.T))[0])

    def own_quadratic(self, player: int, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_i, c_i): player i's loss as a function u ↦ ½ uᵀH_i u + c_iᵀu + const of its own block."""
        s = self.block(player)
        z = np.asarray(z, dtype=float).copy()
        z[s] = 0.0
        return self.M[s, s], self.M[s, :] @ z + self.b[s]

    def stationary_point(self) -> np.ndarray:
        """The unique z with Mz + b = 0 (raises when M is singular)."""
        try:
            return np.linalg.solve(self.M, -self.b)
        except np.linalg.LinAlgError:
            raise NotApplicableError("M is singular: the stationary points are not unique") from None
