"""Learners for Nash learning from human feedback: Nash-MD, Nash-MP, EGPO, INPO, SPO and online IPO.

Every method is written in log-probabilities l = log π, for all contexts at once, with
g(y|x) = P(y ≻ π' | x) the win probability of each response against a policy π' (computed
exactly, or estimated from sampled comparisons), l_ref = log π_ref and β the game's KL strength:

==========  ======================================================================  =============
method      one iteration                                                           paper
==========  ======================================================================  =============
nash-md     l_μ ∝ (1 − ηβ) l + ηβ l_ref;  l ← log softmax(l_μ + η g(π_μ))           Munos 2024
nash-mp     l_½ ∝ c (l_ref + l/η + g(π)/β);  l ← ∝ c (l_ref + l/η + g(π_½)/β),       Tiapkin 2025
            c = η/(1 + η), η = 2β
egpo        l_½ ∝ (1 − ηβ) l + ηβ l_ref + η g(π);  l ← ∝ (1 − ηβ) l + ηβ l_ref      Zhou 2025
            + η g(π_½)
inpo        l ← ∝ (1 − ηβ) l + ηβ l_ref + η g(π)                                    Zhang 2024
spo         l ← ∝ l + η_t g(π), η_t = η/√(t+1); output: the average policy          Swamy 2024
online-ipo  θ ← θ − η ∇_θ E_{y,y'∼sg(π)} [(h_θ(y,y') − (o − 1/2)/β)²],               Calandriello
            h_θ = log π_θ(y)/π_ref(y) − log π_θ(y')/π_ref(y'), o ∼ Bernoulli(P(y≻y'))  2024
==========  ======================================================================  =============

η is the option ``step_size`` of every method (``eta`` and ``lr`` are its deprecated aliases).

Modes. ``mode="exact"`` uses g = P π' exactly. ``mode="sampled"`` asks a preference oracle: for
every context and every response y it draws ``batch`` opponents y' ∼ π' with ``self.rng`` and
observes o ∼ Bernoulli(P(y ≻ y')), so g is estimated by the mean outcome; each comparison is one
query (online IPO instead compares ``batch`` pairs y, y' ∼ π per context). ``max_queries`` caps the
total: once the next iteration would exceed it, iterations stop changing the policy and
`converged` turns True (the run loop then stops at its next evaluation).

Policies. ``policy="tabular"`` (default) holds the logits of a softmax policy per context; each
closed-form step is applied exactly. ``policy="neural"`` is a small PyTorch MLP f_θ over the game's
context features with π_θ(·|x) ∝ π_ref(·|x) exp f_θ(x) (so it starts at π_ref). Every step above
maximises a proximal objective of the form ⟨π, v⟩ − a KL(π‖q₁) − b KL(π‖q₂), which equals
−(a + b) KL(π‖target) + const for the closed-form target; the network is trained on exactly that
objective (reverse KL to the target) with ``inner_steps`` L-BFGS iterations. Online IPO takes one
plain gradient step on its own loss per iteration. PyTorch is imported only when a neural policy is built.

All randomness comes from ``self.rng``; the same seed gives the same trajectory and query count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from .._checks import check_choice, check_int, check_positive
from ..errors import InvalidParameterError, NotApplicableError
from ..games.preference import PreferenceGame
from ..ops import log_softmax as _normalise
from ..registry import register_method
from ..run import Learner


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run PyTorch on one thread: the policy's tensors are tiny, and thread start-up would dominate."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class _NeuralPolicy:
    """π_θ(·|x) ∝ π_ref(·|x) exp f_θ(φ(x)) with f_θ a one-hidden-layer tanh MLP (float64, PyTorch)."""

    def __init__(self, game: PreferenceGame, hidden: int, seed: int):
        import torch

        gen = torch.Generator().manual_seed(seed)
        d, K = game.features.shape[1], game.num_responses
        self.features = torch.tensor(game.features, dtype=torch.float64)
        self.log_ref = torch.tensor(np.where(game.mask, game.log_reference, -1e30), dtype=torch.float64)
        self.weights = torch.tensor(game.weights, dtype=torch.float64)
        self.mask = torch.tensor(game.mask)
        self.params = [
            (torch.randn(d, hidden, generator=gen, dtype=torch.float64) / np.sqrt(d)).requires_grad_(),
            torch.zeros(hidden, dtype=torch.float64, requires_grad=True),
            # a zero output layer: the network starts exactly at π_ref
            torch.zeros(hidden, K, dtype=torch.float64, requires_grad=True),
        ]

    def log_policy_t(self) -> Any:
        import torch

        W1, b1, W2 = self.params
        z = self.log_ref + torch.tanh(self.features @ W1 + b1) @ W2
        return torch.log_softmax(z, dim=1)

    def log_policy(self) -> np.ndarray:
        import torch

        with torch.no_grad():
            lp = self.log_policy_t().numpy()
        return np.where(self.mask.numpy(), lp, -np.inf)

    def fit(self, target: np.ndarray, steps: int) -> None:
        """Minimise E_x KL(π_θ(·|x) ‖ target(·|x)), the step's proximal objective up to a constant.

        A fresh L-BFGS run (``steps`` iterations, strong-Wolfe line search) per proximal step: unlike
        Adam with carried-over moments, it does not keep jittering once the fit is exact.
        """
        import torch

        tgt = torch.tensor(np.where(self.mask.numpy(), target, -1e30), dtype=torch.float64)
        opt = torch.optim.LBFGS(self.params, lr=1.0, max_iter=steps, tolerance_grad=1e-12,
                                tolerance_change=1e-15, history_size=20, line_search_fn="strong_wolfe")

        def closure() -> Any:
            opt.zero_grad()
            lp = self.log_policy_t()
            p = torch.exp(lp)
            kl = torch.where(self.mask, p * (lp - tgt), torch.zeros_like(p)).sum(dim=1)
            loss = self.weights @ kl
            loss.backward()
            return loss

        opt.step(closure)

    def descend(self, loss_fn: Any, lr: float) -> None:
        """One plain gradient step θ ← θ − lr ∇_θ loss (the online-IPO update)."""
        import torch

        for p in self.params:
            p.grad = None
        loss_fn(self.log_policy_t()).backward()
        with torch.no_grad():
            for p in self.params:
                p -= lr * p.grad


class PreferenceLearner(Learner):
    """Shared machinery: the policy (tabular or neural), the preference oracle, query budget, metrics."""

    families: ClassVar[tuple[str, ...]] = ("preference",)
    default_output: ClassVar[str] = "last"
    #: g-evaluations per iteration (each costs ``batch`` queries per real response in sampled mode)
    evaluations_per_step: ClassVar[int] = 1

    #: whether a neural policy is trained by ``inner_steps`` L-BFGS iterations per step
    uses_inner_steps: ClassVar[bool] = True

    def __init__(self, game: PreferenceGame, *, step_size: float | None = None,
                 seed: int | None = None, mode: str = "exact",
                 policy: str = "tabular", batch: int | None = None, max_queries: int | None = None,
                 hidden: int | None = None, inner_steps: int | None = None):
        """``step_size`` η: None for the method's default (see its `_step_size`). ``batch`` (default
        16) and ``max_queries`` apply to ``mode="sampled"`` only, ``hidden`` (default 32) and
        ``inner_steps`` (default 20) to ``policy="neural"`` only: giving one with the mode or policy
        that has no use for it raises `InvalidParameterError` (it would be ignored)."""
        if not isinstance(game, PreferenceGame):
            raise NotApplicableError(
                f"{type(self).__name__} needs a PreferenceGame, not {type(game).__name__}")
        super().__init__(game, seed=seed)
        self.step_size = self._step_size(game, step_size)
        mode = check_choice("mode", mode, ("exact", "sampled"))
        policy = check_choice("policy", policy, ("tabular", "neural"))
        ignored = []
        if mode == "exact":
            ignored += [k for k, v in (("batch", batch), ("max_queries", max_queries)) if v is not None]
        if policy == "tabular":
            ignored += [k for k, v in (("hidden", hidden), ("inner_steps", inner_steps)) if v is not None]
        elif not self.uses_inner_steps and inner_steps is not None:
            ignored.append("inner_steps")
        if ignored:
            raise InvalidParameterError(
                f"{', '.join(ignored)} would be ignored by {type(self).__name__} with mode={mode!r}, "
                f"policy={policy!r}: batch and max_queries apply to mode='sampled', hidden and "
                "inner_steps to policy='neural'" + ("" if self.uses_inner_steps else
                                                     " (inner_steps not to this method)"))
        batch = 16 if batch is None else check_int("batch", batch, minimum=1)
        if max_queries is not None:
            max_queries = check_int("max_queries", max_queries, minimum=0)
        hidden = 32 if hidden is None else check_int("hidden", hidden, minimum=1)
        inner_steps = 20 if inner_steps is None else check_int("inner_steps", inner_steps, minimum=1)
        self.mode = mode
        self.policy_kind = policy
        self.batch = int(batch)
        self.max_queries = max_queries
        self.inner_steps = int(inner_steps)
        self.queries = 0
        self.budget_exhausted = False
        self.log_pi = game.log_reference.copy()
        self.net = (_NeuralPolicy(game, int(hidden), int(self.rng.integers(2**31)))
                    if policy == "neural" else None)
        self.avg_pi = np.exp(self.log_pi)
        self.avg_count = 1

    # -- checkpoints: plain arrays only (a neural policy's weights as NumPy arrays) -------------
    def state_dict(self) -> dict[str, Any]:
        import copy

        state = {k: copy.deepcopy(v) for k, v in vars(self).items() if k not in ("game", "net")}
        if self.net is not None:
            state["net_params"] = [p.detach().numpy().copy() for p in self.net.params]
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        state = dict(state)
        params = state.pop("net_params", None)
        super().load_state_dict(state)
        if params is not None and self.net is not None:
            import torch

            with torch.no_grad():
                for p, v in zip(self.net.params, params, strict=True):
                    p.copy_(torch.as_tensor(np.asarray(v), dtype=torch.float64))

    # -- the policy ---------------------------------------------------------------------------
    def policy(self) -> np.ndarray:
        return np.where(self.game.mask, np.exp(self.log_pi), 0.0)

    def _set(self, target_log: np.ndarray) -> None:
        """Move the policy to the step's target (exactly for tabular, by training for neural)."""
        target_log = _normalise(target_log)
        if self.net is None:
            self.log_pi = target_log
        else:
            self.net.fit(target_log, self.inner_steps)
            self.log_pi = self.net.log_policy()

    # -- the preference oracle ----------------------------------------------------------------
    def _queries_per_step(self) -> int:
        if self.mode == "exact":
            return 0
        return self.evaluations_per_step * self.batch * int(self.game.mask.sum())

    def _wins(self, opponent_log: np.ndarray) -> np.ndarray:
        """g(y|x) = P(y ≻ π' | x): exact, or the mean of ``batch`` oracle outcomes per response."""
        game = self.game
        opp = np.where(game.mask, np.exp(opponent_log), 0.0)
        if self.mode == "exact":
            return np.einsum("xij,xj->xi", game.P, opp)
        X, K = opp.shape
        cdf = np.cumsum(opp, axis=1)
        u = self.rng.random((X, K, self.batch)) * cdf[:, -1, None, None]
        # inverse-CDF draws of the opponents y' ∼ π'(·|x), one batch per (x, y)
        opp_idx = np.minimum((u[..., None] >= cdf[:, None, None, :]).sum(axis=-1), K - 1)
        p = game.P[np.arange(X)[:, None, None], np.arange(K)[None, :, None], opp_idx]
        outcome = self.rng.random((X, K, self.batch)) < p
        self.queries += int(self.batch * game.mask.sum())
        return np.where(game.mask, outcome.mean(axis=2), 0.5)

    # -- the learner protocol -----------------------------------------------------------------
    def step(self) -> None:
        need = self._queries_per_step()
        if self.max_queries is not None and self.queries + need > self.max_queries:
            self.budget_exhausted = True
            self.iteration += 1
            return
        if self.net is None:
            super().step()
        else:
            with _one_thread():
                super().step()
        pi = self.policy()
        self.avg_count += 1
        self.avg_pi = self.avg_pi + (pi - self.avg_pi) / self.avg_count

    def current_strategy(self) -> np.ndarray:
        return self.policy()

    def average_strategy(self) -> np.ndarray:
        return self.avg_pi / self.avg_pi.sum(axis=1, keepdims=True)

    def converged(self) -> bool:
        return self.budget_exhausted

    def diagnostics(self) -> dict[str, float]:
        """Exploitability (the core's: in the game as defined, β-regularised), unregularised
        exploitability, KL(π*_β‖π) of the output iterate; queries used."""
        from ..metrics.preference import summary

        out = {k: v for k, v in summary(self.game, self.strategy()).items()
               if k in ("exploitability", "unregularised_exploitability", "kl_to_regularised_equilibrium")}
        out["queries"] = float(self.queries)
        return out

    def solution_info(self, profile: Any) -> dict[str, float]:
        """Scalars for `Solution.info` (and the CLI's JSON): the metrics of ``profile`` and queries used."""
        from ..metrics.preference import summary

        out = summary(self.game, profile)
        out["queries"] = int(self.queries)
        return out

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float | None:
        """The step size η to use: ``step_size`` checked against the method's bound, or its default."""
        raise NotImplementedError

    def _require_beta(self, game: PreferenceGame) -> float:
        if game.beta <= 0:
            raise NotApplicableError(
                f"{type(self).__name__} targets the β-regularised game; the game has beta = 0. "
                "Give the game a beta > 0 (e.g. preference:cyclic(beta=0.1))"
            )
        return game.beta

    def _anchor(self, eta: float) -> np.ndarray:
        """(1 − ηβ) l + ηβ l_ref: the log of the geometric mixture π^{1−ηβ} π_ref^{ηβ} (unnormalised),
        the KL-regularised part of the Nash-MD, EGPO and INPO steps."""
        b = self.game.beta
        return (1 - eta * b) * self.log_pi + eta * b * self.game.log_reference


