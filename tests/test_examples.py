"""The scripts in ``examples/`` run (issue 10, item 5).

Each example takes ``--fast`` (a few seconds: fewer iterations, no plot) and prints the claim it
reproduces beside the measurement, on a line holding both ``claimed`` and ``measured`` with the
measured number. The test runs it in a subprocess, the way a user would, and checks the exit code
and that line. Examples use the public API (``import equilibria as eq``): a name the package exports
at the top level is not imported from a submodule, and no private module is imported.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import equilibria as eq

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TIMEOUT_S = 60
#: a line with the claim and the measurement, and a number after "measured:"
CLAIM_LINE = re.compile(r"claimed.*measured:[^\n]*?[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.I)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 9, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_in_fast_mode(script: Path, tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        [sys.executable, str(script), "--fast"],
        cwd=tmp_path,  # anything an example writes lands here
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
    )
    assert proc.returncode == 0, f"{script.name} --fast exited {proc.returncode}:\n{proc.stderr[-4000:]}"
    claims = [line for line in proc.stdout.splitlines() if CLAIM_LINE.search(line)]
    assert claims, f"{script.name} prints no 'claimed ... measured <number>' line:\n{proc.stdout[-3000:]}"


def _imports(script: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_uses_the_public_api(script: Path) -> None:
    imports = _imports(script)
    assert ("equilibria", []) in imports, f"{script.name} does not `import equilibria as eq`"
    public = set(eq.__all__)
    for module, names in imports:
        if not module.startswith("equilibria"):
            continue
        private = [part for part in module.split(".") if part.startswith("_")]
        assert not private, f"{script.name} imports the private module {module}"
        if module != "equilibria":
            exported = sorted(set(names) & public)
            assert not exported, f"{script.name} imports {exported} from {module}; use eq.{exported[0]}"
