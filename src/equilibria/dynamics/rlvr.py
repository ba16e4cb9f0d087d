"""Group policy-optimisation learners for verifiable-reward games (GRPO and its family).

Each learner holds tabular softmax logits θ (X, N, V + 1), one row per prompt and prefix, starting
at the game's prior logits, and is named after its advantage estimator (`equilibria.rlvr.advantages`).
One iteration:

1. Allocate the rollout budget: a batch of prompts and a group size for each (``allocation``,
   `equilibria.rlvr.allocation`; default: every prompt, ``group_size`` answers).
2. Sample the answers of every group from the current policy π_old (inverse CDF over the
   enumerated answers, all groups at once) and score them with the verifier, r ∈ {0, 1}.
3. Compute one advantage per answer with the learner's estimator, the same for all its tokens.
4. ``epochs`` gradient-ascent steps θ ← θ + η ∇J on the batch (η = ``step_size``), with J the
   paper's surrogate aggregated over tokens (``aggregation``):

   - surrogate ``"clip"`` (PPO/GRPO): per token min(ρ A, clip(ρ, 1 − ε, 1 + ε_high) A), ρ = π/π_old;
     surrogate ``"logprob"`` (REINFORCE, RLOO, GPG): A log π;
   - minus ``kl_coef`` × the k3 estimate π_ref/π − log(π_ref/π) − 1 per token (π_ref: the prior);
   - aggregation ``"seq-mean-token-mean"`` (GRPO: mean over tokens of an answer, then over
     answers), ``"token-mean"`` (DAPO/GPG: mean over all tokens of the batch),
     ``"seq-mean-token-sum-norm"`` (Dr. GRPO: token sums over a constant, the maximum answer
     length), ``"seq-mean-token-sum"`` (sequence log-probability, REINFORCE/RLOO).

   The tabular gradient is closed form: a token a at prefix n with weight w contributes
   w (e_a − π(·|n)) to the logits of (prompt, n); the weights are accumulated with one bincount.
   The objective is scaled by the number of groups in the batch, so ``step_size`` is the step
   each prompt's table sees whatever the batch size (the papers average over the batch; with a
   shared network the average is natural, with tables it would shrink every prompt's step).
5. Entropy control (Cui et al., "The Entropy Mechanism of Reinforcement Learning for Reasoning
   Language Models", arXiv:2505.22617, 2025), on the centred covariance of each token,
   Cov_t = (log π(y_t) − mean log π)(A_t − mean A) over the batch's tokens:
   ``"clip-cov"`` drops the gradient of max(1, ⌊r T⌋) tokens drawn at random among those with
   ω_low <= Cov_t <= ω_high (r = ``cov_ratio``, default 2e-4, ω = (1, 5), the paper's values);
   ``"kl-cov"`` adds −β |log π(y_t) − log π_old(y_t)| to the objective of the max(1, ⌊k T⌋) tokens
   with the largest Cov_t (k = ``cov_ratio``, default 2e-3, β = ``kl_cov_coef`` = 1). Its gradient
   is zero at π = π_old, so it acts from the second epoch on a batch (``epochs`` >= 2), as in the
   paper, where one batch makes several mini-batch updates.

Policies. ``policy="tabular"`` (default): the logits are the parameters. ``policy="mlp"``: logits =
prior + tanh(φ W1 + b1) W2 with φ the one-hot prompt ⊕ one-hot prefix, ``hidden`` units (32), the
output layer starting at zero (so the policy starts at the prior); the closed-form logit gradient
is back-propagated through the network by hand (NumPy, no PyTorch), so answers to one prompt move
the policy of others through the shared hidden layer.

Simplifications, for every learner: plain gradient ascent on the logits instead of Adam; the whole
batch in one update per epoch (no mini-batches); answers are whole token sequences from an exact
enumeration (no maximum-length truncation other than the game's L). All randomness comes from
``self.rng``: the same seed gives the same trajectory; a checkpoint holds the logits, the
generator and the allocation state, so a resumed run continues exactly.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_probability, check_real, check_size
from ..errors import InvalidParameterError, NotApplicableError
from ..games.verifiable import VerifiableRewardGame
from ..registry import register_method
from ..rlvr import allocation as alloc
from ..rlvr.advantages import advantages as estimate
from ..rlvr.advantages import bnpo_beta_parameters, gpg_alpha
from ..run import Learner

AGGREGATIONS = ("seq-mean-token-mean", "token-mean", "seq-mean-token-sum-norm", "seq-mean-token-sum")
ENTROPY_CONTROLS = ("none", "clip-cov", "kl-cov")


def softmax_logits(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


class GroupPolicyOptimization(Learner):
    """Shared machinery of the group policy-optimisation learners (see the module docstring)."""

    families: ClassVar[tuple[str, ...]] = ("rlvr",)
    default_output: ClassVar[str] = "last"
    estimator: ClassVar[str] = "grpo"
    default_aggregation: ClassVar[str] = "seq-mean-token-mean"
    surrogate: ClassVar[str] = "clip"

    def __init__(self, game: VerifiableRewardGame, *, seed: int | None = None, group_size: int = 8,
                 step_size: float = 1.0, clip_range: float = 0.2, clip_high: float | None = None,
                 epochs: int = 1, kl_coef: float = 0.0, aggregation: str | None = None,
                 entropy_control: str = "none", cov_ratio: float | None = None, cov_low: float = 1.0,
                 cov_high: float = 5.0, kl_cov_coef: float = 1.0, allocation: str = "uniform",
                 batch_prompts: int | None = None, knapsack_min: int | None = None,
                 knapsack_max: int | None = None,
                 mopps_decay: float = 0.9, mopps_target: float = 0.5, sec_rate: float = 0.5,
                 sec_temperature: float = 0.2, policy: str = "tabular", hidden: int | None = None):
        if not isinstance(game, VerifiableRewardGame):
            raise NotApplicableError(
                f"{type(self).__name__} needs a VerifiableRewardGame, not {type(game).__name__}")
        super().__init__(game, seed=seed)
        X = game.num_prompts
        self.group_size = check_int("group_size", group_size, minimum=1, maximum=4096)
        self.step_size = check_positive("step_size", step_size, maximum=1e6)
        self.clip_range = check_real("clip_range", clip_range, minimum=0.0, maximum=10.0)
        self.clip_high = self.clip_range if clip_high is None else check_real("clip_high", clip_high,
                                                                              minimum=0.0, maximum=10.0)
        self.epochs = check_int("epochs", epochs, minimum=1, maximum=100)
        self.kl_coef = check_real("kl_coef", kl_coef, minimum=0.0, maximum=1e6)
        agg = self.default_aggregation if aggregation is None else aggregation
        self.aggregation = check_choice("aggregation", agg, AGGREGATIONS)
        self.entropy_control = check_choice("entropy_control", entropy_control, ENTROPY_CONTROLS)
        default_ratio = {"clip-cov": 2e-4, "kl-cov": 2e-3}.get(self.entropy_control, 0.0)
        self.cov_ratio = default_ratio if cov_ratio is None else check_probability("cov_ratio", cov_ratio)
        self.cov_low = check_real("cov_low", cov_low, minimum=-1e6, maximum=1e6)
        self.cov_high = check_real("cov_high", cov_high, minimum=self.cov_low, maximum=1e6)
        self.kl_cov_coef = check_real("kl_cov_coef", kl_cov_coef, minimum=0.0, maximum=1e6)
        if self.entropy_control == "kl-cov" and self.epochs < 2:
            raise InvalidParameterError(
                "entropy_control='kl-cov' penalises |log π − log π_old|, whose gradient is zero on the first "
                "update of a batch: give epochs >= 2"
            )
        self.allocation = check_choice("allocation", allocation, alloc.ALLOCATIONS)
        self.batch_prompts = X if batch_prompts is None else check_int("batch_prompts", batch_prompts,
                                                                       minimum=1, maximum=X)
        self.knapsack_min = (min(2, self.group_size) if knapsack_min is None
                             else check_int("knapsack_min", knapsack_min, minimum=1, maximum=self.group_size))
        self.knapsack_max = (4 * self.group_size if knapsack_max is None
                             else check_int("knapsack_max", knapsack_max, minimum=self.group_size,
                                            maximum=65536))
        self.mopps_decay = check_probability("mopps_decay", mopps_decay)
        self.mopps_target = check_probability("mopps_target", mopps_target)
        self.sec_rate = check_probability("sec_rate", sec_rate, open_low=True)
        self.sec_temperature = check_positive("sec_temperature", sec_temperature, maximum=1e6)
        if self.allocation == "sec" and game.categories.max(initial=0) > 10_000:
            raise InvalidParameterError("sec allocation supports at most 10000 prompt categories")
        check_size("the RLVR learner's batch",
                   8.0 * (self.batch_prompts * self.knapsack_max * (game.num_answers + 4 * game.max_length)
                          + 4 * game.correct.size + 6 * game.prior_logits.size))
        self._check_estimator_options()
        self.policy_kind = check_choice("policy", policy, ("tabular", "mlp"))
        if self.policy_kind == "tabular" and hidden is not None:
            raise InvalidParameterError("hidden applies to policy='mlp' only (it would be ignored)")
        self.logits = np.array(game.prior_logits, dtype=float)
        if self.policy_kind == "mlp":
            H = 32 if hidden is None else check_int("hidden", hidden, minimum=1, maximum=4096)
            D = X + game.num_nodes
            check_size("the MLP policy", 8.0 * (X * game.num_nodes * (H + game.num_actions) * 4 + D * H))
            self.W1 = self.rng.standard_normal((D, H)) / np.sqrt(2.0)
            self.b1 = np.zeros(H)
            # a zero output layer: the network starts exactly at the prior
            self.W2 = np.zeros((H, game.num_actions))
        # allocation state (plain arrays, so the checkpoint is complete)
        self.success_estimate = np.full(X, np.nan)
        self.beta_a = np.ones(X)
        self.beta_b = np.ones(X)
        self.category_values = np.zeros(int(game.categories.max(initial=0)) + 1)
        # statistics of the last batch
        self.last_nonzero_share = float("nan")
        self.last_nonzero_sample_share = float("nan")
        self.last_mean_abs_advantage = float("nan")
        self.samples_drawn = 0

    # -- the estimator ------------------------------------------------------------------------
    def _estimator_options(self) -> dict[str, Any]:
        return {}

    def _check_estimator_options(self) -> None:
        pass

    def _advantages(self, rewards: np.ndarray, group: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Advantages of the flattened answers; groups of unequal sizes share batch-level statistics."""
        opts = self._estimator_options()
        B = len(sizes)
        if np.all(sizes == sizes[0]):
            return estimate(self.estimator, rewards.reshape(B, int(sizes[0])), **opts).ravel()
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        means = np.bincount(group, weights=rewards, minlength=B) / sizes
        if self.estimator == "gpg":
            opts["alpha"] = gpg_alpha([rewards[s:s + n] for s, n in zip(starts, sizes, strict=True)])
        elif self.estimator == "bnpo":
            opts["beta_params"] = bnpo_beta_parameters(means)
        elif self.estimator == "a-grae":
            opts["batch_mean"] = float(means.mean())
        out = np.empty_like(rewards)
        for n in np.unique(sizes):  # a handful of distinct sizes, each batched
            rows = np.flatnonzero(sizes == n)
            idx = starts[rows][:, None] + np.arange(n)[None, :]
            out[idx] = estimate(self.estimator, rewards[idx], **opts)
        return out

    # -- one iteration --------------------------------------------------------------------------
    def _allocate(self) -> tuple[np.ndarray, np.ndarray]:
        game, G, B = self.game, self.group_size, self.batch_prompts
        if self.allocation == "uniform":
            return alloc.uniform(self.rng, game.num_prompts, B, G)
        if self.allocation == "knapsack":
            prompts, sizes = alloc.uniform(self.rng, game.num_prompts, B, G)
            p_hat = self.success_estimate[prompts]
            if np.isnan(p_hat).any():  # a prompt never seen: the uniform budget (the paper's first epoch)
                return prompts, sizes
            return prompts, alloc.knapsack_budgets(p_hat, B * G, self.knapsack_min, self.knapsack_max)
        if self.allocation == "mopps":
            prompts, _ = alloc.mopps_select(self.rng, self.beta_a, self.beta_b, B, self.mopps_target)
            return prompts, np.full(len(prompts), G, dtype=np.int64)
        prompts = alloc.sec_select(self.rng, self.category_values, game.categories, B, self.sec_temperature)
        return prompts, np.full(len(prompts), G, dtype=np.int64)

    def policy(self) -> np.ndarray:
        return softmax_logits(self.logits)

    def _step(self) -> None:
        self.apply_batch(self.sample_batch())

    def sample_batch(self) -> dict[str, np.ndarray]:
        """Steps 1-3: allocate, sample every group's answers from π_old, score them, advantages."""
        game = self.game
        prompts, sizes = self._allocate()
        keep = sizes > 0
        prompts, sizes = prompts[keep], sizes[keep]
        B = len(prompts)
        pi_old = self.policy()
        # sample every group's answers at once (inverse CDF over the enumerated answers)
        q = game.answer_probabilities(pi_old, validate=False)[prompts]
        cdf = np.cumsum(q, axis=1)
        group = np.repeat(np.arange(B), sizes)
        u = self.rng.random(len(group)) * cdf[group, -1]
        answers = np.minimum((u[:, None] >= cdf[group]).sum(axis=1), game.num_answers - 1)
        rewards = game.correct[prompts[group], answers].astype(float)
        self.samples_drawn += len(answers)
        adv = self._advantages(rewards, group, sizes)
        return {"prompts": prompts, "sizes": sizes, "group": group, "answers": answers,
                "rewards": rewards, "advantages": adv, "policy": pi_old}

    def _token_weights(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """The batch's tokens: flat (prompt, prefix, token) index, prefix row, advantage, aggregation
        weight (times the number of groups, see the module docstring)."""
        game = self.game
        answers, adv = batch["answers"], batch["advantages"]
        B = len(batch["prompts"])
        sample_prompt = batch["prompts"][batch["group"]]
        steps = game.answer_steps[answers]
        nodes = game.path_nodes[answers]
        valid = nodes >= 0
        tok_sample = np.broadcast_to(np.arange(len(answers))[:, None], nodes.shape)[valid]
        tok_node, tok_act = nodes[valid], game.path_actions[answers][valid]
        S, T = len(answers), len(tok_sample)
        if self.aggregation == "seq-mean-token-mean":
            agg = 1.0 / (S * steps[tok_sample])
        elif self.aggregation == "token-mean":
            agg = np.full(T, 1.0 / T)
        elif self.aggregation == "seq-mean-token-sum-norm":
            agg = np.full(T, 1.0 / (S * game.max_length))
        else:
            agg = np.full(T, 1.0 / S)
        _, N, A = self.logits.shape
        flat_row = sample_prompt[tok_sample] * N + tok_node
        return flat_row * A + tok_act, flat_row, adv[tok_sample], agg * B

    def apply_batch(self, batch: dict[str, np.ndarray]) -> None:
        """Step 4-5: ``epochs`` ascent steps on the batch's surrogate; allocation statistics."""
        game = self.game
        flat, flat_row, tok_adv, agg = self._token_weights(batch)
        X, N, A = self.logits.shape
        pi_old = batch["policy"]
        old_logp = np.log(pi_old.reshape(-1)[flat])
        ref = game.prior_policy.reshape(-1)[flat] if self.kl_coef > 0 else None
        clip_drop = self._clip_cov_tokens(old_logp, tok_adv) if self.entropy_control == "clip-cov" else None
        for epoch in range(self.epochs):
            pi = pi_old if epoch == 0 else self.policy()
            logp = old_logp if epoch == 0 else np.log(pi.reshape(-1)[flat])
            if self.surrogate == "clip":
                ratio = np.exp(logp - old_logp)
                clipped = ((tok_adv > 0) & (ratio > 1.0 + self.clip_high)) | (
                    (tok_adv < 0) & (ratio < 1.0 - self.clip_range))
                w = np.where(clipped, 0.0, tok_adv * ratio)
            else:
                w = tok_adv.copy()
            if clip_drop is not None:
                w[clip_drop] = 0.0
            if self.entropy_control == "kl-cov":
                top = self._kl_cov_tokens(logp, tok_adv)
                w[top] -= self.kl_cov_coef * np.sign(logp[top] - old_logp[top])
            if ref is not None:
                w = w - self.kl_coef * (1.0 - ref / np.exp(logp))
            w = w * agg
            grad = np.bincount(flat, weights=w, minlength=X * N * A).reshape(X, N, A)
            grad -= pi * np.bincount(flat_row, weights=w, minlength=X * N).reshape(X, N, 1)
            if self.policy_kind == "tabular":
                self.logits = self.logits + self.step_size * grad
            else:
                # shared parameters: the papers' batch average (the tabular scaling by the number
                # of groups would multiply the shared layers' step by it)
                self._mlp_ascend(grad / len(batch["prompts"]))
        prompts, sizes, group = batch["prompts"], batch["sizes"], batch["group"]
        rewards, adv = batch["rewards"], batch["advantages"]
        B = len(prompts)
        succ = np.bincount(group, weights=rewards, minlength=B)
        group_abs = np.bincount(group, weights=np.abs(adv), minlength=B) / sizes
        nonzero = np.bincount(group, weights=(adv != 0).astype(float), minlength=B) > 0
        self.last_nonzero_share = float(nonzero.mean())
        self.last_nonzero_sample_share = float(nonzero[group].mean())
        self.last_mean_abs_advantage = float(np.abs(adv).mean())
        self.success_estimate[prompts] = succ / sizes
        if self.allocation == "mopps":
            self.beta_a, self.beta_b = alloc.mopps_update(self.beta_a, self.beta_b, prompts, succ,
                                                          sizes.astype(float), self.mopps_decay)
        elif self.allocation == "sec":
            self.category_values = alloc.sec_update(self.category_values, game.categories, prompts,
                                                    group_abs, self.sec_rate)

    # -- the MLP policy ----------------------------------------------------------------------------
    def _mlp_hidden(self) -> np.ndarray:
        """tanh(W1[prompt] + W1[X + prefix] + b1) for every (prompt, prefix): (X, N, H)."""
        X = self.game.num_prompts
        return np.tanh(self.W1[:X, None, :] + self.W1[None, X:, :] + self.b1)

    def _mlp_ascend(self, grad: np.ndarray) -> None:
        """θ ← θ + η ∇_θ Σ grad ⊙ logits(θ): back-propagate the closed-form logit gradient through
        logits = prior + tanh(φ W1 + b1) W2, φ = one-hot prompt ⊕ one-hot prefix."""
        h = self._mlp_hidden()
        d_pre = (grad @ self.W2.T) * (1.0 - h * h)
        d_W2 = np.einsum("xnh,xna->ha", h, grad)
        d_W1 = np.concatenate([d_pre.sum(axis=1), d_pre.sum(axis=0)])
        d_b1 = d_pre.sum(axis=(0, 1))
        eta = self.step_size
        self.W2 = self.W2 + eta * d_W2
        self.W1 = self.W1 + eta * d_W1
        self.b1 = self.b1 + eta * d_b1
        self.logits = self.game.prior_logits + self._mlp_hidden() @ self.W2

    def _centred_cov(self, logp: np.ndarray, adv: np.ndarray) -> np.ndarray:
        return (logp - logp.mean()) * (adv - adv.mean())

    def _clip_cov_tokens(self, logp: np.ndarray, adv: np.ndarray) -> np.ndarray:
        cov = self._centred_cov(logp, adv)
        cand = np.flatnonzero((cov >= self.cov_low) & (cov <= self.cov_high))
        n = min(max(int(self.cov_ratio * len(cov)), 1), len(cand))
        if n == 0:
            return cand
        return self.rng.choice(cand, size=n, replace=False)

    def _kl_cov_tokens(self, logp: np.ndarray, adv: np.ndarray) -> np.ndarray:
        cov = self._centred_cov(logp, adv)
        n = min(max(int(self.cov_ratio * len(cov)), 1), len(cov))
        return np.argsort(-cov, kind="stable")[:n]

    # -- the learner protocol -------------------------------------------------------------------
    def current_strategy(self) -> np.ndarray:
        return self.policy()

    def diagnostics(self) -> dict[str, float]:
        """Exact pass@1, pass@G, entropy per token and wrong-answer length of the policy; the share
        of groups with a non-zero advantage and the mean |advantage| in the last batch."""
        from ..metrics.verifiable import summary

        out = summary(self.game, self.policy(), k=self.group_size)
        out["nonzero_gradient_share"] = self.last_nonzero_share
        out["mean_abs_advantage"] = self.last_mean_abs_advantage
        return {k: v for k, v in out.items() if not (isinstance(v, float) and np.isnan(v))}

    def solution_info(self, profile: Any) -> dict[str, Any]:
        from ..metrics.verifiable import summary

        out: dict[str, Any] = summary(self.game, profile, k=self.group_size)
        out["samples"] = int(self.samples_drawn)
        return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in out.items()}


