"""Ray speed-up for population methods: the same work in-process and on a local Ray with W workers.

Two workloads, each checked to give identical results with and without Ray:

1. PSRO on a Markov game with the tabular Q-learning oracle (the oracle calls run in parallel);
2. the empirical game of 6×6 Leduc policies estimated by simulation (entries run in parallel).

Both print the wall-clock ratio; on a machine shared with other jobs it understates the speed-up.

    python bench/bench_ray_psro.py [--workers 2] [--steps 200000] [--samples 1000000]

OpenSpiel's PSRO runs in one process (no Ray backend), so the in-process run is the baseline.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import equilibria
from equilibria.api import make_learner
from equilibria.population.empirical import estimate_payoffs
from equilibria.population.oracles import ExactBestResponse, QLearningOracle, policy_space
from equilibria.population.ray_backend import RayBackend
from equilibria.run import run


def psro_markov(ray: bool, steps: int) -> tuple[float, np.ndarray]:
    game = equilibria.load_game("pursuit_evasion(size=3)")
    learner = make_learner(
        game,
        "psro",
        seed=0,
        oracle=QLearningOracle(steps=steps),
        meta_solver="nash",
        ray=True if ray else None,
    )
    t0 = time.perf_counter()
    run(learner, 4, evaluate="none")
    return time.perf_counter() - t0, learner.meta_payoffs


def leduc_empirical(backend: RayBackend | None, samples: int) -> tuple[float, np.ndarray]:
    game = equilibria.load_game("leduc_poker")
    space = policy_space(game)
    rng = np.random.default_rng(0)
    pops: list[list[np.ndarray]] = [[], []]
    prof = game.uniform_profile()
    for _ in range(6):  # a few distinct policies: best responses to random behaviour policies
        rand = game.legal_mask * rng.random(game.legal_mask.shape)
        rand = rand / rand.sum(axis=1, keepdims=True)
        for p in range(2):
            pops[p].append(ExactBestResponse()(space, rand if p else prof, p, rng))
    t0 = time.perf_counter()
    emp = estimate_payoffs(game, pops, num_samples=samples, seed=1, backend=backend)
    return time.perf_counter() - t0, emp.mean


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--steps", type=int, default=200_000, help="Q-learning oracle steps per call")
    ap.add_argument("--samples", type=int, default=1_000_000, help="simulations per empirical entry")
    args = ap.parse_args()
    import ray

    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    backend = RayBackend(True)
    backend.map(lambda shared, x: x, None, [(i,) for i in range(args.workers)])  # warm the workers

    t_local, m_local = psro_markov(False, args.steps)
    t_ray, m_ray = psro_markov(True, args.steps)
    assert np.array_equal(m_local, m_ray), "PSRO differs with Ray"
    print(
        f"PSRO + Q-learning oracle ({args.steps} steps), pursuit_evasion(size=3), 4 iterations: "
        f"in-process {t_local:.2f} s, "
        f"Ray x{args.workers} {t_ray:.2f} s, speed-up {t_local / t_ray:.2f}x (identical meta-games)"
    )

    t_local, e_local = leduc_empirical(None, args.samples)
    t_ray, e_ray = leduc_empirical(backend, args.samples)
    assert np.array_equal(e_local, e_ray), "empirical game differs with Ray"
    print(
        f"Leduc 6x6 empirical game, {args.samples} samples per entry: in-process {t_local:.2f} s, "
        f"Ray x{args.workers} {t_ray:.2f} s, speed-up {t_local / t_ray:.2f}x (identical estimates)"
    )
    ray.shutdown()


if __name__ == "__main__":
    main()
