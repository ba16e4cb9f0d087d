"""Correlated and coarse correlated equilibria of n-player games by linear programming.

A correlated equilibrium (Aumann, "Subjectivity and correlation in randomized strategies",
J. Math. Econ. 1974) is a joint distribution μ over action profiles such that no player gains by
deviating from a recommendation: for every player i and actions a ≠ b,

    Σ_{a_{-i}} μ(a, a_{-i}) (u_i(b, a_{-i}) − u_i(a, a_{-i})) ≤ 0.

A coarse correlated equilibrium (Hannan 1957; Moulin & Vial, "Strategically zero-sum games",
Int. J. Game Theory 1978) only asks that no player gains by ignoring the recommendation:
``Σ_a μ(a) (u_i(b, a_{-i}) − u_i(a)) ≤ 0`` for every i and b. Both sets are polytopes, so a linear
objective (maximum welfare by default; Papadimitriou & Roughgarden, "Computing correlated
equilibria in multi-player games", J. ACM 2008) is optimised over them by one LP (HiGHS).

The incentive constraints are built for all (i, a, b) at once as a sparse matrix: row (a, b) of
player i touches the |A|/A_i profiles where player i plays a. Before the float solve, player i's rows
are divided by ``max |u_i|`` and the objective by its largest entry: the polytope and the optimal
points are unchanged, and HiGHS's absolute tolerances then mean the same at every payoff scale
(payoffs of 1e-13 are not all "zero" to it, and payoffs of 1e19 are not refused as a model error).

A solution carries the joint distribution in ``info["joint"]`` and the players' marginals as its
``strategies``; ``info["ce_gap"]`` (or ``info["cce_gap"]``) is the gap measured by the metrics core,
exactly 0 in exact mode, and ``info["metric"]`` names it: the measure of a correlated solution is
that gap, not the NashConv of its marginals. Exact mode recovers the rational vertex at the HiGHS
solution (see `lp.exact_vertex`) and also the rational dual solution; ``info["optimal"]`` is True
when the dual is exactly feasible with the same objective value, an exact proof of optimality (LP
duality).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_bool
from .._numbers import fraction_array
from ..errors import InvalidParameterError, SolverError
from ..games.normal_form import NormalFormGame
from ..metrics.normal_form import cce_gap, ce_gap
from ..ops.zero_sum import highs_linprog, power_of_two_scale
from ..registry import register_method
from ..solution import Solution
from .lp import exact_vertex

if TYPE_CHECKING:
    import scipy.sparse as sp


def _player_view(shape: tuple[int, ...], i: int) -> np.ndarray:
    """``idx[a, c]``: the flat index of the profile where player i plays a and the others play c."""
    return np.moveaxis(np.arange(int(np.prod(shape))).reshape(shape), i, 0).reshape(shape[i], -1)


def incentive_constraints(u: np.ndarray, coarse: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (coarse) correlated-equilibrium constraints ``G μ ≤ 0`` as COO triplets ``(rows, cols, vals)``.

    ``u`` is the payoff tensor ``(n, A1, ..., An)`` (float or `Fraction` objects). CE rows are
    indexed by (i, a, b) with a ≠ b; CCE rows by (i, b).
    """
    shape = u.shape[1:]
    rows, cols, vals = [], [], []
    offset = 0
    for i in range(u.shape[0]):
        k = shape[i]
        idx = _player_view(shape, i)
        D = np.moveaxis(u[i], i, 0).reshape(k, -1)
        # gain[a, b, c] = u_i(b, c) − u_i(a, c), the gain of swapping a for b against c
        gain = D[None, :, :] - D[:, None, :]
        a, b, c = np.meshgrid(np.arange(k), np.arange(k), np.arange(D.shape[1]), indexing="ij")
        if coarse:
            r = offset + b
            offset += k
        else:
            keep = a != b
            a, b, c, gain = a[keep], b[keep], c[keep], gain[keep]
            # rows numbered a*(k-1) + (b minus 1 if b > a): the k(k−1) ordered pairs
            r = offset + a * (k - 1) + b - (b > a)
            offset += k * (k - 1)
        rows.append(np.ravel(r))
        cols.append(np.ravel(idx[a, c]))
        vals.append(np.ravel(gain))
    if not rows:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _objective(game: NormalFormGame, objective: Any, exact: bool = False) -> np.ndarray:
    """The objective as a tensor of the joint-action shape, to be maximised (`Fraction` if ``exact``)."""
    u = game.exact_payoffs if exact else game.payoffs
    if _is_welfare(objective):
        return u.sum(axis=0)
    if isinstance(objective, str):
        key = objective.strip()
        if key.lower().startswith("player:"):
            label = key.split(":", 1)[1].strip()
            if label in game.player_labels:
                return u[game.player_labels.index(label)]
            raise InvalidParameterError(
                f"objective {objective!r} names no player; players are labelled "
                + ", ".join(repr(p) for p in game.player_labels)
            )
        raise InvalidParameterError(
            f"unknown objective {objective!r}; use 'welfare', 'player:LABEL' or an array of shape "
            f"{game.num_actions}"
        )
    try:
        c = np.asarray(objective, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError("objective must be 'welfare', 'player:LABEL' or an array") from None
    if c.shape != game.num_actions:
        raise InvalidParameterError(
            f"objective array has shape {c.shape}; it must have the joint-action shape {game.num_actions}"
        )
    if not np.all(np.isfinite(c)):
        raise InvalidParameterError("objective array must be finite")
    return fraction_array(objective) if exact else c


def _scaled_payoffs(game: NormalFormGame) -> tuple[np.ndarray, np.ndarray]:
    """Each player's payoffs divided by a power of two near ``max |u_i|``, and those divisors."""
    units = np.array([power_of_two_scale(game.payoffs[i]) for i in range(game.num_players)])
    return game.payoffs / units.reshape((-1,) + (1,) * game.num_players), units


def _solve(game: NormalFormGame, coarse: bool, objective: Any, exact: bool, name: str) -> list[Solution]:
    exact = check_bool("exact", exact)
    shape = game.num_actions
    N = int(np.prod(shape))
    c = _objective(game, objective)
    # scale each player's constraint rows and the objective by powers of two (exactly, so the
    # exact path below sees the same numbers as Fractions); see the module docstring
    u_scaled, units = _scaled_payoffs(game)
    c_unit = power_of_two_scale(c)
    rows, cols, vals = incentive_constraints(u_scaled, coarse=coarse)
    m = int(rows.max()) + 1 if rows.size else 0
    import scipy.sparse as sp  # lazy: keeps `import equilibria` free of scipy

    G = sp.csr_matrix((vals, (rows, cols)), shape=(m, N))
    # the polytope always contains every Nash equilibrium (Nash 1951), so it is never empty
    res = highs_linprog(-c.ravel() / c_unit, A_ub=G if m else None, b_ub=np.zeros(m) if m else None,
                        A_eq=np.ones((1, N)), b_eq=[1.0], bounds=(0, None), what=f"the {name} LP")
    mu = np.clip(res.x, 0.0, None)
    mu /= mu.sum()
    gap_fn = cce_gap if coarse else ce_gap
    gap_key = "cce_gap" if coarse else "ce_gap"
    if exact:
        G_x = _exact_constraints(game, coarse, m, N, units)
        mu = _exact_joint(G, G_x, mu, name)
        joint = mu.reshape(shape)
        u = game.exact_payoffs
    else:
        joint = mu.reshape(shape)
        u = game.payoffs
    n = game.num_players
    marginals = [joint.sum(axis=tuple(j for j in range(n) if j != i)) for i in range(n)]
    payoffs = np.array([(u[i] * joint).sum() for i in range(n)], dtype=object if exact else float)
    value = (_objective(game, objective, exact=True) * joint).sum() if exact else float((c * joint).sum())
    info = {"joint": joint, "objective_value": value,
            gap_key: gap_fn(game, joint, exact=exact), "metric": gap_key}
    if exact:
        scale_x = Fraction(c_unit)
        c_x = _objective(game, objective, exact=True).ravel() / scale_x
        info["optimal"] = _dual_certificate(G, G_x, c_x, res, value / scale_x)
    return [Solution(marginals, payoffs, name, exact=exact, info=info)]


def _is_welfare(objective: Any) -> bool:
    return objective is None or (isinstance(objective, str) and objective.strip().lower() == "welfare")


def _exact_constraints(game: NormalFormGame, coarse: bool, m: int, N: int, units: np.ndarray) -> np.ndarray:
    """The incentive-constraint matrix ``G`` (player i's rows divided by ``units[i]``) in `Fraction`."""
    u_x = game.exact_payoffs / np.array([Fraction(float(w)) for w in units], dtype=object).reshape(
        (-1,) + (1,) * game.num_players)
    rows, cols, vals = incentive_constraints(u_x, coarse=coarse)
    G_x = np.empty((m, N), dtype=object)
    G_x[:] = Fraction(0)
    # COO entries are unique per (row, col), so assignment is exact
    G_x[rows, cols] = vals
    return G_x


def _exact_joint(G: sp.csr_matrix, G_x: np.ndarray, mu: np.ndarray, name: str) -> np.ndarray:
    """The rational vertex of the (C)CE polytope at the HiGHS solution, feasible exactly."""
    m, N = G_x.shape
    z = exact_vertex(G.toarray(), np.zeros(m), np.ones((1, N)), np.ones(1), mu,
                     A_ub_exact=G_x, A_eq_exact=np.full((1, N), Fraction(1), dtype=object))
    if z is None:
        raise SolverError(f"could not recover an exact rational {name} from the HiGHS vertex")
    return z


def _dual_certificate(G: sp.csr_matrix, G_x: np.ndarray, c_x: np.ndarray, res: Any, value: Any) -> bool:
    """Exact proof that ``value`` is the LP optimum, from the HiGHS dual solution.

    LP duality: ``max {c·μ : Gμ ≤ 0, 1·μ = 1, μ ≥ 0} = min {t : Gᵀλ + t·1 ≥ c, λ ≥ 0}``. The dual
    vertex is recovered exactly (as the primal one) and checked to be feasible with t = value.
    """
    m, N = G_x.shape
    lam = np.clip(-np.asarray(res.ineqlin.marginals, dtype=float), 0.0, None) if m else np.zeros(0)
    t = -float(res.eqlin.marginals[0])
    A_ub = np.hstack([-G.toarray().T, -np.ones((N, 1))])
    A_ub_x = np.concatenate([-G_x.T, np.full((N, 1), Fraction(-1), dtype=object)], axis=1)
    nonneg = np.array([True] * m + [False])
    z = exact_vertex(A_ub, -c_x.astype(float), None, None, np.concatenate([lam, [t]]), nonneg=nonneg,
                     A_ub_exact=A_ub_x, b_ub_exact=-c_x)
    # exact_vertex returns only exactly feasible points; equal objectives prove optimality
    return z is not None and z[m] == value


@register_method("correlated", families=("normal_form",), certified=False)
def correlated(game: NormalFormGame, *, objective: Any = "welfare", exact: bool = False) -> list[Solution]:
    """A correlated equilibrium maximising a linear objective (Aumann 1974), by one LP.

    ``objective``: ``"welfare"`` (sum of payoffs, the default), ``"player:LABEL"`` or an array of
    the joint-action shape. The joint distribution is ``info["joint"]``, its CE gap
    ``info["ce_gap"]``; ``strategies`` are the marginals. Papadimitriou & Roughgarden (J. ACM 2008).
    """
    return _solve(game, False, objective, exact, "correlated")


@register_method("coarse-correlated", families=("normal_form",), certified=False)
def coarse_correlated(game: NormalFormGame, *, objective: Any = "welfare",
                      exact: bool = False) -> list[Solution]:
    """A coarse correlated equilibrium maximising a linear objective (Moulin & Vial 1978), by one LP.

    Same options and output as `correlated`; the gap is ``info["cce_gap"]``.
    """
    return _solve(game, True, objective, exact, "coarse-correlated")
