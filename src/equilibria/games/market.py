"""Fisher markets: buyers with budgets, divisible goods, linear or CES utilities (the "market" family).

A Fisher market (Brainard & Scarf, "How to compute equilibrium prices in 1891", Amer. J. Econ.
Sociol. 2005, after Irving Fisher) has n buyers with budgets ``B_i > 0`` and m divisible goods with
supplies ``s_j > 0``; buyer i's utility for a bundle ``x_i`` is the CES function

    u_i(x_i) = (Σ_j a_ij x_ij^ρ)^{1/ρ},   0 < ρ ≤ 1   (ρ = 1: linear utilities Σ_j a_ij x_ij).

Prices ``p`` and an allocation ``x`` form a *market equilibrium* when the market clears (every
good with a positive price is sold out, none is over-sold) and every buyer gets an optimal
bundle: a utility-maximising bundle among those costing at most ``B_i``.

**Profiles are spending shares.** A strategy of buyer i is the share ``β_ij`` of its budget it bids
on good j (a row of the simplex), as in the Shapley-Shubik trading post (Shapley & Shubik, "Trade
using one commodity as a means of payment", J. Political Econ. 1977): the bids ``b_ij = B_i β_ij``
set the unit prices ``p_j = Σ_i b_ij / s_j`` and buyer i receives ``x_ij = b_ij / p_j``. Every buyer
spends its budget and every good bid on is sold out, so a profile is an equilibrium exactly when
every buyer's bundle is optimal at the prices it induces; `equilibria.metrics.market` measures the
shortfall in money. A good nobody bids on has price 0 and is left unsold, which is an equilibrium
only if nobody values it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .._checks import check_real
from ..errors import InvalidGameError, InvalidStrategyError, NotApplicableError
from .base import Game, row_from_json

#: a share row must sum to 1 within this (the profile check)
SHARE_ATOL = 1e-9


def _array(name: str, value: Any, ndim: int) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidGameError(f"{name} must be an array of numbers") from None
    if arr.ndim != ndim:
        raise InvalidGameError(f"{name} must be a {ndim}-dimensional array; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidGameError(f"{name} must be finite")
    return arr


class FisherMarket(Game):
    """A Fisher market with CES (or linear) utilities.

    Parameters
    ----------
    valuations : array (n, m)
        ``a_ij ≥ 0``; every buyer values some good and every good is valued by some buyer.
    budgets : array (n,), optional
        ``B_i > 0``; all ones when omitted.
    supplies : array (m,), optional
        ``s_j > 0``; all ones when omitted.
    rho : float
        the CES exponent, ``0 < ρ ≤ 1`` (1: linear utilities, the default).
    """

    family = "market"

    def __init__(
        self,
        valuations: Any,
        budgets: Any = None,
        supplies: Any = None,
        *,
        rho: float = 1.0,
        buyer_labels: Sequence[str] | None = None,
        good_labels: Sequence[str] | None = None,
        title: str = "",
    ):
        V = _array("valuations", valuations, 2)
        n, m = V.shape
        if n < 1 or m < 1:
            raise InvalidGameError(f"a market needs at least one buyer and one good; got shape {V.shape}")
        if np.any(V < 0):
            raise InvalidGameError("valuations must be non-negative")
        if not np.all(V.max(axis=1) > 0):
            raise InvalidGameError(f"buyer {int(np.argmin(V.max(axis=1)))} values no good")
        if not np.all(V.max(axis=0) > 0):
            raise InvalidGameError(f"good {int(np.argmin(V.max(axis=0)))} is valued by no buyer")
        B = np.ones(n) if budgets is None else _array("budgets", budgets, 1)
        s = np.ones(m) if supplies is None else _array("supplies", supplies, 1)
        if B.shape != (n,) or np.any(B <= 0):
            raise InvalidGameError(f"budgets must be {n} positive numbers; got {B.tolist()}")
        if s.shape != (m,) or np.any(s <= 0):
            raise InvalidGameError(f"supplies must be {m} positive numbers; got {s.tolist()}")
        try:
            rho = check_real("rho", rho, minimum=0.0, maximum=1.0, strict_minimum=True)
        except Exception as exc:  # a game-definition error, not a method option
            raise InvalidGameError(str(exc)) from None
        # keep utilities and prices in a range where powers stay finite
        scale_ok = V.max() / max(V[V > 0].min(), 1e-300) < 1e12
        if not scale_ok:
            raise InvalidGameError("valuations span more than 12 orders of magnitude; rescale them")
        buyer_labels = [f"buyer {i + 1}" for i in range(n)] if buyer_labels is None else list(buyer_labels)
        good_labels = [f"good {j + 1}" for j in range(m)] if good_labels is None else list(good_labels)
        if len(buyer_labels) != n or len(set(buyer_labels)) != n:
            raise InvalidGameError(f"need {n} distinct buyer labels")
        if len(good_labels) != m or len(set(good_labels)) != m:
            raise InvalidGameError(f"need {m} distinct good labels")
        for arr in (V, B, s):
            arr.setflags(write=False)
        self.valuations, self.budgets, self.supplies, self.rho = V, B, s, float(rho)
        self.buyer_labels = tuple(map(str, buyer_labels))
        self.good_labels = tuple(map(str, good_labels))
        self.title = title
        self._freeze()

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return int(self.valuations.shape[0])

    @property
    def num_goods(self) -> int:
        return int(self.valuations.shape[1])

    @cached_property
    def payoff_scale(self) -> float:
        """The total budget: every gain `equilibria.metrics` reports for a market is money."""
        return float(self.budgets.sum())

    @property
    def is_linear(self) -> bool:
        return self.rho == 1.0

    def default_method(self) -> str:
        return "eisenberg-gale"

    # -- profiles -------------------------------------------------------------------------------
    def validate_profile(self, profile: Any) -> np.ndarray:
        """Spending shares ``(n, m)``, each row a distribution, or `InvalidStrategyError`."""
        try:
            S = np.array(profile, dtype=float)
        except (TypeError, ValueError):
            raise InvalidStrategyError(
                "a market profile is an (buyers, goods) array of spending shares"
            ) from None
        if S.shape != self.valuations.shape:
            raise InvalidStrategyError(
                f"a market profile has one row of spending shares per buyer: shape {self.valuations.shape}, "
                f"got {S.shape}"
            )
        if not np.all(np.isfinite(S)) or np.any(S < 0):
            raise InvalidStrategyError("spending shares must be finite and non-negative")
        if np.any(np.abs(S.sum(axis=1) - 1.0) > SHARE_ATOL):
            i = int(np.argmax(np.abs(S.sum(axis=1) - 1.0)))
            raise InvalidStrategyError(
                f"the spending shares of {self.buyer_labels[i]} sum to {S[i].sum()!r}, not 1"
            )
        return S

    def uniform_profile(self, exact: bool = False) -> np.ndarray:
        if exact:
            raise NotApplicableError("Fisher markets are solved in floating point; drop --exact")
        return np.full(self.valuations.shape, 1.0 / self.num_goods)

    def profile_to_json(self, profile: Any, exact: bool = False) -> Any:
        """``{buyer: {good: share}}``, plus nothing else: prices and bundles follow from the shares."""
        S = self.validate_profile(profile)
        return {b: {g: float(S[i, j]) for j, g in enumerate(self.good_labels)}
                for i, b in enumerate(self.buyer_labels)}

    def profile_from_json(self, data: Any) -> np.ndarray:
        if not isinstance(data, dict):
            raise InvalidStrategyError("a market profile is a JSON object {buyer: {good: spending share}}")
        S = np.zeros(self.valuations.shape)
        good_index = {g: j for j, g in enumerate(self.good_labels)}
        for i, b in enumerate(self.buyer_labels):
            if not isinstance(data.get(b), dict):
                raise InvalidStrategyError(f"the profile has no spending shares for {b!r}")
            S[i] = row_from_json(data[b], good_index, S.shape[1], where=f"buyer {b!r}", item="good")
        unknown = set(data) - set(self.buyer_labels)
        if unknown:
            raise InvalidStrategyError(f"unknown buyer(s) {sorted(unknown)!r}")
        return self.validate_profile(S)

    # -- the trading post -----------------------------------------------------------------------
    def bids(self, profile: Any) -> np.ndarray:
        """``b_ij = B_i β_ij``."""
        return self.budgets[:, None] * self.validate_profile(profile)

    def outcome(self, profile: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(allocation x (n, m), unit prices p (m,))`` induced by the spending shares."""
        b = self.bids(profile)
        total = b.sum(axis=0)
        p = total / self.supplies
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(total > 0, b / np.where(total > 0, p, 1.0), 0.0)
        return x, p

    def utilities(self, allocation: Any) -> np.ndarray:
        """``u_i(x_i)`` for an allocation ``(n, m)``."""
        x = np.asarray(allocation, dtype=float)
        if self.is_linear:
            return (self.valuations * x).sum(axis=1)
        inner = (self.valuations * np.power(np.maximum(x, 0.0), self.rho)).sum(axis=1)
        return np.power(inner, 1.0 / self.rho)

    def demand_shares(self, prices: Any) -> np.ndarray:
        """The optimal spending shares at positive ``prices`` (CES with ρ < 1: unique).

        Spending on good j is proportional to ``a_ij^σ p_j^{1−σ}`` with ``σ = 1/(1 − ρ)``. For linear
        utilities the optimal bundles are the ones spending only on maximum bang-per-buck goods;
        this returns the even split among them.
        """
        p = np.asarray(prices, dtype=float)
        if self.is_linear:
            bpb = self.valuations / p
            best = bpb >= bpb.max(axis=1, keepdims=True) * (1 - 1e-12)
            return best / best.sum(axis=1, keepdims=True)
        sigma = 1.0 / (1.0 - self.rho)
        # in logs, for range: log(a^σ p^{1−σ})
        with np.errstate(divide="ignore"):
            logw = sigma * np.log(self.valuations) + (1.0 - sigma) * np.log(p)[None, :]
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        return w / w.sum(axis=1, keepdims=True)

    def optimal_utilities(self, prices: Any) -> np.ndarray:
        """``max {u_i(x) : p·x ≤ B_i}`` per buyer (``inf`` if a valued good is free)."""
        p = np.asarray(prices, dtype=float)
        free = (p <= 0)[None, :] & (self.valuations > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.is_linear:
                v = self.budgets * np.max(np.where(self.valuations > 0, self.valuations / p, 0.0), axis=1)
            else:
                sigma = 1.0 / (1.0 - self.rho)
                S = np.sum(np.where(self.valuations > 0,
                                    self.valuations**sigma * np.power(p, 1.0 - sigma), 0.0), axis=1)
                v = self.budgets * np.power(S, 1.0 / (sigma - 1.0))
        return np.where(free.any(axis=1), np.inf, v)

    def expected_payoffs(self, profile: Any, exact: bool = False) -> np.ndarray:
        """Each buyer's utility for the bundle its spending shares buy."""
        if exact:
            raise NotApplicableError("Fisher markets are solved in floating point; drop --exact")
        x, _ = self.outcome(profile)
        return self.utilities(x)

    def __repr__(self) -> str:
        name = f" {self.title!r}" if self.title else ""
        kind = "linear" if self.is_linear else f"CES rho={self.rho:g}"
        return f"<FisherMarket{name}: {self.num_players} buyers, {self.num_goods} goods, {kind}>"
