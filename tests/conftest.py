"""How the suite is spread over its test processes (pytest-xdist).

A scope runs whole in one process: each file is a scope, so a module-scoped fixture runs once, and
the folder ``against_pytorch/`` is one scope, so only one process imports PyTorch (and Keras).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chromium import CHROMIUM, FLAGS
from hypothesis import settings

# CI (CI=true) draws the same examples on every run, so a run there repeats a run here; locally
# each run draws new ones and keeps failures in .hypothesis/ to replay them.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ONE_PROCESS = "tests/against_pytorch/"
# The longest scopes start first, the rest follow as collected, so the short ones fill in at the
# end and neither process waits long for the other. Seconds each, from
# `pytest -n0 --durations=0` on this project's 2-core machine.
FIRST = (
    ONE_PROCESS,  # 13
    "tests/test_explore.py",  # 7, plus Chromium's own processes
    "tests/test_notebooks.py",  # 7-8, three Jupyter kernels side by side and Chromium
    "tests/test_demos.py",  # 6
    "tests/test_model_files.py",  # 5
    "tests/test_engine_backward.py",  # 4.5
    "tests/test_circles_demo.py",  # 4.5
    "tests/test_render.py",  # 2.5
    "tests/test_model_file_safety.py",  # 2
    "tests/test_render_files.py",  # 2
)


def scope(nodeid: str) -> str:
    """The scope of a test: its file, or ONE_PROCESS for a test in that folder."""
    path = nodeid.split("::", 1)[0]
    return ONE_PROCESS if path.startswith(ONE_PROCESS) else path


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's: unknown when xdist is not loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class ByScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid)

    return ByScope(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``FIRST`` first (--no-loadscope-reorder in pyproject.toml makes xdist keep this order)."""
    rank = {s: i for i, s in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(scope(item.nodeid), len(FIRST)))


# ---- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by playwright (executable_path: no browser download), one launch
    per test file; skipped, saying why, without playwright or Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
