"""Value iteration for Markov games: Shapley's (zero-sum), Nash (general-sum) and correlated.

All three replace the max of MDP value iteration by the value of the *stage game*
``Q_s[i, a] = R[s, i, a] + γ Σ_s' P[s, a, s'] V[s', i]`` played at each state:

* **Shapley value iteration** (Shapley, "Stochastic games", PNAS 1953): for two-player zero-sum
  games ``V ← val(Q(V))`` is a γ-contraction whose fixed point is the game's value, and the
  minimax strategies of the stage games at the fixed point are a stationary equilibrium. All the
  stage LPs of one sweep are solved as *one* block-diagonal LP (`equilibria.ops.solve_matrix_games`,
  the library's zero-sum LP). Stopping is
  certified: every few sweeps the current strategies' security levels are computed exactly by a
  best response (policy iteration), which brackets the value, and the sweep stops once the bracket
  (= the profile's NashConv from every state) is below ``tol``.
* **Nash value iteration** (Hu & Wellman, "Nash Q-learning for general-sum stochastic games",
  JMLR 2003, with a known model): ``V_i ← u_i(NE(Q(V)))``, one Nash equilibrium per stage game.
  Caveats: the update is not a contraction in general-sum games, the equilibrium chosen per state
  may jump between iterations so the iteration may cycle, and Zinkevich, Greenwald & Littman
  ("Cyclic equilibria in Markov games", NeurIPS 2005) exhibit games where no value-iteration
  method can find a stationary equilibrium. With a finite horizon, backward induction with a Nash
  equilibrium per stage is exact (a Markov perfect equilibrium). Results are therefore checked,
  not certified: `solve` reports the NashConv of what is returned.
* **Correlated-equilibrium value iteration** (Greenwald & Hall, "Correlated-Q learning", ICML 2003;
  Murray & Gordon, "Finding correlated equilibria in general sum stochastic games", CMU-ML-07-113,
  2007): ``V ← u(CE(Q(V)))`` with the utilitarian (maximum-welfare) correlated equilibrium of every
  stage game, all states in one LP per sweep. It returns a correlated joint policy
  (``info["joint_policy"]``, shape ``(S, A_1..A_n)``) whose marginals are the reported strategies,
  and that policy's exact CE gap (`equilibria.metrics.markov.markov_ce_gap`) in ``info["ce_gap"]``;
  ``info["metric"] = "ce_gap"`` says that this, not the NashConv of the marginals, is its measure.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int, check_positive
from ..errors import InvalidParameterError, NotApplicableError, SolverError
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame
from ..metrics.markov import best_response_policy, correlated_state_values, markov_ce_gap
from ..ops.zero_sum import highs_linprog, power_of_two_scale, solve_matrix_games
from ..registry import register_method
from ..solution import Solution


def _require_zero_sum(game: MarkovGame, what: str) -> None:
    if not isinstance(game, MarkovGame):
        raise NotApplicableError(f"{what} applies to Markov games")
    if game.num_players != 2 or not game.is_zero_sum:
        raise NotApplicableError(
            f"{what} solves two-player zero-sum Markov games; use nash-value-iteration or "
            "ce-value-iteration for general-sum ones"
        )


@register_method("shapley", families=("markov",), certified=True)
def shapley(
    game: MarkovGame, *, tol: float = 1e-9, max_iter: int = 10_000, check_every: int = 10
) -> list[Solution]:
    """Shapley's value iteration with one batched LP per sweep (Shapley, PNAS 1953).

    Discounted games stop when the exact best-response bracket of the current minimax strategies
    is at most ``tol`` times the payoff scale at every state (a certified ε-equilibrium); finite
    horizons are solved exactly by backward induction. ``info["values"]`` holds the value of every
    state for player 1.
    """
    _require_zero_sum(game, "shapley")
    tol = check_positive("tol", tol)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    check_every = check_int("check_every", check_every, minimum=1)
    S = game.num_states
    m, n = game.num_actions
    V = np.zeros(S)
    scale = game.payoff_scale  # relative: a game scaled by 1e-13 is held to the same standard

    def stage(V: np.ndarray) -> np.ndarray:
        cont = np.stack([V, -V], axis=1)
        return game.stage_games(cont)[:, 0].reshape(S, m, n)

    if game.horizon is not None:
        xs, ys = np.zeros((game.horizon, S, m)), np.zeros((game.horizon, S, n))
        for t in reversed(range(game.horizon)):
            V, xs[t], ys[t] = solve_matrix_games(stage(V), what="Shapley's stage LPs")
        profile = [xs, ys]
        gap = 0.0
        it = game.horizon
    else:
        gap = np.inf
        it = 0
        while it < max_iter:
            it += 1
            V, x, y = solve_matrix_games(stage(V), what="Shapley's stage LPs")
            if it % check_every == 0 or it == max_iter:
                profile = [x, y]
                hi = best_response_policy(game, profile, 0)[1]
                lo = -best_response_policy(game, profile, 1)[1]
                gap = float(np.max(hi - lo))
                if gap <= tol * scale:
                    V = 0.5 * (hi + lo)
                    break
        else:
            raise SolverError(
                f"Shapley value iteration did not reach tol={tol} in {max_iter} sweeps (bracket {gap:.3e}); "
                "raise max_iter"
            )
    payoffs = game.expected_payoffs(profile)
    info = {"values": V, "sweeps": it, "bracket": gap}
    return [Solution(profile, payoffs, "shapley", iterations=it, info=info)]


def _stage_nash(Q: np.ndarray, method: str | None) -> list[np.ndarray]:
    """One Nash equilibrium of the stage game with payoff tensor ``Q`` (n, A1..An)."""
    from ..api import solve

    g = NormalFormGame(Q)
    if g.num_players == 2 and g.is_constant_sum and method in (None, "lp"):
        _, x, y = solve_matrix_games(Q[0][None])
        return [x[0], y[0]]
    sols = solve(g, method=method)
    if not sols:
        raise SolverError("the stage-game solver returned no equilibrium")
    return [np.asarray(s, dtype=float) for s in sols[0].strategies]


@register_method("nash-value-iteration", families=("markov",))
def nash_value_iteration(
    game: MarkovGame, *, stage_method: str | None = None, tol: float = 1e-8, max_iter: int = 1000
) -> list[Solution]:
    """Nash value iteration (Hu & Wellman, JMLR 2003, model-based): a Nash equilibrium per stage game.

    ``stage_method`` names the normal-form solver used per state (default: the stage game's own
    default, e.g. ``lp`` for zero-sum stages). Exact with a finite horizon (backward induction);
    with discounting it may cycle (Zinkevich, Greenwald & Littman, NeurIPS 2005), which is reported
    in ``info["converged"]`` rather than hidden.
    """
    if not isinstance(game, MarkovGame):
        raise NotApplicableError("nash-value-iteration applies to Markov games")
    if stage_method is not None and not isinstance(stage_method, str):
        raise InvalidParameterError(f"stage_method must be a method name, got {stage_method!r}")
    tol = check_positive("tol", tol)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    S, N = game.num_states, game.num_players
    A = game.num_actions
    V = np.zeros((S, N))

    def sweep(V: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        Q = game.stage_games(V).reshape(S, N, *A)
        if N == 2 and game.is_zero_sum and stage_method in (None, "lp"):
            # zero-sum stages: every stage game's equilibrium at once (one batched LP)
            v, x, y = solve_matrix_games(Q[:, 0], what="the stage LPs")
            return np.stack([v, -v], axis=1), [x, y]
        pols = [np.zeros((S, k)) for k in A]
        V_new = np.zeros((S, N))
        for s in range(S):
            if game.terminal[s]:
                for i in range(N):
                    pols[i][s] = 1.0 / A[i]
                continue
            prof = _stage_nash(Q[s], stage_method)
            for i in range(N):
                pols[i][s] = prof[i]
            V_new[s] = NormalFormGame(Q[s]).expected_payoffs(prof)
        return V_new, pols

    converged = True
    if game.horizon is not None:
        steps = [None] * game.horizon
        for t in reversed(range(game.horizon)):
            V, steps[t] = sweep(V)
        profile = [np.stack([steps[t][i] for t in range(game.horizon)]) for i in range(N)]
        it = game.horizon
    else:
        converged = False
        for it in range(1, max_iter + 1):  # noqa: B007
            V_new, profile = sweep(V)
            delta = float(np.abs(V_new - V).max())
            V = V_new
            if delta <= tol * game.payoff_scale:
                converged = True
                break
    payoffs = game.expected_payoffs(profile)
    return [
        Solution(
            profile,
            payoffs,
            "nash-value-iteration",
            iterations=it,
            info={"values": V, "converged": converged},
        )
    ]


def _player_view(shape: tuple[int, ...], i: int) -> np.ndarray:
    """``idx[a, c]``: the flat joint index where player i plays a and the others play c."""
    return np.moveaxis(np.arange(int(np.prod(shape))).reshape(shape), i, 0).reshape(shape[i], -1)



def correlated_values(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Utilitarian correlated equilibria of a batch of stage games ``Q[s]`` (n, A1..An), one LP.

    Maximise ``Σ_s Σ_i Σ_a μ_s(a) Q_s[i, a]`` subject to every state's incentive constraints
    ``Σ_c μ_s(a, c) (Q_s[i, b, c] − Q_s[i, a, c]) ≤ 0`` (Aumann 1974), ``Σ_a μ_s(a) = 1``, ``μ ≥ 0``.
    Returns the values ``V[s, i]`` and joint distributions ``μ[s, j]`` (joint index flat).
    """
    import scipy.sparse as sp  # lazy: keeps `import equilibria` free of scipy

    S, N = Q.shape[:2]
    A = Q.shape[2:]
    J = int(np.prod(A))
    rows, cols, vals = [], [], []
    offset = 0
    for i in range(N):
        k = A[i]
        if k < 2:
            continue
        idx = _player_view(A, i)
        # player i's rows divided by its largest |payoff|: the same polytope, at HiGHS's scale
        D = np.moveaxis(Q[:, i], i + 1, 1).reshape(S, k, -1) / power_of_two_scale(Q[:, i])
        a, b, c = np.meshgrid(np.arange(k), np.arange(k), np.arange(D.shape[2]), indexing="ij")
        keep = a != b
        a, b, c = a[keep], b[keep], c[keep]
        rows.append(offset + a * (k - 1) + b - (b > a))
        cols.append(idx[a, c])
        vals.append(D[:, b, c] - D[:, a, c])  # (S, nnz)
        offset += k * (k - 1)
    s_idx = np.arange(S)
    if rows:
        r0, c0, v0 = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals, axis=1)
        A_ub = sp.csr_matrix(
            (v0.ravel(), ((s_idx[:, None] * offset + r0).ravel(), (s_idx[:, None] * J + c0).ravel())),
            shape=(S * offset, S * J),
        )
        b_ub = np.zeros(S * offset)
    else:
        A_ub, b_ub = None, None
    A_eq = sp.csr_matrix((np.ones(S * J), (np.repeat(s_idx, J), np.arange(S * J))), shape=(S, S * J))
    welfare = Q.reshape(S, N, J).sum(axis=1)
    res = highs_linprog(-welfare.ravel() / power_of_two_scale(welfare), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq,
                        b_eq=np.ones(S), bounds=(0, None), what="the batched correlated-equilibrium LP")
    mu = np.clip(res.x.reshape(S, J), 0.0, None)
    mu /= mu.sum(axis=1, keepdims=True)
    V = np.einsum("sij,sj->si", Q.reshape(S, N, J), mu)
    return V, mu


