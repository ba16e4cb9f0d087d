"""Normal-form learning dynamics against nashpy, run in the same process: wall time per run and ratio.

* fictitious play (both produce the same empirical frequencies on a generic game, checked here);
* replicator ODE: both on ODEPACK's LSODA (ours through `odeint` on the one population of the
  symmetric game, as nashpy), same end time, rtol 1e-8 against nashpy's odeint default 1.49e-8;
  the answers agree to ~1e-8.

    python bench/bench_dynamics.py
"""

from __future__ import annotations

import time

import nashpy
import numpy as np

from equilibria.dynamics.fictitious_play import FictitiousPlay
from equilibria.dynamics.replicator import ReplicatorODE
from equilibria.games.normal_form import NormalFormGame


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_fictitious_play(n: int, iterations: int) -> None:
    rng = np.random.default_rng(0)
    A, B = rng.uniform(-1, 1, (n, n)), rng.uniform(-1, 1, (n, n))
    game = NormalFormGame.from_bimatrix(A, B)
    start = (np.eye(n)[0], np.eye(n)[0])

    def ours():
        learner = FictitiousPlay(game, init=list(start))
        for _ in range(iterations):
            learner.step()
        return learner.average_strategy()

    def peer():
        return list(nashpy.Game(A, B).fictitious_play(iterations=iterations, play_counts=start))[-1]

    t_ours, prof = timed(ours)
    t_peer, counts = timed(peer)
    same = all(np.allclose(p, c / c.sum()) for p, c in zip(prof, counts, strict=True))
    print(f"fictitious play {n}x{n}, {iterations} it: equilibria {t_ours:.3f}s  nashpy {t_peer:.3f}s  "
          f"speed-up {t_peer / t_ours:.1f}x  same frequencies: {same}")


def bench_replicator(n: int, t_end: float) -> None:
    rng = np.random.default_rng(1)
    A = rng.uniform(-1, 1, (n, n))
    game = NormalFormGame.from_bimatrix(A, A.T)
    x0 = rng.dirichlet(np.ones(n))

    def ours():
        # the learners measure time in units of the payoff range, so ODE time t_end is t_end × range
        learner = ReplicatorODE(game, step_size=t_end * (A.max() - A.min()), rtol=1e-8, symmetric=True,
                                init=[x0, x0])
        learner.step()
        return learner.current_strategy()[0]

    def peer():
        return nashpy.Game(A).replicator_dynamics(y0=x0, timepoints=np.linspace(0, t_end, 1000))[-1]

    t_ours, xo = timed(ours)
    t_peer, xp = timed(peer)
    print(f"replicator ODE {n} actions, t = {t_end}: equilibria {t_ours:.3f}s  nashpy {t_peer:.3f}s  "
          f"speed-up {t_peer / t_ours:.1f}x  max |difference| {np.abs(xo - xp).max():.1e}")


if __name__ == "__main__":
    bench_fictitious_play(50, 2000)
    bench_fictitious_play(200, 2000)
    bench_replicator(20, 50.0)
