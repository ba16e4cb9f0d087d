"""CFR with the terminal-value pass sharded by deal (dynamics/cfr_ray.py): the NashConv sequence equals
the single-process run, with and without Ray, and the shards partition the terminals by deal."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria as eq
from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.dynamics.cfr_ray import deal_of_terminals, partition_terminals
from equilibria.errors import InvalidParameterError
from equilibria.metrics import nash_conv

# the Ray modules run in one xdist worker, which starts Ray once (tests/conftest.py ray_session)
pytestmark = pytest.mark.xdist_group("ray")


ITERATIONS = 30
RTOL = 1e-12


def _nash_conv_sequence(game, method: str, iterations: int = ITERATIONS, **options) -> tuple:
    learner = make_learner(game, method, seed=0, **options)
    out = []
    for _ in range(iterations):
        learner._step()
        learner.iteration += 1
        out.append(nash_conv(game, learner.average_strategy()))
    return np.array(out), learner


def _assert_close(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    assert np.all(np.abs(a - b) <= RTOL * np.abs(b)), np.max(np.abs(a - b) / np.abs(b))


@pytest.fixture(scope="module")
def leduc():
    return eq.load_game("leduc_poker")


@pytest.fixture(scope="module")
def leduc_reference(leduc):
    """Single-process CFR+ on Leduc, both engines."""
    return {e: _nash_conv_sequence(leduc, "cfr+", engine=e)[0] for e in ("sequence", "history")}


@pytest.fixture(scope="module")
def ray_local(ray_session):
    return ray_session


@pytest.mark.parametrize("name", ["kuhn_poker", "leduc_poker"])
def test_shards_are_whole_deals_covering_every_terminal_once(name):
    game = eq.load_game(name)
    deal = deal_of_terminals(game)
    # poker: a deal is both private cards (Kuhn 3·2, Leduc 6·5); the public card comes later
    assert np.unique(deal).size == {"kuhn_poker": 6, "leduc_poker": 30}[name]
    for k in (1, 2, 3, 7):
        shards = partition_terminals(game, k)
        assert len(shards) == min(k, np.unique(deal).size)
        assert np.array_equal(np.sort(np.concatenate(shards)), np.arange(game.num_terminals))
        owners = [set(deal[s].tolist()) for s in shards]
        assert all(a.isdisjoint(b) for i, a in enumerate(owners) for b in owners[i + 1:])
        assert all(np.all(np.diff(s) > 0) for s in shards)  # global terminal order kept inside a shard
    assert [s.size for s in partition_terminals(game, 2)] == {"kuhn_poker": [15, 15],
                                                              "leduc_poker": [2760, 2760]}[name]


def test_kuhn_cfr_plus_equals_single_process():
    game = eq.load_game("kuhn_poker")
    ref = _nash_conv_sequence(game, "cfr+")[0]
    for k in (1, 2, 3):
        got, learner = _nash_conv_sequence(game, "ray-cfr+", num_workers=k)
        assert learner.num_shards == k
        _assert_close(got, ref)


def test_leduc_cfr_plus_equals_single_process_in_process_shards(leduc, leduc_reference):
    got, learner = _nash_conv_sequence(leduc, "ray-cfr+", num_workers=2)
    for ref in leduc_reference.values():
        _assert_close(got, ref)
    # one shard sums the terminals exactly as the single-process sequence engine: bit for bit
    one, _ = _nash_conv_sequence(leduc, "ray-cfr+", num_workers=1)
    assert np.array_equal(one, leduc_reference["sequence"])
    # bytes: per pass r is broadcast once and each worker returns the updated player's slice
    c = learner.communication
    L = learner._layout
    assert c["passes"] == 2 * ITERATIONS
    assert c["broadcast"] == c["passes"] * 8 * L.num_sequences
    assert c["returned"] == ITERATIONS * 2 * 8 * L.num_infosets * L.max_actions


@pytest.mark.parametrize(("method", "peer"), [("ray-cfr", "cfr"), ("ray-dcfr", "dcfr"),
                                              ("ray-linear-cfr", "linear-cfr")])
def test_other_variants_and_simultaneous_updates_equal_single_process(leduc, method, peer):
    for alternating in (True, False):
        ref = _nash_conv_sequence(leduc, peer, 10, alternating=alternating, engine="sequence")[0]
        got, learner = _nash_conv_sequence(leduc, method, 10, alternating=alternating, num_workers=2)
        _assert_close(got, ref)
        # simultaneous updates: one round trip per iteration, alternating: one per player
        assert learner.communication["passes"] == 10 * (2 if alternating else 1)


def test_ray_workers_equal_in_process_shards_bit_for_bit(ray_local, leduc, leduc_reference):
    got, learner = _nash_conv_sequence(leduc, "ray-cfr+", ray=True)
    assert learner.num_shards == 2  # the local instance's 2 CPUs
    assert learner._refs is not None and len(learner._refs) == 2  # both shards in the object store
    same, _ = _nash_conv_sequence(leduc, "ray-cfr+", num_workers=2)
    assert np.array_equal(got, same)
    for ref in leduc_reference.values():
        _assert_close(got, ref)
    # a checkpoint holds no object ref, shard or counter
    state = learner.state_dict()
    assert not {"_refs", "_shards", "_backend", "communication"} & set(state)
    assert learner._refs is not None


def test_ray_with_more_shards_than_cpus_equals_in_process_shards(ray_local):
    game = eq.load_game("kuhn_poker")
    got, learner = _nash_conv_sequence(game, "ray-cfr+", ray=True, num_workers=3)
    assert learner.num_shards == 3 and len(learner._refs) == 3
    same, _ = _nash_conv_sequence(game, "ray-cfr+", num_workers=3)
    assert np.array_equal(got, same)


def test_cli_ray_flag_reaches_the_method(ray_local, capsys):
    args = ["solve", "kuhn_poker", "--method", "ray-cfr+", "--iterations", "20", "--json"]
    assert main(args + ["--ray"]) == 0
    with_ray = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    without = json.loads(capsys.readouterr().out)
    assert with_ray["iterations"] == without["iterations"] == 20
    assert float(with_ray["nash_conv"]) == pytest.approx(float(without["nash_conv"]), rel=RTOL)


@pytest.mark.parametrize("method", ["cfr+", "dcfr"])
def test_cli_ray_flag_on_a_cfr_method_runs_its_ray_twin(ray_local, capsys, method):
    """`--ray` with cfr+ (as with PSRO) distributes it: the ray-cfr+ twin runs, with cfr+'s result."""
    args = ["solve", "kuhn_poker", "--method", method, "--iterations", "20", "--json"]
    assert main(args + ["--ray"]) == 0
    with_ray = json.loads(capsys.readouterr().out)
    assert with_ray["method"] == f"ray-{method}"
    assert main(args) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["method"] == method
    assert float(with_ray["nash_conv"]) == pytest.approx(float(plain["nash_conv"]), rel=RTOL)


