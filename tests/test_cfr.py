"""The CFR family: NashConv sequences equal OpenSpiel's iteration by iteration (OpenSpiel is a
test-only peer), option handling and convergence of every registered variant.

Reference sequences come from OpenSpiel's ``CFRSolver`` / ``CFRPlusSolver`` (C++ ``pyspiel``
solvers, which reproduce the Python ``open_spiel.python.algorithms.cfr`` ones; checked below on
Kuhn), ``discounted_cfr.DCFRSolver`` / ``LCFRSolver`` and ``cfr._CFRSolver`` for simultaneous
updates, each with OpenSpiel's own NashConv of its average policy.
"""

from functools import cache

import numpy as np
import pyspiel
import pytest
from open_spiel.python.algorithms import cfr as os_cfr
from open_spiel.python.algorithms import discounted_cfr, exploitability

import equilibria as eq
from equilibria.dynamics.cfr import CFR, CFRPlus, DiscountedCFR, LinearCFR, PredictiveCFRPlus, VanillaCFR
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.metrics import nash_conv

CHECKPOINTS = (1, 2, 10, 100)


@cache
def games(name: str) -> tuple:
    spiel = pyspiel.load_game(name)
    return spiel, ExtensiveFormGame.from_state(spiel.new_initial_state())


def _our_sequence(learner, iterations=CHECKPOINTS) -> list[float]:
    out = []
    while learner.iteration < max(iterations):
        learner.step()
        if learner.iteration in iterations:
            out.append(nash_conv(learner.game, learner.average_strategy()))
    return out


def _peer_sequence(solver, spiel, cpp: bool, iterations=CHECKPOINTS) -> list[float]:
    out = []
    for t in range(1, max(iterations) + 1):
        solver.evaluate_and_update_policy()
        if t in iterations:
            pol = solver.average_policy()
            out.append(pyspiel.nash_conv(spiel, pol) if cpp else exploitability.nash_conv(spiel, pol))
    return out


@cache
def reference(name: str, peer) -> tuple:
    spiel, _ = games(name)
    return tuple(_peer_sequence(peer(spiel), spiel, cpp=True))


@pytest.mark.parametrize("name", ["kuhn_poker", "leduc_poker"])
@pytest.mark.parametrize("ours, peer", [(VanillaCFR, pyspiel.CFRSolver), (CFRPlus, pyspiel.CFRPlusSolver)])
@pytest.mark.parametrize("engine", ["history", "sequence"])
def test_nash_conv_sequence_equals_openspiel(name, ours, peer, engine):
    _, game = games(name)
    expected = reference(name, peer)
    got = _our_sequence(ours(game, engine=engine))
    # the history engine does OpenSpiel's arithmetic in OpenSpiel's order: only the NashConv
    # evaluation's own rounding differs (1e-12 of the payoff scale, a tolerance a float meets); the
    # sequence engine's rounding drifts (still < 1e-9 at 100)
    tol = 1e-12 * game.payoff_scale if engine == "history" else 1e-9
    np.testing.assert_allclose(got, expected, rtol=0, atol=tol)
    assert expected[-1] < expected[0]  # the sequence is not trivially constant


def test_history_engine_stays_on_openspiel_trajectory_where_rounding_would_drift():
    # CFR+ amplifies rounding differences (the sequence engine is ~1e-4 off OpenSpiel by iteration
    # 200 on Leduc); bit-for-bit arithmetic keeps the trajectories together for 1000 iterations
    spiel, game = games("kuhn_poker")
    its = (250, 500, 1000)
    expected = _peer_sequence(pyspiel.CFRPlusSolver(spiel), spiel, cpp=True, iterations=its)
    learner = CFRPlus(game)
    # 1e-12 of the payoff scale: far below the ~1e-4 drift of a different order of arithmetic
    np.testing.assert_allclose(_our_sequence(learner, its), expected, rtol=0, atol=1e-12 * game.payoff_scale)


