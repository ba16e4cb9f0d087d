"""Equilibrium learning in Bayesian auctions on the bid-grid representation (family ``auction``).

Every learner holds each bidder's bid function as bids θ_i ∈ [0, max_bid]^G at the game's G grid
values (linear interpolation in between; `games.auction`), all in plain arrays, with all randomness
from ``self.rng`` (so checkpoints resume exactly):

==========================  ==================================================================  ===========
method                      one iteration                                                       paper
==========================  ==================================================================  ===========
smoothed-gradient           ascend the Monte-Carlo gradient of the *smoothed* game, whose        Kohring 2023
                            allocation is a softmax of the bids with temperature λ
npga                        ascend an evolution-strategies pseudo-gradient of the true game's    Bichler 2021
                            Monte-Carlo utility
best-response-iteration     each bidder in turn switches (a ``step_size`` fraction of the way)   Reeves 2004
                            to its best response on the bid grid
fictitious-play             each bidder best-responds to the time-average of the others'          Brown 1951
                            bid distributions
==========================  ==================================================================  ===========

The gradient methods return the *tail average* of their iterates (the average since the last
iteration count that was a power of two, so always over the last half or more of the run): the
Monte-Carlo noise averages out while the early, far-off iterates are forgotten.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._checks import check_bool, check_choice, check_int, check_positive, check_real
from ..errors import InvalidParameterError, NotApplicableError
from ..games.auction import AuctionGame, LLGGame, bid_cdf
from ..ops import logsumexp, softmax
from ..registry import register_method
from ..run import Learner

#: Monte-Carlo samples per iteration above this are refused (memory: a few (grid × batch) arrays)
MAX_BATCH = 1_000_000


def _auction(game: Any, method: str) -> AuctionGame:
    if not isinstance(game, AuctionGame):
        raise NotApplicableError(
            f"{method} applies to auction games (family 'auction'), not to "
            f"{getattr(game, 'family', type(game).__name__)} games"
        )
    if isinstance(game, LLGGame) and method != "best-response-iteration":
        raise NotApplicableError(
            f"{method} is for single-item auctions; for the LLG combinatorial auction use "
            "best-response-iteration"
        )
    return game


def smoothing_bias_bound(game: AuctionGame, temperature: float, bid_density: np.ndarray) -> np.ndarray:
    """Bound on |ũ_i(β) − u_i(β)|, the ex-ante utility bias of the softmax-smoothed game at temperature λ.

    For the softmax allocation, |x̃_i − x_i| ≤ Σ_{j≠i} σ(−|b_i − b_j|/λ) (σ the logistic function;
    the reserve counts as one more bidder), and |u_i − ũ_i| ≤ U·|x̃_i − x_i| with U = max(max value,
    max bid) for every payment rule here. If bidder j's bid has a density at most ḡ_j, then
    E σ(−|b − B_j|/λ) ≤ ḡ_j ∫ σ(−|t|/λ) dt = 2 ln 2 · λ · ḡ_j, so

        |ũ_i − u_i| ≤ 2 ln 2 · λ · U · Σ_{j≠i} ḡ_j    (+ ḡ_i with a positive reserve).

    ``bid_density[j]`` is ḡ_j. This is the linear-in-λ bias bound of Kohring, Pieroth & Bichler,
    "Enabling First-Order Gradient-Based Learning for Equilibrium Computation in Markets", ICML 2023,
    with the constant made explicit for this game family.
    """
    g = np.asarray(bid_density, dtype=float)
    U = max(game.max_value, game.max_bid)
    others = ~np.eye(g.size, dtype=bool) | (game.reserve > 0)  # Σ_{j≠i} ḡ_j (+ ḡ_i with a reserve)
    total = np.where(others, g[None, :], 0.0).sum(axis=1)
    return 2 * math.log(2) * temperature * U * total


def bid_densities(game: AuctionGame, profile: Any) -> np.ndarray:
    """Sup of each bidder's bid density under ``profile``: max over grid segments of f̄_i / |slope|
    (inf where a bid function is flat on a segment with value mass)."""
    prof = game.validate_profile(profile)
    out = np.zeros(game.num_players)
    for i, (d, g, b) in enumerate(zip(game.distributions, game.grids, prof, strict=True)):
        slope = np.abs(np.diff(b) / np.diff(g))
        mass = np.diff(d.cdf(g)) > 0
        with np.errstate(divide="ignore"):
            out[i] = np.max(np.where(mass, d.density_bound / slope, 0.0))
    return out


def smoothed_utilities(
    game: AuctionGame, profile: Any, temperature: float, samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Monte-Carlo ex-ante utilities of the softmax-smoothed game at temperature λ (all bidders, the
    same ``samples`` value profiles): what `smoothing_bias_bound` bounds the distance of from the
    true utilities `AuctionGame.expected_payoffs`."""
    prof = game.validate_profile(profile)
    n, r = game.num_players, game.reserve
    samples = check_int("samples", samples, minimum=1, maximum=MAX_BATCH * 10)
    lam = check_positive("temperature", temperature, maximum=1e6)
    V = np.stack([d.ppf(rng.random(samples)) for d in game.distributions], axis=1)
    B = np.stack([np.interp(V[:, j], game.grids[j], prof[j]) for j in range(n)], axis=1)
    logits = B / lam
    if r > 0:
        logits = np.concatenate([logits, np.full((samples, 1), r / lam)], axis=1)
    X = softmax(logits, axis=1)[:, :n]
    out = np.zeros(n)
    for i in range(n):  # over bidders
        others = np.sort(np.delete(B, i, axis=1), axis=1)
        p1 = np.maximum(others[:, -1], r)
        p2 = np.maximum(others[:, -2], r) if others.shape[1] > 1 else np.full(samples, r)
        if game.mechanism == "first_price":
            u = X[:, i] * (V[:, i] - B[:, i])
        elif game.mechanism == "all_pay":
            u = X[:, i] * V[:, i] - np.where(B[:, i] >= r, B[:, i], 0.0)
        else:
            u = X[:, i] * (V[:, i] - (p1 if game.mechanism == "second_price" else p2))
        out[i] = u.mean()
    return out


