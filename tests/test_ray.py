"""Ray scale-out: results are identical with and without Ray for a fixed seed."""

from __future__ import annotations

import json

import numpy as np
import pytest

import equilibria
from equilibria.api import make_learner
from equilibria.cli import main
from equilibria.population.empirical import estimate_payoffs
from equilibria.population.oracles import QLearningOracle
from equilibria.population.ray_backend import RayBackend
from equilibria.run import run


@pytest.fixture(scope="module")
def ray_local():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield RayBackend(True)
    ray.shutdown()


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
