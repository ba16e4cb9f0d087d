"""Auction learning: wall time of smoothed-gradient (first order) against npga (zeroth order) to reach ε.

Both methods run on the same game, in the same process, from truthful bids with seed 0; ε is the
NashConv (sum over bidders of the ex-ante best-response gain, `metrics.auction`), evaluated every
``--eval-every`` iterations on the returned (tail-averaged) iterate. Printed: for each target ε, the
step time each method needed to first reach it and the ratio npga / smoothed-gradient; a target a
method does not reach within ``--iterations`` is reported as such (no ratio is invented). Also the
cost of one ε evaluation against the grid size and the number of bidders.

    python bench/bench_auction.py [--iterations 1500] [--bidders 3] [--skip-metric]
"""

from __future__ import annotations

import argparse
import time

import equilibria as eq
from equilibria.metrics import nash_conv


def time_to(trace, eps: float) -> float | None:
    for t, nc in zip(trace.seconds, trace.nash_conv, strict=True):
        if nc <= eps:
            return t
    return None


def bench_learning(bidders: int, iterations: int, eval_every: int) -> None:
    game = eq.load_game(f"auction:first_price(bidders={bidders})")
    print(f"first price, {bidders} bidders, U[0, 1]; {iterations} iterations, ε every {eval_every}")
    traces = {}
    for method in ("smoothed-gradient", "npga"):
        t0 = time.perf_counter()
        sol = eq.solve(game, method, iterations=iterations, seed=0, eval_every=eval_every)[0]
        traces[method] = sol.info["trace"]
        dist = sol.info["distance_to_bne"]
        print(f"  {method:18s} final ε {sol.nash_conv:.3e}, distance to BNE {dist:.4f}, "
              f"step time {sol.seconds:.1f} s (with evaluations {time.perf_counter() - t0:.1f} s)")
    both = None  # the tightest target both methods reach
    for eps in (5e-2, 2e-2, 1e-2, 5e-3, 3e-3, 2e-3, 1.5e-3, 1e-3):
        a, b = time_to(traces["smoothed-gradient"], eps), time_to(traces["npga"], eps)
        fa = "not reached" if a is None else f"{a:6.2f} s"
        fb = "not reached" if b is None else f"{b:6.2f} s"
        ratio = f"ratio npga/smoothed-gradient {b / a:5.1f}x" if a and b else "no ratio"
        print(f"  ε <= {eps:<6g} smoothed-gradient {fa:>11s}   npga {fb:>11s}   {ratio}")
        if a and b:
            both = (eps, a, b)
    a = time_to(traces["smoothed-gradient"], 1e-3)
    b = time_to(traces["npga"], 1e-3)
    if a and b:
        print(f"  time to ε <= 1e-3: ratio npga/smoothed-gradient {b / a:.1f}x")
    else:
        fa = "not reached" if a is None else f"{a:.2f} s"
        fb = "not reached" if b is None else f"{b:.2f} s"
        print(f"  time to ε <= 1e-3: smoothed-gradient {fa}, npga {fb} within {iterations} iterations: "
              "no ratio at 1e-3")
        if both:
            eps, ta, tb = both
            print(f"  tightest ε both reach: {eps:g}: ratio npga/smoothed-gradient {tb / ta:.1f}x")
        else:
            print("  no ε target in the list is reached by both methods")


def bench_metric() -> None:
    """Cost of one ε evaluation against bidders n, bid-grid points M, own-value cells Q and the bid
    function's grid G (expected O(n Q M) for the arg-max, O(n² (M + Q) log G) for the CDFs)."""
    print("one ε evaluation (NashConv at the equilibrium), seconds, best of 3")
    for bidders in (2, 4, 8):
        for bid_points, value_points in ((501, 250), (1001, 500), (2001, 1000)):
            game = eq.load_game(f"auction:first_price(bidders={bidders}, bid_points={bid_points}, "
                                f"value_points={value_points})")
            best = min(_timed(game) for _ in range(3))
            print(f"  bidders {bidders}  bid points {bid_points:5d}  value points {value_points:5d}: "
                  f"{best:.4f} s")
    for grid in (65, 257, 1025):
        game = eq.load_game(f"auction:first_price(bidders=3, grid={grid})")
        best = min(_timed(game) for _ in range(3))
        print(f"  bidders 3  grid {grid:5d} (bid points 1001, value points 500): {best:.4f} s")


def _timed(game) -> float:
    profile = game.equilibrium()
    t0 = time.perf_counter()
    nash_conv(game, profile)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=1500)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--bidders", type=int, default=3)
    ap.add_argument("--skip-metric", action="store_true", help="only the learning comparison")
    args = ap.parse_args()
    bench_learning(args.bidders, args.iterations, args.eval_every)
    if not args.skip_metric:
        bench_metric()


if __name__ == "__main__":
    main()
