"""`solve`'s own parameters, method options, deprecated option names and the verification of
answers (issue 9 §5, issue 10 §1 and §3)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import equilibria as eq
from equilibria._checks import OPTION_ALIASES
from equilibria.api import CERTIFY_RTOL, certification_scale, verify
from equilibria.registry import METHODS, register_method
from equilibria.run import Learner

RPS = "rock_paper_scissors"


@pytest.mark.parametrize(
    "key, flag",
    [
        ("iterations", "--iterations"),
        ("seed", "--seed"),
        ("tol", "--tol"),
        ("exact", "--exact"),
        ("output", "--output"),
    ],
)
def test_an_option_named_like_a_solve_parameter_is_refused(key, flag):
    """Defect: `-o iterations=5` / `-o seed=1` gave "solve() got multiple values"."""
    with pytest.raises(eq.InvalidParameterError, match=f"'{key}' is a parameter of solve itself.*{flag}"):
        eq.solve(RPS, "hedge", iterations=3, options={key: 5})


def test_options_come_as_a_mapping_or_keywords():
    a = eq.solve(RPS, "hedge", iterations=5, seed=0, options={"step_size": 0.2})[0]
    b = eq.solve(RPS, "hedge", iterations=5, seed=0, step_size=0.2)[0]
    for x, y in zip(a.strategies, b.strategies, strict=True):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(eq.InvalidParameterError, match="given twice"):
        eq.solve(RPS, "hedge", options={"step_size": 0.2}, step_size=0.1)
    with pytest.raises(eq.InvalidParameterError, match="mapping"):
        eq.solve(RPS, "hedge", options=[("step_size", 0.2)])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"iterations": -1},
        {"iterations": 2.5},
        {"iterations": "5"},
        {"iterations": True},
        {"seed": -1},
        {"seed": 1.5},
        {"seed": "x"},
        {"tol": float("nan")},
        {"tol": -1e-3},
        {"tol": float("inf")},
        {"tol": "small"},
        {"eval_every": 0},
        {"eval_every": 1.5},
        {"output": "best"},
        {"output": 1},
        {"exact": "yes"},
    ],
)
def test_solve_parameters_are_validated(kwargs):
    """Defect: `--seed -1` and `--tol nan` gave tracebacks or ran (NaN passes `tol < 0`)."""
    with pytest.raises(eq.InvalidParameterError):
        eq.solve(RPS, "hedge", **{"iterations": 3, **kwargs})


def test_a_checkpoint_for_an_exact_solver_is_refused(tmp_path):
    with pytest.raises(eq.InvalidParameterError, match="exact solver; checkpoints are for learning methods"):
        eq.solve(RPS, "lp", checkpoint=tmp_path / "x.ckpt")
    assert not (tmp_path / "x.ckpt").exists()


def test_make_learner_validates_the_seed():
    with pytest.raises(eq.InvalidParameterError, match="seed"):
        eq.make_learner(RPS, "hedge", seed=-1)


class Stepper(Learner):
    """A learner with a step_size, to test the deprecated names."""

    families = ("normal_form",)

    def __init__(self, game, *, seed=None, step_size=0.1):
        super().__init__(game, seed=seed)
        self.step_size = step_size

    def _step(self):
        pass

    def current_strategy(self):
        return self.game.uniform_profile()


class OwnLr(Stepper):
    """A method whose own parameter is called lr: nothing is renamed."""

    def __init__(self, game, *, seed=None, step_size=0.1, lr=0.0):
        super().__init__(game, seed=seed, step_size=step_size)
        self.lr = lr


@pytest.fixture
def registered():
    register_method("_test-stepper", families=("normal_form",))(Stepper)
    register_method("_test-own-lr", families=("normal_form",))(OwnLr)

    @register_method("_test-step-solver", families=("normal_form",))
    def step_solver(game, *, step_size=0.1):
        return [eq.Solution(game.uniform_profile(), np.zeros(2), "x", info={"step_size": step_size})]

    yield
    for name in ("_test-stepper", "_test-own-lr", "_test-step-solver"):
        METHODS.remove(name)


@pytest.mark.parametrize("alias", sorted(OPTION_ALIASES))
def test_deprecated_step_size_names_map_to_step_size_with_a_warning(registered, alias):
    """Issue 10 §1: `lr`, `eta`, `learning_rate`, `dt` are deprecated names of `step_size`."""
    with pytest.warns(FutureWarning, match=f"'{alias}' is deprecated; use step_size"):
        learner = eq.make_learner(RPS, "_test-stepper", **{alias: 0.25})
    assert learner.step_size == 0.25
    with pytest.warns(FutureWarning, match=f"'{alias}' is deprecated"):
        sol = eq.solve(RPS, "_test-stepper", iterations=2, **{alias: 0.3})[0]
    assert sol.info["learner"].step_size == 0.3
    with pytest.warns(FutureWarning, match=f"'{alias}' is deprecated"):
        sol = eq.solve(RPS, "_test-step-solver", **{alias: 0.4})[0]
    assert sol.info["step_size"] == 0.4
    with pytest.raises(eq.InvalidParameterError, match="not both"):
        eq.make_learner(RPS, "_test-stepper", step_size=0.1, **{alias: 0.2})


def test_noisy_og_update_step_is_a_deprecated_name_of_step_size():
    """noisy-og's update step η was `update_step` before the step sizes got one name (issue 10 §1)."""
    with pytest.warns(FutureWarning, match="'update_step' is deprecated; use step_size"):
        learner = eq.make_learner(RPS, "noisy-og", update_step=0.05, seed=0)
    assert learner.step_size == 0.05 and learner.eta == 0.05
    with pytest.raises(eq.InvalidParameterError, match="not both"):
        eq.make_learner(RPS, "noisy-og", update_step=0.05, step_size=0.05, seed=0)