@register_method("ce-value-iteration", families=("markov",))
def ce_value_iteration(game: MarkovGame, *, tol: float = 1e-8, max_iter: int = 1000) -> list[Solution]:
    """Correlated-equilibrium value iteration with the utilitarian CE per state (Greenwald & Hall 2003).

    One LP per sweep covers all states. ``info["joint_policy"]`` is the correlated policy
    ``(S, A_1, ..., A_n)`` (or ``(H, S, ...)`` with a horizon), ``info["values"]`` its values, and
    ``info["ce_gap"]`` its exact CE gap (`equilibria.metrics.markov.markov_ce_gap`: every player's
    best deviation plan given its recommendations); ``info["metric"] = "ce_gap"``. The strategies
    are the per-state marginals, whose NashConv is not the measure of a correlated policy (it is
    zero only when the policy happens to be a product).
    """
    if not isinstance(game, MarkovGame):
        raise NotApplicableError("ce-value-iteration applies to Markov games")
    tol = check_positive("tol", tol)
    max_iter = check_int("max_iter", max_iter, minimum=1)
    S, N, A = game.num_states, game.num_players, game.num_actions
    V = np.zeros((S, N))
    converged = True
    if game.horizon is not None:
        mus = np.zeros((game.horizon, S, game.num_joint_actions))
        for t in reversed(range(game.horizon)):
            V, mus[t] = correlated_values(game.stage_games(V).reshape(S, N, *A))
        it = game.horizon
        joint = mus.reshape(game.horizon, S, *A)
    else:
        converged = False
        for it in range(1, max_iter + 1):  # noqa: B007
            V_new, mu = correlated_values(game.stage_games(V).reshape(S, N, *A))
            delta = float(np.abs(V_new - V).max())
            V = V_new
            if delta <= tol * game.payoff_scale:
                converged = True
                break
        joint = mu.reshape(S, *A)
    lead = joint.ndim - N
    profile = [joint.sum(axis=tuple(lead + j for j in range(N) if j != i)) for i in range(N)]
    # the values of the policy returned (not of the last sweep's input), exact up to one linear solve
    V = correlated_state_values(game, joint)
    payoffs = game.initial @ V
    return [
        Solution(
            profile,
            payoffs,
            "ce-value-iteration",
            iterations=it,
            info={"values": V, "joint_policy": joint, "converged": converged,
                  "ce_gap": markov_ce_gap(game, joint), "metric": "ce_gap"},
        )
    ]
