"""The synthetic two-group closed-loop lending benchmark (family ``fair_threshold``).

Our construction of the synthetic closed-loop benchmark of Du, "Optimistic Feasible Search for
Closed-Loop Fair Threshold Decision-Making", arXiv:2512.22313 (2025), from its public description:
score bins 0..S−1, group score distributions discretised normals (group B shifted down by
``group_gap`` bins: the disadvantaged group), repayment probability rising linearly with the score,
a contraction on the group-B share of applicants (see `equilibria.games.fair_lending`).
"""

from __future__ import annotations

import numpy as np

from ..._checks import check_int, check_probability, check_real
from ...registry import register_game
from ..fair_lending import FairLendingGame


@register_game("fair:lending", family="fair_threshold")
def lending(num_scores: int = 10, group_gap: float = 2.0, dp_tolerance: float = 0.05,
            min_service: float | None = None, loss: float = 1.0, feedback: float = 0.5, mixing: float = 0.05,
            batch: int = 100) -> FairLendingGame:
    """Two-group lending with a threshold policy under demographic parity (and optionally a service
    rate), with closed-loop feedback on who applies (Du 2025, synthetic benchmark, our construction).

    Scores 0..S−1 (S = ``num_scores``); group A ~ N(0.6 S, (0.2 S)²), group B ~ N(0.6 S − group_gap,
    (0.2 S)²), both discretised to the bins; repay probability 0.2 → 0.95 linearly in the score; an
    accepted default costs ``loss``. DP: |a_A − a_B| ≤ ``dp_tolerance``; service: overall acceptance
    ≥ ``min_service`` (None: no service constraint). Share of group B: base 0.5, moved by
    ``feedback`` · (a_B − a_A) with step ``mixing`` per round, clipped to [0.1, 0.9]; ``batch``
    applicants per round.
    """
    S = check_int("num_scores", num_scores, minimum=2, maximum=1000)
    gap = check_real("group_gap", group_gap, minimum=0.0, maximum=float(S))
    tol = check_probability("dp_tolerance", dp_tolerance)
    service = None if min_service is None else check_probability("min_service", min_service)
    loss = check_real("loss", loss, minimum=0.0, maximum=1e6)
    feedback = check_real("feedback", feedback, minimum=0.0, maximum=10.0)
    mixing = check_probability("mixing", mixing, open_low=True)
    batch = check_int("batch", batch, minimum=1, maximum=10**6)
    s = np.arange(S)
    dists = []
    for mean in (0.6 * S, 0.6 * S - gap):
        w = np.exp(-0.5 * ((s - mean) / (0.2 * S)) ** 2)
        dists.append(w / w.sum())
    repay = np.linspace(0.2, 0.95, S)
    svc = "" if service is None else f", min_service={service:g}"
    return FairLendingGame(
        np.array(dists), repay, loss=loss, dp_tolerance=tol, min_service=service, feedback=feedback,
        mixing=mixing, batch=batch,
        title=f"fair:lending(num_scores={S}, group_gap={gap:g}, dp_tolerance={tol:g}{svc})",
    )
