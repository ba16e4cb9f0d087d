"""Mechanism design without and with money: facility location on [0, 1], and position auctions.

`equilibria.mechanisms.uniform_phantom(reports)` is the Uniform Phantom mechanism (Aziz, Lam, Lee &
Walsh, "Strategyproof and Proportionally Fair Facility Location", WINE 2022); the checkers in
`equilibria.mechanisms.facility` search grids of profiles and misreports for violations.
`equilibria.mechanisms.position` holds position auctions with a click-through rate per (ad,
position) pair (Balseiro et al., "Position auctions in AI-generated content", 2025): VCG, GSP, the
multinomial-logit and cascade user models (exact optima, a cascade approximation), an exhaustive
vectorised enumeration for small instances, and a misreport search.
"""

from __future__ import annotations

from . import position
from .facility import (
    AxiomViolation,
    Manipulation,
    WorstCase,
    best_response_dynamics,
    find_axiom_violation,
    find_manipulation,
    mean,
    median,
    midpoint,
    phantom_median,
    profile_grid,
    ufs_mixture,
    uniform_phantom,
    worst_case_ratio,
)

__all__ = [
    "AxiomViolation",
    "Manipulation",
    "WorstCase",
    "best_response_dynamics",
    "find_axiom_violation",
    "find_manipulation",
    "mean",
    "median",
    "midpoint",
    "phantom_median",
    "position",
    "profile_grid",
    "ufs_mixture",
    "uniform_phantom",
    "worst_case_ratio",
]
