"""Exact solutions and reward-model baselines for preference games.

Equilibria
- `regularised_nash`: π*_β, the unique symmetric equilibrium of the β-KL-regularised preference
  game (Munos et al., "Nash Learning from Human Feedback", ICML 2024), i.e. the fixed point
  π = softmax(log π_ref + P π / β), to machine precision: entropic mirror-prox iterations (which
  contract at rate 1/(1 + 2β) per iteration, Tiapkin et al. 2025) followed by Newton's method on
  the fixed-point equations.
- `minimax_winner`: a symmetric Nash equilibrium of the unregularised game (von Neumann winner;
  Kreweras 1965, Fishburn 1984, Dudík et al. COLT 2015): every context's matrix game at once by the
  library's zero-sum LP (`equilibria.ops.solve_matrix_games`).

Baselines (what reward-model alignment would produce from the same preferences)
- `bradley_terry_reward`: the maximum-likelihood Bradley-Terry reward (Bradley & Terry,
  Biometrika 1952) fitted to P under a pair distribution, by Newton's method on the concave
  log-likelihood; `rlhf_policy`: the KL-regularised RLHF optimum π ∝ π_ref exp(r/β) (Ziegler et
  al. 2019; Ouyang et al. 2022).
- `dpo_policy`: the minimiser of the population DPO loss (Rafailov et al., "Direct Preference
  Optimization", NeurIPS 2023), solved in the implicit reward β log(π/π_ref).
- `ipo_policy`: the offline IPO optimum π ∝ π_ref exp((P(y ≻ μ) − 1/2)/β) (Azar et al., "A General
  Theoretical Paradigm to Understand Learning from Human Preferences", AISTATS 2024).
- `best_of_n_policy`: the distribution of the highest-reward response among n draws from π_ref
  (Nakano et al. 2021; Gao et al. 2023).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_int, check_positive
from ..errors import InvalidParameterError, NotApplicableError, SolverError
from ..games.preference import PreferenceGame
from ..ops import log_softmax, logsumexp
from ..ops.zero_sum import solve_matrix_games
from ..registry import register_method
from ..solution import Solution


def _win(P: np.ndarray, pi: np.ndarray) -> np.ndarray:
    return np.einsum("xij,xj->xi", P, pi)


def fixed_point_residual(game: PreferenceGame, pi: np.ndarray, beta: float | None = None) -> float:
    """``max |log π − log softmax(log π_ref + P π / β)|`` over real responses: zero exactly at π*_β."""
    b = game.beta if beta is None else beta
    with np.errstate(divide="ignore"):
        lp = np.log(np.where(game.mask, pi, 1.0))
    target = log_softmax(game.log_reference + _win(game.P, pi) / b)
    return float(np.max(np.where(game.mask, np.abs(lp - target), 0.0)))


def _mirror_prox(game: PreferenceGame, logpi: np.ndarray, beta: float, iters: int) -> np.ndarray:
    """Nash-MP iterations with η = 2β (Tiapkin et al. 2025): a contraction towards π*_β."""
    eta = 2.0 * beta
    c = eta / (1.0 + eta)
    base_ref = game.log_reference
    for _ in range(iters):
        base = base_ref + logpi / eta
        half = log_softmax(c * (base + _win(game.P, np.exp(logpi)) / beta))
        logpi = log_softmax(c * (base + _win(game.P, np.exp(half)) / beta))
    return logpi


def regularised_nash(game: PreferenceGame, *, beta: float | None = None, tol: float = 1e-14,
                     max_iterations: int = 200_000, newton_from: float = 1.0) -> np.ndarray:
    """π*_β per context, as an (X, K) array with ``π = softmax(log π_ref + P π / β)`` to ~1e-15.

    Stage 1 runs Nash mirror prox (Tiapkin et al., "Accelerating Nash Learning from Human Feedback
    via Mirror Prox", 2025), which contracts KL(π*_β‖π) by at least 1/(1 + 2β) per iteration.
    Stage 2, tried whenever the log-space fixed-point residual is below ``newton_from``, is Newton's
    method on F(l) = l − log softmax(log π_ref + P e^l / β) in l = log π (`_newton`). At the fixed
    point its Jacobian is I − M D/β with M = (I − 1πᵀ) A, A = P − 1/2 skew-symmetric, D = diag π. MD and
    DM share their non-zero eigenvalues, and DM = S A with S = diag π − ππᵀ ⪰ 0, whose eigenvalues are
    those of the skew-symmetric S^½ A S^½: purely imaginary, so the Jacobian (eigenvalues 1 − iλ/β) is
    invertible. A Newton step is kept only when it lowers the residual; otherwise more mirror-prox
    iterations run. The tolerance is raised to the rounding floor of the logits,
    64 eps (1 + max|log π_ref| + 1/β). β = 0 returns `minimax_winner`.
    """
    b = game.beta if beta is None else check_positive("beta", beta, allow_zero=True)
    tol = check_positive("tol", tol)
    max_iterations = check_int("max_iterations", max_iterations, minimum=0)
    newton_from = check_positive("newton_from", newton_from, allow_zero=True)
    if b == 0:
        return minimax_winner(game)
    # log-space rounding floor: the logits log π_ref + Pπ/β carry an absolute error of eps·|logit|
    finite_ref = np.abs(game.log_reference[game.mask])
    tol = max(tol, 64 * np.finfo(float).eps * (1.0 + finite_ref.max() + 1.0 / b))
    logpi = game.log_reference.copy()
    done = 0
    chunk = 50
    while True:
        pi = np.exp(logpi)
        res = fixed_point_residual(game, pi, b)
        if res <= tol:
            return pi
        if res < newton_from:
            logpi, res = _newton(game, logpi, b, res, tol)
            if res <= tol:
                return np.exp(logpi)
        if done >= max_iterations:
            raise SolverError(
                f"π*_β did not converge (fixed-point residual {res:.2e} after {done} mirror-prox "
                f"iterations, beta={b}); beta may be too small for this game"
            )
        logpi = _mirror_prox(game, logpi, b, chunk)
        done += chunk
        chunk = min(2 * chunk, 5000)


def _newton(game: PreferenceGame, logpi: np.ndarray, beta: float, res: float,
            tol: float) -> tuple[np.ndarray, float]:
    """Newton on F(l) = l − log softmax(log π_ref + P e^l / β) in log-probabilities l = log π.

    Working in logs keeps the relative precision of tiny probabilities (π ~ e^{−1/β}). The Jacobian is
    I − (I − 1 qᵀ) P diag(π) / β; padded responses keep l = −∞ (their rows are the identity).
    """
    mask = game.mask
    eye = np.eye(game.num_responses)
    l = np.where(mask, logpi, 0.0)
    for _ in range(30):
        pi = np.where(mask, np.exp(l), 0.0)
        q = np.exp(log_softmax(game.log_reference + _win(game.P, pi) / beta))
        with np.errstate(divide="ignore"):
            F = np.where(mask, l - np.log(np.where(mask, q, 1.0)), 0.0)
        M = eye - q[:, None, :]  # (I − 1 qᵀ): row i is e_i − q
        J = eye - (M @ game.P) * pi[:, None, :] / beta
        J = np.where(mask[:, :, None], J, eye)
        try:
            step = np.linalg.solve(J, -F[..., None])[..., 0]
        except np.linalg.LinAlgError:
            break
        new = l + np.where(mask, step, 0.0)
        new = np.where(mask, new - logsumexp(np.where(mask, new, -np.inf))[:, None], 0.0)
        new_res = fixed_point_residual(game, np.where(mask, np.exp(new), 0.0), beta)
        if not new_res < res:
            break
        l, res = new, new_res
        if res <= tol:
            break
    return np.where(mask, l, -np.inf), res


def minimax_winner(game: PreferenceGame) -> np.ndarray:
    """A minimax (von Neumann) winner per context: max v s.t. P(π ≻ y') ≥ v for all y'.

    The symmetric game's value is 1/2, so the optimum has v = 1/2 (Fishburn 1984; Dudík et al. 2015).
    All contexts are solved as one batched LP. Padded responses are made strictly worse for both
    players (a row of −1, a column of 2, against real probabilities in [0, 1]): then no optimal
    strategy puts weight on them, and each context's value and optimal strategies are those of its
    real responses.
    """
    mask = game.mask
    Q = np.where(mask[:, :, None], game.P, -1.0)
    Q = np.where(mask[:, None, :], Q, 2.0)
    _, x, _ = solve_matrix_games(Q, what="the minimax-winner LP")
    x = np.where(mask, x, 0.0)
    total = x.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise SolverError("the minimax-winner LP put all weight on padded responses")
    return x / total


# ---------------------------------------------------------------------------------------------
# Bradley-Terry reward and the policies built on it
# ---------------------------------------------------------------------------------------------

PAIRS = ("auto", "counts", "reference", "uniform")


def pair_weights(game: PreferenceGame, pairs: str = "auto") -> np.ndarray:
    """How often each pair is compared, (X, K, K): ``"counts"`` (the data), ``"reference"`` (π_ref ⊗ π_ref),
    ``"uniform"``, or ``"auto"`` (counts when the game came from data, else the reference policy)."""
    check_choice("pairs", pairs, PAIRS)
    if pairs == "auto":
        pairs = "counts" if game.counts is not None else "reference"
    if pairs == "counts":
        if game.counts is None:
            raise InvalidParameterError("this game has no comparison counts; use pairs='reference'")
        W = game.counts + game.counts.transpose(0, 2, 1)
    elif pairs == "reference":
        W = game.reference[:, :, None] * game.reference[:, None, :]
    else:  # "uniform"
        W = (game.mask[:, :, None] & game.mask[:, None, :]).astype(float)
    W = W * (1.0 - np.eye(game.num_responses))
    return W / np.maximum(W.sum(axis=(1, 2), keepdims=True), 1e-300)


def _bt_fit(P: np.ndarray, W: np.ndarray, mask: np.ndarray, scale: float, l2: float) -> np.ndarray:
    """Maximise Σ_{y≠y'} W P(y≻y') log σ(scale·(s_y − s_y')) − (l2/2)‖s‖² per context by damped Newton."""
    X, K, _ = P.shape
    s = np.zeros((X, K))
    eye = np.eye(K)
    pad = (~mask).astype(float)

    def objective(s: np.ndarray) -> np.ndarray:
        d = scale * (s[:, :, None] - s[:, None, :])
        return np.sum(W * P * -np.logaddexp(0.0, -d), axis=(1, 2)) - 0.5 * l2 * np.sum(s * s, axis=1)

    f = objective(s)
    for _ in range(100):
        d = scale * (s[:, :, None] - s[:, None, :])
        sig = 0.5 * (1.0 + np.tanh(0.5 * d))
        grad = scale * np.sum(W * (P - sig), axis=2) - l2 * s
        curv = W * sig * (1.0 - sig) * scale**2
        H = curv - np.eye(K) * curv.sum(axis=2)[:, :, None] - l2 * eye
        # the likelihood is shift invariant; pin the shift (and padded slots) with extra curvature
        m = mask.astype(float)
        shift = m[:, :, None] * m[:, None, :] / m.sum(axis=1)[:, None, None]
        H = H - shift * (l2 == 0) - pad[:, :, None] * eye
        step = np.linalg.solve(-H, grad[..., None])[..., 0] * mask
        t = np.ones(X)
        for _ in range(40):
            new = s + t[:, None] * step
            fn = objective(new)
            ok = fn >= f - 1e-15 * np.abs(f)
            if ok.all():
                break
            t = np.where(ok, t, 0.5 * t)
        s, f = new, fn
        if np.max(np.abs(t[:, None] * step)) < 1e-13:
            break
    s = s - np.sum(s * mask, axis=1, keepdims=True) / mask.sum(axis=1, keepdims=True)
    return np.where(mask, s, 0.0)


def bradley_terry_reward(game: PreferenceGame, *, pairs: str = "auto", l2: float = 0.0) -> np.ndarray:
    """Maximum-likelihood Bradley-Terry reward r (X, K), centred per context.

    Maximises ``Σ_{y≠y'} W(y,y') P(y≻y') log σ(r_y − r_y')``: the population log-likelihood of
    comparisons drawn with pair frequencies W (`pair_weights`). When P is itself Bradley-Terry, P =
    σ(r_y − r_y'), the true r is recovered (up to a shift). ``l2`` adds a ridge; use it when some
    P entries are exactly 0 or 1 (the unpenalised MLE is then infinite).
    """
    l2 = check_positive("l2", l2, allow_zero=True)
    return _bt_fit(game.P, pair_weights(game, pairs), game.mask, 1.0, l2)


def kl_regularised_optimum(game: PreferenceGame, reward: np.ndarray, beta: float | None = None) -> np.ndarray:
    """``argmax_π E_π r − β KL(π‖π_ref)`` = π_ref exp(r/β) / Z; the greedy policy (ties split) for β = 0."""
    b = game.beta if beta is None else float(beta)
    if b > 0:
        return np.exp(log_softmax(game.log_reference + reward / b))
    r = np.where(game.mask, reward, -np.inf)
    top = np.isclose(r, r.max(axis=1, keepdims=True), rtol=0, atol=1e-12) & game.mask
    return top / top.sum(axis=1, keepdims=True)


def rlhf_policy(game: PreferenceGame, *, pairs: str = "auto", l2: float = 0.0) -> np.ndarray:
    """Reward-model RLHF: fit the Bradley-Terry MLE reward, then take the KL-regularised optimum."""
    return kl_regularised_optimum(game, bradley_terry_reward(game, pairs=pairs, l2=l2))


def dpo_policy(game: PreferenceGame, *, pairs: str = "auto", l2: float = 0.0) -> np.ndarray:
    """Minimiser of the population DPO loss ``−Σ W P(y≻y') log σ(β h(y) − β h(y'))``, h = log π/π_ref.

    Rafailov et al. (NeurIPS 2023) show this equals the RLHF optimum for the Bradley-Terry MLE
    reward under the same pair distribution; we solve it in h directly, so the equality is a check.
    """
    if game.beta <= 0:
        raise NotApplicableError("DPO needs beta > 0 (its loss is σ(β · log-ratio differences))")
    l2 = check_positive("l2", l2, allow_zero=True)
    h = _bt_fit(game.P, pair_weights(game, pairs), game.mask, game.beta, l2)
    return np.exp(log_softmax(game.log_reference + h))


def ipo_policy(game: PreferenceGame, *, pairs: str = "auto") -> np.ndarray:
    """Offline IPO optimum: h(y) − E_μ h = (P(y ≻ μ) − 1/2)/β with μ the pair marginal (Azar et al. 2024)."""
    if game.beta <= 0:
        raise NotApplicableError("IPO needs beta > 0")
    W = pair_weights(game, pairs)
    mu = W.sum(axis=2)
    mu = mu / np.maximum(mu.sum(axis=1, keepdims=True), 1e-300)
    return np.exp(log_softmax(game.log_reference + _win(game.P, mu) / game.beta))


def best_of_n_policy(game: PreferenceGame, n: int, reward: np.ndarray | None = None) -> np.ndarray:
    """Law of the best of n draws from π_ref under ``reward`` (ties broken by response index).

    With responses sorted by reward and F the CDF of π_ref in that order, π(y) = F(y)^n − F(y⁻)^n.
    """
    n = check_int("n", n, minimum=1)
    r = bradley_terry_reward(game) if reward is None else np.asarray(reward, dtype=float)
    X, K = r.shape
    r = np.where(game.mask, r, -np.inf)
    order = np.lexsort((np.broadcast_to(np.arange(K), (X, K)), r), axis=1)
    ref_sorted = np.take_along_axis(game.reference, order, axis=1)
    cdf = np.cumsum(ref_sorted, axis=1)
    cdf = np.minimum(cdf / cdf[:, -1:], 1.0)
    prev = np.concatenate([np.zeros((X, 1)), cdf[:, :-1]], axis=1)
    probs_sorted = cdf**n - prev**n
    out = np.zeros((X, K))
    np.put_along_axis(out, order, probs_sorted, axis=1)
    return out


# ---------------------------------------------------------------------------------------------
# Registered solvers
# ---------------------------------------------------------------------------------------------

def _solution(game: PreferenceGame, pi: np.ndarray, name: str, **info: Any) -> list[Solution]:
    from ..metrics.preference import summary

    pi = game.validate_policy(pi)
    full = summary(game, pi)
    full.update(info)
    return [Solution(pi, game.expected_payoffs(pi), name, info=full)]


def _check_fit_options(pairs: Any, l2: Any) -> None:
    """Validate the Bradley-Terry fitting options (``l2`` is a ridge weight: finite and ≥ 0)."""
    check_choice("pairs", pairs, PAIRS)
    check_positive("l2", l2, allow_zero=True)


@register_method("preference-nash", families=("preference",), certified=True)
def solve_regularised_nash(game: PreferenceGame, *, tol: float = 1e-14) -> list[Solution]:
    """The β-regularised Nash equilibrium π*_β to machine precision (Munos et al. 2024); LP for β = 0."""
    tol = check_positive("tol", tol)
    pi = regularised_nash(game, tol=tol)
    return _solution(game, pi, "preference-nash",
                     fixed_point_residual=fixed_point_residual(game, pi) if game.beta > 0 else 0.0)


@register_method("minimax-winner", families=("preference",))
def solve_minimax_winner(game: PreferenceGame) -> list[Solution]:
    """The unregularised minimax (von Neumann) winner by one LP per context (Dudík et al. 2015)."""
    return _solution(game, minimax_winner(game), "minimax-winner")


@register_method("bt-rlhf", families=("preference",))
def solve_rlhf(game: PreferenceGame, *, pairs: str = "auto", l2: float = 0.0) -> list[Solution]:
    """Bradley-Terry MLE reward, then the KL-regularised optimum π ∝ π_ref exp(r/β) (Ouyang et al. 2022)."""
    _check_fit_options(pairs, l2)
    return _solution(game, rlhf_policy(game, pairs=pairs, l2=l2), "bt-rlhf")


@register_method("dpo", families=("preference",))
def solve_dpo(game: PreferenceGame, *, pairs: str = "auto", l2: float = 0.0) -> list[Solution]:
    """The population DPO optimum (Rafailov et al., NeurIPS 2023)."""
    _check_fit_options(pairs, l2)
    return _solution(game, dpo_policy(game, pairs=pairs, l2=l2), "dpo")


@register_method("ipo", families=("preference",))
def solve_ipo(game: PreferenceGame, *, pairs: str = "auto") -> list[Solution]:
    """The offline IPO optimum (Azar et al., AISTATS 2024)."""
    check_choice("pairs", pairs, PAIRS)
    return _solution(game, ipo_policy(game, pairs=pairs), "ipo")


@register_method("best-of-n", families=("preference",))
def solve_best_of_n(game: PreferenceGame, *, n: int = 4) -> list[Solution]:
    """Best-of-n sampling from π_ref against the Bradley-Terry MLE reward (Nakano et al. 2021)."""
    n = check_int("n", n, minimum=1)
    return _solution(game, best_of_n_policy(game, n), "best-of-n", n=n)


__all__ = [
    "best_of_n_policy", "bradley_terry_reward", "dpo_policy", "fixed_point_residual", "ipo_policy",
    "kl_regularised_optimum", "minimax_winner", "pair_weights", "regularised_nash", "rlhf_policy",
]