def test_bad_options_are_refused(leduc):
    with pytest.raises(InvalidParameterError, match="num_workers"):
        make_learner(leduc, "ray-cfr+", num_workers=0)
    with pytest.raises(InvalidParameterError, match="num_cpus"):
        make_learner(leduc, "ray-cfr+", num_cpus=2)  # only meaningful with ray=True
    with pytest.raises(InvalidParameterError, match="ray"):
        make_learner(leduc, "ray-cfr+", ray=3)
    with pytest.raises(InvalidParameterError, match="engine"):
        make_learner(leduc, "ray-cfr+", engine="history")


def test_three_players_one_shard_is_the_single_process_run_and_two_shards_agree_to_rounding():
    """n > 2 players: the opponent weights multiply two other players' reaches in the shards too.
    One shard is the single-process arithmetic bit for bit; two shards sum the terminal values in
    two parts, equal to rounding on 3-player Kuhn (where no regret-matching tie is broken)."""
    game = eq.load_game("kuhn_poker(players=3)")
    ref, _ = _nash_conv_sequence(game, "cfr+", iterations=20, engine="sequence")
    one, _ = _nash_conv_sequence(game, "ray-cfr+", iterations=20, num_workers=1)
    two, _ = _nash_conv_sequence(game, "ray-cfr+", iterations=20, num_workers=2)
    assert np.array_equal(one, ref)
    _assert_close(two, ref)