_COMMON = """
    Options shared by every learner of this module (see `equilibria.dynamics.rlvr`): ``group_size``
    G, ``step_size`` η, ``clip_range``/``clip_high`` ε, ``epochs``, ``kl_coef`` (k3 KL to the prior),
    ``aggregation``, ``entropy_control`` (``none``, ``clip-cov``, ``kl-cov``; Cui et al. 2025) with
    ``cov_ratio``, ``cov_low``, ``cov_high``, ``kl_cov_coef``, and ``allocation`` (``uniform``,
    ``knapsack``, ``mopps``, ``sec``; `equilibria.rlvr.allocation`) with ``batch_prompts`` and the
    allocation's own options.
"""


@register_method("grpo", families=("rlvr",))
class GRPO(GroupPolicyOptimization):
    """Group relative policy optimisation (Shao et al., "DeepSeekMath: Pushing the Limits of
    Mathematical Reasoning in Open Language Models", arXiv:2402.03300, 2024).

    1. Sample G answers per prompt from π_old; r_i ∈ {0, 1}.
    2. A_i = (r_i − mean r) / (std r + 1e-4), std with Bessel's correction (TRL's default).
    3. Ascend (1/G) Σ_i (1/|o_i|) Σ_t min(ρ_t A_i, clip(ρ_t, 1 − ε, 1 + ε) A_i) − β k3_t
       (``kl_coef`` β, default 0 as in TRL; the paper used 0.04).
    """

    estimator = "grpo"


