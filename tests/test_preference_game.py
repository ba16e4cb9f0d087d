"""PreferenceGame: validation, payoffs, metrics, exact π*_β, minimax winner, generators and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria import cli
from equilibria.api import load_game, solve
from equilibria.errors import InvalidGameError, InvalidParameterError, InvalidStrategyError
from equilibria.games.preference import PreferenceGame
from equilibria.metrics import deviation_gains, nash_conv
from equilibria.metrics.preference import (
    duality_gap,
    kl_to_equilibrium,
    regularised_exploitability,
    unregularised_exploitability,
    win_rate,
)
from equilibria.registry import GAMES
from equilibria.solvers.preference import (
    bradley_terry_reward,
    dpo_policy,
    fixed_point_residual,
    ipo_policy,
    kl_regularised_optimum,
    minimax_winner,
    regularised_nash,
    rlhf_policy,
)


def random_game(seed: int, X: int = 2, K: int = 4, beta: float = 0.1) -> PreferenceGame:
    rng = np.random.default_rng(seed)
    A = rng.uniform(-0.5, 0.5, (X, K, K))
    A = (A - A.transpose(0, 2, 1)) / 2
    ref = rng.dirichlet(np.full(K, 2.0), size=X)
    return PreferenceGame(0.5 + A, ref, beta=beta)


def rps(a: float, b: float, c: float, beta: float = 0.0) -> PreferenceGame:
    """P(1≻2) = 1/2 + a, P(2≻3) = 1/2 + b, P(3≻1) = 1/2 + c."""
    P = np.full((3, 3), 0.5)
    P[0, 1], P[1, 2], P[2, 0] = 0.5 + a, 0.5 + b, 0.5 + c
    P[1, 0], P[2, 1], P[0, 2] = 0.5 - a, 0.5 - b, 0.5 - c
    return PreferenceGame(P, beta=beta)


# -- validation --------------------------------------------------------------------------------

def test_rejects_tensor_that_is_not_complementary_and_names_the_entry():
    P = np.full((2, 3, 3), 0.5)
    P[1, 0, 2], P[1, 2, 0] = 0.7, 0.4
    with pytest.raises(InvalidGameError, match=r"P\[1, (0, 2|2, 0)\].*not 1"):
        PreferenceGame(P)


def test_rejects_values_outside_unit_interval_and_non_finite():
    P = np.full((3, 3), 0.5)
    P[0, 1], P[1, 0] = 1.2, -0.2
    with pytest.raises(InvalidGameError, match=r"P\[0, [01], [01]\].*not a probability"):
        PreferenceGame(P)
    P[0, 1], P[1, 0] = np.nan, 0.5
    with pytest.raises(InvalidGameError, match="finite"):
        PreferenceGame(P)


def test_rejects_bad_reference_shape_and_bad_parameters():
    P = np.full((3, 3), 0.5)
    with pytest.raises(InvalidGameError, match="positive probability"):
        PreferenceGame(P, [0.5, 0.5, 0.0])
    with pytest.raises(InvalidGameError, match="shape"):
        PreferenceGame(np.full((3, 4), 0.5))
    with pytest.raises(InvalidParameterError):
        PreferenceGame(P, beta=-1)


def test_game_is_immutable():
    g = rps(0.1, 0.1, 0.1)
    with pytest.raises(AttributeError):
        g.beta = 3.0
    with pytest.raises(ValueError):
        g.P[0, 0, 0] = 1.0


def test_complementarity_tolerance_is_1e_12():
    P = np.full((2, 2), 0.5)
    P[0, 1], P[1, 0] = 0.3 + 5e-13, 0.7
    PreferenceGame(P)  # within tolerance
    P[0, 1] = 0.3 + 5e-12
    with pytest.raises(InvalidGameError):
        PreferenceGame(P)


# -- payoffs and metrics -----------------------------------------------------------------------

def test_expected_payoffs_are_win_rates_and_constant_sum():
    g = random_game(0, beta=0.0)
    rng = np.random.default_rng(1)
    p, q = rng.dirichlet(np.ones(4), size=2), rng.dirichlet(np.ones(4), size=2)
    manual = np.mean([p[x] @ g.P[x] @ q[x] for x in range(2)])
    u = g.expected_payoffs([p, q])
    # payoffs are win rates in [0, 1]: 1e-12 absolute is 1e-12 of their scale
    assert u == pytest.approx([manual, 1 - manual], abs=1e-12)
    assert g.expected_payoffs(p) == pytest.approx([0.5, 0.5], abs=1e-12)


def test_unregularised_gain_is_best_response_win_rate_minus_half():
    """With β = 0 each side's gain is max_π' P(π' ≻ π) − 1/2 = E_x max_y P(y ≻ π|x) − 1/2."""
    g = random_game(3, beta=0.0)
    pi = np.random.default_rng(4).dirichlet(np.ones(4), size=2)
    brute = np.mean([max(g.P[x, y] @ pi[x] for y in range(4)) for x in range(2)]) - 0.5
    assert deviation_gains(g, pi) == pytest.approx([brute, brute], abs=1e-12)
    assert unregularised_exploitability(g, pi) == pytest.approx(brute, abs=1e-12)
    assert nash_conv(g, pi) == pytest.approx(2 * brute, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.02, 2.0))
