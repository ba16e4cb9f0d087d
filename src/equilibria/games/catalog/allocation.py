"""Online allocation problems (family ``allocation``): budgeted bidding and network revenue management.

Each factory builds a fixed request sequence from ``seed`` under one of three input models
(Balseiro, Lu & Mirrokni, "The Best of Many Worlds: Dual Mirror Descent for Online Allocation
Problems", Operations Research 2022, §2 and §5):

- ``iid``: requests drawn independently from one distribution;
- ``periodic``: a non-stationary stochastic input whose distribution cycles with a period of
  ``max(2, horizon // 5)`` rounds (five cycles over the horizon);
- ``adversarial``: a fixed worst-case ordering (low-value requests first, high-value ones last), the
  shape of the paper's lower-bound instances. It does not depend on the seed (budgeted second price)
  or uses it only to draw the multiset of requests before sorting them (network revenue).

The horizon T is the game parameter ``horizon``: budgets are ρ·T and the learners stop after T
requests. The run loop's ``--iterations`` does not reach a game, so give the same number to both
(``horizon`` ≥ iterations; a run shorter than the horizon is a prefix of it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_choice, check_int, check_positive
from ...registry import register_game
from ..allocation import AllocationGame, check_allocation_size
from ._limits import call

INPUT_MODELS = ("iid", "periodic", "adversarial")
MAX_HORIZON = 10**7


def _common(horizon: Any, input_model: Any, seed: Any) -> tuple[int, str, int]:
    horizon = check_int("horizon", horizon, minimum=1, maximum=MAX_HORIZON)
    input_model = check_choice("input_model", input_model, INPUT_MODELS)
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    return horizon, input_model, seed


def _period(horizon: int) -> int:
    return max(2, horizon // 5)


@register_game("allocation:budgeted_second_price", family="allocation", horizon_param="horizon")
def budgeted_second_price(horizon: int = 1000, budget_rate: float = 0.1, input_model: str = "iid",
                          seed: int = 0) -> AllocationGame:
    """A budgeted bidder in repeated second-price auctions (Balseiro, Lu & Mirrokni 2022, §5.1).

    Round t: the bidder's value v_t and the highest competing bid d_t are revealed to the bidding
    rule; winning (bidding at least d_t) gives utility v_t − d_t and costs d_t; losing gives 0.
    The budget is ``budget_rate · horizon``. Inputs: ``iid`` v, d ~ U[0, 1]; ``periodic`` v ~ U[0, a_t]
    with a_t = 0.75 + 0.25 sin(2πt/P), d ~ U[0, 1]; ``adversarial`` the first ⌈T/2⌉ rounds v = 0.3,
    d = 0.25, the rest v = 1, d = 0.25 (cheap mediocre auctions before equally cheap valuable ones).
    A dual multiplier μ corresponds to bidding v/(1 + μ).
    """
    horizon, input_model, seed = _common(horizon, input_model, seed)
    rate = check_positive("budget_rate", budget_rate, maximum=1e6)
    check_allocation_size(call("allocation:budgeted_second_price", horizon=horizon), horizon, 2, 1)
    rng = np.random.default_rng(seed)
    t = np.arange(horizon)
    if input_model == "iid":
        v = rng.uniform(0.0, 1.0, horizon)
        d = rng.uniform(0.0, 1.0, horizon)
    elif input_model == "periodic":
        a = 0.75 + 0.25 * np.sin(2 * np.pi * t / _period(horizon))
        v = a * rng.uniform(0.0, 1.0, horizon)
        d = rng.uniform(0.0, 1.0, horizon)
    else:
        half = (horizon + 1) // 2
        v = np.where(t < half, 0.3, 1.0)
        d = np.full(horizon, 0.25)
    rewards = np.column_stack([np.zeros(horizon), v - d])
    costs = np.zeros((horizon, 2, 1))
    costs[:, 1, 0] = d
    return AllocationGame(
        rewards, costs, [rate * horizon], action_labels=["lose", "win"], resource_labels=["budget"],
        input_model=input_model, data={"values": v, "competing_bids": d},
        title=(f"allocation:budgeted_second_price(horizon={horizon}, budget_rate={rate:g}, "
               f"input_model={input_model!r})"),
    )


@register_game("allocation:network_revenue", family="allocation", horizon_param="horizon")
def network_revenue(horizon: int = 1000, num_resources: int = 3, num_products: int = 6,
                    capacity_rate: float = 0.25, input_model: str = "iid", seed: int = 0) -> AllocationGame:
    """Network revenue management (Talluri & van Ryzin 1998; Balseiro, Lu & Mirrokni 2022, §5).

    ``num_resources`` legs, each with capacity ``capacity_rate · horizon``; ``num_products``
    itineraries, product i using leg i mod m and, with probability 1/2, one other leg, at a fare of
    (number of legs) · U[0.5, 1.5]. Each round one request for a product arrives (arrival
    probabilities ~ Dirichlet(1)); accepting it earns its fare and uses one unit of each of its legs.
    Inputs: ``iid``; ``periodic`` probabilities p_i (1 + 0.8 sin(2πt/P + 2πi/n)), renormalised;
    ``adversarial`` the i.i.d. multiset of requests sorted by increasing fare.
    """
    horizon, input_model, seed = _common(horizon, input_model, seed)
    m = check_int("num_resources", num_resources, minimum=1, maximum=1000)
    n = check_int("num_products", num_products, minimum=1, maximum=10000)
    rate = check_positive("capacity_rate", capacity_rate, maximum=1e6)
    check_allocation_size(call("allocation:network_revenue", horizon=horizon, num_resources=m), horizon, 2, m)
    rng = np.random.default_rng(seed)
    A = np.zeros((n, m))
    A[np.arange(n), np.arange(n) % m] = 1.0
    if m > 1:
        second = (np.arange(n) % m + rng.integers(1, m, n)) % m
        use = rng.random(n) < 0.5
        A[np.arange(n)[use], second[use]] = 1.0
    fares = A.sum(axis=1) * rng.uniform(0.5, 1.5, n)
    p = rng.dirichlet(np.ones(n))
    t = np.arange(horizon)
    if input_model == "periodic":
        phase = 2 * np.pi * (t[:, None] / _period(horizon) + np.arange(n) / n)
        w = p[None, :] * (1 + 0.8 * np.sin(phase))
        w /= w.sum(axis=1, keepdims=True)
        u = rng.random(horizon)[:, None]
        products = np.minimum((np.cumsum(w, axis=1) < u).sum(axis=1), n - 1)
    else:
        products = rng.choice(n, size=horizon, p=p)
        if input_model == "adversarial":
            products = products[np.argsort(fares[products], kind="stable")]
    rewards = np.column_stack([np.zeros(horizon), fares[products]])
    costs = np.zeros((horizon, 2, m))
    costs[:, 1, :] = A[products]
    return AllocationGame(
        rewards, costs, np.full(m, rate * horizon), action_labels=["reject", "accept"],
        resource_labels=[f"leg{j}" for j in range(m)], input_model=input_model,
        data={"products": products.astype(float), "fares": fares, "incidence": A, "arrival_probabilities": p},
        title=(f"allocation:network_revenue(horizon={horizon}, num_resources={m}, num_products={n}, "
               f"capacity_rate={rate:g}, input_model={input_model!r})"),
    )


@register_game("allocation:ros_second_price", family="allocation", horizon_param="horizon")
def ros_second_price(horizon: int = 1000, ros_target: float = 1.0, budget_rate: float | None = None,
                     input_model: str = "iid", seed: int = 0) -> AllocationGame:
    """A value-maximising bidder under a return-on-spend constraint in repeated second-price auctions
    (Feng, Padmanabhan & Wang, WWW 2023, §2), optionally with a budget.

    Round t: value v_t, highest competing bid d_t; winning earns the value v_t (the objective is value,
    not utility) and pays d_t. Constraints over the horizon: RoS ``Σ (γ d_t − v_t) x_t ≤ 0`` (total value
    at least γ = ``ros_target`` times total spend; resource ``ros``, budget 0, negative consumption
    when an auction is won below γ⁻¹ of its value) and, with ``budget_rate`` ρ, ``Σ d_t x_t ≤ ρT``
    (resource ``budget``). Inputs: ``iid`` v ~ U[0, 1], d ~ U[0, 1.5] (winning every auction would
    break the RoS constraint); ``periodic`` v ~ U[0, a_t], a_t = 0.75 + 0.25 sin(2πt/P); ``adversarial``
    the first ⌈T/2⌉ rounds v = 0.3, d = 0.25 (cheap, slack-building), then v = 1, d = 1.2 (valuable,
    slack-consuming; the seed is unused).
    """
    horizon, input_model, seed = _common(horizon, input_model, seed)
    gamma = check_positive("ros_target", ros_target, maximum=1e6)
    rate = None if budget_rate is None else check_positive("budget_rate", budget_rate, maximum=1e6)
    m = 1 if rate is None else 2
    check_allocation_size(call("allocation:ros_second_price", horizon=horizon), horizon, 2, m)
    rng = np.random.default_rng(seed)
    t = np.arange(horizon)
    if input_model == "adversarial":
        half = (horizon + 1) // 2
        v = np.where(t < half, 0.3, 1.0)
        d = np.where(t < half, 0.25, 1.2)
    else:
        a = 1.0 if input_model == "iid" else 0.75 + 0.25 * np.sin(2 * np.pi * t / _period(horizon))
        v = a * rng.uniform(0.0, 1.0, horizon)
        d = rng.uniform(0.0, 1.5, horizon)
    costs = np.zeros((horizon, 2, m))
    costs[:, 1, 0] = gamma * d - v
    budgets = [0.0]
    labels = ["ros"]
    if rate is not None:
        costs[:, 1, 1] = d
        budgets.append(rate * horizon)
        labels.append("budget")
    budget = "" if rate is None else f", budget_rate={rate:g}"
    return AllocationGame(
        np.column_stack([np.zeros(horizon), v]), costs, budgets, action_labels=["lose", "win"],
        resource_labels=labels, input_model=input_model, running=[False] + [True] * (m - 1),
        data={"values": v, "competing_bids": d, "ros_target": np.array(gamma)},
        title=(f"allocation:ros_second_price(horizon={horizon}, ros_target={gamma:g}{budget}, "
               f"input_model={input_model!r})"),
    )