@register_method("nash-md", families=("preference",))
class NashMD(PreferenceLearner):
    """Nash mirror descent (Munos et al., "Nash Learning from Human Feedback", ICML 2024).

    π_μ ∝ π^{1−ηβ} π_ref^{ηβ} (geometric mixture), then π ← π_μ exp(η P(· ≻ π_μ)) / Z. With the
    paper's schedule η_t = 2/(β(t + 2)) (default) KL(π*_β‖π_t) = O(1/t) (Munos et al., Thm. 1); a
    constant ``step_size`` η converges linearly to an O(η) neighbourhood.
    """

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float | None:
        b = self._require_beta(game)  # None: the schedule η_t = 2/(β(t + 2))
        return None if step_size is None else check_positive("step_size", step_size, maximum=1.0 / b)

    def _step(self) -> None:
        b = self.game.beta
        eta = self.step_size if self.step_size is not None else 2.0 / (b * (self.iteration + 2))
        mix = _normalise(self._anchor(eta))
        self._set(mix + eta * self._wins(mix))


@register_method("nash-mp", families=("preference",))
class NashMP(PreferenceLearner):
    """Nash mirror prox (Tiapkin et al., "Accelerating Nash Learning from Human Feedback via Mirror
    Prox", arXiv:2505.19731, 2025).

    π_{k+½} = argmin_π P(π_k ≻ π)/β + KL(π‖π_ref) + KL(π‖π_k)/η and π_{k+1} the same with π_{k+½}
    in the preference term. With η = 2β (default; the largest step their analysis allows, since
    P(·≻π) is 1/2-Lipschitz in ‖·‖₁), KL(π*_β‖π_k) ≤ (1 + 2β)^{−k} KL(π*_β‖π_0): with two preference
    evaluations per iteration that is the paper's (1 + 2β)^{−N/2} in N queries.
    """

    evaluations_per_step = 2

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float:
        b = self._require_beta(game)
        return 2.0 * b if step_size is None else check_positive("step_size", step_size)

    def _step(self) -> None:
        b, eta = self.game.beta, self.step_size
        c = eta / (1.0 + eta)
        base = self.game.log_reference + self.log_pi / eta
        half = _normalise(c * (base + self._wins(self.log_pi) / b))
        self._set(c * (base + self._wins(half) / b))


