"""`equilibria demo`: the showcase run by ``make demo``.

It solves a few classic games exactly, runs CFR+ on Kuhn and Leduc poker to NashConv below 1e-3,
prints tables, and writes a log-log plot of NashConv against iterations for CFR, CFR+, DCFR and
PCFR+ on Leduc.
"""

from __future__ import annotations

import time

from ._numbers import format_array, format_number

CLASSIC = [
    ("matching_pennies", "lp", True),
    ("rock_paper_scissors", "lp", True),
    ("prisoners_dilemma", "vertex-enumeration", True),
    ("stag_hunt", "vertex-enumeration", True),
    ("battle_of_the_sexes", "vertex-enumeration", True),
    ("chicken", "lemke-howson", True),
    ("three_player_matching_pennies", "logit-qre-path", False),
]


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in out)


def run_demo(plot: str | None = "equilibria-demo.png", quick: bool = False) -> int:
    from .api import load_game, solve
    from .plotting import plot_nash_conv

    print("equilibria demo\n")
    print("1. Classic games, solved exactly (NashConv is checked by the shared metrics core)\n")
    rows = []
    for name, method, exact in CLASSIC:
        game = load_game(name)
        t0 = time.perf_counter()
        sols = solve(game, method, exact=exact)
        secs = time.perf_counter() - t0
        first = sols[0]
        strat = "; ".join(
            "(" + ", ".join(str(x) for x in format_array(s, first.exact)) + ")" for s in first.strategies
        )
        rows.append(
            [
                name,
                method,
                str(len(sols)),
                strat,
                str(format_number(first.nash_conv, first.exact)),
                f"{secs * 1e3:.1f} ms",
            ]
        )
    # flushed, so that `make demo | tee` shows the table as soon as it exists
    print(_table(rows, ["game", "method", "#eq", "first equilibrium", "NashConv", "time"]), flush=True)

    print("\n2. CFR+ on poker, run until NashConv < 1e-3\n", flush=True)
    rows = []
    for name in ("kuhn_poker", "leduc_poker"):
        game = load_game(name)
        t0 = time.perf_counter()
        sol = solve(game, "cfr+", iterations=20000, tol=1e-3, eval_every=10)[0]
        secs = time.perf_counter() - t0
        rows.append(
            [
                name,
                str(sol.iterations),
                f"{float(sol.nash_conv):.2e}",
                f"{float(sol.payoffs[0]):+.4f}",
                f"{secs:.2f} s",
            ]
        )
    print(_table(rows, ["game", "iterations", "NashConv", "value (player 1)", "time"]), flush=True)

    if plot:
        iters = 200 if quick else 1000
        traces = {}
        leduc = load_game("leduc_poker")
        for method in ("cfr", "cfr+", "dcfr", "pcfr+"):
            sol = solve(leduc, method, iterations=iters, eval_every=max(1, iters // 100))[0]
            traces[method] = sol.info["trace"]
        plot_nash_conv(
            traces, plot, title=f"Leduc poker: NashConv of the average policy ({iters} iterations)"
        )
        print(f"\n3. Wrote {plot}: NashConv against iterations for {', '.join(traces)} on Leduc poker")
    return 0
