"""Colonel Blotto and a discretised first-price sealed-bid auction, as normal-form games.

* Colonel Blotto (Borel, "La théorie du jeu et les équations intégrales à noyau symétrique",
  Comptes Rendus 173, 1921; Roberson, "The Colonel Blotto game", Economic Theory 29, 2006): two
  colonels split their soldiers over battlefields; each field goes to whoever sends more.
* The first-price auction with independent private values on a grid (Vickrey, "Counterspeculation,
  auctions, and competitive sealed tenders", Journal of Finance 16, 1961), written as the
  strategic form of the Bayesian game (Harsanyi, "Games with incomplete information played by
  'Bayesian' players", Management Science 14, 1967-68): a pure strategy is a bid function.

Payoffs are exact rationals.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ..._checks import check_bool, check_choice, check_int
from ..._numbers import to_fraction
from ...errors import InvalidParameterError
from ...registry import register_game
from ..normal_form import NormalFormGame
from ._limits import EXACT_ENTRY_BYTES, call, check_bytes, exact_number


def _positive_int(x: Any, name: str, minimum: int = 1) -> int:
    return check_int(name, x, minimum=minimum)


def _num_allocations(soldiers: int, fields: int) -> int:
    """comb(soldiers + fields - 1, fields - 1), clamped: beyond ``_HUGE_COUNT`` it is not formed."""
    k = min(soldiers, fields - 1)
    if k > 64:  # comb(n, k) >= 2^k for n >= 2k: astronomically many either way
        return _HUGE_COUNT
    return min(math.comb(soldiers + fields - 1, k), _HUGE_COUNT)


_HUGE_COUNT = 10**100


def allocations(soldiers: int, fields: int) -> np.ndarray:
    """All ways to split ``soldiers`` over ``fields`` (rows, lexicographically descending).

    Stars and bars: choosing the positions of ``fields - 1`` bars among ``soldiers + fields - 1``
    slots gives each composition exactly once.
    """
    slots = soldiers + fields - 1
    bars = np.array(list(itertools.combinations(range(slots), fields - 1)), dtype=np.int64)
    bars = bars.reshape(-1, fields - 1)
    edges = np.hstack([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), slots)])
    alloc = np.diff(edges, axis=1) - 1
    return alloc[np.lexsort(alloc.T[::-1])[::-1]]


@register_game("colonel_blotto", family="normal_form")
def colonel_blotto(soldiers: int = 5, fields: int = 3, soldiers_b: int | None = None,
                   payoff: str = "fields") -> NormalFormGame:
    """Colonel Blotto: colonel A has ``soldiers``, colonel B ``soldiers_b`` (default: the same).

    A pure strategy is a split of one's soldiers over the ``fields`` (integer counts). A field is
    won by the colonel who sends strictly more soldiers; equal counts draw it. With
    ``payoff="fields"`` A gets (fields won - fields lost); with ``payoff="majority"`` A gets the
    sign of that difference (+1 for winning more fields, -1 for fewer, 0 for as many). B gets the
    negative. With equal armies the matrix is skew-symmetric, so the value is 0 (Borel 1921).
    """
    soldiers = _positive_int(soldiers, "soldiers", 0)
    fields = _positive_int(fields, "fields", 1)
    soldiers_b = soldiers if soldiers_b is None else _positive_int(soldiers_b, "soldiers_b", 0)
    payoff = check_choice("payoff", payoff, ("fields", "majority"))
    na, nb = _num_allocations(soldiers, fields), _num_allocations(soldiers_b, fields)
    what = call("colonel_blotto", soldiers=soldiers, fields=fields, soldiers_b=soldiers_b)
    # the allocations, the (S_A, S_B, fields) comparison array and the exact payoff table
    check_bytes(what, 8 * fields * (na + nb) + 8 * na * nb * fields + na * nb * 2 * EXACT_ENTRY_BYTES)
    SA, SB = allocations(soldiers, fields), allocations(soldiers_b, fields)
    margin = np.sign(SA[:, None, :] - SB[None, :, :]).sum(axis=2)
    A = margin if payoff == "fields" else np.sign(margin)
    label = lambda row: "-".join(map(str, row))
    title = f"Colonel Blotto ({soldiers} vs {soldiers_b} soldiers, {fields} fields, payoff={payoff})"
    return NormalFormGame.zero_sum(
        A.astype(object), action_labels=[[label(r) for r in SA], [label(r) for r in SB]],
        player_labels=["A", "B"], title=title,
    )


def _grid(x: Any, name: str) -> list[Fraction]:
    """A sorted list of distinct exact numbers."""
    seq = list(x) if isinstance(x, list | tuple | np.ndarray) else [x]
    if not seq:
        raise InvalidParameterError(f"{name} must be a non-empty list of numbers, got {x!r}")
    out = [exact_number(f"{name}[{k}]", v) for k, v in enumerate(seq)]
    if len(set(out)) != len(out):
        raise InvalidParameterError(f"{name} has repeated entries: {x!r}")
    return sorted(out)


@register_game("first_price_auction", family="normal_form")
def first_price_auction(
    values: Sequence[Any] = ((1, 2, 3), (1, 2, 3)),
    bids: Sequence[Any] | None = None,
    prior: Sequence[Sequence[Any]] | None = None,
    overbid: bool = False,
) -> NormalFormGame:
    """A first-price sealed-bid auction on a grid, as the strategic form of a Bayesian game.

    The model (independent private values, risk-neutral bidders):

    * ``values[i]`` is bidder i's value: a number (known to all: complete information) or a list of
      possible values, drawn independently with probabilities ``prior[i]`` (default uniform);
      only bidder i sees its draw.
    * ``bids`` is the grid of allowed bids (default 0, 1, ..., the largest value, rounded up).
    * A pure strategy is a bid function, one bid for each possible value. Unless ``overbid``,
      bidders never bid above their value (such bids are weakly dominated), so each value needs a
      grid bid at or below it.
    * The highest bid wins and pays its bid; ties are broken uniformly at random, so each of k tied
      highest bidders wins with probability 1/k. Losers pay nothing.
    * Payoffs are ex-ante expected utilities: E[(v_i - b_i(v_i)) 1{i wins}] over all value draws.

    With known values (v, v), v >= 2, and bids 0, 1, ..., v the pure equilibria are the profiles
    (b, b) with b in {v - 2, v - 1, v}: a tie at b pays (v - b) / 2, which no unilateral move to
    another bid beats (overbidding by one pays v - b - 1, undercutting pays 0).
    """
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidParameterError(f"values must be a list with one entry per bidder, got {values!r}")
    n = len(values)
    if n < 2:
        raise InvalidParameterError(f"an auction needs at least 2 bidders; values={values!r}")
    V = [_grid(v, f"values[{i}]") for i, v in enumerate(values)]
    if prior is None:
        P = [[Fraction(1, len(v))] * len(v) for v in V]
    else:
        if not isinstance(prior, list | tuple) or len(prior) != n:
            raise InvalidParameterError(f"prior must give one probability list per bidder ({n})")
        P = []
        for i, (p, v) in enumerate(zip(prior, values, strict=True)):
            if not isinstance(p, list | tuple) or len(p) != len(V[i]):
                raise InvalidParameterError(f"prior[{i}] must have {len(V[i])} probabilities")
            p = [exact_number(f"prior[{i}][{k}]", x) for k, x in enumerate(p)]
            if min(p) < 0 or sum(p) != 1:
                raise InvalidParameterError(
                    f"prior[{i}] must be non-negative and sum to 1 exactly, got {[str(x) for x in p]}; "
                    "write thirds and the like as strings, e.g. prior=(('1/3', '1/3', '1/3'), ...)"
                )
            # keep the order of the (unsorted) values given
            order = {to_fraction(x): k for k, x in enumerate(v if isinstance(v, list | tuple) else [v])}
            P.append([p[order[x]] for x in V[i]])
    overbid = check_bool("overbid", overbid)
    top = max(max(v) for v in V)
    if bids is None:
        # the default grid 0, 1, ..., ceil(top): its length is checked before it is listed
        check_bytes(call("first_price_auction", values=values), (math.ceil(top) + 1) * EXACT_ENTRY_BYTES)
    bid_grid = _grid(bids, "bids") if bids is not None else [Fraction(k) for k in range(math.ceil(top) + 1)]
    if min(bid_grid) < 0:
        raise InvalidParameterError(f"bids must be non-negative, got {bids!r}")

    # each bidder's bid functions: rows = strategies, columns = its possible values
    strategies: list[np.ndarray] = []
    labels: list[list[str]] = []
    counts: list[int] = []
    for i, vals in enumerate(V):
        options = [[k for k, b in enumerate(bid_grid) if overbid or b <= v] for v in vals]
        if any(not o for o in options):
            raise InvalidParameterError(f"bidder {i + 1} has a value below every allowed bid")
        count = math.prod(len(o) for o in options)
        counts.append(count)
        check_bytes(f"first_price_auction: bidder {i + 1}'s {count} bid functions", count * len(vals) * 64)
        funcs = np.array(list(itertools.product(*options)), dtype=np.int64).reshape(count, len(vals))
        strategies.append(funcs)
        if len(vals) == 1:
            labels.append([str(bid_grid[f[0]]) for f in funcs])
        else:
            labels.append([" ".join(f"{v}:{bid_grid[k]}" for v, k in zip(vals, f, strict=True))
                           for f in funcs])

    # the exact payoff table and the (S_1, V_1, ..., S_n, V_n) object broadcast that fills it
    broadcast = math.prod(c * len(v) for c, v in zip(counts, V, strict=True))
    check_bytes(call("first_price_auction", values=values, bids=bids),
                n * math.prod(counts) * EXACT_ENTRY_BYTES + 6 * broadcast * EXACT_ENTRY_BYTES)
    u = _auction_payoffs(strategies, V, P, bid_grid)
    kind = "complete information" if all(len(v) == 1 for v in V) else "private values"
    return NormalFormGame(u, action_labels=labels, player_labels=[f"Bidder {i + 1}" for i in range(n)],
                          title=f"First-price auction ({n} bidders, {kind}, {len(bid_grid)} bids)")


def _auction_payoffs(strategies: list[np.ndarray], V: list[list[Fraction]], P: list[list[Fraction]],
                     bid_grid: list[Fraction]) -> np.ndarray:
    """Exact expected payoffs, shape (n, S_1, ..., S_n).

    The broadcast runs over 2n axes (S_1, V_1, ..., S_n, V_n) in integers: bids and values are put
    on a common denominator, probabilities on another, and tie shares 1/k on lcm(1..n); the exact
    rational is the integer sum divided by the product of the scales.
    """
    n = len(strategies)
    q = math.lcm(*(x.denominator for x in [*bid_grid, *(v for vs in V for v in vs)]))
    d = math.lcm(*(p.denominator for ps in P for p in ps))
    ties = math.lcm(*range(1, n + 1))
    bid_int = np.array([int(b * q) for b in bid_grid], dtype=object)
    shape2 = [1] * (2 * n)

    def on_axes(arr: np.ndarray, i: int) -> np.ndarray:
        shp = list(shape2)
        shp[2 * i], shp[2 * i + 1] = arr.shape
        return arr.reshape(shp)

    bids = [on_axes(bid_int[s], i) for i, s in enumerate(strategies)]  # bid of i: (S_i, V_i)
    high = bids[0]
    for b in bids[1:]:
        high = np.maximum(high, b)
    at_top = [b == high for b in bids]
    k = sum(t.astype(np.int64) for t in at_top)
    weight = np.ones(shape2, dtype=object)
    for i, ps in enumerate(P):
        w = np.array([int(p * d) for p in ps], dtype=object)
        weight = weight * on_axes(w[None, :], i)
    out = []
    scale = Fraction(1, q * d**n * ties)
    for i in range(n):
        vals = np.array([int(v * q) for v in V[i]], dtype=object)
        surplus = on_axes(vals[None, :], i) - bids[i]
        share = np.where(at_top[i], ties // np.maximum(k, 1), 0).astype(object)
        total = surplus * share * weight
        total = total.sum(axis=tuple(2 * j + 1 for j in range(n)))
        out.append(total)
    u = np.stack(out)
    return np.vectorize(lambda x: Fraction(x) * scale, otypes=[object])(u)
