"""A small taxed economy on a wealth grid: the followers' game of a Stackelberg mean-field game.

Households sit on a wealth grid and choose a labour effort each period; a government (the leader)
taxes income with one rate per wealth bracket and pays the revenue back as an equal lump-sum
transfer. The transfer depends on what everyone earns, so the households' problem is a mean-field
game whose model sees the state-action distribution. A minimal version of the economies of "Learning
Macroeconomic Policies through Dynamic Stackelberg Mean-Field Games": the leader's rates may react
to the clock and to the population's mean wealth (``tax_slopes``), a parametric version of the
paper's leader policy on the aggregate state; see `equilibria.solvers.stackelberg_mfg`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_int, check_probability, check_real
from ...errors import InvalidParameterError
from ...registry import register_game
from ..mean_field import MeanFieldGame

#: effort levels a household may supply
EFFORTS = (0.0, 0.5, 1.0)


@register_game("mfg:wealth_economy", family="mean_field")
def wealth_economy(
    tax_rates: Any = (0.0, 0.0),
    tax_slopes: Any = (0.0, 0.0),
    num_levels: int = 6,
    horizon: int = 8,
    wage: float = 1.0,
    interest: float = 0.5,
    effort_cost: float = 0.6,
    subsistence: float = 0.1,
    shock: float = 0.2,
    temperature: float = 0.05,
) -> MeanFieldGame:
    """Households on a wealth grid under a bracket income tax with lump-sum redistribution.

    State: wealth level ``w ∈ {0, ..., num_levels − 1}`` (uniform at the start). Action: effort
    ``e ∈ {0, 0.5, 1}``. With the bracket rate ``τ(w)`` (``tax_rates[0]`` in the lower half of
    the grid, ``tax_rates[1]`` in the upper half) and income ``y = wage·e + interest·w``:

    - transfer ``T(L_t) = Σ_{w,e} L_t(w, e) τ(w) y(w, e)`` (the budget balances each period);
    - reward ``log(subsistence + (1 − τ(w)) y + T) − effort_cost·e²``;
    - wealth rises one level with probability ``min(0.8, 0.6 (1 − τ(w)) y)``, falls one with
      probability ``shock``, else stays (clipped at the grid's ends);
    - terminal reward ``log(1 + w)`` at the horizon;
    - entropy ``temperature`` (a small one makes the equilibrium unique and smooth in the rates).

    A dynamic leader (``tax_slopes = (time_slope, wealth_slope)``, zero by default: the static
    schedule): the rate of bracket b at step t reacts to the clock and to the population's state,

        τ_b(t, μ_t) = clip(tax_rates[b] + time_slope (t/(H − 1) − 1/2)
                                         + wealth_slope (m̄(μ_t) − 1/2), 0, 1),

    with m̄(μ_t) = Σ_w μ_t(w) w/(W − 1) the mean wealth as a share of the grid's top; the
    households take the rule as given (a household alone does not move μ_t).

    The leader's welfare in `equilibria.solvers.stackelberg_mfg` is the households' own
    equilibrium value (utilitarian).
    """
    try:
        rates = np.array(tax_rates, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidParameterError("tax_rates must be two numbers in [0, 1]") from None
    if rates.shape != (2,):
        raise InvalidParameterError(f"tax_rates must be two numbers (lower, upper bracket), got {rates.size}")
    rates = np.array([check_probability(f"tax_rates[{i}]", r) for i, r in enumerate(rates)])
    try:
        slopes = np.array(tax_slopes, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidParameterError("tax_slopes must be two numbers (time slope, wealth slope)") from None
    if slopes.shape != (2,):
        raise InvalidParameterError(f"tax_slopes must be two numbers (time, wealth), got {slopes.size}")
    slopes = np.array([check_real(f"tax_slopes[{i}]", v, minimum=-10.0, maximum=10.0)
                       for i, v in enumerate(slopes)])
    W = check_int("num_levels", num_levels, minimum=2, maximum=10_000)
    H = check_int("horizon", horizon, minimum=1, maximum=10_000)
    wage = check_real("wage", wage, minimum=0.0, maximum=1e6)
    interest = check_real("interest", interest, minimum=0.0, maximum=10.0)
    effort_cost = check_real("effort_cost", effort_cost, minimum=0.0, maximum=1e6)
    subsistence = check_real("subsistence", subsistence, minimum=0.0, maximum=1e6, strict_minimum=True)
    shock = check_probability("shock", shock)
    if shock > 0.2 + 1e-12 and shock + 0.8 > 1.0:
        raise InvalidParameterError(f"shock must be at most 0.2 (rises take up to 0.8), got {shock}")
    temperature = check_real("temperature", temperature, minimum=0.0, maximum=1e3)
    w = np.arange(W, dtype=float)
    e = np.array(EFFORTS)
    lower = np.arange(W) < W / 2
    income = wage * e[None, :] + interest * w[:, None]  # (W, A)
    cost = effort_cost * e**2
    rows = np.arange(W)
    targets = np.stack([np.maximum(rows - 1, 0)[:, None].repeat(3, 1), rows[:, None].repeat(3, 1),
                        np.minimum(rows + 1, W - 1)[:, None].repeat(3, 1)], axis=-1)
    wealth_share = w / (W - 1)

    def rates_at(t: int, mu: np.ndarray | None) -> np.ndarray:
        """τ(w) per wealth level at step t under the population's state μ_t."""
        shift = 0.0
        if slopes[0] != 0.0:
            shift += slopes[0] * ((t / (H - 1) if H > 1 else 0.0) - 0.5)
        if slopes[1] != 0.0 and mu is not None:
            shift += slopes[1] * (float(mu @ wealth_share) - 0.5)
        return np.clip(np.where(lower, rates[0], rates[1]) + shift, 0.0, 1.0)

    def model(tau: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        after_tax = (1.0 - tau[:, None]) * income
        up = np.minimum(0.8, 0.6 * after_tax)
        probs = np.stack([np.full_like(up, shock), 1.0 - up - shock, up], axis=-1)
        return after_tax, tau[:, None] * income, probs

    terminal = np.log1p(w)[None]
    common = dict(horizon=H, action_dependent=True, terminal_reward=terminal, temperature=temperature,
                  state_labels=[f"w{i}" for i in range(W)], action_labels=("rest", "half", "full"))
    if not slopes.any():  # the static schedule: a constant kernel
        after_tax, taxed, probs = model(rates_at(0, None))

        def reward(t: int, L: np.ndarray) -> np.ndarray:
            transfer = float(np.sum(L[0] * taxed))
            return (np.log(subsistence + after_tax + transfer) - cost[None, :])[None]

        return MeanFieldGame(
            W, len(EFFORTS), reward=reward, transition=(targets[None], probs[None]),
            title=f"wealth economy (tax rates {rates[0]:g}, {rates[1]:g})", **common,
        )

    def dyn_reward(t: int, L: np.ndarray) -> np.ndarray:
        after_tax, taxed, _ = model(rates_at(t, L[0].sum(-1)))
        transfer = float(np.sum(L[0] * taxed))
        return (np.log(subsistence + after_tax + transfer) - cost[None, :])[None]

    def dyn_transition(t: int, L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return targets[None], model(rates_at(t, L[0].sum(-1)))[2][None]

    return MeanFieldGame(
        W, len(EFFORTS), reward=dyn_reward, transition=dyn_transition,
        title=(f"wealth economy (tax rates {rates[0]:g}, {rates[1]:g}; "
               f"slopes time {slopes[0]:g}, wealth {slopes[1]:g})"), **common,
    )