@register_method("dr-grpo", families=("rlvr",))
class DrGRPO(GroupPolicyOptimization):
    """GRPO done right (Liu et al., "Understanding R1-Zero-Like Training: A Critical Perspective",
    arXiv:2503.20783, 2025).

    1. Sample G answers per prompt; r_i ∈ {0, 1}.
    2. A_i = r_i − mean r (no division by the std: no difficulty bias).
    3. Ascend (1/G) Σ_i (1/L_max) Σ_t min(ρ_t A_i, clip(ρ_t) A_i): token sums over a constant
       (here the game's maximum length L) instead of 1/|o_i| (no length bias).
    """

    estimator = "dr-grpo"
    default_aggregation = "seq-mean-token-sum-norm"


@register_method("rloo", families=("rlvr",))
class RLOO(GroupPolicyOptimization):
    """REINFORCE leave-one-out (Ahmadian et al., "Back to Basics: Revisiting REINFORCE Style
    Optimization for Learning from Human Feedback in LLMs", ACL 2024; Kool et al. 2019).

    1. Sample G >= 2 answers per prompt; r_i ∈ {0, 1}.
    2. A_i = r_i − (1/(G − 1)) Σ_{j≠i} r_j.
    3. Ascend (1/G) Σ_i A_i log π(o_i) (the sequence log-probability; no ratio clipping).
    """

    estimator = "rloo"
    default_aggregation = "seq-mean-token-sum"
    surrogate = "logprob"

    def _check_estimator_options(self) -> None:
        if self.group_size < 2:
            raise InvalidParameterError("rloo needs group_size >= 2 (a leave-one-out baseline)")


