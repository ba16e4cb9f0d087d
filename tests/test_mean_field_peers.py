"""Mean-field catalog games against their peers: OpenSpiel's ``NashConv`` and MFGLib's exploitability.

Each game is compared at the peer's default parameters on the uniform policy and on one random
full-support policy, to 1e-9.
"""

from __future__ import annotations

import numpy as np
import pytest

import equilibria as eq


def _openspiel_nash_conv(game, policy):
    from open_spiel.python.mfg.algorithms import nash_conv

    return nash_conv.NashConv(game, policy).nash_conv()


def test_crowd_modelling_matches_openspiel():
    from open_spiel.python import policy as policy_std

    from equilibria.io.openspiel_mfg import load_openspiel_mfg, to_openspiel_policy

    bridge = load_openspiel_mfg("mfg_crowd_modelling")
    os_game = bridge.openspiel_game
    ours = eq.load_game("crowd_modelling")
    # the bridge numbers OpenSpiel's cells in their order, plus one absorbing end state
    assert all(i == int(s.strip("()").split(",")[0]) for s, (_, _, i) in bridge.index.items())
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)
    padded = np.concatenate([pi, np.full((1, 10, 1, 3), 1 / 3)], axis=2)
    os_value = _openspiel_nash_conv(os_game, to_openspiel_policy(bridge, padded))
    assert eq.nash_conv(ours, pi) == pytest.approx(os_value, abs=1e-9)
    # the exact move cost is a different game: OpenSpiel's caching changes the exploitability
    exact = eq.load_game("crowd_modelling(move_cost='exact')")
    assert abs(eq.nash_conv(exact, pi) - os_value) > 1e-3


def _random_policy(game, seed=0):
    rng = np.random.default_rng(seed)
    pi = rng.dirichlet(np.ones(game.num_actions), size=game.policy_shape[:-1]) * game.legal
    return pi / pi.sum(-1, keepdims=True)


@pytest.mark.parametrize("name", ["mfg_crowd_modelling", "mfg_garnet"])
def test_bridge_reproduces_openspiel_nash_conv_and_converts_policies(name):
    from open_spiel.python import policy as policy_std

    from equilibria.io.openspiel_mfg import from_openspiel_policy, load_openspiel_mfg, to_openspiel_policy

    bridge = load_openspiel_mfg(name)
    game, os_game = bridge.game, bridge.openspiel_game
    assert eq.nash_conv(game, game.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(game)
    os_pi = to_openspiel_policy(bridge, pi)
    assert eq.nash_conv(game, pi) == pytest.approx(_openspiel_nash_conv(os_game, os_pi), abs=1e-9)
    back = from_openspiel_policy(bridge, os_pi)
    reached = np.zeros(game.policy_shape[:-1], dtype=bool)
    for k, t, i in bridge.states:
        reached[k, t, i] = True
    np.testing.assert_array_equal(back[reached], pi[reached])


MFGLIB_GAMES = [
    "rock_paper_scissors", "susceptible_infected", "left_right", "beach_bar", "building_evacuation",
    "conservative_treasure_hunting", "linear_quadratic", "random_linear",
]


@pytest.mark.parametrize("name", MFGLIB_GAMES)
def test_mfglib_games_match_mfglib_exploitability(name, mfglib_float64):
    import torch
    from mfglib.env import Environment
    from mfglib.scoring import exploitability_score

    from equilibria.games.catalog.mean_field_games import mfglib_random_linear_from

    env = getattr(Environment, name)()
    if name == "random_linear":
        # MFGLib draws the coefficients with torch's generator: give ours the very same ones
        game = mfglib_random_linear_from(env.T, env.transition_fn.p1.numpy(), env.transition_fn.p2.numpy(),
                                         env.reward_fn.r1.numpy(), env.reward_fn.r2.numpy())
    else:
        game = eq.load_game("mfglib:" + name)
    assert game.horizon == env.T + 1
    for pi in (game.uniform_policy(), _random_policy(game)):
        theirs = exploitability_score(env, torch.tensor(pi[0]).reshape(env.T + 1, *env.S, *env.A))
        assert eq.nash_conv(game, pi) == pytest.approx(theirs, abs=1e-9)


def _openspiel_python_policy(os_game, pi, index_of):
    """An OpenSpiel policy reading our array through ``index_of(state) -> (k, t, s)``."""
    from open_spiel.python import policy as policy_std

    class Arr(policy_std.Policy):
        def action_probabilities(self, state, player_id=None):
            k, t, s = index_of(state)
            return {a: float(pi[k, t, s, a]) for a in state.legal_actions()}

    return Arr(os_game, list(range(os_game.num_players())))


@pytest.mark.parametrize("geometry", ["square", "torus"])
def test_predator_prey_matches_openspiel(geometry):
    # OpenSpiel's Python evaluators take ~15 s per NashConv at the default size 5 x 5, horizon 10
    # (where we checked the same agreement, 36.968383925225865 on the uniform policy, by
    # bench/bench_mean_field.py); here a 3 x 3 grid, horizon 3, and an uneven initial distribution
    # that exercises OpenSpiel's t = 0 reading of it
    import pyspiel
    from open_spiel.python import policy as policy_std
    from open_spiel.python.mfg.games import predator_prey  # noqa: F401  (registers the game)

    init = [0.0] * 27
    init[0] = init[8] = 0.5
    init[9 + 2] = init[18 + 5] = 1.0
    flat = " ".join(map(str, init))
    os_game = pyspiel.load_game("python_mfg_predator_prey", {
        "size": 3, "horizon": 3, "init_distrib": flat, "geometry": int(geometry == "torus")})
    ours = eq.load_game(f"predator_prey(size=3, horizon=3, init_distrib='{flat}', geometry='{geometry}')")
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)
    os_pi = _openspiel_python_policy(os_game, pi, lambda st: (st.population, st.t, st.pos[0] * 3 + st.pos[1]))
    assert eq.nash_conv(ours, pi) == pytest.approx(_openspiel_nash_conv(os_game, os_pi), abs=1e-9)