def test_a_methods_own_parameter_is_not_renamed(registered):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        learner = eq.make_learner(RPS, "_test-own-lr", lr=0.5)
    assert learner.lr == 0.5 and learner.step_size == 0.1
    with pytest.raises(eq.InvalidParameterError, match="no parameter 'bogus'"):
        eq.make_learner(RPS, "_test-stepper", bogus=1)


# ---- verification --------------------------------------------------------------------------------


def _pd(scale: float) -> eq.NormalFormGame:
    A = np.array([[3.0, 0.0], [5.0, 1.0]]) * scale
    return eq.NormalFormGame.from_bimatrix(A, A.T)


@pytest.mark.parametrize("scale", [1e-13, 1.0, 1e6, 1e13])
def test_certification_is_relative_to_the_payoff_range(scale):
    """Defect (issue 10 §3): for a prisoner's dilemma scaled by 1e-13, a wrong profile
    ([[0, 1], [1, 0]], NashConv 0.2× the payoff scale) passed certification (1e-6·max(1, scale))."""
    game = _pd(scale)
    wrong = eq.Solution([np.array([0.0, 1.0]), np.array([1.0, 0.0])], np.zeros(2), "wrong")
    with pytest.raises(eq.SolverError, match="NashConv"):
        verify(game, wrong, certified=True)
    right = eq.Solution([np.array([0.0, 1.0]), np.array([0.0, 1.0])], np.zeros(2), "right")
    assert verify(game, right, certified=True).nash_conv == 0.0
    # a profile off by rounding only still passes; one off by 1e-6 of the range does not
    spread, _ = certification_scale(game)
    assert spread == pytest.approx(5 * scale)
    for eps, ok in ((1e-15, True), (1e-6, False)):
        sol = eq.Solution([np.array([eps, 1 - eps]), np.array([0.0, 1.0])], np.zeros(2), "near")
        if ok:
            assert verify(game, sol, certified=True).nash_conv <= CERTIFY_RTOL * spread
        else:
            with pytest.raises(eq.SolverError):
                verify(game, sol, certified=True)


def test_certified_solvers_pass_at_every_scale():
    for scale in (1e-13, 1.0, 1e13):
        sol = eq.solve(_pd(scale), "support-enumeration")[0]
        assert sol.nash_conv <= CERTIFY_RTOL * 5 * scale


def test_exact_certification_requires_zero():
    from fractions import Fraction

    game = eq.NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    near = eq.Solution(
        [
            np.array([Fraction(1, 10**30), 1 - Fraction(1, 10**30)], dtype=object),
            np.array([Fraction(0), Fraction(1)], dtype=object),
        ],
        np.zeros(2),
        "near",
        exact=True,
    )
    with pytest.raises(eq.SolverError):
        verify(game, near, certified=True)


def test_a_nan_nash_conv_is_an_error_not_an_answer(monkeypatch):
    """Defect (issue 9 §5): methods returned NashConv nan or inf with exit status 0."""
    import equilibria.metrics as metrics

    monkeypatch.setattr(metrics, "nash_conv", lambda game, profile, exact=False: float("nan"))
    sol = eq.Solution([np.array([0.5, 0.5]), np.array([0.5, 0.5])], np.zeros(2), "m")
    with pytest.raises(eq.DivergenceError, match="NashConv is nan"):
        verify(_pd(1.0), sol)
    with pytest.raises(eq.SolverError, match="NashConv is nan"):
        verify(_pd(1.0), sol, certified=True)
    monkeypatch.setattr(metrics, "nash_conv", lambda game, profile, exact=False: float("inf"))
    with pytest.raises(eq.DivergenceError, match="NashConv is inf"):
        verify(_pd(1.0), sol)


def test_infinite_nash_conv_is_an_answer_on_an_unbounded_continuous_game():
    """On an unconstrained bilinear game a best response away from equilibrium is unbounded, so
    NashConv is +inf there (metrics.continuous): an answer, not a divergence."""
    game = eq.load_game("bilinear(dim=1)")
    sol = eq.solve(game, "gda", iterations=5)[0]
    assert sol.nash_conv == float("inf")
    bounded = eq.load_game("bilinear(dim=1, bound=1.0)")
    assert np.isfinite(eq.solve(bounded, "gda", iterations=5)[0].nash_conv)


def test_correlated_solutions_are_measured_by_their_gap_recomputed_by_the_core():
    """A correlated equilibrium is judged by its CE gap, not by the NashConv of its marginals; `verify`
    recomputes the gap itself rather than trusting the solver's number (issue 10: ce-value-iteration)."""
    game = eq.load_game("random_markov_game(num_states=3, num_actions=3, discount=0.5, seed=3)")
    sol = eq.solve(game, "ce-value-iteration")[0]
    assert sol.info["metric"] == "ce_gap"
    assert sol.info["ce_gap"] < 1e-9
    assert sol.nash_conv > 1e-3  # the marginals alone are not a Nash equilibrium here
    sol.info["ce_gap"] = 123.0  # a stale value is overwritten by the core's
    eq.verify(game, sol)
    assert sol.info["ce_gap"] < 1e-9
    chicken = eq.load_game("chicken")
    exact = eq.solve(chicken, "correlated", exact=True)[0]
    assert exact.info["ce_gap"] == 0
