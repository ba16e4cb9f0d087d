"""Start-up cost (issue 16, item 7): ``equilibria --help`` and ``equilibria games`` must not pay for
SciPy, Matplotlib or the optional extras. Checked by what gets imported (which is what costs the
time), not by timing: a fresh interpreter imports the package, discovers every game and method, and
must not have loaded any of those modules."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("scipy", "matplotlib", "torch", "jax", "ray", "pyspiel", "open_spiel", "pygambit", "nashpy",
         "mfglib", "sympy", "cvxpy")


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(HEAVY)!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_and_help_load_no_heavy_module():
    assert _loaded_after("import equilibria\nimport equilibria.cli") == []


def test_discovering_every_game_and_method_loads_no_heavy_module():
    code = ("from equilibria.registry import GAMES, METHODS\n"
            "assert len(list(GAMES)) > 50 and len(list(METHODS)) > 50")
    assert _loaded_after(code) == []


def test_the_heavy_modules_are_detected():
    # the probe itself can fail: a module that does import scipy is reported
    assert _loaded_after("import scipy.special") == ["scipy"]


def test_lazy_public_names_resolve_to_the_real_objects():
    import equilibria as eq
    from equilibria.api import solve
    from equilibria.metrics import nash_conv
    from equilibria.run import run

    assert eq.solve is solve and eq.nash_conv is nash_conv and eq.run is run
    assert set(eq.__all__) <= set(dir(eq))
    try:
        eq.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover - the check above must raise
        raise AssertionError("an unknown attribute must raise AttributeError")


def test_the_catalog_index_is_in_step_with_the_registrations():
    """`equilibria.games.catalog._index` is what lets a lookup import one module and `equilibria games`
    import none: it must name every registered game, the module that registers it and its listing
    row. Out of step: run ``python -m equilibria.games.catalog._index``."""
    from pathlib import Path

    from equilibria.games.catalog import _index
    from equilibria.registry import GAMES

    found = {e.name: e.factory.__module__.rsplit(".", 1)[1] for e in GAMES}
    assert _index.GAME_MODULES == found
    assert list(_index.GAME_ROWS) == _index.listing_rows(list(GAMES))
    assert _index.render() == Path(_index.__file__).read_text()


def test_loading_one_game_imports_its_catalog_module_only():
    code = ("import sys\nimport equilibria as eq\neq.load_game('kuhn_poker')\n"
            "print(sorted(m for m in sys.modules if m.startswith('equilibria.games.catalog.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's list literal
    assert loaded == ["equilibria.games.catalog._arrays", "equilibria.games.catalog._index",
                      "equilibria.games.catalog._limits", "equilibria.games.catalog.poker"]
    # a name the index does not hold still resolves through full discovery (and unknown names fail)
    from equilibria.errors import UnknownNameError
    from equilibria.registry import GAMES

    assert GAMES.get("leduc_poker").name == "leduc_poker"
    try:
        GAMES.get("no_such_game")
    except UnknownNameError as exc:
        assert "unknown game 'no_such_game'" in str(exc)
    else:  # pragma: no cover - the lookup above must raise
        raise AssertionError("an unknown game must raise UnknownNameError")
