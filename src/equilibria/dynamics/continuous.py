"""Gradient-based learning in differentiable games: GDA and the methods that fix its rotation.

Notation: z ∈ R^D the joint strategy, F(z) = (∇_{z_i} ℓ_i(z))_i the simultaneous gradient, J(z) its
Jacobian, A = (J − Jᵀ)/2 the antisymmetric part, η the step size ``step_size`` and Π the projection onto
the game's box (the identity for unconstrained games; every method is run in its projected form,
as in Korpelevich's original extragradient).

=====================  ==============================================================  ===========
method                 one iteration                                                   paper
=====================  ==============================================================  ===========
gda                    z ← Π(z − ηF(z))                                                 (classic)
alternating-gda        for i = 1..n:  z_i ← Π_i(z_i − ηF_i(z))  (fresh z each time)    (classic)
ogda                   w = Π(z − ηF(w_prev)),  z ← Π(z − ηF(w))                         Popov 1980;
                       (= z_{t+1} = z_t − 2ηF(z_t) + ηF(z_{t−1}) unconstrained)        Daskalakis 2018
extragradient          w = Π(z − ηF(z)),  z ← Π(z − ηF(w))                              Korpelevich 1976
consensus              z ← Π(z − η(F + γJᵀF))                                           Mescheder 2017
sga                    z ← Π(z − η(F + λAᵀF)),  λ = sign(⟨F,JᵀF⟩⟨AᵀF,JᵀF⟩/D + ε)     Balduzzi 2018
cgd                    (I + ηJ_o)Δ = −ηF,  z ← Π(z + Δ)  (J_o: off-diagonal blocks)     Schäfer 2019
cgo                    (I + αJ_o)Δ = −ηF  (interaction weight α decoupled from η)       Vyas 2023
complex-momentum       μ ← βμ − F(z),  z ← Π(z + ηℜ(μ)),  β ∈ ℂ                         Lorraine 2022
anchored-extragradient w = Π(z + β_k(z₀ − z) − ηF(z)),  z ← Π(z + β_k(z₀ − z) − ηF(w)),   Yoon & Ryu
                       β_k = 1/(k + 2), η = 1/(8L)                                     2021
fast-extragradient     w = Π(z + β_k(z₀ − z) − (1 − β_k)ηF(z)),                         Lee & Kim
                       z ← Π(z + β_k(z₀ − z) − ηF(w)),  β_k = 1/(k + 1), η = 1/L       2021
=====================  ==============================================================  ===========

Each learner keeps the last iterate z (returned by default: these are last-iterate methods) and
the running average of its iterates (``output="average"``).
``diagnostics()`` reports ‖F(z)‖ and, when the game knows an equilibrium, the distance to it.
`trajectory` records the iterates for plots (`PlaneRecorder` does it for ``solve --plot``), and
every learner exposes its full phase-space state (z plus any memory: the previous gradient, the
momentum buffer) to `equilibria.diagnostics.max_lyapunov_exponent`.

All methods are deterministic; ``seed`` only seeds ``self.rng`` for the shared protocol.

A learner whose iterate becomes NaN or infinite (a step size too large for the game) raises
`DivergenceError` at that iteration. Extragradient, OGDA and the anchored methods have guarantees
for monotone games only; they warn with `NotMonotoneWarning` when the symmetric part of the
Jacobian at the starting point is not positive semi-definite (checked where the Jacobian is
cheap: analytic, or at most 64 coordinates).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from .._checks import check_bool, check_positive, check_real
from ..errors import DivergenceError, InvalidParameterError, NotApplicableError, NotMonotoneWarning
from ..games.continuous import DifferentiableGame
from ..registry import register_method
from ..run import Learner
from ._operators import user_stacklevel


class GradientLearner(Learner):
    """Shared machinery: validation, the iterate z, its running average, projection and diagnostics."""

    families: ClassVar[tuple[str, ...]] = ("continuous",)
    default_output: ClassVar[str] = "last"

    #: whether the method's guarantee needs a monotone vector field (then it warns on other games)
    needs_monotone: ClassVar[bool] = False

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float = 0.1,
                 init: Any = None):
        if not isinstance(game, DifferentiableGame):
            raise NotApplicableError(
                f"{type(self).__name__} needs a DifferentiableGame, not {type(game).__name__}")
        super().__init__(game, seed=seed)
        self.step_size = check_positive("step_size", step_size)
        if init is None:
            z0 = game.flatten(game.initial_profile())
        else:
            try:
                z0 = game.flatten(init if not np.isscalar(init) else [init], check_box=False)
            except Exception as exc:
                raise InvalidParameterError(
                    f"init must be a profile with dims {list(game.dims)} (or a flat vector of length "
                    f"{game.dim}): {exc}") from None
            z0 = game.project(z0)
        self.z = z0.astype(float)
        self.z0 = self.z.copy()
        self.z_sum = np.zeros_like(self.z)
        if self.needs_monotone:
            self._warn_if_not_monotone()

    def _warn_if_not_monotone(self) -> None:
        game = self.game
        if game._jacobian is None and game.dim > 64:
            return  # a finite-difference Jacobian would cost O(D²) loss evaluations
        J = game._jac(self.z)
        lam = float(np.linalg.eigvalsh(0.5 * (J + J.T))[0])
        # finite-difference Jacobians carry errors of about 1e-7 relative: tolerate them
        tol = (1e-12 if game._jacobian is not None else 1e-6) * max(float(np.linalg.norm(J)), 1e-300)
        if lam < -tol:
            warnings.warn(
                NotMonotoneWarning(
                    f"{type(self).__name__}'s convergence guarantee needs a monotone game, but the symmetric "
                    f"part of the Jacobian at the starting point has eigenvalue {lam:.3g} < 0: the iterates "
                    "may cycle or diverge; check the NashConv of the result"
                ),
                stacklevel=user_stacklevel(),
            )

    # -- helpers -------------------------------------------------------------------------------
    def _F(self, z: np.ndarray) -> np.ndarray:
        return self.game._field(z)

    def _P(self, z: np.ndarray) -> np.ndarray:
        return self.game.project(z)

    def step(self) -> None:
        with np.errstate(over="ignore", invalid="ignore"):
            self._step()
        self.iteration += 1
        if not np.all(np.isfinite(self.z)):
            raise DivergenceError(
                f"{type(self).__name__} diverged: its iterate became non-finite at iteration "
                f"{self.iteration} "
                f"(step_size={self.step_size:g}); try a smaller step_size"
            )
        self.z_sum += self.z

    def current_strategy(self) -> list[np.ndarray]:
        return self.game.split(self.z)

    def average_strategy(self) -> list[np.ndarray]:
        if self.iteration == 0:
            return self.current_strategy()
        return self.game.split(self.game.project(self.z_sum / self.iteration))

    def diagnostics(self) -> dict[str, float]:
        out = {"grad_norm": float(np.linalg.norm(self._F(self.z)))}
        if self.game.equilibrium is not None:
            out["distance"] = float(np.linalg.norm(self.z - np.concatenate(self.game.equilibrium)))
        return out

    def solution_info(self, profile: Any) -> dict[str, Any]:
        z = self.game.flatten(profile)
        info: dict[str, Any] = {"grad_norm": float(np.linalg.norm(self._F(z)))}
        if self.game.equilibrium is not None:
            info["distance_to_equilibrium"] = float(np.linalg.norm(z - np.concatenate(self.game.equilibrium)))
        return info

    # -- phase space (for Lyapunov exponents) ----------------------------------------------------
    def phase_state(self) -> np.ndarray:
        """The full state the next iterate depends on, as one real vector (z plus any memory)."""
        return self.z.copy()

    def set_phase_state(self, x: np.ndarray) -> None:
        self.z = np.asarray(x, dtype=float)[: self.game.dim].copy()


@register_method("gda", families=("continuous",))
class GDA(GradientLearner):
    """Simultaneous gradient descent(-ascent): z ← Π(z − ηF(z)).

    Every player descends its own loss at once. On a bilinear game the map I − ηJ has eigenvalues
    1 ± iησ of modulus √(1 + η²σ²) > 1, so the iterates spiral outwards for every η > 0
    (Goodfellow, NIPS 2016 GAN tutorial; Gidel et al., "Negative Momentum for Improved Game
    Dynamics", AISTATS 2019, Thm 1). Converges linearly on strongly monotone games for small η.
    """

    def _step(self) -> None:
        self.z = self._P(self.z - self.step_size * self._F(self.z))


@register_method("alternating-gda", families=("continuous",))
class AlternatingGDA(GradientLearner):
    """Alternating (Gauss-Seidel) GDA: players update in turn, each seeing the others' newest move.

    For bilinear games the alternating iterates stay bounded (they cycle) for small η, unlike the
    simultaneous ones (Gidel et al., "Negative Momentum for Improved Game Dynamics", AISTATS 2019;
    Bailey, Gidel & Piliouras, "Finite Regret and Cycles with Fixed Step-Size via Alternating
    Gradient Descent-Ascent", COLT 2020).
    """

    def _step(self) -> None:
        z = self.z.copy()
        for i in range(self.game.num_players):
            s = self.game.block(i)
            z[s] = self._P(z - self.step_size * self._F(z))[s]
        self.z = z


@register_method("ogda", families=("continuous",))
class OptimisticGDA(GradientLearner):
    """Optimistic GDA / Popov's extrapolation from the past: w = Π(z − ηF(w_prev)), z ← Π(z − ηF(w)).

    One gradient per step. Unconstrained, the leading points satisfy w_{t+1} = w_t − 2ηF(w_t) +
    ηF(w_{t−1}), the optimistic update of Daskalakis, Ilyas, Syrgkanis & Zeng, "Training GANs with
    Optimism" (ICLR 2018), which converges on bilinear games for small η. The projected form is
    Popov, "A modification of the Arrow-Hurwicz method for search of saddle points", Mathematical
    Notes 1980. The first step uses F(z₀) as the "previous" gradient.
    """

    needs_monotone = True

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float = 0.1,
                 init: Any = None):
        super().__init__(game, seed=seed, step_size=step_size, init=init)
        self.g_prev = self._F(self.z)

    def _step(self) -> None:
        w = self._P(self.z - self.step_size * self.g_prev)
        g = self._F(w)
        self.z = self._P(self.z - self.step_size * g)
        self.g_prev = g

    def phase_state(self) -> np.ndarray:
        return np.concatenate([self.z, self.g_prev])

    def set_phase_state(self, x: np.ndarray) -> None:
        D = self.game.dim
        self.z, self.g_prev = np.array(x[:D], dtype=float), np.array(x[D:2 * D], dtype=float)


@register_method("extragradient", families=("continuous",))
class Extragradient(GradientLearner):
    """Extragradient: w = Π(z − ηF(z)), z ← Π(z − ηF(w)).

    Korpelevich, "The extragradient method for finding saddle points and other problems",
    Ekonomika i Matematicheskie Metody 12 (1976). Converges for monotone L-Lipschitz F with
    η < 1/L; on a bilinear game the map I − ηJ + η²J² has eigenvalue modulus
    √(1 − η²σ² + η⁴σ⁴) < 1, so the last iterate converges linearly.
    """

    needs_monotone = True

    def _step(self) -> None:
        w = self._P(self.z - self.step_size * self._F(self.z))
        self.z = self._P(self.z - self.step_size * self._F(w))


@register_method("consensus", families=("continuous",))
class ConsensusOptimization(GradientLearner):
    """Consensus optimisation: z ← Π(z − η(F + γ∇H)), H = ½‖F‖², ∇H = JᵀF.

    Mescheder, Nowozin & Geiger, "The Numerics of GANs" (NeurIPS 2017): the extra term pulls the
    dynamics towards stationary points. On a bilinear game (J skew, JᵀJ with eigenvalues σ²) the
    update matrix I − η(J + γJᵀJ) has eigenvalues 1 − ηγσ² ± iησ, inside the unit circle for small η.
    """

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float = 0.1,
                 init: Any = None, gamma: float = 1.0):
        super().__init__(game, seed=seed, step_size=step_size, init=init)
        self.gamma = check_positive("gamma", gamma, allow_zero=True)

    def _step(self) -> None:
        F = self._F(self.z)
        J = self.game._jac(self.z)
        self.z = self._P(self.z - self.step_size * (F + self.gamma * J.T @ F))


@register_method("sga", families=("continuous",))
class SymplecticGradientAdjustment(GradientLearner):
    """Symplectic gradient adjustment: z ← Π(z − η(F + λAᵀF)), A = (J − Jᵀ)/2.

    Balduzzi, Racanière, Martens, Foerster, Tuyls & Graepel, "The Mechanics of n-Player
    Differentiable Games" (ICML 2018), Algorithm 1. With ``align=True`` (the paper's default) the
    sign of λ follows the alignment rule λ = |λ| · sign(⟨F, ∇H⟩⟨AᵀF, ∇H⟩/D + ε), ∇H = JᵀF,
    ε = 0.1, so the adjustment points towards stable fixed points and away from unstable ones.
    """

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float = 0.1,
                 init: Any = None, lam: float = 1.0,
                 align: bool = True, epsilon: float = 0.1):
        super().__init__(game, seed=seed, step_size=step_size, init=init)
        self.lam = check_positive("lam", lam, allow_zero=True)
        self.align = check_bool("align", align)
        # the rule's +ε breaks the tie ⟨F, ∇H⟩ = 0 (bilinear games) towards λ > 0: it must be positive
        self.epsilon = check_positive("epsilon", epsilon)
        self.last_sign = 1.0

    def _step(self) -> None:
        F = self._F(self.z)
        J = self.game._jac(self.z)
        A = 0.5 * (J - J.T)
        adj = A.T @ F
        lam = self.lam
        if self.align:
            gradH = J.T @ F
            self.last_sign = float(np.sign((F @ gradH) * (adj @ gradH) / F.size + self.epsilon) or 1.0)
            lam *= self.last_sign
        self.z = self._P(self.z - self.step_size * (F + lam * adj))


def _off_diagonal(game: DifferentiableGame, J: np.ndarray) -> np.ndarray:
    Jo = J.copy()
    for i in range(game.num_players):
        s = game.block(i)
        Jo[s, s] = 0.0
    return Jo


@register_method("cgd", families=("continuous",))
class CompetitiveGradientDescent(GradientLearner):
    """Competitive gradient descent: the Nash equilibrium of the regularised bilinear local game.

    Schäfer & Anandkumar, "Competitive Gradient Descent" (NeurIPS 2019): each player i picks Δ_i to
    minimise Δ_iᵀF_i + Σ_{j≠i} Δ_iᵀJ_ij Δ_j + ‖Δ_i‖²/(2η); the first-order conditions give the
    linear system (I + ηJ_o)Δ = −ηF with J_o the off-diagonal blocks of J. For two players this is
    the paper's Δx = −η(I − η²J_xy J_yx)⁻¹(F_x − ηJ_xy F_y) (and symmetrically for y); for n players
    the same local game gives the same system. On a bilinear game the update has eigenvalue
    modulus 1/√(1 + η²σ²) < 1: linear last-iterate convergence for every η > 0.

    ``interaction`` = α weights the interaction term independently of η, (I + αJ_o)Δ = −ηF: the
    competitive gradient optimisation (CGO) update of Vyas, Bullins & Azizzadenesheli,
    "Competitive Gradient Optimization" (ICML 2023), whose interaction survives the
    continuous-time limit η → 0 (the same linear system as the authors' published bilinear example,
    z ← z − η(I + αJ_o)⁻¹F). ``None`` (default) is CGD's α = η; the ``cgo`` method name binds α = 1.
    """

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float = 0.1,
                 init: Any = None, interaction: float | None = None):
        super().__init__(game, seed=seed, step_size=step_size, init=init)
        self.interaction = None if interaction is None else check_positive(
            "interaction", interaction, allow_zero=True)

    def _step(self) -> None:
        F = self._F(self.z)
        Jo = _off_diagonal(self.game, self.game._jac(self.z))
        a = self.step_size if self.interaction is None else self.interaction
        delta = np.linalg.solve(np.eye(F.size) + a * Jo, -self.step_size * F)
        self.z = self._P(self.z + delta)


_CGO_DOC = ("Competitive gradient optimisation (Vyas et al., ICML 2023): CGD with the interaction "
            "weight alpha decoupled from the step size")
register_method("cgo", families=("continuous",), interaction=1.0, description=_CGO_DOC)(
    CompetitiveGradientDescent)


@register_method("complex-momentum", families=("continuous",))
class ComplexMomentum(GradientLearner):
    """Gradient descent with complex-valued momentum: μ ← βμ − F(z), z ← Π(z + ηℜ(μ)).

    Lorraine, Acuna, Vicol & Duvenaud, "Complex Momentum for Optimization in Games" (AISTATS 2022),
    the simultaneous update (SimCM). The parameters stay real; β ∈ ℂ rotates the momentum buffer so
    that it damps the rotational dynamics (a real β cannot make simultaneous updates converge on
    xy). The paper proves convergence on bilinear zero-sum games for suitable (η, β) and tunes β per
    problem. Our default β = 0.8·e^{3iπ/8} is chosen by computing the spectral radius of the update
    on xy (σ = 1): it is < 1 for every η ∈ [0.05, 0.4] (0.9973 at η = 0.1, 0.9887 at η = 0.2) and > 1
    from η = 0.5; scale η by 1/σ_max(A) for other bilinear games.
    ``beta`` may be a complex number, or given as ``beta_abs`` and ``beta_arg`` (radians).
    """

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float = 0.1,
                 init: Any = None, beta: complex | None = None,
                 beta_abs: float = 0.8, beta_arg: float = 3 * np.pi / 8):
        super().__init__(game, seed=seed, step_size=step_size, init=init)
        if beta is None:
            beta = (check_positive("beta_abs", beta_abs, allow_zero=True)
                    * np.exp(1j * check_real("beta_arg", beta_arg)))
        elif isinstance(beta, (bool, str, bytes)) or getattr(type(beta), "__name__", "") == "bool_":
            raise InvalidParameterError(f"beta must be a complex number, got {beta!r}")
        try:
            beta = complex(beta)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"beta must be a complex number, got {beta!r}") from None
        if not np.isfinite(beta) or abs(beta) >= 1:
            raise InvalidParameterError(f"|beta| must be < 1 (a decaying momentum), got {beta!r}")
        self.beta = beta
        self.mu = np.zeros(self.game.dim, dtype=complex)

    def _step(self) -> None:
        self.mu = self.beta * self.mu - self._F(self.z)
        self.z = self._P(self.z + self.step_size * self.mu.real)

    def phase_state(self) -> np.ndarray:
        return np.concatenate([self.z, self.mu.real, self.mu.imag])

    def set_phase_state(self, x: np.ndarray) -> None:
        D = self.game.dim
        self.z = np.array(x[:D], dtype=float)
        self.mu = np.asarray(x[D:2 * D], dtype=float) + 1j * np.asarray(x[2 * D:3 * D], dtype=float)


class _AnchoredExtragradientBase(GradientLearner):
    """The anchored extragradient step that EAG-C and FEG share, with β_k = 1/(k + ``anchor_offset``):

        w_k     = z_k + β_k(z₀ − z_k) − c_k ηF(z_k)
        z_{k+1} = z_k + β_k(z₀ − z_k) − ηF(w_k),

    c_k from `_lead`; the default η is 1/(``lipschitz_divisor``·L) when the game knows L."""

    needs_monotone = True
    #: the registered name, for messages
    method_name: ClassVar[str]
    #: β_k = 1/(k + anchor_offset)
    anchor_offset: ClassVar[float]
    #: default step_size = 1/(lipschitz_divisor · L), written ``default_step_text`` in messages
    lipschitz_divisor: ClassVar[float]
    default_step_text: ClassVar[str]

    def __init__(self, game: DifferentiableGame, *, seed: int | None = None, step_size: float | None = None,
                 init: Any = None):
        if step_size is None:
            L = getattr(game, "lipschitz", None)
            if L is None:
                raise InvalidParameterError(
                    f"{self.method_name} needs step_size (the game has no Lipschitz constant for "
                    f"step_size = {self.default_step_text})")
            step_size = 1.0 / (self.lipschitz_divisor * L)
        super().__init__(game, seed=seed, step_size=step_size, init=init)

    def _lead(self, beta: float) -> float:
        """c_k, the weight of the extrapolation step's gradient."""
        return 1.0

    def _step(self) -> None:
        beta = 1.0 / (self.iteration + self.anchor_offset)
        anchor = beta * (self.z0 - self.z)
        w = self._P(self.z + anchor - self._lead(beta) * self.step_size * self._F(self.z))
        self.z = self._P(self.z + anchor - self.step_size * self._F(w))


@register_method("anchored-extragradient", families=("continuous",))
class AnchoredExtragradient(_AnchoredExtragradientBase):
    """Extra anchored gradient (EAG-C): extragradient pulled towards the start z₀ with weight 1/(k + 2).

    Yoon & Ryu, "Accelerated Algorithms for Smooth Convex-Concave Minimax Problems with O(1/k²)
    Rate on Squared Gradient Norm" (ICML 2021), EAG-C:

        w_k     = z_k + β_k(z₀ − z_k) − ηF(z_k)
        z_{k+1} = z_k + β_k(z₀ − z_k) − ηF(w_k),    β_k = 1/(k + 2),

    with η = 1/(8L) (the default when the game knows its Lipschitz constant L), which gives
    ‖F(z_k)‖² ≤ 260 L²‖z₀ − z*‖²/(k + 1)² for monotone L-Lipschitz F. The anchoring is Halpern's
    ("Fixed points of nonexpanding maps", Bull. AMS 1967) applied to the extragradient step.
    """

    method_name = "anchored-extragradient"
    anchor_offset = 2
    lipschitz_divisor = 8.0
    default_step_text = "1/(8L)"


@register_method("fast-extragradient", families=("continuous",))
class FastExtragradient(_AnchoredExtragradientBase):
    """Fast extragradient (FEG): the anchored extragradient with step 1/L and anchor weight 1/(k + 1).

    Lee & Kim, "Fast Extragradient Methods for Smooth Structured Nonconvex-Nonconcave Minimax
    Problems" (NeurIPS 2021), FEG with ρ = 0 (monotone F), counting k = 0, 1, ...:

        w_k     = z_k + β_k(z₀ − z_k) − (1 − β_k)ηF(z_k)
        z_{k+1} = z_k + β_k(z₀ − z_k) − ηF(w_k),    β_k = 1/(k + 1),  η = 1/L,

    with ‖F(z_k)‖² ≤ 4L²‖z₀ − z*‖²/k², the best known constant for this Halpern-type scheme. The
    default η is 1/L when the game knows its Lipschitz constant.
    """

    method_name = "fast-extragradient"
    anchor_offset = 1
    lipschitz_divisor = 1.0
    default_step_text = "1/L"

    def _lead(self, beta: float) -> float:
        return 1.0 - beta


def trajectory(learner: GradientLearner, iterations: int) -> np.ndarray:
    """Run ``learner`` for ``iterations`` steps and return its iterates, shape (iterations + 1, D)."""
    if int(iterations) != iterations or iterations < 0:
        raise InvalidParameterError(f"iterations must be a non-negative integer, got {iterations!r}")
    out = np.empty((int(iterations) + 1, learner.game.dim))
    out[0] = learner.z
    for t in range(1, int(iterations) + 1):
        learner.step()
        out[t] = learner.z
    return out



class PlaneRecorder:
    """A run-loop callback recording the returned iterate of a continuous-game learner for a 2-D plot.

    ``equilibria solve GAME --plot out.png`` uses it for continuous games: the plane is the first
    coordinate of player 1 against the first coordinate of player 2, and the picture is written to
    ``out_trajectories.png`` next to the learning curve.
    """

    def __init__(self, game: DifferentiableGame):
        self.game = game
        self.path: list[np.ndarray] = []

    @staticmethod
    def applies(game: Any) -> bool:
        return isinstance(game, DifferentiableGame) and game.num_players >= 2

    def __call__(self, learner: Any, trace: Any) -> None:
        if not self.path and hasattr(learner, "z0"):
            self.path.append(self._plane(learner.z0))
        self.path.append(self._plane(self.game.flatten(learner.strategy())))

    def _plane(self, z: np.ndarray) -> np.ndarray:
        return np.array([z[int(self.game.offsets[0])], z[int(self.game.offsets[1])]])

    def plot(self, paths: dict[str, list[np.ndarray]], plot_path: str, title: str) -> str:
        import os
        import sys

        from ..plotting import plot_trajectories_2d

        stem, ext = os.path.splitext(plot_path)
        out = f"{stem}_trajectories{ext or '.png'}"
        eq = self.game.equilibrium
        plot_trajectories_2d({k: np.asarray(v) for k, v in paths.items()}, out, title=title,
                             equilibrium=None if eq is None else (eq[0][0], eq[1][0]),
                             xlabel="player 1: z_1[0]", ylabel="player 2: z_2[0]")
        print(f"2-D trajectories written to {out}", file=sys.stderr)
        return out
