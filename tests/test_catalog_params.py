"""Every catalog factory parameter, given odd values, builds a valid game or raises `EquilibriaError`.

Regression for issue 9 §5: fuzzing every factory parameter with 14 odd values gave 427 tracebacks at
97 code locations, 24 MemoryErrors and 7 hangs (``centipede(rounds=1000)`` hit the recursion
limit, ``goofspiel(num_cards=7)`` grew past 3 GB, ``random_uniform(rows=100000, cols=100000)``
tried to allocate 149 GiB, ...). Each case must, within a few seconds, either

* build a game whose uniform profile has a finite NashConv, or
* raise an `EquilibriaError` (a `SizeLimitError` for sizes above the limit, found from the
  parameters before anything is allocated).

The cases run in one forked worker process with a memory cap; the parent enforces a per-case time
limit and restarts the worker after a hang or a crash, so one bad case cannot stall the suite.
Run ``python tests/test_catalog_params.py`` for the full report (counts per outcome and location).
"""

from __future__ import annotations

import inspect
import math
import os
import pickle
import resource
import select
import signal
import sys
import time
import traceback
from collections import Counter
from typing import Any

import pytest

from equilibria import registry
from equilibria.errors import EquilibriaError, SizeLimitError

#: the odd values of the issue's fuzz
ODD_VALUES: list[Any] = [0, -1, 1.5, math.nan, math.inf, -math.inf, True, "abc", None, [1], {"a": 1},
                         10**12, 10**100, 1e308]

#: games whose defaults take seconds to build are fuzzed around a smaller base (only the fuzzed
#: parameter changes), so each case fits the per-case time limit on a loaded machine
BASE: dict[str, dict[str, Any]] = {
    "liars_dice": {"faces": 2},
    "grid_soccer": {"rows": 2, "cols": 3},
    "pursuit_evasion": {"size": 2},
    "goofspiel": {"num_cards": 3},
}

CASE_SECONDS = 5.0
MEMORY_CAP = 3 * 2**30  # bytes of address space on top of the worker's at start


def cases() -> list[tuple[str, str, Any]]:
    out = []
    for entry in registry.GAMES:
        for param in inspect.signature(entry.factory).parameters:
            for value in ODD_VALUES:
                out.append((entry.name, param, value))
    return out


