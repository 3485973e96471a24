"""The circles demo runs end to end (two epochs) as a subprocess and writes every picture."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("matplotlib")
pytest.importorskip("PIL")

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("circles")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "demos.circles", "--epochs", "2", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, out


def test_demo_exits_cleanly_and_reports(demo_run):
    result, _ = demo_run
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert sum(line.startswith("epoch ") for line in lines) == 2
    assert "matches the graph's forward pass on the test set: OK" in result.stdout
    assert lines[-2].startswith("test loss: ") and "0.0286" in lines[-2]
    assert lines[-1].startswith("test accuracy: ") and "1.0" in lines[-1]
    accuracy = float(lines[-1].split()[2])
    assert 0.0 <= accuracy <= 1.0


@pytest.mark.parametrize(
    "name, signature",
    [
        ("circles_data.png", PNG),
        ("circles_history.png", PNG),
        ("circles_boundary.png", PNG),
        ("circles_boundary.gif", b"GIF8"),
    ],
)
def test_demo_writes_its_pictures(demo_run, name, signature):
    _, out = demo_run
    path = out / name
    assert path.exists(), f"{name} not written"
    data = path.read_bytes()
    assert data.startswith(signature)
    assert len(data) > 5_000


def test_gif_has_one_frame_per_epoch_and_one_before(demo_run):
    from PIL import Image

    _, out = demo_run
    with Image.open(out / "circles_boundary.gif") as gif:
        assert gif.n_frames == 3


def test_graph_of_one_sample_is_drawn(demo_run):
    _, out = demo_run
    svg = (out / "circles_graph.svg").read_text()
    # Too wide for a page value by value, so it is drawn one box per neuron: W[1]_1,* is the row
    # of neuron [1]_1's weights.
    assert "<svg" in svg and ">J<" in svg and "W[1]_1,*" in svg and "neuron [1]_1" in svg