def test_cpp_reference_equals_openspiel_python_solver():
    spiel, _ = games("kuhn_poker")
    for cpp, py in [(pyspiel.CFRSolver, os_cfr.CFRSolver), (pyspiel.CFRPlusSolver, os_cfr.CFRPlusSolver)]:
        a = _peer_sequence(cpp(spiel), spiel, cpp=True, iterations=(1, 2, 10, 30))
        b = _peer_sequence(py(spiel), spiel, cpp=False, iterations=(1, 2, 10, 30))
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ours, peer", [(DiscountedCFR, discounted_cfr.DCFRSolver),
                                        (LinearCFR, discounted_cfr.LCFRSolver)])
def test_discounted_variants_equal_openspiel(ours, peer):
    spiel, game = games("kuhn_poker")
    its = (1, 2, 10, 60)
    expected = _peer_sequence(peer(spiel), spiel, cpp=False, iterations=its)
    np.testing.assert_allclose(_our_sequence(ours(game), its), expected, rtol=0,
                               atol=1e-12 * game.payoff_scale)


@pytest.mark.parametrize("plus", [False, True])
@pytest.mark.parametrize("engine", ["history", "sequence"])
def test_simultaneous_updates_equal_openspiel(plus, engine):
    spiel, game = games("kuhn_poker")
    its = (1, 2, 10, 60)
    peer = os_cfr._CFRSolver(spiel, alternating_updates=False, linear_averaging=plus,
                             regret_matching_plus=plus)
    ours = (CFRPlus if plus else VanillaCFR)(game, alternating=False, engine=engine)
    np.testing.assert_allclose(_our_sequence(ours, its), _peer_sequence(peer, spiel, False, its),
                               rtol=0, atol=1e-9)


