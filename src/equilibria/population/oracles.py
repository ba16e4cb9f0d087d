"""Policy spaces and best-response oracles: what PSRO needs to know about a game family.

A *policy space* says what one player's policy is in a family, how a tuple of policies becomes a
game profile, and how a meta-strategy (a distribution over a population) becomes one:

* normal form: a policy is a pure action (an ``int``); a mixture is the weighted one-hot sum;
* extensive form: a policy is a behaviour-policy array ``(num_infosets, max_actions)`` of which
  only the player's rows matter; a mixture is the reach-weighted behaviour policy that is
  realization-equivalent to it (Kuhn, "Extensive games and the problem of information", 1953),
  `equilibria.games.extensive_form.mix_policies`;
* Markov: a policy is a Markov policy ``(S, A_i)``; a mixture is the Markov policy with the same
  state-action occupancy against the others' averaged play, ``π̄(a|s) ∝ Σ_k w_k d_k(s) π_k(a|s)``
  (the MDP occupancy-measure equivalence, Puterman 1994 Thm 6.9.1). This is exact when the other
  players do not adapt to the hidden choice, and an approximation otherwise: a mixture of Markov
  policies is not a Markov policy in general.

An *oracle* maps (policy space, profile, player, rng) to a new policy for that player:
`ExactBestResponse` uses the metrics core (exact for every family), `QLearningOracle` learns one
by tabular Q-learning (Watkins & Dayan, "Q-learning", Mach. Learn. 1992) from sampled episodes,
`PPOOracle` by proximal policy optimisation (Schulman et al., "Proximal policy optimization
algorithms", arXiv:1707.06347, 2017) with PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._checks import check_int, check_positive, check_probability
from ..errors import NotApplicableError
from ..games.markov import MarkovGame
from ..games.normal_form import NormalFormGame
from ..metrics import best_response
from ..ops import softmax


class PolicySpace:
    """Family adapter used by PSRO and the empirical game. Subclasses implement the hooks."""

    def __init__(self, game: Any):
        self.game = game

    @property
    def num_players(self) -> int:
        return self.game.num_players

    def initial_policy(self, player: int, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def joint_profile(self, policies: Sequence[Any]) -> Any:
        raise NotImplementedError

    def mixture(self, player: int, policies: Sequence[Any], weights: np.ndarray, others: Any) -> Any:
        raise NotImplementedError

    def meta_profile(self, populations: Sequence[Sequence[Any]], sigma: Sequence[np.ndarray]) -> Any:
        """The game profile in which each player mixes its population by ``sigma``."""
        return self.joint_profile(
            [
                self.mixture(i, pop, np.asarray(w), None)
                for i, (pop, w) in enumerate(zip(populations, sigma, strict=True))
            ]
        )

    def replace(self, profile: Any, player: int, policy: Any) -> Any:
        """``profile`` with ``player``'s component replaced by ``policy``."""
        parts = list(self.components(profile))
        parts[player] = policy
        return self.joint_profile(parts)

    def components(self, profile: Any) -> list[Any]:
        return list(profile)

    def payoffs(self, policies: Sequence[Any]) -> np.ndarray:
        return np.asarray(self.game.expected_payoffs(self.joint_profile(policies)), dtype=float)

    def same(self, a: Any, b: Any) -> bool:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))

    def as_best_response(self, player: int, br: Any) -> Any:
        """Turn the metrics core's best response into this space's policy form."""
        return br


class NormalFormSpace(PolicySpace):
    """Policies are pure actions; the meta-game is a sub-tensor of the payoff tensor."""

    def initial_policy(self, player: int, rng: np.random.Generator) -> int:
        return int(rng.integers(self.game.num_actions[player]))

    def joint_profile(self, policies: Sequence[Any]) -> list[np.ndarray]:
        out = []
        for i, p in enumerate(policies):
            if np.ndim(p) == 0:
                v = np.zeros(self.game.num_actions[i])
                v[int(p)] = 1.0
                out.append(v)
            else:
                out.append(np.asarray(p, dtype=float))
        return out

    def mixture(self, player: int, policies: Sequence[Any], weights: np.ndarray, others: Any) -> np.ndarray:
        return np.bincount(
            np.asarray(policies, dtype=int), weights=weights, minlength=self.game.num_actions[player]
        )

    def payoff_tensor(self, populations: Sequence[Sequence[int]]) -> np.ndarray:
        idx = np.ix_(*[np.asarray(p, dtype=int) for p in populations])
        return self.game.payoffs[(slice(None), *idx)]

    def as_best_response(self, player: int, br: Any) -> int:
        return int(np.argmax(br))