@register_method("reinforce", families=("rlvr",))
class Reinforce(GroupPolicyOptimization):
    """REINFORCE with a constant baseline (Williams, "Simple Statistical Gradient-Following
    Algorithms for Connectionist Reinforcement Learning", Machine Learning 1992).

    1. Sample G answers per prompt; r_i ∈ {0, 1}.
    2. A_i = r_i − b (``baseline`` b; 0: no baseline).
    3. Ascend (1/G) Σ_i A_i log π(o_i).
    """

    estimator = "reinforce"
    default_aggregation = "seq-mean-token-sum"
    surrogate = "logprob"

    def __init__(self, game: VerifiableRewardGame, *, baseline: float = 0.0, **options: Any):
        self.baseline = check_real("baseline", baseline, minimum=-1e6, maximum=1e6)
        super().__init__(game, **options)

    def _estimator_options(self) -> dict[str, Any]:
        return {"baseline": self.baseline}


@register_method("gpg", families=("rlvr",))
class GPG(GroupPolicyOptimization):
    """Group policy gradient (Chu et al., "GPG: A Simple and Strong Reinforcement Learning Baseline
    for Model Reasoning", arXiv:2504.02546, 2025).

    1. Sample G answers per prompt; r_i ∈ {0, 1}.
    2. A_i = α (r_i − mean r), α = B/(B − M) with B answers in the batch and M of them in groups
       whose rewards are all equal (the accurate-gradient-estimation correction).
    3. Ascend (1/Σ|o_i|) Σ_i Σ_t A_i log π(o_{i,t}): the plain policy gradient, no surrogate, no KL.
    Simplification: the paper's optional std normalisation above a threshold is omitted.
    """

    estimator = "gpg"
    default_aggregation = "token-mean"
    surrogate = "logprob"