@register_method("egpo", families=("preference",))
class EGPO(PreferenceLearner):
    """Extragradient preference optimisation (Zhou, Fazel & Du, "Extragradient Preference
    Optimization (EGPO): Beyond Last-Iterate Convergence for Nash Learning from Human Feedback",
    arXiv:2503.08942, 2025), the entropy-regularised extragradient of Cen et al. (ICLR 2021).

    π_{t+½} ∝ π_t^{1−ηβ} π_ref^{ηβ} exp(η P(·≻π_t)), π_{t+1} ∝ π_t^{1−ηβ} π_ref^{ηβ} exp(η P(·≻π_{t+½})).
    Last-iterate linear convergence, KL(π*_β‖π_t) ≤ (1 − ηβ)^t KL(π*_β‖π_0), for η ≤ 1/(β + 1)
    (default); β = 0 is allowed (polynomial convergence to a minimax winner).
    """

    evaluations_per_step = 2

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float:
        cap = 1.0 / game.beta if game.beta > 0 else None
        return (1.0 / (1.0 + game.beta) if step_size is None
                else check_positive("step_size", step_size, maximum=cap))

    def _step(self) -> None:
        anchor = self._anchor(self.step_size)
        eta = self.step_size
        half = _normalise(anchor + eta * self._wins(self.log_pi))
        self._set(anchor + eta * self._wins(half))


