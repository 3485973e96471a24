"""The spiral demo runs end to end (untrained, in-process: multi-class training is tested in
test_classes.py): its softmax and cross-entropy derivation matches the closed forms node by node,
and it writes its pictures and explorer page."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from demos import spiral  # noqa: E402 - after the skip: the demo draws with matplotlib


def test_demo_runs_derives_and_draws(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(spiral, "GRID", 24)  # a coarse picture of the regions is enough here,
    monkeypatch.setattr(spiral, "SIZES", [4, 3])  # and a small network's graph
    monkeypatch.setattr(spiral, "ACTIVATIONS", ["relu", "linear"])
    code = spiral.main(["--epochs", "0", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "softmax and cross-entropy by backward() match the closed forms: OK" in out
    assert "nn.predict matches the graph's forward pass: OK" in out
    assert "(>= 0.95: not required)" in out  # untrained: the target is for the full run
    assert out.count("  OK") >= 20 and "DIFFERS" not in out
    assert (tmp_path / "spiral_regions.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "<svg" in (tmp_path / "spiral_graph.svg").read_text(encoding="utf-8")
    assert "<html" in (tmp_path / "spiral.html").read_text(encoding="utf-8").lower()


def test_the_derivation_catches_a_wrong_gradient():
    """The check can fail: a softmax node with a corrupted local derivative is reported."""
    model, X, y = spiral.setup(1)
    rows = spiral.derivation(model, X[0], y[0])
    assert all(ok for *_, ok in rows)
    original = spiral.nn.cross_entropy

    def corrupted(z, label):
        loss = original(z, label)
        log_p = loss.parents[0]
        log_p.parents[1].local_grads = (1.001,)  # s_y = z_y - m: d s_y / d z_y is 1, not 1.001
        return loss

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spiral.nn, "cross_entropy", corrupted)
        rows = spiral.derivation(model, X[0], y[0])
    failed = [name for name, *_, ok in rows if not ok]
    assert failed == [f"dL/dz_{y[0]} = p_{y[0]} - [{y[0]} = y]"]