@register_method("bnpo", families=("rlvr",))
class BNPO(GroupPolicyOptimization):
    """Beta normalisation policy optimisation (Xiao et al., "BNPO: Beta Normalization Policy
    Optimization", arXiv:2506.02864, 2025).

    1. Sample G answers per prompt; r_i ∈ {0, 1}; p = mean r of each group.
    2. A_i = (r_i − p) / f_Beta(p; a, b), with (a, b) from the batch's group means by moments,
       a = max(1, 1 + â/3), b = max(1, 1 + b̂/3) (the authors' rule; so the normalisation tracks the
       policy), 1/f capped at 1e6.
    3. Ascend the clipped surrogate, token-mean aggregation (the authors' verl setting).
    """

    estimator = "bnpo"
    default_aggregation = "token-mean"


@register_method("ngrpo", families=("rlvr",))
class NGRPO(GroupPolicyOptimization):
    """Negative-enhanced GRPO (Nan et al., "NGRPO: Negative-enhanced Group Relative Policy
    Optimization", arXiv 2025).

    1. Sample G answers per prompt; r_i ∈ {0, 1}.
    2. Add a virtual answer of the maximum reward 1 to the group's statistics:
       A_i = (r_i − mean(r ∪ {1})) / (std(r ∪ {1}) + 1e-4), so an all-wrong group still has A < 0.
    3. Ascend GRPO's clipped surrogate. Simplification: the paper's asymmetric clipping is
       available as ``clip_high`` but not on by default.
    """

    estimator = "ngrpo"