@register_method("inpo", families=("preference",))
class INPO(PreferenceLearner):
    """Iterative Nash policy optimisation (Zhang et al., "Iterative Nash Policy Optimization: Aligning
    LLMs with General Preferences via No-Regret Learning", arXiv:2407.00617, 2024; ICLR 2025).

    Online mirror descent on the regularised game, π_{t+1} ∝ π_t^{1−ηβ} π_ref^{ηβ} exp(η P(·≻π_t)),
    whose fixed point is exactly π*_β; the paper realises the step as the minimiser of an IPO-like
    squared loss. Unlike the extragradient methods, plain mirror descent needs η = O(β): the default
    η = min(1/2, 8β) is the classical step bound 2μ/L² of the gradient method on a μ-strongly monotone,
    L-Lipschitz operator with μ = β (the KL term) and L = 1/2 (P(·≻π) in ‖·‖₁); the last iterate then
    converges linearly, at about 1 − ηβ per iteration, i.e. slowly for small β.
    """

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float:
        b = self._require_beta(game)
        if step_size is None:
            return min(0.5, 8.0 * b)
        return check_positive("step_size", step_size, maximum=1.0 / b)

    def _step(self) -> None:
        self._set(self._anchor(self.step_size) + self.step_size * self._wins(self.log_pi))


