"""Fisher market generators (the "market" family).

- ``market:linear``: linear utilities ``u_i(x) = Σ_j a_ij x_ij``;
- ``market:ces``: CES utilities ``(Σ_j a_ij x_ij^ρ)^{1/ρ}`` with ``0 < ρ < 1`` (goods are substitutes).

Valuations are i.i.d. uniform on [0.1, 1] (every buyer values every good, so the equilibrium is
interior for CES), unit supplies, and budgets all 1 (``budgets="equal"``) or uniform on [1, 2]
(``budgets="random"``), all from ``seed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_choice, check_int, check_real
from ...registry import register_game
from ..market import FisherMarket
from ._limits import call, check_bytes


def _build(name: str, buyers: Any, goods: Any, budgets: Any, seed: Any, rho: float) -> FisherMarket:
    n = check_int("buyers", buyers, minimum=1)
    m = check_int("goods", goods, minimum=1)
    budgets = check_choice("budgets", budgets, ("equal", "random"))
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    check_bytes(call(name, buyers=n, goods=m), 8 * 8 * n * m)
    rng = np.random.default_rng(seed)
    V = rng.uniform(0.1, 1.0, size=(n, m))
    B = np.ones(n) if budgets == "equal" else rng.uniform(1.0, 2.0, size=n)
    return FisherMarket(V, B, rho=rho, title=call(name, buyers=n, goods=m, budgets=budgets, seed=seed))


@register_game("market:linear", family="market")
def linear_market(buyers: int = 3, goods: int = 3, budgets: str = "equal", seed: int = 0) -> FisherMarket:
    """A random Fisher market with linear utilities."""
    return _build("market:linear", buyers, goods, budgets, seed, 1.0)


@register_game("market:ces", family="market")
def ces_market(buyers: int = 3, goods: int = 3, rho: float = 0.5, budgets: str = "equal",
               seed: int = 0) -> FisherMarket:
    """A random Fisher market with CES utilities of exponent ``rho`` in (0, 1)."""
    rho = check_real("rho", rho, minimum=0.0, maximum=1.0, strict_minimum=True)
    if rho == 1.0:
        rho = 1.0  # the linear market, reached continuously
    return _build("market:ces", buyers, goods, budgets, seed, rho)
