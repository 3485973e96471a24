"""What a wheel installs: every package of engine/ and nn/ with its py.typed marker, and nothing
else (demos/ and benchmarks/ run from the checkout); the licence the metadata declares exists."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def config() -> dict:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11+")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_wheel_holds_every_package_of_engine_and_nn_and_nothing_else(config):
    listed = sorted(config["tool"]["setuptools"]["packages"])
    found = sorted(
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("engine", "nn")
        for init in (ROOT / top).rglob("__init__.py")
    )
    assert listed == found
    assert (ROOT / "demos" / "__init__.py").is_file() and "demos" not in listed


def test_the_packages_ship_py_typed_and_the_licence_file_exists(config):
    data = config["tool"]["setuptools"]["package-data"]
    for top in ("engine", "nn"):
        assert "py.typed" in data[top] and (ROOT / top / "py.typed").is_file()
    assert config["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "2026 the chainrule authors" in text
