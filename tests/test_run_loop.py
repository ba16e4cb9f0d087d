"""The generic run loop, checkpoints, the registry and `solve`'s verification, with small learners
defined here (the library's learners have their own tests)."""

import os
import pickle

import numpy as np
import pytest

import equilibria as eq
from equilibria.registry import METHODS, parse_spec, register_method
from equilibria.run import Learner, atomic_write_bytes, load_checkpoint, run


class NoisyFictitiousPlay(Learner):
    """Fictitious play with random tie-breaking noise: enough state (counts + RNG) to test resume."""

    families = ("normal_form",)

    def __init__(self, game, *, seed=None, noise=0.1):
        super().__init__(game, seed=seed)
        if noise < 0:
            raise eq.InvalidParameterError("noise must be >= 0")
        self.noise = noise
        self.counts = [np.ones(k) for k in game.num_actions]

    def _step(self):
        avg = self.average_strategy()
        dev = self.game.deviation_payoffs(avg)
        for i, d in enumerate(dev):
            self.counts[i][np.argmax(d + self.noise * self.rng.random(len(d)))] += 1

    def current_strategy(self):
        return self.average_strategy()

    def average_strategy(self):
        return [c / c.sum() for c in self.counts]


RPS = eq.NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


def test_trace_records_evaluations_and_stops_on_tol():
    learner = NoisyFictitiousPlay(RPS, seed=0)
    trace = run(learner, 400, eval_every=50)
    assert trace.iterations == list(range(50, 401, 50))
    assert trace.nash_conv[-1] < trace.nash_conv[0]
    learner = NoisyFictitiousPlay(RPS, seed=0)
    trace = run(learner, 10_000, eval_every=10, tol=0.2)
    assert trace.nash_conv[-1] <= 0.2 and learner.iteration < 10_000


def test_callback_can_stop_the_run():
    learner = NoisyFictitiousPlay(RPS, seed=0)
    run(learner, 1000, eval_every=5, callbacks=[lambda lrn, tr: lrn.iteration >= 25])
    assert learner.iteration == 25


def test_resume_continues_the_same_trajectory(tmp_path):
    ck = tmp_path / "run.ckpt"
    straight = NoisyFictitiousPlay(RPS, seed=7)
    full = run(straight, 60, eval_every=10)
    first = NoisyFictitiousPlay(RPS, seed=7)
    run(first, 30, eval_every=10, checkpoint=ck)
    resumed = NoisyFictitiousPlay(RPS, seed=7)
    trace = run(resumed, 60, eval_every=10, checkpoint=ck)
    assert resumed.iteration == 60
    for a, b in zip(resumed.counts, straight.counts, strict=True):
        np.testing.assert_array_equal(a, b)
    assert trace.nash_conv == full.nash_conv


class StopsAtFour(NoisyFictitiousPlay):
    """A learner whose own stopping rule fires at iteration 4."""

    def converged(self):
        return self.iteration >= 4


def test_a_resumed_run_that_had_stopped_stays_stopped(tmp_path):
    """Defect (conformance suite): resuming a converged PSRO run took one more step than the
    uninterrupted run, which had stopped on its own rule."""
    ck = tmp_path / "run.ckpt"
    first = StopsAtFour(RPS, seed=1)
    run(first, 10, eval_every=1, checkpoint=ck)
    assert first.iteration == 4
    resumed = StopsAtFour(RPS, seed=1)
    trace = run(resumed, 10, eval_every=1, checkpoint=ck)
    assert resumed.iteration == 4 and trace.iterations == [1, 2, 3, 4]
    # the same for a run stopped by tol
    ck2 = tmp_path / "tol.ckpt"
    first = NoisyFictitiousPlay(RPS, seed=0)
    run(first, 10_000, eval_every=10, tol=0.2, checkpoint=ck2)
    resumed = NoisyFictitiousPlay(RPS, seed=0)
    run(resumed, 10_000, eval_every=10, tol=0.2, checkpoint=ck2)
    assert resumed.iteration == first.iteration < 10_000


def test_resume_with_another_seed_is_refused(tmp_path):
    """Defect (issue 9 §5): a resumed run given another seed silently took the checkpoint's."""
    ck = tmp_path / "run.ckpt"
    run(NoisyFictitiousPlay(RPS, seed=7), 10, checkpoint=ck)
    with pytest.raises(eq.CheckpointError, match=r"differs in seed.*seed 7.*seed 8"):
        run(NoisyFictitiousPlay(RPS, seed=8), 20, checkpoint=ck)


