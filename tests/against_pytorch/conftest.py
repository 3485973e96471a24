"""The files here compare this engine with PyTorch float64, the reference for every numerical
behaviour. They import torch only when their tests run, never at collection: every test process
collects every file, and importing torch costs ~3 s (tests/conftest.py keeps this folder in one
process). Without torch installed, their tests skip and say why."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module", autouse=True)
def _torch_for_this_module(request: pytest.FixtureRequest) -> None:
    """Give the module its global ``torch`` (None until now) before its first test runs."""
    if hasattr(request.module, "torch") and request.module.torch is None:
        request.module.torch = pytest.importorskip(
            "torch", reason="PyTorch float64 is the reference here (pip install torch==2.13.0)"
        )
