"""A small taxed economy on a wealth grid: the followers' game of a Stackelberg mean-field game.

Households sit on a wealth grid and choose a labour effort each period; a government (the leader)
taxes income with one rate per wealth bracket and pays the revenue back as an equal lump-sum
transfer. The transfer depends on what everyone earns, so the households' problem is a mean-field
game whose model sees the state-action distribution. A minimal version of the economies of "Learning
Macroeconomic Policies through Dynamic Stackelberg Mean-Field Games" (the leader's tax schedule is
held fixed over time here; see `equilibria.solvers.stackelberg_mfg`).
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
    tau = np.where(np.arange(W) < W / 2, rates[0], rates[1])
    income = wage * e[None, :] + interest * w[:, None]  # (W, A)
    after_tax = (1.0 - tau[:, None]) * income
    taxed = tau[:, None] * income
    cost = effort_cost * e**2
    up = np.minimum(0.8, 0.6 * after_tax)
    down = np.full_like(up, shock)
    rows = np.arange(W)
    targets = np.stack([np.maximum(rows - 1, 0)[:, None].repeat(3, 1), rows[:, None].repeat(3, 1),
                        np.minimum(rows + 1, W - 1)[:, None].repeat(3, 1)], axis=-1)
    probs = np.stack([down, 1.0 - up - down, up], axis=-1)

    def reward(t: int, L: np.ndarray) -> np.ndarray:
        transfer = float(np.sum(L[0] * taxed))
        return (np.log(subsistence + after_tax + transfer) - cost[None, :])[None]

    terminal = np.log1p(w)[None]
    return MeanFieldGame(
        W, len(EFFORTS), reward=reward, transition=(targets[None], probs[None]), horizon=H,
        action_dependent=True, terminal_reward=terminal, temperature=temperature,
        title=f"wealth economy (tax rates {rates[0]:g}, {rates[1]:g})",
        state_labels=[f"w{i}" for i in range(W)], action_labels=("rest", "half", "full"),
    )
