"""How the suite is spread over its test processes (pytest-xdist).

Each file runs whole in one process, so a module-scoped fixture runs once; the files of
``against_pytorch/`` all run in the same process, so only that process imports PyTorch (and Keras).
"""

from __future__ import annotations

import pytest

ONE_PROCESS = "against_pytorch/"
# Scopes start longest first (seconds each, measured on a quiet 2-core machine), then the rest as
# collected: the short ones fill in at the end, and neither process is left waiting for the other.
FIRST = (
    ONE_PROCESS,  # 15
    "test_explore.py",  # 6, and Chromium's own processes
    "test_demos.py",  # 5
    "test_circles_demo.py",  # 4.5
    "test_model_files.py",  # 4.5
    "test_render_files.py",  # 3
    "test_render.py",  # 2.5
    "test_model_file_safety.py",  # 2.5
    "test_engine_backward.py",  # 2
)


@pytest.hookimpl(optionalhook=True)  # a hook of xdist's: unknown when xdist is not loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class ByFileOrFolder(LoadScopeScheduling):
        """Scopes are files, except that one folder is one scope."""

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return ONE_PROCESS if ONE_PROCESS in path else path

    return ByFileOrFolder(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest scopes first (``FIRST``); with --no-loadscope-reorder xdist keeps this order."""

    def rank(item: pytest.Item) -> int:
        return next((i for i, part in enumerate(FIRST) if part in item.nodeid), len(FIRST))

    items.sort(key=rank)