@register_method("pass@k", families=("rlvr",))
class PassAtK(GroupPolicyOptimization):
    """Pass@k training (Chen et al., "Pass@k Training for Adaptively Balancing Exploration and
    Exploitation of Large Reasoning Models", arXiv:2508.10751, 2025), analytic advantage.

    1. Sample G answers per prompt; n⁻ wrong ones.
    2. R̄ = 1 − C(n⁻, k)/C(G, k), σ = √(R̄(1 − R̄)); correct answers A = (1 − R̄)/σ, wrong ones
       A = (1 − R̄ − C(n⁻ − 1, k − 1)/C(G − 1, k − 1))/σ (the mean, over the k-subsets containing
       the answer, of the subset's normalised max reward).
    3. Ascend GRPO's clipped surrogate. Option ``k`` (default 4) <= ``group_size``.
    """

    estimator = "pass@k"

    def __init__(self, game: VerifiableRewardGame, *, k: int = 4, **options: Any):
        self.k = check_int("k", k, minimum=1, maximum=4096)
        super().__init__(game, **options)

    def _check_estimator_options(self) -> None:
        if self.k > self.group_size or (self.allocation == "knapsack" and self.k > self.knapsack_min):
            from ..rlvr.advantages import GroupTooSmallError

            raise GroupTooSmallError(
                f"pass@k training with k = {self.k} needs every group to have at least k answers "
                f"(group_size {self.group_size}" + (f", knapsack_min {self.knapsack_min})"
                                                    if self.allocation == "knapsack" else ")")
            )

    def _estimator_options(self) -> dict[str, Any]:
        return {"k": self.k}


