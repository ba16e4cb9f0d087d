"""Fisher market equilibrium: Eisenberg-Gale against proportional response and tâtonnement.

Claims: the Eisenberg-Gale program's optimum is the market equilibrium (Eisenberg & Gale 1959);
proportional response converges to it, with the Shmyrev objective gap decreasing as O(1/t) for
linear utilities (Birnbaum, Devanur & Xiao, EC 2011) and linearly for CES substitutes (Zhang 2011);
tâtonnement converges for CES markets (Cheung, Cole & Devanur, STOC 2013). Measured: the money the
buyers waste (the metrics core's NashConv for markets) and the distance of the prices to the
Eisenberg-Gale prices along each run.

    python examples/market_fisher.py [--fast]
"""

from __future__ import annotations

import argparse

import numpy as np

import equilibria as eq


def price_errors(game, method: str, iterations: int, p_star: np.ndarray, every: int) -> tuple[list, list]:
    learner = eq.make_learner(game, method)
    its, errs = [], []
    for t in range(1, iterations + 1):
        learner.step()
        if t % every == 0:
            _, p = game.outcome(learner.current_strategy())
            its.append(t)
            errs.append(float(np.abs(p - p_star).max() / p_star.max()))
    return its, errs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fast", action="store_true", help="small markets and few iterations (seconds)")
    args = ap.parse_args()
    size = 8 if args.fast else 30
    iters = 400 if args.fast else 4000
    for spec in (f"market:linear(buyers={size}, goods={size // 2}, budgets='random', seed=1)",
                 f"market:ces(buyers={size}, goods={size // 2}, rho=0.5, budgets='random', seed=1)"):
        game = eq.load_game(spec)
        eg = eq.solve(game, "eisenberg-gale")[0]
        p_star = np.asarray(eg.info["prices"])
        print(f"{spec}: Eisenberg-Gale in {eg.seconds:.3f}s, money wasted {eg.nash_conv:.2e} "
              f"of a total budget {game.budgets.sum():.2f}")
        methods = ["proportional-response"] + ([] if game.is_linear else ["tatonnement"])
        for method in methods:
            sol = eq.solve(game, method, iterations=iters, eval_every=iters)[0]
            its, errs = price_errors(game, method, iters, p_star, max(1, iters // 20))
            tail = [(t, e) for t, e in zip(its, errs, strict=True) if e > 1e-13]
            if len(tail) >= 3:
                slope = float(np.polyfit(np.log([t for t, _ in tail]), np.log([e for _, e in tail]), 1)[0])
                rate = f"log-log slope of the price error {slope:.2f}"
            else:
                rate = "price error at machine precision within the first evaluations"
            print(f"  claimed: {method} converges to the Eisenberg-Gale equilibrium; measured: "
                  f"money wasted {sol.nash_conv:.2e}, relative price error {errs[-1]:.2e} after {iters} "
                  f"iterations ({rate})")


if __name__ == "__main__":
    main()