def test_regularised_exploitability_dominates_every_deviation(seed, beta):
    """Property: the Gibbs response attains max_π' [P(π'≻π) − βKL(π'‖π_ref)]; no random π' beats it."""
    g = random_game(seed, beta=beta)
    rng = np.random.default_rng(seed + 1)
    pi = rng.dirichlet(np.ones(4), size=2)
    gap = regularised_exploitability(g, pi)
    for _ in range(20):
        dev = rng.dirichlet(np.ones(4) * 0.5, size=2)
        value = g.preference(dev, pi) - beta * g.kl_to_reference(dev) - 0.5 + beta * g.kl_to_reference(pi)
        assert value <= gap + 1e-12
    assert duality_gap(g, pi) == pytest.approx(nash_conv(g, pi), abs=1e-12)


def test_profile_json_round_trip_and_errors():
    g = random_game(5)
    pi = np.random.default_rng(0).dirichlet(np.ones(4), size=2)
    data = g.profile_to_json(pi)
    assert set(data) == {"x0", "x1"} and set(data["x0"]) == {"y0", "y1", "y2", "y3"}
    assert np.allclose(g.profile_from_json(json.loads(json.dumps(data))), pi)
    pair = g.profile_to_json([pi, g.reference])
    assert isinstance(pair, list) and len(pair) == 2
    with pytest.raises(InvalidStrategyError, match="unknown response"):
        g.profile_from_json({"x0": {"nope": 1.0}, "x1": {"y0": 1.0}})
    with pytest.raises(InvalidStrategyError, match="sums to"):
        g.validate_policy(pi * 2)


# -- exact equilibria --------------------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.01, 0.05, 0.1, 0.5, 1.0, 3.0]))
def test_regularised_nash_satisfies_fixed_point_to_1e_10(seed, beta):
    """π*_β = softmax(log π_ref + Pπ*_β/β) holds to 1e-10 in log and probability space."""
    g = random_game(seed, X=3, K=5, beta=beta)
    pi = regularised_nash(g)
    assert fixed_point_residual(g, pi) < 1e-10
    z = g.log_reference + np.einsum("xij,xj->xi", g.P, pi) / beta
    q = np.exp(z - z.max(axis=1, keepdims=True))
    q /= q.sum(axis=1, keepdims=True)
    assert np.max(np.abs(pi - q)) < 1e-12
    assert regularised_exploitability(g, pi) < 1e-12
    assert nash_conv(g, pi) < 1e-12


def test_preference_nash_solver_is_certified_and_reports_metrics():
    g = load_game("preference:cyclic(k=5,beta=0.05,seed=2)")
    [sol] = solve(g)  # default method: certified, so solve() verified NashConv ~ 0
    assert sol.method == "preference-nash" and sol.nash_conv < 1e-12
    assert sol.info["exploitability"] < 1e-12
    assert sol.info["kl_to_regularised_equilibrium"] < 1e-12


def test_minimax_winner_of_a_three_cycle_is_proportional_to_opposite_margins():
    """Known value: with margins a (1≻2), b (2≻3), c (3≻1) the unique minimax winner is ∝ (b, c, a).

    It solves Aπ = 0 for the skew-symmetric A = P − 1/2 (Fishburn 1984; the weighted RPS equilibrium).
    """
    a, b, c = 0.1, 0.3, 0.2
    g = rps(a, b, c)
    pi = minimax_winner(g)
    assert pi[0] == pytest.approx(np.array([b, c, a]) / (a + b + c), abs=1e-9)
    assert unregularised_exploitability(g, pi) < 1e-12