@register_method("spo", families=("preference",))
class SPO(PreferenceLearner):
    """Self-play preference optimisation (Swamy et al., "A Minimaximalist Approach to Reinforcement
    Learning from Human Feedback", ICML 2024).

    Each iteration scores the policy's own responses by their win rate against itself,
    r_t(y) = P(y ≻ π_t), and runs a no-regret update on that reward (here Hedge, the paper's
    theoretical instance): π_{t+1} ∝ π_t exp(η_t r_t), η_t = η/√(t+1) (η = 1 by default). SPO targets
    the unregularised minimax winner (it ignores β); its *average* policy converges at O(1/√T), while
    the last iterate of Hedge cycles around an interior equilibrium (Bailey & Piliouras, EC 2018).
    """

    default_output = "average"

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float:
        return 1.0 if step_size is None else check_positive("step_size", step_size)  # η of η_t = η/√(t+1)

    def _step(self) -> None:
        eta = self.step_size / np.sqrt(self.iteration + 1)
        self._set(self.log_pi + eta * self._wins(self.log_pi))

    def diagnostics(self) -> dict[str, float]:
        from ..metrics.preference import unregularised_exploitability

        out = super().diagnostics()
        last = self.current_strategy()
        out["unregularised_exploitability_last"] = unregularised_exploitability(self.game, last)
        return out


