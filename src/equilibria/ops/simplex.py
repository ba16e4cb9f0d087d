"""Euclidean projection onto the probability simplex: the one implementation in the library."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError


def project_simplex(v: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Project onto ``{x : x ≥ floor, Σ x = 1}`` along the last axis (a batch of rows works too).

    The sort-based algorithm of Held, Wolfe & Crowder (1974), in the form of Duchi, Shalev-Shwartz,
    Singer & Chandra, "Efficient Projections onto the l1-Ball for Learning in High Dimensions",
    ICML 2008: find the threshold θ with Σ_a max(v_a − θ, 0) = 1 − k·floor.

    1. Shift by the floor, so the problem is a projection onto the simplex of mass ``1 − k·floor``.
    2. Sort each row in decreasing order and take running sums.
    3. ``ρ`` is the last index where ``u_ρ − (Σ_{a≤ρ} u_a − mass)/(ρ+1) > 0``; θ follows from it.
    4. Clip ``v − θ`` at zero and add the floor back.
    """
    v = np.asarray(v, dtype=float)
    k = v.shape[-1]
    if k == 0:
        raise InvalidParameterError("cannot project onto the simplex of zero actions")
    if not 0.0 <= floor * k <= 1.0:
        raise InvalidParameterError(
            f"floor {floor} is infeasible for {k} actions (needs 0 <= floor <= 1/{k})"
        )
    z = v - floor if floor else v
    mass = 1.0 - floor * k
    u = -np.sort(-z, axis=-1)
    css = np.cumsum(u, axis=-1) - mass
    idx = np.arange(1, k + 1)
    cond = u - css / idx > 0
    rho = k - 1 - np.argmax(cond[..., ::-1], axis=-1)
    theta = np.take_along_axis(css, rho[..., None], axis=-1) / (rho[..., None] + 1.0)
    out = np.maximum(z - theta, 0.0)
    return out + floor if floor else out
