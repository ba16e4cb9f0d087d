"""The JAX engine of the CFR family (``engine="jax"``): on a CPU its iterates equal the NumPy
``"history"`` engine's bit for bit, hence OpenSpiel's (C++ ``CFRPlusSolver`` as the peer), for every
variant it covers; checkpoints hold no JAX object and resume exactly; a missing JAX is a clear error.
"""

import subprocess
import sys
from functools import cache

import numpy as np
import pyspiel
import pytest

import equilibria as eq
from equilibria.games.extensive_form import ExtensiveFormGame
from equilibria.metrics import nash_conv

STATE = ("cumulative_regret", "cumulative_policy", "sigma", "reach")


@cache
def games(name: str) -> tuple:
    spiel = pyspiel.load_game(name)
    return spiel, ExtensiveFormGame.from_state(spiel.new_initial_state())


def _assert_same_state(a, b) -> None:
    for key in STATE:
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)


@pytest.mark.parametrize("name, iterations, peer", [("kuhn_poker", 200, True), ("leduc_poker", 200, False)])
def test_cfr_plus_equals_numpy_engine_and_openspiel_cpp(name, iterations, peer):
    """Bit for bit equal to the NumPy engine (so the NashConv is equal, far inside 1e-9), and on Kuhn
    the NashConv sequence equals OpenSpiel's C++ CFR+ (on Leduc test_cfr.py checks the NumPy engine
    against it; C++ CFR+ on Leduc would cost this file seconds)."""
    spiel, game = games(name)
    checkpoints = (1, 10, iterations)
    ours, ref = eq.make_learner(game, "cfr+", engine="jax"), eq.make_learner(game, "cfr+")
    cpp = pyspiel.CFRPlusSolver(spiel) if peer else None
    got, want, theirs = [], [], []
    for t in range(1, iterations + 1):
        ours.step()
        ref.step()
        if cpp is not None:
            cpp.evaluate_and_update_policy()
        if t in checkpoints:
            got.append(nash_conv(game, ours.average_strategy()))
            want.append(nash_conv(game, ref.average_strategy()))
            if cpp is not None:
                theirs.append(pyspiel.nash_conv(spiel, cpp.average_policy()))
    _assert_same_state(ours, ref)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    if cpp is not None:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-12 * game.payoff_scale)


@pytest.mark.parametrize("method, alternating", [("cfr", True), ("cfr+", True), ("linear-cfr", True),
                                                  ("dcfr", True), ("cfr", False), ("cfr+", False)])
def test_every_variant_equals_numpy_engine_bit_for_bit(method, alternating):
    _, game = games("kuhn_poker")
    ours = eq.make_learner(game, method, engine="jax", alternating=alternating)
    ref = eq.make_learner(game, method, alternating=alternating)
    for _ in range(40):
        ours.step()
        ref.step()
    _assert_same_state(ours, ref)
    np.testing.assert_array_equal(ours.average_strategy(), ref.average_strategy())


def test_dcfr_with_other_exponents_and_three_players():
    """Non-default discount exponents (Python-side powers) and a 3-player tree."""
    spiel = pyspiel.load_game("kuhn_poker", {"players": 3})
    game = ExtensiveFormGame.from_state(spiel.new_initial_state())
    opts = {"alpha": 2.5, "beta": -0.5, "gamma": 3.0}
    ours, ref = eq.make_learner(game, "dcfr", engine="jax", **opts), eq.make_learner(game, "dcfr", **opts)
    for _ in range(25):
        ours.step()
        ref.step()
    _assert_same_state(ours, ref)


def test_run_of_k_iterations_equals_k_steps():
    from equilibria.dynamics.cfr_jax import JaxEngine

    _, game = games("kuhn_poker")
    a, b = eq.make_learner(game, "cfr+", engine="jax"), eq.make_learner(game, "cfr+", engine="jax")
    a.step()
    assert isinstance(a._jax, JaxEngine)
    a.steps(30)
    for _ in range(31):
        b.step()
    assert a.iteration == b.iteration == 31
    _assert_same_state(a, b)


def test_checkpoint_resume_equals_straight_run(tmp_path):
    _, game = games("kuhn_poker")
    path = tmp_path / "ck.zip"
    straight = eq.solve(game, "cfr+", iterations=30, seed=0, engine="jax")
    eq.solve(game, "cfr+", iterations=12, seed=0, engine="jax", checkpoint=path)
    resumed = eq.solve(game, "cfr+", iterations=30, seed=0, engine="jax", checkpoint=path)
    np.testing.assert_array_equal(straight[0].strategies, resumed[0].strategies)
    assert resumed[0].nash_conv == straight[0].nash_conv
    learner = eq.make_learner(game, "cfr+", engine="jax")
    learner.step()
    state = learner.state_dict()
    assert "_jax" not in state and all(
        type(v).__module__.split(".")[0] not in ("jax", "jaxlib") for v in state.values()
    )


def test_missing_jax_is_a_clear_error(monkeypatch):
    _, game = games("kuhn_poker")
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` raises ImportError
    with pytest.raises(eq.NotApplicableError, match=r"pip install equilibria\[jax\]"):
        eq.make_learner(game, "cfr+", engine="jax")


def test_bad_engine_options_raise():
    _, game = games("kuhn_poker")
    with pytest.raises(eq.InvalidParameterError):
        eq.make_learner(game, "cfr+", engine="JAX")
    from equilibria.dynamics.cfr import CFR

    with pytest.raises(eq.InvalidParameterError, match="predictive"):
        CFR(game, predictive=True, regret_matching_plus=True, engine="jax")


def test_import_and_method_discovery_do_not_import_jax():
    code = ("import sys, equilibria as eq; from equilibria.registry import METHODS, discover; discover(); "
            "METHODS.get('cfr+', 'extensive_form'); assert 'jax' not in sys.modules, 'jax imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