class _BidLearner(Learner):
    """Shared state: bids (n, G), the tail-average sums, and solution info."""

    families: ClassVar[tuple[str, ...]] = ("auction",)
    default_output = "average"

    def _setup(self, game: AuctionGame) -> None:
        self.bids = np.stack(game.uniform_profile()).astype(float)
        self.avg_sum = np.zeros_like(self.bids)
        self.avg_count = 0

    def _setup_optimizer(self, optimizer: str) -> None:
        self.optimizer = check_choice("optimizer", optimizer, ("adam", "sgd"))
        self.moment1 = np.zeros_like(self.bids)
        self.moment2 = np.zeros_like(self.bids)

    def _step_size(self) -> float:
        return self.step_size

    def _ascend(self, grads: np.ndarray) -> None:
        """θ ← clip(θ + step, 0, max_bid): a plain step ``step_size``·g, or an Adam step (Kingma & Ba,
        "Adam: A Method for Stochastic Optimization", ICLR 2015; β₁ = 0.9, β₂ = 0.999)."""
        alpha = self._step_size()
        if self.optimizer == "sgd":
            step = alpha * grads
        else:
            t = self.iteration + 1
            self.moment1 = 0.9 * self.moment1 + 0.1 * grads
            self.moment2 = 0.999 * self.moment2 + 0.001 * grads**2
            mhat = self.moment1 / (1 - 0.9**t)
            vhat = self.moment2 / (1 - 0.999**t)
            step = alpha * mhat / (np.sqrt(vhat) + 1e-8)
        # in first-price and all-pay auctions a bid above one's value is weakly dominated (it can only
        # earn less than bidding 0): steps are clipped to [0, v], which also keeps the gradient methods
        # from piling bids up at the cap max_bid, an atom the smoothed game cannot leave by local steps
        upper = self.game.grids if self.game.mechanism in ("first_price", "all_pay") else self.game.max_bid
        self.bids = np.clip(self.bids + step, 0.0, upper)

    def _accumulate(self) -> None:
        t = self.iteration + 1  # the iteration being completed
        if t & (t - 1) == 0:  # a power of two: restart the tail average
            self.avg_sum = np.zeros_like(self.bids)
            self.avg_count = 0
        self.avg_sum = self.avg_sum + self.bids
        self.avg_count += 1

    def current_strategy(self) -> list[np.ndarray]:
        return [b.copy() for b in self.bids]

    def average_strategy(self) -> list[np.ndarray]:
        if self.avg_count == 0:
            return self.current_strategy()
        return [np.clip(b, 0.0, self.game.max_bid) for b in self.avg_sum / self.avg_count]

    def solution_info(self, profile: Any) -> dict[str, Any]:
        game = self.game
        info: dict[str, Any] = {}
        d = game.distance_to_equilibrium(profile)
        if d is not None:
            info["distance_to_bne"] = float(d)
        from ..metrics.auction import utility_loss

        info["utility_loss"] = [float(v) for v in utility_loss(game, profile)]
        info["revenue"] = float(game.expected_revenue(profile))
        return info

    def _sample(self) -> tuple[np.ndarray, np.ndarray]:
        """Values (S, n) drawn by inverse transform, and every bidder's bid at its value."""
        game = self.game
        S, n = self.batch, game.num_players
        # Latin hypercube: one draw in each of S equal-probability strata of every bidder's values
        U = (np.argsort(self.rng.random((S, n)), axis=0) + self.rng.random((S, n))) / S
        V = np.stack([d.ppf(U[:, j]) for j, d in enumerate(game.distributions)], axis=1)
        B = np.stack(
            [np.interp(V[:, j], game.grids[j], self.bids[j]) for j in range(game.num_players)], axis=1
        )
        return V, B

    def _opponent_prices(self, B: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(highest, second-highest) opponent bids of bidder i per sample, each at least the reserve."""
        others = np.delete(B, i, axis=1)
        r = self.game.reserve
        if others.shape[1] == 1:
            return np.maximum(others[:, 0], r), np.full(others.shape[0], r)
        top2 = np.partition(others, others.shape[1] - 2, axis=1)[:, -2:]
        return np.maximum(top2[:, 1], r), np.maximum(top2[:, 0], r)


def _gumbel_weights(step: float, low: float = -4.0, high: float = 18.0) -> tuple[np.ndarray, int]:
    """Probabilities of the standard Gumbel law on cells of width ``step`` centred at k·step, for k from
    ⌊low/step⌋ to ⌈high/step⌉ (mass outside: < 1e-7), and the offset of k = 0."""
    k = np.arange(math.floor(low / step), math.ceil(high / step) + 1)
    edges = np.concatenate([k - 0.5, [k[-1] + 0.5]]) * step
    cdf = np.exp(-np.exp(-edges))
    return np.diff(cdf), int(-k[0])


@register_method("smoothed-gradient", families=("auction",))
class SmoothedGradient(_BidLearner):
    """First-order learning on the smoothed auction (Kohring, Pieroth & Bichler, "Enabling First-Order
    Gradient-Based Learning for Equilibrium Computation in Markets", ICML 2023).

    The hard allocation 1{b_i > max_j b_j} has zero gradient almost everywhere, so the paper replaces
    it by the softmax x̃_i(b) = exp(b_i/λ) / Σ_k exp(b_k/λ) (the reserve price enters as one more
    bid), keeps the payment rule, and runs gradient dynamics on this smoothed game. Its bias is at most
    linear in λ (`smoothing_bias_bound`), so λ is chosen a priori from the bound.

    1. The target temperature λ: ``temperature`` if given; otherwise the larger of
       (a) λ_bias, the largest λ whose bias bound `smoothing_bias_bound` is ``bias`` (the paper's
       a-priori choice) for opponents whose bid functions have slope at least ``min_slope`` (bid
       densities ≤ f̄_j / min_slope); for n bidders with U[0, 1] values that is
       λ = bias / (2 ln 2 · 2 (n − 1)), 0.0027 at the default ``bias = 0.015`` and n = 3; and
       (b) λ_grid = Δ/3, Δ = max_bid/(grid − 1) the largest bid step between adjacent grid values of
       a bid function with slope ≤ 1: the opponents' bid CDF of a piecewise-linear bid function has
       a kink at every grid bid, and with a symmetric profile each own grid bid sits on one; the
       Gumbel noise λG (standard deviation 1.28 λ) must span about one segment to smooth these
       kinks, else the grid bids stick to them and a zigzag across neighbouring grid values grows
       near the top bid (measured: λ = 0.19Δ fails, λ ≥ 0.35Δ converges).
    2. Annealing (the bias bound holds at every λ, so any λ_t ≥ λ is a valid smoothing):
       λ_t = λ · ``anneal_from`` · 2^{−⌊t / anneal_every⌋}, floored at λ (``anneal_from = 1``: a
       fixed λ). Large early λ_t smooth the far-from-equilibrium landscape and allow large steps;
       the tail-averaged output only averages iterates at the final λ once the schedule ends.
    3. For every bidder i and every grid value v_g, the gradient of the smoothed interim utility
       ũ_i(b; v_g) = E[x̃_i(b, B_{−i}) (v_g − price)] (all-pay: E[x̃_i] v_g − b) at b = θ_i[g]:
       ∂ũ/∂b = E[x̃(1 − x̃)/λ · (v_g − price)] − E[x̃] ∂price/∂b, price = b (first price),
       max(r, highest other) (second), max(r, second-highest other) (third).
    4. θ_i ← clip(θ_i + α_t · ∂ũ, 0, max_bid) for all bidders simultaneously, α_t = ``step_size``
       or (default) λ_t/2: the smoothed utility's second derivative in the own bid is O(1/λ)
       (|x̃''| ≤ 0.74·(bid density)/λ), so a step proportional to λ_t keeps gradient ascent stable
       as λ_t shrinks (``optimizer="adam"``: an Adam step of size α_t instead).

    Why these defaults (first price, 3 bidders, U[0, 1], measured with the exact estimator, which is
    deterministic): the NashConv of the smoothed game's fixed point grows linearly with λ, about
    0.28·λ (1.5e-3 at λ = 0.0054 on grids of 65, 129 and 257 values; 5e-4 to 6.5e-4 at λ = 0.003 on
    129 and 257), concentrated at the top values, where the smoothed allocation shades the highest
    bids by O(λ). The worst-case bound is much looser (it guarantees ε_i ≤ ε̃_i + 2·bias), so the
    default ``bias`` is set where the bound's λ gives NashConv ≤ 1e-3, and the catalog's
    default grid (129) is fine enough for that λ to satisfy (b).

    All-pay auctions are not learned by this method (measured, ``auction:all_pay(bidders=3)``,
    1000 iterations: NashConv 0.18, from truthful or from zero bids): the smoothed allocation never
    saturates, so at the top of the bid range ∂x̃/∂b ≈ 1/λ and ∂ũ = v ∂x̃/∂b − 1 > 0: the high-value
    bidders escalate until the clip b ≤ v (bidding one's value), a stationary point of the projected
    dynamics. Annealing from 128λ passes near the equilibrium (distance 0.045 when λ_t ≈ 2λ) and
    then escalates again. Use best-response-iteration (the game's default method for all-pay).

    The expectation over the others' values, ``estimator``:

    - ``"monte-carlo"`` (the paper's estimator): ``batch`` value profiles drawn with ``self.rng``
      (Latin-hypercube strata per bidder), the gradient of the sampled smoothed utility;
    - ``"exact"`` (first-price and all-pay only; the default there): by the Gumbel-max identity the
      softmax allocation is P(b_i + λG_i > B_j + λG_j ∀j) with i.i.d. standard Gumbel G, so
      E[x̃_i(b)] = E_G[Π_j F̃_j(b + λG)] with F̃_j the CDF of B_j + λG_j, the exact bid CDF of
      bidder j (`games.auction.bid_cdf`) convolved with the Gumbel density on a grid of step λ/8.
      This is the same smoothed gradient without sampling noise.

    Simplifications: the paper trains neural bid functions by backpropagation through the sampled
    smoothed utility; here the strategy is the grid of bids and each grid bid ascends its own interim
    gradient (the ex-ante gradient divided by the grid value's probability weight). The output is
    the tail average of the iterates (module docstring).
    """

    def __init__(
        self,
        game: Any,
        *,
        step_size: float | None = None,
        temperature: float | None = None,
        bias: float = 0.015,
        min_slope: float = 0.5,
        anneal_from: float = 8.0,
        anneal_every: int = 100,
        estimator: str = "auto",
        batch: int = 4096,
        optimizer: str = "sgd",
        seed: int | None = None,
    ):
        super().__init__(_auction(game, "smoothed-gradient"), seed=seed)
        self.step_size = None if step_size is None else check_positive("step_size", step_size, maximum=1e6)
        self.bias = check_positive("bias", bias, maximum=1e6)
        self.anneal_from = check_real("anneal_from", anneal_from, minimum=1.0, maximum=1e3)
        self.anneal_every = check_int("anneal_every", anneal_every, minimum=1, maximum=1_000_000)
        self.min_slope = check_positive("min_slope", min_slope, maximum=1e6)
        self.batch = check_int("batch", batch, minimum=1, maximum=MAX_BATCH)
        estimator = check_choice("estimator", estimator, ("auto", "exact", "monte-carlo"))
        closed = game.mechanism in ("first_price", "all_pay")
        if estimator == "exact" and not closed:
            raise InvalidParameterError(
                f"estimator='exact' is for first-price and all-pay auctions, not {game.mechanism}; "
                "use estimator='monte-carlo'"
            )
        self.estimator = ("exact" if closed else "monte-carlo") if estimator == "auto" else estimator
        dens = np.array([d.density_bound for d in game.distributions]) / self.min_slope
        if temperature is None:
            unit = smoothing_bias_bound(game, 1.0, dens).max()
            if not np.isfinite(unit) or unit <= 0:
                raise InvalidParameterError(
                    "the bias bound needs bounded value densities; give temperature= explicitly"
                )
            spacing = game.max_bid / (game.grid_points - 1)
            temperature = max(self.bias / unit, spacing / 3)
        self.temperature = check_positive("temperature", temperature, maximum=1e6)
        if self.estimator == "exact":
            h = self.temperature / 8
            points = (game.max_bid + 45 * self.temperature) / h
            if points > 2_000_000:
                raise InvalidParameterError(
                    f"temperature {self.temperature:g} is too small for the exact estimator on bids up to "
                    f"{game.max_bid:g} ({points:.0f} grid points); raise it or use estimator='monte-carlo'"
                )
        self._setup(game)
        self._setup_optimizer(optimizer)

    def current_temperature(self) -> float:
        """λ_t of the annealing schedule at the current iteration (step 2 of the class docstring)."""
        halvings = min(self.iteration // self.anneal_every, 60)
        return max(self.temperature, self.temperature * self.anneal_from * 0.5**halvings)

    def _exact_gradients(self) -> np.ndarray:
        """∂ũ_i/∂b at every grid bid, the expectation over the others' values computed exactly."""
        game, lam, r = self.game, self.current_temperature(), self.game.reserve
        h = lam / 8
        w, k0 = _gumbel_weights(h / lam)
        # s grid: every noisy bid B + λG with G in [−4, 18] (mass outside < 1e-7)
        s = np.arange(-4 * lam - h, game.max_bid + 18 * lam + h, h)
        below, above = w.size - k0 - 1, k0
        ext = np.concatenate([s[0] - h * np.arange(below, 0, -1), s, s[-1] + h * np.arange(1, above + 1)])
        smoothed = []
        for j in range(game.num_players):  # over bidders
            # F̃_j(s_n) = Σ_m w_m F_j(s_n − (m − k0) h): the bid CDF convolved with the Gumbel weights
            F = bid_cdf(game.distributions[j], game.grids[j], self.bids[j], ext, False)
            smoothed.append(np.convolve(F, w, mode="valid"))
        if r > 0:
            reserve = np.exp(-np.exp(np.clip((r - s) / lam, -700, 700)))
        grads = np.zeros_like(self.bids)
        for i in range(game.num_players):
            K = np.prod([smoothed[j] for j in range(game.num_players) if j != i], axis=0)
            if r > 0:
                K = K * reserve
            # X(t) = E_G[K(t + λG)] = Σ_k w_k K(t + k h): correlation with the Gumbel weights
            Kext = np.concatenate([np.zeros(k0), K, np.ones(w.size - k0 - 1) * K[-1]])
            X = np.convolve(Kext, w[::-1], mode="valid")
            dX = np.gradient(X, h)
            b, v = self.bids[i], game.grids[i]
            x, dx = np.interp(b, s, X), np.interp(b, s, dX)
            if game.mechanism == "first_price":
                grads[i] = dx * (v - b) - x
            else:
                grads[i] = dx * v - (b >= r)
        return grads

    def _mc_gradients(self) -> np.ndarray:
        """∂ũ_i/∂b at every grid bid, by Monte Carlo over the others' values."""
        game, lam, r = self.game, self.current_temperature(), self.game.reserve
        V, B = self._sample()
        grads = np.zeros_like(self.bids)
        for i in range(game.num_players):  # over bidders (a handful); values and samples are arrays
            others = np.delete(B, i, axis=1) / lam
            if r > 0:
                others = np.concatenate([others, np.full((others.shape[0], 1), r / lam)], axis=1)
            L = logsumexp(others, axis=1)  # (S,)
            b, v = self.bids[i], game.grids[i]
            # (G, S): soft allocation of bidder i, the logistic function exp(−log(1 + e^−t)), stably
            x = np.exp(-np.logaddexp(0.0, L[None, :] - b[:, None] / lam))
            dx = x * (1.0 - x) / lam
            if game.mechanism == "first_price":
                g = dx * (v - b)[:, None] - x
            elif game.mechanism == "all_pay":
                g = dx * v[:, None] - (b >= r)[:, None]
            else:
                p1, p2 = self._opponent_prices(B, i)
                price = p1 if game.mechanism == "second_price" else p2
                g = dx * (v[:, None] - price[None, :])
            grads[i] = g.mean(axis=1)
        return grads

    def _step(self) -> None:
        grads = self._exact_gradients() if self.estimator == "exact" else self._mc_gradients()
        self._ascend(grads)
        self._accumulate()

    def _step_size(self) -> float:
        return self.current_temperature() / 2 if self.step_size is None else self.step_size

    def diagnostics(self) -> dict[str, float]:
        return {"temperature": float(self.current_temperature())}

    def solution_info(self, profile: Any) -> dict[str, Any]:
        info = super().solution_info(profile)
        info["temperature"] = float(self.temperature)
        dens = bid_densities(self.game, profile)
        info["bias_bound"] = float(smoothing_bias_bound(self.game, self.temperature, dens).max())
        return info


@register_method("npga", families=("auction",))
class NPGA(_BidLearner):
    """Neural pseudo-gradient ascent (Bichler, Fichtl, Heidekrüger, Kohring & Sutterer, "Learning
    equilibria in symmetric auction games using artificial neural networks", Nature Machine
    Intelligence 2021), the zeroth-order baseline of the smoothed-gradient method.

    1. Draw ``batch`` value profiles V ~ F with ``self.rng``; the others bid θ_j at their values.
    2. For each bidder i draw ``population`` perturbations ε_p ~ N(0, σ² I) of θ_i (σ = ``sigma``) and
       evaluate the true game's Monte-Carlo ex-ante utility û_i(θ_i ± ε_p) on the same samples
       (mirrored sampling, hard allocation, the auction's payment rule).
    3. Pseudo-gradient ĝ_i = Σ_p (û_i(θ_i + ε_p) − û_i(θ_i − ε_p)) ε_p / (2 P σ²).
    4. θ_i ← clip(θ_i + ``step_size`` · ĝ_i / ω, 0, max_bid), all bidders simultaneously, where
       ω_g = E[φ_g(V_i)] is the probability weight of grid value g (φ_g the interpolation hat)
       (``optimizer="adam"``: an Adam step on ĝ_i / ω).

    Simplifications: the paper's policy is a neural network trained with these ES pseudo-gradients
    and Adam; here the parameters are the grid bids, with plain steps (by default) preconditioned by
    ω so that ``step_size`` is comparable with smoothed-gradient's interim steps. The output is the
    tail average.
    """

    def __init__(
        self,
        game: Any,
        *,
        step_size: float = 0.05,
        sigma: float = 0.02,
        population: int = 32,
        batch: int = 4096,
        optimizer: str = "sgd",
        seed: int | None = None,
    ):
        super().__init__(_auction(game, "npga"), seed=seed)
        self.step_size = check_positive("step_size", step_size, maximum=1e6)
        self.sigma = check_positive("sigma", sigma, maximum=1e6)
        self.population = check_int("population", population, minimum=1, maximum=10_000)
        self.batch = check_int("batch", batch, minimum=1, maximum=MAX_BATCH)
        if self.population * self.batch > 50_000_000:
            raise InvalidParameterError(
                f"population × batch = {self.population * self.batch} is above 50000000; lower one of them"
            )
        self._setup(game)
        self._setup_optimizer(optimizer)

    def _weights(self, i: int) -> np.ndarray:
        v, w = self.game.quadrature(i)
        g = self.game.grids[i]
        G = g.size
        j = np.clip(np.searchsorted(g, v, side="right") - 1, 0, G - 2)
        t = (v - g[j]) / (g[j + 1] - g[j])
        omega = np.bincount(j, w * (1 - t), minlength=G) + np.bincount(j + 1, w * t, minlength=G)
        return np.maximum(omega, 1e-12)

    def _utility(self, i: int, bids: np.ndarray, v: np.ndarray, p1: np.ndarray, p2: np.ndarray) -> np.ndarray:
        """Mean hard-allocation utility of bidder i per row of ``bids`` (rows: perturbations, columns:
        samples)."""
        game, r = self.game, self.game.reserve
        win = (bids > p1) & (bids >= r)
        if game.mechanism == "first_price":
            u = np.where(win, v - bids, 0.0)
        elif game.mechanism == "all_pay":
            u = np.where(win, v, 0.0) - np.where(bids >= r, bids, 0.0)
        elif game.mechanism == "second_price":
            u = np.where(win, v - p1, 0.0)
        else:
            u = np.where(win, v - p2, 0.0)
        return u.mean(axis=1)

    def _step(self) -> None:
        game, sigma, P = self.game, self.sigma, self.population
        V, B = self._sample()
        grads = np.zeros_like(self.bids)
        for i in range(game.num_players):  # over bidders; perturbations and samples are arrays
            g = game.grids[i]
            G = g.size
            v = V[:, i]
            j = np.clip(np.searchsorted(g, v, side="right") - 1, 0, G - 2)
            t = (v - g[j]) / (g[j + 1] - g[j])
            eps = sigma * self.rng.standard_normal((P, G))
            delta = eps[:, j] * (1 - t) + eps[:, j + 1] * t  # (P, S): bid change at each sample
            base = B[:, i][None, :]
            p1, p2 = self._opponent_prices(B, i)
            hi = np.clip(base + delta, 0.0, game.max_bid)
            lo = np.clip(base - delta, 0.0, game.max_bid)
            diff = self._utility(i, hi, v, p1, p2) - self._utility(i, lo, v, p1, p2)
            grads[i] = (diff @ eps) / (2 * P * sigma**2) / self._weights(i)
        self._ascend(grads)
        self._accumulate()


@register_method("best-response-iteration", families=("auction",))
class BestResponseIteration(_BidLearner):
    """Iterated best response on the bid grid (Reeves & Wellman, "Computing best-response strategies
    in infinite games of incomplete information", UAI 2004).

    1. Every bidder i computes its best response BR_i to the current profile, on the game's bid grid
       at every grid value (exact in the opponents' values, as in `metrics.auction`). With
       ``simultaneous=False`` the bidders take turns instead (Gauss-Seidel: later bidders respond
       to the earlier ones' new bids).
    2. θ_i ← (1 − α) θ_i + α BR_i with α = ``step_size`` (1: a pure best-response step; the
       default, except in all-pay auctions, where it is 0.05: see below).

    The same pass gives the exact ε of the profile it starts from, so the method keeps the iterate
    with the smallest NashConv seen: that is its ``average`` output (the default); ``last`` is the
    last iterate. This matters: in first-price auctions a best response depends on the *slope* of
    the others' bids, so the bid grid's rounding is amplified from one iteration to the next and
    the iteration, after reaching the equilibrium (from truthful bids, in one step for symmetric
    uniform values), drifts away again. All-pay auctions need damping: pure best responses
    (α = 1) cycle there (NashConv stays at 0.75 on ``auction:all_pay(bidders=3)``), while α = 0.05
    reaches NashConv 5.3e-3 and distance 0.0065 to (n−1)/n·vⁿ in 100 iterations (α = 0.1 stalls at
    2.6e-2). Stops (``converged``) when an iteration changes no bid or
    the NashConv is 0. Simplification: the paper computes exact best responses to piecewise-linear
    strategies analytically; here they are searched on the bid grid (resolution
    ``max_bid / (bid_points − 1)``).
    """

    def __init__(
        self,
        game: Any,
        *,
        step_size: float | None = None,
        simultaneous: bool = True,
        seed: int | None = None,
    ):
        super().__init__(_auction(game, "best-response-iteration"), seed=seed)
        self.simultaneous = check_bool("simultaneous", simultaneous)
        if step_size is None:
            step_size = 0.05 if game.mechanism == "all_pay" else 1.0
        self.step_size = check_real("step_size", step_size, minimum=0.0, maximum=1.0, strict_minimum=True)
        self._setup(game)
        self.change = -1.0  # no iteration yet
        self.best_bids = self.bids.copy()
        self.best_gap = -1.0  # not measured yet
        self.last_gap = -1.0

    def _step(self) -> None:
        from ..metrics.core import best_response

        game, old = self.game, self.bids.copy()
        u, ubr, brs = game.utilities(list(old))
        gap = float(np.sum(np.maximum(ubr - u, 0.0)))
        self.last_gap = gap
        if self.best_gap < 0 or gap < self.best_gap:
            self.best_gap, self.best_bids = gap, old
        for i in range(game.num_players):  # a sweep over bidders
            br = brs[i] if self.simultaneous else best_response(game, list(self.bids), i)
            self.bids[i] = (1 - self.step_size) * self.bids[i] + self.step_size * br
        self.change = float(np.max(np.abs(self.bids - old)))

    def average_strategy(self) -> list[np.ndarray]:
        """The iterate with the smallest NashConv measured so far (see the class docstring)."""
        if self.best_gap < 0:
            return self.current_strategy()
        return [b.copy() for b in self.best_bids]

    def diagnostics(self) -> dict[str, float]:
        return {"best_nash_conv": float(self.best_gap)}

    def converged(self) -> bool:
        return self.change == 0.0 or self.last_gap == 0.0


@register_method("fictitious-play", families=("auction",))
class AuctionFictitiousPlay(_BidLearner):
    """Fictitious play in bid functions (Brown, "Iterative solution of games by fictitious play", 1951;
    for auctions, Heymann & Mertikopoulos, "A heuristic for estimating Nash equilibria in first-price
    auctions with correlated values", arXiv:2108.04506, 2021, "fictitious bidding").

    Beliefs are the time-averaged bid CDFs of every bidder on the game's bid grid B:
    F̄_j = (1/t) Σ_{s ≤ t} P(β_j^{(s)}(V_j) ≤ ·) (and the strict version, for ties).

    1. Every bidder i best-responds at each grid value to the others playing their belief mixtures
       (independently): win probabilities and payments from F̄_{−i} (`AuctionGame.outcome_from_cdfs`).
    2. All bidders switch to these best responses simultaneously; each bidder's belief averages in the
       bid CDF of its new bid function.

    Returns the last iterate (the best responses to the beliefs); the average output is the
    pointwise mean of the bid functions played, which is not the belief mixture.
    """

    default_output = "last"

    def __init__(self, game: Any, *, seed: int | None = None):
        super().__init__(_auction(game, "fictitious-play"), seed=seed)
        self._setup(game)
        self.belief_lt, self.belief_le = self._cdfs()
        self.plays = 1

    def _cdfs(self) -> tuple[np.ndarray, np.ndarray]:
        game, y = self.game, self.game.bid_grid
        lt = np.stack(
            [
                bid_cdf(d, g, b, y, True)
                for d, g, b in zip(game.distributions, game.grids, self.bids, strict=True)
            ]
        )
        le = np.stack(
            [
                bid_cdf(d, g, b, y, False)
                for d, g, b in zip(game.distributions, game.grids, self.bids, strict=True)
            ]
        )
        return lt, le

    def _step(self) -> None:
        game, y = self.game, self.game.bid_grid
        new = np.empty_like(self.bids)
        for i in range(game.num_players):  # over bidders
            keep = np.arange(game.num_players) != i
            x, pay = game.outcome_from_cdfs(y, self.belief_lt[keep], self.belief_le[keep])
            g = game.grids[i]
            new[i] = y[np.argmax(g[:, None] * x[None, :] - pay[None, :], axis=1)]
        self.bids = new
        lt, le = self._cdfs()
        self.plays += 1
        self.belief_lt = self.belief_lt + (lt - self.belief_lt) / self.plays
        self.belief_le = self.belief_le + (le - self.belief_le) / self.plays
        self._accumulate()
