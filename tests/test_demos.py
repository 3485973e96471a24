"""The seed demos as a user runs them: ``python -m demos.<name> --out DIR`` in a fresh process.

Each must exit 0, say what it checked (the key lines asserted below), and draw its graph picture.
The in-process tests break a closed form on purpose and expect the demos to notice.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demos import DEMOS, common

ROOT = Path(__file__).resolve().parents[1]

# demo -> lines (substrings) its output must contain
KEY_LINES = {
    "walkthrough": [
        "backward, one step per node",
        "<step 0: a [tanh] g=1: z += ",
        "finite differences agree with autograd for every input",
        "walkthrough: OK",
    ],
    "perceptron": [
        "C = (1/n) Σ_i (ŷ_i - y_i)^2",
        "dC/dŷ · dŷ/dz",
        "Σ_i dC/dz_i · x_i1",
        "stopped: the cost fell by less than",
        "perceptron: OK",
    ],
    "two_layer_mse": [
        "J = (1/n_y) Σ (A[2] - Y)^2 with n_y = 2",
        "(2/2)(A[2]_1 - Y_1)",
        "dZ[2]_1 · A[1]_1",
        "(W[2]ᵀ dZ[2])_1 · σ'(Z[1]_1)",
        "two_layer_mse: OK",
    ],
    "two_layer_bce": [
        "DIFFERS (article's slip)",
        "FINDING 1: the article's middle step -Y/A - (1-Y)/(1-A)",
        "sign slip: -Y/A + (1-Y)/(1-A)",
        "agrees.",
        "FINDING 2: the article's final dJ/dA[2] = (A-Y)/(A(1-A))",
        "is right",
        "two_layer_bce: OK",
    ],
    "four_layer": [
        "dC/d(w_22)^2 = (dC/ds · (w_12)^3) · f'((z_2)^3) · (a_2)^2",
        "z^2, a^2 = f(z^2)  Z[1], A[1]",
        "(w_22)^2  W[2]_2,2",
        "(z_2)^2  Z[1]_2",
        "paths from W[2]_2,2 to J (engine.paths): 1",
        "paths from W[1]_2,2 to J (engine.paths): 2",
        "four_layer: OK",
    ],
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def assert_graph_written(out: Path, demo: str) -> None:
    svg = out / f"{demo}_graph.svg"
    assert svg.is_file(), f"{demo} wrote no {svg.name}"
    assert "<svg" in svg.read_text(encoding="utf-8")
    png = out / f"{demo}_graph.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("demo", KEY_LINES)
def test_demo_runs_checks_and_draws(demo, tmp_path):
    result = run(f"demos.{demo}", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    for line in KEY_LINES[demo]:
        assert line in result.stdout, f"{demo} output lacks {line!r}:\n{result.stdout}"
    assert "MISMATCH" not in result.stdout
    assert "NOT falling" not in result.stdout
    assert_graph_written(tmp_path, demo)


@pytest.mark.parametrize(
    ("demo", "options"),
    [
        ("two_layer_bce", ["--hidden", "relu"]),
        ("two_layer_bce", ["--hidden", "sigmoid"]),
        ("four_layer", ["--f", "tanh"]),
    ],
)
def test_demo_options(demo, options, tmp_path):
    result = run(f"demos.{demo}", "--out", str(tmp_path), *options)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{demo}: OK" in result.stdout


def test_bce_slip_is_invisible_when_y_is_1(tmp_path):
    """With Y = 1 the slipped term is multiplied by 1-Y = 0: the demo must say so, not claim it."""
    result = run("demos.two_layer_bce", "--out", str(tmp_path), "--y", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "happens to agree here" in result.stdout
    assert "FINDING 1" not in result.stdout


def test_python_m_demos_runs_them_all(tmp_path):
    for name in KEY_LINES:
        assert name in DEMOS
    result = run("demos", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(DEMOS)} of {len(DEMOS)} demos passed" in result.stdout
    for name in KEY_LINES:
        assert_graph_written(tmp_path, name)


@pytest.mark.parametrize("demo", [name for name in KEY_LINES if name != "walkthrough"])
def test_demo_fails_when_a_closed_form_is_wrong(demo, tmp_path, monkeypatch, capsys):
    """A wrong σ' in the hand-written formulas must make every seed demo exit non-zero (the
    walkthrough's neuron is tanh, with its closed form in its own file)."""
    monkeypatch.setitem(common.G_PRIME, "sigmoid", lambda z: 0.25)
    module = importlib.import_module(f"demos.{demo}")
    assert module.main(["--out", str(tmp_path)]) != 0
    assert "MISMATCH" in capsys.readouterr().out