CM2D_WALLS = {
    "size": 5, "horizon": 4, "forbidden_states": "[1|1;2|1;1|3]", "initial_distribution": "[0|0;3|2]",
    "initial_distribution_value": "[0.3;0.7]", "positional_reward": "[4|4;0|2]",
    "positional_reward_value": "[0.5;1.5]", "with_congestion": True, "noise_intensity": 0.4,
    "crowd_aversion_coef": 0.7,
}


@pytest.mark.parametrize("params", [{}, CM2D_WALLS], ids=["default", "walls"])
def test_crowd_modelling_2d_matches_openspiel(params):
    import pyspiel
    from open_spiel.python import policy as policy_std

    os_game = pyspiel.load_game("mfg_crowd_modelling_2d", params)
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    ours = eq.load_game(f"crowd_modelling_2d({args})")
    size = params.get("size", 10)
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)

    def index_of(state):
        x, y, t = (int(v) for v in str(state).strip("()").split(","))
        return 0, t, x * size + y

    os_pi = _openspiel_python_policy(os_game, pi, index_of)
    assert eq.nash_conv(ours, pi) == pytest.approx(_openspiel_nash_conv(os_game, os_pi), abs=1e-9)


@pytest.mark.parametrize("geometry", ["square", "torus"])
def test_crowd_avoidance_matches_openspiel(geometry):
    # default walls, initial distribution and targets; horizon 3 (OpenSpiel's Python NashConv takes
    # ~17 s at the default horizon 10, where the uniform policy also agrees: 6.276543452378794) and a
    # non-zero congestion coefficient (0 by default), so that μ matters
    import pyspiel
    from open_spiel.python import policy as policy_std
    from open_spiel.python.mfg.games import crowd_avoidance  # noqa: F401  (registers the game)

    os_game = pyspiel.load_game("python_mfg_crowd_avoidance", {
        "horizon": 3, "coef_congestion": 0.7, "geometry": int(geometry == "torus")})
    ours = eq.load_game(f"crowd_avoidance(horizon=3, coef_congestion=0.7, geometry='{geometry}')")
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)
    os_pi = _openspiel_python_policy(os_game, pi, lambda st: (st.population, st.t, st.pos[0] * 7 + st.pos[1]))
    assert eq.nash_conv(ours, pi) == pytest.approx(_openspiel_nash_conv(os_game, os_pi), abs=1e-9)


