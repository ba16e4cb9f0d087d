"""Learning dynamics on differentiable games: theory-predicted convergence and divergence.

Theory used (bilinear ℓ_1 = xᵀAy = −ℓ_2, F = Jz with J skew, singular values σ of A):
- GDA: z_{t+1} = (I − ηJ)z_t and ‖(I − ηJ)z‖ = √(1 + η²σ²)‖z‖ exactly when A = I, so the norm grows
  geometrically (Gidel et al., AISTATS 2019, Thm 1).
- EG, OGDA, CGD, consensus, SGA and complex momentum (with our default β) contract on it
  (Korpelevich 1976; Daskalakis et al. 2018; Schäfer & Anandkumar 2019; Mescheder et al. 2017;
  Balduzzi et al. 2018; Lorraine et al. 2022).
- EAG-C (Yoon & Ryu, ICML 2021, Thm 1): ‖F(z_k)‖² ≤ 260 L²‖z₀ − z*‖²/(k + 1)² with η = 1/(8L).
- FEG (Lee & Kim, NeurIPS 2021): ‖F(z_k)‖² ≤ 4L²‖z₀ − z*‖²/k² with η = 1/L.
- Strongly monotone games: every method converges to the unique equilibrium z* = −M⁻¹b.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from equilibria.api import load_game, make_learner, solve
from equilibria.cli import main
from equilibria.dynamics.continuous import trajectory
from equilibria.errors import DivergenceError, InvalidParameterError, NotApplicableError, NotMonotoneWarning
from equilibria.games.continuous import QuadraticGame
from equilibria.run import run

CONVERGENT = ["extragradient", "ogda", "cgd", "cgo", "complex-momentum", "consensus", "sga",
              "anchored-extragradient", "fast-extragradient"]


def random_bilinear(seed: int = 0, dim: int = 3):
    A = np.random.default_rng(seed).normal(size=(dim, dim))
    return load_game(f"bilinear(matrix={A.tolist()})"), np.linalg.svd(A, compute_uv=False)


def test_gda_norm_grows_exactly_as_theory_says_on_xy():
    game = load_game("bilinear")
    eta = 0.1
    norms = np.linalg.norm(trajectory(make_learner(game, "gda", step_size=eta), 200), axis=1)
    assert np.all(np.diff(norms) > 0)
    np.testing.assert_allclose(norms, np.sqrt(2) * (1 + eta**2) ** (np.arange(201) / 2), rtol=1e-10)


def test_gda_diverges_on_a_random_bilinear_game():
    game, sigma = random_bilinear()
    eta = 0.1 / sigma[0]
    norms = np.linalg.norm(trajectory(make_learner(game, "gda", step_size=eta), 2000), axis=1)
    assert norms[-1] > 10 * norms[0]
    assert norms[1000] > norms[0] and norms[-1] > norms[1000]


@pytest.mark.parametrize("method", CONVERGENT)
def test_last_iterate_converges_on_bilinear(method):
    game, sigma = random_bilinear(seed=4)  # σ_min/σ_max = 0.35: the slowest mode is not too slow
    eta = 0.3 / sigma[0]  # inside every method's stable range (complex momentum's: ησ ≤ 0.4)
    opts = {} if method in ("anchored-extragradient", "fast-extragradient") else {"step_size": eta}
    z = trajectory(make_learner(game, method, **opts), 4000)
    assert np.linalg.norm(z[-1]) < 1e-2 * np.linalg.norm(z[0]), method


def test_alternating_gda_stays_bounded_but_does_not_converge_on_xy():
    z = trajectory(make_learner(load_game("bilinear"), "alternating-gda", step_size=0.2), 3000)
    norms = np.linalg.norm(z, axis=1)
    assert norms.max() < 2 * norms[0]
    assert norms[-500:].min() > 0.5 * norms[0]


@pytest.mark.parametrize("method", ["gda", "alternating-gda", "ogda", "extragradient", "consensus", "sga",
                                    "cgd", "complex-momentum"])
def test_converges_to_the_equilibrium_of_a_strongly_monotone_game(method):
    game = load_game("quadratic(dims=[2, 3], mu=0.5, seed=3)")
    z_star = np.linalg.solve(game.M, -game.b)  # Rosen (1965): the unique equilibrium
    eta = 0.2 / np.linalg.norm(game.M, 2)
    z = trajectory(make_learner(game, method, step_size=eta), 3000)
    assert np.linalg.norm(z[-1] - z_star) < 1e-8, method


def test_anchored_extragradient_meets_the_yoon_ryu_bound():
    game, _ = random_bilinear(seed=5, dim=4)
    L = game.lipschitz
    learner = make_learner(game, "anchored-extragradient")  # η = 1/(8L)
    assert learner.step_size == pytest.approx(1 / (8 * L))
    z = trajectory(learner, 2000)
    F2 = np.array([np.sum(game.vector_field(zk) ** 2) for zk in z])
    k = np.arange(len(z))
    bound = 260 * L**2 * np.sum(z[0] ** 2) / (k + 1) ** 2
    assert np.all(F2 <= bound)
    # and the anchor makes it O(1/k²)-fast: far below the initial value
    assert F2[-1] < 1e-4 * F2[0]


def test_fast_extragradient_meets_the_lee_kim_bound():
    # Lee & Kim (NeurIPS 2021), FEG with ρ = 0: ‖F(z_k)‖² ≤ 4L²‖z₀ − z*‖²/k², η = 1/L
    for seed in (5, 6):
        game, _ = random_bilinear(seed=seed, dim=4)
        L = game.lipschitz
        learner = make_learner(game, "fast-extragradient")
        assert learner.step_size == pytest.approx(1 / L)
        z = trajectory(learner, 2000)
        F2 = np.array([np.sum(game.vector_field(zk) ** 2) for zk in z[1:]])
        k = np.arange(1, len(z))
        assert np.all(F2 <= 4 * L**2 * np.sum(z[0] ** 2) / k**2)


def test_sga_alignment_flips_the_sign_near_a_repelling_point():
    # F = Jz with J = [[-1, 1], [-1, -1]]: sym(J) = −I repels, so ⟨F, ∇H⟩ = −‖F‖² < 0 while
    # ⟨AᵀF, ∇H⟩ = ‖F‖² > 0, and Balduzzi et al.'s rule picks λ < 0 once ‖F‖⁴/D > ε.
    game = QuadraticGame.from_field([[-1.0, 1.0], [-1.0, -1.0]], dims=(1, 1), initial=[[2.0], [1.0]])
    learner = make_learner(game, "sga", step_size=0.01)
    learner.step()
    assert learner.last_sign == -1.0
    bil = make_learner(load_game("bilinear"), "sga")
    bil.step()
    assert bil.last_sign == 1.0  # on a bilinear game ⟨F, ∇H⟩ = 0: the +ε term decides


def test_cgd_solves_a_three_player_game():
    game = load_game("quadratic(dims=[1, 2, 2], mu=0.3, rotation=3.0, seed=2)")
    z = trajectory(make_learner(game, "cgd", step_size=0.3), 3000)
    assert np.linalg.norm(z[-1] - np.concatenate(game.equilibrium)) < 1e-8


def test_projected_methods_converge_on_a_box_and_solve_reports_nash_conv():
    (sol,) = solve("bilinear(dim=2, seed=1, bound=1)", "extragradient", iterations=2000, step_size=0.3)
    assert sol.nash_conv < 1e-6
    assert sol.info["grad_norm"] < 1e-6
    (sol,) = solve("dirac_gan(bound=1, gamma=0.3)", "gda", iterations=2000, step_size=0.3)
    assert sol.nash_conv < 1e-6


def test_torch_game_follows_the_same_trajectory():
    import torch

    A = np.random.default_rng(2).normal(size=(2, 2))
    At = torch.tensor(A)
    from equilibria.games.continuous import DifferentiableGame

    tg = DifferentiableGame.from_torch(lambda zs: [zs[0] @ At @ zs[1], -(zs[0] @ At @ zs[1])], (2, 2),
                                       initial=[[1.0, 1.0], [1.0, 1.0]])
    game = load_game(f"bilinear(matrix={A.tolist()})")
    for method in ("extragradient", "cgd"):
        a = trajectory(make_learner(tg, method, step_size=0.1), 50)
        b = trajectory(make_learner(game, method, step_size=0.1), 50)
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_same_seed_same_trace():
    game = load_game("quadratic(mu=0.1, seed=1, bound=2)")
    traces = [run(make_learner(game, "complex-momentum", seed=4), 200, eval_every=20) for _ in range(2)]
    assert traces[0].nash_conv_last == traces[1].nash_conv_last
    assert traces[0].extra == traces[1].extra
    assert "grad_norm" in traces[0].extra and len(traces[0].extra["grad_norm"]) == len(traces[0])


def test_checkpoint_resume_continues_the_trajectory(tmp_path):
    game = load_game("bilinear(dim=2, seed=0)")
    full = make_learner(game, "ogda", step_size=0.1)
    run(full, 100, evaluate="none")
    part = make_learner(game, "ogda", step_size=0.1)
    run(part, 40, evaluate="none", checkpoint=tmp_path / "ck.pkl")
    resumed = make_learner(game, "ogda", step_size=0.1)
    run(resumed, 100, evaluate="none", checkpoint=tmp_path / "ck.pkl")
    np.testing.assert_array_equal(resumed.z, full.z)


@pytest.mark.parametrize("bad", [{"step_size": -0.1}, {"step_size": 0}, {"step_size": float("nan")},
                                 {"init": [1.0, 2.0, 3.0]}, {"init": [[1.0], [2.0, 3.0]]}])
def test_bad_hyper_parameters_raise(bad):
    with pytest.raises(InvalidParameterError):
        make_learner(load_game("bilinear"), "extragradient", **bad)


def test_method_specific_bad_parameters_raise():
    game = load_game("bilinear")
    with pytest.raises(InvalidParameterError):
        make_learner(game, "complex-momentum", beta=1.2j)
    with pytest.raises(InvalidParameterError):
        make_learner(game, "consensus", gamma=-1)
    with pytest.raises(InvalidParameterError):
        make_learner(game, "sga", lam=-1)
    with pytest.raises(InvalidParameterError):
        make_learner(game, "cgd", interaction=-0.5)
    with pytest.raises(InvalidParameterError):
        make_learner(load_game("dirac_gan"), "anchored-extragradient")  # no Lipschitz constant, no step_size
    with pytest.raises(InvalidParameterError):
        make_learner(load_game("dirac_gan"), "fast-extragradient")
    with pytest.raises(NotApplicableError):
        solve("rock_paper_scissors", "gda")


def test_cli_solve_prints_a_finite_nash_conv(capsys):
    rc = main(["solve", "bilinear(bound=1)", "--method", "extragradient", "--iterations", "500", "--json",
               "-o", "step_size=0.5"])
    assert rc == 0

    def reject(c):
        raise AssertionError(f"non-standard JSON constant {c}")

    out = json.loads(capsys.readouterr().out, parse_constant=reject)
    assert isinstance(out["nash_conv"], float) and out["nash_conv"] < 1e-9
    assert out["equilibria"][0]["strategies"] == [[pytest.approx(0, abs=1e-9)], [pytest.approx(0, abs=1e-9)]]


def test_cli_plot_writes_learning_curve_and_2d_trajectories(tmp_path, capsys):
    out = tmp_path / "run.png"
    rc = main(["solve", "bilinear(bound=1)", "--method", "gda,extragradient", "--iterations", "60",
               "--plot", str(out), "-o", "step_size=0.3"])
    assert rc == 0
    assert out.stat().st_size > 10_000
    assert (tmp_path / "run_trajectories.png").stat().st_size > 10_000
    assert "2-D trajectories written" in capsys.readouterr().err


# ---- issue 10: options are validated, divergence is reported, monotone-only methods warn ----------

@pytest.mark.parametrize("bad", [{"align": "abc"}, {"align": 2}, {"epsilon": 0}, {"epsilon": -0.1},
                                 {"epsilon": float("nan")}, {"lam": float("inf")}])
def test_sga_options_are_validated(bad):
    # `sga -o align=abc` and `sga -o epsilon=0` ran and returned NashConv inf or nan without a word
    with pytest.raises(InvalidParameterError):
        make_learner(load_game("bilinear"), "sga", **bad)


@pytest.mark.parametrize("bad", [{"beta_abs": 1.5}, {"beta_arg": float("nan")}, {"beta": "0.5j"},
                                 {"beta": True}, {"gamma": "x"}, {"interaction": -1.0}])
def test_other_method_options_are_validated(bad):
    method = {"beta_abs": "complex-momentum", "beta_arg": "complex-momentum", "beta": "complex-momentum",
              "gamma": "consensus", "interaction": "cgd"}[next(iter(bad))]
    with pytest.raises(InvalidParameterError):
        make_learner(load_game("bilinear"), method, **bad)


@pytest.mark.parametrize("method", ["gda", "ogda", "extragradient", "alternating-gda"])
def test_a_diverging_learner_raises_at_the_step_where_its_iterate_overflows(method):
    # `gda -o lr=1e12` returned NashConv inf/nan with exit status 0
    learner = make_learner(load_game("bilinear"), method, step_size=1e12)
    with pytest.raises(DivergenceError, match="step_size") as info:
        for _ in range(1000):
            learner.step()
    assert 10 < learner.iteration < 100  # |z| grows by ~1e12 a step: float overflows after ~26 steps
    assert "iteration" in str(info.value)
    with pytest.raises(DivergenceError):
        solve("bilinear", method, iterations=1000, step_size=1e12)


def test_cli_reports_divergence_and_accepts_step_size(capsys):
    assert main(["solve", "bilinear", "--method", "gda", "--iterations", "200", "-o", "step_size=1e12"]) != 0
    assert "diverged" in capsys.readouterr().err
    assert main(["solve", "bilinear(bound=1)", "--method", "ogda", "--iterations", "50", "-o",
                 "step_size=0.2"]) == 0


@pytest.mark.parametrize("method", ["extragradient", "ogda", "anchored-extragradient", "fast-extragradient"])
def test_monotone_only_methods_warn_on_a_non_monotone_game(method):
    # sym(J) = [[-1, 0], [0, -1]]: not monotone (the field repels from the stationary point)
    game = QuadraticGame.from_field([[-1.0, 1.0], [-1.0, -1.0]], dims=(1, 1), initial=[[2.0], [1.0]])
    with pytest.warns(NotMonotoneWarning, match="monotone"):
        make_learner(game, method, step_size=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotMonotoneWarning)
        make_learner(load_game("bilinear"), method, step_size=0.1)
        make_learner(load_game("quadratic(mu=0.5, seed=1)"), method, step_size=0.1)
        make_learner(game, "gda", step_size=0.1)  # plain GDA claims nothing
