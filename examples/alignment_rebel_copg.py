"""REBEL and contrastive policy gradient (CoPG) on an intransitive (cyclic) preference game.

Claims:
- Gao et al., "REBEL: Reinforcement Learning via Regressing Relative Rewards" (NeurIPS 2024): with
  general preferences REBEL is a no-regret (mirror-descent) self-play method, so its average policy
  approaches a minimax winner at rate O(1/√T) (step η ∝ 1/√T): as Hedge on gains in [0, 1], its
  exploitability is at most (ln K/η + ηT/8)/T; its regression from sampled pairs estimates that step.
- Flet-Berliac et al., "Contrastive Policy Gradient" (2024): from a fixed behaviour policy μ the CoPG
  optimum is π ∝ π_ref exp(R/β) (here R = P(·≻μ)): the IPO optimum for μ = π_ref; with self-play
  (μ = π_t) the fixed point is the regularised Nash equilibrium π*_β.

    python examples/alignment_rebel_copg.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq
from equilibria.metrics.preference import unregularised_exploitability
from equilibria.solvers.preference import ipo_policy

SPEC = "preference:cyclic(k=5, contexts=3, beta=0.05, seed=0)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="shorter runs")
    args = ap.parse_args()
    game = eq.load_game(SPEC)
    Ts = [30, 100, 300] if args.fast else [30, 100, 300, 1000, 3000]
    print(f"REBEL on {SPEC} (β ignored): exploitability max_π' P(π' ≻ π̄_T) − 1/2 of the average policy")
    print(f"{'T':>6s} {'η':>7s} {'bound':>9s} {'exact':>10s} {'sampled (batch 256)':>20s}")
    rates, bounds = [], []
    for T in Ts:
        eta = 1.0 / np.sqrt(T)
        [ex] = eq.solve(game, "rebel", iterations=T, step_size=eta, eval_every=T)
        [sa] = eq.solve(game, "rebel", iterations=T, step_size=eta, mode="sampled", batch=256, seed=0,
                        eval_every=T)
        e = unregularised_exploitability(game, ex.strategies)
        s = unregularised_exploitability(game, sa.strategies)
        bound = (np.log(game.num_responses) / eta + eta * T / 8) / T
        rates.append(e)
        bounds.append(bound)
        print(f"{T:6d} {eta:7.4f} {bound:9.2e} {e:10.2e} {s:20.2e}")
    slope = np.polyfit(np.log(Ts), np.log(rates), 1)[0]
    print(f"claimed: exploitability of the average <= (ln K/η + ηT/8)/T = {bounds[-1]:.2e} at T = {Ts[-1]}; "
          f"measured: {rates[-1]:.2e} (log-log slope {slope:.2f}: well inside the O(1/√T) bound)")

    print(f"\nCoPG on {SPEC}")
    iters = 1000 if args.fast else 5000
    [ref_run] = eq.solve(game, "copg", behaviour="reference", iterations=iters, eval_every=iters)
    gap_ipo = float(np.max(np.abs(ref_run.strategies - ipo_policy(game, pairs="reference"))))
    print(f"claimed: with μ = π_ref CoPG finds the IPO optimum; measured: max |π − π_IPO| = {gap_ipo:.2e}")
    [self_run] = eq.solve(game, "copg", iterations=iters, eval_every=iters)
    gap_nash = float(np.max(np.abs(self_run.strategies - game.regularised_equilibrium)))
    print(f"claimed: with self-play (μ = π_t) its fixed point is π*_β; measured: max |π − π*_β| = "
          f"{gap_nash:.2e}, exploitability {unregularised_exploitability(game, self_run.strategies):.3e} "
          f"(IPO optimum: {unregularised_exploitability(game, ipo_policy(game, pairs='reference')):.3e})")


if __name__ == "__main__":
    main()