class ExtensiveFormSpace(PolicySpace):
    """Policies are behaviour-policy arrays; mixtures are realization-equivalent (Kuhn 1953)."""

    def initial_policy(self, player: int, rng: np.random.Generator) -> np.ndarray:
        return self.game.uniform_profile()

    def joint_profile(self, policies: Sequence[Any]) -> np.ndarray:
        out = np.array(policies[0], dtype=float, copy=True)
        for p in range(1, self.num_players):
            rows = self.game.player_infosets[p]
            out[rows] = np.asarray(policies[p])[rows]
        return out

    def components(self, profile: Any) -> list[Any]:
        return [profile] * self.num_players

    def mixture(self, player: int, policies: Sequence[Any], weights: np.ndarray, others: Any) -> np.ndarray:
        from ..games.extensive_form import mix_policies

        keep = weights > 0
        return mix_policies(self.game, [p for p, k in zip(policies, keep, strict=True) if k], weights[keep])

    def same(self, a: Any, b: Any) -> bool:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))

    def as_best_response(self, player: int, br: Any) -> np.ndarray:
        """The metrics core gives the player's rows only; a policy here is a full behaviour array
        (the other players' rows uniform, never read)."""
        out = self.game.uniform_profile()
        out[self.game.player_infosets[player]] = br
        return out


