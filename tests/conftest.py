"""Fixtures shared by several test modules (helpers that are not fixtures live in _support.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ray_session():
    """One local Ray (2 CPUs) for the whole session: starting Ray costs seconds to a minute on a
    loaded machine. The Ray test modules share the xdist group "ray" (`make test` runs
    ``--dist loadgroup``), so they run in one worker, which starts it once; it stops at exit."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    return ray


@pytest.fixture(scope="module")
def mfglib_float64():
    """MFGLib computes in torch's default dtype (float32 otherwise): float64 for the module, then restored."""
    import mfglib.alg  # noqa: F401  (mfglib.scoring imports circularly without it)
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
