"""The LLG combinatorial auction: payment rules by hand, the fast interim outcomes against a brute-force
sum, the known Bayes-Nash equilibria (ε ≈ 0), ε clearly positive away from them, bad input, the CLI.

Known equilibria (locals' values U[0, 1], global's U[0, 2], independent; Ausubel & Baranov,
"Core-selecting auctions with incomplete information", Int. J. Game Theory 2020; Goeree & Lien, "On the
impossibility of core-selecting auctions", Theoretical Economics 2016; bnelearn's LLG setting with
correlation 0): the global bids truthfully under VCG and the core rules; the locals bid truthfully
(VCG), max(0, v − (3 − 2√2)) (nearest-VCG), max(0, 1 + ln v) (nearest-zero = proxy),
ln 2 − ln(2 − v) (nearest-bid).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria import cli
from equilibria.api import load_game
from equilibria.errors import InvalidGameError, InvalidParameterError, NotApplicableError
from equilibria.games.auction import LLGGame, llg_local_payment
from equilibria.metrics import deviation_gains

# ε tolerance at the known equilibria for these sizes. The interim expectations use value_points
# midpoint atoms per opponent, and ε there is O(1/value_points): measured at grid 257, bid_points
# 1601, nearest-zero gives 1.1e-4, 4.6e-5, 2.1e-5 at 150, 300, 600 atoms. At 120 atoms ε_i is
# 4.5e-4 (nearest-VCG), 6.8e-5 (nearest-zero), 2.0e-5 (nearest-bid), while truthful locals lose
# 1.3e-2 to 2.4e-2: the tolerance 1e-3 sits 20 times below the latter.
SIZES = dict(bid_points=401, value_points=120)
EPS_TOL = 1e-3


@pytest.mark.parametrize(
    "rule,y,b,bg,expected",
    [
        # y = 0.6, b = 0.3, bg = 0.8: VCG (0.5, 0.2) sums to 0.7 < 0.8
        ("first-price", 0.6, 0.3, 0.8, 0.6),
        ("vcg", 0.6, 0.3, 0.8, 0.5),
        ("nearest-vcg", 0.6, 0.3, 0.8, 0.55),  # VCG + half the deficit 0.1
        ("nearest-zero", 0.6, 0.3, 0.8, 0.5),  # (0.4, 0.4) capped: the other pays its bid 0.3
        ("proxy", 0.6, 0.3, 0.8, 0.5),
        ("nearest-bid", 0.6, 0.3, 0.8, 0.55),  # the bids less half the surplus 0.1
        # y = 0.9, b = 0.1, bg = 0.5: VCG (0.4, 0)
        ("nearest-vcg", 0.9, 0.1, 0.5, 0.45),
        ("nearest-zero", 0.9, 0.1, 0.5, 0.4),
        ("nearest-bid", 0.9, 0.1, 0.5, 0.5),  # (0.65, −0.15) moved into the core: (0.5, 0)
        ("nearest-bid", 0.1, 0.9, 0.5, 0.0),
    ],
)
def test_payment_rules_by_hand(rule, y, b, bg, expected):
    assert float(llg_local_payment(rule, np.array(y), np.array(b), np.array(bg))) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["nearest-vcg", "nearest-zero", "nearest-bid"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_core_rules_pay_a_minimum_revenue_core_point(rule, y, b, t):
    bg = t * (y + b)  # the locals win
    p1 = float(llg_local_payment(rule, np.array(y), np.array(b), np.array(bg)))
    p2 = float(llg_local_payment(rule, np.array(b), np.array(y), np.array(bg)))
    assert p1 + p2 == pytest.approx(bg, abs=1e-12)
    assert max(0.0, bg - b) - 1e-12 <= p1 <= y + 1e-12  # VCG payment <= p <= bid
    assert max(0.0, bg - y) - 1e-12 <= p2 <= b + 1e-12


@pytest.mark.parametrize("rule", ["first-price", "vcg", "nearest-vcg", "nearest-zero", "nearest-bid"])
def test_interim_outcomes_match_a_brute_force_sum(rule):
    g = LLGGame(rule, grid=9, bid_points=61, value_points=25)
    rng = np.random.default_rng(1)
    prof = [rng.random(9) * 1.6 for _ in range(3)]  # non-monotone bids
    B = [g.bids_at(k, prof[k], g.quadrature(k)[0]) for k in range(3)]
    W = [g.quadrature(k)[1] for k in range(3)]
    Y = g.bid_grid[:, None, None]
    for i in range(3):
        x, pay = g.interim_outcome(prof, i, g.bid_grid)
        if i < 2:  # (own bid, other local's atom, global's atom)
            b, bg = B[1 - i][None, :, None], B[2][None, None, :]
            w = W[1 - i][None, :, None] * W[2][None, None, :]
            win = bg <= Y + b
            p = llg_local_payment(rule, Y, b, bg)
        else:
            b1, b2 = B[0][None, :, None], B[1][None, None, :]
            w = W[0][None, :, None] * W[1][None, None, :]
            win = Y > b1 + b2
            p = Y + 0 * b1 * b2 if rule == "first-price" else b1 + b2 + 0 * Y
        np.testing.assert_allclose(x, np.sum(w * win, axis=(1, 2)), atol=1e-12)
        np.testing.assert_allclose(pay, np.sum(w * win * p, axis=(1, 2)), atol=1e-12)


@pytest.mark.parametrize("rule", ["vcg", "nearest-vcg", "nearest-zero", "proxy", "nearest-bid"])
def test_known_equilibria_have_small_epsilon_and_truthful_locals_do_not(rule):
    g = LLGGame(rule, **SIZES)
    eq = g.equilibrium()
    np.testing.assert_allclose(eq[2], g.grids[2])  # the global is truthful
    gains = deviation_gains(g, eq)
    assert gains[2] <= 1e-12  # truthful is dominant for the global bidder
    assert np.all(gains[:2] <= EPS_TOL)
    truthful = deviation_gains(g, g.uniform_profile())
    if rule == "vcg":
        assert np.all(truthful <= 1e-12)  # truthful is dominant under VCG
    else:
        assert np.all(truthful[:2] >= 1e-2)


def test_nearest_vcg_shift_is_3_minus_2_sqrt2_not_half_of_it():
    # ε_i at the shift c of β(v) = max(0, v − c): the known c = 3 − 2√2 ≈ 0.172 against nearby shifts
    g = LLGGame("nearest-vcg", **SIZES)
    v = g.grids[0]

    def eps(c: float) -> float:
        loc = np.maximum(0.0, v - c)
        return float(deviation_gains(g, [loc, loc, g.grids[2]])[0])

    known = eps(3 - 2 * math.sqrt(2))
    assert known <= EPS_TOL
    assert eps((3 - 2 * math.sqrt(2)) / 2) >= 5 * known
    assert eps(0.25) >= 5 * known


def test_known_closed_forms():
    v = LLGGame("nearest-zero", grid=5).grids[0][1:]  # ln 0 aside: β(0) = 0
    assert LLGGame("first-price").equilibrium() is None
    np.testing.assert_allclose(LLGGame("proxy", grid=5).equilibrium()[0][1:], np.maximum(0, 1 + np.log(v)))
    np.testing.assert_allclose(LLGGame("nearest-bid", grid=5).equilibrium()[0][1:], np.log(2) - np.log(2 - v))
    assert LLGGame("proxy", grid=5).equilibrium()[0][0] == 0.0
    g = LLGGame("nearest-vcg", grid=5)
    assert g.distance_to_equilibrium(g.equilibrium()) == 0.0
    assert g.distance_to_equilibrium(g.uniform_profile()) > 0.1


def test_bad_rule_and_sizes():
    with pytest.raises(InvalidParameterError, match="rule"):
        load_game("auction:llg(rule='second-price')")
    with pytest.raises(InvalidGameError, match="LLG payment rule"):
        LLGGame("nearest_vcg")
    with pytest.raises(InvalidParameterError):
        load_game("auction:llg(value_points=5)")
    for method in ("smoothed-gradient", "npga", "fictitious-play"):
        from equilibria.registry import METHODS

        with pytest.raises(NotApplicableError, match="best-response-iteration"):
            METHODS.get(method, "auction").target(LLGGame("vcg", grid=5, bid_points=21, value_points=10))


def test_cli_best_response_iteration(capsys):
    spec = "auction:llg(rule='nearest-vcg', bid_points=201, value_points=60)"
    rc = cli.main(["solve", spec, "--method", "best-response-iteration", "--iterations", "5", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    strat = out["equilibria"][0]["strategies"]
    assert len(strat) == 3 and len(strat[2]["grid"]) == 65 and strat[2]["grid"][-1] == 2.0
    # the locals' bids approach max(0, v − (3 − 2√2)); the global's best response is not unique (a high
    # value wins with any bid above the locals' largest sum), so its bids need not stay truthful
    v, b = np.array(strat[0]["grid"]), np.array(strat[0]["bids"])
    assert np.max(np.abs(b - np.maximum(0, v - (3 - 2 * math.sqrt(2))))) <= 0.05
    assert out["info"]["distance_to_bne"] > 0
    assert out["nash_conv"] <= 2e-3  # truthful start: NashConv 0.029 (2 × 0.0146)
    assert cli.main(["solve", "auction:llg(rule='bogus')", "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err