def test_checkpoint_errors(tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(eq.CheckpointError, match="cannot read"):
        load_checkpoint(bad, NoisyFictitiousPlay(RPS))
    old = tmp_path / "old.ckpt"  # the former pickle format is refused, not unpickled
    old.write_bytes(pickle.dumps({"version": 1, "learner": "x.Y", "state": {}, "trace": None, "meta": {}}))
    with pytest.raises(eq.CheckpointError, match="is a pickle"):
        run(NoisyFictitiousPlay(RPS), 5, checkpoint=old)
    other = tmp_path / "other.ckpt"
    run(eq.make_learner(RPS, "hedge"), 3, checkpoint=other)
    with pytest.raises(eq.CheckpointError, match="differs in [^)]*learner"):
        run(NoisyFictitiousPlay(RPS), 5, checkpoint=other)


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "out.bin"
    atomic_write_bytes(path, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_bad_run_arguments():
    for kwargs in (
        {"iterations": -1},
        {"iterations": 5, "eval_every": 0},
        {"iterations": 5, "tol": float("nan")},
        {"iterations": 5, "tol": -1},
        {"iterations": 5, "output": "best"},
        {"iterations": 2.5},
        {"iterations": 5, "evaluate": "average", "output": "last", "tol": 0.1},
    ):
        with pytest.raises(eq.InvalidParameterError):
            run(NoisyFictitiousPlay(RPS), **kwargs)
    with pytest.raises(eq.InvalidParameterError):
        NoisyFictitiousPlay(RPS, noise=-1)


class Exploding(NoisyFictitiousPlay):
    """A learner whose iterate overflows to inf at its third step (a step size far too large)."""

    def _step(self):
        super()._step()
        if self.iteration >= 2:
            self.counts[0] = self.counts[0] * np.inf

    def average_strategy(self):
        with np.errstate(invalid="ignore"):
            return super().average_strategy()


def test_divergence_is_an_error_not_an_answer():
    """Defect (issue 9 §5, issue 10 §3): `gda -o lr=1e12` returned NashConv inf/nan with exit status 0."""
    with pytest.raises(eq.DivergenceError, match=r"Exploding diverged.*iteration 3.*reduce step_size"):
        run(Exploding(RPS, seed=0), 10, eval_every=1)
    with pytest.raises(eq.DivergenceError):  # also when nothing is evaluated during the run
        run(Exploding(RPS, seed=0), 10, evaluate="none")
    register_method("_test-exploding", families=("normal_form",))(Exploding)
    try:
        with pytest.raises(eq.DivergenceError, match="_test-exploding diverged"):
            eq.solve(RPS, "_test-exploding", iterations=10)
    finally:
        METHODS.remove("_test-exploding")


def test_a_nan_nash_conv_stops_the_run():
    with pytest.raises(eq.DivergenceError, match="NashConv is nan"):
        run(NoisyFictitiousPlay(RPS, seed=0), 10, eval_every=2, metric=lambda g, p: float("nan"))


def test_tol_stops_on_the_returned_iterate():
    """Defect (issue 10 §3): `solve(..., output="last", tol=...)` stopped on the average iterate's
    NashConv and returned a last iterate with NashConv 0.525 (hedge on RPS, init="random", seed 1).
    Hedge's average converges on RPS, its last iterate cycles (Bailey & Piliouras, EC 2018)."""
    for tol in (1e-3, 0.05):
        sol = eq.solve(
            "rock_paper_scissors",
            "hedge",
            init="random",
            seed=1,
            output="last",
            tol=tol,
            iterations=800,
            eval_every=2,
        )[0]
        trace = sol.info["trace"]
        assert sol.info["output"] == "last"
        if sol.iterations < 800:  # stopped early: the returned profile meets tol
            assert sol.nash_conv <= tol and sol.info["converged"] is True
        else:  # ran to the end: no claim of convergence
            assert sol.info["converged"] is False
            assert sol.nash_conv == trace.nash_conv_last[-1] > tol
            assert all(v > tol for v in trace.nash_conv_last)
    # stopping on the average iterate (the old rule) would have stopped early
    avg = eq.solve(
        "rock_paper_scissors",
        "hedge",
        init="random",
        seed=1,
        output="average",
        tol=0.05,
        iterations=800,
        eval_every=2,
    )[0]
    assert avg.iterations < 800 and avg.nash_conv <= 0.05 and avg.info["converged"] is True
    assert avg.info["trace"].nash_conv_last[-1] > 0.05


def test_parse_spec():
    assert parse_spec("goofspiel") == ("goofspiel", {})
    assert parse_spec("goofspiel(num_cards=4, order=descending)") == (
        "goofspiel",
        {"num_cards": 4, "order": "descending"},
    )
    assert parse_spec("preference:cyclic(k=5,beta=0.1,seed=0)") == (
        "preference:cyclic",
        {"k": 5, "beta": 0.1, "seed": 0},
    )
    with pytest.raises(eq.InvalidParameterError, match="by name"):
        parse_spec("goofspiel(4)")
    with pytest.raises(eq.InvalidParameterError):
        parse_spec("goofspiel(num_cards=")


def test_unknown_names_suggest_close_matches():
    with pytest.raises(eq.UnknownNameError, match="did you mean 'kuhn_poker'"):
        eq.load_game("kuhn_pokr")
    with pytest.raises(eq.InvalidParameterError, match="has no parameter 'cards'.*players"):
        eq.load_game("kuhn_poker(cards=3)")


def test_solve_verifies_certified_solvers():
    @register_method("_test-wrong-solver", families=("normal_form",), certified=True)
    def wrong(game):
        return [eq.Solution([np.array([1.0, 0, 0]), np.array([1.0, 0, 0])], np.zeros(2), "x")]

    try:
        with pytest.raises(eq.SolverError, match="NashConv"):
            eq.solve(RPS, "_test-wrong-solver")
    finally:
        METHODS.remove("_test-wrong-solver")


def test_solve_runs_learners_through_the_run_loop():
    register_method("_test-fp", families=("normal_form",))(NoisyFictitiousPlay)
    try:
        sol = eq.solve(RPS, "_test-fp", iterations=300, seed=1, noise=0.0)[0]
        assert sol.iterations == 300
        assert sol.nash_conv == pytest.approx(eq.nash_conv(RPS, sol.strategies))
        assert len(sol.info["trace"]) > 0
        with pytest.raises(eq.InvalidParameterError, match="no parameter 'bogus'"):
            eq.solve(RPS, "_test-fp", bogus=1)
        with pytest.raises(eq.InvalidParameterError, match="no exact mode"):
            eq.solve(RPS, "_test-fp", exact=True)
    finally:
        METHODS.remove("_test-fp")
