"""Conformance suite: every registered method against the library's method contract.

In the style of scikit-learn's ``check_estimator``: each entry of `equilibria.registry.METHODS`
(solvers and learners, one case per game family the entry serves) is run on a tiny catalog game of
that family and must

- give the same answer, bit for bit, when run twice with the same seed;
- (learners) end a checkpointed run that is resumed exactly where an uninterrupted run ends;
- refuse a game of a family it does not serve with `NotApplicableError`;
- refuse an unknown option with `InvalidParameterError`;
- return strategies that are distributions (per player, per information set, per state, per
  context; continuous games: finite points of the strategy set);
- cite a paper in its docstring or registered description;
- return a profile whose NashConv is finite, and ~0 relative to the payoff scale (exactly 0 in
  exact mode) when the method is registered ``certified``.

A new method that fails any of these cannot land (issue 10, item 4).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import equilibria as eq
from equilibria.errors import InvalidParameterError, NotApplicableError
from equilibria.registry import METHODS, MethodEntry

#: a tiny game of each family (catalog specs)
FAMILY_GAMES = {
    # 3x3 zero-sum, integer payoffs, unique equilibrium (1/2, 1/6, 1/3) for both: not the uniform
    # profile learners start from, and exact modes apply
    "normal_form": "weighted_rock_paper_scissors",
    "extensive_form": "kuhn_poker",
    # discount 0.5: value iteration converges in a few dozen sweeps
    "markov": "random_markov_game(num_states=2, num_actions=2, discount=0.5, zero_sum=True, seed=0)",
    "continuous": "bilinear(dim=2, bound=1.0, seed=0)",
    "preference": "preference:cyclic(k=3)",
    # two players, two hats each: 4 observations x 2 positions per player
    "hats": "levine_hats(hats=2)",
    # 3 Bernoulli arms with gaps 0.4: best-arm methods stop within a few dozen rounds
    "bandit": "bandit:bernoulli(means=[0.1, 0.5, 0.9])",
    # 3 states, 2 actions, horizon 2: every learner's iteration is a few array operations
    "mean_field": "mfglib:left_right",
    # 8 prompts, 2 tokens, answers of length <= 2: 3 prefixes, 7 answers per prompt
    "rlvr": "rlvr:toy(prompts=8, vocab=2, max_length=2)",
    # horizon = ITERATIONS: a run meets every request once
    "allocation": "allocation:budgeted_second_price(horizon=20, seed=0)",
    # 2 bidders, bid functions on 9 grid values, a coarse ε metric: one evaluation is a few ms
    "auction": "auction:first_price(bidders=2, grid=9, bid_points=101, value_points=50)",
    # 4 score bins, 10 applicants a round: the two-group closed lending loop in miniature
    "fair_threshold": "fair:lending(num_scores=4, batch=10)",
    # CES (rho < 1): a unique demand, so tatonnement applies too
    "market": "market:ces(buyers=2, goods=3, rho=0.5, seed=0)",
}
#: the order in which a family the method does not serve is picked for the wrong-family check
WRONG_FAMILY_ORDER = ("preference", "continuous", "markov", "extensive_form", "normal_form")
ITERATIONS = 20
#: options a method cannot run without (they have no default)
REQUIRED_OPTIONS: dict[str, dict[str, Any]] = {"logit-qre": {"lam": 2.0}}
#: certified float answers: NashConv at most this times max(1, payoff scale)
CERTIFIED_RTOL = 1e-7

CASES = [(entry, family) for entry in METHODS for family in entry.families]


def _case_id(case: tuple[MethodEntry, str]) -> str:
    entry, family = case
    return f"{entry.name}[{family}]"


@functools.cache
def _game(family: str) -> Any:
    return eq.load_game(FAMILY_GAMES[family])


def _takes(entry: MethodEntry, name: str) -> bool:
    target = entry.target.__init__ if entry.kind == "learner" else entry.target
    return name in inspect.signature(target).parameters


def _run_kwargs(entry: MethodEntry) -> dict[str, Any]:
    """Few iterations and a fixed seed for learners; the same for solvers that take them."""
    kwargs = dict(REQUIRED_OPTIONS.get(entry.name, {}))
    if entry.kind == "learner":
        kwargs.update(iterations=ITERATIONS, seed=0)
    else:
        kwargs.update({k: v for k, v in (("iterations", ITERATIONS), ("seed", 0)) if _takes(entry, k)})
    return kwargs


@functools.cache
def _baseline(name: str, family: str) -> list:
    return eq.solve(_game(family), name, **_run_kwargs(METHODS.get(name, family)))


def _scale(game: Any) -> float:
    """The payoff scale tolerances are relative to (continuous games have none: 1)."""
    return float(getattr(game, "payoff_scale", 1.0))


def _as_arrays(strategies: Any) -> list[np.ndarray]:
    if isinstance(strategies, np.ndarray) and strategies.dtype != object:
        return [strategies]
    if isinstance(strategies, (list, tuple)):
        return [np.asarray(s) for s in strategies]
    return [np.asarray(strategies)]


def _assert_same_profile(a: Any, b: Any, what: str) -> None:
    xa, xb = _as_arrays(a), _as_arrays(b)
    assert len(xa) == len(xb), f"{what}: {len(xa)} vs {len(xb)} strategy arrays"
    for k, (u, v) in enumerate(zip(xa, xb, strict=True)):
        assert u.shape == v.shape, f"{what}: array {k} has shape {u.shape} vs {v.shape}"
        assert np.array_equal(u, v), f"{what}: array {k} differs:\n{u}\nvs\n{v}"


def _rows(game: Any, family: str, strategies: Any) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """The probability vectors of a profile: (label, vector, legal mask or None)."""
    if family == "normal_form":
        return [(f"player {i + 1}", np.asarray(s), None) for i, s in enumerate(strategies)]
    if family == "extensive_form":
        shape = (game.num_infosets, game.max_actions)
        if isinstance(strategies, (list, tuple)) and all(np.shape(p) == shape for p in strategies):
            # one full-size array per player: each player's own rows
            merged = np.array(strategies[0], dtype=object, copy=True)
            for p in range(1, game.num_players):
                rows = game.player_infosets[p]
                merged[rows] = np.asarray(strategies[p], dtype=object)[rows]
            sigma = merged
        else:
            sigma = np.asarray(strategies, dtype=object)
        assert sigma.shape == shape, f"extensive-form profile has shape {sigma.shape}, expected {shape}"
        mask = np.asarray(game.legal_mask, dtype=bool)
        return [(f"infoset {game.infoset_labels[i]}", sigma[i], mask[i]) for i in range(shape[0])]
    if family == "markov":
        out = []
        for i, pol in enumerate(strategies):
            arr = np.asarray(pol)
            flat = arr.reshape(-1, arr.shape[-1])
            out += [(f"player {i + 1} row {r}", row, None) for r, row in enumerate(flat)]
        return out
    if family == "preference":
        arr = np.asarray(strategies)
        mask = np.asarray(game.mask, dtype=bool)
        pols = arr if arr.ndim == 3 else arr[None]
        return [(f"policy {j} context {x}", p[x], mask[x]) for j, p in enumerate(pols) for x in range(len(p))]
    if family == "mean_field":
        # one action distribution per population, step and state
        arr = np.asarray(strategies)
        flat = arr.reshape(-1, arr.shape[-1])
        legal = game.legal[:, 0] if game.stationary else game.legal
        mask = np.asarray(legal, dtype=bool).reshape(flat.shape)
        return [(f"population/step/state row {r}", row, mask[r]) for r, row in enumerate(flat)]
    if family == "market":
        # each buyer's spending shares over the goods
        arr = np.asarray(strategies)
        return [(f"buyer {i + 1}", row, None) for i, row in enumerate(arr)]
    if family == "bandit":  # a distribution over the arms
        return [("arm distribution", np.asarray(strategies), None)]
    if family == "rlvr":
        # one next-token distribution per prompt and prefix
        arr = np.asarray(strategies[0] if isinstance(strategies, (list, tuple)) else strategies)
        return [(f"prompt {x} prefix {n}", arr[x, n], None)
                for x in range(arr.shape[0]) for n in range(arr.shape[1])]
    if family == "hats":  # one distribution over the positions per player and observation
        return [(f"player {i + 1} observation {o}", row, None)
                for i, s in enumerate(strategies) for o, row in enumerate(np.asarray(s))]
    if family == "fair_threshold":  # a distribution over the threshold grid
        return [("threshold policy", np.asarray(strategies), None)]
    if family == "allocation":
        # one probability row over the request's actions per request met
        return [(f"request {t}", row, None) for t, row in enumerate(np.asarray(strategies))]
    raise AssertionError(f"no distribution check for family {family}")


def _assert_distribution(label: str, vec: np.ndarray, mask: np.ndarray | None, exact: bool) -> None:
    if exact:
        assert all(isinstance(v, (Fraction, int)) for v in vec), f"{label}: non-exact entries {vec}"
        assert all(v >= 0 for v in vec), f"{label}: negative probability in {vec}"
        assert sum(vec) == 1, f"{label}: sums to {sum(vec)}"
        if mask is not None:
            assert all(v == 0 for v, ok in zip(vec, mask, strict=True) if not ok), f"{label}: illegal mass"
        return
    v = np.asarray(vec, dtype=float)
    assert np.all(np.isfinite(v)), f"{label}: non-finite entries {v}"
    assert np.all(v >= 0), f"{label}: negative probability in {v}"
    assert abs(math.fsum(v) - 1.0) <= 1e-9, f"{label}: sums to {math.fsum(v)!r}"
    if mask is not None:
        assert np.all(v[~mask] == 0), f"{label}: probability on illegal actions {v}"


def _assert_valid_profile(game: Any, family: str, strategies: Any, exact: bool = False) -> None:
    if family == "continuous":
        z = np.concatenate([np.ravel(np.asarray(x, dtype=float)) for x in strategies])
        assert np.all(np.isfinite(z)), f"continuous profile is not finite: {z}"
        assert np.all(z >= game.lower) and np.all(z <= game.upper), (
            f"continuous profile {z} leaves the strategy set [{game.lower}, {game.upper}]"
        )
        return
    if family == "auction":
        # bid functions: one finite bid per grid value, within [0, max bid]
        assert len(strategies) == game.num_players, f"{len(strategies)} bid functions for {game.num_players}"
        for i, b in enumerate(strategies):
            b = np.asarray(b, dtype=float)
            assert b.shape == (game.grid_points,), f"bidder {i + 1}: bids of shape {b.shape}"
            assert np.all(np.isfinite(b)), f"bidder {i + 1}: bids are not finite: {b}"
            in_range = np.all(b >= 0) and np.all(b <= game.max_bid)
            assert in_range, f"bidder {i + 1}: bids {b} leave [0, {game.max_bid}]"
        return
    rows = _rows(game, family, strategies)
    assert rows, "empty profile"
    for label, vec, mask in rows:
        _assert_distribution(label, vec, mask, exact)


# A citation: a year in parentheses or after a comma ("(2008)", ", 2008"), after an author or a
# venue ("Aumann 1974", "ICML 2023", "Zinkevich et al. 2007"), or an arXiv identifier.
_YEAR = r"(?:1[89]\d\d|20[0-4]\d)[a-z]?\b"
CITATION = re.compile(
    rf"\(\s*{_YEAR}|,\s*{_YEAR}|\b[A-Z][\w'\-]*(?:\s+et\s+al\.?)?\s+{_YEAR}|arXiv:?\s*\d{{4}}\.\d{{4,5}}"
)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_same_seed_same_result(case: tuple[MethodEntry, str]) -> None:
    entry, family = case
    first = _baseline(entry.name, family)
    again = eq.solve(_game(family), entry.name, **_run_kwargs(entry))
    assert len(first) == len(again)
    for s, t in zip(first, again, strict=True):
        _assert_same_profile(s.strategies, t.strategies, f"{entry.name}: two runs with seed 0")


@pytest.mark.parametrize("case", [c for c in CASES if c[0].kind == "learner"], ids=_case_id)
def test_resumed_checkpoint_equals_straight_run(case: tuple[MethodEntry, str], tmp_path: Any) -> None:
    entry, family = case
    path = tmp_path / "run.ckpt"
    opts = REQUIRED_OPTIONS.get(entry.name, {})
    half = eq.solve(_game(family), entry.name, iterations=ITERATIONS // 2, seed=0, checkpoint=path, **opts)
    # a learner may stop early on its own convergence rule, never run past the budget
    assert 1 <= half[0].iterations <= ITERATIONS // 2
    assert path.exists(), "no checkpoint was written"
    resumed = eq.solve(_game(family), entry.name, iterations=ITERATIONS, seed=0, checkpoint=path, **opts)
    straight = _baseline(entry.name, family)
    assert resumed[0].iterations == straight[0].iterations
    _assert_same_profile(resumed[0].strategies, straight[0].strategies, f"{entry.name}: resumed vs straight")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_wrong_family_raises_not_applicable(case: tuple[MethodEntry, str]) -> None:
    entry, _ = case
    served = set(METHODS.families(entry.name))
    wrong = next(f for f in WRONG_FAMILY_ORDER if f not in served)
    with pytest.raises(NotApplicableError):
        eq.solve(_game(wrong), entry.name, **_run_kwargs(entry))


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_unknown_option_raises_invalid_parameter(case: tuple[MethodEntry, str]) -> None:
    entry, family = case
    with pytest.raises(InvalidParameterError, match="bogus_option"):
        eq.solve(_game(family), entry.name, bogus_option=1, **_run_kwargs(entry))


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_strategies_are_distributions(case: tuple[MethodEntry, str]) -> None:
    entry, family = case
    sols = _baseline(entry.name, family)
    assert sols, f"{entry.name} returned no solution"
    for s in sols:
        _assert_valid_profile(_game(family), family, s.strategies, exact=s.exact)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_docstring_cites_a_paper(case: tuple[MethodEntry, str]) -> None:
    entry, _ = case
    text = (inspect.getdoc(entry.target) or "") + "\n" + entry.description
    assert CITATION.search(text), f"{entry.name}: no citation (author/venue + year, arXiv id) in:\n{text}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_nash_conv_is_finite(case: tuple[MethodEntry, str]) -> None:
    entry, family = case
    for s in _baseline(entry.name, family):
        assert s.nash_conv is not None
        assert math.isfinite(float(s.nash_conv)), f"{entry.name}: NashConv {s.nash_conv}"
        assert float(s.nash_conv) >= -1e-9 * max(1.0, _scale(_game(family)))


@pytest.mark.parametrize("case", [c for c in CASES if c[0].certified], ids=_case_id)
def test_certified_nash_conv_is_zero(case: tuple[MethodEntry, str]) -> None:
    entry, family = case
    game = _game(family)
    scale = max(1.0, _scale(game))
    for s in _baseline(entry.name, family):
        assert float(s.nash_conv) <= CERTIFIED_RTOL * scale, f"{entry.name}: NashConv {s.nash_conv}"
    if _takes(entry, "exact"):
        exact = eq.solve(game, entry.name, exact=True, **REQUIRED_OPTIONS.get(entry.name, {}))
        assert exact
        for s in exact:
            assert s.exact
            assert isinstance(s.nash_conv, Fraction) and s.nash_conv == 0, f"{entry.name}: {s.nash_conv}"
            _assert_valid_profile(game, family, s.strategies, exact=True)


@pytest.mark.parametrize(
    "entry", [e for e in METHODS if "normal_form" in e.families], ids=lambda e: f"{e.name}[normal_form]"
)
def test_general_sum_normal_form(entry: MethodEntry) -> None:
    """On a general-sum game (battle of the sexes, Osborne & Rubinstein 1994, §2.3) a normal-form method
    returns valid profiles, or refuses as a zero-sum-only method with `NotApplicableError`."""
    game = eq.load_game("battle_of_the_sexes")
    assert not game.is_constant_sum
    try:
        sols = eq.solve(game, entry.name, **_run_kwargs(entry))
    except NotApplicableError as exc:
        assert "zero-sum" in str(exc), f"{entry.name} refused a general-sum game: {exc}"
        return
    assert sols
    for s in sols:
        _assert_valid_profile(game, "normal_form", s.strategies, exact=s.exact)
        assert math.isfinite(float(s.nash_conv)) and float(s.nash_conv) >= -1e-12
        if entry.certified:
            assert float(s.nash_conv) <= CERTIFIED_RTOL * _scale(game), f"{entry.name}: {s.nash_conv}"
