"""PSRO, the double oracle, meta-solvers, oracles, checkpoint/resume."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria
from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.errors import InvalidParameterError, NotApplicableError, UnknownNameError
from equilibria.games.markov import MarkovGame
from equilibria.games.normal_form import NormalFormGame
from equilibria.metrics import nash_conv
from equilibria.ops import project_simplex
from equilibria.population.meta_solvers import META_SOLVERS, get_meta_solver
from equilibria.population.oracles import ExactBestResponse, QLearningOracle, policy_space
from equilibria.run import run


def test_double_oracle_solves_random_50x50_zero_sum_game():
    A = np.random.default_rng(7).uniform(-1, 1, size=(50, 50))
    game = NormalFormGame.zero_sum(A)
    sol = equilibria.solve(game, "double-oracle", iterations=100, seed=0)[0]
    # the double oracle stops at an exact equilibrium (McMahan, Gordon & Blum 2003)
    assert sol.iterations < 100
    assert sol.nash_conv <= 1e-9
    value = equilibria.solve(game, "lp")[0].info["value"]
    assert sol.payoffs[0] == pytest.approx(value, abs=1e-9)
    trace = sol.info["trace"]
    assert trace.nash_conv_last[-1] <= 1e-9


def test_psro_drives_kuhn_below_1e_3():
    sol = equilibria.solve("kuhn_poker", "psro", iterations=30, seed=0)[0]
    assert sol.nash_conv < 1e-3
    # Kuhn's game value for player 1 is -1/18 (Kuhn 1950)
    assert sol.payoffs[0] == pytest.approx(-1 / 18, abs=1e-3)


def test_cli_psro_on_kuhn(capsys):
    code = main(["solve", "kuhn_poker", "--method", "psro", "--iterations", "30", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nash_conv"] < 1e-3


def test_psro_records_the_nash_conv_curve_of_its_meta_strategy():
    learner = make_learner("kuhn_poker", "psro", seed=0, meta_solver="uniform")
    trace = run(learner, 8, eval_every=1)
    # the exact oracle's gains before each step are the NashConv of the profile it responded to
    assert learner.history["nash_conv"][1:] == pytest.approx(trace.nash_conv_last[:-1], abs=1e-12)
    assert trace.extra["population"][-1] > 1


def meta_games():
    rng = np.random.default_rng(3)
    zs = NormalFormGame.zero_sum(rng.normal(size=(4, 6)))
    gs = NormalFormGame(rng.normal(size=(2, 3, 5)))
    three = NormalFormGame(rng.normal(size=(3, 2, 3, 2)))
    return [zs, gs, three]


@pytest.mark.parametrize("name", ["uniform", "nash", "alpha-rank", "prd"])
def test_each_meta_solver_gives_a_valid_distribution(name):
    solver = get_meta_solver(name)
    games = meta_games() if name != "nash" else meta_games()[:2]
    for g in games:
        sigma = solver(g, np.random.default_rng(0))
        assert len(sigma) == g.num_players
        for s, k in zip(sigma, g.num_actions, strict=True):
            s = np.asarray(s)
            assert s.shape == (k,)
            assert (s >= -1e-12).all() and s.sum() == pytest.approx(1.0)
    assert name in META_SOLVERS


def test_rae_meta_solver_uses_the_rae_module_when_installed():
    import importlib.util

    g = meta_games()[0]
    if importlib.util.find_spec("equilibria.solvers.rae") is None:
        with pytest.raises(NotApplicableError, match="rae"):
            get_meta_solver("rae")(g)
    else:
        sigma = get_meta_solver("rae")(g, np.random.default_rng(0), iterations=20)
        assert [len(s) for s in sigma] == list(g.num_actions)
        assert all((np.asarray(s) >= -1e-12).all() and np.sum(s) == pytest.approx(1.0) for s in sigma)


def test_nash_meta_solver_is_an_equilibrium():
    for g in meta_games()[:2]:
        assert nash_conv(g, get_meta_solver("nash")(g)) <= 1e-8


def test_alpha_rank_meta_solver_on_known_games():
    # Prisoner's dilemma: (D, D) is the unique sink of the response graph, so for large α all
    # stationary mass sits there (Omidshafiei et al. 2019, Sec. "α-Rank and Nash").
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    x, y = get_meta_solver("alpha-rank")(pd, alpha=50.0)
    assert x[1] > 0.99 and y[1] > 0.99
    # rock-paper-scissors: the cyclic symmetry makes every strategy equally ranked
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]])
    x, y = get_meta_solver("alpha-rank")(NormalFormGame.zero_sum(A), alpha=5.0)
    assert x == pytest.approx(np.full(3, 1 / 3)) and y == pytest.approx(np.full(3, 1 / 3))


def test_prd_finds_a_strictly_dominant_profile_and_projection_is_correct():
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    x, y = get_meta_solver("prd")(pd, exploration=0.01)
    assert x[1] >= 0.99 - 1e-9 and y[1] >= 0.99 - 1e-9
    p = project_simplex(np.array([0.9, 0.5, -1.0]), floor=0.05)
    # by hand: z = y - 0.05 = (.85, .45, -1.05) onto the simplex of mass 1 - 3(.05) = .85; two entries
    # stay positive with threshold θ = (.85 + .45 - .85)/2 = .225, giving (.625, .225, 0) + .05
    assert p == pytest.approx([0.675, 0.275, 0.05])


def test_unknown_meta_solver():
    with pytest.raises(UnknownNameError):
        get_meta_solver("nashh")


def test_psro_on_a_one_state_markov_game_equals_the_matrix_game():
    # one state that always recurs: the stationary equilibrium is the stage game's, value val/(1-γ)
    A = np.random.default_rng(1).uniform(-1, 1, size=(6, 6))
    game = MarkovGame(np.stack([A, -A])[None], np.ones((1, 6, 6, 1)), discount=0.5)
    sol = equilibria.solve(game, "double-oracle", iterations=40, seed=0)[0]
    val = equilibria.solve(NormalFormGame.zero_sum(A), "lp")[0].info["value"]
    assert sol.nash_conv <= 1e-8
    assert sol.payoffs[0] == pytest.approx(val / 0.5, abs=1e-8)


def test_psro_reduces_nash_conv_on_grid_games():
    game = equilibria.load_game("pursuit_evasion(size=3)")
    learner = make_learner(game, "psro", seed=0)
    trace = run(learner, 6, eval_every=1)
    assert trace.nash_conv_last[-1] < 0.5 * nash_conv(game, game.uniform_profile())


def test_q_learning_oracle_finds_the_best_response_of_a_small_markov_game():
    game = equilibria.load_game("random_markov_game(num_states=3, num_actions=2, seed=5)")
    space = policy_space(game)
    other = np.full((3, 2), 0.5)
    exact = ExactBestResponse()(space, [other, other], 0, np.random.default_rng(0))
    learned = QLearningOracle(steps=30_000, step_size=0.1)(space, [other, other], 0, np.random.default_rng(0))
    v_exact = game.expected_payoffs([exact, other])[0]
    v_learned = game.expected_payoffs([learned, other])[0]
    assert v_learned >= v_exact - 0.05 * game.payoff_scale


def test_q_learning_oracle_in_psro_on_a_matrix_game():
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0.0]])
    sol = equilibria.solve(
        NormalFormGame.zero_sum(A), "psro", iterations=6, seed=0, oracle=QLearningOracle(steps=4000)
    )[0]
    assert sol.nash_conv <= 1e-9  # the three pure best responses complete RPS; its Nash is uniform


def test_ppo_oracle_improves_on_a_small_markov_game():
    from equilibria.population.oracles import PPOOracle

    game = equilibria.load_game("random_markov_game(num_states=2, num_actions=2, seed=2)")
    space = policy_space(game)
    other = np.full((2, 2), 0.5)
    br = ExactBestResponse()(space, [other, other], 0, np.random.default_rng(0))
    pol = PPOOracle(updates=5, batch=128)(space, [other, other], 0, np.random.default_rng(0))
    worst = min(game.expected_payoffs([np.eye(2)[[a, b]], other])[0] for a in range(2) for b in range(2))
    v = game.expected_payoffs([pol, other])[0]
    best = game.expected_payoffs([br, other])[0]
    assert v >= best - 0.25 * (best - worst)


class CrashOnce:
    """The exact oracle, except that one call (counted over the process) raises: a killed worker."""

    calls = 0
    crash_at: int | None = None

    def __init__(self):
        self.exact = True

    def __call__(self, space, profile, player, rng):
        CrashOnce.calls += 1
        if CrashOnce.crash_at is not None and CrashOnce.calls == CrashOnce.crash_at:
            CrashOnce.crash_at = None
            raise KeyboardInterrupt("killed")
        return QLearningOracle(steps=1000)(space, profile, player, rng)


def test_kill_and_resume_gives_the_same_result(tmp_path):
    game = NormalFormGame.zero_sum(np.random.default_rng(4).uniform(-1, 1, size=(12, 12)))
    ck = tmp_path / "psro.ck"
    results = tmp_path / "psro.json"
    full = make_learner(game, "psro", seed=3, oracle=CrashOnce(), meta_solver="nash")
    run(full, 8, eval_every=1)

    CrashOnce.calls, CrashOnce.crash_at = 0, 10  # dies inside iteration 5 (2 oracle calls per iteration)
    first = make_learner(game, "psro", seed=3, oracle=CrashOnce(), meta_solver="nash", results=results)
    with pytest.raises(KeyboardInterrupt):
        run(first, 8, eval_every=1, checkpoint=ck)
    saved = json.loads(results.read_text())
    assert saved["iteration"] == 4

    resumed = make_learner(game, "psro", seed=3, oracle=CrashOnce(), meta_solver="nash", results=results)
    trace = run(resumed, 8, eval_every=1, checkpoint=ck)
    assert resumed.iteration == full.iteration == 8
    assert resumed.population == full.population
    assert np.array_equal(resumed.meta_payoffs, full.meta_payoffs)
    assert all(np.array_equal(a, b) for a, b in zip(resumed.meta_strategy, full.meta_strategy, strict=True))
    assert trace.iterations == list(range(1, 9))
    assert json.loads(results.read_text())["iteration"] == 8


# ---- issue 10 §3: options that would change the method, the supported families, plain state ------


def _uniform_meta_solver(meta, rng):
    return [np.full(k, 1 / k) for k in meta.num_actions]


@pytest.mark.parametrize("options", [{"meta_solver": "uniform"}, {"meta_solver": "alpha-rank"},
                                     {"oracle": "q-learning"}, {"meta_solver": _uniform_meta_solver}])
def test_double_oracle_refuses_a_non_nash_meta_solver_or_inexact_oracle(options):
    # Defect (issue 10): double-oracle with a non-Nash meta-solver silently ran another algorithm.
    game = NormalFormGame.zero_sum(np.eye(3))
    with pytest.raises(InvalidParameterError, match="double-oracle"):
        make_learner(game, "double-oracle", **options)
    make_learner(game, "psro", **options)  # PSRO itself takes them


@pytest.mark.parametrize("spec", ["preference:cyclic(beta=0.1)", "quadratic"])
def test_psro_refuses_continuous_and_preference_games_naming_the_supported_families(spec):
    from equilibria.population.oracles import SUPPORTED_FAMILIES

    assert SUPPORTED_FAMILIES == ("normal_form", "extensive_form", "markov")
    game = equilibria.load_game(spec)
    for method in ("psro", "double-oracle"):
        with pytest.raises(NotApplicableError, match="normal"):
            make_learner(game, method)
    with pytest.raises(NotApplicableError, match="normal-form, extensive-form, markov"):
        policy_space(game)


def test_psro_inner_tolerance_is_meta_tol_not_the_run_loops_tol():
    # Defect (issue 10): PSRO's own `tol` collided with solve(tol=...), the run loop's.
    game = NormalFormGame.zero_sum(np.random.default_rng(2).uniform(-1, 1, size=(8, 8)))
    with pytest.raises(InvalidParameterError):
        make_learner(game, "psro", tol=1e-3)
    with pytest.raises(InvalidParameterError):
        make_learner(game, "psro", meta_tol=-1.0)
    loose = make_learner(game, "psro", seed=0, meta_tol=10.0)  # every gain is below 10 × scale
    run(loose, 5)
    assert loose.converged() and loose.iteration == 1


def test_psro_state_dict_holds_plain_data_only():
    # H2's checkpoint format stores arrays, numbers, strings, lists, dicts and the generator only.
    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, (list, tuple)):
            return all(plain(x) for x in v)
        return isinstance(v, (np.ndarray, np.generic, int, float, bool, str, type(None), np.random.Generator))

    for game in (NormalFormGame.zero_sum(np.eye(3)), equilibria.load_game("kuhn_poker")):
        learner = make_learner(game, "psro", seed=1, oracle=ExactBestResponse())
        run(learner, 3)
        state = learner.state_dict()
        assert plain(state), {k: type(v) for k, v in state.items()}
        fresh = make_learner(game, "psro", seed=2, oracle=ExactBestResponse())
        fresh.load_state_dict(state)
        run(learner, 5)
        run(fresh, 5)
        pairs = zip(fresh.meta_strategy, learner.meta_strategy, strict=True)
        assert all(np.array_equal(a, b) for a, b in pairs)