class MarkovSpace(PolicySpace):
    """Markov policies; mixtures are occupancy-weighted (see the module docstring)."""

    def initial_policy(self, player: int, rng: np.random.Generator) -> np.ndarray:
        k = self.game.num_actions[player]
        return np.full((self.game.num_states, k), 1.0 / k)

    def joint_profile(self, policies: Sequence[Any]) -> list[np.ndarray]:
        return [np.asarray(p, dtype=float) for p in policies]

    def _state_visits(self, profile: list[np.ndarray]) -> np.ndarray:
        """``d[t, s]``: discounted visits of s at step t (t = 0 only when discounted)."""
        g = self.game
        if g.horizon is None:
            return g.occupancy(profile)[None]
        pi = g.joint_policy(profile)
        Ppi = np.einsum("sju,tsj->tsu", g.joint_transitions, pi)
        d = np.zeros((g.horizon, g.num_states))
        x = g.initial.copy()
        for t in range(g.horizon):
            d[t] = x
            x = g.discount * x @ Ppi[min(t, pi.shape[0] - 1)]
        return d

    def mixture(self, player: int, policies: Sequence[Any], weights: np.ndarray, others: Any) -> np.ndarray:
        pols = [np.asarray(p, dtype=float) for p in policies]
        if others is None or len(pols) == 1:
            T = max(p.ndim for p in pols)
            if T == 2:
                return sum(w * p for w, p in zip(weights, pols, strict=True))
            pols = [p if p.ndim == 3 else np.broadcast_to(p, (self.game.num_steps, *p.shape)) for p in pols]
            return sum(w * p for w, p in zip(weights, pols, strict=True))
        num = 0.0
        den = 0.0
        for w, p in zip(weights, pols, strict=True):
            if w <= 0:
                continue
            prof = list(others)
            prof[player] = p
            d = self._state_visits(prof)  # (T, S)
            pt = p if p.ndim == 3 else p[None]
            num = num + w * d[..., None] * pt
            den = den + w * d
        den = np.asarray(den)[..., None]
        plain = self.mixture(player, pols, weights, None)
        plain_t = plain if plain.ndim == 3 else np.broadcast_to(plain, num.shape)
        mixed = np.where(den > 1e-300, num / np.where(den > 1e-300, den, 1.0), plain_t)
        if mixed.shape[0] == 1 and all(p.ndim == 2 for p in pols):
            mixed = mixed[0]
        return mixed

    def meta_profile(
        self, populations: Sequence[Sequence[Any]], sigma: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        pairs = list(zip(populations, sigma, strict=True))
        plain = [self.mixture(i, pop, np.asarray(w), None) for i, (pop, w) in enumerate(pairs)]
        return [self.mixture(i, pop, np.asarray(w), plain) for i, (pop, w) in enumerate(pairs)]


#: the game families with a `PolicySpace` (a finite set of policies per player to grow)
SUPPORTED_FAMILIES = ("normal_form", "extensive_form", "markov")


def policy_space(game: Any) -> PolicySpace:
    """The `PolicySpace` of ``game``'s family (a `PolicySpace` passes through)."""
    if isinstance(game, PolicySpace):
        return game
    family = getattr(game, "family", "")
    if family == "normal_form":
        return NormalFormSpace(game)
    if family == "extensive_form":
        return ExtensiveFormSpace(game)
    if family == "markov":
        return MarkovSpace(game)
    raise NotApplicableError(
        f"PSRO and the population tools support {', '.join(f.replace('_', '-') for f in SUPPORTED_FAMILIES)} "
        f"games, not {(family or type(game).__name__).replace('_', '-')} games"
    )


class ExactBestResponse:
    """An exact best response from the metrics core: best-response passes over the compiled tree
    (extensive form), policy iteration (Markov) or an arg-max (normal form)."""

    exact = True

    def __call__(self, space: PolicySpace, profile: Any, player: int, rng: np.random.Generator) -> Any:
        return space.as_best_response(player, best_response(space.game, profile, player))


class QLearningOracle:
    """Tabular Q-learning against the fixed profile of the others (Watkins & Dayan, Mach. Learn. 1992).

    ``walkers`` trajectories run side by side, each taking ε-greedy steps in the MDP the others
    induce, for ``steps`` environment steps in all; each batch of transitions is one vectorised
    update ``Q(s,a) += η (r + γ max_a' Q(s',a') − Q(s,a))`` (duplicates averaged). A walker restarts
    from ``μ_0`` at a terminal state, at the horizon, or with probability 1 − γ per step (restarts
    only shape exploration; the bootstrapped target already discounts). A normal-form game is a
    one-state, one-step game. Returns the greedy policy.
    """

    exact = False

    def __init__(self, steps: int = 20_000, step_size: float = 0.2, epsilon: float = 0.2, walkers: int = 64):
        self.steps = check_int("steps", steps, minimum=1)
        self.step_size = check_positive("step_size", step_size, maximum=1.0)
        self.epsilon = check_probability("epsilon", epsilon)
        self.walkers = check_int("walkers", walkers, minimum=1)

    def __call__(self, space: PolicySpace, profile: Any, player: int, rng: np.random.Generator) -> Any:
        game = space.game
        if isinstance(game, NormalFormGame):
            prof = game.validate_profile(profile)
            # the one-step game with payoffs u_i(a, a_-i), sampled (never read off exactly)
            mg = MarkovGame(game.payoffs[None], np.ones((1, *game.num_actions, 1)), horizon=1)
            others = [np.asarray(p)[None] for p in prof]
            pol = q_learning(mg, others, player, self.steps, self.step_size, self.epsilon, self.walkers, rng)
            return int(np.argmax(pol[0, 0]))
        if not isinstance(game, MarkovGame):
            raise NotApplicableError("the Q-learning oracle supports normal-form and Markov games")
        return q_learning(game, profile, player, self.steps, self.step_size, self.epsilon, self.walkers, rng)


def q_learning(
    game: MarkovGame,
    profile: Any,
    player: int,
    steps: int,
    step_size: float,
    epsilon: float,
    walkers: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Vectorised tabular Q-learning of ``player`` against the others' ``profile`` by sampling.

    The others' actions and the next states are sampled from the game itself, one draw per walker
    and step; only the learner's Q-table is updated.
    """
    from .empirical import _sample_categorical

    pols = game.validate_profile(profile)
    S, A, T, n = game.num_states, game.num_actions[player], game.num_steps, game.num_players
    Q = np.zeros((T, S, A))
    strides = np.cumprod((1,) + game.num_actions[::-1])[:-1][::-1]
    W = walkers
    s = _sample_categorical(np.broadcast_to(game.initial, (W, S)), rng)
    t = np.zeros(W, dtype=np.int64)
    for _ in range(max(1, steps // W)):
        tk = np.minimum(t, T - 1)
        greedy = Q[tk, s].argmax(axis=1)
        a = np.where(rng.random(W) < epsilon, rng.integers(A, size=W), greedy)
        acts = [
            a if i == player else _sample_categorical(pols[i][np.minimum(t, pols[i].shape[0] - 1), s], rng)
            for i in range(n)
        ]
        j = sum(x * k for x, k in zip(acts, strides, strict=True))
        r = game.joint_rewards[s, player, j]
        s2 = _sample_categorical(game.joint_transitions[s, j], rng) if S > 1 else np.zeros(W, dtype=np.int64)
        last = game.terminal[s2] | ((t + 1 >= game.horizon) if game.horizon else np.zeros(W, dtype=bool))
        nxt = np.where(last, 0.0, Q[np.minimum(t + 1, T - 1), s2].max(axis=1))
        td = r + game.discount * nxt - Q[tk, s, a]
        flat = np.ravel_multi_index((tk, s, a), Q.shape)
        cnt = np.bincount(flat, minlength=Q.size)
        upd = np.bincount(flat, weights=td, minlength=Q.size)
        Q.reshape(-1)[cnt > 0] += step_size * upd[cnt > 0] / cnt[cnt > 0]
        restart = (
            last
            | (game.terminal[s2])
            | ((rng.random(W) > game.discount) if game.horizon is None else np.zeros(W, dtype=bool))
        )
        s = np.where(restart, _sample_categorical(np.broadcast_to(game.initial, (W, S)), rng), s2)
        t = np.where(restart, 0, t + 1)
    pol = np.zeros((T, S, A))
    np.put_along_axis(pol, Q.argmax(axis=2)[..., None], 1.0, axis=2)
    return pol[0] if game.horizon is None else pol


ORACLES = {"exact": ExactBestResponse, "q-learning": QLearningOracle}


def make_oracle(spec: Any) -> Any:
    """An oracle from a name (``"exact"``, ``"q-learning"``, ``"ppo"``) or a callable."""
    if callable(spec) and not isinstance(spec, str):
        return spec
    key = str(spec).strip().lower().replace("_", "-")
    if key == "ppo":
        return PPOOracle()
    if key not in ORACLES:
        from ..errors import UnknownNameError

        raise UnknownNameError("oracle", str(spec), [*ORACLES, "ppo"])
    return ORACLES[key]()


class PPOOracle:
    """Proximal policy optimisation (Schulman et al., arXiv:1707.06347, 2017) against a fixed profile.

    Markov games only; PyTorch is imported when the oracle is called (``pip install equilibria[torch]``).
    A small MLP over the one-hot state (and step, with a horizon) gives action logits and a value;
    each update collects ``batch`` environment steps from the induced MDP, computes GAE advantages
    (Schulman et al., "High-dimensional continuous control using generalized advantage estimation",
    ICLR 2016) and takes ``epochs`` clipped-objective gradient steps. Returns the greedy policy.
    """

    exact = False

    def __init__(
        self,
        updates: int = 30,
        batch: int = 512,
        epochs: int = 4,
        step_size: float = 3e-3,
        clip: float = 0.2,
        lam: float = 0.95,
        hidden: int = 64,
        walkers: int = 16,
    ):
        self.updates = check_int("updates", updates, minimum=1)
        self.batch = check_int("batch", batch, minimum=1)
        self.epochs = check_int("epochs", epochs, minimum=1)
        self.hidden = check_int("hidden", hidden, minimum=1)
        self.walkers = check_int("walkers", walkers, minimum=1)
        self.step_size = check_positive("step_size", step_size)
        self.clip = check_probability("clip", clip, open_low=True, open_high=True)
        self.lam = check_probability("lam", lam)

    def __call__(self, space: PolicySpace, profile: Any, player: int, rng: np.random.Generator) -> Any:
        try:
            import torch
        except ImportError:
            raise NotApplicableError("the PPO oracle needs PyTorch: pip install equilibria[torch]") from None
        game = space.game
        if not isinstance(game, MarkovGame):
            raise NotApplicableError("the PPO oracle supports Markov games")
        r, P = game.induced_mdp(profile, player)
        S, A, T = game.num_states, game.num_actions[player], game.num_steps
        torch.manual_seed(int(rng.integers(2**31)))
        feat = S + (T if game.horizon else 0)
        net = torch.nn.Sequential(
            torch.nn.Linear(feat, self.hidden), torch.nn.Tanh(), torch.nn.Linear(self.hidden, A + 1)
        )
        opt = torch.optim.Adam(net.parameters(), lr=self.step_size)

        def features(s: np.ndarray, t: np.ndarray) -> Any:
            x = np.zeros((len(s), feat), dtype=np.float32)
            x[np.arange(len(s)), s] = 1.0
            if game.horizon:
                x[np.arange(len(s)), S + np.minimum(t, T - 1)] = 1.0
            return torch.from_numpy(x)

        from .empirical import _sample_categorical

        grid_s = np.tile(np.arange(S), T)
        grid_t = np.repeat(np.arange(T), S)
        X_all = features(grid_s, grid_t)
        W = self.walkers
        L = max(1, self.batch // W)
        s = _sample_categorical(np.broadcast_to(game.initial, (W, S)), rng)
        t = np.zeros(W, dtype=np.int64)
        # episodes end with probability 1 - γ when discounted, so returns are not discounted again
        gamma = 1.0 if game.horizon is None else game.discount
        for _ in range(self.updates):
            with torch.no_grad():
                out = net(X_all).numpy().astype(float)
            probs_tab = softmax(out[:, :A])
            v_tab = out[:, A]
            ss = np.zeros((L, W), dtype=np.int64)
            ts, aa, done = np.zeros_like(ss), np.zeros_like(ss), np.zeros((L, W), dtype=bool)
            rr = np.zeros((L, W))
            for k in range(L):
                row = np.minimum(t, T - 1) * S + s
                a = _sample_categorical(probs_tab[row], rng)
                kr = np.minimum(t, r.shape[0] - 1)
                s2 = _sample_categorical(P[kr, s, a], rng)
                end = game.terminal[s2] | (
                    (t + 1 >= game.horizon) if game.horizon else (rng.random(W) > game.discount)
                )
                ss[k], ts[k], aa[k], rr[k], done[k] = s, t, a, r[kr, s, a], end
                s = np.where(end, _sample_categorical(np.broadcast_to(game.initial, (W, S)), rng), s2)
                t = np.where(end, 0, t + 1)
            rows = np.minimum(ts, T - 1) * S + ss
            v = v_tab[rows]
            adv = np.zeros((L, W))
            last = np.zeros(W)
            for k in reversed(range(L)):
                nv = np.where(done[k], 0.0, v[k + 1] if k + 1 < L else v_tab[np.minimum(t, T - 1) * S + s])
                delta = rr[k] + gamma * nv - v[k]
                last = delta + gamma * self.lam * np.where(done[k], 0.0, last)
                adv[k] = last
            x = X_all[torch.from_numpy(rows.ravel())]
            ret = torch.tensor((adv + v).ravel(), dtype=torch.float32)
            flat_adv = adv.ravel()
            adv_t = torch.tensor((flat_adv - flat_adv.mean()) / (flat_adv.std() + 1e-8), dtype=torch.float32)
            a_t = torch.from_numpy(aa.ravel())
            old = torch.tensor(np.log(probs_tab[rows.ravel(), aa.ravel()] + 1e-12), dtype=torch.float32)
            for _ in range(self.epochs):
                out_t = net(x)
                lp = torch.log_softmax(out_t[:, :A], 1).gather(1, a_t[:, None])[:, 0]
                ratio = torch.exp(lp - old)
                clipped = torch.clamp(ratio, 1 - self.clip, 1 + self.clip)
                loss = -torch.min(ratio * adv_t, clipped * adv_t).mean()
                loss = loss + 0.5 * ((out_t[:, A] - ret) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        with torch.no_grad():
            logits = net(X_all)[:, :A].numpy().reshape(T, S, A)
        pol = np.zeros((T, S, A))
        np.put_along_axis(pol, logits.argmax(axis=2)[..., None], 1.0, axis=2)
        return pol[0] if game.horizon is None else pol
