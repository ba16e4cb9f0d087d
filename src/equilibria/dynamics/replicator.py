"""Replicator dynamics, in discrete time and in continuous time (ODEPACK's LSODA or ``solve_ivp``).

Continuous time (Taylor & Jonker, "Evolutionarily Stable Strategies and Game Dynamics", Math.
Biosci. 1978), one population per player:

    ẋ_{i,a} = x_{i,a} (d_i(x)[a] - ⟨x_i, d_i(x)⟩).

For a symmetric two-player game (B = Aᵀ) the single-population form ẋ_a = x_a ((A x)_a - xᵀA x)
has every evolutionarily stable strategy as an asymptotically stable rest point (Taylor & Jonker
1978; Hofbauer, Schuster & Sigmund, J. Theor. Biol. 1979; Hofbauer & Sigmund, Evolutionary Games
and Population Dynamics, 1998). In the multi-population form strict equilibria are asymptotically
stable and interior equilibria of zero-sum games are centres (time averages converge, orbits cycle).

The discrete map x'_{i,a} = x_{i,a} (1 + η (d_i[a] - ⟨x_i, d_i⟩)) keeps the simplex exactly and is
the Euler step of the ODE (the "discrete replicator" / linear MWU of Hofbauer & Sigmund 1998, ch. 9).

Both run on the payoffs shifted per player and scaled to unit range, which for the ODE is only a
change of the time unit: ``step_size`` (the Euler step, or the time advanced per iteration by
the ODE solver) is in units of 1/payoff range.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool, check_choice, check_positive
from ..errors import InvalidParameterError, NotApplicableError, SolverError
from ..registry import register_method
from ._operators import NormalFormLearner, deviation_payoffs


class _ReplicatorBase(NormalFormLearner):
    def __init__(self, game: Any, *, symmetric: bool = False, init: Any = None, seed: int | None = None):
        self.symmetric = check_bool("symmetric", symmetric)
        super().__init__(game, init=init, seed=seed)
        if self.symmetric:
            u = self.u
            if game.num_players != 2 or u.shape[1] != u.shape[2] or not np.allclose(u[1], u[0].T):
                raise NotApplicableError(
                    "symmetric=True needs a symmetric two-player game (B = Aᵀ); use the multi-population "
                    "form (symmetric=False) otherwise"
                )
            if not np.allclose(self.x[0], self.x[1]):
                raise InvalidParameterError("symmetric=True needs the same initial strategy for both players")

    def _fitness(self, x: list[np.ndarray]) -> list[np.ndarray]:
        if self.symmetric:
            d = self.u[0] @ x[0]
            return [d, d]
        return deviation_payoffs(self.u, x)


class DiscreteReplicator(_ReplicatorBase):
    """Discrete-time replicator x' = x (1 + η (d - ⟨x, d⟩)) (Taylor & Jonker 1978; Hofbauer & Sigmund 1998).

    ``step_size`` η is in units of 1/payoff range (the payoffs are scaled to unit range) and must be
    < 1 so that shares stay positive; the default is 0.5. ``symmetric`` runs the single-population
    dynamics on a symmetric game.
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float | None = None, symmetric: bool = False,
                 init: Any = None, seed: int | None = None):
        self.step_size = 0.5 if step_size is None else check_positive("step_size", step_size)
        if self.step_size >= 1.0:
            raise InvalidParameterError(
                f"step_size {self.step_size} must be < 1 (in units of 1/payoff range) so that shares stay "
                "positive"
            )
        super().__init__(game, symmetric=symmetric, init=init, seed=seed)

    def _step(self) -> None:
        eta = self.step_size
        fit = self._fitness(self.x)
        self.x = [x * (1.0 + eta * (d - x @ d)) for x, d in zip(self.x, fit, strict=True)]
        self.x = [x / x.sum() for x in self.x]  # only rounding drift: the map preserves the sum
        self._accumulate(self.x)


class ReplicatorODE(_ReplicatorBase):
    """Continuous-time replicator dynamics (Taylor & Jonker 1978), integrated to tolerance ``rtol``.

    Each iteration advances time by ``step_size`` (in units of 1/payoff range: the payoffs are
    scaled to unit range). ``ode_method`` ``"LSODA"`` (the default) is ODEPACK's LSODA, driven
    through ``scipy.integrate.odeint`` (the whole step inside Fortran: the integrator nashpy uses);
    ``"RK45"``, ``"RK23"``, ``"DOP853"``, ``"Radau"`` and ``"BDF"`` go through
    ``scipy.integrate.solve_ivp``. ``symmetric`` integrates the one population of a symmetric game
    (half the state). The running average is the time average ∫x dt / t (trapezoidal per step).
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float = 0.1, rtol: float = 1e-8, ode_method: str = "LSODA",
                 symmetric: bool = False, init: Any = None, seed: int | None = None):
        self.step_size = check_positive("step_size", step_size)
        self.rtol = check_positive("rtol", rtol, maximum=0.1)
        self.ode_method = check_choice("ode_method", ode_method,
                                       ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"))
        super().__init__(game, symmetric=symmetric, init=init, seed=seed)
        self.time = 0.0
        self._splits = np.cumsum(self.num_actions)[:-1]

    def _rhs(self, z: np.ndarray, _t: float = 0.0) -> np.ndarray:
        if self.symmetric:  # z is the one population's shares
            d = self.u[0] @ z
            return z * (d - z @ d)
        x = np.split(z, self._splits)
        fit = self._fitness(x)
        return np.concatenate([xi * (d - xi @ d) for xi, d in zip(x, fit, strict=True)])

    def _integrate(self, z0: np.ndarray) -> np.ndarray:
        """The state after time ``step_size`` from ``z0``, to ``rtol`` (absolute tolerance rtol/100)."""
        if self.ode_method == "LSODA":
            from scipy.integrate import odeint  # lazy: keeps `import equilibria` free of scipy

            y, info = odeint(self._rhs, z0, (0.0, self.step_size), rtol=self.rtol, atol=self.rtol * 1e-2,
                             full_output=True)
            if info["message"] != "Integration successful.":
                raise SolverError(
                    f"the ODE solver failed: {info['message']}; try a smaller step_size or rtol"
                )
            return y[-1]
        from scipy.integrate import solve_ivp

        sol = solve_ivp(lambda t, z: self._rhs(z, t), (0.0, self.step_size), z0, method=self.ode_method,
                        rtol=self.rtol, atol=self.rtol * 1e-2, dense_output=False)
        if not sol.success:
            raise SolverError(f"the ODE solver failed: {sol.message}; try a smaller step_size or rtol")
        return sol.y[:, -1]

    def _step(self) -> None:
        z0 = self.x[0].copy() if self.symmetric else np.concatenate(self.x)
        z = np.maximum(self._integrate(z0), 0.0)
        if self.symmetric:
            x = z / z.sum()
            self.x = [x, x.copy()]
            starts = [z0, z0]
        else:
            self.x = [xi / xi.sum() for xi in np.split(z, self._splits)]
            starts = np.split(z0, self._splits)
        # trapezoidal time average of the trajectory's end points, weighted by dt
        self._accumulate([(a + b) / 2 for a, b in zip(starts, self.x, strict=True)], self.step_size)
        self.time += self.step_size


register_method("replicator", families=("normal_form",))(DiscreteReplicator)
register_method("replicator-ode", families=("normal_form",))(ReplicatorODE)
