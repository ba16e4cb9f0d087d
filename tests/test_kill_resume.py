"""A real kill: a child process running a learner with a checkpoint gets SIGKILL at a seeded
random moment after its first checkpoint (possibly in the middle of a checkpoint write), is
restarted to finish, and ends bit-identical to an uninterrupted run (issue 9 §5). The restart also
removes the temporary file a write killed half-way leaves beside the checkpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from typing import Any

import numpy as np
import pytest

import equilibria as eq
from equilibria.checkpoint import read_checkpoint_file
from equilibria.errors import CheckpointError
from equilibria.run import run

CHILD = r"""
import sys
import numpy as np
import equilibria as eq
from equilibria.run import run
spec, method, seed, iterations, checkpoint, out = sys.argv[1:7]
learner = eq.make_learner(spec, method, seed=None if seed == "none" else int(seed))
run(learner, int(iterations), evaluate="none", checkpoint=checkpoint, checkpoint_every=1, progress=False)
profile = learner.strategy()
np.savez(out, *[np.asarray(a) for a in (profile if isinstance(profile, (list, tuple)) else [profile])])
"""


def _flat(profile: Any) -> list[np.ndarray]:
    return [np.asarray(a) for a in (profile if isinstance(profile, (list, tuple)) else [profile])]


@pytest.mark.parametrize(
    "spec, method, seed, iterations",
    [("kuhn_poker", "cfr+", None, 100), ("kuhn_poker", "psro", 1, 8)],
)
def test_sigkill_then_restart_equals_the_uninterrupted_run(tmp_path, spec, method, seed, iterations):
    ck, out = tmp_path / "run.ckpt", tmp_path / "out.npz"
    args = [
        sys.executable,
        "-c",
        CHILD,
        spec,
        method,
        "none" if seed is None else str(seed),
        str(iterations),
        str(ck),
        str(out),
    ]
    rng = np.random.default_rng(zlib.crc32(method.encode()))
    kill_after = int(rng.integers(1, iterations // 2))  # the seeded moment: a checkpointed iteration...
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    deadline = time.monotonic() + 120
    while child.poll() is None and time.monotonic() < deadline:
        try:
            if read_checkpoint_file(ck)[0]["iteration"] >= kill_after:
                break
        except CheckpointError:  # not written yet
            pass
        time.sleep(0.002)
    time.sleep(float(rng.uniform(0.0, 0.02)))  # ...and a moment later, often inside a checkpoint write
    child.send_signal(signal.SIGKILL)
    _, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]  # killed part-way
    killed_at = read_checkpoint_file(ck)[0]["iteration"] if ck.exists() else 0
    assert killed_at < iterations

    done = subprocess.run(args, capture_output=True, timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".run.ckpt.")]
    doc, _ = read_checkpoint_file(ck)
    assert doc["iteration"] == iterations

    straight = eq.make_learner(spec, method, seed=seed)
    run(straight, iterations, evaluate="none")
    with np.load(out, allow_pickle=False) as z:
        resumed = [z[f"arr_{i}"] for i in range(len(z.files))]
    expected = _flat(straight.strategy())
    assert len(resumed) == len(expected)
    for a, b in zip(resumed, expected, strict=True):
        np.testing.assert_array_equal(a, b)
