"""The circles demo runs end to end (one epoch, in-process) and writes every picture; the
compiled and the interpreted training print the same numbers."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("PIL")

from demos import circles  # noqa: E402 - after the skips: the demo draws with matplotlib

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("circles")
    capture = pytest.MonkeyPatch()
    lines: list[str] = []
    capture.setattr(circles, "_log", lines.append)  # the per-epoch lines
    capture.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(map(str, a))))
    try:
        code = circles.main(["--epochs", "1", "--out", str(out)])
    finally:
        capture.undo()
    return code, lines, out


def test_demo_exits_cleanly_and_reports(demo_run):
    code, lines, _ = demo_run
    assert code == 0, lines
    assert [line.split()[1] for line in lines if line.startswith("epoch ")] == ["1/1"]
    assert "nn.predict matches the graph's forward pass on the test set: OK" in lines
    k = next(i for i, line in enumerate(lines) if line.startswith("seed 17, 1 epochs, ReLU"))
    assert [line.split()[0] for line in lines[k + 1 : k + 3]] == ["relu", "leaky_relu"]
    assert lines[-2].startswith("test loss: ") and lines[-1].startswith("test accuracy: ")


def test_no_compile_trains_to_the_same_numbers(demo_run, monkeypatch, tmp_path):
    _, compiled_lines, _ = demo_run
    lines: list[str] = []
    monkeypatch.setattr(circles, "_log", lines.append)
    monkeypatch.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(map(str, a))))
    monkeypatch.setattr(circles, "draw", lambda *args: [])  # the pictures are tested above
    assert circles.main(["--epochs", "1", "--out", str(tmp_path), "--no-compile"]) == 0
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert epochs == [line for line in compiled_lines if line.startswith("epoch ")]
    assert lines[-2:] == compiled_lines[-2:]  # test loss and accuracy, to the printed digits


@pytest.mark.parametrize(
    "name, signature",
    [
        ("circles_data.png", PNG),
        ("circles_history.png", PNG),
        ("circles_boundary.png", PNG),
        ("circles_boundary.gif", b"GIF8"),
        ("circles_training.html", b"<!DOCTYPE html>"),
    ],
)
def test_demo_writes_its_pictures(demo_run, name, signature):
    _, _, out = demo_run
    path = out / name
    assert path.exists(), f"{name} not written"
    data = path.read_bytes()
    assert data.startswith(signature)
    assert len(data) > 5_000


def test_gif_has_one_frame_per_epoch_and_one_before(demo_run):
    from PIL import Image

    _, _, out = demo_run
    with Image.open(out / "circles_boundary.gif") as gif:
        assert gif.n_frames == 2


def test_graph_of_one_sample_is_drawn(demo_run):
    _, _, out = demo_run
    svg = (out / "circles_graph.svg").read_text()
    # Too wide for a page value by value, so the demo asks for one box per neuron: W[1]_1,*
    # is the row of neuron [1]_1's weights.
    assert "<svg" in svg and ">J<" in svg and "W[1]_1,*" in svg
    for name in ("[1]_4", "[2]_6", "[3]_6", "[4]_4", "[5]_1"):
        assert f"neuron {name}" in svg, name