def _where(exc: BaseException) -> str:
    """The innermost frame of the traceback inside equilibria (else the innermost one)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "equilibria" in f.filename]
    f = (ours or frames)[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno}"


def run_case(name: str, param: str, value: Any) -> tuple[str, str]:
    """(outcome, detail): outcome is ``ok``, ``error`` or a failure kind."""
    from equilibria.metrics import nash_conv

    kwargs = dict(BASE.get(name, {}))
    kwargs[param] = value
    factory = registry.GAMES.get(name).factory
    try:
        game = factory(**kwargs)
    except SizeLimitError as exc:
        return "error", f"SizeLimitError: {exc}"
    except EquilibriaError as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    except MemoryError as exc:
        return "memory", _where(exc)
    except RecursionError as exc:
        return "traceback", f"RecursionError@{_where(exc)}"
    except Exception as exc:
        return "traceback", f"{type(exc).__name__}@{_where(exc)}: {str(exc)[:80]}"
    try:
        nc = float(nash_conv(game, game.uniform_profile()))
    except MemoryError as exc:
        return "memory", "nash_conv " + _where(exc)
    except Exception as exc:
        return "nashconv", f"{type(exc).__name__}@{_where(exc)}: {str(exc)[:80]}"
    if not math.isfinite(nc):
        return "nashconv", f"NashConv {nc}"
    return "ok", f"NashConv {nc:.4g}"


class _Timeout(Exception):
    pass


def _worker(todo: list[tuple[str, str, Any]], start: int, wfd: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        vsize = int(f.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (vsize + MEMORY_CAP, hard))

    def alarm(*_: Any) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, alarm)
    out = os.fdopen(wfd, "wb", buffering=0)
    for i in range(start, len(todo)):
        out.write(pickle.dumps(("start", i)))
        signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
        try:
            res = run_case(*todo[i])
        except _Timeout:
            res = ("hang", "timed out")
        except BaseException as exc:  # pragma: no cover - reported, never raised
            res = ("traceback", f"{type(exc).__name__}@{_where(exc)}")
        signal.setitimer(signal.ITIMER_REAL, 0)
        out.write(pickle.dumps(("done", i, res)))
    out.close()
    os._exit(0)


def fuzz(todo: list[tuple[str, str, Any]]) -> list[tuple[str, str]]:
    """Run every case in forked workers; a worker that hangs in C code or dies is replaced."""
    results: list[tuple[str, str] | None] = [None] * len(todo)
    start = 0
    while start < len(todo):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(rfd)
            try:
                _worker(todo, start, wfd)
            finally:
                os._exit(1)
        os.close(wfd)
        reader = os.fdopen(rfd, "rb")
        unpickler = pickle.Unpickler(reader)
        current, began = start, time.monotonic()
        while True:
            ready, _, _ = select.select([reader], [], [], 0.5)
            if not ready and time.monotonic() - began > CASE_SECONDS + 10:
                os.kill(pid, signal.SIGKILL)
                results[current] = ("hang", "killed (stuck outside Python)")
                break
            if not ready:
                continue
            try:
                msg = unpickler.load()
            except EOFError:
                if current < len(todo) and results[current] is None:
                    results[current] = ("crash", "worker died (out of memory?)")
                break
            if msg[0] == "start":
                current, began = msg[1], time.monotonic()
            else:
                results[msg[1]] = msg[2]
                current = msg[1] + 1
        reader.close()
        os.waitpid(pid, 0)
        start = next((i for i, r in enumerate(results) if r is None), len(todo))
    return [r if r is not None else ("crash", "not run") for r in results]


def report(todo: list[tuple[str, str, Any]], results: list[tuple[str, str]]) -> str:
    counts = Counter(r[0] for r in results)
    lines = [f"{len(todo)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))]
    locs = Counter(r[1].split(":")[0] + ":" + r[1].split(":")[1].split()[0]
                   for r in results if r[0] == "traceback" and ":" in r[1])
    lines.append(f"traceback locations: {len(locs)}")
    for (name, param, value), (outcome, detail) in zip(todo, results, strict=True):
        if outcome not in ("ok", "error"):
            lines.append(f"  {outcome:9} {name}({param}={value!r}): {detail}")
    return "\n".join(lines)


def test_every_factory_parameter_builds_or_refuses() -> None:
    """Defect pinned: tracebacks, MemoryErrors and hangs from odd factory parameters (issue 9 §5)."""
    todo = cases()
    assert len(todo) > 14 * 50  # every registered game and parameter is covered
    results = fuzz(todo)
    bad = [(c, r) for c, r in zip(todo, results, strict=True) if r[0] not in ("ok", "error")]
    assert not bad, report(todo, results)
    # the fuzz is not vacuous: some odd values are valid (1.5 as a payoff, 0 as a seed), most are not
    outcomes = Counter(r[0] for r in results)
    assert outcomes["ok"] > 20 and outcomes["error"] > 500


@pytest.mark.parametrize(
    ("spec", "kwargs"),
    [
        ("goofspiel", {"num_cards": 7}),
        ("random_uniform", {"rows": 100000, "cols": 100000}),
        ("pure_coordination", {"actions": 20000}),
        ("preference:cyclic", {"k": 10**6}),
        ("bilinear", {"dim": 10**6}),
        ("grid_soccer", {"rows": 1000, "cols": 1000}),
        ("liars_dice", {"faces": 12}),
        ("kuhn_poker", {"players": 12}),
        ("colonel_blotto", {"soldiers": 10**6}),
        ("random_markov_game", {"num_states": 10**5}),
    ],
)
def test_issue_examples_refused_before_allocating(spec: str, kwargs: dict[str, Any]) -> None:
    """Defect pinned: these grew past the machine's memory or tried to allocate 149 GiB (issue 9 §5);
    the estimate from the parameters refuses them at once with a SizeLimitError naming the game."""
    t0 = time.perf_counter()
    with pytest.raises(SizeLimitError, match=r"--max-size") as info:
        registry.GAMES.get(spec).factory(**kwargs)
    assert spec.split(":")[-1] in str(info.value)
    assert time.perf_counter() - t0 < 2.0


def test_size_limit_is_the_one_knob() -> None:
    """goofspiel(num_cards=5, order="random") has 3,346,656 nodes (about 1 GB at the measured cost
    per node): under the default 4 GiB limit it may be built, under 256 MiB it is refused, and a
    raised limit admits goofspiel(num_cards=7)'s estimate."""
    from equilibria._checks import size_limit_set

    with size_limit_set("256M"), pytest.raises(SizeLimitError):
        registry.GAMES.get("goofspiel").factory(num_cards=5, order="random")
    with size_limit_set("1G"), pytest.raises(SizeLimitError):
        registry.GAMES.get("random_uniform").factory(rows=10000, cols=10000)
    with size_limit_set("10G"):  # 2 * 1e8 * 32 bytes = 6.4 GB: above the default, within 10G
        from equilibria.games.catalog.random_games import game_shape

        assert game_shape(10000, 10000, None, None) == (10000, 10000)


def test_tree_size_estimates_match_the_built_trees() -> None:
    """The closed forms used for the size check count the nodes the builder makes (liar's dice and
    Goofspiel exactly; Kuhn poker from above)."""
    from equilibria.games.catalog import goofspiel, liars_dice, poker

    for n in (1, 2, 3, 4):
        for order in ("descending", "random"):
            if n == 4 and order == "random":
                continue  # 26,773 nodes: seconds to build
            game = goofspiel.goofspiel(num_cards=n, order=order)
            assert goofspiel.num_histories(n, order == "random") == game.num_nodes
    for faces in (2, 3):
        assert liars_dice.num_histories(faces) == liars_dice.liars_dice(faces=faces).num_nodes
    for players in (2, 3):
        built = poker.kuhn_poker(players=players).num_nodes
        assert built <= poker.kuhn_histories(players) <= 2 * built


def test_centipede_with_many_rounds_builds_without_recursion() -> None:
    """Defect pinned: centipede(rounds=1000) raised RecursionError (the tree was built recursively)."""
    from equilibria.metrics import nash_conv

    game = registry.GAMES.get("centipede").factory(rounds=1000, growth=1.1)
    assert game.num_nodes == 2001
    assert math.isfinite(nash_conv(game, game.uniform_profile()))
    # payoffs beyond 1e100 are refused from the parameters, before the power overflows
    with pytest.raises(EquilibriaError, match="growth"):
        registry.GAMES.get("centipede").factory(rounds=1000)


if __name__ == "__main__":
    todo = cases()
    if len(sys.argv) > 1:
        todo = [c for c in todo if c[0] in sys.argv[1:]]
    t0 = time.time()
    results = fuzz(todo)
    print(report(todo, results))
    print(f"{time.time() - t0:.1f} s")
