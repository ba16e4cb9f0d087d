"""Fixtures shared by several test modules (helpers that are not fixtures live in _support.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def mfglib_float64():
    """MFGLib computes in torch's default dtype (float32 otherwise): float64 for the module, then restored."""
    import mfglib.alg  # noqa: F401  (mfglib.scoring imports circularly without it)
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