def test_regularised_nash_tends_to_minimax_winner_and_to_reference():
    """β → 0: π*_β → minimax winner (unique here); β → ∞: π*_β → π_ref with KL = O(1/β²)."""
    g = rps(0.1, 0.3, 0.2)
    mw = minimax_winner(g)[0]
    assert np.abs(regularised_nash(g.with_beta(1e-3))[0] - mw).max() < 5e-3
    far = [np.abs(regularised_nash(g.with_beta(b))[0] - 1 / 3).max() for b in (10.0, 100.0)]
    assert far[1] < far[0] / 5


# -- transitive games: Bradley-Terry baselines versus π*_β -------------------------------------

def test_transitive_game_bradley_terry_and_regularised_nash_agree_where_theory_says():
    """With Bradley-Terry preferences P = σ(r_y − r_y') the regularised Nash equilibrium and the RLHF
    optimum differ in general: π*_β ∝ π_ref exp(P(y ≻ π*_β)/β) but π_RLHF ∝ π_ref exp(r(y)/β)
    (Munos et al. 2024, §3; Azar et al. 2024). What does hold, and is checked here:

    (i) the BT maximum-likelihood reward is the latent score (up to a shift), and DPO = RLHF
        (Rafailov et al. 2023);
    (ii) with uniform π_ref both rank the responses exactly by latent score, since P(y ≻ π) is
        increasing in r(y);
    (iii) at β = 0 both are the Condorcet winner: the minimax winner of a transitive game is the pure
        top-scored response, which is also the greedy RLHF policy;
    (iv) for K = 2 both are closed-form: the log-odds are log(π_ref ratio) + (p − 1/2)/β for π*_β and
        + logit(p)/β for RLHF; the offline IPO optimum equals π*_β exactly (Azar et al. 2024).
    """
    g = load_game("preference:transitive(k=6,contexts=3,beta=0.2,seed=7,scale=1.5)")
    r = bradley_terry_reward(g)
    # (i) recover the latent scores: P must equal σ(r_y − r_y') exactly
    assert np.abs(1 / (1 + np.exp(-(r[:, :, None] - r[:, None, :]))) - g.P).max() < 1e-10
    assert np.abs(dpo_policy(g) - rlhf_policy(g)).max() < 1e-10
    # (ii) identical rankings
    nash, rlhf = regularised_nash(g), rlhf_policy(g)
    assert (np.argsort(nash, axis=1) == np.argsort(r, axis=1)).all()
    assert (np.argsort(rlhf, axis=1) == np.argsort(r, axis=1)).all()
    assert np.abs(nash - rlhf).max() > 1e-2  # and they are genuinely different policies
    # (iii) β = 0
    g0 = g.with_beta(0.0)
    top = np.eye(6)[np.argmax(r, axis=1)]
    assert np.abs(minimax_winner(g0) - top).max() < 1e-9
    assert np.abs(kl_regularised_optimum(g0, r) - top).max() == 0
    # (iv) K = 2
    p, beta = 0.8, 0.25
    g2 = PreferenceGame([[0.5, p], [1 - p, 0.5]], [0.3, 0.7], beta=beta)
    lo = lambda pi: np.log(pi[0, 0] / pi[0, 1])  # noqa: E731
    assert lo(regularised_nash(g2)) == pytest.approx(np.log(0.3 / 0.7) + (p - 0.5) / beta, abs=1e-12)
    assert lo(rlhf_policy(g2)) == pytest.approx(np.log(0.3 / 0.7) + np.log(p / (1 - p)) / beta, abs=1e-9)
    assert np.abs(ipo_policy(g2) - regularised_nash(g2)).max() < 1e-12


