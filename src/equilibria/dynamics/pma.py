"""Independent policy mirror ascent by N agents on one sample path of the N-player game (``pma``).

Yardim, Cayci, Geist & He, "Policy Mirror Ascent for Efficient and Independent Learning in Mean
Field Games", ICML 2023. `NAgentSimulator` turns any stationary (discounted) `MeanFieldGame` into
its N-player game: N agents each in a state, every agent's reward and transition given by the
game's model at the *empirical* distribution of the N agents. `PolicyMirrorAscent` lets each agent
learn on its own: no agent sees the others' policies, nor a model of the population, nor can it
reset the population (no "population generative model"); all it gets is its own state, action and
reward along the one trajectory the N agents share.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_int, check_positive, check_size
from ..errors import NotApplicableError
from ..games.mean_field import MeanFieldGame
from ..registry import register_method
from ..run import Learner


def _sample_rows(rng: np.random.Generator | np.ndarray, probs: np.ndarray) -> np.ndarray:
    """One index per row of ``probs`` (rows are distributions), by the inverse CDF; ``rng`` may
    instead be the uniform draws themselves, one per row."""
    cdf = np.cumsum(probs, axis=-1)
    u = rng if isinstance(rng, np.ndarray) else rng.random(probs.shape[:-1])
    return _inverse_cdf(u, cdf)


def _inverse_cdf(u: np.ndarray, cdf: np.ndarray) -> np.ndarray:
    return np.minimum((u[..., None] * cdf[..., -1:] >= cdf).sum(axis=-1), cdf.shape[-1] - 1)


class NAgentSimulator:
    """The N-player game of a stationary mean-field game with one population.

    ``states`` (N,) are the agents' states; `step` takes each agent's action, pays
    ``r(s_i, a_i, μ̂)`` and moves every agent with ``p(· | s_i, a_i, μ̂)``, where μ̂ is the empirical
    distribution of the N agents' states (or, for games whose model sees state-action
    distributions, of their state-action pairs). All N agents move in one vectorised draw.
    """

    def __init__(self, game: MeanFieldGame, num_agents: int, rng: np.random.Generator):
        if not isinstance(game, MeanFieldGame):
            raise NotApplicableError("the N-agent simulator is built from a mean-field game")
        if game.num_populations != 1:
            raise NotApplicableError(
                "the N-agent simulator (and pma) takes a mean-field game with one population"
            )
        self.game = game
        self.num_agents = num_agents
        self.clock = 0
        self.states = self.initial_states(rng)

    def initial_states(self, rng: np.random.Generator) -> np.ndarray:
        """N independent draws from the game's initial distribution (the start of an episode)."""
        mu0 = np.broadcast_to(self.game.initial[0], (self.num_agents, self.game.num_states))
        return _sample_rows(rng, mu0)

    def empirical(self, actions: np.ndarray | None = None) -> np.ndarray:
        """μ̂ (1, S), or the state-action distribution L̂ (1, S, A) for action-dependent games."""
        g, N = self.game, self.num_agents
        if g.action_dependent:
            flat = np.bincount(self.states * g.num_actions + actions, minlength=g.num_states * g.num_actions)
            return (flat / N).reshape(1, g.num_states, g.num_actions)
        return (np.bincount(self.states, minlength=g.num_states) / N)[None]

    def step(
        self, actions: np.ndarray, rng: np.random.Generator, draws: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rewards (N,), next states (N,), terminal rewards (N,))`` at the simulator's step
        ``clock``; the simulator moves on (``draws``: the N uniform numbers to move with). With a
        finite horizon H, the step from H − 1 ends the episode: the terminal rewards
        ``g(s', μ̂_H)`` are paid (zero before) and the next episode starts from fresh draws of the
        initial distribution."""
        g = self.game
        t = self.clock
        m = self.empirical(actions)
        rewards = g.reward_at(t, m)[0, self.states, actions]
        ker = g.kernel_at(t, m)
        u = rng if draws is None else draws
        if ker.dense is not None:
            nxt = _sample_rows(u, ker.dense[0, self.states, actions])
        else:
            slot = _sample_rows(u, ker.probs[0, self.states, actions])
            nxt = ker.targets[0, self.states, actions, slot]
        terminal = np.zeros(self.num_agents)
        if g.stationary:
            self.states = nxt
        elif t + 1 < g.horizon:
            self.states, self.clock = nxt, t + 1
        else:
            mu_H = (np.bincount(nxt, minlength=g.num_states) / self.num_agents)[None]
            terminal = g.terminal_at(mu_H)[0, nxt]
            self.states, self.clock = self.initial_states(rng), 0
        return rewards, nxt, terminal


@register_method("pma", families=("mean_field",))
class PolicyMirrorAscent(Learner):
    """Independent policy mirror ascent with conditional TD estimates on one N-agent sample path
    (Yardim, Cayci, Geist & He, "Policy Mirror Ascent for Efficient and Independent Learning in
    Mean Field Games", ICML 2023, independent learning with CTD, "conditional TD learning").

    The paper's game is stationary (discounted, γ < 1); a finite-horizon game works too, its path a
    sequence of episodes (each restarting from the initial distribution, Q and π indexed by the
    step). One population. The game's entropy temperature τ (``temperature`` of the game) is the
    paper's regulariser h = τ Σ π log π, and the exploitability the run loop reports is the
    regularised one. Each of ``num_agents`` agents i keeps its own policy π^i (uniform at first)
    and Q-estimate Q^i. One iteration (an epoch t):

    1. Mixing (CTD): the N agents play π^i_t for ``mix_steps`` steps of the N-player game without
       learning, so that the empirical distribution moves towards μ^{π_t}; CTD's estimate is
       conditional on the population having mixed. The path is never reset.
    2. Conditional TD (``estimator="ctd"``, the default): ``td_steps`` more steps; each agent
       updates only its own visited entry, with the step β = ``td_step_size`` / (1 + n)^0.6
       (n: the entry's visits this epoch),
       ``Q^i(s, a) ← Π_R[Q^i(s, a) + β_m (r + γ Σ_b π^i(b|s') (Q^i(s', b) − τ log π^i(b|s')) − Q^i(s, a))]``
       (Π_R: clipping to the ball ‖Q‖_∞ ≤ R, R = 2 · (the game's payoff scale + τ log A · horizon));
       the estimate handed to step 3 is the average of the iterates over the second half of the
       epoch (tail Polyak–Ruppert averaging, which the slowly decaying step needs).
       ``estimator="td0"``: the same TD(0) updates without projection, handing the last iterate
       to step 3 (and no mixing unless asked): the estimator this learner used before CTD.
    3. Policy mirror ascent (entropy-regularised, KL proximal step ``step_size`` = η):
       ``π^i_{t+1}(·|s) ∝ (π^i_t(·|s) exp(η Q̂^i(s, ·)))^{1/(1 + ητ)}``.

    The paper's claim: with the sample budget of each epoch ~ ε⁻² (up to logs) and O(log 1/ε)
    epochs, the agents reach ε plus an O(1/√N) error from the finite population: the paper's PMA
    map is a contraction for τ large enough, so the mean-field limit converges without averaging.

    Output: the agents' mean policy (``current_strategy``); ``diagnostics`` adds the mean over
    agents of each agent's own exploitability (``agent_exploitability``) and the samples each
    agent has used so far (``samples``, mixing steps included).

    Simplifications: the step sizes (per visited entry, not the paper's time-indexed schedule,
    which starves rarely visited entries of a table), the radius R and the tail averaging are
    ours (the paper states its schedule up to constants for worst-case bounds); the TD target
    uses the expected next value under π^i (expected SARSA) rather than the sampled next action; each epoch's
    estimate starts from the previous epoch's last iterate (warm start).
    """

    families = ("mean_field",)
    default_output = "last"

    def __init__(
        self,
        game: MeanFieldGame,
        *,
        seed: int | None = None,
        num_agents: int = 20,
        td_steps: int = 200,
        step_size: float = 1.0,
        td_step_size: float = 1.0,
        estimator: str = "ctd",
        mix_steps: int | None = None,
    ):
        super().__init__(game, seed=seed)
        self.num_agents = check_int("num_agents", num_agents, minimum=1, maximum=10**6)
        self.td_steps = check_int("td_steps", td_steps, minimum=1, maximum=10**8)
        self.step_size = check_positive("step_size", step_size, maximum=1e6)
        self.td_step_size = check_positive("td_step_size", td_step_size, maximum=1.0)
        self.estimator = check_choice("estimator", estimator, ("ctd", "td0"))
        default_mix = self.td_steps // 4 if self.estimator == "ctd" else 0
        self.mix_steps = default_mix if mix_steps is None else check_int(
            "mix_steps", mix_steps, minimum=0, maximum=10**8)
        if not isinstance(game, MeanFieldGame):
            raise NotApplicableError("pma applies to mean-field games (family 'mean_field')")
        T, S, A = game.num_steps, game.num_states, game.num_actions
        check_size("pma's per-agent policies and Q-estimates", 8 * 5 * self.num_agents * T * S * A)
        sim = NAgentSimulator(game, self.num_agents, self.rng)
        self.agent_states, self.clock = sim.states, 0
        uniform = game.legal[0] / game.legal[0].sum(-1, keepdims=True)  # (T, S, A)
        self.policies = np.broadcast_to(uniform, (self.num_agents, T, S, A)).copy()
        self.Q = np.zeros((self.num_agents, T, S, A))
        self.Q_hat = self.Q.copy()  # the last epoch's estimate handed to the mirror step
        self.samples = 0
        horizon = 1.0 / (1.0 - game.discount) if game.stationary else float(game.horizon)
        self.radius = 2.0 * (game.payoff_scale + game.temperature * np.log(A) * horizon)

    def _step(self) -> None:
        g = self.game
        N, H = self.num_agents, g.num_steps
        tau, gamma = g.temperature, g.discount
        pol = self.policies
        logp = np.log(np.where(pol > 0, pol, 1.0))
        ent_cost = tau * np.sum(pol * logp, axis=-1)  # (N, T, S): τ Σ π log π
        ctd = self.estimator == "ctd"
        visits = np.zeros(self.Q.shape)
        agents = np.arange(N)
        sim = NAgentSimulator.__new__(NAgentSimulator)
        sim.game, sim.num_agents, sim.states, sim.clock = g, N, self.agent_states, self.clock
        cdf = np.cumsum(pol, axis=-1)
        M, total = self.td_steps, self.mix_steps + self.td_steps
        draws = self.rng.random((total, 2, N))  # per step: the moves, the next actions
        actions = _inverse_cdf(self.rng.random(N), cdf[agents, sim.clock, sim.states])
        tail_from = M // 2
        tail = np.zeros(self.Q.shape) if ctd else None
        for k in range(total):
            s, t = sim.states, sim.clock
            rewards, s2, terminal = sim.step(actions, self.rng, draws[k, 0])
            m = k - self.mix_steps
            if m >= 0:
                if g.stationary or t + 1 < H:
                    t2 = 0 if g.stationary else t + 1
                    nxt = pol[agents, t2, s2]
                    v2 = np.sum(nxt * self.Q[agents, t2, s2], axis=-1) - ent_cost[agents, t2, s2]
                else:
                    v2 = terminal  # the episode ended: the terminal reward is the value of s'
                q = self.Q[agents, t, s, actions]
                n = visits[agents, t, s, actions]
                new = q + self.td_step_size / (1.0 + n) ** 0.6 * (rewards + gamma * v2 - q)
                if ctd:
                    new = np.clip(new, -self.radius, self.radius)
                visits[agents, t, s, actions] = n + 1.0
                self.Q[agents, t, s, actions] = new
                if ctd and m >= tail_from:
                    tail += self.Q
            actions = _inverse_cdf(draws[k, 1], cdf[agents, sim.clock, sim.states])
        self.agent_states, self.clock = sim.states, sim.clock
        self.samples += total
        estimate = tail / (M - tail_from) if ctd else self.Q.copy()
        self.Q_hat = estimate
        # entropy-regularised policy mirror ascent (KL proximal step), over the legal actions
        logits = (logp + self.step_size * estimate) / (1.0 + self.step_size * tau)
        logits = np.where(g.legal[0][None], logits, -np.inf)
        logits -= logits.max(axis=-1, keepdims=True)
        w = np.exp(logits)
        self.policies = w / w.sum(axis=-1, keepdims=True)

    def _shape(self, pol: np.ndarray) -> np.ndarray:
        """An agent policy ``(T, S, A)`` in the game's policy shape."""
        return pol[None, 0] if self.game.stationary else pol[None]

    def current_strategy(self) -> np.ndarray:
        return self._shape(self.policies.mean(axis=0))

    def agent_exploitability(self) -> float:
        """Mean over agents of ``max_π' J(π', μ̄) − J(π^i, μ̄)``, μ̄ the flow of the agents' mean
        policy (each agent's gain from deviating, in the mean-field limit)."""
        g = self.game
        mean = self.current_strategy()
        mu = g.forward(mean)
        mdp = g.induced_mdp(mu, mean if g.action_dependent else None)
        _, V_br, _ = g.backward(mdp)
        best = g._initial_value(V_br)[0]
        values = [g._initial_value(g.backward(mdp, self._shape(p))[1])[0] for p in self.policies]
        return float(best - np.mean(values))

    def diagnostics(self) -> dict[str, float]:
        return {"agent_exploitability": self.agent_exploitability(), "samples": float(self.samples)}
