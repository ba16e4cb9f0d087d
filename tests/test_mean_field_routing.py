"""The dynamic routing game (`games.catalog.mean_field_routing`) against OpenSpiel and known values.

* Braess paradox (Cabannes et al., AAMAS 2022; the values OpenSpiel's own test asserts at
  ``max_num_time_step=100, time_step_length=0.05``): the Nash equilibrium's route split has value
  −3.75 and NashConv 0, the social optimum's −3.5 and NashConv 0.75.
* OpenSpiel's ``python_mfg_dynamic_routing`` NashConv (its Python evaluators) on the uniform policy
  and on a random one, on the Braess network and on a network with two destinations, a departure
  time, a dead end and non-linear BPR travel times (to 1e-9).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.cli import main
from equilibria.errors import InvalidParameterError
from equilibria.games.catalog.mean_field_routing import dynamic_routing_from


def _split(game, at_a: tuple[float, float], at_b: tuple[float, float]) -> np.ndarray:
    """The Braess policy that splits O->A's vehicles (A->B, A->C) = at_a and A->B's (B->C, B->D) = at_b."""
    pi = game.uniform_policy().copy()
    for s, label in enumerate(game.state_labels):
        link, wait = (label.split(" ") + [""])[:2]  # "arrived" has no waiting time
        if wait in ("w=-1", "w=0") and link in ("O->A", "A->B"):
            pi[:, :, s] = 0.0
            first = 1 if link == "O->A" else 3  # OpenSpiel's action ids: A->B 1, A->C 2, B->C 3, B->D 4
            pi[:, :, s, first], pi[:, :, s, first + 1] = at_a if link == "O->A" else at_b
    return pi


def test_braess_paradox_values() -> None:
    game = eq.load_game("dynamic_routing(max_num_time_step=100, time_step_length=0.05)")
    for at_a, at_b, value, nash_conv in (((0.75, 0.25), (2 / 3, 1 / 3), -3.75, 0.0),
                                         ((0.5, 0.5), (0.0, 1.0), -3.5, 0.75)):
        out = game.evaluate(_split(game, at_a, at_b))  # J(π, μ^π) and the best-response gap, one pass
        assert out["value"][0] == pytest.approx(value, abs=1e-9)
        assert out["gaps"][0] == pytest.approx(nash_conv, abs=1e-9)


def _tie(game, pi: np.ndarray) -> np.ndarray:
    """A policy whose rows at a link's unassigned waiting time (−1) are those at waiting time 0: in
    OpenSpiel both are the decision node "waiting_time=0" when the volume assigns no wait."""
    index = {label: s for s, label in enumerate(game.state_labels)}
    for s, label in enumerate(game.state_labels):
        if " w=-1 " in label:
            pi[:, :, s] = pi[:, :, index[label.replace(" w=-1 ", " w=0 ")]]
    return pi


def _openspiel_policy(os_game, game, pi: np.ndarray):
    from open_spiel.python import policy as policy_std  # noqa: PLC0415

    index = {label: s for s, label in enumerate(game.state_labels)}

    class Ours(policy_std.Policy):
        def __init__(self) -> None:
            super().__init__(os_game, [0])

        def action_probabilities(self, state, player_id=None):
            legal = state.legal_actions()
            if len(legal) == 1:
                return {legal[0]: 1.0}
            s = index[f"{state._vehicle_location} w=0 to {state._vehicle_destination}"]
            row = pi[0, state.current_time_step, s]
            return {a: float(row[a]) for a in legal}

    return Ours()


def _check_against_openspiel(game, os_game) -> None:
    from open_spiel.python.mfg.algorithms import nash_conv  # noqa: PLC0415

    rng = np.random.default_rng(0)
    other = rng.random(game.policy_shape) * game.legal
    other = _tie(game, other / other.sum(-1, keepdims=True))
    values = []
    for pi in (game.uniform_policy(), other):
        theirs = nash_conv.NashConv(os_game, _openspiel_policy(os_game, game, pi)).nash_conv()
        assert eq.nash_conv(game, pi) == pytest.approx(theirs, abs=1e-9)
        values.append(theirs)
    assert min(values) > 0.1  # not a trivial game: nobody arriving would make every NashConv 0


def test_braess_matches_openspiel() -> None:
    pytest.importorskip("open_spiel")
    import pyspiel  # noqa: PLC0415
    from open_spiel.python.mfg.games import dynamic_routing  # noqa: F401, PLC0415

    params = {"max_num_time_step": 20, "time_step_length": 0.25}
    game = eq.load_game("dynamic_routing(max_num_time_step=20, time_step_length=0.25)")
    _check_against_openspiel(game, pyspiel.load_game("python_mfg_dynamic_routing", params))


NETWORK = {"O": ["A"], "A": ["B", "C"], "B": ["D", "E"], "C": ["D", "E", "H"], "D": ["F"], "E": ["G"],
           "F": [], "G": [], "H": []}
FREE_FLOW = {"O->A": 0.0, "A->B": 1.0, "A->C": 0.5, "B->D": 1.0, "B->E": 0.75, "C->D": 1.5, "C->E": 1.0,
             "C->H": 0.5, "D->F": 0.0, "E->G": 0.0}
BPR_A = {"A->B": 1.0, "A->C": 0.5, "C->D": 2.0, "B->E": 1.5}
BPR_B = {"A->C": 2.0, "C->D": 1.0}
CAPACITY = {"A->B": 3.0, "A->C": 2.0}
DEMAND = [("O->A", "D->F", 0.0, 3.0), ("O->A", "E->G", 0.5, 2.0), ("A->C", "E->G", 0.0, 1.0)]


def test_two_destinations_departures_and_a_dead_end_match_openspiel() -> None:
    pytest.importorskip("open_spiel")
    from open_spiel.python.games import dynamic_routing_utils as utils  # noqa: PLC0415
    from open_spiel.python.mfg.games import dynamic_routing  # noqa: PLC0415

    H, dt = 14, 0.25
    game = dynamic_routing_from(NETWORK, od_demand=DEMAND, free_flow_travel_time=FREE_FLOW, bpr_a=BPR_A,
                                bpr_b=BPR_B, capacity=CAPACITY, max_num_time_step=H, time_step_length=dt)
    links = [f"{x}->{y}" for x in NETWORK for y in NETWORK[x]]

    def full(d: dict, default: float) -> dict:  # OpenSpiel wants every link named
        return {k: d.get(k, default) for k in links}

    network = utils.Network(NETWORK, bpr_a_coefficient=full(BPR_A, 0.0), bpr_b_coefficient=full(BPR_B, 1.0),
                            capacity=full(CAPACITY, 1.0), free_flow_travel_time=full(FREE_FLOW, 1.0))
    os_game = dynamic_routing.MeanFieldRoutingGame(
        {"max_num_time_step": H, "time_step_length": dt, "players": -1}, network=network,
        od_demand=[utils.OriginDestinationDemand(*d) for d in DEMAND])
    _check_against_openspiel(game, os_game)


def test_line_network_and_structure() -> None:
    game = eq.load_game("dynamic_routing(network='line', max_num_time_step=6)")
    # one path bef_O->O, O->A, A->D, D->aft_D with free-flow time 1 (two steps of 0.5 per link): the
    # vehicles arrive at step 4 whatever they do, payoff −4 · 0.5
    assert game.expected_payoffs(game.uniform_policy())[0] == pytest.approx(-2.0, abs=1e-12)
    assert eq.nash_conv(game, game.uniform_policy()) == pytest.approx(0.0, abs=1e-12)
    braess = eq.load_game("dynamic_routing")
    assert braess.action_labels == ("no move", "A->B", "A->C", "B->C", "B->D", "C->D", "D->E", "O->A")
    assert braess.state_labels[-1] == "arrived"


@pytest.mark.parametrize("kwargs, match", [
    (dict(od_demand=[("O->X", "D->F", 0.0, 1.0)]), "origin 'O->X' is not a link"),
    (dict(od_demand=[("O->A", "D->F", 0.0, -1.0)]), "count"),
    (dict(od_demand=[("O->A", "D->F", 0.0, 1.0)], capacity={"A->Z": 1.0}), "no link 'A->Z'"),
    (dict(od_demand=[("O->A", "D->F", 0.0, 1.0)], capacity=0.0), "capacity"),
    (dict(od_demand=[("D->F", "D->F", 0.0, 1.0)]), "without successors"),
    (dict(od_demand=[]), "non-empty"),
    (dict(od_demand=[("O->A", "D->F", 0.0, 1.0)], max_num_time_step=0), "max_num_time_step"),
])
def test_bad_networks_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        dynamic_routing_from(NETWORK, **kwargs)
    with pytest.raises(InvalidParameterError, match="not a node"):
        dynamic_routing_from({"O": ["A"]}, od_demand=DEMAND)


def test_cli_evaluates_dynamic_routing(capsys) -> None:
    argv = ["solve", "dynamic_routing", "--method", "fictitious-play", "--iterations", "3", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert np.isfinite(out["nash_conv"])
    assert main(["solve", "dynamic_routing(network='nowhere')", "--iterations", "1"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
