"""The sequence-form LP against its peers: pygambit ``lp_solve`` and OpenSpiel ``sequence_form_lp``.

For Kuhn and Leduc poker (loaded from OpenSpiel, compiled once outside the timings):

- ours, ``sequence-form-lp`` float and ``exact=True`` (rational, verified NashConv 0);
- pygambit ``lp_solve(rational=False)`` and ``lp_solve(rational=True)`` on the same tree, read from
  the .efg that our `equilibria.io.efg.write_efg` writes (read once, outside the timings);
- OpenSpiel's ``open_spiel.python.algorithms.sequence_form_lp.solve_zero_sum_game`` (it needs
  cvxpy with the ECOS solver: ``pip install cvxpy ecos``; reported as "not runnable" without them).

Each side is warmed up by one call, then timed ``--repeats`` times; the median is printed with the
ratio peer/ours (> 1: ours is faster) and the game value each side found. A call whose warm-up
already takes longer than ``--slow`` seconds is timed once (that first call is the figure). The peers
run in a child process killed after ``--timeout`` seconds; the figure is then "> timeout" and the
ratio a lower bound. (gambit's ``lp_solve`` on Leduc ran for more than 15 minutes without finishing
on the 2-core development machine.)

How the costs grow: ours is one sparse LP with (|Σ1| + |I2| + 1) columns and (|Σ2| + |I1| + 1) rows,
solved by HiGHS's dual simplex (player 2's plan read off the duals), plus, in exact mode, a sparse
rational solve of the tight system at the vertex (its cost set by fill-in and by the size of the
rationals; Markowitz ordering keeps the fill-in small on poker trees) and an exact NashConv check,
one pass over the tree. gambit builds the sequence-form LP and solves it with its own C++ simplex
on a dense tableau (its work per pivot grows with the square of the number of sequences), in
rationals for ``rational=True``. OpenSpiel builds the LP through cvxpy
(a Python loop over the tree plus cvxpy's canonicalisation) and solves it by an interior-point method.

    .venv/bin/python bench/bench_sequence_form.py [--games kuhn_poker leduc_poker] [--repeats 5]
        [--timeout 300] [--no-exact]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any


def timed(fn: Callable[[], Any], repeats: int, slow: float) -> tuple[Any, float]:
    """The result and the median wall time of ``repeats`` calls after one warm-up call."""
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    if first > slow:
        return out, first
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def peer_main(args: argparse.Namespace) -> None:
    """Child process: time one peer on one game and print ``{"time": s, "value": str}`` as JSON."""
    if args.peer in ("gambit", "gambit-rational"):
        import pygambit as gbt

        gg = gbt.read_efg(args.efg)
        rational = args.peer == "gambit-rational"
        res, t = timed(lambda: gbt.nash.lp_solve(gg, rational=rational), args.repeats, args.slow)
        value = res.equilibria[0].payoff(list(gg.players)[0])
    else:
        import pyspiel
        from open_spiel.python.algorithms import sequence_form_lp as sflp

        game = pyspiel.load_game(args.game)
        res, t = timed(lambda: sflp.solve_zero_sum_game(game), args.repeats, args.slow)
        value = res[0]
    print(json.dumps({"time": t, "value": str(value)}))


def run_peer(peer: str, game: str, efg: str, args: argparse.Namespace) -> tuple[float | None, str]:
    """``(seconds, value)`` of a peer in a child process; ``(None, reason)`` past the timeout or on error."""
    cmd = [sys.executable, __file__, "--peer", peer, "--game", game, "--efg", efg,
           "--repeats", str(args.repeats), "--slow", str(args.slow)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, f"> {args.timeout:g} s"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["failed"])[-1]
        return None, f"not runnable ({last[:80]})"
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return float(data["time"]), data["value"]


def fmt_ratio(peer: float | None, peer_note: str, ours: float, timeout: float) -> str:
    if peer is not None:
        return f"{peer / ours:.2f}"
    return f"> {timeout / ours:.1f}" if peer_note.startswith(">") else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", nargs="+", default=["kuhn_poker", "leduc_poker"])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--slow", type=float, default=10.0)
    ap.add_argument("--no-exact", action="store_true", help="skip both sides' rational solves")
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--game", help=argparse.SUPPRESS)
    ap.add_argument("--efg", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer:
        peer_main(args)
        return

    from equilibria.io.efg import write_efg
    from equilibria.io.openspiel import from_pyspiel
    from equilibria.solvers.sequence_form import sequence_form_lp

    print(f"{'game':<12} {'mode':<9} {'peer':<26} {'ours ms':>10} {'peer ms':>12} {'peer/ours':>10} "
          f"{'our value':>22} {'peer value':>22}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.games:
            game = from_pyspiel(name)
            _ = game.sequence_form  # compiled once, outside the timings, as the peers' trees are
            efg = os.path.join(tmp, f"{name}.efg")
            write_efg(game, efg)
            rows = [("float", False, "gambit", "gambit lp_solve float"),
                    ("float", False, "openspiel", "openspiel sequence_form_lp")]
            if not args.no_exact:
                rows.append(("exact", True, "gambit-rational", "gambit lp_solve rational"))
            ours: dict[bool, tuple[float, Any]] = {}
            for mode, exact, peer, label in rows:
                if exact not in ours:
                    sol, t = timed(lambda g=game, ex=exact: sequence_form_lp(g, exact=ex)[0], args.repeats,
                                   args.slow)
                    ours[exact] = (t, sol.info["value"])
                t_ours, v_ours = ours[exact]
                t_peer, v_peer = run_peer(peer, name, efg, args)
                peer_ms = f"{t_peer * 1e3:.1f}" if t_peer is not None else v_peer.split(" (")[0]
                shown_peer = v_peer if t_peer is not None else "-"
                shown_ours = str(v_ours) if isinstance(v_ours, Fraction) else f"{v_ours:.12f}"
                print(f"{name:<12} {mode:<9} {label:<26} {t_ours * 1e3:>10.1f} {peer_ms:>12} "
                      f"{fmt_ratio(t_peer, v_peer, t_ours, args.timeout):>10} {shown_ours[:22]:>22} "
                      f"{shown_peer[:22]:>22}", flush=True)
                if t_peer is None and not v_peer.startswith(">"):
                    print(f"  {label}: {v_peer}")


if __name__ == "__main__":
    main()