def test_custom_dcfr_parameters_equal_openspiel():
    spiel, game = games("kuhn_poker")
    its = (1, 5, 40)
    peer = discounted_cfr.DCFRSolver(spiel, alpha=2.0, beta=0.5, gamma=1.0)
    ours = eq.make_learner(game, "dcfr", alpha=2.0, beta=0.5, gamma=1.0)
    np.testing.assert_allclose(_our_sequence(ours, its), _peer_sequence(peer, spiel, False, its),
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("method", ["cfr", "cfr+", "linear-cfr", "dcfr", "pcfr+"])
def test_every_variant_is_registered_and_converges_on_kuhn(method):
    _, game = games("kuhn_poker")
    learner = eq.make_learner(game, method)
    assert isinstance(learner, CFR)
    trace = eq.run(learner, 300, eval_every=300, evaluate="average")
    # uniform play has NashConv 11/12 (known-values.md); every variant must be far below it
    limit = {"cfr": 0.02, "pcfr+": 1e-4}.get(method, 5e-3)
    assert trace.nash_conv[-1] < limit


def test_predictive_cfr_plus_beats_cfr_plus_on_kuhn():
    # Farina, Kroer & Sandholm (AAAI 2021), Fig. 3: PCFR+ converges faster than CFR+ on Kuhn poker
    _, game = games("kuhn_poker")
    nc = {}
    for cls in (CFRPlus, PredictiveCFRPlus):
        learner = cls(game)
        eq.run(learner, 500, evaluate="none")
        nc[cls] = nash_conv(game, learner.average_strategy())
    assert nc[PredictiveCFRPlus] < nc[CFRPlus]


def test_solve_returns_the_average_policy_with_its_nash_conv():
    _, game = games("kuhn_poker")
    sol = eq.solve(game, "cfr+", iterations=200)[0]
    assert sol.strategies.shape == (game.num_infosets, game.max_actions)
    assert sol.nash_conv == pytest.approx(nash_conv(game, sol.strategies))
    np.testing.assert_allclose(sol.strategies.sum(axis=1), 1.0)
    assert sol.nash_conv < 0.01


def test_three_player_kuhn_runs_and_improves():
    spiel = pyspiel.load_game("kuhn_poker", {"players": 3})
    game = ExtensiveFormGame.from_state(spiel.new_initial_state())
    learner = CFRPlus(game)
    trace = eq.run(learner, 200, eval_every=50, evaluate="average")
    assert trace.nash_conv[-1] < 0.5 * trace.nash_conv[0]
    expected = _peer_sequence(pyspiel.CFRPlusSolver(spiel), spiel, cpp=True, iterations=(1, 2, 10))
    np.testing.assert_allclose(_our_sequence(CFRPlus(game), (1, 2, 10)), expected, rtol=0,
                               atol=1e-12 * game.payoff_scale)


@pytest.mark.parametrize("options", [{"alpha": -1.0}, {"gamma": -2}, {"beta": float("nan")},
                                     {"alpha": "fast"}, {"gamma": float("inf")}])
def test_bad_parameters_raise(options):
    _, game = games("kuhn_poker")
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(game, "dcfr", **options)


def test_alpha_without_beta_and_unknown_option_raise():
    _, game = games("kuhn_poker")
    with pytest.raises(eq.InvalidParameterError):
        CFR(game, alpha=1.0)
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(game, "cfr+", learning_rate=0.1)
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(game, "cfr+", engine="gpu")


def test_not_applicable_to_normal_form_games():
    rps = eq.NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    with pytest.raises(eq.NotApplicableError):
        eq.solve(rps, "cfr+", iterations=10)


# ---- games without decisions, option ranges, checkpoint state (issue 10 §3) ---------------------

CHANCE_ONLY_EFG = """EFG 2 R "chance only" { "P1" "P2" }
""
c "" 1 "coin" { "H" 1/3 "T" 2/3 } 0
t "" 1 "h" { 1, -1 }
c "" 2 "die" { "1" 1/2 "2" 1/2 } 0
t "" 2 "t1" { -2, 2 }
t "" 3 "t2" { 4, -4 }
"""

CFR_FAMILY = ["cfr", "cfr+", "linear-cfr", "dcfr", "pcfr+", "mccfr-outcome", "mccfr-external"]


@pytest.fixture(scope="module")
def chance_only():
    from equilibria.io.efg import parse_efg

    game = parse_efg(CHANCE_ONLY_EFG)
    assert game.num_infosets == 0 and game.num_terminals == 3
    return game


@pytest.mark.parametrize("method", CFR_FAMILY)
def test_game_without_decision_nodes_runs_with_nash_conv_zero(method, chance_only):
    """Defect pinned: every CFR variant raised IndexError on a tree of chance and terminal nodes only."""
    (sol,) = eq.solve(chance_only, method, iterations=5, seed=0)
    assert sol.nash_conv == 0.0
    assert np.asarray(sol.strategies).shape[0] == 0
    # the expected payoffs are the chance-weighted ones: 1/3 * 1 + 2/3 * (-2 + 4) / 2 = 1
    np.testing.assert_allclose(sol.payoffs, [1.0, -1.0], rtol=1e-12)


def test_game_without_decision_nodes_through_the_cli(chance_only, tmp_path, capsys):
    """The CLI showed the IndexError's traceback for a .efg file without decisions."""
    import json

    from equilibria.cli import main

    path = tmp_path / "chance.efg"
    path.write_text(CHANCE_ONLY_EFG)
    assert main(["solve", str(path), "--method", "cfr+", "--iterations", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["nash_conv"] == 0.0


@pytest.mark.parametrize(
    "options",
    [{"gamma": 1e12}, {"gamma": 21}, {"gamma": "abc"}, {"gamma": True}, {"alpha": float("inf")},
     {"beta": float("-inf")}, {"beta": None}, {"alternating": "abc"}, {"alternating": 2},
     {"engine": "abc"}, {"engine": None}],
)
def test_out_of_range_options_raise_before_the_run(options):
    """Defect pinned: `cfr+ -o gamma=1e12` raised OverflowError at the first step (t ** gamma)."""
    _, game = games("kuhn_poker")
    method = "cfr+" if "alpha" not in options and "beta" not in options else "dcfr"
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(game, method, **options)


@pytest.mark.parametrize("options", [{"alpha": 1e12, "beta": -1e12}, {"alpha": 0.0, "beta": 1e12},
                                     {"gamma": 20.0}])
def test_extreme_discount_exponents_do_not_overflow(options):
    """t^α / (t^α + 1) with huge α is 1 (and 1/2 at t = 1): no OverflowError, finite iterates."""
    _, game = games("kuhn_poker")
    learner = eq.make_learner(game, "dcfr", **options)
    for _ in range(30):
        learner.step()
    assert np.isfinite(learner.cumulative_regret).all() and np.isfinite(learner.cumulative_policy).all()
    assert nash_conv(game, learner.average_strategy()) < 0.5


def test_discount_matches_openspiels_formula_where_finite():
    from equilibria.dynamics.cfr import _discount

    for t in (1, 2, 10, 1000):
        for e in (0.0, 1.5, -2.0, 1.0):
            assert _discount(t, e) == t**e / (t**e + 1.0)
    assert _discount(10, 1e12) == 1.0 and _discount(10, -1e12) == 0.0


def _is_plain(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype != object
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str, np.random.Generator))


@pytest.mark.parametrize("method", CFR_FAMILY)
def test_state_holds_only_arrays_and_scalars_and_resumes_exactly(method):
    """The checkpoint state has no engine object (layouts are rebuilt from the game), and a learner
    restored from it continues exactly as the original."""
    _, game = games("kuhn_poker")
    a = eq.make_learner(game, method, seed=3)
    for _ in range(7):
        a.step()
    state = a.state_dict()
    assert all(_is_plain(v) for v in state.values()), {k: type(v) for k, v in state.items()}
    assert not {"_layout", "_history", "_nodes"} & set(state)
    b = eq.make_learner(game, method, seed=3)
    b.load_state_dict(state)
    for _ in range(5):
        a.step()
        b.step()
    np.testing.assert_array_equal(a.average_strategy(), b.average_strategy())
    np.testing.assert_array_equal(a.cumulative_regret, b.cumulative_regret)


def test_state_of_another_game_is_refused():
    _, kuhn = games("kuhn_poker")
    _, leduc = games("leduc_poker")
    state = CFRPlus(kuhn).state_dict()
    with pytest.raises(eq.CheckpointError, match="cumulative_regret"):
        CFRPlus(leduc).load_state_dict(state)


def test_tree_layout_uses_the_shared_regret_matching():
    """One implementation of regret matching: the layout's rows equal `ops.regret_matching`."""
    from equilibria.ops import regret_matching

    _, game = games("leduc_poker")
    learner = CFRPlus(game)
    for _ in range(3):
        learner.step()
    L = learner._layout
    R = np.random.default_rng(0).standard_normal(learner.cumulative_regret.shape) * L.legal
    R[::3] = -1.0  # rows with no positive regret fall back to uniform over legal actions
    out = np.empty_like(R)
    L.regret_matching(R, out, 0, len(R))
    np.testing.assert_array_equal(out, regret_matching(R, fallback=L.uniform))
    np.testing.assert_array_equal(out[::3], L.uniform[::3])


FORGETFUL_EFG = """EFG 2 R "player 1 forgets its first move" { "P1" "P2" }
""
p "" 1 1 "first" { "L" "R" } 0
p "" 1 2 "second" { "l" "r" } 0
t "" 1 "a" { 1, -1 }
t "" 2 "b" { 0, 0 }
p "" 1 2 "second" { "l" "r" } 0
t "" 3 "c" { 0, 0 }
t "" 4 "d" { 2, -2 }
"""


@pytest.mark.parametrize("method", CFR_FAMILY)
def test_game_without_perfect_recall_is_refused_naming_the_infoset(method):
    """CFR's counterfactual regrets need perfect recall; such games now load (issue 9 §3), so every
    CFR variant refuses them up front with PerfectRecallError naming the information set."""
    from equilibria.errors import PerfectRecallError
    from equilibria.io.efg import parse_efg

    game = parse_efg(FORGETFUL_EFG)
    with pytest.raises(PerfectRecallError, match=r"second") as info:
        eq.make_learner(game, method)
    assert method in str(info.value)