@register_method("online-ipo", families=("preference",))
class OnlineIPO(PreferenceLearner):
    """Online IPO (Calandriello et al., "Human Alignment of Large Language Models through Online
    Preference Optimisation", ICML 2024).

    Gradient descent on the IPO loss E_{y,y'∼sg(π)} (h_π(y,y') − (o − 1/2)/β)² with pairs drawn from
    the current policy (stop-gradient), h_π(y,y') = log π(y)/π_ref(y) − log π(y')/π_ref(y'). Its
    stationary points satisfy log π/π_ref = P(· ≻ π)/β + const, i.e. π = π*_β (their Prop. 1). In
    logits θ the exact gradient is 4 π(y)[s(y) − E_π s − (P(y ≻ π) − 1/2)/β] with s = θ − log π_ref.
    """

    uses_inner_steps = False  # one plain gradient step per iteration, also for a neural policy

    def _step_size(self, game: PreferenceGame, step_size: float | None) -> float:
        b = self._require_beta(game)
        return 0.25 * b / (1.0 + b) if step_size is None else check_positive("step_size", step_size)

    def _queries_per_step(self) -> int:
        return 0 if self.mode == "exact" else self.batch * self.game.num_contexts

    def _pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``batch`` pairs y, y' ∼ π per context and their oracle outcomes o ∼ Bernoulli(P(y ≻ y'))."""
        game = self.game
        pi = self.policy()
        X, K = pi.shape
        cdf = np.cumsum(pi, axis=1)
        u = self.rng.random((X, 2, self.batch)) * cdf[:, -1, None, None]
        idx = np.minimum((u[..., None] >= cdf[:, None, None, :]).sum(axis=-1), K - 1)
        y, y2 = idx[:, 0], idx[:, 1]
        p = game.P[np.arange(X)[:, None], y, y2]
        o = (self.rng.random((X, self.batch)) < p).astype(float)
        self.queries += X * self.batch
        return y, y2, o

    def _step(self) -> None:
        game, b = self.game, self.game.beta
        if self.net is None:
            pi = self.policy()
            s = np.where(game.mask, self.log_pi - game.log_reference, 0.0)
            if self.mode == "exact":
                g = np.einsum("xij,xj->xi", game.P, pi)
                grad = 4 * pi * (s - np.sum(pi * s, axis=1, keepdims=True) - (g - 0.5) / b)
            else:
                y, y2, o = self._pairs()
                X, K = pi.shape
                rows = np.arange(X)[:, None]
                err = s[rows, y] - s[rows, y2] - (o - 0.5) / b
                grad = np.zeros((X, K))
                np.add.at(grad, (np.broadcast_to(rows, y.shape), y), 2 * err / self.batch)
                np.add.at(grad, (np.broadcast_to(rows, y2.shape), y2), -2 * err / self.batch)
            self.log_pi = _normalise(np.where(game.mask, self.log_pi - self.step_size * grad, -np.inf))
            return
        import torch

        log_ref = torch.tensor(np.where(game.mask, game.log_reference, 0.0), dtype=torch.float64)
        w = self.net.weights
        if self.mode == "exact":
            pi = torch.tensor(self.policy(), dtype=torch.float64)
            A = torch.tensor(game.P - 0.5, dtype=torch.float64)
            m = self.net.mask.to(torch.float64)

            def loss(lp: Any) -> Any:
                s = torch.where(self.net.mask, lp, torch.zeros_like(lp)) - log_ref
                h = s[:, :, None] - s[:, None, :]
                sq = (h - A / b) ** 2 * (m[:, :, None] * m[:, None, :])
                return w @ torch.einsum("xi,xij,xj->x", pi, sq, pi)
        else:
            y, y2, o = self._pairs()
            yt, y2t = torch.tensor(y), torch.tensor(y2)
            ot = torch.tensor(o, dtype=torch.float64)

            def loss(lp: Any) -> Any:
                s = lp - log_ref
                h = torch.gather(s, 1, yt) - torch.gather(s, 1, y2t)
                return w @ ((h - (ot - 0.5) / b) ** 2).mean(dim=1)
        self.net.descend(loss, self.step_size)
        self.log_pi = self.net.log_policy()


__all__ = ["EGPO", "INPO", "SPO", "NashMD", "NashMP", "OnlineIPO", "PreferenceLearner"]