def test_periodic_aversion_matches_openspiel():
    # 7 cells, horizon 4, 5 moves (OpenSpiel's Python NashConv takes about a minute at the default
    # 21 cells, horizon 20, 21 moves, where we checked the same agreement, 4.333391309238... on the
    # uniform policy); the hidden last move and OpenSpiel's caching are exercised alike
    import pyspiel
    from open_spiel.python import policy as policy_std
    from open_spiel.python.mfg.games import periodic_aversion  # noqa: F401  (registers the game)

    os_game = pyspiel.load_game("python_mfg_periodic_aversion",
                                {"size": 7, "horizon": 4, "n_actions_per_side": 2})
    ours = eq.load_game("periodic_aversion(size=7, horizon=4, n_actions_per_side=2)")
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)
    os_pi = _openspiel_python_policy(os_game, pi, lambda st: (0, st.t, st.x))
    assert eq.nash_conv(ours, pi) == pytest.approx(_openspiel_nash_conv(os_game, os_pi), abs=1e-9)


@pytest.mark.parametrize("params", [
    {"size": 6, "horizon": 4, "n_actions_per_side": 2, "cross_q": 0.3},
    {"size": 7, "horizon": 2, "dt": 0.5, "volatility": 1.5},
], ids=["cross_q", "dt"])
def test_linear_quadratic_matches_openspiel(params):
    # OpenSpiel's Python NashConv takes ~6 s at the default size 10, horizon 10, 7 moves (uniform
    # policy there: 21.498181599551955 for both); smaller grids with a larger cross term, and dt < 1
    import pyspiel
    from open_spiel.python import policy as policy_std
    from open_spiel.python.mfg.games import linear_quadratic  # noqa: F401  (registers the game)

    os_game = pyspiel.load_game("mean_field_lin_quad", params)
    ours = eq.load_game("linear_quadratic(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")")
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)
    os_pi = _openspiel_python_policy(os_game, pi, lambda st: (0, st.tick, st.x))
    assert eq.nash_conv(ours, pi) == pytest.approx(_openspiel_nash_conv(os_game, os_pi), abs=1e-9)


def test_garnet_matches_openspiel_on_its_own_draws():
    # OpenSpiel draws garnet's arrays with absl's generator: read them from its game (rewards from
    # decision nodes, successors and weights from chance nodes) and build ours from them
    import pyspiel
    from open_spiel.python import policy as policy_std

    from equilibria.games.catalog.mean_field_games import garnet_from

    os_game = pyspiel.load_game("mfg_garnet")
    size, A, C = 10, 3, 3
    crowd = -np.log(1 / size + float(np.float32(1e-25)))  # the crowd term at the uniform distribution
    R, T, P = np.zeros((size, A)), np.zeros((size, A, C), dtype=int), np.zeros((size, A, C))
    for x0 in range(size):
        start = os_game.new_initial_state().child(x0)
        R[x0, 0] = start.rewards()[0] - crowd  # last action 0 before the first move
        for a in range(A):
            chance = start.child(a)
            for k, (outcome, p) in enumerate(chance.chance_outcomes()):
                P[x0, a, k] = p
                node = chance.child(outcome)
                T[x0, a, k] = int(str(node).strip("()_a").split(",")[0])
                node.update_distribution([1 / size] * size)
                R[T[x0, a, k], a] = node.rewards()[0] - crowd
    ours = garnet_from(R, T, P)
    assert eq.nash_conv(ours, ours.uniform_policy()) == pytest.approx(
        _openspiel_nash_conv(os_game, policy_std.UniformRandomPolicy(os_game)), abs=1e-9)
    pi = _random_policy(ours)

    def index_of(state):
        x, t = (int(v) for v in str(state).strip("()").split(",")[:2])
        return 0, t, x

    assert eq.nash_conv(ours, pi) == pytest.approx(
        _openspiel_nash_conv(os_game, _openspiel_python_policy(os_game, pi, index_of)), abs=1e-9)
    assert eq.load_game("garnet").num_states == size  # the catalog's own draws, same model
