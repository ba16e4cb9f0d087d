"""Ray scale-out: results are identical with and without Ray for a fixed seed."""

from __future__ import annotations

import json
import socket
import time

import numpy as np
import pytest

import equilibria
from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.errors import InvalidParameterError
from equilibria.population.empirical import estimate_payoffs
from equilibria.population.oracles import QLearningOracle
from equilibria.population.ray_backend import RayBackend, _host_port, check_reachable
from equilibria.run import run

# the Ray modules run in one xdist worker, which starts Ray once (tests/conftest.py ray_session)
pytestmark = pytest.mark.xdist_group("ray")


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ray_start_up_is_quiet_unless_verbose(capfd):
    # issue 9: `--ray` printed Ray's own warning and start-up lines on stderr. Runs first in this
    # module, so that it is the CLI that starts Ray here (stderr captured at the file descriptor).
    import ray

    if ray.is_initialized():
        ray.shutdown()
    assert main(["solve", "kuhn_poker", "--method", "psro", "--iterations", "2", "--json", "--ray"]) == 0
    out, err = capfd.readouterr()
    assert ray.is_initialized()
    assert json.loads(out)["iterations"] == 2
    assert err == ""


def test_an_address_where_nothing_listens_fails_within_seconds():
    # issue 9: `--ray-address` pointing where nothing listens hung in ray.init
    address = f"127.0.0.1:{_unused_port()}"
    t0 = time.perf_counter()
    with pytest.raises(InvalidParameterError, match="no Ray cluster answers"):
        RayBackend(address)
    with pytest.raises(InvalidParameterError, match="no Ray cluster answers"):
        check_reachable(f"ray://{address}")
    assert time.perf_counter() - t0 < 10


def test_address_parsing():
    assert _host_port("10.0.0.1:6380") == ("10.0.0.1", 6380)
    assert _host_port("head") == ("head", 6379)
    assert _host_port("ray://head") == ("head", 10001)
    assert _host_port("[::1]:7000") == ("::1", 7000)
    for bad in (":6379", "head:port", "head:0", "head:70000"):
        with pytest.raises(InvalidParameterError):
            _host_port(bad)


def test_a_listening_address_passes_the_check():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        check_reachable(f"127.0.0.1:{server.getsockname()[1]}")


@pytest.fixture(scope="module")
def ray_local(ray_session):
    return RayBackend(True)


def _same_learners(a, b):
    assert a.iteration == b.iteration
    for pa, pb in zip(a.population, b.population, strict=True):
        assert len(pa) == len(pb) and all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))
    assert np.array_equal(a.meta_payoffs, b.meta_payoffs)


def test_psro_on_kuhn_with_and_without_ray(ray_local):
    with_ray = make_learner("kuhn_poker", "psro", seed=0, ray=True)
    without = make_learner("kuhn_poker", "psro", seed=0)
    run(with_ray, 6, eval_every=3)
    run(without, 6, eval_every=3)
    _same_learners(with_ray, without)


def test_psro_with_a_sampling_oracle_is_seeded_per_task(ray_local):
    game = equilibria.load_game("random_markov_game(num_states=3, num_actions=2, zero_sum=True, seed=4)")
    kw = dict(seed=5, oracle=QLearningOracle(steps=2000), meta_solver="uniform")
    a = make_learner(game, "psro", ray=True, **kw)
    b = make_learner(game, "psro", **kw)
    run(a, 3, evaluate="none")
    run(b, 3, evaluate="none")
    _same_learners(a, b)


def test_empirical_payoffs_with_and_without_ray(ray_local):
    game = equilibria.load_game("kuhn_poker")
    u = game.uniform_profile()
    pops = [[u, u], [u, u, u]]
    a = estimate_payoffs(game, pops, num_samples=200, seed=11, backend=ray_local)
    b = estimate_payoffs(game, pops, num_samples=200, seed=11)
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.sem, b.sem)


def test_cli_ray_gives_the_same_result(ray_local, capsys):
    assert main(["solve", "kuhn_poker", "--method", "psro", "--iterations", "30", "--json", "--ray"]) == 0
    with_ray = json.loads(capsys.readouterr().out)
    assert main(["solve", "kuhn_poker", "--method", "psro", "--iterations", "30", "--json"]) == 0
    without = json.loads(capsys.readouterr().out)
    assert with_ray["nash_conv"] < 1e-3
    assert with_ray["equilibria"] == without["equilibria"]
