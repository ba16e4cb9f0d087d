"""Replicator dynamics, in discrete time and in continuous time (through ``scipy.integrate.solve_ivp``).

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
from scipy.integrate import solve_ivp

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
    """Continuous-time replicator dynamics (Taylor & Jonker 1978), integrated with ``solve_ivp``.

    Each iteration advances time by ``step_size`` (in units of 1/payoff range: the payoffs are
    scaled to unit range) with an adaptive Runge-Kutta method (``ode_method``, DOP853 by default) to
    tolerance ``rtol``. The running average is the time average ∫x dt / t.
    """

    default_output = "last"

    def __init__(self, game: Any, *, step_size: float = 0.1, rtol: float = 1e-8, ode_method: str = "DOP853",
                 symmetric: bool = False, init: Any = None, seed: int | None = None):
        self.step_size = check_positive("step_size", step_size)
        self.rtol = check_positive("rtol", rtol, maximum=0.1)
        self.ode_method = check_choice("ode_method", ode_method,
                                       ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"))
        super().__init__(game, symmetric=symmetric, init=init, seed=seed)
        self.time = 0.0
        self._splits = np.cumsum(self.num_actions)[:-1]

    def _rhs(self, _t: float, z: np.ndarray) -> np.ndarray:
        x = np.split(z, self._splits)
        fit = self._fitness(x)
        return np.concatenate([xi * (d - xi @ d) for xi, d in zip(x, fit, strict=True)])

    def _step(self) -> None:
        z0 = np.concatenate(self.x)
        sol = solve_ivp(self._rhs, (0.0, self.step_size), z0, method=self.ode_method, rtol=self.rtol,
                        atol=self.rtol * 1e-2, dense_output=False)
        if not sol.success:
            raise SolverError(f"the ODE solver failed: {sol.message}; try a smaller step_size or rtol")
        z = np.maximum(sol.y[:, -1], 0.0)
        self.x = [xi / xi.sum() for xi in np.split(z, self._splits)]
        # trapezoidal time average of the trajectory's end points, weighted by dt
        ends = zip(np.split(z0, self._splits), self.x, strict=True)
        self._accumulate([(a + b) / 2 for a, b in ends], self.step_size)
        self.time += self.step_size


register_method("replicator", families=("normal_form",))(DiscreteReplicator)
register_method("replicator-ode", families=("normal_form",))(ReplicatorODE)