def test_on_cyclic_preferences_reward_models_are_exploitable_and_nash_is_not():
    """A cycle has no consistent reward: the BT/DPO policy loses to some response while π*_β is optimal."""
    g = load_game("preference:cyclic(k=3,beta=0.05,seed=0)")
    nash = regularised_nash(g)
    assert regularised_exploitability(g, nash) < 1e-12
    for pi in (rlhf_policy(g), dpo_policy(g)):
        assert regularised_exploitability(g, pi) > 1e-3
        assert win_rate(g, nash, pi) > 0.5
    assert kl_to_equilibrium(g, nash) == 0.0


# -- generators --------------------------------------------------------------------------------

def test_generators_are_registered_and_seeded():
    for name in ("preference:transitive", "preference:cyclic", "preference:mixed", "preference:noisy"):
        assert name in GAMES and GAMES.get(name).family == "preference"
    a = load_game("preference:mixed(k=4,contexts=2,seed=3)")
    b = load_game("preference:mixed(k=4,contexts=2,seed=3)")
    c = load_game("preference:mixed(k=4,contexts=2,seed=4)")
    assert np.array_equal(a.P, b.P) and not np.array_equal(a.P, c.P)


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_cyclic_generator_is_a_balanced_tournament(k):
    """Every response beats exactly ⌊(k−1)/2⌋ others (ties for the opposite one when k is even)."""
    g = load_game(f"preference:cyclic(k={k},seed=1)")
    beats = (g.P[0] > 0.5).sum(axis=1)
    assert (beats == (k - 1) // 2).all()
    assert unregularised_exploitability(g, g.uniform_profile()) > 0 or k % 2 == 0


def test_noisy_generator_flips_labels():
    base = load_game("preference:transitive(k=4,seed=5)")
    noisy = load_game("preference:noisy(k=4,seed=5,flip=0.2)")
    assert np.abs(noisy.P - (0.2 + 0.6 * base.P)).max() < 1e-12
    sampled = load_game("preference:noisy(k=4,seed=5,flip=0.2,comparisons=50)")
    assert sampled.counts is not None and np.all(sampled.counts[0][~np.eye(4, dtype=bool)] == 50)
    assert np.abs(sampled.P + sampled.P.transpose(0, 2, 1) - 1).max() == 0


# -- CLI ---------------------------------------------------------------------------------------

def test_cli_nash_mp_reaches_the_regularised_equilibrium(capsys, tmp_path):
    plot = tmp_path / "curve.png"
    rc = cli.main(["solve", "preference:cyclic(k=3,beta=0.1)", "--method", "nash-mp", "--iterations", "300",
                   "--json", "--plot", str(plot)])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and plot.stat().st_size > 0
    assert out["nash_conv"] < 1e-6
    assert out["info"]["exploitability"] < 1e-6
    assert out["info"]["kl_to_regularised_equilibrium"] < 1e-12
    assert abs(sum(out["equilibria"][0]["strategies"]["x"].values()) - 1) < 1e-12


def test_cli_eval_reports_gains(capsys, tmp_path):
    g = load_game("preference:cyclic(k=3,beta=0.1)")
    path = tmp_path / "pi.json"
    path.write_text(json.dumps(g.profile_to_json(g.reference)))
    assert cli.main(["eval", "preference:cyclic(k=3,beta=0.1)", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nash_conv"] == pytest.approx(duality_gap(g, g.reference), abs=1e-12)


def test_best_of_n_matches_its_order_statistics_formula():
    """Best-of-n law: π(y) = F(y)^n − F(y⁻)^n with F the π_ref-CDF in reward order; n = 1 is π_ref."""
    g = PreferenceGame(np.full((3, 3), 0.5), [0.2, 0.5, 0.3], beta=0.1)
    reward = np.array([[0.0, 2.0, 1.0]])  # order: y0 < y2 < y1
    from equilibria.solvers.preference import best_of_n_policy

    pi = best_of_n_policy(g, 3, reward)
    F = {0: 0.2, 2: 0.5, 1: 1.0}
    assert pi[0, 0] == pytest.approx(0.2**3)
    assert pi[0, 2] == pytest.approx(F[2] ** 3 - F[0] ** 3)
    assert pi[0, 1] == pytest.approx(1 - F[2] ** 3)
    assert np.allclose(best_of_n_policy(g, 1, reward), g.reference)
    [sol] = solve(load_game("preference:transitive(k=4,seed=1)"), "best-of-n", n=8)
    assert sol.info["n"] == 8 and 0 <= sol.info["exploitability"] < 0.5