@register_method("a-grae", families=("rlvr",))
class AGRAE(GroupPolicyOptimization):
    """Asymmetric group relative advantage estimation (Yu et al., "Unveiling Implicit Advantage
    Symmetry: Why GRPO Struggles with Exploration and Difficulty Adaptation", arXiv:2602.05548, 2026).

    1. Sample G answers per prompt; p = the group's accuracy, μ̄ = the batch's mean accuracy.
    2. Â = GRPO's advantage; Â ← μ̄ Â/(2(√p + ε)) + (1 − μ̄) Â/(2(1 − √p + ε)) (easy prompts first,
       hard ones as the batch accuracy grows); positive advantages are then scaled by
       min(1, μ̄/α) (``suppression`` α = 1), suppressing correct answers early to explore. This is
       the authors' released implementation of the rule.
    3. Ascend GRPO's clipped surrogate.
    """

    estimator = "a-grae"

    def __init__(self, game: VerifiableRewardGame, *, suppression: float = 1.0, **options: Any):
        self.suppression = check_positive("suppression", suppression, maximum=1e6)
        super().__init__(game, **options)

    def _estimator_options(self) -> dict[str, Any]:
        return {"suppression": self.suppression}


def _full_signature(cls: type) -> None:
    """Show the shared options in the signature of a learner whose ``__init__`` adds its own and
    forwards the rest, so the registry lists them and refuses unknown ones by name."""
    import inspect

    own = inspect.signature(cls.__init__)
    params = [p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD]
    names = {p.name for p in params}
    base = inspect.signature(GroupPolicyOptimization.__init__)
    params += [p for n, p in base.parameters.items() if n not in names and n not in ("self", "game")]
    cls.__init__.__signature__ = own.replace(parameters=params)  # type: ignore[attr-defined]


for _cls in (Reinforce, PassAtK, AGRAE):
    _full_signature(_cls)
for _cls in (GRPO, DrGRPO, RLOO, Reinforce, GPG, BNPO, NGRPO, PassAtK, AGRAE):
    _cls.__doc__ = (_cls.__doc__ or "") + _COMMON
