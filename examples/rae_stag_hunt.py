"""Risk-Averse Equilibrium against Nash on the stag hunt (trust dilemma).

Claim (Slumbers et al., "A Game-Theoretic Framework for Managing Risk in Multi-Agent Systems",
ICML 2023): RAE generalises to the risk-dominant Nash equilibrium in the trust dilemma, whereas
Nash equilibrium solvers return every equilibrium, payoff-dominant ones included.

The risk-dominant equilibrium is computed independently by Harsanyi & Selten's criterion (larger
product of deviation losses). A sweep over the risk aversion r shows where (Stag, Stag) stops being
an RAE; by hand (see tests/test_rae.py) that happens at r = 1/2 for the default payoffs.

    python examples/rae_stag_hunt.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.solvers.rae import payoff_covariances, rae_gap


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="a shorter risk-aversion sweep")
    args = ap.parse_args()
    game = eq.load_game("stag_hunt")
    A = game.payoffs[0]
    labels = game.action_labels[0]
    covs = payoff_covariances(game)
    print("stag hunt, row payoffs", A.tolist())
    print("\nNash equilibria (vertex enumeration):")
    for s in eq.solve(game, "vertex-enumeration"):
        prof = [np.asarray(p, dtype=float) for p in s.strategies]
        var = sum(float(p @ c @ p) for p, c in zip(prof, covs, strict=True))
        print(f"  {[np.round(np.asarray(p, dtype=float), 4).tolist() for p in s.strategies]} "
              f"payoffs {np.round(np.asarray(s.payoffs, dtype=float), 3).tolist()} "
              f"potential variance {var:.3f}")
    loss_ss = (A[0, 0] - A[1, 0]) ** 2
    loss_hh = (A[1, 1] - A[0, 1]) ** 2
    rd = labels[0] if loss_ss > loss_hh else labels[1]
    print(f"\nrisk-dominant (Harsanyi & Selten): {rd}  (deviation-loss products {loss_ss:g} vs {loss_hh:g})")
    sol = eq.solve(game, "rae", seed=0)[0]
    pick = [labels[int(np.argmax(p))] for p in sol.strategies]
    print(f"RAE (risk aversion 1):             {pick}  strategies "
          f"{[np.round(p, 6).tolist() for p in sol.strategies]}, NashConv {sol.nash_conv:.1e}")
    print(f"claimed: RAE selects the risk-dominant equilibrium ({rd}, {rd}) | measured: RAE plays {pick}, "
          f"probability of {rd} {min(float(p[labels.index(rd)]) for p in sol.strategies):.6f}")
    print("\nrisk aversion r: is (Stag, Stag) an RAE?  (by hand: yes iff r <= 1/2)")
    stag = [np.array([1.0, 0.0])] * 2
    for r in (0.0, 0.5, 0.51) if args.fast else (0.0, 0.25, 0.5, 0.51, 1.0, 2.0):
        gap = rae_gap(game, stag, risk_aversion=r)
        verdict = "RAE" if gap < 1e-12 else "not an RAE"
        print(f"  r = {r:4.2f}: RAE gap of (Stag, Stag) = {gap:.4f} -> {verdict}")


if __name__ == "__main__":
    main()
